//! Idempotency as the service keys it: the same `ClientToken` with the same request is a
//! retry (the first answer, recorded once); the same token with another request is a new
//! message, event or attachment.
//!
//! chatjs sends every read receipt with the one `ClientToken` "INCOMING_READ_RECEIPT" and
//! every delivered receipt with "INCOMING_DELIVERED_RECEIPT" (amazon-connect-chatjs at
//! 667598eb, `src/core/chatController.js`): it binds
//! `this.sendEventIfChatHasNotEnded`, which calls
//! `this.chatClient.sendEvent(...args)`, to
//! `prioritizeAndSendMessageReceipt(this.chatClient, ..., connectionToken,
//! args.contentType, content, eventType, GlobalConfig.getMessageReceiptsThrottleTime())`,
//! and `src/client/client.js` reads those as
//! `sendEvent(connectionToken, contentType, content, clientToken)`: the fourth,
//! `eventType`, one of `CHAT_EVENTS.INCOMING_READ_RECEIPT: "INCOMING_READ_RECEIPT"` and
//! `INCOMING_DELIVERED_RECEIPT: "INCOMING_DELIVERED_RECEIPT"` (`src/constants.js`), is
//! the `ClientToken` of every receipt.

use connect_participant::emulator::Emulator;
use serde_json::{Value, json};

use super::{keys, transcript};
use crate::support::content_type::{DELIVERED, READ, TYPING};
use crate::support::raw::{connect, op};

/// A 200 answer's body, with exactly `AbsoluteTime` and `Id`.
fn answered(emulator: &Emulator, what: &str, token: &str, body: &Value) -> Value {
    let a = op(emulator, what, token, body);
    assert_eq!(a.status, 200, "{body}: {}", a.text());
    let answer = a.json();
    assert_eq!(keys(&answer), ["AbsoluteTime", "Id"]);
    answer
}

/// A receipt as chatjs sends it.
fn receipt(content_type: &str, message_id: &str) -> Value {
    let client_token = if content_type == READ {
        "INCOMING_READ_RECEIPT"
    } else {
        "INCOMING_DELIVERED_RECEIPT"
    };
    json!({
        "ClientToken": client_token,
        "Content": json!({"messageId": message_id}).to_string(),
        "ContentType": content_type,
    })
}

#[test]
fn chatjs_receipts_with_one_token_are_each_recorded_and_a_retry_is_the_first() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let ids: Vec<String> = ["one", "two", "three"]
        .iter()
        .map(|m| {
            emulator
                .agent_says(&chat.contact_id, m, "text/plain")
                .unwrap()
        })
        .collect();
    let token = connect(&emulator, &chat.participant_token);
    let mut answers = Vec::new();
    for kind in [DELIVERED, READ] {
        for id in &ids {
            answers.push(answered(&emulator, "event", &token, &receipt(kind, id)));
        }
    }
    // Six receipts, six events, each with its own Id.
    let events = emulator.events();
    assert_eq!(events.len(), 6);
    let mut seen: Vec<&str> = answers.iter().map(|a| a["Id"].as_str().unwrap()).collect();
    for (event, answer) in events.iter().zip(&answers) {
        assert_eq!(event.id, answer["Id"].as_str().unwrap());
        assert_eq!(
            event.absolute_time,
            answer["AbsoluteTime"].as_str().unwrap()
        );
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 6);
    for (i, kind) in [DELIVERED, READ].into_iter().enumerate() {
        for (j, id) in ids.iter().enumerate() {
            let event = &events[3 * i + j];
            assert_eq!(event.content_type, kind);
            assert_eq!(event.content, Some(json!({"messageId": id}).to_string()));
        }
    }
    // A retry of the first read receipt after the third: the first answer, not recorded.
    let again = answered(&emulator, "event", &token, &receipt(READ, &ids[0]));
    assert_eq!(again, answers[3]);
    let again = answered(&emulator, "event", &token, &receipt(DELIVERED, &ids[0]));
    assert_eq!(again, answers[0]);
    assert_eq!(emulator.events().len(), 6);

    // Each message holds its own receipt, at its own receipts' times.
    let t = transcript(&emulator, &token, &json!({"SortOrder": "ASCENDING"}));
    let items = t["Transcript"].as_array().unwrap();
    let messages: Vec<&Value> = items.iter().filter(|i| i["Type"] == "MESSAGE").collect();
    assert_eq!(messages.len(), 3, "{t}");
    for (j, message) in messages.iter().enumerate() {
        assert_eq!(message["Id"], ids[j].as_str());
        assert_eq!(
            message["MessageMetadata"],
            json!({
                "MessageId": ids[j],
                "Receipts": [{
                    "DeliveredTimestamp": answers[j]["AbsoluteTime"],
                    "ReadTimestamp": answers[3 + j]["AbsoluteTime"],
                    "RecipientParticipantId": chat.customer_participant_id,
                }],
            })
        );
    }
}

#[test]
fn send_message_with_one_token_and_other_content_is_another_message() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let token = connect(&emulator, &chat.participant_token);
    let body = |content: &str, content_type: &str| json!({"ClientToken": "same", "Content": content, "ContentType": content_type});
    let first = answered(&emulator, "message", &token, &body("hi", "text/plain"));
    let second = answered(&emulator, "message", &token, &body("there", "text/plain"));
    // The same content of another type is another request too.
    let third = answered(&emulator, "message", &token, &body("hi", "text/markdown"));
    assert_ne!(first["Id"], second["Id"]);
    assert_ne!(first["Id"], third["Id"]);
    assert_ne!(second["Id"], third["Id"]);
    // Retries of each, after the others: their first answers, recorded once.
    assert_eq!(
        answered(&emulator, "message", &token, &body("hi", "text/plain")),
        first
    );
    assert_eq!(
        answered(&emulator, "message", &token, &body("there", "text/plain")),
        second
    );
    assert_eq!(
        answered(&emulator, "message", &token, &body("hi", "text/markdown")),
        third
    );
    let t = transcript(&emulator, &token, &json!({"SortOrder": "ASCENDING"}));
    let messages: Vec<(&Value, &Value, &Value)> = t["Transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["Type"] == "MESSAGE")
        .map(|i| (&i["Id"], &i["Content"], &i["ContentType"]))
        .collect();
    assert_eq!(
        messages,
        [
            (&first["Id"], &json!("hi"), &json!("text/plain")),
            (&second["Id"], &json!("there"), &json!("text/plain")),
            (&third["Id"], &json!("hi"), &json!("text/markdown")),
        ]
    );
}

#[test]
fn send_event_with_one_token_and_another_type_or_content_is_another_event() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let token = connect(&emulator, &chat.participant_token);
    let typing = json!({"ClientToken": "t", "ContentType": TYPING});
    let with_content = json!({"ClientToken": "t", "Content": "{}", "ContentType": TYPING});
    let read = receipt(READ, "m-1");
    let read = json!({"ClientToken": "t", "Content": read["Content"], "ContentType": READ});
    let answers: Vec<Value> = [&typing, &with_content, &read]
        .iter()
        .map(|b| answered(&emulator, "event", &token, b))
        .collect();
    assert_eq!(emulator.events().len(), 3);
    for (b, first) in [&typing, &with_content, &read].iter().zip(&answers) {
        assert_eq!(&answered(&emulator, "event", &token, b), first);
    }
    let events = emulator.events();
    assert_eq!(events.len(), 3);
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    let answered_ids: Vec<&str> = answers.iter().map(|a| a["Id"].as_str().unwrap()).collect();
    assert_eq!(ids, answered_ids);
    assert_eq!(
        events
            .iter()
            .map(|e| e.content.as_deref())
            .collect::<Vec<_>>(),
        [None, Some("{}"), read["Content"].as_str()]
    );
}

#[test]
fn start_attachment_upload_with_one_token_and_another_file_is_another_attachment() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let token = connect(&emulator, &chat.participant_token);
    let start = |name: &str, size: usize, content_type: &str| {
        let body = json!({
            "AttachmentName": name,
            "AttachmentSizeInBytes": size,
            "ClientToken": "same",
            "ContentType": content_type,
        });
        let a = op(&emulator, "start-attachment-upload", &token, &body);
        assert_eq!(a.status, 200, "{body}: {}", a.text());
        a.json()
    };
    let files = [
        ("a.txt", 3, "text/plain"),
        ("b.txt", 3, "text/plain"),
        ("a.txt", 4, "text/plain"),
        ("a.txt", 3, "text/csv"),
    ];
    let answers: Vec<Value> = files.iter().map(|&(n, s, c)| start(n, s, c)).collect();
    let mut ids: Vec<&Value> = answers.iter().map(|a| &a["AttachmentId"]).collect();
    ids.sort_by_key(|v| v.as_str().unwrap().to_owned());
    ids.dedup();
    assert_eq!(ids.len(), 4, "{answers:?}");
    // Each retried after the others: its own first answer, with the same URL.
    for (&(n, s, c), first) in files.iter().zip(&answers) {
        assert_eq!(&start(n, s, c), first);
    }
}
