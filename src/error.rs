//! The crate's one error type.

use std::error::Error as StdError;
use std::fmt;

use crate::redact::{ID_WIDTH, MESSAGE_WIDTH, SecretRuns, push_printable};

/// What went wrong, to match on.
///
/// New kinds may be added in minor releases, so a `match` needs a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An input broke one of the service's documented limits; nothing was sent.
    /// [`Error::field`] names the input.
    InvalidInput,
    /// The client configuration (region, endpoint URL, user agent suffix, an extra header,
    /// a timeout outside 1 ms to 1 hour, ...) is unusable; nothing was sent.
    InvalidConfig,
    /// The service answered `ValidationException` (HTTP 400): it refused the input.
    Validation,
    /// The service answered `AccessDeniedException` (HTTP 403). The service does not say
    /// why; the message adds the usual causes for the token the operation carries: a token
    /// that expired or is unknown, a chat that ended or that this participant left, an
    /// endpoint in another region than the Amazon Connect instance, or one token given
    /// where the other is needed. From a [`Participant`](crate::Participant)'s renewal it
    /// becomes [`ChatEnded`](ErrorKind::ChatEnded).
    AccessDenied,
    /// The service answered `ConflictException` (HTTP 409). For receipts this means they are
    /// not available in this chat (more than two participants, or a supervisor barged in),
    /// and the message says so.
    Conflict,
    /// The service answered `ThrottlingException` (HTTP 429): too many requests.
    Throttling,
    /// The service answered `ServiceQuotaExceededException` (HTTP 402): the chat's quota of
    /// attachments is used up (StartAttachmentUpload, CompleteAttachmentUpload).
    ServiceQuotaExceeded,
    /// The service answered `ResourceNotFoundException` (HTTP 404): DescribeView's view is
    /// not there.
    ResourceNotFound,
    /// The service answered `InternalServerException` (HTTP 500).
    InternalServer,
    /// The service answered an error type this crate does not know;
    /// [`Error::service_error_type`] keeps it.
    UnknownService,
    /// The server answered a non-success status without an AWS error type (an empty, HTML or
    /// garbage body, as a proxy or load balancer may send). [`Error::status`] has the status.
    UnexpectedStatus,
    /// The server answered a redirect (3xx). Redirects are never followed, because the
    /// connection token would travel with them.
    Redirect,
    /// The request could not be sent or the answer could not be received: DNS, connect, TLS,
    /// a reset connection or another I/O failure. [`std::error::Error::source`] has the cause.
    Transport,
    /// A connect or response timeout elapsed.
    Timeout,
    /// The server's TLS certificate failed a check: an unknown issuer (no trusted root
    /// signed it, as with a private CA or a TLS-inspecting proxy), expired or not yet
    /// valid, not valid for the endpoint's host name, or another check; the message says
    /// which, and how to trust another root
    /// ([`ClientBuilder::add_root_certificates_pem`](crate::ClientBuilder::add_root_certificates_pem)).
    /// Nothing was sent to the service. Never retried: the same certificate fails the
    /// same way.
    Certificate,
    /// The server answered something that cannot be read as the service's answer: a success
    /// status whose body is not the documented JSON, a body of any status over the
    /// response cap, a head over 64 KiB or over 128 headers, or bytes that are not HTTP/1.1
    /// (broken chunk framing included). Never retried: a server that speaks garbage does
    /// not speak better a moment later.
    InvalidResponse,
    /// The operating system's random source failed, so no client token could be made.
    RandomSource,
    /// Reading the attachment to upload, or writing a download, failed on this machine;
    /// [`std::error::Error::source`] has the I/O error.
    Io,
    /// The chat is over for this participant. A [`Participant`](crate::Participant) learns
    /// it in one of two ways: CreateParticipantConnection answers 403 when it renews its
    /// connection token (before the token expires, or to check a 403 that a call got:
    /// then [`std::error::Error::source`] is that call's 403), which is how Amazon's own
    /// chat clients learn that a chat ended while they were away; or a chat stream of it
    /// sees `chat.ended`. The message says which. Every later call of that participant
    /// returns this kind without sending anything.
    ChatEnded,
    /// This participant has left the chat, which goes on for the others: its own
    /// [`Participant::disconnect`](crate::Participant::disconnect) succeeded, or a chat
    /// stream of it saw the service disconnect it. The message says which. Every later call
    /// of that participant returns this kind without sending anything.
    Left,
}

impl ErrorKind {
    /// Every kind, in the order of the table under Errors (crate docs and README): for a
    /// program that maps each kind to something of its own (an exit status, a metric) and
    /// wants its tests to notice a kind it does not map. The command-line utility's exit
    /// statuses, the documentation's table and this crate's tests all read this list.
    ///
    /// ```
    /// use connect_participant::ErrorKind;
    ///
    /// assert_eq!(ErrorKind::ALL.first(), Some(&ErrorKind::InvalidInput));
    /// assert!(ErrorKind::ALL.contains(&ErrorKind::ChatEnded));
    /// ```
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::InvalidInput,
        ErrorKind::InvalidConfig,
        ErrorKind::Validation,
        ErrorKind::AccessDenied,
        ErrorKind::Conflict,
        ErrorKind::Throttling,
        ErrorKind::ServiceQuotaExceeded,
        ErrorKind::ResourceNotFound,
        ErrorKind::InternalServer,
        ErrorKind::UnknownService,
        ErrorKind::UnexpectedStatus,
        ErrorKind::Redirect,
        ErrorKind::Transport,
        ErrorKind::Timeout,
        ErrorKind::Certificate,
        ErrorKind::InvalidResponse,
        ErrorKind::RandomSource,
        ErrorKind::Io,
        ErrorKind::ChatEnded,
        ErrorKind::Left,
    ];

    /// A few words for the kind, as [`Display`](fmt::Display) prints it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::InvalidConfig => "invalid configuration",
            ErrorKind::Validation => "validation error",
            ErrorKind::AccessDenied => "access denied",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Throttling => "throttled",
            ErrorKind::ServiceQuotaExceeded => "service quota exceeded",
            ErrorKind::ResourceNotFound => "resource not found",
            ErrorKind::InternalServer => "internal server error",
            ErrorKind::UnknownService => "unknown service error",
            ErrorKind::UnexpectedStatus => "unexpected status",
            ErrorKind::Redirect => "redirect",
            ErrorKind::Transport => "transport error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Certificate => "certificate refused",
            ErrorKind::InvalidResponse => "invalid response",
            ErrorKind::RandomSource => "random source failed",
            ErrorKind::Io => "local I/O error",
            ErrorKind::ChatEnded => "chat ended",
            ErrorKind::Left => "left the chat",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ErrorKind {
    /// The service error type this kind stands for, if it is one of the seven the model documents.
    pub(crate) fn from_service_type(error_type: &str) -> ErrorKind {
        match error_type {
            "ValidationException" => ErrorKind::Validation,
            "AccessDeniedException" => ErrorKind::AccessDenied,
            "ConflictException" => ErrorKind::Conflict,
            "ThrottlingException" => ErrorKind::Throttling,
            "ServiceQuotaExceededException" => ErrorKind::ServiceQuotaExceeded,
            "ResourceNotFoundException" => ErrorKind::ResourceNotFound,
            "InternalServerException" => ErrorKind::InternalServer,
            _ => ErrorKind::UnknownService,
        }
    }
}

/// How a failed attempt may be retried: decided by the retry rules (`retry.rs`) when an
/// error is made, and kept in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryClass {
    /// Throttling: retried after a longer back-off, at a lower quota cost.
    Throttling,
    /// A transient failure: a 5xx, a timeout, a dropped connection.
    Transient,
    /// Not retried: the same request would fail the same way.
    Never,
}

/// The error returned by every fallible call in this crate.
///
/// Match on [`Error::kind`]; read the service's own details with [`Error::status`],
/// [`Error::service_error_type`], [`Error::service_message`] and [`Error::request_id`].
/// The connection token never appears in this type's `Display` or `Debug` output.
///
/// ```
/// use connect_participant::{ConnectionToken, ErrorKind};
///
/// let err = ConnectionToken::new("").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidInput);
/// assert_eq!(err.field(), Some("ConnectionToken"));
/// assert_eq!(
///     err.to_string(),
///     "invalid ConnectionToken: 0 characters, must be 1 to 1000"
/// );
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    /// Says what was wrong at this layer, already free of secrets.
    message: String,
    field: Option<&'static str>,
    status: Option<u16>,
    service_error_type: Option<String>,
    service_message: Option<String>,
    request_id: Option<String>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
    /// Requests sent by the call that failed (0 when refused before sending).
    attempts: u32,
    /// The call stopped retrying because the client's retry quota was empty.
    quota_exhausted: bool,
    /// Whether another attempt may succeed, as the retry rules (`retry.rs`) classed the
    /// failure when the error was made.
    retry: RetryClass,
    /// The step of an attachment's upload that failed.
    upload_step: Option<UploadStep>,
}

/// The three steps of [`Client::upload_attachment`](crate::Client::upload_attachment), as
/// [`Error::upload_step`] names the one that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UploadStep {
    /// 1: StartAttachmentUpload (and the checks before it).
    Start,
    /// 2: the PUT of the bytes to the presigned upload URL.
    Put,
    /// 3: CompleteAttachmentUpload.
    Complete,
}

impl UploadStep {
    /// How the step is named in messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            UploadStep::Start => "step 1 of 3, StartAttachmentUpload",
            UploadStep::Put => "step 2 of 3, the PUT of the file to the upload URL",
            UploadStep::Complete => "step 3 of 3, CompleteAttachmentUpload",
        }
    }
}

impl fmt::Display for UploadStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    fn new(kind: ErrorKind, message: String) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message,
                field: None,
                status: None,
                service_error_type: None,
                service_message: None,
                request_id: None,
                source: None,
                attempts: 0,
                quota_exhausted: false,
                retry: RetryClass::Never,
                upload_step: None,
            }),
        }
    }

    pub(crate) fn invalid_input(field: &'static str, message: impl fmt::Display) -> Error {
        let mut e = Error::new(
            ErrorKind::InvalidInput,
            format!("invalid {field}: {message}"),
        );
        e.inner.field = Some(field);
        e
    }

    /// An input whose size in characters is outside `min..=max`.
    pub(crate) fn length(field: &'static str, len: usize, min: usize, max: usize) -> Error {
        let unit = if len == 1 { "character" } else { "characters" };
        Error::invalid_input(field, format_args!("{len} {unit}, must be {min} to {max}"))
    }

    /// An input whose size in UTF-8 bytes is outside `min..=max`.
    pub(crate) fn bytes(field: &'static str, len: usize, min: usize, max: usize) -> Error {
        let unit = if len == 1 { "byte" } else { "bytes" };
        Error::invalid_input(
            field,
            format_args!("{len} {unit} of UTF-8, must be {min} to {max}"),
        )
    }

    pub(crate) fn invalid_config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidConfig, message.into())
    }

    pub(crate) fn with_source(
        kind: ErrorKind,
        message: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Error {
        let mut e = Error::new(kind, message.into());
        e.inner.source = Some(Box::new(source));
        e
    }

    /// An error the server answered with a non-success status.
    pub(crate) fn from_response(
        status: u16,
        service_error_type: Option<String>,
        service_message: Option<String>,
        request_id: Option<String>,
    ) -> Error {
        let kind = match (&service_error_type, status) {
            (Some(t), _) => ErrorKind::from_service_type(t),
            (None, 300..=399) => ErrorKind::Redirect,
            (None, _) => ErrorKind::UnexpectedStatus,
        };
        let mut message = match (&service_error_type, kind) {
            (Some(t), _) => {
                let mut m = String::from("service error ");
                push_printable(&mut m, t, ID_WIDTH);
                m.push_str(&format!(" (HTTP {status})"));
                m
            }
            (None, ErrorKind::Redirect) => {
                format!("the server answered a redirect (HTTP {status}), which is not followed")
            }
            (None, _) => format!("the server answered HTTP {status} without an AWS error"),
        };
        if let Some(m) = &service_message {
            message.push_str(": ");
            push_printable(&mut message, m, MESSAGE_WIDTH);
        }
        if let Some(id) = &request_id {
            message.push_str(" (request id ");
            push_printable(&mut message, id, ID_WIDTH);
            message.push(')');
        }
        let mut e = Error::new(kind, message);
        e.inner.status = Some(status);
        e.inner.service_error_type = service_error_type;
        e.inner.service_message = service_message;
        e.inner.request_id = request_id;
        e
    }

    /// An error of `kind` with this message and nothing more.
    pub(crate) fn new_kind(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::new(kind, message.into())
    }

    /// Something the server sent that cannot be read, outside an HTTP answer.
    pub(crate) fn new_invalid_response(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidResponse, message.into())
    }

    /// An answer that cannot be read as the service's (see [`ErrorKind::InvalidResponse`]).
    pub(crate) fn invalid_response(status: u16, message: impl Into<String>) -> Error {
        let mut e = Error::new(ErrorKind::InvalidResponse, message.into());
        e.inner.status = Some(status);
        e
    }

    /// Replaces the bearer token the request carried (`secret`) in what the server said, so
    /// that a server echoing it cannot get it into this error's text, its accessors or a log
    /// line made of them. Any run of [`SECRET_RUN`] characters of the token counts, so that
    /// a token echoed cut short or split is caught too.
    pub(crate) fn redacting(self, secret: &str) -> Error {
        let runs = SecretRuns::new(secret);
        let i = &*self.inner;
        let held = [&i.service_error_type, &i.service_message, &i.request_id];
        if !held
            .iter()
            .any(|s| s.as_deref().is_some_and(|s| runs.found_in(s)))
        {
            return self;
        }
        let scrub = |s: Option<String>| s.map(|s| runs.scrub(&s));
        let i = *self.inner;
        match (i.kind, i.status) {
            // Built from what the server said: build it again from the scrubbed parts, so
            // that no cut-off part of the secret is left in the message either.
            (kind, Some(status)) if kind != ErrorKind::InvalidResponse => Error::from_response(
                status,
                scrub(i.service_error_type),
                scrub(i.service_message),
                scrub(i.request_id),
            )
            .retry_as(i.retry),
            _ => Error {
                inner: Box::new(Inner {
                    request_id: scrub(i.request_id),
                    service_error_type: scrub(i.service_error_type),
                    service_message: scrub(i.service_message),
                    ..i
                }),
            },
        }
    }

    pub(crate) fn set_request_id(mut self, request_id: Option<String>) -> Error {
        self.inner.request_id = request_id;
        self
    }

    /// Says whether another attempt may succeed, as the retry rules classed this failure.
    pub(crate) fn retry_as(mut self, class: RetryClass) -> Error {
        self.inner.retry = class;
        self
    }

    /// Says which step of an attachment's upload failed, first in the message too.
    pub(crate) fn in_upload_step(mut self, step: UploadStep) -> Error {
        self.inner.message = format!("attachment upload failed at {step}: {}", self.inner.message);
        self.inner.upload_step = Some(step);
        self
    }

    /// A presigned URL's host (the storage service) refused a transfer with `status`.
    pub(crate) fn storage(status: u16, message: String, retry: RetryClass) -> Error {
        let mut e = Error::new(ErrorKind::UnexpectedStatus, message);
        e.inner.status = Some(status);
        e.inner.retry = retry;
        e
    }

    /// A local I/O failure (reading the attachment, writing a download).
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Error {
        Error::with_source(ErrorKind::Io, what, source)
    }

    pub(crate) fn chat_ended(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::ChatEnded, message.into())
    }

    /// This participant has left the chat ([`ErrorKind::Left`]).
    pub(crate) fn left(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Left, message.into())
    }

    /// Adds a sentence that says what this error usually means where it happened.
    pub(crate) fn with_hint(mut self, hint: Option<&str>) -> Error {
        if let Some(hint) = hint {
            self.inner.message.push_str("; ");
            self.inner.message.push_str(hint);
        }
        self
    }

    pub(crate) fn retry_class(&self) -> RetryClass {
        self.inner.retry
    }

    /// Records how the call that produced this error ended its retries.
    pub(crate) fn set_attempts(mut self, attempts: u32, quota_exhausted: bool) -> Error {
        self.inner.attempts = attempts;
        self.inner.quota_exhausted = quota_exhausted;
        self
    }

    pub(crate) fn set_status(mut self, status: u16) -> Error {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn set_source(mut self, source: impl StdError + Send + Sync + 'static) -> Error {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// The step of [`Client::upload_attachment`](crate::Client::upload_attachment) that
    /// failed, when the error comes from one.
    pub fn upload_step(&self) -> Option<UploadStep> {
        self.inner.upload_step
    }

    /// What went wrong, to match on.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// For [`ErrorKind::InvalidInput`]: the input that broke a limit, named as the service
    /// names it (`ConnectionToken`, `ContentType`, `Content`, `ClientToken`, `messageId`).
    pub fn field(&self) -> Option<&'static str> {
        self.inner.field
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The service's error type, sanitized (`aws.foo#ThrottlingException:http://x` becomes
    /// `ThrottlingException`), when the server named one.
    pub fn service_error_type(&self) -> Option<&str> {
        self.inner.service_error_type.as_deref()
    }

    /// The service's own error message, as it sent it, except that the connection token, or
    /// any 16 characters of it in a row, is replaced by `[redacted]` should the server echo
    /// it.
    pub fn service_message(&self) -> Option<&str> {
        self.inner.service_message.as_deref()
    }

    /// The service's request id (`x-amzn-RequestId`), to quote to AWS support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// How many requests the call sent before it returned this error: 1 unless it was
    /// retried, and 0 when it was refused before sending (invalid input or configuration).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// True when the call stopped retrying because the client's retry quota was empty:
    /// the service has been failing, so this client no longer adds retries to its load.
    pub fn retry_quota_exhausted(&self) -> bool {
        self.inner.quota_exhausted
    }

    /// Would the same call, sent again, possibly succeed? True for throttling, HTTP 500,
    /// 502, 503 and 504, `RequestTimeout`, timeouts, and dropped, reset or refused
    /// connections: what the client retries itself (see
    /// [`ClientBuilder::max_attempts`](crate::ClientBuilder::max_attempts)). When such an
    /// error reaches you, the client's attempts or its retry quota ran out.
    ///
    /// ```
    /// use connect_participant::SendEventRequest;
    ///
    /// let err = SendEventRequest::read("").validate().unwrap_err();
    /// assert!(!err.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        self.inner.retry != RetryClass::Never
    }

    /// True for the kinds that mean the service (or a server in front of it) answered.
    pub fn is_service_error(&self) -> bool {
        self.inner.status.is_some()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.write_str(&i.message)?;
        let s = if i.attempts == 1 { "" } else { "s" };
        match (i.attempts, i.quota_exhausted) {
            (n, true) => write!(f, "; {n} attempt{s}, not retried: the retry quota is empty"),
            (0 | 1, false) => Ok(()),
            (n, false) => write!(f, "; {n} attempts"),
        }
    }
}

impl Error {
    /// What a log record says of this error: its kind, and the status, service error type
    /// and request id when the server answered; never its message, which may quote what
    /// the server said (the content sent, say).
    pub(crate) fn log_summary(&self) -> impl fmt::Display + '_ {
        LogSummary(self)
    }
}

struct LogSummary<'a>(&'a Error);

impl fmt::Display for LogSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.0.inner;
        f.write_str(i.kind.as_str())?;
        let mut parts = Vec::new();
        if let Some(status) = i.status {
            parts.push(format!("HTTP {status}"));
        }
        if let Some(t) = &i.service_error_type {
            let mut part = String::new();
            push_printable(&mut part, t, ID_WIDTH);
            parts.push(part);
        }
        if let Some(id) = &i.request_id {
            let mut part = String::from("request id ");
            push_printable(&mut part, id, ID_WIDTH);
            parts.push(part);
        }
        if !parts.is_empty() {
            write!(f, " ({})", parts.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind).field("message", &i.message);
        if let Some(field) = i.field {
            d.field("field", &field);
        }
        if let Some(status) = i.status {
            d.field("status", &status);
        }
        if let Some(t) = &i.service_error_type {
            d.field("service_error_type", t);
        }
        if let Some(m) = &i.service_message {
            d.field("service_message", m);
        }
        if let Some(r) = &i.request_id {
            d.field("request_id", r);
        }
        if i.attempts > 1 || i.quota_exhausted {
            d.field("attempts", &i.attempts);
            d.field("retry_quota_exhausted", &i.quota_exhausted);
        }
        if let Some(s) = &i.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_and_small() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn service_error_message_names_type_status_message_and_request_id() {
        let e = Error::from_response(
            429,
            Some("ThrottlingException".into()),
            Some("Rate exceeded".into()),
            Some("req-1".into()),
        );
        assert_eq!(e.kind(), ErrorKind::Throttling);
        assert_eq!(
            e.to_string(),
            "service error ThrottlingException (HTTP 429): Rate exceeded (request id req-1)"
        );
    }

    #[test]
    fn status_without_error_type_is_unexpected_status_or_redirect() {
        let e = Error::from_response(502, None, None, None);
        assert_eq!(e.kind(), ErrorKind::UnexpectedStatus);
        assert_eq!(
            e.to_string(),
            "the server answered HTTP 502 without an AWS error"
        );
        let e = Error::from_response(307, None, None, None);
        assert_eq!(e.kind(), ErrorKind::Redirect);
        assert_eq!(
            e.to_string(),
            "the server answered a redirect (HTTP 307), which is not followed"
        );
    }

    #[test]
    fn unknown_service_error_keeps_its_type() {
        let e = Error::from_response(400, Some("SerializationException".into()), None, None);
        assert_eq!(e.kind(), ErrorKind::UnknownService);
        assert_eq!(e.service_error_type(), Some("SerializationException"));
        assert_eq!(
            e.to_string(),
            "service error SerializationException (HTTP 400)"
        );
    }

    #[test]
    fn hostile_message_is_cut_and_stripped_of_control_characters() {
        let long = format!("a\u{1b}[31m{}", "x".repeat(2000));
        let e = Error::from_response(
            500,
            Some("InternalServerException".into()),
            Some(long),
            None,
        );
        let shown = e.to_string();
        assert!(!shown.contains('\u{1b}'));
        assert!(shown.ends_with('…'));
        assert!(shown.chars().count() < 600);
        // The accessor keeps the message exactly as the server sent it.
        assert_eq!(e.service_message().map(|m| m.len()), Some(2006));
    }

    #[test]
    fn attempts_and_empty_quota_are_told() {
        let e = || Error::from_response(503, None, None, None);
        assert_eq!(e().attempts(), 0);
        assert_eq!(
            e().set_attempts(1, false).to_string(),
            "the server answered HTTP 503 without an AWS error"
        );
        assert_eq!(
            e().set_attempts(3, false).to_string(),
            "the server answered HTTP 503 without an AWS error; 3 attempts"
        );
        assert_eq!(
            e().set_attempts(1, true).to_string(),
            "the server answered HTTP 503 without an AWS error; 1 attempt, not retried: the \
             retry quota is empty"
        );
        assert_eq!(
            e().set_attempts(2, true).to_string(),
            "the server answered HTTP 503 without an AWS error; 2 attempts, not retried: the \
             retry quota is empty"
        );
        assert!(e().set_attempts(2, true).retry_quota_exhausted());
    }

    #[test]
    fn bidirectional_overrides_are_replaced_too() {
        let e = Error::from_response(
            403,
            None,
            Some("ok\u{202e}txt.exe\u{2066}x\u{200f}".into()),
            None,
        );
        assert_eq!(
            e.to_string(),
            "the server answered HTTP 403 without an AWS error: ok\u{fffd}txt.exe\u{fffd}x\u{fffd}"
        );
    }

    #[test]
    fn hostile_error_type_is_stripped_in_display() {
        // Found by the generated-responses test: a body `code` may hold any character.
        let e = Error::from_response(400, Some("Bad\0Type\u{1b}".into()), None, None);
        assert_eq!(
            e.to_string(),
            "service error Bad\u{fffd}Type\u{fffd} (HTTP 400)"
        );
        assert_eq!(e.service_error_type(), Some("Bad\0Type\u{1b}"));
    }

    #[test]
    fn a_secret_is_scrubbed_whole_cut_short_or_split() {
        let secret = "AQIDAHh0eXBpbmcgZXZlbnQgdG9rZW4gZm9yIHRlc3Rz";
        let e = Error::from_response(
            403,
            Some("AccessDeniedException".into()),
            Some(format!(
                "é{secret}é, {} and {}",
                &secret[..20],
                &secret[10..30]
            )),
            Some(format!("id-{}", &secret[5..25])),
        )
        .redacting(secret);
        assert_eq!(e.kind(), ErrorKind::AccessDenied);
        assert_eq!(
            e.service_message(),
            Some("é[redacted]é, [redacted] and [redacted]")
        );
        assert_eq!(e.request_id(), Some("id-[redacted]"));
        assert_eq!(
            e.to_string(),
            "service error AccessDeniedException (HTTP 403): é[redacted]é, [redacted] and \
             [redacted] (request id id-[redacted])"
        );
        // 15 characters of it are not a part worth hiding; a short secret counts whole.
        let kept = Error::from_response(403, None, Some(secret[..15].to_owned()), None);
        assert_eq!(
            kept.redacting(secret).service_message(),
            Some(&secret[..15])
        );
        let short = Error::from_response(403, None, Some("a tok-1 b".into()), None);
        assert_eq!(
            short.redacting("tok-1").service_message(),
            Some("a [redacted] b")
        );
        let untouched = Error::from_response(403, None, Some("x".into()), None);
        assert_eq!(untouched.redacting("").service_message(), Some("x"));
    }

    /// Where `kind` stands in [`ErrorKind::ALL`]: an exhaustive match, so that a new kind
    /// fails to compile here until it is placed, and the test below until it is listed.
    fn position(kind: ErrorKind) -> usize {
        use ErrorKind::*;
        match kind {
            InvalidInput => 0,
            InvalidConfig => 1,
            Validation => 2,
            AccessDenied => 3,
            Conflict => 4,
            Throttling => 5,
            ServiceQuotaExceeded => 6,
            ResourceNotFound => 7,
            InternalServer => 8,
            UnknownService => 9,
            UnexpectedStatus => 10,
            Redirect => 11,
            Transport => 12,
            Timeout => 13,
            Certificate => 14,
            InvalidResponse => 15,
            RandomSource => 16,
            Io => 17,
            ChatEnded => 18,
            Left => 19,
        }
    }

    #[test]
    fn the_list_of_kinds_is_complete_and_in_order() {
        for (i, kind) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(position(*kind), i, "{kind:?}");
        }
        assert_eq!(ErrorKind::ALL.len(), position(ErrorKind::Left) + 1);
    }

    #[test]
    fn the_one_error_table_lists_every_kind_and_readme_carries_it_unchanged() {
        let table = include_str!("../docs/errors.md");
        let rows: Vec<&str> = table
            .lines()
            .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
            .collect();
        let kinds: Vec<String> = ErrorKind::ALL.iter().map(|k| format!("{k:?}")).collect();
        assert_eq!(
            rows, kinds,
            "docs/errors.md: one row per kind, in ErrorKind::ALL's order"
        );
        for kind in ErrorKind::ALL {
            assert!(!kind.to_string().is_empty());
        }
        let readme = include_str!("../README.md");
        for part in [table, include_str!("../docs/limits.md")] {
            assert!(
                readme.contains(part),
                "README.md must carry docs/*.md verbatim (the crate docs include them)"
            );
        }
    }

    #[test]
    fn length_error_names_field_size_and_limit() {
        let e = Error::length("ClientToken", 501, 0, 500);
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.field(), Some("ClientToken"));
        assert_eq!(
            e.to_string(),
            "invalid ClientToken: 501 characters, must be 0 to 500"
        );
        assert_eq!(
            Error::length("messageId", 1, 2, 3).to_string(),
            "invalid messageId: 1 character, must be 2 to 3"
        );
    }
}
