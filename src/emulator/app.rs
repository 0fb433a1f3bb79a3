//! What the HTTP layer is handed: the service (with the faults the test queued), and the
//! requests it keeps for the test around it.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::SeenRequest;
use super::attachments::UPLOAD_PATH;
use super::builder::Limits;
use super::http::{Admit, Handler, Outcome, Reply, Request};
use super::protocol::error_reply;
use super::remote::REVOKE_PATH;
use super::service::Service;

/// What the HTTP layer is handed: the service, with the faults to apply and the requests
/// to keep around it.
pub(super) struct App {
    pub(super) limits: Limits,
    pub(super) service: Service,
    pub(super) records: Mutex<Records>,
}

/// The requests kept for the test.
#[derive(Default)]
pub(super) struct Records {
    pub(super) seen: VecDeque<SeenRequest>,
    /// The bytes held in `seen`, as [`SeenRequest::kept_bytes`] counts them.
    pub(super) seen_bytes: usize,
}

impl App {
    pub(super) fn records(&self) -> MutexGuard<'_, Records> {
        // A panicking request must not take the whole emulator down with it.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Handler for App {
    fn admit(&self, head: &Request, max_body: usize) -> Admit {
        // An upload's body is bounded by its declared size, not by `max_body`.
        // A preflight has no body to bound by a size.
        if head.path.starts_with(UPLOAD_PATH) && head.method != "OPTIONS" {
            return self.service.admit_upload(head);
        }
        Admit::Body(max_body)
    }

    fn handle(&self, request: &Request) -> Outcome {
        // The presigned URLs (S3's part) take no fault and are not kept: their paths are
        // secrets, and an upload's body may be 20 MB.
        if let Some(outcome) = self.service.presigned(request) {
            return outcome;
        }
        // A WebSocket URL takes no fault and is not kept: its path is a secret, and a
        // client's socket must not take a fault queued for the test's next call.
        if let Some(outcome) = self.service.websocket(request) {
            return outcome;
        }
        self.records().keep(request, &self.limits);
        // The control path (the test's own calls) takes no fault: a fault queued over it
        // is for the next request to the service, not for the test's next control call.
        let fault = if request.path.starts_with("/emulator/") {
            None
        } else {
            self.service.faults().pop_front()
        };
        match fault {
            None => Outcome::Reply(self.service.handle(request)),
            Some(fault) => fault.apply(|| self.service.handle(request)),
        }
    }

    fn malformed(&self, status: u16, message: &str) -> Reply {
        error_reply(status, "SerializationException", message)
    }
}

impl Records {
    /// Keeps what [`Emulator::seen_requests`](super::Emulator::seen_requests) shows of
    /// `request` (no bearer, the body cut to the byte budget), dropping the oldest to stay
    /// within the limits.
    pub(super) fn keep(&mut self, request: &Request, limits: &Limits) {
        if limits.max_seen_requests == 0 {
            return;
        }
        let kept_header = |(k, _): &&(String, String)| !k.eq_ignore_ascii_case("x-amz-bearer");
        let head_bytes = request.method.len()
            + request.path.len()
            + request
                .headers
                .iter()
                .filter(kept_header)
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        // A head that does not fit even alone is not kept at all.
        let Some(room) = limits.max_seen_bytes.checked_sub(head_bytes) else {
            return;
        };
        // Only what is kept is copied: a body over the budget is cut before the copy. A
        // revoke's body is a connection token: not kept.
        let kept_body = if request.path == REVOKE_PATH {
            0
        } else {
            request.body.len().min(room)
        };
        let request = SeenRequest {
            method: request.method.clone(),
            path: request.path.clone(),
            headers: request
                .headers
                .iter()
                .filter(kept_header)
                .cloned()
                .collect(),
            body: request.body[..kept_body].to_vec(),
        };
        let size = head_bytes + kept_body;
        while self.seen.len() >= limits.max_seen_requests
            || self.seen_bytes + size > limits.max_seen_bytes
        {
            let Some(oldest) = self.seen.pop_front() else {
                break;
            };
            self.seen_bytes -= oldest.kept_bytes();
        }
        self.seen_bytes += size;
        self.seen.push_back(request);
    }
}
