//! The chat model's unit tests: its clock, its bounds, its byte counts and its scans.

use super::*;

fn limits() -> ChatLimits {
    ChatLimits {
        max_chats: 2,
        max_items_per_chat: 4,
        connection_token_lifetime: Duration::from_secs(86_400),
    }
}

#[test]
fn clock_moves_forward_and_saturates() {
    let mut clock = Clock::new();
    let before = clock.now();
    clock.advance(Duration::from_secs(3600));
    assert!(clock.now() >= later(before, Duration::from_secs(3600)));
    clock.advance(Duration::MAX);
    clock.advance(Duration::MAX);
    assert_eq!(clock.now(), latest());
    assert_eq!(
        crate::Timestamp::from_system_time(latest()).as_str(),
        "9999-12-31T23:59:59.000Z"
    );
}

#[test]
fn oldest_chat_is_forgotten_with_its_tokens() {
    let mut chats = Chats::new(limits());
    let a = chats.start_chat();
    let (token, _) = chats.issue(&a.contact_id, CUSTOMER).unwrap();
    assert!(chats.by_connection_token(&token).is_ok());
    chats.start_chat();
    chats.start_chat();
    assert!(chats.chat(&a.contact_id).is_none());
    assert_eq!(chats.by_connection_token(&token), Err(Denied));
    assert_eq!(
        chats.by_participant_token(&a.participant_token),
        Err(Denied)
    );
    assert!(chats.participant_tokens.len() == 4 && chats.connection_tokens.is_empty());
}

#[test]
fn tokens_per_participant_are_bounded() {
    let mut chats = Chats::new(limits());
    let a = chats.start_chat();
    let first = chats.issue(&a.contact_id, CUSTOMER).unwrap().0;
    for _ in 0..TOKENS_PER_PARTICIPANT {
        chats.issue(&a.contact_id, CUSTOMER).unwrap();
    }
    assert_eq!(chats.connection_tokens.len(), TOKENS_PER_PARTICIPANT);
    assert_eq!(chats.by_connection_token(&first), Err(Denied));
}

#[test]
fn kept_bytes_follow_items_receipts_and_forgotten_chats() {
    let mut chats = Chats::new(limits());
    let a = chats.start_chat();
    let b = chats.start_chat();
    let id = chats
        .push(
            &a.contact_id,
            ItemType::Message,
            "text/plain",
            Some("x".repeat(100)),
            Some(AGENT),
            Some("ct".into()),
        )
        .unwrap()
        .id
        .clone();
    assert_eq!(chats.kept_bytes(), chats.recount());
    chats.attach_receipt(
        &a.contact_id,
        &id,
        CUSTOMER,
        true,
        "2024-01-01T00:00:00.000Z",
    );
    chats.attach_receipt(
        &a.contact_id,
        &id,
        CUSTOMER,
        true,
        "2024-01-01T00:00:01.000Z",
    );
    assert_eq!(chats.kept_bytes(), chats.recount());
    for _ in 0..5 {
        chats.push(
            &b.contact_id,
            ItemType::Message,
            "text/plain",
            Some("y".into()),
            Some(CUSTOMER),
            None,
        );
    }
    assert!(chats.end(&b.contact_id));
    assert_eq!(chats.kept_bytes(), chats.recount());
    while chats.forget_oldest_item(&b.contact_id) {}
    assert_eq!(chats.chat(&b.contact_id).unwrap().items.len(), 1);
    assert_eq!(chats.kept_bytes(), chats.recount());
    assert!(chats.forget_oldest_chat_except(Some(&a.contact_id)));
    assert!(chats.chat(&b.contact_id).is_none());
    assert!(!chats.forget_oldest_chat_except(Some(&a.contact_id)));
    assert_eq!(chats.kept_bytes(), chats.recount());
    chats.start_chat();
    chats.start_chat();
    assert!(chats.chat(&a.contact_id).is_none());
    assert_eq!(chats.kept_bytes(), chats.recount());
}

#[test]
fn items_are_bounded_and_scans_page_through_what_is_kept() {
    let mut chats = Chats::new(limits());
    let a = chats.start_chat();
    for n in 0..4 {
        let c = Some(format!("m{n}"));
        chats.push(
            &a.contact_id,
            ItemType::Message,
            "text/plain",
            c,
            Some(AGENT),
            None,
        );
    }
    let chat = chats.chat(&a.contact_id).unwrap();
    let contents = |p: &Page<'_>| -> Vec<String> {
        p.items.iter().map(|i| i.content.clone().unwrap()).collect()
    };
    assert_eq!(chat.items.len(), 4);
    assert_eq!(chat.first_seq(), 2);
    let page = chat.scan(&Start::Newest, Direction::Backward, 3).unwrap();
    assert_eq!(contents(&page), ["m3", "m2", "m1"]);
    let next = page.next.unwrap();
    let (d, seq) = chat.parse_next_token(&next).unwrap();
    assert_eq!((d, seq), (Direction::Backward, 2));
    let page = chat.scan(&Start::Seq(seq), d, 3).unwrap();
    assert_eq!(contents(&page), ["m0"]);
    assert!(page.next.is_none());
    let page = chat
        .scan(&Start::MostRecent(2), Direction::Forward, 10)
        .unwrap();
    assert_eq!(contents(&page), ["m2", "m3"]);
    assert!(page.next.is_none());
    // A forgotten position resumes at the oldest kept item going forward.
    let page = chat.scan(&Start::Seq(0), Direction::Forward, 1).unwrap();
    assert_eq!(contents(&page), ["m0"]);
    assert!(
        chat.scan(&Start::Seq(0), Direction::Backward, 1)
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        chat.scan(&Start::Id("nope".into()), Direction::Forward, 1)
            .is_err()
    );
    for bad in [
        "",
        "x.f.1",
        "..",
        "a.b.c.d",
        &format!("{}.f.+1", chat.nonce),
    ] {
        assert_eq!(chat.parse_next_token(bad), None, "{bad}");
    }
}
