//! DescribeView, and the Authenticate Customer block's two operations:
//! GetAuthenticationUrl and CancelParticipantAuthentication.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::chat::later;
use super::http::{Reply, Request};
use super::ids::new_uuid;
use super::service::{
    AgentError, NewItem, Service, bearer, body, chars_within, error_reply, length, null_member, ok,
    string, validation,
};

/// Where DescribeView's label starts.
pub(super) const VIEWS_PATH: &str = "/participant/views/";
/// `ViewToken`: 1 to 1000 characters.
pub(super) const MAX_VIEW_TOKEN: usize = 1000;
/// How many views the emulator keeps: a new one forgets the oldest.
pub(super) const MAX_VIEWS: usize = 10_000;
/// How many authentication sessions the emulator keeps: a new one forgets the oldest.
pub(super) const MAX_SESSIONS: usize = 10_000;
/// `SessionId`: exactly 36 characters.
const SESSION_ID: usize = 36;
/// `RedirectURI`: 1 to 1024 characters.
const MAX_REDIRECT_URI: usize = 1024;
/// How long after `authentication.initiated` GetAuthenticationUrl may be called.
pub(super) const AUTHENTICATION_WINDOW: Duration = Duration::from_secs(60);
/// The event that starts an Authenticate Customer block.
pub(super) const AUTH_INITIATED: &str =
    "application/vnd.amazonaws.connect.event.authentication.initiated";
/// The event CancelParticipantAuthentication adds.
pub(super) const AUTH_CANCELLED: &str =
    "application/vnd.amazonaws.connect.event.authentication.cancelled";
/// Where GetAuthenticationUrl's URLs point: a host that never resolves.
const AUTHORIZE_URL: &str = "https://auth.emulator.invalid/oauth2/authorize";

/// The views a test registered, by view token, each as the `View` object's JSON text.
#[derive(Default)]
pub(super) struct Views {
    by_token: HashMap<String, String>,
    order: VecDeque<String>,
}

impl Views {
    /// Registers (or replaces) a view, forgetting the oldest beyond [`MAX_VIEWS`].
    pub(super) fn add(&mut self, token: &str, view: String) {
        if self.by_token.insert(token.to_owned(), view).is_some() {
            return;
        }
        self.order.push_back(token.to_owned());
        while self.order.len() > MAX_VIEWS {
            if let Some(old) = self.order.pop_front() {
                self.by_token.remove(&old);
            }
        }
    }
}

/// One authentication session.
struct Session {
    contact_id: String,
    started: SystemTime,
    cancelled: bool,
}

/// The authentication sessions started by the test.
#[derive(Default)]
pub(super) struct Sessions {
    by_id: HashMap<String, Session>,
    order: VecDeque<String>,
}

/// Percent-decodes a URI path segment; `None` for a bad escape or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes every byte but the unreserved ones (RFC 3986 2.3), for a query value.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `SessionId` member: required, exactly 36 characters.
fn session_id(map: &serde_json::Map<String, Value>) -> Result<String, Reply> {
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

impl Service {
    /// DescribeView: `GET /participant/views/{ViewToken}`; `None` for another path.
    pub(super) fn describe_view(&self, request: &Request) -> Option<Reply> {
        let label = request.path.strip_prefix(VIEWS_PATH)?;
        // One path segment: a `/` in the token arrives as `%2F`.
        if label.contains('/') {
            return None;
        }
        Some(
            self.describe_view_label(request, label)
                .unwrap_or_else(|e| e),
        )
    }

    fn describe_view_label(&self, request: &Request, label: &str) -> Result<Reply, Reply> {
        let token = bearer(request, "connectionToken")?;
        let Some(view_token) = percent_decode(label) else {
            return Err(validation(
                "1 validation error detected: Value at 'viewToken' failed to satisfy \
                 constraint: Member must be a percent-encoded UTF-8 path segment",
            ));
        };
        chars_within(&view_token, "viewToken", 1, MAX_VIEW_TOKEN)?;
        // The body, if any, is not read: the operation has no body members.
        let state = self.lock();
        Service::connected(&state, token)?;
        let Some(view) = state.views.by_token.get(&view_token) else {
            let body = json!({
                "message": "The view does not exist or the view token has expired",
                "ResourceId": view_token,
                "ResourceType": "CONTACT_FLOW",
            });
            let mut reply = error_reply(404, "ResourceNotFoundException", "");
            reply.body = body.to_string().into_bytes();
            return Err(reply);
        };
        // The View as registered, its members in the order given.
        let text = format!("{{\"View\":{view}}}");
        Ok(Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: text.into_bytes(),
        })
    }

    /// GetAuthenticationUrl.
    pub(super) fn get_authentication_url(&self, request: &Request) -> Result<Reply, Reply> {
        let token = bearer(request, "connectionToken")?;
        let map = body(request)?;
        let id = session_id(&map)?;
        let Some(redirect) = string(&map, "RedirectUri")? else {
            return Err(null_member("redirectUri"));
        };
        chars_within(&redirect, "redirectUri", 1, MAX_REDIRECT_URI)?;

        let state = self.lock();
        let (contact_id, _) = Service::connected(&state, token)?;
        let Some(session) = state
            .sessions
            .by_id
            .get(&id)
            .filter(|s| s.contact_id == contact_id)
        else {
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

    /// CancelParticipantAuthentication.
    pub(super) fn cancel_participant_authentication(
        &self,
        request: &Request,
    ) -> Result<Reply, Reply> {
        let token = bearer(request, "connectionToken")?;
        let map = body(request)?;
        let id = session_id(&map)?;

        let mut state = self.lock();
        let (contact_id, _) = Service::connected(&state, token)?;
        let Some(session) = state
            .sessions
            .by_id
            .get_mut(&id)
            .filter(|s| s.contact_id == contact_id)
        else {
            return Err(unknown_session(&id));
        };
        // Once: a repeat changes nothing and gets the same answer.
        if !session.cancelled {
            session.cancelled = true;
            let item = NewItem::event(AUTH_CANCELLED, None, None);
            state.record_item(&contact_id, item, self.settings.max_kept_bytes);
        }
        Ok(ok(&json!({})))
    }

    /// Starts an authentication session in a chat: an `authentication.initiated` event
    /// with `Content` `{"SessionId":…}` (transcript and push). The session id.
    pub(super) fn start_authentication(&self, contact_id: &str) -> Result<String, AgentError> {
        let mut state = self.lock();
        let chat = state
            .chats
            .chat(contact_id)
            .ok_or(AgentError::UnknownContact)?;
        if chat.ended {
            return Err(AgentError::Ended);
        }
        let id = new_uuid();
        let content = json!({ "SessionId": id }).to_string();
        let item = NewItem::event(AUTH_INITIATED, Some(content), None);
        state.record_item(contact_id, item, self.settings.max_kept_bytes);
        let started = state.chats.now();
        let sessions = &mut state.sessions;
        sessions.order.push_back(id.clone());
        sessions.by_id.insert(
            id.clone(),
            Session {
                contact_id: contact_id.to_owned(),
                started,
                cancelled: false,
            },
        );
        while sessions.order.len() > MAX_SESSIONS {
            if let Some(old) = sessions.order.pop_front() {
                sessions.by_id.remove(&old);
            }
        }
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_coding_round_trips_and_refuses_bad_escapes() {
        assert_eq!(percent_decode("a%2Fb%2B%3D+c").as_deref(), Some("a/b+=+c"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%FF"), None);
        assert_eq!(
            percent_encode("https://x.test/cb?a=1&b=é"),
            "https%3A%2F%2Fx.test%2Fcb%3Fa%3D1%26b%3D%C3%A9"
        );
    }
}
