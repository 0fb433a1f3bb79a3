//! start-attachment-upload and complete-attachment-upload: an upload's first and last
//! steps as commands of their own, the PUT between them made as a script would (here by
//! ureq, as by curl), against the emulator.

use connect_participant::ConnectionToken;
use connect_participant::emulator::Emulator;
use serde_json::Value;

use super::{
    Token, assert_command_usage_error, assert_refused, assert_success, chat, code, raw_items, run,
    send_with, stderr, stdout,
};

/// The bytes of the file the tests upload: a pattern a shifted copy would not match.
fn file_bytes(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// StartAttachmentUpload as the emulator answers it on the wire for this body: what the
/// binary's `--output json` must equal.
fn raw_start(emulator: &Emulator, token: &ConnectionToken, body: &str) -> Value {
    let answer = ureq::post(format!(
        "{}/participant/start-attachment-upload",
        emulator.endpoint_url()
    ))
    .header("X-Amz-Bearer", token.expose_secret())
    .header("Content-Type", "application/json")
    .send(body)
    .unwrap()
    .into_body()
    .read_to_string()
    .unwrap();
    serde_json::from_str(&answer).unwrap()
}

/// The PUT of `bytes` to the upload URL with every header to include, as a script does
/// it between the two commands.
fn put(start: &Value, bytes: &[u8]) -> u16 {
    let metadata = &start["UploadMetadata"];
    let mut request = ureq::put(metadata["Url"].as_str().unwrap());
    for (name, value) in metadata["HeadersToInclude"].as_object().unwrap() {
        request = request.header(name, value.as_str().unwrap());
    }
    let answer = request
        .config()
        .http_status_as_error(false)
        .build()
        .send(bytes)
        .unwrap();
    answer.status().as_u16()
}

#[test]
fn the_three_steps_by_hand_share_the_file() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let bytes = file_bytes(48_213);
    let start_args = [
        "start-attachment-upload",
        "--attachment-name",
        "Invoice.pdf",
        "--attachment-size-in-bytes",
        "48213",
        "--client-token",
        "start-1",
        "--output",
        "json",
    ];
    let out = send_with(&emulator, &token, &start_args);
    assert_success(&out);
    let printed = stdout(&out);
    // One document, as the AWS CLI prints it: indented by 4, a newline last.
    assert!(
        printed.starts_with("{\n    \"AttachmentId\": "),
        "{printed}"
    );
    assert!(printed.ends_with("}\n"), "{printed}");
    let start: Value = serde_json::from_str(&printed).unwrap();
    // The service's answer, member for member: the same ClientToken starts the same
    // upload, so the emulator answers a second request alike.
    let body = r#"{"AttachmentName":"Invoice.pdf","AttachmentSizeInBytes":48213,"ClientToken":"start-1","ContentType":"application/pdf"}"#;
    assert_eq!(start, raw_start(&emulator, &token, body));
    let id = start["AttachmentId"].as_str().unwrap().to_owned();
    assert_eq!(
        start["UploadMetadata"]["HeadersToInclude"]["Content-Type"],
        "application/pdf"
    );
    // The request holds what the AWS CLI sends for these options.
    let seen = emulator
        .seen_requests()
        .into_iter()
        .find(|r| r.path == "/participant/start-attachment-upload")
        .unwrap();
    let sent: Value = serde_json::from_slice(&seen.body).unwrap();
    assert_eq!(sent, serde_json::from_str::<Value>(body).unwrap());

    // Completing before the PUT: the service's refusal, exit 3.
    let complete = [
        "complete-attachment-upload",
        "--attachment-ids",
        id.as_str(),
    ];
    let out = send_with(&emulator, &token, &complete);
    assert_refused(&out, "ValidationException", 400);

    assert_eq!(put(&start, &bytes), 200);
    let out = send_with(&emulator, &token, &complete);
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        format!("completed the upload of attachment {id}\n")
    );
    assert_eq!(emulator.attachment(&id), Some(bytes));
    let shared: Vec<Value> = raw_items(&emulator, &token)
        .into_iter()
        .filter(|(_, i)| i["Type"] == "ATTACHMENT")
        .map(|(_, i)| i["Attachments"].clone())
        .collect();
    assert_eq!(shared.len(), 1);
    assert_eq!(shared[0][0]["AttachmentId"], id.as_str());
    assert_eq!(shared[0][0]["AttachmentName"], "Invoice.pdf");
    // The token went to the service only, never to the upload URL.
    assert_eq!(emulator.bearer_refusals(), 0);
}

#[test]
fn start_for_people_prints_the_id_and_headers_not_the_url() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let out = send_with(
        &emulator,
        &token,
        &[
            "start-attachment-upload",
            "--attachment-name=notes.txt",
            "--attachment-size-in-bytes=12",
            "--content-type=text/csv",
            "--client-token=start-2",
        ],
    );
    assert_eq!(code(&out), 0, "{out:?}");
    let body = r#"{"AttachmentName":"notes.txt","AttachmentSizeInBytes":12,"ClientToken":"start-2","ContentType":"text/csv"}"#;
    let wire = raw_start(&emulator, &token, body);
    let metadata = &wire["UploadMetadata"];
    let mut want = format!(
        "upload started: AttachmentId {}, upload URL expires {}\n",
        wire["AttachmentId"].as_str().unwrap(),
        metadata["UrlExpiry"].as_str().unwrap()
    );
    for (name, value) in metadata["HeadersToInclude"].as_object().unwrap() {
        want.push_str(&format!("header {name}: {}\n", value.as_str().unwrap()));
    }
    assert_eq!(stdout(&out), want);
    assert!(want.contains("header Content-Type: text/csv\n"), "{want}");
    let url = metadata["Url"].as_str().unwrap();
    let query = url.split_once('?').map_or(url, |(_, q)| q);
    assert!(!stdout(&out).contains(query) && !stderr(&out).contains(query));
    assert_eq!(
        stderr(&out),
        "the upload URL is not printed, as it grants access by itself: --output json \
         prints it; PUT the file's bytes to it with every header above, then run \
         complete-attachment-upload --attachment-ids <ID> (upload-attachment <FILE> does all \
         three steps)\n"
    );
}

#[test]
fn complete_prints_nothing_as_json_and_is_idempotent() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let body = r#"{"AttachmentName":"a.png","AttachmentSizeInBytes":100,"ClientToken":"s","ContentType":"image/png"}"#;
    let start = raw_start(&emulator, &token, body);
    assert_eq!(put(&start, &file_bytes(100)), 200);
    let id = start["AttachmentId"].as_str().unwrap();
    let args = [
        "complete-attachment-upload",
        "--attachment-ids",
        id,
        "--client-token",
        "done-1",
        "--json",
    ];
    for _ in 0..2 {
        let out = send_with(&emulator, &token, &args);
        // The AWS CLI prints nothing for an answer without members.
        assert_success(&out);
        assert_eq!(stdout(&out), "");
    }
    let seen = emulator
        .seen_requests()
        .into_iter()
        .rfind(|r| r.path == "/participant/complete-attachment-upload")
        .unwrap();
    assert_eq!(
        String::from_utf8(seen.body).unwrap(),
        format!(r#"{{"AttachmentIds":["{id}"],"ClientToken":"done-1"}}"#)
    );
    // Another ClientToken for a completed upload: the service's conflict, exit 3.
    let out = send_with(&emulator, &token, &args[..3]);
    assert_refused(&out, "ConflictException", 409);
}

#[test]
fn bad_steps_are_refused_before_the_token_is_read() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    let cases: [(&[&str], &str); 5] = [
        (
            &["start-attachment-upload", "--attachment-name", "a.pdf"],
            "start-attachment-upload needs --attachment-name <NAME> and \
             --attachment-size-in-bytes <N>",
        ),
        (
            &[
                "start-attachment-upload",
                "--attachment-name",
                "a.pdf",
                "--attachment-size-in-bytes",
                "big",
            ],
            "--attachment-size-in-bytes needs a whole number of bytes, such as 48213; got \
             \"big\"",
        ),
        (
            &["complete-attachment-upload"],
            "complete-attachment-upload needs --attachment-ids <ID>",
        ),
        (
            &["complete-attachment-upload", "--attachment-ids", "a", "b"],
            "--attachment-ids takes one id (the service completes one attachment per call); \
             got 2",
        ),
        (
            &["complete-attachment-upload", "--attachment-id", "a"],
            "--attachment-id is not an option of complete-attachment-upload; did you mean \
             --attachment-ids?",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["--endpoint", url.as_str()];
        all.extend_from_slice(args);
        // No token anywhere: a usage error comes first.
        let out = run(&all, Token::Stdin(""));
        assert_command_usage_error(&out, args[0], message);
    }
    // The library's limits, before the token too: 0 bytes, a size past 20 MB.
    for (size, message) in [
        (
            "0",
            "error: invalid AttachmentSizeInBytes: 0 bytes, must be 1 to 20000000 (20 MB)\n",
        ),
        (
            "20000001",
            "error: invalid AttachmentSizeInBytes: 20000001 bytes, must be 1 to 20000000 \
             (20 MB)\n",
        ),
    ] {
        let out = run(
            &[
                "--endpoint",
                &url,
                "start-attachment-upload",
                "--attachment-name=a.pdf",
                "--attachment-size-in-bytes",
                size,
            ],
            Token::Stdin(""),
        );
        assert_eq!(code(&out), 2, "{out:?}");
        assert_eq!(stderr(&out), message);
    }
    assert_eq!(emulator.requests(), 0);
}
