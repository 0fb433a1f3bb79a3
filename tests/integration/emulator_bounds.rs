//! The emulator's bounds: connections, idle time, request bodies and what it keeps. Every
//! test here uses real sockets on 127.0.0.1 and fails on an emulator without the bounds.

use std::io::{ErrorKind as IoErrorKind, Read};
use std::net::TcpStream;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use connect_participant::emulator::Emulator;
use connect_participant::{ConnectionToken, SendEventRequest};

/// Marks the child process of the fd-limit test.
const FD_CHILD_ENV: &str = "CONNECT_PARTICIPANT_EMULATOR_FD_CHILD";
/// The child test's full name in this binary.
const FD_CHILD_TEST: &str = "emulator_bounds::fd_limit_child";
/// Idle connections the child opens: with three descriptors each, the unbounded emulator
/// ran out of its 1024 near 340 of them.
const FD_HOARDERS: usize = 600;

/// The scenario of the issue, in a child process whose open-file limit is the common 1024:
/// many idle connections in the same process, then a normal client must still get its
/// answer.
#[cfg(unix)]
#[test]
fn a_client_is_answered_while_600_idle_connections_hoard_under_a_1024_fd_limit() {
    let exe = std::env::current_exe().unwrap();
    let child = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -n 1024 && exec "$0" "$@""#)
        .arg(&exe)
        .args(["--exact", FD_CHILD_TEST, "--ignored", "--nocapture"])
        .env(FD_CHILD_ENV, "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    // A safety net: the child's own client gives up after 3 s.
    let Ok(output) = rx.recv_timeout(Duration::from_secs(60)) else {
        let _ = Command::new("kill").arg(pid.to_string()).status();
        panic!("the child (pid {pid}) did not finish within 60 s");
    };
    let output = output.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report = format!("status {}\n{stdout}\n{stderr}", output.status);
    assert!(output.status.success(), "{report}");
    assert!(
        stdout.contains(&format!("fd-child: hoarders={FD_HOARDERS} answered=true")),
        "{report}"
    );
    assert!(stdout.contains("fd-child: stopped"), "{report}");
}

/// The child half of the test above; it does nothing unless started by it.
#[test]
#[ignore = "run in a child process by the fd-limit test"]
fn fd_limit_child() {
    if std::env::var_os(FD_CHILD_ENV).is_none() {
        return;
    }
    let emulator = Emulator::start().unwrap();
    let client = emulator
        .client_builder()
        .timeout(Duration::from_secs(3))
        .max_attempts(1)
        .build()
        .unwrap();
    let mut hoarders = Vec::new();
    for i in 0..FD_HOARDERS {
        match TcpStream::connect(emulator.addr()) {
            Ok(mut stream) => {
                if i % 2 == 1 {
                    // Half a request head, never finished.
                    use std::io::Write;
                    let _ = stream.write_all(b"POST /participant/event HTTP/1.1\r\nHost: x\r\n");
                }
                hoarders.push(stream);
            }
            Err(e) => {
                println!("fd-child: connect {i} failed: {e}");
                break;
            }
        }
    }
    let token = ConnectionToken::new("fd-child").unwrap();
    let answer = client.send_event(&token, &SendEventRequest::typing());
    println!(
        "fd-child: hoarders={} answered={}",
        hoarders.len(),
        answer.is_ok()
    );
    if let Err(e) = &answer {
        println!("fd-child: error {e:?}");
    }
    drop(hoarders);
    drop(emulator);
    println!("fd-child: stopped");
}

/// Reads until the peer closes; `Err` if it has not within the safety net.
fn read_to_close(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = [0u8; 1024];
    // Bounded: the emulator never sends a hoarder anything but a close, or one answer.
    for _ in 0..64 {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == IoErrorKind::ConnectionReset => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    Err(IoErrorKind::InvalidData.into())
}
