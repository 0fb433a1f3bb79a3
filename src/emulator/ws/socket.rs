//! One upgraded connection, served by one thread: the connection's own, which reads the
//! client's frames and answers them. Its reads block until a frame comes, the idle timeout
//! passes, or the connection is shut (by a drop, the closing thread, the emulator's stop):
//! a quiet socket costs nothing. What goes out is written by whoever queues it (see `out`).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tungstenite::protocol::{Role, WebSocketConfig};
use tungstenite::{Message, WebSocket};

use super::out::{self, CLOSE_WAIT, Out, TRY_WRITE, is_io_timeout, lock_out};
use super::{Command, Slot};

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
/// The most bytes waiting in tungstenite's write buffer (it writes at once, through `out`).
const MAX_WRITE_BUFFER: usize = 4 * 1024 * 1024;
/// The shortest read timeout set (zero would mean none).
const MIN_READ_WAIT: Duration = Duration::from_millis(1);

/// The reading thread's side of the stream: reads from it, and queues what tungstenite
/// answers by itself (pongs, the echo of a close) whole, through the socket's [`Out`], so
/// that it never lands inside another frame.
struct ReadSide<'a> {
    stream: &'a TcpStream,
    out: &'a Arc<Mutex<Out>>,
}

impl Read for ReadSide<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.stream).read(buf)
    }
}

impl Write for ReadSide<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        out::queue_raw(self.out, buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// An upgraded connection: read by the connection's thread; what goes out is written by
/// the threads that queue it, through `out`.
pub(super) struct Connection {
    pub(super) slot: Slot,
    pub(super) out: Arc<Mutex<Out>>,
    pub(super) idle_timeout: Duration,
}

impl Connection {
    /// Serves the socket until it ends: the client closes it or goes silent for
    /// `idle_timeout`, the server's close is answered (or [`CLOSE_WAIT`] passes), the
    /// socket is dropped, a write waits `idle_timeout`, or the emulator stops (which
    /// shuts the stream). A flushing thread, if one runs, is joined before this returns.
    pub(super) fn serve(self, stream: &Arc<TcpStream>, rest: Vec<u8>) {
        let Connection {
            slot,
            out,
            idle_timeout,
        } = self;
        // Frames are small and each should go at once, not wait for the client's
        // acknowledgment of the previous one (Nagle's algorithm).
        if stream.set_write_timeout(Some(TRY_WRITE)).is_err()
            || stream.set_nodelay(true).is_err()
            || !out::attach(&out, stream)
        {
            return;
        }
        read_loop(&slot, stream, &out, rest, idle_timeout);
        // Forgotten first, so that nothing more is queued for it; then cut, so that a
        // flushing write waiting on the client returns.
        slot.shared.lock().hub.forget(slot.id);
        let flusher = {
            let mut o = lock_out(&out);
            o.cut();
            o.take_flusher()
        };
        if let Some(flusher) = flusher {
            let _ = flusher.join();
        }
        // `slot` is given back here, once every thread of the socket is done.
    }
}

/// The connection's thread: reads the client's frames and answers them, until the
/// connection ends. Each read waits until the socket would be idle for `idle_timeout`, or,
/// once the server's close is queued, for the client's answer (the closing thread shuts
/// the connection [`CLOSE_WAIT`] after the close went out).
fn read_loop(
    slot: &Slot,
    stream: &TcpStream,
    out: &Arc<Mutex<Out>>,
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
        let waiting = asked_to_close || out::close_queued(out);
        if !waiting && heard.elapsed() >= idle_timeout {
            // Silent too long (a client heartbeats every 10 s): closed as the service's
            // idle sockets would be, through the queue like any close.
            asked_to_close = true;
            let mut state = slot.shared.lock();
            if !state.hub.send(slot.id, Command::Close(1001)) {
                return;
            }
            state.hub.forget(slot.id);
            continue;
        }
        let wait = if waiting {
            idle_timeout
        } else {
            idle_timeout.saturating_sub(heard.elapsed())
        };
        if stream
            .set_read_timeout(Some(wait.max(MIN_READ_WAIT)))
            .is_err()
        {
            return;
        }
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
            let (contact_id, who) = (socket.contact_id.clone(), socket.who);
            // Queued under the lock that pushes take: the answer goes before any push.
            state.hub.send(slot.id, Command::Text(SUBSCRIBED.into()));
            state.push_rehydrated(slot.id, &contact_id, who);
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
