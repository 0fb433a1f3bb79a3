//! One entry of a kept transcript: its item, whose it is, its status and its receipts.

use std::fmt;
use std::sync::Arc;

use crate::error::Error;
use crate::ops::transcript::{Item, Receipt};

/// A handle on a message sent through a [`Transcript`](super::Transcript), valid before the
/// service has given the message an `Id`: a UI keeps it to find its message again, whatever
/// the message's place and status become.
///
/// ```
/// use connect_participant::{SendMessageRequest, Transcript};
///
/// let mut transcript = Transcript::new();
/// let key = transcript.begin_send(&SendMessageRequest::text("Hi"));
/// assert_eq!(transcript.by_key(key).unwrap().status().unwrap().as_str(), "sending");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalKey(pub(super) u64);

/// Where one of this participant's messages is, as a chat UI shows it under the message.
///
/// A status only goes forward (`Sending`, `Sent`, `Delivered`, `Read`): a delivered
/// receipt that comes after a read one leaves it read. `Failed` is where a send ends when
/// it fails; nothing moves it.
///
/// ```
/// use connect_participant::{ErrorKind, SendMessageRequest, Transcript};
///
/// let mut transcript = Transcript::new();
/// let key = transcript.begin_send(&SendMessageRequest::text("Hi"));
/// let refused = SendMessageRequest::text("").validate().unwrap_err();
/// transcript.finish_send(key, Err(refused));
/// let status = transcript.by_key(key).unwrap().status().unwrap();
/// assert_eq!(status.as_str(), "failed");
/// assert_eq!(status.error().unwrap().kind(), ErrorKind::InvalidInput);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum MessageStatus {
    /// Sent through the transcript, no answer yet: the message has no `Id`.
    Sending,
    /// The service took it (SendMessage answered its `Id` and time), or it is an item of
    /// this participant's read from the chat.
    Sent,
    /// Another participant's delivered receipt came for it.
    Delivered,
    /// Another participant's read receipt came for it.
    Read,
    /// SendMessage failed: the error, shared, since [`Error`] is not `Clone`.
    Failed(Arc<Error>),
}

impl MessageStatus {
    /// `sending`, `sent`, `delivered`, `read` or `failed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Failed(_) => "failed",
        }
    }

    /// Why the send failed, for `Failed`.
    pub fn error(&self) -> Option<&Error> {
        match self {
            MessageStatus::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// The place of a status on the way forward; `None` for `Failed`, which is off it.
    fn rank(&self) -> Option<u8> {
        match self {
            MessageStatus::Sending => Some(0),
            MessageStatus::Sent => Some(1),
            MessageStatus::Delivered => Some(2),
            MessageStatus::Read => Some(3),
            MessageStatus::Failed(_) => None,
        }
    }
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One item of a [`Transcript`](super::Transcript), with what the transcript knows of it.
///
/// ```
/// use connect_participant::{Item, Transcript};
///
/// let mut transcript = Transcript::new().with_participant_id("me");
/// let mut item = Item::default();
/// item.id = Some("m-1".into());
/// item.participant_id = Some("me".into());
/// item.item_type = Some(connect_participant::ItemType::Message);
/// transcript.add_item(item);
/// let entry = transcript.get("m-1").unwrap();
/// assert!(entry.is_own());
/// assert_eq!(entry.status().unwrap().as_str(), "sent");
/// assert!(entry.receipts().is_empty());
/// ```
#[derive(Clone)]
pub struct TranscriptEntry {
    pub(super) item: Item,
    pub(super) key: Option<LocalKey>,
    pub(super) own: bool,
    pub(super) status: Option<MessageStatus>,
    pub(super) receipts: Vec<Receipt>,
}

impl TranscriptEntry {
    /// The most recipients whose receipts one entry keeps: a chat has a customer, an
    /// agent, and perhaps a bot or a supervisor; receipts from more recipients than this
    /// are dropped, so that a hostile stream cannot grow one entry without bound.
    pub const MAX_RECIPIENTS: usize = 16;

    /// The item as the service has it, the newest version held. A message still being
    /// sent has the content and content type it was sent with, this participant's
    /// `ParticipantId` if known, and no `Id` or time yet.
    pub fn item(&self) -> &Item {
        &self.item
    }

    /// The item's `Id`, once the service has given it one.
    pub fn id(&self) -> Option<&str> {
        self.item.id.as_deref()
    }

    /// The handle of a message sent through this transcript.
    pub fn local_key(&self) -> Option<LocalKey> {
        self.key
    }

    /// Is it this participant's own (sent through the transcript, or with its
    /// `ParticipantId`)?
    pub fn is_own(&self) -> bool {
        self.own
    }

    /// The status of one of this participant's own messages or attachments; `None` for
    /// the others' items and for events.
    pub fn status(&self) -> Option<&MessageStatus> {
        self.status.as_ref()
    }

    /// The receipts for this item, one per recipient, each with the times of both kinds
    /// seen so far (a read receipt has its `read_timestamp`), in the order the recipients
    /// were first seen.
    pub fn receipts(&self) -> &[Receipt] {
        &self.receipts
    }

    /// Moves the status forward to `to`, never back, never off `Failed`.
    pub(super) fn raise(&mut self, to: MessageStatus) {
        let Some(current) = &self.status else {
            return;
        };
        if let (Some(now), Some(next)) = (current.rank(), to.rank()) {
            if next > now {
                self.status = Some(to);
            }
        }
    }

    /// Merges one receipt into this entry's, per recipient, and moves an own message's
    /// status forward when the receipt comes from someone other than `me`.
    pub(super) fn merge_receipt(&mut self, receipt: &Receipt, me: Option<&str>) {
        if !merge_into(&mut self.receipts, receipt) {
            return;
        }
        let who = receipt.recipient_participant_id.as_deref();
        if !self.own || who.is_none() || who == me {
            return;
        }
        if receipt.read_timestamp.is_some() {
            self.raise(MessageStatus::Read);
        } else if receipt.delivered_timestamp.is_some() {
            self.raise(MessageStatus::Delivered);
        }
    }
}

/// Merges a receipt into a list of receipts, one per recipient, each keeping the first
/// time seen of each kind; a new recipient past
/// [`TranscriptEntry::MAX_RECIPIENTS`] is dropped (returns `false`).
pub(super) fn merge_into(receipts: &mut Vec<Receipt>, receipt: &Receipt) -> bool {
    let who = &receipt.recipient_participant_id;
    if let Some(held) = receipts
        .iter_mut()
        .find(|r| &r.recipient_participant_id == who)
    {
        if held.delivered_timestamp.is_none() {
            held.delivered_timestamp = receipt.delivered_timestamp.clone();
        }
        if held.read_timestamp.is_none() {
            held.read_timestamp = receipt.read_timestamp.clone();
        }
        return true;
    }
    if receipts.len() >= TranscriptEntry::MAX_RECIPIENTS {
        return false;
    }
    receipts.push(receipt.clone());
    true
}

impl fmt::Debug for TranscriptEntry {
    /// No content: the id, the time, the type, whose, the status and the receipts' count.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TranscriptEntry")
            .field("id", &self.item.id)
            .field("absolute_time", &self.item.absolute_time)
            .field("item_type", &self.item.item_type)
            .field("local_key", &self.key)
            .field("own", &self.own)
            .field("status", &self.status.as_ref().map(MessageStatus::as_str))
            .field("receipts", &self.receipts.len())
            .finish()
    }
}
