//! Persistent chat on the emulator: a chat started to continue a past, ended one, over the
//! control path and the Rust API, read with the crate's participant, stream and transcript
//! pages; `ENTIRE_PAST_SESSION` against `FROM_SEGMENT`; and the refusals.

use std::time::Duration;

use connect_participant::emulator::{Emulator, Rehydration};
use connect_participant::{
    ChatStream, ErrorKind, Event, GetTranscriptRequest, Item, Next, Participant, ParticipantToken,
    ScanDirection, SendMessageRequest, SortOrder, StartPosition,
};
use serde_json::{Value, json};

use crate::support::raw::{Answer, call, op};
use crate::support::ws::{self, next_text};

/// How long a test waits for one event before it fails: a bound, not a synchronization.
const PATIENCE: Duration = Duration::from_secs(10);
const JOINED: &str = "application/vnd.amazonaws.connect.event.participant.joined";
const REHYDRATED: &str = "application/vnd.amazonaws.connect.event.chat.rehydrated";

/// `POST /emulator/chats` with `body`.
fn start(emulator: &Emulator, body: &str) -> Answer {
    call(emulator.addr(), "POST", "/emulator/chats", None, body)
}

/// `POST /emulator/chats/{contact}/{what}` with `body`, answered 200.
fn control(emulator: &Emulator, contact: &str, what: &str, body: &Value) {
    let path = format!("/emulator/chats/{contact}/{what}");
    let a = call(emulator.addr(), "POST", &path, None, &body.to_string());
    assert_eq!(a.status, 200, "{path}: {}", a.text());
}

/// A chat started, spoken in by the agent (`said`) and ended, all on the control path:
/// its contact id.
fn past_chat(emulator: &Emulator, said: &[&str]) -> String {
    let a = start(emulator, "{}");
    assert_eq!(a.status, 200, "{}", a.text());
    let contact = a.json()["ContactId"].as_str().unwrap().to_owned();
    for text in said {
        let message = json!({"Content": text, "ContentType": "text/plain"});
        control(emulator, &contact, "messages", &message);
    }
    control(emulator, &contact, "end", &json!({}));
    contact
}

/// A persistent chat's body.
fn persistent(source: &str, how: &str) -> String {
    json!({"PersistentChat": {"SourceContactId": source, "RehydrationType": how}}).to_string()
}

/// The customer of a chat, connected with the crate's participant.
fn customer(emulator: &Emulator, participant_token: &str) -> Participant {
    let client = emulator.client_builder().build().unwrap();
    let token = ParticipantToken::new(participant_token.to_owned()).unwrap();
    Participant::builder(&client, token)
        .clock(emulator.clock())
        .connect()
        .unwrap()
}

/// The next `n` chat events, each within [`PATIENCE`]; connection transitions passed over.
fn take(stream: &mut ChatStream, n: usize) -> Vec<Event> {
    let mut seen = Vec::new();
    for _ in 0..n + 100 {
        if seen.len() == n {
            return seen;
        }
        match stream.next_timeout(PATIENCE) {
            Ok(Next::Event(Event::Connection(_))) => {}
            Ok(Next::Event(e)) => seen.push(e),
            other => panic!("after {} events: {other:?}", seen.len()),
        }
    }
    panic!("only connection transitions");
}

/// (what it says, `RelatedContactId`, `ContactId`) of an item: its content, else its
/// content type.
fn origin(item: &Item) -> (String, Option<String>, Option<String>) {
    let what = item.content.clone().or(item.content_type.clone()).unwrap();
    (
        what,
        item.related_contact_id.clone(),
        item.contact_id.clone(),
    )
}

/// (what it says, `RelatedContactId`, `ContactId`) of each item of an answer's transcript.
fn origins(answer: &Value) -> Vec<(String, Option<String>, Option<String>)> {
    let member = |i: &Value, name: &str| i[name].as_str().map(str::to_owned);
    answer["Transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let what = member(i, "Content").or(member(i, "ContentType")).unwrap();
            (what, member(i, "RelatedContactId"), member(i, "ContactId"))
        })
        .collect()
}

/// The whole transcript as the agent's side sees it (control path).
fn agent_view(emulator: &Emulator, contact: &str) -> Value {
    let path = format!("/emulator/chats/{contact}/transcript");
    let a = call(emulator.addr(), "GET", &path, None, "");
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()
}

fn past(what: &str, contact: &str) -> (String, Option<String>, Option<String>) {
    (what.to_owned(), Some(contact.to_owned()), None)
}

fn current(what: &str, contact: &str) -> (String, Option<String>, Option<String>) {
    (what.to_owned(), None, Some(contact.to_owned()))
}

#[test]
fn a_persistent_chat_starts_with_the_past_items_and_chat_rehydrated() {
    let emulator = Emulator::start().unwrap();
    let a = past_chat(&emulator, &["Your order ships Monday."]);
    let past_items = agent_view(&emulator, &a)["Transcript"].clone();

    let answer = start(&emulator, &persistent(&a, "FROM_SEGMENT"));
    assert_eq!(answer.status, 200, "{}", answer.text());
    let started = answer.json();
    let mut members: Vec<&str> = started
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    members.sort_unstable();
    assert_eq!(
        members,
        [
            "ContactId",
            "ContinuedFromContactId",
            "ParticipantId",
            "ParticipantToken"
        ]
    );
    assert_eq!(started["ContinuedFromContactId"], a.as_str());
    let b = started["ContactId"].as_str().unwrap().to_owned();
    assert_ne!(b, a);
    // A chat started without PersistentChat has no ContinuedFromContactId.
    assert_eq!(
        start(&emulator, "{}").json().get("ContinuedFromContactId"),
        None
    );

    let customer = customer(&emulator, started["ParticipantToken"].as_str().unwrap());
    let mut stream = ChatStream::builder(&customer).history(true).open().unwrap();
    let events = take(&mut stream, 6);
    let seen: Vec<_> = events.iter().map(|e| origin(e.item().unwrap())).collect();
    assert_eq!(
        seen,
        [
            past(JOINED, &a),
            past(JOINED, &a),
            past("Your order ships Monday.", &a),
            current(JOINED, &b),
            current(JOINED, &b),
            current(REHYDRATED, &b),
        ]
    );
    // The past items keep their Id, time and sender; the chat's own event has none.
    for (event, was) in events.iter().zip(&past_items.as_array().unwrap()[..3]) {
        let item = event.item().unwrap();
        assert_eq!(item.id.as_deref(), was["Id"].as_str());
        assert_eq!(
            item.absolute_time.as_ref().map(|t| t.as_str()),
            was["AbsoluteTime"].as_str()
        );
        assert_eq!(
            item.participant_id.as_deref(),
            was["ParticipantId"].as_str()
        );
        assert_eq!(item.display_name.as_deref(), was["DisplayName"].as_str());
    }
    assert!(matches!(&events[2], Event::Message(_)), "{:?}", events[2]);
    let Event::ChatRehydrated(rehydrated) = &events[5] else {
        panic!("{:?}", events[5]);
    };
    assert_eq!(rehydrated.participant_id, None);
    assert_eq!(rehydrated.content, None);

    // The chat is on: what comes next is live.
    emulator
        .agent_says(&b, "Welcome back", "text/plain")
        .unwrap();
    let next = take(&mut stream, 1);
    assert_eq!(origin(next[0].item().unwrap()), current("Welcome back", &b));
    // The past chat is unchanged.
    assert_eq!(agent_view(&emulator, &a)["Transcript"], past_items);
}

#[test]
fn get_transcript_with_a_past_contact_id_reads_that_contact_alone() {
    let emulator = Emulator::start().unwrap();
    let a = past_chat(&emulator, &["one", "two", "three"]);
    let b = emulator
        .start_persistent_chat(&a, Rehydration::EntirePastSession)
        .unwrap();
    assert_eq!(b.continued_from_contact_id.as_deref(), Some(a.as_str()));
    let customer = customer(&emulator, &b.participant_token);
    customer
        .send_message(&SendMessageRequest::text("and four"))
        .unwrap();

    // Pages of two, backward from the newest: A's five items alone, newest first.
    let first = GetTranscriptRequest::new()
        .with_contact_id(a.clone())
        .with_max_results(2);
    let mut items = Vec::new();
    let mut pages = 0;
    for page in customer.transcript_pages(first).take(10) {
        let page = page.unwrap();
        assert_eq!(
            page.initial_contact_id.as_deref(),
            Some(b.contact_id.as_str())
        );
        assert!(page.transcript.len() <= 2);
        items.extend(page.transcript);
        pages += 1;
    }
    assert_eq!(pages, 3);
    let seen: Vec<_> = items.iter().map(origin).collect();
    assert_eq!(
        seen,
        [
            past("three", &a),
            past("two", &a),
            past("one", &a),
            past(JOINED, &a),
            past(JOINED, &a),
        ]
    );
    // Forward from one of A's items, by its Id.
    let two = items[1].id.clone().unwrap();
    let forward = GetTranscriptRequest::new()
        .with_contact_id(a.clone())
        .with_start_position(StartPosition::id(two))
        .with_scan_direction(ScanDirection::Forward)
        .with_sort_order(SortOrder::Ascending);
    let page = customer.get_transcript(&forward).unwrap();
    let seen: Vec<_> = page.transcript.iter().map(origin).collect();
    assert_eq!(seen, [past("two", &a), past("three", &a)]);
    // An Id of the current contact's is not among A's.
    let own = page_of(&customer, GetTranscriptRequest::new().with_max_results(1));
    let e = customer
        .get_transcript(
            &GetTranscriptRequest::new()
                .with_contact_id(a.clone())
                .with_start_position(StartPosition::id(own[0].id.clone().unwrap())),
        )
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");

    // The current contact, or no ContactId: everything, past and present.
    for request in [
        GetTranscriptRequest::new().with_contact_id(b.contact_id.clone()),
        GetTranscriptRequest::new(),
    ] {
        let all = page_of(&customer, request.with_max_results(100));
        assert_eq!(all.len(), 9);
        assert_eq!(origin(&all[0]), current("and four", &b.contact_id));
        assert_eq!(origin(&all[8]), past(JOINED, &a));
    }
    // A contact outside the chain is not this participant's to read.
    let other = emulator.start_chat();
    let e = customer
        .get_transcript(&GetTranscriptRequest::new().with_contact_id(other.contact_id))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied, "{e}");
}

/// One page's items.
fn page_of(customer: &Participant, request: GetTranscriptRequest) -> Vec<Item> {
    customer.get_transcript(&request).unwrap().transcript
}

#[test]
fn entire_past_session_continues_the_chain_s_latest_contact_from_segment_the_one_named() {
    let emulator = Emulator::start().unwrap();
    let a = past_chat(&emulator, &["from A"]);
    // B continues A, and is still on.
    let b = emulator
        .start_persistent_chat(&a, Rehydration::FromSegment)
        .unwrap()
        .contact_id;
    emulator.agent_says(&b, "from B", "text/plain").unwrap();
    // While B is on, the chain's latest ended contact is A.
    let early = emulator
        .start_persistent_chat(&a, Rehydration::EntirePastSession)
        .unwrap();
    assert_eq!(early.continued_from_contact_id.as_deref(), Some(a.as_str()));
    emulator.end_chat(&early.contact_id).unwrap();
    emulator.end_chat(&b).unwrap();

    // The whole chain from its first contact: B, the latest ended, with A's items before.
    let whole = emulator
        .start_persistent_chat(&a, Rehydration::EntirePastSession)
        .unwrap();
    assert_eq!(whole.continued_from_contact_id.as_deref(), Some(b.as_str()));
    let said: Vec<_> = origins(&agent_view(&emulator, &whole.contact_id))
        .into_iter()
        .filter(|(what, _, _)| !what.starts_with("application/"))
        .collect();
    assert_eq!(said, [past("from A", &a), past("from B", &b)]);

    // From the segment: A alone, B left out.
    let segment = emulator
        .start_persistent_chat(&a, Rehydration::FromSegment)
        .unwrap();
    assert_eq!(
        segment.continued_from_contact_id.as_deref(),
        Some(a.as_str())
    );
    let view = origins(&agent_view(&emulator, &segment.contact_id));
    assert_eq!(
        view,
        [
            past(JOINED, &a),
            past(JOINED, &a),
            past("from A", &a),
            current(JOINED, &segment.contact_id),
            current(JOINED, &segment.contact_id),
            current(REHYDRATED, &segment.contact_id),
        ]
    );
    // From B's segment: B's items, those it had from A included.
    let from_b = emulator
        .start_persistent_chat(&b, Rehydration::FromSegment)
        .unwrap();
    let said: Vec<_> = origins(&agent_view(&emulator, &from_b.contact_id))
        .into_iter()
        .filter(|(what, _, _)| !what.starts_with("application/"))
        .collect();
    assert_eq!(said, [past("from A", &a), past("from B", &b)]);

    // Once that one has ended, it is the chain's latest: the chain runs A, B, then it.
    emulator.end_chat(&from_b.contact_id).unwrap();
    let latest = emulator
        .start_persistent_chat(&a, Rehydration::EntirePastSession)
        .unwrap();
    assert_eq!(
        latest.continued_from_contact_id.as_deref(),
        Some(from_b.contact_id.as_str())
    );
}

/// Bodies `POST /emulator/chats` refuses, with the error type and message of each, for an
/// ended chat and one still on.
fn refused(ended: &str, on: &str) -> Vec<(String, &'static str, String)> {
    let long = "c".repeat(257);
    vec![
        (
            persistent("nope", "FROM_SEGMENT"),
            "InvalidRequestException",
            "PersistentChat.SourceContactId: no chat with ContactId nope".into(),
        ),
        (
            persistent(on, "ENTIRE_PAST_SESSION"),
            "InvalidRequestException",
            format!(
                "PersistentChat.SourceContactId: the chat with ContactId \"{on}\" has not \
                 ended, and only a chat that has ended can be continued"
            ),
        ),
        (
            persistent(ended, "LATEST"),
            "ValidationException",
            "1 validation error detected: Value 'LATEST' at 'persistentChat.rehydrationType' \
             failed to satisfy constraint: Member must satisfy enum value set: \
             [ENTIRE_PAST_SESSION, FROM_SEGMENT]"
                .into(),
        ),
        (
            persistent(ended, ""),
            "ValidationException",
            "1 validation error detected: Value '' at 'persistentChat.rehydrationType' \
             failed to satisfy constraint: Member must satisfy enum value set: \
             [ENTIRE_PAST_SESSION, FROM_SEGMENT]"
                .into(),
        ),
        (
            json!({"PersistentChat": {"SourceContactId": ended}}).to_string(),
            "InvalidParameterException",
            "persistentChat.rehydrationType is required for a persistent chat".into(),
        ),
        (
            json!({"PersistentChat": {"RehydrationType": "FROM_SEGMENT"}}).to_string(),
            "InvalidParameterException",
            "persistentChat.sourceContactId is required for a persistent chat".into(),
        ),
        (
            persistent("", "FROM_SEGMENT"),
            "ValidationException",
            "1 validation error detected: Value at 'persistentChat.sourceContactId' failed \
             to satisfy constraint: Member must have length between 1 and 256"
                .into(),
        ),
        (
            persistent(&long, "FROM_SEGMENT"),
            "ValidationException",
            "1 validation error detected: Value at 'persistentChat.sourceContactId' failed \
             to satisfy constraint: Member must have length between 1 and 256"
                .into(),
        ),
        (
            json!({"PersistentChat": {"SourceContactId": 7, "RehydrationType": "FROM_SEGMENT"}})
                .to_string(),
            "SerializationException",
            "SourceContactId must be a string".into(),
        ),
        (
            json!({"PersistentChat": "FROM_SEGMENT"}).to_string(),
            "SerializationException",
            "PersistentChat must be an object".into(),
        ),
        (
            "[]".into(),
            "SerializationException",
            "the body is not a JSON object".into(),
        ),
        (
            "{\"PersistentChat\":".into(),
            "SerializationException",
            "the body is not a JSON object".into(),
        ),
    ]
}

#[test]
fn refusals_are_400s_that_say_why_and_start_nothing() {
    let emulator = Emulator::start().unwrap();
    let ended = past_chat(&emulator, &[]);
    let on = emulator.start_chat().contact_id;
    let bytes = emulator.kept_bytes();
    for (body, error_type, message) in &refused(&ended, &on) {
        let a = start(&emulator, body);
        assert_eq!(a.status, 400, "{body}: {}", a.text());
        assert_eq!(a.header("x-amzn-errortype"), Some(*error_type), "{body}");
        assert_eq!(a.json(), json!({ "message": message }), "{body}");
    }
    // Nothing was started: no chat, no item.
    assert_eq!(emulator.kept_bytes(), bytes);
    // A null PersistentChat is none: a plain chat.
    let a = start(&emulator, r#"{"PersistentChat":null}"#);
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json().get("ContinuedFromContactId"), None);

    // The Rust API says the same, by kind.
    let e = emulator
        .start_persistent_chat("nope", Rehydration::FromSegment)
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        "PersistentChat.SourceContactId: no chat with ContactId nope"
    );
    let e = emulator
        .start_persistent_chat(&on, Rehydration::EntirePastSession)
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn a_continued_chat_keeps_within_the_bounds() {
    let emulator = Emulator::builder().max_items_per_chat(4).start().unwrap();
    let a = past_chat(&emulator, &["1", "2", "3", "4", "5"]);
    let b = emulator
        .start_persistent_chat(&a, Rehydration::FromSegment)
        .unwrap();
    let view = origins(&agent_view(&emulator, &b.contact_id));
    assert_eq!(
        view,
        [
            past("5", &a),
            current(JOINED, &b.contact_id),
            current(JOINED, &b.contact_id),
            current(REHYDRATED, &b.contact_id),
        ]
    );
    // A chain of continued chats, each from the last, stays within them too.
    let mut last = b.contact_id;
    for _ in 0..50 {
        emulator.end_chat(&last).unwrap();
        last = emulator
            .start_persistent_chat(&last, Rehydration::EntirePastSession)
            .unwrap()
            .contact_id;
    }
    assert_eq!(
        agent_view(&emulator, &last)["Transcript"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn a_past_contacts_chat_ended_does_not_end_the_stream_of_the_chat_that_continues_it() {
    // Whether the service carries a past contact's chat.ended into a persistent chat is not
    // documented (the emulator does not): if it does, with RelatedContactId and no
    // ContactId as the model says of past items, it ended that contact, not this chat.
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let client = emulator.client_builder().build().unwrap();
    let token = ParticipantToken::new(chat.participant_token.clone()).unwrap();
    let me = Participant::connect(&client, token).unwrap();
    let mut stream = ChatStream::builder(&me).open().unwrap();
    let past_end = json!({
        "AbsoluteTime": "2026-12-01T10:00:00.000Z",
        "ContentType": "application/vnd.amazonaws.connect.event.chat.ended",
        "Id": "past-end-1",
        "Type": "EVENT",
        "RelatedContactId": "past-contact-1",
    });
    let frame = json!({
        "content": past_end.to_string(),
        "contentType": "application/json",
        "topic": "aws/chat",
    });
    emulator
        .push_frame(&chat.contact_id, &frame.to_string())
        .unwrap();
    emulator
        .agent_says(&chat.contact_id, "still on", "text/plain")
        .unwrap();
    let mut names = Vec::new();
    for _ in 0..10 {
        match stream.next_timeout(PATIENCE).unwrap() {
            Next::Event(Event::Message(item)) => {
                assert_eq!(item.content.as_deref(), Some("still on"));
                break;
            }
            Next::Event(event) => names.push(event.name()),
            other => panic!("{other:?} after {names:?}"),
        }
    }
    assert_eq!(names, ["connection", "other"]);
    assert!(!me.has_ended());
    // This chat's own end still ends it.
    emulator.end_chat(&chat.contact_id).unwrap();
    match stream.next_timeout(PATIENCE).unwrap() {
        Next::Event(Event::ChatEnded(_)) => {}
        other => panic!("{other:?}"),
    }
}

/// A WebSocket of a participant, subscribed: its first frame after the subscription's answer.
fn subscribed_socket(emulator: &Emulator, participant_token: &str) -> ws::Socket {
    let types = json!({"Type": ["WEBSOCKET"]});
    let a = op(emulator, "connection", participant_token, &types);
    assert_eq!(a.status, 200, "{}", a.text());
    let mut socket = ws::open(a.json()["Websocket"]["Url"].as_str().unwrap()).unwrap();
    socket
        .send(tungstenite::Message::text(ws::SUBSCRIBE))
        .unwrap();
    assert_eq!(next_text(&mut socket), ws::SUBSCRIBED);
    socket
}

/// The item inside a chat frame.
fn frame_item(text: &str) -> Value {
    let frame: Value = serde_json::from_str(text).unwrap();
    assert_eq!(frame["topic"], "aws/chat", "{text}");
    serde_json::from_str(frame["content"].as_str().unwrap()).unwrap()
}

#[test]
fn chat_rehydrated_is_pushed_to_a_participant_s_first_subscribed_socket() {
    // chatjs hears chat.rehydrated only from its socket (onChatRehydrated), which it opens
    // after the chat started, when the emulator recorded the event.
    let emulator = Emulator::start().unwrap();
    let a = past_chat(&emulator, &["Your order ships Monday."]);
    let started = start(&emulator, &persistent(&a, "ENTIRE_PAST_SESSION")).json();
    let b = started["ContactId"].as_str().unwrap();
    let token = started["ParticipantToken"].as_str().unwrap();
    let kept = agent_view(&emulator, b)["Transcript"].clone();
    let kept = kept
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["ContentType"] == REHYDRATED)
        .unwrap()
        .clone();

    let mut first = subscribed_socket(&emulator, token);
    let item = frame_item(&next_text(&mut first));
    assert_eq!(item["ContentType"], REHYDRATED);
    assert_eq!(item["Id"], kept["Id"]);
    assert_eq!(item["AbsoluteTime"], kept["AbsoluteTime"]);
    assert_eq!(item["ContactId"], b);
    assert_eq!(item["InitialContactId"], b);
    // Once per participant: a second socket's first push is what the chat says next.
    let mut second = subscribed_socket(&emulator, token);
    emulator
        .agent_says(b, "Welcome back", "text/plain")
        .unwrap();
    for socket in [&mut first, &mut second] {
        assert_eq!(frame_item(&next_text(socket))["Content"], "Welcome back");
    }
    // A chat that continues none pushes no chat.rehydrated.
    let plain = emulator.start_chat();
    let mut socket = subscribed_socket(&emulator, &plain.participant_token);
    emulator
        .agent_says(&plain.contact_id, "Hello", "text/plain")
        .unwrap();
    assert_eq!(frame_item(&next_text(&mut socket))["Content"], "Hello");
}
