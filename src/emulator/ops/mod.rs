//! The service's operations, one file each, all of one shape ([`Operation`]): the
//! input's checks first, then the token, then the change and its answer.

pub(super) mod cancel_participant_authentication;
pub(super) mod complete_attachment_upload;
pub(super) mod create_participant_connection;
pub(super) mod describe_view;
pub(super) mod disconnect_participant;
pub(super) mod get_attachment;
pub(super) mod get_authentication_url;
pub(super) mod get_transcript;
pub(super) mod send_event;
pub(super) mod send_message;
pub(super) mod start_attachment_upload;

use serde_json::{Map, Value};

use super::http::{Reply, Request};
use super::protocol::{
    MAX_CLIENT_TOKEN, MAX_CONTENT_TYPE, bearer, body, chars_within, client_token, length,
    null_member, string, validation,
};
use super::service::Service;

/// An operation: the request in, the answer out. An error is an answer too, so that a
/// check can end the operation with `?`.
pub(super) type Operation = fn(&Service, &Request) -> Result<Reply, Reply>;

/// `SessionId`: exactly 36 characters.
const SESSION_ID: usize = 36;

/// The members SendMessage and SendEvent share.
struct ContentMembers<'r> {
    token: &'r str,
    content_type: String,
    content: Option<String>,
    client_token: Option<String>,
}

/// Reads and checks the members SendMessage and SendEvent share, alike: the bearer, a
/// `ContentType` of 1 to 100 characters, the optional `Content`, and the client token.
fn content_members(request: &Request) -> Result<ContentMembers<'_>, Reply> {
    let token = bearer(request, "connectionToken")?;
    let map = body(request)?;
    let content_type = string(&map, "ContentType")?;
    let content = string(&map, "Content")?;
    let client_token = client_token(&map)?;
    let Some(content_type) = content_type else {
        return Err(null_member("contentType"));
    };
    chars_within(&content_type, "contentType", 1, MAX_CONTENT_TYPE)?;
    Ok(ContentMembers {
        token,
        content_type,
        content,
        client_token,
    })
}

/// The required `ClientToken` of the attachment operations (`NonEmptyClientToken`).
fn required_client_token(map: &Map<String, Value>) -> Result<String, Reply> {
    let Some(token) = string(map, "ClientToken")? else {
        return Err(null_member("clientToken"));
    };
    chars_within(&token, "clientToken", 1, MAX_CLIENT_TOKEN)?;
    Ok(token)
}

/// The `SessionId` member of the authentication operations: required, exactly 36
/// characters.
fn session_id(map: &Map<String, Value>) -> Result<String, Reply> {
    let Some(id) = string(map, "SessionId")? else {
        return Err(null_member("sessionId"));
    };
    if id.chars().count() != SESSION_ID {
        return Err(length("sessionId", SESSION_ID, SESSION_ID));
    }
    Ok(id)
}

fn unknown_session(id: &str) -> Reply {
    validation(format!(
        "1 validation error detected: Value '{id}' at 'sessionId' failed to satisfy \
         constraint: Member must be the SessionId of an authentication session of this chat"
    ))
}
