//! Fault injection: what the emulator does instead of (or after) serving a request.

use super::http::{Outcome, Reply};
use super::protocol::error_reply;

/// A failure the emulator can be told to produce for one request, to test how a client
/// copes with an unreliable service or network. See [`Emulator::inject`](super::Emulator::inject).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer this status, headers and body (a `Content-Length` is added) instead of
    /// handling the request; the connection stays open.
    Respond {
        /// The HTTP status.
        status: u16,
        /// Headers to send, in order.
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// Write these bytes as the whole answer, as they are, then close the connection: for
    /// truncated, malformed or non-HTTP answers. The request is not handled.
    Raw(Vec<u8>),
    /// Close the connection without handling the request or answering.
    CloseBeforeHandling,
    /// Handle the request (the event is recorded), then close without answering: the
    /// event landed but the client cannot know.
    CloseAfterHandling,
    /// Handle the request, send the first half of the answer, then close.
    CloseMidResponse,
    /// Handle the request, then never answer; the connection stays open until the client
    /// gives up, the [idle timeout](super::EmulatorBuilder::idle_timeout) passes, or the
    /// emulator stops.
    Stall,
}

impl Fault {
    /// A restJson1 service error: HTTP `status`, `X-Amzn-Errortype: error_type`, a
    /// `{"message": message}` body.
    pub fn error(status: u16, error_type: &str, message: &str) -> Fault {
        let Reply {
            status,
            headers,
            body,
        } = error_reply(status, error_type, message);
        Fault::Respond {
            status,
            headers,
            body,
        }
    }

    /// What the HTTP layer does for a request met by this fault; `handle` serves the
    /// request, and is called only by the faults that handle it.
    pub(super) fn apply(self, handle: impl FnOnce() -> Reply) -> Outcome {
        match self {
            Fault::Respond {
                status,
                headers,
                body,
            } => Outcome::Reply(Reply {
                status,
                headers,
                body,
            }),
            Fault::Raw(bytes) => Outcome::Raw(bytes),
            Fault::CloseBeforeHandling => Outcome::Close,
            Fault::CloseAfterHandling => {
                handle();
                Outcome::Close
            }
            Fault::CloseMidResponse => Outcome::HalfThenClose(handle()),
            Fault::Stall => {
                handle();
                Outcome::Stall
            }
        }
    }
}
