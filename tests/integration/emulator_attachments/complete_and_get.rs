//! CompleteAttachmentUpload, the attachment item it adds, and GetAttachment's download URL.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use serde_json::{Value, json};

use super::{Expect, complete, completed, customer, get, get_attachment, started, transcript};
use crate::support::raw::{connect, op};
use crate::support::ws::{SUBSCRIBE, next_text, open};

#[test]
fn complete_needs_the_whole_upload_adds_an_attachment_item_and_is_idempotent() {
    let emulator = Emulator::start().unwrap();
    let (chat, token) = customer(&emulator);
    let up = started(&emulator, &token, "notes.txt", 5);
    // Before the upload: not whole.
    let m = complete(&emulator, &token, &up.id, "c1").assert_error(400, "ValidationException");
    assert!(m.contains("not been uploaded whole"), "{m}");
    // Unknown id, another chat's id.
    let m = complete(&emulator, &token, "nope", "c1").assert_error(400, "ValidationException");
    assert!(m.contains("'attachmentIds'"), "{m}");
    let (_, other_token) = customer(&emulator);
    let theirs = started(&emulator, &other_token, "x.txt", 1);
    assert_eq!(theirs.put(&emulator, b"x").status, 200);
    complete(&emulator, &token, &theirs.id, "c1").assert_error(400, "ValidationException");

    assert_eq!(up.put(&emulator, b"hello").status, 200);
    let before = emulator.now();
    let a = complete(&emulator, &token, &up.id, "c1");
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.text(), "{}");
    // Once in the transcript, from the customer, with no content or content type.
    let items = transcript(&emulator, &token);
    let attachments: Vec<&Value> = items.iter().filter(|i| i["Type"] == "ATTACHMENT").collect();
    assert_eq!(attachments.len(), 1);
    let item = attachments[0];
    let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "AbsoluteTime",
            "Attachments",
            "ContactId",
            "DisplayName",
            "Id",
            "ParticipantId",
            "ParticipantRole",
            "Type"
        ]
    );
    assert_eq!(
        item["Attachments"],
        json!([{
            "ContentType": "text/plain",
            "AttachmentId": up.id,
            "AttachmentName": "notes.txt",
            "Status": "APPROVED",
        }])
    );
    assert_eq!(item["ParticipantId"], chat.customer_participant_id.as_str());
    assert_eq!(item["DisplayName"], "Customer");
    assert_eq!(item["ParticipantRole"], "CUSTOMER");
    assert_eq!(item["ContactId"], chat.contact_id.as_str());
    assert_eq!(item["Id"].as_str().unwrap().len(), 36);
    let at = connect_participant::Timestamp::parse(item["AbsoluteTime"].as_str().unwrap())
        .unwrap()
        .to_system_time()
        .unwrap();
    assert!(at + Duration::from_millis(1) >= before);

    // The same client token again: {}, and no second item. Another: 409.
    assert_eq!(complete(&emulator, &token, &up.id, "c1").text(), "{}");
    let m = complete(&emulator, &token, &up.id, "c2").assert_error(409, "ConflictException");
    assert!(m.contains("already"), "{m}");
    let items = transcript(&emulator, &token);
    assert_eq!(
        items.iter().filter(|i| i["Type"] == "ATTACHMENT").count(),
        1
    );
    // The URL takes no more bodies once complete.
    up.put(&emulator, b"again")
        .assert_s3_error(403, "AccessDenied", "completed");
}

#[test]
fn complete_checks_its_members() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = customer(&emulator);
    let cases = [
        (
            json!({"ClientToken": "c"}),
            "'attachmentIds'",
            "must not be null",
        ),
        (
            json!({"AttachmentIds": [], "ClientToken": "c"}),
            "'attachmentIds'",
            "between 1 and 1",
        ),
        (
            json!({"AttachmentIds": ["a", "b"], "ClientToken": "c"}),
            "'attachmentIds'",
            "between 1 and 1",
        ),
        (
            json!({"AttachmentIds": [""], "ClientToken": "c"}),
            "'attachmentIds.member'",
            "between 1 and 256",
        ),
        (
            json!({"AttachmentIds": ["a".repeat(257)], "ClientToken": "c"}),
            "'attachmentIds.member'",
            "between 1 and 256",
        ),
        (
            json!({"AttachmentIds": ["a"]}),
            "'clientToken'",
            "must not be null",
        ),
        (
            json!({"AttachmentIds": ["a"], "ClientToken": ""}),
            "'clientToken'",
            "between 1 and 500",
        ),
    ];
    for (body, member, rule) in cases {
        let a = op(&emulator, "complete-attachment-upload", &token, &body);
        let m = a.assert_error(400, "ValidationException");
        assert!(m.contains(member) && m.contains(rule), "{body}: {m}");
    }
}

#[cfg(feature = "websocket")]
#[test]
fn the_attachment_item_is_pushed_over_the_websocket_like_other_items() {
    let emulator = Emulator::start().unwrap();
    let (chat, token) = customer(&emulator);
    let a = op(
        &emulator,
        "connection",
        &chat.participant_token,
        &json!({"Type": ["WEBSOCKET"]}),
    );
    let url = a.json()["Websocket"]["Url"].as_str().unwrap().to_owned();
    let mut ws = open(&url).unwrap();
    ws.send(tungstenite::Message::text(SUBSCRIBE)).unwrap();
    assert!(next_text(&mut ws).contains("success"));
    let up = started(&emulator, &token, "pic.png", 3);
    assert_eq!(up.put(&emulator, b"png").status, 200);
    assert_eq!(complete(&emulator, &token, &up.id, "c").status, 200);
    let frame = next_text(&mut ws);
    let items = transcript(&emulator, &token);
    let item = items.iter().find(|i| i["Type"] == "ATTACHMENT").unwrap();
    assert_eq!(
        frame,
        emulator
            .websocket_frame(&chat.contact_id, item["Id"].as_str().unwrap())
            .unwrap()
    );
    let envelope: Value = serde_json::from_str(&frame).unwrap();
    let pushed: Value = serde_json::from_str(envelope["content"].as_str().unwrap()).unwrap();
    assert_eq!(pushed["Attachments"], item["Attachments"]);
    assert_eq!(pushed["InitialContactId"], chat.contact_id.as_str());
}

#[test]
fn get_attachment_answers_a_download_url_in_both_dispositions() {
    let emulator = Emulator::start().unwrap();
    let (_, token, id) = completed(&emulator, "photo 1.png", b"\x89PNG bytes");
    let before = emulator.now();
    let a = get_attachment(&emulator, &token, &json!({"AttachmentId": id}));
    assert_eq!(a.status, 200, "{}", a.text());
    let v = a.json();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["AttachmentSizeInBytes", "Url", "UrlExpiry"]);
    assert_eq!(v["AttachmentSizeInBytes"], 10);
    let url = v["Url"].as_str().unwrap();
    let secret = url
        .strip_prefix(&format!("http://{}/emulator/downloads/", emulator.addr()))
        .unwrap();
    assert_eq!(secret.len(), 64);
    // 300 s by default, written without milliseconds.
    let expiry = connect_participant::Timestamp::parse(v["UrlExpiry"].as_str().unwrap())
        .unwrap()
        .to_system_time()
        .unwrap();
    let ahead = expiry.duration_since(before).unwrap_or_default();
    assert!(ahead > Duration::from_secs(298) && ahead <= Duration::from_secs(301));

    let d = get(&emulator, url, &[]);
    assert_eq!(d.status, 200);
    assert_eq!(d.body, b"\x89PNG bytes");
    assert_eq!(d.header("content-type"), Some("text/plain"));
    assert_eq!(
        d.header("content-disposition"),
        Some("attachment; filename=\"photo 1.png\"")
    );
    assert_eq!(d.header("content-length"), Some("10"));

    let a = get_attachment(
        &emulator,
        &token,
        &json!({"AttachmentId": id, "UrlContentDisposition": "INLINE", "UrlExpiryInSeconds": 60}),
    );
    let d = get(&emulator, a.json()["Url"].as_str().unwrap(), &[]);
    assert_eq!(
        d.header("content-disposition"),
        Some("inline; filename=\"photo 1.png\"")
    );
    assert_eq!(d.body, b"\x89PNG bytes");
    let a = get_attachment(
        &emulator,
        &token,
        &json!({"AttachmentId": id, "UrlContentDisposition": "ATTACHMENT"}),
    );
    let d = get(&emulator, a.json()["Url"].as_str().unwrap(), &[]);
    assert!(
        d.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
}

#[test]
fn get_attachment_checks_members_and_refuses_unknown_uncompleted_and_other_chats() {
    let emulator = Emulator::start().unwrap();
    let (_, token, id) = completed(&emulator, "a.txt", b"abc");
    let cases = [
        (json!({}), "'attachmentId'", "must not be null"),
        (
            json!({"AttachmentId": ""}),
            "'attachmentId'",
            "between 1 and 256",
        ),
        (
            json!({"AttachmentId": "a".repeat(257)}),
            "'attachmentId'",
            "between 1 and 256",
        ),
        (
            json!({"AttachmentId": id, "UrlExpiryInSeconds": 4}),
            "'urlExpiryInSeconds'",
            "between 5 and 300",
        ),
        (
            json!({"AttachmentId": id, "UrlExpiryInSeconds": 301}),
            "'urlExpiryInSeconds'",
            "between 5 and 300",
        ),
        (
            json!({"AttachmentId": id, "UrlContentDisposition": "inline"}),
            "'urlContentDisposition'",
            "enum value set",
        ),
        (
            json!({"AttachmentId": "unknown"}),
            "'attachmentId'",
            "completed attachment of this chat",
        ),
    ];
    for (body, member, rule) in cases {
        let a = get_attachment(&emulator, &token, &body);
        let m = a.assert_error(400, "ValidationException");
        assert!(m.contains(member) && m.contains(rule), "{body}: {m}");
    }
    for secs in [5, 300] {
        let a = get_attachment(
            &emulator,
            &token,
            &json!({"AttachmentId": id, "UrlExpiryInSeconds": secs}),
        );
        assert_eq!(a.status, 200, "{}", a.text());
    }
    // Another chat's attachment, and one started and uploaded but not completed.
    let (_, other) = customer(&emulator);
    get_attachment(&emulator, &other, &json!({"AttachmentId": id}))
        .assert_error(400, "ValidationException");
    let up = started(&emulator, &other, "b.txt", 1);
    assert_eq!(up.put(&emulator, b"b").status, 200);
    get_attachment(&emulator, &other, &json!({"AttachmentId": up.id}))
        .assert_error(400, "ValidationException");
}

#[cfg(feature = "websocket")]
#[test]
fn a_custom_bot_may_not_get_attachments() {
    let emulator = Emulator::start().unwrap();
    let (chat, _, id) = completed(&emulator, "a.txt", b"abc");
    let bot = emulator
        .add_participant(&chat.contact_id, "CUSTOM_BOT", "Bot")
        .unwrap();
    let bot_token = connect(&emulator, &bot);
    let a = get_attachment(&emulator, &bot_token, &json!({"AttachmentId": id}));
    assert_eq!(
        a.assert_error(403, "AccessDeniedException"),
        "Access denied"
    );
    // Even for an id it could not have: the role is checked first.
    get_attachment(&emulator, &bot_token, &json!({"AttachmentId": "x"}))
        .assert_error(403, "AccessDeniedException");
    // The agent's side (another role) may.
    let agent = emulator
        .add_participant(&chat.contact_id, "AGENT", "Agent 2")
        .unwrap();
    let agent_token = connect(&emulator, &agent);
    let a = get_attachment(&emulator, &agent_token, &json!({"AttachmentId": id}));
    assert_eq!(a.status, 200, "{}", a.text());
}

#[test]
fn uploaded_bytes_count_in_max_kept_bytes_and_the_oldest_are_forgotten_first() {
    let emulator = Emulator::builder().max_kept_bytes(250_000).start().unwrap();
    let (_, token) = customer(&emulator);
    let first = started(&emulator, &token, "one", 100_000);
    let second = started(&emulator, &token, "two", 100_000);
    let third = started(&emulator, &token, "three", 100_000);
    assert_eq!(first.put(&emulator, &[1; 100_000]).status, 200);
    assert_eq!(second.put(&emulator, &[2; 100_000]).status, 200);
    assert!(emulator.kept_bytes() <= 250_000);
    assert_eq!(third.put(&emulator, &[3; 100_000]).status, 200);
    assert!(
        emulator.kept_bytes() <= 250_000,
        "{}",
        emulator.kept_bytes()
    );
    assert_eq!(emulator.attachment(&first.id), None);
    assert_eq!(emulator.attachment(&second.id).unwrap(), vec![2; 100_000]);
    assert_eq!(emulator.attachment(&third.id).unwrap(), vec![3; 100_000]);
    // A forgotten upload cannot be completed until it is uploaded again.
    complete(&emulator, &token, &first.id, "c").assert_error(400, "ValidationException");
}
