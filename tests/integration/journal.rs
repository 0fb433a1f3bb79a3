//! A chat that survives restarts: a reader stopped at random points while an agent talks,
//! and started again from its journal, ends with every item once, in time order.

use std::fs;
use std::time::Duration;

use connect_participant::{ChatStream, Connection, Event, Journal, Next};

use crate::support::journal::{MESSAGES, Rng, Scratch, assert_whole, kept};
use crate::support::stream::{Setup, fast};

/// Reads and records at most `n` events, each within a short wait; `true` once the chat
/// ended.
fn record(stream: &mut ChatStream, journal: &mut Journal, n: u64) -> bool {
    for _ in 0..n {
        match stream.next_timeout(Duration::from_millis(200)).unwrap() {
            Next::Event(event) => {
                journal.record(&event).unwrap();
                if matches!(event, Event::ChatEnded(_)) {
                    return true;
                }
            }
            Next::TimedOut => return false,
            Next::Ended => panic!("the stream ended before the chat"),
            _ => unreachable!(),
        }
    }
    false
}

/// Records every event up to the first that is `done`, that one included.
fn until(stream: &mut ChatStream, journal: &mut Journal, done: impl Fn(&Event) -> bool) {
    for _ in 0..1000 {
        match stream.next_timeout(Duration::from_secs(5)).unwrap() {
            Next::Event(event) => {
                journal.record(&event).unwrap();
                if done(&event) {
                    return;
                }
            }
            other => panic!("before the event waited for: {other:?}"),
        }
    }
    panic!("not in 1000 events");
}

/// The agent says 200 messages, some while the reader is stopped, some while it runs;
/// the reader is stopped at random points (dropped without a word, as a kill leaves it)
/// at least 5 times, and the chat's sockets are dropped under it too when `drop_sockets`.
fn restarts(name: &str, drop_sockets: bool) {
    let s = Setup::start(true);
    let dir = Scratch::new(name);
    let path = dir.file();
    let mut rng = Rng::new();
    let mut said = 0;
    // Says `n` more (up to 200 in all); the last one said, if any.
    let mut say = |n: u64| {
        let mut last = None;
        for _ in 0..n {
            if said < MESSAGES {
                let text = format!("m{said:03}");
                s.emulator
                    .agent_says(&s.chat.contact_id, &text, "text/plain")
                    .unwrap();
                said += 1;
                last = Some(text);
            }
        }
        last
    };
    for round in 0..8 {
        say(rng.below(25)); // while it is stopped
        let mut journal = Journal::open(&path).unwrap();
        let mut stream = fast(ChatStream::builder(&s.customer))
            .resume(journal.checkpoint())
            .ordered(true)
            .order_window(Duration::from_millis(5))
            .open()
            .unwrap();
        say(rng.below(25)); // while it runs
        if drop_sockets && round % 2 == 1 {
            s.emulator.drop_websockets(&s.chat.contact_id).unwrap();
            say(1 + rng.below(5)); // while the socket is down
            // Up again: what is said now comes on the new socket, after what it missed.
            until(&mut stream, &mut journal, |e| {
                matches!(e, Event::Connection(Connection::Restored(_)))
            });
            // Kept only after what the outage missed, or the journal is out of order.
            if let Some(last) = say(1 + rng.below(5)) {
                until(&mut stream, &mut journal, |e| {
                    e.item().and_then(|i| i.content.as_deref()) == Some(last.as_str())
                });
            }
        }
        record(&mut stream, &mut journal, rng.below(40));
        // Stopped: whatever was read but not recorded is lost to this run.
        drop(stream);
        drop(journal);
    }
    say(MESSAGES as u64);
    let mut journal = Journal::open(&path).unwrap();
    let mut stream = fast(ChatStream::builder(&s.customer))
        .resume(journal.checkpoint())
        .ordered(true)
        .order_window(Duration::from_millis(5))
        .open()
        .unwrap();
    for _ in 0..100 {
        if kept(&path) == MESSAGES {
            break;
        }
        record(&mut stream, &mut journal, 50);
    }
    assert_eq!(kept(&path), MESSAGES);
    s.emulator.end_chat(&s.chat.contact_id).unwrap();
    assert!(record(&mut stream, &mut journal, 1000), "chat.ended");
    drop(journal);
    assert_whole(&path);
}

#[test]
fn a_reader_stopped_at_random_points_ends_with_every_item_once_in_order() {
    restarts("stops", false);
}

#[test]
fn the_same_with_the_sockets_dropped_in_between() {
    restarts("sockets", true);
}

#[test]
fn a_torn_last_line_is_dropped_on_reopen_and_its_item_fetched_again_once() {
    let s = Setup::start(true);
    let dir = Scratch::new("torn");
    let path = dir.file();
    let say = |t: &str| {
        s.emulator
            .agent_says(&s.chat.contact_id, t, "text/plain")
            .unwrap()
    };
    say("one");
    let two = say("two");
    let mut journal = Journal::open(&path).unwrap();
    let mut stream = fast(ChatStream::builder(&s.customer))
        .resume(journal.checkpoint())
        .open()
        .unwrap();
    while kept(&path) < 2 {
        record(&mut stream, &mut journal, 1);
    }
    drop(stream);
    drop(journal);
    // A crash halfway through the last line's write.
    let text = fs::read_to_string(&path).unwrap();
    let last = text.trim_end().rsplit('\n').next().unwrap().to_owned();
    assert!(last.contains(&two), "{last}");
    let torn = &text[..text.len() - last.len() / 2 - 1];
    fs::write(&path, torn).unwrap();

    let mut journal = Journal::open(&path).unwrap();
    assert_eq!(
        journal.dropped_bytes(),
        (last.len() - last.len() / 2) as u64
    );
    let mut stream = fast(ChatStream::builder(&s.customer))
        .resume(journal.checkpoint())
        .open()
        .unwrap();
    say("three");
    while kept(&path) < 3 {
        record(&mut stream, &mut journal, 1);
    }
    let items = Journal::read(&path).unwrap();
    let twos = items
        .iter()
        .filter(|i| i.id.as_deref() == Some(two.as_str()))
        .count();
    assert_eq!(twos, 1, "fetched again, once");
    assert_eq!(items.last().unwrap().content.as_deref(), Some("three"));
}

#[test]
fn nothing_secret_is_written_to_a_journal_or_a_checkpoint() {
    let s = Setup::start(true);
    let dir = Scratch::new("secrets");
    let path = dir.file();
    let mut journal = Journal::open(&path).unwrap();
    let mut stream = fast(ChatStream::builder(&s.customer))
        .resume(journal.checkpoint())
        .open()
        .unwrap();
    let id = s
        .emulator
        .agent_says(&s.chat.contact_id, "hello", "text/plain")
        .unwrap();
    s.customer
        .send_event(&connect_participant::SendEventRequest::read(&id))
        .unwrap();
    s.customer
        .upload_attachment(
            &connect_participant::UploadAttachmentRequest::new("a.txt"),
            std::io::Cursor::new(b"nothing secret".to_vec()),
        )
        .unwrap();
    // Until the attachment's item is kept (the message and the receipt came before it).
    for _ in 0..100 {
        if fs::read_to_string(&path).unwrap().contains("a.txt") {
            break;
        }
        record(&mut stream, &mut journal, 1);
    }
    let text = fs::read_to_string(&path).unwrap() + &journal.checkpoint().to_json();
    assert!(text.contains("hello") && text.contains("a.txt"), "{text}");
    let token = s.customer.connection_token().unwrap();
    let url = s.customer.websocket().and_then(|w| w.url).unwrap();
    for secret in [
        token.expose_secret(),
        s.chat.participant_token.as_str(),
        url.expose_secret(),
        "ws://",
        "http://",
        "X-Amz",
    ] {
        assert!(!text.contains(secret), "{text}");
    }
}
