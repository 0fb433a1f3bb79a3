//! The direct driver's pool and the headers it adds, over real sockets on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

use ureq::unversioned::transport::TcpConnector;

use super::*;

/// A driver over plain TCP with the calls' pool limits, and a URI of a listener that
/// never answers (the kernel completes the connections it does not accept).
fn driver() -> (Direct, TcpListener, Uri) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let uri = format!("http://{}/", listener.local_addr().expect("addr"));
    let config = ureq::Agent::config_builder()
        .max_idle_connections(32)
        .max_idle_connections_per_host(32)
        .build();
    let chain = ().chain(TcpConnector::default());
    let timeout = Duration::from_secs(5);
    let direct = Direct::new(config, chain, "test", timeout, timeout);
    (direct, listener, uri.parse().expect("uri"))
}

/// Makes `n` connections to `uri`, all open at once, then returns each to the pool.
fn pool(direct: &Direct, uri: &Uri, n: usize) {
    let deadline = Deadline(Instant::now() + Duration::from_secs(5));
    let conns: Vec<Conn> = (0..n)
        .map(|_| direct.connection(uri, &deadline).expect("connect"))
        .collect();
    for conn in conns {
        direct.cleanup(conn, false);
    }
}

fn idle(direct: &Direct) -> usize {
    direct.idle.lock().expect("pool").len()
}

#[test]
fn at_most_32_connections_are_kept_idle() {
    let (direct, _listener, uri) = driver();
    pool(&direct, &uri, 33);
    assert_eq!(idle(&direct), 32);
    // One the answer said to close is not kept.
    let conn = direct.take_idle(&uri).expect("an idle connection");
    direct.cleanup(conn, true);
    assert_eq!(idle(&direct), 31);
}

#[test]
fn an_idle_connection_past_the_idle_age_is_dropped_not_used() {
    let (direct, _listener, uri) = driver();
    pool(&direct, &uri, 3);
    assert_eq!(idle(&direct), 3);
    let old = Instant::now()
        .checked_sub(direct.max_idle_age + Duration::from_secs(1))
        .expect("a machine up for longer than the idle age");
    direct.idle.lock().expect("pool")[0].since = old;
    assert!(direct.take_idle(&uri).is_some());
    // The old one dropped, one taken, one left.
    assert_eq!(idle(&direct), 1);
    // Nothing is kept for another host.
    let other: Uri = "http://127.0.0.2:9/".parse().expect("uri");
    assert!(direct.take_idle(&other).is_none());
    assert_eq!(idle(&direct), 1);
}

/// Answers one request (its head, and its body if it ends in `{}`) on one connection
/// with `answer`, holds the connection until the client side closes it, and gives the
/// request's bytes.
fn answer_once(listener: TcpListener, answer: &'static [u8]) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().expect("accept");
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        let whole = |r: &[u8]| {
            let head = r.windows(4).position(|w| w == b"\r\n\r\n");
            head.is_some_and(|end| !r.starts_with(b"POST") || r.len() == end + 6)
        };
        while !whole(&request) {
            let n = socket.read(&mut buf).expect("read");
            assert!(n > 0, "the request ended early");
            request.extend_from_slice(&buf[..n]);
        }
        socket.write_all(answer).expect("write");
        // Until the client drops its side (or the test ends).
        let _ = socket.read(&mut buf);
        String::from_utf8(request).expect("text")
    })
}

fn run(direct: &Direct, request: Request<()>, body: Option<&[u8]>) -> Answer {
    match direct.run(request, body, 1024) {
        Ok(answer) => answer,
        Err(failed) => panic!("{}", failed.error),
    }
}

fn post(direct: &Direct, uri: &Uri) -> Answer {
    let request = Request::post(uri.clone()).body(()).expect("request");
    run(direct, request, Some(b"{}"))
}

const OK: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

/// The headers the agent adds: the body's length (none for no body) and the user agent.
#[test]
fn a_request_gets_its_length_and_the_user_agent() {
    let (direct, listener, uri) = driver();
    let authority = uri.authority().expect("authority").to_string();
    let server = answer_once(listener, OK);
    assert_eq!(post(&direct, &uri).body, b"ok");
    drop(direct);
    let want = format!(
        "POST / HTTP/1.1\r\ncontent-length: 2\r\nuser-agent: test\r\nhost: {authority}\r\n\r\n{{}}"
    );
    assert_eq!(server.join().expect("server"), want);

    let (direct, listener, uri) = driver();
    let authority = uri.authority().expect("authority").to_string();
    let server = answer_once(listener, OK);
    let request = Request::get(uri.clone()).body(()).expect("request");
    assert_eq!(run(&direct, request, None).body, b"ok");
    drop(direct);
    let want = format!("GET / HTTP/1.1\r\nuser-agent: test\r\nhost: {authority}\r\n\r\n");
    assert_eq!(server.join().expect("server"), want);
}

#[test]
fn a_connection_with_bytes_past_the_answer_is_not_kept() {
    let (direct, listener, uri) = driver();
    let server = answer_once(
        listener,
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokXX",
    );
    let answer = post(&direct, &uri);
    assert_eq!((answer.status, &answer.body[..]), (200, &b"ok"[..]));
    assert_eq!(idle(&direct), 0);
    drop(direct);
    server.join().expect("server");
}

#[test]
fn a_connection_whose_answer_was_read_whole_is_kept() {
    let (direct, listener, uri) = driver();
    let server = answer_once(listener, OK);
    let answer = post(&direct, &uri);
    assert_eq!((answer.status, &answer.body[..]), (200, &b"ok"[..]));
    assert_eq!(idle(&direct), 1);
    drop(direct);
    server.join().expect("server");
}
