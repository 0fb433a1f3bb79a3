//! `watch`: a chat's events as JSON lines while the chat goes on, until it ends.

use std::io::{BufRead, BufReader};
use std::process::{Child, Output};
use std::sync::mpsc;
use std::time::Duration;

use connect_participant::emulator::{Emulator, StartedChat};
use serde_json::{Value, json};

use super::{
    SECRET, Token, assert_refused, assert_success, assert_unleaked, code, raw_items, run,
    spawn_env, stderr, stdout,
};
use crate::support::content_type::{CHAT_ENDED, JOINED};
use crate::support::process::bounded_wait;

mod journal;

/// How long a watch test waits for the binary's WebSocket to open: a bound, not a
/// synchronization.
const WS_PATIENCE: Duration = Duration::from_secs(10);

/// Nothing of the WebSocket URL the binary was handed shows (the emulator's URLs are
/// ws:// on 127.0.0.1), nor a connection token's header.
fn assert_no_websocket_url(out: &Output) {
    for text in [stdout(out), stderr(out)] {
        assert!(
            !text.contains("ws://") && !text.contains("wss://"),
            "{text}"
        );
        assert!(!text.contains("X-Amz-Bearer"), "{text}");
    }
}

/// A running `watch`: its lines as they come, read by a thread of their own, so that a
/// test acts on the chat only once the binary has shown it is listening.
struct Watching {
    child: Child,
    handed: Vec<String>,
    lines: mpsc::Receiver<String>,
    /// Every line read so far, whole (with its line end), for the final output.
    read: Vec<String>,
}

impl Watching {
    /// Starts `watch` on the emulator's endpoint with the participant token handed as
    /// `token`, plus `extra` arguments; returns once its WebSocket is open on
    /// `contact_id` and it has printed `{"Connection":"established"}`, its first line.
    fn start(emulator: &Emulator, contact_id: &str, token: Token<'_>, extra: &[&str]) -> Self {
        let url = emulator.endpoint_url();
        let mut args = vec!["--endpoint-url", url.as_str(), "watch"];
        args.extend_from_slice(extra);
        let (mut child, handed) = spawn_env(&args, token, &[]);
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let mut watching = Watching {
            child,
            handed,
            lines,
            read: Vec::new(),
        };
        if !emulator.wait_for_websockets(contact_id, 1, WS_PATIENCE) {
            let _ = watching.child.kill();
            let out = watching.finish();
            panic!("watch opened no WebSocket within {WS_PATIENCE:?}: {out:?}");
        }
        assert_eq!(watching.next_line(), json!({"Connection": "established"}));
        watching
    }

    /// [`start`](Self::start) as the chat's customer, its token in its variable.
    fn customer(emulator: &Emulator, chat: &StartedChat, extra: &[&str]) -> Self {
        let token = Token::ParticipantEnv(&chat.participant_token);
        Watching::start(emulator, &chat.contact_id, token, extra)
    }

    /// The next line, as JSON, within [`WS_PATIENCE`]: the binary printed it, flushed,
    /// while still running.
    fn next_line(&mut self) -> Value {
        let line = self
            .lines
            .recv_timeout(WS_PATIENCE)
            .unwrap_or_else(|e| panic!("no line from watch within {WS_PATIENCE:?}: {e}"));
        self.read.push(line.clone());
        assert!(line.ends_with('\n'), "{line}");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    /// Waits for the binary to exit (bounded), and checks its output for leaks; the
    /// output's stdout holds every line it printed.
    fn finish(mut self) -> Output {
        let mut out = bounded_wait(self.child);
        // The reader ends at the pipe's end, which the exit closes.
        while let Ok(line) = self.lines.recv_timeout(WS_PATIENCE) {
            self.read.push(line);
        }
        out.stdout = self.read.concat().into_bytes();
        assert_unleaked(&out, &self.handed);
        assert_no_websocket_url(&out);
        out
    }
}

/// Each line of standard output as JSON, after checking that each is one whole line.
fn json_lines(out: &Output) -> Vec<Value> {
    let text = stdout(out);
    assert!(text.is_empty() || text.ends_with('\n'), "{text}");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn watch_prints_each_event_as_one_json_line_until_the_chat_ends() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let id = chat.contact_id.as_str();
    // A connection token of the test's own, to read the transcript as the service
    // sends it (the emulator keeps several per participant).
    let token = emulator.connection_token_for(id).unwrap();
    let mut watch = Watching::customer(&emulator, &chat, &[]);
    let hi = emulator.agent_says(id, "Hi", "text/plain").unwrap();
    // The message's line comes while the chat goes on.
    let first = watch.next_line();
    // The item as the service's transcript has it on the wire (read before the end: an
    // ended chat's tokens are refused).
    let wire = raw_items(&emulator, &token)
        .into_iter()
        .find(|(item_id, _)| *item_id == hi)
        .expect("the message in the transcript")
        .1;
    emulator.end_chat(id).unwrap();
    let out = watch.finish();
    assert_success(&out);

    // What was there before the watch (the two participant.joined) is not printed.
    let mut lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "{}", stdout(&out));
    assert_eq!(lines.remove(0), json!({"Connection": "established"}));
    assert_eq!(lines[0], first);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&lines[0]), ["Event", "Item"]);
    assert_eq!(lines[0]["Event"], "message");
    assert_eq!(lines[0]["Item"]["Id"], hi.as_str());
    assert_eq!(lines[0]["Item"]["Content"], "Hi");
    assert_eq!(lines[0]["Item"]["ContentType"], "text/plain");
    assert_eq!(lines[0]["Item"]["Type"], "MESSAGE");
    assert_eq!(lines[0]["Item"]["ParticipantRole"], "AGENT");
    assert_eq!(
        lines[0]["Item"]["ParticipantId"],
        chat.agent_participant_id.as_str()
    );
    // Member for member, in the service's names: the transcript's item, plus the
    // `InitialContactId` the WebSocket's copy carries when the frame, not the stream's
    // catch-up read of the transcript, delivered it first (either may win the race).
    let mut item = lines[0]["Item"].clone();
    if let Some(initial) = item.as_object_mut().unwrap().remove("InitialContactId") {
        assert_eq!(initial, id);
    }
    assert_eq!(item, wire);
    assert_eq!(lines[1]["Event"], "chat.ended");
    assert_eq!(keys(&lines[1]), ["Event", "Item"]);
    assert_eq!(lines[1]["Item"]["ContentType"], CHAT_ENDED);
    assert_eq!(lines[1]["Item"]["Type"], "EVENT");
    assert!(lines[1]["Item"]["Id"].is_string());
    assert!(lines[1]["Item"]["AbsoluteTime"].is_string());
}

#[test]
fn watch_with_history_prints_the_transcript_so_far_first() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let id = chat.contact_id.as_str();
    // The token piped on standard input, as create-participant-connection takes it;
    // --json is accepted and changes nothing.
    let piped = format!("{}\n", chat.participant_token);
    let mut watch = Watching::start(
        &emulator,
        id,
        Token::Stdin(&piped),
        &["--history", "--json"],
    );
    // The transcript so far: the two participant.joined, printed once the stream is open.
    let joined = [watch.next_line(), watch.next_line()];
    let hi = emulator.agent_says(id, "Hi", "text/plain").unwrap();
    assert_eq!(watch.next_line()["Item"]["Id"], hi.as_str());
    emulator.end_chat(id).unwrap();
    let out = watch.finish();
    assert_success(&out);

    let mut lines = json_lines(&out);
    assert_eq!(lines.remove(0), json!({"Connection": "established"}));
    assert_eq!(lines[..2], joined);
    let events: Vec<&str> = lines.iter().map(|l| l["Event"].as_str().unwrap()).collect();
    assert_eq!(
        events,
        [
            "participant.joined",
            "participant.joined",
            "message",
            "chat.ended"
        ],
        "{}",
        stdout(&out)
    );
    let mut joined: Vec<(&str, &str)> = lines[..2]
        .iter()
        .map(|l| {
            assert_eq!(l["Item"]["ContentType"], JOINED);
            assert_eq!(l["Item"]["Type"], "EVENT");
            (
                l["Item"]["ParticipantRole"].as_str().unwrap(),
                l["Item"]["ParticipantId"].as_str().unwrap(),
            )
        })
        .collect();
    joined.sort();
    assert_eq!(
        joined,
        [
            ("AGENT", chat.agent_participant_id.as_str()),
            ("CUSTOMER", chat.customer_participant_id.as_str())
        ]
    );
    assert_eq!(lines[2]["Item"]["Content"], "Hi");
    assert_eq!(lines[3]["Item"]["ContentType"], CHAT_ENDED);
}

#[test]
fn watch_with_an_unknown_or_ended_participant_token_exits_3_and_prints_no_line() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    // A token the service does not know: CreateParticipantConnection's 403.
    let out = run(
        &["--endpoint-url", &url, "watch"],
        Token::ParticipantEnv(SECRET),
    );
    assert_refused(&out, "AccessDeniedException", 403);
    assert_no_websocket_url(&out);
    // An ended chat's participant token: the same, with --history too.
    let chat = emulator.start_chat();
    emulator.end_chat(&chat.contact_id).unwrap();
    let out = run(
        &["--endpoint-url", &url, "watch", "--history"],
        Token::ParticipantEnv(&chat.participant_token),
    );
    assert_refused(&out, "AccessDeniedException", 403);
    // Only the two CreateParticipantConnection calls reached the service.
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|r| r.path == "/participant/connection"));
    // A connection token in its variable is not the participant token watch needs.
    let out = run(&["--endpoint-url", &url, "watch"], Token::Env(SECRET));
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: watch needs the participant token (from StartChatContact), and \
         CONNECT_PARTICIPANT_TOKEN is unset: the connection token found in \
         CONNECT_CONNECTION_TOKEN cannot serve; set CONNECT_PARTICIPANT_TOKEN or pipe the \
         participant token on standard input\n"
    );
    assert_eq!(stdout(&out), "");
}

/// `POST` on the emulator's control path, from outside as any language would.
fn control(emulator: &Emulator, path: &str, body: &str) {
    let a = crate::support::raw::call(emulator.addr(), "POST", path, None, body);
    assert_eq!(a.status, 200, "{path}: {}", a.text());
}

#[test]
fn watch_says_a_dropped_connection_once_and_what_it_missed_once() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let id = chat.contact_id.as_str();
    let mut watch = Watching::customer(&emulator, &chat, &["--heartbeat-ms", "100"]);
    // Said while the socket cannot hear it (not pushed), then the socket is dropped.
    emulator.set_pushes(id, false).unwrap();
    let missed = emulator.agent_says(id, "while away", "text/plain").unwrap();
    control(
        &emulator,
        &format!("/emulator/chats/{id}/websockets/drop"),
        "",
    );
    let lost = watch.next_line();
    assert_eq!(lost["Connection"], "lost");
    assert!(
        lost["Reason"].as_str().unwrap().starts_with("read error: "),
        "{lost}"
    );
    let restored = watch.next_line();
    assert_eq!(restored["Connection"], "restored");
    assert_eq!(restored["Missed"], 1);
    assert!(restored["DownForMs"].is_u64(), "{restored}");
    assert_eq!(watch.next_line()["Item"]["Id"], missed.as_str());
    emulator.set_pushes(id, true).unwrap();
    emulator.end_chat(id).unwrap();
    let out = watch.finish();
    assert_success(&out);
    let lines = json_lines(&out);
    // Exactly one loss, one restoration, the message once.
    assert_eq!(
        kinds(&lines),
        ["established", "lost", "restored", "message", "chat.ended"],
        "{}",
        stdout(&out)
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l["Item"]["Id"] == missed.as_str())
            .count(),
        1
    );
}

/// What each JSON line of `watch` is: its connection change or its event's name.
fn kinds(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| match (&l["Connection"], &l["Event"]) {
            (Value::String(c), _) => c.clone(),
            (_, Value::String(e)) => e.clone(),
            _ => panic!("{l}"),
        })
        .collect()
}

#[test]
fn an_outage_made_on_the_control_path_alone_is_one_loss_one_restoration_and_the_message_once() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let id = chat.contact_id.as_str();
    let mut watch = Watching::customer(&emulator, &chat, &["--heartbeat-ms", "100"]);
    // As any language would make it: no upgrades taken, the sockets dropped, the agent
    // speaking while they are down, then upgrades taken again.
    control(
        &emulator,
        "/emulator/settings",
        r#"{"WebSocketUpgrades":false}"#,
    );
    control(
        &emulator,
        &format!("/emulator/chats/{id}/websockets/drop"),
        "",
    );
    assert_eq!(watch.next_line()["Connection"], "lost");
    control(
        &emulator,
        &format!("/emulator/chats/{id}/messages"),
        r#"{"Content":"said while you were away","ContentType":"text/plain"}"#,
    );
    // Still away: every upgrade is refused until they are taken again.
    assert_eq!(emulator.websockets(id), 0);
    control(
        &emulator,
        "/emulator/settings",
        r#"{"WebSocketUpgrades":true}"#,
    );
    let restored = watch.next_line();
    assert_eq!(restored["Connection"], "restored", "{restored}");
    assert_eq!(restored["Missed"], 1, "{restored}");
    assert_eq!(
        watch.next_line()["Item"]["Content"],
        "said while you were away"
    );
    control(&emulator, &format!("/emulator/chats/{id}/end"), "{}");
    let out = watch.finish();
    assert_success(&out);
    assert_eq!(
        kinds(&json_lines(&out)),
        ["established", "lost", "restored", "message", "chat.ended"],
        "{}",
        stdout(&out)
    );
}

#[test]
fn watch_says_a_missed_heartbeat() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let id = chat.contact_id.as_str();
    let mut watch = Watching::customer(&emulator, &chat, &["--heartbeat-ms", "100"]);
    control(
        &emulator,
        "/emulator/settings",
        r#"{"HeartbeatAnswers":false}"#,
    );
    assert_eq!(
        watch.next_line(),
        json!({"Connection": "lost", "Reason": "heartbeat missed"})
    );
    control(
        &emulator,
        "/emulator/settings",
        r#"{"HeartbeatAnswers":true}"#,
    );
    // The next socket is subscribed and caught up: restored (were heartbeats still
    // muted when it came, a new loss would follow it, and a new restoration).
    let restored = watch.next_line();
    assert_eq!(restored["Connection"], "restored", "{restored}");
    emulator.end_chat(id).unwrap();
    let out = watch.finish();
    assert_success(&out);
    assert_eq!(json_lines(&out).last().unwrap()["Event"], "chat.ended");
}

#[test]
fn watch_says_this_participant_left_and_exits_0() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let id = chat.contact_id.as_str();
    let watch = Watching::customer(
        &emulator,
        &chat,
        &["--participant-id", &chat.customer_participant_id],
    );
    // The same participant leaves from elsewhere (another of its connections).
    let token = emulator.connection_token_for(id).unwrap();
    let client = emulator.client_builder().build().unwrap();
    client
        .disconnect_participant(
            &token,
            &connect_participant::DisconnectParticipantRequest::new(),
        )
        .unwrap();
    let out = watch.finish();
    assert_success(&out);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2, "{}", stdout(&out));
    assert_eq!(lines[1]["Event"], "left");
    assert_eq!(
        lines[1]["Item"]["ParticipantId"],
        chat.customer_participant_id.as_str()
    );
    assert_eq!(
        lines[1]["Item"]["ContentType"],
        "application/vnd.amazonaws.connect.event.participant.left"
    );
}

#[test]
fn watch_refuses_a_heartbeat_out_of_bounds() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    for bad in ["0", "3600001", "ten", "-1"] {
        let out = run(
            &["--endpoint-url", &url, "watch", "--heartbeat-ms", bad],
            Token::ParticipantEnv(SECRET),
        );
        assert_eq!(code(&out), 2, "{bad}: {out:?}");
        assert!(
            stderr(&out)
                .contains("--heartbeat-ms needs a number of milliseconds from 1 to 3600000; got"),
            "{}",
            stderr(&out)
        );
    }
    assert!(emulator.seen_requests().is_empty(), "nothing was sent");
}
