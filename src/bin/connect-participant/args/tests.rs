//! The command line's parsing, case by case: what each line gives, and every refusal's
//! exact words.

use std::path::Path;

use connect_participant::{
    ConnectionType, ContentDisposition, ContentType, ScanDirection, SortOrder, StartPosition,
    Timestamp,
};

use super::*;

fn parse(args: &[&str]) -> Result<Parsed, UsageError> {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    parse_args(&args)
}

fn run(args: &[&str]) -> Args {
    match parse(args) {
        Ok(Parsed::Run(a)) => *a,
        other => panic!("{args:?} gave {other:?}"),
    }
}

fn usage_error(args: &[&str]) -> String {
    match parse(args) {
        Err(e) => e.message,
        other => panic!("{args:?} gave {other:?}"),
    }
}

const E: &str = "--endpoint-url=http://127.0.0.1:1";

#[test]
fn event_commands_parse_with_options_before_and_after() {
    let a = run(&["--region", "us-west-2", "typing"]);
    assert_eq!(
        a.command,
        Command::SendEvent(Name::Typing, SendEventRequest::typing())
    );
    assert_eq!(a.service.region.as_deref(), Some("us-west-2"));
    assert!(!a.json && !a.service.fips && !a.service.dual_stack);

    let a = run(&["read", "m-1", "--json", "--region=eu-central-1", "--fips"]);
    assert_eq!(
        a.command,
        Command::SendEvent(Name::Read, SendEventRequest::read("m-1"))
    );
    assert!(a.json && a.service.fips);

    // --endpoint is today's name of --endpoint-url.
    let a = run(&["--endpoint", "http://127.0.0.1:1", "delivered", "m-2"]);
    assert_eq!(
        a.command,
        Command::SendEvent(Name::Delivered, SendEventRequest::delivered("m-2"))
    );
    assert_eq!(a.service.endpoint.as_deref(), Some("http://127.0.0.1:1"));
    let b = run(&["--endpoint-url", "http://127.0.0.1:1", "delivered", "m-2"]);
    assert_eq!(a, b);

    let a = run(&[
        "--region",
        "us-east-1",
        "--dual-stack",
        "--client-token",
        "ct-1",
        "send-event",
        "--content-type",
        "application/vnd.amazonaws.connect.event.message.read",
        "--content",
        r#"{"messageId":"x"}"#,
    ]);
    assert_eq!(
        a.command,
        Command::SendEvent(
            Name::SendEvent,
            SendEventRequest::new(ContentType::MessageRead)
                .with_content(r#"{"messageId":"x"}"#)
                .with_client_token("ct-1")
        )
    );
    assert!(a.service.dual_stack);
}

#[test]
fn output_json_and_json_are_one_setting() {
    assert!(run(&[E, "typing", "--output", "json"]).json);
    assert!(run(&[E, "typing", "--output=json"]).json);
    assert!(run(&[E, "--json", "typing"]).json);
    for form in ["text", "table"] {
        assert_eq!(
            usage_error(&[E, "typing", "--output", form]),
            format!(
                "--output {form} is not supported: --output json prints the AWS CLI's JSON \
                 (for {form}, read it with jq), and without --output the output is for people"
            )
        );
    }
    assert_eq!(
        usage_error(&[E, "typing", "--output", "yaml"]),
        "--output takes json, not \"yaml\" (without --output, the output is for people)"
    );
    assert_eq!(
        usage_error(&[E, "typing", "--output", "json", "--json"]),
        "give --output json or --json, not both"
    );
}

#[test]
fn create_participant_connection_takes_types_as_the_aws_cli_does() {
    let a = run(&[E, "create-participant-connection"]);
    assert_eq!(
        a.command,
        Command::CreateParticipantConnection(CreateParticipantConnectionRequest::new())
    );
    let a = run(&[
        E,
        "create-participant-connection",
        "--type",
        "CONNECTION_CREDENTIALS",
        "WEBSOCKET",
        "--connect-participant",
    ]);
    assert_eq!(
        a.command,
        Command::CreateParticipantConnection(
            CreateParticipantConnectionRequest::new()
                .with_types([
                    ConnectionType::ConnectionCredentials,
                    ConnectionType::Websocket
                ])
                .with_connect_participant(true)
        )
    );
    // The list ends at a command name, so --type may come first too.
    let b = run(&[
        E,
        "--type",
        "CONNECTION_CREDENTIALS",
        "WEBSOCKET",
        "create-participant-connection",
        "--connect-participant",
    ]);
    assert_eq!(a, b);
    let a = run(&[
        E,
        "create-participant-connection",
        "--type=WEBRTC_CONNECTION",
        "--no-connect-participant",
    ]);
    assert_eq!(
        a.command,
        Command::CreateParticipantConnection(
            CreateParticipantConnectionRequest::new()
                .with_types(["WEBRTC_CONNECTION"])
                .with_connect_participant(false)
        )
    );
    assert_eq!(
        usage_error(&[E, "create-participant-connection", "--type"]),
        "--type needs a value"
    );
    assert_eq!(
        usage_error(&[
            E,
            "create-participant-connection",
            "--connect-participant",
            "--no-connect-participant"
        ]),
        "give --connect-participant or --no-connect-participant, not both"
    );
}

#[test]
fn send_message_defaults_to_text_plain() {
    let a = run(&[E, "send-message", "--content", "Hello"]);
    assert_eq!(
        a.command,
        Command::SendMessage(SendMessageRequest::text("Hello"))
    );
    let a = run(&[
        E,
        "send-message",
        "--content=**hi**",
        "--content-type",
        "text/markdown",
        "--client-token",
        "c-1",
    ]);
    assert_eq!(
        a.command,
        Command::SendMessage(SendMessageRequest::markdown("**hi**").with_client_token("c-1"))
    );
    assert_eq!(
        usage_error(&[E, "send-message"]),
        "send-message needs --content <TEXT>"
    );
}

#[test]
fn get_transcript_takes_the_aws_cli_options() {
    let a = run(&[E, "get-transcript"]);
    assert_eq!(
        a.command,
        Command::GetTranscript {
            request: GetTranscriptRequest::new(),
            paginate: true
        }
    );
    let a = run(&[
        E,
        "get-transcript",
        "--contact-id",
        "c-1",
        "--max-results",
        "5",
        "--next-token",
        "nt",
        "--scan-direction",
        "FORWARD",
        "--sort-order",
        "ASCENDING",
        "--start-position",
        "Id=i-1,MostRecent=3",
        "--no-paginate",
    ]);
    assert_eq!(
        a.command,
        Command::GetTranscript {
            request: GetTranscriptRequest::new()
                .with_contact_id("c-1")
                .with_max_results(5)
                .with_next_token("nt")
                .with_scan_direction(ScanDirection::Forward)
                .with_sort_order(SortOrder::Ascending)
                .with_start_position(StartPosition::id("i-1").with_most_recent(3)),
            paginate: false
        }
    );
    let a = run(&[
        E,
        "get-transcript",
        "--start-position",
        r#"{"AbsoluteTime":"2019-11-08T02:41:28.172Z"}"#,
    ]);
    let time = Timestamp::parse("2019-11-08T02:41:28.172Z").unwrap();
    assert_eq!(
        a.command,
        Command::GetTranscript {
            request: GetTranscriptRequest::new()
                .with_start_position(StartPosition::absolute_time(time)),
            paginate: true
        }
    );
    for (args, want) in [
        (
            &[E, "get-transcript", "--max-results", "-1"][..],
            "--max-results needs a whole number from 0 to 100; got \"-1\"",
        ),
        (
            &[E, "get-transcript", "--scan-direction", "UP"],
            "invalid ScanDirection: \"UP\", must be one of FORWARD, BACKWARD",
        ),
        (
            &[E, "get-transcript", "--sort-order", "up"],
            "invalid SortOrder: \"up\", must be one of DESCENDING, ASCENDING",
        ),
        (
            &[E, "get-transcript", "--start-position", "Nope=1"],
            "--start-position has no member \"Nope\": it takes Id, AbsoluteTime and \
             MostRecent",
        ),
        (
            &[E, "get-transcript", "--start-position", "{"],
            "--start-position is not valid JSON",
        ),
    ] {
        assert_eq!(usage_error(args), want, "{args:?}");
    }
}

#[test]
fn upload_attachment_takes_a_file_and_its_type_from_the_extension() {
    let a = run(&[E, "upload-attachment", "dir/Report.PDF"]);
    assert_eq!(
        a.command,
        Command::UploadAttachment {
            path: PathBuf::from("dir/Report.PDF"),
            request: UploadAttachmentRequest::new("Report.PDF"),
        }
    );
    assert_eq!(a.name(), Name::UploadAttachment);
    let Command::UploadAttachment { request, .. } = &a.command else {
        unreachable!()
    };
    assert_eq!(request.content_type(), Some("application/pdf"));
    assert_eq!(Name::UploadAttachment.token(), Some(TokenKind::Connection));
    // --content-type wins over the extension; the file may come first.
    let a = run(&[
        "--content-type",
        "text/markdown",
        "upload-attachment",
        "notes.txt",
        E,
        "--json",
    ]);
    assert!(a.json);
    assert_eq!(
        a.command,
        Command::UploadAttachment {
            path: PathBuf::from("notes.txt"),
            request: UploadAttachmentRequest::new("notes.txt").with_content_type("text/markdown"),
        }
    );
    // A file whose name starts with '-' goes after --.
    let a = run(&[E, "upload-attachment", "--", "-x.png"]);
    assert!(
        matches!(a.command, Command::UploadAttachment { path, .. } if path == Path::new("-x.png"))
    );
    let types = "it takes .csv, .doc, .docx, .heic, .jfif, .jpeg, .jpg, .mov, .mp4, .pdf, \
                 .png, .ppt, .pptx, .rtf, .txt, .wav, .xls, .xlsx";
    for (args, want) in [
        (
            &[E, "upload-attachment"][..],
            "upload-attachment needs a <FILE>".to_owned(),
        ),
        (
            &[E, "upload-attachment", "setup.exe"],
            format!("\"setup.exe\" has no extension the service takes: {types}"),
        ),
        (
            &[E, "upload-attachment", "/tmp/README"],
            format!("\"README\" has no extension the service takes: {types}"),
        ),
        (
            &[E, "upload-attachment", "/"],
            "\"/\" names no file".to_owned(),
        ),
        (
            &[E, "upload-attachment", "a.pdf", "b.pdf"],
            "1 unexpected argument after upload-attachment (it takes one: <FILE>)".to_owned(),
        ),
        (
            &[E, "upload-attachment", "a.pdf", "--client-token", "c"],
            "--client-token is not an option of upload-attachment".to_owned(),
        ),
        (
            &[E, "typing", "--output-file", "x"],
            "--output-file is not an option of typing".to_owned(),
        ),
    ] {
        assert_eq!(usage_error(args), want, "{args:?}");
    }
    // An unknown extension with --content-type is left to the library, which refuses
    // it before the token is read (commands).
    assert!(matches!(
        run(&[E, "upload-attachment", "a.exe", "--content-type", "x/y"]).command,
        Command::UploadAttachment { .. }
    ));
    assert_eq!(
        parse(&["upload-attachment", "a.pdf", "-h"]),
        Ok(Parsed::Help(Some(Name::UploadAttachment)))
    );
}

#[test]
fn get_attachment_takes_the_aws_cli_options() {
    let a = run(&[E, "get-attachment", "--attachment-id", "a-1"]);
    assert_eq!(
        a.command,
        Command::GetAttachment {
            request: GetAttachmentRequest::new("a-1"),
            output_file: None
        }
    );
    let a = run(&[
        E,
        "get-attachment",
        "--attachment-id=a-1",
        "--url-expiry-in-seconds",
        "60",
        "--url-content-disposition",
        "INLINE",
        "--output-file",
        "out/a.pdf",
    ]);
    assert_eq!(
        a.command,
        Command::GetAttachment {
            request: GetAttachmentRequest::new("a-1")
                .with_url_expiry_in_seconds(60)
                .with_url_content_disposition(ContentDisposition::Inline),
            output_file: Some(PathBuf::from("out/a.pdf"))
        }
    );
    for (args, want) in [
        (
            &[E, "get-attachment"][..],
            "get-attachment needs --attachment-id <ID>",
        ),
        (
            &[
                E,
                "get-attachment",
                "--attachment-id",
                "a",
                "--url-expiry-in-seconds",
                "x",
            ],
            "--url-expiry-in-seconds needs a whole number from 5 to 300; got \"x\"",
        ),
        (
            &[
                E,
                "get-attachment",
                "--attachment-id",
                "a",
                "--url-content-disposition",
                "inline",
            ],
            "invalid UrlContentDisposition: \"inline\", must be one of ATTACHMENT, INLINE",
        ),
        (
            &[E, "get-attachment", "--attachment-id", "a", "x"],
            "1 unexpected argument after get-attachment (it takes none: every value goes \
             with an option)",
        ),
    ] {
        assert_eq!(usage_error(args), want, "{args:?}");
    }
}

#[test]
fn view_and_authentication_commands_take_their_members() {
    let session = "8a8f6f3e-3b4e-4b6e-9d5c-0d8a7f4c2e11";
    assert_eq!(
        run(&[E, "describe-view", "--view-token", "v t/1"]).command,
        Command::DescribeView(DescribeViewRequest::new("v t/1"))
    );
    assert_eq!(
        run(&[
            E,
            "get-authentication-url",
            "--session-id",
            session,
            "--redirect-uri",
            "https://example.com/back"
        ])
        .command,
        Command::GetAuthenticationUrl(GetAuthenticationUrlRequest::new(
            session,
            "https://example.com/back"
        ))
    );
    assert_eq!(
        run(&[
            E,
            "cancel-participant-authentication",
            "--session-id",
            session
        ])
        .command,
        Command::CancelParticipantAuthentication(CancelParticipantAuthenticationRequest::new(
            session
        ))
    );
    for name in [
        Name::DescribeView,
        Name::GetAuthenticationUrl,
        Name::CancelParticipantAuthentication,
    ] {
        assert_eq!(Name::parse(name.as_str()), Some(name));
        assert_eq!(name.token(), Some(TokenKind::Connection));
    }
    for (args, want) in [
        (
            &[E, "describe-view"][..],
            "describe-view needs --view-token <TOKEN>",
        ),
        (
            &[E, "get-authentication-url", "--session-id", "s"],
            "get-authentication-url needs --session-id <ID> and --redirect-uri <URI>",
        ),
        (
            &[E, "get-authentication-url", "--redirect-uri", "u"],
            "get-authentication-url needs --session-id <ID> and --redirect-uri <URI>",
        ),
        (
            &[E, "cancel-participant-authentication"],
            "cancel-participant-authentication needs --session-id <ID>",
        ),
        (
            &[
                E,
                "cancel-participant-authentication",
                "--session-id",
                "s",
                "--redirect-uri",
                "u",
            ],
            "--redirect-uri is not an option of cancel-participant-authentication",
        ),
        (
            &[E, "describe-view", "--session-id", "s"],
            "--session-id is not an option of describe-view",
        ),
    ] {
        assert_eq!(usage_error(args), want, "{args:?}");
    }
    // --view-token is the view's, not a bearer token: taken.
    assert_eq!(token_option("--view-token"), None);
}

#[test]
fn emulator_takes_the_builders_settings_as_whole_numbers_within_bounds() {
    let a = run(&[
        "emulator",
        "--connection-token-lifetime",
        "5",
        "--max-chats",
        "3",
        "--max-connections",
        "16",
        "--max-websockets",
        "0",
        "--idle-timeout",
        "2",
    ]);
    assert_eq!(
        a.command,
        Command::Emulator {
            port: 0,
            settings: EmulatorSettings {
                connection_token_lifetime: Some(5),
                max_chats: Some(3),
                max_connections: Some(16),
                max_websockets: Some(0),
                idle_timeout: Some(2),
            }
        }
    );
    for (option, value, rule) in [
        (
            "--connection-token-lifetime",
            "0",
            "seconds from 1 to 315360000",
        ),
        (
            "--connection-token-lifetime",
            "1.5",
            "seconds from 1 to 315360000",
        ),
        ("--max-chats", "-1", "chats from 1 to 1000000"),
        ("--max-chats", "1000001", "chats from 1 to 1000000"),
        ("--max-connections", "0", "connections from 1 to 10000"),
        ("--max-websockets", "10001", "sockets from 0 to 10000"),
        (
            "--idle-timeout",
            "99999999999999999999999",
            "seconds from 1 to 86400",
        ),
        ("--idle-timeout", "", "seconds from 1 to 86400"),
    ] {
        assert_eq!(
            usage_error(&["emulator", option, value]),
            format!("{option} needs a whole number of {rule}; got \"{value}\""),
        );
    }
}

#[test]
fn emulator_takes_a_port_and_no_service_options() {
    let defaults = EmulatorSettings::default();
    assert_eq!(
        run(&["emulator"]).command,
        Command::Emulator {
            port: 0,
            settings: defaults
        }
    );
    assert_eq!(
        run(&["emulator", "--port", "8421"]).command,
        Command::Emulator {
            port: 8421,
            settings: defaults
        }
    );
    assert_eq!(
        usage_error(&["emulator", "--port", "70000"]),
        "--port needs a port number from 0 to 65535 (0: a free one); got \"70000\""
    );
    assert_eq!(
        usage_error(&["emulator", "--region", "us-east-1"]),
        "--region is not an option of emulator"
    );
}

#[test]
fn watch_takes_history_and_the_service_options() {
    let a = run(&[E, "watch"]);
    assert_eq!(
        a.command,
        Command::Watch {
            history: false,
            heartbeat: None,
            participant_id: None,
            journal: None,
            ordered: false,
        }
    );
    assert_eq!(a.name(), Name::Watch);
    assert_eq!(a.service.endpoint.as_deref(), Some("http://127.0.0.1:1"));
    let a = run(&[
        "--history",
        "--region",
        "us-west-2",
        "--timeout",
        "2.5",
        "--fips",
        "watch",
    ]);
    assert_eq!(
        a.command,
        Command::Watch {
            history: true,
            heartbeat: None,
            participant_id: None,
            journal: None,
            ordered: false,
        }
    );
    assert_eq!(a.service.region.as_deref(), Some("us-west-2"));
    assert_eq!(a.service.timeout, Some(Duration::from_millis(2500)));
    assert!(a.service.fips);
    assert_eq!(
        run(&[E, "watch", "--journal", "chat.jsonl", "--ordered"]).command,
        Command::Watch {
            history: false,
            heartbeat: None,
            participant_id: None,
            journal: Some("chat.jsonl".into()),
            ordered: true,
        }
    );
    // Always JSON lines: --output json and --json are accepted and change nothing.
    assert!(run(&[E, "watch", "--json"]).json);
    assert!(run(&[E, "watch", "--output", "json"]).json);
    // It sends the participant token, as create-participant-connection does.
    assert_eq!(Name::Watch.token(), Some(TokenKind::Participant));
    assert_eq!(
        guess_token_kind(&[E.to_owned(), "watch".to_owned()]),
        Some(TokenKind::Participant)
    );
    for (args, want) in [
        (
            &[E, "watch", "--history=yes"][..],
            "--history takes no value",
        ),
        (
            &[E, "watch", "--history", "--history"],
            "--history is given more than once",
        ),
        (
            &[E, "watch", "c-1"],
            "1 unexpected argument after watch (it takes none: every value goes with an option)",
        ),
        (
            &[E, "watch", "--client-token", "x"],
            "--client-token is not an option of watch",
        ),
        (
            &[E, "watch", "--journal", ""],
            "--journal needs a file name",
        ),
        (&[E, "watch", "--journal"], "--journal needs a value"),
        (&[E, "watch", "--ordered=1"], "--ordered takes no value"),
        (
            &[E, "typing", "--history"],
            "--history is not an option of typing",
        ),
        (
            &["emulator", "--history"],
            "--history is not an option of emulator",
        ),
    ] {
        assert_eq!(usage_error(args), want, "{args:?}");
    }
    // A token option names the participant token for watch.
    assert!(
        usage_error(&[E, "watch", "--token", "x"])
            .starts_with("the participant token is not taken from the command line")
    );
    assert_eq!(
        parse(&["help", "watch"]),
        Ok(Parsed::Help(Some(Name::Watch)))
    );
    assert_eq!(
        parse(&["watch", "--history", "-h"]),
        Ok(Parsed::Help(Some(Name::Watch)))
    );
}

#[test]
fn double_dash_ends_options() {
    let a = run(&["--region", "us-east-1", "--", "read", "--json"]);
    assert_eq!(
        a.command,
        Command::SendEvent(Name::Read, SendEventRequest::read("--json"))
    );
    assert!(!a.json);
    let a = run(&["--region", "us-east-1", "read", "--", "--help"]);
    assert_eq!(
        a.command,
        Command::SendEvent(Name::Read, SendEventRequest::read("--help"))
    );
}

#[test]
fn help_and_version_win_anywhere_before_double_dash() {
    assert_eq!(parse(&["--help"]), Ok(Parsed::Help(None)));
    assert_eq!(parse(&["-h"]), Ok(Parsed::Help(None)));
    assert_eq!(
        parse(&["typing", "--bogus", "--help"]),
        Ok(Parsed::Help(Some(Name::Typing)))
    );
    assert_eq!(
        parse(&["--content", "read", "send-message", "-h"]),
        Ok(Parsed::Help(Some(Name::SendMessage)))
    );
    assert_eq!(
        parse(&["help", "get-transcript"]),
        Ok(Parsed::Help(Some(Name::GetTranscript)))
    );
    assert_eq!(parse(&["help"]), Ok(Parsed::Help(None)));
    assert_eq!(parse(&["--version"]), Ok(Parsed::Version));
}

#[test]
fn token_options_are_refused_whatever_their_form() {
    let connection = "the connection token is not taken from the command line, because \
                      arguments are visible to every user of the machine (ps, /proc); \
                      set CONNECT_CONNECTION_TOKEN or pipe it on standard input";
    let participant = "the participant token is not taken from the command line, \
                       because arguments are visible to every user of the machine (ps, \
                       /proc); set CONNECT_PARTICIPANT_TOKEN or pipe it on standard input";
    for (args, want) in [
        (&["--token", "x", "typing"][..], connection),
        (&["--token=x", "typing"], connection),
        (&["--connection-token", "x", "typing"], connection),
        (&["--connection_token=x"], connection),
        (&["--bearer", "x"], connection),
        (&["--Bearer=x", "--help"], connection),
        (&["--x-amz-bearer=x"], connection),
        (&["--region", "us-east-1", "typing", "--token"], connection),
        (&["--participant-token", "x", "typing"], participant),
        (
            &["create-participant-connection", "--token", "x"],
            participant,
        ),
        (
            &["--bearer=x", "create-participant-connection"],
            participant,
        ),
        (
            &["create-participant-connection", "--connection-token=x"],
            connection,
        ),
    ] {
        assert_eq!(usage_error(args), want, "{args:?}");
    }
    // --client-token is the idempotency token, not a secret.
    assert_eq!(token_option("--client-token"), None);
    assert_eq!(token_option("token"), None);
}

#[test]
fn usage_errors_say_what_is_wrong() {
    let all = "create-participant-connection, send-message, send-event, get-transcript, \
               disconnect-participant, upload-attachment, start-attachment-upload, \
               complete-attachment-upload, get-attachment, describe-view, \
               get-authentication-url, cancel-participant-authentication, typing, read, \
               delivered, watch, emulator";
    let cases: &[(&[&str], String)] = &[
        (&[], format!("no command: give one of {all}")),
        (&["--region", "r"], format!("no command: give one of {all}")),
        (
            &["--region", "r", "tpying"],
            "unknown command \"tpying\": did you mean typing?".into(),
        ),
        (
            &["--region", "r", "frobnicate"],
            format!("unknown command \"frobnicate\": expected one of {all}"),
        ),
        (
            &["--region", "r", "--bogus", "typing"],
            "unknown option \"--bogus\"".into(),
        ),
        (
            &["--region", "r", "--bogus=1", "typing"],
            "unknown option \"--bogus\"".into(),
        ),
        (
            &["--region", "r", "-x", "typing"],
            "unknown option \"-x\"".into(),
        ),
        (
            &["--region", "r", "read"],
            "read needs a <message-id>".into(),
        ),
        (
            &["--region", "r", "delivered"],
            "delivered needs a <message-id>".into(),
        ),
        (
            &["--region", "r", "send-event"],
            "send-event needs --content-type <TYPE>".into(),
        ),
        (
            &["--region", "r", "typing", "x"],
            "1 unexpected argument after typing (it takes none: every value goes with \
             an option)"
                .into(),
        ),
        (
            &["--region", "r", "read", "a", "b", "c"],
            "2 unexpected arguments after read (it takes one: <message-id>)".into(),
        ),
        (
            &["--region", "r", "typing", "--content", "x"],
            "--content is not an option of typing".into(),
        ),
        (
            &["--region", "r", "get-transcript", "--client-token", "x"],
            "--client-token is not an option of get-transcript".into(),
        ),
        (
            &["--region", "r", "--endpoint", "http://x", "typing"],
            "give --region or --endpoint-url, not both: the endpoint URL already names \
             the region"
                .into(),
        ),
        (
            &["--region", "typing"],
            format!("no command: give one of {all}"),
        ),
        (&["typing", "--region"], "--region needs a value".into()),
        (
            &["--client-token", "--json", "typing"],
            "--client-token needs a value".into(),
        ),
        (&["--json=yes", "typing"], "--json takes no value".into()),
        (
            &["--region", "a", "--region", "b", "typing"],
            "--region is given more than once".into(),
        ),
        (
            &[
                "--endpoint",
                "http://a",
                "--endpoint-url",
                "http://b",
                "typing",
            ],
            "--endpoint-url is given more than once".into(),
        ),
        (
            &["--fips", "--fips", "typing"],
            "--fips is given more than once".into(),
        ),
    ];
    for (args, want) in cases {
        assert_eq!(&usage_error(args), want, "{args:?}");
    }
    // The hint names the command's help once the command is known.
    let e = parse(&["--region", "r", "typing", "x"]).unwrap_err();
    assert_eq!(e.command, Some(Name::Typing));
    let e = parse(&["--region", "r", "tpying"]).unwrap_err();
    assert_eq!(e.command, None);
}

#[test]
fn unknown_event_content_type_lists_the_allowed_values() {
    let m = usage_error(&[E, "send-event", "--content-type", "text/plain"]);
    assert_eq!(
        m,
        "unknown content type \"text/plain\", expected one of: \
         application/vnd.amazonaws.connect.event.typing, \
         application/vnd.amazonaws.connect.event.message.delivered, \
         application/vnd.amazonaws.connect.event.message.read, \
         application/vnd.amazonaws.connect.event.connection.acknowledged"
    );
}

#[test]
fn long_arguments_are_measured_not_echoed() {
    let long = format!(
        "x{}",
        "S".repeat(connect_participant::__cli::MAX_SHOWN_CHARS)
    );
    let measured = "(65 characters, not shown)";
    let long_option = format!("--{}", "o".repeat(63));
    let long_option_eq = format!("{long_option}=1");
    let timeout_eq = format!("--timeout={long}");
    let cases: [(&[&str], String); 6] = [
        (
            &["--region", "r", &long],
            format!("unknown command {measured}: expected one of "),
        ),
        (
            &["--region", "r", &long_option, "typing"],
            format!("unknown option {measured}"),
        ),
        (
            &["--region", "r", &long_option_eq, "typing"],
            format!("unknown option {measured}"),
        ),
        (
            &["--region", "r", "--timeout", &long, "typing"],
            format!(
                "--timeout needs a number of seconds from 0.001 to 3600, such as 2.5; \
                 got {measured}"
            ),
        ),
        (
            &["--region", "r", &timeout_eq, "typing"],
            format!(
                "--timeout needs a number of seconds from 0.001 to 3600, such as 2.5; \
                 got {measured}"
            ),
        ),
        (
            &["--region", "r", "send-event", "--content-type", &long],
            format!("unknown content type {measured}, expected one of: "),
        ),
    ];
    for (args, want) in cases {
        let got = usage_error(args);
        assert!(got.starts_with(&want), "{args:?}: {got}");
        assert!(!got.contains("SSSS"), "{got}");
    }
    // At the limit an argument is still shown: typos stay easy to spot.
    let at_limit = "t".repeat(64);
    assert!(
        usage_error(&["--region", "r", &at_limit])
            .starts_with(&format!("unknown command \"{at_limit}\": "))
    );
}

#[test]
fn timeout_takes_positive_decimal_seconds() {
    assert_eq!(parse_timeout("2.5"), Ok(Duration::from_millis(2500)));
    assert_eq!(parse_timeout("1"), Ok(Duration::from_secs(1)));
    assert_eq!(parse_timeout("0.05"), Ok(Duration::from_millis(50)));
    assert_eq!(parse_timeout("3600"), Ok(Duration::from_secs(3600)));
    for bad in [
        "0", "0.0", "-1", "-0.5", "abc", "", "2s", " 2", "inf", "NaN", "3600.5", "1e-12", "0.0009",
    ] {
        let e = parse_timeout(bad).unwrap_err();
        assert!(
            e.message.starts_with("--timeout needs a number of seconds"),
            "{bad}: {e:?}"
        );
    }
    let a = run(&["--region", "r", "--timeout=0.25", "typing"]);
    assert_eq!(a.service.timeout, Some(Duration::from_millis(250)));
}
