//! CancelParticipantAuthentication: cancels a sign-in session (the flow takes its
//! opted-out branch).

use super::auth::check_session_id;
use crate::error::Result;
use crate::json::{BadAnswer, JsonObject, Members};
use crate::operation::Operation;
use crate::token::ConnectionToken;

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
    type Token = ConnectionToken;
    const NAME: &'static str = "CancelParticipantAuthentication";
    const PATH: &'static str = "/participant/cancel-authentication";

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
