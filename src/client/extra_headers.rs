//! The caller's static request headers ([`ClientBuilder::header`](super::ClientBuilder::header)),
//! for a corporate gateway or WAF in front of the service: checked once, at `build()`, and
//! sent on every call to the service; never to a presigned URL or the WebSocket host, which
//! are other hosts than the one the gateway fronts.

use std::fmt;

use ureq::http::{HeaderName, HeaderValue};

use crate::error::{Error, Result};
use crate::redact::quoted;

/// The most extra headers a client takes.
pub(crate) const MAX_HEADERS: usize = 32;
/// The longest name, in bytes: gateways' header names are short words.
pub(crate) const MAX_NAME_BYTES: usize = 128;
/// The longest value, in bytes: room for a signed token, far below servers' head limits.
pub(crate) const MAX_VALUE_BYTES: usize = 4096;
/// The most bytes of names and values all together: the client's own headers and the
/// bearer token take some 2 KiB more, and gateways and load balancers refuse heads of
/// 8 to 16 KiB, so 32 headers of 4096 bytes each (some 128 KiB) would never get through.
pub(crate) const MAX_TOTAL_BYTES: usize = 8 * 1024;

/// Names the client sets itself, or that frame, route or authorize the request, or that
/// change how the answer is encoded (the client reads the body as it comes): a static
/// value would clash with the client's, or break the request.
const OWNED: &[&str] = &[
    "accept-encoding",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "connection",
    "content-encoding",
    "content-length",
    "content-type",
    "expect",
    "host",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amz-bearer",
];

/// Prefixes of the names AWS reads as its own (`X-Amz-Date`, `X-Amz-Security-Token`,
/// `X-Amz-Target`, ...) and the SDKs': one of them, set statically, could change how the
/// service reads the request.
const OWNED_PREFIXES: &[&str] = &["x-amz-", "amz-sdk-"];

/// The extra headers, checked, in the order given.
#[derive(Clone, Default)]
pub(crate) struct ExtraHeaders(Vec<(HeaderName, HeaderValue)>);

impl ExtraHeaders {
    /// Checks `given` (names and values as the caller gave them).
    pub(crate) fn new(given: &[(String, String)]) -> Result<ExtraHeaders> {
        if given.len() > MAX_HEADERS {
            return Err(Error::invalid_config(format!(
                "too many extra headers: {}, at most {MAX_HEADERS}",
                given.len()
            )));
        }
        let mut checked: Vec<(HeaderName, HeaderValue)> = Vec::with_capacity(given.len());
        for (name, value) in given {
            let (n, v) = check(name, value)?;
            if checked.iter().any(|(m, _)| *m == n) {
                return Err(refused(name, "given twice (header names ignore case)"));
            }
            checked.push((n, v));
        }
        let total: usize = given.iter().map(|(n, v)| n.len() + v.len()).sum();
        if total > MAX_TOTAL_BYTES {
            return Err(Error::invalid_config(format!(
                "extra headers too large: {total} bytes of names and values, at most \
                 {MAX_TOTAL_BYTES} in all"
            )));
        }
        Ok(ExtraHeaders(checked))
    }

    /// The headers, to add to a request.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &(HeaderName, HeaderValue)> {
        self.0.iter()
    }

    /// How many there are.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Shows the names only: a value may be a gateway's credential.
impl fmt::Debug for ExtraHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(n, _)| n.as_str()))
            .finish()
    }
}

fn refused(name: &str, why: &str) -> Error {
    Error::invalid_config(format!("invalid extra header {}: {why}", quoted(name)))
}

/// One header, checked; the error names it (measured, if long) and never shows the value.
fn check(name: &str, value: &str) -> Result<(HeaderName, HeaderValue)> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return Err(Error::invalid_config(format!(
            "invalid extra header name: {} bytes, must be 1 to {MAX_NAME_BYTES}",
            name.len()
        )));
    }
    // An HTTP token: no separator, space or control character could split the head.
    let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        refused(
            name,
            "a name may hold only letters, digits and !#$%&'*+-.^_`|~",
        )
    })?;
    let lower = n.as_str();
    if OWNED.contains(&lower) {
        return Err(refused(
            name,
            "the client sets it, or it frames the request",
        ));
    }
    if OWNED_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return Err(refused(
            name,
            "names that start with X-Amz- or amz-sdk- are AWS's and its SDKs'",
        ));
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(refused(
            name,
            &format!(
                "its value has {} bytes, at most {MAX_VALUE_BYTES} are allowed",
                value.len()
            ),
        ));
    }
    // No CR, LF, NUL or other control character (tab aside), nothing beyond ASCII: such a
    // value could end the header, or the head, early.
    if !value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        return Err(refused(
            name,
            "its value may hold only visible ASCII, spaces and tabs (the value is not shown)",
        ));
    }
    let v = HeaderValue::from_str(value)
        .map_err(|_| refused(name, "its value cannot be sent (the value is not shown)"))?;
    Ok((n, v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn one(name: &str, value: &str) -> Result<ExtraHeaders> {
        ExtraHeaders::new(&[(name.to_owned(), value.to_owned())])
    }

    fn refusal(name: &str, value: &str) -> String {
        let e = one(name, value).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        e.to_string()
    }

    #[test]
    fn names_the_client_owns_are_refused_whatever_their_case() {
        for name in [
            "X-Amz-Bearer",
            "content-type",
            "HOST",
            "Content-Length",
            "Transfer-Encoding",
            "Connection",
            "User-Agent",
            "amz-sdk-invocation-id",
            "Amz-Sdk-Request",
        ] {
            assert_eq!(
                refusal(name, "x"),
                format!(
                    "invalid extra header \"{name}\": the client sets it, or it frames the \
                     request"
                )
            );
        }
        for name in ["X-Amz-Date", "x-amz-security-token", "amz-sdk-retry"] {
            assert_eq!(
                refusal(name, "x"),
                format!(
                    "invalid extra header \"{name}\": names that start with X-Amz- or \
                     amz-sdk- are AWS's and its SDKs'"
                )
            );
        }
    }

    #[test]
    fn names_and_values_that_break_a_header_are_refused_without_the_value() {
        assert_eq!(
            refusal("", "x"),
            "invalid extra header name: 0 bytes, must be 1 to 128"
        );
        assert_eq!(
            refusal(&"a".repeat(129), "x"),
            "invalid extra header name: 129 bytes, must be 1 to 128"
        );
        for name in ["X Corp", "X-Corp:", "X-Corp\r\nHost", "X\0", "Ünï", "a\tb"] {
            let shown = refusal(name, "x");
            assert!(
                shown.ends_with(": a name may hold only letters, digits and !#$%&'*+-.^_`|~"),
                "{shown}"
            );
            assert!(!shown.contains('\r') && !shown.contains('\n'), "{shown}");
        }
        for value in [
            "s3cr3t\r\nHost: evil",
            "s3cr3t\n",
            "s3cr3t\0",
            "s3cr3t\u{7f}",
            "s3cr3té",
        ] {
            assert_eq!(
                refusal("X-Corp", value),
                "invalid extra header \"X-Corp\": its value may hold only visible ASCII, spaces \
                 and tabs (the value is not shown)"
            );
        }
        assert_eq!(
            refusal("X-Corp", &"s".repeat(4097)),
            "invalid extra header \"X-Corp\": its value has 4097 bytes, at most 4096 are allowed"
        );
        let twice = ExtraHeaders::new(&[
            ("X-Corp".to_owned(), "s3cr3t".to_owned()),
            ("x-corp".to_owned(), "s3cr3t".to_owned()),
        ])
        .unwrap_err();
        assert_eq!(
            twice.to_string(),
            "invalid extra header \"x-corp\": given twice (header names ignore case)"
        );
        let many: Vec<(String, String)> = (0..33)
            .map(|i| (format!("x-h{i}"), "v".to_owned()))
            .collect();
        assert_eq!(
            ExtraHeaders::new(&many).unwrap_err().to_string(),
            "too many extra headers: 33, at most 32"
        );
    }

    #[test]
    fn names_and_values_over_8_kib_in_all_are_refused_without_a_value() {
        // Two headers of 1 + 4095 bytes and one of 2 + 0: 8194 bytes in all.
        let mut given = vec![
            ("a".to_owned(), "s".repeat(4095)),
            ("b".to_owned(), "s".repeat(4095)),
        ];
        assert!(ExtraHeaders::new(&given).is_ok(), "8192 bytes are allowed");
        given.push(("cd".to_owned(), String::new()));
        let e = ExtraHeaders::new(&given).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert_eq!(
            e.to_string(),
            "extra headers too large: 8194 bytes of names and values, at most 8192 in all"
        );
    }

    #[test]
    fn accepted_headers_keep_their_order_and_show_names_only() {
        let h = ExtraHeaders::new(&[
            ("X-Corp-Gateway".to_owned(), "s3cr3t\tkey 1".to_owned()),
            ("Authorization".to_owned(), "Bearer s3cr3t".to_owned()),
            ("x-amzn-trace-id".to_owned(), String::new()),
        ])
        .unwrap();
        assert_eq!(
            format!("{h:?}"),
            r#"["x-corp-gateway", "authorization", "x-amzn-trace-id"]"#
        );
        let values: Vec<&str> = h.iter().map(|(_, v)| v.to_str().unwrap()).collect();
        assert_eq!(values, ["s3cr3t\tkey 1", "Bearer s3cr3t", ""]);
        assert_eq!(
            one(&"a".repeat(128), &"v".repeat(4096))
                .map(|h| h.is_empty())
                .ok(),
            Some(false)
        );
    }
}
