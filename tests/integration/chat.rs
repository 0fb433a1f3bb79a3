//! The chat helpers against the emulator, with a clock the tests step exactly. Receipts
//! here are one per message (`ReceiptPolicy::EveryMessage`) unless a test says otherwise;
//! the default policy has its own file, `receipts.rs`.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use connect_participant::{
    Client, ConnectionToken, ContentType, ErrorKind, ReceiptPolicy, Receipts, TypingThrottle,
};

use crate::support::StepClock;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn token(emulator: &Emulator) -> ConnectionToken {
    emulator.connection_token()
}

/// A client that makes one attempt, so that an injected error reaches the helper as is.
fn client(emulator: &Emulator) -> Client {
    emulator.client_builder().max_attempts(1).build().unwrap()
}

/// (content type, content) of every event the emulator recorded.
fn recorded(emulator: &Emulator) -> Vec<(String, Option<String>)> {
    emulator
        .events()
        .into_iter()
        .map(|e| (e.content_type, e.content))
        .collect()
}

fn read_of(id: &str) -> (String, Option<String>) {
    (
        ContentType::MessageRead.as_str().to_owned(),
        Some(format!(r#"{{"messageId":"{id}"}}"#)),
    )
}

fn delivered_of(id: &str) -> (String, Option<String>) {
    (
        ContentType::MessageDelivered.as_str().to_owned(),
        Some(format!(r#"{{"messageId":"{id}"}}"#)),
    )
}

#[test]
fn typing_sends_on_the_leading_edge_and_drops_the_rest_of_the_window() {
    let emulator = Emulator::start().unwrap();
    let clock = StepClock::new();
    let mut typing =
        TypingThrottle::new(client(&emulator), token(&emulator)).with_clock(clock.reader());
    let mut sent = Vec::new();
    // (time since start in ms, expected send)
    let steps = [
        (0, true),
        (0, false),
        (1, false),
        (9_999, false),
        (10_000, true),
        (10_001, false),
        (19_999, false),
        (20_000, true),
        (45_000, true),
    ];
    let mut now = 0;
    for (at, expected) in steps {
        clock.advance(ms(at - now));
        now = at;
        let did = typing.typing().unwrap();
        assert_eq!(did, expected, "at {at} ms");
        sent.push(did);
    }
    let sends = sent.iter().filter(|s| **s).count();
    // Dropped keystrokes make no request at all.
    assert_eq!(emulator.seen_requests().len(), sends);
    assert_eq!(emulator.events().len(), 4);
    assert!(
        recorded(&emulator)
            .iter()
            .all(|(t, c)| t == ContentType::Typing.as_str() && c.is_none())
    );
}

#[test]
fn typing_window_is_configurable_and_reset_sends_at_once() {
    let emulator = Emulator::start().unwrap();
    let clock = StepClock::new();
    let mut typing = TypingThrottle::new(client(&emulator), token(&emulator))
        .with_window(Duration::from_secs(3))
        .with_clock(clock.reader());
    assert!(typing.typing().unwrap());
    clock.advance(ms(2_999));
    assert!(!typing.typing().unwrap());
    clock.advance(ms(1));
    assert!(typing.typing().unwrap());
    // The participant sent their message: the next keystroke is news again.
    typing.reset();
    assert!(typing.typing().unwrap());
    assert!(!typing.typing().unwrap());
    assert_eq!(emulator.seen_requests().len(), 3);
}

#[test]
fn typing_failure_is_returned_and_still_starts_the_window() {
    let emulator = Emulator::start().unwrap();
    let clock = StepClock::new();
    let mut typing =
        TypingThrottle::new(client(&emulator), token(&emulator)).with_clock(clock.reader());
    emulator.fail_next(429, "ThrottlingException", "Rate exceeded");
    let e = typing.typing().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Throttling);
    // A struggling service is not asked again at the next keystroke.
    clock.advance(ms(5_000));
    assert!(!typing.typing().unwrap());
    clock.advance(ms(5_000));
    assert!(typing.typing().unwrap());
    assert_eq!(emulator.seen_requests().len(), 2);
    assert_eq!(emulator.events().len(), 1);
}

#[test]
fn delivered_then_read_within_a_window_sends_only_read() {
    let emulator = Emulator::start().unwrap();
    let clock = StepClock::new();
    let mut receipts =
        Receipts::new(client(&emulator), token(&emulator)).with_clock(clock.reader());
    receipts.delivered("m-1").unwrap();
    receipts.read("m-1").unwrap();
    assert_eq!(receipts.pending(), 1);
    clock.advance(Receipts::DEFAULT_INTERVAL);
    assert_eq!(receipts.flush().unwrap(), 1);
    assert_eq!(recorded(&emulator), [read_of("m-1")]);
    // Delivered after read says nothing new.
    receipts.delivered("m-1").unwrap();
    assert_eq!(receipts.pending(), 0);
    assert_eq!(receipts.flush().unwrap(), 0);
    assert_eq!(emulator.seen_requests().len(), 1);
}

#[test]
fn delivered_then_read_later_waits_out_the_interval() {
    let emulator = Emulator::start().unwrap();
    let clock = StepClock::new();
    let mut receipts = Receipts::new(client(&emulator), token(&emulator))
        .with_policy(ReceiptPolicy::EveryMessage)
        .with_clock(clock.reader());
    receipts.delivered("m-1").unwrap();
    assert_eq!(receipts.flush().unwrap(), 1);
    clock.advance(ms(1_000));
    receipts.read("m-1").unwrap();
    // Within 5 s of the delivered call: the read receipt waits.
    assert_eq!(receipts.flush().unwrap(), 0);
    clock.advance(ms(3_999));
    assert_eq!(receipts.flush().unwrap(), 0);
    assert_eq!(receipts.pending(), 1);
    clock.advance(ms(1));
    assert_eq!(receipts.flush().unwrap(), 1);
    assert_eq!(recorded(&emulator), [delivered_of("m-1"), read_of("m-1")]);
    assert_eq!(emulator.seen_requests().len(), 2);
}

#[test]
fn receipts_are_never_sent_twice() {
    let emulator = Emulator::start().unwrap();
    let clock = StepClock::new();
    let mut receipts = Receipts::new(client(&emulator), token(&emulator))
        .with_policy(ReceiptPolicy::EveryMessage)
        .with_clock(clock.reader());
    for _ in 0..3 {
        receipts.delivered("m-1").unwrap();
        receipts.read("m-2").unwrap();
        receipts.read("m-2").unwrap();
    }
    assert_eq!(receipts.flush().unwrap(), 2);
    clock.advance(Duration::from_secs(60));
    receipts.delivered("m-1").unwrap();
    receipts.read("m-2").unwrap();
    receipts.delivered("m-2").unwrap();
    assert_eq!(receipts.flush().unwrap(), 0);
    // Oldest first.
    assert_eq!(recorded(&emulator), [delivered_of("m-1"), read_of("m-2")]);
}

#[test]
fn interval_is_configurable() {
    let emulator = Emulator::start().unwrap();
    let clock = StepClock::new();
    let mut receipts = Receipts::new(client(&emulator), token(&emulator))
        .with_policy(ReceiptPolicy::EveryMessage)
        .with_interval(ms(100))
        .with_clock(clock.reader());
    receipts.delivered("m-1").unwrap();
    assert_eq!(receipts.flush().unwrap(), 1);
    receipts.read("m-1").unwrap();
    clock.advance(ms(99));
    assert_eq!(receipts.flush().unwrap(), 0);
    clock.advance(ms(1));
    assert_eq!(receipts.flush().unwrap(), 1);
}

#[test]
fn conflict_is_reported_once_then_receipts_are_off() {
    let emulator = Emulator::start().unwrap();
    emulator.set_receipts_conflict(true);
    let clock = StepClock::new();
    let mut receipts =
        Receipts::new(client(&emulator), token(&emulator)).with_clock(clock.reader());
    receipts.delivered("m-1").unwrap();
    receipts.read("m-2").unwrap();
    clock.advance(Receipts::DEFAULT_INTERVAL);
    let e = receipts.flush().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.status(), Some(409));
    assert_eq!(e.attempts(), 1, "a conflict is not retried");
    assert!(!receipts.is_available());
    assert_eq!(receipts.pending(), 0);
    // From now on: nothing noted, nothing sent, no error again.
    receipts.read("m-3").unwrap();
    assert_eq!(receipts.due_in(), None);
    clock.advance(Receipts::DEFAULT_INTERVAL);
    assert_eq!(receipts.flush().unwrap(), 0);
    assert_eq!(receipts.flush().unwrap(), 0);
    assert_eq!(emulator.seen_requests().len(), 1);
    assert!(emulator.events().is_empty());
}

#[test]
fn failure_worth_retrying_keeps_the_receipt_for_a_later_flush() {
    let emulator = Emulator::start().unwrap();
    let clock = StepClock::new();
    let mut receipts = Receipts::new(client(&emulator), token(&emulator))
        .with_policy(ReceiptPolicy::EveryMessage)
        .with_clock(clock.reader());
    emulator.fail_next(500, "InternalServerException", "try later");
    receipts.read("m-1").unwrap();
    receipts.read("m-2").unwrap();
    let e = receipts.flush().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InternalServer);
    assert_eq!(receipts.pending(), 2);
    // m-1 had a call just now, so only m-2 is due before the interval has passed.
    assert_eq!(receipts.flush().unwrap(), 1);
    clock.advance(Receipts::DEFAULT_INTERVAL);
    assert_eq!(receipts.flush().unwrap(), 1);
    assert_eq!(recorded(&emulator), [read_of("m-2"), read_of("m-1")]);
}

#[test]
fn refusal_not_worth_retrying_drops_that_receipt_only() {
    let emulator = Emulator::start().unwrap();
    let mut receipts =
        Receipts::new(client(&emulator), token(&emulator)).with_policy(ReceiptPolicy::EveryMessage);
    emulator.fail_next(400, "ValidationException", "no such message");
    receipts.read("gone").unwrap();
    receipts.read("m-2").unwrap();
    let e = receipts.flush().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(receipts.pending(), 1);
    assert_eq!(receipts.flush().unwrap(), 1);
    assert_eq!(recorded(&emulator), [read_of("m-2")]);
}

#[test]
fn empty_message_id_is_refused_before_anything_is_noted() {
    let emulator = Emulator::start().unwrap();
    let mut receipts = Receipts::new(client(&emulator), token(&emulator));
    for e in [
        receipts.read("").unwrap_err(),
        receipts.delivered("").unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.field(), Some("messageId"));
    }
    assert_eq!(receipts.pending(), 0);
    assert_eq!(receipts.flush().unwrap(), 0);
    assert_eq!(emulator.requests(), 0);
}

#[test]
fn helpers_do_not_show_the_token() {
    let emulator = Emulator::start().unwrap();
    let token = token(&emulator);
    let secret = token.expose_secret().to_owned();
    let typing = TypingThrottle::new(client(&emulator), token.clone());
    let receipts = Receipts::new(client(&emulator), token);
    for shown in [
        format!("{typing:?}"),
        format!("{typing:#?}"),
        format!("{receipts:?}"),
        format!("{receipts:#?}"),
    ] {
        assert!(!shown.contains(&secret), "{shown}");
        assert!(!shown.contains(&secret[8..24]), "{shown}");
        assert!(shown.contains("ConnectionToken([redacted])"), "{shown}");
    }
}

#[test]
fn zero_and_maximal_windows_are_defined() {
    let emulator = Emulator::start().unwrap();
    let clock = StepClock::new();
    let mut every = TypingThrottle::new(client(&emulator), token(&emulator))
        .with_window(Duration::ZERO)
        .with_clock(clock.reader());
    let mut once = TypingThrottle::new(client(&emulator), token(&emulator))
        .with_window(Duration::MAX)
        .with_clock(clock.reader());
    assert!(every.typing().unwrap());
    assert!(every.typing().unwrap());
    assert!(once.typing().unwrap());
    clock.advance(Duration::from_secs(365 * 24 * 3600));
    assert!(!once.typing().unwrap());
    once.reset();
    assert!(once.typing().unwrap());
    assert_eq!(emulator.events().len(), 4);

    let mut receipts = Receipts::new(client(&emulator), token(&emulator))
        .with_policy(ReceiptPolicy::EveryMessage)
        .with_interval(Duration::MAX)
        .with_clock(clock.reader());
    receipts.delivered("m-1").unwrap();
    assert_eq!(receipts.flush().unwrap(), 1);
    receipts.read("m-1").unwrap();
    clock.advance(Duration::from_secs(365 * 24 * 3600));
    assert_eq!(receipts.flush().unwrap(), 0, "one call per message");
    assert_eq!(receipts.pending(), 1);
    let mut receipts = Receipts::new(client(&emulator), token(&emulator))
        .with_policy(ReceiptPolicy::EveryMessage)
        .with_interval(Duration::ZERO)
        .with_clock(clock.reader());
    receipts.delivered("m-2").unwrap();
    assert_eq!(receipts.flush().unwrap(), 1);
    receipts.read("m-2").unwrap();
    assert_eq!(receipts.flush().unwrap(), 1, "no wait between calls");
    assert_eq!(
        recorded(&emulator)[4..],
        [delivered_of("m-1"), delivered_of("m-2"), read_of("m-2")]
    );
}
