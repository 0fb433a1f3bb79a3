//! `connect-event`: send one Amazon Connect Participant Service event from a shell.
//!
//! For support engineers and scripts: `connect-event --region us-west-2 read <message-id>`.
//! Built only with the `cli` feature, so that library users do not compile it. Arguments are
//! parsed by hand with std alone: the utility has seven options and four commands, not
//! enough to justify a parser crate in every build of the tests.
//!
//! The connection token is read from `CONNECT_CONNECTION_TOKEN` or standard input, never
//! from the command line: the arguments of a process are visible to every user of the
//! machine (`ps`, `/proc/<pid>/cmdline`), and end up in shell history. A token pasted into
//! an argument anyway is refused before it can be sent (as a host name, a message id...)
//! or shown: every message shows an argument only when it is short (`describe`), an
//! argument that holds the token is refused without being shown (`check_args`), and as a
//! last line of defence all output is scrubbed of the token (`Shield`).
//!
//! `main` only collects the arguments and the environment; parsing, the exit-code mapping
//! and the output formats are plain functions, unit-tested at the bottom of this file, and
//! the whole binary is tested end to end against the emulator in `tests/integration/cli.rs`.

#![forbid(unsafe_code)]

use std::collections::HashSet;
use std::error::Error as _;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use connect_participant::{
    Client, ClientBuilder, ConnectionToken, ContentType, Error, ErrorKind, SendEventOutput,
    SendEventRequest,
};

/// Where the connection token is looked up first.
const TOKEN_VAR: &str = "CONNECT_CONNECTION_TOKEN";

/// The most bytes read from standard input for the token. The service allows 1000
/// characters; reading a little more lets `ConnectionToken::new` report an overlong token,
/// while a stray pipe of gigabytes cannot make the utility allocate without bound.
const MAX_TOKEN_LINE: u64 = 64 * 1024;

/// The longest argument a message shows; a longer one is measured, not shown. Typos,
/// region names and content types (at most 63 characters each) fit; a connection token
/// (hundreds of characters) does not, nor do most other secrets pasted by mistake. The
/// library shows a region or endpoint URL by the same rule (a unit test keeps them equal).
const SHOWN_MAX: usize = 64;

/// A token shorter than this is refused only as a whole argument, never looked for inside
/// one or in output: a few characters would match ordinary words and numbers.
const MIN_TOKEN_MATCH: usize = 8;

/// A run of this many characters of a secret is a part of it worth hiding: long enough
/// that an ordinary argument or message does not share one with a random token, short
/// enough that a token cut short or wrapped is still recognized.
const PIECE: usize = 16;

/// The options that take a value, spelled as messages may name them.
const VALUE_OPTIONS: [&str; 4] = ["--region", "--endpoint", "--client-token", "--timeout"];

/// Exit status: the event was sent.
const EXIT_OK: u8 = 0;
/// Exit status: bad arguments or input; nothing was sent.
const EXIT_USAGE: u8 = 2;
/// Exit status: the service, or a server in front of it, refused or garbled the answer.
const EXIT_REFUSED: u8 = 3;
/// Exit status: the network failed or a timeout elapsed (and anything else).
const EXIT_NETWORK: u8 = 4;

const HELP: &str = "\
Send one Amazon Connect Participant Service event (SendEvent): typing, a
delivery or read receipt, or any content type the service knows.

Usage: connect-event [OPTIONS] <COMMAND>

Commands:
  typing                        the participant is typing
  read <message-id>             a read receipt for the message
  delivered <message-id>        a delivery receipt for the message
  raw <content-type> [content]  an event of any content type

Options:
  --region <REGION>       the instance's AWS region, such as us-west-2
  --endpoint <URL>        send to this URL instead of the region's endpoint
  --fips                  use the region's FIPS endpoint
  --dual-stack            use the region's dual-stack (IPv4 and IPv6) endpoint
  --client-token <TOKEN>  the idempotency token (default: a new UUID v4)
  --timeout <SECONDS>     seconds per attempt, such as 2.5 (default: 10)
  --json                  print {\"Id\":...,\"AbsoluteTime\":...} (JSON, one line)
  -h, --help              print this help
  --version               print the version
  --                      end of options (for a message id that starts with '-')

One of --region and --endpoint is required; --endpoint cannot be combined with
--fips or --dual-stack. Options may come before or after the command. Failures
worth another try (throttling, HTTP 500/502/503/504, timeouts, dropped
connections) are retried, up to 3 attempts in all.

The connection token (ConnectionCredentials.ConnectionToken from
CreateParticipantConnection) is read from the CONNECT_CONNECTION_TOKEN
environment variable or, when that is unset or empty, from the first line of
standard input (asked for when standard input is a terminal; what you type is
shown). It is never taken from the command line: arguments are visible to every
user of the machine (ps, /proc). An argument that holds the token is refused
(exit status 2), neither sent nor shown; a token piped on standard input is
read for this check even when the command line has another error. Messages
show an argument only when it is at most 64 characters long.

Content types for raw (receipts take the content {\"messageId\":\"<id>\"}):
  application/vnd.amazonaws.connect.event.typing
  application/vnd.amazonaws.connect.event.message.delivered
  application/vnd.amazonaws.connect.event.message.read
  application/vnd.amazonaws.connect.event.connection.acknowledged (retired)

Exit status:
  0  the event was sent
  2  usage error or invalid input: nothing was sent
  3  the service refused the event; its error type and request id are printed
  4  network failure or timeout

Examples:
  connect-event --region us-west-2 typing
  connect-event --region us-west-2 read 11111111-aaaa-bbbb-cccc-EXAMPLE01234
  connect-event --region us-west-2 --json delivered \"$MESSAGE_ID\"
  connect-event --region us-gov-west-1 --fips --timeout 2.5 typing
  connect-event --region us-west-2 --client-token retry-1 typing < token.txt
  connect-event --endpoint http://127.0.0.1:8080 \\
      raw application/vnd.amazonaws.connect.event.typing
";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
enum Parsed {
    Help,
    Version,
    Send(Args),
}

/// A send, fully parsed: every value checked that can be checked without the library.
#[derive(Debug, Clone, PartialEq)]
struct Args {
    region: Option<String>,
    endpoint: Option<String>,
    fips: bool,
    dual_stack: bool,
    client_token: Option<String>,
    timeout: Option<Duration>,
    json: bool,
    command: Command,
}

#[derive(Debug, Clone, PartialEq)]
enum Command {
    Typing,
    Read(String),
    Delivered(String),
    Raw {
        content_type: ContentType,
        content: Option<String>,
    },
}

impl Command {
    /// The request to send, before the client token is added.
    fn request(&self) -> SendEventRequest {
        match self {
            Command::Typing => SendEventRequest::typing(),
            Command::Read(id) => SendEventRequest::read(id),
            Command::Delivered(id) => SendEventRequest::delivered(id),
            Command::Raw {
                content_type,
                content,
            } => {
                let r = SendEventRequest::new(*content_type);
                match content {
                    Some(c) => r.with_content(c.clone()),
                    None => r,
                }
            }
        }
    }

    /// What the success line says was sent.
    fn label(&self) -> &'static str {
        match self {
            Command::Typing => "typing",
            Command::Read(_) => "read receipt",
            Command::Delivered(_) => "delivery receipt",
            Command::Raw { content_type, .. } => content_type.as_str(),
        }
    }
}

/// A bad command line: one line saying what is wrong; the caller adds the `--help` hint.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UsageError(String);

/// Why a run did not send the event.
#[derive(Debug)]
enum Failure {
    /// The command line is wrong.
    Usage(UsageError),
    /// The connection token is missing or unreadable (never contains the token).
    Token(String),
    /// The library refused the input or configuration, or the call failed.
    Library(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Library(e)
    }
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) | Failure::Token(_) => EXIT_USAGE,
            Failure::Library(e) => exit_code(e.kind()),
        }
    }

    /// The lines for standard error.
    fn report(&self) -> String {
        match self {
            Failure::Usage(UsageError(m)) => {
                format!("error: {m}\nhint: run 'connect-event --help' for usage\n")
            }
            Failure::Token(m) => format!("error: {m}\n"),
            Failure::Library(e) => error_report(e),
        }
    }
}

/// The exit status for a library error.
fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        // Refused before anything was sent.
        ErrorKind::InvalidInput | ErrorKind::InvalidConfig => EXIT_USAGE,
        // Something answered, and the answer was a refusal or unusable.
        ErrorKind::Validation
        | ErrorKind::AccessDenied
        | ErrorKind::Conflict
        | ErrorKind::Throttling
        | ErrorKind::InternalServer
        | ErrorKind::UnknownService
        | ErrorKind::UnexpectedStatus
        | ErrorKind::Redirect
        | ErrorKind::InvalidResponse => EXIT_REFUSED,
        // Transport, Timeout, RandomSource, and kinds added later (ErrorKind is
        // non_exhaustive): nothing usable came back.
        _ => EXIT_NETWORK,
    }
}

/// `error: ...` plus, when the service said so, its error type and request id on lines of
/// their own: what AWS support asks for.
fn error_report(e: &Error) -> String {
    let mut out = format!("error: {e}\n");
    // The library's message names the failure at its own layer; the cause (a DNS failure,
    // a refused connection, a certificate) is in the source chain, and is what a support
    // engineer needs. The library keeps the token out of every link. Chains are a few links
    // long; the bound only guards against a cycle.
    let mut cause = e.source();
    for _ in 0..8 {
        let Some(c) = cause else { break };
        let _ = writeln!(out, "caused by: {}", printable(&c.to_string()));
        cause = c.source();
    }
    if let Some(t) = e.service_error_type() {
        let _ = writeln!(out, "error type: {}", printable(t));
    }
    if let Some(id) = e.request_id() {
        let _ = writeln!(out, "request id: {}", printable(id));
    }
    if e.kind() == ErrorKind::Conflict {
        out.push_str(
            "note: receipts are not available in this chat (more than two participants, or a \
             supervisor barged in); retrying will not help\n",
        );
    }
    out
}

/// The success line: `sent typing: Id <id> at <time>`, leaving out what the service did
/// not answer.
fn human_line(label: &str, out: &SendEventOutput) -> String {
    let mut line = format!("sent {label}");
    if let Some(id) = &out.id {
        let _ = write!(line, ": Id {}", printable(id));
    }
    if let Some(t) = &out.absolute_time {
        let sep = if out.id.is_some() { " " } else { ": " };
        let _ = write!(line, "{sep}at {}", printable(t.as_str()));
    }
    line
}

/// `{"Id":...,"AbsoluteTime":...}`, absent members as `null`. Each value is encoded by
/// serde_json; the object is put together here so that the keys keep the service's order
/// (a `serde_json::Map` would sort them).
fn json_line(out: &SendEventOutput) -> String {
    let id = serde_json::Value::from(out.id.clone());
    let time = serde_json::Value::from(out.absolute_time.as_ref().map(|t| t.as_str()));
    format!("{{\"Id\":{id},\"AbsoluteTime\":{time}}}")
}

/// `s` with control characters replaced: what a server answered must not be able to move
/// the cursor or rewrite the terminal.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// An argument as it may appear in a message: the one rule for every argument this
/// utility echoes. A token pasted in the wrong place must not be echoed into the terminal's
/// scrollback or a CI log, so long arguments are only measured; short ones (a mistyped
/// command or content type) are shown, escaped.
fn describe(arg: &str) -> String {
    let n = arg.chars().count();
    if n <= SHOWN_MAX {
        format!("\"{}\"", arg.escape_debug())
    } else {
        format!("an argument of {n} characters (not shown)")
    }
}

/// True for an option that would carry the connection token on the command line.
fn is_token_option(arg: &str) -> bool {
    let Some(name) = arg.strip_prefix("--") else {
        return false;
    };
    let name = name.split('=').next().unwrap_or_default();
    let name = name.to_ascii_lowercase().replace('_', "-");
    matches!(
        name.as_str(),
        "token" | "connection-token" | "connectiontoken" | "bearer" | "x-amz-bearer"
    )
}

/// Parses `--timeout`: seconds, decimals allowed, within the library's range (1 ms to an
/// hour), so that a bad value is refused here, in the utility's words.
fn parse_timeout(value: &str) -> Result<Duration, UsageError> {
    let (min, max) = (ClientBuilder::MIN_TIMEOUT, ClientBuilder::MAX_TIMEOUT);
    let bad = || {
        UsageError(format!(
            "--timeout needs a number of seconds from {} to {}, such as 2.5; got {}",
            min.as_secs_f64(),
            max.as_secs_f64(),
            describe(value)
        ))
    };
    let secs: f64 = value.parse().map_err(|_| bad())?;
    // f64's parser also takes "inf", "NaN" and negative numbers; `try_from_secs_f64`
    // refuses them.
    match Duration::try_from_secs_f64(secs) {
        Ok(d) if (min..=max).contains(&d) => Ok(d),
        _ => Err(bad()),
    }
}

/// Refuses an option meant to carry the connection token (`--token`, `--bearer`...), before
/// `--`. The message shows nothing of the arguments.
fn refuse_token_options(args: &[String]) -> Result<(), UsageError> {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    if args[..end].iter().any(|a| is_token_option(a)) {
        return Err(UsageError(format!(
            "the connection token is not taken from the command line, because arguments are \
             visible to every user of the machine (ps, /proc); set {TOKEN_VAR} or pipe it on \
             standard input"
        )));
    }
    Ok(())
}

/// Parses the arguments (without the program name).
fn parse_args(args: &[String]) -> Result<Parsed, UsageError> {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let options = &args[..end];
    // Checked first, before any other error can hide it, and whatever else is wrong.
    refuse_token_options(args)?;
    // --help and --version win wherever they stand, so that they work on a broken line.
    if options.iter().any(|a| a == "--help" || a == "-h") {
        return Ok(Parsed::Help);
    }
    if options.iter().any(|a| a == "--version") {
        return Ok(Parsed::Version);
    }

    let mut region = None;
    let mut endpoint = None;
    let mut fips = false;
    let mut dual_stack = false;
    let mut client_token = None;
    let mut timeout = None;
    let mut json = false;
    let mut positional: Vec<&str> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();

    let mut i = 0;
    while i < options.len() {
        let arg = options[i].as_str();
        i += 1;
        if !arg.starts_with('-') || arg == "-" {
            positional.push(arg);
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (arg, None),
        };
        let takes_value = match name {
            n if VALUE_OPTIONS.contains(&n) => true,
            "--fips" | "--dual-stack" | "--json" => false,
            _ => {
                return Err(UsageError(format!("unknown option {}", describe(name))));
            }
        };
        if seen.contains(&name) {
            return Err(UsageError(format!("{name} is given more than once")));
        }
        seen.push(name);
        if !takes_value {
            if inline.is_some() {
                return Err(UsageError(format!("{name} takes no value")));
            }
            match name {
                "--fips" => fips = true,
                "--dual-stack" => dual_stack = true,
                _ => json = true,
            }
            continue;
        }
        let value = match inline {
            Some(v) => v,
            // A following option is not a value: `--client-token --json` is a mistake, and
            // taking "--json" as the token would hide it. `--client-token=--json` is explicit.
            None => match options.get(i) {
                Some(v) if !v.starts_with("--") => {
                    i += 1;
                    v.as_str()
                }
                _ => return Err(UsageError(format!("{name} needs a value"))),
            },
        };
        match name {
            "--region" => region = Some(value.to_owned()),
            "--endpoint" => endpoint = Some(value.to_owned()),
            "--client-token" => client_token = Some(value.to_owned()),
            _ => timeout = Some(parse_timeout(value)?),
        }
    }
    positional.extend(args.iter().skip(end + 1).map(String::as_str));

    let Some((&name, rest)) = positional.split_first() else {
        return Err(UsageError(
            "no command: give typing, read, delivered or raw".into(),
        ));
    };
    let (command, max_args) = match (name, rest) {
        ("typing", _) => (Command::Typing, 0),
        ("read" | "delivered", []) => {
            return Err(UsageError(format!("{name} needs a <message-id>")));
        }
        ("read", [id, ..]) => (Command::Read((*id).to_owned()), 1),
        ("delivered", [id, ..]) => (Command::Delivered((*id).to_owned()), 1),
        ("raw", []) => return Err(UsageError("raw needs a <content-type>".into())),
        ("raw", [content_type, ..]) => {
            let content_type = ContentType::from_str(content_type).map_err(|_| {
                let allowed: Vec<&str> = ContentType::ALL.iter().map(|t| t.as_str()).collect();
                UsageError(format!(
                    "unknown content type {}, expected one of: {}",
                    describe(content_type),
                    allowed.join(", ")
                ))
            })?;
            let content = rest.get(1).map(|c| (*c).to_owned());
            (
                Command::Raw {
                    content_type,
                    content,
                },
                2,
            )
        }
        _ => {
            return Err(UsageError(format!(
                "unknown command {}: expected typing, read, delivered or raw",
                describe(name)
            )));
        }
    };
    if rest.len() > max_args {
        let extra = rest.len() - max_args;
        let s = if extra == 1 { "" } else { "s" };
        return Err(UsageError(format!(
            "{extra} unexpected argument{s} after {name} (it takes {})",
            match max_args {
                0 => "none",
                1 => "one: <message-id>",
                _ => "<content-type> [content]",
            }
        )));
    }

    match (&region, &endpoint) {
        (None, None) => {
            return Err(UsageError(
                "give --region <REGION> or --endpoint <URL>".into(),
            ));
        }
        (Some(_), Some(_)) => {
            return Err(UsageError(
                "give --region or --endpoint, not both: the endpoint URL already names \
                 the region"
                    .into(),
            ));
        }
        _ => {}
    }

    Ok(Parsed::Send(Args {
        region,
        endpoint,
        fips,
        dual_stack,
        client_token,
        timeout,
        json,
        command,
    }))
}

/// Where the connection token comes from: the environment variable when set and non-empty,
/// else the first line of standard input.
struct TokenSource<R> {
    env: Option<OsString>,
    stdin: R,
    is_terminal: bool,
    /// The token's text once known, valid or not: the arguments are checked against it,
    /// and everything written is scrubbed of it.
    known: Option<String>,
    /// Standard input was read for the token: a second read would take the second line.
    stdin_read: bool,
}

impl<R: BufRead> TokenSource<R> {
    fn new(env: Option<OsString>, stdin: R, is_terminal: bool) -> Self {
        let env = env.filter(|v| !v.is_empty());
        // From the environment the token is known before any argument is looked at, so
        // that no argument holding it is parsed, validated or echoed.
        let known = env.as_ref().and_then(|v| v.to_str()).map(str::to_owned);
        TokenSource {
            env,
            stdin,
            is_terminal,
            known,
            stdin_read: false,
        }
    }

    /// The token's text and where it was read from; when standard input is a terminal, a
    /// prompt goes to `prompt` first. No message of this function contains the token.
    fn read_text(&mut self, mut prompt: impl Write) -> Result<(String, &'static str), Failure> {
        if let Some(v) = &self.env {
            let v = v
                .to_str()
                .ok_or_else(|| Failure::Token(format!("{TOKEN_VAR} is not valid UTF-8")))?;
            return Ok((v.to_owned(), TOKEN_VAR));
        }
        self.stdin_read = true;
        if self.is_terminal {
            let _ = write!(prompt, "connection token (input is shown): ");
            let _ = prompt.flush();
        }
        let mut line = Vec::new();
        io::Read::take(&mut self.stdin, MAX_TOKEN_LINE)
            .read_until(b'\n', &mut line)
            .map_err(|e| {
                Failure::Token(format!(
                    "cannot read the connection token from standard input: {e}"
                ))
            })?;
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        let v = String::from_utf8(line).map_err(|_| {
            Failure::Token("the connection token on standard input is not valid UTF-8".into())
        })?;
        if v.is_empty() {
            return Err(Failure::Token(format!(
                "no connection token: set {TOKEN_VAR} or pipe the token on standard input"
            )));
        }
        self.known = Some(v.clone());
        Ok((v, "standard input"))
    }

    /// Reads a token piped on standard input that was not read yet, only to know it. A
    /// failure before the token is read may quote a short argument, and a short token
    /// pasted into one would be shown; a pipe costs nothing to read. A terminal is never
    /// asked: nobody should type a secret only to see a usage error.
    fn learn_piped(&mut self) {
        if self.env.is_none() && !self.is_terminal && !self.stdin_read {
            let _ = self.read_text(io::sink());
        }
    }
}

/// The token the service takes, from its text. The message does not contain the token.
fn connection_token(text: String, source: &str) -> Result<ConnectionToken, Failure> {
    ConnectionToken::new(text).map_err(|e| Failure::Token(format!("{e} (read from {source})")))
}

/// How a message names argument `i` (0-based) without showing any of it: as the value of
/// the option it belongs to, else by its position on the command line.
fn argument_name(args: &[String], i: usize) -> String {
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
        if let Some(o) = VALUE_OPTIONS.iter().find(|o| **o == option) {
            return format!("the argument of {o}");
        }
    }
    format!("argument {}", i + 1)
}

/// The runs of [`PIECE`] characters of a secret (all of it when it is shorter), to find
/// any part of it long enough to matter.
struct Pieces<'a> {
    width: usize,
    runs: HashSet<&'a str>,
}

impl<'a> Pieces<'a> {
    fn new(secret: &'a str) -> Pieces<'a> {
        let width = secret.chars().count().min(PIECE);
        Pieces {
            width,
            runs: runs(secret, width).map(|(_, r)| r).collect(),
        }
    }

    /// The pieces of the connection token, or `None` when it is too short to be looked
    /// for inside other text without matching ordinary words.
    fn of_token(token: &'a str) -> Option<Pieces<'a>> {
        (token.chars().count() >= MIN_TOKEN_MATCH).then(|| Pieces::new(token))
    }

    fn found_in(&self, text: &str) -> bool {
        runs(text, self.width).any(|(_, r)| self.runs.contains(r))
    }

    /// Marks the bytes of `text` that belong to a run of the secret.
    fn mark(&self, text: &str, hidden: &mut [bool]) {
        for (start, r) in runs(text, self.width) {
            if self.runs.contains(r) {
                hidden[start..start + r.len()].fill(true);
            }
        }
    }
}

/// Every run of `width` characters of `s`, with its byte offset. A hash lookup per run
/// keeps the search linear, however long the token and the arguments.
fn runs(s: &str, width: usize) -> impl Iterator<Item = (usize, &str)> {
    let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    let chars = bounds.len() - 1;
    let count = if width == 0 || width > chars {
        0
    } else {
        chars - width + 1
    };
    (0..count).map(move |i| (bounds[i], &s[bounds[i]..bounds[i + width]]))
}

/// Refuses the first argument that holds the connection token: one that equals it, or,
/// for a token of [`MIN_TOKEN_MATCH`] characters or more, one that shares a run of
/// [`PIECE`] characters with it (so contains it, or a part of it cut short). Such an
/// argument is a paste in the wrong place; sending it would put the token in a host name
/// looked up in DNS or in an event the other participants see, and echoing it would put it
/// in a log. The message names the argument and shows nothing of it.
fn check_args(args: &[String], token: &str) -> Result<(), Failure> {
    let pieces = Pieces::of_token(token);
    let holds = |a: &String| a == token || pieces.as_ref().is_some_and(|p| p.found_in(a));
    match args.iter().position(holds) {
        None => Ok(()),
        Some(i) => Err(Failure::Token(format!(
            "{} holds the connection token; it was neither sent nor shown",
            argument_name(args, i)
        ))),
    }
}

/// Sends the event and returns what to print on standard output.
fn run<R: BufRead>(
    args: &Args,
    argv: &[String],
    source: &mut TokenSource<R>,
    prompt: impl Write,
) -> Result<String, Failure> {
    let mut request = args.command.request();
    if let Some(t) = &args.client_token {
        request = request.with_client_token(t.clone());
    }
    // Refuse bad input and configuration before asking for the token: nobody should paste
    // a secret only to learn that the message id was empty.
    request.validate()?;
    let mut builder = Client::builder()
        .fips(args.fips)
        .dual_stack(args.dual_stack);
    if let Some(r) = &args.region {
        builder = builder.region(r.clone());
    }
    if let Some(u) = &args.endpoint {
        builder = builder.endpoint_url(u.clone());
    }
    if let Some(t) = args.timeout {
        builder = builder.timeout(t);
    }
    let client = builder.build()?;

    let (text, from) = source.read_text(prompt)?;
    // Right after the token is read, before anything is sent: a token read from standard
    // input could not be looked for earlier.
    check_args(argv, &text)?;
    let token = connection_token(text, from)?;
    let out = client.send_event(&token, &request)?;
    Ok(if args.json {
        json_line(&out)
    } else {
        human_line(args.command.label(), &out)
    })
}

/// The whole utility but for the process's own arguments, environment and output streams.
fn execute<R: BufRead>(
    args: &[String],
    source: &mut TokenSource<R>,
    prompt: impl Write,
) -> Result<String, Failure> {
    let result = parse_and_run(args, source, prompt);
    // Only a token still unknown: a known one was checked before anything could fail.
    if result.is_err() && source.known.is_none() {
        source.learn_piped();
        if let Some(t) = &source.known {
            // As when the token is known first: the refusal wins over the error it hid,
            // which may be about the token's argument and would be scrubbed into nonsense.
            refuse_token_options(args).map_err(Failure::Usage)?;
            check_args(args, t)?;
        }
    }
    result
}

fn parse_and_run<R: BufRead>(
    args: &[String],
    source: &mut TokenSource<R>,
    prompt: impl Write,
) -> Result<String, Failure> {
    if let Some(t) = &source.known {
        // Before anything else reads the arguments. The token-option refusal goes first:
        // it shows nothing either, and says what to do instead.
        refuse_token_options(args).map_err(Failure::Usage)?;
        check_args(args, t)?;
    }
    match parse_args(args).map_err(Failure::Usage)? {
        Parsed::Help => Ok(HELP.to_owned()),
        Parsed::Version => Ok(format!("connect-event {}", env!("CARGO_PKG_VERSION"))),
        Parsed::Send(a) => run(&a, args, source, prompt),
    }
}

/// The last line of defence, over everything written: whatever path a value took into a
/// message, the connection token is replaced by `[redacted]`, and so is, in text from the
/// library or the service (which quote values by their own rules), every argument too long
/// for `describe` to show. This utility's own text is not scrubbed of arguments: it shows
/// them only through `describe`, and its lists of valid values share runs with a long,
/// wrong one.
struct Shield<'a> {
    token: Option<Pieces<'a>>,
    long_args: Vec<Pieces<'a>>,
}

impl<'a> Shield<'a> {
    fn new(token: Option<&'a str>, args: &'a [String]) -> Shield<'a> {
        let long_args = args
            .iter()
            .map(|a| match a.split_once('=') {
                // An option's value is the argument `describe` would measure.
                Some((name, value)) if name.starts_with("--") => value,
                _ => a.as_str(),
            })
            .filter(|a| a.chars().count() > SHOWN_MAX)
            .map(Pieces::new)
            .collect();
        Shield {
            token: token.and_then(Pieces::of_token),
            long_args,
        }
    }

    /// `text` scrubbed of the token.
    fn own(&self, text: &str) -> String {
        redact(text, self.token.iter())
    }

    /// `text` from the library or the service, scrubbed of the token and long arguments.
    fn foreign(&self, text: &str) -> String {
        redact(text, self.token.iter().chain(&self.long_args))
    }

    /// The lines for standard error.
    fn report(&self, failure: &Failure) -> String {
        match failure {
            Failure::Library(_) => self.foreign(&failure.report()),
            _ => self.own(&failure.report()),
        }
    }
}

/// `text` with every run it shares with one of `secrets` replaced by `[redacted]`.
fn redact<'a>(text: &str, secrets: impl Iterator<Item = &'a Pieces<'a>>) -> String {
    let mut hidden = vec![false; text.len()];
    for p in secrets {
        p.mark(text, &mut hidden);
    }
    let mut out = String::with_capacity(text.len());
    let mut in_run = false;
    for (i, c) in text.char_indices() {
        if !hidden[i] {
            out.push(c);
        } else if !in_run {
            out.push_str("[redacted]");
        }
        in_run = hidden[i];
    }
    out
}

fn main() -> ExitCode {
    let args: Option<Vec<String>> = std::env::args_os()
        .skip(1)
        .map(OsString::into_string)
        .collect::<Result<_, _>>()
        .ok();
    let stdin = io::stdin();
    let is_terminal = stdin.is_terminal();
    let mut source = TokenSource::new(std::env::var_os(TOKEN_VAR), stdin.lock(), is_terminal);
    let outcome = match &args {
        None => Err(Failure::Usage(UsageError(
            "arguments must be valid UTF-8".into(),
        ))),
        Some(args) => execute(args, &mut source, io::stderr()),
    };
    let shield = Shield::new(source.known.as_deref(), args.as_deref().unwrap_or_default());
    // Write errors (a closed pipe, say) are ignored: the exit status still tells.
    match outcome {
        Ok(text) => {
            // The service's answer too: a server that echoes the token must not get it
            // into a log. (Not scrubbed of long arguments: help and labels are this
            // utility's own text, which a long argument may share runs with.)
            let text = shield.own(&text);
            let _ = writeln!(io::stdout(), "{}", text.trim_end_matches('\n'));
            ExitCode::from(EXIT_OK)
        }
        Err(failure) => {
            let _ = io::stderr().write_all(shield.report(&failure).as_bytes());
            ExitCode::from(failure.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Parsed, UsageError> {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        parse_args(&args)
    }

    fn send(args: &[&str]) -> Args {
        match parse(args) {
            Ok(Parsed::Send(a)) => a,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    fn usage_error(args: &[&str]) -> String {
        match parse(args) {
            Err(UsageError(m)) => m,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    #[test]
    fn commands_parse_with_options_before_and_after() {
        let a = send(&["--region", "us-west-2", "typing"]);
        assert_eq!(a.command, Command::Typing);
        assert_eq!(a.region.as_deref(), Some("us-west-2"));
        assert!(!a.json && !a.fips && !a.dual_stack);

        let a = send(&["read", "m-1", "--json", "--region=eu-central-1", "--fips"]);
        assert_eq!(a.command, Command::Read("m-1".into()));
        assert!(a.json && a.fips);
        assert_eq!(a.region.as_deref(), Some("eu-central-1"));

        let a = send(&["--endpoint", "http://127.0.0.1:1", "delivered", "m-2"]);
        assert_eq!(a.command, Command::Delivered("m-2".into()));
        assert_eq!(a.endpoint.as_deref(), Some("http://127.0.0.1:1"));

        let a = send(&[
            "--region",
            "us-east-1",
            "--dual-stack",
            "--client-token",
            "ct-1",
            "raw",
            "application/vnd.amazonaws.connect.event.message.read",
            r#"{"messageId":"x"}"#,
        ]);
        assert_eq!(
            a.command,
            Command::Raw {
                content_type: ContentType::MessageRead,
                content: Some(r#"{"messageId":"x"}"#.into()),
            }
        );
        assert!(a.dual_stack);
        assert_eq!(a.client_token.as_deref(), Some("ct-1"));

        let a = send(&[
            "--region",
            "us-east-1",
            "raw",
            "application/vnd.amazonaws.connect.event.typing",
        ]);
        assert_eq!(
            a.command,
            Command::Raw {
                content_type: ContentType::Typing,
                content: None,
            }
        );
    }

    #[test]
    fn double_dash_ends_options() {
        let a = send(&["--region", "us-east-1", "--", "read", "--json"]);
        assert_eq!(a.command, Command::Read("--json".into()));
        assert!(!a.json);
        let a = send(&["--region", "us-east-1", "read", "--", "-5"]);
        assert_eq!(a.command, Command::Read("-5".into()));
        // After `--`, even --help is a plain argument.
        let a = send(&["--region", "us-east-1", "read", "--", "--help"]);
        assert_eq!(a.command, Command::Read("--help".into()));
    }

    #[test]
    fn help_and_version_win_anywhere_before_double_dash() {
        assert_eq!(parse(&["--help"]), Ok(Parsed::Help));
        assert_eq!(parse(&["-h"]), Ok(Parsed::Help));
        assert_eq!(parse(&["typing", "--bogus", "--help"]), Ok(Parsed::Help));
        assert_eq!(parse(&["--version"]), Ok(Parsed::Version));
    }

    #[test]
    fn token_options_are_refused_whatever_their_form() {
        for args in [
            &["--token", "x", "typing"][..],
            &["--token=x", "typing"],
            &["--connection-token", "x", "typing"],
            &["--connection_token=x"],
            &["--bearer", "x"],
            &["--Bearer=x", "--help"],
            &["--x-amz-bearer=x"],
            &["--region", "us-east-1", "typing", "--token"],
        ] {
            let m = usage_error(args);
            assert_eq!(
                m,
                "the connection token is not taken from the command line, because arguments \
                 are visible to every user of the machine (ps, /proc); set \
                 CONNECT_CONNECTION_TOKEN or pipe it on standard input",
                "{args:?}"
            );
        }
        // --client-token is the idempotency token, not the secret.
        assert!(!is_token_option("--client-token"));
        assert!(!is_token_option("token"));
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "no command: give typing, read, delivered or raw"),
            (
                &["--region", "r"],
                "no command: give typing, read, delivered or raw",
            ),
            (
                &["--region", "r", "tpying"],
                "unknown command \"tpying\": expected typing, read, delivered or raw",
            ),
            (
                &["--region", "r", "--bogus", "typing"],
                "unknown option \"--bogus\"",
            ),
            (
                &["--region", "r", "--bogus=1", "typing"],
                "unknown option \"--bogus\"",
            ),
            (&["--region", "r", "-x", "typing"], "unknown option \"-x\""),
            (&["--region", "r", "read"], "read needs a <message-id>"),
            (
                &["--region", "r", "delivered"],
                "delivered needs a <message-id>",
            ),
            (&["--region", "r", "raw"], "raw needs a <content-type>"),
            (
                &["--region", "r", "typing", "x"],
                "1 unexpected argument after typing (it takes none)",
            ),
            (
                &["--region", "r", "read", "a", "b", "c"],
                "2 unexpected arguments after read (it takes one: <message-id>)",
            ),
            (
                &[
                    "--region",
                    "r",
                    "raw",
                    "application/vnd.amazonaws.connect.event.typing",
                    "a",
                    "b",
                ],
                "1 unexpected argument after raw (it takes <content-type> [content])",
            ),
            (&["typing"], "give --region <REGION> or --endpoint <URL>"),
            (
                &["--region", "r", "--endpoint", "http://x", "typing"],
                "give --region or --endpoint, not both: the endpoint URL already names the \
                 region",
            ),
            (
                &["--region", "typing"],
                "no command: give typing, read, delivered or raw",
            ),
            (&["typing", "--region"], "--region needs a value"),
            (
                &["--client-token", "--json", "typing"],
                "--client-token needs a value",
            ),
            (&["--json=yes", "typing"], "--json takes no value"),
            (
                &["--region", "a", "--region", "b", "typing"],
                "--region is given more than once",
            ),
            (
                &["--fips", "--fips", "typing"],
                "--fips is given more than once",
            ),
        ];
        for (args, want) in cases {
            assert_eq!(usage_error(args), *want, "{args:?}");
        }
    }

    #[test]
    fn unknown_content_type_lists_the_allowed_values() {
        let m = usage_error(&["--region", "r", "raw", "text/plain"]);
        assert_eq!(
            m,
            "unknown content type \"text/plain\", expected one of: \
             application/vnd.amazonaws.connect.event.typing, \
             application/vnd.amazonaws.connect.event.message.delivered, \
             application/vnd.amazonaws.connect.event.message.read, \
             application/vnd.amazonaws.connect.event.connection.acknowledged"
        );
    }

    #[test]
    fn long_arguments_are_not_echoed() {
        let secret = "S".repeat(300);
        let m = usage_error(&["--region", "r", &secret]);
        assert_eq!(
            m,
            "unknown command an argument of 300 characters (not shown): expected typing, \
             read, delivered or raw"
        );
        let m = usage_error(&["--region", "r", "raw", &secret]);
        assert!(!m.contains("SSS"), "{m}");
        assert_eq!(describe("a\"b\n"), r#""a\"b\n""#);
    }

    #[test]
    fn every_echoed_argument_follows_one_length_rule() {
        // 65 characters: over the limit, and under the 80 once used by `describe` alone.
        let long = format!("x{}", "S".repeat(SHOWN_MAX));
        let measured = format!("an argument of {} characters (not shown)", SHOWN_MAX + 1);
        let long_option = format!("--{}", "o".repeat(SHOWN_MAX - 1));
        let long_option_eq = format!("{long_option}=1");
        let timeout_eq = format!("--timeout={long}");
        let cases: [(&[&str], String); 6] = [
            (
                &["--region", "r", &long],
                format!("unknown command {measured}: expected typing, read, delivered or raw"),
            ),
            (
                &["--region", "r", &long_option, "typing"],
                format!("unknown option {measured}"),
            ),
            (
                &["--region", "r", &long_option_eq, "typing"],
                format!("unknown option {measured}"),
            ),
            (
                &["--region", "r", "--timeout", &long, "typing"],
                format!(
                    "--timeout needs a number of seconds from 0.001 to 3600, such as 2.5; got {measured}"
                ),
            ),
            (
                &["--region", "r", &timeout_eq, "typing"],
                format!(
                    "--timeout needs a number of seconds from 0.001 to 3600, such as 2.5; got {measured}"
                ),
            ),
            (
                &["--region", "r", "raw", &long],
                format!(
                    "unknown content type {measured}, expected one of: {}",
                    ContentType::ALL.map(|t| t.as_str()).join(", ")
                ),
            ),
        ];
        for (args, want) in cases {
            assert_eq!(usage_error(args), want, "{args:?}");
        }
        // At the limit an argument is still shown: typos stay easy to spot.
        let at_limit = "t".repeat(SHOWN_MAX);
        assert_eq!(describe(&at_limit), format!("\"{at_limit}\""));
        assert_eq!(
            usage_error(&["--region", "r", &at_limit]),
            format!("unknown command \"{at_limit}\": expected typing, read, delivered or raw")
        );
        assert!(HELP.contains(&format!("at most {SHOWN_MAX} characters")));
    }

    /// A realistic token: hundreds of base64 characters.
    fn long_token() -> String {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..300usize)
            .map(|i| char::from(alphabet[(i * 37 + i / 7) % 64]))
            .collect()
    }

    const SHORT_TOKEN: &str = "conn-token-12345";

    /// The report of running `args` with `token` in the environment (and nothing on
    /// standard input), as `main` writes it. Never reaches the network: every case here
    /// fails first.
    fn run_with_env(args: &[&str], token: &str) -> (Result<String, String>, u8) {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        let mut source = TokenSource::new(Some(token.into()), &b""[..], false);
        let outcome = execute(&args, &mut source, io::sink());
        let shield = Shield::new(source.known.as_deref(), &args);
        match outcome {
            Ok(text) => (Ok(text), 0),
            Err(f) => (Err(shield.report(&f)), f.exit_code()),
        }
    }

    fn refusal(what: &str) -> String {
        format!("error: {what} holds the connection token; it was neither sent nor shown\n")
    }

    #[test]
    fn arguments_holding_the_token_are_refused_unshown() {
        for token in [long_token(), SHORT_TOKEN.to_owned()] {
            let t = token.as_str();
            let inside = format!("http://{t}.example.com");
            let endpoint_eq = format!("--endpoint={t}");
            let bogus_eq = format!("--bogus={t}");
            let content = format!("{{\"messageId\":\"{t}\"}}");
            let cases: [(&[&str], &str); 12] = [
                (&["--endpoint", t, "typing"], "the argument of --endpoint"),
                (
                    &["--endpoint", &inside, "typing"],
                    "the argument of --endpoint",
                ),
                (&[&endpoint_eq, "typing"], "the argument of --endpoint"),
                (&["--region", t, "typing"], "the argument of --region"),
                (&["typing", "--region", t], "the argument of --region"),
                (
                    &["--region", "r", "--client-token", t, "typing"],
                    "the argument of --client-token",
                ),
                (
                    &["--region", "r", "--timeout", t, "typing"],
                    "the argument of --timeout",
                ),
                (&["--region", "r", "read", t], "argument 4"),
                (&["--region", "r", "raw", READ_TYPE, &content], "argument 5"),
                (&["--region", "r", &bogus_eq, "typing"], "argument 3"),
                (&["--region", "r", "--bogus", t, "typing"], "argument 4"),
                // Even where help would win, and after `--`.
                (&["--help", "--", t], "argument 3"),
            ];
            for (args, what) in cases {
                let (report, code) = run_with_env(args, t);
                assert_eq!(report, Err(refusal(what)), "{args:?}");
                assert_eq!(code, EXIT_USAGE);
            }
            // The option meant for the token keeps its own, more helpful refusal.
            let (report, _) = run_with_env(&["--token", t, "typing"], t);
            let report = report.unwrap_err();
            assert!(
                report.contains("is not taken from the command line"),
                "{report}"
            );
        }
    }

    const READ_TYPE: &str = "application/vnd.amazonaws.connect.event.message.read";

    #[test]
    fn a_piece_of_the_token_counts_a_short_token_only_whole() {
        let token = long_token();
        // Cut short or wrapped in a paste: a run of PIECE characters is enough.
        let piece = &token[100..100 + PIECE];
        assert!(check_args(&[piece.to_owned()], &token).is_err());
        assert!(check_args(&[token[..PIECE - 1].to_owned()], &token).is_ok());
        // Ordinary arguments pass with every token.
        let ordinary: Vec<String> = [
            "--region",
            "us-west-2",
            "--endpoint",
            "http://127.0.0.1:8080",
            "read",
            "11111111-aaaa-bbbb-cccc-EXAMPLE01234",
        ]
        .map(str::to_owned)
        .to_vec();
        for t in [token.as_str(), SHORT_TOKEN, "abc", "12345678"] {
            assert!(check_args(&ordinary, t).is_ok(), "{t}");
        }
        // A token too short to look for inside arguments is refused only when whole.
        let short = ["read".to_owned(), "abc".to_owned()];
        assert_eq!(
            check_args(&short, "abc").unwrap_err().report(),
            refusal("argument 2")
        );
        assert!(check_args(&["xabcx".to_owned()], "abc").is_ok());
        // From 8 characters on, inside too.
        assert!(check_args(&["m-12345678-x".to_owned()], "12345678").is_err());
    }

    #[test]
    fn a_piped_token_is_read_to_check_a_failing_command_line() {
        let fail = |args: &[&str], stdin: &[u8], terminal: bool| {
            let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
            let mut source = TokenSource::new(None, stdin, terminal);
            let mut prompt = Vec::new();
            let f = execute(&args, &mut source, &mut prompt).unwrap_err();
            let shield = Shield::new(source.known.as_deref(), &args);
            (shield.report(&f), source.known, prompt)
        };
        let piped = format!("{SHORT_TOKEN}\n");
        // A usage error that would quote the token: the refusal instead.
        let (report, known, _) = fail(
            &["--region", "r", "--timeout", SHORT_TOKEN, "typing"],
            piped.as_bytes(),
            false,
        );
        assert_eq!(report, refusal("the argument of --timeout"));
        assert_eq!(known.as_deref(), Some(SHORT_TOKEN));
        let (report, ..) = fail(
            &["--endpoint", SHORT_TOKEN, "typing"],
            piped.as_bytes(),
            false,
        );
        assert_eq!(report, refusal("the argument of --endpoint"));
        // Any other error is reported as it was.
        let (report, known, _) = fail(&["--region", "r", "tpying"], piped.as_bytes(), false);
        assert_eq!(
            report,
            "error: unknown command \"tpying\": expected typing, read, delivered or raw\n\
             hint: run 'connect-event --help' for usage\n"
        );
        assert_eq!(known.as_deref(), Some(SHORT_TOKEN));
        // A terminal is neither read nor prompted.
        let (report, known, prompt) = fail(
            &["--region", "r", "--timeout", "x", "typing"],
            piped.as_bytes(),
            true,
        );
        assert!(report.starts_with("error: --timeout needs"), "{report}");
        assert_eq!((known, prompt), (None, Vec::new()));
    }

    #[test]
    fn long_region_or_endpoint_is_measured_not_shown() {
        // The library shows a caller's value by the same 64-character rule as `describe`;
        // at the boundary, both show or both measure (two copies of one rule, kept equal
        // by this test).
        for n in [SHOWN_MAX, SHOWN_MAX + 1] {
            let value = "-".repeat(n);
            let library = connect_participant::Endpoint::from_region(&value)
                .unwrap_err()
                .to_string();
            assert!(
                library.contains(&describe(&value)) == (n <= SHOWN_MAX),
                "{library}"
            );
            assert_eq!(
                library.contains("not shown"),
                describe(&value).contains("not shown")
            );
        }
        let long = format!("us-{}", "w".repeat(SHOWN_MAX));
        let (report, code) = run_with_env(&["--region", &long, "typing"], SHORT_TOKEN);
        assert_eq!(
            report,
            Err(format!(
                "error: invalid region ({} characters, not shown): a region is letters, \
                 digits and inner hyphens, 1 to 63 characters (like us-east-1)\n",
                SHOWN_MAX + 3
            ))
        );
        assert_eq!(code, EXIT_USAGE);
        let url = format!("ftp://{}", "h".repeat(SHOWN_MAX));
        let (report, _) = run_with_env(&["--endpoint", &url, "typing"], SHORT_TOKEN);
        assert_eq!(
            report,
            Err(format!(
                "error: invalid endpoint URL ({} characters, not shown): it must start with \
                 https:// or http://\n",
                SHOWN_MAX + 6
            ))
        );
        // A short one is shown, with the library's precise reason.
        let (report, code) = run_with_env(&["--endpoint", "ftp://h", "typing"], SHORT_TOKEN);
        assert_eq!(
            report,
            Err(
                "error: invalid endpoint URL \"ftp://h\": it must start with https:// or \
                 http://\n"
                    .into()
            )
        );
        assert_eq!(code, EXIT_USAGE);
    }

    #[test]
    fn output_is_scrubbed_of_the_token_and_foreign_text_of_long_arguments() {
        let token = long_token();
        let long_url = format!("http://127.0.0.1:1/{}", "p".repeat(SHOWN_MAX));
        let args = vec!["--endpoint".to_owned(), long_url.clone()];
        let shield = Shield::new(Some(&token), &args);
        let text = format!("a {token} b {} c\n", &token[7..40]);
        assert_eq!(shield.own(&text), "a [redacted] b [redacted] c\n");
        let text = format!("the request to {long_url} failed; token {token}");
        assert_eq!(
            shield.foreign(&text),
            "the request to [redacted] failed; token [redacted]"
        );
        // This utility's own text is not scrubbed of arguments.
        assert_eq!(shield.own(&long_url), long_url);
        // A short token is scrubbed whole; a tiny one is not looked for.
        let shield = Shield::new(Some(SHORT_TOKEN), &[]);
        assert_eq!(
            shield.own(&format!("é{SHORT_TOKEN}é conn-token")),
            "é[redacted]é conn-token"
        );
        let shield = Shield::new(Some("abc"), &[]);
        assert_eq!(shield.own("abc"), "abc");
        // Failures from the library are foreign text.
        let args = vec![format!("--region={}", "r".repeat(SHOWN_MAX + 1))];
        let shield = Shield::new(None, &args);
        // (The library measures a long value itself; this one quotes it in full, as an
        // error from another layer might.)
        let e = connect_participant::Endpoint::from_region("bad region").unwrap_err();
        let text = e
            .to_string()
            .replace("\"bad region\"", &"r".repeat(SHOWN_MAX + 1));
        let report = shield.foreign(&text);
        assert!(
            report.starts_with("invalid region [redacted]: "),
            "{report}"
        );
        assert!(!report.contains("rrrrrrrrrrrrrrrr"), "{report}");
    }

    #[test]
    fn arguments_are_named_by_option_or_position() {
        let args: Vec<String> = [
            "--region",
            "r",
            "--timeout=1",
            "--json",
            "x",
            "--bogus=1",
            "--",
            "--endpoint=y",
            "z",
        ]
        .map(str::to_owned)
        .to_vec();
        let names: Vec<String> = (0..args.len()).map(|i| argument_name(&args, i)).collect();
        assert_eq!(
            names,
            [
                "argument 1",
                "the argument of --region",
                "the argument of --timeout",
                "argument 4",
                "argument 5",
                "argument 6",
                "argument 7",
                "argument 8",
                "argument 9",
            ]
        );
    }

    #[test]
    fn timeout_takes_positive_decimal_seconds() {
        assert_eq!(parse_timeout("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(parse_timeout("1"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_timeout("0.05"), Ok(Duration::from_millis(50)));
        assert_eq!(parse_timeout("3600"), Ok(Duration::from_secs(3600)));
        for bad in [
            "0", "0.0", "-1", "-0.5", "abc", "", "2s", " 2", "inf", "NaN", "3600.5", "1e-12",
            "0.0009",
        ] {
            let e = parse_timeout(bad).unwrap_err();
            assert!(
                e.0.starts_with("--timeout needs a number of seconds"),
                "{bad}: {e:?}"
            );
        }
        let a = send(&["--region", "r", "--timeout=0.25", "typing"]);
        assert_eq!(a.timeout, Some(Duration::from_millis(250)));
    }

    #[test]
    fn exit_codes_follow_the_error_kind() {
        assert_eq!(exit_code(ErrorKind::InvalidInput), 2);
        assert_eq!(exit_code(ErrorKind::InvalidConfig), 2);
        for kind in [
            ErrorKind::Validation,
            ErrorKind::AccessDenied,
            ErrorKind::Conflict,
            ErrorKind::Throttling,
            ErrorKind::InternalServer,
            ErrorKind::UnknownService,
            ErrorKind::UnexpectedStatus,
            ErrorKind::Redirect,
            ErrorKind::InvalidResponse,
        ] {
            assert_eq!(exit_code(kind), 3, "{kind:?}");
        }
        for kind in [
            ErrorKind::Transport,
            ErrorKind::Timeout,
            ErrorKind::RandomSource,
        ] {
            assert_eq!(exit_code(kind), 4, "{kind:?}");
        }
        assert_eq!(Failure::Usage(UsageError("x".into())).exit_code(), 2);
        assert_eq!(Failure::Token("x".into()).exit_code(), 2);
    }

    #[test]
    fn output_lines_leave_out_what_was_not_answered() {
        let mut out = SendEventOutput::default();
        assert_eq!(human_line("typing", &out), "sent typing");
        assert_eq!(json_line(&out), r#"{"Id":null,"AbsoluteTime":null}"#);
        out.absolute_time = connect_participant::Timestamp::parse("2019-11-08T02:41:28.172Z").ok();
        assert_eq!(
            human_line("typing", &out),
            "sent typing: at 2019-11-08T02:41:28.172Z"
        );
        out.id = Some("id-\"1\"\u{1b}[2J".into());
        assert_eq!(
            human_line("read receipt", &out),
            "sent read receipt: Id id-\"1\"\u{fffd}[2J at 2019-11-08T02:41:28.172Z"
        );
        assert_eq!(
            json_line(&out),
            r#"{"Id":"id-\"1\"\u001b[2J","AbsoluteTime":"2019-11-08T02:41:28.172Z"}"#
        );
    }

    #[test]
    fn usage_report_points_to_help() {
        let f = Failure::Usage(UsageError("no command".into()));
        assert_eq!(
            f.report(),
            "error: no command\nhint: run 'connect-event --help' for usage\n"
        );
        let e = ConnectionToken::new("").unwrap_err();
        assert_eq!(
            error_report(&e),
            "error: invalid ConnectionToken: 0 characters, must be 1 to 1000\n"
        );
    }

    #[test]
    fn token_comes_from_env_first_then_first_line_of_stdin() {
        let ok = |env: Option<&str>, stdin: &[u8], terminal: bool| {
            let mut prompt = Vec::new();
            let mut source = TokenSource::new(env.map(OsString::from), stdin, terminal);
            let t = source
                .read_text(&mut prompt)
                .and_then(|(t, from)| connection_token(t, from))
                .map(|t| t.expose_secret().to_owned())
                .map_err(|f| f.report());
            (t, String::from_utf8(prompt).unwrap())
        };
        assert_eq!(
            ok(Some("env-tok"), b"stdin-tok\n", true),
            (Ok("env-tok".into()), String::new())
        );
        assert_eq!(
            ok(Some(""), b"stdin-tok\r\n", false),
            (Ok("stdin-tok".into()), String::new())
        );
        assert_eq!(
            ok(None, b"stdin-tok\nsecond\n", false),
            (Ok("stdin-tok".into()), String::new())
        );
        assert_eq!(
            ok(None, b"stdin-tok", false),
            (Ok("stdin-tok".into()), String::new())
        );
        assert_eq!(
            ok(None, b"stdin-tok\n", true),
            (
                Ok("stdin-tok".into()),
                "connection token (input is shown): ".into()
            )
        );
        let missing = "error: no connection token: set CONNECT_CONNECTION_TOKEN or pipe the token on \
             standard input\n";
        assert_eq!(ok(None, b"", false).0, Err(missing.into()));
        assert_eq!(ok(Some(""), b"\r\n", false).0, Err(missing.into()));
        assert_eq!(
            ok(None, b"not UTF-8 \xff\n", false).0,
            Err("error: the connection token on standard input is not valid UTF-8\n".into())
        );
        let (e, _) = ok(None, b"two words\n", false);
        assert_eq!(
            e,
            Err(
                "error: invalid ConnectionToken: character 4 cannot be sent in an HTTP header \
                 (only visible ASCII is allowed) (read from standard input)\n"
                    .into()
            )
        );
    }

    #[test]
    fn help_names_every_command_option_and_exit_status() {
        for word in [
            "typing",
            "read <message-id>",
            "delivered <message-id>",
            "raw <content-type> [content]",
            "--region",
            "--endpoint",
            "--fips",
            "--dual-stack",
            "--client-token",
            "--timeout",
            "--json",
            "--help",
            "-h,",
            "--version",
            TOKEN_VAR,
            "Exit status",
            "Examples",
        ] {
            assert!(HELP.contains(word), "{word}");
        }
        for t in ContentType::ALL {
            assert!(HELP.contains(t.as_str()), "{t}");
        }
        // Every line fits an 80-column terminal.
        for line in HELP.lines() {
            assert!(line.chars().count() <= 80, "{line}");
        }
    }
}
