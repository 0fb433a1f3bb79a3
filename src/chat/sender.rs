//! What the chat helpers share: who they send for (a connection token the caller holds, or
//! a participant that renews its own) and where they read the time.

use std::time::Instant;

use crate::client::Client;
use crate::error::Result;
use crate::participant::Participant;
use crate::token::ConnectionToken;
use crate::{GetTranscriptOutput, GetTranscriptRequest, SendEventOutput, SendEventRequest};

/// Where the chat helpers read the time: `Instant::now` in production, a stand-in in tests.
pub(crate) type ClockFn = dyn Fn() -> Instant + Send + Sync;

/// Who the chat helpers send events for: a connection token the caller holds, or a
/// [`Participant`], which renews its own.
#[derive(Debug, Clone)]
pub(crate) enum EventSender {
    Token(Client, ConnectionToken),
    Participant(Participant),
}

impl EventSender {
    pub(crate) fn send_event(&self, request: &SendEventRequest) -> Result<SendEventOutput> {
        match self {
            EventSender::Token(client, token) => client.send_event(token, request),
            EventSender::Participant(p) => p.send_event(request),
        }
    }

    pub(crate) fn get_transcript(
        &self,
        request: &GetTranscriptRequest,
    ) -> Result<GetTranscriptOutput> {
        match self {
            EventSender::Token(client, token) => client.get_transcript(token, request),
            EventSender::Participant(p) => p.get_transcript(request),
        }
    }

    /// The participant, when the helper was made for one.
    pub(crate) fn participant(&self) -> Option<&Participant> {
        match self {
            EventSender::Token(..) => None,
            EventSender::Participant(p) => Some(p),
        }
    }
}
