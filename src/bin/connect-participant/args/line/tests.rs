//! The command line's shape: an unknown command reported before its options, "did you
//! mean" for commands and options, and the upload's two steps as commands.

use connect_participant::{CompleteAttachmentUploadRequest, StartAttachmentUploadRequest};

use super::super::{Command, Name, Parsed, UsageError, parse_args};
use super::{closest, distance, max_edits};

fn parse(args: &[&str]) -> Result<Parsed, UsageError> {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    parse_args(&args)
}

fn command(args: &[&str]) -> Command {
    match parse(args) {
        Ok(Parsed::Run(a)) => a.command,
        other => panic!("{args:?} gave {other:?}"),
    }
}

/// The error's message and the command whose help its hint names.
fn error(args: &[&str]) -> (String, Option<Name>) {
    match parse(args) {
        Err(e) => (e.message, e.command),
        other => panic!("{args:?} gave {other:?}"),
    }
}

const E: &str = "--endpoint-url=http://127.0.0.1:1";

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

#[test]
fn distance_counts_edits_and_a_swapped_pair_as_one() {
    let d = |a: &str, b: &str| distance(&chars(a), &chars(b), 10);
    assert_eq!(d("typing", "typing"), Some(0));
    assert_eq!(d("tpying", "typing"), Some(1)); // transposed
    assert_eq!(d("send-mesage", "send-message"), Some(1)); // deleted
    assert_eq!(d("send-messagee", "send-message"), Some(1)); // inserted
    assert_eq!(d("read", "reed"), Some(1)); // substituted
    assert_eq!(d("", "abc"), Some(3));
    assert_eq!(d("abc", ""), Some(3));
    // Optimal string alignment: no substring edited twice ("ca" to "abc" is 3, not 2).
    assert_eq!(d("ca", "abc"), Some(3));
    assert_eq!(d("kitten", "sitting"), Some(3));
    // Past the bound: none, whatever the length difference.
    assert_eq!(distance(&chars("kitten"), &chars("sitting"), 2), None);
    assert_eq!(
        distance(&chars(&"x".repeat(100_000)), &chars("read"), 3),
        None
    );
}

#[test]
fn only_close_names_are_suggested() {
    assert_eq!(
        (max_edits(1), max_edits(7), max_edits(8), max_edits(12)),
        (1, 1, 2, 3)
    );
    assert_eq!(max_edits(400), 3);
    let names = ["read", "typing", "send-message", "send-event", "delivered"];
    let near = |typed: &str| closest(typed, names.iter().copied());
    assert_eq!(near("send-mesage"), ["send-message"]);
    assert_eq!(near("SEND_MESSAGE"), ["send-message"]);
    assert_eq!(near("sendmessage"), ["send-message"]);
    assert_eq!(near("red"), ["read"]);
    assert_eq!(near("delivred"), ["delivered"]);
    // Too far for its length: 2 edits on 6 characters, 3 on 4.
    assert!(near("tapyng").is_empty());
    assert!(near("rxyz").is_empty());
    assert!(near("x").is_empty());
    assert!(near("").is_empty());
    // The closest only; ties all named, once each.
    assert_eq!(near("send-evnt"), ["send-event"]);
    let tie = closest(
        "--sesion",
        ["--session", "--lesion", "--session"].into_iter(),
    );
    assert_eq!(tie, ["--session", "--lesion"]);
}

#[test]
fn an_unknown_command_is_reported_before_its_options() {
    for args in [
        &["frobnicate", "--attachment-name", "a.pdf"][..],
        &["--attachment-nam", "a.pdf", "frobnicate"],
        &["frobnicate", "--bogus"],
    ] {
        let (message, hint) = error(args);
        assert!(
            message.starts_with("unknown command \"frobnicate\": expected one of "),
            "{args:?}: {message}"
        );
        assert_eq!(hint, None);
    }
    // Of several candidates, the one close to a command (an unknown option's value is
    // taken for an argument).
    assert_eq!(
        error(&["--verbose", "3", "sned-message", "--content-typ", "x"]).0,
        "unknown command \"sned-message\": did you mean send-message?"
    );
    assert_eq!(
        error(&[E, "send-mesage", "--content", "hi"]).0,
        "unknown command \"send-mesage\": did you mean send-message?"
    );
    // A command's name as the value of an option is not the command.
    assert_eq!(
        error(&["--client-token", "typing", "tpying"]).0,
        "unknown command \"tpying\": did you mean typing?"
    );
    // With no argument where the command goes, the option is what is wrong.
    assert_eq!(
        error(&["--bogus"]),
        ("unknown option \"--bogus\"".into(), None)
    );
    // --help still wins: the program's help.
    assert_eq!(parse(&["frobnicate", "--help"]), Ok(Parsed::Help(None)));
}

#[test]
fn an_unknown_option_is_matched_against_its_commands_options_only() {
    let cases: [(&[&str], &str, Name); 6] = [
        (
            &[E, "send-message", "--content-typ", "x"],
            "unknown option \"--content-typ\": did you mean --content-type?",
            Name::SendMessage,
        ),
        (
            &["--regoin", "r", "typing"],
            "unknown option \"--regoin\": did you mean --region?",
            Name::Typing,
        ),
        (
            &[E, "get-transcript", "--max-result", "3"],
            "unknown option \"--max-result\": did you mean --max-results?",
            Name::GetTranscript,
        ),
        // --session-id is another command's: not offered to typing.
        (
            &[E, "typing", "--sesion-id", "x"],
            "unknown option \"--sesion-id\"",
            Name::Typing,
        ),
        (
            &["emulator", "--prot", "1"],
            "unknown option \"--prot\": did you mean --port?",
            Name::Emulator,
        ),
        (
            &[E, "typing", "--hepl"],
            "unknown option \"--hepl\": did you mean --help?",
            Name::Typing,
        ),
    ];
    for (args, message, name) in cases {
        assert_eq!(error(args), (message.to_owned(), Some(name)), "{args:?}");
    }
    // A known option the command does not take: the command's close one, if any.
    assert_eq!(
        error(&[E, "get-attachment", "--attachment-ids", "a"]).0,
        "--attachment-ids is not an option of get-attachment; did you mean --attachment-id?"
    );
    assert_eq!(
        error(&[E, "complete-attachment-upload", "--attachment-id", "a"]).0,
        "--attachment-id is not an option of complete-attachment-upload; did you mean \
         --attachment-ids?"
    );
    assert_eq!(
        error(&[E, "typing", "--content", "x"]).0,
        "--content is not an option of typing"
    );
    // With no command, the options every command takes.
    assert_eq!(
        error(&["--regio", "r"]),
        (
            "unknown option \"--regio\": did you mean --region?".into(),
            None
        )
    );
}

#[test]
fn start_attachment_upload_takes_the_aws_cli_options() {
    assert_eq!(
        command(&[
            E,
            "start-attachment-upload",
            "--attachment-name",
            "a.pdf",
            "--attachment-size-in-bytes",
            "48213",
        ]),
        Command::StartAttachmentUpload(StartAttachmentUploadRequest::new(
            "a.pdf",
            "application/pdf",
            48_213
        ))
    );
    assert_eq!(
        command(&[
            "start-attachment-upload",
            "--content-type=text/csv",
            "--attachment-name=data.txt",
            "--attachment-size-in-bytes=1",
            "--client-token",
            "ct-1",
            E,
        ]),
        Command::StartAttachmentUpload(
            StartAttachmentUploadRequest::new("data.txt", "text/csv", 1).with_client_token("ct-1")
        )
    );
    let name = Some(Name::StartAttachmentUpload);
    let needs = "start-attachment-upload needs --attachment-name <NAME> and \
                 --attachment-size-in-bytes <N>";
    for args in [
        &[E, "start-attachment-upload"][..],
        &[E, "start-attachment-upload", "--attachment-name", "a.pdf"],
        &[
            E,
            "start-attachment-upload",
            "--attachment-size-in-bytes",
            "3",
        ],
    ] {
        assert_eq!(error(args), (needs.to_owned(), name), "{args:?}");
    }
    for size in ["-1", "1.5", "many", "18446744073709551616"] {
        let args = [
            E,
            "start-attachment-upload",
            "--attachment-name=a.pdf",
            "--attachment-size-in-bytes",
            size,
        ];
        assert_eq!(
            error(&args),
            (
                format!(
                    "--attachment-size-in-bytes needs a whole number of bytes, such as \
                     48213; got \"{size}\""
                ),
                name
            )
        );
    }
    let (message, hint) = error(&[
        E,
        "start-attachment-upload",
        "--attachment-name=setup.exe",
        "--attachment-size-in-bytes=3",
    ]);
    assert!(
        message.starts_with(
            "\"setup.exe\" has no extension the service takes, so give --content-type \
             <TYPE>; the service takes .csv, .doc,"
        ),
        "{message}"
    );
    assert_eq!(hint, name);
}

#[test]
fn complete_attachment_upload_takes_one_attachment_id() {
    assert_eq!(
        command(&[E, "complete-attachment-upload", "--attachment-ids", "att-1"]),
        Command::CompleteAttachmentUpload(CompleteAttachmentUploadRequest::new("att-1"))
    );
    assert_eq!(
        command(&[
            "complete-attachment-upload",
            "--attachment-ids=att-1",
            "--client-token=ct",
            E
        ]),
        Command::CompleteAttachmentUpload(
            CompleteAttachmentUploadRequest::new("att-1").with_client_token("ct")
        )
    );
    let name = Some(Name::CompleteAttachmentUpload);
    assert_eq!(
        error(&[E, "complete-attachment-upload"]),
        (
            "complete-attachment-upload needs --attachment-ids <ID>".into(),
            name
        )
    );
    assert_eq!(
        error(&[
            E,
            "complete-attachment-upload",
            "--attachment-ids",
            "a",
            "b"
        ]),
        (
            "--attachment-ids takes one id (the service completes one attachment per call); \
             got 2"
                .into(),
            name
        )
    );
    // The list ends at the next option or command name.
    assert_eq!(
        command(&["--attachment-ids", "att-1", "complete-attachment-upload", E]),
        Command::CompleteAttachmentUpload(CompleteAttachmentUploadRequest::new("att-1"))
    );
    assert_eq!(
        Name::CompleteAttachmentUpload.token(),
        Name::StartAttachmentUpload.token()
    );
}
