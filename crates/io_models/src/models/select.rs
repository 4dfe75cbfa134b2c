//! Model 3a, I/O multiplexing with `select(2)` (IO复用模型).
//!
//! ```text
//!   process                          kernel
//!   select() ─────────────────────▶  no data ready on any fd
//!     ┆ blocked in select()             ┆   phase 1: wait, for all
//!     ┆                                 ▼   the sockets at once
//!          ◀──── "fd 7 readable" ──  data ready on fd 7
//!   recv(7) ──────────────────────▶  copy to user space   phase 2: blocked
//!   process the data ◀─ return n ──  copy complete        in recv()
//! ```
//!
//! The process blocks in `select()` instead of in `recv()`: one call waits
//! for every socket, and returns which ones are ready, so the `recv()` that
//! follows never waits for data, only for the copy. Two system calls per
//! message instead of one, but one thread for all the clients.
//!
//! The sets are bitmaps of `FD_SETSIZE` (1024) bits, rebuilt before every
//! call (the kernel overwrites them with the answer), and both the kernel
//! and this loop scan all of them: the cost grows with the number of
//! connections, idle ones included. A descriptor of 1024 or more does not
//! fit at all: `FD_SET` on it writes past the set (undefined behaviour in
//! C; a panic in nix's `FdSet::insert`). So a client whose descriptor would
//! be too big is told so in one line and closed, and the others go on.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::TcpListener;
use std::os::fd::{AsFd, AsRawFd, RawFd};

use harness::log;
use harness::stop::Stop;
use nix::errno::Errno;
use nix::sys::select::{select, FdSet, FD_SETSIZE};

use crate::client::{self, Accepted, Client};
use crate::Settings;

/// What a client past the limit reads before its connection is closed.
pub const REFUSAL: &str =
    "server busy: select() watches descriptors below FD_SETSIZE (1024) only; try again later\n";

pub fn serve(listener: &TcpListener, stop: &Stop, settings: &Settings) -> io::Result<String> {
    listener.set_nonblocking(true)?;
    let listener_fd = listener.as_raw_fd();
    let mut clients: HashMap<RawFd, Client> = HashMap::new();
    let (mut served, mut refused) = (0u64, 0u64);

    while !stop.requested() {
        // Build the two sets: read interest, or write interest for a client
        // owed a reply. (They borrow the sockets; keep only the answer.)
        let (readable, writable) = {
            let mut read_set = FdSet::new();
            let mut write_set = FdSet::new();
            read_set.insert(listener.as_fd());
            for client in clients.values() {
                let set = if client.wants_write() {
                    &mut write_set
                } else {
                    &mut read_set
                };
                set.insert(client.fd());
            }
            // Phase 1: block here until some descriptor is ready.
            match select(None, &mut read_set, &mut write_set, None, None) {
                Ok(_) => {}
                Err(Errno::EINTR) => continue, // a signal (Ctrl-C): look at the flag
                Err(e) => return Err(e.into()),
            }
            if stop.requested() {
                break; // woken by Ctrl-C's connection: do not serve it
            }
            let fds = |set: &FdSet<'_>| -> Vec<RawFd> {
                set.fds(None).map(|fd| fd.as_raw_fd()).collect()
            };
            (fds(&read_set), fds(&write_set))
        };

        for fd in readable.iter().chain(&writable) {
            if *fd == listener_fd {
                accept_all(listener, &mut clients, settings, &mut served, &mut refused);
                continue;
            }
            let Some(client) = clients.get_mut(fd) else {
                continue;
            };
            // Phase 2: the descriptor is ready, so this call only copies.
            let outcome = client.serve();
            if client::is_end(&outcome) {
                client.log_end(&outcome);
                clients.remove(fd);
            }
        }
    }
    Ok(format!(
        "served {served} client(s), refused {refused} (fd ≥ FD_SETSIZE)"
    ))
}

/// Accepts everyone in the backlog; refuses a descriptor `select()` cannot watch.
fn accept_all(
    listener: &TcpListener,
    clients: &mut HashMap<RawFd, Client>,
    settings: &Settings,
    served: &mut u64,
    refused: &mut u64,
) {
    while let Accepted::New(mut stream, peer) = client::accept(listener) {
        let fd = stream.as_raw_fd();
        if usize::try_from(fd).map_or(true, |fd| fd >= FD_SETSIZE) {
            // A fresh socket has room for one line: this write does not block.
            let _ = stream.write_all(REFUSAL.as_bytes());
            log!("{peer} refused: its descriptor {fd} is past FD_SETSIZE ({FD_SETSIZE})");
            *refused += 1;
            continue;
        }
        if let Some(client) = Client::new(stream, peer, settings.trace) {
            *served += 1;
            clients.insert(fd, client);
        }
    }
}
