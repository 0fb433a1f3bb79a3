//! What the attempt loop logs, through the `log` facade: each attempt (DEBUG), each retry
//! with its wait and why (INFO), a give-up (WARN). Records name the operation (or, for a
//! presigned transfer, its method and host), the attempt, the error's kind, status and
//! request id, and the wait: never a token, a URL's path or query, a body or a message
//! the server wrote (it may quote what was sent).

use std::time::Duration;

use crate::error::{Error, RetryClass};

/// The target of the service calls' records.
pub(crate) const CALL: &str = "connect_participant::call";

/// The target of the presigned transfers' records (an attachment's PUT and GET).
pub(crate) const TRANSFER: &str = "connect_participant::transfer";

/// What the attempt loop runs, as its records name it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject<'a> {
    pub(crate) target: &'static str,
    /// The operation (`SendMessage`), or the transfer (`PUT to s3.amazonaws.com`).
    pub(crate) name: &'a str,
}

impl Subject<'_> {
    /// The subject of a call to the operation named `name`.
    pub(crate) fn call(name: &'static str) -> Subject<'static> {
        Subject { target: CALL, name }
    }
}

/// The name of a presigned transfer: the method and the URL's host (and port), never its
/// path or query, which carry the signature.
pub(crate) fn transfer_name(method: &str, uri: &ureq::http::Uri) -> String {
    let host = uri.host().unwrap_or("(no host)");
    match uri.port_u16() {
        Some(port) => format!("{method} to {host}:{port}"),
        None => format!("{method} to {host}"),
    }
}

/// Attempt `n` of at most `max` begins.
pub(crate) fn attempt(s: Subject<'_>, n: u32, max: u32) {
    log::debug!(target: s.target, "{}: attempt {n} of {max}", s.name);
}

/// Attempt `n` succeeded.
pub(crate) fn succeeded(s: Subject<'_>, n: u32) {
    log::debug!(target: s.target, "{}: attempt {n} succeeded", s.name);
}

/// Attempt `n` failed with `error`, and another follows after `wait`.
pub(crate) fn retry(s: Subject<'_>, n: u32, error: &Error, wait: Duration) {
    log::info!(
        target: s.target,
        "{}: attempt {n} failed: {}; retrying in {} ms",
        s.name,
        error.log_summary(),
        wait.as_millis()
    );
}

/// Attempt `n` failed with `error` of class `class`, and no attempt follows.
pub(crate) fn stopped(
    s: Subject<'_>,
    n: u32,
    error: &Error,
    class: RetryClass,
    quota_exhausted: bool,
) {
    let summary = error.log_summary();
    match (class, quota_exhausted) {
        // The answer itself says another try would not help: a refusal, not a give-up.
        (RetryClass::Never, _) => {
            log::debug!(target: s.target, "{}: attempt {n} failed, not retried: {summary}", s.name);
        }
        (_, true) => log::warn!(
            target: s.target,
            "{}: giving up after {n} attempts, the retry quota is empty: {summary}",
            s.name
        ),
        (_, false) => log::warn!(
            target: s.target,
            "{}: giving up after {n} attempts: {summary}",
            s.name
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_named_as_the_api_names_it() {
        use crate::operation::Operation;
        use crate::*;
        let names = [
            CreateParticipantConnectionRequest::NAME,
            SendMessageRequest::NAME,
            SendEventRequest::NAME,
            GetTranscriptRequest::NAME,
            DisconnectParticipantRequest::NAME,
            StartAttachmentUploadRequest::NAME,
            CompleteAttachmentUploadRequest::NAME,
            GetAttachmentRequest::NAME,
            GetAuthenticationUrlRequest::NAME,
            CancelParticipantAuthenticationRequest::NAME,
            DescribeViewRequest::NAME,
        ];
        assert_eq!(
            names,
            [
                "CreateParticipantConnection",
                "SendMessage",
                "SendEvent",
                "GetTranscript",
                "DisconnectParticipant",
                "StartAttachmentUpload",
                "CompleteAttachmentUpload",
                "GetAttachment",
                "GetAuthenticationUrl",
                "CancelParticipantAuthentication",
                "DescribeView",
            ]
        );
    }

    #[test]
    fn readme_carries_the_logging_table_unchanged() {
        let table = include_str!("../../docs/logging.md");
        assert!(
            include_str!("../../README.md").contains(table),
            "README.md must carry docs/logging.md verbatim (the crate docs include it)"
        );
        for target in [CALL, TRANSFER, "connect_participant::participant"] {
            assert!(table.contains(&format!("| `{target}` |")), "{target}");
        }
    }

    #[test]
    fn a_transfer_is_named_by_its_host_alone() {
        let uri: ureq::http::Uri = "https://b.s3.amazonaws.com/att/1?X-Amz-Signature=s3cr3t"
            .parse()
            .unwrap();
        assert_eq!(transfer_name("PUT", &uri), "PUT to b.s3.amazonaws.com");
        let uri: ureq::http::Uri = "http://u:p@127.0.0.1:9/x?sig=1".parse().unwrap();
        assert_eq!(transfer_name("GET", &uri), "GET to 127.0.0.1:9");
    }
}
