//! Redirects are refused, and the connection token never shows in any output.

use std::error::Error as StdError;
use std::time::Duration;

use connect_participant::{Client, ConnectionToken, Error, ErrorKind, SendEventRequest};

use crate::support;
use crate::support::scripted::{Action, Scripted, closed_port, response};

#[test]
fn redirect_is_not_followed() {
    // Where the redirects point: it must never see a connection, so never the token.
    let elsewhere = Scripted::repeating(Action::Respond(support::ok_response()));
    let location = format!(
        "Location: http://127.0.0.1:{}/participant/event",
        elsewhere.port()
    );
    let statuses = [
        "301 Moved Permanently",
        "302 Found",
        "303 See Other",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ];
    let server = Scripted::start(
        statuses
            .iter()
            .map(|s| Action::Respond(response(s, &[&location], b"")))
            .collect(),
    );
    let client = support::client(&server.url());
    for status in statuses {
        let code: u16 = status[..3].parse().unwrap();
        let e = client
            .send_event(&support::token(), &SendEventRequest::typing())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Redirect, "{status}");
        assert_eq!(e.attempts(), 1, "a redirect is never retried");
        assert_eq!(e.status(), Some(code));
        assert_eq!(e.service_error_type(), None);
        assert_eq!(
            e.to_string(),
            format!("the server answered a redirect (HTTP {code}), which is not followed")
        );
    }
    let report = server.finish();
    assert_eq!(report.requests.len(), statuses.len());
    assert_eq!(report.unscripted, 0);
    let elsewhere = elsewhere.finish();
    assert_eq!(elsewhere.connections, 0, "a redirect was followed");
    assert!(elsewhere.requests.is_empty());
}

const SECRET: &str = "SECRET-TOKEN-9f8e7d";

/// Every way an error (and its causes) can be shown.
fn renderings(e: &(dyn StdError + 'static)) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = Some(e);
    // Source chains here are a few links long; the bound only guards against a cycle.
    for _ in 0..16 {
        let Some(cur) = next else { break };
        out.push(format!("{cur}"));
        out.push(format!("{cur:?}"));
        out.push(format!("{cur:#?}"));
        out.push(format!("{cur:#}"));
        next = cur.source();
    }
    assert!(next.is_none(), "source chain longer than 16");
    out
}

fn assert_no_secret(label: &str, e: &Error) {
    for shown in renderings(e) {
        assert!(!shown.contains(SECRET), "{label} leaked the token: {shown}");
        assert!(
            !shown.contains("9f8e7d"),
            "{label} leaked part of the token: {shown}"
        );
    }
}

/// Sends a typing event with the secret token to a server giving `answer`, retries off.
fn error_from(answer: Action, timeout: Duration) -> Error {
    let server = Scripted::start(vec![answer]);
    let client = Client::builder()
        .endpoint_url(server.url())
        .timeout(timeout)
        .random_source(support::counting_random)
        .max_attempts(1)
        .build()
        .unwrap();
    let token = ConnectionToken::new(SECRET).unwrap();
    let e = client
        .send_event(&token, &SendEventRequest::typing())
        .unwrap_err();
    let report = server.finish();
    // The token did go to the server: the absence below is redaction, not a missing call.
    assert_eq!(report.requests.len(), 1);
    assert!(
        report.requests[0]
            .text()
            .contains(&format!("\r\nx-amz-bearer: {SECRET}\r\n"))
    );
    e
}

/// Errors that went through retries, whose messages carry the attempt count: three attempts
/// at a server that always answers 503, then, once the shared retry quota has run out, one.
fn retried_errors() -> Vec<Error> {
    let server = Scripted::repeating(Action::Respond(response(
        "503 Service Unavailable",
        &["x-amzn-RequestId: r-503"],
        b"<html>unavailable</html>",
    )));
    let client = support::client(&server.url());
    let token = ConnectionToken::new(SECRET).unwrap();
    let mut errors = Vec::new();
    // 500 tokens, 28 per failing call: the quota is empty within 19 calls.
    for _ in 0..40 {
        let e = client
            .send_event(&token, &SendEventRequest::typing())
            .unwrap_err();
        let done = e.retry_quota_exhausted();
        if errors.is_empty() || done {
            errors.push(e);
        }
        if done {
            break;
        }
    }
    server.finish();
    assert_eq!(errors.len(), 2, "the retry quota never ran out");
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    // Call 18 finds 24 tokens: one retry (14), then too few for a second.
    assert_eq!(
        shown,
        [
            "the server answered HTTP 503 without an AWS error (request id r-503); 3 attempts",
            "the server answered HTTP 503 without an AWS error (request id r-503); 2 attempts, \
             not retried: the retry quota is empty",
        ]
    );
    errors
}

#[test]
fn no_error_shows_the_connection_token() {
    let long = Duration::from_secs(10);
    let token = ConnectionToken::new(SECRET).unwrap();
    let mut errors: Vec<(&str, ErrorKind, Error)> = Vec::new();

    // Refused before sending, with the secret token at hand.
    let server = Scripted::start(vec![]);
    let client = support::client(&server.url());
    let refused = [
        ("Content", SendEventRequest::typing().with_content("")),
        (
            "ClientToken",
            SendEventRequest::typing().with_client_token("c".repeat(501)),
        ),
        ("messageId", SendEventRequest::read("")),
        (
            "Content",
            SendEventRequest::delivered("m").with_content("nope"),
        ),
    ];
    for (field, request) in refused {
        let e = client.send_event(&token, &request).unwrap_err();
        assert_eq!(e.field(), Some(field));
        errors.push(("invalid input", ErrorKind::InvalidInput, e));
    }
    assert_eq!(server.finish().connections, 0);
    for bad in [
        format!("{SECRET}\r\nX-Evil: 1"),
        format!("{SECRET} "),
        format!("{SECRET}é"),
        format!("\0{SECRET}"),
        SECRET.repeat(60),
    ] {
        let e = ConnectionToken::new(bad).unwrap_err();
        assert_eq!(e.field(), Some("ConnectionToken"));
        errors.push(("refused token", ErrorKind::InvalidInput, e));
    }

    errors.push((
        "no endpoint",
        ErrorKind::InvalidConfig,
        Client::builder().build().unwrap_err(),
    ));
    errors.push((
        "endpoint and fips",
        ErrorKind::InvalidConfig,
        Client::builder()
            .endpoint_url("http://127.0.0.1:1")
            .fips(true)
            .build()
            .unwrap_err(),
    ));
    errors.push((
        "random source",
        ErrorKind::RandomSource,
        Client::builder()
            .endpoint_url("http://127.0.0.1:1")
            .random_source(|_| Err(std::io::Error::other("no entropy")))
            .build()
            .unwrap()
            .send_event(&token, &SendEventRequest::typing())
            .unwrap_err(),
    ));

    let answered = support::SERVICE_ERRORS.into_iter().chain([(
        "400 Bad Request",
        "SerializationException",
        ErrorKind::UnknownService,
    )]);
    for (status, t, kind) in answered {
        let answer = response(
            status,
            &[&format!("X-Amzn-Errortype: {t}"), "x-amzn-RequestId: r-1"],
            br#"{"message":"Access denied"}"#,
        );
        errors.push((t, kind, error_from(Action::Respond(answer), long)));
    }
    let more = [
        (
            "unexpected status",
            ErrorKind::UnexpectedStatus,
            Action::Respond(response(
                "502 Bad Gateway",
                &[],
                b"<html>bad gateway</html>",
            )),
        ),
        (
            "redirect",
            ErrorKind::Redirect,
            Action::Respond(response(
                "307 Temporary Redirect",
                &["Location: http://127.0.0.1:1/participant/event"],
                b"",
            )),
        ),
        (
            "invalid response",
            ErrorKind::InvalidResponse,
            Action::Respond(response("200 OK", &[], br#"{"Id":"#)),
        ),
        (
            "oversized response",
            ErrorKind::InvalidResponse,
            Action::Respond(response("200 OK", &[], &vec![b' '; 1024 * 1024 + 1])),
        ),
        ("closed", ErrorKind::Transport, Action::Close),
    ];
    for (label, kind, answer) in more {
        errors.push((label, kind, error_from(answer, long)));
    }
    errors.push((
        "timeout",
        ErrorKind::Timeout,
        error_from(Action::Hang, Duration::from_millis(300)),
    ));
    for e in retried_errors() {
        errors.push(("retried", ErrorKind::UnexpectedStatus, e));
    }
    errors.push((
        "refused connection",
        ErrorKind::Transport,
        support::client(&format!("http://127.0.0.1:{}", closed_port()))
            .send_event(&token, &SendEventRequest::typing())
            .unwrap_err(),
    ));

    for (label, kind, e) in &errors {
        assert_eq!(e.kind(), *kind, "{label}");
        assert_no_secret(label, e);
    }
    // The list above covers all 14 kinds the crate has today.
    let mut kinds: Vec<String> = errors.iter().map(|(_, k, _)| format!("{k:?}")).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), 14, "{kinds:?}");
}

#[test]
fn connection_token_debug_is_redacted() {
    let token = ConnectionToken::new(SECRET).unwrap();
    assert_eq!(format!("{token:?}"), "ConnectionToken([redacted])");
    assert_eq!(format!("{token:#?}"), "ConnectionToken([redacted])");
    let wrapped = Some(vec![token.clone()]);
    assert!(!format!("{wrapped:?}{wrapped:#?}").contains(SECRET));
    assert_eq!(token.expose_secret(), SECRET);
}

#[test]
fn client_and_builder_debug_do_not_show_the_token() {
    let server = Scripted::start(vec![Action::Respond(support::ok_response())]);
    let builder = Client::builder()
        .endpoint_url(server.url())
        .user_agent_suffix("bot/1")
        .random_source(support::counting_random);
    for shown in [format!("{builder:?}"), format!("{builder:#?}")] {
        assert!(!shown.contains(SECRET), "{shown}");
    }
    let client = builder.build().unwrap();
    let token = ConnectionToken::new(SECRET).unwrap();
    // After a call, too: nothing of the call may stay behind in the client.
    client
        .send_event(&token, &SendEventRequest::typing())
        .unwrap();
    let clone = client.clone();
    for shown in [
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{clone:?}"),
    ] {
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(shown.contains(&server.url()), "{shown}");
    }
    assert_eq!(
        format!("{client:?}"),
        format!(
            "Client {{ endpoint: Endpoint(\"{}\"), user_agent: \"connect-participant/{} bot/1\", \
             connect_timeout: 3.1s, timeout: 10s, max_attempts: 3, retry_quota: 500, .. }}",
            server.url(),
            env!("CARGO_PKG_VERSION")
        )
    );
    server.finish();
}

#[test]
fn a_server_echoing_the_token_does_not_get_it_into_the_error() {
    let denied = "X-Amzn-Errortype: AccessDeniedException";
    // The token inside the type, the message and the request id; inside a long message,
    // across the point where Display cuts it (so that no prefix survives the cut); and
    // echoed cut short, 17 of its 19 characters.
    let body = format!(r#"{{"message":"token {SECRET} expired","__type":"x#{SECRET}"}}"#);
    let long = format!("{}{SECRET} expired", "x".repeat(500));
    let cases = [
        (
            response(
                "403 Forbidden",
                &[&format!("x-amzn-RequestId: id-{SECRET}")],
                body.as_bytes(),
            ),
            ErrorKind::UnknownService,
            "token [redacted] expired".to_owned(),
        ),
        (
            response(
                "403 Forbidden",
                &[denied],
                format!(r#"{{"message":"{long}"}}"#).as_bytes(),
            ),
            ErrorKind::AccessDenied,
            format!("{}[redacted] expired", "x".repeat(500)),
        ),
        (
            response(
                "403 Forbidden",
                &[denied],
                format!(r#"{{"message":"bad token {}..."}}"#, &SECRET[..17]).as_bytes(),
            ),
            ErrorKind::AccessDenied,
            "bad token [redacted]...".to_owned(),
        ),
    ];
    for (answer, kind, kept) in cases {
        let e = error_from(Action::Respond(answer), Duration::from_secs(10));
        assert_eq!(e.kind(), kind, "{e:?}");
        assert_no_secret("echoing server", &e);
        for field in [e.service_error_type(), e.service_message(), e.request_id()] {
            assert!(!field.unwrap_or_default().contains("9f8e7d"), "{e:?}");
        }
        assert_eq!(e.service_message(), Some(kept.as_str()));
    }
    let e = error_from(
        Action::Respond(response(
            "403 Forbidden",
            &[&format!("x-amzn-RequestId: id-{SECRET}")],
            body.as_bytes(),
        )),
        Duration::from_secs(10),
    );
    assert_eq!(
        e.to_string(),
        "service error [redacted] (HTTP 403): token [redacted] expired (request id \
         id-[redacted])"
    );
}

#[test]
fn builder_debug_shows_no_user_info_and_no_long_value() {
    let pasted = "QVFJREFIaGJhc2U2NHRva2Vu".repeat(10);
    let builder = Client::builder()
        .endpoint_url("http://u:hunter2@127.0.0.1:1")
        .region(pasted.as_str())
        .user_agent_suffix(pasted.as_str());
    for shown in [format!("{builder:?}"), format!("{builder:#?}")] {
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("QVFJ"), "{shown}");
    }
    assert_eq!(
        format!("{builder:?}"),
        "ClientBuilder { region: Some((240 characters, not shown)), fips: false, dual_stack: \
         false, endpoint_url: Some(\"http://[redacted]@127.0.0.1:1\"), endpoint: None, \
         connect_timeout: 3.1s, timeout: 10s, user_agent_suffix: Some((240 characters, not \
         shown)), max_attempts: 3, .. }"
    );
    // A suffix that long is accepted (visible ASCII, at most 256 characters), and the
    // client's Debug measures it too.
    let client = Client::builder()
        .region("us-east-1")
        .user_agent_suffix(pasted.as_str())
        .build()
        .unwrap();
    assert!(!format!("{client:?}").contains("QVFJ"), "{client:?}");
}

/// Every operation's errors are scrubbed of the token it carried, the participant token of
/// CreateParticipantConnection included, and a `Participant`'s own `Debug` and errors show
/// neither token: both bearer tokens are secrets.
#[test]
fn every_operation_scrubs_the_token_it_carried_from_an_echoing_server() {
    use connect_participant::{
        CreateParticipantConnectionRequest, DisconnectParticipantRequest, GetTranscriptRequest,
        ParticipantToken, SendMessageRequest,
    };
    const PARTICIPANT: &str = "QVFJREFIcGFydGljaXBhbnQtc2VjcmV0LXRva2Vu";
    let echo = |secret: &str| {
        Action::Respond(response(
            "403 Forbidden",
            &[
                "X-Amzn-Errortype: AccessDeniedException",
                &format!("x-amzn-RequestId: {secret}"),
            ],
            format!(r#"{{"message":"no access for {secret}"}}"#).as_bytes(),
        ))
    };
    let server = Scripted::start(vec![
        echo(PARTICIPANT),
        echo(SECRET),
        echo(SECRET),
        echo(SECRET),
    ]);
    let client = support::client_without_retries(&server.url());
    let connection = ConnectionToken::new(SECRET).unwrap();
    let participant = ParticipantToken::new(PARTICIPANT).unwrap();
    let errors = [
        client
            .create_participant_connection(&participant, &CreateParticipantConnectionRequest::new())
            .unwrap_err(),
        client
            .send_message(&connection, &SendMessageRequest::text("hi"))
            .unwrap_err(),
        client
            .get_transcript(&connection, &GetTranscriptRequest::new())
            .unwrap_err(),
        client
            .disconnect_participant(&connection, &DisconnectParticipantRequest::new())
            .unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(e.kind(), ErrorKind::AccessDenied);
        assert_eq!(e.service_message(), Some("no access for [redacted]"));
        assert_eq!(e.request_id(), Some("[redacted]"));
        for shown in renderings(e) {
            assert!(
                !shown.contains(PARTICIPANT) && !shown.contains(SECRET),
                "{shown}"
            );
        }
    }
    assert_eq!(format!("{participant:?}"), "ParticipantToken([redacted])");
    assert_eq!(server.finish().requests.len(), 4);
}
