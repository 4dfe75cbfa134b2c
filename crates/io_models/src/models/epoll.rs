//! Model 3c, I/O multiplexing with `epoll(7)` (IO复用模型), level-triggered.
//!
//! ```text
//!   process                              kernel
//!   epoll_ctl(ADD, fd, EPOLLIN)  (once per socket: the interest list)
//!   epoll_wait() ─────────────────────▶  no socket ready
//!     ┆ blocked in epoll_wait()             ┆   phase 1: wait; a socket
//!     ┆                                     ▼   that gets data is put on
//!          ◀──── [fd 7: EPOLLIN] ───────  the ready list
//!   recv(7) ──────────────────────────▶  copy to user space   phase 2:
//!   process the data ◀──── return n ───  copy complete        in recv()
//! ```
//!
//! Still two phases and two calls per message, as with `select`. The
//! difference is where the list lives: in the kernel. Each socket is
//! registered once (`epoll_ctl`), the kernel appends a socket to the ready
//! list when data arrives, and `epoll_wait` returns only the ready ones.
//! The cost of a wait follows the number of *ready* sockets, not of
//! connected ones: 10,000 idle connections cost nothing per message.
//!
//! Level-triggered (the default, used here): a socket is reported again on
//! every `epoll_wait` for as long as it is readable, so reading once per
//! report (1,024 bytes) is enough, as with `select` and `poll`.
//! Edge-triggered (`EPOLLET`) would report a socket only when it *becomes*
//! readable: the loop would then have to read until `EWOULDBLOCK` every
//! time, or bytes left in the buffer would never be reported again. It
//! saves wake-ups; it costs that discipline.

use std::collections::HashMap;
use std::io;
use std::net::TcpListener;

use harness::stop::Stop;
use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};

use crate::client::{self, Accepted, Client};
use crate::Settings;

/// The `data` of the listener's registration; a client's is its descriptor.
const LISTENER: u64 = u64::MAX;

/// How many ready sockets one `epoll_wait` reports at most.
const EVENTS: usize = 256;

pub fn serve(listener: &TcpListener, stop: &Stop, settings: &Settings) -> io::Result<String> {
    listener.set_nonblocking(true)?;
    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
    epoll.add(listener, EpollEvent::new(EpollFlags::EPOLLIN, LISTENER))?;
    let mut clients: HashMap<u64, Client> = HashMap::new();
    let mut events = vec![EpollEvent::empty(); EVENTS];
    let mut served = 0u64;

    while !stop.requested() {
        // Phase 1: block here until a registered socket is ready.
        let n = match epoll.wait(&mut events, EpollTimeout::NONE) {
            Ok(n) => n,
            Err(Errno::EINTR) => continue, // a signal (Ctrl-C): look at the flag
            Err(e) => return Err(e.into()),
        };
        if stop.requested() {
            break; // woken by Ctrl-C's connection: do not serve it
        }
        for event in &events[..n] {
            let key = event.data();
            if key == LISTENER {
                while let Accepted::New(stream, peer) = client::accept(listener) {
                    let Some(client) = Client::new(stream, peer, settings.trace) else {
                        continue;
                    };
                    let key = client.raw_fd() as u64;
                    let registered =
                        epoll.add(client.fd(), EpollEvent::new(EpollFlags::EPOLLIN, key));
                    if let Err(e) = registered {
                        client.log_end(&Err(e.into())); // costs only this client
                        continue;
                    }
                    clients.insert(key, client);
                    served += 1;
                }
                continue;
            }
            let Some(client) = clients.get_mut(&key) else {
                continue;
            };
            // Phase 2: the socket is ready, so this call only copies.
            let was_writing = client.wants_write();
            let outcome = client.serve();
            if client::is_end(&outcome) {
                client.log_end(&outcome);
                // Closing the socket takes it off the interest list.
                clients.remove(&key);
            } else if client.wants_write() != was_writing {
                // Owed a reply: wait for room to send it, not for more data.
                let interest = if client.wants_write() {
                    EpollFlags::EPOLLOUT
                } else {
                    EpollFlags::EPOLLIN
                };
                if let Err(e) = epoll.modify(client.fd(), &mut EpollEvent::new(interest, key)) {
                    client.log_end(&Err(e.into()));
                    clients.remove(&key);
                }
            }
        }
    }
    Ok(format!("served {served} client(s)"))
}
