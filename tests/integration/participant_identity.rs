//! How a participant that was not told its `ParticipantId` learns it: from its
//! own typing echo, at the first keystroke, not only from a message it sent coming back.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use connect_participant::{Event, Next, Participant, ParticipantToken, SendEventRequest, Typers};

/// How long the test waits for one event before it fails: a bound, not a synchronization.
const PATIENCE: Duration = Duration::from_secs(10);

#[test]
fn its_own_typing_echo_teaches_a_participant_its_id() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let client = emulator.client_builder().build().unwrap();
    let token = ParticipantToken::new(chat.participant_token.clone()).unwrap();
    let me = Participant::connect(&client, token).unwrap();
    let mut typers = Typers::for_participant(&me);
    let mut stream = me.stream().unwrap();
    assert_eq!(me.participant_id(), None);

    let sent = me.send_event(&SendEventRequest::typing()).unwrap();
    let mut echo = None;
    for _ in 0..20 {
        match stream.next_timeout(PATIENCE).unwrap() {
            Next::Event(event) => {
                typers.on_event(&event);
                if let Event::Typing(item) = event {
                    echo = Some(item);
                    break;
                }
            }
            other => panic!("no event within {PATIENCE:?}: {other:?}"),
        }
    }
    let echo = echo.expect("the typing echo within 20 events");
    // The echo is the event SendEvent answered for, from this participant.
    assert_eq!(echo.id, sent.id);
    assert_eq!(
        echo.participant_id.as_deref(),
        Some(chat.customer_participant_id.as_str())
    );
    // So it is this participant's own: not listed as typing, and its id is learnt.
    assert!(typers.current().is_empty());
    assert_eq!(
        me.participant_id().as_deref(),
        Some(chat.customer_participant_id.as_str())
    );
}

#[test]
fn a_participant_id_out_of_the_service_s_limits_is_refused_before_anything_is_sent() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let client = emulator.client_builder().build().unwrap();
    let connect = |id: String| {
        let token = ParticipantToken::new(chat.participant_token.clone()).unwrap();
        Participant::builder(&client, token)
            .participant_id(id)
            .connect()
    };
    for (id, chars) in [(String::new(), 0), ("é".repeat(257), 257)] {
        let e = connect(id).unwrap_err();
        assert_eq!(e.kind(), connect_participant::ErrorKind::InvalidInput);
        assert_eq!(
            e.to_string(),
            format!("invalid ParticipantId: {chars} characters, must be 1 to 256")
        );
    }
    assert_eq!(emulator.requests(), 0, "nothing sent for a refused id");
    // At the limit, counted in characters: taken (it is only compared, never sent).
    let me = connect("é".repeat(256)).unwrap();
    assert_eq!(me.participant_id(), Some("é".repeat(256)));
}
