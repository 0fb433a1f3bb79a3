//! Delivered and read receipts with as few SendEvent calls as the service needs.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::sender::{ClockFn, EventSender};
use crate::SendEventRequest;
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::participant::Participant;
use crate::token::ConnectionToken;

/// Messages remembered at most; the oldest finished ones are forgotten first, so that a
/// long chat cannot grow the helper without bound.
const MAX_TRACKED: usize = 10_000;

/// Which receipt; a read receipt says more than a delivered one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Receipt {
    Delivered,
    Read,
}

#[derive(Debug, Default)]
struct Message {
    /// The strongest receipt sent so far.
    sent: Option<Receipt>,
    /// The receipt waiting for the next flush.
    pending: Option<Receipt>,
    /// When the last receipt call for this message was made.
    last_call: Option<Instant>,
}

/// Turns "message X was delivered / read" into as few SendEvent calls as the service needs.
///
/// - A read receipt makes a delivered receipt for the same message unnecessary: if both are
///   waiting, only the read one is sent; once read was sent, delivered is never sent.
/// - A receipt for one message is never sent twice.
/// - At most one receipt call per message per interval (5 s unless set otherwise); a receipt
///   that comes sooner waits for a later [`flush`](Receipts::flush).
/// - **Receipts are not available in every chat.** The service refuses them with
///   ConflictException when more than two participants are in the chat or a supervisor has
///   barged in. The first such refusal is returned by `flush` (kind
///   [`ErrorKind::Conflict`]); from then on receipts are dropped without a call, and
///   [`is_available`](Receipts::is_available) says `false`.
///
/// Blocking and thread-free: [`delivered`](Receipts::delivered) and
/// [`read`](Receipts::read) only note the receipt; [`flush`](Receipts::flush) sends what is
/// due. Call `flush` after noting, or from your event loop.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use connect_participant::{ContentType, Receipts};
/// use connect_participant::emulator::Emulator;
///
/// let emulator = Emulator::start()?;
/// let client = emulator.client_builder().build()?;
/// let mut receipts = Receipts::new(client, emulator.connection_token());
/// receipts.delivered("m-1")?;
/// receipts.read("m-1")?; // makes the delivered receipt unnecessary
/// assert_eq!(receipts.flush()?, 1);
/// assert_eq!(emulator.events()[0].content_type, ContentType::MessageRead.as_str());
/// receipts.read("m-1")?; // already sent: nothing to do
/// assert_eq!(receipts.flush()?, 0);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Receipts {
    sender: EventSender,
    interval: Duration,
    clock: Arc<ClockFn>,
    messages: HashMap<String, Message>,
    /// Message ids in the order they were first noted: the order receipts go out in, and
    /// the order finished ones are forgotten in.
    order: VecDeque<String>,
    available: bool,
}

impl Receipts {
    /// The default interval: at most one receipt call per message per 5 s.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

    /// A receipts helper for the participant whose connection token this is.
    pub fn new(client: Client, token: ConnectionToken) -> Receipts {
        Receipts::with_sender(EventSender::Token(client, token))
    }

    /// A receipts helper for a [`Participant`] (it renews its own token).
    pub fn for_participant(participant: Participant) -> Receipts {
        Receipts::with_sender(EventSender::Participant(participant))
    }

    fn with_sender(sender: EventSender) -> Receipts {
        Receipts {
            sender,
            interval: Self::DEFAULT_INTERVAL,
            clock: Arc::new(Instant::now),
            messages: HashMap::new(),
            order: VecDeque::new(),
            available: true,
        }
    }

    /// Sets the least time between two receipt calls for one message. Defaults to
    /// [`DEFAULT_INTERVAL`](Self::DEFAULT_INTERVAL), 5 s.
    ///
    /// Any value is defined: zero lets every flush call again for a message whose stronger
    /// receipt is waiting, and `Duration::MAX` allows one call per message (time is
    /// compared, never added to, so nothing overflows).
    #[must_use]
    pub fn with_interval(mut self, interval: Duration) -> Receipts {
        self.interval = interval;
        self
    }

    /// Reads the time from `clock` instead of `Instant::now`, for tests that step time
    /// exactly. Defaults to `Instant::now`.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> Instant + Send + Sync + 'static) -> Receipts {
        self.clock = Arc::new(clock);
        self
    }

    /// Notes that the message was delivered. Sends nothing; see [`flush`](Self::flush).
    ///
    /// An empty message id is refused at once ([`ErrorKind::InvalidInput`]).
    pub fn delivered(&mut self, message_id: &str) -> Result<()> {
        self.note(message_id, Receipt::Delivered)
    }

    /// Notes that the message was read. Sends nothing; see [`flush`](Self::flush).
    ///
    /// An empty message id is refused at once ([`ErrorKind::InvalidInput`]).
    pub fn read(&mut self, message_id: &str) -> Result<()> {
        self.note(message_id, Receipt::Read)
    }

    fn note(&mut self, message_id: &str, receipt: Receipt) -> Result<()> {
        if message_id.is_empty() {
            return Err(Error::invalid_input(
                "messageId",
                "0 characters, must be at least 1",
            ));
        }
        if !self.available {
            return Ok(());
        }
        if !self.messages.contains_key(message_id) {
            self.forget_finished();
            self.order.push_back(message_id.to_owned());
        }
        let message = self.messages.entry(message_id.to_owned()).or_default();
        // Only a stronger receipt than any sent or waiting one needs a call.
        let covered = message.sent.max(message.pending);
        if covered < Some(receipt) {
            message.pending = Some(receipt);
        }
        Ok(())
    }

    /// Forgets the oldest finished messages while more than [`MAX_TRACKED`] are kept.
    fn forget_finished(&mut self) {
        let mut scanned = 0;
        while self.messages.len() >= MAX_TRACKED && scanned < self.order.len() {
            scanned += 1;
            let Some(id) = self.order.pop_front() else {
                break;
            };
            if self.messages.get(&id).is_some_and(|m| m.pending.is_some()) {
                self.order.push_back(id);
            } else {
                self.messages.remove(&id);
            }
        }
    }

    /// Sends every receipt that is due, oldest first, and returns how many calls it made.
    ///
    /// A receipt for a message that had a receipt call less than the interval ago stays
    /// waiting for a later flush. On an error the flush stops and returns it:
    /// ConflictException turns receipts off for this chat (see the type's docs); a failure
    /// worth another try (throttling, a 5xx, the network) keeps the receipt for the next
    /// flush; any other refusal drops that receipt, so that it cannot block the others.
    pub fn flush(&mut self) -> Result<usize> {
        let mut calls = 0;
        if !self.available {
            return Ok(calls);
        }
        let now = (self.clock)();
        let due: Vec<(String, Receipt)> = self
            .order
            .iter()
            .filter_map(|id| {
                let m = self.messages.get(id)?;
                let receipt = m.pending?;
                let waited = m
                    .last_call
                    .is_none_or(|t| now.saturating_duration_since(t) >= self.interval);
                waited.then(|| (id.clone(), receipt))
            })
            .collect();
        for (id, receipt) in due {
            let request = match receipt {
                Receipt::Delivered => SendEventRequest::delivered(&id),
                Receipt::Read => SendEventRequest::read(&id),
            };
            let result = self.sender.send_event(&request);
            calls += 1;
            let Some(message) = self.messages.get_mut(&id) else {
                continue;
            };
            message.last_call = Some(now);
            match result {
                Ok(_) => {
                    message.sent = message.sent.max(Some(receipt));
                    message.pending = None;
                }
                Err(e) if e.kind() == ErrorKind::Conflict => {
                    self.available = false;
                    self.messages.clear();
                    self.order.clear();
                    return Err(e);
                }
                Err(e) => {
                    if !e.is_retryable() {
                        message.pending = None;
                    }
                    return Err(e);
                }
            }
        }
        Ok(calls)
    }

    /// Receipts noted and not sent yet.
    pub fn pending(&self) -> usize {
        self.messages
            .values()
            .filter(|m| m.pending.is_some())
            .count()
    }

    /// False once the service has answered ConflictException: receipts are not available
    /// in this chat (more than two participants, or a supervisor barged in).
    pub fn is_available(&self) -> bool {
        self.available
    }
}

impl fmt::Debug for Receipts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receipts")
            .field("sender", &self.sender)
            .field("interval", &self.interval)
            .field("tracked", &self.messages.len())
            .field("pending", &self.pending())
            .field("available", &self.available)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipts() -> Receipts {
        // Never sends: the tests below only note receipts.
        let client = Client::builder()
            .endpoint_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        Receipts::new(client, ConnectionToken::new("t").unwrap())
    }

    #[test]
    fn noting_keeps_only_the_strongest_receipt() {
        let mut r = receipts();
        r.delivered("a").unwrap();
        assert_eq!(r.messages["a"].pending, Some(Receipt::Delivered));
        r.read("a").unwrap();
        assert_eq!(r.messages["a"].pending, Some(Receipt::Read));
        r.delivered("a").unwrap();
        assert_eq!(r.messages["a"].pending, Some(Receipt::Read));
        r.messages.get_mut("a").unwrap().sent = Some(Receipt::Read);
        r.messages.get_mut("a").unwrap().pending = None;
        r.read("a").unwrap();
        r.delivered("a").unwrap();
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn finished_messages_are_forgotten_oldest_first_past_the_cap() {
        let mut r = receipts();
        for i in 0..MAX_TRACKED {
            let id = i.to_string();
            r.order.push_back(id.clone());
            r.messages.insert(
                id,
                Message {
                    sent: Some(Receipt::Read),
                    ..Message::default()
                },
            );
        }
        // The oldest one still waits to be sent: it must not be forgotten.
        r.messages.get_mut("0").unwrap().pending = Some(Receipt::Read);
        r.read("new").unwrap();
        assert_eq!(r.messages.len(), MAX_TRACKED);
        assert!(r.messages.contains_key("0"));
        assert!(!r.messages.contains_key("1"));
        assert!(r.messages.contains_key("new"));
        assert_eq!(r.pending(), 2);
    }
}
