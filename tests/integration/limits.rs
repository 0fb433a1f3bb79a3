//! The service's limits at their boundaries, end to end.
//!
//! Accepted inputs reach the server as sent; refused ones fail with `InvalidInput` before
//! any connection is made.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use connect_participant::{
    Client, ClientBuilder, ConnectionToken, ContentType, Endpoint, ErrorKind,
    MAX_CLIENT_TOKEN_CHARS, MAX_CONTENT_CHARS, SendEventRequest, send_event,
};

use crate::support::content_type::{DELIVERED, READ, TYPING};
use crate::support::scripted::{Action, Scripted};
use crate::support::wire::expected_request;
use crate::support::{self, GENERATED_CLIENT_TOKEN, INVOCATION_ID, assert_uuid_v4};

/// Sends `request` with `token`; asserts it succeeded and returns the one request seen.
fn accepted(token: &ConnectionToken, request: &SendEventRequest) -> (u16, String) {
    let server = Scripted::start(vec![Action::Respond(support::ok_response())]);
    let port = server.port();
    support::client(&server.url())
        .send_event(token, request)
        .expect("accepted input is sent");
    (port, server.finish().single().text())
}

/// Sends `request`; asserts the exact refusal and that no connection was made.
fn refused(request: &SendEventRequest, field: &str, message: &str) {
    let server = Scripted::start(vec![Action::Respond(support::ok_response())]);
    let e = support::client(&server.url())
        .send_event(&support::token(), request)
        .expect_err("refused input is not sent");
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:?}");
    assert_eq!(e.field(), Some(field), "{e:?}");
    assert_eq!(e.to_string(), message);
    assert_eq!(e.status(), None);
    assert_eq!(e.attempts(), 0, "nothing was sent");
    assert!(!e.is_service_error());
    let report = server.finish();
    assert_eq!(report.connections, 0, "refused input opened a connection");
    assert!(report.requests.is_empty());
}

fn typing_body(client_token: &str) -> String {
    format!(r#"{{"ClientToken":"{client_token}","ContentType":"{TYPING}"}}"#)
}

#[test]
fn connection_token_of_1_and_1000_characters_is_sent_as_the_bearer() {
    for len in [1, ConnectionToken::MAX_CHARS] {
        let bearer: String = "AQIDAHh0~!=+/".chars().cycle().take(len).collect();
        let token = ConnectionToken::new(bearer.clone()).unwrap();
        let (port, got) = accepted(&token, &SendEventRequest::typing());
        assert_eq!(
            got,
            expected_request(
                port,
                &bearer,
                INVOCATION_ID,
                &typing_body(GENERATED_CLIENT_TOKEN)
            ),
            "length {len}"
        );
    }
}

#[test]
fn content_of_16384_characters_is_sent_whole() {
    assert_eq!(MAX_CONTENT_CHARS, 16384);
    // 4-, 2- and 1-byte characters: the limit counts characters, not bytes.
    let content: String = "😀éa".chars().cycle().take(MAX_CONTENT_CHARS).collect();
    assert_eq!(content.len(), 5462 * 4 + 5461 * 2 + 5461);
    let request = SendEventRequest::typing()
        .with_content(content.clone())
        .with_client_token("ct");
    let (port, got) = accepted(&support::token(), &request);
    let body = format!(r#"{{"ClientToken":"ct","Content":"{content}","ContentType":"{TYPING}"}}"#);
    assert_eq!(
        got,
        expected_request(port, "conn-token-1", INVOCATION_ID, &body)
    );
}

#[test]
fn content_of_one_character_is_sent() {
    let request = SendEventRequest::typing().with_content("😀");
    let (port, got) = accepted(&support::token(), &request);
    let body = format!(
        r#"{{"ClientToken":"{GENERATED_CLIENT_TOKEN}","Content":"😀","ContentType":"{TYPING}"}}"#
    );
    assert_eq!(
        got,
        expected_request(port, "conn-token-1", INVOCATION_ID, &body)
    );
}

#[test]
fn content_of_0_or_16385_characters_is_refused() {
    refused(
        &SendEventRequest::typing().with_content(""),
        "Content",
        "invalid Content: 0 characters, must be 1 to 16384",
    );
    refused(
        &SendEventRequest::typing().with_content("😀".repeat(MAX_CONTENT_CHARS + 1)),
        "Content",
        "invalid Content: 16385 characters, must be 1 to 16384",
    );
    refused(
        &SendEventRequest::typing().with_content("a".repeat(MAX_CONTENT_CHARS + 1)),
        "Content",
        "invalid Content: 16385 characters, must be 1 to 16384",
    );
}

#[test]
fn client_token_of_0_and_500_characters_is_sent() {
    assert_eq!(MAX_CLIENT_TOKEN_CHARS, 500);
    let empty = SendEventRequest::typing().with_client_token("");
    let (port, got) = accepted(&support::token(), &empty);
    assert_eq!(
        got,
        expected_request(port, "conn-token-1", INVOCATION_ID, &typing_body(""))
    );

    let long: String = "é-tok\"\\".chars().cycle().take(500).collect();
    let escaped = long.replace('\\', "\\\\").replace('"', "\\\"");
    let full = SendEventRequest::typing().with_client_token(long);
    let (port, got) = accepted(&support::token(), &full);
    assert_eq!(
        got,
        expected_request(port, "conn-token-1", INVOCATION_ID, &typing_body(&escaped))
    );
}

#[test]
fn client_token_of_501_characters_is_refused() {
    refused(
        &SendEventRequest::typing().with_client_token("t".repeat(501)),
        "ClientToken",
        "invalid ClientToken: 501 characters, must be 0 to 500",
    );
    refused(
        &SendEventRequest::read("m").with_client_token("é".repeat(501)),
        "ClientToken",
        "invalid ClientToken: 501 characters, must be 0 to 500",
    );
}

#[test]
fn receipt_with_empty_message_id_is_refused() {
    for request in [SendEventRequest::read(""), SendEventRequest::delivered("")] {
        refused(
            &request,
            "messageId",
            "invalid messageId: 0 characters, must be at least 1",
        );
    }
}

const NOT_A_RECEIPT: &str =
    "invalid Content: a receipt's content must be a JSON object with a string messageId";

#[test]
fn receipt_with_content_that_is_not_a_message_id_object_is_refused() {
    for content in [
        "not json",
        "{}",
        r#"{"messageId":7}"#,
        r#"{"MessageId":"m"}"#,
        "\"m\"",
    ] {
        for content_type in [ContentType::MessageRead, ContentType::MessageDelivered] {
            refused(
                &SendEventRequest::new(content_type).with_content(content),
                "Content",
                NOT_A_RECEIPT,
            );
        }
    }
}

// src/event.rs check_receipt_content deserializes a derived struct, and serde's derive
// also accepts a struct written as a JSON array, so `["m-1"]` passes as a receipt and is
// sent, although the docs and the error message say a JSON object is required.
#[test]
fn receipt_with_content_that_is_a_json_array_is_refused() {
    for content in [r#"["m-1"]"#, r#"["messageId"]"#] {
        refused(
            &SendEventRequest::new(ContentType::MessageRead).with_content(content),
            "Content",
            NOT_A_RECEIPT,
        );
    }
}

#[test]
fn receipt_without_content_is_refused() {
    refused(
        &SendEventRequest::new(ContentType::MessageDelivered),
        "Content",
        "invalid Content: a receipt needs content of the form {\"messageId\":\"<id>\"}",
    );
}

#[test]
fn receipt_with_caller_built_content_is_sent_as_given() {
    let content = r#"{"messageId":"m-1","extra":[true]}"#;
    let request = SendEventRequest::new(ContentType::MessageDelivered).with_content(content);
    let (port, got) = accepted(&support::token(), &request);
    let body = format!(
        r#"{{"ClientToken":"{GENERATED_CLIENT_TOKEN}","Content":"{{\"messageId\":\"m-1\",\"extra\":[true]}}","ContentType":"{DELIVERED}"}}"#
    );
    assert_eq!(
        got,
        expected_request(port, "conn-token-1", INVOCATION_ID, &body)
    );
}

/// The free function `send_event`, which builds its own client: its exact request, and the
/// emulator's recorded event answered.
#[test]
fn free_function_sends_one_event() {
    let server = Scripted::start(vec![Action::Respond(support::ok_response())]);
    let port = server.port();
    let endpoint = Endpoint::from_url(&server.url()).unwrap();
    let token = ConnectionToken::new("free-fn-token").unwrap();
    let out = send_event(&endpoint, &token, &SendEventRequest::read("m-1")).unwrap();
    assert_eq!(out.id.as_deref(), Some("event-1"));
    let request = server.finish().single().clone();
    // The OS random source is used here: take the two UUIDs from the capture, check their
    // form, then pin every other byte.
    let text = request.text();
    let id_line = text
        .split("\r\n")
        .find_map(|l| l.strip_prefix("amz-sdk-invocation-id: "))
        .unwrap()
        .to_owned();
    let body: String = request.body_text();
    let client_token = body
        .strip_prefix(r#"{"ClientToken":""#)
        .and_then(|b| b.split('"').next())
        .unwrap()
        .to_owned();
    for uuid in [&id_line, &client_token] {
        assert_uuid_v4(uuid);
    }
    assert_ne!(id_line, client_token);
    let want_body = format!(
        r#"{{"ClientToken":"{client_token}","Content":"{{\"messageId\":\"m-1\"}}","ContentType":"{READ}"}}"#
    );
    assert_eq!(
        text,
        expected_request(port, "free-fn-token", &id_line, &want_body)
    );

    // Against the emulator: the event it recorded is the one answered.
    let emulator = Emulator::start().unwrap();
    let out = send_event(
        &emulator.endpoint(),
        &emulator.connection_token(),
        &SendEventRequest::delivered("m-9"),
    )
    .unwrap();
    assert_eq!(out.id.as_deref(), Some(emulator.events()[0].id.as_str()));
}

#[test]
fn free_function_refuses_invalid_input_before_any_connection() {
    let server = Scripted::start(vec![]);
    let endpoint = Endpoint::from_url(&server.url()).unwrap();
    let e = send_event(
        &endpoint,
        &support::token(),
        &SendEventRequest::typing().with_client_token("x".repeat(501)),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.field(), Some("ClientToken"));
    assert_eq!(
        e.to_string(),
        "invalid ClientToken: 501 characters, must be 0 to 500"
    );
    let report = server.finish();
    assert_eq!(report.connections, 0);
    assert!(report.requests.is_empty());
}

#[test]
fn timeouts_outside_1_ms_to_1_hour_are_refused_at_build() {
    // Each of these built, and the first call then panicked inside the HTTP layer (a
    // deadline past the clock's range) or failed every attempt before sending a byte.
    let cases = [
        (Duration::MAX, "18446744073709551615.999999999"),
        (Duration::from_secs(u64::MAX / 2), "9223372036854775807"),
        (Duration::from_secs(3601), "3601"),
        (Duration::from_nanos(3_600_000_000_001), "3600.000000001"),
        (Duration::ZERO, "0"),
        (Duration::from_nanos(999_999), "0.000999999"),
    ];
    let server = Scripted::start(vec![]);
    for (value, shown) in cases {
        for (name, builder) in [
            ("timeout", Client::builder().timeout(value)),
            ("connect timeout", Client::builder().connect_timeout(value)),
        ] {
            let e = builder.endpoint_url(server.url()).build().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{name} {value:?}");
            assert_eq!(
                e.to_string(),
                format!("invalid {name}: {shown} s, must be 0.001 to 3600 s")
            );
            assert_eq!(e.attempts(), 0);
        }
    }
    assert_eq!(server.finish().connections, 0);
}

#[test]
fn timeouts_of_1_ms_and_1_hour_are_accepted_and_1_hour_works() {
    assert_eq!(ClientBuilder::MIN_TIMEOUT, Duration::from_millis(1));
    assert_eq!(ClientBuilder::MAX_TIMEOUT, Duration::from_secs(3600));
    Client::builder()
        .region("us-east-1")
        .timeout(ClientBuilder::MIN_TIMEOUT)
        .connect_timeout(ClientBuilder::MIN_TIMEOUT)
        .build()
        .unwrap();
    let server = Scripted::start(vec![Action::Respond(support::ok_response())]);
    let client = Client::builder()
        .endpoint_url(server.url())
        .timeout(ClientBuilder::MAX_TIMEOUT)
        .connect_timeout(ClientBuilder::MAX_TIMEOUT)
        .build()
        .unwrap();
    let out = client
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap();
    assert_eq!(out.id.as_deref(), Some("event-1"));
    server.finish().single();
}
