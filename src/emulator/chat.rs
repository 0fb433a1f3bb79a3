//! The chat model: chats, their participants and tokens, their transcripts, and the clock
//! they live by. Pure data and rules; no HTTP, no JSON.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use super::ids::{
    CONNECTION_TOKEN_BYTES, PARTICIPANT_TOKEN_BYTES, new_token, new_uuid, random_bytes,
};
use super::protocol::fingerprint;

/// (sender, client token, fingerprint): a message's idempotency key.
type MessageKey = (usize, String, u64);

/// The content type of the event that says a participant joined.
pub(super) const JOINED: &str = "application/vnd.amazonaws.connect.event.participant.joined";
/// The content type of the event that says a participant left.
pub(super) const LEFT: &str = "application/vnd.amazonaws.connect.event.participant.left";
/// The content type of the event that says the chat is over.
pub(super) const ENDED: &str = "application/vnd.amazonaws.connect.event.chat.ended";

/// The index of the customer in [`Chat::participants`].
pub(super) const CUSTOMER: usize = 0;
/// The index of the agent in [`Chat::participants`].
pub(super) const AGENT: usize = 1;

/// How many connection tokens a participant keeps: each CreateParticipantConnection issues
/// one, and without a bound a client calling it in a loop would grow the map forever.
pub(super) const TOKENS_PER_PARTICIPANT: usize = 100;

#[cfg(feature = "websocket")]
/// How many participants a chat holds at most, the customer and the agent included: a
/// test adding participants in a loop must not grow a chat without bound.
pub(super) const MAX_PARTICIPANTS: usize = 16;

/// One participant of a chat. Not `Debug`: it holds its tokens.
pub(super) struct Participant {
    pub(super) id: String,
    pub(super) display_name: String,
    /// As the service writes it: `CUSTOMER`, `AGENT`, `SYSTEM`, `CUSTOM_BOT`...
    pub(super) role: String,
    pub(super) token: String,
    /// Its connection tokens, oldest first, at most [`TOKENS_PER_PARTICIPANT`].
    connection_tokens: VecDeque<String>,
    /// Set once it has disconnected: the `ClientToken` it disconnected with, if any, so
    /// that a retry of that call gets the same answer.
    pub(super) left: Option<Option<String>>,
    /// Whether a persistent chat's `chat.rehydrated` has been pushed to one of its sockets.
    #[cfg(feature = "websocket")]
    pub(super) told_rehydrated: bool,
}

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ItemType {
    Message,
    Event,
    /// A file shared: no content or content type of its own, an [`AttachmentItem`].
    Attachment,
}

impl ItemType {
    pub(super) const fn as_str(self) -> &'static str {
        match self {
            ItemType::Message => "MESSAGE",
            ItemType::Event => "EVENT",
            ItemType::Attachment => "ATTACHMENT",
        }
    }
}

/// What one participant acknowledged of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Receipt {
    /// The participant (index) that received or read the message.
    pub(super) recipient: usize,
    pub(super) delivered: Option<String>,
    pub(super) read: Option<String>,
}

/// The file an `ATTACHMENT` item shares (the model's `AttachmentItem`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AttachmentItem {
    pub(super) content_type: String,
    pub(super) attachment_id: String,
    pub(super) attachment_name: String,
    /// `APPROVED`, `REJECTED` or `IN_PROGRESS`.
    pub(super) status: &'static str,
}

impl AttachmentItem {
    fn kept_bytes(&self) -> usize {
        self.content_type.len()
            + self.attachment_id.len()
            + self.attachment_name.len()
            + self.status.len()
    }
}

/// One transcript item.
#[derive(Debug)]
pub(super) struct Item {
    pub(super) seq: u64,
    pub(super) id: String,
    pub(super) time: SystemTime,
    pub(super) absolute_time: String,
    pub(super) kind: ItemType,
    pub(super) content_type: String,
    pub(super) content: Option<String>,
    /// The participant (index) that sent it; `None` for the chat's own events.
    pub(super) sender: Option<usize>,
    pub(super) receipts: Vec<Receipt>,
    /// The file of an `ATTACHMENT` item.
    pub(super) attachment: Option<AttachmentItem>,
    /// A streamed (chunked) message's completed whole: written with
    /// `MessageMetadata.MessageCompleted`, as it was pushed. Only the WebSocket side
    /// streams, so without it this stays `false`.
    pub(super) completed: bool,
    /// (sender, client token, [`fingerprint`] of its content type and content) of a
    /// message sent with a client token: forgotten with the item.
    ///
    /// [`fingerprint`]: super::protocol::fingerprint
    client_token: Option<MessageKey>,
    /// Where a rehydrated item came from, in a persistent chat: `None` for the chat's own.
    pub(super) past: Option<Box<Past>>,
}

impl Item {
    /// The bytes of its strings, as counted against the emulator's `max_kept_bytes`: its
    /// `Id` (twice: the index by id holds a copy), time, content type, content, client token
    /// (twice, likewise) and receipt times.
    pub(super) fn kept_bytes(&self) -> usize {
        2 * self.id.len()
            + self.absolute_time.len()
            + self.content_type.len()
            + self.content.as_ref().map_or(0, String::len)
            + self
                .client_token
                .as_ref()
                .map_or(0, |(_, t, _)| 2 * t.len())
            + self
                .attachment
                .as_ref()
                .map_or(0, AttachmentItem::kept_bytes)
            + self.past.as_ref().map_or(0, |p| p.kept_bytes())
            + self
                .receipts
                .iter()
                .map(|r| {
                    r.delivered.as_ref().map_or(0, String::len)
                        + r.read.as_ref().map_or(0, String::len)
                })
                .sum::<usize>()
    }
}

/// One chat: its participants and its transcript. Not `Debug`: its participants hold
/// their tokens.
pub(super) struct Chat {
    pub(super) contact_id: String,
    /// The customer ([`CUSTOMER`]), the agent ([`AGENT`]), then any added, at most
    /// [`MAX_PARTICIPANTS`]; an index is a participant for the chat's life.
    pub(super) participants: Vec<Participant>,
    /// Whether new items are pushed to the chat's WebSockets (the emulator's
    /// `set_pushes`).
    #[cfg(feature = "websocket")]
    pub(super) pushes: bool,
    /// The newest items, oldest first; `items[i].seq == first_seq + i`.
    pub(super) items: VecDeque<Item>,
    next_seq: u64,
    by_id: HashMap<String, u64>,
    by_client_token: HashMap<MessageKey, u64>,
    pub(super) ended: bool,
    /// When it ended, as a count of the chats ended before it (0 while on): the most
    /// recently ended chat of a chain has the highest.
    pub(super) ended_order: u64,
    /// The past contact a persistent chat continues (its `ContinuedFromContactId`).
    pub(super) continued_from: Option<String>,
    /// Ties this chat's NextTokens to it.
    nonce: String,
    /// The sum of its items' [`Item::kept_bytes`].
    bytes: usize,
}

impl Chat {
    /// Whether the service takes read and delivered receipts in this chat: "Message
    /// receipts are not supported when there are more than two active participants in the
    /// chat" (those that have not left).
    pub(super) fn takes_receipts(&self) -> bool {
        self.participants
            .iter()
            .filter(|p| p.left.is_none())
            .count()
            <= 2
    }

    pub(super) fn first_seq(&self) -> u64 {
        self.next_seq - self.items.len() as u64
    }

    /// The item with this sequence number, if kept.
    fn index_of_seq(&self, seq: u64) -> Option<usize> {
        let i = usize::try_from(seq.checked_sub(self.first_seq())?).ok()?;
        (i < self.items.len()).then_some(i)
    }

    /// The item with this `Id`, if kept.
    #[cfg(feature = "websocket")]
    pub(super) fn item_by_id(&self, id: &str) -> Option<&Item> {
        let seq = *self.by_id.get(id)?;
        self.items.get(self.index_of_seq(seq)?)
    }

    pub(super) fn item_by_id_mut(&mut self, id: &str) -> Option<&mut Item> {
        let seq = *self.by_id.get(id)?;
        let i = self.index_of_seq(seq)?;
        self.items.get_mut(i)
    }

    /// Forgets the oldest item, with its id and client token; `false` if none is kept.
    fn forget_oldest_item(&mut self) -> bool {
        let Some(old) = self.items.pop_front() else {
            return false;
        };
        self.bytes -= old.kept_bytes();
        self.by_id.remove(&old.id);
        if let Some(key) = old.client_token {
            self.by_client_token.remove(&key);
        }
        true
    }

    /// The message this participant sent with this client token, content type and
    /// content, if kept: what a retry of it is answered.
    pub(super) fn message_by_client_token(
        &self,
        sender: usize,
        token: &str,
        content_type: &str,
        content: &str,
    ) -> Option<&Item> {
        let print = fingerprint((content_type, Some(content)));
        let seq = *self
            .by_client_token
            .get(&(sender, token.to_owned(), print))?;
        self.items
            .get(self.index_of_seq(seq)?)
            .filter(|i| i.content_type == content_type && i.content.as_deref() == Some(content))
    }

    /// Appends an item at `time`, forgetting the oldest beyond `max_items`; returns it.
    #[allow(clippy::too_many_arguments)] // One item's members, named at each call.
    pub(super) fn push(
        &mut self,
        time: SystemTime,
        kind: ItemType,
        content_type: &str,
        content: Option<String>,
        sender: Option<usize>,
        client_token: Option<String>,
        max_items: usize,
    ) -> &Item {
        while self.items.len() >= max_items.max(1) && self.forget_oldest_item() {}
        // Kept to the millisecond, as written: a StartPosition.AbsoluteTime echoed back then
        // names this very item.
        let timestamp = crate::Timestamp::from_system_time(time);
        let time = timestamp.to_system_time().unwrap_or(time);
        let seq = self.next_seq;
        self.next_seq += 1;
        let id = new_uuid();
        let print = fingerprint((content_type, content.as_deref()));
        let client_token = sender.zip(client_token).map(|(s, t)| (s, t, print));
        if let Some(key) = &client_token {
            self.by_client_token.insert(key.clone(), seq);
        }
        self.by_id.insert(id.clone(), seq);
        self.items.push_back(Item {
            seq,
            id,
            time,
            absolute_time: timestamp.as_str().to_owned(),
            kind,
            content_type: content_type.to_owned(),
            content,
            sender,
            receipts: Vec::new(),
            attachment: None,
            completed: false,
            client_token,
            past: None,
        });
        let last = self.items.len() - 1;
        self.bytes += self.items[last].kept_bytes();
        &self.items[last]
    }

    /// The NextToken that resumes a scan at sequence number `seq`.
    fn next_token(&self, direction: Direction, seq: u64) -> String {
        let d = match direction {
            Direction::Forward => 'f',
            Direction::Backward => 'b',
        };
        format!("{}.{d}.{seq}", self.nonce)
    }

    /// Reads one of this chat's NextTokens: (direction, sequence number).
    pub(super) fn parse_next_token(&self, token: &str) -> Option<(Direction, u64)> {
        let mut parts = token.split('.');
        let (Some(nonce), Some(d), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        if nonce != self.nonce || seq.starts_with('+') {
            return None;
        }
        let direction = match d {
            "f" => Direction::Forward,
            "b" => Direction::Backward,
            _ => return None,
        };
        Some((direction, seq.parse().ok()?))
    }
}

/// A participant with fresh ids and tokens.
fn new_participant(role: &str, display_name: &str) -> Participant {
    Participant {
        id: new_uuid(),
        display_name: display_name.to_owned(),
        role: role.to_owned(),
        token: new_token(PARTICIPANT_TOKEN_BYTES),
        connection_tokens: VecDeque::new(),
        left: None,
        #[cfg(feature = "websocket")]
        told_rehydrated: false,
    }
}

/// Why a token gets no service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Denied;

/// What a connection token was issued for.
#[derive(Debug, Clone)]
struct Connection {
    contact_id: String,
    who: usize,
    expiry: SystemTime,
}

/// The bounds and settings of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ChatLimits {
    pub(super) max_chats: usize,
    pub(super) max_items_per_chat: usize,
    pub(super) connection_token_lifetime: Duration,
}

/// Every chat, its tokens, and the clock. Not `Debug`: it holds every token.
pub(super) struct Chats {
    pub(super) limits: ChatLimits,
    pub(super) clock: Clock,
    chats: HashMap<String, Chat>,
    /// Contact ids, oldest chat first: the order chats are forgotten in.
    order: VecDeque<String>,
    participant_tokens: HashMap<String, (String, usize)>,
    connection_tokens: HashMap<String, Connection>,
    /// The sum of every chat's item bytes ([`Item::kept_bytes`]).
    bytes: usize,
    /// Chats forgotten since [`take_forgotten`](Self::take_forgotten) last took them,
    /// whose sockets are to be closed.
    forgotten: Vec<String>,
    /// How many chats have ended, for [`Chat::ended_order`].
    ends: u64,
}

/// What [`Chats::start_chat`] made. Not `Debug`: it holds the participant token
/// ([`StartedChat`](super::StartedChat), made from it, redacts it).
pub(super) struct Started {
    pub(super) contact_id: String,
    pub(super) participant_token: String,
    pub(super) customer_id: String,
    pub(super) agent_id: String,
    /// The past contact it continues, for a persistent chat.
    pub(super) continued_from: Option<String>,
}

impl Chats {
    pub(super) fn new(limits: ChatLimits) -> Chats {
        Chats {
            limits,
            clock: Clock::new(),
            chats: HashMap::new(),
            order: VecDeque::new(),
            participant_tokens: HashMap::new(),
            connection_tokens: HashMap::new(),
            bytes: 0,
            forgotten: Vec::new(),
            ends: 0,
        }
    }

    /// The chats forgotten since the last call, to close their sockets.
    pub(super) fn take_forgotten(&mut self) -> Vec<String> {
        std::mem::take(&mut self.forgotten)
    }

    /// The bytes of every kept item's strings, as [`Item::kept_bytes`] counts them.
    pub(super) fn kept_bytes(&self) -> usize {
        self.bytes
    }

    /// [`kept_bytes`](Self::kept_bytes) counted afresh, to check the running count.
    #[cfg(test)]
    pub(super) fn recount(&self) -> usize {
        let items = self.chats.values().flat_map(|c| c.items.iter());
        items.map(Item::kept_bytes).sum()
    }

    /// Forgets the oldest chat other than `keep`, its transcript and its tokens; `false` if
    /// there is none.
    pub(super) fn forget_oldest_chat_except(&mut self, keep: Option<&str>) -> bool {
        let Some(at) = self.order.iter().position(|c| Some(c.as_str()) != keep) else {
            return false;
        };
        if let Some(oldest) = self.order.remove(at) {
            self.forget(&oldest);
        }
        true
    }

    /// Forgets a chat's oldest item if it keeps more than one; `false` otherwise.
    pub(super) fn forget_oldest_item(&mut self, contact_id: &str) -> bool {
        let Some(chat) = self.chats.get_mut(contact_id) else {
            return false;
        };
        if chat.items.len() <= 1 {
            return false;
        }
        let before = chat.bytes;
        chat.forget_oldest_item();
        self.bytes -= before - chat.bytes;
        true
    }

    /// Notes a receipt from participant `who` on the message `message_id` of a chat, if the
    /// transcript holds it: the first delivery and the first reading are what it records.
    pub(super) fn attach_receipt(
        &mut self,
        contact_id: &str,
        message_id: &str,
        who: usize,
        read: bool,
        at: &str,
    ) {
        let Some(chat) = self.chats.get_mut(contact_id) else {
            return;
        };
        let Some(item) = chat.item_by_id_mut(message_id) else {
            return;
        };
        let receipt = match item.receipts.iter_mut().position(|r| r.recipient == who) {
            Some(i) => &mut item.receipts[i],
            None => {
                item.receipts.push(Receipt {
                    recipient: who,
                    delivered: None,
                    read: None,
                });
                let last = item.receipts.len() - 1;
                &mut item.receipts[last]
            }
        };
        let slot = if read {
            &mut receipt.read
        } else {
            &mut receipt.delivered
        };
        if slot.is_none() {
            *slot = Some(at.to_owned());
            chat.bytes += at.len();
            self.bytes += at.len();
        }
    }

    pub(super) fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// Starts a chat (as StartChatContact would), forgetting the oldest chat, its
    /// transcript and its tokens, if `max_chats` are kept.
    pub(super) fn start_chat(&mut self) -> Started {
        self.start_chat_with(None, Vec::new())
    }

    /// [`start_chat`](Self::start_chat), the chat continuing `continued_from` (a persistent
    /// chat) and its transcript starting with `past`, copies of that contact's items.
    fn start_chat_with(&mut self, continued_from: Option<String>, past: Vec<Item>) -> Started {
        while self.chats.len() >= self.limits.max_chats.max(1)
            && self.forget_oldest_chat_except(None)
        {}
        let participant = |role: &str, display_name: &str| new_participant(role, display_name);
        let mut nonce = [0u8; 8];
        random_bytes(&mut nonce);
        let mut chat = Chat {
            contact_id: new_uuid(),
            participants: vec![
                participant("CUSTOMER", "Customer"),
                participant("AGENT", "Agent"),
            ],
            #[cfg(feature = "websocket")]
            pushes: true,
            items: VecDeque::new(),
            next_seq: 0,
            by_id: HashMap::new(),
            by_client_token: HashMap::new(),
            ended: false,
            ended_order: 0,
            continued_from,
            nonce: nonce.iter().map(|b| format!("{b:02x}")).collect(),
            bytes: 0,
        };
        let max = self.limits.max_items_per_chat;
        for item in past {
            chat.push_past(item, max);
        }
        let now = self.now();
        for who in [CUSTOMER, AGENT] {
            chat.push(now, ItemType::Event, JOINED, None, Some(who), None, max);
        }
        let started = Started {
            contact_id: chat.contact_id.clone(),
            participant_token: chat.participants[CUSTOMER].token.clone(),
            customer_id: chat.participants[CUSTOMER].id.clone(),
            agent_id: chat.participants[AGENT].id.clone(),
            continued_from: chat.continued_from.clone(),
        };
        for (who, p) in chat.participants.iter().enumerate() {
            self.participant_tokens
                .insert(p.token.clone(), (chat.contact_id.clone(), who));
        }
        self.order.push_back(chat.contact_id.clone());
        self.bytes += chat.bytes;
        self.chats.insert(chat.contact_id.clone(), chat);
        started
    }

    #[cfg(feature = "websocket")]
    /// Adds a participant to a chat (with no `participant.joined` item: the caller adds
    /// it): its index and participant token; `None` for an unknown contact or a chat that
    /// holds [`MAX_PARTICIPANTS`] already.
    pub(super) fn add_participant(
        &mut self,
        contact_id: &str,
        role: &str,
        display_name: &str,
    ) -> Option<(usize, String)> {
        let chat = self.chats.get_mut(contact_id)?;
        if chat.participants.len() >= MAX_PARTICIPANTS {
            return None;
        }
        let p = new_participant(role, display_name);
        let token = p.token.clone();
        chat.participants.push(p);
        let who = chat.participants.len() - 1;
        self.participant_tokens
            .insert(token.clone(), (contact_id.to_owned(), who));
        Some((who, token))
    }

    /// Forgets a chat and every token of it.
    fn forget(&mut self, contact_id: &str) {
        let Some(chat) = self.chats.remove(contact_id) else {
            return;
        };
        self.forgotten.push(chat.contact_id.clone());
        self.bytes -= chat.bytes;
        for p in &chat.participants {
            self.participant_tokens.remove(&p.token);
            for t in &p.connection_tokens {
                self.connection_tokens.remove(t);
            }
        }
    }

    pub(super) fn chat(&self, contact_id: &str) -> Option<&Chat> {
        self.chats.get(contact_id)
    }

    pub(super) fn chat_mut(&mut self, contact_id: &str) -> Option<&mut Chat> {
        self.chats.get_mut(contact_id)
    }

    /// The live participant a participant token belongs to: (contact id, participant).
    pub(super) fn by_participant_token(&self, token: &str) -> Result<(String, usize), Denied> {
        let (contact_id, who) = self.participant_tokens.get(token).ok_or(Denied)?;
        let chat = self.chats.get(contact_id).ok_or(Denied)?;
        if chat.ended || chat.participants[*who].left.is_some() {
            return Err(Denied);
        }
        Ok((contact_id.clone(), *who))
    }

    /// Whom an unexpired connection token was issued to: (contact id, participant). Whether
    /// the chat is still on and the participant still in it is the caller's to check.
    pub(super) fn by_connection_token(&self, token: &str) -> Result<(String, usize), Denied> {
        let c = self.connection_tokens.get(token).ok_or(Denied)?;
        if self.now() >= c.expiry || !self.chats.contains_key(&c.contact_id) {
            return Err(Denied);
        }
        Ok((c.contact_id.clone(), c.who))
    }

    /// Issues a connection token for a participant: (token, expiry). Its expired tokens,
    /// and its oldest beyond [`TOKENS_PER_PARTICIPANT`], are forgotten.
    pub(super) fn issue(&mut self, contact_id: &str, who: usize) -> Option<(String, SystemTime)> {
        let now = self.now();
        let expiry = later(now, self.limits.connection_token_lifetime);
        let token = new_token(CONNECTION_TOKEN_BYTES);
        let chat = self.chats.get_mut(contact_id)?;
        let mine = &mut chat.participants.get_mut(who)?.connection_tokens;
        let map = &mut self.connection_tokens;
        mine.retain(|t| match map.get(t) {
            Some(c) if c.expiry > now => true,
            _ => {
                map.remove(t);
                false
            }
        });
        while mine.len() >= TOKENS_PER_PARTICIPANT {
            if let Some(old) = mine.pop_front() {
                map.remove(&old);
            }
        }
        mine.push_back(token.clone());
        map.insert(
            token.clone(),
            Connection {
                contact_id: contact_id.to_owned(),
                who,
                expiry,
            },
        );
        Some((token, expiry))
    }

    /// Forgets a connection token: later calls with it are refused. Whether it was held.
    pub(super) fn revoke(&mut self, token: &str) -> bool {
        self.connection_tokens.remove(token).is_some()
    }

    /// Adds an item to a chat, at the clock's time.
    #[allow(clippy::too_many_arguments)] // One item's members, named at each call.
    pub(super) fn push(
        &mut self,
        contact_id: &str,
        kind: ItemType,
        content_type: &str,
        content: Option<String>,
        sender: Option<usize>,
        client_token: Option<String>,
    ) -> Option<&Item> {
        let now = self.now();
        let max = self.limits.max_items_per_chat;
        let chat = self.chats.get_mut(contact_id)?;
        let before = chat.bytes;
        chat.push(now, kind, content_type, content, sender, client_token, max);
        self.bytes = self.bytes - before + chat.bytes;
        chat.items.back()
    }

    /// Adds an `ATTACHMENT` item from participant `who` to a chat, at the clock's time.
    pub(super) fn push_attachment(
        &mut self,
        contact_id: &str,
        who: usize,
        attachment: AttachmentItem,
    ) -> Option<&Item> {
        let now = self.now();
        let max = self.limits.max_items_per_chat;
        let chat = self.chats.get_mut(contact_id)?;
        let before = chat.bytes;
        chat.push(now, ItemType::Attachment, "", None, Some(who), None, max);
        let item = chat.items.back_mut()?;
        chat.bytes += attachment.kept_bytes();
        item.attachment = Some(attachment);
        self.bytes = self.bytes - before + chat.bytes;
        chat.items.back()
    }

    /// Ends a chat with a `chat.ended` event; `false` for an unknown contact. Ending an
    /// ended chat changes nothing.
    pub(super) fn end(&mut self, contact_id: &str) -> bool {
        let now = self.now();
        let max = self.limits.max_items_per_chat;
        let Some(chat) = self.chats.get_mut(contact_id) else {
            return false;
        };
        if !chat.ended {
            let before = chat.bytes;
            chat.push(now, ItemType::Event, ENDED, None, None, None, max);
            self.bytes = self.bytes - before + chat.bytes;
            chat.ended = true;
            self.ends += 1;
            chat.ended_order = self.ends;
        }
        true
    }
}

mod clock;
mod past;
mod scan;
#[cfg(test)]
use clock::latest;
pub(super) use clock::{Clock, later};
pub(super) use past::{Past, RehydrationError};
#[cfg(test)]
use scan::Page;
pub(super) use scan::{Direction, Start};

#[cfg(test)]
mod tests;
