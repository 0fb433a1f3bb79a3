//! Where a reader of a chat is: the items it has had, near the newest, and the receipts it
//! has seen; written and read as versioned JSON. Pure, no IO.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::fmt;
use std::time::Duration;

use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::ops::transcript::{Item, ItemType};
use crate::time::Timestamp;

/// How far before the newest item a checkpoint remembers every item it had: an item that
/// arrives this much later than a newer one (the service does not promise order) is
/// still told apart on a resume.
const OVERLAP: Duration = Duration::from_secs(60);
/// The most items a checkpoint remembers: far more than arrive out of order.
const MAX_ITEMS: usize = 256;
/// The most items of one `AbsoluteTime` kept past [`MAX_ITEMS`]: so many items of one
/// millisecond come from no real chat, and a bound keeps a hostile one small.
const MAX_ONE_TIME: usize = 1024;
/// The most receipts a checkpoint remembers, the newest.
const MAX_RECEIPTS: usize = 256;
/// The most characters of an `Id` or a participant id in a checkpoint, as the service's.
const MAX_ID_CHARS: usize = 256;
/// The checkpoint's JSON form this version writes.
const VERSION: u64 = 1;

/// Where a reader of a chat is, to start again from there after a restart: the items it
/// has had (their `Id` and `AbsoluteTime`, those near the newest) and the receipts it has
/// seen. It holds no secret: no token, no URL, no content.
///
/// A `ChatStream` keeps one of the events it has yielded
/// (`ChatStream::checkpoint`), and opening a stream with `StreamBuilder::resume` yields
/// exactly the items after it. A [`Journal`](crate::Journal) rebuilds one from its file.
/// Save it with [`to_json`](Self::to_json) (or serde) after handling an event; read it back
/// with [`from_json`](Self::from_json).
///
/// What "after it" means: every item whose `AbsoluteTime` is at or after
/// [`since`](Self::since) and whose `Id` the checkpoint does not hold; items before
/// `since` count as had. The checkpoint holds every item it had from 60 s before the
/// newest (at most 256 items; past that the oldest times are dropped and `since` moves
/// up), so an item that arrives late, up to that much older than the newest, is still
/// yielded once. A new checkpoint holds nothing: resuming from it yields the chat from
/// its start.
///
/// ```
/// use connect_participant::{Checkpoint, Item};
///
/// let mut at = Checkpoint::new();
/// let item = Item::from_json(r#"{"AbsoluteTime":"2026-12-07T10:00:00.000Z","Id":"m-1","Type":"MESSAGE"}"#)?;
/// at.note(&item);
/// assert!(at.has(&item));
/// let saved = at.to_json();
/// assert_eq!(
///     saved,
///     r#"{"Version":1,"Items":[{"AbsoluteTime":"2026-12-07T10:00:00.000Z","Id":"m-1"}],"Receipts":[]}"#
/// );
/// assert_eq!(Checkpoint::from_json(&saved)?, at);
/// # Ok::<(), connect_participant::Error>(())
/// ```
///
/// # The JSON form
///
/// Version 1, which every later version of this crate reads:
/// `{"Version":1,"Items":[{"AbsoluteTime":"…","Id":"…"},…],"Receipts":[{"MessageId":"…","RecipientParticipantId":"…","Read":true},…]}`,
/// items oldest first (the last is the newest), receipts oldest first. Members it does not
/// know are ignored; a version it does not know is refused.
#[derive(Clone, Default)]
pub struct Checkpoint {
    /// The items had, by time then `Id`: every one from `since` on.
    items: BTreeSet<(Timestamp, String)>,
    /// The same items' `Id`s, to look one up without a time.
    ids: HashSet<String>,
    /// The receipts seen, oldest first, one per message and recipient.
    receipts: VecDeque<SeenReceipt>,
}

/// A receipt a [`Checkpoint`] has seen: a participant received, or read, a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeenReceipt {
    /// The message it is about (`MessageId`).
    pub message_id: String,
    /// Who received or read it (`RecipientParticipantId`), when the receipt said.
    pub recipient: Option<String>,
    /// Read (which says delivered too), or only delivered.
    pub read: bool,
}

impl Checkpoint {
    /// A checkpoint at the start of the chat: it has had nothing.
    pub fn new() -> Checkpoint {
        Checkpoint::default()
    }

    /// The newest item had: its `Id` and `AbsoluteTime`.
    pub fn newest(&self) -> Option<(&str, &Timestamp)> {
        self.items.last().map(|(t, id)| (id.as_str(), t))
    }

    /// From when the checkpoint holds every item it had: the oldest time it holds. Items
    /// before it count as had; `None` for a new checkpoint.
    pub fn since(&self) -> Option<&Timestamp> {
        self.items.first().map(|(t, _)| t)
    }

    /// Has the reader had `item`? Its `Id` is held, or its `AbsoluteTime` is before
    /// [`since`](Self::since). An item without an `Id` cannot be told apart: it counts as
    /// had unless it is newer than the newest.
    pub fn has(&self, item: &Item) -> bool {
        let time = item.absolute_time.as_ref();
        match &item.id {
            Some(id) if self.holds_id(id) => true,
            Some(_) => match (time, self.since()) {
                (Some(t), Some(since)) => t < since,
                _ => false,
            },
            None => match (time, self.newest()) {
                (Some(t), Some((_, newest))) => t <= newest,
                _ => false,
            },
        }
    }

    fn holds_id(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    fn insert(&mut self, time: Timestamp, id: String) {
        self.ids.insert(id.clone());
        self.items.insert((time, id));
    }

    fn pop_oldest(&mut self) {
        if let Some((_, id)) = self.items.pop_first() {
            self.ids.remove(&id);
        }
    }

    /// Notes that the reader had `item` (and the receipts it carries). An item without an
    /// `Id` or an `AbsoluteTime` is not noted (nothing tells it apart), nor is one older
    /// than what the checkpoint holds (it already counts as had). Returns whether the
    /// checkpoint changed.
    pub fn note(&mut self, item: &Item) -> bool {
        let receipts = self.note_receipts(item);
        let (Some(id), Some(time)) = (&item.id, &item.absolute_time) else {
            return receipts;
        };
        if is_receipt(item) || self.has(item) {
            // A receipt item's Id is not a transcript item's: never resumed from.
            return receipts;
        }
        self.insert(time.clone(), id.clone());
        self.prune();
        true
    }

    /// Drops what is older than the overlap before the newest, then the oldest times past
    /// the bound.
    fn prune(&mut self) {
        let Some((newest, _)) = self.items.last().cloned() else {
            return;
        };
        let floor = newest
            .to_system_time()
            .and_then(|t| t.checked_sub(OVERLAP))
            .map(Timestamp::from_system_time);
        while let Some((oldest, _)) = self.items.first() {
            let too_old = floor.as_ref().is_some_and(|f| oldest < f);
            if !too_old && self.items.len() <= MAX_ITEMS {
                break;
            }
            let oldest = oldest.clone();
            if oldest == newest {
                // One time holds them all: only a hostile chat gets here.
                while self.items.len() > MAX_ONE_TIME {
                    self.pop_oldest();
                }
                break;
            }
            while self.items.first().is_some_and(|(t, _)| *t == oldest) {
                self.pop_oldest();
            }
        }
    }

    fn note_receipts(&mut self, item: &Item) -> bool {
        let Some(meta) = &item.message_metadata else {
            return false;
        };
        let Some(message_id) = meta.message_id.as_deref().or(item.id.as_deref()) else {
            return false;
        };
        let mut changed = false;
        for r in &meta.receipts {
            let read = r.read_timestamp.is_some();
            if r.delivered_timestamp.is_none() && !read {
                continue;
            }
            changed |= self.note_receipt(SeenReceipt {
                message_id: message_id.to_owned(),
                recipient: r.recipient_participant_id.clone(),
                read,
            });
        }
        changed
    }

    /// Notes a receipt: one per message and recipient, read never going back to
    /// delivered. Returns whether the checkpoint changed.
    pub fn note_receipt(&mut self, receipt: SeenReceipt) -> bool {
        let same = |r: &SeenReceipt| {
            r.message_id == receipt.message_id && r.recipient == receipt.recipient
        };
        if let Some(at) = self.receipts.iter().position(same) {
            if self.receipts[at].read || !receipt.read {
                return false;
            }
            self.receipts.remove(at);
        }
        if self.receipts.len() >= MAX_RECEIPTS {
            self.receipts.pop_front();
        }
        self.receipts.push_back(receipt);
        true
    }

    /// The receipts seen, oldest first (at most the newest 256).
    pub fn receipts(&self) -> impl Iterator<Item = &SeenReceipt> {
        self.receipts.iter()
    }

    /// The checkpoint as version 1 of its JSON form (see the type's docs).
    pub fn to_json(&self) -> String {
        // Writing strings, numbers and booleans to a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a checkpoint's JSON form. Fails with
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for what is not one: not
    /// JSON, a member of the wrong type, a version this crate does not know, an `Id` of
    /// more than 256 characters, more items or receipts than a checkpoint holds.
    pub fn from_json(json: &str) -> Result<Checkpoint> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| Error::invalid_input("checkpoint", format_args!("not JSON ({e})")))?;
        Checkpoint::from_value(value).map_err(|why| Error::invalid_input("checkpoint", why))
    }

    fn from_value(value: Value) -> std::result::Result<Checkpoint, String> {
        let Value::Object(mut map) = value else {
            return Err("not a JSON object".to_owned());
        };
        match map.get("Version").and_then(Value::as_u64) {
            Some(VERSION) => {}
            Some(v) => return Err(format!("version {v}, this crate reads version {VERSION}")),
            None => return Err("member Version is not a whole number".to_owned()),
        }
        let mut at = Checkpoint::new();
        for (i, mut item) in list(&mut map, "Items", MAX_ONE_TIME)?
            .into_iter()
            .enumerate()
        {
            let id = id(&mut item, "Id", i)?.ok_or(format!("Items[{i}] has no Id"))?;
            // Kept as the service wrote it, as items keep it, even when it is not a time
            // this crate reads: the checkpoint noted it so.
            let time = match item.remove("AbsoluteTime") {
                Some(Value::String(t))
                    if (1..=Timestamp::MAX_CHARS).contains(&t.chars().count()) =>
                {
                    Timestamp::from_service(t)
                }
                _ => {
                    return Err(format!(
                        "Items[{i}].AbsoluteTime is not a string of 1 to {} characters",
                        Timestamp::MAX_CHARS
                    ));
                }
            };
            if !at.holds_id(&id) {
                // An Id listed twice (a file edited by hand) is held once, at its first time.
                at.insert(time, id);
            }
        }
        for (i, mut r) in list(&mut map, "Receipts", MAX_RECEIPTS)?
            .into_iter()
            .enumerate()
        {
            let message_id =
                id(&mut r, "MessageId", i)?.ok_or(format!("Receipts[{i}] has no MessageId"))?;
            let recipient = id(&mut r, "RecipientParticipantId", i)?;
            let Some(Value::Bool(read)) = r.remove("Read") else {
                return Err(format!("Receipts[{i}].Read is not a boolean"));
            };
            at.note_receipt(SeenReceipt {
                message_id,
                recipient,
                read,
            });
        }
        Ok(at)
    }
}

/// Is `item` a receipt (`MESSAGEMETADATA`), not a transcript item?
fn is_receipt(item: &Item) -> bool {
    matches!(item.item_type, Some(ItemType::MessageMetadata))
}

/// The objects of the list member `name` (absent is empty), at most `max`.
fn list(
    map: &mut Map<String, Value>,
    name: &str,
    max: usize,
) -> std::result::Result<Vec<Map<String, Value>>, String> {
    let items = match map.remove(name) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(format!("member {name} is not a list")),
    };
    if items.len() > max {
        return Err(format!(
            "{} {name}, a checkpoint holds at most {max}",
            items.len()
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Object(m) => Ok(m),
            _ => Err(format!("{name}[{i}] is not an object")),
        })
        .collect()
}

/// The string member `name` of the `i`th element, 1 to 256 characters, if present.
fn id(
    map: &mut Map<String, Value>,
    name: &str,
    i: usize,
) -> std::result::Result<Option<String>, String> {
    match map.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if (1..=MAX_ID_CHARS).contains(&s.chars().count()) => Ok(Some(s)),
        Some(_) => Err(format!(
            "element {i}'s {name} is not a string of 1 to {MAX_ID_CHARS} characters"
        )),
    }
}

impl Serialize for Checkpoint {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        struct Items<'a>(&'a BTreeSet<(Timestamp, String)>);
        impl Serialize for Items<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(|(t, id)| ItemAt(t, id)))
            }
        }
        struct ItemAt<'a>(&'a Timestamp, &'a str);
        impl Serialize for ItemAt<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("AbsoluteTime", self.0.as_str())?;
                map.serialize_entry("Id", self.1)?;
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("Version", &VERSION)?;
        map.serialize_entry("Items", &Items(&self.items))?;
        map.serialize_entry("Receipts", &self.receipts)?;
        map.end()
    }
}

impl Serialize for SeenReceipt {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("MessageId", &self.message_id)?;
        if let Some(r) = &self.recipient {
            map.serialize_entry("RecipientParticipantId", r)?;
        }
        map.serialize_entry("Read", &self.read)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for Checkpoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Checkpoint, D::Error> {
        Checkpoint::from_value(Value::deserialize(d)?).map_err(D::Error::custom)
    }
}

impl PartialEq for Checkpoint {
    /// The same items and receipts (the index follows the items).
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items && self.receipts == other.receipts
    }
}

impl Eq for Checkpoint {}

impl fmt::Debug for Checkpoint {
    /// Counts and the newest item's time: the ids are the caller's to print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checkpoint")
            .field("items", &self.items.len())
            .field("newest", &self.newest().map(|(_, t)| t))
            .field("receipts", &self.receipts.len())
            .finish()
    }
}

#[cfg(test)]
mod tests;
