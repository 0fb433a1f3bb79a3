#![doc = include_str!("../../docs/emulator.md")]
// The WebSocket section links to items that exist with the `websocket` feature only;
// docs.rs builds all features, so a build without it need not resolve them.
#![cfg_attr(not(feature = "websocket"), allow(rustdoc::broken_intra_doc_links))]

mod attachments;
mod chat;
mod faults;
mod http;
mod ids;
mod service;
mod views;
// Without the feature, a stand-in of the same name that serves no sockets: what the
// service tells the WebSocket side goes nowhere, and no call site needs a `cfg`.
#[cfg(feature = "websocket")]
mod ws;
#[cfg(not(feature = "websocket"))]
#[path = "no_websocket.rs"]
mod ws;

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::client::{Client, ClientBuilder};
use crate::{ConnectionToken, Endpoint};

pub use faults::Fault;

use chat::{ChatLimits, Chats};
use http::{Admit, Handler, HttpLimits, Outcome, Reply, Request, Server};
use service::{AgentError, Service, ServiceSettings};

/// One event the emulator accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedEvent {
    /// The `Id` the emulator answered.
    pub id: String,
    /// The `AbsoluteTime` the emulator answered.
    pub absolute_time: String,
    /// The `ContentType` sent.
    pub content_type: String,
    /// The `Content` sent, if any.
    pub content: Option<String>,
    /// The `ClientToken` sent, if any; an empty one is taken as none.
    pub client_token: Option<String>,
    /// The chat it was sent in.
    pub contact_id: String,
    /// The participant that sent it.
    pub participant_id: String,
}

/// One request as the emulator received it, kept for tests to inspect: every attempt of a
/// retried call shows up here, also those answered with an injected fault.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeenRequest {
    /// The method, such as `POST`.
    pub method: String,
    /// The path, without any query.
    pub path: String,
    /// The headers in arrival order, names as sent, except `X-Amz-Bearer`: the tokens are
    /// secrets and are not kept.
    pub headers: Vec<(String, String)>,
    /// The body, or as much of it as fits in
    /// [`max_seen_bytes`](EmulatorBuilder::max_seen_bytes) beside the head.
    pub body: Vec<u8>,
}

impl SeenRequest {
    /// The bytes it holds, as counted against
    /// [`max_seen_bytes`](EmulatorBuilder::max_seen_bytes): its method, path, header names
    /// and values, and body.
    pub fn kept_bytes(&self) -> usize {
        self.method.len()
            + self.path.len()
            + self
                .headers
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
            + self.body.len()
    }

    /// The first header of this name (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body's `ClientToken` member, if the body is JSON and has one.
    pub fn client_token(&self) -> Option<String> {
        let body: Value = serde_json::from_slice(&self.body).ok()?;
        body.get("ClientToken")?.as_str().map(str::to_owned)
    }
}

impl fmt::Debug for SeenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeenRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

/// A chat the emulator started, as StartChatContact answers: the contact and the
/// customer's participant token (for CreateParticipantConnection), and the ids of its two
/// participants. Its `Debug` does not show the token.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StartedChat {
    /// The chat's contact id (a UUID), also its `InitialContactId`.
    pub contact_id: String,
    /// The customer's participant token: random visible ASCII, 260 characters.
    pub participant_token: String,
    /// The customer's participant id (a UUID); display name `Customer`, role `CUSTOMER`.
    pub customer_participant_id: String,
    /// The agent's participant id (a UUID); display name `Agent`, role `AGENT`.
    pub agent_participant_id: String,
}

impl fmt::Debug for StartedChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartedChat")
            .field("contact_id", &self.contact_id)
            .field("participant_token", &"[redacted]")
            .field("customer_participant_id", &self.customer_participant_id)
            .field("agent_participant_id", &self.agent_participant_id)
            .finish()
    }
}

/// Settings for an [`Emulator`], from [`Emulator::builder`]. Each setting's documentation
/// gives its default; [`Emulator::start`] starts one with all the defaults.
///
/// ```
/// use std::time::Duration;
/// use connect_participant::emulator::Emulator;
///
/// // Room for a hundred long-lived connections and large uploads, and a short memory.
/// let emulator = Emulator::builder()
///     .max_connections(128)
///     .idle_timeout(Duration::from_secs(300))
///     .max_body(32 * 1024 * 1024)
///     .max_seen_requests(100)
///     .start()?;
/// # drop(emulator);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct EmulatorBuilder {
    limits: Limits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Limits {
    port: u16,
    max_connections: usize,
    idle_timeout: Duration,
    max_body: usize,
    max_seen_requests: usize,
    max_seen_bytes: usize,
    max_events: usize,
    max_kept_bytes: usize,
    max_chats: usize,
    max_items_per_chat: usize,
    connection_token_lifetime: Duration,
    empty_next_token_on_last_page: bool,
    empty_disconnect_body: bool,
    max_attachments_per_chat: usize,
    #[cfg(feature = "websocket")]
    max_websockets: usize,
}

impl EmulatorBuilder {
    /// The default of [`max_connections`](Self::max_connections): 256.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
    /// The default of [`idle_timeout`](Self::idle_timeout): 60 seconds.
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
    /// The default of [`max_body`](Self::max_body): 1 MiB, ten times the largest legal
    /// request of the service (SendMessage with 16,384 characters of content, each escaped
    /// to as many as 6 bytes of JSON, is about 100 KiB).
    pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;
    /// The default of [`max_seen_requests`](Self::max_seen_requests): 1000.
    pub const DEFAULT_MAX_SEEN_REQUESTS: usize = 1000;
    /// The default of [`max_events`](Self::max_events): 100,000.
    pub const DEFAULT_MAX_EVENTS: usize = 100_000;
    /// The default of [`max_seen_bytes`](Self::max_seen_bytes): 64 MiB.
    pub const DEFAULT_MAX_SEEN_BYTES: usize = 64 * 1024 * 1024;
    /// The default of [`max_kept_bytes`](Self::max_kept_bytes): 256 MiB.
    pub const DEFAULT_MAX_KEPT_BYTES: usize = 256 * 1024 * 1024;
    /// The default of [`max_chats`](Self::max_chats): 1000.
    pub const DEFAULT_MAX_CHATS: usize = 1000;
    /// The default of [`max_items_per_chat`](Self::max_items_per_chat): 1000.
    pub const DEFAULT_MAX_ITEMS_PER_CHAT: usize = 1000;
    /// The default of [`connection_token_lifetime`](Self::connection_token_lifetime): one
    /// day, as the service documents.
    pub const DEFAULT_CONNECTION_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
    /// How many connection tokens a participant keeps: a new one forgets the expired ones,
    /// then the oldest beyond this many, so that a client calling CreateParticipantConnection
    /// in a loop cannot grow the emulator's memory.
    pub const CONNECTION_TOKENS_PER_PARTICIPANT: usize = chat::TOKENS_PER_PARTICIPANT;

    /// The port to listen on, on `127.0.0.1`; default 0, a free port chosen by the system
    /// (see [`Emulator::addr`]).
    pub fn port(mut self, port: u16) -> Self {
        self.limits.port = port;
        self
    }

    /// The most connections open at once; default
    /// [`DEFAULT_MAX_CONNECTIONS`](Self::DEFAULT_MAX_CONNECTIONS) (256). Each costs one file
    /// descriptor, so the default leaves most of the common limit of 1024 to the rest of
    /// the process (its clients' own sockets included). With this many open, a new
    /// connection closes the one that has waited longest for its next request; if every
    /// one is busy answering a request, the newcomer is closed instead. Zero is refused by
    /// [`start`](Self::start).
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max;
        self
    }

    /// How long a connection may wait for the next request, or for the next bytes of one,
    /// and how long an answer may wait for the client to take it, before the connection is
    /// closed; default [`DEFAULT_IDLE_TIMEOUT`](Self::DEFAULT_IDLE_TIMEOUT) (60 s). Zero is
    /// refused by [`start`](Self::start).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// The largest request body accepted, in bytes; a larger one is answered with HTTP 400
    /// and the connection closed. Default [`DEFAULT_MAX_BODY`](Self::DEFAULT_MAX_BODY)
    /// (1 MiB; it was 64 MiB before 0.2.0, which let 256 connections hold 16 GiB). Memory
    /// is taken as the bytes arrive, not as `Content-Length` announces them. Zero is
    /// refused by [`start`](Self::start): most operations have a body. An upload to an
    /// attachment's presigned URL is not bounded by it but by the attachment's declared
    /// size (at most 20,000,000 bytes).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.limits.max_body = bytes;
        self
    }

    /// How many requests [`Emulator::seen_requests`] keeps, the newest; default
    /// [`DEFAULT_MAX_SEEN_REQUESTS`](Self::DEFAULT_MAX_SEEN_REQUESTS) (1000). Zero keeps
    /// none; [`Emulator::requests`] counts them all regardless.
    pub fn max_seen_requests(mut self, max: usize) -> Self {
        self.limits.max_seen_requests = max;
        self
    }

    /// How many bytes the requests kept by [`Emulator::seen_requests`] hold in all, heads
    /// and bodies: each request's method, path, header names and values, and body (see
    /// [`SeenRequest::kept_bytes`]). The oldest requests are dropped to make room for a new
    /// one; a body that does not fit beside its head even alone is kept cut, and a request
    /// whose head alone does not fit is not kept (only counted by [`Emulator::requests`]).
    /// Default [`DEFAULT_MAX_SEEN_BYTES`](Self::DEFAULT_MAX_SEEN_BYTES) (64 MiB). Zero keeps
    /// none.
    ///
    /// New in 0.2.0, replacing `max_seen_body_bytes`, which counted bodies alone: a client
    /// could send heads of thousands of headers that were kept uncounted.
    pub fn max_seen_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_seen_bytes = bytes;
        self
    }

    /// How many accepted events [`Emulator::events`] keeps, the newest; default
    /// [`DEFAULT_MAX_EVENTS`](Self::DEFAULT_MAX_EVENTS) (100,000, each with up to 16,384
    /// characters of content, as many as 64 KiB; [`max_kept_bytes`](Self::max_kept_bytes)
    /// bounds their bytes). The oldest is forgotten with its client token, so a repeat of
    /// that token is then a new event. Zero is refused by [`start`](Self::start): an event
    /// must be kept at least until its answer is written.
    pub fn max_events(mut self, max: usize) -> Self {
        self.limits.max_events = max;
        self
    }

    /// How many chats are kept; default [`DEFAULT_MAX_CHATS`](Self::DEFAULT_MAX_CHATS)
    /// (1000). Starting one more forgets the oldest chat, its transcript and its tokens:
    /// later calls with them get 403, as for an ended chat. Zero is refused by
    /// [`start`](Self::start).
    pub fn max_chats(mut self, max: usize) -> Self {
        self.limits.max_chats = max;
        self
    }

    /// How many transcript items each chat keeps, the newest; default
    /// [`DEFAULT_MAX_ITEMS_PER_CHAT`](Self::DEFAULT_MAX_ITEMS_PER_CHAT) (1000, at most
    /// 16,384 bytes of content each; [`max_kept_bytes`](Self::max_kept_bytes) bounds their
    /// bytes across chats). A new item forgets the oldest, with its client token (a repeat
    /// of that SendMessage is then a new message). Zero is refused by
    /// [`start`](Self::start).
    pub fn max_items_per_chat(mut self, max: usize) -> Self {
        self.limits.max_items_per_chat = max;
        self
    }

    /// How many bytes the chats' transcripts, the event record ([`Emulator::events`]) and
    /// the attachments may hold together, as [`Emulator::kept_bytes`] counts them: the strings of every item
    /// (id, time, content type, content, client token, receipt times) and of every event
    /// (its members and its client token), and the bytes uploaded for each attachment.
    /// Default [`DEFAULT_MAX_KEPT_BYTES`](Self::DEFAULT_MAX_KEPT_BYTES) (256 MiB). When a new
    /// item, event or upload takes the count past it, the bytes of the attachments uploaded
    /// longest ago are forgotten first (never the newest's), then the oldest events (with their
    /// client tokens; the newest event is always kept), then the oldest chats other than the
    /// one written to (their transcripts and tokens: later calls with them get 403), then
    /// the oldest items of that chat (its newest is always kept). So the count exceeds it
    /// only if one item, event or attachment is larger on its own. The structures around the strings
    /// (maps, tokens, participant ids) add a bounded amount per item, event and chat, which
    /// [`max_events`](Self::max_events), [`max_chats`](Self::max_chats) and
    /// [`max_items_per_chat`](Self::max_items_per_chat) bound. Zero is refused by
    /// [`start`](Self::start).
    pub fn max_kept_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_kept_bytes = bytes;
        self
    }

    /// How long a connection token is valid after CreateParticipantConnection issues it,
    /// by the emulator's clock; default
    /// [`DEFAULT_CONNECTION_TOKEN_LIFETIME`](Self::DEFAULT_CONNECTION_TOKEN_LIFETIME) (one
    /// day). Zero is refused by [`start`](Self::start).
    pub fn connection_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.limits.connection_token_lifetime = lifetime;
        self
    }

    /// Whether GetTranscript's last page carries `"NextToken":""` (as the service has been
    /// seen to answer) rather than no `NextToken`; default `false`. Clients must stop on
    /// both.
    pub fn empty_next_token_on_last_page(mut self, on: bool) -> Self {
        self.limits.empty_next_token_on_last_page = on;
        self
    }

    /// Whether DisconnectParticipant answers an empty body (as the documentation says)
    /// rather than `{}`; default `false`. Clients must take both.
    pub fn empty_disconnect_body(mut self, on: bool) -> Self {
        self.limits.empty_disconnect_body = on;
        self
    }

    /// The default of [`max_attachments_per_chat`](Self::max_attachments_per_chat): 100.
    pub const DEFAULT_MAX_ATTACHMENTS_PER_CHAT: usize = 100;

    /// How many attachment uploads (StartAttachmentUpload calls with distinct client
    /// tokens) a chat may start; one more is answered 402
    /// `ServiceQuotaExceededException`, as the service answers past its quota of
    /// attachments per contact. Default
    /// [`DEFAULT_MAX_ATTACHMENTS_PER_CHAT`](Self::DEFAULT_MAX_ATTACHMENTS_PER_CHAT) (100).
    /// Zero refuses every upload.
    pub fn max_attachments_per_chat(mut self, max: usize) -> Self {
        self.limits.max_attachments_per_chat = max;
        self
    }

    /// Binds `127.0.0.1` on [`port`](Self::port) and starts serving.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidInput`] if `max_connections`, `idle_timeout`, `max_body`,
    /// `max_events`, `max_kept_bytes`, `max_chats`, `max_items_per_chat` or
    /// `connection_token_lifetime` is
    /// zero; otherwise what binding (a port in use, say) or starting its thread returns.
    pub fn start(self) -> io::Result<Emulator> {
        let limits = self.limits;
        let zeros = [
            ("max_connections", limits.max_connections == 0),
            ("idle_timeout", limits.idle_timeout.is_zero()),
            ("max_body", limits.max_body == 0),
            ("max_events", limits.max_events == 0),
            ("max_kept_bytes", limits.max_kept_bytes == 0),
            ("max_chats", limits.max_chats == 0),
            ("max_items_per_chat", limits.max_items_per_chat == 0),
            (
                "connection_token_lifetime",
                limits.connection_token_lifetime.is_zero(),
            ),
        ];
        if let Some((name, _)) = zeros.iter().find(|(_, zero)| *zero) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the emulator's {name} must not be zero"),
            ));
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, limits.port))?;
        let addr = listener.local_addr()?;
        let chats = Chats::new(ChatLimits {
            max_chats: limits.max_chats,
            max_items_per_chat: limits.max_items_per_chat,
            connection_token_lifetime: limits.connection_token_lifetime,
        });
        let settings = ServiceSettings {
            max_events: limits.max_events,
            max_kept_bytes: limits.max_kept_bytes,
            empty_next_token_on_last_page: limits.empty_next_token_on_last_page,
            empty_disconnect_body: limits.empty_disconnect_body,
            max_attachments_per_chat: limits.max_attachments_per_chat,
        };
        let app = Arc::new(App {
            limits,
            service: Service::new(chats, settings, addr.to_string()),
            records: Mutex::default(),
        });
        app.service.lock().hub.configure(&limits);
        let http_limits = HttpLimits {
            max_connections: limits.max_connections,
            idle_timeout: limits.idle_timeout,
            max_body: limits.max_body,
        };
        let handler: Arc<dyn Handler> = Arc::clone(&app) as Arc<dyn Handler>;
        let server = Server::start(listener, http_limits, handler, service::cors_headers())?;
        Ok(Emulator { server, app })
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            limits: Limits {
                port: 0,
                max_connections: Self::DEFAULT_MAX_CONNECTIONS,
                idle_timeout: Self::DEFAULT_IDLE_TIMEOUT,
                max_body: Self::DEFAULT_MAX_BODY,
                max_seen_requests: Self::DEFAULT_MAX_SEEN_REQUESTS,
                max_seen_bytes: Self::DEFAULT_MAX_SEEN_BYTES,
                max_events: Self::DEFAULT_MAX_EVENTS,
                max_kept_bytes: Self::DEFAULT_MAX_KEPT_BYTES,
                max_chats: Self::DEFAULT_MAX_CHATS,
                max_items_per_chat: Self::DEFAULT_MAX_ITEMS_PER_CHAT,
                connection_token_lifetime: Self::DEFAULT_CONNECTION_TOKEN_LIFETIME,
                empty_next_token_on_last_page: false,
                empty_disconnect_body: false,
                max_attachments_per_chat: Self::DEFAULT_MAX_ATTACHMENTS_PER_CHAT,
                #[cfg(feature = "websocket")]
                max_websockets: Self::DEFAULT_MAX_WEBSOCKETS,
            },
        }
    }
}

/// What the HTTP layer is handed: the service, with the faults to apply and the requests
/// to keep around it.
struct App {
    limits: Limits,
    service: Service,
    records: Mutex<Records>,
}

#[derive(Default)]
struct Records {
    faults: VecDeque<Fault>,
    seen: VecDeque<SeenRequest>,
    /// The bytes held in `seen`, as [`SeenRequest::kept_bytes`] counts them.
    seen_bytes: usize,
}

impl App {
    fn records(&self) -> MutexGuard<'_, Records> {
        // A panicking request must not take the whole emulator down with it.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Handler for App {
    fn admit(&self, head: &Request, max_body: usize) -> Admit {
        // An upload's body is bounded by its declared size, not by `max_body`.
        if head.path.starts_with(attachments::UPLOAD_PATH) {
            return self.service.admit_upload(head);
        }
        Admit::Body(max_body)
    }

    fn handle(&self, request: &Request) -> Outcome {
        // The presigned URLs (S3's part) take no fault and are not kept: their paths are
        // secrets, and an upload's body may be 20 MB.
        if let Some(reply) = self.service.presigned(request) {
            return Outcome::Reply(reply);
        }
        // A WebSocket URL takes no fault and is not kept: its path is a secret, and a
        // client's socket must not take a fault queued for the test's next call.
        if let Some(outcome) = self.service.websocket(request) {
            return outcome;
        }
        let fault = {
            let mut records = self.records();
            records.keep(request, &self.limits);
            records.faults.pop_front()
        };
        match fault {
            None => Outcome::Reply(self.service.handle(request)),
            Some(fault) => fault.apply(|| self.service.handle(request)),
        }
    }

    fn malformed(&self, status: u16, message: &str) -> Reply {
        service::error_reply(status, "SerializationException", message)
    }
}

impl Records {
    /// Keeps what [`Emulator::seen_requests`] shows of `request` (no bearer, the body cut to
    /// the byte budget), dropping the oldest to stay within the limits.
    fn keep(&mut self, request: &Request, limits: &Limits) {
        if limits.max_seen_requests == 0 {
            return;
        }
        let kept_header = |(k, _): &&(String, String)| !k.eq_ignore_ascii_case("x-amz-bearer");
        let head_bytes = request.method.len()
            + request.path.len()
            + request
                .headers
                .iter()
                .filter(kept_header)
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        // A head that does not fit even alone is not kept at all.
        let Some(room) = limits.max_seen_bytes.checked_sub(head_bytes) else {
            return;
        };
        // Only what is kept is copied: a body over the budget is cut before the copy.
        let kept_body = request.body.len().min(room);
        let request = SeenRequest {
            method: request.method.clone(),
            path: request.path.clone(),
            headers: request
                .headers
                .iter()
                .filter(kept_header)
                .cloned()
                .collect(),
            body: request.body[..kept_body].to_vec(),
        };
        let size = head_bytes + kept_body;
        while self.seen.len() >= limits.max_seen_requests
            || self.seen_bytes + size > limits.max_seen_bytes
        {
            let Some(oldest) = self.seen.pop_front() else {
                break;
            };
            self.seen_bytes -= oldest.kept_bytes();
        }
        self.seen_bytes += size;
        self.seen.push_back(request);
    }
}

/// A running emulator. Dropping it stops it and closes its connections.
pub struct Emulator {
    // Declared first so that it is dropped first: the server's threads hold the app.
    server: Server,
    app: Arc<App>,
}

impl Emulator {
    /// Binds `127.0.0.1` on a free port and starts serving, with the default bounds:
    /// shorthand for `Emulator::builder().start()`.
    pub fn start() -> io::Result<Emulator> {
        Emulator::builder().start()
    }

    /// Settings for an emulator with other bounds than the defaults.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Its base URL, `http://127.0.0.1:<port>`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// Its base URL, `http://127.0.0.1:<port>`: the same as
    /// [`endpoint_url`](Self::endpoint_url), to print for other programs (an SDK's
    /// `endpoint_url`, a browser page).
    pub fn url(&self) -> String {
        self.endpoint_url()
    }

    /// Its endpoint, for [`send_event`](crate::send_event).
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::from_url(&self.endpoint_url()).expect("a socket address is a valid URL")
    }

    /// A client builder already pointed at the emulator.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder().endpoint_url(self.endpoint_url())
    }

    /// Blocks the calling thread for as long as the process runs, while the emulator serves
    /// from its own threads: for a program that only serves. It never returns; the process
    /// ends it (Ctrl-C, say).
    pub fn wait(&self) -> ! {
        loop {
            // `park` may return spuriously; nothing unparks this thread on purpose.
            thread::park();
        }
    }

    /// Starts a chat, as StartChatContact would: a customer and an agent, each with a
    /// `participant.joined` event in the transcript. If
    /// [`max_chats`](EmulatorBuilder::max_chats) are kept, the oldest is forgotten.
    pub fn start_chat(&self) -> StartedChat {
        let s = self.app.service.start_chat();
        StartedChat {
            contact_id: s.contact_id,
            participant_token: s.participant_token,
            customer_participant_id: s.customer_id,
            agent_participant_id: s.agent_id,
        }
    }

    /// Issues a connection token for a chat's customer, as CreateParticipantConnection
    /// would (it expires after
    /// [`connection_token_lifetime`](EmulatorBuilder::connection_token_lifetime)).
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold (never started,
    /// or forgotten to make room); [`io::ErrorKind::PermissionDenied`] if the chat has
    /// ended or the customer has left it.
    pub fn connection_token_for(&self, contact_id: &str) -> io::Result<ConnectionToken> {
        let mut state = self.app.service.lock();
        let chat = state
            .chats
            .chat(contact_id)
            .ok_or_else(|| unknown_contact(contact_id))?;
        if chat.ended || chat.participants[chat::CUSTOMER].left.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the chat has ended or the customer has left it",
            ));
        }
        let (token, _) = state
            .chats
            .issue(contact_id, chat::CUSTOMER)
            .ok_or_else(|| unknown_contact(contact_id))?;
        ConnectionToken::new(token)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
    }

    /// A connection token of a new chat's customer: [`start_chat`](Self::start_chat), then
    /// [`connection_token_for`](Self::connection_token_for). The shortest way to a token
    /// the emulator accepts.
    pub fn connection_token(&self) -> ConnectionToken {
        let chat = self.start_chat();
        // A chat just started is held, on, and its customer present; and the emulator's
        // tokens are visible ASCII of a valid length.
        self.connection_token_for(&chat.contact_id)
            .expect("a chat just started takes a connection token")
    }

    /// The agent says `content` (of `content_type`, any type of 1 to 100 characters: the
    /// agent's side may send what a customer may not) in a chat; returns the new item's
    /// `Id`.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold;
    /// [`io::ErrorKind::InvalidInput`] if the chat has ended, or for content out of its
    /// limits (1 to 16,384 bytes) or an empty or longer content type.
    pub fn agent_says(
        &self,
        contact_id: &str,
        content: &str,
        content_type: &str,
    ) -> io::Result<String> {
        self.app
            .service
            .agent_says(contact_id, content, content_type)
            .map(|(id, _)| id)
            .map_err(|e| agent_error(contact_id, e))
    }

    /// Ends a chat: a `chat.ended` event in its transcript, then every call for it is
    /// refused with 403, CreateParticipantConnection included. Ending an ended chat
    /// changes nothing.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold.
    pub fn end_chat(&self, contact_id: &str) -> io::Result<()> {
        if self.app.service.end_chat(contact_id) {
            Ok(())
        } else {
            Err(unknown_contact(contact_id))
        }
    }

    /// Registers the view DescribeView answers for `view_token`: `view_json` is the `View`
    /// object's JSON text (`{"Arn":…,"Content":{"Actions":[…],"InputSchema":…,
    /// "Template":…},"Id":…,"Name":…,"Version":1}`, say), answered as
    /// `{"View":<view_json>}`, its members in the order given. Any chat's connection token
    /// may read it. Registering a token again replaces its view; the emulator keeps the
    /// newest 10,000 views.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidInput`] for a view token of other than 1 to 1000 characters,
    /// or a `view_json` that is not a JSON object.
    pub fn add_view(&self, view_token: &str, view_json: &str) -> io::Result<()> {
        let n = view_token.chars().count();
        if n == 0 || n > views::MAX_VIEW_TOKEN {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a view token has 1 to 1000 characters",
            ));
        }
        if !matches!(
            serde_json::from_str::<Value>(view_json),
            Ok(Value::Object(_))
        ) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a view is a JSON object",
            ));
        }
        let view = view_json.trim().to_owned();
        self.app.service.lock().views.add(view_token, view);
        Ok(())
    }

    /// Starts an Authenticate Customer block in a chat: adds an `EVENT` item
    /// `application/vnd.amazonaws.connect.event.authentication.initiated`, with `Content`
    /// `{"SessionId":"<36-character UUID>"}` and no sender (the chat's own event, as
    /// `chat.ended`), to its transcript, pushes it to its WebSockets, and returns the
    /// session id. GetAuthenticationUrl takes the session, from this chat's tokens, for 60
    /// seconds of the emulator's clock; CancelParticipantAuthentication until the
    /// emulator forgets it (it keeps the newest 10,000 sessions).
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold;
    /// [`io::ErrorKind::InvalidInput`] if the chat has ended.
    pub fn start_authentication(&self, contact_id: &str) -> io::Result<String> {
        self.app
            .service
            .start_authentication(contact_id)
            .map_err(|e| agent_error(contact_id, e))
    }

    /// The bytes last uploaded whole to an attachment's upload URL, completed or not;
    /// `None` for an attachment the emulator does not hold, one with nothing uploaded yet,
    /// or one whose bytes were forgotten to stay within
    /// [`max_kept_bytes`](EmulatorBuilder::max_kept_bytes).
    pub fn attachment(&self, attachment_id: &str) -> Option<Vec<u8>> {
        self.app.service.lock().attachments.bytes_of(attachment_id)
    }

    /// How many requests to an upload or download URL were refused (403) because they
    /// carried `X-Amz-Bearer` or `Authorization`: a client must never send its token to a
    /// presigned URL.
    pub fn bearer_refusals(&self) -> usize {
        self.app.service.lock().attachments.bearer_refusals
    }

    /// The emulator's clock: the real time at start, running with it, plus every
    /// [`advance_clock`](Self::advance_clock).
    pub fn now(&self) -> SystemTime {
        self.app.service.lock().chats.now()
    }

    /// The emulator's clock as a function, for a [`Participant`](crate::Participant)'s
    /// clock ([`ParticipantBuilder::clock`](crate::ParticipantBuilder::clock)), so that the
    /// participant and the emulator step time together. After the emulator is dropped it
    /// reads the system clock.
    pub fn clock(&self) -> impl Fn() -> SystemTime + Send + Sync + 'static {
        let app = Arc::downgrade(&self.app);
        move || match app.upgrade() {
            Some(app) => app.service.lock().chats.now(),
            None => SystemTime::now(),
        }
    }

    /// Moves the emulator's clock forward (to expire connection tokens without waiting);
    /// it stops at the year 9999.
    pub fn advance_clock(&self, by: Duration) {
        self.app.service.lock().chats.clock.advance(by);
    }

    /// The events accepted so far, oldest first, at most the newest
    /// [`max_events`](EmulatorBuilder::max_events); a repeated client token appears once.
    pub fn events(&self) -> Vec<RecordedEvent> {
        self.app.service.lock().events()
    }

    /// How many bytes the chats' transcripts, the events and the attachments hold now, as
    /// counted against [`max_kept_bytes`](EmulatorBuilder::max_kept_bytes): the strings of
    /// every kept item and event, and the bytes uploaded for every attachment.
    pub fn kept_bytes(&self) -> usize {
        self.app.service.lock().kept_bytes()
    }

    /// How many HTTP requests it has received, malformed ones included, also those no
    /// longer kept by [`seen_requests`](Self::seen_requests).
    pub fn requests(&self) -> usize {
        self.server.requests()
    }

    /// The newest well-formed requests received, oldest first, each attempt of a retried
    /// call included: at most [`max_seen_requests`](EmulatorBuilder::max_seen_requests) of
    /// them, holding at most [`max_seen_bytes`](EmulatorBuilder::max_seen_bytes) of heads
    /// and bodies in all. A request refused as malformed (a head over 64 KiB or with more
    /// than 128 headers, say) is counted by [`requests`](Self::requests) but not kept.
    pub fn seen_requests(&self) -> Vec<SeenRequest> {
        self.app.records().seen.iter().cloned().collect()
    }

    /// How many TCP connections it has accepted, closed ones included.
    pub fn connections(&self) -> usize {
        self.server.connections()
    }

    /// How many connections are open now: at most
    /// [`max_connections`](EmulatorBuilder::max_connections), plus, with the `websocket`
    /// feature, up to [`max_websockets`](EmulatorBuilder::max_websockets) upgraded ones.
    pub fn open_connections(&self) -> usize {
        self.server.open_connections()
    }

    /// How many times accepting a connection has failed (for want of file descriptors,
    /// say); each failure is followed by a pause, never by an immediate retry.
    pub fn accept_errors(&self) -> usize {
        self.server.accept_errors()
    }

    /// From now on, requests with this connection token are refused with
    /// `AccessDeniedException` (HTTP 403), as for an expired one. The participant's other
    /// tokens are unaffected.
    pub fn revoke_token(&self, token: &ConnectionToken) {
        self.app.service.lock().chats.revoke(token.expose_secret());
    }

    /// While `on`, receipts are refused with `ConflictException` (HTTP 409), as when more
    /// than two participants are in the chat or a supervisor has barged in.
    pub fn set_receipts_conflict(&self, on: bool) {
        self.app.service.lock().receipts_conflict = on;
    }

    /// How many faults [`inject`](Self::inject) queues at most; beyond, a fault is refused
    /// (not queued) until requests have taken some.
    pub const MAX_QUEUED_FAULTS: usize = 1000;

    /// Answers the next request, whatever it is, with this error instead of handling it:
    /// HTTP `status`, `X-Amzn-Errortype: error_type`, body `{"message": message}`.
    /// Faults queue up, one request each. Shorthand for
    /// `inject(Fault::error(status, error_type, message))`; `false` if the queue was full.
    pub fn fail_next(&self, status: u16, error_type: &str, message: &str) -> bool {
        self.inject(Fault::error(status, error_type, message))
    }

    /// Applies `fault` to the next request that has none yet: faults queue up, one request
    /// each, and requests after the queue runs dry are handled normally. Returns `false`,
    /// queuing nothing, if [`MAX_QUEUED_FAULTS`](Self::MAX_QUEUED_FAULTS) are queued
    /// already: the queue is bounded like everything else the emulator keeps.
    ///
    /// ```
    /// use connect_participant::emulator::{Emulator, Fault};
    /// use connect_participant::SendEventRequest;
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().sleep_fn(|_| {}).build()?;
    /// // The event lands, but the answer is lost; the retry gets the same event back.
    /// emulator.inject(Fault::CloseAfterHandling);
    /// let token = emulator.connection_token();
    /// let out = client.send_event(&token, &SendEventRequest::typing())?;
    /// assert_eq!(emulator.seen_requests().len(), 2);
    /// assert_eq!(emulator.events().len(), 1);
    /// assert_eq!(out.id.as_deref(), Some(emulator.events()[0].id.as_str()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inject(&self, fault: Fault) -> bool {
        let mut records = self.app.records();
        if records.faults.len() >= Self::MAX_QUEUED_FAULTS {
            return false;
        }
        records.faults.push_back(fault);
        true
    }
}

/// What the test's side of a chat gets for a refused change.
fn agent_error(contact_id: &str, e: AgentError) -> io::Error {
    match e {
        AgentError::UnknownContact => unknown_contact(contact_id),
        AgentError::Ended => io::Error::new(io::ErrorKind::InvalidInput, "the chat has ended"),
        AgentError::Invalid(m) => io::Error::new(io::ErrorKind::InvalidInput, m),
    }
}

fn unknown_contact(contact_id: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("the emulator holds no chat with ContactId {contact_id:?}"),
    )
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr())
            .field("connections", &self.connections())
            .field("requests", &self.requests())
            .field("limits", &self.app.limits)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(body: &[u8]) -> Request {
        Request {
            method: "POST".into(),
            path: "/".into(),
            headers: Vec::new(),
            body: body.to_vec(),
            close: false,
        }
    }

    #[test]
    fn kept_requests_stay_within_count_and_bytes_heads_included_newest_first() {
        // Each request's head is "POST" and "/": 5 bytes before its body.
        let limits = Limits {
            max_seen_requests: 3,
            max_seen_bytes: 20,
            ..EmulatorBuilder::default().limits
        };
        let mut records = Records::default();
        for body in [&b"aaaa"[..], b"bbbb", b"cc", b"d", b"eeeee"] {
            records.keep(&seen(body), &limits);
        }
        let bodies: Vec<&[u8]> = records.seen.iter().map(|r| &r.body[..]).collect();
        assert_eq!(bodies, [&b"d"[..], b"eeeee"]);
        assert_eq!(records.seen_bytes, 16);
        // A body over the whole budget is kept cut, alone, beside its head.
        records.keep(&seen(b"0123456789abcdefghij"), &limits);
        let bodies: Vec<&[u8]> = records.seen.iter().map(|r| &r.body[..]).collect();
        assert_eq!(bodies, [&b"0123456789abcde"[..]]);
        assert_eq!(records.seen_bytes, 20);

        // Headers count, names and values; the bearer is neither kept nor counted.
        let mut with_headers = seen(b"");
        with_headers.headers = vec![
            ("X-Amz-Bearer".into(), "secret".into()),
            ("abc".into(), "defgh".into()),
        ];
        records.keep(&with_headers, &limits);
        assert_eq!(records.seen.back().unwrap().kept_bytes(), 13);
        assert_eq!(records.seen_bytes, 13);
        // A head that cannot fit even alone is not kept.
        with_headers.headers.push(("k".into(), "v".repeat(20)));
        records.keep(&with_headers, &limits);
        assert_eq!(records.seen.len(), 1);
        assert_eq!(records.seen_bytes, 13);

        let none = Limits {
            max_seen_requests: 0,
            ..limits
        };
        records.keep(&seen(b"x"), &none);
        assert_eq!(records.seen.len(), 1);
        let seen_total: usize = records.seen.iter().map(SeenRequest::kept_bytes).sum();
        assert_eq!(seen_total, records.seen_bytes);
    }

    #[test]
    fn started_chat_debug_hides_the_participant_token() {
        let chat = StartedChat {
            contact_id: "c".into(),
            participant_token: "QVFJREFIsecret".into(),
            customer_participant_id: "p".into(),
            agent_participant_id: "a".into(),
        };
        let shown = format!("{chat:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn the_module_docs_name_every_setting_operation_and_path() {
        let docs = include_str!("../../docs/emulator.md");
        // Each setting, by the name of its method, as the settings themselves list them:
        // one added to the builder must be described in the docs too.
        let limits = format!("{:?}", EmulatorBuilder::default().limits);
        let fields = limits
            .strip_prefix("Limits { ")
            .and_then(|l| l.strip_suffix(" }"))
            .expect("the settings' Debug lists their fields");
        for field in fields.split(", ") {
            let (name, _) = field.split_once(':').expect("a field and its value");
            assert!(
                docs.contains(&format!("(EmulatorBuilder::{name})")),
                "docs/emulator.md must describe the setting {name}"
            );
        }
        for named in [
            // The operations.
            "`POST /participant/connection`",
            "`POST /participant/message`",
            "`POST /participant/event`",
            "`POST /participant/disconnect`",
            "`POST /participant/transcript`",
            "`POST /participant/start-attachment-upload`",
            "`POST /participant/complete-attachment-upload`",
            "`POST /participant/attachment`",
            "`POST /participant/authentication-url`",
            "`POST /participant/cancel-authentication`",
            "`GET /participant/views/{ViewToken}`",
            // The control path.
            "`POST /emulator/chats`",
            "`POST /emulator/chats/{ContactId}/messages`",
            "`POST /emulator/chats/{ContactId}/end`",
            "`GET /emulator/chats/{ContactId}/transcript`",
            "`POST /emulator/chats/{ContactId}/participants`",
            // The URLs the emulator hands out.
            attachments::UPLOAD_PATH,
            attachments::DOWNLOAD_PATH,
            service::WEBSOCKET_PATH,
            // The errors it answers.
            "`ValidationException`",
            "`AccessDeniedException`",
            "`UnknownOperationException`",
            "`ResourceNotFoundException`",
            "`ServiceQuotaExceededException`",
            "`ConflictException`",
            "`UnsupportedMediaTypeException`",
            "`SignatureDoesNotMatch`",
            "`SlowDown`",
            "`Request has expired`",
            "`Access Denied`",
        ] {
            assert!(docs.contains(named), "docs/emulator.md must name {named}");
        }
    }
}
