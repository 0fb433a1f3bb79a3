//! What the chat helpers share: who they send for (a connection token the caller holds, or
//! a participant that renews its own) and where they read the time.

use std::time::Instant;

use crate::client::Client;
use crate::error::Result;
use crate::participant::Participant;
use crate::token::ConnectionToken;
use crate::{SendEventOutput, SendEventRequest};

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
}
