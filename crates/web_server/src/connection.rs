//! One connection, from accept to close: the lab's `recv`, `open`, `send`,
//! `close`, as a loop that serves request after request (keep-alive) and
//! cannot be held, fooled or made to hoard memory by the client.
//!
//! A connection has no thread of its own: [`crate::event_loop`] keeps many
//! of them on each of a few threads and calls [`Connection::advance`]
//! whenever the socket may have become readable or writable. So every read
//! and write here is non-blocking: where the lab's server would wait in
//! `recv` or `send`, a connection stops, remembers where it was (its
//! [`Phase`]), and the thread serves other connections meanwhile.
//!
//! * Reading: into a buffer of fixed size (8 KiB, grown only for a long
//!   head and never past [`MAX_HEAD`]); [`HeadScanner`] finds where the head
//!   ends and refuses it as soon as it is too long. Bytes after the head (a
//!   pipelined request) stay in the buffer for the next turn.
//! * Time: each phase has a deadline, checked by the event loop. Waiting
//!   for a request is limited by the idle timeout (then the connection is
//!   closed without a word); once its first byte has come, the whole head
//!   must arrive within the header timeout, a deadline for the head and not
//!   for each read, so a client sending one byte every few seconds is cut
//!   off (408); a response the client stops reading is given up after the
//!   idle timeout without progress.
//! * Writing: the head and a small body (≤ 16 KiB) go out in one `write`; a
//!   bigger body goes from the file to the socket by `sendfile(2)`: the file
//!   is never read into memory, not even a buffer at a time.
//! * Closing: a connection closes when the client asks (`Connection: close`,
//!   HTTP/1.0), after `--max-requests`, on Ctrl-C, after a request with a
//!   body (this server reads none, and the body must not be taken for the
//!   next request), and after an error that leaves the stream unreadable.
//!   The server then stops sending, reads and drops what the client is
//!   still sending for up to a second, and only then closes: closing a
//!   socket with unread data makes the kernel send a reset, which can
//!   destroy the last response before the client reads it.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown as Direction, SocketAddr};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::show::printable_text;
use common::trace::Traced;
use harness::stop::Stop;
use mio::net::TcpStream;
use nix::errno::Errno;
use nix::libc;
use nix::sys::sendfile::sendfile;

use crate::date::{self, DateCache};
use crate::listing;
use crate::mime;
use crate::range::{self, RangeRequest};
use crate::request::{self, HeadScanner, HeadSpan, Method, Rejection, Request, Version, MAX_HEAD};
use crate::response::{self, Persistence, Status};
use crate::site::{Found, OpenFile, Refusal, Site};
use crate::target::{self, TargetError};

/// Bodies up to this size are read into the buffer and sent with the head
/// in one write; bigger ones go by `sendfile`.
pub const SMALL_BODY: u64 = 16 * 1024;

/// The most one `sendfile` call is asked to move.
const MAX_SENDFILE: u64 = 1 << 30;

/// The receive buffer of a new connection.
const INITIAL_BUFFER: usize = 8 * 1024;

/// How long, and how much, a closing connection reads and drops.
const LINGER_TIME: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 1024 * 1024;

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
    pub config: Config,
    pub shutdown: Stop,
    /// Responses sent, for the summary at the end.
    pub responses: AtomicU64,
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
    output: Output,
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

/// A response on its way out: `output.out[sent..]`, then the file body.
struct Sending {
    sent: usize,
    file: Option<FileBody>,
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
            output: Output::new(peer),
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
        connection.output.out.extend_from_slice(busy);
        let response = Response::head_only(Status::ServiceUnavailable);
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
    /// answers them, sends, lingers.
    pub fn advance(&mut self, shared: &Shared) -> Next {
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
        self.advance(shared)
    }

    /// Reads until a whole head is here, then makes its response.
    fn read_request(&mut self, shared: &Shared) -> Progress {
        let config = &shared.config;
        let wire = Wire {
            stream: &self.stream,
            peer: self.peer,
            trace: config.trace,
        };
        let span = match self.input.read_head(&wire) {
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
            || shared.shutdown.requested()
        {
            Persistence::Close
        } else if request.version == Version::Http10 {
            Persistence::KeepAliveHttp10
        } else {
            Persistence::KeepAlive
        };
        let log_line = config.access_log.then(|| printable_text(request.line));
        match self.output.respond(&request, &shared.site, persistence) {
            Ok(response) => {
                self.start_sending(response, persistence, span.end, log_line, config);
                Progress::Moved
            }
            Err(_) => {
                // The file could not be read after it was opened: nothing
                // was sent, but what the response would have been is lost.
                if let Some(line) = log_line {
                    access_log(self.peer, &line, None);
                }
                Progress::Done
            }
        }
    }

    /// Answers a request that could not be understood, and ends the
    /// connection: after it, where the next request would start is unknown.
    fn refuse(&mut self, shared: &Shared, status: Status, explanation: &str) {
        let page = response::error_page(status, explanation);
        let response = self
            .output
            .page(false, status, &[], &page, Persistence::Close);
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
            sent: 0,
            file: response.file,
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
        let before = sent.progress();
        match sent.push(&wire, &self.output.out) {
            Ok(true) => {}
            Ok(false) => {
                // Only bytes leaving put the deadline off: a socket woken
                // by what the client sends is no sign that it reads.
                if sent.progress() != before {
                    self.deadline = Instant::now() + config.idle_timeout;
                }
                self.sending = Some(sent);
                return Progress::Blocked;
            }
            Err(_) => {
                // The client went away in the middle: nothing more can be said.
                if let Some(line) = sent.log_line {
                    access_log(self.peer, &line, None);
                }
                return Progress::Done;
            }
        }
        if !self.over_limit {
            shared.responses.fetch_add(1, Ordering::Relaxed); // refusals are counted apart
        }
        if let Some(line) = &sent.log_line {
            access_log(self.peer, line, Some(sent.outcome));
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
        if self.stream.shutdown(Direction::Write).is_err() {
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

impl Sending {
    /// How far the response has gone out (the head's bytes, then the
    /// position in the file): grows with every byte sent.
    fn progress(&self) -> u64 {
        self.sent as u64 + self.file.as_ref().map_or(0, |body| body.next)
    }

    /// Writes as much as the socket takes. `Ok(true)` when all is sent,
    /// `Ok(false)` when the socket is full.
    fn push(&mut self, wire: &Wire<'_>, head: &[u8]) -> io::Result<bool> {
        while self.sent < head.len() {
            match wire.write(&head[self.sent..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let Some(body) = self.file.as_mut() else {
            return Ok(true);
        };
        while body.next < body.end {
            match wire.send_file(&body.open.file, body.next, body.end - body.next) {
                // The file shrank while it was sent: the promised length
                // cannot be kept, so the connection must end here.
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the file got shorter while it was being sent",
                    ))
                }
                Ok(n) => body.next += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }
}

/// The socket, traced or not.
struct Wire<'a> {
    stream: &'a TcpStream,
    peer: SocketAddr,
    trace: bool,
}

impl Wire<'_> {
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        Traced::new(self.stream, self.peer, self.trace).read(buf)
    }

    fn write(&self, bytes: &[u8]) -> io::Result<usize> {
        Traced::new(self.stream, self.peer, self.trace).write(bytes)
    }

    /// Sends up to `count` bytes of `file` from `offset` with `sendfile(2)`:
    /// the kernel moves them from the page cache to the socket, they never
    /// pass through this process. (std's `io::copy` from a `File` to a
    /// socket does not: `strace` shows it reading and writing 8 KiB at a
    /// time.) Returns how many were sent; 0 when the file ends early.
    /// Traced, the bytes go through a buffer to be dumped (read by offset,
    /// not by seeking: a cached file is shared).
    fn send_file(&self, file: &File, offset: u64, count: u64) -> io::Result<u64> {
        if self.trace {
            let mut chunk = vec![0; count.min(64 * 1024) as usize];
            let n = file.read_at(&mut chunk, offset)?;
            if n == 0 {
                return Ok(0);
            }
            return self.write(&chunk[..n]).map(|n| n as u64);
        }
        let mut at = libc::off_t::try_from(offset).map_err(io::Error::other)?;
        let count = count.min(MAX_SENDFILE) as usize;
        match sendfile(self.stream, file, Some(&mut at), count) {
            Ok(n) => Ok(n as u64),
            Err(Errno::EAGAIN) => Err(io::ErrorKind::WouldBlock.into()),
            Err(e) => Err(e.into()),
        }
    }
}

/// One access-log line, like `python3 -m http.server`'s:
/// `127.0.0.1 - - [21/Nov/2026 10:00:00] "GET / HTTP/1.1" 200 1024`.
/// The request line was escaped with `printable_text`: a client cannot put
/// a newline or a terminal escape sequence into the log. A response that
/// broke off (the client went away in the middle) has `-` for its status.
fn access_log(peer: SocketAddr, request_line: &str, outcome: Option<Outcome>) {
    let now = chrono::Local::now().format("%d/%b/%Y %H:%M:%S");
    let (status, size) = match outcome {
        Some(Outcome { status, body_bytes }) if body_bytes > 0 => {
            (status.code().to_string(), body_bytes.to_string())
        }
        Some(Outcome { status, .. }) => (status.code().to_string(), "-".to_string()),
        None => ("-".to_string(), "-".to_string()),
    };
    let line = format!(
        "{} - - [{now}] \"{}\" {status} {size}\n",
        peer.ip(),
        request_line.replace('"', "\\\"")
    );
    let _ = io::stdout().lock().write_all(line.as_bytes());
}

/// What reading brought.
enum Filled {
    /// A whole head is buffered, here.
    Head(HeadSpan),
    /// Not yet: wait for more.
    More,
    /// The client closed (or the connection failed).
    Closed,
}

/// The receiving side of a connection.
struct Input {
    buf: Vec<u8>,
    /// Bytes of `buf` received and not yet consumed.
    filled: usize,
    scanner: HeadScanner,
}

impl Default for Input {
    fn default() -> Self {
        Input {
            buf: vec![0; INITIAL_BUFFER],
            filled: 0,
            scanner: HeadScanner::default(),
        }
    }
}

impl Input {
    /// Reads what has arrived, until a whole request head is buffered or
    /// the socket has nothing more for now.
    fn read_head(&mut self, wire: &Wire<'_>) -> Result<Filled, Rejection> {
        if let Some(span) = self.scanner.scan(&self.buf[..self.filled])? {
            return Ok(Filled::Head(span)); // pipelined: already here
        }
        loop {
            if self.filled == self.buf.len() {
                if self.buf.len() >= MAX_HEAD {
                    return Err(Rejection::HeadersTooLarge); // the scanner refuses first
                }
                self.buf.resize((self.buf.len() * 2).min(MAX_HEAD), 0);
            }
            match wire.read(&mut self.buf[self.filled..]) {
                Ok(0) => return Ok(Filled::Closed),
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Filled::More),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return Ok(Filled::Closed),
            }
            if let Some(span) = self.scanner.scan(&self.buf[..self.filled])? {
                return Ok(Filled::Head(span));
            }
        }
    }

    /// Drops the first `n` buffered bytes (a request just answered); what
    /// follows them is the start of the next request.
    fn consume(&mut self, n: usize) {
        self.buf.copy_within(n..self.filled, 0);
        self.filled -= n;
        self.scanner = HeadScanner::default();
        if self.filled == 0 && self.buf.len() > INITIAL_BUFFER {
            self.buf.truncate(INITIAL_BUFFER);
            self.buf.shrink_to_fit();
        }
    }

    /// The start of what was received, for the log line of a request that
    /// could not be parsed: up to the first line end, at most 100 bytes.
    fn first_line(&self) -> &[u8] {
        let received = &self.buf[..self.filled.min(100)];
        let end = received
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .unwrap_or(received.len());
        &received[..end]
    }
}

/// What one response was, for the log.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    status: Status,
    body_bytes: u64,
}

/// A response made: its head (and a small body) in [`Output::out`], and
/// what is still to follow from a file.
struct Response {
    outcome: Outcome,
    file: Option<FileBody>,
}

impl Response {
    /// A response without a body (304, HEAD).
    fn head_only(status: Status) -> Response {
        Response {
            outcome: Outcome {
                status,
                body_bytes: 0,
            },
            file: None,
        }
    }
}

/// The part of a file still to be sent after the head.
struct FileBody {
    open: Arc<OpenFile>,
    next: u64,
    end: u64,
}

/// The sending side of a connection: the buffer a response head is built
/// in and the two dates a response carries.
struct Output {
    out: Vec<u8>,
    now: DateCache,
    last_modified: DateCache,
    /// For the log line of a file-system error.
    peer: SocketAddr,
}

impl Output {
    fn new(peer: SocketAddr) -> Output {
        Output {
            out: Vec::new(),
            now: DateCache::default(),
            last_modified: DateCache::default(),
            peer,
        }
    }

    /// Answers one parsed request.
    fn respond(
        &mut self,
        request: &Request<'_>,
        site: &Site,
        persistence: Persistence,
    ) -> io::Result<Response> {
        let head_only = request.method == Method::Head;
        if request.method == Method::Other {
            let page = response::error_page(
                Status::MethodNotAllowed,
                "This server answers GET and HEAD only.",
            );
            let allow = [("Allow", "GET, HEAD")];
            return Ok(self.page(
                head_only,
                Status::MethodNotAllowed,
                &allow,
                &page,
                persistence,
            ));
        }
        let target = match target::parse(request.target) {
            Ok(target) => target,
            Err(TargetError::Malformed(why)) => {
                let page = response::error_page(Status::BadRequest, why);
                return Ok(self.page(head_only, Status::BadRequest, &[], &page, persistence));
            }
            Err(TargetError::Forbidden(why)) => {
                let page = response::error_page(Status::Forbidden, why);
                return Ok(self.page(head_only, Status::Forbidden, &[], &page, persistence));
            }
        };
        let found = match site.lookup(&target.path) {
            Ok(found) => found,
            Err(refusal) => return self.refusal(head_only, refusal, persistence),
        };
        match found {
            Found::File(file) => {
                let content_type = mime::content_type(target.path.file_name());
                self.file(request, file, content_type, persistence)
            }
            Found::Directory(_) if !target.path.trailing_slash && !target.path.is_root() => {
                // `/docs` → `/docs/`, so the links in its page resolve inside it.
                let url = target.path.directory_url(target.query);
                let page = response::error_page(
                    Status::MovedPermanently,
                    &format!("This directory's address ends with a slash: {url}"),
                );
                let location = [("Location", url.as_str())];
                Ok(self.page(
                    head_only,
                    Status::MovedPermanently,
                    &location,
                    &page,
                    persistence,
                ))
            }
            Found::Directory(dir) => match site.lookup(&target.path.child(b"index.html")) {
                Ok(Found::File(index)) => self.file(request, index, "text/html", persistence),
                Ok(Found::Directory(_)) | Err(Refusal::NotFound) => {
                    self.listing(head_only, &dir, &target.path.display(), persistence)
                }
                Err(refusal) => self.refusal(head_only, refusal, persistence),
            },
        }
    }

    /// 200, 206, 304 or 416 for a regular file.
    fn file(
        &mut self,
        request: &Request<'_>,
        open: Arc<OpenFile>,
        content_type: &str,
        persistence: Persistence,
    ) -> io::Result<Response> {
        let len = open.metadata.len();
        let modified = open.metadata.modified().ok().map(date::unix_seconds);
        let since = request.if_modified_since.and_then(date::parse);
        if let (Some(modified), Some(since)) = (modified, since) {
            if modified <= since {
                response::begin(
                    &mut self.out,
                    Status::NotModified,
                    self.now.get(date::now_seconds()),
                );
                response::header(
                    &mut self.out,
                    "Last-Modified",
                    self.last_modified.get(modified),
                );
                response::end(&mut self.out, persistence);
                return Ok(Response::head_only(Status::NotModified));
            }
        }
        // Range applies to GET only (RFC 9110 §14.2); If-Range sends the
        // whole file unless it names the file's current Last-Modified.
        let range = match request.range {
            Some(value)
                if request.method == Method::Get
                    && request
                        .if_range
                        .map_or(true, |v| date::parse(v) == modified) =>
            {
                range::parse(value, len)
            }
            _ => RangeRequest::Whole,
        };
        let (status, first, count) = match range {
            RangeRequest::Whole => (Status::Ok, 0, len),
            RangeRequest::Partial { first, last } => {
                (Status::PartialContent, first, last - first + 1)
            }
            RangeRequest::Unsatisfiable => {
                let page = response::error_page(
                    Status::RangeNotSatisfiable,
                    &format!("The file has {len} bytes; the range asked for is not among them."),
                );
                let content_range = format!("bytes */{len}");
                let headers = [("Content-Range", content_range.as_str())];
                let head_only = request.method == Method::Head;
                return Ok(self.page(
                    head_only,
                    Status::RangeNotSatisfiable,
                    &headers,
                    &page,
                    persistence,
                ));
            }
        };

        let out = &mut self.out;
        response::begin(out, status, self.now.get(date::now_seconds()));
        response::header(out, "Content-Type", content_type);
        response::header_number(out, "Content-Length", count);
        if let Some(modified) = modified {
            response::header(out, "Last-Modified", self.last_modified.get(modified));
        }
        response::header(out, "Accept-Ranges", "bytes");
        if status == Status::PartialContent {
            let content_range = format!("bytes {first}-{}/{len}", first + count - 1);
            response::header(out, "Content-Range", &content_range);
        }
        response::end(out, persistence);

        if request.method == Method::Head {
            return Ok(Response::head_only(status));
        }
        if count <= SMALL_BODY {
            // One write for head and body: one system call, one segment.
            // A cached file's body is already in memory.
            let range = first as usize..(first + count) as usize;
            match open.body.as_deref().and_then(|body| body.get(range)) {
                Some(body) => out.extend_from_slice(body),
                None => {
                    let at = out.len();
                    out.resize(at + count as usize, 0);
                    open.file.read_exact_at(&mut out[at..], first)?;
                }
            }
            return Ok(Response {
                outcome: Outcome {
                    status,
                    body_bytes: count,
                },
                file: None,
            });
        }
        // A bigger body follows the head from the file, by sendfile.
        Ok(Response {
            outcome: Outcome {
                status,
                body_bytes: count,
            },
            file: Some(FileBody {
                open,
                next: first,
                end: first + count,
            }),
        })
    }

    /// The listing of a directory without an index.html.
    fn listing(
        &mut self,
        head_only: bool,
        dir: &Path,
        shown_path: &str,
        persistence: Persistence,
    ) -> io::Result<Response> {
        match listing::render(dir, shown_path) {
            Ok(page) => Ok(self.page(head_only, Status::Ok, &[], &page, persistence)),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => self.refusal(
                head_only,
                Refusal::Forbidden("The server may not read this directory (permission denied)."),
                persistence,
            ),
            Err(e) => self.refusal(head_only, Refusal::Failed(e), persistence),
        }
    }

    /// 404, 403 or 500 for a path that is not served.
    fn refusal(
        &mut self,
        head_only: bool,
        refusal: Refusal,
        persistence: Persistence,
    ) -> io::Result<Response> {
        let (status, explanation) = match refusal {
            Refusal::NotFound => (Status::NotFound, "There is no file at this address."),
            Refusal::Forbidden(why) => (Status::Forbidden, why),
            Refusal::Failed(e) => {
                harness::log!(
                    "{} file system error: {}",
                    self.peer,
                    harness::cli::describe(&e)
                );
                (
                    Status::InternalServerError,
                    "The server could not read this file; its log says why.",
                )
            }
        };
        let page = response::error_page(status, explanation);
        Ok(self.page(head_only, status, &[], &page, persistence))
    }

    /// A response whose body is a page made here (a listing, an error).
    fn page(
        &mut self,
        head_only: bool,
        status: Status,
        headers: &[(&str, &str)],
        page: &str,
        persistence: Persistence,
    ) -> Response {
        let out = &mut self.out;
        response::begin(out, status, self.now.get(date::now_seconds()));
        response::header(out, "Content-Type", "text/html; charset=utf-8");
        response::header_number(out, "Content-Length", page.len() as u64);
        for (name, value) in headers {
            response::header(out, name, value);
        }
        response::end(out, persistence);
        if !head_only {
            out.extend_from_slice(page.as_bytes());
        }
        Response {
            outcome: Outcome {
                status,
                body_bytes: if head_only { 0 } else { page.len() as u64 },
            },
            file: None,
        }
    }
}
