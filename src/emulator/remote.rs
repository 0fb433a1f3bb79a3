//! The control paths that do over HTTP what the [`Emulator`](super::Emulator)'s own methods
//! do for a Rust test, so that a test in any language can drive a standalone emulator:
//! faults for the next requests, the clock, the settings, revoking a connection token,
//! registering a view and starting an authentication session.

use std::collections::VecDeque;
use std::sync::{MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::Fault;
use super::control::control_error;
use super::http::{Reply, Request};
use super::protocol::{MAX_CONTENT, body, format_time, ok, string, validation};
use super::service::Service;
use super::views::MAX_VIEW_TOKEN;

/// The path that revokes a connection token: its body (the token) is not kept by
/// [`seen_requests`](super::Emulator::seen_requests).
pub(super) const REVOKE_PATH: &str = "/emulator/tokens/revoke";

/// How many faults the queue holds at most (as [`Emulator::MAX_QUEUED_FAULTS`](super::Emulator::MAX_QUEUED_FAULTS)).
pub(super) const MAX_QUEUED_FAULTS: usize = 1000;

/// The longest connection-token lifetime the control path sets: ten years, in seconds.
const MAX_LIFETIME_SECONDS: u64 = 10 * 365 * 86_400;

/// The furthest the control path moves the clock in one step: a thousand years, in
/// seconds (the clock stops at the year 9999 anyway).
const MAX_ADVANCE_SECONDS: f64 = 1000.0 * 365.0 * 86_400.0;

/// The fault kinds `POST /emulator/faults` takes, by `Fault`.
const FAULT_KINDS: &str =
    "Error, Respond, CloseBeforeHandling, CloseAfterHandling, CloseMidResponse or Stall";

impl Service {
    /// The queue of faults for the next requests to the service.
    pub(super) fn faults(&self) -> MutexGuard<'_, VecDeque<Fault>> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `faults`, all or none: `false` if they would pass [`MAX_QUEUED_FAULTS`].
    pub(super) fn queue_faults(&self, faults: impl ExactSizeIterator<Item = Fault>) -> bool {
        let mut queue = self.faults();
        if queue.len() + faults.len() > MAX_QUEUED_FAULTS {
            return false;
        }
        queue.extend(faults);
        true
    }

    /// `POST /emulator/faults`: `{"Fault":…,"Count":n}` (and `Status`, `ErrorType`,
    /// `Message` for an `Error`) queues the fault for the next `n` requests to the service;
    /// `{"Queued":<faults queued now>}`.
    pub(super) fn control_faults(&self, request: &Request) -> Result<Reply, Reply> {
        let map = body(request)?;
        only(
            &map,
            &["Fault", "Count", "Status", "ErrorType", "Message", "Body"],
            "POST /emulator/faults",
        )?;
        let fault = fault(&map)?;
        let count = match map.get("Count") {
            None | Some(Value::Null) => 1,
            Some(v) => v
                .as_u64()
                .filter(|n| (1..=MAX_QUEUED_FAULTS as u64).contains(n))
                .ok_or_else(|| {
                    validation(format!(
                        "Count must be an integer from 1 to {MAX_QUEUED_FAULTS}"
                    ))
                })? as usize,
        };
        if !self.queue_faults(std::iter::repeat_n(fault, count)) {
            let queued = self.faults().len();
            return Err(validation(format!(
                "the fault queue holds at most {MAX_QUEUED_FAULTS} faults and {queued} are \
                 queued: requests must take some first; nothing was queued"
            )));
        }
        Ok(ok(&json!({ "Queued": self.faults().len() })))
    }

    /// `POST /emulator/clock`: `{"AdvanceSeconds":n}` moves the clock forward (`{}` only
    /// reads it); `{"Now":…}`, as the service writes times.
    pub(super) fn control_clock(&self, request: &Request) -> Result<Reply, Reply> {
        let map = body(request)?;
        only(&map, &["AdvanceSeconds"], "POST /emulator/clock")?;
        let by = match map.get("AdvanceSeconds") {
            None | Some(Value::Null) => Duration::ZERO,
            Some(v) => v
                .as_f64()
                .filter(|s| (0.0..=MAX_ADVANCE_SECONDS).contains(s))
                .map(Duration::from_secs_f64)
                .ok_or_else(|| {
                    validation(
                        "AdvanceSeconds must be a number of seconds from 0 to 31536000000 \
                         (the clock only moves forward)",
                    )
                })?,
        };
        let mut state = self.lock();
        state.chats.clock.advance(by);
        Ok(ok(&json!({ "Now": format_time(state.chats.now()) })))
    }

    /// `POST /emulator/tokens/revoke` with `{"ConnectionToken":…}`: later calls with it are
    /// refused (403); `{"Revoked":<whether the emulator held it>}`.
    pub(super) fn control_revoke(&self, request: &Request) -> Result<Reply, Reply> {
        let map = body(request)?;
        only(&map, &["ConnectionToken"], "POST /emulator/tokens/revoke")?;
        // The token is a secret: no message below repeats it.
        let Some(token) = string(&map, "ConnectionToken")?.filter(|t| !t.is_empty()) else {
            return Err(validation("ConnectionToken is required"));
        };
        let revoked = self.lock().chats.revoke(&token);
        Ok(ok(&json!({ "Revoked": revoked })))
    }

    /// `POST /emulator/views` with `{"ViewToken":…,"View":{…}}`: DescribeView answers
    /// `{"View":…}` for the token from then on; `{}`.
    pub(super) fn control_view(&self, request: &Request) -> Result<Reply, Reply> {
        let map = body(request)?;
        only(&map, &["ViewToken", "View"], "POST /emulator/views")?;
        let token = string(&map, "ViewToken")?.unwrap_or_default();
        let n = token.chars().count();
        if n == 0 || n > MAX_VIEW_TOKEN {
            return Err(validation(format!(
                "ViewToken is required, of 1 to {MAX_VIEW_TOKEN} characters"
            )));
        }
        let Some(view @ Value::Object(_)) = map.get("View") else {
            return Err(validation(
                "View is required, a JSON object (DescribeView's View: Arn, Content, Id, \
                 Name, Version...)",
            ));
        };
        self.lock().views.add(&token, view.to_string());
        Ok(ok(&json!({})))
    }

    /// `POST /emulator/chats/{ContactId}/authentication`: starts an authentication
    /// session; `{"SessionId":…}`.
    pub(super) fn control_authentication(
        &self,
        request: &Request,
        contact_id: &str,
    ) -> Result<Reply, Reply> {
        only(
            &body(request)?,
            &[],
            "POST /emulator/chats/{ContactId}/authentication",
        )?;
        let id = self
            .start_authentication(contact_id)
            .map_err(|e| control_error(contact_id, e))?;
        Ok(ok(&json!({ "SessionId": id })))
    }

    /// `POST /emulator/settings`: `ConnectionTokenLifetimeSeconds` (for the tokens issued
    /// from then on), and with the `websocket` feature the heartbeat and upgrade switches;
    /// each left out is left as it is. The answer says them all as they are now.
    pub(super) fn control_settings(&self, request: &Request) -> Result<Reply, Reply> {
        let map = body(request)?;
        only(&map, SETTINGS, "POST /emulator/settings")?;
        let lifetime = match map.get("ConnectionTokenLifetimeSeconds") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .filter(|s| (1..=MAX_LIFETIME_SECONDS).contains(s))
                    .ok_or_else(|| {
                        validation(format!(
                            "ConnectionTokenLifetimeSeconds must be an integer from 1 to \
                             {MAX_LIFETIME_SECONDS}"
                        ))
                    })?,
            ),
        };
        #[cfg(feature = "websocket")]
        let switches = super::ws::control::switches(&map)?;
        let mut state = self.lock();
        if let Some(seconds) = lifetime {
            state.chats.limits.connection_token_lifetime = Duration::from_secs(seconds);
        }
        #[allow(unused_mut)] // Only the `websocket` feature adds to it.
        let mut answer = Map::new();
        answer.insert(
            "ConnectionTokenLifetimeSeconds".into(),
            json!(state.chats.limits.connection_token_lifetime.as_secs()),
        );
        #[cfg(feature = "websocket")]
        switches.apply(&mut state.hub, &mut answer);
        Ok(ok(&Value::Object(answer)))
    }
}

/// The members `POST /emulator/settings` takes.
#[cfg(not(feature = "websocket"))]
const SETTINGS: &[&str] = &["ConnectionTokenLifetimeSeconds"];
/// The members `POST /emulator/settings` takes.
#[cfg(feature = "websocket")]
const SETTINGS: &[&str] = &[
    "ConnectionTokenLifetimeSeconds",
    "HeartbeatAnswers",
    "DeepHeartbeatAnswers",
    "WebSocketUpgrades",
];

/// Refuses a member that `path` does not take, naming those it takes.
pub(super) fn only(map: &Map<String, Value>, names: &[&str], path: &str) -> Result<(), Reply> {
    match map.keys().find(|k| !names.contains(&k.as_str())) {
        None => Ok(()),
        Some(name) if names.is_empty() => Err(validation(format!(
            "{path} takes no member; got {}",
            Value::from(name.as_str())
        ))),
        Some(name) => Err(validation(format!(
            "{path} takes no member {}: it takes {}",
            Value::from(name.as_str()),
            names.join(", ")
        ))),
    }
}

/// The fault a `POST /emulator/faults` body asks for.
fn fault(map: &Map<String, Value>) -> Result<Fault, Reply> {
    let kind = string(map, "Fault")?
        .ok_or_else(|| validation(format!("Fault is required: {FAULT_KINDS}")))?;
    // Which kinds take each member: one given to another kind is a mistake to name.
    let takes: [(&str, &[&str]); 4] = [
        ("Status", &["Error", "Respond"]),
        ("ErrorType", &["Error"]),
        ("Message", &["Error"]),
        ("Body", &["Respond"]),
    ];
    for (name, kinds) in takes {
        if !kinds.contains(&kind.as_str()) && map.get(name).is_some_and(|v| !v.is_null()) {
            return Err(validation(format!(
                "{name} is for a Fault of {} only",
                kinds.join(" or ")
            )));
        }
    }
    match kind.as_str() {
        "Error" => error_fault(map),
        "Respond" => respond_fault(map),
        "CloseBeforeHandling" => Ok(Fault::CloseBeforeHandling),
        "CloseAfterHandling" => Ok(Fault::CloseAfterHandling),
        "CloseMidResponse" => Ok(Fault::CloseMidResponse),
        "Stall" => Ok(Fault::Stall),
        other => Err(validation(format!(
            "Fault must be {FAULT_KINDS}; got {}",
            Value::from(other)
        ))),
    }
}

/// A `Respond` fault: `Status` 200 to 599 (default 200) and `Body`, any JSON (default
/// `{}`), answered as `application/json` instead of the service's answer: for an answer
/// the service could give that the emulator does not make (a test's own WebSocket URL in
/// a CreateParticipantConnection answer, a member a new version adds).
fn respond_fault(map: &Map<String, Value>) -> Result<Fault, Reply> {
    let status = match map.get("Status") {
        None | Some(Value::Null) => 200,
        Some(v) => v
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| (200..=599).contains(s))
            .ok_or_else(|| validation("Status must be an HTTP status, 200 to 599"))?,
    };
    let body = map.get("Body").cloned().unwrap_or_else(|| json!({}));
    Ok(Fault::Respond {
        status,
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: body.to_string().into_bytes(),
    })
}

/// An `Error` fault: `Status` 400 to 599, `ErrorType` (sent as `X-Amzn-Errortype`, so
/// only the characters of a type name), `Message` (optional).
fn error_fault(map: &Map<String, Value>) -> Result<Fault, Reply> {
    let status = match map.get("Status") {
        None | Some(Value::Null) => return Err(validation("Status is required for an Error")),
        Some(v) => v
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| (400..=599).contains(s))
            .ok_or_else(|| validation("Status must be an HTTP error status, 400 to 599"))?,
    };
    let error_type = string(map, "ErrorType")?.unwrap_or_default();
    let type_chars = |c: char| c.is_ascii_alphanumeric() || "._:#-".contains(c);
    if error_type.is_empty() || error_type.len() > 256 || !error_type.chars().all(type_chars) {
        return Err(validation(
            "ErrorType is required for an Error: 1 to 256 letters, digits and . _ : # - \
             (ThrottlingException, say)",
        ));
    }
    let message = string(map, "Message")?.unwrap_or_else(|| "injected fault".to_owned());
    if message.len() > MAX_CONTENT {
        return Err(validation(format!(
            "Message must have at most {MAX_CONTENT} bytes"
        )));
    }
    Ok(Fault::error(status, &error_type, &message))
}
