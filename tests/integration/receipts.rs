//! Receipts as the reference clients send them (`ReceiptPolicy::Newest`, the default), fed
//! by the chat's stream over the emulator's WebSocket, with a clock the tests step: the
//! first receipt noted opens a window, and when it ends at most one delivered and one read
//! receipt go, for the newest message; none for this participant's own messages; nothing
//! again after a restart; the 409 rule; nothing after the end. Issue 18.

use std::time::Duration;

use connect_participant::emulator::{Emulator, StartedChat};
use connect_participant::{
    ChatStream, ContentType, ErrorKind, Event, Item, Next, Participant, ParticipantToken, Receipts,
    SendMessageRequest,
};

use crate::support::StepClock;

/// How long a test waits for one event before it fails: a bound, not a synchronization.
const PATIENCE: Duration = Duration::from_secs(10);

struct Setup {
    emulator: Emulator,
    chat: StartedChat,
    customer: Participant,
    clock: StepClock,
}

fn setup() -> Setup {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let customer = connect(&emulator, &chat);
    Setup {
        emulator,
        chat,
        customer,
        clock: StepClock::new(),
    }
}

/// A new `Participant` for the chat's customer, which knows nothing yet (as after a
/// restart).
fn connect(emulator: &Emulator, chat: &StartedChat) -> Participant {
    let client = emulator.client_builder().max_attempts(1).build().unwrap();
    let token = ParticipantToken::new(chat.participant_token.clone()).unwrap();
    Participant::connect(&client, token).unwrap()
}

impl Setup {
    fn receipts(&self) -> Receipts {
        Receipts::for_participant(self.customer.clone()).with_clock(self.clock.reader())
    }

    /// The agent says `n` messages; their ids, oldest first.
    fn agent_says(&self, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                self.emulator
                    .agent_says(&self.chat.contact_id, &format!("line {i}"), "text/plain")
                    .unwrap()
            })
            .collect()
    }

    /// (content type, messageId content) of every SendEvent request the emulator saw,
    /// in order: each request counts, answered or refused.
    fn send_events(&self) -> Vec<(String, String)> {
        self.emulator
            .seen_requests()
            .into_iter()
            .filter(|r| r.path == "/participant/event")
            .map(|r| {
                let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                (
                    body["ContentType"].as_str().unwrap().to_owned(),
                    body["Content"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }
}

fn read_of(id: &str) -> (String, String) {
    (
        ContentType::MessageRead.as_str().to_owned(),
        format!(r#"{{"messageId":"{id}"}}"#),
    )
}

fn delivered_of(id: &str) -> (String, String) {
    (
        ContentType::MessageDelivered.as_str().to_owned(),
        format!(r#"{{"messageId":"{id}"}}"#),
    )
}

/// The stream's next event (fails the test after [`PATIENCE`] without one).
fn next(stream: &mut ChatStream) -> Event {
    match stream.next_timeout(PATIENCE).unwrap() {
        Next::Event(e) => e,
        other => panic!("no event within {PATIENCE:?}: {other:?}"),
    }
}

/// Reads the stream, feeding `receipts` every event and flushing after each, until `n`
/// messages came; returns them.
fn messages(stream: &mut ChatStream, receipts: &mut Receipts, n: usize) -> Vec<Item> {
    let mut got = Vec::new();
    // Bounded: the messages, the joined items and the receipts' echoes.
    for _ in 0..(n * 4 + 10) {
        let event = next(stream);
        receipts.on_event(&event);
        receipts.flush().unwrap();
        if let Event::Message(item) = event {
            got.push(item);
            if got.len() == n {
                return got;
            }
        }
    }
    panic!("{n} messages did not come: {}", got.len());
}

/// One millisecond short of the default window.
fn almost_a_window() -> Duration {
    Receipts::DEFAULT_INTERVAL - Duration::from_millis(1)
}

#[test]
fn a_burst_of_20_read_at_once_costs_one_call_a_read_for_the_newest_after_the_window() {
    let s = setup();
    let mut receipts = s.receipts();
    let mut stream = s.customer.stream().unwrap();
    let ids = s.agent_says(20);
    let items = messages(&mut stream, &mut receipts, 20);
    // The first delivery noted opened the window: nothing went yet.
    assert!(s.send_events().is_empty());
    assert_eq!(receipts.due_in(), Some(Receipts::DEFAULT_INTERVAL));
    // All 20 shown at once: one read receipt waits, for the newest; it says delivered too.
    for item in &items {
        receipts.read_item(item).unwrap();
    }
    assert_eq!(receipts.pending(), 1);
    s.clock.advance(almost_a_window());
    assert_eq!(receipts.flush().unwrap(), 0);
    s.clock.advance(Duration::from_millis(1));
    assert_eq!(receipts.due_in(), Some(Duration::ZERO));
    assert_eq!(receipts.flush().unwrap(), 1);
    assert_eq!(s.send_events(), [read_of(&ids[19])]);
    // Nothing is left for the next window, and nothing older is ever sent.
    assert_eq!(receipts.due_in(), None);
    for item in &items {
        receipts.delivered_item(item).unwrap();
        receipts.read_item(item).unwrap();
    }
    assert_eq!(receipts.pending(), 0);
    s.clock.advance(Receipts::DEFAULT_INTERVAL);
    assert_eq!(receipts.flush().unwrap(), 0);
    assert_eq!(s.send_events().len(), 1);
    assert_eq!(s.emulator.events().len(), 1);
}

#[test]
fn a_read_opens_its_window_at_once_and_later_reads_wait_for_its_end() {
    let s = setup();
    let mut receipts = s.receipts();
    let mut stream = s.customer.stream().unwrap();
    let ids = s.agent_says(6);
    let items = messages(&mut stream, &mut receipts, 6);
    s.clock.advance(Receipts::DEFAULT_INTERVAL);
    assert_eq!(receipts.flush().unwrap(), 1);
    assert_eq!(s.send_events(), [delivered_of(&ids[5])]);
    // No receipt waits: the first read opens the next window, from now.
    receipts.read_item(&items[1]).unwrap();
    assert_eq!(receipts.due_in(), Some(Receipts::DEFAULT_INTERVAL));
    assert_eq!(
        receipts.flush().unwrap(),
        0,
        "a read waits for its window too"
    );
    s.clock.advance(Duration::from_secs(1));
    for item in &items[2..] {
        receipts.read_item(item).unwrap();
        assert_eq!(receipts.flush().unwrap(), 0, "within the window");
    }
    // Joining the window does not push its end.
    assert_eq!(receipts.due_in(), Some(Duration::from_secs(4)));
    s.clock.advance(Duration::from_millis(3_999));
    assert_eq!(receipts.flush().unwrap(), 0);
    s.clock.advance(Duration::from_millis(1));
    assert_eq!(receipts.flush().unwrap(), 1);
    assert_eq!(s.send_events(), [delivered_of(&ids[5]), read_of(&ids[5])]);
}

#[test]
fn a_delivered_newer_than_the_newest_read_goes_with_it() {
    let s = setup();
    let mut receipts = s.receipts();
    let mut stream = s.customer.stream().unwrap();
    let ids = s.agent_says(3);
    let items = messages(&mut stream, &mut receipts, 3);
    receipts.read_item(&items[0]).unwrap();
    assert_eq!(receipts.pending(), 2);
    s.clock.advance(almost_a_window());
    assert_eq!(receipts.flush().unwrap(), 0);
    s.clock.advance(Duration::from_millis(1));
    assert_eq!(receipts.flush().unwrap(), 2);
    // The read for the first message, and the delivery of the newest, in one flush.
    assert_eq!(s.send_events(), [read_of(&ids[0]), delivered_of(&ids[2])]);
    assert_eq!(receipts.due_in(), None);
}

#[test]
fn a_failure_worth_retrying_waits_a_window_from_the_failure() {
    let s = setup();
    let mut receipts = s.receipts();
    receipts.read("m-1").unwrap();
    s.clock.advance(Receipts::DEFAULT_INTERVAL);
    s.emulator
        .fail_next(500, "InternalServerException", "try later");
    let e = receipts.flush().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InternalServer);
    // Kept, in a window that opened with the failure.
    assert_eq!(receipts.pending(), 1);
    assert_eq!(receipts.due_in(), Some(Receipts::DEFAULT_INTERVAL));
    s.clock.advance(almost_a_window());
    assert_eq!(receipts.flush().unwrap(), 0);
    s.clock.advance(Duration::from_millis(1));
    assert_eq!(receipts.flush().unwrap(), 1);
    assert_eq!(s.send_events(), [read_of("m-1"), read_of("m-1")]);
    assert_eq!(s.emulator.events().len(), 1);
}

#[test]
fn own_messages_get_no_receipt() {
    let s = setup();
    let mut receipts = s.receipts();
    let mut stream = s.customer.stream().unwrap();
    for text in ["one", "two", "three"] {
        s.customer
            .send_message(&SendMessageRequest::text(text))
            .unwrap();
    }
    let own = messages(&mut stream, &mut receipts, 3);
    for item in &own {
        receipts.read_item(item).unwrap();
    }
    assert_eq!(receipts.pending(), 0);
    assert_eq!(receipts.due_in(), None);
    s.clock.advance(Receipts::DEFAULT_INTERVAL);
    assert_eq!(receipts.flush().unwrap(), 0);
    assert!(s.send_events().is_empty());
    // The participant learnt its id from its own message: the agent's next one is
    // receipted, its own later ones still are not.
    assert_eq!(
        s.customer.participant_id().as_deref(),
        Some(s.chat.customer_participant_id.as_str())
    );
    let agent = s.agent_says(1);
    s.customer
        .send_message(&SendMessageRequest::text("four"))
        .unwrap();
    let items = messages(&mut stream, &mut receipts, 2);
    for item in &items {
        receipts.read_item(item).unwrap();
    }
    s.clock.advance(Receipts::DEFAULT_INTERVAL);
    assert_eq!(receipts.flush().unwrap(), 1);
    assert_eq!(s.send_events(), [read_of(&agent[0])]);
}

#[test]
fn own_messages_are_known_by_the_id_given_to_a_token_helper() {
    let s = setup();
    let token = s.emulator.connection_token_for(&s.chat.contact_id).unwrap();
    let client = s.emulator.client_builder().build().unwrap();
    let mut receipts = Receipts::new(client, token)
        .with_participant_id(s.chat.customer_participant_id.clone())
        .with_clock(s.clock.reader());
    let mut stream = s.customer.stream().unwrap();
    s.customer
        .send_message(&SendMessageRequest::text("mine"))
        .unwrap();
    let own = messages(&mut stream, &mut receipts, 1);
    receipts.read_item(&own[0]).unwrap();
    assert_eq!(receipts.pending(), 0);
    s.clock.advance(Receipts::DEFAULT_INTERVAL);
    assert_eq!(receipts.flush().unwrap(), 0);
    assert!(s.send_events().is_empty());
}

#[test]
fn after_a_restart_nothing_already_sent_is_sent_again() {
    let s = setup();
    let mut before = s.receipts();
    let mut stream = s.customer.stream().unwrap();
    let ids = s.agent_says(5);
    let items = messages(&mut stream, &mut before, 5);
    for item in &items[..3] {
        before.read_item(item).unwrap();
    }
    s.clock.advance(Receipts::DEFAULT_INTERVAL);
    assert_eq!(before.flush().unwrap(), 2);
    assert_eq!(s.send_events(), [read_of(&ids[2]), delivered_of(&ids[4])]);
    drop((before, stream));

    // A restart: a new participant (its id unknown) and a new helper, seeded from the
    // transcript, then the whole chat read again from its history.
    let customer = connect(&s.emulator, &s.chat);
    let mut after = Receipts::for_participant(customer.clone()).with_clock(s.clock.reader());
    assert_eq!(after.seed_from_transcript().unwrap(), 2);
    let mut stream = ChatStream::builder(&customer).history(true).open().unwrap();
    let again = messages(&mut stream, &mut after, 5);
    for item in &again[..3] {
        after.read_item(item).unwrap();
    }
    // Every delivery and the first three reads were given already.
    assert_eq!(after.pending(), 0);
    assert_eq!(after.due_in(), None);
    // What the transcript did not show: the read of the newest, a window later.
    after.read_item(&again[4]).unwrap();
    assert_eq!(after.pending(), 1);
    s.clock.advance(Receipts::DEFAULT_INTERVAL);
    assert_eq!(after.flush().unwrap(), 1);
    assert_eq!(after.pending(), 0);
    assert_eq!(s.send_events()[2..], [read_of(&ids[4])]);
}

#[test]
fn conflict_turns_receipts_off_after_one_refused_call() {
    let s = setup();
    s.emulator.set_receipts_conflict(true);
    let mut receipts = s.receipts();
    let mut stream = s.customer.stream().unwrap();
    let ids = s.agent_says(3);
    let event = next_message(&mut stream);
    receipts.on_event(&event);
    assert_eq!(receipts.flush().unwrap(), 0, "the window is open");
    s.clock.advance(Receipts::DEFAULT_INTERVAL);
    let e = receipts.flush().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.status(), Some(409));
    assert!(!receipts.is_available());
    assert_eq!(receipts.pending(), 0);
    // From now on: nothing noted, nothing sent, no error again.
    for _ in 0..2 {
        receipts.on_event(&next_message(&mut stream));
        receipts.read(&ids[2]).unwrap();
        s.clock.advance(Receipts::DEFAULT_INTERVAL);
        assert_eq!(receipts.flush().unwrap(), 0);
    }
    assert_eq!(receipts.due_in(), None);
    assert_eq!(s.send_events(), [delivered_of(&ids[0])]);
    assert!(s.emulator.events().is_empty());
}

#[test]
fn nothing_is_sent_after_the_chat_ends() {
    let s = setup();
    let mut receipts = s.receipts();
    let mut stream = s.customer.stream().unwrap();
    let ids = s.agent_says(1);
    // The delivery noted before the end waits for its window; the end drops it.
    receipts.on_event(&next_message(&mut stream));
    assert_eq!(receipts.pending(), 1);
    // Another helper on the same participant never sees the stream's events: the
    // participant, which the stream marks ended, tells it.
    let mut other = s.receipts();
    other.read(&ids[0]).unwrap();
    s.emulator.end_chat(&s.chat.contact_id).unwrap();
    let ended = (0..10)
        .map(|_| next(&mut stream))
        .find(|e| matches!(e, Event::ChatEnded(_)))
        .expect("the chat's end within 10 events");
    receipts.on_event(&ended);
    assert!(!receipts.is_available());
    assert_eq!(receipts.pending(), 0);
    receipts.read(&ids[0]).unwrap();
    assert_eq!(receipts.due_in(), None);
    s.clock.advance(Receipts::DEFAULT_INTERVAL);
    assert_eq!(receipts.flush().unwrap(), 0);
    assert_eq!(other.flush().unwrap(), 0);
    assert!(!other.is_available());
    assert!(s.send_events().is_empty());
}

/// The stream's next message event.
fn next_message(stream: &mut ChatStream) -> Event {
    for _ in 0..10 {
        let event = next(stream);
        if matches!(event, Event::Message(_)) {
            return event;
        }
    }
    panic!("no message in 10 events");
}

#[test]
fn a_receipt_this_participant_gave_seen_on_the_stream_is_not_sent_again() {
    let s = setup();
    let client = s.emulator.client_builder().build().unwrap();
    let token = ParticipantToken::new(s.chat.participant_token.clone()).unwrap();
    // Another process of the same participant, which knows its id, listens.
    let other = Participant::builder(&client, token)
        .participant_id(s.chat.customer_participant_id.clone())
        .connect()
        .unwrap();
    let mut listener = Receipts::for_participant(other.clone()).with_clock(s.clock.reader());
    let mut stream = other.stream().unwrap();
    let ids = s.agent_says(1);
    let mut sender = s.receipts();
    sender.read(&ids[0]).unwrap();
    s.clock.advance(Receipts::DEFAULT_INTERVAL);
    assert_eq!(sender.flush().unwrap(), 1);
    // The read receipt comes back on the stream, its recipient this participant.
    let mut saw_read = false;
    for _ in 0..10 {
        let event = next(&mut stream);
        listener.on_event(&event);
        if let Event::Read(r) = &event {
            assert_eq!(r.message_id.as_deref(), Some(ids[0].as_str()));
            saw_read = true;
            break;
        }
    }
    assert!(saw_read, "the read receipt was not pushed");
    listener.read(&ids[0]).unwrap();
    listener.delivered(&ids[0]).unwrap();
    assert_eq!(listener.pending(), 0);
    assert_eq!(listener.flush().unwrap(), 0);
    assert_eq!(s.send_events(), [read_of(&ids[0])]);
}
