//! The pieces `sticky_demo` needs to show sticky packets the same way every
//! time, and to show them the way the Python lesson prints them.
//!
//! * [`wait_until_buffered`] and [`peek_now`]: look into a socket's receive
//!   buffer without taking anything, so a receiver can wait until every
//!   byte of the sender is there before its first `recv` — which is what
//!   makes the demo deterministic rather than a matter of timing;
//! * [`SmallReads`]: a reader whose every `recv` is as stingy as the
//!   lesson's case 2 (`recv(1)`, `recv(5)`, `recv(1)`, ...).
//!
//! How bytes are shown (Python's `repr`, the sent/received tables) is in
//! `common::show`, shared with `struct_header`.

use std::io::{self, Read};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

/// How often [`wait_until_buffered`] looks into the receive buffer.
const POLL_EVERY: Duration = Duration::from_millis(5);

/// Waits, at most `within`, until at least `want` bytes sit in `stream`'s
/// receive buffer, without taking any of them (`recv` with `MSG_PEEK`).
/// Returns how many bytes are there (fewer than `want` if time ran out or
/// the peer closed after sending less).
///
/// A receiver that calls this before its first `recv` sees the same thing
/// every run: all the sender's bytes, together, as the lesson describes.
pub fn wait_until_buffered(stream: &TcpStream, want: usize, within: Duration) -> io::Result<usize> {
    let polls = (within.as_millis() / POLL_EVERY.as_millis()).max(1);
    let mut buf = vec![0; want.max(1)];
    stream.set_nonblocking(true)?;
    let mut seen = 0;
    let mut outcome = Ok(());
    for _ in 0..polls {
        match stream.peek(&mut buf) {
            // Zero bytes: the peer closed and sent nothing more to wait for.
            Ok(0) => break,
            Ok(n) => {
                seen = n;
                if n >= want {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
        thread::sleep(POLL_EVERY);
    }
    stream.set_nonblocking(false)?;
    outcome.map(|()| seen)
}

/// The bytes waiting in `stream`'s receive buffer right now (at most
/// `max`), left there for the next `recv`; empty when there are none.
pub fn peek_now(stream: &TcpStream, max: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; max];
    stream.set_nonblocking(true)?;
    let peeked = stream.peek(&mut buf);
    stream.set_nonblocking(false)?;
    match peeked {
        Ok(n) => {
            buf.truncate(n);
            Ok(buf)
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// A reader that never hands out more than the next of `sizes` (cycling)
/// per `read`, like the lesson's `recv(1)`, `recv(5)`, `recv(1)`; it
/// records what each read returned.
#[derive(Debug)]
pub struct SmallReads<R> {
    inner: R,
    sizes: &'static [usize],
    next: usize,
    taken: Vec<usize>,
}

impl<R> SmallReads<R> {
    /// Wraps `inner`; `sizes` must not be empty or contain 0.
    pub fn new(inner: R, sizes: &'static [usize]) -> Self {
        assert!(
            !sizes.is_empty() && !sizes.contains(&0),
            "read sizes must be positive"
        );
        SmallReads {
            inner,
            sizes,
            next: 0,
            taken: Vec::new(),
        }
    }

    /// How many bytes each read returned, in order.
    pub fn taken(&self) -> &[usize] {
        &self.taken
    }
}

impl<R: Read> Read for SmallReads<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let cap = self.sizes[self.next % self.sizes.len()];
        self.next += 1;
        let end = buf.len().min(cap);
        let n = self.inner.read(&mut buf[..end])?;
        self.taken.push(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use std::net::TcpListener;

    #[test]
    fn small_reads_cycle_through_the_sizes() {
        let mut reader = SmallReads::new(Cursor::new(b"helloworldegon".to_vec()), &[1, 5, 1]);
        let mut got = Vec::new();
        let mut buf = [0; 1024];
        for _ in 0..3 {
            let n = reader.read(&mut buf).expect("cursor read");
            got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        assert_eq!(got, ["h", "ellow", "o"]);
        assert_eq!(reader.taken(), [1, 5, 1]);
    }

    #[test]
    fn waiting_sees_every_byte_of_three_sends_and_takes_none() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let mut sender =
            TcpStream::connect(listener.local_addr().expect("bound")).expect("connect");
        let (receiver, _) = listener.accept().expect("accept");
        for part in [&b"hello"[..], b"world", b"egon"] {
            sender.write_all(part).expect("send");
        }
        let waiting = wait_until_buffered(&receiver, 14, Duration::from_secs(10)).expect("peek");
        assert_eq!(waiting, 14);
        assert_eq!(
            peek_now(&receiver, 1024).expect("peek"),
            b"helloworldegon",
            "peeking took nothing"
        );
        let mut buf = [0; 1024];
        let n = (&receiver).read(&mut buf).expect("recv");
        assert_eq!(&buf[..n], b"helloworldegon");
        assert_eq!(peek_now(&receiver, 1024).expect("peek"), b"");
    }

    #[test]
    fn waiting_returns_early_when_the_peer_closed_with_nothing_sent() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let sender = TcpStream::connect(listener.local_addr().expect("bound")).expect("connect");
        let (receiver, _) = listener.accept().expect("accept");
        drop(sender);
        // Bounded: at most 10 s; returns as soon as the close is seen.
        let waiting = wait_until_buffered(&receiver, 14, Duration::from_secs(10)).expect("peek");
        assert_eq!(waiting, 0);
    }
}
