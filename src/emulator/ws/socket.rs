//! One upgraded connection, served by two threads: the connection's own reads the
//! client's frames and answers them, and one of its own writes what is queued for it.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tungstenite::{Message, WebSocket};

use super::{Command, Slot};

/// How long a socket's reading thread waits for a client frame before it checks whether
/// the socket is closing or idle.
const READ_PAUSE: Duration = Duration::from_millis(50);
/// How long a socket's writing thread waits for its queue before it checks whether the
/// connection was closed by the client.
const WRITER_WAKE: Duration = Duration::from_millis(100);
/// The answer to a subscription to `aws/chat`.
pub(super) const SUBSCRIBED: &str =
    r#"{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}"#;
/// The answer to a heartbeat.
pub(super) const HEARTBEAT: &str = r#"{"topic":"aws/heartbeat"}"#;
/// The answer to a deep heartbeat.
pub(super) const PING: &str = r#"{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}"#;
/// The answer to a deep heartbeat while the service is said to be unhealthy.
pub(super) const SICK_PING: &str =
    r#"{"topic":"aws/ping","statusCode":500,"statusContent":"Internal Server Error"}"#;
/// The largest message and frame a client may send: its topics are a few dozen bytes.
const MAX_CLIENT_MESSAGE: usize = 64 * 1024;
/// The most bytes waiting in a socket's write buffer: more than the largest frame pushed
/// (an item of 16 KiB of content escaped twice is well under 1 MiB).
const MAX_WRITE_BUFFER: usize = 4 * 1024 * 1024;
/// How long a socket that sent its close frame waits for the client's.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

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
pub(super) struct Connection {
    pub(super) slot: Slot,
    pub(super) commands: Receiver<Command>,
    pub(super) queued: Arc<AtomicUsize>,
    pub(super) idle_timeout: Duration,
}

impl Connection {
    /// Serves the socket until it ends: the client closes it or goes silent for
    /// `idle_timeout`, the server's close is answered (or [`CLOSE_WAIT`] passes), the
    /// socket is dropped, a write waits `idle_timeout`, or the emulator stops (which
    /// shuts the stream). Each read waits at most [`READ_PAUSE`]. The writing thread is
    /// joined before this returns.
    pub(super) fn serve(self, stream: &Arc<TcpStream>, rest: Vec<u8>) {
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
        Some("aws/heartbeat") => HEARTBEAT,
        Some("aws/ping") => PING,
        _ => return,
    };
    let mut state = shared.lock();
    let on = if answer == PING {
        state.hub.deep_heartbeat_answers
    } else {
        state.hub.heartbeat_answers
    };
    let answer = if answer == PING && !state.hub.deep_heartbeat_healthy {
        SICK_PING
    } else {
        answer
    };
    if on {
        state.hub.send(slot.id, Command::Text(answer.into()));
    }
}

fn is_io_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
