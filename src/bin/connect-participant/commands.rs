//! Running a parsed command: the tokens (where they come from, and the check that no
//! argument holds one), the call through the library, and what is written.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use connect_participant::__cli::{client_builder_from_env, quoted};
use connect_participant::emulator::Emulator;
use connect_participant::{
    ChatStream, Client, ConnectionToken, Error, ErrorKind, Event, GetAttachmentRequest, Item,
    MAX_ATTACHMENT_BYTES, Participant, ParticipantToken, StartAttachmentUploadRequest, Timestamp,
    UploadStep,
};

use crate::args::{
    self, Args, Command, Name, Parsed, TokenKind, UsageError, guess_token_kind, parse_args,
    refuse_token_options,
};
use crate::help;
use crate::output::{self, MIN_TOKEN_MATCH, Shield};

/// The most bytes read from standard input for a token. The service allows 1000
/// characters; reading a little more lets the library report an overlong token, while a
/// stray pipe of gigabytes cannot make the program allocate without bound.
const MAX_TOKEN_LINE: u64 = 64 * 1024;

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

/// The most transcript pages `get-transcript` follows: 1,000,000 items at the largest page
/// size, far beyond a chat, and still an end against a server that never stops paging.
const MAX_PAGES: usize = 10_000;

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
        | ErrorKind::ChatEnded => EXIT_REFUSED,
        ErrorKind::Certificate => EXIT_NETWORK, // no TLS connection: nothing reached the service
        // Reading the attachment or writing the download, once the call had begun (a file
        // that cannot be read before anything is sent is refused by `Failure::exit_code`).
        ErrorKind::Io => EXIT_LOCAL_FILE,
        // Transport, Timeout, RandomSource, and kinds added later (ErrorKind is
        // non_exhaustive): nothing usable came back.
        _ => EXIT_NETWORK,
    }
}

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

    /// The token's text and where it was read from; when standard input is a terminal, a
    /// prompt goes to `prompt` first. No message of this function contains the token.
    pub fn read_text(
        &mut self,
        kind: TokenKind,
        prompt: &mut dyn Write,
    ) -> Result<(String, &'static str), Failure> {
        let (name, var) = (kind.name(), kind.var());
        if let Some(v) = self.env(kind) {
            let v = v
                .to_str()
                .ok_or_else(|| Failure::Token(format!("{var} is not valid UTF-8")))?;
            return Ok((v.to_owned(), var));
        }
        if self.stdin_read {
            return Err(Failure::Token(format!(
                "no {name}: set {var} or pipe the token on standard input"
            )));
        }
        self.stdin_read = true;
        if self.is_terminal {
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
            return Err(Failure::Token(format!(
                "no {name}: set {var} or pipe the token on standard input"
            )));
        }
        self.known.push((kind, v.clone()));
        Ok((v, "standard input"))
    }

    /// Reads a token piped on standard input that was not read yet, only to know it. A
    /// failure before the token is read may quote a short argument, and a short token
    /// pasted into one would be shown; a pipe costs nothing to read. A terminal is never
    /// asked: nobody should type a secret only to see a usage error.
    fn learn_piped(&mut self, kind: TokenKind) -> bool {
        if self.env(kind).is_none() && !self.is_terminal && !self.stdin_read {
            return self.read_text(kind, &mut io::sink()).is_ok();
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
    use connect_participant::__cli::SecretRuns;
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

/// Runs one command.
fn run<R: BufRead>(
    a: &Args,
    argv: &[String],
    env: EnvLookup<'_>,
    source: &mut TokenSource<R>,
    io: &mut Streams<'_>,
) -> Result<(), Failure> {
    let name = a.name();
    // Refuse bad input and configuration before asking for a token: nobody should paste
    // a secret only to learn that the message id was empty.
    // The local file too: opened (the attachment) or made (the download's temporary
    // file) now, so that one that cannot be used costs no call either.
    let mut local = Local::None;
    match &a.command {
        Command::Emulator { port } => return serve(*port, io),
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
            local = Local::Upload(file);
        }
        Command::GetAttachment {
            request,
            output_file,
        } => {
            request.validate()?;
            if let Some(path) = output_file {
                local = Local::Download(Partial::create(path)?);
            }
        }
        Command::DescribeView(r) => r.validate()?,
        Command::GetAuthenticationUrl(r) => r.validate()?,
        Command::CancelParticipantAuthentication(r) => r.validate()?,
        Command::Watch { .. } => {}
    }
    // The AWS SDKs' variables first; what the command line gives wins over them (the
    // library drops the environment's endpoint URL for --region, --fips or --dual-stack,
    // and its FIPS and dual-stack for --endpoint-url).
    let s = &a.service;
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
    let client = builder.build().map_err(|e| {
        if e.kind() == ErrorKind::InvalidConfig && e.to_string().starts_with(NO_DESTINATION) {
            Failure::Usage(UsageError::of(
                name,
                "give --region <REGION> or --endpoint-url <URL>, or set AWS_REGION or \
                 AWS_ENDPOINT_URL",
            ))
        } else {
            Failure::Library(e)
        }
    })?;

    let kind = name.token().unwrap_or(TokenKind::Connection);
    let (text, from) = source.read_text(kind, io.err)?;
    // Right after the token is read, before anything is sent: a token read from standard
    // input could not be looked for earlier.
    check_args(argv, &source.known)?;
    let invalid = |e: Error| Failure::Token(format!("{e} (read from {from})"));
    if let Command::Watch { history } = a.command {
        let token = ParticipantToken::new(text).map_err(invalid)?;
        return watch(&client, token, history, argv, source, io);
    }
    if let Command::CreateParticipantConnection(r) = &a.command {
        let token = ParticipantToken::new(text).map_err(invalid)?;
        let out = client.create_participant_connection(&token, r)?;
        let shield = Shield::new(&source.known, argv);
        if a.json {
            let _ = writeln!(
                io.out,
                "{}",
                shield.answer(name, &output::connection_json(&out))
            );
        } else {
            let (printed, notes) = output::connection_human(&out);
            if let Some(p) = printed {
                let _ = writeln!(io.out, "{}", shield.answer(name, &p));
            }
            let _ = io.err.write_all(shield.own(&notes).as_bytes());
        }
        return Ok(());
    }

    let token = ConnectionToken::new(text).map_err(invalid)?;
    if let (Command::GetAttachment { request, .. }, Local::Download(partial)) =
        (&a.command, &mut local)
    {
        let n = download(&client, &token, request, partial, &mut source.known)?;
        let path = partial.target.to_string_lossy().into_owned();
        let line = if a.json {
            output::saved_json(n, &path)
        } else {
            output::saved_line(n, &path)
        };
        let shield = Shield::new(&source.known, argv);
        let _ = writeln!(io.out, "{}", shield.answer(name, &line));
        return Ok(());
    }
    let shield = Shield::new(&source.known, argv);
    // Each line of the answer, scrubbed; false once standard output is closed.
    let mut print = |line: &str| -> bool {
        let line = shield.answer(name, line);
        writeln!(io.out, "{line}").is_ok()
    };
    match &a.command {
        Command::SendMessage(r) => {
            let out = client.send_message(&token, r)?;
            print(&if a.json {
                output::message_json(&out)
            } else {
                output::sent_line("message", out.id.as_deref(), out.absolute_time.as_ref())
            });
        }
        Command::SendEvent(_, r) => {
            let out = client.send_event(&token, r)?;
            print(&if a.json {
                output::event_json(&out)
            } else {
                let label = output::event_label(name, r.content_type().as_str());
                output::sent_line(&label, out.id.as_deref(), out.absolute_time.as_ref())
            });
        }
        Command::DisconnectParticipant(r) => {
            client.disconnect_participant(&token, r)?;
            print(if a.json { "{}" } else { "disconnected" });
        }
        Command::UploadAttachment { request, .. } => {
            let Local::Upload(file) = local else {
                unreachable!("opened above")
            };
            // Streamed from the file by the library, never read whole.
            let out = client.upload_attachment(&token, request, file)?;
            print(&if a.json {
                output::uploaded_json(&out.attachment_id, out.size)
            } else {
                output::uploaded_line(request.name(), &out.attachment_id, out.size)
            });
        }
        Command::GetAttachment { request, .. } => {
            let out = client.get_attachment(&token, request)?;
            if a.json {
                print(&output::attachment_json(&out));
            } else {
                print(&output::attachment_line(&out));
                let _ = io
                    .err
                    .write_all(shield.own(output::ATTACHMENT_URL_NOTE).as_bytes());
            }
        }
        Command::DescribeView(r) => {
            let out = client.describe_view(&token, r)?;
            if a.json {
                print(&output::view_json(&out));
            } else {
                let Some(view) = &out.view else {
                    return Err(Failure::Answer(
                        "the service answered DescribeView without a View".into(),
                    ));
                };
                for line in output::view_lines(view) {
                    if !print(&line) {
                        break;
                    }
                }
            }
        }
        Command::GetAuthenticationUrl(r) => {
            let out = client.get_authentication_url(&token, r)?;
            if a.json {
                print(&output::authentication_url_json(&out));
            } else {
                let Some(url) = &out.authentication_url else {
                    return Err(Failure::Answer(
                        "the service answered GetAuthenticationUrl without an \
                         AuthenticationUrl"
                            .into(),
                    ));
                };
                print(&connect_participant::__cli::printable(url, usize::MAX));
            }
        }
        Command::CancelParticipantAuthentication(r) => {
            client.cancel_participant_authentication(&token, r)?;
            print(if a.json { "{}" } else { "cancelled" });
        }
        Command::GetTranscript { request, paginate } => {
            let line = |item: &Item| {
                if a.json {
                    output::item_json(item)
                } else {
                    output::item_line(item)
                }
            };
            if *paginate {
                // Printed page by page as they come: a long transcript shows at once, and
                // a failure on a later page keeps what was read before it. A server that
                // answers a new NextToken forever is stopped by the page bound.
                let pages = client.transcript_pages(&token, request.clone());
                for (n, page) in pages.enumerate() {
                    if n == MAX_PAGES {
                        return Err(Failure::Answer(
                            "stopped after 10000 pages: the service kept answering a new \
                             NextToken"
                                .into(),
                        ));
                    }
                    let page = page?;
                    if !page.transcript.iter().all(|item| print(&line(item))) {
                        break;
                    }
                }
            } else {
                let page = client.get_transcript(&token, request)?;
                for item in &page.transcript {
                    if !print(&line(item)) {
                        break;
                    }
                }
                if let Some(next) = page.next_token.as_deref().filter(|t| !t.is_empty()) {
                    let note = format!(
                        "more items: continue with --next-token {}\n",
                        connect_participant::__cli::printable(next, 1000)
                    );
                    let _ = io.err.write_all(shield.own(&note).as_bytes());
                }
            }
        }
        Command::CreateParticipantConnection(_)
        | Command::Watch { .. }
        | Command::Emulator { .. } => {
            unreachable!("run above")
        }
    }
    Ok(())
}

/// The local file a command uses, opened or made before the token is read.
enum Local {
    None,
    /// The attachment to upload.
    Upload(File),
    /// Where get-attachment --output-file writes.
    Download(Partial),
}

/// Opens the attachment to upload and measures it. Refused here, before anything is sent:
/// a file that cannot be opened, or is not a regular file (a directory, a pipe: the
/// service needs the size first, and the upload may have to be sent again from the start).
fn open_attachment(path: &Path) -> Result<(File, u64), Failure> {
    let shown = quoted(&path.to_string_lossy());
    let file = File::open(path)
        .map_err(|e| Failure::Input(format!("cannot open {shown}: {e}; nothing was sent")))?;
    let meta = file
        .metadata()
        .map_err(|e| Failure::Input(format!("cannot read {shown}: {e}; nothing was sent")))?;
    if !meta.is_file() {
        return Err(Failure::Input(format!(
            "{shown} is not a regular file; nothing was sent"
        )));
    }
    Ok((file, meta.len()))
}

/// The temporary file a download goes to, next to its target, renamed onto the target
/// once whole: a failed download leaves nothing behind, and never a partial target.
/// Removed when dropped unless [`Partial::finish`] renamed it.
struct Partial {
    file: Option<File>,
    temporary: PathBuf,
    target: PathBuf,
}

impl Partial {
    /// Makes the temporary file (`.<name>.<pid>.part`, next to `target`), new: never one
    /// that exists.
    fn create(target: &Path) -> Result<Partial, Failure> {
        let shown = quoted(&target.to_string_lossy());
        let Some(name) = target.file_name() else {
            return Err(Failure::Input(format!(
                "--output-file {shown} names no file; nothing was sent"
            )));
        };
        if target.is_dir() {
            return Err(Failure::Input(format!(
                "--output-file {shown} is a directory; nothing was sent"
            )));
        }
        let mut temporary_name = OsString::from(".");
        temporary_name.push(name);
        temporary_name.push(format!(".{}.part", std::process::id()));
        let temporary = target.with_file_name(temporary_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
            .map_err(|e| {
                Failure::Input(format!(
                    "cannot write next to --output-file {shown}: {e}; nothing was sent"
                ))
            })?;
        Ok(Partial {
            file: Some(file),
            temporary,
            target: target.to_owned(),
        })
    }

    /// Writes the file's bytes to disk and renames it onto the target.
    fn finish(&mut self) -> Result<(), Failure> {
        let shown = quoted(&self.target.to_string_lossy());
        let fail = |e: io::Error| {
            Failure::LocalFile(format!(
                "could not save the attachment to {shown}: {e}; nothing was written there"
            ))
        };
        if let Some(file) = self.file.take() {
            file.sync_all().map_err(fail)?;
        }
        fs::rename(&self.temporary, &self.target).map_err(fail)?;
        self.temporary = PathBuf::new();
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        drop(self.file.take());
        if !self.temporary.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

/// `get-attachment --output-file`: GetAttachment, then the download from its URL to the
/// temporary file (at most [`MAX_ATTACHMENT_BYTES`]), then the rename. The URL is added to
/// the known secrets as soon as it is known, so that no report shows it.
fn download(
    client: &Client,
    token: &ConnectionToken,
    request: &GetAttachmentRequest,
    partial: &mut Partial,
    known: &mut Vec<(TokenKind, String)>,
) -> Result<u64, Failure> {
    let out = client.get_attachment(token, request)?;
    let Some(url) = out.url else {
        return Err(Failure::Answer(
            "the service answered GetAttachment without a Url".into(),
        ));
    };
    known.push((TokenKind::Connection, url.expose_secret().to_owned()));
    let Some(file) = partial.file.as_mut() else {
        unreachable!("finished only once")
    };
    let n = client.download_attachment(&url, file, MAX_ATTACHMENT_BYTES)?;
    let expected = out.attachment_size_in_bytes;
    // 0: the service left the size out.
    if expected != 0 && n != expected {
        return Err(Failure::Answer(format!(
            "the download has {n} bytes, but GetAttachment gave AttachmentSizeInBytes \
             {expected}; nothing was written to the output file"
        )));
    }
    partial.finish()?;
    Ok(n)
}

/// `watch`: connects as the participant, opens the chat stream, and prints each event as
/// one JSON line (flushed) until `chat.ended`. A failure, even after lines were printed,
/// is returned for the usual report. Standard output closed: the watch stops, done.
///
/// The connection token and the WebSocket URL the participant holds are secrets this
/// program never prints: each one is added to `source.known` as soon as it is seen, so
/// that the shield over every line, and over the error report `main` writes, scrubs them
/// too (the URL stands there as a connection-kind secret: it grants the same access).
fn watch<R: BufRead>(
    client: &Client,
    token: ParticipantToken,
    history: bool,
    argv: &[String],
    source: &mut TokenSource<R>,
    io: &mut Streams<'_>,
) -> Result<(), Failure> {
    let participant = Participant::connect(client, token)?;
    let mut seen = Secrets::default();
    seen.learn(&participant, &mut source.known);
    let opened = ChatStream::builder(&participant).history(history).open();
    // Opening may renew the connection (a new URL, a new token).
    seen.learn(&participant, &mut source.known);
    for event in opened? {
        seen.learn(&participant, &mut source.known);
        let event = event?;
        let line =
            Shield::new(&source.known, argv).answer(Name::Watch, &output::watch_json(&event));
        if writeln!(io.out, "{line}")
            .and_then(|()| io.out.flush())
            .is_err()
        {
            return Ok(());
        }
        if matches!(event, Event::ChatEnded(_)) {
            return Ok(());
        }
    }
    // The stream ends after chat.ended or after an error, both returned above.
    Ok(())
}

/// What of the participant's connection `watch` has already added to the known secrets.
#[derive(Default)]
struct Secrets {
    /// The connection expiry and WebSocket URL last seen: a change means a renewal.
    last: Option<(Option<Timestamp>, Option<String>)>,
}

impl Secrets {
    /// Adds the participant's current connection token and WebSocket URL to `known`
    /// when its connection changed since the last look. The token is read only then, so
    /// that looking does not renew a connection the stream has not asked to renew.
    fn learn(&mut self, participant: &Participant, known: &mut Vec<(TokenKind, String)>) {
        let url = participant
            .websocket()
            .and_then(|w| w.url)
            .map(|u| u.expose_secret().to_owned());
        let now = (participant.connection_expiry(), url);
        if self.last.as_ref() == Some(&now) {
            return;
        }
        let mut add = |secret: String| {
            if !known.iter().any(|(_, k)| *k == secret) {
                known.push((TokenKind::Connection, secret));
            }
        };
        if let Ok(t) = participant.connection_token() {
            add(t.expose_secret().to_owned());
        }
        if let Some(u) = &now.1 {
            add(u.clone());
        }
        self.last = Some(now);
    }
}

/// Serves the emulator until the process is killed: its base URL first, on a line of its
/// own, then nothing more on standard output.
fn serve(port: u16, io: &mut Streams<'_>) -> Result<(), Failure> {
    let emulator = Emulator::builder()
        .port(port)
        .start()
        .map_err(Failure::Emulator)?;
    let url = emulator.url();
    let _ = writeln!(io.out, "{url}");
    let _ = io.out.flush();
    let _ = writeln!(
        io.err,
        "serving the Participant Service emulator at {url} until killed; start a chat \
         with: curl -s -X POST -H 'Content-Type: application/json' {url}/emulator/chats"
    );
    let _ = io.err.flush();
    emulator.wait()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A realistic token: hundreds of base64 characters.
    fn long_token() -> String {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..300usize)
            .map(|i| char::from(alphabet[(i * 37 + i / 7) % 64]))
            .collect()
    }

    const SHORT_TOKEN: &str = "conn-token-12345";
    const READ_TYPE: &str = "application/vnd.amazonaws.connect.event.message.read";

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| (*s).to_owned()).collect()
    }

    /// The report of running `args` with these tokens in the environment (and nothing on
    /// standard input), as `main` writes it. Never reaches the network: every case here
    /// fails first.
    fn run_with_env(
        args: &[&str],
        participant: Option<&str>,
        connection: Option<&str>,
    ) -> (Result<String, String>, u8) {
        run_with_aws_env(args, &[], participant, connection)
    }

    /// As [`run_with_env`], with these AWS variables (and no other) in the environment.
    fn run_with_aws_env(
        args: &[&str],
        aws: &[(&str, &str)],
        participant: Option<&str>,
        connection: Option<&str>,
    ) -> (Result<String, String>, u8) {
        let lookup = |name: &str| {
            aws.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        };
        let args = strings(args);
        let mut source = TokenSource::new(
            participant.map(OsString::from),
            connection.map(OsString::from),
            &b""[..],
            false,
        );
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let outcome = execute(
            &args,
            &lookup,
            &mut source,
            &mut Streams {
                out: &mut out,
                err: &mut err,
            },
        );
        let shield = Shield::new(&source.known, &args);
        match outcome {
            Ok(()) => (Ok(String::from_utf8(out).unwrap()), 0),
            Err(f) => (Err(f.report(&shield)), f.exit_code()),
        }
    }

    #[test]
    fn the_aws_variables_are_read_and_checked() {
        // Neither on the command line nor in the environment: a usage error.
        let (report, code) = run_with_aws_env(&["typing"], &[], None, Some(SHORT_TOKEN));
        assert_eq!(code, EXIT_USAGE);
        assert_eq!(
            report.unwrap_err(),
            "error: give --region <REGION> or --endpoint-url <URL>, or set AWS_REGION or \
             AWS_ENDPOINT_URL\nhint: run 'connect-participant typing --help' for usage\n"
        );
        // A malformed variable: exit 2, the library's message, before a token is read.
        for (aws, message) in [
            (
                ("AWS_MAX_ATTEMPTS", "x"),
                "invalid AWS_MAX_ATTEMPTS: \"x\": must be a whole number from 1 to 20",
            ),
            (
                ("AWS_REGION", "us west"),
                "invalid AWS_REGION: \"us west\": a region is letters, digits and inner \
                 hyphens, 1 to 63 characters (like us-east-1)",
            ),
            (
                ("AWS_ENDPOINT_URL", "https://u:hunter2@h"),
                "invalid AWS_ENDPOINT_URL: \"https://[redacted]@h\": it cannot carry user info",
            ),
        ] {
            let (report, code) =
                run_with_aws_env(&["--region", "us-east-1", "typing"], &[aws], None, None);
            assert_eq!(code, EXIT_USAGE, "{aws:?}");
            assert_eq!(
                report.unwrap_err(),
                format!("error: {message}\n"),
                "{aws:?}"
            );
        }
        // The environment's FIPS gives way to --endpoint-url, but not to nothing.
        let env = [
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
        ];
        let (report, code) = run_with_aws_env(&["typing"], &env, None, None);
        assert_eq!(code, EXIT_USAGE);
        assert_eq!(
            report.unwrap_err(),
            "error: a custom endpoint URL cannot be combined with FIPS or dual-stack (set by \
             AWS_ENDPOINT_URL, AWS_USE_FIPS_ENDPOINT)\n"
        );
    }

    fn refusal(what: &str, kind: &str) -> String {
        format!("error: {what} holds the {kind}; it was neither sent nor shown\n")
    }

    #[test]
    fn arguments_holding_either_token_are_refused_unshown() {
        for token in [long_token(), SHORT_TOKEN.to_owned()] {
            let t = token.as_str();
            let inside = format!("http://{t}.example.com");
            let endpoint_eq = format!("--endpoint={t}");
            let bogus_eq = format!("--bogus={t}");
            let content = format!("{{\"messageId\":\"{t}\"}}");
            let file = format!("{t}.pdf");
            let cases: [(&[&str], &str); 18] = [
                (&["--endpoint", t, "typing"], "the argument of --endpoint"),
                (
                    &["--endpoint-url", &inside, "typing"],
                    "the argument of --endpoint-url",
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
                (
                    &[
                        "--region",
                        "r",
                        "send-event",
                        "--content-type",
                        READ_TYPE,
                        "--content",
                        &content,
                    ],
                    "the argument of --content",
                ),
                (
                    &["--region", "r", "send-message", "--content", t],
                    "the argument of --content",
                ),
                (
                    &["--region", "r", "get-transcript", "--next-token", t],
                    "the argument of --next-token",
                ),
                (&["--region", "r", &bogus_eq, "typing"], "argument 3"),
                (&["--region", "r", "--bogus", t, "typing"], "argument 4"),
                // Even where help would win, and after `--`.
                (&["--help", "--", t], "argument 3"),
                (&["--region", "r", "upload-attachment", &file], "argument 4"),
                (
                    &["--region", "r", "get-attachment", "--attachment-id", t],
                    "the argument of --attachment-id",
                ),
                (
                    &[
                        "--region",
                        "r",
                        "get-attachment",
                        "--attachment-id",
                        "a",
                        "--output-file",
                        &file,
                    ],
                    "the argument of --output-file",
                ),
                (
                    &["--region", "r", "describe-view", "--view-token", t],
                    "the argument of --view-token",
                ),
            ];
            for (args, what) in cases {
                let (report, code) = run_with_env(args, None, Some(t));
                assert_eq!(report, Err(refusal(what, "connection token")), "{args:?}");
                assert_eq!(code, EXIT_USAGE);
                // The participant token, from its variable, the same.
                let (report, _) = run_with_env(args, Some(t), None);
                assert_eq!(report, Err(refusal(what, "participant token")), "{args:?}");
            }
            // The option meant for the token keeps its own, more helpful refusal.
            let (report, _) = run_with_env(&["--token", t, "typing"], None, Some(t));
            let report = report.unwrap_err();
            assert!(
                report.contains("is not taken from the command line"),
                "{report}"
            );
        }
    }

    #[test]
    fn a_piece_of_the_token_counts_a_short_token_only_whole() {
        let token = long_token();
        let tokens = |t: &str| vec![(TokenKind::Connection, t.to_owned())];
        // Cut short or wrapped in a paste: a run of 16 characters is enough.
        let piece = &token[100..116];
        assert!(check_args(&[piece.to_owned()], &tokens(&token)).is_err());
        assert!(check_args(&[token[..15].to_owned()], &tokens(&token)).is_ok());
        let ordinary = strings(&[
            "--region",
            "us-west-2",
            "--endpoint",
            "http://127.0.0.1:8080",
            "read",
            "11111111-aaaa-bbbb-cccc-EXAMPLE01234",
        ]);
        for t in [token.as_str(), SHORT_TOKEN, "abc", "12345678"] {
            assert!(check_args(&ordinary, &tokens(t)).is_ok(), "{t}");
        }
        // A token too short to look for inside arguments is refused only when whole.
        let short = strings(&["read", "abc"]);
        let shield = Shield::new(&[], &[]);
        assert_eq!(
            check_args(&short, &tokens("abc"))
                .unwrap_err()
                .report(&shield),
            refusal("argument 2", "connection token")
        );
        assert!(check_args(&strings(&["xabcx"]), &tokens("abc")).is_ok());
        // From 8 characters on, inside too.
        assert!(check_args(&strings(&["m-12345678-x"]), &tokens("12345678")).is_err());
    }

    /// A failed run: its report, the tokens it learnt, its standard output and error.
    type Failed = (String, Vec<(TokenKind, String)>, Vec<u8>, Vec<u8>);

    /// Runs a command line that fails, the token piped on `stdin`.
    fn fail(args: &[&str], stdin: &[u8], terminal: bool) -> Failed {
        let args = strings(args);
        let mut source = TokenSource::new(None, None, stdin, terminal);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let f = execute(
            &args,
            &|_| None,
            &mut source,
            &mut Streams {
                out: &mut out,
                err: &mut err,
            },
        )
        .unwrap_err();
        let shield = Shield::new(&source.known, &args);
        (f.report(&shield), source.known, out, err)
    }

    #[test]
    fn a_piped_token_is_read_to_check_a_failing_command_line() {
        let piped = format!("{SHORT_TOKEN}\n");
        let (report, known, _, _) = fail(
            &["--region", "r", "--timeout", SHORT_TOKEN, "typing"],
            piped.as_bytes(),
            false,
        );
        assert_eq!(
            report,
            refusal("the argument of --timeout", "connection token")
        );
        assert_eq!(known, vec![(TokenKind::Connection, SHORT_TOKEN.to_owned())]);
        // For create-participant-connection the piped token is the participant token.
        let (report, known, _, _) = fail(
            &["--endpoint", SHORT_TOKEN, "create-participant-connection"],
            piped.as_bytes(),
            false,
        );
        assert_eq!(
            report,
            refusal("the argument of --endpoint", "participant token")
        );
        assert_eq!(known[0].0, TokenKind::Participant);
        // Any other error is reported as it was.
        let (report, _, _, _) = fail(&["--region", "r", "tpying"], piped.as_bytes(), false);
        assert!(
            report.starts_with("error: unknown command \"tpying\": expected one of "),
            "{report}"
        );
        assert!(report.ends_with("\nhint: run 'connect-participant --help' for usage\n"));
        // A terminal is neither read nor prompted.
        let (report, known, _, prompt) = fail(
            &["--region", "r", "--timeout", "x", "typing"],
            piped.as_bytes(),
            true,
        );
        assert!(report.starts_with("error: --timeout needs"), "{report}");
        assert_eq!((known, prompt), (Vec::new(), Vec::new()));
        // Nor is standard input read for the emulator, which takes no token.
        let (_, known, _, _) = fail(&["emulator", "--port", "x"], piped.as_bytes(), false);
        assert!(known.is_empty());
    }

    #[test]
    fn watch_reads_the_participant_token_and_refuses_it_in_an_argument() {
        // The connection token's variable is not where watch looks.
        let (report, code) = run_with_env(&["--region", "r", "watch"], None, Some(SHORT_TOKEN));
        assert_eq!(
            report,
            Err(
                "error: no participant token: set CONNECT_PARTICIPANT_TOKEN or pipe the \
                 token on standard input\n"
                    .into()
            )
        );
        assert_eq!(code, EXIT_USAGE);
        // The participant token pasted into an argument: refused unshown.
        let (report, code) = run_with_env(
            &["--endpoint", SHORT_TOKEN, "watch", "--history"],
            Some(SHORT_TOKEN),
            None,
        );
        assert_eq!(
            report,
            Err(refusal("the argument of --endpoint", "participant token"))
        );
        assert_eq!(code, EXIT_USAGE);
        // A piped token is the participant token when the line fails.
        let piped = format!("{SHORT_TOKEN}\n");
        let (report, _, out, _) = fail(
            &["--endpoint", SHORT_TOKEN, "watch"],
            piped.as_bytes(),
            false,
        );
        assert_eq!(
            report,
            refusal("the argument of --endpoint", "participant token")
        );
        assert!(out.is_empty());
    }

    #[test]
    fn usage_report_points_to_the_commands_help() {
        let shield = Shield::new(&[], &[]);
        let f = Failure::Usage(UsageError::new("no command"));
        assert_eq!(
            f.report(&shield),
            "error: no command\nhint: run 'connect-participant --help' for usage\n"
        );
        let f =
            Failure::Usage(parse_args(&strings(&["--region", "r", "typing", "x"])).unwrap_err());
        assert!(
            f.report(&shield)
                .ends_with("hint: run 'connect-participant typing --help' for usage\n")
        );
    }

    #[test]
    fn long_region_or_endpoint_is_measured_by_the_library() {
        let long = format!("us-{}", "w".repeat(64));
        let (report, code) = run_with_env(&["--region", &long, "typing"], None, Some(SHORT_TOKEN));
        assert_eq!(
            report,
            Err(
                "error: invalid region (67 characters, not shown): a region is letters, \
                 digits and inner hyphens, 1 to 63 characters (like us-east-1)\n"
                    .into()
            )
        );
        assert_eq!(code, EXIT_USAGE);
        let (report, code) = run_with_env(
            &["--endpoint", "ftp://h", "typing"],
            None,
            Some(SHORT_TOKEN),
        );
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
    fn arguments_are_named_by_option_or_position() {
        let args = strings(&[
            "--region",
            "r",
            "--timeout=1",
            "--json",
            "x",
            "--bogus=1",
            "--content",
            "c",
            "--",
            "--endpoint=y",
            "z",
        ]);
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
                "the argument of --content",
                "argument 9",
                "argument 10",
                "argument 11",
            ]
        );
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
            ErrorKind::ChatEnded,
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
        assert_eq!(exit_code(ErrorKind::ServiceQuotaExceeded), 3);
        assert_eq!(exit_code(ErrorKind::ResourceNotFound), 3);
        assert_eq!(exit_code(ErrorKind::Io), 5);
        assert_eq!(Failure::Usage(UsageError::new("x")).exit_code(), 2);
        assert_eq!(Failure::Token("x".into()).exit_code(), 2);
        assert_eq!(Failure::Input("x".into()).exit_code(), 2);
        assert_eq!(Failure::LocalFile("x".into()).exit_code(), 5);
        assert_eq!(Failure::Answer("x".into()).exit_code(), 3);
        assert_eq!(
            Failure::Emulator(io::Error::from(io::ErrorKind::AddrInUse)).exit_code(),
            4
        );
    }

    /// A directory of its own under the system's temporary one, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!("cp-cli-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn path(&self, name: &str) -> String {
            self.0.join(name).to_str().unwrap().to_owned()
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn local_files_and_limits_are_refused_before_the_token_is_read() {
        let dir = TempDir::new("refused");
        let empty = dir.path("empty.pdf");
        fs::write(&empty, b"").unwrap();
        let sub = dir.path("sub.pdf");
        fs::create_dir(&sub).unwrap();
        let missing = dir.path("missing.pdf");
        let nowhere = dir.path("no/such/dir/a.pdf");
        let e = "--endpoint-url=http://127.0.0.1:1";
        let short_session = "8a8f6f3e-3b4e-4b6e-9d5c-0d8a7f4c2e1";
        let cases: Vec<(Vec<&str>, String)> =
            vec![
            (
                vec![e, "upload-attachment", &missing],
                format!(
                    "error: cannot open {}: No such file or directory (os error 2); nothing \
                     was sent\n",
                    quoted(&missing)
                ),
            ),
            (
                vec![e, "upload-attachment", &sub],
                format!(
                    "error: {} is not a regular file; nothing was sent\n",
                    quoted(&sub)
                ),
            ),
            (
                vec![e, "upload-attachment", &empty],
                "error: invalid AttachmentSizeInBytes: 0 bytes, must be 1 to 20000000 (20 MB)\n"
                    .into(),
            ),
            (
                vec![e, "get-attachment", "--attachment-id", "a", "--output-file", &nowhere],
                format!(
                    "error: cannot write next to --output-file {}: No such file or directory \
                     (os error 2); nothing was sent\n",
                    quoted(&nowhere)
                ),
            ),
            (
                vec![e, "get-attachment", "--attachment-id", "a", "--output-file", &sub],
                format!(
                    "error: --output-file {} is a directory; nothing was sent\n",
                    quoted(&sub)
                ),
            ),
            (
                vec![e, "get-attachment", "--attachment-id", "a", "--url-expiry-in-seconds", "4"],
                "error: invalid UrlExpiryInSeconds: 4, must be 5 to 300\n".into(),
            ),
            (
                vec![e, "describe-view", "--view-token", ""],
                "error: invalid ViewToken: 0 characters, must be 1 to 1000\n".into(),
            ),
            (
                vec![e, "cancel-participant-authentication", "--session-id", short_session],
                "error: invalid SessionId: 35 characters, must be exactly 36\n".into(),
            ),
            (
                vec![
                    e,
                    "get-authentication-url",
                    "--session-id",
                    short_session,
                    "--redirect-uri",
                    "https://e/x",
                ],
                "error: invalid SessionId: 35 characters, must be exactly 36\n".into(),
            ),
        ];
        for (args, want) in cases {
            // No token anywhere: reading one would fail with another message.
            let (report, code) = run_with_env(&args, None, None);
            assert_eq!(report, Err(want), "{args:?}");
            assert_eq!(code, EXIT_USAGE, "{args:?}");
        }
        // Nothing was left next to the download's target.
        let left: Vec<_> = fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 2, "{left:?}");
        // The extension check: --content-type does not make another extension acceptable.
        let exe = dir.path("a.exe");
        fs::write(&exe, b"MZ").unwrap();
        let (report, code) = run_with_env(
            &[e, "upload-attachment", &exe, "--content-type", "x/y"],
            None,
            None,
        );
        assert!(
            report
                .unwrap_err()
                .starts_with("error: invalid AttachmentName: \"a.exe\": the service takes only"),
        );
        assert_eq!(code, EXIT_USAGE);
    }

    #[test]
    fn a_download_left_unfinished_leaves_no_file() {
        let dir = TempDir::new("partial");
        let target = PathBuf::from(dir.path("a.pdf"));
        let mut partial = Partial::create(&target).unwrap();
        let temporary = partial.temporary.clone();
        assert_eq!(temporary.parent(), target.parent());
        assert_eq!(
            temporary.file_name().unwrap().to_str().unwrap(),
            format!(".a.pdf.{}.part", std::process::id())
        );
        partial.file.as_mut().unwrap().write_all(b"half").unwrap();
        assert!(temporary.exists());
        drop(partial);
        assert!(!temporary.exists() && !target.exists());
        // Finished: renamed onto the target, replacing what was there.
        fs::write(&target, b"old").unwrap();
        let mut partial = Partial::create(&target).unwrap();
        partial.file.as_mut().unwrap().write_all(b"whole").unwrap();
        partial.finish().unwrap();
        drop(partial);
        assert_eq!(fs::read(&target).unwrap(), b"whole");
        assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 1);
    }

    #[test]
    fn tokens_come_from_their_variable_first_then_the_first_line_of_stdin() {
        let read = |kind: TokenKind,
                    participant: Option<&str>,
                    connection: Option<&str>,
                    stdin: &[u8],
                    terminal: bool| {
            let mut prompt = Vec::new();
            let mut source = TokenSource::new(
                participant.map(OsString::from),
                connection.map(OsString::from),
                stdin,
                terminal,
            );
            let shield = Shield::new(&[], &[]);
            let t = source
                .read_text(kind, &mut prompt)
                .map(|(t, _)| t)
                .map_err(|f| f.report(&shield));
            (t, String::from_utf8(prompt).unwrap())
        };
        use TokenKind::{Connection, Participant};
        assert_eq!(
            read(Connection, Some("p"), Some("env-tok"), b"stdin-tok\n", true),
            (Ok("env-tok".into()), String::new())
        );
        assert_eq!(
            read(Participant, Some("p-tok"), Some("c"), b"stdin-tok\n", true),
            (Ok("p-tok".into()), String::new())
        );
        // The other kind's variable is not this kind's source.
        assert_eq!(
            read(Participant, None, Some("c-tok"), b"stdin-tok\n", false),
            (Ok("stdin-tok".into()), String::new())
        );
        assert_eq!(
            read(Connection, None, Some(""), b"stdin-tok\r\n", false),
            (Ok("stdin-tok".into()), String::new())
        );
        assert_eq!(
            read(Connection, None, None, b"stdin-tok\nsecond\n", false).0,
            Ok("stdin-tok".into())
        );
        assert_eq!(
            read(Connection, None, None, b"stdin-tok\n", true),
            (
                Ok("stdin-tok".into()),
                "connection token (input is shown): ".into()
            )
        );
        assert_eq!(
            read(Participant, None, None, b"stdin-tok\n", true).1,
            "participant token (input is shown): "
        );
        assert_eq!(
            read(Connection, None, None, b"", false).0,
            Err(
                "error: no connection token: set CONNECT_CONNECTION_TOKEN or pipe the \
                 token on standard input\n"
                    .into()
            )
        );
        assert_eq!(
            read(Participant, None, Some(""), b"\r\n", false).0,
            Err(
                "error: no participant token: set CONNECT_PARTICIPANT_TOKEN or pipe the \
                 token on standard input\n"
                    .into()
            )
        );
        assert_eq!(
            read(Connection, None, None, b"not UTF-8 \xff\n", false).0,
            Err("error: the connection token on standard input is not valid UTF-8\n".into())
        );
    }
}
