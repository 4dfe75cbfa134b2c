//! Model 3b, I/O multiplexing with `poll(2)` (IO复用模型).
//!
//! ```text
//!   process                          kernel
//!   poll([fd, events]...) ────────▶  no data ready on any fd
//!     ┆ blocked in poll()               ┆   phase 1: wait for all
//!     ┆                                 ▼   the sockets at once
//!          ◀─ revents: fd 7 POLLIN ─ data ready on fd 7
//!   recv(7) ──────────────────────▶  copy to user space   phase 2: blocked
//!   process the data ◀─ return n ──  copy complete        in recv()
//! ```
//!
//! The same two phases as `select`, the same two calls per message. What
//! changes is the list: an array of `struct pollfd {fd, events, revents}`,
//! as long as there are sockets, so there is no `FD_SETSIZE` and no limit
//! but the open-file limit. The cost is still linear: the whole array is
//! copied into the kernel and scanned on every call, however few sockets
//! are ready, and this loop scans the answers. (The list is rebuilt from
//! the clients before each call, because each `PollFd` borrows its socket:
//! the same O(n) work `poll` itself does.)

use std::io;
use std::net::TcpListener;
use std::os::fd::AsFd;

use harness::stop::Stop;
use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use crate::client::{self, Accepted, Client};
use crate::Settings;

pub fn serve(listener: &TcpListener, stop: &Stop, settings: &Settings) -> io::Result<String> {
    listener.set_nonblocking(true)?;
    let mut clients: Vec<Client> = Vec::new();
    let mut served = 0u64;

    while !stop.requested() {
        // Entry 0 is the listener; entry i + 1 is clients[i].
        let ready: Vec<(usize, PollFlags)> = {
            let mut fds = Vec::with_capacity(clients.len() + 1);
            fds.push(PollFd::new(listener.as_fd(), PollFlags::POLLIN));
            for client in &clients {
                let events = if client.wants_write() {
                    PollFlags::POLLOUT
                } else {
                    PollFlags::POLLIN
                };
                fds.push(PollFd::new(client.fd(), events));
            }
            // Phase 1: block here until some entry has revents.
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) => {}
                Err(Errno::EINTR) => continue, // a signal (Ctrl-C): look at the flag
                Err(e) => return Err(e.into()),
            }
            if stop.requested() {
                break; // woken by Ctrl-C's connection: do not serve it
            }
            fds.iter()
                .enumerate()
                .filter_map(|(i, fd)| fd.revents().filter(|r| !r.is_empty()).map(|r| (i, r)))
                .collect()
        };

        let mut ended = vec![false; clients.len()];
        for (i, _revents) in ready {
            if i == 0 {
                while let Accepted::New(stream, peer) = client::accept(listener) {
                    if let Some(client) = Client::new(stream, peer, settings.trace) {
                        served += 1;
                        clients.push(client);
                    }
                }
                continue;
            }
            // Phase 2: POLLIN, POLLOUT, POLLHUP or POLLERR: this call does
            // not wait; it copies, or reports the end or the error.
            let client = &mut clients[i - 1];
            let outcome = client.serve();
            if client::is_end(&outcome) {
                client.log_end(&outcome);
                ended[i - 1] = true;
            }
        }
        let mut index = 0;
        clients.retain(|_| {
            index += 1;
            !ended.get(index - 1).copied().unwrap_or(false)
        });
    }
    Ok(format!("served {served} client(s)"))
}
