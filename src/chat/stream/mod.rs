//! Listening to a chat: a blocking stream of its events over the participant WebSocket.

mod builder;
mod connect;
mod connection;
mod delivery;
pub(crate) mod event;
mod frames;
mod order;
mod reading;
mod recovery;
mod resume;
mod rotation;
mod setup;
pub(crate) mod socket;

use std::collections::VecDeque;
use std::fmt;

use std::time::{Duration, Instant};

pub use builder::StreamBuilder;
pub use connection::{Connection, Health, Lost, LostReason, Restored};
pub use event::{AuthEvent, AuthKind, ChatEnd, Event, ReceiptEvent};

use self::delivery::Delivery;
use self::order::Reorder;
use self::rotation::Rotation;
use self::socket::Socket;
use crate::chat::checkpoint::Checkpoint;
use crate::chat::content_types;
use crate::error::{Error, ErrorKind, Result};
use crate::ops::transcript::Item;
use crate::participant::Participant;

/// The `log` target of the stream's records.
pub(crate) const LOG_TARGET: &str = "connect_participant::stream";

/// What [`ChatStream::next_timeout`] gives.
#[derive(Debug)]
#[non_exhaustive]
// An event is moved once, to the caller: boxing it would cost an allocation per event.
#[allow(clippy::large_enum_variant)]
pub enum Next {
    /// The next event.
    Event(Event),
    /// Nothing came before the timeout; the stream goes on.
    TimedOut,
    /// The stream has ended: after its last event ([`Event::ChatEnded`], [`Event::Left`]
    /// or [`Connection::Broken`]), or after [`ChatStream::close`].
    Ended,
}

/// A blocking stream of one chat's events, read from the participant WebSocket that
/// CreateParticipantConnection hands out, as Amazon's own chat clients read it.
///
/// Open it with [`Participant::stream`] or [`ChatStream::builder`], then iterate: each
/// item is an [`Event`] (a message, typing, a receipt, someone joining or leaving, a
/// change of the connection, ...). [`next_timeout`](Self::next_timeout) waits at most a given time, so
/// that a loop can do its own work between events. The stream holds its own clone of the
/// [`Participant`]: send messages, typing and receipts with the participant from any
/// thread while one thread reads the stream.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use connect_participant::emulator::Emulator;
/// use connect_participant::{Connection, Event, Participant, ParticipantToken};
///
/// let emulator = Emulator::start()?;
/// let client = emulator.client_builder().build()?;
/// let chat = emulator.start_chat();
/// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token.clone())?)?;
///
/// let mut stream = me.stream()?;
/// emulator.agent_says(&chat.contact_id, "How can I help?", "text/plain")?;
/// for event in &mut stream {
///     match event? {
///         Event::Connection(Connection::Lost(lost)) => eprintln!("reconnecting: {}", lost.reason),
///         Event::Connection(Connection::Restored(back)) => eprintln!("back, {} missed", back.missed),
///         Event::Connection(Connection::Broken(e)) => return Err(e.into()),
///         Event::Message(item) => {
///             assert_eq!(item.content.as_deref(), Some("How can I help?"));
///             break;
///         }
///         _ => {}
///     }
/// }
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # The connection, as events
///
/// The stream says how its connection is, in order with the chat's events, each
/// transition once ([`Event::Connection`]): [`Connection::Established`] first, once the
/// first socket is subscribed and the transcript read (the open fails instead if it
/// cannot be); for every outage one [`Connection::Lost`] with its [`LostReason`] (a
/// heartbeat or deep heartbeat missed, the socket closed with a code, a read error), and,
/// once a new socket is subscribed, has read what was missed and is *proven* (it answered
/// a heartbeat and, with the deep heartbeat on, a healthy deep heartbeat, both sent as
/// soon as it is subscribed), one [`Connection::Restored`] (how many items the outage's
/// catch-ups found, which follow it, and for how long the stream was away). Failed
/// attempts within an outage yield nothing more, a socket lost before it was proven
/// included; [`health`](ChatStream::health) says `Reconnecting`, with their count, until
/// a socket is proven. What the catch-ups and the unproven sockets bring is held until
/// `Restored`, or, if the stream ends first, yielded before its last event. When the attempts run out, or a failure cannot be got past (a certificate
/// refused, a URL that cannot be used), [`Connection::Broken`] carries the error (with
/// the attempts it made, [`Error::attempts`]) and is the last event: the iterator then
/// gives `None`. The iterator's `Err` is never yielded for a connection that gave up (it
/// remains in the signature for what may come); [`StreamBuilder::open`] returns the first
/// connection's failure as an `Err`.
///
/// # Keeping the stream alive
///
/// As Amazon's chat library (ChatJS) does, the stream sends a deep heartbeat
/// (`aws/ping`) and a heartbeat (`aws/heartbeat`) every 10 s while it waits, and at once
/// on a new connection's socket. When a heartbeat has had no answer by the next one, when
/// a deep heartbeat has had no healthy answer by the next one (an unhealthy answer counts
/// as none; see [`StreamBuilder::deep_heartbeat`]), when the socket drops or the server
/// closes it, the connection is lost and the stream connects again: a new URL from CreateParticipantConnection when the last one is older
/// than 85 s or past its `ConnectionExpiry` (which renews the connection token too), the
/// upgrade, the subscription. Failed attempts in a row wait before the next: none before
/// the first, then [`reconnect_backoff`](StreamBuilder::reconnect_backoff)'s initial wait
/// doubling up to its ceiling, each with ±30% jitter from the client's random source;
/// after [`max_reconnect_attempts`](StreamBuilder::max_reconnect_attempts) the stream
/// gives up. A connection counts as healthy again, and the failures in a row start again
/// from none, once its socket is proven.
///
/// Every 59 minutes ([`socket_lifetime`](StreamBuilder::socket_lifetime)) the socket is
/// replaced make-before-break, as ChatJS replaces it: the new one is opened and subscribed
/// while the old one stays open, and both are read until the new one has answered a
/// heartbeat; then the old one is closed. An item that comes on both is yielded once (by
/// `Id`), and so is a typing event (which has no `Id`: the same frame text on both sockets
/// is one frame). The replacement yields nothing, even when it fails (a URL, the upgrade
/// or the subscription refused or failing): the old socket, which works, is kept, and the
/// replacement is tried again 30 s later (or after the socket lifetime, if shorter). Only
/// a replacement that learns the chat is over ends the stream.
///
/// # Each item once
///
/// After every reconnection the stream reads the transcript back (newest first, up to
/// 1000 items) to the end of the page that holds the last item it knows, and yields what
/// it missed, oldest first: every transcript item reaches the caller exactly once, whether its frame came, came twice,
/// or was lost while the socket was down. Items are told apart by `Id`; the last 10,000
/// are remembered. Typing is not kept in the transcript, so typing sent while the stream
/// was away is not seen, and neither are receipts (the transcript puts them on their
/// message instead). A later item with an `Id` already yielded, but other content, is an
/// [`Event::Update`]; streamed bot messages, which arrive in chunks sharing one `Id`, are put
/// together in chunk order (chunks that come early wait for their turn) and yielded as a
/// [`Message`](Event::Message) that grows by updates. Frames are yielded in the order they
/// arrive, which the service does not promise is the order they were sent: order by
/// `absolute_time` where it matters.
///
/// # The end
///
/// The service's `chat.ended` event, or a reconnection that CreateParticipantConnection
/// refuses with 403 (the chat ended while the stream was away), is yielded as
/// [`Event::ChatEnded`], and the stream ends; the stream's [`Participant`] (and every
/// clone of it) then knows the chat is over: its calls fail with
/// [`ErrorKind::ChatEnded`] without sending anything, and so do the helpers built on it.
/// This participant leaving is told apart from the chat ending: its own
/// [`disconnect`](Participant::disconnect), a `participant.left` or
/// `participant.autodisconnection` item about this participant (known by its
/// `ParticipantId`: see [`ParticipantBuilder::participant_id`](crate::ParticipantBuilder::participant_id)),
/// or a reconnection refused after it left, is yielded as [`Event::Left`], last; the chat
/// may go on for the others. Dropping the stream closes its socket (close code 1000).
///
/// # Memory and threads
///
/// An open stream holds its socket's buffers (about 4.5 KiB, zero-filled and so resident:
/// 2 KiB in and 512 bytes out per connection layer, and a 2 KiB WebSocket read buffer; a
/// larger frame grows them while it is read), its state, and about 41 bytes per item it
/// has seen (the last 10,000: under 410 KB). Every stream and call of one
/// [`Client`](crate::Client) shares its TLS configuration (the root store), so build one
/// client for many chats.
///
/// Opening, reconnecting and rotating (calls, the TLS handshake, the upgrade) are the
/// deepest stack the stream needs: a thread that opens a stream over TLS and reads it needs
/// about 40 KiB in an optimized build (it overflowed at 36 KiB, with a one-certificate
/// chain from a test CA beside Mozilla's roots) and about 100 KiB in a debug build. By
/// default ([`StreamBuilder::setup_thread`]) that work runs on a short-lived thread of its
/// own, and the reading thread only reads: it read over TLS on 16 KiB optimized and needs
/// about 40 KiB in a debug build. Give each reading thread (`std::thread::Builder::stack_size`)
/// 64 KiB; with `setup_thread(false)`, 128 KiB where debug builds run. Only the pages a
/// thread touches are resident, but they stay so for as long as it lives: at 1,000 chats,
/// a reading thread that connected and opened its stream itself kept 28 KiB of stack, one
/// with the setup thread 12 KiB, 16 KiB once it had read a message (BENCHMARKS.md,
/// "Thousands of chats").
///
/// # Logging
///
/// The stream logs through the [`log`](https://docs.rs/log) facade, at the target
/// `connect_participant::stream`: `info` for each transition (established, lost and why,
/// restored, broken, the chat's end or this participant leaving) and for a failed
/// rotation, `warn` for each unhealthy deep-heartbeat answer, `debug` for rotations,
/// catch-ups (how many items) and reconnection attempts (with the wait before the next),
/// `trace` for heartbeats. No record holds a token, a URL or its query, a message's
/// content, or what the server wrote: a failure is logged by its kind, HTTP status,
/// service error type and request id, as the calls log theirs.
pub struct ChatStream {
    participant: Participant,
    settings: builder::Settings,
    socket: Option<Socket>,
    /// The socket being replaced, while both are read.
    rotation: Rotation,
    /// When the socket is replaced: its lifetime after it was opened, or the next try
    /// after a failed rotation; `None` for never (a lifetime past what `Instant` holds).
    rotate_at: Option<Instant>,
    delivery: Delivery,
    pending: VecDeque<Event>,
    /// With ordered delivery, the chat events held to be released in time order.
    order: Option<Reorder>,
    /// Events released in their final order: yielded before anything else.
    ready: VecDeque<Event>,
    /// Where the caller is: the items yielded, near the newest, and the receipts seen.
    checkpoint: Checkpoint,
    /// The chat's events read during an outage, from the catch-ups and the sockets not
    /// proven yet: yielded after [`Connection::Restored`], or before the stream's last
    /// event. At most the catch-ups' items (1000 per attempt, bounded by the attempts)
    /// and the frames read between a socket's subscription and its first heartbeat tick.
    held: VecDeque<Event>,
    /// [`Connection::Established`] is the next event, before what is pending.
    established_due: bool,
    /// When the next heartbeat is sent.
    heartbeat_due: Instant,
    /// A heartbeat was sent and not answered yet.
    awaiting_heartbeat: bool,
    /// A deep heartbeat was sent and not answered yet.
    awaiting_ping: bool,
    /// The socket answered a heartbeat (and, with the deep heartbeat on, a healthy deep
    /// heartbeat), or came from the open or a rotation: losing it is not a failed
    /// attempt, and it ends an outage.
    proven: bool,
    /// Connection failures in a row.
    failures: u32,
    /// Not before this instant is the next connection attempt made.
    retry_at: Option<Instant>,
    /// The next URL must be a new one: the last was refused.
    fresh_url: bool,
    /// The last failure, the cause of the stream's giving up.
    last_failure: Option<Error>,
    /// When the connection was lost, until it is restored.
    outage: Option<Instant>,
    /// Failed connection attempts since then.
    outage_failures: u32,
    /// The items the outage's catch-ups found.
    outage_missed: usize,
    /// The last event is out, or queued.
    ended: bool,
    /// The stream gave up.
    broken: bool,
}

impl Participant {
    /// Opens a stream of this chat's events with the default settings: see [`ChatStream`]
    /// and [`StreamBuilder`].
    #[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
    pub fn stream(&self) -> Result<ChatStream> {
        ChatStream::builder(self).open()
    }
}

impl ChatStream {
    /// How long a WebSocket URL is used after CreateParticipantConnection gave it: 85 s,
    /// as ChatJS (`WEBSOCKET_URL_VALID_TIME_MS`), within the service's 100 s
    /// `ConnectionExpiry`.
    pub const WEBSOCKET_URL_VALID_FOR: Duration = Duration::from_secs(85);

    /// The window of ordered delivery unless another is set
    /// ([`StreamBuilder::ordered`]): 250 ms.
    pub const DEFAULT_ORDER_WINDOW: Duration = Duration::from_millis(250);

    /// A builder for a stream of `participant`'s chat, to change the timers.
    pub fn builder(participant: &Participant) -> StreamBuilder {
        StreamBuilder {
            participant: participant.clone(),
            settings: builder::Settings::default(),
        }
    }

    /// The participant this stream reads for (a clone of the one it was opened with).
    pub fn participant(&self) -> &Participant {
        &self.participant
    }

    /// Has the stream ended (its last event was yielded, or it was closed)?
    pub fn is_ended(&self) -> bool {
        self.ended
            && self.pending.is_empty()
            && self.ready.is_empty()
            && self.order.as_ref().is_none_or(|o| o.len() == 0)
            && !self.established_due
    }

    /// Where the caller is: every chat item yielded so far (those near the newest, by
    /// `Id` and time) and the receipts seen, to save and give to
    /// [`StreamBuilder::resume`] after a restart, so that the new stream yields exactly
    /// the items after it. Typing is not in it (it is not kept in the transcript). See
    /// [`Checkpoint`].
    ///
    /// ```
    /// # #[cfg(feature = "emulator")] {
    /// use connect_participant::emulator::Emulator;
    /// use connect_participant::{ChatStream, Checkpoint, Event, Participant, ParticipantToken};
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().build()?;
    /// let chat = emulator.start_chat();
    /// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token.clone())?)?;
    /// let mut stream = me.stream()?;
    /// emulator.agent_says(&chat.contact_id, "One", "text/plain")?;
    /// let saved = loop {
    ///     if let Event::Message(_) = stream.next().unwrap()? {
    ///         break stream.checkpoint().to_json(); // after the message is handled
    ///     }
    /// };
    /// stream.close();
    ///
    /// // A restart: what was said since is yielded, and nothing before.
    /// emulator.agent_says(&chat.contact_id, "Two", "text/plain")?;
    /// let at = Checkpoint::from_json(&saved)?;
    /// let mut stream = ChatStream::builder(&me).resume(&at).open()?;
    /// for event in &mut stream {
    ///     if let Event::Message(item) = event? {
    ///         assert_eq!(item.content.as_deref(), Some("Two"));
    ///         break;
    ///     }
    /// }
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// How the connection is now: connected, reconnecting (since when, after how many
    /// failed attempts), ended, or broken. The events say each change as it comes in
    /// order; this says the state between them, for a status line.
    ///
    /// ```
    /// # #[cfg(feature = "emulator")] {
    /// use connect_participant::emulator::Emulator;
    /// use connect_participant::{Health, Participant, ParticipantToken};
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().build()?;
    /// let chat = emulator.start_chat();
    /// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token.clone())?)?;
    /// let stream = me.stream()?;
    /// assert_eq!(stream.health(), Health::Connected);
    /// stream.close();
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn health(&self) -> Health {
        if self.broken {
            Health::Broken
        } else if self.ended {
            Health::Ended
        } else if let Some(since) = self.outage {
            Health::Reconnecting {
                since,
                attempts: self.outage_failures,
            }
        } else {
            Health::Connected
        }
    }

    /// Waits at most `timeout` for the next event.
    ///
    /// Waiting for frames and back-off waits end at the timeout, and no connection
    /// attempt is started once it has passed (`Duration::ZERO` only reads what is there,
    /// and never blocks on a reconnection). An attempt started within it is not cut short: it may run past the timeout by its own bounds,
    /// which are the client's connect timeout and timeout for the socket, a few seconds
    /// for the subscription (ChatJS's resend and retry waits), and the catch-up's
    /// GetTranscript calls (at most 10, each with the client's timeouts and retries).
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<Next> {
        let deadline = Instant::now().checked_add(timeout);
        Ok(self.next_until(deadline))
    }

    /// Closes the socket (code 1000) and ends the stream.
    pub fn close(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        self.ended = true;
        self.established_due = false;
        self.pending.clear();
        self.held.clear();
        self.ready.clear();
        if let Some(order) = &mut self.order {
            order.drain().for_each(drop);
        }
        self.drop_sockets();
    }

    /// The next event, waiting until `deadline` (forever without one).
    ///
    /// Its frame sits under every read and every item's handling, and a reading thread's
    /// stack stays as deep as it ever went: what it calls on other paths (yielding,
    /// heartbeats, reconnecting, rotating, a streamed message's chunks) is kept out of line
    /// (`#[inline(never)]`), which took this frame from 3,000 to 1,400 bytes and a reading
    /// thread from 20 to 16 KiB of stack after its first message.
    fn next_until(&mut self, deadline: Option<Instant>) -> Next {
        loop {
            if std::mem::take(&mut self.established_due) {
                return Next::Event(Event::Connection(Connection::Established));
            }
            if let Some(event) = self.next_ready() {
                return Next::Event(self.yielded(event));
            }
            if self.ended {
                return Next::Ended;
            }
            let order_due = self.order.as_ref().and_then(Reorder::next_due);
            if self.socket.is_none() {
                let wake = match (deadline, order_due) {
                    (Some(d), Some(o)) => Some(d.min(o)),
                    (d, o) => d.or(o),
                };
                if self.reconnect(wake) && deadline.is_some_and(|d| Instant::now() >= d) {
                    return Next::TimedOut;
                }
                continue;
            }
            let now = Instant::now();
            let rotate_at = self.rotate_at.filter(|_| !self.rotation.overlapping());
            if rotate_at.is_some_and(|at| now >= at) {
                self.rotate();
                continue;
            }
            if now >= self.heartbeat_due {
                self.heartbeat(now);
                continue;
            }
            let mut until = self.heartbeat_due;
            for at in [rotate_at, order_due].into_iter().flatten() {
                until = until.min(at);
            }
            if let Some(d) = deadline {
                if now >= d {
                    return Next::TimedOut;
                }
                until = until.min(d);
            }
            self.read(now, until);
        }
    }

    /// The next event to yield, if one may go now: what was released in order, then
    /// (with ordered delivery) what is due, then what is pending (chat events held for
    /// ordering, the stream's last event after everything held).
    #[inline(never)] // Off the read path: see `next_until`.
    fn next_ready(&mut self) -> Option<Event> {
        if let Some(event) = pop(&mut self.ready) {
            return Some(event);
        }
        if self.order.is_none() {
            return pop(&mut self.pending);
        }
        self.next_ordered()
    }

    /// [`next_ready`](Self::next_ready) with ordered delivery, once `ready` is empty. Out
    /// of line, as its events are many: see `next_until`.
    #[inline(never)]
    fn next_ordered(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = pop(&mut self.ready) {
                return Some(event);
            }
            let order = self.order.as_mut()?;
            if let Some(event) = order.release(Instant::now()) {
                return Some(event);
            }
            let event = pop(&mut self.pending)?;
            if is_last(&event) {
                self.ready.extend(order.drain());
                self.ready.push_back(event);
            } else if let Some(now) = order.hold(event, Instant::now()) {
                return Some(now);
            }
        }
    }

    /// `event` goes to the caller: the checkpoint notes its item, and the stream ends
    /// after its last event.
    #[inline(never)] // Off the read path: see `next_until`.
    fn yielded(&mut self, event: Event) -> Event {
        if is_last(&event) {
            self.shut();
        }
        if !matches!(event, Event::Typing(_)) {
            if let Some(item) = event.item() {
                self.checkpoint.note(item);
            }
        }
        event
    }

    /// A chat item: its events, each once; the chat's end, or this participant's
    /// departure, known to the participant.
    fn accept(&mut self, item: Item) {
        let mut out = Vec::new();
        self.delivery.accept(item, &mut out);
        for event in out {
            if self.ended {
                return;
            }
            let chat_ended = matches!(event, Event::ChatEnded(_));
            if self.is_own_departure(&event) || (chat_ended && self.participant.has_left()) {
                self.leave(event.item().cloned(), None);
                return;
            }
            if chat_ended {
                log::info!(target: LOG_TARGET, "chat stream ended: the chat has ended");
                self.participant.mark_chat_ended();
                self.ended = true;
                self.release_held();
            }
            if self.outage.is_some() && !self.ended {
                self.held.push_back(event);
            } else {
                self.pending.push_back(event);
            }
        }
    }

    /// Is this event this participant's own `participant.left` or
    /// `participant.autodisconnection`?
    fn is_own_departure(&self, event: &Event) -> bool {
        let Some(item) = event.item() else {
            return false;
        };
        let departure = matches!(
            item.content_type.as_deref(),
            Some(content_types::PARTICIPANT_LEFT | content_types::PARTICIPANT_AUTODISCONNECTION)
        );
        departure && self.participant.is_own(item)
    }

    /// `e`, or [`ErrorKind::ChatEnded`] when `e` is a 403 and CreateParticipantConnection
    /// says the chat is over.
    fn ended_or(&self, e: Error) -> Error {
        if e.kind() != ErrorKind::AccessDenied {
            return e;
        }
        match self.participant.renew() {
            Err(ended) if ended.kind() == ErrorKind::ChatEnded => ended,
            _ => e,
        }
    }
}

/// The first event of `queue`; a queue it leaves empty gives its buffer back. An event is
/// 624 bytes and a queue's first buffer holds four: kept, it would cost an idle chat
/// 2.5 KiB after its first event, for each queue.
fn pop(queue: &mut VecDeque<Event>) -> Option<Event> {
    let event = queue.pop_front();
    if queue.is_empty() && queue.capacity() > 0 {
        *queue = VecDeque::new();
    }
    event
}

/// Is this event the stream's last?
fn is_last(event: &Event) -> bool {
    matches!(
        event,
        Event::ChatEnded(_) | Event::Left(_) | Event::Connection(Connection::Broken(_))
    )
}

impl Iterator for ChatStream {
    type Item = Result<Event>;

    /// Blocks until the next event; `None` once the stream has ended (after its last
    /// event). Never `Err` for now: a connection that gave up is
    /// [`Connection::Broken`].
    fn next(&mut self) -> Option<Result<Event>> {
        match self.next_until(None) {
            Next::Event(e) => Some(Ok(e)),
            Next::Ended | Next::TimedOut => None,
        }
    }
}

impl Drop for ChatStream {
    fn drop(&mut self) {
        self.shut();
    }
}

impl fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatStream")
            .field("participant", &self.participant)
            .field("settings", &self.settings)
            .field("health", &self.health())
            .field("rotating", &self.rotation.overlapping())
            .field("failures", &self.failures)
            .field("pending", &self.pending.len())
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_can_move_to_another_thread() {
        fn assert_send<T: Send + 'static>() {}
        assert_send::<ChatStream>();
        assert_send::<Event>();
        assert_send::<Next>();
    }

    #[test]
    fn a_queue_left_empty_gives_its_buffer_back() {
        let mut queue = VecDeque::new();
        queue.push_back(Event::Connection(Connection::Established));
        queue.push_back(Event::Connection(Connection::Established));
        assert!(pop(&mut queue).is_some());
        // Not empty yet: kept for what is still in it.
        assert!(queue.capacity() > 0);
        assert!(pop(&mut queue).is_some());
        assert_eq!(queue.capacity(), 0);
        assert!(pop(&mut queue).is_none());
    }
}
