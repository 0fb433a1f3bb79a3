//! CompleteAttachmentUpload: the last of an upload's three steps, once the bytes are PUT;
//! the attachment is then shared in the chat.

use super::attachment::{MAX_ID_CHARS, check_client_token};
use crate::error::Result;
use crate::json::{BadAnswer, JsonObject, Members};
use crate::operation::{Operation, check_chars, client_token, default_hint};
use crate::token::{BearerKind, ConnectionToken};

/// CompleteAttachmentUpload's input: the one attachment whose bytes were uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteAttachmentUploadRequest {
    attachment_ids: Vec<String>,
    client_token: Option<String>,
}

impl CompleteAttachmentUploadRequest {
    /// `AttachmentIds`: the model takes exactly one.
    pub fn new(attachment_id: impl Into<String>) -> CompleteAttachmentUploadRequest {
        CompleteAttachmentUploadRequest {
            attachment_ids: vec![attachment_id.into()],
            client_token: None,
        }
    }

    /// Sets the `ClientToken` idempotency token (1 to 500 characters).
    #[must_use]
    pub fn with_client_token(mut self, token: impl Into<String>) -> Self {
        self.client_token = Some(token.into());
        self
    }

    /// The attachment id.
    pub fn attachment_id(&self) -> &str {
        &self.attachment_ids[0]
    }

    /// Checks the attachment id (1 to 256 characters) and the client token (1 to 500).
    pub fn validate(&self) -> Result<()> {
        for id in &self.attachment_ids {
            check_chars("AttachmentIds", id, 1, MAX_ID_CHARS)?;
        }
        check_client_token(&self.client_token)
    }
}

impl Operation for CompleteAttachmentUploadRequest {
    type Output = CompleteAttachmentUploadOutput;
    type Token = ConnectionToken;
    const NAME: &'static str = "CompleteAttachmentUpload";
    const PATH: &'static str = "/participant/complete-attachment-upload";

    fn validate(&self) -> Result<()> {
        CompleteAttachmentUploadRequest::validate(self)
    }

    fn body(&self, generated: &str) -> Vec<u8> {
        JsonObject::new()
            .opt_strings(
                "AttachmentIds",
                Some(self.attachment_ids.iter().map(String::as_str)),
            )
            .string("ClientToken", client_token(&self.client_token, generated))
            .finish()
    }

    fn parse(_: Members) -> Result<CompleteAttachmentUploadOutput, BadAnswer> {
        Ok(CompleteAttachmentUploadOutput {})
    }

    fn hint(&self, kind: crate::ErrorKind) -> Option<&'static str> {
        match kind {
            crate::ErrorKind::Conflict => {
                Some("an upload of this attachment is already being completed")
            }
            k => default_hint(BearerKind::Connection, k),
        }
    }
}

/// The service's answer to CompleteAttachmentUpload: it has no members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompleteAttachmentUploadOutput {}
