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
//! so with the floor beside the streams N is at most 5,000; `--only=floor` or
//! `--only=stream` measures one kind, up to 10,000.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use connect_participant::{ChatStream, Client, Event, Participant, ParticipantToken};

#[path = "support/mod.rs"]
mod support;

use support::tls::{Front, ca};
use support::{FloorWs, Standalone, ms, rss};

/// What the agent says: a typical chat line.
const MESSAGE: &str = "Hi! My order 12345 has not arrived yet, could you check where it is?";

/// How long one chat may take to open, and how long after the burst's last request the
/// missing messages are waited for.
const WAIT: Duration = Duration::from_secs(30);

/// The stream's default heartbeat interval, which the floor keeps too.
const HEARTBEAT: Duration = Duration::from_secs(10);

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
    /// Open and waiting; its thread id and an address on its stack.
    Ready(u32, usize),
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

/// An address on the calling thread's stack, to find its mapping in `/proc/self/smaps`.
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(std::ptr::addr_of!(marker)) as usize
}

/// The resident bytes of the mappings of this process that hold one of `addresses`
/// (sorted), from `/proc/self/smaps`: the reading threads' stacks.
fn resident_at(addresses: &[usize]) -> u64 {
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return 0;
    };
    let (mut total, mut holds) = (0, false);
    for line in smaps.lines() {
        let range = line.split_whitespace().next().and_then(|r| {
            let (a, b) = r.split_once('-')?;
            Some((
                usize::from_str_radix(a, 16).ok()?,
                usize::from_str_radix(b, 16).ok()?,
            ))
        });
        if let (Some((start, end)), false) =
            (range, line.starts_with(|c: char| c.is_ascii_uppercase()))
        {
            let first = addresses.partition_point(|&a| a < start);
            holds = addresses.get(first).is_some_and(|&a| a < end);
        } else if holds && let Some(kb) = line.strip_prefix("Rss:") {
            total += kb
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .unwrap_or(0)
                * 1024;
        }
    }
    total
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

/// The agent speaks in chat `contact`; whether the emulator took it.
fn agent_says(emulator: &Standalone, contact: &str) -> bool {
    let body = format!(r#"{{"Content":"{MESSAGE}","ContentType":"text/plain"}}"#);
    let path = format!("/emulator/chats/{contact}/messages");
    emulator
        .try_post(&path, &body, WAIT)
        .map_err(|e| eprintln!("the agent could not speak: {e}"))
        .is_ok()
}

// ---------------------------------------------------------------------------------------
// The readers, each on its own thread
// ---------------------------------------------------------------------------------------

/// The floor's reader: opens `url`, then reads its chat's messages until it fails.
fn floor_reader(i: usize, url: &str, tx: &Sender<Report>) {
    let mut ws = match FloorWs::open(url, WAIT, Some(HEARTBEAT)) {
        Ok(ws) => ws,
        Err(e) => return drop(tx.send(Report::Failed(i, e.to_string()))),
    };
    if tx.send(Report::Ready(tid(), stack_address())).is_err() {
        return;
    }
    for _ in 0..1_000_000 {
        match ws.next_text() {
            Ok((_, true)) => drop(tx.send(Report::Got(i, Instant::now()))),
            Ok((_, false)) => {}
            Err(e) => return drop(tx.send(Report::Failed(i, e.to_string()))),
        }
    }
}

/// Who a stream reader reads as: a participant token to connect with on the reader's
/// thread, or a participant already connected elsewhere.
enum Who {
    Token(String),
    Connected(Participant),
}

impl Who {
    /// The participant: connected here for a token.
    fn participant(self, client: &Client) -> connect_participant::Result<Participant> {
        match self {
            Who::Token(token) => {
                ParticipantToken::new(token).and_then(|t| Participant::connect(client, t))
            }
            Who::Connected(p) => Ok(p),
        }
    }
}

/// The crate's reader: connects as `who` (unless connected already), opens its stream
/// (its setup on a thread of its own if `setup_thread`), then reads the chat's messages
/// until the stream fails or ends.
fn stream_reader(i: usize, client: &Client, who: Who, setup_thread: bool, tx: &Sender<Report>) {
    let opened = who.participant(client).and_then(|p| {
        let stream = ChatStream::builder(&p).setup_thread(setup_thread).open()?;
        Ok((stream, p))
    });
    let (mut stream, _participant) = match opened {
        Ok(o) => o,
        Err(e) => return drop(tx.send(Report::Failed(i, e.to_string()))),
    };
    if tx.send(Report::Ready(tid(), stack_address())).is_err() {
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
) -> (Vec<u32>, Vec<usize>, Duration) {
    let began = Instant::now();
    let mut tids = Vec::with_capacity(n);
    let mut stacks = Vec::with_capacity(n);
    for i in 0..n {
        thread::Builder::new()
            .stack_size(stack)
            .spawn(job(i))
            .unwrap_or_else(|e| panic!("thread {i}: {e}"));
        match rx.recv_timeout(WAIT) {
            Ok(Report::Ready(t, at)) => {
                tids.push(t);
                stacks.push(at);
            }
            Ok(Report::Failed(i, e)) => panic!("reader {i} failed to open: {e}"),
            Ok(Report::Got(..)) => panic!("a message before the burst"),
            Err(e) => panic!("reader {i} did not open: {e}"),
        }
    }
    stacks.sort_unstable();
    (tids, stacks, began.elapsed())
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
            agent_says(emulator, c).then_some(t)
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
    /// RSS growth, open and idle.
    rss: u64,
    /// Of which the reading threads' stacks.
    stack: u64,
    /// RSS growth once each has read its message (the burst's growth added).
    rss_read: u64,
    /// The reading threads' stacks then.
    stack_read: u64,
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
    let head = [
        ("readers", ""),
        ("open ms", "per chat"),
        ("RSS KiB", "open"),
        ("stack", "of which"),
        ("RSS KiB", "read 1"),
        ("stack", "of which"),
        ("idle CPU ms", "/chat/minute"),
        ("p50 ms", "burst"),
        ("p99 ms", "burst"),
        ("max ms", "burst"),
        ("missing", ""),
    ];
    for line in [0, 1] {
        let cell = |(a, b): (&str, &str)| if line == 0 { a } else { b }.to_owned();
        let cells: Vec<String> = head.iter().map(|&h| cell(h)).collect();
        println!(
            "{:<28} {:>9} {:>8} {:>8} {:>8} {:>8} {:>13} {:>7} {:>7} {:>7} {:>7}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            cells[5],
            cells[6],
            cells[7],
            cells[8],
            cells[9],
            cells[10]
        );
    }
    let per_minute = 60.0 / window.as_secs_f64();
    let kib = |bytes: u64| bytes as f64 / n as f64 / 1024.0;
    for (kind, f) in rows {
        println!(
            "{:<28} {:>9.2} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>13.3} {:>7.1} {:>7.1} {:>7.1} {:>7}",
            kind.name(),
            ms(f.open) / n as f64,
            kib(f.rss),
            kib(f.stack),
            kib(f.rss_read),
            kib(f.stack_read),
            ms(f.idle_cpu) / n as f64 * per_minute,
            ms(pct(&f.delays, 50)),
            ms(pct(&f.delays, 99)),
            ms(f.delays.last().copied().unwrap_or_default()),
            f.missing
        );
    }
    if let [(_, floor), (_, ours)] = rows {
        println!(
            "  against the floor: RSS {:.2}x open, {:.2}x after a message; idle CPU {:.2}x, \
             burst p50 {:.2}x",
            ours.rss as f64 / floor.rss.max(1) as f64,
            ours.rss_read as f64 / floor.rss_read.max(1) as f64,
            ours.idle_cpu.as_secs_f64() / floor.idle_cpu.as_secs_f64().max(1e-9),
            pct(&ours.delays, 50).as_secs_f64() / pct(&floor.delays, 50).as_secs_f64().max(1e-9),
        );
    }
}

/// What the command line asks for.
struct Options {
    n: usize,
    quick: bool,
    /// Each reading thread's stack, in bytes.
    stack: usize,
    /// As README recommends, and the default: each participant connected on the main
    /// thread before its reader starts, its stream's setup on a thread of its own (the
    /// stream's default). `--inline`: the reading thread connects and opens its stream with
    /// `.setup_thread(false)`, everything on it.
    setup_thread: bool,
    /// One kind only (`--only=floor`, `--only=stream`): N up to 10,000 against the one
    /// emulator, each process within an open files limit of 20,000.
    only: Option<Kind>,
    /// Every WebSocket over TLS (`--wss`): through a TLS front for the emulator, in a
    /// process of its own, whose CA the client adds by PEM and the floor trusts.
    wss: bool,
}

/// What `--wss` runs: the front, and the emulator to tell each participant's URL to.
struct Wss<'a> {
    emulator: &'a Standalone,
    front: Front,
}

impl Wss<'_> {
    /// `url` (`ws://<emulator>/path`) through the front: `wss://127.0.0.1:<front>/path`.
    fn secure(&self, url: &str) -> String {
        let path = url
            .strip_prefix("ws://")
            .and_then(|r| r.find('/').map(|i| &r[i..]));
        format!(
            "wss://127.0.0.1:{}{}",
            self.front.port,
            path.expect("a ws:// URL")
        )
    }

    /// A participant of `token` whose WebSocket URL goes through the front: connected
    /// once for a URL and a connection token from the emulator, then again with the
    /// emulator answering those, the URL made `wss://` (a `Respond` fault).
    fn connect(&self, client: &Client, token: &str) -> Participant {
        let t = || ParticipantToken::new(token).expect("token");
        let plain = Participant::connect(client, t()).expect("connect");
        let url = plain
            .websocket()
            .and_then(|w| w.url)
            .expect("a WebSocket URL");
        let connection = plain.connection_token().expect("a connection token");
        let answer = serde_json::json!({
            "Fault": "Respond",
            "Body": {
                "ConnectionCredentials": {"ConnectionToken": connection.expose_secret()},
                "Websocket": {"Url": self.secure(url.expose_secret())},
            },
        });
        self.emulator.post("/emulator/faults", &answer.to_string());
        Participant::connect(client, t()).expect("connect through the front")
    }
}

/// The command line: N (a bare number), `--quick`, `--stack=<KiB>`, `--inline`, `--wss`,
/// `--only=<floor|stream>`; the rest (`--bench`, which cargo passes) is ignored.
fn args() -> Options {
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
    let only = args.iter().find_map(|a| match a.strip_prefix("--only=")? {
        "floor" => Some(Kind::Floor),
        "stream" => Some(Kind::Stream),
        other => panic!("--only=floor or --only=stream, not {other:?}"),
    });
    Options {
        n,
        quick,
        stack: stack * 1024,
        setup_thread: !args.iter().any(|a| a == "--inline"),
        only,
        wss: args.iter().any(|a| a == "--wss"),
    }
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
fn warm_up(client: &Client, floor_url: String, who: Who, o: &Options) {
    let client = client.clone();
    let setup_thread = o.setup_thread;
    thread::Builder::new()
        .stack_size(o.stack)
        .spawn(move || {
            drop(FloorWs::open(&floor_url, WAIT, Some(HEARTBEAT)).expect("floor"));
            let p = who.participant(&client).expect("connect");
            let stream = ChatStream::builder(&p).setup_thread(setup_thread).open();
            drop(stream.expect("stream"));
        })
        .expect("thread")
        .join()
        .expect("warm-up");
}

/// One kind's readers, open and idle.
struct Opened<'a> {
    kind: Kind,
    chats: &'a [(String, String)],
    rx: Receiver<Report>,
    tids: Vec<u32>,
    /// An address on each reader's stack.
    stacks: Vec<usize>,
    open: Duration,
    rss: u64,
}

/// Opens `chats.len()` readers of `kind`, one after the other: what they cost.
fn open_kind<'a>(
    kind: Kind,
    client: &Client,
    chats: &'a [(String, String)],
    o: &Options,
    wss: Option<&Wss<'_>>,
) -> Opened<'a> {
    let (tx, rx) = mpsc::channel();
    // The floor is given its URLs, fetched before it is measured.
    let url = |t: &str| match wss {
        Some(wss) => wss.secure(&ws_url(client, t)),
        None => ws_url(client, t),
    };
    let urls: Vec<String> = match kind {
        Kind::Floor => chats.iter().map(|(_, t)| url(t)).collect(),
        Kind::Stream => Vec::new(),
    };
    let before = rss();
    let (tids, stacks, open) = open_all(chats.len(), o.stack, &rx, |i| match kind {
        Kind::Floor => {
            let (url, tx) = (urls[i].clone(), tx.clone());
            Box::new(move || floor_reader(i, &url, &tx))
        }
        Kind::Stream => {
            let token = chats[i].1.clone();
            // With the setup thread, the participant connects here, as a dispatcher
            // thread would, and its reader only opens the stream and reads.
            let who = match (wss, o.setup_thread) {
                (Some(wss), _) => Who::Connected(wss.connect(client, &token)),
                (None, true) => {
                    let t = ParticipantToken::new(token).expect("token");
                    Who::Connected(Participant::connect(client, t).expect("connect"))
                }
                (None, false) => Who::Token(token),
            };
            let (client, tx, setup_thread) = (client.clone(), tx.clone(), o.setup_thread);
            Box::new(move || stream_reader(i, &client, who, setup_thread, &tx))
        }
    });
    Opened {
        kind,
        chats,
        rx,
        tids,
        open,
        rss: rss().saturating_sub(before),
        stacks,
    }
}

fn main() {
    // `--wss` runs this binary again as the TLS front.
    Front::serve_if_asked();
    let o = args();
    let n = o.n;
    assert!(
        !o.wss || o.setup_thread,
        "--wss connects each participant on the main thread: not with --inline"
    );
    // Quick: one heartbeat (10 s) inside the window.
    let window = Duration::from_secs(if o.quick { 11 } else { 60 });
    let kinds = match o.only {
        Some(kind) => vec![kind],
        None => vec![Kind::Floor, Kind::Stream],
    };
    // One WebSocket a chat of each kind; the warm-up's are closed before these open.
    let websockets = kinds.len() * n;
    assert!(
        (1..=10_000).contains(&websockets),
        "the emulator holds at most 10,000 WebSockets: N is at most 5,000 (10,000 with --only)"
    );
    println!(
        "connect-participant {} thousands of chats{}: N = {n}, {} KiB stacks, setup thread {}, \
         open files limit {}, emulator in another process{}",
        env!("CARGO_PKG_VERSION"),
        if o.quick { " (quick)" } else { "" },
        o.stack / 1024,
        if o.setup_thread {
            "on, participants connected on the main thread"
        } else {
            "off, participants connected on their reading threads (--inline)"
        },
        open_files_limit(),
        if o.wss {
            "; every WebSocket over TLS through a front in a third process, the client's \
             roots added by PEM (--wss)"
        } else {
            ""
        }
    );
    let (sockets, chats) = (websockets.max(2).to_string(), (websockets + 2).to_string());
    let emulator = Standalone::start(
        env!("CARGO_BIN_EXE_connect-participant"),
        &[
            "--max-websockets",
            &sockets,
            "--max-chats",
            &chats,
            "--max-connections",
            "1024",
        ],
    );
    let builder = Client::builder().endpoint_url(&emulator.url);
    let (builder, wss) = if o.wss {
        let ca = ca::Ca::new("Bench CA");
        let (cert, key) = ca.server(ca::San::Ip([127, 0, 0, 1]));
        let exe = std::env::current_exe().expect("this bench's path");
        support::tls::floor_trusts(&ca.pem);
        let front = Front::start(&exe, &emulator.authority, &cert, &key);
        let wss = Wss {
            emulator: &emulator,
            front,
        };
        (builder.add_root_certificates_pem(&ca.pem), Some(wss))
    } else {
        (builder, None)
    };
    let client = builder.build().expect("client");
    let chats: Vec<(String, String)> = (0..websockets + 2).map(|_| emulator.start_chat()).collect();
    let (warm, chats) = chats.split_at(2);
    let (floor_url, who) = match &wss {
        Some(wss) => (
            wss.secure(&ws_url(&client, &warm[0].1)),
            Who::Connected(wss.connect(&client, &warm[1].1)),
        ),
        None => (ws_url(&client, &warm[0].1), Who::Token(warm[1].1.clone())),
    };
    warm_up(&client, floor_url, who, &o);
    let opened: Vec<Opened<'_>> = kinds
        .iter()
        .zip(chats.chunks(n))
        .map(|(&kind, chats)| open_kind(kind, &client, chats, &o, wss.as_ref()))
        .collect();

    // Everything open and idle: the readers' own CPU time over the window.
    let cpu0: Vec<Duration> = opened.iter().map(|k| cpu_of(&k.tids)).collect();
    let e0 = process_cpu(emulator.child.id());
    thread::sleep(window);
    let emulator_idle = process_cpu(emulator.child.id()).saturating_sub(e0);
    let figures: Vec<(Kind, Figures)> = opened
        .iter()
        .zip(cpu0)
        .map(|(k, cpu0)| {
            let idle_cpu = cpu_of(&k.tids).saturating_sub(cpu0);
            let contacts: Vec<String> = k.chats.iter().map(|(id, _)| id.clone()).collect();
            let stack = resident_at(&k.stacks);
            let before = rss();
            let (delays, missing) = burst(&emulator, &contacts, &k.rx);
            let f = Figures {
                open: k.open,
                rss: k.rss,
                stack,
                rss_read: k.rss + rss().saturating_sub(before),
                stack_read: resident_at(&k.stacks),
                idle_cpu,
                delays,
                missing,
            };
            (k.kind, f)
        })
        .collect();
    let rows: Vec<(Kind, &Figures)> = figures.iter().map(|(k, f)| (*k, f)).collect();
    print(n, window, &rows);
    println!(
        "  the emulator, idle with {websockets} WebSockets: {:.1}% of a core",
        emulator_idle.as_secs_f64() / window.as_secs_f64() * 100.0
    );
}
