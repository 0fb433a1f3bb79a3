//! Ordered delivery: chat events held for a window and released in `AbsoluteTime` order.
//! Pure, no IO.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use super::Event;
use crate::time::Timestamp;

/// The most events held at once: a server that floods the window gets its oldest
/// released early rather than held in memory without bound.
const MAX_HELD: usize = 10_000;

/// Where an event stands: its item's time, then the order it arrived in.
type Key = (Timestamp, u64);

/// The events held, each at most the window after it arrived.
pub(super) struct Reorder {
    window: Duration,
    held: BTreeMap<Key, Event>,
    /// When each held event is due, in arrival order (so the front is the first due).
    due: VecDeque<(Instant, Key)>,
    /// Every held event up to this key may go: a later one is due.
    release_upto: Option<Key>,
    arrivals: u64,
}

impl Reorder {
    pub(super) fn new(window: Duration) -> Reorder {
        Reorder {
            window,
            held: BTreeMap::new(),
            due: VecDeque::new(),
            release_upto: None,
            arrivals: 0,
        }
    }

    /// Holds `event` if it is a chat item with a time; gives it back otherwise (a change
    /// of the connection, an end learnt without an item), to be yielded at once.
    pub(super) fn hold(&mut self, event: Event, now: Instant) -> Option<Event> {
        let Some(time) = event.item().and_then(|i| i.absolute_time.clone()) else {
            return Some(event);
        };
        let key = (time, self.arrivals);
        self.arrivals += 1;
        let at = now.checked_add(self.window).unwrap_or(now);
        self.due.push_back((at, key.clone()));
        self.held.insert(key, event);
        None
    }

    /// The next event that may go at `now`: the oldest held, once it or a later one has
    /// waited its window. An older event that comes after a later one went is released
    /// at once: what was yielded is not taken back.
    pub(super) fn release(&mut self, now: Instant) -> Option<Event> {
        while let Some((at, _)) = self.due.front() {
            if *at > now {
                break;
            }
            let (_, key) = self.due.pop_front()?;
            if self.release_upto.as_ref().is_none_or(|upto| key > *upto) {
                self.release_upto = Some(key);
            }
        }
        let first = self.held.first_key_value()?.0;
        let due = self.release_upto.as_ref().is_some_and(|upto| first <= upto);
        if !due && self.held.len() <= MAX_HELD {
            return None;
        }
        self.held.pop_first().map(|(_, e)| e)
    }

    /// When the next event is due, if one is held (after [`release`](Self::release) gave
    /// nothing). An entry whose event went early with a later one may wake the stream for
    /// nothing: harmless.
    pub(super) fn next_due(&self) -> Option<Instant> {
        if self.held.is_empty() {
            return None;
        }
        self.due.front().map(|(at, _)| *at)
    }

    /// Everything held, oldest first: the stream is ending.
    pub(super) fn drain(&mut self) -> impl Iterator<Item = Event> + use<> {
        self.due.clear();
        std::mem::take(&mut self.held).into_values()
    }

    pub(super) fn len(&self) -> usize {
        self.held.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::transcript::Item;

    fn message(id: &str, second: u32) -> Event {
        let json = format!(
            r#"{{"AbsoluteTime":"2026-12-07T10:00:{second:02}.000Z","Id":"{id}","Type":"MESSAGE"}}"#
        );
        Event::Message(Item::from_json(&json).unwrap())
    }

    fn id(e: &Event) -> &str {
        e.item().and_then(|i| i.id.as_deref()).unwrap_or("-")
    }

    #[test]
    fn items_wait_their_window_and_go_in_time_order() {
        let t0 = Instant::now();
        let w = Duration::from_millis(100);
        let mut r = Reorder::new(w);
        assert!(r.hold(message("c", 3), t0).is_none());
        assert!(
            r.hold(message("a", 1), t0 + Duration::from_millis(50))
                .is_none()
        );
        assert!(r.release(t0 + Duration::from_millis(99)).is_none());
        assert_eq!(r.next_due(), Some(t0 + w));
        // c is due: a, older, goes first, then c; b has not come.
        let out: Vec<String> = std::iter::from_fn(|| r.release(t0 + w))
            .map(|e| id(&e).to_owned())
            .collect();
        assert_eq!(out, ["a", "c"]);
        // Older than what went: it goes at once, not after its window.
        assert!(r.hold(message("b", 2), t0 + w).is_none());
        assert_eq!(id(&r.release(t0 + w).unwrap()), "b");
        assert_eq!(r.len(), 0);
        assert_eq!(r.next_due(), None);
    }

    #[test]
    fn a_flood_past_the_bound_releases_the_oldest_early() {
        let t0 = Instant::now();
        let mut r = Reorder::new(Duration::from_secs(5));
        for i in 0..=MAX_HELD as u32 {
            r.hold(message(&format!("m{i}"), i % 60), t0);
        }
        let first = r.release(t0).expect("one over the bound");
        assert_eq!(id(&first), "m0");
        assert_eq!(r.len(), MAX_HELD);
        assert!(r.release(t0).is_none(), "at the bound: held");
    }

    #[test]
    fn what_has_no_time_is_given_back_and_drain_gives_the_rest_in_order() {
        let t0 = Instant::now();
        let mut r = Reorder::new(Duration::from_secs(5));
        let lost = Event::Connection(crate::Connection::Established);
        assert!(r.hold(lost, t0).is_some());
        r.hold(message("b", 2), t0);
        r.hold(message("a", 1), t0);
        r.hold(message("a2", 1), t0);
        let out: Vec<String> = r.drain().map(|e| id(&e).to_owned()).collect();
        assert_eq!(
            out,
            ["a", "a2", "b"],
            "equal times keep their arrival order"
        );
        assert!(r.release(t0 + Duration::from_secs(9)).is_none());
    }
}
