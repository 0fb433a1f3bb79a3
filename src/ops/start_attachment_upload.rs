//! StartAttachmentUpload: the first of an upload's three steps, which gives the presigned
//! URL and the headers to PUT the file's bytes with.

use super::attachment::{PresignedUrl, UploadMetadata, check_attachment, check_client_token};
use crate::error::Result;
use crate::json::{BadAnswer, JsonObject, Members};
use crate::operation::{Operation, client_token};
use crate::token::ConnectionToken;

/// StartAttachmentUpload's input: the file's name, MIME type and exact size.
///
/// ```
/// use connect_participant::StartAttachmentUploadRequest;
///
/// let r = StartAttachmentUploadRequest::new("invoice.pdf", "application/pdf", 48_213);
/// assert!(r.validate().is_ok());
/// let e = StartAttachmentUploadRequest::new("big.pdf", "application/pdf", 20_000_001)
///     .validate()
///     .unwrap_err();
/// assert_eq!(
///     e.to_string(),
///     "invalid AttachmentSizeInBytes: 20000001 bytes, must be 1 to 20000000 (20 MB)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartAttachmentUploadRequest {
    attachment_name: String,
    content_type: String,
    attachment_size_in_bytes: u64,
    client_token: Option<String>,
}

impl StartAttachmentUploadRequest {
    /// `AttachmentName`, `ContentType` (the file's MIME type) and `AttachmentSizeInBytes`;
    /// the `ClientToken` is generated per call unless set.
    pub fn new(
        attachment_name: impl Into<String>,
        content_type: impl Into<String>,
        attachment_size_in_bytes: u64,
    ) -> StartAttachmentUploadRequest {
        StartAttachmentUploadRequest {
            attachment_name: attachment_name.into(),
            content_type: content_type.into(),
            attachment_size_in_bytes,
            client_token: None,
        }
    }

    /// Sets the `ClientToken` idempotency token (1 to 500 characters): the same token
    /// starts the same upload.
    #[must_use]
    pub fn with_client_token(mut self, token: impl Into<String>) -> Self {
        self.client_token = Some(token.into());
        self
    }

    /// `AttachmentName`.
    pub fn attachment_name(&self) -> &str {
        &self.attachment_name
    }

    /// `ContentType`.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// `AttachmentSizeInBytes`.
    pub fn attachment_size_in_bytes(&self) -> u64 {
        self.attachment_size_in_bytes
    }

    /// The caller's `ClientToken`, if one was set.
    pub fn client_token(&self) -> Option<&str> {
        self.client_token.as_deref()
    }

    /// Checks the name (1 to 256 characters, with an extension the service takes: see
    /// [`ATTACHMENT_TYPES`](crate::ATTACHMENT_TYPES)), the MIME type (1 to 255 characters), the size (1 to
    /// [`MAX_ATTACHMENT_BYTES`](crate::MAX_ATTACHMENT_BYTES)) and the client token (1 to 500 characters).
    pub fn validate(&self) -> Result<()> {
        check_attachment(
            &self.attachment_name,
            &self.content_type,
            self.attachment_size_in_bytes,
        )?;
        check_client_token(&self.client_token)
    }
}

impl Operation for StartAttachmentUploadRequest {
    type Output = StartAttachmentUploadOutput;
    type Token = ConnectionToken;
    const NAME: &'static str = "StartAttachmentUpload";
    const PATH: &'static str = "/participant/start-attachment-upload";

    fn validate(&self) -> Result<()> {
        StartAttachmentUploadRequest::validate(self)
    }

    fn body(&self, generated: &str) -> Vec<u8> {
        JsonObject::new()
            .string("AttachmentName", &self.attachment_name)
            .opt_u64("AttachmentSizeInBytes", Some(self.attachment_size_in_bytes))
            .string("ClientToken", client_token(&self.client_token, generated))
            .string("ContentType", &self.content_type)
            .finish()
    }

    fn parse(mut m: Members) -> Result<StartAttachmentUploadOutput, BadAnswer> {
        Ok(StartAttachmentUploadOutput {
            attachment_id: m.string("AttachmentId")?,
            upload_metadata: match m.object("UploadMetadata")? {
                Some(mut u) => Some(UploadMetadata {
                    url: u.string("Url")?.map(PresignedUrl::new),
                    url_expiry: u.time("UrlExpiry")?,
                    headers_to_include: u.string_map("HeadersToInclude")?,
                }),
                None => None,
            },
        })
    }
}

/// The service's answer to StartAttachmentUpload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StartAttachmentUploadOutput {
    /// `AttachmentId`: what CompleteAttachmentUpload and GetAttachment take.
    pub attachment_id: Option<String>,
    /// `UploadMetadata`: where and how to PUT the file's bytes.
    pub upload_metadata: Option<UploadMetadata>,
}
