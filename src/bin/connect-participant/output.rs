//! What the program writes: the human and JSON forms of each answer, error reports, and
//! the shield that scrubs the tokens out of all of it (help is in `help`).
//!
//! JSON follows the AWS CLI: members named and nested as the service names them, absent
//! members left out, in the service's model order. Each object is put together here, with
//! each value encoded by serde_json, so that the keys keep that order (a
//! `serde_json::Map` would sort them).

use std::error::Error as _;
use std::fmt::Write as _;

use connect_participant::__cli::{MAX_SHOWN_CHARS, SecretRuns, printable};
use connect_participant::{
    CreateParticipantConnectionOutput, DescribeViewOutput, Error, ErrorKind, Event,
    GetAttachmentOutput, GetAuthenticationUrlOutput, Item, SendEventOutput, SendMessageOutput,
    Timestamp, View,
};

use crate::args::{CONNECTION_TOKEN_VAR, Name, TokenKind};

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

    /// A list, left out when empty (the library does not tell an empty list from an
    /// absent one).
    fn list(self, name: &str, items: Vec<Json>) -> Json {
        if items.is_empty() {
            return self;
        }
        let items: Vec<String> = items.into_iter().map(Json::finish).collect();
        self.member(name, Some(format!("[{}]", items.join(","))))
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

/// One transcript item, on one line: the service's members in its model order, then the
/// members this crate does not know, as the service sent them.
pub fn item_json(item: &Item) -> String {
    let attachments = item
        .attachments
        .iter()
        .map(|a| {
            Json::default()
                .string("ContentType", a.content_type.as_deref())
                .string("AttachmentId", a.attachment_id.as_deref())
                .string("AttachmentName", a.attachment_name.as_deref())
                .string("Status", a.status.as_ref().map(|s| s.as_str()))
        })
        .collect();
    let metadata = item.message_metadata.as_ref().map(|m| {
        let receipts = m
            .receipts
            .iter()
            .map(|r| {
                Json::default()
                    .time("DeliveredTimestamp", r.delivered_timestamp.as_ref())
                    .time("ReadTimestamp", r.read_timestamp.as_ref())
                    .string(
                        "RecipientParticipantId",
                        r.recipient_participant_id.as_deref(),
                    )
            })
            .collect();
        Json::default()
            .string("MessageId", m.message_id.as_deref())
            .list("Receipts", receipts)
            .string(
                "MessageProcessingStatus",
                m.message_processing_status.as_ref().map(|s| s.as_str()),
            )
            // Not in the service's model, so after its members: a streamed bot message's
            // chunks (ChatJS reads them).
            .member(
                "MessageCompleted",
                m.message_completed.map(|b| b.to_string()),
            )
            .member("ChunkNumber", m.chunk_number.map(|n| n.to_string()))
    });
    let mut json = Json::default()
        .time("AbsoluteTime", item.absolute_time.as_ref())
        .string("Content", item.content.as_deref())
        .string("ContentType", item.content_type.as_deref())
        .string("Id", item.id.as_deref())
        .string("Type", item.item_type.as_ref().map(|t| t.as_str()))
        .string("ParticipantId", item.participant_id.as_deref())
        .string("DisplayName", item.display_name.as_deref())
        .string(
            "ParticipantRole",
            item.participant_role.as_ref().map(|r| r.as_str()),
        )
        .list("Attachments", attachments)
        .object("MessageMetadata", metadata)
        .string("RelatedContactId", item.related_contact_id.as_deref())
        .string("ContactId", item.contact_id.as_deref());
    for (name, value) in &item.unknown_members {
        // Kept by the library as compact JSON; re-encoded so that nothing but JSON goes out.
        let value = serde_json::from_str::<serde_json::Value>(value)
            .map(|v| v.to_string())
            .unwrap_or_else(|_| serde_json::Value::from(value.as_str()).to_string());
        json = json.member(name, Some(value));
    }
    json.finish()
}

/// One `watch` line: `{"Event":"<name>","Item":{...}}`, the item as [`item_json`] writes
/// it (for a receipt, the whole receipt item), or `{"Event":"chat.ended"}` alone when the
/// chat's end was learnt without an item (a reconnection refused).
pub fn watch_json(event: &Event) -> String {
    watch_line(event.name(), event.item())
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
mod tests {
    use super::*;
    use connect_participant::{ConnectionCredentials, ConnectionToken, Websocket};

    #[test]
    fn event_json_leaves_out_absent_members() {
        let mut out = SendEventOutput::default();
        assert_eq!(event_json(&out), "{}");
        assert_eq!(sent_line("typing", None, None), "sent typing");
        out.absolute_time = Timestamp::parse("2019-11-08T02:41:28.172Z").ok();
        assert_eq!(
            event_json(&out),
            r#"{"AbsoluteTime":"2019-11-08T02:41:28.172Z"}"#
        );
        assert_eq!(
            sent_line("typing", None, out.absolute_time.as_ref()),
            "sent typing: at 2019-11-08T02:41:28.172Z"
        );
        out.id = Some("id-\"1\"\u{1b}[2J".into());
        assert_eq!(
            sent_line(
                "read receipt",
                out.id.as_deref(),
                out.absolute_time.as_ref()
            ),
            "sent read receipt: Id id-\"1\"\u{fffd}[2J at 2019-11-08T02:41:28.172Z"
        );
        assert_eq!(
            event_json(&out),
            r#"{"Id":"id-\"1\"\u001b[2J","AbsoluteTime":"2019-11-08T02:41:28.172Z"}"#
        );
    }

    fn connection(token: Option<&str>, url: bool) -> CreateParticipantConnectionOutput {
        let mut out = CreateParticipantConnectionOutput::default();
        if let Some(t) = token {
            let mut c = ConnectionCredentials::default();
            c.connection_token = Some(ConnectionToken::new(t).unwrap());
            c.expiry = Timestamp::parse("2019-11-09T02:41:28.172Z").ok();
            out.connection_credentials = Some(c);
        }
        if url {
            out.websocket = Some(Websocket::default());
        }
        out
    }

    #[test]
    fn connection_output_prints_the_token_alone() {
        let out = connection(Some("conn-tok-1"), true);
        assert_eq!(
            connection_json(&out),
            r#"{"Websocket":{},"ConnectionCredentials":{"ConnectionToken":"conn-tok-1","Expiry":"2019-11-09T02:41:28.172Z"}}"#
        );
        let (printed, notes) = connection_human(&out);
        assert_eq!(printed.as_deref(), Some("conn-tok-1"));
        assert_eq!(
            notes,
            "printed the connection token (expires 2019-11-09T02:41:28.172Z): the other \
             commands read it from CONNECT_CONNECTION_TOKEN or standard input\n"
        );
        let (printed, notes) = connection_human(&connection(None, false));
        assert_eq!(printed, None);
        assert!(notes.starts_with("the service answered neither"), "{notes}");
        assert_eq!(connection_json(&connection(None, false)), "{}");
    }

    #[test]
    fn attachment_answers_in_both_forms() {
        assert_eq!(
            uploaded_json("a-\"1\"", 3_000_000),
            r#"{"AttachmentId":"a-\"1\"","AttachmentSizeInBytes":3000000}"#
        );
        assert_eq!(
            uploaded_line("Report.pdf", "a-1\u{1b}[2J", 12),
            "uploaded Report.pdf: AttachmentId a-1\u{fffd}[2J, 12 bytes"
        );
        let mut out = GetAttachmentOutput::default();
        assert_eq!(attachment_json(&out), r#"{"AttachmentSizeInBytes":0}"#);
        assert_eq!(
            attachment_line(&out),
            "attachment of 0 bytes: the service gave no download URL"
        );
        out.url = Some(connect_participant::PresignedUrl::new(
            "https://s3/get?X-Amz-Signature=s3cr3t",
        ));
        out.url_expiry = Timestamp::parse("2019-11-08T02:46:28Z").ok();
        out.attachment_size_in_bytes = 48213;
        assert_eq!(
            attachment_json(&out),
            r#"{"Url":"https://s3/get?X-Amz-Signature=s3cr3t","UrlExpiry":"2019-11-08T02:46:28Z","AttachmentSizeInBytes":48213}"#
        );
        // The URL is a secret of sorts: only JSON shows it.
        let line = attachment_line(&out);
        assert_eq!(
            line,
            "attachment of 48213 bytes: download URL expires 2019-11-08T02:46:28Z"
        );
        assert!(ATTACHMENT_URL_NOTE.ends_with('\n') && !ATTACHMENT_URL_NOTE.contains("s3cr3t"));
        assert_eq!(
            saved_json(5, "out/a \"b\".pdf"),
            r#"{"AttachmentSizeInBytes":5,"OutputFile":"out/a \"b\".pdf"}"#
        );
        assert_eq!(saved_line(5, "out/a.pdf"), "saved 5 bytes to out/a.pdf");
    }

    #[test]
    fn views_and_authentication_urls_in_both_forms() {
        use connect_participant::ViewContent;
        let mut out = DescribeViewOutput::default();
        assert_eq!(view_json(&out), "{}");
        let mut view = View::default();
        assert_eq!(view_lines(&view), Vec::<String>::new());
        view.id = Some("v1".into());
        view.arn = Some("arn:aws:connect:us-west-2:1:instance/i/view/v1".into());
        view.name = Some("Form\u{1b}".into());
        view.version = Some(3);
        let mut content = ViewContent::default();
        content.actions = vec!["Submit".into(), "Cancel".into()];
        content.input_schema = Some("{}".into());
        content.template = Some("{\n  \"Head\": \"Hi\"\n}".into());
        view.content = Some(content);
        out.view = Some(view.clone());
        assert_eq!(
            view_json(&out),
            r#"{"View":{"Id":"v1","Arn":"arn:aws:connect:us-west-2:1:instance/i/view/v1","Name":"Form\u001b","Version":3,"Content":{"InputSchema":"{}","Template":"{\n  \"Head\": \"Hi\"\n}","Actions":["Submit","Cancel"]}}}"#
        );
        assert_eq!(
            view_lines(&view),
            [
                "Id: v1",
                "Arn: arn:aws:connect:us-west-2:1:instance/i/view/v1",
                "Name: Form\u{fffd}",
                "Version: 3",
                "Actions: Submit, Cancel",
                "InputSchema: {}",
                "Template: {   \"Head\": \"Hi\" }",
            ]
        );
        let mut out = GetAuthenticationUrlOutput::default();
        assert_eq!(authentication_url_json(&out), "{}");
        out.authentication_url = Some("https://auth.example.com/login?s=1".into());
        assert_eq!(
            authentication_url_json(&out),
            r#"{"AuthenticationUrl":"https://auth.example.com/login?s=1"}"#
        );
    }

    #[test]
    fn item_line_is_readable_and_safe() {
        let mut item = Item::default();
        assert_eq!(item_line(&item), "- - - [-]");
        assert_eq!(item_json(&item), "{}");
        item.absolute_time = Timestamp::parse("2019-11-08T02:41:28.172Z").ok();
        item.participant_role = Some("AGENT".into());
        item.display_name = Some("Ann\u{1b}[2J".into());
        item.content_type = Some("text/plain".into());
        item.content = Some(format!("line 1\nline\u{7}2 {}", "x".repeat(200)));
        let line = item_line(&item);
        assert!(
            line.starts_with(
                "2019-11-08T02:41:28.172Z AGENT Ann\u{fffd}[2J [text/plain] line 1 \
                 line\u{fffd}2 xxx"
            ),
            "{line}"
        );
        assert!(line.ends_with('…'), "{line}");
        assert_eq!(
            line.chars().count(),
            "2019-11-08T02:41:28.172Z AGENT Ann\u{fffd}[2J [text/plain] "
                .chars()
                .count()
                + MAX_HUMAN_CONTENT
                + 1
        );
        item.unknown_members = vec![("Zeta".into(), "[1,{\"a\":null}]".into())];
        let json = item_json(&item);
        assert!(
            json.starts_with(
                "{\"AbsoluteTime\":\"2019-11-08T02:41:28.172Z\",\"Content\":\"line 1\\nline\\u00072 "
            ),
            "{json}"
        );
        assert!(
            json.ends_with(
                "\"ContentType\":\"text/plain\",\"DisplayName\":\"Ann\\u001b[2J\",\
                 \"ParticipantRole\":\"AGENT\",\"Zeta\":[1,{\"a\":null}]}"
            ),
            "{json}"
        );
    }

    #[test]
    fn watch_lines_name_the_event_and_hold_the_whole_item() {
        use connect_participant::{MessageMetadata, Receipt};
        let time = |t: &str| Timestamp::parse(t).ok();
        let mut item = Item::default();
        item.id = Some("m-1".into());
        item.item_type = Some("MESSAGE".into());
        item.content_type = Some("text/plain".into());
        item.content = Some("Hi \"there\"\n".into());
        item.participant_role = Some("AGENT".into());
        item.absolute_time = time("2019-11-08T02:41:28.172Z");
        assert_eq!(
            watch_json(&Event::Message(item.clone())),
            r#"{"Event":"message","Item":{"AbsoluteTime":"2019-11-08T02:41:28.172Z","Content":"Hi \"there\"\n","ContentType":"text/plain","Id":"m-1","Type":"MESSAGE","ParticipantRole":"AGENT"}}"#
        );
        assert_eq!(
            watch_json(&Event::Update(item.clone())),
            watch_json(&Event::Message(item.clone())).replace("\"message\"", "\"update\"")
        );
        // The end learnt without an item: the event alone.
        assert_eq!(watch_line("chat.ended", None), r#"{"Event":"chat.ended"}"#);
        // A receipt item: every member, receipts and streamed-chunk members included,
        // then the members this crate does not know.
        let mut receipt = Receipt::default();
        receipt.recipient_participant_id = Some("p-2".into());
        receipt.delivered_timestamp = time("2019-11-08T02:41:29Z");
        receipt.read_timestamp = time("2019-11-08T02:41:30Z");
        let mut meta = MessageMetadata::default();
        meta.message_id = Some("m-1".into());
        meta.receipts = vec![receipt];
        meta.message_completed = Some(false);
        meta.chunk_number = Some(2);
        let mut r = Item::default();
        r.id = Some("r-1".into());
        r.item_type = Some("MESSAGEMETADATA".into());
        r.message_metadata = Some(meta);
        r.contact_id = Some("c-1".into());
        r.unknown_members = vec![("Later".into(), r#"{"x":[1,true]}"#.into())];
        assert_eq!(
            watch_line("read", Some(&r)),
            r#"{"Event":"read","Item":{"Id":"r-1","Type":"MESSAGEMETADATA","MessageMetadata":{"MessageId":"m-1","Receipts":[{"DeliveredTimestamp":"2019-11-08T02:41:29Z","ReadTimestamp":"2019-11-08T02:41:30Z","RecipientParticipantId":"p-2"}],"MessageCompleted":false,"ChunkNumber":2},"ContactId":"c-1","Later":{"x":[1,true]}}}"#
        );
        // Each line is one JSON object on one line, whatever the content holds.
        for line in [
            watch_json(&Event::Typing(item.clone())),
            watch_line("read", Some(&r)),
        ] {
            assert!(!line.contains('\n'), "{line}");
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert!(v["Event"].is_string() && v["Item"].is_object(), "{line}");
        }
    }

    /// A realistic token: hundreds of base64 characters.
    fn long_token() -> String {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..300usize)
            .map(|i| char::from(alphabet[(i * 37 + i / 7) % 64]))
            .collect()
    }

    #[test]
    fn output_is_scrubbed_of_both_tokens_and_foreign_text_of_long_arguments() {
        let token = long_token();
        let participant = "participant-token-0123456789".to_owned();
        let long_url = format!("http://127.0.0.1:1/{}", "p".repeat(MAX_SHOWN_CHARS));
        let args = vec!["--endpoint".to_owned(), long_url.clone()];
        let tokens = vec![
            (TokenKind::Connection, token.clone()),
            (TokenKind::Participant, participant.clone()),
        ];
        let shield = Shield::new(&tokens, &args);
        let text = format!("a {token} b {} c {participant}\n", &token[7..40]);
        assert_eq!(
            shield.own(&text),
            "a [redacted] b [redacted] c [redacted]\n"
        );
        let text = format!("the request to {long_url} failed; token {token}");
        assert_eq!(
            shield.foreign(&text),
            "the request to [redacted] failed; token [redacted]"
        );
        // This program's own text is not scrubbed of arguments.
        assert_eq!(shield.own(&long_url), long_url);
        // create-participant-connection's answer keeps the connection token it prints.
        let answer = format!("{token} {participant}");
        assert_eq!(
            shield.answer(Name::CreateParticipantConnection, &answer),
            format!("{token} [redacted]")
        );
        assert_eq!(
            shield.answer(Name::SendMessage, &answer),
            "[redacted] [redacted]"
        );
        // A tiny token is not looked for.
        let tiny = vec![(TokenKind::Connection, "abc".to_owned())];
        assert_eq!(Shield::new(&tiny, &[]).own("abc"), "abc");
    }
}
