//! What the three attachment operations share: the file types the service takes, the
//! limits of a name, a MIME type and a size, and the presigned URL with its signed headers.
//! The operations are in `start_attachment_upload`, `complete_attachment_upload` and
//! `get_attachment`; the upload's three steps in the client's `transfer`.

use std::fmt;

use crate::error::{Error, Result};
use crate::operation::check_chars;
use crate::time::Timestamp;

/// The most bytes an attachment may have: the service's 20 MB, taken as 20,000,000 bytes
/// (the documentation's "20 MB"; a client that sent 20 MiB could be refused).
pub const MAX_ATTACHMENT_BYTES: u64 = 20_000_000;

/// The `AttachmentName` and `ContentType` limits (characters), and the `ClientToken`'s.
const MAX_NAME_CHARS: usize = 256;
const MAX_MIME_CHARS: usize = 255;
const MAX_CLIENT_TOKEN_CHARS: usize = 500;
/// An `AttachmentId`'s most characters.
pub(crate) const MAX_ID_CHARS: usize = 256;

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
                crate::redact::quoted(name),
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

pub(crate) fn check_client_token(token: &Option<String>) -> Result<()> {
    match token {
        Some(t) => check_chars("ClientToken", t, 1, MAX_CLIENT_TOKEN_CHARS),
        None => Ok(()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Members;
    use crate::operation::Operation;
    use crate::{
        CompleteAttachmentUploadRequest, ContentDisposition, GetAttachmentRequest,
        StartAttachmentUploadRequest,
    };

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
