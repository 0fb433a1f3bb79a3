//! The chat stream against the emulator's WebSocket: each recovery rule, event by event.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use connect_participant::{
    ChatStream, Connection, ErrorKind, Event, LostReason, Next, Participant, ParticipantToken,
    SendEventRequest, SendMessageRequest, StreamBuilder,
};

use crate::support::content_type::{DELIVERED, INVITED, READ};
use crate::support::stream::{Setup, fast};

/// How long a test waits for one event before it fails: a bound, not a synchronization.
const PATIENCE: Duration = Duration::from_secs(10);

const IDLE: &str = "application/vnd.amazonaws.connect.event.participant.idle";
const RETURNED: &str = "application/vnd.amazonaws.connect.event.participant.returned";
const TRANSFERRED: &str = "application/vnd.amazonaws.connect.event.transfer.succeeded";
const TRANSFER_FAILED: &str = "application/vnd.amazonaws.connect.event.transfer.failed";

fn setup() -> Setup {
    Setup::start(false)
}

fn open(s: &Setup) -> ChatStream {
    let stream = fast(ChatStream::builder(&s.customer)).open().unwrap();
    assert!(
        s.emulator
            .wait_for_websockets(&s.chat.contact_id, 1, PATIENCE)
    );
    stream
}

/// An event in a few words: its kind and what it says.
fn describe(e: &Event) -> String {
    match e {
        Event::Read(r) | Event::Delivered(r) => format!(
            "{} of {} by {}",
            e.name(),
            r.message_id.as_deref().unwrap_or("?"),
            r.recipient.as_deref().unwrap_or("?")
        ),
        Event::ChatEnded(end) => format!(
            "chat.ended item={} error={}",
            end.item.is_some(),
            end.error
                .as_ref()
                .map(|e| e.kind().as_str())
                .unwrap_or("none")
        ),
        _ => {
            let item = e.item().unwrap();
            match &item.content {
                Some(c) => format!("{} {c}", e.name()),
                None => format!(
                    "{} {}",
                    e.name(),
                    item.display_name.as_deref().unwrap_or("")
                ),
            }
        }
    }
}

/// The next `n` chat events, each within [`PATIENCE`]; the connection's transitions
/// (`stream_state.rs` checks them) are passed over.
fn take(stream: &mut ChatStream, n: usize) -> Vec<String> {
    let mut seen = Vec::new();
    while seen.len() < n {
        match stream.next_timeout(PATIENCE) {
            Ok(Next::Event(Event::Connection(_))) => {}
            Ok(Next::Event(e)) => seen.push(describe(&e)),
            other => panic!("after {seen:?}: {other:?}"),
        }
    }
    seen
}

/// The next event that is not a connection transition, within [`PATIENCE`] each.
fn next_event(stream: &mut ChatStream) -> connect_participant::Result<Next> {
    for _ in 0..100 {
        match stream.next_timeout(PATIENCE) {
            Ok(Next::Event(Event::Connection(_))) => {}
            other => return other,
        }
    }
    panic!("only connection transitions");
}

/// Proves nothing else is pending: the agent says `marker`, and it is the next event.
fn nothing_more(s: &Setup, stream: &mut ChatStream, marker: &str) {
    s.emulator
        .agent_says(&s.chat.contact_id, marker, "text/plain")
        .unwrap();
    assert_eq!(take(stream, 1), [format!("message {marker}")]);
}

#[test]
fn every_kind_of_event_arrives_typed_and_the_end_ends_the_stream() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    let hello = s.emulator.agent_says(id, "Hi", "text/plain").unwrap();
    s.customer.send_event(&SendEventRequest::typing()).unwrap();
    s.emulator.add_participant(id, "CUSTOM_BOT", "Bot").unwrap();
    // With three in the chat the service takes no receipts from a participant (409), so
    // the agent's side sends them.
    let message = format!(r#"{{"messageId":"{hello}"}}"#);
    for receipt in [DELIVERED, READ] {
        s.emulator
            .agent_sends_event(id, receipt, Some(&message))
            .unwrap();
    }
    // The last is a type the catalogue does not name.
    let unnamed = "application/vnd.amazonaws.connect.event.participant.renamed";
    for content_type in [
        IDLE,
        RETURNED,
        TRANSFERRED,
        TRANSFER_FAILED,
        INVITED,
        unnamed,
    ] {
        s.emulator.add_event(id, content_type).unwrap();
    }
    s.emulator.end_chat(id).unwrap();

    let seen = take(&mut stream, 12);
    let receipt = seen[3].clone(); // checked below
    assert_eq!(
        seen,
        [
            "message Hi".to_owned(),
            "typing Customer".to_owned(),
            "participant.joined Bot".to_owned(),
            receipt.clone(),
            seen[4].clone(),
            "participant.idle Agent".to_owned(),
            "participant.returned Agent".to_owned(),
            "transfer.succeeded Agent".to_owned(),
            "transfer.failed Agent".to_owned(),
            "participant.invited Agent".to_owned(),
            "other Agent".to_owned(),
            "chat.ended item=true error=none".to_owned(),
        ]
    );
    assert!(
        seen[3].starts_with(&format!("delivered of {hello} by ")),
        "{}",
        seen[3]
    );
    assert!(
        seen[4].starts_with(&format!("read of {hello} by ")),
        "{}",
        seen[4]
    );
    assert!(stream.next().is_none());
    assert!(stream.is_ended());
    assert!(matches!(stream.next_timeout(PATIENCE), Ok(Next::Ended)));
}

#[test]
fn a_receipt_names_its_message_and_recipient() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    let hello = s.emulator.agent_says(id, "Hi", "text/plain").unwrap();
    assert_eq!(take(&mut stream, 1), ["message Hi"]);
    s.customer
        .send_event(&SendEventRequest::read(&hello))
        .unwrap();
    let Ok(Next::Event(Event::Read(receipt))) = next_event(&mut stream) else {
        panic!("no read receipt");
    };
    assert_eq!(receipt.message_id.as_deref(), Some(hello.as_str()));
    assert_eq!(
        receipt.recipient.as_deref(),
        Some(s.chat.customer_participant_id.as_str())
    );
    assert!(receipt.read_at.is_some());
}

#[test]
fn a_dropped_socket_is_replaced_and_what_it_missed_comes_from_the_transcript() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    s.emulator.set_pushes(id, false).unwrap();
    for text in ["one", "two", "three"] {
        s.emulator.agent_says(id, text, "text/plain").unwrap();
    }
    assert_eq!(s.emulator.drop_websockets(id).unwrap(), 1);
    // Pushes are off: these three can only come from the transcript, oldest first.
    assert_eq!(
        take(&mut stream, 3),
        ["message one", "message two", "message three"]
    );
    assert_eq!(s.emulator.websocket_handshakes(), 2);
    s.emulator.set_pushes(id, true).unwrap();
    // A drop with nothing missed yields nothing; the marker proves nothing came twice.
    s.emulator.drop_websockets(id).unwrap();
    assert!(s.emulator.wait_for_websockets(id, 0, PATIENCE));
    nothing_more(&s, &mut stream, "four");
    assert_eq!(s.emulator.websocket_handshakes(), 3);
}

#[test]
fn a_closed_socket_is_replaced_too() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    s.emulator.set_pushes(id, false).unwrap();
    s.emulator
        .agent_says(id, "while closed", "text/plain")
        .unwrap();
    assert_eq!(s.emulator.close_websockets(id, 1001).unwrap(), 1);
    assert_eq!(take(&mut stream, 1), ["message while closed"]);
    s.emulator.set_pushes(id, true).unwrap();
    nothing_more(&s, &mut stream, "after");
}

#[test]
fn a_missed_heartbeat_answer_makes_a_new_connection() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    s.emulator.set_pushes(id, false).unwrap();
    s.emulator.set_heartbeat_answers(false);
    s.emulator.agent_says(id, "unheard", "text/plain").unwrap();
    // Nothing drops the socket: only the unanswered heartbeat makes the stream reconnect,
    // and the reconnection, once its heartbeat is answered, reads the message back.
    let lost = (0..2).find_map(|_| match stream.next_timeout(PATIENCE) {
        Ok(Next::Event(Event::Connection(Connection::Established))) => None,
        Ok(Next::Event(Event::Connection(Connection::Lost(lost)))) => Some(lost),
        other => panic!("{other:?}"),
    });
    assert_eq!(lost.unwrap().reason, LostReason::HeartbeatMissed);
    s.emulator.set_heartbeat_answers(true);
    assert_eq!(take(&mut stream, 1), ["message unheard"]);
    assert_eq!(s.emulator.websocket_handshakes(), 2);
    s.emulator.set_pushes(id, true).unwrap();
    nothing_more(&s, &mut stream, "heard");
}

#[test]
fn an_expired_url_refused_by_the_server_is_replaced() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    let calls_before = count_connections(&s.emulator);
    s.emulator.set_pushes(id, false).unwrap();
    s.emulator.agent_says(id, "later", "text/plain").unwrap();
    // The participant's clock still says the URL is fresh; the emulator's says it expired.
    s.emulator.advance_clock(Duration::from_secs(101));
    s.emulator.drop_websockets(id).unwrap();
    assert_eq!(take(&mut stream, 1), ["message later"]);
    assert_eq!(s.emulator.websocket_refusals(), 1);
    assert_eq!(s.emulator.websocket_handshakes(), 2);
    assert_eq!(count_connections(&s.emulator), calls_before + 1);
}

#[test]
fn an_old_url_is_replaced_before_it_is_tried() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let client = emulator.client_builder().build().unwrap();
    let clock = emulator.clock();
    let customer = Participant::builder(
        &client,
        ParticipantToken::new(chat.participant_token.clone()).unwrap(),
    )
    .clock(clock)
    .connect()
    .unwrap();
    let mut stream = fast(ChatStream::builder(&customer)).open().unwrap();
    let id = &chat.contact_id;
    emulator.set_pushes(id, false).unwrap();
    emulator.agent_says(id, "later", "text/plain").unwrap();
    // 86 s on the participant's clock: past the 85 s ChatJS gives a URL.
    emulator.advance_clock(Duration::from_secs(86));
    emulator.drop_websockets(id).unwrap();
    let Ok(Next::Event(e)) = next_event(&mut stream) else {
        panic!("no event");
    };
    assert_eq!(describe(&e), "message later");
    assert_eq!(
        emulator.websocket_refusals(),
        0,
        "the old URL was not tried"
    );
    assert_eq!(emulator.websocket_handshakes(), 2);
}

/// CreateParticipantConnection calls the emulator has answered.
fn count_connections(emulator: &Emulator) -> usize {
    emulator
        .seen_requests()
        .iter()
        .filter(|r| r.path == "/participant/connection")
        .count()
}

#[test]
fn a_403_on_reconnection_ends_the_stream_with_chat_ended() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    // The end is not pushed: the stream learns it from CreateParticipantConnection.
    s.emulator.set_pushes(id, false).unwrap();
    s.emulator.end_chat(id).unwrap();
    let Ok(Next::Event(Event::ChatEnded(end))) = next_event(&mut stream) else {
        panic!("no end");
    };
    assert!(end.item.is_none());
    let error = end.error.unwrap();
    assert_eq!(error.kind(), ErrorKind::ChatEnded);
    assert!(
        error
            .to_string()
            .starts_with("the chat has ended: CreateParticipantConnection answered 403"),
        "{error}"
    );
    assert!(stream.next().is_none());
    // Later calls of the participant know it too, and send nothing.
    let e = s
        .customer
        .send_message(&SendMessageRequest::text("hello?"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ChatEnded);
}

#[test]
fn duplicate_and_reordered_frames_are_each_yielded_once_in_arrival_order() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    s.emulator.set_pushes(id, false).unwrap();
    let a = s.emulator.agent_says(id, "A", "text/plain").unwrap();
    let b = s.emulator.agent_says(id, "B", "text/plain").unwrap();
    let fa = s.emulator.websocket_frame(id, &a).unwrap();
    let fb = s.emulator.websocket_frame(id, &b).unwrap();
    for frame in [&fb, &fa, &fb, &fa, &fb] {
        assert_eq!(s.emulator.push_frame(id, frame).unwrap(), 1);
    }
    // The same Id with other content is an update, never a duplicate.
    let changed = fa.replace(r#"\"Content\":\"A\""#, r#"\"Content\":\"A, edited\""#);
    assert_ne!(changed, fa);
    s.emulator.push_frame(id, &changed).unwrap();
    s.emulator.set_pushes(id, true).unwrap();
    assert_eq!(
        take(&mut stream, 3),
        ["message B", "message A", "update A, edited"]
    );
    nothing_more(&s, &mut stream, "C");
}

#[test]
fn a_frame_of_hundreds_of_kilobytes_is_read_whole_and_one_over_a_mebibyte_drops_the_socket() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    s.emulator.set_pushes(id, false).unwrap();
    // Far larger than the stream's read buffer (a few KiB): it grows for the frame.
    let a = s.emulator.agent_says(id, "A", "text/plain").unwrap();
    let big = "x".repeat(700 * 1024);
    let frame = s.emulator.websocket_frame(id, &a).unwrap();
    let large = frame.replace(r#"\"Content\":\"A\""#, &format!(r#"\"Content\":\"{big}\""#));
    assert_ne!(large, frame);
    assert_eq!(s.emulator.push_frame(id, &large).unwrap(), 1);
    match next_event(&mut stream) {
        Ok(Next::Event(Event::Message(item))) => assert_eq!(item.content.as_deref(), Some(&*big)),
        other => panic!("{other:?}"),
    }
    // Over the 1 MiB cap: the socket is given up and replaced, and the message comes from
    // the transcript instead.
    let b = s.emulator.agent_says(id, "B", "text/plain").unwrap();
    let frame = s.emulator.websocket_frame(id, &b).unwrap();
    let over = "y".repeat(1024 * 1024);
    let over = frame.replace(
        r#"\"Content\":\"B\""#,
        &format!(r#"\"Content\":\"{over}\""#),
    );
    assert_eq!(s.emulator.push_frame(id, &over).unwrap(), 1);
    assert_eq!(take(&mut stream, 1), ["message B"]);
    assert_eq!(s.emulator.websocket_handshakes(), 2);
    s.emulator.set_pushes(id, true).unwrap();
    nothing_more(&s, &mut stream, "C");
}

#[test]
fn a_streamed_bot_message_grows_by_updates() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    s.emulator
        .bot_says_chunked(id, &["Hel", "lo, ", "world"])
        .unwrap();
    let mut events = Vec::new();
    for _ in 0..4 {
        match next_event(&mut stream).unwrap() {
            Next::Event(e) => events.push(e),
            other => panic!("{other:?}"),
        }
    }
    let seen: Vec<String> = events.iter().map(describe).collect();
    assert_eq!(
        seen,
        [
            "message Hel",
            "update Hello, ",
            "update Hello, world",
            "update Hello, world"
        ]
    );
    let ids: Vec<_> = events
        .iter()
        .map(|e| e.item().unwrap().id.clone())
        .collect();
    assert!(ids.iter().all(|i| i == &ids[0]));
    let last = events[3].item().unwrap().message_metadata.clone().unwrap();
    assert_eq!(last.message_completed, Some(true));
    // After a reconnection the transcript's copy of the message is not news.
    s.emulator.drop_websockets(id).unwrap();
    nothing_more(&s, &mut stream, "after");
}

#[test]
fn chunks_out_of_order_wait_for_their_turn() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    let chunk = |n: u32, text: &str| {
        let item = format!(
            r#"{{"Id":"streamed-1","Type":"MESSAGE","ParticipantRole":"SYSTEM","DisplayName":"BOT","Content":"{text}","ContentType":"text/plain","AbsoluteTime":"2026-11-27T00:00:0{n}.000Z","MessageMetadata":{{"MessageCompleted":false,"ChunkNumber":{n}}}}}"#
        );
        serde_json::json!({"content": item, "contentType": "application/json", "topic": "aws/chat"})
            .to_string()
    };
    for (n, text) in [(2, "b"), (3, "c"), (1, "a"), (3, "c"), (4, "d")] {
        s.emulator.push_frame(id, &chunk(n, text)).unwrap();
    }
    assert_eq!(take(&mut stream, 2), ["message abc", "update abcd"]);
    nothing_more(&s, &mut stream, "done");
}

#[test]
fn garbled_frames_are_ignored_or_recovered_from_the_transcript() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    // Not JSON, another topic, binary-looking text: ignored, the socket kept.
    for junk in ["", "garbage", "[1,2]", r#"{"topic":"aws/else"}"#] {
        s.emulator.push_frame(id, junk).unwrap();
    }
    nothing_more(&s, &mut stream, "still here");
    assert_eq!(s.emulator.websocket_handshakes(), 1);
    // A chat frame whose item cannot be read: the item is read back from the transcript
    // over a new connection.
    s.emulator.set_pushes(id, false).unwrap();
    s.emulator.agent_says(id, "mangled", "text/plain").unwrap();
    s.emulator
        .push_frame(id, r#"{"topic":"aws/chat","content":"{not json"}"#)
        .unwrap();
    assert_eq!(take(&mut stream, 1), ["message mangled"]);
    assert_eq!(s.emulator.websocket_handshakes(), 2);
    s.emulator.set_pushes(id, true).unwrap();
    // The service's error frame (no topic) also means a new connection.
    s.emulator
        .push_frame(
            id,
            r#"{"message":"Forbidden","connectionId":"c","requestId":"r"}"#,
        )
        .unwrap();
    nothing_more(&s, &mut stream, "after the error");
}

#[test]
fn history_yields_the_transcript_first() {
    let s = setup();
    let id = &s.chat.contact_id;
    s.emulator.agent_says(id, "earlier", "text/plain").unwrap();
    let mut stream = fast(ChatStream::builder(&s.customer))
        .history(true)
        .open()
        .unwrap();
    assert_eq!(
        take(&mut stream, 3),
        [
            "participant.joined Customer",
            "participant.joined Agent",
            "message earlier"
        ]
    );
    nothing_more(&s, &mut stream, "now");
    // Without history, what was there before is not yielded.
    let mut live = fast(ChatStream::builder(&s.customer)).open().unwrap();
    nothing_more(&s, &mut live, "only this");
}

#[test]
fn sockets_are_replaced_when_their_lifetime_ends_without_losing_items() {
    let s = setup();
    let mut stream = fast(ChatStream::builder(&s.customer))
        .socket_lifetime(Duration::from_millis(30))
        .open()
        .unwrap();
    for i in 0..5 {
        nothing_more(&s, &mut stream, &format!("m{i}"));
    }
    assert!(s.emulator.websocket_handshakes() >= 1);
}

#[test]
fn the_stream_reads_while_another_thread_sends() {
    let s = setup();
    let mut stream = open(&s);
    let sender = s.customer.clone();
    let id = s.chat.contact_id.clone();
    let writer = std::thread::spawn(move || {
        for i in 0..20 {
            sender
                .send_message(&SendMessageRequest::text(format!("n{i}")))
                .unwrap();
        }
    });
    let seen = take(&mut stream, 20);
    writer.join().unwrap();
    let expected: Vec<String> = (0..20).map(|i| format!("message n{i}")).collect();
    assert_eq!(seen, expected);
    let _ = id;
}

#[test]
fn the_stream_gives_up_after_its_attempts_and_says_why() {
    let s = setup();
    let mut stream = fast(ChatStream::builder(&s.customer))
        .max_reconnect_attempts(3)
        .open()
        .unwrap();
    let Setup {
        emulator, customer, ..
    } = s;
    drop(emulator); // the service is gone: every attempt fails to connect
    let mut seen = Vec::new();
    let error = loop {
        match stream.next_timeout(PATIENCE) {
            Ok(Next::Event(Event::Connection(Connection::Broken(e)))) => break e,
            Ok(Next::Event(e)) => seen.push(e.name()),
            other => panic!("{other:?}"),
        }
    };
    // Established, then one loss however many attempts fail: no Err from the iterator.
    assert_eq!(seen, ["connection", "connection"]);
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert_eq!(error.attempts(), 3);
    assert!(error.is_retryable());
    assert!(
        error
            .to_string()
            .starts_with("the chat stream gave up reconnecting; 3 attempts"),
        "{error}"
    );
    assert!(std::error::Error::source(&error).is_some());
    assert!(stream.is_ended());
    assert_eq!(stream.health(), connect_participant::Health::Broken);
    assert!(stream.next().is_none());
    drop(customer);
}

#[test]
fn a_participant_without_websocket_cannot_stream() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let client = emulator.client_builder().build().unwrap();
    let token = ParticipantToken::new(chat.participant_token.clone()).unwrap();
    let p = Participant::builder(&client, token)
        .connection_request(
            connect_participant::CreateParticipantConnectionRequest::new()
                .with_types([connect_participant::ConnectionType::ConnectionCredentials]),
        )
        .connect()
        .unwrap();
    let e = p.stream().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        e.to_string(),
        "invalid Type: a chat stream needs WEBSOCKET among the participant's connection types"
    );
}

#[test]
fn settings_out_of_range_are_refused() {
    let s = setup();
    type Set = fn(StreamBuilder) -> StreamBuilder;
    let cases: [(Set, &str); 4] = [
        (
            |b| b.heartbeat_interval(Duration::ZERO),
            "heartbeat interval must be 1 ms to 1 hour",
        ),
        (
            |b| b.reconnect_backoff(Duration::from_secs(2), Duration::from_secs(1)),
            "reconnect back-off must have initial <= max <= 1 hour",
        ),
        (
            |b| b.max_reconnect_attempts(0),
            "max_reconnect_attempts must be at least 1",
        ),
        (
            |b| b.socket_lifetime(Duration::ZERO),
            "socket lifetime must be at least 1 ms",
        ),
    ];
    for (set, message) in cases {
        let e = set(ChatStream::builder(&s.customer)).open().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert_eq!(e.to_string(), message);
    }
    assert_eq!(s.emulator.websocket_handshakes(), 0);
}

#[test]
fn the_websocket_url_never_shows() {
    let s = setup();
    let stream = open(&s);
    let url = s.customer.websocket().unwrap().url.unwrap();
    let secret = url.expose_secret().rsplit('/').next().unwrap().to_owned();
    assert!(secret.len() >= 16, "{secret}");
    for text in [
        format!("{stream:?}"),
        format!("{stream:#?}"),
        format!("{:?}", ChatStream::builder(&s.customer)),
        format!("{:?}", s.customer),
    ] {
        assert!(!text.contains(&secret), "{text}");
    }
}

#[test]
fn the_connection_token_is_renewed_while_streaming() {
    let emulator = Emulator::builder()
        .connection_token_lifetime(Duration::from_secs(300))
        .start()
        .unwrap();
    let chat = emulator.start_chat();
    let client = emulator.client_builder().build().unwrap();
    let token = ParticipantToken::new(chat.participant_token.clone()).unwrap();
    let customer = Participant::builder(&client, token)
        .clock(emulator.clock())
        .connect()
        .unwrap();
    let mut stream = fast(ChatStream::builder(&customer)).open().unwrap();
    let id = &chat.contact_id;
    let calls = count_connections(&emulator);
    emulator.set_pushes(id, false).unwrap();
    emulator
        .agent_says(id, "an hour later", "text/plain")
        .unwrap();
    // The connection token has expired, and so has the URL.
    emulator.advance_clock(Duration::from_secs(3600));
    emulator.drop_websockets(id).unwrap();
    let Ok(Next::Event(e)) = next_event(&mut stream) else {
        panic!("no event");
    };
    assert_eq!(describe(&e), "message an hour later");
    // One CreateParticipantConnection gave both the URL and the token the catch-up used.
    assert_eq!(count_connections(&emulator), calls + 1);
    // The sender shares the renewed token.
    customer
        .send_message(&SendMessageRequest::text("still here"))
        .unwrap();
    assert_eq!(count_connections(&emulator), calls + 1);
}

#[test]
fn opening_a_stream_of_an_ended_chat_says_the_chat_ended() {
    let s = setup();
    s.emulator.end_chat(&s.chat.contact_id).unwrap();
    for history in [false, true] {
        let e = fast(ChatStream::builder(&s.customer))
            .history(history)
            .open()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ChatEnded, "history {history}: {e}");
    }
    assert_eq!(s.emulator.websocket_handshakes(), 0);
}

#[test]
fn settings_past_their_ceiling_are_refused_and_the_ceilings_taken() {
    let s = setup();
    let hour = Duration::from_secs(3600);
    let over = hour + Duration::from_millis(1);
    let e = ChatStream::builder(&s.customer)
        .heartbeat_interval(over)
        .open()
        .unwrap_err();
    assert_eq!(e.to_string(), "heartbeat interval must be 1 ms to 1 hour");
    let e = ChatStream::builder(&s.customer)
        .reconnect_backoff(Duration::ZERO, over)
        .open()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "reconnect back-off must have initial <= max <= 1 hour"
    );
    assert_eq!(s.emulator.websocket_handshakes(), 0);
    // The ceilings themselves, and the largest attempt count, are taken.
    let stream = ChatStream::builder(&s.customer)
        .heartbeat_interval(hour)
        .reconnect_backoff(hour, hour)
        .max_reconnect_attempts(u32::MAX)
        .socket_lifetime(Duration::MAX)
        .open()
        .unwrap();
    assert!(
        s.emulator
            .wait_for_websockets(&s.chat.contact_id, 1, PATIENCE)
    );
    drop(stream);
}
