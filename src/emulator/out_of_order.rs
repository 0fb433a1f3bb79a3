//! Several agent messages whose WebSocket frames go out in another order than their
//! `AbsoluteTime`s, for the Rust API ([`Emulator::agent_says_out_of_order`]) and the
//! control path (`POST /emulator/chats/{ContactId}/messages` with `Messages` and `Order`).
//!
//! The service does not promise its pushes come in time order (ChatJS: "messages received
//! over websocket are not guaranteed to be in order"); a client that orders what it shows
//! needs a server that breaks the order on demand, while the transcript keeps time order.

use std::io;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::chat::{AGENT, ItemType};
use super::control::{AgentError, check_message, control_error, live_chat};
use super::http::Reply;
use super::protocol::{ok, serialization, validation};
use super::service::{NewItem, Service};
use super::{Emulator, agent_error};

/// The most messages said out of order at once: enough for any ordering test, few enough
/// that one call holds the chat's lock briefly and moves the clock at most 99 ms.
pub(super) const MAX_OUT_OF_ORDER: usize = 100;

/// Why `order` does not push each of `n` messages exactly once.
fn check_order(n: usize, order: &[usize]) -> Result<(), AgentError> {
    if n == 0 || n > MAX_OUT_OF_ORDER {
        return Err(AgentError::Invalid(format!(
            "Messages must hold 1 to {MAX_OUT_OF_ORDER} messages, not {n}"
        )));
    }
    let not_a_permutation = |why: String| {
        AgentError::Invalid(format!(
            "Order must list each index of Messages (0 to {}) exactly once: {why}",
            n - 1
        ))
    };
    if order.len() != n {
        return Err(not_a_permutation(format!(
            "it has {} entries for {n} messages",
            order.len()
        )));
    }
    let mut seen = vec![false; n];
    for &i in order {
        match seen.get_mut(i) {
            None => return Err(not_a_permutation(format!("{i} is out of range"))),
            Some(true) => return Err(not_a_permutation(format!("{i} is listed twice"))),
            Some(s) => *s = true,
        }
    }
    Ok(())
}

impl Service {
    /// The agent says `messages` (content, content type) in this order, each 1 ms after
    /// the one before, so that their `AbsoluteTime`s strictly ascend; their frames go to
    /// the chat's sockets in `order` (indices into `messages`). (Id, AbsoluteTime) of each,
    /// in time order. All or nothing: a refused message or order says nothing.
    pub(super) fn agent_says_out_of_order(
        &self,
        contact_id: &str,
        messages: &[(&str, &str)],
        order: &[usize],
    ) -> Result<Vec<(String, String)>, AgentError> {
        check_order(messages.len(), order)?;
        for (i, (content, content_type)) in messages.iter().enumerate() {
            check_message(content, content_type).map_err(|e| match e {
                AgentError::Invalid(why) => AgentError::Invalid(format!("Messages[{i}]: {why}")),
                other => other,
            })?;
        }
        let mut state = self.lock();
        live_chat(&state, contact_id)?;
        let mut landed = Vec::with_capacity(messages.len());
        for (i, (content, content_type)) in messages.iter().enumerate() {
            if i > 0 {
                // The transcript keeps milliseconds: one apart, each has its own time.
                state.chats.clock.advance(Duration::from_millis(1));
            }
            let item = NewItem::Item {
                kind: ItemType::Message,
                content_type,
                content: Some((*content).to_owned()),
                sender: Some(AGENT),
                client_token: None,
            };
            let said = state
                .add_item(contact_id, item)
                .ok_or(AgentError::UnknownContact)?;
            landed.push(said);
        }
        for &i in order {
            state.push_item(contact_id, &landed[i].id);
        }
        state.keep_within(self.settings.max_kept_bytes, Some(contact_id));
        Ok(landed
            .into_iter()
            .map(|l| (l.id, l.absolute_time))
            .collect())
    }

    /// `POST /emulator/chats/{ContactId}/messages` with
    /// `{"Messages":[{"Content":…,"ContentType":…},…],"Order":[…]}`:
    /// `{"Messages":[{"AbsoluteTime":…,"Id":…},…]}`, in time order.
    pub(super) fn control_out_of_order(
        &self,
        map: &Map<String, Value>,
        contact_id: &str,
    ) -> Result<Reply, Reply> {
        if map.contains_key("Content") || map.contains_key("ContentType") {
            return Err(validation(
                "with Messages, each message has its own Content and ContentType",
            ));
        }
        let messages = messages(map.get("Messages"))?;
        let order = order(map.get("Order"))?;
        let borrowed: Vec<(&str, &str)> = messages
            .iter()
            .map(|(c, t)| (c.as_str(), t.as_str()))
            .collect();
        let said = self
            .agent_says_out_of_order(contact_id, &borrowed, &order)
            .map_err(|e| control_error(contact_id, e))?;
        let said: Vec<Value> = said
            .into_iter()
            .map(|(id, time)| json!({ "AbsoluteTime": time, "Id": id }))
            .collect();
        Ok(ok(&json!({ "Messages": said })))
    }
}

/// `Messages`: a list of at most [`MAX_OUT_OF_ORDER`] objects with a string `Content` and
/// `ContentType` each.
fn messages(value: Option<&Value>) -> Result<Vec<(String, String)>, Reply> {
    let shape = r#"a list of {"Content":…,"ContentType":…}"#;
    let Some(Value::Array(list)) = value else {
        return Err(serialization(format!("Messages must be {shape}")));
    };
    if list.len() > MAX_OUT_OF_ORDER {
        // Refused before any element is read.
        return Err(validation(format!(
            "Messages must hold 1 to {MAX_OUT_OF_ORDER} messages, not {}",
            list.len()
        )));
    }
    list.iter()
        .enumerate()
        .map(|(i, m)| {
            let member = |name: &str| m.get(name).and_then(Value::as_str).map(str::to_owned);
            match (member("Content"), member("ContentType")) {
                (Some(content), Some(content_type)) => Ok((content, content_type)),
                _ => Err(serialization(format!(
                    "Messages[{i}] must be an object with a string Content and ContentType"
                ))),
            }
        })
        .collect()
}

/// `Order`: a list of whole numbers (indices into `Messages`); whether it is a permutation
/// is checked with the messages.
fn order(value: Option<&Value>) -> Result<Vec<usize>, Reply> {
    let wrong = || {
        serialization(
            "Order must be a list of indices into Messages, in the order their frames are \
             pushed (as [2,1,0])",
        )
    };
    let Some(Value::Array(list)) = value else {
        return Err(wrong());
    };
    if list.len() > MAX_OUT_OF_ORDER {
        return Err(validation(format!(
            "Order must have as many entries as Messages, at most {MAX_OUT_OF_ORDER}"
        )));
    }
    list.iter()
        .map(|v| {
            v.as_u64()
                .map(|i| usize::try_from(i).unwrap_or(usize::MAX))
                .ok_or_else(wrong)
        })
        .collect()
}

impl Emulator {
    /// The agent says several messages at once, their `AbsoluteTime`s ascending in the
    /// order given (1 ms apart: the emulator's clock moves that much ahead per message
    /// after the first), but the chat's WebSockets receive their frames in `order`
    /// (indices into `messages`, each exactly once): what a client that orders items
    /// itself must cope with. GetTranscript lists them in time order. `messages` are
    /// (content, content type) pairs, as [`agent_says`](Self::agent_says) takes them.
    /// Returns their `Id`s in time order. Also on the control path:
    /// `POST /emulator/chats/{ContactId}/messages` with
    /// `{"Messages":[{"Content":…,"ContentType":…},…],"Order":[2,1,0]}`.
    ///
    /// ```
    /// use connect_participant::emulator::Emulator;
    ///
    /// let emulator = Emulator::start()?;
    /// let chat = emulator.start_chat();
    /// let said = [("one", "text/plain"), ("two", "text/plain"), ("three", "text/plain")];
    /// // Pushed three, two, one; said (and listed by GetTranscript) one, two, three.
    /// let ids = emulator.agent_says_out_of_order(&chat.contact_id, &said, &[2, 1, 0])?;
    /// assert_eq!(ids.len(), 3);
    /// let twice = emulator.agent_says_out_of_order(&chat.contact_id, &said, &[0, 0, 1]);
    /// assert_eq!(twice.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] for a contact the emulator does not hold;
    /// [`io::ErrorKind::InvalidInput`] (and nothing is said) if the chat has ended, for no
    /// message or more than 100, an `order` that does not list each index exactly once,
    /// or a message [`agent_says`](Self::agent_says) would refuse.
    pub fn agent_says_out_of_order(
        &self,
        contact_id: &str,
        messages: &[(&str, &str)],
        order: &[usize],
    ) -> io::Result<Vec<String>> {
        self.app
            .service
            .agent_says_out_of_order(contact_id, messages, order)
            .map(|said| said.into_iter().map(|(id, _)| id).collect())
            .map_err(|e| agent_error(contact_id, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_must_push_each_message_exactly_once() {
        let why = |n: usize, order: &[usize]| match check_order(n, order) {
            Ok(()) => String::new(),
            Err(AgentError::Invalid(m)) => m,
            Err(other) => panic!("{other:?}"),
        };
        assert_eq!(why(3, &[2, 1, 0]), "");
        assert_eq!(why(1, &[0]), "");
        assert_eq!(why(3, &[0, 1, 2]), "");
        let all: Vec<usize> = (0..MAX_OUT_OF_ORDER).rev().collect();
        assert_eq!(why(MAX_OUT_OF_ORDER, &all), "");
        let cases: [(usize, &[usize], &str); 7] = [
            (0, &[], "Messages must hold 1 to 100 messages, not 0"),
            (101, &[], "Messages must hold 1 to 100 messages, not 101"),
            (
                3,
                &[0, 1],
                "Order must list each index of Messages (0 to 2) exactly once: it has 2 entries for 3 messages",
            ),
            (
                3,
                &[0, 1, 2, 0],
                "Order must list each index of Messages (0 to 2) exactly once: it has 4 entries for 3 messages",
            ),
            (
                3,
                &[0, 3, 1],
                "Order must list each index of Messages (0 to 2) exactly once: 3 is out of range",
            ),
            (
                3,
                &[1, 1, 0],
                "Order must list each index of Messages (0 to 2) exactly once: 1 is listed twice",
            ),
            (
                2,
                &[usize::MAX, 0],
                "Order must list each index of Messages (0 to 1) exactly once: 18446744073709551615 is out of range",
            ),
        ];
        for (n, order, message) in cases {
            assert_eq!(why(n, order), message, "{n} {order:?}");
        }
    }
}
