//! The stream's one IO room: the WebSocket protocol (tungstenite) over a connection from
//! the client's network room (`net`), which made it the way it makes every call's: the
//! client's proxy, TLS roots or platform verifier, and timeouts.

use std::io;
use std::time::{Duration, Instant};

use tungstenite::protocol::{CloseFrame, WebSocketConfig, frame::coding::CloseCode};
use tungstenite::{HandshakeError, Message, WebSocket};

use super::frames::MAX_FRAME;
use crate::error::{Error, ErrorKind};
use crate::net::{Conn, Net};
use crate::redact::{DETAIL_WIDTH, printable};
use crate::token::WebSocketUrl;

/// Where a WebSocket URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) tls: bool,
    /// The host, without brackets for IPv6.
    pub(crate) host: String,
    pub(crate) port: u16,
}

impl Target {
    /// Reads the scheme and authority of the service's URL. The messages quote none of
    /// it: the URL is a secret.
    pub(crate) fn parse(url: &str) -> std::result::Result<Target, &'static str> {
        let (tls, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "wss://") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(url, "ws://") {
            (false, rest)
        } else {
            return Err("it is not a ws:// or wss:// URL");
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err("it has user info");
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or("its IPv6 host has no ']'")?;
            (host, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() || !host.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("it has no valid host");
        }
        let port = match port {
            None => {
                if tls {
                    443
                } else {
                    80
                }
            }
            Some(p) => p.parse().map_err(|_| "its port is not a number")?,
        };
        Ok(Target {
            tls,
            host: host.to_owned(),
            port,
        })
    }

    fn is_loopback(&self) -> bool {
        self.host.eq_ignore_ascii_case("localhost")
            || self
                .host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// `host:port`, bracketed for IPv6, as CONNECT and `Host` write it.
    fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Why a socket could not be opened.
pub(crate) enum OpenError {
    /// The server answered the upgrade with this HTTP status (403 for an expired URL).
    Refused(u16),
    /// Anything else; the error says what.
    Failed(Error),
}

/// An open, upgraded WebSocket.
pub(crate) struct Socket {
    ws: WebSocket<Conn>,
}

/// What one read gave.
pub(crate) enum Read1 {
    /// A text frame, as tungstenite read it (not copied).
    Text(tungstenite::Utf8Bytes),
    /// Nothing before the wait ended.
    Idle,
    /// The server sent a close frame, with this code if it had one.
    Closed(Option<u16>),
    /// The socket broke: closed without a close frame, a read error, a protocol error;
    /// the words say what (no URL, no token).
    Broken(String),
}

/// Opens the WebSocket at `url`: a connection from the client's network room (through
/// its proxy for a host that is not a loopback one, TLS for `wss://`), then the upgrade.
pub(crate) fn open(url: &WebSocketUrl, net: &Net) -> std::result::Result<Socket, OpenError> {
    let fail = |e: Error| OpenError::Failed(e);
    let target = Target::parse(url.expose_secret()).map_err(|why| {
        fail(Error::new_invalid_response(format!(
            "the service's WebSocket URL cannot be used: {why}"
        )))
    })?;
    if !target.tls && net.is_https() {
        return Err(fail(Error::new_invalid_response(
            "the service gave a plain ws:// WebSocket URL to an HTTPS client; only a client \
             pointed at a plain http:// endpoint takes one",
        )));
    }
    let authority = target.authority();
    let host = format!("the WebSocket host {authority}");
    let mut conn = net
        .open_socket(target.tls, &authority, target.is_loopback(), &host)
        .map_err(fail)?;
    // The upgrade takes at most the client's timeout, however slowly its answer comes.
    conn.until(Instant::now().checked_add(net.timeout()));
    // The connection buffers what it reads already: the WebSocket's own reads need not be
    // large (a chat message's frame is under 1 KiB), and it grows its buffer for a larger
    // frame when one comes. Its first read zero-fills this much, resident for as long as the
    // socket is open.
    let config = WebSocketConfig::default()
        .read_buffer_size(2 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_FRAME)
        .max_message_size(Some(MAX_FRAME))
        .max_frame_size(Some(MAX_FRAME));
    match tungstenite::client::client_with_config(url.expose_secret(), conn, Some(config)) {
        Ok((mut ws, _)) => {
            ws.get_mut().until(None);
            Ok(Socket { ws })
        }
        Err(HandshakeError::Interrupted(_)) => Err(fail(Error::new_kind(
            ErrorKind::Timeout,
            format!(
                "the WebSocket upgrade got no answer within timeout ({} s)",
                crate::time::seconds(net.timeout())
            ),
        ))),
        Err(HandshakeError::Failure(e)) => Err(handshake_failure(e, net.timeout())),
    }
}

/// A failed upgrade, told without the URL.
fn handshake_failure(e: tungstenite::Error, timeout: Duration) -> OpenError {
    use tungstenite::Error as T;
    match e {
        T::Http(response) => OpenError::Refused(response.status().as_u16()),
        T::Io(io) => OpenError::Failed(io_error("upgrade to a WebSocket", io, timeout)),
        T::Url(_) => OpenError::Failed(Error::new_invalid_response(
            "the service's WebSocket URL cannot be used: it is not a valid URL",
        )),
        T::HttpFormat(_) => OpenError::Failed(Error::new_invalid_response(
            "the WebSocket upgrade request cannot be made from the service's URL",
        )),
        other => OpenError::Failed(Error::new_invalid_response(format!(
            "the WebSocket upgrade failed: {}",
            printable(&other.to_string(), DETAIL_WIDTH)
        ))),
    }
}

/// An I/O failure of `what`; a timeout names the client's `timeout`, which bounded it.
fn io_error(what: &str, e: io::Error, timeout: Duration) -> Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::with_source(
            ErrorKind::Timeout,
            format!(
                "could not {what} within timeout ({} s)",
                crate::time::seconds(timeout)
            ),
            e,
        ),
        _ => Error::with_source(ErrorKind::Transport, format!("could not {what}"), e),
    }
}

impl Socket {
    /// Sends one text frame.
    pub(crate) fn send(&mut self, text: &str) -> std::result::Result<(), String> {
        self.ws.send(Message::text(text)).map_err(|e| describe(&e))
    }

    /// Waits up to `wait` (at least 1 ms) for the next text frame.
    pub(crate) fn read(&mut self, wait: Duration) -> Read1 {
        let wait = wait.max(Duration::from_millis(1));
        // One deadline for the whole call: control frames that keep coming, or a frame
        // trickled a byte at a time, do not hold it longer (what came stays buffered).
        self.ws.get_mut().until(Instant::now().checked_add(wait));
        loop {
            match self.ws.read() {
                Ok(Message::Text(text)) => return Read1::Text(text),
                // Pings are answered by tungstenite; binary frames are not the service's.
                Ok(
                    Message::Binary(_) | Message::Ping(_) | Message::Pong(_) | Message::Frame(_),
                ) => {
                    continue;
                }
                Ok(Message::Close(frame)) => {
                    return Read1::Closed(frame.map(|f| u16::from(f.code)));
                }
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Read1::Idle;
                }
                Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Read1::Broken(describe(&e)),
            }
        }
    }

    /// Closes with code 1000, as ChatJS closes, waiting at most `wait` for the socket to
    /// take the frame; the server's answer is not awaited.
    pub(crate) fn close(mut self, wait: Duration) {
        let wait = wait.max(Duration::from_millis(1));
        self.ws.get_mut().set_timeouts(wait, wait);
        let _ = self.ws.close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        }));
        let _ = self.ws.flush();
        // Dropping the connection closes it.
    }
}

/// A close frame in words: `the server closed the WebSocket (code 1001)`.
pub(crate) fn closed_words(code: Option<u16>) -> String {
    match code {
        Some(code) => format!("the server closed the WebSocket (code {code})"),
        None => "the server closed the WebSocket".to_owned(),
    }
}

/// Why the socket broke, in words that quote nothing the server sent beyond a status.
fn describe(e: &tungstenite::Error) -> String {
    use tungstenite::Error as T;
    match e {
        T::ConnectionClosed | T::AlreadyClosed => "the WebSocket was closed".to_owned(),
        T::Io(io) => format!("the WebSocket connection broke ({})", io.kind()),
        T::Capacity(_) => format!("the server sent a frame over {MAX_FRAME} bytes"),
        // The connection ended without a close frame: a dropped socket, not a protocol
        // fault, and the most common loss (a network change, a gateway going away).
        T::Protocol(tungstenite::error::ProtocolError::ResetWithoutClosingHandshake) => {
            "the connection dropped without a close frame".to_owned()
        }
        T::Protocol(p) => format!(
            "the server broke the WebSocket protocol ({})",
            printable(&p.to_string(), DETAIL_WIDTH)
        ),
        T::Utf8(_) => "the server sent a text frame that is not UTF-8".to_owned(),
        _ => "the WebSocket failed".to_owned(),
    }
}

#[cfg(test)]
mod tests;
