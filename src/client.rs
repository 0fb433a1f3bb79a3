//! `Client` and its builder: the only code that touches the network.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use ureq::http::{self, HeaderValue};
use ureq::unversioned::transport::{Connector, DefaultConnector};

use crate::endpoint::{Endpoint, EndpointVariant, redact_userinfo};
use crate::error::{Error, ErrorKind, Result, Shown};
use crate::operation::{Operation, OperationId};
use crate::ops::connection::{
    CreateParticipantConnectionOutput, CreateParticipantConnectionRequest,
};
use crate::ops::disconnect::{DisconnectParticipantOutput, DisconnectParticipantRequest};
use crate::ops::event::{SendEventOutput, SendEventRequest};
use crate::ops::message::{SendMessageOutput, SendMessageRequest};
use crate::ops::transcript::{GetTranscriptOutput, GetTranscriptRequest, TranscriptPages};
use crate::resolve::EndpointResolver;
use crate::retry::{self, CallRetries, Next, RetryQuota};
use crate::token::{ConnectionToken, ParticipantToken, RandomFn, os_random, two_uuids};
use crate::transport::Coalescing;
use crate::wire;

/// How the client waits between attempts: `std::thread::sleep`, or a stand-in in tests.
type SleepFn = dyn Fn(Duration) + Send + Sync;

/// The largest response head (status line and headers) read: ureq's own default limit.
const MAX_RESPONSE_HEAD: usize = 64 * 1024;

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest user agent suffix accepted; AWS SDKs keep their app ids far shorter.
const MAX_USER_AGENT_SUFFIX: usize = 256;

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

struct Inner {
    agent: ureq::Agent,
    endpoint: Endpoint,
    /// Each operation's URI, parsed once, indexed by [`OperationId`].
    uris: Vec<http::Uri>,
    /// `amz-sdk-request` for attempts 1, 2, ... (up to a few; later ones are made on demand).
    sdk_request: Vec<HeaderValue>,
    user_agent: String,
    connect_timeout: Duration,
    timeout: Duration,
    max_attempts: u32,
    random: Arc<RandomFn>,
    sleep: Arc<SleepFn>,
    quota: RetryQuota,
}

/// Builds a [`Client`]. Every setting has a documented default; a region or an endpoint
/// URL is required.
///
/// ```
/// use std::time::Duration;
/// use connect_participant::Client;
///
/// let client = Client::builder()
///     .region("eu-central-1")
///     .fips(true)
///     .timeout(Duration::from_secs(5))
///     .user_agent_suffix("my-bot/1.2")
///     .build()
///     .unwrap();
/// assert_eq!(
///     client.endpoint().url(),
///     "https://participant.connect-fips.eu-central-1.amazonaws.com"
/// );
///
/// let err = Client::builder().endpoint_url("http://127.0.0.1:1").fips(true).build().unwrap_err();
/// assert_eq!(err.to_string(), "a custom endpoint URL cannot be combined with FIPS or dual-stack");
/// ```
#[must_use]
pub struct ClientBuilder {
    region: Option<String>,
    fips: bool,
    dual_stack: bool,
    endpoint_url: Option<String>,
    endpoint: Option<Endpoint>,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent_suffix: Option<String>,
    max_attempts: u32,
    random: Arc<RandomFn>,
    sleep: Arc<SleepFn>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            region: None,
            fips: false,
            dual_stack: false,
            endpoint_url: None,
            endpoint: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            user_agent_suffix: None,
            max_attempts: retry::DEFAULT_MAX_ATTEMPTS,
            random: Arc::new(os_random),
            sleep: Arc::new(std::thread::sleep),
        }
    }
}

impl ClientBuilder {
    /// The shortest [`timeout`](Self::timeout) and [`connect_timeout`](Self::connect_timeout).
    /// Zero would fail every attempt before a byte is sent, and still spend retries.
    pub const MIN_TIMEOUT: Duration = Duration::from_millis(1);

    /// The longest [`timeout`](Self::timeout) and [`connect_timeout`](Self::connect_timeout):
    /// an hour keeps every deadline far from the clock's overflow (a `Duration::MAX`
    /// deadline cannot be represented), and an answer later than that is no answer.
    pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

    /// The AWS region, such as `us-west-2`. Required unless an endpoint URL is given.
    /// Defaults to none: the region is never taken from the environment (`AWS_REGION` is
    /// not read; only the proxy variables are, see [`build`](Self::build)).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Use the region's FIPS endpoint. Defaults to `false`.
    pub fn fips(mut self, fips: bool) -> Self {
        self.fips = fips;
        self
    }

    /// Use the region's dual-stack (IPv4 and IPv6) endpoint. Defaults to `false`.
    pub fn dual_stack(mut self, dual_stack: bool) -> Self {
        self.dual_stack = dual_stack;
        self
    }

    /// Send to this URL instead of the region's endpoint (a local emulator, a VPC endpoint,
    /// a test server). It is the only way to use plain `http://`. Cannot be combined with
    /// [`fips`](Self::fips) or [`dual_stack`](Self::dual_stack). Defaults to none.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Send to this endpoint, already resolved or checked; it wins over
    /// [`region`](Self::region) and [`endpoint_url`](Self::endpoint_url), and
    /// [`fips`](Self::fips) and [`dual_stack`](Self::dual_stack) do not apply to it.
    /// Defaults to none.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// How long to wait for a TCP (and TLS) connection. Defaults to 3.1 s, as the AWS SDKs.
    ///
    /// Must be from [`MIN_TIMEOUT`](Self::MIN_TIMEOUT) (1 ms) to
    /// [`MAX_TIMEOUT`](Self::MAX_TIMEOUT) (1 hour); [`build`](Self::build) refuses anything
    /// else with [`ErrorKind::InvalidConfig`] rather than clamping it, so that zero or
    /// `Duration::MAX` ("no timeout") cannot silently mean something else.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The most time one attempt may take, from connecting to the last byte of the answer,
    /// kept to within 50 ms (socket timeouts are set in 50 ms steps, so that they need not
    /// be reset at every read). A call of several attempts can take up to `max_attempts`
    /// times this, plus the waits between them. Defaults to 10 s.
    ///
    /// Must be from [`MIN_TIMEOUT`](Self::MIN_TIMEOUT) (1 ms) to
    /// [`MAX_TIMEOUT`](Self::MAX_TIMEOUT) (1 hour); [`build`](Self::build) refuses anything
    /// else with [`ErrorKind::InvalidConfig`]. There is no "no timeout": an attempt that may
    /// wait forever is a call that may never return.
    ///
    /// ```
    /// use std::time::Duration;
    /// use connect_participant::{Client, ErrorKind};
    ///
    /// let err = Client::builder().region("us-east-1").timeout(Duration::MAX).build().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid timeout: 18446744073709551615.999999999 s, must be 0.001 to 3600 s"
    /// );
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Text appended to the `User-Agent` header after a space, to name your application
    /// (such as `my-bot/1.2`). Visible ASCII and spaces, at most 256 characters. Defaults to
    /// none: the header is `connect-participant/<version>`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// The most attempts one call makes, the first included; `1` turns retries off.
    /// Defaults to 3, as the AWS SDKs' standard retry mode.
    ///
    /// Retried: throttling (any 429 and the standard throttling codes), HTTP 500, 502, 503
    /// and 504, `RequestTimeout`, timeouts, and dropped, reset or refused connections.
    /// Never retried: other 4xx (400, 403, 409, ...), redirects, unreadable answers, and
    /// input refused before sending. Every attempt carries the same client token, so the
    /// service records the event at most once.
    pub fn max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// Replaces the operating system's random source, used for client tokens, invocation
    /// ids and retry jitter, with `fill`. Meant for deterministic tests. Defaults to the OS
    /// source (`getrandom`).
    pub fn random_source(
        mut self,
        fill: impl Fn(&mut [u8]) -> io::Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.random = Arc::new(fill);
        self
    }

    /// Replaces `std::thread::sleep`, used to wait between attempts, with `sleep`. Meant for
    /// tests that check the waits without spending them. Defaults to `std::thread::sleep`.
    pub fn sleep_fn(mut self, sleep: impl Fn(Duration) + Send + Sync + 'static) -> Self {
        self.sleep = Arc::new(sleep);
        self
    }

    /// Checks the settings and builds the client. Nothing is sent.
    ///
    /// The client reaches endpoints other than loopback ones through the proxy that
    /// `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` name, read here, once; no
    /// other environment variable is read.
    pub fn build(self) -> Result<Client> {
        check_timeout("connect timeout", self.connect_timeout)?;
        check_timeout("timeout", self.timeout)?;
        if self.max_attempts == 0 {
            return Err(Error::invalid_config(
                "max_attempts must be at least 1 (1 turns retries off)",
            ));
        }
        let endpoint = match (self.endpoint, self.endpoint_url, self.region) {
            (Some(endpoint), _, _) => endpoint,
            (None, Some(url), _) => {
                if self.fips || self.dual_stack {
                    return Err(Error::invalid_config(
                        "a custom endpoint URL cannot be combined with FIPS or dual-stack",
                    ));
                }
                Endpoint::from_url(&url)?
            }
            (None, None, Some(region)) => {
                Endpoint::resolve(&region, EndpointVariant::new(self.fips, self.dual_stack))?
            }
            (None, None, None) => {
                return Err(Error::invalid_config(
                    "no region and no endpoint URL: set one on the client builder",
                ));
            }
        };
        let mut user_agent = wire::USER_AGENT.to_owned();
        if let Some(suffix) = &self.user_agent_suffix {
            let n = suffix.chars().count();
            if n == 0 || n > MAX_USER_AGENT_SUFFIX {
                return Err(Error::invalid_config(format!(
                    "invalid user agent suffix: {n} characters, must be 1 to \
                     {MAX_USER_AGENT_SUFFIX}"
                )));
            }
            if !suffix.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
                return Err(Error::invalid_config(
                    "invalid user agent suffix: only visible ASCII and spaces are allowed",
                ));
            }
            user_agent.push(' ');
            user_agent.push_str(suffix);
        }
        let https = endpoint.is_https();
        let config = ureq::Agent::config_builder()
            // AWS errors come as 4xx/5xx with a body that must be read.
            .http_status_as_error(false)
            // A redirect would carry the bearer token to wherever it points.
            .max_redirects(0)
            // Only a custom http:// endpoint the caller chose may go without TLS.
            .https_only(https)
            .user_agent(user_agent.as_str())
            // The SDKs send no Accept header; neither do we.
            .accept("")
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.timeout))
            // A response head must fit the input buffer whole. The buffer is a little larger
            // than the head limit so that ureq can tell a head over the limit (an
            // InvalidResponse) from a connection that stops making progress (a Transport
            // error, retried). An event's request is far below 16 KiB; ureq's default
            // buffers, 128 KiB each, would be allocated for every connection.
            .max_response_header_size(MAX_RESPONSE_HEAD)
            .input_buffer_size(MAX_RESPONSE_HEAD + 1024)
            .output_buffer_size(16 * 1024)
            // Room for many threads sharing one client without reconnecting.
            .max_idle_connections(32)
            .max_idle_connections_per_host(32)
            // A local emulator or test server must not be reached through an HTTP proxy
            // that the environment names for the outside world.
            .proxy(if endpoint.is_loopback() {
                None
            } else {
                ureq::Proxy::try_from_env()
            })
            .build();
        let uris = OperationId::ALL
            .iter()
            .map(|op| {
                endpoint.operation_uri(op.path()).map_err(|e| {
                    Error::with_source(
                        ErrorKind::InvalidConfig,
                        format!(
                            "invalid endpoint URL {}",
                            crate::error::quoted(&redact_userinfo(endpoint.url()))
                        ),
                        e,
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let sdk_request = (1..=self.max_attempts.min(8))
            .filter_map(|a| {
                HeaderValue::from_str(&wire::sdk_request_header(a, self.max_attempts)).ok()
            })
            .collect();
        let agent = ureq::Agent::with_parts(
            config,
            DefaultConnector::default().chain(Coalescing),
            EndpointResolver::default(),
        );
        Ok(Client {
            inner: Arc::new(Inner {
                agent,
                endpoint,
                uris,
                sdk_request,
                user_agent,
                connect_timeout: self.connect_timeout,
                timeout: self.timeout,
                max_attempts: self.max_attempts,
                random: self.random,
                sleep: self.sleep,
                quota: RetryQuota::new(),
            }),
        })
    }
}

/// Refuses a timeout outside [`ClientBuilder::MIN_TIMEOUT`]..=[`ClientBuilder::MAX_TIMEOUT`].
fn check_timeout(name: &str, timeout: Duration) -> Result<()> {
    if (ClientBuilder::MIN_TIMEOUT..=ClientBuilder::MAX_TIMEOUT).contains(&timeout) {
        return Ok(());
    }
    Err(Error::invalid_config(format!(
        "invalid {name}: {} s, must be {} to {} s",
        seconds(timeout),
        seconds(ClientBuilder::MIN_TIMEOUT),
        seconds(ClientBuilder::MAX_TIMEOUT),
    )))
}

/// `d` in seconds, exactly, without trailing zeros: `0.001`, `3600`, `2.5`.
fn seconds(d: Duration) -> String {
    let mut s = format!("{}.{:09}", d.as_secs(), d.subsec_nanos());
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    s
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What the caller set is shown as error messages show it: user info redacted, long
        // values (a token pasted in the wrong place) only measured.
        let endpoint_url = self.endpoint_url.as_deref().map(redact_userinfo);
        f.debug_struct("ClientBuilder")
            .field("region", &self.region.as_deref().map(Shown))
            .field("fips", &self.fips)
            .field("dual_stack", &self.dual_stack)
            .field("endpoint_url", &endpoint_url.as_deref().map(Shown))
            .field("endpoint", &self.endpoint)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field(
                "user_agent_suffix",
                &self.user_agent_suffix.as_deref().map(Shown),
            )
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

impl Inner {
    fn sdk_request(&self, attempt: u32) -> HeaderValue {
        let made = attempt
            .checked_sub(1)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.sdk_request.get(i));
        match made {
            Some(v) => v.clone(),
            None => HeaderValue::from_str(&wire::sdk_request_header(attempt, self.max_attempts))
                .unwrap_or_else(|_| HeaderValue::from_static("")),
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
    /// input returns [`ErrorKind::InvalidInput`] and nothing is sent. A client token is
    /// generated when the request has none. Failures worth another try are retried (see
    /// [`ClientBuilder::max_attempts`]) with the same client token and invocation id;
    /// [`Error::attempts`] tells how many were made.
    pub fn send_event(
        &self,
        token: &ConnectionToken,
        request: &SendEventRequest,
    ) -> Result<SendEventOutput> {
        self.call(token.header_value(), token.expose_secret(), request)
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
        self.call(token.header_value(), token.expose_secret(), request)
    }

    /// Connects a participant (CreateParticipantConnection): the participant token buys a
    /// connection token for every other operation and a WebSocket URL.
    ///
    /// This is the only operation that takes the [`ParticipantToken`]. A 403 here means
    /// the participant token is unknown or the chat has ended (see
    /// [`ErrorKind::AccessDenied`]). To have the connection token renewed before it
    /// expires, use a [`Participant`](crate::Participant) instead.
    pub fn create_participant_connection(
        &self,
        token: &ParticipantToken,
        request: &CreateParticipantConnectionRequest,
    ) -> Result<CreateParticipantConnectionOutput> {
        self.call(token.header_value(), token.expose_secret(), request)
    }

    /// Leaves the chat (DisconnectParticipant). The chat goes on for the others; this
    /// participant's connection token stops working.
    pub fn disconnect_participant(
        &self,
        token: &ConnectionToken,
        request: &DisconnectParticipantRequest,
    ) -> Result<DisconnectParticipantOutput> {
        self.call(token.header_value(), token.expose_secret(), request)
    }

    /// Reads one page of the transcript (GetTranscript). To read every page, use
    /// [`transcript_pages`](Self::transcript_pages).
    pub fn get_transcript(
        &self,
        token: &ConnectionToken,
        request: &GetTranscriptRequest,
    ) -> Result<GetTranscriptOutput> {
        self.call(token.header_value(), token.expose_secret(), request)
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

    /// Runs one operation: checks it, then sends it through the attempt loop that every
    /// operation shares (retries, quota, timeouts, redaction, errors).
    pub(crate) fn call<O: Operation>(
        &self,
        bearer: &HeaderValue,
        secret: &str,
        op: &O,
    ) -> Result<O::Output> {
        op.validate()?;
        let inner = &*self.inner;
        let (invocation_id, generated_token) = two_uuids(&*inner.random)?;
        let invocation_id = HeaderValue::from_bytes(invocation_id.as_bytes()).map_err(|e| {
            Error::with_source(
                ErrorKind::RandomSource,
                "the random source gave an unusable invocation id",
                e,
            )
        })?;
        let body = op.body(generated_token.as_str());
        let uri = &inner.uris[O::ID as usize];
        let mut retries = CallRetries::new(inner.max_attempts);
        loop {
            let attempt = retries.attempt();
            let request = wire::request(
                uri.clone(),
                bearer.clone(),
                invocation_id.clone(),
                inner.sdk_request(attempt),
                &body,
            );
            let (error, retry_after) = match self.attempt::<O>(request, secret) {
                Ok(out) => {
                    retries.after_success(&inner.quota);
                    return Ok(out);
                }
                Err(failure) => failure,
            };
            let class = error.retry_class();
            match retries.after_failure(class, &inner.quota) {
                Next::Stop { quota_exhausted } => {
                    let hint = op.hint(error.kind());
                    return Err(error.with_hint(hint).set_attempts(attempt, quota_exhausted));
                }
                Next::Retry { .. } => {
                    let mut bytes = [0u8; 8];
                    // Without randomness, wait the whole ceiling: slower, never more
                    // aggressive.
                    let unit = match (inner.random)(&mut bytes) {
                        Ok(()) => retry::unit_interval(bytes),
                        Err(_) => 1.0,
                    };
                    (inner.sleep)(retry::backoff(class, attempt, unit, retry_after));
                }
            }
        }
    }

    /// One attempt; a failure comes with the server's `x-amz-retry-after`, if any.
    fn attempt<O: Operation>(
        &self,
        request: http::Request<&[u8]>,
        secret: &str,
    ) -> std::result::Result<O::Output, (Error, Option<u64>)> {
        let inner = &*self.inner;
        let response = inner.agent.run(request);
        let mut response =
            response.map_err(|e| (self.transport_error(e, None, O::MAX_ANSWER), None))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("x-amz-retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_retry_after);
        let body = read_body(response.body_mut(), O::MAX_ANSWER).map_err(|e| {
            (
                self.transport_error(e, Some(status), O::MAX_ANSWER),
                retry_after,
            )
        })?;
        let headers = response.headers();
        let lookup = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        wire::parse_response(status, lookup, &body, O::parse)
            .map_err(|e| (e.redacting(secret), retry_after))
    }

    fn transport_error(&self, e: ureq::Error, status: Option<u16>, limit: u64) -> Error {
        let url = self.inner.endpoint.url();
        let (kind, message) = match &e {
            ureq::Error::Timeout(_) => (
                ErrorKind::Timeout,
                format!("the request to {url} timed out"),
            ),
            ureq::Error::Io(io)
                if matches!(
                    io.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                (
                    ErrorKind::Timeout,
                    format!("the request to {url} timed out"),
                )
            }
            ureq::Error::BodyExceedsLimit(_) => (
                ErrorKind::InvalidResponse,
                format!("the answer from {url} is larger than {limit} bytes"),
            ),
            ureq::Error::LargeResponseHeader(..) => (
                ErrorKind::InvalidResponse,
                format!(
                    "the answer from {url} has a head (status line and headers) larger than \
                     {MAX_RESPONSE_HEAD} bytes"
                ),
            ),
            // Bytes that are not HTTP/1.1: a bad status line or header, more headers than
            // the parser takes, broken chunk framing, conflicting lengths.
            ureq::Error::Protocol(_) => (
                ErrorKind::InvalidResponse,
                format!("the answer from {url} is not valid HTTP/1.1"),
            ),
            _ => (ErrorKind::Transport, format!("the request to {url} failed")),
        };
        let error = Error::transport(kind, message, e);
        match status {
            Some(s) if kind == ErrorKind::InvalidResponse => error.set_status(s),
            _ => error,
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &*self.inner;
        f.debug_struct("Client")
            .field("endpoint", &i.endpoint)
            .field("user_agent", &Shown(&i.user_agent))
            .field("connect_timeout", &i.connect_timeout)
            .field("timeout", &i.timeout)
            .field("max_attempts", &i.max_attempts)
            .field("retry_quota", &i.quota.available())
            .finish_non_exhaustive()
    }
}

/// Reads the answer's body, at most `limit` bytes.
fn read_body(body: &mut ureq::Body, limit: u64) -> std::result::Result<Vec<u8>, ureq::Error> {
    use std::io::Read;
    // Sized from Content-Length (most answers are a few dozen bytes), so that reading needs
    // one allocation and no probing reads; capped, so a lying header cannot make it large.
    let hint = body.content_length().unwrap_or(0).min(64 * 1024) as usize;
    let mut out = Vec::with_capacity(hint + 1);
    // One byte over the limit, checked here: older ureq 3 releases refuse a body of exactly
    // the limit, newer ones take it.
    body.with_config()
        .limit(limit.saturating_add(1))
        .reader()
        .read_to_end(&mut out)
        .map_err(|e| match e.downcast::<ureq::Error>() {
            Ok(e) => e,
            Err(e) => ureq::Error::Io(e),
        })?;
    if out.len() as u64 > limit {
        return Err(ureq::Error::BodyExceedsLimit(limit));
    }
    Ok(out)
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
    let client = ClientBuilder {
        endpoint: Some(endpoint.clone()),
        ..ClientBuilder::default()
    }
    .build()?;
    client.send_event(token, request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_clone_send_sync() {
        fn assert_traits<T: Clone + Send + Sync + 'static>() {}
        assert_traits::<Client>();
    }

    #[test]
    fn region_or_endpoint_is_required() {
        let e = Client::builder().build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert_eq!(
            e.to_string(),
            "no region and no endpoint URL: set one on the client builder"
        );
    }

    #[test]
    fn custom_endpoint_with_fips_or_dual_stack_is_refused() {
        for (fips, dual) in [(true, false), (false, true), (true, true)] {
            let e = Client::builder()
                .endpoint_url("https://example.com")
                .fips(fips)
                .dual_stack(dual)
                .build()
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        }
    }

    #[test]
    fn every_accepted_endpoint_url_builds_a_client() {
        for url in [
            "HTTP://127.0.0.1:9",
            "https://[::1]:9/prefix/",
            "http://localhost",
            "https://vpce-1.participant.connect.us-east-1.vpce.amazonaws.com",
        ] {
            let c = Client::builder().endpoint_url(url).build();
            assert!(c.is_ok(), "{url}: {c:?}");
        }
    }

    #[test]
    fn endpoint_url_wins_over_region() {
        let c = Client::builder()
            .region("us-east-1")
            .endpoint_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        assert_eq!(c.endpoint().url(), "http://127.0.0.1:9");
    }

    #[test]
    fn user_agent_suffix_is_checked() {
        let c = Client::builder()
            .region("us-east-1")
            .user_agent_suffix("bot/1 (x)")
            .build()
            .unwrap();
        assert_eq!(
            c.inner.user_agent,
            format!("{} bot/1 (x)", wire::USER_AGENT)
        );
        for bad in ["", "a\r\nb", "é", &"a".repeat(257)] {
            let e = Client::builder()
                .region("us-east-1")
                .user_agent_suffix(bad)
                .build()
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{bad:?}");
        }
    }

    #[test]
    fn debug_shows_settings() {
        let c = Client::builder().region("us-east-1").build().unwrap();
        assert_eq!(
            format!("{c:?}"),
            format!(
                "Client {{ endpoint: Endpoint(\"https://participant.connect.us-east-1.amazonaws.com\"), \
                 user_agent: \"{}\", connect_timeout: 3.1s, timeout: 10s, max_attempts: 3, \
                 retry_quota: 500, .. }}",
                wire::USER_AGENT
            )
        );
    }
}
