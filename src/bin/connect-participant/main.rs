//! `connect-participant`: the Amazon Connect Participant Service from a shell, one command
//! per operation as the AWS CLI names them, and the bundled emulator as a local service.
//!
//! For support engineers and scripts: `connect-participant --region us-west-2 read
//! <message-id>`. Built only with the `cli` feature (which turns on `emulator`), so that
//! library users do not compile it. Arguments are parsed by hand with std alone.
//!
//! Tokens are read from the environment (`CONNECT_PARTICIPANT_TOKEN`,
//! `CONNECT_CONNECTION_TOKEN`) or standard input, never from the command line: the
//! arguments of a process are visible to every user of the machine (`ps`,
//! `/proc/<pid>/cmdline`), and end up in shell history. A token pasted into an argument
//! anyway is refused before it can be sent or shown: every message shows an argument only
//! by the library's 64-character rule, an argument that holds a token is refused without
//! being shown (`commands::tokens::check_args`), and as a last line of defence all output
//! is scrubbed of the tokens (`output::Shield`), except the connection token that
//! `create-participant-connection` prints on purpose.
//!
//! This file only collects the arguments, the environment and the streams. Parsing is in
//! `args` (the requests in `args/requests.rs`), running each command in `commands` (one
//! file per command family under `commands/`), what is written in `output`, and every
//! help and usage text in `help`; each is unit-tested (the larger test modules in a
//! `tests.rs` of their own), and the whole binary is tested end to end against the
//! emulator in `tests/integration/cli/` (one file per command family).

#![forbid(unsafe_code)]

mod args;
mod commands;
mod help;
mod output;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use commands::{EXIT_OK, Failure, Streams, TokenSource};

fn main() -> ExitCode {
    let args: Option<Vec<String>> = std::env::args_os()
        .skip(1)
        .map(OsString::into_string)
        .collect::<Result<_, _>>()
        .ok();
    let stdin = io::stdin();
    let is_terminal = stdin.is_terminal();
    let mut source = TokenSource::new(
        std::env::var_os(args::PARTICIPANT_TOKEN_VAR),
        std::env::var_os(args::CONNECTION_TOKEN_VAR),
        stdin.lock(),
        is_terminal,
    );
    let (mut out, mut err) = (io::stdout(), io::stderr());
    let outcome = match &args {
        None => Err(Failure::Usage(args::UsageError::new(
            "arguments must be valid UTF-8",
        ))),
        Some(args) => commands::execute(
            args,
            &|name| std::env::var_os(name),
            &mut source,
            &mut Streams {
                out: &mut out,
                err: &mut err,
            },
        ),
    };
    let _ = out.flush();
    match outcome {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(failure) => {
            let shield = output::Shield::new(&source.known, args.as_deref().unwrap_or_default());
            // Write errors (a closed pipe, say) are ignored: the exit status still tells.
            let _ = err.write_all(failure.report(&shield).as_bytes());
            ExitCode::from(failure.exit_code())
        }
    }
}
