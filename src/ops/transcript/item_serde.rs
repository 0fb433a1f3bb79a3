//! An item in the service's own JSON shape, both ways: what GetTranscript returns and the
//! WebSocket sends, so that files written with it are read by `jq` and every other tool.
//! Written by hand for `serde`, without the derive: the member names and order are the
//! service's, absent members and empty lists are left out, and unknown members go back
//! out as they came in.

use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use super::{AttachmentItem, Item, MessageMetadata, Receipt};
use crate::error::{Error, Result};
use crate::json::Members;
use crate::time::Timestamp;

impl Item {
    /// The item as one line of compact JSON, in the service's shape: its members in the
    /// API model's order (`AbsoluteTime`, `Content`, `ContentType`, `Id`, `Type`,
    /// `ParticipantId`, `DisplayName`, `ParticipantRole`, `Attachments`, `MessageMetadata`,
    /// `RelatedContactId`, `ContactId`), then the members this crate does not know, as the
    /// service sent them. Absent members and empty lists are left out; a time keeps its
    /// exact text. [`Item::from_json`] reads it back to an equal item.
    ///
    /// ```
    /// use connect_participant::Item;
    ///
    /// let line = r#"{"AbsoluteTime":"2019-11-08T02:41:28.172Z","Content":"Hi","Id":"m-1","Type":"MESSAGE","Later":[1]}"#;
    /// let item = Item::from_json(line)?;
    /// assert_eq!(item.content.as_deref(), Some("Hi"));
    /// assert_eq!(item.to_json(), line);
    /// # Ok::<(), connect_participant::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        // Writing to a String cannot fail, and every value here is a string, a number, a
        // boolean or JSON that was read.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads one item in the service's JSON shape (a GetTranscript `Transcript` element, a
    /// WebSocket frame's `content`, a line [`to_json`](Item::to_json) wrote). As answers are
    /// read: `null` is absent, unknown members are kept, only a member of the wrong type is
    /// an error. Fails with [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)
    /// when `json` is not a JSON object or a member has the wrong type.
    pub fn from_json(json: &str) -> Result<Item> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| Error::invalid_input("item", format_args!("not JSON ({e})")))?;
        Item::from_value(value).map_err(|why| Error::invalid_input("item", format_args!("{why}")))
    }

    fn from_value(value: Value) -> std::result::Result<Item, String> {
        match value {
            Value::Object(map) => Item::read(Members::root(map)).map_err(|bad| bad.0),
            _ => Err("not a JSON object".to_owned()),
        }
    }
}

impl Serialize for Item {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        time(&mut map, "AbsoluteTime", self.absolute_time.as_ref())?;
        string(&mut map, "Content", self.content.as_deref())?;
        string(&mut map, "ContentType", self.content_type.as_deref())?;
        string(&mut map, "Id", self.id.as_deref())?;
        string(
            &mut map,
            "Type",
            self.item_type.as_ref().map(|t| t.as_str()),
        )?;
        string(&mut map, "ParticipantId", self.participant_id.as_deref())?;
        string(&mut map, "DisplayName", self.display_name.as_deref())?;
        let role = self.participant_role.as_ref().map(|r| r.as_str());
        string(&mut map, "ParticipantRole", role)?;
        if !self.attachments.is_empty() {
            map.serialize_entry("Attachments", &self.attachments)?;
        }
        if let Some(m) = &self.message_metadata {
            map.serialize_entry("MessageMetadata", m)?;
        }
        string(
            &mut map,
            "RelatedContactId",
            self.related_contact_id.as_deref(),
        )?;
        string(&mut map, "ContactId", self.contact_id.as_deref())?;
        for (name, raw) in &self.unknown_members {
            // Kept as compact JSON when read; anything else (set by hand) goes out as a
            // string, so that only JSON is ever written.
            let value =
                serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::from(raw.as_str()));
            map.serialize_entry(name, &value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Item, D::Error> {
        Item::from_value(Value::deserialize(d)?).map_err(D::Error::custom)
    }
}

impl Serialize for AttachmentItem {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        string(&mut map, "ContentType", self.content_type.as_deref())?;
        string(&mut map, "AttachmentId", self.attachment_id.as_deref())?;
        string(&mut map, "AttachmentName", self.attachment_name.as_deref())?;
        string(&mut map, "Status", self.status.as_ref().map(|s| s.as_str()))?;
        map.end()
    }
}

impl Serialize for MessageMetadata {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        string(&mut map, "MessageId", self.message_id.as_deref())?;
        if !self.receipts.is_empty() {
            map.serialize_entry("Receipts", &self.receipts)?;
        }
        let status = self.message_processing_status.as_ref().map(|s| s.as_str());
        string(&mut map, "MessageProcessingStatus", status)?;
        // Not in the service's model, so after its members: a streamed bot message's
        // chunks (ChatJS reads them).
        if let Some(done) = self.message_completed {
            map.serialize_entry("MessageCompleted", &done)?;
        }
        if let Some(n) = self.chunk_number {
            map.serialize_entry("ChunkNumber", &n)?;
        }
        map.end()
    }
}

impl Serialize for Receipt {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        time(
            &mut map,
            "DeliveredTimestamp",
            self.delivered_timestamp.as_ref(),
        )?;
        time(&mut map, "ReadTimestamp", self.read_timestamp.as_ref())?;
        let recipient = self.recipient_participant_id.as_deref();
        string(&mut map, "RecipientParticipantId", recipient)?;
        map.end()
    }
}

fn string<M: SerializeMap>(
    map: &mut M,
    name: &str,
    value: Option<&str>,
) -> std::result::Result<(), M::Error> {
    match value {
        Some(v) => map.serialize_entry(name, v),
        None => Ok(()),
    }
}

fn time<M: SerializeMap>(
    map: &mut M,
    name: &str,
    value: Option<&Timestamp>,
) -> std::result::Result<(), M::Error> {
    string(map, name, value.map(Timestamp::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{"AbsoluteTime":"2019-11-08T02:41:28.1Z","Content":"a\"b\u0001","ContentType":"text/plain","Id":"i","Type":"ATTACHMENT","ParticipantId":"p","DisplayName":"d","ParticipantRole":"CUSTOMER","Attachments":[{"ContentType":"image/png","AttachmentId":"a","AttachmentName":"n","Status":"APPROVED"}],"MessageMetadata":{"MessageId":"m","Receipts":[{"DeliveredTimestamp":"t1","ReadTimestamp":"t2","RecipientParticipantId":"r"}],"MessageProcessingStatus":"PROCESSING","MessageCompleted":false,"ChunkNumber":2},"RelatedContactId":"rc","ContactId":"c","Zeta":[1,{"a":null}]}"#;

    #[test]
    fn an_item_goes_out_in_the_services_shape_and_comes_back_equal() {
        let item = Item::from_json(FULL).unwrap();
        assert_eq!(item.to_json(), FULL);
        assert_eq!(Item::from_json(&item.to_json()).unwrap(), item);
        let via_serde: Item = serde_json::from_str(FULL).unwrap();
        assert_eq!(via_serde, item);
    }

    #[test]
    fn absent_members_null_and_empty_lists_are_left_out() {
        assert_eq!(Item::default().to_json(), "{}");
        let item =
            Item::from_json(r#"{"Id":null,"Attachments":[],"MessageMetadata":{"Receipts":[]}}"#)
                .unwrap();
        assert_eq!(item.to_json(), r#"{"MessageMetadata":{}}"#);
    }

    #[test]
    fn an_unknown_member_set_by_hand_that_is_not_json_goes_out_as_a_string() {
        let item = Item {
            unknown_members: vec![
                ("X".into(), "not json".into()),
                ("Y".into(), "{\"b\":1}".into()),
            ],
            ..Item::default()
        };
        assert_eq!(item.to_json(), r#"{"X":"not json","Y":{"b":1}}"#);
    }

    #[test]
    fn what_is_not_an_item_is_refused_with_what_was_wrong() {
        let e = Item::from_json("[1]").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("not a JSON object"), "{e}");
        let e = Item::from_json(r#"{"Content":7}"#).unwrap_err();
        assert!(
            e.to_string().contains("member Content is not a string"),
            "{e}"
        );
        let e = Item::from_json("{\"Content\":").unwrap_err();
        assert!(e.to_string().contains("not JSON"), "{e}");
        assert!(serde_json::from_str::<Item>("3").is_err());
    }
}
