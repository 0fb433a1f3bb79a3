//! The service's refusals (exit 3), network failures (exit 4), retries and timeouts.

use connect_participant::emulator::{Emulator, Fault};

use super::{
    SECRET, Token, assert_refused, assert_success, code, run, send, send_with, stderr, stdout,
};
use crate::support::scripted::closed_port;

#[test]
fn conflict_on_a_receipt_exits_3_with_error_type_and_request_id() {
    let emulator = Emulator::start().unwrap();
    emulator.set_receipts_conflict(true);
    let out = send(&emulator, &["read", "m-1"]);
    assert_refused(&out, "ConflictException", 409);
    assert!(stderr(&out).contains("note: receipts are not available in this chat"));
    // Not retried: one request.
    assert_eq!(emulator.seen_requests().len(), 1);
    assert!(emulator.events().is_empty());
}

#[test]
fn revoked_token_exits_3_with_access_denied() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    emulator.revoke_token(&token);
    let out = send_with(&emulator, &token, &["typing"]);
    assert_refused(&out, "AccessDeniedException", 403);
    assert_eq!(emulator.seen_requests().len(), 1);
}

#[test]
fn validation_error_from_the_service_exits_3() {
    let emulator = Emulator::start().unwrap();
    emulator.fail_next(400, "ValidationException", "bad input");
    let out = send(&emulator, &["typing"]);
    assert_refused(&out, "ValidationException", 400);
    assert!(stderr(&out).contains("(HTTP 400): bad input (request id "));
}

#[test]
fn internal_error_is_retried_then_succeeds() {
    let emulator = Emulator::start().unwrap();
    // One retry after a 500: the back-off is at most 50 ms.
    emulator.fail_next(500, "InternalServerException", "oops");
    let out = send(&emulator, &["typing"]);
    assert_success(&out);
    assert_eq!(emulator.seen_requests().len(), 2);
    assert_eq!(emulator.events().len(), 1);
}

#[test]
fn timeout_option_bounds_each_attempt() {
    let emulator = Emulator::start().unwrap();
    // The first attempt gets no answer; without --timeout it would wait the default 10 s.
    // The retry, with the same client token, gets the event the stalled attempt recorded.
    emulator.inject(Fault::Stall);
    let out = send(&emulator, &["--timeout", "0.2", "typing"]);
    assert_success(&out);
    assert_eq!(emulator.seen_requests().len(), 2);
    assert_eq!(emulator.events().len(), 1);
}

#[test]
fn closed_port_exits_4() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    // Refused connections are retried: 3 attempts, at most 150 ms of back-off in all.
    let out = run(&["--endpoint", &url, "typing"], Token::Env(SECRET));
    assert_eq!(code(&out), 4, "{out:?}");
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("3 attempts"), "{err}");
    // The cause, from the error's source chain, is on a line of its own.
    assert!(err.contains("\ncaused by: "), "{err}");
    assert!(
        !err.contains("error type:") && !err.contains("request id:"),
        "{err}"
    );
}

#[test]
fn https_to_the_plain_http_emulator_exits_4_at_once_naming_the_scheme() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url().replacen("http://", "https://", 1);
    // Without the emulator's 400 and the client's reading of it, three connect timeouts
    // (3.1 s each) would pass first.
    let started = std::time::Instant::now();
    let out = run(&["--endpoint", &url, "typing"], Token::Env(SECRET));
    eprintln!("the CLI took {:?}", started.elapsed());
    assert_eq!(code(&out), 4, "{out:?}");
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        format!(
            "error: {url} does not speak TLS: the server answered the TLS handshake with bytes \
             that are not TLS (plain HTTP, most likely); for a plain-HTTP server (such as the \
             emulator), give an http:// endpoint URL, not https://\ncaused by: io: received \
             corrupt message of type InvalidContentType\n"
        )
    );
    assert!(emulator.seen_requests().is_empty());
}
