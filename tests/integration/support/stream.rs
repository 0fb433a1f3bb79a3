//! What the stream's topic files share: a chat on the emulator with its customer
//! connected, and stream timers fast enough that every recovery takes milliseconds.

use std::time::{Duration, SystemTime};

use connect_participant::emulator::{Emulator, StartedChat};
use connect_participant::{Participant, ParticipantToken, StreamBuilder};

/// A chat on its own emulator, and its customer.
pub struct Setup {
    pub emulator: Emulator,
    pub chat: StartedChat,
    pub customer: Participant,
}

impl Setup {
    /// Starts the emulator and a chat, and connects its customer; with `knows_its_id`, the
    /// customer is given its `ParticipantId` (else it learns it from what it sends).
    pub fn start(knows_its_id: bool) -> Setup {
        let emulator = Emulator::start().unwrap();
        let chat = emulator.start_chat();
        let client = emulator.client_builder().build().unwrap();
        let token = ParticipantToken::new(chat.participant_token.clone()).unwrap();
        // The system clock, not the emulator's (a participant's default on the emulator's
        // client): the stream's tests step the emulator's clock alone, so that the
        // emulator refuses a URL the participant still holds fresh.
        let mut builder = Participant::builder(&client, token).clock(SystemTime::now);
        if knows_its_id {
            builder = builder.participant_id(chat.customer_participant_id.clone());
        }
        let customer = builder.connect().unwrap();
        Setup {
            emulator,
            chat,
            customer,
        }
    }
}

/// Fast timers, so that every recovery happens in milliseconds.
pub fn fast(builder: StreamBuilder) -> StreamBuilder {
    builder
        .heartbeat_interval(Duration::from_millis(100))
        .reconnect_backoff(Duration::from_millis(1), Duration::from_millis(5))
}
