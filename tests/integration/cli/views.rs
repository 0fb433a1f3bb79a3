//! describe-view, get-authentication-url and cancel-participant-authentication.

use connect_participant::emulator::Emulator;
use serde_json::Value;

use super::{Token, assert_success, chat, code, run, send_with, stderr, stdout};

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
    // The AWS CLI's document: the service's model order (Id, Arn, Name, Version, Content),
    // four spaces a level.
    assert_eq!(
        stdout(&out),
        r#"{
    "View": {
        "Id": "v-1",
        "Arn": "arn:aws:connect:us-west-2:111122223333:instance/i-1/view/v-1:3",
        "Name": "Card view",
        "Version": 3,
        "Content": {
            "InputSchema": "{\"type\":\"object\"}",
            "Template": "{\n \"Head\": {\"Title\": \"Card\"}\n}",
            "Actions": [
                "Submit",
                "Cancel"
            ]
        }
    }
}
"#
    );

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
    assert_eq!(
        stdout(&out),
        format!(
            "{{\n    \"AuthenticationUrl\": {}\n}}\n",
            json["AuthenticationUrl"]
        )
    );

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
    // An empty answer: the AWS CLI prints nothing for it.
    assert_eq!(stdout(&out), "");

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
