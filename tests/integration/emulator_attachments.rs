//! The emulator's attachment, view and sign-in operations over raw HTTP, and their helpers.
//!
//! The client's own methods for these operations are tested elsewhere; here every byte
//! sent is the test's choice.

mod complete_and_get;
mod cors;
mod upload;
mod views_and_auth;

use connect_participant::emulator::{Emulator, StartedChat};
use serde_json::{Value, json};

use crate::support::raw::{Answer, connect, op, send};

const INITIATED: &str = "application/vnd.amazonaws.connect.event.authentication.initiated";
const CANCELLED: &str = "application/vnd.amazonaws.connect.event.authentication.cancelled";

/// What these tests check of an answer beyond what the chat tests do.
trait Expect {
    fn assert_error(&self, status: u16, error_type: &str) -> String;
    fn assert_s3_error(&self, status: u16, code: &str, message: &str);
}

impl Expect for Answer {
    /// Asserts a restJson1 error of this status and type, with a request id.
    fn assert_error(&self, status: u16, error_type: &str) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.header("x-amzn-errortype"), Some(error_type));
        assert_eq!(self.header("x-amzn-requestid").map(str::len), Some(36));
        self.json()["message"].as_str().unwrap().to_owned()
    }

    /// Asserts an S3-style XML error of this status and code.
    fn assert_s3_error(&self, status: u16, code: &str, message: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.header("content-type"), Some("application/xml"));
        let text = self.text();
        assert!(
            text.contains(&format!("<Error><Code>{code}</Code><Message>")),
            "{text}"
        );
        assert!(text.contains(message), "{text}");
        assert!(text.ends_with("</Message></Error>"), "{text}");
    }
}

/// A new chat and its customer's connection token.
fn customer(emulator: &Emulator) -> (StartedChat, String) {
    let chat = emulator.start_chat();
    let token = connect(emulator, &chat.participant_token);
    (chat, token)
}

/// The whole transcript, oldest first, as the customer reads it.
fn transcript(emulator: &Emulator, token: &str) -> Vec<Value> {
    let a = op(
        emulator,
        "transcript",
        token,
        &json!({"MaxResults": 100, "SortOrder": "ASCENDING"}),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()["Transcript"].as_array().unwrap().clone()
}

/// StartAttachmentUpload's answer for a file.
fn start(emulator: &Emulator, token: &str, name: &str, size: usize, client_token: &str) -> Answer {
    op(
        emulator,
        "start-attachment-upload",
        token,
        &json!({
            "AttachmentName": name,
            "AttachmentSizeInBytes": size,
            "ClientToken": client_token,
            "ContentType": "text/plain",
        }),
    )
}

/// A started upload: its id, URL path and headers to include.
struct Started {
    id: String,
    path: String,
    headers: Vec<(String, String)>,
}

fn started(emulator: &Emulator, token: &str, name: &str, size: usize) -> Started {
    let a = start(emulator, token, name, size, &format!("ct-{name}-{size}"));
    assert_eq!(a.status, 200, "{}", a.text());
    let answer = a.json();
    let url = answer["UploadMetadata"]["Url"].as_str().unwrap();
    let path = url
        .strip_prefix(&format!("http://{}", emulator.addr()))
        .unwrap()
        .to_owned();
    let headers = answer["UploadMetadata"]["HeadersToInclude"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    Started {
        id: answer["AttachmentId"].as_str().unwrap().to_owned(),
        path,
        headers,
    }
}

impl Started {
    /// The headers to include, with `extra` added and `without` left out.
    fn headers<'a>(
        &'a self,
        without: &str,
        extra: &[(&'a str, &'a str)],
    ) -> Vec<(&'a str, &'a str)> {
        let mut h: Vec<(&str, &str)> = self
            .headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case(without))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        h.extend_from_slice(extra);
        h
    }

    fn put(&self, emulator: &Emulator, body: &[u8]) -> Answer {
        send(
            emulator.addr(),
            "PUT",
            &self.path,
            &self.headers("", &[]),
            body,
        )
    }
}

fn complete(emulator: &Emulator, token: &str, id: &str, client_token: &str) -> Answer {
    op(
        emulator,
        "complete-attachment-upload",
        token,
        &json!({"AttachmentIds": [id], "ClientToken": client_token}),
    )
}

/// A chat's customer with an attachment uploaded and completed: (token, id, bytes).
fn completed(emulator: &Emulator, name: &str, bytes: &[u8]) -> (StartedChat, String, String) {
    let (chat, token) = customer(emulator);
    let up = started(emulator, &token, name, bytes.len());
    assert_eq!(up.put(emulator, bytes).status, 200);
    let a = complete(emulator, &token, &up.id, "done-1");
    assert_eq!(a.status, 200, "{}", a.text());
    (chat, token, up.id)
}

fn get_attachment(emulator: &Emulator, token: &str, body: &Value) -> Answer {
    op(emulator, "attachment", token, body)
}

/// A GET of a URL's path, with these headers.
fn get(emulator: &Emulator, url: &str, headers: &[(&str, &str)]) -> Answer {
    let path = url
        .strip_prefix(&format!("http://{}", emulator.addr()))
        .unwrap();
    send(emulator.addr(), "GET", path, headers, b"")
}
