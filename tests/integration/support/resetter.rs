//! A server that ends every connection with a TCP reset (RST) instead of a clean close.
//!
//! It reads each request but its last byte, writes a fixed answer (maybe nothing) and
//! drops the connection with that byte unread, which makes the kernel send the reset. The
//! emulator cannot do this: it only ever closes cleanly.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::scripted::{content_length, find_header_end};
use super::server::Server;

/// Bounds the accept loop; a call makes at most 3 connections.
const MAX_CONNECTIONS: usize = 16;
/// Bounds the reading; the client's requests here are far smaller.
const MAX_REQUEST: usize = 64 * 1024;

pub struct Resetter {
    server: Server<Vec<u8>>,
}

impl Resetter {
    pub fn start(answer: &'static [u8]) -> Resetter {
        let server = Server::start("resetter", MAX_CONNECTIONS, move |_, mut stream, _| {
            // A safety net only: the client always sends a whole request.
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let request = read_all_but_last_byte(&mut stream);
            let _ = stream.write_all(answer);
            request
        });
        Resetter { server }
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr())
    }

    /// Stops the server; returns what it read of each request, in order.
    pub fn finish(self) -> Vec<Vec<u8>> {
        self.server.finish()
    }
}

/// Reads one request (head, then `content-length` body bytes) but its last byte.
fn read_all_but_last_byte(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    // One byte at a time, so that nothing past the wanted length leaves the socket buffer.
    while got.len() < MAX_REQUEST {
        let wanted =
            find_header_end(&got).map(|end| end + content_length(&got[..end]).unwrap_or(0) - 1);
        if wanted.is_some_and(|w| got.len() >= w) {
            break;
        }
        match stream.read(&mut byte) {
            Ok(1) => got.push(byte[0]),
            _ => break,
        }
    }
    got
}
