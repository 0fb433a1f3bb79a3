//! The stream's setup thread: with `setup_thread(true)`, opening, reconnecting
//! and rotating run on a short-lived thread of their own, so that a reading thread keeps a
//! small stack; the stream's own records stay on the reading thread.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use connect_participant::{ChatStream, Connection, Event, Next, Participant, ParticipantToken};

use crate::support::logs;
use crate::support::stream::fast;

/// How long the test waits for one event before it fails: a bound, not a synchronization.
const PATIENCE: Duration = Duration::from_secs(10);

/// The next event in a few words: its name, a message's content, a restoration's count.
fn next(stream: &mut ChatStream) -> String {
    match stream.next_timeout(PATIENCE).unwrap() {
        Next::Event(Event::Connection(Connection::Restored(back))) => {
            format!("restored {}", back.missed)
        }
        Next::Event(Event::Connection(c)) => c.name().to_owned(),
        Next::Event(Event::Message(m)) => format!("message {}", m.content.unwrap_or_default()),
        Next::Event(other) => other.name().to_owned(),
        other => format!("{other:?}"),
    }
}

#[test]
fn with_a_setup_thread_the_calls_run_there_and_the_stream_reads_here() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let id = chat.contact_id.as_str();
    let client = emulator.client_builder().build().unwrap();
    let token = ParticipantToken::new(chat.participant_token.clone()).unwrap();
    let customer = Participant::connect(&client, token).unwrap();
    let ((), capture) = logs::capture(|| {
        let mut stream = fast(ChatStream::builder(&customer))
            .setup_thread(true)
            .socket_lifetime(Duration::from_millis(300))
            .open()
            .unwrap();
        assert_eq!(next(&mut stream), "established");
        emulator.agent_says(id, "one", "text/plain").unwrap();
        assert_eq!(next(&mut stream), "message one");
        // Missed while the socket is down: the reconnection's catch-up reads it.
        emulator.set_pushes(id, false).unwrap();
        emulator.agent_says(id, "two", "text/plain").unwrap();
        emulator.drop_websockets(id).unwrap();
        assert_eq!(next(&mut stream), "lost");
        assert_eq!(next(&mut stream), "restored 1");
        assert_eq!(next(&mut stream), "message two");
        emulator.set_pushes(id, true).unwrap();
        // A rotation (300 ms) passes while the stream waits; the chat goes on after it.
        assert!(emulator.wait_for_websockets(id, 1, PATIENCE));
        for _ in 0..5 {
            let idle = stream.next_timeout(Duration::from_millis(100)).unwrap();
            assert!(matches!(idle, Next::TimedOut), "{idle:?}");
        }
        emulator.agent_says(id, "three", "text/plain").unwrap();
        assert_eq!(next(&mut stream), "message three");
    });
    assert_eq!(capture.overflow, 0);
    let me = std::thread::current().id();
    // The setup threads are named after the reading thread, this test's.
    let setup_name = format!(
        "{}: chat stream setup",
        std::thread::current().name().unwrap()
    );
    let setup = |r: &&logs::Captured| r.thread_name.as_deref() == Some(setup_name.as_str());
    let calls = |r: &&logs::Captured| r.target == "connect_participant::call";
    let attempts = |name: &str| {
        capture
            .records
            .iter()
            .filter(calls)
            .filter(|r| r.args.starts_with(&format!("{name}: attempt 1 of ")))
            .collect::<Vec<_>>()
    };
    // The open's two transcript reads (what is already there, then the catch-up after
    // the subscription) and the reconnection's catch-up, on this test's setup threads
    // (other tests call beside this one, on theirs).
    let reads: Vec<_> = attempts("GetTranscript")
        .into_iter()
        .filter(setup)
        .collect();
    assert_eq!(reads.len(), 3, "{reads:#?}");
    assert!(reads.iter().all(|r| r.thread != me));
    // None on the reading thread: it did not call.
    let here: Vec<_> = capture.records.iter().filter(|r| r.thread == me).collect();
    assert!(!here.iter().any(calls), "{here:#?}");
    // The stream's own records are the reading thread's.
    let said = |text: &str| here.iter().any(|r| r.args.starts_with(text));
    assert!(said("chat stream established"));
    assert!(said("catch-up read 1 missed items from the transcript"));
    assert!(said("chat stream reconnecting: attempt 1"));
    assert!(said("chat stream rotation"));
}

#[test]
fn with_a_setup_thread_a_stream_of_an_ended_chat_says_so_and_one_that_loses_its_chat_ends() {
    let emulator = Emulator::start().unwrap();
    let client = emulator.client_builder().build().unwrap();
    let connect = |token: &str| {
        Participant::connect(&client, ParticipantToken::new(token.to_owned()).unwrap()).unwrap()
    };
    // The open's failure comes back from the setup thread as it is.
    let ended = emulator.start_chat();
    let customer = connect(&ended.participant_token);
    emulator.end_chat(&ended.contact_id).unwrap();
    let e = fast(ChatStream::builder(&customer))
        .setup_thread(true)
        .open()
        .unwrap_err();
    assert_eq!(e.kind(), connect_participant::ErrorKind::ChatEnded, "{e}");
    // A reconnection on the setup thread that learns the chat is over ends the stream,
    // as one on the reading thread does.
    let chat = emulator.start_chat();
    let customer = connect(&chat.participant_token);
    let mut stream = fast(ChatStream::builder(&customer))
        .setup_thread(true)
        .open()
        .unwrap();
    assert_eq!(next(&mut stream), "established");
    emulator.set_pushes(&chat.contact_id, false).unwrap();
    emulator.end_chat(&chat.contact_id).unwrap();
    emulator.drop_websockets(&chat.contact_id).unwrap();
    let mut seen = Vec::new();
    for _ in 0..10 {
        match stream.next_timeout(PATIENCE).unwrap() {
            Next::Ended => break,
            Next::Event(e) => seen.push(e.name().to_owned()),
            other => panic!("{other:?} within {PATIENCE:?}: {seen:?}"),
        }
    }
    assert_eq!(
        seen.last().map(String::as_str),
        Some("chat.ended"),
        "{seen:?}"
    );
    assert!(customer.has_ended());
}
