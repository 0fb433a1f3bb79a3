//! How the stream's connection is: the transitions it yields among the chat's events, and
//! the health a program can read at any time.

use std::fmt;
use std::time::{Duration, Instant};

use crate::error::Error;

/// A change in the stream's connection, yielded as [`Event::Connection`](super::Event::Connection)
/// in order with the chat's events, each exactly once.
///
/// A stream yields [`Established`](Connection::Established) first; then, for every outage,
/// one [`Lost`](Connection::Lost) and, once a new socket has read what was missed and
/// answered a heartbeat, one [`Restored`](Connection::Restored), however many attempts
/// failed between; if it gives up, [`Broken`](Connection::Broken) is its last event.
/// Replacing a socket on purpose (the hourly rotation) is not an outage and yields
/// nothing, even when it fails (the old socket is kept).
#[derive(Debug)]
#[non_exhaustive]
pub enum Connection {
    /// The stream's first socket is open and subscribed.
    Established,
    /// The socket was lost; the stream is reconnecting.
    Lost(Lost),
    /// The stream is back after a [`Lost`](Connection::Lost): a new socket is subscribed,
    /// has read what was missed, and is proven (it answered a heartbeat and, with the
    /// deep heartbeat on, a healthy deep heartbeat).
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
    /// A deep heartbeat (`aws/ping`) had no healthy answer by the next one (an unhealthy
    /// answer counts as none): once is enough, as for a heartbeat.
    DeepHeartbeatFailed,
    /// The server closed the socket, with this close code if it sent one.
    Closed(Option<u16>),
    /// Reading or writing the socket failed, or the server sent something the stream
    /// cannot read (an error frame, an item it cannot parse); the words say what, in the
    /// crate's words (never a URL, a token, or what the server wrote).
    ReadError(String),
}

impl fmt::Display for LostReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LostReason::HeartbeatMissed => f.write_str("heartbeat missed"),
            LostReason::DeepHeartbeatFailed => f.write_str("deep heartbeat failed"),
            LostReason::Closed(Some(code)) => write!(f, "closed with code {code}"),
            LostReason::Closed(None) => f.write_str("closed without a code"),
            LostReason::ReadError(why) => write!(f, "read error: {why}"),
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

/// A restored connection: what the outage's catch-ups found and how long the stream was
/// away.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Restored {
    /// How many transcript items the outage's catch-ups found that had not been yielded
    /// (every attempt's, a socket that failed before it was proven included; they follow
    /// this event).
    pub missed: usize,
    /// From the loss to the proof of the new socket (its answered heartbeat).
    pub down_for: Duration,
}

/// How the stream's connection is now, as [`ChatStream::health`](super::ChatStream::health)
/// tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Health {
    /// A socket is open and subscribed (and, after an outage, proven).
    Connected,
    /// The socket was lost at `since`; `attempts` connection attempts have failed since
    /// (a socket lost before it was proven is a failed attempt). Until a new socket is
    /// proven.
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
