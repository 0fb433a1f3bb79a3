//! The journal and the checkpoint against the chat stream alone and a std-only
//! file floor, on 127.0.0.1 with the in-process emulator:
//!
//! 1. the cost per item of reading agent messages through a `ChatStream` alone, with
//!    `Journal::record` after each (`JournalSync::EveryItem`, an fsync per item, and
//!    `JournalSync::Interval(1 s)`), and with `ChatStream::checkpoint().to_json()` after
//!    each (what a caller saving a checkpoint per item pays); beside it the floor, the same
//!    JSON lines written to a file with `File::write_all`, with and without `sync_data`
//!    per line;
//! 2. a resume: `Journal::open` of the journal those items made (read back, checkpoint
//!    rebuilt) against a std read of the same file, and `StreamBuilder::resume` from its
//!    checkpoint catching up the messages said while no one listened, against a stream
//!    opened without a checkpoint.
//!
//! `cargo bench --bench journal` for the full run, `-- --quick` for the CI smoke run.
//!
//! The agent says a batch of messages into each reader's chat, the bench waits for the
//! emulator to have written them to the socket, then times the reading of the batch: what
//! is timed is the client's work (reading, parsing, recording), not the wait for the
//! agent. The readers and the floors take turns in every round (who goes first rotates),
//! so that drift hits all alike. The journals and the floor's files are in
//! `std::env::temp_dir()`, removed at the end.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;

use connect_participant::emulator::{Emulator, StartedChat};
use connect_participant::{
    ChatStream, Checkpoint, Client, Event, Item, Journal, JournalSync, Next, Participant,
    ParticipantToken,
};

use support::{ms, stats, thread_cpu, us};

/// What the agent says: a typical chat line (the stream bench's).
const MESSAGE: &str = "Hi! My order 12345 has not arrived yet, could you check where it is?";

/// How long any one wait may take before the benchmark gives up.
const WAIT: Duration = Duration::from_secs(10);

/// Messages said, then read, per reader per round: well under the emulator's queue of
/// 1024 frames per socket, so that no reader is dropped for being slow.
const BATCH: usize = 100;

/// How long the bench lets the emulator write a batch to the socket before it reads.
const SETTLE: Duration = Duration::from_millis(20);

/// A file in the temp dir, named for this process, removed first.
fn scratch(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "connect-participant-bench-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

/// A participant for a chat, from its participant token.
fn connect(client: &Client, chat: &StartedChat) -> Participant {
    let token = ParticipantToken::new(chat.participant_token.clone()).expect("token");
    Participant::connect(client, token).expect("connect")
}

/// The next event of `stream`, at most [`WAIT`] away.
fn next_event(stream: &mut ChatStream) -> Event {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        match stream.next_timeout(WAIT) {
            Ok(Next::Event(e)) => return e,
            Ok(Next::TimedOut) => {}
            Ok(Next::Ended) => panic!("the stream ended"),
            Ok(_) => {}
            Err(e) => panic!("stream: {e}"),
        }
    }
    panic!("no event within {WAIT:?}");
}

fn say(emulator: &Emulator, chat: &StartedChat, n: usize) {
    for _ in 0..n {
        emulator
            .agent_says(&chat.contact_id, MESSAGE, "text/plain")
            .expect("agent_says");
    }
}

// ---------------------------------------------------------------------------------------
// 1. Per item: the stream alone, with the journal, with a checkpoint saved.
// ---------------------------------------------------------------------------------------

/// What a reader does with each event after the stream has yielded it.
#[derive(Clone, Copy, PartialEq)]
enum Work {
    Alone,
    Journal(JournalSync),
    CheckpointJson,
}

/// One reader: its chat, stream, journal if any, and its samples.
struct Reader {
    name: &'static str,
    work: Work,
    chat: StartedChat,
    participant: Participant,
    stream: ChatStream,
    journal: Option<(Journal, PathBuf)>,
    /// Each message's time: the stream's next message and the work on it.
    samples: Vec<Duration>,
    /// Each message's work alone (`record`, `to_json`), without the stream's part.
    worked: Vec<Duration>,
    cpu: Duration,
    wall: Duration,
    /// What `to_json` made, so that it is not optimized away.
    json_bytes: usize,
}

impl Reader {
    fn open(emulator: &Emulator, client: &Client, name: &'static str, work: Work) -> Reader {
        let chat = emulator.start_chat();
        let participant = connect(client, &chat);
        let mut stream = participant.stream().expect("stream");
        assert!(emulator.wait_for_websockets(&chat.contact_id, 1, WAIT));
        // The first event is `Established`.
        assert!(next_event(&mut stream).item().is_none());
        let journal = match work {
            Work::Journal(sync) => {
                let path = scratch(&format!("{}.jsonl", name.replace(' ', "-")));
                Some((Journal::open_with(&path, sync).expect("journal"), path))
            }
            _ => None,
        };
        Reader {
            name,
            work,
            chat,
            participant,
            stream,
            journal,
            samples: Vec::new(),
            worked: Vec::new(),
            cpu: Duration::ZERO,
            wall: Duration::ZERO,
            json_bytes: 0,
        }
    }

    /// Reads `n` messages the agent said (they are in the socket), doing the reader's
    /// work on each.
    fn read(&mut self, n: usize, timed: bool) {
        let cpu = thread_cpu();
        let start = Instant::now();
        let mut got = 0;
        for _ in 0..10 * n {
            if got == n {
                break;
            }
            let t = Instant::now();
            let event = next_event(&mut self.stream);
            let w = Instant::now();
            match (&self.work, &mut self.journal) {
                (Work::Journal(_), Some((journal, _))) => {
                    journal.record(&event).expect("record");
                }
                (Work::CheckpointJson, _) => {
                    self.json_bytes += self.stream.checkpoint().to_json().len();
                }
                _ => {}
            }
            let (took, worked) = (t.elapsed(), w.elapsed());
            if let Event::Message(_) = &event {
                got += 1;
                if timed {
                    self.samples.push(took);
                    self.worked.push(worked);
                }
            }
        }
        assert_eq!(got, n, "{}: not every message came", self.name);
        if timed {
            self.wall += start.elapsed();
            self.cpu += thread_cpu() - cpu;
        }
    }
}

/// The floor: the same lines appended to a file with std, synced per line or not.
struct Floor {
    name: &'static str,
    file: File,
    path: PathBuf,
    sync: bool,
    samples: Vec<Duration>,
    cpu: Duration,
    wall: Duration,
}

impl Floor {
    fn open(name: &'static str, sync: bool) -> Floor {
        let path = scratch(&format!(
            "floor-{}.jsonl",
            if sync { "sync" } else { "write" }
        ));
        // As the journal opens its file.
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .expect("floor file");
        Floor {
            name,
            file,
            path,
            sync,
            samples: Vec::new(),
            cpu: Duration::ZERO,
            wall: Duration::ZERO,
        }
    }

    fn write(&mut self, lines: &[String]) {
        let cpu = thread_cpu();
        let start = Instant::now();
        for line in lines {
            let t = Instant::now();
            self.file.write_all(line.as_bytes()).expect("write");
            if self.sync {
                self.file.sync_data().expect("sync_data");
            }
            self.samples.push(t.elapsed());
        }
        self.wall += start.elapsed();
        self.cpu += thread_cpu() - cpu;
    }
}

/// One row of a per-item table.
fn row(name: &str, samples: &mut [Duration], wall: Duration, cpu: Duration, base: Duration) {
    let n = samples.len() as u32;
    let (m, p) = stats(samples);
    println!(
        "{:<40} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>10.2}",
        name,
        us(m),
        us(p),
        us(wall / n),
        us(cpu / n),
        (wall / n).as_secs_f64() / base.as_secs_f64()
    );
}

/// The last `n` lines of the file at `path`, each with its `\n`.
fn last_lines(path: &Path, n: usize) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("read the journal");
    let mut lines: Vec<String> = text
        .lines()
        .rev()
        .take(n)
        .map(|l| format!("{l}\n"))
        .collect();
    lines.reverse();
    lines
}

fn per_item(emulator: &Emulator, client: &Client, rounds: usize) -> Reader {
    let works = [
        ("ChatStream alone", Work::Alone),
        (
            "+ Journal::record, EveryItem",
            Work::Journal(JournalSync::EveryItem),
        ),
        (
            "+ Journal::record, Interval(1 s)",
            Work::Journal(JournalSync::Interval(Duration::from_secs(1))),
        ),
        ("+ checkpoint().to_json()", Work::CheckpointJson),
    ];
    let mut readers: Vec<Reader> = works
        .iter()
        .map(|&(name, work)| Reader::open(emulator, client, name, work))
        .collect();
    let mut floors = [
        Floor::open("floor: write_all per line", false),
        Floor::open("floor: write_all + sync_data per line", true),
    ];
    let every_path = readers[1].journal.as_ref().expect("a journal").1.clone();
    // A warm-up round, untimed; the lines are the floors' warm-up too.
    for r in &mut readers {
        say(emulator, &r.chat, BATCH);
        thread::sleep(SETTLE);
        r.read(BATCH, false);
    }
    for f in &mut floors {
        f.write(&last_lines(&every_path, BATCH));
        f.samples.clear();
        (f.cpu, f.wall) = (Duration::ZERO, Duration::ZERO);
    }
    let parties = readers.len() + floors.len();
    for round in 0..rounds {
        for turn in 0..parties {
            let who = (turn + round) % parties;
            if let Some(r) = readers.get_mut(who) {
                say(emulator, &r.chat, BATCH);
                thread::sleep(SETTLE);
                r.read(BATCH, true);
            }
        }
        // The floors write the lines the journal wrote this round.
        let lines = last_lines(&every_path, BATCH);
        for turn in 0..floors.len() {
            floors[(turn + round) % floors.len()].write(&lines);
        }
    }
    report(&mut readers, &mut floors, (rounds * BATCH) as u32);
    pure(&Journal::read(&every_path).expect("the journal's items"));
    for f in &floors {
        let _ = std::fs::remove_file(&f.path);
    }
    // The EveryItem reader's journal and chat serve the resume.
    let mut readers = readers.into_iter();
    let _ = readers.next();
    let every = readers.next().expect("the EveryItem reader");
    for r in readers {
        if let Some((_, path)) = &r.journal {
            let _ = std::fs::remove_file(path);
        }
    }
    every
}

/// The per-item table: each reader and floor, then the journal's and the checkpoint's own
/// cost, over the stream alone and around the call.
fn report(readers: &mut [Reader], floors: &mut [Floor; 2], n: u32) {
    println!(
        "per item: {n} agent messages per reader ({} rounds of {BATCH}, after one of \
         warm-up), in-process emulator",
        n as usize / BATCH
    );
    println!(
        "{:<40} {:>9} {:>9} {:>9} {:>9} {:>10}",
        "reader", "median us", "p99 us", "mean us", "cpu us", "mean/alone"
    );
    let alone = readers[0].wall / n;
    for r in readers.iter_mut() {
        row(r.name, &mut r.samples, r.wall, r.cpu, alone);
    }
    for f in floors.iter_mut() {
        row(f.name, &mut f.samples, f.wall, f.cpu, alone);
    }
    let over = |r: &Reader| (r.wall / n).saturating_sub(alone);
    let over_cpu = |r: &Reader| (r.cpu / n).saturating_sub(readers[0].cpu / n);
    let (fw, fs) = (floors[0].wall / n, floors[1].wall / n);
    println!(
        "  journal's own cost per item (mean over the stream alone): EveryItem {:.2} us \
         ({:.2}x the sync_data floor), Interval(1 s) {:.2} us ({:.2}x the write_all floor)",
        us(over(&readers[1])),
        over(&readers[1]).as_secs_f64() / fs.as_secs_f64(),
        us(over(&readers[2])),
        over(&readers[2]).as_secs_f64() / fw.as_secs_f64(),
    );
    println!(
        "  its CPU per item over the stream alone's: EveryItem {:.2} us (floor {:.2}), \
         Interval(1 s) {:.2} us (floor {:.2}); checkpoint().to_json(): {:.2} us wall, \
         {:.2} us CPU, {} bytes each",
        us(over_cpu(&readers[1])),
        us(floors[1].cpu / n),
        us(over_cpu(&readers[2])),
        us(floors[0].cpu / n),
        us(over(&readers[3])),
        us(over_cpu(&readers[3])),
        readers[3].json_bytes / (n as usize + BATCH),
    );
    println!("  the work alone, per message, timed around the call (no stream):");
    // The samples were sorted by `row`.
    let fm = floors[0].samples[floors[0].samples.len() / 2];
    let sm = floors[1].samples[floors[1].samples.len() / 2];
    for (r, floor, floor_median, floor_mean) in [
        (1, "sync_data floor", sm, fs),
        (2, "write_all floor", fm, fw),
        (3, "write_all floor", fm, fw),
    ] {
        let mean = readers[r].worked.iter().sum::<Duration>() / n;
        let (m, p) = stats(&mut readers[r].worked);
        println!(
            "    {:<36} median {:>8.2} us ({:.2}x the {floor}'s), p99 {:>8.2} us, mean \
             {:>8.2} us ({:.2}x)",
            readers[r].name.trim_start_matches("+ "),
            us(m),
            m.as_secs_f64() / floor_median.as_secs_f64(),
            us(p),
            us(mean),
            mean.as_secs_f64() / floor_mean.as_secs_f64(),
        );
    }
}

/// The work the journal does and the floor does not: `Item::to_json` of the same items,
/// and a checkpoint noting them (the stream's checkpoint does it too), which holds 256
/// of them after the first 256.
fn pure(items: &[Item]) {
    let mut bytes = 0;
    let to_json = median(9, || {
        for item in items {
            bytes += std::hint::black_box(item.to_json()).len();
        }
    });
    let note = median(9, || {
        let mut at = Checkpoint::new();
        for item in items {
            std::hint::black_box(at.note(item));
        }
    });
    let n = items.len() as u32;
    println!(
        "  pure path per item ({} items, median of 9): Item::to_json {:.2} us ({} bytes), \
         Checkpoint::note {:.2} us",
        n,
        us(to_json / n),
        bytes / (9 * items.len()),
        us(note / n)
    );
}

// ---------------------------------------------------------------------------------------
// 2. A resume: the journal read back, the stream caught up.
// ---------------------------------------------------------------------------------------

/// A std read of the file's lines: bytes only, and each parsed as a `serde_json::Value`.
fn floor_read(path: &Path, parse: bool) -> usize {
    let mut reader = BufReader::new(File::open(path).expect("open"));
    let mut line = Vec::new();
    let mut n = 0;
    for _ in 0..1_000_000 {
        line.clear();
        if reader.read_until(b'\n', &mut line).expect("read") == 0 {
            break;
        }
        if parse {
            let v: serde_json::Value = serde_json::from_slice(&line).expect("JSON");
            assert!(v.is_object());
        }
        n += 1;
    }
    n
}

/// Median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut v: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    stats(&mut v).0
}

fn resume(emulator: &Emulator, every: Reader, missed: usize, runs: usize) {
    let Reader {
        chat,
        participant,
        stream,
        journal,
        ..
    } = every;
    stream.close();
    let (journal, path) = journal.expect("a journal");
    let items = journal.len();
    drop(journal);
    let bytes = std::fs::metadata(&path).expect("metadata").len();

    let open = median(runs, || {
        let j = Journal::open(&path).expect("open");
        assert_eq!(j.len(), items);
    });
    let read_bytes = median(runs, || assert_eq!(floor_read(&path, false) as u64, items));
    let read_values = median(runs, || assert_eq!(floor_read(&path, true) as u64, items));
    println!("resume: Journal::open of {items} items ({bytes} bytes), median of {runs}");
    let n = items as u32;
    for (name, d) in [
        ("floor: std read of the lines", read_bytes),
        ("floor: lines parsed as serde_json::Value", read_values),
        ("Journal::open (items, checkpoint)", open),
    ] {
        println!(
            "  {:<42} {:>9.2} ms {:>7.2} us/item {:>6.2}x the Value floor",
            name,
            ms(d),
            us(d / n),
            d.as_secs_f64() / read_values.as_secs_f64()
        );
    }

    // The agent goes on while no one listens.
    let checkpoint = Journal::open(&path).expect("open").checkpoint().clone();
    say(emulator, &chat, missed);
    let plain = median(runs, || {
        let mut s = participant.stream().expect("stream");
        assert!(next_event(&mut s).item().is_none(), "Established first");
        s.close();
    });
    let resumed = median(runs, || {
        let mut s = ChatStream::builder(&participant)
            .resume(&checkpoint)
            .open()
            .expect("resume");
        let mut got = 0;
        for _ in 0..10 * missed + 10 {
            if got == missed {
                break;
            }
            if let Event::Message(_) = next_event(&mut s) {
                got += 1;
            }
        }
        assert_eq!(got, missed, "the resume yielded every missed message");
        s.close();
    });
    println!(
        "resume: StreamBuilder::resume from that checkpoint, {missed} messages missed, \
         median of {runs}"
    );
    println!(
        "  open without a checkpoint, to Established: {:.2} ms; resume, to the last missed \
         message: {:.2} ms; the difference per missed item {:.2} us",
        ms(plain),
        ms(resumed),
        us(resumed.saturating_sub(plain) / missed as u32)
    );
    let _ = std::fs::remove_file(&path);
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, missed, runs) = if quick { (2, 50, 2) } else { (20, 500, 7) };
    println!(
        "connect-participant {} journal and checkpoint{}, files in {}",
        env!("CARGO_PKG_VERSION"),
        if quick { " (quick)" } else { "" },
        std::env::temp_dir().display()
    );
    let emulator = Emulator::builder()
        .max_websockets(64)
        .max_connections(64)
        .start()
        .expect("emulator");
    let client = emulator.client_builder().build().expect("client");
    let every = per_item(&emulator, &client, rounds);
    resume(&emulator, every, missed, runs);
}
