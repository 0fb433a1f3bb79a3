//! The accept loop of the test servers that serve until stopped: a thread per connection.
//!
//! [`Server::finish`] (or dropping the server) marks it as stopping, connects to it once to
//! wake the blocked `accept`, names that wake-up connection through a channel, shuts every
//! connection still open down (so handlers blocked in a read return), and joins every
//! thread. Connections already waiting in the backlog when the stop comes are still handed
//! to the handler: `accept` takes them in order, before the wake-up call, so a test that
//! connects and then stops the server sees its connection counted.

use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How long the accept loop waits for the name of the wake-up connection: `stop` sends it
/// right after its connect returns, so this is a safety net only.
const WAKE_PATIENCE: Duration = Duration::from_secs(5);
/// The pauses after a failed `accept`, doubling from the first to the last: retrying at
/// once (out of descriptors, say) would spin through the bound in an instant and leave
/// later clients unanswered.
const ACCEPT_PAUSE_MIN: Duration = Duration::from_millis(1);
const ACCEPT_PAUSE_MAX: Duration = Duration::from_millis(100);
/// Failed `accept`s in a row after which the server takes no more connections (some ten
/// seconds of pauses).
const MAX_ACCEPT_FAILURES: usize = 100;

/// Handles one connection: its 0-based index in accept order, the stream, and the flag
/// that says the server is stopping.
type Handler<R> = dyn Fn(usize, TcpStream, &AtomicBool) -> R + Send + Sync;

/// A running server; `R` is what each connection's handler returns.
pub struct Server<R> {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
    wake_tx: Option<Sender<SocketAddr>>,
    thread: Option<JoinHandle<Vec<thread::Result<R>>>>,
}

impl<R: Send + 'static> Server<R> {
    /// Binds 127.0.0.1:0 and hands each of at most `max_connections` connections to
    /// `handler` on a thread of its own. Past the bound it accepts no more, and waits to be
    /// stopped.
    pub fn start(
        name: &str,
        max_connections: usize,
        handler: impl Fn(usize, TcpStream, &AtomicBool) -> R + Send + Sync + 'static,
    ) -> Server<R> {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let stopping = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let (wake_tx, wake_rx) = mpsc::channel();
        let handler: Arc<Handler<R>> = Arc::new(handler);
        let thread = {
            let stopping = Arc::clone(&stopping);
            let accepted = Arc::clone(&accepted);
            let name = format!("{name}-{}", addr.port());
            thread::Builder::new()
                .name(name.clone())
                .spawn(move || {
                    let accept = Accept {
                        listener: &listener,
                        stopping,
                        accepted: &accepted,
                        wake_rx: &wake_rx,
                        max_connections,
                    };
                    accept.serve(&name, &handler)
                })
                .expect("spawn server thread")
        };
        Server {
            addr,
            stopping,
            accepted,
            wake_tx: Some(wake_tx),
            thread: Some(thread),
        }
    }

    /// What each connection's handler returned, in accept order; a handler's panic is
    /// raised here.
    pub fn finish(mut self) -> Vec<R> {
        let results = match self.stop() {
            Some(Ok(results)) => results,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => unreachable!("finish runs once"),
        };
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    }
}

impl<R> Server<R> {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Connections handed to the handler so far (the wake-up call of a stop not included).
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    fn stop(&mut self) -> Option<thread::Result<Vec<thread::Result<R>>>> {
        let thread = self.thread.take()?;
        self.stopping.store(true, Ordering::SeqCst);
        let wake = TcpStream::connect(self.addr).ok();
        if let Some(tx) = self.wake_tx.take() {
            if let Some(local) = wake.as_ref().and_then(|w| w.local_addr().ok()) {
                let _ = tx.send(local);
            }
            // Dropped, so that a loop waiting for a stop that could not connect ends too.
            drop(tx);
        }
        // If the thread already ended (it panicked), the connect or the send failed; join
        // tells why. The wake-up connection stays open until the server has seen it.
        let result = thread.join();
        drop(wake);
        Some(result)
    }
}

impl<R> Drop for Server<R> {
    fn drop(&mut self) {
        // A test that did not call finish (it failed early, say) must not leak the thread.
        let _ = self.stop();
    }
}

/// The accept loop's view of its server.
struct Accept<'a> {
    listener: &'a TcpListener,
    stopping: Arc<AtomicBool>,
    accepted: &'a AtomicUsize,
    wake_rx: &'a Receiver<SocketAddr>,
    max_connections: usize,
}

/// A clone of each connection still being handled, to shut it down on stop. A handler's
/// own stream closes when it returns: its clone is dropped then too, so that a handler that
/// drops its stream with bytes unread still makes the kernel reset the connection.
type Open = Mutex<Vec<Option<TcpStream>>>;

impl Accept<'_> {
    fn serve<R: Send + 'static>(
        &self,
        name: &str,
        handler: &Arc<Handler<R>>,
    ) -> Vec<thread::Result<R>> {
        let open: Arc<Open> = Arc::new(Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        let mut woken = false;
        let mut wake: Option<SocketAddr> = None;
        let mut pause = ACCEPT_PAUSE_MIN;
        let mut failures = 0;
        while handles.len() < self.max_connections && failures < MAX_ACCEPT_FAILURES {
            let (stream, peer) = match self.listener.accept() {
                Ok(accepted) => accepted,
                Err(_) if self.stopping.load(Ordering::SeqCst) => {
                    woken = true;
                    break;
                }
                Err(_) => {
                    failures += 1;
                    thread::sleep(pause);
                    pause = (pause * 2).min(ACCEPT_PAUSE_MAX);
                    continue;
                }
            };
            (pause, failures) = (ACCEPT_PAUSE_MIN, 0);
            if self.stopping.load(Ordering::SeqCst) {
                if wake.is_none() {
                    wake = self.wake_rx.recv_timeout(WAKE_PATIENCE).ok();
                }
                if wake == Some(peer) {
                    woken = true;
                    break;
                }
            }
            let index = handles.len();
            lock(&open).push(stream.try_clone().ok());
            self.accepted.fetch_add(1, Ordering::SeqCst);
            let handler = Arc::clone(handler);
            let open = Arc::clone(&open);
            let stopping = Arc::clone(&self.stopping);
            let handle = thread::Builder::new()
                .name(format!("{name}-conn-{index}"))
                .spawn(move || {
                    let result = handler(index, stream, &stopping);
                    lock(&open)[index] = None;
                    result
                })
                .expect("spawn connection thread");
            handles.push(handle);
        }
        if !woken {
            // A bound was reached: the connections go on until the server is stopped.
            let _ = self.wake_rx.recv();
        }
        for control in lock(&open).iter().flatten() {
            // Unblocks a handler waiting for bytes that will never come.
            let _ = control.shutdown(Shutdown::Both);
        }
        handles.into_iter().map(JoinHandle::join).collect()
    }
}

fn lock(open: &Open) -> std::sync::MutexGuard<'_, Vec<Option<TcpStream>>> {
    open.lock().unwrap_or_else(PoisonError::into_inner)
}
