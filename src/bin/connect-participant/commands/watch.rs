//! `watch`: the chat's events, printed as JSON lines as they arrive, until the chat ends.

use std::path::PathBuf;
use std::time::Duration;

use connect_participant::{
    ChatStream, Connection, Event, Journal, Participant, ParticipantToken, Timestamp,
};

use super::{Call, Failure};
use crate::args::{Name, TokenKind};
use crate::output::{self, Shield};

/// Connects as the participant, opens the chat stream, and prints each event, and each
/// change of the connection, as one JSON line (flushed) until `chat.ended` or `left`.
/// With a journal, each chat item is appended to it before it is printed, and the stream
/// resumes after what the journal holds (the whole chat for a new one). A
/// failure (the stream broken too), even after lines were printed, is returned for the
/// usual report. Standard output closed: the watch stops, done.
///
/// The connection token and the WebSocket URL the participant holds are secrets this
/// program never prints: each one is added to `call.known` as soon as it is seen, so that
/// the shield over every line, and over the error report `main` writes, scrubs them too
/// (the URL stands there as a connection-kind secret: it grants the same access).
pub(super) fn watch(
    call: &mut Call<'_, '_>,
    token: ParticipantToken,
    settings: Settings,
) -> Result<(), Failure> {
    let mut participant = Participant::builder(call.client, token);
    if let Some(id) = settings.participant_id {
        participant = participant.participant_id(id);
    }
    // The journal first: a file that cannot be used is said before anything is sent.
    let mut journal = settings.journal.as_ref().map(Journal::open).transpose()?;
    let participant = participant.connect()?;
    let mut seen = Secrets::default();
    seen.learn(&participant, call.known);
    let mut builder = ChatStream::builder(&participant)
        .history(settings.history)
        .ordered(settings.ordered);
    if let Some(journal) = &journal {
        builder = builder.resume(journal.checkpoint());
    }
    if let Some(every) = settings.heartbeat {
        builder = builder.heartbeat_interval(every);
    }
    let opened = builder.open();
    // Opening may renew the connection (a new URL, a new token).
    seen.learn(&participant, call.known);
    for event in opened? {
        seen.learn(&participant, call.known);
        let event = match event? {
            Event::Connection(Connection::Broken(e)) => return Err(e.into()),
            event => event,
        };
        if let Some(journal) = &mut journal {
            // Kept before it is printed: a line printed is a line kept.
            journal.record(&event)?;
        }
        let line =
            Shield::new(call.known, call.argv).answer(Name::Watch, &output::watch_json(&event));
        if writeln!(call.io.out, "{line}")
            .and_then(|()| call.io.out.flush())
            .is_err()
        {
            return Ok(());
        }
        if matches!(event, Event::ChatEnded(_) | Event::Left(_)) {
            return Ok(());
        }
    }
    // The stream ends after chat.ended, left or broken, all returned above.
    Ok(())
}

/// How `watch` listens: its options.
pub(super) struct Settings {
    /// Print the transcript so far first (`--history`).
    pub(super) history: bool,
    /// The heartbeat interval (`--heartbeat-ms`), if not the stream's default.
    pub(super) heartbeat: Option<Duration>,
    /// This participant's `ParticipantId` (`--participant-id`), so that its own
    /// departure is `left`, not another's `participant.left`.
    pub(super) participant_id: Option<String>,
    /// The journal to append each item to and resume from (`--journal`).
    pub(super) journal: Option<PathBuf>,
    /// Release events in `AbsoluteTime` order (`--ordered`).
    pub(super) ordered: bool,
}

/// What of the participant's connection `watch` has already added to the known secrets.
#[derive(Default)]
struct Secrets {
    /// The connection expiry and WebSocket URL last seen: a change means a renewal.
    last: Option<(Option<Timestamp>, Option<String>)>,
}

impl Secrets {
    /// Adds the participant's current connection token and WebSocket URL to `known`
    /// when its connection changed since the last look. The token is read only then, so
    /// that looking does not renew a connection the stream has not asked to renew.
    fn learn(&mut self, participant: &Participant, known: &mut Vec<(TokenKind, String)>) {
        let url = participant
            .websocket()
            .and_then(|w| w.url)
            .map(|u| u.expose_secret().to_owned());
        let now = (participant.connection_expiry(), url);
        if self.last.as_ref() == Some(&now) {
            return;
        }
        let mut add = |secret: String| {
            if !known.iter().any(|(_, k)| *k == secret) {
                known.push((TokenKind::Connection, secret));
            }
        };
        if let Ok(t) = participant.connection_token() {
            add(t.expose_secret().to_owned());
        }
        if let Some(u) = &now.1 {
            add(u.clone());
        }
        self.last = Some(now);
    }
}
