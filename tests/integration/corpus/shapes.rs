//! The emulator's answers and frames against the corpus's, by shape, not value: every
//! member a corpus answer or frame has, the emulator's answer to the same operation (or its
//! frame of the same kind) has too, with the same JSON type. What the emulator lacks is a
//! failure, unless [`NOT_EXPECTED`] says why it need not have it.

use std::collections::BTreeMap;
use std::io::Cursor;

use connect_participant::emulator::Emulator;
use connect_participant::{ConnectionToken, UploadAttachmentRequest};
use serde_json::{Value, json};
use tungstenite::Message;

use super::{files, json as corpus};
use crate::support::raw;
use crate::support::ws::{self, next_text};

/// A member of the corpus the emulator need not have: the files it is in (by name
/// prefix), the member (a path, or a path prefix ending in `.`), and why. Each must excuse
/// at least one difference, so that the list stays true.
type Excuse = (&'static str, &'static str, &'static str);

/// The answers' members the emulator need not have.
const ANSWERS_NOT_EXPECTED: &[Excuse] = &[
    (
        "get-transcript-chatjs-receipts-spec",
        ".Transcript[].MessageMetadata.Receipts[].DeliverTimestamp",
        "a misspelling in ChatJS's MessageReceiptsUtil.spec.js fixture; not a member of the model",
    ),
    (
        "create-participant-connection-",
        ".WebRTCConnection",
        "WebRTC calls: the emulator is a chat, and answers no WEBRTC_CONNECTION",
    ),
    (
        "get-transcript-",
        ".Transcript[].RelatedContactId",
        "persistent chat only (the past contact an item came from)",
    ),
    (
        "",
        ".MessageProcessingStatus",
        "only where a message processor is set up (PROCESSING, FAILED, REJECTED; model since \
         2025-12-01); a plain chat has none",
    ),
    (
        "send-message-",
        ".MessageMetadata",
        "MessageProcessingMetadata, whose one member is MessageProcessingStatus (above)",
    ),
];

/// The frames' members the emulator need not have.
const FRAMES_NOT_EXPECTED: &[Excuse] = &[
    (
        "ios-",
        ".content→.Content",
        "the iOS tests fill one template with Content for every kind; events carry none",
    ),
    (
        "ios-chat-ended",
        ".content→.",
        "the iOS template's sender on chat.ended (ParticipantId, DisplayName, \
         ParticipantRole): the service ends the chat, no participant does",
    ),
    (
        "ios-message-metadata",
        ".content→.MessageMetadata.Receipts[].DeliveredTimestamp",
        "the emulator pushes a read receipt with its ReadTimestamp alone; the iOS fixture's \
         has a DeliveredTimestamp equal to it. Whether the service adds one: UNCONFIRMED \
         (one template fixture), so reported, not changed",
    ),
];

/// Each member's path (`.A.B[].C`) and JSON type. A map whose keys are data
/// (`HeadersToInclude`) is one member of type object.
fn shape(value: &Value, path: &str, out: &mut BTreeMap<String, &'static str>) {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if !path.is_empty() {
        out.insert(path.to_owned(), kind);
    }
    match value {
        Value::Object(map) if !path.ends_with(".HeadersToInclude") => {
            for (k, v) in map {
                shape(v, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(items) => {
            for v in items {
                shape(v, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

fn shape_of(value: &Value) -> BTreeMap<String, &'static str> {
    let mut out = BTreeMap::new();
    shape(value, "", &mut out);
    out
}

/// A chat frame's shape: the envelope's members, and the item in its `content` string
/// under `.content→`.
fn frame_shape(frame: &Value) -> BTreeMap<String, &'static str> {
    let mut out = shape_of(frame);
    if let Some(content) = frame["content"].as_str() {
        let item: Value = serde_json::from_str(content).unwrap();
        shape(&item, ".content→", &mut out);
    }
    out
}

/// Compares shapes by [`differences`], keeping which excuses were used.
struct Comparison {
    excuses: &'static [Excuse],
    used: Vec<bool>,
    failures: Vec<String>,
}

impl Comparison {
    fn new(excuses: &'static [Excuse]) -> Comparison {
        Comparison {
            excuses,
            used: vec![false; excuses.len()],
            failures: Vec::new(),
        }
    }

    /// Records what `ours` lacks of `theirs`, or has with another type, unless excused.
    fn differences(
        &mut self,
        what: &str,
        theirs: &BTreeMap<String, &'static str>,
        ours: &BTreeMap<String, &'static str>,
    ) {
        for (path, kind) in theirs {
            let failure = match ours.get(path) {
                None => format!("{what}: the emulator lacks {path} ({kind})"),
                Some(k) if k != kind => {
                    format!("{what}: {path} is {kind} in the corpus, {k} in the emulator")
                }
                Some(_) => continue,
            };
            let excuse = self.excuses.iter().position(|(file, member, _)| {
                what.starts_with(file)
                    && (path.ends_with(member)
                        || path.contains(&format!("{member}."))
                        || (member.ends_with('.') && path.starts_with(member)))
            });
            match excuse {
                Some(i) => self.used[i] = true,
                None => self.failures.push(failure),
            }
        }
    }

    /// Fails with every difference not excused, and every excuse that excused nothing.
    fn finish(self) {
        let mut lines = self.failures;
        for (excuse, used) in self.excuses.iter().zip(self.used) {
            if !used {
                lines.push(format!("stale excuse, nothing differs: {excuse:?}"));
            }
        }
        assert!(lines.is_empty(), "{}", lines.join("\n"));
    }
}

/// A chat with one of everything the transcript can show, and the emulator's answer to
/// every operation the corpus has answers for.
fn emulator_answers() -> BTreeMap<&'static str, Value> {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let types = json!({"Type": ["WEBSOCKET", "CONNECTION_CREDENTIALS"]});
    let cpc = raw::op(&emulator, "connection", &chat.participant_token, &types).json();
    let token = cpc["ConnectionCredentials"]["ConnectionToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let op = |path: &str, body: Value| {
        let answer = raw::op(&emulator, path, &token, &body);
        assert_eq!(answer.status, 200, "{path}: {}", answer.text());
        if answer.body.is_empty() {
            json!({})
        } else {
            answer.json()
        }
    };
    let mut out = BTreeMap::new();
    out.insert("create-participant-connection", cpc.clone());
    let said = op(
        "message",
        json!({"ContentType": "text/plain", "Content": "hi"}),
    );
    out.insert("send-message", said.clone());
    let client = emulator.client_builder().build().unwrap();
    let connection = ConnectionToken::new(token.clone()).unwrap();
    let upload = UploadAttachmentRequest::new("a.txt").with_content_type("text/plain");
    let uploaded = client
        .upload_attachment(&connection, &upload, Cursor::new(b"hello".to_vec()))
        .unwrap();
    let agent_said = emulator
        .agent_says(&chat.contact_id, "yo", "text/plain")
        .unwrap();
    let about = json!({"messageId": agent_said}).to_string();
    let receipt = |what: &str| {
        json!({"ContentType": format!("application/vnd.amazonaws.connect.event.message.{what}"),
            "Content": about})
    };
    op("event", receipt("delivered"));
    out.insert("send-event", op("event", receipt("read")));
    let start = json!({"AttachmentName": "b.txt", "AttachmentSizeInBytes": 5,
        "ContentType": "text/plain", "ClientToken": "corpus-shapes"});
    out.insert(
        "start-attachment-upload",
        op("start-attachment-upload", start),
    );
    let get = json!({"AttachmentId": uploaded.attachment_id});
    out.insert("get-attachment", op("attachment", get));
    let session = emulator.start_authentication(&chat.contact_id).unwrap();
    let auth = json!({"SessionId": session, "RedirectUri": "https://example.com/back"});
    out.insert("get-authentication-url", op("authentication-url", auth));
    out.insert(
        "cancel-participant-authentication",
        op("cancel-authentication", json!({"SessionId": session})),
    );
    let page = json!({"MaxResults": 100, "ScanDirection": "BACKWARD", "SortOrder": "ASCENDING"});
    let mut transcript = op("transcript", page);
    // A NextToken only comes when there is a next page: ask for a page of one.
    let first = op("transcript", json!({"MaxResults": 1}));
    transcript["NextToken"] = first["NextToken"].clone();
    out.insert("get-transcript", transcript);
    // CompleteAttachmentUpload's answer, as the upload above got it, has no members.
    out.insert("complete-attachment-upload", json!({}));
    out.insert(
        "disconnect-participant",
        op("disconnect", json!({"ClientToken": "bye"})),
    );
    out
}

#[test]
fn the_emulator_answers_with_every_member_of_the_corpus_answers() {
    let ours = emulator_answers();
    let mut comparison = Comparison::new(ANSWERS_NOT_EXPECTED);
    for (name, _) in files("answers") {
        let Some((op, ours)) = ours
            .iter()
            .find(|(op, _)| name.starts_with(&format!("{op}-")))
        else {
            // DescribeView answers the view a test registered, as given: no shape of its own.
            assert!(name.starts_with("describe-view-"), "{name}");
            continue;
        };
        let _ = op;
        let theirs = shape_of(&corpus("answers", &name));
        comparison.differences(&name, &theirs, &shape_of(ours));
    }
    comparison.finish();
}

/// The emulator's frame of each kind the corpus has, read from a subscribed socket.
fn emulator_frames() -> BTreeMap<&'static str, Value> {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let types = json!({"Type": ["WEBSOCKET", "CONNECTION_CREDENTIALS"]});
    let cpc = raw::op(&emulator, "connection", &chat.participant_token, &types).json();
    let token = cpc["ConnectionCredentials"]["ConnectionToken"]
        .as_str()
        .unwrap();
    let connection = ConnectionToken::new(token.to_owned()).unwrap();
    let mut socket = ws::open(cpc["Websocket"]["Url"].as_str().unwrap()).unwrap();
    let mut ask = |text: &str| {
        socket.send(Message::text(text)).unwrap();
        serde_json::from_str::<Value>(&next_text(&mut socket)).unwrap()
    };
    let mut out = BTreeMap::new();
    out.insert("aws/subscribe", ask(ws::SUBSCRIBE));
    out.insert("aws/heartbeat", ask(ws::HEARTBEAT));
    out.insert("aws/ping", ask(r#"{"topic":"aws/ping"}"#));
    assert!(emulator.wait_for_websockets(&chat.contact_id, 1, ws::READ_BOUND));
    let contact = chat.contact_id.as_str();
    let said = emulator.agent_says(contact, "hi", "text/plain").unwrap();
    let event = |ct: &str| format!("application/vnd.amazonaws.connect.event.{ct}");
    emulator
        .agent_sends_event(contact, &event("typing"), None)
        .unwrap();
    let about = json!({"messageId": said}).to_string();
    emulator
        .agent_sends_event(contact, &event("message.delivered"), Some(&about))
        .unwrap();
    emulator
        .agent_sends_event(contact, &event("message.read"), Some(&about))
        .unwrap();
    emulator
        .add_event(contact, &event("transfer.succeeded"))
        .unwrap();
    emulator
        .add_event(contact, &event("transfer.failed"))
        .unwrap();
    let upload = UploadAttachmentRequest::new("a.txt").with_content_type("text/plain");
    let client = emulator.client_builder().build().unwrap();
    client
        .upload_attachment(&connection, &upload, Cursor::new(b"hello".to_vec()))
        .unwrap();
    let second = emulator
        .add_participant(contact, "AGENT", "Second")
        .unwrap();
    let second = raw::connect(&emulator, &second);
    let bye = raw::op(
        &emulator,
        "disconnect",
        &second,
        &json!({"ClientToken": "bye"}),
    );
    assert_eq!(bye.status, 200, "{}", bye.text());
    emulator.end_chat(contact).unwrap();
    for _ in 0..20 {
        let Ok(Message::Text(text)) = socket.read() else {
            break;
        };
        let frame: Value = serde_json::from_str(text.as_str()).unwrap();
        let item: Value = serde_json::from_str(frame["content"].as_str().unwrap()).unwrap();
        let kind = kind_of(&item);
        // The newest of a kind: the read receipt after the delivered one.
        out.insert(kind, frame);
    }
    out
}

/// A chat frame's kind, by the end of its item's content type.
const KINDS: [(&str, &str); 7] = [
    ("typing", ".typing"),
    ("message-metadata", ".message.metadata"),
    ("transfer-succeeded", ".transfer.succeeded"),
    ("transfer-failed", ".transfer.failed"),
    ("participant-joined", ".participant.joined"),
    ("participant-left", ".participant.left"),
    ("chat-ended", ".chat.ended"),
];

/// An item's kind: `message`, `attachment`, one of [`KINDS`], or `other`.
fn kind_of(item: &Value) -> &'static str {
    match (item["Type"].as_str(), item["ContentType"].as_str()) {
        (Some("ATTACHMENT"), _) => "attachment",
        (Some("MESSAGE"), _) => "message",
        (_, Some(ct)) => KINDS
            .iter()
            .find(|(_, c)| ct.ends_with(c))
            .map_or("other", |(k, _)| k),
        _ => "other",
    }
}

#[test]
fn the_emulator_s_frames_have_every_member_of_the_corpus_frames() {
    let ours = emulator_frames();
    let mut comparison = Comparison::new(FRAMES_NOT_EXPECTED);
    for (name, text) in files("frames") {
        let frame: Value = serde_json::from_str(&text).unwrap();
        let topic = frame["topic"].as_str().unwrap();
        let kind = if topic != "aws/chat" {
            topic
        } else {
            let item: Value = serde_json::from_str(frame["content"].as_str().unwrap()).unwrap();
            kind_of(&item)
        };
        let Some(ours) = ours.get(kind) else {
            panic!("{name}: the emulator pushed no {kind} frame");
        };
        comparison.differences(&name, &frame_shape(&frame), &frame_shape(ours));
    }
    comparison.finish();
}

/// The upload headers of the live StartAttachmentUpload answer the emulator need not sign,
/// and why. Every other header of it the emulator's answer must list too.
const UPLOAD_HEADERS_NOT_EXPECTED: [(&str, &str); 3] = [
    (
        "x-amz-meta-initial_contact_id",
        "not signed by the emulator: reported",
    ),
    ("x-amz-meta-account_id", "the emulator has no AWS account"),
    (
        "x-amz-meta-organization_id",
        "the emulator has no Connect instance",
    ),
];

#[test]
fn the_emulator_s_upload_headers_have_the_live_answer_s_names() {
    let live = corpus("answers", "start-attachment-upload-streams-issue-712");
    let ours = &emulator_answers()["start-attachment-upload"];
    let ours = ours["UploadMetadata"]["HeadersToInclude"]
        .as_object()
        .unwrap();
    let mut missing = Vec::new();
    for name in live["UploadMetadata"]["HeadersToInclude"]
        .as_object()
        .unwrap()
        .keys()
    {
        if !ours.contains_key(name) {
            missing.push(name.as_str());
        }
    }
    missing.sort_unstable();
    let mut excused: Vec<&str> = UPLOAD_HEADERS_NOT_EXPECTED
        .iter()
        .map(|(n, _)| *n)
        .collect();
    excused.sort_unstable();
    assert_eq!(missing, excused, "update UPLOAD_HEADERS_NOT_EXPECTED");
}
