//! One client of the models that never block on it (nonblocking, select,
//! poll, epoll): its socket set `O_NONBLOCK`, and the reply it still owes.
//!
//! The protocol is `tcp_server`'s: `recv(1024)`, then the same bytes back
//! with ASCII letters upper-cased. A blocking server just calls `sendall`;
//! here a reply the socket cannot take at once stays in `pending`, and the
//! client is not read again until it has gone: a client that sends and never
//! reads fills its own buffers and stops itself, and costs the server no
//! more than 1,024 bytes.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::thread;

use common::trace::Traced;
use harness::cli;
use harness::log;
use harness::server::ERROR_PAUSE;

/// The lesson's `buffer_size`: the most one `recv` takes.
pub const BUFFER_SIZE: usize = 1024;

/// What one call on a ready (or maybe ready) client did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Data moved: a message read (and answered as far as the socket took
    /// it), or some of a pending reply sent.
    Moved,
    /// The call returned `EWOULDBLOCK`: nothing to read, or no room to send.
    WouldBlock,
    /// The client closed its side (`recv` returned 0) with nothing owed.
    Closed,
}

/// What `accept()` on a non-blocking listener gave.
#[derive(Debug)]
pub enum Accepted {
    New(TcpStream, SocketAddr),
    /// `EWOULDBLOCK`: nobody is waiting in the backlog.
    Nobody,
    /// An error, logged (and, if it can last, such as EMFILE, paused on).
    Failed,
}

/// `accept()` on a listener that the caller has set non-blocking.
pub fn accept(listener: &TcpListener) -> Accepted {
    match listener.accept() {
        Ok((stream, peer)) => Accepted::New(stream, peer),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Accepted::Nobody,
        // A client that reset before we accepted it, or a signal: try again.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::ConnectionAborted | io::ErrorKind::Interrupted
            ) =>
        {
            Accepted::Failed
        }
        Err(e) => {
            // Out of descriptors, say: the listener stays readable, so pause
            // rather than spin on the same error.
            log!("accept failed: {}", cli::describe(&e));
            thread::sleep(ERROR_PAUSE);
            Accepted::Failed
        }
    }
}

#[derive(Debug)]
pub struct Client {
    conn: Traced<TcpStream>,
    pending: Vec<u8>,
    sent: usize,
    messages: u64,
}

impl Client {
    /// Sets the socket non-blocking and logs the connection; `None` (logged)
    /// if the socket is already unusable.
    pub fn new(stream: TcpStream, peer: SocketAddr, trace: bool) -> Option<Client> {
        if let Err(e) = stream.set_nonblocking(true) {
            log!("{peer} dropped: {}", cli::describe(&e));
            return None;
        }
        log!("{peer} connected");
        Some(Client {
            conn: Traced::new(stream, peer, trace),
            pending: Vec::with_capacity(BUFFER_SIZE),
            sent: 0,
            messages: 0,
        })
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        self.conn.get_ref().as_fd()
    }

    pub fn raw_fd(&self) -> RawFd {
        self.conn.get_ref().as_raw_fd()
    }

    /// Whether a reply is still owed: wait for "writable", not "readable".
    pub fn wants_write(&self) -> bool {
        self.sent < self.pending.len()
    }

    /// One step, for a client reported ready (or, in the non-blocking
    /// loop, just tried): send what is owed, else read and answer.
    pub fn serve(&mut self) -> io::Result<Progress> {
        if self.wants_write() {
            self.send_pending()
        } else {
            self.read_and_reply()
        }
    }

    fn read_and_reply(&mut self) -> io::Result<Progress> {
        let mut buf = [0; BUFFER_SIZE];
        let n = match self.conn.read(&mut buf) {
            Ok(0) => return Ok(Progress::Closed),
            Ok(n) => n,
            Err(e) if is_would_block(&e) => return Ok(Progress::WouldBlock),
            Err(e) => return Err(e),
        };
        // bytes.upper(): ASCII letters only, so the reply has the same length.
        buf[..n].make_ascii_uppercase();
        self.messages += 1;
        self.pending.clear();
        self.pending.extend_from_slice(&buf[..n]);
        self.sent = 0;
        self.send_pending()?;
        Ok(Progress::Moved)
    }

    fn send_pending(&mut self) -> io::Result<Progress> {
        let mut moved = false;
        while self.wants_write() {
            match self.conn.write(&self.pending[self.sent..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.sent += n;
                    moved = true;
                }
                Err(e) if is_would_block(&e) && moved => return Ok(Progress::Moved),
                Err(e) if is_would_block(&e) => return Ok(Progress::WouldBlock),
                Err(e) => return Err(e),
            }
        }
        Ok(Progress::Moved)
    }

    /// The log line for a client that is going: closed by it, or dropped
    /// on an error (a reset, say), which costs only this client.
    pub fn log_end(&self, outcome: &io::Result<Progress>) {
        let peer = self.conn.peer();
        match outcome {
            Err(e) => log!("{peer} dropped: {}", cli::describe(e)),
            Ok(_) => log!("{peer} disconnected after {} message(s)", self.messages),
        }
    }
}

fn is_would_block(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

/// Whether a client is done: it closed, or its socket failed.
pub fn is_end(outcome: &io::Result<Progress>) -> bool {
    !matches!(outcome, Ok(Progress::Moved | Progress::WouldBlock))
}
