//! The emulator as a local chat over raw HTTP, and what its tests share.
//!
//! The client's own operations for these calls are tested elsewhere; here every byte sent
//! is the test's choice: tokens and their expiry, every member's limits, messages,
//! receipts, disconnecting, ending, transcripts and their paging, the control path and
//! CORS.

mod control;
mod idempotency;
mod limits;
mod messages;
mod rules;
mod tokens;
mod transcripts;

use std::time::{Duration, SystemTime};

use connect_participant::Timestamp;
use connect_participant::emulator::Emulator;
use serde_json::{Value, json};

use crate::support::content_type::TYPING;
use crate::support::raw::{Answer, call, op};

const DENIED: &str = r#"{"message":"Access denied"}"#;

/// A successful GetTranscript.
fn transcript(emulator: &Emulator, token: &str, body: &Value) -> Value {
    let a = op(emulator, "transcript", token, body);
    assert_eq!(a.status, 200, "{body}: {}", a.text());
    a.json()
}

/// The `Content` (or, for events, the `ContentType`) of each item.
fn contents(answer: &Value) -> Vec<String> {
    answer["Transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["Content"]
                .as_str()
                .or(i["ContentType"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// The whole transcript as the agent's side sees it (control path).
fn agent_view(emulator: &Emulator, contact_id: &str) -> Value {
    let a = call(
        emulator.addr(),
        "GET",
        &format!("/emulator/chats/{contact_id}/transcript"),
        None,
        "",
    );
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

fn time(v: &Value) -> SystemTime {
    let text = v.as_str().unwrap();
    assert_eq!(text.len(), 24, "yyyy-MM-ddThh:mm:ss.SSSZ: {text}");
    Timestamp::parse(text).unwrap().to_system_time().unwrap()
}

/// `t` was written (to the millisecond, cut down) between `lo` and `hi`.
fn assert_within(t: SystemTime, lo: SystemTime, hi: SystemTime) {
    assert!(
        t + Duration::from_millis(1) > lo && t <= hi,
        "{t:?} not in {lo:?}..={hi:?}"
    );
}

/// A 400 `ValidationException` whose message names `member`.
fn assert_validation(a: &Answer, member: &str, what: &str) {
    assert_eq!(a.status, 400, "{what}: {}", a.text());
    assert_eq!(
        a.header("x-amzn-errortype"),
        Some("ValidationException"),
        "{what}"
    );
    let message = a.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains(&format!("'{member}'")),
        "{what}: {message:?} does not name {member}"
    );
}

fn assert_denied(a: &Answer, what: &str) {
    assert_eq!(a.status, 403, "{what}: {}", a.text());
    assert_eq!(
        a.header("x-amzn-errortype"),
        Some("AccessDeniedException"),
        "{what}"
    );
    assert_eq!(a.text(), DENIED, "{what}");
}

/// One well-formed call of each connection-token operation.
fn every_operation() -> [(&'static str, Value); 4] {
    [
        (
            "message",
            json!({"Content": "hi", "ContentType": "text/plain"}),
        ),
        ("event", json!({"ContentType": TYPING})),
        ("transcript", json!({})),
        ("disconnect", json!({"ClientToken": "bye"})),
    ]
}
