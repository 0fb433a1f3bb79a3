//! A scripted HTTP/1.1 server on 127.0.0.1 that records the exact bytes it receives.
//!
//! Each request is read raw (headers up to CRLFCRLF, then exactly `Content-Length` body
//! bytes), recorded, and answered with the next scripted [`Action`]. Connections are served
//! on their own threads, so keep-alive and several concurrent clients both work.
//!
//! [`Scripted::finish`] stops the server without polling: it marks the server as stopping,
//! connects to it once to wake the blocked `accept`, names that wake-up connection through a
//! channel, shuts every open connection down (so handlers blocked in a keep-alive read
//! return), joins every thread and hands back what was seen. Dropping an unfinished server
//! does the same and discards the report.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// A safety net only: no test waits on it in the normal course.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(5);
/// Bounds on every loop of the server.
const MAX_CONNECTIONS: usize = 1000;
const MAX_REQUESTS_PER_CONNECTION: usize = 1000;
const MAX_HEADER_BYTES: usize = 64 * 1024;
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// The pauses after a failed `accept`, doubling from the first to the last.
const ACCEPT_PAUSE_MIN: Duration = Duration::from_millis(1);
const ACCEPT_PAUSE_MAX: Duration = Duration::from_millis(100);

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

    /// The body as text.
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

/// A running scripted server.
pub struct Scripted {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    wake_tx: Sender<SocketAddr>,
    thread: Option<JoinHandle<Report>>,
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
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let stopping = Arc::new(AtomicBool::new(false));
        let (wake_tx, wake_rx) = mpsc::channel();
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            requests: Mutex::new(Vec::new()),
            unscripted: Mutex::new(0),
        });
        let thread = {
            let stopping = Arc::clone(&stopping);
            thread::Builder::new()
                .name(format!("scripted-{}", addr.port()))
                .spawn(move || accept_loop(&listener, &stopping, &wake_rx, shared))
                .expect("spawn server thread")
        };
        Scripted {
            addr,
            stopping,
            wake_tx,
            thread: Some(thread),
        }
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:<port>`, the endpoint URL to give the client.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    /// Stops the server, joins all its threads and returns what it saw.
    pub fn finish(mut self) -> Report {
        match self.stop() {
            Some(Ok(report)) => report,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => unreachable!("finish runs once"),
        }
    }

    fn stop(&mut self) -> Option<thread::Result<Report>> {
        let thread = self.thread.take()?;
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the blocked accept, and say which connection is the wake-up call. If the
        // thread already ended (it panicked), the connect or send fails; join tells why.
        if let Ok(wake) = TcpStream::connect(self.addr) {
            if let Ok(local) = wake.local_addr() {
                let _ = self.wake_tx.send(local);
            }
            // Kept open until the server has seen it.
            let result = thread.join();
            drop(wake);
            return Some(result);
        }
        Some(thread.join())
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        // A test that did not call finish (it failed early, say) must not leak the thread.
        let _ = self.stop();
    }
}

fn accept_loop(
    listener: &TcpListener,
    stopping: &AtomicBool,
    wake_rx: &Receiver<SocketAddr>,
    shared: Arc<Shared>,
) -> Report {
    let mut wake: Option<SocketAddr> = None;
    let mut connections: Vec<(JoinHandle<()>, Option<TcpStream>)> = Vec::new();
    let mut pause = ACCEPT_PAUSE_MIN;
    for _ in 0..MAX_CONNECTIONS {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(_) if stopping.load(Ordering::SeqCst) => break,
            Err(_) => {
                // Out of descriptors, say: retrying at once would spin through the bound
                // in an instant and leave later clients unanswered.
                thread::sleep(pause);
                pause = (pause * 2).min(ACCEPT_PAUSE_MAX);
                continue;
            }
        };
        pause = ACCEPT_PAUSE_MIN;
        if stopping.load(Ordering::SeqCst) {
            if wake.is_none() {
                // `finish` sends the address right after its connect returns.
                wake = wake_rx.recv_timeout(SOCKET_TIMEOUT).ok();
            }
            if wake == Some(peer) {
                break;
            }
        }
        let index = connections.len();
        let _ = stream.set_read_timeout(Some(SOCKET_TIMEOUT));
        let _ = stream.set_write_timeout(Some(SOCKET_TIMEOUT));
        let control = stream.try_clone().ok();
        let shared = Arc::clone(&shared);
        let handle = thread::Builder::new()
            .name(format!("scripted-conn-{index}"))
            .spawn(move || serve_connection(stream, index, &shared))
            .expect("spawn connection thread");
        connections.push((handle, control));
    }
    let count = connections.len();
    let mut panicked = None;
    for (handle, control) in connections {
        if let Some(control) = control {
            // Unblocks a handler waiting for a next request that will never come.
            let _ = control.shutdown(Shutdown::Both);
        }
        if let Err(panic) = handle.join() {
            panicked = Some(panic);
        }
    }
    if let Some(panic) = panicked {
        std::panic::resume_unwind(panic);
    }
    let requests = std::mem::take(&mut *shared.requests.lock().unwrap());
    let unscripted = *shared.unscripted.lock().unwrap();
    Report {
        connections: count,
        requests,
        unscripted,
    }
}

fn serve_connection(mut stream: TcpStream, index: usize, shared: &Shared) {
    let mut buf = Vec::new();
    for _ in 0..MAX_REQUESTS_PER_CONNECTION {
        let Some(bytes) = read_request(&mut stream, &mut buf) else {
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

/// Reads one whole request from `stream`, keeping any extra bytes in `buf`. `None` when the
/// connection ends (or misbehaves) first.
fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut chunk = [0u8; 16 * 1024];
    // Each successful read adds at least one byte, and the size is capped, so this ends.
    let header_end = loop {
        if let Some(end) = find_header_end(buf) {
            break end;
        }
        if buf.len() > MAX_HEADER_BYTES {
            return None;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let length = content_length(&buf[..header_end])?;
    if length > MAX_BODY_BYTES {
        return None;
    }
    let total = header_end + length;
    while buf.len() < total {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let rest = buf.split_off(total);
    Some(std::mem::replace(buf, rest))
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
