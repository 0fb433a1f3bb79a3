#![doc = include_str!("../../docs/emulator.md")]
// The WebSocket section links to items that exist with the `websocket` feature only;
// docs.rs builds all features, so a build without it need not resolve them.
#![cfg_attr(not(feature = "websocket"), allow(rustdoc::broken_intra_doc_links))]

// The layers, outside in: `http` serves connections, bounded, and hands each request to
// `app`, which applies the test's faults and keeps what it saw; `service` routes it to its
// operation in `ops` (one file each) or to `control` (the test's side), all of them over
// one state behind one lock: the chat model and its clock (`chat`), `attachments`,
// `views` and the WebSocket side (`ws`). `protocol` is the restJson1 they answer in, and
// `builder` starts it all.
mod agent_events;
mod app;
mod attachments;
mod builder;
mod chat;
mod control;
mod faults;
mod http;
mod ids;
mod ops;
mod out_of_order;
mod persistent;
mod protocol;
mod remote;
mod s3_cors;
mod service;
mod views;
// Without the feature, a stand-in of the same name that serves no sockets: what the
// service tells the WebSocket side goes nowhere, and no call site needs a `cfg`.
#[cfg(feature = "websocket")]
mod ws;
#[cfg(not(feature = "websocket"))]
#[path = "no_websocket.rs"]
mod ws;

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::client::{Client, ClientBuilder};
use crate::{ConnectionToken, Endpoint};

pub use builder::EmulatorBuilder;
pub use faults::Fault;
pub use persistent::Rehydration;

use app::App;
use control::AgentError;
use http::Server;

/// One event the emulator accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedEvent {
    /// The `Id` the emulator answered.
    pub id: String,
    /// The `AbsoluteTime` the emulator answered.
    pub absolute_time: String,
    /// The `ContentType` sent.
    pub content_type: String,
    /// The `Content` sent, if any.
    pub content: Option<String>,
    /// The `ClientToken` sent, if any; an empty one is taken as none.
    pub client_token: Option<String>,
    /// The chat it was sent in.
    pub contact_id: String,
    /// The participant that sent it.
    pub participant_id: String,
}

/// One request as the emulator received it, kept for tests to inspect: every attempt of a
/// retried call shows up here, also those answered with an injected fault.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeenRequest {
    /// The method, such as `POST`.
    pub method: String,
    /// The path, without any query.
    pub path: String,
    /// The headers in arrival order, names as sent, except `X-Amz-Bearer`: the tokens are
    /// secrets and are not kept.
    pub headers: Vec<(String, String)>,
    /// The body, or as much of it as fits in
    /// [`max_seen_bytes`](EmulatorBuilder::max_seen_bytes) beside the head.
    pub body: Vec<u8>,
}

impl SeenRequest {
    /// The bytes it holds, as counted against
    /// [`max_seen_bytes`](EmulatorBuilder::max_seen_bytes): its method, path, header names
    /// and values, and body.
    pub fn kept_bytes(&self) -> usize {
        self.method.len()
            + self.path.len()
            + self
                .headers
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
            + self.body.len()
    }

    /// The first header of this name (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body's `ClientToken` member, if the body is JSON and has one.
    pub fn client_token(&self) -> Option<String> {
        let body: Value = serde_json::from_slice(&self.body).ok()?;
        body.get("ClientToken")?.as_str().map(str::to_owned)
    }
}

impl fmt::Debug for SeenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeenRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

/// A chat the emulator started, as StartChatContact answers: the contact and the
/// customer's participant token (for CreateParticipantConnection), and the ids of its two
/// participants. Its `Debug` does not show the token.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StartedChat {
    /// The chat's contact id (a UUID), also its `InitialContactId`.
    pub contact_id: String,
    /// The customer's participant token: random visible ASCII, 260 characters.
    pub participant_token: String,
    /// The customer's participant id (a UUID); display name `Customer`, role `CUSTOMER`.
    pub customer_participant_id: String,
    /// The agent's participant id (a UUID); display name `Agent`, role `AGENT`.
    pub agent_participant_id: String,
    /// For a persistent chat ([`Emulator::start_persistent_chat`]), the past contact it
    /// continues: StartChatContact's `ContinuedFromContactId`.
    pub continued_from_contact_id: Option<String>,
}

impl fmt::Debug for StartedChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartedChat")
            .field("contact_id", &self.contact_id)
            .field("participant_token", &"[redacted]")
            .field("customer_participant_id", &self.customer_participant_id)
            .field("agent_participant_id", &self.agent_participant_id)
            .field("continued_from_contact_id", &self.continued_from_contact_id)
            .finish()
    }
}

/// A running emulator. Dropping it stops it and closes its connections.
pub struct Emulator {
    // Declared first so that it is dropped first: the server's threads hold the app.
    server: Server,
    app: Arc<App>,
}

impl Emulator {
    /// Binds `127.0.0.1` on a free port and starts serving, with the default bounds:
    /// shorthand for `Emulator::builder().start()`.
    pub fn start() -> io::Result<Emulator> {
        Emulator::builder().start()
    }

    /// Settings for an emulator with other bounds than the defaults.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Its base URL, `http://127.0.0.1:<port>`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// Its base URL, `http://127.0.0.1:<port>`: the same as
    /// [`endpoint_url`](Self::endpoint_url), to print for other programs (an SDK's
    /// `endpoint_url`, a browser page).
    pub fn url(&self) -> String {
        self.endpoint_url()
    }

    /// Its endpoint, for [`send_event`](crate::send_event).
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::from_url(&self.endpoint_url()).expect("a socket address is a valid URL")
    }

    /// A client builder already pointed at the emulator. A
    /// [`Participant`](crate::Participant) built on its client follows the emulator's
    /// [clock](Self::clock) (so [`advance_clock`](Self::advance_clock) moves its time too),
    /// unless its builder is given another ([`ParticipantBuilder::clock`](crate::ParticipantBuilder::clock)).
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .endpoint_url(self.endpoint_url())
            .participant_clock(Arc::new(self.clock()))
    }

    /// Blocks the calling thread for as long as the process runs, while the emulator serves
    /// from its own threads: for a program that only serves. It never returns; the process
    /// ends it (Ctrl-C, say).
    pub fn wait(&self) -> ! {
        loop {
            // `park` may return spuriously; nothing unparks this thread on purpose.
            thread::park();
        }
    }

    /// Starts a chat, as StartChatContact would: a customer and an agent, each with a
    /// `participant.joined` event in the transcript. If
    /// [`max_chats`](EmulatorBuilder::max_chats) are kept, the oldest is forgotten.
    pub fn start_chat(&self) -> StartedChat {
        StartedChat::from(self.app.service.start_chat())
    }

    /// Issues a connection token for a chat's customer, as CreateParticipantConnection
    /// would (it expires after
    /// [`connection_token_lifetime`](EmulatorBuilder::connection_token_lifetime)).
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold (never started,
    /// or forgotten to make room); [`io::ErrorKind::PermissionDenied`] if the chat has
    /// ended or the customer has left it.
    pub fn connection_token_for(&self, contact_id: &str) -> io::Result<ConnectionToken> {
        let mut state = self.app.service.lock();
        let chat = state
            .chats
            .chat(contact_id)
            .ok_or_else(|| unknown_contact(contact_id))?;
        if chat.ended || chat.participants[chat::CUSTOMER].left.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the chat has ended or the customer has left it",
            ));
        }
        let (token, _) = state
            .chats
            .issue(contact_id, chat::CUSTOMER)
            .ok_or_else(|| unknown_contact(contact_id))?;
        ConnectionToken::new(token)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
    }

    /// A connection token of a new chat's customer: [`start_chat`](Self::start_chat), then
    /// [`connection_token_for`](Self::connection_token_for). The shortest way to a token
    /// the emulator accepts.
    pub fn connection_token(&self) -> ConnectionToken {
        let chat = self.start_chat();
        // A chat just started is held, on, and its customer present; and the emulator's
        // tokens are visible ASCII of a valid length.
        self.connection_token_for(&chat.contact_id)
            .expect("a chat just started takes a connection token")
    }

    /// The agent says `content` (of `content_type`, any type of 1 to 100 characters: the
    /// agent's side may send what a customer may not) in a chat; returns the new item's
    /// `Id`.
    ///
    /// With `application/vnd.amazonaws.connect.message.interactive`, the agent sends an
    /// interactive message (a list picker, a quick reply, ...): `content` is the
    /// template's JSON, which must be an object with a string `templateType`.
    ///
    /// ```
    /// use connect_participant::emulator::Emulator;
    ///
    /// let emulator = Emulator::start()?;
    /// let chat = emulator.start_chat();
    /// let interactive = "application/vnd.amazonaws.connect.message.interactive";
    /// let quick = r#"{"templateType":"QuickReply","version":"1.0","data":{"content":
    ///     {"title":"Rate us","elements":[{"title":"Good"}]}}}"#;
    /// emulator.agent_says(&chat.contact_id, quick, interactive)?;
    /// assert!(emulator.agent_says(&chat.contact_id, "not JSON", interactive).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold;
    /// [`io::ErrorKind::InvalidInput`] if the chat has ended, or for content out of its
    /// limits (1 to 16,384 bytes) or an empty or longer content type, or an interactive
    /// message that is not a template.
    pub fn agent_says(
        &self,
        contact_id: &str,
        content: &str,
        content_type: &str,
    ) -> io::Result<String> {
        self.app
            .service
            .agent_says(contact_id, content, content_type)
            .map(|(id, _)| id)
            .map_err(|e| agent_error(contact_id, e))
    }

    /// The agent sends an event of the catalogue into a chat, as the service delivers it:
    /// `content_type` is any `application/vnd.amazonaws.connect.event.…` type (at most 100
    /// characters), `content` its `Content` if it has one (1 to 16,384 bytes). Returns
    /// the `Id` the chat's sockets see. Also on the control path:
    /// `POST /emulator/chats/{ContactId}/events` with `{"ContentType":…,"Content":…}`.
    ///
    /// - `…event.typing`: pushed to the chat's WebSockets from the agent, not kept in the
    ///   transcript.
    /// - `…event.message.delivered` and `.read` (content `{"messageId":"…"}`): a
    ///   `MESSAGEMETADATA` receipt from the agent is pushed, and lands on that message in
    ///   the transcript, as a participant's SendEvent receipt does.
    /// - `…event.chat.ended`: ends the chat, as [`end_chat`](Self::end_chat).
    /// - Any other (`…participant.invited`, `…authentication.succeeded`,
    ///   `…workflow.cancelled`, one the catalogue does not name): an `EVENT` item with this
    ///   content, in the transcript and pushed; from the agent, except the
    ///   `…authentication.…` steps, which carry no sender (as
    ///   [`start_authentication`](Self::start_authentication)'s; an
    ///   `authentication.initiated` sent here starts no session).
    ///
    /// None of them is among [`events`](Self::events), which holds what participants
    /// sent with SendEvent.
    ///
    /// ```
    /// use connect_participant::emulator::Emulator;
    ///
    /// let emulator = Emulator::start()?;
    /// let chat = emulator.start_chat();
    /// let invited = "application/vnd.amazonaws.connect.event.participant.invited";
    /// let id = emulator.agent_sends_event(&chat.contact_id, invited, None)?;
    /// assert_eq!(id.len(), 36);
    /// let err = emulator.agent_sends_event(&chat.contact_id, "text/plain", Some("hi"));
    /// assert_eq!(err.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold;
    /// [`io::ErrorKind::InvalidInput`] if the chat has ended, for a content type that is
    /// not an event's (or is `…message.metadata`, which only the service makes of
    /// receipts), a content out of its limits, or a receipt without a `messageId`.
    pub fn agent_sends_event(
        &self,
        contact_id: &str,
        content_type: &str,
        content: Option<&str>,
    ) -> io::Result<String> {
        self.app
            .service
            .agent_sends_event(contact_id, content_type, content)
            .map(|(id, _)| id)
            .map_err(|e| agent_error(contact_id, e))
    }

    /// Ends a chat: a `chat.ended` event in its transcript, then every call for it is
    /// refused with 403, CreateParticipantConnection included. Ending an ended chat
    /// changes nothing.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold.
    pub fn end_chat(&self, contact_id: &str) -> io::Result<()> {
        if self.app.service.end_chat(contact_id) {
            Ok(())
        } else {
            Err(unknown_contact(contact_id))
        }
    }

    /// Registers the view DescribeView answers for `view_token`: `view_json` is the `View`
    /// object's JSON text (`{"Arn":…,"Content":{"Actions":[…],"InputSchema":…,
    /// "Template":…},"Id":…,"Name":…,"Version":1}`, say), answered as
    /// `{"View":<view_json>}`, its members in the order given. Any chat's connection token
    /// may read it. Registering a token again replaces its view; the emulator keeps the
    /// newest 10,000 views.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidInput`] for a view token of other than 1 to 1000 characters,
    /// or a `view_json` that is not a JSON object.
    pub fn add_view(&self, view_token: &str, view_json: &str) -> io::Result<()> {
        let n = view_token.chars().count();
        if n == 0 || n > views::MAX_VIEW_TOKEN {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a view token has 1 to 1000 characters",
            ));
        }
        if !matches!(
            serde_json::from_str::<Value>(view_json),
            Ok(Value::Object(_))
        ) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a view is a JSON object",
            ));
        }
        let view = view_json.trim().to_owned();
        self.app.service.lock().views.add(view_token, view);
        Ok(())
    }

    /// Starts an Authenticate Customer block in a chat: adds an `EVENT` item
    /// `application/vnd.amazonaws.connect.event.authentication.initiated`, with `Content`
    /// `{"SessionId":"<36-character UUID>"}` and no sender (the chat's own event, as
    /// `chat.ended`), to its transcript, pushes it to its WebSockets, and returns the
    /// session id. GetAuthenticationUrl takes the session, from this chat's tokens, for 60
    /// seconds of the emulator's clock; CancelParticipantAuthentication until the
    /// emulator forgets it (it keeps the newest 10,000 sessions).
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold;
    /// [`io::ErrorKind::InvalidInput`] if the chat has ended.
    pub fn start_authentication(&self, contact_id: &str) -> io::Result<String> {
        self.app
            .service
            .start_authentication(contact_id)
            .map_err(|e| agent_error(contact_id, e))
    }

    /// The bytes last uploaded whole to an attachment's upload URL, completed or not;
    /// `None` for an attachment the emulator does not hold, one with nothing uploaded yet,
    /// or one whose bytes were forgotten to stay within
    /// [`max_kept_bytes`](EmulatorBuilder::max_kept_bytes).
    pub fn attachment(&self, attachment_id: &str) -> Option<Vec<u8>> {
        self.app.service.lock().attachments.bytes_of(attachment_id)
    }

    /// How many requests to an upload or download URL were refused (403) because they
    /// carried `X-Amz-Bearer` or `Authorization`: a client must never send its token to a
    /// presigned URL.
    pub fn bearer_refusals(&self) -> usize {
        self.app.service.lock().attachments.bearer_refusals
    }

    /// The emulator's clock: the real time at start, running with it, plus every
    /// [`advance_clock`](Self::advance_clock).
    pub fn now(&self) -> SystemTime {
        self.app.service.lock().chats.now()
    }

    /// The emulator's clock as a function, for a [`Participant`](crate::Participant)'s
    /// clock ([`ParticipantBuilder::clock`](crate::ParticipantBuilder::clock)), so that the
    /// participant and the emulator step time together: the default of participants on a
    /// client of [`client_builder`](Self::client_builder). After the emulator is dropped it
    /// reads the system clock.
    pub fn clock(&self) -> impl Fn() -> SystemTime + Send + Sync + 'static {
        let app = Arc::downgrade(&self.app);
        move || match app.upgrade() {
            Some(app) => app.service.lock().chats.now(),
            None => SystemTime::now(),
        }
    }

    /// Moves the emulator's clock forward (to expire connection tokens without waiting);
    /// it stops at the year 9999.
    pub fn advance_clock(&self, by: Duration) {
        self.app.service.lock().chats.clock.advance(by);
    }

    /// The events accepted so far, oldest first, at most the newest
    /// [`max_events`](EmulatorBuilder::max_events); a repeated client token appears once.
    pub fn events(&self) -> Vec<RecordedEvent> {
        self.app.service.lock().events()
    }

    /// How many bytes the chats' transcripts, the events and the attachments hold now, as
    /// counted against [`max_kept_bytes`](EmulatorBuilder::max_kept_bytes): the strings of
    /// every kept item and event, and the bytes uploaded for every attachment.
    pub fn kept_bytes(&self) -> usize {
        self.app.service.lock().kept_bytes()
    }

    /// How many HTTP requests it has received, malformed ones included, also those no
    /// longer kept by [`seen_requests`](Self::seen_requests).
    pub fn requests(&self) -> usize {
        self.server.requests()
    }

    /// The newest well-formed requests received, oldest first, each attempt of a retried
    /// call included: at most [`max_seen_requests`](EmulatorBuilder::max_seen_requests) of
    /// them, holding at most [`max_seen_bytes`](EmulatorBuilder::max_seen_bytes) of heads
    /// and bodies in all. A request refused as malformed (a head over 64 KiB or with more
    /// than 128 headers, say) is counted by [`requests`](Self::requests) but not kept.
    pub fn seen_requests(&self) -> Vec<SeenRequest> {
        self.app.records().seen.iter().cloned().collect()
    }

    /// How many TCP connections it has accepted, closed ones included.
    pub fn connections(&self) -> usize {
        self.server.connections()
    }

    /// How many connections are open now: at most
    /// [`max_connections`](EmulatorBuilder::max_connections), plus, with the `websocket`
    /// feature, up to [`max_websockets`](EmulatorBuilder::max_websockets) upgraded ones.
    pub fn open_connections(&self) -> usize {
        self.server.open_connections()
    }

    /// How many times accepting a connection has failed (for want of file descriptors,
    /// say); each failure is followed by a pause, never by an immediate retry.
    pub fn accept_errors(&self) -> usize {
        self.server.accept_errors()
    }

    /// From now on, requests with this connection token are refused with
    /// `AccessDeniedException` (HTTP 403), as for an expired one. The participant's other
    /// tokens are unaffected.
    pub fn revoke_token(&self, token: &ConnectionToken) {
        self.app.service.lock().chats.revoke(token.expose_secret());
    }

    /// While `on`, receipts are refused with `ConflictException` (HTTP 409) in every chat,
    /// as when a supervisor has barged in. A chat with more than two participants (that
    /// have not left) refuses them whether or not this is on.
    pub fn set_receipts_conflict(&self, on: bool) {
        self.app.service.lock().receipts_conflict = on;
    }

    /// How many faults [`inject`](Self::inject) queues at most; beyond, a fault is refused
    /// (not queued) until requests have taken some.
    pub const MAX_QUEUED_FAULTS: usize = remote::MAX_QUEUED_FAULTS;

    /// Answers the next request, whatever it is, with this error instead of handling it:
    /// HTTP `status`, `X-Amzn-Errortype: error_type`, body `{"message": message}`.
    /// Faults queue up, one request each. Shorthand for
    /// `inject(Fault::error(status, error_type, message))`; `false` if the queue was full.
    pub fn fail_next(&self, status: u16, error_type: &str, message: &str) -> bool {
        self.inject(Fault::error(status, error_type, message))
    }

    /// Applies `fault` to the next request to the service that has none yet: faults queue
    /// up, one request each, and requests after the queue runs dry are handled normally.
    /// Requests to the control path (`/emulator/…`, the test's own), to WebSocket URLs and
    /// to presigned URLs take no fault. Also on the control path: `POST /emulator/faults`. Returns `false`,
    /// queuing nothing, if [`MAX_QUEUED_FAULTS`](Self::MAX_QUEUED_FAULTS) are queued
    /// already: the queue is bounded like everything else the emulator keeps.
    ///
    /// ```
    /// use connect_participant::emulator::{Emulator, Fault};
    /// use connect_participant::SendEventRequest;
    ///
    /// let emulator = Emulator::start()?;
    /// let client = emulator.client_builder().sleep_fn(|_| {}).build()?;
    /// // The event lands, but the answer is lost; the retry gets the same event back.
    /// emulator.inject(Fault::CloseAfterHandling);
    /// let token = emulator.connection_token();
    /// let out = client.send_event(&token, &SendEventRequest::typing())?;
    /// assert_eq!(emulator.seen_requests().len(), 2);
    /// assert_eq!(emulator.events().len(), 1);
    /// assert_eq!(out.id.as_deref(), Some(emulator.events()[0].id.as_str()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inject(&self, fault: Fault) -> bool {
        self.app.service.queue_faults(std::iter::once(fault))
    }
}

/// What the test's side of a chat gets for a refused change.
fn agent_error(contact_id: &str, e: AgentError) -> io::Error {
    match e {
        AgentError::UnknownContact => unknown_contact(contact_id),
        AgentError::Ended => io::Error::new(io::ErrorKind::InvalidInput, "the chat has ended"),
        AgentError::Invalid(m) => io::Error::new(io::ErrorKind::InvalidInput, m),
    }
}

fn unknown_contact(contact_id: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("the emulator holds no chat with ContactId {contact_id:?}"),
    )
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr())
            .field("connections", &self.connections())
            .field("requests", &self.requests())
            .field("limits", &self.app.limits)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::app::Records;
    use super::builder::Limits;
    use super::http::Request;
    use super::*;

    fn seen(body: &[u8]) -> Request {
        Request {
            method: "POST".into(),
            path: "/".into(),
            headers: Vec::new(),
            body: body.to_vec(),
            close: false,
        }
    }

    #[test]
    fn kept_requests_stay_within_count_and_bytes_heads_included_newest_first() {
        // Each request's head is "POST" and "/": 5 bytes before its body.
        let limits = Limits {
            max_seen_requests: 3,
            max_seen_bytes: 20,
            ..EmulatorBuilder::default().limits
        };
        let mut records = Records::default();
        for body in [&b"aaaa"[..], b"bbbb", b"cc", b"d", b"eeeee"] {
            records.keep(&seen(body), &limits);
        }
        let bodies: Vec<&[u8]> = records.seen.iter().map(|r| &r.body[..]).collect();
        assert_eq!(bodies, [&b"d"[..], b"eeeee"]);
        assert_eq!(records.seen_bytes, 16);
        // A body over the whole budget is kept cut, alone, beside its head.
        records.keep(&seen(b"0123456789abcdefghij"), &limits);
        let bodies: Vec<&[u8]> = records.seen.iter().map(|r| &r.body[..]).collect();
        assert_eq!(bodies, [&b"0123456789abcde"[..]]);
        assert_eq!(records.seen_bytes, 20);

        // Headers count, names and values; the bearer is neither kept nor counted.
        let mut with_headers = seen(b"");
        with_headers.headers = vec![
            ("X-Amz-Bearer".into(), "secret".into()),
            ("abc".into(), "defgh".into()),
        ];
        records.keep(&with_headers, &limits);
        assert_eq!(records.seen.back().unwrap().kept_bytes(), 13);
        assert_eq!(records.seen_bytes, 13);
        // A head that cannot fit even alone is not kept.
        with_headers.headers.push(("k".into(), "v".repeat(20)));
        records.keep(&with_headers, &limits);
        assert_eq!(records.seen.len(), 1);
        assert_eq!(records.seen_bytes, 13);

        let none = Limits {
            max_seen_requests: 0,
            ..limits
        };
        records.keep(&seen(b"x"), &none);
        assert_eq!(records.seen.len(), 1);
        let seen_total: usize = records.seen.iter().map(SeenRequest::kept_bytes).sum();
        assert_eq!(seen_total, records.seen_bytes);
    }

    #[test]
    fn started_chat_debug_hides_the_participant_token() {
        let chat = StartedChat {
            contact_id: "c".into(),
            participant_token: "QVFJREFIsecret".into(),
            customer_participant_id: "p".into(),
            agent_participant_id: "a".into(),
            continued_from_contact_id: None,
        };
        let shown = format!("{chat:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn the_module_docs_name_every_setting_operation_and_path() {
        let docs = include_str!("../../docs/emulator.md");
        // Each setting, by the name of its method, as the settings themselves list them:
        // one added to the builder must be described in the docs too.
        let limits = format!("{:?}", EmulatorBuilder::default().limits);
        let fields = limits
            .strip_prefix("Limits { ")
            .and_then(|l| l.strip_suffix(" }"))
            .expect("the settings' Debug lists their fields");
        for field in fields.split(", ") {
            let (name, _) = field.split_once(':').expect("a field and its value");
            assert!(
                docs.contains(&format!("(EmulatorBuilder::{name})")),
                "docs/emulator.md must describe the setting {name}"
            );
        }
        for (path, _) in service::OPERATIONS {
            assert!(
                docs.contains(&format!("`POST {path}`")),
                "docs/emulator.md must describe POST {path}"
            );
        }
        // Every control path, by the router's own list.
        for route in control::control_routes() {
            let method = if route.ends_with("transcript") {
                "GET"
            } else {
                "POST"
            };
            let named = format!("`{method} /emulator/{route}`");
            assert!(docs.contains(&named), "docs/emulator.md must name {named}");
        }
        for named in [
            "`GET /participant/views/{ViewToken}`",
            // The control path.
            "`POST /emulator/chats`",
            r#"`{"PersistentChat":{"SourceContactId":…,"RehydrationType":…}}`"#,
            "`ContinuedFromContactId`",
            "`RelatedContactId`",
            "`POST /emulator/chats/{ContactId}/messages`",
            r#"`{"Messages":[{"Content":…,"ContentType":…},…],"Order":[2,1,0]}`"#,
            "`POST /emulator/chats/{ContactId}/end`",
            "`POST /emulator/chats/{ContactId}/events`",
            "`GET /emulator/chats/{ContactId}/transcript`",
            "`POST /emulator/chats/{ContactId}/participants`",
            "`POST /emulator/chats/{ContactId}/websockets/drop`",
            "`POST /emulator/chats/{ContactId}/websockets/close`",
            "`POST /emulator/settings`",
            // The URLs the emulator hands out.
            attachments::UPLOAD_PATH,
            attachments::DOWNLOAD_PATH,
            protocol::WEBSOCKET_PATH,
            // The errors it answers.
            "`ValidationException`",
            "`AccessDeniedException`",
            "`UnknownOperationException`",
            "`ResourceNotFoundException`",
            "`ServiceQuotaExceededException`",
            "`ConflictException`",
            "`UnsupportedMediaTypeException`",
            "`InvalidRequestException`",
            "`InvalidParameterException`",
            "`SignatureDoesNotMatch`",
            "`SlowDown`",
            "`Request has expired`",
            "`Access Denied`",
        ] {
            assert!(docs.contains(named), "docs/emulator.md must name {named}");
        }
    }
}
