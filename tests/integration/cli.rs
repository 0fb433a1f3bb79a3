//! The `connect-event` binary, run as a user runs it, against the emulator on 127.0.0.1:
//! its commands, exit codes, output formats, and its refusal to take the connection token
//! from the command line (issue 5).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use connect_participant::ConnectionToken;
use connect_participant::emulator::{Emulator, Fault};
use serde_json::Value;

use crate::scripted::closed_port;

/// A distinctive token, longer than anything the binary echoes, so a leak cannot hide.
const SECRET: &str =
    "CLI-SECRET-TOKEN-4b1e9c7a2f5d8e3b6a0c9f1e4d7b2a5c8e1f4a7d0b3c6e9f2a5d8b1c4e7f0a3d6b9c2e5f8a";

const TYPING: &str = "application/vnd.amazonaws.connect.event.typing";
const DELIVERED: &str = "application/vnd.amazonaws.connect.event.message.delivered";
const READ: &str = "application/vnd.amazonaws.connect.event.message.read";

/// How the binary gets its connection token in one run.
enum Token<'a> {
    /// `CONNECT_CONNECTION_TOKEN` set to this; standard input empty.
    Env(&'a str),
    /// The variable removed; this on standard input.
    Stdin(&'a str),
    /// The variable set but empty; this on standard input.
    EmptyVarAndStdin(&'a str),
}

/// Runs the binary. Every run is checked for the token on stdout and stderr, so each test
/// also proves that nothing it exercised prints the secret.
fn run(args: &[&str], token: Token<'_>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_connect-event"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Only what this test sets may reach the binary's token lookup.
        .env_remove("CONNECT_CONNECTION_TOKEN");
    // The token this run hands over (the first line of standard input, if piped): it must
    // not show either, whole or in part.
    let handed = match &token {
        Token::Env(t) => (*t).to_owned(),
        Token::Stdin(s) | Token::EmptyVarAndStdin(s) => {
            s.lines().next().unwrap_or_default().trim_end().to_owned()
        }
    };
    let input = match token {
        Token::Env(t) => {
            cmd.env("CONNECT_CONNECTION_TOKEN", t);
            ""
        }
        Token::Stdin(s) => s,
        Token::EmptyVarAndStdin(s) => {
            cmd.env("CONNECT_CONNECTION_TOKEN", "");
            s
        }
    };
    let mut child = cmd.spawn().expect("run connect-event");
    let mut stdin = child.stdin.take().expect("piped stdin");
    // The binary may exit (a usage error) before reading: a broken pipe here is fine.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    let out = child.wait_with_output().expect("wait for connect-event");
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(SECRET), "{name} shows the token: {text}");
        assert!(
            !text.contains("4b1e9c7a"),
            "{name} shows part of the token: {text}"
        );
        if let Some(part) = handed.get(8..24) {
            assert!(!text.contains(&handed), "{name} shows the token: {text}");
            assert!(
                !text.contains(part),
                "{name} shows part of the token: {text}"
            );
        }
    }
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// The exit status, with the output in the failure message.
fn code(out: &Output) -> i32 {
    out.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {out:?}"))
}

/// Runs `args` against the emulator's endpoint with a connection token of a new chat in
/// the environment.
fn send(emulator: &Emulator, args: &[&str]) -> Output {
    send_with(emulator, &emulator.connection_token(), args)
}

/// Runs `args` against the emulator's endpoint with `token` in the environment.
fn send_with(emulator: &Emulator, token: &ConnectionToken, args: &[&str]) -> Output {
    let url = emulator.endpoint_url();
    let mut all = vec!["--endpoint", url.as_str()];
    all.extend_from_slice(args);
    run(&all, Token::Env(token.expose_secret()))
}

fn assert_success(out: &Output) {
    assert_eq!(code(out), 0, "stderr: {}", stderr(out));
    assert_eq!(stderr(out), "");
}

/// Exit 2 for a bad command line: one error line, one hint line, nothing on stdout.
fn assert_usage_error(out: &Output, message: &str) {
    assert_eq!(code(out), 2, "{out:?}");
    assert_eq!(stdout(out), "");
    assert_eq!(
        stderr(out),
        format!("error: {message}\nhint: run 'connect-event --help' for usage\n")
    );
}

#[test]
fn typing_reaches_the_emulator_without_content() {
    let emulator = Emulator::start().unwrap();
    let out = send(&emulator, &["typing"]);
    assert_success(&out);
    let events = emulator.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].content_type, TYPING);
    assert_eq!(events[0].content, None);
    assert_eq!(
        stdout(&out),
        format!(
            "sent typing: Id {} at {}\n",
            events[0].id, events[0].absolute_time
        )
    );
}

#[test]
fn read_and_delivered_send_the_message_id_as_json() {
    let emulator = Emulator::start().unwrap();
    // Quotes, a backslash and non-ASCII must reach the service JSON-escaped, not mangled.
    let id = "m-\"1\"\\é😀";
    let read = send(&emulator, &["read", id]);
    assert_success(&read);
    // Options after the command, and `--` before an id that looks like an option.
    let delivered = send(&emulator, &["delivered", "--json", "--", "-5"]);
    assert_success(&delivered);

    let events = emulator.events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].content_type, READ);
    assert_eq!(
        events[0].content.as_deref(),
        Some(r#"{"messageId":"m-\"1\"\\é😀"}"#)
    );
    assert_eq!(
        stdout(&read),
        format!(
            "sent read receipt: Id {} at {}\n",
            events[0].id, events[0].absolute_time
        )
    );
    assert_eq!(events[1].content_type, DELIVERED);
    assert_eq!(events[1].content.as_deref(), Some(r#"{"messageId":"-5"}"#));
}

#[test]
fn raw_sends_the_content_type_and_content_as_given() {
    let emulator = Emulator::start().unwrap();
    let content = r#"{"messageId":"raw-1"}"#;
    let receipt = send(&emulator, &["raw", DELIVERED, content]);
    assert_success(&receipt);
    let typing = send(&emulator, &["raw", TYPING]);
    assert_success(&typing);

    let events = emulator.events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].content_type, DELIVERED);
    assert_eq!(events[0].content.as_deref(), Some(content));
    assert_eq!(events[1].content_type, TYPING);
    assert_eq!(events[1].content, None);
    assert!(stdout(&typing).starts_with(&format!("sent {TYPING}: Id ")));
    // What went over the wire is exactly the library's body.
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 2);
    let body: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(body["ContentType"], DELIVERED);
    assert_eq!(body["Content"], content);
}

#[test]
fn client_token_option_is_sent() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    let out = send_with(&emulator, &token, &["--client-token", "cli-ct-1", "typing"]);
    assert_success(&out);
    // Sent again by the same participant with the same client token: the service's
    // idempotency gives the same event.
    let again = send_with(&emulator, &token, &["typing", "--client-token=cli-ct-1"]);
    assert_success(&again);

    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 2);
    assert!(
        seen.iter()
            .all(|r| r.client_token().as_deref() == Some("cli-ct-1"))
    );
    let events = emulator.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].client_token.as_deref(), Some("cli-ct-1"));
    assert_eq!(stdout(&out), stdout(&again));
}

#[test]
fn json_output_is_one_line_with_id_and_absolute_time() {
    let emulator = Emulator::start().unwrap();
    let out = send(&emulator, &["--json", "read", "m-1"]);
    assert_success(&out);
    let text = stdout(&out);
    assert!(text.ends_with('\n') && text.lines().count() == 1, "{text}");
    // The service's member order.
    assert!(text.starts_with(r#"{"Id":""#), "{text}");

    let event = &emulator.events()[0];
    let json: Value = serde_json::from_str(&text).unwrap();
    let object = json.as_object().unwrap();
    assert_eq!(object.len(), 2, "{text}");
    assert_eq!(json["Id"], event.id.as_str());
    assert_eq!(json["AbsoluteTime"], event.absolute_time.as_str());
}

#[test]
fn json_output_shows_absent_members_as_null() {
    let emulator = Emulator::start().unwrap();
    // A success with an empty object: both members are optional in the service model.
    emulator.inject(Fault::Respond {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: b"{}".to_vec(),
    });
    let out = send(&emulator, &["typing", "--json"]);
    assert_success(&out);
    assert_eq!(stdout(&out), "{\"Id\":null,\"AbsoluteTime\":null}\n");
}

#[test]
fn token_is_read_from_stdin_when_the_variable_is_absent() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    let token = emulator.connection_token();
    let out = run(
        &["--endpoint", &url, "typing"],
        Token::Stdin(&format!("{}\r\n", token.expose_secret())),
    );
    assert_success(&out);
    assert_eq!(emulator.seen_requests().len(), 1);
    assert_eq!(emulator.events().len(), 1);
}

#[test]
fn token_from_stdin_is_the_first_line_without_its_line_end() {
    let emulator = Emulator::start().unwrap();
    // The emulator takes exactly this token (any other bearer is refused with 403), so a
    // success proves what the bearer header was.
    let token = emulator.connection_token();
    let url = emulator.endpoint_url();
    let out = run(
        &["--endpoint", &url, "typing"],
        Token::Stdin(&format!("{}\r\nsecond line\n", token.expose_secret())),
    );
    assert_success(&out);
    assert_eq!(emulator.events().len(), 1);
}

#[test]
fn empty_variable_falls_back_to_stdin() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    let token = emulator.connection_token();
    let out = run(
        &["--endpoint", &url, "typing"],
        Token::EmptyVarAndStdin(&format!("{}\n", token.expose_secret())),
    );
    assert_success(&out);
    assert_eq!(emulator.events().len(), 1);
}

#[test]
fn missing_token_is_a_usage_error_and_nothing_is_sent() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    for token in [
        Token::Stdin(""),
        Token::Stdin("\n"),
        Token::Stdin("\r\n"),
        Token::EmptyVarAndStdin(""),
    ] {
        let out = run(&["--endpoint", &url, "typing"], token);
        assert_eq!(code(&out), 2, "{out:?}");
        assert_eq!(
            stderr(&out),
            "error: no connection token: set CONNECT_CONNECTION_TOKEN or pipe the token on \
             standard input\n"
        );
    }
    assert_eq!(emulator.requests(), 0);
}

#[test]
fn token_the_service_cannot_take_is_refused_unechoed() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    let out = run(
        &["--endpoint", &url, "typing"],
        Token::Stdin(&format!("{SECRET} trailing\n")),
    );
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        format!(
            "error: invalid ConnectionToken: character {} cannot be sent in an HTTP header \
             (only visible ASCII is allowed) (read from standard input)\n",
            SECRET.len() + 1
        )
    );
    assert_eq!(emulator.requests(), 0);
}

#[test]
fn token_on_the_command_line_is_refused_and_nothing_is_sent() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    let token_eq = format!("--token={SECRET}");
    let bearer_eq = format!("--bearer={SECRET}");
    let cases: [&[&str]; 5] = [
        &["--token", SECRET, "typing"],
        &[&token_eq, "typing"],
        &["--connection-token", SECRET, "typing"],
        &["typing", &bearer_eq],
        &["typing", "--bearer", SECRET],
    ];
    for args in cases {
        let mut all = vec!["--endpoint", url.as_str()];
        all.extend_from_slice(args);
        // The variable holds a valid token too: without the refusal, the event would go.
        // Piped, the same token is read (to check the arguments) and this refusal still
        // wins over the one for an argument that holds the token: it says what to do.
        let line = format!("{SECRET}\n");
        for token in [Token::Env(SECRET), Token::Stdin(&line)] {
            let out = run(&all, token);
            assert_usage_error(
                &out,
                "the connection token is not taken from the command line, because arguments \
                 are visible to every user of the machine (ps, /proc); set \
                 CONNECT_CONNECTION_TOKEN or pipe it on standard input",
            );
        }
    }
    assert_eq!(emulator.requests(), 0);
    assert!(emulator.seen_requests().is_empty());
}

#[test]
fn usage_errors_exit_2_and_send_nothing() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    let long = "x".repeat(200);
    let cases: &[(&[&str], &str)] = &[
        (&[], "no command: give typing, read, delivered or raw"),
        (
            &["tpying"],
            "unknown command \"tpying\": expected typing, read, delivered or raw",
        ),
        // A long stray argument (a pasted token, say) is measured, not echoed.
        (
            &[&long],
            "unknown command an argument of 200 characters (not shown): expected typing, \
             read, delivered or raw",
        ),
        (&["--verbose", "typing"], "unknown option \"--verbose\""),
        (&["read"], "read needs a <message-id>"),
        (&["delivered"], "delivered needs a <message-id>"),
        (&["raw"], "raw needs a <content-type>"),
        (
            &["typing", "extra"],
            "1 unexpected argument after typing (it takes none)",
        ),
        (
            &["read", "m-1", "m-2"],
            "1 unexpected argument after read (it takes one: <message-id>)",
        ),
        (&["typing", "--timeout"], "--timeout needs a value"),
        (&["--json=1", "typing"], "--json takes no value"),
    ];
    for (args, message) in cases {
        let mut all = vec!["--endpoint", url.as_str()];
        all.extend_from_slice(args);
        assert_usage_error(&run(&all, Token::Env(SECRET)), message);
    }
    for bad in ["0", "-1", "abc", "", "inf", "1.5s"] {
        let timeout = format!("--timeout={bad}");
        let out = run(
            &["--endpoint", &url, &timeout, "typing"],
            Token::Env(SECRET),
        );
        assert_eq!(code(&out), 2, "{bad}: {out:?}");
        assert!(
            stderr(&out)
                .starts_with("error: --timeout needs a number of seconds from 0.001 to 3600"),
            "{bad}: {}",
            stderr(&out)
        );
    }
    assert_eq!(emulator.requests(), 0);
}

#[test]
fn region_or_endpoint_is_required() {
    let out = run(&["typing"], Token::Env(SECRET));
    assert_usage_error(&out, "give --region <REGION> or --endpoint <URL>");
}

#[test]
fn endpoint_with_fips_or_dual_stack_is_refused() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    for flag in ["--fips", "--dual-stack"] {
        let out = run(&["--endpoint", &url, flag, "typing"], Token::Env(SECRET));
        assert_eq!(code(&out), 2, "{out:?}");
        assert_eq!(
            stderr(&out),
            "error: a custom endpoint URL cannot be combined with FIPS or dual-stack\n"
        );
    }
    assert_eq!(emulator.requests(), 0);
}

#[test]
fn invalid_input_exits_2_and_sends_nothing() {
    let emulator = Emulator::start().unwrap();
    let out = send(&emulator, &["read", ""]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: invalid messageId: 0 characters, must be at least 1\n"
    );

    let out = send(&emulator, &["raw", "text/plain", "hello"]);
    assert_usage_error(
        &out,
        "unknown content type \"text/plain\", expected one of: \
         application/vnd.amazonaws.connect.event.typing, \
         application/vnd.amazonaws.connect.event.message.delivered, \
         application/vnd.amazonaws.connect.event.message.read, \
         application/vnd.amazonaws.connect.event.connection.acknowledged",
    );

    let out = send(&emulator, &["raw", READ, "not json"]);
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: invalid Content: a receipt's content must be a JSON object with a string \
         messageId\n"
    );

    assert_eq!(emulator.requests(), 0);
}

#[test]
fn invalid_input_is_refused_before_the_token_is_read() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    // No token anywhere: the input error, not the missing token, is what the user sees.
    let out = run(&["--endpoint", &url, "read", ""], Token::Stdin(""));
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: invalid messageId: 0 characters, must be at least 1\n"
    );
}

/// The service's refusal: exit 3, and the lines AWS support asks for.
fn assert_refused(out: &Output, error_type: &str, status: u16) {
    assert_eq!(code(out), 3, "{out:?}");
    assert_eq!(stdout(out), "");
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines[0].starts_with(&format!(
            "error: service error {error_type} (HTTP {status}): "
        )),
        "{err}"
    );
    assert_eq!(lines[1], format!("error type: {error_type}"));
    let request_id = lines[2].strip_prefix("request id: ").expect(&err);
    assert_eq!(request_id.len(), 36, "{err}");
    // A 403 or a receipt's 409 goes on to say what usually causes it.
    let id = format!("(request id {request_id})");
    assert!(
        lines[0].ends_with(&id) || lines[0].contains(&format!("{id}; ")),
        "{err}"
    );
}

#[test]
fn conflict_on_a_receipt_exits_3_with_error_type_and_request_id() {
    let emulator = Emulator::start().unwrap();
    emulator.set_receipts_conflict(true);
    let out = send(&emulator, &["read", "m-1"]);
    assert_refused(&out, "ConflictException", 409);
    assert!(stderr(&out).contains("note: receipts are not available in this chat"));
    // Not retried: one request.
    assert_eq!(emulator.seen_requests().len(), 1);
    assert!(emulator.events().is_empty());
}

#[test]
fn revoked_token_exits_3_with_access_denied() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    emulator.revoke_token(&token);
    let out = send_with(&emulator, &token, &["typing"]);
    assert_refused(&out, "AccessDeniedException", 403);
    assert_eq!(emulator.seen_requests().len(), 1);
}

#[test]
fn validation_error_from_the_service_exits_3() {
    let emulator = Emulator::start().unwrap();
    emulator.fail_next(400, "ValidationException", "bad input");
    let out = send(&emulator, &["typing"]);
    assert_refused(&out, "ValidationException", 400);
    assert!(stderr(&out).contains("(HTTP 400): bad input (request id "));
}

#[test]
fn internal_error_is_retried_then_succeeds() {
    let emulator = Emulator::start().unwrap();
    // One retry after a 500: the back-off is at most 50 ms.
    emulator.fail_next(500, "InternalServerException", "oops");
    let out = send(&emulator, &["typing"]);
    assert_success(&out);
    assert_eq!(emulator.seen_requests().len(), 2);
    assert_eq!(emulator.events().len(), 1);
}

#[test]
fn timeout_option_bounds_each_attempt() {
    let emulator = Emulator::start().unwrap();
    // The first attempt gets no answer; without --timeout it would wait the default 10 s.
    // The retry, with the same client token, gets the event the stalled attempt recorded.
    emulator.inject(Fault::Stall);
    let out = send(&emulator, &["--timeout", "0.2", "typing"]);
    assert_success(&out);
    assert_eq!(emulator.seen_requests().len(), 2);
    assert_eq!(emulator.events().len(), 1);
}

#[test]
fn closed_port_exits_4() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    // Refused connections are retried: 3 attempts, at most 150 ms of back-off in all.
    let out = run(&["--endpoint", &url, "typing"], Token::Env(SECRET));
    assert_eq!(code(&out), 4, "{out:?}");
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("3 attempts"), "{err}");
    // The cause, from the error's source chain, is on a line of its own.
    assert!(err.contains("\ncaused by: "), "{err}");
    assert!(
        !err.contains("error type:") && !err.contains("request id:"),
        "{err}"
    );
}

#[test]
fn help_lists_every_command_and_option() {
    let out = run(&["--help"], Token::Stdin(""));
    assert_success(&out);
    let help = stdout(&out);
    for word in [
        "Usage: connect-event [OPTIONS] <COMMAND>",
        "typing",
        "read <message-id>",
        "delivered <message-id>",
        "raw <content-type> [content]",
        "--region <REGION>",
        "--endpoint <URL>",
        "--fips",
        "--dual-stack",
        "--client-token <TOKEN>",
        "--timeout <SECONDS>",
        "--json",
        "-h, --help",
        "--version",
        "CONNECT_CONNECTION_TOKEN",
        "Exit status:",
        "Examples:",
        "connect-event --region us-west-2 typing",
    ] {
        assert!(help.contains(word), "{word} missing from:\n{help}");
    }
    // -h is the same, and help wins over an otherwise broken line.
    assert_eq!(stdout(&run(&["-h"], Token::Stdin(""))), help);
    assert_eq!(stdout(&run(&["bogus", "--help"], Token::Stdin(""))), help);
}

#[test]
fn version_prints_name_and_version() {
    let out = run(&["--version"], Token::Stdin(""));
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        format!("connect-event {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// A realistic connection token: 300 base64 characters, none of its runs of 16 found in
/// anything else the binary prints.
fn long_token() -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..300usize)
        .map(|i| char::from(alphabet[(i * 37 + i / 7) % 64]))
        .collect()
}

/// A short token: short enough that the rule about long arguments would show it.
const SHORT_TOKEN: &str = "conn-token-12345";

/// Neither output holds `token`, nor any 16 characters of it in a row.
fn assert_token_unshown(out: &Output, token: &str) {
    let width = token.len().min(16);
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        for start in 0..=token.len() - width {
            let piece = &token[start..start + width];
            assert!(!text.contains(piece), "{name} shows {piece:?}: {text}");
        }
    }
}

/// Each place a token may be pasted by mistake, with how the refusal names it. `url` is
/// the emulator's: without the refusal, most of these would send the event.
fn pasted_token_cases(url: &str, token: &str) -> Vec<(Vec<String>, &'static str)> {
    let s = |v: &[&str]| v.iter().map(|a| (*a).to_owned()).collect::<Vec<String>>();
    let in_path = format!("{url}/{token}");
    let content = format!("{{\"messageId\":\"{token}\"}}");
    vec![
        (
            s(&["--endpoint", token, "typing"]),
            "the argument of --endpoint",
        ),
        // Would reach the emulator, the token in the request's path.
        (
            s(&["--endpoint", &in_path, "typing"]),
            "the argument of --endpoint",
        ),
        (
            s(&["--region", token, "typing"]),
            "the argument of --region",
        ),
        (
            s(&["--endpoint", url, &format!("--region={token}"), "typing"]),
            "the argument of --region",
        ),
        (
            s(&["--endpoint", url, "--client-token", token, "typing"]),
            "the argument of --client-token",
        ),
        (s(&["--endpoint", url, "read", token]), "argument 4"),
        (
            s(&["--endpoint", url, "delivered", "--", token]),
            "argument 5",
        ),
        (s(&["--endpoint", url, "raw", READ, &content]), "argument 5"),
        (s(&["--endpoint", url, "raw", TYPING, token]), "argument 5"),
        (
            s(&["--endpoint", url, &format!("--verbose={token}"), "typing"]),
            "argument 3",
        ),
        (s(&["--endpoint", url, token]), "argument 3"),
        (
            s(&["--endpoint", url, "--timeout", token, "typing"]),
            "the argument of --timeout",
        ),
    ]
}

/// How a test hands the binary its token.
#[derive(Clone, Copy)]
enum Via {
    Env,
    /// The token's line, as `echo "$TOKEN" | connect-event ...` pipes it.
    Stdin,
}

impl Via {
    fn token<'a>(self, token: &'a str, line: &'a str) -> Token<'a> {
        match self {
            Via::Env => Token::Env(token),
            Via::Stdin => Token::Stdin(line),
        }
    }
}

fn assert_pasted_token_refused(token: &str, via: Via) {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    let line = format!("{token}\n");
    for (args, what) in pasted_token_cases(&url, token) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args, via.token(token, &line));
        assert_token_unshown(&out, token);
        assert_eq!(code(&out), 2, "{what}: {}", stderr(&out));
        assert_eq!(stdout(&out), "");
        assert_eq!(
            stderr(&out),
            format!("error: {what} holds the connection token; it was neither sent nor shown\n"),
            "{args:?}"
        );
    }
    assert_eq!(emulator.requests(), 0);
    assert!(emulator.seen_requests().is_empty());
}

#[test]
fn long_token_from_the_environment_pasted_into_an_argument_is_refused_unshown() {
    assert_pasted_token_refused(&long_token(), Via::Env);
}

#[test]
fn short_token_from_the_environment_pasted_into_an_argument_is_refused_unshown() {
    assert_pasted_token_refused(SHORT_TOKEN, Via::Env);
}

#[test]
fn long_token_from_stdin_pasted_into_an_argument_is_refused_unshown() {
    assert_pasted_token_refused(&long_token(), Via::Stdin);
}

#[test]
fn short_token_from_stdin_pasted_into_an_argument_is_refused_unshown() {
    // Some of these fail to parse before the token is read; the piped token is read
    // anyway, to check the arguments against it before the error is shown.
    assert_pasted_token_refused(SHORT_TOKEN, Via::Stdin);
}

#[test]
fn long_arguments_are_measured_wherever_they_are_echoed() {
    let long_region = format!("us-{}", "w".repeat(97));
    // Refused by the library, which measures a long value as `describe` does.
    let out = run(&["--region", &long_region, "typing"], Token::Env(SECRET));
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: invalid region (100 characters, not shown): a region is letters, digits and \
         inner hyphens, 1 to 63 characters (like us-east-1)\n"
    );
    let long_url = format!("ftp://{}", "h".repeat(94));
    let out = run(&["--endpoint", &long_url, "typing"], Token::Env(SECRET));
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: invalid endpoint URL (100 characters, not shown): it must start with https:// \
         or http://\n"
    );
    // 65 characters: over the one limit.
    let timeout = format!("--timeout={}", "9".repeat(65));
    let out = run(
        &["--endpoint", "http://127.0.0.1:1", &timeout, "typing"],
        Token::Env(SECRET),
    );
    assert_usage_error(
        &out,
        "--timeout needs a number of seconds from 0.001 to 3600, such as 2.5; \
         got an argument of 65 characters (not shown)",
    );
    // A valid long endpoint: the network error names the request without the URL.
    let url = format!("http://127.0.0.1:{}/{}", closed_port(), "p".repeat(80));
    let out = run(&["--endpoint", &url, "typing"], Token::Env(SECRET));
    assert_eq!(code(&out), 4, "{out:?}");
    let err = stderr(&out);
    assert!(
        err.starts_with("error: the request to [redacted] failed; 3 attempts\n"),
        "{err}"
    );
    assert!(!err.contains("pppppppppppppppp"), "{err}");
}
