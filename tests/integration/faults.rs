//! The fault suite: what the client does when the service or the network fails.
//!
//! Every scenario runs against its own emulator with injected [`Fault`]s, with a 3-attempt
//! client unless it says otherwise; the two TCP-reset scenarios need a raw socket instead
//! (the emulator can only close cleanly), and the refused connection has no server. Each
//! one asserts the outcome (error kind and exact message, or success), `Error::attempts()`,
//! the requests the server saw, that every attempt carried the same `ClientToken`, the same
//! `amz-sdk-invocation-id` and the same body, with `amz-sdk-request` counting
//! `attempt=1; max=3`, `attempt=2; max=3`, ..., that the emulator recorded the event at
//! most once, and the exact waits the client asked for between attempts.
//!
//! No client here really waits: each one records the waits it asks for through `sleep_fn`.
//! Jitter comes from a fixed random source, so the waits are exact.
//!
//! README's fault table is built from these scenarios' observed results:
//! [`readme_fault_table_matches_the_suite`] runs every scenario of the table (in parallel,
//! each with its own emulator), renders what it saw and compares it with README. Each
//! scenario is also a test of its own (`faults::scenario::<name>`), so a failure names it.

mod harness;

use std::error::Error as _;
use std::fmt::Write as _;
use std::io;
use std::thread;
use std::time::Duration;

use connect_participant::emulator::{Emulator, Fault};
use connect_participant::{ErrorKind, MAX_RESPONSE_BODY, SendEventRequest};

use crate::support::resetter::Resetter;
use crate::support::scripted::{Scripted, closed_port};
use crate::support::{self, GENERATED_CLIENT_TOKEN, INVOCATION_ID};

use harness::{
    Expect, GARBAGE, HTML, NOT_UTF8, Row, Sleeps, assert_attempts_of_one_call, html, internal,
    outcome_of, recording_client, respond, run, run_with, throttled, throttling, times, transient,
    truncated, unit,
};

#[test]
fn failing_jitter_draw_waits_the_whole_ceiling() {
    // The random source works for the tokens (32 bytes) and fails for the jitter (8 bytes):
    // the client must still wait, and then the longest wait, never a shorter one.
    let emulator = Emulator::start().unwrap();
    emulator.inject(internal());
    emulator.inject(internal());
    let sleeps = Sleeps::default();
    let client = emulator
        .client_builder()
        .random_source(|buf: &mut [u8]| {
            if buf.len() == 8 {
                Err(io::Error::other("no entropy for jitter"))
            } else {
                support::counting_random(buf)
            }
        })
        .sleep_fn(sleeps.recorder())
        .build()
        .unwrap();
    let out = client
        .send_event(&emulator.connection_token(), &SendEventRequest::typing())
        .unwrap();
    assert_eq!(
        sleeps.recorded(),
        [Duration::from_millis(50), Duration::from_millis(100)]
    );
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 3);
    assert_attempts_of_one_call(&seen, 3);
    assert_eq!(out.id.as_deref(), Some(emulator.events()[0].id.as_str()));
}

#[test]
fn jitter_formula_gives_the_expected_waits() {
    // The formula above, checked against hand-computed values: 0.6180339887... of the ceiling.
    assert_eq!(throttling(1).as_micros(), 618_033);
    assert_eq!(throttling(2).as_micros(), 1_236_067);
    assert_eq!(transient(1).as_micros(), 30_901);
    assert_eq!(transient(2).as_micros(), 61_803);
    // 1 s * 2^5 is past the 20 s ceiling.
    assert_eq!(throttling(6), Duration::from_secs(20).mul_f64(unit()));
}

// ---------------------------------------------------------------------------------------
// The scenarios of README's table
// ---------------------------------------------------------------------------------------

fn throttled_then_success(n: u32) -> Row {
    let waits = (1..=n).map(throttling).collect();
    run(times(n as usize, throttled)).check(
        &format!("429 `ThrottlingException` {n}x, then 200"),
        &Expect::success(n + 1, 1, waits),
    )
}

fn transient_then_success(status: u16, fault: Fault, what: &str) -> Row {
    run(vec![fault]).check(
        &format!("{status} {what}, then 200"),
        &Expect::success(2, 1, vec![transient(1)]),
    )
}

fn not_retried(fault: Fault, what: &str, kind: ErrorKind, message: &str) -> Row {
    run(vec![fault]).check(what, &Expect::error(kind, message, 1, vec![]))
}

fn closed_then_success(fault: Fault, what: &str, events: usize) -> Row {
    run(vec![fault]).check(
        &format!("{what}, then normal"),
        &Expect::success(2, events, vec![transient(1)]),
    )
}

fn closed_three_times(fault: impl Fn() -> Fault, what: &str, events: usize) -> Row {
    run(times(3, fault)).check(
        &format!("{what} 3x"),
        &Expect::error(
            ErrorKind::Transport,
            "the request to {url} failed; 3 attempts",
            3,
            vec![transient(1), transient(2)],
        )
        .events(events),
    )
}

/// Retries off, one stall: a timeout error within a second of the timeout set.
fn stall_without_retries() -> Row {
    let timeout = Duration::from_millis(300);
    let r = run_with(vec![Fault::Stall], |b| b.timeout(timeout).max_attempts(1));
    let row = r.check(
        "accepts the request, never answers (timeout 300 ms, retries off)",
        &Expect::error(
            ErrorKind::Timeout,
            "the request to {url} timed out: no whole answer within timeout (0.3 s)",
            1,
            vec![],
        )
        .max(1)
        .events(1),
    );
    assert!(r.elapsed >= timeout, "gave up early: {:?}", r.elapsed);
    assert!(
        r.elapsed < timeout + Duration::from_secs(1),
        "took {:?}",
        r.elapsed
    );
    row
}

fn stall_three_times() -> Row {
    let timeout = Duration::from_millis(300);
    let r = run_with(times(3, || Fault::Stall), |b| b.timeout(timeout));
    let row = r.check(
        "accepts the request, never answers, 3x (timeout 300 ms)",
        &Expect::error(
            ErrorKind::Timeout,
            "the request to {url} timed out: no whole answer within timeout (0.3 s); 3 attempts",
            3,
            vec![transient(1), transient(2)],
        )
        .events(1),
    );
    let waited: Duration = r.waits.iter().sum();
    assert!(r.elapsed >= 3 * timeout, "gave up early: {:?}", r.elapsed);
    assert!(
        r.elapsed < 3 * timeout + Duration::from_secs(1) + waited,
        "took {:?}",
        r.elapsed
    );
    row
}

/// The body scenarios: each body with a 2xx, a 4xx and a 5xx.
#[derive(Clone, Copy)]
enum Body {
    Html,
    Empty,
    NotUtf8,
    Garbage,
}

impl Body {
    fn bytes(self) -> &'static [u8] {
        match self {
            Body::Html => HTML,
            Body::Empty => b"",
            Body::NotUtf8 => NOT_UTF8,
            Body::Garbage => GARBAGE,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Body::Html => "an HTML body",
            Body::Empty => "an empty body",
            Body::NotUtf8 => "a non-UTF-8 body",
            Body::Garbage => "a garbage body",
        }
    }

    fn fault(self, status: u16) -> Fault {
        respond(status, &[("Content-Type", "text/html")], self.bytes())
    }
}

/// A 200 whose body is not the documented JSON: not retried, the same answer would come.
fn body_200_invalid(body: Body) -> Row {
    let r = run(vec![body.fault(200)]);
    let message = format!(
        "the service answered HTTP 200 with a body that is not the documented JSON ({} bytes)",
        body.bytes().len()
    );
    let row = r.check(
        &format!("200 with {}", body.name()),
        &Expect::error(ErrorKind::InvalidResponse, message, 1, vec![]),
    );
    if let Err(e) = &r.result {
        assert_eq!(e.status(), Some(200));
        assert_eq!(e.request_id().map(str::len), Some(36));
    }
    row
}

fn body_400(body: Body) -> Row {
    let r = run(vec![body.fault(400)]);
    let row = r.check(
        &format!("400 with {}", body.name()),
        &Expect::error(
            ErrorKind::UnexpectedStatus,
            "the server answered HTTP 400 without an AWS error (request id {rid})",
            1,
            vec![],
        ),
    );
    if let Err(e) = &r.result {
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.service_error_type(), None);
    }
    row
}

fn body_503(body: Body) -> Row {
    let r = run(times(3, || body.fault(503)));
    let row = r.check(
        &format!("503 with {} 3x", body.name()),
        &Expect::error(
            ErrorKind::UnexpectedStatus,
            "the server answered HTTP 503 without an AWS error (request id {rid}); 3 attempts",
            3,
            vec![transient(1), transient(2)],
        ),
    );
    if let Err(e) = &r.result {
        assert_eq!(e.status(), Some(503));
    }
    row
}

fn truncated_three_times(status_line: &str) -> Row {
    let r = run(times(3, || truncated(status_line)));
    r.check(
        &format!(
            "{} announcing 100 body bytes, sends 10, closes; 3x",
            &status_line[..3]
        ),
        &Expect::error(
            ErrorKind::Transport,
            "the request to {url} failed; 3 attempts",
            3,
            vec![transient(1), transient(2)],
        ),
    )
}

/// A 3xx pointing at another local port, which must see no connection at all.
fn redirect(status: u16) -> Row {
    let elsewhere = Scripted::start(vec![]);
    let location = format!("http://127.0.0.1:{}/participant/event", elsewhere.port());
    let r = run(vec![respond(status, &[("Location", &location)], b"")]);
    let message = format!(
        "the server answered a redirect (HTTP {status}), which is not followed (request id {{rid}})"
    );
    let row = r.check(
        &format!("{status} to another local port"),
        &Expect::error(ErrorKind::Redirect, message, 1, vec![]),
    );
    let elsewhere = elsewhere.finish();
    assert_eq!(elsewhere.connections, 0, "the redirect was followed");
    assert!(elsewhere.requests.is_empty());
    row
}

fn retry_after(ms: u64, want: Duration) -> Row {
    let value = ms.to_string();
    let r = run(vec![respond(503, &[("x-amz-retry-after", &value)], b"")]);
    let computed = transient(1);
    let clamped = Duration::from_millis(ms).clamp(computed, computed + Duration::from_secs(5));
    assert_eq!(clamped, want);
    r.check(
        &format!("503 with `x-amz-retry-after: {ms}`, then 200"),
        &Expect::success(2, 1, vec![clamped]),
    )
}

fn reset(answer: &'static [u8], what: &str) -> Row {
    let server = Resetter::start(answer);
    let url = server.url();
    let port = server.port();
    let sleeps = Sleeps::default();
    let client = recording_client(&url, &sleeps);
    let result = client.send_event(&support::token(), &SendEventRequest::typing());
    let requests = server.finish();
    let e = result.as_ref().expect_err("every connection is reset");
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert_eq!(e.attempts(), 3, "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("the request to {url} failed; 3 attempts")
    );
    assert_eq!(sleeps.recorded(), [transient(1), transient(2)]);
    // One connection per attempt, each the same request but for the attempt number: same
    // client token, invocation id and body, byte for byte (but the last, left unread).
    let body = format!(
        r#"{{"ClientToken":"{GENERATED_CLIENT_TOKEN}","ContentType":"application/vnd.amazonaws.connect.event.typing"}}"#
    );
    let want: Vec<String> = (1..=3)
        .map(|attempt| {
            let mut whole = support::wire::expected_attempt(
                port,
                "conn-token-1",
                INVOCATION_ID,
                &body,
                attempt,
                3,
            );
            whole.pop();
            whole
        })
        .collect();
    let got: Vec<String> = requests
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect();
    assert_eq!(got, want);
    if answer.is_empty() {
        // The reset really reached the client (on its read or its write, as the race goes).
        // The source is ureq's error, whose own `source()` does not expose the I/O error,
        // and ureq is no dependency of these tests: its `Debug` has to do.
        let source = std::error::Error::source(e).map(|s| format!("{s:?}"));
        assert!(
            source
                .as_deref()
                .is_some_and(|s| s.contains("ConnectionReset") || s.contains("BrokenPipe")),
            "{source:?}"
        );
    }
    Row {
        server: format!("{what}, 3x (raw socket, no emulator)"),
        outcome: outcome_of(&result),
        seen: requests.len().to_string(),
        events: "–".to_owned(),
    }
}

fn refused_connection() -> Row {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let sleeps = Sleeps::default();
    let client = recording_client(&url, &sleeps);
    let result = client.send_event(&support::token(), &SendEventRequest::typing());
    let e = result.as_ref().expect_err("nothing listens");
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert_eq!(e.attempts(), 3);
    assert_eq!(
        e.to_string(),
        format!("the request to {url} failed; 3 attempts")
    );
    assert_eq!(e.status(), None);
    assert_eq!(sleeps.recorded(), [transient(1), transient(2)]);
    Row {
        server: "nothing listens on the port".to_owned(),
        outcome: outcome_of(&result),
        seen: "0".to_owned(),
        events: "–".to_owned(),
    }
}

/// An answer that is not readable HTTP/1.1, written as raw bytes before the connection
/// closes: never retried, whatever the status it claims.
fn not_http(answer: &[u8], what: &str) -> Row {
    let r = run(vec![Fault::Raw(answer.to_vec())]);
    let row = r.check(
        what,
        &Expect::error(
            ErrorKind::InvalidResponse,
            "the answer from {url} is not valid HTTP/1.1",
            1,
            vec![],
        ),
    );
    if let Err(e) = &r.result {
        // The parser's own words stay in the source chain.
        assert!(e.source().is_some(), "{e:?}");
    }
    row
}

/// An empty 200 whose head is about `bytes` long: the status line and the emulator's own
/// headers take about 100 bytes, one padding header the rest.
fn head_of(bytes: usize) -> Fault {
    let padding = "a".repeat(bytes.saturating_sub(100));
    respond(200, &[("x-padding", &padding)], b"")
}

fn head_over_the_limit() -> Row {
    let r = run(vec![head_of(70 * 1024)]);
    r.check(
        "200 with a 70 KiB head",
        &Expect::error(
            ErrorKind::InvalidResponse,
            "the answer from {url} has a head (status line and headers) larger than 65536 \
             bytes",
            1,
            vec![],
        ),
    )
}

fn oversized(status: u16) -> Row {
    let limit = usize::try_from(MAX_RESPONSE_BODY).unwrap();
    let mut body = br#"{"Id":"big""#.to_vec();
    body.resize(limit, b' ');
    body.push(b'}');
    let r = run(vec![respond(status, &[], &body)]);
    let row = r.check(
        &format!("{status} with a body of 1 MiB + 1 byte"),
        &Expect::error(
            ErrorKind::InvalidResponse,
            "the answer from {url} is larger than 1048576 bytes",
            1,
            vec![],
        ),
    );
    if let Err(e) = &r.result {
        assert_eq!(e.status(), Some(status));
    }
    row
}

/// Drives one client and its clone, which share the retry quota, against a service failing
/// with 500 until the quota is empty; then checks that successes refill it. Returns the row
/// of the first call refused a retry outright.
fn retry_quota_runs_out_and_refills() -> Row {
    let emulator = Emulator::start().unwrap();
    let sleeps = Sleeps::default();
    let client = recording_client(&emulator.endpoint_url(), &sleeps);
    let clone = client.clone();
    let token = emulator.connection_token();
    // Distinct client tokens, so that every success is an event of its own.
    let request = |n: usize| SendEventRequest::typing().with_client_token(format!("quota-{n}"));
    let mut calls = 0;
    let mut quota = 500;
    assert_eq!(client.retry_quota(), quota);

    // Each failing call retries twice at 14 tokens a retry while the quota can pay:
    // 17 calls take 476 tokens, the 18th finds 24 and can pay one retry only.
    while client.retry_quota() >= 14 && calls < 40 {
        let retries = (quota / 14).min(2);
        for _ in 0..=retries {
            emulator.inject(internal());
        }
        let before = emulator.seen_requests().len();
        let caller = if calls % 2 == 0 { &client } else { &clone };
        let e = caller.send_event(&token, &request(calls)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InternalServer, "call {calls}: {e:?}");
        assert_eq!(e.attempts(), retries + 1, "call {calls}");
        assert_eq!(e.retry_quota_exhausted(), retries < 2, "call {calls}");
        assert_eq!(
            emulator.seen_requests().len() - before,
            retries as usize + 1
        );
        quota -= 14 * retries;
        assert_eq!(client.retry_quota(), quota, "call {calls}");
        assert_eq!(clone.retry_quota(), quota, "call {calls}");
        if retries < 2 {
            assert_eq!(
                e.to_string(),
                format!(
                    "service error InternalServerException (HTTP 500): Internal error \
                     (request id {}); 2 attempts, not retried: the retry quota is empty",
                    e.request_id().unwrap()
                )
            );
        }
        calls += 1;
    }
    assert_eq!((calls, quota), (18, 10));
    assert_eq!(quota, 500 - 14 * (17 * 2 + 1));

    // With 10 tokens, a failure is returned at once.
    emulator.inject(internal());
    let before = emulator.seen_requests().len();
    let result = clone.send_event(&token, &request(calls));
    let e = result.as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InternalServer);
    assert_eq!(e.attempts(), 1);
    assert!(e.retry_quota_exhausted());
    assert_eq!(
        e.to_string(),
        format!(
            "service error InternalServerException (HTTP 500): Internal error (request id {}); \
             1 attempt, not retried: the retry quota is empty",
            e.request_id().unwrap()
        )
    );
    let seen = emulator.seen_requests().len() - before;
    assert_eq!(client.retry_quota(), 10);
    assert!(emulator.events().is_empty());
    let row = Row {
        server: "500 `InternalServerException` to every attempt, 19th failing call in a row"
            .to_owned(),
        outcome: outcome_of(&result),
        seen: seen.to_string(),
        events: emulator.events().len().to_string(),
    };
    calls += 1;

    // A first-try success gives back 1 token.
    client.send_event(&token, &request(calls)).unwrap();
    calls += 1;
    assert_eq!(client.retry_quota(), 11);
    // Throttling costs 5, which 11 tokens can pay; the success gives the 5 back.
    emulator.inject(throttled());
    let waits_before = sleeps.recorded().len();
    clone.send_event(&token, &request(calls)).unwrap();
    calls += 1;
    assert_eq!(sleeps.recorded()[waits_before..], [throttling(1)]);
    assert_eq!(client.retry_quota(), 11);
    for _ in 0..3 {
        client.send_event(&token, &request(calls)).unwrap();
        calls += 1;
    }
    assert_eq!(client.retry_quota(), 14);
    // A transient retry takes all 14; the success gives them back.
    emulator.inject(internal());
    clone.send_event(&token, &request(calls)).unwrap();
    calls += 1;
    assert_eq!(client.retry_quota(), 14);
    assert_eq!(clone.retry_quota(), 14);
    assert_eq!(emulator.events().len(), 6);
    assert!(calls <= 40);

    // A full quota stays full: a success never gives back more than the capacity.
    let fresh = recording_client(&emulator.endpoint_url(), &sleeps);
    fresh.send_event(&token, &request(100)).unwrap();
    assert_eq!(fresh.retry_quota(), 500);
    emulator.inject(internal());
    fresh.send_event(&token, &request(101)).unwrap();
    assert_eq!(fresh.retry_quota(), 500);
    // Separate clients do not share a quota.
    assert_eq!(client.retry_quota(), 14);
    row
}

/// Declares the table's scenarios, in table order: each is a function returning its row,
/// a test of its own in `scenario`, and an entry of `SCENARIOS` for the table test.
macro_rules! scenarios {
    ($($name:ident => $body:expr,)*) => {
        $(
            fn $name() -> Row {
                $body
            }
        )*

        const SCENARIOS: &[(&str, fn() -> Row)] = &[$((stringify!($name), $name)),*];

        mod scenario {
            $(
                #[test]
                fn $name() {
                    super::$name();
                }
            )*
        }
    };
}

scenarios! {
    throttled_once_then_succeeds => throttled_then_success(1),
    throttled_twice_then_succeeds => throttled_then_success(2),
    throttled_three_times_is_throttling => run(times(3, throttled)).check(
        "429 `ThrottlingException` 3x",
        &Expect::error(
            ErrorKind::Throttling,
            "service error ThrottlingException (HTTP 429): Rate exceeded (request id {rid}); \
             3 attempts",
            3,
            vec![throttling(1), throttling(2)],
        ),
    ),
    throttled_429_without_error_type_three_times => run(times(3, || html(429))).check(
        "429 with an HTML page 3x",
        &Expect::error(
            ErrorKind::UnexpectedStatus,
            "the server answered HTTP 429 without an AWS error (request id {rid}); 3 attempts",
            3,
            vec![throttling(1), throttling(2)],
        ),
    ),
    throttling_code_on_400_three_times => run(times(3, || {
        Fault::error(400, "TooManyRequestsException", "Slow down")
    }))
    .check(
        "400 `TooManyRequestsException` 3x",
        &Expect::error(
            ErrorKind::UnknownService,
            "service error TooManyRequestsException (HTTP 400): Slow down (request id {rid}); \
             3 attempts",
            3,
            vec![throttling(1), throttling(2)],
        ),
    ),
    request_timeout_408_then_succeeds => transient_then_success(
        408,
        Fault::error(408, "RequestTimeoutException", "Request timed out"),
        "`RequestTimeoutException`",
    ),
    internal_error_500_then_succeeds =>
        transient_then_success(500, internal(), "`InternalServerException`"),
    bad_gateway_502_then_succeeds => transient_then_success(502, html(502), "HTML page"),
    unavailable_503_then_succeeds => transient_then_success(503, html(503), "HTML page"),
    gateway_timeout_504_then_succeeds => transient_then_success(504, html(504), "HTML page"),
    internal_error_500_three_times_is_internal_server => run(times(3, internal)).check(
        "500 `InternalServerException` 3x",
        &Expect::error(
            ErrorKind::InternalServer,
            "service error InternalServerException (HTTP 500): Internal error \
             (request id {rid}); 3 attempts",
            3,
            vec![transient(1), transient(2)],
        ),
    ),
    validation_400_is_not_retried => not_retried(
        Fault::error(400, "ValidationException", "Content is too long"),
        "400 `ValidationException`",
        ErrorKind::Validation,
        "service error ValidationException (HTTP 400): Content is too long (request id {rid})",
    ),
    access_denied_403_is_not_retried => not_retried(
        Fault::error(403, "AccessDeniedException", "Access denied"),
        "403 `AccessDeniedException`",
        ErrorKind::AccessDenied,
        "service error AccessDeniedException (HTTP 403): Access denied (request id {rid}); \
         {denied}",
    ),
    conflict_409_is_not_retried => not_retried(
        Fault::error(409, "ConflictException", "Receipts are not available"),
        "409 `ConflictException`",
        ErrorKind::Conflict,
        "service error ConflictException (HTTP 409): Receipts are not available \
         (request id {rid})",
    ),
    not_found_404_is_not_retried => not_retried(
        respond(404, &[("Content-Type", "text/plain")], b"Not Found"),
        "404 with a plain-text body",
        ErrorKind::UnexpectedStatus,
        "the server answered HTTP 404 without an AWS error (request id {rid})",
    ),
    close_before_handling_then_succeeds =>
        closed_then_success(Fault::CloseBeforeHandling, "closes before handling", 1),
    close_after_handling_then_succeeds_once =>
        closed_then_success(Fault::CloseAfterHandling, "records the event, closes unanswered", 1),
    close_mid_response_then_succeeds_once =>
        closed_then_success(Fault::CloseMidResponse, "records the event, closes mid-answer", 1),
    close_before_handling_three_times_is_transport =>
        closed_three_times(|| Fault::CloseBeforeHandling, "closes before handling", 0),
    close_after_handling_three_times_records_once => closed_three_times(
        || Fault::CloseAfterHandling,
        "records the event, closes unanswered",
        1,
    ),
    close_mid_response_three_times_records_once => closed_three_times(
        || Fault::CloseMidResponse,
        "records the event, closes mid-answer",
        1,
    ),
    reset_before_answering_is_transport => reset(b"", "resets the connection (RST) unanswered"),
    reset_mid_answer_is_transport => reset(
        b"HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n{\"Id\":",
        "sends half an answer, then resets (RST)",
    ),
    stall_without_retries_times_out => stall_without_retries(),
    stall_three_times_times_out => stall_three_times(),
    html_200_is_invalid_response => body_200_invalid(Body::Html),
    empty_200_is_success => run(vec![Body::Empty.fault(200)])
        .check("200 with an empty body", &Expect::success(1, 0, vec![])),
    non_utf8_200_is_invalid_response => body_200_invalid(Body::NotUtf8),
    garbage_200_is_invalid_response => body_200_invalid(Body::Garbage),
    truncated_200_three_times_is_transport => truncated_three_times("200 OK"),
    truncated_200_then_succeeds => run(vec![truncated("200 OK")]).check(
        "200 announcing 100 body bytes, sends 10, closes; then normal",
        &Expect::success(2, 1, vec![transient(1)]),
    ),
    html_400_is_unexpected_status => body_400(Body::Html),
    empty_400_is_unexpected_status => body_400(Body::Empty),
    non_utf8_400_is_unexpected_status => body_400(Body::NotUtf8),
    garbage_400_is_unexpected_status => body_400(Body::Garbage),
    truncated_400_three_times_is_transport => truncated_three_times("400 Bad Request"),
    html_503_three_times_is_unexpected_status => body_503(Body::Html),
    empty_503_three_times_is_unexpected_status => body_503(Body::Empty),
    non_utf8_503_three_times_is_unexpected_status => body_503(Body::NotUtf8),
    garbage_503_three_times_is_unexpected_status => body_503(Body::Garbage),
    truncated_503_three_times_is_transport => truncated_three_times("503 Service Unavailable"),
    redirect_301_is_not_followed => redirect(301),
    redirect_302_is_not_followed => redirect(302),
    redirect_307_is_not_followed => redirect(307),
    retry_after_is_honoured => retry_after(1500, Duration::from_millis(1500)),
    retry_after_is_capped_at_computed_plus_5_s =>
        retry_after(60_000, transient(1) + Duration::from_secs(5)),
    refused_connection_is_transport => refused_connection(),
    retry_quota_empty_is_not_retried => retry_quota_runs_out_and_refills(),
    oversized_200_body_is_invalid_response => oversized(200),
    oversized_503_body_is_invalid_response => oversized(503),
    head_of_20_kb_is_read => run(vec![head_of(20_000)])
        .check("200 with a 20 KB head", &Expect::success(1, 0, vec![])),
    head_over_64_kib_is_invalid_response => head_over_the_limit(),
    non_http_answer_is_invalid_response => not_http(
        b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
        "answers `SSH-2.0-OpenSSH_9.6` (not HTTP)",
    ),
    too_many_headers_is_invalid_response => not_http(
        format!("HTTP/1.1 200 OK\r\n{}Content-Length: 2\r\n\r\n{{}}", "x-h: 1\r\n".repeat(129))
            .as_bytes(),
        "200 with 130 headers",
    ),
    broken_chunk_framing_is_invalid_response => not_http(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        "200 with a chunk length that is not a number",
    ),
}

// ---------------------------------------------------------------------------------------
// README's table
// ---------------------------------------------------------------------------------------

const TABLE_START: &str = "<!-- fault-table:start -->\n";
const TABLE_END: &str = "<!-- fault-table:end -->";

fn render(rows: &[(&str, Row)]) -> String {
    let mut out = String::from(
        "| scenario (test in `faults::scenario`) | the server | outcome | requests the server \
         saw | events recorded |\n|---|---|---|---|---|\n",
    );
    for (name, row) in rows {
        let _ = writeln!(
            out,
            "| `{name}` | {} | {} | {} | {} |",
            row.server, row.outcome, row.seen, row.events
        );
    }
    out
}

#[test]
fn readme_fault_table_matches_the_suite() {
    // Every scenario at once, each with its own emulator: the table takes as long as the
    // slowest one. A failing scenario panics in its own thread; join reports it.
    let results: Vec<(&str, thread::Result<Row>)> = thread::scope(|s| {
        let handles: Vec<_> = SCENARIOS
            .iter()
            .map(|&(name, scenario)| (name, s.spawn(scenario)))
            .collect();
        handles
            .into_iter()
            .map(|(name, handle)| (name, handle.join()))
            .collect()
    });
    let failed: Vec<&str> = results
        .iter()
        .filter(|(_, r)| r.is_err())
        .map(|(name, _)| *name)
        .collect();
    assert!(failed.is_empty(), "scenarios failed: {failed:?}");
    let rows: Vec<(&str, Row)> = results
        .into_iter()
        .filter_map(|(name, r)| r.ok().map(|row| (name, row)))
        .collect();
    let table = render(&rows);

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md is readable");
    let section = readme
        .split_once(TABLE_START)
        .and_then(|(_, rest)| rest.split_once(TABLE_END))
        .map(|(inside, _)| inside);
    assert!(
        section == Some(table.as_str()),
        "README's fault table differs from what the suite observed; put this between the \
         markers:\n{TABLE_START}{table}{TABLE_END}\n"
    );
}
