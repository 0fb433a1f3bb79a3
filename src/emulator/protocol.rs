//! The service's restJson1 protocol: its answers and errors, the readers of a request's
//! members with the model's checks, and a transcript item as JSON.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::SystemTime;

use serde_json::{Map, Value, json};

use super::chat::{Chat, Item, ItemType};
use super::http::{Reply, Request};

pub(super) const TYPING: &str = "application/vnd.amazonaws.connect.event.typing";
pub(super) const DELIVERED: &str = "application/vnd.amazonaws.connect.event.message.delivered";
pub(super) const READ: &str = "application/vnd.amazonaws.connect.event.message.read";

/// `ChatContent`: 1 to 16384 (characters for events, UTF-8 bytes for messages).
pub(super) const MAX_CONTENT: usize = 16384;
/// `ChatContentType`: 1 to 100 characters.
pub(super) const MAX_CONTENT_TYPE: usize = 100;
/// `ClientToken`: 0 to 500 characters.
pub(super) const MAX_CLIENT_TOKEN: usize = 500;
/// `ParticipantToken`, the shape of both bearer tokens: 1 to 1000 characters.
const MAX_TOKEN: usize = 1000;
/// `ContactId`, `ChatItemId`: 1 to 256 characters.
pub(super) const MAX_ID: usize = 256;
/// Where WebSocket URLs live: this, then the URL's secret. CreateParticipantConnection
/// hands them out in every build; only the `websocket` feature serves them.
pub(super) const WEBSOCKET_PATH: &str = "/participant/ws/";

/// A restJson1 service error: HTTP `status`, `X-Amzn-Errortype`, `{"message": message}`.
pub(super) fn error_reply(status: u16, error_type: &str, message: &str) -> Reply {
    Reply {
        status,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Amzn-Errortype".into(), error_type.into()),
        ],
        body: json!({ "message": message }).to_string().into_bytes(),
    }
}

pub(super) fn validation(message: impl Into<String>) -> Reply {
    error_reply(400, "ValidationException", &message.into())
}

pub(super) fn serialization(message: impl Into<String>) -> Reply {
    error_reply(400, "SerializationException", &message.into())
}

/// The service's answer to a token it does not honour (unknown, expired, revoked, of a
/// participant who left or of an ended chat): the body does not say which.
pub(super) fn denied() -> Reply {
    error_reply(403, "AccessDeniedException", "Access denied")
}

pub(super) fn ok(body: &Value) -> Reply {
    Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

pub(super) fn not_found(message: &str) -> Reply {
    error_reply(404, "ResourceNotFoundException", message)
}

pub(super) fn null_member(member: &str) -> Reply {
    validation(format!(
        "1 validation error detected: Value null at '{member}' failed to satisfy constraint: \
         Member must not be null"
    ))
}

pub(super) fn length(member: &str, min: usize, max: usize) -> Reply {
    let rule = if min == 0 {
        format!("Member must have length less than or equal to {max}")
    } else {
        format!("Member must have length between {min} and {max}")
    };
    validation(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: {rule}"
    ))
}

fn range(member: &str, max: u64) -> Reply {
    validation(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: \
         Member must have value between 0 and {max}"
    ))
}

pub(super) fn enum_value(member: &str, value: &str, allowed: &[&str]) -> Reply {
    validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy \
         constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    ))
}

/// Checks a length counted in characters (Smithy's rule) against `min..=max`.
pub(super) fn chars_within(value: &str, member: &str, min: usize, max: usize) -> Result<(), Reply> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(length(member, min, max));
    }
    Ok(())
}

/// The JSON body as an object; an empty body is an input with no members.
pub(super) fn body(request: &Request) -> Result<Map<String, Value>, Reply> {
    if request.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&request.body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(serialization("the body is not a JSON object")),
    }
}

/// A string member; `null` is absent, another type is a SerializationException.
pub(super) fn string(map: &Map<String, Value>, name: &str) -> Result<Option<String>, Reply> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(serialization(format!("{name} must be a string"))),
    }
}

/// An integer member (0 or more: the model's integers here are never negative, and a
/// negative value is a range error, as the service says it).
pub(super) fn integer(
    map: &Map<String, Value>,
    name: &str,
    member: &str,
    max: u64,
) -> Result<Option<u64>, Reply> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_i64()) {
            (Some(v), _) if v <= max => Ok(Some(v)),
            (Some(_), _) | (None, Some(_)) => Err(range(member, max)),
            (None, None) => Err(serialization(format!("{name} must be an integer"))),
        },
        Some(_) => Err(serialization(format!("{name} must be an integer"))),
    }
}

/// The bearer token, checked as the model checks `ParticipantToken` (`member` names it).
pub(super) fn bearer<'r>(request: &'r Request, member: &str) -> Result<&'r str, Reply> {
    let Some(token) = request.header("x-amz-bearer") else {
        return Err(null_member(member));
    };
    chars_within(token, member, 1, MAX_TOKEN)?;
    Ok(token)
}

/// The optional `ClientToken`, 0 to 500 characters. An empty one is taken as none: the
/// model allows `""`, but as a key it would make every call sent with it one and the same.
pub(super) fn client_token(map: &Map<String, Value>) -> Result<Option<String>, Reply> {
    let token = string(map, "ClientToken")?;
    if let Some(t) = &token {
        chars_within(t, "clientToken", 0, MAX_CLIENT_TOKEN)?;
    }
    Ok(token.filter(|t| !t.is_empty()))
}

/// A request's members that matter to idempotency, hashed: a client token names a retry
/// only of the same request. The service evidently keys it so: chatjs sends every read
/// receipt with the one `ClientToken` "INCOMING_READ_RECEIPT", and each is recorded. A
/// key holding the hash is checked against what it found, so that a collision is a new
/// request, never the answer to another one.
pub(super) fn fingerprint(members: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    members.hash(&mut hasher);
    hasher.finish()
}

pub(super) fn format_time(t: SystemTime) -> String {
    crate::Timestamp::from_system_time(t).as_str().to_owned()
}

/// An item as GetTranscript writes it: every member that applies, none as `null`.
pub(super) fn item_json(chat: &Chat, item: &Item) -> Value {
    let mut m = Map::new();
    m.insert("AbsoluteTime".into(), json!(item.absolute_time));
    if let Some(c) = &item.content {
        m.insert("Content".into(), json!(c));
    }
    // An attachment has no content type of its own: its file's is in `Attachments`.
    if item.kind != ItemType::Attachment {
        m.insert("ContentType".into(), json!(item.content_type));
    }
    m.insert("Id".into(), json!(item.id));
    m.insert("Type".into(), json!(item.kind.as_str()));
    if let Some(past) = &item.past {
        // Rehydrated from a past contact: its sender there, and `RelatedContactId` in
        // place of `ContactId`, which the service writes only for the current contact's.
        if let Some((id, name, role)) = &past.sender {
            m.insert("ParticipantId".into(), json!(id));
            m.insert("DisplayName".into(), json!(name));
            m.insert("ParticipantRole".into(), json!(role));
        }
        m.insert("RelatedContactId".into(), json!(past.related_contact_id));
    } else {
        if let Some(p) = item.sender.and_then(|who| chat.participants.get(who)) {
            m.insert("ParticipantId".into(), json!(p.id));
            m.insert("DisplayName".into(), json!(p.display_name));
            m.insert("ParticipantRole".into(), json!(p.role));
        }
        m.insert("ContactId".into(), json!(chat.contact_id));
    }
    if let Some(a) = &item.attachment {
        m.insert(
            "Attachments".into(),
            json!([{
                "ContentType": a.content_type,
                "AttachmentId": a.attachment_id,
                "AttachmentName": a.attachment_name,
                "Status": a.status,
            }]),
        );
    }
    if !item.receipts.is_empty() {
        let receipts: Vec<Value> = item
            .receipts
            .iter()
            .map(|r| {
                let mut o = Map::new();
                if let Some(t) = &r.delivered {
                    o.insert("DeliveredTimestamp".into(), json!(t));
                }
                if let Some(t) = &r.read {
                    o.insert("ReadTimestamp".into(), json!(t));
                }
                if let Some(p) = chat.participants.get(r.recipient) {
                    o.insert("RecipientParticipantId".into(), json!(p.id));
                }
                Value::Object(o)
            })
            .collect();
        m.insert(
            "MessageMetadata".into(),
            json!({ "MessageId": item.id, "Receipts": receipts }),
        );
    }
    // Written as it was pushed when its stream of chunks completed, so that a client that
    // reads the transcript after the stream sees the same item.
    if item.completed {
        let meta = m
            .entry("MessageMetadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(meta) = meta {
            meta.insert("MessageCompleted".into(), json!(true));
        }
    }
    Value::Object(m)
}
