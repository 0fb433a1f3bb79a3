//! Delivered and read receipts with as few SendEvent calls as the service needs.

mod book;
mod every;
mod newest;
mod seed;

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use self::book::{Book, Kind, Mark, Places};
use super::sender::{ClockFn, EventSender};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::ops::transcript::{Item, ItemType, MAX_TRANSCRIPT_RESULTS};
use crate::participant::Participant;
use crate::time::Timestamp;
use crate::token::ConnectionToken;
use crate::{GetTranscriptRequest, SendEventRequest, SortOrder};

/// Which receipts [`Receipts`] sends.
///
/// ```
/// use connect_participant::ReceiptPolicy;
///
/// assert_eq!(ReceiptPolicy::default(), ReceiptPolicy::Newest);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReceiptPolicy {
    /// As Amazon's chat clients send them (ChatJS's `MessageReceiptsUtil`, the Android
    /// and iOS SDKs' `MessageReceiptsManager`): the first receipt noted opens a window of
    /// the interval, and when it ends at most one read receipt and one delivered receipt
    /// go, each for the newest message noted. A read receipt for a message tells the other
    /// side that the earlier ones were read too, and makes a delivered receipt for it or
    /// an earlier one unnecessary. The default.
    #[default]
    Newest,
    /// A receipt for every message: at most one call per message per interval, the
    /// strongest receipt noted for it; the first one for a message goes at the next flush
    /// (leading edge). A burst of 20 messages read costs 20 calls. This crate's behaviour
    /// before 0.4.
    EveryMessage,
}

/// Whether receipts can still be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    On,
    /// The service answered ConflictException: not in this chat.
    Unavailable,
    /// The chat is over for this participant.
    Over,
}

/// Turns "message X was delivered / read" into as few SendEvent calls as the service needs.
///
/// **By default ([`ReceiptPolicy::Newest`]) it sends receipts as Amazon's own chat clients
/// do: per 5 s window at most one delivered and one read receipt, each for the newest
/// message, sent when the window ends, never for this participant's own messages, and never
/// again for what the transcript shows was already received or read.** Reading a burst of
/// 20 messages costs one call, a read receipt for the newest.
/// [`ReceiptPolicy::EveryMessage`] sends one receipt per message instead.
///
/// - **Feeding it.** `on_event` (with the `websocket` feature) notes a delivered receipt for every
///   message and attachment the stream yields that is not this participant's own;
///   [`read_item`](Self::read_item) (or [`read`](Self::read) with an `Id`) notes that a
///   message was read. Noting sends nothing; [`flush`](Self::flush) sends what is due, and
///   [`due_in`](Self::due_in) says when the rest will be (give it to
///   `ChatStream::next_timeout`).
/// - **The window.** The first receipt noted while none waits opens a window of the
///   interval (5 s), a read receipt as well as a delivered one; receipts noted later join
///   it. When it ends, one flush sends what waits: a read receipt for the newest message
///   read, and a delivered receipt for the newest message delivered if it is newer than
///   that (a read receipt covers the earlier deliveries and reads). The next receipt noted
///   opens the next window. This is ChatJS's timing (`src/core/MessageReceiptsUtil.js`:
///   `prioritizeAndSendMessageReceipt` passes a read receipt on at once and a delivered one
///   after 300 ms, and `sendMessageReceipts` starts one timer of `throttleTime`, 5 s, at
///   the first receipt and sends the latest ones when it fires). A delivered receipt is not
///   held 300 ms first here: the window already lets a read receipt replace it.
/// - **Its own messages.** A helper made [`for_participant`](Self::for_participant)
///   asks the participant which items are its own (by its `ParticipantId`, given to
///   [`ParticipantBuilder::participant_id`](crate::ParticipantBuilder::participant_id) or
///   learnt from a message or typing event it sent); one made from a token knows them by
///   [`with_participant_id`](Self::with_participant_id). Receipts for them are dropped.
/// - **After a restart**, [`seed_from_transcript`](Self::seed_from_transcript) (or
///   [`seed`](Self::seed) with items you read) takes the receipts the transcript shows
///   this participant gave, so they are not sent again. A receipt is this participant's
///   when its `RecipientParticipantId` is this participant's id; while that id is not
///   known (or the receipt names no recipient), a receipt on a message that is not its own is taken as its own, as ChatJS
///   does: where receipts are available at most two participants are in the chat, so the
///   other side's messages are receipted by this participant alone.
/// - **Receipts are not available in every chat.** The service refuses them with
///   ConflictException when more than two participants are in the chat or a supervisor has
///   barged in. The first such refusal is returned by `flush` (kind
///   [`ErrorKind::Conflict`]); from then on receipts are dropped without a call, and
///   [`is_available`](Self::is_available) says `false`. The same holds, without an
///   error, once the chat is over for this participant.
///
/// Blocking and thread-free: your calls drive it.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use connect_participant::{ContentType, Receipts};
/// use connect_participant::emulator::Emulator;
///
/// use std::sync::{Arc, Mutex};
/// use std::time::Instant;
///
/// let emulator = Emulator::start()?;
/// let client = emulator.client_builder().build()?;
/// // A clock this example steps (a program leaves `with_clock` out).
/// let now = Arc::new(Mutex::new(Instant::now()));
/// let clock = Arc::clone(&now);
/// let mut receipts = Receipts::new(client, emulator.connection_token())
///     .with_clock(move || *clock.lock().unwrap());
/// for id in ["m-1", "m-2", "m-3"] {
///     receipts.delivered(id)?; // the first opens a 5 s window
/// }
/// receipts.read("m-3")?; // read for the newest: covers all three
/// assert_eq!(receipts.flush()?, 0); // the window is open: nothing goes yet
/// assert_eq!(receipts.due_in(), Some(Receipts::DEFAULT_INTERVAL));
/// *now.lock().unwrap() += Receipts::DEFAULT_INTERVAL;
/// assert_eq!(receipts.flush()?, 1);
/// let sent = emulator.events();
/// assert_eq!(sent[0].content_type, ContentType::MessageRead.as_str());
/// assert_eq!(sent[0].content.as_deref(), Some(r#"{"messageId":"m-3"}"#));
/// receipts.read("m-2")?; // earlier than one already read: nothing to say
/// assert_eq!(receipts.pending(), 0);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Receipts {
    sender: EventSender,
    policy: ReceiptPolicy,
    book: Box<dyn Book>,
    interval: Duration,
    clock: Arc<ClockFn>,
    /// This participant's id, for a helper made from a token.
    me: Option<String>,
    /// The order messages were noted in (0: unknown).
    seq: u64,
    /// The places messages were given when first noted or seen in a transcript page.
    places: Places,
    state: State,
}

impl Receipts {
    /// The default interval: a window of 5 s (with [`ReceiptPolicy::EveryMessage`], at
    /// most one call per message per 5 s), as ChatJS
    /// (`DEFAULT_MESSAGE_RECEIPTS_THROTTLE_MS`) and the mobile SDKs
    /// (`MESSAGE_RECEIPT_THROTTLE_TIME`).
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

    /// A receipts helper for the participant whose connection token this is.
    pub fn new(client: Client, token: ConnectionToken) -> Receipts {
        Receipts::with_sender(EventSender::Token(client, token))
    }

    /// A receipts helper for a [`Participant`]: it renews its own token, and knows its own
    /// messages.
    pub fn for_participant(participant: Participant) -> Receipts {
        Receipts::with_sender(EventSender::Participant(participant))
    }

    fn with_sender(sender: EventSender) -> Receipts {
        Receipts {
            sender,
            policy: ReceiptPolicy::Newest,
            book: Box::<newest::Newest>::default(),
            interval: Self::DEFAULT_INTERVAL,
            clock: Arc::new(Instant::now),
            me: None,
            seq: 0,
            places: Places::default(),
            state: State::On,
        }
    }

    /// Which receipts to send. Defaults to [`ReceiptPolicy::Newest`]. Set it before noting
    /// anything: a change starts with nothing noted.
    #[must_use]
    pub fn with_policy(mut self, policy: ReceiptPolicy) -> Receipts {
        self.policy = policy;
        self.book = match policy {
            ReceiptPolicy::Newest => Box::<newest::Newest>::default(),
            ReceiptPolicy::EveryMessage => Box::<every::Every>::default(),
        };
        self
    }

    /// Sets how long a window lasts from the first receipt noted in it until its receipts
    /// go (with [`ReceiptPolicy::EveryMessage`]: the least time between two calls for one
    /// message). Defaults to [`DEFAULT_INTERVAL`](Self::DEFAULT_INTERVAL), 5 s.
    ///
    /// Any value is defined: zero lets every flush send what waits (a program about to
    /// exit, or a test, may want that); `Duration::MAX` makes a window that never ends, so
    /// [`ReceiptPolicy::Newest`] sends nothing and [`ReceiptPolicy::EveryMessage`] one call
    /// per message (time is compared, never added to, so nothing overflows).
    #[must_use]
    pub fn with_interval(mut self, interval: Duration) -> Receipts {
        self.interval = interval;
        self
    }

    /// Reads the time from `clock` instead of `Instant::now`, for tests that step time
    /// exactly. Defaults to `Instant::now`.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> Instant + Send + Sync + 'static) -> Receipts {
        self.clock = Arc::new(clock);
        self
    }

    /// This participant's `ParticipantId` (StartChatContact's answer has it), so that a
    /// helper made from a token knows its own messages and its own receipts in the
    /// transcript. One made [`for_participant`](Self::for_participant) asks the
    /// participant, and uses this id too if given. Defaults to none.
    #[must_use]
    pub fn with_participant_id(mut self, id: impl Into<String>) -> Receipts {
        self.me = Some(id.into());
        self
    }

    /// Notes that the message with this `Id` was delivered. Sends nothing; see
    /// [`flush`](Self::flush). The id is taken as the newest message noted so far, and
    /// as not this participant's own: prefer `on_event` or
    /// [`delivered_item`](Self::delivered_item), which know both.
    ///
    /// An empty message id is refused at once ([`ErrorKind::InvalidInput`]).
    pub fn delivered(&mut self, message_id: &str) -> Result<()> {
        let mark = self.id_mark(message_id)?;
        self.note(mark, Kind::Delivered);
        Ok(())
    }

    /// Notes that the message with this `Id` was read; see [`delivered`](Self::delivered).
    pub fn read(&mut self, message_id: &str) -> Result<()> {
        let mark = self.id_mark(message_id)?;
        self.note(mark, Kind::Read);
        Ok(())
    }

    /// Notes that this message (or attachment) item was delivered, unless it is this
    /// participant's own or not a message. Sends nothing; see [`flush`](Self::flush).
    ///
    /// A message item without an `Id` is refused ([`ErrorKind::InvalidInput`]).
    pub fn delivered_item(&mut self, item: &Item) -> Result<()> {
        self.note_item(item, Kind::Delivered)
    }

    /// Notes that this message (or attachment) item was read; see
    /// [`delivered_item`](Self::delivered_item).
    pub fn read_item(&mut self, item: &Item) -> Result<()> {
        self.note_item(item, Kind::Read)
    }

    /// Feeds one event of the chat's stream: a message or attachment from someone else
    /// notes a delivered receipt; a receipt this participant gave (its
    /// `RecipientParticipantId` is this participant's known id) is not sent again; the
    /// chat's end, or this participant leaving, turns receipts off. Sends nothing; see
    /// [`flush`](Self::flush).
    ///
    /// ```
    /// # #[cfg(all(feature = "emulator", feature = "websocket"))] {
    /// use connect_participant::emulator::Emulator;
    /// use connect_participant::{Event, Participant, ParticipantToken, Receipts};
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().build()?;
    /// let chat = emulator.start_chat();
    /// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token)?)?;
    /// let mut receipts = Receipts::for_participant(me.clone());
    /// let mut stream = me.stream()?;
    /// emulator.agent_says(&chat.contact_id, "Hello", "text/plain")?;
    /// for event in &mut stream {
    ///     let event = event?;
    ///     receipts.on_event(&event);
    ///     if let Event::Message(item) = &event {
    ///         receipts.read_item(item)?; // shown to the customer
    ///         break;
    ///     }
    /// }
    /// assert_eq!(receipts.pending(), 1); // read only: it says delivered too
    /// assert_eq!(receipts.flush()?, 0); // it goes when the window ends (`due_in`)
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "websocket")]
    #[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
    pub fn on_event(&mut self, event: &crate::Event) {
        use crate::Event;
        match event {
            Event::Message(item) | Event::Attachment(item) => {
                // An item without an `Id` cannot be receipted: nothing to note.
                let _ = self.note_item(item, Kind::Delivered);
            }
            Event::Delivered(r) | Event::Read(r) => {
                let kind = match event {
                    Event::Read(_) => Kind::Read,
                    _ => Kind::Delivered,
                };
                let me = self.my_id();
                if let (Some(id), Some(me)) = (&r.message_id, me) {
                    if r.recipient.as_deref() == Some(me.as_str()) {
                        let mark = self.unordered(id);
                        self.book.seen(mark, kind);
                    }
                }
            }
            Event::ChatEnded(_) | Event::Left(_) => self.stop(State::Over),
            _ => {}
        }
    }

    /// Takes the receipts `items` (a transcript page) show this participant gave, so that
    /// they are not sent again; see the type's docs for whose receipts they are. Returns
    /// how many it took. Messages are ordered by `AbsoluteTime`, and those sharing one by
    /// their order in the page (oldest first, or newest first when the page's times say
    /// so).
    pub fn seed(&mut self, items: &[Item]) -> usize {
        // Own messages first: a participant learns its id from one it sent.
        let own: HashSet<&str> = items
            .iter()
            .filter(|i| self.is_own(i))
            .filter_map(|i| i.id.as_deref())
            .collect();
        self.place(items);
        let me = self.my_id();
        let mut taken = 0;
        for found in seed::receipts_in(items) {
            let ours = match (&me, found.recipient) {
                (Some(me), Some(r)) => r == me,
                _ => !own.contains(found.message_id),
            };
            if ours {
                let mark = Mark {
                    id: found.message_id.to_owned(),
                    time: found.time(),
                    seq: self.places.get(found.message_id).unwrap_or(0),
                };
                self.book.seen(mark, found.kind);
                taken += 1;
            }
        }
        taken
    }

    /// Gives the page's messages not placed yet their places: by `AbsoluteTime`, the
    /// page's order breaking ties (read backwards when the page is newest first, as
    /// GetTranscript's default `SortOrder` gives it).
    fn place(&mut self, items: &[Item]) {
        let mut messages: Vec<&Item> = items
            .iter()
            .filter(|i| matches!(i.item_type, Some(ItemType::Message | ItemType::Attachment)))
            .collect();
        let times: Vec<&Timestamp> = messages
            .iter()
            .filter_map(|i| i.absolute_time.as_ref())
            .collect();
        if times.first() > times.last() {
            messages.reverse();
        }
        messages.sort_by(|a, b| a.absolute_time.cmp(&b.absolute_time));
        for m in messages {
            if let Some(id) = m.id.as_deref() {
                self.seq_of(id);
            }
        }
    }

    /// Takes the receipts a [`Checkpoint`](crate::Checkpoint) saw this participant give
    /// (those whose recipient is its id: given with
    /// [`with_participant_id`](Self::with_participant_id), or the participant's), so that
    /// after a restart from that checkpoint none is sent again. Returns how many it took;
    /// none when this participant's id is not known.
    ///
    /// ```
    /// use connect_participant::{Checkpoint, Client, ConnectionToken, Receipts, SeenReceipt};
    ///
    /// let at = Checkpoint::from_json(
    ///     r#"{"Version":1,"Items":[],"Receipts":[{"MessageId":"m-1","RecipientParticipantId":"me","Read":true}]}"#,
    /// )?;
    /// let client = Client::builder().region("us-east-1").build()?;
    /// let mut receipts = Receipts::new(client, ConnectionToken::new("token")?).with_participant_id("me");
    /// assert_eq!(receipts.seed_checkpoint(&at), 1);
    /// receipts.read("m-1")?;
    /// assert_eq!(receipts.pending(), 0); // already read: nothing to send
    /// # Ok::<(), connect_participant::Error>(())
    /// ```
    pub fn seed_checkpoint(&mut self, checkpoint: &crate::Checkpoint) -> usize {
        let Some(me) = self.my_id() else {
            return 0;
        };
        let mut taken = 0;
        for r in checkpoint.receipts() {
            if r.recipient.as_deref() != Some(me.as_str()) {
                continue;
            }
            let kind = if r.read { Kind::Read } else { Kind::Delivered };
            let mark = self.unordered(&r.message_id);
            self.book.seen(mark, kind);
            taken += 1;
        }
        taken
    }

    /// Reads the newest page of the transcript (up to 100 items, oldest first,
    /// GetTranscript) and
    /// [`seed`](Self::seed)s from it: after a restart, what this participant already
    /// received or read is not sent again. Returns how many receipts it took.
    ///
    /// ```
    /// # #[cfg(feature = "emulator")] {
    /// use std::time::Duration;
    ///
    /// use connect_participant::emulator::Emulator;
    /// use connect_participant::{Participant, ParticipantToken, Receipts};
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().build()?;
    /// let chat = emulator.start_chat();
    /// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token)?)?;
    /// let hello = emulator.agent_says(&chat.contact_id, "Hello", "text/plain")?;
    /// // No window, so that this example sends at once.
    /// let mut before = Receipts::for_participant(me.clone()).with_interval(Duration::ZERO);
    /// before.read(&hello)?;
    /// assert_eq!(before.flush()?, 1);
    ///
    /// // A restart: a new helper learns from the transcript what was already read.
    /// let mut after = Receipts::for_participant(me);
    /// assert_eq!(after.seed_from_transcript()?, 1);
    /// after.read(&hello)?;
    /// assert_eq!(after.pending(), 0); // nothing to send
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn seed_from_transcript(&mut self) -> Result<usize> {
        let request = GetTranscriptRequest::new()
            .with_max_results(MAX_TRANSCRIPT_RESULTS)
            .with_sort_order(SortOrder::Ascending);
        let page = self.sender.get_transcript(&request)?;
        Ok(self.seed(&page.transcript))
    }

    /// Sends every receipt that is due, strongest first, and returns how many calls it made.
    ///
    /// With [`ReceiptPolicy::Newest`] the receipts waiting are due when their window has
    /// lasted the interval (see the type's docs); with [`ReceiptPolicy::EveryMessage`] a
    /// message's receipt is due unless that message had a call less than the interval ago.
    /// What is not due stays waiting for a later flush ([`due_in`](Self::due_in) says
    /// when). On an error the flush stops and returns it: ConflictException turns receipts
    /// off for this chat (see the type's docs), and so does [`ErrorKind::ChatEnded`]; a
    /// failure worth another try (throttling, a 5xx, the network) keeps the receipt for the
    /// next window, which opens then; any other refusal drops that receipt, so that it
    /// cannot block the others.
    pub fn flush(&mut self) -> Result<usize> {
        if !self.live() {
            return Ok(0);
        }
        let now = (self.clock)();
        let mut calls = 0;
        for (mark, kind) in self.book.due(now, self.interval) {
            let request = match kind {
                Kind::Delivered => SendEventRequest::delivered(&mark.id),
                Kind::Read => SendEventRequest::read(&mark.id),
            };
            let result = self.sender.send_event(&request);
            calls += 1;
            match result {
                Ok(_) => self.book.called(&mark, kind, now, Some(true)),
                Err(e) => {
                    match e.kind() {
                        ErrorKind::Conflict => self.stop(State::Unavailable),
                        ErrorKind::ChatEnded => self.stop(State::Over),
                        _ => {
                            let again = e.is_retryable().then_some(false);
                            self.book.called(&mark, kind, now, again);
                        }
                    }
                    return Err(e);
                }
            }
        }
        Ok(calls)
    }

    /// How long until a waiting receipt is due (with [`ReceiptPolicy::Newest`], until its
    /// window ends): zero if one is due now, `None` if none waits. A loop on a stream waits at most this long for its next event
    /// (`ChatStream::next_timeout`), then flushes.
    pub fn due_in(&self) -> Option<Duration> {
        if self.state != State::On {
            return None;
        }
        self.book.due_in((self.clock)(), self.interval)
    }

    /// Receipts noted and not sent yet.
    pub fn pending(&self) -> usize {
        self.book.pending()
    }

    /// False once the service has answered ConflictException (receipts are not available
    /// in this chat: more than two participants, or a supervisor barged in), or once the
    /// chat is over for this participant.
    pub fn is_available(&self) -> bool {
        self.state == State::On
    }

    /// The policy in use.
    pub fn policy(&self) -> ReceiptPolicy {
        self.policy
    }
}

impl Receipts {
    fn next_seq(&mut self) -> u64 {
        self.seq = self.seq.saturating_add(1);
        self.seq
    }

    fn id_mark(&mut self, message_id: &str) -> Result<Mark> {
        if message_id.is_empty() {
            return Err(Error::invalid_input(
                "messageId",
                "0 characters, must be at least 1",
            ));
        }
        Ok(Mark {
            id: message_id.to_owned(),
            time: None,
            seq: self.seq_of(message_id),
        })
    }

    /// The place of a message: the one it was given when first noted or seen in a
    /// transcript page, else after every message so far.
    fn seq_of(&mut self, id: &str) -> u64 {
        if let Some(seq) = self.places.get(id) {
            return seq;
        }
        let seq = self.next_seq();
        self.places.insert(id, seq);
        seq
    }

    /// A message whose time is unknown, at the place a page gave it, or at none (0): then
    /// it covers only itself.
    fn unordered(&self, id: &str) -> Mark {
        Mark {
            id: id.to_owned(),
            time: None,
            seq: self.places.get(id).unwrap_or(0),
        }
    }

    fn note_item(&mut self, item: &Item, kind: Kind) -> Result<()> {
        if !matches!(
            item.item_type,
            Some(ItemType::Message | ItemType::Attachment)
        ) || self.is_own(item)
        {
            return Ok(());
        }
        let Some(id) = item.id.as_deref().filter(|id| !id.is_empty()) else {
            return Err(Error::invalid_input("messageId", "the item has no Id"));
        };
        let mark = Mark {
            id: id.to_owned(),
            time: item.absolute_time.clone(),
            seq: self.seq_of(id),
        };
        self.note(mark, kind);
        Ok(())
    }

    fn note(&mut self, mark: Mark, kind: Kind) {
        if self.live() {
            let now = (self.clock)();
            self.book.note(mark, kind, now);
        }
    }

    fn is_own(&self, item: &Item) -> bool {
        let by_participant = self.sender.participant().is_some_and(|p| p.is_own(item));
        by_participant
            || self
                .me
                .as_deref()
                .is_some_and(|me| item.participant_id.as_deref() == Some(me))
    }

    fn my_id(&self) -> Option<String> {
        self.me
            .clone()
            .or_else(|| self.sender.participant()?.participant_id())
    }

    /// Are receipts still sent? Not once the participant's chat is over.
    fn live(&mut self) -> bool {
        let over = self
            .sender
            .participant()
            .is_some_and(|p| p.has_ended() || p.has_left());
        if over {
            self.stop(State::Over);
        }
        self.state == State::On
    }

    fn stop(&mut self, state: State) {
        if self.state == State::On {
            self.state = state;
        }
        self.book.clear();
    }
}

impl fmt::Debug for Receipts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receipts")
            .field("sender", &self.sender)
            .field("policy", &self.policy)
            .field("interval", &self.interval)
            .field("pending", &self.pending())
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::transcript::{MessageMetadata, Receipt};
    use crate::time::Timestamp;

    /// A helper that never sends: these tests only note and seed.
    fn receipts() -> Receipts {
        let client = Client::builder()
            .endpoint_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        Receipts::new(client, ConnectionToken::new("t").unwrap())
    }

    fn message(id: &str, from: &str, second: u32) -> Item {
        Item {
            id: Some(id.into()),
            item_type: Some(ItemType::Message),
            participant_id: Some(from.into()),
            absolute_time: Some(
                Timestamp::parse(&format!("2026-01-01T00:00:{second:02}Z")).unwrap(),
            ),
            ..Item::default()
        }
    }

    fn receipt(read: bool, recipient: &str) -> Receipt {
        let at = Some(Timestamp::parse("2026-01-01T00:01:00Z").unwrap());
        Receipt {
            delivered_timestamp: if read { None } else { at.clone() },
            read_timestamp: if read { at } else { None },
            recipient_participant_id: Some(recipient.into()),
        }
    }

    fn with_receipts(mut item: Item, receipts: Vec<Receipt>) -> Item {
        item.message_metadata = Some(MessageMetadata {
            receipts,
            ..MessageMetadata::default()
        });
        item
    }

    /// An agent message read by "me", one of me's own read by the agent, an agent message
    /// delivered to me, and a receipt item of its own for a message not in the page.
    fn page() -> Vec<Item> {
        let mut metadata = Item {
            item_type: Some(ItemType::MessageMetadata),
            ..Item::default()
        };
        metadata.message_metadata = Some(MessageMetadata {
            message_id: Some("gone".into()),
            receipts: vec![receipt(true, "me")],
            ..MessageMetadata::default()
        });
        vec![
            with_receipts(message("a1", "agent", 10), vec![receipt(true, "me")]),
            with_receipts(message("c1", "me", 20), vec![receipt(true, "agent")]),
            with_receipts(message("a2", "agent", 30), vec![receipt(false, "me")]),
            metadata,
        ]
    }

    #[test]
    fn seed_takes_the_receipts_this_participant_gave_by_its_id() {
        let mut r = receipts().with_participant_id("me");
        assert_eq!(r.seed(&page()), 3);
        // Read reaches a1 only: the agent's read of c1 is not this participant's.
        r.read_item(&message("a1", "agent", 10)).unwrap();
        r.read("gone").unwrap();
        r.delivered_item(&message("a2", "agent", 30)).unwrap();
        assert_eq!(r.pending(), 0);
        r.read_item(&message("a-mid", "agent", 15)).unwrap();
        assert_eq!(r.pending(), 1);
    }

    #[test]
    fn seed_without_an_id_takes_every_receipt_on_messages_not_known_as_own() {
        let mut r = receipts();
        assert_eq!(r.seed(&page()), 4);
        // c1's receipt is taken too (nothing tells it is this participant's own): read
        // reaches 00:20.
        r.read_item(&message("a-mid", "agent", 15)).unwrap();
        assert_eq!(r.pending(), 0);
        r.read_item(&message("a2", "agent", 30)).unwrap();
        assert_eq!(r.pending(), 1);
    }

    #[test]
    fn messages_sharing_a_millisecond_keep_the_order_of_a_newest_first_page() {
        let mut r = receipts().with_participant_id("me");
        // Newest first, as GetTranscript's default sort order gives them.
        let newest_first = [
            with_receipts(message("y", "agent", 10), vec![receipt(true, "me")]),
            message("x", "agent", 10),
            message("w", "agent", 5),
        ];
        assert_eq!(r.seed(&newest_first), 1);
        r.read_item(&message("x", "agent", 10)).unwrap();
        assert_eq!(r.pending(), 0, "x came before y");
    }

    #[test]
    fn own_and_id_less_items_and_non_messages_note_nothing() {
        let mut r = receipts().with_participant_id("me");
        r.read_item(&message("c1", "me", 1)).unwrap();
        let mut event = message("e1", "agent", 1);
        event.item_type = Some(ItemType::Event);
        r.read_item(&event).unwrap();
        assert_eq!(r.pending(), 0);
        let mut no_id = message("", "agent", 1);
        assert_eq!(
            r.read_item(&no_id).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        no_id.id = None;
        assert_eq!(
            r.delivered_item(&no_id).unwrap_err().field(),
            Some("messageId")
        );
    }
}
