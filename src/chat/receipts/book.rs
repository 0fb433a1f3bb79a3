//! What a receipts policy keeps: the receipts waiting, the ones already given, and the
//! windows that time the calls. Pure: no IO, the time is passed in.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

use crate::time::Timestamp;

/// Which receipt; a read receipt says more than a delivered one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    Delivered,
    Read,
}

impl Kind {
    /// Strongest first: the order a flush sends in.
    pub(super) const STRONGEST_FIRST: [Kind; 2] = [Kind::Read, Kind::Delivered];
}

/// A message a receipt is about, and where it stands in the chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Mark {
    pub(super) id: String,
    /// Its `AbsoluteTime`, when it came from an item.
    pub(super) time: Option<Timestamp>,
    /// The order it was noted in, for messages known by id only.
    pub(super) seq: u64,
}

impl Mark {
    /// Is this a later message than `other`? By `AbsoluteTime` when both have one and they
    /// differ (the stream does not promise to yield in time order), else by the order they
    /// were noted. A message is never later than itself.
    pub(super) fn after(&self, other: &Mark) -> bool {
        if self.id == other.id {
            return false;
        }
        match (&self.time, &other.time) {
            (Some(a), Some(b)) if a != b => a > b,
            _ => self.seq > other.seq,
        }
    }
}

/// What a policy does with receipts; [`Receipts`](super::Receipts) does the IO.
pub(super) trait Book: fmt::Debug + Send + Sync {
    /// A receipt to give, unless it says nothing new; `now` is when it was noted.
    fn note(&mut self, mark: Mark, kind: Kind, now: Instant);
    /// A receipt already given (sent, or found in the transcript or the stream).
    fn seen(&mut self, mark: Mark, kind: Kind);
    /// The receipts to send now, in the order they go out.
    fn due(&mut self, now: Instant, interval: Duration) -> Vec<(Mark, Kind)>;
    /// A call was made for `mark`: `Some(true)` it landed, `Some(false)` it is worth
    /// another try, `None` it was refused for good.
    fn called(&mut self, mark: &Mark, kind: Kind, now: Instant, landed: Option<bool>);
    /// How long until the first waiting receipt may be sent; `None` when none waits.
    fn due_in(&self, now: Instant, interval: Duration) -> Option<Duration>;
    /// How many receipts wait.
    fn pending(&self) -> usize;
    /// Forgets every waiting receipt.
    fn clear(&mut self);
}

/// How long from `since` (a call, or a window's opening) until `interval` has passed:
/// zero if it has, or if `since` is none.
pub(super) fn wait_left(since: Option<Instant>, now: Instant, interval: Duration) -> Duration {
    since.map_or(Duration::ZERO, |t| {
        interval.saturating_sub(now.saturating_duration_since(t))
    })
}

/// A set of message ids that forgets its oldest past a cap, so that a long chat cannot
/// grow it without bound.
#[derive(Debug, Default)]
pub(super) struct Recent {
    ids: HashSet<String>,
    order: VecDeque<String>,
}

impl Recent {
    /// Message ids remembered at most.
    pub(super) const CAP: usize = 10_000;

    pub(super) fn insert(&mut self, id: &str) {
        if self.ids.contains(id) {
            return;
        }
        if self.order.len() >= Self::CAP {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        self.ids.insert(id.to_owned());
        self.order.push_back(id.to_owned());
    }

    pub(super) fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.order.len()
    }
}

/// Where messages stand in the chat, as first noted or as a transcript page showed them
/// (the newest 10,000): a message noted again keeps its place, so that messages sharing a
/// millisecond keep the order they came in, or the transcript's after a restart.
#[derive(Debug, Default)]
pub(super) struct Places {
    seq: HashMap<String, u64>,
    order: VecDeque<String>,
}

impl Places {
    pub(super) fn insert(&mut self, id: &str, seq: u64) {
        if self.seq.insert(id.to_owned(), seq).is_some() {
            return;
        }
        if self.order.len() >= Recent::CAP {
            if let Some(old) = self.order.pop_front() {
                self.seq.remove(&old);
            }
        }
        self.order.push_back(id.to_owned());
    }

    pub(super) fn get(&self, id: &str) -> Option<u64> {
        self.seq.get(id).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(id: &str, time: Option<&str>, seq: u64) -> Mark {
        Mark {
            id: id.into(),
            time: time.map(|t| Timestamp::parse(t).unwrap()),
            seq,
        }
    }

    #[test]
    fn later_by_time_when_both_have_one_else_by_order_noted() {
        let t1 = Some("2026-01-01T00:00:01Z");
        let t2 = Some("2026-01-01T00:00:02Z");
        assert!(mark("b", t2, 0).after(&mark("a", t1, 5)));
        assert!(!mark("a", t1, 5).after(&mark("b", t2, 0)));
        assert!(
            mark("b", t1, 6).after(&mark("a", t1, 5)),
            "same time: order noted"
        );
        assert!(mark("b", None, 6).after(&mark("a", t2, 5)));
        assert!(
            !mark("a", t2, 9).after(&mark("a", t1, 0)),
            "never after itself"
        );
    }

    #[test]
    fn recent_forgets_its_oldest_past_the_cap() {
        let mut r = Recent::default();
        for i in 0..=Recent::CAP {
            r.insert(&i.to_string());
        }
        r.insert("5");
        assert_eq!(r.len(), Recent::CAP);
        assert!(!r.contains("0"));
        assert!(r.contains("1"));
        assert!(r.contains(&Recent::CAP.to_string()));
    }
}
