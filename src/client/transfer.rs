//! An attachment's bytes, to and from presigned URLs: the upload's three steps, and the
//! download. Over the client's agent (no redirects, the client's TLS and proxy) and
//! through its attempt loop (the same retries, back-off and retry quota as calls), and
//! never with a bearer token: the URLs' host is not the service.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use ureq::http::{self, HeaderName, HeaderValue};

use super::Client;
use super::call_log::{self, Subject};
use super::run::Failure;
use crate::error::{Error, Result, UploadStep};
use crate::net::transport_error;
use crate::ops::attachment::{
    PresignedUrl, UploadMetadata, attachment_content_type, check_attachment,
};
use crate::ops::complete_attachment_upload::{
    CompleteAttachmentUploadOutput, CompleteAttachmentUploadRequest,
};
use crate::ops::start_attachment_upload::{
    StartAttachmentUploadOutput, StartAttachmentUploadRequest,
};
use crate::redact::{DETAIL_WIDTH, NAME_WIDTH, VALUE_WIDTH, printable};
use crate::retry;
use crate::token::ConnectionToken;

/// How slow a transfer may be before it times out: the client's timeout, plus one second
/// per 50 KB of the body. A 20 MB upload gets 400 s more than a call.
const MIN_BYTES_PER_SECOND: u64 = 50_000;

/// The most bytes of an error answer from the storage service read (its XML error).
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// Headers an upload never sends, whatever StartAttachmentUpload lists: they frame or
/// route the request (the client sets them itself; a second framing would leave the
/// storage server waiting for bytes that never come), or carry credentials, which the
/// presigned URL's host must never get.
const NEVER_SENT: &[&str] = &[
    "authorization",
    "connection",
    "host",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "x-amz-bearer",
];

/// What to upload: the file's name, and its MIME type unless the name's extension says it.
///
/// ```
/// use connect_participant::UploadAttachmentRequest;
///
/// let r = UploadAttachmentRequest::new("invoice.pdf");
/// assert_eq!(r.content_type(), Some("application/pdf"));
/// let r = UploadAttachmentRequest::new("scan.jpg").with_content_type("image/jpeg");
/// assert_eq!(r.content_type(), Some("image/jpeg"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadAttachmentRequest {
    name: String,
    content_type: Option<String>,
}

impl UploadAttachmentRequest {
    /// `AttachmentName`: the file's name as the chat shows it; its extension must be one
    /// the service takes ([`ATTACHMENT_TYPES`](crate::ATTACHMENT_TYPES)).
    pub fn new(name: impl Into<String>) -> UploadAttachmentRequest {
        UploadAttachmentRequest {
            name: name.into(),
            content_type: None,
        }
    }

    /// `ContentType`, the file's MIME type. Defaults to the one of the name's extension
    /// ([`attachment_content_type`](crate::attachment_content_type)).
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The MIME type sent: the one set, or the extension's.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type
            .as_deref()
            .or_else(|| attachment_content_type(&self.name))
    }
}

/// What [`Client::upload_attachment`] gives: the attachment, shared in the chat.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadAttachmentOutput {
    /// `AttachmentId`.
    pub attachment_id: String,
    /// The bytes uploaded.
    pub size: u64,
}

fn io_error(what: &str) -> impl FnOnce(io::Error) -> Error + '_ {
    move |e| Error::io(what, e)
}

/// The time a transfer of `bytes` may take; no more than a 20 MB attachment's, so that a
/// huge download cap does not let a trickling server hold the call for ever.
fn transfer_timeout(base: Duration, bytes: u64) -> Duration {
    let bytes = bytes.min(crate::ops::attachment::MAX_ATTACHMENT_BYTES);
    base.saturating_add(Duration::from_secs(bytes / MIN_BYTES_PER_SECOND))
}

impl Client {
    /// Uploads a file and shares it in the chat, the way the service requires:
    /// StartAttachmentUpload, a PUT of the bytes to the presigned URL it gives (with
    /// every header it says, and no token: that host is not the service), then
    /// CompleteAttachmentUpload.
    ///
    /// The bytes are read from `body`'s current position to its end, and streamed: the
    /// file is never held in memory. Before the first request the name (an extension the
    /// service takes), the MIME type and the size (1 to 20,000,000 bytes) are checked.
    /// StartAttachmentUpload's client token is generated once and kept across its retries;
    /// a failed PUT is retried from the start of the bytes (the reason `body` must
    /// [`Seek`]) without starting another upload; the PUT may take the client's timeout
    /// plus one second per 50 KB. A failure says which step failed
    /// ([`Error::upload_step`], and first in its message).
    pub fn upload_attachment<R: Read + Seek>(
        &self,
        token: &ConnectionToken,
        request: &UploadAttachmentRequest,
        body: R,
    ) -> Result<UploadAttachmentOutput> {
        self.upload_with(
            request,
            body,
            |r| self.start_attachment_upload(token, r),
            |r| self.complete_attachment_upload(token, r),
        )
    }

    /// [`upload_attachment`](Self::upload_attachment)'s three steps, the two calls made by
    /// `start_call` and `complete_call`: with a token, or through a
    /// [`Participant`](crate::Participant), which checks a 403.
    pub(crate) fn upload_with<R: Read + Seek>(
        &self,
        request: &UploadAttachmentRequest,
        mut body: R,
        start_call: impl FnOnce(&StartAttachmentUploadRequest) -> Result<StartAttachmentUploadOutput>,
        complete_call: impl FnOnce(
            &CompleteAttachmentUploadRequest,
        ) -> Result<CompleteAttachmentUploadOutput>,
    ) -> Result<UploadAttachmentOutput> {
        let start = |e: Error| e.in_upload_step(UploadStep::Start);
        let content_type = request.content_type().ok_or_else(|| {
            start(Error::invalid_input(
                "ContentType",
                "none given, and the file name's extension is not one the service takes",
            ))
        })?;
        let size = remaining(&mut body).map_err(start)?;
        check_attachment(&request.name, content_type, size).map_err(start)?;
        let started = start_call(&StartAttachmentUploadRequest::new(
            &request.name,
            content_type,
            size,
        ))
        .map_err(start)?;
        let missing = |member: &str| {
            start(Error::invalid_response(
                200,
                format!("the service answered StartAttachmentUpload without {member}"),
            ))
        };
        let id = started
            .attachment_id
            .ok_or_else(|| missing("AttachmentId"))?;
        let metadata = started
            .upload_metadata
            .ok_or_else(|| missing("UploadMetadata"))?;
        self.put_attachment(&metadata, &mut body)
            .map_err(|e| e.in_upload_step(UploadStep::Put))?;
        complete_call(&CompleteAttachmentUploadRequest::new(&id))
            .map_err(|e| e.in_upload_step(UploadStep::Complete))?;
        Ok(UploadAttachmentOutput {
            attachment_id: id,
            size,
        })
    }

    /// [`upload_attachment`](Self::upload_attachment) of a file on disk, named as its file
    /// name, its MIME type from its extension.
    pub fn upload_attachment_file(
        &self,
        token: &ConnectionToken,
        path: impl AsRef<Path>,
    ) -> Result<UploadAttachmentOutput> {
        let (request, file) = open_upload(path.as_ref())?;
        self.upload_attachment(token, &request, file)
    }

    /// The upload's second step alone: PUTs the bytes from `body`'s position to its end to
    /// the presigned URL of `metadata`, with every header it lists, and nothing else that
    /// a signature covers (no token). Retried from the start of the bytes through the
    /// calls' attempt loop (server errors, throttling, timeouts, dropped connections), up to
    /// the client's attempts and within the retry quota the calls share;
    /// [`Error::attempts`] counts the PUTs. A file that fails or changes while it is read
    /// stops the PUT at once, not retried.
    pub fn put_attachment<R: Read + Seek>(
        &self,
        metadata: &UploadMetadata,
        mut body: R,
    ) -> Result<()> {
        let url = metadata
            .url
            .as_ref()
            .ok_or_else(|| Error::invalid_response(200, "the upload metadata has no Url"))?;
        let uri: http::Uri = url
            .expose_secret()
            .parse()
            .map_err(|_| Error::invalid_response(200, "the upload URL is not a valid URL"))?;
        let begin = body
            .stream_position()
            .map_err(io_error("could not read the attachment's position"))?;
        let size = remaining(&mut body)?;
        let mut headers: Vec<(HeaderName, HeaderValue)> =
            Vec::with_capacity(metadata.headers_to_include.len() + 1);
        let mut has_length = false;
        for (name, value) in &metadata.headers_to_include {
            let bad = |what: &str| {
                Error::invalid_response(
                    200,
                    format!(
                        "the upload's header {} cannot be sent: {what}",
                        printable(name, NAME_WIDTH)
                    ),
                )
            };
            let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("a bad name"))?;
            let v = HeaderValue::from_str(value).map_err(|_| bad("a bad value"))?;
            if NEVER_SENT.contains(&n.as_str()) {
                return Err(bad(
                    "it frames, routes or authorizes the request, which the client does itself \
                     (and no credential goes to the upload URL)",
                ));
            }
            if headers.iter().any(|(m, _)| *m == n) {
                return Err(bad("it is listed twice (header names ignore case)"));
            }
            if n == http::header::CONTENT_LENGTH {
                has_length = true;
                if value.trim() != size.to_string() {
                    return Err(Error::invalid_response(
                        200,
                        format!(
                            "the upload's signed Content-Length is {}, but the file has {size} \
                             bytes",
                            printable(value, VALUE_WIDTH)
                        ),
                    ));
                }
                // The signature covers the value trimmed; the framing needs it bare.
                headers.push((n, HeaderValue::from(size)));
                continue;
            }
            headers.push((n, v));
        }
        if !has_length {
            headers.push((http::header::CONTENT_LENGTH, HeaderValue::from(size)));
        }
        let timeout = transfer_timeout(self.timeouts().attempt, size);
        let name = call_log::transfer_name("PUT", &uri);
        let subject = Subject {
            target: call_log::TRANSFER,
            name: &name,
        };
        self.run(subject, |_| {
            body.seek(SeekFrom::Start(begin))
                .map_err(io_error("could not go back to the attachment's start"))
                .map_err(Failure::last)?;
            let mut exact = Exact::new(&mut body, size);
            let sent = self.put_once(&uri, &headers, &mut exact, timeout);
            // The file itself failed: nothing another attempt would mend.
            if let Some(failure) = exact.failure.take() {
                return Err(Failure::last(failure));
            }
            sent.map_err(Failure::from)
        })
    }

    fn put_once(
        &self,
        uri: &http::Uri,
        headers: &[(HeaderName, HeaderValue)],
        mut body: impl Read,
        timeout: Duration,
    ) -> Result<()> {
        let mut request = http::Request::builder()
            .method(http::Method::PUT)
            .uri(uri.clone());
        for (n, v) in headers {
            request = request.header(n, v);
        }
        let request = request
            .body(ureq::SendBody::from_reader(&mut body))
            .map_err(|_| Error::invalid_response(200, "the upload request cannot be made"))?;
        let agent = self.net().agent();
        let request = agent
            .configure_request(request)
            .timeout_global(Some(timeout))
            .build();
        let response = agent.run(request);
        let mut response = response.map_err(|e| {
            transport_error(
                without_uri(e),
                None,
                MAX_ERROR_BODY,
                "the presigned upload URL",
                &self.net().bounds().for_transfer(timeout),
            )
        })?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(());
        }
        Err(storage_error(status, response.body_mut(), "upload", uri))
    }

    /// Downloads an attachment from its presigned URL (GetAttachment's `Url`) into `out`,
    /// with a plain GET and no token: that host is not the service. Refuses an answer over
    /// `max_bytes` (as announced, or as it arrives), writing at most that much. The GET may
    /// take the client's timeout plus one second per 50 KB of `max_bytes` (at most 400 s
    /// more), and is retried as the calls are (their attempts, back-off and retry quota)
    /// until its first byte is written to `out`: what is written cannot be taken back.
    /// Returns the bytes written.
    pub fn download_attachment(
        &self,
        url: &PresignedUrl,
        out: &mut dyn Write,
        max_bytes: u64,
    ) -> Result<u64> {
        let uri: http::Uri = url
            .expose_secret()
            .parse()
            .map_err(|_| Error::invalid_response(200, "the download URL is not a valid URL"))?;
        let timeout = transfer_timeout(self.timeouts().attempt, max_bytes);
        let mut buf = vec![0u8; 64 * 1024];
        let mut written = 0u64;
        let name = call_log::transfer_name("GET", &uri);
        let subject = Subject {
            target: call_log::TRANSFER,
            name: &name,
        };
        self.run(subject, |_| {
            let fetched = self.get_once(&uri, timeout, out, max_bytes, &mut buf, &mut written);
            // Bytes already written cannot be taken back: no attempt after them.
            fetched.map_err(|e| match written {
                0 => Failure::from(e),
                _ => Failure::last(e),
            })
        })
    }

    /// One GET of a download; `written` counts the bytes written to `out`.
    fn get_once(
        &self,
        uri: &http::Uri,
        timeout: Duration,
        out: &mut dyn Write,
        max_bytes: u64,
        buf: &mut [u8],
        written: &mut u64,
    ) -> Result<u64> {
        let request = http::Request::builder()
            .method(http::Method::GET)
            .uri(uri.clone())
            .body(())
            .map_err(|_| Error::invalid_response(200, "the download request cannot be made"))?;
        let agent = self.net().agent();
        let request = agent
            .configure_request(request)
            .timeout_global(Some(timeout))
            .build();
        let what = "the presigned download URL";
        let bounds = self.net().bounds().for_transfer(timeout);
        let mut response = agent
            .run(request)
            .map_err(|e| transport_error(without_uri(e), None, max_bytes, what, &bounds))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(storage_error(status, response.body_mut(), "download", uri));
        }
        let too_large = || {
            Error::invalid_response(
                status,
                format!("the attachment is larger than the {max_bytes} bytes allowed"),
            )
        };
        if response
            .body()
            .content_length()
            .is_some_and(|n| n > max_bytes)
        {
            return Err(too_large());
        }
        let mut reader = response
            .body_mut()
            .with_config()
            .limit(max_bytes.saturating_add(1))
            .reader();
        loop {
            let n = match reader.read(buf) {
                Ok(0) => return Ok(*written),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let e = match e.downcast::<ureq::Error>() {
                        Ok(ureq::Error::BodyExceedsLimit(_)) => return Err(too_large()),
                        Ok(e) => e,
                        Err(e) => ureq::Error::Io(e),
                    };
                    return Err(transport_error(
                        without_uri(e),
                        Some(status),
                        max_bytes,
                        what,
                        &bounds,
                    ));
                }
            };
            if *written + n as u64 > max_bytes {
                return Err(too_large());
            }
            out.write_all(&buf[..n])
                .map_err(io_error("could not write the downloaded attachment"))?;
            *written += n as u64;
        }
    }
}

/// An attachment's bytes as the PUT reads them: exactly `size` of them. A reader that
/// fails, or ends early (the file shrank since it was measured), stops the PUT at once
/// with an error of its own, kept in `failure`: else the storage server would wait for
/// bytes that never come until the transfer timed out, and the PUT would be retried.
struct Exact<R> {
    inner: R,
    size: u64,
    sent: u64,
    failure: Option<Error>,
}

impl<R: Read> Exact<R> {
    fn new(inner: R, size: u64) -> Exact<R> {
        Exact {
            inner,
            size,
            sent: 0,
            failure: None,
        }
    }
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.size - self.sent;
        if left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let cap = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        match self.inner.read(&mut buf[..cap]) {
            Ok(0) => {
                let message = format!(
                    "the attachment ended after {} of its {} bytes: it changed while being \
                     uploaded",
                    self.sent, self.size
                );
                self.failure = Some(Error::io(
                    message.clone(),
                    io::Error::new(io::ErrorKind::UnexpectedEof, message.clone()),
                ));
                Err(io::Error::new(io::ErrorKind::UnexpectedEof, message))
            }
            Ok(n) => {
                self.sent += n.min(cap) as u64;
                Ok(n.min(cap))
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                let kind = e.kind();
                self.failure = Some(Error::io(
                    format!(
                        "could not read the attachment after {} of its {} bytes",
                        self.sent, self.size
                    ),
                    e,
                ));
                Err(io::Error::new(kind, "could not read the attachment"))
            }
        }
    }
}

/// The bytes from `body`'s position to its end; the position is left where it was.
fn remaining(body: &mut impl Seek) -> Result<u64> {
    let here = body
        .stream_position()
        .map_err(io_error("could not read the attachment's position"))?;
    let end = body
        .seek(SeekFrom::End(0))
        .map_err(io_error("could not find the attachment's end"))?;
    body.seek(SeekFrom::Start(here))
        .map_err(io_error("could not go back to the attachment's start"))?;
    Ok(end.saturating_sub(here))
}

/// The request for a file on disk, and the file, opened.
pub(crate) fn open_upload(path: &Path) -> Result<(UploadAttachmentRequest, File)> {
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Error::invalid_input("AttachmentName", "the path has no file name in UTF-8")
            .in_upload_step(UploadStep::Start)
    })?;
    let file = File::open(path).map_err(|e| {
        Error::io("could not open the attachment", e).in_upload_step(UploadStep::Start)
    })?;
    Ok((UploadAttachmentRequest::new(name), file))
}

/// A ureq error without the parts that could quote the presigned URL (a secret).
fn without_uri(e: ureq::Error) -> ureq::Error {
    match e {
        ureq::Error::BadUri(_) => ureq::Error::BadUri("(the presigned URL)".to_owned()),
        ureq::Error::RequireHttpsOnly(_) => {
            ureq::Error::RequireHttpsOnly("(the presigned URL)".to_owned())
        }
        other => other,
    }
}

/// The storage service's refusal: its status, and the code and message of its XML error
/// (`<Error><Code>SignatureDoesNotMatch</Code><Message>…</Message></Error>`), with any
/// quote of the URL's path or query (its secrets), plain or XML-escaped, masked.
fn storage_error(status: u16, body: &mut ureq::Body, what: &str, uri: &http::Uri) -> Error {
    let mut text = Vec::new();
    let _ = body
        .with_config()
        .limit(MAX_ERROR_BODY)
        .reader()
        .take(MAX_ERROR_BODY)
        .read_to_end(&mut text);
    let mut text = String::from_utf8_lossy(&text).into_owned();
    let secrets = [
        uri.path_and_query().map(|p| p.as_str()),
        uri.query(),
        Some(uri.path()),
    ];
    for secret in secrets.into_iter().flatten().filter(|s| s.len() >= 8) {
        text = text
            .replace(secret, "(the presigned URL)")
            .replace(&secret.replace('&', "&amp;"), "(the presigned URL)");
    }
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&format!("</{name}>"))? + start;
        Some(printable(&text[start..end], DETAIL_WIDTH))
    };
    let code = tag("Code");
    let mut message = format!("the presigned {what} URL answered HTTP {status}");
    if let Some(code) = &code {
        message.push_str(&format!(" ({code}"));
        if let Some(m) = tag("Message") {
            message.push_str(&format!(": {m}"));
        }
        message.push(')');
    }
    if code.as_deref() == Some("SignatureDoesNotMatch") {
        message.push_str(
            "; the headers sent must be exactly those StartAttachmentUpload listed, and the \
             body exactly the announced size",
        );
    }
    Error::storage(
        status,
        message,
        retry::for_response(status, code.as_deref()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::attachment::MAX_ATTACHMENT_BYTES;

    #[test]
    fn a_transfer_may_take_a_second_more_per_50_kb() {
        let base = Duration::from_secs(10);
        assert_eq!(transfer_timeout(base, 0), base);
        assert_eq!(
            transfer_timeout(base, MAX_ATTACHMENT_BYTES),
            Duration::from_secs(410)
        );
        assert_eq!(transfer_timeout(base, u64::MAX), Duration::from_secs(410));
    }

    #[test]
    fn remaining_counts_from_the_position_and_keeps_it() {
        let mut c = io::Cursor::new(vec![0u8; 100]);
        c.set_position(30);
        assert_eq!(remaining(&mut c).unwrap(), 70);
        assert_eq!(c.position(), 30);
    }

    #[test]
    fn the_content_type_comes_from_the_extension_unless_given() {
        assert_eq!(
            UploadAttachmentRequest::new("a.DOCX").content_type(),
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        );
        assert_eq!(UploadAttachmentRequest::new("a.exe").content_type(), None);
        assert_eq!(UploadAttachmentRequest::new("noext").content_type(), None);
    }
}
