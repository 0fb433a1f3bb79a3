//! Persistent chat: a new chat that continues a past, ended one (StartChatContact's
//! `PersistentChat`), its transcript starting with copies of that contact's items.

use std::collections::HashSet;

use super::{Chat, Chats, ENDED, Item, Started};
use crate::emulator::Rehydration;

/// Where a rehydrated item came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::emulator) struct Past {
    /// The contact it was sent in: its `RelatedContactId`.
    pub(in crate::emulator) related_contact_id: String,
    /// Its sender there: (`ParticipantId`, `DisplayName`, `ParticipantRole`); `None` for
    /// that chat's own events.
    pub(in crate::emulator) sender: Option<(String, String, String)>,
}

impl Past {
    pub(super) fn kept_bytes(&self) -> usize {
        self.related_contact_id.len()
            + self
                .sender
                .as_ref()
                .map_or(0, |(id, name, role)| id.len() + name.len() + role.len())
    }
}

/// Why a chat cannot continue a past one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::emulator) enum RehydrationError {
    /// No such contact (never started, or forgotten to make room).
    UnknownSource,
    /// The source chat has not ended: only ended chats are rehydrated.
    NotEnded,
}

impl Chat {
    /// A copy of one of its items for a chat that continues it: the same `Id`, time and
    /// content, from the contact it was first sent in, without receipts (their recipients
    /// were that chat's participants).
    fn past_copy(&self, item: &Item) -> Item {
        let past = match &item.past {
            Some(p) => Past::clone(p),
            None => Past {
                related_contact_id: self.contact_id.clone(),
                sender: item
                    .sender
                    .and_then(|who| self.participants.get(who))
                    .map(|p| (p.id.clone(), p.display_name.clone(), p.role.clone())),
            },
        };
        Item {
            seq: 0,
            id: item.id.clone(),
            time: item.time,
            absolute_time: item.absolute_time.clone(),
            kind: item.kind,
            content_type: item.content_type.clone(),
            content: item.content.clone(),
            sender: None,
            receipts: Vec::new(),
            attachment: item.attachment.clone(),
            completed: item.completed,
            client_token: None,
            past: Some(Box::new(past)),
        }
    }

    /// Appends a copied past item as it is (its `Id` and time kept), forgetting the oldest
    /// beyond `max_items`; an `Id` held already is not taken twice.
    pub(super) fn push_past(&mut self, mut item: Item, max_items: usize) {
        if self.by_id.contains_key(&item.id) {
            return;
        }
        while self.items.len() >= max_items.max(1) && self.forget_oldest_item() {}
        item.seq = self.next_seq;
        self.next_seq += 1;
        self.by_id.insert(item.id.clone(), item.seq);
        self.bytes += item.kept_bytes();
        self.items.push_back(item);
    }

    /// Whether it keeps an item rehydrated from `contact_id`: a past contact of its chain,
    /// whose transcript GetTranscript reads with `ContactId`.
    pub(in crate::emulator) fn holds_past_of(&self, contact_id: &str) -> bool {
        self.items.iter().any(|i| i.is_from(contact_id))
    }
}

impl Item {
    /// Whether it was rehydrated from `contact_id`.
    pub(in crate::emulator) fn is_from(&self, contact_id: &str) -> bool {
        self.past
            .as_ref()
            .is_some_and(|p| p.related_contact_id == contact_id)
    }
}

impl Chats {
    /// The past contact a chat started with `PersistentChat` continues, as the service
    /// picks it: with `FromSegment` the source itself; with `EntirePastSession` the most
    /// recently ended chat of the source's chain (the source and the chats that continue
    /// it, or continue those, and so on). The source must have ended.
    fn rehydration_source(
        &self,
        source: &str,
        how: Rehydration,
    ) -> Result<&Chat, RehydrationError> {
        let chat = self
            .chats
            .get(source)
            .ok_or(RehydrationError::UnknownSource)?;
        if !chat.ended {
            return Err(RehydrationError::NotEnded);
        }
        if how == Rehydration::FromSegment {
            return Ok(chat);
        }
        let mut chain: HashSet<&str> = HashSet::from([chat.contact_id.as_str()]);
        let mut latest = chat;
        // Oldest first: a chat starts after the one it continues.
        for c in self.order.iter().filter_map(|id| self.chats.get(id)) {
            if c.continued_from
                .as_deref()
                .is_some_and(|from| chain.contains(from))
            {
                chain.insert(c.contact_id.as_str());
                if c.ended && c.ended_order > latest.ended_order {
                    latest = c;
                }
            }
        }
        Ok(latest)
    }

    /// Starts a chat that continues a past one (see
    /// [`rehydration_source`](Self::rehydration_source)): its transcript starts with copies
    /// of that contact's kept items, those it had rehydrated itself included, but for its
    /// `chat.ended` (the new chat is on).
    pub(in crate::emulator) fn start_persistent_chat(
        &mut self,
        source: &str,
        how: Rehydration,
    ) -> Result<Started, RehydrationError> {
        let from = self.rehydration_source(source, how)?;
        let past: Vec<Item> = from
            .items
            .iter()
            .filter(|i| i.content_type != ENDED)
            .map(|i| from.past_copy(i))
            .collect();
        let continued = from.contact_id.clone();
        Ok(self.start_chat_with(Some(continued), past))
    }
}
