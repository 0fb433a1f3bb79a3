//! CancelParticipantAuthentication: an `authentication.cancelled` event, once per session.

use serde_json::json;

use super::{session_id, unknown_session};
use crate::emulator::http::{Reply, Request};
use crate::emulator::protocol::{bearer, body, ok};
use crate::emulator::service::{NewItem, Service};
use crate::emulator::views::AUTH_CANCELLED;

pub(in crate::emulator) fn handle(service: &Service, request: &Request) -> Result<Reply, Reply> {
    let token = bearer(request, "connectionToken")?;
    let map = body(request)?;
    let id = session_id(&map)?;

    let mut state = service.lock();
    let (contact_id, _) = Service::connected(&state, token)?;
    let Some(session) = state.sessions.of_chat_mut(&id, &contact_id) else {
        return Err(unknown_session(&id));
    };
    // Once: a repeat changes nothing and gets the same answer.
    if !session.cancelled {
        session.cancelled = true;
        let item = NewItem::event(AUTH_CANCELLED, None, None);
        state.record_item(&contact_id, item, service.settings.max_kept_bytes);
    }
    Ok(ok(&json!({})))
}
