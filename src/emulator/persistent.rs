//! Persistent chat: a chat started to continue a past, ended one, as StartChatContact's
//! `PersistentChat` does: from the Rust API ([`Emulator::start_persistent_chat`]) and the
//! control path (`POST /emulator/chats` with `{"PersistentChat":{…}}`).

use std::io;

use serde_json::{Map, Value, json};

use super::chat::{RehydrationError, Started};
use super::control::unknown_contact_message;
use super::http::{Reply, Request};
use super::protocol::{MAX_ID, body, chars_within, enum_value, error_reply, ok, string};
use super::service::{NewItem, Service};
use super::{Emulator, StartedChat};

/// The event a persistent chat's transcript carries once its past items are in it.
pub(super) const REHYDRATED: &str = "application/vnd.amazonaws.connect.event.chat.rehydrated";

/// How a persistent chat picks the past contact it continues (StartChatContact's
/// `PersistentChat.RehydrationType`).
///
/// ```
/// use connect_participant::emulator::Rehydration;
///
/// assert_eq!(Rehydration::EntirePastSession.as_str(), "ENTIRE_PAST_SESSION");
/// assert_eq!(Rehydration::FromSegment.as_str(), "FROM_SEGMENT");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rehydration {
    /// `ENTIRE_PAST_SESSION`: the source is the first contact of a past engagement, and the
    /// chat continues the most recently ended contact of its chain (the source and the
    /// chats that continued it, and those that continued them).
    EntirePastSession,
    /// `FROM_SEGMENT`: the chat continues the source contact itself; chats that
    /// continued it later are left out.
    FromSegment,
}

impl Rehydration {
    /// As StartChatContact writes it: `ENTIRE_PAST_SESSION` or `FROM_SEGMENT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rehydration::EntirePastSession => "ENTIRE_PAST_SESSION",
            Rehydration::FromSegment => "FROM_SEGMENT",
        }
    }
}

impl Emulator {
    /// Starts a chat that continues a past one, as StartChatContact with `PersistentChat`
    /// does: `source_contact_id` is an ended chat's `ContactId`, and `rehydration` picks
    /// the contact continued (see [`Rehydration`]), answered in
    /// [`continued_from_contact_id`](StartedChat::continued_from_contact_id). The new
    /// chat's transcript starts with that contact's items (those it continued itself
    /// included, not its `chat.ended`), each with its `Id`, time, sender and
    /// `RelatedContactId` (the contact it was sent in) and no `ContactId`; then the
    /// new participants' `participant.joined` and a `…event.chat.rehydrated` event.
    /// GetTranscript with `ContactId` set to one of those past contacts reads its items
    /// alone. Also on the control path: `POST /emulator/chats` with
    /// `{"PersistentChat":{"SourceContactId":…,"RehydrationType":…}}`.
    ///
    /// ```
    /// use connect_participant::emulator::{Emulator, Rehydration};
    ///
    /// let emulator = Emulator::start()?;
    /// let past = emulator.start_chat();
    /// emulator.agent_says(&past.contact_id, "Your order ships Monday.", "text/plain")?;
    /// emulator.end_chat(&past.contact_id)?;
    /// let chat = emulator.start_persistent_chat(&past.contact_id, Rehydration::FromSegment)?;
    /// assert_eq!(chat.continued_from_contact_id.as_deref(), Some(past.contact_id.as_str()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a source the emulator does not hold (never started,
    /// or forgotten to make room); [`io::ErrorKind::InvalidInput`] for a source chat that
    /// has not ended.
    pub fn start_persistent_chat(
        &self,
        source_contact_id: &str,
        rehydration: Rehydration,
    ) -> io::Result<StartedChat> {
        self.app
            .service
            .start_persistent_chat(source_contact_id, rehydration)
            .map(StartedChat::from)
            .map_err(|e| {
                let kind = match e {
                    RehydrationError::UnknownSource => io::ErrorKind::NotFound,
                    RehydrationError::NotEnded => io::ErrorKind::InvalidInput,
                };
                io::Error::new(kind, refusal_message(source_contact_id, e))
            })
    }
}

impl Service {
    /// Starts a persistent chat, then its `chat.rehydrated` event, within the bounds.
    pub(super) fn start_persistent_chat(
        &self,
        source: &str,
        how: Rehydration,
    ) -> Result<Started, RehydrationError> {
        let mut state = self.lock();
        let started = state.chats.start_persistent_chat(source, how)?;
        let max = self.settings.max_kept_bytes;
        let rehydrated = NewItem::event(REHYDRATED, None, None);
        state.record_item(&started.contact_id, rehydrated, max);
        Ok(started)
    }

    /// `POST /emulator/chats`: a chat, or with `PersistentChat` one that continues a past
    /// chat; answered as StartChatContact answers.
    pub(super) fn control_start(&self, request: &Request) -> Result<Reply, Reply> {
        let map = body(request)?;
        let started = match persistent_chat(&map)? {
            None => self.start_chat(),
            Some((source, how)) => self.start_persistent_chat(&source, how).map_err(|e| {
                error_reply(400, "InvalidRequestException", &refusal_message(&source, e))
            })?,
        };
        let mut out = json!({
            "ContactId": started.contact_id,
            "ParticipantId": started.customer_id,
            "ParticipantToken": started.participant_token,
        });
        if let Some(from) = started.continued_from {
            out["ContinuedFromContactId"] = json!(from);
        }
        Ok(ok(&out))
    }
}

/// Reads `PersistentChat`: `None` when absent (or `null`), else its source and type, both
/// required.
fn persistent_chat(map: &Map<String, Value>) -> Result<Option<(String, Rehydration)>, Reply> {
    let p = match map.get("PersistentChat") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(p)) => p,
        Some(_) => {
            return Err(error_reply(
                400,
                "SerializationException",
                "PersistentChat must be an object",
            ));
        }
    };
    let member = "persistentChat.sourceContactId";
    let Some(source) = string(p, "SourceContactId")? else {
        return Err(missing(member));
    };
    chars_within(&source, member, 1, MAX_ID)?;
    let member = "persistentChat.rehydrationType";
    let how = match string(p, "RehydrationType")?.as_deref() {
        None => return Err(missing(member)),
        Some("ENTIRE_PAST_SESSION") => Rehydration::EntirePastSession,
        Some("FROM_SEGMENT") => Rehydration::FromSegment,
        Some(other) => {
            return Err(enum_value(
                member,
                other,
                &["ENTIRE_PAST_SESSION", "FROM_SEGMENT"],
            ));
        }
    };
    Ok(Some((source, how)))
}

/// A persistent chat's required member is missing.
fn missing(member: &str) -> Reply {
    error_reply(
        400,
        "InvalidParameterException",
        &format!("{member} is required for a persistent chat"),
    )
}

/// Why a persistent chat was refused, naming the source.
fn refusal_message(source: &str, e: RehydrationError) -> String {
    match e {
        RehydrationError::UnknownSource => {
            format!(
                "PersistentChat.SourceContactId: {}",
                unknown_contact_message(source)
            )
        }
        RehydrationError::NotEnded => format!(
            "PersistentChat.SourceContactId: the chat with ContactId {source:?} has not \
             ended, and only a chat that has ended can be continued"
        ),
    }
}

impl From<Started> for StartedChat {
    fn from(s: Started) -> StartedChat {
        StartedChat {
            contact_id: s.contact_id,
            participant_token: s.participant_token,
            customer_participant_id: s.customer_id,
            agent_participant_id: s.agent_id,
            continued_from_contact_id: s.continued_from,
        }
    }
}
