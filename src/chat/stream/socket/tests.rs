//! The socket over real connections on 127.0.0.1: proxies, TLS, timeouts.

use std::io::{Read, Write};
use std::sync::Arc;

use super::*;
use crate::test_ca::{Ca, San, server_config};

#[test]
fn urls_are_read_without_quoting_them() {
    let t =
        Target::parse("wss://abc.execute-api.us-west-2.amazonaws.com/connect?X=s3cr3t").unwrap();
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

/// A proxy's thread, and its port.
struct ProxyThread {
    port: u16,
    thread: std::thread::JoinHandle<String>,
}

impl ProxyThread {
    /// The head the proxy read. A client that never came is stood in for by an empty
    /// connection, so that a socket that went around the proxy fails the test (an empty
    /// head) rather than leaving it waiting forever in `accept`.
    fn join(self) -> std::thread::Result<String> {
        drop(std::net::TcpStream::connect(("127.0.0.1", self.port)));
        self.thread.join()
    }
}

/// A proxy on 127.0.0.1 that reads one request head, answers `answer`, and hands back
/// the head it read.
fn proxy(answer: &'static str) -> (u16, ProxyThread) {
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
    (
        port,
        ProxyThread {
            port,
            thread: handle,
        },
    )
}

/// A client's network room (HTTPS endpoint unless `https` is false, Mozilla's roots,
/// a 5 s timeout), through `proxy` when one is given.
fn room(proxy: Option<ureq::Proxy>, connect_timeout: Duration, https: bool) -> Net {
    room_trusting(proxy, ureq::tls::RootCerts::WebPki, connect_timeout, https)
}

/// [`room`] with other roots.
fn room_trusting(
    proxy: Option<ureq::Proxy>,
    root_certs: ureq::tls::RootCerts,
    connect_timeout: Duration,
    https: bool,
) -> Net {
    room_timed(
        proxy,
        root_certs,
        connect_timeout,
        Duration::from_secs(5),
        https,
    )
}

/// [`room_trusting`] with another timeout.
fn room_timed(
    proxy: Option<ureq::Proxy>,
    root_certs: ureq::tls::RootCerts,
    connect_timeout: Duration,
    timeout: Duration,
    https: bool,
) -> Net {
    let url = if https {
        "https://participant.example.invalid"
    } else {
        "http://participant.example.invalid"
    };
    let endpoint = crate::Endpoint::from_url(url).unwrap();
    Net::new(&crate::net::Settings {
        endpoint: &endpoint,
        root_certs,
        connect_timeout,
        timeout,
        user_agent: "connect-participant/test",
        proxy,
    })
}

#[test]
fn a_non_loopback_websocket_goes_through_the_proxy_with_connect() {
    let (port, head) = proxy("HTTP/1.1 200 Connection established\r\n\r\n");
    let p = ureq::Proxy::new(&format!("http://user:pa%3Ass@127.0.0.1:{port}")).unwrap();
    let url = WebSocketUrl::new("wss://chat.example.invalid/connect?token=s3cr3t".into());
    let net = room(Some(p), Duration::from_secs(5), true);
    let Err(OpenError::Failed(e)) = open(&url, &net) else {
        panic!("the tunnel leads nowhere: TLS must fail");
    };
    // The proxy answered 200, then closed: the TLS handshake over the tunnel broke.
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(
        e.to_string(),
        "could not connect to the WebSocket host chat.example.invalid:443"
    );
    assert!(!format!("{e:?}").contains("s3cr3t"));
    let head = head.join().unwrap();
    // ureq decodes the password from 3.5 ("pa:ss"); older minors give it as written.
    let user = if head.contains("dXNlcjpwYTpzcw==") {
        "dXNlcjpwYTpzcw=="
    } else {
        "dXNlcjpwYSUzQXNz"
    };
    // What the client's calls send through the same proxy: the same chain made it.
    assert_eq!(
        head,
        format!(
            "CONNECT chat.example.invalid:443 HTTP/1.1\r\nHost: chat.example.invalid:443\r\n\
             User-Agent: connect-participant/test\r\nProxy-Connection: Keep-Alive\r\n\
             Proxy-Authorization: Basic {user}\r\n\r\n"
        ),
        "the path and query (the secret) never reach the proxy"
    );
}

#[test]
fn a_proxy_answer_that_fills_the_sockets_input_buffer_is_read_whole_or_refused() {
    // 2 KiB in: a long answer of 19 headers (ureq reads at most 20) still fits, and the
    // tunnel is made (then TLS fails, nothing being behind it).
    let header = format!("X-Proxy-Note: {}\r\n", "n".repeat(84));
    let long = format!(
        "HTTP/1.1 200 Connection established\r\n{}\r\n",
        header.repeat(19)
    );
    assert!(long.len() > 1900 && long.len() < 2048, "{}", long.len());
    // One header longer than the buffer: refused, at once, not waited on.
    let huge = format!(
        "HTTP/1.1 200 Connection established\r\nX-Proxy-Note: {}\r\n\r\n",
        "n".repeat(10_000)
    );
    for (answer, said) in [
        (
            long,
            "could not connect to the WebSocket host chat.example.invalid:443",
        ),
        (
            huge,
            "the proxy gave no tunnel to the WebSocket host chat.example.invalid:443 (it \
             closed the connection or did not answer CONNECT)",
        ),
    ] {
        let (port, head) = proxy(answer.leak());
        let p = ureq::Proxy::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let url = WebSocketUrl::new("wss://chat.example.invalid/s3cr3t".into());
        let net = room(Some(p), Duration::from_secs(5), true);
        let Err(OpenError::Failed(e)) = open(&url, &net) else {
            panic!("nothing is behind the tunnel");
        };
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert_eq!(e.to_string(), said);
        assert!(
            head.join()
                .unwrap()
                .starts_with("CONNECT chat.example.invalid:443 ")
        );
    }
}

#[test]
fn a_proxy_refusing_the_tunnel_is_a_transport_error() {
    let (port, head) = proxy("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
    let p = ureq::Proxy::new(&format!("http://127.0.0.1:{port}")).unwrap();
    let url = WebSocketUrl::new("wss://chat.example.invalid/s3cr3t".into());
    let net = room(Some(p), Duration::from_secs(5), true);
    let Err(OpenError::Failed(e)) = open(&url, &net) else {
        panic!("refused");
    };
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert_eq!(
        e.to_string(),
        "the proxy refused the tunnel to the WebSocket host chat.example.invalid:443: HTTP 407"
    );
    assert!(!head.join().unwrap().contains("Proxy-Authorization"));
}

#[test]
fn a_socks_proxy_is_refused_before_connecting_and_its_credentials_are_not_shown() {
    // Nothing listens there: a refusal that came from connecting would say so.
    let p = ureq::Proxy::new("socks5://user:hunter2@127.0.0.1:1").unwrap();
    let net = room(Some(p), Duration::from_secs(5), true);
    let url = WebSocketUrl::new("wss://chat.example.invalid/connect?token=s3cr3t".into());
    let Err(OpenError::Failed(e)) = open(&url, &net) else {
        panic!("refused");
    };
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    assert_eq!(
        e.to_string(),
        "the chat stream cannot reach the WebSocket through a SOCKS proxy; name an HTTP \
         or HTTPS proxy, or the WebSocket's host in NO_PROXY"
    );
    assert!(!format!("{e:?}").contains("hunter2") && !format!("{e:?}").contains("s3cr3t"));
}

#[test]
fn a_plain_url_is_refused_for_an_https_client_before_connecting() {
    let url = WebSocketUrl::new("ws://127.0.0.1:1/s3cr3t".into());
    let net = room(None, Duration::from_secs(5), true);
    let Err(OpenError::Failed(e)) = open(&url, &net) else {
        panic!("refused");
    };
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert_eq!(
        e.to_string(),
        "the service gave a plain ws:// WebSocket URL to an HTTPS client; only a client \
         pointed at a plain http:// endpoint takes one"
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
fn a_proxy_trickling_its_answer_to_connect_is_cut_off_at_the_connect_timeout() {
    // The tunnel is part of the connection's setup, as for a call: the connect timeout
    // bounds it as one deadline, however slowly the answer comes.
    let port = trickler("HTTP/1.1 200 OK\r\nX-Slow: ");
    let p = ureq::Proxy::new(&format!("http://127.0.0.1:{port}")).unwrap();
    let net = room(Some(p), Duration::from_millis(500), true);
    let url = WebSocketUrl::new("wss://chat.example.invalid/s3cr3t".into());
    let started = std::time::Instant::now();
    let e = timed_out_within(open(&url, &net), started);
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(
        e.to_string(),
        "could not connect to the WebSocket host chat.example.invalid:443 within \
         connect_timeout (0.5 s)"
    );
}

#[test]
fn a_server_trickling_its_upgrade_answer_is_cut_off_at_the_timeout() {
    let port = trickler("HTTP/1.1 101 Switching Protocols\r\nX-Slow: ");
    let net = room_timed(
        None,
        ureq::tls::RootCerts::WebPki,
        Duration::from_secs(5),
        Duration::from_millis(500),
        false,
    );
    let url = WebSocketUrl::new(format!("ws://127.0.0.1:{port}/s3cr3t"));
    let started = std::time::Instant::now();
    let e = timed_out_within(open(&url, &net), started);
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(
        e.to_string(),
        "the WebSocket upgrade got no answer within timeout (0.5 s)"
    );
}

/// What the TLS servers below push once the client is upgraded.
const PUSHED: &str = "a frame through TLS";

/// Opens `url` through `net`, reads [`PUSHED`] and closes.
fn opens_and_reads_what_is_pushed(url: &WebSocketUrl, net: &Net) {
    let mut socket = match open(url, net) {
        Ok(socket) => socket,
        Err(OpenError::Failed(e)) => panic!("{e}"),
        Err(OpenError::Refused(status)) => panic!("refused: {status}"),
    };
    match socket.read(Duration::from_secs(10)) {
        Read1::Text(text) => assert_eq!(text.as_str(), PUSHED),
        Read1::Idle => panic!("nothing came"),
        Read1::Closed(code) => panic!("closed: {code:?}"),
        Read1::Broken(why) => panic!("{why}"),
    }
    socket.close(Duration::from_secs(1));
}

/// The roots of a client that trusts `ca` (and Mozilla's roots beside it).
fn trusting(ca: &Ca) -> ureq::tls::RootCerts {
    let mut roots = crate::net::tls::Roots::default();
    roots.add(ca.pem.as_bytes());
    roots.root_certs(false).unwrap()
}

/// Upgrades `stream` (a TLS server's side) to a WebSocket and pushes [`PUSHED`].
fn upgrade_and_push(stream: impl io::Read + io::Write) -> std::result::Result<(), String> {
    let mut ws = tungstenite::accept(stream).map_err(|e| e.to_string())?;
    ws.send(Message::text(PUSHED)).map_err(|e| e.to_string())?;
    ws.flush().map_err(|e| e.to_string())?;
    // Until the client closes: its close frame, or its going, ends the read.
    while ws.read().is_ok() {}
    Ok(())
}

/// An HTTPS proxy on 127.0.0.1 (TLS with a certificate for 127.0.0.1 from `ca`) that
/// answers one CONNECT with 200 and then, instead of opening a connection, is itself
/// the server at the tunnel's end: TLS with a certificate for `chat.example.test`
/// from `ca` (so two TLS layers run over the one TCP connection), then the WebSocket.
/// Its thread gives back the CONNECT request's head.
fn https_proxy_with_a_wss_server_inside(
    ca: &Ca,
) -> (
    u16,
    std::thread::JoinHandle<std::result::Result<String, String>>,
) {
    let (proxy_cert, proxy_key) = ca.server(San::Ip([127, 0, 0, 1]));
    let (chat_cert, chat_key) = ca.server(San::Dns("chat.example.test"));
    let proxy_tls = Arc::new(server_config(proxy_cert, proxy_key));
    let chat_tls = Arc::new(server_config(chat_cert, chat_key));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().map_err(|e| e.to_string())?;
        tcp.set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        let conn = rustls::ServerConnection::new(proxy_tls).map_err(|e| e.to_string())?;
        let mut outer = rustls::StreamOwned::new(conn, tcp);
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 4096 {
            let n = outer.read(&mut byte).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("the client went before CONNECT ended".into());
            }
            head.push(byte[0]);
        }
        outer
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .map_err(|e| e.to_string())?;
        let conn = rustls::ServerConnection::new(chat_tls).map_err(|e| e.to_string())?;
        upgrade_and_push(rustls::StreamOwned::new(conn, outer))?;
        String::from_utf8(head).map_err(|e| e.to_string())
    });
    (port, handle)
}

#[test]
fn a_wss_stream_goes_through_an_https_proxy() {
    let ca = Ca::new("Proxy Test CA");
    let (port, server) = https_proxy_with_a_wss_server_inside(&ca);
    let proxy = ureq::Proxy::new(&format!("https://127.0.0.1:{port}")).unwrap();
    let net = room_trusting(Some(proxy), trusting(&ca), Duration::from_secs(5), true);
    let url = WebSocketUrl::new("wss://chat.example.test/connect?token=s3cr3t".into());
    opens_and_reads_what_is_pushed(&url, &net);
    let head = server.join().unwrap().unwrap();
    assert_eq!(
        head,
        "CONNECT chat.example.test:443 HTTP/1.1\r\nHost: chat.example.test:443\r\n\
         User-Agent: connect-participant/test\r\nProxy-Connection: Keep-Alive\r\n\r\n",
        "only the host reaches the proxy, not the URL's secret"
    );
}

#[test]
fn every_wss_socket_of_a_client_shares_its_tls_configuration() {
    // One rustls configuration per client holds one session cache: the second socket
    // to a server resumes the first's session. A configuration (and root store) built
    // per socket would make a full handshake each time.
    let ca = Ca::new("Shared Config Test CA");
    let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
    let tls = Arc::new(server_config(cert, key));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "wss://{}/connect?token=s3cr3t",
        listener.local_addr().unwrap()
    );
    let server = std::thread::spawn(move || {
        let mut kinds = Vec::new();
        for _ in 0..2 {
            let (tcp, _) = listener.accept().map_err(|e| e.to_string())?;
            tcp.set_read_timeout(Some(Duration::from_secs(10)))
                .map_err(|e| e.to_string())?;
            let conn =
                rustls::ServerConnection::new(Arc::clone(&tls)).map_err(|e| e.to_string())?;
            let mut stream = rustls::StreamOwned::new(conn, tcp);
            while stream.conn.is_handshaking() {
                stream
                    .conn
                    .complete_io(&mut stream.sock)
                    .map_err(|e| e.to_string())?;
            }
            kinds.push(format!("{:?}", stream.conn.handshake_kind()));
            upgrade_and_push(stream)?;
        }
        Ok::<_, String>(kinds)
    });
    // A plain-HTTP endpoint: no call has made a TLS connection before the sockets.
    let net = room_trusting(None, trusting(&ca), Duration::from_secs(5), false);
    let url = WebSocketUrl::new(url);
    opens_and_reads_what_is_pushed(&url, &net);
    opens_and_reads_what_is_pushed(&url, &net);
    assert_eq!(
        server.join().unwrap().unwrap(),
        ["Some(Full)", "Some(Resumed)"]
    );
}

/// Not a check: RSS growth per open wss socket of one client whose roots were added
/// by PEM (`cargo test --all-features --lib rss_per_wss_socket -- --ignored
/// --nocapture`).
#[test]
#[ignore]
fn rss_per_wss_socket() {
    const N: usize = 50;
    let rss = || {
        let s = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = s.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    let ca = Ca::new("RSS Test CA");
    let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
    let tls = Arc::new(server_config(cert, key));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("wss://{}/s3cr3t", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for _ in 0..=N {
            let (tcp, _) = listener.accept().unwrap();
            let tls = Arc::clone(&tls);
            // The server's side as small as it goes: it is counted too.
            let small = tungstenite::protocol::WebSocketConfig::default()
                .read_buffer_size(256)
                .write_buffer_size(0);
            let serve = move || {
                let conn = rustls::ServerConnection::new(tls).unwrap();
                let tls = rustls::StreamOwned::new(conn, tcp);
                let mut ws = tungstenite::accept_with_config(tls, Some(small)).unwrap();
                ws.send(Message::text(PUSHED)).unwrap();
                while ws.read().is_ok() {}
            };
            let server = std::thread::Builder::new().stack_size(256 * 1024);
            server.spawn(serve).unwrap();
        }
    });
    let net = room_trusting(None, trusting(&ca), Duration::from_secs(5), false);
    let url = WebSocketUrl::new(url);
    let read = |socket: &mut Socket| match socket.read(Duration::from_secs(10)) {
        Read1::Text(text) => assert_eq!(text.as_str(), PUSHED),
        _ => panic!("nothing read"),
    };
    let mut first = open(&url, &net).ok().unwrap();
    read(&mut first);
    let before = rss();
    let mut sockets: Vec<Socket> = (0..N).map(|_| open(&url, &net).ok().unwrap()).collect();
    sockets.iter_mut().for_each(read);
    let after = rss();
    println!(
        "{:.1} KiB RSS per wss socket",
        (after - before) as f64 / N as f64
    );
}

/// A WebSocket server over TLS on 127.0.0.1 with a certificate for 127.0.0.1 from
/// `ca`, for one connection.
#[cfg(feature = "platform-verifier")]
fn wss_server(
    cert: Vec<u8>,
    key: Vec<u8>,
) -> (
    String,
    std::thread::JoinHandle<std::result::Result<(), String>>,
) {
    let tls = Arc::new(server_config(cert, key));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "wss://{}/connect?token=s3cr3t",
        listener.local_addr().unwrap()
    );
    let handle = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().map_err(|e| e.to_string())?;
        tcp.set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        let conn = rustls::ServerConnection::new(tls).map_err(|e| e.to_string())?;
        upgrade_and_push(rustls::StreamOwned::new(conn, tcp))
    });
    (url, handle)
}

/// Says the child process of the platform verifier's test where the server's
/// certificate and key are (two DER files, by path, `:`-separated).
#[cfg(feature = "platform-verifier")]
const CHILD: &str = "CONNECT_PARTICIPANT_TEST_PLATFORM_VERIFIER_CHILD";

#[test]
#[cfg(feature = "platform-verifier")]
fn a_wss_stream_verifies_with_the_platform_verifier() {
    let ca = Ca::new("Platform Verifier Test CA");
    let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
    // Here, the operating system's roots do not hold the test CA: the stream uses the
    // platform verifier (it refuses the certificate, rather than the configuration).
    let (url, server) = wss_server(cert.clone(), key.clone());
    let net = room_trusting(
        None,
        ureq::tls::RootCerts::PlatformVerifier,
        Duration::from_secs(5),
        true,
    );
    let Err(OpenError::Failed(e)) = open(&WebSocketUrl::new(url), &net) else {
        panic!("the test CA is not among the operating system's roots");
    };
    assert_eq!(e.kind(), ErrorKind::Certificate, "{e}");
    assert!(
        server.join().unwrap().is_err(),
        "the handshake failed there too"
    );
    // A child process whose store holds it (SSL_CERT_FILE, which the verifier reads on
    // Linux) trusts the server.
    let dir = std::env::temp_dir().join(format!("cp-platform-verifier-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (ca_file, cert_file, key_file) = (
        dir.join("ca.pem"),
        dir.join("cert.der"),
        dir.join("key.der"),
    );
    std::fs::write(&ca_file, &ca.pem).unwrap();
    std::fs::write(&cert_file, &cert).unwrap();
    std::fs::write(&key_file, &key).unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "chat::stream::socket::tests::platform_verifier_child",
            "--exact",
            "--ignored",
            "--test-threads=1",
        ])
        .env("SSL_CERT_FILE", &ca_file)
        .env(
            CHILD,
            format!("{}:{}", cert_file.display(), key_file.display()),
        )
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[cfg(feature = "platform-verifier")]
#[ignore = "run in a child process by a_wss_stream_verifies_with_the_platform_verifier"]
fn platform_verifier_child() {
    let files = std::env::var(CHILD).expect("run by its parent test");
    let (cert, key) = files.split_once(':').unwrap();
    let (url, server) = wss_server(std::fs::read(cert).unwrap(), std::fs::read(key).unwrap());
    let net = room_trusting(
        None,
        ureq::tls::RootCerts::PlatformVerifier,
        Duration::from_secs(5),
        true,
    );
    opens_and_reads_what_is_pushed(&WebSocketUrl::new(url), &net);
    server.join().unwrap().unwrap();
}
