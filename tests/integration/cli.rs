//! The `connect-participant` binary, run as a user runs it, and what its tests share.
//!
//! Each run goes against the emulator on 127.0.0.1 (or a scripted server where the
//! emulator would not misbehave) and checks the command's request, exit status and output.
//! Every run also checks that the binary printed none of the tokens it was handed.

mod attachments;
mod calls;
mod catalogue;
mod emulator;
mod environment;
mod events;
mod failures;
mod tokens;
mod transcript;
mod upload_steps;
mod usage;
mod views;
mod watch;

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};

use connect_participant::__cli::{AWS_VARIABLES, PROXY_VARIABLES};
use connect_participant::ConnectionToken;
use connect_participant::emulator::{Emulator, SeenRequest};
use serde_json::Value;

use crate::support::process::{BIN, bounded_wait};

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

/// The body the emulator received, as text.
fn body(seen: &SeenRequest) -> String {
    String::from_utf8(seen.body.clone()).expect("a JSON body")
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

/// A chat's contact id and its customer's connection token.
fn chat(emulator: &Emulator) -> (String, ConnectionToken) {
    let started = emulator.start_chat();
    let token = emulator
        .connection_token_for(&started.contact_id)
        .expect("a new chat's connection token");
    (started.contact_id, token)
}
