//! Reading a request head: the lab's `message = connectionSocket.recv(1024)`,
//! made to wait for the whole head and no more than a head.
//!
//! The bytes go into a buffer of fixed size (8 KiB, grown only for a long
//! head and never past [`MAX_HEAD`]); [`HeadScanner`] finds where the head
//! ends and refuses it as soon as it is too long. Bytes after the head (a
//! pipelined request) stay in the buffer for the next turn. The socket is
//! non-blocking: when it has nothing more for now, [`Input::read_head`]
//! says so ([`Filled::More`]) and the connection waits for it elsewhere.
//!
//! A read that fills less than the room it was given has emptied the
//! socket's receive queue: with edge-triggered epoll, whatever arrives after
//! it brings a new event (epoll(7), Q9). So, when the caller says the event
//! it is answering was no hang-up ([`Input::read_head`]'s `short_read_drains`),
//! such a read is the last until that event: no read that could only say
//! `EAGAIN`, one system call fewer per keep-alive request. A hang-up (the
//! client's FIN, which the next read would see as 0) or an error is read to
//! the end, as before. (netty's epoll transport does the same.)

use std::io::{self, Read};

use crate::request::{HeadScanner, HeadSpan, Rejection, MAX_HEAD};

/// The receive buffer of a new connection.
const INITIAL_BUFFER: usize = 8 * 1024;

/// What reading brought.
pub enum Filled {
    /// A whole head is buffered, here.
    Head(HeadSpan),
    /// Not yet: wait for more.
    More,
    /// The client closed (or the connection failed).
    Closed,
}

/// The receiving side of a connection.
pub struct Input {
    pub buf: Vec<u8>,
    /// Bytes of `buf` received and not yet consumed.
    pub filled: usize,
    scanner: HeadScanner,
    /// A read since the last event left the socket empty: the next bytes
    /// bring an event of their own.
    drained: bool,
}

impl Default for Input {
    fn default() -> Self {
        Input {
            buf: vec![0; INITIAL_BUFFER],
            filled: 0,
            scanner: HeadScanner::default(),
            drained: false,
        }
    }
}

impl Input {
    /// A readiness event has come: the socket must be read again.
    pub fn readable(&mut self) {
        self.drained = false;
    }

    /// Reads what has arrived from `socket` (non-blocking), until a whole
    /// request head is buffered or the socket has nothing more for now:
    /// a read said `WouldBlock`, or, if `short_read_drains`, a read since
    /// the last [`Input::readable`] got less than the room it had.
    pub fn read_head(
        &mut self,
        socket: &mut impl Read,
        short_read_drains: bool,
    ) -> Result<Filled, Rejection> {
        if let Some(span) = self.scanner.scan(&self.buf[..self.filled])? {
            return Ok(Filled::Head(span)); // pipelined: already here
        }
        loop {
            if self.drained {
                return Ok(Filled::More); // what comes next brings an event
            }
            if self.filled == self.buf.len() {
                if self.buf.len() >= MAX_HEAD {
                    return Err(Rejection::HeadersTooLarge); // the scanner refuses first
                }
                self.buf.resize((self.buf.len() * 2).min(MAX_HEAD), 0);
            }
            let room = self.buf.len() - self.filled;
            match socket.read(&mut self.buf[self.filled..]) {
                Ok(0) => return Ok(Filled::Closed),
                Ok(n) => {
                    self.filled += n;
                    self.drained = short_read_drains && n < room;
                }
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
    pub fn consume(&mut self, n: usize) {
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
    pub fn first_line(&self) -> &[u8] {
        let received = &self.buf[..self.filled.min(100)];
        let end = received
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .unwrap_or(received.len());
        &received[..end]
    }
}
