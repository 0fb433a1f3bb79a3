//! The two bearer tokens and the other secrets the service hands out (the WebSocket URL, a
//! WebRTC join token): checked once, and never shown.

use std::fmt;

use ureq::http::HeaderValue;

use crate::error::{Error, Result};

/// Which token an operation carries in `X-Amz-Bearer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BearerKind {
    /// The participant token from StartChatContact: CreateParticipantConnection only.
    Participant,
    /// The connection token from CreateParticipantConnection: every other operation.
    Connection,
}

/// A token an operation carries in `X-Amz-Bearer`: each operation names its type, so that
/// one cannot be given where the other is needed.
pub(crate) trait Bearer {
    const KIND: BearerKind;

    /// The header value, checked when the token was made.
    fn header_value(&self) -> &HeaderValue;

    /// The token, to scrub it from what a server says.
    fn expose_secret(&self) -> &str;
}

/// Defines a bearer token type: a secret checked for the service's limits and for header
/// safety, printed as `Name([redacted])`, with no `Display` and no `PartialEq`.
macro_rules! bearer_token {
    ($(#[$meta:meta])* $name:ident, $field:literal, $kind:expr) => {
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

        }

        impl Bearer for $name {
            const KIND: BearerKind = $kind;

            fn header_value(&self) -> &HeaderValue {
                &self.header
            }

            fn expose_secret(&self) -> &str {
                $name::expose_secret(self)
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
    "ConnectionToken",
    BearerKind::Connection
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
    "ParticipantToken",
    BearerKind::Participant
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

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
}
