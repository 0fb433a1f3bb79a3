//! Per-call cost of SendEvent and SendMessage against a raw-socket floor, over keep-alive
//! HTTP on 127.0.0.1, and the cost of reading a 100-item transcript page against a plain
//! `serde_json::Value` parse of the same bytes.
//!
//! `cargo bench --bench send_event` for the full run, `-- --quick` for the CI smoke run.
//! Clients run interleaved in rounds so machine drift hits all alike; figures are per call,
//! and each is also given as a ratio to the floor: a std-only client writing precomputed
//! request bytes over one kept-alive `TcpStream`.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use connect_participant::{
    Client, ConnectionToken, Endpoint, SendEventRequest, SendMessageRequest, send_event,
};

/// The fixed answer: what the service sends for a typing event.
const ANSWER_BODY: &str =
    r#"{"AbsoluteTime":"2019-11-08T02:41:28.172Z","Id":"1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"}"#;

fn answer_bytes() -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
         x-amzn-RequestId: 4f3e2d1c-0b9a-4877-8665-5544332211ff\r\ncontent-length: {}\r\n\r\n{}",
        ANSWER_BODY.len(),
        ANSWER_BODY
    )
    .into_bytes()
}

/// Finds the end of the head and the announced body length in `buf`.
fn parse_head(buf: &[u8]) -> Option<(usize, usize)> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = &buf[..end];
    let mut len = 0;
    for line in head.split(|&b| b == b'\n') {
        if line.len() > 15 && line[..15].eq_ignore_ascii_case(b"content-length:") {
            let digits = line[15..].iter().filter(|b| b.is_ascii_digit());
            len = digits.fold(0usize, |n, d| n * 10 + usize::from(d - b'0'));
        }
    }
    Some((end, len))
}

/// Reads one whole message (head + Content-Length body) into `buf`; false at EOF.
fn read_message(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<bool> {
    buf.clear();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some((end, len)) = parse_head(buf) {
            if buf.len() >= end + len {
                return Ok(true);
            }
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(false);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// A server that answers every request with the same bytes, as cheaply as possible so that
/// it is not what is measured.
///
/// One thread polls every connection without ever sleeping. That costs a core for the
/// length of the run, but it makes the comparison fair on a small machine: a server thread
/// that slept would need waking, and how long that takes depends on whether the scheduler
/// happened to put it on the client's core or the other one, a coin toss per connection that
/// swings a call between 7 and 70 us here. Spinning, it is always on the other core, for
/// every contender alike.
fn start_server() -> SocketAddr {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr");
    let answer = answer_bytes();
    thread::spawn(move || {
        let mut conns: Vec<(TcpStream, Vec<u8>)> = Vec::new();
        let mut chunk = [0u8; 4096];
        // After a failed accept (out of descriptors, say), the next waits: spinning is for
        // serving connections, not for retrying what just failed.
        let mut accept_after: Option<Instant> = None;
        let mut pause = Duration::from_millis(1);
        loop {
            if accept_after.is_none_or(|t| Instant::now() >= t) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = stream.set_nodelay(true);
                        let _ = stream.set_nonblocking(true);
                        conns.push((stream, Vec::with_capacity(4096)));
                        accept_after = None;
                        pause = Duration::from_millis(1);
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(_) => {
                        accept_after = Some(Instant::now() + pause);
                        pause = (pause * 2).min(Duration::from_millis(100));
                    }
                }
            }
            conns.retain_mut(|(stream, buf)| {
                match stream.read(&mut chunk) {
                    Ok(0) => return false,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
                    Err(_) => return false,
                }
                while let Some((end, len)) = parse_head(buf) {
                    if buf.len() < end + len {
                        break;
                    }
                    buf.drain(..end + len);
                    if write_fully(stream, &answer).is_err() {
                        return false;
                    }
                }
                true
            });
            std::hint::spin_loop();
        }
    });
    addr
}

/// `write_all` for a nonblocking socket: the answer is small, so this rarely loops.
fn write_fully(stream: &mut TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match stream.write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::hint::spin_loop(),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// CPU time this thread has used, from the kernel's scheduler statistics.
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

/// The floor: precomputed request bytes over one kept-alive socket.
struct Floor {
    stream: TcpStream,
    request: Vec<u8>,
    buf: Vec<u8>,
}

impl Floor {
    fn new(addr: SocketAddr, request: Vec<u8>) -> Floor {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Floor {
            stream,
            request,
            buf: Vec::with_capacity(4096),
        }
    }

    fn call(&mut self) {
        self.stream.write_all(&self.request).expect("write");
        assert!(read_message(&mut self.stream, &mut self.buf).expect("read"));
    }
}

/// The bytes our client sends for a typing event, laid out as ureq does.
fn floor_request(addr: SocketAddr) -> Vec<u8> {
    let body = r#"{"ClientToken":"10111213-1415-4617-9819-1a1b1c1d1e1f","ContentType":"application/vnd.amazonaws.connect.event.typing"}"#;
    raw_request(addr, "/participant/event", body)
}

/// The message the benchmark sends: a typical chat line.
const MESSAGE: &str = "Hi! My order 12345 has not arrived yet, could you check where it is?";

/// The bytes our client sends for [`MESSAGE`].
fn floor_message_request(addr: SocketAddr) -> Vec<u8> {
    let body = format!(
        r#"{{"ClientToken":"10111213-1415-4617-9819-1a1b1c1d1e1f","Content":"{MESSAGE}","ContentType":"text/plain"}}"#
    );
    raw_request(addr, "/participant/message", &body)
}

fn raw_request(addr: SocketAddr, path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\ncontent-length: {}\r\n\
         user-agent: connect-participant/{}\r\nhost: {addr}\r\n\
         content-type: application/json\r\nx-amz-bearer: {}\r\n\
         amz-sdk-invocation-id: 00010203-0405-4607-8809-0a0b0c0d0e0f\r\n\
         amz-sdk-request: attempt=1; max=3\r\n\r\n{body}",
        body.len(),
        env!("CARGO_PKG_VERSION"),
        TOKEN
    )
    .into_bytes()
}

const TOKEN: &str = "AQIDAHh0eXBpbmctYmVuY2htYXJrLXRva2VuLXdpdGgtYS1yZWFsaXN0aWMtbGVuZ3Ro";

/// Per-call samples of one contender.
#[derive(Default)]
struct Samples {
    wall: Vec<Duration>,
    cpu: Duration,
    calls: u32,
}

impl Samples {
    fn run(&mut self, calls: u32, mut f: impl FnMut()) {
        let cpu = thread_cpu();
        for _ in 0..calls {
            let t = Instant::now();
            f();
            self.wall.push(t.elapsed());
        }
        self.cpu += thread_cpu() - cpu;
        self.calls += calls;
    }

    fn median(&mut self) -> Duration {
        self.wall.sort_unstable();
        self.wall[self.wall.len() / 2]
    }

    fn p99(&mut self) -> Duration {
        self.wall.sort_unstable();
        self.wall[self.wall.len() * 99 / 100]
    }

    fn cpu_per_call(&self) -> Duration {
        self.cpu / self.calls.max(1)
    }
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `--only floor|client|message-floor|message N`: just N calls of one contender, for
    // instruction counts under
    // `valgrind --tool=callgrind` (run twice with different N and subtract: see BENCHMARKS.md).
    if let Some(i) = args.iter().position(|a| a == "--only") {
        let who = args.get(i + 1).map(String::as_str).unwrap_or("client");
        let calls = args.get(i + 2).and_then(|n| n.parse().ok()).unwrap_or(1000);
        only(who, calls);
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let (rounds, per_round) = if quick { (4, 250) } else { (20, 1000) };
    let addr = start_server();
    let url = format!("http://{addr}");
    let token = ConnectionToken::new(TOKEN).expect("token");
    let client = Client::builder()
        .endpoint_url(&url)
        .build()
        .expect("client");
    let endpoint = Endpoint::from_url(&url).expect("endpoint");
    let typing = SendEventRequest::typing();
    let read = SendEventRequest::read("1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b");
    let message = SendMessageRequest::text(MESSAGE);
    let mut floor = Floor::new(addr, floor_request(addr));
    let mut message_floor = Floor::new(addr, floor_message_request(addr));

    // Warm up connections, caches and the allocator.
    for _ in 0..200 {
        floor.call();
        message_floor.call();
        client.send_event(&token, &typing).expect("warm-up");
        client.send_message(&token, &message).expect("warm-up");
    }

    let names = [
        "floor: raw std socket",
        "Client::send_event typing",
        "Client::send_event read",
        "send_event() one-off",
        "pure path (no socket)",
        "floor: message bytes",
        "Client::send_message text",
    ];
    let mut samples: Vec<Samples> = names.iter().map(|_| Samples::default()).collect();
    // The one-off function opens a connection per call: fewer calls keep the run short.
    let one_off_calls = (per_round / 10).max(10);
    for _ in 0..rounds {
        samples[0].run(per_round, || floor.call());
        samples[1].run(per_round, || {
            client.send_event(&token, &typing).expect("typing");
        });
        samples[2].run(per_round, || {
            client.send_event(&token, &read).expect("read");
        });
        samples[3].run(one_off_calls, || {
            send_event(&endpoint, &token, &typing).expect("one-off");
        });
        samples[4].run(per_round, || {
            let r = connect_participant::__bench::pure_path(
                &typing,
                "10111213-1415-4617-9819-1a1b1c1d1e1f",
                ANSWER_BODY.as_bytes(),
            );
            std::hint::black_box(r.expect("pure"));
        });
        samples[5].run(per_round, || message_floor.call());
        samples[6].run(per_round, || {
            client.send_message(&token, &message).expect("message");
        });
    }

    let floor_median = samples[0].median();
    let floor_cpu = samples[0].cpu_per_call();
    println!(
        "connect-participant {} per-call cost, {} rounds x {} calls{}",
        env!("CARGO_PKG_VERSION"),
        rounds,
        per_round,
        if quick { " (quick)" } else { "" }
    );
    println!(
        "{:<28} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "client", "median us", "p99 us", "cpu us", "wall/floor", "cpu/floor"
    );
    for (name, s) in names.iter().zip(samples.iter_mut()) {
        let median = s.median();
        let p99 = s.p99();
        let cpu = s.cpu_per_call();
        println!(
            "{:<28} {:>10.1} {:>10.1} {:>10.1} {:>10.2} {:>10.2}",
            name,
            us(median),
            us(p99),
            us(cpu),
            median.as_secs_f64() / floor_median.as_secs_f64(),
            cpu.as_secs_f64() / floor_cpu.as_secs_f64().max(1e-9),
        );
    }

    transcript_page(if quick { 20 } else { 200 });

    threads(
        addr,
        &client,
        &token,
        &typing,
        if quick { 200 } else { 2000 },
    );
}

/// A GetTranscript page of 100 items as the service writes one: messages with receipts,
/// events with null content, of chat-sized text.
fn transcript_page_body() -> String {
    let items: Vec<String> = (0..100)
        .map(|i| {
            if i % 10 == 9 {
                format!(
                    r#"{{"AbsoluteTime":"2026-11-27T10:{:02}:{:02}.123Z","Content":null,"ContentType":"application/vnd.amazonaws.connect.event.participant.joined","Id":"{i:08}-5b6a-4978-8a9b-0c1d2e3f4a5b","Type":"EVENT","ParticipantId":"8d3f4a5b-0c1d-4e2f-8a9b-1f2e3d4c5b6a","DisplayName":"Agent","ParticipantRole":"AGENT","ContactId":"c0ffee00-5b6a-4978-8a9b-0c1d2e3f4a5b"}}"#,
                    i / 60,
                    i % 60
                )
            } else {
                format!(
                    r#"{{"AbsoluteTime":"2026-11-27T10:{:02}:{:02}.123Z","Content":"Message number {i}: {MESSAGE}","ContentType":"text/plain","Id":"{i:08}-5b6a-4978-8a9b-0c1d2e3f4a5b","Type":"MESSAGE","ParticipantId":"1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b","DisplayName":"Customer","ParticipantRole":"CUSTOMER","ContactId":"c0ffee00-5b6a-4978-8a9b-0c1d2e3f4a5b","MessageMetadata":{{"MessageId":"{i:08}-5b6a-4978-8a9b-0c1d2e3f4a5b","Receipts":[{{"DeliveredTimestamp":"2026-11-27T10:00:01.000Z","ReadTimestamp":"2026-11-27T10:00:02.000Z","RecipientParticipantId":"8d3f4a5b-0c1d-4e2f-8a9b-1f2e3d4c5b6a"}}]}}}}"#,
                    i / 60,
                    i % 60
                )
            }
        })
        .collect();
    format!(
        r#"{{"InitialContactId":"c0ffee00-5b6a-4978-8a9b-0c1d2e3f4a5b","NextToken":"bmV4dC1wYWdl","Transcript":[{}]}}"#,
        items.join(",")
    )
}

/// Reading a 100-item page into typed items, against parsing it to a `serde_json::Value`.
fn transcript_page(rounds: u32) {
    let body = transcript_page_body();
    let mut floor = Samples::default();
    let mut ours = Samples::default();
    for _ in 0..rounds {
        floor.run(10, || {
            let v: serde_json::Value = serde_json::from_slice(body.as_bytes()).expect("json");
            std::hint::black_box(v);
        });
        ours.run(10, || {
            let page = connect_participant::__bench::parse_transcript(body.as_bytes());
            assert_eq!(
                std::hint::black_box(page.expect("page")).transcript.len(),
                100
            );
        });
    }
    let (f, o) = (floor.median(), ours.median());
    println!(
        "100-item transcript page ({} bytes): serde_json::Value {:.1} us, typed page {:.1} us, \
         typed/Value {:.2}",
        body.len(),
        us(f),
        us(o),
        o.as_secs_f64() / f.as_secs_f64()
    );
}

fn only(who: &str, calls: u32) {
    let addr = start_server();
    let token = ConnectionToken::new(TOKEN).expect("token");
    let typing = SendEventRequest::typing();
    if who == "floor" {
        let mut floor = Floor::new(addr, floor_request(addr));
        (0..calls).for_each(|_| floor.call());
    } else if who == "message-floor" {
        let mut floor = Floor::new(addr, floor_message_request(addr));
        (0..calls).for_each(|_| floor.call());
    } else if who == "message" {
        let client = Client::builder()
            .endpoint_url(format!("http://{addr}"))
            .build()
            .expect("client");
        let message = SendMessageRequest::text(MESSAGE);
        for _ in 0..calls {
            client.send_message(&token, &message).expect("message");
        }
    } else {
        let client = Client::builder()
            .endpoint_url(format!("http://{addr}"))
            .build()
            .expect("client");
        for _ in 0..calls {
            client.send_event(&token, &typing).expect("typing");
        }
    }
}

/// 8 threads sharing one `Client` against 8 floor connections.
fn threads(
    addr: SocketAddr,
    client: &Client,
    token: &ConnectionToken,
    request: &SendEventRequest,
    calls: u32,
) {
    const THREADS: usize = 8;
    let run = |shared_client: bool| -> (Duration, Duration) {
        let barrier = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                let client = client.clone();
                let token = token.clone();
                let request = request.clone();
                thread::spawn(move || {
                    let mut floor = (!shared_client).then(|| Floor::new(addr, floor_request(addr)));
                    let mut s = Samples::default();
                    barrier.wait();
                    s.run(calls, || match &mut floor {
                        Some(f) => f.call(),
                        None => {
                            client.send_event(&token, &request).expect("threaded");
                        }
                    });
                    (s.median(), s.cpu_per_call())
                })
            })
            .collect();
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect();
        let mut medians: Vec<_> = results.iter().map(|r| r.0).collect();
        medians.sort_unstable();
        let cpu = results.iter().map(|r| r.1).sum::<Duration>() / THREADS as u32;
        (medians[THREADS / 2], cpu)
    };
    let start = Instant::now();
    let (floor_median, floor_cpu) = run(false);
    let floor_elapsed = start.elapsed();
    let start = Instant::now();
    let (client_median, client_cpu) = run(true);
    let client_elapsed = start.elapsed();
    let total = f64::from(calls) * THREADS as f64;
    println!(
        "{THREADS} threads x {calls} calls: floor {:.0} calls/s (median {:.1} us, cpu {:.1} us), \
         shared Client {:.0} calls/s (median {:.1} us, cpu {:.1} us), wall/floor {:.2}",
        total / floor_elapsed.as_secs_f64(),
        us(floor_median),
        us(floor_cpu),
        total / client_elapsed.as_secs_f64(),
        us(client_median),
        us(client_cpu),
        client_median.as_secs_f64() / floor_median.as_secs_f64(),
    );
}
