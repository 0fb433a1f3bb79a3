//! SendMessage: a chat message from this participant.

use crate::error::{Error, Result};
use crate::json::{BadAnswer, JsonObject, Members};
use crate::operation::{Operation, check_chars, client_token};
use crate::ops::event::MAX_CLIENT_TOKEN_CHARS;
use crate::ops::open_enum;
use crate::time::Timestamp;
use crate::token::ConnectionToken;

/// The most UTF-8 bytes of a message's `Content`.
///
/// The service's newest documentation says "Maximum of 16,384 bytes for all content
/// types"; its model counts 16,384 characters. Bytes is the rule that never sends what the
/// service may refuse. Channels such as SMS or WhatsApp enforce lower limits of their own,
/// which only the service knows.
pub const MAX_MESSAGE_BYTES: usize = 16384;

/// The most characters of a `ContentType`.
pub const MAX_CONTENT_TYPE_CHARS: usize = 100;

open_enum! {
    /// A message's `ContentType`. The contact's `SupportedMessagingContentTypes` decide
    /// which the service takes; `text/plain` always, and only it on SMS, WhatsApp and Apple
    /// Messages for Business chats. Any other type is sent as given.
    ///
    /// ```
    /// use connect_participant::MessageContentType;
    ///
    /// assert_eq!(MessageContentType::from("text/markdown"), MessageContentType::TextMarkdown);
    /// assert_eq!(MessageContentType::TextPlain.as_str(), "text/plain");
    /// let other = MessageContentType::from("application/x-custom");
    /// assert_eq!(other, MessageContentType::Unknown("application/x-custom".into()));
    /// ```
    MessageContentType {
        /// `text/plain`.
        TextPlain = "text/plain",
        /// `text/markdown`.
        TextMarkdown = "text/markdown",
        /// `application/json`.
        ApplicationJson = "application/json",
        /// `application/vnd.amazonaws.connect.message.interactive.response`: the customer's
        /// choice in an interactive message (a list picker, say), as JSON.
        InteractiveResponse = "application/vnd.amazonaws.connect.message.interactive.response",
    }
}

open_enum! {
    /// How the service is handling a message (`MessageProcessingStatus`).
    MessageProcessingStatus {
        /// `PROCESSING`.
        Processing = "PROCESSING",
        /// `FAILED`.
        Failed = "FAILED",
        /// `REJECTED`.
        Rejected = "REJECTED",
    }
}

/// One SendMessage call's input (everything but the connection token).
///
/// ```
/// use connect_participant::{ErrorKind, MessageContentType, SendMessageRequest};
///
/// let m = SendMessageRequest::text("Hello!");
/// assert_eq!(m.content_type(), &MessageContentType::TextPlain);
/// assert!(m.validate().is_ok());
///
/// let err = SendMessageRequest::text("é".repeat(8193)).validate().unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidInput);
/// assert_eq!(
///     err.to_string(),
///     "invalid Content: 16386 bytes of UTF-8, must be 1 to 16384"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendMessageRequest {
    content_type: MessageContentType,
    content: String,
    client_token: Option<String>,
}

impl SendMessageRequest {
    /// A message of any content type.
    pub fn new(
        content_type: impl Into<MessageContentType>,
        content: impl Into<String>,
    ) -> SendMessageRequest {
        SendMessageRequest {
            content_type: content_type.into(),
            content: content.into(),
            client_token: None,
        }
    }

    /// A `text/plain` message.
    pub fn text(content: impl Into<String>) -> SendMessageRequest {
        SendMessageRequest::new(MessageContentType::TextPlain, content)
    }

    /// A `text/markdown` message.
    pub fn markdown(content: impl Into<String>) -> SendMessageRequest {
        SendMessageRequest::new(MessageContentType::TextMarkdown, content)
    }

    /// An `application/json` message.
    pub fn json(content: impl Into<String>) -> SendMessageRequest {
        SendMessageRequest::new(MessageContentType::ApplicationJson, content)
    }

    /// The customer's answer to an interactive message
    /// (`application/vnd.amazonaws.connect.message.interactive.response`).
    pub fn interactive_response(content: impl Into<String>) -> SendMessageRequest {
        SendMessageRequest::new(MessageContentType::InteractiveResponse, content)
    }

    /// Sets the `ClientToken` idempotency token (0 to 500 characters). Without one, each
    /// call generates a UUID v4, the same on every retry of that call.
    #[must_use]
    pub fn with_client_token(mut self, client_token: impl Into<String>) -> SendMessageRequest {
        self.client_token = Some(client_token.into());
        self
    }

    /// The `ContentType` member.
    pub fn content_type(&self) -> &MessageContentType {
        &self.content_type
    }

    /// The `Content` member.
    pub fn content(&self) -> &str {
        &self.content
    }

    /// The caller's `ClientToken`, if one was set.
    pub fn client_token(&self) -> Option<&str> {
        self.client_token.as_deref()
    }

    /// Checks every member against the service's limits: `ContentType` 1 to 100
    /// characters, `Content` 1 to 16384 bytes of UTF-8, `ClientToken` 0 to 500 characters.
    pub fn validate(&self) -> Result<()> {
        check_chars(
            "ContentType",
            self.content_type.as_str(),
            1,
            MAX_CONTENT_TYPE_CHARS,
        )?;
        let n = self.content.len();
        if n == 0 || n > MAX_MESSAGE_BYTES {
            return Err(Error::bytes("Content", n, 1, MAX_MESSAGE_BYTES));
        }
        if let Some(token) = &self.client_token {
            check_chars("ClientToken", token, 0, MAX_CLIENT_TOKEN_CHARS)?;
        }
        Ok(())
    }
}

impl Operation for SendMessageRequest {
    type Output = SendMessageOutput;
    type Token = ConnectionToken;
    const NAME: &'static str = "SendMessage";
    const PATH: &'static str = "/participant/message";

    fn validate(&self) -> Result<()> {
        SendMessageRequest::validate(self)
    }

    fn body(&self, generated_client_token: &str) -> Vec<u8> {
        JsonObject::new()
            .string(
                "ClientToken",
                client_token(&self.client_token, generated_client_token),
            )
            .string("Content", &self.content)
            .string("ContentType", self.content_type.as_str())
            .finish()
    }

    fn parse(mut answer: Members) -> Result<SendMessageOutput, BadAnswer> {
        let message_metadata = match answer.object("MessageMetadata")? {
            Some(mut m) => Some(MessageProcessingMetadata {
                message_processing_status: m
                    .string("MessageProcessingStatus")?
                    .map(MessageProcessingStatus::from),
            }),
            None => None,
        };
        Ok(SendMessageOutput {
            id: answer.string("Id")?,
            absolute_time: answer.time("AbsoluteTime")?,
            message_metadata,
        })
    }
}

/// The service's answer to SendMessage. Every member is optional in the model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SendMessageOutput {
    /// The message's id (`Id`); the message comes back with it in the transcript.
    pub id: Option<String>,
    /// When the message was sent (`AbsoluteTime`).
    pub absolute_time: Option<Timestamp>,
    /// How the service is handling it (`MessageMetadata`).
    pub message_metadata: Option<MessageProcessingMetadata>,
}

/// `MessageMetadata` of a SendMessage answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageProcessingMetadata {
    /// `MessageProcessingStatus`.
    pub message_processing_status: Option<MessageProcessingStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(r: &SendMessageRequest) -> String {
        String::from_utf8(Operation::body(r, "00000000-0000-4000-8000-000000000000")).unwrap()
    }

    #[test]
    fn body_is_what_the_sdks_send() {
        assert_eq!(
            body(&SendMessageRequest::text("Hi \"there\"\n")),
            r#"{"ClientToken":"00000000-0000-4000-8000-000000000000","Content":"Hi \"there\"\n","ContentType":"text/plain"}"#
        );
        assert_eq!(
            body(&SendMessageRequest::new("application/x-mine", "{}").with_client_token("")),
            r#"{"ClientToken":"","Content":"{}","ContentType":"application/x-mine"}"#
        );
    }

    #[test]
    fn limits_at_their_boundaries() {
        SendMessageRequest::text("a").validate().unwrap();
        SendMessageRequest::text("a".repeat(16384))
            .validate()
            .unwrap();
        SendMessageRequest::text("😀".repeat(4096))
            .validate()
            .unwrap();
        for (r, msg) in [
            (
                SendMessageRequest::text(""),
                "invalid Content: 0 bytes of UTF-8, must be 1 to 16384",
            ),
            (
                SendMessageRequest::text("a".repeat(16385)),
                "invalid Content: 16385 bytes of UTF-8, must be 1 to 16384",
            ),
            (
                SendMessageRequest::new("", "a"),
                "invalid ContentType: 0 characters, must be 1 to 100",
            ),
            (
                SendMessageRequest::new("x".repeat(101), "a"),
                "invalid ContentType: 101 characters, must be 1 to 100",
            ),
            (
                SendMessageRequest::text("a").with_client_token("t".repeat(501)),
                "invalid ClientToken: 501 characters, must be 0 to 500",
            ),
        ] {
            assert_eq!(r.validate().unwrap_err().to_string(), msg);
        }
        SendMessageRequest::new("x".repeat(100), "a")
            .with_client_token("t".repeat(500))
            .validate()
            .unwrap();
    }

    #[test]
    fn answer_members_are_read_and_unknown_status_kept() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"AbsoluteTime":"2019-11-08T02:41:28.172Z","Id":"m1","MessageMetadata":{"MessageProcessingStatus":"QUEUED"},"New":1}"#,
        )
        .unwrap();
        let out = SendMessageRequest::parse(Members::root(v.as_object().unwrap().clone())).unwrap();
        assert_eq!(out.id.as_deref(), Some("m1"));
        assert_eq!(
            out.absolute_time.unwrap().as_str(),
            "2019-11-08T02:41:28.172Z"
        );
        assert_eq!(
            out.message_metadata.unwrap().message_processing_status,
            Some(MessageProcessingStatus::Unknown("QUEUED".into()))
        );
        let out = SendMessageRequest::parse(Members::empty()).unwrap();
        assert_eq!(out, SendMessageOutput::default());
    }
}
