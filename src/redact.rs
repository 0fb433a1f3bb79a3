//! What a message or a `Debug` output may show, and how secrets are kept out of it: caller
//! values quoted or only measured, server text made printable and cut at named widths, the
//! runs of a token found and replaced, and the user info of a URL hidden.
//!
//! The command-line utility shows its arguments and scrubs its output by these same rules
//! (through `__cli`), so that it and the library's messages cannot drift apart.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// How much of a name a server sent is shown (a header's name, a certificate's host name).
pub(crate) const NAME_WIDTH: usize = 64;
/// How much of a short value a server sent is shown (a header's value).
pub(crate) const VALUE_WIDTH: usize = 32;
/// How much of an error type or a request id the service sent is shown.
pub(crate) const ID_WIDTH: usize = 128;
/// How much of a detail quoted inside this crate's own message is shown: a TLS or WebSocket
/// library's words, a storage service's error code or message, a chat frame's reason.
pub(crate) const DETAIL_WIDTH: usize = 200;
/// How much of the service's own error message is shown.
pub(crate) const MESSAGE_WIDTH: usize = 512;

/// The longest caller value that an error message or a `Debug` output shows. Longer values
/// are only measured: a token pasted in the wrong place (they run to hundreds of
/// characters) must not reach a terminal's scrollback or a log, not even in part.
pub const MAX_SHOWN_CHARS: usize = 64;

/// What stands in for a secret.
pub const REDACTED: &str = "[redacted]";

/// A caller's value as an error message or `Debug` output may show it: in double quotes,
/// escaped as Rust escapes a string literal, when it has at most [`MAX_SHOWN_CHARS`]
/// characters; otherwise `(N characters, not shown)`.
pub fn quoted(s: &str) -> String {
    let n = s.chars().count();
    if n <= MAX_SHOWN_CHARS {
        format!("\"{}\"", s.escape_debug())
    } else {
        format!("({n} characters, not shown)")
    }
}

/// The shortest part of a secret that [`Error::redacting`](crate::Error) looks for: long enough that
/// ordinary text does not share one with a random token, short enough that a token cut
/// short is still found.
pub const SECRET_RUN: usize = 16;

/// The runs of [`SECRET_RUN`] bytes of a secret (the whole of a shorter one), to find and
/// replace any part of it in a server's text. Exact for the visible-ASCII secrets the
/// tokens are; a secret with other characters is still found and hidden, by byte runs that
/// may start inside a character.
pub struct SecretRuns<'a> {
    width: usize,
    runs: HashSet<&'a [u8]>,
}

impl fmt::Debug for SecretRuns<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretRuns([redacted])")
    }
}

impl<'a> SecretRuns<'a> {
    /// The runs of `secret`. An empty secret has none and is never found.
    pub fn new(secret: &'a str) -> SecretRuns<'a> {
        let width = secret.len().min(SECRET_RUN);
        let runs = match width {
            0 => HashSet::new(),
            w => secret.as_bytes().windows(w).collect(),
        };
        SecretRuns { width, runs }
    }

    /// Does `text` hold a run of the secret?
    pub fn found_in(&self, text: &str) -> bool {
        self.width > 0
            && text
                .as_bytes()
                .windows(self.width)
                .any(|w| self.runs.contains(w))
    }

    /// `text` with every stretch made of runs of the secret replaced by [`REDACTED`].
    pub fn scrub(&self, text: &str) -> String {
        if self.width == 0 {
            return text.to_owned();
        }
        let bytes = text.as_bytes();
        let mut hidden = vec![false; bytes.len()];
        for (at, w) in bytes.windows(self.width).enumerate() {
            if self.runs.contains(w) {
                hidden[at..at + self.width].fill(true);
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut in_run = false;
        for (at, c) in text.char_indices() {
            match (hidden[at], in_run) {
                (false, _) => out.push(c),
                (true, false) => out.push_str(REDACTED),
                (true, true) => {}
            }
            in_run = hidden[at];
        }
        out
    }
}

/// Shows a caller's value through [`quoted`] in `Debug` output.
pub(crate) struct Shown<'a>(pub(crate) &'a str);

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&quoted(self.0))
    }
}

/// `s` with control and direction-changing characters replaced, cut after `max`
/// characters (ending in `…`), so that a hostile server cannot put terminal escapes or
/// megabytes into an error message.
pub fn printable(s: &str, max: usize) -> String {
    let mut out = String::new();
    push_printable(&mut out, s, max);
    out
}

/// [`printable`], appended to `out`.
pub(crate) fn push_printable(out: &mut String, s: &str, max: usize) {
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            return;
        }
        out.push(if unsafe_on_a_terminal(c) {
            '\u{fffd}'
        } else {
            c
        });
    }
}

/// Control characters (terminal escapes start with one) and the bidirectional formatting
/// characters, which can make text read in another order than it is (`U+202E`).
fn unsafe_on_a_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `url` with any user info (`user:password@`) replaced by `[redacted]`: a URL the caller
/// gave may carry a password, which no message or `Debug` output may show. The URL need not
/// be valid; without a scheme, the authority is taken to start at the beginning.
pub(crate) fn redact_userinfo(url: &str) -> Cow<'_, str> {
    let start = url
        .find("://")
        .filter(|&i| {
            url[..i]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        })
        .map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['/', '?', '#', '\\'])
        .map_or(url.len(), |i| start + i);
    match url[start..end].rfind('@') {
        Some(at) => Cow::Owned(format!("{}{REDACTED}{}", &url[..start], &url[start + at..])),
        None => Cow::Borrowed(url),
    }
}
