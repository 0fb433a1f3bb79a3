//! Errors that name the fix: which of the client's timeouts ran out (in the builder's words,
//! with its value), an `https://` endpoint on a plain-HTTP port (told at once, never
//! retried), and a region that reads like a typo of one AWS has.

use std::error::Error as _;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::support::raw::Conn;
use crate::support::scripted::{Action, Scripted, closed_port};
use crate::support::server::Server;
use crate::support::{counting_random, participant_streaming_to, token};
use connect_participant::emulator::Emulator;
use connect_participant::{Client, ClientBuilder, ErrorKind, PresignedUrl, SendEventRequest};

/// The longest a test server waits for the client: a bound for a broken test.
const SAFETY_NET: Duration = Duration::from_secs(10);

/// What the client is told for `https://` on a plain-HTTP port.
fn not_tls(url: &str) -> String {
    format!(
        "{url} does not speak TLS: the server answered the TLS handshake with bytes that are \
         not TLS (plain HTTP, most likely); for a plain-HTTP server (such as the emulator), \
         give an http:// endpoint URL, not https://"
    )
}

fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .endpoint_url(url)
        .random_source(counting_random)
        .sleep_fn(|_| {})
}

/// A typing event sent to `url`, an `https://` URL on a plain-HTTP port: its error, the
/// not-TLS one, after one attempt. `what` names the server in the time printed.
fn not_tls_failure(url: &str, what: &str) -> connect_participant::Error {
    // A connect timeout the test would wait three times over if the handshake stalled.
    let client = builder(url)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = client
        .send_event(&token(), &SendEventRequest::typing())
        .unwrap_err();
    eprintln!("https:// to {what} failed in {:?}", started.elapsed());
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(e.to_string(), not_tls(url));
    assert_eq!(e.attempts(), 1, "never retried");
    e
}

/// Reads until the client closes (or the safety net): a server that says nothing.
fn silent(_: usize, mut stream: TcpStream, _: &AtomicBool) -> Vec<u8> {
    let _ = stream.set_read_timeout(Some(SAFETY_NET));
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    for _ in 0..1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    seen
}

/// A plain-HTTP server as nginx or the emulator is one: whatever comes first, a 400 and the
/// end of the connection. Returns the first byte the client sent.
fn plain_http(_: usize, mut stream: TcpStream, _: &AtomicBool) -> Option<u8> {
    let _ = stream.set_read_timeout(Some(SAFETY_NET));
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).unwrap_or(0);
    let _ = stream
        .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = stream.shutdown(Shutdown::Write);
    silent(0, stream, &AtomicBool::new(false));
    buf[..n].first().copied()
}

#[test]
fn https_to_the_plain_http_emulator_fails_at_once_and_names_the_scheme() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.url().replacen("http://", "https://", 1);
    let e = not_tls_failure(&url, "the plain-HTTP emulator");
    assert!(!e.is_retryable());
    assert_eq!(e.status(), None);
    assert!(e.source().is_some(), "rustls's words are kept as the cause");
}

#[test]
fn the_emulator_answers_a_client_hello_with_400_at_once() {
    let emulator = Emulator::start().unwrap();
    let mut conn = Conn::open(emulator.url().trim_start_matches("http://"));
    // A TLS 1.2 record header, then the start of a ClientHello: no line end anywhere.
    conn.send(&[
        0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03,
    ]);
    let answer = String::from_utf8(conn.read_all()).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    assert!(
        answer.ends_with(
            "{\"message\":\"a TLS handshake on a plain-HTTP port: the emulator speaks \
             http://, not https://\"}"
        ),
        "{answer}"
    );
}

#[test]
fn a_plain_http_server_answering_the_handshake_is_told_once_and_not_retried() {
    let server = Server::start("plain-http", 4, plain_http);
    let url = format!("https://127.0.0.1:{}", server.port());
    not_tls_failure(&url, "a plain-HTTP server");
    let firsts = server.finish();
    assert_eq!(
        firsts,
        vec![Some(0x16)],
        "one connection, which began a TLS handshake"
    );
}

#[test]
fn a_presigned_url_on_a_plain_http_port_names_the_url_without_showing_it() {
    let server = Server::start("plain-http", 4, plain_http);
    let client = builder(&format!("http://127.0.0.1:{}", closed_port()))
        .build()
        .unwrap();
    let url = PresignedUrl::new(format!(
        "https://127.0.0.1:{}/bucket/a?X-Amz-Signature=s3cr3t",
        server.port()
    ));
    let e = client
        .download_attachment(&url, &mut Vec::new(), 1000)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(
        e.to_string(),
        "the presigned download URL does not speak TLS: the server answered the TLS \
         handshake with bytes that are not TLS (plain HTTP, most likely)"
    );
    assert_eq!(e.attempts(), 1);
    assert_eq!(server.finish().len(), 1);
}

#[test]
fn the_stream_on_a_plain_http_port_says_the_websocket_host_does_not_speak_tls() {
    let emulator = Emulator::start().unwrap();
    let server = Server::start("plain-ws", 4, plain_http);
    let port = server.port();
    let url = format!("wss://127.0.0.1:{port}/s3cr3t-url");
    let (me, _) = participant_streaming_to(&emulator, emulator.client_builder(), &url);
    let e = me.stream().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(
        e.to_string(),
        format!(
            "the WebSocket host 127.0.0.1:{port} does not speak TLS: the server answered the \
             TLS handshake with bytes that are not TLS (plain HTTP, most likely)"
        )
    );
    assert!(!format!("{e:?}").contains("s3cr3t-url"));
    assert_eq!(server.finish(), vec![Some(0x16)], "not retried");
}

#[test]
fn a_stalled_handshake_names_connect_timeout_and_its_value() {
    let server = Server::start("silent", 4, silent);
    let url = format!("https://127.0.0.1:{}", server.port());
    let client = builder(&url)
        .connect_timeout(Duration::from_millis(300))
        .max_attempts(1)
        .build()
        .unwrap();
    let e = client
        .send_event(&token(), &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(
        e.to_string(),
        format!("the request to {url} timed out: no connection within connect_timeout (0.3 s)")
    );
    assert!(
        e.source().is_none(),
        "ureq's words (timeout: connect) are not shown"
    );
    assert!(e.is_retryable());
    let seen = server.finish();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].first(),
        Some(&0x16),
        "the ClientHello went unanswered"
    );
}

#[test]
fn a_download_that_never_answers_names_its_whole_bound() {
    let s3 = Scripted::start(vec![Action::Hang]);
    let client = builder(&format!("http://127.0.0.1:{}", closed_port()))
        .timeout(Duration::from_millis(300))
        .max_attempts(1)
        .build()
        .unwrap();
    let url = PresignedUrl::new(format!("{}/bucket/a?X-Amz-Signature=s3cr3t", s3.url()));
    // 100 KB allowed: the timeout and 2 s more.
    let e = client
        .download_attachment(&url, &mut Vec::new(), 100_000)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(
        e.to_string(),
        "the request to the presigned download URL timed out: no whole answer within 2.3 s \
         (the timeout, 0.3 s, plus 1 s per 50 KB of the attachment)"
    );
    assert_eq!(s3.finish().requests.len(), 1);
}

#[test]
fn a_region_typo_is_still_tried_and_its_failure_names_the_region_meant() {
    for (typo, meant) in [
        ("us-west2", "us-west-2"),
        ("useast-1", "us-east-1"),
        ("us-east-l", "us-east-1"),
    ] {
        let client = Client::builder()
            .region(typo)
            .random_source(counting_random)
            .max_attempts(1)
            .build()
            .unwrap();
        let e = client
            .send_event(&token(), &SendEventRequest::typing())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
        assert_eq!(
            e.to_string(),
            format!(
                "the request to https://participant.connect.{typo}.amazonaws.com failed: \
                 {typo} is not a region name AWS uses (they read like us-east-1); the region \
                 meant may be {meant}"
            )
        );
    }
}
