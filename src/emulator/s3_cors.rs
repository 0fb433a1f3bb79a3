//! CORS for the presigned URLs, as S3 answers a browser: a page that PUTs an upload with
//! its `HeadersToInclude` (chatjs sends them all, `Content-Disposition`, `x-amz-acl` and
//! `x-amz-meta-contact_id` among them) makes the browser ask first with an `OPTIONS`
//! preflight.
//!
//! S3 evaluates the bucket's CORS rules; the emulator's stand-in rule allows any origin,
//! any requested header, and the one method each URL serves (`PUT` of an upload URL,
//! `GET` of a download URL). The `Access-Control-Allow-Origin: *` and
//! `Access-Control-Expose-Headers` (with `ETag`) of every answer come from the server,
//! which puts them on every answer (`service::cors_headers`): a header given twice would
//! make a browser refuse the answer.

use super::attachments::s3_error;
use super::http::{Reply, Request};

/// How long a browser may keep a preflight's answer, in seconds (a bucket rule's
/// `MaxAgeSeconds`; S3's documentation uses 3000 in its examples).
pub(super) const MAX_AGE: &str = "3000";

/// S3's answer to a preflight that no CORS rule matches.
const NOT_ALLOWED: &str = "CORSResponse: This CORS request is not allowed. This is usually \
    because the evalution of Origin, request method / Access-Control-Request-Method or \
    Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

/// The answer to an `OPTIONS` preflight to a presigned URL that serves `method`: 200
/// with the method and the requested headers allowed; 400 without `Origin` or
/// `Access-Control-Request-Method`, as S3 answers; 403 `AccessForbidden` for another
/// method.
pub(super) fn preflight(request: &Request, method: &str) -> Reply {
    if request.header("origin").is_none() {
        return s3_error(
            400,
            "BadRequest",
            "Insufficient information. Origin request header needed.",
        );
    }
    let Some(asked) = request.header("access-control-request-method") else {
        return s3_error(
            400,
            "BadRequest",
            "Invalid Access-Control-Request-Method: null",
        );
    };
    if asked != method {
        return s3_error(403, "AccessForbidden", NOT_ALLOWED);
    }
    let mut headers = vec![("Access-Control-Allow-Methods".to_owned(), method.to_owned())];
    // S3 answers every requested header a rule allows; the stand-in rule allows all.
    if let Some(asked) = request.header("access-control-request-headers") {
        headers.push(("Access-Control-Allow-Headers".to_owned(), asked.to_owned()));
    }
    headers.push(("Access-Control-Max-Age".to_owned(), MAX_AGE.to_owned()));
    headers.push((
        "Vary".to_owned(),
        "Origin, Access-Control-Request-Headers, Access-Control-Request-Method".to_owned(),
    ));
    Reply {
        status: 200,
        headers,
        body: Vec::new(),
    }
}
