//! The stream's network setup on a thread of its own, when
//! [`StreamBuilder::setup_thread`](super::StreamBuilder::setup_thread) asks for it.
//!
//! Opening, reconnecting and rotating make calls (CreateParticipantConnection,
//! GetTranscript), connect through the network room, shake hands (TLS, the upgrade) and
//! subscribe: the deepest stack the stream ever needs, ureq's and rustls's frames first.
//! Stack a thread has touched stays resident for as long as it lives; so that a program
//! with one reading thread per chat need not keep that much per chat, the work can run on
//! a short-lived thread while the reading thread waits for it.

use std::thread;

use super::ChatStream;

impl ChatStream {
    /// Runs `work` on this stream: on a setup thread if the stream was built so.
    pub(super) fn set_up<T: Send>(&mut self, work: fn(&mut ChatStream) -> T) -> T {
        if self.settings.setup_thread {
            off_thread(self, work)
        } else {
            work(self)
        }
    }
}

/// The setup thread's stack: room for a debug build's TLS handshake and calls, several
/// times what they use. Only what is touched is resident, and only while the work runs.
const SETUP_STACK: usize = 1024 * 1024;

/// Runs `work` on `state` on a thread of its own and waits for it; on this thread if no
/// thread can be had (a process at its thread limit still opens its streams, as before).
/// A panic in `work` is this thread's panic.
fn off_thread<S: Send, T: Send>(state: &mut S, work: fn(&mut S) -> T) -> T {
    let ran = thread::scope(|scope| {
        thread::Builder::new()
            .name(name())
            .stack_size(SETUP_STACK)
            .spawn_scoped(scope, || work(state))
            .map(|handle| handle.join())
    });
    match ran {
        Ok(Ok(done)) => done,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(e) => {
            log::debug!(
                target: super::LOG_TARGET,
                "no thread for the stream's setup ({e}): it runs on the reading thread"
            );
            work(state)
        }
    }
}

/// The setup thread's name: the reading thread's, where it has one, so that a logger that
/// prints thread names ties the setup's records to their stream.
fn name() -> String {
    match thread::current().name() {
        Some(reader) => format!("{reader}: chat stream setup"),
        None => "chat stream setup".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_runs_on_another_thread_and_gives_back_its_answer() {
        let here = thread::current().id();
        let mut state = (0, None);
        let answer = off_thread(&mut state, |s| {
            s.0 += 1;
            s.1 = Some(thread::current().id());
            s.0 * 10
        });
        assert_eq!(answer, 10);
        assert_eq!(state.0, 1);
        assert!(state.1.is_some_and(|there| there != here));
        let named = thread::Builder::new().name("reader 7".to_owned());
        let name =
            named.spawn(|| off_thread(&mut (), |_| thread::current().name().map(str::to_owned)));
        assert_eq!(
            name.unwrap().join().unwrap().as_deref(),
            Some("reader 7: chat stream setup")
        );
    }

    #[test]
    fn a_panic_in_the_work_is_the_callers() {
        let caught = std::panic::catch_unwind(|| {
            off_thread(&mut 0, |_| -> u8 { panic!("in the setup") });
        });
        let message = caught.expect_err("the panic comes back");
        assert_eq!(message.downcast_ref::<&str>(), Some(&"in the setup"));
    }
}
