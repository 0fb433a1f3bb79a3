//! A small, blocking client for the Amazon Connect Participant Service: what a chat
//! participant (a customer, a custom bot, a support tool) calls to connect to a chat, send
//! messages, typing indicators and read receipts, read the transcript, share files, and leave.
//!
//! No async runtime, no AWS credentials (the service authenticates by the participant's
//! tokens alone), four runtime dependencies (`ureq` with rustls, `serde_json`, `serde`
//! without its derive, `getrandom`; `ureq-proto`, `rustls`, `webpki-roots` and `log` are
//! named at the versions ureq already builds, so they add no crate). Every input is
//! checked against the service's documented limits before a byte is sent. The request on the wire is the official SDKs' (method, path,
//! `Content-Type`, `X-Amz-Bearer`, `amz-sdk-invocation-id`, `amz-sdk-request`, and the JSON
//! body with the SDKs' members in their order), less what only a signed AWS request needs:
//! no SigV4 headers (`Authorization`, `X-Amz-Date`, `X-Amz-Security-Token`) and no
//! `x-amz-user-agent`.
//!
//! | operation | [`Client`] method | [`Participant`] method |
//! |---|---|---|
//! | CreateParticipantConnection | [`create_participant_connection`](Client::create_participant_connection) | [`connect`](Participant::connect), [`renew`](Participant::renew) (and before any call within 60 s of expiry, and to check a call's 403) |
//! | SendMessage | [`send_message`](Client::send_message) | [`send_message`](Participant::send_message) |
//! | SendEvent | [`send_event`](Client::send_event) | [`send_event`](Participant::send_event) |
//! | GetTranscript | [`get_transcript`](Client::get_transcript), [`transcript_pages`](Client::transcript_pages) | [`get_transcript`](Participant::get_transcript), [`transcript_pages`](Participant::transcript_pages) |
//! | DisconnectParticipant | [`disconnect_participant`](Client::disconnect_participant) | [`disconnect`](Participant::disconnect) |
//! | StartAttachmentUpload | [`start_attachment_upload`](Client::start_attachment_upload); [`upload_attachment`](Client::upload_attachment) (all three steps) | [`start_attachment_upload`](Participant::start_attachment_upload); [`upload_attachment`](Participant::upload_attachment) |
//! | CompleteAttachmentUpload | [`complete_attachment_upload`](Client::complete_attachment_upload) | [`complete_attachment_upload`](Participant::complete_attachment_upload) |
//! | GetAttachment | [`get_attachment`](Client::get_attachment); [`download_attachment`](Client::download_attachment) | [`get_attachment`](Participant::get_attachment); [`download_attachment`](Participant::download_attachment) |
//! | DescribeView | [`describe_view`](Client::describe_view) | [`describe_view`](Participant::describe_view) |
//! | GetAuthenticationUrl | [`get_authentication_url`](Client::get_authentication_url) | [`get_authentication_url`](Participant::get_authentication_url) |
//! | CancelParticipantAuthentication | [`cancel_participant_authentication`](Client::cancel_participant_authentication) | [`cancel_participant_authentication`](Participant::cancel_participant_authentication) |
//!
//! # Usage
//!
//! A chat's participant token (`ParticipantToken` from Amazon Connect's StartChatContact)
//! is all a [`Participant`] needs: it calls CreateParticipantConnection for the connection
//! token, renews it before it expires, and makes every call with it. Build the [`Client`]
//! once and reuse it: it keeps connections alive and is cheap to clone and share between
//! threads.
//!
//! ```no_run
//! use connect_participant::{
//!     Client, GetTranscriptRequest, Participant, ParticipantToken, SendEventRequest,
//!     SendMessageRequest,
//! };
//!
//! let client = Client::builder().region("us-west-2").build()?;
//! let token = ParticipantToken::new(std::env::var("CONNECT_PARTICIPANT_TOKEN").unwrap())?;
//! let me = Participant::connect(&client, token)?;
//!
//! me.send_event(&SendEventRequest::typing())?;
//! let sent = me.send_message(&SendMessageRequest::text("Hello!"))?;
//! for item in me.transcript_pages(GetTranscriptRequest::new()).items() {
//!     let item = item?;
//!     println!("{:?} {:?}: {:?}", item.absolute_time, item.display_name, item.content);
//! }
//! me.disconnect(&Default::default())?;
//! # Ok::<(), connect_participant::Error>(())
//! ```
//!
//! A program that already holds a connection token calls the [`Client`] directly, with a
//! [`ConnectionToken`]; [`send_event`] makes a client for a single call. To run without AWS,
//! the `emulator` feature bundles a local emulator of the service, a whole chat included;
//! this example runs against it:
//!
//! ```
//! # #[cfg(feature = "emulator")] {
//! use connect_participant::emulator::Emulator;
//! use connect_participant::{Participant, ParticipantToken, SendMessageRequest};
//!
//! let emulator = Emulator::start()?;
//! let client = emulator.client_builder().build()?;
//! let chat = emulator.start_chat();
//! let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token.clone())?)?;
//! let out = me.send_message(&SendMessageRequest::text("Hi"))?;
//! assert!(out.id.is_some());
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Listening
//!
//! With the `websocket` feature, `Participant::stream` opens a blocking stream of the
//! chat's events over the WebSocket that CreateParticipantConnection hands out: messages,
//! typing, receipts, participants coming and going, transfers, the end. It keeps itself
//! alive (heartbeats, reconnections with the transcript read back for what was missed) and
//! yields each item once; see `ChatStream`.
//!
//! ```text
//! for event in participant.stream()? {
//!     match event? {
//!         Event::Message(item) => println!("{:?}: {:?}", item.display_name, item.content),
//!         Event::ChatEnded(_) => break,
//!         _ => {}
//!     }
//! }
//! ```
//!
//! # Chat helpers
//!
//! A bot or bridge should not send a typing event per keystroke, nor a receipt per
//! message per screen refresh. [`TypingThrottle`] sends typing at most once per 10 s
//! (leading edge). **[`Receipts`] sends receipts as Amazon's chat clients do: per 5 s
//! window at most one delivered and one read receipt, each for the newest message, sent
//! when the window ends (the first receipt noted opens it), never for this participant's
//! own messages, and never again for what the transcript shows it already received or
//! read. A read receipt for a message says the earlier ones were read too, so reading a
//! burst of 20 messages costs one call** ([`ReceiptPolicy::EveryMessage`] sends one per
//! message instead); it turns itself off when the service says receipts are
//! not available in this chat (ConflictException). [`Typers`] says who is typing now, each
//! until 12 s after their last typing event or until their message arrives. All are
//! blocking and thread-free, driven by your calls; the two that send work over a token or
//! a [`Participant`].
//!
//! # Errors
//!
#![doc = include_str!("../docs/errors.md")]
//!
//! Throttling, HTTP 500/502/503/504, timeouts and dropped connections are retried (3
//! attempts, jittered back-off, the same client token on each, so a message or event lands
//! at most once); [`Error::attempts`] tells how many requests a failed call sent.
//!
//! ```
//! use connect_participant::{ErrorKind, SendMessageRequest};
//!
//! let err = SendMessageRequest::text("").validate().unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidInput);
//! assert_eq!(err.to_string(), "invalid Content: 0 bytes of UTF-8, must be 1 to 16384");
//! ```
//!
//! # Security
//!
//! - Both tokens are secrets. [`ParticipantToken`] and [`ConnectionToken`] have no
//!   `Display` and no `PartialEq`, their `Debug` prints `ConnectionToken([redacted])`, and
//!   no error message contains them, not even when a server echoes one: the token, or any
//!   16 characters of it in a row, is replaced by `[redacted]` in what the server said
//!   before an [`Error`] keeps it. The WebSocket URL ([`WebSocketUrl`]) and a WebRTC join
//!   token ([`JoinToken`]) are redacted in `Debug` too.
//! - A value you gave is shown in an error message or a `Debug` output only when it has at
//!   most 64 characters (a token pasted as a region or endpoint URL is measured, not
//!   shown), and never with the user info (`user:password@`) of a URL.
//! - A token with a character that could break an HTTP header (CR, LF, any control
//!   character, space, non-ASCII) is refused by its constructor, never sent.
//! - Redirects are never followed, so a token cannot travel to another host; a 3xx is
//!   returned as [`ErrorKind::Redirect`].
//! - Endpoints made from a region are always HTTPS (rustls, Mozilla's roots via
//!   `webpki-roots`). Plain `http://` is only used when you give such a URL yourself.
//!   More roots, or other roots instead, come from PEM
//!   ([`ClientBuilder::add_root_certificates_pem`],
//!   [`ClientBuilder::root_certificates_pem`]); a certificate that fails a check is
//!   [`ErrorKind::Certificate`], never retried.
//! - ureq logs through the `log` crate. At TRACE level it prints the raw request,
//!   **bearer token included**. Do not enable TRACE for `ureq` in production. This
//!   crate's own records never hold a secret (see Logging).
//!
//! # Logging
//!
#![doc = include_str!("../docs/logging.md")]
//!
//! # Defaults and limits
//!
#![doc = include_str!("../docs/limits.md")]
//!
//! # Features
//!
#![cfg_attr(
    feature = "emulator",
    doc = "- `emulator`: the [`emulator`] module, a local Participant Service emulator (std \
           only) for your own tests: chats, participants, transcripts, faults."
)]
#![cfg_attr(
    not(feature = "emulator"),
    doc = "- `emulator`: the `emulator` module, a local Participant Service emulator (std \
           only) for your own tests: chats, participants, transcripts, faults (not in this \
           build of the documentation)."
)]
//! - `websocket`: `Participant::stream`, `ChatStream` and the events it yields, and the
//!   emulator's WebSocket side. Builds `tungstenite` (the WebSocket protocol, without its
//!   TLS features: the stream's connection comes from the client's own connector chain,
//!   with its proxy, roots or platform verifier) and the crates it needs.
//! - `cli`: the `connect-participant` command-line utility (turns `emulator` and `websocket`
//!   on).
//! - `platform-verifier`: `ClientBuilder::platform_verifier`, to verify servers'
//!   certificates with the operating system's verifier and its roots (the system's store,
//!   where a company installs its own CA) instead of Mozilla's roots. Off by default: it
//!   builds `rustls-platform-verifier` and the platform crates it needs.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod chat;
mod client;
mod edits;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
mod endpoint;
mod env;
mod error;
#[cfg(test)]
mod generated_inputs;
// The integration tests' CA, for the unit tests' TLS servers: one file, not a copy.
mod ids;
mod json;
mod net;
mod operation;
mod ops;
mod participant;
mod redact;
mod retry;
#[cfg(test)]
#[path = "../tests/integration/support/ca.rs"]
mod test_ca;
mod time;
mod token;
mod wire;

pub use chat::checkpoint::{Checkpoint, SeenReceipt};
pub use chat::content_types as content_type;
pub use chat::interactive::{
    Carousel, Element, Image, InteractiveMessage, InteractiveResponse, ListPicker, Location, Panel,
    QuickReply, ReplyMessage, Template, TimePicker, TimeSlot,
};
pub use chat::journal::{Journal, JournalSync};
pub use chat::receipts::{ReceiptPolicy, Receipts};
#[cfg(feature = "websocket")]
#[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
pub use chat::stream::{
    AuthEvent, AuthKind, ChatEnd, ChatStream, Connection, Event, Health, Lost, LostReason, Next,
    ReceiptEvent, Restored, StreamBuilder,
};
pub use chat::transcript::{LocalKey, MessageStatus, Transcript, TranscriptEntry};
pub use chat::typers::{Typer, Typers};
pub use chat::typing::TypingThrottle;
pub use client::{
    Client, ClientBuilder, UploadAttachmentOutput, UploadAttachmentRequest, send_event,
};
pub use endpoint::{Endpoint, EndpointVariant};
pub use error::{Error, ErrorKind, Result, UploadStep};
pub use operation::MAX_RESPONSE_BODY;
pub use ops::attachment::{
    ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, PresignedUrl, UploadMetadata, attachment_content_type,
};
pub use ops::cancel_participant_authentication::{
    CancelParticipantAuthenticationOutput, CancelParticipantAuthenticationRequest,
};
pub use ops::complete_attachment_upload::{
    CompleteAttachmentUploadOutput, CompleteAttachmentUploadRequest,
};
pub use ops::connection::{
    Attendee, AudioFeatures, ConnectionCredentials, ConnectionType,
    CreateParticipantConnectionOutput, CreateParticipantConnectionRequest, MeetingFeatureStatus,
    MeetingFeaturesConfiguration, WebRtcConnection, WebRtcMediaPlacement, WebRtcMeeting, Websocket,
};
pub use ops::content_type::{ContentType, UnknownContentType};
pub use ops::disconnect::{DisconnectParticipantOutput, DisconnectParticipantRequest};
pub use ops::event::{
    MAX_CLIENT_TOKEN_CHARS, MAX_CONTENT_CHARS, SendEventOutput, SendEventRequest,
};
pub use ops::get_attachment::{ContentDisposition, GetAttachmentOutput, GetAttachmentRequest};
pub use ops::get_authentication_url::{GetAuthenticationUrlOutput, GetAuthenticationUrlRequest};
pub use ops::message::{
    MAX_CONTENT_TYPE_CHARS, MAX_MESSAGE_BYTES, MessageContentType, MessageProcessingMetadata,
    MessageProcessingStatus, SendMessageOutput, SendMessageRequest,
};
pub use ops::start_attachment_upload::{StartAttachmentUploadOutput, StartAttachmentUploadRequest};
pub use ops::streaming::{MAX_STREAMING_PAYLOAD, MessageVisibility, StreamingMessage};
pub use ops::transcript::{
    ArtifactStatus, AttachmentItem, CHAT_ENDED_CONTENT_TYPE, GetTranscriptOutput,
    GetTranscriptRequest, Item, ItemType, MAX_TRANSCRIPT_ANSWER, MAX_TRANSCRIPT_RESULTS,
    MessageMetadata, ParticipantRole, Receipt, ScanDirection, SortOrder, StartPosition,
    TranscriptItems, TranscriptPages,
};
pub use ops::view::{DescribeViewOutput, DescribeViewRequest, View, ViewContent};
pub use participant::{Participant, ParticipantBuilder};
pub use time::Timestamp;
pub use token::{ConnectionToken, JoinToken, ParticipantToken, WebSocketUrl};

// ---------------------------------------------------------------------------------------
// INTERNAL, NOT PART OF THE API: no stability promise, hidden from the docs. Each module
// below exists for one of this repository's own targets and is built only with the feature
// that target turns on (`_bench` for the benchmarks, `cli` for the binary).
// ---------------------------------------------------------------------------------------

/// Internals for this crate's benchmarks only (feature `_bench`): not part of the API, no
/// stability promise.
#[cfg(feature = "_bench")]
#[doc(hidden)]
pub mod __bench {
    use crate::operation::Operation;
    use crate::{
        GetTranscriptOutput, GetTranscriptRequest, Result, SendEventOutput, SendEventRequest,
    };

    /// The per-call work that needs no socket: checking the input, serializing the body,
    /// and parsing a `200` answer with `body`.
    pub fn pure_path(
        request: &SendEventRequest,
        client_token: &str,
        body: &[u8],
    ) -> Result<(usize, SendEventOutput)> {
        request.validate()?;
        let sent = Operation::body(request, client_token);
        let out = crate::wire::parse_response(200, |_| None, body, SendEventRequest::parse)?;
        Ok((sent.len(), out))
    }

    /// Parsing a `200` GetTranscript answer with `body`.
    pub fn parse_transcript(body: &[u8]) -> Result<GetTranscriptOutput> {
        crate::wire::parse_response(200, |_| None, body, GetTranscriptRequest::parse)
    }
}

/// The library's rules for showing values and hiding secrets (`redact`), for this crate's
/// binary only (`connect-participant`, the `cli` feature): not part of the API, no
/// stability promise. The binary shows arguments and scrubs its output by these rules, so
/// that it and the library's own messages cannot drift apart.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod __cli {
    pub use crate::edits::distance;
    pub use crate::env::VARIABLES as AWS_VARIABLES;
    pub use crate::net::PROXY_VARS as PROXY_VARIABLES;
    pub use crate::redact::{MAX_SHOWN_CHARS, REDACTED, SECRET_RUN, SecretRuns, printable, quoted};

    /// [`ClientBuilder::from_env`](crate::ClientBuilder::from_env) over `get` instead of the
    /// process environment, so that the binary's tests need not change theirs.
    pub fn client_builder_from_env(
        get: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> crate::Result<crate::ClientBuilder> {
        crate::ClientBuilder::from_lookup(get)
    }
}

// README's Rust blocks are compiled and run as doctests, so they cannot drift from the code.
// Most use the emulator: without it (the published crate's plain `cargo test`), they are off.
#[cfg(all(doctest, feature = "emulator"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
