//! What the `websocket` feature adds to [`Emulator`] and [`EmulatorBuilder`], in one
//! place: the test's side of the chat's WebSockets, and their bound.

use std::io;
use std::time::Duration;

use super::{envelope, wait_until};
use crate::emulator::protocol::item_json;
use crate::emulator::{Emulator, EmulatorBuilder, agent_error, unknown_contact};

// The feature is shown on docs.rs by hand: it is not read from the module, which is private.
#[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
impl Emulator {
    /// Adds a participant to a chat (role `"CUSTOM_BOT"`, say, and its display name), with
    /// a `participant.joined` item in the transcript, pushed to the chat's WebSockets.
    /// Returns its participant token, which CreateParticipantConnection takes as it takes
    /// the customer's. A chat holds at most 16 participants. Also on the control path:
    /// `POST /emulator/chats/{ContactId}/participants`.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold;
    /// [`io::ErrorKind::InvalidInput`] if the chat has ended or holds 16 participants, for
    /// a role of other than 1 to 100 characters or a display name of other than 1 to 256.
    pub fn add_participant(
        &self,
        contact_id: &str,
        role: &str,
        display_name: &str,
    ) -> io::Result<String> {
        self.app
            .service
            .add_participant(contact_id, role, display_name)
            .map(|(_, token)| token)
            .map_err(|e| agent_error(contact_id, e))
    }

    /// Adds an `EVENT` item of this content type (`…participant.idle`,
    /// `…transfer.succeeded`, anything of 1 to 100 characters), from the agent, to a
    /// chat's transcript, and pushes it to its WebSockets; returns its `Id`. It keeps
    /// whatever it is given; [`agent_sends_event`](Self::agent_sends_event) sends an event
    /// as the service handles it (typing pushed but not kept, a receipt put on its message,
    /// `chat.ended` ending the chat), with its `Content`.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold;
    /// [`io::ErrorKind::InvalidInput`] if the chat has ended or for a content type out of
    /// its limits.
    pub fn add_event(&self, contact_id: &str, content_type: &str) -> io::Result<String> {
        self.app
            .service
            .add_event(contact_id, content_type)
            .map_err(|e| agent_error(contact_id, e))
    }

    /// A streamed bot message (Lex streaming): pushes one `MESSAGE` item per chunk, all
    /// with one fresh `Id`, from a participant with `ParticipantRole` `SYSTEM` and
    /// `DisplayName` `BOT` (added to the chat at its first message, without a joined
    /// item), each with `Content` the chunk and `MessageMetadata`
    /// `{"MessageCompleted":false,"ChunkNumber":n}` (n from 1); then the whole text with
    /// `{"MessageCompleted":true}`. Only the whole lands in the transcript, with that `Id`
    /// (and that `MessageMetadata`). Content type `text/plain`. Returns the `Id`.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold;
    /// [`io::ErrorKind::InvalidInput`] if the chat has ended or is full, for no chunks or
    /// more than 1000, or for a whole of other than 1 to 16,384 bytes.
    pub fn bot_says_chunked(&self, contact_id: &str, chunks: &[&str]) -> io::Result<String> {
        self.app
            .service
            .bot_says_chunked(contact_id, chunks)
            .map_err(|e| agent_error(contact_id, e))
    }

    /// Turns a chat's pushes off or back on (they are on when it starts). While off,
    /// nothing is pushed to its WebSockets, its items still land in the transcript: for
    /// tests of gaps, reordering and duplicates with [`push_frame`](Self::push_frame).
    /// Answers to a client's own frames, and closes, are not pushes and still go.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold.
    pub fn set_pushes(&self, contact_id: &str, on: bool) -> io::Result<()> {
        let mut state = self.app.service.lock();
        let chat = state
            .chats
            .chat_mut(contact_id)
            .ok_or_else(|| unknown_contact(contact_id))?;
        chat.pushes = on;
        Ok(())
    }

    /// The exact text of the frame the emulator pushes (or would push) for this item of a
    /// chat's transcript: `{"content":…,"contentType":"application/json","topic":"aws/chat"}`,
    /// where `content` is the item as GetTranscript writes it (as it is now: receipts that
    /// landed since are in it), with `InitialContactId` and `ContactId`, as a JSON string.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold, or an item its
    /// transcript does not keep.
    pub fn websocket_frame(&self, contact_id: &str, item_id: &str) -> io::Result<String> {
        let state = self.app.service.lock();
        let chat = state
            .chats
            .chat(contact_id)
            .ok_or_else(|| unknown_contact(contact_id))?;
        let item = chat.item_by_id(item_id).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("the transcript keeps no item with Id {item_id:?}"),
            )
        })?;
        Ok(envelope(chat, item_json(chat, item)))
    }

    /// Queues this text frame, as it is, for every subscribed WebSocket of a chat (also
    /// while its pushes are off); returns how many took it. A socket whose queue is full
    /// is dropped instead, as for any push.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold.
    pub fn push_frame(&self, contact_id: &str, text: &str) -> io::Result<usize> {
        let mut state = self.app.service.lock();
        state
            .chats
            .chat(contact_id)
            .ok_or_else(|| unknown_contact(contact_id))?;
        Ok(state.hub.send_text(contact_id, text))
    }

    /// Closes every WebSocket of a chat abruptly: its TCP connection is shut down, with no
    /// close frame, as a network failure would. Returns how many. Also on the control
    /// path: `POST /emulator/chats/{ContactId}/websockets/drop`.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold.
    pub fn drop_websockets(&self, contact_id: &str) -> io::Result<usize> {
        let n = {
            let mut state = self.app.service.lock();
            state
                .chats
                .chat(contact_id)
                .ok_or_else(|| unknown_contact(contact_id))?;
            state.hub.drop_sockets(contact_id, None)
        };
        self.app.service.shared.changed.notify_all();
        Ok(n)
    }

    /// Sends a close frame with this code to every WebSocket of a chat (after what is
    /// queued for it), then closes it. Returns how many. Also on the control path:
    /// `POST /emulator/chats/{ContactId}/websockets/close` with `{"Code": n}`.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold;
    /// [`io::ErrorKind::InvalidInput`] for a code a server cannot send (1000 to 1003, 1007
    /// to 1014 and 3000 to 4999 can be sent).
    pub fn close_websockets(&self, contact_id: &str, code: u16) -> io::Result<usize> {
        if !super::control::sendable_close_code(code) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                super::control::CLOSE_CODE_RULE,
            ));
        }
        let n = {
            let mut state = self.app.service.lock();
            state
                .chats
                .chat(contact_id)
                .ok_or_else(|| unknown_contact(contact_id))?;
            state.hub.close(contact_id, None, code)
        };
        self.app.service.shared.changed.notify_all();
        Ok(n)
    }

    /// Whether `aws/heartbeat` frames are answered (they are by default). While off they
    /// get no answer and the sockets stay open: for tests of a client's missed-heartbeat
    /// handling. Deep heartbeats are apart: [`set_deep_heartbeat_answers`](Self::set_deep_heartbeat_answers).
    /// Also on the control path: `POST /emulator/settings` with `{"HeartbeatAnswers": false}`.
    ///
    /// ```
    /// # use connect_participant::emulator::Emulator;
    /// let emulator = Emulator::start()?;
    /// emulator.set_heartbeat_answers(false);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_heartbeat_answers(&self, on: bool) {
        self.app.service.lock().hub.heartbeat_answers = on;
    }

    /// Whether `aws/ping` frames (deep heartbeats) are answered, with
    /// `{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}` (they are by default).
    /// Also on the control path: `POST /emulator/settings` with
    /// `{"DeepHeartbeatAnswers": false}`.
    ///
    /// ```
    /// # use connect_participant::emulator::Emulator;
    /// let emulator = Emulator::start()?;
    /// emulator.set_deep_heartbeat_answers(false);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_deep_heartbeat_answers(&self, on: bool) {
        self.app.service.lock().hub.deep_heartbeat_answers = on;
    }

    /// Whether the answers to `aws/ping` say the service is healthy (they do by default).
    /// While off, each deep heartbeat is answered
    /// `{"topic":"aws/ping","statusCode":500,"statusContent":"Internal Server Error"}`
    /// (while [`set_deep_heartbeat_answers`](Self::set_deep_heartbeat_answers) lets
    /// answers go at all). In the Rust API only.
    ///
    /// ```
    /// # use connect_participant::emulator::Emulator;
    /// let emulator = Emulator::start()?;
    /// emulator.set_deep_heartbeat_health(false);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_deep_heartbeat_health(&self, healthy: bool) {
        self.app.service.lock().hub.deep_heartbeat_healthy = healthy;
    }

    /// Whether WebSocket upgrades are taken (they are by default). While off, every
    /// upgrade is answered 503 and the sockets already open stay open: with
    /// [`drop_websockets`](Self::drop_websockets), an outage that lasts until it is turned
    /// back on, for tests of what a client misses while away. Also on the control path:
    /// `POST /emulator/settings` with `{"WebSocketUpgrades": false}`.
    ///
    /// ```
    /// # use connect_participant::emulator::Emulator;
    /// let emulator = Emulator::start()?;
    /// emulator.set_websocket_upgrades(false);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_websocket_upgrades(&self, on: bool) {
        self.app.service.lock().hub.upgrades = on;
    }

    /// How many WebSockets of a chat are subscribed to `aws/chat` now (0 for a contact the
    /// emulator does not hold).
    pub fn websockets(&self, contact_id: &str) -> usize {
        self.app.service.lock().hub.subscribed(contact_id)
    }

    /// How many WebSocket upgrades have been accepted so far, in all chats.
    pub fn websocket_handshakes(&self) -> usize {
        self.app.service.lock().hub.handshakes
    }

    /// How many WebSocket upgrades have been refused with HTTP 403 so far (an unknown or
    /// expired URL, a participant who left, an ended chat).
    pub fn websocket_refusals(&self) -> usize {
        self.app.service.lock().hub.refusals
    }

    /// Blocks until at least `n` WebSockets of a chat are subscribed (woken as sockets
    /// subscribe, not by polling); `false` if `timeout` passes first. Tests use it to know
    /// that a client has (re)subscribed before they make the chat speak.
    pub fn wait_for_websockets(&self, contact_id: &str, n: usize, timeout: Duration) -> bool {
        wait_until(&self.app.service.shared, timeout, |state| {
            state.hub.subscribed(contact_id) >= n
        })
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
impl EmulatorBuilder {
    /// The default of [`max_websockets`](Self::max_websockets): 256.
    pub const DEFAULT_MAX_WEBSOCKETS: usize = 256;

    /// How many WebSocket connections are served at once; default
    /// [`DEFAULT_MAX_WEBSOCKETS`](Self::DEFAULT_MAX_WEBSOCKETS) (256). An upgraded
    /// connection leaves the [`max_connections`](Self::max_connections) count and is never
    /// closed to make room for HTTP requests, so the emulator holds at most
    /// `max_connections + max_websockets` descriptors. With this many open, an upgrade is
    /// answered HTTP 503. Zero serves none.
    pub fn max_websockets(mut self, max: usize) -> Self {
        self.limits.max_websockets = max;
        self
    }
}
