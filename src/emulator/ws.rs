//! The participant WebSocket (feature `websocket`): the URLs CreateParticipantConnection
//! issues, the upgrade on the HTTP port, the topics a client speaks, and the pushes of a
//! chat's items to its subscribed sockets.
//!
//! Each upgraded connection is served by two threads: the connection's own, which reads
//! the client's frames (with a short timeout, so that it notices a close or the emulator's
//! stop), and one that writes what is queued for the socket. The service queues pushes,
//! and the reading thread its answers, without blocking (a bounded channel per socket), under the state's
//! lock, so that every socket sees a chat's items in the order they landed and a stuck
//! client never stalls an operation: a socket whose queue is full is dropped instead.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Map, Value, json};
use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tungstenite::{Message, WebSocket};

use super::RecordedEvent;
use super::chat::{AGENT, Chat, ItemType, JOINED, MAX_PARTICIPANTS};
use super::http::{Outcome, Reply, Request, Upgrade};
use super::ids::new_uuid;
use super::service::{
    AgentError, DELIVERED, MAX_CONTENT, MAX_CONTENT_TYPE, NewItem, READ, Service, Shared, State,
    TYPING, WEBSOCKET_PATH, item_json,
};

/// How long a socket's reading thread waits for a client frame before it checks whether
/// the socket is closing or idle.
const READ_PAUSE: Duration = Duration::from_millis(50);
/// How long a socket's writing thread waits for its queue before it checks whether the
/// connection was closed by the client.
const WRITER_WAKE: Duration = Duration::from_millis(100);
/// The answer to a subscription to `aws/chat`.
const SUBSCRIBED: &str =
    r#"{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}"#;
/// How many frames a socket's queue holds; a push to a full queue drops the socket.
pub(super) const QUEUE_FRAMES: usize = 1024;
/// How many bytes of frames a socket's queue holds; past it, a push drops the socket.
pub(super) const QUEUE_BYTES: usize = 4 * 1024 * 1024;
/// The largest message and frame a client may send: its topics are a few dozen bytes.
pub(super) const MAX_CLIENT_MESSAGE: usize = 64 * 1024;
/// The most bytes waiting in a socket's write buffer: more than the largest frame pushed
/// (an item of 16 KiB of content escaped twice is well under 1 MiB).
const MAX_WRITE_BUFFER: usize = 4 * 1024 * 1024;
/// How long a socket that sent its close frame waits for the client's.
const CLOSE_WAIT: Duration = Duration::from_secs(1);
/// How many unexpired URLs are kept at most; a new one forgets the oldest beyond.
pub(super) const MAX_URLS: usize = 10_000;
/// The longest streamed message: as many chunks as this.
const MAX_CHUNKS: usize = 1000;

/// What a socket's thread is told to do.
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
    queue: SyncSender<Command>,
    /// The bytes of the text frames in `queue`.
    queued: Arc<AtomicUsize>,
    /// Set once its thread runs: to drop it without a close frame.
    stream: Option<Arc<TcpStream>>,
}

/// The WebSocket side's state, kept with the service's (under its lock), so that a URL is
/// checked against the chat, and an item is pushed, atomically with the chat's changes.
pub(super) struct Hub {
    urls: HashMap<String, Grant>,
    /// Secrets in issue order, which is expiry order: the order they are forgotten in.
    url_order: VecDeque<String>,
    sockets: HashMap<u64, Socket>,
    next_id: u64,
    /// Sockets whose thread has not ended (closed ones included): bounded by
    /// `max_websockets`.
    live: usize,
    pub(super) max_websockets: usize,
    pub(super) idle_timeout: Duration,
    pub(super) handshakes: usize,
    pub(super) refusals: usize,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            urls: HashMap::new(),
            url_order: VecDeque::new(),
            sockets: HashMap::new(),
            next_id: 0,
            live: 0,
            max_websockets: 256,
            idle_timeout: Duration::from_secs(60),
            handshakes: 0,
            refusals: 0,
        }
    }
}

impl Hub {
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
        let Some(socket) = self.sockets.get(&id) else {
            return false;
        };
        let size = match &command {
            Command::Text(t) => t.len(),
            Command::Close(_) => 0,
        };
        let fits = socket.queued.load(Ordering::SeqCst) + size <= QUEUE_BYTES;
        let sent = fits
            && match socket.queue.try_send(command) {
                Ok(()) => true,
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
            };
        if sent {
            socket.queued.fetch_add(size, Ordering::SeqCst);
            return true;
        }
        if let Some(socket) = self.sockets.remove(&id) {
            if let Some(stream) = socket.stream {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
        false
    }

    /// The ids of the sockets of a chat (of one participant, if `who`), subscribed only if
    /// `subscribed`.
    fn of_chat(&self, contact_id: &str, who: Option<usize>, subscribed: bool) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .sockets
            .iter()
            .filter(|(_, s)| {
                s.contact_id == contact_id
                    && who.is_none_or(|w| w == s.who)
                    && (s.subscribed || !subscribed)
            })
            .map(|(&id, _)| id)
            .collect();
        // In the order they were opened: the same order for every push.
        ids.sort_unstable();
        ids
    }

    /// Queues `text` for every subscribed socket of a chat; how many took it.
    pub(super) fn send_text(&mut self, contact_id: &str, text: &str) -> usize {
        let ids = self.of_chat(contact_id, None, true);
        ids.into_iter()
            .filter(|&id| self.send(id, Command::Text(text.to_owned())))
            .count()
    }

    /// Closes every socket of a chat (of one participant, if `who`) with a close frame of
    /// this code, after what is queued for it; forgets them. How many.
    pub(super) fn close(&mut self, contact_id: &str, who: Option<usize>, code: u16) -> usize {
        let ids = self.of_chat(contact_id, who, false);
        let n = ids.len();
        for id in ids {
            if self.send(id, Command::Close(code)) {
                self.sockets.remove(&id);
            }
        }
        n
    }

    /// Drops every socket of a chat: TCP shutdown, no close frame. How many.
    pub(super) fn drop_sockets(&mut self, contact_id: &str) -> usize {
        let ids = self.of_chat(contact_id, None, false);
        for id in &ids {
            if let Some(socket) = self.sockets.remove(id) {
                if let Some(stream) = socket.stream {
                    let _ = stream.shutdown(Shutdown::Both);
                }
            }
        }
        ids.len()
    }

    /// How many sockets of a chat are subscribed.
    pub(super) fn subscribed(&self, contact_id: &str) -> usize {
        self.of_chat(contact_id, None, true).len()
    }
}

/// The frame the emulator pushes for an item (as GetTranscript writes it): the item, with
/// `InitialContactId` and `ContactId`, as a JSON string inside the envelope.
pub(super) fn envelope(chat: &Chat, mut item: Value) -> String {
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
        state.hub.sockets.remove(&self.id);
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

/// A chat that is held and on, or why not.
fn live_chat<'s>(state: &'s State, contact_id: &str) -> Result<&'s Chat, AgentError> {
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
        let (queue, commands) = sync_channel(QUEUE_FRAMES);
        let queued = Arc::new(AtomicUsize::new(0));
        hub.sockets.insert(
            id,
            Socket {
                contact_id,
                who,
                subscribed: false,
                queue,
                queued: Arc::clone(&queued),
                stream: None,
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
                    commands,
                    queued,
                    idle_timeout,
                };
                connection.serve(stream, rest);
            }),
        }))
    }

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
}

/// What goes out on a socket, shared by its two threads, so that frames never interleave
/// and nothing follows a close.
#[derive(Default)]
struct Out {
    /// No more data frames: a close was sent or received, or a write failed.
    closed: bool,
    /// The server's close frame went out: tungstenite's own replies (pongs, the echo of
    /// the client's close) are no longer written.
    close_sent: bool,
}

fn lock_out(out: &Mutex<Out>) -> MutexGuard<'_, Out> {
    out.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The reading thread's side of the stream: reads from it, and writes what tungstenite
/// answers by itself (pongs, the echo of a close) whole, under the [`Out`] lock, so that it
/// never lands inside a frame the writing thread is writing.
struct ReadSide<'a> {
    stream: &'a TcpStream,
    out: &'a Mutex<Out>,
}

impl Read for ReadSide<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.stream).read(buf)
    }
}

impl Write for ReadSide<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let out = lock_out(self.out);
        if !out.close_sent {
            (&*self.stream).write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// An upgraded connection: read by the connection's thread, written by a thread of its own
/// that waits on the socket's queue, so that a push goes out as soon as it is queued and a
/// client's frame is answered as soon as it arrives.
struct Connection {
    slot: Slot,
    commands: Receiver<Command>,
    queued: Arc<AtomicUsize>,
    idle_timeout: Duration,
}

impl Connection {
    /// Serves the socket until it ends: the client closes it or goes silent for
    /// `idle_timeout`, the server's close is answered (or [`CLOSE_WAIT`] passes), the
    /// socket is dropped, a write waits `idle_timeout`, or the emulator stops (which
    /// shuts the stream). Each read waits at most [`READ_PAUSE`]. The writing thread is
    /// joined before this returns.
    fn serve(self, stream: &Arc<TcpStream>, rest: Vec<u8>) {
        let Connection {
            slot,
            commands,
            queued,
            idle_timeout,
        } = self;
        // Frames are small and each should go at once, not wait for the client's
        // acknowledgment of the previous one (Nagle's algorithm).
        if stream.set_read_timeout(Some(READ_PAUSE)).is_err()
            || stream.set_write_timeout(Some(idle_timeout)).is_err()
            || stream.set_nodelay(true).is_err()
        {
            return;
        }
        let shared = Arc::clone(&slot.shared);
        {
            let mut state = shared.lock();
            // Not there if closed or dropped between the upgrade and now: its queue then
            // ends with a close, or is cut off.
            if let Some(socket) = state.hub.sockets.get_mut(&slot.id) {
                socket.stream = Some(Arc::clone(stream));
            }
        }
        let out = Arc::new(Mutex::new(Out::default()));
        let writer = {
            let (stream, out) = (Arc::clone(stream), Arc::clone(&out));
            thread::Builder::new()
                .name("connect-participant-emulator-ws".into())
                .spawn(move || write_loop(&stream, &out, &commands, &queued))
        };
        let Ok(writer) = writer else {
            return;
        };
        read_loop(&slot, stream, &out, rest, idle_timeout);
        // Forgotten first, so that the writing thread sees its queue end; the stream is
        // shut, so that a write waiting on the client returns.
        shared.lock().hub.sockets.remove(&slot.id);
        lock_out(&out).closed = true;
        let _ = stream.shutdown(Shutdown::Both);
        let _ = writer.join();
        // `slot` is given back here, once both threads are done.
    }
}

/// The connection's thread: reads the client's frames and answers them, until the
/// connection ends.
fn read_loop(
    slot: &Slot,
    stream: &TcpStream,
    out: &Mutex<Out>,
    rest: Vec<u8>,
    idle_timeout: Duration,
) {
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .max_message_size(Some(MAX_CLIENT_MESSAGE))
        .max_frame_size(Some(MAX_CLIENT_MESSAGE));
    let side = ReadSide { stream, out };
    let mut ws = WebSocket::from_partially_read(side, rest, Role::Server, Some(config));
    let mut heard = Instant::now();
    let mut closing: Option<Instant> = None;
    let mut asked_to_close = false;
    loop {
        match ws.read() {
            Ok(Message::Text(text)) => {
                heard = Instant::now();
                answer(slot, text.as_str());
            }
            Ok(Message::Close(_)) => {
                let mut o = lock_out(out);
                if o.close_sent {
                    // The client answered the server's close: done.
                    return;
                }
                // The client's close: no more data frames; tungstenite echoes it at the
                // next read, which then ends the connection.
                o.closed = true;
            }
            // Pings are answered by tungstenite at the next read; binary frames and pongs
            // are ignored.
            Ok(_) => heard = Instant::now(),
            Err(tungstenite::Error::Io(e)) if is_io_timeout(&e) => {}
            Err(_) => return,
        }
        if lock_out(out).close_sent {
            let since = *closing.get_or_insert_with(Instant::now);
            if since.elapsed() >= CLOSE_WAIT {
                return;
            }
        } else if !asked_to_close && heard.elapsed() >= idle_timeout {
            // Silent too long (a client heartbeats every 10 s): closed as the service's
            // idle sockets would be, through the queue like any close.
            asked_to_close = true;
            let mut state = slot.shared.lock();
            if !state.hub.send(slot.id, Command::Close(1001)) {
                return;
            }
            state.hub.sockets.remove(&slot.id);
        }
    }
}

/// The writing thread: writes what is queued for the socket, in order, until its queue
/// ends (the socket is forgotten), its close is written, a write fails or waits
/// `idle_timeout` for the client, or the connection is closed by the client.
fn write_loop(
    stream: &TcpStream,
    out: &Mutex<Out>,
    commands: &Receiver<Command>,
    queued: &AtomicUsize,
) {
    loop {
        let command = match commands.recv_timeout(WRITER_WAKE) {
            Ok(command) => command,
            Err(RecvTimeoutError::Timeout) if !lock_out(out).closed => continue,
            Err(_) => return,
        };
        let (frame, last) = match command {
            Command::Text(text) => {
                queued.fetch_sub(text.len(), Ordering::SeqCst);
                let frame = Frame::message(text.into_bytes(), OpCode::Data(Data::Text), true);
                (frame, false)
            }
            Command::Close(code) => {
                let close = CloseFrame {
                    code: CloseCode::from(code),
                    reason: "".into(),
                };
                (Frame::close(Some(close)), true)
            }
        };
        let mut bytes = Vec::new();
        if frame.format(&mut bytes).is_err() {
            return;
        }
        let mut o = lock_out(out);
        if o.closed {
            return;
        }
        if (&*stream).write_all(&bytes).is_err() {
            o.closed = true;
            drop(o);
            // The reading thread's read then ends too.
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
        if last {
            o.closed = true;
            o.close_sent = true;
            return;
        }
    }
}

/// Answers a client's text frame, through the socket's queue: a subscription to
/// `aws/chat`, a heartbeat, a deep heartbeat. Anything else is ignored.
fn answer(slot: &Slot, text: &str) {
    let Ok(frame) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let shared = &slot.shared;
    let answer = match frame.get("topic").and_then(Value::as_str) {
        Some("aws/subscribe") => {
            let topics = frame.pointer("/content/topics").and_then(Value::as_array);
            if !topics.is_some_and(|t| t.iter().any(|t| t == "aws/chat")) {
                return;
            }
            let mut state = shared.lock();
            let Some(socket) = state.hub.sockets.get_mut(&slot.id) else {
                return;
            };
            socket.subscribed = true;
            // Queued under the lock that pushes take: the answer goes before any push.
            state.hub.send(slot.id, Command::Text(SUBSCRIBED.into()));
            drop(state);
            shared.changed.notify_all();
            return;
        }
        Some("aws/heartbeat") => r#"{"topic":"aws/heartbeat"}"#,
        Some("aws/ping") => r#"{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}"#,
        _ => return,
    };
    if shared.heartbeat_answers.load(Ordering::SeqCst) {
        shared
            .lock()
            .hub
            .send(slot.id, Command::Text(answer.into()));
    }
}

fn is_io_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Waits on the service's condition variable until `done` holds or `timeout` passes.
pub(super) fn wait_until(
    shared: &Shared,
    timeout: Duration,
    mut done: impl FnMut(&State) -> bool,
) -> bool {
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

#[cfg(test)]
mod tests {
    use super::super::chat::CUSTOMER;
    use super::*;

    fn service() -> Service {
        super::super::service::small_service()
    }

    fn request(path: &str, headers: &[(&str, &str)]) -> Request {
        Request {
            method: "GET".into(),
            path: path.into(),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: Vec::new(),
            close: false,
        }
    }

    fn status(outcome: Option<Outcome>) -> Option<u16> {
        match outcome? {
            Outcome::Reply(r) => Some(r.status),
            Outcome::Upgrade(_) => Some(101),
            _ => Some(0),
        }
    }

    #[test]
    fn hostile_handshakes_get_answers_and_only_a_live_url_is_upgraded() {
        let service = service();
        let started = service.lock().chats.start_chat();
        let secret = "ab".repeat(32);
        {
            let mut state = service.lock();
            let now = state.chats.now();
            let expiry = now + Duration::from_secs(100);
            state
                .hub
                .issue_url(&secret, &started.contact_id, CUSTOMER, expiry, now);
        }
        let upgrade = [
            ("Upgrade", "WebSocket"),
            ("Connection", "keep-alive, Upgrade"),
            ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ];
        let path = format!("{WEBSOCKET_PATH}{secret}");
        assert_eq!(
            status(service.websocket(&request("/participant/x", &upgrade))),
            None
        );
        assert_eq!(status(service.websocket(&request(&path, &[]))), Some(400));
        assert_eq!(
            status(service.websocket(&request(&path, &upgrade[..3]))),
            Some(400)
        );
        for bad in ["", "\u{0}", "ab", &"ab".repeat(10_000), "../../etc", "%2F"] {
            let p = format!("{WEBSOCKET_PATH}{bad}");
            assert_eq!(status(service.websocket(&request(&p, &upgrade))), Some(403));
        }
        assert_eq!(service.lock().hub.refusals, 6);
        // The live URL is upgraded; dropping the upgrade unused gives its place back.
        match service.websocket(&request(&path, &upgrade)) {
            Some(Outcome::Upgrade(u)) => {
                let head = String::from_utf8(u.head.clone()).unwrap();
                // RFC 6455's own example key and answer.
                assert!(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
                assert_eq!(service.lock().hub.live, 1);
            }
            _ => panic!("expected an upgrade"),
        }
        assert_eq!(service.lock().hub.live, 0);
        assert!(service.lock().hub.sockets.is_empty());
        // Expired: refused.
        service.lock().chats.clock.advance(Duration::from_secs(100));
        assert_eq!(
            status(service.websocket(&request(&path, &upgrade))),
            Some(403)
        );
    }

    #[test]
    fn urls_kept_are_bounded_and_expired_ones_forgotten() {
        let mut hub = Hub::default();
        let now = SystemTime::now();
        for n in 0..MAX_URLS + 5 {
            hub.issue_url(&n.to_string(), "c", 0, now + Duration::from_secs(100), now);
        }
        assert_eq!(hub.urls.len(), MAX_URLS);
        assert!(!hub.urls.contains_key("0"));
        let later = now + Duration::from_secs(101);
        hub.issue_url("new", "c", 0, later + Duration::from_secs(100), later);
        assert_eq!(hub.urls.len(), 1);
        assert_eq!(hub.url_order.len(), 1);
    }
}
