//! DescribeView, GetAuthenticationUrl and CancelParticipantAuthentication.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use serde_json::{Value, json};

use super::{CANCELLED, Expect, INITIATED, customer, transcript};
use crate::support::raw::{Answer, op, send};

#[test]
fn describe_view_answers_a_registered_view_as_given_and_404_for_others() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = customer(&emulator);
    let view = r#"{"Arn":"arn:aws:connect:us-west-2:1:instance/i/view/v:1","Content":{"Actions":["Submit","Cancel"],"InputSchema":"{}","Template":"{\"Head\":{}}"},"Id":"v","Name":"Detail","Version":1}"#;
    emulator.add_view("tok/en+with=", view).unwrap();
    emulator.add_view("plain", view).unwrap();
    let get_view = |label: &str, extra: &[(&str, &str)]| {
        let mut headers = vec![("X-Amz-Bearer", token.as_str())];
        headers.extend_from_slice(extra);
        send(
            emulator.addr(),
            "GET",
            &format!("/participant/views/{label}"),
            &headers,
            b"",
        )
    };
    let a = get_view("tok%2Fen%2Bwith%3D", &[]);
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.text(), format!("{{\"View\":{view}}}"));
    assert_eq!(a.header("content-type"), Some("application/json"));
    assert_eq!(a.header("x-amzn-requestid").map(str::len), Some(36));
    // `+` and `=` are taken unescaped too (a path segment may carry them).
    assert_eq!(get_view("tok%2Fen+with=", &[]).status, 200);
    // A raw `/` makes two segments: no such operation.
    get_view("tok/en+with=", &[]).assert_error(404, "UnknownOperationException");
    // A body or a Content-Type does not stop it.
    let a = send(
        emulator.addr(),
        "GET",
        "/participant/views/plain",
        &[
            ("X-Amz-Bearer", &token),
            ("Content-Type", "application/json"),
            ("Content-Length", "2"),
        ],
        b"{}",
    );
    assert_eq!(a.status, 200, "{}", a.text());

    // Unknown: 404 ResourceNotFoundException naming the token.
    let a = get_view("missing%2Fone", &[]);
    a.assert_error(404, "ResourceNotFoundException");
    let v = a.json();
    assert_eq!(v["ResourceId"], "missing/one");
    assert_eq!(v["ResourceType"], "CONTACT_FLOW");
    // Limits and tokens.
    let m = get_view("", &[]).assert_error(400, "ValidationException");
    assert!(m.contains("'viewToken'"), "{m}");
    let m = get_view(&"a".repeat(1001), &[]).assert_error(400, "ValidationException");
    assert!(m.contains("between 1 and 1000"), "{m}");
    get_view("%zz", &[]).assert_error(400, "ValidationException");
    let a = send(
        emulator.addr(),
        "GET",
        "/participant/views/plain",
        &[("X-Amz-Bearer", "nope")],
        b"",
    );
    a.assert_error(403, "AccessDeniedException");
    // Any chat's token reads it.
    let (_, other) = customer(&emulator);
    let a = send(
        emulator.addr(),
        "GET",
        "/participant/views/plain",
        &[("X-Amz-Bearer", &other)],
        b"",
    );
    assert_eq!(a.status, 200);
    // POST is not DescribeView.
    op(&emulator, "views/plain", &token, &json!({})).assert_error(404, "UnknownOperationException");
    // What add_view refuses.
    assert!(emulator.add_view("x", "[1]").is_err());
    assert!(emulator.add_view("x", "{").is_err());
    assert!(emulator.add_view("", "{}").is_err());
}

fn auth_url(emulator: &Emulator, token: &str, session: &str, redirect: &str) -> Answer {
    op(
        emulator,
        "authentication-url",
        token,
        &json!({"RedirectUri": redirect, "SessionId": session}),
    )
}

#[test]
fn authentication_url_within_60_seconds_of_the_initiated_event_and_not_after() {
    let emulator = Emulator::start().unwrap();
    let (chat, token) = customer(&emulator);
    let session = emulator.start_authentication(&chat.contact_id).unwrap();
    assert_eq!(session.len(), 36);
    // The initiated event, with the session in its Content.
    let items = transcript(&emulator, &token);
    let item = items.last().unwrap();
    assert_eq!(item["Type"], "EVENT");
    assert_eq!(item["ContentType"], INITIATED);
    let content: Value = serde_json::from_str(item["Content"].as_str().unwrap()).unwrap();
    assert_eq!(content, json!({"SessionId": session}));

    emulator.advance_clock(Duration::from_secs(59));
    let a = auth_url(
        &emulator,
        &token,
        &session,
        "https://example.com/cb?a=1&b=two words",
    );
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        a.json(),
        json!({"AuthenticationUrl": format!(
            "https://auth.emulator.invalid/oauth2/authorize?session={session}&redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fa%3D1%26b%3Dtwo%20words"
        )})
    );
    emulator.advance_clock(Duration::from_secs(2));
    let m = auth_url(&emulator, &token, &session, "https://example.com/cb")
        .assert_error(400, "ValidationException");
    assert!(m.contains("expired"), "{m}");

    // Members, unknown sessions, another chat's session.
    let fresh = emulator.start_authentication(&chat.contact_id).unwrap();
    let cases = [
        (
            json!({"RedirectUri": "x"}),
            "'sessionId'",
            "must not be null",
        ),
        (
            json!({"RedirectUri": "x", "SessionId": "short"}),
            "'sessionId'",
            "between 36 and 36",
        ),
        (
            json!({"RedirectUri": "x", "SessionId": format!("{fresh}x")}),
            "'sessionId'",
            "between 36 and 36",
        ),
        (
            json!({"SessionId": fresh}),
            "'redirectUri'",
            "must not be null",
        ),
        (
            json!({"SessionId": fresh, "RedirectUri": ""}),
            "'redirectUri'",
            "between 1 and 1024",
        ),
        (
            json!({"SessionId": fresh, "RedirectUri": "x".repeat(1025)}),
            "'redirectUri'",
            "between 1 and 1024",
        ),
        (
            json!({"SessionId": "00000000-0000-4000-8000-000000000000", "RedirectUri": "x"}),
            "'sessionId'",
            "session of this chat",
        ),
    ];
    for (body, member, rule) in cases {
        let a = op(&emulator, "authentication-url", &token, &body);
        let m = a.assert_error(400, "ValidationException");
        assert!(m.contains(member) && m.contains(rule), "{body}: {m}");
    }
    assert_eq!(
        auth_url(&emulator, &token, &fresh, &"x".repeat(1024)).status,
        200
    );
    let (_, other) = customer(&emulator);
    auth_url(&emulator, &other, &fresh, "x").assert_error(400, "ValidationException");
    auth_url(&emulator, "nope", &fresh, "x").assert_error(403, "AccessDeniedException");
    assert!(emulator.start_authentication("no-such-contact").is_err());
}

#[test]
fn cancel_authentication_adds_the_cancelled_event_once() {
    let emulator = Emulator::start().unwrap();
    let (chat, token) = customer(&emulator);
    let session = emulator.start_authentication(&chat.contact_id).unwrap();
    let cancel = |token: &str, session: &str| {
        op(
            &emulator,
            "cancel-authentication",
            token,
            &json!({"SessionId": session}),
        )
    };
    let a = cancel(&token, &session);
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.text(), "{}");
    let items = transcript(&emulator, &token);
    let last = items.last().unwrap();
    assert_eq!(last["Type"], "EVENT");
    assert_eq!(last["ContentType"], CANCELLED);
    assert_eq!(last["ContactId"], chat.contact_id.as_str());
    // Again: the same answer, no second event; the session no longer gives a URL.
    assert_eq!(cancel(&token, &session).text(), "{}");
    let again = transcript(&emulator, &token);
    assert_eq!(again.len(), items.len());
    let m = auth_url(&emulator, &token, &session, "x").assert_error(400, "ValidationException");
    assert!(m.contains("cancelled"), "{m}");
    // Unknown, malformed, another chat's.
    cancel(&token, "00000000-0000-4000-8000-000000000000").assert_error(400, "ValidationException");
    let m = cancel(&token, "x").assert_error(400, "ValidationException");
    assert!(m.contains("'sessionId'"), "{m}");
    let (_, other) = customer(&emulator);
    let second = emulator.start_authentication(&chat.contact_id).unwrap();
    cancel(&other, &second).assert_error(400, "ValidationException");
}
