//! The checkpoint's unit tests: what it holds, what it forgets, and its JSON form.

use super::*;
use crate::ErrorKind;

fn item(id: &str, time: &str) -> Item {
    Item::from_json(&format!(
        r#"{{"AbsoluteTime":"{time}","Id":"{id}","Type":"MESSAGE"}}"#
    ))
    .unwrap()
}

/// The `n`th second after 10:00 on 2026-12-07.
fn at(n: u32) -> String {
    format!(
        "2026-12-07T{:02}:{:02}:{:02}.000Z",
        10 + n / 3600,
        n / 60 % 60,
        n % 60
    )
}

/// Version 1 as this version writes it. Never change this text: every later version must
/// read it.
const VERSION_1: &str = r#"{"Version":1,"Items":[{"AbsoluteTime":"2026-12-07T10:00:00.000Z","Id":"m-1"},{"AbsoluteTime":"2026-12-07T10:00:01.5Z","Id":"m-2"}],"Receipts":[{"MessageId":"m-1","RecipientParticipantId":"agent","Read":true},{"MessageId":"m-2","Read":false}]}"#;

#[test]
fn the_version_1_form_is_read_and_written_byte_for_byte() {
    let at = Checkpoint::from_json(VERSION_1).unwrap();
    let (id, time) = at.newest().unwrap();
    assert_eq!((id, time.as_str()), ("m-2", "2026-12-07T10:00:01.5Z"));
    assert_eq!(at.since().unwrap().as_str(), "2026-12-07T10:00:00.000Z");
    let receipts: Vec<_> = at.receipts().cloned().collect();
    assert_eq!(
        receipts,
        vec![
            SeenReceipt {
                message_id: "m-1".into(),
                recipient: Some("agent".into()),
                read: true
            },
            SeenReceipt {
                message_id: "m-2".into(),
                recipient: None,
                read: false
            },
        ]
    );
    assert_eq!(at.to_json(), VERSION_1);
    let via_serde: Checkpoint = serde_json::from_str(VERSION_1).unwrap();
    assert_eq!(serde_json::to_string(&via_serde).unwrap(), VERSION_1);
}

#[test]
fn a_checkpoint_this_version_builds_is_written_as_the_version_1_text() {
    let mut cp = Checkpoint::new();
    assert!(cp.note(&item("m-1", "2026-12-07T10:00:00.000Z")));
    assert!(cp.note(&item("m-2", "2026-12-07T10:00:01.5Z")));
    assert!(cp.note_receipt(SeenReceipt {
        message_id: "m-1".into(),
        recipient: Some("agent".into()),
        read: true,
    }));
    assert!(cp.note_receipt(SeenReceipt {
        message_id: "m-2".into(),
        recipient: None,
        read: false,
    }));
    assert_eq!(cp.to_json(), VERSION_1);
    assert_eq!(serde_json::to_string(&cp).unwrap(), VERSION_1);
    assert_eq!(Checkpoint::from_json(&cp.to_json()).unwrap(), cp);
}

#[test]
fn members_it_does_not_know_are_ignored_and_absent_lists_are_empty() {
    let at = Checkpoint::from_json(r#"{"Later":{"x":1},"Version":1}"#).unwrap();
    assert_eq!(at, Checkpoint::new());
    assert_eq!(at.to_json(), r#"{"Version":1,"Items":[],"Receipts":[]}"#);
}

#[test]
fn what_is_not_a_checkpoint_is_refused_saying_what_was_wrong() {
    let long = "x".repeat(257);
    let many: Vec<String> = (0..1025)
        .map(|i| format!(r#"{{"AbsoluteTime":"{}","Id":"m{i}"}}"#, at(0)))
        .collect();
    let many = format!(r#"{{"Version":1,"Items":[{}]}}"#, many.join(","));
    let cases = [
        ("[]", "invalid checkpoint: not a JSON object"),
        (
            "{",
            "invalid checkpoint: not JSON (EOF while parsing an object at line 1 column 1)",
        ),
        (
            r#"{"Items":[]}"#,
            "invalid checkpoint: member Version is not a whole number",
        ),
        (
            r#"{"Version":2}"#,
            "invalid checkpoint: version 2, this crate reads version 1",
        ),
        (
            r#"{"Version":1,"Items":{}}"#,
            "invalid checkpoint: member Items is not a list",
        ),
        (
            r#"{"Version":1,"Items":[1]}"#,
            "invalid checkpoint: Items[0] is not an object",
        ),
        (
            r#"{"Version":1,"Items":[{"AbsoluteTime":"t"}]}"#,
            "invalid checkpoint: Items[0] has no Id",
        ),
        (
            r#"{"Version":1,"Items":[{"Id":"a","AbsoluteTime":7}]}"#,
            "invalid checkpoint: Items[0].AbsoluteTime is not a string of 1 to 100 characters",
        ),
        (
            &format!(r#"{{"Version":1,"Items":[{{"Id":"{long}","AbsoluteTime":"t"}}]}}"#),
            "invalid checkpoint: element 0's Id is not a string of 1 to 256 characters",
        ),
        (
            r#"{"Version":1,"Receipts":[{"MessageId":"m"}]}"#,
            "invalid checkpoint: Receipts[0].Read is not a boolean",
        ),
        (
            &many,
            "invalid checkpoint: 1025 Items, a checkpoint holds at most 1024",
        ),
    ];
    for (json, message) in cases {
        let e = Checkpoint::from_json(json).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{json}");
        assert_eq!(e.to_string(), message, "{json}");
    }
}

#[test]
fn an_id_listed_twice_is_held_once_and_forgotten_whole() {
    let json = format!(
        r#"{{"Version":1,"Items":[{{"AbsoluteTime":"{}","Id":"a"}},{{"AbsoluteTime":"{}","Id":"a"}}]}}"#,
        at(0),
        at(30)
    );
    let mut cp = Checkpoint::from_json(&json).unwrap();
    assert_eq!(cp.items.len(), 1);
    cp.note(&item("b", &at(100)));
    assert!(!cp.holds_id("a"));
    assert_eq!(cp.items.len(), cp.ids.len());
}

#[test]
fn it_has_what_it_noted_and_everything_before_since() {
    let mut cp = Checkpoint::new();
    assert!(!cp.has(&item("m-1", &at(10))));
    assert!(cp.note(&item("m-1", &at(10))));
    assert!(!cp.note(&item("m-1", &at(10))), "noted twice");
    assert!(cp.has(&item("m-1", &at(10))));
    assert!(cp.has(&item("older", &at(9))), "before since");
    assert!(!cp.has(&item("same-time", &at(10))), "at since, not held");
    assert!(!cp.has(&item("newer", &at(11))));
    let mut no_id = item("x", &at(10));
    no_id.id = None;
    assert!(cp.has(&no_id), "no Id, not newer than the newest");
    no_id.absolute_time = Some(Timestamp::parse(&at(11)).unwrap());
    assert!(!cp.has(&no_id), "no Id, newer than the newest");
    assert!(!cp.note(&no_id), "nothing to hold it by");
    assert!(!cp.note(&item("older", &at(9))), "already counts as had");
    assert_eq!(cp.items.len(), 1);
}

#[test]
fn items_more_than_a_minute_older_than_the_newest_are_forgotten_whole_times_at_once() {
    let mut cp = Checkpoint::new();
    cp.note(&item("a", &at(0)));
    cp.note(&item("b", &at(30)));
    cp.note(&item("c", &at(30)));
    cp.note(&item("d", &at(61)));
    assert_eq!(cp.since().unwrap().as_str(), at(30), "a is 61 s older");
    assert!(cp.has(&item("a", &at(0))), "before since: had");
    cp.note(&item("e", &at(91)));
    assert_eq!(cp.since().unwrap().as_str(), at(61));
    assert_eq!(cp.items.len(), 2);
}

#[test]
fn it_holds_at_most_256_items_and_a_hostile_single_time_at_most_1024() {
    let mut cp = Checkpoint::new();
    for i in 0..300 {
        cp.note(&item(
            &format!("m{i}"),
            &format!("2026-12-07T10:00:00.{i:03}Z"),
        ));
    }
    assert_eq!(cp.items.len(), 256);
    assert_eq!(cp.since().unwrap().as_str(), "2026-12-07T10:00:00.044Z");
    let mut one_time = Checkpoint::new();
    for i in 0..5000 {
        one_time.note(&item(&format!("m{i:05}"), &at(0)));
    }
    assert_eq!(one_time.items.len(), 1024);
    let json = one_time.to_json();
    assert_eq!(Checkpoint::from_json(&json).unwrap(), one_time);
}

#[test]
fn receipts_are_one_per_message_and_recipient_and_read_never_goes_back() {
    let receipt = |id: &str, read: &str| {
        Item::from_json(&format!(
            r#"{{"Id":"r-{id}-{}","AbsoluteTime":"{}","Type":"MESSAGEMETADATA","MessageMetadata":{{"MessageId":"{id}","Receipts":[{{"DeliveredTimestamp":"t",{read}"RecipientParticipantId":"agent"}}]}}}}"#,
            read.len(),
            at(5)
        ))
        .unwrap()
    };
    let mut cp = Checkpoint::new();
    assert!(cp.note(&receipt("m-1", "")));
    assert!(cp.note(&receipt("m-1", r#""ReadTimestamp":"t","#)));
    assert!(!cp.note(&receipt("m-1", "")), "delivered after read");
    assert_eq!(cp.receipts().count(), 1);
    assert!(cp.receipts().next().unwrap().read);
    assert_eq!(cp.items.len(), 0, "a receipt item is not a transcript item");
    for i in 0..300 {
        cp.note(&receipt(&format!("m{i}"), ""));
    }
    assert_eq!(cp.receipts().count(), 256);
    assert_eq!(cp.receipts().next().unwrap().message_id, "m44");
}

#[test]
fn nothing_but_counts_and_a_time_is_debugged() {
    let cp = Checkpoint::from_json(VERSION_1).unwrap();
    assert_eq!(
        format!("{cp:?}"),
        "Checkpoint { items: 2, newest: Some(Timestamp(\"2026-12-07T10:00:01.5Z\")), receipts: 2 }"
    );
}
