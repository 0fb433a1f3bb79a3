//! DescribeView, the one `GET`: the view registered for the token its path names.

use serde_json::json;

use crate::emulator::http::{Reply, Request};
use crate::emulator::protocol::{bearer, chars_within, error_reply, validation};
use crate::emulator::service::Service;
use crate::emulator::views::{MAX_VIEW_TOKEN, percent_decode};

/// Where DescribeView's label starts.
const VIEWS_PATH: &str = "/participant/views/";

/// The view token's label in a DescribeView path, still percent-encoded; `None` for
/// another path. It is one path segment: a `/` in the token arrives as `%2F`.
pub(in crate::emulator) fn label(path: &str) -> Option<&str> {
    path.strip_prefix(VIEWS_PATH)
        .filter(|label| !label.contains('/'))
}

pub(in crate::emulator) fn handle(service: &Service, request: &Request) -> Result<Reply, Reply> {
    let label = label(&request.path).unwrap_or_default();
    let token = bearer(request, "connectionToken")?;
    let Some(view_token) = percent_decode(label) else {
        return Err(validation(
            "1 validation error detected: Value at 'viewToken' failed to satisfy \
             constraint: Member must be a percent-encoded UTF-8 path segment",
        ));
    };
    chars_within(&view_token, "viewToken", 1, MAX_VIEW_TOKEN)?;
    // The body, if any, is not read: the operation has no body members.
    let state = service.lock();
    Service::connected(&state, token)?;
    let Some(view) = state.views.get(&view_token) else {
        let body = json!({
            "message": "The view does not exist or the view token has expired",
            "ResourceId": view_token,
            "ResourceType": "CONTACT_FLOW",
        });
        let mut reply = error_reply(404, "ResourceNotFoundException", "");
        reply.body = body.to_string().into_bytes();
        return Err(reply);
    };
    // The View as registered, its members in the order given.
    let text = format!("{{\"View\":{view}}}");
    Ok(Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: text.into_bytes(),
    })
}
