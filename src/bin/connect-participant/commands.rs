//! Running a parsed command: the tokens (where they come from, and the check that no
//! argument holds one), the call through the library, and what is written. One file per
//! command family; this one holds what they share, and the order of the steps.

mod attachments;
mod calls;
mod emulator;
mod tokens;
mod transcript;
mod watch;

use std::ffi::OsString;
use std::io::{self, BufRead, Write};

use connect_participant::__cli::client_builder_from_env;
use connect_participant::{
    Client, ConnectionToken, Error, ErrorKind, ParticipantToken, StartAttachmentUploadRequest,
    UploadStep,
};

use crate::args::{
    Args, Command, Name, Parsed, Service, TokenKind, UsageError, guess_token_kind, parse_args,
    refuse_token_options,
};
use crate::help;
use crate::output::{self, Shield};
use attachments::{Local, Partial, open_attachment};
pub use tokens::TokenSource;
use tokens::check_args;

/// Exit status: done.
pub const EXIT_OK: u8 = 0;
/// Exit status: bad arguments or input; nothing was sent.
pub const EXIT_USAGE: u8 = 2;
/// Exit status: the service, or a server in front of it, refused or garbled the answer.
pub const EXIT_REFUSED: u8 = 3;
/// Exit status: the network failed or a timeout elapsed (and anything else).
pub const EXIT_NETWORK: u8 = 4;
/// Exit status: a local file (the attachment to upload, the download's file) could not
/// be read or written once the call had begun. A file refused before anything is sent is
/// [`EXIT_USAGE`].
pub const EXIT_LOCAL_FILE: u8 = 5;

/// Why a run failed.
#[derive(Debug)]
pub enum Failure {
    /// The command line is wrong.
    Usage(UsageError),
    /// A token is missing, unreadable, or held by an argument (never contains a token).
    Token(String),
    /// The library refused the input or configuration, or the call failed.
    Library(Error),
    /// The emulator could not start.
    Emulator(io::Error),
    /// The service kept answering, but what it answered cannot be used (its words are not
    /// in this message).
    Answer(String),
    /// A local file cannot be used, found before anything was sent.
    Input(String),
    /// A local file could not be read or written once the call had begun.
    LocalFile(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Library(e)
    }
}

impl From<UsageError> for Failure {
    fn from(e: UsageError) -> Self {
        Failure::Usage(e)
    }
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) | Failure::Token(_) | Failure::Input(_) => EXIT_USAGE,
            // The attachment could not be read before StartAttachmentUpload: nothing sent.
            Failure::Library(e)
                if e.kind() == ErrorKind::Io && e.upload_step() == Some(UploadStep::Start) =>
            {
                EXIT_USAGE
            }
            Failure::Library(e) => exit_code(e.kind()),
            Failure::Emulator(_) => EXIT_NETWORK,
            Failure::Answer(_) => EXIT_REFUSED,
            Failure::LocalFile(_) => EXIT_LOCAL_FILE,
        }
    }

    /// The lines for standard error, scrubbed by `shield`.
    pub fn report(&self, shield: &Shield<'_>) -> String {
        match self {
            Failure::Usage(e) => {
                shield.own(&format!("error: {}\n{}", e.message, help::hint(e.command)))
            }
            Failure::Token(m) => shield.own(&format!("error: {m}\n")),
            Failure::Answer(m) | Failure::Input(m) | Failure::LocalFile(m) => {
                shield.own(&format!("error: {m}\n"))
            }
            Failure::Library(e) => shield.foreign(&output::error_report(e)),
            Failure::Emulator(e) => {
                shield.foreign(&format!("error: the emulator could not start: {e}\n"))
            }
        }
    }
}

/// The exit status for a library error.
pub fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        // Refused before anything was sent.
        ErrorKind::InvalidInput | ErrorKind::InvalidConfig => EXIT_USAGE,
        // Something answered, and the answer was a refusal or unusable.
        ErrorKind::Validation
        | ErrorKind::AccessDenied
        | ErrorKind::Conflict
        | ErrorKind::Throttling
        | ErrorKind::ServiceQuotaExceeded
        | ErrorKind::ResourceNotFound
        | ErrorKind::InternalServer
        | ErrorKind::UnknownService
        | ErrorKind::UnexpectedStatus
        | ErrorKind::Redirect
        | ErrorKind::InvalidResponse
        | ErrorKind::ChatEnded
        | ErrorKind::Left => EXIT_REFUSED,
        ErrorKind::Certificate => EXIT_NETWORK, // no TLS connection: nothing reached the service
        // Reading the attachment or writing the download, once the call had begun (a file
        // that cannot be read before anything is sent is refused by `Failure::exit_code`).
        ErrorKind::Io => EXIT_LOCAL_FILE,
        // Transport, Timeout, RandomSource, and kinds added later (ErrorKind is
        // non_exhaustive): nothing usable came back.
        _ => EXIT_NETWORK,
    }
}

/// Standard output and standard error (which also takes the prompt for a token).
pub struct Streams<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

/// How the program reads the AWS SDKs' environment variables: `std::env::var_os`, or a
/// stand-in in tests.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// What the library says when it knows neither a region nor an endpoint URL.
const NO_DESTINATION: &str = "no region and no endpoint URL";

/// The whole program but for the process's own arguments, environment and streams.
/// What it writes on success goes to `io`; a failure is returned for the caller to report
/// (scrubbed by a shield made from `source.known`).
pub fn execute<R: BufRead>(
    args: &[String],
    env: EnvLookup<'_>,
    source: &mut TokenSource<R>,
    io: &mut Streams<'_>,
) -> Result<(), Failure> {
    let result = parse_and_run(args, env, source, io);
    if result.is_err() {
        // A token still unknown: a known one was checked before anything could fail.
        if let Some(kind) = guess_token_kind(args) {
            if source.learn_piped(kind) {
                // As when the token is known first: the refusal wins over the error it hid,
                // which may be about the token's argument and would be scrubbed into
                // nonsense.
                refuse_token_options(args)?;
                check_args(args, &source.known)?;
            }
        }
    }
    result
}

fn parse_and_run<R: BufRead>(
    args: &[String],
    env: EnvLookup<'_>,
    source: &mut TokenSource<R>,
    io: &mut Streams<'_>,
) -> Result<(), Failure> {
    if !source.known.is_empty() {
        // Before anything else reads the arguments. The token-option refusal goes first:
        // it shows nothing either, and says what to do instead.
        refuse_token_options(args)?;
        check_args(args, &source.known)?;
    }
    let text = match parse_args(args)? {
        Parsed::Help(command) => help::help(command),
        Parsed::Version => help::version(),
        Parsed::Run(a) => return run(&a, args, env, source, io),
    };
    let shield = Shield::new(&source.known, args);
    // Write errors (a closed pipe, say) are ignored: the exit status still tells.
    let _ = io.out.write_all(shield.own(&text).as_bytes());
    Ok(())
}

/// Runs one command: everything that can be refused is refused first, then the token is
/// read, then the call is made.
fn run<R: BufRead>(
    a: &Args,
    argv: &[String],
    env: EnvLookup<'_>,
    source: &mut TokenSource<R>,
    io: &mut Streams<'_>,
) -> Result<(), Failure> {
    if let Command::Emulator { port, settings } = a.command {
        return emulator::serve(port, settings, io);
    }
    let local = prepare(&a.command)?;
    let client = client(a.name(), &a.service, env)?;
    let kind = a.name().token().unwrap_or(TokenKind::Connection);
    let (text, from) = source.read_text(kind, Some(a.name()), io.err)?;
    // Right after the token is read, before anything is sent: a token read from standard
    // input could not be looked for earlier.
    check_args(argv, &source.known)?;
    let invalid = |e: Error| Failure::Token(format!("{e} (read from {from})"));
    let mut call = Call {
        client: &client,
        name: a.name(),
        json: a.json,
        argv,
        known: &mut source.known,
        io,
    };
    match &a.command {
        Command::Watch {
            history,
            heartbeat,
            participant_id,
            journal,
            ordered,
        } => {
            let token = ParticipantToken::new(text).map_err(invalid)?;
            let settings = watch::Settings {
                history: *history,
                heartbeat: *heartbeat,
                participant_id: participant_id.clone(),
                journal: journal.clone(),
                ordered: *ordered,
            };
            watch::watch(&mut call, token, settings)
        }
        Command::CreateParticipantConnection(r) => {
            let token = ParticipantToken::new(text).map_err(invalid)?;
            calls::create_participant_connection(&mut call, &token, r)
        }
        command => {
            let token = ConnectionToken::new(text).map_err(invalid)?;
            connection_call(&mut call, &token, command, local)
        }
    }
}

/// Refuses bad input and configuration before the token is asked for: nobody should paste
/// a secret only to learn that the message id was empty. The local file too: opened (the
/// attachment) or made (the download's temporary file) now, so that one that cannot be
/// used costs no call either.
fn prepare(command: &Command) -> Result<Local, Failure> {
    match command {
        Command::CreateParticipantConnection(r) => r.validate()?,
        Command::SendMessage(r) => r.validate()?,
        Command::SendEvent(_, r) => r.validate()?,
        Command::GetTranscript { request, .. } => request.validate()?,
        Command::DisconnectParticipant(r) => r.validate()?,
        Command::UploadAttachment { path, request } => {
            let (file, size) = open_attachment(path)?;
            StartAttachmentUploadRequest::new(
                request.name(),
                request.content_type().unwrap_or_default(),
                size,
            )
            .validate()?;
            return Ok(Local::Upload(file));
        }
        Command::StartAttachmentUpload(r) => r.validate()?,
        Command::CompleteAttachmentUpload(r) => r.validate()?,
        Command::GetAttachment {
            request,
            output_file,
        } => {
            request.validate()?;
            if let Some(path) = output_file {
                return Ok(Local::Download(Partial::create(path)?));
            }
        }
        Command::DescribeView(r) => r.validate()?,
        Command::GetAuthenticationUrl(r) => r.validate()?,
        Command::CancelParticipantAuthentication(r) => r.validate()?,
        Command::Watch { .. } | Command::Emulator { .. } => {}
    }
    Ok(Local::None)
}

/// The client: the AWS SDKs' variables first, then the command line's options, which win
/// over them (the library drops the environment's endpoint URL for --region, --fips or
/// --dual-stack, and its FIPS and dual-stack for --endpoint-url).
fn client(name: Name, s: &Service, env: EnvLookup<'_>) -> Result<Client, Failure> {
    let mut builder = client_builder_from_env(env)?;
    if let Some(r) = &s.region {
        builder = builder.region(r.clone());
    }
    if let Some(u) = &s.endpoint {
        builder = builder.endpoint_url(u.clone());
    }
    if s.fips {
        builder = builder.fips(true);
    }
    if s.dual_stack {
        builder = builder.dual_stack(true);
    }
    if let Some(t) = s.timeout {
        builder = builder.timeout(t);
    }
    builder.build().map_err(|e| {
        if e.kind() == ErrorKind::InvalidConfig && e.to_string().starts_with(NO_DESTINATION) {
            Failure::Usage(UsageError::of(
                name,
                "give --region <REGION> or --endpoint-url <URL>, or set AWS_REGION or \
                 AWS_ENDPOINT_URL",
            ))
        } else {
            Failure::Library(e)
        }
    })
}

/// The call of a command that sends the connection token, by command.
fn connection_call(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    command: &Command,
    local: Local,
) -> Result<(), Failure> {
    match command {
        Command::SendMessage(r) => calls::send_message(call, token, r),
        Command::SendEvent(_, r) => calls::send_event(call, token, r),
        Command::DisconnectParticipant(r) => calls::disconnect_participant(call, token, r),
        Command::GetTranscript { request, paginate } => {
            transcript::get_transcript(call, token, request, *paginate)
        }
        Command::UploadAttachment { request, .. } => {
            let Local::Upload(file) = local else {
                unreachable!("opened by prepare")
            };
            attachments::upload(call, token, request, file)
        }
        Command::StartAttachmentUpload(r) => attachments::start_upload(call, token, r),
        Command::CompleteAttachmentUpload(r) => attachments::complete_upload(call, token, r),
        Command::GetAttachment { request, .. } => {
            attachments::get_attachment(call, token, request, local)
        }
        Command::DescribeView(r) => calls::describe_view(call, token, r),
        Command::GetAuthenticationUrl(r) => calls::get_authentication_url(call, token, r),
        Command::CancelParticipantAuthentication(r) => {
            calls::cancel_participant_authentication(call, token, r)
        }
        Command::CreateParticipantConnection(_)
        | Command::Watch { .. }
        | Command::Emulator { .. } => unreachable!("they send no connection token"),
    }
}

/// What every call needs besides its request and token.
struct Call<'c, 'io> {
    client: &'c Client,
    name: Name,
    json: bool,
    /// The command line, which the shield also scrubs from the library's words.
    argv: &'c [String],
    /// Every secret known so far; a call adds those it learns (a download URL, a renewed
    /// connection), so that neither its output nor a later error report shows them.
    known: &'c mut Vec<(TokenKind, String)>,
    io: &'c mut Streams<'io>,
}

impl<'io> Call<'_, 'io> {
    /// Where the answer goes, scrubbed of the secrets known now: take it once the call
    /// has answered, so that a secret the call learnt is scrubbed too.
    fn answer(&mut self) -> Answer<'_, 'io> {
        Answer {
            name: self.name,
            shield: Shield::new(self.known, self.argv),
            io: self.io,
        }
    }
}

/// A command's answer on its way out, every line and note through the shield.
struct Answer<'a, 'io> {
    name: Name,
    shield: Shield<'a>,
    io: &'a mut Streams<'io>,
}

impl Answer<'_, '_> {
    /// Writes one line on standard output; false once standard output is closed, so that
    /// a long answer stops there. Other write errors are ignored: the exit status tells.
    fn line(&mut self, line: &str) -> bool {
        let line = self.shield.answer(self.name, line);
        writeln!(self.io.out, "{line}").is_ok()
    }

    /// Writes an answer as the AWS CLI's `--output json` does: one indented document, or
    /// nothing for an empty answer (`{}`).
    fn document(&mut self, compact: &str) {
        if let Some(text) = output::document(compact) {
            let text = self.shield.answer(self.name, &text);
            let _ = self.io.out.write_all(text.as_bytes());
        }
    }

    /// Writes a note for people on standard error.
    fn note(&mut self, text: &str) {
        let _ = self.io.err.write_all(self.shield.own(text).as_bytes());
    }
}

#[cfg(test)]
mod tests;
