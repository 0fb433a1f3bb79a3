//! Who is typing in the chat now, from the typing events the stream yields.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::sender::ClockFn;
use crate::ops::transcript::{Item, ParticipantRole};
use crate::participant::Participant;

/// Someone typing: who, and when (by the [`Typers`]' clock) their last typing event came.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Typer {
    /// `ParticipantId` of the typing event.
    pub participant_id: Option<String>,
    /// `DisplayName` of the typing event.
    pub display_name: Option<String>,
    /// `ParticipantRole` of the typing event.
    pub role: Option<ParticipantRole>,
    /// When the last typing event from them came.
    pub last_typed: Instant,
}

impl Typer {
    /// Is `item` from this typer? By `ParticipantId` when both have one, else by display
    /// name and role.
    fn is_from(&self, item: &Item) -> bool {
        match (&self.participant_id, &item.participant_id) {
            (Some(a), Some(b)) => a == b,
            (None, None) => {
                self.display_name == item.display_name && self.role == item.participant_role
            }
            _ => false,
        }
    }
}

/// Who is typing now, fed by the stream's events, as Amazon's mobile chat SDKs show it.
///
/// A typing event from someone else shows them typing; they stop showing 12 s after their
/// last typing event (the Android and iOS SDKs' `resetTypingIndicatorTimer(12.0)`), when
/// their message or attachment arrives, when they leave, and when the stream comes back
/// from an outage (typing sent meanwhile is lost; the Android SDK clears its indicator on
/// `ConnectionReEstablished` too). The chat's end, or this participant leaving, clears
/// everyone. This participant itself is never listed when its `ParticipantId` is known
/// (a [`Participant`] given to [`for_participant`](Self::for_participant) knows it when
/// given one, or once a message it sent came back; or
/// [`with_participant_id`](Self::with_participant_id)).
///
/// It keeps at most [`MAX_TYPERS`](Self::MAX_TYPERS) typers, forgetting the one that
/// typed least recently. Thread-free: it reads its clock when asked.
///
/// ```
/// # #[cfg(all(feature = "emulator", feature = "websocket"))] {
/// use connect_participant::emulator::Emulator;
/// use connect_participant::{Event, Participant, ParticipantRole, ParticipantToken, Typers};
///
/// let emulator = Emulator::start()?;
/// let client = emulator.client_builder().build()?;
/// let chat = emulator.start_chat();
/// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token)?)?;
/// let mut typers = Typers::for_participant(&me);
/// let mut stream = me.stream()?;
/// emulator.add_event(&chat.contact_id, "application/vnd.amazonaws.connect.event.typing")?;
/// for event in &mut stream {
///     let event = event?;
///     typers.on_event(&event);
///     if let Event::Typing(_) = event {
///         break;
///     }
/// }
/// let now = typers.current();
/// assert_eq!(now.len(), 1);
/// assert_eq!(now[0].role, Some(ParticipantRole::Agent));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Typers {
    expiry: Duration,
    clock: Arc<ClockFn>,
    participant: Option<Participant>,
    me: Option<String>,
    /// Least recently typed first.
    typing: Vec<Typer>,
}

impl Default for Typers {
    fn default() -> Self {
        Typers::new()
    }
}

impl Typers {
    /// How long someone shows as typing after their last typing event: 12 s, as the
    /// Android and iOS SDKs.
    pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(12);

    /// The most typers kept at once.
    pub const MAX_TYPERS: usize = 32;

    /// Nobody typing, for a participant whose own typing events it cannot tell (unless
    /// given [`with_participant_id`](Self::with_participant_id)).
    pub fn new() -> Typers {
        Typers {
            expiry: Self::DEFAULT_EXPIRY,
            clock: Arc::new(Instant::now),
            participant: None,
            me: None,
            typing: Vec::new(),
        }
    }

    /// Nobody typing, for this participant: its own typing events are not listed once it
    /// knows its `ParticipantId`.
    pub fn for_participant(participant: &Participant) -> Typers {
        Typers {
            participant: Some(participant.clone()),
            ..Typers::new()
        }
    }

    /// This participant's `ParticipantId`, so that its own typing is never listed.
    /// Defaults to none (or the participant's, with
    /// [`for_participant`](Self::for_participant)).
    #[must_use]
    pub fn with_participant_id(mut self, id: impl Into<String>) -> Typers {
        self.me = Some(id.into());
        self
    }

    /// How long someone shows as typing after their last typing event. Defaults to
    /// [`DEFAULT_EXPIRY`](Self::DEFAULT_EXPIRY), 12 s. Any value is defined: zero shows
    /// nobody, `Duration::MAX` keeps a typer until another rule clears them.
    #[must_use]
    pub fn with_expiry(mut self, expiry: Duration) -> Typers {
        self.expiry = expiry;
        self
    }

    /// Reads the time from `clock` instead of `Instant::now`, for tests that step time
    /// exactly. Defaults to `Instant::now`.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> Instant + Send + Sync + 'static) -> Typers {
        self.clock = Arc::new(clock);
        self
    }

    /// Feeds one event of the chat's stream; see the type's docs for the rules.
    #[cfg(feature = "websocket")]
    #[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
    pub fn on_event(&mut self, event: &crate::Event) {
        use crate::{Connection, Event};
        match event {
            Event::Typing(item) => self.typed(item),
            Event::Message(item)
            | Event::Update(item)
            | Event::Attachment(item)
            | Event::ParticipantLeft(item) => {
                // Asked even when nobody types: it teaches a participant its own id.
                let _ = self.is_own(item);
                self.typing.retain(|t| !t.is_from(item));
            }
            Event::ChatEnded(_) | Event::Left(_) | Event::Connection(Connection::Restored(_)) => {
                self.typing.clear();
            }
            _ => {}
        }
    }

    /// A typing event `item` came now: shows its sender typing, unless it is this
    /// participant or names nobody. What `on_event` does for a typing event, for items
    /// read another way.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use std::time::{Duration, Instant};
    /// use connect_participant::{Item, Typers};
    ///
    /// let now = Arc::new(Mutex::new(Instant::now()));
    /// let clock = Arc::clone(&now);
    /// let mut typers = Typers::new()
    ///     .with_participant_id("me")
    ///     .with_clock(move || *clock.lock().unwrap());
    /// let mut agent = Item::default();
    /// agent.participant_id = Some("agent-1".into());
    /// let mut me = Item::default();
    /// me.participant_id = Some("me".into());
    /// typers.typed(&agent);
    /// typers.typed(&me); // never listed
    /// assert_eq!(typers.current()[0].participant_id.as_deref(), Some("agent-1"));
    /// assert_eq!(typers.current().len(), 1);
    ///
    /// *now.lock().unwrap() += Duration::from_secs(5);
    /// assert_eq!(typers.next_expiry(), Some(Duration::from_secs(7)));
    /// *now.lock().unwrap() += Duration::from_secs(7);
    /// assert!(typers.current().is_empty());
    /// ```
    pub fn typed(&mut self, item: &Item) {
        if (item.participant_id.is_none() && item.display_name.is_none()) || self.is_own(item) {
            return;
        }
        let now = (self.clock)();
        self.typing.retain(|t| !t.is_from(item));
        if self.typing.len() >= Self::MAX_TYPERS {
            self.typing.remove(0);
        }
        self.typing.push(Typer {
            participant_id: item.participant_id.clone(),
            display_name: item.display_name.clone(),
            role: item.participant_role.clone(),
            last_typed: now,
        });
    }

    /// Who is typing now, least recently typed first.
    pub fn current(&mut self) -> &[Typer] {
        let now = (self.clock)();
        let expiry = self.expiry;
        self.typing
            .retain(|t| now.saturating_duration_since(t.last_typed) < expiry);
        &self.typing
    }

    /// How long until the next typer expires (`None` when nobody is typing): a loop on a
    /// stream can wait this long at most
    /// (`ChatStream::next_timeout`) to redraw.
    pub fn next_expiry(&self) -> Option<Duration> {
        let now = (self.clock)();
        self.typing
            .iter()
            .map(|t| {
                self.expiry
                    .saturating_sub(now.saturating_duration_since(t.last_typed))
            })
            .min()
    }

    fn is_own(&self, item: &Item) -> bool {
        let by_participant = self.participant.as_ref().is_some_and(|p| p.is_own(item));
        by_participant
            || self
                .me
                .as_deref()
                .is_some_and(|me| item.participant_id.as_deref() == Some(me))
    }
}

impl fmt::Debug for Typers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Typers")
            .field("expiry", &self.expiry)
            .field("participant", &self.participant)
            .field("typing", &self.typing)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::ops::transcript::ItemType;

    const TYPING: &str = "application/vnd.amazonaws.connect.event.typing";

    /// A clock that moves only when told to.
    #[derive(Clone)]
    struct StepClock(Arc<Mutex<Instant>>);

    impl StepClock {
        fn new() -> StepClock {
            StepClock(Arc::new(Mutex::new(Instant::now())))
        }

        fn advance(&self, ms: u64) {
            *self.0.lock().unwrap() += Duration::from_millis(ms);
        }

        fn typers(&self) -> Typers {
            let clock = Arc::clone(&self.0);
            Typers::new().with_clock(move || *clock.lock().unwrap())
        }
    }

    fn typing(who: &str, role: ParticipantRole) -> Item {
        Item {
            content_type: Some(TYPING.into()),
            item_type: Some(ItemType::Event),
            participant_id: Some(who.into()),
            display_name: Some(format!("{who} name")),
            participant_role: Some(role),
            ..Item::default()
        }
    }

    fn who(typers: &mut Typers) -> Vec<String> {
        typers
            .current()
            .iter()
            .filter_map(|t| t.participant_id.clone())
            .collect()
    }

    #[test]
    fn a_typer_shows_until_12_s_after_their_last_typing_event() {
        let clock = StepClock::new();
        let mut typers = clock.typers();
        assert_eq!(typers.next_expiry(), None);
        typers.typed(&typing("agent", ParticipantRole::Agent));
        clock.advance(6_000);
        typers.typed(&typing("agent", ParticipantRole::Agent));
        clock.advance(11_999);
        assert_eq!(who(&mut typers), ["agent"]);
        assert_eq!(typers.next_expiry(), Some(Duration::from_millis(1)));
        clock.advance(1);
        assert!(typers.current().is_empty());
        assert_eq!(typers.next_expiry(), None);
    }

    #[test]
    fn a_typer_is_who_role_and_name_of_the_event() {
        let clock = StepClock::new();
        let mut typers = clock.typers();
        typers.typed(&typing("bot", ParticipantRole::CustomBot));
        let now = clock.0.lock().unwrap().to_owned();
        assert_eq!(
            typers.current(),
            [Typer {
                participant_id: Some("bot".into()),
                display_name: Some("bot name".into()),
                role: Some(ParticipantRole::CustomBot),
                last_typed: now,
            }]
        );
    }

    #[test]
    fn this_participant_and_nobody_are_never_listed() {
        let clock = StepClock::new();
        let mut typers = clock.typers().with_participant_id("me");
        typers.typed(&typing("me", ParticipantRole::Customer));
        typers.typed(&Item::default());
        assert!(typers.current().is_empty());
        typers.typed(&typing("agent", ParticipantRole::Agent));
        assert_eq!(who(&mut typers), ["agent"]);
    }

    #[test]
    fn typers_are_bounded_forgetting_the_least_recent() {
        let clock = StepClock::new();
        let mut typers = clock.typers();
        for i in 0..Typers::MAX_TYPERS + 8 {
            typers.typed(&typing(&format!("p{i}"), ParticipantRole::Agent));
            clock.advance(1);
        }
        let now = who(&mut typers);
        assert_eq!(now.len(), Typers::MAX_TYPERS);
        assert_eq!(now[0], "p8");
        // Typing again moves a typer to the end instead of adding one.
        typers.typed(&typing("p8", ParticipantRole::Agent));
        assert_eq!(who(&mut typers).last().map(String::as_str), Some("p8"));
        assert_eq!(typers.current().len(), Typers::MAX_TYPERS);
    }

    #[test]
    fn zero_expiry_shows_nobody_and_the_maximal_one_keeps_them() {
        let clock = StepClock::new();
        let mut never = clock.typers().with_expiry(Duration::ZERO);
        let mut always = clock.typers().with_expiry(Duration::MAX);
        never.typed(&typing("a", ParticipantRole::Agent));
        always.typed(&typing("a", ParticipantRole::Agent));
        clock.advance(365 * 24 * 3600 * 1000);
        assert!(never.current().is_empty());
        assert_eq!(who(&mut always), ["a"]);
    }

    #[cfg(feature = "websocket")]
    #[test]
    fn a_message_clears_its_sender_and_the_end_or_a_comeback_clears_everyone() {
        use crate::chat::stream::{ChatEnd, Connection, Event, Restored};

        let clock = StepClock::new();
        let mut typers = clock.typers();
        let feed = |typers: &mut Typers| {
            typers.on_event(&Event::Typing(typing("agent", ParticipantRole::Agent)));
            typers.on_event(&Event::Typing(typing("bot", ParticipantRole::CustomBot)));
        };
        feed(&mut typers);
        let mut message = typing("agent", ParticipantRole::Agent);
        message.item_type = Some(ItemType::Message);
        message.content_type = Some("text/plain".into());
        typers.on_event(&Event::Message(message.clone()));
        assert_eq!(who(&mut typers), ["bot"]);
        typers.on_event(&Event::ParticipantLeft(typing(
            "bot",
            ParticipantRole::CustomBot,
        )));
        assert!(typers.current().is_empty());
        let restored = Event::Connection(Connection::Restored(Restored {
            missed: 0,
            down_for: Duration::ZERO,
        }));
        let ended = Event::ChatEnded(ChatEnd {
            item: None,
            error: None,
        });
        for clearing in [restored, ended] {
            feed(&mut typers);
            typers.on_event(&Event::Delivered(crate::ReceiptEvent {
                message_id: None,
                recipient: None,
                delivered_at: None,
                read_at: None,
                item: message.clone(),
            }));
            assert_eq!(typers.current().len(), 2, "a receipt clears nobody");
            typers.on_event(&clearing);
            assert!(typers.current().is_empty(), "{clearing:?}");
        }
    }
}
