//! [`ReceiptPolicy::EveryMessage`](super::ReceiptPolicy::EveryMessage): a receipt for
//! every message, each at most once, the strongest one only, at most one call per message
//! per interval (this crate's behaviour before 0.4).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::book::{Book, Kind, Mark, wait_left};

/// Messages remembered at most; the oldest finished ones are forgotten first, so that a
/// long chat cannot grow the helper without bound.
pub(super) const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Default)]
struct Message {
    /// The strongest receipt given so far.
    sent: Option<Kind>,
    /// The receipt waiting for the next flush.
    pending: Option<Kind>,
    /// When the last receipt call for this message was made.
    last_call: Option<Instant>,
}

/// The book of [`ReceiptPolicy::EveryMessage`](super::ReceiptPolicy::EveryMessage).
#[derive(Debug, Default)]
pub(super) struct Every {
    messages: HashMap<String, Message>,
    /// Message ids in the order they were first noted: the order receipts go out in, and
    /// the order finished ones are forgotten in.
    order: VecDeque<String>,
}

impl Every {
    fn entry(&mut self, id: &str) -> &mut Message {
        if !self.messages.contains_key(id) {
            self.forget_finished();
            self.order.push_back(id.to_owned());
        }
        self.messages.entry(id.to_owned()).or_default()
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
}

impl Book for Every {
    fn note(&mut self, mark: Mark, kind: Kind, _now: Instant) {
        let message = self.entry(&mark.id);
        // Only a stronger receipt than any given or waiting one needs a call.
        if message.sent.max(message.pending) < Some(kind) {
            message.pending = Some(kind);
        }
    }

    fn seen(&mut self, mark: Mark, kind: Kind) {
        let message = self.entry(&mark.id);
        message.sent = message.sent.max(Some(kind));
        if message.pending <= message.sent {
            message.pending = None;
        }
    }

    fn due(&mut self, now: Instant, interval: Duration) -> Vec<(Mark, Kind)> {
        self.order
            .iter()
            .filter_map(|id| {
                let m = self.messages.get(id)?;
                let kind = m.pending?;
                let mark = Mark {
                    id: id.clone(),
                    time: None,
                    seq: 0,
                };
                wait_left(m.last_call, now, interval)
                    .is_zero()
                    .then_some((mark, kind))
            })
            .collect()
    }

    fn called(&mut self, mark: &Mark, kind: Kind, now: Instant, landed: Option<bool>) {
        let Some(message) = self.messages.get_mut(&mark.id) else {
            return;
        };
        message.last_call = Some(now);
        match landed {
            Some(true) => {
                message.sent = message.sent.max(Some(kind));
                message.pending = None;
            }
            Some(false) => {}
            None => message.pending = None,
        }
    }

    fn due_in(&self, now: Instant, interval: Duration) -> Option<Duration> {
        self.messages
            .values()
            .filter(|m| m.pending.is_some())
            .map(|m| wait_left(m.last_call, now, interval))
            .min()
    }

    fn pending(&self) -> usize {
        self.messages
            .values()
            .filter(|m| m.pending.is_some())
            .count()
    }

    fn clear(&mut self) {
        self.messages.clear();
        self.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: &str) -> Mark {
        Mark {
            id: id.into(),
            time: None,
            seq: 0,
        }
    }

    #[test]
    fn noting_keeps_only_the_strongest_receipt() {
        let mut b = Every::default();
        b.note(m("a"), Kind::Delivered, Instant::now());
        assert_eq!(b.messages["a"].pending, Some(Kind::Delivered));
        b.note(m("a"), Kind::Read, Instant::now());
        assert_eq!(b.messages["a"].pending, Some(Kind::Read));
        b.note(m("a"), Kind::Delivered, Instant::now());
        assert_eq!(b.messages["a"].pending, Some(Kind::Read));
        b.seen(m("a"), Kind::Read);
        b.note(m("a"), Kind::Read, Instant::now());
        b.note(m("a"), Kind::Delivered, Instant::now());
        assert_eq!(b.pending(), 0);
    }

    #[test]
    fn finished_messages_are_forgotten_oldest_first_past_the_cap() {
        let mut b = Every::default();
        for i in 0..MAX_TRACKED {
            b.seen(m(&i.to_string()), Kind::Read);
        }
        // The oldest one still waits to be sent: it must not be forgotten.
        b.messages.get_mut("0").unwrap().pending = Some(Kind::Read);
        b.note(m("new"), Kind::Read, Instant::now());
        assert_eq!(b.messages.len(), MAX_TRACKED);
        assert!(b.messages.contains_key("0"));
        assert!(!b.messages.contains_key("1"));
        assert!(b.messages.contains_key("new"));
        assert_eq!(b.pending(), 2);
    }
}
