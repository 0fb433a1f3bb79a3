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
    /// beyond `max_items`. Copies come from one chat, whose `Id`s are distinct.
    pub(super) fn push_past(&mut self, mut item: Item, max_items: usize) {
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
                // 0 while on: a chat still on is never the latest ended.
                if c.ended_order > latest.ended_order {
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::{AGENT, ChatLimits, ItemType};
    use super::*;

    #[test]
    fn copies_count_their_origin_and_outlive_their_source() {
        let mut chats = Chats::new(ChatLimits {
            max_chats: 2,
            max_items_per_chat: 8,
            connection_token_lifetime: Duration::from_secs(60),
        });
        let a = chats.start_chat().contact_id;
        let hello = Some("hello".to_owned());
        let kind = ItemType::Message;
        chats.push(&a, kind, "text/plain", hello, Some(AGENT), None);
        let how = Rehydration::FromSegment;
        let refused = chats.start_persistent_chat(&a, how).err();
        assert_eq!(refused, Some(RehydrationError::NotEnded));
        chats.end(&a);
        let original_bytes = chats.chat(&a).unwrap().items[2].kept_bytes();
        let agent_id = chats.chat(&a).unwrap().participants[AGENT].id.clone();
        chats.start_chat();

        // Two chats are kept: starting the third forgets the source, the oldest, and the
        // copies made before stay.
        let b = chats.start_persistent_chat(&a, how).ok().unwrap();
        assert!(chats.chat(&a).is_none());
        assert_eq!(b.continued_from.as_deref(), Some(a.as_str()));
        let copy = &chats.chat(&b.contact_id).unwrap().items[2];
        assert_eq!(copy.content.as_deref(), Some("hello"));
        let origin = copy.past.as_deref().unwrap();
        assert_eq!(origin.related_contact_id, a);
        let sender = ("Agent".to_owned(), "AGENT".to_owned());
        assert_eq!(origin.sender, Some((agent_id, sender.0, sender.1)));
        // Its bytes are the original's and its origin's strings: 36 + 36 + 5 + 5.
        assert_eq!(copy.kept_bytes(), original_bytes + 82);
        assert_eq!(chats.kept_bytes(), chats.recount());
        let refused = chats.start_persistent_chat(&a, how).err();
        assert_eq!(refused, Some(RehydrationError::UnknownSource));
    }
}
