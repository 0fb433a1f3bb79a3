//! HTTP/1.1 serving, bounded: connections, their idle time, request heads and bodies, and
//! the pace of retries after a failed `accept`. It knows no operation: it is handed a
//! [`Handler`] that turns each parsed [`Request`] into an [`Outcome`].

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::ids::new_uuid;

/// The largest request head (request line and headers) read; a longer one is answered
/// HTTP 431.
const MAX_HEAD: usize = 64 * 1024;
/// The most header lines a request head may have; more are answered HTTP 431. Without it
/// a 64 KiB head holds some 16,000 empty headers, each kept as two allocations. ureq, the
/// client's transport, refuses answers with more than this many headers too.
pub(super) const MAX_HEADERS: usize = 128;
/// What a body's buffer starts with: it grows as bytes arrive, never on the word of a
/// `Content-Length` alone.
const BODY_CHUNK: usize = 64 * 1024;
/// The first and the longest pause after a failed `accept`.
pub(super) const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(1);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_millis(100);
/// The most body bytes read and dropped after a request refused on its head
/// ([`Admit::Refuse`]), so that a client that sends its whole body before reading sees the
/// answer rather than a reset; past it the connection is closed after the answer.
const MAX_DISCARD: usize = 32 * 1024 * 1024;
/// How often `Drop` tries to connect to wake the acceptor, should connecting fail.
const WAKE_ATTEMPTS: usize = 8;
/// The stack of a connection's thread: room for a request's parsing and answer (a JSON
/// body is at most 128 levels deep) with a wide margin, small enough that thousands of
/// open WebSockets, one thread each, stay cheap (untouched stack is never resident).
const CONNECTION_STACK: usize = 256 * 1024;

/// The bounds of the HTTP layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HttpLimits {
    pub(super) max_connections: usize,
    pub(super) idle_timeout: Duration,
    pub(super) max_body: usize,
}

/// What serves requests: the emulator's operations, faults and records.
pub(super) trait Handler: Send + Sync + 'static {
    /// What to do with one well-formed request.
    fn handle(&self, request: &Request) -> Outcome;

    /// Whether to read the body of a request whose head (`head`, with an empty body) has
    /// arrived, and how much of it: [`Admit::Body`] with the most bytes its
    /// `Content-Length` may announce (`max_body` for most requests), or [`Admit::Refuse`]
    /// to answer at once without reading the body, then close. The default admits every
    /// request up to `max_body`.
    fn admit(&self, head: &Request, max_body: usize) -> Admit {
        let _ = head;
        Admit::Body(max_body)
    }

    /// The answer to a request that could not be read: HTTP `status` (400, or 431 for a
    /// head too large), `message` says why; the connection is closed after it.
    fn malformed(&self, status: u16, message: &str) -> Reply;
}

/// What the HTTP layer does with a request's body once its head has arrived.
pub(super) enum Admit {
    /// Read a body of up to this many bytes (a longer `Content-Length` is a 400). The
    /// memory is taken as the bytes arrive, never on the word of `Content-Length` alone.
    Body(usize),
    /// As `Body`, holding this value until the request has been handled, or its body has
    /// failed to arrive, then dropping it: what the handler reserved for the body.
    Held(usize, Hold),
    /// Answer this without keeping the body, then close the connection. A body of up to
    /// 32 MiB is read and dropped after the answer, so that a client that sends it whole
    /// before reading gets the answer rather than a reset.
    Refuse(Reply),
}

/// What a handler reserves for a body being read ([`Admit::Held`]): released when dropped.
pub(super) type Hold = Box<dyn std::any::Any + Send>;

/// What the HTTP layer does with a request, as its handler decides.
pub(super) enum Outcome {
    /// Write this answer; keep the connection unless the request asked to close it.
    Reply(Reply),
    /// Write this answer with this body, shared rather than copied into it (an
    /// attachment's bytes, which many downloads may be writing at once): its own `body`
    /// is left out.
    Shared(Reply, Arc<[u8]>),
    /// Write these bytes as they are, then close.
    Raw(Vec<u8>),
    /// Close without answering.
    Close,
    /// Write the first half of this answer, then close.
    HalfThenClose(Reply),
    /// Never answer: wait for the client to give up (or the idle timeout, or the stop).
    Stall,
    /// Switch protocols: write the 101 answer, then hand the connection over.
    #[cfg(feature = "websocket")]
    Upgrade(Upgrade),
}

impl Outcome {
    /// The answer as one [`Reply`], a shared body copied into it; `None` for an outcome
    /// that is not an answer.
    pub(super) fn into_reply(self) -> Option<Reply> {
        match self {
            Outcome::Reply(reply) => Some(reply),
            Outcome::Shared(mut reply, body) => {
                reply.body = body.to_vec();
                Some(reply)
            }
            _ => None,
        }
    }
}

/// A connection switching to the WebSocket protocol.
#[cfg(feature = "websocket")]
pub(super) struct Upgrade {
    /// The `101 Switching Protocols` answer, as written on the wire.
    pub(super) head: Vec<u8>,
    /// Serves the upgraded connection until it ends, on the connection's thread: given the
    /// stream and the bytes already read past the request head. The HTTP layer closes the
    /// stream after it. Dropped uncalled if the 101 could not be written.
    pub(super) serve: Serve,
}

/// What serves an upgraded connection: given the stream and the bytes read past the
/// request head.
#[cfg(feature = "websocket")]
pub(super) type Serve = Box<dyn FnOnce(&Arc<TcpStream>, Vec<u8>) + Send>;

/// One parsed request.
#[derive(Debug)]
pub(super) struct Request {
    pub(super) method: String,
    /// The path, without its query.
    pub(super) path: String,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
    pub(super) close: bool,
}

impl Request {
    /// The first header of this name (compared case-insensitively).
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

impl Reply {
    /// The bytes on the wire: status line, `headers`, then `every_answer` (headers the
    /// server puts on every answer), a fresh `x-amzn-RequestId`, `Connection: close` if
    /// `close`, and `Content-Length`.
    pub(super) fn to_bytes(&self, every_answer: &[(String, String)], close: bool) -> Vec<u8> {
        let mut bytes = self.head_bytes(every_answer, close, self.body.len());
        bytes.extend_from_slice(&self.body);
        bytes
    }

    /// The head alone, as [`to_bytes`](Self::to_bytes) writes it, for a body of `length`
    /// bytes written after it.
    fn head_bytes(&self, every_answer: &[(String, String)], close: bool, length: usize) -> Vec<u8> {
        let reason = match self.status {
            200 => "OK",
            204 => "No Content",
            301 => "Moved Permanently",
            302 => "Found",
            307 => "Temporary Redirect",
            400 => "Bad Request",
            402 => "Payment Required",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            409 => "Conflict",
            415 => "Unsupported Media Type",
            429 => "Too Many Requests",
            431 => "Request Header Fields Too Large",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            _ => "Status",
        };
        let mut out = format!("HTTP/1.1 {} {reason}\r\n", self.status);
        for (k, v) in self.headers.iter().chain(every_answer) {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("x-amzn-RequestId: ");
        out.push_str(&new_uuid());
        out.push_str("\r\n");
        if close {
            out.push_str("Connection: close\r\n");
        }
        out.push_str(&format!("Content-Length: {length}\r\n\r\n"));
        out.into_bytes()
    }
}

/// A running server: an acceptor thread and one thread per open connection. Dropping it
/// stops it and closes its connections.
pub(super) struct Server {
    addr: SocketAddr,
    state: Arc<State>,
    acceptor: Option<JoinHandle<()>>,
}

struct State {
    limits: HttpLimits,
    handler: Arc<dyn Handler>,
    every_answer: Vec<(String, String)>,
    stopping: AtomicBool,
    connections: AtomicUsize,
    requests: AtomicUsize,
    accept_errors: AtomicUsize,
    conns: Mutex<Conns>,
}

#[derive(Default)]
struct Conns {
    /// Open connections by id (in accept order), so that a newcomer or `Drop` can close
    /// them. The handler holds the same `Arc`: one descriptor per connection.
    open: HashMap<u64, Open>,
    handlers: Vec<JoinHandle<()>>,
}

struct Open {
    stream: Arc<TcpStream>,
    /// Since when it has waited for (the rest of) a request; `None` while its request is
    /// handled and answered, when it must not be closed under it.
    waiting_since: Option<Instant>,
    /// Upgraded to a WebSocket: no longer counted against `max_connections` nor ever
    /// closed to make room (the WebSocket side bounds these on its own, by
    /// `max_websockets`). Only the `websocket` feature upgrades.
    websocket: bool,
}

impl Server {
    /// Serves `listener` with `handler`, putting `every_answer` on every answer.
    pub(super) fn start(
        listener: TcpListener,
        limits: HttpLimits,
        handler: Arc<dyn Handler>,
        every_answer: Vec<(String, String)>,
    ) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            limits,
            handler,
            every_answer,
            stopping: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            accept_errors: AtomicUsize::new(0),
            conns: Mutex::default(),
        });
        let acceptor = {
            let state = Arc::clone(&state);
            thread::Builder::new()
                .name("connect-participant-emulator".into())
                .spawn(move || accept_loop(&listener, &state))?
        };
        Ok(Server {
            addr,
            state,
            acceptor: Some(acceptor),
        })
    }

    pub(super) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(super) fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    pub(super) fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    pub(super) fn open_connections(&self) -> usize {
        self.state.lock().open.len()
    }

    pub(super) fn accept_errors(&self) -> usize {
        self.state.accept_errors.load(Ordering::SeqCst)
    }
}

impl State {
    fn lock(&self) -> MutexGuard<'_, Conns> {
        // A panicking connection thread must not take the whole server down with it.
        self.conns.lock().unwrap_or_else(PoisonError::into_inner)
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

    /// Marks connection `id` as upgraded to a WebSocket; `false` if it has been closed
    /// meanwhile.
    #[cfg(feature = "websocket")]
    fn mark_websocket(&self, id: u64) -> bool {
        match self.lock().open.get_mut(&id) {
            Some(open) => {
                open.waiting_since = None;
                open.websocket = true;
                true
            }
            None => false,
        }
    }

    /// Closes every connection, so that their handlers' reads and writes return.
    fn close_all(&self) -> Vec<JoinHandle<()>> {
        let mut conns = self.lock();
        for (_, open) in conns.open.drain() {
            let _ = open.stream.shutdown(Shutdown::Both);
        }
        std::mem::take(&mut conns.handlers)
    }
}

impl Conns {
    /// The open HTTP connections, those upgraded to WebSockets left out.
    fn http_connections(&self) -> usize {
        self.open.values().filter(|o| !o.websocket).count()
    }

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
}

impl Drop for Server {
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
                if acceptor.is_finished() || crate::net::poke(self.addr) {
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
pub(super) struct Backoff {
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
    pub(super) fn next_pause(&mut self) -> Duration {
        let pause = self.next;
        self.next = (pause * 2).min(ACCEPT_BACKOFF_MAX);
        pause
    }

    pub(super) fn reset(&mut self) {
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
    let mut conns = state.lock();
    conns.handlers.retain(|h| !h.is_finished());
    if conns.http_connections() >= state.limits.max_connections && !conns.close_longest_waiting() {
        return;
    }
    conns.open.insert(
        id,
        Open {
            stream: Arc::clone(&stream),
            // Set here rather than by the handler, so that connections that have sent
            // nothing are closed in the order they came.
            waiting_since: Some(Instant::now()),
            websocket: false,
        },
    );
    let handler_state = Arc::clone(state);
    let spawned = thread::Builder::new()
        .name("connect-participant-emulator-conn".into())
        .stack_size(CONNECTION_STACK)
        .spawn(move || {
            let _ = serve_connection(id, &stream, &handler_state);
            // Forgotten before the peer sees the close, so that what it sees next is true.
            handler_state.lock().open.remove(&id);
            let _ = stream.shutdown(Shutdown::Both);
        });
    match spawned {
        Ok(h) => conns.handlers.push(h),
        Err(_) => {
            conns.open.remove(&id);
        }
    }
}

fn serve_connection(id: u64, stream: &Arc<TcpStream>, state: &State) -> io::Result<()> {
    let mut writer: &TcpStream = stream;
    let mut reader = BufReader::new(&**stream);
    loop {
        let read = read_head(&mut reader).and_then(|head| {
            let Some((mut request, length)) = head else {
                return Ok(None);
            };
            let (max, hold) = match state.handler.admit(&request, state.limits.max_body) {
                Admit::Body(max) => (max, None),
                Admit::Held(max, hold) => (max, Some(hold)),
                Admit::Refuse(reply) => return Ok(Some(Err((reply, length)))),
            };
            read_body(&mut reader, &mut request, length, max)?;
            Ok(Some(Ok((request, hold))))
        });
        let (request, _hold) = match read {
            Ok(Some(Ok(r))) => r,
            Ok(Some(Err((reply, length)))) => {
                // Refused on its head: its body is dropped, not kept, and the connection
                // carries no other request.
                if !state.mark(id, false) {
                    return Ok(());
                }
                state.requests.fetch_add(1, Ordering::SeqCst);
                writer.write_all(&reply.to_bytes(&state.every_answer, true))?;
                writer.flush()?;
                if length <= MAX_DISCARD {
                    let _ = io::copy(&mut reader.by_ref().take(length as u64), &mut io::sink());
                }
                return close(writer);
            }
            Ok(None) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                if !state.mark(id, false) {
                    return Ok(());
                }
                state.requests.fetch_add(1, Ordering::SeqCst);
                let status = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<Refusal>())
                    .map_or(400, |r| r.status);
                let reply = state.handler.malformed(status, &e.to_string());
                writer.write_all(&reply.to_bytes(&state.every_answer, true))?;
                return close(writer);
            }
            Err(e) => return Err(e),
        };
        // Closed to make room while its request arrived: it must not be answered now.
        if !state.mark(id, false) {
            return Ok(());
        }
        state.requests.fetch_add(1, Ordering::SeqCst);
        let (reply, shared) = match state.handler.handle(&request) {
            Outcome::Reply(reply) => (reply, None),
            Outcome::Shared(reply, body) => (reply, Some(body)),
            Outcome::Raw(bytes) => {
                writer.write_all(&bytes)?;
                return close(writer);
            }
            Outcome::Close => return close(writer),
            Outcome::HalfThenClose(reply) => {
                let bytes = reply.to_bytes(&state.every_answer, false);
                writer.write_all(&bytes[..bytes.len() / 2])?;
                return close(writer);
            }
            #[cfg(feature = "websocket")]
            Outcome::Upgrade(upgrade) => {
                if !state.mark_websocket(id) {
                    return Ok(());
                }
                writer.write_all(&upgrade.head)?;
                writer.flush()?;
                // A client may send its first frames right behind the request head.
                let rest = reader.buffer().to_vec();
                (upgrade.serve)(stream, rest);
                return close(writer);
            }
            Outcome::Stall => {
                // Wait for the client to give up: its close ends the read.
                if !state.mark(id, true) {
                    return Ok(());
                }
                continue;
            }
        };
        match shared {
            None => writer.write_all(&reply.to_bytes(&state.every_answer, request.close))?,
            Some(body) => {
                let head = reply.head_bytes(&state.every_answer, request.close, body.len());
                writer.write_all(&head)?;
                writer.write_all(&body)?;
            }
        }
        writer.flush()?;
        if request.close {
            return close(writer);
        }
        if !state.mark(id, true) {
            return Ok(());
        }
    }
}

/// Closes the connection now: the server keeps a handle to every connection (to close
/// them on drop), so dropping ours would not be enough.
fn close(stream: &TcpStream) -> io::Result<()> {
    let _ = stream.shutdown(Shutdown::Both);
    Ok(())
}

/// Why a request cannot be served as read: the HTTP status to answer and the message.
#[derive(Debug)]
pub(super) struct Refusal {
    status: u16,
    message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refusal {}

/// An `InvalidData` error carrying the status to answer.
fn refuse(status: u16, message: impl Into<String>) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        Refusal {
            status,
            message: message.into(),
        },
    )
}

/// Reads one request; `None` at a clean end of the connection. A request that cannot be
/// served is an `InvalidData` error whose [`Refusal`] says the status to answer: 431 for a
/// head over 64 KiB or with more than [`MAX_HEADERS`] headers, 400 for anything else
/// malformed (a request line that is not `METHOD TARGET HTTP/1.1` or `HTTP/1.0`, a header
/// line without a name, a `Content-Length` that is not all digits or that disagrees with
/// another, a `Transfer-Encoding`, a body over `max_body`).
#[cfg(test)]
pub(super) fn read_request(
    reader: &mut impl BufRead,
    max_body: usize,
) -> io::Result<Option<Request>> {
    let Some((mut request, length)) = read_head(reader)? else {
        return Ok(None);
    };
    read_body(reader, &mut request, length, max_body)?;
    Ok(Some(request))
}

/// The first byte of a TLS handshake record (RFC 8446 5.1).
const TLS_HANDSHAKE: u8 = 0x16;

/// Reads one request head: the request (with an empty body) and its body's length; `None`
/// at a clean end of the connection. Refuses as [`read_request`] says, but for the body's
/// size, which [`read_body`] checks.
fn read_head(reader: &mut impl BufRead) -> io::Result<Option<(Request, usize)>> {
    let bad = |msg: &str| refuse(400, msg);
    // A TLS ClientHello (a handshake record, 0x16) carries no line end to wait for: a client
    // given https:// for this plain-HTTP port would stall until its connect timeout. It is
    // answered at once, as nginx answers one; the client's TLS reads `HTTP/1.1 400` and
    // fails on the spot.
    if reader.fill_buf()?.first() == Some(&TLS_HANDSHAKE) {
        let taken = reader.fill_buf()?.len();
        reader.consume(taken);
        return Err(bad(
            "a TLS handshake on a plain-HTTP port: the emulator speaks http://, not https://",
        ));
    }
    let mut head = Vec::new();
    let mut lines_read = 0usize;
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
            return Err(refuse(
                431,
                format!("request head too large: the emulator reads up to {MAX_HEAD} bytes"),
            ));
        }
        let line = &head[before..];
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        // The request line, then the headers: refused as soon as one too many arrives.
        lines_read += 1;
        if lines_read > MAX_HEADERS + 1 {
            return Err(refuse(
                431,
                format!("too many headers: the emulator takes up to {MAX_HEADERS}"),
            ));
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
    if method.is_empty() || target.is_empty() {
        return Err(bad("malformed request line"));
    }
    let close = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(bad("unsupported HTTP version: send HTTP/1.1")),
    };
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad("malformed header line"));
        };
        // No whitespace in or around a name (RFC 9112 5.1): `Content-Length : 5` is not
        // the header a proxy in front might read it as.
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(bad("malformed header name"));
        }
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let path = target.split('?').next().unwrap_or_default();
    let mut request = Request {
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        body: Vec::new(),
        close,
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
    // Digits only (no sign, no list), and every Content-Length the same (RFC 9112 6.3):
    // otherwise where the body ends is ambiguous.
    let mut length: Option<usize> = None;
    for (_, v) in request
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("bad Content-Length"));
        }
        let n = v.parse::<usize>().map_err(|_| bad("bad Content-Length"))?;
        if length.is_some_and(|l| l != n) {
            return Err(bad("conflicting Content-Length headers"));
        }
        length = Some(n);
    }
    Ok(Some((request, length.unwrap_or(0))))
}

/// Reads a body of `length` bytes into `request`, refused (400) if `length` is over
/// `max_body`. Memory is taken as the bytes arrive: the buffer starts at [`BODY_CHUNK`] at
/// most and doubles when full, never past `length`, so a `Content-Length` with no bytes
/// behind it reserves nothing beyond the first chunk.
fn read_body(
    reader: &mut impl BufRead,
    request: &mut Request,
    length: usize,
    max_body: usize,
) -> io::Result<()> {
    if length > max_body {
        return Err(refuse(
            400,
            format!(
                "request body too large: {length} bytes, the emulator accepts up to {max_body}"
            ),
        ));
    }
    let mut body: Vec<u8> = Vec::new();
    while body.len() < length {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let n = available.len().min(length - body.len());
        if body.capacity() - body.len() < n {
            let want = (body.capacity() * 2).max(BODY_CHUNK).min(length);
            body.reserve_exact(want.max(body.len() + n) - body.len());
        }
        body.extend_from_slice(&available[..n]);
        reader.consume(n);
    }
    request.body = body;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_bytes_put_the_common_headers_after_the_reply_s_own() {
        let r = Reply {
            status: 204,
            headers: vec![("A".into(), "1".into())],
            body: Vec::new(),
        };
        let every = [("B".to_owned(), "2".to_owned())];
        let bytes = String::from_utf8(r.to_bytes(&every, true)).unwrap();
        let lines: Vec<&str> = bytes.lines().collect();
        assert_eq!(lines[0], "HTTP/1.1 204 No Content");
        assert_eq!(lines[1], "A: 1");
        assert_eq!(lines[2], "B: 2");
        assert!(lines[3].starts_with("x-amzn-RequestId: ") && lines[3].len() == 18 + 36);
        assert_eq!(lines[4], "Connection: close");
        assert_eq!(lines[5], "Content-Length: 0");
        assert!(bytes.ends_with("\r\n\r\n"));
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
    fn a_body_s_buffer_grows_with_what_arrived_never_past_its_length() {
        let head = || Request {
            method: "PUT".into(),
            path: "/".into(),
            headers: Vec::new(),
            body: Vec::new(),
            close: false,
        };
        // Twenty million announced, ten sent: the first chunk at most is reserved.
        let mut request = head();
        let e = read_body(&mut &[7u8; 10][..], &mut request, 20_000_000, 20_000_000);
        assert_eq!(e.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        // All of it sent: the buffer ends at the length exactly, whatever `max_body`.
        let sent = vec![1u8; 3 * BODY_CHUNK + 5];
        let mut request = head();
        read_body(&mut &sent[..], &mut request, sent.len(), sent.len()).unwrap();
        assert_eq!(request.body, sent);
        assert_eq!(request.body.capacity(), sent.len());
        let e = read_body(&mut &sent[..], &mut head(), sent.len(), 10).unwrap_err();
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
