//! The control path (the agent's side), CORS for browser pages, and the port served.

use std::net::TcpListener;

use connect_participant::emulator::Emulator;
use serde_json::json;

use super::{agent_view, assert_denied, contents, keys, transcript};
use crate::support::content_type::{CHAT_ENDED, JOINED};
use crate::support::raw::{call, exchange, head, op};

#[test]
fn control_path_starts_chats_lets_the_agent_speak_and_ends_them() {
    let emulator = Emulator::start().unwrap();
    let addr = emulator.addr();
    let a = call(addr, "POST", "/emulator/chats", None, "");
    assert_eq!(a.status, 200, "{}", a.text());
    let started = a.json();
    assert_eq!(
        keys(&started),
        ["ContactId", "ParticipantId", "ParticipantToken"]
    );
    let contact_id = started["ContactId"].as_str().unwrap();
    let participant_token = started["ParticipantToken"].as_str().unwrap();
    assert_eq!(contact_id.len(), 36);
    // The customer's ParticipantId, as StartChatContact answers it.
    let participant_id = started["ParticipantId"].as_str().unwrap();
    assert_eq!(participant_id.len(), 36);
    assert_ne!(participant_id, contact_id);
    assert!(
        participant_token.starts_with("QVFJREFI")
            && participant_token.bytes().all(|b| b.is_ascii_graphic())
            && (100..=300).contains(&participant_token.len())
    );
    let token = op(
        &emulator,
        "connection",
        participant_token,
        &json!({"Type": ["CONNECTION_CREDENTIALS"]}),
    )
    .json()["ConnectionCredentials"]["ConnectionToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let body = json!({"Content": "Hi, I am the agent", "ContentType": "text/plain"}).to_string();
    let a = call(
        addr,
        "POST",
        &format!("/emulator/chats/{contact_id}/messages"),
        None,
        &body,
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let said = a.json();
    assert_eq!(keys(&said), ["AbsoluteTime", "Id"]);
    let t = transcript(&emulator, &token, &json!({"MaxResults": 1}));
    assert_eq!(t["Transcript"][0]["Id"], said["Id"]);
    assert_eq!(t["Transcript"][0]["Content"], "Hi, I am the agent");
    assert_eq!(t["Transcript"][0]["ParticipantRole"], "AGENT");
    assert_eq!(t["Transcript"][0]["DisplayName"], "Agent");
    assert_eq!(t["Transcript"][0]["AbsoluteTime"], said["AbsoluteTime"]);

    let bad = [
        ("{}", 400),
        (r#"{"Content":"","ContentType":"text/plain"}"#, 400),
        ("not json", 400),
    ];
    for (body, status) in bad {
        let a = call(
            addr,
            "POST",
            &format!("/emulator/chats/{contact_id}/messages"),
            None,
            body,
        );
        assert_eq!(a.status, status, "{body}");
        assert!(a.json()["message"].is_string());
    }

    let a = call(
        addr,
        "POST",
        &format!("/emulator/chats/{contact_id}/end"),
        None,
        "",
    );
    assert_eq!((a.status, a.text()), (200, "{}".to_owned()));
    assert_denied(&op(&emulator, "transcript", &token, &json!({})), "ended");
    let view = agent_view(&emulator, contact_id);
    assert_eq!(view["InitialContactId"], contact_id);
    assert_eq!(
        contents(&view),
        [JOINED, JOINED, "Hi, I am the agent", CHAT_ENDED]
    );
    // The ParticipantId answered is the customer's, who joined first.
    assert_eq!(view["Transcript"][0]["ParticipantId"], participant_id);
    assert_eq!(view["Transcript"][0]["ParticipantRole"], "CUSTOMER");

    // Unknown contacts and paths: 404 with a JSON message.
    for (method, path) in [
        ("POST", "/emulator/chats/no-such-contact/messages"),
        ("POST", "/emulator/chats/no-such-contact/end"),
        ("GET", "/emulator/chats/no-such-contact/transcript"),
        ("POST", "/emulator/chats/x/y/z"),
        ("POST", "/emulator/nothing"),
        ("GET", "/emulator/chats"),
    ] {
        let a = call(
            addr,
            method,
            path,
            None,
            r#"{"Content":"x","ContentType":"text/plain"}"#,
        );
        assert_eq!(a.status, 404, "{method} {path}");
        assert_eq!(a.header("content-type"), Some("application/json"));
        assert!(a.json()["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn every_answer_allows_browser_pages_and_preflights_are_answered() {
    let emulator = Emulator::start().unwrap();
    let addr = emulator.addr();
    for path in ["/participant/message", "/emulator/chats", "/anything"] {
        let a = call(addr, "OPTIONS", path, None, "");
        assert_eq!(a.status, 204, "{path}");
        assert_eq!(a.body, b"");
        assert_eq!(a.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            a.header("access-control-allow-methods"),
            Some("GET, POST, OPTIONS")
        );
        assert_eq!(
            a.header("access-control-allow-headers"),
            Some(
                "content-type, x-amz-bearer, amz-sdk-invocation-id, amz-sdk-request, \
                 x-amz-user-agent, authorization, x-amz-date, x-amz-security-token, \
                 x-amz-content-sha256"
            )
        );
        assert_eq!(a.header("access-control-max-age"), Some("86400"));
    }
    let token = emulator.connection_token();
    let answers = [
        call(addr, "POST", "/emulator/chats", None, ""),
        op(&emulator, "transcript", token.expose_secret(), &json!({})),
        op(&emulator, "transcript", "unknown", &json!({})),
        op(
            &emulator,
            "transcript",
            token.expose_secret(),
            &json!({"MaxResults": 500}),
        ),
        call(addr, "POST", "/emulator/chats/nope/end", None, ""),
        call(addr, "GET", "/participant/nothing", None, ""),
    ];
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [200, 200, 403, 400, 404, 404]);
    for a in &answers {
        assert_eq!(a.header("access-control-allow-origin"), Some("*"), "{a:?}");
        assert_eq!(
            a.header("access-control-expose-headers"),
            Some("x-amzn-RequestId, x-amzn-ErrorType, ETag"),
            "{a:?}"
        );
    }
    // A request that cannot be read is answered likewise.
    let raw = String::from_utf8(exchange(addr, b"NOT HTTP AT ALL\r\n\r\n")).unwrap();
    assert!(raw.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{raw}");
    assert!(
        raw.contains("\r\nAccess-Control-Allow-Origin: *\r\n"),
        "{raw}"
    );
}

#[test]
fn a_chosen_port_is_served_and_url_is_the_endpoint_url() {
    // A port the system has just handed out and taken back. Another process may take it
    // between our probe and the emulator's bind (nothing can reserve it for us), so a bind
    // that finds it in use tries another free port, a bounded number of times.
    let mut bound = None;
    for _ in 0..10 {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        match Emulator::builder().port(port).start() {
            Ok(emulator) => {
                bound = Some((emulator, port));
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {}
            Err(e) => panic!("{e}"),
        }
    }
    let (emulator, port) = bound.expect("one of 10 free ports could be bound");
    assert_eq!(emulator.addr().port(), port);
    assert_eq!(emulator.url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(emulator.url(), emulator.endpoint_url());
    assert_eq!(
        call(emulator.addr(), "POST", "/emulator/chats", None, "").status,
        200
    );
    // The port is taken while it serves.
    let e = Emulator::builder().port(port).start().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse);
}

/// The control path's POSTs take `Content-Type: application/json` only (415 otherwise):
/// a browser must then ask first (a CORS preflight), so an HTML form or a simple
/// cross-site request cannot start, speak in or end a chat.
#[test]
fn control_posts_require_a_json_content_type() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let raw = |path: &str, content_type: Option<&str>| -> (u16, String) {
        let body = r#"{"Content":"hi","ContentType":"text/plain"}"#;
        let request_line = format!("POST {path} HTTP/1.1");
        let length = format!("Content-Length: {}", body.len());
        let content_type = content_type.map(|t| format!("Content-Type: {t}"));
        let mut lines = vec![
            request_line.as_str(),
            "Host: x",
            "Connection: close",
            length.as_str(),
        ];
        lines.extend(content_type.as_deref());
        let mut request = head(&lines);
        request.extend_from_slice(body.as_bytes());
        let answer = String::from_utf8(exchange(emulator.addr(), &request)).unwrap();
        (answer[9..12].parse().unwrap(), answer)
    };
    let paths = [
        "/emulator/chats".to_owned(),
        format!("/emulator/chats/{}/messages", chat.contact_id),
        format!("/emulator/chats/{}/end", chat.contact_id),
    ];
    for path in &paths {
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonp"),
        ] {
            let (status, answer) = raw(path, content_type);
            assert_eq!(status, 415, "{path} {content_type:?}: {answer}");
            assert!(
                answer.contains("Access-Control-Allow-Origin: *"),
                "{answer}"
            );
        }
    }
    // Nothing happened: no chat started, no message, the chat not ended.
    let view = agent_view(&emulator, &chat.contact_id);
    assert_eq!(view["Transcript"].as_array().unwrap().len(), 2, "{view}");
    // A JSON type, with parameters or in another case, is taken.
    for (path, content_type) in paths.iter().zip([
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/json",
    ]) {
        let (status, answer) = raw(path, Some(content_type));
        assert_eq!(status, 200, "{path}: {answer}");
    }
}
