//! Reading the command line's shape: which argument is the command, the options given
//! with their values, and the mistakes in it, each reported with the names the user most
//! likely meant ("did you mean").
//!
//! An unknown command is reported before anything about its options: the options a
//! command takes depend on the command, so `frobnicate --attachment-name a.pdf` is about
//! the command, not the option.

use connect_participant::__cli::{distance, quoted};

use super::{Arity, Given, Name, SERVICE_OPTIONS, UsageError, option};

/// The arguments before `--` that are neither options nor an option's value, in order: the
/// command's name and its argument, as far as they can be told without knowing the command
/// (an unknown option is taken for a flag); each with whether it follows an unknown option
/// (and so may be its value).
fn operands_marked(options: &[String]) -> Vec<(&str, bool)> {
    let mut found = Vec::new();
    let mut i = 0;
    let mut after_unknown = false;
    while i < options.len() {
        let arg = options[i].as_str();
        i += 1;
        if !arg.starts_with('-') || arg == "-" {
            found.push((arg, after_unknown));
            after_unknown = false;
            continue;
        }
        after_unknown = false;
        if arg.contains('=') {
            continue;
        }
        match option(arg) {
            Some((_, Arity::One)) => i += 1,
            Some((_, Arity::Many)) => {
                while i < options.len()
                    && !options[i].starts_with('-')
                    && Name::parse(&options[i]).is_none()
                {
                    i += 1;
                }
            }
            Some((_, Arity::Flag)) => {}
            None => after_unknown = true,
        }
    }
    found
}

/// [`operands_marked`] without the marks.
fn operands(options: &[String]) -> Vec<&str> {
    operands_marked(options)
        .into_iter()
        .map(|(a, _)| a)
        .collect()
}

/// The command named by the first argument before `--` that is a command name and not an
/// option's value: what `--help` gives help for, even on a broken line.
pub(super) fn find_command(options: &[String]) -> Option<Name> {
    operands(options).into_iter().find_map(Name::parse)
}

/// When no argument before `--` names a command but some argument is where the command
/// goes, the error for that argument: reported before any option is read, since which
/// options are right depends on the command. Of several such arguments, the first that is
/// close to a command's name, else the first that does not follow an unknown option (which
/// may be its value); when every one does, the unknown option is what is reported, later.
pub(super) fn unknown_command(options: &[String]) -> Result<(), UsageError> {
    if find_command(options).is_some() {
        return Ok(());
    }
    let operands = operands_marked(options);
    let typed = operands
        .iter()
        .find(|(a, _)| !closest(a, command_names()).is_empty())
        .or_else(|| operands.iter().find(|(_, after_unknown)| !after_unknown));
    match typed {
        Some((typed, _)) => Err(unknown_command_error(typed)),
        None => Ok(()),
    }
}

fn command_names() -> impl Iterator<Item = &'static str> {
    Name::ALL.into_iter().map(Name::as_str)
}

/// `unknown command "send-mesage": did you mean send-message?`, or the list of commands
/// when none is close.
fn unknown_command_error(typed: &str) -> UsageError {
    let near = closest(typed, command_names());
    let list = || command_names().collect::<Vec<_>>().join(", ");
    UsageError::new(match did_you_mean(&near) {
        Some(guess) => format!("unknown command {}: {guess}", quoted(typed)),
        None => format!(
            "unknown command {}: expected one of {}",
            quoted(typed),
            list()
        ),
    })
}

/// Splits the arguments before `--` into the options given, each with its values, and the
/// other arguments (the command's name and its argument), in order. `command` is the
/// command the line names, if known: an unknown option is matched against its options.
pub(super) fn read_options(
    options: &[String],
    command: Option<Name>,
) -> Result<(Given<'_>, Vec<&str>), UsageError> {
    let mut given = Given::default();
    let mut positional: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < options.len() {
        let arg = options[i].as_str();
        i += 1;
        if !arg.starts_with('-') || arg == "-" {
            positional.push(arg);
            continue;
        }
        let (typed, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (arg, None),
        };
        let Some((name, arity)) = option(typed) else {
            return Err(unknown_option(typed, command));
        };
        if given.has(name) {
            return Err(UsageError::new(format!("{typed} is given more than once")));
        }
        let values = option_values(typed, arity, inline, options, &mut i)?;
        given.options.push((name, values, typed));
    }
    Ok((given, positional))
}

/// `unknown option "--content-typ": did you mean --content-type?`: the guesses are the
/// options of `command` only (with no command known, those every command takes).
fn unknown_option(typed: &str, command: Option<Name>) -> UsageError {
    let message = format!("unknown option {}", quoted(typed));
    let near = closest(typed, options_of(command));
    let message = match did_you_mean(&near) {
        Some(guess) => format!("{message}: {guess}"),
        None => message,
    };
    match command {
        Some(name) => UsageError::of(name, message),
        None => UsageError::new(message),
    }
}

/// The options `command` takes, `--help` included; with no command, those every
/// operation command takes.
fn options_of(command: Option<Name>) -> impl Iterator<Item = &'static str> {
    let (service, own): (&[&str], &[&str]) = match command {
        Some(Name::Emulator) => (&[], Name::Emulator.options()),
        Some(name) => (&SERVICE_OPTIONS, name.options()),
        None => (&SERVICE_OPTIONS, &[]),
    };
    service
        .iter()
        .chain(own)
        .copied()
        .chain(std::iter::once("--help"))
}

/// The values of the option typed as `typed`: its inline one (`--name=value`), else those
/// that follow it from `options[*i]` on, with `*i` moved past them.
fn option_values<'a>(
    typed: &str,
    arity: Arity,
    inline: Option<&'a str>,
    options: &'a [String],
    i: &mut usize,
) -> Result<Vec<&'a str>, UsageError> {
    let mut values = Vec::new();
    match (arity, inline) {
        (Arity::Flag, Some(_)) => {
            return Err(UsageError::new(format!("{typed} takes no value")));
        }
        (Arity::Flag, None) => {}
        (_, Some(v)) => values.push(v),
        // A following option is not a value: `--client-token --json` is a mistake, and
        // taking "--json" as the token would hide it. `--client-token=--json` is
        // explicit.
        (_, None) => match options.get(*i) {
            Some(v) if !v.starts_with("--") => {
                values.push(v.as_str());
                *i += 1;
            }
            _ => return Err(UsageError::new(format!("{typed} needs a value"))),
        },
    }
    if arity == Arity::Many && inline.is_none() {
        while let Some(v) = options.get(*i) {
            if v.starts_with('-') || Name::parse(v).is_some() {
                break;
            }
            values.push(v.as_str());
            *i += 1;
        }
    }
    Ok(values)
}

/// The command the first positional argument names and the argument after it, refused
/// when an option given is not the command's, or when more arguments follow than it takes.
pub(super) fn command_line<'a>(
    positional: &[&'a str],
    given: &Given<'_>,
) -> Result<(Name, Option<&'a str>), UsageError> {
    let Some((&first, rest)) = positional.split_first() else {
        return Err(UsageError::new(format!(
            "no command: give one of {}",
            command_names().collect::<Vec<_>>().join(", ")
        )));
    };
    let Some(name) = Name::parse(first) else {
        return Err(unknown_command_error(first));
    };
    if let Some((_, _, typed)) = given.options.iter().find(|(n, _, _)| !name.takes(n)) {
        let near = closest(typed, options_of(Some(name)));
        let guess = did_you_mean(&near).map_or(String::new(), |g| format!("; {g}"));
        return Err(UsageError::of(
            name,
            format!("{typed} is not an option of {}{guess}", name.as_str()),
        ));
    }
    let max_args = usize::from(name.positional().is_some());
    if rest.len() > max_args {
        let extra = rest.len() - max_args;
        let s = if extra == 1 { "" } else { "s" };
        return Err(UsageError::of(
            name,
            format!(
                "{extra} unexpected argument{s} after {} (it takes {})",
                name.as_str(),
                match name.positional() {
                    None => "none: every value goes with an option".to_owned(),
                    Some(p) => format!("one: {p}"),
                }
            ),
        ));
    }
    Ok((name, rest.first().copied()))
}

// ---------------------------------------------------------------------------------------
// Did you mean

/// `did you mean send-message?`, `did you mean --session-id or --sessions?`; none for no
/// guess.
fn did_you_mean(near: &[&str]) -> Option<String> {
    let (last, rest) = near.split_last()?;
    Some(if rest.is_empty() {
        format!("did you mean {last}?")
    } else {
        format!("did you mean {} or {last}?", rest.join(", "))
    })
}

/// How many edits a name typed with `len` characters (dashes aside) may be from a known
/// one and still be taken for a typo of it: one per 4 characters, at least 1 and at most 3
/// (`tpying` 1, `send-mesage` 2, `get-trnscrpt` 3), so that a short word is not "close" to
/// every short name.
pub(super) fn max_edits(len: usize) -> usize {
    (len / 4).clamp(1, 3)
}

/// The names in `known` closest to `typed`, within [`max_edits`] of it: compared without
/// leading dashes, case and `_` for `-` aside (`SEND_MESSAGE`, `-content-type`). Empty when
/// none is that close, or `typed` is one of them as it stands.
pub(super) fn closest<'k>(typed: &str, known: impl Iterator<Item = &'k str>) -> Vec<&'k str> {
    let norm = |s: &str| -> Vec<char> {
        s.trim_start_matches('-')
            .chars()
            .map(|c| {
                if c == '_' {
                    '-'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    };
    let t = norm(typed);
    let bound = max_edits(t.len());
    let mut best: Vec<&str> = Vec::new();
    let mut best_distance = bound + 1;
    for k in known {
        if k == typed || best.contains(&k) {
            continue;
        }
        let Some(d) = distance(&t, &norm(k), bound) else {
            continue;
        };
        if d < best_distance {
            best_distance = d;
            best.clear();
        }
        if d == best_distance {
            best.push(k);
        }
    }
    best
}

#[cfg(test)]
mod tests;
