//! One raw HTTP/1.1 client over `TcpStream`, for tests that choose every byte sent.
//!
//! The client under test would refuse to send most of these requests, or send them its
//! own way. [`Conn`] writes and reads; [`head`] lays out a request head line by line;
//! [`Answer`] splits an answer as it came. [`send`], [`call`], [`op`] and [`connect`] are
//! the emulator calls that several topics make the same way, byte for byte.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use connect_participant::emulator::Emulator;
use serde_json::{Value, json};

/// The longest any read waits: a bound for a broken test, never a pause.
pub const SAFETY_NET: Duration = Duration::from_secs(10);

/// One connection to a server on 127.0.0.1.
pub struct Conn(TcpStream);

impl Conn {
    pub fn open(addr: impl ToSocketAddrs) -> Conn {
        Conn::try_open(addr).expect("connect to the server")
    }

    /// As [`Conn::open`], for tests where the connect itself may fail.
    pub fn try_open(addr: impl ToSocketAddrs) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(SAFETY_NET))?;
        Ok(Conn(stream))
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.0.write_all(bytes).expect("send to the server");
    }

    /// As [`Conn::send`], for a server that may refuse and close before reading it all.
    pub fn try_send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }

    /// Sends `bytes` in writes of at most `piece` bytes, as a stream of a file would.
    pub fn send_in_pieces(&mut self, bytes: &[u8], piece: usize) {
        for piece in bytes.chunks(piece) {
            self.send(piece);
        }
    }

    /// Says nothing more comes (a FIN), so that a server reading a body to its end stops.
    pub fn end_sending(&mut self) {
        self.0
            .shutdown(Shutdown::Write)
            .expect("shut the sending side");
    }

    /// Everything the server sends until it closes.
    pub fn read_all(&mut self) -> Vec<u8> {
        let (bytes, end) = self.read_until_closed();
        end.expect("read the answer");
        bytes
    }

    /// Everything the server sends until it closes, and the error that ended the reading
    /// instead, if one did (what came before it is kept).
    pub fn read_until_closed(&mut self) -> (Vec<u8>, io::Result<()>) {
        let mut bytes = Vec::new();
        let end = self.0.read_to_end(&mut bytes).map(drop);
        (bytes, end)
    }

    /// The whole answer of a server that closes after it; its body must be exactly its
    /// `Content-Length`.
    pub fn read_answer(&mut self) -> Answer {
        let answer = Answer::parse(&self.read_all());
        let length: usize = answer
            .header("content-length")
            .expect("a Content-Length")
            .parse()
            .expect("a numeric Content-Length");
        assert_eq!(answer.body.len(), length);
        answer
    }

    /// Reads until the server closes (or resets) the connection; an error if it has not
    /// within 64 reads (a server that answers at most once sends no more) or the safety net.
    pub fn read_to_close(&mut self) -> io::Result<()> {
        let mut buf = [0u8; 1024];
        for _ in 0..64 {
            match self.0.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Err(ErrorKind::InvalidData.into())
    }
}

/// A request head: each line with its CRLF, then the blank line. Lines are written as
/// given, so a test can send a head no client would.
pub fn head(lines: &[&str]) -> Vec<u8> {
    let mut out = String::new();
    for line in lines {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// Sends `request` on a connection of its own and returns everything the server answered
/// before it closed.
pub fn exchange(addr: impl ToSocketAddrs, request: &[u8]) -> Vec<u8> {
    let mut conn = Conn::open(addr);
    conn.send(request);
    conn.read_all()
}

/// One answer: status, headers, body.
#[derive(Debug)]
pub struct Answer {
    /// The status line as sent, without its CRLF.
    pub status_line: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// Splits an answer; its head must be UTF-8, each header line `name: value`.
    pub fn parse(raw: &[u8]) -> Answer {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a whole head");
        let head = String::from_utf8(raw[..split].to_vec()).expect("a UTF-8 head");
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap().to_owned();
        let status = status_line[9..12].parse().expect("a numeric status");
        let headers = lines
            .map(|l| {
                let (k, v) = l.split_once(": ").expect("a header line");
                (k.to_owned(), v.to_owned())
            })
            .collect();
        Answer {
            status_line,
            status,
            headers,
            body: raw[split + 4..].to_vec(),
        }
    }

    /// The first header of this name, in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request on its own connection (`Connection: close`) with these headers and
/// `body`, the body written in 64 KiB pieces as a stream would, and reads the whole answer.
pub fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let request_line = format!("{method} {path} HTTP/1.1");
    let host = format!("Host: {addr}");
    let headers: Vec<String> = headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let mut lines = vec![request_line.as_str(), host.as_str(), "Connection: close"];
    lines.extend(headers.iter().map(String::as_str));
    let mut conn = Conn::open(addr);
    conn.send(&head(&lines));
    conn.send_in_pieces(body, 64 * 1024);
    // A request refused on its head, whose body the server reads and drops, ends here too.
    conn.end_sending();
    conn.read_answer()
}

/// A JSON request as the service's clients send it: the bearer if any, and a JSON
/// `Content-Type` and `Content-Length` for a body or a POST. Every answer of the emulator
/// carries a request id.
pub fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: &str,
) -> Answer {
    let length = body.len().to_string();
    let mut headers = Vec::new();
    if let Some(b) = bearer {
        headers.push(("X-Amz-Bearer", b));
    }
    if !body.is_empty() || method == "POST" {
        headers.push(("Content-Type", "application/json"));
        headers.push(("Content-Length", &length));
    }
    let answer = send(addr, method, path, &headers, body.as_bytes());
    assert_eq!(answer.header("x-amzn-RequestId").map(str::len), Some(36));
    answer
}

/// `POST /participant/{operation}` with `bearer` and a JSON body.
pub fn op(emulator: &Emulator, operation: &str, bearer: &str, body: &Value) -> Answer {
    call(
        emulator.addr(),
        "POST",
        &format!("/participant/{operation}"),
        Some(bearer),
        &body.to_string(),
    )
}

/// CreateParticipantConnection for credentials with a participant token: the new
/// connection token.
pub fn connect(emulator: &Emulator, participant_token: &str) -> String {
    let a = op(
        emulator,
        "connection",
        participant_token,
        &json!({"Type": ["CONNECTION_CREDENTIALS"]}),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()["ConnectionCredentials"]["ConnectionToken"]
        .as_str()
        .unwrap()
        .to_owned()
}
