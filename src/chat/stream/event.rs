//! What a [`ChatStream`](super::ChatStream) yields: one typed event per chat item.

use std::fmt;

use crate::error::Error;
use crate::ops::transcript::{Item, ItemType};
use crate::time::Timestamp;

/// The event content types the stream tells apart (the Participant Service's event
/// catalogue).
pub(crate) mod content_types {
    pub(crate) const TYPING: &str = "application/vnd.amazonaws.connect.event.typing";
    pub(crate) const JOINED: &str = "application/vnd.amazonaws.connect.event.participant.joined";
    pub(crate) const LEFT: &str = "application/vnd.amazonaws.connect.event.participant.left";
    pub(crate) const IDLE: &str = "application/vnd.amazonaws.connect.event.participant.idle";
    pub(crate) const RETURNED: &str =
        "application/vnd.amazonaws.connect.event.participant.returned";
    pub(crate) const TRANSFER_SUCCEEDED: &str =
        "application/vnd.amazonaws.connect.event.transfer.succeeded";
    pub(crate) const TRANSFER_FAILED: &str =
        "application/vnd.amazonaws.connect.event.transfer.failed";
}

/// One thing that happened in the chat, as a [`ChatStream`](super::ChatStream) yields it.
///
/// Each carries the chat item it comes from, whole: the sender, the time, the content
/// type, members this crate does not know. A content type the stream does not tell apart
/// is [`Other`](Event::Other), never dropped and never an error. New variants may be added
/// in minor releases, so a `match` needs a `_` arm.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A chat message (`Type: MESSAGE`), seen for the first time. A streamed bot message
    /// starts here with its first chunk and grows through [`Update`](Event::Update)s.
    Message(Item),
    /// A later version of an item already yielded, with the same `Id`: a streamed bot
    /// message grown by a chunk (its `Content` is every chunk so far, its `AbsoluteTime`
    /// the first chunk's), or complete (`MessageMetadata.message_completed` is `Some(true)`),
    /// or an item the service sent again with other content. Replace what you showed for
    /// that `Id`.
    Update(Item),
    /// Someone is typing (`…event.typing`). Not kept in the transcript: one sent while the
    /// stream was reconnecting is not seen.
    Typing(Item),
    /// A message was delivered to a participant (a `MESSAGEMETADATA` receipt without a
    /// read time).
    Delivered(ReceiptEvent),
    /// A message was read by a participant (a `MESSAGEMETADATA` receipt with a read time).
    Read(ReceiptEvent),
    /// A participant joined (`…participant.joined`).
    ParticipantJoined(Item),
    /// A participant left (`…participant.left`).
    ParticipantLeft(Item),
    /// A participant went idle (`…participant.idle`).
    ParticipantIdle(Item),
    /// An idle participant came back (`…participant.returned`).
    ParticipantReturned(Item),
    /// The chat was transferred (`…transfer.succeeded`). `ContactId` changes while
    /// `InitialContactId` stays; a customer stays in the chat.
    TransferSucceeded(Item),
    /// A transfer failed (`…transfer.failed`).
    TransferFailed(Item),
    /// A file was shared (`Type: ATTACHMENT`); its `attachments` say which.
    Attachment(Item),
    /// The chat is over. Always the last event: the stream ends after it.
    ChatEnded(ChatEnd),
    /// This participant has left the chat (it disconnected, or the service disconnected
    /// it); the chat may go on for the others. Always the last event.
    Left(ChatEnd),
    /// The stream's connection changed: established, lost, restored, broken. Not a chat
    /// item: [`item`](Event::item) is `None`.
    Connection(super::Connection),
    /// Any other item: another event content type (`…participant.invited`,
    /// `…authentication.initiated`, ...), a receipt item without receipts, an item type
    /// this crate does not know.
    Other(Item),
}

impl Event {
    /// The chat item this event comes from (the receipt's item for a receipt); `None` for
    /// a [`Connection`](Event::Connection) change, and for a [`ChatEnded`](Event::ChatEnded)
    /// or [`Left`](Event::Left) learnt from a refused reconnection or this participant's
    /// own disconnect.
    pub fn item(&self) -> Option<&Item> {
        match self {
            Event::Message(i)
            | Event::Update(i)
            | Event::Typing(i)
            | Event::ParticipantJoined(i)
            | Event::ParticipantLeft(i)
            | Event::ParticipantIdle(i)
            | Event::ParticipantReturned(i)
            | Event::TransferSucceeded(i)
            | Event::TransferFailed(i)
            | Event::Attachment(i)
            | Event::Other(i) => Some(i),
            Event::Delivered(r) | Event::Read(r) => Some(&r.item),
            Event::ChatEnded(end) | Event::Left(end) => end.item.as_ref(),
            Event::Connection(_) => None,
        }
    }

    /// A short name for the event's kind: `message`, `update`, `typing`, `delivered`,
    /// `read`, `participant.joined`, `participant.left`, `participant.idle`,
    /// `participant.returned`, `transfer.succeeded`, `transfer.failed`, `attachment`,
    /// `chat.ended`, `left`, `connection` or `other`.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Message(_) => "message",
            Event::Update(_) => "update",
            Event::Typing(_) => "typing",
            Event::Delivered(_) => "delivered",
            Event::Read(_) => "read",
            Event::ParticipantJoined(_) => "participant.joined",
            Event::ParticipantLeft(_) => "participant.left",
            Event::ParticipantIdle(_) => "participant.idle",
            Event::ParticipantReturned(_) => "participant.returned",
            Event::TransferSucceeded(_) => "transfer.succeeded",
            Event::TransferFailed(_) => "transfer.failed",
            Event::Attachment(_) => "attachment",
            Event::ChatEnded(_) => "chat.ended",
            Event::Left(_) => "left",
            Event::Connection(_) => "connection",
            Event::Other(_) => "other",
        }
    }
}

/// One receipt of a `MESSAGEMETADATA` item: which message, who received or read it, when.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiptEvent {
    /// `MessageMetadata.MessageId`: the message the receipt is about.
    pub message_id: Option<String>,
    /// `RecipientParticipantId`: who received or read it.
    pub recipient: Option<String>,
    /// `DeliveredTimestamp`.
    pub delivered_at: Option<Timestamp>,
    /// `ReadTimestamp`.
    pub read_at: Option<Timestamp>,
    /// The whole item (all its receipts, when it holds several).
    pub item: Item,
}

/// How the chat ended: the `chat.ended` item, or the refusal that told the stream.
#[non_exhaustive]
pub struct ChatEnd {
    /// The `…event.chat.ended` item, when the service sent one.
    pub item: Option<Item>,
    /// When the chat's end was learnt from a reconnection refused with 403: an error of
    /// kind [`ChatEnded`](crate::ErrorKind::ChatEnded) whose `source()` is the 403.
    pub error: Option<Error>,
}

impl fmt::Debug for ChatEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatEnd")
            .field("item", &self.item)
            .field("error", &self.error.as_ref().map(ToString::to_string))
            .finish()
    }
}

/// The events one new item makes (a receipt item makes one per receipt).
pub(crate) fn classify(item: Item, out: &mut Vec<Event>) {
    use content_types::*;
    if item.is_chat_ended() {
        out.push(Event::ChatEnded(ChatEnd {
            item: Some(item),
            error: None,
        }));
        return;
    }
    match item.item_type {
        Some(ItemType::Message) => out.push(Event::Message(item)),
        Some(ItemType::Attachment) => out.push(Event::Attachment(item)),
        Some(ItemType::MessageMetadata) => receipts(item, out),
        _ => {
            let event = match item.content_type.as_deref() {
                Some(TYPING) => Event::Typing,
                Some(JOINED) => Event::ParticipantJoined,
                Some(LEFT) => Event::ParticipantLeft,
                Some(IDLE) => Event::ParticipantIdle,
                Some(RETURNED) => Event::ParticipantReturned,
                Some(TRANSFER_SUCCEEDED) => Event::TransferSucceeded,
                Some(TRANSFER_FAILED) => Event::TransferFailed,
                _ => Event::Other,
            };
            out.push(event(item));
        }
    }
}

/// A receipt item: read if a read time is set, delivered otherwise (as ChatJS and the
/// Android SDK tell them apart), one event per receipt; without receipts, `Other`.
fn receipts(item: Item, out: &mut Vec<Event>) {
    let Some(meta) = item
        .message_metadata
        .as_ref()
        .filter(|m| !m.receipts.is_empty())
    else {
        out.push(Event::Other(item));
        return;
    };
    let events: Vec<Event> = meta
        .receipts
        .iter()
        .map(|r| {
            let receipt = ReceiptEvent {
                message_id: meta.message_id.clone(),
                recipient: r.recipient_participant_id.clone(),
                delivered_at: r.delivered_timestamp.clone(),
                read_at: r.read_timestamp.clone(),
                item: item.clone(),
            };
            if receipt.read_at.is_some() {
                Event::Read(receipt)
            } else {
                Event::Delivered(receipt)
            }
        })
        .collect();
    out.extend(events);
}
