//! The socket's side of a stream: the heartbeat's tick, one frame read (from the old
//! socket of a rotation too), and what a frame says.

use std::time::{Duration, Instant};

use super::frames::{self, Frame};
use super::socket::{self, Read1};
use super::{ChatStream, LOG_TARGET, LostReason};
use crate::error::{Error, ErrorKind};

/// How long, at most, one read of the new socket waits while the old one is still read.
const OVERLAP_READ: Duration = Duration::from_millis(20);

impl ChatStream {
    /// The heartbeat's tick: the last one (and, with the deep heartbeat on, the last deep
    /// one, healthy) must have been answered; then the next ones are sent. As the Android
    /// SDK's `HeartbeatManager` decides: the tick sees what is still pending.
    #[inline(never)] // Off the read path: see `ChatStream::next_until`.
    pub(super) fn heartbeat(&mut self, now: Instant) {
        let every = self.settings.heartbeat.as_millis();
        if self.awaiting_heartbeat {
            let why = format!("the WebSocket heartbeat had no answer within {every} ms");
            self.lose(
                LostReason::HeartbeatMissed,
                Error::new_kind(ErrorKind::Timeout, why),
            );
            return;
        }
        if self.awaiting_ping && self.settings.deep_heartbeat {
            let why =
                format!("the WebSocket deep heartbeat had no healthy answer within {every} ms");
            self.lose(
                LostReason::DeepHeartbeatFailed,
                Error::new_kind(ErrorKind::Timeout, why),
            );
            return;
        }
        log::trace!(target: LOG_TARGET, "chat stream heartbeat");
        if let Err(why) = self.send_heartbeat() {
            let e = Error::new_kind(ErrorKind::Transport, why.clone());
            self.lose(LostReason::ReadError(why), e);
            return;
        }
        self.heartbeat_due = now + self.settings.heartbeat;
    }

    fn send_heartbeat(&mut self) -> std::result::Result<(), String> {
        let deep = self.settings.deep_heartbeat;
        let Some(socket) = self.socket.as_mut() else {
            return Ok(());
        };
        if deep {
            socket.send(frames::PING)?;
            self.awaiting_ping = true;
        }
        socket.send(frames::HEARTBEAT)?;
        self.awaiting_heartbeat = true;
        Ok(())
    }

    /// Reads one frame, waiting until `until` at most: while a rotation's overlap lasts,
    /// one from the old socket first (without waiting), then from the socket, so that a
    /// busy old socket never keeps the new one's heartbeat answer unread.
    pub(super) fn read(&mut self, now: Instant, mut until: Instant) {
        if let Some(old) = self.rotation.old() {
            let wait = match old.read(Duration::from_millis(1)) {
                Read1::Text(text) => {
                    self.frame(text.as_str(), true);
                    Duration::from_millis(1)
                }
                Read1::Idle => OVERLAP_READ,
                Read1::Closed(_) | Read1::Broken(_) => {
                    self.rotation.lost_old();
                    OVERLAP_READ
                }
            };
            until = until.min(now + wait);
        }
        let Some(socket) = self.socket.as_mut() else {
            return;
        };
        match socket.read(until.saturating_duration_since(now)) {
            Read1::Text(text) => self.frame(text.as_str(), false),
            Read1::Idle => {}
            Read1::Closed(code) => {
                let e = Error::new_kind(ErrorKind::Transport, socket::closed_words(code));
                self.lose(LostReason::Closed(code), e);
            }
            Read1::Broken(why) => {
                let e = Error::new_kind(ErrorKind::Transport, why.clone());
                self.lose(LostReason::ReadError(why), e);
            }
        }
    }

    /// One frame from the service, from the old socket of a rotation or the current one.
    pub(super) fn frame(&mut self, text: &str, from_old: bool) {
        let frame = frames::parse(text);
        if let Frame::Chat(item) = frame {
            if !self.rotation.duplicate(text, from_old) {
                self.accept(*item);
            }
            return;
        }
        if from_old {
            // The old socket's answers and errors are no longer the stream's concern.
            return;
        }
        match frame {
            Frame::Heartbeat => {
                log::trace!(target: LOG_TARGET, "chat stream heartbeat answered");
                self.awaiting_heartbeat = false;
                self.answered();
            }
            // Without the deep heartbeat, its answers are none of the stream's concern.
            Frame::Ping(_) if !self.settings.deep_heartbeat => {}
            Frame::Ping(true) => {
                self.awaiting_ping = false;
                self.answered();
            }
            Frame::Ping(false) => {
                // As no answer: the next tick decides, as Android's does.
                log::warn!(target: LOG_TARGET, "chat stream deep heartbeat answered unhealthy");
            }
            Frame::BadChat(why) => {
                // The item is lost to this socket; the transcript has it, and a new
                // connection reads the transcript back.
                let e = Error::new_invalid_response(why.clone());
                self.lose(LostReason::ReadError(why), e);
            }
            Frame::Error(message) => {
                // The server's words go in the error, not in the reason (which is logged).
                let why = "the WebSocket sent an error frame";
                let e = Error::new_kind(
                    ErrorKind::Transport,
                    format!(
                        "{why}: {}",
                        crate::redact::printable(&message, crate::redact::DETAIL_WIDTH)
                    ),
                );
                self.lose(LostReason::ReadError(why.to_owned()), e);
            }
            Frame::Chat(_) | Frame::Subscribed(_) | Frame::Ignored => {}
        }
    }

    /// A heartbeat or a healthy deep heartbeat was answered: with nothing else awaited,
    /// the socket is proven.
    pub(super) fn answered(&mut self) {
        if self.awaiting_heartbeat || (self.awaiting_ping && self.settings.deep_heartbeat) {
            return;
        }
        self.proven = true;
        self.failures = 0;
        // The new socket works: the old one can go.
        self.rotation.finish();
        self.restored();
    }
}
