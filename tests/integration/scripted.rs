//! The scripted server's own guarantees, which the byte-for-byte tests rely on.

use crate::support::raw::{Conn, exchange};
use crate::support::scripted::{Action, Scripted, response};

#[test]
fn a_bare_connection_is_counted_even_when_it_sends_nothing() {
    let server = Scripted::start(vec![]);
    let bare = Conn::open(("127.0.0.1", server.port()));
    let report = server.finish();
    drop(bare);
    assert_eq!(report.connections, 1);
    assert!(report.requests.is_empty());
}

#[test]
fn pipelined_requests_are_split_at_their_content_length() {
    let server = Scripted::start(vec![
        Action::Respond(response("200 OK", &[], b"1")),
        Action::RespondAndClose(response("200 OK", &[], b"2")),
    ]);
    let mut conn = Conn::open(("127.0.0.1", server.port()));
    let first = b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
    let second = b"POST /b HTTP/1.1\r\ncontent-length: 0\r\n\r\n";
    conn.send(&[&first[..], &second[..]].concat());
    let answers = conn.read_all();
    assert_eq!(
        answers,
        [response("200 OK", &[], b"1"), response("200 OK", &[], b"2")].concat()
    );
    let report = server.finish();
    assert_eq!(report.connections, 1);
    assert_eq!(report.requests[0].bytes, first);
    assert_eq!(report.requests[0].body(), b"abc");
    assert_eq!(report.requests[1].bytes, second);
    assert_eq!(report.unscripted, 0);
}

#[test]
fn a_request_beyond_the_script_is_counted_and_closed() {
    let server = Scripted::start(vec![]);
    let answer = exchange(("127.0.0.1", server.port()), b"GET / HTTP/1.1\r\n\r\n");
    assert!(answer.is_empty());
    let report = server.finish();
    assert_eq!(report.unscripted, 1);
    assert_eq!(report.requests.len(), 1);
}
