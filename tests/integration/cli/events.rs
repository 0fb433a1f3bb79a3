//! typing, read, delivered and send-event: the event sent, and the output formats.

use connect_participant::emulator::{Emulator, Fault};
use serde_json::Value;

use super::{Token, assert_success, run, send, send_with, stdout};
use crate::support::assert_uuid_v4;
use crate::support::content_type::{DELIVERED, READ, TYPING};

#[test]
fn typing_reaches_the_emulator_without_content() {
    let emulator = Emulator::start().unwrap();
    let out = send(&emulator, &["typing"]);
    assert_success(&out);
    let events = emulator.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].content_type, TYPING);
    assert_eq!(events[0].content, None);
    assert_eq!(
        stdout(&out),
        format!(
            "sent typing: Id {} at {}\n",
            events[0].id, events[0].absolute_time
        )
    );
}

#[test]
fn read_and_delivered_send_the_message_id_as_json() {
    let emulator = Emulator::start().unwrap();
    // Quotes, a backslash and non-ASCII must reach the service JSON-escaped, not mangled.
    let id = "m-\"1\"\\é😀";
    let read = send(&emulator, &["read", id]);
    assert_success(&read);
    // Options after the command, and `--` before an id that looks like an option.
    let delivered = send(&emulator, &["delivered", "--json", "--", "-5"]);
    assert_success(&delivered);

    let events = emulator.events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].content_type, READ);
    assert_eq!(
        events[0].content.as_deref(),
        Some(r#"{"messageId":"m-\"1\"\\é😀"}"#)
    );
    assert_eq!(
        stdout(&read),
        format!(
            "sent read receipt: Id {} at {}\n",
            events[0].id, events[0].absolute_time
        )
    );
    assert_eq!(events[1].content_type, DELIVERED);
    assert_eq!(events[1].content.as_deref(), Some(r#"{"messageId":"-5"}"#));
}

#[test]
fn send_event_sends_the_content_type_and_content_as_given() {
    let emulator = Emulator::start().unwrap();
    let content = r#"{"messageId":"raw-1"}"#;
    let receipt = send(
        &emulator,
        &[
            "send-event",
            "--content-type",
            DELIVERED,
            "--content",
            content,
            "--client-token",
            "ev-1",
        ],
    );
    assert_success(&receipt);
    let typing = send(
        &emulator,
        &["send-event", &format!("--content-type={TYPING}")],
    );
    assert_success(&typing);

    let events = emulator.events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].content_type, DELIVERED);
    assert_eq!(events[0].content.as_deref(), Some(content));
    assert_eq!(events[1].content_type, TYPING);
    assert_eq!(events[1].content, None);
    assert_eq!(
        stdout(&typing),
        format!(
            "sent {TYPING}: Id {} at {}\n",
            events[1].id, events[1].absolute_time
        )
    );
    // What went over the wire: what the AWS CLI sends for the same options.
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].path, "/participant/event");
    assert_eq!(
        String::from_utf8_lossy(&seen[0].body),
        format!(
            r#"{{"ClientToken":"ev-1","Content":"{{\"messageId\":\"raw-1\"}}","ContentType":"{DELIVERED}"}}"#
        )
    );
    // Without --client-token, a new UUID v4, as the AWS CLI fills in an idempotency token.
    let body: Value = serde_json::from_slice(&seen[1].body).unwrap();
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    assert_eq!(body["ContentType"], TYPING);
    assert_uuid_v4(body["ClientToken"].as_str().unwrap());
}

#[test]
fn client_token_option_is_sent() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    let out = send_with(&emulator, &token, &["--client-token", "cli-ct-1", "typing"]);
    assert_success(&out);
    // Sent again by the same participant with the same client token: the service's
    // idempotency gives the same event.
    let again = send_with(&emulator, &token, &["typing", "--client-token=cli-ct-1"]);
    assert_success(&again);

    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 2);
    assert!(
        seen.iter()
            .all(|r| r.client_token().as_deref() == Some("cli-ct-1"))
    );
    let events = emulator.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].client_token.as_deref(), Some("cli-ct-1"));
    assert_eq!(stdout(&out), stdout(&again));
}

#[test]
fn json_output_is_the_aws_clis_document_with_id_and_absolute_time() {
    let emulator = Emulator::start().unwrap();
    let out = send(&emulator, &["--json", "read", "m-1"]);
    assert_success(&out);
    let event = &emulator.events()[0];
    // The AWS CLI's document: the service's member order, four spaces a level.
    assert_eq!(
        stdout(&out),
        format!(
            "{{\n    \"Id\": \"{}\",\n    \"AbsoluteTime\": \"{}\"\n}}\n",
            event.id, event.absolute_time
        )
    );
}

#[test]
fn json_output_leaves_out_absent_members() {
    let emulator = Emulator::start().unwrap();
    // A success with an empty object: both members are optional in the service model.
    emulator.inject(Fault::Respond {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: b"{}".to_vec(),
    });
    let out = send(&emulator, &["typing", "--json"]);
    assert_success(&out);
    // An empty answer: the AWS CLI prints nothing for it.
    assert_eq!(stdout(&out), "");
}

#[test]
fn output_json_is_json_and_endpoint_url_is_endpoint() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    let url = emulator.endpoint_url();
    let out = run(
        &["--endpoint-url", &url, "typing", "--output", "json"],
        Token::Env(token.expose_secret()),
    );
    assert_success(&out);
    let event = &emulator.events()[0];
    assert_eq!(
        stdout(&out),
        format!(
            "{{\n    \"Id\": \"{}\",\n    \"AbsoluteTime\": \"{}\"\n}}\n",
            event.id, event.absolute_time
        )
    );
}
