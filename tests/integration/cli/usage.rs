//! A bad command line or input (exit 2, nothing sent), and the help and version texts.

use connect_participant::emulator::Emulator;

use super::{
    SECRET, Token, assert_command_usage_error, assert_success, assert_usage_error, code, run, send,
    stderr, stdout,
};
use crate::support::content_type::READ;

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
        // Once the command is known, its options are the guesses, and its help the hint.
        (&["typing", "--verbose"], "unknown option \"--verbose\""),
        (
            &["send-message", "--content-typ", "x"],
            "unknown option \"--content-typ\": did you mean --content-type?",
        ),
        (
            &["start-attachment-upload", "--attachment-nme", "a.pdf"],
            "unknown option \"--attachment-nme\": did you mean --attachment-name?",
        ),
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
             start-attachment-upload, complete-attachment-upload, get-attachment, \
             describe-view, get-authentication-url, cancel-participant-authentication, \
             typing, read, delivered, watch, emulator",
        ),
        (
            &["tpying"],
            "unknown command \"tpying\": did you mean typing?",
        ),
        // Before its options, whatever they are.
        (
            &["send-mesage", "--content-typ", "x"],
            "unknown command \"send-mesage\": did you mean send-message?",
        ),
        (
            &["frobnicate", "--attachment-name", "a.pdf"],
            "unknown command \"frobnicate\": expected one of create-participant-connection, \
             send-message, send-event, get-transcript, disconnect-participant, \
             upload-attachment, start-attachment-upload, complete-attachment-upload, \
             get-attachment, describe-view, get-authentication-url, \
             cancel-participant-authentication, typing, read, delivered, watch, emulator",
        ),
        // A long stray argument (a pasted token, say) is measured, not echoed.
        (
            &[&long],
            "unknown command (200 characters, not shown): expected one of \
             create-participant-connection, send-message, send-event, get-transcript, \
             disconnect-participant, upload-attachment, start-attachment-upload, \
             complete-attachment-upload, get-attachment, describe-view, \
             get-authentication-url, cancel-participant-authentication, typing, read, \
             delivered, watch, emulator",
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
    assert_command_usage_error(
        &out,
        "typing",
        "give --region <REGION> or --endpoint-url <URL>, or set AWS_REGION or AWS_ENDPOINT_URL",
    );
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
