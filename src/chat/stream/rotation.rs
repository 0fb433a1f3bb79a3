//! Make-before-break: a socket at the end of its lifetime is replaced by a new one that is
//! open and subscribed first; both are read until the new one has answered a heartbeat,
//! and a frame that comes on both is taken once.

use std::collections::VecDeque;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use super::connect::Attempt;
use super::socket::Socket;
use super::{ChatStream, LOG_TARGET};

/// How many chat frames read during an overlap are remembered to drop their twin from
/// the other socket: far more than arrive in one heartbeat interval.
const MAX_OVERLAP_FRAMES: usize = 512;

/// How long after a failed rotation the next is tried (or the socket lifetime, if
/// shorter), the old socket kept meanwhile.
pub(super) const ROTATION_RETRY: Duration = Duration::from_secs(30);

/// The socket being replaced, and what came on each socket while both are read; boxed,
/// so that a stream not rotating (nearly always) carries one pointer for it.
#[derive(Default)]
pub(super) struct Rotation(Option<Box<Overlap>>);

struct Overlap {
    old: Socket,
    /// A fingerprint of each chat frame's text read during the overlap, and whether it
    /// came on the old socket.
    seen: VecDeque<(u64, bool)>,
}

impl Rotation {
    /// The old socket, while it is still read.
    pub(super) fn old(&mut self) -> Option<&mut Socket> {
        self.0.as_deref_mut().map(|o| &mut o.old)
    }

    pub(super) fn overlapping(&self) -> bool {
        self.0.is_some()
    }

    /// Starts an overlap with `old`, the socket being replaced.
    fn begin(&mut self, old: Socket) {
        self.finish();
        self.0 = Some(Box::new(Overlap {
            old,
            seen: VecDeque::new(),
        }));
    }

    /// Closes the old socket, if any: the overlap is over.
    pub(super) fn finish(&mut self) {
        if let Some(overlap) = self.0.take() {
            log::debug!(target: LOG_TARGET, "chat stream rotation done: the old socket is closed");
            overlap.old.close(Duration::from_millis(100));
        }
    }

    /// Forgets the old socket without closing it (it closed itself or broke).
    pub(super) fn lost_old(&mut self) {
        log::debug!(target: LOG_TARGET, "chat stream rotation: the old socket went first");
        self.0 = None;
    }

    /// Is this chat frame, read on the old socket or the new one, the twin of one read
    /// on the other during the overlap? The service sends a chat's frames to every
    /// subscribed socket, and typing has no `Id` to be told apart by: the same text on
    /// both sockets is one frame.
    pub(super) fn duplicate(&mut self, text: &str, from_old: bool) -> bool {
        let Some(overlap) = self.0.as_deref_mut() else {
            return false;
        };
        let mut h = DefaultHasher::new();
        text.hash(&mut h);
        let print = h.finish();
        let seen = &mut overlap.seen;
        if let Some(at) = seen
            .iter()
            .position(|&(p, old)| p == print && old != from_old)
        {
            seen.remove(at);
            return true;
        }
        if seen.len() >= MAX_OVERLAP_FRAMES {
            seen.pop_front();
        }
        seen.push_back((print, from_old));
        false
    }
}

impl ChatStream {
    /// Replaces the socket at the end of its lifetime: the new one is opened and
    /// subscribed while the old one stays open, then both are read until the new one
    /// answers a heartbeat. Yields nothing: when the new one cannot be had, the old one is
    /// kept and the rotation tried again after [`ROTATION_RETRY`] (or the socket lifetime,
    /// if shorter); only a rotation that learns the chat is over ends the stream.
    #[inline(never)] // Off the read path: see `ChatStream::next_until`.
    pub(super) fn rotate(&mut self) {
        log::debug!(target: LOG_TARGET, "chat stream rotation: opening a new socket before closing the old");
        match self.set_up(ChatStream::open_subscribed) {
            Ok((socket, early)) => {
                if let Some(old) = self.socket.take() {
                    self.rotation.begin(old);
                }
                self.install(socket);
                for text in early {
                    self.frame(&text, false);
                }
            }
            Err(Attempt::Ended(e)) => self.over(e),
            Err(Attempt::Failed(e) | Attempt::Fatal(e)) => {
                let retry = ROTATION_RETRY.min(self.settings.socket_lifetime);
                log::info!(
                    target: LOG_TARGET,
                    "chat stream rotation failed: {}; the old socket is kept, next try in {} ms",
                    e.log_summary(),
                    retry.as_millis()
                );
                self.rotate_at = Instant::now().checked_add(retry);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_an_overlap_nothing_is_a_duplicate() {
        let mut r = Rotation::default();
        assert!(!r.duplicate("typing", false));
        assert!(!r.duplicate("typing", false));
        assert!(!r.overlapping());
    }
}
