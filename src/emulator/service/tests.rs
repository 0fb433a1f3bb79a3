//! The service's unit tests: its errors, and hostile requests on every path.

use super::super::chat::{Direction, Start};
use super::*;

#[test]
fn errors_follow_rest_json1() {
    let r = error_reply(429, "ThrottlingException", "Rate exceeded");
    let bytes = String::from_utf8(r.to_bytes(&[], false)).unwrap();
    let (head, body) = bytes.split_once("\r\n\r\n").unwrap();
    assert_eq!(body, r#"{"message":"Rate exceeded"}"#);
    let lines: Vec<&str> = head.lines().collect();
    assert_eq!(lines[0], "HTTP/1.1 429 Too Many Requests");
    assert_eq!(lines[1], "Content-Type: application/json");
    assert_eq!(lines[2], "X-Amzn-Errortype: ThrottlingException");
    assert!(lines[3].starts_with("x-amzn-RequestId: ") && lines[3].len() == 18 + 36);
    assert_eq!(lines[4], "Content-Length: 27");
}

#[test]
fn hostile_requests_get_answers_not_panics() {
    use super::super::chat::CUSTOMER;
    let service = small_service();
    let started = service.lock().chats.start_chat();
    let token = service
        .lock()
        .chats
        .issue(&started.contact_id, CUSTOMER)
        .unwrap()
        .0;
    let (nonce, _) = {
        let state = service.lock();
        let chat = state.chats.chat(&started.contact_id).unwrap();
        let page = chat.scan(&Start::Newest, Direction::Backward, 1).unwrap();
        let next = page.next.unwrap();
        let (nonce, rest) = next.split_once('.').unwrap();
        (nonce.to_owned(), rest.to_owned())
    };
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let bodies = [
        String::new(),
        "null".into(),
        "[]".into(),
        "{".into(),
        "\u{0}".into(),
        deep,
        r#"{"Type":null,"ConnectParticipant":null}"#.into(),
        r#"{"Type":[1]}"#.into(),
        r#"{"Type":"WEBSOCKET"}"#.into(),
        r#"{"MaxResults":1e400}"#.into(),
        r#"{"MaxResults":18446744073709551616}"#.into(),
        r#"{"MaxResults":-9223372036854775809}"#.into(),
        r#"{"StartPosition":{"MostRecent":1e10,"Id":null}}"#.into(),
        r#"{"StartPosition":{"AbsoluteTime":"+999999-01-01T00:00:00Z"}}"#.into(),
        r#"{"StartPosition":{"AbsoluteTime":"1960-01-01T00:00:00Z"},"ScanDirection":"BACKWARD"}"#.into(),
        format!(r#"{{"NextToken":"{nonce}.f.99999999999999999999999"}}"#),
        format!(r#"{{"NextToken":"{nonce}.b.18446744073709551615"}}"#),
        format!(r#"{{"NextToken":"{nonce}.f.18446744073709551615"}}"#),
        format!(r#"{{"NextToken":"{nonce}.b.0","MaxResults":100}}"#),
        r#"{"Content":"{"messageId":5}","ContentType":"application/vnd.amazonaws.connect.event.message.read"}"#.into(),
        r#"{"Content":"x","ContentType":"text/plain","ClientToken":null}"#.into(),
        r#"{"AttachmentIds":[1],"ClientToken":""}"#.into(),
        r#"{"AttachmentIds":["a","b"],"AttachmentSizeInBytes":-1}"#.into(),
        r#"{"AttachmentSizeInBytes":1.5,"UrlExpiryInSeconds":1e99}"#.into(),
        r#"{"ContentType":"a","AttachmentSizeInBytes":1,"AttachmentName":"n","ClientToken":"t"}"#.into(),
        r#"{"AttachmentId":"x","UrlContentDisposition":"x","SessionId":1}"#.into(),
        r#"{"SessionId":"123456789012345678901234567890123456","RedirectUri":""}"#.into(),
    ];
    let paths = [
        "/participant/connection",
        "/participant/message",
        "/participant/event",
        "/participant/disconnect",
        "/participant/transcript",
        "/participant/",
        "/participant/start-attachment-upload",
        "/participant/complete-attachment-upload",
        "/participant/attachment",
        "/participant/authentication-url",
        "/participant/cancel-authentication",
        "/participant/views/",
        "/participant/views/%zz",
        "/participant/views/a%2Fb/c",
        "/emulator/uploads/",
        "/emulator/uploads/x",
        "/emulator/downloads/x",
        "/emulator/",
        "/emulator/chats",
        "/emulator/chats/",
        "/emulator/chats//end",
        &format!("/emulator/chats/{}/messages", started.contact_id),
        &format!("/emulator/chats/{}/transcript", started.contact_id),
        "/emulator/chats/\u{0}/end",
        "",
        "*",
    ];
    let bearers = [
        None,
        Some(""),
        Some(token.as_str()),
        Some(started.participant_token.as_str()),
    ];
    for body in &bodies {
        for path in paths {
            for method in ["POST", "GET", "OPTIONS", "DELETE"] {
                for bearer in bearers {
                    // JSON, so that the control path's POSTs are handled, not refused.
                    let mut headers =
                        vec![("Content-Type".to_owned(), "application/json".to_owned())];
                    if let Some(b) = bearer {
                        headers.push(("X-Amz-Bearer".to_owned(), b.to_owned()));
                    }
                    let request = Request {
                        method: method.into(),
                        path: path.into(),
                        headers,
                        body: body.clone().into_bytes(),
                        close: false,
                    };
                    let reply = service.handle(&request);
                    assert!(
                        (200..=409).contains(&reply.status),
                        "{method} {path} {body:.60}: {}",
                        reply.status
                    );
                }
            }
        }
    }
    // Whatever came in, what is kept stayed within its bounds, and the running count
    // of kept bytes is what is held.
    let state = service.lock();
    assert!(state.events.len() <= 4);
    let events: usize = state
        .events
        .iter()
        .map(|(e, k)| event_bytes(e, k.as_ref()))
        .sum();
    assert_eq!(state.events_bytes, events);
    assert_eq!(state.chats.kept_bytes(), state.chats.recount());
}
