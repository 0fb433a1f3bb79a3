//! What every operation gives the one attempt loop: its facts (path, method, the token it
//! carries), its checks, its body and how it reads the answer. Each operation implements
//! [`Operation`] in its own file under `ops/`; nothing here does IO.

use crate::error::{Error, ErrorKind, Result};
use crate::json::{BadAnswer, Members};
use crate::token::{Bearer, BearerKind};

/// The most response body bytes read for every operation but GetTranscript (whose cap is
/// [`MAX_TRANSCRIPT_ANSWER`](crate::MAX_TRANSCRIPT_ANSWER)). Their documented answers are
/// under a few KiB; anything far larger is not the service, and must not make the client
/// allocate without bound.
pub const MAX_RESPONSE_BODY: u64 = 1024 * 1024;

/// How an operation is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// `GET`, without a body or `Content-Type` (DescribeView).
    Get,
    /// `POST` with a JSON body (every other operation).
    Post,
}

/// One operation: a pure description the client runs.
pub(crate) trait Operation {
    /// What a success gives.
    type Output;

    /// The token it carries in `X-Amz-Bearer`.
    type Token: Bearer;

    /// The operation's name, as the service's API names it (`SendMessage`): for logs and
    /// messages.
    const NAME: &'static str;

    /// The request path, or the prefix of one that [`path`](Self::path) completes.
    const PATH: &'static str;

    /// How it is sent.
    const METHOD: Method = Method::Post;

    /// The most answer body bytes the client reads: enough for the largest legal answer.
    const MAX_ANSWER: u64 = MAX_RESPONSE_BODY;

    /// Checks every member against the service's documented limits; nothing is sent when
    /// this fails.
    fn validate(&self) -> Result<()>;

    /// The JSON body. `client_token` is a fresh UUID v4, for the operations whose
    /// idempotency token is filled in when the caller gave none (others ignore it).
    fn body(&self, client_token: &str) -> Vec<u8>;

    /// The request path when it depends on the input (a URI label), percent-encoded;
    /// `None` for [`PATH`](Self::PATH) as it is.
    fn path(&self) -> Option<String> {
        None
    }

    /// Reads a success answer's members (an empty body reads as no members).
    fn parse(answer: Members) -> Result<Self::Output, BadAnswer>;

    /// A sentence that says what an error of this kind usually means for this operation
    /// and this input, added to the error's message.
    fn hint(&self, kind: ErrorKind) -> Option<&'static str> {
        default_hint(<Self::Token as Bearer>::KIND, kind)
    }
}

/// What an `AccessDeniedException` usually means, by the token the operation carries.
pub(crate) fn default_hint(bearer: BearerKind, kind: ErrorKind) -> Option<&'static str> {
    match (kind, bearer) {
        (ErrorKind::AccessDenied, BearerKind::Connection) => Some(CONNECTION_DENIED),
        (ErrorKind::AccessDenied, BearerKind::Participant) => Some(PARTICIPANT_DENIED),
        _ => None,
    }
}

/// The usual causes of a 403 to an operation that carries the connection token.
pub(crate) const CONNECTION_DENIED: &str = "usual causes: the connection token expired or is \
     unknown, the chat ended or this participant left it, the endpoint's region is not the \
     Amazon Connect instance's, or a participant token was given for a connection token";

/// The usual causes of a 403 to CreateParticipantConnection.
pub(crate) const PARTICIPANT_DENIED: &str = "usual causes: the participant token is unknown, \
     the chat ended or this participant left it, the endpoint's region is not the Amazon \
     Connect instance's, or a connection token was given for the participant token";

/// The `ClientToken` to send: the caller's, or else the one generated for this call.
pub(crate) fn client_token<'a>(given: &'a Option<String>, generated: &'a str) -> &'a str {
    given.as_deref().unwrap_or(generated)
}

/// Checks that `value` has `min..=max` characters (Unicode scalar values, as the service's
/// model counts them).
pub(crate) fn check_chars(field: &'static str, value: &str, min: usize, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(Error::length(field, n, min, max));
    }
    Ok(())
}
