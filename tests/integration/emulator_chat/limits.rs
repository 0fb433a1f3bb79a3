//! Every member's limits, each refused with a 400 that names the member.

use connect_participant::emulator::Emulator;
use serde_json::{Value, json};

use super::{assert_validation, every_operation};
use crate::support::content_type::{DELIVERED, READ, TYPING};
use crate::support::raw::{call, connect, op};

#[test]
fn every_limit_is_refused_with_400_naming_the_member() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let token = connect(&emulator, &chat.participant_token);
    let s = |n: usize| "x".repeat(n);
    let message = |content: Value, content_type: Value| json!({"Content": content, "ContentType": content_type});
    let cases: Vec<(&str, Value, &str)> = vec![
        ("message", json!({"Content": "x"}), "contentType"),
        ("message", message(json!("x"), json!("")), "contentType"),
        ("message", message(json!("x"), json!(s(101))), "contentType"),
        (
            "message",
            message(json!("x"), json!("image/png")),
            "contentType",
        ),
        ("message", json!({"ContentType": "text/plain"}), "content"),
        (
            "message",
            message(json!(""), json!("text/plain")),
            "content",
        ),
        (
            "message",
            message(json!(s(16385)), json!("text/plain")),
            "content",
        ),
        // 8193 two-byte characters: 16386 bytes, over the byte limit.
        (
            "message",
            message(json!("é".repeat(8193)), json!("text/plain")),
            "content",
        ),
        (
            "message",
            json!({"ClientToken": s(501), "Content": "x", "ContentType": "text/plain"}),
            "clientToken",
        ),
        ("event", json!({}), "contentType"),
        ("event", json!({"ContentType": s(101)}), "contentType"),
        (
            "event",
            json!({"Content": s(16385), "ContentType": TYPING}),
            "content",
        ),
        (
            "event",
            json!({"Content": "", "ContentType": TYPING}),
            "content",
        ),
        (
            "event",
            json!({"ClientToken": s(501), "ContentType": TYPING}),
            "clientToken",
        ),
        // An event type SendEvent does not take, and receipts without a messageId: the
        // message names the member, as every other refusal does.
        (
            "event",
            json!({"ContentType": "application/vnd.amazonaws.connect.event.participant.joined"}),
            "contentType",
        ),
        ("event", json!({"ContentType": "text/plain"}), "contentType"),
        ("event", json!({"ContentType": READ}), "content"),
        (
            "event",
            json!({"ContentType": DELIVERED, "Content": "not json"}),
            "content",
        ),
        (
            "event",
            json!({"ContentType": READ, "Content": r#"{"messageId":""}"#}),
            "content",
        ),
        (
            "event",
            json!({"ContentType": READ, "Content": r#"{"messageId":5}"#}),
            "content",
        ),
        ("disconnect", json!({"ClientToken": s(501)}), "clientToken"),
        ("transcript", json!({"MaxResults": 101}), "maxResults"),
        ("transcript", json!({"MaxResults": -1}), "maxResults"),
        ("transcript", json!({"NextToken": ""}), "nextToken"),
        ("transcript", json!({"NextToken": s(1001)}), "nextToken"),
        ("transcript", json!({"NextToken": "bogus"}), "nextToken"),
        (
            "transcript",
            json!({"ScanDirection": "UP"}),
            "scanDirection",
        ),
        ("transcript", json!({"SortOrder": "NEWEST"}), "sortOrder"),
        ("transcript", json!({"ContactId": ""}), "contactId"),
        ("transcript", json!({"ContactId": s(257)}), "contactId"),
        (
            "transcript",
            json!({"StartPosition": {"Id": ""}}),
            "startPosition.id",
        ),
        (
            "transcript",
            json!({"StartPosition": {"Id": s(257)}}),
            "startPosition.id",
        ),
        (
            "transcript",
            json!({"StartPosition": {"Id": "not-an-item"}}),
            "startPosition.id",
        ),
        (
            "transcript",
            json!({"StartPosition": {"AbsoluteTime": ""}}),
            "startPosition.absoluteTime",
        ),
        (
            "transcript",
            json!({"StartPosition": {"AbsoluteTime": s(101)}}),
            "startPosition.absoluteTime",
        ),
        (
            "transcript",
            json!({"StartPosition": {"AbsoluteTime": "yesterday"}}),
            "startPosition.absoluteTime",
        ),
        (
            "transcript",
            json!({"StartPosition": {"MostRecent": 101}}),
            "startPosition.mostRecent",
        ),
        (
            "transcript",
            json!({"StartPosition": {"MostRecent": -1}}),
            "startPosition.mostRecent",
        ),
    ];
    for (operation, body, member) in &cases {
        let a = op(&emulator, operation, &token, body);
        assert_validation(&a, member, &format!("{operation} {body:.100}"));
    }
    let connection_cases = [
        (json!({"Type": []}), "type"),
        (json!({"Type": ["WEBSOCKET", "SMOKE_SIGNALS"]}), "type"),
    ];
    for (body, member) in &connection_cases {
        let a = op(&emulator, "connection", &chat.participant_token, body);
        assert_validation(&a, member, &body.to_string());
    }
    // The bearer: absent, or longer than the model allows.
    let long = s(1001);
    for (operation, body) in every_operation()
        .into_iter()
        .chain([("connection", json!({}))])
    {
        let member = if operation == "connection" {
            "participantToken"
        } else {
            "connectionToken"
        };
        let path = format!("/participant/{operation}");
        let body = body.to_string();
        for bearer in [None, Some(long.as_str())] {
            let a = call(emulator.addr(), "POST", &path, bearer, &body);
            assert_validation(
                &a,
                member,
                &format!("{operation} {:?}", bearer.map(str::len)),
            );
        }
    }
    // Not JSON, or a member of the wrong type: SerializationException.
    let wrong_types = [
        ("message", "not json"),
        ("message", r#"{"Content":5,"ContentType":"text/plain"}"#),
        ("transcript", r#"{"MaxResults":"10"}"#),
        ("transcript", r#"{"MaxResults":1.5}"#),
        ("transcript", r#"{"StartPosition":"newest"}"#),
        ("disconnect", "[]"),
    ];
    for (operation, body) in wrong_types {
        let a = call(
            emulator.addr(),
            "POST",
            &format!("/participant/{operation}"),
            Some(&token),
            body,
        );
        assert_eq!(a.status, 400, "{body}");
        assert_eq!(a.header("x-amzn-errortype"), Some("SerializationException"));
    }
    let a = op(
        &emulator,
        "connection",
        &chat.participant_token,
        &json!({"ConnectParticipant": "yes"}),
    );
    assert_eq!(a.header("x-amzn-errortype"), Some("SerializationException"));

    // The limits themselves are taken.
    let at_limits = [
        (
            "message",
            json!({"ClientToken": s(500), "Content": s(16384), "ContentType": "text/plain"}),
        ),
        (
            "message",
            json!({"Content": "é".repeat(8192), "ContentType": "application/json"}),
        ),
        (
            "message",
            json!({"Content": "{}", "ContentType": "application/vnd.amazonaws.connect.message.interactive.response"}),
        ),
        (
            "transcript",
            json!({"MaxResults": 100, "StartPosition": {"MostRecent": 100}}),
        ),
        (
            "transcript",
            json!({"MaxResults": 0, "ContactId": chat.contact_id}),
        ),
    ];
    for (operation, body) in at_limits {
        let a = op(&emulator, operation, &token, &body);
        assert_eq!(a.status, 200, "{operation} {body:.100}: {}", a.text());
    }
}
