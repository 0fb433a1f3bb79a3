//! Running commands without the network: the tokens' sources and refusals, the reports,
//! the exit statuses and the local files, each checked before anything is sent.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use connect_participant::__cli::quoted;

use super::tokens::argument_name;
use super::tokens::tests::read_token;
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
        report.starts_with("error: unknown command \"tpying\": did you mean typing?\n"),
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
            "error: watch needs the participant token (from StartChatContact), and \
             CONNECT_PARTICIPANT_TOKEN is unset: the connection token found in \
             CONNECT_CONNECTION_TOKEN cannot serve; set CONNECT_PARTICIPANT_TOKEN or pipe \
             the participant token on standard input\n"
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
    let f = Failure::Usage(parse_args(&strings(&["--region", "r", "typing", "x"])).unwrap_err());
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
    // Every kind the library lists has the status the help documents; a kind added to
    // ErrorKind::ALL fails here until it is given one.
    for kind in ErrorKind::ALL {
        let want = match kind {
            ErrorKind::InvalidInput | ErrorKind::InvalidConfig => 2,
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
            | ErrorKind::Left => 3,
            ErrorKind::Transport
            | ErrorKind::Timeout
            | ErrorKind::Certificate
            | ErrorKind::RandomSource => 4,
            ErrorKind::Io => 5,
            other => panic!("ErrorKind::{other:?} has no documented exit status"),
        };
        assert_eq!(exit_code(*kind), want, "{kind:?}");
    }
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
    let cases: Vec<(Vec<&str>, String)> = vec![
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
            "error: invalid AttachmentSizeInBytes: 0 bytes, must be 1 to 20000000 (20 MB)\n".into(),
        ),
        (
            vec![
                e,
                "get-attachment",
                "--attachment-id",
                "a",
                "--output-file",
                &nowhere,
            ],
            format!(
                "error: cannot write next to --output-file {}: No such file or directory \
                 (os error 2); nothing was sent\n",
                quoted(&nowhere)
            ),
        ),
        (
            vec![
                e,
                "get-attachment",
                "--attachment-id",
                "a",
                "--output-file",
                &sub,
            ],
            format!(
                "error: --output-file {} is a directory; nothing was sent\n",
                quoted(&sub)
            ),
        ),
        (
            vec![
                e,
                "get-attachment",
                "--attachment-id",
                "a",
                "--url-expiry-in-seconds",
                "4",
            ],
            "error: invalid UrlExpiryInSeconds: 4, must be 5 to 300\n".into(),
        ),
        (
            vec![e, "describe-view", "--view-token", ""],
            "error: invalid ViewToken: 0 characters, must be 1 to 1000\n".into(),
        ),
        (
            vec![
                e,
                "cancel-participant-authentication",
                "--session-id",
                short_session,
            ],
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
    let read = |command: Name,
                participant: Option<&str>,
                connection: Option<&str>,
                stdin: &[u8],
                terminal: bool| {
        let (t, prompt) = read_token(command, participant, connection, stdin, terminal);
        (t.map_err(|f| f.report(&Shield::new(&[], &[]))), prompt)
    };
    assert_eq!(
        read(
            Name::Typing,
            Some("p"),
            Some("env-tok"),
            b"stdin-tok\n",
            true
        ),
        (Ok("env-tok".into()), String::new())
    );
    assert_eq!(
        read(Name::Watch, Some("p-tok"), Some("c"), b"stdin-tok\n", true),
        (Ok("p-tok".into()), String::new())
    );
    // The other kind's variable is not this kind's source.
    assert_eq!(
        read(Name::Watch, None, Some("c-tok"), b"stdin-tok\n", false),
        (Ok("stdin-tok".into()), String::new())
    );
    assert_eq!(
        read(Name::Typing, None, Some(""), b"stdin-tok\r\n", false),
        (Ok("stdin-tok".into()), String::new())
    );
    assert_eq!(
        read(Name::Typing, None, None, b"stdin-tok\nsecond\n", false).0,
        Ok("stdin-tok".into())
    );
    assert_eq!(
        read(Name::Typing, None, None, b"stdin-tok\n", true),
        (
            Ok("stdin-tok".into()),
            "connection token (input is shown): ".into()
        )
    );
    assert_eq!(
        read(Name::Watch, None, None, b"stdin-tok\n", true).1,
        "participant token (input is shown): "
    );
    assert_eq!(
        read(Name::Typing, None, None, b"", false).0,
        Err(
            "error: no connection token: set CONNECT_CONNECTION_TOKEN or pipe the \
             token on standard input\n"
                .into()
        )
    );
    assert_eq!(
        read(Name::Watch, None, Some(""), b"\r\n", false).0,
        Err(
            "error: no participant token: set CONNECT_PARTICIPANT_TOKEN or pipe the \
             token on standard input\n"
                .into()
        )
    );
    assert_eq!(
        read(Name::Typing, None, None, b"not UTF-8 \xff\n", false).0,
        Err("error: the connection token on standard input is not valid UTF-8\n".into())
    );
}
