//! Roots from PEM and refused certificates, against local HTTPS and WSS servers whose CA
//! and certificates `support::ca` makes.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::support::ca::{Ca, San, pem, server_config};
use crate::support::process::{BIN, bounded_wait};
use crate::support::scripted::{find_header_end, read_request};
use crate::support::ws::{HEARTBEAT, SUBSCRIBED, chat_frame};
use crate::support::{
    counting_random, ok_response, participant_streaming_to, participant_streaming_with, token,
};
use connect_participant::{ChatStream, Client, ClientBuilder, ErrorKind, SendEventRequest};

/// The tail of a refused unknown issuer's message: how to trust another root.
const ADD_A_ROOT: &str = "if a private CA or a TLS-inspecting proxy issued it, trust its \
     root: ClientBuilder::add_root_certificates_pem, AWS_CA_BUNDLE with \
     ClientBuilder::from_env, or the platform-verifier feature (the operating system's \
     verifier and roots)";

/// A server on 127.0.0.1 that takes one connection: the TLS handshake, one request read,
/// a fixed 200 SendEvent answer. Its thread returns the request's head, or why it failed.
fn serve_once(cert: Vec<u8>, pkcs8: Vec<u8>) -> (String, JoinHandle<Result<String, String>>) {
    let config = server_config(cert, pkcs8);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let handle = thread::spawn(move || {
        let (tcp, _) = listener.accept().map_err(|e| e.to_string())?;
        answer(tcp, Arc::new(config)).map_err(|e| e.to_string())
    });
    (url, handle)
}

fn answer(tcp: TcpStream, config: Arc<rustls::ServerConfig>) -> std::io::Result<String> {
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    tcp.set_write_timeout(Some(Duration::from_secs(10)))?;
    let conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let request = read_request(&mut tls, &mut Vec::new())?;
    let head_end = find_header_end(&request).expect("a whole head was read");
    let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
    tls.write_all(&ok_response())?;
    tls.flush()?;
    tls.conn.send_close_notify();
    tls.flush()?;
    Ok(head)
}

fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .endpoint_url(url)
        .random_source(counting_random)
        .sleep_fn(|_| panic!("a refused certificate must not be retried"))
}

/// Sends one event through `builder` to a server with `cert`; the server's outcome too.
fn send(
    builder: ClientBuilder,
    server: JoinHandle<Result<String, String>>,
) -> (
    connect_participant::Result<connect_participant::SendEventOutput>,
    Result<String, String>,
) {
    let client = builder.build().expect("the client builds");
    let result = client.send_event(&token(), &SendEventRequest::typing());
    // The client connected (or failed to) before returning; the server's reads time out.
    let served = server.join().expect("the server thread does not panic");
    (result, served)
}

#[test]
fn without_the_ca_the_certificate_is_refused_once_with_how_to_add_a_root() {
    let ca = Ca::new("test CA");
    let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
    let (url, server) = serve_once(cert, key);
    let (result, served) = send(builder(&url), server);
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Certificate);
    assert_eq!(e.attempts(), 1);
    assert!(!e.is_retryable());
    assert_eq!(
        e.to_string(),
        format!(
            "the TLS certificate of {url} was refused: unknown issuer (no trusted root \
             certificate signed it); {ADD_A_ROOT}"
        )
    );
    assert!(served.is_err(), "no request was read: {served:?}");
}

#[test]
fn a_ca_added_to_mozillas_roots_is_trusted() {
    let ca = Ca::new("test CA");
    let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
    let (url, server) = serve_once(cert, key);
    let (result, served) = send(builder(&url).add_root_certificates_pem(&ca.pem), server);
    let out = result.expect("the CA added is trusted");
    assert_eq!(out.id.as_deref(), Some("event-1"));
    let head = served.unwrap();
    assert!(
        head.starts_with("POST /participant/event HTTP/1.1\r\n"),
        "{head}"
    );
}

#[test]
fn a_ca_instead_of_mozillas_roots_is_trusted_and_other_roots_are_not() {
    let ca = Ca::new("test CA");
    let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
    let (url, server) = serve_once(cert, key);
    let (result, served) = send(builder(&url).root_certificates_pem(&ca.pem), server);
    assert!(result.is_ok(), "{result:?}");
    assert!(served.is_ok(), "{served:?}");

    let other = Ca::new("other CA");
    let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
    let (url, server) = serve_once(cert, key);
    let (result, _) = send(builder(&url).root_certificates_pem(&other.pem), server);
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Certificate);
    assert_eq!(e.attempts(), 1);
    assert!(e.to_string().contains(": unknown issuer ("), "{e}");

    // Both, in one bundle, as AWS_CA_BUNDLE files often are; then one added to the other.
    for builder in [
        builder(&url).root_certificates_pem(format!("{}{}", other.pem, ca.pem)),
        builder(&url)
            .root_certificates_pem(&other.pem)
            .add_root_certificates_pem(&ca.pem),
    ] {
        let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
        let (url, server) = serve_once(cert, key);
        let (result, _) = send(builder.endpoint_url(&url), server);
        assert!(result.is_ok(), "{result:?}");
    }
}

#[test]
fn a_certificate_for_another_name_is_refused_as_a_name_mismatch() {
    let ca = Ca::new("test CA");
    let (cert, key) = ca.server(San::Dns("participant.example"));
    let (url, server) = serve_once(cert, key);
    let (result, _) = send(builder(&url).add_root_certificates_pem(&ca.pem), server);
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Certificate);
    assert_eq!(e.attempts(), 1);
    assert_eq!(
        e.to_string(),
        format!(
            "the TLS certificate of {url} was refused: name mismatch (it is not valid for the \
             endpoint URL's host; it is for participant.example); use an endpoint \
             URL with a name the certificate is for: a root certificate does not change this"
        )
    );
}

#[test]
fn bad_pem_is_refused_at_build() {
    let ca = Ca::new("test CA");
    let not_pem = Client::builder()
        .endpoint_url("https://127.0.0.1:9")
        .add_root_certificates_pem("-----BEGIN CERTIFICATE-----\nMIIB")
        .build()
        .unwrap_err();
    assert_eq!(not_pem.kind(), ErrorKind::InvalidConfig);
    assert_eq!(
        not_pem.to_string(),
        "invalid root certificate PEM \"-----BEGIN CERTIFICATE-----\\nMIIB\" given to \
         add_root_certificates_pem: a section has no END line"
    );
    // A good certificate, then one whose DER is cut: the second is named, the PEM not shown.
    let cut = pem(&[0x30, 0x82, 0x01, 0x00, 0x30]);
    let e = Client::builder()
        .endpoint_url("https://127.0.0.1:9")
        .root_certificates_pem(format!("{}{cut}", ca.pem))
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    let shown = format!("{}{cut}", ca.pem).chars().count();
    assert_eq!(
        e.to_string(),
        format!(
            "invalid root certificate PEM ({shown} characters, not shown) given to \
             root_certificates_pem: certificate 2 of 2 is not a valid X.509 certificate"
        )
    );
    let empty = Client::builder()
        .region("us-east-1")
        .root_certificates_pem("")
        .build()
        .unwrap_err();
    assert_eq!(
        empty.to_string(),
        "invalid root certificate PEM \"\" given to root_certificates_pem: no certificate \
         found (no \"-----BEGIN CERTIFICATE-----\" section)"
    );
}

#[test]
fn aws_ca_bundle_from_the_environment_is_trusted_instead_of_mozillas_roots() {
    let ca = Ca::new("test CA");
    let other = Ca::new("other CA");
    let dir = std::env::temp_dir().join(format!("cp-tls-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (bundle, trusted) in [(&ca, true), (&other, false)] {
        let file = dir.join(format!("{}.pem", bundle.name.replace(' ', "-")));
        std::fs::write(&file, &bundle.pem).unwrap();
        let path = std::ffi::OsString::from(&file);
        let from_env = connect_participant::__cli::client_builder_from_env(|name| {
            (name == "AWS_CA_BUNDLE").then(|| path.clone())
        })
        .unwrap();
        let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
        let (url, server) = serve_once(cert, key);
        let builder = from_env
            .endpoint_url(&url)
            .random_source(counting_random)
            .sleep_fn(|_| panic!("a refused certificate must not be retried"));
        let (result, _) = send(builder, server);
        match trusted {
            true => assert!(result.is_ok(), "{result:?}"),
            false => assert_eq!(result.unwrap_err().kind(), ErrorKind::Certificate),
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_command_line_exits_4_for_a_refused_certificate() {
    let ca = Ca::new("test CA");
    let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
    let (url, server) = serve_once(cert, key);
    let child = std::process::Command::new(BIN)
        .args(["--endpoint-url", &url, "typing"])
        .env("CONNECT_CONNECTION_TOKEN", "conn-token-1")
        .env_remove("CONNECT_PARTICIPANT_TOKEN")
        .env_remove("AWS_CA_BUNDLE")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = bounded_wait(child);
    let _ = server.join();
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "the TLS certificate of {url} was refused: unknown issuer"
        )),
        "{stderr}"
    );
}

#[test]
fn an_expired_certificate_is_refused_as_expired() {
    let ca = Ca::new("test CA");
    let (cert, key) = ca.server_until(San::Ip([127, 0, 0, 1]), "010101000000Z");
    let (url, server) = serve_once(cert, key);
    let (result, _) = send(builder(&url).add_root_certificates_pem(&ca.pem), server);
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Certificate);
    assert_eq!(e.attempts(), 1);
    assert_eq!(
        e.to_string(),
        format!(
            "the TLS certificate of {url} was refused: expired (or this machine's clock is \
             wrong); a root certificate does not change this"
        )
    );
}

/// A WebSocket server over TLS on 127.0.0.1 that takes one connection: the TLS handshake,
/// the upgrade, the subscription answered, then `frame` pushed and heartbeats answered
/// until the client goes. Its thread returns why it stopped, or why it failed.
fn serve_wss_once(
    cert: Vec<u8>,
    pkcs8: Vec<u8>,
    frame: String,
) -> (String, JoinHandle<Result<(), String>>) {
    let (url, handle) = serve_wss(cert, pkcs8, frame, 1);
    (url, thread::spawn(move || handle.join().unwrap().map(drop)))
}

/// [`serve_wss_once`] for `connections` connections one after the other: how each one's
/// TLS handshake went (full, or resuming a session the server gave before).
fn serve_wss(
    cert: Vec<u8>,
    pkcs8: Vec<u8>,
    frame: String,
    connections: usize,
) -> (
    String,
    JoinHandle<Result<Vec<rustls::HandshakeKind>, String>>,
) {
    // One configuration, so one session cache, for every connection.
    let config = Arc::new(server_config(cert, pkcs8));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "wss://{}/connect?token=s3cr3t-url",
        listener.local_addr().unwrap()
    );
    let handle = thread::spawn(move || {
        (0..connections)
            .map(|_| serve_wss_connection(&listener, config.clone(), &frame))
            .collect()
    });
    (url, handle)
}

fn serve_wss_connection(
    listener: &TcpListener,
    config: Arc<rustls::ServerConfig>,
    frame: &str,
) -> Result<rustls::HandshakeKind, String> {
    let (tcp, _) = listener.accept().map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let conn = rustls::ServerConnection::new(config).map_err(|e| e.to_string())?;
    let tls = rustls::StreamOwned::new(conn, tcp);
    let mut ws = tungstenite::accept(tls).map_err(|e| e.to_string())?;
    let kind = ws.get_ref().conn.handshake_kind().ok_or("no handshake")?;
    loop {
        let text = match ws.read() {
            Ok(tungstenite::Message::Text(t)) => t.as_str().to_owned(),
            Ok(_) => continue,
            Err(_) => return Ok(kind),
        };
        if text.contains("aws/subscribe") {
            ws.send(tungstenite::Message::text(SUBSCRIBED))
                .map_err(|e| e.to_string())?;
            if !frame.is_empty() {
                ws.send(tungstenite::Message::text(frame))
                    .map_err(|e| e.to_string())?;
            }
        } else if text.contains("aws/heartbeat") {
            let _ = ws.send(tungstenite::Message::text(HEARTBEAT));
        }
    }
}

#[test]
fn the_streams_of_one_client_share_its_tls_configuration_and_resume_its_sessions() {
    let emulator = connect_participant::emulator::Emulator::start().unwrap();
    let ca = Ca::new("Resumption CA");
    let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
    let item = r#"{"Id":"m1","Type":"MESSAGE","Content":"again","ContentType":"text/plain","ParticipantRole":"AGENT"}"#;
    let (url, server) = serve_wss(cert, key, chat_frame(item), 2);
    // Roots added by PEM: the case where a configuration of each stream's own cost most.
    let client = emulator
        .client_builder()
        .add_root_certificates_pem(&ca.pem)
        .build()
        .unwrap();
    for _ in 0..2 {
        let (me, _) = participant_streaming_with(&emulator, &client, &url);
        let mut stream = me.stream().unwrap();
        // Established, then the message: the server's session tickets have been read.
        let events: Vec<_> = (0..2).map(|_| stream.next().unwrap().unwrap()).collect();
        assert_eq!(
            events[1].item().and_then(|i| i.content.as_deref()),
            Some("again")
        );
        stream.close();
    }
    // The second stream resumed the first one's session: it holds the same configuration
    // (a stream that built its own would start with an empty session cache).
    let kinds = server.join().unwrap().unwrap();
    assert_eq!(
        kinds,
        [rustls::HandshakeKind::Full, rustls::HandshakeKind::Resumed]
    );
}

/// A customer of a chat on `emulator` whose stream goes to a wss server of the test's own
/// (its certificate from a CA named `ca`, which the client trusts by PEM) that pushes one
/// agent message, "over TLS".
fn streaming_over_tls(
    emulator: &connect_participant::emulator::Emulator,
    ca: &'static str,
) -> (
    connect_participant::Participant,
    JoinHandle<Result<(), String>>,
) {
    let ca = Ca::new(ca);
    let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
    let item = r#"{"Id":"m1","Type":"MESSAGE","Content":"over TLS","ContentType":"text/plain","ParticipantRole":"AGENT"}"#;
    let (url, server) = serve_wss_once(cert, key, chat_frame(item));
    let builder = emulator.client_builder().add_root_certificates_pem(&ca.pem);
    let (me, _) = participant_streaming_to(emulator, builder, &url);
    (me, server)
}

#[test]
fn the_stream_trusts_the_clients_roots_over_wss() {
    let emulator = connect_participant::emulator::Emulator::start().unwrap();
    let (me, server) = streaming_over_tls(&emulator, "Stream Test CA");
    let mut stream = me.stream().unwrap();
    assert!(matches!(
        stream.next().unwrap().unwrap(),
        connect_participant::Event::Connection(connect_participant::Connection::Established)
    ));
    match stream.next().unwrap().unwrap() {
        connect_participant::Event::Message(item) => {
            assert_eq!(item.content.as_deref(), Some("over TLS"))
        }
        other => panic!("{other:?}"),
    }
    stream.close();
    server.join().unwrap().unwrap();
}

#[test]
fn the_stream_refuses_a_certificate_the_clients_roots_do_not_trust() {
    let emulator = connect_participant::emulator::Emulator::start().unwrap();
    let ca = Ca::new("Stream Test CA");
    let (cert, key) = ca.server(San::Ip([127, 0, 0, 1]));
    let (url, server) = serve_wss_once(cert, key, String::new());
    let port = url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let (me, _) = participant_streaming_to(&emulator, emulator.client_builder(), &url);
    let e = me.stream().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Certificate, "{e}");
    assert_eq!(
        e.to_string(),
        format!(
            "the TLS certificate of the WebSocket host 127.0.0.1:{port} was refused: unknown \
             issuer (no trusted root certificate signed it); {ADD_A_ROOT}"
        )
    );
    assert!(!format!("{e:?}").contains("s3cr3t-url"));
    assert!(
        server.join().unwrap().is_err(),
        "the handshake failed on the server too"
    );
}

/// The stack a thread that opens a stream over TLS and reads from it is given, in KiB: what
/// ChatStream's docs recommend for a debug build (it needs about 100 KiB);
/// `CONNECT_PARTICIPANT_TEST_STACK_KIB` to measure another (README: Performance).
fn reading_stack() -> usize {
    stack_from("CONNECT_PARTICIPANT_TEST_STACK_KIB", 128)
}

/// The same with the stream's setup on a thread of its own (a debug build needs about
/// 40 KiB): `CONNECT_PARTICIPANT_TEST_SETUP_STACK_KIB` to measure another.
fn reading_stack_with_setup() -> usize {
    stack_from("CONNECT_PARTICIPANT_TEST_SETUP_STACK_KIB", 64)
}

fn stack_from(variable: &str, kib: usize) -> usize {
    std::env::var(variable)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(kib)
        * 1024
}

#[test]
fn a_stream_opens_and_reads_over_tls_on_a_small_stack() {
    open_and_read_over_tls(reading_stack(), false);
}

#[test]
fn with_a_setup_thread_a_stream_opens_and_reads_over_tls_on_a_smaller_stack() {
    open_and_read_over_tls(reading_stack_with_setup(), true);
}

/// A participant made here; its stream opened, read and closed on a thread of `stack`
/// bytes, as a reading thread of its own does it.
fn open_and_read_over_tls(stack: usize, setup_thread: bool) {
    let emulator = connect_participant::emulator::Emulator::start().unwrap();
    let (me, server) = streaming_over_tls(&emulator, "Stack Test CA");
    let reader = thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            let open = ChatStream::builder(&me).setup_thread(setup_thread).open();
            let mut stream = open.unwrap();
            let first = stream.next().unwrap().unwrap();
            let second = stream.next().unwrap().unwrap();
            stream.close();
            (first.name(), second.item().and_then(|i| i.content.clone()))
        })
        .unwrap();
    let (first, content) = reader.join().unwrap();
    assert_eq!(first, "connection");
    assert_eq!(content.as_deref(), Some("over TLS"));
    server.join().unwrap().unwrap();
}
