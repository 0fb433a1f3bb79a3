//! The WebSocket side without the `websocket` feature: a hub that serves no sockets. The
//! service tells it what it tells the real one (items that land, participants who leave,
//! URLs it issues), and nothing follows; no WebSocket request is recognized.

use std::time::SystemTime;

use super::RecordedEvent;
use super::builder::Limits;
use super::http::{Outcome, Request};
use super::service::{Service, State};

/// No URLs and no sockets to keep.
#[derive(Default)]
pub(super) struct Hub;

impl Hub {
    pub(super) fn configure(&mut self, _limits: &Limits) {}

    pub(super) fn issue_url(
        &mut self,
        _secret: &str,
        _contact_id: &str,
        _who: usize,
        _expiry: SystemTime,
        _now: SystemTime,
    ) {
    }

    /// How many sockets were closed: none is ever open.
    pub(super) fn close(&mut self, _contact_id: &str, _who: Option<usize>, _code: u16) -> usize {
        0
    }
}

impl State {
    pub(super) fn push_item(&mut self, _contact_id: &str, _item_id: &str) {}

    pub(super) fn push_event(
        &mut self,
        _event: &RecordedEvent,
        _who: usize,
        _message_id: Option<&str>,
    ) {
    }
}

impl Service {
    /// No path is a WebSocket URL: every request goes on to the service.
    pub(super) fn websocket(&self, _request: &Request) -> Option<Outcome> {
        None
    }
}
