//! The emulator as a local chat, driven with raw HTTP over 127.0.0.1 (the client's own
//! operations for these calls are written elsewhere): tokens and their expiry, every
//! member's limits, messages, receipts, disconnecting, ending, transcripts and their
//! paging, the control path and CORS.

use std::net::TcpListener;
use std::time::{Duration, SystemTime};

use connect_participant::Timestamp;
use connect_participant::emulator::{Emulator, StartedChat};
use serde_json::{Value, json};

use crate::support::content_type::{CHAT_ENDED, DELIVERED, JOINED, LEFT, READ, TYPING};
use crate::support::raw::{Answer, call, connect, exchange, head, op};

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

#[test]
fn send_message_lands_in_the_transcript_and_a_repeat_is_the_same_message() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let token = connect(&emulator, &chat.participant_token);
    let body = json!({"ClientToken": "ct-1", "Content": "Hello **there**", "ContentType": "text/markdown"});
    let before = emulator.now();
    let first = op(&emulator, "message", &token, &body);
    let after = emulator.now();
    assert_eq!(first.status, 200, "{}", first.text());
    let answer = first.json();
    assert_eq!(keys(&answer), ["AbsoluteTime", "Id"]);
    assert_within(time(&answer["AbsoluteTime"]), before, after);
    let again = op(&emulator, "message", &token, &body).json();
    assert_eq!(again, answer);
    // The same participant through another connection token: still the same message.
    let other = connect(&emulator, &chat.participant_token);
    assert_eq!(op(&emulator, "message", &other, &body).json(), answer);
    // Another client token, or none, is another message.
    let third = op(
        &emulator,
        "message",
        &token,
        &json!({"ClientToken": "ct-2", "Content": "Hello **there**", "ContentType": "text/markdown"}),
    )
    .json();
    assert_ne!(third["Id"], answer["Id"]);

    let t = transcript(&emulator, &token, &json!({"SortOrder": "ASCENDING"}));
    assert_eq!(keys(&t), ["InitialContactId", "Transcript"]);
    assert_eq!(t["InitialContactId"], chat.contact_id.as_str());
    let items = t["Transcript"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{t}");
    assert_eq!(
        items[2],
        json!({
            "AbsoluteTime": answer["AbsoluteTime"],
            "Content": "Hello **there**",
            "ContentType": "text/markdown",
            "Id": answer["Id"],
            "Type": "MESSAGE",
            "ParticipantId": chat.customer_participant_id,
            "DisplayName": "Customer",
            "ParticipantRole": "CUSTOMER",
            "ContactId": chat.contact_id,
        })
    );
    // The chat opened with both participants joining.
    for (item, (id, name, role)) in items[..2].iter().zip([
        (&chat.customer_participant_id, "Customer", "CUSTOMER"),
        (&chat.agent_participant_id, "Agent", "AGENT"),
    ]) {
        assert_eq!(keys(item).len(), 8, "{item}");
        assert_eq!(item["Type"], "EVENT");
        assert_eq!(item["ContentType"], JOINED);
        assert_eq!(item["ParticipantId"], id.as_str());
        assert_eq!(item["DisplayName"], name);
        assert_eq!(item["ParticipantRole"], role);
        assert_eq!(item["ContactId"], chat.contact_id.as_str());
        assert!(item.get("Content").is_none());
    }

    // An empty client token is none: two different messages sent with it are two
    // messages, each with its own Id (and so are two events).
    let empty =
        |content: &str| json!({"ClientToken": "", "Content": content, "ContentType": "text/plain"});
    let a = op(&emulator, "message", &token, &empty("first")).json();
    let b = op(&emulator, "message", &token, &empty("second")).json();
    assert_ne!(a["Id"], b["Id"]);
    let typing =
        json!({"ClientToken": "", "ContentType": "application/vnd.amazonaws.connect.event.typing"});
    let e1 = op(&emulator, "event", &token, &typing).json();
    let e2 = op(&emulator, "event", &token, &typing).json();
    assert_ne!(e1["Id"], e2["Id"]);
    let events = emulator.events();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.client_token.is_none()));
    let everything = transcript(&emulator, &token, &json!({"MaxResults": 100}));
    assert_eq!(contents(&everything)[..2], ["second", "first"]);
}

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

#[test]
fn receipts_land_on_their_message_as_message_metadata() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let hello = emulator
        .agent_says(&chat.contact_id, "Hello!", "text/plain")
        .unwrap();
    let token = connect(&emulator, &chat.participant_token);
    let receipt = |content_type: &str, id: &str| {
        let body = json!({
            "Content": json!({"messageId": id}).to_string(),
            "ContentType": content_type,
        });
        let a = op(&emulator, "event", &token, &body);
        assert_eq!(a.status, 200, "{}", a.text());
        let answer = a.json();
        assert_eq!(keys(&answer), ["AbsoluteTime", "Id"]);
        answer["AbsoluteTime"].as_str().unwrap().to_owned()
    };
    let delivered_at = receipt(DELIVERED, &hello);
    let read_at = receipt(READ, &hello);
    // Later receipts change nothing: the first delivery and reading are what count.
    receipt(DELIVERED, &hello);
    receipt(READ, &hello);
    // A receipt for a message the transcript does not hold is taken and attached to none.
    receipt(READ, "no-such-message");
    // Typing is recorded but is not a transcript item.
    let typing = op(&emulator, "event", &token, &json!({"ContentType": TYPING}));
    assert_eq!(typing.status, 200);

    let t = transcript(&emulator, &token, &json!({"SortOrder": "ASCENDING"}));
    let items = t["Transcript"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{t}");
    let message = &items[2];
    assert_eq!(message["Id"], hello.as_str());
    assert_eq!(message["ParticipantRole"], "AGENT");
    assert_eq!(message["ParticipantId"], chat.agent_participant_id.as_str());
    assert_eq!(
        message["MessageMetadata"],
        json!({
            "MessageId": hello,
            "Receipts": [{
                "DeliveredTimestamp": delivered_at,
                "ReadTimestamp": read_at,
                "RecipientParticipantId": chat.customer_participant_id,
            }],
        })
    );
    let events = emulator.events();
    assert_eq!(events.len(), 6);
    assert!(events.iter().all(
        |e| e.contact_id == chat.contact_id && e.participant_id == chat.customer_participant_id
    ));
    assert_eq!(events[5].content_type, TYPING);

    // Idempotency per participant: the same ClientToken through another connection token
    // of the same customer is the same event.
    let body = json!({"ClientToken": "once", "ContentType": TYPING});
    let first = op(&emulator, "event", &token, &body).json();
    let other = connect(&emulator, &chat.participant_token);
    assert_eq!(op(&emulator, "event", &other, &body).json(), first);
    assert_eq!(emulator.events().len(), 7);

    // Receipts refused while the chat does not allow them; typing still goes.
    emulator.set_receipts_conflict(true);
    let body = json!({"Content": json!({"messageId": hello}).to_string(), "ContentType": READ});
    let a = op(&emulator, "event", &token, &body);
    assert_eq!(a.status, 409);
    assert_eq!(a.header("x-amzn-errortype"), Some("ConflictException"));
}

#[test]
fn disconnect_leaves_the_chat_and_later_calls_are_denied() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let token = connect(&emulator, &chat.participant_token);
    let other = connect(&emulator, &chat.participant_token);
    let before = emulator.now();
    let a = op(
        &emulator,
        "disconnect",
        &token,
        &json!({"ClientToken": "bye-1"}),
    );
    let after = emulator.now();
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.text(), "{}");
    // A retry of that call is answered the same; another disconnect is denied.
    let again = op(
        &emulator,
        "disconnect",
        &token,
        &json!({"ClientToken": "bye-1"}),
    );
    assert_eq!((again.status, again.text()), (200, "{}".to_owned()));
    assert_denied(
        &op(
            &emulator,
            "disconnect",
            &other,
            &json!({"ClientToken": "bye-2"}),
        ),
        "second disconnect",
    );
    for t in [&token, &other] {
        for (operation, body) in every_operation() {
            if operation != "disconnect" {
                assert_denied(&op(&emulator, operation, t, &body), operation);
            }
        }
    }
    assert_denied(
        &op(&emulator, "connection", &chat.participant_token, &json!({})),
        "CPC after leaving",
    );
    let seen = agent_view(&emulator, &chat.contact_id);
    let items = seen["Transcript"].as_array().unwrap();
    assert_eq!(items.len(), 3, "one participant.left: {seen}");
    let left = &items[2];
    assert_eq!(
        keys(left),
        [
            "AbsoluteTime",
            "ContactId",
            "ContentType",
            "DisplayName",
            "Id",
            "ParticipantId",
            "ParticipantRole",
            "Type"
        ]
    );
    assert_eq!(left["ContentType"], LEFT);
    assert_eq!(left["Type"], "EVENT");
    assert_eq!(left["ParticipantId"], chat.customer_participant_id.as_str());
    assert_eq!(left["ParticipantRole"], "CUSTOMER");
    assert_within(time(&left["AbsoluteTime"]), before, after);
    // The agent stays until the chat is ended.
    emulator
        .agent_says(&chat.contact_id, "Are you there?", "text/plain")
        .unwrap();
    assert_eq!(
        emulator
            .connection_token_for(&chat.contact_id)
            .unwrap_err()
            .kind(),
        std::io::ErrorKind::PermissionDenied
    );

    // Answering an empty body instead, as the documentation says the service does.
    let emulator = Emulator::builder()
        .empty_disconnect_body(true)
        .start()
        .unwrap();
    let token = emulator.connection_token();
    let a = op(&emulator, "disconnect", token.expose_secret(), &json!({}));
    assert_eq!(a.status, 200);
    assert_eq!(a.body, b"");
    assert_eq!(a.header("content-length"), Some("0"));
}

#[test]
fn end_chat_adds_chat_ended_and_every_call_is_denied() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let token = connect(&emulator, &chat.participant_token);
    let before = emulator.now();
    emulator.end_chat(&chat.contact_id).unwrap();
    let after = emulator.now();
    for (operation, body) in every_operation() {
        assert_denied(&op(&emulator, operation, &token, &body), operation);
    }
    assert_denied(
        &op(&emulator, "connection", &chat.participant_token, &json!({})),
        "CPC after the end",
    );
    // Ending again changes nothing.
    emulator.end_chat(&chat.contact_id).unwrap();
    let seen = agent_view(&emulator, &chat.contact_id);
    let items = seen["Transcript"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{seen}");
    let ended = &items[2];
    assert_eq!(
        keys(ended),
        ["AbsoluteTime", "ContactId", "ContentType", "Id", "Type"]
    );
    assert_eq!(ended["ContentType"], CHAT_ENDED);
    assert_eq!(ended["Type"], "EVENT");
    assert_eq!(ended["ContactId"], chat.contact_id.as_str());
    assert_within(time(&ended["AbsoluteTime"]), before, after);

    let kind = |e: std::io::Error| e.kind();
    assert_eq!(
        emulator
            .agent_says(&chat.contact_id, "hello?", "text/plain")
            .map_err(kind),
        Err(std::io::ErrorKind::InvalidInput)
    );
    assert_eq!(
        emulator
            .connection_token_for(&chat.contact_id)
            .map(|_| ())
            .map_err(kind),
        Err(std::io::ErrorKind::PermissionDenied)
    );
    for unknown in [
        emulator.end_chat("no-such-contact").map_err(kind),
        emulator
            .agent_says("no-such-contact", "x", "text/plain")
            .map(|_| ())
            .map_err(kind),
        emulator
            .connection_token_for("no-such-contact")
            .map(|_| ())
            .map_err(kind),
    ] {
        assert_eq!(unknown, Err(std::io::ErrorKind::NotFound));
    }
    let start = emulator.start_chat();
    for (content, content_type) in [("", "text/plain"), ("x", ""), ("x", &"t".repeat(101))] {
        assert_eq!(
            emulator
                .agent_says(&start.contact_id, content, content_type)
                .map_err(kind),
            Err(std::io::ErrorKind::InvalidInput)
        );
    }
    // The agent's side may send what a customer may not.
    emulator
        .agent_says(
            &start.contact_id,
            "{}",
            "application/vnd.amazonaws.connect.message.interactive",
        )
        .unwrap();
}

/// A chat with both joined events and messages m1..m5, one emulated second apart.
fn chat_with_five_messages(emulator: &Emulator) -> (StartedChat, String, Vec<String>) {
    let chat = emulator.start_chat();
    let mut ids = Vec::new();
    for n in 1..=5 {
        emulator.advance_clock(Duration::from_secs(1));
        ids.push(
            emulator
                .agent_says(&chat.contact_id, &format!("m{n}"), "text/plain")
                .unwrap(),
        );
    }
    let token = connect(emulator, &chat.participant_token);
    (chat, token, ids)
}

#[test]
fn get_transcript_defaults_and_ordering() {
    let emulator = Emulator::start().unwrap();
    let (chat, token, ids) = chat_with_five_messages(&emulator);
    let all_desc = ["m5", "m4", "m3", "m2", "m1", JOINED, JOINED];
    let page = |body: Value| contents(&transcript(&emulator, &token, &body));

    // Defaults: BACKWARD from the newest, DESCENDING, 10 at most, no NextToken at the end.
    let t = transcript(&emulator, &token, &json!({}));
    assert_eq!(contents(&t), all_desc);
    assert!(t.get("NextToken").is_none(), "{t}");
    assert_eq!(page(json!({"SortOrder": "DESCENDING"})), all_desc);
    assert_eq!(page(json!({"ScanDirection": "BACKWARD"})), all_desc);
    // An empty StartPosition is none (ChatJS sends `{}`).
    assert_eq!(page(json!({"StartPosition": {}})), all_desc);
    assert_eq!(
        page(json!({"StartPosition": {"MostRecent": 0}})),
        all_desc,
        "MostRecent 0 is not set"
    );
    let mut all_asc = all_desc;
    all_asc.reverse();
    assert_eq!(page(json!({"SortOrder": "ASCENDING"})), all_asc);
    // MaxResults 0 is the default 10.
    assert_eq!(page(json!({"MaxResults": 0})), all_desc);
    assert_eq!(page(json!({"MaxResults": 2})), ["m5", "m4"]);
    assert_eq!(
        page(json!({"MaxResults": 2, "SortOrder": "ASCENDING"})),
        ["m4", "m5"]
    );
    // FORWARD from the default start: the newest item alone.
    assert_eq!(page(json!({"ScanDirection": "FORWARD"})), ["m5"]);

    // From an Id: FORWARD by default.
    let from_m2 = json!({"Id": ids[1]});
    assert_eq!(
        page(json!({"StartPosition": from_m2})),
        ["m5", "m4", "m3", "m2"]
    );
    assert_eq!(
        page(json!({"StartPosition": from_m2, "SortOrder": "ASCENDING"})),
        ["m2", "m3", "m4", "m5"]
    );
    assert_eq!(
        page(
            json!({"StartPosition": from_m2, "ScanDirection": "BACKWARD", "SortOrder": "ASCENDING"})
        ),
        [JOINED, JOINED, "m1", "m2"]
    );
    assert_eq!(
        page(json!({"StartPosition": from_m2, "MaxResults": 2, "SortOrder": "ASCENDING"})),
        ["m2", "m3"]
    );

    // From a time: at or after it going forward, at or before it going backward.
    let items = transcript(&emulator, &token, &json!({"SortOrder": "ASCENDING"}));
    let m3_time = items["Transcript"][4]["AbsoluteTime"].as_str().unwrap();
    assert_eq!(items["Transcript"][4]["Content"], "m3");
    assert_eq!(
        page(json!({"StartPosition": {"AbsoluteTime": m3_time}, "SortOrder": "ASCENDING"})),
        ["m3", "m4", "m5"]
    );
    assert_eq!(
        page(json!({"StartPosition": {"AbsoluteTime": m3_time}, "ScanDirection": "BACKWARD"})),
        ["m3", "m2", "m1", JOINED, JOINED]
    );
    let just_before_m3 = Timestamp::from_system_time(
        Timestamp::parse(m3_time).unwrap().to_system_time().unwrap() - Duration::from_millis(1),
    );
    assert_eq!(
        page(
            json!({"StartPosition": {"AbsoluteTime": just_before_m3.as_str()}, "SortOrder": "ASCENDING"})
        ),
        ["m3", "m4", "m5"]
    );
    assert_eq!(
        page(
            json!({"StartPosition": {"AbsoluteTime": just_before_m3.as_str()}, "ScanDirection": "BACKWARD", "MaxResults": 1})
        ),
        ["m2"]
    );
    // A time after the last item: nothing forward; everything backward.
    assert_eq!(
        page(json!({"StartPosition": {"AbsoluteTime": "9999-01-01T00:00:00Z"}})),
        Vec::<String>::new()
    );

    // MostRecent: the n-th newest.
    assert_eq!(
        page(json!({"StartPosition": {"MostRecent": 2}, "SortOrder": "ASCENDING"})),
        ["m4", "m5"]
    );
    assert_eq!(
        page(json!({"StartPosition": {"MostRecent": 100}, "SortOrder": "ASCENDING"})),
        all_asc
    );
    // Id wins over the others.
    assert_eq!(
        page(json!({"StartPosition": {"Id": ids[4], "MostRecent": 3}, "SortOrder": "ASCENDING"})),
        ["m5"]
    );

    // ContactId: this chat's is fine; another's is not this participant's to read.
    assert_eq!(page(json!({"ContactId": chat.contact_id})), all_desc);
    let other = emulator.start_chat();
    assert_denied(
        &op(
            &emulator,
            "transcript",
            &token,
            &json!({"ContactId": other.contact_id}),
        ),
        "another contact",
    );
}

/// Pages through the whole transcript with `base` (plus NextToken): the pages' contents.
fn all_pages(emulator: &Emulator, token: &str, base: &Value, bound: usize) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..bound {
        let mut body = base.clone();
        if let Some(n) = &next {
            body["NextToken"] = json!(n);
        }
        let t = transcript(emulator, token, &body);
        pages.push(contents(&t));
        match t.get("NextToken") {
            None => return pages,
            Some(Value::String(n)) if n.is_empty() => return pages,
            Some(Value::String(n)) => next = Some(n.clone()),
            Some(other) => panic!("NextToken {other}"),
        }
    }
    panic!("no last page within {bound} pages");
}

#[test]
fn paging_reaches_the_end_for_every_page_size() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    for n in 0..23 {
        emulator
            .agent_says(&chat.contact_id, &format!("m{n:02}"), "text/plain")
            .unwrap();
    }
    let token = connect(&emulator, &chat.participant_token);
    let mut oldest_first: Vec<String> = vec![JOINED.into(), JOINED.into()];
    oldest_first.extend((0..23).map(|n| format!("m{n:02}")));
    let newest_first: Vec<String> = oldest_first.iter().rev().cloned().collect();
    let total = oldest_first.len();

    for max in 1..=100usize {
        let scans = [
            (json!({"MaxResults": max}), &newest_first, false),
            (
                json!({"MaxResults": max, "SortOrder": "ASCENDING", "ScanDirection": "FORWARD",
                       "StartPosition": {"MostRecent": 100}}),
                &oldest_first,
                true,
            ),
        ];
        for (base, expected, ascending) in scans {
            let pages = all_pages(&emulator, &token, &base, total + 1);
            assert_eq!(pages.len(), total.div_ceil(max), "{base}");
            for page in &pages {
                assert!(!page.is_empty() && page.len() <= max, "{base}");
                // Each page is in its sort order.
                let mut sorted = page.clone();
                sorted.sort();
                if !ascending {
                    sorted.reverse();
                }
                if page.iter().all(|c| c != JOINED) {
                    assert_eq!(page, &sorted, "{base}");
                }
            }
            // ASCENDING pages scanned FORWARD go oldest to newest, each page oldest first;
            // DESCENDING pages scanned BACKWARD go newest to oldest, each newest first.
            // Either way the pages laid end to end are `expected`, and every page is the
            // next run of it in the order its branch names.
            let mut at = 0;
            for page in &pages {
                let run = &expected[at..at + page.len()];
                assert_eq!(page.as_slice(), run, "{base}");
                let (first, last) = (&page[0], &page[page.len() - 1]);
                let (i, j) = (
                    oldest_first.iter().position(|c| c == first).unwrap(),
                    oldest_first.iter().rposition(|c| c == last).unwrap(),
                );
                if page.len() > 1 && first != last {
                    assert_eq!(i < j, ascending, "{base}: {page:?}");
                }
                at += page.len();
            }
            assert_eq!(at, total, "{base}");
        }
    }

    // A backward scan sorted ASCENDING: each page oldest first, pages from the newest.
    let pages = all_pages(
        &emulator,
        &token,
        &json!({"MaxResults": 10, "SortOrder": "ASCENDING"}),
        10,
    );
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0], oldest_first[15..]);
    assert_eq!(pages[1], oldest_first[5..15]);
    assert_eq!(pages[2], oldest_first[..5]);

    // A NextToken of another chat is refused.
    let other = emulator.start_chat();
    for _ in 0..3 {
        emulator
            .agent_says(&other.contact_id, "x", "text/plain")
            .unwrap();
    }
    let other_token = connect(&emulator, &other.participant_token);
    let t = transcript(&emulator, &other_token, &json!({"MaxResults": 1}));
    let foreign = t["NextToken"].as_str().unwrap();
    assert_validation(
        &op(
            &emulator,
            "transcript",
            &token,
            &json!({"NextToken": foreign}),
        ),
        "nextToken",
        "foreign NextToken",
    );

    // The service's empty NextToken on the last page, when asked for.
    let emulator = Emulator::builder()
        .empty_next_token_on_last_page(true)
        .start()
        .unwrap();
    let token = emulator.connection_token();
    let t = transcript(&emulator, token.expose_secret(), &json!({"MaxResults": 1}));
    assert_eq!(contents(&t), [JOINED]);
    let next = t["NextToken"].as_str().unwrap();
    assert!(!next.is_empty());
    let t = transcript(
        &emulator,
        token.expose_secret(),
        &json!({"MaxResults": 1, "NextToken": next}),
    );
    assert_eq!(contents(&t), [JOINED]);
    assert_eq!(t["NextToken"], "");
}

#[test]
fn chats_and_items_are_bounded() {
    let emulator = Emulator::builder()
        .max_chats(2)
        .max_items_per_chat(3)
        .start()
        .unwrap();
    let first = emulator.start_chat();
    let first_token = connect(&emulator, &first.participant_token);
    let second = emulator.start_chat();
    for n in 0..5 {
        emulator
            .agent_says(&second.contact_id, &format!("m{n}"), "text/plain")
            .unwrap();
    }
    let token = connect(&emulator, &second.participant_token);
    assert_eq!(
        contents(&transcript(
            &emulator,
            &token,
            &json!({"SortOrder": "ASCENDING"})
        )),
        ["m2", "m3", "m4"]
    );
    // A repeat of a forgotten message's client token is a new message.
    let body = json!({"ClientToken": "c", "Content": "mine", "ContentType": "text/plain"});
    let id = op(&emulator, "message", &token, &body).json()["Id"].clone();
    for n in 0..3 {
        emulator
            .agent_says(&second.contact_id, &format!("later{n}"), "text/plain")
            .unwrap();
    }
    assert_ne!(op(&emulator, "message", &token, &body).json()["Id"], id);

    // A third chat forgets the first, with its tokens.
    emulator.start_chat();
    assert_denied(
        &op(&emulator, "transcript", &first_token, &json!({})),
        "forgotten chat",
    );
    assert_denied(
        &op(
            &emulator,
            "connection",
            &first.participant_token,
            &json!({}),
        ),
        "forgotten chat",
    );
    assert_eq!(
        emulator.end_chat(&first.contact_id).unwrap_err().kind(),
        std::io::ErrorKind::NotFound
    );
    assert_eq!(op(&emulator, "transcript", &token, &json!({})).status, 200);
}

#[test]
fn control_path_starts_chats_lets_the_agent_speak_and_ends_them() {
    let emulator = Emulator::start().unwrap();
    let addr = emulator.addr();
    let a = call(addr, "POST", "/emulator/chats", None, "");
    assert_eq!(a.status, 200, "{}", a.text());
    let started = a.json();
    assert_eq!(keys(&started), ["ContactId", "ParticipantToken"]);
    let contact_id = started["ContactId"].as_str().unwrap();
    let participant_token = started["ParticipantToken"].as_str().unwrap();
    assert_eq!(contact_id.len(), 36);
    assert!(
        participant_token.starts_with("QVFJREFI")
            && participant_token.bytes().all(|b| b.is_ascii_graphic())
            && (100..=300).contains(&participant_token.len())
    );
    let token = op(
        &emulator,
        "connection",
        participant_token,
        &json!({"Type": ["CONNECTION_CREDENTIALS"]}),
    )
    .json()["ConnectionCredentials"]["ConnectionToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let body = json!({"Content": "Hi, I am the agent", "ContentType": "text/plain"}).to_string();
    let a = call(
        addr,
        "POST",
        &format!("/emulator/chats/{contact_id}/messages"),
        None,
        &body,
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let said = a.json();
    assert_eq!(keys(&said), ["AbsoluteTime", "Id"]);
    let t = transcript(&emulator, &token, &json!({"MaxResults": 1}));
    assert_eq!(t["Transcript"][0]["Id"], said["Id"]);
    assert_eq!(t["Transcript"][0]["Content"], "Hi, I am the agent");
    assert_eq!(t["Transcript"][0]["ParticipantRole"], "AGENT");
    assert_eq!(t["Transcript"][0]["DisplayName"], "Agent");
    assert_eq!(t["Transcript"][0]["AbsoluteTime"], said["AbsoluteTime"]);

    let bad = [
        ("{}", 400),
        (r#"{"Content":"","ContentType":"text/plain"}"#, 400),
        ("not json", 400),
    ];
    for (body, status) in bad {
        let a = call(
            addr,
            "POST",
            &format!("/emulator/chats/{contact_id}/messages"),
            None,
            body,
        );
        assert_eq!(a.status, status, "{body}");
        assert!(a.json()["message"].is_string());
    }

    let a = call(
        addr,
        "POST",
        &format!("/emulator/chats/{contact_id}/end"),
        None,
        "",
    );
    assert_eq!((a.status, a.text()), (200, "{}".to_owned()));
    assert_denied(&op(&emulator, "transcript", &token, &json!({})), "ended");
    let view = agent_view(&emulator, contact_id);
    assert_eq!(view["InitialContactId"], contact_id);
    assert_eq!(
        contents(&view),
        [JOINED, JOINED, "Hi, I am the agent", CHAT_ENDED]
    );

    // Unknown contacts and paths: 404 with a JSON message.
    for (method, path) in [
        ("POST", "/emulator/chats/no-such-contact/messages"),
        ("POST", "/emulator/chats/no-such-contact/end"),
        ("GET", "/emulator/chats/no-such-contact/transcript"),
        ("POST", "/emulator/chats/x/y/z"),
        ("POST", "/emulator/nothing"),
        ("GET", "/emulator/chats"),
    ] {
        let a = call(
            addr,
            method,
            path,
            None,
            r#"{"Content":"x","ContentType":"text/plain"}"#,
        );
        assert_eq!(a.status, 404, "{method} {path}");
        assert_eq!(a.header("content-type"), Some("application/json"));
        assert!(a.json()["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn every_answer_allows_browser_pages_and_preflights_are_answered() {
    let emulator = Emulator::start().unwrap();
    let addr = emulator.addr();
    for path in ["/participant/message", "/emulator/chats", "/anything"] {
        let a = call(addr, "OPTIONS", path, None, "");
        assert_eq!(a.status, 204, "{path}");
        assert_eq!(a.body, b"");
        assert_eq!(a.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            a.header("access-control-allow-methods"),
            Some("GET, POST, OPTIONS")
        );
        assert_eq!(
            a.header("access-control-allow-headers"),
            Some(
                "content-type, x-amz-bearer, amz-sdk-invocation-id, amz-sdk-request, \
                 x-amz-user-agent, authorization, x-amz-date, x-amz-security-token, \
                 x-amz-content-sha256"
            )
        );
        assert_eq!(a.header("access-control-max-age"), Some("86400"));
    }
    let token = emulator.connection_token();
    let answers = [
        call(addr, "POST", "/emulator/chats", None, ""),
        op(&emulator, "transcript", token.expose_secret(), &json!({})),
        op(&emulator, "transcript", "unknown", &json!({})),
        op(
            &emulator,
            "transcript",
            token.expose_secret(),
            &json!({"MaxResults": 500}),
        ),
        call(addr, "POST", "/emulator/chats/nope/end", None, ""),
        call(addr, "GET", "/participant/nothing", None, ""),
    ];
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [200, 200, 403, 400, 404, 404]);
    for a in &answers {
        assert_eq!(a.header("access-control-allow-origin"), Some("*"), "{a:?}");
        assert_eq!(
            a.header("access-control-expose-headers"),
            Some("x-amzn-RequestId, x-amzn-ErrorType"),
            "{a:?}"
        );
    }
    // A request that cannot be read is answered likewise.
    let raw = String::from_utf8(exchange(addr, b"NOT HTTP AT ALL\r\n\r\n")).unwrap();
    assert!(raw.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{raw}");
    assert!(
        raw.contains("\r\nAccess-Control-Allow-Origin: *\r\n"),
        "{raw}"
    );
}

#[test]
fn a_chosen_port_is_served_and_url_is_the_endpoint_url() {
    // A port the system has just handed out and taken back. Another process may take it
    // between our probe and the emulator's bind (nothing can reserve it for us), so a bind
    // that finds it in use tries another free port, a bounded number of times.
    let mut bound = None;
    for _ in 0..10 {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        match Emulator::builder().port(port).start() {
            Ok(emulator) => {
                bound = Some((emulator, port));
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {}
            Err(e) => panic!("{e}"),
        }
    }
    let (emulator, port) = bound.expect("one of 10 free ports could be bound");
    assert_eq!(emulator.addr().port(), port);
    assert_eq!(emulator.url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(emulator.url(), emulator.endpoint_url());
    assert_eq!(
        call(emulator.addr(), "POST", "/emulator/chats", None, "").status,
        200
    );
    // The port is taken while it serves.
    let e = Emulator::builder().port(port).start().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse);
}

/// The control path's POSTs take `Content-Type: application/json` only (415 otherwise):
/// a browser must then ask first (a CORS preflight), so an HTML form or a simple
/// cross-site request cannot start, speak in or end a chat.
#[test]
fn control_posts_require_a_json_content_type() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let raw = |path: &str, content_type: Option<&str>| -> (u16, String) {
        let body = r#"{"Content":"hi","ContentType":"text/plain"}"#;
        let request_line = format!("POST {path} HTTP/1.1");
        let length = format!("Content-Length: {}", body.len());
        let content_type = content_type.map(|t| format!("Content-Type: {t}"));
        let mut lines = vec![
            request_line.as_str(),
            "Host: x",
            "Connection: close",
            length.as_str(),
        ];
        lines.extend(content_type.as_deref());
        let mut request = head(&lines);
        request.extend_from_slice(body.as_bytes());
        let answer = String::from_utf8(exchange(emulator.addr(), &request)).unwrap();
        (answer[9..12].parse().unwrap(), answer)
    };
    let paths = [
        "/emulator/chats".to_owned(),
        format!("/emulator/chats/{}/messages", chat.contact_id),
        format!("/emulator/chats/{}/end", chat.contact_id),
    ];
    for path in &paths {
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonp"),
        ] {
            let (status, answer) = raw(path, content_type);
            assert_eq!(status, 415, "{path} {content_type:?}: {answer}");
            assert!(
                answer.contains("Access-Control-Allow-Origin: *"),
                "{answer}"
            );
        }
    }
    // Nothing happened: no chat started, no message, the chat not ended.
    let view = agent_view(&emulator, &chat.contact_id);
    assert_eq!(view["Transcript"].as_array().unwrap().len(), 2, "{view}");
    // A JSON type, with parameters or in another case, is taken.
    for (path, content_type) in paths.iter().zip([
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/json",
    ]) {
        let (status, answer) = raw(path, Some(content_type));
        assert_eq!(status, 200, "{path}: {answer}");
    }
}
