//! CreateParticipantConnection and its connection tokens: what it answers, when they end.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use serde_json::json;

use super::{assert_denied, assert_within, every_operation, keys, time};
use crate::support::content_type::TYPING;
use crate::support::raw::{call, connect, op};

#[test]
fn create_participant_connection_answers_what_was_asked_with_expiries_from_the_clock() {
    let lifetime = Duration::from_secs(3600);
    let emulator = Emulator::builder()
        .connection_token_lifetime(lifetime)
        .start()
        .unwrap();
    let chat = emulator.start_chat();
    let both = json!({"Type": ["WEBSOCKET", "CONNECTION_CREDENTIALS"]});
    let before = emulator.now();
    let a = op(&emulator, "connection", &chat.participant_token, &both);
    let after = emulator.now();
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.header("content-type"), Some("application/json"));
    let body = a.json();
    assert_eq!(keys(&body), ["ConnectionCredentials", "Websocket"]);
    assert_eq!(
        keys(&body["ConnectionCredentials"]),
        ["ConnectionToken", "Expiry"]
    );
    assert_eq!(keys(&body["Websocket"]), ["ConnectionExpiry", "Url"]);
    assert_within(
        time(&body["ConnectionCredentials"]["Expiry"]),
        before + lifetime,
        after + lifetime,
    );
    let url_deadline = Duration::from_secs(100);
    assert_within(
        time(&body["Websocket"]["ConnectionExpiry"]),
        before + url_deadline,
        after + url_deadline,
    );
    let url = body["Websocket"]["Url"].as_str().unwrap();
    let prefix = format!("ws://{}/participant/ws/", emulator.addr());
    assert!(url.starts_with(&prefix), "{url}");
    let token = body["ConnectionCredentials"]["ConnectionToken"]
        .as_str()
        .unwrap();
    assert!(token.bytes().all(|b| b.is_ascii_graphic()) && (100..=1000).contains(&token.len()));
    assert!(
        !url.contains(token),
        "the URL does not carry the connection token"
    );

    // The expiry follows the emulator's clock, not the wall's.
    emulator.advance_clock(Duration::from_secs(10 * 24 * 3600));
    let before = emulator.now();
    let a = op(&emulator, "connection", &chat.participant_token, &both);
    let after = emulator.now();
    assert_within(
        time(&a.json()["ConnectionCredentials"]["Expiry"]),
        before + lifetime,
        after + lifetime,
    );

    // Without Type: credentials alone. WEBSOCKET alone: the URL alone. WEBRTC: nothing.
    let cases = [
        (json!({}), vec!["ConnectionCredentials"]),
        (
            json!({"ConnectParticipant": true}),
            vec!["ConnectionCredentials"],
        ),
        (json!({"Type": ["WEBSOCKET"]}), vec!["Websocket"]),
        (
            json!({"Type": ["WEBSOCKET", "WEBSOCKET"]}),
            vec!["Websocket"],
        ),
        (json!({"Type": ["WEBRTC_CONNECTION"]}), vec![]),
        (
            json!({"Type": ["CONNECTION_CREDENTIALS", "WEBRTC_CONNECTION"]}),
            vec!["ConnectionCredentials"],
        ),
    ];
    for (body, members) in cases {
        let a = op(&emulator, "connection", &chat.participant_token, &body);
        assert_eq!(a.status, 200, "{body}: {}", a.text());
        assert_eq!(keys(&a.json()), members, "{body}");
    }
    // An empty body is an input with no members.
    let a = call(
        emulator.addr(),
        "POST",
        "/participant/connection",
        Some(&chat.participant_token),
        "",
    );
    assert_eq!(keys(&a.json()), ["ConnectionCredentials"]);
}

#[test]
fn every_connection_token_stays_valid_until_it_expires() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let first = connect(&emulator, &chat.participant_token);
    emulator.advance_clock(Duration::from_secs(12 * 3600));
    let second = connect(&emulator, &chat.participant_token);
    assert_ne!(first, second);
    for token in [&first, &second] {
        let a = op(&emulator, "event", token, &json!({"ContentType": TYPING}));
        assert_eq!(a.status, 200, "{}", a.text());
    }
    // A day after the first was issued, it is refused; the second is not.
    emulator.advance_clock(Duration::from_secs(12 * 3600));
    for (operation, body) in every_operation() {
        assert_denied(&op(&emulator, operation, &first, &body), operation);
    }
    let a = op(&emulator, "transcript", &second, &json!({}));
    assert_eq!(a.status, 200);
    // Just before its own day is up the second still works; at the day it is refused.
    emulator.advance_clock(Duration::from_secs(12 * 3600) - Duration::from_secs(60));
    assert_eq!(op(&emulator, "transcript", &second, &json!({})).status, 200);
    emulator.advance_clock(Duration::from_secs(60));
    for (operation, body) in every_operation() {
        assert_denied(&op(&emulator, operation, &second, &body), operation);
    }
    // The participant token is good for the whole chat: a new connection token works.
    let third = connect(&emulator, &chat.participant_token);
    assert_eq!(op(&emulator, "transcript", &third, &json!({})).status, 200);
}

#[test]
fn expired_token_from_the_convenience_is_denied_after_advance_clock() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    let secret = token.expose_secret();
    assert_eq!(
        op(&emulator, "event", secret, &json!({"ContentType": TYPING})).status,
        200
    );
    emulator.advance_clock(EXPIRY);
    assert_denied(
        &op(&emulator, "event", secret, &json!({"ContentType": TYPING})),
        "expired",
    );
}

const EXPIRY: Duration = Duration::from_secs(24 * 3600);

#[test]
fn unknown_and_revoked_tokens_are_denied() {
    let emulator = Emulator::start().unwrap();
    assert_denied(
        &op(&emulator, "connection", "QVFJREFIunknown", &json!({})),
        "unknown participant token",
    );
    // A connection token is not a participant token, nor the other way round.
    let chat = emulator.start_chat();
    let token = connect(&emulator, &chat.participant_token);
    assert_denied(
        &op(&emulator, "connection", &token, &json!({})),
        "connection token on CPC",
    );
    for (operation, body) in every_operation() {
        assert_denied(
            &op(&emulator, operation, "QVFJREFIunknown", &body),
            operation,
        );
        assert_denied(
            &op(&emulator, operation, &chat.participant_token, &body),
            operation,
        );
    }
    let revoked = emulator.connection_token_for(&chat.contact_id).unwrap();
    emulator.revoke_token(&revoked);
    for (operation, body) in every_operation() {
        assert_denied(
            &op(&emulator, operation, revoked.expose_secret(), &body),
            operation,
        );
    }
    // The participant's other token is unaffected.
    assert_eq!(op(&emulator, "transcript", &token, &json!({})).status, 200);
}
