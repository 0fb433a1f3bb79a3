//! Agent messages pushed out of order: their frames reach the chat's WebSockets in the
//! order asked, while their `AbsoluteTime`s, and GetTranscript, keep the order they were
//! said in; from the Rust API and from the control path, and every refusal.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use connect_participant::{ChatStream, Event, GetTranscriptRequest, ItemType, Next, SortOrder};
use serde_json::{Value, json};
use tungstenite::Message;

use crate::support::raw::call;
use crate::support::stream::{Setup, fast};
use crate::support::ws::{SUBSCRIBE, SUBSCRIBED, Socket, next_text, open};

/// How long a test waits for one event before it fails: a bound, not a synchronization.
const PATIENCE: Duration = Duration::from_secs(10);

/// The next `n` chat messages the stream yields, each within [`PATIENCE`]; connection
/// changes are passed over, anything else fails the test.
fn messages(stream: &mut ChatStream, n: usize) -> Vec<connect_participant::Item> {
    let mut seen = Vec::new();
    for _ in 0..n + 100 {
        if seen.len() == n {
            return seen;
        }
        match stream.next_timeout(PATIENCE) {
            Ok(Next::Event(Event::Connection(_))) => {}
            Ok(Next::Event(Event::Message(item))) => seen.push(item),
            other => panic!("after {} messages: {other:?}", seen.len()),
        }
    }
    panic!("only connection changes");
}

/// The chat's `MESSAGE` items by GetTranscript (ascending): (Id, Content, AbsoluteTime).
fn transcript_messages(s: &Setup) -> Vec<(String, String, String)> {
    let page = s
        .customer
        .get_transcript(
            &GetTranscriptRequest::new()
                .with_max_results(100)
                .with_sort_order(SortOrder::Ascending),
        )
        .unwrap();
    page.transcript
        .into_iter()
        .filter(|i| i.item_type == Some(ItemType::Message))
        .map(|i| {
            (
                i.id.unwrap(),
                i.content.unwrap(),
                i.absolute_time.unwrap().as_str().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_stream_receives_the_frames_in_the_pushed_order_and_the_transcript_keeps_time_order() {
    let s = Setup::start(false);
    let mut stream = fast(ChatStream::builder(&s.customer)).open().unwrap();
    assert!(
        s.emulator
            .wait_for_websockets(&s.chat.contact_id, 1, PATIENCE)
    );
    let said: Vec<(String, &str)> = (0..5).map(|i| (format!("m{i}"), "text/plain")).collect();
    let said: Vec<(&str, &str)> = said.iter().map(|(c, t)| (c.as_str(), *t)).collect();
    let order = [4, 2, 0, 3, 1];
    let ids = s
        .emulator
        .agent_says_out_of_order(&s.chat.contact_id, &said, &order)
        .unwrap();
    assert_eq!(ids.len(), 5);

    // The stream: in the pushed order, each item whole.
    let got = messages(&mut stream, 5);
    let contents: Vec<&str> = got.iter().filter_map(|i| i.content.as_deref()).collect();
    assert_eq!(contents, ["m4", "m2", "m0", "m3", "m1"]);
    let got_ids: Vec<&str> = got.iter().filter_map(|i| i.id.as_deref()).collect();
    let pushed_ids: Vec<&str> = order.iter().map(|&i| ids[i].as_str()).collect();
    assert_eq!(got_ids, pushed_ids);
    // Out of time order as received; strictly ascending in the order said.
    let mut by_time: Vec<(String, &str)> = got
        .iter()
        .map(|i| {
            let time = i.absolute_time.as_ref().unwrap().as_str().to_owned();
            (time, i.content.as_deref().unwrap())
        })
        .collect();
    let received: Vec<String> = by_time.iter().map(|(t, _)| t.clone()).collect();
    by_time.sort();
    let in_time: Vec<&str> = by_time.iter().map(|(_, c)| *c).collect();
    assert_eq!(in_time, ["m0", "m1", "m2", "m3", "m4"]);
    assert!(by_time.windows(2).all(|w| w[0].0 < w[1].0), "{by_time:?}");
    assert_ne!(
        received,
        by_time.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>()
    );

    // GetTranscript: the order said, the Ids returned, the times the stream saw.
    let transcript = transcript_messages(&s);
    let listed: Vec<(&str, &str)> = transcript
        .iter()
        .map(|(id, c, _)| (id.as_str(), c.as_str()))
        .collect();
    let expected: Vec<(&str, &str)> = ids
        .iter()
        .map(String::as_str)
        .zip(["m0", "m1", "m2", "m3", "m4"])
        .collect();
    assert_eq!(listed, expected);
    let times: Vec<&str> = transcript.iter().map(|(_, _, t)| t.as_str()).collect();
    let seen_times: Vec<&str> = by_time.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(times, seen_times);

    // Each was pushed once: the next message is the next event.
    s.emulator
        .agent_says(&s.chat.contact_id, "after", "text/plain")
        .unwrap();
    let next = messages(&mut stream, 1);
    assert_eq!(next[0].content.as_deref(), Some("after"));
}

/// A chat with the customer's raw socket open and subscribed.
fn subscribed(emulator: &Emulator) -> (String, Socket) {
    let chat = emulator.start_chat();
    let a = call(
        emulator.addr(),
        "POST",
        "/participant/connection",
        Some(&chat.participant_token),
        r#"{"Type":["WEBSOCKET"]}"#,
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let url = a.json()["Websocket"]["Url"].as_str().unwrap().to_owned();
    let mut ws = open(&url).unwrap();
    ws.send(Message::text(SUBSCRIBE)).unwrap();
    assert_eq!(next_text(&mut ws), SUBSCRIBED);
    assert!(emulator.wait_for_websockets(&chat.contact_id, 1, PATIENCE));
    (chat.contact_id, ws)
}

fn post_messages(emulator: &Emulator, contact_id: &str, body: &str) -> (u16, Value, String) {
    let path = format!("/emulator/chats/{contact_id}/messages");
    let a = call(emulator.addr(), "POST", &path, None, body);
    let error_type = a.header("x-amzn-ErrorType").unwrap_or("").to_owned();
    (a.status, a.json(), error_type)
}

/// What the agent's side lists of a chat: each item's (Type, Content).
fn agent_transcript(emulator: &Emulator, contact_id: &str) -> Vec<(String, String)> {
    let path = format!("/emulator/chats/{contact_id}/transcript");
    let a = call(emulator.addr(), "GET", &path, None, "");
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()["Transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = |m: &str| i[m].as_str().unwrap_or("").to_owned();
            (s("Type"), s("Content"))
        })
        .collect()
}

#[test]
fn the_control_path_pushes_frames_in_its_order_and_answers_in_time_order() {
    let emulator = Emulator::start().unwrap();
    let (contact, mut ws) = subscribed(&emulator);
    let body = json!({
        "Messages": [
            {"Content": "a", "ContentType": "text/plain"},
            {"Content": "b", "ContentType": "text/markdown"},
            {"Content": "c", "ContentType": "text/plain"},
        ],
        "Order": [2, 1, 0],
    });
    let (status, answer, _) = post_messages(&emulator, &contact, &body.to_string());
    assert_eq!(status, 200, "{answer}");
    let said = answer["Messages"].as_array().unwrap();
    assert_eq!(said.len(), 3);
    for m in said {
        let keys: Vec<&String> = m.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["AbsoluteTime", "Id"]);
    }
    let times: Vec<&str> = said
        .iter()
        .map(|m| m["AbsoluteTime"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    // The frames, byte for byte what the emulator pushes for each, reversed.
    for (index, content) in [(2, "c"), (1, "b"), (0, "a")] {
        let id = said[index]["Id"].as_str().unwrap();
        let frame = next_text(&mut ws);
        assert_eq!(frame, emulator.websocket_frame(&contact, id).unwrap());
        let envelope: Value = serde_json::from_str(&frame).unwrap();
        let item: Value = serde_json::from_str(envelope["content"].as_str().unwrap()).unwrap();
        assert_eq!(item["Id"], id);
        assert_eq!(item["Content"], content);
        assert_eq!(item["AbsoluteTime"], times[index]);
        assert_eq!(item["ParticipantRole"], "AGENT");
    }
    let messages: Vec<(String, String)> = agent_transcript(&emulator, &contact)
        .into_iter()
        .filter(|(t, _)| t == "MESSAGE")
        .collect();
    let m = |c: &str| ("MESSAGE".to_owned(), c.to_owned());
    assert_eq!(messages, [m("a"), m("b"), m("c")]);
}

#[test]
fn the_control_path_refuses_what_it_cannot_push_and_says_nothing() {
    let emulator = Emulator::start().unwrap();
    let (contact, _ws) = subscribed(&emulator);
    let before = agent_transcript(&emulator, &contact);
    let one = r#"{"Content":"x","ContentType":"text/plain"}"#;
    let many = |n: usize| format!("[{}]", vec![one; n].join(","));
    let upto = |n: usize| format!("{:?}", (0..n).collect::<Vec<_>>());
    let permutation = "Order must list each index of Messages (0 to 2) exactly once";
    let three = many(3);
    let cases: Vec<(String, &str, String)> = vec![
        ("{".into(), "SerializationException", "the body is not a JSON object".into()),
        (r#"{"Messages":{}}"#.into(), "SerializationException", r#"Messages must be a list of {"Content":…,"ContentType":…}"#.into()),
        (r#"{"Messages":null,"Order":[]}"#.into(), "SerializationException", r#"Messages must be a list of {"Content":…,"ContentType":…}"#.into()),
        (r#"{"Messages":[{"Content":"x"}],"Order":[0]}"#.into(), "SerializationException", "Messages[0] must be an object with a string Content and ContentType".into()),
        (r#"{"Messages":[7],"Order":[0]}"#.into(), "SerializationException", "Messages[0] must be an object with a string Content and ContentType".into()),
        (format!(r#"{{"Messages":{three}}}"#), "SerializationException", "Order must be a list of indices into Messages, in the order their frames are pushed (as [2,1,0])".into()),
        (format!(r#"{{"Messages":{three},"Order":[0,-1,2]}}"#), "SerializationException", "Order must be a list of indices into Messages, in the order their frames are pushed (as [2,1,0])".into()),
        (format!(r#"{{"Messages":{three},"Order":[0,1.5,2]}}"#), "SerializationException", "Order must be a list of indices into Messages, in the order their frames are pushed (as [2,1,0])".into()),
        (format!(r#"{{"Messages":{three},"Order":"2,1,0"}}"#), "SerializationException", "Order must be a list of indices into Messages, in the order their frames are pushed (as [2,1,0])".into()),
        (r#"{"Messages":[],"Order":[]}"#.into(), "ValidationException", "Messages must hold 1 to 100 messages, not 0".into()),
        (format!(r#"{{"Messages":{},"Order":{}}}"#, many(101), upto(101)), "ValidationException", "Messages must hold 1 to 100 messages, not 101".into()),
        (format!(r#"{{"Messages":{three},"Order":{}}}"#, upto(101)), "ValidationException", "Order must have as many entries as Messages, at most 100".into()),
        (format!(r#"{{"Messages":{three},"Order":[2,1]}}"#), "ValidationException", format!("{permutation}: it has 2 entries for 3 messages")),
        (format!(r#"{{"Messages":{three},"Order":[2,1,0,0]}}"#), "ValidationException", format!("{permutation}: it has 4 entries for 3 messages")),
        (format!(r#"{{"Messages":{three},"Order":[2,2,0]}}"#), "ValidationException", format!("{permutation}: 2 is listed twice")),
        (format!(r#"{{"Messages":{three},"Order":[0,1,3]}}"#), "ValidationException", format!("{permutation}: 3 is out of range")),
        (format!(r#"{{"Messages":{three},"Order":[0,1,18446744073709551615]}}"#), "ValidationException", format!("{permutation}: 18446744073709551615 is out of range")),
        (r#"{"Messages":[{"Content":"x","ContentType":"text/plain"},{"Content":"","ContentType":"text/plain"}],"Order":[1,0]}"#.into(), "ValidationException", "Messages[1]: Content must have 1 to 16384 bytes".into()),
        (r#"{"Messages":[{"Content":"x","ContentType":""}],"Order":[0]}"#.into(), "ValidationException", "Messages[0]: ContentType must have 1 to 100 characters".into()),
        (format!(r#"{{"Content":"x","ContentType":"text/plain","Messages":{three},"Order":[2,1,0]}}"#), "ValidationException", "with Messages, each message has its own Content and ContentType".into()),
    ];
    for (body, error_type, message) in cases {
        let (status, answer, got_type) = post_messages(&emulator, &contact, &body);
        assert_eq!(status, 400, "{body}");
        assert_eq!(got_type, error_type, "{body}");
        assert_eq!(answer["message"], message.as_str(), "{body}");
    }
    assert_eq!(agent_transcript(&emulator, &contact), before);
    // An unknown chat is a 404, an ended one a 400; still nothing said.
    let good = format!(r#"{{"Messages":{three},"Order":[2,1,0]}}"#);
    let (status, answer, _) = post_messages(&emulator, "no-such-chat", &good);
    assert_eq!(
        (status, answer["message"].as_str()),
        (404, Some("no chat with ContactId no-such-chat"))
    );
    emulator.end_chat(&contact).unwrap();
    let ended = agent_transcript(&emulator, &contact);
    let (status, answer, _) = post_messages(&emulator, &contact, &good);
    assert_eq!(
        (status, answer["message"].as_str()),
        (400, Some("the chat has ended"))
    );
    assert_eq!(agent_transcript(&emulator, &contact), ended);
}

#[test]
fn the_rust_api_refuses_the_same_and_says_nothing() {
    use std::io::ErrorKind;

    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let id = chat.contact_id.as_str();
    let before = agent_transcript(&emulator, id);
    let x = ("x", "text/plain");
    let too_many = vec![x; 101];
    let order_101: Vec<usize> = (0..101).collect();
    type Said<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Said, &[usize], &str); 5] = [
        (&[], &[], "Messages must hold 1 to 100 messages, not 0"),
        (
            &too_many,
            &order_101,
            "Messages must hold 1 to 100 messages, not 101",
        ),
        (
            &[x, x],
            &[0, 0],
            "Order must list each index of Messages (0 to 1) exactly once: 0 is listed twice",
        ),
        (
            &[x, x],
            &[1],
            "Order must list each index of Messages (0 to 1) exactly once: it has 1 entries for 2 messages",
        ),
        (
            &[x, ("", "text/plain")],
            &[1, 0],
            "Messages[1]: Content must have 1 to 16384 bytes",
        ),
    ];
    for (messages, order, message) in cases {
        let e = emulator
            .agent_says_out_of_order(id, messages, order)
            .unwrap_err();
        assert_eq!(
            (e.kind(), e.to_string()),
            (ErrorKind::InvalidInput, message.to_owned())
        );
    }
    assert_eq!(agent_transcript(&emulator, id), before);
    let e = emulator
        .agent_says_out_of_order("nope", &[x], &[0])
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    // One message in its own order is a plain agent message.
    let ids = emulator.agent_says_out_of_order(id, &[x], &[0]).unwrap();
    assert_eq!(ids.len(), 1);
    emulator.end_chat(id).unwrap();
    let e = emulator
        .agent_says_out_of_order(id, &[x], &[0])
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string().as_str()),
        (ErrorKind::InvalidInput, "the chat has ended")
    );
}
