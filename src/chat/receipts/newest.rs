//! [`ReceiptPolicy::Newest`](super::ReceiptPolicy::Newest): per window, at most one
//! delivered and one read receipt, each for the newest message, as the reference clients
//! send them.
//!
//! A read receipt for a message says the earlier ones were read too, and a read receipt
//! says what a delivered one would; so a receipt for a message no later than one already
//! given (or waiting) of the same or a stronger kind says nothing new.
//!
//! The calls go at the end of a window (trailing edge), as ChatJS times them
//! (`src/core/MessageReceiptsUtil.js`, `sendMessageReceipts`: one timer of `throttleTime`,
//! started by the first receipt, sends the latest receipts noted when it fires): the first
//! receipt noted while none waits opens the window, a read as well as a delivered one, and
//! what waits when it has lasted the interval goes out in one flush. The next receipt noted
//! after that opens the next window.

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
}

/// The book of [`ReceiptPolicy::Newest`](super::ReceiptPolicy::Newest).
#[derive(Debug, Default)]
pub(super) struct Newest {
    delivered: Slot,
    read: Slot,
    /// When the window of the waiting receipts opened: some exactly while one waits.
    opened: Option<Instant>,
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

    /// Drops the waiting receipts that say nothing new any more; with none left waiting,
    /// the window closes.
    fn prune(&mut self) {
        for kind in Kind::STRONGEST_FIRST {
            if let Some(p) = self.slot_mut(kind).pending.take() {
                if !self.covered(&p, kind) {
                    self.slot_mut(kind).pending = Some(p);
                }
            }
        }
        if self.pending() == 0 {
            self.opened = None;
        }
    }
}

impl Book for Newest {
    fn note(&mut self, mark: Mark, kind: Kind, now: Instant) {
        if self.covered(&mark, kind) {
            return;
        }
        let slot = self.slot_mut(kind);
        // Only the newest message waits: a receipt for it covers the earlier ones.
        if slot.pending.as_ref().is_none_or(|p| mark.after(p)) {
            slot.pending = Some(mark);
        }
        // The first receipt waiting opens the window; later ones join it.
        self.opened.get_or_insert(now);
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
        if !wait_left(self.opened, now, interval).is_zero() {
            return Vec::new();
        }
        Kind::STRONGEST_FIRST
            .into_iter()
            .filter_map(|kind| Some((self.slot(kind).pending.clone()?, kind)))
            .collect()
    }

    fn called(&mut self, mark: &Mark, kind: Kind, now: Instant, landed: Option<bool>) {
        match landed {
            Some(true) => self.seen(mark.clone(), kind),
            // Kept for the next window, which opens now.
            Some(false) => self.opened = Some(now),
            None => {
                let slot = self.slot_mut(kind);
                if slot.pending.as_ref() == Some(mark) {
                    slot.pending = None;
                }
                self.prune();
            }
        }
    }

    fn due_in(&self, now: Instant, interval: Duration) -> Option<Duration> {
        (self.pending() > 0).then(|| wait_left(self.opened, now, interval))
    }

    fn pending(&self) -> usize {
        usize::from(self.delivered.pending.is_some()) + usize::from(self.read.pending.is_some())
    }

    fn clear(&mut self) {
        self.delivered.pending = None;
        self.read.pending = None;
        self.opened = None;
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

    /// Makes the calls `due` gives at `now`, each landing; returns what they were for.
    fn send(b: &mut Newest, now: Instant) -> Vec<(String, Kind)> {
        let due = b.due(now, WINDOW);
        for (mark, kind) in &due {
            b.called(mark, *kind, now, Some(true));
        }
        due.into_iter().map(|(m, k)| (m.id, k)).collect()
    }

    #[test]
    fn a_burst_waits_as_one_receipt_of_each_kind_for_the_newest() {
        let mut b = Newest::default();
        let t0 = Instant::now();
        for i in 0..20 {
            b.note(m(&format!("m{i}"), i), Kind::Delivered, t0);
        }
        assert_eq!(b.pending(), 1);
        b.note(m("m7", 7), Kind::Read, t0);
        let end = t0 + WINDOW;
        // Delivered for m19 is still news: read only reaches m7.
        assert_eq!(
            ids(&b.due(end, WINDOW)),
            [("m7", Kind::Read), ("m19", Kind::Delivered)]
        );
        b.note(m("m19", 19), Kind::Read, t0);
        // Read for the newest makes every delivered receipt unnecessary.
        assert_eq!(ids(&b.due(end, WINDOW)), [("m19", Kind::Read)]);
    }

    #[test]
    fn an_older_message_than_one_already_read_needs_nothing() {
        let mut b = Newest::default();
        let t0 = Instant::now();
        b.seen(m("m5", 5), Kind::Read);
        b.note(m("m3", 3), Kind::Read, t0);
        b.note(m("m4", 4), Kind::Delivered, t0);
        b.note(m("m5", 5), Kind::Delivered, t0);
        assert_eq!(b.pending(), 0);
        assert_eq!(
            b.due_in(t0, WINDOW),
            None,
            "nothing waiting opens no window"
        );
        b.note(m("m6", 6), Kind::Delivered, t0);
        assert_eq!(b.pending(), 1);
    }

    #[test]
    fn a_window_of_zero_sends_at_once_and_one_of_duration_max_never_ends() {
        let mut b = Newest::default();
        let t0 = Instant::now();
        b.note(m("a", 1), Kind::Read, t0);
        assert_eq!(b.due_in(t0, Duration::ZERO), Some(Duration::ZERO));
        assert_eq!(ids(&b.due(t0, Duration::ZERO)), [("a", Kind::Read)]);
        // No overflow, however far the clock goes: the receipt waits.
        assert_eq!(b.due_in(t0, Duration::MAX), Some(Duration::MAX));
        let far = t0 + Duration::from_secs(100 * 365 * 24 * 3600);
        assert!(b.due(far, Duration::MAX).is_empty());
        assert!(b.due_in(far, Duration::MAX).unwrap() > Duration::from_secs(3600));
    }

    #[test]
    fn the_first_receipt_opens_the_window_and_everything_goes_at_its_end() {
        let mut b = Newest::default();
        let t0 = Instant::now();
        b.note(m("a", 1), Kind::Read, t0);
        let just_before = t0 + WINDOW - Duration::from_millis(1);
        assert!(b.due(just_before, WINDOW).is_empty(), "a read waits too");
        // A later receipt joins the window: it does not push its end.
        b.note(m("b", 2), Kind::Read, t0 + Duration::from_secs(1));
        assert_eq!(
            b.due_in(t0 + Duration::from_secs(1), WINDOW),
            Some(Duration::from_secs(4))
        );
        assert_eq!(send(&mut b, t0 + WINDOW), [("b".to_owned(), Kind::Read)]);
        assert_eq!(b.due_in(t0 + WINDOW, WINDOW), None);
        // The next receipt opens the next window, from when it is noted.
        let t1 = t0 + Duration::from_secs(7);
        b.note(m("c", 3), Kind::Delivered, t1);
        assert_eq!(b.due_in(t1, WINDOW), Some(WINDOW));
        assert!(
            b.due(t1 + WINDOW - Duration::from_millis(1), WINDOW)
                .is_empty()
        );
        assert_eq!(
            send(&mut b, t1 + WINDOW),
            [("c".to_owned(), Kind::Delivered)]
        );
    }

    #[test]
    fn a_delivered_newer_than_the_newest_read_goes_with_it() {
        let mut b = Newest::default();
        let t0 = Instant::now();
        b.note(m("m1", 1), Kind::Delivered, t0);
        b.note(m("m2", 2), Kind::Delivered, t0);
        b.note(m("m1", 1), Kind::Read, t0);
        assert_eq!(
            send(&mut b, t0 + WINDOW),
            [
                ("m1".to_owned(), Kind::Read),
                ("m2".to_owned(), Kind::Delivered)
            ]
        );
        assert_eq!(b.pending(), 0);
    }

    #[test]
    fn a_failure_worth_retrying_keeps_the_receipt_for_a_window_from_the_failure() {
        let mut b = Newest::default();
        let t0 = Instant::now();
        b.note(m("a", 1), Kind::Delivered, t0);
        let t1 = t0 + WINDOW;
        b.called(&m("a", 1), Kind::Delivered, t1, Some(false));
        assert_eq!(b.pending(), 1);
        assert!(b.due(t1, WINDOW).is_empty());
        assert_eq!(b.due_in(t1, WINDOW), Some(WINDOW));
        b.called(&m("a", 1), Kind::Delivered, t1, None);
        assert_eq!(b.pending(), 0);
        assert_eq!(b.due_in(t1, WINDOW), None);
    }
}
