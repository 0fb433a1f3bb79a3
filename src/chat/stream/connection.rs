//! How the stream's connection is: the transitions it yields among the chat's events, and
//! the health a program can read at any time.

use std::fmt;
use std::time::{Duration, Instant};

use crate::error::Error;

/// A change in the stream's connection, yielded as [`Event::Connection`](super::Event::Connection)
/// in order with the chat's events, each exactly once.
///
/// A stream yields [`Established`](Connection::Established) first; then, for every outage,
/// one [`Lost`](Connection::Lost) and, once it is back and has read what it missed, one
/// [`Restored`](Connection::Restored); if it gives up, [`Broken`](Connection::Broken) is
/// its last event. Replacing a socket on purpose (the hourly rotation) is not an outage
/// and yields nothing unless it fails.
#[derive(Debug)]
#[non_exhaustive]
pub enum Connection {
    /// The stream's first socket is open and subscribed.
    Established,
    /// The socket was lost; the stream is reconnecting.
    Lost(Lost),
    /// The stream is back after a [`Lost`](Connection::Lost), and has read what it missed.
    Restored(Restored),
    /// The stream gave up: the error says why and how many attempts it made. The last
    /// event of the stream.
    Broken(Error),
}

impl Connection {
    /// A short name: `established`, `lost`, `restored` or `broken`.
    pub fn name(&self) -> &'static str {
        match self {
            Connection::Established => "established",
            Connection::Lost(_) => "lost",
            Connection::Restored(_) => "restored",
            Connection::Broken(_) => "broken",
        }
    }
}

/// Why the socket was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LostReason {
    /// A heartbeat (`aws/heartbeat`) had no answer by the next one.
    HeartbeatMissed,
    /// Deep heartbeats (`aws/ping`) failed or went unanswered too many times in a row.
    DeepHeartbeatFailed,
    /// The server closed the socket, with this close code if it sent one.
    Closed(Option<u16>),
    /// Reading or writing the socket failed, or the server sent something the stream
    /// cannot read; the words say what (never a URL or a token).
    ReadError(String),
    /// A new connection's URL or upgrade was refused.
    Refused,
}

impl fmt::Display for LostReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LostReason::HeartbeatMissed => f.write_str("heartbeat missed"),
            LostReason::DeepHeartbeatFailed => f.write_str("deep heartbeat failed"),
            LostReason::Closed(Some(code)) => write!(f, "closed with code {code}"),
            LostReason::Closed(None) => f.write_str("closed without a code"),
            LostReason::ReadError(why) => write!(f, "read error: {why}"),
            LostReason::Refused => f.write_str("URL refused"),
        }
    }
}

/// A lost connection: why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Lost {
    /// Why the socket was lost.
    pub reason: LostReason,
}

/// A restored connection: what the catch-up found and how long the stream was away.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Restored {
    /// How many transcript items the catch-up found that had not been yielded (they
    /// follow this event).
    pub missed: usize,
    /// From the loss to the new socket's subscription and catch-up.
    pub down_for: Duration,
}

/// How the stream's connection is now, as [`ChatStream::health`](super::ChatStream::health)
/// tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Health {
    /// A socket is open and subscribed.
    Connected,
    /// The socket was lost at `since`; `attempts` connection attempts have failed since.
    Reconnecting {
        /// When the socket was lost.
        since: Instant,
        /// Failed connection attempts since.
        attempts: u32,
    },
    /// The stream has ended: the chat ended, this participant left, or it was closed.
    Ended,
    /// The stream gave up on the connection.
    Broken,
}
