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
fn get_transcript_follows_next_token_to_the_end_one_json_item_per_line() {
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
    // One JSON item per line, equal to what the service sent: its members as it names
    // them, absent ones left out.
    let text = stdout(&out);
    let mut printed: Vec<(String, Value)> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["Id"].as_str().unwrap().to_owned(), v)
        })
        .collect();
    printed.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(printed, raw_items(&emulator, &token));
    // Exactly, for one message: the model's member order.
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
    let lines: Vec<&str> = text.lines().collect();
    let (at, message) = items
        .iter()
        .enumerate()
        .find(|(_, i)| i.content.as_deref() == Some("message 0"))
        .unwrap();
    assert_eq!(
        lines[at],
        format!(
            "{{\"AbsoluteTime\":\"{}\",\"Content\":\"message 0\",\"ContentType\":\"text/plain\",\
             \"Id\":\"{}\",\"Type\":\"MESSAGE\",\"ParticipantId\":\"{}\",\
             \"DisplayName\":\"Agent\",\"ParticipantRole\":\"AGENT\",\"ContactId\":\"{contact_id}\"}}",
            message.absolute_time.as_ref().unwrap().as_str(),
            message.id.as_deref().unwrap(),
            message.participant_id.as_deref().unwrap(),
        )
    );
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
fn get_transcript_no_paginate_reads_one_page_and_tells_the_next_token() {
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
    assert_eq!(stdout(&out).lines().count(), 2);
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(body(&seen[0]), r#"{"MaxResults":2}"#);
    let err = stderr(&out);
    let next = err
        .strip_prefix("more items: continue with --next-token ")
        .and_then(|t| t.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("{err}"));
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
    assert_eq!(stdout(&out).lines().count(), 2);
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
    let contents: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["Content"].as_str().unwrap().to_owned()
        })
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
    // not as the user's bad input (exit 2), after printing what came before it.
    let long = "n".repeat(1001);
    let server = Scripted::start(vec![hostile_page("first", &long)]);
    let url = server.url();
    let out = run(
        &["--endpoint-url", &url, "get-transcript", "--output", "json"],
        Token::Env(SECRET),
    );
    assert_eq!(code(&out), 3, "{out:?}");
    assert_eq!(stdout(&out), "{\"Content\":\"first\",\"Id\":\"first\"}\n");
    assert_eq!(
        stderr(&out),
        "error: the service answered a NextToken of 1001 characters, which it could not take \
         back (1 to 1000); the pages end here\n"
    );
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
    assert_eq!(stdout(&out).lines().count(), 3);
    assert_eq!(server.finish().requests.len(), 3);
}
