//! The folding rules, without a network: items, receipts, sends, pages and the bounds.

use std::time::{Duration, UNIX_EPOCH};

use super::*;
use crate::error::{Error, ErrorKind};
use crate::ops::transcript::{
    GetTranscriptOutput, GetTranscriptRequest, MessageMetadata, ScanDirection, SortOrder,
    StartPosition,
};

fn time(secs: u64) -> Timestamp {
    Timestamp::from_system_time(UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs))
}

fn message(id: &str, secs: Option<u64>, from: &str, content: &str) -> Item {
    Item {
        id: Some(id.into()),
        absolute_time: secs.map(time),
        participant_id: Some(from.into()),
        item_type: Some(ItemType::Message),
        content_type: Some("text/plain".into()),
        content: Some(content.into()),
        ..Item::default()
    }
}

fn receipt(from: &str, delivered: Option<u64>, read: Option<u64>) -> Receipt {
    Receipt {
        delivered_timestamp: delivered.map(time),
        read_timestamp: read.map(time),
        recipient_participant_id: Some(from.into()),
    }
}

/// A `MESSAGEMETADATA` item, as the stream sends receipts.
fn metadata(message_id: &str, receipts: Vec<Receipt>) -> Item {
    Item {
        id: Some(format!("meta-{message_id}")),
        item_type: Some(ItemType::MessageMetadata),
        message_metadata: Some(MessageMetadata {
            message_id: Some(message_id.into()),
            receipts,
            ..MessageMetadata::default()
        }),
        ..Item::default()
    }
}

fn ids(t: &Transcript) -> Vec<String> {
    t.entries()
        .map(|e| e.id().unwrap_or("-").to_owned())
        .collect()
}

fn status(t: &Transcript, id: &str) -> Option<&'static str> {
    t.get(id)?.status().map(MessageStatus::as_str)
}

fn sent(id: &str, secs: u64) -> Result<SendMessageOutput> {
    Ok(SendMessageOutput {
        id: Some(id.into()),
        absolute_time: Some(time(secs)),
        message_metadata: None,
    })
}

#[test]
fn entries_sort_by_time_then_id_and_the_untimed_come_last_in_arrival_order() {
    let mut t = Transcript::new();
    for item in [
        message("c", Some(2), "agent", "3"),
        message("z", None, "agent", "untimed 1"),
        message("b", Some(2), "agent", "2"),
        message("a", Some(5), "agent", "5"),
        message("y", None, "agent", "untimed 2"),
        message("d", Some(1), "agent", "1"),
    ] {
        t.add_item(item);
    }
    assert_eq!(ids(&t), ["d", "b", "c", "a", "z", "y"]);
    // An untimed item given a time takes its place.
    t.add_item(message("z", Some(0), "agent", "now timed"));
    assert_eq!(ids(&t), ["z", "d", "b", "c", "a", "y"]);
    assert_eq!(t.len(), 6);
}

#[test]
fn an_item_again_replaces_its_entry_keeping_receipts_and_an_update_without_time_keeps_it() {
    let mut t = Transcript::new().with_participant_id("me");
    t.add_item(message("m", Some(3), "me", "first"));
    t.add_item(metadata("m", vec![receipt("agent", Some(4), None)]));
    let mut update = message("m", None, "me", "second");
    update.unknown_members = vec![("New".into(), "1".into())];
    t.add_item(update);
    assert_eq!(t.len(), 1);
    let e = t.get("m").unwrap();
    assert_eq!(e.item().content.as_deref(), Some("second"));
    assert_eq!(e.item().absolute_time, Some(time(3)));
    assert_eq!(e.receipts(), [receipt("agent", Some(4), None)]);
    assert_eq!(status(&t, "m"), Some("delivered"));
    // The same item a hundred times is one entry.
    for _ in 0..100 {
        t.add_item(message("m", Some(3), "me", "second"));
    }
    assert_eq!(t.len(), 1);
    assert_eq!(t.sizes(), [1, 1, 0, 0, 0]);
}

#[test]
fn typing_and_receipt_items_are_not_kept_and_items_without_id_each_are() {
    let mut t = Transcript::new();
    let typing = Item {
        id: Some("t".into()),
        absolute_time: Some(time(1)),
        item_type: Some(ItemType::Event),
        content_type: Some(crate::chat::content_types::TYPING.into()),
        ..Item::default()
    };
    t.add_item(typing.clone());
    t.add_item(Item {
        item_type: Some(ItemType::Typing),
        ..typing
    });
    t.add_item(metadata("unknown", vec![receipt("agent", Some(1), None)]));
    assert!(t.is_empty());
    t.add_item(Item::default());
    t.add_item(Item::default());
    assert_eq!(t.len(), 2);
}

#[test]
fn a_receipt_before_its_message_waits_and_lands_when_it_comes() {
    let mut t = Transcript::new().with_participant_id("me");
    t.add_item(metadata("m", vec![receipt("agent", None, Some(9))]));
    t.add_item(metadata("m", vec![receipt("agent", Some(8), None)]));
    assert_eq!(t.sizes(), [0, 0, 0, 1, 1]);
    t.add_item(message("m", Some(7), "me", "hi"));
    assert_eq!(t.sizes(), [1, 1, 0, 0, 0]);
    assert_eq!(
        t.get("m").unwrap().receipts(),
        [receipt("agent", Some(8), Some(9))]
    );
    assert_eq!(status(&t, "m"), Some("read"));
}

#[test]
fn statuses_walk_forward_only_and_only_on_the_others_receipts() {
    let mut t = Transcript::new().with_participant_id("me");
    let key = t.begin_send(&SendMessageRequest::text("hi"));
    let e = t.by_key(key).unwrap();
    assert_eq!(e.status().unwrap().as_str(), "sending");
    assert_eq!((e.id(), e.item().content.as_deref()), (None, Some("hi")));
    assert_eq!(e.item().participant_id.as_deref(), Some("me"));
    assert!(t.finish_send(key, sent("m", 5)));
    assert_eq!(status(&t, "m"), Some("sent"));
    assert_eq!(t.get("m").unwrap().item().absolute_time, Some(time(5)));
    // This participant's own receipt says nothing of the others.
    t.add_item(metadata("m", vec![receipt("me", Some(6), Some(6))]));
    assert_eq!(status(&t, "m"), Some("sent"));
    t.add_item(metadata("m", vec![receipt("agent", Some(6), None)]));
    assert_eq!(status(&t, "m"), Some("delivered"));
    t.add_item(metadata("m", vec![receipt("agent", Some(6), Some(7))]));
    assert_eq!(status(&t, "m"), Some("read"));
    // A late delivered receipt, or one from someone else, keeps read.
    t.add_item(metadata("m", vec![receipt("bot", Some(8), None)]));
    t.add_item(metadata("m", vec![receipt("agent", Some(9), None)]));
    assert_eq!(status(&t, "m"), Some("read"));
    // Finishing again changes nothing: not back to sent, not to failed.
    assert!(t.finish_send(key, sent("m", 5)));
    assert!(t.finish_send(key, Err(Error::invalid_config("late"))));
    assert_eq!(status(&t, "m"), Some("read"));
    assert_eq!(t.len(), 1);
    assert!(!t.finish_send(LocalKey(999), sent("x", 1)));
    assert_eq!(t.len(), 1);
}

#[test]
fn a_failed_send_keeps_its_error_and_receipts_do_not_move_it() {
    let mut t = Transcript::new();
    let key = t.begin_send(&SendMessageRequest::text("hi"));
    let refused = SendMessageRequest::text("").validate().unwrap_err();
    assert!(t.finish_send(key, Err(refused)));
    let e = t.by_key(key).unwrap();
    let Some(MessageStatus::Failed(error)) = e.status() else {
        panic!("{e:?}")
    };
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        error.to_string(),
        "invalid Content: 0 bytes of UTF-8, must be 1 to 16384"
    );
    assert!(t.finish_send(key, sent("m", 1)));
    assert_eq!(t.by_key(key).unwrap().status().unwrap().as_str(), "failed");
    assert_eq!(t.by_key(key).unwrap().id(), None);
}

#[test]
fn the_echo_merges_into_the_sent_entry_before_or_after_the_answer_and_teaches_the_id() {
    // The answer first, then the echo.
    let mut t = Transcript::new();
    let key = t.begin_send(&SendMessageRequest::text("hi"));
    t.finish_send(key, sent("m", 5));
    assert_eq!(t.participant_id(), None);
    t.add_item(message("m", Some(5), "me", "hi"));
    assert_eq!(t.participant_id(), Some("me"));
    assert_eq!(t.len(), 1);
    assert_eq!(t.by_key(key).unwrap().id(), Some("m"));
    assert_eq!(status(&t, "m"), Some("sent"));
    // Now known, the participant's other items are its own.
    t.add_item(message("n", Some(6), "me", "again"));
    assert_eq!(status(&t, "n"), Some("sent"));

    // The echo first (the stream was quicker than the answer), read already.
    let mut t = Transcript::new();
    let key = t.begin_send(&SendMessageRequest::text("hi"));
    t.add_item(message("m", Some(5), "me", "hi"));
    t.add_item(metadata("m", vec![receipt("agent", None, Some(6))]));
    assert_eq!(t.len(), 2);
    assert_eq!(status(&t, "m"), None);
    t.finish_send(key, sent("m", 5));
    assert_eq!(t.len(), 1);
    assert_eq!(t.sizes(), [1, 1, 1, 0, 0]);
    let e = t.by_key(key).unwrap();
    assert_eq!((e.id(), e.status().unwrap().as_str()), (Some("m"), "read"));
    assert_eq!(t.participant_id(), Some("me"));
}

#[test]
fn learning_the_id_later_marks_held_items_own_with_the_status_their_receipts_say() {
    let mut t = Transcript::new();
    t.add_item(message("old", Some(1), "me", "before"));
    t.add_item(metadata("old", vec![receipt("agent", Some(2), None)]));
    t.add_item(message("theirs", Some(2), "agent", "hello"));
    assert!(!t.get("old").unwrap().is_own());
    let key = t.begin_send(&SendMessageRequest::text("hi"));
    t.finish_send(key, sent("m", 5));
    t.add_item(message("m", Some(5), "me", "hi"));
    assert!(t.get("old").unwrap().is_own());
    assert_eq!(status(&t, "old"), Some("delivered"));
    assert!(!t.get("theirs").unwrap().is_own());
    assert_eq!(status(&t, "theirs"), None);
}

#[test]
fn own_events_carry_no_status_and_receipts_per_entry_are_bounded() {
    let mut t = Transcript::new().with_participant_id("me");
    let joined = Item {
        id: Some("j".into()),
        absolute_time: Some(time(1)),
        participant_id: Some("me".into()),
        item_type: Some(ItemType::Event),
        ..Item::default()
    };
    t.add_item(joined);
    assert!(t.get("j").unwrap().is_own());
    assert_eq!(status(&t, "j"), None);
    t.add_item(message("m", Some(2), "agent", "hi"));
    for n in 0..100 {
        t.add_item(metadata(
            "m",
            vec![receipt(&format!("p{n}"), Some(3), None)],
        ));
    }
    let receipts = t.get("m").unwrap().receipts();
    assert_eq!(receipts.len(), TranscriptEntry::MAX_RECIPIENTS);
    assert_eq!(receipts[15], receipt("p15", Some(3), None));
}

#[test]
fn folding_100000_items_stays_within_the_cap_and_every_index_within_its_bound() {
    let mut t = Transcript::new().with_max_entries(1000);
    let mut keys = Vec::new();
    for n in 0..100_000u64 {
        t.add_item(message(&format!("m{n}"), Some(n), "agent", "x"));
        // A receipt for a message never held, and a send now and then.
        t.add_item(metadata(
            &format!("gone{n}"),
            vec![receipt("agent", Some(n), None)],
        ));
        if n % 100 == 0 {
            let key = t.begin_send(&SendMessageRequest::text("hi"));
            t.finish_send(key, sent(&format!("s{n}"), n));
            keys.push(key);
        }
        if n % 997 == 0 {
            let [entries, by_id, by_key, waiting, order] = t.sizes();
            assert!(entries <= 1000 && by_id <= 1000 && by_key <= 1000, "{n}");
            assert!(waiting <= 1000 && order <= 1000, "{n}");
        }
    }
    let [entries, by_id, by_key, waiting, order] = t.sizes();
    assert_eq!((entries, by_id, waiting, order), (1000, 1000, 1000, 1000));
    // The sends kept are those of the kept span: s99100 ... s99900.
    assert_eq!(by_key, 9);
    assert!(t.by_key(keys[0]).is_none());
    assert_eq!(t.by_key(keys[999]).unwrap().id(), Some("s99900"));
    // The newest are kept, in order: m99009 ... m99999 and the 9 sends among them.
    assert_eq!(t.entries().next().unwrap().id(), Some("m99009"));
    assert_eq!(t.entries().last().unwrap().id(), Some("m99999"));
    assert!(!t.has_older(), "at the cap");
    assert_eq!(
        format!("{t:?}"),
        "Transcript { entries: 1000, max_entries: 1000, dropped: 100000, \
         waiting_receipts: 1000, participant_id_known: false, has_older: false }"
    );
}

#[test]
fn lowering_the_cap_drops_the_oldest_at_once_and_zero_counts_as_one() {
    let mut t = Transcript::new();
    assert_eq!(t.max_entries(), Transcript::DEFAULT_MAX_ENTRIES);
    for n in 0..10 {
        t.add_item(message(&format!("m{n}"), Some(n), "agent", "x"));
    }
    t.set_max_entries(3);
    assert_eq!(ids(&t), ["m7", "m8", "m9"]);
    t.set_max_entries(0);
    assert_eq!((t.max_entries(), ids(&t)), (1, vec!["m9".to_owned()]));
}

#[test]
fn careless_input_is_kept_bounded_and_never_panics() {
    let mut t = Transcript::new().with_participant_id("me");
    // Receipts naming no message, or an id the service never makes, do not wait.
    t.add_item(metadata("", vec![receipt("agent", Some(1), None)]));
    t.add_item(metadata(
        &"x".repeat(257),
        vec![receipt("agent", Some(1), None)],
    ));
    t.add_item(metadata(
        &"x".repeat(256),
        vec![receipt("agent", Some(1), None)],
    ));
    t.add_item(Item {
        item_type: Some(ItemType::MessageMetadata),
        ..Item::default()
    });
    assert_eq!(t.sizes(), [0, 0, 0, 1, 1]);
    // A time that cannot be read sorts first; an empty Id is an Id like any other.
    let mut garbled = message("g", None, "agent", "?");
    garbled.absolute_time = Some(Timestamp::from_service("yesterday".into()));
    t.add_item(message("a", Some(1), "agent", "x"));
    t.add_item(garbled);
    t.add_item(message("", Some(2), "me", "x"));
    t.add_item(message("", Some(2), "me", "x again"));
    assert_eq!(ids(&t), ["g", "a", ""]);
    assert_eq!(
        t.get("").unwrap().item().content.as_deref(),
        Some("x again")
    );
    // A receipt without a recipient is kept but says nothing of the status.
    t.add_item(metadata(
        "",
        vec![Receipt {
            read_timestamp: Some(time(3)),
            ..Receipt::default()
        }],
    ));
    assert_eq!(status(&t, ""), Some("sent"));
    assert_eq!(t.get("").unwrap().receipts().len(), 1);
    // A page of the same item a thousand times is one entry.
    let dup = page(vec![message("d", Some(4), "agent", "x"); 1000], None);
    t.add_page(&dup);
    assert_eq!(t.len(), 4);
}

fn page(items: Vec<Item>, next: Option<&str>) -> GetTranscriptOutput {
    GetTranscriptOutput {
        initial_contact_id: None,
        transcript: items,
        next_token: next.map(str::to_owned),
    }
}

fn chatjs(start: StartPosition) -> GetTranscriptRequest {
    GetTranscriptRequest::new()
        .with_max_results(100)
        .with_scan_direction(ScanDirection::Backward)
        .with_sort_order(SortOrder::Ascending)
        .with_start_position(start)
}

/// One `load_older` without the network: the request it would send, and the page folded.
fn older(t: &mut Transcript, answer: GetTranscriptOutput) -> (GetTranscriptRequest, usize) {
    let (request, start) = t.older_request().unwrap();
    let n = t.add_older_page(&request, start, &answer);
    (request, n)
}

#[test]
fn older_pages_follow_the_token_backward_and_end_when_the_service_says() {
    let mut t = Transcript::new();
    let m = |n: u64| message(&format!("m{n}"), Some(n), "agent", "x");
    let (request, n) = older(&mut t, page(vec![m(8), m(9)], Some("t1")));
    assert_eq!((request, n), (chatjs(StartPosition::default()), 2));
    let (request, n) = older(&mut t, page(vec![m(6), m(7), m(8)], Some("t2")));
    assert_eq!(
        (request, n),
        (chatjs(StartPosition::default()).with_next_token("t1"), 2)
    );
    assert!(t.has_older());
    let (_, n) = older(&mut t, page(vec![m(5)], Some("")));
    assert_eq!((n, t.has_older()), (1, false));
    assert!(t.older_request().is_none());
    assert_eq!(ids(&t), ["m5", "m6", "m7", "m8", "m9"]);

    // With entries held already, the first page starts at the oldest held.
    let mut t = Transcript::new();
    t.add_item(m(4));
    t.add_item(m(3));
    let (request, n) = older(&mut t, page(vec![m(2), m(3)], None));
    assert_eq!((request, n), (chatjs(StartPosition::id("m3")), 1));
    assert!(!t.has_older());
}

#[test]
fn a_token_going_round_restarts_from_the_oldest_held_then_ends_on_nothing_new() {
    let mut t = Transcript::new();
    let m = |n: u64| message(&format!("m{n}"), Some(n), "agent", "x");
    older(&mut t, page(vec![m(8), m(9)], Some("t1")));
    older(&mut t, page(vec![m(7)], Some("t1")));
    let (request, n) = older(&mut t, page(vec![m(6), m(7)], Some("t1")));
    assert_eq!((request, n), (chatjs(StartPosition::id("m7")), 1));
    assert!(t.has_older());
    let (_, n) = older(&mut t, page(vec![m(6)], Some("t1")));
    assert_eq!((n, t.has_older()), (0, false));
    // A token the service could not take back is not sent.
    let mut t = Transcript::new();
    older(&mut t, page(vec![m(8)], Some(&"x".repeat(1001))));
    assert_eq!(
        t.older_request().unwrap().0,
        chatjs(StartPosition::id("m8"))
    );
}

#[test]
fn at_the_cap_there_is_no_older_until_the_cap_is_raised() {
    let mut t = Transcript::new().with_max_entries(2);
    let m = |n: u64| message(&format!("m{n}"), Some(n), "agent", "x");
    older(&mut t, page(vec![m(7), m(8), m(9)], None));
    assert_eq!(ids(&t), ["m8", "m9"]);
    assert!(!t.has_older(), "full: a loop on has_older ends");
    // A page that comes anyway is dropped.
    let (request, n) = older(&mut t, page(vec![m(6), m(7), m(8)], None));
    assert_eq!((request, n), (chatjs(StartPosition::id("m8")), 0));
    t.set_max_entries(10);
    assert!(t.has_older());
    let (_, n) = older(&mut t, page(vec![m(6), m(7), m(8)], None));
    assert_eq!((n, t.has_older()), (2, false));
    assert_eq!(ids(&t), ["m6", "m7", "m8", "m9"]);
}

#[test]
fn debug_shows_counts_and_never_content() {
    let mut t = Transcript::new().with_participant_id("secret-participant");
    t.add_item(message("m", Some(1), "agent", "secret content"));
    let key = t.begin_send(&SendMessageRequest::text("secret sent"));
    let shown = format!(
        "{t:?} {:?} {:?}",
        t.get("m").unwrap(),
        t.by_key(key).unwrap()
    );
    assert!(!shown.contains("secret"), "{shown}");
    assert_eq!(
        format!("{:?}", t.get("m").unwrap()),
        "TranscriptEntry { id: Some(\"m\"), absolute_time: Some(Timestamp(\"2023-11-14T22:13:21.000Z\")), \
         item_type: Some(Message), local_key: None, own: false, status: None, receipts: 0 }"
    );
}

#[cfg(feature = "websocket")]
#[test]
fn stream_events_fold_as_items_and_receipts_and_typing_and_connection_change_nothing() {
    use crate::chat::stream::{ChatEnd, Connection, Event, ReceiptEvent};
    let mut t = Transcript::new().with_participant_id("me");
    t.on_event(&Event::Connection(Connection::Established));
    t.on_event(&Event::Typing(message("t", Some(1), "agent", "")));
    assert!(t.is_empty());
    t.on_event(&Event::Message(message("m", Some(2), "me", "one")));
    t.on_event(&Event::Update(message("m", Some(2), "me", "two")));
    let r = |read: Option<u64>| ReceiptEvent {
        message_id: Some("m".into()),
        recipient: Some("agent".into()),
        delivered_at: read.is_none().then(|| time(3)),
        read_at: read.map(time),
        item: Item::default(),
    };
    t.on_event(&Event::Read(r(Some(4))));
    t.on_event(&Event::Delivered(r(None)));
    t.on_event(&Event::ChatEnded(ChatEnd {
        item: Some(message("end", Some(5), "system", "")),
        error: None,
    }));
    t.on_event(&Event::Left(ChatEnd {
        item: None,
        error: None,
    }));
    assert_eq!(ids(&t), ["m", "end"]);
    assert_eq!(t.get("m").unwrap().item().content.as_deref(), Some("two"));
    assert_eq!(status(&t, "m"), Some("read"));
    assert_eq!(
        t.get("m").unwrap().receipts(),
        [receipt("agent", Some(3), Some(4))]
    );
}
