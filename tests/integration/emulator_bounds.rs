//! The emulator's bounds: connections, idle time, request bodies and what it keeps.
//!
//! Every test here fails on an emulator without the bound it checks.

use std::io::ErrorKind as IoErrorKind;
use std::time::Duration;

use connect_participant::SendEventRequest;
use connect_participant::emulator::{Emulator, EmulatorBuilder};

use crate::support::process::bounded_wait;
use crate::support::raw::{self, Conn};

/// Marks the child process of the fd-limit tests, and says which scenario it runs.
const FD_CHILD_ENV: &str = "CONNECT_PARTICIPANT_EMULATOR_FD_CHILD";
/// The child test's full name in this binary.
const FD_CHILD_TEST: &str = "emulator_bounds::fd_limit_child";
/// Idle connections the child opens: with three descriptors each, the unbounded emulator
/// ran out of its 1024 near 340 of them.
const FD_HOARDERS: usize = 600;
/// A bound on the connections opened until the process runs out of descriptors.
const FD_EXHAUST_MAX: usize = 2000;

/// The client that must be answered while others hoard connections: one attempt, and a
/// timeout that bounds the test should it not be. 10 s, not less: after the process ran out
/// of descriptors the emulator first works through the hoarders queued before this client,
/// and a loaded CI machine (the rest of the suite runs beside it) once took longer than 3 s.
fn well_behaved_client(emulator: &Emulator) -> connect_participant::Client {
    emulator
        .client_builder()
        .timeout(Duration::from_secs(10))
        .max_attempts(1)
        .build()
        .unwrap()
}

/// Runs [`fd_limit_child`] in `scenario` with an open-file limit of 1024 and returns its
/// output, after checking that it succeeded.
#[cfg(unix)]
fn run_fd_child(scenario: &str) -> String {
    let exe = std::env::current_exe().unwrap();
    let child = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -n 1024 && exec "$0" "$@""#)
        .arg(&exe)
        .args(["--exact", FD_CHILD_TEST, "--ignored", "--nocapture"])
        .env(FD_CHILD_ENV, scenario)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The bound is a safety net: the child's own client gives up after 10 s.
    let output = bounded_wait(child);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Shown with --nocapture: how long each step took, what the emulator counted.
    println!("{stdout}");
    let report = format!("status {}\n{stdout}\n{stderr}", output.status);
    assert!(output.status.success(), "{report}");
    assert!(stdout.contains("fd-child: answered=true"), "{report}");
    assert!(stdout.contains("fd-child: stopped"), "{report}");
    stdout
}

/// Many idle connections once ran an emulator out of descriptors under the common limit of
/// 1024 open files: in a child process with that limit, a normal client must still get its
/// answer while they hoard.
#[cfg(unix)]
#[test]
fn a_client_is_answered_while_600_idle_connections_hoard_under_a_1024_fd_limit() {
    let out = run_fd_child("hoard");
    assert!(
        out.contains(&format!("fd-child: hoarders={FD_HOARDERS}\n")),
        "{out}"
    );
}

/// Worse: idle connections until the process has no descriptor left, so that `accept`
/// itself fails; the emulator must free one and pace its retries, and a
/// client must still be answered.
#[cfg(unix)]
#[test]
fn a_client_is_answered_after_the_process_ran_out_of_descriptors() {
    let out = run_fd_child("exhaust");
    assert!(out.contains("fd-child: connect failed: "), "{out}");
}

/// The child half of the tests above; it does nothing unless started by them.
#[test]
#[ignore = "run in a child process by the fd-limit tests"]
fn fd_limit_child() {
    let Some(scenario) = std::env::var_os(FD_CHILD_ENV) else {
        return;
    };
    let exhaust = scenario == "exhaust";
    let started = std::time::Instant::now();
    let emulator = Emulator::start().unwrap();
    let client = well_behaved_client(&emulator);
    let mut hoarders = Vec::new();
    for i in 0..if exhaust { FD_EXHAUST_MAX } else { FD_HOARDERS } {
        match Conn::try_open(emulator.addr()) {
            Ok(mut conn) => {
                if i % 2 == 1 {
                    let _ = conn.try_send(HALF_HEAD);
                }
                hoarders.push(conn);
            }
            Err(e) => {
                println!("fd-child: connect failed: {e}");
                break;
            }
        }
    }
    println!("fd-child: hoarders={}", hoarders.len());
    println!("fd-child: opened at {:?}", started.elapsed());
    if exhaust {
        // Room for the client's own socket: the oldest hoarders, long closed by the
        // emulator, hold only their own descriptor. Up to 128 more (std's listen backlog)
        // may still wait to be accepted, one descriptor each, and under load the emulator
        // took the room first (the client's connect then failed with EMFILE): free 16
        // beyond them.
        hoarders.drain(..128 + 16);
    }
    let token = emulator.connection_token();
    let answer = client.send_event(&token, &SendEventRequest::typing());
    println!("fd-child: answered={}", answer.is_ok());
    println!("fd-child: answered at {:?}", started.elapsed());
    if let Err(e) = &answer {
        println!("fd-child: error {e:?}");
    }
    let errors = emulator.accept_errors();
    println!(
        "fd-child: open={} accepted={} accept_errors={errors}",
        emulator.open_connections(),
        emulator.connections(),
    );
    assert!(emulator.open_connections() <= EmulatorBuilder::DEFAULT_MAX_CONNECTIONS);
    // Paced retries: a few dozen a second at most, where a spinning loop makes millions.
    let bound = 100 * (started.elapsed().as_secs() as usize + 1);
    assert!(
        errors <= bound,
        "{errors} accept errors in {:?}",
        started.elapsed()
    );
    drop(hoarders);
    drop(emulator);
    println!("fd-child: stopped at {:?}", started.elapsed());
}

/// Half a request head: a slow or abandoned request.
const HALF_HEAD: &[u8] = b"POST /participant/event HTTP/1.1\r\nHost: x\r\n";

/// `n` connections that send nothing (even ones) or half a request head (odd ones).
fn hoard(emulator: &Emulator, n: usize) -> Vec<Conn> {
    (0..n)
        .map(|i| {
            let mut conn = Conn::open(emulator.addr());
            if i % 2 == 1 {
                conn.send(HALF_HEAD);
            }
            conn
        })
        .collect()
}

#[test]
fn hoarded_connections_make_room_for_a_client_oldest_first() {
    let emulator = Emulator::builder().max_connections(8).start().unwrap();
    let mut hoarders = hoard(&emulator, 50);
    let client = well_behaved_client(&emulator);
    let token = emulator.connection_token();
    client
        .send_event(&token, &SendEventRequest::typing())
        .unwrap();
    // Connections are accepted in order; the client's came last, after all 50.
    assert_eq!(emulator.connections(), 51);
    assert!(emulator.open_connections() <= 8, "{emulator:?}");
    // Each newcomer beyond 8 closed the longest-waiting one: the 43 oldest hoarders.
    for (i, hoarder) in hoarders.iter_mut().enumerate().take(50 - 7) {
        hoarder
            .read_to_close()
            .unwrap_or_else(|e| panic!("hoarder {i} still open: {e}"));
    }
    // The client's own connection was kept, and so it is answered again at once.
    client
        .send_event(&token, &SendEventRequest::typing())
        .unwrap();
    assert_eq!(emulator.connections(), 51);
    assert_eq!(emulator.events().len(), 2);
    assert_eq!(emulator.accept_errors(), 0);
}

#[test]
fn idle_and_half_sent_connections_are_closed_after_the_idle_timeout() {
    let emulator = Emulator::builder()
        .idle_timeout(Duration::from_millis(50))
        .start()
        .unwrap();
    let mut silent = Conn::open(emulator.addr());
    let mut half = Conn::open(emulator.addr());
    half.send(HALF_HEAD);
    silent.read_to_close().unwrap();
    half.read_to_close().unwrap();
    assert_eq!(emulator.open_connections(), 0);

    // An idle keep-alive connection after an answer is closed too.
    let mut kept = Conn::open(emulator.addr());
    let body = r#"{"ContentType":"application/vnd.amazonaws.connect.event.typing"}"#;
    let token = emulator.connection_token();
    kept.send(
        format!(
            "POST /participant/event HTTP/1.1\r\nHost: x\r\nX-Amz-Bearer: {}\r\n\
             Content-Length: {}\r\n\r\n{body}",
            token.expose_secret(),
            body.len()
        )
        .as_bytes(),
    );
    let answer = kept.read_all();
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert!(!String::from_utf8_lossy(&answer).contains("Connection: close"));
    assert_eq!(emulator.events().len(), 1);
}

#[test]
fn zero_bounds_that_make_no_sense_are_refused() {
    let refused = [
        Emulator::builder().max_connections(0).start(),
        Emulator::builder().idle_timeout(Duration::ZERO).start(),
        Emulator::builder().max_body(0).start(),
        Emulator::builder().max_chats(0).start(),
        Emulator::builder().max_items_per_chat(0).start(),
        Emulator::builder()
            .connection_token_lifetime(Duration::ZERO)
            .start(),
    ];
    for result in refused {
        let e = result.unwrap_err();
        assert_eq!(e.kind(), IoErrorKind::InvalidInput, "{e}");
    }
    // Keeping nothing is a choice, not a mistake; so are the largest values, which must
    // neither panic nor overflow (a socket timeout of Duration::MAX saturates).
    let emulator = Emulator::builder()
        .max_seen_requests(0)
        .max_seen_bytes(0)
        .idle_timeout(Duration::MAX)
        .max_connections(usize::MAX)
        .max_body(usize::MAX)
        .max_events(usize::MAX)
        .max_chats(usize::MAX)
        .max_items_per_chat(usize::MAX)
        .connection_token_lifetime(Duration::MAX)
        .start()
        .unwrap();
    let client = emulator.client_builder().build().unwrap();
    let token = emulator.connection_token();
    client
        .send_event(&token, &SendEventRequest::typing())
        .unwrap();
    assert!(emulator.seen_requests().is_empty());
    assert_eq!(emulator.requests(), 1);
}

#[test]
fn seen_requests_keeps_only_the_newest_within_its_bounds() {
    let emulator = Emulator::builder().max_seen_requests(3).start().unwrap();
    let client = emulator.client_builder().build().unwrap();
    let token = emulator.connection_token();
    for i in 0..10 {
        let req = SendEventRequest::typing().with_client_token(format!("ct-{i}"));
        client.send_event(&token, &req).unwrap();
    }
    let kept: Vec<Option<String>> = emulator
        .seen_requests()
        .iter()
        .map(|r| r.client_token())
        .collect();
    assert_eq!(
        kept,
        [
            Some("ct-7".into()),
            Some("ct-8".into()),
            Some("ct-9".into())
        ]
    );
    assert_eq!(emulator.requests(), 10);
    assert_eq!(emulator.events().len(), 10);

    // The byte budget: room for two typing requests, heads and bodies, not three.
    let size = emulator.seen_requests()[0].kept_bytes();
    let emulator = Emulator::builder()
        .max_seen_bytes(2 * size + size / 2)
        .start()
        .unwrap();
    let client = emulator.client_builder().build().unwrap();
    let token = emulator.connection_token();
    for i in 0..5 {
        let req = SendEventRequest::typing().with_client_token(format!("ct-{i}"));
        client.send_event(&token, &req).unwrap();
    }
    let seen = emulator.seen_requests();
    let kept: Vec<Option<String>> = seen.iter().map(|r| r.client_token()).collect();
    assert_eq!(kept, [Some("ct-3".into()), Some("ct-4".into())]);
    assert_eq!(emulator.requests(), 5);
}

/// Sends `head` (lines without their CRLF, a blank line added) and `body` on a new
/// connection and reads the answer until the emulator closes; `None` if the connection
/// was reset before an answer arrived (a refused head may be closed on with bytes unread).
fn exchange(emulator: &Emulator, head: &[String], body: &[u8]) -> Option<String> {
    let lines: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut raw = raw::head(&lines);
    raw.extend_from_slice(body);
    let mut conn = Conn::open(emulator.addr());
    // The emulator may refuse and close before it has read all of this.
    let _ = conn.try_send(&raw);
    let (answer, end) = conn.read_until_closed();
    match end {
        Ok(()) => {}
        Err(e) if e.kind() == IoErrorKind::ConnectionReset => {}
        Err(e) => panic!("{e}"),
    }
    (!answer.is_empty()).then(|| String::from_utf8_lossy(&answer).into_owned())
}

/// A SendEvent head for a typing event, `pad` more headers of `pad_len` bytes each.
fn typing_head(token: &str, pad: usize, pad_len: usize) -> (Vec<String>, Vec<u8>) {
    let body = br#"{"ContentType":"application/vnd.amazonaws.connect.event.typing"}"#.to_vec();
    let mut head = vec![
        "POST /participant/event HTTP/1.1".to_owned(),
        "Host: x".to_owned(),
        format!("X-Amz-Bearer: {token}"),
        "Connection: close".to_owned(),
        format!("Content-Length: {}", body.len()),
    ];
    head.extend((0..pad).map(|i| format!("X-Pad-{i:03}: {}", "p".repeat(pad_len))));
    (head, body)
}

/// An attack, scaled down: heads of many headers were once kept whole and counted as
/// nothing. A head of more than 128 headers is now refused with 431 and not kept; the heads
/// that are kept count in `max_seen_bytes` beside the bodies.
#[test]
fn request_heads_are_bounded_in_count_and_counted_in_the_seen_budget() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    let token = token.expose_secret();
    // 4 headers of its own and 124 more: 128, the most taken.
    let (head, body) = typing_head(token, 124, 1);
    let answer = exchange(&emulator, &head, &body).expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert_eq!(emulator.seen_requests().len(), 1);
    // One more is refused, with 431, before anything is handled or kept.
    let (head, body) = typing_head(token, 125, 1);
    let answer = exchange(&emulator, &head, &body).expect("an answer");
    assert!(
        answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{answer}"
    );
    assert_eq!((emulator.requests(), emulator.events().len()), (2, 1));
    assert_eq!(emulator.seen_requests().len(), 1);
    // A head of 16,000 empty headers (64 KiB): refused too, not kept. The emulator closes
    // with most of the head unread, which may reset the connection before its answer is
    // read; either way it has counted the request by then.
    let mut head = vec!["POST /participant/event HTTP/1.1".to_owned()];
    head.extend((0..16_000).map(|_| "a:".to_owned()));
    if let Some(answer) = exchange(&emulator, &head, b"") {
        assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
    }
    assert_eq!(emulator.requests(), 3);
    assert_eq!(emulator.seen_requests().len(), 1);

    // Heads count in the budget: each of these requests holds some 10 KB of headers and
    // a body of 66 bytes, so a budget of 25,000 bytes keeps two, where counting bodies
    // alone would keep all ten.
    let emulator = Emulator::builder().max_seen_bytes(25_000).start().unwrap();
    let token = emulator.connection_token();
    for _ in 0..10 {
        let (head, body) = typing_head(token.expose_secret(), 100, 100);
        let answer = exchange(&emulator, &head, &body).expect("an answer");
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    }
    let seen = emulator.seen_requests();
    let held: usize = seen.iter().map(|r| r.kept_bytes()).sum();
    assert_eq!(seen.len(), 2, "{held} bytes");
    assert!(held <= 25_000 && held > 20_000, "{held}");
    assert_eq!(
        seen[0].headers.len(),
        103,
        "every header but the bearer is kept"
    );
    assert_eq!(emulator.events().len(), 10);
}

/// Sends a SendEvent head announcing `len` body bytes, then `body`, and returns the
/// answer's status line.
fn post_raw(emulator: &Emulator, len: usize, body: &[u8]) -> String {
    let token = emulator.connection_token();
    let mut conn = Conn::open(emulator.addr());
    conn.send(
        format!(
            "POST /participant/event HTTP/1.1\r\nHost: x\r\nX-Amz-Bearer: {}\r\n\
             Connection: close\r\nContent-Length: {len}\r\n\r\n",
            token.expose_secret()
        )
        .as_bytes(),
    );
    conn.send(body);
    let answer = conn.read_all();
    let answer = String::from_utf8_lossy(&answer);
    answer.lines().next().unwrap_or_default().to_owned()
}

/// A typing event padded with an unknown member to `len` bytes.
fn padded_body(len: usize) -> Vec<u8> {
    let head = br#"{"ContentType":"application/vnd.amazonaws.connect.event.typing","Pad":""#;
    let mut body = head.to_vec();
    body.resize(len - 2, b'x');
    body.extend_from_slice(b"\"}");
    body
}

#[test]
fn default_body_bound_is_1_mib_and_a_set_bound_refuses_more() {
    let emulator = Emulator::start().unwrap();
    assert_eq!(EmulatorBuilder::DEFAULT_MAX_BODY, 1024 * 1024);
    // The largest legal request of the service, about 100 KiB: SendMessage with 16,384
    // bytes of content, each a control character JSON escapes to 6 bytes.
    let content = "\u{1}".repeat(16_384);
    let body = serde_json::json!({"Content": content, "ContentType": "text/plain"}).to_string();
    assert!(body.len() > 96 * 1024, "{}", body.len());
    let (status, _) = call(&emulator, "/participant/message", &body);
    assert_eq!(status, 200);
    // 1 MiB is taken; one byte more is refused on its Content-Length alone.
    let body = padded_body(1024 * 1024);
    assert_eq!(post_raw(&emulator, body.len(), &body), "HTTP/1.1 200 OK");
    assert_eq!(
        post_raw(&emulator, 1024 * 1024 + 1, b""),
        "HTTP/1.1 400 Bad Request"
    );

    let emulator = Emulator::builder().max_body(1000).start().unwrap();
    let body = padded_body(1000);
    assert_eq!(post_raw(&emulator, 1000, &body), "HTTP/1.1 200 OK");
    // Refused on its Content-Length alone, before any of the body is sent: bytes left
    // unread at the close could cost the answer.
    assert_eq!(post_raw(&emulator, 1001, b""), "HTTP/1.1 400 Bad Request");
    assert_eq!(emulator.events().len(), 1);
}

/// POSTs `body` to `path` with a new chat's connection token (or `token`, if the chat is
/// given), closing after the answer: (status, the chat's connection token).
fn call(emulator: &Emulator, path: &str, body: &str) -> (u16, String) {
    let token = emulator.connection_token();
    let token = token.expose_secret().to_owned();
    (call_with(emulator, path, &token, body), token)
}

fn call_with(emulator: &Emulator, path: &str, token: &str, body: &str) -> u16 {
    let head = [
        format!("POST {path} HTTP/1.1"),
        "Host: x".to_owned(),
        format!("X-Amz-Bearer: {token}"),
        "Content-Type: application/json".to_owned(),
        "Connection: close".to_owned(),
        format!("Content-Length: {}", body.len()),
    ];
    let answer = exchange(emulator, &head, body.as_bytes()).expect("an answer");
    answer[9..12].parse().unwrap()
}

/// Events of 64 KiB (16,384 four-byte characters) and messages of 16 KiB in several chats,
/// far past a budget of 1 MiB: what the chats and the events hold stays within it, the
/// oldest events go first, then the oldest chats, and the newest of each is kept.
#[test]
fn kept_bytes_of_chats_and_events_stay_within_max_kept_bytes() {
    const BUDGET: usize = 1024 * 1024;
    assert_eq!(EmulatorBuilder::DEFAULT_MAX_KEPT_BYTES, 256 * 1024 * 1024);
    let emulator = Emulator::builder().max_kept_bytes(BUDGET).start().unwrap();
    let big_event = serde_json::json!({
        "ContentType": "application/vnd.amazonaws.connect.event.typing",
        "Content": "\u{1F600}".repeat(16_384),
    })
    .to_string();
    let big_message = serde_json::json!({
        "ContentType": "text/plain",
        "Content": "m".repeat(16_384),
    })
    .to_string();
    // Events: 40 of 64 KiB, 2.5 MiB sent.
    let (status, first_token) = call(&emulator, "/participant/event", &big_event);
    assert_eq!(status, 200);
    for _ in 1..40 {
        assert_eq!(
            call_with(&emulator, "/participant/event", &first_token, &big_event),
            200
        );
        assert!(emulator.kept_bytes() <= BUDGET, "{}", emulator.kept_bytes());
    }
    let events = emulator.events();
    let content: usize = events
        .iter()
        .filter_map(|e| e.content.as_ref())
        .map(String::len)
        .sum();
    assert!(
        events.len() < 40 && content <= BUDGET,
        "{} events",
        events.len()
    );
    assert_eq!(
        events.last().unwrap().content.as_ref().unwrap().len(),
        65_536
    );
    // Messages: 20 chats of 8 messages of 16 KiB, 2.5 MiB sent; the events go first.
    let mut tokens = Vec::new();
    for _ in 0..20 {
        let (status, token) = call(&emulator, "/participant/message", &big_message);
        assert_eq!(status, 200);
        for _ in 1..8 {
            assert_eq!(
                call_with(&emulator, "/participant/message", &token, &big_message),
                200
            );
            assert!(emulator.kept_bytes() <= BUDGET, "{}", emulator.kept_bytes());
        }
        tokens.push(token);
    }
    assert!(
        emulator.events().len() <= 1,
        "the events were forgotten first"
    );
    // The oldest chats were forgotten (their tokens get 403); the newest is whole.
    let typing = r#"{"ContentType":"application/vnd.amazonaws.connect.event.typing"}"#;
    assert_eq!(
        call_with(&emulator, "/participant/event", &tokens[0], typing),
        403
    );
    assert_eq!(
        call_with(&emulator, "/participant/event", &tokens[19], typing),
        200
    );
    assert!(emulator.kept_bytes() <= BUDGET, "{}", emulator.kept_bytes());
    let newest = call_with(
        &emulator,
        "/participant/transcript",
        &tokens[19],
        r#"{"MaxResults":100}"#,
    );
    assert_eq!(newest, 200);
    assert_eq!(
        Emulator::builder()
            .max_kept_bytes(0)
            .start()
            .unwrap_err()
            .kind(),
        IoErrorKind::InvalidInput
    );
}

#[test]
fn events_keeps_the_newest_and_forgets_the_oldest_with_its_client_token() {
    let emulator = Emulator::builder().max_events(3).start().unwrap();
    let client = emulator.client_builder().build().unwrap();
    let token = emulator.connection_token();
    let send = |ct: &str| {
        client
            .send_event(&token, &SendEventRequest::typing().with_client_token(ct))
            .unwrap()
            .id
            .unwrap()
    };
    let ids: Vec<String> = ["c0", "c1", "c2", "c3", "c4"].map(send).to_vec();
    let kept: Vec<(String, Option<String>)> = emulator
        .events()
        .into_iter()
        .map(|e| (e.id, e.client_token))
        .collect();
    assert_eq!(
        kept,
        [
            (ids[2].clone(), Some("c2".to_owned())),
            (ids[3].clone(), Some("c3".to_owned())),
            (ids[4].clone(), Some("c4".to_owned())),
        ]
    );
    // A kept client token is still the same event; a forgotten one is a new event.
    assert_eq!(send("c3"), ids[3]);
    let again = send("c0");
    assert_ne!(again, ids[0]);
    let events = emulator.events();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2].id, again);
    assert_eq!(events[0].id, ids[3]);
    assert_eq!(emulator.requests(), 7);
    assert_eq!(
        Emulator::builder()
            .max_events(0)
            .start()
            .unwrap_err()
            .kind(),
        IoErrorKind::InvalidInput
    );
}
