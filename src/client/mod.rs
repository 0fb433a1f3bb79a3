//! [`Client`]: one method per operation of the service, each a pure description (`ops/`)
//! run through the one attempt loop (`run`); its builder (`builder`); the attachments'
//! presigned transfers (`transfer`), through the same loop and network room.

mod builder;
mod call_log;
mod extra_headers;
mod run;
mod transfer;

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use ureq::http::{HeaderValue, Uri};

pub use builder::ClientBuilder;
pub(crate) use run::ClientTokenSlot;
pub(crate) use transfer::open_upload;
pub use transfer::{UploadAttachmentOutput, UploadAttachmentRequest};

use crate::endpoint::Endpoint;
use crate::error::Result;
use crate::ids::RandomFn;
use crate::net::Net;
use crate::ops::cancel_participant_authentication::{
    CancelParticipantAuthenticationOutput, CancelParticipantAuthenticationRequest,
};
use crate::ops::complete_attachment_upload::{
    CompleteAttachmentUploadOutput, CompleteAttachmentUploadRequest,
};
use crate::ops::connection::{
    CreateParticipantConnectionOutput, CreateParticipantConnectionRequest,
};
use crate::ops::disconnect::{DisconnectParticipantOutput, DisconnectParticipantRequest};
use crate::ops::event::{SendEventOutput, SendEventRequest};
use crate::ops::get_attachment::{GetAttachmentOutput, GetAttachmentRequest};
use crate::ops::get_authentication_url::{GetAuthenticationUrlOutput, GetAuthenticationUrlRequest};
use crate::ops::message::{SendMessageOutput, SendMessageRequest};
use crate::ops::start_attachment_upload::{
    StartAttachmentUploadOutput, StartAttachmentUploadRequest,
};
use crate::ops::transcript::{GetTranscriptOutput, GetTranscriptRequest, TranscriptPages};
use crate::ops::view::{DescribeViewOutput, DescribeViewRequest};
use crate::redact::Shown;
use crate::retry::RetryQuota;
use crate::token::{ConnectionToken, ParticipantToken};
use crate::wire;

/// How the client waits between attempts: `std::thread::sleep`, or a stand-in in tests.
pub(crate) type SleepFn = dyn Fn(Duration) + Send + Sync;

/// Where a [`Participant`](crate::Participant) reads the time: the system clock, or a
/// stand-in (the emulator's clock, a test's).
pub(crate) type ClockFn = dyn Fn() -> std::time::SystemTime + Send + Sync;

/// A reusable client of the Participant Service: one method per operation.
///
/// It holds one HTTP agent, so calls reuse keep-alive connections. Cloning is cheap (the
/// agent is shared through an `Arc`), and a `Client` is `Send + Sync`: share it between
/// threads freely. It holds no token; each call takes one, so one client can serve many
/// chat participants. A [`Participant`](crate::Participant) holds the tokens of one
/// participant, and renews the connection token, on top of a `Client`.
///
/// ```no_run
/// use connect_participant::{Client, ConnectionToken, SendEventRequest};
///
/// let client = Client::builder().region("us-west-2").build()?;
/// let token = ConnectionToken::new(std::env::var("CONNECT_CONNECTION_TOKEN").unwrap())?;
/// let out = client.send_event(&token, &SendEventRequest::typing())?;
/// println!("event {:?} at {:?}", out.id, out.absolute_time);
/// # Ok::<(), connect_participant::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    net: Net,
    endpoint: Endpoint,
    /// Each operation's URI, made at its first call from the endpoint and the operation's
    /// path (a handful, so a list).
    uris: RwLock<Vec<(&'static str, Uri)>>,
    /// `amz-sdk-request` for attempts 1, 2, ... (up to a few; later ones are made on demand).
    sdk_request: Vec<HeaderValue>,
    user_agent: String,
    /// The `user-agent` and `host` of every call, made once (see [`wire::Framing`]).
    framing: Option<wire::Framing>,
    timeouts: Timeouts,
    max_attempts: u32,
    random: Arc<RandomFn>,
    sleep: Arc<SleepFn>,
    quota: RetryQuota,
    /// The caller's static headers, sent on every call to the service.
    headers: extra_headers::ExtraHeaders,
    /// The clock a [`Participant`](crate::Participant) built on this client reads unless
    /// told otherwise: the emulator's for a client of `Emulator::client_builder`.
    pub(crate) clock: Option<Arc<ClockFn>>,
}

/// The client's two timeouts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    /// For a connection: TCP, a proxy's tunnel, TLS.
    pub(crate) connect: Duration,
    /// For one attempt, from connecting to the last byte of the answer.
    pub(crate) attempt: Duration,
}

impl Inner {
    fn new(
        net: Net,
        endpoint: Endpoint,
        user_agent: String,
        timeouts: Timeouts,
        max_attempts: u32,
        random: Arc<RandomFn>,
        sleep: Arc<SleepFn>,
    ) -> Inner {
        let sdk_request = (1..=max_attempts.min(8))
            .filter_map(|a| HeaderValue::from_str(&wire::sdk_request_header(a, max_attempts)).ok())
            .collect();
        let framing = endpoint
            .operation_uri("/")
            .ok()
            .and_then(|base| wire::Framing::new(&base, &user_agent));
        Inner {
            net,
            endpoint,
            uris: RwLock::new(Vec::new()),
            sdk_request,
            framing,
            user_agent,
            timeouts,
            max_attempts,
            random,
            sleep,
            quota: RetryQuota::new(),
            headers: Default::default(),
            clock: None,
        }
    }
}

impl Client {
    /// A builder with every default set.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The endpoint this client sends to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The clock a [`Participant`](crate::Participant) on this client reads by default:
    /// the one its builder was given, else the system clock.
    pub(crate) fn default_clock(&self) -> Arc<ClockFn> {
        match &self.inner.clock {
            Some(clock) => Arc::clone(clock),
            None => Arc::new(std::time::SystemTime::now),
        }
    }

    /// Tokens left in the retry quota this client and its clones share (500 when full).
    ///
    /// A retry costs 14 tokens (5 after throttling); a call that succeeds gives back what
    /// it spent, or 1 if it needed no retry. With too few tokens left, failures are returned
    /// at once instead of retried, so a struggling service is not hammered.
    pub fn retry_quota(&self) -> u32 {
        self.inner.quota.available()
    }

    /// Sends one event: typing, or a delivered or read receipt (SendEvent).
    ///
    /// The request and token are checked against every documented limit first; an invalid
    /// input returns [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) and nothing is sent. A client token is
    /// generated when the request has none. Failures worth another try are retried (see
    /// [`ClientBuilder::max_attempts`]) with the same client token and invocation id;
    /// [`Error::attempts`](crate::Error::attempts) tells how many were made.
    pub fn send_event(
        &self,
        token: &ConnectionToken,
        request: &SendEventRequest,
    ) -> Result<SendEventOutput> {
        self.call(token, request)
    }

    /// Sends one chat message (SendMessage), checked and retried as
    /// [`send_event`](Self::send_event) is.
    ///
    /// ```
    /// # #[cfg(feature = "emulator")] {
    /// use connect_participant::SendMessageRequest;
    /// use connect_participant::emulator::Emulator;
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().build()?;
    /// let token = emulator.connection_token();
    /// let out = client.send_message(&token, &SendMessageRequest::text("Hello!"))?;
    /// assert!(out.id.is_some());
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_message(
        &self,
        token: &ConnectionToken,
        request: &SendMessageRequest,
    ) -> Result<SendMessageOutput> {
        self.call(token, request)
    }

    /// Connects a participant (CreateParticipantConnection): the participant token buys a
    /// connection token for every other operation and a WebSocket URL.
    ///
    /// This is the only operation that takes the [`ParticipantToken`]. A 403 here means
    /// the participant token is unknown or the chat has ended (see
    /// [`ErrorKind::AccessDenied`](crate::ErrorKind::AccessDenied)). To have the connection token renewed before it
    /// expires, use a [`Participant`](crate::Participant) instead.
    pub fn create_participant_connection(
        &self,
        token: &ParticipantToken,
        request: &CreateParticipantConnectionRequest,
    ) -> Result<CreateParticipantConnectionOutput> {
        self.call(token, request)
    }

    /// Leaves the chat (DisconnectParticipant). The chat goes on for the others; this
    /// participant's connection token stops working.
    pub fn disconnect_participant(
        &self,
        token: &ConnectionToken,
        request: &DisconnectParticipantRequest,
    ) -> Result<DisconnectParticipantOutput> {
        self.call(token, request)
    }

    /// Reads one page of the transcript (GetTranscript). To read every page, use
    /// [`transcript_pages`](Self::transcript_pages).
    pub fn get_transcript(
        &self,
        token: &ConnectionToken,
        request: &GetTranscriptRequest,
    ) -> Result<GetTranscriptOutput> {
        self.call(token, request)
    }

    /// Every page of the transcript from `first` on, one GetTranscript call per page as the
    /// iterator is driven (see [`TranscriptPages`]); `.items()` gives the items one by one.
    ///
    /// ```
    /// # #[cfg(feature = "emulator")] {
    /// use connect_participant::{GetTranscriptRequest, SendMessageRequest};
    /// use connect_participant::emulator::Emulator;
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().build()?;
    /// let token = emulator.connection_token();
    /// for text in ["one", "two", "three"] {
    ///     client.send_message(&token, &SendMessageRequest::text(text))?;
    /// }
    /// // Without a start position the service reads backwards from the newest item, so the
    /// // pages go from the newest to the oldest.
    /// let texts: Vec<String> = client
    ///     .transcript_pages(&token, GetTranscriptRequest::new().with_max_results(1))
    ///     .items()
    ///     .filter_map(|item| item.map(|i| i.content).transpose())
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(texts, ["three", "two", "one"]);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn transcript_pages(
        &self,
        token: &ConnectionToken,
        first: GetTranscriptRequest,
    ) -> TranscriptPages<'static> {
        let client = self.clone();
        let token = token.clone();
        TranscriptPages::new(first, move |r| client.get_transcript(&token, r))
    }

    /// Starts an attachment's upload (StartAttachmentUpload): the presigned URL and the
    /// headers to PUT the bytes with. [`upload_attachment`](Self::upload_attachment) makes
    /// all three steps; this is the first, for callers who upload differently.
    pub fn start_attachment_upload(
        &self,
        token: &ConnectionToken,
        request: &StartAttachmentUploadRequest,
    ) -> Result<StartAttachmentUploadOutput> {
        self.call(token, request)
    }

    /// Completes an attachment's upload (CompleteAttachmentUpload), once its bytes are PUT:
    /// the attachment is then shared in the chat.
    pub fn complete_attachment_upload(
        &self,
        token: &ConnectionToken,
        request: &CompleteAttachmentUploadRequest,
    ) -> Result<CompleteAttachmentUploadOutput> {
        self.call(token, request)
    }

    /// A download URL for an attachment (GetAttachment). Fetch it with
    /// [`download_attachment`](Self::download_attachment).
    pub fn get_attachment(
        &self,
        token: &ConnectionToken,
        request: &GetAttachmentRequest,
    ) -> Result<GetAttachmentOutput> {
        self.call(token, request)
    }

    /// The view a ShowView block sent (DescribeView, a GET).
    pub fn describe_view(
        &self,
        token: &ConnectionToken,
        request: &DescribeViewRequest,
    ) -> Result<DescribeViewOutput> {
        self.call(token, request)
    }

    /// The URL to send the customer to for signing in (GetAuthenticationUrl), within a
    /// minute of the `authentication.initiated` event.
    pub fn get_authentication_url(
        &self,
        token: &ConnectionToken,
        request: &GetAuthenticationUrlRequest,
    ) -> Result<GetAuthenticationUrlOutput> {
        self.call(token, request)
    }

    /// Cancels a sign-in session (CancelParticipantAuthentication).
    pub fn cancel_participant_authentication(
        &self,
        token: &ConnectionToken,
        request: &CancelParticipantAuthenticationRequest,
    ) -> Result<CancelParticipantAuthenticationOutput> {
        self.call(token, request)
    }
}

impl Client {
    fn new(inner: Inner) -> Client {
        Client {
            inner: Arc::new(inner),
        }
    }

    /// The client's network room: its agent, and the chat stream's connections.
    pub(crate) fn net(&self) -> &Net {
        &self.inner.net
    }

    /// The client's timeouts.
    pub(crate) fn timeouts(&self) -> Timeouts {
        self.inner.timeouts
    }

    /// A number in `[0, 1)` from the client's random source (0.5 if it fails): jitter.
    #[cfg(feature = "websocket")]
    pub(crate) fn random_unit(&self) -> f64 {
        let mut b = [0u8; 4];
        if (self.inner.random)(&mut b).is_err() {
            return 0.5;
        }
        f64::from(u32::from_le_bytes(b)) / (f64::from(u32::MAX) + 1.0)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &*self.inner;
        let mut d = f.debug_struct("Client");
        d.field("endpoint", &i.endpoint)
            .field("user_agent", &Shown(&i.user_agent))
            .field("connect_timeout", &i.timeouts.connect)
            .field("timeout", &i.timeouts.attempt)
            .field("max_attempts", &i.max_attempts)
            .field("retry_quota", &i.quota.available());
        if !i.headers.is_empty() {
            // Names only: a value may be a gateway's credential.
            d.field("headers", &i.headers);
        }
        d.finish_non_exhaustive()
    }
}

/// Sends one event with a client made for this call alone.
///
/// For a one-off call, from a small tool, say. A program that sends more than one event
/// should build a [`Client`] once and reuse it: it keeps connections open.
///
/// ```no_run
/// use connect_participant::{ConnectionToken, Endpoint, SendEventRequest, send_event};
///
/// let token = ConnectionToken::new(std::env::var("CONNECT_CONNECTION_TOKEN").unwrap())?;
/// let endpoint = Endpoint::from_region("us-east-1")?;
/// send_event(&endpoint, &token, &SendEventRequest::read("message-id-1"))?;
/// # Ok::<(), connect_participant::Error>(())
/// ```
pub fn send_event(
    endpoint: &Endpoint,
    token: &ConnectionToken,
    request: &SendEventRequest,
) -> Result<SendEventOutput> {
    let client = ClientBuilder::default()
        .endpoint(endpoint.clone())
        .build()?;
    client.send_event(token, request)
}
