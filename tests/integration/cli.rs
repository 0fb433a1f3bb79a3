//! The `connect-participant` binary, run as a user runs it, against the emulator on
//! 127.0.0.1: each command's request at the emulator, exit codes, output formats, its
//! refusal to take either token from the command line (issue 5), the one deliberate print
//! of a token (create-participant-connection), transcript paging, and `emulator` serving.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use connect_participant::__cli::{AWS_VARIABLES, PROXY_VARIABLES};
use connect_participant::emulator::{Emulator, Fault, SeenRequest};
use connect_participant::{ConnectionToken, GetTranscriptRequest, Item, SortOrder};
use serde_json::Value;

use crate::support::content_type::{CHAT_ENDED, DELIVERED, JOINED, READ, TYPING};
use crate::support::process::{BIN, bounded_wait};
use crate::support::scripted::{Action, Scripted, closed_port, response};
use crate::support::{CONNECTION_DENIED, assert_uuid_v4};

/// A distinctive token, longer than anything the binary echoes, so a leak cannot hide.
const SECRET: &str =
    "CLI-SECRET-TOKEN-4b1e9c7a2f5d8e3b6a0c9f1e4d7b2a5c8e1f4a7d0b3c6e9f2a5d8b1c4e7f0a3d6b9c2e5f8a";

/// How the binary gets its tokens in one run.
enum Token<'a> {
    /// `CONNECT_CONNECTION_TOKEN` set to this; standard input empty.
    Env(&'a str),
    /// The variables removed; this on standard input.
    Stdin(&'a str),
    /// `CONNECT_CONNECTION_TOKEN` set but empty; this on standard input.
    EmptyVarAndStdin(&'a str),
    /// `CONNECT_PARTICIPANT_TOKEN` set to this; standard input empty.
    ParticipantEnv(&'a str),
    /// Both variables set: the participant token, then the connection token.
    BothEnv(&'a str, &'a str),
    /// `CONNECT_CONNECTION_TOKEN` set to the second; the first on standard input.
    StdinAndConnectionEnv(&'a str, &'a str),
}

/// Runs the binary. Every run is checked for the tokens it was handed on stdout and
/// stderr, so each test also proves that nothing it exercised prints them.
fn run(args: &[&str], token: Token<'_>) -> Output {
    run_env(args, token, &[])
}

/// As [`run`], with these variables set for the binary: the AWS SDKs' variables and
/// the proxy variables that the binary reads come from `vars` alone.
fn run_env(args: &[&str], token: Token<'_>, vars: &[(&str, &str)]) -> Output {
    let (child, handed) = spawn_env(args, token, vars);
    let out = bounded_wait(child);
    assert_unleaked(&out, &handed);
    out
}

/// Starts the binary as [`run_env`] runs it, without waiting for it: its standard input
/// written and closed, and the tokens it was handed, for [`assert_unleaked`].
fn spawn_env(args: &[&str], token: Token<'_>, vars: &[(&str, &str)]) -> (Child, Vec<String>) {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Only what this test sets may reach the binary's token lookup.
        .env_remove("CONNECT_CONNECTION_TOKEN")
        .env_remove("CONNECT_PARTICIPANT_TOKEN");
    for var in AWS_VARIABLES
        .iter()
        .chain(&PROXY_VARIABLES)
        .chain(&["NO_PROXY", "no_proxy"])
    {
        cmd.env_remove(var);
    }
    cmd.envs(vars.iter().copied());
    // The tokens this run hands over (the first line of standard input, if piped): they
    // must not show either, whole or in part.
    let first_line = |s: &str| s.lines().next().unwrap_or_default().trim_end().to_owned();
    let (handed, input) = match token {
        Token::Env(t) => {
            cmd.env("CONNECT_CONNECTION_TOKEN", t);
            (vec![t.to_owned()], "")
        }
        Token::Stdin(s) => (vec![first_line(s)], s),
        Token::EmptyVarAndStdin(s) => {
            cmd.env("CONNECT_CONNECTION_TOKEN", "");
            (vec![first_line(s)], s)
        }
        Token::ParticipantEnv(p) => {
            cmd.env("CONNECT_PARTICIPANT_TOKEN", p);
            (vec![p.to_owned()], "")
        }
        Token::BothEnv(p, c) => {
            cmd.env("CONNECT_PARTICIPANT_TOKEN", p);
            cmd.env("CONNECT_CONNECTION_TOKEN", c);
            (vec![p.to_owned(), c.to_owned()], "")
        }
        Token::StdinAndConnectionEnv(s, c) => {
            cmd.env("CONNECT_CONNECTION_TOKEN", c);
            (vec![first_line(s), c.to_owned()], s)
        }
    };
    let mut child = cmd.spawn().expect("run connect-participant");
    let mut stdin = child.stdin.take().expect("piped stdin");
    // The binary may exit (a usage error) before reading: a broken pipe here is fine.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    (child, handed)
}

/// Neither [`SECRET`] nor any of the `handed` tokens shows in the output, whole or in
/// part.
fn assert_unleaked(out: &Output, handed: &[String]) {
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(SECRET), "{name} shows the token: {text}");
        assert!(
            !text.contains("4b1e9c7a"),
            "{name} shows part of the token: {text}"
        );
        for handed in handed {
            // The binary looks for no token under 8 characters (they match ordinary
            // words); from 8 on the whole token, and every 16 characters in a row of it,
            // must be absent.
            if handed.len() >= 8 {
                assert!(
                    !text.contains(handed.as_str()),
                    "{name} shows the token: {text}"
                );
            }
            for part in handed.as_bytes().windows(16) {
                let part = String::from_utf8_lossy(part);
                assert!(
                    !text.contains(part.as_ref()),
                    "{name} shows part of the token: {text}"
                );
            }
        }
    }
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
        format!("error: {message}\nhint: run 'connect-participant --help' for usage\n")
    );
}

/// As [`assert_usage_error`], once the command is known: the hint names its help.
fn assert_command_usage_error(out: &Output, command: &str, message: &str) {
    assert_eq!(code(out), 2, "{out:?}");
    assert_eq!(stdout(out), "");
    assert_eq!(
        stderr(out),
        format!("error: {message}\nhint: run 'connect-participant {command} --help' for usage\n")
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
fn send_event_sends_the_content_type_and_content_as_given() {
    let emulator = Emulator::start().unwrap();
    let content = r#"{"messageId":"raw-1"}"#;
    let receipt = send(
        &emulator,
        &[
            "send-event",
            "--content-type",
            DELIVERED,
            "--content",
            content,
            "--client-token",
            "ev-1",
        ],
    );
    assert_success(&receipt);
    let typing = send(
        &emulator,
        &["send-event", &format!("--content-type={TYPING}")],
    );
    assert_success(&typing);

    let events = emulator.events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].content_type, DELIVERED);
    assert_eq!(events[0].content.as_deref(), Some(content));
    assert_eq!(events[1].content_type, TYPING);
    assert_eq!(events[1].content, None);
    assert_eq!(
        stdout(&typing),
        format!(
            "sent {TYPING}: Id {} at {}\n",
            events[1].id, events[1].absolute_time
        )
    );
    // What went over the wire: what the AWS CLI sends for the same options.
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].path, "/participant/event");
    assert_eq!(
        String::from_utf8_lossy(&seen[0].body),
        format!(
            r#"{{"ClientToken":"ev-1","Content":"{{\"messageId\":\"raw-1\"}}","ContentType":"{DELIVERED}"}}"#
        )
    );
    // Without --client-token, a new UUID v4, as the AWS CLI fills in an idempotency token.
    let body: Value = serde_json::from_slice(&seen[1].body).unwrap();
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    assert_eq!(body["ContentType"], TYPING);
    assert_uuid_v4(body["ClientToken"].as_str().unwrap());
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
fn json_output_leaves_out_absent_members() {
    let emulator = Emulator::start().unwrap();
    // A success with an empty object: both members are optional in the service model.
    emulator.inject(Fault::Respond {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: b"{}".to_vec(),
    });
    let out = send(&emulator, &["typing", "--json"]);
    assert_success(&out);
    assert_eq!(stdout(&out), "{}\n");
}

#[test]
fn output_json_is_json_and_endpoint_url_is_endpoint() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    let url = emulator.endpoint_url();
    let out = run(
        &["--endpoint-url", &url, "typing", "--output", "json"],
        Token::Env(token.expose_secret()),
    );
    assert_success(&out);
    let event = &emulator.events()[0];
    assert_eq!(
        stdout(&out),
        format!(
            "{{\"Id\":\"{}\",\"AbsoluteTime\":\"{}\"}}\n",
            event.id, event.absolute_time
        )
    );
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
        (&["read"], "read needs a <message-id>"),
        (&["delivered"], "delivered needs a <message-id>"),
        (&["send-event"], "send-event needs --content-type <TYPE>"),
        (&["send-message"], "send-message needs --content <TEXT>"),
        (
            &["typing", "--content", "x"],
            "--content is not an option of typing",
        ),
        (
            &["get-transcript", "--max-results", "many"],
            "--max-results needs a whole number from 0 to 100; got \"many\"",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["--endpoint", url.as_str()];
        all.extend_from_slice(args);
        assert_command_usage_error(&run(&all, Token::Env(SECRET)), args[0], message);
    }
    let cases: &[(&[&str], &str)] = &[
        (
            &["typing", "extra"],
            "1 unexpected argument after typing (it takes none: every value goes with an \
             option)",
        ),
        (
            &["read", "m-1", "m-2"],
            "1 unexpected argument after read (it takes one: <message-id>)",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["--endpoint", url.as_str()];
        all.extend_from_slice(args);
        assert_command_usage_error(&run(&all, Token::Env(SECRET)), args[0], message);
    }
    let cases: &[(&[&str], &str)] = &[
        (
            &[],
            "no command: give one of create-participant-connection, send-message, \
             send-event, get-transcript, disconnect-participant, upload-attachment, \
             get-attachment, describe-view, get-authentication-url, \
             cancel-participant-authentication, typing, read, delivered, watch, emulator",
        ),
        (
            &["tpying"],
            "unknown command \"tpying\": expected one of create-participant-connection, \
             send-message, send-event, get-transcript, disconnect-participant, \
             upload-attachment, get-attachment, describe-view, get-authentication-url, \
             cancel-participant-authentication, typing, read, delivered, watch, emulator",
        ),
        // A long stray argument (a pasted token, say) is measured, not echoed.
        (
            &[&long],
            "unknown command (200 characters, not shown): expected one of \
             create-participant-connection, send-message, send-event, get-transcript, \
             disconnect-participant, upload-attachment, get-attachment, describe-view, \
             get-authentication-url, cancel-participant-authentication, typing, read, \
             delivered, watch, emulator",
        ),
        (&["--verbose", "typing"], "unknown option \"--verbose\""),
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
    assert_command_usage_error(
        &out,
        "typing",
        "give --region <REGION> or --endpoint-url <URL>, or set AWS_REGION or AWS_ENDPOINT_URL",
    );
}

#[test]
fn aws_endpoint_url_from_the_environment_reaches_the_emulator() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    let token = emulator.connection_token();
    let token = token.expose_secret();
    for var in ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CONNECTPARTICIPANT"] {
        let out = run_env(&["typing"], Token::Env(token), &[(var, url.as_str())]);
        assert_success(&out);
    }
    assert_eq!(emulator.requests(), 2);
    // The service-specific variable wins over the general one.
    let out = run_env(
        &["typing"],
        Token::Env(token),
        &[
            ("AWS_ENDPOINT_URL_CONNECTPARTICIPANT", url.as_str()),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
        ],
    );
    assert_success(&out);
    // The command line wins over the environment.
    let out = run_env(
        &["--endpoint-url", &url, "typing"],
        Token::Env(token),
        &[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
        ],
    );
    assert_success(&out);
    assert_eq!(emulator.requests(), 4);
    // An app id goes into the User-Agent as app/<id>.
    let out = run_env(
        &["typing"],
        Token::Env(token),
        &[
            ("AWS_ENDPOINT_URL", url.as_str()),
            ("AWS_SDK_UA_APP_ID", "my-bot"),
        ],
    );
    assert_success(&out);
    let seen = emulator.seen_requests();
    let ua = seen.last().and_then(|r| r.header("user-agent")).unwrap();
    assert_eq!(
        ua,
        format!(
            "connect-participant/{} app/my-bot",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn a_malformed_aws_variable_exits_2_and_sends_nothing() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    for (var, value, message) in [
        (
            "AWS_MAX_ATTEMPTS",
            "x",
            "invalid AWS_MAX_ATTEMPTS: \"x\": must be a whole number from 1 to 20",
        ),
        (
            "AWS_USE_DUALSTACK_ENDPOINT",
            "yes",
            "invalid AWS_USE_DUALSTACK_ENDPOINT: \"yes\": must be true or false",
        ),
        (
            "AWS_ENDPOINT_URL",
            "http://user:hunter2@127.0.0.1:1",
            "invalid AWS_ENDPOINT_URL: \"http://[redacted]@127.0.0.1:1\": it cannot carry \
             user info",
        ),
    ] {
        let out = run_env(
            &["--endpoint-url", &url, "typing"],
            Token::Env(SECRET),
            &[(var, value)],
        );
        assert_eq!(code(&out), 2, "{var}: {out:?}");
        assert_eq!(stderr(&out), format!("error: {message}\n"), "{var}");
        assert!(stdout(&out).is_empty());
    }
    assert_eq!(emulator.requests(), 0);
}

#[test]
fn a_socks_proxy_is_refused_naming_the_variable() {
    for var in ["ALL_PROXY", "https_proxy"] {
        let out = run_env(
            &["--region", "us-east-1", "typing"],
            Token::Env(SECRET),
            &[(var, "socks5://user:hunter2@127.0.0.1:1")],
        );
        assert_eq!(code(&out), 2, "{out:?}");
        assert_eq!(
            stderr(&out),
            format!(
                "error: unsupported {var}: \"socks5://[redacted]@127.0.0.1:1\": this client \
                 cannot use a SOCKS proxy; name an HTTP or HTTPS proxy, or the endpoint's \
                 host in NO_PROXY to connect directly\n"
            )
        );
    }
    // A loopback endpoint is never proxied, so a SOCKS proxy does not stand in its way.
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    let token = emulator.connection_token();
    let out = run_env(
        &["--endpoint-url", &url, "typing"],
        Token::Env(token.expose_secret()),
        &[("ALL_PROXY", "socks5://127.0.0.1:1")],
    );
    assert_success(&out);
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

    let out = send(
        &emulator,
        &[
            "send-event",
            "--content-type",
            "text/plain",
            "--content",
            "hello",
        ],
    );
    assert_command_usage_error(
        &out,
        "send-event",
        "unknown content type \"text/plain\", expected one of: \
         application/vnd.amazonaws.connect.event.typing, \
         application/vnd.amazonaws.connect.event.message.delivered, \
         application/vnd.amazonaws.connect.event.message.read, \
         application/vnd.amazonaws.connect.event.connection.acknowledged",
    );

    let out = send(
        &emulator,
        &[
            "send-event",
            "--content-type",
            READ,
            "--content",
            "not json",
        ],
    );
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
        "Usage: connect-participant [OPTIONS] <COMMAND>",
        "create-participant-connection",
        "send-message",
        "send-event",
        "get-transcript",
        "disconnect-participant",
        "upload-attachment <FILE>",
        "get-attachment",
        "describe-view",
        "get-authentication-url",
        "cancel-participant-authentication",
        "typing",
        "read <message-id>",
        "delivered <message-id>",
        "watch",
        "emulator",
        "--region <REGION>",
        "--endpoint-url <URL>",
        "--endpoint <URL>",
        "--fips",
        "--dual-stack",
        "--timeout <SECONDS>",
        "--output json",
        "--json",
        "-h, --help",
        "--version",
        "CONNECT_PARTICIPANT_TOKEN",
        "CONNECT_CONNECTION_TOKEN",
        "Exit status:",
        "  5  a local file could not be read or written",
        "Examples:",
        "connect-participant --region us-west-2 typing",
        "connect-participant --region us-west-2 upload-attachment invoice.pdf",
    ] {
        assert!(help.contains(word), "{word} missing from:\n{help}");
    }
    // -h is the same, and help wins over an otherwise broken line.
    assert_eq!(stdout(&run(&["-h"], Token::Stdin(""))), help);
    assert_eq!(stdout(&run(&["bogus", "--help"], Token::Stdin(""))), help);
    assert_eq!(stdout(&run(&["help"], Token::Stdin(""))), help);
}

#[test]
fn each_command_has_its_own_help_with_its_exact_options() {
    let cases: &[(&str, &[&str])] = &[
        (
            "create-participant-connection",
            &[
                "--type <TYPE>...",
                "--connect-participant",
                "--no-connect-participant",
                "CONNECT_PARTICIPANT_TOKEN",
                "export CONNECT_CONNECTION_TOKEN=$(connect-participant",
            ],
        ),
        (
            "send-message",
            &[
                "--content <TEXT>",
                "--content-type <TYPE>",
                "--client-token <TOKEN>",
                "text/plain (the default here",
            ],
        ),
        (
            "send-event",
            &[
                "--content-type <TYPE>",
                "--content <JSON>",
                "--client-token <TOKEN>",
            ],
        ),
        (
            "get-transcript",
            &[
                "--contact-id <ID>",
                "--max-results <N>",
                "--next-token <TOKEN>",
                "--scan-direction <DIR>",
                "--sort-order <ORDER>",
                "--start-position <POSITION>",
                "--no-paginate",
            ],
        ),
        ("disconnect-participant", &["--client-token <TOKEN>"]),
        (
            "upload-attachment",
            &[
                "<FILE>",
                "--content-type <TYPE>",
                "CONNECT_CONNECTION_TOKEN",
            ],
        ),
        (
            "get-attachment",
            &[
                "--attachment-id <ID>",
                "--output-file <PATH>",
                "--url-expiry-in-seconds <N>",
                "--url-content-disposition <DISPOSITION>",
            ],
        ),
        ("describe-view", &["--view-token <TOKEN>"]),
        (
            "get-authentication-url",
            &["--session-id <ID>", "--redirect-uri <URI>"],
        ),
        ("cancel-participant-authentication", &["--session-id <ID>"]),
        ("typing", &["--client-token <TOKEN>", "read <message-id>"]),
        (
            "watch",
            &[
                "--history",
                "CONNECT_PARTICIPANT_TOKEN",
                "one JSON line",
                "{\"Event\":\"chat.ended\"}",
            ],
        ),
        ("emulator", &["--port <N>", "first line of standard output"]),
    ];
    for (command, words) in cases {
        let out = run(&[command, "--help"], Token::Stdin(""));
        assert_success(&out);
        let help = stdout(&out);
        for word in *words {
            assert!(
                help.contains(word),
                "{command}: {word} missing from:\n{help}"
            );
        }
        if *command != "emulator" {
            assert!(help.contains("--endpoint-url <URL>"), "{command}:\n{help}");
            assert!(help.contains("--output json"), "{command}:\n{help}");
        }
        assert_eq!(stdout(&run(&["help", command], Token::Stdin(""))), help);
    }
}

#[test]
fn version_prints_name_and_version() {
    let out = run(&["--version"], Token::Stdin(""));
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        format!("connect-participant {}\n", env!("CARGO_PKG_VERSION"))
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
        (
            s(&[
                "--endpoint",
                url,
                "send-event",
                "--content-type",
                READ,
                "--content",
                &content,
            ]),
            "the argument of --content",
        ),
        (
            s(&["--endpoint", url, "send-message", "--content", token]),
            "the argument of --content",
        ),
        (
            s(&["--endpoint", url, "get-transcript", "--contact-id", token]),
            "the argument of --contact-id",
        ),
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
    /// The token's line, as `echo "$TOKEN" | connect-participant ...` pipes it.
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
         got (65 characters, not shown)",
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

// ---------------------------------------------------------------------------------------
// The operations beyond SendEvent, and the emulator command.

/// The body the emulator received, as text.
fn body(seen: &SeenRequest) -> String {
    String::from_utf8(seen.body.clone()).expect("a JSON body")
}

#[test]
fn send_message_sends_what_the_aws_cli_sends() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    let out = send_with(
        &emulator,
        &token,
        &[
            "send-message",
            "--content",
            "Hello \"you\" é",
            "--content-type",
            "text/markdown",
            "--client-token",
            "m-ct-1",
        ],
    );
    assert_success(&out);
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/participant/message");
    assert_eq!(
        body(&seen[0]),
        r#"{"ClientToken":"m-ct-1","Content":"Hello \"you\" é","ContentType":"text/markdown"}"#
    );
    // The message is in the transcript under the Id printed.
    let client = emulator.client_builder().build().unwrap();
    let page = client
        .get_transcript(&token, &GetTranscriptRequest::new())
        .unwrap();
    let message = page
        .transcript
        .iter()
        .find(|i| i.content.as_deref() == Some("Hello \"you\" é"))
        .expect("the message in the transcript");
    assert_eq!(
        stdout(&out),
        format!(
            "sent message: Id {} at {}\n",
            message.id.as_deref().unwrap(),
            message.absolute_time.as_ref().unwrap().as_str()
        )
    );

    // Without --content-type: text/plain; without --client-token: a new UUID v4.
    let out = send_with(
        &emulator,
        &token,
        &["send-message", "--content=--hi", "--output", "json"],
    );
    assert_success(&out);
    let seen = emulator.seen_requests();
    let sent: Value = serde_json::from_slice(&seen[2].body).unwrap();
    assert_eq!(sent.as_object().unwrap().len(), 3, "{sent}");
    assert_eq!(sent["Content"], "--hi");
    assert_eq!(sent["ContentType"], "text/plain");
    assert_uuid_v4(sent["ClientToken"].as_str().unwrap());
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let keys: Vec<&String> = printed.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["AbsoluteTime", "Id"], "{printed}");
    assert!(stdout(&out).starts_with("{\"Id\":\""), "{}", stdout(&out));
}

#[test]
fn create_participant_connection_prints_the_new_connection_token_alone() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let url = emulator.endpoint_url();
    let out = run(
        &["--endpoint-url", &url, "create-participant-connection"],
        Token::ParticipantEnv(&chat.participant_token),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // What the customer clients send when no --type is given.
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/participant/connection");
    assert_eq!(
        body(&seen[0]),
        r#"{"Type":["WEBSOCKET","CONNECTION_CREDENTIALS"]}"#
    );
    // Standard output: the token alone, ready for $(...).
    let printed = stdout(&out);
    assert_eq!(printed.lines().count(), 1, "{printed}");
    let token = printed.trim_end_matches('\n');
    assert!(token.len() > 16 && !token.contains(' '), "{printed}");
    let err = stderr(&out);
    assert!(
        err.starts_with("printed the connection token (expires ")
            && err.contains(
                "): the other commands read it from CONNECT_CONNECTION_TOKEN or standard \
                 input\nthe WebSocket URL (expires "
            )
            && err.ends_with(") is not printed; --output json shows it\n"),
        "{err}"
    );

    // As `export CONNECT_CONNECTION_TOKEN=$(...)` uses it: the next command works, and
    // neither token shows in what it prints.
    let next = run(
        &["--endpoint-url", &url, "send-message", "--content", "hi"],
        Token::BothEnv(&chat.participant_token, token),
    );
    assert_success(&next);
    assert!(stdout(&next).starts_with("sent message: Id "));
}

#[test]
fn create_participant_connection_json_has_the_services_members() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let url = emulator.endpoint_url();
    // Piped on standard input this time, with a connection token in its variable that
    // this command does not use (and must not print).
    let out = run(
        &[
            "--endpoint",
            &url,
            "create-participant-connection",
            "--type",
            "CONNECTION_CREDENTIALS",
            "WEBSOCKET",
            "--connect-participant",
            "--output",
            "json",
        ],
        Token::StdinAndConnectionEnv(
            &format!("{}\n", chat.participant_token),
            emulator.connection_token().expose_secret(),
        ),
    );
    assert_success(&out);
    let seen = emulator.seen_requests();
    assert_eq!(
        body(&seen[0]),
        r#"{"ConnectParticipant":true,"Type":["CONNECTION_CREDENTIALS","WEBSOCKET"]}"#
    );
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    let json: Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["ConnectionCredentials", "Websocket"], "{text}");
    // The service's member order.
    assert!(text.starts_with("{\"Websocket\":{\"Url\":\"ws"), "{text}");
    let credentials = json["ConnectionCredentials"].as_object().unwrap();
    let keys: Vec<&String> = credentials.keys().collect();
    assert_eq!(keys, ["ConnectionToken", "Expiry"], "{text}");
    let websocket = json["Websocket"].as_object().unwrap();
    let keys: Vec<&String> = websocket.keys().collect();
    assert_eq!(keys, ["ConnectionExpiry", "Url"], "{text}");
    // The token printed is one the emulator takes.
    let token = ConnectionToken::new(
        json["ConnectionCredentials"]["ConnectionToken"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let client = emulator.client_builder().build().unwrap();
    client
        .send_event(&token, &connect_participant::SendEventRequest::typing())
        .unwrap();
}

#[test]
fn create_participant_connection_needs_the_participant_token() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    // A connection token in its variable is not a participant token.
    let out = run(
        &["--endpoint", &url, "create-participant-connection"],
        Token::Env(SECRET),
    );
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: no participant token: set CONNECT_PARTICIPANT_TOKEN or pipe the token on \
         standard input\n"
    );
    // One pasted into an argument is refused unshown, as the connection token is.
    let chat = emulator.start_chat();
    let out = run(
        &[
            "--endpoint",
            &url,
            "create-participant-connection",
            "--type",
            &chat.participant_token,
        ],
        Token::ParticipantEnv(&chat.participant_token),
    );
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: the argument of --type holds the participant token; it was neither sent nor \
         shown\n"
    );
    // --participant-token is refused whatever it holds.
    let out = run(
        &[
            "--endpoint",
            &url,
            "create-participant-connection",
            "--participant-token=x",
        ],
        Token::ParticipantEnv(&chat.participant_token),
    );
    assert_usage_error(
        &out,
        "the participant token is not taken from the command line, because arguments are \
         visible to every user of the machine (ps, /proc); set CONNECT_PARTICIPANT_TOKEN or \
         pipe it on standard input",
    );
    // An ended chat's participant token: the service's 403, exit 3.
    emulator.end_chat(&chat.contact_id).unwrap();
    let out = run(
        &["--endpoint", &url, "create-participant-connection"],
        Token::ParticipantEnv(&chat.participant_token),
    );
    assert_refused(&out, "AccessDeniedException", 403);
    assert_eq!(emulator.seen_requests().len(), 1);
}

/// A chat with `n` messages from the agent, after the two `participant.joined` events,
/// and its customer's connection token.
fn chat_with_messages(emulator: &Emulator, n: usize) -> (String, ConnectionToken) {
    let chat = emulator.start_chat();
    for i in 0..n {
        emulator
            .agent_says(&chat.contact_id, &format!("message {i}"), "text/plain")
            .unwrap();
    }
    let token = emulator.connection_token_for(&chat.contact_id).unwrap();
    (chat.contact_id, token)
}

/// The whole transcript as the emulator answers it on the wire, one JSON value per item,
/// by `Id`: what the binary's JSON lines must equal.
fn raw_items(emulator: &Emulator, token: &ConnectionToken) -> Vec<(String, Value)> {
    let answer = ureq::post(format!(
        "{}/participant/transcript",
        emulator.endpoint_url()
    ))
    .header("X-Amz-Bearer", token.expose_secret())
    .header("Content-Type", "application/json")
    .send(r#"{"MaxResults":100}"#)
    .unwrap()
    .into_body()
    .read_to_string()
    .unwrap();
    let answer: Value = serde_json::from_str(&answer).unwrap();
    let mut items: Vec<(String, Value)> = answer["Transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["Id"].as_str().unwrap().to_owned(), i.clone()))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items
}

#[test]
fn get_transcript_follows_next_token_to_the_end_one_json_item_per_line() {
    let emulator = Emulator::start().unwrap();
    let (contact_id, token) = chat_with_messages(&emulator, 5);
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-transcript",
            "--max-results",
            "2",
            "--sort-order",
            "ASCENDING",
            "--output",
            "json",
        ],
    );
    assert_success(&out);
    // 7 items (2 joined events, 5 messages) in pages of 2: 4 requests, the first as the
    // AWS CLI sends it, each next one with the NextToken before it.
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 4);
    assert_eq!(
        body(&seen[0]),
        r#"{"MaxResults":2,"SortOrder":"ASCENDING"}"#
    );
    for s in &seen[1..] {
        let b: Value = serde_json::from_slice(&s.body).unwrap();
        assert_eq!(b["MaxResults"], 2);
        assert_eq!(b["SortOrder"], "ASCENDING");
        assert!(
            b["NextToken"].as_str().is_some_and(|t| !t.is_empty()),
            "{b}"
        );
        assert_eq!(b.as_object().unwrap().len(), 3, "{b}");
    }
    // One JSON item per line, equal to what the service sent: its members as it names
    // them, absent ones left out.
    let text = stdout(&out);
    let mut printed: Vec<(String, Value)> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["Id"].as_str().unwrap().to_owned(), v)
        })
        .collect();
    printed.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(printed, raw_items(&emulator, &token));
    // Exactly, for one message: the model's member order.
    let client = emulator.client_builder().build().unwrap();
    let items: Vec<Item> = client
        .transcript_pages(
            &token,
            GetTranscriptRequest::new()
                .with_max_results(2)
                .with_sort_order(SortOrder::Ascending),
        )
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (at, message) = items
        .iter()
        .enumerate()
        .find(|(_, i)| i.content.as_deref() == Some("message 0"))
        .unwrap();
    assert_eq!(
        lines[at],
        format!(
            "{{\"AbsoluteTime\":\"{}\",\"Content\":\"message 0\",\"ContentType\":\"text/plain\",\
             \"Id\":\"{}\",\"Type\":\"MESSAGE\",\"ParticipantId\":\"{}\",\
             \"DisplayName\":\"Agent\",\"ParticipantRole\":\"AGENT\",\"ContactId\":\"{contact_id}\"}}",
            message.absolute_time.as_ref().unwrap().as_str(),
            message.id.as_deref().unwrap(),
            message.participant_id.as_deref().unwrap(),
        )
    );
}

#[test]
fn get_transcript_prints_a_readable_line_per_item() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let long = format!("line one\nline\u{1b}[2J two {}", "x".repeat(150));
    emulator
        .agent_says(&chat.contact_id, &long, "text/plain")
        .unwrap();
    let token = emulator.connection_token_for(&chat.contact_id).unwrap();
    let out = send_with(
        &emulator,
        &token,
        &["get-transcript", "--sort-order=ASCENDING"],
    );
    assert_success(&out);
    let client = emulator.client_builder().build().unwrap();
    let page = client
        .get_transcript(
            &token,
            &GetTranscriptRequest::new().with_sort_order(SortOrder::Ascending),
        )
        .unwrap();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), page.transcript.len(), "{text}");
    let time = |i: usize| page.transcript[i].absolute_time.as_ref().unwrap().as_str();
    assert_eq!(
        lines[0],
        format!(
            "{} CUSTOMER Customer [application/vnd.amazonaws.connect.event.participant.joined]",
            time(0)
        )
    );
    // Shortened to 100 characters, line breaks as spaces, control characters replaced.
    let shown = format!("line one line\u{fffd}[2J two {}", "x".repeat(100 - 22));
    assert_eq!(
        lines[2],
        format!("{} AGENT Agent [text/plain] {shown}…", time(2))
    );
}

#[test]
fn get_transcript_no_paginate_reads_one_page_and_tells_the_next_token() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat_with_messages(&emulator, 3);
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-transcript",
            "--max-results",
            "2",
            "--no-paginate",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2);
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(body(&seen[0]), r#"{"MaxResults":2}"#);
    let err = stderr(&out);
    let next = err
        .strip_prefix("more items: continue with --next-token ")
        .and_then(|t| t.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("{err}"));
    // The next page, from that token.
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-transcript",
            "--max-results",
            "2",
            "--next-token",
            next,
            "--no-paginate",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2);
    assert_eq!(
        body(&emulator.seen_requests()[1]),
        format!(r#"{{"MaxResults":2,"NextToken":"{next}"}}"#)
    );
}

#[test]
fn disconnect_participant_sends_its_client_token_then_the_token_is_refused() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    let out = send_with(
        &emulator,
        &token,
        &["disconnect-participant", "--client-token", "bye-1"],
    );
    assert_success(&out);
    assert_eq!(stdout(&out), "disconnected\n");
    let seen = emulator.seen_requests();
    assert_eq!(seen[0].path, "/participant/disconnect");
    assert_eq!(body(&seen[0]), r#"{"ClientToken":"bye-1"}"#);
    // The same call again (a retry with the same client token) is answered as the first.
    let again = send_with(
        &emulator,
        &token,
        &["disconnect-participant", "--client-token=bye-1", "--json"],
    );
    assert_success(&again);
    assert_eq!(stdout(&again), "{}\n");
    // Now the token is refused: exit 3, and the library's message says what usually
    // causes a 403.
    let out = send_with(&emulator, &token, &["typing"]);
    assert_refused(&out, "AccessDeniedException", 403);
    assert!(stderr(&out).contains(CONNECTION_DENIED), "{}", stderr(&out));
    // Without --client-token: a new UUID v4.
    let other = emulator.connection_token();
    assert_success(&send_with(&emulator, &other, &["disconnect-participant"]));
    let seen = emulator.seen_requests();
    let sent: Value = serde_json::from_slice(&seen.last().unwrap().body).unwrap();
    assert_eq!(sent.as_object().unwrap().len(), 1);
    assert_uuid_v4(sent["ClientToken"].as_str().unwrap());
}

/// A spawned `emulator` command, killed when dropped (also when a test fails).
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `connect-participant emulator` with `args` and returns it with the first line
/// of its standard output, read within a bounded wait.
fn serve(args: &[&str]) -> (Served, String) {
    let mut child = Command::new(BIN)
        .arg("emulator")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run connect-participant emulator");
    let stdout = child.stdout.take().unwrap();
    let served = Served(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the emulator printed its URL within 20 s");
    (served, line)
}

#[test]
fn emulator_prints_its_url_first_and_serves_the_other_commands() {
    let (_served, line) = serve(&["--port", "0"]);
    let url = line
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("{line:?}"));
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{url}"));
    assert_ne!(port, 0);
    // It answers: a chat started on its control path, then the commands against it.
    let answer = ureq::post(format!("{url}/emulator/chats"))
        .header("Content-Type", "application/json")
        .send("{}")
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    let chat: Value = serde_json::from_str(&answer).unwrap();
    let participant = chat["ParticipantToken"].as_str().unwrap();
    let out = run(
        &["--endpoint-url", url, "create-participant-connection"],
        Token::ParticipantEnv(participant),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let token = stdout(&out).trim_end().to_owned();
    let out = run(
        &[
            "--endpoint-url",
            url,
            "send-message",
            "--content",
            "over the wire",
        ],
        Token::Env(&token),
    );
    assert_success(&out);
    let out = run(
        &["--endpoint-url", url, "get-transcript", "--json"],
        Token::Env(&token),
    );
    assert_success(&out);
    assert!(stdout(&out).contains("\"Content\":\"over the wire\""));
}

#[test]
fn emulator_without_port_takes_a_free_one_and_a_taken_port_exits_4() {
    let (_served, line) = serve(&[]);
    assert!(line.starts_with("http://127.0.0.1:"), "{line:?}");
    // The port it took is now taken.
    let port = line.trim_end().rsplit(':').next().unwrap().to_owned();
    let child = Command::new(BIN)
        .args(["emulator", "--port", &port])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded: should the bind succeed after all, the emulator would serve forever.
    let out = bounded_wait(child);
    assert_eq!(code(&out), 4, "{out:?}");
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).starts_with("error: the emulator could not start: "),
        "{}",
        stderr(&out)
    );
    let out = run(&["emulator", "--port", "x"], Token::Stdin(""));
    assert_command_usage_error(
        &out,
        "emulator",
        "--port needs a port number from 0 to 65535 (0: a free one); got \"x\"",
    );
}

#[test]
fn get_transcript_sends_every_option_as_the_aws_cli_does() {
    let emulator = Emulator::start().unwrap();
    let (contact_id, token) = chat_with_messages(&emulator, 4);
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-transcript",
            "--contact-id",
            &contact_id,
            "--max-results",
            "3",
            "--scan-direction",
            "FORWARD",
            "--sort-order",
            "DESCENDING",
            "--start-position",
            "MostRecent=3",
            "--no-paginate",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        body(&emulator.seen_requests()[0]),
        format!(
            r#"{{"ContactId":"{contact_id}","MaxResults":3,"ScanDirection":"FORWARD","SortOrder":"DESCENDING","StartPosition":{{"MostRecent":3}}}}"#
        )
    );
    // The three newest messages, newest first.
    let contents: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["Content"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(contents, ["message 3", "message 2", "message 1"]);
}

/// A page of one item whose next token is `next`, as a scripted answer.
fn hostile_page(id: &str, next: &str) -> Action {
    Action::Respond(response(
        "200 OK",
        &[],
        format!(r#"{{"Transcript":[{{"Id":"{id}","Content":"{id}"}}],"NextToken":"{next}"}}"#)
            .as_bytes(),
    ))
}

#[test]
fn get_transcript_against_a_hostile_server_ends_with_exit_3_or_at_a_circle() {
    // A NextToken the service could not take back ends the pages as a bad answer (exit 3),
    // not as the user's bad input (exit 2), after printing what came before it.
    let long = "n".repeat(1001);
    let server = Scripted::start(vec![hostile_page("first", &long)]);
    let url = server.url();
    let out = run(
        &["--endpoint-url", &url, "get-transcript", "--output", "json"],
        Token::Env(SECRET),
    );
    assert_eq!(code(&out), 3, "{out:?}");
    assert_eq!(stdout(&out), "{\"Content\":\"first\",\"Id\":\"first\"}\n");
    assert_eq!(
        stderr(&out),
        "error: the service answered a NextToken of 1001 characters, which it could not take \
         back (1 to 1000); the pages end here\n"
    );
    assert_eq!(server.finish().requests.len(), 1);

    // a, then b, then a again: a server going round in a circle is left at the circle.
    let server = Scripted::start(vec![
        hostile_page("1", "a"),
        hostile_page("2", "b"),
        hostile_page("3", "a"),
    ]);
    let url = server.url();
    let out = run(
        &["--endpoint-url", &url, "get-transcript", "--json"],
        Token::Env(SECRET),
    );
    assert_success(&out);
    assert_eq!(stdout(&out).lines().count(), 3);
    assert_eq!(server.finish().requests.len(), 3);
}

#[test]
fn a_websocket_url_with_terminal_escapes_is_printed_defused() {
    let server = Scripted::start(vec![Action::Respond(response(
        "200 OK",
        &[],
        br#"{"Websocket":{"Url":"wss://x/\u001b[2J\u202eevil\u0007"}}"#,
    ))]);
    let url = server.url();
    let out = run(
        &[
            "--endpoint-url",
            &url,
            "create-participant-connection",
            "--type",
            "WEBSOCKET",
        ],
        Token::ParticipantEnv(SECRET),
    );
    assert_eq!(code(&out), 0, "{out:?}");
    assert_eq!(stdout(&out), "wss://x/\u{fffd}[2J\u{fffd}evil\u{fffd}\n");
    assert_eq!(
        stderr(&out),
        "printed the WebSocket URL; the service gave no connection token (ask for it with \
         --type CONNECTION_CREDENTIALS)\n"
    );
    server.finish();
}

// ---------------------------------------------------------------------------------------
// watch

/// How long a watch test waits for the binary's WebSocket to open: a bound, not a
/// synchronization.
const WS_PATIENCE: Duration = Duration::from_secs(10);

/// Nothing of the WebSocket URL the binary was handed shows (the emulator's URLs are
/// ws:// on 127.0.0.1), nor a connection token's header.
fn assert_no_websocket_url(out: &Output) {
    for text in [stdout(out), stderr(out)] {
        assert!(
            !text.contains("ws://") && !text.contains("wss://"),
            "{text}"
        );
        assert!(!text.contains("X-Amz-Bearer"), "{text}");
    }
}

/// A running `watch`: its lines as they come, read by a thread of their own, so that a
/// test acts on the chat only once the binary has shown it is listening.
struct Watching {
    child: Child,
    handed: Vec<String>,
    lines: mpsc::Receiver<String>,
    /// Every line read so far, whole (with its line end), for the final output.
    read: Vec<String>,
}

impl Watching {
    /// Starts `watch` on the emulator's endpoint with the participant token handed as
    /// `token`, plus `extra` arguments; returns once its WebSocket is open on
    /// `contact_id`.
    fn start(emulator: &Emulator, contact_id: &str, token: Token<'_>, extra: &[&str]) -> Self {
        let url = emulator.endpoint_url();
        let mut args = vec!["--endpoint-url", url.as_str(), "watch"];
        args.extend_from_slice(extra);
        let (mut child, handed) = spawn_env(&args, token, &[]);
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let mut watching = Watching {
            child,
            handed,
            lines,
            read: Vec::new(),
        };
        if !emulator.wait_for_websockets(contact_id, 1, WS_PATIENCE) {
            let _ = watching.child.kill();
            let out = watching.finish();
            panic!("watch opened no WebSocket within {WS_PATIENCE:?}: {out:?}");
        }
        watching
    }

    /// The next line, as JSON, within [`WS_PATIENCE`]: the binary printed it, flushed,
    /// while still running.
    fn next_line(&mut self) -> Value {
        let line = self
            .lines
            .recv_timeout(WS_PATIENCE)
            .unwrap_or_else(|e| panic!("no line from watch within {WS_PATIENCE:?}: {e}"));
        self.read.push(line.clone());
        assert!(line.ends_with('\n'), "{line}");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    /// Waits for the binary to exit (bounded), and checks its output for leaks; the
    /// output's stdout holds every line it printed.
    fn finish(mut self) -> Output {
        let mut out = bounded_wait(self.child);
        // The reader ends at the pipe's end, which the exit closes.
        while let Ok(line) = self.lines.recv_timeout(WS_PATIENCE) {
            self.read.push(line);
        }
        out.stdout = self.read.concat().into_bytes();
        assert_unleaked(&out, &self.handed);
        assert_no_websocket_url(&out);
        out
    }
}

/// Each line of standard output as JSON, after checking that each is one whole line.
fn json_lines(out: &Output) -> Vec<Value> {
    let text = stdout(out);
    assert!(text.is_empty() || text.ends_with('\n'), "{text}");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn watch_prints_each_event_as_one_json_line_until_the_chat_ends() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let id = chat.contact_id.as_str();
    // A connection token of the test's own, to read the transcript as the service
    // sends it (the emulator keeps several per participant).
    let token = emulator.connection_token_for(id).unwrap();
    let mut watch = Watching::start(
        &emulator,
        id,
        Token::ParticipantEnv(&chat.participant_token),
        &[],
    );
    let hi = emulator.agent_says(id, "Hi", "text/plain").unwrap();
    // The message's line comes while the chat goes on.
    let first = watch.next_line();
    // The item as the service's transcript has it on the wire (read before the end: an
    // ended chat's tokens are refused).
    let wire = raw_items(&emulator, &token)
        .into_iter()
        .find(|(item_id, _)| *item_id == hi)
        .expect("the message in the transcript")
        .1;
    emulator.end_chat(id).unwrap();
    let out = watch.finish();
    assert_success(&out);

    // What was there before the watch (the two participant.joined) is not printed.
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2, "{}", stdout(&out));
    assert_eq!(lines[0], first);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&lines[0]), ["Event", "Item"]);
    assert_eq!(lines[0]["Event"], "message");
    assert_eq!(lines[0]["Item"]["Id"], hi.as_str());
    assert_eq!(lines[0]["Item"]["Content"], "Hi");
    assert_eq!(lines[0]["Item"]["ContentType"], "text/plain");
    assert_eq!(lines[0]["Item"]["Type"], "MESSAGE");
    assert_eq!(lines[0]["Item"]["ParticipantRole"], "AGENT");
    assert_eq!(
        lines[0]["Item"]["ParticipantId"],
        chat.agent_participant_id.as_str()
    );
    // Member for member, in the service's names: the transcript's item, plus the
    // `InitialContactId` the WebSocket's copy carries when the frame, not the stream's
    // catch-up read of the transcript, delivered it first (either may win the race).
    let mut item = lines[0]["Item"].clone();
    if let Some(initial) = item.as_object_mut().unwrap().remove("InitialContactId") {
        assert_eq!(initial, id);
    }
    assert_eq!(item, wire);
    assert_eq!(lines[1]["Event"], "chat.ended");
    assert_eq!(keys(&lines[1]), ["Event", "Item"]);
    assert_eq!(lines[1]["Item"]["ContentType"], CHAT_ENDED);
    assert_eq!(lines[1]["Item"]["Type"], "EVENT");
    assert!(lines[1]["Item"]["Id"].is_string());
    assert!(lines[1]["Item"]["AbsoluteTime"].is_string());
}

#[test]
fn watch_with_history_prints_the_transcript_so_far_first() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let id = chat.contact_id.as_str();
    // The token piped on standard input, as create-participant-connection takes it;
    // --json is accepted and changes nothing.
    let piped = format!("{}\n", chat.participant_token);
    let mut watch = Watching::start(
        &emulator,
        id,
        Token::Stdin(&piped),
        &["--history", "--json"],
    );
    // The transcript so far: the two participant.joined, printed once the stream is open.
    let joined = [watch.next_line(), watch.next_line()];
    let hi = emulator.agent_says(id, "Hi", "text/plain").unwrap();
    assert_eq!(watch.next_line()["Item"]["Id"], hi.as_str());
    emulator.end_chat(id).unwrap();
    let out = watch.finish();
    assert_success(&out);

    let lines = json_lines(&out);
    assert_eq!(lines[..2], joined);
    let events: Vec<&str> = lines.iter().map(|l| l["Event"].as_str().unwrap()).collect();
    assert_eq!(
        events,
        [
            "participant.joined",
            "participant.joined",
            "message",
            "chat.ended"
        ],
        "{}",
        stdout(&out)
    );
    let mut joined: Vec<(&str, &str)> = lines[..2]
        .iter()
        .map(|l| {
            assert_eq!(l["Item"]["ContentType"], JOINED);
            assert_eq!(l["Item"]["Type"], "EVENT");
            (
                l["Item"]["ParticipantRole"].as_str().unwrap(),
                l["Item"]["ParticipantId"].as_str().unwrap(),
            )
        })
        .collect();
    joined.sort();
    assert_eq!(
        joined,
        [
            ("AGENT", chat.agent_participant_id.as_str()),
            ("CUSTOMER", chat.customer_participant_id.as_str())
        ]
    );
    assert_eq!(lines[2]["Item"]["Content"], "Hi");
    assert_eq!(lines[3]["Item"]["ContentType"], CHAT_ENDED);
}

#[test]
fn watch_with_an_unknown_or_ended_participant_token_exits_3_and_prints_no_line() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    // A token the service does not know: CreateParticipantConnection's 403.
    let out = run(
        &["--endpoint-url", &url, "watch"],
        Token::ParticipantEnv(SECRET),
    );
    assert_refused(&out, "AccessDeniedException", 403);
    assert_no_websocket_url(&out);
    // An ended chat's participant token: the same, with --history too.
    let chat = emulator.start_chat();
    emulator.end_chat(&chat.contact_id).unwrap();
    let out = run(
        &["--endpoint-url", &url, "watch", "--history"],
        Token::ParticipantEnv(&chat.participant_token),
    );
    assert_refused(&out, "AccessDeniedException", 403);
    // Only the two CreateParticipantConnection calls reached the service.
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|r| r.path == "/participant/connection"));
    // A connection token in its variable is not the participant token watch needs.
    let out = run(&["--endpoint-url", &url, "watch"], Token::Env(SECRET));
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: no participant token: set CONNECT_PARTICIPANT_TOKEN or pipe the token on \
         standard input\n"
    );
    assert_eq!(stdout(&out), "");
}

// ---------------------------------------------------------------------------------------
// Attachments, views and sign-in: upload-attachment, get-attachment, describe-view,
// get-authentication-url, cancel-participant-authentication.

/// A directory of its own under the system's temporary one, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("cp-cli-it-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The path of `name` in it, as an argument.
    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }

    /// A file of `size` bytes, a pattern that a shifted or truncated copy would not match.
    fn file(&self, name: &str, size: usize) -> (String, Vec<u8>) {
        let bytes: Vec<u8> = (0..size).map(|i| (i * 7 + i / 251) as u8).collect();
        let path = self.path(name);
        std::fs::write(&path, &bytes).unwrap();
        (path, bytes)
    }

    /// The names of the files in it, sorted.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A chat's contact id and its customer's connection token.
fn chat(emulator: &Emulator) -> (String, ConnectionToken) {
    let started = emulator.start_chat();
    let token = emulator
        .connection_token_for(&started.contact_id)
        .expect("a new chat's connection token");
    (started.contact_id, token)
}

/// The attachment id of `uploaded <name>: AttachmentId <id>, <n> bytes`, checked.
fn uploaded_id(out: &Output, name: &str, size: usize) -> String {
    assert_success(out);
    let line = stdout(out);
    let rest = line
        .strip_prefix(&format!("uploaded {name}: AttachmentId "))
        .unwrap_or_else(|| panic!("{line}"));
    let (id, tail) = rest.split_once(", ").unwrap_or_else(|| panic!("{line}"));
    assert_eq!(tail, format!("{size} bytes\n"));
    id.to_owned()
}

#[test]
fn upload_attachment_sends_the_files_bytes_and_prints_its_id() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let dir = TempDir::new("upload");
    let (small, small_bytes) = dir.file("notes.txt", 12);
    let (big, big_bytes) = dir.file("Scan.PDF", 3_000_000);

    let out = send_with(&emulator, &token, &["upload-attachment", &small]);
    let id = uploaded_id(&out, "notes.txt", 12);
    assert_eq!(emulator.attachment(&id), Some(small_bytes));

    // 3 MB, the type from the extension whatever its case, and --output json.
    let out = send_with(
        &emulator,
        &token,
        &["upload-attachment", &big, "--output", "json"],
    );
    assert_success(&out);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let id = json["AttachmentId"].as_str().unwrap().to_owned();
    assert_eq!(
        stdout(&out),
        format!("{{\"AttachmentId\":\"{id}\",\"AttachmentSizeInBytes\":3000000}}\n")
    );
    assert_eq!(emulator.attachment(&id).as_deref(), Some(&big_bytes[..]));
    let start = emulator
        .seen_requests()
        .into_iter()
        .rfind(|r| r.path == "/participant/start-attachment-upload")
        .expect("a StartAttachmentUpload");
    let body: Value = serde_json::from_slice(&start.body).unwrap();
    assert_eq!(body["AttachmentName"], "Scan.PDF");
    assert_eq!(body["ContentType"], "application/pdf");
    assert_eq!(body["AttachmentSizeInBytes"], 3_000_000);

    // --content-type wins over the extension.
    let out = send_with(
        &emulator,
        &token,
        &["upload-attachment", &small, "--content-type", "text/csv"],
    );
    uploaded_id(&out, "notes.txt", 12);
    let start = emulator
        .seen_requests()
        .into_iter()
        .rfind(|r| r.path == "/participant/start-attachment-upload")
        .unwrap();
    let body: Value = serde_json::from_slice(&start.body).unwrap();
    assert_eq!(body["ContentType"], "text/csv");
    // The token went to the service only, never to the upload URL.
    assert_eq!(emulator.bearer_refusals(), 0);
}

#[test]
fn upload_attachment_refuses_an_unknown_extension_or_a_missing_file_sending_nothing() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let dir = TempDir::new("refuse");
    let (exe, _) = dir.file("setup.exe", 10);
    let before = emulator.requests();
    let out = send_with(&emulator, &token, &["upload-attachment", &exe]);
    assert_command_usage_error(
        &out,
        "upload-attachment",
        "\"setup.exe\" has no extension the service takes: it takes .csv, .doc, .docx, \
         .heic, .jfif, .jpeg, .jpg, .mov, .mp4, .pdf, .png, .ppt, .pptx, .rtf, .txt, .wav, \
         .xls, .xlsx",
    );
    let missing = dir.path("missing.pdf");
    let out = send_with(&emulator, &token, &["upload-attachment", &missing]);
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        format!(
            "error: cannot open \"{missing}\": No such file or directory (os error 2); \
             nothing was sent\n"
        )
    );
    let (empty, _) = dir.file("empty.pdf", 0);
    let out = send_with(&emulator, &token, &["upload-attachment", &empty]);
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: invalid AttachmentSizeInBytes: 0 bytes, must be 1 to 20000000 (20 MB)\n"
    );
    assert_eq!(emulator.requests(), before);
}

#[test]
fn upload_attachment_past_the_chats_quota_exits_3() {
    let emulator = Emulator::builder()
        .max_attachments_per_chat(1)
        .start()
        .unwrap();
    let (_, token) = chat(&emulator);
    let dir = TempDir::new("quota");
    let (file, _) = dir.file("a.png", 100);
    uploaded_id(
        &send_with(&emulator, &token, &["upload-attachment", &file]),
        "a.png",
        100,
    );
    let out = send_with(&emulator, &token, &["upload-attachment", &file]);
    assert_eq!(code(&out), 3, "{out:?}");
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.starts_with("error: attachment upload failed at step 1 of 3, StartAttachmentUpload: "),
        "{err}"
    );
    assert!(
        err.contains("error type: ServiceQuotaExceededException\n"),
        "{err}"
    );
}

#[test]
fn get_attachment_prints_its_size_and_saves_it_with_output_file() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let dir = TempDir::new("get");
    let (file, bytes) = dir.file("report.pdf", 3_000_000);
    let id = uploaded_id(
        &send_with(&emulator, &token, &["upload-attachment", &file]),
        "report.pdf",
        3_000_000,
    );

    // For people: the size and the URL's expiry, not the URL.
    let out = send_with(
        &emulator,
        &token,
        &["get-attachment", "--attachment-id", &id],
    );
    assert_eq!(code(&out), 0, "{out:?}");
    let line = stdout(&out);
    assert!(
        line.starts_with("attachment of 3000000 bytes: download URL expires "),
        "{line}"
    );
    assert!(!line.contains("http"), "{line}");
    assert_eq!(
        stderr(&out),
        "the download URL is not printed, as it grants access to the file by itself: \
         --output json prints it, --output-file <PATH> saves the file\n"
    );
    // JSON: the URL too, pointing at the emulator.
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-attachment",
            "--attachment-id",
            &id,
            "--url-expiry-in-seconds",
            "60",
            "--url-content-disposition",
            "INLINE",
            "--json",
        ],
    );
    assert_success(&out);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        json["Url"]
            .as_str()
            .unwrap()
            .starts_with(&emulator.endpoint_url()),
        "{json}"
    );
    assert!(json["UrlExpiry"].is_string(), "{json}");
    assert_eq!(json["AttachmentSizeInBytes"], 3_000_000);
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 3, "{json}");

    // --output-file: the bytes, whole, and nothing else left in the directory.
    let target = dir.path("copy.pdf");
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-attachment",
            "--attachment-id",
            &id,
            "--output-file",
            &target,
        ],
    );
    assert_success(&out);
    assert_eq!(stdout(&out), format!("saved 3000000 bytes to {target}\n"));
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert_eq!(dir.names(), ["copy.pdf", "report.pdf"]);
    // Again, replacing it, with --output json.
    std::fs::write(&target, b"old").unwrap();
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-attachment",
            "--attachment-id",
            &id,
            "--output-file",
            &target,
            "--output",
            "json",
        ],
    );
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        format!(
            "{{\"AttachmentSizeInBytes\":3000000,\"OutputFile\":{}}}\n",
            Value::from(target.as_str())
        )
    );
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert_eq!(emulator.bearer_refusals(), 0);

    // Refused by the service: exit 3, the existing file untouched, nothing left behind.
    std::fs::write(&target, b"kept").unwrap();
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-attachment",
            "--attachment-id",
            "no-such-id",
            "--output-file",
            &target,
        ],
    );
    assert_eq!(code(&out), 3, "{out:?}");
    assert_eq!(stdout(&out), "");
    assert_eq!(std::fs::read(&target).unwrap(), b"kept");
    assert_eq!(dir.names(), ["copy.pdf", "report.pdf"]);
}

#[test]
fn describe_view_prints_the_view_and_an_unknown_one_exits_3() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let view = r#"{"Arn":"arn:aws:connect:us-west-2:111122223333:instance/i-1/view/v-1:3","Content":{"Actions":["Submit","Cancel"],"InputSchema":"{\"type\":\"object\"}","Template":"{\n \"Head\": {\"Title\": \"Card\"}\n}"},"Id":"v-1","Name":"Card view","Version":3}"#;
    emulator.add_view("view token/1", view).unwrap();

    let out = send_with(
        &emulator,
        &token,
        &["describe-view", "--view-token", "view token/1"],
    );
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        "Id: v-1\n\
         Arn: arn:aws:connect:us-west-2:111122223333:instance/i-1/view/v-1:3\n\
         Name: Card view\n\
         Version: 3\n\
         Actions: Submit, Cancel\n\
         InputSchema: {\"type\":\"object\"}\n\
         Template: {  \"Head\": {\"Title\": \"Card\"} }\n"
    );
    let out = send_with(
        &emulator,
        &token,
        &[
            "describe-view",
            "--view-token",
            "view token/1",
            "--output",
            "json",
        ],
    );
    assert_success(&out);
    let got: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let want: Value = serde_json::from_str(&format!("{{\"View\":{view}}}")).unwrap();
    assert_eq!(got, want);
    // The service's model order: Id, Arn, Name, Version, Content.
    assert!(stdout(&out).starts_with("{\"View\":{\"Id\":\"v-1\",\"Arn\":"));

    let out = send_with(
        &emulator,
        &token,
        &["describe-view", "--view-token", "nope"],
    );
    assert_eq!(code(&out), 3, "{out:?}");
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("error type: ResourceNotFoundException\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn get_authentication_url_prints_the_url_and_cancel_prints_cancelled() {
    let emulator = Emulator::start().unwrap();
    let (contact_id, token) = chat(&emulator);
    let session = emulator.start_authentication(&contact_id).unwrap();

    let args = [
        "get-authentication-url",
        "--session-id",
        &session,
        "--redirect-uri",
        "https://example.com/back",
    ];
    let out = send_with(&emulator, &token, &args);
    assert_success(&out);
    let line = stdout(&out);
    assert!(line.starts_with("https://"), "{line}");
    assert!(line.ends_with('\n') && line.lines().count() == 1, "{line}");
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let out = send_with(&emulator, &token, &json_args);
    assert_success(&out);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        json["AuthenticationUrl"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(json.as_object().unwrap().len(), 1);

    let out = send_with(
        &emulator,
        &token,
        &[
            "cancel-participant-authentication",
            "--session-id",
            &session,
        ],
    );
    assert_success(&out);
    assert_eq!(stdout(&out), "cancelled\n");
    let session = emulator.start_authentication(&contact_id).unwrap();
    let out = send_with(
        &emulator,
        &token,
        &[
            "cancel-participant-authentication",
            "--session-id",
            &session,
            "--output",
            "json",
        ],
    );
    assert_success(&out);
    assert_eq!(stdout(&out), "{}\n");

    // A session id of another length: refused before the token is read.
    let before = emulator.requests();
    let out = run(
        &[
            "--endpoint-url",
            &emulator.endpoint_url(),
            "cancel-participant-authentication",
            "--session-id",
            "short",
        ],
        Token::Stdin(""),
    );
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: invalid SessionId: 5 characters, must be exactly 36\n"
    );
    assert_eq!(emulator.requests(), before);
}

/// The process's peak resident set (`VmHWM`, bytes), while it runs.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Uploads `file` with the binary and returns its peak resident set (bytes) and how many
/// times it was read. VmHWM is the process's own high-water mark, so the last read before
/// it exits is its peak but for what it took after that read: it is read every 10 ms
/// while the process runs.
fn upload_peak_rss(
    emulator: &Emulator,
    token: &ConnectionToken,
    file: &str,
) -> (Output, u64, usize) {
    let url = emulator.endpoint_url();
    let (mut child, handed) = spawn_env(
        &["--endpoint-url", &url, "upload-attachment", file],
        Token::Env(token.expose_secret()),
        &[],
    );
    let pid = child.id();
    let (mut peak, mut samples) = (0u64, 0usize);
    let started = std::time::Instant::now();
    loop {
        if let Some(rss) = peak_rss(pid) {
            peak = peak.max(rss);
            samples += 1;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the upload did not finish within 60 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = bounded_wait(child);
    assert_unleaked(&out, &handed);
    (out, peak, samples)
}

#[test]
fn uploading_16_mb_keeps_the_cli_far_below_the_files_size() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("no /proc: peak memory not measured");
        return;
    }
    const SIZE: usize = 16_000_000;
    const SMALL: usize = 1_000_000;
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let dir = TempDir::new("rss");
    // The binary's own footprint (a debug build maps tens of megabytes of code, of which
    // several are resident): the same command with a file 16 times smaller.
    let (small, _) = dir.file("small.mp4", SMALL);
    let (out, baseline, _) = upload_peak_rss(&emulator, &token, &small);
    uploaded_id(&out, "small.mp4", SMALL);
    let (file, bytes) = dir.file("big.mp4", SIZE);
    let (out, peak, samples) = upload_peak_rss(&emulator, &token, &file);
    let id = uploaded_id(&out, "big.mp4", SIZE);
    assert!(emulator.attachment(&id).as_deref() == Some(&bytes[..]));
    eprintln!(
        "upload-attachment peak RSS: {peak} bytes for {SIZE} bytes ({samples} samples), \
         {baseline} bytes for {SMALL} bytes"
    );
    assert!(
        samples > 0,
        "the process ended before its memory could be read"
    );
    // Read whole, the file alone would take the peak past the baseline by 16 MB.
    assert!(
        peak < baseline + (SIZE / 4) as u64 && peak < SIZE as u64,
        "peak RSS {peak} bytes for a {SIZE}-byte file ({baseline} bytes for {SMALL}): the \
         file is not streamed"
    );
}

#[test]
fn a_download_that_cannot_be_written_exits_5_and_leaves_no_file() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let dir = TempDir::new("efbig");
    let (file, _) = dir.file("big.wav", 3_000_000);
    let id = uploaded_id(
        &send_with(&emulator, &token, &["upload-attachment", &file]),
        "big.wav",
        3_000_000,
    );
    let target = dir.path("copy.wav");
    std::fs::write(&target, b"kept").unwrap();
    // The binary under a file size limit far below the attachment (SIGXFSZ ignored, so a
    // write past it fails with EFBIG instead of killing the process).
    let url = emulator.endpoint_url();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1024 || exit 99; exec \"$0\" \"$@\"")
        .arg(BIN)
        .args([
            "--endpoint-url",
            &url,
            "get-attachment",
            "--attachment-id",
            &id,
            "--output-file",
            &target,
        ])
        .env_remove("CONNECT_PARTICIPANT_TOKEN")
        .env("CONNECT_CONNECTION_TOKEN", token.expose_secret())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in AWS_VARIABLES.iter().chain(&PROXY_VARIABLES) {
        cmd.env_remove(var);
    }
    let out = bounded_wait(cmd.spawn().unwrap());
    assert_unleaked(&out, &[token.expose_secret().to_owned()]);
    if code(&out) == 99 {
        eprintln!("no ulimit -f here: the write failure is not exercised");
        return;
    }
    assert_eq!(code(&out), 5, "{out:?}");
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.starts_with("error: could not write the downloaded attachment"),
        "{err}"
    );
    assert!(err.contains("\ncaused by: "), "{err}");
    // The target as it was, and no temporary file left.
    assert_eq!(std::fs::read(&target).unwrap(), b"kept");
    assert_eq!(dir.names(), ["big.wav", "copy.wav"]);
}
