//! The closed set of SendEvent content types.

use std::fmt;
use std::str::FromStr;

/// The kind of event, sent as the `ContentType` member.
///
/// ```
/// use connect_participant::ContentType;
///
/// let t: ContentType = "application/vnd.amazonaws.connect.event.typing".parse().unwrap();
/// assert_eq!(t, ContentType::Typing);
/// assert_eq!(t.to_string(), "application/vnd.amazonaws.connect.event.typing");
///
/// let err = "text/plain".parse::<ContentType>().unwrap_err();
/// assert!(err.to_string().contains("application/vnd.amazonaws.connect.event.message.read"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentType {
    /// `application/vnd.amazonaws.connect.event.typing`: the participant is typing.
    /// Carries no content.
    Typing,
    /// `application/vnd.amazonaws.connect.event.message.delivered`: a delivery receipt.
    /// Content is `{"messageId":"<id>"}`.
    MessageDelivered,
    /// `application/vnd.amazonaws.connect.event.message.read`: a read receipt.
    /// Content is `{"messageId":"<id>"}`.
    MessageRead,
    /// `application/vnd.amazonaws.connect.event.connection.acknowledged`: no longer
    /// maintained by the service.
    #[deprecated(
        note = "no longer maintained since 2024-12-31; use CreateParticipantConnection's \
                ConnectParticipant field instead"
    )]
    ConnectionAcknowledged,
}

const TYPING: &str = "application/vnd.amazonaws.connect.event.typing";
const DELIVERED: &str = "application/vnd.amazonaws.connect.event.message.delivered";
const READ: &str = "application/vnd.amazonaws.connect.event.message.read";
const ACKNOWLEDGED: &str = "application/vnd.amazonaws.connect.event.connection.acknowledged";

impl ContentType {
    /// Every value, in the order the service documents them.
    #[allow(deprecated)] // The retired value is still a value the service knows.
    pub const ALL: [ContentType; 4] = [
        ContentType::Typing,
        ContentType::MessageDelivered,
        ContentType::MessageRead,
        ContentType::ConnectionAcknowledged,
    ];

    /// The value as sent on the wire.
    #[allow(deprecated)] // Naming the retired variant is not using it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ContentType::Typing => TYPING,
            ContentType::MessageDelivered => DELIVERED,
            ContentType::MessageRead => READ,
            ContentType::ConnectionAcknowledged => ACKNOWLEDGED,
        }
    }

    /// True for the two receipts, whose content must carry a `messageId`.
    pub const fn is_receipt(self) -> bool {
        matches!(
            self,
            ContentType::MessageDelivered | ContentType::MessageRead
        )
    }
}

impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a string that is not one of the four content types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownContentType {
    /// The refused value as error messages show a caller's value (escaped, and only if short).
    shown: String,
}

impl fmt::Display for UnknownContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown content type {}, expected one of: {TYPING}, {DELIVERED}, {READ}, \
             {ACKNOWLEDGED}",
            self.shown
        )
    }
}

impl std::error::Error for UnknownContentType {}

impl FromStr for ContentType {
    type Err = UnknownContentType;

    /// Parses the exact wire value (case-sensitive, as the service compares it).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ContentType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownContentType {
                shown: crate::redact::quoted(s),
            })
    }
}

impl From<UnknownContentType> for crate::Error {
    fn from(e: UnknownContentType) -> Self {
        crate::Error::invalid_input("ContentType", &e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips() {
        for t in ContentType::ALL {
            assert_eq!(t.as_str().parse::<ContentType>(), Ok(t));
            assert_eq!(t.to_string(), t.as_str());
            // The model caps ContentType at 100 characters.
            assert!(t.as_str().len() <= 100);
        }
    }

    #[test]
    fn unknown_value_lists_the_allowed_ones() {
        let err = "application/vnd.amazonaws.connect.event.TYPING"
            .parse::<ContentType>()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown content type \"application/vnd.amazonaws.connect.event.TYPING\", expected one of: \
             application/vnd.amazonaws.connect.event.typing, \
             application/vnd.amazonaws.connect.event.message.delivered, \
             application/vnd.amazonaws.connect.event.message.read, \
             application/vnd.amazonaws.connect.event.connection.acknowledged"
        );
        let e: crate::Error = err.into();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert_eq!(e.field(), Some("ContentType"));
    }

    #[test]
    fn only_receipts_are_receipts() {
        assert!(!ContentType::Typing.is_receipt());
        assert!(ContentType::MessageDelivered.is_receipt());
        assert!(ContentType::MessageRead.is_receipt());
    }
}
