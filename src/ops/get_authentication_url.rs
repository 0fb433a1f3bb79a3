//! GetAuthenticationUrl: where to send the customer to sign in, within a minute of the
//! `authentication.initiated` event.

use super::auth::check_session_id;
use crate::error::Result;
use crate::json::{BadAnswer, JsonObject, Members};
use crate::operation::Operation;
use crate::operation::check_chars;
use crate::token::ConnectionToken;

const MAX_REDIRECT_URI_CHARS: usize = 1024;

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
    type Token = ConnectionToken;
    const NAME: &'static str = "GetAuthenticationUrl";
    const PATH: &'static str = "/participant/authentication-url";

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
