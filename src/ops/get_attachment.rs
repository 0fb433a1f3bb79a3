//! GetAttachment: a presigned download URL for an attachment of the chat.

use super::attachment::{MAX_ID_CHARS, PresignedUrl};
use super::closed_enum;
use crate::error::{Error, Result};
use crate::json::{BadAnswer, JsonObject, Members};
use crate::operation::{Operation, check_chars, default_hint};
use crate::time::Timestamp;
use crate::token::{BearerKind, ConnectionToken};

closed_enum! {
    /// How the browser is to treat a downloaded attachment (`UrlContentDisposition`).
    ContentDisposition ("UrlContentDisposition") {
        /// `ATTACHMENT`: download it (the service's default).
        Attachment = "ATTACHMENT",
        /// `INLINE`: show it.
        Inline = "INLINE",
    }
}

/// GetAttachment's input: which attachment, and for how long its URL is valid.
///
/// ```
/// use connect_participant::{ContentDisposition, GetAttachmentRequest};
///
/// let r = GetAttachmentRequest::new("a9ac98ec")
///     .with_url_expiry_in_seconds(60)
///     .with_url_content_disposition(ContentDisposition::Inline);
/// assert!(r.validate().is_ok());
/// let e = GetAttachmentRequest::new("a").with_url_expiry_in_seconds(4).validate().unwrap_err();
/// assert_eq!(e.to_string(), "invalid UrlExpiryInSeconds: 4, must be 5 to 300");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetAttachmentRequest {
    attachment_id: String,
    url_expiry_in_seconds: Option<u32>,
    url_content_disposition: Option<ContentDisposition>,
}

impl GetAttachmentRequest {
    /// `AttachmentId`.
    pub fn new(attachment_id: impl Into<String>) -> GetAttachmentRequest {
        GetAttachmentRequest {
            attachment_id: attachment_id.into(),
            url_expiry_in_seconds: None,
            url_content_disposition: None,
        }
    }

    /// `UrlExpiryInSeconds`: 5 to 300. Not sent unless set (the service's default is not
    /// documented).
    #[must_use]
    pub fn with_url_expiry_in_seconds(mut self, seconds: u32) -> Self {
        self.url_expiry_in_seconds = Some(seconds);
        self
    }

    /// `UrlContentDisposition`. Not sent unless set: only the newest model has it.
    #[must_use]
    pub fn with_url_content_disposition(mut self, disposition: ContentDisposition) -> Self {
        self.url_content_disposition = Some(disposition);
        self
    }

    /// `AttachmentId`.
    pub fn attachment_id(&self) -> &str {
        &self.attachment_id
    }

    /// Checks the id (1 to 256 characters) and the expiry (5 to 300 seconds).
    pub fn validate(&self) -> Result<()> {
        check_chars("AttachmentId", &self.attachment_id, 1, MAX_ID_CHARS)?;
        if let Some(s) = self.url_expiry_in_seconds {
            if !(5..=300).contains(&s) {
                return Err(Error::invalid_input(
                    "UrlExpiryInSeconds",
                    format_args!("{s}, must be 5 to 300"),
                ));
            }
        }
        Ok(())
    }
}

impl Operation for GetAttachmentRequest {
    type Output = GetAttachmentOutput;
    type Token = ConnectionToken;
    const NAME: &'static str = "GetAttachment";
    const PATH: &'static str = "/participant/attachment";

    fn validate(&self) -> Result<()> {
        GetAttachmentRequest::validate(self)
    }

    fn body(&self, _: &str) -> Vec<u8> {
        JsonObject::new()
            .string("AttachmentId", &self.attachment_id)
            .opt_string(
                "UrlContentDisposition",
                self.url_content_disposition.map(ContentDisposition::as_str),
            )
            .opt_u64(
                "UrlExpiryInSeconds",
                self.url_expiry_in_seconds.map(u64::from),
            )
            .finish()
    }

    fn parse(mut m: Members) -> Result<GetAttachmentOutput, BadAnswer> {
        Ok(GetAttachmentOutput {
            url: m.string("Url")?.map(PresignedUrl::new),
            url_expiry: m.time("UrlExpiry")?,
            // Required in the model; a missing one reads as 0, as the Rust SDK reads it.
            attachment_size_in_bytes: m.count("AttachmentSizeInBytes")?.unwrap_or(0),
        })
    }

    fn hint(&self, kind: crate::ErrorKind) -> Option<&'static str> {
        match kind {
            crate::ErrorKind::AccessDenied => Some(
                "usual causes: the connection token expired or is unknown, the chat ended, \
                 or this participant is a CUSTOM_BOT, which may not read attachments",
            ),
            k => default_hint(BearerKind::Connection, k),
        }
    }
}

/// The service's answer to GetAttachment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetAttachmentOutput {
    /// `Url`: a presigned download URL (a secret), for a plain GET.
    pub url: Option<PresignedUrl>,
    /// `UrlExpiry`.
    pub url_expiry: Option<Timestamp>,
    /// `AttachmentSizeInBytes` (0 when the service leaves it out).
    pub attachment_size_in_bytes: u64,
}
