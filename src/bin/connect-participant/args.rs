//! Parsing the command line: pure functions from the arguments to what to run, each value
//! checked that can be checked without the network. The library's own checks (limits,
//! endpoints) run later, in `commands`, before any token is read.

mod line;
mod requests;

pub use requests::EmulatorSettings;

use std::path::PathBuf;
use std::time::Duration;

use connect_participant::__cli::quoted;
use connect_participant::{
    CancelParticipantAuthenticationRequest, ClientBuilder, CompleteAttachmentUploadRequest,
    CreateParticipantConnectionRequest, DescribeViewRequest, DisconnectParticipantRequest,
    GetAttachmentRequest, GetAuthenticationUrlRequest, GetTranscriptRequest, SendEventRequest,
    SendMessageRequest, StartAttachmentUploadRequest, UploadAttachmentRequest,
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
    StartAttachmentUpload,
    CompleteAttachmentUpload,
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
    pub const ALL: [Name; 17] = [
        Name::CreateParticipantConnection,
        Name::SendMessage,
        Name::SendEvent,
        Name::GetTranscript,
        Name::DisconnectParticipant,
        Name::UploadAttachment,
        Name::StartAttachmentUpload,
        Name::CompleteAttachmentUpload,
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
            Name::StartAttachmentUpload => "start-attachment-upload",
            Name::CompleteAttachmentUpload => "complete-attachment-upload",
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
            Name::StartAttachmentUpload => &[
                "--content-type",
                "--attachment-size-in-bytes",
                "--attachment-name",
                "--client-token",
            ],
            Name::CompleteAttachmentUpload => &["--attachment-ids", "--client-token"],
            Name::GetAttachment => &[
                "--attachment-id",
                "--output-file",
                "--url-expiry-in-seconds",
                "--url-content-disposition",
            ],
            Name::DescribeView => &["--view-token"],
            Name::GetAuthenticationUrl => &["--session-id", "--redirect-uri"],
            Name::CancelParticipantAuthentication => &["--session-id"],
            Name::Watch => &[
                "--history",
                "--heartbeat-ms",
                "--participant-id",
                "--journal",
                "--ordered",
            ],
            Name::Emulator => &[
                "--port",
                "--connection-token-lifetime",
                "--max-chats",
                "--max-connections",
                "--max-websockets",
                "--idle-timeout",
            ],
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
    // An older name of --endpoint-url, kept so that the scripts that use it still work.
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
    (
        "--connection-token-lifetime",
        "--connection-token-lifetime",
        Arity::One,
    ),
    ("--max-chats", "--max-chats", Arity::One),
    ("--max-connections", "--max-connections", Arity::One),
    ("--max-websockets", "--max-websockets", Arity::One),
    ("--idle-timeout", "--idle-timeout", Arity::One),
    ("--history", "--history", Arity::Flag),
    ("--heartbeat-ms", "--heartbeat-ms", Arity::One),
    ("--participant-id", "--participant-id", Arity::One),
    ("--journal", "--journal", Arity::One),
    ("--ordered", "--ordered", Arity::Flag),
    ("--attachment-id", "--attachment-id", Arity::One),
    ("--attachment-ids", "--attachment-ids", Arity::Many),
    ("--attachment-name", "--attachment-name", Arity::One),
    (
        "--attachment-size-in-bytes",
        "--attachment-size-in-bytes",
        Arity::One,
    ),
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
    /// The first of the three steps alone: the upload URL and headers to PUT with.
    StartAttachmentUpload(StartAttachmentUploadRequest),
    /// The last of the three steps alone, once the bytes are PUT.
    CompleteAttachmentUpload(CompleteAttachmentUploadRequest),
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
        /// The stream's heartbeat interval, if not its default.
        heartbeat: Option<std::time::Duration>,
        /// This participant's `ParticipantId`, to tell its own departure.
        participant_id: Option<String>,
        /// The journal file to append to and resume from.
        journal: Option<std::path::PathBuf>,
        /// Release events in `AbsoluteTime` order.
        ordered: bool,
    },
    /// Serve the emulator on this port (0: a free one), with these settings.
    Emulator {
        port: u16,
        settings: EmulatorSettings,
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
            Command::StartAttachmentUpload(_) => Name::StartAttachmentUpload,
            Command::CompleteAttachmentUpload(_) => Name::CompleteAttachmentUpload,
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
    match line::find_command(&args[..end]) {
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
    if let Some(parsed) = help_or_version(options) {
        return Ok(parsed);
    }
    line::unknown_command(options)?;
    let (given, mut positional) = line::read_options(options, line::find_command(options))?;
    positional.extend(args.iter().skip(end + 1).map(String::as_str));
    let (name, arg) = line::command_line(&positional, &given)?;
    let command = requests::command(name, arg, &given)?;
    let json = json_output(name, &given)?;
    let service = service(name, &given)?;
    Ok(Parsed::Run(Box::new(Args {
        service,
        json,
        command,
    })))
}

/// `--help` and `--version` win wherever they stand, so that they work on a broken line.
fn help_or_version(options: &[String]) -> Option<Parsed> {
    if options.iter().any(|a| a == "--help" || a == "-h") {
        return Some(Parsed::Help(line::find_command(options)));
    }
    if options.first().is_some_and(|a| a == "help") {
        return Some(Parsed::Help(options.get(1).and_then(|a| Name::parse(a))));
    }
    if options.iter().any(|a| a == "--version") {
        return Some(Parsed::Version);
    }
    None
}

/// `--output json` and `--json` are one setting, given one way at most.
fn json_output(name: Name, given: &Given<'_>) -> Result<bool, UsageError> {
    match (given.one("--output"), given.has("--json")) {
        (Some(_), true) => Err(UsageError::of(
            name,
            "give --output json or --json, not both",
        )),
        (Some("json"), false) | (None, true) => Ok(true),
        (None, false) => Ok(false),
        // The AWS CLI's other two forms: refused by name, with what to use instead.
        (Some(form @ ("text" | "table")), false) => Err(UsageError::of(
            name,
            format!(
                "--output {form} is not supported: --output json prints the AWS CLI's JSON \
                 (for {form}, read it with jq), and without --output the output is for people"
            ),
        )),
        (Some(other), false) => Err(UsageError::of(
            name,
            format!(
                "--output takes json, not {} (without --output, the output is for people)",
                quoted(other)
            ),
        )),
    }
}

/// The service options given.
fn service(name: Name, given: &Given<'_>) -> Result<Service, UsageError> {
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
    Ok(service)
}

#[cfg(test)]
mod tests;
