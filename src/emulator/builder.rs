//! The emulator's settings ([`EmulatorBuilder`]) and its start: the bounds handed to the
//! HTTP layer, the chat model and the service, checked first.

use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::Emulator;
use super::app::App;
use super::chat::{self, ChatLimits, Chats};
use super::http::{Handler, HttpLimits, Server};
use super::service::{Service, ServiceSettings, cors_headers};

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
    pub(super) limits: Limits,
}

/// Every setting of an [`EmulatorBuilder`], by the name of its method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limits {
    pub(super) port: u16,
    pub(super) max_connections: usize,
    pub(super) idle_timeout: Duration,
    pub(super) max_body: usize,
    pub(super) max_seen_requests: usize,
    pub(super) max_seen_bytes: usize,
    pub(super) max_events: usize,
    pub(super) max_kept_bytes: usize,
    pub(super) max_chats: usize,
    pub(super) max_items_per_chat: usize,
    pub(super) connection_token_lifetime: Duration,
    pub(super) empty_next_token_on_last_page: bool,
    pub(super) empty_disconnect_body: bool,
    pub(super) max_attachments_per_chat: usize,
    #[cfg(feature = "websocket")]
    pub(super) max_websockets: usize,
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
    /// [`SeenRequest::kept_bytes`](super::SeenRequest::kept_bytes)). The oldest requests
    /// are dropped to make room for a new one; a body that does not fit beside its head
    /// even alone is kept cut, and a request whose head alone does not fit is not kept
    /// (only counted by [`Emulator::requests`]).
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
        let server = Server::start(listener, http_limits, handler, cors_headers())?;
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
