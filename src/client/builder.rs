//! [`ClientBuilder`]: the client's settings, each with its default, and the AWS variables
//! as one layer beneath them. [`from_env`](ClientBuilder::from_env) fills the environment's
//! layer; the builder's calls fill their own; [`build`](ClientBuilder::build) merges the two
//! (a builder call wins), checks the result and makes the client's network room.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::extra_headers::ExtraHeaders;
use super::{Client, ClockFn, Inner, SleepFn, Timeouts};
use crate::endpoint::{Endpoint, EndpointVariant};
use crate::env::{self, EnvConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{RandomFn, os_random};
use crate::net::{self, Net, tls::Roots};
use crate::redact::{Shown, quoted, redact_userinfo};
use crate::retry;
use crate::time::seconds;
use crate::wire;

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest user agent suffix accepted; AWS SDKs keep their app ids far shorter.
const MAX_USER_AGENT_SUFFIX: usize = 256;

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
    /// What the builder's calls set; each wins over the environment.
    set: Explicit,
    /// What [`from_env`](Self::from_env) read; empty without it.
    env: EnvConfig,
    endpoint: Option<Endpoint>,
    connect_timeout: Duration,
    timeout: Duration,
    random: Arc<RandomFn>,
    sleep: Arc<SleepFn>,
    /// The default clock of the participants built on the client (see
    /// [`participant_clock`](Self::participant_clock)).
    clock: Option<Arc<ClockFn>>,
}

/// The settings the builder's calls made (the environment sets the same ones, or none).
#[derive(Default)]
struct Explicit {
    region: Option<String>,
    endpoint_url: Option<String>,
    fips: Option<bool>,
    dual_stack: Option<bool>,
    max_attempts: Option<u32>,
    user_agent_suffix: Option<String>,
    /// Root certificates from PEM, in the order of the calls that gave them.
    roots: Roots,
    platform_verifier: Option<bool>,
    /// The extra headers, as given: checked by `build`.
    headers: Vec<(String, String)>,
}

/// The two layers merged: what [`build`](ClientBuilder::build) uses.
struct Merged<'a> {
    region: Option<&'a str>,
    /// The URL, and the variable it came from when the environment set it.
    endpoint_url: Option<(&'a str, Option<&'static str>)>,
    /// The value, and whether the environment set it (to true).
    fips: (bool, bool),
    dual_stack: (bool, bool),
    max_attempts: u32,
    user_agent_suffix: Option<&'a str>,
    platform_verifier: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            set: Explicit::default(),
            env: EnvConfig::default(),
            endpoint: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            random: Arc::new(os_random),
            sleep: Arc::new(std::thread::sleep),
            clock: None,
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
        Ok(ClientBuilder {
            env: env::read(get)?,
            ..ClientBuilder::default()
        })
    }

    /// The AWS region, such as `us-west-2`. Required unless an endpoint URL is given.
    /// Defaults to none: the region is never taken from the environment unless you start
    /// from [`from_env`](Self::from_env) (which reads `AWS_REGION`).
    ///
    /// An endpoint URL set with [`endpoint_url`](Self::endpoint_url) wins over the
    /// region; one that came from the environment gives way to this call.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.set.region = Some(region.into());
        self
    }

    /// Use the region's FIPS endpoint. Defaults to `false`.
    ///
    /// `fips(true)` drops an endpoint URL that came from the environment.
    pub fn fips(mut self, fips: bool) -> Self {
        self.set.fips = Some(fips);
        self
    }

    /// Use the region's dual-stack (IPv4 and IPv6) endpoint. Defaults to `false`.
    ///
    /// `dual_stack(true)` drops an endpoint URL that came from the environment.
    pub fn dual_stack(mut self, dual_stack: bool) -> Self {
        self.set.dual_stack = Some(dual_stack);
        self
    }

    /// Send to this URL instead of the region's endpoint (a local emulator, a VPC endpoint,
    /// a test server). It is the only way to use plain `http://`. Cannot be combined with
    /// [`fips`](Self::fips) or [`dual_stack`](Self::dual_stack) set on the builder (FIPS or
    /// dual-stack from the environment gives way to this call). Defaults to none.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.set.endpoint_url = Some(url.into());
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
        self.set.user_agent_suffix = Some(suffix.into());
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
        self.set.max_attempts = Some(max_attempts);
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
        self.set.roots.add(pem.as_ref());
        self
    }

    /// Trusts the root certificates in `pem` instead of Mozilla's, and instead of any added
    /// before this call; later [`add_root_certificates_pem`](Self::add_root_certificates_pem)
    /// calls add to them. This is what the AWS SDKs do with `AWS_CA_BUNDLE`. Read and
    /// checked by [`build`](Self::build) as `add_root_certificates_pem`'s PEM is. Defaults
    /// to Mozilla's roots.
    pub fn root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.set.roots.replace(pem.as_ref());
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
        self.set.platform_verifier = Some(on);
        self
    }

    /// Adds a static header to every call to the service, for a corporate gateway or WAF
    /// in front of it that wants one (an API key, a routing tag). May be called more than
    /// once; each call adds a header, in order. Defaults to none.
    ///
    /// Never sent to a presigned URL (an attachment's PUT or GET) or on the chat stream's
    /// WebSocket: those go to other hosts than the one the gateway fronts, and a gateway's
    /// key must not travel there.
    ///
    /// [`build`](Self::build) refuses, with [`ErrorKind::InvalidConfig`] naming the header
    /// and never showing its value: a name the client sets, or that frames the request
    /// (`X-Amz-Bearer`, `Content-Type`, `Content-Length`, `Host`, `Transfer-Encoding`,
    /// `Connection`, `User-Agent`, `amz-sdk-invocation-id`, `amz-sdk-request`, `Expect`,
    /// `TE`, `Upgrade`, `Accept-Encoding`, ...) or starts with `X-Amz-` or `amz-sdk-`
    /// (AWS's), whatever its case; a name that is not an HTTP token, empty, or over 128
    /// bytes; a value with anything but visible ASCII, spaces and tabs (CR, LF, NUL), or
    /// over 4096 bytes; the same name twice; more than 32 headers; names and values over
    /// 8192 bytes in all (gateways refuse larger request heads). The value is never shown
    /// in an error or a `Debug` output, and never logged: it may be a credential.
    ///
    /// ```
    /// use connect_participant::{Client, ErrorKind};
    ///
    /// let client = Client::builder()
    ///     .region("us-east-1")
    ///     .header("X-Corp-Gateway-Key", "k-123")
    ///     .build()?;
    ///
    /// let err = Client::builder()
    ///     .region("us-east-1")
    ///     .header("content-type", "text/plain")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid extra header \"content-type\": the client sets it, or it frames the request"
    /// );
    /// # Ok::<(), connect_participant::Error>(())
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set.headers.push((name.into(), value.into()));
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
    pub fn build(self) -> Result<Client> {
        check_timeout("connect timeout", self.connect_timeout)?;
        check_timeout("timeout", self.timeout)?;
        let s = self.merged();
        if s.max_attempts == 0 {
            return Err(Error::invalid_config(
                "max_attempts must be at least 1 (1 turns retries off)",
            ));
        }
        let endpoint = match (self.endpoint.clone(), &s.endpoint_url, &s.region) {
            (Some(endpoint), _, _) => endpoint,
            (None, Some((url, _)), _) => {
                if s.fips.0 || s.dual_stack.0 {
                    return Err(s.variant_conflict());
                }
                Endpoint::from_url(url)?
            }
            (None, None, Some(region)) => {
                Endpoint::resolve(region, EndpointVariant::new(s.fips.0, s.dual_stack.0))?
            }
            (None, None, None) => {
                return Err(Error::invalid_config(
                    "no region and no endpoint URL: set one on the client builder",
                ));
            }
        };
        let user_agent = user_agent(s.user_agent_suffix)?;
        // Every operation's URI is the endpoint's URL and a fixed path: one that cannot be
        // made is refused here, not at the first call.
        endpoint.operation_uri("/participant/event").map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidConfig,
                format!(
                    "invalid endpoint URL {}",
                    quoted(&redact_userinfo(endpoint.url()))
                ),
                e,
            )
        })?;
        let headers = ExtraHeaders::new(&self.set.headers)?;
        let proxy = net::proxy_for(&endpoint)?;
        let root_certs = self.roots().root_certs(s.platform_verifier)?;
        let net = Net::new(&net::Settings {
            endpoint: &endpoint,
            root_certs,
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            user_agent: &user_agent,
            proxy,
        });
        let mut inner = Inner::new(
            net,
            endpoint,
            user_agent,
            Timeouts {
                connect: self.connect_timeout,
                attempt: self.timeout,
            },
            s.max_attempts,
            self.random,
            self.sleep,
        );
        inner.headers = headers;
        inner.clock = self.clock;
        Ok(Client::new(inner))
    }
}

impl ClientBuilder {
    /// The clock that the [`Participant`](crate::Participant)s built on the client read
    /// unless their builder is given another: how a client of the emulator's
    /// (`Emulator::client_builder`) makes its participants follow the emulator's clock.
    #[cfg(feature = "emulator")]
    pub(crate) fn participant_clock(mut self, clock: Arc<ClockFn>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The environment's layer under the builder's calls. Where to send is one decision: a
    /// region, `fips(true)` or `dual_stack(true)` set by a call drops the environment's
    /// endpoint URL, and an endpoint URL set by a call drops the environment's FIPS and
    /// dual-stack. Every other setting is simply the call's, else the environment's.
    fn merged(&self) -> Merged<'_> {
        let (set, env) = (&self.set, &self.env);
        let where_set =
            set.region.is_some() || set.fips == Some(true) || set.dual_stack == Some(true);
        let endpoint_url = match (&set.endpoint_url, &env.endpoint_url) {
            (Some(url), _) => Some((url.as_str(), None)),
            (None, Some((url, var))) if !where_set => Some((url.as_str(), Some(*var))),
            _ => None,
        };
        let variant = |call: Option<bool>, from_env: Option<bool>| match call {
            Some(v) => (v, false),
            None if set.endpoint_url.is_some() => (false, false),
            None => {
                let v = from_env.unwrap_or(false);
                (v, v)
            }
        };
        Merged {
            region: set.region.as_deref().or(env.region.as_deref()),
            endpoint_url,
            fips: variant(set.fips, env.fips),
            dual_stack: variant(set.dual_stack, env.dual_stack),
            max_attempts: set
                .max_attempts
                .or(env.max_attempts)
                .unwrap_or(retry::DEFAULT_MAX_ATTEMPTS),
            user_agent_suffix: set
                .user_agent_suffix
                .as_deref()
                .or(env.user_agent_suffix.as_deref()),
            platform_verifier: set.platform_verifier.unwrap_or(false),
        }
    }

    /// The roots to trust: `AWS_CA_BUNDLE`'s instead of Mozilla's (as the AWS SDKs take
    /// it), then the builder's PEM on top; with the platform verifier turned on by a call,
    /// the environment's bundle gives way to it.
    fn roots(&self) -> Roots {
        let mut roots = Roots::default();
        if let Some(ca) = &self.env.ca_bundle {
            if self.set.platform_verifier != Some(true) {
                roots.replace(&ca.pem);
            }
        }
        roots.then(&self.set.roots);
        roots
    }
}

impl Merged<'_> {
    /// The error for an endpoint URL with FIPS or dual-stack, naming the variables that
    /// set them, if any did.
    fn variant_conflict(&self) -> Error {
        let mut from_env: Vec<&str> = self
            .endpoint_url
            .and_then(|(_, var)| var)
            .into_iter()
            .collect();
        if self.fips.1 {
            from_env.push(env::AWS_USE_FIPS_ENDPOINT);
        }
        if self.dual_stack.1 {
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

/// `User-Agent`: this crate's, then the caller's suffix after a space.
fn user_agent(suffix: Option<&str>) -> Result<String> {
    let mut user_agent = wire::USER_AGENT.to_owned();
    if let Some(suffix) = suffix {
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
    Ok(user_agent)
}

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

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The settings as `build` would take them. What the caller set is shown as error
        // messages show it: user info redacted, long values (a token pasted in the wrong
        // place) only measured.
        let s = self.merged();
        let endpoint_url = s.endpoint_url.map(|(url, _)| redact_userinfo(url));
        let mut d = f.debug_struct("ClientBuilder");
        d.field("region", &s.region.map(Shown))
            .field("fips", &s.fips.0)
            .field("dual_stack", &s.dual_stack.0)
            .field("endpoint_url", &endpoint_url.as_deref().map(Shown))
            .field("endpoint", &self.endpoint)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent_suffix", &s.user_agent_suffix.map(Shown))
            .field("max_attempts", &s.max_attempts);
        if !self.set.headers.is_empty() {
            // Names only (measured when long): a value may be a gateway's credential.
            let names: Vec<Shown<'_>> = self.set.headers.iter().map(|(n, _)| Shown(n)).collect();
            d.field("headers", &names);
        }
        d.finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::lookup;
    use crate::wire;

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
        match b.roots().root_certs(false).unwrap() {
            ureq::tls::RootCerts::Specific(certs) => assert_eq!(certs.len(), 1),
            _ => panic!("AWS_CA_BUNDLE must replace the roots"),
        }
        assert!(b.build().is_ok());
    }
}
