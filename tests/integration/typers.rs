//! Who is typing, fed by the chat's stream over the emulator's WebSocket, with a clock the
//! test steps: the agent shows typing, the participant itself never does, the agent's
//! message clears them, and 12 s after their last typing event they are gone. Issue 18.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connect_participant::emulator::Emulator;
use connect_participant::{
    ChatStream, Event, Next, Participant, ParticipantRole, ParticipantToken, SendEventRequest,
    Typers,
};

/// How long the test waits for one event before it fails: a bound, not a synchronization.
const PATIENCE: Duration = Duration::from_secs(10);

use crate::support::content_type::TYPING;

/// Reads the stream, feeding `typers`, until an event `stop` accepts; fails after 20.
fn feed_until(stream: &mut ChatStream, typers: &mut Typers, stop: impl Fn(&Event) -> bool) {
    for _ in 0..20 {
        let event = match stream.next_timeout(PATIENCE).unwrap() {
            Next::Event(e) => e,
            other => panic!("no event within {PATIENCE:?}: {other:?}"),
        };
        typers.on_event(&event);
        if stop(&event) {
            return;
        }
    }
    panic!("the awaited event did not come in 20 events");
}

fn typing_from(event: &Event, id: &str) -> bool {
    matches!(event, Event::Typing(i) if i.participant_id.as_deref() == Some(id))
}

#[test]
fn typers_from_the_stream_show_the_agent_not_oneself_and_clear_and_expire() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let client = emulator.client_builder().build().unwrap();
    let token = ParticipantToken::new(chat.participant_token.clone()).unwrap();
    let me = Participant::builder(&client, token)
        .participant_id(chat.customer_participant_id.clone())
        .connect()
        .unwrap();
    let now = Arc::new(Mutex::new(Instant::now()));
    let clock = Arc::clone(&now);
    let mut typers = Typers::for_participant(&me).with_clock(move || *clock.lock().unwrap());
    let mut stream = me.stream().unwrap();

    // The customer's own typing comes back on its socket: never listed.
    me.send_event(&SendEventRequest::typing()).unwrap();
    feed_until(&mut stream, &mut typers, |e| {
        typing_from(e, &chat.customer_participant_id)
    });
    assert!(typers.current().is_empty());

    emulator.add_event(&chat.contact_id, TYPING).unwrap();
    feed_until(&mut stream, &mut typers, |e| {
        typing_from(e, &chat.agent_participant_id)
    });
    let typing = typers.current();
    assert_eq!(typing.len(), 1);
    assert_eq!(
        typing[0].participant_id.as_deref(),
        Some(chat.agent_participant_id.as_str())
    );
    assert_eq!(typing[0].role, Some(ParticipantRole::Agent));
    assert!(typing[0].display_name.is_some());

    // The agent's message clears them.
    emulator
        .agent_says(&chat.contact_id, "Here is your answer", "text/plain")
        .unwrap();
    feed_until(&mut stream, &mut typers, |e| matches!(e, Event::Message(_)));
    assert!(typers.current().is_empty());

    // Typing again, then silence: gone 12 s after the last typing event.
    emulator.add_event(&chat.contact_id, TYPING).unwrap();
    feed_until(&mut stream, &mut typers, |e| {
        typing_from(e, &chat.agent_participant_id)
    });
    *now.lock().unwrap() += Typers::DEFAULT_EXPIRY - Duration::from_millis(1);
    assert_eq!(typers.current().len(), 1);
    assert_eq!(typers.next_expiry(), Some(Duration::from_millis(1)));
    *now.lock().unwrap() += Duration::from_millis(1);
    assert!(typers.current().is_empty());
}
