//! One connection, from accept to close: the lab's `recv`, `open`, `send`,
//! `close`, as a loop that serves request after request (keep-alive) and
//! cannot be held, fooled or made to hoard memory by the client.
//!
//! * Reading: into a buffer of fixed size (8 KiB, grown only for a long
//!   head and never past [`MAX_HEAD`]); [`HeadScanner`] finds where the head
//!   ends and refuses it as soon as it is too long. Bytes after the head (a
//!   pipelined request) stay in the buffer for the next turn.
//! * Time: waiting for a request is limited by the idle timeout (then the
//!   connection is closed without a word); once its first byte has come, the
//!   whole head must arrive within the header timeout, a deadline for the
//!   head and not for each read, so a client sending one byte every few
//!   seconds is cut off (408). The socket's timeout is only changed on that
//!   slow path; a request that comes in one read costs no extra system call.
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
use std::net::{Shutdown as Direction, SocketAddr, TcpStream};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::cli::is_timeout;
use common::log::printable_text;
use common::shutdown::Shutdown;
use common::trace::Traced;
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

/// The most one `sendfile` call is asked to move (Linux moves at most
/// about 2 GiB per call anyway).
const MAX_SENDFILE: usize = 1 << 30;

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
    pub shutdown: Shutdown,
    /// Responses sent, for the summary at the end.
    pub responses: AtomicU64,
}

/// Serves one connection until it closes.
pub fn handle(stream: &TcpStream, peer: SocketAddr, shared: &Shared) {
    let idle = Some(shared.config.idle_timeout);
    // Nagle's algorithm would hold back the last small segment of a
    // response until the client's delayed ACK: 40 ms per request.
    if stream.set_nodelay(true).is_err()
        || stream.set_read_timeout(idle).is_err()
        || stream.set_write_timeout(idle).is_err()
    {
        return; // the client is already gone
    }
    let wire = Wire {
        stream,
        peer,
        trace: shared.config.trace,
    };
    let mut connection = Connection {
        wire,
        shared,
        input: Input::default(),
        output: Output::default(),
    };
    if connection.serve() == End::ServerCloses {
        linger(stream);
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

    fn write_all(&self, bytes: &[u8]) -> io::Result<()> {
        Traced::new(self.stream, self.peer, self.trace).write_all(bytes)
    }

    /// Sends bytes `first..first + count` of `file` with `sendfile(2)`: the
    /// kernel moves them from the page cache to the socket, they never pass
    /// through this process. (std's `io::copy` from a `File` to a socket
    /// does not: `strace` shows it reading and writing 8 KiB at a time.)
    /// Traced, the bytes go through a buffer to be dumped.
    /// Returns how many were sent: fewer if the file got shorter meanwhile.
    fn send_file(&self, file: &File, first: u64, count: u64) -> io::Result<u64> {
        if self.trace {
            // By offset, not by seeking: a cached file is shared.
            let mut chunk = vec![0; 64 * 1024];
            let mut sent = 0;
            while sent < count {
                let want = (count - sent).min(chunk.len() as u64) as usize;
                let n = file.read_at(&mut chunk[..want], first + sent)?;
                if n == 0 {
                    break; // the file ended early
                }
                self.write_all(&chunk[..n])?;
                sent += n as u64;
            }
            return Ok(sent);
        }
        let start = libc::off_t::try_from(first).map_err(io::Error::other)?;
        let end = start.saturating_add(libc::off_t::try_from(count).map_err(io::Error::other)?);
        let mut offset = start;
        while offset < end {
            let chunk = usize::try_from(end - offset).map_or(MAX_SENDFILE, |n| n.min(MAX_SENDFILE));
            match sendfile(self.stream, file, Some(&mut offset), chunk) {
                Ok(0) => break, // the file ended early
                Ok(_) => {}     // the kernel moved `offset` on
                Err(Errno::EINTR) => {}
                // The socket's send timeout: the client stopped reading.
                Err(Errno::EAGAIN) => return Err(io::ErrorKind::TimedOut.into()),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(u64::try_from(offset - start).unwrap_or(0))
    }
}

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The client closed, went quiet, or the connection failed: just close.
    ClientGone,
    /// The server decided to close: stop sending, then drain and close.
    ServerCloses,
}

struct Connection<'a> {
    wire: Wire<'a>,
    shared: &'a Shared,
    input: Input,
    output: Output,
}

impl Connection<'_> {
    /// The keep-alive loop: read a head, answer it, until one side stops.
    fn serve(&mut self) -> End {
        let shared = self.shared;
        let config = &shared.config;
        for served in 1.. {
            let span = match self.input.read_head(&self.wire, config) {
                Ok(Some(span)) => span,
                Ok(None) => return End::ClientGone,
                Err(HeadError::Rejected(rejection)) => {
                    return self.refuse(rejection.status(), rejection.explanation());
                }
                Err(HeadError::Timeout) => {
                    return self.refuse(
                        Status::RequestTimeout,
                        "The request head did not arrive in time (--header-timeout).",
                    );
                }
            };
            let head = &self.input.buf[span.start..span.end];
            let request = match request::parse(head) {
                Ok(request) => request,
                Err(rejection) => return self.refuse(rejection.status(), rejection.explanation()),
            };
            let persistence = if !request.wants_keep_alive()
                || served >= config.max_requests
                || request.content_length > 0
                || shared.shutdown.requested()
            {
                Persistence::Close
            } else if request.version == Version::Http10 {
                Persistence::KeepAliveHttp10
            } else {
                Persistence::KeepAlive
            };
            let outcome = self
                .output
                .respond(&request, &self.wire, &shared.site, persistence)
                .ok();
            if config.access_log {
                access_log(self.wire.peer, request.line, outcome);
            }
            if outcome.is_none() {
                return End::ClientGone; // the response broke off: nothing more can be said
            }
            shared.responses.fetch_add(1, Ordering::Relaxed);
            if persistence == Persistence::Close {
                return End::ServerCloses;
            }
            self.input.consume(span.end);
        }
        End::ServerCloses
    }

    /// Answers a request that could not be understood, and ends the
    /// connection: after it, where the next request would start is unknown.
    fn refuse(&mut self, status: Status, explanation: &str) -> End {
        let page = response::error_page(status, explanation);
        let _ = self
            .output
            .page(&self.wire, false, status, &[], &page, Persistence::Close);
        self.shared.responses.fetch_add(1, Ordering::Relaxed);
        if self.shared.config.access_log {
            let outcome = Outcome {
                status,
                body_bytes: page.len() as u64,
            };
            access_log(self.wire.peer, self.input.first_line(), Some(outcome));
        }
        End::ServerCloses
    }
}

/// One access-log line, like `python3 -m http.server`'s:
/// `127.0.0.1 - - [21/Nov/2026 10:00:00] "GET / HTTP/1.1" 200 1024`.
/// The request line is escaped: a client cannot put a newline or a
/// terminal escape sequence into the log. A response that broke off (the
/// client went away in the middle) has `-` for its status.
fn access_log(peer: SocketAddr, request_line: &[u8], outcome: Option<Outcome>) {
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
        printable_text(request_line).replace('"', "\\\"")
    );
    let _ = io::stdout().lock().write_all(line.as_bytes());
}

/// Stops sending, then reads and drops what the client still sends (for up
/// to [`LINGER_TIME`] or [`LINGER_BYTES`]) so that closing does not reset
/// the connection under the last response.
fn linger(stream: &TcpStream) {
    if stream.shutdown(Direction::Write).is_err() {
        return;
    }
    let deadline = Instant::now() + LINGER_TIME;
    let mut sink = [0; 8192];
    let mut dropped = 0;
    while dropped < LINGER_BYTES {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match (&*stream).read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => dropped += n,
        }
    }
}

enum HeadError {
    Rejected(Rejection),
    Timeout,
}

impl From<Rejection> for HeadError {
    fn from(rejection: Rejection) -> Self {
        HeadError::Rejected(rejection)
    }
}

/// The receiving side of a connection.
struct Input {
    buf: Vec<u8>,
    /// Bytes of `buf` received and not yet consumed.
    filled: usize,
    scanner: HeadScanner,
    /// The socket's read timeout is not the idle timeout any more.
    deadline_set: bool,
}

impl Default for Input {
    fn default() -> Self {
        Input {
            buf: vec![0; INITIAL_BUFFER],
            filled: 0,
            scanner: HeadScanner::default(),
            deadline_set: false,
        }
    }
}

impl Input {
    /// Reads until a whole request head is buffered. `Ok(None)` when the
    /// client closed, or sent nothing for the idle timeout.
    fn read_head(
        &mut self,
        wire: &Wire<'_>,
        config: &Config,
    ) -> Result<Option<HeadSpan>, HeadError> {
        if self.deadline_set {
            if wire
                .stream
                .set_read_timeout(Some(config.idle_timeout))
                .is_err()
            {
                return Ok(None);
            }
            self.deadline_set = false;
        }
        let mut deadline = None;
        if self.filled > 0 {
            // A pipelined request, already (partly) here.
            deadline = Some(Instant::now() + config.header_timeout);
            if let Some(span) = self.scanner.scan(&self.buf[..self.filled])? {
                return Ok(Some(span));
            }
        }
        loop {
            if self.filled == self.buf.len() {
                if self.buf.len() >= MAX_HEAD {
                    return Err(Rejection::HeadersTooLarge.into()); // the scanner refuses first
                }
                self.buf.resize((self.buf.len() * 2).min(MAX_HEAD), 0);
            }
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(HeadError::Timeout);
                }
                if wire.stream.set_read_timeout(Some(left)).is_err() {
                    return Ok(None);
                }
                self.deadline_set = true;
            }
            let n = match wire.read(&mut self.buf[self.filled..]) {
                Ok(0) => return Ok(None),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if is_timeout(&e) && deadline.is_some() => return Err(HeadError::Timeout),
                Err(_) => return Ok(None),
            };
            self.filled += n;
            // The head's deadline runs from its first byte.
            deadline.get_or_insert_with(|| Instant::now() + config.header_timeout);
            if let Some(span) = self.scanner.scan(&self.buf[..self.filled])? {
                return Ok(Some(span));
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

/// The sending side of a connection: the buffer a head is built in and the
/// two dates a response carries.
#[derive(Default)]
struct Output {
    out: Vec<u8>,
    now: DateCache,
    last_modified: DateCache,
}

impl Output {
    /// Answers one parsed request.
    fn respond(
        &mut self,
        request: &Request<'_>,
        wire: &Wire<'_>,
        site: &Site,
        persistence: Persistence,
    ) -> io::Result<Outcome> {
        let head_only = request.method == Method::Head;
        if request.method == Method::Other {
            let page = response::error_page(
                Status::MethodNotAllowed,
                "This server answers GET and HEAD only.",
            );
            let allow = [("Allow", "GET, HEAD")];
            return self.page(
                wire,
                head_only,
                Status::MethodNotAllowed,
                &allow,
                &page,
                persistence,
            );
        }
        let target = match target::parse(request.target) {
            Ok(target) => target,
            Err(TargetError::Malformed(why)) => {
                let page = response::error_page(Status::BadRequest, why);
                return self.page(wire, head_only, Status::BadRequest, &[], &page, persistence);
            }
            Err(TargetError::Forbidden(why)) => {
                let page = response::error_page(Status::Forbidden, why);
                return self.page(wire, head_only, Status::Forbidden, &[], &page, persistence);
            }
        };
        let found = match site.lookup(&target.path) {
            Ok(found) => found,
            Err(refusal) => return self.refusal(wire, head_only, refusal, persistence),
        };
        match found {
            Found::File(file) => {
                let content_type = mime::content_type(target.path.file_name());
                self.file(request, wire, file, content_type, persistence)
            }
            Found::Directory(_) if !target.path.trailing_slash && !target.path.is_root() => {
                // `/docs` → `/docs/`, so the links in its page resolve inside it.
                let url = target.path.directory_url(target.query);
                let page = response::error_page(
                    Status::MovedPermanently,
                    &format!("This directory's address ends with a slash: {url}"),
                );
                let location = [("Location", url.as_str())];
                self.page(
                    wire,
                    head_only,
                    Status::MovedPermanently,
                    &location,
                    &page,
                    persistence,
                )
            }
            Found::Directory(dir) => match site.lookup(&target.path.child(b"index.html")) {
                Ok(Found::File(index)) => self.file(request, wire, index, "text/html", persistence),
                Ok(Found::Directory(_)) | Err(Refusal::NotFound) => {
                    self.listing(wire, head_only, &dir, &target.path.display(), persistence)
                }
                Err(refusal) => self.refusal(wire, head_only, refusal, persistence),
            },
        }
    }

    /// 200, 206, 304 or 416 for a regular file.
    fn file(
        &mut self,
        request: &Request<'_>,
        wire: &Wire<'_>,
        open: Arc<OpenFile>,
        content_type: &str,
        persistence: Persistence,
    ) -> io::Result<Outcome> {
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
                wire.write_all(&self.out)?;
                return Ok(Outcome {
                    status: Status::NotModified,
                    body_bytes: 0,
                });
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
                return self.page(
                    wire,
                    head_only,
                    Status::RangeNotSatisfiable,
                    &headers,
                    &page,
                    persistence,
                );
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
            wire.write_all(out)?;
            return Ok(Outcome {
                status,
                body_bytes: 0,
            });
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
            wire.write_all(out)?;
        } else {
            wire.write_all(out)?;
            let sent = wire.send_file(&open.file, first, count)?;
            if sent < count {
                // The file shrank while it was sent: the promised length
                // cannot be kept, so the connection must end here.
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the file got shorter while it was being sent",
                ));
            }
        }
        Ok(Outcome {
            status,
            body_bytes: count,
        })
    }

    /// The listing of a directory without an index.html.
    fn listing(
        &mut self,
        wire: &Wire<'_>,
        head_only: bool,
        dir: &Path,
        shown_path: &str,
        persistence: Persistence,
    ) -> io::Result<Outcome> {
        match listing::render(dir, shown_path) {
            Ok(page) => self.page(wire, head_only, Status::Ok, &[], &page, persistence),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => self.refusal(
                wire,
                head_only,
                Refusal::Forbidden("The server may not read this directory (permission denied)."),
                persistence,
            ),
            Err(e) => self.refusal(wire, head_only, Refusal::Failed(e), persistence),
        }
    }

    /// 404, 403 or 500 for a path that is not served.
    fn refusal(
        &mut self,
        wire: &Wire<'_>,
        head_only: bool,
        refusal: Refusal,
        persistence: Persistence,
    ) -> io::Result<Outcome> {
        let (status, explanation) = match refusal {
            Refusal::NotFound => (Status::NotFound, "There is no file at this address."),
            Refusal::Forbidden(why) => (Status::Forbidden, why),
            Refusal::Failed(e) => {
                common::log!(
                    "{} file system error: {}",
                    wire.peer,
                    common::cli::describe(&e)
                );
                (
                    Status::InternalServerError,
                    "The server could not read this file; its log says why.",
                )
            }
        };
        let page = response::error_page(status, explanation);
        self.page(wire, head_only, status, &[], &page, persistence)
    }

    /// A response whose body is a page made here (a listing, an error).
    fn page(
        &mut self,
        wire: &Wire<'_>,
        head_only: bool,
        status: Status,
        headers: &[(&str, &str)],
        page: &str,
        persistence: Persistence,
    ) -> io::Result<Outcome> {
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
        wire.write_all(out)?;
        Ok(Outcome {
            status,
            body_bytes: if head_only { 0 } else { page.len() as u64 },
        })
    }
}
