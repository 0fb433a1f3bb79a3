//! A scripted HTTP/1.1 server that records the exact bytes of every request it answers.
//!
//! Each request is read raw (headers up to CRLFCRLF, then exactly `Content-Length` body
//! bytes), so that tests can compare it byte for byte with what the client should send,
//! and answered with the next scripted [`Action`]. Connections are served on their own
//! threads ([`Server`]), so keep-alive and several concurrent clients both work.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::server::Server;

/// A safety net only: no test waits on it in the normal course.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(5);
/// Bounds on every loop of the server.
const MAX_CONNECTIONS: usize = 1000;
const MAX_REQUESTS_PER_CONNECTION: usize = 1000;
const MAX_HEADER_BYTES: usize = 64 * 1024;
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Action {
    /// Write these raw bytes; keep the connection open for the next request.
    Respond(Vec<u8>),
    /// Write these raw bytes, then close the connection.
    RespondAndClose(Vec<u8>),
    /// Close the connection without answering.
    Close,
    /// Never answer; wait until the client goes away (or the server stops).
    Hang,
}

/// One request as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// 0-based index of the connection it came on, in accept order.
    pub connection: usize,
    /// The exact bytes: request line, headers, blank line and body.
    pub bytes: Vec<u8>,
}

impl Request {
    /// The bytes as text (tests only send UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8(self.bytes.clone()).expect("request bytes are UTF-8")
    }

    /// The body: everything after the first CRLFCRLF.
    pub fn body(&self) -> &[u8] {
        let end = find_header_end(&self.bytes).expect("a recorded request has a header end");
        &self.bytes[end..]
    }

    pub fn body_text(&self) -> String {
        String::from_utf8(self.body().to_vec()).expect("request body is UTF-8")
    }
}

/// What the server saw, handed back by [`Scripted::finish`].
#[derive(Debug)]
pub struct Report {
    /// Connections accepted (the wake-up connection of `finish` not included).
    pub connections: usize,
    /// Every request, in arrival order.
    pub requests: Vec<Request>,
    /// Requests that came after the script ran out (answered by closing the connection).
    pub unscripted: usize,
}

impl Report {
    /// The only request; panics unless there was exactly one.
    pub fn single(&self) -> &Request {
        assert_eq!(self.connections, 1, "connections: {self:?}");
        assert_eq!(self.requests.len(), 1, "requests: {self:?}");
        &self.requests[0]
    }
}

enum Script {
    /// Each request takes the next action; when none is left the connection is closed.
    Sequence(VecDeque<Action>),
    /// Every request gets this action.
    Repeat(Action),
}

struct Shared {
    script: Mutex<Script>,
    requests: Mutex<Vec<Request>>,
    unscripted: Mutex<usize>,
}

impl Shared {
    fn next_action(&self) -> Option<Action> {
        match &mut *self.script.lock().unwrap() {
            Script::Sequence(queue) => queue.pop_front(),
            Script::Repeat(action) => Some(action.clone()),
        }
    }
}

/// A running scripted server; dropping it unfinished stops it and discards the report.
pub struct Scripted {
    server: Server<()>,
    shared: Arc<Shared>,
}

impl Scripted {
    /// Serves `script`, one action per request, in order.
    pub fn start(script: Vec<Action>) -> Scripted {
        Scripted::spawn(Script::Sequence(script.into()))
    }

    /// Answers every request with `action`.
    pub fn repeating(action: Action) -> Scripted {
        Scripted::spawn(Script::Repeat(action))
    }

    fn spawn(script: Script) -> Scripted {
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            requests: Mutex::new(Vec::new()),
            unscripted: Mutex::new(0),
        });
        let server = {
            let shared = Arc::clone(&shared);
            Server::start("scripted", MAX_CONNECTIONS, move |index, stream, _| {
                serve_connection(stream, index, &shared);
            })
        };
        Scripted { server, shared }
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// `http://127.0.0.1:<port>`, the endpoint URL to give the client.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    /// Stops the server, joins all its threads and returns what it saw.
    pub fn finish(self) -> Report {
        let connections = self.server.finish().len();
        let requests = std::mem::take(&mut *self.shared.requests.lock().unwrap());
        let unscripted = *self.shared.unscripted.lock().unwrap();
        Report {
            connections,
            requests,
            unscripted,
        }
    }
}

fn serve_connection(mut stream: TcpStream, index: usize, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(SOCKET_TIMEOUT));
    let _ = stream.set_write_timeout(Some(SOCKET_TIMEOUT));
    let mut buf = Vec::new();
    for _ in 0..MAX_REQUESTS_PER_CONNECTION {
        let Ok(bytes) = read_request(&mut stream, &mut buf) else {
            return;
        };
        shared.requests.lock().unwrap().push(Request {
            connection: index,
            bytes,
        });
        match shared.next_action() {
            Some(Action::Respond(reply)) => {
                if stream
                    .write_all(&reply)
                    .and_then(|()| stream.flush())
                    .is_err()
                {
                    return;
                }
            }
            Some(Action::RespondAndClose(reply)) => {
                let _ = stream.write_all(&reply).and_then(|()| stream.flush());
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Some(Action::Close) => {
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Some(Action::Hang) => {
                // Wait for the client to give up (EOF or reset) or for `finish`.
                let mut sink = [0u8; 1024];
                for _ in 0..MAX_REQUESTS_PER_CONNECTION {
                    match stream.read(&mut sink) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                }
                return;
            }
            None => {
                *shared.unscripted.lock().unwrap() += 1;
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

/// Reads one whole request from `stream`, keeping any extra bytes in `buf` for the next
/// one. An error when the connection ends (or misbehaves) first.
pub fn read_request(stream: &mut impl Read, buf: &mut Vec<u8>) -> io::Result<Vec<u8>> {
    let mut chunk = [0u8; 16 * 1024];
    let mut more = |buf: &mut Vec<u8>, what: &str| match stream.read(&mut chunk)? {
        0 => Err(io::Error::other(format!("closed before {what}"))),
        n => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(())
        }
    };
    // Each successful read adds at least one byte, and the size is capped, so this ends.
    let header_end = loop {
        if let Some(end) = find_header_end(buf) {
            break end;
        }
        if buf.len() > MAX_HEADER_BYTES {
            return Err(io::Error::other("a request head over 64 KiB"));
        }
        more(buf, "a whole request head")?;
    };
    let length = content_length(&buf[..header_end])
        .ok_or_else(|| io::Error::other("no usable Content-Length"))?;
    if length > MAX_BODY_BYTES {
        return Err(io::Error::other("a request body over 2 MiB"));
    }
    let total = header_end + length;
    while buf.len() < total {
        more(buf, "the whole body")?;
    }
    let rest = buf.split_off(total);
    Ok(std::mem::replace(buf, rest))
}

/// The index just past the first CRLFCRLF.
pub fn find_header_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
}

/// The `Content-Length` of a request head (0 when absent); `None` when it is unusable or the
/// body is chunked, which the client under test never sends.
pub fn content_length(head: &[u8]) -> Option<usize> {
    let head = std::str::from_utf8(head).ok()?;
    let mut length = 0;
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return None;
        }
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().ok()?;
        }
    }
    Some(length)
}

/// A response with a body and its `Content-Length`, plus `extra` header lines (each without
/// its CRLF).
pub fn response(status_line: &str, extra: &[&str], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status_line}\r\n");
    for line in extra {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A binds-then-drops listener's port: nothing listens there afterwards.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local addr").port();
    drop(listener);
    port
}
