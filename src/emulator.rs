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
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::client::{Client, ClientBuilder};
use crate::content_type::ContentType;
use crate::endpoint::Endpoint;
use crate::event::{MAX_CLIENT_TOKEN_CHARS, MAX_CONTENT_CHARS};
use crate::token::{ConnectionToken, Uuid};

/// The largest request head (request line and headers) the emulator reads.
const MAX_HEAD: usize = 64 * 1024;
/// The largest request body the emulator reads; the service's own limit is far below.
const MAX_BODY: usize = 1024 * 1024;

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
    /// The body.
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
    /// gives up or the emulator stops.
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

/// A running emulator. Dropping it stops it and closes its connections.
pub struct Emulator {
    addr: SocketAddr,
    state: Arc<State>,
    acceptor: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct State {
    stopping: AtomicBool,
    connections: AtomicUsize,
    requests: AtomicUsize,
    shared: Mutex<Shared>,
}

#[derive(Default)]
struct Shared {
    events: Vec<RecordedEvent>,
    /// (connection token, client token) -> index into `events`.
    by_client_token: HashMap<(String, String), usize>,
    revoked: HashSet<String>,
    receipts_conflict: bool,
    faults: VecDeque<Fault>,
    seen: Vec<SeenRequest>,
    /// Open connections, so that drop can close them and their threads can end.
    open: HashMap<usize, TcpStream>,
    handlers: Vec<JoinHandle<()>>,
}

impl State {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panicking handler must not take the whole emulator down with it.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Emulator {
    /// Binds `127.0.0.1` on a free port and starts serving.
    pub fn start() -> io::Result<Emulator> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::default());
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

    /// The events accepted so far, oldest first; a repeated client token appears once.
    pub fn events(&self) -> Vec<RecordedEvent> {
        self.state.lock().events.clone()
    }

    /// How many HTTP requests it has received, malformed ones included.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// The well-formed requests received so far, oldest first, each attempt of a retried
    /// call included.
    pub fn seen_requests(&self) -> Vec<SeenRequest> {
        self.state.lock().seen.clone()
    }

    /// How many TCP connections it has accepted.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
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
            .finish_non_exhaustive()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.state.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor, blocked in accept(), so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let handlers = {
            let mut shared = self.state.lock();
            for stream in shared.open.values() {
                let _ = stream.shutdown(Shutdown::Both);
            }
            std::mem::take(&mut shared.handlers)
        };
        for h in handlers {
            let _ = h.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, state: &Arc<State>) {
    for (n, stream) in listener.incoming().enumerate() {
        if state.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        state.connections.fetch_add(1, Ordering::SeqCst);
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        let mut shared = state.lock();
        shared.handlers.retain(|h| !h.is_finished());
        shared.open.insert(n, clone);
        let handler_state = Arc::clone(state);
        let spawned = thread::Builder::new()
            .name("connect-participant-emulator-conn".into())
            .spawn(move || {
                let _ = serve_connection(stream, &handler_state);
                handler_state.lock().open.remove(&n);
            });
        match spawned {
            Ok(h) => shared.handlers.push(h),
            Err(_) => {
                shared.open.remove(&n);
            }
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

fn serve_connection(stream: TcpStream, state: &State) -> io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let request = match read_request(&mut reader) {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                state.requests.fetch_add(1, Ordering::SeqCst);
                let reply = Reply::error(400, "SerializationException", &e.to_string());
                writer.write_all(&reply.to_bytes(true))?;
                return close(&writer);
            }
            Err(e) => return Err(e),
        };
        state.requests.fetch_add(1, Ordering::SeqCst);
        let fault = {
            let mut shared = state.lock();
            shared.seen.push(SeenRequest {
                method: request.method.clone(),
                path: request.path.clone(),
                headers: request
                    .headers
                    .iter()
                    .filter(|(k, _)| !k.eq_ignore_ascii_case("x-amz-bearer"))
                    .cloned()
                    .collect(),
                body: request.body.clone(),
            });
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
                return close(&writer);
            }
            Some(Fault::CloseBeforeHandling) => return close(&writer),
            Some(Fault::CloseAfterHandling) => {
                handle(&request, state);
                return close(&writer);
            }
            Some(Fault::CloseMidResponse) => {
                let bytes = handle(&request, state).to_bytes(false);
                writer.write_all(&bytes[..bytes.len() / 2])?;
                return close(&writer);
            }
            Some(Fault::Stall) => {
                handle(&request, state);
                // Wait for the client to give up: its close ends the read.
                continue;
            }
        };
        writer.write_all(&reply.to_bytes(request.close))?;
        writer.flush()?;
        if request.close {
            return close(&writer);
        }
    }
}

/// Closes the connection now: the acceptor keeps a handle to every connection (to close
/// them on drop), so dropping ours would not be enough.
fn close(stream: &TcpStream) -> io::Result<()> {
    let _ = stream.shutdown(Shutdown::Both);
    Ok(())
}

/// Reads one request; `None` at a clean end of the connection.
fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
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
    if length > MAX_BODY {
        return Err(bad("request body too large"));
    }
    request.body = vec![0; length];
    reader.read_exact(&mut request.body)?;
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
    let index = match key.as_ref().and_then(|k| shared.by_client_token.get(k)) {
        Some(&i) => i,
        None => {
            shared.events.push(RecordedEvent {
                id: new_uuid(),
                absolute_time: now_iso8601(),
                content_type,
                content,
                client_token,
            });
            let i = shared.events.len() - 1;
            if let Some(k) = key {
                shared.by_client_token.insert(k, i);
            }
            i
        }
    };
    let event = &shared.events[index];
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
    fn read_request_parses_head_and_body() {
        let raw = b"POST /participant/event?x=1 HTTP/1.1\r\nX-Amz-Bearer: t\r\nContent-Length: 2\r\n\r\n{}";
        let r = read_request(&mut &raw[..]).unwrap().unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/participant/event");
        assert_eq!(r.header("x-amz-bearer"), Some("t"));
        assert_eq!(r.body, b"{}");
        assert!(!r.close);
        assert!(read_request(&mut &b""[..]).unwrap().is_none());
        let e = read_request(&mut &b"GARBAGE\r\n\r\n"[..]).err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }
}
