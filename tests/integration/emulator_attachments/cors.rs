//! CORS on the presigned URLs, as S3 answers a browser: the preflight a page's upload
//! makes a browser send, and the headers that let the page read the PUT's and GET's
//! answers.
//!
//! chatjs PUTs with the service's `HeadersToInclude` as its headers (amazon-connect-chatjs
//! at 667598eb, `src/client/client.js`):
//! `_uploadToS3(file, metadata) { return fetch(metadata.Url, { method: "PUT", headers:
//! metadata.HeadersToInclude, body: file }); }`, and `_downloadUrl(url) { return
//! fetch(url) ... }`. A browser leaves out `Content-Length` (it sets it itself) and asks
//! for the rest, lowercased and sorted: the `Access-Control-Request-Headers` below.

use connect_participant::emulator::Emulator;
use serde_json::json;

use super::{Expect, completed, customer, get, get_attachment, started};
use crate::support::raw::{Answer, send};

const ORIGIN: &str = "https://shop.example.com";
/// What a browser asks before chatjs's PUT of a PNG.
const CHATJS_HEADERS: &str = "content-disposition,content-type,x-amz-acl,x-amz-meta-contact_id";

fn preflight(emulator: &Emulator, path: &str, headers: &[(&str, &str)]) -> Answer {
    send(emulator.addr(), "OPTIONS", path, headers, b"")
}

/// Every header of this name, in any case.
fn all<'a>(a: &'a Answer, name: &str) -> Vec<&'a str> {
    a.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The answer lets a page at any origin read it, with its `ETag`: each header once.
fn assert_readable(a: &Answer) {
    assert_eq!(all(a, "access-control-allow-origin"), ["*"], "{a:?}");
    assert_eq!(
        all(a, "access-control-expose-headers"),
        ["x-amzn-RequestId, x-amzn-ErrorType, ETag"],
        "{a:?}"
    );
}

#[test]
fn a_browser_preflight_of_chatjs_s_upload_is_allowed_and_the_put_is_readable() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = customer(&emulator);
    let up = started(&emulator, &token, "photo.png", 4);
    let asked = [
        ("Origin", ORIGIN),
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", CHATJS_HEADERS),
    ];
    let a = preflight(&emulator, &up.path, &asked);
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.body, b"");
    assert_readable(&a);
    assert_eq!(all(&a, "access-control-allow-methods"), ["PUT"]);
    assert_eq!(all(&a, "access-control-allow-headers"), [CHATJS_HEADERS]);
    assert_eq!(all(&a, "access-control-max-age"), ["3000"]);
    assert_eq!(
        a.header("vary"),
        Some("Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
    );
    // A preflight is no upload: the URL still takes its PUT, whose answer a page reads.
    assert_eq!(emulator.attachment(&up.id), None);
    let mut headers = up.headers("", &[]);
    headers.push(("Origin", ORIGIN));
    let put = send(emulator.addr(), "PUT", &up.path, &headers, b"\x89PNG");
    assert_eq!(put.status, 200, "{}", put.text());
    assert_readable(&put);
    assert!(put.header("etag").is_some());
    // Without requested headers: allowed, and none are named.
    let a = preflight(&emulator, &up.path, &asked[..2]);
    assert_eq!(a.status, 200);
    assert_eq!(all(&a, "access-control-allow-headers"), Vec::<&str>::new());
}

#[test]
fn a_browser_preflight_of_a_download_is_allowed_and_the_get_is_readable() {
    let emulator = Emulator::start().unwrap();
    let (_, token, id) = completed(&emulator, "a.txt", b"abc");
    let url = get_attachment(&emulator, &token, &json!({"AttachmentId": id})).json()["Url"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = url
        .strip_prefix(&format!("http://{}", emulator.addr()))
        .unwrap();
    let a = preflight(
        &emulator,
        path,
        &[("Origin", ORIGIN), ("Access-Control-Request-Method", "GET")],
    );
    assert_eq!(a.status, 200, "{}", a.text());
    assert_readable(&a);
    assert_eq!(all(&a, "access-control-allow-methods"), ["GET"]);
    assert_eq!(all(&a, "access-control-max-age"), ["3000"]);
    let d = get(&emulator, &url, &[("Origin", ORIGIN)]);
    assert_eq!(d.status, 200);
    assert_eq!(d.body, b"abc");
    assert_readable(&d);
}

#[test]
fn a_preflight_for_another_method_or_without_origin_is_refused_as_s3_refuses_it() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = customer(&emulator);
    let up = started(&emulator, &token, "a.txt", 3);
    let download = up.path.replace("/uploads/", "/downloads/");
    for (path, method) in [
        (up.path.as_str(), "GET"),
        (up.path.as_str(), "POST"),
        (up.path.as_str(), "put"),
        (up.path.as_str(), ""),
        (download.as_str(), "PUT"),
        (download.as_str(), "DELETE"),
    ] {
        let a = preflight(
            &emulator,
            path,
            &[
                ("Origin", ORIGIN),
                ("Access-Control-Request-Method", method),
            ],
        );
        a.assert_s3_error(
            403,
            "AccessForbidden",
            "CORSResponse: This CORS request is not allowed.",
        );
        assert_eq!(a.header("access-control-allow-methods"), None, "{method}");
    }
    let a = preflight(
        &emulator,
        &up.path,
        &[("Access-Control-Request-Method", "PUT")],
    );
    a.assert_s3_error(400, "BadRequest", "Origin request header needed");
    let a = preflight(&emulator, &up.path, &[("Origin", ORIGIN)]);
    a.assert_s3_error(400, "BadRequest", "Invalid Access-Control-Request-Method");
    // None of it uploaded anything, and the URL still works.
    assert_eq!(up.put(&emulator, b"abc").status, 200);
}
