//! get-transcript: the options as the AWS CLI sends them, the output, and the paging.

use connect_participant::emulator::Emulator;
use connect_participant::{ConnectionToken, GetTranscriptRequest, Item, SortOrder};
use serde_json::Value;

use super::{SECRET, Token, assert_success, body, code, raw_items, run, send_with, stderr, stdout};
use crate::support::scripted::{Action, Scripted, response};

/// A chat with `n` messages from the agent, after the two `participant.joined` events,
/// and its customer's connection token.
fn chat_with_messages(emulator: &Emulator, n: usize) -> (String, ConnectionToken) {
    let chat = emulator.start_chat();
    for i in 0..n {
        emulator
            .agent_says(&chat.contact_id, &format!("message {i}"), "text/plain")
            .unwrap();
    }
    let token = emulator.connection_token_for(&chat.contact_id).unwrap();
    (chat.contact_id, token)
}

#[test]
fn get_transcript_follows_next_token_to_the_end_then_prints_one_document() {
    let emulator = Emulator::start().unwrap();
    let (contact_id, token) = chat_with_messages(&emulator, 5);
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-transcript",
            "--max-results",
            "2",
            "--sort-order",
            "ASCENDING",
            "--output",
            "json",
        ],
    );
    assert_success(&out);
    // 7 items (2 joined events, 5 messages) in pages of 2: 4 requests, the first as the
    // AWS CLI sends it, each next one with the NextToken before it.
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 4);
    assert_eq!(
        body(&seen[0]),
        r#"{"MaxResults":2,"SortOrder":"ASCENDING"}"#
    );
    for s in &seen[1..] {
        let b: Value = serde_json::from_slice(&s.body).unwrap();
        assert_eq!(b["MaxResults"], 2);
        assert_eq!(b["SortOrder"], "ASCENDING");
        assert!(
            b["NextToken"].as_str().is_some_and(|t| !t.is_empty()),
            "{b}"
        );
        assert_eq!(b.as_object().unwrap().len(), 3, "{b}");
    }
    // One document, as the AWS CLI prints one page: InitialContactId, then every page's
    // items in Transcript, each equal to what the service sent (its members as it names
    // them, absent ones left out), and no NextToken.
    let text = stdout(&out);
    let document: Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&String> = document.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["InitialContactId", "Transcript"], "{text}");
    assert_eq!(document["InitialContactId"], contact_id.as_str());
    let mut printed: Vec<(String, Value)> = document["Transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["Id"].as_str().unwrap().to_owned(), v.clone()))
        .collect();
    printed.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(printed, raw_items(&emulator, &token));
    // Written as the AWS CLI writes it: four spaces a level, the model's member order.
    assert!(
        text.starts_with(&format!(
            "{{\n    \"InitialContactId\": \"{contact_id}\",\n    \"Transcript\": [\n        {{\n"
        )),
        "{text}"
    );
    assert!(text.ends_with("\n        }\n    ]\n}\n"), "{text}");
    let client = emulator.client_builder().build().unwrap();
    let items: Vec<Item> = client
        .transcript_pages(
            &token,
            GetTranscriptRequest::new()
                .with_max_results(2)
                .with_sort_order(SortOrder::Ascending),
        )
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    let message = items
        .iter()
        .find(|i| i.content.as_deref() == Some("message 0"))
        .unwrap();
    let block = format!(
        "        {{\n            \"AbsoluteTime\": \"{}\",\n            \"Content\": \"message 0\",\n            \
         \"ContentType\": \"text/plain\",\n            \"Id\": \"{}\",\n            \"Type\": \"MESSAGE\",\n            \
         \"ParticipantId\": \"{}\",\n            \"DisplayName\": \"Agent\",\n            \
         \"ParticipantRole\": \"AGENT\",\n            \"ContactId\": \"{contact_id}\"\n        }}",
        message.absolute_time.as_ref().unwrap().as_str(),
        message.id.as_deref().unwrap(),
        message.participant_id.as_deref().unwrap(),
    );
    assert!(text.contains(&block), "{text}\n{block}");
}

#[test]
fn get_transcript_prints_a_readable_line_per_item() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let long = format!("line one\nline\u{1b}[2J two {}", "x".repeat(150));
    emulator
        .agent_says(&chat.contact_id, &long, "text/plain")
        .unwrap();
    let token = emulator.connection_token_for(&chat.contact_id).unwrap();
    let out = send_with(
        &emulator,
        &token,
        &["get-transcript", "--sort-order=ASCENDING"],
    );
    assert_success(&out);
    let client = emulator.client_builder().build().unwrap();
    let page = client
        .get_transcript(
            &token,
            &GetTranscriptRequest::new().with_sort_order(SortOrder::Ascending),
        )
        .unwrap();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), page.transcript.len(), "{text}");
    let time = |i: usize| page.transcript[i].absolute_time.as_ref().unwrap().as_str();
    assert_eq!(
        lines[0],
        format!(
            "{} CUSTOMER Customer [application/vnd.amazonaws.connect.event.participant.joined]",
            time(0)
        )
    );
    // Shortened to 100 characters, line breaks as spaces, control characters replaced.
    let shown = format!("line one line\u{fffd}[2J two {}", "x".repeat(100 - 22));
    assert_eq!(
        lines[2],
        format!("{} AGENT Agent [text/plain] {shown}…", time(2))
    );
}

#[test]
fn get_transcript_no_paginate_prints_the_page_with_its_next_token() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat_with_messages(&emulator, 3);
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-transcript",
            "--max-results",
            "2",
            "--no-paginate",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The page as the AWS CLI prints it, NextToken last and inside; nothing on stderr.
    assert_eq!(stderr(&out), "");
    let text = stdout(&out);
    let page: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(page["Transcript"].as_array().unwrap().len(), 2, "{text}");
    let next = page["NextToken"].as_str().unwrap().to_owned();
    assert!(!next.is_empty());
    assert!(
        text.ends_with(&format!("\n    ],\n    \"NextToken\": \"{next}\"\n}}\n")),
        "{text}"
    );
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(body(&seen[0]), r#"{"MaxResults":2}"#);
    let next = next.as_str();
    // The next page, from that token.
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-transcript",
            "--max-results",
            "2",
            "--next-token",
            next,
            "--no-paginate",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let page: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(page["Transcript"].as_array().unwrap().len(), 2);
    assert_eq!(
        body(&emulator.seen_requests()[1]),
        format!(r#"{{"MaxResults":2,"NextToken":"{next}"}}"#)
    );
}

#[test]
fn get_transcript_sends_every_option_as_the_aws_cli_does() {
    let emulator = Emulator::start().unwrap();
    let (contact_id, token) = chat_with_messages(&emulator, 4);
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-transcript",
            "--contact-id",
            &contact_id,
            "--max-results",
            "3",
            "--scan-direction",
            "FORWARD",
            "--sort-order",
            "DESCENDING",
            "--start-position",
            "MostRecent=3",
            "--no-paginate",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        body(&emulator.seen_requests()[0]),
        format!(
            r#"{{"ContactId":"{contact_id}","MaxResults":3,"ScanDirection":"FORWARD","SortOrder":"DESCENDING","StartPosition":{{"MostRecent":3}}}}"#
        )
    );
    // The three newest messages, newest first.
    let page: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let contents: Vec<&str> = page["Transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["Content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["message 3", "message 2", "message 1"]);
}

/// A page of one item whose next token is `next`, as a scripted answer.
fn hostile_page(id: &str, next: &str) -> Action {
    Action::Respond(response(
        "200 OK",
        &[],
        format!(r#"{{"Transcript":[{{"Id":"{id}","Content":"{id}"}}],"NextToken":"{next}"}}"#)
            .as_bytes(),
    ))
}

#[test]
fn get_transcript_against_a_hostile_server_ends_with_exit_3_or_at_a_circle() {
    // A NextToken the service could not take back ends the pages as a bad answer (exit 3),
    // not as the user's bad input (exit 2): for people, after printing what came before
    // it; as JSON, with nothing printed, as half a document would read as a whole one.
    let long = "n".repeat(1001);
    let server = Scripted::start(vec![hostile_page("first", &long)]);
    let url = server.url();
    let out = run(
        &["--endpoint-url", &url, "get-transcript", "--output", "json"],
        Token::Env(SECRET),
    );
    assert_eq!(code(&out), 3, "{out:?}");
    assert_eq!(stdout(&out), "");
    let refusal = "error: the service answered a NextToken of 1001 characters, which it could \
                   not take back (1 to 1000); the pages end here\n";
    assert_eq!(stderr(&out), refusal);
    assert_eq!(server.finish().requests.len(), 1);
    let server = Scripted::start(vec![hostile_page("first", &long)]);
    let url = server.url();
    let out = run(
        &["--endpoint-url", &url, "get-transcript"],
        Token::Env(SECRET),
    );
    assert_eq!(code(&out), 3, "{out:?}");
    assert_eq!(stdout(&out), "- - - [-] first\n");
    assert_eq!(stderr(&out), refusal);
    assert_eq!(server.finish().requests.len(), 1);

    // a, then b, then a again: a server going round in a circle is left at the circle.
    let server = Scripted::start(vec![
        hostile_page("1", "a"),
        hostile_page("2", "b"),
        hostile_page("3", "a"),
    ]);
    let url = server.url();
    let out = run(
        &["--endpoint-url", &url, "get-transcript", "--json"],
        Token::Env(SECRET),
    );
    assert_success(&out);
    let item = |id: &str| {
        format!(
            "        {{\n            \"Content\": \"{id}\",\n            \"Id\": \"{id}\"\n        }}"
        )
    };
    assert_eq!(
        stdout(&out),
        format!(
            "{{\n    \"Transcript\": [\n{},\n{},\n{}\n    ]\n}}\n",
            item("1"),
            item("2"),
            item("3")
        )
    );
    assert_eq!(server.finish().requests.len(), 3);
}

#[test]
fn get_transcript_json_keeps_the_members_of_the_model_as_the_aws_cli_does() {
    // botocore keeps the members its model names and drops the others: so does the
    // document (watch's JSON lines keep them).
    let page = r#"{"InitialContactId":"c-1","Transcript":[{"Id":"x","Later":[1],"MessageMetadata":{"MessageId":"x","MessageCompleted":true,"ChunkNumber":1}}],"Unknown":2}"#;
    let server = Scripted::start(vec![Action::Respond(response(
        "200 OK",
        &[],
        page.as_bytes(),
    ))]);
    let url = server.url();
    let out = run(
        &[
            "--endpoint-url",
            &url,
            "get-transcript",
            "--no-paginate",
            "--json",
        ],
        Token::Env(SECRET),
    );
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        "{\n    \"InitialContactId\": \"c-1\",\n    \"Transcript\": [\n        {\n            \
         \"Id\": \"x\",\n            \"MessageMetadata\": {\n                \"MessageId\": \"x\"\n            \
         }\n        }\n    ]\n}\n"
    );
    assert_eq!(server.finish().requests.len(), 1);
}
