//! The kept transcript against the emulator, over its HTTP and WebSocket: statuses walking
//! from sending to read on the agent's receipts, failed sends with their error, the
//! stream's echo merged, updates replacing, items and receipts out of order, and older
//! pages through a deep history. Issue 19, item 1.

use std::time::Duration;

use connect_participant::emulator::{Emulator, StartedChat};
use connect_participant::{
    ChatStream, ErrorKind, Event, Next, Participant, ParticipantToken, SendMessageRequest,
    Transcript,
};

use crate::support::stream::{Setup, fast};

/// How long a test waits for one event before it fails: a bound, not a synchronization.
const PATIENCE: Duration = Duration::from_secs(10);

const DELIVERED: &str = "application/vnd.amazonaws.connect.event.message.delivered";
const READ: &str = "application/vnd.amazonaws.connect.event.message.read";

fn open(s: &Setup) -> ChatStream {
    let stream = fast(ChatStream::builder(&s.customer)).open().unwrap();
    assert!(
        s.emulator
            .wait_for_websockets(&s.chat.contact_id, 1, PATIENCE)
    );
    stream
}

/// Folds the stream's events into `t` until one satisfies `done` (folded too); at most
/// 100 events, each within [`PATIENCE`].
fn fold_until(stream: &mut ChatStream, t: &mut Transcript, done: impl Fn(&Event) -> bool) {
    for _ in 0..100 {
        match stream.next_timeout(PATIENCE).unwrap() {
            Next::Event(e) => {
                t.on_event(&e);
                if done(&e) {
                    return;
                }
            }
            other => panic!("{other:?} in {t:?}"),
        }
    }
    panic!("100 events, none the one awaited");
}

fn is_message(e: &Event, id: &str) -> bool {
    matches!(e, Event::Message(i) | Event::Update(i) if i.id.as_deref() == Some(id))
}

fn is_receipt(e: &Event, read: bool) -> bool {
    match e {
        Event::Read(_) => read,
        Event::Delivered(_) => !read,
        _ => false,
    }
}

/// The agent's receipt for a message, as the service delivers it.
fn agent_receipt(s: &Setup, kind: &str, message_id: &str) {
    let content = format!(r#"{{"messageId":"{message_id}"}}"#);
    s.emulator
        .agent_sends_event(&s.chat.contact_id, kind, Some(&content))
        .unwrap();
}

fn status(t: &Transcript, id: &str) -> &'static str {
    t.get(id).unwrap().status().unwrap().as_str()
}

#[test]
fn statuses_walk_sending_sent_delivered_read_on_the_agents_receipts_and_never_back() {
    let s = Setup::start(false);
    let mut stream = open(&s);
    let mut t = Transcript::new();
    let request = SendMessageRequest::text("Where is my parcel?");
    let key = t.begin_send(&request);
    assert_eq!(t.by_key(key).unwrap().status().unwrap().as_str(), "sending");
    assert_eq!(t.by_key(key).unwrap().id(), None);

    let answer = s.customer.send_message(&request).unwrap();
    let id = answer.id.clone().unwrap();
    assert!(t.finish_send(key, Ok(answer.clone())));
    let entry = t.by_key(key).unwrap();
    assert_eq!(entry.status().unwrap().as_str(), "sent");
    assert_eq!(entry.id(), Some(id.as_str()));
    assert_eq!(entry.item().absolute_time, answer.absolute_time);

    // The echo: one entry, which teaches the transcript the customer's id.
    fold_until(&mut stream, &mut t, |e| is_message(e, &id));
    assert_eq!(t.len(), 1);
    assert_eq!(
        t.participant_id(),
        Some(s.chat.customer_participant_id.as_str())
    );
    assert_eq!(status(&t, &id), "sent");
    let echoed = t.by_key(key).unwrap().item();
    assert_eq!(echoed.content.as_deref(), Some("Where is my parcel?"));
    assert_eq!(echoed.display_name.as_deref(), Some("Customer"));

    agent_receipt(&s, DELIVERED, &id);
    fold_until(&mut stream, &mut t, |e| is_receipt(e, false));
    assert_eq!(status(&t, &id), "delivered");
    agent_receipt(&s, READ, &id);
    fold_until(&mut stream, &mut t, |e| is_receipt(e, true));
    assert_eq!(status(&t, &id), "read");
    // A delivered receipt late (a second device, say) keeps it read.
    agent_receipt(&s, DELIVERED, &id);
    fold_until(&mut stream, &mut t, |e| is_receipt(e, false));
    assert_eq!(status(&t, &id), "read");

    let receipts = t.get(&id).unwrap().receipts();
    assert_eq!(receipts.len(), 1);
    let agent = &s.chat.agent_participant_id;
    assert_eq!(receipts[0].recipient_participant_id.as_ref(), Some(agent));
    assert!(receipts[0].delivered_timestamp.is_some());
    assert!(receipts[0].read_timestamp.is_some());
    assert_eq!(t.len(), 1);

    // A page with the same message, receipts and all, changes nothing.
    let page = s.customer.get_transcript(&Default::default()).unwrap();
    t.add_page(&page);
    assert_eq!(t.len(), 3); // the message and both participants' joined events
    assert_eq!(status(&t, &id), "read");
    assert_eq!(t.by_key(key).unwrap().id(), Some(id.as_str()));
}

#[test]
fn a_send_that_fails_is_failed_with_its_error_and_the_next_send_goes_on() {
    let s = Setup::start(true);
    let client = s.emulator.client_builder().max_attempts(1).build().unwrap();
    let token = ParticipantToken::new(s.chat.participant_token.clone()).unwrap();
    let me = Participant::builder(&client, token)
        .participant_id(s.chat.customer_participant_id.clone())
        .connect()
        .unwrap();
    let mut t = Transcript::new();

    // Refused before sending: over the limit.
    let before = s.emulator.seen_requests().len();
    let too_long = t.send_message(&me, &SendMessageRequest::text("x".repeat(16385)));
    assert_eq!(s.emulator.seen_requests().len(), before);
    let failed = t.by_key(too_long).unwrap().status().unwrap();
    assert_eq!(failed.as_str(), "failed");
    assert_eq!(failed.error().unwrap().kind(), ErrorKind::InvalidInput);
    assert_eq!(
        failed.error().unwrap().to_string(),
        "invalid Content: 16385 bytes of UTF-8, must be 1 to 16384"
    );

    // Refused by the service.
    assert!(
        s.emulator
            .fail_next(429, "ThrottlingException", "Rate exceeded")
    );
    let throttled = t.send_message(&me, &SendMessageRequest::text("again"));
    let error = t
        .by_key(throttled)
        .unwrap()
        .status()
        .unwrap()
        .error()
        .unwrap();
    assert_eq!(error.kind(), ErrorKind::Throttling);
    assert_eq!(error.attempts(), 1);

    // The next goes, and the failed stay, with no Id, after every timed entry.
    let fine = t.send_message(&me, &SendMessageRequest::text("third time"));
    assert_eq!(t.by_key(fine).unwrap().status().unwrap().as_str(), "sent");
    let order: Vec<_> = t.entries().map(|e| e.local_key()).collect();
    assert_eq!(order, [Some(fine), Some(too_long), Some(throttled)]);
    assert_eq!(
        t.participant_id(),
        Some(s.chat.customer_participant_id.as_str())
    );

    // After the end, a send fails without a request, with the end as its kind.
    s.emulator.end_chat(&s.chat.contact_id).unwrap();
    let late = t.send_message(&me, &SendMessageRequest::text("hello?"));
    let error = t.by_key(late).unwrap().status().unwrap().error().unwrap();
    assert_eq!(error.kind(), ErrorKind::ChatEnded, "{error}");
}

#[test]
fn the_echo_before_the_answer_is_merged_and_a_streamed_message_is_one_entry() {
    let s = Setup::start(true);
    let mut stream = open(&s);
    let mut t = Transcript::new();
    // A UI that sends on another thread: the stream may bring the echo first.
    let request = SendMessageRequest::text("sent elsewhere");
    let key = t.begin_send(&request);
    let answer = std::thread::scope(|scope| {
        scope
            .spawn(|| s.customer.send_message(&request))
            .join()
            .unwrap()
    });
    let id = answer.as_ref().unwrap().id.clone().unwrap();
    fold_until(&mut stream, &mut t, |e| is_message(e, &id));
    assert_eq!(t.len(), 2);
    t.finish_send(key, answer);
    assert_eq!(t.len(), 1);
    assert_eq!(t.by_key(key).unwrap().id(), Some(id.as_str()));
    assert_eq!(status(&t, &id), "sent");

    // A bot's streamed message: its chunks are updates of one entry.
    s.emulator.advance_clock(Duration::from_millis(1));
    let bot = s
        .emulator
        .bot_says_chunked(&s.chat.contact_id, &["Hel", "lo ", "there"])
        .unwrap();
    fold_until(
        &mut stream,
        &mut t,
        |e| matches!(e, Event::Update(i) if i.message_metadata.as_ref().and_then(|m| m.message_completed) == Some(true)),
    );
    assert_eq!(t.len(), 2);
    let whole = t.get(&bot).unwrap();
    assert_eq!(whole.item().content.as_deref(), Some("Hello there"));
    assert!(!whole.is_own());
    assert!(whole.status().is_none());
    let ids: Vec<_> = t.entries().map(|e| e.id().unwrap().to_owned()).collect();
    assert_eq!(ids, [id, bot]);
}

/// The agent says `text` a millisecond after the chat's last item. Items of the same
/// millisecond are sorted by `Id`, which the service draws at random: the tests of order
/// give each its own time, as a chat at a human pace has.
fn says_a_millisecond_later(emulator: &Emulator, contact_id: &str, text: &str) -> String {
    emulator.advance_clock(Duration::from_millis(1));
    emulator.agent_says(contact_id, text, "text/plain").unwrap()
}

/// The frame the emulator pushes for an item, without the receipts that landed on it
/// since: the frame as the service pushed it when the item was new.
fn frame_as_new(emulator: &Emulator, chat: &StartedChat, id: &str) -> String {
    let frame = emulator.websocket_frame(&chat.contact_id, id).unwrap();
    let mut outer: serde_json::Value = serde_json::from_str(&frame).unwrap();
    let content = outer["content"].as_str().unwrap();
    let mut item: serde_json::Value = serde_json::from_str(content).unwrap();
    item.as_object_mut().unwrap().remove("MessageMetadata");
    outer["content"] = serde_json::Value::String(item.to_string());
    outer.to_string()
}

#[test]
fn items_and_receipts_out_of_order_sort_and_merge() {
    let s = Setup::start(true);
    let mut stream = open(&s);
    let mut t = Transcript::new();
    let key = t.send_message(&s.customer, &SendMessageRequest::text("mine"));
    let mine = t.by_key(key).unwrap().id().unwrap().to_owned();
    fold_until(&mut stream, &mut t, |e| is_message(e, &mine));

    // Three agent messages and a read receipt for the customer's, held back, then pushed
    // in another order: the receipt first, the messages newest first.
    let contact = &s.chat.contact_id;
    s.emulator.set_pushes(contact, false).unwrap();
    let said: Vec<String> = ["one", "two", "three"]
        .iter()
        .map(|m| says_a_millisecond_later(&s.emulator, contact, m))
        .collect();
    s.emulator.set_pushes(contact, true).unwrap();
    agent_receipt(&s, READ, &said[0]); // a receipt before its message
    agent_receipt(&s, READ, &mine);
    fold_until(
        &mut stream,
        &mut t,
        |e| matches!(e, Event::Read(r) if r.message_id.as_deref() == Some(mine.as_str())),
    );
    assert_eq!(status(&t, &mine), "read");
    for id in said.iter().rev() {
        let frame = frame_as_new(&s.emulator, &s.chat, id);
        assert_eq!(s.emulator.push_frame(contact, &frame).unwrap(), 1);
    }
    fold_until(&mut stream, &mut t, |e| is_message(e, &said[0]));

    let ids: Vec<_> = t.entries().map(|e| e.id().unwrap().to_owned()).collect();
    let mut expected = vec![mine.clone()];
    expected.extend(said.iter().cloned());
    assert_eq!(ids, expected);
    // The receipt that came before its message waited for it.
    let first = t.get(&said[0]).unwrap();
    assert_eq!(first.item().message_metadata, None);
    assert_eq!(first.receipts().len(), 1);
    assert!(first.receipts()[0].read_timestamp.is_some());
    assert!(first.status().is_none());
    assert_eq!(status(&t, &mine), "read");
}

#[test]
fn older_pages_come_through_a_deep_history_once_each_in_order() {
    let s = Setup::start(false);
    let contact = &s.chat.contact_id;
    let said: Vec<String> = (0..300)
        .map(|n| says_a_millisecond_later(&s.emulator, contact, &format!("line {n}")))
        .collect();
    // A program that only sends and pages.
    let mut t = Transcript::new();
    s.emulator.advance_clock(Duration::from_millis(1));
    let key = t.send_message(&s.customer, &SendMessageRequest::text("me, last"));
    let mine = t.by_key(key).unwrap().id().unwrap().to_owned();
    let before = s.emulator.seen_requests().len();
    let mut pages = Vec::new();
    for _ in 0..10 {
        if !t.has_older() {
            break;
        }
        pages.push(t.load_older(&s.customer).unwrap());
    }
    assert!(!t.has_older());
    assert_eq!(t.load_older(&s.customer).unwrap(), 0);
    // From the message held, backward: 100 a page, 2 joined events, 300 lines.
    assert_eq!(pages, [99, 100, 100, 3]);
    let bodies: Vec<String> = s.emulator.seen_requests()[before..]
        .iter()
        .map(|r| String::from_utf8(r.body.clone()).unwrap())
        .collect();
    assert_eq!(bodies.len(), 4);
    assert_eq!(
        bodies[0],
        format!(
            r#"{{"MaxResults":100,"ScanDirection":"BACKWARD","SortOrder":"ASCENDING","StartPosition":{{"Id":"{mine}"}}}}"#
        )
    );
    assert!(bodies[1].contains(r#""NextToken":""#), "{}", bodies[1]);

    assert_eq!(t.len(), 303);
    let contents: Vec<_> = t
        .entries()
        .filter(|e| e.item().participant_id.as_ref() == Some(&s.chat.agent_participant_id))
        .filter_map(|e| e.item().content.clone())
        .collect();
    let expected: Vec<String> = (0..300).map(|n| format!("line {n}")).collect();
    assert_eq!(contents, expected);
    let ids: Vec<_> = t.entries().filter_map(|e| e.id()).collect();
    assert_eq!(
        &ids[2..302],
        said.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(ids[302], mine);
    assert_eq!(status(&t, &mine), "sent");
    assert!(t.by_key(key).unwrap().is_own());
}

#[test]
fn messages_sent_before_the_transcript_are_its_own_by_the_ids_the_participant_sent() {
    let s = Setup::start(false);
    let contact = &s.chat.contact_id;
    says_a_millisecond_later(&s.emulator, contact, "Hello");
    s.emulator.advance_clock(Duration::from_millis(1));
    let out = s
        .customer
        .send_message(&SendMessageRequest::text("sent before"))
        .unwrap();
    let id = out.id.unwrap();
    assert_eq!(s.customer.participant_id(), None);

    let mut t = Transcript::new();
    assert_eq!(t.load_older(&s.customer).unwrap(), 4);
    assert_eq!(
        t.participant_id(),
        Some(s.chat.customer_participant_id.as_str())
    );
    assert!(t.get(&id).unwrap().is_own());
    assert_eq!(status(&t, &id), "sent");
    let own: Vec<_> = t.entries().filter(|e| e.is_own()).map(|e| e.id()).collect();
    assert_eq!(own.len(), 2, "the customer's joined event and its message");
    assert!(own.contains(&Some(id.as_str())));
    assert!(!t.has_older());
}

#[test]
fn a_loop_on_has_older_ends_at_the_cap_without_asking_past_it() {
    let s = Setup::start(true);
    for i in 0..250 {
        s.emulator
            .agent_says(&s.chat.contact_id, &format!("m{i}"), "text/plain")
            .unwrap();
    }
    let mut t = Transcript::new().with_max_entries(150);
    let before = s.emulator.requests();
    let mut calls = 0;
    while t.has_older() {
        t.load_older(&s.customer).unwrap();
        calls += 1;
        assert!(calls <= 10, "the loop does not end");
    }
    assert_eq!(t.len(), 150);
    // The newest kept (messages of one millisecond sort by Id, so not in said order).
    assert!(
        t.entries()
            .any(|e| e.item().content.as_deref() == Some("m249"))
    );
    assert_eq!(calls, 2, "two pages of 100 fill 150; no third is asked for");
    assert_eq!(s.emulator.requests() - before, 2);
    assert_eq!(t.load_older(&s.customer).unwrap(), 0);
    assert_eq!(s.emulator.requests() - before, 2, "nothing sent at the cap");
}
