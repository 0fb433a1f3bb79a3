//! GetTranscript: defaults, orderings, start positions, paging, and the bounds on chats.

use std::time::Duration;

use connect_participant::Timestamp;
use connect_participant::emulator::{Emulator, StartedChat};
use serde_json::{Value, json};

use super::{assert_denied, assert_validation, contents, transcript};
use crate::support::content_type::JOINED;
use crate::support::raw::{connect, op};

/// A chat with both joined events and messages m1..m5, one emulated second apart.
fn chat_with_five_messages(emulator: &Emulator) -> (StartedChat, String, Vec<String>) {
    let chat = emulator.start_chat();
    let mut ids = Vec::new();
    for n in 1..=5 {
        emulator.advance_clock(Duration::from_secs(1));
        ids.push(
            emulator
                .agent_says(&chat.contact_id, &format!("m{n}"), "text/plain")
                .unwrap(),
        );
    }
    let token = connect(emulator, &chat.participant_token);
    (chat, token, ids)
}

#[test]
fn get_transcript_defaults_and_ordering() {
    let emulator = Emulator::start().unwrap();
    let (chat, token, ids) = chat_with_five_messages(&emulator);
    let all_desc = ["m5", "m4", "m3", "m2", "m1", JOINED, JOINED];
    let page = |body: Value| contents(&transcript(&emulator, &token, &body));

    // Defaults: BACKWARD from the newest, DESCENDING, 10 at most, no NextToken at the end.
    let t = transcript(&emulator, &token, &json!({}));
    assert_eq!(contents(&t), all_desc);
    assert!(t.get("NextToken").is_none(), "{t}");
    assert_eq!(page(json!({"SortOrder": "DESCENDING"})), all_desc);
    assert_eq!(page(json!({"ScanDirection": "BACKWARD"})), all_desc);
    // An empty StartPosition is none (ChatJS sends `{}`).
    assert_eq!(page(json!({"StartPosition": {}})), all_desc);
    assert_eq!(
        page(json!({"StartPosition": {"MostRecent": 0}})),
        all_desc,
        "MostRecent 0 is not set"
    );
    let mut all_asc = all_desc;
    all_asc.reverse();
    assert_eq!(page(json!({"SortOrder": "ASCENDING"})), all_asc);
    // MaxResults 0 is the default 10.
    assert_eq!(page(json!({"MaxResults": 0})), all_desc);
    assert_eq!(page(json!({"MaxResults": 2})), ["m5", "m4"]);
    assert_eq!(
        page(json!({"MaxResults": 2, "SortOrder": "ASCENDING"})),
        ["m4", "m5"]
    );
    // FORWARD from the default start: the newest item alone.
    assert_eq!(page(json!({"ScanDirection": "FORWARD"})), ["m5"]);

    // From an Id: FORWARD by default.
    let from_m2 = json!({"Id": ids[1]});
    assert_eq!(
        page(json!({"StartPosition": from_m2})),
        ["m5", "m4", "m3", "m2"]
    );
    assert_eq!(
        page(json!({"StartPosition": from_m2, "SortOrder": "ASCENDING"})),
        ["m2", "m3", "m4", "m5"]
    );
    assert_eq!(
        page(
            json!({"StartPosition": from_m2, "ScanDirection": "BACKWARD", "SortOrder": "ASCENDING"})
        ),
        [JOINED, JOINED, "m1", "m2"]
    );
    assert_eq!(
        page(json!({"StartPosition": from_m2, "MaxResults": 2, "SortOrder": "ASCENDING"})),
        ["m2", "m3"]
    );

    // From a time: at or after it going forward, at or before it going backward.
    let items = transcript(&emulator, &token, &json!({"SortOrder": "ASCENDING"}));
    let m3_time = items["Transcript"][4]["AbsoluteTime"].as_str().unwrap();
    assert_eq!(items["Transcript"][4]["Content"], "m3");
    assert_eq!(
        page(json!({"StartPosition": {"AbsoluteTime": m3_time}, "SortOrder": "ASCENDING"})),
        ["m3", "m4", "m5"]
    );
    assert_eq!(
        page(json!({"StartPosition": {"AbsoluteTime": m3_time}, "ScanDirection": "BACKWARD"})),
        ["m3", "m2", "m1", JOINED, JOINED]
    );
    let just_before_m3 = Timestamp::from_system_time(
        Timestamp::parse(m3_time).unwrap().to_system_time().unwrap() - Duration::from_millis(1),
    );
    assert_eq!(
        page(
            json!({"StartPosition": {"AbsoluteTime": just_before_m3.as_str()}, "SortOrder": "ASCENDING"})
        ),
        ["m3", "m4", "m5"]
    );
    assert_eq!(
        page(
            json!({"StartPosition": {"AbsoluteTime": just_before_m3.as_str()}, "ScanDirection": "BACKWARD", "MaxResults": 1})
        ),
        ["m2"]
    );
    // A time after the last item: nothing forward; everything backward.
    assert_eq!(
        page(json!({"StartPosition": {"AbsoluteTime": "9999-01-01T00:00:00Z"}})),
        Vec::<String>::new()
    );

    // MostRecent: the n-th newest.
    assert_eq!(
        page(json!({"StartPosition": {"MostRecent": 2}, "SortOrder": "ASCENDING"})),
        ["m4", "m5"]
    );
    assert_eq!(
        page(json!({"StartPosition": {"MostRecent": 100}, "SortOrder": "ASCENDING"})),
        all_asc
    );
    // Id wins over the others.
    assert_eq!(
        page(json!({"StartPosition": {"Id": ids[4], "MostRecent": 3}, "SortOrder": "ASCENDING"})),
        ["m5"]
    );

    // ContactId: this chat's is fine; another's is not this participant's to read.
    assert_eq!(page(json!({"ContactId": chat.contact_id})), all_desc);
    let other = emulator.start_chat();
    assert_denied(
        &op(
            &emulator,
            "transcript",
            &token,
            &json!({"ContactId": other.contact_id}),
        ),
        "another contact",
    );
}

/// Pages through the whole transcript with `base` (plus NextToken): the pages' contents.
fn all_pages(emulator: &Emulator, token: &str, base: &Value, bound: usize) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..bound {
        let mut body = base.clone();
        if let Some(n) = &next {
            body["NextToken"] = json!(n);
        }
        let t = transcript(emulator, token, &body);
        pages.push(contents(&t));
        match t.get("NextToken") {
            None => return pages,
            Some(Value::String(n)) if n.is_empty() => return pages,
            Some(Value::String(n)) => next = Some(n.clone()),
            Some(other) => panic!("NextToken {other}"),
        }
    }
    panic!("no last page within {bound} pages");
}

#[test]
fn paging_reaches_the_end_for_every_page_size() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    for n in 0..23 {
        emulator
            .agent_says(&chat.contact_id, &format!("m{n:02}"), "text/plain")
            .unwrap();
    }
    let token = connect(&emulator, &chat.participant_token);
    let mut oldest_first: Vec<String> = vec![JOINED.into(), JOINED.into()];
    oldest_first.extend((0..23).map(|n| format!("m{n:02}")));
    let newest_first: Vec<String> = oldest_first.iter().rev().cloned().collect();
    let total = oldest_first.len();

    for max in 1..=100usize {
        let scans = [
            (json!({"MaxResults": max}), &newest_first, false),
            (
                json!({"MaxResults": max, "SortOrder": "ASCENDING", "ScanDirection": "FORWARD",
                       "StartPosition": {"MostRecent": 100}}),
                &oldest_first,
                true,
            ),
        ];
        for (base, expected, ascending) in scans {
            let pages = all_pages(&emulator, &token, &base, total + 1);
            assert_eq!(pages.len(), total.div_ceil(max), "{base}");
            for page in &pages {
                assert!(!page.is_empty() && page.len() <= max, "{base}");
                // Each page is in its sort order.
                let mut sorted = page.clone();
                sorted.sort();
                if !ascending {
                    sorted.reverse();
                }
                if page.iter().all(|c| c != JOINED) {
                    assert_eq!(page, &sorted, "{base}");
                }
            }
            // ASCENDING pages scanned FORWARD go oldest to newest, each page oldest first;
            // DESCENDING pages scanned BACKWARD go newest to oldest, each newest first.
            // Either way the pages laid end to end are `expected`, and every page is the
            // next run of it in the order its branch names.
            let mut at = 0;
            for page in &pages {
                let run = &expected[at..at + page.len()];
                assert_eq!(page.as_slice(), run, "{base}");
                let (first, last) = (&page[0], &page[page.len() - 1]);
                let (i, j) = (
                    oldest_first.iter().position(|c| c == first).unwrap(),
                    oldest_first.iter().rposition(|c| c == last).unwrap(),
                );
                if page.len() > 1 && first != last {
                    assert_eq!(i < j, ascending, "{base}: {page:?}");
                }
                at += page.len();
            }
            assert_eq!(at, total, "{base}");
        }
    }

    // A backward scan sorted ASCENDING: each page oldest first, pages from the newest.
    let pages = all_pages(
        &emulator,
        &token,
        &json!({"MaxResults": 10, "SortOrder": "ASCENDING"}),
        10,
    );
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0], oldest_first[15..]);
    assert_eq!(pages[1], oldest_first[5..15]);
    assert_eq!(pages[2], oldest_first[..5]);

    // A NextToken of another chat is refused.
    let other = emulator.start_chat();
    for _ in 0..3 {
        emulator
            .agent_says(&other.contact_id, "x", "text/plain")
            .unwrap();
    }
    let other_token = connect(&emulator, &other.participant_token);
    let t = transcript(&emulator, &other_token, &json!({"MaxResults": 1}));
    let foreign = t["NextToken"].as_str().unwrap();
    assert_validation(
        &op(
            &emulator,
            "transcript",
            &token,
            &json!({"NextToken": foreign}),
        ),
        "nextToken",
        "foreign NextToken",
    );

    // The service's empty NextToken on the last page, when asked for.
    let emulator = Emulator::builder()
        .empty_next_token_on_last_page(true)
        .start()
        .unwrap();
    let token = emulator.connection_token();
    let t = transcript(&emulator, token.expose_secret(), &json!({"MaxResults": 1}));
    assert_eq!(contents(&t), [JOINED]);
    let next = t["NextToken"].as_str().unwrap();
    assert!(!next.is_empty());
    let t = transcript(
        &emulator,
        token.expose_secret(),
        &json!({"MaxResults": 1, "NextToken": next}),
    );
    assert_eq!(contents(&t), [JOINED]);
    assert_eq!(t["NextToken"], "");
}

#[test]
fn chats_and_items_are_bounded() {
    let emulator = Emulator::builder()
        .max_chats(2)
        .max_items_per_chat(3)
        .start()
        .unwrap();
    let first = emulator.start_chat();
    let first_token = connect(&emulator, &first.participant_token);
    let second = emulator.start_chat();
    for n in 0..5 {
        emulator
            .agent_says(&second.contact_id, &format!("m{n}"), "text/plain")
            .unwrap();
    }
    let token = connect(&emulator, &second.participant_token);
    assert_eq!(
        contents(&transcript(
            &emulator,
            &token,
            &json!({"SortOrder": "ASCENDING"})
        )),
        ["m2", "m3", "m4"]
    );
    // A repeat of a forgotten message's client token is a new message.
    let body = json!({"ClientToken": "c", "Content": "mine", "ContentType": "text/plain"});
    let id = op(&emulator, "message", &token, &body).json()["Id"].clone();
    for n in 0..3 {
        emulator
            .agent_says(&second.contact_id, &format!("later{n}"), "text/plain")
            .unwrap();
    }
    assert_ne!(op(&emulator, "message", &token, &body).json()["Id"], id);

    // A third chat forgets the first, with its tokens.
    emulator.start_chat();
    assert_denied(
        &op(&emulator, "transcript", &first_token, &json!({})),
        "forgotten chat",
    );
    assert_denied(
        &op(
            &emulator,
            "connection",
            &first.participant_token,
            &json!({}),
        ),
        "forgotten chat",
    );
    assert_eq!(
        emulator.end_chat(&first.contact_id).unwrap_err().kind(),
        std::io::ErrorKind::NotFound
    );
    assert_eq!(op(&emulator, "transcript", &token, &json!({})).status, 200);
}
