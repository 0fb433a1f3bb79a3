//! Losing the connection and getting it back: the transitions the stream yields for it
//! (lost, restored, broken), the back-off between attempts, and the end of the stream.

use std::time::{Duration, Instant};

use super::connect::{Attempt, Caught};
use super::{ChatEnd, ChatStream, Connection, Event, LOG_TARGET, Lost, LostReason, Restored};
use crate::error::{Error, ErrorKind, RetryClass};

impl ChatStream {
    /// The socket is lost for `reason` (`e` says it as an error): closed, and the next
    /// loop reconnects. The first loss of an outage yields [`Connection::Lost`]; a socket
    /// lost before it was proven is a failed attempt of the outage, and yields nothing;
    /// this participant having left ends the stream with [`Event::Left`] instead.
    pub(super) fn lose(&mut self, reason: LostReason, e: Error) {
        self.drop_sockets();
        if !self.proven {
            // Lost before it was proven: the attempt that made it failed.
            self.failures += 1;
            self.outage_failures += 1;
            log::debug!(
                target: LOG_TARGET,
                "chat stream reconnection failed before its socket was proven: {reason}"
            );
        }
        self.proven = false;
        self.last_failure = Some(e);
        self.retry_at = Some(Instant::now() + self.backoff());
        if self.participant.has_left() {
            self.leave(None, None);
            return;
        }
        if self.outage.is_none() {
            log::info!(target: LOG_TARGET, "chat stream lost its connection: {reason}; reconnecting");
            self.outage = Some(Instant::now());
            self.outage_failures = 0;
            self.outage_missed = 0;
            self.pending
                .push_back(Event::Connection(Connection::Lost(Lost { reason })));
        }
    }

    /// Closes the sockets, the one being replaced too.
    pub(super) fn drop_sockets(&mut self) {
        if let Some(socket) = self.socket.take() {
            socket.close(Duration::from_millis(100));
        }
        self.rotation.finish();
    }

    /// Without a socket: waits for the next attempt (at most to `deadline`: `true` when
    /// that came first), makes it, and deals with its outcome.
    #[inline(never)] // Off the read path: see `ChatStream::next_until`.
    pub(super) fn reconnect(&mut self, deadline: Option<Instant>) -> bool {
        if self.failures >= self.settings.max_reconnects {
            let e = self
                .last_failure
                .take()
                .unwrap_or_else(|| Error::new_kind(ErrorKind::Transport, "the WebSocket was lost"));
            self.give_up(e);
            return false;
        }
        let now = Instant::now();
        if let Some(at) = self.retry_at.filter(|at| now < *at) {
            match deadline {
                Some(d) if d <= at => {
                    std::thread::sleep(d.saturating_duration_since(now));
                    return true;
                }
                _ => std::thread::sleep(at - now),
            }
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            // An attempt blocks past any deadline: none is started after it.
            return true;
        }
        log::debug!(
            target: LOG_TARGET,
            "chat stream reconnecting: attempt {} after {} failed in a row",
            self.failures + 1,
            self.failures
        );
        match self.set_up(ChatStream::connect) {
            Ok(caught) => {
                // The proof is asked for at once, not an interval later.
                self.heartbeat_due = Instant::now();
                self.catch_up(caught);
            }
            Err(Attempt::Ended(e)) => self.over(e),
            Err(Attempt::Fatal(e)) => {
                self.failures += 1;
                self.give_up(e);
            }
            Err(Attempt::Failed(e)) => {
                self.outage_failures += 1;
                log::debug!(
                    target: LOG_TARGET,
                    "chat stream reconnection failed: {}; next attempt in {} ms",
                    e.log_summary(),
                    self.retry_at
                        .map_or(0, |at| at.saturating_duration_since(Instant::now()).as_millis())
                );
                self.last_failure = Some(e);
            }
        }
        false
    }

    /// A new socket is up: what it missed, then the frames that came before its
    /// subscription's answer; during an outage they are held until the socket is proven.
    pub(super) fn catch_up(&mut self, caught: Caught) {
        // Logged here, on the reading thread, rather than where the setup thread read it.
        log::debug!(target: LOG_TARGET, "catch-up read {} missed items from the transcript", caught.missed.len());
        if self.outage.is_some() {
            self.outage_missed += caught.missed.len();
        }
        for item in caught.missed {
            self.accept(item);
        }
        for text in caught.early {
            self.frame(&text, false);
        }
    }

    /// A socket is proven: if it ends an outage, [`Connection::Restored`] (with every item
    /// the outage's catch-ups found), then what was held.
    pub(super) fn restored(&mut self) {
        let Some(since) = self.outage.take() else {
            return;
        };
        let missed = std::mem::take(&mut self.outage_missed);
        let down_for = since.elapsed();
        log::info!(
            target: LOG_TARGET,
            "chat stream restored after {} ms; {missed} missed items",
            down_for.as_millis()
        );
        self.pending
            .push_back(Event::Connection(Connection::Restored(Restored {
                missed,
                down_for,
            })));
        self.release_held();
    }

    /// What an outage held is yielded next: after [`Connection::Restored`], or before the
    /// stream's last event.
    pub(super) fn release_held(&mut self) {
        // Taken, not drained: an empty queue keeps no buffer (see `pop`).
        self.pending.append(&mut std::mem::take(&mut self.held));
    }

    /// The chat is over for this participant, as a connection attempt learnt (`e` says
    /// how): [`Event::Left`] if this participant left, else [`Event::ChatEnded`].
    pub(super) fn over(&mut self, e: Error) {
        self.drop_sockets();
        self.release_held();
        if self.participant.has_left() {
            self.leave(None, Some(e));
            return;
        }
        log::info!(target: LOG_TARGET, "chat stream ended: the chat has ended");
        self.participant.mark_chat_ended();
        self.pending.push_back(Event::ChatEnded(ChatEnd {
            item: None,
            error: Some(e),
        }));
        self.ended = true;
    }

    /// This participant left: [`Event::Left`] is the last event.
    pub(super) fn leave(&mut self, item: Option<crate::ops::transcript::Item>, e: Option<Error>) {
        log::info!(target: LOG_TARGET, "chat stream ended: this participant left the chat");
        self.participant.mark_left();
        self.drop_sockets();
        self.release_held();
        self.pending
            .push_back(Event::Left(ChatEnd { item, error: e }));
        self.ended = true;
    }

    /// The stream gives up after `last`: [`Connection::Broken`] is its last event.
    pub(super) fn give_up(&mut self, last: Error) {
        let e = gave_up(last, self.failures);
        log::info!(
            target: LOG_TARGET,
            "chat stream broken: gave up after {} attempts; the last failed with {}",
            self.failures,
            e.log_summary()
        );
        self.drop_sockets();
        self.release_held();
        self.pending
            .push_back(Event::Connection(Connection::Broken(e)));
        self.ended = true;
        self.broken = true;
    }

    /// The wait before the next attempt after `failures` in a row: none after one, then
    /// the initial wait doubling to the ceiling, ±30%.
    pub(super) fn backoff(&self) -> Duration {
        if self.failures <= 1 {
            return Duration::ZERO;
        }
        let s = &self.settings;
        let doublings = (self.failures - 2).min(31);
        let base = s
            .backoff_initial
            .checked_mul(1 << doublings)
            .unwrap_or(s.backoff_max)
            .min(s.backoff_max);
        let jitter = 0.7 + 0.6 * self.participant.client().random_unit();
        base.mul_f64(jitter)
    }
}

/// The error of a stream that gave up after `attempts` failed in a row, the last with
/// `last` (its `source()`): the last one's kind, the attempts (which `Display` ends with,
/// as for every error that retried: `; 3 attempts`), and retryable when the failure was
/// the network's.
fn gave_up(last: Error, attempts: u32) -> Error {
    let kind = last.kind();
    let retry = match kind {
        ErrorKind::Transport | ErrorKind::Timeout => RetryClass::Transient,
        _ => last.retry_class(),
    };
    Error::with_source(kind, "the chat stream gave up reconnecting", last)
        .retry_as(retry)
        .set_attempts(attempts, false)
}
