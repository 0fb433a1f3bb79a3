//! Every error kind, from scripted answers over a real socket.

use std::error::Error as _;
use std::time::Duration;

use connect_participant::{Client, Error, ErrorKind, MAX_RESPONSE_BODY, SendEventRequest};

use crate::support;
use crate::support::scripted::{Action, Scripted, closed_port, response};

/// Sends one typing event per answer, in order, on one client with retries off (these tests
/// are about how one answer maps to an error; `faults.rs` covers the retries); returns the
/// errors.
fn errors_for(answers: Vec<Vec<u8>>) -> Vec<Error> {
    let count = answers.len();
    let server = Scripted::start(answers.into_iter().map(Action::Respond).collect());
    let client = support::client_without_retries(&server.url());
    let errors: Vec<Error> = (0..count)
        .map(|i| {
            client
                .send_event(&support::token(), &SendEventRequest::typing())
                .expect_err(&format!("answer {i} is an error"))
        })
        .collect();
    for e in &errors {
        assert_eq!(e.attempts(), 1, "{e:?}");
        assert!(!e.retry_quota_exhausted(), "{e:?}");
    }
    let report = server.finish();
    assert_eq!(report.requests.len(), count);
    assert_eq!(report.unscripted, 0);
    errors
}

fn status_of(status_line: &str) -> u16 {
    status_line[..3].parse().unwrap()
}

#[test]
fn service_errors_named_by_the_errortype_header() {
    let answers = support::SERVICE_ERRORS
        .iter()
        .map(|(status, t, _)| {
            response(
                status,
                &[
                    &format!("X-Amzn-Errortype: {t}:http://internal.amazon.com/coral/com.amazon.coral.service/"),
                    "x-amzn-RequestId: 11111111-2222-3333-4444-555555555555",
                    "Content-Type: application/json",
                ],
                br#"{"message":"Access denied"}"#,
            )
        })
        .collect();
    let errors = errors_for(answers);
    for ((status, t, kind), e) in support::SERVICE_ERRORS.iter().zip(&errors) {
        let code = status_of(status);
        assert_eq!(e.kind(), *kind);
        assert_eq!(e.status(), Some(code));
        assert_eq!(e.service_error_type(), Some(*t));
        assert_eq!(e.service_message(), Some("Access denied"));
        assert_eq!(e.request_id(), Some("11111111-2222-3333-4444-555555555555"));
        assert_eq!(e.field(), None);
        assert!(e.is_service_error());
        assert!(e.source().is_none());
        assert_eq!(
            e.to_string(),
            format!(
                "service error {t} (HTTP {code}): Access denied \
                 (request id 11111111-2222-3333-4444-555555555555){}",
                hint(*kind)
            )
        );
    }
}

#[test]
fn service_errors_named_by_the_body_code() {
    let answers = support::SERVICE_ERRORS
        .iter()
        .map(|(status, t, _)| {
            response(
                status,
                &["x-amz-request-id: fallback-1"],
                format!(r#"{{"code":"{t}","Message":"capital M"}}"#).as_bytes(),
            )
        })
        .collect();
    let errors = errors_for(answers);
    for ((status, t, kind), e) in support::SERVICE_ERRORS.iter().zip(&errors) {
        assert_eq!(e.kind(), *kind);
        assert_eq!(e.status(), Some(status_of(status)));
        assert_eq!(e.service_error_type(), Some(*t));
        assert_eq!(e.service_message(), Some("capital M"));
        assert_eq!(e.request_id(), Some("fallback-1"));
    }
}

#[test]
fn service_errors_named_by_the_body_type_with_namespace_and_url() {
    let answers = support::SERVICE_ERRORS
        .iter()
        .map(|(status, t, _)| {
            response(
                status,
                &[],
                format!(
                    r#"{{"__type":"com.amazonaws.connectparticipant#{t}:http://internal.amazon.com/","errorMessage":"from errorMessage"}}"#
                )
                .as_bytes(),
            )
        })
        .collect();
    let errors = errors_for(answers);
    for ((status, t, kind), e) in support::SERVICE_ERRORS.iter().zip(&errors) {
        assert_eq!(e.kind(), *kind);
        assert_eq!(e.status(), Some(status_of(status)));
        assert_eq!(e.service_error_type(), Some(*t));
        assert_eq!(e.service_message(), Some("from errorMessage"));
        assert_eq!(e.request_id(), None);
        assert_eq!(
            e.to_string(),
            format!(
                "service error {t} (HTTP {}): from errorMessage{}",
                status_of(status),
                hint(*kind)
            )
        );
    }
}

#[test]
fn errortype_header_wins_over_body_code_which_wins_over_type() {
    let errors = errors_for(vec![
        response(
            "400 Bad Request",
            &["x-amzn-errortype: ValidationException"],
            br#"{"code":"ThrottlingException","__type":"ConflictException"}"#,
        ),
        response(
            "400 Bad Request",
            &[],
            br#"{"__type":"ConflictException","code":"ThrottlingException"}"#,
        ),
    ]);
    assert_eq!(errors[0].kind(), ErrorKind::Validation);
    assert_eq!(errors[1].kind(), ErrorKind::Throttling);
    // The status does not decide the kind: the error type does.
    assert_eq!(errors[1].status(), Some(400));
}

#[test]
fn message_is_message_then_capital_message_then_error_message() {
    let errors = errors_for(vec![
        response(
            "403 Forbidden",
            &["X-Amzn-Errortype: AccessDeniedException"],
            br#"{"errorMessage":"third","Message":"second","message":"first"}"#,
        ),
        response(
            "403 Forbidden",
            &["X-Amzn-Errortype: AccessDeniedException"],
            br#"{"errorMessage":"third","Message":"second"}"#,
        ),
        response(
            "403 Forbidden",
            &["X-Amzn-Errortype: AccessDeniedException"],
            br#"{"message":7,"errorMessage":"third"}"#,
        ),
        response(
            "403 Forbidden",
            &["X-Amzn-Errortype: AccessDeniedException"],
            b"",
        ),
    ]);
    let messages: Vec<_> = errors.iter().map(Error::service_message).collect();
    assert_eq!(
        messages,
        [Some("first"), Some("second"), Some("third"), None]
    );
    assert_eq!(
        errors[3].to_string(),
        format!(
            "service error AccessDeniedException (HTTP 403); {}",
            support::CONNECTION_DENIED
        )
    );
}

#[test]
fn request_id_is_x_amzn_request_id_then_x_amz_request_id() {
    let errors = errors_for(vec![
        response(
            "500 Internal Server Error",
            &[
                "x-amz-request-id: second",
                "X-Amzn-RequestId: first",
                "X-Amzn-Errortype: InternalServerException",
            ],
            b"",
        ),
        response(
            "500 Internal Server Error",
            &[
                "X-Amz-Request-Id: second",
                "X-Amzn-Errortype: InternalServerException",
            ],
            b"",
        ),
    ]);
    assert_eq!(errors[0].request_id(), Some("first"));
    assert_eq!(errors[1].request_id(), Some("second"));
    assert_eq!(
        errors[1].to_string(),
        "service error InternalServerException (HTTP 500) (request id second)"
    );
}

#[test]
fn unknown_error_type_is_unknown_service_and_keeps_the_code() {
    let errors = errors_for(vec![
        response(
            "400 Bad Request",
            &["X-Amzn-Errortype: SerializationException:http://x/"],
            br#"{"message":"bad json"}"#,
        ),
        response(
            "404 Not Found",
            &[],
            br#"{"code":"aws.protocoltests#UnknownOperationException"}"#,
        ),
    ]);
    assert_eq!(errors[0].kind(), ErrorKind::UnknownService);
    assert_eq!(errors[0].status(), Some(400));
    assert_eq!(
        errors[0].service_error_type(),
        Some("SerializationException")
    );
    assert_eq!(errors[0].service_message(), Some("bad json"));
    assert_eq!(
        errors[0].to_string(),
        "service error SerializationException (HTTP 400): bad json"
    );
    assert_eq!(errors[1].kind(), ErrorKind::UnknownService);
    assert_eq!(errors[1].status(), Some(404));
    assert_eq!(
        errors[1].service_error_type(),
        Some("UnknownOperationException")
    );
}

#[test]
fn error_status_without_aws_error_is_unexpected_status() {
    let bodies: [&[u8]; 5] = [
        b"",
        b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        b"garbage {{{",
        b"\xff\xfe\x00\x80not utf-8",
        br#"{"message":"no type here"}"#,
    ];
    for status in [
        "400 Bad Request",
        "403 Forbidden",
        "404 Not Found",
        "500 Internal Server Error",
        "502 Bad Gateway",
        "503 Service Unavailable",
    ] {
        let code = status_of(status);
        let answers = bodies
            .iter()
            .map(|b| response(status, &["Content-Type: text/html"], b))
            .collect();
        let errors = errors_for(answers);
        for (body, e) in bodies.iter().zip(&errors) {
            let shown = format!("{status} {body:?}");
            assert_eq!(e.kind(), ErrorKind::UnexpectedStatus, "{shown}");
            assert_eq!(e.status(), Some(code), "{shown}");
            assert_eq!(e.service_error_type(), None, "{shown}");
            assert!(e.source().is_none(), "{shown}");
        }
        assert_eq!(
            errors[0].to_string(),
            format!("the server answered HTTP {code} without an AWS error")
        );
        assert_eq!(errors[4].service_message(), Some("no type here"));
        assert_eq!(
            errors[4].to_string(),
            format!("the server answered HTTP {code} without an AWS error: no type here")
        );
    }
}

#[test]
fn unusable_success_body_is_invalid_response() {
    let bodies: [&[u8]; 7] = [
        b"<html><body>OK</body></html>",
        b"garbage",
        br#"{"Id":"e-1","AbsoluteTime":"2019"#,
        b"\xff\xfe\xfd",
        br#"["Id","e-1"]"#,
        br#"{"Id":7}"#,
        b"null",
    ];
    // What the message says beyond the size: why JSON that parsed is still not the answer.
    let why = [
        "",
        "",
        "",
        "",
        ": not a JSON object",
        ": member Id is not a string",
        ": not a JSON object",
    ];
    let answers = bodies
        .iter()
        .map(|b| response("200 OK", &["x-amzn-RequestId: r-200"], b))
        .collect();
    let errors = errors_for(answers);
    for ((body, e), why) in bodies.iter().zip(&errors).zip(why) {
        assert_eq!(e.kind(), ErrorKind::InvalidResponse, "{body:?}");
        assert_eq!(e.status(), Some(200), "{body:?}");
        assert_eq!(e.request_id(), Some("r-200"), "{body:?}");
        assert_eq!(
            e.to_string(),
            format!(
                "the service answered HTTP 200 with a body that is not the documented JSON \
                 ({} bytes){why}",
                body.len()
            )
        );
    }
    // A body that starts like JSON carries the parser's error as its source.
    assert!(errors[2].source().is_some());
}

#[test]
fn success_body_over_max_response_body_is_invalid_response() {
    let limit = usize::try_from(MAX_RESPONSE_BODY).unwrap();
    let mut body = br#"{"Id":"big""#.to_vec();
    body.resize(limit, b' ');
    body.push(b'}');
    assert_eq!(body.len(), limit + 1);
    let server = Scripted::start(vec![Action::Respond(response("200 OK", &[], &body))]);
    let url = server.url();
    let e = support::client(&url)
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert_eq!(
        e.to_string(),
        format!("the answer from {url} is larger than 1048576 bytes")
    );
    assert!(e.source().is_some());
    // Not retried: the same answer would come again.
    assert_eq!(e.attempts(), 1);
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn chunked_body_over_max_response_body_is_invalid_response() {
    // No length announced: the limit must stop the reading itself.
    let chunk = vec![b' '; 64 * 1024];
    let mut answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..17 {
        answer.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        answer.extend_from_slice(&chunk);
        answer.extend_from_slice(b"\r\n");
    }
    answer.extend_from_slice(b"0\r\n\r\n");
    let server = Scripted::start(vec![Action::Respond(answer)]);
    let url = server.url();
    let e = support::client(&url)
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert_eq!(
        e.to_string(),
        format!("the answer from {url} is larger than 1048576 bytes")
    );
    assert_eq!(e.attempts(), 1);
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn error_body_over_max_response_body_is_invalid_response() {
    let mut body = br#"{"message":""#.to_vec();
    body.resize(usize::try_from(MAX_RESPONSE_BODY).unwrap() + 10, b'x');
    body.extend_from_slice(br#""}"#);
    let server = Scripted::start(vec![Action::Respond(response(
        "500 Internal Server Error",
        &["X-Amzn-Errortype: InternalServerException"],
        &body,
    ))]);
    let url = server.url();
    let e = support::client(&url)
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert_eq!(
        e.to_string(),
        format!("the answer from {url} is larger than 1048576 bytes")
    );
    // The status survives, though the body was not read.
    assert_eq!(e.status(), Some(500));
    // An over-long answer is never retried, even with a retryable status.
    assert_eq!(e.attempts(), 1);
    assert_eq!(server.finish().requests.len(), 1);
}

#[test]
fn connection_closed_before_any_response_is_transport() {
    // Retries off: the single-attempt message has no attempt count.
    let server = Scripted::start(vec![Action::Close]);
    let url = server.url();
    let e = support::client_without_retries(&url)
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert_eq!(e.to_string(), format!("the request to {url} failed"));
    assert_eq!(e.status(), None);
    assert_eq!(e.attempts(), 1);
    assert!(!e.is_service_error());
    assert!(e.source().is_some());
    let report = server.finish();
    assert_eq!(report.connections, 1, "ureq itself does not repeat a POST");
    assert_eq!(report.requests.len(), 1);
}

#[test]
fn connection_closed_before_any_response_is_retried_then_transport() {
    let server = Scripted::start(vec![Action::Close, Action::Close, Action::Close]);
    let url = server.url();
    let e = support::client(&url)
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert_eq!(
        e.to_string(),
        format!("the request to {url} failed; 3 attempts")
    );
    assert_eq!(e.status(), None);
    assert_eq!(e.attempts(), 3);
    assert!(!e.retry_quota_exhausted());
    assert!(e.source().is_some());
    let report = server.finish();
    assert_eq!(
        report.connections, 3,
        "each attempt needed a new connection"
    );
    assert_eq!(report.requests.len(), 3);
    assert_eq!(report.unscripted, 0);
}

#[test]
fn truncated_status_line_is_transport() {
    let cut = || Action::RespondAndClose(b"HTTP/1.1 20".to_vec());
    let server = Scripted::start(vec![cut(), cut(), cut()]);
    let url = server.url();
    let e = support::client(&url)
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert_eq!(
        e.to_string(),
        format!("the request to {url} failed; 3 attempts")
    );
    assert_eq!(e.attempts(), 3);
    assert!(e.source().is_some());
    let report = server.finish();
    assert_eq!(report.requests.len(), 3);
    assert_eq!(report.unscripted, 0);
}

#[test]
fn unanswered_request_times_out() {
    // Retries off: this is about the mapping; faults.rs times out three attempts.
    let server = Scripted::start(vec![Action::Hang]);
    let url = server.url();
    let client = Client::builder()
        .endpoint_url(&url)
        .timeout(Duration::from_millis(300))
        .random_source(support::counting_random)
        .max_attempts(1)
        .build()
        .unwrap();
    let e = client
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(
        e.to_string(),
        format!("the request to {url} timed out: no whole answer within timeout (0.3 s)")
    );
    assert_eq!(e.status(), None);
    assert_eq!(e.attempts(), 1);
    assert!(
        e.source().is_none(),
        "ureq's words (timeout: global) are not shown"
    );
    let report = server.finish();
    assert_eq!(report.requests.len(), 1, "the request was sent whole");
}

#[test]
fn refused_connection_is_transport() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let e = support::client(&url)
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    // A refused connection is retried: the service may be restarting.
    assert_eq!(
        e.to_string(),
        format!("the request to {url} failed; 3 attempts")
    );
    assert_eq!(e.attempts(), 3);
    assert_eq!(e.status(), None);
    assert!(e.source().is_some());
}

#[test]
fn failing_random_source_is_random_source_and_nothing_is_sent() {
    let server = Scripted::start(vec![]);
    let client = Client::builder()
        .endpoint_url(server.url())
        .random_source(|_| Err(std::io::Error::other("no entropy")))
        .build()
        .unwrap();
    let e = client
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RandomSource);
    assert_eq!(
        e.to_string(),
        "the random source failed, so no client token could be made"
    );
    assert_eq!(
        e.source().map(ToString::to_string).as_deref(),
        Some("no entropy")
    );
    assert_eq!(e.attempts(), 0, "refused before sending");
    let report = server.finish();
    assert_eq!(report.connections, 0);
    assert!(report.requests.is_empty());
}

/// What the message adds after the service's words for an error of `kind` to SendEvent
/// typing.
fn hint(kind: ErrorKind) -> String {
    match kind {
        ErrorKind::AccessDenied => format!("; {}", support::CONNECTION_DENIED),
        _ => String::new(),
    }
}
