//! From a command's options to the request the library takes: one builder per command
//! family, each refusing what can be refused without the network.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use connect_participant::__cli::quoted;
use connect_participant::{
    ATTACHMENT_TYPES, CancelParticipantAuthenticationRequest, CompleteAttachmentUploadRequest,
    ConnectionType, ContentDisposition, ContentType, CreateParticipantConnectionRequest,
    DescribeViewRequest, DisconnectParticipantRequest, GetAttachmentRequest,
    GetAuthenticationUrlRequest, GetTranscriptRequest, ScanDirection, SendEventRequest,
    SendMessageRequest, SortOrder, StartAttachmentUploadRequest, StartPosition, Timestamp,
    UploadAttachmentRequest, attachment_content_type,
};

use super::{Command, Given, Name, UsageError};

/// The command's request, from its options and its one positional argument.
pub(super) fn command(
    name: Name,
    arg: Option<&str>,
    given: &Given<'_>,
) -> Result<Command, UsageError> {
    Ok(match name {
        Name::CreateParticipantConnection => {
            Command::CreateParticipantConnection(create_participant_connection(given)?)
        }
        Name::SendMessage => Command::SendMessage(send_message(given)?),
        Name::SendEvent => Command::SendEvent(name, client_token(send_event(given)?, given)),
        Name::Typing => Command::SendEvent(name, client_token(SendEventRequest::typing(), given)),
        Name::Read | Name::Delivered => {
            Command::SendEvent(name, client_token(receipt(name, arg)?, given))
        }
        Name::GetTranscript => get_transcript(given)?,
        Name::DisconnectParticipant => Command::DisconnectParticipant(disconnect(given)),
        Name::UploadAttachment => upload_attachment(arg, given)?,
        Name::StartAttachmentUpload => start_attachment_upload(given)?,
        Name::CompleteAttachmentUpload => complete_attachment_upload(given)?,
        Name::GetAttachment => get_attachment(given)?,
        Name::DescribeView => describe_view(given)?,
        Name::GetAuthenticationUrl => get_authentication_url(given)?,
        Name::CancelParticipantAuthentication => cancel_participant_authentication(given)?,
        Name::Watch => watch(given)?,
        Name::Emulator => emulator(given)?,
    })
}

fn create_participant_connection(
    given: &Given<'_>,
) -> Result<CreateParticipantConnectionRequest, UsageError> {
    // With no --type, what the customer clients ask for.
    let mut r = CreateParticipantConnectionRequest::new();
    if let Some(types) = given.many("--type") {
        r = r.with_types(types.iter().map(|t| ConnectionType::from(*t)));
    }
    match (
        given.has("--connect-participant"),
        given.has("--no-connect-participant"),
    ) {
        (true, true) => {
            return Err(UsageError::of(
                Name::CreateParticipantConnection,
                "give --connect-participant or --no-connect-participant, not both",
            ));
        }
        (true, false) => r = r.with_connect_participant(true),
        (false, true) => r = r.with_connect_participant(false),
        (false, false) => {}
    }
    Ok(r)
}

fn send_message(given: &Given<'_>) -> Result<SendMessageRequest, UsageError> {
    let Some(content) = given.one("--content") else {
        return Err(UsageError::of(
            Name::SendMessage,
            "send-message needs --content <TEXT>",
        ));
    };
    let content_type = given.one("--content-type").unwrap_or("text/plain");
    let mut r = SendMessageRequest::new(content_type, content);
    if let Some(t) = given.one("--client-token") {
        r = r.with_client_token(t);
    }
    Ok(r)
}

fn send_event(given: &Given<'_>) -> Result<SendEventRequest, UsageError> {
    let usage = |m: String| UsageError::of(Name::SendEvent, m);
    let Some(content_type) = given.one("--content-type") else {
        return Err(usage("send-event needs --content-type <TYPE>".into()));
    };
    let content_type = ContentType::from_str(content_type).map_err(|_| {
        let allowed: Vec<&str> = ContentType::ALL.iter().map(|t| t.as_str()).collect();
        usage(format!(
            "unknown content type {}, expected one of: {}",
            quoted(content_type),
            allowed.join(", ")
        ))
    })?;
    let mut r = SendEventRequest::new(content_type);
    if let Some(c) = given.one("--content") {
        r = r.with_content(c);
    }
    Ok(r)
}

/// `read` and `delivered`: a receipt for the message their one argument names.
fn receipt(name: Name, arg: Option<&str>) -> Result<SendEventRequest, UsageError> {
    let Some(id) = arg else {
        return Err(UsageError::of(
            name,
            format!("{} needs a <message-id>", name.as_str()),
        ));
    };
    Ok(if name == Name::Read {
        SendEventRequest::read(id)
    } else {
        SendEventRequest::delivered(id)
    })
}

/// Every event command takes `--client-token`.
fn client_token(r: SendEventRequest, given: &Given<'_>) -> SendEventRequest {
    match given.one("--client-token") {
        Some(t) => r.with_client_token(t),
        None => r,
    }
}

fn get_transcript(given: &Given<'_>) -> Result<Command, UsageError> {
    let usage = |m: String| UsageError::of(Name::GetTranscript, m);
    let mut r = GetTranscriptRequest::new();
    if let Some(id) = given.one("--contact-id") {
        r = r.with_contact_id(id);
    }
    if let Some(n) = given.one("--max-results") {
        let n = n.parse::<u32>().map_err(|_| {
            usage(format!(
                "--max-results needs a whole number from 0 to 100; got {}",
                quoted(n)
            ))
        })?;
        r = r.with_max_results(n);
    }
    if let Some(t) = given.one("--next-token") {
        r = r.with_next_token(t);
    }
    if let Some(d) = given.one("--scan-direction") {
        let d = ScanDirection::from_str(d).map_err(|e| usage(e.to_string()))?;
        r = r.with_scan_direction(d);
    }
    if let Some(o) = given.one("--sort-order") {
        let o = SortOrder::from_str(o).map_err(|e| usage(e.to_string()))?;
        r = r.with_sort_order(o);
    }
    if let Some(p) = given.one("--start-position") {
        r = r.with_start_position(start_position(p).map_err(usage)?);
    }
    Ok(Command::GetTranscript {
        request: r,
        paginate: !given.has("--no-paginate"),
    })
}

fn disconnect(given: &Given<'_>) -> DisconnectParticipantRequest {
    let r = DisconnectParticipantRequest::new();
    match given.one("--client-token") {
        Some(t) => r.with_client_token(t),
        None => r,
    }
}

fn upload_attachment(arg: Option<&str>, given: &Given<'_>) -> Result<Command, UsageError> {
    let usage = |m: String| UsageError::of(Name::UploadAttachment, m);
    let Some(path) = arg else {
        return Err(usage("upload-attachment needs a <FILE>".into()));
    };
    let Some(file_name) = Path::new(path).file_name().and_then(|n| n.to_str()) else {
        return Err(usage(format!("{} names no file", quoted(path))));
    };
    let mut request = UploadAttachmentRequest::new(file_name);
    match given.one("--content-type") {
        Some(t) => request = request.with_content_type(t),
        // The library would refuse it too, but only once the token is read.
        None if attachment_content_type(file_name).is_none() => {
            return Err(usage(format!(
                "{} has no extension the service takes: it takes .{}",
                quoted(file_name),
                attachment_extensions().join(", .")
            )));
        }
        None => {}
    }
    Ok(Command::UploadAttachment {
        path: PathBuf::from(path),
        request,
    })
}

/// `start-attachment-upload`: the AWS CLI's three required options, but for
/// `--content-type`, which defaults to the type of the name's extension as
/// `upload-attachment`'s does.
fn start_attachment_upload(given: &Given<'_>) -> Result<Command, UsageError> {
    let usage = |m: String| UsageError::of(Name::StartAttachmentUpload, m);
    let (Some(name), Some(size)) = (
        given.one("--attachment-name"),
        given.one("--attachment-size-in-bytes"),
    ) else {
        return Err(usage(
            "start-attachment-upload needs --attachment-name <NAME> and \
             --attachment-size-in-bytes <N>"
                .into(),
        ));
    };
    // The range is the library's to check (1 to 20,000,000), before the token is read.
    let size = size.parse::<u64>().map_err(|_| {
        usage(format!(
            "--attachment-size-in-bytes needs a whole number of bytes, such as 48213; got {}",
            quoted(size)
        ))
    })?;
    let Some(content_type) = given
        .one("--content-type")
        .or_else(|| attachment_content_type(name))
    else {
        return Err(usage(format!(
            "{} has no extension the service takes, so give --content-type <TYPE>; the \
             service takes .{}",
            quoted(name),
            attachment_extensions().join(", .")
        )));
    };
    let mut request = StartAttachmentUploadRequest::new(name, content_type, size);
    if let Some(t) = given.one("--client-token") {
        request = request.with_client_token(t);
    }
    Ok(Command::StartAttachmentUpload(request))
}

/// `complete-attachment-upload --attachment-ids <ID>`: a list in the AWS CLI, of exactly
/// one id in the service's model.
fn complete_attachment_upload(given: &Given<'_>) -> Result<Command, UsageError> {
    let usage = |m: String| UsageError::of(Name::CompleteAttachmentUpload, m);
    let id = match given.many("--attachment-ids") {
        None | Some([]) => {
            return Err(usage(
                "complete-attachment-upload needs --attachment-ids <ID>".into(),
            ));
        }
        Some([id]) => *id,
        Some(ids) => {
            return Err(usage(format!(
                "--attachment-ids takes one id (the service completes one attachment per \
                 call); got {}",
                ids.len()
            )));
        }
    };
    let mut request = CompleteAttachmentUploadRequest::new(id);
    if let Some(t) = given.one("--client-token") {
        request = request.with_client_token(t);
    }
    Ok(Command::CompleteAttachmentUpload(request))
}

fn get_attachment(given: &Given<'_>) -> Result<Command, UsageError> {
    let usage = |m: String| UsageError::of(Name::GetAttachment, m);
    let Some(id) = given.one("--attachment-id") else {
        return Err(usage("get-attachment needs --attachment-id <ID>".into()));
    };
    let mut request = GetAttachmentRequest::new(id);
    if let Some(s) = given.one("--url-expiry-in-seconds") {
        let s = s.parse::<u32>().map_err(|_| {
            usage(format!(
                "--url-expiry-in-seconds needs a whole number from 5 to 300; got {}",
                quoted(s)
            ))
        })?;
        request = request.with_url_expiry_in_seconds(s);
    }
    if let Some(d) = given.one("--url-content-disposition") {
        let d = ContentDisposition::from_str(d).map_err(|e| usage(e.to_string()))?;
        request = request.with_url_content_disposition(d);
    }
    Ok(Command::GetAttachment {
        request,
        output_file: given.one("--output-file").map(PathBuf::from),
    })
}

fn describe_view(given: &Given<'_>) -> Result<Command, UsageError> {
    let Some(t) = given.one("--view-token") else {
        return Err(UsageError::of(
            Name::DescribeView,
            "describe-view needs --view-token <TOKEN>",
        ));
    };
    Ok(Command::DescribeView(DescribeViewRequest::new(t)))
}

fn get_authentication_url(given: &Given<'_>) -> Result<Command, UsageError> {
    let (Some(s), Some(u)) = (given.one("--session-id"), given.one("--redirect-uri")) else {
        return Err(UsageError::of(
            Name::GetAuthenticationUrl,
            "get-authentication-url needs --session-id <ID> and --redirect-uri <URI>",
        ));
    };
    Ok(Command::GetAuthenticationUrl(
        GetAuthenticationUrlRequest::new(s, u),
    ))
}

fn cancel_participant_authentication(given: &Given<'_>) -> Result<Command, UsageError> {
    let Some(s) = given.one("--session-id") else {
        return Err(UsageError::of(
            Name::CancelParticipantAuthentication,
            "cancel-participant-authentication needs --session-id <ID>",
        ));
    };
    Ok(Command::CancelParticipantAuthentication(
        CancelParticipantAuthenticationRequest::new(s),
    ))
}

/// `watch [--history] [--heartbeat-ms <N>] [--participant-id <ID>] [--journal <FILE>]
/// [--ordered]`: N from 1 to 3,600,000 (an hour), the stream's own bounds.
fn watch(given: &Given<'_>) -> Result<Command, UsageError> {
    let heartbeat = match given.one("--heartbeat-ms") {
        None => None,
        Some(ms) => Some(
            ms.parse::<u64>()
                .ok()
                .filter(|ms| (1..=3_600_000).contains(ms))
                .map(std::time::Duration::from_millis)
                .ok_or_else(|| {
                    UsageError::of(
                        Name::Watch,
                        format!(
                            "--heartbeat-ms needs a number of milliseconds from 1 to 3600000; \
                             got {}",
                            quoted(ms)
                        ),
                    )
                })?,
        ),
    };
    let participant_id = given.one("--participant-id").map(str::to_owned);
    if participant_id
        .as_deref()
        .is_some_and(|id| id.is_empty() || id.len() > 256)
    {
        return Err(UsageError::of(
            Name::Watch,
            "--participant-id needs an id of 1 to 256 characters".to_owned(),
        ));
    }
    let journal = given.one("--journal").map(std::path::PathBuf::from);
    if journal.as_ref().is_some_and(|j| j.as_os_str().is_empty()) {
        return Err(UsageError::of(
            Name::Watch,
            "--journal needs a file name".to_owned(),
        ));
    }
    Ok(Command::Watch {
        history: given.has("--history"),
        heartbeat,
        participant_id,
        journal,
        ordered: given.has("--ordered"),
    })
}

fn emulator(given: &Given<'_>) -> Result<Command, UsageError> {
    let port = match given.one("--port") {
        None => 0,
        Some(p) => p.parse::<u16>().map_err(|_| {
            UsageError::of(
                Name::Emulator,
                format!(
                    "--port needs a port number from 0 to 65535 (0: a free one); got {}",
                    quoted(p)
                ),
            )
        })?,
    };
    let settings = EmulatorSettings {
        connection_token_lifetime: whole(
            given,
            "--connection-token-lifetime",
            "seconds",
            1,
            315_360_000,
        )?,
        max_chats: whole(given, "--max-chats", "chats", 1, 1_000_000)?,
        max_connections: whole(given, "--max-connections", "connections", 1, 10_000)?,
        max_websockets: whole(given, "--max-websockets", "sockets", 0, 10_000)?,
        idle_timeout: whole(given, "--idle-timeout", "seconds", 1, 86_400)?,
    };
    Ok(Command::Emulator { port, settings })
}

/// The emulator's builder settings that `emulator` takes as options; each `None` keeps
/// the builder's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmulatorSettings {
    /// `--connection-token-lifetime`, in seconds.
    pub connection_token_lifetime: Option<u64>,
    /// `--max-chats`.
    pub max_chats: Option<u64>,
    /// `--max-connections`.
    pub max_connections: Option<u64>,
    /// `--max-websockets` (0: no WebSocket is served).
    pub max_websockets: Option<u64>,
    /// `--idle-timeout`, in seconds.
    pub idle_timeout: Option<u64>,
}

/// A whole number option from `min` to `max`, if given.
fn whole(
    given: &Given<'_>,
    option: &str,
    unit: &str,
    min: u64,
    max: u64,
) -> Result<Option<u64>, UsageError> {
    let Some(value) = given.one(option) else {
        return Ok(None);
    };
    value
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .map(Some)
        .ok_or_else(|| {
            UsageError::of(
                Name::Emulator,
                format!(
                    "{option} needs a whole number of {unit} from {min} to {max}; got {}",
                    quoted(value)
                ),
            )
        })
}

/// The file extensions the service takes, as the library lists them.
fn attachment_extensions() -> Vec<&'static str> {
    ATTACHMENT_TYPES.iter().map(|(e, _)| *e).collect()
}

/// `--start-position` as the AWS CLI takes it: shorthand
/// (`Id=...,AbsoluteTime=...,MostRecent=N`) or JSON (`{"Id":"..."}`).
fn start_position(value: &str) -> Result<StartPosition, String> {
    let members = if value.trim_start().starts_with('{') {
        json_members(value)?
    } else {
        shorthand_members(value)?
    };
    let mut position = StartPosition::default();
    for (key, v) in members {
        position = match key.as_str() {
            "Id" => position.with_id(v),
            "AbsoluteTime" => {
                position.with_absolute_time(Timestamp::parse(&v).map_err(|e| e.to_string())?)
            }
            "MostRecent" => position.with_most_recent(v.parse::<u32>().map_err(|_| {
                format!(
                    "--start-position MostRecent needs a whole number from 0 to 100; got {}",
                    quoted(&v)
                )
            })?),
            other => {
                return Err(format!(
                    "--start-position has no member {}: it takes Id, AbsoluteTime and \
                     MostRecent",
                    quoted(other)
                ));
            }
        };
    }
    Ok(position)
}

/// `--start-position` as JSON: `{"Id":"...","MostRecent":3}`, numbers taken as text.
fn json_members(value: &str) -> Result<Vec<(String, String)>, String> {
    let json: serde_json::Value =
        serde_json::from_str(value).map_err(|_| "--start-position is not valid JSON".to_owned())?;
    let Some(object) = json.as_object() else {
        return Err("--start-position is not a JSON object".into());
    };
    object
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k.clone(), s.clone())),
            serde_json::Value::Number(n) => Ok((k.clone(), n.to_string())),
            _ => Err(format!(
                "--start-position member {} must be a string or a number",
                quoted(k)
            )),
        })
        .collect()
}

/// `--start-position` as shorthand: `Id=...,MostRecent=3`.
fn shorthand_members(value: &str) -> Result<Vec<(String, String)>, String> {
    value
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => Ok((k.to_owned(), v.to_owned())),
            None => Err(format!(
                "--start-position takes Id=<ID>,AbsoluteTime=<TIME>,MostRecent=<N> or \
                 JSON; got {}",
                quoted(p)
            )),
        })
        .collect()
}
