//! The service's operations over the chat model: the checks a request meets, in the order
//! it meets them, the answers, and the restJson1 errors. Also the control path that stands
//! in for the agent's side and for StartChatContact.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};

use super::RecordedEvent;
use super::chat::{
    AGENT, AttachmentItem, Chat, Chats, Direction, Item, ItemType, LEFT, Start, Started, later,
};
use super::http::{Reply, Request};
use super::ids::{new_uuid, random_bytes};

pub(super) const TYPING: &str = "application/vnd.amazonaws.connect.event.typing";
pub(super) const DELIVERED: &str = "application/vnd.amazonaws.connect.event.message.delivered";
pub(super) const READ: &str = "application/vnd.amazonaws.connect.event.message.read";
const ACKNOWLEDGED: &str = "application/vnd.amazonaws.connect.event.connection.acknowledged";
/// What SendEvent takes: the four documented event types.
const EVENT_TYPES: [&str; 4] = [TYPING, DELIVERED, READ, ACKNOWLEDGED];
/// What a customer may SendMessage: the four types the service documents for it.
pub(super) const MESSAGE_TYPES: [&str; 4] = [
    "text/plain",
    "text/markdown",
    "application/json",
    "application/vnd.amazonaws.connect.message.interactive.response",
];

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
/// `NextToken`: 1 to 1000 characters.
const MAX_NEXT_TOKEN: usize = 1000;
/// `Instant`: 1 to 100 characters.
const MAX_INSTANT: usize = 100;
/// `MaxResults` and `MostRecent`: 0 to 100.
const MAX_RESULTS: u64 = 100;
/// GetTranscript's page size when `MaxResults` is absent (or 0).
const DEFAULT_MAX_RESULTS: usize = 10;
/// Where WebSocket URLs live: this, then the URL's secret.
pub(super) const WEBSOCKET_PATH: &str = "/participant/ws/";
/// How long a WebSocket URL may wait to be opened (`Websocket.ConnectionExpiry`).
const WEBSOCKET_URL_LIFETIME: Duration = Duration::from_secs(100);

/// The headers a browser page needs on a preflight answer.
const ALLOW_HEADERS: &str = "content-type, x-amz-bearer, amz-sdk-invocation-id, \
                             amz-sdk-request, x-amz-user-agent, authorization, x-amz-date, \
                             x-amz-security-token, x-amz-content-sha256";

/// The service's settings beyond the chat model's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ServiceSettings {
    pub(super) max_events: usize,
    /// The bytes the chats' items and the events may hold in all (see
    /// [`State::kept_bytes`]).
    pub(super) max_kept_bytes: usize,
    pub(super) empty_next_token_on_last_page: bool,
    pub(super) empty_disconnect_body: bool,
    /// How many attachment uploads a chat may start.
    pub(super) max_attachments_per_chat: usize,
}

/// The service: its settings and its state.
pub(super) struct Service {
    pub(super) settings: ServiceSettings,
    /// `host:port`, for WebSocket, upload and download URLs.
    pub(super) authority: String,
    /// The bytes of the upload bodies being read now (reserved as each is admitted).
    pub(super) reading: Arc<std::sync::atomic::AtomicUsize>,
    /// Shared with the threads that serve WebSockets, which outlive no request but are
    /// not borrowed from one.
    pub(super) shared: Arc<Shared>,
}

/// The state, and what the WebSocket side waits on beside it.
pub(super) struct Shared {
    state: Mutex<State>,
    /// Notified when a WebSocket subscribes or goes, for `wait_for_websockets`.
    #[cfg(feature = "websocket")]
    pub(super) changed: std::sync::Condvar,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking request must not take the whole emulator down with it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// (contact id, participant, client token): idempotency is per participant.
type EventKey = (String, usize, String);

pub(super) struct State {
    pub(super) chats: Chats,
    /// The newest events, each with its idempotency key, if it had a client token.
    events: VecDeque<(RecordedEvent, Option<EventKey>)>,
    /// How many events were forgotten: `events[i]` is event number `forgotten + i`.
    forgotten: usize,
    /// The sum of the kept events' [`event_bytes`].
    events_bytes: usize,
    /// Idempotency key -> number of the event it made.
    by_client_token: HashMap<EventKey, usize>,
    pub(super) receipts_conflict: bool,
    /// The attachments, their URLs and bytes.
    pub(super) attachments: super::attachments::Attachments,
    /// The views the test registered (DescribeView).
    pub(super) views: super::views::Views,
    /// The authentication sessions the test started.
    pub(super) sessions: super::views::Sessions,
    /// The WebSocket URLs issued and the sockets open. Without the `websocket` feature a
    /// stand-in that serves none, so that every operation tells it the same things.
    pub(super) hub: super::ws::Hub,
}

/// The bytes of an event's strings, as counted against `max_kept_bytes`: every member of
/// the event, and its idempotency key (a copy of its contact id and client token, kept
/// twice: in the record and in the index).
fn event_bytes(event: &RecordedEvent, key: Option<&EventKey>) -> usize {
    let RecordedEvent {
        id,
        absolute_time,
        content_type,
        content,
        client_token,
        contact_id,
        participant_id,
    } = event;
    id.len()
        + absolute_time.len()
        + content_type.len()
        + content.as_ref().map_or(0, String::len)
        + client_token.as_ref().map_or(0, String::len)
        + contact_id.len()
        + participant_id.len()
        + key.map_or(0, |(c, _, t)| 2 * (c.len() + t.len()))
}

/// What lands in a transcript through [`State::record_item`].
pub(super) enum NewItem<'a> {
    /// A message or an event: its type, content type, content, sender (`None` for the
    /// chat's own events) and client token.
    Item {
        kind: ItemType,
        content_type: &'a str,
        content: Option<String>,
        sender: Option<usize>,
        client_token: Option<String>,
    },
    /// A file a participant shared.
    Attachment { who: usize, file: AttachmentItem },
    /// The chat's `chat.ended`, which also ends it; nothing lands if it has ended already.
    ChatEnded,
}

impl<'a> NewItem<'a> {
    /// An `EVENT` item without a client token.
    pub(super) fn event(
        content_type: &'a str,
        content: Option<String>,
        sender: Option<usize>,
    ) -> NewItem<'a> {
        NewItem::Item {
            kind: ItemType::Event,
            content_type,
            content,
            sender,
            client_token: None,
        }
    }
}

/// An item that landed: what its sender is answered.
pub(super) struct Landed {
    pub(super) id: String,
    pub(super) absolute_time: String,
}

impl State {
    /// Records `event`, forgetting the oldest (and its client token) beyond `max`; returns
    /// its number.
    fn record(&mut self, event: RecordedEvent, key: Option<EventKey>, max: usize) -> usize {
        while self.events.len() >= max.max(1) && self.forget_oldest_event() {}
        let number = self.forgotten + self.events.len();
        if let Some(k) = &key {
            self.by_client_token.insert(k.clone(), number);
        }
        self.events_bytes += event_bytes(&event, key.as_ref());
        self.events.push_back((event, key));
        number
    }

    /// Forgets the oldest event and its client token; `false` if none is kept.
    fn forget_oldest_event(&mut self) -> bool {
        let Some((old, old_key)) = self.events.pop_front() else {
            return false;
        };
        self.events_bytes -= event_bytes(&old, old_key.as_ref());
        if let Some(k) = old_key {
            self.by_client_token.remove(&k);
        }
        self.forgotten += 1;
        true
    }

    /// The bytes the chats' items, the events and the attachments hold, as counted
    /// against `max_kept_bytes`: the strings of each item ([`Item::kept_bytes`]) and of
    /// each event, and the uploaded bytes of each attachment.
    pub(super) fn kept_bytes(&self) -> usize {
        self.chats.kept_bytes() + self.events_bytes + self.attachments.bytes
    }

    /// Forgets what is oldest until [`kept_bytes`](Self::kept_bytes) is within `max`: the
    /// bytes of the attachments uploaded longest ago first (but the newest's), then the
    /// oldest events (but the newest, whose answer may be being written), then the
    /// oldest chats other than `keep` (the chat just written to), then the oldest items of
    /// `keep` (but its newest). Only an item or event larger than `max` on its own can be
    /// left over it.
    pub(super) fn keep_within(&mut self, max: usize, keep: Option<&str>) {
        while self.kept_bytes() > max {
            let forgot = self.attachments.forget_oldest_bytes()
                || (self.events.len() > 1 && self.forget_oldest_event())
                || self.chats.forget_oldest_chat_except(keep)
                || keep.is_some_and(|c| self.chats.forget_oldest_item(c));
            if !forgot {
                break;
            }
        }
    }

    pub(super) fn events(&self) -> Vec<RecordedEvent> {
        self.events.iter().map(|(e, _)| e.clone()).collect()
    }

    /// Lands an item in a chat's transcript (the chat forgetting its oldest beyond
    /// `max_items_per_chat`), pushes it to the chat's WebSockets, then forgets the oldest
    /// of what is kept until it is within `max_kept_bytes`. What landed, if the chat took
    /// an item. Every item an operation or the test adds goes through here, so that each
    /// is pushed, and counted, alike.
    pub(super) fn record_item(
        &mut self,
        contact_id: &str,
        item: NewItem<'_>,
        max_kept_bytes: usize,
    ) -> Option<Landed> {
        let landed = self.add_item(contact_id, item);
        self.push_and_trim(contact_id, landed.as_ref(), max_kept_bytes);
        landed
    }

    /// The first half of [`record_item`](Self::record_item): the item lands in the
    /// transcript, and no socket has seen it yet.
    pub(super) fn add_item(&mut self, contact_id: &str, item: NewItem<'_>) -> Option<Landed> {
        let chats = &mut self.chats;
        let item = match item {
            NewItem::Item {
                kind,
                content_type,
                content,
                sender,
                client_token,
            } => chats.push(
                contact_id,
                kind,
                content_type,
                content,
                sender,
                client_token,
            ),
            NewItem::Attachment { who, file } => chats.push_attachment(contact_id, who, file),
            NewItem::ChatEnded => {
                if chats.chat(contact_id).is_none_or(|c| c.ended) {
                    return None;
                }
                chats.end(contact_id);
                chats.chat(contact_id).and_then(|c| c.items.back())
            }
        };
        item.map(|i| Landed {
            id: i.id.clone(),
            absolute_time: i.absolute_time.clone(),
        })
    }

    /// The second half of [`record_item`](Self::record_item): the item that landed (if
    /// one did) goes to the chat's sockets, then what is kept is trimmed, the chat written
    /// to last of all.
    pub(super) fn push_and_trim(
        &mut self,
        contact_id: &str,
        landed: Option<&Landed>,
        max_kept_bytes: usize,
    ) {
        if let Some(landed) = landed {
            self.push_item(contact_id, &landed.id);
        }
        self.keep_within(max_kept_bytes, Some(contact_id));
    }
}

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

fn not_found(message: &str) -> Reply {
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
fn integer(
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
fn client_token(map: &Map<String, Value>) -> Result<Option<String>, Reply> {
    let token = string(map, "ClientToken")?;
    if let Some(t) = &token {
        chars_within(t, "clientToken", 0, MAX_CLIENT_TOKEN)?;
    }
    Ok(token.filter(|t| !t.is_empty()))
}

/// Unwraps a step that answers with an error reply.
macro_rules! attempt {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(reply) => return reply,
        }
    };
}

impl Service {
    pub(super) fn new(chats: Chats, settings: ServiceSettings, authority: String) -> Service {
        Service {
            settings,
            authority,
            reading: Arc::default(),
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    chats,
                    events: VecDeque::new(),
                    forgotten: 0,
                    events_bytes: 0,
                    by_client_token: HashMap::new(),
                    receipts_conflict: false,
                    attachments: Default::default(),
                    views: Default::default(),
                    sessions: Default::default(),
                    hub: Default::default(),
                }),
                #[cfg(feature = "websocket")]
                changed: std::sync::Condvar::new(),
            }),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    /// Serves one request.
    pub(super) fn handle(&self, request: &Request) -> Reply {
        if request.method == "OPTIONS" {
            return preflight();
        }
        if let Some(reply) = self.presigned(request) {
            return reply;
        }
        if let Some(rest) = request.path.strip_prefix("/emulator/") {
            return self.control(request, rest);
        }
        if request.method == "POST" {
            match request.path.as_str() {
                "/participant/connection" => return self.create_participant_connection(request),
                "/participant/message" => return self.send_message(request),
                "/participant/event" => return self.send_event(request),
                "/participant/disconnect" => return self.disconnect_participant(request),
                "/participant/transcript" => return self.get_transcript(request),
                "/participant/start-attachment-upload" => {
                    return self.start_attachment_upload(request).unwrap_or_else(|e| e);
                }
                "/participant/complete-attachment-upload" => {
                    return self
                        .complete_attachment_upload(request)
                        .unwrap_or_else(|e| e);
                }
                "/participant/attachment" => {
                    return self.get_attachment(request).unwrap_or_else(|e| e);
                }
                "/participant/authentication-url" => {
                    return self.get_authentication_url(request).unwrap_or_else(|e| e);
                }
                "/participant/cancel-authentication" => {
                    return self
                        .cancel_participant_authentication(request)
                        .unwrap_or_else(|e| e);
                }
                _ => {}
            }
        }
        if request.method == "GET" {
            if let Some(reply) = self.describe_view(request) {
                return reply;
            }
        }
        error_reply(
            404,
            "UnknownOperationException",
            "this emulator serves POST /participant/connection, /participant/message, \
             /participant/event, /participant/disconnect, /participant/transcript, \
             /participant/start-attachment-upload, /participant/complete-attachment-upload, \
             /participant/attachment, /participant/authentication-url, \
             /participant/cancel-authentication and GET /participant/views/{ViewToken}",
        )
    }

    /// The live participant behind a connection token: (contact id, participant).
    pub(super) fn connected(state: &State, token: &str) -> Result<(String, usize), Reply> {
        let (contact_id, who) = state
            .chats
            .by_connection_token(token)
            .map_err(|_| denied())?;
        let chat = state.chats.chat(&contact_id).ok_or_else(denied)?;
        if chat.ended || chat.participants[who].left.is_some() {
            return Err(denied());
        }
        Ok((contact_id, who))
    }

    fn create_participant_connection(&self, request: &Request) -> Reply {
        let token = attempt!(bearer(request, "participantToken"));
        let map = attempt!(body(request));
        let types = match map.get("Type") {
            None | Some(Value::Null) => None,
            Some(Value::Array(list)) => {
                let mut types = Vec::with_capacity(list.len().min(3));
                for v in list {
                    let Some(s) = v.as_str() else {
                        return serialization("Type must be a list of strings");
                    };
                    const ALLOWED: [&str; 3] =
                        ["WEBSOCKET", "CONNECTION_CREDENTIALS", "WEBRTC_CONNECTION"];
                    if !ALLOWED.contains(&s) {
                        return enum_value("type", s, &ALLOWED);
                    }
                    types.push(s);
                }
                if types.is_empty() {
                    return validation(
                        "1 validation error detected: Value '[]' at 'type' failed to satisfy \
                         constraint: Member must have length greater than or equal to 1",
                    );
                }
                Some(types)
            }
            Some(_) => return serialization("Type must be a list of strings"),
        };
        // `ConnectParticipant` is checked for its type and changes nothing: the emulator has
        // no notion of a participant being connected beyond its tokens.
        if !matches!(
            map.get("ConnectParticipant"),
            None | Some(Value::Null | Value::Bool(_))
        ) {
            return serialization("ConnectParticipant must be a boolean");
        }

        let mut state = self.lock();
        let Ok((contact_id, who)) = state.chats.by_participant_token(token) else {
            return denied();
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
                return denied();
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
            let url = format!("ws://{}{WEBSOCKET_PATH}{secret}", self.authority);
            out.insert(
                "Websocket".into(),
                json!({ "ConnectionExpiry": format_time(expiry), "Url": url }),
            );
        }
        ok(&Value::Object(out))
    }

    fn send_message(&self, request: &Request) -> Reply {
        let ContentMembers {
            token,
            content_type,
            content,
            client_token,
        } = attempt!(content_members(request));
        let Some(content) = content else {
            return null_member("content");
        };
        // The newest model documents the limit in bytes, which is the stricter reading.
        if content.is_empty() || content.len() > MAX_CONTENT {
            return length("content", 1, MAX_CONTENT);
        }
        if !MESSAGE_TYPES.contains(&content_type.as_str()) {
            return validation(format!(
                "1 validation error detected: Value '{content_type}' at 'contentType' failed \
                 to satisfy constraint: Member must be a content type this contact supports: \
                 {}",
                MESSAGE_TYPES.join(", ")
            ));
        }

        let mut state = self.lock();
        let (contact_id, who) = attempt!(Self::connected(&state, token));
        let Some(chat) = state.chats.chat(&contact_id) else {
            return denied();
        };
        if let Some(item) = client_token
            .as_deref()
            .and_then(|t| chat.message_by_client_token(who, t))
        {
            return ok(&sent(item));
        }
        let item = NewItem::Item {
            kind: ItemType::Message,
            content_type: &content_type,
            content: Some(content),
            sender: Some(who),
            client_token,
        };
        let max = self.settings.max_kept_bytes;
        let Some(landed) = state.record_item(&contact_id, item, max) else {
            return denied();
        };
        ok(&json!({ "AbsoluteTime": landed.absolute_time, "Id": landed.id }))
    }

    fn send_event(&self, request: &Request) -> Reply {
        let ContentMembers {
            token,
            content_type,
            content,
            client_token,
        } = attempt!(content_members(request));
        if !EVENT_TYPES.contains(&content_type.as_str()) {
            return validation(format!(
                "1 validation error detected: Value '{content_type}' at 'contentType' failed \
                 to satisfy constraint: Member must be an event type SendEvent supports: {}",
                EVENT_TYPES.join(", ")
            ));
        }
        if let Some(c) = &content {
            attempt!(chars_within(c, "content", 1, MAX_CONTENT));
        }
        let is_receipt = content_type == DELIVERED || content_type == READ;
        let mut message_id = None;
        if is_receipt {
            message_id = content
                .as_deref()
                .and_then(|c| serde_json::from_str::<Value>(c).ok())
                .and_then(|v| {
                    v.get("messageId")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .filter(|id| !id.is_empty());
            if message_id.is_none() {
                return validation(
                    "1 validation error detected: Value at 'content' failed to satisfy \
                     constraint: Member must be a JSON object with a non-empty messageId for \
                     a delivered or read receipt",
                );
            }
        }

        let mut state = self.lock();
        let (contact_id, who) = attempt!(Self::connected(&state, token));
        if is_receipt && state.receipts_conflict {
            return error_reply(
                409,
                "ConflictException",
                "Receipts are not available: more than two participants or a supervisor barged in",
            );
        }
        let key = client_token.clone().map(|k| (contact_id.clone(), who, k));
        let number = match key.as_ref().and_then(|k| state.by_client_token.get(k)) {
            Some(&n) => n,
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
                    return denied();
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
                let max = self.settings.max_events;
                let number = state.record(event, key, max);
                state.keep_within(self.settings.max_kept_bytes, Some(&contact_id));
                number
            }
        };
        let Some((event, _)) = number
            .checked_sub(state.forgotten)
            .and_then(|i| state.events.get(i))
        else {
            return denied();
        };
        ok(&json!({ "AbsoluteTime": event.absolute_time, "Id": event.id }))
    }

    fn disconnect_participant(&self, request: &Request) -> Reply {
        let token = attempt!(bearer(request, "connectionToken"));
        let map = attempt!(body(request));
        let client_token = attempt!(client_token(&map));

        let mut state = self.lock();
        let Ok((contact_id, who)) = state.chats.by_connection_token(token) else {
            return denied();
        };
        let Some(chat) = state.chats.chat_mut(&contact_id) else {
            return denied();
        };
        if chat.ended {
            return denied();
        }
        match &chat.participants[who].left {
            // A retry of the call that disconnected: the same answer.
            Some(Some(earlier)) if client_token.as_ref() == Some(earlier) => {}
            Some(_) => return denied(),
            None => {
                chat.participants[who].left = Some(client_token.clone());
                let item = NewItem::event(LEFT, None, Some(who));
                let max = self.settings.max_kept_bytes;
                // The others see the item; the one who left sees it, then its sockets
                // close.
                if state.record_item(&contact_id, item, max).is_some() {
                    state.hub.close(&contact_id, Some(who), 1000);
                }
            }
        }
        if self.settings.empty_disconnect_body {
            Reply {
                status: 200,
                headers: Vec::new(),
                body: Vec::new(),
            }
        } else {
            ok(&json!({}))
        }
    }

    fn get_transcript(&self, request: &Request) -> Reply {
        let token = attempt!(bearer(request, "connectionToken"));
        let map = attempt!(body(request));
        let contact = attempt!(string(&map, "ContactId"));
        if let Some(c) = &contact {
            attempt!(chars_within(c, "contactId", 1, MAX_ID));
        }
        let max_results = attempt!(integer(&map, "MaxResults", "maxResults", MAX_RESULTS));
        let next_token = attempt!(string(&map, "NextToken"));
        if let Some(t) = &next_token {
            attempt!(chars_within(t, "nextToken", 1, MAX_NEXT_TOKEN));
        }
        let scan = attempt!(string(&map, "ScanDirection"));
        let direction = match scan.as_deref() {
            None => None,
            Some("FORWARD") => Some(Direction::Forward),
            Some("BACKWARD") => Some(Direction::Backward),
            Some(other) => return enum_value("scanDirection", other, &["FORWARD", "BACKWARD"]),
        };
        let ascending = match attempt!(string(&map, "SortOrder")).as_deref() {
            None | Some("DESCENDING") => false,
            Some("ASCENDING") => true,
            Some(other) => return enum_value("sortOrder", other, &["DESCENDING", "ASCENDING"]),
        };
        let start = match map.get("StartPosition") {
            None | Some(Value::Null) => Start::Newest,
            Some(Value::Object(p)) => attempt!(start_position(p)),
            Some(_) => return serialization("StartPosition must be an object"),
        };

        let state = self.lock();
        let (contact_id, _) = attempt!(Self::connected(&state, token));
        // The token's contact only: another contact's transcript is not this
        // participant's to read.
        if contact.as_ref().is_some_and(|c| *c != contact_id) {
            return denied();
        }
        let Some(chat) = state.chats.chat(&contact_id) else {
            return denied();
        };
        // The defaults the service documents: BACKWARD without a StartPosition, FORWARD
        // with one (an empty `{}` counts as none). Either way the scan starts at the newest
        // item unless told otherwise.
        let (start, direction) = match &next_token {
            Some(t) => match chat.parse_next_token(t) {
                Some((d, seq)) => (Start::Seq(seq), d),
                None => {
                    return validation(
                        "1 validation error detected: Value at 'nextToken' failed to satisfy \
                         constraint: Member must be a NextToken this chat's GetTranscript gave",
                    );
                }
            },
            None => {
                let d = direction.unwrap_or(if start == Start::Newest {
                    Direction::Backward
                } else {
                    Direction::Forward
                });
                (start, d)
            }
        };
        // 0 is what SDKs send for "not set" (Go omits it; the shape's default is 0).
        let max = match max_results {
            None | Some(0) => DEFAULT_MAX_RESULTS,
            Some(n) => n as usize,
        };
        let Ok(page) = chat.scan(&start, direction, max) else {
            return validation(
                "1 validation error detected: Value at 'startPosition.id' failed to satisfy \
                 constraint: Member must be the Id of an item in this transcript",
            );
        };
        let mut items = page.items;
        if ascending {
            items.sort_by_key(|i| i.seq);
        } else {
            items.sort_by_key(|i| std::cmp::Reverse(i.seq));
        }
        let mut out = Map::new();
        out.insert("InitialContactId".into(), json!(chat.contact_id));
        out.insert(
            "Transcript".into(),
            Value::Array(items.iter().map(|i| item_json(chat, i)).collect()),
        );
        match page.next {
            Some(next) => {
                out.insert("NextToken".into(), json!(next));
            }
            None if self.settings.empty_next_token_on_last_page => {
                out.insert("NextToken".into(), json!(""));
            }
            None => {}
        }
        ok(&Value::Object(out))
    }

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
        let mut state = self.lock();
        let chat = state
            .chats
            .chat(contact_id)
            .ok_or(AgentError::UnknownContact)?;
        if chat.ended {
            return Err(AgentError::Ended);
        }
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

    /// The control path: `POST /emulator/chats`, `POST /emulator/chats/{ContactId}/messages`,
    /// `POST /emulator/chats/{ContactId}/end`, `GET /emulator/chats/{ContactId}/transcript`.
    fn control(&self, request: &Request, rest: &str) -> Reply {
        let parts: Vec<&str> = rest.splitn(4, '/').collect();
        if let ["chats", contact_id, "transcript"] = parts.as_slice() {
            if request.method != "GET" {
                return not_found("the transcript is read with GET");
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
            return not_found("the control path serves POST, and GET for a transcript");
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
            ["chats"] => {
                let started = self.start_chat();
                ok(&json!({
                    "ContactId": started.contact_id,
                    "ParticipantToken": started.participant_token,
                }))
            }
            ["chats", contact_id, "messages"] => {
                let map = attempt!(body(request));
                let content = attempt!(string(&map, "Content"));
                let content_type = attempt!(string(&map, "ContentType"));
                let (Some(content), Some(content_type)) = (content, content_type) else {
                    return validation("Content and ContentType are required");
                };
                match self.agent_says(contact_id, &content, &content_type) {
                    Ok((id, time)) => ok(&json!({ "AbsoluteTime": time, "Id": id })),
                    Err(e) => control_error(contact_id, e),
                }
            }
            #[cfg(feature = "websocket")]
            ["chats", contact_id, "participants"] => self
                .control_participant(request, contact_id)
                .unwrap_or_else(|e| e),
            ["chats", contact_id, "end"] => {
                if self.end_chat(contact_id) {
                    ok(&json!({}))
                } else {
                    unknown_chat(contact_id)
                }
            }
            _ => not_found(
                "the control path serves POST /emulator/chats, \
                 /emulator/chats/{ContactId}/messages, /emulator/chats/{ContactId}/end and \
                 GET /emulator/chats/{ContactId}/transcript",
            ),
        }
    }
}

/// What the control path answers for a change the chat refused.
pub(super) fn control_error(contact_id: &str, e: AgentError) -> Reply {
    match e {
        AgentError::UnknownContact => unknown_chat(contact_id),
        AgentError::Ended => validation("the chat has ended"),
        AgentError::Invalid(m) => validation(m),
    }
}

fn unknown_chat(contact_id: &str) -> Reply {
    // The id is echoed as JSON (escaped), never as a header.
    not_found(&format!("no chat with ContactId {contact_id}"))
}

/// The answer to a CORS preflight: any origin may call, with the headers SDKs send.
fn preflight() -> Reply {
    Reply {
        status: 204,
        headers: vec![
            (
                "Access-Control-Allow-Methods".into(),
                "GET, POST, OPTIONS".into(),
            ),
            ("Access-Control-Allow-Headers".into(), ALLOW_HEADERS.into()),
            ("Access-Control-Max-Age".into(), "86400".into()),
        ],
        body: Vec::new(),
    }
}

/// The headers every answer carries, so that a page in a browser may read it.
pub(super) fn cors_headers() -> Vec<(String, String)> {
    vec![
        ("Access-Control-Allow-Origin".into(), "*".into()),
        (
            "Access-Control-Expose-Headers".into(),
            "x-amzn-RequestId, x-amzn-ErrorType".into(),
        ),
    ]
}

/// Reads `StartPosition`: `Id`, then `AbsoluteTime`, then `MostRecent` (the first set
/// wins; the model does not say whether they combine). An empty one is none.
fn start_position(p: &Map<String, Value>) -> Result<Start, Reply> {
    let id = string(p, "Id")?;
    let time = string(p, "AbsoluteTime")?;
    let most_recent = integer(p, "MostRecent", "startPosition.mostRecent", MAX_RESULTS)?;
    if let Some(id) = &id {
        chars_within(id, "startPosition.id", 1, MAX_ID)?;
    }
    let time = match time {
        Some(t) => {
            chars_within(&t, "startPosition.absoluteTime", 1, MAX_INSTANT)?;
            let parsed = crate::Timestamp::parse(&t)
                .ok()
                .and_then(|t| t.to_system_time());
            let Some(at) = parsed else {
                return Err(validation(format!(
                    "1 validation error detected: Value '{t}' at 'startPosition.absoluteTime' \
                     failed to satisfy constraint: Member must be an ISO 8601 time such as \
                     2019-11-08T02:41:28.172Z"
                )));
            };
            Some(at)
        }
        None => None,
    };
    Ok(match (id, time, most_recent) {
        (Some(id), _, _) => Start::Id(id),
        (None, Some(at), _) => Start::Time(at),
        (None, None, Some(n)) if n > 0 => Start::MostRecent(n as usize),
        _ => Start::Newest,
    })
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
    if let Some(p) = item.sender.and_then(|who| chat.participants.get(who)) {
        m.insert("ParticipantId".into(), json!(p.id));
        m.insert("DisplayName".into(), json!(p.display_name));
        m.insert("ParticipantRole".into(), json!(p.role));
    }
    m.insert("ContactId".into(), json!(chat.contact_id));
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

pub(super) fn format_time(t: SystemTime) -> String {
    crate::Timestamp::from_system_time(t).as_str().to_owned()
}

/// SendMessage's answer for a message that landed (or had landed, for a repeated client
/// token).
fn sent(item: &Item) -> Value {
    json!({ "AbsoluteTime": item.absolute_time, "Id": item.id })
}

/// The members SendMessage and SendEvent share.
struct ContentMembers<'r> {
    token: &'r str,
    content_type: String,
    content: Option<String>,
    client_token: Option<String>,
}

/// Reads and checks the members SendMessage and SendEvent share, alike: the bearer, a
/// `ContentType` of 1 to 100 characters, the optional `Content`, and the client token.
fn content_members(request: &Request) -> Result<ContentMembers<'_>, Reply> {
    let token = bearer(request, "connectionToken")?;
    let map = body(request)?;
    let content_type = string(&map, "ContentType")?;
    let content = string(&map, "Content")?;
    let client_token = client_token(&map)?;
    let Some(content_type) = content_type else {
        return Err(null_member("contentType"));
    };
    chars_within(&content_type, "contentType", 1, MAX_CONTENT_TYPE)?;
    Ok(ContentMembers {
        token,
        content_type,
        content,
        client_token,
    })
}

/// A service with small bounds (4 chats of 4 items, 4 events), for unit tests.
#[cfg(test)]
pub(super) fn small_service() -> Service {
    use super::chat::ChatLimits;
    let chats = Chats::new(ChatLimits {
        max_chats: 4,
        max_items_per_chat: 4,
        connection_token_lifetime: Duration::from_secs(60),
    });
    let settings = ServiceSettings {
        max_events: 4,
        max_kept_bytes: 1 << 20,
        empty_next_token_on_last_page: false,
        empty_disconnect_body: false,
        max_attachments_per_chat: 4,
    };
    Service::new(chats, settings, "127.0.0.1:1".into())
}

#[cfg(test)]
mod tests;
