//! What the journal's tests (the library's and `watch --journal`'s) share: a scratch
//! file, a replayable random source for the stop points, and what a whole journal holds.

use std::fs;
use std::path::{Path, PathBuf};

use connect_participant::{Item, ItemType, Journal};

/// A directory of its own, removed after the test.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("cp-it-journal-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn file(&self) -> PathBuf {
        self.0.join("chat.jsonl")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A small random source for the stop points, seeded from the clock and printed, so that
/// a failure can be replayed (`JOURNAL_SEED`).
pub struct Rng(u64);

impl Rng {
    pub fn new() -> Rng {
        let seed = std::env::var("JOURNAL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos() as u64
            });
        eprintln!("JOURNAL_SEED={seed}");
        Rng(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407))
    }

    /// A number from 0 to `n - 1`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

pub const MESSAGES: usize = 200;

/// What a finished journal must hold: the 200 messages once each, in order, every line in
/// `AbsoluteTime` order, no item twice, the chat's events from its start, `chat.ended`
/// last, and a checkpoint whose newest is the last line's time.
pub fn assert_whole(path: &Path) -> Vec<Item> {
    let items = Journal::read(path).unwrap();
    let said: Vec<&str> = items
        .iter()
        .filter(|i| i.item_type == Some(ItemType::Message))
        .map(|i| i.content.as_deref().unwrap())
        .collect();
    let want: Vec<String> = (0..MESSAGES).map(|i| format!("m{i:03}")).collect();
    assert_eq!(said, want, "every message once, in order");
    for pair in items.windows(2) {
        assert!(
            pair[0].absolute_time <= pair[1].absolute_time,
            "out of time order: {:?} then {:?}",
            pair[0].id,
            pair[1].id
        );
    }
    let mut ids: Vec<&str> = items.iter().filter_map(|i| i.id.as_deref()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "an item twice");
    assert!(
        items
            .iter()
            .any(|i| i.content_type.as_deref() == Some(crate::support::content_type::JOINED))
    );
    assert!(items.last().unwrap().is_chat_ended());
    let journal = Journal::open(path).unwrap();
    assert_eq!(journal.dropped_bytes(), 0);
    let (_, newest) = journal.checkpoint().newest().unwrap();
    assert_eq!(Some(newest), items.last().unwrap().absolute_time.as_ref());
    items
}

/// Messages in the journal so far.
pub fn kept(path: &Path) -> usize {
    Journal::read(path)
        .unwrap()
        .iter()
        .filter(|i| i.item_type == Some(ItemType::Message))
        .count()
}
