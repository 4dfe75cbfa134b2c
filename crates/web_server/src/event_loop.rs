//! Many connections on a few threads.
//!
//! The lab's server accepts a connection, serves it and closes it, one at a
//! time; `socketserver.ThreadingTCPServer` (and `harness::server::serve`)
//! gives every connection a thread of its own. That is the clearest way,
//! but a web server's connections spend most of their life idle between
//! requests (keep-alive), and a thread per connection means a thread asleep
//! for each of them and a switch from thread to thread for every request.
//!
//! So here, as in nginx: the main thread runs the lab's accept loop and
//! hands each connection to one of a few *workers* (one per CPU), in turn.
//! A worker keeps its connections' sockets non-blocking, registered with a
//! [`mio::Poll`] (epoll on Linux), and sleeps in [`Poll::poll`] until one of
//! them is ready; it then lets each ready [`Connection`] do all it can
//! without waiting (first every one reads, then every one answers), and
//! goes back to sleep. Every [`TICK`] it also looks for
//! connections whose deadline has passed (idle, slow heads, clients that
//! stopped reading). Five hundred idle keep-alive connections cost five
//! hundred entries in a map, not five hundred threads.
//!
//! A connection over `--max-connections` is handed to a worker too, to be
//! sent `503 Service Unavailable` and closed like any other refusal: the
//! worker reads and drops the request the client already sent before it
//! closes, or the kernel would answer that request with a reset, which can
//! reach the client before it has read the 503. (A flood of more than
//! [`MAX_REFUSING`] at once gets the 503 from the accept loop and an
//! immediate close.)
//!
//! Ctrl-C: the accept loop stops, each worker closes its idle connections,
//! lets the ones in the middle of a request finish (for at most
//! [`DRAIN_TIMEOUT`]) and returns what it counted.

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use harness::log;
use harness::server::{self, Summary, DRAIN_TIMEOUT, ERROR_PAUSE};
use mio::{Events, Interest, Poll, Token, Waker};

use crate::connection::{Connection, Next, Shared};

/// How often a worker looks for connections past their deadline.
pub const TICK: Duration = Duration::from_millis(100);

/// The token of a worker's waker (connections count from 1).
const WAKE: Token = Token(0);

/// Refused connections being sent their 503 and closed at once, at most;
/// beyond that, the accept loop writes the 503 and closes straight away.
pub const MAX_REFUSING: usize = 256;

/// Serves the connections `listener` accepts with one worker per CPU until
/// Ctrl-C, at most `max_connections` at once; the next one gets `busy`.
pub fn serve(
    listener: &TcpListener,
    shared: &Arc<Shared>,
    max_connections: usize,
    busy: &[u8],
) -> io::Result<Summary> {
    let count = thread::available_parallelism().map_or(2, |n| n.get());
    let counts = Arc::new(Counts::default());
    let busy: Arc<[u8]> = Arc::from(busy);
    let workers = (0..count)
        .map(|n| {
            Worker::start(
                n,
                Arc::clone(shared),
                Arc::clone(&counts),
                Arc::clone(&busy),
            )
        })
        .collect::<io::Result<Vec<_>>>()?;
    let mut summary = Summary::default();

    // The lab's `while True: connectionSocket, addr = serverSocket.accept()`.
    for (turn, (stream, peer)) in server::accepted(listener, &shared.stop).enumerate() {
        let worker = &workers[turn % workers.len()];
        if counts.live.load(Ordering::Relaxed) >= max_connections {
            summary.refused += 1;
            if counts.refusing.load(Ordering::Relaxed) >= MAX_REFUSING {
                server::refuse(stream, peer, &busy); // a flood: no time to be polite
                continue;
            }
            log!("{peer} refused: server full");
            counts.refusing.fetch_add(1, Ordering::Relaxed);
            worker.hand_over(stream, peer, Welcome::Refuse);
            continue;
        }
        counts.live.fetch_add(1, Ordering::Relaxed);
        worker.hand_over(stream, peer, Welcome::Serve);
        summary.served += 1;
    }

    for worker in &workers {
        worker.finish();
    }
    for worker in workers {
        let tally = worker.join();
        summary.abandoned += tally.abandoned;
        summary.panicked += tally.panicked;
    }
    Ok(summary)
}

/// Connections in the workers' hands, by kind.
#[derive(Debug, Default)]
struct Counts {
    /// Being served: what `--max-connections` limits.
    live: AtomicUsize,
    /// Refused, being sent their 503.
    refusing: AtomicUsize,
}

impl Counts {
    fn of(&self, welcome: Welcome) -> &AtomicUsize {
        match welcome {
            Welcome::Serve => &self.live,
            Welcome::Refuse => &self.refusing,
        }
    }
}

/// What a worker is to do with a connection handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Welcome {
    Serve,
    /// Send it the 503 and close it.
    Refuse,
}

/// What a worker counted by the time it stopped.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    /// Connections still in the middle of a request at the end of the drain.
    abandoned: usize,
    /// Connections ended by a bug (a panic) instead of a response.
    panicked: u64,
}

/// The accept loop's side of a worker.
struct Worker {
    inbox: Arc<Inbox>,
    thread: JoinHandle<Tally>,
}

/// Where the accept loop leaves connections for a worker.
struct Inbox {
    arrived: Mutex<Vec<(std::net::TcpStream, SocketAddr, Welcome)>>,
    /// Set when the server stops accepting.
    finishing: AtomicBool,
    waker: Waker,
}

impl Worker {
    fn start(
        number: usize,
        shared: Arc<Shared>,
        counts: Arc<Counts>,
        busy: Arc<[u8]>,
    ) -> io::Result<Worker> {
        let poll = Poll::new()?;
        let inbox = Arc::new(Inbox {
            arrived: Mutex::new(Vec::new()),
            finishing: AtomicBool::new(false),
            waker: Waker::new(poll.registry(), WAKE)?,
        });
        let thread = {
            let inbox = Arc::clone(&inbox);
            thread::Builder::new()
                .name(format!("worker {number}"))
                .spawn(move || {
                    let mut worker = Connections {
                        poll,
                        open: HashMap::new(),
                        next_token: 1,
                        shared,
                        counts,
                        busy,
                        tally: Tally::default(),
                    };
                    worker.run(&inbox);
                    worker.tally
                })?
        };
        Ok(Worker { inbox, thread })
    }

    /// Gives the worker a connection just accepted.
    fn hand_over(&self, stream: std::net::TcpStream, peer: SocketAddr, welcome: Welcome) {
        self.inbox
            .arrived
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((stream, peer, welcome));
        self.wake();
    }

    /// Tells the worker that no more connections will come.
    fn finish(&self) {
        self.inbox.finishing.store(true, Ordering::Relaxed);
        self.wake();
    }

    fn wake(&self) {
        if let Err(e) = self.inbox.waker.wake() {
            log!("cannot wake a worker: {}", harness::cli::describe(&e));
        }
    }

    fn join(self) -> Tally {
        self.thread.join().unwrap_or_else(|_| {
            log!("a worker thread panicked");
            Tally::default()
        })
    }
}

/// A worker's own side: its poll and the connections registered with it.
struct Connections {
    poll: Poll,
    open: HashMap<Token, Connection>,
    next_token: usize,
    shared: Arc<Shared>,
    /// Connections open in the whole server (the accept loop's limit).
    counts: Arc<Counts>,
    /// The 503 response for a connection over the limit.
    busy: Arc<[u8]>,
    tally: Tally,
}

impl Connections {
    fn run(&mut self, inbox: &Inbox) {
        let mut events = Events::with_capacity(256);
        let mut next_sweep = Instant::now() + TICK;
        let mut drain_until = None;
        loop {
            if let Err(e) = self.poll.poll(&mut events, Some(TICK)) {
                if e.kind() != io::ErrorKind::Interrupted {
                    log!("worker: poll failed: {}", harness::cli::describe(&e));
                    thread::sleep(ERROR_PAUSE);
                }
            }
            // Every request of the round is read before any is answered:
            // a file the first of them finds unchanged is then known
            // unchanged for the others, with one `stat` (cache.rs).
            for event in events.iter() {
                if event.token() == WAKE {
                    continue;
                }
                // A hang-up or an error is read to the end: the client's
                // FIN may be queued behind its last request.
                if event.is_read_closed() || event.is_error() {
                    self.step(event.token(), Connection::take_in_to_end);
                } else {
                    self.step(event.token(), Connection::take_in);
                }
            }
            for event in events.iter() {
                if event.token() != WAKE {
                    self.step(event.token(), Connection::answer);
                }
            }
            self.welcome(inbox);

            let now = Instant::now();
            if now >= next_sweep {
                let expired: Vec<Token> = self
                    .open
                    .iter()
                    .filter(|(_, connection)| connection.deadline() <= now)
                    .map(|(&token, _)| token)
                    .collect();
                for token in expired {
                    self.step(token, Connection::time_out);
                }
                next_sweep = now + TICK;
            }

            if inbox.finishing.load(Ordering::Relaxed) {
                let until = *drain_until.get_or_insert(now + DRAIN_TIMEOUT);
                let idle: Vec<Token> = self
                    .open
                    .iter()
                    .filter(|(_, connection)| connection.is_idle())
                    .map(|(&token, _)| token)
                    .collect();
                for token in idle {
                    self.close(token);
                }
                if self.open.is_empty() && self.arrivals_done(inbox) {
                    return;
                }
                if now >= until {
                    self.tally.abandoned = self.open.len();
                    return;
                }
            }
        }
    }

    /// Registers the connections the accept loop handed over.
    fn welcome(&mut self, inbox: &Inbox) {
        let arrived =
            std::mem::take(&mut *inbox.arrived.lock().unwrap_or_else(PoisonError::into_inner));
        for (stream, peer, welcome) in arrived {
            let token = Token(self.next_token);
            self.next_token += 1;
            let config = &self.shared.config;
            let registered = stream
                .set_nonblocking(true)
                .map(|()| mio::net::TcpStream::from_std(stream))
                .and_then(|stream| match welcome {
                    Welcome::Serve => Connection::new(stream, peer, config),
                    Welcome::Refuse => Connection::refused(stream, peer, &self.busy, config),
                })
                .and_then(|mut connection| {
                    self.poll.registry().register(
                        connection.stream_mut(),
                        token,
                        Interest::READABLE | Interest::WRITABLE,
                    )?;
                    Ok(connection)
                });
            match registered {
                Ok(connection) => {
                    self.open.insert(token, connection);
                }
                Err(_) => {
                    // The client is already gone (or the system is out of
                    // descriptors): the socket was closed.
                    self.counts.of(welcome).fetch_sub(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// Nothing is left in the inbox (the accept loop has stopped handing
    /// connections over by the time `finishing` is set).
    fn arrivals_done(&self, inbox: &Inbox) -> bool {
        inbox
            .arrived
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    /// Runs one step of a connection; closes it when it is done, or if the
    /// step panicked (a bug: it costs only that connection).
    fn step(&mut self, token: Token, action: fn(&mut Connection, &Shared) -> Next) {
        let Some(connection) = self.open.get_mut(&token) else {
            return; // closed earlier in this round
        };
        let shared = &self.shared;
        match panic::catch_unwind(AssertUnwindSafe(|| action(connection, shared))) {
            Ok(Next::Wait) => {}
            Ok(Next::Close) => self.close(token),
            Err(_) => {
                log!(
                    "{} connection panicked; the server goes on",
                    connection.peer()
                );
                self.tally.panicked += 1;
                self.close(token);
            }
        }
    }

    /// Drops a connection, which closes its socket (and so takes it out of
    /// the poll).
    fn close(&mut self, token: Token) {
        if let Some(connection) = self.open.remove(&token) {
            let welcome = if connection.over_limit() {
                Welcome::Refuse
            } else {
                Welcome::Serve
            };
            self.counts.of(welcome).fetch_sub(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpStream};

    use harness::stop::Stop;

    use crate::connection::Config;
    use crate::site::Site;

    const HELLO: &[u8] = b"hello, world\n";
    const GET: &[u8] = b"GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n";
    const WAIT: Duration = Duration::from_secs(20);

    /// The event loop on a free loopback port, serving a one-file site with
    /// a 15 s idle timeout; stopped by [`finish`].
    struct Running {
        addr: SocketAddr,
        stop: Stop,
        thread: JoinHandle<io::Result<Summary>>,
        _root: tempfile::TempDir,
    }

    fn start() -> Running {
        let root = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(root.path().join("hello.txt"), HELLO).expect("write the file");
        let site = Site::new(root.path()).expect("the site");
        let config = Config {
            idle_timeout: Duration::from_secs(15),
            header_timeout: Duration::from_secs(10),
            max_requests: 1000,
            access_log: false,
            trace: false,
        };
        let stop = Stop::new();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        stop.wake_on_trigger(&listener).expect("wake on stop");
        let addr = listener.local_addr().expect("its address");
        let shared = Arc::new(Shared::new(site, config, stop.clone()));
        let thread = thread::spawn(move || serve(&listener, &shared, 64, b"busy"));
        Running {
            addr,
            stop,
            thread,
            _root: root,
        }
    }

    fn finish(running: Running) {
        running.stop.trigger();
        let summary = running.thread.join().expect("no panic").expect("served");
        assert_eq!(summary.panicked, 0);
    }

    fn connect(addr: SocketAddr) -> TcpStream {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        stream.set_read_timeout(Some(WAIT)).expect("read timeout");
        stream
    }

    /// Reads one whole response (head and `Content-Length` body) and
    /// returns its body; `got` keeps what came after it.
    fn read_body(stream: &mut TcpStream, got: &mut Vec<u8>) -> Vec<u8> {
        let mut buf = [0; 4096];
        loop {
            if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
                assert!(head.starts_with("http/1.1 200 ok"), "{head}");
                let length: usize = head
                    .split("content-length: ")
                    .nth(1)
                    .and_then(|rest| rest.split("\r\n").next())
                    .and_then(|n| n.parse().ok())
                    .expect("a Content-Length");
                if got.len() >= end + 4 + length {
                    let body = got[end + 4..end + 4 + length].to_vec();
                    got.drain(..end + 4 + length);
                    return body;
                }
            }
            let n = stream.read(&mut buf).expect("the response");
            assert!(n > 0, "closed in the middle of a response: {got:?}");
            got.extend_from_slice(&buf[..n]);
        }
    }

    /// Reads until the server closes the connection (end of stream, with
    /// nothing more sent: a timeout fails the test); the time since `since`.
    fn closes(stream: &mut TcpStream, since: Instant) -> Duration {
        let mut rest = Vec::new();
        stream
            .read_to_end(&mut rest)
            .expect("end of stream, not a timeout");
        assert!(rest.is_empty(), "more than one response: {rest:?}");
        since.elapsed()
    }

    /// A read shorter than its buffer ends a turn only for an event without
    /// a hang-up: a FIN that comes with the request, or after the response,
    /// is still seen at once (not after the 15 s idle timeout).
    #[test]
    fn a_client_that_half_closes_is_answered_and_closed_at_once() {
        let running = start();
        for fin_with_request in [true, false] {
            let started = Instant::now();
            let mut stream = connect(running.addr);
            let mut got = Vec::new();
            stream.write_all(GET).expect("send");
            if fin_with_request {
                stream.shutdown(Shutdown::Write).expect("half-close");
                assert_eq!(read_body(&mut stream, &mut got), HELLO);
            } else {
                assert_eq!(read_body(&mut stream, &mut got), HELLO);
                thread::sleep(Duration::from_millis(200));
                stream.shutdown(Shutdown::Write).expect("half-close");
            }
            let took = closes(&mut stream, started);
            assert!(took < Duration::from_secs(5), "closed after {took:?}");
        }
        finish(running);
    }

    /// A head in two writes (split inside its blank line) is answered once,
    /// when whole; a request pipelined behind it too; then the next.
    #[test]
    fn a_head_in_two_writes_is_answered_once() {
        let running = start();
        let mut stream = connect(running.addr);
        let mut got = Vec::new();
        let (first, rest) = GET.split_at(GET.len() - 1);
        stream.write_all(first).expect("send the start");
        thread::sleep(Duration::from_millis(200));
        stream
            .write_all(&[rest, GET].concat())
            .expect("send the rest");
        assert_eq!(read_body(&mut stream, &mut got), HELLO);
        assert_eq!(read_body(&mut stream, &mut got), HELLO);
        stream.write_all(GET).expect("send a third");
        assert_eq!(read_body(&mut stream, &mut got), HELLO);
        stream.shutdown(Shutdown::Write).expect("half-close");
        assert!(
            got.is_empty(),
            "more than one response per request: {got:?}"
        );
        assert!(closes(&mut stream, Instant::now()) < Duration::from_secs(5));
        finish(running);
    }
}
