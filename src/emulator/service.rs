//! The service: its state behind one lock, the routing of each request to its operation
//! (one file each, under `ops`) or to the control path, and what operations share: the
//! participant a token stands for, and how an item lands in a transcript.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::RecordedEvent;
use super::attachments::Attachments;
use super::chat::{AttachmentItem, Chats, ItemType};
use super::http::{Outcome, Reply, Request};
use super::ops::{self, Operation};
use super::protocol::{denied, error_reply};
use super::views::{Sessions, Views};
use super::ws::Hub;

/// The headers a browser page needs on a preflight answer.
const ALLOW_HEADERS: &str = "content-type, x-amz-bearer, amz-sdk-invocation-id, \
                             amz-sdk-request, x-amz-user-agent, authorization, x-amz-date, \
                             x-amz-security-token, x-amz-content-sha256";

/// The service's operations that are a `POST` to a fixed path, by path. DescribeView, the
/// one `GET`, carries its argument in its path and is routed apart.
pub(super) const OPERATIONS: [(&str, Operation); 10] = [
    (
        "/participant/connection",
        ops::create_participant_connection::handle,
    ),
    ("/participant/message", ops::send_message::handle),
    ("/participant/event", ops::send_event::handle),
    (
        "/participant/disconnect",
        ops::disconnect_participant::handle,
    ),
    ("/participant/transcript", ops::get_transcript::handle),
    (
        "/participant/start-attachment-upload",
        ops::start_attachment_upload::handle,
    ),
    (
        "/participant/complete-attachment-upload",
        ops::complete_attachment_upload::handle,
    ),
    ("/participant/attachment", ops::get_attachment::handle),
    (
        "/participant/authentication-url",
        ops::get_authentication_url::handle,
    ),
    (
        "/participant/cancel-authentication",
        ops::cancel_participant_authentication::handle,
    ),
];

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
    /// The faults queued for the next requests to the service (see `remote.rs`).
    pub(super) faults: Mutex<VecDeque<super::Fault>>,
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

/// (contact id, participant, client token, [`fingerprint`] of the content type and
/// content): idempotency is per participant, and per request.
///
/// [`fingerprint`]: super::protocol::fingerprint
pub(super) type EventKey = (String, usize, String, u64);

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
    pub(super) attachments: Attachments,
    /// The views the test registered (DescribeView).
    pub(super) views: Views,
    /// The authentication sessions the test started.
    pub(super) sessions: Sessions,
    /// The WebSocket URLs issued and the sockets open. Without the `websocket` feature a
    /// stand-in that serves none, so that every operation tells it the same things.
    pub(super) hub: Hub,
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
        + key.map_or(0, |(c, _, t, _)| 2 * (c.len() + t.len()))
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
    pub(super) fn record(
        &mut self,
        event: RecordedEvent,
        key: Option<EventKey>,
        max: usize,
    ) -> usize {
        while self.events.len() >= max.max(1) && self.forget_oldest_event() {}
        let number = self.forgotten + self.events.len();
        if let Some(k) = &key {
            self.by_client_token.insert(k.clone(), number);
        }
        self.events_bytes += event_bytes(&event, key.as_ref());
        self.events.push_back((event, key));
        number
    }

    /// The number of the event this idempotency key made, if it is still kept.
    pub(super) fn event_number(&self, key: &EventKey) -> Option<usize> {
        self.by_client_token.get(key).copied()
    }

    /// Whether event number `number` is kept and has this content type and content: the
    /// check that a key's fingerprint found a retry, not a collision.
    pub(super) fn is_event(
        &self,
        number: usize,
        content_type: &str,
        content: &Option<String>,
    ) -> bool {
        self.event(number)
            .is_some_and(|e| e.content_type == content_type && e.content == *content)
    }

    /// Event number `number`, if it is still kept.
    pub(super) fn event(&self, number: usize) -> Option<&RecordedEvent> {
        let i = number.checked_sub(self.forgotten)?;
        self.events.get(i).map(|(e, _)| e)
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
    ///
    /// [`Item::kept_bytes`]: super::chat::Item::kept_bytes
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
        self.close_forgotten();
    }

    /// Closes the sockets of every chat forgotten to stay within the bounds, at once and
    /// with 1001 (going away): nothing more would reach them, and a client that comes
    /// back is refused (403) as for an ended chat. Every chat start and every write goes
    /// through [`keep_within`](Self::keep_within), which calls it.
    pub(super) fn close_forgotten(&mut self) {
        for contact_id in self.chats.take_forgotten() {
            self.hub.close(&contact_id, None, 1001);
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
            faults: Mutex::default(),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    /// Serves one request.
    pub(super) fn handle(&self, request: &Request) -> Reply {
        // The app serves the presigned URLs first (a download's body shared, not copied);
        // here, for the unit tests that call the service alone, copied.
        if let Some(reply) = self.presigned(request).and_then(Outcome::into_reply) {
            return reply;
        }
        if request.method == "OPTIONS" {
            return preflight();
        }
        if let Some(rest) = request.path.strip_prefix("/emulator/") {
            return self.control(request, rest);
        }
        let operation = match request.method.as_str() {
            "POST" => OPERATIONS
                .iter()
                .find(|(path, _)| *path == request.path)
                .map(|&(_, operation)| operation),
            "GET" if ops::describe_view::label(&request.path).is_some() => {
                Some(ops::describe_view::handle as Operation)
            }
            _ => None,
        };
        if let Some(operation) = operation {
            return operation(self, request).unwrap_or_else(|e| e);
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
            "x-amzn-RequestId, x-amzn-ErrorType, ETag".into(),
        ),
    ]
}

/// A service with small bounds (4 chats of 4 items, 4 events), for unit tests.
#[cfg(test)]
pub(super) fn small_service() -> Service {
    use super::chat::ChatLimits;
    use std::time::Duration;
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
