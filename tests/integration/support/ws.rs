//! The participant WebSocket as the tests speak it, and the service's messages on it.

use std::net::TcpStream;
use std::time::Duration;

use tungstenite::{Message, WebSocket};

pub const SUBSCRIBE: &str = r#"{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}"#;
pub const SUBSCRIBED: &str =
    r#"{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}"#;
pub const HEARTBEAT: &str = r#"{"topic":"aws/heartbeat"}"#;
/// The service's answer to a deep heartbeat (`aws/ping`) when it is healthy.
pub const PING_OK: &str = r#"{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}"#;

/// The longest a read on a socket of [`open`] waits: a bound for a broken test, never a
/// pause.
pub const READ_BOUND: Duration = Duration::from_secs(5);

pub type Socket = WebSocket<TcpStream>;

/// Opens a `ws://` URL on 127.0.0.1.
pub fn open(url: &str) -> Result<Socket, tungstenite::Error> {
    let authority = url
        .strip_prefix("ws://")
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    let stream = TcpStream::connect(authority).unwrap();
    stream.set_read_timeout(Some(READ_BOUND)).unwrap();
    // Each frame at once: the tests go frame by frame.
    stream.set_nodelay(true).unwrap();
    match tungstenite::client::client(url, stream) {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::HandshakeError::Failure(e)) => Err(e),
        Err(tungstenite::HandshakeError::Interrupted(_)) => panic!("a blocking handshake"),
    }
}

/// The next text frame; pings and pongs are passed over, anything else fails the test.
pub fn next_text(ws: &mut Socket) -> String {
    loop {
        match ws.read().unwrap() {
            Message::Text(t) => return t.as_str().to_owned(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// A chat frame as the service pushes it: the item's JSON as a string in the envelope.
pub fn chat_frame(item: &str) -> String {
    serde_json::json!({"content": item, "contentType": "application/json", "topic": "aws/chat"})
        .to_string()
}
