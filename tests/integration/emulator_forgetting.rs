//! What the emulator forgets to stay within its bounds takes its WebSockets with it: a
//! forgotten chat's sockets are closed at once (1001), not left open with nothing more
//! to come until their client stops heartbeating.
#![cfg(feature = "websocket")]

use std::time::Duration;

use connect_participant::emulator::Emulator;
use serde_json::json;
use tungstenite::Message;

use crate::support::raw::op;
use crate::support::ws::{HEARTBEAT, SUBSCRIBE, SUBSCRIBED, Socket, next_text, open};

/// How long a test waits for a socket to subscribe: a bound, not a synchronization.
const BOUND: Duration = Duration::from_secs(5);

/// A new chat whose customer has a subscribed socket: (contact id, socket).
fn subscribed(emulator: &Emulator) -> (String, Socket) {
    let chat = emulator.start_chat();
    let a = op(
        emulator,
        "connection",
        &chat.participant_token,
        &json!({"Type": ["WEBSOCKET"]}),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let url = a.json()["Websocket"]["Url"].as_str().unwrap().to_owned();
    let mut ws = open(&url).unwrap();
    ws.send(Message::text(SUBSCRIBE)).unwrap();
    assert_eq!(next_text(&mut ws), SUBSCRIBED);
    assert!(emulator.wait_for_websockets(&chat.contact_id, 1, BOUND));
    (chat.contact_id, ws)
}

/// The close frame the server sends next (no text frame before it); its code.
fn expect_close(ws: &mut Socket) -> u16 {
    loop {
        match ws.read() {
            Ok(Message::Close(Some(frame))) => return u16::from(frame.code),
            Ok(Message::Ping(_) | Message::Pong(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

#[test]
fn a_chat_forgotten_for_max_chats_has_its_sockets_closed_at_once() {
    let emulator = Emulator::builder().max_chats(1).start().unwrap();
    let (old, mut ws) = subscribed(&emulator);
    // A heartbeat is answered while the chat is held.
    ws.send(Message::text(HEARTBEAT)).unwrap();
    assert_eq!(next_text(&mut ws), r#"{"topic":"aws/heartbeat"}"#);
    let (new, mut kept) = subscribed(&emulator);
    assert_eq!(expect_close(&mut ws), 1001);
    assert_eq!(emulator.websockets(&old), 0);
    // The new chat's socket is untouched.
    assert_eq!(emulator.websockets(&new), 1);
    let id = emulator
        .agent_says(&new, "still here", "text/plain")
        .unwrap();
    assert_eq!(
        next_text(&mut kept),
        emulator.websocket_frame(&new, &id).unwrap()
    );
}

#[test]
fn a_chat_forgotten_for_max_kept_bytes_has_its_sockets_closed_at_once() {
    let emulator = Emulator::builder().max_kept_bytes(40_000).start().unwrap();
    let (old, mut ws) = subscribed(&emulator);
    let (new, _kept) = subscribed(&emulator);
    let big = "x".repeat(16_000);
    // Three of these pass 40,000 bytes: the oldest chat other than this one goes.
    for _ in 0..3 {
        emulator.agent_says(&new, &big, "text/plain").unwrap();
    }
    assert_eq!(expect_close(&mut ws), 1001);
    assert_eq!(emulator.websockets(&old), 0);
    assert_eq!(emulator.websockets(&new), 1);
}
