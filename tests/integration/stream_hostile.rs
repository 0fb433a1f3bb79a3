//! The chat stream against WebSocket servers that misbehave on purpose.
//!
//! The REST side is the emulator's; the WebSocket URL that CreateParticipantConnection
//! hands out points at the hostile server.

use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use connect_participant::emulator::Emulator;
use connect_participant::{ChatStream, Connection, Event, Next, Participant};
use tungstenite::{Message, WebSocket};

use crate::support::participant_streaming_to;
use crate::support::server::Server;
use crate::support::ws::{HEARTBEAT, PING_OK, SUBSCRIBED, chat_frame};

/// A WebSocket server that runs `script` for each connection it accepts, on its own
/// thread, until the server stops (the flag the script gets).
struct Hostile {
    url: String,
    server: Server<()>,
}

impl Hostile {
    /// A bound on the connections accepted: a test here makes the first socket and a few
    /// replacements.
    const MAX_CONNECTIONS: usize = 100;

    fn start(
        script: impl Fn(usize, WebSocket<TcpStream>, &AtomicBool) + Send + Sync + 'static,
    ) -> Hostile {
        let server = Server::start("hostile", Self::MAX_CONNECTIONS, move |n, tcp, stop| {
            // Short reads, so that a script's loop sees the stop flag soon.
            tcp.set_read_timeout(Some(Duration::from_millis(50)))
                .unwrap();
            let Ok(ws) = accept(tcp) else { return };
            script(n, ws, stop);
        });
        let url = format!("ws://{}/connect/s3cr3t-path", server.addr());
        Hostile { url, server }
    }

    fn accepted(&self) -> usize {
        self.server.accepted()
    }
}

/// The upgrade, retried over the short read timeout.
fn accept(tcp: TcpStream) -> Result<WebSocket<TcpStream>, ()> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut attempt = tungstenite::accept(tcp);
    loop {
        match attempt {
            Ok(ws) => return Ok(ws),
            Err(tungstenite::HandshakeError::Interrupted(mid)) if Instant::now() < deadline => {
                attempt = mid.handshake();
            }
            Err(_) => return Err(()),
        }
    }
}

/// Reads until the client's subscribe (answering nothing else), or `None` if it went.
fn await_subscribe(ws: &mut WebSocket<TcpStream>, stop: &AtomicBool) -> Option<()> {
    while !stop.load(Ordering::SeqCst) {
        match ws.read() {
            Ok(Message::Text(t)) if t.as_str().contains("aws/subscribe") => return Some(()),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return None,
        }
    }
    None
}

/// Reads until `stop` or the client goes, answering heartbeats (and deep heartbeats) if
/// `heartbeats`.
fn serve_until_stopped(ws: &mut WebSocket<TcpStream>, stop: &AtomicBool, heartbeats: bool) {
    while !stop.load(Ordering::SeqCst) {
        match ws.read() {
            Ok(Message::Text(t)) if heartbeats => {
                if let Some(answer) = answer(t.as_str()) {
                    let _ = ws.send(Message::text(answer));
                }
            }
            Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return,
            _ => {}
        }
    }
}

/// The healthy service's answer to a heartbeat or a deep heartbeat.
fn answer(frame: &str) -> Option<&'static str> {
    if frame.contains("aws/heartbeat") {
        Some(HEARTBEAT)
    } else if frame.contains("aws/ping") {
        Some(PING_OK)
    } else {
        None
    }
}

/// A chat frame holding an agent's message.
fn agent_frame(id: &str, content: &str) -> String {
    let item = serde_json::json!({
        "Id": id, "Type": "MESSAGE", "Content": content, "ContentType": "text/plain",
        "ParticipantRole": "AGENT", "AbsoluteTime": "2026-01-01T00:00:00.000Z",
    })
    .to_string();
    chat_frame(&item)
}

/// A customer on the emulator whose stream goes to `url`; `max_attempts` REST attempts.
fn participant(emulator: &Emulator, url: &str, max_attempts: u32) -> (Participant, String) {
    let builder = emulator
        .client_builder()
        .max_attempts(max_attempts)
        .timeout(Duration::from_secs(2));
    participant_streaming_to(emulator, builder, url)
}

/// Runs `f` on a thread and gives its result, or `None` if it takes longer than `limit`.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).ok()
}

fn describe(next: &connect_participant::Result<Next>) -> String {
    match next {
        Ok(Next::Event(Event::Message(item))) => {
            format!("message {}", item.content.as_deref().unwrap_or(""))
        }
        Ok(Next::Event(Event::Connection(c))) => match c {
            Connection::Lost(lost) => format!("lost: {}", lost.reason),
            Connection::Restored(back) => format!("restored {}", back.missed),
            Connection::Broken(e) => format!(
                "broken {}, {} attempts, retryable {}",
                e.kind().as_str(),
                e.attempts(),
                e.is_retryable()
            ),
            other => other.name().to_owned(),
        },
        Ok(Next::Event(e)) => e.name().to_owned(),
        Ok(Next::TimedOut) => "timed out".to_owned(),
        Ok(Next::Ended) => "ended".to_owned(),
        Ok(_) => "?".to_owned(),
        Err(e) => format!("error {}", e.kind().as_str()),
    }
}

#[test]
fn endless_websocket_pings_do_not_hold_next_timeout() {
    // After the subscription the server sends a ping every 5 ms and answers nothing: each
    // ping arrives well within any read timeout, so a read that loops over control frames
    // never returns to check its deadline or the heartbeat's.
    let server = Hostile::start(|_, mut ws, stop| {
        if await_subscribe(&mut ws, stop).is_none() {
            return;
        }
        let _ = ws.send(Message::text(SUBSCRIBED));
        while !stop.load(Ordering::SeqCst) {
            if ws.send(Message::Ping(vec![1].into())).is_err() {
                return;
            }
            let _ = ws.read(); // take the pongs, answer nothing
            thread::sleep(Duration::from_millis(5));
        }
    });
    let emulator = Emulator::start().unwrap();
    let (me, _) = participant(&emulator, &server.url, 3);
    let mut stream = ChatStream::builder(&me)
        .heartbeat_interval(Duration::from_millis(200))
        .max_reconnect_attempts(1)
        .open()
        .unwrap();
    let seen = within(Duration::from_secs(5), move || {
        let established = describe(&stream.next_timeout(Duration::from_millis(100)));
        assert_eq!(established, "established");
        let started = Instant::now();
        let first = describe(&stream.next_timeout(Duration::from_millis(100)));
        (first, started.elapsed())
    });
    let (first, took) = seen.expect("next_timeout(100 ms) did not return within 5 s");
    assert_eq!(first, "timed out");
    assert!(took < Duration::from_secs(1), "{took:?}");
    drop(server);
}

#[test]
fn a_trickled_frame_does_not_hold_next_timeout_and_is_not_lost() {
    // The server sends one chat frame a byte every 10 ms (about 3 s for the frame).
    let frame = agent_frame("t1", "trickled");
    let server = Hostile::start(move |_, mut ws, stop| {
        if await_subscribe(&mut ws, stop).is_none() {
            return;
        }
        let _ = ws.send(Message::text(SUBSCRIBED));
        let payload = frame.as_bytes();
        let mut bytes = vec![0x81u8, 126];
        bytes.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        bytes.extend_from_slice(payload);
        for b in bytes {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            use std::io::Write;
            if ws.get_mut().write_all(&[b]).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        serve_until_stopped(&mut ws, stop, false);
    });
    let emulator = Emulator::start().unwrap();
    let (me, _) = participant(&emulator, &server.url, 3);
    let mut stream = ChatStream::builder(&me)
        .heartbeat_interval(Duration::from_secs(60))
        .open()
        .unwrap();
    let seen = within(Duration::from_secs(20), move || {
        let established = describe(&stream.next_timeout(Duration::from_millis(300)));
        assert_eq!(established, "established");
        let started = Instant::now();
        let first = describe(&stream.next_timeout(Duration::from_millis(300)));
        let took = started.elapsed();
        let mut rest = Vec::new();
        for _ in 0..100 {
            let next = describe(&stream.next_timeout(Duration::from_millis(300)));
            if next != "timed out" {
                rest.push(next);
                break;
            }
        }
        (first, took, rest)
    });
    let (first, took, rest) = seen.expect("the stream hung");
    assert_eq!(first, "timed out");
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert_eq!(
        rest,
        ["message trickled"],
        "the frame is read whole once it is all there"
    );
    drop(server);
}

#[test]
fn sockets_that_close_after_subscribing_use_up_the_reconnect_attempts() {
    // Every socket is subscribed, then closed at once: no heartbeat is ever answered, so
    // no connection is healthy, and the attempts must run out.
    let server = Hostile::start(|_, mut ws, stop| {
        if await_subscribe(&mut ws, stop).is_none() {
            return;
        }
        let _ = ws.send(Message::text(SUBSCRIBED));
        let _ = ws.close(None);
        let _ = ws.flush();
    });
    let emulator = Emulator::start().unwrap();
    let (me, _) = participant(&emulator, &server.url, 3);
    let mut stream = ChatStream::builder(&me)
        .heartbeat_interval(Duration::from_secs(60))
        .reconnect_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .max_reconnect_attempts(3)
        .open()
        .unwrap();
    let seen = within(Duration::from_secs(10), move || {
        let mut seen = Vec::new();
        for _ in 0..20 {
            let next = describe(&stream.next_timeout(Duration::from_millis(500)));
            let end = next.starts_with("broken") || next == "ended";
            seen.push(next);
            if end {
                break;
            }
        }
        (seen, stream.is_ended())
    });
    let (seen, ended) = seen.expect("the stream hung");
    // One outage: a socket lost before it answered a heartbeat is not a restoration but
    // its attempt's failure.
    assert_eq!(
        seen,
        [
            "established",
            "lost: closed without a code",
            "broken transport error, 3 attempts, retryable true"
        ]
    );
    assert!(ended);
    // The first socket, then one per attempt.
    assert_eq!(server.accepted(), 4);
}

#[test]
fn a_frame_that_comes_before_the_subscription_answer_does_not_cut_the_gap_fill_short() {
    let emulator = Arc::new(Emulator::start().unwrap());
    let contact = Arc::new(std::sync::Mutex::new(String::new()));
    let server = {
        let emulator = emulator.clone();
        let contact = contact.clone();
        Hostile::start(move |n, mut ws, stop| {
            if await_subscribe(&mut ws, stop).is_none() {
                return;
            }
            if n == 1 {
                // While the first socket was down, two messages were sent; a third comes
                // as this socket's first frame, before the subscription is answered.
                let id = contact.lock().unwrap().clone();
                emulator.agent_says(&id, "one", "text/plain").unwrap();
                emulator.agent_says(&id, "two", "text/plain").unwrap();
                let three = emulator.agent_says(&id, "three", "text/plain").unwrap();
                let frame = emulator.websocket_frame(&id, &three).unwrap();
                let _ = ws.send(Message::text(frame));
            }
            let _ = ws.send(Message::text(SUBSCRIBED));
            if n == 0 {
                let _ = ws.close(None);
                let _ = ws.flush();
                return;
            }
            serve_until_stopped(&mut ws, stop, true);
        })
    };
    let (me, id) = participant(&emulator, &server.url, 3);
    *contact.lock().unwrap() = id;
    let mut stream = ChatStream::builder(&me)
        .heartbeat_interval(Duration::from_secs(60))
        .open()
        .unwrap();
    let seen = within(Duration::from_secs(10), move || {
        let mut seen = Vec::new();
        for _ in 0..9 {
            let next = describe(&stream.next_timeout(Duration::from_millis(300)));
            if next == "timed out" && seen.len() >= 6 {
                break;
            }
            if next != "timed out" {
                seen.push(next);
            }
        }
        seen
    });
    let seen = seen.expect("the stream hung");
    // The catch-up found all three; the early frame of "three" was not yielded again.
    assert_eq!(
        seen,
        [
            "established",
            "lost: closed without a code",
            "restored 3",
            "message one",
            "message two",
            "message three"
        ]
    );
    drop(server);
}

#[test]
fn a_message_whose_frame_was_overtaken_before_a_drop_comes_from_the_transcript() {
    // Frames are not promised in order: the first socket delivers "two" but
    // not "one" (sent before it), then drops. "one" is older than a known item, and the
    // read-back must still find it.
    let emulator = Arc::new(Emulator::start().unwrap());
    let contact = Arc::new(std::sync::Mutex::new(String::new()));
    // Says the stream is open (its transcript read); a bound for a broken test.
    let (go, gone) = mpsc::channel::<()>();
    let gone = std::sync::Mutex::new(gone);
    let server = {
        let emulator = emulator.clone();
        let contact = contact.clone();
        Hostile::start(move |n, mut ws, stop| {
            if await_subscribe(&mut ws, stop).is_none() {
                return;
            }
            let _ = ws.send(Message::text(SUBSCRIBED));
            if n == 0 {
                let _ = gone.lock().unwrap().recv_timeout(Duration::from_secs(10));
                let id = contact.lock().unwrap().clone();
                emulator.agent_says(&id, "one", "text/plain").unwrap();
                let two = emulator.agent_says(&id, "two", "text/plain").unwrap();
                let frame = emulator.websocket_frame(&id, &two).unwrap();
                let _ = ws.send(Message::text(frame));
                let _ = ws.close(None);
                let _ = ws.flush();
                return;
            }
            // The new socket answers its heartbeat: it is proven, and the stream restored.
            serve_until_stopped(&mut ws, stop, true);
        })
    };
    let (me, id) = participant(&emulator, &server.url, 3);
    *contact.lock().unwrap() = id;
    // Nothing in the transcript yet but the start of the chat; the script writes only
    // once the stream has subscribed.
    let mut stream = ChatStream::builder(&me)
        .heartbeat_interval(Duration::from_secs(60))
        .open()
        .unwrap();
    go.send(()).unwrap();
    let seen = within(Duration::from_secs(10), move || {
        let mut seen = Vec::new();
        for _ in 0..9 {
            let next = describe(&stream.next_timeout(Duration::from_millis(300)));
            if next == "timed out" && seen.len() >= 5 {
                break;
            }
            if next != "timed out" {
                seen.push(next);
            }
        }
        seen
    });
    let seen = seen.expect("the stream hung");
    assert_eq!(
        seen,
        [
            "established",
            "message two",
            "lost: closed without a code",
            "restored 1",
            "message one"
        ]
    );
    assert_eq!(server.accepted(), 2);
}

#[test]
fn unanswered_heartbeats_end_a_socket_that_keeps_sending_other_frames() {
    // The first socket sends a frame of another topic every 5 ms and answers no
    // heartbeat; the second answers heartbeats.
    let server = Hostile::start(|n, mut ws, stop| {
        if await_subscribe(&mut ws, stop).is_none() {
            return;
        }
        let _ = ws.send(Message::text(SUBSCRIBED));
        while !stop.load(Ordering::SeqCst) {
            if n == 0 && ws.send(Message::text(r#"{"topic":"aws/other"}"#)).is_err() {
                return;
            }
            match ws.read() {
                Ok(Message::Text(t)) if n > 0 => {
                    if let Some(answer) = answer(t.as_str()) {
                        let _ = ws.send(Message::text(answer));
                    }
                }
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => return,
                _ => {}
            }
            thread::sleep(Duration::from_millis(5));
        }
    });
    let emulator = Emulator::start().unwrap();
    let (me, _) = participant(&emulator, &server.url, 3);
    let mut stream = ChatStream::builder(&me)
        .heartbeat_interval(Duration::from_millis(100))
        .open()
        .unwrap();
    let seen = within(Duration::from_secs(10), move || {
        let mut seen = Vec::new();
        for _ in 0..10 {
            let next = describe(&stream.next_timeout(Duration::from_millis(100)));
            if next != "timed out" {
                seen.push(next);
            }
        }
        seen
    });
    let seen = seen.expect("the stream hung");
    assert_eq!(
        seen,
        ["established", "lost: heartbeat missed", "restored 0"],
        "{seen:?}"
    );
    // One replacement, at the second heartbeat with the first unanswered; then healthy.
    assert_eq!(server.accepted(), 2);
}
