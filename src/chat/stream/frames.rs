//! The participant WebSocket's frames, written and read as amazon-connect-chatjs writes
//! and reads them: pure, no IO.

use serde_json::Value;

use crate::json::Members;
use crate::ops::transcript::Item;

/// Subscribes to the chat's topic: the bytes Amazon's chat library (ChatJS) sends, and the
/// service's documentation quotes.
pub(crate) const SUBSCRIBE: &str = r#"{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}"#;
/// The heartbeat: the service answers it with a frame of the same topic.
pub(crate) const HEARTBEAT: &str = r#"{"topic":"aws/heartbeat"}"#;
/// The deep heartbeat ChatJS sends just before each heartbeat.
pub(crate) const PING: &str = r#"{"topic":"aws/ping"}"#;

/// The most bytes one frame from the service may have. A chat frame holds one item whose
/// content is at most 16 KiB of text (up to 96 KiB once escaped twice), so 1 MiB is far
/// above any legal frame and still bounds what a hostile server can make the client hold.
pub(crate) const MAX_FRAME: usize = 1024 * 1024;

/// A frame from the service, as far as the stream cares.
#[derive(Debug)]
pub(crate) enum Frame {
    /// The answer to a subscribe: `success` or not.
    Subscribed(bool),
    /// The answer to a heartbeat.
    Heartbeat,
    /// The answer to a deep heartbeat: healthy when `statusCode` is 200 and
    /// `statusContent`, if present, is `"OK"`. ChatJS's `webSocketManager.js` reads
    /// `statusCode` 200 only; the Android SDK's `WebSocketManager.kt` also wants
    /// `statusContent` `"OK"`, read with `optString` (so a missing one is `""` there, and
    /// unhealthy). This takes the stricter rule where the member is there (a 200 that
    /// says otherwise is not healthy) and ChatJS's where it is not (a bare 200 is
    /// healthy): an answer the service words differently is not a reason to reconnect.
    Ping(bool),
    /// A chat item.
    Chat(Box<Item>),
    /// A chat frame whose item cannot be read; the text says why (no secret in it).
    BadChat(String),
    /// An error frame without a topic (`{"message":"Forbidden",...}`); its message.
    Error(String),
    /// Anything else: another topic, a frame that is not JSON, an empty frame. Ignored, as
    /// ChatJS ignores it.
    Ignored,
}

/// Reads one text frame.
pub(crate) fn parse(text: &str) -> Frame {
    let Ok(Value::Object(mut frame)) = serde_json::from_str::<Value>(text) else {
        return Frame::Ignored;
    };
    let topic = match frame.remove("topic") {
        Some(Value::String(t)) => t,
        None | Some(Value::Null) => {
            return match frame.remove("message") {
                Some(Value::String(m)) => Frame::Error(m),
                _ => Frame::Ignored,
            };
        }
        Some(_) => return Frame::Ignored,
    };
    match topic.as_str() {
        "aws/subscribe" => {
            let ok = frame
                .get("content")
                .and_then(|c| c.get("status"))
                .and_then(Value::as_str)
                == Some("success");
            Frame::Subscribed(ok)
        }
        "aws/heartbeat" => Frame::Heartbeat,
        "aws/ping" => {
            let code = frame.get("statusCode").and_then(Value::as_u64);
            let content = frame.get("statusContent").and_then(Value::as_str);
            Frame::Ping(code == Some(200) && content.is_none_or(|c| c == "OK"))
        }
        "aws/chat" => match frame.remove("content") {
            Some(Value::String(content)) => chat_item(&content),
            // Not what the service sends, but an item given as an object is still one.
            Some(Value::Object(map)) => read_item(Members::root(map)),
            _ => Frame::BadChat("the chat frame has no content string".to_owned()),
        },
        _ => Frame::Ignored,
    }
}

/// The item a chat frame's `content` (JSON text inside the JSON frame) holds.
fn chat_item(content: &str) -> Frame {
    match serde_json::from_str::<Value>(content) {
        Ok(Value::Object(map)) => read_item(Members::root(map)),
        Ok(_) => Frame::BadChat("the chat frame's content is not a JSON object".to_owned()),
        Err(e) => Frame::BadChat(format!(
            "the chat frame's content is not JSON ({})",
            e.classify_name()
        )),
    }
}

fn read_item(members: Members) -> Frame {
    match Item::read(members) {
        Ok(item) => Frame::Chat(Box::new(item)),
        Err(bad) => Frame::BadChat(format!("the chat frame's item: {}", bad.0)),
    }
}

/// A few words for a JSON error's category, without the input it quotes.
trait Classify {
    fn classify_name(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "wrong type",
            serde_json::error::Category::Eof => "cut short",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::transcript::{ItemType, ParticipantRole};

    #[test]
    fn the_client_frames_are_chatjs_bytes() {
        // ChatJS writes JSON.stringify({topic, content}).
        assert_eq!(
            SUBSCRIBE,
            "{\"topic\":\"aws/subscribe\",\"content\":{\"topics\":[\"aws/chat\"]}}"
        );
        assert_eq!(HEARTBEAT, "{\"topic\":\"aws/heartbeat\"}");
        assert_eq!(PING, "{\"topic\":\"aws/ping\"}");
    }

    #[test]
    fn subscribe_answers_are_read() {
        let ok =
            r#"{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}"#;
        assert!(matches!(parse(ok), Frame::Subscribed(true)));
        let no = r#"{"topic":"aws/subscribe","content":{"status":"failure"}}"#;
        assert!(matches!(parse(no), Frame::Subscribed(false)));
        assert!(matches!(
            parse(r#"{"topic":"aws/subscribe"}"#),
            Frame::Subscribed(false)
        ));
    }

    #[test]
    fn heartbeat_and_ping_answers_are_read() {
        assert!(matches!(
            parse(r#"{"topic":"aws/heartbeat"}"#),
            Frame::Heartbeat
        ));
        let healthy = r#"{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}"#;
        assert!(matches!(parse(healthy), Frame::Ping(true)));
        assert!(matches!(
            parse(r#"{"topic":"aws/ping","statusCode":200}"#),
            Frame::Ping(true)
        ));
        for sick in [
            r#"{"topic":"aws/ping","statusCode":500,"statusContent":"Internal Server Error"}"#,
            r#"{"topic":"aws/ping","statusCode":200,"statusContent":"DOWN"}"#,
            r#"{"topic":"aws/ping","statusCode":"200"}"#,
            r#"{"topic":"aws/ping"}"#,
        ] {
            assert!(matches!(parse(sick), Frame::Ping(false)), "{sick}");
        }
    }

    #[test]
    fn a_real_chat_frame_gives_its_item() {
        // The shape of the sample frame in amazon-connect-chat-interface's documentation
        // (InteractiveMessageActionButtonImplementation.md), shortened.
        let frame = r#"{"content":"{\"AbsoluteTime\":\"2023-03-21T06:33:01.515Z\",\"Content\":\"Hi\",\"ContentType\":\"text/plain\",\"Id\":\"d2ee0b6e\",\"Type\":\"MESSAGE\",\"ParticipantId\":\"1c2142ab\",\"DisplayName\":\"BOT\",\"ParticipantRole\":\"SYSTEM\",\"InitialContactId\":\"a307b665\",\"ContactId\":\"a307b665\"}","contentType":"application/json","topic":"aws/chat"}"#;
        let Frame::Chat(item) = parse(frame) else {
            panic!("not a chat frame");
        };
        assert_eq!(item.id.as_deref(), Some("d2ee0b6e"));
        assert_eq!(item.content.as_deref(), Some("Hi"));
        assert_eq!(item.item_type, Some(ItemType::Message));
        assert_eq!(item.participant_role, Some(ParticipantRole::System));
        assert_eq!(item.contact_id.as_deref(), Some("a307b665"));
        assert_eq!(
            item.unknown_members,
            vec![("InitialContactId".to_owned(), "\"a307b665\"".to_owned())]
        );
        assert_eq!(
            item.absolute_time.as_ref().map(|t| t.as_str()),
            Some("2023-03-21T06:33:01.515Z")
        );
    }

    #[test]
    fn chunk_members_are_read() {
        let frame = r#"{"topic":"aws/chat","content":"{\"Id\":\"m\",\"Type\":\"MESSAGE\",\"MessageMetadata\":{\"MessageCompleted\":false,\"ChunkNumber\":2}}"}"#;
        let Frame::Chat(item) = parse(frame) else {
            panic!("not a chat frame");
        };
        let meta = item.message_metadata.unwrap();
        assert_eq!(meta.message_completed, Some(false));
        assert_eq!(meta.chunk_number, Some(2));
    }

    #[test]
    fn garbled_chat_frames_say_why_without_quoting() {
        let cases = [
            (
                r#"{"topic":"aws/chat"}"#,
                "the chat frame has no content string",
            ),
            (
                r#"{"topic":"aws/chat","content":"secret{"}"#,
                "the chat frame's content is not JSON (syntax error)",
            ),
            (
                r#"{"topic":"aws/chat","content":"[1]"}"#,
                "the chat frame's content is not a JSON object",
            ),
            (
                r#"{"topic":"aws/chat","content":"{\"Id\":7}"}"#,
                "the chat frame's item: member Id is not a string",
            ),
        ];
        for (frame, why) in cases {
            match parse(frame) {
                Frame::BadChat(m) => assert_eq!(m, why, "{frame}"),
                other => panic!("{frame}: {other:?}"),
            }
        }
    }

    #[test]
    fn error_and_unknown_frames() {
        assert!(matches!(
            parse(r#"{"message":"Forbidden","connectionId":"c","requestId":"r"}"#),
            Frame::Error(m) if m == "Forbidden"
        ));
        for ignored in [
            "",
            "not json",
            "[]",
            "{}",
            r#"{"topic":"aws/other"}"#,
            r#"{"topic":7}"#,
        ] {
            assert!(matches!(parse(ignored), Frame::Ignored), "{ignored}");
        }
    }
}
