//! What every fault scenario runs on: jitter, faults, one call, and the shared checks.

use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use connect_participant::emulator::{Emulator, Fault, RecordedEvent, SeenRequest};
use connect_participant::{
    Client, ClientBuilder, Error, ErrorKind, SendEventOutput, SendEventRequest,
};

use crate::support::{self, GENERATED_CLIENT_TOKEN, INVOCATION_ID};

// ---------------------------------------------------------------------------------------
// Jitter and waits
// ---------------------------------------------------------------------------------------

/// What every 8-byte jitter draw gets: the golden ratio's fraction, 0x9E3779B97F4A7C15, so
/// that the unit is about 0.618 and every wait is an uneven number of nanoseconds.
const JITTER: [u8; 8] = 0x9E37_79B9_7F4A_7C15u64.to_le_bytes();

/// A fixed random source. The 32-byte draw for the invocation id and the client token gets
/// [`support::counting_random`] (so they are [`INVOCATION_ID`] and
/// [`GENERATED_CLIENT_TOKEN`]); the 8-byte draw made after each failed attempt gets
/// [`JITTER`].
fn fixed_random(buf: &mut [u8]) -> io::Result<()> {
    if buf.len() == JITTER.len() {
        buf.copy_from_slice(&JITTER);
        Ok(())
    } else {
        support::counting_random(buf)
    }
}

/// The jitter unit of [`JITTER`]: `(u64::from_le_bytes(bytes) >> 11) / 2^53`.
pub(super) fn unit() -> f64 {
    (u64::from_le_bytes(JITTER) >> 11) as f64 / (1u64 << 53) as f64
}

/// The wait before retry `retry` (1-based): `unit * min(base * 2^(retry-1), 20 s)`.
fn backoff(base: Duration, retry: u32) -> Duration {
    base.saturating_mul(1 << (retry - 1))
        .min(Duration::from_secs(20))
        .mul_f64(unit())
}

/// The wait before retry `retry` after throttling (base 1 s).
pub(super) fn throttling(retry: u32) -> Duration {
    backoff(Duration::from_secs(1), retry)
}

/// The wait before retry `retry` after a transient failure (base 50 ms).
pub(super) fn transient(retry: u32) -> Duration {
    backoff(Duration::from_millis(50), retry)
}

/// Records the waits a client asks for instead of spending them.
#[derive(Clone, Default)]
pub(super) struct Sleeps(Arc<Mutex<Vec<Duration>>>);

impl Sleeps {
    pub(super) fn recorder(&self) -> impl Fn(Duration) + Send + Sync + 'static {
        let waits = Arc::clone(&self.0);
        move |d| waits.lock().unwrap_or_else(PoisonError::into_inner).push(d)
    }

    pub(super) fn recorded(&self) -> Vec<Duration> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

// ---------------------------------------------------------------------------------------
// Running one call against injected faults, and checking what happened
// ---------------------------------------------------------------------------------------

/// What one call against an emulator with injected faults produced.
pub(super) struct Run {
    pub(super) result: Result<SendEventOutput, Error>,
    pub(super) seen: Vec<SeenRequest>,
    pub(super) events: Vec<RecordedEvent>,
    pub(super) waits: Vec<Duration>,
    pub(super) elapsed: Duration,
    pub(super) url: String,
}

/// Starts an emulator, queues `faults`, and sends one typing event with a client built by
/// `configure` from the suite's defaults (fixed random source, recorded waits, 3 attempts).
pub(super) fn run_with(
    faults: Vec<Fault>,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Run {
    let emulator = Emulator::start().expect("the emulator starts");
    for fault in faults {
        emulator.inject(fault);
    }
    let sleeps = Sleeps::default();
    let builder = emulator
        .client_builder()
        .random_source(fixed_random)
        .sleep_fn(sleeps.recorder());
    let client = configure(builder).build().expect("a valid client");
    let token = emulator.connection_token();
    let started = Instant::now();
    let result = client.send_event(&token, &SendEventRequest::typing());
    let elapsed = started.elapsed();
    Run {
        result,
        // For a stall, the emulator recorded the request (and the event) as soon as it read
        // it, long before the client's timeout ran out; every other fault is recorded before
        // the emulator answers or closes, which the client waits for.
        seen: emulator.seen_requests(),
        events: emulator.events(),
        waits: sleeps.recorded(),
        elapsed,
        url: emulator.endpoint_url(),
    }
}

pub(super) fn run(faults: Vec<Fault>) -> Run {
    run_with(faults, |b| b)
}

/// What a scenario must produce.
pub(super) struct Expect {
    /// `None` for success.
    kind: Option<ErrorKind>,
    /// The exact `Display` of the error; `{url}` stands for the endpoint URL and `{rid}` for
    /// the error's request id (the emulator draws a new one for every answer).
    message: String,
    /// Requests the client sent (and the server saw).
    attempts: u32,
    /// `max_attempts` of the client.
    max: u32,
    /// Events the emulator recorded: 0 or 1.
    events: usize,
    /// The waits the client asked for, in order.
    waits: Vec<Duration>,
}

impl Expect {
    pub(super) fn success(attempts: u32, events: usize, waits: Vec<Duration>) -> Expect {
        Expect {
            kind: None,
            message: String::new(),
            attempts,
            max: 3,
            events,
            waits,
        }
    }

    pub(super) fn error(
        kind: ErrorKind,
        message: impl Into<String>,
        attempts: u32,
        waits: Vec<Duration>,
    ) -> Expect {
        Expect {
            kind: Some(kind),
            message: message.into(),
            attempts,
            max: 3,
            events: 0,
            waits,
        }
    }

    pub(super) fn events(mut self, events: usize) -> Expect {
        self.events = events;
        self
    }

    pub(super) fn max(mut self, max: u32) -> Expect {
        self.max = max;
        self
    }
}

/// One row of README's fault table, from what a scenario observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Row {
    /// What the server does.
    pub(super) server: String,
    /// `success`, or the error kind and the client's attempt count.
    pub(super) outcome: String,
    /// Requests the server saw (every attempt that reached it).
    pub(super) seen: String,
    /// Events the emulator recorded.
    pub(super) events: String,
}

pub(super) fn outcome_of(result: &Result<SendEventOutput, Error>) -> String {
    match result {
        Ok(_) => "success".to_owned(),
        Err(e) => {
            let n = e.attempts();
            let s = if n == 1 { "" } else { "s" };
            let quota = if e.retry_quota_exhausted() {
                " (retry quota empty)"
            } else {
                ""
            };
            format!("`{:?}` after {n} attempt{s}{quota}", e.kind())
        }
    }
}

/// Asserts that every request is one attempt of the same call: same client token,
/// invocation id and body, `amz-sdk-request` counting up to `max`.
pub(super) fn assert_attempts_of_one_call(seen: &[SeenRequest], max: u32) {
    for (i, request) in seen.iter().enumerate() {
        let attempt = i + 1;
        assert_eq!(request.method, "POST", "attempt {attempt}");
        assert_eq!(request.path, "/participant/event", "attempt {attempt}");
        assert_eq!(
            request.client_token().as_deref(),
            Some(GENERATED_CLIENT_TOKEN),
            "attempt {attempt}"
        );
        assert_eq!(
            request.header("amz-sdk-invocation-id"),
            Some(INVOCATION_ID),
            "attempt {attempt}"
        );
        assert_eq!(
            request.header("amz-sdk-request"),
            Some(format!("attempt={attempt}; max={max}").as_str()),
        );
        assert_eq!(request.body, seen[0].body, "attempt {attempt}");
        // The emulator keeps no bearer; the client did send one (the emulator checks it).
        assert_eq!(request.header("x-amz-bearer"), None);
    }
}

impl Run {
    /// Asserts everything `expect` says, and the invariants of every scenario; returns the
    /// observed row.
    pub(super) fn check(&self, server: &str, expect: &Expect) -> Row {
        match (&self.result, expect.kind) {
            (Ok(out), None) => {
                // A handled request answers the recorded event; an injected success (an
                // empty 200) answers nothing.
                match self.events.first() {
                    Some(event) => {
                        assert_eq!(out.id.as_deref(), Some(event.id.as_str()), "{server}");
                        assert_eq!(
                            out.absolute_time.as_ref().map(|t| t.as_str()),
                            Some(event.absolute_time.as_str())
                        );
                    }
                    None => assert_eq!(*out, SendEventOutput::default(), "{server}"),
                }
            }
            (Err(e), Some(kind)) => {
                assert_eq!(e.kind(), kind, "{server}: {e:?}");
                assert_eq!(e.attempts(), expect.attempts, "{server}: {e:?}");
                assert!(!e.retry_quota_exhausted(), "{server}: {e:?}");
                let message = expect
                    .message
                    .replace("{url}", &self.url)
                    .replace("{rid}", e.request_id().unwrap_or("<none>"))
                    .replace("{denied}", support::CONNECTION_DENIED);
                assert_eq!(e.to_string(), message, "{server}");
            }
            (result, kind) => panic!("{server}: expected {kind:?}, got {result:?}"),
        }
        assert_eq!(
            self.seen.len(),
            expect.attempts as usize,
            "{server}: requests seen"
        );
        assert_attempts_of_one_call(&self.seen, expect.max);
        assert!(self.events.len() <= 1, "{server}: recorded more than once");
        assert_eq!(self.events.len(), expect.events, "{server}: events");
        if let Some(event) = self.events.first() {
            assert_eq!(event.client_token.as_deref(), Some(GENERATED_CLIENT_TOKEN));
        }
        assert_eq!(self.waits, expect.waits, "{server}: waits");
        Row {
            server: server.to_owned(),
            outcome: outcome_of(&self.result),
            seen: self.seen.len().to_string(),
            events: self.events.len().to_string(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------

pub(super) fn throttled() -> Fault {
    Fault::error(429, "ThrottlingException", "Rate exceeded")
}

pub(super) fn internal() -> Fault {
    Fault::error(500, "InternalServerException", "Internal error")
}

/// What a load balancer or proxy sends: an HTML page, no AWS error type.
pub(super) const HTML: &[u8] =
    b"<html><head><title>Bad Gateway</title></head><body>nginx</body></html>";
pub(super) const NOT_UTF8: &[u8] = b"\xff\xfe\x00\x80 \xc3\x28 not utf-8";
pub(super) const GARBAGE: &[u8] = b"garbage }}{{ ]] \x01\x02 <<";

pub(super) fn respond(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Fault {
    Fault::Respond {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.to_vec(),
    }
}

pub(super) fn html(status: u16) -> Fault {
    respond(status, &[("Content-Type", "text/html")], HTML)
}

/// A head announcing 100 body bytes, 10 of them, then the connection closes.
pub(super) fn truncated(status_line: &str) -> Fault {
    Fault::Raw(
        format!(
            "HTTP/1.1 {status_line}\r\nContent-Type: application/json\r\n\
             Content-Length: 100\r\n\r\n{{\"Id\":\"cu"
        )
        .into_bytes(),
    )
}

pub(super) fn times(n: usize, fault: impl Fn() -> Fault) -> Vec<Fault> {
    (0..n).map(|_| fault()).collect()
}

/// A 3-attempt client for `url` with the fixed random source, recording its waits.
pub(super) fn recording_client(url: &str, sleeps: &Sleeps) -> Client {
    Client::builder()
        .endpoint_url(url)
        .random_source(fixed_random)
        .sleep_fn(sleeps.recorder())
        .build()
        .expect("a local endpoint URL is valid")
}
