//! The exact bytes the client puts on the wire, captured by a real socket.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use connect_participant::{Client, ConnectionToken, ContentType, SendEventRequest};

use crate::support::scripted::{Action, Report, Scripted};
use crate::support::wire::{expected_attempt, expected_request};
use crate::support::{self, GENERATED_CLIENT_TOKEN, INVOCATION_ID};

/// Sends `request` once with the counting random source; returns what the server got.
fn send_once(request: &SendEventRequest) -> (u16, Report) {
    let server = Scripted::start(vec![Action::Respond(support::ok_response())]);
    let port = server.port();
    let out = support::client(&server.url())
        .send_event(&support::token(), request)
        .expect("the scripted answer is a success");
    assert_eq!(out.id.as_deref(), Some("event-1"));
    (port, server.finish())
}

#[test]
fn typing_request_bytes_are_exact() {
    let (port, report) = send_once(&SendEventRequest::typing());
    let got = report.single().text();
    let want = "POST /participant/event HTTP/1.1\r\n\
                content-length: 117\r\n\
                user-agent: connect-participant/VERSION\r\n\
                host: 127.0.0.1:PORT\r\n\
                content-type: application/json\r\n\
                x-amz-bearer: conn-token-1\r\n\
                amz-sdk-invocation-id: 00010203-0405-4607-8809-0a0b0c0d0e0f\r\n\
                amz-sdk-request: attempt=1; max=3\r\n\
                \r\n\
                {\"ClientToken\":\"10111213-1415-4617-9819-1a1b1c1d1e1f\",\
                \"ContentType\":\"application/vnd.amazonaws.connect.event.typing\"}"
        .replace("PORT", &port.to_string())
        .replace("VERSION", env!("CARGO_PKG_VERSION"));
    assert_eq!(got, want);
}

#[test]
fn typing_request_matches_the_request_template() {
    // The template the other tests use is itself pinned by the literal above.
    let (port, report) = send_once(&SendEventRequest::typing());
    let body = format!(
        r#"{{"ClientToken":"{GENERATED_CLIENT_TOKEN}","ContentType":"application/vnd.amazonaws.connect.event.typing"}}"#
    );
    assert_eq!(
        report.single().text(),
        expected_request(port, "conn-token-1", INVOCATION_ID, &body)
    );
}

/// A message id with a quote, a backslash and non-ASCII (two and four UTF-8 bytes).
const HOSTILE_MESSAGE_ID: &str = "m\"1\\é😀";

#[test]
fn delivered_receipt_with_hostile_message_id_bytes_are_exact() {
    let (port, report) = send_once(&SendEventRequest::delivered(HOSTILE_MESSAGE_ID));
    // Content is the JSON text {"messageId":"m\"1\\é😀"} as a JSON string: escaped twice.
    let body = r#"{"ClientToken":"10111213-1415-4617-9819-1a1b1c1d1e1f","Content":"{\"messageId\":\"m\\\"1\\\\é😀\"}","ContentType":"application/vnd.amazonaws.connect.event.message.delivered"}"#;
    // é and 😀 go out as raw UTF-8, not as \u escapes: 4 more bytes than characters.
    assert_eq!(body.len(), body.chars().count() + 4);
    assert_eq!(
        report.single().text(),
        expected_request(port, "conn-token-1", INVOCATION_ID, body)
    );
}

#[test]
fn read_receipt_with_hostile_message_id_bytes_are_exact() {
    let (port, report) = send_once(&SendEventRequest::read(HOSTILE_MESSAGE_ID));
    let body = r#"{"ClientToken":"10111213-1415-4617-9819-1a1b1c1d1e1f","Content":"{\"messageId\":\"m\\\"1\\\\é😀\"}","ContentType":"application/vnd.amazonaws.connect.event.message.read"}"#;
    assert_eq!(
        report.single().text(),
        expected_request(port, "conn-token-1", INVOCATION_ID, body)
    );
}

#[test]
fn caller_client_token_replaces_the_generated_one() {
    let request = SendEventRequest::read("msg-1").with_client_token("my-token-\"7\"");
    let (port, report) = send_once(&request);
    let body = r#"{"ClientToken":"my-token-\"7\"","Content":"{\"messageId\":\"msg-1\"}","ContentType":"application/vnd.amazonaws.connect.event.message.read"}"#;
    let got = report.single().text();
    assert_eq!(
        got,
        expected_request(port, "conn-token-1", INVOCATION_ID, body)
    );
    // The invocation id is still drawn; only the token's half of the draw goes unused.
    assert!(!got.contains(GENERATED_CLIENT_TOKEN));
}

#[test]
fn general_request_with_content_keeps_key_order() {
    let request = SendEventRequest::new(ContentType::Typing)
        .with_content("x")
        .with_client_token("ct");
    let (port, report) = send_once(&request);
    let body = r#"{"ClientToken":"ct","Content":"x","ContentType":"application/vnd.amazonaws.connect.event.typing"}"#;
    assert_eq!(
        report.single().text(),
        expected_request(port, "conn-token-1", INVOCATION_ID, body)
    );
}

#[test]
fn user_agent_suffix_follows_the_crate_name_after_a_space() {
    let server = Scripted::start(vec![Action::Respond(support::ok_response())]);
    let client = Client::builder()
        .endpoint_url(server.url())
        .user_agent_suffix("my-bot/1.2 (test)")
        .random_source(support::counting_random)
        .build()
        .unwrap();
    client
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap();
    let text = server.finish().single().text();
    let want = format!(
        "\r\nuser-agent: connect-participant/{} my-bot/1.2 (test)\r\n",
        env!("CARGO_PKG_VERSION")
    );
    assert!(text.contains(&want), "{text}");
}

#[test]
fn each_call_draws_a_fresh_invocation_id_and_client_token() {
    let server = Scripted::start(vec![
        Action::Respond(support::ok_response()),
        Action::Respond(support::ok_response()),
    ]);
    let port = server.port();
    // Call n fills the whole draw with byte n.
    let calls = Arc::new(AtomicU8::new(0));
    let client = {
        let calls = Arc::clone(&calls);
        Client::builder()
            .endpoint_url(server.url())
            .random_source(move |buf| {
                buf.fill(calls.fetch_add(1, Ordering::SeqCst));
                Ok(())
            })
            .build()
            .unwrap()
    };
    let token = ConnectionToken::new("t").unwrap();
    for _ in 0..2 {
        client
            .send_event(&token, &SendEventRequest::typing())
            .unwrap();
    }
    let report = server.finish();
    assert_eq!(report.requests.len(), 2);
    let typing = "application/vnd.amazonaws.connect.event.typing";
    let first = "00000000-0000-4000-8000-000000000000";
    let second = "01010101-0101-4101-8101-010101010101";
    assert_eq!(
        report.requests[0].text(),
        expected_request(
            port,
            "t",
            first,
            &format!(r#"{{"ClientToken":"{first}","ContentType":"{typing}"}}"#)
        )
    );
    assert_eq!(
        report.requests[1].text(),
        expected_request(
            port,
            "t",
            second,
            &format!(r#"{{"ClientToken":"{second}","ContentType":"{typing}"}}"#)
        )
    );
}

#[test]
fn retried_attempts_differ_only_in_the_attempt_number() {
    let unavailable = support::scripted::response("503 Service Unavailable", &[], b"");
    let server = Scripted::start(vec![
        Action::Respond(unavailable.clone()),
        Action::Respond(unavailable),
        Action::Respond(support::ok_response()),
    ]);
    let port = server.port();
    let out = support::client(&server.url())
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap();
    assert_eq!(out.id.as_deref(), Some("event-1"));
    let report = server.finish();
    let body = format!(
        r#"{{"ClientToken":"{GENERATED_CLIENT_TOKEN}","ContentType":"application/vnd.amazonaws.connect.event.typing"}}"#
    );
    let got: Vec<String> = report.requests.iter().map(|r| r.text()).collect();
    let want: Vec<String> = (1..=3)
        .map(|attempt| expected_attempt(port, "conn-token-1", INVOCATION_ID, &body, attempt, 3))
        .collect();
    assert_eq!(got, want);
    // The 503s were read to the end, so every attempt reused the one connection.
    assert_eq!(report.connections, 1);
    assert_eq!(report.unscripted, 0);
}

#[test]
fn retries_off_sends_max_1() {
    let server = Scripted::start(vec![Action::Respond(support::ok_response())]);
    let port = server.port();
    support::client_without_retries(&server.url())
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap();
    let body = format!(
        r#"{{"ClientToken":"{GENERATED_CLIENT_TOKEN}","ContentType":"application/vnd.amazonaws.connect.event.typing"}}"#
    );
    assert_eq!(
        server.finish().single().text(),
        expected_attempt(port, "conn-token-1", INVOCATION_ID, &body, 1, 1)
    );
}
