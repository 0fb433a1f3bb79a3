//! What the test adds to a chat beyond the agent's messages, all of it for the WebSocket
//! side: participants (bots), events of any type, and streamed bot messages.

use serde_json::{Value, json};

use crate::emulator::chat::{AGENT, ItemType, JOINED, MAX_PARTICIPANTS};
use crate::emulator::control::{AgentError, control_error, live_chat};
use crate::emulator::http::{Reply, Request};
use crate::emulator::protocol::{MAX_CONTENT, MAX_CONTENT_TYPE, body, ok, string, validation};
use crate::emulator::service::{NewItem, Service};

/// The longest streamed message: as many chunks as this.
const MAX_CHUNKS: usize = 1000;

/// The bounds a chat's added participants and events meet.
fn check_len(value: &str, member: &str, max: usize) -> Result<(), AgentError> {
    let n = value.chars().count();
    if n == 0 || n > max {
        return Err(AgentError::Invalid(format!(
            "{member} must have 1 to {max} characters"
        )));
    }
    Ok(())
}

impl Service {
    /// Adds a participant to a chat, with a `participant.joined` item (transcript and
    /// push): (participant id, participant token).
    pub(super) fn add_participant(
        &self,
        contact_id: &str,
        role: &str,
        display_name: &str,
    ) -> Result<(String, String), AgentError> {
        check_len(role, "ParticipantRole", MAX_CONTENT_TYPE)?;
        check_len(display_name, "DisplayName", 256)?;
        let mut state = self.lock();
        live_chat(&state, contact_id)?;
        let (who, token) = state
            .chats
            .add_participant(contact_id, role, display_name)
            .ok_or_else(|| {
                AgentError::Invalid(format!(
                    "a chat holds at most {MAX_PARTICIPANTS} participants"
                ))
            })?;
        let joined = NewItem::event(JOINED, None, Some(who));
        state.record_item(contact_id, joined, self.settings.max_kept_bytes);
        let id = live_chat(&state, contact_id)?.participants[who].id.clone();
        Ok((id, token))
    }

    /// An `EVENT` item of this content type from the agent, into the transcript and
    /// pushed: its `Id`.
    pub(super) fn add_event(
        &self,
        contact_id: &str,
        content_type: &str,
    ) -> Result<String, AgentError> {
        check_len(content_type, "ContentType", MAX_CONTENT_TYPE)?;
        let mut state = self.lock();
        live_chat(&state, contact_id)?;
        let item = NewItem::event(content_type, None, Some(AGENT));
        let landed = state
            .record_item(contact_id, item, self.settings.max_kept_bytes)
            .ok_or(AgentError::UnknownContact)?;
        Ok(landed.id)
    }

    /// A streamed bot message: its chunks pushed, then the completed whole, which alone
    /// lands in the transcript. Its `Id`.
    pub(super) fn bot_says_chunked(
        &self,
        contact_id: &str,
        chunks: &[&str],
    ) -> Result<String, AgentError> {
        if chunks.is_empty() || chunks.len() > MAX_CHUNKS {
            return Err(AgentError::Invalid(format!(
                "a streamed message has 1 to {MAX_CHUNKS} chunks"
            )));
        }
        let whole: String = chunks.concat();
        if whole.is_empty() || whole.len() > MAX_CONTENT {
            return Err(AgentError::Invalid(format!(
                "the chunks together must have 1 to {MAX_CONTENT} bytes"
            )));
        }
        let mut state = self.lock();
        let chat = live_chat(&state, contact_id)?;
        // The bot is a participant of its own (role SYSTEM, as the service shows Lex),
        // added at its first message without a joined item.
        let bot = chat
            .participants
            .iter()
            .position(|p| p.role == "SYSTEM" && p.display_name == "BOT");
        let bot = match bot {
            Some(b) => b,
            None => {
                state
                    .chats
                    .add_participant(contact_id, "SYSTEM", "BOT")
                    .ok_or_else(|| {
                        AgentError::Invalid(format!(
                            "a chat holds at most {MAX_PARTICIPANTS} participants"
                        ))
                    })?
                    .0
            }
        };
        // Not `record_item` in one go: the chunks, which name the whole's Id and time,
        // must reach the sockets before the whole does.
        let whole = NewItem::Item {
            kind: ItemType::Message,
            content_type: "text/plain",
            content: Some(whole),
            sender: Some(bot),
            client_token: None,
        };
        let landed = state
            .add_item(contact_id, whole)
            .ok_or(AgentError::UnknownContact)?;
        let (id, time) = (&landed.id, &landed.absolute_time);
        let chat = state
            .chats
            .chat_mut(contact_id)
            .ok_or(AgentError::UnknownContact)?;
        if let Some(last) = chat.items.back_mut() {
            last.completed = true;
        }
        let p = &chat.participants[bot];
        let chunk_items: Vec<Value> = chunks
            .iter()
            .enumerate()
            .map(|(n, chunk)| {
                json!({
                    "AbsoluteTime": time,
                    "Content": chunk,
                    "ContentType": "text/plain",
                    "Id": id,
                    "Type": "MESSAGE",
                    "ParticipantId": p.id,
                    "DisplayName": p.display_name,
                    "ParticipantRole": p.role,
                    "ContactId": contact_id,
                    "MessageMetadata": { "MessageCompleted": false, "ChunkNumber": n + 1 },
                })
            })
            .collect();
        for item in chunk_items {
            state.push_value(contact_id, item);
        }
        state.push_and_trim(contact_id, Some(&landed), self.settings.max_kept_bytes);
        Ok(landed.id)
    }

    /// `POST /emulator/chats/{ContactId}/participants` on the control path: a
    /// participant added as [`add_participant`](Self::add_participant) adds it.
    pub(in crate::emulator) fn control_participant(
        &self,
        request: &Request,
        contact_id: &str,
    ) -> Result<Reply, Reply> {
        let map = body(request)?;
        let role = string(&map, "ParticipantRole")?;
        let name = string(&map, "DisplayName")?;
        let (Some(role), Some(name)) = (role, name) else {
            return Err(validation("ParticipantRole and DisplayName are required"));
        };
        self.add_participant(contact_id, &role, &name)
            .map(|(id, token)| ok(&json!({ "ParticipantId": id, "ParticipantToken": token })))
            .map_err(|e| control_error(contact_id, e))
    }
}
