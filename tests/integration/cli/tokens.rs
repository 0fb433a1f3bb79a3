//! Where the binary takes its tokens from, and how it keeps from showing them.
//!
//! A token comes from its variable or standard input, never from the command line, whose
//! arguments every user of the machine can read; one pasted into an argument anyway is
//! refused unshown, and a long argument is measured, not echoed.

use std::process::Output;

use connect_participant::emulator::Emulator;

use super::{SECRET, Token, assert_success, assert_usage_error, code, run, stderr, stdout};
use crate::support::content_type::READ;
use crate::support::scripted::closed_port;

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
fn a_participant_token_alone_cannot_serve_a_connection_token_command() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    for command in ["typing", "start-attachment-upload"] {
        let mut args = vec!["--endpoint", url.as_str(), command];
        if command == "start-attachment-upload" {
            args.extend(["--attachment-name=a.pdf", "--attachment-size-in-bytes=3"]);
        }
        let out = run(&args, Token::ParticipantEnv(SECRET));
        assert_eq!(code(&out), 2, "{out:?}");
        assert_eq!(
            stderr(&out),
            format!(
                "error: {command} needs the connection token (create-participant-connection \
                 prints one), and CONNECT_CONNECTION_TOKEN is unset: the participant token \
                 found in CONNECT_PARTICIPANT_TOKEN cannot serve; set CONNECT_CONNECTION_TOKEN \
                 or pipe the connection token on standard input\n"
            )
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
