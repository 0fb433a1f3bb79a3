//! StartAttachmentUpload: a new attachment of the chat, and the presigned URL its bytes
//! are PUT to.

use serde_json::{Map, Value, json};

use super::required_client_token;
use crate::emulator::attachments::{
    MAX_ATTACHMENT_SIZE, UPLOAD_PATH, UPLOAD_URL_LIFETIME, Upload, disposition, format_seconds,
    new_secret, whole_seconds,
};
use crate::emulator::chat::later;
use crate::emulator::http::{Reply, Request};
use crate::emulator::ids::new_uuid;
use crate::emulator::protocol::{
    bearer, body, chars_within, error_reply, fingerprint, null_member, ok, serialization, string,
    validation,
};
use crate::emulator::service::Service;

/// The attachment's `ContentType`: 1 to 255 characters.
const MAX_ATTACHMENT_CONTENT_TYPE: usize = 255;
/// `AttachmentName`: 1 to 256 characters.
const MAX_ATTACHMENT_NAME: usize = 256;

pub(in crate::emulator) fn handle(service: &Service, request: &Request) -> Result<Reply, Reply> {
    let token = bearer(request, "connectionToken")?;
    let map = body(request)?;
    let Some(content_type) = string(&map, "ContentType")? else {
        return Err(null_member("contentType"));
    };
    chars_within(&content_type, "contentType", 1, MAX_ATTACHMENT_CONTENT_TYPE)?;
    let size = attachment_size(&map)?;
    let Some(name) = string(&map, "AttachmentName")? else {
        return Err(null_member("attachmentName"));
    };
    chars_within(&name, "attachmentName", 1, MAX_ATTACHMENT_NAME)?;
    let client_token = required_client_token(&map)?;

    let mut state = service.lock();
    let (contact_id, who) = Service::connected(&state, token)?;
    let print = fingerprint((&content_type, size, &name));
    let key = (contact_id.clone(), who, client_token.clone(), print);
    // A retry (the same token and request): the same attachment, the same URL.
    if let Some(upload) = state.attachments.by_client_token(&key) {
        return Ok(ok(&upload.answer));
    }
    if state.attachments.started_in(&contact_id) >= service.settings.max_attachments_per_chat {
        return Err(error_reply(
            402,
            "ServiceQuotaExceededException",
            "The number of attachments per contact exceeds the quota",
        ));
    }
    let now = state.chats.now();
    let url_expiry = whole_seconds(later(now, UPLOAD_URL_LIFETIME));
    let id = new_uuid();
    let secret = new_secret();
    let url = format!("http://{}{UPLOAD_PATH}{secret}", service.authority);
    let headers = vec![
        ("Content-Type".to_owned(), content_type.clone()),
        ("Content-Length".to_owned(), size.to_string()),
        (
            "Content-Disposition".to_owned(),
            disposition("attachment", &name),
        ),
        (
            "x-amz-acl".to_owned(),
            "bucket-owner-full-control".to_owned(),
        ),
        ("x-amz-meta-contact_id".to_owned(), contact_id.clone()),
    ];
    let to_include: Map<String, Value> =
        headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    let answer = json!({
        "AttachmentId": id,
        "UploadMetadata": {
            "Url": url,
            "UrlExpiry": format_seconds(url_expiry),
            "HeadersToInclude": to_include,
        },
    });
    let upload = Upload {
        contact_id,
        who,
        client_token,
        content_type,
        name,
        size,
        secret,
        url_expiry,
        answer: answer.clone(),
        headers,
        bytes: None,
        completed: None,
    };
    state.attachments.start(id, upload);
    Ok(ok(&answer))
}

/// `AttachmentSizeInBytes`: an integer from 1 to [`MAX_ATTACHMENT_SIZE`].
fn attachment_size(map: &Map<String, Value>) -> Result<usize, Reply> {
    let rule = |rule: &str| {
        validation(format!(
            "1 validation error detected: Value at 'attachmentSizeInBytes' failed to satisfy \
             constraint: {rule}"
        ))
    };
    match map.get("AttachmentSizeInBytes") {
        None | Some(Value::Null) => Err(null_member("attachmentSizeInBytes")),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_i64()) {
            (Some(0), _) | (None, Some(_)) => {
                Err(rule("Member must have value greater than or equal to 1"))
            }
            (Some(v), _) if v > MAX_ATTACHMENT_SIZE => Err(rule(
                "Member must have value less than or equal to 20000000 (the service's 20 MB \
                 per attachment)",
            )),
            (Some(v), _) => Ok(v as usize),
            (None, None) => Err(serialization("AttachmentSizeInBytes must be an integer")),
        },
        Some(_) => Err(serialization("AttachmentSizeInBytes must be an integer")),
    }
}
