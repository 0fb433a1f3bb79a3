//! The chat stream (feature `websocket`) against a std-only WebSocket floor, on 127.0.0.1:
//!
//! 1. latency from the agent's message landing in the in-process emulator to the
//!    `Event::Message` the stream's iterator returns, and CPU time per message of the
//!    reading thread;
//! 2. memory per open stream, with the emulator in another process (the
//!    `connect-participant emulator` binary), so that only the client side is counted;
//! 3. 100 streams read on 100 threads, the agent speaking once in every chat.
//!
//! `cargo bench --bench stream` for the full run, `-- --quick` for the CI smoke run.
//!
//! The floor is a WebSocket client written here over a `TcpStream`: a fixed HTTP/1.1
//! upgrade request, the subscribe frame masked by hand, server frames read by hand. It
//! measures the same interval, to the moment it has read the frame; it does not parse the
//! JSON. Both run in the same rounds, interleaved, so that drift hits both.

use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use connect_participant::emulator::Emulator;
use connect_participant::{ChatStream, Client, Event, Next, Participant, ParticipantToken};

#[path = "support/mod.rs"]
mod support;

use support::{FloorWs, Standalone, rss, stats, thread_cpu, us};

/// What the agent says: a typical chat line.
const MESSAGE: &str = "Hi! My order 12345 has not arrived yet, could you check where it is?";

/// How long any one wait may take before the benchmark gives up (a hang is worse than no
/// figure).
const WAIT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The WebSocket URL CreateParticipantConnection gave `participant`.
fn ws_url(participant: &Participant) -> String {
    participant
        .websocket()
        .and_then(|w| w.url)
        .expect("a WebSocket URL")
        .expose_secret()
        .to_owned()
}

/// A participant for a chat, from its participant token.
fn connect(client: &Client, token: &str) -> Participant {
    Participant::connect(client, ParticipantToken::new(token).expect("token")).expect("connect")
}

/// Waits for the next `Event::Message` of `stream`, through its iterator.
fn next_message(stream: &mut ChatStream) {
    for _ in 0..100 {
        match stream.next() {
            Some(Ok(Event::Message(_))) => return,
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("stream: {e}"),
            None => panic!("the stream ended"),
        }
    }
    panic!("no message in 100 events");
}

/// Waits at most [`WAIT`] for the next `Event::Message` of `stream`.
fn next_message_timeout(stream: &mut ChatStream) {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        match stream.next_timeout(WAIT) {
            Ok(Next::Event(Event::Message(_))) => return,
            Ok(Next::Event(_) | Next::TimedOut) => {}
            Ok(Next::Ended) => panic!("the stream ended"),
            Ok(_) => {}
            Err(e) => panic!("stream: {e}"),
        }
    }
    panic!("no message within {WAIT:?}");
}

fn recv<T>(rx: &Receiver<T>) -> T {
    rx.recv_timeout(WAIT).expect("a reader answered in time")
}

// ---------------------------------------------------------------------------------------
// 1. Latency, one stream against one floor client, in-process emulator.
// ---------------------------------------------------------------------------------------

fn latency(emulator: &Emulator, client: &Client, messages: usize) {
    const WARM: usize = 50;
    let total = WARM + messages;
    let stream_chat = emulator.start_chat();
    let floor_chat = emulator.start_chat();
    let me = connect(client, &stream_chat.participant_token);
    let mut stream = me.stream().expect("stream");
    let mut floor = FloorWs::open(
        &ws_url(&connect(client, &floor_chat.participant_token)),
        WAIT,
        None,
    )
    .expect("floor WebSocket");
    for chat in [&stream_chat, &floor_chat] {
        assert!(emulator.wait_for_websockets(&chat.contact_id, 1, WAIT));
    }

    let (stream_tx, stream_rx) = mpsc::channel();
    let stream_reader = thread::spawn(move || {
        let cpu = thread_cpu();
        let mut cpu_after_warm = cpu;
        for i in 0..total {
            if i == WARM {
                cpu_after_warm = thread_cpu();
            }
            next_message(&mut stream);
            stream_tx.send(Instant::now()).expect("send");
        }
        (thread_cpu() - cpu_after_warm, stream)
    });
    let (floor_tx, floor_rx) = mpsc::channel();
    let floor_reader = thread::spawn(move || {
        let mut cpu_after_warm = thread_cpu();
        for i in 0..total {
            if i == WARM {
                cpu_after_warm = thread_cpu();
            }
            floor.next_chat().expect("floor read");
            floor_tx.send(Instant::now()).expect("send");
        }
        thread_cpu() - cpu_after_warm
    });

    let mut ours = Vec::with_capacity(messages);
    let mut floors = Vec::with_capacity(messages);
    for i in 0..total {
        // Alternate who goes first, and let both readers go back to waiting, as a chat's
        // messages find an idle stream.
        for turn in 0..2 {
            thread::sleep(Duration::from_micros(300));
            let floor_turn = (turn + i) % 2 == 1;
            let chat = if floor_turn {
                &floor_chat
            } else {
                &stream_chat
            };
            let said = Instant::now();
            emulator
                .agent_says(&chat.contact_id, MESSAGE, "text/plain")
                .expect("agent_says");
            let got = recv(if floor_turn { &floor_rx } else { &stream_rx });
            if i >= WARM {
                let v = if floor_turn { &mut floors } else { &mut ours };
                v.push(got - said);
            }
        }
    }
    let (stream_cpu, stream) = stream_reader.join().expect("stream reader");
    let floor_cpu = floor_reader.join().expect("floor reader");
    drop(stream);
    let (fm, fp) = stats(&mut floors);
    let (om, op) = stats(&mut ours);
    let n = messages as u32;
    println!(
        "latency, agent_says -> event read, {messages} messages each, interleaved \
         (in-process emulator)"
    );
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>11}",
        "reader", "median us", "p99 us", "cpu us/msg", "median/floor"
    );
    for (name, m, p, cpu) in [
        ("floor: std WebSocket client", fm, fp, floor_cpu / n),
        ("ChatStream iterator", om, op, stream_cpu / n),
    ] {
        println!(
            "{:<34} {:>10.1} {:>10.1} {:>10.1} {:>11.2}",
            name,
            us(m),
            us(p),
            us(cpu),
            m.as_secs_f64() / fm.as_secs_f64()
        );
    }
    println!(
        "  p99/floor p99 {:.2}, cpu/floor cpu {:.2}",
        op.as_secs_f64() / fp.as_secs_f64(),
        stream_cpu.as_secs_f64() / floor_cpu.as_secs_f64().max(1e-9)
    );
}

// ---------------------------------------------------------------------------------------
// 2. Memory per open stream, emulator in another process.
// ---------------------------------------------------------------------------------------

fn memory(count: usize) {
    let emulator = Standalone::start(env!("CARGO_BIN_EXE_connect-participant"), &[]);
    let client = Client::builder()
        .endpoint_url(&emulator.url)
        .build()
        .expect("client");
    let chats: Vec<_> = (0..2 * count).map(|_| emulator.start_chat()).collect();
    let (floor_chats, stream_chats) = chats.split_at(count);
    // The floor's URLs, from participants dropped before it is measured.
    let urls: Vec<String> = floor_chats
        .iter()
        .map(|(_, token)| ws_url(&connect(&client, token)))
        .collect();
    // One stream opened and dropped first, so that what is built once (TLS provider,
    // pools, first allocations) is not counted per stream.
    {
        let (_, token) = emulator.start_chat();
        let p = connect(&client, &token);
        drop(p.stream().expect("stream"));
        drop(FloorWs::open(&ws_url(&connect(&client, &token)), WAIT, None).expect("floor"));
    }

    let before_floor = rss();
    let floors: Vec<FloorWs> = urls
        .iter()
        .map(|u| FloorWs::open(u, WAIT, None).expect("floor"))
        .collect();
    let after_floor = rss();

    let participants: Vec<Participant> = stream_chats
        .iter()
        .map(|(_, token)| connect(&client, token))
        .collect();
    let after_participants = rss();
    let streams: Vec<ChatStream> = participants
        .iter()
        .map(|p| p.stream().expect("stream"))
        .collect();
    let after_streams = rss();

    // Then one message in every chat, read by every reader: its buffers are used.
    let body = format!(r#"{{"Content":"{MESSAGE}","ContentType":"text/plain"}}"#);
    for (contact, _) in &chats {
        emulator.post(&format!("/emulator/chats/{contact}/messages"), &body);
    }
    let mut floors = floors;
    for f in &mut floors {
        f.next_chat().expect("floor read");
    }
    let mut streams = streams;
    for s in &mut streams {
        next_message_timeout(s);
    }
    let after_message = rss();

    // Everything is alive (and in use) while measured.
    assert_eq!(floors.len() + streams.len(), 2 * count);
    let per = |a: u64, b: u64| b.saturating_sub(a) as f64 / count as f64 / 1024.0;
    println!(
        "memory, {count} open at once, RSS growth of this process (emulator in another \
         process)"
    );
    println!(
        "  floor WebSocket: {:.1} KiB each; Participant::connect: {:.1} KiB each; \
         ChatStream: {:.1} KiB each (participant + stream {:.1} KiB, {:.1}x the floor)",
        per(before_floor, after_floor),
        per(after_floor, after_participants),
        per(after_participants, after_streams),
        per(after_floor, after_streams),
        per(after_floor, after_streams) / per(before_floor, after_floor).max(1e-9),
    );
    println!(
        "  after one message read by each of the {}: {:.1} KiB more per reader",
        2 * count,
        (after_message.saturating_sub(after_streams)) as f64 / (2 * count) as f64 / 1024.0
    );
    drop(streams);
    drop(participants);
    drop(floors);
}

// ---------------------------------------------------------------------------------------
// 3. 100 streams on 100 threads.
// ---------------------------------------------------------------------------------------

fn many(emulator: &Emulator, client: &Client, count: usize, rounds: usize) {
    let stream_chats: Vec<_> = (0..count).map(|_| emulator.start_chat()).collect();
    let floor_chats: Vec<_> = (0..count).map(|_| emulator.start_chat()).collect();
    let (tx, rx) = mpsc::channel::<(bool, usize, Instant)>();
    let mut readers = Vec::with_capacity(2 * count);
    for (i, chat) in stream_chats.iter().enumerate() {
        let mut stream = connect(client, &chat.participant_token)
            .stream()
            .expect("stream");
        let tx = tx.clone();
        readers.push(thread::spawn(move || {
            for _ in 0..rounds {
                next_message_timeout(&mut stream);
                tx.send((false, i, Instant::now())).expect("send");
            }
        }));
    }
    for (i, chat) in floor_chats.iter().enumerate() {
        let mut floor = FloorWs::open(
            &ws_url(&connect(client, &chat.participant_token)),
            WAIT,
            None,
        )
        .expect("floor");
        let tx = tx.clone();
        readers.push(thread::spawn(move || {
            for _ in 0..rounds {
                floor.next_chat().expect("floor read");
                tx.send((true, i, Instant::now())).expect("send");
            }
        }));
    }
    for chat in stream_chats.iter().chain(&floor_chats) {
        assert!(emulator.wait_for_websockets(&chat.contact_id, 1, WAIT));
    }
    let mut lat = [Vec::new(), Vec::new()];
    let mut walls = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        for who in [round % 2 == 1, round % 2 == 0] {
            thread::sleep(Duration::from_millis(20));
            let chats = if who { &floor_chats } else { &stream_chats };
            let start = Instant::now();
            let said: Vec<Instant> = chats
                .iter()
                .map(|c| {
                    let t = Instant::now();
                    emulator
                        .agent_says(&c.contact_id, MESSAGE, "text/plain")
                        .expect("agent_says");
                    t
                })
                .collect();
            let mut last = start;
            for _ in 0..count {
                let (floor, i, at) = recv(&rx);
                assert_eq!(floor, who, "a reader of the other kind answered");
                lat[usize::from(who)].push(at - said[i]);
                last = last.max(at);
            }
            walls[usize::from(who)].push(last - start);
        }
    }
    for r in readers {
        r.join().expect("reader");
    }
    println!(
        "{count} readers on {count} threads, the agent speaking once in every chat, \
         {rounds} rounds"
    );
    println!(
        "{:<34} {:>10} {:>10} {:>14} {:>11}",
        "readers", "median us", "p99 us", "all read, ms", "median/floor"
    );
    let (fm, _) = stats(&mut lat[1].clone());
    let (fw, _) = stats(&mut walls[1].clone());
    for (name, who) in [
        ("floor: std WebSocket clients", 1),
        ("ChatStream, next_timeout", 0),
    ] {
        let (m, p) = stats(&mut lat[who]);
        let (w, _) = stats(&mut walls[who]);
        println!(
            "{:<34} {:>10.1} {:>10.1} {:>14.2} {:>11.2}",
            name,
            us(m),
            us(p),
            w.as_secs_f64() * 1e3,
            m.as_secs_f64() / fm.as_secs_f64()
        );
    }
    println!(
        "  all-read wall time / floor's: {:.2} (median over rounds)",
        stats(&mut walls[0]).0.as_secs_f64() / fw.as_secs_f64()
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (messages, count, rounds) = if quick { (100, 20, 1) } else { (2000, 100, 20) };
    println!(
        "connect-participant {} chat stream{}",
        env!("CARGO_PKG_VERSION"),
        if quick { " (quick)" } else { "" }
    );
    // First, while this process's heap is fresh: later parts free memory that would be
    // reused, and hide the growth.
    memory(if quick { 20 } else { 100 });
    let emulator = Emulator::builder()
        .max_websockets(512)
        .max_connections(512)
        .start()
        .expect("emulator");
    let client = emulator.client_builder().build().expect("client");
    latency(&emulator, &client, messages);
    many(&emulator, &client, count, rounds);
}
