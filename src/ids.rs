//! Identifiers and randomness: UUID v4 client tokens and invocation ids, the random source
//! behind them (the OS, or a stand-in in tests), and base64.

use std::fmt;

use crate::error::{Error, ErrorKind, Result};

/// A lower-case UUID v4 (RFC 9562), 36 ASCII bytes on the stack.
#[derive(Clone, Copy)]
pub(crate) struct Uuid([u8; 36]);

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Uuid {
    /// The UUID v4 made of 16 random bytes.
    pub(crate) fn v4(mut b: [u8; 16]) -> Uuid {
        b[6] = (b[6] & 0x0f) | 0x40; // version 4
        b[8] = (b[8] & 0x3f) | 0x80; // variant 10xx
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'-'; 36];
        let mut at = 0;
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                at += 1; // the dash already there
            }
            out[at] = HEX[usize::from(byte >> 4)];
            out[at + 1] = HEX[usize::from(byte & 0x0f)];
            at += 2;
        }
        Uuid(out)
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only hex digits and dashes were written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// A source of random bytes: the OS in production, something fixed in tests.
pub(crate) type RandomFn = dyn Fn(&mut [u8]) -> std::io::Result<()> + Send + Sync;

/// Fills `buf` from the operating system's random source.
pub(crate) fn os_random(buf: &mut [u8]) -> std::io::Result<()> {
    getrandom::getrandom(buf).map_err(|e| std::io::Error::other(e.to_string()))
}

/// Two fresh UUIDs, the invocation id and a client token, from one draw of 32 random bytes.
pub(crate) fn two_uuids(random: &RandomFn) -> Result<(Uuid, Uuid)> {
    let mut bytes = [0u8; 32];
    random(&mut bytes).map_err(|e| {
        Error::with_source(
            ErrorKind::RandomSource,
            "the random source failed, so no client token could be made",
            e,
        )
    })?;
    let mut halves = [[0u8; 16]; 2];
    halves[0].copy_from_slice(&bytes[..16]);
    halves[1].copy_from_slice(&bytes[16..]);
    Ok((Uuid::v4(halves[0]), Uuid::v4(halves[1])))
}

/// Standard base64 with padding (RFC 4648): the emulator's tokens.
#[cfg(feature = "emulator")]
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(chunk.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(chunk.get(2).copied().unwrap_or(0));
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v4_has_version_and_variant_bits() {
        assert_eq!(
            Uuid::v4([0xff; 16]).as_str(),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
        assert_eq!(
            Uuid::v4([0; 16]).as_str(),
            "00000000-0000-4000-8000-000000000000"
        );
    }

    #[test]
    fn os_random_gives_distinct_well_formed_uuids() {
        let (a, b) = two_uuids(&os_random).unwrap();
        let (a, b) = (a.as_str().to_owned(), b.as_str().to_owned());
        assert_ne!(a, b);
        for u in [a, b] {
            assert_eq!(u.len(), 36);
            assert_eq!(&u[14..15], "4");
            assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
            assert!(
                u.chars()
                    .all(|c| c == '-' || matches!(c, '0'..='9' | 'a'..='f'))
            );
        }
    }

    #[test]
    fn failing_random_source_is_a_typed_error() {
        let failing = |_: &mut [u8]| Err(std::io::Error::other("no entropy"));
        let e = two_uuids(&failing).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RandomSource);
        assert_eq!(
            std::error::Error::source(&e).map(|s| s.to_string()),
            Some("no entropy".into())
        );
    }

    #[test]
    #[cfg(feature = "emulator")]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("AQIDAH", "QVFJREFI"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }
}
