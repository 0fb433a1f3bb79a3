//! The JSON the operations share: bodies written member by member in the SDKs' order,
//! answers read leniently (`null` is absent, unknown members are ignored or kept, only a
//! member of the wrong type is an error) and moved out without copying a string.

use serde_json::{Map, Value};

use crate::time::Timestamp;

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

    /// A number, whole or not (a latitude, say).
    pub(crate) fn number(&mut self, name: &str) -> Result<Option<f64>, BadAnswer> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(_) => Err(BadAnswer::member(&self.path_of(name), "a number")),
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

    /// The members not read so far, as they are.
    pub(crate) fn into_map(self) -> Map<String, Value> {
        self.map
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
        // Not `any`: without the early exit, the check is vectorized.
        if value
            .bytes()
            .fold(false, |found, b| found | needs_escape(b))
        {
            // Writing a &str into a Vec cannot fail; serde_json escapes every character.
            let _ = serde_json::to_writer(&mut self.out, value);
        } else {
            // What serde_json writes for it, without its per-byte escaping machinery (most
            // values: UUIDs, content types, plain chat lines).
            self.out.push(b'"');
            self.out.extend_from_slice(value.as_bytes());
            self.out.push(b'"');
        }
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

    pub(crate) fn opt_i64(mut self, name: &str, value: Option<i64>) -> JsonObject {
        if let Some(v) = value {
            self.key(name);
            self.out.extend_from_slice(v.to_string().as_bytes());
        }
        self
    }

    /// Any JSON value, written compact.
    pub(crate) fn value(mut self, name: &str, value: &Value) -> JsonObject {
        self.key(name);
        // Writing a Value into a Vec cannot fail: its keys are strings.
        let _ = serde_json::to_writer(&mut self.out, value);
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

/// Does JSON need this byte escaped inside a string: a quote, a backslash or a control
/// character (the bytes serde_json escapes; every other byte, UTF-8 included, goes as is)?
fn needs_escape(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut cases: Vec<String> = (0u8..0x80)
            .map(|b| format!("a{}z", char::from(b)))
            .collect();
        cases.extend(
            ["", "plain", "é ✓ 😀", "\u{7f}", "tab\tend", "q\"", "back\\"].map(String::from),
        );
        for value in cases {
            let ours = JsonObject::new().string("K", &value).finish();
            let theirs = format!(r#"{{"K":{}}}"#, serde_json::to_string(&value).unwrap());
            assert_eq!(String::from_utf8(ours).unwrap(), theirs, "{value:?}");
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
