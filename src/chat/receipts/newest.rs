//! [`ReceiptPolicy::Newest`](super::ReceiptPolicy::Newest): per window, at most one
//! delivered and one read receipt, each for the newest message, as the reference clients
//! send them.
//!
//! A read receipt for a message says the earlier ones were read too, and a read receipt
//! says what a delivered one would; so a receipt for a message no later than one already
//! given (or waiting) of the same or a stronger kind says nothing new.

use std::time::{Duration, Instant};

use super::book::{Book, Kind, Mark, Recent, wait_left};

#[derive(Debug, Default)]
struct Slot {
    /// The newest message waiting for this receipt.
    pending: Option<Mark>,
    /// The newest message this receipt was given for.
    done: Option<Mark>,
    /// Every message this receipt was given for (the newest 10,000): the order of a
    /// message known by id only cannot be compared with `done`'s time.
    given: Recent,
    /// When the last call for this kind was made: the window starts there.
    last_call: Option<Instant>,
}

/// The book of [`ReceiptPolicy::Newest`](super::ReceiptPolicy::Newest).
#[derive(Debug, Default)]
pub(super) struct Newest {
    delivered: Slot,
    read: Slot,
}

impl Newest {
    fn slot(&self, kind: Kind) -> &Slot {
        match kind {
            Kind::Delivered => &self.delivered,
            Kind::Read => &self.read,
        }
    }

    fn slot_mut(&mut self, kind: Kind) -> &mut Slot {
        match kind {
            Kind::Delivered => &mut self.delivered,
            Kind::Read => &mut self.read,
        }
    }

    /// Does a receipt of `kind` for `mark` say nothing new: given already, for this or a
    /// later message, by this kind or a stronger one, or waiting in a stronger kind?
    fn covered(&self, mark: &Mark, kind: Kind) -> bool {
        Kind::STRONGEST_FIRST
            .into_iter()
            .filter(|k| *k >= kind)
            .any(|k| {
                let s = self.slot(k);
                s.given.contains(&mark.id)
                    || s.done.as_ref().is_some_and(|d| !mark.after(d))
                    || (k > kind && s.pending.as_ref().is_some_and(|p| !mark.after(p)))
            })
    }

    /// Drops the waiting receipts that say nothing new any more.
    fn prune(&mut self) {
        for kind in Kind::STRONGEST_FIRST {
            if let Some(p) = self.slot_mut(kind).pending.take() {
                if !self.covered(&p, kind) {
                    self.slot_mut(kind).pending = Some(p);
                }
            }
        }
    }
}

impl Book for Newest {
    fn note(&mut self, mark: Mark, kind: Kind) {
        if self.covered(&mark, kind) {
            return;
        }
        let slot = self.slot_mut(kind);
        // Only the newest message waits: a receipt for it covers the earlier ones.
        if slot.pending.as_ref().is_none_or(|p| mark.after(p)) {
            slot.pending = Some(mark);
        }
        // A read receipt waiting now may make a waiting delivered one unnecessary.
        self.prune();
    }

    fn seen(&mut self, mark: Mark, kind: Kind) {
        let slot = self.slot_mut(kind);
        slot.given.insert(&mark.id);
        if slot.done.as_ref().is_none_or(|d| mark.after(d)) {
            slot.done = Some(mark);
        }
        self.prune();
    }

    fn due(&mut self, now: Instant, interval: Duration) -> Vec<(Mark, Kind)> {
        self.prune();
        Kind::STRONGEST_FIRST
            .into_iter()
            .filter_map(|kind| {
                let slot = self.slot(kind);
                let mark = slot.pending.as_ref()?;
                (wait_left(slot.last_call, now, interval).is_zero()).then(|| (mark.clone(), kind))
            })
            .collect()
    }

    fn called(&mut self, mark: &Mark, kind: Kind, now: Instant, landed: Option<bool>) {
        let slot = self.slot_mut(kind);
        slot.last_call = Some(now);
        match landed {
            Some(true) => self.seen(mark.clone(), kind),
            // Kept for the next window, unless a newer message took its place already.
            Some(false) => {}
            None => {
                if slot.pending.as_ref() == Some(mark) {
                    slot.pending = None;
                }
            }
        }
    }

    fn due_in(&self, now: Instant, interval: Duration) -> Option<Duration> {
        Kind::STRONGEST_FIRST
            .into_iter()
            .filter_map(|kind| {
                let slot = self.slot(kind);
                slot.pending.as_ref()?;
                Some(wait_left(slot.last_call, now, interval))
            })
            .min()
    }

    fn pending(&self) -> usize {
        usize::from(self.delivered.pending.is_some()) + usize::from(self.read.pending.is_some())
    }

    fn clear(&mut self) {
        self.delivered.pending = None;
        self.read.pending = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(5);

    fn m(id: &str, seq: u64) -> Mark {
        Mark {
            id: id.into(),
            time: None,
            seq,
        }
    }

    fn ids(due: &[(Mark, Kind)]) -> Vec<(&str, Kind)> {
        due.iter().map(|(m, k)| (m.id.as_str(), *k)).collect()
    }

    #[test]
    fn a_burst_waits_as_one_receipt_of_each_kind_for_the_newest() {
        let mut b = Newest::default();
        for i in 0..20 {
            b.note(m(&format!("m{i}"), i), Kind::Delivered);
        }
        assert_eq!(b.pending(), 1);
        b.note(m("m7", 7), Kind::Read);
        let now = Instant::now();
        // Delivered for m19 is still news: read only reaches m7.
        assert_eq!(
            ids(&b.due(now, WINDOW)),
            [("m7", Kind::Read), ("m19", Kind::Delivered)]
        );
        b.note(m("m19", 19), Kind::Read);
        // Read for the newest makes every delivered receipt unnecessary.
        assert_eq!(ids(&b.due(now, WINDOW)), [("m19", Kind::Read)]);
    }

    #[test]
    fn an_older_message_than_one_already_read_needs_nothing() {
        let mut b = Newest::default();
        b.seen(m("m5", 5), Kind::Read);
        b.note(m("m3", 3), Kind::Read);
        b.note(m("m4", 4), Kind::Delivered);
        b.note(m("m5", 5), Kind::Delivered);
        assert_eq!(b.pending(), 0);
        b.note(m("m6", 6), Kind::Delivered);
        assert_eq!(b.pending(), 1);
    }

    #[test]
    fn one_call_per_kind_per_window() {
        let mut b = Newest::default();
        let t0 = Instant::now();
        b.note(m("a", 1), Kind::Read);
        let (mark, kind) = b.due(t0, WINDOW).remove(0);
        b.called(&mark, kind, t0, Some(true));
        b.note(m("b", 2), Kind::Read);
        assert!(
            b.due(t0 + WINDOW - Duration::from_millis(1), WINDOW)
                .is_empty()
        );
        assert_eq!(
            b.due_in(t0 + Duration::from_secs(1), WINDOW),
            Some(Duration::from_secs(4))
        );
        assert_eq!(ids(&b.due(t0 + WINDOW, WINDOW)), [("b", Kind::Read)]);
    }

    #[test]
    fn a_failure_worth_retrying_keeps_the_receipt_and_starts_the_window() {
        let mut b = Newest::default();
        let t0 = Instant::now();
        b.note(m("a", 1), Kind::Delivered);
        b.called(&m("a", 1), Kind::Delivered, t0, Some(false));
        assert_eq!(b.pending(), 1);
        assert!(b.due(t0, WINDOW).is_empty());
        b.called(&m("a", 1), Kind::Delivered, t0, None);
        assert_eq!(b.pending(), 0);
    }
}
