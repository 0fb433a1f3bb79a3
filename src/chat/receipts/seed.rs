//! The receipts a transcript page already shows: on a message item (`MessageMetadata` of
//! a `MESSAGE` or `ATTACHMENT`, as GetTranscript gives them) or as `MESSAGEMETADATA` items
//! of their own (as the stream pushes them, and as ChatJS reads them back).

use crate::ops::transcript::{Item, ItemType, MessageMetadata};
use crate::time::Timestamp;

use super::book::Kind;

/// One receipt found in a page.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Found<'a> {
    /// The message it is about.
    pub(super) message_id: &'a str,
    /// That message's item, when the page holds it.
    pub(super) message: Option<&'a Item>,
    /// Its `RecipientParticipantId`.
    pub(super) recipient: Option<&'a str>,
    /// Read if it has a read time (a read receipt covers delivery), else delivered.
    pub(super) kind: Kind,
}

impl Found<'_> {
    /// The message's `AbsoluteTime`, when the page holds the message.
    pub(super) fn time(&self) -> Option<Timestamp> {
        self.message.and_then(|m| m.absolute_time.clone())
    }
}

/// Every receipt in `items`, in page order.
pub(super) fn receipts_in(items: &[Item]) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    for item in items {
        let Some(meta) = &item.message_metadata else {
            continue;
        };
        let (message_id, message) = match item.item_type {
            Some(ItemType::Message | ItemType::Attachment) => {
                let Some(id) = item.id.as_deref().or(meta.message_id.as_deref()) else {
                    continue;
                };
                (id, Some(item))
            }
            Some(ItemType::MessageMetadata) => {
                let Some(id) = meta.message_id.as_deref() else {
                    continue;
                };
                (id, items.iter().find(|i| i.id.as_deref() == Some(id)))
            }
            _ => continue,
        };
        push(&mut found, meta, message_id, message);
    }
    found
}

fn push<'a>(
    found: &mut Vec<Found<'a>>,
    meta: &'a MessageMetadata,
    message_id: &'a str,
    message: Option<&'a Item>,
) {
    for r in &meta.receipts {
        let kind = if r.read_timestamp.is_some() {
            Kind::Read
        } else if r.delivered_timestamp.is_some() {
            Kind::Delivered
        } else {
            continue;
        };
        found.push(Found {
            message_id,
            message,
            recipient: r.recipient_participant_id.as_deref(),
            kind,
        });
    }
}
