//! DescribeView: the view a ShowView block sent, by its token. The only GET.

use std::fmt;

use crate::error::Result;
use crate::json::{BadAnswer, Members};
use crate::operation::{Method, Operation, check_chars};
use crate::token::ConnectionToken;

const MAX_VIEW_TOKEN_CHARS: usize = 1000;

/// DescribeView's input: the view token from an interactive `ViewResource` message
/// (`data.content.viewToken`).
///
/// ```
/// use connect_participant::DescribeViewRequest;
///
/// let r = DescribeViewRequest::new("a+b/c=");
/// assert!(r.validate().is_ok());
/// // One path segment: every reserved character is escaped.
/// assert_eq!(r.path(), "/participant/views/a%2Bb%2Fc%3D");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeViewRequest {
    view_token: String,
}

impl DescribeViewRequest {
    /// `ViewToken`.
    pub fn new(view_token: impl Into<String>) -> DescribeViewRequest {
        DescribeViewRequest {
            view_token: view_token.into(),
        }
    }

    /// `ViewToken`.
    pub fn view_token(&self) -> &str {
        &self.view_token
    }

    /// The request path: the token percent-encoded as one path segment, every character
    /// but ASCII letters, digits and `-._~` escaped (what the Rust SDK escapes).
    pub fn path(&self) -> String {
        let mut path = String::from("/participant/views/");
        for b in self.view_token.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                path.push(char::from(b));
            } else {
                path.push_str(&format!("%{b:02X}"));
            }
        }
        path
    }

    /// Checks the token: 1 to 1000 characters.
    pub fn validate(&self) -> Result<()> {
        check_chars("ViewToken", &self.view_token, 1, MAX_VIEW_TOKEN_CHARS)
    }
}

impl Operation for DescribeViewRequest {
    type Output = DescribeViewOutput;
    type Token = ConnectionToken;
    const NAME: &'static str = "DescribeView";
    const PATH: &'static str = "/participant/views/";
    const METHOD: Method = Method::Get;

    fn validate(&self) -> Result<()> {
        DescribeViewRequest::validate(self)
    }

    /// A GET: no body.
    fn body(&self, _: &str) -> Vec<u8> {
        Vec::new()
    }

    fn path(&self) -> Option<String> {
        Some(DescribeViewRequest::path(self))
    }

    fn parse(mut m: Members) -> Result<DescribeViewOutput, BadAnswer> {
        let view = match m.object("View")? {
            Some(mut v) => Some(View {
                id: v.string("Id")?,
                arn: v.string("Arn")?,
                name: v.string("Name")?,
                version: v.integer("Version")?,
                content: match v.object("Content")? {
                    Some(mut c) => Some(ViewContent {
                        input_schema: c.string("InputSchema")?,
                        template: c.string("Template")?,
                        actions: c.strings("Actions")?,
                    }),
                    None => None,
                },
            }),
            None => None,
        };
        Ok(DescribeViewOutput { view })
    }
}

/// The service's answer to DescribeView.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DescribeViewOutput {
    /// `View`.
    pub view: Option<View>,
}

/// A view: a form or page the contact flow shows. `Name` and the content are sensitive in
/// the service's model, so `Debug` leaves them out.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct View {
    /// `Id`.
    pub id: Option<String>,
    /// `Arn`.
    pub arn: Option<String>,
    /// `Name` (sensitive).
    pub name: Option<String>,
    /// `Version`.
    pub version: Option<i64>,
    /// `Content` (sensitive).
    pub content: Option<ViewContent>,
}

/// A view's content: all of it sensitive in the service's model.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ViewContent {
    /// `InputSchema`: the JSON schema of the view's input.
    pub input_schema: Option<String>,
    /// `Template`: the view's template (JSON).
    pub template: Option<String>,
    /// `Actions`: the actions the view may take.
    pub actions: Vec<String>,
}

impl fmt::Debug for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("View")
            .field("id", &self.id)
            .field("arn", &self.arn)
            .field("name", &self.name.as_ref().map(|_| "[redacted]"))
            .field("version", &self.version)
            .field("content", &self.content)
            .finish()
    }
}

impl fmt::Debug for ViewContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ViewContent([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_one_path_segment() {
        let all = " /:,?#[]{}|@!$&'()*+;=%<>\"^`\\é";
        let path = DescribeViewRequest::new(format!("aZ9-._~{all}")).path();
        assert_eq!(
            path,
            "/participant/views/aZ9-._~%20%2F%3A%2C%3F%23%5B%5D%7B%7D%7C%40%21%24%26%27%28%29\
             %2A%2B%3B%3D%25%3C%3E%22%5E%60%5C%C3%A9"
        );
        assert_eq!(
            DescribeViewRequest::new("")
                .validate()
                .unwrap_err()
                .to_string(),
            "invalid ViewToken: 0 characters, must be 1 to 1000"
        );
    }

    #[test]
    fn the_view_is_read_and_its_sensitive_members_hidden() {
        let body = r#"{"View":{"Arn":"arn:v","Content":{"Actions":["Submit","Cancel"],"InputSchema":"{}","Template":"{\"Head\":\"secret form\"}"},"Id":"v1","Name":"Secret name","Version":3}}"#;
        let map = match serde_json::from_str(body).unwrap() {
            serde_json::Value::Object(m) => m,
            _ => unreachable!(),
        };
        let out = DescribeViewRequest::parse(Members::root(map)).unwrap();
        let view = out.view.clone().unwrap();
        assert_eq!(view.version, Some(3));
        assert_eq!(view.content.as_ref().unwrap().actions, ["Submit", "Cancel"]);
        let shown = format!("{out:?}");
        assert!(
            !shown.contains("Secret") && !shown.contains("secret") && !shown.contains("Submit")
        );
        assert_eq!(
            shown,
            "DescribeViewOutput { view: Some(View { id: Some(\"v1\"), arn: Some(\"arn:v\"), \
             name: Some(\"[redacted]\"), version: Some(3), content: Some(ViewContent([redacted])) }) }"
        );
    }
}
