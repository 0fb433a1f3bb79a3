//! Connection reuse and sharing one client between threads.

use std::thread;

use connect_participant::{Client, SendEventRequest};

use crate::support::scripted::{Action, Scripted, response};
use crate::support::wire::expected_request;
use crate::support::{self, GENERATED_CLIENT_TOKEN, INVOCATION_ID};

fn typing_request(port: u16) -> String {
    expected_request(
        port,
        "conn-token-1",
        INVOCATION_ID,
        &format!(
            r#"{{"ClientToken":"{GENERATED_CLIENT_TOKEN}","ContentType":"application/vnd.amazonaws.connect.event.typing"}}"#
        ),
    )
}

fn send_typing(client: &Client) {
    let out = client
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap();
    assert_eq!(out.id.as_deref(), Some("event-1"));
}

#[test]
fn two_calls_reuse_one_connection() {
    let server = Scripted::start(vec![
        Action::Respond(support::ok_response()),
        Action::Respond(support::ok_response()),
    ]);
    let port = server.port();
    let client = support::client(&server.url());
    send_typing(&client);
    send_typing(&client);
    let report = server.finish();
    assert_eq!(report.connections, 1);
    assert_eq!(report.requests.len(), 2);
    for request in &report.requests {
        assert_eq!(request.connection, 0);
        assert_eq!(request.text(), typing_request(port));
    }
}

#[test]
fn clones_of_a_client_share_its_connection() {
    let server = Scripted::start(vec![
        Action::Respond(support::ok_response()),
        Action::Respond(support::ok_response()),
        Action::Respond(support::ok_response()),
    ]);
    let client = support::client(&server.url());
    let clone = client.clone();
    send_typing(&client);
    send_typing(&clone);
    drop(client);
    // The shared agent outlives the original handle.
    send_typing(&clone);
    let report = server.finish();
    assert_eq!(report.connections, 1);
    let on: Vec<usize> = report.requests.iter().map(|r| r.connection).collect();
    assert_eq!(on, [0, 0, 0]);
}

#[test]
fn error_answers_keep_the_connection_too() {
    let server = Scripted::start(vec![
        Action::Respond(response(
            "400 Bad Request",
            &["X-Amzn-Errortype: ValidationException"],
            br#"{"message":"Content is too long"}"#,
        )),
        Action::Respond(support::ok_response()),
    ]);
    let client = support::client(&server.url());
    let e = client
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), connect_participant::ErrorKind::Validation);
    send_typing(&client);
    let report = server.finish();
    assert_eq!(report.connections, 1, "the error body was read to the end");
    assert_eq!(
        report.requests.len(),
        2,
        "a validation error is never retried"
    );
}

#[test]
fn server_closing_after_an_answer_gets_a_new_connection() {
    let closing = response("200 OK", &["Connection: close"], br#"{"Id":"event-1"}"#);
    let server = Scripted::start(vec![
        Action::RespondAndClose(closing),
        Action::Respond(support::ok_response()),
    ]);
    let port = server.port();
    let client = support::client(&server.url());
    send_typing(&client);
    send_typing(&client);
    let report = server.finish();
    assert_eq!(report.connections, 2);
    let on: Vec<usize> = report.requests.iter().map(|r| r.connection).collect();
    assert_eq!(on, [0, 1]);
    for request in &report.requests {
        assert_eq!(request.text(), typing_request(port));
    }
}

/// The client skips ureq's liveness probe when a connection returns to the pool and relies
/// on the one ureq makes when it takes the connection out again. A connection the server
/// closed while it sat idle, without saying so (no `Connection: close`), must be found dead
/// then, before a request is written to it: the next call goes out once, on a new
/// connection, as its first attempt.
#[test]
fn idle_connection_closed_silently_is_not_reused() {
    let server = Scripted::start(vec![
        Action::RespondAndClose(support::ok_response()),
        Action::Respond(support::ok_response()),
    ]);
    let port = server.port();
    let client = support::client(&server.url());
    send_typing(&client);
    // Time for the server's close to reach the client's socket while the connection idles.
    thread::sleep(std::time::Duration::from_millis(200));
    send_typing(&client);
    let report = server.finish();
    assert_eq!(report.connections, 2);
    let on: Vec<usize> = report.requests.iter().map(|r| r.connection).collect();
    assert_eq!(on, [0, 1]);
    // Both are first attempts (`amz-sdk-request: attempt=1; max=3`): nothing was retried.
    for request in &report.requests {
        assert_eq!(request.text(), typing_request(port));
    }
}

#[test]
fn one_client_serves_several_threads() {
    const THREADS: usize = 4;
    const CALLS: usize = 5;
    let server = Scripted::repeating(Action::Respond(support::ok_response()));
    let port = server.port();
    let client = support::client(&server.url());
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let client = client.clone();
            thread::spawn(move || {
                for _ in 0..CALLS {
                    send_typing(&client);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a client thread panicked");
    }
    // Borrowed from all threads at once, too.
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| send_typing(&client));
        }
    });
    let report = server.finish();
    assert_eq!(report.requests.len(), THREADS * CALLS + THREADS);
    assert!(
        (1..=2 * THREADS).contains(&report.connections),
        "{} connections",
        report.connections
    );
    let want = typing_request(port);
    for request in &report.requests {
        assert_eq!(request.text(), want);
    }
}
