//! Pure protocol logic: the headers that go out, and the answer (or restJson1 error) that
//! comes back. No sockets here, so every byte can be tested directly.

use serde_json::{Map, Value};
use ureq::http::{self, HeaderValue, Uri};

use crate::error::{Error, Result};
use crate::json::{BadAnswer, Members};
use crate::retry;

/// `User-Agent` of this crate, before any caller suffix.
pub(crate) const USER_AGENT: &str = concat!("connect-participant/", env!("CARGO_PKG_VERSION"));

/// The `amz-sdk-request` header value for attempt `attempt` (1-based) of `max`.
pub(crate) fn sdk_request_header(attempt: u32, max: u32) -> String {
    format!("attempt={attempt}; max={max}")
}

/// The request headers this crate adds to ureq's own (`host`, `user-agent`,
/// `content-length`), as ready-made names and values.
pub(crate) mod headers {
    use ureq::http::{HeaderName, HeaderValue};

    pub(crate) const X_AMZ_BEARER: HeaderName = HeaderName::from_static("x-amz-bearer");
    pub(crate) const AMZ_SDK_INVOCATION_ID: HeaderName =
        HeaderName::from_static("amz-sdk-invocation-id");
    pub(crate) const AMZ_SDK_REQUEST: HeaderName = HeaderName::from_static("amz-sdk-request");
    pub(crate) const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");
}

/// The framing headers ureq would otherwise add to every request (`user-agent` and `host`),
/// made once per client: ureq formats and checks them again per request.
#[derive(Debug, Clone)]
pub(crate) struct Framing {
    user_agent: HeaderValue,
    host: HeaderValue,
}

impl Framing {
    /// For requests to `base` (any URI of the endpoint's), as ureq would make them: the host,
    /// and the port when it is not the scheme's default. `None` if either is unusable as a
    /// header value; ureq then adds them itself, as it did before.
    pub(crate) fn new(base: &Uri, user_agent: &str) -> Option<Framing> {
        let host = base.host()?;
        let default_port = if base.scheme() == Some(&http::uri::Scheme::HTTPS) {
            443
        } else {
            80
        };
        let host = match base.port_u16() {
            Some(port) if port != default_port => HeaderValue::from_str(&format!("{host}:{port}")),
            _ => HeaderValue::from_str(host),
        };
        Some(Framing {
            user_agent: HeaderValue::from_str(user_agent).ok()?,
            host: host.ok()?,
        })
    }
}

/// One request as it goes out: `POST`, the operation's URI, and this crate's headers. ureq
/// adds `host`, `user-agent` and `content-length` (and, for an empty body, nothing else).
///
/// Made from values prepared once (the URI, the token's header value), so that nothing is
/// parsed or checked again per call.
#[cfg(test)]
pub(crate) fn request(
    get: bool,
    uri: Uri,
    bearer: HeaderValue,
    invocation_id: HeaderValue,
    sdk_request: HeaderValue,
    body: &[u8],
) -> http::Request<&[u8]> {
    let ids = Ids {
        bearer,
        invocation_id,
        sdk_request,
    };
    framed_request(None, 0, get, uri, ids, body)
}

/// The per-call header values of [`framed_request`].
pub(crate) struct Ids {
    pub(crate) bearer: HeaderValue,
    pub(crate) invocation_id: HeaderValue,
    pub(crate) sdk_request: HeaderValue,
}

/// [`request`], with room for `extra` more headers and, given `framing`, the headers ureq
/// would add put first, in the order ureq writes its own (`content-length` for a `POST`,
/// `user-agent`, `host`), so that the bytes sent are the same and ureq adds nothing.
pub(crate) fn framed_request<'b>(
    framing: Option<&Framing>,
    extra: usize,
    get: bool,
    uri: Uri,
    ids: Ids,
    body: &'b [u8],
) -> http::Request<&'b [u8]> {
    let mut request = http::Request::new(body);
    *request.uri_mut() = uri;
    let h = request.headers_mut();
    // Sized at once: the default would grow once within the first seven headers.
    *h = http::HeaderMap::with_capacity(7 + extra);
    if let Some(framing) = framing {
        if !get {
            h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        h.insert(http::header::USER_AGENT, framing.user_agent.clone());
        h.insert(http::header::HOST, framing.host.clone());
    }
    let Ids {
        bearer,
        invocation_id,
        sdk_request,
    } = ids;
    if get {
        // DescribeView: the SDKs send no body and no Content-Type.
        *request.method_mut() = http::Method::GET;
    } else {
        *request.method_mut() = http::Method::POST;
        request
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, headers::APPLICATION_JSON);
    }
    let h = request.headers_mut();
    h.insert(headers::X_AMZ_BEARER, bearer);
    h.insert(headers::AMZ_SDK_INVOCATION_ID, invocation_id);
    h.insert(headers::AMZ_SDK_REQUEST, sdk_request);
    request
}

/// Turns the service's answer into the output (read by `parse`) or a typed error.
///
/// `header` looks a response header up by name, case-insensitively; `body` is at most what
/// the client agreed to read.
pub(crate) fn parse_response<'h, T>(
    status: u16,
    header: impl Fn(&str) -> Option<&'h str>,
    body: &[u8],
    parse: impl FnOnce(Members) -> Result<T, BadAnswer>,
) -> Result<T> {
    // Only a failure needs the request id: a success does not look it up.
    let request_id = || {
        header("x-amzn-RequestId")
            .or_else(|| header("x-amz-request-id"))
            .map(str::to_owned)
    };
    if (200..300).contains(&status) {
        return parse_output(status, body, parse).map_err(|e| e.set_request_id(request_id()));
    }
    let fields = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let string_field = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| fields.get(*n).and_then(Value::as_str))
            .map(str::to_owned)
    };
    // An empty or unusable header must not hide the type the body names.
    let error_type = header("x-amzn-errortype")
        .and_then(sanitize_error_type)
        .or_else(|| string_field(&["code", "__type"]).and_then(|t| sanitize_error_type(&t)));
    let message = string_field(&["message", "Message", "errorMessage"]);
    let class = retry::for_response(status, error_type.as_deref());
    Err(Error::from_response(status, error_type, message, request_id()).retry_as(class))
}

fn parse_output<T>(
    status: u16,
    body: &[u8],
    parse: impl FnOnce(Members) -> Result<T, BadAnswer>,
) -> Result<T> {
    let invalid = |why: Option<&str>| {
        let mut message = format!(
            "the service answered HTTP {status} with a body that is not the documented JSON \
             ({} bytes)",
            body.len()
        );
        if let Some(why) = why {
            message.push_str(": ");
            message.push_str(why);
        }
        Error::invalid_response(status, message)
    };
    // restJson1 allows an empty body for an output whose members are all optional.
    if body.iter().all(u8::is_ascii_whitespace) {
        return parse(Members::empty()).map_err(|e| invalid(Some(&e.0)));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => parse(Members::root(map)).map_err(|e| invalid(Some(&e.0))),
        Ok(_) => Err(invalid(Some("not a JSON object"))),
        Err(e) => Err(invalid(None).set_source(e)),
    }
}

/// Keeps what stands before the first `:`, then what stands after the first `#`, as the
/// restJson1 protocol says (`aws.foo#ThrottlingException:http://x` -> `ThrottlingException`).
pub(crate) fn sanitize_error_type(raw: &str) -> Option<String> {
    let before_colon = raw.split(':').next().unwrap_or_default();
    let name = before_colon
        .split_once('#')
        .map_or(before_colon, |(_, after)| after)
        .trim();
    (!name.is_empty()).then(|| name.to_owned())
}

// The rules for error answers (which header or member names the type, the message, the
// request id, the kinds) are tested once, over real sockets, in tests/integration/errors.rs;
// these tests cover what only this layer shows.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::Operation;
    use crate::{ErrorKind, SendEventOutput, SendEventRequest};

    fn parse(status: u16, headers: &[(&str, &str)], body: &str) -> Result<SendEventOutput> {
        parse_bytes(status, headers, body.as_bytes())
    }

    fn parse_bytes(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Result<SendEventOutput> {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        parse_response(status, lookup, body, SendEventRequest::parse)
    }

    #[test]
    fn request_carries_exactly_these_headers() {
        let uri: Uri = "https://participant.connect.us-east-1.amazonaws.com/participant/message"
            .parse()
            .unwrap();
        let r = request(
            false,
            uri.clone(),
            HeaderValue::from_static("tok"),
            HeaderValue::from_static("inv-1"),
            HeaderValue::from_static("attempt=1; max=3"),
            b"{}",
        );
        assert_eq!(r.method(), http::Method::POST);
        assert_eq!(r.uri(), &uri);
        let headers: Vec<(&str, &str)> = r
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            headers,
            [
                ("content-type", "application/json"),
                ("x-amz-bearer", "tok"),
                ("amz-sdk-invocation-id", "inv-1"),
                ("amz-sdk-request", "attempt=1; max=3"),
            ]
        );
        assert_eq!(*r.body(), b"{}");
        // DescribeView: a GET without body or Content-Type.
        let r = request(
            true,
            uri.clone(),
            HeaderValue::from_static("tok"),
            HeaderValue::from_static("inv-1"),
            HeaderValue::from_static("attempt=1; max=3"),
            b"",
        );
        assert_eq!(r.method(), http::Method::GET);
        let names: Vec<&str> = r.headers().keys().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            ["x-amz-bearer", "amz-sdk-invocation-id", "amz-sdk-request"]
        );
        assert!(r.body().is_empty());
    }

    #[test]
    fn framing_is_what_ureq_would_add_in_its_order() {
        let host = |url: &str| {
            let f = Framing::new(&url.parse().unwrap(), "ua/1").unwrap();
            assert_eq!(f.user_agent, "ua/1");
            f.host.to_str().unwrap().to_owned()
        };
        assert_eq!(
            host("https://participant.connect.us-east-1.amazonaws.com/"),
            "participant.connect.us-east-1.amazonaws.com"
        );
        assert_eq!(host("https://h.example:443/p/"), "h.example");
        assert_eq!(host("https://h.example:8443/"), "h.example:8443");
        assert_eq!(host("http://127.0.0.1:80/"), "127.0.0.1");
        assert_eq!(host("http://127.0.0.1:443/"), "127.0.0.1:443");
        assert_eq!(host("http://[::1]:8080/"), "[::1]:8080");
        assert!(Framing::new(&"/relative".parse().unwrap(), "ua/1").is_none());
        assert!(Framing::new(&"http://h/".parse().unwrap(), "bad\nua").is_none());

        let framing = Framing::new(&"http://127.0.0.1:9/".parse().unwrap(), "ua/1").unwrap();
        let ids = || Ids {
            bearer: HeaderValue::from_static("tok"),
            invocation_id: HeaderValue::from_static("inv-1"),
            sdk_request: HeaderValue::from_static("attempt=1; max=3"),
        };
        let uri: Uri = "http://127.0.0.1:9/participant/event".parse().unwrap();
        let lines = |r: &http::Request<&[u8]>| -> Vec<String> {
            r.headers()
                .iter()
                .map(|(k, v)| format!("{}: {}", k, v.to_str().unwrap()))
                .collect()
        };
        let post = framed_request(Some(&framing), 0, false, uri.clone(), ids(), b"{\"a\":1}");
        assert_eq!(
            lines(&post),
            [
                "content-length: 7",
                "user-agent: ua/1",
                "host: 127.0.0.1:9",
                "content-type: application/json",
                "x-amz-bearer: tok",
                "amz-sdk-invocation-id: inv-1",
                "amz-sdk-request: attempt=1; max=3",
            ]
        );
        let get = framed_request(Some(&framing), 0, true, uri, ids(), b"");
        assert_eq!(
            lines(&get),
            [
                "user-agent: ua/1",
                "host: 127.0.0.1:9",
                "x-amz-bearer: tok",
                "amz-sdk-invocation-id: inv-1",
                "amz-sdk-request: attempt=1; max=3",
            ]
        );
    }

    #[test]
    fn success_body_gives_id_and_time_and_ignores_unknown_members() {
        let out = parse(
            200,
            &[],
            r#"{"AbsoluteTime":"2019-11-08T02:41:28.172Z","Id":"abc","Extra":{"x":[1]}}"#,
        )
        .unwrap();
        assert_eq!(out.id.as_deref(), Some("abc"));
        assert_eq!(
            out.absolute_time.as_ref().map(crate::Timestamp::as_str),
            Some("2019-11-08T02:41:28.172Z")
        );
    }

    #[test]
    fn any_2xx_is_success_and_empty_body_is_empty_output() {
        for status in [200, 201, 202, 204, 299] {
            assert_eq!(parse(status, &[], "").unwrap(), SendEventOutput::default());
        }
        assert_eq!(parse(200, &[], " \n").unwrap(), SendEventOutput::default());
        assert_eq!(parse(200, &[], "{}").unwrap(), SendEventOutput::default());
    }

    #[test]
    fn garbage_success_body_is_invalid_response_with_status_and_request_id() {
        for body in [
            &b"<html>ok</html>"[..],
            b"{\"Id\":",
            b"\xff\xfe",
            b"[]",
            b"{\"Id\":7}",
            b"{\"AbsoluteTime\":[]}",
        ] {
            let e = parse_bytes(200, &[("x-amzn-RequestId", "r1")], body).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidResponse);
            assert_eq!(e.status(), Some(200));
            assert_eq!(e.request_id(), Some("r1"));
        }
        let e = parse(200, &[], "<html>").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the service answered HTTP 200 with a body that is not the documented JSON (6 bytes)"
        );
        let e = parse(200, &[], r#"{"Id":7}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the service answered HTTP 200 with a body that is not the documented JSON (8 \
             bytes): member Id is not a string"
        );
    }

    #[test]
    fn sanitize_follows_the_protocol() {
        let cases = [
            (
                "aws.foo#ThrottlingException:http://x",
                Some("ThrottlingException"),
            ),
            ("ThrottlingException", Some("ThrottlingException")),
            (
                "ValidationException:http://internal",
                Some("ValidationException"),
            ),
            ("com.amazon#ConflictException", Some("ConflictException")),
            ("a#b#c", Some("b#c")),
            (":x", None),
            ("", None),
            ("ns#", None),
        ];
        for (raw, want) in cases {
            assert_eq!(sanitize_error_type(raw).as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn sdk_request_header_counts_attempts() {
        assert_eq!(sdk_request_header(1, 1), "attempt=1; max=1");
        assert_eq!(sdk_request_header(2, 3), "attempt=2; max=3");
        assert_eq!(
            USER_AGENT,
            format!("connect-participant/{}", env!("CARGO_PKG_VERSION"))
        );
    }
}
