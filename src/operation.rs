//! One operation of the service as a pure description: what it checks, where it goes, the
//! body it sends and how it reads the answer. The client runs every operation through the
//! same attempt loop; nothing here does IO.

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::time::Timestamp;

/// Which token an operation carries in `X-Amz-Bearer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BearerKind {
    /// The participant token from StartChatContact: CreateParticipantConnection only.
    Participant,
    /// The connection token from CreateParticipantConnection: every other operation.
    Connection,
}

/// The operations this crate sends, to index what the client prepares once per operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OperationId {
    SendEvent = 0,
    SendMessage,
    CreateParticipantConnection,
    DisconnectParticipant,
    GetTranscript,
    StartAttachmentUpload,
    CompleteAttachmentUpload,
    GetAttachment,
    DescribeView,
    GetAuthenticationUrl,
    CancelParticipantAuthentication,
}

impl OperationId {
    pub(crate) const ALL: [OperationId; 11] = [
        OperationId::SendEvent,
        OperationId::SendMessage,
        OperationId::CreateParticipantConnection,
        OperationId::DisconnectParticipant,
        OperationId::GetTranscript,
        OperationId::StartAttachmentUpload,
        OperationId::CompleteAttachmentUpload,
        OperationId::GetAttachment,
        OperationId::DescribeView,
        OperationId::GetAuthenticationUrl,
        OperationId::CancelParticipantAuthentication,
    ];

    /// The request path; DescribeView's is this prefix and its token
    /// ([`Operation::path`]).
    pub(crate) const fn path(self) -> &'static str {
        match self {
            OperationId::SendEvent => "/participant/event",
            OperationId::SendMessage => "/participant/message",
            OperationId::CreateParticipantConnection => "/participant/connection",
            OperationId::DisconnectParticipant => "/participant/disconnect",
            OperationId::GetTranscript => "/participant/transcript",
            OperationId::StartAttachmentUpload => "/participant/start-attachment-upload",
            OperationId::CompleteAttachmentUpload => "/participant/complete-attachment-upload",
            OperationId::GetAttachment => "/participant/attachment",
            OperationId::DescribeView => "/participant/views/",
            OperationId::GetAuthenticationUrl => "/participant/authentication-url",
            OperationId::CancelParticipantAuthentication => "/participant/cancel-authentication",
        }
    }

    /// `GET` for DescribeView (no body, no `Content-Type`), `POST` with a JSON body for
    /// every other operation.
    pub(crate) const fn is_get(self) -> bool {
        matches!(self, OperationId::DescribeView)
    }

    pub(crate) const fn bearer(self) -> BearerKind {
        match self {
            OperationId::CreateParticipantConnection => BearerKind::Participant,
            _ => BearerKind::Connection,
        }
    }
}

/// The most response body bytes read for every operation but GetTranscript (whose cap is
/// [`MAX_TRANSCRIPT_ANSWER`](crate::MAX_TRANSCRIPT_ANSWER)). Their documented answers are
/// under a few KiB; anything far larger is not the service, and must not make the client
/// allocate without bound.
pub const MAX_RESPONSE_BODY: u64 = 1024 * 1024;

/// One operation: a pure description the client runs.
pub(crate) trait Operation {
    /// What a success gives.
    type Output;

    /// Which operation this is.
    const ID: OperationId;

    /// The most answer body bytes the client reads: enough for the largest legal answer.
    const MAX_ANSWER: u64 = MAX_RESPONSE_BODY;

    /// Checks every member against the service's documented limits; nothing is sent when
    /// this fails.
    fn validate(&self) -> Result<()>;

    /// The JSON body. `client_token` is a fresh UUID v4, for the operations whose
    /// idempotency token is filled in when the caller gave none (others ignore it).
    fn body(&self, client_token: &str) -> Vec<u8>;

    /// The request path when it depends on the input (a URI label), percent-encoded;
    /// `None` for the operation's fixed path.
    fn path(&self) -> Option<String> {
        None
    }

    /// Reads a success answer's members (an empty body reads as no members).
    fn parse(answer: Members) -> Result<Self::Output, BadAnswer>;

    /// A sentence that says what an error of this kind usually means for this operation
    /// and this input, added to the error's message.
    fn hint(&self, kind: ErrorKind) -> Option<&'static str> {
        default_hint(Self::ID, kind)
    }
}

/// What an `AccessDeniedException` usually means, by the token the operation carries.
pub(crate) fn default_hint(id: OperationId, kind: ErrorKind) -> Option<&'static str> {
    match (kind, id.bearer()) {
        (ErrorKind::AccessDenied, BearerKind::Connection) => Some(CONNECTION_DENIED),
        (ErrorKind::AccessDenied, BearerKind::Participant) => Some(PARTICIPANT_DENIED),
        _ => None,
    }
}

/// The usual causes of a 403 to an operation that carries the connection token.
pub(crate) const CONNECTION_DENIED: &str = "usual causes: the connection token expired or is \
     unknown, the chat ended or this participant left it, the endpoint's region is not the \
     Amazon Connect instance's, or a participant token was given for a connection token";

/// The usual causes of a 403 to CreateParticipantConnection.
pub(crate) const PARTICIPANT_DENIED: &str = "usual causes: the participant token is unknown, \
     the chat ended or this participant left it, the endpoint's region is not the Amazon \
     Connect instance's, or a connection token was given for the participant token";

/// Why an answer could not be read: a member of the wrong type, said in a few words.
#[derive(Debug)]
pub(crate) struct BadAnswer(pub(crate) String);

impl BadAnswer {
    fn member(path: &str, expected: &str) -> BadAnswer {
        BadAnswer(format!("member {path} is not {expected}"))
    }
}

/// A JSON object of the answer, read leniently: `null` is an absent member, unknown
/// members are ignored (or kept, where a type keeps them), and only a member of the wrong
/// JSON type is an error. Reading a member moves it out, so that no string is copied.
pub(crate) struct Members {
    map: Map<String, Value>,
    /// Where this object stands in the answer (`Transcript[3].MessageMetadata`), for errors.
    path: String,
}

impl Members {
    pub(crate) fn root(map: Map<String, Value>) -> Members {
        Members {
            map,
            path: String::new(),
        }
    }

    /// An answer with no members at all (an empty body).
    pub(crate) fn empty() -> Members {
        Members::root(Map::new())
    }

    fn path_of(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        self.map.remove(name).filter(|v| !v.is_null())
    }

    pub(crate) fn string(&mut self, name: &str) -> Result<Option<String>, BadAnswer> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(BadAnswer::member(&self.path_of(name), "a string")),
        }
    }

    pub(crate) fn boolean(&mut self, name: &str) -> Result<Option<bool>, BadAnswer> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(BadAnswer::member(&self.path_of(name), "a boolean")),
        }
    }

    /// A whole number from 0 to `u64::MAX`.
    pub(crate) fn count(&mut self, name: &str) -> Result<Option<u64>, BadAnswer> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
            Some(_) => Err(BadAnswer::member(
                &self.path_of(name),
                "a whole number from 0 to 2^64 - 1",
            )),
        }
    }

    /// A whole number that fits an `i64`.
    pub(crate) fn integer(&mut self, name: &str) -> Result<Option<i64>, BadAnswer> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
            Some(_) => Err(BadAnswer::member(&self.path_of(name), "a whole number")),
        }
    }

    /// A list of strings; `null` elements are skipped.
    pub(crate) fn strings(&mut self, name: &str) -> Result<Vec<String>, BadAnswer> {
        match self.take(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .filter(|(_, v)| !v.is_null())
                .map(|(i, v)| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(BadAnswer(format!(
                        "member {}[{i}] is not a string",
                        self.path_of(name)
                    ))),
                })
                .collect(),
            Some(_) => Err(BadAnswer::member(&self.path_of(name), "a list")),
        }
    }

    /// A map of strings to strings, by name in alphabetical order (`null` values skipped).
    pub(crate) fn string_map(&mut self, name: &str) -> Result<Vec<(String, String)>, BadAnswer> {
        match self.take(name) {
            None => Ok(Vec::new()),
            Some(Value::Object(map)) => map
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k, s)),
                    _ => Err(BadAnswer(format!(
                        "member {}.{k} is not a string",
                        self.path_of(name)
                    ))),
                })
                .collect(),
            Some(_) => Err(BadAnswer::member(&self.path_of(name), "an object")),
        }
    }

    pub(crate) fn time(&mut self, name: &str) -> Result<Option<Timestamp>, BadAnswer> {
        Ok(self.string(name)?.map(Timestamp::from_service))
    }

    pub(crate) fn object(&mut self, name: &str) -> Result<Option<Members>, BadAnswer> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Members {
                map,
                path: self.path_of(name),
            })),
            Some(_) => Err(BadAnswer::member(&self.path_of(name), "an object")),
        }
    }

    /// Reads each object of a list member with `read`; an absent list is empty, `null`
    /// elements are skipped.
    pub(crate) fn list<T>(
        &mut self,
        name: &str,
        mut read: impl FnMut(Members) -> Result<T, BadAnswer>,
    ) -> Result<Vec<T>, BadAnswer> {
        match self.take(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .filter(|(_, v)| !v.is_null())
                .map(|(i, value)| {
                    let path = format!("{}[{i}]", self.path_of(name));
                    match value {
                        Value::Object(map) => read(Members { map, path }),
                        _ => Err(BadAnswer(format!("member {path} is not an object"))),
                    }
                })
                .collect(),
            Some(_) => Err(BadAnswer::member(&self.path_of(name), "a list")),
        }
    }

    /// The members not read so far (`null` ones left out), as compact JSON text, in
    /// alphabetical order.
    pub(crate) fn others(self) -> Vec<(String, String)> {
        self.map
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k, v.to_string()))
            .collect()
    }
}

/// A compact JSON object written member by member, in the order given: the official SDKs
/// write top-level members in alphabetical order, and so do the callers of this type.
/// Absent members are left out, never written as `null`.
pub(crate) struct JsonObject {
    out: Vec<u8>,
}

impl JsonObject {
    pub(crate) fn new() -> JsonObject {
        let mut out = Vec::with_capacity(256);
        out.push(b'{');
        JsonObject { out }
    }

    fn key(&mut self, name: &str) {
        if self.out.len() > 1 {
            self.out.push(b',');
        }
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    pub(crate) fn string(mut self, name: &str, value: &str) -> JsonObject {
        self.key(name);
        // Writing a &str into a Vec cannot fail; serde_json escapes every character.
        let _ = serde_json::to_writer(&mut self.out, value);
        self
    }

    pub(crate) fn opt_string(self, name: &str, value: Option<&str>) -> JsonObject {
        match value {
            Some(v) => self.string(name, v),
            None => self,
        }
    }

    pub(crate) fn opt_u64(mut self, name: &str, value: Option<u64>) -> JsonObject {
        if let Some(v) = value {
            self.key(name);
            self.out.extend_from_slice(v.to_string().as_bytes());
        }
        self
    }

    pub(crate) fn opt_bool(mut self, name: &str, value: Option<bool>) -> JsonObject {
        if let Some(v) = value {
            self.key(name);
            self.out
                .extend_from_slice(if v { b"true" } else { b"false" });
        }
        self
    }

    pub(crate) fn opt_strings<'v>(
        mut self,
        name: &str,
        values: Option<impl IntoIterator<Item = &'v str>>,
    ) -> JsonObject {
        if let Some(values) = values {
            self.key(name);
            self.out.push(b'[');
            for (i, v) in values.into_iter().enumerate() {
                if i > 0 {
                    self.out.push(b',');
                }
                let _ = serde_json::to_writer(&mut self.out, v);
            }
            self.out.push(b']');
        }
        self
    }

    pub(crate) fn opt_object(mut self, name: &str, value: Option<JsonObject>) -> JsonObject {
        if let Some(v) = value {
            self.key(name);
            self.out.extend_from_slice(&v.finish());
        }
        self
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.out.push(b'}');
        self.out
    }
}

/// The `ClientToken` to send: the caller's, or else the one generated for this call.
pub(crate) fn client_token<'a>(given: &'a Option<String>, generated: &'a str) -> &'a str {
    given.as_deref().unwrap_or(generated)
}

/// Checks that `value` has `min..=max` characters (Unicode scalar values, as the service's
/// model counts them).
pub(crate) fn check_chars(field: &'static str, value: &str, min: usize, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(Error::length(field, n, min, max));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_indexes_its_own_slot() {
        // The client keeps one URI per operation at the index of its discriminant.
        for (i, op) in OperationId::ALL.iter().enumerate() {
            assert_eq!(*op as usize, i, "{op:?}");
        }
    }

    #[test]
    fn json_object_writes_members_in_order_and_escapes() {
        let inner = JsonObject::new()
            .opt_string("Id", Some("i"))
            .opt_u64("N", Some(0));
        let body = JsonObject::new()
            .string("A", "q\"\\\u{1}é")
            .opt_string("Absent", None)
            .opt_bool("B", Some(true))
            .opt_strings("L", Some(["x", "y"]))
            .opt_strings("E", Some(std::iter::empty()))
            .opt_object("O", Some(inner))
            .opt_object("Empty", Some(JsonObject::new()))
            .finish();
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"A":"q\"\\\u0001é","B":true,"L":["x","y"],"E":[],"O":{"Id":"i","N":0},"Empty":{}}"#
        );
        assert_eq!(JsonObject::new().finish(), b"{}");
    }

    #[test]
    fn members_read_nulls_as_absent_and_name_the_bad_member() {
        let Value::Object(map) = serde_json::from_str(
            r#"{"S":"s","N":null,"I":5,"O":{"X":1},"L":[{"Y":"y"},null,{"Y":2}],"M":[7],"Odd":"o"}"#,
        )
        .unwrap() else {
            unreachable!()
        };
        let mut m = Members::root(map);
        assert_eq!(m.string("S").unwrap().as_deref(), Some("s"));
        assert_eq!(m.string("N").unwrap(), None);
        assert_eq!(m.string("Missing").unwrap(), None);
        assert_eq!(m.string("I").unwrap_err().0, "member I is not a string");
        let mut o = m.object("O").unwrap().unwrap();
        assert_eq!(o.string("X").unwrap_err().0, "member O.X is not a string");
        let e = m.list("L", |mut e| e.string("Y")).unwrap_err();
        assert_eq!(e.0, "member L[2].Y is not a string");
        let e = m.list("M", |mut e| e.string("Y")).unwrap_err();
        assert_eq!(e.0, "member M[0] is not an object");
        assert_eq!(m.others(), vec![("Odd".to_owned(), "\"o\"".to_owned())]);
        assert!(Members::empty().string("S").unwrap().is_none());
    }
}
