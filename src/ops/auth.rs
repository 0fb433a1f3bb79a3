//! GetAuthenticationUrl and CancelParticipantAuthentication: the customer's sign-in that
//! an Authenticate Customer block asks for (spec §3.10, §3.11).

use crate::error::{Error, Result};
use crate::operation::{BadAnswer, JsonObject, Members, Operation, OperationId, check_chars};

/// A `SessionId`'s length: exactly 36 characters.
const SESSION_ID_CHARS: usize = 36;
const MAX_REDIRECT_URI_CHARS: usize = 1024;

fn check_session_id(session_id: &str) -> Result<()> {
    let n = session_id.chars().count();
    if n != SESSION_ID_CHARS {
        return Err(Error::invalid_input(
            "SessionId",
            format_args!("{n} characters, must be exactly 36"),
        ));
    }
    Ok(())
}

/// GetAuthenticationUrl's input: the session from the `authentication.initiated` event's
/// `Content` (`{"SessionId":…}`), and where the customer returns after signing in. Call it
/// within a minute of that event.
///
/// ```
/// use connect_participant::GetAuthenticationUrlRequest;
///
/// let r = GetAuthenticationUrlRequest::new(
///     "8a8f6f3e-3b4e-4b6e-9d5c-0d8a7f4c2e11",
///     "https://example.com/signed-in",
/// );
/// assert!(r.validate().is_ok());
/// let e = GetAuthenticationUrlRequest::new("short", "https://x").validate().unwrap_err();
/// assert_eq!(e.to_string(), "invalid SessionId: 5 characters, must be exactly 36");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetAuthenticationUrlRequest {
    session_id: String,
    redirect_uri: String,
}

impl GetAuthenticationUrlRequest {
    /// `SessionId` and `RedirectUri`.
    pub fn new(
        session_id: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> GetAuthenticationUrlRequest {
        GetAuthenticationUrlRequest {
            session_id: session_id.into(),
            redirect_uri: redirect_uri.into(),
        }
    }

    /// Checks the session id (exactly 36 characters) and the redirect URI (1 to 1024).
    pub fn validate(&self) -> Result<()> {
        check_session_id(&self.session_id)?;
        check_chars("RedirectUri", &self.redirect_uri, 1, MAX_REDIRECT_URI_CHARS)
    }
}

impl Operation for GetAuthenticationUrlRequest {
    type Output = GetAuthenticationUrlOutput;
    const ID: OperationId = OperationId::GetAuthenticationUrl;

    fn validate(&self) -> Result<()> {
        GetAuthenticationUrlRequest::validate(self)
    }

    fn body(&self, _: &str) -> Vec<u8> {
        JsonObject::new()
            .string("RedirectUri", &self.redirect_uri)
            .string("SessionId", &self.session_id)
            .finish()
    }

    fn parse(mut m: Members) -> Result<GetAuthenticationUrlOutput, BadAnswer> {
        Ok(GetAuthenticationUrlOutput {
            authentication_url: m.string("AuthenticationUrl")?,
        })
    }
}

/// The service's answer to GetAuthenticationUrl.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetAuthenticationUrlOutput {
    /// `AuthenticationUrl`: the Cognito user pool's authorize endpoint to send the customer
    /// to.
    pub authentication_url: Option<String>,
}

/// CancelParticipantAuthentication's input: the session to cancel (the flow takes its
/// opted-out branch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelParticipantAuthenticationRequest {
    session_id: String,
}

impl CancelParticipantAuthenticationRequest {
    /// `SessionId`.
    pub fn new(session_id: impl Into<String>) -> CancelParticipantAuthenticationRequest {
        CancelParticipantAuthenticationRequest {
            session_id: session_id.into(),
        }
    }

    /// Checks the session id: exactly 36 characters.
    pub fn validate(&self) -> Result<()> {
        check_session_id(&self.session_id)
    }
}

impl Operation for CancelParticipantAuthenticationRequest {
    type Output = CancelParticipantAuthenticationOutput;
    const ID: OperationId = OperationId::CancelParticipantAuthentication;

    fn validate(&self) -> Result<()> {
        CancelParticipantAuthenticationRequest::validate(self)
    }

    fn body(&self, _: &str) -> Vec<u8> {
        JsonObject::new()
            .string("SessionId", &self.session_id)
            .finish()
    }

    fn parse(_: Members) -> Result<CancelParticipantAuthenticationOutput, BadAnswer> {
        Ok(CancelParticipantAuthenticationOutput {})
    }
}

/// The service's answer to CancelParticipantAuthentication: it has no members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancelParticipantAuthenticationOutput {}

#[cfg(test)]
mod tests {
    use super::*;

    const SESSION: &str = "8a8f6f3e-3b4e-4b6e-9d5c-0d8a7f4c2e11";

    #[test]
    fn bodies_and_limits() {
        let r = GetAuthenticationUrlRequest::new(SESSION, "https://e/x");
        assert_eq!(
            Operation::body(&r, "u"),
            format!(r#"{{"RedirectUri":"https://e/x","SessionId":"{SESSION}"}}"#).as_bytes()
        );
        let r = CancelParticipantAuthenticationRequest::new(SESSION);
        assert_eq!(
            Operation::body(&r, "u"),
            format!(r#"{{"SessionId":"{SESSION}"}}"#).as_bytes()
        );
        let e = GetAuthenticationUrlRequest::new(SESSION, "x".repeat(1025))
            .validate()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid RedirectUri: 1025 characters, must be 1 to 1024"
        );
        let e = CancelParticipantAuthenticationRequest::new(format!("{SESSION}0"))
            .validate()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid SessionId: 37 characters, must be exactly 36"
        );
    }
}
