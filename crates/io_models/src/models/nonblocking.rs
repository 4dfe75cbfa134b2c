//! Model 2, non-blocking I/O (非阻塞IO模型): every socket `O_NONBLOCK`, one
//! loop trying each in turn.
//!
//! ```text
//!   process                          kernel
//!   recv() ───────────────────────▶  no data ready
//!          ◀──── EWOULDBLOCK ──────
//!   recv() ───────────────────────▶  no data ready      phase 1: the process
//!          ◀──── EWOULDBLOCK ──────                     asks again and again
//!   recv() ───────────────────────▶  data ready: copy   phase 2: blocked in
//!   process the data ◀─ return n ──  copy complete      recv() for the copy
//! ```
//!
//! No call ever waits for data: `accept()` and `recv()` return at once,
//! with a connection or bytes if there are any and `EWOULDBLOCK` if not.
//! Only the copy (phase 2) still happens inside the call. One thread can
//! so serve every client, by trying them all, over and over. The loop never
//! sleeps; that is the point: the lesson's "轮询操作，大量占用cpu时间"
//! (polling, burning CPU time). Once a second it prints how many calls came
//! back empty; with nobody connected it is millions, and `top` shows the
//! server at 100% of a core doing nothing. `scripts/bench.sh io_models`
//! measures that idle cost beside the other models'.

use std::io;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use harness::log;
use harness::stop::Stop;

use crate::client::{self, Accepted, Client, Progress};
use crate::Settings;

pub fn serve(listener: &TcpListener, stop: &Stop, settings: &Settings) -> io::Result<String> {
    listener.set_nonblocking(true)?;
    let mut clients: Vec<Client> = Vec::new();
    let (mut served, mut total_empty) = (0u64, 0u64);
    let (mut empty, mut moved) = (0u64, 0u64); // this second's counts
    let mut second = Instant::now();

    while !stop.requested() {
        // Anyone in the backlog? (Take them all; the last call says no.)
        loop {
            match client::accept(listener) {
                Accepted::New(..) if stop.requested() => break, // Ctrl-C's wake-up
                Accepted::New(stream, peer) => {
                    if let Some(client) = Client::new(stream, peer, settings.trace) {
                        served += 1;
                        clients.push(client);
                    }
                }
                Accepted::Nobody => break empty += 1,
                Accepted::Failed => break,
            }
        }
        // Any data from anyone? One call each, whatever the answer.
        clients.retain_mut(|client| {
            let outcome = client.serve();
            match outcome {
                Ok(Progress::WouldBlock) => empty += 1,
                Ok(Progress::Moved) => moved += 1,
                _ => {}
            }
            let end = client::is_end(&outcome);
            if end {
                client.log_end(&outcome);
            }
            !end
        });
        if second.elapsed() >= Duration::from_secs(1) {
            log!(
                "nonblocking: {empty} calls returned EWOULDBLOCK in the last second, \
                 {moved} moved data ({} client(s))",
                clients.len()
            );
            total_empty += empty;
            (empty, moved) = (0, 0);
            second = Instant::now();
        }
    }
    total_empty += empty;
    Ok(format!(
        "served {served} client(s); {total_empty} calls returned EWOULDBLOCK"
    ))
}
