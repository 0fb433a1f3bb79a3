//! `Client` and its builder: the only code that touches the network.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use ureq::http::{self, HeaderValue};
use ureq::unversioned::transport::{Connector, DefaultConnector};

use crate::endpoint::{Endpoint, EndpointVariant, redact_userinfo};
use crate::env;
use crate::error::{Error, ErrorKind, Result, Shown};
use crate::operation::{Operation, OperationId};
use crate::ops::attachment::{
    CompleteAttachmentUploadOutput, CompleteAttachmentUploadRequest, GetAttachmentOutput,
    GetAttachmentRequest, StartAttachmentUploadOutput, StartAttachmentUploadRequest,
};
use crate::ops::auth::{
    CancelParticipantAuthenticationOutput, CancelParticipantAuthenticationRequest,
    GetAuthenticationUrlOutput, GetAuthenticationUrlRequest,
};
use crate::ops::connection::{
    CreateParticipantConnectionOutput, CreateParticipantConnectionRequest,
};
use crate::ops::disconnect::{DisconnectParticipantOutput, DisconnectParticipantRequest};
use crate::ops::event::{SendEventOutput, SendEventRequest};
use crate::ops::message::{SendMessageOutput, SendMessageRequest};
use crate::ops::transcript::{GetTranscriptOutput, GetTranscriptRequest, TranscriptPages};
use crate::ops::view::{DescribeViewOutput, DescribeViewRequest};
use crate::resolve::EndpointResolver;
use crate::retry::{self, CallRetries, Next, RetryQuota};
use crate::tls::{self, Roots};
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
    /// What a chat stream's own connections need: the same roots, verifier and proxy.
    #[cfg(feature = "websocket")]
    roots: Roots,
    #[cfg(feature = "websocket")]
    platform_verifier: bool,
    #[cfg(feature = "websocket")]
    proxy: Option<ureq::Proxy>,
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
    /// The variable the endpoint URL came from, when [`from_env`](Self::from_env) set it
    /// and no builder call has replaced it since.
    env_endpoint_url: Option<&'static str>,
    /// Whether `fips` and `dual_stack` (when true) came from the environment.
    env_fips: bool,
    env_dual_stack: bool,
    /// Whether the roots are AWS_CA_BUNDLE's alone.
    env_roots: bool,
    roots: Roots,
    platform_verifier: bool,
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
            env_endpoint_url: None,
            env_fips: false,
            env_dual_stack: false,
            env_roots: false,
            roots: Roots::default(),
            platform_verifier: false,
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

    /// A builder set from the AWS SDKs' environment variables; the builder calls made
    /// after it win. Opt-in: [`Client::builder`] reads none of them.
    ///
    /// | Variable | Sets | Value |
    /// |---|---|---|
    /// | `AWS_REGION`, else `AWS_DEFAULT_REGION` | [`region`](Self::region) | a region, such as `us-west-2` |
    /// | `AWS_ENDPOINT_URL_CONNECTPARTICIPANT`, else `AWS_ENDPOINT_URL` | [`endpoint_url`](Self::endpoint_url) | a URL the builder accepts |
    /// | `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` | `true`: the two above are not read | `true` or `false` |
    /// | `AWS_USE_FIPS_ENDPOINT` | [`fips`](Self::fips) | `true` or `false` |
    /// | `AWS_USE_DUALSTACK_ENDPOINT` | [`dual_stack`](Self::dual_stack) | `true` or `false` |
    /// | `AWS_MAX_ATTEMPTS` | [`max_attempts`](Self::max_attempts) | 1 to 20 |
    /// | `AWS_SDK_UA_APP_ID` | [`user_agent_suffix`](Self::user_agent_suffix): `app/<id>` | 1 to 50 HTTP token characters |
    /// | `AWS_CA_BUNDLE` | [`root_certificates_pem`](Self::root_certificates_pem): the file's CA certificates, trusted instead of Mozilla's | a PEM file's path |
    ///
    /// `true` and `false` are read without regard to case. A variable set to the empty
    /// string counts as unset, as the AWS SDKs take most of them; a variable set to
    /// anything else that is not a valid value is an [`ErrorKind::InvalidConfig`] error
    /// that names it (a URL's user info is never shown), never silently ignored. Both
    /// variables of a pair are checked even when the first wins. Nothing is defaulted
    /// when nothing is set: with neither a region nor an endpoint URL, [`build`](Self::build)
    /// fails as it does without `from_env`. An endpoint URL from the environment needs no
    /// region; combined with FIPS or dual-stack from the environment, `build` refuses it.
    ///
    /// A setting from the environment gives way to any later builder call: the same
    /// setting's, and for where to send, [`region`](Self::region), `fips(true)` and
    /// `dual_stack(true)` drop an endpoint URL from the environment, while
    /// [`endpoint_url`](Self::endpoint_url) drops FIPS and dual-stack from it. Between
    /// settings made by builder calls, an endpoint URL still wins over a region.
    /// Roots added by `add_root_certificates_pem` are trusted beside `AWS_CA_BUNDLE`'s;
    /// `platform_verifier(true)` drops them. `AWS_CA_BUNDLE`'s file is read and its
    /// certificates checked here, at once; the proxy variables are read by `build`,
    /// with or without `from_env`. The shared config file (`~/.aws/config`) is not read.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use connect_participant::ClientBuilder;
    ///
    /// let client = ClientBuilder::from_env()?.timeout(Duration::from_secs(5)).build()?;
    /// # Ok::<(), connect_participant::Error>(())
    /// ```
    pub fn from_env() -> Result<ClientBuilder> {
        ClientBuilder::from_lookup(|name| std::env::var_os(name))
    }

    /// [`from_env`](Self::from_env) over `get` instead of the process environment.
    pub(crate) fn from_lookup(get: impl Fn(&str) -> Option<OsString>) -> Result<ClientBuilder> {
        let env = env::read(get)?;
        let mut b = ClientBuilder {
            region: env.region,
            user_agent_suffix: env.user_agent_suffix,
            ..ClientBuilder::default()
        };
        if let Some(ca) = env.ca_bundle {
            // Instead of Mozilla's roots, as the AWS SDKs take it.
            b = b.root_certificates_pem(ca.pem);
            b.env_roots = true;
        }
        if let Some((url, name)) = env.endpoint_url {
            b.endpoint_url = Some(url);
            b.env_endpoint_url = Some(name);
        }
        if let Some(fips) = env.fips {
            b.fips = fips;
            b.env_fips = fips;
        }
        if let Some(dual_stack) = env.dual_stack {
            b.dual_stack = dual_stack;
            b.env_dual_stack = dual_stack;
        }
        if let Some(n) = env.max_attempts {
            b.max_attempts = n;
        }
        Ok(b)
    }

    /// The AWS region, such as `us-west-2`. Required unless an endpoint URL is given.
    /// Defaults to none: the region is never taken from the environment unless you start
    /// from [`from_env`](Self::from_env) (which reads `AWS_REGION`).
    ///
    /// An endpoint URL set with [`endpoint_url`](Self::endpoint_url) wins over the
    /// region; one that came from the environment gives way to this call.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self.drop_env_endpoint_url();
        self
    }

    /// Use the region's FIPS endpoint. Defaults to `false`.
    ///
    /// `fips(true)` drops an endpoint URL that came from the environment.
    pub fn fips(mut self, fips: bool) -> Self {
        self.fips = fips;
        self.env_fips = false;
        if fips {
            self.drop_env_endpoint_url();
        }
        self
    }

    /// Use the region's dual-stack (IPv4 and IPv6) endpoint. Defaults to `false`.
    ///
    /// `dual_stack(true)` drops an endpoint URL that came from the environment.
    pub fn dual_stack(mut self, dual_stack: bool) -> Self {
        self.dual_stack = dual_stack;
        self.env_dual_stack = false;
        if dual_stack {
            self.drop_env_endpoint_url();
        }
        self
    }

    /// Send to this URL instead of the region's endpoint (a local emulator, a VPC endpoint,
    /// a test server). It is the only way to use plain `http://`. Cannot be combined with
    /// [`fips`](Self::fips) or [`dual_stack`](Self::dual_stack) set on the builder (FIPS or
    /// dual-stack from the environment gives way to this call). Defaults to none.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self.env_endpoint_url = None;
        if self.env_fips {
            self.fips = false;
            self.env_fips = false;
        }
        if self.env_dual_stack {
            self.dual_stack = false;
            self.env_dual_stack = false;
        }
        self
    }

    /// Forgets an endpoint URL that [`from_env`](Self::from_env) set: a later builder
    /// call about where to send wins over the environment.
    fn drop_env_endpoint_url(&mut self) {
        if self.env_endpoint_url.take().is_some() {
            self.endpoint_url = None;
        }
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
    /// Never retried: other 4xx (400, 403, 409, ...), redirects, unreadable answers, a
    /// refused server certificate ([`ErrorKind::Certificate`]), and input refused before
    /// sending. Every attempt carries the same client token, so the
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

    /// Trusts the root certificates in `pem` in addition to those trusted so far: Mozilla's
    /// (`webpki-roots`) by default, or those of
    /// [`root_certificates_pem`](Self::root_certificates_pem). For a private CA, or the CA
    /// of a proxy that inspects TLS. May be called more than once; each call adds.
    ///
    /// `pem` holds one or more `-----BEGIN CERTIFICATE-----` sections (other sections, such
    /// as keys, are skipped). It is read by [`build`](Self::build), which refuses PEM with no
    /// certificate, or with one it cannot read, as [`ErrorKind::InvalidConfig`].
    ///
    /// ```
    /// use connect_participant::{Client, ErrorKind};
    ///
    /// let err = Client::builder()
    ///     .region("us-east-1")
    ///     .add_root_certificates_pem("not a certificate")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid root certificate PEM \"not a certificate\" given to \
    ///      add_root_certificates_pem: no certificate found (no \"-----BEGIN CERTIFICATE-----\" \
    ///      section)"
    /// );
    /// ```
    pub fn add_root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.roots.add(pem.as_ref());
        self.env_roots = false;
        self
    }

    /// Trusts the root certificates in `pem` instead of Mozilla's, and instead of any added
    /// before this call; later [`add_root_certificates_pem`](Self::add_root_certificates_pem)
    /// calls add to them. This is what the AWS SDKs do with `AWS_CA_BUNDLE`. Read and
    /// checked by [`build`](Self::build) as `add_root_certificates_pem`'s PEM is. Defaults
    /// to Mozilla's roots.
    pub fn root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.roots.replace(pem.as_ref());
        self
    }

    /// Verifies servers' certificates with the operating system's verifier and roots (the
    /// system store, where a company installs its own CA) instead of Mozilla's roots.
    /// Defaults to `false`. Cannot be combined with root certificates from PEM:
    /// [`build`](Self::build) refuses that with [`ErrorKind::InvalidConfig`].
    ///
    /// Only with the crate feature `platform-verifier`.
    #[cfg(feature = "platform-verifier")]
    pub fn platform_verifier(mut self, on: bool) -> Self {
        self.platform_verifier = on;
        if on && self.env_roots {
            // A later builder call wins over AWS_CA_BUNDLE.
            self.roots = Roots::default();
            self.env_roots = false;
        }
        self
    }

    /// Checks the settings and builds the client. Nothing is sent.
    ///
    /// The client reaches endpoints other than loopback ones through the HTTP or HTTPS
    /// proxy that `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` name (the first
    /// of these set to a proxy URL wins, lower-case names too), read here, once; no other
    /// environment variable is read here. A SOCKS proxy (`socks5://...`) there is refused
    /// with [`ErrorKind::InvalidConfig`], naming the variable: this client cannot use one,
    /// and would otherwise connect directly, past the proxy.
    pub fn build(mut self) -> Result<Client> {
        check_timeout("connect timeout", self.connect_timeout)?;
        check_timeout("timeout", self.timeout)?;
        if self.max_attempts == 0 {
            return Err(Error::invalid_config(
                "max_attempts must be at least 1 (1 turns retries off)",
            ));
        }
        let endpoint = match (
            self.endpoint.take(),
            self.endpoint_url.take(),
            self.region.take(),
        ) {
            (Some(endpoint), _, _) => endpoint,
            (None, Some(url), _) => {
                if self.fips || self.dual_stack {
                    return Err(self.variant_conflict());
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
        // A local emulator or test server must not be reached through an HTTP proxy that
        // the environment names for the outside world.
        let proxy = if endpoint.is_loopback() {
            None
        } else {
            ureq::Proxy::try_from_env()
        };
        if let Some(p) = &proxy {
            refuse_socks(p, &uris[0], || env::socks_proxy(|n| std::env::var_os(n)))?;
        }
        let https = endpoint.is_https();
        let tls_config = ureq::tls::TlsConfig::builder()
            .root_certs(self.roots.root_certs(self.platform_verifier)?)
            .build();
        let config = ureq::Agent::config_builder()
            .tls_config(tls_config)
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
            .proxy(proxy.clone())
            .build();
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
                #[cfg(feature = "websocket")]
                roots: self.roots,
                #[cfg(feature = "websocket")]
                platform_verifier: self.platform_verifier,
                #[cfg(feature = "websocket")]
                proxy,
            }),
        })
    }
}

impl ClientBuilder {
    /// The error for an endpoint URL with FIPS or dual-stack, naming the variables that
    /// set them, if any did.
    fn variant_conflict(&self) -> Error {
        let mut from_env: Vec<&str> = self.env_endpoint_url.into_iter().collect();
        if self.env_fips {
            from_env.push(env::AWS_USE_FIPS_ENDPOINT);
        }
        if self.env_dual_stack {
            from_env.push(env::AWS_USE_DUALSTACK_ENDPOINT);
        }
        let mut message =
            "a custom endpoint URL cannot be combined with FIPS or dual-stack".to_owned();
        if !from_env.is_empty() {
            message.push_str(&format!(" (set by {})", from_env.join(", ")));
        }
        Error::invalid_config(message)
    }
}

/// Refuses a SOCKS `proxy` that would carry requests to `uri`: ureq is built without SOCKS
/// support, and would connect directly instead. `var` tells which variable names it.
fn refuse_socks(
    proxy: &ureq::Proxy,
    uri: &http::Uri,
    var: impl FnOnce() -> Option<(&'static str, String)>,
) -> Result<()> {
    if matches!(
        proxy.protocol(),
        ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https
    ) || proxy.is_no_proxy(uri)
    {
        return Ok(());
    }
    let (name, shown) = match var() {
        Some((name, value)) => (name, crate::error::quoted(&value)),
        None => ("ALL_PROXY", format!("({})", proxy.protocol())),
    };
    Err(Error::invalid_config(format!(
        "unsupported {name}: {shown}: this client cannot use a SOCKS proxy; name an HTTP or \
         HTTPS proxy, or the endpoint's host in NO_PROXY to connect directly"
    )))
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

    /// What a chat stream connects with: the client's roots and verifier, its proxy, its
    /// timeouts.
    #[cfg(feature = "websocket")]
    pub(crate) fn stream_settings(&self) -> crate::stream::socket::NetSettings {
        let inner = &*self.inner;
        crate::stream::socket::NetSettings {
            roots: inner.roots.clone(),
            platform_verifier: inner.platform_verifier,
            proxy: inner.proxy.clone(),
            connect_timeout: inner.connect_timeout,
            timeout: inner.timeout,
            https: inner.endpoint.is_https(),
        }
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

    /// Starts an attachment's upload (StartAttachmentUpload): the presigned URL and the
    /// headers to PUT the bytes with. [`upload_attachment`](Self::upload_attachment) makes
    /// all three steps; this is the first, for callers who upload differently.
    pub fn start_attachment_upload(
        &self,
        token: &ConnectionToken,
        request: &StartAttachmentUploadRequest,
    ) -> Result<StartAttachmentUploadOutput> {
        self.call(token.header_value(), token.expose_secret(), request)
    }

    /// Completes an attachment's upload (CompleteAttachmentUpload), once its bytes are PUT:
    /// the attachment is then shared in the chat.
    pub fn complete_attachment_upload(
        &self,
        token: &ConnectionToken,
        request: &CompleteAttachmentUploadRequest,
    ) -> Result<CompleteAttachmentUploadOutput> {
        self.call(token.header_value(), token.expose_secret(), request)
    }

    /// A download URL for an attachment (GetAttachment). Fetch it with
    /// [`download_attachment`](Self::download_attachment).
    pub fn get_attachment(
        &self,
        token: &ConnectionToken,
        request: &GetAttachmentRequest,
    ) -> Result<GetAttachmentOutput> {
        self.call(token.header_value(), token.expose_secret(), request)
    }

    /// The view a ShowView block sent (DescribeView, a GET).
    pub fn describe_view(
        &self,
        token: &ConnectionToken,
        request: &DescribeViewRequest,
    ) -> Result<DescribeViewOutput> {
        self.call(token.header_value(), token.expose_secret(), request)
    }

    /// The URL to send the customer to for signing in (GetAuthenticationUrl), within a
    /// minute of the `authentication.initiated` event.
    pub fn get_authentication_url(
        &self,
        token: &ConnectionToken,
        request: &GetAuthenticationUrlRequest,
    ) -> Result<GetAuthenticationUrlOutput> {
        self.call(token.header_value(), token.expose_secret(), request)
    }

    /// Cancels a sign-in session (CancelParticipantAuthentication).
    pub fn cancel_participant_authentication(
        &self,
        token: &ConnectionToken,
        request: &CancelParticipantAuthenticationRequest,
    ) -> Result<CancelParticipantAuthenticationOutput> {
        self.call(token.header_value(), token.expose_secret(), request)
    }

    /// The HTTP agent, for the attachment transfers (no redirects, the client's TLS and
    /// proxy; no bearer token is ever added to a request it makes).
    pub(crate) fn agent(&self) -> &ureq::Agent {
        &self.inner.agent
    }

    /// The whole-attempt timeout, and the attempts per call.
    pub(crate) fn transfer_settings(&self) -> (Duration, u32) {
        (self.inner.timeout, self.inner.max_attempts)
    }

    /// Waits before retrying after failed `attempt` (1, 2, ...) of class `class`: the
    /// jittered back-off every retry of this client takes.
    pub(crate) fn pause_before_retry(
        &self,
        class: retry::RetryClass,
        attempt: u32,
        retry_after: Option<u64>,
    ) {
        let inner = &*self.inner;
        let mut bytes = [0u8; 8];
        // Without randomness, wait the whole ceiling: slower, never more aggressive.
        let unit = match (inner.random)(&mut bytes) {
            Ok(()) => retry::unit_interval(bytes),
            Err(_) => 1.0,
        };
        (inner.sleep)(retry::backoff(class, attempt, unit, retry_after));
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
        let labelled;
        let uri = match op.path() {
            Some(path) => {
                labelled = inner.endpoint.operation_uri(&path).map_err(|e| {
                    Error::with_source(
                        ErrorKind::InvalidInput,
                        "the request path cannot be made into a URI",
                        e,
                    )
                })?;
                &labelled
            }
            None => &inner.uris[O::ID as usize],
        };
        let mut retries = CallRetries::new(inner.max_attempts);
        loop {
            let attempt = retries.attempt();
            let request = wire::request(
                O::ID.is_get(),
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
                Next::Retry { .. } => self.pause_before_retry(class, attempt, retry_after),
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
        let response = if O::ID.is_get() {
            // No body at all: an empty one would still send `content-length: 0`, which the
            // SDKs' GET does not.
            let (parts, _) = request.into_parts();
            inner.agent.run(http::Request::from_parts(parts, ()))
        } else {
            inner.agent.run(request)
        };
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
        transport_error(e, status, limit, self.inner.endpoint.url())
    }
}

/// A ureq failure as an [`Error`], naming where the request went as `url` says it (a
/// presigned URL is a secret: its callers name it without the URL).
pub(crate) fn transport_error(e: ureq::Error, status: Option<u16>, limit: u64, url: &str) -> Error {
    if let Some(refused) = tls::certificate_error(&e) {
        let message = tls::refused_message(url, refused);
        return Error::transport(ErrorKind::Certificate, message, e);
    }
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
        ureq::Error::RequireHttpsOnly(_) => (
            ErrorKind::Transport,
            format!(
                "{url} is not https, and a client whose endpoint is https sends nothing in the \
                 clear"
            ),
        ),
        _ => (ErrorKind::Transport, format!("the request to {url} failed")),
    };
    let error = Error::transport(kind, message, e);
    match status {
        Some(s) if kind == ErrorKind::InvalidResponse => error.set_status(s),
        _ => error,
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

    /// A lookup over `vars` alone.
    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    fn from(vars: &[(&str, &str)]) -> ClientBuilder {
        ClientBuilder::from_lookup(lookup(vars)).unwrap()
    }

    const LOCAL: &str = "http://127.0.0.1:9";

    #[test]
    fn from_env_with_nothing_set_is_the_default_builder() {
        let e = from(&[]).build().unwrap_err();
        assert_eq!(
            e.to_string(),
            "no region and no endpoint URL: set one on the client builder"
        );
        assert_eq!(
            format!("{:?}", from(&[])),
            format!("{:?}", Client::builder())
        );
    }

    #[test]
    fn from_env_sets_the_builder() {
        let c = from(&[
            ("AWS_REGION", "eu-central-1"),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
            ("AWS_MAX_ATTEMPTS", "5"),
            ("AWS_SDK_UA_APP_ID", "bot-1"),
        ])
        .build()
        .unwrap();
        assert_eq!(
            c.endpoint().url(),
            "https://participant.connect-fips.eu-central-1.api.aws"
        );
        assert_eq!(c.inner.max_attempts, 5);
        assert_eq!(
            c.inner.user_agent,
            format!("{} app/bot-1", wire::USER_AGENT)
        );
        // An endpoint URL from the environment needs no region.
        let c = from(&[("AWS_ENDPOINT_URL", LOCAL)]).build().unwrap();
        assert_eq!(c.endpoint().url(), LOCAL);
        // And wins over a region from it, as on the builder.
        let c = from(&[("AWS_ENDPOINT_URL", LOCAL), ("AWS_REGION", "us-east-1")])
            .build()
            .unwrap();
        assert_eq!(c.endpoint().url(), LOCAL);
    }

    #[test]
    fn builder_calls_after_from_env_win() {
        let env = [("AWS_ENDPOINT_URL", LOCAL), ("AWS_REGION", "us-east-1")];
        // A region set on the builder drops the environment's endpoint URL.
        let c = from(&env).region("eu-west-1").build().unwrap();
        assert_eq!(
            c.endpoint().url(),
            "https://participant.connect.eu-west-1.amazonaws.com"
        );
        // So does fips(true), keeping the environment's region.
        let c = from(&env).fips(true).build().unwrap();
        assert_eq!(
            c.endpoint().url(),
            "https://participant.connect-fips.us-east-1.amazonaws.com"
        );
        let c = from(&env).dual_stack(true).build().unwrap();
        assert_eq!(
            c.endpoint().url(),
            "https://participant.connect.us-east-1.api.aws"
        );
        // fips(false) does not conflict with the URL.
        let c = from(&env).fips(false).build().unwrap();
        assert_eq!(c.endpoint().url(), LOCAL);
        // An endpoint URL on the builder wins over the environment's, and its FIPS.
        let c = from(&[
            ("AWS_USE_FIPS_ENDPOINT", "true"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
        ])
        .endpoint_url("http://127.0.0.1:8")
        .build()
        .unwrap();
        assert_eq!(c.endpoint().url(), "http://127.0.0.1:8");
        // Between builder calls, an endpoint URL still wins over a region.
        let c = from(&[])
            .endpoint_url(LOCAL)
            .region("eu-west-1")
            .build()
            .unwrap();
        assert_eq!(c.endpoint().url(), LOCAL);
        // The other settings are simply replaced.
        let c = from(&[("AWS_MAX_ATTEMPTS", "5"), ("AWS_SDK_UA_APP_ID", "a")])
            .region("us-east-1")
            .max_attempts(2)
            .user_agent_suffix("b/1")
            .build()
            .unwrap();
        assert_eq!(c.inner.max_attempts, 2);
        assert_eq!(c.inner.user_agent, format!("{} b/1", wire::USER_AGENT));
    }

    #[test]
    fn endpoint_url_and_fips_from_the_environment_are_refused_by_name() {
        let e = from(&[
            ("AWS_ENDPOINT_URL", LOCAL),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
        ])
        .build()
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert_eq!(
            e.to_string(),
            "a custom endpoint URL cannot be combined with FIPS or dual-stack (set by \
             AWS_ENDPOINT_URL, AWS_USE_FIPS_ENDPOINT)"
        );
        let e = from(&[("AWS_USE_DUALSTACK_ENDPOINT", "true")])
            .endpoint_url(LOCAL)
            .dual_stack(true)
            .build()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "a custom endpoint URL cannot be combined with FIPS or dual-stack"
        );
    }

    #[test]
    fn a_ca_bundle_replaces_the_roots() {
        let dir = std::env::temp_dir().join(format!("cp-client-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ca.pem");
        std::fs::write(&file, crate::env::TEST_CA).unwrap();
        let path = file.to_str().unwrap().to_owned();
        let b = from(&[("AWS_CA_BUNDLE", &path), ("AWS_REGION", "us-east-1")]);
        std::fs::remove_dir_all(&dir).unwrap();
        // The file's one certificate, and not Mozilla's roots beside it.
        match b.roots.root_certs(false).unwrap() {
            ureq::tls::RootCerts::Specific(certs) => assert_eq!(certs.len(), 1),
            _ => panic!("AWS_CA_BUNDLE must replace the roots"),
        }
        assert!(b.build().is_ok());
    }

    #[test]
    fn socks_proxies_are_refused_naming_the_variable() {
        let uri: http::Uri =
            "https://participant.connect.us-east-1.amazonaws.com/participant/event"
                .parse()
                .unwrap();
        let socks = ureq::Proxy::new("socks5://u:hunter2@p:1080").unwrap();
        let e = refuse_socks(&socks, &uri, || {
            Some(("ALL_PROXY", "socks5://[redacted]@p:1080".to_owned()))
        })
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert_eq!(
            e.to_string(),
            "unsupported ALL_PROXY: \"socks5://[redacted]@p:1080\": this client cannot use a \
             SOCKS proxy; name an HTTP or HTTPS proxy, or the endpoint's host in NO_PROXY to \
             connect directly"
        );
        let http = ureq::Proxy::new("http://u:p@proxy:3128").unwrap();
        assert!(refuse_socks(&http, &uri, || None).is_ok());
    }
}
