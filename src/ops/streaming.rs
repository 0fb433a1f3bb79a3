//! Items from Amazon Connect message streaming: a bridge that called StartContactStreaming
//! (`ChatStreamingConfiguration.StreamingEndpointArn`, an SNS topic) receives each chat
//! item as an SNS notification instead of a WebSocket frame. Reading it into the same
//! [`Item`] (and, with the `websocket` feature, the same [`Event`](crate::Event)s) lets one
//! program handle both paths with one type.
//!
//! The payload is described in the Amazon Connect Administrator Guide, "Amazon SNS payload
//! used in message streaming":
//! <https://docs.aws.amazon.com/connect/latest/adminguide/sns-payload.html>. Pure: no IO,
//! and a SubscriptionConfirmation's `SubscribeURL` is never visited.

use serde_json::{Map, Value};

use super::open_enum;
use super::transcript::{Item, ParticipantRole};
use crate::error::{Error, Result};
use crate::json::Members;
use crate::redact::quoted;

/// The largest payload [`StreamingMessage::parse`] reads, in bytes: 256 KiB, the most an
/// SNS message (its body and attributes) may hold. A chat item is far smaller (its
/// `Content` is at most 16 KiB, so under 120 KiB even with every character escaped twice,
/// once in the item and once in the notification's `Message` string), so anything larger
/// is refused before it is parsed rather than held in memory.
pub const MAX_STREAMING_PAYLOAD: usize = 256 * 1024;

/// The `Type`s SNS gives its HTTP(S) messages; only a `Notification` carries an item.
const SNS_TYPES: [&str; 3] = [
    "Notification",
    "SubscriptionConfirmation",
    "UnsubscribeConfirmation",
];

/// [`Error::field`] of the error for an SNS message that is not a `Notification` (a
/// `SubscriptionConfirmation`, say): there is no item to read, and the caller answers it
/// itself.
const SNS_TYPE: &str = "SNS Type";
const PAYLOAD: &str = "streaming payload";
const ENVELOPE: &str = "SNS notification";
const BODY: &str = "SNS Message";

open_enum! {
    /// Who a streamed item is meant for (the SNS message attribute `MessageVisibility`).
    /// A bridge forwards an item to the customer only when it is `CUSTOMER` or `ALL`, and
    /// to the agent only when it is `AGENT` or `ALL`: see
    /// [`StreamingMessage::forwards_to_customer`].
    ///
    /// ```
    /// use connect_participant::MessageVisibility;
    ///
    /// assert_eq!(MessageVisibility::from("ALL"), MessageVisibility::All);
    /// let later = MessageVisibility::from("SUPERVISOR");
    /// assert_eq!(later, MessageVisibility::Unknown("SUPERVISOR".into()));
    /// assert_eq!(later.as_str(), "SUPERVISOR");
    /// ```
    MessageVisibility {
        /// `CUSTOMER`: for the customer only.
        Customer = "CUSTOMER",
        /// `AGENT`: for the agent only.
        Agent = "AGENT",
        /// `ALL`: for everyone in the chat.
        All = "ALL",
    }
}

/// One chat item received through Amazon Connect message streaming, read from the SNS
/// notification (what an HTTPS subscription receives, what an SQS subscription without raw
/// delivery holds, a Lambda record's `Sns` object) or from its bare `Message` body (raw
/// delivery).
///
/// ```
/// use connect_participant::{MessageVisibility, StreamingMessage};
///
/// // Abridged from the example of the Amazon Connect Administrator Guide,
/// // https://docs.aws.amazon.com/connect/latest/adminguide/sns-payload.html
/// let notification = r#"{
///   "Type" : "Notification",
///   "MessageId" : "ccccccccc-cccc-cccc-cccc-ccccccccccccc",
///   "TopicArn" : "arn:aws:sns:us-west-2:009969138378:connector-svc-test",
///   "Message" :  "{\"AbsoluteTime\":\"2021-09-08T13:28:24.656Z\",\"Content\":\"help\",\"ContentType\":\"text/plain\",\"Id\":\"333333333-be0d-4a44-889d-d2a86fc06f0c\",\"Type\":\"MESSAGE\",\"ParticipantId\":\"bbbbbbbb-c562-4d95-b76c-dcbca8b4b5f7\",\"DisplayName\":\"Jane\",\"ParticipantRole\":\"CUSTOMER\",\"InitialContactId\":\"33333333-abc5-46db-9ad5-d772559ab556\",\"ContactId\":\"33333333-abc5-46db-9ad5-d772559ab556\"}",
///   "MessageAttributes" : {
///     "MessageVisibility" : {"Type":"String","Value":"ALL"}
///   }
/// }"#;
/// let streamed = StreamingMessage::parse(notification)?;
/// assert_eq!(streamed.item.content.as_deref(), Some("help"));
/// assert_eq!(streamed.visibility, Some(MessageVisibility::All));
/// assert_eq!(
///     streamed.initial_contact_id.as_deref(),
///     Some("33333333-abc5-46db-9ad5-d772559ab556")
/// );
/// // The customer said it: a bridge forwards it to the agent, not back to the customer.
/// assert!(streamed.forwards_to_agent() && !streamed.forwards_to_customer());
/// # Ok::<(), connect_participant::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamingMessage {
    /// The chat item, as GetTranscript and the WebSocket give it; members this crate does
    /// not know (`InitialContactId` among them) are kept in its
    /// [`unknown_members`](Item::unknown_members).
    pub item: Item,
    /// The `MessageVisibility` message attribute; `None` for a bare `Message` body (raw
    /// delivery does not carry it) or a notification without it.
    pub visibility: Option<MessageVisibility>,
    /// `InitialContactId`: the first contact of the chat, which stays the same across
    /// transfers while `ContactId` changes. From the item, or else from the message
    /// attribute of that name.
    pub initial_contact_id: Option<String>,
    /// The notification's `MessageId`: SNS delivers at least once and keeps this Id when
    /// it retries, so it tells a repeated delivery apart. `None` for a bare `Message`.
    pub notification_id: Option<String>,
}

impl StreamingMessage {
    /// Reads a streamed item from an SNS notification, or from the bare `Message` body
    /// when the subscription uses raw message delivery. An object with a `Message` or
    /// `TopicArn` member, or whose `Type` is one of SNS's, is taken for a notification;
    /// any other object for the bare body. The item is read as GetTranscript's are: `null`
    /// is absent, unknown members are kept, only a member of the wrong type is an error.
    ///
    /// ```
    /// use connect_participant::{ErrorKind, StreamingMessage};
    ///
    /// // Raw message delivery: the body alone.
    /// let bare = r#"{"Content":"hi","ContentType":"text/plain","Type":"MESSAGE","Id":"m-1"}"#;
    /// assert_eq!(StreamingMessage::parse(bare)?.visibility, None);
    ///
    /// // The first POST of an HTTPS subscription is not an item: answer it yourself.
    /// let confirm = r#"{"Type":"SubscriptionConfirmation","TopicArn":"arn:aws:sns:us-east-1:1:t",
    ///     "Message":"You have chosen to subscribe...","SubscribeURL":"https://sns.example/?x"}"#;
    /// let err = StreamingMessage::parse(confirm).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidInput);
    /// assert_eq!(err.field(), Some("SNS Type"));
    /// # Ok::<(), connect_participant::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput), whose
    /// [`field`](Error::field) says where, and whose message names what was wrong (never
    /// the message's content):
    /// - `streaming payload`: more than [`MAX_STREAMING_PAYLOAD`] bytes, not JSON, or not
    ///   a JSON object;
    /// - `SNS Type`: an SNS message other than a `Notification` (a
    ///   `SubscriptionConfirmation` or `UnsubscribeConfirmation`, which carry no item), or
    ///   one without a `Type`;
    /// - `SNS notification`: no `Message`, or a member of the wrong type (`Message` or
    ///   `MessageId` not a string, `MessageAttributes` not an object, an attribute's
    ///   `Value` not a string);
    /// - `SNS Message`: the `Message` (or the bare body) is not a JSON object, or one of its
    ///   members has the wrong type.
    pub fn parse(payload: &str) -> Result<StreamingMessage> {
        if payload.len() > MAX_STREAMING_PAYLOAD {
            return Err(Error::invalid_input(
                PAYLOAD,
                format_args!(
                    "{} bytes, more than the {MAX_STREAMING_PAYLOAD} an SNS message holds",
                    payload.len()
                ),
            ));
        }
        let map = object(payload, PAYLOAD)?;
        if is_notification(&map) {
            from_notification(map)
        } else {
            from_body(map, None, None, None)
        }
    }

    /// Whether a bridge forwards this item to the customer, by the Administrator Guide's
    /// rule: the visibility is `CUSTOMER` or `ALL`, and the customer did not send it.
    /// `false` when the visibility is unknown or absent (a bare body): the item may be
    /// meant for the agent only.
    ///
    /// ```
    /// use connect_participant::StreamingMessage;
    ///
    /// let agent_said = r#"{"Type":"Notification","Message":"{\"ParticipantRole\":\"AGENT\"}",
    ///     "MessageAttributes":{"MessageVisibility":{"Type":"String","Value":"CUSTOMER"}}}"#;
    /// let streamed = StreamingMessage::parse(agent_said)?;
    /// assert!(streamed.forwards_to_customer());
    /// assert!(!streamed.forwards_to_agent());
    /// # Ok::<(), connect_participant::Error>(())
    /// ```
    pub fn forwards_to_customer(&self) -> bool {
        self.forwards(&MessageVisibility::Customer, &ParticipantRole::Customer)
    }

    /// Whether a bridge forwards this item to the agent: the visibility is `AGENT` or
    /// `ALL`, and the agent did not send it. `false` when the visibility is unknown or
    /// absent.
    pub fn forwards_to_agent(&self) -> bool {
        self.forwards(&MessageVisibility::Agent, &ParticipantRole::Agent)
    }

    fn forwards(&self, to: &MessageVisibility, role: &ParticipantRole) -> bool {
        let visible = self
            .visibility
            .as_ref()
            .is_some_and(|v| v == to || *v == MessageVisibility::All);
        visible && self.item.participant_role.as_ref() != Some(role)
    }
}

/// `text` as a JSON object; errors name `field` and how the text fails, never its content.
fn object(text: &str, field: &'static str) -> Result<Map<String, Value>> {
    // serde_json's syntax errors say what and where (line, column), not the text; its
    // nesting limit (128) keeps deep garbage from the stack.
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::invalid_input(field, "not a JSON object")),
        Err(e) => Err(Error::invalid_input(field, format_args!("not JSON ({e})"))),
    }
}

/// Whether an object is SNS's envelope rather than the item: the item has no `Message`
/// or `TopicArn` member, and its `Type` is an item type (`MESSAGE`, `EVENT`, ...).
fn is_notification(map: &Map<String, Value>) -> bool {
    map.contains_key("Message")
        || map.contains_key("TopicArn")
        || map
            .get("Type")
            .and_then(Value::as_str)
            .is_some_and(|t| SNS_TYPES.contains(&t))
}

fn from_notification(map: Map<String, Value>) -> Result<StreamingMessage> {
    let bad = |e: crate::json::BadAnswer| Error::invalid_input(ENVELOPE, e.0);
    let mut m = Members::root(map);
    match m.string("Type").map_err(bad)?.as_deref() {
        Some("Notification") => {}
        Some(other) if SNS_TYPES.contains(&other) => {
            return Err(Error::invalid_input(
                SNS_TYPE,
                format_args!(
                    "an SNS {other}, not a Notification: it carries no chat item (confirm or \
                     drop it yourself, after checking its signature; its URLs are never \
                     visited here)"
                ),
            ));
        }
        Some(other) => {
            return Err(Error::invalid_input(
                SNS_TYPE,
                format_args!("{}, not Notification", quoted(other)),
            ));
        }
        None => return Err(Error::invalid_input(SNS_TYPE, "absent, not Notification")),
    }
    let notification_id = m.string("MessageId").map_err(bad)?;
    let (visibility, attribute_initial) = match m.object("MessageAttributes").map_err(bad)? {
        Some(mut attributes) => (
            attribute(&mut attributes, "MessageVisibility").map_err(bad)?,
            attribute(&mut attributes, "InitialContactId").map_err(bad)?,
        ),
        None => (None, None),
    };
    let Some(message) = m.string("Message").map_err(bad)? else {
        return Err(Error::invalid_input(
            ENVELOPE,
            "no Message: a notification carries the item there",
        ));
    };
    let body = object(&message, BODY)?;
    from_body(
        body,
        visibility.map(MessageVisibility::from),
        attribute_initial,
        notification_id,
    )
}

/// A message attribute's `Value` (`{"Type":"String","Value":"ALL"}`); its `Type` is not
/// checked, as the value is read as text whatever SNS calls it.
fn attribute(
    attributes: &mut Members,
    name: &str,
) -> std::result::Result<Option<String>, crate::json::BadAnswer> {
    match attributes.object(name)? {
        Some(mut a) => a.string("Value"),
        None => Ok(None),
    }
}

fn from_body(
    body: Map<String, Value>,
    visibility: Option<MessageVisibility>,
    attribute_initial: Option<String>,
    notification_id: Option<String>,
) -> Result<StreamingMessage> {
    let initial = match body.get("InitialContactId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(Error::invalid_input(
                BODY,
                "member InitialContactId is not a string",
            ));
        }
    };
    let item = Item::read(Members::root(body)).map_err(|e| Error::invalid_input(BODY, e.0))?;
    Ok(StreamingMessage {
        item,
        visibility,
        initial_contact_id: initial.or(attribute_initial),
        notification_id,
    })
}

#[cfg(test)]
mod tests;
