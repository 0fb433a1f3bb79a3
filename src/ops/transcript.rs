//! GetTranscript: the chat so far, page by page, and the iterator that follows the pages.

use std::collections::HashSet;
use std::fmt;

use crate::error::{Error, Result};
use crate::json::{BadAnswer, JsonObject, Members};
use crate::operation::{Operation, check_chars};
use crate::ops::message::MessageProcessingStatus;
use crate::ops::{closed_enum, open_enum};
use crate::time::Timestamp;
use crate::token::ConnectionToken;

/// The most characters of a `NextToken`.
const MAX_NEXT_TOKEN_CHARS: usize = 1000;

/// The most items one GetTranscript page may be asked for (`MaxResults`).
pub const MAX_TRANSCRIPT_RESULTS: u32 = 100;

/// The most answer bytes read for one GetTranscript page: 100 items of 16,384 characters,
/// each of which JSON may escape to 6 bytes (`\u0001`), is about 10 MiB with the other
/// members; 16 MiB leaves room and is still a bound.
pub const MAX_TRANSCRIPT_ANSWER: u64 = 16 * 1024 * 1024;

closed_enum! {
    /// Which way to read from the start position (`ScanDirection`).
    ScanDirection ("ScanDirection") {
        /// `FORWARD`: towards newer items. The service's default with a start position.
        Forward = "FORWARD",
        /// `BACKWARD`: towards older items. The service's default without one.
        Backward = "BACKWARD",
    }
}

closed_enum! {
    /// The order of the items in a page (`SortOrder`). The service's default is
    /// descending.
    SortOrder ("SortOrder") {
        /// `DESCENDING`: newest first.
        Descending = "DESCENDING",
        /// `ASCENDING`: oldest first.
        Ascending = "ASCENDING",
    }
}

open_enum! {
    /// What an item is (`Type`). Events are told apart by their `ContentType`.
    ItemType {
        /// `TYPING`.
        Typing = "TYPING",
        /// `PARTICIPANT_JOINED`.
        ParticipantJoined = "PARTICIPANT_JOINED",
        /// `PARTICIPANT_LEFT`.
        ParticipantLeft = "PARTICIPANT_LEFT",
        /// `CHAT_ENDED`.
        ChatEnded = "CHAT_ENDED",
        /// `TRANSFER_SUCCEEDED`.
        TransferSucceeded = "TRANSFER_SUCCEEDED",
        /// `TRANSFER_FAILED`.
        TransferFailed = "TRANSFER_FAILED",
        /// `MESSAGE`: a chat message.
        Message = "MESSAGE",
        /// `EVENT`: every event the service sends (joined, left, ended, ...), told apart by
        /// `ContentType`.
        Event = "EVENT",
        /// `ATTACHMENT`: a file shared in the chat.
        Attachment = "ATTACHMENT",
        /// `CONNECTION_ACK`.
        ConnectionAck = "CONNECTION_ACK",
        /// `MESSAGE_DELIVERED`.
        MessageDelivered = "MESSAGE_DELIVERED",
        /// `MESSAGE_READ`.
        MessageRead = "MESSAGE_READ",
        /// `MESSAGEMETADATA`: receipts, as the WebSocket sends them. Not in the service's
        /// model, but seen on the wire.
        MessageMetadata = "MESSAGEMETADATA",
    }
}

open_enum! {
    /// Who sent an item (`ParticipantRole`).
    ParticipantRole {
        /// `AGENT`.
        Agent = "AGENT",
        /// `CUSTOMER`.
        Customer = "CUSTOMER",
        /// `SYSTEM`: the contact flow, a bot.
        System = "SYSTEM",
        /// `CUSTOM_BOT`.
        CustomBot = "CUSTOM_BOT",
        /// `SUPERVISOR`.
        Supervisor = "SUPERVISOR",
    }
}

open_enum! {
    /// An attachment's scan status (`Status`).
    ArtifactStatus {
        /// `APPROVED`.
        Approved = "APPROVED",
        /// `REJECTED`.
        Rejected = "REJECTED",
        /// `IN_PROGRESS`.
        InProgress = "IN_PROGRESS",
    }
}

/// Where a transcript page starts (`StartPosition`). The service does not say whether its
/// members may be combined; this type sends what it is given.
///
/// ```
/// use connect_participant::{StartPosition, Timestamp};
///
/// let from_item = StartPosition::id("item-50");
/// let from_time = StartPosition::absolute_time(Timestamp::parse("2019-11-08T02:41:28.172Z")?);
/// let last_ten = StartPosition::most_recent(10);
/// # Ok::<(), connect_participant::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartPosition {
    id: Option<String>,
    absolute_time: Option<Timestamp>,
    most_recent: Option<u32>,
}

impl StartPosition {
    /// Start at the item with this id (`Id`, 1 to 256 characters).
    pub fn id(id: impl Into<String>) -> StartPosition {
        StartPosition {
            id: Some(id.into()),
            ..StartPosition::default()
        }
    }

    /// Start at this time (`AbsoluteTime`). A time read from an item is sent back byte for
    /// byte as the service wrote it.
    pub fn absolute_time(time: Timestamp) -> StartPosition {
        StartPosition {
            absolute_time: Some(time),
            ..StartPosition::default()
        }
    }

    /// Start this many items before the newest (`MostRecent`, 0 to 100). Like the AWS
    /// SDKs, 0 is not sent.
    pub fn most_recent(count: u32) -> StartPosition {
        StartPosition {
            most_recent: Some(count),
            ..StartPosition::default()
        }
    }

    /// Also sets `Id`.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> StartPosition {
        self.id = Some(id.into());
        self
    }

    /// Also sets `AbsoluteTime`.
    #[must_use]
    pub fn with_absolute_time(mut self, time: Timestamp) -> StartPosition {
        self.absolute_time = Some(time);
        self
    }

    /// Also sets `MostRecent`.
    #[must_use]
    pub fn with_most_recent(mut self, count: u32) -> StartPosition {
        self.most_recent = Some(count);
        self
    }

    fn validate(&self) -> Result<()> {
        if let Some(id) = &self.id {
            check_chars("StartPosition.Id", id, 1, 256)?;
        }
        if let Some(t) = &self.absolute_time {
            check_chars(
                "StartPosition.AbsoluteTime",
                t.as_str(),
                1,
                Timestamp::MAX_CHARS,
            )?;
        }
        if let Some(n) = self.most_recent {
            if n > MAX_TRANSCRIPT_RESULTS {
                return Err(Error::invalid_input(
                    "StartPosition.MostRecent",
                    format_args!("{n}, must be 0 to {MAX_TRANSCRIPT_RESULTS}"),
                ));
            }
        }
        Ok(())
    }

    /// Members in the model's order, as the Rust SDK writes them.
    fn json(&self) -> JsonObject {
        JsonObject::new()
            .opt_string("Id", self.id.as_deref())
            .opt_string(
                "AbsoluteTime",
                self.absolute_time.as_ref().map(Timestamp::as_str),
            )
            .opt_u64(
                "MostRecent",
                self.most_recent.filter(|&n| n != 0).map(u64::from),
            )
    }
}

/// One GetTranscript call's input (everything but the connection token). Every member is
/// optional; with none, the service gives the newest 10 items, newest first.
///
/// ```
/// use connect_participant::{GetTranscriptRequest, ScanDirection, SortOrder, StartPosition};
///
/// // What ChatJS asks for by default.
/// let r = GetTranscriptRequest::new()
///     .with_max_results(15)
///     .with_scan_direction(ScanDirection::Backward)
///     .with_sort_order(SortOrder::Ascending)
///     .with_start_position(StartPosition::default());
/// assert!(r.validate().is_ok());
/// assert!(GetTranscriptRequest::new().with_max_results(101).validate().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetTranscriptRequest {
    contact_id: Option<String>,
    max_results: Option<u32>,
    next_token: Option<String>,
    scan_direction: Option<ScanDirection>,
    sort_order: Option<SortOrder>,
    start_position: Option<StartPosition>,
}

impl GetTranscriptRequest {
    /// No member set.
    pub fn new() -> GetTranscriptRequest {
        GetTranscriptRequest::default()
    }

    /// `ContactId` (1 to 256 characters): a contact of the current contact chain.
    #[must_use]
    pub fn with_contact_id(mut self, contact_id: impl Into<String>) -> GetTranscriptRequest {
        self.contact_id = Some(contact_id.into());
        self
    }

    /// `MaxResults` (0 to 100): items per page. The service's default is 10.
    #[must_use]
    pub fn with_max_results(mut self, max_results: u32) -> GetTranscriptRequest {
        self.max_results = Some(max_results);
        self
    }

    /// `NextToken` (1 to 1000 characters): the previous page's token.
    #[must_use]
    pub fn with_next_token(mut self, next_token: impl Into<String>) -> GetTranscriptRequest {
        self.next_token = Some(next_token.into());
        self
    }

    /// `ScanDirection`.
    #[must_use]
    pub fn with_scan_direction(mut self, scan_direction: ScanDirection) -> GetTranscriptRequest {
        self.scan_direction = Some(scan_direction);
        self
    }

    /// `SortOrder`.
    #[must_use]
    pub fn with_sort_order(mut self, sort_order: SortOrder) -> GetTranscriptRequest {
        self.sort_order = Some(sort_order);
        self
    }

    /// `StartPosition`. An empty one is sent as `{}`, as ChatJS does.
    #[must_use]
    pub fn with_start_position(mut self, start_position: StartPosition) -> GetTranscriptRequest {
        self.start_position = Some(start_position);
        self
    }

    /// The `NextToken` member, if set.
    pub fn next_token(&self) -> Option<&str> {
        self.next_token.as_deref()
    }

    /// Checks every member against the service's limits.
    pub fn validate(&self) -> Result<()> {
        if let Some(id) = &self.contact_id {
            check_chars("ContactId", id, 1, 256)?;
        }
        if let Some(n) = self.max_results {
            if n > MAX_TRANSCRIPT_RESULTS {
                return Err(Error::invalid_input(
                    "MaxResults",
                    format_args!("{n}, must be 0 to {MAX_TRANSCRIPT_RESULTS}"),
                ));
            }
        }
        if let Some(t) = &self.next_token {
            check_chars("NextToken", t, 1, MAX_NEXT_TOKEN_CHARS)?;
        }
        if let Some(p) = &self.start_position {
            p.validate()?;
        }
        Ok(())
    }
}

impl Operation for GetTranscriptRequest {
    type Output = GetTranscriptOutput;
    type Token = ConnectionToken;
    const NAME: &'static str = "GetTranscript";
    const PATH: &'static str = "/participant/transcript";
    const MAX_ANSWER: u64 = MAX_TRANSCRIPT_ANSWER;

    fn validate(&self) -> Result<()> {
        GetTranscriptRequest::validate(self)
    }

    fn body(&self, _: &str) -> Vec<u8> {
        JsonObject::new()
            .opt_string("ContactId", self.contact_id.as_deref())
            .opt_u64("MaxResults", self.max_results.map(u64::from))
            .opt_string("NextToken", self.next_token.as_deref())
            .opt_string(
                "ScanDirection",
                self.scan_direction.map(ScanDirection::as_str),
            )
            .opt_string("SortOrder", self.sort_order.map(SortOrder::as_str))
            .opt_object(
                "StartPosition",
                self.start_position.as_ref().map(StartPosition::json),
            )
            .finish()
    }

    fn parse(mut answer: Members) -> Result<GetTranscriptOutput, BadAnswer> {
        Ok(GetTranscriptOutput {
            initial_contact_id: answer.string("InitialContactId")?,
            transcript: answer.list("Transcript", Item::read)?,
            next_token: answer.string("NextToken")?,
        })
    }
}

/// One page of the transcript.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetTranscriptOutput {
    /// `InitialContactId`: the first contact of this chat's contact chain.
    pub initial_contact_id: Option<String>,
    /// `Transcript`: the items of this page.
    pub transcript: Vec<Item>,
    /// `NextToken`: where the next page starts; absent or empty on the last page.
    pub next_token: Option<String>,
}

/// One item of a transcript: a message, an event, an attachment.
///
/// Every member is optional and `null` reads as absent. Members this crate does not know
/// are kept in [`unknown_members`](Self::unknown_members), values of enums it does not know
/// as their `Unknown` variant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Item {
    /// `AbsoluteTime`: when it was sent.
    pub absolute_time: Option<Timestamp>,
    /// `Content`: the message text, or an event's details.
    pub content: Option<String>,
    /// `ContentType`: `text/plain`, or an event's type such as
    /// `application/vnd.amazonaws.connect.event.participant.joined`.
    pub content_type: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `Type`.
    pub item_type: Option<ItemType>,
    /// `ParticipantId`: the sender.
    pub participant_id: Option<String>,
    /// `DisplayName`: the sender's display name.
    pub display_name: Option<String>,
    /// `ParticipantRole`: the sender's role.
    pub participant_role: Option<ParticipantRole>,
    /// `Attachments`, for an `ATTACHMENT` item.
    pub attachments: Vec<AttachmentItem>,
    /// `MessageMetadata`: the receipts of this message.
    pub message_metadata: Option<MessageMetadata>,
    /// `RelatedContactId`: in a persistent chat, the past contact the item comes from.
    pub related_contact_id: Option<String>,
    /// `ContactId`: set when the item is from the current chat session.
    pub contact_id: Option<String>,
    /// Members this crate does not know, name and compact JSON value, in alphabetical
    /// order.
    pub unknown_members: Vec<(String, String)>,
}

/// `ContentType` of the event that ends a chat.
pub const CHAT_ENDED_CONTENT_TYPE: &str = "application/vnd.amazonaws.connect.event.chat.ended";

impl Item {
    pub(crate) fn read(mut m: Members) -> Result<Item, BadAnswer> {
        Ok(Item {
            absolute_time: m.time("AbsoluteTime")?,
            content: m.string("Content")?,
            content_type: m.string("ContentType")?,
            id: m.string("Id")?,
            item_type: m.string("Type")?.map(ItemType::from),
            participant_id: m.string("ParticipantId")?,
            display_name: m.string("DisplayName")?,
            participant_role: m.string("ParticipantRole")?.map(ParticipantRole::from),
            attachments: m.list("Attachments", AttachmentItem::read)?,
            message_metadata: match m.object("MessageMetadata")? {
                Some(mm) => Some(MessageMetadata::read(mm)?),
                None => None,
            },
            related_contact_id: m.string("RelatedContactId")?,
            contact_id: m.string("ContactId")?,
            unknown_members: m.others(),
        })
    }

    /// What tells two versions of an item apart: its content and its attachments' states.
    /// Receipts are left out: the transcript adds them to a message the stream already
    /// gave, and they arrive as their own items; so are the members only one path carries
    /// (the WebSocket's copy has `InitialContactId`, the transcript's does not).
    pub(crate) fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.content.hash(&mut h);
        for a in &self.attachments {
            a.attachment_id.hash(&mut h);
            a.status
                .as_ref()
                .map(|s| s.as_str().to_owned())
                .hash(&mut h);
        }
        h.finish()
    }

    /// Is this the event that ends the chat (`…event.chat.ended`)?
    pub fn is_chat_ended(&self) -> bool {
        self.content_type.as_deref() == Some(CHAT_ENDED_CONTENT_TYPE)
    }
}

/// An attachment of an `ATTACHMENT` item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttachmentItem {
    /// `ContentType`: the file's MIME type.
    pub content_type: Option<String>,
    /// `AttachmentId`.
    pub attachment_id: Option<String>,
    /// `AttachmentName`.
    pub attachment_name: Option<String>,
    /// `Status`.
    pub status: Option<ArtifactStatus>,
}

impl AttachmentItem {
    fn read(mut m: Members) -> Result<AttachmentItem, BadAnswer> {
        Ok(AttachmentItem {
            content_type: m.string("ContentType")?,
            attachment_id: m.string("AttachmentId")?,
            attachment_name: m.string("AttachmentName")?,
            status: m.string("Status")?.map(ArtifactStatus::from),
        })
    }
}

/// `MessageMetadata` of an item: its receipts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageMetadata {
    /// `MessageId`: the message the receipts are about.
    pub message_id: Option<String>,
    /// `Receipts`.
    pub receipts: Vec<Receipt>,
    /// `MessageProcessingStatus`.
    pub message_processing_status: Option<MessageProcessingStatus>,
    /// `MessageCompleted`: on a streamed bot message, whether this is the whole message
    /// (`true`) or one chunk of it (`false`). Not in the service's API model; Amazon's
    /// chat library (ChatJS 5.0.0) reads it.
    pub message_completed: Option<bool>,
    /// `ChunkNumber`: on a chunk of a streamed bot message, its place (1, 2, ...). Not in
    /// the service's API model; ChatJS reads it.
    pub chunk_number: Option<u64>,
}

impl MessageMetadata {
    fn read(mut m: Members) -> Result<MessageMetadata, BadAnswer> {
        Ok(MessageMetadata {
            message_id: m.string("MessageId")?,
            receipts: m.list("Receipts", Receipt::read)?,
            message_processing_status: m
                .string("MessageProcessingStatus")?
                .map(MessageProcessingStatus::from),
            message_completed: m.boolean("MessageCompleted")?,
            chunk_number: m.count("ChunkNumber")?,
        })
    }
}

/// A receipt: when a recipient got, or read, a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Receipt {
    /// `DeliveredTimestamp`.
    pub delivered_timestamp: Option<Timestamp>,
    /// `ReadTimestamp`.
    pub read_timestamp: Option<Timestamp>,
    /// `RecipientParticipantId`.
    pub recipient_participant_id: Option<String>,
}

impl Receipt {
    fn read(mut m: Members) -> Result<Receipt, BadAnswer> {
        Ok(Receipt {
            delivered_timestamp: m.time("DeliveredTimestamp")?,
            read_timestamp: m.time("ReadTimestamp")?,
            recipient_participant_id: m.string("RecipientParticipantId")?,
        })
    }
}

/// The function a pager calls for each page.
type FetchFn<'a> = dyn FnMut(&GetTranscriptRequest) -> Result<GetTranscriptOutput> + Send + 'a;

/// The pages of a transcript, fetched one per `next()` as the iterator is driven.
///
/// It sends the first request as given, then the same request with each page's
/// `NextToken`, and ends after a page whose `NextToken` is absent, empty (the service has
/// answered `"NextToken":""`) or one it has already sent (a server going round in a
/// circle). A `NextToken` the service could not take back (over 1000 characters) ends the
/// pages with [`ErrorKind::InvalidResponse`](crate::ErrorKind::InvalidResponse) rather
/// than being sent. After an error it yields that error and ends.
///
/// A server that answers a new token forever makes an endless iterator: it is lazy, so
/// bound what you take (`.take(n)`) when the server is not trusted. Made by
/// [`Client::transcript_pages`](crate::Client::transcript_pages) and
/// [`Participant::transcript_pages`](crate::Participant::transcript_pages).
pub struct TranscriptPages<'a> {
    fetch: Box<FetchFn<'a>>,
    next: Option<Result<GetTranscriptRequest>>,
    /// Every token sent so far, to stop on a circle.
    sent: HashSet<String>,
}

impl<'a> TranscriptPages<'a> {
    pub(crate) fn new(
        first: GetTranscriptRequest,
        fetch: impl FnMut(&GetTranscriptRequest) -> Result<GetTranscriptOutput> + Send + 'a,
    ) -> TranscriptPages<'a> {
        TranscriptPages {
            fetch: Box::new(fetch),
            sent: first.next_token.iter().cloned().collect(),
            next: Some(Ok(first)),
        }
    }

    /// The items of every page, one by one.
    pub fn items(self) -> TranscriptItems<'a> {
        TranscriptItems {
            pages: self,
            page: Vec::new().into_iter(),
        }
    }
}

impl Iterator for TranscriptPages<'_> {
    type Item = Result<GetTranscriptOutput>;

    fn next(&mut self) -> Option<Self::Item> {
        let request = match self.next.take()? {
            Ok(request) => request,
            Err(e) => return Some(Err(e)),
        };
        match (self.fetch)(&request) {
            Err(e) => Some(Err(e)),
            Ok(page) => {
                self.next = match page.next_token.as_deref() {
                    None | Some("") => None,
                    Some(t) if self.sent.contains(t) => None,
                    Some(t) if t.chars().count() > MAX_NEXT_TOKEN_CHARS => {
                        Some(Err(Error::invalid_response(
                            200,
                            format!(
                                "the service answered a NextToken of {} characters, which it \
                                 could not take back (1 to {MAX_NEXT_TOKEN_CHARS}); the pages \
                                 end here",
                                t.chars().count()
                            ),
                        )))
                    }
                    Some(t) => {
                        self.sent.insert(t.to_owned());
                        Some(Ok(request.with_next_token(t)))
                    }
                };
                Some(Ok(page))
            }
        }
    }
}

impl std::iter::FusedIterator for TranscriptPages<'_> {}

impl fmt::Debug for TranscriptPages<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TranscriptPages")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

/// Every item of a transcript, page after page; see [`TranscriptPages`].
pub struct TranscriptItems<'a> {
    pages: TranscriptPages<'a>,
    page: std::vec::IntoIter<Item>,
}

impl Iterator for TranscriptItems<'_> {
    type Item = Result<Item>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.page.next() {
                return Some(Ok(item));
            }
            match self.pages.next()? {
                Ok(page) => self.page = page.transcript.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl std::iter::FusedIterator for TranscriptItems<'_> {}

impl fmt::Debug for TranscriptItems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TranscriptItems")
            .field("pages", &self.pages)
            .field("left_in_page", &self.page.len())
            .finish()
    }
}

mod item_serde;

#[cfg(test)]
mod tests;
