//! What the benches' std-only floors and figures share: a WebSocket client and its frames,
//! the emulator binary in a process of its own, and this process's resident set from
//! `/proc`. Included by each bench that uses it
//! (`#[path = "support/mod.rs"] mod support;`); a bench uses only some of it.
#![allow(dead_code)] // Each bench is its own crate and uses a part of this file.

use std::io;
use std::time::Duration;

pub mod tls;

use tls::Conn;

/// The subscribe frame's text, as ChatJS sends it.
pub const SUBSCRIBE: &str = r#"{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}"#;

/// A fixed mask: a client must mask, nothing says it must be random for a benchmark.
pub const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A client frame (FIN, `opcode`), masked with [`MASK`].
pub fn masked_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(payload.len() + 14);
    f.push(0x80 | opcode);
    match payload.len() {
        n if n < 126 => f.push(0x80 | n as u8),
        n if n <= 0xffff => {
            f.push(0x80 | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(0x80 | 127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    f.extend_from_slice(&MASK);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    f
}

/// An unmasked server frame at the start of `buf`: opcode, payload start and length.
pub fn parse_frame(buf: &[u8]) -> Option<(u8, usize, usize)> {
    let b1 = *buf.get(1)?;
    let (len, start) = match b1 & 0x7f {
        126 => (
            usize::from(u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?])),
            4,
        ),
        127 => {
            let bytes: [u8; 8] = buf.get(2..10)?.try_into().ok()?;
            (usize::try_from(u64::from_be_bytes(bytes)).ok()?, 10)
        }
        n => (usize::from(n), 2),
    };
    if buf.len() < start + len {
        return None;
    }
    Some((buf[0] & 0x0f, start, len))
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// This process's resident set, in bytes (`VmRSS` of `/proc/self/status`).
pub fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map(|kb| kb * 1024)
        .unwrap_or_default()
}

/// The emulator binary in a process of its own (`connect-participant emulator --port 0` and
/// `args`), killed when dropped, also on a panic.
pub struct Standalone {
    pub child: std::process::Child,
    /// `http://host:port`, as it printed it.
    pub url: String,
    /// `host:port`.
    pub authority: String,
}

impl Standalone {
    pub fn start(bin: &str, args: &[&str]) -> Standalone {
        let mut command = std::process::Command::new(bin);
        command.args(["emulator", "--port", "0"]).args(args);
        command.stderr(std::process::Stdio::null());
        // Its first line is its URL; nothing more comes on stdout.
        let (child, line) = spawn_first_line(&mut command, "the emulator binary");
        let url = line.trim().to_owned();
        let authority = url.trim_start_matches("http://").trim_end_matches('/');
        let authority = authority.to_owned();
        let mut s = Standalone {
            child,
            url,
            authority,
        };
        if !s.url.starts_with("http://") {
            let _ = s.child.kill();
            panic!("the emulator printed no URL: {line:?}");
        }
        s
    }

    /// A raw HTTP/1.1 POST of a JSON body to the control path, on a connection of its own
    /// that waits at most `wait`; the answer's body, or why there is none.
    pub fn try_post(&self, path: &str, body: &str, wait: Duration) -> Result<String, String> {
        use std::io::{Read, Write};
        let authority = &self.authority;
        let e = |e: std::io::Error| e.to_string();
        let mut tcp = std::net::TcpStream::connect(authority).map_err(e)?;
        tcp.set_read_timeout(Some(wait)).map_err(e)?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        tcp.write_all(request.as_bytes()).map_err(e)?;
        let mut answer = Vec::new();
        tcp.take(1 << 20).read_to_end(&mut answer).map_err(e)?;
        let text = String::from_utf8_lossy(&answer);
        if !text.starts_with("HTTP/1.1 200") {
            return Err(format!("control path answered {text:?}"));
        }
        Ok(text
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_owned())
    }

    /// [`try_post`](Self::try_post), which must succeed.
    pub fn post(&self, path: &str, body: &str) -> String {
        self.try_post(path, body, Duration::from_secs(30))
            .expect("the control path")
    }

    /// A new chat: its contact id and participant token.
    pub fn start_chat(&self) -> (String, String) {
        let v: serde_json::Value =
            serde_json::from_str(&self.post("/emulator/chats", "{}")).expect("JSON answer");
        let field = |k: &str| v[k].as_str().expect("a string member").to_owned();
        (field("ContactId"), field("ParticipantToken"))
    }
}

/// Spawns `command` (standard input closed, output piped) and reads the first line it
/// prints (empty if it printed none): a server's address.
pub fn spawn_first_line(
    command: &mut std::process::Command,
    what: &str,
) -> (std::process::Child, String) {
    use std::io::BufRead;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {what}: {e}"));
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    if std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .is_err()
    {
        line.clear();
    }
    (child, line)
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A std-only WebSocket client, subscribed to one chat: a fixed HTTP/1.1 upgrade request,
/// the subscribe frame masked by hand, server frames read by hand. With a heartbeat, it
/// sends the stream's (`aws/ping` and `aws/heartbeat`) whenever that long passes without a
/// read, as the stream does.
pub struct FloorWs {
    tcp: Conn,
    buf: Vec<u8>,
    heartbeat: Option<(Duration, std::time::Instant)>,
}

impl FloorWs {
    /// Upgrades `url` (`ws://host:port/path`, or `wss://127.0.0.1:port/path` once
    /// [`tls::floor_trusts`] has been called) and subscribes; each read and write waits
    /// at most `wait`.
    pub fn open(url: &str, wait: Duration, heartbeat: Option<Duration>) -> io::Result<FloorWs> {
        use std::io::Write;
        let (rest, secure) = match (url.strip_prefix("ws://"), url.strip_prefix("wss://")) {
            (Some(rest), _) => (rest, false),
            (_, Some(rest)) => (rest, true),
            _ => return Err(io::Error::other("not a ws:// or wss:// URL")),
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let tcp = std::net::TcpStream::connect(authority)?;
        tcp.set_nodelay(true)?;
        tcp.set_read_timeout(Some(wait))?;
        tcp.set_write_timeout(Some(wait))?;
        let mut ws = FloorWs {
            tcp: if secure {
                Conn::tls(tcp)?
            } else {
                Conn::Plain(tcp)
            },
            buf: Vec::with_capacity(4096),
            heartbeat: heartbeat.map(|every| (every, std::time::Instant::now() + every)),
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
            return Err(io::Error::other(format!(
                "upgrade refused: {}",
                String::from_utf8_lossy(&ws.buf[..end.min(40)])
            )));
        }
        ws.buf.drain(..end);
        ws.tcp.write_all(&masked_frame(0x1, SUBSCRIBE.as_bytes()))?;
        // The first text frame that is not a chat item is the subscription's answer.
        for _ in 0..100 {
            if !ws.next_text()?.1 {
                return Ok(ws);
            }
        }
        Err(io::Error::other("no subscription answer"))
    }

    /// Reads more bytes into the buffer (waiting, with a heartbeat, at most until the next
    /// is due, and sending it then); 0 at the end of the connection.
    fn fill(&mut self) -> io::Result<usize> {
        use std::io::{Read, Write};
        use std::time::Instant;
        let mut chunk = [0u8; 4096];
        for _ in 0..1_000_000 {
            let Some((every, due)) = self.heartbeat else {
                let n = self.tcp.read(&mut chunk)?;
                self.buf.extend_from_slice(&chunk[..n]);
                return Ok(n);
            };
            let wait = due.saturating_duration_since(Instant::now());
            self.tcp
                .tcp()
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
                        .write_all(&masked_frame(0x1, HEARTBEAT.as_bytes()))?;
                    self.heartbeat = Some((every, Instant::now() + every));
                }
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other("no bytes in 1,000,000 heartbeats"))
    }

    /// Reads frames up to the next text frame: its length, and whether it is a chat item
    /// (`"topic":"aws/chat"`). Pings are answered.
    pub fn next_text(&mut self) -> io::Result<(usize, bool)> {
        use std::io::Write;
        for _ in 0..1_000_000 {
            if let Some((opcode, start, len)) = parse_frame(&self.buf) {
                let payload = &self.buf[start..start + len];
                let text = match opcode {
                    0x1 => Some((len, contains(payload, br#""topic":"aws/chat""#))),
                    0x8 => return Err(io::Error::other("the server closed the WebSocket")),
                    0x9 => {
                        let pong = masked_frame(0xA, payload);
                        self.tcp.write_all(&pong)?;
                        None
                    }
                    _ => None,
                };
                self.buf.drain(..start + len);
                match text {
                    Some(t) => return Ok(t),
                    None => continue,
                }
            }
            if self.fill()? == 0 {
                return Err(io::Error::other("the server closed the connection"));
            }
        }
        Err(io::Error::other("no text frame in 1,000,000 reads"))
    }

    /// Waits for the next chat item.
    pub fn next_chat(&mut self) -> io::Result<()> {
        for _ in 0..100 {
            if self.next_text()?.1 {
                return Ok(());
            }
        }
        Err(io::Error::other("no chat frame"))
    }
}

/// The stream's deep heartbeat and heartbeat frames.
pub const PING: &str = r#"{"topic":"aws/ping"}"#;
pub const HEARTBEAT: &str = r#"{"topic":"aws/heartbeat"}"#;

/// CPU time this thread has used, from the kernel's scheduler statistics. The kernel
/// brings a running thread's figure up to date only when it enters the scheduler: the
/// yield makes it do so, or a thread that never blocked (a batch read from the socket's
/// buffer) would read a figure from before the batch.
pub fn thread_cpu() -> Duration {
    std::thread::yield_now();
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

pub fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Median and p99 of `v` (sorted here).
pub fn stats(v: &mut [Duration]) -> (Duration, Duration) {
    assert!(!v.is_empty(), "no samples");
    v.sort_unstable();
    (v[v.len() / 2], v[(v.len() * 99 / 100).min(v.len() - 1)])
}
