//! The WebSocket side's unit tests: handshakes, the bound on URLs, and the answers the docs
//! give.

use super::super::chat::CUSTOMER;
use super::*;

fn service() -> Service {
    super::super::service::small_service()
}

fn request(path: &str, headers: &[(&str, &str)]) -> Request {
    Request {
        method: "GET".into(),
        path: path.into(),
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: Vec::new(),
        close: false,
    }
}

fn status(outcome: Option<Outcome>) -> Option<u16> {
    match outcome? {
        Outcome::Reply(r) => Some(r.status),
        Outcome::Upgrade(_) => Some(101),
        _ => Some(0),
    }
}

#[test]
fn hostile_handshakes_get_answers_and_only_a_live_url_is_upgraded() {
    let service = service();
    let started = service.lock().chats.start_chat();
    let secret = "ab".repeat(32);
    {
        let mut state = service.lock();
        let now = state.chats.now();
        let expiry = now + Duration::from_secs(100);
        state
            .hub
            .issue_url(&secret, &started.contact_id, CUSTOMER, expiry, now);
    }
    let upgrade = [
        ("Upgrade", "WebSocket"),
        ("Connection", "keep-alive, Upgrade"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    let path = format!("{WEBSOCKET_PATH}{secret}");
    assert_eq!(
        status(service.websocket(&request("/participant/x", &upgrade))),
        None
    );
    assert_eq!(status(service.websocket(&request(&path, &[]))), Some(400));
    assert_eq!(
        status(service.websocket(&request(&path, &upgrade[..3]))),
        Some(400)
    );
    for bad in ["", "\u{0}", "ab", &"ab".repeat(10_000), "../../etc", "%2F"] {
        let p = format!("{WEBSOCKET_PATH}{bad}");
        assert_eq!(status(service.websocket(&request(&p, &upgrade))), Some(403));
    }
    assert_eq!(service.lock().hub.refusals, 6);
    // The live URL is upgraded; dropping the upgrade unused gives its place back.
    match service.websocket(&request(&path, &upgrade)) {
        Some(Outcome::Upgrade(u)) => {
            let head = String::from_utf8(u.head.clone()).unwrap();
            // RFC 6455's own example key and answer.
            assert!(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
            assert_eq!(service.lock().hub.live, 1);
        }
        _ => panic!("expected an upgrade"),
    }
    assert_eq!(service.lock().hub.live, 0);
    assert!(service.lock().hub.sockets.is_empty());
    // Upgrades turned off (`WebSocketUpgrades`): the live URL is answered 503, and again
    // upgraded once they are turned back on.
    service.lock().hub.upgrades = false;
    match service.websocket(&request(&path, &upgrade)) {
        Some(Outcome::Reply(r)) => {
            assert_eq!(r.status, 503);
            let body = String::from_utf8(r.body.clone()).unwrap();
            assert!(
                body.contains("the emulator takes no WebSocket upgrades now"),
                "{body}"
            );
        }
        _ => panic!("expected a 503"),
    }
    assert_eq!(service.lock().hub.live, 0);
    service.lock().hub.upgrades = true;
    assert_eq!(
        status(service.websocket(&request(&path, &upgrade))),
        Some(101)
    );
    // Expired: refused.
    service.lock().chats.clock.advance(Duration::from_secs(100));
    assert_eq!(
        status(service.websocket(&request(&path, &upgrade))),
        Some(403)
    );
}

#[test]
fn urls_kept_are_bounded_and_expired_ones_forgotten() {
    let mut hub = Hub::default();
    let now = SystemTime::now();
    for n in 0..MAX_URLS + 5 {
        hub.issue_url(&n.to_string(), "c", 0, now + Duration::from_secs(100), now);
    }
    assert_eq!(hub.urls.len(), MAX_URLS);
    assert!(!hub.urls.contains_key("0"));
    let later = now + Duration::from_secs(101);
    hub.issue_url("new", "c", 0, later + Duration::from_secs(100), later);
    assert_eq!(hub.urls.len(), 1);
    assert_eq!(hub.url_order.len(), 1);
}

#[test]
fn the_module_docs_give_the_answers_to_a_client_s_frames_verbatim() {
    let docs = include_str!("../../../docs/emulator.md");
    for answer in [socket::SUBSCRIBED, socket::HEARTBEAT, socket::PING] {
        assert!(
            docs.contains(&format!("`{answer}`")),
            "docs/emulator.md must give the answer {answer}"
        );
    }
}

#[test]
fn each_chat_s_sockets_are_indexed_until_forgotten() {
    let mut hub = Hub::default();
    let (closer, _closing) = std::sync::mpsc::channel();
    for (id, chat, subscribed) in [(0, "a", true), (1, "a", true), (2, "b", false)] {
        hub.by_chat.entry(chat.into()).or_default().insert(id);
        let out = Out::new(Duration::from_secs(1), closer.clone());
        let socket = Socket {
            contact_id: chat.into(),
            who: 0,
            subscribed,
            out: Arc::new(Mutex::new(out)),
        };
        hub.sockets.insert(id, socket);
    }
    assert_eq!(hub.of_chat("a", None, true), [0, 1]);
    assert_eq!(hub.of_chat("b", None, true), Vec::<u64>::new());
    assert_eq!(hub.of_chat("b", None, false), [2]);
    assert!(hub.forget(0).is_some());
    assert_eq!(hub.of_chat("a", None, false), [1]);
    assert!(!hub.cut(1));
    assert_eq!(hub.drop_sockets("b", None), 1);
    assert!(hub.sockets.is_empty());
    assert!(hub.by_chat.is_empty());
}
