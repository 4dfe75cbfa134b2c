//! One connection, from accept to close: the lab's `recv`, `open`, `send`,
//! `close`, as a loop that serves request after request (keep-alive) and
//! cannot be held, fooled or made to hoard memory by the client.
//!
//! A connection has no thread of its own: [`crate::event_loop`] keeps many
//! of them on each of a few threads and calls [`Connection::advance`]
//! whenever the socket may have become readable or writable (in two halves,
//! [`Connection::take_in`] and [`Connection::answer`], so that a round's
//! requests are all read before any is answered). So every read
//! and write here is non-blocking: where the lab's server would wait in
//! `recv` or `send`, a connection stops, remembers where it was (its
//! `Phase`), and the thread serves other connections meanwhile.
//!
//! This file is the phases, their deadlines and the decisions between them
//! (keep the connection, or close it); reading, answering and writing are
//! each in a file of their own:
//!
//! * Reading: `input.rs`, into a buffer of fixed size until a whole head is
//!   there (and no more than a head); bytes after the head (a pipelined
//!   request) stay in the buffer for the next turn.
//! * Answering: [`crate::respond`], from the request to the response, with
//!   no socket.
//! * Time: each phase has a deadline, checked by the event loop. Waiting
//!   for a request is limited by the idle timeout (then the connection is
//!   closed without a word); once its first byte has come, the whole head
//!   must arrive within the header timeout, a deadline for the head and not
//!   for each read, so a client sending one byte every few seconds is cut
//!   off (408); a response the client stops reading is given up after the
//!   idle timeout without progress.
//! * Writing: `output.rs`; the head and a small body (≤ 16 KiB) go out in
//!   one `write`, a bigger body from the file to the socket by
//!   `sendfile(2)`. Then a line in the access log (`access_log.rs`).
//! * Closing: a connection closes when the client asks (`Connection: close`,
//!   HTTP/1.0), after `--max-requests`, on Ctrl-C, after a request with a
//!   body (this server reads none, and the body must not be taken for the
//!   next request), and after an error that leaves the stream unreadable.
//!   The server then stops sending, reads and drops what the client is
//!   still sending for up to a second, and only then closes: closing a
//!   socket with unread data makes the kernel send a reset, which can
//!   destroy the last response before the client reads it.

use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::show::printable_text;
use common::trace::Traced;
use harness::stop::Stop;
use mio::net::TcpStream;

use crate::access_log;
use crate::cache::{FileCache, Moment};
use crate::input::{Filled, Input};
use crate::output::{Outgoing, Wire};
use crate::request::{self, Rejection, Version};
use crate::respond::{Outcome, Responder, Response, SMALL_BODY};
use crate::response::{Persistence, Status};
use crate::site::Site;

/// How long, and how much, a closing connection reads and drops.
const LINGER_TIME: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 1024 * 1024;

/// A read shorter than its buffer empties a stream socket's queue, and what
/// arrives after it is a new edge-triggered event: epoll(7) promises it.
const SHORT_READ_DRAINS: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// The settings of every connection.
#[derive(Debug, Clone)]
pub struct Config {
    /// Close a connection that sends no request, or reads none of a
    /// response, for this long.
    pub idle_timeout: Duration,
    /// The most a request head may take, from its first byte to its end.
    pub header_timeout: Duration,
    /// Requests served on one connection before it is closed.
    pub max_requests: u64,
    /// Print a line per request.
    pub access_log: bool,
    /// `--trace`: dump every send and receive.
    pub trace: bool,
}

/// What all connections share.
#[derive(Debug)]
pub struct Shared {
    pub site: Site,
    /// Files served recently, kept open (and small ones in memory).
    pub cache: FileCache,
    pub config: Config,
    pub stop: Stop,
    /// Responses sent, for the summary at the end.
    pub responses: AtomicU64,
}

impl Shared {
    /// What the connections to `site` share, with an empty cache.
    pub fn new(site: Site, config: Config, stop: Stop) -> Shared {
        Shared {
            site,
            cache: FileCache::new(SMALL_BODY),
            config,
            stop,
            responses: AtomicU64::new(0),
        }
    }
}

/// Where a connection is, and so what its deadline means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the first byte of a request (idle timeout).
    Waiting,
    /// Part of a request head is here (header timeout from its first byte).
    Reading,
    /// A response is going out (idle timeout from the last progress).
    Sending,
    /// The server is closing: sending is over, what still comes in is read
    /// and dropped ([`LINGER_TIME`]).
    Lingering,
}

/// What [`Connection::advance`] leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Waiting for the socket; call again when it is ready.
    Wait,
    /// Finished: drop the connection (which closes it).
    Close,
}

/// One client connection and everything it is in the middle of.
pub struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    input: Input,
    /// Whether a short read ends the reading for the event being answered
    /// (see [`Connection::advance`]).
    short_read_drains: bool,
    /// What [`Connection::take_in`] read, for [`Connection::answer`].
    taken: Option<Result<Filled, Rejection>>,
    /// All of `input` was read before this moment (for the cache).
    read_at: Moment,
    responder: Responder,
    /// The response being sent (while [`Phase::Sending`]).
    sending: Option<Sending>,
    /// Requests answered so far.
    served: u64,
    phase: Phase,
    deadline: Instant,
    /// Bytes dropped while lingering.
    dropped: usize,
    /// Refused: over `--max-connections`, only sent the 503.
    over_limit: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("peer", &self.peer)
            .field("phase", &self.phase)
            .field("served", &self.served)
            .finish_non_exhaustive()
    }
}

/// A response on its way out, and what to do once it is out.
struct Sending {
    out: Outgoing,
    outcome: Outcome,
    persistence: Persistence,
    /// Where the request ends in the input buffer (0 for a refusal, which
    /// always closes the connection).
    consumed: usize,
    /// The request line for the access log (escaped), when there is a log.
    log_line: Option<String>,
}

impl Connection {
    /// A connection just accepted, waiting for its first request.
    /// `TCP_NODELAY` is set: Nagle's algorithm would hold back the last
    /// small segment of a response until the client's delayed ACK, 40 ms
    /// per request.
    pub fn new(stream: TcpStream, peer: SocketAddr, config: &Config) -> io::Result<Connection> {
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            peer,
            input: Input::default(),
            short_read_drains: SHORT_READ_DRAINS,
            taken: None,
            read_at: Moment::default(),
            responder: Responder::new(peer),
            sending: None,
            served: 0,
            phase: Phase::Waiting,
            deadline: Instant::now() + config.idle_timeout,
            dropped: 0,
            over_limit: false,
        })
    }

    /// A connection over `--max-connections`: it is sent `busy` (the 503
    /// response) and closed the way every other refusal is, with a lingering
    /// close, so that the request the client already sent does not make the
    /// kernel answer with a reset that can destroy the 503 under it.
    pub fn refused(
        stream: TcpStream,
        peer: SocketAddr,
        busy: &[u8],
        config: &Config,
    ) -> io::Result<Connection> {
        let mut connection = Connection::new(stream, peer, config)?;
        connection.over_limit = true;
        let response = connection
            .responder
            .canned(busy, Status::ServiceUnavailable);
        connection.start_sending(response, Persistence::Close, 0, None, config);
        Ok(connection)
    }

    /// Made by [`Connection::refused`].
    pub fn over_limit(&self) -> bool {
        self.over_limit
    }

    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The socket, for registering it with the event loop.
    pub fn stream_mut(&mut self) -> &mut TcpStream {
        &mut self.stream
    }

    /// When the connection's present wait runs out.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Waiting for a request with nothing of it received: can be closed
    /// at shutdown without cutting anything off.
    pub fn is_idle(&self) -> bool {
        self.phase == Phase::Waiting && self.input.filled == 0
    }

    /// Does all that can be done now without waiting: reads requests,
    /// answers them, sends, lingers. For a readiness event that was not a
    /// hang-up or an error: a read that leaves the socket empty is the last
    /// until the next event (see `input.rs`).
    pub fn advance(&mut self, shared: &Shared) -> Next {
        self.take_in(shared);
        self.answer(shared)
    }

    /// [`Connection::advance`] for an event that says the client hung up
    /// (or the socket failed), or without an event: reads until the socket
    /// says `WouldBlock` or end of stream.
    pub fn advance_to_end(&mut self, shared: &Shared) -> Next {
        self.take_in_to_end(shared);
        self.answer(shared)
    }

    /// The first half of [`Connection::advance`]: reads what has arrived,
    /// if a request is awaited, and keeps it for [`Connection::answer`].
    /// Always [`Next::Wait`]: only answering can end a connection.
    pub fn take_in(&mut self, shared: &Shared) -> Next {
        self.take_in_reading(shared, SHORT_READ_DRAINS)
    }

    /// The first half of [`Connection::advance_to_end`].
    pub fn take_in_to_end(&mut self, shared: &Shared) -> Next {
        self.take_in_reading(shared, false)
    }

    fn take_in_reading(&mut self, shared: &Shared, short_read_drains: bool) -> Next {
        self.input.readable();
        self.short_read_drains = short_read_drains;
        self.taken = if matches!(self.phase, Phase::Waiting | Phase::Reading) {
            Some(self.read_head(shared))
        } else {
            None
        };
        Next::Wait
    }

    /// The second half: answers what was taken in, and goes on as far as
    /// it can without waiting (sends, reads the next request, lingers).
    pub fn answer(&mut self, shared: &Shared) -> Next {
        loop {
            let progress = match self.phase {
                Phase::Waiting | Phase::Reading => self.read_request(shared),
                Phase::Sending => self.send(shared),
                Phase::Lingering => self.linger(),
            };
            match progress {
                Progress::Moved => continue,
                Progress::Blocked => return Next::Wait,
                Progress::Done => return Next::Close,
            }
        }
    }

    /// The deadline has passed: a head that did not arrive in time gets a
    /// 408; everything else just ends.
    pub fn time_out(&mut self, shared: &Shared) -> Next {
        if self.phase != Phase::Reading {
            return Next::Close;
        }
        self.refuse(
            shared,
            Status::RequestTimeout,
            "The request head did not arrive in time (--header-timeout).",
        );
        self.advance_to_end(shared)
    }

    /// [`Input::read_head`], noting the moment after it if it read anything.
    fn read_head(&mut self, shared: &Shared) -> Result<Filled, Rejection> {
        let before = self.input.filled;
        let mut socket = Traced::new(&self.stream, self.peer, shared.config.trace);
        let filled = self.input.read_head(&mut socket, self.short_read_drains);
        if self.input.filled != before {
            self.read_at = shared.cache.moment();
        }
        filled
    }

    /// Reads until a whole head is here (starting from what
    /// [`Connection::take_in`] read), then makes its response.
    fn read_request(&mut self, shared: &Shared) -> Progress {
        let config = &shared.config;
        let read = match self.taken.take() {
            Some(taken) => taken,
            None => self.read_head(shared),
        };
        let span = match read {
            Ok(Filled::Head(span)) => span,
            Ok(Filled::More) => {
                if self.phase == Phase::Waiting && self.input.filled > 0 {
                    // The head's deadline runs from its first byte.
                    self.phase = Phase::Reading;
                    self.deadline = Instant::now() + config.header_timeout;
                }
                return Progress::Blocked;
            }
            Ok(Filled::Closed) => return Progress::Done,
            Err(rejection) => {
                self.refuse(shared, rejection.status(), rejection.explanation());
                return Progress::Moved;
            }
        };
        self.served += 1;
        let head = &self.input.buf[span.start..span.end];
        let request = match request::parse(head) {
            Ok(request) => request,
            Err(rejection) => {
                self.refuse(shared, rejection.status(), rejection.explanation());
                return Progress::Moved;
            }
        };
        let persistence = if !request.wants_keep_alive()
            || self.served >= config.max_requests
            || request.content_length > 0
            || shared.stop.requested()
        {
            Persistence::Close
        } else if request.version == Version::Http10 {
            Persistence::KeepAliveHttp10
        } else {
            Persistence::KeepAlive
        };
        let log_line = config.access_log.then(|| printable_text(request.line));
        let answer = self.responder.respond(
            &request,
            &shared.site,
            &shared.cache.view(self.read_at),
            persistence,
        );
        match answer {
            Ok(response) => {
                self.start_sending(response, persistence, span.end, log_line, config);
                Progress::Moved
            }
            Err(_) => {
                // The file could not be read after it was opened: nothing
                // was sent, but what the response would have been is lost.
                if let Some(line) = log_line {
                    access_log::record(self.peer, &line, None);
                }
                Progress::Done
            }
        }
    }

    /// Answers a request that could not be understood, and ends the
    /// connection: after it, where the next request would start is unknown.
    fn refuse(&mut self, shared: &Shared, status: Status, explanation: &str) {
        let response = self.responder.error(status, explanation);
        let log_line = shared
            .config
            .access_log
            .then(|| printable_text(self.input.first_line()));
        self.start_sending(response, Persistence::Close, 0, log_line, &shared.config);
    }

    fn start_sending(
        &mut self,
        response: Response,
        persistence: Persistence,
        consumed: usize,
        log_line: Option<String>,
        config: &Config,
    ) {
        self.sending = Some(Sending {
            out: Outgoing::new(response.file),
            outcome: response.outcome,
            persistence,
            consumed,
            log_line,
        });
        self.phase = Phase::Sending;
        self.deadline = Instant::now() + config.idle_timeout;
    }

    /// Sends what the socket takes of the response; when it is all out,
    /// logs it and goes on to the next request, or starts closing.
    fn send(&mut self, shared: &Shared) -> Progress {
        let config = &shared.config;
        let Some(mut sent) = self.sending.take() else {
            return Progress::Done; // cannot happen: Sending always has one
        };
        let wire = Wire {
            stream: &self.stream,
            peer: self.peer,
            trace: config.trace,
        };
        let before = sent.out.progress();
        match sent.out.push(&wire, self.responder.bytes()) {
            Ok(true) => {}
            Ok(false) => {
                // Only bytes leaving put the deadline off: a socket woken
                // by what the client sends is no sign that it reads.
                if sent.out.progress() != before {
                    self.deadline = Instant::now() + config.idle_timeout;
                }
                self.sending = Some(sent);
                return Progress::Blocked;
            }
            Err(_) => {
                // The client went away in the middle: nothing more can be said.
                if let Some(line) = sent.log_line {
                    access_log::record(self.peer, &line, None);
                }
                return Progress::Done;
            }
        }
        if !self.over_limit {
            shared.responses.fetch_add(1, Ordering::Relaxed); // refusals are counted apart
        }
        if let Some(line) = &sent.log_line {
            access_log::record(self.peer, line, Some(sent.outcome));
        }
        if sent.persistence == Persistence::Close {
            return self.start_closing();
        }
        self.input.consume(sent.consumed);
        if self.input.filled > 0 {
            // A pipelined request, already (partly) here.
            self.phase = Phase::Reading;
            self.deadline = Instant::now() + config.header_timeout;
        } else {
            self.phase = Phase::Waiting;
            self.deadline = Instant::now() + config.idle_timeout;
        }
        Progress::Moved
    }

    /// Stops sending; from now on what the client sends is dropped.
    fn start_closing(&mut self) -> Progress {
        if self.stream.shutdown(Shutdown::Write).is_err() {
            return Progress::Done;
        }
        self.phase = Phase::Lingering;
        self.deadline = Instant::now() + LINGER_TIME;
        Progress::Moved
    }

    /// Reads and drops what the client still sends (up to
    /// [`LINGER_BYTES`]), so that closing does not reset the connection
    /// under the last response; done when the client closes too.
    fn linger(&mut self) -> Progress {
        let mut sink = [0; 8192];
        loop {
            match (&self.stream).read(&mut sink) {
                Ok(0) => return Progress::Done,
                Ok(n) => {
                    self.dropped += n;
                    if self.dropped >= LINGER_BYTES {
                        return Progress::Done;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Progress::Blocked,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Progress::Done,
            }
        }
    }
}

/// What one step of a connection came to.
enum Progress {
    /// It moved on to another phase: go on.
    Moved,
    /// It must wait for the socket.
    Blocked,
    /// The connection is over.
    Done,
}
