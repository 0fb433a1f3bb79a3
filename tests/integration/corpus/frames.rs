//! Every frame of the corpus through the chat stream's frame parser: pushed by the emulator
//! as it is, on a real WebSocket, to a `ChatStream` of its own; and every item of the corpus
//! in the service's envelope.

use std::time::Duration;

use connect_participant::{ChatStream, Connection, Event, ItemType, Next, ParticipantRole};

use super::files;
use crate::support::stream::{Setup, fast};
use crate::support::ws::chat_frame;

/// The longest a read waits: a bound for a broken test, never a pause.
const PATIENCE: Duration = Duration::from_secs(5);

/// What each chat frame and item must give: the event's name, the item's `Type` and its
/// sender's role (`""`: the item has none). Its `Id` must be the source's.
const CHAT: [(&str, &str, &str, &str); 27] = [
    (
        "frames/chat-interface-list-picker",
        "message",
        "MESSAGE",
        "SYSTEM",
    ),
    (
        "frames/chat-interface-list-picker-previous-options",
        "message",
        "MESSAGE",
        "SYSTEM",
    ),
    (
        "frames/chat-interface-list-picker-show-more",
        "message",
        "MESSAGE",
        "SYSTEM",
    ),
    (
        "frames/ios-attachment",
        "attachment",
        "ATTACHMENT",
        "CUSTOMER",
    ),
    ("frames/ios-chat-ended", "chat.ended", "EVENT", "CUSTOMER"),
    ("frames/ios-message", "message", "MESSAGE", "CUSTOMER"),
    ("frames/ios-message-metadata", "read", "MESSAGEMETADATA", ""),
    (
        "frames/ios-participant-joined",
        "participant.joined",
        "EVENT",
        "CUSTOMER",
    ),
    (
        "frames/ios-participant-left",
        "participant.left",
        "EVENT",
        "CUSTOMER",
    ),
    (
        "frames/ios-transfer-failed",
        "transfer.failed",
        "EVENT",
        "AGENT",
    ),
    (
        "frames/ios-transfer-succeeded",
        "transfer.succeeded",
        "EVENT",
        "AGENT",
    ),
    ("frames/ios-typing", "typing", "EVENT", "CUSTOMER"),
    (
        "frames/lvxuan-android-example-message",
        "message",
        "MESSAGE",
        "CUSTOMER",
    ),
    (
        "items/admin-guide-sns-message",
        "message",
        "MESSAGE",
        "CUSTOMER",
    ),
    (
        "items/chat-interface-session-test-interactive",
        "message",
        "MESSAGE",
        "AGENT",
    ),
    (
        "items/chat-interface-session-test-message",
        "message",
        "MESSAGE",
        "AGENT",
    ),
    (
        "items/chat-interface-session-test-rehydrated",
        "chat.rehydrated",
        "EVENT",
        "",
    ),
    (
        "items/chat-interface-session-test-transcript-system-message",
        "message",
        "MESSAGE",
        "SYSTEM",
    ),
    (
        "items/chatjs-attachment-approved",
        "attachment",
        "ATTACHMENT",
        "AGENT",
    ),
    (
        "items/chatjs-docs-attachment",
        "attachment",
        "ATTACHMENT",
        "CUSTOMER",
    ),
    (
        "items/chatjs-partial-message-chunk",
        "message",
        "MESSAGE",
        "SYSTEM",
    ),
    (
        "items/chatjs-partial-message-completed",
        "message",
        "MESSAGE",
        "SYSTEM",
    ),
    (
        "items/chatjs-pr-72-transcript-message",
        "message",
        "MESSAGE",
        "AGENT",
    ),
    (
        "items/chatjs-transcript-spec-delivered-receipt",
        "delivered",
        "MESSAGEMETADATA",
        "",
    ),
    (
        "items/chatjs-transcript-spec-incoming-message",
        "message",
        "MESSAGE",
        "AGENT",
    ),
    (
        "items/chatjs-transcript-spec-read-receipt",
        "read",
        "MESSAGEMETADATA",
        "",
    ),
    (
        "items/ios-participant-idle",
        "participant.idle",
        "",
        "CUSTOMER",
    ),
];

/// The typed `Type` for its wire value, spelt out here (not by the crate's conversion); `""`
/// is none (an item without `Type`).
fn item_type(wire: &str) -> Option<ItemType> {
    match wire {
        "" => None,
        "MESSAGE" => Some(ItemType::Message),
        "EVENT" => Some(ItemType::Event),
        "ATTACHMENT" => Some(ItemType::Attachment),
        "MESSAGEMETADATA" => Some(ItemType::MessageMetadata),
        other => panic!("{other}"),
    }
}

/// The typed role for its wire value; `""` is none.
fn role(wire: &str) -> Option<ParticipantRole> {
    match wire {
        "" => None,
        "AGENT" => Some(ParticipantRole::Agent),
        "CUSTOMER" => Some(ParticipantRole::Customer),
        "SYSTEM" => Some(ParticipantRole::System),
        other => panic!("{other}"),
    }
}

/// A chat on its own emulator and its customer's stream, established.
fn open() -> (Setup, ChatStream) {
    let s = Setup::start(true);
    let mut stream = fast(ChatStream::builder(&s.customer)).open().unwrap();
    match stream.next_timeout(PATIENCE).unwrap() {
        Next::Event(Event::Connection(Connection::Established)) => {}
        other => panic!("{other:?}"),
    }
    (s, stream)
}

/// The text the emulator pushes for a corpus file: a frame as it is, an item in the
/// service's envelope.
fn frame_text(path: &str) -> String {
    let (folder, name) = path.split_once('/').unwrap();
    let (_, text) = files(folder).into_iter().find(|(n, _)| n == name).unwrap();
    if folder == "items" {
        let item: serde_json::Value = serde_json::from_str(&text).unwrap();
        chat_frame(&item.to_string())
    } else {
        text
    }
}

/// The first event that is not a connection change.
fn next_event(stream: &mut ChatStream, what: &str) -> Event {
    for _ in 0..10 {
        match stream.next_timeout(PATIENCE).unwrap() {
            Next::Event(Event::Connection(_)) => {}
            Next::Event(e) => return e,
            other => panic!("{what}: {other:?}"),
        }
    }
    panic!("{what}: only connection changes")
}

#[test]
fn every_chat_frame_and_item_gives_its_event() {
    let covered: Vec<&str> = CHAT.iter().map(|e| e.0).collect();
    for folder in ["frames", "items"] {
        for (name, text) in files(folder) {
            let path = format!("{folder}/{name}");
            let frame: serde_json::Value = serde_json::from_str(&text).unwrap();
            let chat = frame["topic"] == "aws/chat" || folder == "items";
            let listed = covered.contains(&path.as_str())
                || CONTROL.iter().any(|(n, _)| *n == path)
                || path == "frames/ios-message-metadata-without-message-id";
            assert!(listed, "no expectation for {path}");
            assert!(!chat || !CONTROL.iter().any(|(n, _)| *n == path), "{path}");
        }
    }
    for (path, name, wire_type, wire_role) in CHAT {
        let (s, mut stream) = open();
        let text = frame_text(path);
        assert_eq!(
            s.emulator.push_frame(&s.chat.contact_id, &text).unwrap(),
            1,
            "{path}"
        );
        let event = next_event(&mut stream, path);
        assert_eq!(event.name(), name, "{path}: {event:?}");
        let item = event.item().unwrap_or_else(|| panic!("{path}: no item"));
        assert_eq!(
            item.id.as_deref(),
            Some(source_id(&text).as_str()),
            "{path}"
        );
        assert_eq!(item.item_type, item_type(wire_type), "{path}");
        assert_eq!(item.participant_role, role(wire_role), "{path}");
    }
}

/// The `Id` of the item a chat frame holds, as the source wrote it.
fn source_id(frame: &str) -> String {
    let frame: serde_json::Value = serde_json::from_str(frame).unwrap();
    let item: serde_json::Value = serde_json::from_str(frame["content"].as_str().unwrap()).unwrap();
    item["Id"].as_str().unwrap().to_owned()
}

/// The service's answers to the client's own frames, and what they must not do.
const CONTROL: [(&str, &str); 3] = [
    ("frames/chatjs-wsm-subscribe-success", "aws/subscribe"),
    ("frames/chatjs-wsm-heartbeat", "aws/heartbeat"),
    ("frames/android-deep-heartbeat-ok", "aws/ping"),
];

#[test]
fn control_answers_are_read_as_healthy_and_change_nothing() {
    let (s, mut stream) = open();
    for (path, topic) in CONTROL {
        let text = frame_text(path);
        assert!(text.contains(topic), "{path}");
        assert_eq!(s.emulator.push_frame(&s.chat.contact_id, &text).unwrap(), 1);
    }
    // A healthy answer, unasked for, is neither an event nor a reason to reconnect.
    for i in 0..3 {
        match stream.next_timeout(Duration::from_millis(150)).unwrap() {
            Next::TimedOut => {}
            other => panic!("{i}: {other:?}"),
        }
    }
    assert_eq!(s.emulator.websocket_handshakes(), 1);
    assert!(matches!(
        stream.health(),
        connect_participant::Health::Connected
    ));
}

#[test]
fn a_receipt_item_without_receipts_is_passed_on_as_other_and_keeps_the_stream() {
    let (s, mut stream) = open();
    let text = frame_text("frames/ios-message-metadata-without-message-id");
    assert_eq!(s.emulator.push_frame(&s.chat.contact_id, &text).unwrap(), 1);
    // An empty Receipts list receipts nothing: the item comes as it is.
    let event = next_event(&mut stream, "no receipts");
    assert_eq!(event.name(), "other", "{event:?}");
    let item = event.item().unwrap();
    assert_eq!(item.id.as_deref(), Some("outer-id"));
    assert_eq!(item.item_type, Some(ItemType::MessageMetadata));
    let meta = item.message_metadata.as_ref().unwrap();
    assert_eq!((meta.message_id.as_deref(), meta.receipts.len()), (None, 0));
    // And the next message still comes.
    let said = s
        .emulator
        .agent_says(&s.chat.contact_id, "after", "text/plain")
        .unwrap();
    let event = next_event(&mut stream, "after");
    assert_eq!(event.name(), "message", "{event:?}");
    assert_eq!(event.item().unwrap().id.as_deref(), Some(said.as_str()));
    assert_eq!(s.emulator.websocket_handshakes(), 1);
}
