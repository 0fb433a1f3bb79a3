//! The emulator's basics: what it records and refuses, and how the client maps its errors.

use std::net::TcpStream;

use connect_participant::emulator::Emulator;
use connect_participant::{Client, ContentType, ErrorKind, SendEventRequest};

use crate::support;
use crate::support::raw::{Answer, exchange, head};

/// The emulator and a default client that does not wait between attempts (`faults.rs`
/// checks the waits).
fn setup() -> (Emulator, Client) {
    let emulator = Emulator::start().unwrap();
    let client = emulator.client_builder().sleep_fn(|_| {}).build().unwrap();
    (emulator, client)
}

/// Sends raw bytes, bypassing the client's own checks, and returns the whole answer, which
/// must be UTF-8.
fn raw_exchange(emulator: &Emulator, request: &[u8]) -> String {
    String::from_utf8(exchange(emulator.addr(), request)).unwrap()
}

fn raw_post(emulator: &Emulator, bearer: Option<&str>, body: &str) -> String {
    let bearer = bearer.map(|b| format!("X-Amz-Bearer: {b}"));
    let length = format!("Content-Length: {}", body.len());
    let mut lines = vec!["POST /participant/event HTTP/1.1", "Host: x"];
    lines.extend(bearer.as_deref());
    lines.extend([
        "Content-Type: application/json",
        "Connection: close",
        &length,
    ]);
    let mut request = head(&lines);
    request.extend_from_slice(body.as_bytes());
    raw_exchange(emulator, &request)
}

/// Splits a raw answer into status line, the error type header and the body, after
/// checking that it carries a request id under the service's own spelling.
fn parse_answer(answer: &str) -> (String, Option<String>, String) {
    let a = Answer::parse(answer.as_bytes());
    let last = |matches: &dyn Fn(&str) -> bool| {
        a.headers
            .iter()
            .rfind(|(k, _)| matches(k))
            .map(|(_, v)| v.clone())
    };
    let request_id = last(&|k| k == "x-amzn-RequestId");
    assert_eq!(request_id.map(|r| r.len()), Some(36), "{answer}");
    let error_type = last(&|k| k.eq_ignore_ascii_case("x-amzn-errortype"));
    let body = String::from_utf8(a.body).unwrap();
    (a.status_line, error_type, body)
}

#[test]
fn emulator_records_typing_and_receipts_and_answers_their_ids() {
    let (emulator, client) = setup();
    let t = emulator.connection_token();
    let id = "m\"1\\é😀";
    let typing = client.send_event(&t, &SendEventRequest::typing()).unwrap();
    let delivered = client
        .send_event(&t, &SendEventRequest::delivered(id))
        .unwrap();
    let read = client
        .send_event(&t, &SendEventRequest::read(id).with_client_token("ct-read"))
        .unwrap();

    let events = emulator.events();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].content_type, ContentType::Typing.as_str());
    assert_eq!(events[0].content, None);
    assert_eq!(
        events[1].content_type,
        ContentType::MessageDelivered.as_str()
    );
    assert_eq!(
        events[1].content.as_deref(),
        Some("{\"messageId\":\"m\\\"1\\\\é😀\"}")
    );
    assert_eq!(events[2].client_token.as_deref(), Some("ct-read"));
    for (event, out) in events.iter().zip([typing, delivered, read]) {
        assert_eq!(out.id.as_deref(), Some(event.id.as_str()));
        assert_eq!(
            out.absolute_time.as_ref().map(|t| t.as_str()),
            Some(event.absolute_time.as_str())
        );
        // yyyy-MM-ddThh:mm:ss.SSSZ
        assert_eq!(event.absolute_time.len(), 24);
        assert!(event.absolute_time.ends_with('Z'));
    }
    // A generated client token is a lower-case UUID v4, different on each call.
    let generated = events[0].client_token.as_deref().unwrap();
    assert_eq!(generated.len(), 36);
    assert_eq!(&generated[14..15], "4");
    assert_ne!(events[0].client_token, events[1].client_token);
    // One client, one keep-alive connection.
    assert_eq!(emulator.connections(), 1);
    assert_eq!(emulator.requests(), 3);
}

#[test]
fn repeated_client_token_is_the_same_event() {
    let (emulator, client) = setup();
    let t = emulator.connection_token();
    let req = SendEventRequest::read("m-1").with_client_token("same-token");
    let first = client.send_event(&t, &req).unwrap();
    let second = client.send_event(&t, &req).unwrap();
    assert_eq!(first, second);
    assert_eq!(emulator.events().len(), 1);
    // Idempotency is per participant: another participant's is another event.
    let other = client
        .send_event(&emulator.connection_token(), &req)
        .unwrap();
    assert_ne!(other.id, first.id);
    assert_eq!(emulator.events().len(), 2);
    assert_eq!(emulator.requests(), 3);
}

#[test]
fn revoked_token_is_access_denied() {
    let (emulator, client) = setup();
    let t = emulator.connection_token();
    client.send_event(&t, &SendEventRequest::typing()).unwrap();
    emulator.revoke_token(&t);
    let e = client
        .send_event(&t, &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied);
    assert_eq!(e.status(), Some(403));
    assert_eq!(e.service_error_type(), Some("AccessDeniedException"));
    assert_eq!(e.service_message(), Some("Access denied"));
    assert_eq!(e.request_id().map(str::len), Some(36));
    assert_eq!(
        e.to_string(),
        format!(
            "service error AccessDeniedException (HTTP 403): Access denied (request id {}); {}",
            e.request_id().unwrap(),
            support::CONNECTION_DENIED
        )
    );
    // Other participants are unaffected.
    client
        .send_event(&emulator.connection_token(), &SendEventRequest::typing())
        .unwrap();
    assert_eq!(emulator.events().len(), 2);
}

#[test]
fn receipts_conflict_when_the_chat_does_not_allow_them() {
    let (emulator, client) = setup();
    let t = emulator.connection_token();
    emulator.set_receipts_conflict(true);
    for req in [
        SendEventRequest::read("m"),
        SendEventRequest::delivered("m"),
    ] {
        let e = client.send_event(&t, &req).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert_eq!(e.status(), Some(409));
        assert_eq!(e.service_error_type(), Some("ConflictException"));
    }
    // Typing is still fine, and nothing refused was recorded.
    client.send_event(&t, &SendEventRequest::typing()).unwrap();
    assert_eq!(emulator.events().len(), 1);
    emulator.set_receipts_conflict(false);
    client.send_event(&t, &SendEventRequest::read("m")).unwrap();
    assert_eq!(emulator.events().len(), 2);
}

#[test]
fn injected_errors_map_to_their_kinds() {
    let emulator = Emulator::start().unwrap();
    // Retries off: each injected error must come back as it is, one request each.
    let client = emulator.client_builder().max_attempts(1).build().unwrap();
    let t = emulator.connection_token();
    let cases = [
        (429, "ThrottlingException", ErrorKind::Throttling),
        (500, "InternalServerException", ErrorKind::InternalServer),
        (400, "ValidationException", ErrorKind::Validation),
        (403, "AccessDeniedException", ErrorKind::AccessDenied),
        (409, "ConflictException", ErrorKind::Conflict),
        (418, "TeapotException", ErrorKind::UnknownService),
    ];
    for (status, error_type, _) in cases {
        emulator.fail_next(status, error_type, "injected");
    }
    for (status, error_type, kind) in cases {
        let e = client
            .send_event(&t, &SendEventRequest::typing())
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{error_type}");
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.service_error_type(), Some(error_type));
        assert_eq!(e.service_message(), Some("injected"));
        assert_eq!(e.attempts(), 1);
    }
    // The queue is spent: the next call is handled normally, and no failed one recorded.
    client.send_event(&t, &SendEventRequest::typing()).unwrap();
    assert_eq!(emulator.events().len(), 1);
    assert_eq!(emulator.requests(), cases.len() + 1);
}

#[test]
fn emulator_applies_the_service_checks_to_raw_requests() {
    let emulator = Emulator::start().unwrap();
    let typing = r#"{"ContentType":"application/vnd.amazonaws.connect.event.typing"}"#;
    let long_content = format!(
        r#"{{"Content":"{}","ContentType":"application/vnd.amazonaws.connect.event.typing"}}"#,
        "é".repeat(16385)
    );
    let long_client_token = format!(
        r#"{{"ClientToken":"{}","ContentType":"application/vnd.amazonaws.connect.event.typing"}}"#,
        "t".repeat(501)
    );
    let long_bearer = "b".repeat(1001);
    let cases: [(Option<&str>, &str, &str, &str); 9] = [
        (None, typing, "400 Bad Request", "ValidationException"),
        (
            Some(&long_bearer),
            typing,
            "400 Bad Request",
            "ValidationException",
        ),
        (Some("t"), "{}", "400 Bad Request", "ValidationException"),
        (
            Some("t"),
            r#"{"ContentType":"text/plain"}"#,
            "400 Bad Request",
            "ValidationException",
        ),
        (
            Some("t"),
            &long_content,
            "400 Bad Request",
            "ValidationException",
        ),
        (
            Some("t"),
            &long_client_token,
            "400 Bad Request",
            "ValidationException",
        ),
        (
            Some("t"),
            r#"{"Content":"{\"messageId\":\"\"}","ContentType":"application/vnd.amazonaws.connect.event.message.read"}"#,
            "400 Bad Request",
            "ValidationException",
        ),
        (
            Some("t"),
            "not json",
            "400 Bad Request",
            "SerializationException",
        ),
        (
            Some("t"),
            r#"{"ContentType":5}"#,
            "400 Bad Request",
            "SerializationException",
        ),
    ];
    for (bearer, body, status, error_type) in cases {
        let (status_line, got_type, answer_body) = parse_answer(&raw_post(&emulator, bearer, body));
        assert_eq!(status_line, format!("HTTP/1.1 {status}"), "{body:.80}");
        assert_eq!(got_type.as_deref(), Some(error_type), "{body:.80}");
        let json: serde_json::Value = serde_json::from_str(&answer_body).unwrap();
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    assert!(emulator.events().is_empty());

    // The limits themselves are accepted.
    let at_limits = format!(
        r#"{{"ClientToken":"{}","Content":"{}","ContentType":"application/vnd.amazonaws.connect.event.typing"}}"#,
        "t".repeat(500),
        "é".repeat(16384)
    );
    let token = emulator.connection_token();
    let (status_line, error_type, body) = parse_answer(&raw_post(
        &emulator,
        Some(token.expose_secret()),
        &at_limits,
    ));
    assert_eq!(status_line, "HTTP/1.1 200 OK");
    assert_eq!(error_type, None);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["Id"].as_str(), Some(emulator.events()[0].id.as_str()));

    // A well-formed request with a token the emulator did not issue: denied.
    let (status_line, error_type, body) =
        parse_answer(&raw_post(&emulator, Some(&"b".repeat(1000)), typing));
    assert_eq!(status_line, "HTTP/1.1 403 Forbidden");
    assert_eq!(error_type.as_deref(), Some("AccessDeniedException"));
    assert_eq!(body, r#"{"message":"Access denied"}"#);
}

#[test]
fn emulator_answers_unknown_operations_and_malformed_requests() {
    let emulator = Emulator::start().unwrap();
    let answer = raw_exchange(
        &emulator,
        b"GET /participant/event HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    let (status, error_type, _) = parse_answer(&answer);
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    assert_eq!(error_type.as_deref(), Some("UnknownOperationException"));

    let answer = raw_exchange(&emulator, b"NOT HTTP AT ALL\r\n\r\n");
    let (status, error_type, _) = parse_answer(&answer);
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    assert_eq!(error_type.as_deref(), Some("SerializationException"));
    assert_eq!(emulator.requests(), 2);
}

#[test]
fn emulator_stops_when_dropped() {
    let (emulator, client) = setup();
    let t = emulator.connection_token();
    // Leave a keep-alive connection open in the client's pool.
    client.send_event(&t, &SendEventRequest::typing()).unwrap();
    let addr = emulator.addr();
    drop(emulator);
    assert!(
        TcpStream::connect(addr).is_err(),
        "still listening on {addr}"
    );
    let e = client
        .send_event(&t, &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    // Three refused connects: ureq probes a pooled connection before reusing it, finds this
    // one closed, and connects anew, so even the first attempt never reaches a socket.
    assert_eq!(e.attempts(), 3, "{e:?}");
}

/// A request's framing must be unambiguous: a signed `Content-Length`, two that disagree,
/// or a version that is not HTTP/1.x are refused with 400, not read one way or another.
#[test]
fn lax_framing_is_refused_with_400() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    let body = r#"{"ContentType":"application/vnd.amazonaws.connect.event.typing"}"#;
    let request = |version: &str, lengths: &[String]| {
        let mut raw = format!(
            "POST /participant/event {version}\r\nHost: x\r\nX-Amz-Bearer: {}\r\n\
             Content-Type: application/json\r\nConnection: close\r\n",
            token.expose_secret()
        );
        for l in lengths {
            raw.push_str(&format!("Content-Length: {l}\r\n"));
        }
        raw.push_str("\r\n");
        raw.push_str(body);
        raw
    };
    let n = body.len();
    let refused = [
        request("HTTP/1.1", &[format!("+{n}")]),
        request("HTTP/1.1", &[format!("-{n}")]),
        request("HTTP/1.1", &[format!(" {n}x")]),
        request("HTTP/1.1", &[format!("{n}, {n}")]),
        request("HTTP/1.1", &[n.to_string(), "2".into()]),
        request("HTTP/1.1", &["2".into(), n.to_string()]),
        request("FOO/9", &[n.to_string()]),
        request("HTTP/2.0", &[n.to_string()]),
        request("http/1.1", &[n.to_string()]),
    ];
    for raw in &refused {
        let (status, error_type, _) = parse_answer(&raw_exchange(&emulator, raw.as_bytes()));
        assert_eq!(status, "HTTP/1.1 400 Bad Request", "{raw}");
        assert_eq!(
            error_type.as_deref(),
            Some("SerializationException"),
            "{raw}"
        );
    }
    assert_eq!(emulator.events().len(), 0);
    assert!(emulator.seen_requests().is_empty());
    // The same request framed plainly is taken; so are two equal lengths (RFC 9112 allows
    // it) and HTTP/1.0.
    let taken = [
        request("HTTP/1.1", &[n.to_string()]),
        request("HTTP/1.1", &[n.to_string(), n.to_string()]),
        request("HTTP/1.0", &[n.to_string()]),
    ];
    for raw in &taken {
        let (status, _, _) = parse_answer(&raw_exchange(&emulator, raw.as_bytes()));
        assert_eq!(status, "HTTP/1.1 200 OK", "{raw}");
    }
    assert_eq!(emulator.events().len(), 3);
}

/// The fault queue is bounded like everything else the emulator keeps: past
/// `MAX_QUEUED_FAULTS` a fault is refused, and a request that takes one makes room.
#[test]
fn the_fault_queue_is_bounded() {
    let (emulator, client) = setup();
    let max = Emulator::MAX_QUEUED_FAULTS;
    assert_eq!(max, 1000);
    for _ in 0..max {
        assert!(emulator.fail_next(500, "InternalServerException", "x"));
    }
    assert!(!emulator.fail_next(500, "InternalServerException", "one too many"));
    assert!(!emulator.inject(connect_participant::emulator::Fault::CloseBeforeHandling));
    let token = emulator.connection_token();
    let err = client
        .send_event(&token, &SendEventRequest::typing())
        .unwrap_err();
    // The client's three attempts each took one fault.
    assert_eq!(err.attempts(), 3);
    for _ in 0..3 {
        assert!(emulator.fail_next(500, "InternalServerException", "x"));
    }
    assert!(!emulator.fail_next(500, "InternalServerException", "x"));
}

#[test]
fn a_revoke_over_the_control_path_keeps_no_token_in_seen_requests() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    let body = serde_json::json!({ "ConnectionToken": token.expose_secret() }).to_string();
    let a = support::raw::call(
        emulator.addr(),
        "POST",
        "/emulator/tokens/revoke",
        None,
        &body,
    );
    assert_eq!(a.text(), r#"{"Revoked":true}"#);
    let seen = emulator.seen_requests();
    let revoke = seen.last().unwrap();
    assert_eq!(revoke.path, "/emulator/tokens/revoke");
    assert!(revoke.body.is_empty(), "{revoke:?}");
    // The token is refused from then on.
    let client = emulator.client_builder().sleep_fn(|_| {}).build().unwrap();
    let e = client
        .send_event(&token, &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied);
}
