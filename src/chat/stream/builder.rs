//! The stream's settings, their defaults and bounds, and opening a stream with them.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use super::connect::{Attempt, Caught};
use super::delivery::Delivery;
use super::order::Reorder;
use super::rotation::Rotation;
use super::{ChatStream, LOG_TARGET};
use crate::chat::checkpoint::Checkpoint;
use crate::error::{Error, ErrorKind, Result};
use crate::ops::transcript::{GetTranscriptRequest, ScanDirection};
use crate::participant::Participant;

/// The settings of a stream.
#[derive(Debug, Clone)]
pub(super) struct Settings {
    pub(super) heartbeat: Duration,
    pub(super) deep_heartbeat: bool,
    pub(super) backoff_initial: Duration,
    pub(super) backoff_max: Duration,
    pub(super) max_reconnects: u32,
    pub(super) history: bool,
    pub(super) socket_lifetime: Duration,
    /// How long chat events are held to be released in time order; `None` for not held.
    pub(super) order_window: Option<Duration>,
    /// Where to start: after this checkpoint's items.
    pub(super) resume: Option<Checkpoint>,
    /// Opening, reconnecting and rotating run on a thread of their own.
    pub(super) setup_thread: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            heartbeat: Duration::from_secs(10),
            deep_heartbeat: true,
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
            max_reconnects: 10,
            history: false,
            socket_lifetime: Duration::from_secs(59 * 60),
            order_window: None,
            resume: None,
            setup_thread: true,
        }
    }
}

/// Builds a [`ChatStream`]: its timers and where it starts.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use std::time::Duration;
/// use connect_participant::emulator::Emulator;
/// use connect_participant::{ChatStream, Participant, ParticipantToken};
///
/// let emulator = Emulator::start()?;
/// let client = emulator.client_builder().build()?;
/// let chat = emulator.start_chat();
/// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token.clone())?)?;
/// let stream = ChatStream::builder(&me)
///     .heartbeat_interval(Duration::from_secs(5))
///     .deep_heartbeat(false)
///     .max_reconnect_attempts(3)
///     .open()?;
/// # drop(stream);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub struct StreamBuilder {
    pub(super) participant: Participant,
    pub(super) settings: Settings,
}

impl StreamBuilder {
    /// How often a heartbeat is sent while the stream waits; a heartbeat not answered by
    /// the next one means the connection is lost. 1 ms to 1 hour (`open` refuses others
    /// with [`ErrorKind::InvalidConfig`]). Defaults to 10 s, as ChatJS and the mobile SDKs.
    pub fn heartbeat_interval(mut self, interval: Duration) -> Self {
        self.settings.heartbeat = interval;
        self
    }

    /// Whether a deep heartbeat (`aws/ping`) goes with each heartbeat. Its answer says
    /// whether the service behind the socket is healthy (`statusCode` 200, and
    /// `statusContent` `"OK"` when it is there). No healthy answer by the next heartbeat
    /// (an unhealthy one counts as none, and is logged at `warn`) loses the connection
    /// ([`LostReason::DeepHeartbeatFailed`](super::LostReason::DeepHeartbeatFailed)) and
    /// the stream reconnects: after one miss, as after one missed heartbeat. A new socket
    /// is proven only by a healthy answer too, so a service whose deep heartbeats keep
    /// failing uses up [`max_reconnect_attempts`](Self::max_reconnect_attempts) and the
    /// stream is broken. The interval is the heartbeat's. With `false`, no deep heartbeat
    /// is sent and any answer to one is ignored. Defaults to `true`.
    ///
    /// The reference clients: ChatJS (`webSocketManager.js` in amazon-connect-chatjs's
    /// bundled WebSocket manager) sends `aws/ping` with each heartbeat every 10 s, and
    /// calls its `onDeepHeartbeatFailure` callbacks for a non-200 answer or none by the
    /// next tick, without reconnecting; the Android SDK (`WebSocketManager.kt` and
    /// `HeartbeatManager.kt` in amazon-connect-chat-android) runs a second 10 s heartbeat
    /// for `aws/ping`, counts only `statusCode` 200 with `statusContent` `"OK"` as an
    /// answer, and on a tick with the last one unanswered emits `DeepHeartBeatFailure`
    /// and reconnects. This stream decides at the next tick and reconnects, as Android
    /// does, and reports it (a log record and the lost reason).
    pub fn deep_heartbeat(mut self, on: bool) -> Self {
        self.settings.deep_heartbeat = on;
        self
    }

    /// The wait before the second attempt in a row to reconnect, and the ceiling it doubles
    /// up to; there is no wait before the first. Defaults to 1 s and 30 s (ChatJS waits 1 s
    /// doubling to reopen a socket, and at most 30 s between attempts to fetch a URL).
    /// `initial` at most `max`, and `max` at most 1 hour.
    pub fn reconnect_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.settings.backoff_initial = initial;
        self.settings.backoff_max = max;
        self
    }

    /// How many connection attempts may fail in a row before the stream gives up and
    /// yields [`Connection::Broken`](super::Connection::Broken). A socket lost before it
    /// was proven (a heartbeat answered and, with the deep heartbeat on, a healthy deep
    /// heartbeat) counts as its attempt's failure. At least 1. Defaults to 10 (about two and a half minutes
    /// with the default back-off).
    pub fn max_reconnect_attempts(mut self, attempts: u32) -> Self {
        self.settings.max_reconnects = attempts;
        self
    }

    /// Yield the chat's transcript so far (up to its newest 1000 items, oldest first)
    /// before what happens next, instead of only what happens after the stream opens.
    /// Defaults to `false`.
    pub fn history(mut self, on: bool) -> Self {
        self.settings.history = on;
        self
    }

    /// How long one socket is used before the stream replaces it. Defaults to 59 minutes,
    /// as ChatJS (`TRANSPORT_LIFETIME_IN_SECONDS`); whether the service closes older sockets
    /// is not documented. The replacement is made before the old socket is closed; when it
    /// fails, the old socket is kept and the replacement tried again after 30 s, or after
    /// this lifetime if shorter: see [`ChatStream`]'s "Keeping the stream alive".
    pub fn socket_lifetime(mut self, lifetime: Duration) -> Self {
        self.settings.socket_lifetime = lifetime;
        self
    }

    /// Whether chat events are held for a window and released in `AbsoluteTime` order
    /// (events of one time in the order they came), the catch-up after a reconnection
    /// merged in order with them: the service does not promise that frames arrive in the
    /// order they were sent. Each event waits at most the window
    /// ([`order_window`](Self::order_window), 250 ms unless set) after it came; one older
    /// than an event already yielded (later than the window) is yielded at once; at most
    /// 10,000 events are held, and past that the oldest goes early. Changes of
    /// the connection are yielded at once, and the stream's last event after everything
    /// held. Defaults to `false`: events are yielded as they come.
    pub fn ordered(mut self, on: bool) -> Self {
        self.settings.order_window = on.then(|| {
            self.settings
                .order_window
                .unwrap_or(ChatStream::DEFAULT_ORDER_WINDOW)
        });
        self
    }

    /// The window of [`ordered`](Self::ordered) delivery, which it turns on: 1 ms to 5 s.
    /// Defaults to [`ChatStream::DEFAULT_ORDER_WINDOW`] (250 ms): far more than frames
    /// sent a moment apart arrive apart, and still short to a reader.
    pub fn order_window(mut self, window: Duration) -> Self {
        self.settings.order_window = Some(window);
        self
    }

    /// Start after `checkpoint` (see [`Checkpoint`]): the stream yields exactly the items
    /// the checkpoint has not had, reading the transcript back from the newest to the
    /// checkpoint's [`since`](Checkpoint::since), or to the chat's start for a new
    /// checkpoint, at most 100 pages (10,000 items; older ones are not yielded). They
    /// come after [`Connection::Established`](super::Connection::Established), oldest
    /// first, before what happens next; [`ChatStream::checkpoint`] goes on from this one.
    /// If they end with the chat's end, they are yielded and the stream ends without
    /// connecting. Overrides [`history`](Self::history). Defaults to none: the stream
    /// yields what happens after it opens.
    pub fn resume(mut self, checkpoint: &Checkpoint) -> Self {
        self.settings.resume = Some(checkpoint.clone());
        self
    }

    /// Whether opening, reconnecting and rotating run on a short-lived thread of their
    /// own while the reading thread waits: for a program with a thread per chat, so that
    /// each keeps a small stack. The calls, TLS handshake and upgrade are the deepest stack
    /// the stream needs, and what a thread has touched of its stack stays resident for as
    /// long as it lives: with this on, a reading thread keeps what reading needs (at 1,000
    /// chats, 16 KiB of stack after its first message, against 28 KiB for one that
    /// connected and opened its stream itself; BENCHMARKS.md, "Thousands of chats"), and
    /// 64 KiB of stack is enough for it even in a debug build (see
    /// [`ChatStream`](super::ChatStream), "Memory and threads"). The cost: a thread
    /// started for each (re)connection and rotation (tens of microseconds beside the
    /// calls' milliseconds), and the log records of that work, the calls' among them, come
    /// from that thread (named `<reading thread's name>: chat stream setup`), outside any
    /// thread-local context the reading thread has (a `tracing` span); the stream's own
    /// records stay on the reading thread. If no thread
    /// can be started, the work runs on the reading thread. Defaults to on: a program
    /// with one chat pays a thread per (re)connection, which it does not notice, and one
    /// with thousands keeps a small stack per chat without knowing to ask. `false` keeps
    /// everything on the reading thread.
    ///
    /// [`Participant::connect`] runs on its caller's thread: to keep a reading thread
    /// small, connect on another and move the participant to it (it is `Send`).
    ///
    /// ```
    /// # #[cfg(feature = "emulator")] {
    /// use connect_participant::emulator::Emulator;
    /// use connect_participant::{ChatStream, Event, Participant, ParticipantToken};
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().build()?;
    /// let chat = emulator.start_chat();
    /// // Connected here, read on a thread of its own with a small stack.
    /// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token.clone())?)?;
    /// let reader = std::thread::Builder::new().stack_size(64 * 1024).spawn(move || {
    ///     let mut stream = ChatStream::builder(&me).open()?; // .setup_thread(true), the default
    ///     let first = stream.next().transpose()?;
    ///     Ok::<_, connect_participant::Error>(first.map(|e| e.name()))
    /// })?;
    /// assert_eq!(reader.join().unwrap()?, Some("connection"));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn setup_thread(mut self, on: bool) -> Self {
        self.settings.setup_thread = on;
        self
    }

    /// Opens the stream: a WebSocket URL (the participant's latest if still fresh, or a
    /// new one from CreateParticipantConnection), the upgrade, the subscription to the
    /// chat; then it reads the transcript once, to know what is already there (or, with
    /// [`history`](Self::history), to yield it). Its first event is
    /// [`Connection::Established`](super::Connection::Established).
    ///
    /// Fails with [`ErrorKind::InvalidConfig`] for a setting out of range or a client the
    /// stream cannot connect with, [`ErrorKind::InvalidInput`] when the participant's
    /// connection request did not ask for `WEBSOCKET`, [`ErrorKind::ChatEnded`] when the
    /// chat is over, and with what went wrong when the connection cannot be made (the
    /// first attempt is not retried: a caller can retry at once).
    pub fn open(self) -> Result<ChatStream> {
        self.settings.check()?;
        let mut stream = ChatStream::new(self.participant, self.settings);
        // What is logged is logged on the caller's thread, as before the setup thread.
        if let Some(caught) = stream.set_up(ChatStream::establish)? {
            log::info!(target: LOG_TARGET, "chat stream established");
            // Yielded before anything pending, without a queue of its own: a stream
            // that has yielded nothing else has allocated nothing for its events.
            stream.established_due = true;
            stream.catch_up(caught);
        }
        Ok(stream)
    }
}

impl ChatStream {
    /// The reads a checkpoint or the history setting asks for before the first
    /// connection; `false` if a checkpoint's catch-up found the chat's end. Out of line, so
    /// that its page is not on the frame the connection is made under.
    #[inline(never)]
    fn read_start(&mut self) -> Result<bool> {
        if let Some(at) = self.settings.resume.take() {
            self.resume(&at).map_err(|e| self.ended_or(e))?;
            self.checkpoint = at;
            return Ok(!self.ended);
        }
        if !self.settings.history {
            // What is already there is not news: remembered, not yielded.
            let page = self
                .participant
                .get_transcript(
                    &GetTranscriptRequest::new()
                        .with_max_results(100)
                        .with_scan_direction(ScanDirection::Backward),
                )
                .map_err(|e| self.ended_or(e))?;
            for item in &page.transcript {
                self.delivery.mark_seen(item);
            }
        }
        Ok(true)
    }

    /// What [`StreamBuilder::open`] does on the setup thread: the reads a checkpoint or
    /// the history setting asks for, then the first connection and what it missed; `None`
    /// if the chat ended while a resumed reader was away.
    fn establish(&mut self) -> Result<Option<Caught>> {
        if !self.read_start()? {
            // The chat ended while the reader was away: its end is among what it missed,
            // and there is nothing to connect to.
            return Ok(None);
        }
        let mut attempt = self.connect();
        if let Err(Attempt::Failed(e)) = &attempt {
            if e.kind() == ErrorKind::AccessDenied {
                // Refused after CreateParticipantConnection gave the URL: the chat may have
                // ended meanwhile; one more attempt, with a new URL, says so.
                attempt = self.connect();
            }
        }
        match attempt {
            Ok(caught) => {
                // The open's attempts are the caller's to retry, not the stream's.
                self.failures = 0;
                Ok(Some(caught))
            }
            Err(Attempt::Ended(e) | Attempt::Fatal(e) | Attempt::Failed(e)) => Err(e),
        }
    }
}

impl Settings {
    /// Refuses a setting out of its bounds.
    fn check(&self) -> Result<()> {
        if self.heartbeat < Duration::from_millis(1) || self.heartbeat > Duration::from_secs(3600) {
            return Err(Error::invalid_config(
                "heartbeat interval must be 1 ms to 1 hour",
            ));
        }
        if self.backoff_initial > self.backoff_max || self.backoff_max > Duration::from_secs(3600) {
            return Err(Error::invalid_config(
                "reconnect back-off must have initial <= max <= 1 hour",
            ));
        }
        if self.max_reconnects == 0 {
            return Err(Error::invalid_config(
                "max_reconnect_attempts must be at least 1",
            ));
        }
        if self
            .order_window
            .is_some_and(|w| w < Duration::from_millis(1) || w > Duration::from_secs(5))
        {
            return Err(Error::invalid_config("order window must be 1 ms to 5 s"));
        }
        if self.socket_lifetime < Duration::from_millis(1) {
            return Err(Error::invalid_config(
                "socket lifetime must be at least 1 ms",
            ));
        }
        Ok(())
    }
}

impl ChatStream {
    /// A stream not connected yet.
    fn new(participant: Participant, settings: Settings) -> ChatStream {
        let now = Instant::now();
        let order = settings.order_window.map(Reorder::new);
        ChatStream {
            participant,
            settings,
            socket: None,
            rotation: Rotation::default(),
            order,
            ready: VecDeque::new(),
            checkpoint: Checkpoint::new(),
            rotate_at: None,
            delivery: Delivery::default(),
            pending: VecDeque::new(),
            held: VecDeque::new(),
            established_due: false,
            heartbeat_due: now,
            awaiting_heartbeat: false,
            awaiting_ping: false,
            proven: true,
            failures: 0,
            retry_at: None,
            fresh_url: false,
            last_failure: None,
            outage: None,
            outage_failures: 0,
            outage_missed: 0,
            ended: false,
            broken: false,
        }
    }
}

impl fmt::Debug for StreamBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamBuilder")
            .field("participant", &self.participant)
            .field("settings", &self.settings)
            .finish()
    }
}
