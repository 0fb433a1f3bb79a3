//! What a [`ChatStream`](super::ChatStream) yields: one typed event per chat item.

use std::fmt;

use crate::error::Error;
use crate::ops::streaming::StreamingMessage;
use crate::ops::transcript::{Item, ItemType};
use crate::time::Timestamp;

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
    /// starts here with its first chunk and grows through [`Update`](Event::Update)s. A
    /// bot's interactive message (a list picker, a quick reply, ...) is a message too:
    /// [`Item::interactive`] reads its template.
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
    /// The chat is over. Always the last event: the stream ends after it. (A past
    /// contact's `chat.ended` carried into a persistent chat, with `RelatedContactId` and
    /// no `ContactId`, ended that contact, not this chat: it is [`Other`](Event::Other).)
    ChatEnded(ChatEnd),
    /// This participant has left the chat (it disconnected, or the service disconnected
    /// it); the chat may go on for the others. Always the last event.
    Left(ChatEnd),
    /// The stream's connection changed: established, lost, restored, broken. Not a chat
    /// item: [`item`](Event::item) is `None`.
    Connection(super::Connection),
    /// A participant was invited (`…participant.invited`, a multi-party chat).
    ParticipantInvited(Item),
    /// A participant was disconnected for being idle (`…participant.autodisconnection`).
    ParticipantAutoDisconnection(Item),
    /// A participant became active (`…participant.active`; named by the reference
    /// clients, handled by none).
    ParticipantActive(Item),
    /// A participant became inactive (`…participant.inactive`; named by the reference
    /// clients, handled by none).
    ParticipantInactive(Item),
    /// A participant's display name changed (`…participant.displayname.updated`).
    DisplayNameUpdated(Item),
    /// A persistent chat was rehydrated from a past contact (`…chat.rehydrated`).
    ChatRehydrated(Item),
    /// The legacy connection acknowledgement (`…connection.acknowledged`) of a
    /// participant whose client still sends it; its send path was retired on 2024-12-31.
    ConnectionAcknowledged(Item),
    /// A step of an Authenticate Customer block (`…authentication.initiated`,
    /// `.succeeded`, `.failed`, `.timeout`, `.expired`, `.cancelled`), with the session
    /// it is about.
    Authentication(AuthEvent),
    /// A workflow was cancelled (`…workflow.cancelled`).
    WorkflowCancelled(Item),
    /// Any other item: an event content type the catalogue does not name, a receipt item
    /// without receipts, an item type this crate does not know.
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
            | Event::ParticipantInvited(i)
            | Event::ParticipantAutoDisconnection(i)
            | Event::ParticipantActive(i)
            | Event::ParticipantInactive(i)
            | Event::DisplayNameUpdated(i)
            | Event::ChatRehydrated(i)
            | Event::ConnectionAcknowledged(i)
            | Event::WorkflowCancelled(i)
            | Event::Other(i) => Some(i),
            Event::Authentication(a) => Some(&a.item),
            Event::Delivered(r) | Event::Read(r) => Some(&r.item),
            Event::ChatEnded(end) | Event::Left(end) => end.item.as_ref(),
            Event::Connection(_) => None,
        }
    }

    /// A short name for the event's kind: `message`, `update`, `typing`, `delivered`,
    /// `read`, `participant.joined`, `participant.left`, `participant.idle`,
    /// `participant.returned`, `transfer.succeeded`, `transfer.failed`, `attachment`,
    /// `chat.ended`, `left`, `connection`, `participant.invited`,
    /// `participant.autodisconnection`, `participant.active`, `participant.inactive`,
    /// `participant.displayname.updated`, `chat.rehydrated`, `connection.acknowledged`,
    /// `authentication.initiated` (`.succeeded`, `.failed`, `.timeout`, `.expired`,
    /// `.cancelled`), `workflow.cancelled` or `other`: for a catalogue event, its content
    /// type after `…connect.event.`.
    ///
    /// ```
    /// use connect_participant::AuthKind;
    ///
    /// // An Event::Authentication is named after its kind.
    /// assert_eq!(AuthKind::Expired.event_name(), "authentication.expired");
    /// ```
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
            Event::ParticipantInvited(_) => "participant.invited",
            Event::ParticipantAutoDisconnection(_) => "participant.autodisconnection",
            Event::ParticipantActive(_) => "participant.active",
            Event::ParticipantInactive(_) => "participant.inactive",
            Event::DisplayNameUpdated(_) => "participant.displayname.updated",
            Event::ChatRehydrated(_) => "chat.rehydrated",
            Event::ConnectionAcknowledged(_) => "connection.acknowledged",
            Event::Authentication(a) => a.kind.event_name(),
            Event::WorkflowCancelled(_) => "workflow.cancelled",
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

/// Which step of an Authenticate Customer block an [`AuthEvent`] reports.
///
/// ```
/// use connect_participant::AuthKind;
///
/// let kind = AuthKind::from_content_type(
///     "application/vnd.amazonaws.connect.event.authentication.cancelled",
/// );
/// assert_eq!(kind, Some(AuthKind::Cancelled));
/// assert_eq!(AuthKind::Cancelled.as_str(), "cancelled");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthKind {
    /// `…authentication.initiated`: the block started; call GetAuthenticationUrl with its
    /// `SessionId` within a minute.
    Initiated,
    /// `…authentication.succeeded`: the customer signed in.
    Succeeded,
    /// `…authentication.failed`: the sign-in failed.
    Failed,
    /// `…authentication.timeout`: the sign-in timed out.
    Timeout,
    /// `…authentication.expired`: the sign-in session expired.
    Expired,
    /// `…authentication.cancelled`: the sign-in was cancelled.
    Cancelled,
}

impl AuthKind {
    /// Every kind, in the order of a sign-in.
    pub const ALL: [AuthKind; 6] = [
        AuthKind::Initiated,
        AuthKind::Succeeded,
        AuthKind::Failed,
        AuthKind::Timeout,
        AuthKind::Expired,
        AuthKind::Cancelled,
    ];

    /// The last word of its content type: `initiated`, `succeeded`, `failed`, `timeout`,
    /// `expired` or `cancelled`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthKind::Initiated => "initiated",
            AuthKind::Succeeded => "succeeded",
            AuthKind::Failed => "failed",
            AuthKind::Timeout => "timeout",
            AuthKind::Expired => "expired",
            AuthKind::Cancelled => "cancelled",
        }
    }

    /// Its event's [`name`](Event::name): `authentication.` and [`as_str`](Self::as_str).
    pub const fn event_name(self) -> &'static str {
        match self {
            AuthKind::Initiated => "authentication.initiated",
            AuthKind::Succeeded => "authentication.succeeded",
            AuthKind::Failed => "authentication.failed",
            AuthKind::Timeout => "authentication.timeout",
            AuthKind::Expired => "authentication.expired",
            AuthKind::Cancelled => "authentication.cancelled",
        }
    }

    /// Its content type, `application/vnd.amazonaws.connect.event.authentication.…`.
    pub const fn content_type(self) -> &'static str {
        use crate::chat::content_types::*;
        match self {
            AuthKind::Initiated => AUTHENTICATION_INITIATED,
            AuthKind::Succeeded => AUTHENTICATION_SUCCEEDED,
            AuthKind::Failed => AUTHENTICATION_FAILED,
            AuthKind::Timeout => AUTHENTICATION_TIMEOUT,
            AuthKind::Expired => AUTHENTICATION_EXPIRED,
            AuthKind::Cancelled => AUTHENTICATION_CANCELLED,
        }
    }

    /// The kind whose content type this is, compared exactly; `None` for any other.
    pub fn from_content_type(content_type: &str) -> Option<AuthKind> {
        AuthKind::ALL
            .into_iter()
            .find(|k| k.content_type() == content_type)
    }
}

impl fmt::Display for AuthKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A step of an Authenticate Customer block, as
/// [`Event::Authentication`] carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthEvent {
    /// Which step.
    pub kind: AuthKind,
    /// `SessionId` from the item's `Content` (`{"SessionId":"…"}`), for
    /// [`GetAuthenticationUrlRequest`](crate::GetAuthenticationUrlRequest) and
    /// [`CancelParticipantAuthenticationRequest`](crate::CancelParticipantAuthenticationRequest);
    /// `None` when the content has none (absent, not JSON, no string `SessionId`).
    pub session_id: Option<String>,
    /// The whole item.
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
    if item.is_chat_ended() && !from_past_contact(&item) {
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
        _ => out.push(event_of(item)),
    }
}

/// Is `item` a past contact's, carried into a persistent chat (`RelatedContactId` without
/// `ContactId`, as the model says of rehydrated items)? Its `chat.ended` ended that
/// contact, not this chat.
fn from_past_contact(item: &Item) -> bool {
    item.related_contact_id.is_some() && item.contact_id.is_none()
}

/// An `EVENT` item (or one of a type this crate does not know), by its content type.
fn event_of(item: Item) -> Event {
    use crate::chat::content_types::*;
    let Some(content_type) = item.content_type.as_deref() else {
        return Event::Other(item);
    };
    if let Some(kind) = AuthKind::from_content_type(content_type) {
        let session_id = session_id(item.content.as_deref());
        return Event::Authentication(AuthEvent {
            kind,
            session_id,
            item,
        });
    }
    let event = match content_type {
        TYPING => Event::Typing,
        PARTICIPANT_JOINED => Event::ParticipantJoined,
        PARTICIPANT_LEFT => Event::ParticipantLeft,
        PARTICIPANT_IDLE => Event::ParticipantIdle,
        PARTICIPANT_RETURNED => Event::ParticipantReturned,
        TRANSFER_SUCCEEDED => Event::TransferSucceeded,
        TRANSFER_FAILED => Event::TransferFailed,
        PARTICIPANT_INVITED => Event::ParticipantInvited,
        PARTICIPANT_AUTODISCONNECTION => Event::ParticipantAutoDisconnection,
        PARTICIPANT_ACTIVE => Event::ParticipantActive,
        PARTICIPANT_INACTIVE => Event::ParticipantInactive,
        PARTICIPANT_DISPLAYNAME_UPDATED => Event::DisplayNameUpdated,
        CHAT_REHYDRATED => Event::ChatRehydrated,
        CONNECTION_ACKNOWLEDGED => Event::ConnectionAcknowledged,
        WORKFLOW_CANCELLED => Event::WorkflowCancelled,
        _ => Event::Other,
    };
    event(item)
}

/// `SessionId` of an authentication event's `Content` (`{"SessionId":"…"}`); `None` when
/// the content is absent, not a JSON object, or has no string `SessionId`: the event is
/// still yielded, only the session is unknown.
fn session_id(content: Option<&str>) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(content?).ok()?;
    match value.get("SessionId")? {
        serde_json::Value::String(s) => Some(s.clone()),
        _ => None,
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

// Here rather than beside the parser, so that `ops` needs nothing from the stream.
impl StreamingMessage {
    /// The events a [`ChatStream`](crate::ChatStream) yields for this item when it sees it
    /// for the first time: one for most items, one per receipt for a receipt item. A
    /// notification has no history, so an item the stream would call an
    /// [`Update`](crate::Event::Update) (a later chunk of a streamed bot message) is a
    /// [`Message`](crate::Event::Message) here: keep the latest per `Id`.
    ///
    /// ```
    /// use connect_participant::{Event, StreamingMessage};
    ///
    /// let body = r#"{"Content":"hi","ContentType":"text/plain","Type":"MESSAGE","Id":"m-1"}"#;
    /// let events = StreamingMessage::parse(body)?.events();
    /// assert!(matches!(events.as_slice(), [Event::Message(item)] if item.id.as_deref() == Some("m-1")));
    /// # Ok::<(), connect_participant::Error>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
    pub fn events(&self) -> Vec<crate::Event> {
        let mut out = Vec::new();
        classify(self.item.clone(), &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::content_types as ct;

    fn event(content_type: &str, content: Option<&str>) -> Event {
        let item = Item {
            content_type: Some(content_type.into()),
            content: content.map(str::to_owned),
            item_type: Some(ItemType::Event),
            ..Item::default()
        };
        let mut out = Vec::new();
        classify(item, &mut out);
        assert_eq!(out.len(), 1);
        out.remove(0)
    }

    #[test]
    fn every_catalogue_event_is_named_after_its_content_type_and_none_is_other() {
        // Receipts arrive as MESSAGEMETADATA items, never as events of these types.
        let receipts = [
            ct::MESSAGE_DELIVERED,
            ct::MESSAGE_READ,
            ct::MESSAGE_METADATA,
        ];
        let mut named = 0;
        for content_type in ct::EVENTS {
            if receipts.contains(&content_type) {
                continue;
            }
            let e = event(content_type, None);
            let suffix = content_type
                .strip_prefix("application/vnd.amazonaws.connect.event.")
                .unwrap();
            assert_eq!(e.name(), suffix, "{content_type}");
            assert!(!matches!(e, Event::Other(_)), "{content_type}");
            assert_eq!(
                e.item().and_then(|i| i.content_type.as_deref()),
                Some(content_type)
            );
            named += 1;
        }
        assert_eq!(named, 22);
        // What the catalogue does not name stays Other, as does a type's near miss.
        for other in [
            "application/vnd.amazonaws.connect.event.participant.renamed",
            "application/vnd.amazonaws.connect.event.authentication.success",
            "APPLICATION/VND.AMAZONAWS.CONNECT.EVENT.TYPING",
        ] {
            assert!(matches!(event(other, None), Event::Other(_)), "{other}");
        }
    }

    #[test]
    fn authentication_events_carry_their_kind_and_session_id_from_content() {
        for kind in AuthKind::ALL {
            let Event::Authentication(a) =
                event(kind.content_type(), Some(r#"{"SessionId":"s-1"}"#))
            else {
                panic!("{kind}")
            };
            assert_eq!(a.kind, kind);
            assert_eq!(a.session_id.as_deref(), Some("s-1"));
            assert_eq!(format!("authentication.{kind}"), kind.event_name());
            assert_eq!(AuthKind::from_content_type(kind.content_type()), Some(kind));
        }
        let huge = format!(r#"{{"SessionId":"{}","Other":[1,2]}}"#, "a".repeat(100_000));
        let cases: [(Option<&str>, Option<String>); 7] = [
            (None, None),
            (Some(""), None),
            (Some("not json"), None),
            (Some(r#"["SessionId"]"#), None),
            (Some(r#"{"SessionId":36}"#), None),
            (Some(r#"{"SessionId":null}"#), None),
            (Some(&huge), Some("a".repeat(100_000))),
        ];
        for (content, session) in cases {
            let Event::Authentication(a) = event(ct::AUTHENTICATION_INITIATED, content) else {
                panic!("{content:?}")
            };
            assert_eq!(a.session_id, session, "{content:?}");
            assert_eq!(a.item.content.as_deref(), content);
        }
    }
}
