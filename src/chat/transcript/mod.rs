//! A kept transcript: the chat as a UI shows it and a program stores it, folded from the
//! stream's events and the transcript's pages, with this participant's messages' statuses
//! and every receipt merged onto its message, in bounded memory.

mod entry;
mod fold;
mod older;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;

pub use entry::{LocalKey, MessageStatus, TranscriptEntry};

use crate::error::Result;
use crate::ops::message::{SendMessageOutput, SendMessageRequest};
use crate::ops::transcript::{Item, ItemType, Receipt};
use crate::participant::Participant;
use crate::time::Timestamp;

use self::older::Older;

/// The chat as it will be stored: every item once, sorted, each of this participant's
/// messages with its status, receipts merged onto the message they acknowledge, older
/// pages loaded on demand, and at most [`max_entries`](Self::max_entries) entries.
///
/// Feed it what comes: the stream's events (`on_event`, with the
/// `websocket` feature), transcript pages ([`add_page`](Self::add_page),
/// [`load_older`](Self::load_older)), single items ([`add_item`](Self::add_item)), and send
/// through it ([`send_message`](Self::send_message), or
/// [`begin_send`](Self::begin_send)/[`finish_send`](Self::finish_send) when another thread
/// sends). It works without the stream too: a program that only sends and pages gets the
/// same entries.
///
/// - **Order.** Entries are sorted by `AbsoluteTime`, then `Id`. Items without a time (a
///   message still being sent, or an item the service sent without one) come after every
///   timed entry, in the order they last arrived: a message being sent shows at the bottom,
///   and takes its place when SendMessage answers its time. A time this crate cannot
///   read sorts before every readable one, as [`Timestamp`] orders them. In one
///   millisecond, the `Id` decides (the service's are random): the same entries in the
///   same order whatever way they came, stream or pages.
/// - **Once each.** An item whose `Id` is held replaces the held one (an
///   `Update`, a page overlapping what the stream brought, the
///   stream's echo of a message sent through the transcript), keeping its receipts and
///   status; an update without a time keeps the time held. Items without an `Id` cannot be
///   told apart and are each kept. Typing is not kept, and connection changes change
///   nothing.
/// - **Own messages.** Those sent through the transcript, and the items whose
///   `ParticipantId` is this participant's (given with
///   [`with_participant_id`](Self::with_participant_id), taken from the [`Participant`]
///   passed to a call, or learnt from the echo of a message sent through the transcript,
///   or, in [`load_older`](Self::load_older)'s pages, from a message the [`Participant`]
///   sent).
///   Their [`MessageStatus`] walks `Sending`, `Sent`, `Delivered`, `Read` and never back, or ends
///   `Failed`.
/// - **Receipts.** A receipt (a stream's `Delivered`/`Read`, a page item's
///   `MessageMetadata.Receipts`) lands on the message it names, merged per recipient. One
///   for a message not held yet waits, for at most
///   [`MAX_WAITING_RECEIPTS`](Self::MAX_WAITING_RECEIPTS) messages (the oldest waiting are
///   dropped first), and lands when the message comes.
/// - **Memory.** At most [`max_entries`](Self::max_entries) entries (default
///   [`DEFAULT_MAX_ENTRIES`](Self::DEFAULT_MAX_ENTRIES)); past it the oldest are dropped,
///   and no older page is read ([`has_older`](Self::has_older) is `false` at the cap).
///   Its indexes hold no more than the entries and the waiting receipts.
///
/// ```
/// # #[cfg(all(feature = "emulator", feature = "websocket"))] {
/// use connect_participant::emulator::Emulator;
/// use connect_participant::{Next, Participant, ParticipantToken, SendMessageRequest, Transcript};
/// use std::time::Duration;
///
/// let emulator = Emulator::start()?;
/// let client = emulator.client_builder().build()?;
/// let chat = emulator.start_chat();
/// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token.clone())?)?;
/// let mut stream = me.stream()?;
///
/// let mut transcript = Transcript::new();
/// let key = transcript.send_message(&me, &SendMessageRequest::text("Hi"));
/// assert_eq!(transcript.by_key(key).unwrap().status().unwrap().as_str(), "sent");
/// let id = transcript.by_key(key).unwrap().id().unwrap().to_owned();
/// let read = r#"application/vnd.amazonaws.connect.event.message.read"#;
/// emulator.agent_sends_event(&chat.contact_id, read, Some(&format!(r#"{{"messageId":"{id}"}}"#)))?;
/// // The stream brings the message's echo, then the agent's read receipt.
/// while transcript.by_key(key).unwrap().status().unwrap().as_str() != "read" {
///     match stream.next_timeout(Duration::from_secs(10))? {
///         Next::Event(event) => transcript.on_event(&event),
///         other => panic!("{other:?}"),
///     }
/// }
/// assert_eq!(transcript.len(), 1);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Transcript {
    /// The entries, in their order.
    entries: BTreeMap<Place, TranscriptEntry>,
    /// Where each entry with an `Id` is.
    by_id: HashMap<String, Place>,
    /// Where each entry sent through the transcript is.
    by_key: HashMap<LocalKey, Place>,
    /// Receipts for messages not held, per message, each merged per recipient.
    waiting: HashMap<String, Vec<Receipt>>,
    /// The messages of `waiting`, oldest first, to drop the oldest.
    waiting_order: VecDeque<String>,
    /// This participant's `ParticipantId`, once known.
    me: Option<String>,
    max_entries: usize,
    /// Where the next older page starts.
    older: Older,
    /// The next local key, and the arrival order of entries without a time.
    seq: u64,
    /// How many entries the cap has dropped.
    dropped: u64,
}

/// An entry's place: timed entries first, by time then `Id`, then the untimed in the order
/// they came; the arrival number also breaks ties between timed entries without an `Id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    untimed: bool,
    time: Option<Timestamp>,
    id: Option<String>,
    seq: u64,
}

impl Default for Transcript {
    fn default() -> Self {
        Transcript::new()
    }
}

impl Transcript {
    /// How many entries a transcript keeps unless told otherwise: 10,000, a long chat's
    /// worth (an agent's chat rarely has a thousand messages), a few MiB of text at most.
    pub const DEFAULT_MAX_ENTRIES: usize = 10_000;

    /// How many messages not held yet may have receipts waiting for them; past it, the
    /// receipts waiting longest are dropped.
    pub const MAX_WAITING_RECEIPTS: usize = 1_000;

    /// An empty transcript, keeping at most
    /// [`DEFAULT_MAX_ENTRIES`](Self::DEFAULT_MAX_ENTRIES) entries, its participant's id
    /// not known yet.
    pub fn new() -> Transcript {
        Transcript {
            entries: BTreeMap::new(),
            by_id: HashMap::new(),
            by_key: HashMap::new(),
            waiting: HashMap::new(),
            waiting_order: VecDeque::new(),
            me: None,
            max_entries: Self::DEFAULT_MAX_ENTRIES,
            older: Older::Newest,
            seq: 0,
            dropped: 0,
        }
    }

    /// Keeps at most `max` entries (at least 1: 0 counts as 1), dropping the oldest.
    /// Default [`DEFAULT_MAX_ENTRIES`](Self::DEFAULT_MAX_ENTRIES).
    #[must_use]
    pub fn with_max_entries(mut self, max: usize) -> Transcript {
        self.set_max_entries(max);
        self
    }

    /// Changes the cap: see [`with_max_entries`](Self::with_max_entries). Lowering it
    /// drops the oldest entries at once.
    pub fn set_max_entries(&mut self, max: usize) {
        self.max_entries = max.max(1);
        self.trim();
    }

    /// How many entries it keeps at most.
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// Tells it this participant's `ParticipantId`, to know its items from the others'.
    /// Default: not known until a [`Participant`] passed to a call knows it, or the echo
    /// of a message sent through the transcript tells it. The first id known is kept.
    #[must_use]
    pub fn with_participant_id(mut self, id: impl Into<String>) -> Transcript {
        self.set_me(id.into());
        self
    }

    /// This participant's `ParticipantId`, if known.
    pub fn participant_id(&self) -> Option<&str> {
        self.me.as_deref()
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &TranscriptEntry> + ExactSizeIterator {
        self.entries.values()
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Does it hold no entry?
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry of the item with this `Id`.
    pub fn get(&self, id: &str) -> Option<&TranscriptEntry> {
        self.entries.get(self.by_id.get(id)?)
    }

    /// The entry of a message sent through the transcript; `None` once the cap has
    /// dropped it.
    pub fn by_key(&self, key: LocalKey) -> Option<&TranscriptEntry> {
        self.entries.get(self.by_key.get(&key)?)
    }

    /// Sends a message through `participant` and keeps it: the entry is `Sending` while
    /// the call runs, then `Sent` with the `Id` and time the service answered (merged with
    /// the stream's echo if that came first), or `Failed` with the error. Read the
    /// outcome from the entry: `by_key(key)`'s [`status`](TranscriptEntry::status).
    #[must_use = "the key finds the message and its status, Failed included"]
    pub fn send_message(
        &mut self,
        participant: &Participant,
        request: &SendMessageRequest,
    ) -> LocalKey {
        self.learn_participant(participant);
        let key = self.begin_send(request);
        let result = participant.send_message(request);
        self.finish_send(key, result);
        key
    }

    /// Keeps a message about to be sent, `Sending`, at the end, for a UI whose send runs
    /// on another thread: pass the call's result to [`finish_send`](Self::finish_send).
    pub fn begin_send(&mut self, request: &SendMessageRequest) -> LocalKey {
        self.seq += 1;
        let key = LocalKey(self.seq);
        let item = Item {
            content: Some(request.content().to_owned()),
            content_type: Some(request.content_type().as_str().to_owned()),
            item_type: Some(ItemType::Message),
            participant_id: self.me.clone(),
            ..Item::default()
        };
        let entry = TranscriptEntry {
            item,
            key: Some(key),
            own: true,
            status: Some(MessageStatus::Sending),
            receipts: Vec::new(),
        };
        self.insert(entry);
        self.trim();
        key
    }

    /// Records how the send of [`begin_send`](Self::begin_send)'s message ended: `Sent`
    /// with its `Id` and time, or `Failed` with the error. Returns `false` for a key it does
    /// not hold (never made here, or dropped by the cap), changing nothing. Only the first
    /// outcome counts: a send finished already stays as it is.
    pub fn finish_send(&mut self, key: LocalKey, result: Result<SendMessageOutput>) -> bool {
        let Some(place) = self.by_key.get(&key).cloned() else {
            return false;
        };
        let Some(mut entry) = self.remove(&place) else {
            return false;
        };
        let sending = matches!(entry.status, Some(MessageStatus::Sending));
        match result {
            // Finished already: the first outcome stays.
            _ if !sending => {}
            Err(e) => entry.status = Some(MessageStatus::Failed(Arc::new(e))),
            Ok(out) => {
                entry.raise(MessageStatus::Sent);
                if let Some(time) = out.absolute_time {
                    entry.item.absolute_time = Some(time);
                }
                if let Some(id) = out.id {
                    entry = self.merge_echo(entry, id);
                }
            }
        }
        self.insert(entry);
        self.trim();
        true
    }

    /// A sent message gets its `Id`: if the stream's echo is already held under it, the
    /// two become one entry, with the echo's item and both entries' receipts.
    fn merge_echo(&mut self, mut sent: TranscriptEntry, id: String) -> TranscriptEntry {
        if let Some(echo) = self.by_id.get(&id).cloned().and_then(|p| self.remove(&p)) {
            let time = sent.item.absolute_time.take();
            sent.item = echo.item;
            if sent.item.absolute_time.is_none() {
                sent.item.absolute_time = time;
            }
            for r in &echo.receipts {
                sent.merge_receipt(r, self.me.as_deref());
            }
            if let Some(pid) = sent.item.participant_id.clone() {
                self.set_me(pid);
            }
        } else {
            sent.item.id = Some(id.clone());
        }
        for r in self.take_waiting(&id) {
            sent.merge_receipt(&r, self.me.as_deref());
        }
        sent
    }

    /// Takes what a [`Participant`] knows of itself: its `ParticipantId`.
    fn learn_participant(&mut self, participant: &Participant) {
        if self.me.is_none() {
            if let Some(id) = participant.participant_id() {
                self.set_me(id);
            }
        }
    }

    /// Learns this participant's id (the first one known stays) and marks its items own.
    fn set_me(&mut self, id: String) {
        if self.me.is_some() {
            return;
        }
        self.me = Some(id);
        let me = self.me.as_deref();
        for entry in self.entries.values_mut() {
            if !entry.own && entry.item.participant_id.as_deref() == me {
                entry.own = true;
                if has_status(&entry.item) {
                    entry.status = Some(MessageStatus::Sent);
                }
                for r in entry.receipts.clone() {
                    entry.merge_receipt(&r, me);
                }
            }
        }
    }

    /// Puts an entry at its place, in every index.
    fn insert(&mut self, entry: TranscriptEntry) -> Place {
        self.seq += 1;
        let time = entry.item.absolute_time.clone();
        let untimed = time.is_none();
        let place = Place {
            untimed,
            time,
            // The untimed are in the order they came, whatever their `Id`.
            id: entry.item.id.clone().filter(|_| !untimed),
            seq: self.seq,
        };
        if let Some(id) = &entry.item.id {
            self.by_id.insert(id.clone(), place.clone());
        }
        if let Some(key) = entry.key {
            self.by_key.insert(key, place.clone());
        }
        self.entries.insert(place.clone(), entry);
        place
    }

    /// Takes an entry out of its place and every index.
    fn remove(&mut self, place: &Place) -> Option<TranscriptEntry> {
        let entry = self.entries.remove(place)?;
        if let Some(id) = &entry.item.id {
            if self.by_id.get(id) == Some(place) {
                self.by_id.remove(id);
            }
        }
        if let Some(key) = entry.key {
            self.by_key.remove(&key);
        }
        Some(entry)
    }

    /// Drops the oldest entries past the cap; older pages are then to be read again from
    /// the oldest held.
    fn trim(&mut self) {
        while self.entries.len() > self.max_entries {
            let Some(place) = self.entries.keys().next().cloned() else {
                break;
            };
            self.remove(&place);
            self.dropped += 1;
            self.older = Older::FromOldestHeld;
        }
    }

    /// The sizes of the entries and of every index, for the tests of the bounds.
    #[cfg(test)]
    pub(crate) fn sizes(&self) -> [usize; 5] {
        [
            self.entries.len(),
            self.by_id.len(),
            self.by_key.len(),
            self.waiting.len(),
            self.waiting_order.len(),
        ]
    }
}

/// Does an own item of this kind carry a status? Messages and attachments do.
fn has_status(item: &Item) -> bool {
    matches!(
        item.item_type,
        Some(ItemType::Message | ItemType::Attachment)
    )
}

impl fmt::Debug for Transcript {
    /// Counts only: no content, no `Id`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transcript")
            .field("entries", &self.entries.len())
            .field("max_entries", &self.max_entries)
            .field("dropped", &self.dropped)
            .field("waiting_receipts", &self.waiting.len())
            .field("participant_id_known", &self.me.is_some())
            .field("has_older", &self.has_older())
            .finish()
    }
}
