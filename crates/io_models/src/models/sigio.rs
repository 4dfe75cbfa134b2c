//! Model 4, signal-driven I/O (信号驱动IO模型), over UDP.
//!
//! ```text
//!   process                              kernel
//!   fcntl(F_SETOWN, pid); fcntl(F_SETFL, O_ASYNC)
//!   (the process is free: it could     no datagram yet
//!    do other work here)                  ┆   phase 1: wait, in the
//!                                         ▼   kernel, not in a call
//!          ◀──────── SIGIO ─────────────  datagram ready
//!   recvfrom() ───────────────────────▶  copy to user space   phase 2:
//!   process the datagram ◀─ return n ──  copy complete        in recvfrom()
//! ```
//!
//! The process asks the kernel to *tell* it when the socket is ready: it
//! names itself the socket's owner (`F_SETOWN`) and turns on `O_ASYNC`, and
//! the kernel sends it `SIGIO` when a datagram arrives. No call waits for
//! data; the copy still happens in `recvfrom()`.
//!
//! Why UDP, as in Unix Network Programming (§25): for a UDP socket, SIGIO
//! means one of two things, a datagram arrived or an error is pending, so
//! the signal says "call recvfrom". A TCP socket raises SIGIO for almost
//! everything (a connection completed, a FIN, an ACK that freed send space,
//! data...), so the signal says next to nothing. The protocol is the UDP
//! lesson's: each datagram answered, upper-cased, to its sender.
//!
//! The signal is not handled in a handler: a handler may only do
//! async-signal-safe things, and the workspace has no unsafe code. SIGIO
//! is blocked in every thread and read from a `signalfd` instead, as data.
//! Signals do not queue: one SIGIO may stand for several datagrams, so
//! each one drains the socket until `EWOULDBLOCK`.

#![allow(unsafe_code)] // one fcntl(F_SETOWN), which nix does not wrap: see set_owner

use std::io;
use std::net::UdpSocket;
use std::os::fd::AsRawFd;

use common::datagram::RECV_BUFFER;
use common::trace::TracedUdp;
use harness::log;
use harness::stop::Stop;
use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::SignalFd;

use crate::Settings;

fn sigio_set() -> SigSet {
    let mut set = SigSet::empty();
    set.add(Signal::SIGIO);
    set
}

/// Blocks SIGIO in the calling thread, and so in every thread it starts
/// later: the signal stays pending until the signalfd reads it, instead of
/// killing the process (SIGIO's default action).
pub fn block_sigio() -> io::Result<()> {
    Ok(sigio_set().thread_block()?)
}

pub fn serve(socket: UdpSocket, stop: &Stop, settings: &Settings) -> io::Result<String> {
    let signals = SignalFd::new(&sigio_set())?;
    socket.set_nonblocking(true)?;
    set_owner(&socket)?;
    let flags = OFlag::from_bits_retain(fcntl(socket.as_raw_fd(), FcntlArg::F_GETFL)?);
    fcntl(
        socket.as_raw_fd(),
        FcntlArg::F_SETFL(flags | OFlag::O_ASYNC),
    )?;

    let socket = TracedUdp::new(socket, settings.trace);
    let (mut signalled, mut answered) = (0u64, 0u64);
    let mut buf = vec![0; RECV_BUFFER];
    // A datagram that came before O_ASYNC raised no signal: drain first.
    answered += drain(&socket, &mut buf, stop);
    while !stop.requested() {
        // Wait for the kernel's SIGIO. A program with a handler would be
        // doing other work here; this one has nothing else to do.
        match signals.read_signal() {
            Ok(_) => signalled += 1,
            Err(Errno::EINTR) => continue, // Ctrl-C's own signal
            Err(e) => return Err(e.into()),
        }
        answered += drain(&socket, &mut buf, stop);
    }
    Ok(format!(
        "answered {answered} datagram(s) after {signalled} SIGIO(s)"
    ))
}

/// Phase 2, for every datagram waiting: `recvfrom` copies it, `sendto`
/// answers it. Returns how many were answered. Once Ctrl-C has been
/// pressed, the next datagram is its wake-up: neither answered nor counted.
fn drain(socket: &TracedUdp, buf: &mut [u8], stop: &Stop) -> u64 {
    let mut answered = 0;
    loop {
        let received = socket.recv_from(buf);
        if stop.requested() {
            return answered;
        }
        let (n, peer) = match received {
            Ok(got) => got,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return answered,
            // An ICMP error for an earlier reply (port unreachable): it
            // concerns a peer that left, not this socket.
            Err(e) => {
                log!("recvfrom: {}", harness::cli::describe(&e));
                continue;
            }
        };
        buf[..n].make_ascii_uppercase();
        if let Err(e) = socket.send_to(&buf[..n], peer) {
            log!("{peer} reply not sent: {}", harness::cli::describe(&e));
            continue;
        }
        answered += 1;
    }
}

/// `fcntl(fd, F_SETOWN, getpid())`: SIGIO for this socket goes to this
/// process. nix 0.29 has no F_SETOWN, hence the one raw call.
fn set_owner(socket: &UdpSocket) -> io::Result<()> {
    let pid = nix::unistd::getpid().as_raw();
    // SAFETY: fcntl with F_SETOWN takes an int argument and touches no
    // memory of ours; the descriptor is open, borrowed from `socket` for
    // the length of the call.
    let status = unsafe { libc::fcntl(socket.as_raw_fd(), libc::F_SETOWN, pid) };
    if status == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
