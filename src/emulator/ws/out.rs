//! What goes out on a socket. A frame is written by the thread that queues it (a push, a
//! heartbeat's answer), under the socket's own lock, as far as the kernel takes it at
//! once; what it does not take is written by a flushing thread of the socket's own, which
//! lives only while some is left. A quiet socket thus has no thread but its reading one,
//! and nothing wakes it.
//!
//! A close frame, once written, is followed by at most [`CLOSE_WAIT`] for the client's
//! answer: the emulator's one closing thread shuts the connection when that passes.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::{QUEUE_BYTES, QUEUE_FRAMES};

/// How long a write by the thread that queued a frame may wait for room in the kernel's
/// buffer before the rest is left to the socket's flushing thread: a push never stalls
/// the emulator on a client that does not read.
pub(super) const TRY_WRITE: Duration = Duration::from_millis(1);
/// How long a socket that sent its close frame waits for the client's.
pub(super) const CLOSE_WAIT: Duration = Duration::from_secs(1);
/// The stack of the emulator's own helper threads (flushing, closing): they format
/// nothing and parse nothing.
const HELPER_STACK: usize = 64 * 1024;

/// One frame waiting to be written.
struct Pending {
    bytes: Vec<u8>,
    /// Bytes of text counted against [`QUEUE_BYTES`] (0 for a close or a control frame).
    text: usize,
    /// A close frame: the last thing written.
    close: bool,
}

/// What goes out on one socket, shared by the threads that queue frames for it, its
/// reading thread and its flushing thread, so that frames never interleave and nothing
/// follows a close.
pub(super) struct Out {
    /// The connection, once its reading thread runs.
    stream: Option<Arc<TcpStream>>,
    /// Frames not yet written, oldest first; of the first, `written` bytes are.
    pending: VecDeque<Pending>,
    written: usize,
    /// The text bytes in `pending` (and in the frame the flushing thread writes).
    queued: usize,
    /// No more data frames: a close was queued or received, or the connection was cut.
    pub(super) closed: bool,
    /// A close frame is queued or sent: nothing more is.
    close_queued: bool,
    /// The server's close frame went out.
    pub(super) close_sent: bool,
    /// The connection was cut (a write failed, the socket was dropped): nothing is written.
    cut: bool,
    /// The flushing thread, while it runs: only it writes then.
    flusher: Option<JoinHandle<()>>,
    /// How long a write may wait for a client that does not read.
    idle_timeout: Duration,
    /// The emulator's closing thread, told of each close frame written.
    closer: Sender<Closing>,
}

/// A connection to shut at `at` unless it has ended by then.
pub(super) type Closing = (Instant, Weak<TcpStream>);

/// The lock of a socket's [`Out`].
pub(super) fn lock_out(out: &Mutex<Out>) -> MutexGuard<'_, Out> {
    out.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Out {
    pub(super) fn new(idle_timeout: Duration, closer: Sender<Closing>) -> Out {
        Out {
            stream: None,
            pending: VecDeque::new(),
            written: 0,
            queued: 0,
            closed: false,
            close_queued: false,
            close_sent: false,
            cut: false,
            flusher: None,
            idle_timeout,
            closer,
        }
    }

    /// Cuts the connection: TCP shutdown, no close frame, nothing more written.
    pub(super) fn cut(&mut self) {
        self.cut = true;
        self.closed = true;
        self.close_queued = true;
        self.pending.clear();
        if let Some(stream) = &self.stream {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// Takes the flushing thread's handle, to join it once the connection is shut.
    pub(super) fn take_flusher(&mut self) -> Option<JoinHandle<()>> {
        self.flusher.take()
    }
}

/// Attaches the connection to its socket's [`Out`] and writes what was queued before;
/// `false` if the socket was cut meanwhile.
pub(super) fn attach(out: &Arc<Mutex<Out>>, stream: &Arc<TcpStream>) -> bool {
    let mut o = lock_out(out);
    if o.cut {
        return false;
    }
    o.stream = Some(Arc::clone(stream));
    flush(out, &mut o);
    true
}

/// Queues a data frame of `text` bytes of text; `false` if it does not fit (in frames or
/// bytes) or the connection was cut. Ignored (`true`) once no more data frames go.
pub(super) fn queue_data(out: &Arc<Mutex<Out>>, bytes: Vec<u8>, text: usize) -> bool {
    let mut o = lock_out(out);
    if o.cut || o.pending.len() >= QUEUE_FRAMES || o.queued + text > QUEUE_BYTES {
        return false;
    }
    if o.closed {
        return true;
    }
    o.queued += text;
    o.pending.push_back(Pending {
        bytes,
        text,
        close: false,
    });
    flush(out, &mut o);
    true
}

/// Queues the server's close frame, after what is queued; `false` if it does not fit or
/// the connection was cut. Ignored (`true`) once a close was queued or received (the
/// client's is echoed instead).
pub(super) fn queue_close(out: &Arc<Mutex<Out>>, bytes: Vec<u8>) -> bool {
    let mut o = lock_out(out);
    if o.cut || o.pending.len() >= QUEUE_FRAMES {
        return false;
    }
    if o.closed {
        return true;
    }
    o.closed = true;
    o.close_queued = true;
    o.pending.push_back(Pending {
        bytes,
        text: 0,
        close: true,
    });
    flush(out, &mut o);
    true
}

/// Queues what tungstenite answers by itself (a pong, the echo of the client's close),
/// whole, unless the server's close is queued.
pub(super) fn queue_raw(out: &Arc<Mutex<Out>>, bytes: &[u8]) {
    let mut o = lock_out(out);
    if o.close_queued {
        return;
    }
    o.pending.push_back(Pending {
        bytes: bytes.to_vec(),
        text: 0,
        close: false,
    });
    flush(out, &mut o);
}

/// Whether the server's close frame is queued or sent (the reading thread then waits for
/// the client's answer rather than for its silence).
pub(super) fn close_queued(out: &Mutex<Out>) -> bool {
    lock_out(out).close_queued
}

/// Writes what is pending, from the calling thread, as far as the kernel takes it within
/// [`TRY_WRITE`]; the rest goes to a flushing thread. Nothing while one runs.
fn flush(out: &Arc<Mutex<Out>>, o: &mut Out) {
    if o.flusher.is_some() || o.cut {
        return;
    }
    let Some(stream) = o.stream.clone() else {
        return;
    };
    while let Some(front) = o.pending.front() {
        match (&*stream).write(&front.bytes[o.written..]) {
            Ok(0) => return o.cut(),
            Ok(n) => {
                o.written += n;
                if o.written == front.bytes.len() {
                    written(o, &stream);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_io_timeout(&e) => return spawn_flusher(out, o, &stream),
            Err(_) => return o.cut(),
        }
    }
}

/// The first pending frame is written whole: forgets it.
fn written(o: &mut Out, stream: &Arc<TcpStream>) {
    o.written = 0;
    if let Some(done) = o.pending.pop_front() {
        o.queued -= done.text;
        if done.close {
            o.close_sent = true;
            let _ = o
                .closer
                .send((Instant::now() + CLOSE_WAIT, Arc::downgrade(stream)));
        }
    }
}

fn spawn_flusher(out: &Arc<Mutex<Out>>, o: &mut Out, stream: &Arc<TcpStream>) {
    let (out, stream) = (Arc::clone(out), Arc::clone(stream));
    let spawned = thread::Builder::new()
        .name("connect-participant-emulator-ws-flush".into())
        .stack_size(HELPER_STACK)
        .spawn(move || flush_loop(&out, &stream));
    match spawned {
        Ok(handle) => o.flusher = Some(handle),
        Err(_) => o.cut(),
    }
}

/// The flushing thread: writes the pending frames one at a time, outside the lock (so that
/// frames are queued meanwhile), each write waiting up to the idle timeout for the client,
/// until none is left; then hands the writing back to the threads that queue.
fn flush_loop(out: &Mutex<Out>, stream: &Arc<TcpStream>) {
    let idle_timeout = lock_out(out).idle_timeout;
    let _ = stream.set_write_timeout(Some(idle_timeout));
    loop {
        let mut o = lock_out(out);
        if o.cut {
            return;
        }
        let Some(front) = o.pending.front() else {
            // Before the flag goes, so that the next write by a queuing thread is short.
            let _ = stream.set_write_timeout(Some(TRY_WRITE));
            o.flusher = None;
            return;
        };
        let (bytes, from) = (front.bytes.clone(), o.written);
        drop(o);
        let wrote = (&**stream).write_all(&bytes[from..]);
        let mut o = lock_out(out);
        if wrote.is_err() {
            o.flusher = None;
            return o.cut();
        }
        if !o.cut {
            written(&mut o, stream);
        }
    }
}

/// Starts the emulator's closing thread: it shuts each connection handed to it once its
/// time comes, and ends when every sender is gone.
pub(super) fn start_closer() -> Sender<Closing> {
    let (tx, rx) = channel();
    let _ = thread::Builder::new()
        .name("connect-participant-emulator-ws-close".into())
        .stack_size(HELPER_STACK)
        .spawn(move || close_loop(&rx));
    tx
}

fn close_loop(rx: &Receiver<Closing>) {
    // Every deadline is the same wait after its close: they come in order.
    let mut due: VecDeque<Closing> = VecDeque::new();
    loop {
        let next = match due.front() {
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some((at, _)) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
        };
        let gone = match next {
            Ok(closing) => {
                due.push_back(closing);
                false
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => true,
        };
        let now = Instant::now();
        while let Some((at, stream)) = due.front() {
            if !gone && *at > now {
                break;
            }
            if let Some(stream) = stream.upgrade() {
                let _ = stream.shutdown(Shutdown::Both);
            }
            due.pop_front();
        }
        if gone {
            return;
        }
    }
}

pub(super) fn is_io_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::net::TcpListener;

    use super::*;

    /// A connected pair on 127.0.0.1: the client's end, and the server's as a socket's
    /// thread sets it up, attached to a new [`Out`].
    fn pair(closer: Sender<Closing>) -> (TcpStream, Arc<TcpStream>, Arc<Mutex<Out>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let server = Arc::new(listener.accept().unwrap().0);
        server.set_write_timeout(Some(TRY_WRITE)).unwrap();
        let out = Arc::new(Mutex::new(Out::new(Duration::from_secs(5), closer)));
        assert!(attach(&out, &server));
        (client, server, out)
    }

    #[test]
    fn what_the_kernel_does_not_take_at_once_is_written_as_the_client_reads() {
        let (mut client, _server, out) = pair(channel().0);
        // Frames of 256 KiB, numbered, queued while the client reads nothing, until one is
        // left pending: the kernel's buffers are full. Bounded far past what they hold.
        const FRAME: usize = 256 * 1024;
        let mut sent = 0u8;
        while lock_out(&out).pending.is_empty() && sent < u8::MAX {
            assert!(queue_data(&out, vec![sent; FRAME], FRAME));
            sent += 1;
        }
        assert!(
            !lock_out(&out).pending.is_empty(),
            "{sent} frames all taken"
        );
        let mut got = vec![0u8; usize::from(sent) * FRAME];
        client.read_exact(&mut got).unwrap();
        for (i, frame) in got.chunks(FRAME).enumerate() {
            assert!(frame.iter().all(|&b| usize::from(b) == i), "frame {i}");
        }
        assert_eq!(lock_out(&out).queued, 0);
    }

    #[test]
    fn a_close_the_client_never_answers_is_followed_by_the_connection_s_end() {
        let (mut client, _server, out) = pair(start_closer());
        let close = vec![0x88, 0x02, 0x03, 0xe8];
        assert!(queue_close(&out, close.clone()));
        assert!(lock_out(&out).close_sent);
        // Nothing follows the close, and the closing thread shuts the connection.
        assert!(queue_data(&out, b"late".to_vec(), 4));
        let mut got = Vec::new();
        client.read_to_end(&mut got).unwrap();
        assert_eq!(got, close);
    }
}
