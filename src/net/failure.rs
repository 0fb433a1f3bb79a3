//! A failure of the network, told as an [`Error`]: which kind, a message that names where
//! the connection went (without a presigned URL's or a WebSocket URL's secrets), and
//! whether another attempt may fare better.

use std::io;
use std::time::Duration;

use super::MAX_RESPONSE_HEAD;
use super::resolve::LookupFailed;
use super::tls;
use crate::error::{Error, ErrorKind, RetryClass};
use crate::time::seconds;

/// The timeouts an attempt ran under, to name the one that ran out in the builder's words
/// (`connect_timeout`, `timeout`) and with its value, never in ureq's (`timeout: global`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    /// [`ClientBuilder::connect_timeout`](crate::ClientBuilder::connect_timeout).
    pub(crate) connect: Duration,
    /// [`ClientBuilder::timeout`](crate::ClientBuilder::timeout).
    pub(crate) timeout: Duration,
    /// A presigned transfer's own bound: the timeout plus one second per 50 KB.
    pub(crate) transfer: Option<Duration>,
}

impl Bounds {
    /// These bounds, for a transfer that may take `bound` in all.
    pub(crate) fn for_transfer(self, bound: Duration) -> Bounds {
        Bounds {
            transfer: Some(bound).filter(|b| *b != self.timeout),
            ..self
        }
    }

    /// `connect_timeout (3.1 s)`, or `timeout (10 s)`: the one that ran out, as `reason`
    /// (ureq's) says. A deadline of ureq's other than the connection's is the whole
    /// attempt's: the client sets no other.
    fn words(&self, reason: Option<ureq::Timeout>) -> String {
        match (reason, self.transfer) {
            (Some(ureq::Timeout::Connect), _) => {
                format!("connect_timeout ({} s)", seconds(self.connect))
            }
            (_, None) => format!("timeout ({} s)", seconds(self.timeout)),
            (_, Some(bound)) => format!(
                "{} s (the timeout, {} s, plus 1 s per 50 KB of the attachment)",
                seconds(bound),
                seconds(self.timeout)
            ),
        }
    }

    /// What ran out, after `the request to ... timed out: `.
    fn timed_out(&self, reason: Option<ureq::Timeout>) -> String {
        match reason {
            Some(ureq::Timeout::Connect) => format!("no connection within {}", self.words(reason)),
            _ => format!("no whole answer within {}", self.words(reason)),
        }
    }
}

/// A ureq failure of a call or a transfer as an [`Error`], naming where the request went as
/// `url` says it (a presigned URL is a secret: its callers name it without the URL).
/// `status` is the answer's, when one came; `limit` the body cap that applied; `bounds` the
/// timeouts the attempt ran under.
pub(crate) fn transport_error(
    e: ureq::Error,
    status: Option<u16>,
    limit: u64,
    url: &str,
    bounds: &Bounds,
) -> Error {
    let e = match refused_tls(e, url) {
        Ok(refused) => return refused,
        Err(e) => e,
    };
    if let ureq::Error::Timeout(reason) = e {
        let message = format!(
            "the request to {url} timed out: {}",
            bounds.timed_out(Some(reason))
        );
        return Error::new_kind(ErrorKind::Timeout, message).retry_as(RetryClass::Transient);
    }
    let (kind, message) = match &e {
        e if timed_out(e) => (
            ErrorKind::Timeout,
            format!("the request to {url} timed out: {}", bounds.timed_out(None)),
        ),
        e if unresolved(e) => (
            ErrorKind::Transport,
            match crate::endpoint::region_hint(url) {
                Some(hint) => format!("the request to {url} failed: {hint}"),
                None => format!("the request to {url} failed"),
            },
        ),
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
        // Bytes that are not HTTP/1.1: a bad status line or header, more headers than the
        // parser takes, broken chunk framing, conflicting lengths.
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
    let error = caused(kind, message, e);
    match status {
        Some(s) if kind == ErrorKind::InvalidResponse => error.set_status(s),
        _ => error,
    }
}

/// A failure to connect to `host` (a noun phrase: `the WebSocket host h:443`) for a connection
/// that ureq's connector chain made but no request of ureq's used: the CONNECT tunnel, TLS
/// and the proxy's refusal told here, in words that quote nothing but the host.
#[cfg(feature = "websocket")]
pub(crate) fn connect_error(e: ureq::Error, host: &str, bounds: &Bounds) -> Error {
    let e = match refused_tls(e, host) {
        Ok(refused) => return refused,
        Err(e) => e,
    };
    if let ureq::Error::Timeout(reason) = e {
        let message = format!(
            "could not connect to {host} within {}",
            bounds.words(Some(reason))
        );
        return Error::new_kind(ErrorKind::Timeout, message).retry_as(RetryClass::Transient);
    }
    let (kind, message) = match &e {
        e if timed_out(e) => (
            ErrorKind::Timeout,
            format!("could not connect to {host} within {}", bounds.words(None)),
        ),
        ureq::Error::HostNotFound => (ErrorKind::Transport, format!("could not resolve {host}")),
        ureq::Error::ConnectProxyFailed(reason) => {
            (ErrorKind::Transport, proxy_refusal(reason, host))
        }
        _ => (ErrorKind::Transport, format!("could not connect to {host}")),
    };
    caused(kind, message, e)
}

/// What a proxy's answer to CONNECT was, from ureq's words for it (`proxy server responded
/// 407/Proxy Authentication Required`, `proxy server did not respond`), quoting no more
/// than the status the proxy gave.
#[cfg(feature = "websocket")]
fn proxy_refusal(reason: &str, host: &str) -> String {
    let status = reason
        .strip_prefix("proxy server responded ")
        .map(|rest| rest.split(['/', ' ']).next().unwrap_or_default())
        .filter(|code| code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()));
    match status {
        Some(code) => format!("the proxy refused the tunnel to {host}: HTTP {code}"),
        None => format!(
            "the proxy gave no tunnel to {host} (it closed the connection or did not answer CONNECT)"
        ),
    }
}

/// A TLS handshake that failed for the server's part, named by `what` (`https://h`, `the
/// WebSocket host h:443`): its certificate refused ([`ErrorKind::Certificate`]), or its
/// answer not TLS at all ([`ErrorKind::Transport`], the scheme is wrong); any other
/// failure given back.
fn refused_tls(e: ureq::Error, what: &str) -> Result<Error, ureq::Error> {
    if let Some(refused) = tls::certificate_error(&e) {
        let message = tls::refused_message(what, refused);
        return Ok(caused(ErrorKind::Certificate, message, e));
    }
    if tls::not_tls(&e) {
        return Ok(caused(ErrorKind::Transport, not_tls_message(what), e));
    }
    Err(e)
}

/// What a server that answered a TLS handshake with bytes that are not TLS (`HTTP/1.1 400`,
/// most likely: a plain-HTTP server, such as the emulator) is told: the scheme is wrong.
/// `what` is a URL (`https://h:1`) or a noun phrase (`the presigned upload URL`).
fn not_tls_message(what: &str) -> String {
    let mut m = format!(
        "{what} does not speak TLS: the server answered the TLS handshake with bytes that \
         are not TLS (plain HTTP, most likely)"
    );
    if what.starts_with("https://") {
        m.push_str(
            "; for a plain-HTTP server (such as the emulator), give an http:// endpoint URL, \
             not https://",
        );
    }
    m
}

/// The host name did not resolve (ureq's `HostNotFound`, or the lookup's own error).
fn unresolved(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::HostNotFound => true,
        ureq::Error::Io(io) => io.get_ref().is_some_and(|inner| inner.is::<LookupFailed>()),
        _ => false,
    }
}

/// A timeout elapsed: a socket's (ureq's own are told apart before this).
fn timed_out(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Timeout(_) => true,
        ureq::Error::Io(io) => {
            matches!(
                io.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            )
        }
        _ => false,
    }
}

/// How a failure of the network may be retried: what another attempt may not meet (a
/// reset, a timeout, a refused connection) is, what would fail the same way again (TLS, a
/// head over the limit, bytes that are not HTTP) is not. A refused server certificate
/// reaches ureq inside an I/O error, and is never retried.
pub(crate) fn class_of(error: &ureq::Error) -> RetryClass {
    if tls::certificate_error(error).is_some() || tls::not_tls(error) {
        return RetryClass::Never;
    }
    match error {
        ureq::Error::Timeout(_)
        | ureq::Error::Io(_)
        | ureq::Error::ConnectionFailed
        | ureq::Error::HostNotFound
        | ureq::Error::BodyStalled => RetryClass::Transient,
        _ => RetryClass::Never,
    }
}

/// An error of `kind` caused by `e`, retried as [`class_of`] says.
fn caused(kind: ErrorKind, message: String, e: ureq::Error) -> Error {
    let class = class_of(&e);
    Error::with_source(kind, message, e).retry_as(class)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timeout_that_ran_out_is_named_as_the_builder_names_it() {
        let bounds = Bounds {
            connect: Duration::from_millis(3100),
            timeout: Duration::from_secs(10),
            transfer: None,
        };
        let e = |reason, b: &Bounds| transport_error(ureq::Error::Timeout(reason), None, 1, "u", b);
        assert_eq!(
            e(ureq::Timeout::Connect, &bounds).to_string(),
            "the request to u timed out: no connection within connect_timeout (3.1 s)"
        );
        assert_eq!(
            e(ureq::Timeout::Global, &bounds).to_string(),
            "the request to u timed out: no whole answer within timeout (10 s)"
        );
        let same = bounds.for_transfer(Duration::from_secs(10));
        assert_eq!(
            e(ureq::Timeout::RecvBody, &same).to_string(),
            "the request to u timed out: no whole answer within timeout (10 s)"
        );
        let longer = bounds.for_transfer(Duration::from_millis(10_500));
        assert_eq!(
            e(ureq::Timeout::Global, &longer).to_string(),
            "the request to u timed out: no whole answer within 10.5 s (the timeout, 10 s, \
             plus 1 s per 50 KB of the attachment)"
        );
        assert_eq!(
            e(ureq::Timeout::Connect, &longer).to_string(),
            "the request to u timed out: no connection within connect_timeout (3.1 s)"
        );
        let socket = ureq::Error::Io(std::io::Error::from(std::io::ErrorKind::TimedOut));
        let e = transport_error(socket, None, 1, "u", &bounds);
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert_eq!(
            e.to_string(),
            "the request to u timed out: no whole answer within timeout (10 s)"
        );
    }

    #[test]
    fn a_record_that_is_not_tls_is_never_retried() {
        let not_tls = || {
            let tls = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
            ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, tls))
        };
        assert_eq!(class_of(&not_tls()), RetryClass::Never);
        let e = transport_error(
            not_tls(),
            None,
            1,
            "the presigned upload URL",
            &Bounds {
                connect: Duration::from_secs(1),
                timeout: Duration::from_secs(1),
                transfer: None,
            },
        );
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert!(!e.is_retryable());
    }

    #[test]
    fn network_failures_are_retried_and_unreadable_answers_are_not() {
        let io = || std::io::Error::other("x");
        assert_eq!(class_of(&ureq::Error::Io(io())), RetryClass::Transient);
        assert_eq!(
            class_of(&ureq::Error::ConnectionFailed),
            RetryClass::Transient
        );
        assert_eq!(class_of(&ureq::Error::HostNotFound), RetryClass::Transient);
        assert_eq!(class_of(&ureq::Error::BodyStalled), RetryClass::Transient);
        assert_eq!(
            class_of(&ureq::Error::BodyExceedsLimit(1)),
            RetryClass::Never
        );
        assert_eq!(
            class_of(&ureq::Error::LargeResponseHeader(1, 1)),
            RetryClass::Never
        );
        assert_eq!(
            class_of(&ureq::Error::RequireHttpsOnly("x".into())),
            RetryClass::Never
        );
        let refused = |c| {
            let tls = rustls::Error::InvalidCertificate(c);
            ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, tls))
        };
        for c in [
            rustls::CertificateError::UnknownIssuer,
            rustls::CertificateError::Expired,
            rustls::CertificateError::NotValidForName,
            rustls::CertificateError::BadSignature,
        ] {
            assert_eq!(class_of(&refused(c)), RetryClass::Never);
        }
        let handshake = rustls::Error::HandshakeNotComplete;
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, handshake);
        assert_eq!(
            class_of(&ureq::Error::Io(io)),
            RetryClass::Transient,
            "other TLS failures inside an I/O error are retried as before"
        );
    }
}
