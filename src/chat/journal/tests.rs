//! The journal's unit tests over real files: lines whole or dropped, the checkpoint
//! rebuilt, nothing written twice, a file that is not a journal left alone.

use std::fs;
use std::path::PathBuf;

use super::*;
use crate::ErrorKind;

/// A file of its own in a directory of its own, removed after the test.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("cp-journal-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self) -> PathBuf {
        self.0.join("chat.jsonl")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn message(id: &str, second: u32, content: &str) -> Item {
    Item::from_json(&format!(
        r#"{{"AbsoluteTime":"2026-12-07T10:00:{second:02}.000Z","Content":"{content}","Id":"{id}","Type":"MESSAGE"}}"#
    ))
    .unwrap()
}

#[test]
fn lines_are_the_services_items_and_the_checkpoint_comes_back_from_the_file_alone() {
    let dir = Scratch::new("roundtrip");
    let mut journal = Journal::open(dir.file()).unwrap();
    assert!(journal.is_empty());
    assert!(journal.append(&message("m-1", 1, "one")).unwrap());
    assert!(journal.append(&message("m-2", 2, "two")).unwrap());
    let before = journal.checkpoint().clone();
    drop(journal);
    assert_eq!(
        fs::read_to_string(dir.file()).unwrap(),
        "{\"AbsoluteTime\":\"2026-12-07T10:00:01.000Z\",\"Content\":\"one\",\"Id\":\"m-1\",\"Type\":\"MESSAGE\"}\n\
         {\"AbsoluteTime\":\"2026-12-07T10:00:02.000Z\",\"Content\":\"two\",\"Id\":\"m-2\",\"Type\":\"MESSAGE\"}\n"
    );
    let journal = Journal::open(dir.file()).unwrap();
    assert_eq!(journal.len(), 2);
    assert_eq!(journal.dropped_bytes(), 0);
    assert_eq!(journal.checkpoint(), &before);
    assert_eq!(journal.checkpoint().newest().unwrap().0, "m-2");
    let items = Journal::read(dir.file()).unwrap();
    assert_eq!(items, [message("m-1", 1, "one"), message("m-2", 2, "two")]);
}

#[test]
fn a_line_already_written_is_not_written_again_but_a_new_version_is() {
    let dir = Scratch::new("dupes");
    let mut journal = Journal::open(dir.file()).unwrap();
    assert!(journal.append(&message("m-1", 1, "one")).unwrap());
    assert!(!journal.append(&message("m-1", 1, "one")).unwrap());
    assert!(journal.append(&message("m-1", 1, "one, edited")).unwrap());
    drop(journal);
    // Also after a restart.
    let mut journal = Journal::open(dir.file()).unwrap();
    assert!(!journal.append(&message("m-1", 1, "one, edited")).unwrap());
    assert_eq!(journal.len(), 2);
    assert_eq!(Journal::read(dir.file()).unwrap().len(), 2);
}

#[test]
fn an_item_whose_write_failed_is_not_taken_as_written_and_is_written_when_appended_again() {
    let dir = Scratch::new("failed-write");
    let mut journal = Journal::open(dir.file()).unwrap();
    assert!(journal.append(&message("m-1", 1, "one")).unwrap());
    let writable = std::mem::replace(&mut journal.file, fs::File::open(dir.file()).unwrap());
    // A handle that cannot write: the write fails as a full disk would make it.
    let e = journal.append(&message("m-2", 2, "two")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert_eq!(journal.len(), 1);
    let newest = journal.checkpoint().newest().map(|(id, _)| id.to_owned());
    assert_eq!(
        newest.as_deref(),
        Some("m-1"),
        "the checkpoint took the unwritten item"
    );
    journal.file = writable;
    // Tried again, as a caller does after the disk has room: written, once.
    assert!(journal.append(&message("m-2", 2, "two")).unwrap());
    assert!(!journal.append(&message("m-2", 2, "two")).unwrap());
    let ids: Vec<_> = Journal::read(dir.file())
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids, [Some("m-1".to_owned()), Some("m-2".to_owned())]);
}

#[test]
fn a_torn_last_line_is_dropped_on_open_and_the_file_goes_on_after_the_last_whole_line() {
    let dir = Scratch::new("torn");
    let mut journal = Journal::open(dir.file()).unwrap();
    journal.append(&message("m-1", 1, "one")).unwrap();
    drop(journal);
    let whole = fs::read_to_string(dir.file()).unwrap();
    // A crash in the middle of the second line's write; then one that left a whole
    // object but not its newline: both are torn.
    for torn in [
        r#"{"AbsoluteTime":"2026-12-07T10:00:02.000Z","Con"#,
        &message("m-2", 2, "two").to_json(),
    ] {
        fs::write(dir.file(), format!("{whole}{torn}")).unwrap();
        assert_eq!(
            Journal::read(dir.file()).unwrap().len(),
            1,
            "read leaves it out"
        );
        let mut journal = Journal::open(dir.file()).unwrap();
        assert_eq!(journal.dropped_bytes(), torn.len() as u64);
        assert_eq!(journal.len(), 1);
        assert!(
            !journal.checkpoint().has(&message("m-2", 2, "two")),
            "fetched again"
        );
        assert_eq!(fs::read_to_string(dir.file()).unwrap(), whole, "truncated");
        assert!(journal.append(&message("m-2", 2, "two")).unwrap());
        drop(journal);
        assert_eq!(Journal::read(dir.file()).unwrap().len(), 2);
    }
}

#[test]
fn a_file_that_is_not_a_journal_is_refused_naming_the_line_and_left_as_it_is() {
    let dir = Scratch::new("garbage");
    let good = message("m-1", 1, "one").to_json();
    let long = format!("{{\"Content\":\"{}\"}}\n", "x".repeat(MAX_LINE));
    let cases: [(String, &str); 3] = [
        (
            format!("{good}\nnot json\n"),
            "journal line 2 is not an item; the file is left as it is",
        ),
        (
            format!("[1]\n{good}\n"),
            "journal line 1 is not an item; the file is left as it is",
        ),
        (
            long,
            "journal line 1 is not an item; the file is left as it is",
        ),
    ];
    for (text, message) in &cases {
        fs::write(dir.file(), text).unwrap();
        let e = Journal::open(dir.file()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(e.to_string().starts_with(message), "{e}");
        assert_eq!(
            fs::read_to_string(dir.file()).unwrap(),
            *text,
            "left as it is"
        );
    }
    fs::write(dir.file(), [b"{}\n".as_slice(), &[0xff, b'\n']].concat()).unwrap();
    let e = Journal::open(dir.file()).unwrap_err();
    assert!(
        e.to_string().starts_with("journal line 2 is not an item"),
        "{e}"
    );
    let source = std::error::Error::source(&e).unwrap().to_string();
    assert_eq!(source, "not UTF-8");
}

#[test]
fn blank_lines_are_skipped_and_an_empty_file_is_a_new_journal() {
    let dir = Scratch::new("blank");
    fs::write(dir.file(), "").unwrap();
    assert!(Journal::open(dir.file()).unwrap().is_empty());
    fs::write(
        dir.file(),
        format!("\n{}\n\n", message("m-1", 1, "one").to_json()),
    )
    .unwrap();
    let journal = Journal::open(dir.file()).unwrap();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal.dropped_bytes(), 0);
}

#[test]
fn interval_sync_and_a_missing_directory() {
    let dir = Scratch::new("sync");
    let mut journal =
        Journal::open_with(dir.file(), JournalSync::Interval(Duration::from_secs(3600))).unwrap();
    journal.append(&message("m-1", 1, "one")).unwrap();
    assert!(journal.unsynced, "not synced within the interval");
    journal.sync().unwrap();
    assert!(!journal.unsynced);
    let e = Journal::open(dir.0.join("no/such/dir/chat.jsonl")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(
        e.to_string().starts_with("could not open the journal"),
        "{e}"
    );
}

#[cfg(unix)]
#[test]
fn a_new_journal_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Scratch::new("mode");
    drop(Journal::open(dir.file()).unwrap());
    let mode = fs::metadata(dir.file()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn debug_prints_counts_not_what_was_said() {
    let dir = Scratch::new("debug");
    let mut journal = Journal::open(dir.file()).unwrap();
    journal.append(&message("m-1", 1, "secret words")).unwrap();
    let shown = format!("{journal:?}");
    assert!(
        !shown.contains("secret words") && !shown.contains("m-1"),
        "{shown}"
    );
    assert!(
        shown.starts_with("Journal { lines: 1, sync: EveryItem"),
        "{shown}"
    );
}
