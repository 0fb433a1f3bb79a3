//! The emulator's last five operations, driven with raw HTTP over 127.0.0.1 (the client's
//! own methods for them are written elsewhere): StartAttachmentUpload, the presigned upload
//! URL (S3's part), CompleteAttachmentUpload, GetAttachment and its download URL,
//! DescribeView, GetAuthenticationUrl and CancelParticipantAuthentication.

use std::time::Duration;

use connect_participant::emulator::{Emulator, StartedChat};
use serde_json::{Value, json};

use crate::support::raw::{Answer, Conn, connect, head, op, send};
use crate::support::ws::{SUBSCRIBE, next_text, open};

const INITIATED: &str = "application/vnd.amazonaws.connect.event.authentication.initiated";
const CANCELLED: &str = "application/vnd.amazonaws.connect.event.authentication.cancelled";

/// What these tests check of an answer beyond what the chat tests do.
trait Expect {
    fn assert_error(&self, status: u16, error_type: &str) -> String;
    fn assert_s3_error(&self, status: u16, code: &str, message: &str);
}

impl Expect for Answer {
    /// Asserts a restJson1 error of this status and type, with a request id.
    fn assert_error(&self, status: u16, error_type: &str) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.header("x-amzn-errortype"), Some(error_type));
        assert_eq!(self.header("x-amzn-requestid").map(str::len), Some(36));
        self.json()["message"].as_str().unwrap().to_owned()
    }

    /// Asserts an S3-style XML error of this status and code.
    fn assert_s3_error(&self, status: u16, code: &str, message: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.header("content-type"), Some("application/xml"));
        let text = self.text();
        assert!(
            text.contains(&format!("<Error><Code>{code}</Code><Message>")),
            "{text}"
        );
        assert!(text.contains(message), "{text}");
        assert!(text.ends_with("</Message></Error>"), "{text}");
    }
}

/// A new chat and its customer's connection token.
fn customer(emulator: &Emulator) -> (StartedChat, String) {
    let chat = emulator.start_chat();
    let token = connect(emulator, &chat.participant_token);
    (chat, token)
}

/// The whole transcript, oldest first, as the customer reads it.
fn transcript(emulator: &Emulator, token: &str) -> Vec<Value> {
    let a = op(
        emulator,
        "transcript",
        token,
        &json!({"MaxResults": 100, "SortOrder": "ASCENDING"}),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()["Transcript"].as_array().unwrap().clone()
}

/// StartAttachmentUpload's answer for a file.
fn start(emulator: &Emulator, token: &str, name: &str, size: usize, client_token: &str) -> Answer {
    op(
        emulator,
        "start-attachment-upload",
        token,
        &json!({
            "AttachmentName": name,
            "AttachmentSizeInBytes": size,
            "ClientToken": client_token,
            "ContentType": "text/plain",
        }),
    )
}

/// A started upload: its id, URL path and headers to include.
struct Started {
    id: String,
    path: String,
    headers: Vec<(String, String)>,
}

fn started(emulator: &Emulator, token: &str, name: &str, size: usize) -> Started {
    let a = start(emulator, token, name, size, &format!("ct-{name}-{size}"));
    assert_eq!(a.status, 200, "{}", a.text());
    let answer = a.json();
    let url = answer["UploadMetadata"]["Url"].as_str().unwrap();
    let path = url
        .strip_prefix(&format!("http://{}", emulator.addr()))
        .unwrap()
        .to_owned();
    let headers = answer["UploadMetadata"]["HeadersToInclude"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    Started {
        id: answer["AttachmentId"].as_str().unwrap().to_owned(),
        path,
        headers,
    }
}

impl Started {
    /// The headers to include, with `extra` added and `without` left out.
    fn headers<'a>(
        &'a self,
        without: &str,
        extra: &[(&'a str, &'a str)],
    ) -> Vec<(&'a str, &'a str)> {
        let mut h: Vec<(&str, &str)> = self
            .headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case(without))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        h.extend_from_slice(extra);
        h
    }

    fn put(&self, emulator: &Emulator, body: &[u8]) -> Answer {
        send(
            emulator.addr(),
            "PUT",
            &self.path,
            &self.headers("", &[]),
            body,
        )
    }
}

fn complete(emulator: &Emulator, token: &str, id: &str, client_token: &str) -> Answer {
    op(
        emulator,
        "complete-attachment-upload",
        token,
        &json!({"AttachmentIds": [id], "ClientToken": client_token}),
    )
}

/// A chat's customer with an attachment uploaded and completed: (token, id, bytes).
fn completed(emulator: &Emulator, name: &str, bytes: &[u8]) -> (StartedChat, String, String) {
    let (chat, token) = customer(emulator);
    let up = started(emulator, &token, name, bytes.len());
    assert_eq!(up.put(emulator, bytes).status, 200);
    let a = complete(emulator, &token, &up.id, "done-1");
    assert_eq!(a.status, 200, "{}", a.text());
    (chat, token, up.id)
}

fn get_attachment(emulator: &Emulator, token: &str, body: &Value) -> Answer {
    op(emulator, "attachment", token, body)
}

/// A GET of a URL's path, with these headers.
fn get(emulator: &Emulator, url: &str, headers: &[(&str, &str)]) -> Answer {
    let path = url
        .strip_prefix(&format!("http://{}", emulator.addr()))
        .unwrap();
    send(emulator.addr(), "GET", path, headers, b"")
}

#[test]
fn start_answers_a_presigned_url_with_the_headers_to_sign_and_an_expiry_in_whole_seconds() {
    let emulator = Emulator::start().unwrap();
    let (chat, token) = customer(&emulator);
    let before = emulator.now();
    let a = op(
        &emulator,
        "start-attachment-upload",
        &token,
        &json!({
            "AttachmentName": "report \"final\".pdf",
            "AttachmentSizeInBytes": 9,
            "ClientToken": "ct-1",
            "ContentType": "application/pdf",
        }),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.header("x-amzn-requestid").map(str::len), Some(36));
    let v = a.json();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["AttachmentId", "UploadMetadata"]);
    assert_eq!(v["AttachmentId"].as_str().unwrap().len(), 36);
    let meta = &v["UploadMetadata"];
    let url = meta["Url"].as_str().unwrap();
    let prefix = format!("http://{}/emulator/uploads/", emulator.addr());
    let secret = url.strip_prefix(&prefix).unwrap();
    assert_eq!(secret.len(), 64);
    assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));
    // Without milliseconds, as the service writes it, 300 s ahead on the emulator's clock.
    let expiry = meta["UrlExpiry"].as_str().unwrap();
    assert_eq!(expiry.len(), 20, "{expiry}");
    assert!(expiry.ends_with('Z') && !expiry.contains('.'));
    let at = connect_participant::Timestamp::parse(expiry)
        .unwrap()
        .to_system_time()
        .unwrap();
    let ahead = at.duration_since(before).unwrap_or_default();
    assert!(
        ahead > Duration::from_secs(298) && ahead <= Duration::from_secs(301),
        "{ahead:?}"
    );
    assert_eq!(
        meta["HeadersToInclude"],
        json!({
            "Content-Type": "application/pdf",
            "Content-Length": "9",
            "Content-Disposition": "attachment; filename=\"report \\\"final\\\".pdf\"",
            "x-amz-acl": "bucket-owner-full-control",
            "x-amz-meta-contact_id": chat.contact_id,
        })
    );
}

#[test]
fn start_checks_every_member_naming_it() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = customer(&emulator);
    let good = json!({
        "AttachmentName": "a.txt",
        "AttachmentSizeInBytes": 1,
        "ClientToken": "ct",
        "ContentType": "text/plain",
    });
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v;
        }
        b
    };
    let cases = [
        (
            with("ContentType", Value::Null),
            "'contentType'",
            "must not be null",
        ),
        (
            with("ContentType", json!("")),
            "'contentType'",
            "between 1 and 255",
        ),
        (
            with("ContentType", json!("x".repeat(256))),
            "'contentType'",
            "between 1 and 255",
        ),
        (
            with("AttachmentSizeInBytes", Value::Null),
            "'attachmentSizeInBytes'",
            "must not be null",
        ),
        (
            with("AttachmentSizeInBytes", json!(0)),
            "'attachmentSizeInBytes'",
            "greater than or equal to 1",
        ),
        (
            with("AttachmentSizeInBytes", json!(-5)),
            "'attachmentSizeInBytes'",
            "greater than or equal to 1",
        ),
        (
            with("AttachmentSizeInBytes", json!(20_000_001)),
            "'attachmentSizeInBytes'",
            "less than or equal to 20000000",
        ),
        (
            with("AttachmentName", Value::Null),
            "'attachmentName'",
            "must not be null",
        ),
        (
            with("AttachmentName", json!("")),
            "'attachmentName'",
            "between 1 and 256",
        ),
        (
            with("AttachmentName", json!("é".repeat(257))),
            "'attachmentName'",
            "between 1 and 256",
        ),
        (
            with("ClientToken", Value::Null),
            "'clientToken'",
            "must not be null",
        ),
        (
            with("ClientToken", json!("")),
            "'clientToken'",
            "between 1 and 500",
        ),
        (
            with("ClientToken", json!("t".repeat(501))),
            "'clientToken'",
            "between 1 and 500",
        ),
    ];
    for (body, member, rule) in cases {
        let a = op(&emulator, "start-attachment-upload", &token, &body);
        let m = a.assert_error(400, "ValidationException");
        assert!(m.contains(member) && m.contains(rule), "{body}: {m}");
    }
    // The limits themselves are taken: 255 characters of type, 256 of name, 500 of token,
    // 20,000,000 bytes.
    let edge = json!({
        "AttachmentName": "é".repeat(256),
        "AttachmentSizeInBytes": 20_000_000,
        "ClientToken": "t".repeat(500),
        "ContentType": "x".repeat(255),
    });
    let a = op(&emulator, "start-attachment-upload", &token, &edge);
    assert_eq!(a.status, 200, "{}", a.text());
    // Without a token, or with an unknown one: 403.
    let a = op(&emulator, "start-attachment-upload", "nope", &good);
    a.assert_error(403, "AccessDeniedException");
}

#[test]
fn the_same_client_token_is_the_same_attachment_and_the_quota_answers_402() {
    let emulator = Emulator::builder()
        .max_attachments_per_chat(2)
        .start()
        .unwrap();
    let (chat, token) = customer(&emulator);
    let first = start(&emulator, &token, "a.txt", 3, "ct-a");
    assert_eq!(first.status, 200);
    let again = start(&emulator, &token, "a.txt", 3, "ct-a");
    assert_eq!(again.status, 200);
    assert_eq!(first.json(), again.json());
    // Another token of the same participant is the same participant.
    let other_token = connect(&emulator, &chat.participant_token);
    let again = start(&emulator, &other_token, "a.txt", 3, "ct-a");
    assert_eq!(first.json(), again.json());
    let second = start(&emulator, &token, "b.txt", 3, "ct-b");
    assert_eq!(second.status, 200);
    assert_ne!(second.json()["AttachmentId"], first.json()["AttachmentId"]);
    // Two started: the third is over the quota, a retry of the first is not.
    let third = start(&emulator, &token, "c.txt", 3, "ct-c");
    let m = third.assert_error(402, "ServiceQuotaExceededException");
    assert!(m.contains("quota"), "{m}");
    assert!(third.text().starts_with("{\"message\":"));
    assert_eq!(
        start(&emulator, &token, "a.txt", 3, "ct-a").json(),
        first.json()
    );
    // The quota is per chat.
    let (_, token2) = customer(&emulator);
    assert_eq!(start(&emulator, &token2, "c.txt", 3, "ct-c").status, 200);
    // Zero refuses every upload.
    let none = Emulator::builder()
        .max_attachments_per_chat(0)
        .start()
        .unwrap();
    let (_, token) = customer(&none);
    start(&none, &token, "a.txt", 3, "ct-a").assert_error(402, "ServiceQuotaExceededException");
}

#[test]
fn a_5_mb_upload_is_streamed_in_and_kept_past_the_1_mib_body_bound() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = customer(&emulator);
    let size = 5 * 1024 * 1024;
    let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let up = started(&emulator, &token, "big.bin", size);
    let kept_before = emulator.kept_bytes();
    let a = up.put(&emulator, &bytes);
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(a.body.is_empty());
    let etag = a.header("etag").unwrap();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2,
        "{etag}"
    );
    assert_eq!(a.header("x-amzn-requestid").map(str::len), Some(36));
    assert!(emulator.attachment(&up.id).unwrap() == bytes);
    assert_eq!(emulator.kept_bytes(), kept_before + size);
    // Not kept among the seen requests: its path is a secret, and it is 5 MB.
    assert!(
        emulator
            .seen_requests()
            .iter()
            .all(|r| !r.path.starts_with("/emulator/uploads/"))
    );
    // A retry until complete: the last whole body wins, and is counted once.
    let other: Vec<u8> = bytes.iter().map(|b| b.wrapping_add(1)).collect();
    let b = up.put(&emulator, &other);
    assert_eq!(b.status, 200);
    assert_ne!(b.header("etag"), Some(etag));
    assert!(emulator.attachment(&up.id).unwrap() == other);
    assert_eq!(emulator.kept_bytes(), kept_before + size);
    assert_eq!(emulator.attachment("no-such-attachment"), None);
}

#[test]
fn a_put_missing_or_changing_a_signed_header_is_signature_does_not_match() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = customer(&emulator);
    let up = started(&emulator, &token, "a.txt", 5);
    let addr = emulator.addr();
    for name in [
        "Content-Type",
        "Content-Disposition",
        "x-amz-acl",
        "x-amz-meta-contact_id",
    ] {
        // Left out.
        let a = send(addr, "PUT", &up.path, &up.headers(name, &[]), b"hello");
        a.assert_s3_error(403, "SignatureDoesNotMatch", name);
        // Changed.
        let a = send(
            addr,
            "PUT",
            &up.path,
            &up.headers(name, &[(name, "other")]),
            b"hello",
        );
        a.assert_s3_error(403, "SignatureDoesNotMatch", name);
    }
    // Names are compared case-insensitively; values exactly.
    let lower: Vec<(String, String)> = up
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    let lower: Vec<(&str, &str)> = lower
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(send(addr, "PUT", &up.path, &lower, b"hello").status, 200);
    let a = send(
        addr,
        "PUT",
        &up.path,
        &up.headers("Content-Type", &[("Content-Type", "TEXT/PLAIN")]),
        b"hello",
    );
    a.assert_s3_error(403, "SignatureDoesNotMatch", "Content-Type");
    assert_eq!(emulator.attachment(&up.id).unwrap(), b"hello");
    // An unknown URL: AccessDenied.
    let a = send(
        addr,
        "PUT",
        "/emulator/uploads/00",
        &up.headers("", &[]),
        b"hello",
    );
    a.assert_s3_error(403, "AccessDenied", "Access Denied");
}

#[test]
fn a_body_over_or_under_the_declared_size_is_refused_before_it_is_read() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = customer(&emulator);
    let up = started(&emulator, &token, "a.bin", 1000);
    let addr = emulator.addr();
    // Content-Length is signed: one byte more or less is a mismatch, answered on the head
    // alone (nothing of the body is sent, or needed).
    for length in ["1001", "999", "30000000", "0"] {
        let a = send(
            addr,
            "PUT",
            &up.path,
            &up.headers("Content-Length", &[("Content-Length", length)]),
            b"",
        );
        a.assert_s3_error(403, "SignatureDoesNotMatch", "Content-Length");
    }
    // Chunked is no Content-Length: refused.
    let a = send(
        addr,
        "PUT",
        &up.path,
        &up.headers("Content-Length", &[("Transfer-Encoding", "chunked")]),
        b"",
    );
    assert_eq!(a.status, 400, "{}", a.text());
    // A body cut short (the connection closes after 10 bytes): nothing is kept, and a
    // whole retry then lands.
    let request_line = format!("PUT {} HTTP/1.1", up.path);
    let headers: Vec<String> = up
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    let mut lines = vec![request_line.as_str(), "Host: x"];
    lines.extend(headers.iter().map(String::as_str));
    let mut conn = Conn::open(addr);
    conn.send(&head(&lines));
    conn.send(&[1; 10]);
    conn.end_sending();
    // However the reading ends, nothing may have come.
    let (rest, _) = conn.read_until_closed();
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    assert_eq!(emulator.attachment(&up.id), None);
    assert_eq!(up.put(&emulator, &[2; 1000]).status, 200);
    assert_eq!(emulator.attachment(&up.id).unwrap(), vec![2; 1000]);
    // Nothing counted as a bearer refusal.
    assert_eq!(emulator.bearer_refusals(), 0);
}

#[test]
fn a_presigned_url_refuses_and_counts_requests_that_carry_a_token() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = customer(&emulator);
    let up = started(&emulator, &token, "a.txt", 5);
    let addr = emulator.addr();
    let a = send(
        addr,
        "PUT",
        &up.path,
        &up.headers("", &[("X-Amz-Bearer", &token)]),
        b"",
    );
    a.assert_s3_error(403, "AccessDenied", "X-Amz-Bearer");
    assert_eq!(emulator.bearer_refusals(), 1);
    let a = send(
        addr,
        "PUT",
        &up.path,
        &up.headers("", &[("Authorization", "Bearer x")]),
        b"",
    );
    a.assert_s3_error(403, "AccessDenied", "Authorization");
    assert_eq!(emulator.bearer_refusals(), 2);
    assert_eq!(emulator.attachment(&up.id), None);
    // The download URL alike.
    let (_, token, id) = completed(&emulator, "b.txt", b"bytes");
    let url = get_attachment(&emulator, &token, &json!({"AttachmentId": id})).json()["Url"]
        .as_str()
        .unwrap()
        .to_owned();
    get(&emulator, &url, &[("x-amz-bearer", &token)]).assert_s3_error(
        403,
        "AccessDenied",
        "X-Amz-Bearer",
    );
    get(&emulator, &url, &[("authorization", "AWS4-HMAC-SHA256 x")]).assert_s3_error(
        403,
        "AccessDenied",
        "Authorization",
    );
    assert_eq!(emulator.bearer_refusals(), 4);
    assert_eq!(get(&emulator, &url, &[]).body, b"bytes");
}

#[test]
fn upload_and_download_urls_expire_on_the_emulator_clock() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = customer(&emulator);
    let up = started(&emulator, &token, "a.txt", 5);
    emulator.advance_clock(Duration::from_secs(240));
    assert_eq!(up.put(&emulator, b"early").status, 200);
    emulator.advance_clock(Duration::from_secs(61));
    up.put(&emulator, b"later")
        .assert_s3_error(403, "AccessDenied", "Request has expired");
    assert_eq!(emulator.attachment(&up.id).unwrap(), b"early");

    let (_, token, id) = completed(&emulator, "b.txt", b"bytes");
    let a = get_attachment(
        &emulator,
        &token,
        &json!({"AttachmentId": id, "UrlExpiryInSeconds": 5}),
    );
    let url = a.json()["Url"].as_str().unwrap().to_owned();
    let expiry = a.json()["UrlExpiry"].as_str().unwrap().to_owned();
    assert!(expiry.len() == 20 && expiry.ends_with('Z'), "{expiry}");
    assert_eq!(get(&emulator, &url, &[]).status, 200);
    emulator.advance_clock(Duration::from_secs(6));
    get(&emulator, &url, &[]).assert_s3_error(403, "AccessDenied", "Request has expired");
    let unknown = format!("http://{}/emulator/downloads/00", emulator.addr());
    get(&emulator, &unknown, &[]).assert_s3_error(403, "AccessDenied", "Access Denied");
}

#[test]
fn complete_needs_the_whole_upload_adds_an_attachment_item_and_is_idempotent() {
    let emulator = Emulator::start().unwrap();
    let (chat, token) = customer(&emulator);
    let up = started(&emulator, &token, "notes.txt", 5);
    // Before the upload: not whole.
    let m = complete(&emulator, &token, &up.id, "c1").assert_error(400, "ValidationException");
    assert!(m.contains("not been uploaded whole"), "{m}");
    // Unknown id, another chat's id.
    let m = complete(&emulator, &token, "nope", "c1").assert_error(400, "ValidationException");
    assert!(m.contains("'attachmentIds'"), "{m}");
    let (_, other_token) = customer(&emulator);
    let theirs = started(&emulator, &other_token, "x.txt", 1);
    assert_eq!(theirs.put(&emulator, b"x").status, 200);
    complete(&emulator, &token, &theirs.id, "c1").assert_error(400, "ValidationException");

    assert_eq!(up.put(&emulator, b"hello").status, 200);
    let before = emulator.now();
    let a = complete(&emulator, &token, &up.id, "c1");
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.text(), "{}");
    // Once in the transcript, from the customer, with no content or content type.
    let items = transcript(&emulator, &token);
    let attachments: Vec<&Value> = items.iter().filter(|i| i["Type"] == "ATTACHMENT").collect();
    assert_eq!(attachments.len(), 1);
    let item = attachments[0];
    let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "AbsoluteTime",
            "Attachments",
            "ContactId",
            "DisplayName",
            "Id",
            "ParticipantId",
            "ParticipantRole",
            "Type"
        ]
    );
    assert_eq!(
        item["Attachments"],
        json!([{
            "ContentType": "text/plain",
            "AttachmentId": up.id,
            "AttachmentName": "notes.txt",
            "Status": "APPROVED",
        }])
    );
    assert_eq!(item["ParticipantId"], chat.customer_participant_id.as_str());
    assert_eq!(item["DisplayName"], "Customer");
    assert_eq!(item["ParticipantRole"], "CUSTOMER");
    assert_eq!(item["ContactId"], chat.contact_id.as_str());
    assert_eq!(item["Id"].as_str().unwrap().len(), 36);
    let at = connect_participant::Timestamp::parse(item["AbsoluteTime"].as_str().unwrap())
        .unwrap()
        .to_system_time()
        .unwrap();
    assert!(at + Duration::from_millis(1) >= before);

    // The same client token again: {}, and no second item. Another: 409.
    assert_eq!(complete(&emulator, &token, &up.id, "c1").text(), "{}");
    let m = complete(&emulator, &token, &up.id, "c2").assert_error(409, "ConflictException");
    assert!(m.contains("already"), "{m}");
    let items = transcript(&emulator, &token);
    assert_eq!(
        items.iter().filter(|i| i["Type"] == "ATTACHMENT").count(),
        1
    );
    // The URL takes no more bodies once complete.
    up.put(&emulator, b"again")
        .assert_s3_error(403, "AccessDenied", "completed");
}

#[test]
fn complete_checks_its_members() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = customer(&emulator);
    let cases = [
        (
            json!({"ClientToken": "c"}),
            "'attachmentIds'",
            "must not be null",
        ),
        (
            json!({"AttachmentIds": [], "ClientToken": "c"}),
            "'attachmentIds'",
            "between 1 and 1",
        ),
        (
            json!({"AttachmentIds": ["a", "b"], "ClientToken": "c"}),
            "'attachmentIds'",
            "between 1 and 1",
        ),
        (
            json!({"AttachmentIds": [""], "ClientToken": "c"}),
            "'attachmentIds.member'",
            "between 1 and 256",
        ),
        (
            json!({"AttachmentIds": ["a".repeat(257)], "ClientToken": "c"}),
            "'attachmentIds.member'",
            "between 1 and 256",
        ),
        (
            json!({"AttachmentIds": ["a"]}),
            "'clientToken'",
            "must not be null",
        ),
        (
            json!({"AttachmentIds": ["a"], "ClientToken": ""}),
            "'clientToken'",
            "between 1 and 500",
        ),
    ];
    for (body, member, rule) in cases {
        let a = op(&emulator, "complete-attachment-upload", &token, &body);
        let m = a.assert_error(400, "ValidationException");
        assert!(m.contains(member) && m.contains(rule), "{body}: {m}");
    }
}

#[cfg(feature = "websocket")]
#[test]
fn the_attachment_item_is_pushed_over_the_websocket_like_other_items() {
    let emulator = Emulator::start().unwrap();
    let (chat, token) = customer(&emulator);
    let a = op(
        &emulator,
        "connection",
        &chat.participant_token,
        &json!({"Type": ["WEBSOCKET"]}),
    );
    let url = a.json()["Websocket"]["Url"].as_str().unwrap().to_owned();
    let mut ws = open(&url).unwrap();
    ws.send(tungstenite::Message::text(SUBSCRIBE)).unwrap();
    assert!(next_text(&mut ws).contains("success"));
    let up = started(&emulator, &token, "pic.png", 3);
    assert_eq!(up.put(&emulator, b"png").status, 200);
    assert_eq!(complete(&emulator, &token, &up.id, "c").status, 200);
    let frame = next_text(&mut ws);
    let items = transcript(&emulator, &token);
    let item = items.iter().find(|i| i["Type"] == "ATTACHMENT").unwrap();
    assert_eq!(
        frame,
        emulator
            .websocket_frame(&chat.contact_id, item["Id"].as_str().unwrap())
            .unwrap()
    );
    let envelope: Value = serde_json::from_str(&frame).unwrap();
    let pushed: Value = serde_json::from_str(envelope["content"].as_str().unwrap()).unwrap();
    assert_eq!(pushed["Attachments"], item["Attachments"]);
    assert_eq!(pushed["InitialContactId"], chat.contact_id.as_str());
}

#[test]
fn get_attachment_answers_a_download_url_in_both_dispositions() {
    let emulator = Emulator::start().unwrap();
    let (_, token, id) = completed(&emulator, "photo 1.png", b"\x89PNG bytes");
    let before = emulator.now();
    let a = get_attachment(&emulator, &token, &json!({"AttachmentId": id}));
    assert_eq!(a.status, 200, "{}", a.text());
    let v = a.json();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["AttachmentSizeInBytes", "Url", "UrlExpiry"]);
    assert_eq!(v["AttachmentSizeInBytes"], 10);
    let url = v["Url"].as_str().unwrap();
    let secret = url
        .strip_prefix(&format!("http://{}/emulator/downloads/", emulator.addr()))
        .unwrap();
    assert_eq!(secret.len(), 64);
    // 300 s by default, written without milliseconds.
    let expiry = connect_participant::Timestamp::parse(v["UrlExpiry"].as_str().unwrap())
        .unwrap()
        .to_system_time()
        .unwrap();
    let ahead = expiry.duration_since(before).unwrap_or_default();
    assert!(ahead > Duration::from_secs(298) && ahead <= Duration::from_secs(301));

    let d = get(&emulator, url, &[]);
    assert_eq!(d.status, 200);
    assert_eq!(d.body, b"\x89PNG bytes");
    assert_eq!(d.header("content-type"), Some("text/plain"));
    assert_eq!(
        d.header("content-disposition"),
        Some("attachment; filename=\"photo 1.png\"")
    );
    assert_eq!(d.header("content-length"), Some("10"));

    let a = get_attachment(
        &emulator,
        &token,
        &json!({"AttachmentId": id, "UrlContentDisposition": "INLINE", "UrlExpiryInSeconds": 60}),
    );
    let d = get(&emulator, a.json()["Url"].as_str().unwrap(), &[]);
    assert_eq!(
        d.header("content-disposition"),
        Some("inline; filename=\"photo 1.png\"")
    );
    assert_eq!(d.body, b"\x89PNG bytes");
    let a = get_attachment(
        &emulator,
        &token,
        &json!({"AttachmentId": id, "UrlContentDisposition": "ATTACHMENT"}),
    );
    let d = get(&emulator, a.json()["Url"].as_str().unwrap(), &[]);
    assert!(
        d.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
}

#[test]
fn get_attachment_checks_members_and_refuses_unknown_uncompleted_and_other_chats() {
    let emulator = Emulator::start().unwrap();
    let (_, token, id) = completed(&emulator, "a.txt", b"abc");
    let cases = [
        (json!({}), "'attachmentId'", "must not be null"),
        (
            json!({"AttachmentId": ""}),
            "'attachmentId'",
            "between 1 and 256",
        ),
        (
            json!({"AttachmentId": "a".repeat(257)}),
            "'attachmentId'",
            "between 1 and 256",
        ),
        (
            json!({"AttachmentId": id, "UrlExpiryInSeconds": 4}),
            "'urlExpiryInSeconds'",
            "between 5 and 300",
        ),
        (
            json!({"AttachmentId": id, "UrlExpiryInSeconds": 301}),
            "'urlExpiryInSeconds'",
            "between 5 and 300",
        ),
        (
            json!({"AttachmentId": id, "UrlContentDisposition": "inline"}),
            "'urlContentDisposition'",
            "enum value set",
        ),
        (
            json!({"AttachmentId": "unknown"}),
            "'attachmentId'",
            "completed attachment of this chat",
        ),
    ];
    for (body, member, rule) in cases {
        let a = get_attachment(&emulator, &token, &body);
        let m = a.assert_error(400, "ValidationException");
        assert!(m.contains(member) && m.contains(rule), "{body}: {m}");
    }
    for secs in [5, 300] {
        let a = get_attachment(
            &emulator,
            &token,
            &json!({"AttachmentId": id, "UrlExpiryInSeconds": secs}),
        );
        assert_eq!(a.status, 200, "{}", a.text());
    }
    // Another chat's attachment, and one started and uploaded but not completed.
    let (_, other) = customer(&emulator);
    get_attachment(&emulator, &other, &json!({"AttachmentId": id}))
        .assert_error(400, "ValidationException");
    let up = started(&emulator, &other, "b.txt", 1);
    assert_eq!(up.put(&emulator, b"b").status, 200);
    get_attachment(&emulator, &other, &json!({"AttachmentId": up.id}))
        .assert_error(400, "ValidationException");
}

#[cfg(feature = "websocket")]
#[test]
fn a_custom_bot_may_not_get_attachments() {
    let emulator = Emulator::start().unwrap();
    let (chat, _, id) = completed(&emulator, "a.txt", b"abc");
    let bot = emulator
        .add_participant(&chat.contact_id, "CUSTOM_BOT", "Bot")
        .unwrap();
    let bot_token = connect(&emulator, &bot);
    let a = get_attachment(&emulator, &bot_token, &json!({"AttachmentId": id}));
    assert_eq!(
        a.assert_error(403, "AccessDeniedException"),
        "Access denied"
    );
    // Even for an id it could not have: the role is checked first.
    get_attachment(&emulator, &bot_token, &json!({"AttachmentId": "x"}))
        .assert_error(403, "AccessDeniedException");
    // The agent's side (another role) may.
    let agent = emulator
        .add_participant(&chat.contact_id, "AGENT", "Agent 2")
        .unwrap();
    let agent_token = connect(&emulator, &agent);
    let a = get_attachment(&emulator, &agent_token, &json!({"AttachmentId": id}));
    assert_eq!(a.status, 200, "{}", a.text());
}

#[test]
fn uploaded_bytes_count_in_max_kept_bytes_and_the_oldest_are_forgotten_first() {
    let emulator = Emulator::builder().max_kept_bytes(250_000).start().unwrap();
    let (_, token) = customer(&emulator);
    let first = started(&emulator, &token, "one", 100_000);
    let second = started(&emulator, &token, "two", 100_000);
    let third = started(&emulator, &token, "three", 100_000);
    assert_eq!(first.put(&emulator, &[1; 100_000]).status, 200);
    assert_eq!(second.put(&emulator, &[2; 100_000]).status, 200);
    assert!(emulator.kept_bytes() <= 250_000);
    assert_eq!(third.put(&emulator, &[3; 100_000]).status, 200);
    assert!(
        emulator.kept_bytes() <= 250_000,
        "{}",
        emulator.kept_bytes()
    );
    assert_eq!(emulator.attachment(&first.id), None);
    assert_eq!(emulator.attachment(&second.id).unwrap(), vec![2; 100_000]);
    assert_eq!(emulator.attachment(&third.id).unwrap(), vec![3; 100_000]);
    // A forgotten upload cannot be completed until it is uploaded again.
    complete(&emulator, &token, &first.id, "c").assert_error(400, "ValidationException");
}

#[test]
fn describe_view_answers_a_registered_view_as_given_and_404_for_others() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = customer(&emulator);
    let view = r#"{"Arn":"arn:aws:connect:us-west-2:1:instance/i/view/v:1","Content":{"Actions":["Submit","Cancel"],"InputSchema":"{}","Template":"{\"Head\":{}}"},"Id":"v","Name":"Detail","Version":1}"#;
    emulator.add_view("tok/en+with=", view).unwrap();
    emulator.add_view("plain", view).unwrap();
    let get_view = |label: &str, extra: &[(&str, &str)]| {
        let mut headers = vec![("X-Amz-Bearer", token.as_str())];
        headers.extend_from_slice(extra);
        send(
            emulator.addr(),
            "GET",
            &format!("/participant/views/{label}"),
            &headers,
            b"",
        )
    };
    let a = get_view("tok%2Fen%2Bwith%3D", &[]);
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.text(), format!("{{\"View\":{view}}}"));
    assert_eq!(a.header("content-type"), Some("application/json"));
    assert_eq!(a.header("x-amzn-requestid").map(str::len), Some(36));
    // `+` and `=` are taken unescaped too (a path segment may carry them).
    assert_eq!(get_view("tok%2Fen+with=", &[]).status, 200);
    // A raw `/` makes two segments: no such operation.
    get_view("tok/en+with=", &[]).assert_error(404, "UnknownOperationException");
    // A body or a Content-Type does not stop it.
    let a = send(
        emulator.addr(),
        "GET",
        "/participant/views/plain",
        &[
            ("X-Amz-Bearer", &token),
            ("Content-Type", "application/json"),
            ("Content-Length", "2"),
        ],
        b"{}",
    );
    assert_eq!(a.status, 200, "{}", a.text());

    // Unknown: 404 ResourceNotFoundException naming the token.
    let a = get_view("missing%2Fone", &[]);
    a.assert_error(404, "ResourceNotFoundException");
    let v = a.json();
    assert_eq!(v["ResourceId"], "missing/one");
    assert_eq!(v["ResourceType"], "CONTACT_FLOW");
    // Limits and tokens.
    let m = get_view("", &[]).assert_error(400, "ValidationException");
    assert!(m.contains("'viewToken'"), "{m}");
    let m = get_view(&"a".repeat(1001), &[]).assert_error(400, "ValidationException");
    assert!(m.contains("between 1 and 1000"), "{m}");
    get_view("%zz", &[]).assert_error(400, "ValidationException");
    let a = send(
        emulator.addr(),
        "GET",
        "/participant/views/plain",
        &[("X-Amz-Bearer", "nope")],
        b"",
    );
    a.assert_error(403, "AccessDeniedException");
    // Any chat's token reads it.
    let (_, other) = customer(&emulator);
    let a = send(
        emulator.addr(),
        "GET",
        "/participant/views/plain",
        &[("X-Amz-Bearer", &other)],
        b"",
    );
    assert_eq!(a.status, 200);
    // POST is not DescribeView.
    op(&emulator, "views/plain", &token, &json!({})).assert_error(404, "UnknownOperationException");
    // What add_view refuses.
    assert!(emulator.add_view("x", "[1]").is_err());
    assert!(emulator.add_view("x", "{").is_err());
    assert!(emulator.add_view("", "{}").is_err());
}

fn auth_url(emulator: &Emulator, token: &str, session: &str, redirect: &str) -> Answer {
    op(
        emulator,
        "authentication-url",
        token,
        &json!({"RedirectUri": redirect, "SessionId": session}),
    )
}

#[test]
fn authentication_url_within_60_seconds_of_the_initiated_event_and_not_after() {
    let emulator = Emulator::start().unwrap();
    let (chat, token) = customer(&emulator);
    let session = emulator.start_authentication(&chat.contact_id).unwrap();
    assert_eq!(session.len(), 36);
    // The initiated event, with the session in its Content.
    let items = transcript(&emulator, &token);
    let item = items.last().unwrap();
    assert_eq!(item["Type"], "EVENT");
    assert_eq!(item["ContentType"], INITIATED);
    let content: Value = serde_json::from_str(item["Content"].as_str().unwrap()).unwrap();
    assert_eq!(content, json!({"SessionId": session}));

    emulator.advance_clock(Duration::from_secs(59));
    let a = auth_url(
        &emulator,
        &token,
        &session,
        "https://example.com/cb?a=1&b=two words",
    );
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        a.json(),
        json!({"AuthenticationUrl": format!(
            "https://auth.emulator.invalid/oauth2/authorize?session={session}&redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fa%3D1%26b%3Dtwo%20words"
        )})
    );
    emulator.advance_clock(Duration::from_secs(2));
    let m = auth_url(&emulator, &token, &session, "https://example.com/cb")
        .assert_error(400, "ValidationException");
    assert!(m.contains("expired"), "{m}");

    // Members, unknown sessions, another chat's session.
    let fresh = emulator.start_authentication(&chat.contact_id).unwrap();
    let cases = [
        (
            json!({"RedirectUri": "x"}),
            "'sessionId'",
            "must not be null",
        ),
        (
            json!({"RedirectUri": "x", "SessionId": "short"}),
            "'sessionId'",
            "between 36 and 36",
        ),
        (
            json!({"RedirectUri": "x", "SessionId": format!("{fresh}x")}),
            "'sessionId'",
            "between 36 and 36",
        ),
        (
            json!({"SessionId": fresh}),
            "'redirectUri'",
            "must not be null",
        ),
        (
            json!({"SessionId": fresh, "RedirectUri": ""}),
            "'redirectUri'",
            "between 1 and 1024",
        ),
        (
            json!({"SessionId": fresh, "RedirectUri": "x".repeat(1025)}),
            "'redirectUri'",
            "between 1 and 1024",
        ),
        (
            json!({"SessionId": "00000000-0000-4000-8000-000000000000", "RedirectUri": "x"}),
            "'sessionId'",
            "session of this chat",
        ),
    ];
    for (body, member, rule) in cases {
        let a = op(&emulator, "authentication-url", &token, &body);
        let m = a.assert_error(400, "ValidationException");
        assert!(m.contains(member) && m.contains(rule), "{body}: {m}");
    }
    assert_eq!(
        auth_url(&emulator, &token, &fresh, &"x".repeat(1024)).status,
        200
    );
    let (_, other) = customer(&emulator);
    auth_url(&emulator, &other, &fresh, "x").assert_error(400, "ValidationException");
    auth_url(&emulator, "nope", &fresh, "x").assert_error(403, "AccessDeniedException");
    assert!(emulator.start_authentication("no-such-contact").is_err());
}

#[test]
fn cancel_authentication_adds_the_cancelled_event_once() {
    let emulator = Emulator::start().unwrap();
    let (chat, token) = customer(&emulator);
    let session = emulator.start_authentication(&chat.contact_id).unwrap();
    let cancel = |token: &str, session: &str| {
        op(
            &emulator,
            "cancel-authentication",
            token,
            &json!({"SessionId": session}),
        )
    };
    let a = cancel(&token, &session);
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.text(), "{}");
    let items = transcript(&emulator, &token);
    let last = items.last().unwrap();
    assert_eq!(last["Type"], "EVENT");
    assert_eq!(last["ContentType"], CANCELLED);
    assert_eq!(last["ContactId"], chat.contact_id.as_str());
    // Again: the same answer, no second event; the session no longer gives a URL.
    assert_eq!(cancel(&token, &session).text(), "{}");
    let again = transcript(&emulator, &token);
    assert_eq!(again.len(), items.len());
    let m = auth_url(&emulator, &token, &session, "x").assert_error(400, "ValidationException");
    assert!(m.contains("cancelled"), "{m}");
    // Unknown, malformed, another chat's.
    cancel(&token, "00000000-0000-4000-8000-000000000000").assert_error(400, "ValidationException");
    let m = cancel(&token, "x").assert_error(400, "ValidationException");
    assert!(m.contains("'sessionId'"), "{m}");
    let (_, other) = customer(&emulator);
    let second = emulator.start_authentication(&chat.contact_id).unwrap();
    cancel(&other, &second).assert_error(400, "ValidationException");
}
