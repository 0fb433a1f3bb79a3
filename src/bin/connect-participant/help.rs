//! Every help and usage text the program prints: the program's help, each command's, the
//! hint a usage error ends with, and the version line.

mod upload_steps;

use crate::args::{Name, PROGRAM};
use upload_steps::{HELP_COMPLETE_UPLOAD, HELP_START_UPLOAD};

/// The program's help.
pub fn help(command: Option<Name>) -> String {
    let Some(name) = command else {
        return HELP.into();
    };
    let text = match name {
        Name::CreateParticipantConnection => HELP_CREATE,
        Name::SendMessage => HELP_SEND_MESSAGE,
        Name::SendEvent => HELP_SEND_EVENT,
        Name::GetTranscript => HELP_GET_TRANSCRIPT,
        Name::DisconnectParticipant => HELP_DISCONNECT,
        Name::UploadAttachment => HELP_UPLOAD,
        Name::StartAttachmentUpload => HELP_START_UPLOAD,
        Name::CompleteAttachmentUpload => HELP_COMPLETE_UPLOAD,
        Name::GetAttachment => HELP_GET_ATTACHMENT,
        Name::DescribeView => HELP_DESCRIBE_VIEW,
        Name::GetAuthenticationUrl => HELP_GET_AUTHENTICATION_URL,
        Name::CancelParticipantAuthentication => HELP_CANCEL_AUTHENTICATION,
        Name::Typing | Name::Read | Name::Delivered => HELP_SHORT_EVENTS,
        Name::Watch => HELP_WATCH,
        Name::Emulator => HELP_EMULATOR,
    };
    if name == Name::Emulator {
        text.into()
    } else {
        format!("{text}\n{SERVICE_OPTIONS_HELP}")
    }
}

/// The last line of a usage error's report: the help that explains the mistake, the
/// command's when the command is known.
pub fn hint(command: Option<Name>) -> String {
    let help = match command {
        Some(n) => format!("{PROGRAM} {} --help", n.as_str()),
        None => format!("{PROGRAM} --help"),
    };
    format!("hint: run '{help}' for usage\n")
}

/// What `--version` prints.
pub fn version() -> String {
    format!("{PROGRAM} {}\n", env!("CARGO_PKG_VERSION"))
}

const HELP: &str = "\
Call the Amazon Connect Participant Service as a chat participant, from a
shell: one command per operation, named and optioned as the AWS CLI names them.

Usage: connect-participant [OPTIONS] <COMMAND> [COMMAND OPTIONS]
       connect-participant <COMMAND> --help

Commands:
  create-participant-connection  connect: the participant token buys a
                                 connection token (printed) and a WebSocket URL
  send-message                   send a chat message (SendMessage)
  send-event                     send an event of any type (SendEvent)
  get-transcript                 print the transcript, all pages (GetTranscript)
  disconnect-participant         leave the chat (DisconnectParticipant)
  upload-attachment <FILE>       send a file to the chat (StartAttachmentUpload,
                                 the upload, CompleteAttachmentUpload)
  start-attachment-upload        the upload URL and headers for a file
                                 (StartAttachmentUpload)
  complete-attachment-upload     share the file PUT to that URL
                                 (CompleteAttachmentUpload)
  get-attachment                 an attachment's size and download URL, or the
                                 file itself with --output-file (GetAttachment)
  describe-view                  a view a ShowView block sent (DescribeView)
  get-authentication-url         the sign-in URL (GetAuthenticationUrl)
  cancel-participant-authentication
                                 cancel a sign-in session
                                 (CancelParticipantAuthentication)
  typing                         send-event: the participant is typing
  read <message-id>              send-event: a read receipt for the message
  delivered <message-id>         send-event: a delivery receipt for the message
  watch                          print each chat event, as a JSON line, as it
                                 arrives, until the chat ends
  emulator                       run the bundled emulator as a local service

Options of every command but emulator:
  --region <REGION>       the instance's AWS region, such as us-west-2
  --endpoint-url <URL>    send to this URL instead of the region's endpoint
                          (--endpoint <URL> is the same option)
  --fips                  use the region's FIPS endpoint
  --dual-stack            use the region's dual-stack (IPv4 and IPv6) endpoint
  --timeout <SECONDS>     seconds per attempt, such as 2.5 (default: 10)
  --output json           print the answer as aws --output json does: one
                          indented document, nothing for an empty answer
                          (or --json; text and table are not supported)
  -h, --help              print this help, or a command's
  --version               print the version
  --                      end of options (for a message id that starts with '-')

A region or an endpoint URL is required, from the options or the environment;
--endpoint-url cannot be combined with --fips or --dual-stack. Options may come
before or after the command. Failures worth another try (throttling, HTTP
500/502/503/504, timeouts, dropped connections) are retried, up to 3 attempts
in all (AWS_MAX_ATTEMPTS changes it).

Environment (as the AWS CLI reads it; the options above win over it):
  AWS_REGION, else AWS_DEFAULT_REGION    the region
  AWS_ENDPOINT_URL_CONNECTPARTICIPANT, else AWS_ENDPOINT_URL
                                         the endpoint URL
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS    true: ignore the two above
  AWS_USE_FIPS_ENDPOINT                  true: as --fips
  AWS_USE_DUALSTACK_ENDPOINT             true: as --dual-stack
  AWS_MAX_ATTEMPTS                       attempts per call, 1 to 20
  AWS_SDK_UA_APP_ID                      sent as app/<ID> in the User-Agent
  AWS_CA_BUNDLE                          CA certificates (PEM file) to trust
  HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY
                                         an HTTP(S) proxy; SOCKS is refused
Booleans are true or false. An empty variable counts as unset; a malformed one
is an error (exit status 2). ~/.aws/config is not read.

Tokens are never taken from the command line: arguments are visible to every
user of the machine (ps, /proc). create-participant-connection and watch read
the participant token (from StartChatContact) from CONNECT_PARTICIPANT_TOKEN;
every other operation reads the connection token from
CONNECT_CONNECTION_TOKEN. When the variable is unset or empty, the token is
the first line of standard input (asked for when standard input is a terminal;
what you type is shown). An argument that holds either token is refused (exit
status 2), neither sent nor shown; a token piped on standard input is read for
this check even when the command line has another error. Neither token is ever
printed, except the new connection token that create-participant-connection
prints on purpose. Messages show an argument only when it is at most 64
characters long.

Exit status:
  0  done
  2  usage error or invalid input (a file that cannot be read included):
     nothing was sent
  3  the service refused the call; its error type and request id are printed
  4  network failure or timeout (emulator: the port could not be bound)
  5  a local file could not be read or written once the call had begun (the
     attachment being uploaded, the file being downloaded)

Examples:
  export CONNECT_PARTICIPANT_TOKEN=...   # from StartChatContact
  export CONNECT_CONNECTION_TOKEN=$(connect-participant --region us-west-2 \\
      create-participant-connection)
  connect-participant --region us-west-2 send-message --content 'Hello!'
  connect-participant --region us-west-2 typing
  connect-participant --region us-west-2 read 11111111-aaaa-bbbb-EXAMPLE01234
  connect-participant --region us-west-2 get-transcript --output json
  connect-participant --region us-west-2 disconnect-participant
  connect-participant --region us-west-2 upload-attachment invoice.pdf
  connect-participant --region us-west-2 get-attachment \\
      --attachment-id <ID> --output-file invoice.pdf
  connect-participant --region us-west-2 watch --history
  connect-participant emulator --port 8421
";

const SERVICE_OPTIONS_HELP: &str = "\
Options of every operation command:
  --region <REGION>     the instance's AWS region, such as us-west-2
  --endpoint-url <URL>  send to this URL instead (--endpoint <URL> is the same)
  --fips                use the region's FIPS endpoint
  --dual-stack          use the region's dual-stack endpoint
  --timeout <SECONDS>   seconds per attempt, such as 2.5 (default: 10)
  --output json         print the answer as aws --output json does (--json)
  -h, --help            print this help

AWS_REGION and the other AWS variables: see connect-participant --help.

Exit status: 0 done, 2 usage error or invalid input (nothing was sent), 3 the
service refused the call, 4 network failure or timeout, 5 a local file could
not be read or written once the call had begun.
";

const HELP_CREATE: &str = "\
CreateParticipantConnection: the participant token (from StartChatContact)
buys a connection token, which every other command takes, and a WebSocket URL.
This is the one command that prints a token: that is its purpose.

Usage: connect-participant [OPTIONS] create-participant-connection
           [--type <TYPE>...] [--connect-participant | --no-connect-participant]

Options:
  --type <TYPE>...           the connection types to ask for, one or more of
                             WEBSOCKET, CONNECTION_CREDENTIALS and
                             WEBRTC_CONNECTION, separated by spaces (default:
                             WEBSOCKET CONNECTION_CREDENTIALS, as Amazon's
                             customer chat clients ask)
  --connect-participant      send ConnectParticipant true (an agent or a
                             streaming customer marks itself connected)
  --no-connect-participant   send ConnectParticipant false

The participant token is read from CONNECT_PARTICIPANT_TOKEN or, when that is
unset or empty, from the first line of standard input; never from an argument.

Output: the new connection token alone on one line of standard output, and a
note on standard error (its expiry, and that the WebSocket URL is not
printed), so that this works:
  export CONNECT_CONNECTION_TOKEN=$(connect-participant --region us-west-2 \\
      create-participant-connection)
Without CONNECTION_CREDENTIALS in --type, the WebSocket URL is printed
instead. With --output json, the service's answer with its members as it
names them: {\"Websocket\":{\"Url\":...,\"ConnectionExpiry\":...},
\"ConnectionCredentials\":{\"ConnectionToken\":...,\"Expiry\":...}} (absent
members left out). Keep that output as secret as the token it holds.
";

const HELP_SEND_MESSAGE: &str = "\
SendMessage: send a chat message as this participant.

Usage: connect-participant [OPTIONS] send-message --content <TEXT>
           [--content-type <TYPE>] [--client-token <TOKEN>]

Options:
  --content <TEXT>        the message, 1 to 16384 bytes of UTF-8 (required)
  --content-type <TYPE>   text/plain (the default here; the AWS CLI requires
                          the option), text/markdown, application/json, or
      application/vnd.amazonaws.connect.message.interactive.response
  --client-token <TOKEN>  the idempotency token (default: a new UUID v4)

The connection token is read from CONNECT_CONNECTION_TOKEN or, when that is
unset or empty, from the first line of standard input; never from an argument.
Output: sent message: Id <id> at <time>; with --output json
{\"Id\":...,\"AbsoluteTime\":...} (and MessageMetadata when the service sends
it). Write --content=<TEXT> for a text that starts with '--'.
";

const HELP_SEND_EVENT: &str = "\
SendEvent: send an event of any type the service knows.

Usage: connect-participant [OPTIONS] send-event --content-type <TYPE>
           [--content <JSON>] [--client-token <TOKEN>]

Options:
  --content-type <TYPE>   one of (required):
      application/vnd.amazonaws.connect.event.typing
      application/vnd.amazonaws.connect.event.message.delivered
      application/vnd.amazonaws.connect.event.message.read
      application/vnd.amazonaws.connect.event.connection.acknowledged (retired)
  --content <JSON>        the event's content; receipts take
                          {\"messageId\":\"<id>\"}
  --client-token <TOKEN>  the idempotency token (default: a new UUID v4)

typing, read <message-id> and delivered <message-id> are short forms.
The connection token is read from CONNECT_CONNECTION_TOKEN or, when that is
unset or empty, from the first line of standard input; never from an argument.
Output: sent <content type>: Id <id> at <time>; with --output json
{\"Id\":...,\"AbsoluteTime\":...}. A ConflictException on a receipt means
receipts are not available in this chat.
";

const HELP_SHORT_EVENTS: &str = "\
Short forms of send-event (SendEvent).

Usage: connect-participant [OPTIONS] typing [--client-token <TOKEN>]
       connect-participant [OPTIONS] read <message-id>
           [--client-token <TOKEN>]
       connect-participant [OPTIONS] delivered <message-id>
           [--client-token <TOKEN>]

  typing                  the participant is typing
  read <message-id>       a read receipt for the message
  delivered <message-id>  a delivery receipt for the message
  --client-token <TOKEN>  the idempotency token (default: a new UUID v4)

The connection token is read from CONNECT_CONNECTION_TOKEN or, when that is
unset or empty, from the first line of standard input; never from an argument.
Output: sent typing: Id <id> at <time> (or read receipt, delivery receipt);
with --output json {\"Id\":...,\"AbsoluteTime\":...}. Put -- before a message
id that starts with '-'.
";

const HELP_GET_TRANSCRIPT: &str = "\
GetTranscript: print the transcript, following NextToken to the last page.

Usage: connect-participant [OPTIONS] get-transcript [--contact-id <ID>]
           [--max-results <N>] [--next-token <TOKEN>] [--scan-direction <DIR>]
           [--sort-order <ORDER>] [--start-position <POSITION>] [--no-paginate]

Options:
  --contact-id <ID>           a contact of the current contact chain
  --max-results <N>           items per page, 0 to 100 (service default: 10)
  --next-token <TOKEN>        start at this page (a NextToken from before)
  --scan-direction <DIR>      FORWARD or BACKWARD
  --sort-order <ORDER>        ASCENDING or DESCENDING
  --start-position <POSITION> Id=<ID>,AbsoluteTime=<TIME>,MostRecent=<N>
                              (any of them), or the same as JSON
  --no-paginate               read one page only; its NextToken, if any, is
                              printed on standard error (inside the
                              document with --output json)

The first request holds exactly the options given, as the AWS CLI sends it;
each next one adds the NextToken of the page before. The connection token is
read from CONNECT_CONNECTION_TOKEN or, when that is unset or empty, from the
first line of standard input; never from an argument.

Output: one line per item. For people: time, role, display name, [content
type], and the content (at most 100 characters, line breaks as spaces,
control characters replaced); with --no-paginate, the NextToken on standard
error. With --output json: one document, as the AWS CLI prints one page,
{\"InitialContactId\":...,\"Transcript\":[...]}, with every page's items and
no NextToken; with --no-paginate the one page, its NextToken inside. A failure
on any page prints no document.
";

const HELP_DISCONNECT: &str = "\
DisconnectParticipant: leave the chat. The chat goes on for the others; the
connection token stops working.

Usage: connect-participant [OPTIONS] disconnect-participant
           [--client-token <TOKEN>]

Options:
  --client-token <TOKEN>  the idempotency token (default: a new UUID v4)

The connection token is read from CONNECT_CONNECTION_TOKEN or, when that is
unset or empty, from the first line of standard input; never from an argument.
Output: disconnected; with --output json nothing (the answer is empty).
";

const HELP_UPLOAD: &str = "\
Share a file in the chat: StartAttachmentUpload, the PUT of the file to the
upload URL it answers, then CompleteAttachmentUpload. The file is streamed,
never read whole into memory.

Usage: connect-participant [OPTIONS] upload-attachment <FILE>
           [--content-type <TYPE>]

Options:
  <FILE>                  the file; its name (without the directories) is the
                          attachment's name, 1 to 256 characters, ending in
                          .csv .doc .docx .heic .jfif .jpeg .jpg .mov .mp4
                          .pdf .png .ppt .pptx .rtf .txt .wav .xls or .xlsx;
                          1 to 20,000,000 bytes
  --content-type <TYPE>   the MIME type (default: the one of the extension,
                          such as application/pdf for .pdf)

A file that cannot be opened or has another extension is refused before the
token is read (exit status 2). The connection token is read from
CONNECT_CONNECTION_TOKEN or, when that is unset or empty, from the first line
of standard input; never from an argument. The token goes to the service
only, never to the upload URL.

Output: uploaded <name>: AttachmentId <id>, <n> bytes; with --output json
{\"AttachmentId\":...,\"AttachmentSizeInBytes\":n}. A failure names its step
(1 of 3, StartAttachmentUpload; 2, the PUT; 3, CompleteAttachmentUpload).
";

const HELP_GET_ATTACHMENT: &str = "\
GetAttachment: an attachment's size and download URL; with --output-file, the
attachment itself, saved to a file.

Usage: connect-participant [OPTIONS] get-attachment --attachment-id <ID>
           [--output-file <PATH>] [--url-expiry-in-seconds <N>]
           [--url-content-disposition <DISPOSITION>]

Options:
  --attachment-id <ID>          the attachment (from the transcript) (required)
  --output-file <PATH>          download the attachment to PATH, at most
                                20,000,000 bytes; an existing file is replaced
  --url-expiry-in-seconds <N>   how long the URL is valid, 5 to 300
  --url-content-disposition <DISPOSITION>
                                ATTACHMENT (the service's default) or INLINE

The connection token is read from CONNECT_CONNECTION_TOKEN or, when that is
unset or empty, from the first line of standard input; never from an argument.
It goes to the service only, never to the download URL.

Output: attachment of <n> bytes: download URL expires <time>. The URL grants
access to the file by itself, so it is printed only with --output json:
{\"Url\":...,\"UrlExpiry\":...,\"AttachmentSizeInBytes\":n}.
With --output-file: saved <n> bytes to <PATH>; with --output json
{\"AttachmentSizeInBytes\":n,\"OutputFile\":...}. The download goes to a
temporary file next to PATH, renamed to PATH once whole: a failed download
leaves no file behind (exit status 5 when it could not be written).
";

const HELP_DESCRIBE_VIEW: &str = "\
DescribeView: the view (a form or a card) that a ShowView block of the
contact flow sent to the chat.

Usage: connect-participant [OPTIONS] describe-view --view-token <TOKEN>

Options:
  --view-token <TOKEN>   the view's token, from the ShowView event's content
                         (required)

The connection token is read from CONNECT_CONNECTION_TOKEN or, when that is
unset or empty, from the first line of standard input; never from an argument.
Output: one line each for Id, Arn, Name, Version, Actions, InputSchema and
Template (as the service gave them, line breaks as spaces); with --output json
{\"View\":{\"Id\":...,\"Arn\":...,\"Name\":...,\"Version\":n,
\"Content\":{\"InputSchema\":...,\"Template\":...,\"Actions\":[...]}}}.
An unknown view token: ResourceNotFoundException, exit status 3.
";

const HELP_GET_AUTHENTICATION_URL: &str = "\
GetAuthenticationUrl: the URL to send the customer to for signing in, within
a minute of the authentication.initiated event that gave the session id.

Usage: connect-participant [OPTIONS] get-authentication-url
           --session-id <ID> --redirect-uri <URI>

Options:
  --session-id <ID>      the sign-in session, exactly 36 characters (required)
  --redirect-uri <URI>   where the customer goes once signed in, 1 to 1024
                         characters (required)

The connection token is read from CONNECT_CONNECTION_TOKEN or, when that is
unset or empty, from the first line of standard input; never from an argument.
Output: the URL alone on its line; with --output json
{\"AuthenticationUrl\":...}.
";

const HELP_CANCEL_AUTHENTICATION: &str = "\
CancelParticipantAuthentication: cancel a sign-in session, when the customer
gives up signing in.

Usage: connect-participant [OPTIONS] cancel-participant-authentication
           --session-id <ID>

Options:
  --session-id <ID>   the sign-in session, exactly 36 characters (required)

The connection token is read from CONNECT_CONNECTION_TOKEN or, when that is
unset or empty, from the first line of standard input; never from an argument.
Output: cancelled; with --output json nothing (the answer is empty).
";

const HELP_WATCH: &str = "\
Follow a live chat: print each event as one JSON line as it arrives, until the
chat ends. It connects as the participant (CreateParticipantConnection with
WEBSOCKET CONNECTION_CREDENTIALS) and reads the chat's WebSocket as Amazon's
chat clients do, reconnecting when the connection drops; nothing is sent to
the chat.

Usage: connect-participant [OPTIONS] watch [--history] [--heartbeat-ms <N>]
                                          [--participant-id <ID>]
                                          [--journal <FILE>] [--ordered]

Options:
  --history           print the transcript so far (its newest 1000 items) first
  --heartbeat-ms <N>  the heartbeat interval, 1 to 3600000 ms (default 10000);
                      one unanswered by the next loses the connection
  --participant-id <ID>
                      this participant's ParticipantId (StartChatContact's
                      answer has it): its own participant.left, or the
                      service disconnecting it, is then printed as left
  --journal <FILE>    append each chat item to FILE, one JSON line in the
                      service's item shape, before printing it; when FILE
                      holds items, resume after them (printing only what it
                      lacks), else start from the chat's beginning. Killed
                      at any moment and run again, FILE ends holding every
                      item once; a last line cut short by a crash is dropped
                      and fetched again. Typing is not kept.
  --ordered           hold events for 250 ms and print them in AbsoluteTime
                      order (the service does not promise frames in order)

The participant token is read from CONNECT_PARTICIPANT_TOKEN or, when that is
unset or empty, from the first line of standard input; never from an argument.
Neither token nor the WebSocket URL is ever printed.

Output: always JSON lines, one per event, written as it arrives:
  {\"Event\":\"message\",\"Item\":{\"AbsoluteTime\":...,\"Content\":...,...}}
Event is one of message, update (a later version of an item already printed,
same Id), typing, delivered, read (one line per receipt, with the whole
receipt item), attachment, left, every other event of the service's catalogue
by its content type after application/vnd.amazonaws.connect.event.
(participant.joined, participant.left, participant.invited, participant.idle,
participant.returned, participant.autodisconnection, participant.active,
participant.inactive, participant.displayname.updated, transfer.succeeded,
transfer.failed, chat.rehydrated, chat.ended, connection.acknowledged,
authentication.initiated, .succeeded, .failed, .timeout, .expired,
.cancelled, workflow.cancelled), and other for what the catalogue does not
name. Item has the item's members as the service sent them (members this
crate does not know included). The connection's changes
come as lines of their own, in order with the events:
  {\"Connection\":\"established\"}                      first
  {\"Connection\":\"lost\",\"Reason\":\"heartbeat missed\"}  once per outage
  {\"Connection\":\"restored\",\"Missed\":2,\"DownForMs\":840}
(Reason: heartbeat missed, deep heartbeat failed, closed with code N, closed
without a code, read error: ...; a new socket counts as restored once it
answered a heartbeat; Missed: the items the outage's catch-ups found, printed
next).
The last line is chat.ended, alone as {\"Event\":\"chat.ended\"} when the end
was learnt without an item, or left when this participant left the chat
(disconnected, by itself or by the service) while it goes on for the others;
then the exit status is 0. --output json and --json are accepted and change
nothing. On a failure (the reconnection attempts run out, say) the lines
printed so far stay, and the error is reported as for every command (an
unknown participant token: exit status 3, no line).
";

const HELP_EMULATOR: &str = "\
Run the bundled Participant Service emulator as a local service on
127.0.0.1, for trying clients and scripts without AWS.

Usage: connect-participant emulator [--port <N>] [settings]

Options:
  --port <N>                the port to listen on (0 or none: a free one)
  --connection-token-lifetime <SECONDS>
                            how long connection tokens last (1 to
                            315360000; default 86400)
  --max-chats <N>           chats kept, the oldest forgotten (1 to 1000000;
                            default 1000)
  --max-connections <N>     open HTTP connections (1 to 10000; default 256)
  --max-websockets <N>      open WebSockets (0 to 10000; default 256)
  --idle-timeout <SECONDS>  a silent connection is closed (1 to 86400;
                            default 60)

The first line of standard output is the emulator's base URL, such as
http://127.0.0.1:8421; give it to the other commands as --endpoint-url. The
emulator then serves until the process is killed (Ctrl-C, SIGTERM); standard
input is not read. It is for local use only: anything that can reach the
port can use it.

Its control path takes POSTs of JSON (and one GET). With
  U=http://127.0.0.1:8421/emulator; J='Content-Type: application/json'
  C=<ContactId>
start a chat, answered {\"ContactId\":...,\"ParticipantId\":...,
\"ParticipantToken\":...} (the customer's):
  curl -s -H \"$J\" -d '{}' $U/chats
the agent speaks, sends an event, ends the chat:
  curl -s -H \"$J\" -d '{\"Content\":\"Hi\",\"ContentType\":\"text/plain\"}' \\
      $U/chats/$C/messages
  curl -s -H \"$J\" -d '{\"ContentType\":'\\
'\"application/vnd.amazonaws.connect.event.typing\"}' $U/chats/$C/events
  curl -s -H \"$J\" -d '{}' $U/chats/$C/end
read the whole transcript:
  curl -s $U/chats/$C/transcript
add a participant, start an authentication session (its SessionId):
  curl -s -H \"$J\" -d '{\"ParticipantRole\":\"CUSTOM_BOT\",\"DisplayName\":\"Bot\"}' \\
      $U/chats/$C/participants
  curl -s -H \"$J\" -d '{}' $U/chats/$C/authentication
drop or close the chat's WebSockets (\"ParticipantId\":... for one's):
  curl -s -H \"$J\" -d '{}' $U/chats/$C/websockets/drop
  curl -s -H \"$J\" -d '{\"Code\":1001}' $U/chats/$C/websockets/close
register a view for describe-view:
  curl -s -H \"$J\" -d '{\"ViewToken\":\"v1\",\"View\":{\"Id\":\"v\",\"Name\":\"Form\"}}' \\
      $U/views
fail the next request (or \"Count\":n of them; or \"Fault\":\"Stall\",
\"CloseBeforeHandling\", \"CloseAfterHandling\", \"CloseMidResponse\"; or
\"Fault\":\"Respond\" with \"Status\" and a JSON \"Body\" to answer instead):
  curl -s -H \"$J\" -d '{\"Fault\":\"Error\",\"Status\":429,\"ErrorType\":'\\
'\"ThrottlingException\"}' $U/faults
step the clock, revoke a connection token:
  curl -s -H \"$J\" -d '{\"AdvanceSeconds\":86400}' $U/clock
  curl -s -H \"$J\" -d '{\"ConnectionToken\":\"...\"}' $U/tokens/revoke
token lifetime, heartbeat answers, WebSocket upgrades (each optional):
  curl -s -H \"$J\" -d '{\"ConnectionTokenLifetimeSeconds\":5,'\\
'\"HeartbeatAnswers\":false,\"WebSocketUpgrades\":true}' $U/settings
An unknown path is answered 404 with the list of paths; see the crate's
docs/emulator.md for every member.

Exit status: 0 never (it serves until killed), 2 usage error, 4 the port
could not be bound.
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{CONNECTION_TOKEN_VAR, PARTICIPANT_TOKEN_VAR};
    use connect_participant::__cli::MAX_SHOWN_CHARS;

    #[test]
    fn help_names_every_command_option_and_fits_80_columns() {
        let all = help(None);
        for word in [
            "create-participant-connection",
            "send-message",
            "send-event",
            "get-transcript",
            "disconnect-participant",
            "upload-attachment <FILE>",
            "get-attachment",
            "describe-view",
            "get-authentication-url",
            "cancel-participant-authentication",
            "typing",
            "read <message-id>",
            "delivered <message-id>",
            "watch",
            "emulator",
            "--region <REGION>",
            "--endpoint-url <URL>",
            "--endpoint <URL>",
            "--fips",
            "--dual-stack",
            "--timeout <SECONDS>",
            "--output json",
            "--json",
            "-h, --help",
            "--version",
            PARTICIPANT_TOKEN_VAR,
            CONNECTION_TOKEN_VAR,
            "Exit status",
            "Examples",
            "at most 64",
        ] {
            assert!(all.contains(word), "{word}");
        }
        for var in connect_participant::__cli::AWS_VARIABLES {
            assert!(all.contains(var), "{var}");
        }
        for var in connect_participant::__cli::PROXY_VARIABLES {
            assert!(all.contains(&var.to_ascii_uppercase()), "{var}");
        }
        // The one length rule, as the library applies it (whatever the line breaks).
        let words = all.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains(&format!("at most {MAX_SHOWN_CHARS} characters long")));
        let options: &[(Name, &[&str])] = &[
            (
                Name::CreateParticipantConnection,
                &[
                    "--type <TYPE>...",
                    "--connect-participant",
                    "--no-connect-participant",
                ],
            ),
            (
                Name::SendMessage,
                &[
                    "--content <TEXT>",
                    "--content-type <TYPE>",
                    "--client-token <TOKEN>",
                ],
            ),
            (
                Name::SendEvent,
                &[
                    "--content <JSON>",
                    "--content-type <TYPE>",
                    "--client-token <TOKEN>",
                ],
            ),
            (
                Name::GetTranscript,
                &[
                    "--contact-id <ID>",
                    "--max-results <N>",
                    "--next-token <TOKEN>",
                    "--scan-direction <DIR>",
                    "--sort-order <ORDER>",
                    "--start-position <POSITION>",
                    "--no-paginate",
                ],
            ),
            (Name::DisconnectParticipant, &["--client-token <TOKEN>"]),
            (Name::Typing, &["--client-token <TOKEN>"]),
            (
                Name::UploadAttachment,
                &["<FILE>", "--content-type <TYPE>", ".pdf", "streamed"],
            ),
            (
                Name::GetAttachment,
                &[
                    "--attachment-id <ID>",
                    "--output-file <PATH>",
                    "--url-expiry-in-seconds <N>",
                    "--url-content-disposition <DISPOSITION>",
                    "ATTACHMENT",
                    "INLINE",
                    "grants",
                ],
            ),
            (Name::DescribeView, &["--view-token <TOKEN>"]),
            (
                Name::GetAuthenticationUrl,
                &["--session-id <ID>", "--redirect-uri <URI>"],
            ),
            (
                Name::CancelParticipantAuthentication,
                &["--session-id <ID>"],
            ),
            (
                Name::Watch,
                &[
                    "--history",
                    "--heartbeat-ms <N>",
                    "--participant-id <ID>",
                    "--journal <FILE>",
                    "--ordered",
                    "JSON line",
                    "chat.ended",
                    "{\"Connection\":\"lost\"",
                ],
            ),
            (Name::Emulator, &["--port <N>"]),
        ];
        for (name, words) in options {
            let h = help(Some(*name));
            for w in *words {
                assert!(h.contains(w), "{name:?}: {w}");
            }
            if *name != Name::Emulator {
                assert!(h.contains("--endpoint-url <URL>"), "{name:?}");
            }
        }
        for name in Name::ALL {
            for line in help(Some(name)).lines().chain(all.lines()) {
                assert!(line.chars().count() <= 80, "{line}");
            }
        }
    }
}
