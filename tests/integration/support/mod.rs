//! What the topic files share: fixtures, test servers, raw clients and child processes.
//!
//! The fixtures are below; the servers are [`scripted`] and [`resetter`], both on
//! [`server`]; the raw clients are [`raw`] (HTTP) and [`ws`] (the WebSocket); [`wire`]
//! holds the requests the client must write, [`process`] the child processes,
//! [`content_type`] the event types several topics spell out, [`stream`] the stream
//! topics' chat and fast timers, [`logs`] a logger that
//! captures this crate's records, [`ca`] a CA and its
//! certificates for TLS servers.

pub mod ca;
pub mod content_type;
pub mod journal;
pub mod logs;
pub mod process;
pub mod raw;
pub mod resetter;
pub mod scripted;
pub mod server;
pub mod stream;
pub mod wire;
pub mod ws;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connect_participant::emulator::{Emulator, Fault};
use connect_participant::{
    Client, ClientBuilder, ConnectionToken, ErrorKind, Participant, ParticipantToken,
};

/// Fills the client's random draw with 0x00, 0x01, 0x02, ...: the invocation id comes from
/// bytes 0..16 and the generated client token from bytes 16..32.
pub fn counting_random(buf: &mut [u8]) -> std::io::Result<()> {
    for (i, b) in buf.iter_mut().enumerate() {
        *b = i as u8;
    }
    Ok(())
}

/// The invocation id that [`counting_random`] gives.
pub const INVOCATION_ID: &str = "00010203-0405-4607-8809-0a0b0c0d0e0f";
/// The generated client token that [`counting_random`] gives.
pub const GENERATED_CLIENT_TOKEN: &str = "10111213-1415-4617-9819-1a1b1c1d1e1f";

/// A client for `url` with the counting random source and the default 3 attempts. It does
/// not wait between attempts: the tests that use it count attempts, and `faults.rs`
/// records and checks the waits themselves.
pub fn client(url: &str) -> Client {
    Client::builder()
        .endpoint_url(url)
        .random_source(counting_random)
        .sleep_fn(|_| {})
        .build()
        .expect("a local endpoint URL is valid")
}

/// As [`client`], with retries off: for tests about how one answer maps to an error.
pub fn client_without_retries(url: &str) -> Client {
    Client::builder()
        .endpoint_url(url)
        .random_source(counting_random)
        .max_attempts(1)
        .build()
        .expect("a local endpoint URL is valid")
}

/// A short, valid connection token.
pub fn token() -> ConnectionToken {
    ConnectionToken::new("conn-token-1").expect("valid token")
}

/// A short, valid participant token.
pub fn participant_token() -> ParticipantToken {
    ParticipantToken::new("part-token-1").expect("valid token")
}

/// What the client adds to a 403's message for an operation that carries the connection
/// token: an error should say what usually causes it.
pub const CONNECTION_DENIED: &str = "usual causes: the connection token expired or is unknown, \
     the chat ended or this participant left it, the endpoint's region is not the Amazon \
     Connect instance's, or a participant token was given for a connection token";

/// `200 OK` with the documented body.
pub fn ok_response() -> Vec<u8> {
    scripted::response(
        "200 OK",
        &["Content-Type: application/json"],
        br#"{"AbsoluteTime":"2019-11-08T02:41:28.172Z","Id":"event-1"}"#,
    )
}

/// (status line, error type, kind) of the five documented service errors.
pub const SERVICE_ERRORS: [(&str, &str, ErrorKind); 5] = [
    (
        "400 Bad Request",
        "ValidationException",
        ErrorKind::Validation,
    ),
    (
        "403 Forbidden",
        "AccessDeniedException",
        ErrorKind::AccessDenied,
    ),
    ("409 Conflict", "ConflictException", ErrorKind::Conflict),
    (
        "429 Too Many Requests",
        "ThrottlingException",
        ErrorKind::Throttling,
    ),
    (
        "500 Internal Server Error",
        "InternalServerException",
        ErrorKind::InternalServer,
    ),
];

/// A UUID v4 as the client generates them: lower-case hex in 8-4-4-4-12 groups, version
/// nibble 4, variant bits 10xx.
pub fn assert_uuid_v4(s: &str) {
    let groups: Vec<&str> = s.split('-').collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    assert_eq!(lens, [8, 4, 4, 4, 12], "{s}");
    assert!(
        s.chars()
            .all(|c| c == '-' || matches!(c, '0'..='9' | 'a'..='f')),
        "{s}"
    );
    assert!(groups[2].starts_with('4'), "{s}");
    assert!(matches!(&groups[3][..1], "8" | "9" | "a" | "b"), "{s}");
}

/// A customer of a new chat on the emulator whose stream goes to `websocket_url`, a server
/// of the test's own: the first CreateParticipantConnection is answered with that URL and a
/// real connection token, the rest of the REST side is the emulator's. Returns the
/// participant, connected through a client from `builder`, and the chat's contact id.
pub fn participant_streaming_to(
    emulator: &Emulator,
    builder: ClientBuilder,
    websocket_url: &str,
) -> (Participant, String) {
    participant_streaming_with(emulator, &builder.build().unwrap(), websocket_url)
}

/// [`participant_streaming_to`] on a client already built.
pub fn participant_streaming_with(
    emulator: &Emulator,
    client: &Client,
    websocket_url: &str,
) -> (Participant, String) {
    let chat = emulator.start_chat();
    let token = emulator.connection_token_for(&chat.contact_id).unwrap();
    let body = serde_json::json!({
        "ConnectionCredentials": {"ConnectionToken": token.expose_secret()},
        "Websocket": {"Url": websocket_url},
    })
    .to_string();
    emulator.inject(Fault::Respond {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.into_bytes(),
    });
    let participant_token = ParticipantToken::new(chat.participant_token).unwrap();
    let participant = Participant::connect(client, participant_token).unwrap();
    (participant, chat.contact_id)
}

/// A clock for the chat helpers (`with_clock`) that moves only when a test says so.
#[derive(Clone)]
pub struct StepClock(Arc<Mutex<Instant>>);

impl StepClock {
    pub fn new() -> StepClock {
        StepClock(Arc::new(Mutex::new(Instant::now())))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }

    /// What `with_clock` takes: the clock's time, as the test last set it.
    pub fn reader(&self) -> impl Fn() -> Instant + Send + Sync + 'static {
        let clock = Arc::clone(&self.0);
        move || *clock.lock().unwrap()
    }
}
