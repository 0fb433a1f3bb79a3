//! The agent's events on the control path (`POST /emulator/chats/{ContactId}/events`) and
//! its interactive messages, over real HTTP and a real WebSocket: what the chat's sockets
//! are pushed, what the transcript keeps, and what is refused.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use serde_json::{Value, json};
use tungstenite::Message;

use crate::support::content_type::{CHAT_ENDED, READ, TYPING};
use crate::support::raw::{Answer, call, connect, op};
use crate::support::ws::{SUBSCRIBE, SUBSCRIBED, Socket, next_text, open};

use crate::support::content_type::INVITED;
const AUTH_SUCCEEDED: &str = "application/vnd.amazonaws.connect.event.authentication.succeeded";
const INTERACTIVE: &str = "application/vnd.amazonaws.connect.message.interactive";

/// How long a test waits for a socket to subscribe: a bound, not a synchronization.
const BOUND: Duration = Duration::from_secs(10);

/// `POST /emulator/chats/{contact_id}/{what}` with this body.
fn control(emulator: &Emulator, contact_id: &str, what: &str, body: &str) -> Answer {
    let path = format!("/emulator/chats/{contact_id}/{what}");
    call(emulator.addr(), "POST", &path, None, body)
}

/// The agent sends an event through the control path; its answer's `Id`.
fn agent_event(emulator: &Emulator, contact_id: &str, body: &Value) -> String {
    let a = control(emulator, contact_id, "events", &body.to_string());
    assert_eq!(a.status, 200, "{body}: {}", a.text());
    let answer = a.json();
    let keys: Vec<&String> = answer.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["AbsoluteTime", "Id"]);
    answer["Id"].as_str().unwrap().to_owned()
}

/// The whole transcript as the agent's side sees it.
fn agent_view(emulator: &Emulator, contact_id: &str) -> Vec<Value> {
    let path = format!("/emulator/chats/{contact_id}/transcript");
    let a = call(emulator.addr(), "GET", &path, None, "");
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()["Transcript"].as_array().unwrap().clone()
}

/// The item of the next chat frame on `ws`.
fn next_item(ws: &mut Socket) -> Value {
    let frame: Value = serde_json::from_str(&next_text(ws)).unwrap();
    assert_eq!(frame["topic"], "aws/chat", "{frame}");
    serde_json::from_str(frame["content"].as_str().unwrap()).unwrap()
}

/// A chat whose customer has a subscribed socket: (contact id, connection token, socket).
fn subscribed(emulator: &Emulator) -> (String, String, Socket) {
    let chat = emulator.start_chat();
    let token = connect(emulator, &chat.participant_token);
    let a = op(
        emulator,
        "connection",
        &chat.participant_token,
        &json!({"Type": ["WEBSOCKET"]}),
    );
    let url = a.json()["Websocket"]["Url"].as_str().unwrap().to_owned();
    let mut ws = open(&url).unwrap();
    ws.send(Message::text(SUBSCRIBE)).unwrap();
    assert_eq!(next_text(&mut ws), SUBSCRIBED);
    assert!(emulator.wait_for_websockets(&chat.contact_id, 1, BOUND));
    (chat.contact_id, token, ws)
}

#[test]
fn agent_events_are_pushed_and_kept_as_the_service_keeps_them() {
    let emulator = Emulator::start().unwrap();
    let (contact, token, mut ws) = subscribed(&emulator);
    let before = agent_view(&emulator, &contact).len();

    // Typing: pushed from the agent, with the Id answered, and not kept.
    let typing = agent_event(&emulator, &contact, &json!({"ContentType": TYPING}));
    let item = next_item(&mut ws);
    assert_eq!(item["Id"], typing.as_str());
    assert_eq!(item["ContentType"], TYPING);
    assert_eq!(item["Type"], "EVENT");
    assert_eq!(item["ParticipantRole"], "AGENT");
    assert_eq!(item["DisplayName"], "Agent");
    let agent = item["ParticipantId"].as_str().unwrap().to_owned();
    assert_eq!(agent_view(&emulator, &contact).len(), before);

    // An event of the catalogue with content: kept, from the agent, content as given.
    let content = r#"{"ParticipantRole":"CUSTOM_BOT"}"#;
    let invited = agent_event(
        &emulator,
        &contact,
        &json!({"ContentType": INVITED, "Content": content}),
    );
    let pushed = next_item(&mut ws);
    let kept = agent_view(&emulator, &contact);
    let last = kept.last().unwrap();
    assert_eq!(last["Id"], invited.as_str());
    for item in [&pushed, last] {
        assert_eq!(item["ContentType"], INVITED);
        assert_eq!(item["Content"], content);
        assert_eq!(item["Type"], "EVENT");
        assert_eq!(item["ParticipantId"], agent.as_str());
    }

    // An authentication step: the chat's own, without a sender.
    let session = json!({"SessionId": "0b5a1a4e-8d6b-4c3e-9a55-2f1c6e7d8a90"}).to_string();
    agent_event(
        &emulator,
        &contact,
        &json!({"ContentType": AUTH_SUCCEEDED, "Content": session}),
    );
    let item = next_item(&mut ws);
    assert_eq!(item["ContentType"], AUTH_SUCCEEDED);
    assert_eq!(item["Content"], session.as_str());
    assert!(item.get("ParticipantId").is_none(), "{item}");

    // A read receipt for the customer's message: a MESSAGEMETADATA push from the agent,
    // and the receipt on the message in the transcript.
    let sent = op(
        &emulator,
        "message",
        &token,
        &json!({"Content": "hi", "ContentType": "text/plain"}),
    );
    assert_eq!(sent.status, 200, "{}", sent.text());
    let message = sent.json()["Id"].as_str().unwrap().to_owned();
    assert_eq!(next_item(&mut ws)["Id"], message.as_str());
    let receipt = json!({"messageId": message}).to_string();
    agent_event(
        &emulator,
        &contact,
        &json!({"ContentType": READ, "Content": receipt}),
    );
    let item = next_item(&mut ws);
    assert_eq!(item["Type"], "MESSAGEMETADATA");
    assert_eq!(item["MessageMetadata"]["MessageId"], message.as_str());
    let receipts = &item["MessageMetadata"]["Receipts"];
    assert_eq!(receipts[0]["RecipientParticipantId"], agent.as_str());
    assert!(receipts[0]["ReadTimestamp"].is_string(), "{item}");
    let kept = agent_view(&emulator, &contact);
    let on_message = kept.iter().find(|i| i["Id"] == message.as_str()).unwrap();
    let kept_receipt = &on_message["MessageMetadata"]["Receipts"][0];
    assert_eq!(kept_receipt["RecipientParticipantId"], agent.as_str());
    assert_eq!(kept_receipt["ReadTimestamp"], receipts[0]["ReadTimestamp"]);
    assert!(
        kept_receipt.get("DeliveredTimestamp").is_none(),
        "{kept_receipt}"
    );
    // What the agent sent is not among what participants sent with SendEvent.
    assert!(emulator.events().is_empty(), "{:?}", emulator.events());

    // chat.ended ends the chat: pushed, the socket closed, later events refused.
    agent_event(&emulator, &contact, &json!({"ContentType": CHAT_ENDED}));
    assert_eq!(next_item(&mut ws)["ContentType"], CHAT_ENDED);
    loop {
        match ws.read() {
            Ok(Message::Close(Some(frame))) => break assert_eq!(u16::from(frame.code), 1000),
            Ok(Message::Text(t)) => panic!("expected the close, got {t}"),
            Ok(_) => {}
            Err(e) => panic!("expected the close, got {e}"),
        }
    }
    let a = control(
        &emulator,
        &contact,
        "events",
        &json!({"ContentType": TYPING}).to_string(),
    );
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["message"], "the chat has ended");
}

#[test]
fn the_events_path_refuses_what_is_not_an_event_and_unknown_chats() {
    let emulator = Emulator::start().unwrap();
    let contact = emulator.start_chat().contact_id;
    let before = agent_view(&emulator, &contact);
    let not_event = "ContentType must be an event type, \
                     application/vnd.amazonaws.connect.event.… of at most 100 characters \
                     (a message goes to /messages)";
    let long_type = format!("application/vnd.amazonaws.connect.event.{}", "x".repeat(61));
    let cases = [
        (json!({}), "ValidationException", "ContentType is required"),
        (
            json!({"ContentType": "text/plain", "Content": "hi"}),
            "ValidationException",
            not_event,
        ),
        (
            json!({"ContentType": "application/vnd.amazonaws.connect.event."}),
            "ValidationException",
            not_event,
        ),
        (
            json!({"ContentType": long_type}),
            "ValidationException",
            not_event,
        ),
        (
            json!({"ContentType": INVITED, "Content": ""}),
            "ValidationException",
            "Content, if given, must have 1 to 16384 bytes",
        ),
        (
            json!({"ContentType": INVITED, "Content": "é".repeat(8193)}),
            "ValidationException",
            "Content, if given, must have 1 to 16384 bytes",
        ),
        (
            json!({"ContentType": READ, "Content": "{}"}),
            "ValidationException",
            "a delivered or read receipt's Content must be a JSON object with a non-empty \
             messageId",
        ),
        (
            json!({"ContentType": "application/vnd.amazonaws.connect.event.message.metadata"}),
            "ValidationException",
            "receipts reach the chat as message.metadata items: send a message.delivered or \
             message.read event",
        ),
        (
            json!({"ContentType": INVITED, "Content": 7}),
            "SerializationException",
            "Content must be a string",
        ),
    ];
    for (body, error_type, message) in cases {
        let a = control(&emulator, &contact, "events", &body.to_string());
        assert_eq!(a.status, 400, "{body}: {}", a.text());
        assert_eq!(a.header("x-amzn-ErrorType"), Some(error_type), "{body}");
        assert_eq!(a.json()["message"], message, "{body}");
    }
    // The longest content type and content are taken.
    let longest = format!("application/vnd.amazonaws.connect.event.{}", "x".repeat(60));
    agent_event(
        &emulator,
        &contact,
        &json!({"ContentType": longest, "Content": "é".repeat(8192)}),
    );
    let after = agent_view(&emulator, &contact);
    assert_eq!(after.len(), before.len() + 1, "only the longest landed");

    let a = control(
        &emulator,
        "no-such-chat",
        "events",
        &json!({"ContentType": TYPING}).to_string(),
    );
    assert_eq!(a.status, 404);
    assert_eq!(a.json()["message"], "no chat with ContactId no-such-chat");
    // The help of an unknown control path names the events path.
    let a = call(emulator.addr(), "POST", "/emulator/nothing", None, "{}");
    assert_eq!(a.status, 404);
    let help = a.json()["message"].as_str().unwrap().to_owned();
    assert!(
        help.contains("/emulator/chats/{ContactId}/events"),
        "{help}"
    );
}

#[test]
fn the_agent_sends_interactive_templates_and_only_templates() {
    let emulator = Emulator::start().unwrap();
    let contact = emulator.start_chat().contact_id;
    let template = r#"{"templateType":"ListPicker","version":"1.0","data":{"content":{"title":"Pick","elements":[{"title":"A"}]}}}"#;
    let body = json!({"ContentType": INTERACTIVE, "Content": template}).to_string();
    let a = control(&emulator, &contact, "messages", &body);
    assert_eq!(a.status, 200, "{}", a.text());
    let kept = agent_view(&emulator, &contact);
    let last = kept.last().unwrap();
    assert_eq!(last["Content"], template);
    assert_eq!(last["ContentType"], INTERACTIVE);
    assert_eq!(last["Type"], "MESSAGE");

    let message = "an interactive message's Content must be a JSON object with a string \
                   templateType";
    for content in [
        "not JSON",
        "[1]",
        r#"{"templateType":7}"#,
        r#"{"version":"1.0"}"#,
    ] {
        let body = json!({"ContentType": INTERACTIVE, "Content": content}).to_string();
        let a = control(&emulator, &contact, "messages", &body);
        assert_eq!(a.status, 400, "{content}");
        assert_eq!(a.json()["message"], message, "{content}");
        let err = emulator
            .agent_says(&contact, content, INTERACTIVE)
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert_eq!(err.to_string(), message);
    }
    assert_eq!(agent_view(&emulator, &contact).len(), kept.len());
}
