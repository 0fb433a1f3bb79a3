//! Each item once: duplicates dropped by `Id`, later versions of an item made updates, and
//! a streamed bot message's chunks put together in order. Pure, no IO.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};

use super::event::{Event, classify};
use crate::ops::transcript::{Item, ItemType, ParticipantRole};
use crate::time::Timestamp;

/// How many item `Id`s are remembered to drop duplicates: far more than a reconnection's
/// gap or the frames a server sends twice, at about 41 bytes each (a hash of the `Id` and
/// the fingerprint in the map, the hash again in the order, with the map's spare room).
pub(crate) const MAX_SEEN: usize = 10_000;
/// How many streamed messages may be in progress at once; past it the oldest is
/// forgotten (its completed item still arrives whole).
const MAX_PARTIAL: usize = 64;
/// How many chunks that came ahead of their turn are held per message; past it they wait
/// for the completed item, as ChatJS makes every out-of-order chunk wait.
const MAX_HELD: usize = 256;
/// The most text a streamed message is put together to before its completed item: a
/// message's content is at most 16 KiB, so this is far above any legal one.
const MAX_STITCHED: usize = 1024 * 1024;

/// The delivery state of one stream.
#[derive(Default)]
pub(crate) struct Delivery {
    /// Hash of an `Id` → fingerprint of the version last yielded. The `Id` itself is not
    /// kept: two different `Id`s share a 64-bit hash about once in 10^12 streams of 10,000
    /// items, and the hash's keys are this stream's own, random, so no sender can make
    /// two `Id`s collide on purpose.
    seen: HashMap<u64, u64>,
    /// The hashes in `seen`, oldest first, to forget the oldest.
    order: VecDeque<u64>,
    /// The keys of the `Id`s' hash.
    keys: RandomState,
    partial: HashMap<String, Partial>,
    partial_order: VecDeque<String>,
}

/// A streamed message being put together.
struct Partial {
    /// The chunk number expected next.
    next: u64,
    /// The chunks so far, in order.
    content: String,
    /// The first chunk's time: the message's.
    first_time: Option<Timestamp>,
    /// Chunks that came early, by number.
    held: BTreeMap<u64, Item>,
}

impl Delivery {
    /// The events `item` makes, appended to `out`: none for a duplicate.
    pub(crate) fn accept(&mut self, item: Item, out: &mut Vec<Event>) {
        let Some(id) = item.id.clone() else {
            // Without an Id nothing can be told apart: every such item is new.
            classify(item, out);
            return;
        };
        match streamed(&item) {
            Some(false) => self.chunk(id, item, out),
            Some(true) => {
                let was_partial = self.forget_partial(&id);
                self.versioned(id, item, was_partial, out);
            }
            None => self.versioned(id, item, false, out),
        }
    }

    /// Remembers `item` as seen without yielding it (what the stream skips on purpose).
    pub(crate) fn mark_seen(&mut self, item: &Item) {
        if let Some(id) = &item.id {
            self.remember(self.key(id), item.fingerprint());
        }
    }

    /// Has an item with this `Id` been yielded (or marked seen)?
    pub(crate) fn knows(&self, id: &str) -> bool {
        self.seen.contains_key(&self.key(id))
    }

    /// What `seen` knows an `Id` by.
    fn key(&self, id: &str) -> u64 {
        self.keys.hash_one(id)
    }

    /// The bytes the seen-items set holds: its map's and deque's room (what is allocated,
    /// used or not) times the size of an entry, with the map's control byte per bucket.
    /// Nothing else of it is on the heap.
    #[cfg(test)]
    pub(crate) fn seen_bytes(&self) -> usize {
        use std::mem::size_of;
        // A map's room is a power of two of buckets, 7/8 of which it fills.
        let buckets = match self.seen.capacity() {
            0 => 0,
            n => (n * 8 / 7).next_power_of_two(),
        };
        buckets * (size_of::<(u64, u64)>() + 1) + self.order.capacity() * size_of::<u64>()
    }

    /// A whole item: new, a duplicate, or a new version of one already yielded.
    /// `force_update` makes it an update even when new to `seen` (a streamed message
    /// whose chunks were yielded).
    fn versioned(&mut self, id: String, item: Item, force_update: bool, out: &mut Vec<Event>) {
        let print = item.fingerprint();
        let key = self.key(&id);
        match self.seen.get(&key) {
            Some(&old) if old == print && !force_update => {}
            Some(_) => {
                self.seen.insert(key, print);
                out.push(Event::Update(item));
            }
            None if force_update => {
                self.remember(key, print);
                out.push(Event::Update(item));
            }
            None => {
                self.remember(key, print);
                classify(item, out);
            }
        }
    }

    /// One chunk of a streamed message (a bot's message sent in parts that share an
    /// `Id`, `MessageMetadata.ChunkNumber` counting them).
    #[inline(never)] // Off the read path: see `ChatStream::next_until`.
    fn chunk(&mut self, id: String, item: Item, out: &mut Vec<Event>) {
        let key = self.key(&id);
        if self.seen.contains_key(&key) && !self.partial.contains_key(&id) {
            // The completed message is already out: a late chunk changes nothing.
            return;
        }
        let Some(number) = item.message_metadata.as_ref().and_then(|m| m.chunk_number) else {
            // A chunk without its number cannot be placed: it waits for the completed
            // item, as ChatJS makes it.
            return;
        };
        if !self.partial.contains_key(&id) {
            if self.partial.len() >= MAX_PARTIAL {
                if let Some(oldest) = self.partial_order.pop_front() {
                    self.partial.remove(&oldest);
                }
            }
            self.partial_order.push_back(id.clone());
            self.partial.insert(
                id.clone(),
                Partial {
                    next: 1,
                    content: String::new(),
                    first_time: None,
                    held: BTreeMap::new(),
                },
            );
        }
        let Some(partial) = self.partial.get_mut(&id) else {
            return;
        };
        if number < partial.next {
            return; // sent twice
        }
        if number > partial.next {
            if partial.held.len() < MAX_HELD {
                partial.held.insert(number, item);
            }
            return;
        }
        if number == 1 {
            partial.first_time = item.absolute_time.clone();
        }
        let mut latest = item;
        append(&mut partial.content, latest.content.as_deref());
        partial.next += 1;
        while let Some(next) = partial.held.remove(&partial.next) {
            append(&mut partial.content, next.content.as_deref());
            partial.next += 1;
            latest = next;
        }
        let mut stitched = latest;
        stitched.content = Some(partial.content.clone());
        stitched.absolute_time = partial.first_time.clone();
        let print = stitched.fingerprint();
        if let Some(known) = self.seen.get_mut(&key) {
            *known = print;
            out.push(Event::Update(stitched));
        } else {
            self.remember(key, print);
            out.push(Event::Message(stitched));
        }
    }

    /// Ends a streamed message's chunking; was it in progress?
    fn forget_partial(&mut self, id: &str) -> bool {
        if self.partial.remove(id).is_some() {
            self.partial_order.retain(|p| p != id);
            true
        } else {
            false
        }
    }

    /// Remembers a new `Id` (by its hash), forgetting the oldest past [`MAX_SEEN`].
    fn remember(&mut self, key: u64, print: u64) {
        if self.seen.len() >= MAX_SEEN {
            if let Some(oldest) = self.order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
        self.order.push_back(key);
        self.seen.insert(key, print);
    }
}

fn append(content: &mut String, chunk: Option<&str>) {
    let chunk = chunk.unwrap_or("");
    if content.len() + chunk.len() <= MAX_STITCHED {
        content.push_str(chunk);
    }
}

/// `Some(completed)` for a streamed bot message (a `SYSTEM` `MESSAGE` with
/// `MessageMetadata.MessageCompleted`, as ChatJS tells one), `None` for any other item.
fn streamed(item: &Item) -> Option<bool> {
    if item.item_type != Some(ItemType::Message)
        || item.participant_role != Some(ParticipantRole::System)
    {
        return None;
    }
    item.message_metadata.as_ref()?.message_completed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::transcript::MessageMetadata;

    fn message(id: &str, content: &str) -> Item {
        Item {
            id: Some(id.into()),
            content: Some(content.into()),
            item_type: Some(ItemType::Message),
            participant_role: Some(ParticipantRole::Agent),
            ..Item::default()
        }
    }

    fn chunk(id: &str, n: Option<u64>, completed: bool, content: &str) -> Item {
        Item {
            participant_role: Some(ParticipantRole::System),
            message_metadata: Some(MessageMetadata {
                message_completed: Some(completed),
                chunk_number: n,
                ..MessageMetadata::default()
            }),
            ..message(id, content)
        }
    }

    /// What the caller sees for these items: kind and content.
    fn run(d: &mut Delivery, items: Vec<Item>) -> Vec<String> {
        let mut out = Vec::new();
        for item in items {
            d.accept(item, &mut out);
        }
        out.iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e.name(),
                    e.item().and_then(|i| i.content.clone()).unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn duplicates_are_dropped_and_changes_are_updates() {
        let mut d = Delivery::default();
        let seen = run(
            &mut d,
            vec![
                message("a", "hi"),
                message("a", "hi"),
                message("b", "yo"),
                message("a", "hi!"),
                message("a", "hi!"),
            ],
        );
        assert_eq!(seen, ["message hi", "message yo", "update hi!"]);
    }

    #[test]
    fn receipts_added_by_the_transcript_are_not_an_update() {
        let mut d = Delivery::default();
        let mut with_receipts = message("a", "hi");
        with_receipts.message_metadata = Some(MessageMetadata {
            message_id: Some("a".into()),
            ..MessageMetadata::default()
        });
        let seen = run(&mut d, vec![message("a", "hi"), with_receipts]);
        assert_eq!(seen, ["message hi"]);
    }

    #[test]
    fn chunks_in_order_grow_one_message() {
        let mut d = Delivery::default();
        let seen = run(
            &mut d,
            vec![
                chunk("m", Some(1), false, "Hel"),
                chunk("m", Some(2), false, "lo"),
                chunk("m", Some(2), false, "lo"),
                chunk("m", None, true, "Hello"),
                chunk("m", None, true, "Hello"),
                chunk("m", Some(3), false, "late"),
                message("m", "Hello"),
            ],
        );
        assert_eq!(
            seen,
            ["message Hel", "update Hello", "update Hello"],
            "the completed item is an update even with the same text: it says complete"
        );
    }

    #[test]
    fn early_chunks_wait_for_their_turn() {
        let mut d = Delivery::default();
        let seen = run(
            &mut d,
            vec![
                chunk("m", Some(2), false, "b"),
                chunk("m", Some(3), false, "c"),
                chunk("m", Some(1), false, "a"),
                chunk("m", Some(4), false, "d"),
            ],
        );
        assert_eq!(seen, ["message abc", "update abcd"]);
    }

    #[test]
    fn a_completed_message_without_chunks_is_a_message() {
        let mut d = Delivery::default();
        let seen = run(&mut d, vec![chunk("m", None, true, "whole")]);
        assert_eq!(seen, ["message whole"]);
    }

    #[test]
    fn chunk_state_is_bounded() {
        let mut d = Delivery::default();
        for i in 0..(MAX_PARTIAL + 10) {
            run(&mut d, vec![chunk(&format!("m{i}"), Some(1), false, "x")]);
        }
        assert_eq!(d.partial.len(), MAX_PARTIAL);
        assert_eq!(d.partial_order.len(), MAX_PARTIAL);
        for n in 3..(MAX_HELD as u64 + 100) {
            run(&mut d, vec![chunk("m80", Some(n), false, "x")]);
        }
        let held = d.partial.values().map(|p| p.held.len()).max().unwrap();
        assert_eq!(held, MAX_HELD);
    }

    #[test]
    fn seen_ids_are_bounded_oldest_forgotten() {
        let mut d = Delivery::default();
        for i in 0..(MAX_SEEN + 5) {
            d.mark_seen(&message(&i.to_string(), "x"));
        }
        assert_eq!(d.seen.len(), MAX_SEEN);
        assert!(!d.knows("0"));
        assert!(d.knows(&(MAX_SEEN + 4).to_string()));
    }

    #[test]
    fn ten_thousand_seen_items_hold_less_than_a_megabyte() {
        let mut d = Delivery::default();
        let mut out = Vec::new();
        // Ids the size of the service's (UUIDs, 36 characters), each a message yielded once.
        let id = |i: usize| format!("{i:08x}-0000-4000-8000-{:012x}", i * 7919);
        for i in 0..MAX_SEEN {
            d.accept(message(&id(i), "hello"), &mut out);
        }
        assert_eq!(out.len(), MAX_SEEN);
        assert_eq!(d.seen.len(), MAX_SEEN);
        let bytes = d.seen_bytes();
        assert!(bytes < 1_000_000, "{bytes} bytes for {MAX_SEEN} items");
        // The same guarantees: each item once, a changed one an update.
        out.clear();
        d.accept(message(&id(0), "hello"), &mut out);
        d.accept(message(&id(MAX_SEEN - 1), "hello"), &mut out);
        assert!(out.is_empty());
        d.accept(message(&id(5), "hello!"), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].name(), "update");
    }

    #[test]
    fn items_without_an_id_are_each_new() {
        let mut d = Delivery::default();
        let mut a = message("x", "hi");
        a.id = None;
        let seen = run(&mut d, vec![a.clone(), a]);
        assert_eq!(seen, ["message hi", "message hi"]);
    }
}
