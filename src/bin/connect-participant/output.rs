//! What the program writes: the human and JSON forms of each answer, error reports, and
//! the shield that scrubs the tokens out of all of it (help is in `help`).
//!
//! JSON follows the AWS CLI: members named and nested as the service names them, absent
//! members left out, in the service's model order. Each object is put together here,
//! compact, with each value encoded by serde_json, so that the keys keep that order (a
//! `serde_json::Map` would sort them); `document` writes it as the AWS CLI prints it
//! (`--output json`), and `watch` prints it as is, one line each.

use std::error::Error as _;
use std::fmt::Write as _;

use connect_participant::__cli::{MAX_SHOWN_CHARS, SecretRuns, printable};
use connect_participant::{
    Connection, CreateParticipantConnectionOutput, DescribeViewOutput, Error, ErrorKind, Event,
    GetAttachmentOutput, GetAuthenticationUrlOutput, Item, SendEventOutput, SendMessageOutput,
    StartAttachmentUploadOutput, Timestamp, View,
};

use crate::args::{CONNECTION_TOKEN_VAR, Name, TokenKind};

mod document;
pub use document::{document, transcript_json};

/// The most characters of a server's text shown on one line of an error report.
const MAX_CAUSE_CHARS: usize = 1024;
/// The most characters of an item's content on a human transcript line.
pub const MAX_HUMAN_CONTENT: usize = 100;
/// The most characters of a display name on a human transcript line.
const MAX_HUMAN_NAME: usize = 64;

/// A token shorter than this is refused only as a whole argument, never looked for inside
/// one or in output: a few characters would match ordinary words and numbers.
pub const MIN_TOKEN_MATCH: usize = 8;

// ---------------------------------------------------------------------------------------
// JSON

/// A JSON object under construction, members in the order they are added, absent ones
/// left out.
#[derive(Default)]
struct Json(String);

impl Json {
    fn member(mut self, name: &str, raw: Option<String>) -> Json {
        if let Some(raw) = raw {
            self.0.push(if self.0.is_empty() { '{' } else { ',' });
            self.0.push_str(&serde_json::Value::from(name).to_string());
            self.0.push(':');
            self.0.push_str(&raw);
        }
        self
    }

    fn string(self, name: &str, value: Option<&str>) -> Json {
        self.member(name, value.map(|v| serde_json::Value::from(v).to_string()))
    }

    fn number(self, name: &str, value: Option<impl std::fmt::Display>) -> Json {
        self.member(name, value.map(|n| n.to_string()))
    }

    fn time(self, name: &str, value: Option<&Timestamp>) -> Json {
        self.string(name, value.map(Timestamp::as_str))
    }

    fn object(self, name: &str, value: Option<Json>) -> Json {
        self.member(name, value.map(Json::finish))
    }

    fn finish(self) -> String {
        if self.0.is_empty() {
            "{}".into()
        } else {
            self.0 + "}"
        }
    }
}

/// SendEvent's answer: `{"Id":...,"AbsoluteTime":...}`.
pub fn event_json(out: &SendEventOutput) -> String {
    Json::default()
        .string("Id", out.id.as_deref())
        .time("AbsoluteTime", out.absolute_time.as_ref())
        .finish()
}

/// SendMessage's answer: `{"Id":...,"AbsoluteTime":...,"MessageMetadata":{...}}`.
pub fn message_json(out: &SendMessageOutput) -> String {
    Json::default()
        .string("Id", out.id.as_deref())
        .time("AbsoluteTime", out.absolute_time.as_ref())
        .object(
            "MessageMetadata",
            out.message_metadata.as_ref().map(|m| {
                Json::default().string(
                    "MessageProcessingStatus",
                    m.message_processing_status.as_ref().map(|s| s.as_str()),
                )
            }),
        )
        .finish()
}

/// CreateParticipantConnection's answer, secrets included: printing them is this
/// command's purpose.
pub fn connection_json(out: &CreateParticipantConnectionOutput) -> String {
    let websocket = out.websocket.as_ref().map(|w| {
        Json::default()
            .string("Url", w.url.as_ref().map(|u| u.expose_secret()))
            .time("ConnectionExpiry", w.connection_expiry.as_ref())
    });
    let credentials = out.connection_credentials.as_ref().map(|c| {
        Json::default()
            .string(
                "ConnectionToken",
                c.connection_token.as_ref().map(|t| t.expose_secret()),
            )
            .time("Expiry", c.expiry.as_ref())
    });
    let webrtc = out.webrtc_connection.as_ref().map(|w| {
        let attendee = w.attendee.as_ref().map(|a| {
            Json::default()
                .string("AttendeeId", a.attendee_id.as_deref())
                .string(
                    "JoinToken",
                    a.join_token.as_ref().map(|t| t.expose_secret()),
                )
        });
        let meeting = w.meeting.as_ref().map(|m| {
            let placement = m.media_placement.as_ref().map(|p| {
                Json::default()
                    .string("AudioHostUrl", p.audio_host_url.as_deref())
                    .string("AudioFallbackUrl", p.audio_fallback_url.as_deref())
                    .string("SignalingUrl", p.signaling_url.as_deref())
                    .string("EventIngestionUrl", p.event_ingestion_url.as_deref())
            });
            let features = m.meeting_features.as_ref().map(|f| {
                Json::default().object(
                    "Audio",
                    f.audio.as_ref().map(|a| {
                        Json::default().string(
                            "EchoReduction",
                            a.echo_reduction.as_ref().map(|e| e.as_str()),
                        )
                    }),
                )
            });
            Json::default()
                .object("MediaPlacement", placement)
                .object("MeetingFeatures", features)
                .string("MeetingId", m.meeting_id.as_deref())
        });
        Json::default()
            .object("Attendee", attendee)
            .object("Meeting", meeting)
    });
    Json::default()
        .object("Websocket", websocket)
        .object("ConnectionCredentials", credentials)
        .object("WebRTCConnection", webrtc)
        .finish()
}

/// upload-attachment's answer: `{"AttachmentId":...,"AttachmentSizeInBytes":n}`, the
/// id CompleteAttachmentUpload took and the bytes sent.
pub fn uploaded_json(attachment_id: &str, size: u64) -> String {
    Json::default()
        .string("AttachmentId", Some(attachment_id))
        .number("AttachmentSizeInBytes", Some(size))
        .finish()
}

/// StartAttachmentUpload's answer, its upload URL included (`--output json` is where it is
/// printed): `{"AttachmentId":...,"UploadMetadata":{"Url":...,"UrlExpiry":...,
/// "HeadersToInclude":{...}}}`, the headers by name.
pub fn upload_started_json(out: &StartAttachmentUploadOutput) -> String {
    let metadata = out.upload_metadata.as_ref().map(|m| {
        let headers = (!m.headers_to_include.is_empty()).then(|| {
            m.headers_to_include
                .iter()
                .fold(Json::default(), |h, (n, v)| h.string(n, Some(v)))
        });
        Json::default()
            .string("Url", m.url.as_ref().map(|u| u.expose_secret()))
            .time("UrlExpiry", m.url_expiry.as_ref())
            .object("HeadersToInclude", headers)
    });
    Json::default()
        .string("AttachmentId", out.attachment_id.as_deref())
        .object("UploadMetadata", metadata)
        .finish()
}

/// GetAttachment's answer, its download URL included: `--output json` is where it is
/// printed.
pub fn attachment_json(out: &GetAttachmentOutput) -> String {
    Json::default()
        .string("Url", out.url.as_ref().map(|u| u.expose_secret()))
        .time("UrlExpiry", out.url_expiry.as_ref())
        .number("AttachmentSizeInBytes", Some(out.attachment_size_in_bytes))
        .finish()
}

/// `get-attachment --output-file --output json`: `{"AttachmentSizeInBytes":n,
/// "OutputFile":...}`, the bytes saved and where.
pub fn saved_json(bytes: u64, path: &str) -> String {
    Json::default()
        .number("AttachmentSizeInBytes", Some(bytes))
        .string("OutputFile", Some(path))
        .finish()
}

/// DescribeView's answer, the view's members as the service names them.
pub fn view_json(out: &DescribeViewOutput) -> String {
    let view = out.view.as_ref().map(|v| {
        let content = v.content.as_ref().map(|c| {
            let actions = (!c.actions.is_empty()).then(|| {
                let quoted: Vec<String> = c
                    .actions
                    .iter()
                    .map(|a| serde_json::Value::from(a.as_str()).to_string())
                    .collect();
                format!("[{}]", quoted.join(","))
            });
            Json::default()
                .string("InputSchema", c.input_schema.as_deref())
                .string("Template", c.template.as_deref())
                .member("Actions", actions)
        });
        Json::default()
            .string("Id", v.id.as_deref())
            .string("Arn", v.arn.as_deref())
            .string("Name", v.name.as_deref())
            .number("Version", v.version)
            .object("Content", content)
    });
    Json::default().object("View", view).finish()
}

/// GetAuthenticationUrl's answer: `{"AuthenticationUrl":...}`.
pub fn authentication_url_json(out: &GetAuthenticationUrlOutput) -> String {
    Json::default()
        .string("AuthenticationUrl", out.authentication_url.as_deref())
        .finish()
}

/// One transcript item, on one line, as the library writes it ([`Item::to_json`]): the
/// service's members in its model order, then the members this crate does not know, as
/// the service sent them.
pub fn item_json(item: &Item) -> String {
    item.to_json()
}

/// One `watch` line: `{"Event":"<name>","Item":{...}}`, the item as [`item_json`] writes
/// it (for a receipt, the whole receipt item), or `{"Event":"chat.ended"}` alone when the
/// chat's end was learnt without an item (a reconnection refused); for a change of the
/// connection, [`connection_line`].
pub fn watch_json(event: &Event) -> String {
    match event {
        Event::Connection(c) => connection_line(c),
        _ => watch_line(event.name(), event.item()),
    }
}

/// A change of the connection: `{"Connection":"established"}`,
/// `{"Connection":"lost","Reason":"heartbeat missed"}`,
/// `{"Connection":"restored","Missed":2,"DownForMs":840}`. (`watch` prints no line for
/// [`Connection::Broken`]: it reports the error instead; given one, this writes
/// `{"Connection":"broken"}`.)
pub fn connection_line(c: &Connection) -> String {
    let line = Json::default().string("Connection", Some(c.name()));
    match c {
        Connection::Lost(lost) => line.string("Reason", Some(&lost.reason.to_string())),
        Connection::Restored(back) => line
            .number("Missed", Some(back.missed))
            .number("DownForMs", Some(back.down_for.as_millis())),
        _ => line,
    }
    .finish()
}

/// [`watch_json`] from the event's name and item.
pub fn watch_line(name: &str, item: Option<&Item>) -> String {
    Json::default()
        .string("Event", Some(name))
        .member("Item", item.map(item_json))
        .finish()
}

// ---------------------------------------------------------------------------------------
// Human output

/// The success line of an event or message: `sent typing: Id <id> at <time>`, leaving out
/// what the service did not answer.
pub fn sent_line(label: &str, id: Option<&str>, time: Option<&Timestamp>) -> String {
    let mut line = format!("sent {label}");
    if let Some(id) = id {
        let _ = write!(line, ": Id {}", printable(id, MAX_CAUSE_CHARS));
    }
    if let Some(t) = time {
        let sep = if id.is_some() { " " } else { ": " };
        let _ = write!(line, "{sep}at {}", printable(t.as_str(), MAX_CAUSE_CHARS));
    }
    line
}

/// upload-attachment's line: `uploaded <name>: AttachmentId <id>, <n> bytes`.
pub fn uploaded_line(name: &str, attachment_id: &str, size: u64) -> String {
    format!(
        "uploaded {}: AttachmentId {}, {size} bytes",
        printable(name, MAX_CAUSE_CHARS),
        printable(attachment_id, MAX_CAUSE_CHARS),
    )
}

/// get-attachment's line without `--output-file`: the size and when the URL expires,
/// not the URL (see [`ATTACHMENT_URL_NOTE`]).
pub fn attachment_line(out: &GetAttachmentOutput) -> String {
    let mut line = format!("attachment of {} bytes", out.attachment_size_in_bytes);
    match (&out.url, &out.url_expiry) {
        (Some(_), Some(t)) => {
            let _ = write!(
                line,
                ": download URL expires {}",
                printable(t.as_str(), MAX_CAUSE_CHARS)
            );
        }
        (Some(_), None) => line.push_str(": download URL given"),
        (None, _) => line.push_str(": the service gave no download URL"),
    }
    line
}

/// get-attachment's note on standard error, without `--output json`.
pub const ATTACHMENT_URL_NOTE: &str = "the download URL is not printed, as it grants \
    access to the file by itself: --output json prints it, --output-file <PATH> saves the \
    file\n";

/// start-attachment-upload's lines for people: `upload started: AttachmentId <id>, upload
/// URL expires <time>`, then `header <name>: <value>` for each header to PUT with; not
/// the URL (see [`UPLOAD_URL_NOTE`]).
pub fn upload_started_lines(out: &StartAttachmentUploadOutput) -> Vec<String> {
    let shown = |s: &str| printable(s, MAX_CAUSE_CHARS);
    let mut first = match &out.attachment_id {
        Some(id) => format!("upload started: AttachmentId {}", shown(id)),
        None => "upload started: the service gave no AttachmentId".to_owned(),
    };
    let metadata = out.upload_metadata.as_ref();
    match (
        metadata.and_then(|m| m.url.as_ref()),
        metadata.and_then(|m| m.url_expiry.as_ref()),
    ) {
        (Some(_), Some(t)) => {
            let _ = write!(first, ", upload URL expires {}", shown(t.as_str()));
        }
        (Some(_), None) => first.push_str(", upload URL given"),
        (None, _) => first.push_str(", the service gave no upload URL"),
    }
    let headers = metadata.map_or(&[][..], |m| &m.headers_to_include[..]);
    std::iter::once(first)
        .chain(
            headers
                .iter()
                .map(|(n, v)| format!("header {}: {}", shown(n), shown(v))),
        )
        .collect()
}

/// start-attachment-upload's note on standard error, without `--output json`.
pub const UPLOAD_URL_NOTE: &str = "the upload URL is not printed, as it grants access by \
    itself: --output json prints it; PUT the file's bytes to it with every header above, then \
    run complete-attachment-upload --attachment-ids <ID> (upload-attachment <FILE> does all \
    three steps)\n";

/// complete-attachment-upload's line: `completed the upload of attachment <id>`.
pub fn upload_completed_line(attachment_id: &str) -> String {
    format!(
        "completed the upload of attachment {}",
        printable(attachment_id, MAX_CAUSE_CHARS)
    )
}

/// saved line: `saved <n> bytes to <path>`.
pub fn saved_line(bytes: u64, path: &str) -> String {
    format!("saved {bytes} bytes to {path}")
}

/// describe-view's lines for people: each member given, `Name: value`, the template and
/// input schema (JSON) on one line each, line breaks as spaces, control characters
/// replaced. Shown whole: the user asked for them (the library's `Debug` hides them).
pub fn view_lines(view: &View) -> Vec<String> {
    let flat = |s: &str| {
        let s: String = s
            .chars()
            .map(|c| {
                if matches!(c, '\n' | '\r' | '\t') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        printable(&s, usize::MAX)
    };
    let mut lines = Vec::new();
    let mut add = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            lines.push(format!("{name}: {v}"));
        }
    };
    add("Id", view.id.as_deref().map(flat));
    add("Arn", view.arn.as_deref().map(flat));
    add("Name", view.name.as_deref().map(flat));
    add("Version", view.version.map(|v| v.to_string()));
    if let Some(c) = &view.content {
        let actions: Vec<String> = c.actions.iter().map(|a| flat(a)).collect();
        add("Actions", (!actions.is_empty()).then(|| actions.join(", ")));
        add("InputSchema", c.input_schema.as_deref().map(flat));
        add("Template", c.template.as_deref().map(flat));
    }
    lines
}

/// What the success line says was sent.
pub fn event_label(name: Name, content_type: &str) -> String {
    match name {
        Name::Typing => "typing".into(),
        Name::Read => "read receipt".into(),
        Name::Delivered => "delivery receipt".into(),
        _ => content_type.into(),
    }
}

/// The human form of CreateParticipantConnection's answer: standard output holds the one
/// thing to capture (the connection token, else the WebSocket URL), alone on its line, so
/// that `export CONNECT_CONNECTION_TOKEN=$(...)` works; notes for people go to standard
/// error.
pub fn connection_human(out: &CreateParticipantConnectionOutput) -> (Option<String>, String) {
    let credentials = out.connection_credentials.as_ref();
    let token = credentials.and_then(|c| c.connection_token.as_ref());
    let websocket = out.websocket.as_ref();
    let url = websocket.and_then(|w| w.url.as_ref());
    let expires = |t: Option<&Timestamp>| match t {
        Some(t) => format!(" (expires {})", printable(t.as_str(), MAX_CAUSE_CHARS)),
        None => String::new(),
    };
    let mut notes = String::new();
    let printed = if let Some(token) = token {
        let _ = writeln!(
            notes,
            "printed the connection token{}: the other commands read it from \
             {CONNECTION_TOKEN_VAR} or standard input",
            expires(credentials.and_then(|c| c.expiry.as_ref()))
        );
        if url.is_some() {
            let _ = writeln!(
                notes,
                "the WebSocket URL{} is not printed; --output json shows it",
                expires(websocket.and_then(|w| w.connection_expiry.as_ref()))
            );
        }
        Some(token.expose_secret().to_owned())
    } else if let Some(url) = url {
        let _ = writeln!(
            notes,
            "printed the WebSocket URL{}; the service gave no connection token (ask for \
             it with --type CONNECTION_CREDENTIALS)",
            expires(websocket.and_then(|w| w.connection_expiry.as_ref()))
        );
        // A URL is printable ASCII; anything else (a terminal escape from a hostile
        // server) is shown replaced, not sent to the terminal.
        Some(printable(url.expose_secret(), usize::MAX))
    } else {
        notes.push_str(
            "the service answered neither a connection token nor a WebSocket URL; \
             --output json shows what it answered\n",
        );
        None
    };
    if out.webrtc_connection.is_some() {
        notes.push_str("the WebRTC connection is not printed; --output json shows it\n");
    }
    (printed, notes)
}

/// A transcript item on one line for people: time, role, display name, content type, and
/// the content shortened, with control characters replaced.
pub fn item_line(item: &Item) -> String {
    let dash = |s: Option<String>| s.unwrap_or_else(|| "-".into());
    let time = dash(
        item.absolute_time
            .as_ref()
            .map(|t| printable(t.as_str(), 64)),
    );
    let role = dash(
        item.participant_role
            .as_ref()
            .map(|r| printable(r.as_str(), 64)),
    );
    let name = dash(
        item.display_name
            .as_deref()
            .map(|n| printable(n, MAX_HUMAN_NAME)),
    );
    let kind = item
        .content_type
        .as_deref()
        .or(item.item_type.as_ref().map(|t| t.as_str()));
    let kind = dash(kind.map(|k| printable(k, 128)));
    let mut line = format!("{time} {role} {name} [{kind}]");
    if let Some(content) = &item.content {
        // Line breaks and tabs read as spaces; any other control character is replaced.
        let flat: String = content
            .chars()
            .map(|c| {
                if matches!(c, '\n' | '\r' | '\t') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let _ = write!(line, " {}", printable(&flat, MAX_HUMAN_CONTENT));
    }
    for a in &item.attachments {
        let _ = write!(
            line,
            " (attachment {})",
            printable(a.attachment_name.as_deref().unwrap_or("-"), MAX_HUMAN_NAME)
        );
    }
    line
}

/// `error: ...` plus, when the service said so, its error type and request id on lines of
/// their own: what AWS support asks for.
pub fn error_report(e: &Error) -> String {
    let mut out = format!("error: {e}\n");
    // The library's message names the failure at its own layer; the cause (a DNS failure,
    // a refused connection, a certificate) is in the source chain, and is what a support
    // engineer needs. The library keeps the token out of every link. Chains are a few links
    // long; the bound only guards against a cycle.
    let mut cause = e.source();
    for _ in 0..8 {
        let Some(c) = cause else { break };
        let _ = writeln!(
            out,
            "caused by: {}",
            printable(&c.to_string(), MAX_CAUSE_CHARS)
        );
        cause = c.source();
    }
    if let Some(t) = e.service_error_type() {
        let _ = writeln!(out, "error type: {}", printable(t, MAX_CAUSE_CHARS));
    }
    if let Some(id) = e.request_id() {
        let _ = writeln!(out, "request id: {}", printable(id, MAX_CAUSE_CHARS));
    }
    if e.kind() == ErrorKind::Conflict {
        out.push_str(
            "note: receipts are not available in this chat (more than two participants, or a \
             supervisor barged in); retrying will not help\n",
        );
    }
    out
}

// ---------------------------------------------------------------------------------------
// The shield

/// The last line of defence, over everything written: whatever path a value took into a
/// message, each known token (of either kind) is replaced by `[redacted]`, and so is, in
/// text from the library or the service (which quote values by their own rules), every
/// argument too long to be shown. This program's own text is not scrubbed of arguments:
/// it shows them only by the library's rule (`quoted`), and its lists of valid values
/// share runs with a long, wrong one.
///
/// The scrubbing is the library's own (`SecretRuns`, the same runs of 16 characters it
/// hides in what a server says).
pub struct Shield<'a> {
    tokens: Vec<(TokenKind, SecretRuns<'a>)>,
    long_args: Vec<SecretRuns<'a>>,
}

impl<'a> Shield<'a> {
    pub fn new(tokens: &'a [(TokenKind, String)], args: &'a [String]) -> Shield<'a> {
        let long_args = args
            .iter()
            .map(|a| match a.split_once('=') {
                // An option's value is the argument a message would measure.
                Some((name, value)) if name.starts_with("--") => value,
                _ => a.as_str(),
            })
            .filter(|a| a.chars().count() > MAX_SHOWN_CHARS)
            .map(SecretRuns::new)
            .collect();
        let tokens = tokens
            .iter()
            // Too short to look for inside other text without matching ordinary words.
            .filter(|(_, t)| t.chars().count() >= MIN_TOKEN_MATCH)
            .map(|(k, t)| (*k, SecretRuns::new(t)))
            .collect();
        Shield { tokens, long_args }
    }

    fn scrub<'b>(text: &str, secrets: impl Iterator<Item = &'b SecretRuns<'b>>) -> String
    where
        'a: 'b,
    {
        let mut text = text.to_owned();
        for s in secrets {
            if s.found_in(&text) {
                text = s.scrub(&text);
            }
        }
        text
    }

    /// This program's own text, scrubbed of the tokens.
    pub fn own(&self, text: &str) -> String {
        Shield::scrub(text, self.tokens.iter().map(|(_, r)| r))
    }

    /// What a command prints on standard output, scrubbed of the tokens, except the one
    /// create-participant-connection prints on purpose: its answer is scrubbed of the
    /// participant token alone (the connection token it prints is new, and may equal one
    /// in `CONNECT_CONNECTION_TOKEN` when the service hands the same one out again).
    pub fn answer(&self, command: Name, text: &str) -> String {
        if command == Name::CreateParticipantConnection {
            Shield::scrub(
                text,
                self.tokens
                    .iter()
                    .filter(|(k, _)| *k == TokenKind::Participant)
                    .map(|(_, r)| r),
            )
        } else {
            self.own(text)
        }
    }

    /// Text from the library or the service, scrubbed of the tokens and long arguments.
    pub fn foreign(&self, text: &str) -> String {
        Shield::scrub(
            text,
            self.tokens.iter().map(|(_, r)| r).chain(&self.long_args),
        )
    }
}

#[cfg(test)]
mod tests;
