//! The stream's live state against the emulator: its connection's transitions as events
//!, the deep heartbeat, the make-before-break rotation, the chat's end and this
//! participant's departure known to every handle, and the control paths that drive them.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use connect_participant::{
    ChatStream, Connection, DisconnectParticipantRequest, ErrorKind, Event, Health, LostReason,
    Next, Participant, ParticipantToken, Receipts, SendMessageRequest, TypingThrottle,
};
use serde_json::json;

use crate::support::content_type::{AUTODISCONNECTION, LEFT, TYPING};
use crate::support::raw::call;
use crate::support::stream::{Setup, fast};

/// How long a test waits for one event before it fails: a bound, not a synchronization.
const PATIENCE: Duration = Duration::from_secs(10);

/// A chat, and its customer, who knows its own `ParticipantId`.
fn setup() -> Setup {
    Setup::start(true)
}

/// Opens a fast stream; its first event must be `Established`, once the emulator counts
/// its socket.
fn open(s: &Setup) -> ChatStream {
    let mut stream = fast(ChatStream::builder(&s.customer)).open().unwrap();
    assert_eq!(next(&mut stream), "established");
    assert_eq!(stream.health(), Health::Connected);
    stream
}

/// An event in a few words.
fn describe(e: &Event) -> String {
    match e {
        Event::Connection(Connection::Lost(lost)) => format!("lost: {}", lost.reason),
        Event::Connection(Connection::Restored(back)) => format!("restored {}", back.missed),
        Event::Connection(Connection::Broken(e)) => format!("broken {}", e.kind().as_str()),
        Event::Connection(c) => c.name().to_owned(),
        Event::Left(end) => format!(
            "left {}",
            end.item
                .as_ref()
                .and_then(|i| i.content_type.clone())
                .unwrap_or_default()
        ),
        _ => {
            let item = e.item().unwrap();
            match &item.content {
                Some(c) => format!("{} {c}", e.name()),
                None => e.name().to_owned(),
            }
        }
    }
}

/// The next event, within [`PATIENCE`], in a few words.
fn next(stream: &mut ChatStream) -> String {
    match stream.next_timeout(PATIENCE) {
        Ok(Next::Event(e)) => describe(&e),
        other => panic!("{other:?}"),
    }
}

fn take(stream: &mut ChatStream, n: usize) -> Vec<String> {
    (0..n).map(|_| next(stream)).collect()
}

/// Proves nothing else is pending: the agent says `marker`, and it is the next event.
fn nothing_more(s: &Setup, stream: &mut ChatStream, marker: &str) {
    s.emulator
        .agent_says(&s.chat.contact_id, marker, "text/plain")
        .unwrap();
    assert_eq!(next(stream), format!("message {marker}"));
}

#[test]
fn an_outage_is_one_lost_and_one_restored_with_what_was_missed_after_it() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    s.emulator.set_pushes(id, false).unwrap();
    s.emulator.agent_says(id, "one", "text/plain").unwrap();
    s.emulator.agent_says(id, "two", "text/plain").unwrap();
    assert_eq!(s.emulator.drop_websockets(id).unwrap(), 1);
    assert_eq!(
        next(&mut stream),
        "lost: read error: the connection dropped without a close frame"
    );
    // Nothing reconnects before the next call: the loss is what the stream knows now.
    assert!(matches!(
        stream.health(),
        Health::Reconnecting { attempts: 0, .. }
    ));
    let mut back = stream.next_timeout(PATIENCE).unwrap();
    let Next::Event(Event::Connection(Connection::Restored(restored))) = &mut back else {
        panic!("{back:?}");
    };
    assert_eq!(restored.missed, 2);
    assert!(restored.down_for < PATIENCE);
    assert_eq!(take(&mut stream, 2), ["message one", "message two"]);
    assert_eq!(stream.health(), Health::Connected);
    s.emulator.set_pushes(id, true).unwrap();
    nothing_more(&s, &mut stream, "three");
}

#[test]
fn a_close_code_is_the_lost_reason() {
    let s = setup();
    let mut stream = open(&s);
    assert_eq!(
        s.emulator
            .close_websockets(&s.chat.contact_id, 4001)
            .unwrap(),
        1
    );
    let Ok(Next::Event(Event::Connection(Connection::Lost(lost)))) = stream.next_timeout(PATIENCE)
    else {
        panic!("no loss");
    };
    assert_eq!(lost.reason, LostReason::Closed(Some(4001)));
    assert_eq!(next(&mut stream), "restored 0");
    nothing_more(&s, &mut stream, "after");
}

#[test]
fn muted_heartbeats_are_a_lost_heartbeat_and_muted_deep_heartbeats_a_failed_one() {
    let s = setup();
    let mut stream = open(&s);
    s.emulator.set_heartbeat_answers(false);
    assert_eq!(next(&mut stream), "lost: heartbeat missed");
    s.emulator.set_heartbeat_answers(true);
    assert_eq!(next(&mut stream), "restored 0");
    nothing_more(&s, &mut stream, "heard");
    s.emulator.set_deep_heartbeat_answers(false);
    assert_eq!(next(&mut stream), "lost: deep heartbeat failed");
    s.emulator.set_deep_heartbeat_answers(true);
    assert_eq!(next(&mut stream), "restored 0");
    nothing_more(&s, &mut stream, "deep heard");
}

#[test]
fn unhealthy_deep_heartbeat_answers_are_no_answers_until_healthy_ones_restore() {
    let s = setup();
    let mut stream = open(&s);
    s.emulator.set_deep_heartbeat_health(false);
    // Decided at the next tick, as no answer.
    assert_eq!(next(&mut stream), "lost: deep heartbeat failed");
    assert!(matches!(
        stream.health(),
        Health::Reconnecting { attempts: 0, .. }
    ));
    s.emulator.set_deep_heartbeat_health(true);
    // The new socket's first deep heartbeat, sent at once, is answered healthy.
    assert_eq!(next(&mut stream), "restored 0");
    assert_eq!(stream.health(), Health::Connected);
    nothing_more(&s, &mut stream, "healthy again");
}

/// The transitions of a stream (3 attempts at most) whose sockets never prove themselves
/// because of `fault`: one lost, then broken after 3 failed attempts, Reconnecting
/// meanwhile, never Restored; what the catch-ups found comes before the end.
fn one_loss_then_broken(fault: impl FnOnce(&Emulator), lost: &str) {
    let s = setup();
    let mut stream = fast(ChatStream::builder(&s.customer))
        .max_reconnect_attempts(3)
        .open()
        .unwrap();
    assert_eq!(next(&mut stream), "established");
    let id = &s.chat.contact_id;
    s.emulator.set_pushes(id, false).unwrap();
    fault(&s.emulator);
    assert_eq!(next(&mut stream), lost);
    s.emulator
        .agent_says(id, "while away", "text/plain")
        .unwrap();
    let mut seen = Vec::new();
    for _ in 0..500 {
        match stream.next_timeout(Duration::from_millis(20)).unwrap() {
            Next::TimedOut => assert!(
                matches!(stream.health(), Health::Reconnecting { .. }),
                "{:?}",
                stream.health()
            ),
            Next::Event(Event::Connection(Connection::Broken(e))) => {
                seen.push(Event::Connection(Connection::Broken(e)));
                break;
            }
            Next::Event(e) => seen.push(e),
            other => panic!("{other:?}"),
        }
    }
    let Some(Event::Connection(Connection::Broken(e))) = seen.pop() else {
        panic!("{seen:?}");
    };
    let seen: Vec<_> = seen.iter().map(describe).collect();
    assert_eq!(
        seen,
        ["message while away"],
        "held, then given before the end"
    );
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(e.attempts(), 3, "{e}");
    assert!(stream.next().is_none());
    assert_eq!(stream.health(), Health::Broken);
    // The first socket, and one per failed attempt.
    assert_eq!(s.emulator.websocket_handshakes(), 4);
}

#[test]
fn heartbeats_muted_for_good_are_one_loss_then_broken() {
    one_loss_then_broken(|e| e.set_heartbeat_answers(false), "lost: heartbeat missed");
}

#[test]
fn deep_heartbeats_muted_for_good_are_one_loss_then_broken() {
    one_loss_then_broken(
        |e| e.set_deep_heartbeat_answers(false),
        "lost: deep heartbeat failed",
    );
}

#[test]
fn deep_heartbeats_unhealthy_for_good_are_one_loss_then_broken() {
    one_loss_then_broken(
        |e| e.set_deep_heartbeat_health(false),
        "lost: deep heartbeat failed",
    );
}

#[test]
fn restored_counts_what_every_catch_up_of_the_outage_found_and_it_follows() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    s.emulator.set_pushes(id, false).unwrap();
    s.emulator.set_heartbeat_answers(false);
    s.emulator.agent_says(id, "one", "text/plain").unwrap();
    assert_eq!(next(&mut stream), "lost: heartbeat missed");
    // A reconnection catches "one" up, then fails (no heartbeat answer); the next one
    // catches "two" up.
    quiet_until(&mut stream, || s.emulator.websocket_handshakes() >= 2);
    s.emulator.agent_says(id, "two", "text/plain").unwrap();
    quiet_until(&mut stream, || s.emulator.websocket_handshakes() >= 3);
    assert!(matches!(
        stream.health(),
        Health::Reconnecting { attempts: 1.., .. }
    ));
    s.emulator.set_heartbeat_answers(true);
    assert_eq!(
        take(&mut stream, 3),
        ["restored 2", "message one", "message two"]
    );
    s.emulator.set_pushes(id, true).unwrap();
    nothing_more(&s, &mut stream, "three");
}

#[test]
fn a_reconnection_asks_for_its_proof_at_once() {
    let s = setup();
    // An hour between heartbeats: only the one sent at once proves the new socket.
    let mut stream = ChatStream::builder(&s.customer)
        .heartbeat_interval(Duration::from_secs(3600))
        .open()
        .unwrap();
    assert_eq!(next(&mut stream), "established");
    assert_eq!(s.emulator.drop_websockets(&s.chat.contact_id).unwrap(), 1);
    assert!(next(&mut stream).starts_with("lost: read error: "));
    assert_eq!(next(&mut stream), "restored 0");
}

#[test]
fn a_passed_deadline_starts_no_connection_attempt() {
    let s = setup();
    let mut stream = open(&s);
    assert_eq!(s.emulator.drop_websockets(&s.chat.contact_id).unwrap(), 1);
    assert!(next(&mut stream).starts_with("lost: read error: "));
    for _ in 0..3 {
        assert!(matches!(
            stream.next_timeout(Duration::ZERO).unwrap(),
            Next::TimedOut
        ));
    }
    assert_eq!(s.emulator.websocket_handshakes(), 1, "no attempt was made");
    assert_eq!(next(&mut stream), "restored 0");
    assert_eq!(s.emulator.websocket_handshakes(), 2);
}

#[test]
fn without_deep_heartbeats_muted_ping_answers_change_nothing() {
    let s = setup();
    let mut stream = fast(ChatStream::builder(&s.customer))
        .deep_heartbeat(false)
        .open()
        .unwrap();
    assert_eq!(next(&mut stream), "established");
    s.emulator.set_deep_heartbeat_answers(false);
    let sick = r#"{"topic":"aws/ping","statusCode":500,"statusContent":"Internal Server Error"}"#;
    assert_eq!(s.emulator.push_frame(&s.chat.contact_id, sick).unwrap(), 1);
    // Several heartbeats pass (100 ms each); the unsolicited unhealthy answer is ignored.
    for i in 0..5 {
        match stream.next_timeout(Duration::from_millis(150)).unwrap() {
            Next::TimedOut => {}
            other => panic!("{i}: {other:?}"),
        }
    }
    nothing_more(&s, &mut stream, "still on");
    assert_eq!(s.emulator.websocket_handshakes(), 1);
}

/// A typing frame without an `Id`, as the service may push it.
fn typing_frame_without_id() -> String {
    let item = json!({
        "AbsoluteTime": "2026-12-07T06:00:00.000Z",
        "ContentType": TYPING,
        "Type": "EVENT",
        "ParticipantRole": "AGENT",
        "DisplayName": "Agent",
    });
    json!({"content": item.to_string(), "contentType": "application/json", "topic": "aws/chat"})
        .to_string()
}

#[test]
fn a_rotation_opens_the_new_socket_first_and_yields_what_both_got_once() {
    let s = setup();
    // The overlap lasts until the new socket answers a heartbeat, sent an interval (1 s)
    // after the new socket is up; and the stream reads only within its calls. A call
    // that opens the new socket ends (10 ms) before its first heartbeat is due: between
    // the calls, nothing can end the overlap.
    let mut stream = ChatStream::builder(&s.customer)
        .heartbeat_interval(Duration::from_secs(1))
        .socket_lifetime(Duration::from_millis(50))
        .open()
        .unwrap();
    assert_eq!(next(&mut stream), "established");
    let id = s.chat.contact_id.clone();
    for _ in 0..500 {
        if s.emulator.websocket_handshakes() >= 2 {
            break;
        }
        match stream.next_timeout(Duration::from_millis(10)).unwrap() {
            Next::TimedOut => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(s.emulator.websocket_handshakes(), 2);
    // Both sockets subscribed: the old one is still open, the new one is ready.
    assert_eq!(s.emulator.websockets(&id), 2);
    s.emulator
        .agent_says(&id, "during the overlap", "text/plain")
        .unwrap();
    let typing_sockets = s
        .emulator
        .push_frame(&id, &typing_frame_without_id())
        .unwrap();
    assert_eq!(typing_sockets, 2, "both sockets got the typing frame");
    let mut seen = take(&mut stream, 2);
    // Read on until the overlap is over: the new socket answered a heartbeat (which the
    // emulator queued after the frames above, so both copies of each were read), the old
    // one was closed, and, its lifetime long past, the next rotation began.
    for _ in 0..200 {
        if s.emulator.websocket_handshakes() >= 3 {
            break;
        }
        if let Next::Event(e) = stream.next_timeout(Duration::from_millis(50)).unwrap() {
            seen.push(describe(&e));
        }
    }
    assert_eq!(s.emulator.websocket_handshakes(), 3);
    // Each once, and no transition: a rotation is not an outage.
    assert_eq!(seen, ["message during the overlap", "typing"]);
    nothing_more(&s, &mut stream, "after the overlap");
    assert_eq!(stream.health(), Health::Connected);
}

/// Reads `stream` (nothing must come) until `done`, at most [`PATIENCE`].
fn quiet_until(stream: &mut ChatStream, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        match stream.next_timeout(Duration::from_millis(50)).unwrap() {
            Next::TimedOut => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(done());
}

#[test]
fn a_failed_rotation_keeps_the_old_socket_and_tries_again() {
    let s = setup();
    let mut stream = fast(ChatStream::builder(&s.customer))
        .socket_lifetime(Duration::from_millis(300))
        .open()
        .unwrap();
    assert_eq!(next(&mut stream), "established");
    // The participant's clock still says its URL is fresh; the emulator's says it
    // expired: the rotation's new socket is refused.
    s.emulator.advance_clock(Duration::from_secs(101));
    quiet_until(&mut stream, || s.emulator.websocket_refusals() == 1);
    // No outage: the old socket is kept, and works.
    assert_eq!(stream.health(), Health::Connected);
    assert_eq!(s.emulator.websocket_handshakes(), 1);
    nothing_more(&s, &mut stream, "after the refusal");
    // Tried again after the socket's lifetime (shorter than 30 s), with a new URL.
    quiet_until(&mut stream, || s.emulator.websocket_handshakes() == 2);
    assert_eq!(s.emulator.websocket_refusals(), 1);
    nothing_more(&s, &mut stream, "after the rotation");
    assert_eq!(stream.health(), Health::Connected);
}

#[test]
fn chat_ended_on_the_stream_ends_every_handle_without_sending() {
    let s = setup();
    let mut stream = open(&s);
    let hello = s
        .emulator
        .agent_says(&s.chat.contact_id, "Hi", "text/plain")
        .unwrap();
    assert_eq!(next(&mut stream), "message Hi");
    let clone = s.customer.clone();
    let mut typing = TypingThrottle::for_participant(s.customer.clone());
    let mut receipts = Receipts::for_participant(s.customer.clone());
    s.emulator.end_chat(&s.chat.contact_id).unwrap();
    assert_eq!(next(&mut stream), "chat.ended");
    assert!(stream.next().is_none());
    assert_eq!(stream.health(), Health::Ended);
    assert!(clone.has_ended() && !clone.has_left());
    let before = s.emulator.requests();
    let e = clone
        .send_message(&SendMessageRequest::text("hello?"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ChatEnded);
    let e = typing.typing().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ChatEnded);
    let _ = receipts.read(&hello);
    let _ = receipts.flush();
    assert_eq!(
        s.emulator.requests(),
        before,
        "nothing was sent after the end"
    );
}

#[test]
fn this_participant_disconnecting_is_left_not_the_chat_ending() {
    let s = setup();
    let mut stream = open(&s);
    s.customer
        .disconnect(&DisconnectParticipantRequest::new())
        .unwrap();
    assert_eq!(next(&mut stream), format!("left {LEFT}"));
    assert!(stream.next().is_none());
    assert!(s.customer.has_left() && !s.customer.has_ended());
    let e = s
        .customer
        .send_message(&SendMessageRequest::text("still there?"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Left);
}

#[test]
fn being_disconnected_by_the_service_is_left() {
    let s = setup();
    let mut stream = open(&s);
    let item = json!({
        "AbsoluteTime": "2026-12-07T06:00:00.000Z",
        "ContentType": AUTODISCONNECTION,
        "Id": "auto-1",
        "Type": "EVENT",
        "ParticipantId": s.chat.customer_participant_id,
        "ParticipantRole": "CUSTOMER",
        "DisplayName": "Customer",
    });
    let frame = json!({"content": item.to_string(), "contentType": "application/json", "topic": "aws/chat"});
    s.emulator
        .push_frame(&s.chat.contact_id, &frame.to_string())
        .unwrap();
    assert_eq!(next(&mut stream), format!("left {AUTODISCONNECTION}"));
    assert!(stream.next().is_none());
    assert!(s.customer.has_left());
}

#[test]
fn another_participant_leaving_is_only_their_departure() {
    let s = setup();
    let mut stream = open(&s);
    let id = &s.chat.contact_id;
    let bot_token = s.emulator.add_participant(id, "CUSTOM_BOT", "Bot").unwrap();
    let client = s.emulator.client_builder().build().unwrap();
    let bot = Participant::connect(&client, ParticipantToken::new(bot_token).unwrap()).unwrap();
    assert_eq!(next(&mut stream), "participant.joined");
    bot.disconnect(&DisconnectParticipantRequest::new())
        .unwrap();
    assert_eq!(next(&mut stream), "participant.left");
    nothing_more(&s, &mut stream, "still here");
    assert!(!s.customer.has_left() && !s.customer.has_ended());
}

// ---------------------------------------------------------------------------------------
// The control paths

#[test]
fn the_control_path_drops_and_closes_a_chats_websockets() {
    let s = setup();
    let mut stream = open(&s);
    let addr = s.emulator.addr();
    let id = &s.chat.contact_id;
    let drop = format!("/emulator/chats/{id}/websockets/drop");
    let a = call(addr, "POST", &drop, None, "");
    assert_eq!(
        (a.status, a.text()),
        (200, r#"{"WebSockets":1}"#.to_owned())
    );
    assert!(next(&mut stream).starts_with("lost: read error: "));
    assert_eq!(next(&mut stream), "restored 0");
    let close = format!("/emulator/chats/{id}/websockets/close");
    let a = call(addr, "POST", &close, None, r#"{"Code":4002}"#);
    assert_eq!(
        (a.status, a.text()),
        (200, r#"{"WebSockets":1}"#.to_owned())
    );
    assert_eq!(next(&mut stream), "lost: closed with code 4002");
    assert_eq!(next(&mut stream), "restored 0");
    let rule = "Code must be a close code a server can send: 1000 to 1003, 1007 to 1014, or \
                3000 to 4999";
    for (body, status, message) in [
        ("{}", 400, "Code is required"),
        (r#"{"Code":1005}"#, 400, rule),
        (r#"{"Code":70000}"#, 400, rule),
        (r#"{"Code":-1}"#, 400, rule),
        (r#"{"Code":"1000"}"#, 400, "Code must be an integer"),
    ] {
        let a = call(addr, "POST", &close, None, body);
        assert_eq!(a.status, status, "{body}");
        assert_eq!(a.json()["message"], message, "{body}");
    }
    let e = s.emulator.close_websockets(id, 1006).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    let a = call(
        addr,
        "POST",
        "/emulator/chats/nope/websockets/drop",
        None,
        "",
    );
    assert_eq!(a.status, 404);
    assert_eq!(a.json()["message"], "no chat with ContactId nope");
    let a = call(
        addr,
        "POST",
        &format!("/emulator/chats/{id}/websockets/cut"),
        None,
        "",
    );
    assert_eq!(a.status, 404);
    nothing_more(&s, &mut stream, "after the refusals");
    assert_eq!(s.emulator.websockets(id), 1, "the refusals closed nothing");
}

#[test]
fn the_control_path_mutes_heartbeat_answers() {
    let s = setup();
    let mut stream = open(&s);
    let addr = s.emulator.addr();
    let a = call(
        addr,
        "POST",
        "/emulator/settings",
        None,
        r#"{"HeartbeatAnswers":false}"#,
    );
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        a.text(),
        r#"{"ConnectionTokenLifetimeSeconds":86400,"DeepHeartbeatAnswers":true,"HeartbeatAnswers":false,"WebSocketUpgrades":true}"#
    );
    assert_eq!(next(&mut stream), "lost: heartbeat missed");
    let a = call(
        addr,
        "POST",
        "/emulator/settings",
        None,
        r#"{"HeartbeatAnswers":true}"#,
    );
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(next(&mut stream), "restored 0");
    let a = call(
        addr,
        "POST",
        "/emulator/settings",
        None,
        r#"{"HeartbeatAnswers":true,"DeepHeartbeatAnswers":false}"#,
    );
    assert_eq!(
        a.text(),
        r#"{"ConnectionTokenLifetimeSeconds":86400,"DeepHeartbeatAnswers":false,"HeartbeatAnswers":true,"WebSocketUpgrades":true}"#
    );
    assert_eq!(next(&mut stream), "lost: deep heartbeat failed");
    for (body, message) in [
        (
            r#"{"HeartbeatAnswers":"no"}"#,
            "HeartbeatAnswers must be true or false",
        ),
        (
            r#"{"DeepHeartbeatAnswers":0}"#,
            "DeepHeartbeatAnswers must be true or false",
        ),
        (
            r#"{"Heartbeats":false}"#,
            "POST /emulator/settings takes no member \"Heartbeats\": it takes \
             ConnectionTokenLifetimeSeconds, HeartbeatAnswers, DeepHeartbeatAnswers, \
             WebSocketUpgrades",
        ),
        (
            r#"{"WebSocketUpgrades":"off"}"#,
            "WebSocketUpgrades must be true or false",
        ),
        ("[]", "the body is not a JSON object"),
    ] {
        let a = call(addr, "POST", "/emulator/settings", None, body);
        assert_eq!(a.status, 400, "{body}");
        assert_eq!(a.json()["message"], message, "{body}");
    }
    // The refused ones changed nothing; an empty one says how things are.
    let a = call(addr, "POST", "/emulator/settings", None, "{}");
    assert_eq!(
        a.text(),
        r#"{"ConnectionTokenLifetimeSeconds":86400,"DeepHeartbeatAnswers":false,"HeartbeatAnswers":true,"WebSocketUpgrades":true}"#
    );
}

#[test]
fn the_control_paths_404_lists_every_path() {
    let emulator = Emulator::start().unwrap();
    let a = call(emulator.addr(), "POST", "/emulator/nowhere", None, "{}");
    assert_eq!(a.status, 404);
    assert_eq!(
        a.json()["message"],
        "the control path serves POST /emulator/chats, /emulator/chats/{ContactId}/messages \
         (one message, or several pushed out of order: {\"Messages\":[…],\"Order\":[…]}), \
         /emulator/chats/{ContactId}/events, /emulator/chats/{ContactId}/end, \
         /emulator/chats/{ContactId}/authentication, \
         /emulator/chats/{ContactId}/participants, \
         /emulator/chats/{ContactId}/websockets/drop, \
         /emulator/chats/{ContactId}/websockets/close, /emulator/faults, /emulator/clock, \
         /emulator/settings, /emulator/tokens/revoke, /emulator/views and \
         GET /emulator/chats/{ContactId}/transcript"
    );
}

// ---------------------------------------------------------------------------------------
// Logging

#[test]
fn the_stream_logs_its_transitions_and_never_a_secret_or_content() {
    use crate::support::logs;

    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let client = emulator.client_builder().build().unwrap();
    let token = ParticipantToken::new(chat.participant_token.clone()).unwrap();
    let customer = Participant::builder(&client, token)
        .clock(emulator.clock())
        .connect()
        .unwrap();
    let id = chat.contact_id.as_str();
    let mut secrets = vec![chat.participant_token.clone()];
    let learn = |p: &Participant, secrets: &mut Vec<String>| {
        secrets.push(p.connection_token().unwrap().expose_secret().to_owned());
        let url = p.websocket().unwrap().url.unwrap();
        secrets.push(url.expose_secret().to_owned());
        // The URL's path alone is the secret too.
        secrets.push(url.expose_secret().rsplit('/').next().unwrap().to_owned());
    };
    let ((), capture) = logs::capture(|| {
        let mut stream = fast(ChatStream::builder(&customer))
            .socket_lifetime(Duration::from_millis(300))
            .open()
            .unwrap();
        learn(&customer, &mut secrets);
        let content = "my card is 4111 1111 1111 1111";
        assert_eq!(next(&mut stream), "established");
        emulator.set_pushes(id, false).unwrap();
        emulator.agent_says(id, content, "text/plain").unwrap();
        // A fresh URL (and token) is needed at the reconnection: the clock moved past both.
        emulator.advance_clock(Duration::from_secs(3600));
        emulator.drop_websockets(id).unwrap();
        assert!(next(&mut stream).starts_with("lost: "));
        assert_eq!(next(&mut stream), "restored 1");
        assert_eq!(next(&mut stream), format!("message {content}"));
        learn(&customer, &mut secrets);
        emulator.set_pushes(id, true).unwrap();
        emulator.close_websockets(id, 4003).unwrap();
        assert_eq!(next(&mut stream), "lost: closed with code 4003");
        assert_eq!(next(&mut stream), "restored 0");
        // A rotation (300 ms) passes while the stream waits.
        assert!(emulator.wait_for_websockets(id, 1, PATIENCE));
        for _ in 0..10 {
            assert!(matches!(
                stream.next_timeout(Duration::from_millis(100)).unwrap(),
                Next::TimedOut
            ));
        }
        emulator.end_chat(id).unwrap();
        assert_eq!(next(&mut stream), "chat.ended");
    });
    let me = std::thread::current().id();
    let mine: Vec<_> = capture.records.iter().filter(|r| r.thread == me).collect();
    // The calls' and the participant's records are checked for secrets too; the levels
    // below are the stream's.
    for r in &mine {
        // Which record, not what it says: the failure must not print the secret.
        let which = format!("a {} record of {} ({:?})", r.level, r.target, r.module_path);
        for secret in &secrets {
            let whole = r.whole();
            assert!(!whole.contains(secret.as_str()), "a secret is in {which}");
        }
        assert!(!r.whole().contains("4111"), "the content is in {which}");
        assert!(
            !r.whole().contains("ws://"),
            "a WebSocket URL is in {which}"
        );
    }
    let records: Vec<_> = mine
        .into_iter()
        .filter(|r| r.target == "connect_participant::stream")
        .collect();

    let at = |level: log::Level| -> Vec<&str> {
        records
            .iter()
            .filter(|r| r.level == level)
            .map(|r| r.args.as_str())
            .collect()
    };
    let info = at(log::Level::Info);
    assert_eq!(info.len(), 6, "{info:?}");
    assert_eq!(info[0], "chat stream established");
    assert!(info[1].starts_with("chat stream lost its connection: read error: "));
    assert!(info[2].starts_with("chat stream restored after "));
    assert!(info[2].ends_with(" ms; 1 missed items"), "{}", info[2]);
    assert_eq!(
        info[3],
        "chat stream lost its connection: closed with code 4003; reconnecting"
    );
    assert!(info[4].ends_with(" ms; 0 missed items"), "{}", info[4]);
    assert_eq!(info[5], "chat stream ended: the chat has ended");
    let debug = at(log::Level::Debug);
    assert!(
        debug.contains(&"catch-up read 1 missed items from the transcript"),
        "{debug:?}"
    );
    assert!(
        debug
            .iter()
            .any(|m| m.starts_with("chat stream reconnecting: attempt 1"))
    );
    assert!(debug.iter().any(|m| m.starts_with("chat stream rotation")));
    assert!(at(log::Level::Trace).contains(&"chat stream heartbeat"));
}
