//! Attachments: the uploads StartAttachmentUpload starts and CompleteAttachmentUpload
//! completes, and the presigned upload and download URLs that stand in for S3.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::http::{Admit, Outcome, Reply, Request};
use super::ids::random_bytes;
use super::protocol::{fingerprint, format_time};
use super::s3_cors;
use super::service::{Service, State};

/// Where upload URLs live: this, then the URL's secret.
pub(super) const UPLOAD_PATH: &str = "/emulator/uploads/";
/// Where download URLs live: this, then the URL's secret.
pub(super) const DOWNLOAD_PATH: &str = "/emulator/downloads/";
/// The largest attachment, in bytes: the service's 20 MB per file.
pub(super) const MAX_ATTACHMENT_SIZE: u64 = 20_000_000;
/// How long an upload URL is good for (`UploadMetadata.UrlExpiry`).
pub(super) const UPLOAD_URL_LIFETIME: Duration = Duration::from_secs(300);
/// How many attachments the emulator keeps in all chats: a new one forgets the oldest,
/// its bytes and its URLs.
pub(super) const MAX_ATTACHMENTS: usize = 10_000;
/// How many download URLs the emulator keeps: a new one forgets expired ones, then the
/// oldest.
pub(super) const MAX_DOWNLOAD_URLS: usize = 10_000;

/// One attachment, from StartAttachmentUpload on.
pub(super) struct Upload {
    pub(super) contact_id: String,
    pub(super) who: usize,
    pub(super) client_token: String,
    pub(super) content_type: String,
    pub(super) name: String,
    pub(super) size: usize,
    pub(super) secret: String,
    pub(super) url_expiry: SystemTime,
    /// What StartAttachmentUpload answered, to answer a retry alike.
    pub(super) answer: Value,
    /// `HeadersToInclude`, each of which the PUT must carry with this value.
    pub(super) headers: Vec<(String, String)>,
    /// The last whole body PUT, until forgotten to stay within `max_kept_bytes`; shared
    /// with the downloads being written, so that N of them hold one copy, not N.
    pub(super) bytes: Option<Arc<[u8]>>,
    /// The `ClientToken` of the CompleteAttachmentUpload that completed it.
    pub(super) completed: Option<String>,
}

/// A URL GetAttachment issued.
pub(super) struct Download {
    pub(super) attachment_id: String,
    pub(super) expiry: SystemTime,
    pub(super) inline: bool,
}

/// (contact id, participant, client token, [`fingerprint`] of the content type, size and
/// name): StartAttachmentUpload's idempotency key, per participant and per request.
pub(super) type UploadKey = (String, usize, String, u64);

impl Upload {
    /// Its idempotency key.
    pub(super) fn key(&self) -> UploadKey {
        (
            self.contact_id.clone(),
            self.who,
            self.client_token.clone(),
            fingerprint((&self.content_type, self.size, &self.name)),
        )
    }
}

/// Every attachment, its URLs and its bytes. Not `Debug`: it holds the URLs' secrets.
#[derive(Default)]
pub(super) struct Attachments {
    /// By attachment id.
    uploads: HashMap<String, Upload>,
    /// Attachment ids, oldest first: the order they are forgotten in.
    order: VecDeque<String>,
    /// Upload URL secret -> attachment id.
    by_secret: HashMap<String, String>,
    by_token: HashMap<UploadKey, String>,
    /// How many attachments each chat has started (and the emulator keeps).
    per_chat: HashMap<String, usize>,
    downloads: HashMap<String, Download>,
    download_order: VecDeque<String>,
    /// Attachment ids whose bytes are held, in the order they were PUT: the order they
    /// are forgotten in.
    held: VecDeque<String>,
    /// The bytes held, as counted against `max_kept_bytes`.
    pub(super) bytes: usize,
    /// How many upload or download requests carried `X-Amz-Bearer` or `Authorization`.
    pub(super) bearer_refusals: usize,
}

impl Attachments {
    /// The bytes uploaded for an attachment, completed or not, if still held.
    pub(super) fn bytes_of(&self, attachment_id: &str) -> Option<Vec<u8>> {
        self.uploads
            .get(attachment_id)?
            .bytes
            .as_deref()
            .map(<[u8]>::to_vec)
    }

    pub(super) fn upload(&self, attachment_id: &str) -> Option<&Upload> {
        self.uploads.get(attachment_id)
    }

    pub(super) fn upload_mut(&mut self, attachment_id: &str) -> Option<&mut Upload> {
        self.uploads.get_mut(attachment_id)
    }

    /// The upload this participant started with this client token and request, if still
    /// kept: what a retry of it is answered.
    pub(super) fn by_client_token(&self, key: &UploadKey) -> Option<&Upload> {
        self.uploads
            .get(self.by_token.get(key)?)
            .filter(|u| u.key() == *key)
    }

    /// How many uploads a chat has started, of those kept.
    pub(super) fn started_in(&self, contact_id: &str) -> usize {
        self.per_chat.get(contact_id).copied().unwrap_or(0)
    }

    /// Keeps a new upload under its id, forgetting the oldest attachments beyond
    /// [`MAX_ATTACHMENTS`] first.
    pub(super) fn start(&mut self, id: String, upload: Upload) {
        while self.uploads.len() >= MAX_ATTACHMENTS {
            self.forget_oldest();
        }
        self.by_secret.insert(upload.secret.clone(), id.clone());
        self.by_token.insert(upload.key(), id.clone());
        *self.per_chat.entry(upload.contact_id.clone()).or_insert(0) += 1;
        self.order.push_back(id.clone());
        self.uploads.insert(id, upload);
    }

    /// Forgets the bytes of the attachment PUT longest ago, but not of the newest; `false`
    /// if there is none to forget.
    pub(super) fn forget_oldest_bytes(&mut self) -> bool {
        if self.held.len() <= 1 {
            return false;
        }
        let Some(id) = self.held.pop_front() else {
            return false;
        };
        if let Some(bytes) = self.uploads.get_mut(&id).and_then(|u| u.bytes.take()) {
            self.bytes -= bytes.len();
        }
        true
    }

    /// Forgets the oldest attachment, its bytes, its URLs and its client token.
    fn forget_oldest(&mut self) {
        let Some(id) = self.order.pop_front() else {
            return;
        };
        let Some(upload) = self.uploads.remove(&id) else {
            return;
        };
        self.by_secret.remove(&upload.secret);
        self.by_token.remove(&upload.key());
        if let Some(n) = self.per_chat.get_mut(&upload.contact_id) {
            *n -= 1;
            if *n == 0 {
                self.per_chat.remove(&upload.contact_id);
            }
        }
        if let Some(bytes) = upload.bytes {
            self.bytes -= bytes.len();
            self.held.retain(|h| *h != id);
        }
        // Its download URLs go when they expire or are pushed out; they find nothing.
    }

    /// Keeps a download URL, forgetting expired ones, then the oldest, beyond the bound.
    pub(super) fn keep_download(&mut self, secret: String, download: Download, now: SystemTime) {
        if self.downloads.len() >= MAX_DOWNLOAD_URLS {
            let downloads = &mut self.downloads;
            self.download_order.retain(|s| match downloads.get(s) {
                Some(d) if d.expiry >= now => true,
                _ => {
                    downloads.remove(s);
                    false
                }
            });
        }
        while self.downloads.len() >= MAX_DOWNLOAD_URLS {
            let Some(old) = self.download_order.pop_front() else {
                break;
            };
            self.downloads.remove(&old);
        }
        self.download_order.push_back(secret.clone());
        self.downloads.insert(secret, download);
    }
}

/// The bytes reserved for an upload body being read, given back when dropped.
struct Reserved {
    reading: Arc<AtomicUsize>,
    bytes: usize,
}

impl Drop for Reserved {
    fn drop(&mut self) {
        self.reading.fetch_sub(self.bytes, Ordering::SeqCst);
    }
}

/// An S3-style error: HTTP `status`, an XML body `<Error><Code>…</Code><Message>…</Message>`.
pub(super) fn s3_error(status: u16, code: &str, message: &str) -> Reply {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message></Error>",
        xml_escape(message)
    );
    Reply {
        status,
        headers: vec![("Content-Type".into(), "application/xml".into())],
        body: body.into_bytes(),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What S3 answers a presigned request whose signed headers do not match.
fn signature_mismatch(header: &str) -> Reply {
    s3_error(
        403,
        "SignatureDoesNotMatch",
        &format!(
            "The request signature we calculated does not match the signature you provided: \
             send every header of HeadersToInclude with its value unchanged ({header} is \
             missing or differs)"
        ),
    )
}

fn expired() -> Reply {
    s3_error(403, "AccessDenied", "Request has expired")
}

/// A time as the service writes URL expiries: without milliseconds,
/// `2023-08-03T08:15:46Z`.
pub(super) fn format_seconds(t: SystemTime) -> String {
    let full = format_time(t);
    format!("{}Z", &full[..19])
}

/// `t` cut to the whole second, as it is written by [`format_seconds`].
pub(super) fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// A fresh secret for a URL: 32 random bytes as 64 hex digits (no escaping in a path).
pub(super) fn new_secret() -> String {
    let mut secret = [0u8; 32];
    random_bytes(&mut secret);
    secret.iter().map(|b| format!("{b:02x}")).collect()
}

/// The file name in a `Content-Disposition` value: in quotes, with `\` and `"` escaped and
/// control characters (which no header may carry) written as `_`.
pub(super) fn disposition(kind: &str, name: &str) -> String {
    let mut quoted = String::with_capacity(name.len() + 2);
    for c in name.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            c if c.is_control() => quoted.push('_'),
            c => quoted.push(c),
        }
    }
    format!("{kind}; filename=\"{quoted}\"")
}

/// An opaque entity tag for a body (not S3's MD5: two FNV-1a hashes), in quotes.
fn etag(bytes: &[u8]) -> String {
    let fnv = |seed: u64| {
        bytes.iter().fold(seed, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!(
        "\"{:016x}{:016x}\"",
        fnv(0xcbf2_9ce4_8422_2325),
        fnv(0x6c62_272e_07bb_0142)
    )
}

/// Whether a request carries credentials that a presigned URL must never get.
fn carries_credentials(request: &Request) -> bool {
    request.header("x-amz-bearer").is_some() || request.header("authorization").is_some()
}

/// Which of the two presigned URLs a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presigned {
    Upload,
    Download,
}

/// What a presigned URL that passed its checks grants: an attachment, and for a download
/// how to present it.
struct Grant {
    attachment_id: String,
    inline: bool,
}

impl State {
    /// The checks every request to a presigned URL meets, in S3's order: no credentials
    /// (each refusal counted), the URL's one method, a URL the emulator issued, not
    /// expired.
    fn check_presigned(&mut self, request: &Request, url: Presigned) -> Result<Grant, Reply> {
        if carries_credentials(request) {
            self.attachments.bearer_refusals += 1;
            return Err(s3_error(
                403,
                "AccessDenied",
                "A presigned URL takes no X-Amz-Bearer or Authorization header: never send \
                 the connection token to it",
            ));
        }
        let (method, path, verb) = match url {
            Presigned::Upload => ("PUT", UPLOAD_PATH, "upload"),
            Presigned::Download => ("GET", DOWNLOAD_PATH, "download"),
        };
        if request.method != method {
            return Err(s3_error(
                405,
                "MethodNotAllowed",
                &format!(
                    "The specified method is not allowed against this resource: {verb} with \
                     {method}"
                ),
            ));
        }
        let secret = request.path.strip_prefix(path).unwrap_or_default();
        let attachments = &self.attachments;
        let found = match url {
            Presigned::Upload => attachments.by_secret.get(secret).and_then(|id| {
                let upload = attachments.uploads.get(id)?;
                Some((id, upload.url_expiry, false))
            }),
            Presigned::Download => attachments
                .downloads
                .get(secret)
                .map(|d| (&d.attachment_id, d.expiry, d.inline)),
        };
        let Some((id, expiry, inline)) = found else {
            return Err(s3_error(403, "AccessDenied", "Access Denied"));
        };
        if self.chats.now() > expiry {
            return Err(expired());
        }
        Ok(Grant {
            attachment_id: id.clone(),
            inline,
        })
    }

    /// The checks an upload request meets, head first: those of every presigned URL, then
    /// an upload not yet completed, and every signed header. The attachment's id and size.
    fn check_upload(&mut self, request: &Request) -> Result<(String, usize), Reply> {
        let grant = self.check_presigned(request, Presigned::Upload)?;
        let Some(upload) = self.attachments.uploads.get(&grant.attachment_id) else {
            return Err(s3_error(403, "AccessDenied", "Access Denied"));
        };
        if upload.completed.is_some() {
            return Err(s3_error(
                403,
                "AccessDenied",
                "The upload has been completed: the URL takes no more bodies",
            ));
        }
        for (name, value) in &upload.headers {
            let mut sent = request
                .headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(name));
            match (sent.next(), sent.next()) {
                (Some((_, v)), None) if v == value => {}
                _ => return Err(signature_mismatch(name)),
            }
        }
        Ok((grant.attachment_id, upload.size))
    }
}

impl Service {
    /// Whether to read the body of a request for an upload URL, and how much: exactly the
    /// attachment's declared size (up to 20,000,000 bytes, whatever `max_body` is), once
    /// the head has passed every check; otherwise the refusal, answered without keeping
    /// the body. The bodies being read take at most `max_kept_bytes` in all (or one body,
    /// if it is larger alone): past it, 503 `SlowDown`, as S3 answers when overloaded.
    pub(super) fn admit_upload(&self, head: &Request) -> Admit {
        let size = match self.lock().check_upload(head) {
            Ok((_, size)) => size,
            Err(reply) => return Admit::Refuse(reply),
        };
        let before = self.reading.fetch_add(size, Ordering::SeqCst);
        let reserved = Reserved {
            reading: Arc::clone(&self.reading),
            bytes: size,
        };
        if before > 0 && before + size > self.settings.max_kept_bytes {
            drop(reserved);
            return Admit::Refuse(s3_error(
                503,
                "SlowDown",
                "Please reduce your request rate: the emulator reads at most max_kept_bytes \
                 of uploads at once",
            ));
        }
        Admit::Held(size, Box::new(reserved))
    }

    /// Serves the presigned URLs: `PUT` of an upload URL, `GET` of a download URL, and a
    /// CORS preflight (`OPTIONS`) of either; `None` for any other path.
    pub(super) fn presigned(&self, request: &Request) -> Option<Outcome> {
        let upload = request.path.starts_with(UPLOAD_PATH);
        if !upload && !request.path.starts_with(DOWNLOAD_PATH) {
            return None;
        }
        if request.method == "OPTIONS" {
            let method = if upload { "PUT" } else { "GET" };
            return Some(Outcome::Reply(s3_cors::preflight(request, method)));
        }
        Some(if upload {
            Outcome::Reply(self.upload(request))
        } else {
            self.download(request)
        })
    }

    fn upload(&self, request: &Request) -> Reply {
        let mut state = self.lock();
        let (id, size) = match state.check_upload(request) {
            Ok(v) => v,
            Err(reply) => return reply,
        };
        // The HTTP layer read exactly `Content-Length`, which is signed as `size`.
        if request.body.len() != size {
            return s3_error(
                400,
                "IncompleteBody",
                "You did not provide the number of bytes specified by the Content-Length",
            );
        }
        let tag = etag(&request.body);
        let attachments = &mut state.attachments;
        let Some(upload) = attachments.uploads.get_mut(&id) else {
            return s3_error(403, "AccessDenied", "Access Denied");
        };
        // A retry: the last whole body wins.
        if let Some(old) = upload.bytes.replace(Arc::from(&request.body[..])) {
            attachments.bytes -= old.len();
        }
        attachments.bytes += size;
        let contact_id = upload.contact_id.clone();
        attachments.held.retain(|h| *h != id);
        attachments.held.push_back(id);
        state.keep_within(self.settings.max_kept_bytes, Some(&contact_id));
        Reply {
            status: 200,
            headers: vec![("ETag".into(), tag)],
            body: Vec::new(),
        }
    }

    /// A download: the attachment's bytes shared with the answer, not copied into it.
    fn download(&self, request: &Request) -> Outcome {
        let mut state = self.lock();
        let grant = match state.check_presigned(request, Presigned::Download) {
            Ok(grant) => grant,
            Err(reply) => return Outcome::Reply(reply),
        };
        let upload = state.attachments.uploads.get(&grant.attachment_id);
        let Some((upload, bytes)) = upload.and_then(|u| Some((u, u.bytes.as_ref()?))) else {
            let missing = s3_error(404, "NoSuchKey", "The specified key does not exist.");
            return Outcome::Reply(missing);
        };
        let kind = if grant.inline { "inline" } else { "attachment" };
        let head = Reply {
            status: 200,
            headers: vec![
                ("Content-Type".into(), upload.content_type.clone()),
                (
                    "Content-Disposition".into(),
                    disposition(kind, &upload.name),
                ),
                ("ETag".into(), etag(bytes)),
            ],
            body: Vec::new(),
        };
        Outcome::Shared(head, Arc::clone(bytes))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::emulator::chat::CUSTOMER;
    use crate::emulator::service::small_service;

    fn post(path: &str, token: &str, body: &Value) -> Request {
        Request {
            method: "POST".into(),
            path: path.into(),
            headers: vec![("X-Amz-Bearer".into(), token.into())],
            body: body.to_string().into_bytes(),
            close: false,
        }
    }

    /// The head of a PUT to a started upload's URL, with its headers to include.
    fn put_head(answer: &[u8]) -> Request {
        let v: Value = serde_json::from_slice(answer).unwrap();
        let url = v["UploadMetadata"]["Url"].as_str().unwrap();
        Request {
            method: "PUT".into(),
            path: url.strip_prefix("http://127.0.0.1:1").unwrap().into(),
            headers: v["UploadMetadata"]["HeadersToInclude"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect(),
            body: Vec::new(),
            close: false,
        }
    }

    /// A new chat's customer connection token.
    fn customer_token(service: &Service) -> String {
        let started = service.lock().chats.start_chat();
        let (token, _) = service
            .lock()
            .chats
            .issue(&started.contact_id, CUSTOMER)
            .unwrap();
        token
    }

    #[test]
    fn upload_bodies_being_read_stay_within_max_kept_bytes() {
        // 1 MiB of kept bytes: one 600,000-byte body at a time.
        let service = small_service();
        let token = customer_token(&service);
        let heads: Vec<Request> = ["a", "b"]
            .iter()
            .map(|name| {
                let body = json!({"AttachmentName": name, "AttachmentSizeInBytes": 600_000,
                    "ClientToken": name, "ContentType": "text/plain"});
                let reply =
                    service.handle(&post("/participant/start-attachment-upload", &token, &body));
                assert_eq!(reply.status, 200);
                put_head(&reply.body)
            })
            .collect();
        let first = service.admit_upload(&heads[0]);
        assert!(matches!(first, Admit::Held(600_000, _)));
        match service.admit_upload(&heads[1]) {
            Admit::Refuse(reply) => assert_eq!(reply.status, 503),
            _ => panic!("a second body past the bound is refused"),
        }
        drop(first);
        assert_eq!(service.reading.load(Ordering::SeqCst), 0);
        assert!(matches!(service.admit_upload(&heads[1]), Admit::Held(..)));
        assert_eq!(service.reading.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn concurrent_downloads_of_one_attachment_share_its_bytes() {
        let service = small_service();
        let token = customer_token(&service);
        let body = json!({"AttachmentName": "a.bin", "AttachmentSizeInBytes": 100_000,
            "ClientToken": "a", "ContentType": "application/octet-stream"});
        let reply = service.handle(&post("/participant/start-attachment-upload", &token, &body));
        assert_eq!(reply.status, 200);
        let id = serde_json::from_slice::<Value>(&reply.body).unwrap()["AttachmentId"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut put = put_head(&reply.body);
        put.body = vec![7; 100_000];
        assert_eq!(service.handle(&put).status, 200);
        let done = json!({"AttachmentIds": [id], "ClientToken": "c"});
        let reply = service.handle(&post(
            "/participant/complete-attachment-upload",
            &token,
            &done,
        ));
        assert_eq!(reply.status, 200);
        let kept = service.lock().kept_bytes();
        // Eight downloads being written at once, through four URLs.
        let outcomes: Vec<Outcome> = (0..8)
            .map(|i| {
                let ask = json!({"AttachmentId": id, "UrlExpiryInSeconds": 5 + i % 4});
                let reply = service.handle(&post("/participant/attachment", &token, &ask));
                let v: Value = serde_json::from_slice(&reply.body).unwrap();
                let url = v["Url"].as_str().unwrap();
                let path = url.strip_prefix("http://127.0.0.1:1").unwrap();
                let get = Request {
                    method: "GET".into(),
                    path: path.into(),
                    headers: Vec::new(),
                    body: Vec::new(),
                    close: false,
                };
                service.presigned(&get).unwrap()
            })
            .collect();
        let held = service.lock().attachments.uploads[&id]
            .bytes
            .clone()
            .unwrap();
        for outcome in &outcomes {
            let Outcome::Shared(head, body) = outcome else {
                panic!("a download's body is shared");
            };
            assert_eq!(head.status, 200);
            assert!(head.body.is_empty());
            assert!(Arc::ptr_eq(body, &held));
        }
        // One copy: the attachment's, counted once; eight downloads and `held` share it.
        assert_eq!(Arc::strong_count(&held), 1 + 8 + 1);
        assert_eq!(service.lock().kept_bytes(), kept);
        drop(outcomes);
        assert_eq!(Arc::strong_count(&held), 2);
    }

    #[test]
    fn url_times_have_no_milliseconds_and_etags_differ() {
        let t = UNIX_EPOCH + Duration::from_millis(1_691_050_546_789);
        assert_eq!(format_seconds(t), "2023-08-03T08:15:46Z");
        assert_eq!(
            format_seconds(whole_seconds(t)),
            "2023-08-03T08:15:46Z".to_owned()
        );
        assert!(whole_seconds(t) <= t);
        assert_ne!(etag(b"a"), etag(b"b"));
        assert_eq!(etag(b"a").len(), 34);
        assert_eq!(
            disposition("attachment", "a\"b\\c\nd.txt"),
            "attachment; filename=\"a\\\"b\\\\c_d.txt\""
        );
    }
}
