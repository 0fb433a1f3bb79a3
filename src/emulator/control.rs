//! The test's side of a chat, which the real service leaves to StartChatContact and the
//! agent's application: the [`Service`] calls behind [`Emulator`](super::Emulator)'s
//! methods, and the HTTP control path (`/emulator/...`) for a standalone emulator.

use serde_json::{Value, json};

use super::chat::{AGENT, Chat, ItemType, Started};
use super::http::{Reply, Request};
use super::protocol::{
    MAX_CONTENT, MAX_CONTENT_TYPE, body, error_reply, item_json, not_found, ok, string, validation,
};
use super::service::{NewItem, Service, State};

/// Why the agent could not speak.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AgentError {
    /// No such chat (never started, or forgotten to make room).
    UnknownContact,
    /// The chat has ended.
    Ended,
    /// The content or content type is out of limits; says which.
    Invalid(String),
}

/// A chat that is held and on, or why not.
pub(super) fn live_chat<'s>(state: &'s State, contact_id: &str) -> Result<&'s Chat, AgentError> {
    let chat = state
        .chats
        .chat(contact_id)
        .ok_or(AgentError::UnknownContact)?;
    if chat.ended {
        return Err(AgentError::Ended);
    }
    Ok(chat)
}

impl Service {
    /// Starts a chat (as StartChatContact would), within the bounds.
    pub(super) fn start_chat(&self) -> Started {
        let mut state = self.lock();
        let started = state.chats.start_chat();
        state.keep_within(self.settings.max_kept_bytes, Some(&started.contact_id));
        started
    }

    /// Ends a chat with a `chat.ended` event, within the bounds; `false` for an unknown
    /// contact.
    pub(super) fn end_chat(&self, contact_id: &str) -> bool {
        let mut state = self.lock();
        let held = state.chats.chat(contact_id).is_some();
        let max = self.settings.max_kept_bytes;
        // Every socket of the chat sees chat.ended, then is closed: the chat's URLs and
        // tokens are refused from then on.
        if state
            .record_item(contact_id, NewItem::ChatEnded, max)
            .is_some()
        {
            state.hub.close(contact_id, None, 1000);
        }
        held
    }

    /// The agent (or a bot) says something in a chat: (Id, AbsoluteTime). Any content type
    /// of 1 to 100 characters is taken, since the agent's side may send what a customer
    /// may not (interactive messages).
    pub(super) fn agent_says(
        &self,
        contact_id: &str,
        content: &str,
        content_type: &str,
    ) -> Result<(String, String), AgentError> {
        check_message(content, content_type)?;
        let mut state = self.lock();
        live_chat(&state, contact_id)?;
        let item = NewItem::Item {
            kind: ItemType::Message,
            content_type,
            content: Some(content.to_owned()),
            sender: Some(AGENT),
            client_token: None,
        };
        let landed = state
            .record_item(contact_id, item, self.settings.max_kept_bytes)
            .ok_or(AgentError::UnknownContact)?;
        Ok((landed.id, landed.absolute_time))
    }

    /// The control path: every route of [`control_routes`], named in [`CONTROL_PATHS`].
    /// `rest` is the path after `/emulator/`.
    pub(super) fn control(&self, request: &Request, rest: &str) -> Reply {
        // A path of no route is answered with the help, before any is served: so every
        // path served is one the help names.
        if !control_routes().any(|route| route_matches(route, rest)) {
            return not_found(CONTROL_PATHS);
        }
        let parts: Vec<&str> = rest.splitn(4, '/').collect();
        if let ["chats", contact_id, "transcript"] = parts.as_slice() {
            if request.method != "GET" {
                return not_found(&format!("the transcript is read with GET; {CONTROL_PATHS}"));
            }
            let state = self.lock();
            let Some(chat) = state.chats.chat(contact_id) else {
                return unknown_chat(contact_id);
            };
            // The whole kept transcript, oldest first: what the agent's side sees, also
            // after the customer's tokens are refused.
            let items: Vec<Value> = chat.items.iter().map(|i| item_json(chat, i)).collect();
            return ok(&json!({ "InitialContactId": chat.contact_id, "Transcript": items }));
        }
        if request.method != "POST" {
            return not_found(CONTROL_PATHS);
        }
        // A JSON content type makes a browser ask first (a CORS preflight), so an HTML form
        // or a simple cross-site request cannot start, speak in or end a chat unasked.
        let json_body = request.header("content-type").is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
        if !json_body {
            return error_reply(
                415,
                "UnsupportedMediaTypeException",
                "the control path takes POSTs with Content-Type: application/json only",
            );
        }
        match parts.as_slice() {
            ["chats"] => self.control_start(request).unwrap_or_else(|e| e),
            ["chats", contact_id, "messages"] => self
                .control_message(request, contact_id)
                .unwrap_or_else(|e| e),
            ["chats", contact_id, "events"] => self
                .control_event(request, contact_id)
                .unwrap_or_else(|e| e),
            #[cfg(feature = "websocket")]
            ["chats", contact_id, "participants"] => self
                .control_participant(request, contact_id)
                .unwrap_or_else(|e| e),
            #[cfg(feature = "websocket")]
            ["chats", contact_id, "websockets", action] => {
                self.control_websockets(request, contact_id, action)
            }
            ["settings"] => self.control_settings(request).unwrap_or_else(|e| e),
            ["faults"] => self.control_faults(request).unwrap_or_else(|e| e),
            ["clock"] => self.control_clock(request).unwrap_or_else(|e| e),
            ["tokens", "revoke"] => self.control_revoke(request).unwrap_or_else(|e| e),
            ["views"] => self.control_view(request).unwrap_or_else(|e| e),
            ["chats", contact_id, "authentication"] => self
                .control_authentication(request, contact_id)
                .unwrap_or_else(|e| e),
            ["chats", contact_id, "end"] => {
                if self.end_chat(contact_id) {
                    ok(&json!({}))
                } else {
                    unknown_chat(contact_id)
                }
            }
            _ => not_found(CONTROL_PATHS),
        }
    }

    /// `POST /emulator/chats/{ContactId}/messages`: the agent speaks (several messages
    /// pushed in another order, with `Messages` and `Order`: see `out_of_order.rs`).
    fn control_message(&self, request: &Request, contact_id: &str) -> Result<Reply, Reply> {
        let map = body(request)?;
        if map.contains_key("Messages") {
            return self.control_out_of_order(&map, contact_id);
        }
        let content = string(&map, "Content")?;
        let content_type = string(&map, "ContentType")?;
        let (Some(content), Some(content_type)) = (content, content_type) else {
            return Err(validation("Content and ContentType are required"));
        };
        self.agent_says(contact_id, &content, &content_type)
            .map(|(id, time)| ok(&json!({ "AbsoluteTime": time, "Id": id })))
            .map_err(|e| control_error(contact_id, e))
    }
}

/// What the agent may say: any content type of 1 to 100 characters, since the agent's side
/// may send what a customer may not (interactive messages), and a content of 1 to 16,384
/// bytes, a template if the message is interactive.
pub(super) fn check_message(content: &str, content_type: &str) -> Result<(), AgentError> {
    let invalid = |member: &str, min: usize, max: usize, unit: &str| {
        AgentError::Invalid(format!("{member} must have {min} to {max} {unit}"))
    };
    let n = content_type.chars().count();
    if n == 0 || n > MAX_CONTENT_TYPE {
        return Err(invalid("ContentType", 1, MAX_CONTENT_TYPE, "characters"));
    }
    if content.is_empty() || content.len() > MAX_CONTENT {
        return Err(invalid("Content", 1, MAX_CONTENT, "bytes"));
    }
    if content_type == INTERACTIVE && !is_template(content) {
        return Err(AgentError::Invalid(
            "an interactive message's Content must be a JSON object with a string \
             templateType"
                .into(),
        ));
    }
    Ok(())
}

/// The content type of an interactive message (a bot's template).
const INTERACTIVE: &str = "application/vnd.amazonaws.connect.message.interactive";

/// Whether an interactive message's content is a template: a JSON object with a string
/// `templateType`, which every client reads first.
fn is_template(content: &str) -> bool {
    serde_json::from_str::<Value>(content)
        .is_ok_and(|v| v.get("templateType").is_some_and(Value::is_string))
}

/// The control path's 404 help: every path it serves.
#[cfg(not(feature = "websocket"))]
const CONTROL_PATHS: &str = "the control path serves POST /emulator/chats, \
     /emulator/chats/{ContactId}/messages (one message, or several pushed out of order: \
     {\"Messages\":[…],\"Order\":[…]}), /emulator/chats/{ContactId}/events, \
     /emulator/chats/{ContactId}/end, /emulator/chats/{ContactId}/authentication, \
     /emulator/faults, /emulator/clock, /emulator/settings, /emulator/tokens/revoke, \
     /emulator/views and GET /emulator/chats/{ContactId}/transcript";
/// The control path's 404 help: every path it serves.
#[cfg(feature = "websocket")]
const CONTROL_PATHS: &str = "the control path serves POST /emulator/chats, \
     /emulator/chats/{ContactId}/messages (one message, or several pushed out of order: \
     {\"Messages\":[…],\"Order\":[…]}), /emulator/chats/{ContactId}/events, \
     /emulator/chats/{ContactId}/end, /emulator/chats/{ContactId}/authentication, \
     /emulator/chats/{ContactId}/participants, \
     /emulator/chats/{ContactId}/websockets/drop, /emulator/chats/{ContactId}/websockets/close, \
     /emulator/faults, /emulator/clock, /emulator/settings, /emulator/tokens/revoke, \
     /emulator/views and GET /emulator/chats/{ContactId}/transcript";

/// Every path the control path serves (after `/emulator/`; `{…}` is any non-empty
/// segment), each named in [`CONTROL_PATHS`]: a path that matches none is answered with
/// the help. The WebSocket's own are served with the `websocket` feature only.
pub(super) fn control_routes() -> impl Iterator<Item = &'static str> {
    const ROUTES: &[&str] = &[
        "chats",
        "chats/{ContactId}/messages",
        "chats/{ContactId}/events",
        "chats/{ContactId}/end",
        "chats/{ContactId}/transcript",
        "chats/{ContactId}/authentication",
        "faults",
        "clock",
        "settings",
        "tokens/revoke",
        "views",
    ];
    const WEBSOCKET_ROUTES: &[&str] = &[
        "chats/{ContactId}/participants",
        "chats/{ContactId}/websockets/drop",
        "chats/{ContactId}/websockets/close",
    ];
    let websocket: &[&str] = if cfg!(feature = "websocket") {
        WEBSOCKET_ROUTES
    } else {
        &[]
    };
    ROUTES.iter().chain(websocket).copied()
}

/// Whether `rest` (a path after `/emulator/`) is `route`'s.
fn route_matches(route: &str, rest: &str) -> bool {
    let mut asked = rest.split('/');
    let whole = route.split('/').all(|part| match asked.next() {
        Some(seg) if part.starts_with('{') => !seg.is_empty(),
        Some(seg) => seg == part,
        None => false,
    });
    whole && asked.next().is_none()
}

/// What the control path answers for a change the chat refused.
pub(super) fn control_error(contact_id: &str, e: AgentError) -> Reply {
    match e {
        AgentError::UnknownContact => unknown_chat(contact_id),
        AgentError::Ended => validation("the chat has ended"),
        AgentError::Invalid(m) => validation(m),
    }
}

pub(super) fn unknown_chat(contact_id: &str) -> Reply {
    // The id is echoed as JSON (escaped), never as a header.
    not_found(&unknown_contact_message(contact_id))
}

/// What the control path says of a contact it does not hold.
pub(super) fn unknown_contact_message(contact_id: &str) -> String {
    format!("no chat with ContactId {contact_id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::service::small_service;

    /// A request to the control path, with a JSON body.
    fn request(method: &str, path: &str, body: &str) -> Request {
        Request {
            method: method.into(),
            path: path.into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            close: false,
        }
    }

    #[test]
    fn the_404_help_names_every_path_the_control_path_serves() {
        let service = small_service();
        let help = not_found(CONTROL_PATHS).body;
        for route in control_routes() {
            let path = format!("/emulator/{route}");
            assert!(CONTROL_PATHS.contains(&path), "the help leaves out {path}");
            // Served: answered with something other than the help, for a chat held.
            let contact_id = service.start_chat().contact_id;
            let path = path.replace("{ContactId}", &contact_id);
            let method = if route.ends_with("transcript") {
                "GET"
            } else {
                "POST"
            };
            let body = r#"{"Content":"hi","ContentType":"text/plain"}"#;
            let reply = service.handle(&request(method, &path, body));
            assert!(reply.body != help, "{method} {path} is not served");
        }
        // Anything else is answered with the help: a route's path with more or less.
        for rest in [
            "",
            "chat",
            "chats/",
            "chats//end",
            "chats/x/end/more",
            "chats/x",
            "chats/x/websockets/open",
            "chats/x/websockets",
            "settings/x",
            "tokens",
            "tokens/revoke/x",
            "clock/x",
            "faults/x",
            "views/x",
            "chats/x/authentication/x",
            "uploads",
        ] {
            let reply = service.handle(&request("POST", &format!("/emulator/{rest}"), "{}"));
            assert_eq!(reply.status, 404, "/emulator/{rest}");
            assert!(reply.body == help, "/emulator/{rest}: not the help");
        }
    }
}
