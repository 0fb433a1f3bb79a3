//! DisconnectParticipant: this participant leaves the chat.

use crate::error::Result;
use crate::json::{BadAnswer, JsonObject, Members};
use crate::operation::{Operation, check_chars, client_token};
use crate::ops::event::MAX_CLIENT_TOKEN_CHARS;
use crate::token::ConnectionToken;

/// One DisconnectParticipant call's input: only the idempotency token.
///
/// ```
/// use connect_participant::DisconnectParticipantRequest;
///
/// let r = DisconnectParticipantRequest::new().with_client_token("leave-1");
/// assert_eq!(r.client_token(), Some("leave-1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisconnectParticipantRequest {
    client_token: Option<String>,
}

impl DisconnectParticipantRequest {
    /// No client token: each call generates one.
    pub fn new() -> DisconnectParticipantRequest {
        DisconnectParticipantRequest::default()
    }

    /// Sets the `ClientToken` idempotency token (0 to 500 characters).
    #[must_use]
    pub fn with_client_token(
        mut self,
        client_token: impl Into<String>,
    ) -> DisconnectParticipantRequest {
        self.client_token = Some(client_token.into());
        self
    }

    /// The caller's `ClientToken`, if one was set.
    pub fn client_token(&self) -> Option<&str> {
        self.client_token.as_deref()
    }

    /// Checks the client token's length (0 to 500 characters).
    pub fn validate(&self) -> Result<()> {
        match &self.client_token {
            Some(t) => check_chars("ClientToken", t, 0, MAX_CLIENT_TOKEN_CHARS),
            None => Ok(()),
        }
    }
}

impl Operation for DisconnectParticipantRequest {
    type Output = DisconnectParticipantOutput;
    type Token = ConnectionToken;
    const NAME: &'static str = "DisconnectParticipant";
    const PATH: &'static str = "/participant/disconnect";

    fn validate(&self) -> Result<()> {
        DisconnectParticipantRequest::validate(self)
    }

    fn body(&self, generated_client_token: &str) -> Vec<u8> {
        JsonObject::new()
            .string(
                "ClientToken",
                client_token(&self.client_token, generated_client_token),
            )
            .finish()
    }

    /// The service answers an empty body (as documented) or `{}` (the model's empty
    /// output); both are a success.
    fn parse(_: Members) -> Result<DisconnectParticipantOutput, BadAnswer> {
        Ok(DisconnectParticipantOutput {})
    }
}

/// The service's answer to DisconnectParticipant: it has no members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DisconnectParticipantOutput {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_always_carries_a_client_token() {
        let r = DisconnectParticipantRequest::new();
        assert_eq!(Operation::body(&r, "u-1"), br#"{"ClientToken":"u-1"}"#);
        let r = r.with_client_token("mine");
        assert_eq!(Operation::body(&r, "u-1"), br#"{"ClientToken":"mine"}"#);
        let e = DisconnectParticipantRequest::new()
            .with_client_token("x".repeat(501))
            .validate()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid ClientToken: 501 characters, must be 0 to 500"
        );
    }
}
