//! Child processes the tests start, and a bounded wait for them.

use std::process::{Child, Command, Output};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// The command-line binary this package builds.
pub const BIN: &str = env!("CARGO_BIN_EXE_connect-participant");

/// How long a child may run: far longer than its own timeouts let a call take.
const LIMIT: Duration = Duration::from_secs(60);

/// Waits for `child` and its output, at most a minute: a child that hangs fails its test
/// instead of the suite.
pub fn bounded_wait(child: Child) -> Output {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(LIMIT) {
        Ok(out) => out.expect("wait for the child process"),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("the child process (pid {pid}) did not finish within {LIMIT:?}");
        }
    }
}
