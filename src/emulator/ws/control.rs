//! The control path's WebSocket paths, for a standalone emulator (the same as the
//! [`Emulator`](crate::emulator::Emulator) methods in `api`): drop or close a chat's
//! sockets, and mute the answers to heartbeats.

use serde_json::{Map, Value, json};

use super::Hub;
use crate::emulator::control::unknown_chat;
use crate::emulator::http::{Reply, Request};
use crate::emulator::protocol::{body, not_found, ok, serialization, string, validation};
use crate::emulator::remote::only;
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
    /// `.../websockets/close` with `{"Code": n}`, of every participant or, with
    /// `"ParticipantId"`, of one: `{"WebSockets": how many}`.
    pub(in crate::emulator) fn control_websockets(
        &self,
        request: &Request,
        contact_id: &str,
        action: &str,
    ) -> Reply {
        let (code, participant) = match sockets_request(request, action) {
            Ok(asked) => asked,
            Err(reply) => return reply,
        };
        let n = {
            let mut state = self.lock();
            let Some(chat) = state.chats.chat(contact_id) else {
                return unknown_chat(contact_id);
            };
            let who = match participant {
                None => None,
                Some(id) => match chat.participants.iter().position(|p| p.id == id) {
                    Some(who) => Some(who),
                    None => {
                        return not_found(&format!(
                            "the chat {contact_id} has no participant with ParticipantId {id}"
                        ));
                    }
                },
            };
            match code {
                None => state.hub.drop_sockets(contact_id, who),
                Some(code) => state.hub.close(contact_id, who, code),
            }
        };
        self.shared.changed.notify_all();
        ok(&json!({ "WebSockets": n }))
    }
}

/// What a `websockets/drop` or `websockets/close` body asks: the close code (none for a
/// drop) and the participant, if one.
fn sockets_request(
    request: &Request,
    action: &str,
) -> Result<(Option<u16>, Option<String>), Reply> {
    let map = body(request)?;
    let code = match action {
        "drop" => {
            only(
                &map,
                &["ParticipantId"],
                "POST /emulator/chats/{ContactId}/websockets/drop",
            )?;
            None
        }
        "close" => {
            only(
                &map,
                &["Code", "ParticipantId"],
                "POST /emulator/chats/{ContactId}/websockets/close",
            )?;
            Some(close_code(&map)?)
        }
        _ => return Err(unknown_path()),
    };
    let participant = string(&map, "ParticipantId")?;
    if participant.as_deref().is_some_and(str::is_empty) {
        return Err(validation("ParticipantId must not be empty"));
    }
    Ok((code, participant))
}

/// The WebSocket switches of a `POST /emulator/settings` body: each `None` if left out.
pub(in crate::emulator) struct Switches {
    heartbeat: Option<bool>,
    deep: Option<bool>,
    upgrades: Option<bool>,
}

/// Reads the WebSocket switches of a settings body: `true`, `false`, or left out.
pub(in crate::emulator) fn switches(map: &Map<String, Value>) -> Result<Switches, Reply> {
    Ok(Switches {
        heartbeat: boolean(map, "HeartbeatAnswers")?,
        deep: boolean(map, "DeepHeartbeatAnswers")?,
        upgrades: boolean(map, "WebSocketUpgrades")?,
    })
}

impl Switches {
    /// Sets those given on the hub, and writes all three as they are now into `answer`.
    pub(in crate::emulator) fn apply(self, hub: &mut Hub, answer: &mut Map<String, Value>) {
        if let Some(on) = self.heartbeat {
            hub.heartbeat_answers = on;
        }
        if let Some(on) = self.deep {
            hub.deep_heartbeat_answers = on;
        }
        if let Some(on) = self.upgrades {
            hub.upgrades = on;
        }
        answer.insert("HeartbeatAnswers".into(), json!(hub.heartbeat_answers));
        answer.insert(
            "DeepHeartbeatAnswers".into(),
            json!(hub.deep_heartbeat_answers),
        );
        answer.insert("WebSocketUpgrades".into(), json!(hub.upgrades));
    }
}

/// The `Code` of a close request: required, an integer a server can send.
fn close_code(map: &Map<String, Value>) -> Result<u16, Reply> {
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
    not_found(
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
