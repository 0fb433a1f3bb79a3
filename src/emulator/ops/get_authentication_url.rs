//! GetAuthenticationUrl: the sign-in URL of an authentication session the test started,
//! within its window.

use serde_json::json;

use super::{session_id, unknown_session};
use crate::emulator::chat::later;
use crate::emulator::http::{Reply, Request};
use crate::emulator::protocol::{bearer, body, chars_within, null_member, ok, string, validation};
use crate::emulator::service::Service;
use crate::emulator::views::{AUTHENTICATION_WINDOW, percent_encode};

/// `RedirectURI`: 1 to 1024 characters.
const MAX_REDIRECT_URI: usize = 1024;
/// Where GetAuthenticationUrl's URLs point: a host that never resolves.
const AUTHORIZE_URL: &str = "https://auth.emulator.invalid/oauth2/authorize";

pub(in crate::emulator) fn handle(service: &Service, request: &Request) -> Result<Reply, Reply> {
    let token = bearer(request, "connectionToken")?;
    let map = body(request)?;
    let id = session_id(&map)?;
    let Some(redirect) = string(&map, "RedirectUri")? else {
        return Err(null_member("redirectUri"));
    };
    chars_within(&redirect, "redirectUri", 1, MAX_REDIRECT_URI)?;

    let state = service.lock();
    let (contact_id, _) = Service::connected(&state, token)?;
    let Some(session) = state.sessions.of_chat(&id, &contact_id) else {
        return Err(unknown_session(&id));
    };
    if session.cancelled {
        return Err(validation(
            "The authentication session was cancelled (CancelParticipantAuthentication)",
        ));
    }
    if state.chats.now() > later(session.started, AUTHENTICATION_WINDOW) {
        return Err(validation(
            "The authentication session expired: GetAuthenticationUrl must be called \
             within 60 seconds of the authentication.initiated event",
        ));
    }
    let url = format!(
        "{AUTHORIZE_URL}?session={id}&redirect_uri={}",
        percent_encode(&redirect)
    );
    Ok(ok(&json!({ "AuthenticationUrl": url })))
}
