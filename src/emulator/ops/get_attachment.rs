//! GetAttachment: a fresh presigned download URL for a completed attachment of the chat.

use std::time::Duration;

use serde_json::{Value, json};

use crate::emulator::attachments::{
    DOWNLOAD_PATH, Download, format_seconds, new_secret, whole_seconds,
};
use crate::emulator::chat::later;
use crate::emulator::http::{Reply, Request};
use crate::emulator::protocol::{
    MAX_ID, bearer, body, chars_within, denied, enum_value, null_member, ok, serialization, string,
    validation,
};
use crate::emulator::service::Service;

/// GetAttachment's `UrlExpiryInSeconds`: 5 to 300, 300 when left out.
const MIN_DOWNLOAD_LIFETIME: u64 = 5;
const MAX_DOWNLOAD_LIFETIME: u64 = 300;

pub(in crate::emulator) fn handle(service: &Service, request: &Request) -> Result<Reply, Reply> {
    let token = bearer(request, "connectionToken")?;
    let map = body(request)?;
    let Some(id) = string(&map, "AttachmentId")? else {
        return Err(null_member("attachmentId"));
    };
    chars_within(&id, "attachmentId", 1, MAX_ID)?;
    let lifetime = url_lifetime(&map)?;
    let inline = match string(&map, "UrlContentDisposition")?.as_deref() {
        None | Some("ATTACHMENT") => false,
        Some("INLINE") => true,
        Some(other) => {
            return Err(enum_value(
                "urlContentDisposition",
                other,
                &["ATTACHMENT", "INLINE"],
            ));
        }
    };

    let mut state = service.lock();
    let (contact_id, who) = Service::connected(&state, token)?;
    // "The participant role CUSTOM_BOT is not permitted to access attachments."
    let role = state
        .chats
        .chat(&contact_id)
        .and_then(|c| c.participants.get(who))
        .map(|p| p.role.as_str());
    if role == Some("CUSTOM_BOT") {
        return Err(denied());
    }
    let upload = state
        .attachments
        .upload(&id)
        .filter(|u| u.contact_id == contact_id && u.completed.is_some());
    let Some(upload) = upload else {
        return Err(validation(format!(
            "1 validation error detected: Value '{id}' at 'attachmentId' failed to satisfy \
             constraint: Member must be the AttachmentId of a completed attachment of this \
             chat"
        )));
    };
    if upload.bytes.is_none() {
        return Err(validation(format!(
            "The attachment {id} is no longer kept by the emulator (max_kept_bytes)"
        )));
    }
    let size = upload.size;
    let now = state.chats.now();
    let expiry = whole_seconds(later(now, Duration::from_secs(lifetime)));
    let secret = new_secret();
    let url = format!("http://{}{DOWNLOAD_PATH}{secret}", service.authority);
    state.attachments.keep_download(
        secret,
        Download {
            attachment_id: id,
            expiry,
            inline,
        },
        now,
    );
    Ok(ok(&json!({
        "AttachmentSizeInBytes": size,
        "Url": url,
        "UrlExpiry": format_seconds(expiry),
    })))
}

/// `UrlExpiryInSeconds`, in seconds: 5 to 300, 300 when left out (the service's default
/// is not documented).
fn url_lifetime(map: &serde_json::Map<String, Value>) -> Result<u64, Reply> {
    match map.get("UrlExpiryInSeconds") {
        None | Some(Value::Null) => Ok(MAX_DOWNLOAD_LIFETIME),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_i64()) {
            (Some(v), _) if (MIN_DOWNLOAD_LIFETIME..=MAX_DOWNLOAD_LIFETIME).contains(&v) => Ok(v),
            (Some(_), _) | (None, Some(_)) => Err(validation(
                "1 validation error detected: Value at 'urlExpiryInSeconds' failed to \
                 satisfy constraint: Member must have value between 5 and 300",
            )),
            (None, None) => Err(serialization("UrlExpiryInSeconds must be an integer")),
        },
        Some(_) => Err(serialization("UrlExpiryInSeconds must be an integer")),
    }
}
