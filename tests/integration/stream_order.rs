//! Ordered delivery: frames pushed out of time order are yielded in `AbsoluteTime` order,
//! the catch-up after a reconnection merged in; the stream's last event after them.

use std::time::Duration;

use connect_participant::{ChatStream, ErrorKind, Event, Next};

use crate::support::stream::{Setup, fast};

/// How long a test waits for one event before it fails: a bound, not a synchronization.
const PATIENCE: Duration = Duration::from_secs(10);

/// Every event until `n` messages came (connection changes named, items by content).
fn until_messages(stream: &mut ChatStream, n: usize) -> Vec<String> {
    let mut seen = Vec::new();
    let mut messages = 0;
    for _ in 0..n + 100 {
        if messages == n {
            return seen;
        }
        match stream.next_timeout(PATIENCE).unwrap() {
            Next::Event(Event::Message(item)) => {
                messages += 1;
                seen.push(item.content.unwrap());
            }
            Next::Event(Event::Connection(c)) => seen.push(format!("({})", c.name())),
            Next::Event(Event::ChatEnded(_)) => seen.push("(ended)".into()),
            Next::Event(_) => {}
            other => panic!("after {seen:?}: {other:?}"),
        }
    }
    panic!("{seen:?}");
}

/// The stream's first event is `Established`.
fn established(stream: &mut ChatStream) {
    match stream.next_timeout(PATIENCE).unwrap() {
        Next::Event(Event::Connection(connect_participant::Connection::Established)) => {}
        other => panic!("{other:?}"),
    }
}

fn said(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("m{i}")).collect()
}

#[test]
fn frames_pushed_out_of_order_are_yielded_in_time_order() {
    let s = Setup::start(true);
    let mut stream = fast(ChatStream::builder(&s.customer))
        .ordered(true)
        .open()
        .unwrap();
    let texts = said(5);
    let messages: Vec<(&str, &str)> = texts.iter().map(|t| (t.as_str(), "text/plain")).collect();
    s.emulator
        .agent_says_out_of_order(&s.chat.contact_id, &messages, &[4, 2, 0, 3, 1])
        .unwrap();
    let seen = until_messages(&mut stream, 5);
    assert_eq!(seen, ["(established)", "m0", "m1", "m2", "m3", "m4"]);
}

#[test]
fn without_ordering_they_come_as_pushed() {
    // What the ordered test proves is not the emulator's doing.
    let s = Setup::start(true);
    let mut stream = fast(ChatStream::builder(&s.customer)).open().unwrap();
    let texts = said(3);
    let messages: Vec<(&str, &str)> = texts.iter().map(|t| (t.as_str(), "text/plain")).collect();
    s.emulator
        .agent_says_out_of_order(&s.chat.contact_id, &messages, &[2, 0, 1])
        .unwrap();
    assert_eq!(
        until_messages(&mut stream, 3),
        ["(established)", "m2", "m0", "m1"]
    );
}

#[test]
fn the_last_event_comes_after_everything_held_in_order() {
    let s = Setup::start(true);
    // A window far longer than the test: only the end releases what is held.
    let mut stream = fast(ChatStream::builder(&s.customer))
        .order_window(Duration::from_secs(5))
        .open()
        .unwrap();
    let texts = said(3);
    let messages: Vec<(&str, &str)> = texts.iter().map(|t| (t.as_str(), "text/plain")).collect();
    s.emulator
        .agent_says_out_of_order(&s.chat.contact_id, &messages, &[1, 2, 0])
        .unwrap();
    s.emulator.end_chat(&s.chat.contact_id).unwrap();
    let mut seen = until_messages(&mut stream, 3);
    match stream.next_timeout(PATIENCE).unwrap() {
        Next::Event(Event::ChatEnded(_)) => seen.push("(ended)".into()),
        other => panic!("{other:?}"),
    }
    assert_eq!(seen, ["(established)", "m0", "m1", "m2", "(ended)"]);
    assert!(matches!(
        stream.next_timeout(PATIENCE).unwrap(),
        Next::Ended
    ));
    assert!(stream.is_ended());
}

#[test]
fn the_catch_up_after_a_reconnection_is_merged_in_time_order() {
    let s = Setup::start(true);
    let mut stream = fast(ChatStream::builder(&s.customer))
        .ordered(true)
        .open()
        .unwrap();
    established(&mut stream);
    // m0 and m1 are said while no socket hears them; m2, pushed out of order with m3,
    // comes on the new socket. The catch-up finds m0 and m1.
    s.emulator.set_pushes(&s.chat.contact_id, false).unwrap();
    s.emulator
        .agent_says(&s.chat.contact_id, "m0", "text/plain")
        .unwrap();
    s.emulator
        .agent_says(&s.chat.contact_id, "m1", "text/plain")
        .unwrap();
    s.emulator.drop_websockets(&s.chat.contact_id).unwrap();
    let mut seen = until_messages(&mut stream, 2);
    s.emulator.set_pushes(&s.chat.contact_id, true).unwrap();
    let messages = [("m2", "text/plain"), ("m3", "text/plain")];
    s.emulator
        .agent_says_out_of_order(&s.chat.contact_id, &messages, &[1, 0])
        .unwrap();
    seen.extend(until_messages(&mut stream, 2));
    let items: Vec<&String> = seen.iter().filter(|t| t.starts_with('m')).collect();
    assert_eq!(items, ["m0", "m1", "m2", "m3"], "{seen:?}");
    assert!(seen.contains(&"(restored)".to_owned()), "{seen:?}");
}

#[test]
fn an_item_later_than_the_window_is_yielded_at_once_and_once() {
    let s = Setup::start(true);
    let mut stream = fast(ChatStream::builder(&s.customer))
        .order_window(Duration::from_millis(1))
        .open()
        .unwrap();
    established(&mut stream);
    s.emulator.set_pushes(&s.chat.contact_id, false).unwrap();
    let late = s
        .emulator
        .agent_says(&s.chat.contact_id, "late", "text/plain")
        .unwrap();
    s.emulator.set_pushes(&s.chat.contact_id, true).unwrap();
    s.emulator
        .agent_says(&s.chat.contact_id, "newer", "text/plain")
        .unwrap();
    let mut seen = until_messages(&mut stream, 1);
    let frame = s
        .emulator
        .websocket_frame(&s.chat.contact_id, &late)
        .unwrap();
    s.emulator.push_frame(&s.chat.contact_id, &frame).unwrap();
    s.emulator.push_frame(&s.chat.contact_id, &frame).unwrap();
    seen.extend(until_messages(&mut stream, 1));
    assert_eq!(seen, ["newer", "late"]);
    match stream.next_timeout(Duration::from_millis(50)).unwrap() {
        Next::TimedOut => {}
        other => panic!("the second copy: {other:?}"),
    }
}

#[test]
fn an_order_window_out_of_bounds_is_refused_before_anything_is_sent() {
    let s = Setup::start(true);
    let before = s.emulator.requests();
    for window in [Duration::ZERO, Duration::from_millis(5001), Duration::MAX] {
        let e = ChatStream::builder(&s.customer)
            .order_window(window)
            .open()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert_eq!(e.to_string(), "order window must be 1 ms to 5 s");
    }
    assert_eq!(s.emulator.requests(), before);
    // Turned off after it: no window to check.
    let stream = ChatStream::builder(&s.customer)
        .order_window(Duration::from_secs(9))
        .ordered(false)
        .open()
        .unwrap();
    assert!(matches!(
        stream.health(),
        connect_participant::Health::Connected
    ));
}
