//! CreateParticipantConnection: a participant token in, a connection token and (for
//! `WEBSOCKET`) the URL of the chat's WebSocket out.

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::emulator::chat::later;
use crate::emulator::http::{Reply, Request};
use crate::emulator::ids::random_bytes;
use crate::emulator::protocol::{
    WEBSOCKET_PATH, bearer, body, denied, enum_value, format_time, ok, serialization, validation,
};
use crate::emulator::service::Service;

/// How long a WebSocket URL may wait to be opened (`Websocket.ConnectionExpiry`).
const WEBSOCKET_URL_LIFETIME: Duration = Duration::from_secs(100);

pub(in crate::emulator) fn handle(service: &Service, request: &Request) -> Result<Reply, Reply> {
    let token = bearer(request, "participantToken")?;
    let map = body(request)?;
    let types = connection_types(&map)?;
    // `ConnectParticipant` is checked for its type and changes nothing: the emulator has
    // no notion of a participant being connected beyond its tokens.
    if !matches!(
        map.get("ConnectParticipant"),
        None | Some(Value::Null | Value::Bool(_))
    ) {
        return Err(serialization("ConnectParticipant must be a boolean"));
    }

    let mut state = service.lock();
    let Ok((contact_id, who)) = state.chats.by_participant_token(token) else {
        return Err(denied());
    };
    // Without `Type` the emulator answers credentials alone: what a client needs to
    // make further calls (the service's answer is not documented).
    let wants = |t: &str| types.as_ref().is_none_or(|list| list.contains(&t));
    let wants_websocket = types
        .as_ref()
        .is_some_and(|list| list.contains(&"WEBSOCKET"));
    let mut out = Map::new();
    if wants("CONNECTION_CREDENTIALS") {
        let Some((connection_token, expiry)) = state.chats.issue(&contact_id, who) else {
            return Err(denied());
        };
        out.insert(
            "ConnectionCredentials".into(),
            json!({ "ConnectionToken": connection_token, "Expiry": format_time(expiry) }),
        );
    }
    if wants_websocket {
        let now = state.chats.now();
        let expiry = later(now, WEBSOCKET_URL_LIFETIME);
        // A secret of its own rather than the connection token: the URL ends up in logs.
        // Hex, so that it needs no escaping in a path.
        let mut secret = [0u8; 32];
        random_bytes(&mut secret);
        let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        // Bound to this participant until `expiry`; without the `websocket` feature the
        // URL is answered all the same, and nothing serves it.
        state.hub.issue_url(&secret, &contact_id, who, expiry, now);
        let url = format!("ws://{}{WEBSOCKET_PATH}{secret}", service.authority);
        out.insert(
            "Websocket".into(),
            json!({ "ConnectionExpiry": format_time(expiry), "Url": url }),
        );
    }
    Ok(ok(&Value::Object(out)))
}

/// The `Type` member: absent, or a non-empty list of the three documented types.
fn connection_types(map: &Map<String, Value>) -> Result<Option<Vec<&str>>, Reply> {
    match map.get("Type") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(list)) => {
            let mut types = Vec::with_capacity(list.len().min(3));
            for v in list {
                let Some(s) = v.as_str() else {
                    return Err(serialization("Type must be a list of strings"));
                };
                const ALLOWED: [&str; 3] =
                    ["WEBSOCKET", "CONNECTION_CREDENTIALS", "WEBRTC_CONNECTION"];
                if !ALLOWED.contains(&s) {
                    return Err(enum_value("type", s, &ALLOWED));
                }
                types.push(s);
            }
            if types.is_empty() {
                return Err(validation(
                    "1 validation error detected: Value '[]' at 'type' failed to satisfy \
                     constraint: Member must have length greater than or equal to 1",
                ));
            }
            Ok(Some(types))
        }
        Some(_) => Err(serialization("Type must be a list of strings")),
    }
}
