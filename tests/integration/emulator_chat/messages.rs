//! Messages and receipts in the transcript, a participant disconnecting, the chat ending.

use connect_participant::emulator::Emulator;
use serde_json::json;

use super::{
    agent_view, assert_denied, assert_within, contents, every_operation, keys, time, transcript,
};
use crate::support::content_type::{CHAT_ENDED, DELIVERED, JOINED, LEFT, READ, TYPING};
use crate::support::raw::{connect, op};

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
    // The agent's side may send what a customer may not (a template, here).
    emulator
        .agent_says(
            &start.contact_id,
            r#"{"templateType":"QuickReply"}"#,
            "application/vnd.amazonaws.connect.message.interactive",
        )
        .unwrap();
}
