//! What the customer's sign-in operations share (an Authenticate Customer block asks for
//! it): the `SessionId` rule. The operations are in `get_authentication_url` and
//! `cancel_participant_authentication`.

use crate::error::{Error, Result};

/// A `SessionId`'s length: exactly 36 characters.
const SESSION_ID_CHARS: usize = 36;

pub(crate) fn check_session_id(session_id: &str) -> Result<()> {
    let n = session_id.chars().count();
    if n != SESSION_ID_CHARS {
        return Err(Error::invalid_input(
            "SessionId",
            format_args!("{n} characters, must be exactly 36"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::operation::Operation;
    use crate::{CancelParticipantAuthenticationRequest, GetAuthenticationUrlRequest};

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
