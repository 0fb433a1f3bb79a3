//! The tokens: where they are read from (a variable, else standard input), and the check
//! that no argument holds one.

use std::ffi::OsString;
use std::io::{self, BufRead, Write};

use connect_participant::__cli::SecretRuns;

use super::Failure;
use crate::args::{self, Name, TokenKind};
use crate::output::MIN_TOKEN_MATCH;

/// The most bytes read from standard input for a token. The service allows 1000
/// characters; reading a little more lets the library report an overlong token, while a
/// stray pipe of gigabytes cannot make the program allocate without bound.
const MAX_TOKEN_LINE: u64 = 64 * 1024;

/// Where the tokens come from: each kind's environment variable when set and non-empty,
/// else the first line of standard input (for the one token a command sends).
pub struct TokenSource<R> {
    participant_env: Option<OsString>,
    connection_env: Option<OsString>,
    stdin: R,
    is_terminal: bool,
    /// Every token's text once known, valid or not: the arguments are checked against
    /// them, and everything written is scrubbed of them.
    pub known: Vec<(TokenKind, String)>,
    /// Standard input was read for a token: a second read would take the second line.
    stdin_read: bool,
}

impl<R: BufRead> TokenSource<R> {
    pub fn new(
        participant_env: Option<OsString>,
        connection_env: Option<OsString>,
        stdin: R,
        is_terminal: bool,
    ) -> Self {
        let participant_env = participant_env.filter(|v| !v.is_empty());
        let connection_env = connection_env.filter(|v| !v.is_empty());
        // From the environment the tokens are known before any argument is looked at, so
        // that no argument holding one is parsed, validated or echoed. Both are checked
        // and scrubbed, whichever the command sends.
        let known = [
            (TokenKind::Participant, &participant_env),
            (TokenKind::Connection, &connection_env),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.as_ref()?.to_str()?.to_owned())))
        .collect();
        TokenSource {
            participant_env,
            connection_env,
            stdin,
            is_terminal,
            known,
            stdin_read: false,
        }
    }

    fn env(&self, kind: TokenKind) -> Option<&OsString> {
        match kind {
            TokenKind::Participant => self.participant_env.as_ref(),
            TokenKind::Connection => self.connection_env.as_ref(),
        }
    }

    /// The token's text and where it was read from, for `command` (which the messages
    /// name); when standard input is a terminal, a prompt goes to `prompt` first. No
    /// message of this function contains the token.
    pub fn read_text(
        &mut self,
        kind: TokenKind,
        command: Option<Name>,
        prompt: &mut dyn Write,
    ) -> Result<(String, &'static str), Failure> {
        let var = kind.var();
        if let Some(v) = self.env(kind) {
            let v = v
                .to_str()
                .ok_or_else(|| Failure::Token(format!("{var} is not valid UTF-8")))?;
            return Ok((v.to_owned(), var));
        }
        if self.stdin_read {
            return Err(self.missing(kind, command));
        }
        self.stdin_read = true;
        let name = kind.name();
        if self.is_terminal {
            if let Some(why) = self.other_kind_only(kind, command) {
                let _ = writeln!(prompt, "note: {why}");
            }
            let _ = write!(prompt, "{name} (input is shown): ");
            let _ = prompt.flush();
        }
        let mut line = Vec::new();
        io::Read::take(&mut self.stdin, MAX_TOKEN_LINE)
            .read_until(b'\n', &mut line)
            .map_err(|e| {
                Failure::Token(format!("cannot read the {name} from standard input: {e}"))
            })?;
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        let v = String::from_utf8(line).map_err(|_| {
            Failure::Token(format!("the {name} on standard input is not valid UTF-8"))
        })?;
        if v.is_empty() {
            return Err(self.missing(kind, command));
        }
        self.known.push((kind, v.clone()));
        Ok((v, "standard input"))
    }

    /// No token of `kind`: neither its variable nor standard input gave one. When the
    /// other kind's variable is set, the message says that token cannot serve.
    fn missing(&self, kind: TokenKind, command: Option<Name>) -> Failure {
        let (name, var) = (kind.name(), kind.var());
        Failure::Token(match self.other_kind_only(kind, command) {
            Some(why) => format!("{why}; set {var} or pipe the {name} on standard input"),
            None => format!("no {name}: set {var} or pipe the token on standard input"),
        })
    }

    /// When `kind`'s variable is unset but the other kind's is set: that the token found
    /// cannot serve `command`, and what to do for the connection token (get one).
    fn other_kind_only(&self, kind: TokenKind, command: Option<Name>) -> Option<String> {
        let other = match kind {
            TokenKind::Participant => TokenKind::Connection,
            TokenKind::Connection => TokenKind::Participant,
        };
        if self.env(kind).is_some() || self.env(other).is_none() {
            return None;
        }
        let needs = match (command, kind) {
            (Some(c), TokenKind::Participant) => {
                format!(
                    "{} needs the participant token (from StartChatContact)",
                    c.as_str()
                )
            }
            (Some(c), TokenKind::Connection) => format!(
                "{} needs the connection token (create-participant-connection prints one)",
                c.as_str()
            ),
            (None, _) => format!("this command needs the {}", kind.name()),
        };
        Some(format!(
            "{needs}, and {} is unset: the {} found in {} cannot serve",
            kind.var(),
            other.name(),
            other.var()
        ))
    }

    /// Reads a token piped on standard input that was not read yet, only to know it. A
    /// failure before the token is read may quote a short argument, and a short token
    /// pasted into one would be shown; a pipe costs nothing to read. A terminal is never
    /// asked: nobody should type a secret only to see a usage error.
    pub(super) fn learn_piped(&mut self, kind: TokenKind) -> bool {
        if self.env(kind).is_none() && !self.is_terminal && !self.stdin_read {
            return self.read_text(kind, None, &mut io::sink()).is_ok();
        }
        false
    }
}
/// How a message names argument `i` (0-based) without showing any of it: as the value of
/// the option it belongs to, else by its position on the command line.
pub fn argument_name(args: &[String], i: usize) -> String {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    if i < end {
        let arg = args[i].as_str();
        let option = match arg.split_once('=') {
            Some((name, _)) if name.starts_with("--") => name,
            // As `parse_args` reads it: a value follows its option, unless it is one.
            _ if i > 0 && !arg.starts_with("--") => args[i - 1].as_str(),
            _ => "",
        };
        // Only a known option's name is shown: an unknown one could be part of the token.
        if let Some(o) = args::value_options().find(|o| *o == option) {
            return format!("the argument of {o}");
        }
    }
    format!("argument {}", i + 1)
}

/// Refuses the first argument that holds a known token: one that equals it, or, for a
/// token of [`MIN_TOKEN_MATCH`] characters or more, one that shares a run of 16 characters
/// with it (so contains it, or a part of it cut short). Such an argument is a paste in the
/// wrong place; sending it would put the token in a host name looked up in DNS or in a
/// message the other participants see, and echoing it would put it in a log. The message
/// names the argument and the token's kind, and shows nothing of either.
pub fn check_args(args: &[String], tokens: &[(TokenKind, String)]) -> Result<(), Failure> {
    let runs: Vec<(TokenKind, &str, Option<SecretRuns<'_>>)> = tokens
        .iter()
        .map(|(k, t)| {
            let inside = (t.chars().count() >= MIN_TOKEN_MATCH).then(|| SecretRuns::new(t));
            (*k, t.as_str(), inside)
        })
        .collect();
    for (i, a) in args.iter().enumerate() {
        let held = runs
            .iter()
            .find(|(_, t, inside)| a == t || inside.as_ref().is_some_and(|r| r.found_in(a)));
        if let Some((kind, _, _)) = held {
            return Err(Failure::Token(format!(
                "{} holds the {}; it was neither sent nor shown",
                argument_name(args, i),
                kind.name()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The token `command` reads, from these variables and standard input, or its
    /// failure; and what went to the prompt.
    pub(in crate::commands) fn read_token(
        command: Name,
        participant: Option<&str>,
        connection: Option<&str>,
        stdin: &[u8],
        terminal: bool,
    ) -> (Result<String, Failure>, String) {
        let mut prompt = Vec::new();
        let mut source = TokenSource::new(
            participant.map(OsString::from),
            connection.map(OsString::from),
            stdin,
            terminal,
        );
        let kind = command.token().unwrap();
        let t = source
            .read_text(kind, Some(command), &mut prompt)
            .map(|(t, _)| t);
        (t, String::from_utf8(prompt).unwrap())
    }

    /// [`read_token`], a token failure told by its message.
    fn read(
        command: Name,
        participant: Option<&str>,
        connection: Option<&str>,
        stdin: &[u8],
        terminal: bool,
    ) -> (Result<String, String>, String) {
        let (t, prompt) = read_token(command, participant, connection, stdin, terminal);
        let t = t.map_err(|f| match f {
            Failure::Token(m) => m,
            other => panic!("{other:?}"),
        });
        (t, prompt)
    }

    #[test]
    fn the_other_kinds_variable_alone_is_named_as_unable_to_serve() {
        assert_eq!(
            read(Name::Watch, None, Some("c-tok"), b"", false).0,
            Err(
                "watch needs the participant token (from StartChatContact), and \
                 CONNECT_PARTICIPANT_TOKEN is unset: the connection token found in \
                 CONNECT_CONNECTION_TOKEN cannot serve; set CONNECT_PARTICIPANT_TOKEN or \
                 pipe the participant token on standard input"
                    .into()
            )
        );
        assert_eq!(
            read(Name::SendMessage, Some("p-tok"), None, b"\n", false).0,
            Err(
                "send-message needs the connection token (create-participant-connection \
                 prints one), and CONNECT_CONNECTION_TOKEN is unset: the participant token \
                 found in CONNECT_PARTICIPANT_TOKEN cannot serve; set \
                 CONNECT_CONNECTION_TOKEN or pipe the connection token on standard input"
                    .into()
            )
        );
        // A token piped on standard input still serves, whatever the other variable.
        assert_eq!(
            read(Name::Watch, None, Some("c-tok"), b"p-tok\n", false),
            (Ok("p-tok".into()), String::new())
        );
        // On a terminal, a note before the prompt; a token typed there serves.
        assert_eq!(
            read(Name::Typing, Some("p-tok"), Some(""), b"typed\n", true),
            (
                Ok("typed".into()),
                "note: typing needs the connection token (create-participant-connection \
                 prints one), and CONNECT_CONNECTION_TOKEN is unset: the participant token \
                 found in CONNECT_PARTICIPANT_TOKEN cannot serve\nconnection token (input \
                 is shown): "
                    .into()
            )
        );
        // Neither variable set, or this kind's set: the message as before.
        assert_eq!(
            read(Name::Typing, None, None, b"", false).0,
            Err(
                "no connection token: set CONNECT_CONNECTION_TOKEN or pipe the token on \
                 standard input"
                    .into()
            )
        );
        assert_eq!(
            read(Name::Watch, Some("p-tok"), Some("c-tok"), b"", false).0,
            Ok("p-tok".into())
        );
    }
}
