//! SendMessage: a customer's message into the transcript, once per client token.

use serde_json::json;

use super::{ContentMembers, content_members};
use crate::emulator::chat::ItemType;
use crate::emulator::http::{Reply, Request};
use crate::emulator::protocol::{MAX_CONTENT, denied, length, null_member, ok, validation};
use crate::emulator::service::{NewItem, Service};

/// What a customer may SendMessage: the four types the service documents for it.
const MESSAGE_TYPES: [&str; 4] = [
    "text/plain",
    "text/markdown",
    "application/json",
    "application/vnd.amazonaws.connect.message.interactive.response",
];

pub(in crate::emulator) fn handle(service: &Service, request: &Request) -> Result<Reply, Reply> {
    let ContentMembers {
        token,
        content_type,
        content,
        client_token,
    } = content_members(request)?;
    let Some(content) = content else {
        return Err(null_member("content"));
    };
    // The newest model documents the limit in bytes, which is the stricter reading.
    if content.is_empty() || content.len() > MAX_CONTENT {
        return Err(length("content", 1, MAX_CONTENT));
    }
    if !MESSAGE_TYPES.contains(&content_type.as_str()) {
        return Err(validation(format!(
            "1 validation error detected: Value '{content_type}' at 'contentType' failed \
             to satisfy constraint: Member must be a content type this contact supports: \
             {}",
            MESSAGE_TYPES.join(", ")
        )));
    }

    let mut state = service.lock();
    let (contact_id, who) = Service::connected(&state, token)?;
    let Some(chat) = state.chats.chat(&contact_id) else {
        return Err(denied());
    };
    // A retry: the message it sent first, not a second one.
    if let Some(item) = client_token
        .as_deref()
        .and_then(|t| chat.message_by_client_token(who, t, &content_type, &content))
    {
        return Ok(ok(
            &json!({ "AbsoluteTime": item.absolute_time, "Id": item.id }),
        ));
    }
    let item = NewItem::Item {
        kind: ItemType::Message,
        content_type: &content_type,
        content: Some(content),
        sender: Some(who),
        client_token,
    };
    let max = service.settings.max_kept_bytes;
    let Some(landed) = state.record_item(&contact_id, item, max) else {
        return Err(denied());
    };
    Ok(ok(
        &json!({ "AbsoluteTime": landed.absolute_time, "Id": landed.id }),
    ))
}
