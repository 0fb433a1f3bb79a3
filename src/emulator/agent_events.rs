//! The agent's events: any event of the catalogue (typing, receipts, a participant's
//! comings and goings, the authentication steps, ...) sent into a chat as the service
//! would deliver it, for the Rust API ([`Emulator::agent_sends_event`]) and the control
//! path (`POST /emulator/chats/{ContactId}/events`).
//!
//! [`Emulator::agent_sends_event`]: super::Emulator::agent_sends_event

use serde_json::{Value, json};

use super::RecordedEvent;
use super::chat::{AGENT, ENDED};
use super::control::{AgentError, control_error, live_chat};
use super::http::{Reply, Request};
use super::ids::new_uuid;
use super::protocol::{
    DELIVERED, MAX_CONTENT, MAX_CONTENT_TYPE, READ, TYPING, body, format_time, ok, string,
    validation,
};
use super::service::{NewItem, Service, State};

/// What every event content type starts with: the events path takes events only
/// (messages go through `/messages`).
const EVENT_PREFIX: &str = "application/vnd.amazonaws.connect.event.";

/// What the service makes of receipts, never sent as such.
const METADATA: &str = "application/vnd.amazonaws.connect.event.message.metadata";

/// The authentication steps: the chat's own events, which carry no sender (as
/// [`start_authentication`](super::Emulator::start_authentication)'s).
const AUTHENTICATION_PREFIX: &str = "application/vnd.amazonaws.connect.event.authentication.";

/// The content type and content an event may have: a content type of the catalogue's form
/// within 100 characters, a content of 1 to 16,384 bytes if any.
fn check(content_type: &str, content: Option<&str>) -> Result<(), AgentError> {
    let n = content_type.chars().count();
    if n > MAX_CONTENT_TYPE || !content_type.starts_with(EVENT_PREFIX) || n == EVENT_PREFIX.len() {
        return Err(AgentError::Invalid(format!(
            "ContentType must be an event type, {EVENT_PREFIX}… of at most {MAX_CONTENT_TYPE} \
             characters (a message goes to /messages)"
        )));
    }
    if content_type == METADATA {
        return Err(AgentError::Invalid(
            "receipts reach the chat as message.metadata items: send a message.delivered or \
             message.read event"
                .into(),
        ));
    }
    if content.is_some_and(|c| c.is_empty() || c.len() > MAX_CONTENT) {
        return Err(AgentError::Invalid(format!(
            "Content, if given, must have 1 to {MAX_CONTENT} bytes"
        )));
    }
    Ok(())
}

/// A receipt's `messageId`, from its content as SendEvent takes it.
fn receipt_message_id(content: Option<&str>) -> Result<String, AgentError> {
    content
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .and_then(|v| v.get("messageId")?.as_str().map(str::to_owned))
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            AgentError::Invalid(
                "a delivered or read receipt's Content must be a JSON object with a non-empty \
                 messageId"
                    .into(),
            )
        })
}

impl Service {
    /// The agent sends an event into a chat: (Id, AbsoluteTime). Typing and receipts are
    /// pushed only (a receipt also lands on its message, as SendEvent's do), `chat.ended`
    /// ends the chat, any other lands in the transcript and is pushed.
    pub(super) fn agent_sends_event(
        &self,
        contact_id: &str,
        content_type: &str,
        content: Option<&str>,
    ) -> Result<(String, String), AgentError> {
        check(content_type, content)?;
        let receipt = match content_type {
            DELIVERED | READ => Some(receipt_message_id(content)?),
            _ => None,
        };
        let mut state = self.lock();
        live_chat(&state, contact_id)?;
        let max = self.settings.max_kept_bytes;
        if content_type == TYPING || receipt.is_some() {
            let answer = pushed_only(&mut state, contact_id, content_type, content, receipt);
            state.keep_within(max, Some(contact_id));
            return Ok(answer);
        }
        let item = if content_type == ENDED {
            NewItem::ChatEnded
        } else {
            let sender = (!content_type.starts_with(AUTHENTICATION_PREFIX)).then_some(AGENT);
            NewItem::event(content_type, content.map(str::to_owned), sender)
        };
        let landed = state
            .record_item(contact_id, item, max)
            .ok_or(AgentError::UnknownContact)?;
        if content_type == ENDED {
            // As `end_chat`: every socket saw chat.ended, and is closed.
            state.hub.close(contact_id, None, 1000);
        }
        Ok((landed.id, landed.absolute_time))
    }

    /// `POST /emulator/chats/{ContactId}/events`: the agent sends an event.
    pub(super) fn control_event(
        &self,
        request: &Request,
        contact_id: &str,
    ) -> Result<Reply, Reply> {
        let map = body(request)?;
        let content_type = string(&map, "ContentType")?;
        let content = string(&map, "Content")?;
        let Some(content_type) = content_type else {
            return Err(validation("ContentType is required"));
        };
        self.agent_sends_event(contact_id, &content_type, content.as_deref())
            .map(|(id, time)| ok(&json!({ "AbsoluteTime": time, "Id": id })))
            .map_err(|e| control_error(contact_id, e))
    }
}

/// Typing or a receipt from the agent: pushed to the chat's sockets, kept in no
/// transcript of its own (a receipt lands on its message) and not among the events
/// participants sent (`Emulator::events`).
fn pushed_only(
    state: &mut State,
    contact_id: &str,
    content_type: &str,
    content: Option<&str>,
    receipt: Option<String>,
) -> (String, String) {
    let absolute_time = format_time(state.chats.now());
    if let Some(message_id) = &receipt {
        let read = content_type == READ;
        state
            .chats
            .attach_receipt(contact_id, message_id, AGENT, read, &absolute_time);
    }
    let participant_id = state
        .chats
        .chat(contact_id)
        .map(|c| c.participants[AGENT].id.clone())
        .unwrap_or_default();
    let event = RecordedEvent {
        id: new_uuid(),
        absolute_time,
        content_type: content_type.to_owned(),
        content: content.map(str::to_owned),
        client_token: None,
        contact_id: contact_id.to_owned(),
        participant_id,
    };
    state.push_event(&event, AGENT, receipt.as_deref());
    (event.id, event.absolute_time)
}
