//! The control path's WebSocket paths, for a standalone emulator (the same as the
//! [`Emulator`](crate::emulator::Emulator) methods in `api`): drop or close a chat's
//! sockets, and mute the answers to heartbeats.

use serde_json::{Map, Value, json};

use crate::emulator::control::unknown_chat;
use crate::emulator::http::{Reply, Request};
use crate::emulator::protocol::{body, ok, serialization, validation};
use crate::emulator::service::Service;

/// Can a server send this close code? 1000 to 1003 and 1007 to 1014 (RFC 6455 and the
/// IANA registry), and 3000 to 4999 (registered and private ones); 1004 to 1006 and 1015
/// are reserved for what a close frame never carries.
pub(in crate::emulator) fn sendable_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// What the control path and [`close_websockets`](crate::emulator::Emulator::close_websockets)
/// say of a close code a server cannot send.
pub(in crate::emulator) const CLOSE_CODE_RULE: &str =
    "Code must be a close code a server can send: 1000 to 1003, 1007 to 1014, or 3000 to 4999";

impl Service {
    /// `POST /emulator/chats/{ContactId}/websockets/drop` (no close frame) and
    /// `.../websockets/close` with `{"Code": n}`: `{"WebSockets": how many}`.
    pub(in crate::emulator) fn control_websockets(
        &self,
        request: &Request,
        contact_id: &str,
        action: &str,
    ) -> Reply {
        let code = match action {
            "drop" => None,
            "close" => match close_code(request) {
                Ok(code) => Some(code),
                Err(reply) => return reply,
            },
            _ => return unknown_path(),
        };
        let n = {
            let mut state = self.lock();
            if state.chats.chat(contact_id).is_none() {
                return unknown_chat(contact_id);
            }
            match code {
                None => state.hub.drop_sockets(contact_id),
                Some(code) => state.hub.close(contact_id, None, code),
            }
        };
        self.shared.changed.notify_all();
        ok(&json!({ "WebSockets": n }))
    }

    /// `POST /emulator/settings` with `{"HeartbeatAnswers": bool, "DeepHeartbeatAnswers":
    /// bool}`, either absent to leave it as it is: `{}` with both as they are now.
    pub(in crate::emulator) fn control_settings(&self, request: &Request) -> Reply {
        let map = match body(request) {
            Ok(map) => map,
            Err(reply) => return reply,
        };
        if let Some(name) = map.keys().find(|k| {
            !matches!(
                k.as_str(),
                "HeartbeatAnswers" | "DeepHeartbeatAnswers" | "WebSocketUpgrades"
            )
        }) {
            return validation(format!(
                "unknown setting {}: the settings are HeartbeatAnswers, DeepHeartbeatAnswers \
                 and WebSocketUpgrades",
                Value::from(name.as_str())
            ));
        }
        let (heartbeat, deep, upgrades) = match (
            boolean(&map, "HeartbeatAnswers"),
            boolean(&map, "DeepHeartbeatAnswers"),
            boolean(&map, "WebSocketUpgrades"),
        ) {
            (Ok(h), Ok(d), Ok(u)) => (h, d, u),
            (Err(reply), _, _) | (_, Err(reply), _) | (_, _, Err(reply)) => return reply,
        };
        let mut state = self.lock();
        if let Some(on) = heartbeat {
            state.hub.heartbeat_answers = on;
        }
        if let Some(on) = deep {
            state.hub.deep_heartbeat_answers = on;
        }
        if let Some(on) = upgrades {
            state.hub.upgrades = on;
        }
        ok(&json!({
            "HeartbeatAnswers": state.hub.heartbeat_answers,
            "DeepHeartbeatAnswers": state.hub.deep_heartbeat_answers,
            "WebSocketUpgrades": state.hub.upgrades,
        }))
    }
}

/// The `Code` of a close request: required, an integer a server can send.
fn close_code(request: &Request) -> Result<u16, Reply> {
    let map = body(request)?;
    let code = match map.get("Code") {
        None | Some(Value::Null) => return Err(validation("Code is required")),
        Some(Value::Number(n)) => n.as_u64(),
        Some(_) => return Err(serialization("Code must be an integer")),
    };
    code.and_then(|c| u16::try_from(c).ok())
        .filter(|&c| sendable_close_code(c))
        .ok_or_else(|| validation(CLOSE_CODE_RULE))
}

/// A boolean member; absent or `null` is `None`.
fn boolean(map: &Map<String, Value>, name: &str) -> Result<Option<bool>, Reply> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(serialization(format!("{name} must be true or false"))),
    }
}

fn unknown_path() -> Reply {
    crate::emulator::protocol::not_found(
        "a chat's WebSockets are dropped with POST /emulator/chats/{ContactId}/websockets/drop \
         and closed with POST /emulator/chats/{ContactId}/websockets/close",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_a_server_can_send() {
        for code in [1000, 1001, 1003, 1007, 1011, 1014, 3000, 4000, 4999] {
            assert!(sendable_close_code(code), "{code}");
        }
        for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, u16::MAX] {
            assert!(!sendable_close_code(code), "{code}");
        }
    }
}
