//! `watch` names every event of the catalogue: each one made by the agent through the
//! emulator's control path (over HTTP, as from any language) comes out under its own
//! name, none as `other`.

use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::Duration;

use connect_participant::emulator::Emulator;
use serde_json::{Value, json};

use super::{Token, assert_success, assert_unleaked, spawn_env};
use crate::support::process::bounded_wait;
use crate::support::raw::call;

/// How long the test waits for `watch` to subscribe and for each line: a bound, not a
/// synchronization.
const PATIENCE: Duration = Duration::from_secs(10);

const EVENT: &str = "application/vnd.amazonaws.connect.event.";

/// Each event the agent sends (the content type after `…connect.event.`, its content),
/// and the name `watch` must print for it. Spelled out rather than taken from the crate,
/// so that a name the crate gets wrong cannot hide.
const CATALOGUE: [(&str, Option<&str>, &str); 21] = [
    ("typing", None, "typing"),
    ("participant.joined", None, "participant.joined"),
    ("participant.invited", None, "participant.invited"),
    ("participant.idle", None, "participant.idle"),
    ("participant.returned", None, "participant.returned"),
    (
        "participant.autodisconnection",
        None,
        "participant.autodisconnection",
    ),
    ("participant.active", None, "participant.active"),
    ("participant.inactive", None, "participant.inactive"),
    (
        "participant.displayname.updated",
        Some(r#"{"DisplayName":"Sam"}"#),
        "participant.displayname.updated",
    ),
    ("participant.left", None, "participant.left"),
    ("chat.rehydrated", None, "chat.rehydrated"),
    ("transfer.succeeded", None, "transfer.succeeded"),
    ("transfer.failed", None, "transfer.failed"),
    ("connection.acknowledged", None, "connection.acknowledged"),
    (
        "authentication.initiated",
        Some(r#"{"SessionId":"0b5a1a4e-8d6b-4c3e-9a55-2f1c6e7d8a90"}"#),
        "authentication.initiated",
    ),
    ("authentication.succeeded", None, "authentication.succeeded"),
    ("authentication.failed", None, "authentication.failed"),
    ("authentication.timeout", None, "authentication.timeout"),
    ("authentication.expired", None, "authentication.expired"),
    ("authentication.cancelled", None, "authentication.cancelled"),
    ("workflow.cancelled", None, "workflow.cancelled"),
];

/// `POST /emulator/chats/{contact_id}/{what}` with `body`: its answer's `Id`.
fn control(emulator: &Emulator, contact_id: &str, what: &str, body: &Value) -> String {
    let path = format!("/emulator/chats/{contact_id}/{what}");
    let a = call(emulator.addr(), "POST", &path, None, &body.to_string());
    assert_eq!(a.status, 200, "{body}: {}", a.text());
    a.json()["Id"].as_str().unwrap().to_owned()
}

#[test]
fn watch_prints_every_catalogue_event_under_its_own_name() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let id = chat.contact_id.as_str();
    let url = emulator.endpoint_url();
    let (mut child, handed) = spawn_env(
        &["--endpoint-url", &url, "watch"],
        Token::ParticipantEnv(&chat.participant_token),
        &[],
    );
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Ready once the stream says so: its socket subscribed and the transcript read. A
    // typing frame pushed before that would come after the catch-up's items (typing is
    // not in the transcript), out of the order this test checks.
    match lines.recv_timeout(PATIENCE) {
        Ok(line) if line == r#"{"Connection":"established"}"# => {}
        other => {
            let _ = child.kill();
            panic!(
                "watch did not say established: {other:?}, {:?}",
                bounded_wait(child)
            );
        }
    }

    let mut expected: Vec<(&str, Option<String>)> = Vec::new();
    for (event, content, name) in CATALOGUE {
        let mut body = json!({ "ContentType": format!("{EVENT}{event}") });
        if let Some(c) = content {
            body["Content"] = json!(c);
        }
        let item = control(&emulator, id, "events", &body);
        expected.push((name, Some(item)));
    }
    // An interactive message is a message; receipts name the message they are about.
    let quick = r#"{"templateType":"QuickReply","version":"1.0","data":{"content":{"title":"Ok?","elements":[{"title":"Yes"}]}}}"#;
    let message = control(
        &emulator,
        id,
        "messages",
        &json!({"ContentType": "application/vnd.amazonaws.connect.message.interactive", "Content": quick}),
    );
    expected.push(("message", Some(message.clone())));
    for (event, name) in [("message.delivered", "delivered"), ("message.read", "read")] {
        let receipt = json!({ "messageId": message }).to_string();
        let body = json!({ "ContentType": format!("{EVENT}{event}"), "Content": receipt });
        control(&emulator, id, "events", &body);
        // A receipt's item is its own MESSAGEMETADATA item, not the message.
        expected.push((name, None));
    }
    control(
        &emulator,
        id,
        "events",
        &json!({ "ContentType": format!("{EVENT}chat.ended") }),
    );
    expected.push(("chat.ended", None));

    let mut printed = Vec::new();
    for (name, item_id) in &expected {
        // The connection's own lines (`{"Connection":"established"}` first) are not events.
        let line = (0..10)
            .find_map(|_| {
                let line = lines
                    .recv_timeout(PATIENCE)
                    .unwrap_or_else(|e| panic!("no line for {name} within {PATIENCE:?}: {e}"));
                (!line.starts_with(r#"{"Connection":"#)).then_some(line)
            })
            .unwrap_or_else(|| panic!("only connection lines where {name} was due"));
        let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(v["Event"], *name, "{line}");
        if let Some(item_id) = item_id {
            assert_eq!(v["Item"]["Id"], item_id.as_str(), "{line}");
        }
        printed.push(line);
    }
    let mut out = bounded_wait(child);
    // Anything after chat.ended would be a line too many.
    while let Ok(line) = lines.recv_timeout(PATIENCE) {
        printed.push(line);
    }
    assert_eq!(printed.len(), expected.len(), "{printed:#?}");
    assert!(!printed.iter().any(|l| l.contains(r#""Event":"other""#)));
    out.stdout = printed.join("\n").into_bytes();
    assert_success(&out);
    assert_unleaked(&out, &handed);
}
