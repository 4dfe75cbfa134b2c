//! A thread-per-client TCP server: the Rust counterpart of Python's
//! `socketserver.ThreadingTCPServer`.
//!
//! The lesson hands `ThreadingTCPServer` a handler and calls
//! `serve_forever()`; each client gets a thread that runs the handler. This
//! does the same, plus what a server facing real clients needs:
//!
//! * at most `max_clients` threads: a client over the limit gets a one-line
//!   refusal and is closed, so a flood of connections cannot exhaust threads;
//! * a panic in one client's thread is caught and logged, and costs only that
//!   client;
//! * on [`Stop`], no new clients are accepted, the clients in flight
//!   finish what they are doing, and [`serve`] returns a [`Summary`].

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::ops::Deref;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use crate::cli::describe;
use crate::stop::{Stop, Tracked};

/// How long [`serve`] waits for clients in flight after a shutdown.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a failed `accept()` (out of file descriptors, say) or `recvfrom()`
/// pauses its loop, so a persistent error does not spin a core.
pub const ERROR_PAUSE: Duration = Duration::from_millis(100);

/// How many clients a [`serve`] run takes at once, and what the next one hears.
#[derive(Debug, Clone)]
pub struct Capacity {
    /// Most clients served at once.
    pub max_clients: usize,
    /// What a client over the limit is sent before it is closed: a line,
    /// or a reply in the lesson's own protocol (a JSON header frame).
    pub busy_message: Vec<u8>,
}

impl Capacity {
    /// At most `max_clients` at once, with the standard refusal line.
    pub fn max_clients(max_clients: usize) -> Self {
        Capacity {
            max_clients,
            busy_message: format!(
                "server busy: {max_clients} clients already connected, try again later\n"
            )
            .into_bytes(),
        }
    }
}

/// What a [`serve`] run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Clients handed to the handler.
    pub served: u64,
    /// Clients refused because `max_clients` were already connected.
    pub refused: u64,
    /// Client threads that panicked (and were contained).
    pub panicked: u64,
    /// Clients still running when the drain timeout ran out.
    pub abandoned: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.served == 1 { "" } else { "s" };
        write!(f, "served {} client{plural}", self.served)?;
        if self.refused > 0 {
            write!(f, ", refused {} (server full)", self.refused)?;
        }
        if self.panicked > 0 {
            write!(f, ", {} connection thread(s) panicked", self.panicked)?;
        }
        if self.abandoned > 0 {
            write!(f, ", {} still running at exit", self.abandoned)?;
        }
        Ok(())
    }
}

/// Counts the clients in flight, and lets the accept loop wait for zero.
#[derive(Debug, Default)]
struct Active {
    count: Mutex<usize>,
    changed: Condvar,
}

/// One client's place in [`Active`]; released on drop, even by a panic.
struct Slot(Arc<Active>);

impl Drop for Slot {
    fn drop(&mut self) {
        let mut count = self.0.count.lock().unwrap_or_else(PoisonError::into_inner);
        *count -= 1;
        self.0.changed.notify_all();
    }
}

impl Active {
    /// Takes a slot if fewer than `max` are taken.
    fn try_take(self: &Arc<Self>, max: usize) -> Option<Slot> {
        let mut count = self.count.lock().unwrap_or_else(PoisonError::into_inner);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Slot(Arc::clone(self)))
    }

    /// Waits up to `timeout` for every slot to be released; returns how
    /// many are still taken.
    fn wait_for_zero(&self, timeout: Duration) -> usize {
        let count = self.count.lock().unwrap_or_else(PoisonError::into_inner);
        let (count, _) = self
            .changed
            .wait_timeout_while(count, timeout, |count| *count > 0)
            .unwrap_or_else(PoisonError::into_inner);
        *count
    }
}

/// Accepts clients on `listener` until `stop`, running `handler` for
/// each on a thread of its own, within `capacity`.
///
/// `serve` registers each client with `stop`, so a stop ends its
/// reads; the handler should treat the end of the stream as the end of the
/// conversation.
pub fn serve<H>(listener: &TcpListener, stop: &Stop, capacity: &Capacity, handler: H) -> Summary
where
    H: Fn(TcpStream, SocketAddr) + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    let active = Arc::new(Active::default());
    let mut summary = Summary::default();
    let panicked = Arc::new(AtomicU64::new(0));

    for (conn, addr) in connections(listener, stop) {
        let Some(slot) = active.try_take(capacity.max_clients) else {
            refuse(conn.stream, addr, &capacity.busy_message);
            summary.refused += 1;
            continue;
        };
        let handler = Arc::clone(&handler);
        let panicked = Arc::clone(&panicked);
        let spawned = thread::Builder::new()
            .name(format!("client {addr}"))
            .spawn(move || {
                let _slot = slot;
                let Conn { stream, _tracked } = conn;
                let run = panic::catch_unwind(AssertUnwindSafe(|| handler(stream, addr)));
                if run.is_err() {
                    panicked.fetch_add(1, Ordering::Relaxed);
                    crate::log!("{addr} connection thread panicked; the server goes on");
                }
            });
        match spawned {
            Ok(_) => summary.served += 1,
            Err(e) => crate::log!("{addr} dropped: cannot start a thread: {e}"),
        }
    }

    summary.abandoned = active.wait_for_zero(DRAIN_TIMEOUT);
    summary.panicked = panicked.load(Ordering::Relaxed);
    summary
}

/// The connection loop, `while True: conn, addr = s.accept()`, as an
/// iterator: `for (conn, addr) in connections(&listener, &stop) { ... }`.
///
/// It ends when `stop` is triggered (Ctrl-C wakes the blocked `accept()`).
/// What a real server must also do is hidden here: a failed `accept()` (out
/// of file descriptors, say) is logged and retried after
/// [`ERROR_PAUSE`], so a persistent error does not spin a core; a
/// client that reset before its address could be read is skipped; and each
/// connection is registered with `stop` for as long as its [`Conn`] lives,
/// so Ctrl-C ends its reads too.
pub fn connections<'a>(
    listener: &'a TcpListener,
    stop: &'a Stop,
) -> impl Iterator<Item = (Conn, SocketAddr)> + 'a {
    accepted(listener, stop).filter_map(move |(stream, peer)| match stop.track(&stream) {
        Ok(tracked) => Some((
            Conn {
                stream,
                _tracked: tracked,
            },
            peer,
        )),
        Err(e) => {
            crate::log!("{peer} dropped: {}", describe(&e));
            None
        }
    })
}

/// [`connections`] without the registration with `stop`: for a server
/// that ends its connections itself (an event loop, which hands each one
/// to a worker and lets a request in flight finish at Ctrl-C). The same
/// policy: the loop ends on Ctrl-C, a failed `accept` is logged and
/// retried after [`ERROR_PAUSE`], a client that reset at once is skipped.
pub fn accepted<'a>(
    listener: &'a TcpListener,
    stop: &'a Stop,
) -> impl Iterator<Item = (TcpStream, SocketAddr)> + 'a {
    listener
        .incoming()
        .take_while(move |_| !stop.requested()) // Ctrl-C's wake-up connection
        .filter_map(move |incoming| match incoming {
            Ok(stream) => {
                let peer = stream.peer_addr().ok()?; // the client already reset
                Some((stream, peer))
            }
            Err(e) => {
                crate::log!("accept failed: {}", describe(&e));
                thread::sleep(ERROR_PAUSE);
                None
            }
        })
}

/// An accepted connection: the `conn` of `conn, addr = s.accept()`. It reads
/// and writes as a [`TcpStream`] (and derefs to one); while it lives, a
/// [`Stop`] ends its reads.
#[derive(Debug)]
pub struct Conn {
    stream: TcpStream,
    _tracked: Tracked,
}

impl Deref for Conn {
    type Target = TcpStream;
    fn deref(&self) -> &TcpStream {
        &self.stream
    }
}

impl Read for &Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.stream).read(buf)
    }
}

impl Write for &Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&self.stream).write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        (&self.stream).flush()
    }
}

/// Sends the busy line and closes, without letting a client that does not
/// read hold up the accept loop.
pub fn refuse(mut stream: TcpStream, peer: SocketAddr, message: &[u8]) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = stream.write_all(message);
    crate::log!("{peer} refused: server full");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn start<H>(limits: Capacity, handler: H) -> (SocketAddr, Stop, thread::JoinHandle<Summary>)
    where
        H: Fn(TcpStream, SocketAddr) + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let addr = listener.local_addr().expect("bound");
        let shutdown = Stop::new();
        shutdown.wake_on_trigger(&listener).expect("local addr");
        let server = {
            let shutdown = shutdown.clone();
            thread::spawn(move || serve(&listener, &shutdown, &limits, handler))
        };
        (addr, shutdown, server)
    }

    /// Echoes until the peer closes; panics on the message "panic".
    fn echo(mut stream: TcpStream, _peer: SocketAddr) {
        let mut buf = [0; 64];
        loop {
            let n = stream.read(&mut buf).expect("read");
            if n == 0 {
                return;
            }
            assert_ne!(&buf[..n], b"panic", "this handler panics on purpose");
            stream.write_all(&buf[..n]).expect("write");
        }
    }

    fn round_trip(addr: SocketAddr, message: &[u8]) -> Vec<u8> {
        let mut client = TcpStream::connect(addr).expect("connect");
        client.write_all(message).expect("send");
        let mut reply = vec![0; message.len()];
        client.read_exact(&mut reply).expect("echo");
        reply
    }

    #[test]
    fn a_panicking_handler_costs_only_its_client() {
        let (addr, shutdown, server) = start(Capacity::max_clients(4), echo);
        let mut doomed = TcpStream::connect(addr).expect("connect");
        doomed.write_all(b"panic").expect("send");
        assert_eq!(doomed.read(&mut [0; 8]).expect("closed by the panic"), 0);
        assert_eq!(round_trip(addr, b"still here"), b"still here");
        shutdown.trigger();
        let summary = server.join().expect("server thread");
        assert_eq!(summary.panicked, 1);
        assert_eq!(summary.served, 2);
    }

    #[test]
    fn clients_over_the_limit_are_refused_with_a_line() {
        let (addr, shutdown, server) = start(Capacity::max_clients(1), echo);
        let mut first = TcpStream::connect(addr).expect("connect");
        first.write_all(b"hi").expect("send");
        first
            .read_exact(&mut [0; 2])
            .expect("first is being served");

        let mut second = TcpStream::connect(addr).expect("connect");
        let mut refusal = String::new();
        second
            .read_to_string(&mut refusal)
            .expect("refusal, then close");
        assert_eq!(
            refusal,
            "server busy: 1 clients already connected, try again later\n"
        );

        drop(first);
        shutdown.trigger();
        let summary = server.join().expect("server thread");
        assert_eq!((summary.served, summary.refused), (1, 1));
    }

    #[test]
    fn shutdown_lets_clients_in_flight_finish() {
        let (addr, shutdown, server) = start(Capacity::max_clients(4), echo);
        let mut client = TcpStream::connect(addr).expect("connect");
        client.write_all(b"x").expect("send");
        client.read_exact(&mut [0; 1]).expect("served");
        shutdown.trigger();
        // The handler saw the end of its stream and returned: the server
        // waited for it and reports nothing abandoned.
        let summary = server.join().expect("server thread");
        assert_eq!(summary.abandoned, 0);
        assert_eq!(summary.to_string(), "served 1 client");
    }
}
