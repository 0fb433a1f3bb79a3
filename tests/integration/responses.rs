//! Success answers, parsed from a real socket.

use connect_participant::{SendEventOutput, SendEventRequest};

use crate::support;
use crate::support::scripted::{Action, Scripted, response};

#[test]
fn success_body_gives_id_and_absolute_time_and_ignores_unknown_members() {
    let body = br#"{"Extra":{"nested":[1,{"x":null}]},"Id":"e-42","Other":true,"AbsoluteTime":"2019-11-08T02:41:28.172Z"}"#;
    let server = Scripted::start(vec![Action::Respond(response(
        "200 OK",
        &["Content-Type: application/json", "x-amzn-RequestId: req-ok"],
        body,
    ))]);
    let out = support::client(&server.url())
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap();
    assert_eq!(out.id.as_deref(), Some("e-42"));
    assert_eq!(
        out.absolute_time.as_ref().map(|t| t.as_str()),
        Some("2019-11-08T02:41:28.172Z")
    );
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn empty_success_answers_give_empty_output() {
    let answers = [
        // No Content-Length: a 204 has no body by definition.
        b"HTTP/1.1 204 No Content\r\nx-amzn-RequestId: r204\r\n\r\n".to_vec(),
        response("202 Accepted", &[], b""),
        response("200 OK", &[], b""),
        response("201 Created", &[], b" \r\n\t"),
        response("200 OK", &[], b"{}"),
        response("299 Whatever", &[], b"{}"),
    ];
    let count = answers.len();
    let server = Scripted::start(answers.into_iter().map(Action::Respond).collect());
    let client = support::client(&server.url());
    for i in 0..count {
        let out = client
            .send_event(&support::token(), &SendEventRequest::typing())
            .unwrap_or_else(|e| panic!("answer {i}: {e:?}"));
        assert_eq!(out, SendEventOutput::default(), "answer {i}");
    }
    let report = server.finish();
    assert_eq!(report.requests.len(), count);
    assert_eq!(report.connections, 1, "every answer kept the connection");
}

#[test]
fn chunked_success_body_is_read() {
    let answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                   5\r\n{\"Id\"\r\n6\r\n:\"c-1\"\r\n1\r\n}\r\n0\r\n\r\n"
        .to_vec();
    let server = Scripted::start(vec![Action::Respond(answer)]);
    let out = support::client(&server.url())
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap();
    assert_eq!(out.id.as_deref(), Some("c-1"));
    assert_eq!(out.absolute_time, None);
    server.finish();
}

#[test]
fn success_body_of_exactly_max_response_body_is_read() {
    let limit = usize::try_from(connect_participant::MAX_RESPONSE_BODY).unwrap();
    let head = br#"{"Id":"big""#;
    let mut body = head.to_vec();
    body.resize(limit - 1, b' ');
    body.push(b'}');
    assert_eq!(body.len(), limit);
    let server = Scripted::start(vec![Action::Respond(response("200 OK", &[], &body))]);
    let out = support::client(&server.url())
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap();
    assert_eq!(out.id.as_deref(), Some("big"));
    server.finish();
}
