//! A failure of the network, told as an [`Error`]: which kind, a message that names where
//! the connection went (without a presigned URL's or a WebSocket URL's secrets), and
//! whether another attempt may fare better.

use std::io;

use super::MAX_RESPONSE_HEAD;
use super::tls;
use crate::error::{Error, ErrorKind, RetryClass};

/// A ureq failure of a call or a transfer as an [`Error`], naming where the request went as
/// `url` says it (a presigned URL is a secret: its callers name it without the URL).
/// `status` is the answer's, when one came; `limit` the body cap that applied.
pub(crate) fn transport_error(e: ureq::Error, status: Option<u16>, limit: u64, url: &str) -> Error {
    let e = match refused_certificate(e, url) {
        Ok(refused) => return refused,
        Err(e) => e,
    };
    let (kind, message) = match &e {
        e if timed_out(e) => (
            ErrorKind::Timeout,
            format!("the request to {url} timed out"),
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
pub(crate) fn connect_error(e: ureq::Error, host: &str) -> Error {
    let e = match refused_certificate(e, host) {
        Ok(refused) => return refused,
        Err(e) => e,
    };
    let (kind, message) = match &e {
        e if timed_out(e) => (
            ErrorKind::Timeout,
            format!("could not connect to {host} in time (the client's connect timeout)"),
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

/// A server certificate refused, as a [`ErrorKind::Certificate`] error naming `what`
/// (`https://h`, `the WebSocket host h:443`); any other failure given back.
fn refused_certificate(e: ureq::Error, what: &str) -> Result<Error, ureq::Error> {
    match tls::certificate_error(&e) {
        Some(refused) => {
            let message = tls::refused_message(what, refused);
            Ok(caused(ErrorKind::Certificate, message, e))
        }
        None => Err(e),
    }
}

/// A timeout elapsed: ureq's own, or a socket's.
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
    if tls::certificate_error(error).is_some() {
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
