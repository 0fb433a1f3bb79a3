//! CompleteAttachmentUpload: an attachment uploaded whole becomes an `ATTACHMENT` item
//! of the transcript, once.

use serde_json::{Value, json};

use super::required_client_token;
use crate::emulator::chat::AttachmentItem;
use crate::emulator::http::{Reply, Request};
use crate::emulator::protocol::{
    MAX_ID, bearer, body, chars_within, error_reply, length, null_member, ok, serialization,
    validation,
};
use crate::emulator::service::{NewItem, Service};

pub(in crate::emulator) fn handle(service: &Service, request: &Request) -> Result<Reply, Reply> {
    let token = bearer(request, "connectionToken")?;
    let map = body(request)?;
    let ids = match map.get("AttachmentIds") {
        None | Some(Value::Null) => return Err(null_member("attachmentIds")),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(serialization("AttachmentIds must be a list of strings")),
    };
    // Two are enough to tell one from many: a long list is not copied to be refused.
    let mut strings = Vec::with_capacity(1);
    for v in ids.iter().take(2) {
        let Some(s) = v.as_str() else {
            return Err(serialization("AttachmentIds must be a list of strings"));
        };
        strings.push(s);
    }
    let [id] = strings[..] else {
        return Err(length("attachmentIds", 1, 1));
    };
    chars_within(id, "attachmentIds.member", 1, MAX_ID)?;
    let client_token = required_client_token(&map)?;

    let mut state = service.lock();
    let (contact_id, who) = Service::connected(&state, token)?;
    let Some(upload) = state
        .attachments
        .upload_mut(id)
        .filter(|u| u.contact_id == contact_id)
    else {
        return Err(validation(format!(
            "1 validation error detected: Value '{id}' at 'attachmentIds' failed to satisfy \
             constraint: Member must be the AttachmentId of an upload started in this chat"
        )));
    };
    match &upload.completed {
        Some(earlier) if *earlier == client_token => return Ok(ok(&json!({}))),
        Some(_) => {
            return Err(error_reply(
                409,
                "ConflictException",
                "The attachment has already been completed with another ClientToken",
            ));
        }
        None => {}
    }
    if upload.bytes.as_ref().is_none_or(|b| b.len() != upload.size) {
        return Err(validation(format!(
            "The attachment {id} has not been uploaded whole: PUT its \
             AttachmentSizeInBytes bytes to UploadMetadata.Url first"
        )));
    }
    upload.completed = Some(client_token);
    let file = AttachmentItem {
        content_type: upload.content_type.clone(),
        attachment_id: id.to_owned(),
        attachment_name: upload.name.clone(),
        status: "APPROVED",
    };
    let max = service.settings.max_kept_bytes;
    state.record_item(&contact_id, NewItem::Attachment { who, file }, max);
    Ok(ok(&json!({})))
}
