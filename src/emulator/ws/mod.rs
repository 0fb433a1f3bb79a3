//! The participant WebSocket (feature `websocket`): the URLs CreateParticipantConnection
//! issues, the upgrade on the HTTP port, the topics a client speaks, and the pushes of a
//! chat's items to its subscribed sockets. Everything the feature adds lives here, the
//! [`Emulator`](super::Emulator) and [`EmulatorBuilder`](super::EmulatorBuilder) methods
//! included (in `api`).
//!
//! Each upgraded connection is served by one thread (see `socket`): the connection's own,
//! which reads the client's frames, blocking until one comes, the idle timeout passes or
//! the connection is shut. The service queues pushes, and the reading thread its answers,
//! under the state's lock, on the socket's bounded queue (see `out`), and writes them at
//! once as far as the kernel takes them without waiting; what is left is written by a
//! flushing thread of the socket's own, only while some is left. So every socket sees a
//! chat's items in the order they landed, a quiet socket costs nothing, and a stuck client
//! never stalls an operation: a socket whose queue is full is dropped instead.

mod agent;
mod api;
pub(super) mod control;
mod out;
mod socket;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Map, Value, json};
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};

use super::RecordedEvent;
use super::builder::Limits;
use super::chat::Chat;
use super::http::{Outcome, Reply, Request, Upgrade};
use super::ids::new_uuid;
use super::persistent::REHYDRATED;
use super::protocol::{DELIVERED, READ, TYPING, WEBSOCKET_PATH, item_json};
use super::service::{Service, Shared, State};
use out::{Closing, Out, lock_out};
use socket::Connection;

/// How many frames a socket's queue holds; a push to a full queue drops the socket.
pub(super) const QUEUE_FRAMES: usize = 1024;
/// How many bytes of frames a socket's queue holds; past it, a push drops the socket.
pub(super) const QUEUE_BYTES: usize = 4 * 1024 * 1024;
/// How many unexpired URLs are kept at most; a new one forgets the oldest beyond.
pub(super) const MAX_URLS: usize = 10_000;

/// What is queued for a socket.
enum Command {
    /// Write this text frame.
    Text(String),
    /// Write a close frame with this code, then end.
    Close(u16),
}

/// A URL issued by CreateParticipantConnection.
struct Grant {
    contact_id: String,
    who: usize,
    expiry: SystemTime,
}

/// An upgraded connection.
struct Socket {
    contact_id: String,
    who: usize,
    subscribed: bool,
    /// What goes out on it, and its connection once its thread runs.
    out: Arc<Mutex<Out>>,
}

/// The WebSocket side's state, kept with the service's (under its lock), so that a URL is
/// checked against the chat, and an item is pushed, atomically with the chat's changes.
pub(super) struct Hub {
    urls: HashMap<String, Grant>,
    /// Secrets in issue order, which is expiry order: the order they are forgotten in.
    url_order: VecDeque<String>,
    sockets: HashMap<u64, Socket>,
    /// The ids in `sockets` of each chat's sockets, in the order they were opened: a push
    /// looks at its chat's sockets only.
    by_chat: HashMap<String, BTreeSet<u64>>,
    next_id: u64,
    /// Sockets whose thread has not ended (closed ones included): bounded by
    /// `max_websockets`.
    live: usize,
    max_websockets: usize,
    idle_timeout: Duration,
    handshakes: usize,
    refusals: usize,
    /// Whether `aws/heartbeat` gets answers (`set_heartbeat_answers`).
    heartbeat_answers: bool,
    /// Whether `aws/ping` gets answers (`set_deep_heartbeat_answers`).
    deep_heartbeat_answers: bool,
    /// Whether `aws/ping` answers say healthy (`set_deep_heartbeat_health`).
    deep_heartbeat_healthy: bool,
    /// Whether upgrades are taken (`set_websocket_upgrades`); while not, each is a 503.
    upgrades: bool,
    /// The closing thread's queue, once a socket was upgraded (see `out`).
    closer: Option<Sender<Closing>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            urls: HashMap::new(),
            url_order: VecDeque::new(),
            sockets: HashMap::new(),
            by_chat: HashMap::new(),
            next_id: 0,
            live: 0,
            max_websockets: 256,
            idle_timeout: Duration::from_secs(60),
            handshakes: 0,
            refusals: 0,
            heartbeat_answers: true,
            deep_heartbeat_answers: true,
            deep_heartbeat_healthy: true,
            upgrades: true,
            closer: None,
        }
    }
}

impl Hub {
    /// Takes the emulator's bounds on sockets: how many at once, and how long one may go
    /// without a frame from its client.
    pub(super) fn configure(&mut self, limits: &Limits) {
        self.max_websockets = limits.max_websockets;
        self.idle_timeout = limits.idle_timeout;
    }

    /// Records a URL's secret for participant `who` of a chat, until `expiry`; forgets the
    /// expired ones, and the oldest beyond [`MAX_URLS`].
    pub(super) fn issue_url(
        &mut self,
        secret: &str,
        contact_id: &str,
        who: usize,
        expiry: SystemTime,
        now: SystemTime,
    ) {
        while let Some(oldest) = self.url_order.front() {
            let expired = self.urls.get(oldest).is_none_or(|g| g.expiry <= now);
            if !expired && self.url_order.len() < MAX_URLS {
                break;
            }
            if let Some(old) = self.url_order.pop_front() {
                self.urls.remove(&old);
            }
        }
        self.url_order.push_back(secret.to_owned());
        self.urls.insert(
            secret.to_owned(),
            Grant {
                contact_id: contact_id.to_owned(),
                who,
                expiry,
            },
        );
    }

    /// Queues `command` for socket `id`; a socket whose queue is full (in frames or bytes)
    /// is dropped (its TCP connection shut, no close frame) and forgotten. `false` if it
    /// was dropped.
    fn send(&mut self, id: u64, command: Command) -> bool {
        match command {
            Command::Text(text) => {
                let size = text.len();
                self.queue(id, &text_frame(text.into_bytes()), size)
            }
            Command::Close(code) => {
                let close = CloseFrame {
                    code: CloseCode::from(code),
                    reason: "".into(),
                };
                let Some(socket) = self.sockets.get(&id) else {
                    return false;
                };
                out::queue_close(&socket.out, format(Frame::close(Some(close)))) || self.cut(id)
            }
        }
    }

    /// Queues a text frame (`bytes`, of `size` bytes of text) for socket `id`, as
    /// [`send`](Self::send) does.
    fn queue(&mut self, id: u64, bytes: &[u8], size: usize) -> bool {
        let Some(socket) = self.sockets.get(&id) else {
            return false;
        };
        out::queue_data(&socket.out, bytes.to_vec(), size) || self.cut(id)
    }

    /// Drops socket `id`: its TCP connection shut, no close frame. Always `false`.
    fn cut(&mut self, id: u64) -> bool {
        if let Some(socket) = self.forget(id) {
            lock_out(&socket.out).cut();
        }
        false
    }

    /// The ids of the sockets of a chat (of one participant, if `who`), subscribed only if
    /// `subscribed`.
    fn of_chat(&self, contact_id: &str, who: Option<usize>, subscribed: bool) -> Vec<u64> {
        let Some(ids) = self.by_chat.get(contact_id) else {
            return Vec::new();
        };
        // In the order they were opened: the same order for every push.
        ids.iter()
            .copied()
            .filter(|id| {
                self.sockets.get(id).is_some_and(|s| {
                    who.is_none_or(|w| w == s.who) && (s.subscribed || !subscribed)
                })
            })
            .collect()
    }

    /// Forgets socket `id` (its connection is left as it is).
    fn forget(&mut self, id: u64) -> Option<Socket> {
        let socket = self.sockets.remove(&id)?;
        if let Some(ids) = self.by_chat.get_mut(&socket.contact_id) {
            ids.remove(&id);
            if ids.is_empty() {
                self.by_chat.remove(&socket.contact_id);
            }
        }
        Some(socket)
    }

    /// Queues `text` for every subscribed socket of a chat; how many took it.
    fn send_text(&mut self, contact_id: &str, text: &str) -> usize {
        let ids = self.of_chat(contact_id, None, true);
        let frame = text_frame(text.as_bytes().to_vec());
        ids.into_iter()
            .filter(|&id| self.queue(id, &frame, text.len()))
            .count()
    }

    /// Closes every socket of a chat (of one participant, if `who`) with a close frame of
    /// this code, after what is queued for it; forgets them. How many.
    pub(super) fn close(&mut self, contact_id: &str, who: Option<usize>, code: u16) -> usize {
        let ids = self.of_chat(contact_id, who, false);
        let n = ids.len();
        for id in ids {
            if self.send(id, Command::Close(code)) {
                self.forget(id);
            }
        }
        n
    }

    /// Drops every socket of a chat (of one participant, if `who`): TCP shutdown, no close
    /// frame. How many.
    fn drop_sockets(&mut self, contact_id: &str, who: Option<usize>) -> usize {
        let ids = self.of_chat(contact_id, who, false);
        for &id in &ids {
            self.cut(id);
        }
        ids.len()
    }

    /// How many sockets of a chat are subscribed.
    fn subscribed(&self, contact_id: &str) -> usize {
        self.of_chat(contact_id, None, true).len()
    }
}

/// A text frame's bytes, as written on the wire.
fn text_frame(text: Vec<u8>) -> Vec<u8> {
    format(Frame::message(text, OpCode::Data(Data::Text), true))
}

/// A frame's bytes, as written on the wire.
fn format(frame: Frame) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(frame.len());
    // Writing to a `Vec` cannot fail.
    let _ = frame.format(&mut bytes);
    bytes
}

/// The frame the emulator pushes for an item (as GetTranscript writes it): the item, with
/// `InitialContactId` and `ContactId`, as a JSON string inside the envelope.
fn envelope(chat: &Chat, mut item: Value) -> String {
    if let Value::Object(m) = &mut item {
        m.insert("InitialContactId".into(), json!(chat.contact_id));
        m.insert("ContactId".into(), json!(chat.contact_id));
    }
    json!({
        "content": item.to_string(),
        "contentType": "application/json",
        "topic": "aws/chat",
    })
    .to_string()
}

impl State {
    /// Pushes the transcript item `item_id` of a chat to its subscribed sockets, unless
    /// its pushes are off.
    pub(super) fn push_item(&mut self, contact_id: &str, item_id: &str) {
        let Some(chat) = self.chats.chat(contact_id) else {
            return;
        };
        let Some(item) = chat.item_by_id(item_id) else {
            return;
        };
        if chat.pushes {
            let frame = envelope(chat, item_json(chat, item));
            self.hub.send_text(contact_id, &frame);
        }
    }

    /// Queues a persistent chat's `chat.rehydrated` for socket `id` of participant `who`,
    /// the first time one of that participant's sockets subscribes (unless the chat's pushes
    /// are off). The chat recorded it when it started, before any socket could subscribe;
    /// chatjs hears it only from the socket (`onChatRehydrated`, whose README example
    /// loads the previous transcript).
    pub(super) fn push_rehydrated(&mut self, id: u64, contact_id: &str, who: usize) {
        let Some(chat) = self.chats.chat_mut(contact_id) else {
            return;
        };
        if chat.continued_from.is_none() || !chat.pushes {
            return;
        }
        let Some(participant) = chat.participants.get_mut(who) else {
            return;
        };
        if std::mem::replace(&mut participant.told_rehydrated, true) {
            return;
        }
        let chat = &*chat;
        let Some(item) = chat.items.iter().find(|i| i.content_type == REHYDRATED) else {
            return;
        };
        let frame = envelope(chat, item_json(chat, item));
        self.hub.send(id, Command::Text(frame));
    }

    /// Pushes an item that is not (or not yet) a transcript item of its own, unless the
    /// chat's pushes are off.
    fn push_value(&mut self, contact_id: &str, item: Value) {
        let Some(chat) = self.chats.chat(contact_id) else {
            return;
        };
        if chat.pushes {
            let frame = envelope(chat, item);
            self.hub.send_text(contact_id, &frame);
        }
    }

    /// Pushes what the chat's sockets see of an accepted SendEvent from participant `who`:
    /// typing as a typing item, a receipt for `message_id` as a `MESSAGEMETADATA` item.
    /// Other events are not pushed.
    pub(super) fn push_event(
        &mut self,
        event: &RecordedEvent,
        who: usize,
        message_id: Option<&str>,
    ) {
        let Some(chat) = self.chats.chat(&event.contact_id) else {
            return;
        };
        let Some(sender) = chat.participants.get(who) else {
            return;
        };
        let item = match (event.content_type.as_str(), message_id) {
            (TYPING, _) => json!({
                "AbsoluteTime": event.absolute_time,
                "ContentType": TYPING,
                "Id": event.id,
                "Type": "EVENT",
                "ParticipantId": sender.id,
                "DisplayName": sender.display_name,
                "ParticipantRole": sender.role,
            }),
            (t @ (DELIVERED | READ), Some(message_id)) => {
                let stamp = if t == READ {
                    "ReadTimestamp"
                } else {
                    "DeliveredTimestamp"
                };
                let mut receipt = Map::new();
                receipt.insert(stamp.into(), json!(event.absolute_time));
                receipt.insert("RecipientParticipantId".into(), json!(sender.id));
                json!({
                    "AbsoluteTime": event.absolute_time,
                    "ContentType": "application/vnd.amazonaws.connect.event.message.metadata",
                    "Id": new_uuid(),
                    "Type": "MESSAGEMETADATA",
                    "MessageMetadata": {
                        "MessageId": message_id,
                        "Receipts": [Value::Object(receipt)],
                    },
                })
            }
            _ => return,
        };
        let contact_id = event.contact_id.clone();
        self.push_value(&contact_id, item);
    }
}

/// A socket's place among the `max_websockets`: given back (and the socket forgotten)
/// when its thread ends, or when the upgrade is dropped before it ran.
struct Slot {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.hub.forget(self.id);
        state.hub.live = state.hub.live.saturating_sub(1);
        drop(state);
        self.shared.changed.notify_all();
    }
}

/// An answer to a WebSocket URL that is not upgraded: HTTP `status`, `{"message":...}`.
fn refusal(status: u16, message: &str) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: json!({ "message": message }).to_string().into_bytes(),
    }
}

/// Whether a header's comma-separated list holds `token` (compared case-insensitively).
fn has_token(request: &Request, header: &str, token: &str) -> bool {
    request.headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case(header) && v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token))
    })
}

impl Service {
    /// Serves a request for a WebSocket URL; `None` for any other path.
    pub(super) fn websocket(&self, request: &Request) -> Option<Outcome> {
        let secret = request.path.strip_prefix(WEBSOCKET_PATH)?;
        let upgrade = request.method == "GET"
            && has_token(request, "upgrade", "websocket")
            && has_token(request, "connection", "upgrade")
            && request.header("sec-websocket-version") == Some("13");
        let key = request.header("sec-websocket-key").filter(|_| upgrade);
        let Some(key) = key else {
            return Some(Outcome::Reply(refusal(
                400,
                "a WebSocket URL takes a GET with Upgrade: websocket, \
                 Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key",
            )));
        };
        let mut state = self.lock();
        if !state.hub.upgrades {
            return Some(Outcome::Reply(refusal(
                503,
                "the emulator takes no WebSocket upgrades now (WebSocketUpgrades: false)",
            )));
        }
        let now = state.chats.now();
        let grant = state.hub.urls.get(secret).and_then(|g| {
            let chat = state.chats.chat(&g.contact_id)?;
            let present = chat.participants.get(g.who)?.left.is_none();
            (now < g.expiry && !chat.ended && present).then(|| (g.contact_id.clone(), g.who))
        });
        let Some((contact_id, who)) = grant else {
            state.hub.refusals += 1;
            return Some(Outcome::Reply(refusal(403, "Forbidden")));
        };
        let hub = &mut state.hub;
        if hub.live >= hub.max_websockets {
            return Some(Outcome::Reply(refusal(
                503,
                "the emulator serves no more WebSockets at once (max_websockets)",
            )));
        }
        let id = hub.next_id;
        hub.next_id += 1;
        hub.live += 1;
        // Counted here, before the 101 is written, so that a client that has its answer
        // sees itself counted.
        hub.handshakes += 1;
        let closer = hub.closer.get_or_insert_with(out::start_closer).clone();
        let out = Arc::new(Mutex::new(Out::new(hub.idle_timeout, closer)));
        hub.by_chat
            .entry(contact_id.clone())
            .or_default()
            .insert(id);
        hub.sockets.insert(
            id,
            Socket {
                contact_id,
                who,
                subscribed: false,
                out: Arc::clone(&out),
            },
        );
        let idle_timeout = hub.idle_timeout;
        drop(state);
        let slot = Slot {
            shared: Arc::clone(&self.shared),
            id,
        };
        let head = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\n\r\n",
            tungstenite::handshake::derive_accept_key(key.as_bytes())
        );
        Some(Outcome::Upgrade(Upgrade {
            head: head.into_bytes(),
            serve: Box::new(move |stream, rest| {
                let connection = Connection {
                    slot,
                    out,
                    idle_timeout,
                };
                connection.serve(stream, rest);
            }),
        }))
    }
}

/// Waits on the service's condition variable until `done` holds or `timeout` passes.
fn wait_until(shared: &Shared, timeout: Duration, mut done: impl FnMut(&State) -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    let mut state = shared.lock();
    loop {
        if done(&state) {
            return true;
        }
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return false;
        };
        if left.is_zero() {
            return false;
        }
        state = shared
            .changed
            .wait_timeout(state, left)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}
