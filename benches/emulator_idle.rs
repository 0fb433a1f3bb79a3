//! The emulator with many idle WebSockets: the `connect-participant emulator` binary in a
//! process of its own, N chats each with one subscribed WebSocket opened by a std-only
//! client (as `stream`'s floor), heartbeating every 10 s as a client does; the emulator's
//! CPU over the idle time (`utime + stime` of `/proc/<pid>/stat`), its threads and RSS;
//! then a burst: the agent says one message in every chat, and each socket reads its own.
//!
//! `cargo bench --bench emulator_idle --features cli -- [N] [SECONDS] [--no-heartbeats]
//! [--emulator PATH]` (defaults 1000 and 60; `--quick`: 50 sockets for 2 s). Raise the
//! open-files limit first for large N (`ulimit -n 20000` for 10,000: one descriptor per
//! socket on each side, the two sides in different processes). `--emulator` runs another
//! build of the binary (an older commit's, to compare).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;

use support::{HEARTBEAT, SUBSCRIBE, Standalone, contains, masked_frame};

/// A keep-alive HTTP/1.1 connection.
struct Http {
    tcp: BufReader<TcpStream>,
    authority: String,
}

impl Http {
    fn new(authority: &str) -> Http {
        let tcp = TcpStream::connect(authority).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        Http {
            tcp: BufReader::new(tcp),
            authority: authority.into(),
        }
    }
    fn post(&mut self, path: &str, extra: &str, body: &str) -> String {
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
            self.authority,
            body.len()
        );
        self.tcp.get_mut().write_all(req.as_bytes()).unwrap();
        let mut line = String::new();
        self.tcp.read_line(&mut line).unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        let mut len = 0;
        loop {
            let mut h = String::new();
            self.tcp.read_line(&mut h).unwrap();
            if h == "\r\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap();
                }
            }
        }
        let mut b = vec![0; len];
        self.tcp.read_exact(&mut b).unwrap();
        String::from_utf8(b).unwrap()
    }
}

fn field<'a>(json: &'a str, key: &str) -> &'a str {
    let k = format!("\"{key}\":\"");
    let i = json.find(&k).unwrap_or_else(|| panic!("{key} in {json}")) + k.len();
    &json[i..i + json[i..].find('"').unwrap()]
}

struct Ws {
    tcp: TcpStream,
    buf: Vec<u8>,
}

impl Ws {
    fn open(url: &str) -> Ws {
        let rest = url.strip_prefix("ws://").unwrap();
        let (authority, path) = rest.split_at(rest.find('/').unwrap());
        let tcp = TcpStream::connect(authority).unwrap();
        tcp.set_nodelay(true).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut ws = Ws {
            tcp,
            buf: Vec::new(),
        };
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        ws.tcp.write_all(req.as_bytes()).unwrap();
        let end = loop {
            if let Some(p) = ws.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            assert!(ws.fill() > 0, "no upgrade answer");
        };
        assert!(
            ws.buf.starts_with(b"HTTP/1.1 101"),
            "{}",
            String::from_utf8_lossy(&ws.buf)
        );
        ws.buf.drain(..end);
        ws.tcp
            .write_all(&masked_frame(1, SUBSCRIBE.as_bytes()))
            .unwrap();
        // Until the subscription's answer.
        while !ws.next_text(b"aws/subscribe", Instant::now() + Duration::from_secs(30)) {}
        ws
    }
    fn fill(&mut self) -> usize {
        let mut c = [0u8; 4096];
        match self.tcp.read(&mut c) {
            Ok(n) => {
                self.buf.extend_from_slice(&c[..n]);
                n
            }
            Err(_) => 0,
        }
    }
    /// Reads frames until one whose payload holds `needle` (true), or the deadline (false).
    fn next_text(&mut self, needle: &[u8], deadline: Instant) -> bool {
        loop {
            while self.buf.len() >= 2 {
                let b1 = self.buf[1] & 0x7f;
                let (len, start) = match b1 {
                    126 => (u16::from_be_bytes([self.buf[2], self.buf[3]]) as usize, 4),
                    127 => (
                        u64::from_be_bytes(self.buf[2..10].try_into().unwrap()) as usize,
                        10,
                    ),
                    n => (n as usize, 2),
                };
                if self.buf.len() < start + len {
                    break;
                }
                let hit = contains(&self.buf[start..start + len], needle);
                self.buf.drain(..start + len);
                if hit {
                    return true;
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            self.tcp.set_read_timeout(Some(left)).unwrap();
            if self.fill() == 0 && Instant::now() >= deadline {
                return false;
            }
        }
    }
}

fn cpu_ticks(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &s[s.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 (utime, stime): 12 and 13 after the state.
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

fn status(pid: u32, key: &str) -> String {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    s.lines()
        .find(|l| l.starts_with(key))
        .unwrap_or("")
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_owned()
}

/// N chats, each with its customer's WebSocket open and subscribed: (contact ids, sockets).
fn open_all(http: &mut Http, n: usize) -> (Vec<String>, Vec<Ws>) {
    let mut chats = Vec::with_capacity(n);
    let mut sockets = Vec::with_capacity(n);
    for _ in 0..n {
        let chat = http.post("/emulator/chats", "", "{}");
        let contact = field(&chat, "ContactId").to_owned();
        let token = field(&chat, "ParticipantToken").to_owned();
        let conn = http.post(
            "/participant/connection",
            &format!("X-Amz-Bearer: {token}\r\n"),
            r#"{"Type":["WEBSOCKET"]}"#,
        );
        sockets.push(Ws::open(field(&conn, "Url")));
        chats.push(contact);
    }
    (chats, sockets)
}

/// `secs` of idle, every socket heartbeating every 10 s (spread evenly) if `heartbeats`;
/// the answers are left unread (a few hundred bytes per socket per minute in the kernel's
/// buffers). Prints the emulator's CPU over it.
fn idle(pid: u32, sockets: &mut [Ws], secs: u64, heartbeats: bool) {
    let n = sockets.len();
    let c0 = cpu_ticks(pid);
    let start = Instant::now();
    let hb = masked_frame(1, HEARTBEAT.as_bytes());
    let mut beats = 0u64;
    if heartbeats {
        let period = Duration::from_secs(10);
        while start.elapsed() < Duration::from_secs(secs) {
            let k = beats as usize;
            let target = start + period.mul_f64(k as f64 / n as f64);
            if let Some(w) = target.checked_duration_since(Instant::now()) {
                std::thread::sleep(w);
            }
            let _ = sockets[k % n].tcp.write_all(&hb);
            beats += 1;
        }
    } else {
        std::thread::sleep(Duration::from_secs(secs));
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = (cpu_ticks(pid) - c0) as f64 / 100.0;
    println!(
        "N={n}: idle {secs:.0} s ({beats} heartbeats): emulator CPU {cpu:.2} s = {:.2}% of a \
         core; {:.3} ms per socket per minute; threads {}, RSS {} kB",
        100.0 * cpu / secs,
        1000.0 * cpu / n as f64 * 60.0 / secs,
        status(pid, "Threads:"),
        status(pid, "VmRSS:")
    );
}

/// The burst: one agent message per chat, then each socket reads its own.
fn burst(pid: u32, http: &mut Http, chats: &[String], sockets: &mut [Ws]) {
    let n = chats.len();
    let b0 = Instant::now();
    let c0 = cpu_ticks(pid);
    for (i, contact) in chats.iter().enumerate() {
        http.post(
            &format!("/emulator/chats/{contact}/messages"),
            "",
            &format!(r#"{{"Content":"burst {i} end","ContentType":"text/plain"}}"#),
        );
    }
    let sent = b0.elapsed();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut delivered = 0;
    for (i, ws) in sockets.iter_mut().enumerate() {
        if ws.next_text(format!("burst {i} end").as_bytes(), deadline) {
            delivered += 1;
        }
    }
    println!(
        "N={n}: burst: {n} messages sent in {:.2} s, {delivered} delivered ({} missing) by \
         {:.2} s; emulator CPU {:.2} s",
        sent.as_secs_f64(),
        n - delivered,
        b0.elapsed().as_secs_f64(),
        (cpu_ticks(pid) - c0) as f64 / 100.0
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let quick = args.iter().any(|a| a == "--quick");
    let heartbeats = !args.iter().any(|a| a == "--no-heartbeats");
    let bin = args
        .iter()
        .position(|a| a == "--emulator")
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_connect-participant").to_owned());
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let (default_n, default_idle) = if quick { (50, 2) } else { (1000, 60) };
    let n = numbers.first().map_or(default_n, |&n| n as usize);
    let secs = numbers.get(1).copied().unwrap_or(default_idle);
    let chats = (n + 10).to_string();
    let emulator = Standalone::start(
        &bin,
        &[
            "--max-websockets",
            "10000",
            "--max-chats",
            &chats,
            "--idle-timeout",
            "600",
        ],
    );
    let pid = emulator.child.id();
    let mut http = Http::new(&emulator.authority);
    let t0 = Instant::now();
    let (chats, mut sockets) = open_all(&mut http, n);
    println!(
        "N={n}: opened in {:.1} s; emulator threads {}, RSS {} kB",
        t0.elapsed().as_secs_f64(),
        status(pid, "Threads:"),
        status(pid, "VmRSS:")
    );
    // Let the openings settle, then measure.
    std::thread::sleep(Duration::from_secs(2));
    idle(pid, &mut sockets, secs, heartbeats);
    burst(pid, &mut http, &chats, &mut sockets);
}
