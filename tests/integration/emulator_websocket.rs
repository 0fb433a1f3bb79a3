//! The emulator's participant WebSocket, spoken to with tungstenite's own client.
//!
//! The URL CreateParticipantConnection gives, the topics, the pushed frames byte for byte,
//! and the bounds.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use connect_participant::SendEventRequest;
use connect_participant::emulator::Emulator;
use serde_json::{Value, json};
use tungstenite::Message;

use crate::support::content_type::{CHAT_ENDED, JOINED, LEFT, TYPING};
use crate::support::raw::{Answer, exchange};
use crate::support::ws::{HEARTBEAT, SUBSCRIBE, SUBSCRIBED, Socket, next_text, open};

const PING: &str = r#"{"topic":"aws/ping"}"#;
const PONG: &str = r#"{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}"#;
const METADATA: &str = "application/vnd.amazonaws.connect.event.message.metadata";
/// The longest any read waits: a bound for a broken test, never a pause.
const BOUND: Duration = Duration::from_secs(5);

/// A POST with a JSON body and `Connection: close`: (status, body, or null if the body is
/// not JSON).
fn post(addr: SocketAddr, path: &str, bearer: Option<&str>, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    let bearer = bearer.map_or(String::new(), |b| format!("X-Amz-Bearer: {b}\r\n"));
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{bearer}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let a = utf8_answer(exchange(addr, request.as_bytes()));
    (
        a.status,
        serde_json::from_slice(&a.body).unwrap_or(Value::Null),
    )
}

/// An answer that must be UTF-8 throughout.
fn utf8_answer(raw: Vec<u8>) -> Answer {
    Answer::parse(String::from_utf8(raw).unwrap().as_bytes())
}

/// CreateParticipantConnection for a WebSocket with this participant token: its
/// `Websocket` member.
fn websocket_url(emulator: &Emulator, participant_token: &str) -> (String, String) {
    let (status, body) = post(
        emulator.addr(),
        "/participant/connection",
        Some(participant_token),
        &json!({"Type": ["WEBSOCKET"]}),
    );
    assert_eq!(status, 200, "{body}");
    let ws = &body["Websocket"];
    (
        ws["Url"].as_str().unwrap().to_owned(),
        ws["ConnectionExpiry"].as_str().unwrap().to_owned(),
    )
}

fn send(ws: &mut Socket, text: &str) {
    ws.send(Message::text(text)).unwrap();
}

/// The item inside a pushed chat frame, after checking the envelope's exact shape.
fn item(frame: &str) -> Value {
    let envelope: Value = serde_json::from_str(frame).unwrap();
    let keys: Vec<&String> = envelope.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["content", "contentType", "topic"], "{frame}");
    assert_eq!(envelope["contentType"], "application/json");
    assert_eq!(envelope["topic"], "aws/chat");
    let content = envelope["content"]
        .as_str()
        .expect("content is a JSON string");
    assert!(
        frame.starts_with(r#"{"content":"{\""#),
        "content is written as a string: {frame}"
    );
    serde_json::from_str(content).unwrap()
}

/// The close frame the server sends next, then the end of the connection.
fn expect_close(ws: &mut Socket) -> u16 {
    loop {
        match ws.read() {
            Ok(Message::Close(Some(frame))) => return u16::from(frame.code),
            Ok(Message::Close(None)) => panic!("a close frame without a code"),
            Ok(Message::Text(t)) => panic!("expected a close frame, got {t}"),
            Ok(_) => {}
            Err(e) => panic!("expected a close frame, got {e}"),
        }
    }
}

/// A chat with the customer's socket open and subscribed.
fn subscribed_customer(emulator: &Emulator) -> (String, Socket) {
    let chat = emulator.start_chat();
    let (url, _) = websocket_url(emulator, &chat.participant_token);
    let mut ws = open(&url).unwrap();
    send(&mut ws, SUBSCRIBE);
    assert_eq!(next_text(&mut ws), SUBSCRIBED);
    assert!(emulator.wait_for_websockets(&chat.contact_id, 1, BOUND));
    (chat.contact_id, ws)
}

#[test]
fn subscribe_heartbeat_and_ping_are_answered_and_anything_else_ignored() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let (url, _) = websocket_url(&emulator, &chat.participant_token);
    assert!(url.starts_with(&format!("ws://{}/participant/ws/", emulator.addr())));
    let mut ws = open(&url).unwrap();
    assert_eq!(emulator.websocket_handshakes(), 1);
    // Not subscribed yet: open, but not counted.
    assert_eq!(emulator.websockets(&chat.contact_id), 0);
    for garbage in [
        "",
        "{",
        "null",
        "[]",
        r#"{"topic":"aws/unknown"}"#,
        r#"{"topic":7}"#,
    ] {
        send(&mut ws, garbage);
    }
    ws.send(Message::binary(vec![0u8, 1, 2])).unwrap();
    send(
        &mut ws,
        r#"{"topic":"aws/subscribe","content":{"topics":["other"]}}"#,
    );
    send(&mut ws, HEARTBEAT);
    assert_eq!(next_text(&mut ws), r#"{"topic":"aws/heartbeat"}"#);
    send(&mut ws, PING);
    assert_eq!(next_text(&mut ws), PONG);
    send(&mut ws, SUBSCRIBE);
    assert_eq!(next_text(&mut ws), SUBSCRIBED);
    assert!(emulator.wait_for_websockets(&chat.contact_id, 1, BOUND));
    assert_eq!(emulator.websockets(&chat.contact_id), 1);
    // A protocol ping is answered with a pong.
    ws.send(Message::Ping(vec![9u8].into())).unwrap();
    match ws.read().unwrap() {
        Message::Pong(p) => assert_eq!(&p[..], [9]),
        other => panic!("expected a pong, got {other:?}"),
    }
    // Still open after all that garbage.
    send(&mut ws, HEARTBEAT);
    assert_eq!(next_text(&mut ws), HEARTBEAT);
}

#[test]
fn an_agent_message_is_pushed_in_the_service_s_envelope() {
    let emulator = Emulator::start().unwrap();
    let (contact, mut ws) = subscribed_customer(&emulator);
    let id = emulator
        .agent_says(&contact, "Hello \"there\"", "text/plain")
        .unwrap();
    let frame = next_text(&mut ws);
    assert_eq!(frame, emulator.websocket_frame(&contact, &id).unwrap());
    let pushed = item(&frame);
    let keys: Vec<&String> = pushed.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "AbsoluteTime",
            "ContactId",
            "Content",
            "ContentType",
            "DisplayName",
            "Id",
            "InitialContactId",
            "ParticipantId",
            "ParticipantRole",
            "Type"
        ]
    );
    assert_eq!(pushed["Id"], id.as_str());
    assert_eq!(pushed["Content"], "Hello \"there\"");
    assert_eq!(pushed["ContentType"], "text/plain");
    assert_eq!(pushed["Type"], "MESSAGE");
    assert_eq!(pushed["ParticipantRole"], "AGENT");
    assert_eq!(pushed["DisplayName"], "Agent");
    assert_eq!(pushed["ContactId"], contact.as_str());
    assert_eq!(pushed["InitialContactId"], contact.as_str());
    // The customer's own SendMessage comes back to its socket too.
    let token = emulator.connection_token_for(&contact).unwrap();
    let (status, sent) = post(
        emulator.addr(),
        "/participant/message",
        Some(token.expose_secret()),
        &json!({"Content": "hi", "ContentType": "text/plain"}),
    );
    assert_eq!(status, 200);
    let mine = item(&next_text(&mut ws));
    assert_eq!(mine["Id"], sent["Id"]);
    assert_eq!(mine["ParticipantRole"], "CUSTOMER");
}

#[test]
fn typing_and_receipts_are_pushed_as_items_of_their_own() {
    let emulator = Emulator::start().unwrap();
    let (contact, mut ws) = subscribed_customer(&emulator);
    let client = emulator.client_builder().build().unwrap();
    let token = emulator.connection_token_for(&contact).unwrap();
    let typing = client
        .send_event(&token, &SendEventRequest::typing())
        .unwrap();
    let pushed = item(&next_text(&mut ws));
    let customer = pushed["ParticipantId"].as_str().unwrap().to_owned();
    assert_eq!(
        pushed,
        json!({
            "AbsoluteTime": typing.absolute_time.unwrap().as_str(),
            "ContactId": contact,
            "ContentType": TYPING,
            "DisplayName": "Customer",
            "Id": typing.id.unwrap(),
            "InitialContactId": contact,
            "ParticipantId": customer,
            "ParticipantRole": "CUSTOMER",
            "Type": "EVENT",
        })
    );

    let message = emulator
        .agent_says(&contact, "read me", "text/plain")
        .unwrap();
    assert_eq!(item(&next_text(&mut ws))["Id"], message.as_str());
    let read = client
        .send_event(&token, &SendEventRequest::read(&message))
        .unwrap();
    let pushed = item(&next_text(&mut ws));
    let at = read.absolute_time.unwrap();
    assert_eq!(pushed["Type"], "MESSAGEMETADATA");
    assert_eq!(pushed["ContentType"], METADATA);
    assert_eq!(pushed["AbsoluteTime"], at.as_str());
    assert!(pushed["Id"].as_str().is_some_and(|i| i != message));
    assert_eq!(
        pushed["MessageMetadata"],
        json!({
            "MessageId": message,
            "Receipts": [{"ReadTimestamp": at.as_str(), "RecipientParticipantId": customer}],
        })
    );
    client
        .send_event(&token, &SendEventRequest::delivered(&message))
        .unwrap();
    let receipt = &item(&next_text(&mut ws))["MessageMetadata"]["Receipts"][0];
    let keys: Vec<&String> = receipt.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["DeliveredTimestamp", "RecipientParticipantId"]);
}

#[test]
fn a_chunked_bot_message_pushes_its_chunks_then_the_whole() {
    let emulator = Emulator::start().unwrap();
    let (contact, mut ws) = subscribed_customer(&emulator);
    let id = emulator
        .bot_says_chunked(&contact, &["Hel", "lo, ", "world"])
        .unwrap();
    for (n, chunk) in ["Hel", "lo, ", "world"].iter().enumerate() {
        let pushed = item(&next_text(&mut ws));
        assert_eq!(pushed["Id"], id.as_str());
        assert_eq!(pushed["Type"], "MESSAGE");
        assert_eq!(pushed["Content"], *chunk);
        assert_eq!(pushed["ParticipantRole"], "SYSTEM");
        assert_eq!(pushed["DisplayName"], "BOT");
        assert_eq!(
            pushed["MessageMetadata"],
            json!({"MessageCompleted": false, "ChunkNumber": n + 1})
        );
    }
    let frame = next_text(&mut ws);
    assert_eq!(frame, emulator.websocket_frame(&contact, &id).unwrap());
    let whole = item(&frame);
    assert_eq!(whole["Id"], id.as_str());
    assert_eq!(whole["Content"], "Hello, world");
    assert_eq!(whole["MessageMetadata"], json!({"MessageCompleted": true}));
    // Only the whole is in the transcript.
    let (_, transcript) = get_transcript(&emulator, &contact);
    let with_id: Vec<&Value> = transcript
        .iter()
        .filter(|i| i["Id"] == id.as_str())
        .collect();
    assert_eq!(with_id.len(), 1);
    assert_eq!(with_id[0]["Content"], "Hello, world");
}

/// The control path's transcript: (status, items oldest first).
fn get_transcript(emulator: &Emulator, contact: &str) -> (u16, Vec<Value>) {
    let request = format!(
        "GET /emulator/chats/{contact}/transcript HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    );
    let a = utf8_answer(exchange(emulator.addr(), request.as_bytes()));
    let body: Value = serde_json::from_slice(&a.body).unwrap();
    (a.status, body["Transcript"].as_array().unwrap().clone())
}

#[test]
fn an_added_participant_connects_with_its_own_token_and_everyone_sees_everything() {
    let emulator = Emulator::start().unwrap();
    let (contact, mut customer) = subscribed_customer(&emulator);
    let bot_token = emulator
        .add_participant(&contact, "CUSTOM_BOT", "Bot")
        .unwrap();
    let joined = item(&next_text(&mut customer));
    assert_eq!(joined["ContentType"], JOINED);
    assert_eq!(joined["ParticipantRole"], "CUSTOM_BOT");
    assert_eq!(joined["DisplayName"], "Bot");

    let (url, _) = websocket_url(&emulator, &bot_token);
    let mut bot = open(&url).unwrap();
    send(&mut bot, SUBSCRIBE);
    assert_eq!(next_text(&mut bot), SUBSCRIBED);
    assert!(emulator.wait_for_websockets(&contact, 2, BOUND));
    let id = emulator
        .agent_says(&contact, "to both", "text/plain")
        .unwrap();
    let frame = emulator.websocket_frame(&contact, &id).unwrap();
    assert_eq!(next_text(&mut customer), frame);
    assert_eq!(next_text(&mut bot), frame);

    // The control path adds one too, and answers its id and token.
    let (status, body) = post(
        emulator.addr(),
        &format!("/emulator/chats/{contact}/participants"),
        None,
        &json!({"ParticipantRole": "CUSTOM_BOT", "DisplayName": "Other"}),
    );
    assert_eq!(status, 200, "{body}");
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["ParticipantId", "ParticipantToken"]);
    let joined = item(&next_text(&mut customer));
    assert_eq!(joined["ParticipantId"], body["ParticipantId"]);
    let (status, _) = post(
        emulator.addr(),
        "/emulator/chats/nope/participants",
        None,
        &json!({"ParticipantRole": "CUSTOM_BOT", "DisplayName": "Other"}),
    );
    assert_eq!(status, 404);
    let e = emulator
        .add_participant("nope", "CUSTOM_BOT", "Bot")
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);

    // An added event lands in the transcript and is pushed.
    let idle = "application/vnd.amazonaws.connect.event.participant.idle";
    let event = emulator.add_event(&contact, idle).unwrap();
    let pushed = item(&next_text(&mut customer));
    assert_eq!(pushed["Id"], event.as_str());
    assert_eq!(pushed["ContentType"], idle);
    assert_eq!(pushed["ParticipantRole"], "AGENT");
    // The bot saw the other bot join, then the event, in that order.
    assert_eq!(
        item(&next_text(&mut bot))["ParticipantId"],
        body["ParticipantId"]
    );
    assert_eq!(
        next_text(&mut bot),
        emulator.websocket_frame(&contact, &event).unwrap()
    );
}

/// The status of a refused upgrade, and its body.
fn refused(url: &str) -> (u16, String) {
    match open(url) {
        Err(tungstenite::Error::Http(response)) => (
            response.status().as_u16(),
            String::from_utf8(response.body().clone().unwrap_or_default()).unwrap(),
        ),
        Err(e) => panic!("expected an HTTP answer, got {e}"),
        Ok(_) => panic!("expected a refusal"),
    }
}

#[test]
fn expired_and_unknown_urls_are_refused_with_403() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let (url, _) = websocket_url(&emulator, &chat.participant_token);
    let unknown = format!("ws://{}/participant/ws/{}", emulator.addr(), "0".repeat(64));
    assert_eq!(
        refused(&unknown),
        (403, r#"{"message":"Forbidden"}"#.to_owned())
    );
    assert_eq!(emulator.websocket_refusals(), 1);
    // Usable until its ConnectionExpiry, 100 s on the emulator's clock.
    emulator.advance_clock(Duration::from_secs(99));
    drop(open(&url).unwrap());
    emulator.advance_clock(Duration::from_secs(2));
    assert_eq!(
        refused(&url),
        (403, r#"{"message":"Forbidden"}"#.to_owned())
    );
    assert_eq!(emulator.websocket_refusals(), 2);
    assert_eq!(emulator.websocket_handshakes(), 1);

    // Not an upgrade: a 400.
    let path = url
        .strip_prefix(&format!("ws://{}", emulator.addr()))
        .unwrap();
    let (status, _) = post(emulator.addr(), path, None, &json!({}));
    assert_eq!(status, 400);
}

#[test]
fn an_ended_chat_pushes_chat_ended_then_closes_with_1000_and_refuses_its_urls() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let (url, _) = websocket_url(&emulator, &chat.participant_token);
    let mut ws = open(&url).unwrap();
    send(&mut ws, SUBSCRIBE);
    assert_eq!(next_text(&mut ws), SUBSCRIBED);
    assert!(emulator.wait_for_websockets(&chat.contact_id, 1, BOUND));
    emulator.end_chat(&chat.contact_id).unwrap();
    let ended = item(&next_text(&mut ws));
    assert_eq!(ended["ContentType"], CHAT_ENDED);
    assert_eq!(ended["Type"], "EVENT");
    assert_eq!(expect_close(&mut ws), 1000);
    assert_eq!(emulator.websockets(&chat.contact_id), 0);
    assert_eq!(refused(&url).0, 403);
}

#[test]
fn disconnecting_pushes_participant_left_then_closes_that_participant_s_sockets() {
    let emulator = Emulator::start().unwrap();
    let (contact, mut ws) = subscribed_customer(&emulator);
    let token = emulator.connection_token_for(&contact).unwrap();
    let (status, _) = post(
        emulator.addr(),
        "/participant/disconnect",
        Some(token.expose_secret()),
        &json!({}),
    );
    assert_eq!(status, 200);
    assert_eq!(item(&next_text(&mut ws))["ContentType"], LEFT);
    assert_eq!(expect_close(&mut ws), 1000);
}

#[test]
fn with_pushes_off_items_only_land_in_the_transcript_and_push_frame_still_goes() {
    let emulator = Emulator::start().unwrap();
    let (contact, mut ws) = subscribed_customer(&emulator);
    emulator.set_pushes(&contact, false).unwrap();
    let first = emulator
        .agent_says(&contact, "first", "text/plain")
        .unwrap();
    let second = emulator
        .agent_says(&contact, "second", "text/plain")
        .unwrap();
    // Replayed by hand, out of order and twice.
    let frames = [
        emulator.websocket_frame(&contact, &second).unwrap(),
        emulator.websocket_frame(&contact, &first).unwrap(),
        emulator.websocket_frame(&contact, &second).unwrap(),
    ];
    for frame in &frames {
        assert_eq!(emulator.push_frame(&contact, frame).unwrap(), 1);
    }
    for frame in &frames {
        assert_eq!(&next_text(&mut ws), frame);
    }
    emulator.set_pushes(&contact, true).unwrap();
    let third = emulator
        .agent_says(&contact, "third", "text/plain")
        .unwrap();
    assert_eq!(item(&next_text(&mut ws))["Id"], third.as_str());
    assert_eq!(emulator.push_frame(&contact, "not even JSON").unwrap(), 1);
    assert_eq!(next_text(&mut ws), "not even JSON");
    assert_eq!(
        emulator.push_frame("nope", "x").unwrap_err().kind(),
        std::io::ErrorKind::NotFound
    );
}

#[test]
fn dropped_sockets_end_without_a_close_frame_and_closed_ones_with_the_code_given() {
    let emulator = Emulator::start().unwrap();
    let (contact, mut ws) = subscribed_customer(&emulator);
    assert_eq!(emulator.drop_websockets(&contact).unwrap(), 1);
    assert_eq!(emulator.websockets(&contact), 0);
    match ws.read() {
        Err(tungstenite::Error::Protocol(_) | tungstenite::Error::Io(_)) => {}
        Err(tungstenite::Error::ConnectionClosed) => {}
        other => panic!("expected the connection cut, got {other:?}"),
    }

    // A fresh URL works again, and a close with a code of the test's choosing.
    let chat_token = emulator
        .add_participant(&contact, "CUSTOM_BOT", "Bot")
        .unwrap();
    let (url, _) = websocket_url(&emulator, &chat_token);
    let mut ws = open(&url).unwrap();
    send(&mut ws, SUBSCRIBE);
    assert_eq!(next_text(&mut ws), SUBSCRIBED);
    assert!(emulator.wait_for_websockets(&contact, 1, BOUND));
    assert_eq!(emulator.close_websockets(&contact, 4000).unwrap(), 1);
    assert_eq!(expect_close(&mut ws), 4000);
    assert_eq!(emulator.websockets(&contact), 0);
}

#[test]
fn with_heartbeat_answers_off_heartbeats_go_unanswered_and_the_socket_stays() {
    let emulator = Emulator::start().unwrap();
    let (_contact, mut ws) = subscribed_customer(&emulator);
    emulator.set_heartbeat_answers(false);
    emulator.set_deep_heartbeat_answers(false);
    send(&mut ws, HEARTBEAT);
    send(&mut ws, PING);
    // A protocol ping after them: its pong is the next thing back, so they went unanswered.
    ws.send(Message::Ping(vec![1u8].into())).unwrap();
    match ws.read().unwrap() {
        Message::Pong(_) => {}
        other => panic!("expected the pong alone, got {other:?}"),
    }
    // Each is muted apart: heartbeats back on, deep heartbeats still unanswered.
    emulator.set_heartbeat_answers(true);
    send(&mut ws, PING);
    send(&mut ws, HEARTBEAT);
    assert_eq!(next_text(&mut ws), HEARTBEAT);
    emulator.set_heartbeat_answers(false);
    emulator.set_deep_heartbeat_answers(true);
    send(&mut ws, HEARTBEAT);
    send(&mut ws, PING);
    assert_eq!(
        next_text(&mut ws),
        r#"{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}"#
    );
}

#[test]
fn a_socket_that_never_reads_is_dropped_rather_than_stalling_the_chat() {
    let emulator = Emulator::start().unwrap();
    let (contact, _stuck) = subscribed_customer(&emulator);
    // Large frames of the test's own fill the kernel's buffers (a few MiB) and then the
    // socket's queue (4 MiB) in a few dozen pushes; the agent speaks between them, while
    // the client takes nothing. Bounded in case the socket is never dropped.
    let big = "x".repeat(1024 * 1024);
    let started = Instant::now();
    let mut rounds = 0;
    while emulator.websockets(&contact) == 1 && rounds < 200 {
        emulator.push_frame(&contact, &big).unwrap();
        emulator
            .agent_says(&contact, "hello?", "text/plain")
            .unwrap();
        rounds += 1;
    }
    assert_eq!(
        emulator.websockets(&contact),
        0,
        "dropped after {rounds} rounds"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // The chat goes on, and the dropped socket takes nothing more.
    emulator
        .agent_says(&contact, "still here", "text/plain")
        .unwrap();
    assert_eq!(emulator.push_frame(&contact, "x").unwrap(), 0);
}

#[test]
fn dropping_the_emulator_ends_its_sockets_promptly() {
    let emulator = Emulator::start().unwrap();
    let (contact, mut a) = subscribed_customer(&emulator);
    let token = emulator
        .add_participant(&contact, "CUSTOM_BOT", "Bot")
        .unwrap();
    let (url, _) = websocket_url(&emulator, &token);
    let mut b = open(&url).unwrap();
    send(&mut b, SUBSCRIBE);
    assert_eq!(next_text(&mut b), SUBSCRIBED);
    // One socket open but never subscribed, too.
    let chat = emulator.start_chat();
    let (url, _) = websocket_url(&emulator, &chat.participant_token);
    let mut c = open(&url).unwrap();
    assert!(emulator.wait_for_websockets(&contact, 2, BOUND));
    let started = Instant::now();
    drop(emulator);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    for ws in [&mut a, &mut b, &mut c] {
        loop {
            match ws.read() {
                // The joined item pushed to the customer may still be read first.
                Ok(Message::Text(_)) => {}
                Ok(other) => panic!("expected the connection cut, got {other:?}"),
                Err(_) => break,
            }
        }
    }
}

#[test]
fn websockets_are_bounded_in_number_idle_time_and_message_size() {
    let emulator = Emulator::builder()
        .max_websockets(1)
        .idle_timeout(Duration::from_millis(200))
        .start()
        .unwrap();
    let (contact, mut first) = subscribed_customer(&emulator);
    let token = emulator
        .add_participant(&contact, "CUSTOM_BOT", "Bot")
        .unwrap();
    let (url, _) = websocket_url(&emulator, &token);
    assert_eq!(refused(&url).0, 503);
    assert_eq!(emulator.websocket_refusals(), 0, "only 403s are refusals");
    // Silent past the idle timeout: closed with 1001 (going away). The joined item of the
    // bot comes first.
    assert_eq!(item(&next_text(&mut first))["ContentType"], JOINED);
    assert_eq!(expect_close(&mut first), 1001);

    // A message over 64 KiB ends the socket.
    let emulator = Emulator::start().unwrap();
    let (_contact, mut ws) = subscribed_customer(&emulator);
    send(&mut ws, &"x".repeat(65 * 1024));
    loop {
        match ws.read() {
            Ok(Message::Text(t)) => panic!("expected the socket ended, got {t}"),
            Ok(_) => {}
            Err(_) => break,
        }
    }
}

#[test]
fn a_client_s_close_is_answered_and_the_socket_forgotten() {
    let emulator = Emulator::start().unwrap();
    let (contact, mut ws) = subscribed_customer(&emulator);
    ws.close(None).unwrap();
    loop {
        match ws.read() {
            Ok(Message::Close(_)) => {}
            Ok(other) => panic!("expected the close echoed, got {other:?}"),
            Err(tungstenite::Error::ConnectionClosed) => break,
            Err(e) => panic!("expected a clean close, got {e}"),
        }
    }
    assert!(emulator.wait_for_websockets(&contact, 0, BOUND));
    assert_eq!(emulator.websockets(&contact), 0);
}
