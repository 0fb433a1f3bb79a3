//! The standalone emulator's control path, spoken to as a test in another language would:
//! raw HTTP to `connect-participant emulator`, never the Rust API. Every path README lists
//! is exercised here, and the set of paths exercised is checked against README's list.

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::net::SocketAddr;

use serde_json::{Value, json};
use tungstenite::Message;

use super::super::{Token, assert_success, code, run, stderr, stdout};
use super::{addr_of, serve};
use crate::support::raw::{Answer, Conn, call, head, send};
use crate::support::ws::{HEARTBEAT, SUBSCRIBE, SUBSCRIBED, Socket, next_text, open};

/// The control paths README's emulator section lists, as `METHOD /emulator/...`.
pub(super) fn readme_control_paths() -> BTreeSet<String> {
    let readme = include_str!("../../../../README.md");
    let start = readme.find("## Using the emulator in your tests").unwrap();
    let end = start + readme[start..].find("## Chat helpers").unwrap();
    let mut paths = BTreeSet::new();
    for piece in readme[start..end].split('`').skip(1).step_by(2) {
        for method in ["POST ", "GET "] {
            if let Some(path) = piece.strip_prefix(method) {
                if path.starts_with("/emulator/") && !path.contains(' ') {
                    paths.insert(piece.to_owned());
                }
            }
        }
    }
    paths
}

/// Calls to the control path and the service, each control route recorded as exercised.
struct Drive {
    addr: SocketAddr,
    exercised: BTreeSet<String>,
}

impl Drive {
    /// `POST /emulator/{path}` with a JSON body; `route` is the path as README names it.
    fn post(&mut self, route: &str, path: &str, body: &Value) -> Answer {
        self.exercised.insert(format!("POST /emulator/{route}"));
        call(
            self.addr,
            "POST",
            &format!("/emulator/{path}"),
            None,
            &body.to_string(),
        )
    }

    /// A control POST that must succeed: its JSON answer.
    fn ok(&mut self, route: &str, path: &str, body: &Value) -> Value {
        let a = self.post(route, path, body);
        assert_eq!(a.status, 200, "{route}: {}", a.text());
        a.json()
    }

    /// An operation of the service with a bearer: status and JSON answer.
    fn op(&self, operation: &str, bearer: &str, body: &Value) -> (u16, Value) {
        let a = call(
            self.addr,
            "POST",
            &format!("/participant/{operation}"),
            Some(bearer),
            &body.to_string(),
        );
        let json = if a.body.is_empty() {
            json!(null)
        } else {
            a.json()
        };
        (a.status, json)
    }

    /// CreateParticipantConnection for credentials: the connection token.
    fn connect(&self, participant_token: &str) -> String {
        let (status, answer) = self.op(
            "connection",
            participant_token,
            &json!({"Type": ["CONNECTION_CREDENTIALS"]}),
        );
        assert_eq!(status, 200, "{answer}");
        answer["ConnectionCredentials"]["ConnectionToken"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

#[test]
fn every_control_path_readme_lists_works_over_http_on_the_standalone_emulator() {
    let (_served, line) = serve(&[]);
    let mut d = Drive {
        addr: addr_of(&line),
        exercised: BTreeSet::new(),
    };
    let chat = d.ok("chats", "chats", &json!({}));
    let c = chat["ContactId"].as_str().unwrap().to_owned();
    assert_eq!(c.len(), 36);
    let token = d.connect(chat["ParticipantToken"].as_str().unwrap());
    agent_side(&mut d, &c);
    sessions_and_views(&mut d, &c, &token);
    sockets_and_settings(&mut d, &c);
    faults_clock_and_tokens(&mut d, chat["ParticipantToken"].as_str().unwrap());
    // The transcript, read over GET, then the end.
    d.exercised
        .insert("GET /emulator/chats/{ContactId}/transcript".into());
    let a = call(
        d.addr,
        "GET",
        &format!("/emulator/chats/{c}/transcript"),
        None,
        "",
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let t = a.json();
    assert_eq!(t["InitialContactId"], json!(c));
    let contents: Vec<&str> = t["Transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["Content"].as_str())
        .collect();
    assert_eq!(contents[0], "Hi");
    assert_eq!(
        d.ok(
            "chats/{ContactId}/end",
            &format!("chats/{c}/end"),
            &json!({})
        ),
        json!({})
    );
    let a = call(
        d.addr,
        "GET",
        &format!("/emulator/chats/{c}/transcript"),
        None,
        "",
    );
    let last = a.json()["Transcript"].as_array().unwrap().last().cloned();
    assert_eq!(
        last.unwrap()["ContentType"],
        "application/vnd.amazonaws.connect.event.chat.ended"
    );
    // Every path README lists was exercised, and no other.
    assert_eq!(d.exercised, readme_control_paths());
    // The 404 help names them all.
    let a = call(d.addr, "POST", "/emulator/nowhere", None, "{}");
    assert_eq!(a.status, 404);
    let help = a.json()["message"].as_str().unwrap().to_owned();
    for path in readme_control_paths() {
        let bare = path.split_once(' ').unwrap().1;
        assert!(
            help.contains(bare),
            "the 404 help leaves out {bare}: {help}"
        );
    }
}

/// The agent speaks and sends an event; a participant joins.
fn agent_side(d: &mut Drive, c: &str) {
    let said = d.ok(
        "chats/{ContactId}/messages",
        &format!("chats/{c}/messages"),
        &json!({"Content": "Hi", "ContentType": "text/plain"}),
    );
    assert_eq!(said["Id"].as_str().unwrap().len(), 36);
    let sent = d.ok(
        "chats/{ContactId}/events",
        &format!("chats/{c}/events"),
        &json!({"ContentType": "application/vnd.amazonaws.connect.event.participant.invited"}),
    );
    assert_eq!(sent["Id"].as_str().unwrap().len(), 36);
    let bot = d.ok(
        "chats/{ContactId}/participants",
        &format!("chats/{c}/participants"),
        &json!({"ParticipantRole": "CUSTOM_BOT", "DisplayName": "Bot"}),
    );
    d.connect(bot["ParticipantToken"].as_str().unwrap());
}

/// An authentication session and a view, each then taken by the service's operations.
fn sessions_and_views(d: &mut Drive, c: &str, token: &str) {
    let session = d.ok(
        "chats/{ContactId}/authentication",
        &format!("chats/{c}/authentication"),
        &json!({}),
    );
    let id = session["SessionId"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    let (status, url) = d.op(
        "authentication-url",
        token,
        &json!({"SessionId": id, "RedirectUri": "https://example.com/back"}),
    );
    assert_eq!(status, 200, "{url}");
    assert!(url["AuthenticationUrl"].is_string(), "{url}");
    let (status, cancelled) = d.op("cancel-authentication", token, &json!({"SessionId": id}));
    assert_eq!((status, cancelled), (200, json!({})));
    let view = json!({"Arn": "arn:aws:connect:us-east-1:1:view/v", "Content":
        {"Actions": ["Submit"], "InputSchema": "{}", "Template": "{}"},
        "Id": "v", "Name": "Form", "Version": 1});
    let added = d.ok("views", "views", &json!({"ViewToken": "v1", "View": view}));
    assert_eq!(added, json!({}));
    let a = call(d.addr, "GET", "/participant/views/v1", Some(token), "");
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json(), json!({ "View": view }));
}

/// The chat's sockets (none open here: see the test of one participant's) and settings.
fn sockets_and_settings(d: &mut Drive, c: &str) {
    let dropped = d.ok(
        "chats/{ContactId}/websockets/drop",
        &format!("chats/{c}/websockets/drop"),
        &json!({}),
    );
    assert_eq!(dropped, json!({"WebSockets": 0}));
    let closed = d.ok(
        "chats/{ContactId}/websockets/close",
        &format!("chats/{c}/websockets/close"),
        &json!({"Code": 1001}),
    );
    assert_eq!(closed, json!({"WebSockets": 0}));
    let settings = d.ok("settings", "settings", &json!({"HeartbeatAnswers": false}));
    assert_eq!(
        settings,
        json!({"ConnectionTokenLifetimeSeconds": 86400, "HeartbeatAnswers": false,
            "DeepHeartbeatAnswers": true, "WebSocketUpgrades": true})
    );
}

/// A fault for the next request, a revoked token, and a clock step that expires them all.
fn faults_clock_and_tokens(d: &mut Drive, participant_token: &str) {
    let typing = json!({"ContentType": "application/vnd.amazonaws.connect.event.typing"});
    let token = d.connect(participant_token);
    let queued = d.ok(
        "faults",
        "faults",
        &json!({"Fault": "Error", "Status": 429, "ErrorType": "ThrottlingException",
            "Message": "Rate exceeded"}),
    );
    assert_eq!(queued, json!({"Queued": 1}));
    // The control path's own calls take no fault: the next call to the service does.
    let read = d.ok("clock", "clock", &json!({}));
    let before = read["Now"].as_str().unwrap().to_owned();
    let a = call(
        d.addr,
        "POST",
        "/participant/event",
        Some(&token),
        &typing.to_string(),
    );
    assert_eq!(a.status, 429);
    assert_eq!(a.header("x-amzn-ErrorType"), Some("ThrottlingException"));
    assert_eq!(a.json(), json!({"message": "Rate exceeded"}));
    assert_eq!(d.op("event", &token, &typing).0, 200);
    // Revoked: refused from then on; the others go on.
    let other = d.connect(participant_token);
    let revoked = d.ok(
        "tokens/revoke",
        "tokens/revoke",
        &json!({"ConnectionToken": token}),
    );
    assert_eq!(revoked, json!({"Revoked": true}));
    assert_eq!(d.op("event", &token, &typing).0, 403);
    assert_eq!(d.op("event", &other, &typing).0, 200);
    let again = d.ok(
        "tokens/revoke",
        "tokens/revoke",
        &json!({"ConnectionToken": token}),
    );
    assert_eq!(again, json!({"Revoked": false}));
    // A day later: every connection token has expired.
    let stepped = d.ok("clock", "clock", &json!({"AdvanceSeconds": 86400}));
    let after = stepped["Now"].as_str().unwrap();
    assert_eq!(&after[..4], &before[..4], "{before} {after}");
    assert!(after > before.as_str(), "{before} {after}");
    assert_eq!(d.op("event", &other, &typing).0, 403);
}

#[test]
fn each_fault_kind_over_http_meets_the_next_service_request() {
    // A stalled request is held until the idle timeout closes it: 1 s here.
    let (_served, line) = serve(&["--idle-timeout", "1"]);
    let addr = addr_of(&line);
    let chat = call(addr, "POST", "/emulator/chats", None, "{}").json();
    let c = chat["ContactId"].as_str().unwrap();
    let d = Drive {
        addr,
        exercised: BTreeSet::new(),
    };
    let token = d.connect(chat["ParticipantToken"].as_str().unwrap());
    let message = |content: &str| {
        let body = json!({"Content": content, "ContentType": "text/plain"}).to_string();
        let length = body.len().to_string();
        let mut request = head(&[
            "POST /participant/message HTTP/1.1",
            &format!("Host: {addr}"),
            "Connection: close",
            &format!("X-Amz-Bearer: {token}"),
            "Content-Type: application/json",
            &format!("Content-Length: {length}"),
        ]);
        request.extend_from_slice(body.as_bytes());
        let mut conn = Conn::open(addr);
        conn.send(&request);
        // Bounded by the emulator's idle timeout (a stall) and the read's safety net.
        conn.read_until_closed().0
    };
    let fault = |body: Value| {
        let a = call(addr, "POST", "/emulator/faults", None, &body.to_string());
        assert_eq!(a.status, 200, "{}", a.text());
    };
    fault(json!({"Fault": "CloseBeforeHandling"}));
    assert_eq!(message("before"), b"");
    fault(json!({"Fault": "CloseAfterHandling"}));
    assert_eq!(message("after"), b"");
    fault(json!({"Fault": "CloseMidResponse"}));
    let half = message("mid");
    assert!(half.starts_with(b"HTTP/1.1 200 "), "{half:?}");
    assert!(!half.ends_with(b"}"), "{}", String::from_utf8_lossy(&half));
    fault(json!({"Fault": "Stall"}));
    assert_eq!(message("stalled"), b"");
    fault(
        json!({"Fault": "Error", "Status": 503, "ErrorType": "ServiceUnavailable",
        "Count": 2}),
    );
    for _ in 0..2 {
        let raw = message("refused");
        assert!(raw.starts_with(b"HTTP/1.1 503 "), "{raw:?}");
    }
    fault(json!({"Fault": "Respond", "Status": 202, "Body": {"Id": "mine", "N": [1]}}));
    let answered = String::from_utf8(message("answered")).unwrap();
    assert!(answered.starts_with("HTTP/1.1 202 "), "{answered}");
    assert!(
        answered.contains("\r\nContent-Type: application/json\r\n"),
        "{answered}"
    );
    assert!(
        answered.ends_with("\r\n\r\n{\"Id\":\"mine\",\"N\":[1]}"),
        "{answered}"
    );
    fault(json!({"Fault": "Respond"}));
    let answered = message("answered");
    assert!(answered.starts_with(b"HTTP/1.1 200 "), "{answered:?}");
    assert!(answered.ends_with(b"\r\n\r\n{}"), "{answered:?}");
    assert!(message("through").starts_with(b"HTTP/1.1 200 "));
    // What was handled landed; what was closed before handling or refused did not.
    let t = call(
        addr,
        "GET",
        &format!("/emulator/chats/{c}/transcript"),
        None,
        "",
    )
    .json();
    let said: Vec<&str> = t["Transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["Content"].as_str())
        .collect();
    assert_eq!(said, ["after", "mid", "stalled", "through"]);
}

/// Bodies the control path refuses: (path after `/emulator/`, body, status, message).
/// `{c}` is a chat on, `{e}` an ended one; `SECRET` stands for a token no answer repeats.
const BAD_BODIES: &[(&str, &str, u16, &str)] = &[
    (
        "faults",
        "{}",
        400,
        "Fault is required: Error, Respond, CloseBeforeHandling, CloseAfterHandling, CloseMidResponse or Stall",
    ),
    (
        "faults",
        r#"{"Fault":"Boom"}"#,
        400,
        "Fault must be Error, Respond, CloseBeforeHandling, CloseAfterHandling, CloseMidResponse or Stall; got \"Boom\"",
    ),
    (
        "faults",
        r#"{"Fault":"Error","ErrorType":"X"}"#,
        400,
        "Status is required for an Error",
    ),
    (
        "faults",
        r#"{"Fault":"Error","Status":200,"ErrorType":"X"}"#,
        400,
        "Status must be an HTTP error status, 400 to 599",
    ),
    (
        "faults",
        r#"{"Fault":"Error","Status":500,"ErrorType":"X\r\nSet-Cookie: a"}"#,
        400,
        "ErrorType is required for an Error: 1 to 256 letters, digits and . _ : # - (ThrottlingException, say)",
    ),
    (
        "faults",
        r#"{"Fault":"Stall","Status":500}"#,
        400,
        "Status is for a Fault of Error or Respond only",
    ),
    (
        "faults",
        r#"{"Fault":"Error","Status":500,"ErrorType":"X","Body":{}}"#,
        400,
        "Body is for a Fault of Respond only",
    ),
    (
        "faults",
        r#"{"Fault":"Respond","Status":101}"#,
        400,
        "Status must be an HTTP status, 200 to 599",
    ),
    (
        "faults",
        r#"{"Fault":"Respond","Status":600}"#,
        400,
        "Status must be an HTTP status, 200 to 599",
    ),
    (
        "faults",
        r#"{"Fault":"Respond","Status":"200","Body":[]}"#,
        400,
        "Status must be an HTTP status, 200 to 599",
    ),
    (
        "faults",
        r#"{"Fault":"Respond","Message":"m"}"#,
        400,
        "Message is for a Fault of Error only",
    ),
    (
        "faults",
        r#"{"Fault":"Stall","Count":0}"#,
        400,
        "Count must be an integer from 1 to 1000",
    ),
    (
        "faults",
        r#"{"Fault":"Stall","Count":1001}"#,
        400,
        "Count must be an integer from 1 to 1000",
    ),
    (
        "faults",
        r#"{"Fault":"Stall","Times":2}"#,
        400,
        "POST /emulator/faults takes no member \"Times\": it takes Fault, Count, Status, ErrorType, Message, Body",
    ),
    (
        "clock",
        r#"{"AdvanceSeconds":-1}"#,
        400,
        "AdvanceSeconds must be a number of seconds from 0 to 31536000000 (the clock only moves forward)",
    ),
    (
        "clock",
        r#"{"AdvanceSeconds":"1"}"#,
        400,
        "AdvanceSeconds must be a number of seconds from 0 to 31536000000 (the clock only moves forward)",
    ),
    (
        "settings",
        r#"{"ConnectionTokenLifetimeSeconds":0}"#,
        400,
        "ConnectionTokenLifetimeSeconds must be an integer from 1 to 315360000",
    ),
    (
        "settings",
        r#"{"Lifetime":5}"#,
        400,
        "POST /emulator/settings takes no member \"Lifetime\": it takes ConnectionTokenLifetimeSeconds, HeartbeatAnswers, DeepHeartbeatAnswers, WebSocketUpgrades",
    ),
    ("tokens/revoke", "{}", 400, "ConnectionToken is required"),
    (
        "tokens/revoke",
        r#"{"ConnectionToken":"SECRET","Why":1}"#,
        400,
        "POST /emulator/tokens/revoke takes no member \"Why\": it takes ConnectionToken",
    ),
    (
        "views",
        r#"{"ViewToken":"","View":{}}"#,
        400,
        "ViewToken is required, of 1 to 1000 characters",
    ),
    (
        "views",
        r#"{"ViewToken":"v","View":"text"}"#,
        400,
        "View is required, a JSON object (DescribeView's View: Arn, Content, Id, Name, Version...)",
    ),
    (
        "chats/{c}/authentication",
        r#"{"Session":1}"#,
        400,
        "POST /emulator/chats/{ContactId}/authentication takes no member; got \"Session\"",
    ),
    ("chats/{e}/authentication", "{}", 400, "the chat has ended"),
    (
        "chats/nobody/authentication",
        "{}",
        404,
        "no chat with ContactId nobody",
    ),
    (
        "chats/{c}/websockets/drop",
        r#"{"ParticipantId":"nobody"}"#,
        404,
        "the chat {c} has no participant with ParticipantId nobody",
    ),
    (
        "chats/{c}/websockets/close",
        r#"{"ParticipantId":""}"#,
        400,
        "Code is required",
    ),
    (
        "chats/{c}/websockets/close",
        r#"{"Code":1001,"ParticipantId":""}"#,
        400,
        "ParticipantId must not be empty",
    ),
];

#[test]
fn control_paths_refuse_bad_bodies_with_a_400_that_says_which() {
    let (_served, line) = serve(&[]);
    let addr = addr_of(&line);
    let start = || call(addr, "POST", "/emulator/chats", None, "{}").json()["ContactId"].clone();
    let (c, e) = (start(), start());
    let (c, e) = (c.as_str().unwrap(), e.as_str().unwrap());
    assert_eq!(
        call(
            addr,
            "POST",
            &format!("/emulator/chats/{e}/end"),
            None,
            "{}"
        )
        .status,
        200
    );
    let secret = "a-connection-token-that-must-not-be-echoed";
    let fill = |s: &str| {
        s.replace("{c}", c)
            .replace("{e}", e)
            .replace("SECRET", secret)
    };
    for (path, body, status, message) in BAD_BODIES {
        let (path, body) = (fill(path), fill(body));
        let a = call(addr, "POST", &format!("/emulator/{path}"), None, &body);
        let said = a.json()["message"].as_str().map(str::to_owned);
        assert_eq!(
            (a.status, said),
            (*status, Some(fill(message))),
            "{path} {body}"
        );
        assert!(!a.text().contains(secret), "{path}: {}", a.text());
    }
    // Nothing was queued by the refusals; faults that would pass the bound are queued
    // all or none.
    let queue = |count: u32| {
        let body = json!({"Fault": "Stall", "Count": count}).to_string();
        call(addr, "POST", "/emulator/faults", None, &body)
    };
    let full = |queued: u32| {
        format!(
            "the fault queue holds at most 1000 faults and {queued} are queued: requests \
             must take some first; nothing was queued"
        )
    };
    assert_eq!(queue(999).json(), json!({"Queued": 999}));
    let a = queue(2);
    assert_eq!(
        (a.status, a.json()["message"].clone()),
        (400, json!(full(999)))
    );
    assert_eq!(queue(1).json(), json!({"Queued": 1000}));
    let a = queue(1);
    assert_eq!(
        (a.status, a.json()["message"].clone()),
        (400, json!(full(1000)))
    );
    // Without the JSON content type: 415, nothing changed.
    let a = send(
        addr,
        "POST",
        "/emulator/clock",
        &[("Content-Length", "2")],
        b"{}",
    );
    assert_eq!(a.status, 415);
}

/// A subscribed WebSocket of a participant, by its participant token.
fn subscribed_socket(d: &Drive, participant_token: &str) -> Socket {
    let (status, answer) = d.op(
        "connection",
        participant_token,
        &json!({"Type": ["WEBSOCKET"]}),
    );
    assert_eq!(status, 200, "{answer}");
    let mut ws = open(answer["Websocket"]["Url"].as_str().unwrap()).unwrap();
    ws.send(Message::text(SUBSCRIBE)).unwrap();
    // Subscribed: the emulator holds the socket from here on.
    assert_eq!(next_text(&mut ws), SUBSCRIBED);
    ws
}

#[test]
fn websockets_of_one_participant_are_dropped_or_closed_alone() {
    let (_served, line) = serve(&[]);
    let d = Drive {
        addr: addr_of(&line),
        exercised: BTreeSet::new(),
    };
    let chat = call(d.addr, "POST", "/emulator/chats", None, "{}").json();
    let c = chat["ContactId"].as_str().unwrap();
    let customer_id = chat["ParticipantId"].as_str().unwrap();
    let path = format!("/emulator/chats/{c}/participants");
    let body = json!({"ParticipantRole": "CUSTOM_BOT", "DisplayName": "Bot"}).to_string();
    let bot = call(d.addr, "POST", &path, None, &body).json();
    let mut customer_ws = subscribed_socket(&d, chat["ParticipantToken"].as_str().unwrap());
    let mut bot_ws = subscribed_socket(&d, bot["ParticipantToken"].as_str().unwrap());
    let bot_id = bot["ParticipantId"].as_str().unwrap();
    let drop = json!({ "ParticipantId": bot_id }).to_string();
    let a = call(
        d.addr,
        "POST",
        &format!("/emulator/chats/{c}/websockets/drop"),
        None,
        &drop,
    );
    assert_eq!(a.json(), json!({"WebSockets": 1}));
    // The bot's socket is cut without a close frame; the customer's still serves.
    match bot_ws.read() {
        Err(tungstenite::Error::Io(e))
            if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
        {
            panic!("the bot's socket is still open")
        }
        Ok(Message::Close(_)) => panic!("a drop sends no close frame"),
        Ok(other) => panic!("a frame after the drop: {other:?}"),
        Err(_) => {}
    }
    customer_ws.send(Message::text(HEARTBEAT)).unwrap();
    assert_eq!(next_text(&mut customer_ws), HEARTBEAT);
    let close = json!({ "ParticipantId": customer_id, "Code": 4000 }).to_string();
    let a = call(
        d.addr,
        "POST",
        &format!("/emulator/chats/{c}/websockets/close"),
        None,
        &close,
    );
    assert_eq!(a.json(), json!({"WebSockets": 1}));
    match customer_ws.read() {
        Ok(Message::Close(Some(frame))) => assert_eq!(u16::from(frame.code), 4000),
        other => panic!("expected a close frame with 4000, got {other:?}"),
    }
}

#[test]
fn an_expired_token_made_from_the_shell_gets_the_clis_expired_or_ended_message() {
    for flags in [&[][..], &["--connection-token-lifetime", "5"][..]] {
        let (_served, line) = serve(flags);
        let url = line.trim_end();
        let addr = addr_of(url);
        if flags.is_empty() {
            let body = r#"{"ConnectionTokenLifetimeSeconds":5}"#;
            let a = call(addr, "POST", "/emulator/settings", None, body);
            assert_eq!(a.json()["ConnectionTokenLifetimeSeconds"], 5);
        } else {
            // The flag set it: the settings say so.
            let a = call(addr, "POST", "/emulator/settings", None, "{}");
            assert_eq!(a.json()["ConnectionTokenLifetimeSeconds"], 5);
        }
        let chat = call(addr, "POST", "/emulator/chats", None, "{}").json();
        let participant = chat["ParticipantToken"].as_str().unwrap();
        let out = run(
            &["--endpoint-url", url, "create-participant-connection"],
            Token::ParticipantEnv(participant),
        );
        assert_eq!(code(&out), 0, "{out:?}");
        assert!(stderr(&out).starts_with("printed the connection token (expires "));
        let token = stdout(&out).trim_end().to_owned();
        let typing = ["--endpoint-url", url, "typing"];
        assert_success(&run(&typing, Token::Env(&token)));
        let a = call(
            addr,
            "POST",
            "/emulator/clock",
            None,
            r#"{"AdvanceSeconds":10}"#,
        );
        assert_eq!(a.status, 200);
        let out = run(&typing, Token::Env(&token));
        assert_eq!(code(&out), 3, "{out:?}");
        let err = stderr(&out);
        let first = err.lines().next().unwrap();
        assert!(
            first.starts_with(
                "error: service error AccessDeniedException (HTTP 403): Access denied \
                 (request id "
            ),
            "{err}"
        );
        assert!(
            first.ends_with(
                "; usual causes: the connection token expired or is unknown, the chat ended \
                 or this participant left it, the endpoint's region is not the Amazon Connect \
                 instance's, or a participant token was given for a connection token"
            ),
            "{err}"
        );
    }
}
