//! What the test registers for the operations of views and authentication: the views
//! DescribeView answers, and the sessions of the Authenticate Customer block that
//! GetAuthenticationUrl and CancelParticipantAuthentication take.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use serde_json::json;

use super::control::{AgentError, live_chat};
use super::ids::new_uuid;
use super::service::{NewItem, Service};

/// `ViewToken`: 1 to 1000 characters.
pub(super) const MAX_VIEW_TOKEN: usize = 1000;
/// How many views the emulator keeps: a new one forgets the oldest.
pub(super) const MAX_VIEWS: usize = 10_000;
/// How many authentication sessions the emulator keeps: a new one forgets the oldest.
pub(super) const MAX_SESSIONS: usize = 10_000;
/// How long after `authentication.initiated` GetAuthenticationUrl may be called.
pub(super) const AUTHENTICATION_WINDOW: Duration = Duration::from_secs(60);
/// The event that starts an Authenticate Customer block.
pub(super) const AUTH_INITIATED: &str =
    "application/vnd.amazonaws.connect.event.authentication.initiated";
/// The event CancelParticipantAuthentication adds.
pub(super) const AUTH_CANCELLED: &str =
    "application/vnd.amazonaws.connect.event.authentication.cancelled";

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

    /// The `View` registered for this token, as its JSON text.
    pub(super) fn get(&self, token: &str) -> Option<&str> {
        self.by_token.get(token).map(String::as_str)
    }
}

/// One authentication session.
pub(super) struct Session {
    pub(super) contact_id: String,
    pub(super) started: SystemTime,
    pub(super) cancelled: bool,
}

/// The authentication sessions started by the test.
#[derive(Default)]
pub(super) struct Sessions {
    by_id: HashMap<String, Session>,
    order: VecDeque<String>,
}

impl Sessions {
    /// The session with this id, if it is one of this chat's.
    pub(super) fn of_chat(&self, id: &str, contact_id: &str) -> Option<&Session> {
        self.by_id.get(id).filter(|s| s.contact_id == contact_id)
    }

    pub(super) fn of_chat_mut(&mut self, id: &str, contact_id: &str) -> Option<&mut Session> {
        self.by_id
            .get_mut(id)
            .filter(|s| s.contact_id == contact_id)
    }

    /// Keeps a new session, forgetting the oldest beyond [`MAX_SESSIONS`].
    fn start(&mut self, id: String, session: Session) {
        self.order.push_back(id.clone());
        self.by_id.insert(id, session);
        while self.order.len() > MAX_SESSIONS {
            if let Some(old) = self.order.pop_front() {
                self.by_id.remove(&old);
            }
        }
    }
}

/// Percent-decodes a URI path segment; `None` for a bad escape or bytes that are not UTF-8.
pub(super) fn percent_decode(s: &str) -> Option<String> {
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
pub(super) fn percent_encode(s: &str) -> String {
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

impl Service {
    /// Starts an authentication session in a chat: an `authentication.initiated` event
    /// with `Content` `{"SessionId":…}` (transcript and push). The session id.
    pub(super) fn start_authentication(&self, contact_id: &str) -> Result<String, AgentError> {
        let mut state = self.lock();
        live_chat(&state, contact_id)?;
        let id = new_uuid();
        let content = json!({ "SessionId": id }).to_string();
        let item = NewItem::event(AUTH_INITIATED, Some(content), None);
        state.record_item(contact_id, item, self.settings.max_kept_bytes);
        let session = Session {
            contact_id: contact_id.to_owned(),
            started: state.chats.now(),
            cancelled: false,
        };
        state.sessions.start(id.clone(), session);
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
