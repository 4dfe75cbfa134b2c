//! Model 5, asynchronous I/O (异步IO模型), with `io_uring`.
//!
//! ```text
//!   process                              kernel
//!   submit [recv fd 7 → buf] ─────────▶  no data ready
//!   (free: the call has returned;           ┆   phase 1: wait
//!    io_uring_enter may wait for            ▼
//!    completions, or not)                data ready: copied into buf
//!                                           ┆   phase 2: copy, by the kernel
//!          ◀──── completion: 5 bytes ──  done
//!   process the data (already in buf)
//! ```
//!
//! The process hands the kernel a whole operation ("receive into this
//! buffer"), and is told when it is *complete*: both phases, the wait and
//! the copy, happen without the process in a call. That is the lesson's
//! fifth model (`aio_read`, then a signal at completion). On Linux, glibc's
//! POSIX `aio_read` is emulated in user space by a pool of threads doing
//! blocking reads, and the kernel's own `io_submit` is asynchronous only
//! for `O_DIRECT` files, not sockets; io_uring (Linux 5.1) is the real one.
//!
//! Requests go on a submission ring, results come back on a completion
//! ring, both shared memory; one `io_uring_enter` submits a batch and waits.
//! Each connection has exactly one operation in flight, a `Recv` or a
//! `Send`, so its buffer has one owner at a time: the kernel until the
//! completion, then us.

#![allow(unsafe_code)] // the kernel writes into our buffers: see each SAFETY

use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use common::trace::{format_event, Direction as Traced};
use harness::cli::describe;
use harness::log;
use harness::stop::Stop;
use io_uring::{opcode, squeue, types::Fd, IoUring};

use crate::client::BUFFER_SIZE;
use crate::Settings;

const ACCEPT: u64 = u64::MAX; // user_data of the accept; a connection's is its id
const RING_ENTRIES: u32 = 1024;

/// Fails (exit 1, before `listening on`) where the kernel refuses io_uring.
pub fn check_available() -> io::Result<()> {
    IoUring::new(2).map(drop).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("this kernel refuses io_uring ({e}); see /proc/sys/kernel/io_uring_disabled"),
        )
    })
}

struct Conn {
    stream: TcpStream,
    peer: SocketAddr,
    buf: Box<[u8; BUFFER_SIZE]>, // on the heap: it stays put when the map moves
    len: usize,                  // bytes of the reply in buf; 0 while receiving
    sent: usize,
    messages: u64,
}

impl Conn {
    /// Its operation completed with `result` (bytes, or -errno); returns
    /// whether the connection goes on.
    fn completed(&mut self, result: i32, trace: bool) -> bool {
        let (receiving, peer) = (self.len == 0, self.peer);
        let Ok(n @ 1..) = usize::try_from(result) else {
            match result {
                0 if receiving => log!("{peer} disconnected after {} message(s)", self.messages),
                0 => log!("{peer} dropped: the socket took no bytes"),
                e => log!(
                    "{peer} dropped: {}",
                    describe(&io::Error::from_raw_os_error(-e))
                ),
            }
            return false;
        };
        if receiving {
            // A Recv completed: the kernel has already copied the bytes in.
            if trace {
                eprint!(
                    "{}",
                    format_event(Traced::Recv, peer, &self.buf[..n], false)
                );
            }
            self.buf[..n].make_ascii_uppercase();
            (self.len, self.sent, self.messages) = (n, 0, self.messages + 1);
        } else {
            // A Send completed, maybe partly.
            if trace {
                let sent = &self.buf[self.sent..self.sent + n];
                eprint!("{}", format_event(Traced::Send, peer, sent, false));
            }
            self.sent += n;
            if self.sent == self.len {
                self.len = 0;
            }
        }
        true
    }
}

pub fn serve(listener: &TcpListener, stop: &Stop, settings: &Settings) -> io::Result<String> {
    let mut ring = IoUring::new(RING_ENTRIES)?;
    let mut conns: HashMap<u64, Conn> = HashMap::new();
    let (mut next_id, mut served, mut stopping) = (0u64, 0u64, false);
    let no_address = std::ptr::null_mut();
    let accept = opcode::Accept::new(Fd(listener.as_raw_fd()), no_address, no_address.cast())
        .flags(libc::SOCK_CLOEXEC)
        .build()
        .user_data(ACCEPT);
    // SAFETY: an accept with null address pointers refers to no memory of
    // ours, and the listener outlives the ring.
    unsafe { push(&mut ring, &accept)? };

    while !stopping {
        match ring.submit_and_wait(1) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        let done: Vec<(u64, i32)> = ring
            .completion()
            .map(|c| (c.user_data(), c.result()))
            .collect();
        for (id, result) in done {
            if id != ACCEPT {
                let Some(conn) = conns.get_mut(&id) else {
                    continue;
                };
                if conn.completed(result, settings.trace) {
                    submit_next(&mut ring, id, &mut conns)?;
                } else {
                    conns.remove(&id); // its one operation is complete: nothing in flight
                }
                continue;
            }
            if stop.requested() {
                stopping = true; // Ctrl-C's wake-up connection: accept no more
                continue;
            }
            if result >= 0 {
                // SAFETY: a non-negative accept result is a new descriptor
                // that the kernel has just given us and nobody else owns.
                let stream = TcpStream::from(unsafe { OwnedFd::from_raw_fd(result) });
                let peer = stream
                    .peer_addr()
                    .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)));
                log!("{peer} connected");
                let buf = Box::new([0; BUFFER_SIZE]);
                let conn = Conn {
                    stream,
                    peer,
                    buf,
                    len: 0,
                    sent: 0,
                    messages: 0,
                };
                conns.insert(next_id, conn);
                submit_next(&mut ring, next_id, &mut conns)?;
                (next_id, served) = (next_id + 1, served + 1);
            }
            // SAFETY: as for the first accept.
            unsafe { push(&mut ring, &accept)? };
        }
    }
    drain(&mut ring, conns);
    Ok(format!("served {served} client(s)"))
}

/// Queues a connection's next operation: the rest of its reply, or a recv.
fn submit_next(ring: &mut IoUring, id: u64, conns: &mut HashMap<u64, Conn>) -> io::Result<()> {
    let Some(conn) = conns.get_mut(&id) else {
        return Ok(());
    };
    let fd = Fd(conn.stream.as_raw_fd());
    let entry = if conn.len == 0 {
        opcode::Recv::new(fd, conn.buf.as_mut_ptr(), BUFFER_SIZE as u32).build()
    } else {
        let rest = &conn.buf[conn.sent..conn.len];
        opcode::Send::new(fd, rest.as_ptr(), rest.len() as u32).build()
    };
    // SAFETY: the entry points into conn.buf (heap, BUFFER_SIZE bytes) and
    // at conn.stream's descriptor. The Conn is removed from the map (which
    // frees both) only once this operation's completion has been reaped,
    // and no other operation for it is queued until then, so the kernel is
    // the only one using the buffer meanwhile. At exit, drain() waits for
    // the completions or leaks the buffers.
    unsafe { push(ring, &entry.user_data(id)) }
}

/// Puts one entry on the submission ring, flushing the ring if it is full.
///
/// # Safety
/// Whatever memory and descriptors `entry` refers to must stay valid until
/// its completion has been reaped.
unsafe fn push(ring: &mut IoUring, entry: &squeue::Entry) -> io::Result<()> {
    loop {
        // SAFETY: the caller's promise, passed on.
        if unsafe { ring.submission().push(entry) }.is_ok() {
            return Ok(());
        }
        ring.submit()?;
    }
}

/// Ctrl-C: end every connection's operation in flight (shutting the socket
/// completes a pending recv with 0), reap the completions, and only then
/// free the buffers. After 2 s, what is still in flight is leaked, not freed.
fn drain(ring: &mut IoUring, mut conns: HashMap<u64, Conn>) {
    for conn in conns.values() {
        let _ = conn.stream.shutdown(Shutdown::Both);
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while !conns.is_empty() && Instant::now() < deadline {
        let timeout = io_uring::types::Timespec::new().nsec(100_000_000);
        let wait = io_uring::types::SubmitArgs::new().timespec(&timeout);
        let _ = ring.submitter().submit_with_args(1, &wait);
        for done in ring.completion() {
            conns.remove(&done.user_data());
        }
    }
    for (_, conn) in conns.drain() {
        std::mem::forget(conn.buf);
    }
}
