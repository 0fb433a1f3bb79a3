//! The one attempt loop: every call, and every presigned transfer, is sent through
//! [`Client::run`], which keeps the attempts, the back-off between them and the retry quota
//! the client's clones share, so that [`Error::attempts`] means the same everywhere.

use std::sync::PoisonError;
use std::time::Duration;

use ureq::http::{self, HeaderValue, Uri};

use super::call_log::{self, Subject};
use super::{Client, Inner};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{Uuid, two_uuids};
use crate::net::{Failed, transport_error};
use crate::operation::{Method, Operation};
use crate::retry::{self, CallRetries, Next, RetryClass};
use crate::token::Bearer;
use crate::wire;

/// Where the client token generated for one call is kept across the calls that are the
/// same call (see [`Client::call_keyed`]).
pub(crate) type ClientTokenSlot = std::cell::Cell<Option<Uuid>>;

/// A failed attempt: the error, and the server's `x-amz-retry-after` (milliseconds), if it
/// sent one.
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) retry_after: Option<u64>,
    /// No other attempt may follow, whatever the error's class: a download that has begun
    /// writing cannot take its bytes back. The error still says whether the whole call,
    /// made again, may succeed.
    pub(crate) last: bool,
}

impl Failure {
    /// A failure after which no attempt follows.
    pub(crate) fn last(error: Error) -> Failure {
        Failure {
            error,
            retry_after: None,
            last: true,
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure {
            error,
            retry_after: None,
            last: false,
        }
    }
}

impl Client {
    /// Makes `attempt` (given its number, from 1) until it succeeds, fails in a way another
    /// attempt would not mend, or the client's attempts or its retry quota run out, waiting
    /// the jittered back-off of the failure's class between attempts. The error returned
    /// says how many attempts were made.
    /// Each attempt, retry and give-up is logged under `subject` (see `call_log`).
    pub(crate) fn run<T>(
        &self,
        subject: Subject<'_>,
        mut attempt: impl FnMut(u32) -> std::result::Result<T, Failure>,
    ) -> Result<T> {
        let inner = &*self.inner;
        let mut retries = CallRetries::new(inner.max_attempts);
        loop {
            let n = retries.attempt();
            call_log::attempt(subject, n, inner.max_attempts);
            let Failure {
                error,
                retry_after,
                last,
            } = match attempt(n) {
                Ok(out) => {
                    call_log::succeeded(subject, n);
                    retries.after_success(&inner.quota);
                    return Ok(out);
                }
                Err(failure) => failure,
            };
            let class = if last {
                RetryClass::Never
            } else {
                error.retry_class()
            };
            match retries.after_failure(class, &inner.quota) {
                Next::Stop { quota_exhausted } => {
                    call_log::stopped(subject, n, &error, class, quota_exhausted);
                    return Err(error.set_attempts(n, quota_exhausted));
                }
                Next::Retry { .. } => {
                    let wait = self.backoff(class, n, retry_after);
                    call_log::retry(subject, n, &error, wait);
                    (inner.sleep)(wait);
                }
            }
        }
    }

    /// How long to wait before retrying after failed `attempt` (1, 2, ...) of class
    /// `class`.
    fn backoff(&self, class: RetryClass, attempt: u32, retry_after: Option<u64>) -> Duration {
        let inner = &*self.inner;
        let mut bytes = [0u8; 8];
        // Without randomness, wait the whole ceiling: slower, never more aggressive.
        let unit = match (inner.random)(&mut bytes) {
            Ok(()) => retry::unit_interval(bytes),
            Err(_) => 1.0,
        };
        retry::backoff(class, attempt, unit, retry_after)
    }

    /// Runs one operation: checks it, then sends it through the attempt loop (retries,
    /// quota, timeouts, redaction, errors). Every attempt carries the same invocation id
    /// and client token.
    pub(crate) fn call<O: Operation>(&self, token: &O::Token, op: &O) -> Result<O::Output> {
        self.call_keyed(token, op, &ClientTokenSlot::default())
    }

    /// [`call`](Self::call), the client token generated for a request without one kept in
    /// `slot`: the first call that finds it empty fills it, and every later call given the
    /// same slot sends that client token again. A [`Participant`](crate::Participant)'s
    /// call made once more after a 403 and a renewal is the same call: were the first
    /// taken by the service before its answer was lost, the service keeps one.
    pub(crate) fn call_keyed<O: Operation>(
        &self,
        token: &O::Token,
        op: &O,
        slot: &ClientTokenSlot,
    ) -> Result<O::Output> {
        op.validate()?;
        let inner = &*self.inner;
        let (invocation_id, drawn) = two_uuids(&*inner.random)?;
        let generated_token = slot.get().unwrap_or(drawn);
        slot.set(Some(generated_token));
        let invocation_id = HeaderValue::from_bytes(invocation_id.as_bytes()).map_err(|e| {
            Error::with_source(
                ErrorKind::RandomSource,
                "the random source gave an unusable invocation id",
                e,
            )
        })?;
        let body = op.body(generated_token.as_str());
        let uri = match op.path() {
            Some(path) => inner.endpoint.operation_uri(&path).map_err(|e| {
                Error::with_source(
                    ErrorKind::InvalidInput,
                    "the request path cannot be made into a URI",
                    e,
                )
            })?,
            None => inner.uri(O::PATH)?,
        };
        self.run(Subject::call(O::NAME), |attempt| {
            let ids = wire::Ids {
                bearer: token.header_value().clone(),
                invocation_id: invocation_id.clone(),
                sdk_request: inner.sdk_request(attempt),
            };
            let mut request = wire::framed_request(
                inner.framing.as_ref(),
                inner.headers.len(),
                O::METHOD == Method::Get,
                uri.clone(),
                ids,
                &body,
            );
            for (name, value) in inner.headers.iter() {
                request.headers_mut().append(name.clone(), value.clone());
            }
            self.attempt::<O>(request, token.expose_secret())
        })
        .map_err(|e| {
            let hint = op.hint(e.kind());
            e.with_hint(hint)
        })
    }

    /// One attempt of a call.
    fn attempt<O: Operation>(
        &self,
        request: http::Request<&[u8]>,
        secret: &str,
    ) -> std::result::Result<O::Output, Failure> {
        let inner = &*self.inner;
        let (parts, body) = request.into_parts();
        let body = match O::METHOD {
            // No body at all: an empty one would still send `content-length: 0`, which the
            // SDKs' GET does not.
            Method::Get => None,
            Method::Post => Some(body),
        };
        let request = http::Request::from_parts(parts, ());
        let url = inner.endpoint.url();
        let bounds = inner.net.bounds();
        // Only a failure waits as the server asks: a success does not look the header up.
        let retry_after = |headers: &http::HeaderMap| {
            headers
                .get("x-amz-retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(retry::parse_retry_after)
        };
        let answer = inner
            .net
            .direct()
            .run(request, body, O::MAX_ANSWER)
            .map_err(|Failed { error, head }| match head {
                None => Failure::from(transport_error(error, None, O::MAX_ANSWER, url, bounds)),
                Some(head) => Failure {
                    error: transport_error(error, Some(head.0), O::MAX_ANSWER, url, bounds),
                    retry_after: retry_after(&head.1),
                    last: false,
                },
            })?;
        let (status, body) = (answer.status, answer.body);
        let headers = &answer.headers;
        let lookup = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        wire::parse_response(status, lookup, &body, O::parse).map_err(|e| Failure {
            error: e.redacting(secret),
            retry_after: retry_after(headers),
            last: false,
        })
    }
}

impl Inner {
    /// `amz-sdk-request` for `attempt`: prepared for the first few.
    fn sdk_request(&self, attempt: u32) -> HeaderValue {
        let made = attempt
            .checked_sub(1)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.sdk_request.get(i));
        match made {
            Some(v) => v.clone(),
            None => HeaderValue::from_str(&wire::sdk_request_header(attempt, self.max_attempts))
                .unwrap_or_else(|_| HeaderValue::from_static("")),
        }
    }

    /// The URI of the operation at `path`, parsed at its first call and kept.
    fn uri(&self, path: &'static str) -> Result<Uri> {
        let kept = self.uris.read().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, uri)) = kept.iter().find(|(p, _)| *p == path) {
            return Ok(uri.clone());
        }
        drop(kept);
        let uri = self.endpoint.operation_uri(path).map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidConfig,
                "the endpoint URL and the operation's path make no URI",
                e,
            )
        })?;
        let mut kept = self.uris.write().unwrap_or_else(PoisonError::into_inner);
        if !kept.iter().any(|(p, _)| *p == path) {
            kept.push((path, uri.clone()));
        }
        Ok(uri)
    }
}
