//! A local Participant Service emulator, for tests, examples and benchmarks.
//!
//! Enabled by the `emulator` feature. It needs nothing beyond std and this crate's own
//! dependencies: it binds `127.0.0.1` on a free port, serves HTTP/1.1 with keep-alive from
//! background threads, and stops when dropped.
//!
//! It implements `POST /participant/event` with the service's own checks (the bearer token
//! present and within limits, a known content type, the content and client token limits,
//! a `messageId` in receipts) and answers errors the way the service does (restJson1:
//! `X-Amzn-Errortype`, a `{"message":...}` body, `x-amzn-RequestId`). Accepted events are
//! recorded; a repeated `ClientToken` from the same connection token is the same event (same
//! `Id`, recorded once), as the service's idempotency promises.
//!
//! # Bounds
//!
//! Whatever its clients do, the emulator holds a bounded number of connections, each for a
//! bounded time, and keeps a bounded amount of what it received. [`Emulator::builder`] sets
//! the bounds; [`Emulator::start`] uses the defaults:
//!
//! - at most [`max_connections`](EmulatorBuilder::max_connections) open connections (256),
//!   one file descriptor each. When a new connection arrives with all of them open, the one
//!   that has waited longest for its next request (an idle keep-alive, a slow or abandoned
//!   request head) is closed to make room, so a client that sends its request promptly is
//!   answered while others hoard connections. Only connections whose request is being
//!   handled and answered are never closed this way.
//! - [`idle_timeout`](EmulatorBuilder::idle_timeout) (60 s): a connection waiting that long
//!   for the next request, or the next bytes of one, is closed, and so is one whose client
//!   does not take an answer for that long.
//! - [`max_body`](EmulatorBuilder::max_body) (64 MiB): a larger request body is refused with
//!   HTTP 400. A body is read as its bytes arrive; a `Content-Length` alone reserves no
//!   memory.
//! - [`seen_requests`](Emulator::seen_requests) keeps the newest
//!   [`max_seen_requests`](EmulatorBuilder::max_seen_requests) requests (1000) whose bodies
//!   total at most [`max_seen_body_bytes`](EmulatorBuilder::max_seen_body_bytes) (64 MiB),
//!   dropping the oldest first; [`requests`](Emulator::requests) still counts them all.
//! - [`events`](Emulator::events) keeps the newest
//!   [`max_events`](EmulatorBuilder::max_events) accepted events (100,000), forgetting the
//!   oldest with its client token.
//!
//! When `accept` fails (the process is out of file descriptors, say), the emulator closes
//! its longest-waiting connection to free one and retries after a pause that doubles from
//! 1 ms up to 100 ms, rather than retrying at once and spinning.
//!
//! ```
//! use connect_participant::emulator::Emulator;
//! use connect_participant::{ConnectionToken, ErrorKind, SendEventRequest};
//!
//! let emulator = Emulator::start()?;
//! let client = emulator.client_builder().build()?;
//! let token = ConnectionToken::new("local-token")?;
//!
//! let out = client.send_event(&token, &SendEventRequest::typing())?;
//! assert_eq!(emulator.events()[0].id, out.id.unwrap());
//!
//! emulator.set_receipts_conflict(true);
//! let err = client.send_event(&token, &SendEventRequest::read("m-1")).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Conflict);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::client::{Client, ClientBuilder};
use crate::content_type::ContentType;
use crate::endpoint::Endpoint;
use crate::event::{MAX_CLIENT_TOKEN_CHARS, MAX_CONTENT_CHARS};
use crate::token::{ConnectionToken, Uuid};

/// The largest request head (request line and headers) the emulator reads.
const MAX_HEAD: usize = 64 * 1024;
/// What a body's buffer starts with: it grows as bytes arrive, never on the word of a
/// `Content-Length` alone.
const BODY_CHUNK: usize = 64 * 1024;
/// The first and the longest pause after a failed `accept`.
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(1);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_millis(100);
/// How often `Drop` tries to connect to wake the acceptor, should connecting fail.
const WAKE_ATTEMPTS: usize = 8;

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
    /// The `ClientToken` sent, if any.
    pub client_token: Option<String>,
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
    /// The headers in arrival order, names as sent, except `X-Amz-Bearer`: the connection
    /// token is a secret and is not kept.
    pub headers: Vec<(String, String)>,
    /// The body, or its first
    /// [`max_seen_body_bytes`](EmulatorBuilder::max_seen_body_bytes) if it is longer.
    pub body: Vec<u8>,
}

impl SeenRequest {
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

/// A failure the emulator can be told to produce for one request, to test how a client
/// copes with an unreliable service or network. See [`Emulator::inject`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer this status, headers and body (a `Content-Length` is added) instead of
    /// handling the request; the connection stays open.
    Respond {
        /// The HTTP status.
        status: u16,
        /// Headers to send, in order.
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// Write these bytes as the whole answer, as they are, then close the connection: for
    /// truncated, malformed or non-HTTP answers. The request is not handled.
    Raw(Vec<u8>),
    /// Close the connection without handling the request or answering.
    CloseBeforeHandling,
    /// Handle the request (the event is recorded), then close without answering: the
    /// event landed but the client cannot know.
    CloseAfterHandling,
    /// Handle the request, send the first half of the answer, then close.
    CloseMidResponse,
    /// Handle the request, then never answer; the connection stays open until the client
    /// gives up, the [idle timeout](EmulatorBuilder::idle_timeout) passes, or the emulator
    /// stops.
    Stall,
}

impl Fault {
    /// A restJson1 service error: HTTP `status`, `X-Amzn-Errortype: error_type`, a
    /// `{"message": message}` body.
    pub fn error(status: u16, error_type: &str, message: &str) -> Fault {
        let Reply {
            status,
            headers,
            body,
        } = Reply::error(status, error_type, message);
        Fault::Respond {
            status,
            headers,
            body,
        }
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
    max_connections: usize,
    idle_timeout: Duration,
    max_body: usize,
    max_seen_requests: usize,
    max_seen_body_bytes: usize,
    max_events: usize,
}

impl EmulatorBuilder {
    /// The default of [`max_connections`](Self::max_connections): 256.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
    /// The default of [`idle_timeout`](Self::idle_timeout): 60 seconds.
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
    /// The default of [`max_body`](Self::max_body): 64 MiB.
    pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;
    /// The default of [`max_seen_requests`](Self::max_seen_requests): 1000.
    pub const DEFAULT_MAX_SEEN_REQUESTS: usize = 1000;
    /// The default of [`max_events`](Self::max_events): 100,000.
    pub const DEFAULT_MAX_EVENTS: usize = 100_000;
    /// The default of [`max_seen_body_bytes`](Self::max_seen_body_bytes): 64 MiB.
    pub const DEFAULT_MAX_SEEN_BODY_BYTES: usize = 64 * 1024 * 1024;

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
    /// (64 MiB). Memory is taken as the bytes arrive, not as `Content-Length` announces
    /// them. Zero is refused by [`start`](Self::start): every SendEvent has a body.
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

    /// How many body bytes the requests kept by [`Emulator::seen_requests`] hold in all;
    /// the oldest requests are dropped to make room for a new one, and a body longer than
    /// this on its own is kept cut to this length. Default
    /// [`DEFAULT_MAX_SEEN_BODY_BYTES`](Self::DEFAULT_MAX_SEEN_BODY_BYTES) (64 MiB), enough for
    /// the largest body the default [`max_body`](Self::max_body) accepts. Zero keeps the
    /// requests without their bodies.
    pub fn max_seen_body_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_seen_body_bytes = bytes;
        self
    }

    /// How many accepted events [`Emulator::events`] keeps, the newest; default
    /// [`DEFAULT_MAX_EVENTS`](Self::DEFAULT_MAX_EVENTS) (100,000, at most 16 KiB of content
    /// each). The oldest is forgotten with its client token, so a repeat of that token is
    /// then a new event. Zero is refused by [`start`](Self::start): an event must be kept
    /// at least until its answer is written.
    pub fn max_events(mut self, max: usize) -> Self {
        self.limits.max_events = max;
        self
    }

    /// Binds `127.0.0.1` on a free port and starts serving.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidInput`] if `max_connections`, `idle_timeout`, `max_body` or
    /// `max_events` is zero; otherwise what binding or starting its thread returns.
    pub fn start(self) -> io::Result<Emulator> {
        let limits = self.limits;
        let zero = |name: &str| {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the emulator's {name} must not be zero"),
            ))
        };
        if limits.max_connections == 0 {
            return zero("max_connections");
        }
        if limits.idle_timeout.is_zero() {
            return zero("idle_timeout");
        }
        if limits.max_body == 0 {
            return zero("max_body");
        }
        if limits.max_events == 0 {
            return zero("max_events");
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            limits,
            stopping: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            accept_errors: AtomicUsize::new(0),
            shared: Mutex::default(),
        });
        let acceptor = {
            let state = Arc::clone(&state);
            thread::Builder::new()
                .name("connect-participant-emulator".into())
                .spawn(move || accept_loop(&listener, &state))?
        };
        Ok(Emulator {
            addr,
            state,
            acceptor: Some(acceptor),
        })
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            limits: Limits {
                max_connections: Self::DEFAULT_MAX_CONNECTIONS,
                idle_timeout: Self::DEFAULT_IDLE_TIMEOUT,
                max_body: Self::DEFAULT_MAX_BODY,
                max_seen_requests: Self::DEFAULT_MAX_SEEN_REQUESTS,
                max_seen_body_bytes: Self::DEFAULT_MAX_SEEN_BODY_BYTES,
                max_events: Self::DEFAULT_MAX_EVENTS,
            },
        }
    }
}

/// A running emulator. Dropping it stops it and closes its connections.
pub struct Emulator {
    addr: SocketAddr,
    state: Arc<State>,
    acceptor: Option<JoinHandle<()>>,
}

struct State {
    limits: Limits,
    stopping: AtomicBool,
    connections: AtomicUsize,
    requests: AtomicUsize,
    accept_errors: AtomicUsize,
    shared: Mutex<Shared>,
}

#[derive(Default)]
struct Shared {
    /// The newest events, each with its idempotency key, if it had a client token.
    events: VecDeque<(RecordedEvent, Option<IdempotencyKey>)>,
    /// How many events were forgotten: `events[i]` is event number `forgotten + i`.
    forgotten: usize,
    /// Idempotency key -> number of the event it made.
    by_client_token: HashMap<IdempotencyKey, usize>,
    revoked: HashSet<String>,
    receipts_conflict: bool,
    faults: VecDeque<Fault>,
    seen: VecDeque<SeenRequest>,
    /// The body bytes held in `seen`.
    seen_body_bytes: usize,
    /// Open connections by id (in accept order), so that a newcomer or `Drop` can close
    /// them. The handler holds the same `Arc`: one descriptor per connection.
    open: HashMap<u64, Open>,
    handlers: Vec<JoinHandle<()>>,
}

/// (connection token, client token): the service's idempotency is per participant.
type IdempotencyKey = (String, String);

struct Open {
    stream: Arc<TcpStream>,
    /// Since when it has waited for (the rest of) a request; `None` while its request is
    /// handled and answered, when it must not be closed under it.
    waiting_since: Option<Instant>,
}

impl State {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panicking handler must not take the whole emulator down with it.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks connection `id` as waiting for input (`true`) or as busy with a request;
    /// `false` if it has been closed meanwhile (to make room, or by `Drop`).
    fn mark(&self, id: u64, waiting: bool) -> bool {
        match self.lock().open.get_mut(&id) {
            Some(open) => {
                open.waiting_since = waiting.then(Instant::now);
                true
            }
            None => false,
        }
    }

    /// Closes every connection, so that their handlers' reads and writes return.
    fn close_all(&self) -> Vec<JoinHandle<()>> {
        let mut shared = self.lock();
        for (_, open) in shared.open.drain() {
            let _ = open.stream.shutdown(Shutdown::Both);
        }
        std::mem::take(&mut shared.handlers)
    }
}

impl Shared {
    /// Closes the connection that has waited longest for input, if any is waiting; the
    /// earlier accepted goes first among equals. Its handler ends and drops the descriptor.
    fn close_longest_waiting(&mut self) -> bool {
        let longest = self
            .open
            .iter()
            .filter_map(|(&id, open)| open.waiting_since.map(|since| (since, id)))
            .min();
        let Some((_, id)) = longest else {
            return false;
        };
        if let Some(open) = self.open.remove(&id) {
            let _ = open.stream.shutdown(Shutdown::Both);
        }
        true
    }

    /// Records `event`, forgetting the oldest (and its client token) beyond `max`; returns
    /// its number.
    fn record(&mut self, event: RecordedEvent, key: Option<IdempotencyKey>, max: usize) -> usize {
        while self.events.len() >= max {
            let Some((_, old_key)) = self.events.pop_front() else {
                break;
            };
            if let Some(k) = old_key {
                self.by_client_token.remove(&k);
            }
            self.forgotten += 1;
        }
        let number = self.forgotten + self.events.len();
        if let Some(k) = &key {
            self.by_client_token.insert(k.clone(), number);
        }
        self.events.push_back((event, key));
        number
    }

    /// Keeps what [`Emulator::seen_requests`] shows of `request` (no bearer, the body cut to
    /// the byte budget), dropping the oldest to stay within the limits.
    fn keep(&mut self, request: &Request, limits: &Limits) {
        if limits.max_seen_requests == 0 {
            return;
        }
        // Only what is kept is copied: a body over the budget is cut before the copy.
        let kept_body = request.body.len().min(limits.max_seen_body_bytes);
        let request = SeenRequest {
            method: request.method.clone(),
            path: request.path.clone(),
            headers: request
                .headers
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("x-amz-bearer"))
                .cloned()
                .collect(),
            body: request.body[..kept_body].to_vec(),
        };
        while self.seen.len() >= limits.max_seen_requests
            || self.seen_body_bytes + request.body.len() > limits.max_seen_body_bytes
        {
            let Some(oldest) = self.seen.pop_front() else {
                break;
            };
            self.seen_body_bytes -= oldest.body.len();
        }
        self.seen_body_bytes += request.body.len();
        self.seen.push_back(request);
    }
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
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:<port>`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Its endpoint, for [`send_event`](crate::send_event).
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::from_url(&self.endpoint_url()).expect("a socket address is a valid URL")
    }

    /// A client builder already pointed at the emulator.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder().endpoint_url(self.endpoint_url())
    }

    /// The events accepted so far, oldest first, at most the newest
    /// [`max_events`](EmulatorBuilder::max_events); a repeated client token appears once.
    pub fn events(&self) -> Vec<RecordedEvent> {
        let shared = self.state.lock();
        shared.events.iter().map(|(e, _)| e.clone()).collect()
    }

    /// How many HTTP requests it has received, malformed ones included, also those no
    /// longer kept by [`seen_requests`](Self::seen_requests).
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// The newest well-formed requests received, oldest first, each attempt of a retried
    /// call included: at most [`max_seen_requests`](EmulatorBuilder::max_seen_requests) of
    /// them, with at most [`max_seen_body_bytes`](EmulatorBuilder::max_seen_body_bytes) of
    /// bodies in all.
    pub fn seen_requests(&self) -> Vec<SeenRequest> {
        self.state.lock().seen.iter().cloned().collect()
    }

    /// How many TCP connections it has accepted, closed ones included.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// How many connections are open now: at most
    /// [`max_connections`](EmulatorBuilder::max_connections).
    pub fn open_connections(&self) -> usize {
        self.state.lock().open.len()
    }

    /// How many times accepting a connection has failed (for want of file descriptors,
    /// say); each failure is followed by a pause, never by an immediate retry.
    pub fn accept_errors(&self) -> usize {
        self.state.accept_errors.load(Ordering::SeqCst)
    }

    /// From now on, requests with this token are refused with `AccessDeniedException`
    /// (HTTP 403), as for an expired or disconnected participant.
    pub fn revoke_token(&self, token: &ConnectionToken) {
        self.state
            .lock()
            .revoked
            .insert(token.expose_secret().to_owned());
    }

    /// While `on`, receipts are refused with `ConflictException` (HTTP 409), as when more
    /// than two participants are in the chat or a supervisor has barged in.
    pub fn set_receipts_conflict(&self, on: bool) {
        self.state.lock().receipts_conflict = on;
    }

    /// Answers the next request, whatever it is, with this error instead of handling it:
    /// HTTP `status`, `X-Amzn-Errortype: error_type`, body `{"message": message}`.
    /// Faults queue up, one request each. Shorthand for
    /// `inject(Fault::error(status, error_type, message))`.
    pub fn fail_next(&self, status: u16, error_type: &str, message: &str) {
        self.inject(Fault::error(status, error_type, message));
    }

    /// Applies `fault` to the next request that has none yet: faults queue up, one request
    /// each, and requests after the queue runs dry are handled normally.
    ///
    /// ```
    /// use connect_participant::emulator::{Emulator, Fault};
    /// use connect_participant::{ConnectionToken, SendEventRequest};
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().sleep_fn(|_| {}).build()?;
    /// // The event lands, but the answer is lost; the retry gets the same event back.
    /// emulator.inject(Fault::CloseAfterHandling);
    /// let token = ConnectionToken::new("t")?;
    /// let out = client.send_event(&token, &SendEventRequest::typing())?;
    /// assert_eq!(emulator.seen_requests().len(), 2);
    /// assert_eq!(emulator.events().len(), 1);
    /// assert_eq!(out.id.as_deref(), Some(emulator.events()[0].id.as_str()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inject(&self, fault: Fault) {
        self.state.lock().faults.push_back(fault);
    }
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .field("connections", &self.connections())
            .field("requests", &self.requests())
            .field("limits", &self.state.limits)
            .finish_non_exhaustive()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.state.stopping.store(true, Ordering::SeqCst);
        // Closing the connections first frees their descriptors, should the process have
        // run out of them, for the wake-up connection below.
        let mut handlers = self.state.close_all();
        if let Some(acceptor) = self.acceptor.take() {
            // Wake the acceptor, blocked in accept(), so that it sees the flag. If even a
            // few paced attempts cannot connect, it is left to end at its next accept
            // rather than hang this drop.
            let mut backoff = Backoff::default();
            for _ in 0..WAKE_ATTEMPTS {
                if acceptor.is_finished() || TcpStream::connect(self.addr).is_ok() {
                    let _ = acceptor.join();
                    break;
                }
                thread::sleep(backoff.next_pause());
            }
        }
        // The acceptor has ended (or, left behind, admits nothing more): close what it
        // accepted meanwhile, then wait for every handler.
        handlers.extend(self.state.close_all());
        for h in handlers {
            let _ = h.join();
        }
    }
}

/// The pauses after consecutive failed `accept`s: doubling from [`ACCEPT_BACKOFF_MIN`] up
/// to [`ACCEPT_BACKOFF_MAX`], back to the start after a success.
#[derive(Debug)]
struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            next: ACCEPT_BACKOFF_MIN,
        }
    }
}

impl Backoff {
    fn next_pause(&mut self) -> Duration {
        let pause = self.next;
        self.next = (pause * 2).min(ACCEPT_BACKOFF_MAX);
        pause
    }

    fn reset(&mut self) {
        *self = Backoff::default();
    }
}

fn accept_loop(listener: &TcpListener, state: &Arc<State>) {
    let mut backoff = Backoff::default();
    let mut next_id: u64 = 0;
    while !state.stopping.load(Ordering::SeqCst) {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) => {
                state.accept_errors.fetch_add(1, Ordering::SeqCst);
                // A failure of the one connection leaves nothing to free; any other (out
                // of descriptors or memory) may be eased by closing an idle connection.
                if !matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::Interrupted
                ) {
                    state.lock().close_longest_waiting();
                }
                thread::sleep(backoff.next_pause());
                continue;
            }
        };
        backoff.reset();
        if state.stopping.load(Ordering::SeqCst) {
            return;
        }
        state.connections.fetch_add(1, Ordering::SeqCst);
        let id = next_id;
        next_id += 1;
        admit(stream, id, state);
    }
}

/// Serves `stream` on its own thread, first closing the longest-waiting connection if
/// `max_connections` are open; if none is waiting, `stream` is closed instead.
fn admit(stream: TcpStream, id: u64, state: &Arc<State>) {
    let idle = Some(state.limits.idle_timeout);
    if stream.set_read_timeout(idle).is_err() || stream.set_write_timeout(idle).is_err() {
        return;
    }
    let stream = Arc::new(stream);
    let mut shared = state.lock();
    shared.handlers.retain(|h| !h.is_finished());
    if shared.open.len() >= state.limits.max_connections && !shared.close_longest_waiting() {
        return;
    }
    shared.open.insert(
        id,
        Open {
            stream: Arc::clone(&stream),
            // Set here rather than by the handler, so that connections that have sent
            // nothing are closed in the order they came.
            waiting_since: Some(Instant::now()),
        },
    );
    let handler_state = Arc::clone(state);
    let spawned = thread::Builder::new()
        .name("connect-participant-emulator-conn".into())
        .spawn(move || {
            let _ = serve_connection(id, &stream, &handler_state);
            // Forgotten before the peer sees the close, so that what it sees next is true.
            handler_state.lock().open.remove(&id);
            let _ = stream.shutdown(Shutdown::Both);
        });
    match spawned {
        Ok(h) => shared.handlers.push(h),
        Err(_) => {
            shared.open.remove(&id);
        }
    }
}

/// One parsed request.
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    close: bool,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn serve_connection(id: u64, stream: &TcpStream, state: &State) -> io::Result<()> {
    let mut writer = stream;
    let mut reader = BufReader::new(stream);
    loop {
        let request = match read_request(&mut reader, state.limits.max_body) {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                if !state.mark(id, false) {
                    return Ok(());
                }
                state.requests.fetch_add(1, Ordering::SeqCst);
                let reply = Reply::error(400, "SerializationException", &e.to_string());
                writer.write_all(&reply.to_bytes(true))?;
                return close(writer);
            }
            Err(e) => return Err(e),
        };
        // Closed to make room while its request arrived: it must not be answered now.
        if !state.mark(id, false) {
            return Ok(());
        }
        state.requests.fetch_add(1, Ordering::SeqCst);
        let fault = {
            let mut shared = state.lock();
            shared.keep(&request, &state.limits);
            shared.faults.pop_front()
        };
        let reply = match fault {
            None => handle(&request, state),
            Some(Fault::Respond {
                status,
                headers,
                body,
            }) => Reply {
                status,
                headers,
                body,
            },
            Some(Fault::Raw(bytes)) => {
                writer.write_all(&bytes)?;
                return close(writer);
            }
            Some(Fault::CloseBeforeHandling) => return close(writer),
            Some(Fault::CloseAfterHandling) => {
                handle(&request, state);
                return close(writer);
            }
            Some(Fault::CloseMidResponse) => {
                let bytes = handle(&request, state).to_bytes(false);
                writer.write_all(&bytes[..bytes.len() / 2])?;
                return close(writer);
            }
            Some(Fault::Stall) => {
                handle(&request, state);
                // Wait for the client to give up: its close ends the read.
                if !state.mark(id, true) {
                    return Ok(());
                }
                continue;
            }
        };
        writer.write_all(&reply.to_bytes(request.close))?;
        writer.flush()?;
        if request.close {
            return close(writer);
        }
        if !state.mark(id, true) {
            return Ok(());
        }
    }
}

/// Closes the connection now: the emulator keeps a handle to every connection (to close
/// them on drop), so dropping ours would not be enough.
fn close(stream: &TcpStream) -> io::Result<()> {
    let _ = stream.shutdown(Shutdown::Both);
    Ok(())
}

/// Reads one request; `None` at a clean end of the connection.
fn read_request(reader: &mut impl BufRead, max_body: usize) -> io::Result<Option<Request>> {
    let bad = |msg: &str| io::Error::new(io::ErrorKind::InvalidData, msg.to_owned());
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n = reader
            .by_ref()
            .take(MAX_HEAD as u64)
            .read_until(b'\n', &mut head)?;
        if n == 0 {
            return if head.is_empty() {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
        if head.len() > MAX_HEAD {
            return Err(bad("request head too large"));
        }
        let line = &head[before..];
        if line == b"\r\n" || line == b"\n" {
            break;
        }
    }
    let head = String::from_utf8(head).map_err(|_| bad("request head is not UTF-8"))?;
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("malformed request line"));
    };
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad("malformed header line"));
        };
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut request = Request {
        method: method.to_owned(),
        path: target.split('?').next().unwrap_or_default().to_owned(),
        headers,
        body: Vec::new(),
        close: version != "HTTP/1.1",
    };
    if request
        .header("connection")
        .is_some_and(|v| v.eq_ignore_ascii_case("close"))
    {
        request.close = true;
    }
    if request.header("transfer-encoding").is_some() {
        return Err(bad(
            "chunked request bodies are not supported; send Content-Length",
        ));
    }
    let length = match request.header("content-length") {
        Some(v) => v.parse::<usize>().map_err(|_| bad("bad Content-Length"))?,
        None => 0,
    };
    if length > max_body {
        return Err(bad(&format!(
            "request body too large: {length} bytes, the emulator accepts up to {max_body}"
        )));
    }
    request.body = Vec::with_capacity(length.min(BODY_CHUNK));
    let read = reader.take(length as u64).read_to_end(&mut request.body)?;
    if read < length {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(Some(request))
}

/// A response to write.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn error(status: u16, error_type: &str, message: &str) -> Reply {
        Reply {
            status,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-Amzn-Errortype".into(), error_type.into()),
            ],
            body: serde_json::json!({ "message": message })
                .to_string()
                .into_bytes(),
        }
    }

    fn validation(message: impl Into<String>) -> Reply {
        Reply::error(400, "ValidationException", &message.into())
    }

    fn to_bytes(&self, close: bool) -> Vec<u8> {
        let reason = match self.status {
            200 => "OK",
            301 => "Moved Permanently",
            302 => "Found",
            307 => "Temporary Redirect",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            409 => "Conflict",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            _ => "Status",
        };
        let mut out = format!("HTTP/1.1 {} {reason}\r\n", self.status);
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("x-amzn-RequestId: ");
        out.push_str(&new_uuid());
        out.push_str("\r\n");
        if close {
            out.push_str("Connection: close\r\n");
        }
        out.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// The service's checks, in the order a request meets them.
fn handle(request: &Request, state: &State) -> Reply {
    if request.method != "POST" || request.path != "/participant/event" {
        return Reply::error(
            404,
            "UnknownOperationException",
            "this emulator serves POST /participant/event only",
        );
    }
    let Some(bearer) = request.header("x-amz-bearer") else {
        return Reply::validation(
            "1 validation error detected: Value null at 'connectionToken' failed to satisfy \
             constraint: Member must not be null",
        );
    };
    let bearer_chars = bearer.chars().count();
    if bearer_chars == 0 || bearer_chars > ConnectionToken::MAX_CHARS {
        return Reply::validation(
            "1 validation error detected: Value at 'connectionToken' failed to satisfy \
             constraint: Member must have length between 1 and 1000",
        );
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&request.body) else {
        return Reply::error(
            400,
            "SerializationException",
            "the body is not a JSON object",
        );
    };
    let string_member = |name: &str| match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Reply::error(
            400,
            "SerializationException",
            &format!("{name} must be a string"),
        )),
    };
    let (content_type, content, client_token) = match (
        string_member("ContentType"),
        string_member("Content"),
        string_member("ClientToken"),
    ) {
        (Ok(t), Ok(c), Ok(k)) => (t, c, k),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return e,
    };
    let Some(content_type) = content_type else {
        return Reply::validation(
            "1 validation error detected: Value null at 'contentType' failed to satisfy \
             constraint: Member must not be null",
        );
    };
    let Ok(known_type) = content_type.parse::<ContentType>() else {
        return Reply::validation(format!("The content type {content_type} is not supported"));
    };
    if let Some(c) = &content {
        let n = c.chars().count();
        if n == 0 || n > MAX_CONTENT_CHARS {
            return Reply::validation(format!(
                "1 validation error detected: Value at 'content' failed to satisfy constraint: \
                 Member must have length between 1 and {MAX_CONTENT_CHARS}"
            ));
        }
    }
    if let Some(k) = &client_token {
        if k.chars().count() > MAX_CLIENT_TOKEN_CHARS {
            return Reply::validation(format!(
                "1 validation error detected: Value at 'clientToken' failed to satisfy \
                 constraint: Member must have length less than or equal to \
                 {MAX_CLIENT_TOKEN_CHARS}"
            ));
        }
    }
    if known_type.is_receipt() {
        let message_id = content
            .as_deref()
            .and_then(|c| serde_json::from_str::<Value>(c).ok())
            .and_then(|v| v.get("messageId").and_then(Value::as_str).map(str::len));
        if !matches!(message_id, Some(n) if n > 0) {
            return Reply::validation("A receipt's Content must carry a messageId");
        }
    }

    let mut shared = state.lock();
    if shared.revoked.contains(bearer) {
        return Reply::error(403, "AccessDeniedException", "Access denied");
    }
    if known_type.is_receipt() && shared.receipts_conflict {
        return Reply::error(
            409,
            "ConflictException",
            "Receipts are not available: more than two participants or a supervisor barged in",
        );
    }
    let key = client_token.clone().map(|k| (bearer.to_owned(), k));
    let number = match key.as_ref().and_then(|k| shared.by_client_token.get(k)) {
        Some(&n) => n,
        None => {
            let event = RecordedEvent {
                id: new_uuid(),
                absolute_time: now_iso8601(),
                content_type,
                content,
                client_token,
            };
            shared.record(event, key, state.limits.max_events)
        }
    };
    let event = &shared.events[number - shared.forgotten].0;
    Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: serde_json::json!({ "AbsoluteTime": event.absolute_time, "Id": event.id })
            .to_string()
            .into_bytes(),
    }
}

fn new_uuid() -> String {
    let mut bytes = [0u8; 16];
    // The emulator's ids need only be unique; a failed draw falls back to the clock.
    if getrandom::getrandom(&mut bytes).is_err() {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        bytes = nanos.to_le_bytes();
    }
    Uuid::v4(bytes).as_str().to_owned()
}

/// Now, as the service writes it: `yyyy-MM-ddThh:mm:ss.SSSZ`.
fn now_iso8601() -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_iso8601(since.as_secs(), since.subsec_millis())
}

fn format_iso8601(unix_secs: u64, millis: u32) -> String {
    let days = unix_secs / 86_400;
    let secs = unix_secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_matches_known_instants() {
        assert_eq!(format_iso8601(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_iso8601(1_573_180_888, 172),
            "2019-11-08T02:41:28.172Z"
        );
        assert_eq!(format_iso8601(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(
            format_iso8601(4_102_444_799, 999),
            "2099-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn reply_bytes_follow_rest_json1() {
        let r = Reply::error(429, "ThrottlingException", "Rate exceeded");
        let bytes = String::from_utf8(r.to_bytes(false)).unwrap();
        let (head, body) = bytes.split_once("\r\n\r\n").unwrap();
        assert_eq!(body, r#"{"message":"Rate exceeded"}"#);
        let lines: Vec<&str> = head.lines().collect();
        assert_eq!(lines[0], "HTTP/1.1 429 Too Many Requests");
        assert_eq!(lines[1], "Content-Type: application/json");
        assert_eq!(lines[2], "X-Amzn-Errortype: ThrottlingException");
        assert!(lines[3].starts_with("x-amzn-RequestId: ") && lines[3].len() == 18 + 36);
        assert_eq!(lines[4], "Content-Length: 27");
    }

    #[test]
    fn accept_backoff_doubles_to_its_ceiling_and_resets() {
        let mut backoff = Backoff::default();
        let pauses: Vec<u64> = (0..10)
            .map(|_| backoff.next_pause().as_millis() as u64)
            .collect();
        assert_eq!(pauses, [1, 2, 4, 8, 16, 32, 64, 100, 100, 100]);
        backoff.reset();
        assert_eq!(backoff.next_pause(), ACCEPT_BACKOFF_MIN);
        assert_eq!(backoff.next_pause(), 2 * ACCEPT_BACKOFF_MIN);
    }

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
    fn kept_requests_stay_within_count_and_bytes_newest_first() {
        let limits = Limits {
            max_seen_requests: 3,
            max_seen_body_bytes: 10,
            ..EmulatorBuilder::default().limits
        };
        let mut shared = Shared::default();
        for body in [&b"aaaa"[..], b"bbbb", b"cc", b"d", b"eeeee"] {
            shared.keep(&seen(body), &limits);
        }
        let bodies: Vec<&[u8]> = shared.seen.iter().map(|r| &r.body[..]).collect();
        assert_eq!(bodies, [&b"cc"[..], b"d", b"eeeee"]);
        assert_eq!(shared.seen_body_bytes, 8);
        // A body over the whole budget is kept cut, alone.
        shared.keep(&seen(b"0123456789abc"), &limits);
        let bodies: Vec<&[u8]> = shared.seen.iter().map(|r| &r.body[..]).collect();
        assert_eq!(bodies, [&b"0123456789"[..]]);
        assert_eq!(shared.seen_body_bytes, 10);

        let none = Limits {
            max_seen_requests: 0,
            ..limits
        };
        shared.keep(&seen(b"x"), &none);
        assert_eq!(shared.seen.len(), 1);
    }

    #[test]
    fn body_is_read_as_it_arrives_not_as_announced() {
        // A huge announced length with few bytes behind it: an early end, not an
        // allocation of the announced size.
        let raw = b"POST / HTTP/1.1\r\nContent-Length: 60000000\r\n\r\n{}";
        let e = read_request(&mut &raw[..], 64 * 1024 * 1024).err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        let e = read_request(&mut &raw[..], 1000).err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn read_request_parses_head_and_body() {
        let raw = b"POST /participant/event?x=1 HTTP/1.1\r\nX-Amz-Bearer: t\r\nContent-Length: 2\r\n\r\n{}";
        let r = read_request(&mut &raw[..], 2).unwrap().unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/participant/event");
        assert_eq!(r.header("x-amz-bearer"), Some("t"));
        assert_eq!(r.body, b"{}");
        assert!(!r.close);
        assert!(read_request(&mut &b""[..], 2).unwrap().is_none());
        let e = read_request(&mut &b"GARBAGE\r\n\r\n"[..], 2).err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }
}
