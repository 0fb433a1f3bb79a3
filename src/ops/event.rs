//! The SendEvent input: constructors, the service's limits, and the JSON body.

use crate::error::{Error, ErrorKind, Result};
use crate::json::{BadAnswer, JsonObject, Members};
use crate::operation::{Operation, client_token};
use crate::ops::content_type::ContentType;
use crate::time::Timestamp;
use crate::token::{BearerKind, ConnectionToken};

/// The most characters of `Content` the service accepts.
pub const MAX_CONTENT_CHARS: usize = 16384;
/// The most characters of `ClientToken` the service accepts.
pub const MAX_CLIENT_TOKEN_CHARS: usize = 500;

/// One SendEvent call's input (everything but the connection token).
///
/// Build it with [`typing`](SendEventRequest::typing),
/// [`delivered`](SendEventRequest::delivered), [`read`](SendEventRequest::read), or the
/// general [`new`](SendEventRequest::new). Nothing is checked until it is sent (or until
/// [`validate`](SendEventRequest::validate) is called), and then against every limit the
/// service documents, before any byte leaves the process.
///
/// ```
/// use connect_participant::{ContentType, SendEventRequest};
///
/// let read = SendEventRequest::read("msg-\"1\"");
/// assert_eq!(read.content_type(), ContentType::MessageRead);
/// assert_eq!(read.content(), Some(r#"{"messageId":"msg-\"1\""}"#));
/// assert!(read.validate().is_ok());
///
/// let custom = SendEventRequest::new(ContentType::Typing).with_client_token("my-token-1");
/// assert_eq!(custom.client_token(), Some("my-token-1"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendEventRequest {
    content_type: ContentType,
    content: Option<String>,
    client_token: Option<String>,
}

impl SendEventRequest {
    /// The general form: a content type, with no content and no client token yet.
    pub fn new(content_type: ContentType) -> SendEventRequest {
        SendEventRequest {
            content_type,
            content: None,
            client_token: None,
        }
    }

    /// "The participant is typing."
    pub fn typing() -> SendEventRequest {
        SendEventRequest::new(ContentType::Typing)
    }

    /// A delivery receipt for the message with this id.
    ///
    /// The id is put in `{"messageId":...}` by a JSON serializer, so any character is
    /// escaped correctly. An empty id is refused when the request is validated.
    pub fn delivered(message_id: &str) -> SendEventRequest {
        SendEventRequest::receipt(ContentType::MessageDelivered, message_id)
    }

    /// A read receipt for the message with this id. See [`delivered`](Self::delivered).
    pub fn read(message_id: &str) -> SendEventRequest {
        SendEventRequest::receipt(ContentType::MessageRead, message_id)
    }

    fn receipt(content_type: ContentType, message_id: &str) -> SendEventRequest {
        let content = serde_json::json!({ "messageId": message_id }).to_string();
        SendEventRequest::new(content_type).with_content(content)
    }

    /// Sets the `Content` member (1 to 16384 characters). For receipts it must be a JSON
    /// object with a non-empty string `messageId`.
    #[must_use]
    pub fn with_content(mut self, content: impl Into<String>) -> SendEventRequest {
        self.content = Some(content.into());
        self
    }

    /// Sets the `ClientToken` idempotency token (0 to 500 characters).
    ///
    /// Without one, each call generates a lower-case UUID v4 from the OS random source.
    /// Give your own when the same event may be sent again after a crash, so that the
    /// service can recognise the repeat.
    #[must_use]
    pub fn with_client_token(mut self, client_token: impl Into<String>) -> SendEventRequest {
        self.client_token = Some(client_token.into());
        self
    }

    /// The `ContentType` member.
    pub fn content_type(&self) -> ContentType {
        self.content_type
    }

    /// The `Content` member, if any.
    pub fn content(&self) -> Option<&str> {
        self.content.as_deref()
    }

    /// The caller's `ClientToken`, if one was set.
    pub fn client_token(&self) -> Option<&str> {
        self.client_token.as_deref()
    }

    /// Checks every member against the service's documented limits.
    ///
    /// Sending calls this first; call it yourself to check input early.
    ///
    /// ```
    /// use connect_participant::{ErrorKind, SendEventRequest};
    ///
    /// let err = SendEventRequest::read("").validate().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidInput);
    /// assert_eq!(err.field(), Some("messageId"));
    /// assert_eq!(err.to_string(), "invalid messageId: 0 characters, must be at least 1");
    /// ```
    pub fn validate(&self) -> Result<()> {
        if let Some(content) = &self.content {
            let n = content.chars().count();
            if n == 0 || n > MAX_CONTENT_CHARS {
                return Err(Error::length("Content", n, 1, MAX_CONTENT_CHARS));
            }
        }
        if let Some(token) = &self.client_token {
            let n = token.chars().count();
            if n > MAX_CLIENT_TOKEN_CHARS {
                return Err(Error::length("ClientToken", n, 0, MAX_CLIENT_TOKEN_CHARS));
            }
        }
        if self.content_type.is_receipt() {
            check_receipt_content(self.content.as_deref())?;
        }
        Ok(())
    }
}

impl Operation for SendEventRequest {
    type Output = SendEventOutput;
    type Token = ConnectionToken;
    const NAME: &'static str = "SendEvent";
    const PATH: &'static str = "/participant/event";

    fn validate(&self) -> Result<()> {
        SendEventRequest::validate(self)
    }

    /// The compact JSON body, keys in the order the official SDKs send them.
    fn body(&self, generated_client_token: &str) -> Vec<u8> {
        JsonObject::new()
            .string(
                "ClientToken",
                client_token(&self.client_token, generated_client_token),
            )
            .opt_string("Content", self.content.as_deref())
            .string("ContentType", self.content_type.as_str())
            .finish()
    }

    fn parse(mut answer: Members) -> Result<SendEventOutput, BadAnswer> {
        Ok(SendEventOutput {
            id: answer.string("Id")?,
            absolute_time: answer.time("AbsoluteTime")?,
        })
    }

    fn hint(&self, kind: ErrorKind) -> Option<&'static str> {
        match kind {
            ErrorKind::Conflict if self.content_type.is_receipt() => Some(
                "receipts are off for this chat: the service takes none when more than two \
                 participants are in it, or after a supervisor barged in",
            ),
            _ => crate::operation::default_hint(BearerKind::Connection, kind),
        }
    }
}

/// The service's answer to SendEvent.
///
/// Both members are optional in the service model; unknown members are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SendEventOutput {
    /// The id of the event (`Id`, 1 to 256 characters).
    pub id: Option<String>,
    /// When the event was sent (`AbsoluteTime`), for example `2019-11-08T02:41:28.172Z`.
    pub absolute_time: Option<Timestamp>,
}

/// A receipt's content must name the message it is about.
fn check_receipt_content(content: Option<&str>) -> Result<()> {
    let Some(content) = content else {
        return Err(Error::invalid_input(
            "Content",
            "a receipt needs content of the form {\"messageId\":\"<id>\"}",
        ));
    };
    let parsed = serde_json::from_str::<serde_json::Value>(content);
    match parsed.as_ref().ok().and_then(|v| v.get("messageId")) {
        Some(serde_json::Value::String(id)) if !id.is_empty() => Ok(()),
        Some(serde_json::Value::String(_)) => Err(Error::invalid_input(
            "messageId",
            "0 characters, must be at least 1",
        )),
        _ => Err(Error::invalid_input(
            "Content",
            "a receipt's content must be a JSON object with a string messageId",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(r: &SendEventRequest) -> String {
        String::from_utf8(Operation::body(r, "00000000-0000-4000-8000-000000000000")).unwrap()
    }

    #[test]
    fn typing_body_has_no_content() {
        assert_eq!(
            body(&SendEventRequest::typing()),
            r#"{"ClientToken":"00000000-0000-4000-8000-000000000000","ContentType":"application/vnd.amazonaws.connect.event.typing"}"#
        );
    }

    #[test]
    fn receipt_content_is_a_json_string_inside_the_body() {
        let r =
            SendEventRequest::read("11111111-aaaa-bbbb-cccc-EXAMPLE01234").with_client_token("ct");
        assert_eq!(
            body(&r),
            r#"{"ClientToken":"ct","Content":"{\"messageId\":\"11111111-aaaa-bbbb-cccc-EXAMPLE01234\"}","ContentType":"application/vnd.amazonaws.connect.event.message.read"}"#
        );
    }

    #[test]
    fn message_id_with_any_character_is_escaped() {
        let id = "q\"b\\n\u{1}é😀</script>";
        let r = SendEventRequest::delivered(id);
        assert_eq!(
            r.content(),
            Some("{\"messageId\":\"q\\\"b\\\\n\\u0001é😀</script>\"}")
        );
        r.validate().unwrap();
        // Both layers decode back to the original id.
        let outer: serde_json::Value = serde_json::from_str(&body(&r)).unwrap();
        let inner: serde_json::Value =
            serde_json::from_str(outer["Content"].as_str().unwrap()).unwrap();
        assert_eq!(inner["messageId"], id);
    }

    #[test]
    fn content_limit_counts_characters_not_bytes() {
        let at_limit = "é".repeat(MAX_CONTENT_CHARS);
        SendEventRequest::typing()
            .with_content(at_limit)
            .validate()
            .unwrap();
        let e = SendEventRequest::typing()
            .with_content("a".repeat(MAX_CONTENT_CHARS + 1))
            .validate()
            .unwrap_err();
        assert_eq!(e.field(), Some("Content"));
        assert_eq!(
            e.to_string(),
            "invalid Content: 16385 characters, must be 1 to 16384"
        );
        let e = SendEventRequest::typing()
            .with_content("")
            .validate()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid Content: 0 characters, must be 1 to 16384"
        );
    }

    #[test]
    fn client_token_limit() {
        SendEventRequest::typing()
            .with_client_token("")
            .validate()
            .unwrap();
        SendEventRequest::typing()
            .with_client_token("t".repeat(500))
            .validate()
            .unwrap();
        let e = SendEventRequest::typing()
            .with_client_token("t".repeat(501))
            .validate()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid ClientToken: 501 characters, must be 0 to 500"
        );
    }

    #[test]
    fn receipts_must_carry_a_message_id() {
        let e = SendEventRequest::new(ContentType::MessageRead)
            .validate()
            .unwrap_err();
        assert_eq!(e.field(), Some("Content"));
        for bad in [
            "{}",
            "[]",
            "not json",
            r#"{"messageId":7}"#,
            r#"{"MessageId":"x"}"#,
        ] {
            let e = SendEventRequest::new(ContentType::MessageDelivered)
                .with_content(bad)
                .validate()
                .unwrap_err();
            assert_eq!(e.field(), Some("Content"), "{bad}");
        }
        let e = SendEventRequest::delivered("").validate().unwrap_err();
        assert_eq!(e.field(), Some("messageId"));
        SendEventRequest::new(ContentType::MessageRead)
            .with_content(r#"{"messageId":"m","extra":true}"#)
            .validate()
            .unwrap();
    }
}
