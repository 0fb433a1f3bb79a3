//! `watch`: the chat's events, printed as JSON lines as they arrive, until the chat ends.

use connect_participant::{ChatStream, Event, Participant, ParticipantToken, Timestamp};

use super::{Call, Failure};
use crate::args::{Name, TokenKind};
use crate::output::{self, Shield};

/// Connects as the participant, opens the chat stream, and prints each event as one JSON
/// line (flushed) until `chat.ended`. A failure, even after lines were printed, is
/// returned for the usual report. Standard output closed: the watch stops, done.
///
/// The connection token and the WebSocket URL the participant holds are secrets this
/// program never prints: each one is added to `call.known` as soon as it is seen, so that
/// the shield over every line, and over the error report `main` writes, scrubs them too
/// (the URL stands there as a connection-kind secret: it grants the same access).
pub(super) fn watch(
    call: &mut Call<'_, '_>,
    token: ParticipantToken,
    history: bool,
) -> Result<(), Failure> {
    let participant = Participant::connect(call.client, token)?;
    let mut seen = Secrets::default();
    seen.learn(&participant, call.known);
    let opened = ChatStream::builder(&participant).history(history).open();
    // Opening may renew the connection (a new URL, a new token).
    seen.learn(&participant, call.known);
    for event in opened? {
        seen.learn(&participant, call.known);
        let event = event?;
        let line =
            Shield::new(call.known, call.argv).answer(Name::Watch, &output::watch_json(&event));
        if writeln!(call.io.out, "{line}")
            .and_then(|()| call.io.out.flush())
            .is_err()
        {
            return Ok(());
        }
        if matches!(event, Event::ChatEnded(_)) {
            return Ok(());
        }
    }
    // The stream ends after chat.ended or after an error, both returned above.
    Ok(())
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
