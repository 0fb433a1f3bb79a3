//! `emulator`: the bundled Participant Service emulator, served as a local service.

use std::time::Duration;

use connect_participant::emulator::{Emulator, EmulatorBuilder};

use super::{Failure, Streams};
use crate::args::EmulatorSettings;

/// Serves the emulator until the process is killed: its base URL first, on a line of its
/// own, then nothing more on standard output.
pub(super) fn serve(
    port: u16,
    settings: EmulatorSettings,
    io: &mut Streams<'_>,
) -> Result<(), Failure> {
    let emulator = builder(settings)
        .port(port)
        .start()
        .map_err(Failure::Emulator)?;
    let url = emulator.url();
    let _ = writeln!(io.out, "{url}");
    let _ = io.out.flush();
    let _ = writeln!(
        io.err,
        "serving the Participant Service emulator at {url} until killed; start a chat \
         with: curl -s -X POST -H 'Content-Type: application/json' {url}/emulator/chats"
    );
    let _ = io.err.flush();
    emulator.wait()
}

/// The emulator's builder with the settings given (checked by `args`: within bounds).
fn builder(s: EmulatorSettings) -> EmulatorBuilder {
    let mut b = Emulator::builder();
    // The bounds `args` checked fit a `usize` on every platform the crate builds for.
    let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    if let Some(secs) = s.connection_token_lifetime {
        b = b.connection_token_lifetime(Duration::from_secs(secs));
    }
    if let Some(n) = s.max_chats {
        b = b.max_chats(count(n));
    }
    if let Some(n) = s.max_connections {
        b = b.max_connections(count(n));
    }
    if let Some(n) = s.max_websockets {
        b = b.max_websockets(count(n));
    }
    if let Some(secs) = s.idle_timeout {
        b = b.idle_timeout(Duration::from_secs(secs));
    }
    b
}
