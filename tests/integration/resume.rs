//! A stream opened from a checkpoint: exactly the items after it, however deep the
//! transcript must be read back; and the checkpoint a stream keeps.

use std::time::Duration;

use connect_participant::{ChatStream, Checkpoint, Connection, Event, Item, Next};

use crate::support::stream::{Setup, fast};

/// Reads events until `n` messages came (or the stream ended), within a bound.
fn messages(stream: &mut ChatStream, n: usize) -> Vec<Item> {
    let mut got = Vec::new();
    for _ in 0..10_000 {
        if got.len() == n {
            return got;
        }
        match stream.next_timeout(Duration::from_secs(10)).unwrap() {
            Next::Event(Event::Message(item)) => got.push(item),
            Next::Event(_) => {}
            Next::TimedOut | Next::Ended => break,
            _ => unreachable!(),
        }
    }
    panic!("{} messages of {n}", got.len());
}

fn contents(items: &[Item]) -> Vec<String> {
    items.iter().map(|i| i.content.clone().unwrap()).collect()
}

/// Nothing more comes at once: what was due has been yielded.
fn assert_quiet(stream: &mut ChatStream) {
    match stream.next_timeout(Duration::from_millis(50)).unwrap() {
        Next::TimedOut => {}
        Next::Event(e) => panic!("unexpected {e:?}"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_resumed_stream_yields_exactly_what_was_said_after_the_checkpoint() {
    let s = Setup::start(true);
    let say = |text: &str| {
        s.emulator
            .agent_says(&s.chat.contact_id, text, "text/plain")
            .unwrap()
    };
    say("before");
    let mut stream = fast(ChatStream::builder(&s.customer)).open().unwrap();
    say("one");
    say("two");
    assert_eq!(contents(&messages(&mut stream, 2)), ["one", "two"]);
    let saved = stream.checkpoint().to_json();
    // Both are had; which is "newest" among items of one millisecond is by Id.
    assert!(stream.checkpoint().has(&transcript_item(&s, "two")));
    assert!(stream.checkpoint().has(&transcript_item(&s, "one")));
    stream.close();
    for text in ["three", "four", "five"] {
        say(text);
    }
    let at = Checkpoint::from_json(&saved).unwrap();
    let mut stream = fast(ChatStream::builder(&s.customer))
        .resume(&at)
        .open()
        .unwrap();
    assert!(matches!(
        stream.next().unwrap().unwrap(),
        Event::Connection(Connection::Established)
    ));
    assert_eq!(
        contents(&messages(&mut stream, 3)),
        ["three", "four", "five"]
    );
    assert_quiet(&mut stream);
    // The new stream's checkpoint went on from the old one.
    for text in ["one", "five"] {
        assert!(stream.checkpoint().has(&transcript_item(&s, text)));
    }
}

fn transcript_item(s: &Setup, content: &str) -> Item {
    let request = connect_participant::GetTranscriptRequest::new().with_max_results(100);
    s.customer
        .transcript_pages(request)
        .items()
        .map(Result::unwrap)
        .find(|i| i.content.as_deref() == Some(content))
        .unwrap()
}

#[test]
fn a_new_checkpoint_resumes_from_the_chats_start_through_many_pages() {
    let s = Setup::start(true);
    for i in 0..250 {
        s.emulator
            .agent_says(&s.chat.contact_id, &format!("m{i:03}"), "text/plain")
            .unwrap();
    }
    let mut stream = fast(ChatStream::builder(&s.customer))
        .resume(&Checkpoint::new())
        .open()
        .unwrap();
    let mut joined = 0;
    let mut got = Vec::new();
    while got.len() < 250 {
        match stream.next().unwrap().unwrap() {
            Event::Message(item) => got.push(item),
            Event::ParticipantJoined(_) => joined += 1,
            _ => {}
        }
    }
    let want: Vec<String> = (0..250).map(|i| format!("m{i:03}")).collect();
    assert_eq!(contents(&got), want, "every one, once, oldest first");
    assert!(joined >= 1, "the chat's events from its start too");
    assert_quiet(&mut stream);
}

#[test]
fn a_checkpoint_far_behind_resumes_over_pages_and_items_it_had_are_not_yielded_again() {
    let s = Setup::start(true);
    let mut stream = fast(ChatStream::builder(&s.customer)).open().unwrap();
    s.emulator
        .agent_says(&s.chat.contact_id, "seen", "text/plain")
        .unwrap();
    messages(&mut stream, 1);
    let at = stream.checkpoint().clone();
    stream.close();
    for i in 0..230 {
        s.emulator
            .agent_says(&s.chat.contact_id, &format!("m{i:03}"), "text/plain")
            .unwrap();
    }
    let mut stream = fast(ChatStream::builder(&s.customer))
        .resume(&at)
        .open()
        .unwrap();
    let got = messages(&mut stream, 230);
    assert_eq!(got[0].content.as_deref(), Some("m000"));
    assert_eq!(got[229].content.as_deref(), Some("m229"));
    assert_quiet(&mut stream);
}

#[test]
fn a_chat_that_ended_while_away_cannot_be_resumed_and_says_so() {
    let s = Setup::start(true);
    let stream = fast(ChatStream::builder(&s.customer)).open().unwrap();
    let at = stream.checkpoint().clone();
    stream.close();
    s.emulator.end_chat(&s.chat.contact_id).unwrap();
    let e = fast(ChatStream::builder(&s.customer))
        .resume(&at)
        .open()
        .unwrap_err();
    assert_eq!(e.kind(), connect_participant::ErrorKind::ChatEnded);
}

#[test]
fn the_checkpoint_notes_messages_and_receipts_not_typing_and_holds_no_secret() {
    let s = Setup::start(true);
    let mut stream = fast(ChatStream::builder(&s.customer)).open().unwrap();
    let id = s
        .emulator
        .agent_says(&s.chat.contact_id, "hi", "text/plain")
        .unwrap();
    messages(&mut stream, 1);
    use connect_participant::SendEventRequest;
    s.customer.send_event(&SendEventRequest::typing()).unwrap();
    s.customer.send_event(&SendEventRequest::read(&id)).unwrap();
    let mut saw_typing = false;
    let mut saw_read = false;
    for _ in 0..100 {
        match stream.next_timeout(Duration::from_secs(10)).unwrap() {
            Next::Event(Event::Typing(_)) => saw_typing = true,
            Next::Event(Event::Read(_)) => saw_read = true,
            _ => {}
        }
        if saw_typing && saw_read {
            break;
        }
    }
    assert!(saw_typing && saw_read);
    let at = stream.checkpoint();
    assert_eq!(at.newest().unwrap().0, id, "typing is not in it");
    let receipt = at.receipts().next().unwrap();
    assert_eq!(receipt.message_id, id);
    assert_eq!(
        receipt.recipient.as_deref(),
        Some(s.chat.customer_participant_id.as_str())
    );
    assert!(receipt.read);
    let json = at.to_json();
    let token = s.customer.connection_token().unwrap();
    for secret in [
        token.expose_secret(),
        s.chat.participant_token.as_str(),
        "ws://",
        "X-Amz",
    ] {
        assert!(!json.contains(secret), "{json}");
    }
}

#[test]
fn receipts_seen_by_a_checkpoint_are_not_sent_again_after_a_restart() {
    use connect_participant::Receipts;
    let s = Setup::start(true);
    let mut stream = fast(ChatStream::builder(&s.customer)).open().unwrap();
    let id = s
        .emulator
        .agent_says(&s.chat.contact_id, "hi", "text/plain")
        .unwrap();
    let mut receipts = Receipts::for_participant(s.customer.clone()).with_interval(Duration::ZERO);
    receipts.read(&id).unwrap();
    assert_eq!(receipts.flush().unwrap(), 1);
    // The receipt's echo reaches the stream, and its checkpoint.
    for _ in 0..100 {
        if stream.checkpoint().receipts().any(|r| r.message_id == id) {
            break;
        }
        stream.next_timeout(Duration::from_secs(10)).unwrap();
    }
    let saved = stream.checkpoint().to_json();
    stream.close();
    let sent_before = s.emulator.events().len();

    let at = Checkpoint::from_json(&saved).unwrap();
    let mut after = Receipts::for_participant(s.customer.clone()).with_interval(Duration::ZERO);
    assert_eq!(after.seed_checkpoint(&at), 1);
    after.read(&id).unwrap();
    after.delivered(&id).unwrap();
    assert_eq!(after.flush().unwrap(), 0);
    assert_eq!(s.emulator.events().len(), sent_before, "nothing sent");
}
