//! Attachments through the client: upload and download against scripted servers.
//!
//! The service and the storage service (the presigned URLs' host) are each played by a
//! scripted server: the exact PUT, no token where it does not belong, retries, and each
//! step's failure named.

use std::io::Cursor;

use connect_participant::{
    Client, ErrorKind, PresignedUrl, SendEventRequest, StartAttachmentUploadRequest,
    UploadAttachmentRequest, UploadMetadata, UploadStep,
};

use crate::support;
use crate::support::scripted::{Action, Report, Scripted, closed_port, response};

const FILE: &[u8] = b"hello bob";

fn json(body: &str) -> Action {
    Action::Respond(response(
        "200 OK",
        &["Content-Type: application/json", "x-amzn-RequestId: r-1"],
        body.as_bytes(),
    ))
}

fn service_error(status: &str, error_type: &str) -> Action {
    Action::Respond(response(
        status,
        &[
            "Content-Type: application/json",
            &format!("x-amzn-ErrorType: {error_type}"),
            "x-amzn-RequestId: r-2",
        ],
        br#"{"message":"no"}"#,
    ))
}

/// S3's answers.
fn storage(status: &str, code: Option<&str>) -> Action {
    let body = code.map_or_else(String::new, |c| {
        format!(
            "<?xml version=\"1.0\"?><Error><Code>{c}</Code><Message>It failed</Message></Error>"
        )
    });
    Action::Respond(response(
        status,
        &["Content-Type: application/xml"],
        body.as_bytes(),
    ))
}

/// StartAttachmentUpload's answer, its URL on the storage server at `port`.
fn started(port: u16, length: usize) -> Action {
    json(&format!(
        r#"{{"AttachmentId":"att-1","UploadMetadata":{{"HeadersToInclude":{{"Content-Disposition":"attachment; filename=\"notes.txt\"","Content-Length":"{length}","Content-Type":"text/plain","x-amz-acl":"bucket-owner-full-control","x-amz-meta-contact_id":"c-1"}},"Url":"http://127.0.0.1:{port}/bucket/att-1?X-Amz-Signature=s3cr3t","UrlExpiry":"2023-08-03T08:15:46Z"}}}}"#
    ))
}

/// Runs one upload of `body` against a service answering `service` and a storage server
/// answering `store` (started first, so that the Start answer can point at it).
fn upload(
    service: impl FnOnce(u16) -> Vec<Action>,
    store: Vec<Action>,
    body: Cursor<Vec<u8>>,
) -> (
    connect_participant::Result<connect_participant::UploadAttachmentOutput>,
    Report,
    Report,
) {
    let s3 = Scripted::start(store);
    let api = Scripted::start(service(s3.port()));
    let client = support::client(&api.url());
    let out = client.upload_attachment(
        &support::token(),
        &UploadAttachmentRequest::new("notes.txt"),
        body,
    );
    (out, api.finish(), s3.finish())
}

fn lower(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_ascii_lowercase()
}

#[test]
fn the_put_carries_every_signed_header_and_the_bytes_and_no_token() {
    let (out, api, s3) = upload(
        |port| vec![started(port, FILE.len()), json("{}")],
        vec![storage("200 OK", None)],
        Cursor::new(FILE.to_vec()),
    );
    let out = out.unwrap();
    assert_eq!(out.attachment_id, "att-1");
    assert_eq!(out.size, 9);
    let put = s3.single();
    let text = put.text();
    assert!(
        text.starts_with("PUT /bucket/att-1?X-Amz-Signature=s3cr3t HTTP/1.1\r\n"),
        "{text}"
    );
    for header in [
        "content-disposition: attachment; filename=\"notes.txt\"\r\n",
        "content-length: 9\r\n",
        "content-type: text/plain\r\n",
        "x-amz-acl: bucket-owner-full-control\r\n",
        "x-amz-meta-contact_id: c-1\r\n",
    ] {
        assert!(text.contains(header), "{header:?} missing: {text}");
    }
    assert_eq!(put.body(), FILE);
    let all = lower(&put.bytes);
    for never in [
        "conn-token-1",
        "x-amz-bearer",
        "authorization",
        "transfer-encoding",
    ] {
        assert!(!all.contains(never), "{never} sent to the storage: {text}");
    }
    // The service saw Start then Complete, with the id; both with the token.
    assert_eq!(api.requests.len(), 2);
    assert!(
        api.requests[0]
            .text()
            .starts_with("POST /participant/start-attachment-upload ")
    );
    let complete = api.requests[1].text();
    assert!(complete.starts_with("POST /participant/complete-attachment-upload "));
    assert!(
        complete.contains(r#"{"AttachmentIds":["att-1"],"ClientToken":"#),
        "{complete}"
    );
}

#[test]
fn a_failed_put_is_retried_from_the_start_without_starting_again() {
    // The bytes are read from the reader's position on: here after a 4-byte prefix.
    let mut body = Cursor::new([b"skip".as_slice(), FILE].concat());
    body.set_position(4);
    let (out, api, s3) = upload(
        |port| vec![started(port, FILE.len()), json("{}")],
        vec![
            storage("503 Slow Down", Some("SlowDown")),
            storage("200 OK", None),
        ],
        body,
    );
    out.unwrap();
    assert_eq!(s3.requests.len(), 2);
    for put in &s3.requests {
        assert_eq!(put.body(), FILE);
    }
    assert_eq!(api.requests.len(), 2, "one Start, one Complete");
}

#[test]
fn each_step_that_fails_is_named() {
    // 1: StartAttachmentUpload refused.
    let (out, api, s3) = upload(
        |_| vec![service_error("400 Bad Request", "ValidationException")],
        vec![],
        Cursor::new(FILE.to_vec()),
    );
    let e = out.unwrap_err();
    assert_eq!(e.upload_step(), Some(UploadStep::Start));
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(
        e.to_string()
            .starts_with("attachment upload failed at step 1 of 3, StartAttachmentUpload: service error ValidationException (HTTP 400): no"),
        "{e}"
    );
    assert_eq!((api.requests.len(), s3.requests.len()), (1, 0));

    // 2: the storage refuses the PUT's signature: not retried, no Complete.
    let (out, api, s3) = upload(
        |port| vec![started(port, FILE.len())],
        vec![storage("403 Forbidden", Some("SignatureDoesNotMatch"))],
        Cursor::new(FILE.to_vec()),
    );
    let e = out.unwrap_err();
    assert_eq!(e.upload_step(), Some(UploadStep::Put));
    assert_eq!(e.kind(), ErrorKind::UnexpectedStatus);
    assert_eq!(e.status(), Some(403));
    assert_eq!(e.attempts(), 1);
    assert_eq!(
        e.to_string(),
        "attachment upload failed at step 2 of 3, the PUT of the file to the upload URL: the \
         presigned upload URL answered HTTP 403 (SignatureDoesNotMatch: It failed); the \
         headers sent must be exactly those StartAttachmentUpload listed, and the body \
         exactly the announced size"
    );
    assert!(!format!("{e:?}").contains("s3cr3t"));
    assert_eq!((api.requests.len(), s3.requests.len()), (1, 1));

    // 3: CompleteAttachmentUpload refused.
    let (out, _, _) = upload(
        |port| {
            vec![
                started(port, FILE.len()),
                service_error("409 Conflict", "ConflictException"),
            ]
        },
        vec![storage("200 OK", None)],
        Cursor::new(FILE.to_vec()),
    );
    let e = out.unwrap_err();
    assert_eq!(e.upload_step(), Some(UploadStep::Complete));
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(
        e.to_string().starts_with(
            "attachment upload failed at step 3 of 3, CompleteAttachmentUpload: service error \
             ConflictException (HTTP 409): no"
        ),
        "{e}"
    );
}

#[test]
fn a_signed_length_other_than_the_files_is_refused_before_the_put() {
    let (out, api, s3) = upload(
        |port| vec![started(port, FILE.len() + 1)],
        vec![],
        Cursor::new(FILE.to_vec()),
    );
    let e = out.unwrap_err();
    assert_eq!(e.upload_step(), Some(UploadStep::Put));
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert_eq!(
        e.to_string(),
        "attachment upload failed at step 2 of 3, the PUT of the file to the upload URL: the \
         upload's signed Content-Length is 10, but the file has 9 bytes"
    );
    assert_eq!((api.requests.len(), s3.requests.len()), (1, 0));
}

#[test]
fn a_redirect_from_the_storage_is_not_followed() {
    let elsewhere = Scripted::start(vec![]);
    let moved = Action::Respond(response(
        "307 Temporary Redirect",
        &[&format!("Location: {}/stolen", elsewhere.url())],
        b"",
    ));
    let (out, _, s3) = upload(
        |port| vec![started(port, FILE.len())],
        vec![moved],
        Cursor::new(FILE.to_vec()),
    );
    let e = out.unwrap_err();
    assert_eq!(e.upload_step(), Some(UploadStep::Put));
    assert_eq!(e.status(), Some(307));
    assert_eq!(s3.requests.len(), 1);
    assert_eq!(elsewhere.finish().connections, 0);
}

#[test]
fn every_limit_is_refused_before_anything_is_sent() {
    let client = support::client(&format!("http://127.0.0.1:{}", closed_port()));
    let t = support::token();
    let cases: Vec<(UploadAttachmentRequest, Vec<u8>, &str)> = vec![
        (
            UploadAttachmentRequest::new("empty.txt"),
            vec![],
            "invalid AttachmentSizeInBytes: 0 bytes, must be 1 to 20000000 (20 MB)",
        ),
        (
            UploadAttachmentRequest::new("big.txt"),
            vec![0; 20_000_001],
            "invalid AttachmentSizeInBytes: 20000001 bytes, must be 1 to 20000000 (20 MB)",
        ),
        (
            UploadAttachmentRequest::new("tool.exe").with_content_type("application/x-msdownload"),
            vec![1],
            "invalid AttachmentName: \"tool.exe\": the service takes only files named .csv, \
             .doc, .docx, .heic, .jfif, .jpeg, .jpg, .mov, .mp4, .pdf, .png, .ppt, .pptx, \
             .rtf, .txt, .wav, .xls, .xlsx",
        ),
        (
            UploadAttachmentRequest::new("noext"),
            vec![1],
            "invalid ContentType: none given, and the file name's extension is not one the \
             service takes",
        ),
    ];
    for (request, bytes, message) in cases {
        let e = client
            .upload_attachment(&t, &request, Cursor::new(bytes))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.upload_step(), Some(UploadStep::Start));
        assert_eq!(e.attempts(), 0);
        assert_eq!(
            e.to_string(),
            format!("attachment upload failed at step 1 of 3, StartAttachmentUpload: {message}")
        );
    }
}

/// A download from a storage server answering `answer`; the bytes written and the request.
fn download(answer: Action, max: u64) -> (connect_participant::Result<u64>, Vec<u8>, Report) {
    let s3 = Scripted::start(vec![answer]);
    let client: Client = support::client(&format!("http://127.0.0.1:{}", closed_port()));
    let url = PresignedUrl::new(format!("{}/bucket/att-1?X-Amz-Signature=s3cr3t", s3.url()));
    let mut out = Vec::new();
    let result = client.download_attachment(&url, &mut out, max);
    (result, out, s3.finish())
}

#[test]
fn a_download_is_a_plain_get_capped_and_without_the_token() {
    let bytes: Vec<u8> = (0..=255).collect();
    let (n, out, s3) = download(
        Action::Respond(response("200 OK", &["Content-Type: image/png"], &bytes)),
        1000,
    );
    assert_eq!(n.unwrap(), 256);
    assert_eq!(out, bytes);
    let text = s3.single().text();
    assert!(text.starts_with("GET /bucket/att-1?X-Amz-Signature=s3cr3t HTTP/1.1\r\n"));
    for never in ["x-amz-bearer", "authorization", "conn-token-1"] {
        assert!(!lower(text.as_bytes()).contains(never), "{text}");
    }
    // Announced over the cap: refused before a byte is written.
    let (e, out, _) = download(Action::Respond(response("200 OK", &[], &bytes)), 100);
    let e = e.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert_eq!(
        e.to_string(),
        "the attachment is larger than the 100 bytes allowed"
    );
    assert!(out.is_empty());
    // Not announced (the connection's end ends it): cut at the cap.
    let mut raw = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
    raw.extend_from_slice(&bytes);
    let (e, out, _) = download(Action::RespondAndClose(raw), 100);
    assert_eq!(e.unwrap_err().kind(), ErrorKind::InvalidResponse);
    assert!(out.len() <= 100, "{}", out.len());
    // The storage's refusal, its code kept, the URL not.
    let (e, _, _) = download(storage("403 Forbidden", Some("AccessDenied")), 100);
    let e = e.unwrap_err();
    assert_eq!(e.status(), Some(403));
    assert_eq!(
        e.to_string(),
        "the presigned download URL answered HTTP 403 (AccessDenied: It failed)"
    );
}

#[test]
fn upload_metadata_never_shows_its_url_or_header_values() {
    let meta = UploadMetadata::default();
    assert_eq!(
        format!("{meta:?}"),
        "UploadMetadata { url: None, url_expiry: None, headers_to_include: [] }"
    );
    let url = PresignedUrl::new("https://b/x?sig=s3cr3t");
    assert_eq!(format!("{url:?}"), "PresignedUrl([redacted])");
}

/// A customer of a new chat on `emulator`.
fn customer(
    emulator: &connect_participant::emulator::Emulator,
) -> connect_participant::Participant {
    let chat = emulator.start_chat();
    let client = emulator.client_builder().build().unwrap();
    let token = connect_participant::ParticipantToken::new(chat.participant_token).unwrap();
    connect_participant::Participant::connect(&client, token).unwrap()
}

#[test]
fn a_multi_megabyte_upload_streams_to_the_emulator_and_comes_back_whole() {
    let emulator = connect_participant::emulator::Emulator::start().unwrap();
    let me = customer(&emulator);
    let data: Vec<u8> = (0..6_000_000u32).map(|i| (i % 251) as u8).collect();
    let sent = me
        .upload_attachment(
            &UploadAttachmentRequest::new("scan.png"),
            Cursor::new(&data),
        )
        .unwrap();
    assert_eq!(sent.size, 6_000_000);
    assert!(emulator.attachment(&sent.attachment_id).unwrap() == data);
    assert_eq!(
        emulator.bearer_refusals(),
        0,
        "no token went to the upload URL"
    );
    let page = me
        .get_transcript(&connect_participant::GetTranscriptRequest::new())
        .unwrap();
    let item = page
        .transcript
        .iter()
        .find(|i| i.item_type == Some(connect_participant::ItemType::Attachment))
        .unwrap();
    let a = &item.attachments[0];
    assert_eq!(a.attachment_name.as_deref(), Some("scan.png"));
    assert_eq!(a.content_type.as_deref(), Some("image/png"));
    let mut copy = Vec::new();
    let n = me
        .download_attachment(&sent.attachment_id, &mut copy, 6_000_000)
        .unwrap();
    assert_eq!(n, 6_000_000);
    assert!(copy == data);
    assert_eq!(
        emulator.bearer_refusals(),
        0,
        "no token went to the download URL"
    );
    // One byte under the size as the cap: refused, as announced.
    let e = me
        .download_attachment(&sent.attachment_id, &mut Vec::new(), 5_999_999)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
}

/// A reader that runs `hook` on its first read: to act between the Start and the PUT.
struct Hooked<F: FnMut()> {
    inner: Cursor<Vec<u8>>,
    hook: Option<F>,
}

impl<F: FnMut()> std::io::Read for Hooked<F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(mut hook) = self.hook.take() {
            hook();
        }
        self.inner.read(buf)
    }
}

impl<F: FnMut()> std::io::Seek for Hooked<F> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn an_upload_url_that_expired_before_the_put_fails_at_the_put() {
    let emulator = connect_participant::emulator::Emulator::start().unwrap();
    let me = customer(&emulator);
    let body = Hooked {
        inner: Cursor::new(FILE.to_vec()),
        hook: Some(|| emulator.advance_clock(std::time::Duration::from_secs(301))),
    };
    let e = me
        .upload_attachment(&UploadAttachmentRequest::new("notes.txt"), body)
        .unwrap_err();
    assert_eq!(e.upload_step(), Some(UploadStep::Put));
    assert_eq!(e.status(), Some(403));
    assert!(
        e.to_string().starts_with(
            "attachment upload failed at step 2 of 3, the PUT of the file to the upload URL: \
             the presigned upload URL answered HTTP 403 (AccessDenied: "
        ),
        "{e}"
    );
}

#[test]
fn views_sessions_and_the_quota_through_a_participant() {
    use connect_participant::{
        CancelParticipantAuthenticationRequest, DescribeViewRequest, GetAuthenticationUrlRequest,
    };
    let emulator = connect_participant::emulator::Emulator::builder()
        .max_attachments_per_chat(1)
        .start()
        .unwrap();
    let chat = emulator.start_chat();
    let client = emulator.client_builder().build().unwrap();
    let token = connect_participant::ParticipantToken::new(chat.participant_token.clone()).unwrap();
    let me = connect_participant::Participant::connect(&client, token).unwrap();

    // A view token with the characters that must be escaped in a path segment.
    emulator
        .add_view(
            "vt+/=é",
            r#"{"Arn":"arn:v","Content":{"Actions":["Submit"],"InputSchema":"{}","Template":"{}"},"Id":"v1","Name":"Form","Version":2}"#,
        )
        .unwrap();
    let view = me
        .describe_view(&DescribeViewRequest::new("vt+/=é"))
        .unwrap()
        .view
        .unwrap();
    assert_eq!((view.id.as_deref(), view.version), (Some("v1"), Some(2)));
    assert_eq!(view.content.unwrap().actions, ["Submit"]);
    let e = me
        .describe_view(&DescribeViewRequest::new("unknown"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ResourceNotFound);
    assert_eq!(e.status(), Some(404));

    let session = emulator.start_authentication(&chat.contact_id).unwrap();
    let url = me
        .get_authentication_url(&GetAuthenticationUrlRequest::new(
            &session,
            "https://example.com/back",
        ))
        .unwrap()
        .authentication_url
        .unwrap();
    assert!(url.contains(&session), "{url}");
    me.cancel_participant_authentication(&CancelParticipantAuthenticationRequest::new(&session))
        .unwrap();

    // The chat's quota of one attachment: the second Start is refused with 402.
    me.upload_attachment(
        &UploadAttachmentRequest::new("a.txt"),
        Cursor::new(b"a".to_vec()),
    )
    .unwrap();
    let e = me
        .upload_attachment(
            &UploadAttachmentRequest::new("b.txt"),
            Cursor::new(b"b".to_vec()),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ServiceQuotaExceeded);
    assert_eq!(e.upload_step(), Some(UploadStep::Start));
    assert_eq!(e.status(), Some(402));
}

/// Every `source()` of `e`, shown and debugged, after `e` itself.
fn whole_chain(e: &connect_participant::Error) -> String {
    let mut text = format!("{e} {e:?}");
    let mut next = std::error::Error::source(e);
    while let Some(s) = next {
        text.push_str(&format!(" {s} {s:?}"));
        next = s.source();
    }
    text
}

/// StartAttachmentUpload's answer listing exactly `headers` (JSON members).
fn started_listing(port: u16, headers: &str) -> Action {
    json(&format!(
        r#"{{"AttachmentId":"att-1","UploadMetadata":{{"HeadersToInclude":{{{headers}}},"Url":"http://127.0.0.1:{port}/bucket/att-1?X-Amz-Signature=s3cr3t","UrlExpiry":"2023-08-03T08:15:46Z"}}}}"#
    ))
}

#[test]
fn a_plain_http_presigned_url_refused_by_an_https_client_is_never_quoted() {
    // Refused before any connection: ureq's own error quotes the whole URL.
    let client = Client::builder()
        .endpoint_url(format!("https://127.0.0.1:{}", closed_port()))
        .max_attempts(1)
        .build()
        .unwrap();
    let url = PresignedUrl::new(format!(
        "http://127.0.0.1:{}/bucket/att-1?X-Amz-Signature=s3cr3t",
        closed_port()
    ));
    let e = client
        .download_attachment(&url, &mut Vec::new(), 100)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the presigned download URL is not https, and a client whose endpoint is https \
         sends nothing in the clear"
    );
    assert!(!whole_chain(&e).contains("s3cr3t"), "{}", whole_chain(&e));
    let mut metadata = UploadMetadata::default();
    metadata.url = Some(url);
    let e = client
        .put_attachment(&metadata, Cursor::new(FILE.to_vec()))
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the presigned upload URL is not https"),
        "{e}"
    );
    assert!(!whole_chain(&e).contains("s3cr3t"), "{}", whole_chain(&e));
}

#[test]
fn listed_headers_that_frame_route_or_authorize_are_refused_before_the_put() {
    for (listed, name, why) in [
        (
            r#""Transfer-Encoding":"chunked""#,
            "Transfer-Encoding",
            "frames",
        ),
        (r#""Host":"elsewhere.example""#, "Host", "frames"),
        (r#""Connection":"close""#, "Connection", "frames"),
        (r#""X-Amz-Bearer":"t""#, "X-Amz-Bearer", "frames"),
        (r#""Authorization":"Basic eDp5""#, "Authorization", "frames"),
        (
            r#""Content-Length":"9","content-length":"9""#,
            "content-length",
            "twice",
        ),
    ] {
        let (out, api, s3) = upload(
            |port| vec![started_listing(port, listed)],
            vec![storage("200 OK", None)],
            Cursor::new(FILE.to_vec()),
        );
        let e = out.unwrap_err();
        assert_eq!(e.upload_step(), Some(UploadStep::Put), "{listed}");
        assert_eq!(e.kind(), ErrorKind::InvalidResponse, "{listed}");
        let reason = if why == "twice" {
            "it is listed twice (header names ignore case)"
        } else {
            "it frames, routes or authorizes the request, which the client does itself (and \
             no credential goes to the upload URL)"
        };
        assert_eq!(
            e.to_string(),
            format!(
                "attachment upload failed at step 2 of 3, the PUT of the file to the upload \
                 URL: the upload's header {name} cannot be sent: {reason}"
            )
        );
        assert_eq!((api.requests.len(), s3.connections), (1, 0), "{listed}");
    }
}

#[test]
fn a_signed_length_with_spaces_is_sent_bare() {
    let (out, _, s3) = upload(
        |port| {
            vec![
                started_listing(port, r#""Content-Length":" 9 ""#),
                json("{}"),
            ]
        },
        vec![storage("200 OK", None)],
        Cursor::new(FILE.to_vec()),
    );
    out.unwrap();
    let put = s3.single();
    assert!(
        put.text().contains("\r\ncontent-length: 9\r\n"),
        "{}",
        put.text()
    );
    assert_eq!(put.body(), FILE);
}

/// A file that says it has `claimed` bytes but holds `data`, read 4 bytes at a time, and
/// fails once `fail_at` bytes are read.
struct Shifting {
    data: Vec<u8>,
    claimed: u64,
    pos: u64,
    fail_at: Option<u64>,
}

impl std::io::Read for Shifting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.fail_at.is_some_and(|f| self.pos >= f) {
            return Err(std::io::Error::other("disk on fire"));
        }
        let from = usize::try_from(self.pos).unwrap().min(self.data.len());
        let n = buf.len().min(self.data.len() - from).min(4);
        buf[..n].copy_from_slice(&self.data[from..from + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for Shifting {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.pos = match to {
            std::io::SeekFrom::Start(n) => n,
            std::io::SeekFrom::End(d) => self.claimed.checked_add_signed(d).unwrap(),
            std::io::SeekFrom::Current(d) => self.pos.checked_add_signed(d).unwrap(),
        };
        Ok(self.pos)
    }
}

#[test]
fn a_file_that_shrinks_or_fails_mid_put_stops_the_put_at_once_and_is_not_retried() {
    let cases = [
        (
            Shifting {
                data: b"hello".to_vec(),
                claimed: 9,
                pos: 0,
                fail_at: None,
            },
            "the attachment ended after 5 of its 9 bytes: it changed while being uploaded",
        ),
        (
            Shifting {
                data: FILE.to_vec(),
                claimed: 9,
                pos: 0,
                fail_at: Some(4),
            },
            "could not read the attachment after 4 of its 9 bytes",
        ),
    ];
    for (file, message) in cases {
        let s3 = Scripted::start(vec![storage("200 OK", None); 3]);
        let api = Scripted::start(vec![started_listing(s3.port(), ""), json("{}")]);
        let client = support::client(&api.url());
        let began = std::time::Instant::now();
        let e = client
            .upload_attachment(
                &support::token(),
                &UploadAttachmentRequest::new("notes.txt"),
                file,
            )
            .unwrap_err();
        assert!(
            began.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            began.elapsed()
        );
        assert_eq!(e.upload_step(), Some(UploadStep::Put));
        assert_eq!(e.kind(), ErrorKind::Io);
        assert_eq!(e.attempts(), 1);
        assert_eq!(
            e.to_string(),
            format!(
                "attachment upload failed at step 2 of 3, the PUT of the file to the upload \
                 URL: {message}"
            )
        );
        assert_eq!(api.finish().requests.len(), 1, "no Complete");
        assert!(s3.finish().connections <= 1);
    }
}

#[test]
fn a_storage_error_that_quotes_the_presigned_url_is_masked() {
    let body = "<Error><Code>AccessDenied</Code><Message>denied for \
                /bucket/att-1?X-Amz-Signature=s3cr3t&amp;X-Amz-Date=1 and \
                X-Amz-Signature=s3cr3t</Message></Error>";
    let (e, _, _) = download(
        Action::Respond(response("403 Forbidden", &[], body.as_bytes())),
        100,
    );
    let e = e.unwrap_err();
    assert_eq!(
        e.to_string(),
        "the presigned download URL answered HTTP 403 (AccessDenied: denied for (the presigned \
         URL)&amp;X-Amz-Date=1 and (the presigned URL))"
    );
    assert!(!whole_chain(&e).contains("s3cr3t"), "{}", whole_chain(&e));
}

#[test]
fn a_download_cap_of_zero_takes_nothing_and_the_largest_cap_takes_all() {
    let bytes = vec![7u8; 300];
    let (e, out, _) = download(Action::Respond(response("200 OK", &[], &bytes)), 0);
    assert_eq!(
        e.unwrap_err().to_string(),
        "the attachment is larger than the 0 bytes allowed"
    );
    assert!(out.is_empty());
    let (n, out, _) = download(Action::Respond(response("200 OK", &[], &bytes)), u64::MAX);
    assert_eq!(n.unwrap(), 300);
    assert_eq!(out, bytes);
}

// The one retry policy: the presigned transfers take from the retry quota that the calls
// of the same client take from, and count their attempts as the calls do.

/// A transient failure of the service.
fn unavailable() -> Action {
    service_error("503 Service Unavailable", "ServiceUnavailableException")
}

/// The upload metadata of one StartAttachmentUpload, asked of the client's service (whose
/// script starts with that answer).
fn metadata(client: &Client) -> UploadMetadata {
    client
        .start_attachment_upload(
            &support::token(),
            &StartAttachmentUploadRequest::new("notes.txt", "text/plain", FILE.len() as u64),
        )
        .unwrap()
        .upload_metadata
        .unwrap()
}

/// Makes `fail` until the error it gives says the retry quota stopped its retries, each
/// one before that retried as a call is (3 attempts); returns how many were made.
fn until_the_quota_is_empty(
    client: &Client,
    fail: impl Fn() -> connect_participant::Error,
) -> usize {
    for made in 1..=20 {
        let e = fail();
        if e.retry_quota_exhausted() {
            assert!(client.retry_quota() < 14, "{}", client.retry_quota());
            return made;
        }
        assert_eq!(e.attempts(), 3, "{e}");
    }
    panic!("the quota of 500 pays 35 retries of 14, not 40");
}

#[test]
fn failing_calls_empty_the_retry_quota_and_then_a_put_is_not_retried() {
    let s3 = Scripted::start(vec![storage("503 Service Unavailable", None)]);
    let mut script = vec![started(s3.port(), FILE.len())];
    script.extend(std::iter::repeat_n(unavailable(), 60));
    let api = Scripted::start(script);
    let client = support::client(&api.url());
    let metadata = metadata(&client);
    // Calls that fail, each retried while the quota pays, until one is stopped by it.
    let calls = until_the_quota_is_empty(&client, || {
        client
            .send_event(&support::token(), &SendEventRequest::typing())
            .unwrap_err()
    });
    let e = client
        .put_attachment(&metadata, Cursor::new(FILE.to_vec()))
        .unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.attempts(), 1);
    assert!(e.retry_quota_exhausted());
    assert!(e.is_retryable(), "the PUT itself may succeed later");
    assert_eq!(
        e.to_string(),
        "the presigned upload URL answered HTTP 503; 1 attempt, not retried: the retry quota \
         is empty"
    );
    assert_eq!(s3.finish().requests.len(), 1);
    let api = api.finish();
    assert_eq!(api.requests.len(), 1 + 35 + calls, "35 retries, then none");
}

#[test]
fn failing_puts_empty_the_retry_quota_and_then_a_call_is_not_retried() {
    let s3 = Scripted::repeating(storage(
        "503 Service Unavailable",
        Some("ServiceUnavailable"),
    ));
    let api = Scripted::start(vec![started(s3.port(), FILE.len()), unavailable()]);
    let client = support::client(&api.url());
    let metadata = metadata(&client);
    let puts = until_the_quota_is_empty(&client, || {
        let e = client
            .put_attachment(&metadata, Cursor::new(FILE.to_vec()))
            .unwrap_err();
        assert_eq!(e.status(), Some(503));
        e
    });
    let e = client
        .send_event(&support::token(), &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownService);
    assert_eq!(e.attempts(), 1);
    assert!(e.retry_quota_exhausted());
    assert_eq!(api.finish().requests.len(), 2, "one Start, one SendEvent");
    assert_eq!(s3.finish().requests.len(), puts + 35);
}

#[test]
fn a_download_is_retried_until_its_first_byte_is_written() {
    // A refusal worth another try, before any byte: the GET is made again.
    let s3 = Scripted::start(vec![
        storage("503 Service Unavailable", Some("SlowDown")),
        Action::Respond(response("200 OK", &[], FILE)),
    ]);
    let client = support::client(&format!("http://127.0.0.1:{}", closed_port()));
    let url = PresignedUrl::new(format!("{}/bucket/att-1?X-Amz-Signature=s3cr3t", s3.url()));
    let mut out = Vec::new();
    assert_eq!(client.download_attachment(&url, &mut out, 100).unwrap(), 9);
    assert_eq!(out, FILE);
    assert_eq!(s3.finish().requests.len(), 2);
    // A body that breaks off once bytes were written: not made again, since what was
    // written cannot be taken back; the error still says a new download may succeed.
    let mut cut = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".to_vec();
    cut.extend_from_slice(FILE);
    let s3 = Scripted::start(vec![
        Action::RespondAndClose(cut),
        Action::Respond(response("200 OK", &[], FILE)),
    ]);
    let url = PresignedUrl::new(format!("{}/bucket/att-1?X-Amz-Signature=s3cr3t", s3.url()));
    let mut out = Vec::new();
    let e = client.download_attachment(&url, &mut out, 100).unwrap_err();
    assert_eq!(out, FILE);
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(e.attempts(), 1);
    assert!(e.is_retryable());
    assert_eq!(s3.finish().requests.len(), 1);
}
