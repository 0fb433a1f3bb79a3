//! A small, blocking client for the Amazon Connect Participant Service's **SendEvent** call:
//! "the participant is typing", "message X was delivered", "message X was read".
//!
//! No async runtime, no AWS credentials (the service authenticates by the participant's
//! connection token alone), four runtime dependencies (`ureq` with rustls, `serde`,
//! `serde_json`, `getrandom`). Every input is checked against the service's documented
//! limits before a byte is sent. The request on the wire is the official SDKs' (method,
//! path, `Content-Type`, `X-Amz-Bearer`, `amz-sdk-invocation-id`, `amz-sdk-request`, and
//! the JSON body byte for byte), less what only a signed AWS request needs: no SigV4
//! headers (`Authorization`, `X-Amz-Date`, `X-Amz-Security-Token`) and no
//! `x-amz-user-agent`, since the service authenticates by the bearer token alone.
//!
//! # Usage
//!
//! Build a [`Client`] once and reuse it (it keeps connections alive and is cheap to clone
//! and share between threads); each call takes the participant's [`ConnectionToken`] and a
//! [`SendEventRequest`]:
//!
//! ```no_run
//! use connect_participant::{Client, ConnectionToken, SendEventRequest};
//!
//! let client = Client::builder().region("us-west-2").build()?;
//! // ConnectionCredentials.ConnectionToken from CreateParticipantConnection.
//! let token = ConnectionToken::new(std::env::var("CONNECT_CONNECTION_TOKEN").unwrap())?;
//!
//! client.send_event(&token, &SendEventRequest::typing())?;
//! client.send_event(&token, &SendEventRequest::delivered("message-id"))?;
//! let out = client.send_event(&token, &SendEventRequest::read("message-id"))?;
//! println!("event {:?} at {:?}", out.id, out.absolute_time);
//! # Ok::<(), connect_participant::Error>(())
//! ```
//!
//! For a single call, [`send_event`] makes a client for that call alone. To run without
//! AWS, the `emulator` feature bundles a local emulator of the service; this example runs
//! against it:
//!
//! ```
//! # #[cfg(feature = "emulator")] {
//! use connect_participant::SendEventRequest;
//! use connect_participant::emulator::Emulator;
//!
//! let emulator = Emulator::start()?;
//! let client = emulator.client_builder().build()?;
//! // A new chat's connection token, as CreateParticipantConnection would issue it.
//! let token = emulator.connection_token();
//! let out = client.send_event(&token, &SendEventRequest::read("message-1"))?;
//! assert_eq!(out.id.as_deref(), Some(emulator.events()[0].id.as_str()));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Chat helpers
//!
//! A bot or bridge should not send a typing event per keystroke, nor a receipt per
//! message per screen refresh. [`TypingThrottle`] sends typing at most once per 10 s
//! (leading edge); [`Receipts`] sends a read receipt instead of delivered-then-read, never
//! the same receipt twice, at most one call per message per 5 s, and turns itself off when
//! the service says receipts are not available in this chat (ConflictException). Both are
//! blocking and thread-free, driven by your calls.
//!
//! # Errors
//!
//! Every fallible call returns [`Error`]; match on [`Error::kind`]:
//!
//! - [`ErrorKind::InvalidInput`] / [`ErrorKind::InvalidConfig`]: refused before sending,
//!   naming the input, its size and the limit.
//! - [`ErrorKind::Validation`], [`AccessDenied`](ErrorKind::AccessDenied),
//!   [`Conflict`](ErrorKind::Conflict), [`Throttling`](ErrorKind::Throttling),
//!   [`InternalServer`](ErrorKind::InternalServer): the service's five documented errors;
//!   [`UnknownService`](ErrorKind::UnknownService) for any other error type it names.
//!   [`Error::status`], [`Error::service_error_type`], [`Error::service_message`] and
//!   [`Error::request_id`] keep what the service said.
//! - [`ErrorKind::UnexpectedStatus`] and [`ErrorKind::Redirect`]: a status without an AWS
//!   error (a proxy's HTML page, an empty 502), or a redirect, which is never followed.
//! - [`ErrorKind::Transport`], [`ErrorKind::Timeout`], [`ErrorKind::InvalidResponse`]: the
//!   network failed, a timeout elapsed, or the answer could not be read (a success whose
//!   body is not the documented JSON, any body over the cap, a head over 64 KiB, bytes that
//!   are not HTTP/1.1).
//!
//! Throttling, HTTP 500/502/503/504, timeouts and dropped connections are retried (3
//! attempts, jittered back-off, the same client token on each, so the event lands at most
//! once); [`Error::attempts`] tells how many requests a failed call sent.
//!
//! ```
//! use connect_participant::{ErrorKind, SendEventRequest};
//!
//! let err = SendEventRequest::typing().with_content("").validate().unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidInput);
//! assert_eq!(err.to_string(), "invalid Content: 0 characters, must be 1 to 16384");
//! ```
//!
//! A ConflictException on a receipt means receipts are not available in this chat (more
//! than two participants, or a supervisor barged in); it is not worth retrying.
//!
//! # Security
//!
//! - The connection token is a secret. [`ConnectionToken`] has no `Display`, its `Debug`
//!   prints `ConnectionToken([redacted])`, and no error message contains it, not even when
//!   a server echoes it: the token, or any 16 characters of it in a row, is replaced by
//!   `[redacted]` in what the server said before an [`Error`] keeps it.
//! - A value you gave is shown in an error message or a `Debug` output only when it has at
//!   most 64 characters (a token pasted as a region or endpoint URL is measured, not
//!   shown), and never with the user info (`user:password@`) of a URL.
//! - A token with a character that could break an HTTP header (CR, LF, any control
//!   character, space, non-ASCII) is refused by [`ConnectionToken::new`], never sent.
//! - Redirects are never followed, so the token cannot travel to another host; a 3xx is
//!   returned as [`ErrorKind::Redirect`].
//! - Endpoints made from a region are always HTTPS (rustls, Mozilla's roots via
//!   `webpki-roots`). Plain `http://` is only used when you give such a URL yourself.
//! - ureq logs through the `log` crate. At TRACE level it prints the raw request,
//!   **connection token included**. Do not enable TRACE for `ureq` in production.
//!
//! # Defaults and limits
//!
//! | setting | default |
//! |---|---|
//! | connect timeout | 3.1 s ([`ClientBuilder::connect_timeout`]), 1 ms to 1 hour |
//! | timeout per attempt | 10 s ([`ClientBuilder::timeout`]), 1 ms to 1 hour |
//! | attempts per call | 3, AWS standard retry mode ([`ClientBuilder::max_attempts`]) |
//! | retry quota | 500 tokens, shared by a client's clones ([`Client::retry_quota`]) |
//! | redirects | never followed |
//! | response body read | at most [`MAX_RESPONSE_BODY`] (1 MiB) |
//! | response head read | at most 64 KiB, 128 headers |
//! | `User-Agent` | `connect-participant/<version>` plus an optional suffix |
//! | proxy | from `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`; none for loopback endpoints |
//!
//! | input | limit (characters) |
//! |---|---|
//! | connection token | 1 to 1000, visible ASCII |
//! | content type | one of [`ContentType`] |
//! | content | 1 to [`MAX_CONTENT_CHARS`] (16384) |
//! | client token | 0 to [`MAX_CLIENT_TOKEN_CHARS`] (500); a UUID v4 is generated if none |
//! | receipt message id | at least 1 |
//!
//! # Features
//!
//! - `emulator`: the [`emulator`] module, a local Participant Service emulator (std only)
//!   for your own tests.
//! - `cli`: the `connect-event` command-line utility (std only), which sends one event.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod client;
#[cfg(feature = "emulator")]
pub mod emulator;
mod endpoint;
mod error;
#[cfg(test)]
mod generated_inputs;
mod operation;
mod ops;
mod participant;
mod receipts;
mod resolve;
mod retry;
mod time;
mod token;
mod transport;
mod typing;
mod wire;

pub use client::{Client, ClientBuilder, send_event};
pub use endpoint::{Endpoint, EndpointVariant};
pub use error::{Error, ErrorKind, Result};
pub use operation::MAX_RESPONSE_BODY;
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
pub use ops::message::{
    MAX_CONTENT_TYPE_CHARS, MAX_MESSAGE_BYTES, MessageContentType, MessageProcessingMetadata,
    MessageProcessingStatus, SendMessageOutput, SendMessageRequest,
};
pub use ops::transcript::{
    ArtifactStatus, AttachmentItem, CHAT_ENDED_CONTENT_TYPE, GetTranscriptOutput,
    GetTranscriptRequest, Item, ItemType, MAX_TRANSCRIPT_ANSWER, MAX_TRANSCRIPT_RESULTS,
    MessageMetadata, ParticipantRole, Receipt, ScanDirection, SortOrder, StartPosition,
    TranscriptItems, TranscriptPages,
};
pub use participant::{Participant, ParticipantBuilder};
pub use receipts::Receipts;
pub use time::Timestamp;
pub use token::{ConnectionToken, JoinToken, ParticipantToken, WebSocketUrl};
pub use typing::TypingThrottle;

/// Internals exposed for this crate's benchmarks only: not part of the API, no stability
/// promise.
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

/// The library's rules for showing values and hiding secrets, for this crate's binary
/// only (`connect-participant`, the `cli` feature): not part of the API, no stability
/// promise. The binary shows arguments and scrubs its output by these rules, so that it
/// and the library's own messages cannot drift apart.
#[doc(hidden)]
pub mod __cli {
    use std::fmt;

    /// The longest value a message shows; a longer one is measured, not shown.
    pub const MAX_SHOWN_CHARS: usize = crate::error::MAX_SHOWN_CHARS;

    /// The shortest part of a secret that is looked for and hidden.
    pub const SECRET_RUN: usize = crate::error::SECRET_RUN;

    /// What stands in for a hidden secret.
    pub const REDACTED: &str = crate::error::REDACTED;

    /// A value as a message may show it: quoted and escaped when it has at most
    /// [`MAX_SHOWN_CHARS`] characters, else `(N characters, not shown)`.
    pub fn quoted(s: &str) -> String {
        crate::error::quoted(s)
    }

    /// `s` with control characters replaced by U+FFFD and cut after `max_chars` characters
    /// (ending in `…`): what a server sent, made safe for a terminal.
    pub fn printable(s: &str, max_chars: usize) -> String {
        let mut out = String::with_capacity(s.len().min(max_chars.saturating_mul(4)));
        crate::error::push_printable(&mut out, s, max_chars);
        out
    }

    /// The runs of [`SECRET_RUN`] bytes of a visible-ASCII secret (all of a shorter one),
    /// found and replaced as the library replaces them in what a server says.
    pub struct SecretRuns<'a>(crate::error::SecretRuns<'a>);

    impl<'a> SecretRuns<'a> {
        /// The runs of `secret`. An empty secret has none and is never found.
        pub fn new(secret: &'a str) -> SecretRuns<'a> {
            SecretRuns(crate::error::SecretRuns::new(secret))
        }

        /// Does `text` hold a run of the secret?
        pub fn found_in(&self, text: &str) -> bool {
            self.0.found_in(text)
        }

        /// `text` with every stretch made of runs of the secret replaced by [`REDACTED`].
        pub fn scrub(&self, text: &str) -> String {
            self.0.scrub(text)
        }
    }

    impl fmt::Debug for SecretRuns<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("SecretRuns([redacted])")
        }
    }
}

// README's Rust blocks are compiled and run as doctests, so they cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
