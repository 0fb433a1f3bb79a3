//! The stream's one IO room: the WebSocket connection, over TCP, an HTTP proxy's CONNECT
//! tunnel and rustls, with tungstenite speaking the protocol.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use tungstenite::protocol::{CloseFrame, WebSocketConfig, frame::coding::CloseCode};
use tungstenite::{HandshakeError, Message, WebSocket};

use super::frames::MAX_FRAME;
use crate::error::{Error, ErrorKind, Result};
use crate::tls::{self, Roots};
use crate::token::{WebSocketUrl, base64};

/// What the client's settings give the stream's connections.
#[derive(Clone)]
pub(crate) struct NetSettings {
    pub(crate) roots: Roots,
    pub(crate) platform_verifier: bool,
    pub(crate) proxy: Option<ureq::Proxy>,
    pub(crate) connect_timeout: Duration,
    /// Bounds the handshake and each write.
    pub(crate) timeout: Duration,
    /// The service endpoint is HTTPS: a `ws://` URL is refused.
    pub(crate) https: bool,
}

impl NetSettings {
    /// The TLS configuration for `wss://`: the client's roots, no ALPN (a WebSocket
    /// upgrade is HTTP/1.1).
    pub(crate) fn tls_config(&self) -> Result<Arc<ClientConfig>> {
        if self.platform_verifier {
            return Err(Error::invalid_config(
                "the chat stream cannot use the platform verifier (the client was built \
                 with ClientBuilder::platform_verifier): it verifies with Mozilla's roots \
                 and those added by PEM; add your root with \
                 ClientBuilder::add_root_certificates_pem instead",
            ));
        }
        let mut store = RootCertStore::empty();
        match self.roots.root_certs(false)? {
            ureq::tls::RootCerts::Specific(certs) => {
                for cert in certs.iter() {
                    // Checked as readable when the client was built.
                    let _ = store.add(CertificateDer::from(cert.der().to_vec()));
                }
            }
            _ => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let config =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| {
                    Error::with_source(ErrorKind::InvalidConfig, "no TLS protocol version", e)
                })?
                .with_root_certificates(store)
                .with_no_client_auth();
        Ok(Arc::new(config))
    }
}

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

/// A TCP connection whose reads end at a deadline: each read waits at most what is left
/// of it, and none starts after it (`WouldBlock`). A socket read timeout alone bounds one
/// read, not a frame or handshake that a server trickles a byte at a time, nor a read
/// loop over frames that keep coming.
pub(crate) struct Tcp {
    sock: TcpStream,
    deadline: Option<Instant>,
}

impl Tcp {
    fn new(sock: TcpStream) -> Tcp {
        Tcp {
            sock,
            deadline: None,
        }
    }

    /// Reads from now on end at `deadline` (`None`: only the socket's own read timeout).
    fn until(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }
}

impl Read for Tcp {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(deadline) = self.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    "the read's deadline passed",
                ));
            }
            self.sock.set_read_timeout(Some(left))?;
        }
        self.sock.read(buf)
    }
}

impl Write for Tcp {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sock.flush()
    }
}

/// TCP, or TLS over TCP.
pub(crate) enum Stream {
    Plain(Tcp),
    Tls(Box<StreamOwned<ClientConnection, Tcp>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => &s.sock,
            Stream::Tls(s) => &s.sock.sock,
        }
    }

    fn until(&mut self, deadline: Option<Instant>) {
        match self {
            Stream::Plain(s) => s.until(deadline),
            Stream::Tls(s) => s.sock.until(deadline),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
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
    ws: WebSocket<Stream>,
}

/// What one read gave.
pub(crate) enum Read1 {
    /// A text frame, as tungstenite read it (not copied).
    Text(tungstenite::Utf8Bytes),
    /// Nothing before the wait ended.
    Idle,
    /// The server closed the socket (with a close frame or not), or it broke.
    Closed(String),
}

/// Opens the WebSocket at `url`: TCP (through the proxy for a non-loopback host), TLS
/// for `wss://`, the upgrade.
pub(crate) fn open(
    url: &WebSocketUrl,
    net: &NetSettings,
    tls: &mut Option<Arc<ClientConfig>>,
) -> std::result::Result<Socket, OpenError> {
    let fail = |e: Error| OpenError::Failed(e);
    let target = Target::parse(url.expose_secret()).map_err(|why| {
        fail(Error::new_invalid_response(format!(
            "the service's WebSocket URL cannot be used: {why}"
        )))
    })?;
    if !target.tls && net.https {
        return Err(fail(Error::new_invalid_response(
            "the service gave a plain ws:// WebSocket URL to an HTTPS client; only a client \
             pointed at a plain http:// endpoint takes one",
        )));
    }
    let proxy = net
        .proxy
        .as_ref()
        .filter(|p| !target.is_loopback() && !no_proxy(p, &target));
    let tcp = match proxy {
        Some(p) => tunnel(p, &target, net).map_err(fail)?,
        None => connect(&target.host, target.port, net.connect_timeout).map_err(fail)?,
    };
    let _ = tcp.set_nodelay(true);
    set_timeouts(&tcp, net.timeout).map_err(|e| fail(io_error("set a socket timeout", e)))?;
    // The TLS handshake and the upgrade together take at most the client's timeout.
    let mut tcp = Tcp::new(tcp);
    tcp.until(Instant::now().checked_add(net.timeout));
    let stream = if target.tls {
        let config = match tls {
            Some(c) => c.clone(),
            None => tls.insert(net.tls_config().map_err(fail)?).clone(),
        };
        Stream::Tls(Box::new(tls_handshake(config, &target, tcp).map_err(fail)?))
    } else {
        Stream::Plain(tcp)
    };
    let config = WebSocketConfig::default()
        .read_buffer_size(16 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_FRAME)
        .max_message_size(Some(MAX_FRAME))
        .max_frame_size(Some(MAX_FRAME));
    match tungstenite::client::client_with_config(url.expose_secret(), stream, Some(config)) {
        Ok((mut ws, _)) => {
            ws.get_mut().until(None);
            Ok(Socket { ws })
        }
        Err(HandshakeError::Interrupted(_)) => Err(fail(Error::new_kind(
            ErrorKind::Timeout,
            format!(
                "the WebSocket upgrade got no answer within {} ms",
                net.timeout.as_millis()
            ),
        ))),
        Err(HandshakeError::Failure(e)) => Err(handshake_failure(e)),
    }
}

/// A failed upgrade, told without the URL.
fn handshake_failure(e: tungstenite::Error) -> OpenError {
    use tungstenite::Error as T;
    match e {
        T::Http(response) => OpenError::Refused(response.status().as_u16()),
        T::Io(io) => OpenError::Failed(io_error("upgrade to a WebSocket", io)),
        T::Url(_) => OpenError::Failed(Error::new_invalid_response(
            "the service's WebSocket URL cannot be used: it is not a valid URL",
        )),
        T::HttpFormat(_) => OpenError::Failed(Error::new_invalid_response(
            "the WebSocket upgrade request cannot be made from the service's URL",
        )),
        other => OpenError::Failed(Error::new_invalid_response(format!(
            "the WebSocket upgrade failed: {}",
            crate::error::printable(&other.to_string(), 200)
        ))),
    }
}

fn io_error(what: &str, e: io::Error) -> Error {
    let kind = match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ErrorKind::Timeout,
        _ => ErrorKind::Transport,
    };
    Error::with_source(kind, format!("could not {what}"), e)
}

fn set_timeouts(tcp: &TcpStream, timeout: Duration) -> io::Result<()> {
    tcp.set_read_timeout(Some(timeout))?;
    tcp.set_write_timeout(Some(timeout))
}

/// Connects to the first address of `host` that answers within `timeout`.
fn connect(host: &str, port: u16, timeout: Duration) -> Result<TcpStream> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            Error::with_source(
                ErrorKind::Transport,
                "could not resolve the WebSocket host",
                e,
            )
        })?
        .collect();
    let mut last = None;
    for addr in addrs.iter().take(8) {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => io_error("connect to the WebSocket host", e),
        None => Error::new_kind(
            ErrorKind::Transport,
            "the WebSocket host resolved to no address",
        ),
    })
}

fn no_proxy(proxy: &ureq::Proxy, target: &Target) -> bool {
    format!("https://{}/", target.authority())
        .parse::<ureq::http::Uri>()
        .is_ok_and(|uri| proxy.is_no_proxy(&uri))
}

/// The most bytes of a proxy's answer to CONNECT read.
const MAX_PROXY_HEAD: usize = 16 * 1024;

/// A TCP connection to `target` through the HTTP proxy's CONNECT tunnel.
fn tunnel(proxy: &ureq::Proxy, target: &Target, net: &NetSettings) -> Result<TcpStream> {
    if proxy.protocol() != ureq::ProxyProtocol::Http {
        return Err(Error::invalid_config(
            "the chat stream reaches the WebSocket only through an http:// proxy (with \
             CONNECT); the proxy set for this client is another kind",
        ));
    }
    let tcp = connect(proxy.host(), proxy.port(), net.connect_timeout)?;
    set_timeouts(&tcp, net.timeout).map_err(|e| io_error("set a socket timeout", e))?;
    // The whole answer within the client's timeout, however slowly it comes.
    let mut tcp = Tcp::new(tcp);
    tcp.until(Instant::now().checked_add(net.timeout));
    let authority = target.authority();
    let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    // As ureq writes them for the client's own calls through the same proxy.
    if proxy.username().is_some() || proxy.password().is_some() {
        let credentials = format!(
            "{}:{}",
            proxy.username().unwrap_or(""),
            proxy.password().unwrap_or("")
        );
        head.push_str("Proxy-Authorization: Basic ");
        head.push_str(&base64(credentials.as_bytes()));
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    tcp.write_all(head.as_bytes())
        .map_err(|e| io_error("send CONNECT to the proxy", e))?;
    // Read byte by byte up to the blank line, so that nothing of the tunnel is consumed.
    let mut answer = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() >= MAX_PROXY_HEAD {
            return Err(Error::new_invalid_response(format!(
                "the proxy's answer to CONNECT has a head over {MAX_PROXY_HEAD} bytes"
            )));
        }
        match tcp.read(&mut byte) {
            Ok(0) => {
                return Err(Error::new_kind(
                    ErrorKind::Transport,
                    "the proxy closed the connection before answering CONNECT",
                ));
            }
            Ok(_) => answer.push(byte[0]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error("read the proxy's answer to CONNECT", e)),
        }
    }
    let status = answer
        .split(|b| *b == b' ')
        .nth(1)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse::<u16>().ok());
    match status {
        Some(200..=299) => Ok(tcp.sock),
        Some(status) => Err(Error::new_kind(
            ErrorKind::Transport,
            format!("the proxy refused the tunnel to the WebSocket host: HTTP {status}"),
        )),
        None => Err(Error::new_invalid_response(
            "the proxy's answer to CONNECT is not HTTP",
        )),
    }
}

/// TLS over `tcp`, the handshake finished here so that a refused certificate is told as
/// one.
fn tls_handshake(
    config: Arc<ClientConfig>,
    target: &Target,
    mut tcp: Tcp,
) -> Result<StreamOwned<ClientConnection, Tcp>> {
    let name = ServerName::try_from(target.host.clone()).map_err(|_| {
        Error::new_invalid_response("the service's WebSocket URL has no valid TLS host name")
    })?;
    let mut conn = ClientConnection::new(config, name)
        .map_err(|e| Error::with_source(ErrorKind::Transport, "could not start TLS", e))?;
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            let refused = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .and_then(|r| match r {
                    rustls::Error::InvalidCertificate(c) => Some(c.clone()),
                    _ => None,
                });
            if let Some(c) = refused {
                let host = format!("the WebSocket host {}", target.authority());
                return Err(Error::with_source(
                    ErrorKind::Certificate,
                    tls::refused_message(&host, &c),
                    e,
                ));
            }
            return Err(io_error(
                "make the TLS handshake with the WebSocket host",
                e,
            ));
        }
    }
    Ok(StreamOwned::new(conn, tcp))
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
                    return Read1::Closed(match frame {
                        Some(f) => format!(
                            "the server closed the WebSocket (code {})",
                            u16::from(f.code)
                        ),
                        None => "the server closed the WebSocket".to_owned(),
                    });
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
                Err(e) => return Read1::Closed(describe(&e)),
            }
        }
    }

    /// Closes with code 1000, as ChatJS closes, waiting at most `wait` for the socket to
    /// take the frame; the server's answer is not awaited.
    pub(crate) fn close(mut self, wait: Duration) {
        let tcp = self.ws.get_ref().tcp();
        let _ = tcp.set_write_timeout(Some(wait.max(Duration::from_millis(1))));
        let _ = self.ws.close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        }));
        let _ = self.ws.flush();
        let _ = self.ws.get_ref().tcp().shutdown(std::net::Shutdown::Both);
    }
}

/// Why the socket broke, in words that quote nothing the server sent beyond a status.
fn describe(e: &tungstenite::Error) -> String {
    use tungstenite::Error as T;
    match e {
        T::ConnectionClosed | T::AlreadyClosed => "the WebSocket was closed".to_owned(),
        T::Io(io) => format!("the WebSocket connection broke ({})", io.kind()),
        T::Capacity(_) => format!("the server sent a frame over {MAX_FRAME} bytes"),
        T::Protocol(p) => format!(
            "the server broke the WebSocket protocol ({})",
            crate::error::printable(&p.to_string(), 120)
        ),
        T::Utf8(_) => "the server sent a text frame that is not UTF-8".to_owned(),
        _ => "the WebSocket failed".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_without_quoting_them() {
        let t = Target::parse("wss://abc.execute-api.us-west-2.amazonaws.com/connect?X=s3cr3t")
            .unwrap();
        assert_eq!(
            t,
            Target {
                tls: true,
                host: "abc.execute-api.us-west-2.amazonaws.com".into(),
                port: 443
            }
        );
        assert_eq!(
            Target::parse("ws://127.0.0.1:9/ws/s3cr3t").unwrap(),
            Target {
                tls: false,
                host: "127.0.0.1".into(),
                port: 9
            }
        );
        assert_eq!(Target::parse("WSS://[::1]:8443?x").unwrap().host, "::1");
        assert_eq!(
            Target::parse("wss://[::1]:8443").unwrap().authority(),
            "[::1]:8443"
        );
        for (bad, why) in [
            ("https://h/s3cr3t", "it is not a ws:// or wss:// URL"),
            ("wss://u:s3cr3t@h/", "it has user info"),
            ("wss:///s3cr3t", "it has no valid host"),
            ("wss://h:s3cr3t/", "its port is not a number"),
            ("wss://h:70000/", "its port is not a number"),
            ("wss://[::1/", "its IPv6 host has no ']'"),
            ("", "it is not a ws:// or wss:// URL"),
        ] {
            assert_eq!(Target::parse(bad), Err(why), "{bad}");
        }
    }

    /// A proxy on 127.0.0.1 that reads one request head, answers `answer`, and hands back
    /// the head it read.
    fn proxy(answer: &'static str) -> (u16, std::thread::JoinHandle<String>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 4096 {
                if conn.read(&mut byte).unwrap() == 0 {
                    break;
                }
                head.push(byte[0]);
            }
            conn.write_all(answer.as_bytes()).unwrap();
            String::from_utf8(head).unwrap()
        });
        (port, handle)
    }

    fn settings(proxy: Option<ureq::Proxy>) -> NetSettings {
        NetSettings {
            roots: Roots::default(),
            platform_verifier: false,
            proxy,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(5),
            https: true,
        }
    }

    #[test]
    fn a_non_loopback_websocket_goes_through_the_proxy_with_connect() {
        let (port, head) = proxy("HTTP/1.1 200 Connection established\r\n\r\n");
        let p = ureq::Proxy::new(&format!("http://user:pa%3Ass@127.0.0.1:{port}")).unwrap();
        let url = WebSocketUrl::new("wss://chat.example.invalid/connect?token=s3cr3t".into());
        let Err(OpenError::Failed(e)) = open(&url, &settings(Some(p)), &mut None) else {
            panic!("the tunnel leads nowhere: TLS must fail");
        };
        // The proxy answered 200, then closed: the TLS handshake over the tunnel broke.
        assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
        assert!(!e.to_string().contains("s3cr3t"));
        let head = head.join().unwrap();
        // ureq decodes the password from 3.5 ("pa:ss"); older minors give it as written.
        let user = if head.contains("dXNlcjpwYTpzcw==") {
            "dXNlcjpwYTpzcw=="
        } else {
            "dXNlcjpwYSUzQXNz"
        };
        assert_eq!(
            head,
            format!(
                "CONNECT chat.example.invalid:443 HTTP/1.1\r\nHost: chat.example.invalid:443\r\n\
                 Proxy-Authorization: Basic {user}\r\n\r\n"
            ),
            "the path and query (the secret) never reach the proxy"
        );
    }

    #[test]
    fn a_proxy_refusing_the_tunnel_is_a_transport_error() {
        let (port, head) = proxy("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
        let p = ureq::Proxy::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let url = WebSocketUrl::new("wss://chat.example.invalid/s3cr3t".into());
        let Err(OpenError::Failed(e)) = open(&url, &settings(Some(p)), &mut None) else {
            panic!("refused");
        };
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert_eq!(
            e.to_string(),
            "the proxy refused the tunnel to the WebSocket host: HTTP 407"
        );
        assert!(!head.join().unwrap().contains("Proxy-Authorization"));
    }

    #[test]
    fn a_plain_url_is_refused_for_an_https_client_before_connecting() {
        let url = WebSocketUrl::new("ws://127.0.0.1:1/s3cr3t".into());
        let Err(OpenError::Failed(e)) = open(&url, &settings(None), &mut None) else {
            panic!("refused");
        };
        assert_eq!(e.kind(), ErrorKind::InvalidResponse);
        assert_eq!(
            e.to_string(),
            "the service gave a plain ws:// WebSocket URL to an HTTPS client; only a client \
             pointed at a plain http:// endpoint takes one"
        );
    }

    #[test]
    fn the_platform_verifier_is_refused_by_the_stream() {
        let mut net = settings(None);
        net.platform_verifier = true;
        let e = net.tls_config().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert!(
            e.to_string()
                .starts_with("the chat stream cannot use the platform verifier")
        );
    }

    /// A server on 127.0.0.1 that reads a request head, then answers `start` and a header
    /// that never ends, a byte every 20 ms, until the client goes.
    fn trickler(start: &'static str) -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            if conn.write_all(start.as_bytes()).is_err() {
                return;
            }
            while conn.write_all(b"a").is_ok() {
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        port
    }

    fn timed_out_within(
        result: std::result::Result<Socket, OpenError>,
        started: std::time::Instant,
    ) -> Error {
        let Err(OpenError::Failed(e)) = result else {
            panic!("a trickled answer must fail");
        };
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        e
    }

    #[test]
    fn a_proxy_trickling_its_answer_to_connect_is_cut_off_at_the_timeout() {
        let port = trickler("HTTP/1.1 200 OK\r\nX-Slow: ");
        let p = ureq::Proxy::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let mut net = settings(Some(p));
        net.timeout = Duration::from_millis(500);
        let url = WebSocketUrl::new("wss://chat.example.invalid/s3cr3t".into());
        let started = std::time::Instant::now();
        let e = timed_out_within(open(&url, &net, &mut None), started);
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
        assert_eq!(
            e.to_string(),
            "could not read the proxy's answer to CONNECT"
        );
    }

    #[test]
    fn a_server_trickling_its_upgrade_answer_is_cut_off_at_the_timeout() {
        let port = trickler("HTTP/1.1 101 Switching Protocols\r\nX-Slow: ");
        let mut net = settings(None);
        net.https = false;
        net.timeout = Duration::from_millis(500);
        let url = WebSocketUrl::new(format!("ws://127.0.0.1:{port}/s3cr3t"));
        let started = std::time::Instant::now();
        let e = timed_out_within(open(&url, &net, &mut None), started);
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
        assert_eq!(
            e.to_string(),
            "the WebSocket upgrade got no answer within 500 ms"
        );
    }
}
