//! One connection attempt: a URL, the upgrade, the subscription, and the catch-up read
//! from the transcript.

use std::time::{Duration, Instant};

use super::ChatStream;
use super::frames::{self, Frame};
use super::socket::{self, OpenError, Read1, Socket};
use crate::error::{Error, ErrorKind};
use crate::ops::transcript::{GetTranscriptRequest, Item, ScanDirection, SortOrder};

/// How many transcript pages of 100 items a reconnection reads, at most, to find what it
/// missed: a gap longer than 1000 items yields its newest 1000.
const MAX_FILL_PAGES: usize = 10;
/// How many chat frames that come before the subscription's answer are kept, to be
/// yielded after the transcript is read back.
const MAX_EARLY: usize = 1000;

/// Why a connection attempt did not give a subscribed socket.
pub(super) enum Attempt {
    /// Worth another attempt.
    Failed(Error),
    /// Not worth another: the stream ends with this error.
    Fatal(Error),
    /// The chat is over (or this participant left): CreateParticipantConnection answered
    /// 403, or the participant knows it (the error says so).
    Ended(Error),
}

/// What a new socket brings: the transcript items the catch-up found (oldest first), and
/// the chat frames that came before the subscription's answer (as they came).
pub(super) struct Caught {
    pub(super) missed: Vec<Item>,
    pub(super) early: Vec<String>,
}

impl ChatStream {
    /// One attempt to get a subscribed socket, and what it missed. A failure counts
    /// towards the attempts in a row and sets the wait before the next.
    pub(super) fn connect(&mut self) -> Result<Caught, Attempt> {
        let result = self.try_connect();
        match &result {
            Ok(_) => self.retry_at = None,
            Err(Attempt::Failed(_)) => {
                self.failures += 1;
                self.retry_at = Some(Instant::now() + self.backoff());
            }
            Err(_) => {}
        }
        result
    }

    fn try_connect(&mut self) -> Result<Caught, Attempt> {
        let (socket, early) = self.open_subscribed()?;
        self.install(socket);
        let missed = self.fill().inspect_err(|_| {
            if let Some(s) = self.socket.take() {
                s.close(Duration::from_millis(100));
            }
        })?;
        Ok(Caught { missed, early })
    }

    /// Makes `socket` the one read and heartbeated, from now.
    pub(super) fn install(&mut self, socket: Socket) {
        let now = Instant::now();
        self.socket = Some(socket);
        self.rotate_at = now.checked_add(self.settings.socket_lifetime);
        self.awaiting_heartbeat = false;
        self.awaiting_ping = false;
        self.heartbeat_due = now + self.settings.heartbeat;
    }

    /// A URL, the upgrade and the subscription: a socket ready to be read, and the chat
    /// frames that came first.
    pub(super) fn open_subscribed(&mut self) -> Result<(Socket, Vec<String>), Attempt> {
        let url = self
            .participant
            .websocket_url(
                std::mem::take(&mut self.fresh_url),
                ChatStream::WEBSOCKET_URL_VALID_FOR,
            )
            .map_err(|e| self.classify_call(e))?;
        let mut socket = match socket::open(&url, self.participant.client().net()) {
            Ok(s) => s,
            Err(OpenError::Refused(status @ (401 | 403))) => {
                // An expired or revoked URL: the next attempt asks for a new one, and
                // CreateParticipantConnection tells whether the chat is still on.
                self.fresh_url = true;
                return Err(Attempt::Failed(Error::new_kind(
                    ErrorKind::AccessDenied,
                    format!("the WebSocket upgrade was refused with HTTP {status}"),
                )));
            }
            Err(OpenError::Refused(status)) => {
                // The gateway is busy or failing, not the URL: the same URL is tried again
                // while it is fresh, as ChatJS retries a socket that did not open.
                let kind = match status {
                    429 => ErrorKind::Throttling,
                    500..=599 => ErrorKind::InternalServer,
                    _ => ErrorKind::UnexpectedStatus,
                };
                return Err(Attempt::Failed(Error::new_kind(
                    kind,
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
        let early = subscribe_on(&mut socket)?;
        Ok((socket, early))
    }

    /// Reads the transcript back, newest first, to the end of the page that holds the
    /// newest item already known; what is not known, oldest first.
    fn fill(&mut self) -> Result<Vec<Item>, Attempt> {
        let mut missed: Vec<Item> = Vec::new();
        let mut request = GetTranscriptRequest::new()
            .with_max_results(100)
            .with_scan_direction(ScanDirection::Backward)
            .with_sort_order(SortOrder::Descending);
        for _ in 0..MAX_FILL_PAGES {
            let page = self
                .participant
                .get_transcript(&request)
                .map_err(|e| self.classify_call(e))?;
            let mut reached_known = false;
            for item in page.transcript {
                if item.id.as_deref().is_some_and(|id| self.delivery.knows(id)) {
                    // Frames are not promised in order (the service's documentation says
                    // so), nor are items of equal AbsoluteTime: an item older than a known
                    // one may still be missing. The rest of this page is read too; the
                    // next page is not.
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
        missed.reverse();
        Ok(missed)
    }

    /// A failed REST call during a (re)connection: the chat's end (or this participant's
    /// departure), a failure worth another attempt, or one that is not.
    fn classify_call(&self, e: Error) -> Attempt {
        if self.participant.has_left() || self.participant.has_ended() {
            return Attempt::Ended(e);
        }
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
}

/// Subscribes to the chat: ChatJS's rules, a refusal retried every 500 ms up to 5 times,
/// an unanswered subscribe resent after 1 s up to 3 times; chat frames that come first
/// are kept (at most [`MAX_EARLY`]) and given back.
fn subscribe_on(socket: &mut Socket) -> Result<Vec<String>, Attempt> {
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
        let text = match socket.read(resend_at - now) {
            Read1::Text(text) => text,
            Read1::Idle => continue,
            Read1::Closed(code) => return Err(failed(socket::closed_words(code))),
            Read1::Broken(why) => return Err(failed(why)),
        };
        match frames::parse(text.as_str()) {
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
            Frame::Chat(_) if early.len() < MAX_EARLY => early.push(text.as_str().to_owned()),
            Frame::Error(message) => {
                return Err(failed(format!(
                    "the WebSocket sent an error while subscribing: {}",
                    crate::redact::printable(&message, crate::redact::DETAIL_WIDTH)
                )));
            }
            _ => {}
        }
    }
}
