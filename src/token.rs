//! The two bearer tokens and the other secrets the service hands out, and the UUIDs used as client tokens and invocation ids.

use std::fmt;

use ureq::http::HeaderValue;

use crate::error::{Error, ErrorKind, Result};

/// Defines a bearer token type: a secret checked for the service's limits and for header
/// safety, printed as `Name([redacted])`, with no `Display` and no `PartialEq`.
macro_rules! bearer_token {
    ($(#[$meta:meta])* $name:ident, $field:literal) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name {
            /// The header value, made once and marked sensitive, so every call clones a
            /// reference instead of checking and copying up to 1000 bytes again.
            header: HeaderValue,
        }

        impl $name {
            /// The most characters the service accepts.
            pub const MAX_CHARS: usize = 1000;

            /// Checks `token` against the service's limits (1 to 1000 characters) and header
            /// safety (visible ASCII only).
            pub fn new(token: impl Into<String>) -> Result<$name> {
                Ok($name {
                    header: bearer_header($field, token.into())?,
                })
            }

            /// The token itself, for code that must hand it on (to another program, say).
            ///
            /// Take care not to log it.
            pub fn expose_secret(&self) -> &str {
                // Only visible ASCII got in, so this cannot fail.
                self.header.to_str().unwrap_or_default()
            }

            pub(crate) fn header_value(&self) -> &HeaderValue {
                &self.header
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self> {
                $name::new(s)
            }
        }
    };
}

bearer_token! {
    /// The connection token, sent as the `X-Amz-Bearer` header of every operation but
    /// CreateParticipantConnection.
    ///
    /// It is the `ConnectionCredentials.ConnectionToken` that CreateParticipantConnection
    /// returns (valid about a day), not the [`ParticipantToken`] from StartChatContact. It
    /// is a secret: this type has no `Display` and no `PartialEq` (a comparison could leak
    /// it through timing), its `Debug` prints `ConnectionToken([redacted])`, and no error of
    /// this crate ever contains it.
    ///
    /// The constructor checks it before anything can be sent: 1 to 1000 characters, all of
    /// them visible ASCII (`!` to `~`). That refuses CR, LF and every other character that
    /// could break or smuggle an HTTP header, and spaces, which HTTP would strip from the
    /// ends.
    ///
    /// ```
    /// use connect_participant::ConnectionToken;
    ///
    /// let token = ConnectionToken::new("AQIDAHh0eXBpbmc=").unwrap();
    /// assert_eq!(format!("{token:?}"), "ConnectionToken([redacted])");
    ///
    /// let err = ConnectionToken::new("abc\r\nX-Evil: 1").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid ConnectionToken: character 4 cannot be sent in an HTTP header \
    ///      (only visible ASCII is allowed)"
    /// );
    /// ```
    ConnectionToken,
    "ConnectionToken"
}

bearer_token! {
    /// The participant token, sent as the `X-Amz-Bearer` header of
    /// CreateParticipantConnection and of nothing else.
    ///
    /// It comes from Amazon Connect's StartChatContact (`ParticipantToken`), StartWebRTCContact
    /// or CreateParticipant (`ParticipantCredentials.ParticipantToken`) and lasts as long as
    /// the participant is in the chat. With it, CreateParticipantConnection gives the
    /// [`ConnectionToken`] that every other operation needs. The same rules as for that one
    /// apply: 1 to 1000 visible ASCII characters, `Debug` prints
    /// `ParticipantToken([redacted])`, no `Display`, no `PartialEq`.
    ///
    /// ```
    /// use connect_participant::ParticipantToken;
    ///
    /// let token = ParticipantToken::new("QVFJREFIaGFydGljaXBhbnQ=").unwrap();
    /// assert_eq!(format!("{token:?}"), "ParticipantToken([redacted])");
    /// let err = ParticipantToken::new("").unwrap_err();
    /// assert_eq!(err.to_string(), "invalid ParticipantToken: 0 characters, must be 1 to 1000");
    /// ```
    ParticipantToken,
    "ParticipantToken"
}

/// The header value of a bearer token, checked: visible ASCII, 1 to 1000 characters.
fn bearer_header(field: &'static str, token: String) -> Result<HeaderValue> {
    if let Some(pos) = token.bytes().position(|b| !b.is_ascii_graphic()) {
        // The position is 1-based and counts characters, to tell the caller where to look
        // without showing any of the secret.
        let nth = token[..pos].chars().count() + 1;
        return Err(Error::invalid_input(
            field,
            format_args!(
                "character {nth} cannot be sent in an HTTP header (only visible ASCII is \
                 allowed)"
            ),
        ));
    }
    // Only ASCII is left, so bytes are characters.
    if token.is_empty() || token.len() > ConnectionToken::MAX_CHARS {
        return Err(Error::length(
            field,
            token.len(),
            1,
            ConnectionToken::MAX_CHARS,
        ));
    }
    let mut header = HeaderValue::from_str(&token)
        // Unreachable: visible ASCII is always a valid header value.
        .map_err(|_| Error::invalid_input(field, "cannot be sent in an HTTP header"))?;
    header.set_sensitive(true);
    Ok(header)
}

/// Defines a secret string the service hands out (a URL that grants access, a join token):
/// `Debug` prints `Name([redacted])`, no `Display`, no `PartialEq`.
macro_rules! secret_string {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            pub(crate) fn new(value: String) -> $name {
                $name(value)
            }

            /// The secret itself. Take care not to log it.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_string! {
    /// The WebSocket URL from CreateParticipantConnection (`Websocket.Url`): whoever holds
    /// it can read the chat, so it is kept as a secret.
    WebSocketUrl
}

secret_string! {
    /// A WebRTC attendee's join token (`Attendee.JoinToken`, sensitive in the service's
    /// model).
    JoinToken
}

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

/// Standard base64 with padding (RFC 4648): the emulator's tokens, a proxy's Basic
/// credentials.
#[cfg(any(feature = "emulator", feature = "websocket"))]
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
    fn token_limits_are_enforced_at_the_boundaries() {
        assert!(ConnectionToken::new("a").is_ok());
        assert!(ConnectionToken::new("a".repeat(1000)).is_ok());
        let e = ConnectionToken::new("a".repeat(1001)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid ConnectionToken: 1001 characters, must be 1 to 1000"
        );
        let e = ConnectionToken::new("").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid ConnectionToken: 0 characters, must be 1 to 1000"
        );
    }

    #[test]
    fn header_breaking_characters_are_refused_without_echo() {
        for bad in [
            "ab\rc",
            "ab\nc",
            "ab\0c",
            "ab\tc",
            "ab c",
            "ab\u{7f}c",
            "abé",
            " abc",
            "abc ",
        ] {
            let e = ConnectionToken::new(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad:?}");
            assert_eq!(e.field(), Some("ConnectionToken"));
            assert!(!format!("{e}{e:?}").contains("ab"), "{bad:?} leaked: {e:?}");
        }
        let e = ConnectionToken::new("é-secret").unwrap_err();
        assert!(e.to_string().contains("character 1 "), "{e}");
        let e = ParticipantToken::new("ab\r\nc").unwrap_err();
        assert_eq!(e.field(), Some("ParticipantToken"));
        assert_eq!(
            e.to_string(),
            "invalid ParticipantToken: character 3 cannot be sent in an HTTP header (only \
             visible ASCII is allowed)"
        );
    }

    #[test]
    fn token_debug_is_redacted() {
        let t = ConnectionToken::new("s3cr3t").unwrap();
        assert_eq!(format!("{t:?}"), "ConnectionToken([redacted])");
        assert_eq!(format!("{t:#?}"), "ConnectionToken([redacted])");
        assert_eq!(t.expose_secret(), "s3cr3t");
        let p = ParticipantToken::new("s3cr3t").unwrap();
        assert_eq!(format!("{p:#?}"), "ParticipantToken([redacted])");
        let u = WebSocketUrl::new("wss://x/?t=s3cr3t".into());
        assert_eq!(format!("{u:?}"), "WebSocketUrl([redacted])");
        let j = JoinToken::new("s3cr3t".into());
        assert_eq!(format!("{j:?}"), "JoinToken([redacted])");
    }

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
    #[cfg(any(feature = "emulator", feature = "websocket"))]
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
