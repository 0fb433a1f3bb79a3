//! Thousands of chats in one process: N chats (default 1,000; `cargo bench --bench chats --
//! 5000`), each a `Participant` and a `ChatStream` on its own reading thread, beside N
//! floor readers (the std-only WebSocket client of `benches/stream.rs`, with the same
//! heartbeats: `aws/ping` and `aws/heartbeat` every 10 s), each on its own thread with the
//! same stack size (64 KiB; `--stack <KiB>` to change it).
//!
//! The server is the standalone emulator (`connect-participant emulator`) in its own
//! process, started with its limits raised to hold them all (`--max-websockets`,
//! `--max-chats`), so that only the client side is measured here. Printed, for each kind:
//!
//! - open time (connect, open, subscribed: the reader's thread is waiting), one chat at a
//!   time;
//! - RSS growth of this process per chat, everything open and idle;
//! - idle CPU per chat per minute: the readers' threads' own CPU time (from
//!   `/proc/self/task/<tid>/schedstat`) over an idle window of 60 s (11 s in quick mode: one heartbeat);
//! - a burst: the agent speaks once in every chat, one control request after the other, and
//!   the delay from each request to its reader holding the message, p50/p99/max, with the
//!   count missing after 30 s.
//!
//! `-- --quick` is the CI smoke run (N = 50). The emulator takes at most 10,000 WebSockets,
//! so with the floor beside it N is at most 4,999 here.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use connect_participant::{Client, Event, Participant, ParticipantToken};

#[path = "support/mod.rs"]
mod support;

use support::{SUBSCRIBE, contains, masked_frame, parse_frame, rss};

/// What the agent says: a typical chat line.
const MESSAGE: &str = "Hi! My order 12345 has not arrived yet, could you check where it is?";

/// How long one chat may take to open, and how long after the burst's last request the
/// missing messages are waited for.
const WAIT: Duration = Duration::from_secs(30);

/// The stream's default heartbeat interval, which the floor keeps too.
const HEARTBEAT: Duration = Duration::from_secs(10);

/// The deep heartbeat and the heartbeat, as the stream sends them.
const PING: &str = r#"{"topic":"aws/ping"}"#;
const HEARTBEAT_FRAME: &str = r#"{"topic":"aws/heartbeat"}"#;

/// Which reader: the floor or the crate's stream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Floor,
    Stream,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Floor => "floor: std WebSocket client",
            Kind::Stream => "Participant + ChatStream",
        }
    }
}

/// What a reader's thread tells the main thread.
enum Report {
    /// Open and waiting; its thread id.
    Ready(u32),
    /// Its chat's message, read at this instant.
    Got(usize, Instant),
    /// It failed (to open, or while reading).
    Failed(usize, String),
}

// ---------------------------------------------------------------------------------------
// /proc figures
// ---------------------------------------------------------------------------------------

/// The calling thread's id (from the `/proc/thread-self` link, `<pid>/task/<tid>`).
fn tid() -> u32 {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|p| p.file_name()?.to_str()?.parse().ok())
        .unwrap_or_default()
}

/// CPU time the threads `tids` of this process have used, from the scheduler's statistics.
fn cpu_of(tids: &[u32]) -> Duration {
    tids.iter()
        .filter_map(|t| {
            let s = std::fs::read_to_string(format!("/proc/self/task/{t}/schedstat")).ok()?;
            s.split_whitespace().next()?.parse().ok()
        })
        .map(Duration::from_nanos)
        .sum()
}

/// The soft limit on open files, as `/proc/self/limits` gives it.
fn open_files_limit() -> String {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("Max open files"))?;
            Some(line.split_whitespace().nth(3)?.to_owned())
        })
        .unwrap_or_else(|| "?".to_owned())
}

/// CPU time (user and system) process `pid` has used, in clock ticks of 10 ms
/// (`/proc/<pid>/stat`, fields 14 and 15).
fn process_cpu(pid: u32) -> Duration {
    let ticks = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let mut f = rest.split_whitespace().skip(11);
            Some(f.next()?.parse::<u64>().ok()? + f.next()?.parse::<u64>().ok()?)
        })
        .unwrap_or_default();
    Duration::from_millis(ticks * 10)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

// ---------------------------------------------------------------------------------------
// The floor: a WebSocket client over std only, with the stream's heartbeats.
// ---------------------------------------------------------------------------------------

/// A std-only WebSocket client, subscribed to one chat.
struct FloorWs {
    tcp: TcpStream,
    buf: Vec<u8>,
    heartbeat_due: Instant,
}

impl FloorWs {
    /// Upgrades `url` (`ws://host:port/path`) and subscribes.
    fn open(url: &str) -> io::Result<FloorWs> {
        let rest = url
            .strip_prefix("ws://")
            .ok_or_else(|| io::Error::other("not a ws:// URL"))?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let tcp = TcpStream::connect(authority)?;
        tcp.set_nodelay(true)?;
        tcp.set_read_timeout(Some(WAIT))?;
        tcp.set_write_timeout(Some(WAIT))?;
        let mut ws = FloorWs {
            tcp,
            buf: Vec::with_capacity(4096),
            heartbeat_due: Instant::now() + HEARTBEAT,
        };
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
        );
        ws.tcp.write_all(request.as_bytes())?;
        let end = loop {
            if let Some(p) = ws.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            if ws.buf.len() > 8192 || ws.fill()? == 0 {
                return Err(io::Error::other("no upgrade answer"));
            }
        };
        if !ws.buf.starts_with(b"HTTP/1.1 101") {
            return Err(io::Error::other("upgrade refused"));
        }
        ws.buf.drain(..end);
        ws.tcp.write_all(&masked_frame(0x1, SUBSCRIBE.as_bytes()))?;
        // The first text frame that is not a chat item is the subscription's answer.
        for _ in 0..100 {
            if !ws.next_text()? {
                return Ok(ws);
            }
        }
        Err(io::Error::other("no subscription answer"))
    }

    /// Reads more bytes into the buffer, waiting at most until the next heartbeat is due,
    /// and sending it then (as the stream does); 0 at the end of the connection.
    fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 4096];
        for _ in 0..1_000_000 {
            let wait = self.heartbeat_due.saturating_duration_since(Instant::now());
            self.tcp
                .set_read_timeout(Some(wait.max(Duration::from_millis(1))))?;
            match self.tcp.read(&mut chunk) {
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(n);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    self.tcp.write_all(&masked_frame(0x1, PING.as_bytes()))?;
                    self.tcp
                        .write_all(&masked_frame(0x1, HEARTBEAT_FRAME.as_bytes()))?;
                    self.heartbeat_due = Instant::now() + HEARTBEAT;
                }
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other("no bytes in 1,000,000 heartbeats"))
    }

    /// Reads frames up to the next text frame: whether it is a chat item
    /// (`"topic":"aws/chat"`). Pings are answered.
    fn next_text(&mut self) -> io::Result<bool> {
        for _ in 0..1_000_000 {
            if let Some((opcode, start, len)) = parse_frame(&self.buf) {
                let payload = &self.buf[start..start + len];
                let chat = match opcode {
                    0x1 => Some(contains(payload, br#""topic":"aws/chat""#)),
                    0x8 => return Err(io::Error::other("the server closed the WebSocket")),
                    0x9 => {
                        let pong = masked_frame(0xA, payload);
                        self.tcp.write_all(&pong)?;
                        None
                    }
                    _ => None,
                };
                self.buf.drain(..start + len);
                match chat {
                    Some(c) => return Ok(c),
                    None => continue,
                }
            }
            if self.fill()? == 0 {
                return Err(io::Error::other("the server closed the connection"));
            }
        }
        Err(io::Error::other("no text frame in 1,000,000 reads"))
    }
}

// ---------------------------------------------------------------------------------------
// The emulator in its own process
// ---------------------------------------------------------------------------------------

/// The emulator binary, killed when dropped.
struct Standalone {
    child: Child,
    authority: String,
    url: String,
}

impl Standalone {
    fn start(websockets: usize) -> Standalone {
        let mut child = Command::new(env!("CARGO_BIN_EXE_connect-participant"))
            .args(["emulator", "--port", "0"])
            .args(["--max-websockets", &websockets.to_string()])
            .args(["--max-chats", &websockets.to_string()])
            .args(["--max-connections", "1024"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the emulator binary");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        // Its first line is its URL; nothing more comes on stdout.
        let read = BufReader::new(stdout).read_line(&mut line);
        let url = line.trim().to_owned();
        let authority = url.trim_start_matches("http://").trim_end_matches('/');
        let authority = authority.to_owned();
        let mut s = Standalone {
            child,
            authority,
            url,
        };
        if read.is_err() || !s.url.starts_with("http://") {
            let _ = s.child.kill();
            panic!("the emulator printed no URL: {line:?}");
        }
        s
    }

    /// A raw HTTP/1.1 POST of a JSON body to the control path; the answer's body, or why
    /// there is none.
    fn try_post(&self, path: &str, body: &str) -> Result<String, String> {
        let authority = &self.authority;
        let mut tcp = TcpStream::connect(authority).map_err(|e| e.to_string())?;
        tcp.set_read_timeout(Some(WAIT))
            .map_err(|e| e.to_string())?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        tcp.write_all(request.as_bytes())
            .map_err(|e| e.to_string())?;
        let mut answer = Vec::new();
        tcp.take(1 << 20)
            .read_to_end(&mut answer)
            .map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&answer);
        if !text.starts_with("HTTP/1.1 200") {
            return Err(format!("control path answered {text:?}"));
        }
        Ok(text
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_owned())
    }

    fn post(&self, path: &str, body: &str) -> String {
        self.try_post(path, body).expect("the control path")
    }

    /// A new chat: its contact id and participant token.
    fn start_chat(&self) -> (String, String) {
        let v: serde_json::Value =
            serde_json::from_str(&self.post("/emulator/chats", "{}")).expect("JSON answer");
        let field = |k: &str| v[k].as_str().expect("a string member").to_owned();
        (field("ContactId"), field("ParticipantToken"))
    }

    /// The agent speaks in chat `contact`; whether the emulator took it.
    fn agent_says(&self, contact: &str) -> bool {
        let body = format!(r#"{{"Content":"{MESSAGE}","ContentType":"text/plain"}}"#);
        let said = self.try_post(&format!("/emulator/chats/{contact}/messages"), &body);
        said.map_err(|e| eprintln!("the agent could not speak: {e}"))
            .is_ok()
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// The readers, each on its own thread
// ---------------------------------------------------------------------------------------

/// The floor's reader: opens `url`, then reads its chat's messages until it fails.
fn floor_reader(i: usize, url: &str, tx: &Sender<Report>) {
    let mut ws = match FloorWs::open(url) {
        Ok(ws) => ws,
        Err(e) => return drop(tx.send(Report::Failed(i, e.to_string()))),
    };
    if tx.send(Report::Ready(tid())).is_err() {
        return;
    }
    for _ in 0..1_000_000 {
        match ws.next_text() {
            Ok(true) => drop(tx.send(Report::Got(i, Instant::now()))),
            Ok(false) => {}
            Err(e) => return drop(tx.send(Report::Failed(i, e.to_string()))),
        }
    }
}

/// The crate's reader: connects as the participant of `token`, opens its stream, then reads
/// the chat's messages until the stream fails or ends.
fn stream_reader(i: usize, client: &Client, token: &str, tx: &Sender<Report>) {
    let opened = ParticipantToken::new(token)
        .and_then(|t| Participant::connect(client, t))
        .and_then(|p| Ok((p.stream()?, p)));
    let (mut stream, _participant) = match opened {
        Ok(o) => o,
        Err(e) => return drop(tx.send(Report::Failed(i, e.to_string()))),
    };
    if tx.send(Report::Ready(tid())).is_err() {
        return;
    }
    for _ in 0..1_000_000 {
        match stream.next() {
            Some(Ok(Event::Message(_))) => drop(tx.send(Report::Got(i, Instant::now()))),
            Some(Ok(_)) => {}
            Some(Err(e)) => return drop(tx.send(Report::Failed(i, e.to_string()))),
            None => return drop(tx.send(Report::Failed(i, "the stream ended".into()))),
        }
    }
}

/// A reader's work, to run on its own thread.
type Job = Box<dyn FnOnce() + Send>;

/// Opens `n` readers one after the other, each on a thread of `stack` bytes running
/// `job(i)`, waiting for each to be ready: their thread ids and the time it took.
fn open_all(
    n: usize,
    stack: usize,
    rx: &Receiver<Report>,
    job: impl Fn(usize) -> Job,
) -> (Vec<u32>, Duration) {
    let began = Instant::now();
    let mut tids = Vec::with_capacity(n);
    for i in 0..n {
        thread::Builder::new()
            .stack_size(stack)
            .spawn(job(i))
            .unwrap_or_else(|e| panic!("thread {i}: {e}"));
        match rx.recv_timeout(WAIT) {
            Ok(Report::Ready(t)) => tids.push(t),
            Ok(Report::Failed(i, e)) => panic!("reader {i} failed to open: {e}"),
            Ok(Report::Got(..)) => panic!("a message before the burst"),
            Err(e) => panic!("reader {i} did not open: {e}"),
        }
    }
    (tids, began.elapsed())
}

/// The burst: the agent speaks once in each of `contacts`, one request after the other;
/// the delays from each request to its reader holding the message (sorted), and how many
/// readers failed or got nothing within [`WAIT`] of the last request.
fn burst(
    emulator: &Standalone,
    contacts: &[String],
    rx: &Receiver<Report>,
) -> (Vec<Duration>, usize) {
    // A message the emulator refused is missing too.
    let said: Vec<Option<Instant>> = contacts
        .iter()
        .map(|c| {
            let t = Instant::now();
            emulator.agent_says(c).then_some(t)
        })
        .collect();
    let deadline = Instant::now() + WAIT;
    let mut got = vec![false; contacts.len()];
    let mut delays = Vec::with_capacity(contacts.len());
    let mut failed = 0;
    let expected = said.iter().flatten().count();
    while delays.len() + failed < expected {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            break;
        };
        match rx.recv_timeout(left) {
            Ok(Report::Got(i, at)) if !got[i] => {
                got[i] = true;
                if let Some(t) = said[i] {
                    delays.push(at - t);
                }
            }
            Ok(Report::Failed(i, e)) => {
                eprintln!("reader {i} failed: {e}");
                failed += 1;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    delays.sort_unstable();
    let missing = contacts.len() - delays.len();
    (delays, missing)
}

fn pct(v: &[Duration], p: usize) -> Duration {
    v.get((v.len() * p / 100).min(v.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

/// What one kind of reader measured.
struct Figures {
    open: Duration,
    rss: u64,
    idle_cpu: Duration,
    delays: Vec<Duration>,
    missing: usize,
}

fn print(n: usize, window: Duration, rows: &[(Kind, &Figures)]) {
    println!(
        "{n} of each open at once, one thread each; idle window {} s; burst: one message in \
         every chat, missing after {} s; the floor's open excludes \
         CreateParticipantConnection (its URL was fetched before)",
        window.as_secs(),
        WAIT.as_secs()
    );
    println!(
        "{:<28} {:>9} {:>9} {:>13} {:>8} {:>8} {:>8} {:>8}",
        "readers", "open ms", "RSS KiB", "idle CPU ms", "p50 ms", "p99 ms", "max ms", "missing"
    );
    println!(
        "{:<28} {:>9} {:>9} {:>13} {:>8} {:>8} {:>8} {:>8}",
        "", "per chat", "per chat", "/chat/minute", "burst", "burst", "burst", ""
    );
    let per_minute = 60.0 / window.as_secs_f64();
    for (kind, f) in rows {
        println!(
            "{:<28} {:>9.2} {:>9.1} {:>13.3} {:>8.1} {:>8.1} {:>8.1} {:>8}",
            kind.name(),
            ms(f.open) / n as f64,
            f.rss as f64 / n as f64 / 1024.0,
            ms(f.idle_cpu) / n as f64 * per_minute,
            ms(pct(&f.delays, 50)),
            ms(pct(&f.delays, 99)),
            ms(f.delays.last().copied().unwrap_or_default()),
            f.missing
        );
    }
    if let [(_, floor), (_, ours)] = rows {
        println!(
            "  against the floor: RSS {:.2}x, idle CPU {:.2}x, burst p50 {:.2}x",
            ours.rss as f64 / floor.rss.max(1) as f64,
            ours.idle_cpu.as_secs_f64() / floor.idle_cpu.as_secs_f64().max(1e-9),
            pct(&ours.delays, 50).as_secs_f64() / pct(&floor.delays, 50).as_secs_f64().max(1e-9),
        );
    }
}

/// The command line: N (a bare number), `--quick`, `--stack=<KiB>`; the rest (`--bench`,
/// which cargo passes) is ignored.
fn args() -> (usize, bool, usize) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let n = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(if quick { 50 } else { 1000 });
    let stack = args
        .iter()
        .find_map(|a| a.strip_prefix("--stack=")?.parse::<usize>().ok())
        .unwrap_or(64);
    (n, quick, stack * 1024)
}

/// The WebSocket URL CreateParticipantConnection gives the participant of `token` (who is
/// dropped: its floor reader is given the URL alone).
fn ws_url(client: &Client, token: &str) -> String {
    let p = Participant::connect(client, ParticipantToken::new(token).expect("token"))
        .expect("connect");
    let w = p.websocket().and_then(|w| w.url).expect("a WebSocket URL");
    w.expose_secret().to_owned()
}

/// One reader of each kind opened and closed first, on a thread of the same size, so that
/// what is built once (TLS provider, pools, first allocations) is not counted per chat.
fn warm_up(client: &Client, floor_url: String, token: String, stack: usize) {
    let client = client.clone();
    thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            drop(FloorWs::open(&floor_url).expect("floor"));
            let t = ParticipantToken::new(&token).expect("token");
            let p = Participant::connect(&client, t).expect("connect");
            drop(p.stream().expect("stream"));
        })
        .expect("thread")
        .join()
        .expect("warm-up");
}

fn main() {
    let (n, quick, stack) = args();
    // Quick: one heartbeat (10 s) inside the window.
    let window = Duration::from_secs(if quick { 11 } else { 60 });
    // Two WebSockets a chat (the floor's and the stream's), and a warm-up of each.
    let websockets = 2 * n + 2;
    assert!(
        (1..=10_000).contains(&websockets),
        "the emulator holds at most 10,000 WebSockets: N is at most 4,999"
    );
    println!(
        "connect-participant {} thousands of chats{}: N = {n}, {} KiB stacks, open files \
         limit {}, emulator in another process",
        env!("CARGO_PKG_VERSION"),
        if quick { " (quick)" } else { "" },
        stack / 1024,
        open_files_limit()
    );
    let emulator = Standalone::start(websockets);
    let client = Client::builder()
        .endpoint_url(&emulator.url)
        .build()
        .expect("client");
    let chats: Vec<(String, String)> = (0..2 * n + 2).map(|_| emulator.start_chat()).collect();
    let (warm, chats) = chats.split_at(2);
    let (floor_chats, stream_chats) = chats.split_at(n);
    let urls: Vec<String> = floor_chats
        .iter()
        .map(|(_, t)| ws_url(&client, t))
        .collect();
    warm_up(
        &client,
        ws_url(&client, &warm[0].1),
        warm[1].1.clone(),
        stack,
    );

    let (floor_tx, floor_rx) = mpsc::channel();
    let before = rss();
    let (floor_tids, floor_open) = open_all(n, stack, &floor_rx, |i| {
        let (url, tx) = (urls[i].clone(), floor_tx.clone());
        Box::new(move || floor_reader(i, &url, &tx))
    });
    let after_floor = rss();
    let (stream_tx, stream_rx) = mpsc::channel();
    let (stream_tids, stream_open) = open_all(n, stack, &stream_rx, |i| {
        let (client, token, tx) = (client.clone(), stream_chats[i].1.clone(), stream_tx.clone());
        Box::new(move || stream_reader(i, &client, &token, &tx))
    });
    let after_streams = rss();

    // Everything open and idle: the readers' own CPU time over the window.
    let (f0, s0) = (cpu_of(&floor_tids), cpu_of(&stream_tids));
    let e0 = process_cpu(emulator.child.id());
    thread::sleep(window);
    let (f1, s1) = (cpu_of(&floor_tids), cpu_of(&stream_tids));
    let emulator_idle = process_cpu(emulator.child.id()).saturating_sub(e0);

    let contacts = |c: &[(String, String)]| c.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    let (delays, missing) = burst(&emulator, &contacts(floor_chats), &floor_rx);
    let floor = Figures {
        open: floor_open,
        rss: after_floor.saturating_sub(before),
        idle_cpu: f1.saturating_sub(f0),
        delays,
        missing,
    };
    let (delays, missing) = burst(&emulator, &contacts(stream_chats), &stream_rx);
    let ours = Figures {
        open: stream_open,
        rss: after_streams.saturating_sub(after_floor),
        idle_cpu: s1.saturating_sub(s0),
        delays,
        missing,
    };
    print(n, window, &[(Kind::Floor, &floor), (Kind::Stream, &ours)]);
    println!(
        "  the emulator, idle with {} WebSockets: {:.1}% of a core",
        2 * n,
        emulator_idle.as_secs_f64() / window.as_secs_f64() * 100.0
    );
}
