//! For comparison: blocking calls, a thread per client (`ThreadingTCPServer`,
//! the usual answer before multiplexing).
//!
//! ```text
//!   thread 1: recv() ┆ wait ┆ copy ┆ → send() → recv() ┆ wait ...
//!   thread 2: recv() ┆ wait ........... ┆ copy ┆ → send() ...
//!   thread 3: accept() ┆ wait for the next handshake ...
//! ```
//!
//! Each thread runs exactly the blocking model's loop
//! ([`blocking::serve_client`]): both phases still happen inside `recv()`,
//! and the thread sleeps through them, but only that thread. The kernel's
//! scheduler does the multiplexing: it wakes whichever thread's socket got
//! data. The price is a thread per connection, idle or not: a stack (2 MiB
//! reserved, a few pages touched), a kernel task, a context switch per
//! message. `scripts/bench.sh io_models` measures what that costs at 10,000
//! connections.
//!
//! [`harness::server::serve`] does the accepting, the limit (`--max-clients`,
//! a one-line refusal beyond it) and the drain at Ctrl-C.

use std::net::TcpListener;
use std::sync::Arc;

use harness::server::{self, Capacity, Summary};
use harness::stop::Stop;

use super::blocking;
use crate::Settings;

pub fn serve(listener: &TcpListener, stop: &Stop, settings: &Settings) -> Summary {
    let capacity = Capacity::max_clients(settings.max_clients);
    let settings = Arc::new(settings.clone());
    server::serve(listener, stop, &capacity, move |stream, peer| {
        blocking::serve_client(&stream, peer, &settings);
    })
}
