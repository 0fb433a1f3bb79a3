//! A chat kept in a file: its items appended as JSON lines in the service's own shape, each
//! line whole or not at all, and the checkpoint rebuilt from the file alone.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::hash::{Hash, Hasher};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::chat::checkpoint::Checkpoint;
use crate::error::{Error, Result};
use crate::ops::transcript::Item;

/// The longest line a journal reads: an item is at most a few tens of KiB (16 KiB of
/// content, escaped); a longer line is not one this crate wrote.
const MAX_LINE: usize = 1024 * 1024;

/// When a [`Journal`] asks the operating system to put its lines on the disk (`fsync`).
/// Every line is handed to the operating system when it is appended, whatever this says:
/// a process killed at any instant loses nothing it was told was written; this is about a
/// crash of the machine or a power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JournalSync {
    /// After every line: a line that [`Journal::append`] returned for survives a power
    /// loss. The default.
    EveryItem,
    /// At most this often (checked at each append), on [`Journal::sync`], and when the
    /// journal is dropped: a power loss may lose the lines of the last interval, which a
    /// resume fetches again.
    Interval(Duration),
}

/// A chat kept in a file, to survive restarts: the chat's items appended as JSON lines, in
/// the service's own item shape (what GetTranscript returns: [`Item::to_json`]), so that
/// `jq` and every other tool read it.
///
/// [`open`](Journal::open) reads what the file holds and rebuilds the
/// [`checkpoint`](Journal::checkpoint) from it alone; a stream opened with
/// `StreamBuilder::resume` from that checkpoint yields
/// exactly the items the file does not hold, and `record` appends them:
/// killed at any instant (SIGKILL included) and started again, the file ends holding every
/// item of the chat once, in the order the stream yielded them (`AbsoluteTime` order with
/// `StreamBuilder::ordered`). After
/// `Event::ChatEnded` it holds the whole chat, which stays
/// readable when the service no longer gives the transcript.
///
/// What is written: every chat item the stream yields (messages, attachments, events,
/// receipts as their `MESSAGEMETADATA` items), not typing (the transcript does not keep
/// it) and not changes of the connection. A later version of an item (an
/// `Event::Update`) is another line with the same `Id`: the last
/// line of an `Id` is its newest version. An item already written (same `Id`, same
/// content and attachments; receipts the transcript adds to a message do not make a new
/// version) is not written again. Nothing secret is ever written: an item holds no token
/// and no URL. On Unix a new file is made readable by its owner only (mode 0600): it
/// holds what was said.
///
/// Each line is written whole with one write, `\n` last; a crash during a write leaves a
/// last line without its `\n`, which `open` drops (the resume fetches that item again).
/// One process at a time may write a journal: two would interleave.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use connect_participant::emulator::Emulator;
/// use connect_participant::{ChatStream, Event, Journal, Participant, ParticipantToken};
///
/// let emulator = Emulator::start()?;
/// let client = emulator.client_builder().build()?;
/// let chat = emulator.start_chat();
/// let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token.clone())?)?;
/// let path = std::env::temp_dir().join(format!("journal-doc-{}.jsonl", std::process::id()));
/// emulator.agent_says(&chat.contact_id, "Hello", "text/plain")?;
///
/// let mut journal = Journal::open(&path)?;
/// let mut stream = ChatStream::builder(&me).resume(journal.checkpoint()).ordered(true).open()?;
/// for event in &mut stream {
///     let event = event?;
///     journal.record(&event)?;
///     if let Event::Message(item) = &event {
///         assert_eq!(item.content.as_deref(), Some("Hello"));
///         break;
///     }
/// }
/// let kept = Journal::read(&path)?;
/// assert_eq!(kept.last().and_then(|i| i.content.as_deref()), Some("Hello"));
/// # std::fs::remove_file(&path)?;
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Journal {
    file: File,
    checkpoint: Checkpoint,
    /// A hash of each `Id` written → the fingerprint of its last version: 16 bytes an
    /// item, so that a long chat's journal stays small in memory.
    written: HashMap<u64, u64>,
    lines: u64,
    dropped: u64,
    /// The file's length after its last whole line, where a failed write is cut back to.
    end: u64,
    sync: JournalSync,
    last_sync: Instant,
    unsynced: bool,
}

impl Journal {
    /// Opens the journal at `path` (made if it is not there), with an fsync after every
    /// line ([`JournalSync::EveryItem`]). See [`open_with`](Journal::open_with).
    pub fn open(path: impl AsRef<Path>) -> Result<Journal> {
        Journal::open_with(path, JournalSync::EveryItem)
    }

    /// Opens the journal at `path` (made if it is not there): reads every line, drops a
    /// last line cut short by a crash (the file is truncated after the last whole line:
    /// [`dropped_bytes`](Journal::dropped_bytes) says how much), and rebuilds the
    /// checkpoint. Fails with [`ErrorKind::Io`](crate::ErrorKind::Io) when the file cannot
    /// be opened, read or truncated, or when a whole line is not an item (the file is not
    /// a journal, or was changed by hand: it is left as it is), naming the line.
    pub fn open_with(path: impl AsRef<Path>, sync: JournalSync) -> Result<Journal> {
        let path = path.as_ref();
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(path)
            .map_err(|e| Error::io("could not open the journal", e))?;
        let mut journal = Journal {
            file,
            checkpoint: Checkpoint::new(),
            written: HashMap::new(),
            lines: 0,
            dropped: 0,
            end: 0,
            sync,
            last_sync: Instant::now(),
            unsynced: false,
        };
        let (items, whole) = scan(&journal.file, |item| {
            journal_note(&mut journal.checkpoint, &mut journal.written, &item);
        })?;
        journal.lines = items;
        let len = journal
            .file
            .metadata()
            .map_err(|e| Error::io("could not read the journal", e))?
            .len();
        if whole < len {
            journal
                .file
                .set_len(whole)
                .and_then(|()| journal.file.sync_data())
                .map_err(|e| Error::io("could not drop the journal's torn last line", e))?;
            journal.dropped = len - whole;
        }
        journal.end = whole;
        Ok(journal)
    }

    /// The items of the journal at `path`, in the file's order, without changing the file:
    /// a torn last line is left out. Fails as [`open`](Journal::open) does.
    pub fn read(path: impl AsRef<Path>) -> Result<Vec<Item>> {
        let file =
            File::open(path.as_ref()).map_err(|e| Error::io("could not open the journal", e))?;
        let mut items = Vec::new();
        scan(&file, |item| items.push(item))?;
        Ok(items)
    }

    /// Where the journal's reader is: the items it holds (near the newest) and the
    /// receipts in it. Give it to
    /// `StreamBuilder::resume`.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// How many lines the journal holds.
    pub fn len(&self) -> u64 {
        self.lines
    }

    /// Does the journal hold no line?
    pub fn is_empty(&self) -> bool {
        self.lines == 0
    }

    /// How many bytes [`open`](Journal::open) dropped: a last line a crash cut short.
    pub fn dropped_bytes(&self) -> u64 {
        self.dropped
    }

    /// Appends the item of a stream's event, if it is one the journal keeps (see the
    /// type's docs): `Ok(true)` when a line was written, `Ok(false)` when there was
    /// nothing to write (typing, a change of the connection, an end learnt without an
    /// item, a line already written).
    #[cfg(feature = "websocket")]
    #[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
    pub fn record(&mut self, event: &crate::Event) -> Result<bool> {
        match (event, event.item()) {
            (crate::Event::Typing(_), _) | (_, None) => Ok(false),
            (_, Some(item)) => self.append(item),
        }
    }

    /// Appends `item` as one line, unless that line was already written: `Ok(true)` when
    /// it was. Handed to the operating system before it returns, and synced as
    /// [`JournalSync`] says. Fails with [`ErrorKind::Io`](crate::ErrorKind::Io) when the
    /// write or the sync fails. A failed write (a full disk, say) leaves the item unwritten:
    /// what it wrote of the line is cut off (so that the next line does not join it), and
    /// appending the item again writes it. A failed sync leaves the line written.
    pub fn append(&mut self, item: &Item) -> Result<bool> {
        let version = version(item);
        if version.is_some_and(|(id, print)| self.written.get(&id) == Some(&print)) {
            self.checkpoint.note(item);
            return Ok(false);
        }
        let mut line = item.to_json();
        line.push('\n');
        if let Err(e) = self.file.write_all(line.as_bytes()) {
            // Best effort: if this fails too, the next `open` drops the torn line, unless
            // more lines were appended after it, which it then refuses, naming the line.
            let _ = self.file.set_len(self.end);
            return Err(Error::io("could not write to the journal", e));
        }
        // Noted only once written, so that a failed write can be tried again.
        self.checkpoint.note(item);
        if let Some((id, print)) = version {
            self.written.insert(id, print);
        }
        self.end += line.len() as u64;
        self.lines += 1;
        self.unsynced = true;
        let due = match self.sync {
            JournalSync::EveryItem => true,
            JournalSync::Interval(every) => self.last_sync.elapsed() >= every,
        };
        if due {
            self.sync()?;
        }
        Ok(true)
    }

    /// Puts what was appended on the disk now (`fsync`).
    pub fn sync(&mut self) -> Result<()> {
        if self.unsynced {
            self.file
                .sync_data()
                .map_err(|e| Error::io("could not sync the journal", e))?;
            self.unsynced = false;
        }
        self.last_sync = Instant::now();
        Ok(())
    }
}

/// Which version of which item `item` is, as the stream tells them apart (the same item
/// read from the transcript and from the WebSocket, which adds members, is one line): a
/// hash of its `Id` and its fingerprint; `None` without an `Id` (written each time).
fn version(item: &Item) -> Option<(u64, u64)> {
    item.id.as_deref().map(|id| (hash(id), item.fingerprint()))
}

/// Notes `item` in the checkpoint and the lines written: `false` when the same line was
/// written before.
fn journal_note(checkpoint: &mut Checkpoint, written: &mut HashMap<u64, u64>, item: &Item) -> bool {
    checkpoint.note(item);
    match version(item) {
        Some((id, print)) => written.insert(id, print) != Some(print),
        None => true,
    }
}

fn hash(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Reads the file's whole lines from its start, each an item given to `each`: how many,
/// and where the last whole line ends.
fn scan(file: &File, mut each: impl FnMut(Item)) -> Result<(u64, u64)> {
    let mut reader = BufReader::new(file);
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|e| Error::io("could not read the journal", e))?;
    let (mut lines, mut whole, mut number) = (0u64, 0u64, 0u64);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = io::Read::take(&mut reader, MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io("could not read the journal", e))?;
        number += 1;
        if n == 0 || line.last() != Some(&b'\n') {
            if line.len() > MAX_LINE {
                return Err(bad_line(number, format!("longer than {MAX_LINE} bytes")));
            }
            // The end, or a last line a crash cut short.
            return Ok((lines, whole));
        }
        whole += n as u64;
        let text = std::str::from_utf8(&line[..n - 1])
            .map_err(|_| bad_line(number, "not UTF-8".to_owned()))?;
        if text.trim().is_empty() {
            continue;
        }
        let item = Item::from_json(text).map_err(|e| bad_line(number, e.to_string()))?;
        each(item);
        lines += 1;
    }
}

fn bad_line(number: u64, why: String) -> Error {
    Error::io(
        format!("journal line {number} is not an item; the file is left as it is"),
        io::Error::new(io::ErrorKind::InvalidData, why),
    )
}

impl Drop for Journal {
    fn drop(&mut self) {
        // Best effort: a journal dropped on an error path has nothing better to do.
        let _ = self.sync();
    }
}

impl fmt::Debug for Journal {
    /// Counts and the checkpoint: what was said is the caller's to print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journal")
            .field("lines", &self.lines)
            .field("sync", &self.sync)
            .field("checkpoint", &self.checkpoint)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
