//! What the benches' std-only floors and figures share: a WebSocket client's frames, and this
//! process's resident set from `/proc`. Included by each bench that uses it
//! (`#[path = "support/mod.rs"] mod support;`); a bench uses only some of it.
#![allow(dead_code)] // Each bench is its own crate and uses a part of this file.

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
