//! Older pages on demand: GetTranscript backward from the oldest entry held.

use super::Transcript;
use crate::error::Result;
use crate::ops::transcript::{
    GetTranscriptOutput, GetTranscriptRequest, MAX_TRANSCRIPT_RESULTS, ScanDirection, SortOrder,
    StartPosition,
};
use crate::participant::Participant;

/// The most characters of a `NextToken` the service takes back.
const MAX_NEXT_TOKEN_CHARS: usize = 1000;

/// Where the next older page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Older {
    /// No page read yet: from the oldest held item, or the newest if none is held.
    Newest,
    /// The `NextToken` of the last page, with the `StartPosition` its first request had.
    Token(String, StartPosition),
    /// From the oldest held item: the cap dropped older entries, or the service's token
    /// could not be sent back.
    FromOldestHeld,
    /// The service said there is nothing older.
    End,
}

impl Transcript {
    /// Reads the page before the oldest entry held, as ChatJS does (GetTranscript with
    /// `ScanDirection` `BACKWARD`, `SortOrder` `ASCENDING`, `MaxResults` 100), with the
    /// last page's `NextToken`; the first call (or the first after the cap dropped
    /// entries) starts at the oldest entry held (`StartPosition.Id`), or at the newest
    /// item when none is held. Returns how many items it brought that were not held and
    /// are kept (items without an `Id` each count). After a page whose `NextToken` is
    /// absent or empty, [`has_older`](Self::has_older) is `false` and this sends nothing
    /// and returns 0.
    ///
    /// At the cap ([`max_entries`](Self::max_entries)) an older item could not be kept:
    /// this sends nothing and returns 0, and `has_older` is `false` (so that a
    /// `while transcript.has_older()` loop ends); raise the cap to read further back.
    ///
    /// # Errors
    ///
    /// GetTranscript's error; nothing is changed, and the next call asks again.
    ///
    /// ```
    /// # #[cfg(feature = "emulator")] {
    /// use connect_participant::emulator::Emulator;
    /// use connect_participant::{Participant, ParticipantToken, Transcript};
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().build()?;
    /// let chat = emulator.start_chat();
    /// for n in 0..150 {
    ///     emulator.agent_says(&chat.contact_id, &format!("m{n}"), "text/plain")?;
    /// }
    /// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token.clone())?)?;
    /// let mut transcript = Transcript::new();
    /// while transcript.has_older() {
    ///     transcript.load_older(&me)?;
    /// }
    /// // The messages, and the customer's and agent's joining events.
    /// assert_eq!(transcript.len(), 152);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_older(&mut self, participant: &Participant) -> Result<usize> {
        self.learn_participant(participant);
        if self.is_full() {
            return Ok(0);
        }
        let Some((request, start)) = self.older_request() else {
            return Ok(0);
        };
        let page = participant.get_transcript(&request)?;
        self.learn_from_page(participant, &page);
        Ok(self.add_older_page(&request, start, &page))
    }

    /// A message `participant` sent (by the `Id`s it keeps) tells this participant's id,
    /// when neither knew it.
    fn learn_from_page(&mut self, participant: &Participant, page: &GetTranscriptOutput) {
        for item in &page.transcript {
            if self.me.is_some() {
                return;
            }
            if participant.is_own(item) {
                if let Some(id) = &item.participant_id {
                    self.set_me(id.clone());
                }
            }
        }
    }

    /// Can [`load_older`](Self::load_older) bring older items than those held, as far as
    /// it knows: `true` until a page it read ended the transcript (and again once the cap
    /// has dropped entries), `false` while the transcript is at its cap, where no older
    /// item could be kept.
    pub fn has_older(&self) -> bool {
        self.older != Older::End && !self.is_full()
    }

    /// Is the transcript at its cap?
    fn is_full(&self) -> bool {
        self.len() >= self.max_entries
    }

    /// The next older page's request, and the start position it repeats; `None` at the
    /// end.
    pub(super) fn older_request(&self) -> Option<(GetTranscriptRequest, StartPosition)> {
        let base = GetTranscriptRequest::new()
            .with_max_results(MAX_TRANSCRIPT_RESULTS)
            .with_scan_direction(ScanDirection::Backward)
            .with_sort_order(SortOrder::Ascending);
        let (start, token) = match &self.older {
            Older::End => return None,
            Older::Token(token, start) => (start.clone(), Some(token.clone())),
            Older::Newest | Older::FromOldestHeld => (self.oldest_held(), None),
        };
        let mut request = base.with_start_position(start.clone());
        if let Some(token) = token {
            request = request.with_next_token(token);
        }
        Some((request, start))
    }

    /// `StartPosition.Id` of the oldest entry with an `Id`; empty (the newest) if none.
    fn oldest_held(&self) -> StartPosition {
        self.entries
            .values()
            .find_map(|e| e.item.id.clone())
            .map(StartPosition::id)
            .unwrap_or_default()
    }

    /// Folds an older page in and says where the next starts: the new items kept.
    pub(super) fn add_older_page(
        &mut self,
        request: &GetTranscriptRequest,
        start: StartPosition,
        page: &GetTranscriptOutput,
    ) -> usize {
        let sent = request.next_token();
        self.older = match page.next_token.as_deref() {
            None | Some("") => Older::End,
            // A token going round, or one the service could not take back: start again
            // from the oldest held.
            Some(t) if Some(t) == sent || t.chars().count() > MAX_NEXT_TOKEN_CHARS => {
                Older::FromOldestHeld
            }
            Some(t) => Older::Token(t.to_owned(), start),
        };
        let fresh: Vec<Option<String>> = page
            .transcript
            .iter()
            .filter(|i| i.id.as_ref().is_none_or(|id| !self.by_id.contains_key(id)))
            .map(|i| i.id.clone())
            .collect();
        let went_round = self.older == Older::FromOldestHeld;
        let dropped = self.dropped;
        self.add_page(page);
        let kept = fresh
            .iter()
            .filter(|id| id.as_ref().is_none_or(|id| self.by_id.contains_key(id)))
            .count();
        // Round and round with nothing new: nothing older is coming.
        if kept == 0 && went_round && self.dropped == dropped {
            self.older = Older::End;
        }
        kept
    }
}
