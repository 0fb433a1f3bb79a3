//! Parsing the command line: pure functions from the arguments to what to run, each value
//! checked that can be checked without the network. The library's own checks (limits,
//! endpoints) run later, in `commands`, before any token is read.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use connect_participant::__cli::quoted;
use connect_participant::{
    ATTACHMENT_TYPES, CancelParticipantAuthenticationRequest, ClientBuilder, ConnectionType,
    ContentDisposition, ContentType, CreateParticipantConnectionRequest, DescribeViewRequest,
    DisconnectParticipantRequest, GetAttachmentRequest, GetAuthenticationUrlRequest,
    GetTranscriptRequest, ScanDirection, SendEventRequest, SendMessageRequest, SortOrder,
    StartPosition, Timestamp, UploadAttachmentRequest, attachment_content_type,
};

/// The program's name, as messages and help give it.
pub const PROGRAM: &str = "connect-participant";

/// Where the participant token is looked up first.
pub const PARTICIPANT_TOKEN_VAR: &str = "CONNECT_PARTICIPANT_TOKEN";
/// Where the connection token is looked up first.
pub const CONNECTION_TOKEN_VAR: &str = "CONNECT_CONNECTION_TOKEN";

/// The two bearer tokens of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// From StartChatContact; only CreateParticipantConnection (and `watch`, which calls
    /// it) takes it.
    Participant,
    /// From CreateParticipantConnection; every other operation takes it.
    Connection,
}

impl TokenKind {
    /// `participant token` or `connection token`.
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::Participant => "participant token",
            TokenKind::Connection => "connection token",
        }
    }

    /// The environment variable it is read from.
    pub fn var(self) -> &'static str {
        match self {
            TokenKind::Participant => PARTICIPANT_TOKEN_VAR,
            TokenKind::Connection => CONNECTION_TOKEN_VAR,
        }
    }
}

/// The commands, as they are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    CreateParticipantConnection,
    SendMessage,
    SendEvent,
    GetTranscript,
    DisconnectParticipant,
    UploadAttachment,
    GetAttachment,
    DescribeView,
    GetAuthenticationUrl,
    CancelParticipantAuthentication,
    Typing,
    Read,
    Delivered,
    Watch,
    Emulator,
}

impl Name {
    pub const ALL: [Name; 15] = [
        Name::CreateParticipantConnection,
        Name::SendMessage,
        Name::SendEvent,
        Name::GetTranscript,
        Name::DisconnectParticipant,
        Name::UploadAttachment,
        Name::GetAttachment,
        Name::DescribeView,
        Name::GetAuthenticationUrl,
        Name::CancelParticipantAuthentication,
        Name::Typing,
        Name::Read,
        Name::Delivered,
        Name::Watch,
        Name::Emulator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Name::CreateParticipantConnection => "create-participant-connection",
            Name::SendMessage => "send-message",
            Name::SendEvent => "send-event",
            Name::GetTranscript => "get-transcript",
            Name::DisconnectParticipant => "disconnect-participant",
            Name::UploadAttachment => "upload-attachment",
            Name::GetAttachment => "get-attachment",
            Name::DescribeView => "describe-view",
            Name::GetAuthenticationUrl => "get-authentication-url",
            Name::CancelParticipantAuthentication => "cancel-participant-authentication",
            Name::Typing => "typing",
            Name::Read => "read",
            Name::Delivered => "delivered",
            Name::Watch => "watch",
            Name::Emulator => "emulator",
        }
    }

    pub fn parse(s: &str) -> Option<Name> {
        Name::ALL.into_iter().find(|n| n.as_str() == s)
    }

    /// The token the command sends, if any.
    pub fn token(self) -> Option<TokenKind> {
        match self {
            // watch connects as the participant, as create-participant-connection does.
            Name::CreateParticipantConnection | Name::Watch => Some(TokenKind::Participant),
            Name::Emulator => None,
            _ => Some(TokenKind::Connection),
        }
    }

    /// The options of this command beyond the service options every operation takes.
    fn options(self) -> &'static [&'static str] {
        match self {
            Name::CreateParticipantConnection => &[
                "--type",
                "--connect-participant",
                "--no-connect-participant",
            ],
            Name::SendMessage | Name::SendEvent => {
                &["--content", "--content-type", "--client-token"]
            }
            Name::GetTranscript => &[
                "--contact-id",
                "--max-results",
                "--next-token",
                "--scan-direction",
                "--sort-order",
                "--start-position",
                "--no-paginate",
            ],
            Name::DisconnectParticipant | Name::Typing | Name::Read | Name::Delivered => {
                &["--client-token"]
            }
            Name::UploadAttachment => &["--content-type"],
            Name::GetAttachment => &[
                "--attachment-id",
                "--output-file",
                "--url-expiry-in-seconds",
                "--url-content-disposition",
            ],
            Name::DescribeView => &["--view-token"],
            Name::GetAuthenticationUrl => &["--session-id", "--redirect-uri"],
            Name::CancelParticipantAuthentication => &["--session-id"],
            Name::Watch => &["--history"],
            Name::Emulator => &["--port"],
        }
    }

    /// The one positional argument the command takes, if any, as help names it.
    fn positional(self) -> Option<&'static str> {
        match self {
            Name::Read | Name::Delivered => Some("<message-id>"),
            Name::UploadAttachment => Some("<FILE>"),
            _ => None,
        }
    }

    /// Does it take `option` (a canonical name)?
    fn takes(self, option: &str) -> bool {
        match self {
            // The emulator is not a call to the service.
            Name::Emulator => self.options().contains(&option),
            _ => SERVICE_OPTIONS.contains(&option) || self.options().contains(&option),
        }
    }
}

/// The options every operation command takes.
const SERVICE_OPTIONS: [&str; 7] = [
    "--region",
    "--endpoint-url",
    "--fips",
    "--dual-stack",
    "--timeout",
    "--output",
    "--json",
];

/// How many values an option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arity {
    Flag,
    One,
    /// One or more: the following arguments up to the next option or command name, as the
    /// AWS CLI takes a list (`--type WEBSOCKET CONNECTION_CREDENTIALS`).
    Many,
}

/// Every option: the name as typed, the canonical name, and its arity.
const OPTIONS: &[(&str, &str, Arity)] = &[
    ("--region", "--region", Arity::One),
    ("--endpoint-url", "--endpoint-url", Arity::One),
    // Today's name, kept working.
    ("--endpoint", "--endpoint-url", Arity::One),
    ("--fips", "--fips", Arity::Flag),
    ("--dual-stack", "--dual-stack", Arity::Flag),
    ("--timeout", "--timeout", Arity::One),
    ("--output", "--output", Arity::One),
    ("--json", "--json", Arity::Flag),
    ("--client-token", "--client-token", Arity::One),
    ("--content", "--content", Arity::One),
    ("--content-type", "--content-type", Arity::One),
    ("--type", "--type", Arity::Many),
    (
        "--connect-participant",
        "--connect-participant",
        Arity::Flag,
    ),
    (
        "--no-connect-participant",
        "--no-connect-participant",
        Arity::Flag,
    ),
    ("--contact-id", "--contact-id", Arity::One),
    ("--max-results", "--max-results", Arity::One),
    ("--next-token", "--next-token", Arity::One),
    ("--scan-direction", "--scan-direction", Arity::One),
    ("--sort-order", "--sort-order", Arity::One),
    ("--start-position", "--start-position", Arity::One),
    ("--no-paginate", "--no-paginate", Arity::Flag),
    ("--port", "--port", Arity::One),
    ("--history", "--history", Arity::Flag),
    ("--attachment-id", "--attachment-id", Arity::One),
    ("--output-file", "--output-file", Arity::One),
    (
        "--url-expiry-in-seconds",
        "--url-expiry-in-seconds",
        Arity::One,
    ),
    (
        "--url-content-disposition",
        "--url-content-disposition",
        Arity::One,
    ),
    ("--view-token", "--view-token", Arity::One),
    ("--session-id", "--session-id", Arity::One),
    ("--redirect-uri", "--redirect-uri", Arity::One),
];

/// The options that take a value, spelled as typed: an argument after one of them is its
/// value, and messages may name it.
pub fn value_options() -> impl Iterator<Item = &'static str> {
    OPTIONS
        .iter()
        .filter(|(_, _, a)| *a != Arity::Flag)
        .map(|(n, _, _)| *n)
}

fn option(name: &str) -> Option<(&'static str, Arity)> {
    OPTIONS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, c, a)| (*c, *a))
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Help: the program's, or one command's.
    Help(Option<Name>),
    Version,
    /// Boxed: a run's requests are far larger than the other variants.
    Run(Box<Args>),
}

/// A run, fully parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Args {
    pub service: Service,
    pub json: bool,
    pub command: Command,
}

impl Args {
    pub fn name(&self) -> Name {
        self.command.name()
    }
}

/// Where and how to call the service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Service {
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub fips: bool,
    pub dual_stack: bool,
    pub timeout: Option<Duration>,
}

/// A command and its request, as the library takes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    CreateParticipantConnection(CreateParticipantConnectionRequest),
    SendMessage(SendMessageRequest),
    /// `send-event`, `typing`, `read` and `delivered`.
    SendEvent(Name, SendEventRequest),
    GetTranscript {
        request: GetTranscriptRequest,
        /// Follow `NextToken` to the last page (the default), or read one page.
        paginate: bool,
    },
    DisconnectParticipant(DisconnectParticipantRequest),
    /// Upload the file at `path` as an attachment, under the request's name and content
    /// type (the file's name; the type from its extension unless `--content-type`).
    UploadAttachment {
        path: PathBuf,
        request: UploadAttachmentRequest,
    },
    GetAttachment {
        request: GetAttachmentRequest,
        /// Download the attachment to this file instead of printing the answer.
        output_file: Option<PathBuf>,
    },
    DescribeView(DescribeViewRequest),
    GetAuthenticationUrl(GetAuthenticationUrlRequest),
    CancelParticipantAuthentication(CancelParticipantAuthenticationRequest),
    /// Print the chat's events as JSON lines until it ends.
    Watch {
        /// Print the transcript so far first.
        history: bool,
    },
    /// Serve the emulator on this port (0: a free one).
    Emulator {
        port: u16,
    },
}

impl Command {
    pub fn name(&self) -> Name {
        match self {
            Command::CreateParticipantConnection(_) => Name::CreateParticipantConnection,
            Command::SendMessage(_) => Name::SendMessage,
            Command::SendEvent(name, _) => *name,
            Command::GetTranscript { .. } => Name::GetTranscript,
            Command::DisconnectParticipant(_) => Name::DisconnectParticipant,
            Command::UploadAttachment { .. } => Name::UploadAttachment,
            Command::GetAttachment { .. } => Name::GetAttachment,
            Command::DescribeView(_) => Name::DescribeView,
            Command::GetAuthenticationUrl(_) => Name::GetAuthenticationUrl,
            Command::CancelParticipantAuthentication(_) => Name::CancelParticipantAuthentication,
            Command::Watch { .. } => Name::Watch,
            Command::Emulator { .. } => Name::Emulator,
        }
    }
}

/// A bad command line: one line saying what is wrong, and the command whose help the
/// hint names, when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    pub message: String,
    pub command: Option<Name>,
}

impl UsageError {
    pub fn new(message: impl Into<String>) -> UsageError {
        UsageError {
            message: message.into(),
            command: None,
        }
    }

    pub fn of(command: Name, message: impl Into<String>) -> UsageError {
        UsageError {
            message: message.into(),
            command: Some(command),
        }
    }
}

/// True for an option that would carry a token on the command line, and which.
pub fn token_option(arg: &str) -> Option<Option<TokenKind>> {
    let name = arg.strip_prefix("--")?;
    let name = name.split('=').next().unwrap_or_default();
    let name = name.to_ascii_lowercase().replace('_', "-");
    match name.as_str() {
        "participant-token" | "participanttoken" => Some(Some(TokenKind::Participant)),
        "connection-token" | "connectiontoken" => Some(Some(TokenKind::Connection)),
        // Which token depends on the command.
        "token" | "bearer" | "x-amz-bearer" => Some(None),
        _ => None,
    }
}

/// The token the command on this line sends, guessed without parsing it (which may fail):
/// the participant token for `create-participant-connection` and `watch`, none for
/// `emulator`, else the connection token.
pub fn guess_token_kind(args: &[String]) -> Option<TokenKind> {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    match find_command(&args[..end]) {
        Some(name) => name.token(),
        None => Some(TokenKind::Connection),
    }
}

/// Refuses an option meant to carry a token (`--connection-token`, `--participant-token`,
/// `--token`, `--bearer`...), before `--`. The message shows nothing of the arguments.
pub fn refuse_token_options(args: &[String]) -> Result<(), UsageError> {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let Some(kind) = args[..end].iter().find_map(|a| token_option(a)) else {
        return Ok(());
    };
    let kind = kind
        .or_else(|| guess_token_kind(args))
        .unwrap_or(TokenKind::Connection);
    Err(UsageError::new(format!(
        "the {} is not taken from the command line, because arguments are visible to \
         every user of the machine (ps, /proc); set {} or pipe it on standard input",
        kind.name(),
        kind.var()
    )))
}

/// Parses `--timeout`: seconds, decimals allowed, within the library's range (1 ms to an
/// hour), so that a bad value is refused here, in this program's words.
pub fn parse_timeout(value: &str) -> Result<Duration, UsageError> {
    let (min, max) = (ClientBuilder::MIN_TIMEOUT, ClientBuilder::MAX_TIMEOUT);
    let bad = || {
        UsageError::new(format!(
            "--timeout needs a number of seconds from {} to {}, such as 2.5; got {}",
            min.as_secs_f64(),
            max.as_secs_f64(),
            quoted(value)
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

/// The command named by the first argument before `--` that is a command name and not an
/// option's value: what `--help` gives help for, even on a broken line.
fn find_command(options: &[String]) -> Option<Name> {
    let mut i = 0;
    while i < options.len() {
        let arg = options[i].as_str();
        i += 1;
        if let Some(name) = Name::parse(arg) {
            return Some(name);
        }
        if arg.contains('=') {
            continue;
        }
        match option(arg) {
            Some((_, Arity::One)) => i += 1,
            Some((_, Arity::Many)) => {
                while i < options.len()
                    && !options[i].starts_with('-')
                    && Name::parse(&options[i]).is_none()
                {
                    i += 1;
                }
            }
            _ => {}
        }
    }
    None
}

/// The options as given: the canonical name, each value, and the name as typed.
#[derive(Debug, Default)]
struct Given<'a> {
    options: Vec<(&'static str, Vec<&'a str>, &'a str)>,
}

impl<'a> Given<'a> {
    fn has(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _, _)| *n == name)
    }

    fn one(&self, name: &str) -> Option<&'a str> {
        self.options
            .iter()
            .find(|(n, _, _)| *n == name)
            .and_then(|(_, v, _)| v.first().copied())
    }

    fn many(&self, name: &str) -> Option<&[&'a str]> {
        self.options
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, v, _)| v.as_slice())
    }
}

/// Parses the arguments (without the program name).
pub fn parse_args(args: &[String]) -> Result<Parsed, UsageError> {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let options = &args[..end];
    // Checked first, before any other error can hide it, and whatever else is wrong.
    refuse_token_options(args)?;
    // --help and --version win wherever they stand, so that they work on a broken line.
    if options.iter().any(|a| a == "--help" || a == "-h") {
        return Ok(Parsed::Help(find_command(options)));
    }
    if options.first().is_some_and(|a| a == "help") {
        return Ok(Parsed::Help(options.get(1).and_then(|a| Name::parse(a))));
    }
    if options.iter().any(|a| a == "--version") {
        return Ok(Parsed::Version);
    }

    let mut given = Given::default();
    let mut positional: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < options.len() {
        let arg = options[i].as_str();
        i += 1;
        if !arg.starts_with('-') || arg == "-" {
            positional.push(arg);
            continue;
        }
        let (typed, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (arg, None),
        };
        let Some((name, arity)) = option(typed) else {
            return Err(UsageError::new(format!("unknown option {}", quoted(typed))));
        };
        if given.has(name) {
            return Err(UsageError::new(format!("{typed} is given more than once")));
        }
        let mut values = Vec::new();
        match (arity, inline) {
            (Arity::Flag, Some(_)) => {
                return Err(UsageError::new(format!("{typed} takes no value")));
            }
            (Arity::Flag, None) => {}
            (_, Some(v)) => values.push(v),
            // A following option is not a value: `--client-token --json` is a mistake, and
            // taking "--json" as the token would hide it. `--client-token=--json` is
            // explicit.
            (_, None) => match options.get(i) {
                Some(v) if !v.starts_with("--") => {
                    values.push(v.as_str());
                    i += 1;
                }
                _ => return Err(UsageError::new(format!("{typed} needs a value"))),
            },
        }
        if arity == Arity::Many && inline.is_none() {
            while let Some(v) = options.get(i) {
                if v.starts_with('-') || Name::parse(v).is_some() {
                    break;
                }
                values.push(v.as_str());
                i += 1;
            }
        }
        given.options.push((name, values, typed));
    }
    positional.extend(args.iter().skip(end + 1).map(String::as_str));

    let commands = || {
        Name::ALL
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((&first, rest)) = positional.split_first() else {
        return Err(UsageError::new(format!(
            "no command: give one of {}",
            commands()
        )));
    };
    let Some(name) = Name::parse(first) else {
        return Err(UsageError::new(format!(
            "unknown command {}: expected one of {}",
            quoted(first),
            commands()
        )));
    };
    if let Some((_, _, typed)) = given.options.iter().find(|(n, _, _)| !name.takes(n)) {
        return Err(UsageError::of(
            name,
            format!("{typed} is not an option of {}", name.as_str()),
        ));
    }
    let max_args = usize::from(name.positional().is_some());
    if rest.len() > max_args {
        let extra = rest.len() - max_args;
        let s = if extra == 1 { "" } else { "s" };
        return Err(UsageError::of(
            name,
            format!(
                "{extra} unexpected argument{s} after {} (it takes {})",
                name.as_str(),
                match name.positional() {
                    None => "none: every value goes with an option".to_owned(),
                    Some(p) => format!("one: {p}"),
                }
            ),
        ));
    }

    let command = command(name, rest.first().copied(), &given)?;
    let json = match (given.one("--output"), given.has("--json")) {
        (Some(_), true) => {
            return Err(UsageError::of(
                name,
                "give --output json or --json, not both",
            ));
        }
        (Some("json"), false) | (None, true) => true,
        (None, false) => false,
        (Some(other), false) => {
            return Err(UsageError::of(
                name,
                format!(
                    "--output takes json, not {} (without --output, the output is for people)",
                    quoted(other)
                ),
            ));
        }
    };
    let service = Service {
        region: given.one("--region").map(str::to_owned),
        endpoint: given.one("--endpoint-url").map(str::to_owned),
        fips: given.has("--fips"),
        dual_stack: given.has("--dual-stack"),
        timeout: given.one("--timeout").map(parse_timeout).transpose()?,
    };
    // Neither is fine here: the environment may name the region or endpoint URL (checked
    // when the client is built, `commands::NO_DESTINATION`).
    if name != Name::Emulator && service.region.is_some() && service.endpoint.is_some() {
        return Err(UsageError::of(
            name,
            "give --region or --endpoint-url, not both: the endpoint URL already names the \
             region",
        ));
    }
    Ok(Parsed::Run(Box::new(Args {
        service,
        json,
        command,
    })))
}

/// The command's request, from its options and its one positional argument.
fn command(name: Name, arg: Option<&str>, given: &Given<'_>) -> Result<Command, UsageError> {
    let usage = |m: String| UsageError::of(name, m);
    let with_client_token = |r: SendEventRequest| match given.one("--client-token") {
        Some(t) => r.with_client_token(t),
        None => r,
    };
    Ok(match name {
        Name::CreateParticipantConnection => {
            // With no --type, what the customer clients ask for.
            let mut r = CreateParticipantConnectionRequest::new();
            if let Some(types) = given.many("--type") {
                r = r.with_types(types.iter().map(|t| ConnectionType::from(*t)));
            }
            match (
                given.has("--connect-participant"),
                given.has("--no-connect-participant"),
            ) {
                (true, true) => {
                    return Err(usage(
                        "give --connect-participant or --no-connect-participant, not both".into(),
                    ));
                }
                (true, false) => r = r.with_connect_participant(true),
                (false, true) => r = r.with_connect_participant(false),
                (false, false) => {}
            }
            Command::CreateParticipantConnection(r)
        }
        Name::SendMessage => {
            let Some(content) = given.one("--content") else {
                return Err(usage("send-message needs --content <TEXT>".into()));
            };
            let content_type = given.one("--content-type").unwrap_or("text/plain");
            let mut r = SendMessageRequest::new(content_type, content);
            if let Some(t) = given.one("--client-token") {
                r = r.with_client_token(t);
            }
            Command::SendMessage(r)
        }
        Name::SendEvent => {
            let Some(content_type) = given.one("--content-type") else {
                return Err(usage("send-event needs --content-type <TYPE>".into()));
            };
            let content_type = ContentType::from_str(content_type).map_err(|_| {
                let allowed: Vec<&str> = ContentType::ALL.iter().map(|t| t.as_str()).collect();
                usage(format!(
                    "unknown content type {}, expected one of: {}",
                    quoted(content_type),
                    allowed.join(", ")
                ))
            })?;
            let mut r = SendEventRequest::new(content_type);
            if let Some(c) = given.one("--content") {
                r = r.with_content(c);
            }
            Command::SendEvent(name, with_client_token(r))
        }
        Name::Typing => Command::SendEvent(name, with_client_token(SendEventRequest::typing())),
        Name::Read | Name::Delivered => {
            let Some(id) = arg else {
                return Err(usage(format!("{} needs a <message-id>", name.as_str())));
            };
            let r = if name == Name::Read {
                SendEventRequest::read(id)
            } else {
                SendEventRequest::delivered(id)
            };
            Command::SendEvent(name, with_client_token(r))
        }
        Name::GetTranscript => {
            let mut r = GetTranscriptRequest::new();
            if let Some(id) = given.one("--contact-id") {
                r = r.with_contact_id(id);
            }
            if let Some(n) = given.one("--max-results") {
                let n = n.parse::<u32>().map_err(|_| {
                    usage(format!(
                        "--max-results needs a whole number from 0 to 100; got {}",
                        quoted(n)
                    ))
                })?;
                r = r.with_max_results(n);
            }
            if let Some(t) = given.one("--next-token") {
                r = r.with_next_token(t);
            }
            if let Some(d) = given.one("--scan-direction") {
                let d = ScanDirection::from_str(d).map_err(|e| usage(e.to_string()))?;
                r = r.with_scan_direction(d);
            }
            if let Some(o) = given.one("--sort-order") {
                let o = SortOrder::from_str(o).map_err(|e| usage(e.to_string()))?;
                r = r.with_sort_order(o);
            }
            if let Some(p) = given.one("--start-position") {
                r = r.with_start_position(start_position(p).map_err(usage)?);
            }
            Command::GetTranscript {
                request: r,
                paginate: !given.has("--no-paginate"),
            }
        }
        Name::DisconnectParticipant => {
            let mut r = DisconnectParticipantRequest::new();
            if let Some(t) = given.one("--client-token") {
                r = r.with_client_token(t);
            }
            Command::DisconnectParticipant(r)
        }
        Name::UploadAttachment => {
            let Some(path) = arg else {
                return Err(usage("upload-attachment needs a <FILE>".into()));
            };
            let Some(file_name) = Path::new(path).file_name().and_then(|n| n.to_str()) else {
                return Err(usage(format!("{} names no file", quoted(path))));
            };
            let mut request = UploadAttachmentRequest::new(file_name);
            match given.one("--content-type") {
                Some(t) => request = request.with_content_type(t),
                // The library would refuse it too, but only once the token is read.
                None if attachment_content_type(file_name).is_none() => {
                    return Err(usage(format!(
                        "{} has no extension the service takes: it takes .{}",
                        quoted(file_name),
                        attachment_extensions().join(", .")
                    )));
                }
                None => {}
            }
            Command::UploadAttachment {
                path: PathBuf::from(path),
                request,
            }
        }
        Name::GetAttachment => {
            let Some(id) = given.one("--attachment-id") else {
                return Err(usage("get-attachment needs --attachment-id <ID>".into()));
            };
            let mut request = GetAttachmentRequest::new(id);
            if let Some(s) = given.one("--url-expiry-in-seconds") {
                let s = s.parse::<u32>().map_err(|_| {
                    usage(format!(
                        "--url-expiry-in-seconds needs a whole number from 5 to 300; got {}",
                        quoted(s)
                    ))
                })?;
                request = request.with_url_expiry_in_seconds(s);
            }
            if let Some(d) = given.one("--url-content-disposition") {
                let d = ContentDisposition::from_str(d).map_err(|e| usage(e.to_string()))?;
                request = request.with_url_content_disposition(d);
            }
            Command::GetAttachment {
                request,
                output_file: given.one("--output-file").map(PathBuf::from),
            }
        }
        Name::DescribeView => {
            let Some(t) = given.one("--view-token") else {
                return Err(usage("describe-view needs --view-token <TOKEN>".into()));
            };
            Command::DescribeView(DescribeViewRequest::new(t))
        }
        Name::GetAuthenticationUrl => {
            let (Some(s), Some(u)) = (given.one("--session-id"), given.one("--redirect-uri"))
            else {
                return Err(usage(
                    "get-authentication-url needs --session-id <ID> and --redirect-uri <URI>"
                        .into(),
                ));
            };
            Command::GetAuthenticationUrl(GetAuthenticationUrlRequest::new(s, u))
        }
        Name::CancelParticipantAuthentication => {
            let Some(s) = given.one("--session-id") else {
                return Err(usage(
                    "cancel-participant-authentication needs --session-id <ID>".into(),
                ));
            };
            Command::CancelParticipantAuthentication(CancelParticipantAuthenticationRequest::new(s))
        }
        Name::Watch => Command::Watch {
            history: given.has("--history"),
        },
        Name::Emulator => {
            let port = match given.one("--port") {
                None => 0,
                Some(p) => p.parse::<u16>().map_err(|_| {
                    usage(format!(
                        "--port needs a port number from 0 to 65535 (0: a free one); got {}",
                        quoted(p)
                    ))
                })?,
            };
            Command::Emulator { port }
        }
    })
}

/// The file extensions the service takes, as the library lists them.
pub fn attachment_extensions() -> Vec<&'static str> {
    ATTACHMENT_TYPES.iter().map(|(e, _)| *e).collect()
}

/// `--start-position` as the AWS CLI takes it: shorthand
/// (`Id=...,AbsoluteTime=...,MostRecent=N`) or JSON (`{"Id":"..."}`).
fn start_position(value: &str) -> Result<StartPosition, String> {
    let members: Vec<(String, String)> = if value.trim_start().starts_with('{') {
        let json: serde_json::Value = serde_json::from_str(value)
            .map_err(|_| "--start-position is not valid JSON".to_owned())?;
        let Some(object) = json.as_object() else {
            return Err("--start-position is not a JSON object".into());
        };
        object
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => Ok((k.clone(), s.clone())),
                serde_json::Value::Number(n) => Ok((k.clone(), n.to_string())),
                _ => Err(format!(
                    "--start-position member {} must be a string or a number",
                    quoted(k)
                )),
            })
            .collect::<Result<_, _>>()?
    } else {
        value
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => Ok((k.to_owned(), v.to_owned())),
                None => Err(format!(
                    "--start-position takes Id=<ID>,AbsoluteTime=<TIME>,MostRecent=<N> or \
                     JSON; got {}",
                    quoted(p)
                )),
            })
            .collect::<Result<_, _>>()?
    };
    let mut position = StartPosition::default();
    for (key, v) in members {
        position = match key.as_str() {
            "Id" => position.with_id(v),
            "AbsoluteTime" => {
                position.with_absolute_time(Timestamp::parse(&v).map_err(|e| e.to_string())?)
            }
            "MostRecent" => position.with_most_recent(v.parse::<u32>().map_err(|_| {
                format!(
                    "--start-position MostRecent needs a whole number from 0 to 100; got {}",
                    quoted(&v)
                )
            })?),
            other => {
                return Err(format!(
                    "--start-position has no member {}: it takes Id, AbsoluteTime and \
                     MostRecent",
                    quoted(other)
                ));
            }
        };
    }
    Ok(position)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Parsed, UsageError> {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        parse_args(&args)
    }

    fn run(args: &[&str]) -> Args {
        match parse(args) {
            Ok(Parsed::Run(a)) => *a,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    fn usage_error(args: &[&str]) -> String {
        match parse(args) {
            Err(e) => e.message,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    const E: &str = "--endpoint-url=http://127.0.0.1:1";

    #[test]
    fn event_commands_parse_with_options_before_and_after() {
        let a = run(&["--region", "us-west-2", "typing"]);
        assert_eq!(
            a.command,
            Command::SendEvent(Name::Typing, SendEventRequest::typing())
        );
        assert_eq!(a.service.region.as_deref(), Some("us-west-2"));
        assert!(!a.json && !a.service.fips && !a.service.dual_stack);

        let a = run(&["read", "m-1", "--json", "--region=eu-central-1", "--fips"]);
        assert_eq!(
            a.command,
            Command::SendEvent(Name::Read, SendEventRequest::read("m-1"))
        );
        assert!(a.json && a.service.fips);

        // --endpoint is today's name of --endpoint-url.
        let a = run(&["--endpoint", "http://127.0.0.1:1", "delivered", "m-2"]);
        assert_eq!(
            a.command,
            Command::SendEvent(Name::Delivered, SendEventRequest::delivered("m-2"))
        );
        assert_eq!(a.service.endpoint.as_deref(), Some("http://127.0.0.1:1"));
        let b = run(&["--endpoint-url", "http://127.0.0.1:1", "delivered", "m-2"]);
        assert_eq!(a, b);

        let a = run(&[
            "--region",
            "us-east-1",
            "--dual-stack",
            "--client-token",
            "ct-1",
            "send-event",
            "--content-type",
            "application/vnd.amazonaws.connect.event.message.read",
            "--content",
            r#"{"messageId":"x"}"#,
        ]);
        assert_eq!(
            a.command,
            Command::SendEvent(
                Name::SendEvent,
                SendEventRequest::new(ContentType::MessageRead)
                    .with_content(r#"{"messageId":"x"}"#)
                    .with_client_token("ct-1")
            )
        );
        assert!(a.service.dual_stack);
    }

    #[test]
    fn output_json_and_json_are_one_setting() {
        assert!(run(&[E, "typing", "--output", "json"]).json);
        assert!(run(&[E, "typing", "--output=json"]).json);
        assert!(run(&[E, "--json", "typing"]).json);
        assert_eq!(
            usage_error(&[E, "typing", "--output", "text"]),
            "--output takes json, not \"text\" (without --output, the output is for people)"
        );
        assert_eq!(
            usage_error(&[E, "typing", "--output", "json", "--json"]),
            "give --output json or --json, not both"
        );
    }

    #[test]
    fn create_participant_connection_takes_types_as_the_aws_cli_does() {
        let a = run(&[E, "create-participant-connection"]);
        assert_eq!(
            a.command,
            Command::CreateParticipantConnection(CreateParticipantConnectionRequest::new())
        );
        let a = run(&[
            E,
            "create-participant-connection",
            "--type",
            "CONNECTION_CREDENTIALS",
            "WEBSOCKET",
            "--connect-participant",
        ]);
        assert_eq!(
            a.command,
            Command::CreateParticipantConnection(
                CreateParticipantConnectionRequest::new()
                    .with_types([
                        ConnectionType::ConnectionCredentials,
                        ConnectionType::Websocket
                    ])
                    .with_connect_participant(true)
            )
        );
        // The list ends at a command name, so --type may come first too.
        let b = run(&[
            E,
            "--type",
            "CONNECTION_CREDENTIALS",
            "WEBSOCKET",
            "create-participant-connection",
            "--connect-participant",
        ]);
        assert_eq!(a, b);
        let a = run(&[
            E,
            "create-participant-connection",
            "--type=WEBRTC_CONNECTION",
            "--no-connect-participant",
        ]);
        assert_eq!(
            a.command,
            Command::CreateParticipantConnection(
                CreateParticipantConnectionRequest::new()
                    .with_types(["WEBRTC_CONNECTION"])
                    .with_connect_participant(false)
            )
        );
        assert_eq!(
            usage_error(&[E, "create-participant-connection", "--type"]),
            "--type needs a value"
        );
        assert_eq!(
            usage_error(&[
                E,
                "create-participant-connection",
                "--connect-participant",
                "--no-connect-participant"
            ]),
            "give --connect-participant or --no-connect-participant, not both"
        );
    }

    #[test]
    fn send_message_defaults_to_text_plain() {
        let a = run(&[E, "send-message", "--content", "Hello"]);
        assert_eq!(
            a.command,
            Command::SendMessage(SendMessageRequest::text("Hello"))
        );
        let a = run(&[
            E,
            "send-message",
            "--content=**hi**",
            "--content-type",
            "text/markdown",
            "--client-token",
            "c-1",
        ]);
        assert_eq!(
            a.command,
            Command::SendMessage(SendMessageRequest::markdown("**hi**").with_client_token("c-1"))
        );
        assert_eq!(
            usage_error(&[E, "send-message"]),
            "send-message needs --content <TEXT>"
        );
    }

    #[test]
    fn get_transcript_takes_the_aws_cli_options() {
        let a = run(&[E, "get-transcript"]);
        assert_eq!(
            a.command,
            Command::GetTranscript {
                request: GetTranscriptRequest::new(),
                paginate: true
            }
        );
        let a = run(&[
            E,
            "get-transcript",
            "--contact-id",
            "c-1",
            "--max-results",
            "5",
            "--next-token",
            "nt",
            "--scan-direction",
            "FORWARD",
            "--sort-order",
            "ASCENDING",
            "--start-position",
            "Id=i-1,MostRecent=3",
            "--no-paginate",
        ]);
        assert_eq!(
            a.command,
            Command::GetTranscript {
                request: GetTranscriptRequest::new()
                    .with_contact_id("c-1")
                    .with_max_results(5)
                    .with_next_token("nt")
                    .with_scan_direction(ScanDirection::Forward)
                    .with_sort_order(SortOrder::Ascending)
                    .with_start_position(StartPosition::id("i-1").with_most_recent(3)),
                paginate: false
            }
        );
        let a = run(&[
            E,
            "get-transcript",
            "--start-position",
            r#"{"AbsoluteTime":"2019-11-08T02:41:28.172Z"}"#,
        ]);
        let time = Timestamp::parse("2019-11-08T02:41:28.172Z").unwrap();
        assert_eq!(
            a.command,
            Command::GetTranscript {
                request: GetTranscriptRequest::new()
                    .with_start_position(StartPosition::absolute_time(time)),
                paginate: true
            }
        );
        for (args, want) in [
            (
                &[E, "get-transcript", "--max-results", "-1"][..],
                "--max-results needs a whole number from 0 to 100; got \"-1\"",
            ),
            (
                &[E, "get-transcript", "--scan-direction", "UP"],
                "invalid ScanDirection: \"UP\", must be one of FORWARD, BACKWARD",
            ),
            (
                &[E, "get-transcript", "--sort-order", "up"],
                "invalid SortOrder: \"up\", must be one of DESCENDING, ASCENDING",
            ),
            (
                &[E, "get-transcript", "--start-position", "Nope=1"],
                "--start-position has no member \"Nope\": it takes Id, AbsoluteTime and \
                 MostRecent",
            ),
            (
                &[E, "get-transcript", "--start-position", "{"],
                "--start-position is not valid JSON",
            ),
        ] {
            assert_eq!(usage_error(args), want, "{args:?}");
        }
    }

    #[test]
    fn upload_attachment_takes_a_file_and_its_type_from_the_extension() {
        let a = run(&[E, "upload-attachment", "dir/Report.PDF"]);
        assert_eq!(
            a.command,
            Command::UploadAttachment {
                path: PathBuf::from("dir/Report.PDF"),
                request: UploadAttachmentRequest::new("Report.PDF"),
            }
        );
        assert_eq!(a.name(), Name::UploadAttachment);
        let Command::UploadAttachment { request, .. } = &a.command else {
            unreachable!()
        };
        assert_eq!(request.content_type(), Some("application/pdf"));
        assert_eq!(Name::UploadAttachment.token(), Some(TokenKind::Connection));
        // --content-type wins over the extension; the file may come first.
        let a = run(&[
            "--content-type",
            "text/markdown",
            "upload-attachment",
            "notes.txt",
            E,
            "--json",
        ]);
        assert!(a.json);
        assert_eq!(
            a.command,
            Command::UploadAttachment {
                path: PathBuf::from("notes.txt"),
                request: UploadAttachmentRequest::new("notes.txt")
                    .with_content_type("text/markdown"),
            }
        );
        // A file whose name starts with '-' goes after --.
        let a = run(&[E, "upload-attachment", "--", "-x.png"]);
        assert!(
            matches!(a.command, Command::UploadAttachment { path, .. } if path == Path::new("-x.png"))
        );
        let types = "it takes .csv, .doc, .docx, .heic, .jfif, .jpeg, .jpg, .mov, .mp4, .pdf, \
                     .png, .ppt, .pptx, .rtf, .txt, .wav, .xls, .xlsx";
        for (args, want) in [
            (
                &[E, "upload-attachment"][..],
                "upload-attachment needs a <FILE>".to_owned(),
            ),
            (
                &[E, "upload-attachment", "setup.exe"],
                format!("\"setup.exe\" has no extension the service takes: {types}"),
            ),
            (
                &[E, "upload-attachment", "/tmp/README"],
                format!("\"README\" has no extension the service takes: {types}"),
            ),
            (
                &[E, "upload-attachment", "/"],
                "\"/\" names no file".to_owned(),
            ),
            (
                &[E, "upload-attachment", "a.pdf", "b.pdf"],
                "1 unexpected argument after upload-attachment (it takes one: <FILE>)".to_owned(),
            ),
            (
                &[E, "upload-attachment", "a.pdf", "--client-token", "c"],
                "--client-token is not an option of upload-attachment".to_owned(),
            ),
            (
                &[E, "typing", "--output-file", "x"],
                "--output-file is not an option of typing".to_owned(),
            ),
        ] {
            assert_eq!(usage_error(args), want, "{args:?}");
        }
        // An unknown extension with --content-type is left to the library, which refuses
        // it before the token is read (commands).
        assert!(matches!(
            run(&[E, "upload-attachment", "a.exe", "--content-type", "x/y"]).command,
            Command::UploadAttachment { .. }
        ));
        assert_eq!(
            parse(&["upload-attachment", "a.pdf", "-h"]),
            Ok(Parsed::Help(Some(Name::UploadAttachment)))
        );
    }

    #[test]
    fn get_attachment_takes_the_aws_cli_options() {
        let a = run(&[E, "get-attachment", "--attachment-id", "a-1"]);
        assert_eq!(
            a.command,
            Command::GetAttachment {
                request: GetAttachmentRequest::new("a-1"),
                output_file: None
            }
        );
        let a = run(&[
            E,
            "get-attachment",
            "--attachment-id=a-1",
            "--url-expiry-in-seconds",
            "60",
            "--url-content-disposition",
            "INLINE",
            "--output-file",
            "out/a.pdf",
        ]);
        assert_eq!(
            a.command,
            Command::GetAttachment {
                request: GetAttachmentRequest::new("a-1")
                    .with_url_expiry_in_seconds(60)
                    .with_url_content_disposition(ContentDisposition::Inline),
                output_file: Some(PathBuf::from("out/a.pdf"))
            }
        );
        for (args, want) in [
            (
                &[E, "get-attachment"][..],
                "get-attachment needs --attachment-id <ID>",
            ),
            (
                &[
                    E,
                    "get-attachment",
                    "--attachment-id",
                    "a",
                    "--url-expiry-in-seconds",
                    "x",
                ],
                "--url-expiry-in-seconds needs a whole number from 5 to 300; got \"x\"",
            ),
            (
                &[
                    E,
                    "get-attachment",
                    "--attachment-id",
                    "a",
                    "--url-content-disposition",
                    "inline",
                ],
                "invalid UrlContentDisposition: \"inline\", must be one of ATTACHMENT, INLINE",
            ),
            (
                &[E, "get-attachment", "--attachment-id", "a", "x"],
                "1 unexpected argument after get-attachment (it takes none: every value goes \
                 with an option)",
            ),
        ] {
            assert_eq!(usage_error(args), want, "{args:?}");
        }
    }

    #[test]
    fn view_and_authentication_commands_take_their_members() {
        let session = "8a8f6f3e-3b4e-4b6e-9d5c-0d8a7f4c2e11";
        assert_eq!(
            run(&[E, "describe-view", "--view-token", "v t/1"]).command,
            Command::DescribeView(DescribeViewRequest::new("v t/1"))
        );
        assert_eq!(
            run(&[
                E,
                "get-authentication-url",
                "--session-id",
                session,
                "--redirect-uri",
                "https://example.com/back"
            ])
            .command,
            Command::GetAuthenticationUrl(GetAuthenticationUrlRequest::new(
                session,
                "https://example.com/back"
            ))
        );
        assert_eq!(
            run(&[
                E,
                "cancel-participant-authentication",
                "--session-id",
                session
            ])
            .command,
            Command::CancelParticipantAuthentication(CancelParticipantAuthenticationRequest::new(
                session
            ))
        );
        for name in [
            Name::DescribeView,
            Name::GetAuthenticationUrl,
            Name::CancelParticipantAuthentication,
        ] {
            assert_eq!(Name::parse(name.as_str()), Some(name));
            assert_eq!(name.token(), Some(TokenKind::Connection));
        }
        for (args, want) in [
            (
                &[E, "describe-view"][..],
                "describe-view needs --view-token <TOKEN>",
            ),
            (
                &[E, "get-authentication-url", "--session-id", "s"],
                "get-authentication-url needs --session-id <ID> and --redirect-uri <URI>",
            ),
            (
                &[E, "get-authentication-url", "--redirect-uri", "u"],
                "get-authentication-url needs --session-id <ID> and --redirect-uri <URI>",
            ),
            (
                &[E, "cancel-participant-authentication"],
                "cancel-participant-authentication needs --session-id <ID>",
            ),
            (
                &[
                    E,
                    "cancel-participant-authentication",
                    "--session-id",
                    "s",
                    "--redirect-uri",
                    "u",
                ],
                "--redirect-uri is not an option of cancel-participant-authentication",
            ),
            (
                &[E, "describe-view", "--session-id", "s"],
                "--session-id is not an option of describe-view",
            ),
        ] {
            assert_eq!(usage_error(args), want, "{args:?}");
        }
        // --view-token is the view's, not a bearer token: taken.
        assert_eq!(token_option("--view-token"), None);
    }

    #[test]
    fn emulator_takes_a_port_and_no_service_options() {
        assert_eq!(run(&["emulator"]).command, Command::Emulator { port: 0 });
        assert_eq!(
            run(&["emulator", "--port", "8421"]).command,
            Command::Emulator { port: 8421 }
        );
        assert_eq!(
            usage_error(&["emulator", "--port", "70000"]),
            "--port needs a port number from 0 to 65535 (0: a free one); got \"70000\""
        );
        assert_eq!(
            usage_error(&["emulator", "--region", "us-east-1"]),
            "--region is not an option of emulator"
        );
    }

    #[test]
    fn watch_takes_history_and_the_service_options() {
        let a = run(&[E, "watch"]);
        assert_eq!(a.command, Command::Watch { history: false });
        assert_eq!(a.name(), Name::Watch);
        assert_eq!(a.service.endpoint.as_deref(), Some("http://127.0.0.1:1"));
        let a = run(&[
            "--history",
            "--region",
            "us-west-2",
            "--timeout",
            "2.5",
            "--fips",
            "watch",
        ]);
        assert_eq!(a.command, Command::Watch { history: true });
        assert_eq!(a.service.region.as_deref(), Some("us-west-2"));
        assert_eq!(a.service.timeout, Some(Duration::from_millis(2500)));
        assert!(a.service.fips);
        // Always JSON lines: --output json and --json are accepted and change nothing.
        assert!(run(&[E, "watch", "--json"]).json);
        assert!(run(&[E, "watch", "--output", "json"]).json);
        // It sends the participant token, as create-participant-connection does.
        assert_eq!(Name::Watch.token(), Some(TokenKind::Participant));
        assert_eq!(
            guess_token_kind(&[E.to_owned(), "watch".to_owned()]),
            Some(TokenKind::Participant)
        );
        for (args, want) in [
            (
                &[E, "watch", "--history=yes"][..],
                "--history takes no value",
            ),
            (
                &[E, "watch", "--history", "--history"],
                "--history is given more than once",
            ),
            (
                &[E, "watch", "c-1"],
                "1 unexpected argument after watch (it takes none: every value goes with an option)",
            ),
            (
                &[E, "watch", "--client-token", "x"],
                "--client-token is not an option of watch",
            ),
            (
                &[E, "typing", "--history"],
                "--history is not an option of typing",
            ),
            (
                &["emulator", "--history"],
                "--history is not an option of emulator",
            ),
        ] {
            assert_eq!(usage_error(args), want, "{args:?}");
        }
        // A token option names the participant token for watch.
        assert!(
            usage_error(&[E, "watch", "--token", "x"])
                .starts_with("the participant token is not taken from the command line")
        );
        assert_eq!(
            parse(&["help", "watch"]),
            Ok(Parsed::Help(Some(Name::Watch)))
        );
        assert_eq!(
            parse(&["watch", "--history", "-h"]),
            Ok(Parsed::Help(Some(Name::Watch)))
        );
    }

    #[test]
    fn double_dash_ends_options() {
        let a = run(&["--region", "us-east-1", "--", "read", "--json"]);
        assert_eq!(
            a.command,
            Command::SendEvent(Name::Read, SendEventRequest::read("--json"))
        );
        assert!(!a.json);
        let a = run(&["--region", "us-east-1", "read", "--", "--help"]);
        assert_eq!(
            a.command,
            Command::SendEvent(Name::Read, SendEventRequest::read("--help"))
        );
    }

    #[test]
    fn help_and_version_win_anywhere_before_double_dash() {
        assert_eq!(parse(&["--help"]), Ok(Parsed::Help(None)));
        assert_eq!(parse(&["-h"]), Ok(Parsed::Help(None)));
        assert_eq!(
            parse(&["typing", "--bogus", "--help"]),
            Ok(Parsed::Help(Some(Name::Typing)))
        );
        assert_eq!(
            parse(&["--content", "read", "send-message", "-h"]),
            Ok(Parsed::Help(Some(Name::SendMessage)))
        );
        assert_eq!(
            parse(&["help", "get-transcript"]),
            Ok(Parsed::Help(Some(Name::GetTranscript)))
        );
        assert_eq!(parse(&["help"]), Ok(Parsed::Help(None)));
        assert_eq!(parse(&["--version"]), Ok(Parsed::Version));
    }

    #[test]
    fn token_options_are_refused_whatever_their_form() {
        let connection = "the connection token is not taken from the command line, because \
                          arguments are visible to every user of the machine (ps, /proc); \
                          set CONNECT_CONNECTION_TOKEN or pipe it on standard input";
        let participant = "the participant token is not taken from the command line, \
                           because arguments are visible to every user of the machine (ps, \
                           /proc); set CONNECT_PARTICIPANT_TOKEN or pipe it on standard input";
        for (args, want) in [
            (&["--token", "x", "typing"][..], connection),
            (&["--token=x", "typing"], connection),
            (&["--connection-token", "x", "typing"], connection),
            (&["--connection_token=x"], connection),
            (&["--bearer", "x"], connection),
            (&["--Bearer=x", "--help"], connection),
            (&["--x-amz-bearer=x"], connection),
            (&["--region", "us-east-1", "typing", "--token"], connection),
            (&["--participant-token", "x", "typing"], participant),
            (
                &["create-participant-connection", "--token", "x"],
                participant,
            ),
            (
                &["--bearer=x", "create-participant-connection"],
                participant,
            ),
            (
                &["create-participant-connection", "--connection-token=x"],
                connection,
            ),
        ] {
            assert_eq!(usage_error(args), want, "{args:?}");
        }
        // --client-token is the idempotency token, not a secret.
        assert_eq!(token_option("--client-token"), None);
        assert_eq!(token_option("token"), None);
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        let all = "create-participant-connection, send-message, send-event, get-transcript, \
                   disconnect-participant, upload-attachment, get-attachment, describe-view, \
                   get-authentication-url, cancel-participant-authentication, typing, read, \
                   delivered, watch, emulator";
        let cases: &[(&[&str], String)] = &[
            (&[], format!("no command: give one of {all}")),
            (&["--region", "r"], format!("no command: give one of {all}")),
            (
                &["--region", "r", "tpying"],
                format!("unknown command \"tpying\": expected one of {all}"),
            ),
            (
                &["--region", "r", "--bogus", "typing"],
                "unknown option \"--bogus\"".into(),
            ),
            (
                &["--region", "r", "--bogus=1", "typing"],
                "unknown option \"--bogus\"".into(),
            ),
            (
                &["--region", "r", "-x", "typing"],
                "unknown option \"-x\"".into(),
            ),
            (
                &["--region", "r", "read"],
                "read needs a <message-id>".into(),
            ),
            (
                &["--region", "r", "delivered"],
                "delivered needs a <message-id>".into(),
            ),
            (
                &["--region", "r", "send-event"],
                "send-event needs --content-type <TYPE>".into(),
            ),
            (
                &["--region", "r", "typing", "x"],
                "1 unexpected argument after typing (it takes none: every value goes with \
                 an option)"
                    .into(),
            ),
            (
                &["--region", "r", "read", "a", "b", "c"],
                "2 unexpected arguments after read (it takes one: <message-id>)".into(),
            ),
            (
                &["--region", "r", "typing", "--content", "x"],
                "--content is not an option of typing".into(),
            ),
            (
                &["--region", "r", "get-transcript", "--client-token", "x"],
                "--client-token is not an option of get-transcript".into(),
            ),
            (
                &["--region", "r", "--endpoint", "http://x", "typing"],
                "give --region or --endpoint-url, not both: the endpoint URL already names \
                 the region"
                    .into(),
            ),
            (
                &["--region", "typing"],
                format!("no command: give one of {all}"),
            ),
            (&["typing", "--region"], "--region needs a value".into()),
            (
                &["--client-token", "--json", "typing"],
                "--client-token needs a value".into(),
            ),
            (&["--json=yes", "typing"], "--json takes no value".into()),
            (
                &["--region", "a", "--region", "b", "typing"],
                "--region is given more than once".into(),
            ),
            (
                &[
                    "--endpoint",
                    "http://a",
                    "--endpoint-url",
                    "http://b",
                    "typing",
                ],
                "--endpoint-url is given more than once".into(),
            ),
            (
                &["--fips", "--fips", "typing"],
                "--fips is given more than once".into(),
            ),
        ];
        for (args, want) in cases {
            assert_eq!(&usage_error(args), want, "{args:?}");
        }
        // The hint names the command's help once the command is known.
        let e = parse(&["--region", "r", "typing", "x"]).unwrap_err();
        assert_eq!(e.command, Some(Name::Typing));
        let e = parse(&["--region", "r", "tpying"]).unwrap_err();
        assert_eq!(e.command, None);
    }

    #[test]
    fn unknown_event_content_type_lists_the_allowed_values() {
        let m = usage_error(&[E, "send-event", "--content-type", "text/plain"]);
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
    fn long_arguments_are_measured_not_echoed() {
        let long = format!(
            "x{}",
            "S".repeat(connect_participant::__cli::MAX_SHOWN_CHARS)
        );
        let measured = "(65 characters, not shown)";
        let long_option = format!("--{}", "o".repeat(63));
        let long_option_eq = format!("{long_option}=1");
        let timeout_eq = format!("--timeout={long}");
        let cases: [(&[&str], String); 6] = [
            (
                &["--region", "r", &long],
                format!("unknown command {measured}: expected one of "),
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
                    "--timeout needs a number of seconds from 0.001 to 3600, such as 2.5; \
                     got {measured}"
                ),
            ),
            (
                &["--region", "r", &timeout_eq, "typing"],
                format!(
                    "--timeout needs a number of seconds from 0.001 to 3600, such as 2.5; \
                     got {measured}"
                ),
            ),
            (
                &["--region", "r", "send-event", "--content-type", &long],
                format!("unknown content type {measured}, expected one of: "),
            ),
        ];
        for (args, want) in cases {
            let got = usage_error(args);
            assert!(got.starts_with(&want), "{args:?}: {got}");
            assert!(!got.contains("SSSS"), "{got}");
        }
        // At the limit an argument is still shown: typos stay easy to spot.
        let at_limit = "t".repeat(64);
        assert!(
            usage_error(&["--region", "r", &at_limit])
                .starts_with(&format!("unknown command \"{at_limit}\": "))
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
                e.message.starts_with("--timeout needs a number of seconds"),
                "{bad}: {e:?}"
            );
        }
        let a = run(&["--region", "r", "--timeout=0.25", "typing"]);
        assert_eq!(a.service.timeout, Some(Duration::from_millis(250)));
    }
}
