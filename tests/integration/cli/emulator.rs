//! The `emulator` command: the emulator as a process of its own, serving the others.

mod control;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use super::{Token, assert_command_usage_error, assert_success, code, run, stderr, stdout};
use crate::support::process::{BIN, bounded_wait};
use crate::support::raw::{Conn, call};
use crate::support::ws::open;

/// A spawned `emulator` command, killed when dropped (also when a test fails).
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A standalone emulator's address, from the URL line it printed first.
fn addr_of(line: &str) -> SocketAddr {
    line.trim_end()
        .strip_prefix("http://")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("{line:?}"))
}

/// Starts `connect-participant emulator` with `args` and returns it with the first line
/// of its standard output, read within a bounded wait.
fn serve(args: &[&str]) -> (Served, String) {
    let mut child = Command::new(BIN)
        .arg("emulator")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run connect-participant emulator");
    let stdout = child.stdout.take().unwrap();
    let served = Served(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the emulator printed its URL within 20 s");
    (served, line)
}

#[test]
fn emulator_prints_its_url_first_and_serves_the_other_commands() {
    let (_served, line) = serve(&["--port", "0"]);
    let url = line
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("{line:?}"));
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{url}"));
    assert_ne!(port, 0);
    // It answers: a chat started on its control path, then the commands against it.
    let answer = ureq::post(format!("{url}/emulator/chats"))
        .header("Content-Type", "application/json")
        .send("{}")
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    let chat: Value = serde_json::from_str(&answer).unwrap();
    let participant = chat["ParticipantToken"].as_str().unwrap();
    let out = run(
        &["--endpoint-url", url, "create-participant-connection"],
        Token::ParticipantEnv(participant),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let token = stdout(&out).trim_end().to_owned();
    let out = run(
        &[
            "--endpoint-url",
            url,
            "send-message",
            "--content",
            "over the wire",
        ],
        Token::Env(&token),
    );
    assert_success(&out);
    let out = run(
        &["--endpoint-url", url, "get-transcript", "--json"],
        Token::Env(&token),
    );
    assert_success(&out);
    assert!(
        stdout(&out).contains("\n            \"Content\": \"over the wire\",\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn emulator_without_port_takes_a_free_one_and_a_taken_port_exits_4() {
    let (_served, line) = serve(&[]);
    assert!(line.starts_with("http://127.0.0.1:"), "{line:?}");
    // The port it took is now taken.
    let port = line.trim_end().rsplit(':').next().unwrap().to_owned();
    let child = Command::new(BIN)
        .args(["emulator", "--port", &port])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded: should the bind succeed after all, the emulator would serve forever.
    let out = bounded_wait(child);
    assert_eq!(code(&out), 4, "{out:?}");
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).starts_with("error: the emulator could not start: "),
        "{}",
        stderr(&out)
    );
    let out = run(&["emulator", "--port", "x"], Token::Stdin(""));
    assert_command_usage_error(
        &out,
        "emulator",
        "--port needs a port number from 0 to 65535 (0: a free one); got \"x\"",
    );
}

#[test]
fn emulator_takes_the_builders_settings_as_flags() {
    let (_served, line) = serve(&["--max-chats", "1", "--connection-token-lifetime", "7"]);
    let addr = addr_of(&line);
    let start = || call(addr, "POST", "/emulator/chats", None, "{}").json()["ContactId"].clone();
    let (first, second) = (start(), start());
    let transcript = |c: &Value| {
        let path = format!("/emulator/chats/{}/transcript", c.as_str().unwrap());
        call(addr, "GET", &path, None, "").status
    };
    // One chat kept: the first was forgotten to make room for the second.
    assert_eq!((transcript(&first), transcript(&second)), (404, 200));
    let settings = call(addr, "POST", "/emulator/settings", None, "{}").json();
    assert_eq!(settings["ConnectionTokenLifetimeSeconds"], 7);
    let out = run(&["emulator", "--max-chats", "0"], Token::Stdin(""));
    assert_command_usage_error(
        &out,
        "emulator",
        "--max-chats needs a whole number of chats from 1 to 1000000; got \"0\"",
    );
}

#[test]
fn emulator_takes_the_socket_bounds_and_idle_timeout_as_flags() {
    // --max-websockets 0: the chat's WebSocket upgrade is refused with 503.
    let (_served, line) = serve(&["--max-websockets", "0"]);
    let addr = addr_of(&line);
    let chat = call(addr, "POST", "/emulator/chats", None, "{}").json();
    let bearer = chat["ParticipantToken"].as_str().unwrap();
    let body = r#"{"Type":["WEBSOCKET"]}"#;
    let a = call(addr, "POST", "/participant/connection", Some(bearer), body);
    assert_eq!(a.status, 200, "{}", a.text());
    match open(a.json()["Websocket"]["Url"].as_str().unwrap()) {
        Err(tungstenite::Error::Http(answer)) => assert_eq!(answer.status(), 503),
        Err(e) => panic!("expected the upgrade refused with 503, got {e}"),
        Ok(_) => panic!("a WebSocket opened past --max-websockets 0"),
    }
    // --max-connections 1: a newcomer closes the connection that waited longest.
    let (_served, line) = serve(&["--max-connections", "1"]);
    let addr = addr_of(&line);
    let mut waiting = Conn::open(addr);
    waiting.send(b"POST /emulator/chats HTTP/1.1\r\nHost: x\r\n");
    let a = call(addr, "POST", "/emulator/chats", None, "{}");
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(waiting.read_to_close().map_err(|e| e.kind()), Ok(()));
    // --idle-timeout 1: a connection that sends nothing is closed after a second (the
    // read's own safety net is longer).
    let (_served, line) = serve(&["--idle-timeout", "1"]);
    let mut silent = Conn::open(addr_of(&line));
    assert_eq!(silent.read_to_close().map_err(|e| e.kind()), Ok(()));
}

#[test]
fn emulator_help_has_a_curl_line_for_every_control_path_readme_lists() {
    let out = run(&["emulator", "--help"], Token::Stdin(""));
    assert_eq!(code(&out), 0, "{out:?}");
    let help = stdout(&out);
    let paths = control::readme_control_paths();
    assert_eq!(paths.len(), 14, "{paths:?}");
    for path in paths {
        // `POST /emulator/chats/{ContactId}/end` is `$U/chats/$C/end` in the help's curl.
        let bare = path.split_once(' ').unwrap().1;
        let curl = bare
            .replacen("/emulator/", "$U/", 1)
            .replace("{ContactId}", "$C");
        let line = help.lines().find(|l| l.trim_end().ends_with(&curl));
        assert!(
            line.is_some(),
            "emulator --help has no curl line for {path}"
        );
    }
}
