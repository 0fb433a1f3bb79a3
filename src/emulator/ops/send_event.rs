//! SendEvent: typing, receipts and acknowledgements, kept in the event record; a receipt
//! also lands on its message in the transcript.

use serde_json::{Value, json};

use super::{ContentMembers, content_members};
use crate::emulator::RecordedEvent;
use crate::emulator::chat::Chat;
use crate::emulator::http::{Reply, Request};
use crate::emulator::ids::new_uuid;
use crate::emulator::protocol::{
    DELIVERED, MAX_CONTENT, READ, TYPING, chars_within, denied, error_reply, fingerprint,
    format_time, ok, validation,
};
use crate::emulator::service::{Service, State};

const ACKNOWLEDGED: &str = "application/vnd.amazonaws.connect.event.connection.acknowledged";
/// What SendEvent takes: the four documented event types.
const EVENT_TYPES: [&str; 4] = [TYPING, DELIVERED, READ, ACKNOWLEDGED];

pub(in crate::emulator) fn handle(service: &Service, request: &Request) -> Result<Reply, Reply> {
    let ContentMembers {
        token,
        content_type,
        content,
        client_token,
    } = content_members(request)?;
    if !EVENT_TYPES.contains(&content_type.as_str()) {
        return Err(validation(format!(
            "1 validation error detected: Value '{content_type}' at 'contentType' failed \
             to satisfy constraint: Member must be an event type SendEvent supports: {}",
            EVENT_TYPES.join(", ")
        )));
    }
    if let Some(c) = &content {
        chars_within(c, "content", 1, MAX_CONTENT)?;
    }
    let is_receipt = content_type == DELIVERED || content_type == READ;
    let message_id = if is_receipt {
        Some(receipt_message_id(content.as_deref())?)
    } else {
        None
    };

    let mut state = service.lock();
    let (contact_id, who) = Service::connected(&state, token)?;
    if is_receipt {
        receipts_taken(&state, &contact_id)?;
    }
    // A retry is the same token with the same request; chatjs sends every receipt of a
    // kind with one token, each a new event.
    let print = fingerprint((&content_type, &content));
    let key = client_token
        .clone()
        .map(|k| (contact_id.clone(), who, k, print));
    let earlier = key.as_ref().and_then(|k| state.event_number(k));
    let number = match earlier.filter(|&n| state.is_event(n, &content_type, &content)) {
        Some(n) => n,
        None => {
            let now = state.chats.now();
            let absolute_time = format_time(now);
            // A receipt lands on its message in the transcript (as MessageMetadata);
            // one for a message the transcript does not hold is accepted and kept in
            // `events()` only.
            if let Some(id) = &message_id {
                let read = content_type == READ;
                state
                    .chats
                    .attach_receipt(&contact_id, id, who, read, &absolute_time);
            }
            let Some(chat) = state.chats.chat(&contact_id) else {
                return Err(denied());
            };
            let event = RecordedEvent {
                id: new_uuid(),
                absolute_time,
                content_type,
                content,
                client_token,
                contact_id: contact_id.clone(),
                participant_id: chat.participants[who].id.clone(),
            };
            // What the chat's WebSockets see of it: typing and receipts, which the
            // transcript does not keep as items of their own.
            state.push_event(&event, who, message_id.as_deref());
            let max = service.settings.max_events;
            let number = state.record(event, key, max);
            state.keep_within(service.settings.max_kept_bytes, Some(&contact_id));
            number
        }
    };
    let Some(event) = state.event(number) else {
        return Err(denied());
    };
    Ok(ok(
        &json!({ "AbsoluteTime": event.absolute_time, "Id": event.id }),
    ))
}

/// A 409 `ConflictException` if the chat takes no receipts: more than two participants
/// are in it, or the test said so (a supervisor barged in:
/// [`set_receipts_conflict`](crate::emulator::Emulator::set_receipts_conflict)).
fn receipts_taken(state: &State, contact_id: &str) -> Result<(), Reply> {
    let takes = state
        .chats
        .chat(contact_id)
        .is_some_and(Chat::takes_receipts);
    if takes && !state.receipts_conflict {
        return Ok(());
    }
    Err(error_reply(
        409,
        "ConflictException",
        "Receipts are not available: more than two participants or a supervisor barged in",
    ))
}

/// The `messageId` a delivered or read receipt's `Content` names: a JSON object with a
/// non-empty one, else the receipt is refused.
fn receipt_message_id(content: Option<&str>) -> Result<String, Reply> {
    content
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .and_then(|v| {
            v.get("messageId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            validation(
                "1 validation error detected: Value at 'content' failed to satisfy \
                 constraint: Member must be a JSON object with a non-empty messageId for \
                 a delivered or read receipt",
            )
        })
}
