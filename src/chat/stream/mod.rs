//! Listening to a chat: a blocking stream of its events over the participant WebSocket.

mod connection;
mod delivery;
mod event;
mod frames;
pub(crate) mod socket;

use std::collections::VecDeque;
use std::fmt;

use std::time::{Duration, Instant};

pub use connection::{Connection, Health, Lost, LostReason, Restored};
pub use event::{AuthEvent, AuthKind, ChatEnd, Event, ReceiptEvent};

use self::delivery::Delivery;
use self::frames::Frame;
use self::socket::{OpenError, Read1, Socket};
use crate::error::{Error, ErrorKind, Result};
use crate::ops::transcript::{GetTranscriptRequest, Item, ScanDirection, SortOrder};
use crate::participant::Participant;

/// How many transcript pages of 100 items a reconnection reads, at most, to find what it
/// missed: a gap longer than 1000 items yields its newest 1000.
const MAX_FILL_PAGES: usize = 10;
/// How many chat frames that come before the subscription's answer are kept, to be
/// yielded after the transcript is read back.
const MAX_EARLY: usize = 1000;

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
    /// The stream has ended: after [`Event::ChatEnded`], or after an error was returned.
    Ended,
}

/// A blocking stream of one chat's events, read from the participant WebSocket that
/// CreateParticipantConnection hands out, as Amazon's own chat clients read it.
///
/// Open it with [`Participant::stream`] or [`ChatStream::builder`], then iterate: each
/// item is an [`Event`] (a message, typing, a receipt, someone joining or leaving, ...)
/// or, last, an error. [`next_timeout`](Self::next_timeout) waits at most a given time, so
/// that a loop can do its own work between events. The stream holds its own clone of the
/// [`Participant`]: send messages, typing and receipts with the participant from any
/// thread while one thread reads the stream.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use connect_participant::emulator::Emulator;
/// use connect_participant::{Event, Participant, ParticipantToken};
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
/// # Keeping the stream alive
///
/// As Amazon's chat library (ChatJS) does, the stream sends a heartbeat every 10 s (a
/// `aws/ping` frame, then `aws/heartbeat`) while it waits. When a heartbeat has had no
/// answer by the next one, when the socket drops or the server closes it, and every 59
/// minutes, it connects again: a new URL from CreateParticipantConnection when the last one
/// is older than 85 s or past its `ConnectionExpiry` (which renews the connection token
/// too), the upgrade, the subscription. Failed attempts in a row wait before the next: none
/// before the first, then [`reconnect_backoff`](StreamBuilder::reconnect_backoff)'s initial
/// wait doubling up to its ceiling, each with ±30% jitter from the client's random source;
/// after [`max_reconnect_attempts`](StreamBuilder::max_reconnect_attempts) the stream
/// returns the last failure and ends. A connection counts as healthy again once a heartbeat
/// is answered.
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
/// [`Event::ChatEnded`], and the stream ends. An error ends it too: the stream could not
/// reconnect, or something it cannot get past (a certificate refused, a URL it cannot
/// use). Dropping the stream closes its socket (close code 1000).
pub struct ChatStream {
    participant: Participant,
    settings: Settings,
    socket: Option<Socket>,
    /// When the socket was opened, to replace it after [`SOCKET_LIFETIME`].
    opened: Instant,
    delivery: Delivery,
    pending: VecDeque<Event>,
    /// When the next heartbeat is sent.
    heartbeat_due: Instant,
    /// A heartbeat was sent and not answered yet.
    awaiting_heartbeat: bool,
    /// Connection failures in a row.
    failures: u32,
    /// Not before this instant is the next connection attempt made.
    retry_at: Option<Instant>,
    /// The next URL must be a new one: the last was refused.
    fresh_url: bool,
    /// The last failure, returned when the attempts run out.
    last_failure: Option<Error>,
    ended: bool,
}

impl Participant {
    /// Opens a stream of this chat's events with the default settings: see [`ChatStream`]
    /// and [`StreamBuilder`].
    #[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
    pub fn stream(&self) -> Result<ChatStream> {
        ChatStream::builder(self).open()
    }
}

/// The settings of a stream.
#[derive(Debug, Clone)]
struct Settings {
    heartbeat: Duration,
    backoff_initial: Duration,
    backoff_max: Duration,
    max_reconnects: u32,
    history: bool,
    socket_lifetime: Duration,
}

/// Builds a [`ChatStream`]: its timers and where it starts.
#[must_use]
pub struct StreamBuilder {
    participant: Participant,
    settings: Settings,
}

impl StreamBuilder {
    /// How often a heartbeat is sent while the stream waits; a heartbeat not answered by
    /// the next one means the connection is lost. At least 1 ms. Defaults to 10 s, as
    /// ChatJS and the mobile SDKs.
    pub fn heartbeat_interval(mut self, interval: Duration) -> Self {
        self.settings.heartbeat = interval;
        self
    }

    /// The wait before the second attempt in a row to reconnect, and the ceiling it doubles
    /// up to; there is no wait before the first. Defaults to 1 s and 30 s (ChatJS waits 1 s
    /// doubling to reopen a socket, and at most 30 s between attempts to fetch a URL).
    pub fn reconnect_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.settings.backoff_initial = initial;
        self.settings.backoff_max = max;
        self
    }

    /// How many connection attempts may fail in a row before the stream gives up and
    /// returns the last failure. At least 1. Defaults to 10 (about two and a half minutes
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
    /// is not documented.
    pub fn socket_lifetime(mut self, lifetime: Duration) -> Self {
        self.settings.socket_lifetime = lifetime;
        self
    }

    /// Opens the stream: a WebSocket URL (the participant's latest if still fresh, or a
    /// new one from CreateParticipantConnection), the upgrade, the subscription to the
    /// chat; then it reads the transcript once, to know what is already there (or, with
    /// [`history`](Self::history), to yield it).
    ///
    /// Fails with [`ErrorKind::InvalidConfig`] for a setting out of range or a client the
    /// stream cannot connect with, [`ErrorKind::InvalidInput`] when the participant's
    /// connection request did not ask for `WEBSOCKET`, [`ErrorKind::ChatEnded`] when the
    /// chat is over, and with what went wrong when the connection cannot be made (the
    /// first attempt is not retried: a caller can retry at once).
    pub fn open(self) -> Result<ChatStream> {
        let s = &self.settings;
        if s.heartbeat < Duration::from_millis(1) || s.heartbeat > Duration::from_secs(3600) {
            return Err(Error::invalid_config(
                "heartbeat interval must be 1 ms to 1 hour",
            ));
        }
        if s.backoff_initial > s.backoff_max || s.backoff_max > Duration::from_secs(3600) {
            return Err(Error::invalid_config(
                "reconnect back-off must have initial <= max <= 1 hour",
            ));
        }
        if s.max_reconnects == 0 {
            return Err(Error::invalid_config(
                "max_reconnect_attempts must be at least 1",
            ));
        }
        if s.socket_lifetime < Duration::from_millis(1) {
            return Err(Error::invalid_config(
                "socket lifetime must be at least 1 ms",
            ));
        }
        let now = Instant::now();
        let mut stream = ChatStream {
            participant: self.participant,
            settings: self.settings,
            socket: None,
            opened: now,
            delivery: Delivery::default(),
            pending: VecDeque::new(),
            heartbeat_due: now,
            awaiting_heartbeat: false,
            failures: 0,
            retry_at: None,
            fresh_url: false,
            last_failure: None,
            ended: false,
        };
        if !stream.settings.history {
            // What is already there is not news: remembered, not yielded.
            let page = stream
                .participant
                .get_transcript(
                    &GetTranscriptRequest::new()
                        .with_max_results(100)
                        .with_scan_direction(ScanDirection::Backward),
                )
                .map_err(|e| stream.ended_or(e))?;
            for item in &page.transcript {
                stream.delivery.mark_seen(item);
            }
        }
        let mut attempt = stream.connect();
        if let Err(Attempt::Failed(e)) = &attempt {
            if e.kind() == ErrorKind::AccessDenied {
                // Refused after CreateParticipantConnection gave the URL: the chat may have
                // ended meanwhile; one more attempt, with a new URL, says so.
                attempt = stream.connect();
            }
        }
        match attempt {
            Ok(()) => Ok(stream),
            Err(Attempt::Ended(e) | Attempt::Fatal(e) | Attempt::Failed(e)) => Err(e),
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

/// Why a connection attempt did not give a subscribed socket.
enum Attempt {
    /// Worth another attempt.
    Failed(Error),
    /// Not worth another: the stream ends with this error.
    Fatal(Error),
    /// The chat is over: CreateParticipantConnection answered 403 (the error says so).
    Ended(Error),
}

impl ChatStream {
    /// How long a WebSocket URL is used after CreateParticipantConnection gave it: 85 s,
    /// as ChatJS (`WEBSOCKET_URL_VALID_TIME_MS`), within the service's 100 s
    /// `ConnectionExpiry`.
    pub const WEBSOCKET_URL_VALID_FOR: Duration = Duration::from_secs(85);

    /// A builder for a stream of `participant`'s chat, to change the timers.
    pub fn builder(participant: &Participant) -> StreamBuilder {
        StreamBuilder {
            participant: participant.clone(),
            settings: Settings {
                heartbeat: Duration::from_secs(10),
                backoff_initial: Duration::from_secs(1),
                backoff_max: Duration::from_secs(30),
                max_reconnects: 10,
                history: false,
                socket_lifetime: Duration::from_secs(59 * 60),
            },
        }
    }

    /// The participant this stream reads for (a clone of the one it was opened with).
    pub fn participant(&self) -> &Participant {
        &self.participant
    }

    /// Has the stream ended (the chat ended, or an error was returned)?
    pub fn is_ended(&self) -> bool {
        self.ended && self.pending.is_empty()
    }

    /// Waits at most `timeout` for the next event.
    ///
    /// Waiting for frames and back-off waits end at the timeout. A connection attempt
    /// started within it is not cut short: it may run past the timeout by its own bounds,
    /// which are the client's connect timeout and timeout for the socket, a few seconds
    /// for the subscription (ChatJS's resend and retry waits), and the catch-up's
    /// GetTranscript calls (at most 10, each with the client's timeouts and retries).
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<Next> {
        let deadline = Instant::now().checked_add(timeout);
        self.next_until(deadline)
    }

    /// Closes the socket (code 1000) and ends the stream.
    pub fn close(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        self.ended = true;
        if let Some(socket) = self.socket.take() {
            socket.close(Duration::from_millis(100));
        }
    }

    /// The next event, waiting until `deadline` (forever without one).
    fn next_until(&mut self, deadline: Option<Instant>) -> Result<Next> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                if matches!(event, Event::ChatEnded(_)) {
                    self.pending.clear();
                    self.shut();
                }
                return Ok(Next::Event(event));
            }
            if self.ended {
                return Ok(Next::Ended);
            }
            let now = Instant::now();
            if self.socket.is_none() {
                if self.failures > self.settings.max_reconnects {
                    // Sockets lost before any heartbeat was answered count as failed
                    // attempts too: a server that takes the subscription and then drops
                    // every socket does not keep the stream reconnecting for ever.
                    let e = self.last_failure.take().unwrap_or_else(|| {
                        Error::new_kind(ErrorKind::Transport, "the WebSocket was lost")
                    });
                    return self.fail(e);
                }
                if let Some(at) = self.retry_at.filter(|at| now < *at) {
                    match deadline {
                        Some(d) if d <= at => {
                            std::thread::sleep(d.saturating_duration_since(now));
                            return Ok(Next::TimedOut);
                        }
                        _ => std::thread::sleep(at - now),
                    }
                }
                match self.connect() {
                    Ok(()) => {}
                    Err(Attempt::Ended(e)) => self.pending.push_back(Event::ChatEnded(ChatEnd {
                        item: None,
                        error: Some(e),
                    })),
                    Err(Attempt::Fatal(e)) => return self.fail(e),
                    Err(Attempt::Failed(e)) => {
                        if self.failures >= self.settings.max_reconnects {
                            return self.fail(e);
                        }
                        self.last_failure = Some(e);
                    }
                }
                continue;
            }
            if now.duration_since(self.opened) >= self.settings.socket_lifetime {
                self.lose(None);
                continue;
            }
            if now >= self.heartbeat_due {
                if self.awaiting_heartbeat {
                    self.lose(Some(Error::new_kind(
                        ErrorKind::Timeout,
                        format!(
                            "the WebSocket heartbeat had no answer within {} ms",
                            self.settings.heartbeat.as_millis()
                        ),
                    )));
                    continue;
                }
                if let Err(why) = self.send_heartbeat() {
                    self.lose(Some(Error::new_kind(ErrorKind::Transport, why)));
                    continue;
                }
                self.heartbeat_due = now + self.settings.heartbeat;
            }
            let mut until = self.heartbeat_due;
            if let Some(d) = deadline {
                if now >= d {
                    return Ok(Next::TimedOut);
                }
                until = until.min(d);
            }
            let Some(socket) = self.socket.as_mut() else {
                continue;
            };
            match socket.read(until.saturating_duration_since(now)) {
                Read1::Text(text) => self.frame(text.as_str()),
                Read1::Idle => {}
                Read1::Closed(why) => self.lose(Some(Error::new_kind(ErrorKind::Transport, why))),
            }
        }
    }

    fn send_heartbeat(&mut self) -> std::result::Result<(), String> {
        let Some(socket) = self.socket.as_mut() else {
            return Ok(());
        };
        socket.send(frames::PING)?;
        socket.send(frames::HEARTBEAT)?;
        self.awaiting_heartbeat = true;
        Ok(())
    }

    /// Ends the stream with `e`.
    fn fail(&mut self, e: Error) -> Result<Next> {
        self.shut();
        Err(e)
    }

    /// The socket is lost (`why`, or replaced on purpose): the next loop reconnects.
    fn lose(&mut self, why: Option<Error>) {
        if let Some(socket) = self.socket.take() {
            socket.close(Duration::from_millis(100));
        }
        if let Some(e) = why {
            self.failures += 1;
            self.last_failure = Some(e);
            self.retry_at = Some(Instant::now() + self.backoff());
        }
    }

    /// The wait before the next attempt after `failures` in a row: none after one, then
    /// the initial wait doubling to the ceiling, ±30%.
    fn backoff(&self) -> Duration {
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

    /// One frame from the service.
    fn frame(&mut self, text: &str) {
        match frames::parse(text) {
            Frame::Chat(item) => self.accept(*item),
            Frame::Heartbeat => {
                self.awaiting_heartbeat = false;
                self.failures = 0;
            }
            Frame::BadChat(why) => {
                // The item is lost to this socket; the transcript has it, and a new
                // connection reads the transcript back.
                self.lose(Some(Error::new_invalid_response(why)));
            }
            Frame::Error(message) => {
                self.lose(Some(Error::new_kind(
                    ErrorKind::Transport,
                    format!(
                        "the WebSocket sent an error: {}",
                        crate::redact::printable(&message, crate::redact::DETAIL_WIDTH)
                    ),
                )));
            }
            Frame::Subscribed(_) | Frame::Ping | Frame::Ignored => {}
        }
    }

    fn accept(&mut self, item: Item) {
        let mut out = Vec::new();
        self.delivery.accept(item, &mut out);
        self.pending.extend(out);
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

    /// One attempt to get a subscribed socket, and what it missed.
    fn connect(&mut self) -> std::result::Result<(), Attempt> {
        let result = self.try_connect();
        match &result {
            Ok(()) => {
                self.retry_at = None;
            }
            Err(Attempt::Failed(e)) => {
                if e.kind() == ErrorKind::AccessDenied {
                    // A token or URL refused: the next attempt calls
                    // CreateParticipantConnection, which tells whether the chat is on.
                    self.fresh_url = true;
                }
                self.failures += 1;
                self.retry_at = Some(Instant::now() + self.backoff());
            }
            Err(_) => {}
        }
        result
    }

    fn try_connect(&mut self) -> std::result::Result<(), Attempt> {
        let url = self
            .participant
            .websocket_url(
                std::mem::take(&mut self.fresh_url),
                ChatStream::WEBSOCKET_URL_VALID_FOR,
            )
            .map_err(classify_call)?;
        let mut socket = match socket::open(&url, self.participant.client().net()) {
            Ok(s) => s,
            Err(OpenError::Refused(status)) => {
                // An expired or revoked URL: the next attempt asks for a new one, and
                // CreateParticipantConnection tells whether the chat is still on.
                self.fresh_url = true;
                return Err(Attempt::Failed(Error::new_kind(
                    ErrorKind::AccessDenied,
                    format!("the WebSocket upgrade was refused with HTTP {status}"),
                )));
            }
            Err(OpenError::Failed(e)) => {
                return Err(match e.kind() {
                    ErrorKind::Certificate | ErrorKind::InvalidConfig => Attempt::Fatal(e),
                    _ => Attempt::Failed(e),
                });
            }
        };
        let early = Self::subscribe_on(&mut socket)?;
        self.socket = Some(socket);
        self.opened = Instant::now();
        self.awaiting_heartbeat = false;
        self.heartbeat_due = self.opened + self.settings.heartbeat;
        self.fill().inspect_err(|_| {
            if let Some(s) = self.socket.take() {
                s.close(Duration::from_millis(100));
            }
        })?;
        // After the fill: known before it, a frame's item would stop the fill at it,
        // and what was missed before it would be lost.
        for item in early {
            self.accept(item);
        }
        Ok(())
    }

    /// Subscribes to the chat: ChatJS's rules, a refusal retried every
    /// 500 ms up to 5 times, an unanswered subscribe resent after 1 s up to 3 times; chat
    /// frames that come first are kept (at most [`MAX_EARLY`]) and given back.
    fn subscribe_on(socket: &mut Socket) -> std::result::Result<Vec<Item>, Attempt> {
        let failed = |why: String| Attempt::Failed(Error::new_kind(ErrorKind::Transport, why));
        let mut early = Vec::new();
        let mut refusals = 0;
        let mut unanswered = 0;
        socket.send(frames::SUBSCRIBE).map_err(failed)?;
        let mut resend_at = Instant::now() + Duration::from_secs(1);
        loop {
            let now = Instant::now();
            if now >= resend_at {
                unanswered += 1;
                if unanswered > 3 {
                    return Err(failed(
                        "the WebSocket subscription had no answer after 4 tries".to_owned(),
                    ));
                }
                socket.send(frames::SUBSCRIBE).map_err(failed)?;
                resend_at = now + Duration::from_secs(1);
                continue;
            }
            match socket.read(resend_at - now) {
                Read1::Text(text) => match frames::parse(text.as_str()) {
                    Frame::Subscribed(true) => return Ok(early),
                    Frame::Subscribed(false) => {
                        refusals += 1;
                        if refusals >= 5 {
                            return Err(failed(
                                "the WebSocket subscription was refused 5 times".to_owned(),
                            ));
                        }
                        std::thread::sleep(Duration::from_millis(500));
                        socket.send(frames::SUBSCRIBE).map_err(failed)?;
                        resend_at = Instant::now() + Duration::from_secs(1);
                    }
                    // Past the bound, the transcript has them: the fill reads them.
                    Frame::Chat(item) if early.len() < MAX_EARLY => early.push(*item),
                    Frame::Error(message) => {
                        return Err(failed(format!(
                            "the WebSocket sent an error while subscribing: {}",
                            crate::redact::printable(&message, crate::redact::DETAIL_WIDTH)
                        )));
                    }
                    _ => {}
                },
                Read1::Idle => {}
                Read1::Closed(why) => return Err(failed(why)),
            }
        }
    }

    /// Reads the transcript back, newest first, to the end of the page that holds the
    /// newest item already known, and yields what is not known, oldest first.
    fn fill(&mut self) -> std::result::Result<(), Attempt> {
        let mut missed: Vec<Item> = Vec::new();
        let mut request = GetTranscriptRequest::new()
            .with_max_results(100)
            .with_scan_direction(ScanDirection::Backward)
            .with_sort_order(SortOrder::Descending);
        for _ in 0..MAX_FILL_PAGES {
            let page = self
                .participant
                .get_transcript(&request)
                .map_err(classify_call)?;
            let mut reached_known = false;
            for item in page.transcript {
                if item.id.as_deref().is_some_and(|id| self.delivery.knows(id)) {
                    // Frames are not promised in order (the service's documentation says
                    // so), nor are items of equal
                    // AbsoluteTime: an item older than a known one may still be missing.
                    // The rest of this page is read too; the next page is not.
                    reached_known = true;
                    continue;
                }
                if reached_known && item.id.is_none() {
                    // Older than a known item, and nothing tells whether it was yielded.
                    continue;
                }
                missed.push(item);
            }
            match page.next_token.filter(|t| !t.is_empty()) {
                Some(token) if !reached_known => request = request.with_next_token(token),
                _ => break,
            }
        }
        for item in missed.into_iter().rev() {
            self.accept(item);
        }
        Ok(())
    }
}

/// A failed REST call during a (re)connection: the chat's end, a failure worth another
/// attempt, or one that is not.
fn classify_call(e: Error) -> Attempt {
    match e.kind() {
        ErrorKind::ChatEnded => Attempt::Ended(e),
        ErrorKind::Transport
        | ErrorKind::Timeout
        | ErrorKind::Throttling
        | ErrorKind::InternalServer
        | ErrorKind::UnexpectedStatus
        | ErrorKind::AccessDenied => Attempt::Failed(e),
        _ => Attempt::Fatal(e),
    }
}

impl Iterator for ChatStream {
    type Item = Result<Event>;

    /// Blocks until the next event; `None` once the stream has ended.
    fn next(&mut self) -> Option<Result<Event>> {
        match self.next_until(None) {
            Ok(Next::Event(e)) => Some(Ok(e)),
            Ok(Next::Ended | Next::TimedOut) => None,
            Err(e) => Some(Err(e)),
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
            .field("connected", &self.socket.is_some())
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
}
