//! Folding items, pages, receipts and stream events into a [`Transcript`].

use super::{MessageStatus, Transcript, TranscriptEntry, has_status};
use crate::chat::content_types::TYPING;
use crate::ops::transcript::{GetTranscriptOutput, Item, ItemType, Receipt};

/// The most characters of a message `Id` a receipt may wait for (the service's
/// `ChatItemId`): a longer one names no message, and would make the waiting receipts
/// unbounded in bytes.
const MAX_ID_CHARS: usize = 256;

impl Transcript {
    /// Folds one item in: kept at its place, or replacing the held item of the same `Id`;
    /// its `MessageMetadata.Receipts` merged onto it. A `MESSAGEMETADATA` item (receipts,
    /// as the stream sends them) lands on the message it names and is not kept itself;
    /// typing is not kept.
    ///
    /// ```
    /// use connect_participant::{Item, Timestamp, Transcript};
    ///
    /// let mut transcript = Transcript::new();
    /// for (id, time) in [("b", "2024-01-01T00:00:02Z"), ("a", "2024-01-01T00:00:01Z")] {
    ///     let mut item = Item::default();
    ///     item.id = Some(id.into());
    ///     item.absolute_time = Some(Timestamp::parse(time)?);
    ///     transcript.add_item(item);
    /// }
    /// let ids: Vec<_> = transcript.entries().map(|e| e.id().unwrap()).collect();
    /// assert_eq!(ids, ["a", "b"]);
    /// # Ok::<(), connect_participant::Error>(())
    /// ```
    pub fn add_item(&mut self, item: Item) {
        if is_typing(&item) {
            return;
        }
        if item.item_type == Some(ItemType::MessageMetadata) {
            if let Some(meta) = &item.message_metadata {
                if let Some(message_id) = &meta.message_id {
                    for r in &meta.receipts {
                        self.receipt(message_id, r);
                    }
                }
            }
            return;
        }
        self.learn_from_echo(&item);
        let receipts = item.message_metadata.as_ref().map(|m| {
            let about = m.message_id.clone().or_else(|| item.id.clone());
            (about, m.receipts.clone())
        });
        let id = self.upsert(item);
        if let Some((Some(about), receipts)) = receipts {
            for r in &receipts {
                self.receipt(&about, r);
            }
        }
        if let Some(id) = id {
            for r in self.take_waiting(&id) {
                self.receipt(&id, &r);
            }
        }
        self.trim();
    }

    /// Folds in every item of a GetTranscript page, in any order (see
    /// [`add_item`](Self::add_item)). The page's `NextToken` is not used: paging older is
    /// [`load_older`](Self::load_older)'s.
    pub fn add_page(&mut self, page: &GetTranscriptOutput) {
        for item in &page.transcript {
            self.add_item(item.clone());
        }
    }

    /// Folds in a stream event: a new item or an `Update` as
    /// [`add_item`](Self::add_item) does, a receipt onto its message; typing and
    /// connection changes change nothing; the chat's end keeps its `chat.ended` item, if
    /// it has one.
    ///
    /// ```
    /// # #[cfg(feature = "emulator")] {
    /// use connect_participant::emulator::Emulator;
    /// use connect_participant::{Event, Participant, ParticipantToken, Transcript};
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().build()?;
    /// let chat = emulator.start_chat();
    /// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token.clone())?)?;
    /// let mut transcript = Transcript::new();
    /// let mut stream = me.stream()?;
    /// emulator.agent_says(&chat.contact_id, "Hello", "text/plain")?;
    /// for event in &mut stream {
    ///     let event = event?;
    ///     transcript.on_event(&event);
    ///     if let Event::Message(_) = event {
    ///         break;
    ///     }
    /// }
    /// let last = transcript.entries().last().unwrap();
    /// assert_eq!(last.item().content.as_deref(), Some("Hello"));
    /// assert!(!last.is_own());
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "websocket")]
    #[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
    pub fn on_event(&mut self, event: &crate::Event) {
        use crate::Event;
        match event {
            Event::Typing(_) | Event::Connection(_) => {}
            Event::Delivered(r) | Event::Read(r) => {
                if let Some(message_id) = &r.message_id {
                    let receipt = Receipt {
                        delivered_timestamp: r.delivered_at.clone(),
                        read_timestamp: r.read_at.clone(),
                        recipient_participant_id: r.recipient.clone(),
                    };
                    self.receipt(message_id, &receipt);
                }
            }
            other => {
                if let Some(item) = other.item() {
                    self.add_item(item.clone());
                }
            }
        }
    }

    /// An item whose `Id` is held replaces it; another is a new entry. Returns its `Id`.
    fn upsert(&mut self, mut item: Item) -> Option<String> {
        let id = item.id.clone();
        let held = id.as_ref().and_then(|id| self.by_id.get(id).cloned());
        let entry = match held.and_then(|place| self.remove(&place)) {
            Some(mut entry) => {
                if item.absolute_time.is_none() {
                    item.absolute_time = entry.item.absolute_time.take();
                }
                entry.item = item;
                if !entry.own && self.is_mine(&entry.item) {
                    entry.own = true;
                }
                if entry.own && entry.status.is_none() && has_status(&entry.item) {
                    entry.status = Some(MessageStatus::Sent);
                }
                entry
            }
            None => {
                let own = self.is_mine(&item);
                TranscriptEntry {
                    status: (own && has_status(&item)).then_some(MessageStatus::Sent),
                    item,
                    key: None,
                    own,
                    receipts: Vec::new(),
                }
            }
        };
        self.insert(entry);
        id
    }

    /// Is this item this participant's, by its `ParticipantId`?
    fn is_mine(&self, item: &Item) -> bool {
        self.me.is_some() && item.participant_id == self.me
    }

    /// The echo of a message sent through the transcript tells this participant's id.
    fn learn_from_echo(&mut self, item: &Item) {
        if self.me.is_some() {
            return;
        }
        let (Some(id), Some(pid)) = (&item.id, &item.participant_id) else {
            return;
        };
        let sent_here = self
            .by_id
            .get(id)
            .and_then(|p| self.entries.get(p))
            .is_some_and(|e| e.key.is_some());
        if sent_here {
            self.set_me(pid.clone());
        }
    }

    /// A receipt for `message_id`: onto its entry, or waiting for it.
    pub(super) fn receipt(&mut self, message_id: &str, receipt: &Receipt) {
        let me = self.me.as_deref();
        match self.by_id.get(message_id) {
            Some(place) => {
                if let Some(entry) = self.entries.get_mut(place) {
                    entry.merge_receipt(receipt, me);
                }
            }
            None => self.wait(message_id, receipt),
        }
    }

    /// Keeps a receipt for a message not held, within the bounds.
    fn wait(&mut self, message_id: &str, receipt: &Receipt) {
        if message_id.is_empty() || message_id.chars().count() > MAX_ID_CHARS {
            return;
        }
        if let Some(held) = self.waiting.get_mut(message_id) {
            super::entry::merge_into(held, receipt);
            return;
        }
        while self.waiting_order.len() >= Self::MAX_WAITING_RECEIPTS {
            let Some(oldest) = self.waiting_order.pop_front() else {
                break;
            };
            self.waiting.remove(&oldest);
        }
        self.waiting
            .insert(message_id.to_owned(), vec![receipt.clone()]);
        self.waiting_order.push_back(message_id.to_owned());
    }

    /// The receipts waiting for this message, no longer waiting.
    pub(super) fn take_waiting(&mut self, message_id: &str) -> Vec<Receipt> {
        match self.waiting.remove(message_id) {
            Some(receipts) => {
                self.waiting_order.retain(|id| id != message_id);
                receipts
            }
            None => Vec::new(),
        }
    }
}

/// Typing, by its type or its content type: never kept.
fn is_typing(item: &Item) -> bool {
    item.item_type == Some(ItemType::Typing) || item.content_type.as_deref() == Some(TYPING)
}
