//! DisconnectParticipant: the participant leaves, with a `participant.left` event, and
//! its tokens are refused from then on.

use serde_json::json;

use crate::emulator::chat::LEFT;
use crate::emulator::http::{Reply, Request};
use crate::emulator::protocol::{bearer, body, client_token, denied, ok};
use crate::emulator::service::{NewItem, Service};

pub(in crate::emulator) fn handle(service: &Service, request: &Request) -> Result<Reply, Reply> {
    let token = bearer(request, "connectionToken")?;
    let map = body(request)?;
    let client_token = client_token(&map)?;

    let mut state = service.lock();
    let Ok((contact_id, who)) = state.chats.by_connection_token(token) else {
        return Err(denied());
    };
    let Some(chat) = state.chats.chat_mut(&contact_id) else {
        return Err(denied());
    };
    if chat.ended {
        return Err(denied());
    }
    match &chat.participants[who].left {
        // A retry of the call that disconnected: the same answer.
        Some(Some(earlier)) if client_token.as_ref() == Some(earlier) => {}
        Some(_) => return Err(denied()),
        None => {
            chat.participants[who].left = Some(client_token.clone());
            let item = NewItem::event(LEFT, None, Some(who));
            let max = service.settings.max_kept_bytes;
            // The others see the item; the one who left sees it, then its sockets close.
            if state.record_item(&contact_id, item, max).is_some() {
                state.hub.close(&contact_id, Some(who), 1000);
            }
        }
    }
    if service.settings.empty_disconnect_body {
        Ok(Reply {
            status: 200,
            headers: Vec::new(),
            body: Vec::new(),
        })
    } else {
        Ok(ok(&json!({})))
    }
}
