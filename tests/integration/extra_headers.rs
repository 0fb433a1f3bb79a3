//! The caller's static headers (`ClientBuilder::header`): on every call to the
//! service, never on a presigned PUT or GET, refused at `build()` for the names the client
//! owns and for what would break a header, the value never shown.

use std::io::Cursor;

use connect_participant::emulator::Emulator;
use connect_participant::{
    Client, ErrorKind, GetTranscriptRequest, Participant, ParticipantToken, PresignedUrl,
    SendEventRequest, SendMessageRequest, UploadAttachmentRequest,
};

use crate::support::scripted::{Action, Scripted, response};
use crate::support::{self, counting_random};

const NAME: &str = "X-Corp-Gateway";
const VALUE: &str = "gw-key-s3cr3t";

fn with_header(url: &str) -> Client {
    Client::builder()
        .endpoint_url(url)
        .random_source(counting_random)
        .sleep_fn(|_| {})
        .header(NAME, VALUE)
        .build()
        .unwrap()
}

#[test]
fn every_call_to_the_service_carries_the_header_once() {
    let emulator = Emulator::start().unwrap();
    let client = emulator
        .client_builder()
        .header(NAME, VALUE)
        .build()
        .unwrap();
    let chat = emulator.start_chat();
    let token = ParticipantToken::new(chat.participant_token.clone()).unwrap();
    let me = Participant::connect(&client, token).unwrap();
    me.send_message(&SendMessageRequest::text("hi")).unwrap();
    // A retried attempt carries it too.
    assert!(emulator.fail_next(503, "ServiceUnavailableException", "busy"));
    me.send_event(&SendEventRequest::typing()).unwrap();
    me.get_transcript(&GetTranscriptRequest::new()).unwrap();
    me.disconnect(&Default::default()).unwrap();
    let seen = emulator.seen_requests();
    let paths: Vec<&str> = seen.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/participant/connection",
            "/participant/message",
            "/participant/event",
            "/participant/event",
            "/participant/transcript",
            "/participant/disconnect"
        ]
    );
    for r in &seen {
        let values: Vec<&str> = r
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(NAME))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(values, [VALUE], "{}", r.path);
    }
}

fn json(body: &str) -> Action {
    Action::Respond(response(
        "200 OK",
        &["Content-Type: application/json"],
        body.as_bytes(),
    ))
}

fn lower(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_ascii_lowercase()
}

#[test]
fn presigned_puts_and_gets_never_carry_it() {
    let s3 = Scripted::start(vec![
        Action::Respond(response("200 OK", &[], b"")),
        Action::Respond(response("200 OK", &["Content-Type: text/plain"], b"abc")),
    ]);
    let started = format!(
        r#"{{"AttachmentId":"att-1","UploadMetadata":{{"HeadersToInclude":{{"Content-Type":"text/plain"}},"Url":"{}/bucket/att-1?X-Amz-Signature=s","UrlExpiry":"2030-01-01T00:00:00Z"}}}}"#,
        s3.url()
    );
    let api = Scripted::start(vec![json(&started), json("{}")]);
    let client = with_header(&api.url());
    client
        .upload_attachment(
            &support::token(),
            &UploadAttachmentRequest::new("a.txt"),
            Cursor::new(b"abc".to_vec()),
        )
        .unwrap();
    let mut out = Vec::new();
    let url = PresignedUrl::new(format!("{}/bucket/att-1?X-Amz-Signature=s", s3.url()));
    client.download_attachment(&url, &mut out, 10).unwrap();
    assert_eq!(out, b"abc");
    let s3 = s3.finish();
    let methods: Vec<String> = s3
        .requests
        .iter()
        .map(|r| r.text().split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(methods, ["PUT", "GET"]);
    for r in &s3.requests {
        let text = lower(&r.bytes);
        assert!(!text.contains("x-corp-gateway"), "{text}");
        assert!(!text.contains(VALUE), "{text}");
    }
    // The two calls to the service did carry it, once, after the client's own headers.
    let api = api.finish();
    assert_eq!(api.requests.len(), 2);
    for r in &api.requests {
        let text = r.text();
        assert_eq!(text.matches("x-corp-gateway: ").count(), 1, "{text}");
        assert!(
            text.contains("amz-sdk-request: attempt=1; max=3\r\nx-corp-gateway: gw-key-s3cr3t\r\n"),
            "{text}"
        );
    }
}

#[test]
fn refused_headers_are_named_by_build_and_values_never_shown() {
    let refusals = [
        (
            "X-AMZ-BEARER",
            "x",
            "invalid extra header \"X-AMZ-BEARER\": the client sets it, or it frames the request",
        ),
        (
            "x-amz-date",
            "x",
            "invalid extra header \"x-amz-date\": names that start with X-Amz- or amz-sdk- are \
             AWS's and its SDKs'",
        ),
        (
            "X-Corp",
            "gw-key-s3cr3t\r\nHost: evil",
            "invalid extra header \"X-Corp\": its value may hold only visible ASCII, spaces and \
             tabs (the value is not shown)",
        ),
        (
            "X Corp",
            VALUE,
            "invalid extra header \"X Corp\": a name may hold only letters, digits and \
             !#$%&'*+-.^_`|~",
        ),
    ];
    for (name, value, message) in refusals {
        let builder = Client::builder().region("us-east-1").header(name, value);
        assert!(!format!("{builder:?}").contains("s3cr3t"));
        let e = builder.build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{name}");
        assert_eq!(e.to_string(), message);
        assert!(!format!("{e:?}").contains("s3cr3t"));
    }
    // Accepted: Debug shows the name, not the value.
    let builder = Client::builder().region("us-east-1").header(NAME, VALUE);
    assert!(format!("{builder:?}").ends_with(", headers: [\"X-Corp-Gateway\"], .. }"));
    let client = builder.build().unwrap();
    let shown = format!("{client:?}");
    assert!(
        shown.ends_with(", headers: [\"x-corp-gateway\"], .. }"),
        "{shown}"
    );
    assert!(!shown.contains("s3cr3t"));
}

#[test]
fn headers_over_8_kib_in_all_are_refused_by_build_naming_the_limit() {
    // Three headers of 10 + 2730 bytes: 8220 bytes of names and values, each within its
    // own limits.
    let value = format!("{VALUE}{}", "k".repeat(2730 - VALUE.len()));
    let builder = ["X-Corp-Gw1", "X-Corp-Gw2", "X-Corp-Gw3"]
        .into_iter()
        .fold(Client::builder().region("us-east-1"), |b, name| {
            b.header(name, value.as_str())
        });
    let e = builder.build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    assert_eq!(
        e.to_string(),
        "extra headers too large: 8220 bytes of names and values, at most 8192 in all"
    );
    assert!(!format!("{e:?}").contains("s3cr3t"));
    // Two of them (5480 bytes) are taken.
    let two = Client::builder()
        .region("us-east-1")
        .header("X-Corp-Gw1", value.as_str())
        .header("X-Corp-Gw2", value.as_str());
    assert!(two.build().is_ok());
}
