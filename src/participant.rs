//! A chat participant: its tokens, renewed before they expire, and every call it makes.

use std::fmt;
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, SystemTime};

use crate::client::{
    Client, ClientTokenSlot, UploadAttachmentOutput, UploadAttachmentRequest, open_upload,
};
use crate::error::{Error, ErrorKind, Result};
use crate::operation::Operation;
use crate::ops::cancel_participant_authentication::{
    CancelParticipantAuthenticationOutput, CancelParticipantAuthenticationRequest,
};
use crate::ops::complete_attachment_upload::{
    CompleteAttachmentUploadOutput, CompleteAttachmentUploadRequest,
};
use crate::ops::connection::{CreateParticipantConnectionRequest, Websocket};
use crate::ops::content_type::ContentType;
use crate::ops::disconnect::{DisconnectParticipantOutput, DisconnectParticipantRequest};
use crate::ops::event::{SendEventOutput, SendEventRequest};
use crate::ops::get_attachment::{GetAttachmentOutput, GetAttachmentRequest};
use crate::ops::get_authentication_url::{GetAuthenticationUrlOutput, GetAuthenticationUrlRequest};
use crate::ops::message::{SendMessageOutput, SendMessageRequest};
use crate::ops::start_attachment_upload::{
    StartAttachmentUploadOutput, StartAttachmentUploadRequest,
};
use crate::ops::transcript::{GetTranscriptOutput, GetTranscriptRequest, TranscriptPages};
use crate::ops::view::{DescribeViewOutput, DescribeViewRequest};
use crate::time::Timestamp;
use crate::token::{ConnectionToken, ParticipantToken};

mod end;

use end::{End, Learnt, after_403, end_error, over, why_over};

use crate::client::ClockFn;

/// One participant of one chat: it holds the participant token and the current connection
/// credentials, and offers every operation that needs the connection token without the
/// caller handling tokens.
///
/// [`connect`](Participant::connect) calls CreateParticipantConnection. Before each later
/// call, a connection token within [`RENEW_BEFORE_EXPIRY`](Participant::RENEW_BEFORE_EXPIRY)
/// (60 s) of its `Expiry` is renewed by calling CreateParticipantConnection again, as
/// Amazon's own chat library (ChatJS) does. If that call is answered 403, the chat has
/// ended while this participant was away: the call returns [`ErrorKind::ChatEnded`], and so
/// does every later call, without sending anything.
///
/// There is one way to learn that the chat is over. A call answered 403
/// ([`ErrorKind::AccessDenied`]) is checked once by renewing the connection token (unless
/// another clone renewed it while the call ran): if CreateParticipantConnection refuses,
/// the chat has ended, and the call returns [`ErrorKind::ChatEnded`] with the call's 403
/// as its [`source`](std::error::Error::source); if it accepts, the call is made once more
/// with the new token and the same `ClientToken` (the one given, or the one generated for
/// the first go, so a message the service took before its answer was lost is not sent
/// twice), and its answer (a second 403 included) is returned as it is. A
/// stream of this participant that sees `chat.ended` marks it ended too, and once
/// [`disconnect`](Participant::disconnect) succeeds its calls return
/// [`ErrorKind::Left`]. Either way, the calls of every clone, and of the helpers built on
/// it ([`TypingThrottle`](crate::TypingThrottle), [`Receipts`](crate::Receipts)), then
/// fail without sending anything; [`has_ended`](Participant::has_ended) and
/// [`has_left`](Participant::has_left) tell which.
///
/// A `Participant` is `Send + Sync` and cheap to clone: clones share the credentials, and
/// a renewal made by one serves all (one renewal at a time), so one thread can read the
/// chat while others send.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use connect_participant::emulator::Emulator;
/// use connect_participant::{Participant, ParticipantToken, SendEventRequest, SendMessageRequest};
///
/// let emulator = Emulator::start()?;
/// let client = emulator.client_builder().build()?;
/// // The ParticipantToken of StartChatContact's answer.
/// let chat = emulator.start_chat();
/// let token = ParticipantToken::new(chat.participant_token.clone())?;
///
/// let me = Participant::connect(&client, token)?;
/// me.send_event(&SendEventRequest::typing())?;
/// let sent = me.send_message(&SendMessageRequest::text("Hello!"))?;
/// assert!(sent.id.is_some());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Participant {
    inner: Arc<Shared>,
}

struct Shared {
    client: Client,
    participant_token: ParticipantToken,
    /// What a renewal sends: the types first asked for, without `ConnectParticipant`.
    renewal: CreateParticipantConnectionRequest,
    clock: Arc<ClockFn>,
    state: RwLock<State>,
    /// Held while renewing, so that clones wanting a renewal at once make one call.
    renewing: Mutex<()>,
    /// Who this participant is in the chat's items.
    identity: Mutex<Identity>,
}

/// How this participant knows its own items: its `ParticipantId` when given or learnt, and
/// the `Id`s of the messages and typing events it sent lately, from which it learns the
/// `ParticipantId`.
#[derive(Default)]
struct Identity {
    id: Option<String>,
    sent: std::collections::VecDeque<String>,
}

/// The longest `ParticipantId` the service's model allows.
const MAX_PARTICIPANT_ID_CHARS: usize = 256;

/// How many `Id`s of sent messages and typing events a participant remembers while it does
/// not know its `ParticipantId`.
const MAX_SENT_IDS: usize = 64;

/// Why the connection token is renewed, as the log says it.
#[derive(Debug, Clone, Copy)]
enum Why {
    /// It expires within [`RENEW_BEFORE_EXPIRY`](Participant::RENEW_BEFORE_EXPIRY).
    Expiry,
    /// [`Participant::renew`], or a stream wanting a fresh WebSocket URL.
    Asked,
    /// This operation answered 403: is it the token's, or the chat's?
    Denied(&'static str),
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Expiry => f.write_str("it expires within 60 s"),
            Why::Asked => f.write_str("asked for"),
            Why::Denied(op) => write!(f, "{op} answered 403"),
        }
    }
}

/// The `log` target of what a participant logs: its renewals and its end.
const TARGET: &str = "connect_participant::participant";

struct State {
    /// Counts the connections made, so that a forced renewal can tell whether another
    /// clone renewed while it waited, without comparing secrets.
    generation: u64,
    token: ConnectionToken,
    expiry: Option<Timestamp>,
    websocket: Option<Websocket>,
    /// When (by the participant's clock) the call that gave `websocket` was made.
    fetched_at: SystemTime,
    ended: Option<End>,
}

/// Builds a [`Participant`]: the clock and the first CreateParticipantConnection request.
#[must_use]
pub struct ParticipantBuilder {
    client: Client,
    participant_token: ParticipantToken,
    request: CreateParticipantConnectionRequest,
    clock: Arc<ClockFn>,
    participant_id: Option<String>,
}

impl ParticipantBuilder {
    /// This participant's `ParticipantId` (StartChatContact's answer has it), so that its
    /// own items are known from the first one: receipts are never sent for them, and its
    /// own departure is told from the chat's end. Without it, the participant learns its
    /// id from the first item it sent that comes back: a typing event (on the stream) or a
    /// message (on the stream or in the transcript).
    pub fn participant_id(mut self, id: impl Into<String>) -> Self {
        self.participant_id = Some(id.into());
        self
    }

    /// The first CreateParticipantConnection request. It must ask for
    /// `CONNECTION_CREDENTIALS`. Defaults to what customer clients send:
    /// `{"Type":["WEBSOCKET","CONNECTION_CREDENTIALS"]}`.
    pub fn connection_request(mut self, request: CreateParticipantConnectionRequest) -> Self {
        self.request = request;
        self
    }

    /// Replaces the clock, which decides when the connection token is renewed. Meant for
    /// tests that step time exactly. Defaults to the client's: the emulator's clock for a
    /// client of `Emulator::client_builder` (feature `emulator`; so that its
    /// `advance_clock` moves the participant's time too), else [`SystemTime::now`].
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Calls CreateParticipantConnection and keeps what it gives.
    ///
    /// Fails with [`ErrorKind::InvalidInput`] (nothing sent) when the request does not ask
    /// for `CONNECTION_CREDENTIALS` or the [`participant_id`](Self::participant_id) given is
    /// not 1 to 256 characters (the service's `ParticipantId`), with [`ErrorKind::InvalidResponse`] when the answer
    /// has no connection token, and with the service's error otherwise (a 403 here is
    /// [`ErrorKind::AccessDenied`]: an unknown participant token, an ended chat, or the
    /// wrong region; see its message).
    pub fn connect(self) -> Result<Participant> {
        if let Some(id) = &self.participant_id {
            let chars = id.chars().count();
            if !(1..=MAX_PARTICIPANT_ID_CHARS).contains(&chars) {
                return Err(Error::invalid_input(
                    "ParticipantId",
                    format!("{chars} characters, must be 1 to {MAX_PARTICIPANT_ID_CHARS}"),
                ));
            }
        }
        if !self.request.asks_for_credentials() {
            return Err(Error::invalid_input(
                "Type",
                "a Participant needs CONNECTION_CREDENTIALS among the connection types",
            ));
        }
        let renewal = self.request.clone().without_connect_participant();
        let mut state = fetch(&self.client, &self.participant_token, &self.request)?;
        state.fetched_at = (self.clock)();
        Ok(Participant {
            inner: Arc::new(Shared {
                client: self.client,
                participant_token: self.participant_token,
                renewal,
                clock: self.clock,
                state: RwLock::new(state),
                renewing: Mutex::new(()),
                identity: Mutex::new(Identity {
                    id: self.participant_id,
                    sent: Default::default(),
                }),
            }),
        })
    }
}

impl fmt::Debug for ParticipantBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParticipantBuilder")
            .field("client", &self.client)
            .field("participant_token", &self.participant_token)
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

/// One CreateParticipantConnection call, made into credentials.
fn fetch(
    client: &Client,
    token: &ParticipantToken,
    request: &CreateParticipantConnectionRequest,
) -> Result<State> {
    let out = client.create_participant_connection(token, request)?;
    let credentials = out.connection_credentials.unwrap_or_default();
    let Some(connection_token) = credentials.connection_token else {
        return Err(Error::invalid_response(
            200,
            "the service answered CreateParticipantConnection without \
             ConnectionCredentials.ConnectionToken",
        ));
    };
    Ok(State {
        generation: 0,
        token: connection_token,
        expiry: credentials.expiry,
        websocket: out.websocket,
        fetched_at: SystemTime::UNIX_EPOCH,
        ended: None,
    })
}

impl Participant {
    /// How long before its `Expiry` the connection token is renewed: 60 s, as ChatJS
    /// (`CONNECTION_TOKEN_EXPIRY_BUFFER_IN_MS`).
    pub const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(60);

    /// Connects with the customer clients' request (`WEBSOCKET` and
    /// `CONNECTION_CREDENTIALS`) and the client's clock (see [`ParticipantBuilder::clock`]).
    /// See [`ParticipantBuilder::connect`].
    pub fn connect(client: &Client, participant_token: ParticipantToken) -> Result<Participant> {
        Participant::builder(client, participant_token).connect()
    }

    /// A builder, to set the clock or the first request before connecting.
    pub fn builder(client: &Client, participant_token: ParticipantToken) -> ParticipantBuilder {
        ParticipantBuilder {
            client: client.clone(),
            participant_token,
            request: CreateParticipantConnectionRequest::new(),
            clock: client.default_clock(),
            participant_id: None,
        }
    }

    /// The client this participant sends with.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The shared state, to read; a renewal that panicked leaves it whole, so poisoning
    /// is ignored.
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.inner
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.inner
            .state
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The current connection token, renewed first if it is within 60 s of its expiry.
    ///
    /// For calls this type does not offer; the token is a secret, so take care not to log
    /// it.
    pub fn connection_token(&self) -> Result<ConnectionToken> {
        self.current().map(|(token, _)| token)
    }

    /// The token to call with, renewed first if due, and its generation.
    fn current(&self) -> Result<(ConnectionToken, u64)> {
        {
            // Only the token is copied (a reference count), not the whole state.
            let state = self.read();
            if let Some(end) = state.ended {
                return Err(over(end));
            }
            if !self.due(&state) {
                return Ok((state.token.clone(), state.generation));
            }
        }
        self.renew_if(Why::Expiry, |s| self.due(s))
    }

    /// Makes the call `request` with the connection token. A 403 is checked once by
    /// renewing the token (unless another clone renewed it while the call ran): refused,
    /// the chat is over ([`ErrorKind::ChatEnded`], the 403 as its source); accepted, the
    /// call is made once more with the new token, and its answer is returned as it is.
    ///
    /// Both goes are one call: they share one [`ClientTokenSlot`], so an operation with a
    /// `ClientToken` sends the same one again (the first go may have been taken by the
    /// service before its answer was lost).
    fn checked<O: Operation<Token = ConnectionToken>>(&self, request: &O) -> Result<O::Output> {
        let op = O::NAME;
        let call = |token: &ConnectionToken, slot: &ClientTokenSlot| {
            self.inner.client.call_keyed(token, request, slot)
        };
        let slot = ClientTokenSlot::default();
        let (token, generation) = self.current()?;
        let denied = match call(&token, &slot) {
            Err(e) if e.kind() == ErrorKind::AccessDenied => e,
            answer => return answer,
        };
        match self.renew_if(Why::Denied(op), |s| s.generation == generation) {
            Ok((token, _)) => call(&token, &slot),
            Err(e) if matches!(e.kind(), ErrorKind::ChatEnded | ErrorKind::Left) => {
                let end = self.read().ended.unwrap_or(End::Chat(Learnt::Renewal));
                Err(after_403(end, op).set_source(denied))
            }
            // The check could not be made: the call's own answer stands.
            Err(_) => Err(denied),
        }
    }

    /// When the current connection token expires, as the service said.
    pub fn connection_expiry(&self) -> Option<Timestamp> {
        self.read().expiry.clone()
    }

    /// The WebSocket URL and its expiry from the latest CreateParticipantConnection, if
    /// the service gave one.
    pub fn websocket(&self) -> Option<Websocket> {
        self.read().websocket.clone()
    }

    /// Calls CreateParticipantConnection now, whatever the expiry, and keeps the new
    /// credentials: for a fresh WebSocket URL, say. A 403 means the chat has ended
    /// ([`ErrorKind::ChatEnded`]), unless this participant had left first
    /// ([`ErrorKind::Left`], as every call after [`has_left`](Self::has_left) returns). If
    /// the participant's calls end while the renewal is on its way (a clone's
    /// [`disconnect`](Self::disconnect), a stream seeing `chat.ended`), the end stands: the
    /// renewal's answer is not kept, and the end's error is returned.
    pub fn renew(&self) -> Result<()> {
        let before = {
            let state = self.read();
            if let Some(end) = state.ended {
                return Err(over(end));
            }
            state.generation
        };
        // Renews unless another clone renewed while this one waited for the lock.
        self.renew_if(Why::Asked, |s| s.generation == before)
            .map(|_| ())
    }

    /// Is the token within [`RENEW_BEFORE_EXPIRY`](Self::RENEW_BEFORE_EXPIRY) of its
    /// expiry? A token without a readable expiry is never renewed on time.
    fn due(&self, state: &State) -> bool {
        let Some(expiry) = state.expiry.as_ref().and_then(Timestamp::to_system_time) else {
            return false;
        };
        let now = (self.inner.clock)();
        now.checked_add(Self::RENEW_BEFORE_EXPIRY)
            .is_none_or(|t| t >= expiry)
    }

    /// Renews under the lock if `still_needed` says so once the lock is held; the token
    /// to use and its generation.
    fn renew_if(
        &self,
        why: Why,
        still_needed: impl Fn(&State) -> bool,
    ) -> Result<(ConnectionToken, u64)> {
        let inner = &*self.inner;
        let _renewing = inner
            .renewing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let generation = {
            let current = self.read();
            if let Some(end) = current.ended {
                return Err(over(end));
            }
            if !still_needed(&current) {
                log::debug!(target: TARGET, "connection token already renewed by another handle ({why})");
                return Ok((current.token.clone(), current.generation));
            }
            current.generation
        };
        match fetch(&inner.client, &inner.participant_token, &inner.renewal) {
            Ok(mut fresh) => {
                fresh.generation = generation + 1;
                fresh.fetched_at = (inner.clock)();
                self.keep(fresh, why)
            }
            Err(e) if e.kind() == ErrorKind::AccessDenied => Err(self.renewal_refused(e, why)),
            Err(e) => {
                log::warn!(
                    target: TARGET,
                    "could not renew the connection token ({why}): {}",
                    e.log_summary()
                );
                Err(e)
            }
        }
    }

    /// Keeps the credentials of a renewal, unless the participant's calls ended while it
    /// was on its way (a clone's disconnect, a stream's `chat.ended`): that end stands, so
    /// a renewal never brings a participant back. The token to use and its generation.
    fn keep(&self, fresh: State, why: Why) -> Result<(ConnectionToken, u64)> {
        let mut state = self.write();
        if let Some(end) = state.ended {
            drop(state);
            log::info!(
                target: TARGET,
                "renewed the connection token ({why}), but {}: the end stands",
                why_over(end)
            );
            let message = format!(
                "{}; the renewal answered meanwhile was not kept",
                why_over(end)
            );
            return Err(end_error(end, message));
        }
        let kept = (fresh.token.clone(), fresh.generation);
        *state = fresh;
        drop(state);
        log::info!(target: TARGET, "renewed the connection token: {why}");
        Ok(kept)
    }

    /// A renewal answered 403 (`e`): the chat is over, unless an end learnt first (a
    /// clone's disconnect while this renewal was on its way) is the one kept, and said.
    fn renewal_refused(&self, e: Error, why: Why) -> Error {
        log::info!(
            target: TARGET,
            "CreateParticipantConnection refused the renewal ({why}): {}",
            e.log_summary()
        );
        self.mark(End::Chat(Learnt::Renewal));
        let end = self.read().ended.unwrap_or(End::Chat(Learnt::Renewal));
        let message = match end {
            End::Chat(Learnt::Renewal) => why_over(end).to_owned(),
            end => format!(
                "{}; CreateParticipantConnection then answered 403 to the renewal",
                why_over(end)
            ),
        };
        end_error(end, message).set_source(e)
    }

    /// A WebSocket URL to open now: the latest one, if it was fetched less than `valid_for`
    /// ago and its `ConnectionExpiry` has not passed (both by this participant's clock), or
    /// a new one from CreateParticipantConnection (which renews the connection token too).
    /// With `fresh`, always a new one.
    #[cfg(feature = "websocket")]
    pub(crate) fn websocket_url(
        &self,
        fresh: bool,
        valid_for: Duration,
    ) -> Result<crate::token::WebSocketUrl> {
        if !self.inner.renewal.asks_for_websocket() {
            return Err(Error::invalid_input(
                "Type",
                "a chat stream needs WEBSOCKET among the participant's connection types",
            ));
        }
        let usable = |s: &State| -> Option<crate::token::WebSocketUrl> {
            let ws = s.websocket.as_ref()?;
            let now = (self.inner.clock)();
            let age = now.duration_since(s.fetched_at).unwrap_or(Duration::MAX);
            if age >= valid_for {
                return None;
            }
            let expiry = ws
                .connection_expiry
                .as_ref()
                .and_then(Timestamp::to_system_time);
            if expiry.is_some_and(|e| now >= e) {
                return None;
            }
            ws.url.clone()
        };
        if !fresh {
            let state = self.read();
            if let Some(end) = state.ended {
                return Err(over(end));
            }
            if let Some(url) = usable(&state) {
                return Ok(url);
            }
        }
        self.renew()?;
        let state = self.read();
        state
            .websocket
            .as_ref()
            .and_then(|ws| ws.url.clone())
            .ok_or_else(|| {
                Error::invalid_response(
                    200,
                    "the service answered CreateParticipantConnection without Websocket.Url",
                )
            })
    }

    /// Sends one event (SendEvent): typing, or a receipt. A typing event's `Id` comes back
    /// on the chat's stream with this participant's `ParticipantId`, so until that id is
    /// known, the `Id` is kept to learn it, as a sent message's is.
    pub fn send_event(&self, request: &SendEventRequest) -> Result<SendEventOutput> {
        let out = self.checked(request)?;
        if request.content_type() == ContentType::Typing {
            self.sent(out.id.as_deref());
        }
        Ok(out)
    }

    /// Sends one chat message (SendMessage).
    pub fn send_message(&self, request: &SendMessageRequest) -> Result<SendMessageOutput> {
        let out = self.checked(request)?;
        self.sent(out.id.as_deref());
        Ok(out)
    }

    /// Keeps the `Id` of an item this participant sent (a message, a typing event) while
    /// its `ParticipantId` is not known: the item coming back teaches it.
    fn sent(&self, id: Option<&str>) {
        let Some(id) = id else {
            return;
        };
        let mut me = self.identity();
        if me.id.is_none() {
            if me.sent.len() == MAX_SENT_IDS {
                me.sent.pop_front();
            }
            me.sent.push_back(id.to_owned());
        }
    }

    /// Reads one page of the transcript (GetTranscript).
    pub fn get_transcript(&self, request: &GetTranscriptRequest) -> Result<GetTranscriptOutput> {
        self.checked(request)
    }

    /// Every page of the transcript from `first` on (see [`TranscriptPages`]); each page
    /// uses the connection token current when it is fetched.
    pub fn transcript_pages(&self, first: GetTranscriptRequest) -> TranscriptPages<'static> {
        let me = self.clone();
        TranscriptPages::new(first, move |r| me.get_transcript(r))
    }

    /// Starts an attachment's upload (StartAttachmentUpload); see
    /// [`upload_attachment`](Self::upload_attachment) for all three steps.
    pub fn start_attachment_upload(
        &self,
        request: &StartAttachmentUploadRequest,
    ) -> Result<StartAttachmentUploadOutput> {
        self.checked(request)
    }

    /// Completes an attachment's upload (CompleteAttachmentUpload).
    pub fn complete_attachment_upload(
        &self,
        request: &CompleteAttachmentUploadRequest,
    ) -> Result<CompleteAttachmentUploadOutput> {
        self.checked(request)
    }

    /// A download URL for an attachment (GetAttachment); see
    /// [`download_attachment`](Self::download_attachment).
    pub fn get_attachment(&self, request: &GetAttachmentRequest) -> Result<GetAttachmentOutput> {
        self.checked(request)
    }

    /// The view a ShowView block sent (DescribeView).
    pub fn describe_view(&self, request: &DescribeViewRequest) -> Result<DescribeViewOutput> {
        self.checked(request)
    }

    /// The sign-in URL for an `authentication.initiated` event's session
    /// (GetAuthenticationUrl).
    pub fn get_authentication_url(
        &self,
        request: &GetAuthenticationUrlRequest,
    ) -> Result<GetAuthenticationUrlOutput> {
        self.checked(request)
    }

    /// Cancels a sign-in session (CancelParticipantAuthentication).
    pub fn cancel_participant_authentication(
        &self,
        request: &CancelParticipantAuthenticationRequest,
    ) -> Result<CancelParticipantAuthenticationOutput> {
        self.checked(request)
    }

    /// Leaves the chat (DisconnectParticipant); the chat goes on for the others. Once it
    /// succeeds, every later call of this participant (and of its clones, and of the
    /// helpers built on it) returns [`ErrorKind::Left`] without sending anything.
    ///
    /// ```
    /// # #[cfg(feature = "emulator")] {
    /// use connect_participant::emulator::Emulator;
    /// use connect_participant::{ErrorKind, Participant, ParticipantToken, SendEventRequest};
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().build()?;
    /// let chat = emulator.start_chat();
    /// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token.clone())?)?;
    /// me.disconnect(&Default::default())?;
    /// assert!(me.has_left());
    /// let sent = emulator.requests();
    /// let err = me.send_event(&SendEventRequest::typing()).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Left);
    /// assert_eq!(emulator.requests(), sent);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn disconnect(
        &self,
        request: &DisconnectParticipantRequest,
    ) -> Result<DisconnectParticipantOutput> {
        let out = self.checked(request)?;
        self.mark(End::Left(Learnt::Disconnect));
        Ok(out)
    }
}

impl Participant {
    fn identity(&self) -> std::sync::MutexGuard<'_, Identity> {
        self.inner
            .identity
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// This participant's `ParticipantId`: given to the builder, or learnt from the first
    /// item it sent that came back: a typing event (on the stream) or a message (on the
    /// stream or in the transcript).
    pub fn participant_id(&self) -> Option<String> {
        self.identity().id.clone()
    }

    /// Is `item` this participant's own? By `ParticipantId` once known; before, by the
    /// `Id`s of the messages and typing events it sent (and the first match teaches it its
    /// `ParticipantId`).
    pub(crate) fn is_own(&self, item: &crate::ops::transcript::Item) -> bool {
        let mut me = self.identity();
        if let Some(id) = &me.id {
            return item.participant_id.as_deref() == Some(id.as_str());
        }
        let Some(item_id) = item.id.as_deref() else {
            return false;
        };
        if !me.sent.iter().any(|s| s == item_id) {
            return false;
        }
        if let Some(pid) = item.participant_id.clone() {
            me.id = Some(pid);
            me.sent = Default::default();
        }
        true
    }

    /// Has the chat ended for this participant (a `chat.ended` seen by a stream, or a
    /// renewal refused with 403)? Its calls then fail without sending anything.
    pub fn has_ended(&self) -> bool {
        matches!(self.read().ended, Some(End::Chat(_)))
    }

    /// Has this participant left the chat (its own [`disconnect`](Self::disconnect), or the
    /// service disconnected it)? Its calls then fail without sending anything.
    pub fn has_left(&self) -> bool {
        matches!(self.read().ended, Some(End::Left(_)))
    }

    /// The chat is over (a stream saw `chat.ended`): later calls fail without sending.
    #[cfg_attr(not(feature = "websocket"), allow(dead_code))] // the stream calls it
    pub(crate) fn mark_chat_ended(&self) {
        self.mark(End::Chat(Learnt::Stream));
    }

    /// This participant left (a stream saw the service disconnect it): later calls fail
    /// without sending.
    #[cfg_attr(not(feature = "websocket"), allow(dead_code))] // the stream calls it
    pub(crate) fn mark_left(&self) {
        self.mark(End::Left(Learnt::Stream));
    }

    /// Marks the participant's calls over, the first end learnt being the one kept.
    fn mark(&self, end: End) {
        let mut state = self.write();
        if state.ended.is_none() {
            state.ended = Some(end);
            drop(state);
            log::info!(target: TARGET, "{}; later calls send nothing", why_over(end));
        }
    }
}

impl Participant {
    /// [`Client::upload_attachment`] with this participant's connection token; a 403 to
    /// StartAttachmentUpload or CompleteAttachmentUpload is checked as every call's is.
    pub fn upload_attachment<R: Read + Seek>(
        &self,
        request: &UploadAttachmentRequest,
        body: R,
    ) -> Result<UploadAttachmentOutput> {
        self.client().upload_with(
            request,
            body,
            |r| self.start_attachment_upload(r),
            |r| self.complete_attachment_upload(r),
        )
    }

    /// [`Client::upload_attachment_file`] with this participant's connection token.
    pub fn upload_attachment_file(&self, path: impl AsRef<Path>) -> Result<UploadAttachmentOutput> {
        let (request, file) = open_upload(path.as_ref())?;
        self.upload_attachment(&request, file)
    }

    /// GetAttachment for `attachment_id`, then [`Client::download_attachment`] of its URL
    /// into `out`, refusing more than `max_bytes`. Returns the bytes written.
    pub fn download_attachment(
        &self,
        attachment_id: &str,
        out: &mut dyn Write,
        max_bytes: u64,
    ) -> Result<u64> {
        let got = self.get_attachment(&GetAttachmentRequest::new(attachment_id))?;
        let url = got.url.ok_or_else(|| {
            Error::invalid_response(200, "the service answered GetAttachment without Url")
        })?;
        self.client().download_attachment(&url, out, max_bytes)
    }
}

impl fmt::Debug for Participant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.read();
        f.debug_struct("Participant")
            .field("client", &self.inner.client)
            .field("participant_token", &self.inner.participant_token)
            .field("connection_token", &state.token)
            .field("connection_expiry", &state.expiry)
            .field("ended", &state.ended)
            .field("participant_id", &self.identity().id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participant_is_clone_send_sync() {
        fn assert_traits<T: Clone + Send + Sync + 'static>() {}
        assert_traits::<Participant>();
    }

    /// An end learnt from a stream says so, and does not claim a renewal was refused; the
    /// first end learnt is the one kept.
    #[cfg(feature = "emulator")]
    #[test]
    fn an_end_seen_by_a_stream_says_how_it_was_learnt() {
        use crate::emulator::Emulator;
        use crate::ops::message::SendMessageRequest;
        let emulator = Emulator::start().unwrap();
        let client = emulator.client_builder().build().unwrap();
        let connect = || {
            let chat = emulator.start_chat();
            let token = ParticipantToken::new(chat.participant_token).unwrap();
            Participant::connect(&client, token).unwrap()
        };
        let hi = SendMessageRequest::text("hi");
        let ended = connect();
        ended.mark_chat_ended();
        ended.mark_left();
        let left = connect();
        left.mark_left();
        left.mark_chat_ended();
        let before = emulator.requests();
        let e = ended.send_message(&hi).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ChatEnded);
        assert_eq!(
            e.to_string(),
            "the chat has ended: a chat stream saw chat.ended, so nothing was sent"
        );
        assert!(ended.has_ended() && !ended.has_left());
        let e = left.send_message(&hi).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Left);
        assert_eq!(
            e.to_string(),
            "this participant has left the chat: a chat stream saw the service disconnect it, \
             so nothing was sent"
        );
        assert!(left.has_left() && !left.has_ended());
        assert_eq!(emulator.requests(), before);
    }
}
