//! Sending a response: the lab's `connectionSocket.send(header.encode())`
//! and its `send` per character of the file, as writes a full socket can
//! interrupt at any byte and a later call resumes.
//!
//! The head and a small body are in one buffer and go out in one `write`
//! (one system call, one segment); a bigger body goes from the file to the
//! socket by `sendfile(2)`: the file is never read into memory, not even a
//! buffer at a time.

use std::fs::File;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::os::unix::fs::FileExt;

use common::trace::Traced;
use mio::net::TcpStream;
use nix::errno::Errno;
use nix::libc;
use nix::sys::sendfile::sendfile;

use crate::respond::FileBody;

/// The most one `sendfile` call is asked to move.
const MAX_SENDFILE: u64 = 1 << 30;

/// A response on its way out: the responder's buffer from `sent` on, then
/// the file body.
pub struct Outgoing {
    sent: usize,
    file: Option<FileBody>,
}

impl Outgoing {
    /// Nothing sent yet of a response whose body, if it is not in the
    /// buffer, is `file`.
    pub fn new(file: Option<FileBody>) -> Outgoing {
        Outgoing { sent: 0, file }
    }

    /// How far the response has gone out (the head's bytes, then the
    /// position in the file): grows with every byte sent.
    pub fn progress(&self) -> u64 {
        self.sent as u64 + self.file.as_ref().map_or(0, |body| body.next)
    }

    /// Writes as much as the socket takes. `Ok(true)` when all is sent,
    /// `Ok(false)` when the socket is full.
    pub fn push(&mut self, wire: &Wire<'_>, head: &[u8]) -> io::Result<bool> {
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
pub struct Wire<'a> {
    pub stream: &'a TcpStream,
    pub peer: SocketAddr,
    pub trace: bool,
}

impl Wire<'_> {
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
