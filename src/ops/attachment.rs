//! StartAttachmentUpload, CompleteAttachmentUpload and GetAttachment: sharing a file in the
//! chat, and fetching one (spec §3.6 to §3.8, §9).

use std::fmt;

use crate::error::{Error, Result};
use crate::operation::{
    BadAnswer, JsonObject, Members, Operation, OperationId, check_chars, client_token,
};
use crate::ops::closed_enum;
use crate::time::Timestamp;

/// The most bytes an attachment may have: the service's 20 MB, taken as 20,000,000 bytes
/// (the documentation's "20 MB"; a client that sent 20 MiB could be refused).
pub const MAX_ATTACHMENT_BYTES: u64 = 20_000_000;

/// The `AttachmentName` and `ContentType` limits (characters), and the `ClientToken`'s.
const MAX_NAME_CHARS: usize = 256;
const MAX_MIME_CHARS: usize = 255;
const MAX_CLIENT_TOKEN_CHARS: usize = 500;
const MAX_ID_CHARS: usize = 256;

/// The file types the service takes in chats, by extension, with the MIME type this crate
/// sends for each (Amazon Connect's feature specifications; "you can't increase" them).
pub const ATTACHMENT_TYPES: &[(&str, &str)] = &[
    ("csv", "text/csv"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("heic", "image/heic"),
    ("jfif", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("mov", "video/quicktime"),
    ("mp4", "video/mp4"),
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("ppt", "application/vnd.ms-powerpoint"),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("rtf", "application/rtf"),
    ("txt", "text/plain"),
    ("wav", "audio/wav"),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
];

/// The MIME type for a file name's extension (case-insensitive), if the service takes that
/// type of file.
///
/// ```
/// use connect_participant::attachment_content_type;
///
/// assert_eq!(attachment_content_type("Report.PDF"), Some("application/pdf"));
/// assert_eq!(attachment_content_type("notes.txt"), Some("text/plain"));
/// assert_eq!(attachment_content_type("setup.exe"), None);
/// ```
pub fn attachment_content_type(file_name: &str) -> Option<&'static str> {
    let (_, ext) = file_name.rsplit_once('.')?;
    ATTACHMENT_TYPES
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ext))
        .map(|(_, mime)| *mime)
}

/// Checks an attachment's name (1 to 256 characters, an extension the service takes), its
/// MIME type (1 to 255 characters) and its size (1 to 20,000,000 bytes).
pub(crate) fn check_attachment(name: &str, content_type: &str, size: u64) -> Result<()> {
    check_chars("AttachmentName", name, 1, MAX_NAME_CHARS)?;
    if attachment_content_type(name).is_none() {
        let list: Vec<&str> = ATTACHMENT_TYPES.iter().map(|(e, _)| *e).collect();
        return Err(Error::invalid_input(
            "AttachmentName",
            format_args!(
                "{}: the service takes only files named .{}",
                crate::error::quoted(name),
                list.join(", .")
            ),
        ));
    }
    check_chars("ContentType", content_type, 1, MAX_MIME_CHARS)?;
    if size == 0 || size > MAX_ATTACHMENT_BYTES {
        return Err(Error::invalid_input(
            "AttachmentSizeInBytes",
            format_args!("{size} bytes, must be 1 to {MAX_ATTACHMENT_BYTES} (20 MB)"),
        ));
    }
    Ok(())
}

fn check_client_token(token: &Option<String>) -> Result<()> {
    match token {
        Some(t) => check_chars("ClientToken", t, 1, MAX_CLIENT_TOKEN_CHARS),
        None => Ok(()),
    }
}

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
    /// [`ATTACHMENT_TYPES`]), the MIME type (1 to 255 characters), the size (1 to
    /// [`MAX_ATTACHMENT_BYTES`]) and the client token (1 to 500 characters).
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
    const ID: OperationId = OperationId::StartAttachmentUpload;

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
                    url: u.string("Url")?.map(PresignedUrl),
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

/// Where to PUT an attachment's bytes: a presigned URL and the headers signed into it.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadMetadata {
    /// `Url`: the presigned upload URL. A secret: whoever holds it can upload.
    pub url: Option<PresignedUrl>,
    /// `UrlExpiry`: the PUT must start before then.
    pub url_expiry: Option<Timestamp>,
    /// `HeadersToInclude`: every one must go with the PUT, its value unchanged (they are
    /// signed into the URL). By name, in alphabetical order.
    pub headers_to_include: Vec<(String, String)>,
}

impl fmt::Debug for UploadMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self
            .headers_to_include
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        f.debug_struct("UploadMetadata")
            .field("url", &self.url)
            .field("url_expiry", &self.url_expiry)
            .field("headers_to_include", &names)
            .finish()
    }
}

/// A presigned URL (an upload's, or a download's): it grants access by itself, so it is
/// kept as a secret: `Debug` prints `PresignedUrl([redacted])`.
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedUrl(String);

impl PresignedUrl {
    /// A URL given by the caller (for [`Client::download_attachment`](crate::Client::download_attachment)
    /// with a URL from elsewhere, say).
    pub fn new(url: impl Into<String>) -> PresignedUrl {
        PresignedUrl(url.into())
    }

    /// The URL itself. Take care not to log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PresignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PresignedUrl([redacted])")
    }
}

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
    const ID: OperationId = OperationId::CompleteAttachmentUpload;

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
            k => crate::operation::default_hint(Self::ID, k),
        }
    }
}

/// The service's answer to CompleteAttachmentUpload: it has no members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompleteAttachmentUploadOutput {}

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
    const ID: OperationId = OperationId::GetAttachment;

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
            url: m.string("Url")?.map(PresignedUrl),
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
            k => crate::operation::default_hint(Self::ID, k),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_the_sdks() {
        let r = StartAttachmentUploadRequest::new("a.txt", "text/plain", 9);
        assert_eq!(
            Operation::body(&r, "u-1"),
            br#"{"AttachmentName":"a.txt","AttachmentSizeInBytes":9,"ClientToken":"u-1","ContentType":"text/plain"}"#
        );
        let r = CompleteAttachmentUploadRequest::new("id-1");
        assert_eq!(
            Operation::body(&r, "u-1"),
            br#"{"AttachmentIds":["id-1"],"ClientToken":"u-1"}"#
        );
        let r = GetAttachmentRequest::new("id-1");
        assert_eq!(Operation::body(&r, "u"), br#"{"AttachmentId":"id-1"}"#);
        let r = r
            .with_url_expiry_in_seconds(60)
            .with_url_content_disposition(ContentDisposition::Inline);
        assert_eq!(
            Operation::body(&r, "u"),
            br#"{"AttachmentId":"id-1","UrlContentDisposition":"INLINE","UrlExpiryInSeconds":60}"#
        );
    }

    #[test]
    fn every_limit_is_checked() {
        let e = |r: StartAttachmentUploadRequest| r.validate().unwrap_err().to_string();
        assert_eq!(
            e(StartAttachmentUploadRequest::new("a.txt", "text/plain", 0)),
            "invalid AttachmentSizeInBytes: 0 bytes, must be 1 to 20000000 (20 MB)"
        );
        assert_eq!(
            e(StartAttachmentUploadRequest::new("", "text/plain", 1)),
            "invalid AttachmentName: 0 characters, must be 1 to 256"
        );
        assert!(
            e(StartAttachmentUploadRequest::new("run.exe", "text/plain", 1))
                .starts_with("invalid AttachmentName: \"run.exe\": the service takes only files named .csv, .doc,")
        );
        assert_eq!(
            e(StartAttachmentUploadRequest::new("a.txt", "", 1)),
            "invalid ContentType: 0 characters, must be 1 to 255"
        );
        assert_eq!(
            e(StartAttachmentUploadRequest::new("a.txt", "t/p", 1).with_client_token("")),
            "invalid ClientToken: 0 characters, must be 1 to 500"
        );
        let long = format!("{}.txt", "n".repeat(253));
        assert_eq!(
            e(StartAttachmentUploadRequest::new(long, "t/p", 1)),
            "invalid AttachmentName: 257 characters, must be 1 to 256"
        );
        assert!(
            StartAttachmentUploadRequest::new("a.txt", "t/p", MAX_ATTACHMENT_BYTES)
                .validate()
                .is_ok()
        );
        assert_eq!(
            CompleteAttachmentUploadRequest::new("")
                .validate()
                .unwrap_err()
                .to_string(),
            "invalid AttachmentIds: 0 characters, must be 1 to 256"
        );
        assert_eq!(
            GetAttachmentRequest::new("a")
                .with_url_expiry_in_seconds(301)
                .validate()
                .unwrap_err()
                .to_string(),
            "invalid UrlExpiryInSeconds: 301, must be 5 to 300"
        );
    }

    #[test]
    fn answers_are_read_and_urls_redacted() {
        let body = r#"{"AttachmentId":"a9","UploadMetadata":{"HeadersToInclude":{"x-amz-acl":"bucket-owner-full-control","Content-Length":"9"},"Url":"https://s3/put?X-Amz-Signature=s3cr3t","UrlExpiry":"2023-08-03T08:15:46Z"}}"#;
        let map = match serde_json::from_str(body).unwrap() {
            serde_json::Value::Object(m) => m,
            _ => unreachable!(),
        };
        let out = StartAttachmentUploadRequest::parse(Members::root(map)).unwrap();
        let meta = out.upload_metadata.clone().unwrap();
        assert_eq!(
            meta.url.as_ref().unwrap().expose_secret(),
            "https://s3/put?X-Amz-Signature=s3cr3t"
        );
        assert_eq!(
            meta.headers_to_include,
            vec![
                ("Content-Length".to_owned(), "9".to_owned()),
                (
                    "x-amz-acl".to_owned(),
                    "bucket-owner-full-control".to_owned()
                )
            ]
        );
        assert_eq!(meta.url_expiry.unwrap().as_str(), "2023-08-03T08:15:46Z");
        let shown = format!("{out:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("bucket-owner"),
            "{shown}"
        );
        assert!(shown.contains("PresignedUrl([redacted])"), "{shown}");
    }
}
