//! StartAttachmentUpload and the presigned upload URL: what is signed, refused, expired.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use serde_json::{Value, json};

use super::{Expect, completed, customer, get, get_attachment, start, started};
use crate::support::raw::{Conn, connect, head, op, send};

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
