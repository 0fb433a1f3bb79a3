//! `watch --journal`: killed (SIGKILL) at random points while an agent talks and run again,
//! the journal ends with every item of the chat once, in `AbsoluteTime` order.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use serde_json::Value;

use super::{Watching, json_lines};
use crate::cli::{assert_success, stdout};
use crate::support::journal::{MESSAGES, Rng, Scratch, assert_whole, kept};

impl Watching {
    /// The next line within `wait`, if one came.
    fn line_within(&mut self, wait: Duration) -> Option<Value> {
        let line = self.lines.recv_timeout(wait).ok()?;
        self.read.push(line.clone());
        Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}")))
    }

    /// Reads lines until `{"Connection":<kind>,…}`.
    fn until_connection(&mut self, kind: &str) {
        self.until(|line| line["Connection"] == kind);
    }

    /// Reads lines until the message whose content is `content` (printed once kept).
    fn until_message(&mut self, content: &str) {
        self.until(|line| line["Item"]["Content"] == content);
    }

    fn until(&mut self, done: impl Fn(&Value) -> bool) {
        for _ in 0..1000 {
            let line = self.line_within(Duration::from_secs(5)).expect("a line");
            if done(&line) {
                return;
            }
        }
        panic!("not in 1000 lines");
    }
}

#[test]
fn watch_with_a_journal_killed_at_random_points_ends_with_every_item_once_in_order() {
    kills("cli-kill", false);
}

#[test]
fn the_same_with_the_chats_sockets_dropped_under_watch_in_between() {
    kills("cli-kill-sockets", true);
}

/// The agent says 200 messages, some while `watch` is down, some while it is up; `watch`
/// is killed (SIGKILL) 6 times, and the chat's sockets are dropped under it every other
/// run when `drop_sockets`.
fn kills(name: &str, drop_sockets: bool) {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let dir = Scratch::new(name);
    let path = dir.file();
    let file = path.to_str().unwrap().to_owned();
    let args = ["--journal", file.as_str(), "--ordered"];
    let mut rng = Rng::new();
    let mut said = 0;
    // Says `n` more (up to 200 in all); the last one said, if any.
    let mut say = |n: u64| {
        let mut last = None;
        for _ in 0..n {
            if said < MESSAGES {
                let text = format!("m{said:03}");
                emulator
                    .agent_says(&chat.contact_id, &text, "text/plain")
                    .unwrap();
                said += 1;
                last = Some(text);
            }
        }
        last
    };
    for round in 0..6 {
        say(rng.below(30)); // while it is down
        let mut watch = Watching::customer(&emulator, &chat, &args);
        say(rng.below(30)); // while it is up
        if drop_sockets && round % 2 == 1 {
            // `customer` returned with its socket open: that one is dropped, and no new
            // one is taken until the agent has spoken.
            emulator.set_websocket_upgrades(false);
            assert_eq!(emulator.drop_websockets(&chat.contact_id).unwrap(), 1);
            watch.until_connection("lost");
            say(1 + rng.below(5)); // while the socket is down
            emulator.set_websocket_upgrades(true);
            // Up again: what is said now comes on the new socket, after what it missed.
            watch.until_connection("restored");
            // Kept only after what the outage missed, or the journal is out of order.
            if let Some(last) = say(1 + rng.below(5)) {
                watch.until_message(&last);
            }
        }
        for _ in 0..rng.below(40) {
            if watch.line_within(Duration::from_millis(300)).is_none() {
                break;
            }
        }
        // SIGKILL: no destructor runs, a line may be cut short.
        watch.child.kill().unwrap();
        let out = watch.finish();
        assert!(!out.status.success(), "killed");
    }
    say(MESSAGES as u64);
    let mut watch = Watching::customer(&emulator, &chat, &args);
    for _ in 0..1000 {
        if kept(&path) == MESSAGES {
            break;
        }
        watch.line_within(Duration::from_millis(300));
    }
    assert_eq!(kept(&path), MESSAGES);
    emulator.end_chat(&chat.contact_id).unwrap();
    let out = watch.finish();
    assert_success(&out);
    let lines = json_lines(&out);
    assert_eq!(
        lines.last().unwrap()["Event"],
        "chat.ended",
        "{}",
        stdout(&out)
    );
    let items = assert_whole(&path);
    // What the last run printed is what it kept, line for line, after what the others
    // kept.
    let printed: Vec<&Value> = lines.iter().filter(|l| l.get("Item").is_some()).collect();
    let tail = &items[items.len() - printed.len()..];
    for (line, item) in printed.iter().zip(tail) {
        assert_eq!(line["Item"]["Id"].as_str(), item.id.as_deref());
    }
}
