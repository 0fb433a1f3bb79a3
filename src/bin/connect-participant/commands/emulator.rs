//! `emulator`: the bundled Participant Service emulator, served as a local service.

use connect_participant::emulator::Emulator;

use super::{Failure, Streams};

/// Serves the emulator until the process is killed: its base URL first, on a line of its
/// own, then nothing more on standard output.
pub(super) fn serve(port: u16, io: &mut Streams<'_>) -> Result<(), Failure> {
    let emulator = Emulator::builder()
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
