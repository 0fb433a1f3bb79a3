//! Typing indicators at the rate a chat needs, not one per keystroke.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::sender::{ClockFn, EventSender};
use crate::SendEventRequest;
use crate::client::Client;
use crate::error::Result;
use crate::participant::Participant;
use crate::token::ConnectionToken;

/// Sends a typing event at most once per window, on the leading edge.
///
/// Call [`typing`](TypingThrottle::typing) on every keystroke: the first one sends at once,
/// the rest within the window are dropped without a request, as Amazon Connect's own browser
/// chat library does. The window is 10 s unless set otherwise. Blocking and thread-free: a
/// keystroke that sends waits for the answer; one that is dropped returns at once.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use connect_participant::TypingThrottle;
/// use connect_participant::emulator::Emulator;
///
/// let emulator = Emulator::start()?;
/// let client = emulator.client_builder().build()?;
/// let mut typing = TypingThrottle::new(client, emulator.connection_token());
/// assert!(typing.typing()?); // sent
/// assert!(!typing.typing()?); // dropped: within 10 s of the last one
/// assert_eq!(emulator.events().len(), 1);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TypingThrottle {
    sender: EventSender,
    window: Duration,
    clock: Arc<ClockFn>,
    last_sent: Option<Instant>,
}

impl TypingThrottle {
    /// The default window: Amazon Connect's browser chat library sends typing at most once
    /// per 10 s.
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(10);

    /// A throttle for the typing events of the participant whose connection token this is.
    pub fn new(client: Client, token: ConnectionToken) -> TypingThrottle {
        TypingThrottle::with_sender(EventSender::Token(client, token))
    }

    /// A throttle for a [`Participant`]'s typing events (it renews its own token).
    pub fn for_participant(participant: Participant) -> TypingThrottle {
        TypingThrottle::with_sender(EventSender::Participant(participant))
    }

    fn with_sender(sender: EventSender) -> TypingThrottle {
        TypingThrottle {
            sender,
            window: Self::DEFAULT_WINDOW,
            clock: Arc::new(Instant::now),
            last_sent: None,
        }
    }

    /// Sets the window. Defaults to [`DEFAULT_WINDOW`](Self::DEFAULT_WINDOW), 10 s.
    ///
    /// Any value is defined: zero sends at every keystroke, and `Duration::MAX` sends once
    /// until [`reset`](Self::reset) (time is compared, never added to, so nothing overflows).
    #[must_use]
    pub fn with_window(mut self, window: Duration) -> TypingThrottle {
        self.window = window;
        self
    }

    /// Reads the time from `clock` instead of `Instant::now`, for tests that step time
    /// exactly. Defaults to `Instant::now`.
    #[must_use]
    pub fn with_clock(
        mut self,
        clock: impl Fn() -> Instant + Send + Sync + 'static,
    ) -> TypingThrottle {
        self.clock = Arc::new(clock);
        self
    }

    /// A keystroke: sends a typing event unless one was sent within the window.
    ///
    /// Returns whether it sent. A failed send still starts a window, so that a struggling
    /// service is not asked again at every keystroke; the error is returned.
    pub fn typing(&mut self) -> Result<bool> {
        let now = (self.clock)();
        if let Some(last) = self.last_sent {
            if now.saturating_duration_since(last) < self.window {
                return Ok(false);
            }
        }
        self.last_sent = Some(now);
        self.sender
            .send_event(&SendEventRequest::typing())
            .map(|_| true)
    }

    /// Forgets the last send, so that the next keystroke sends at once: call it when the
    /// participant sends their message, after which the other side no longer shows typing.
    pub fn reset(&mut self) {
        self.last_sent = None;
    }
}

impl fmt::Debug for TypingThrottle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypingThrottle")
            .field("sender", &self.sender)
            .field("window", &self.window)
            .field("last_sent", &self.last_sent)
            .finish_non_exhaustive()
    }
}
