//! The lab's loop for a server that also has work when nothing arrives:
//! a delayed reply falls due (`delayed.rs`), a heartbeat client's silence
//! runs out (`heartbeat_watch.rs`). Before each `recv_from` the socket's
//! read timeout is set to the next of those moments, so the wait ends
//! either with a datagram or when there is something to do.
//!
//! (`harness::udp::next_datagram`, which `main.rs`'s loop uses, waits with
//! no deadline: it logs a timeout as a failed receive and waits again.)

use std::io;
use std::time::{Duration, Instant};

use common::datagram::RECV_BUFFER;
use harness::cli::{describe, is_timeout};
use harness::log;
use harness::stop::Stop;

use crate::delayed::DelayedReplies;
use crate::PingServer;
use udp_pinger::heartbeat::Tracker;

impl PingServer {
    /// The lab's `while True: recvfrom(...)`, which also wakes up when a
    /// delayed reply is due or a heartbeat client's silence runs out.
    pub(crate) fn serve_with_wakeups(&mut self, stop: &Stop) {
        let mut buf = vec![0; RECV_BUFFER];
        while !stop.requested() {
            let wait = self.next_wakeup().map(|at| {
                at.saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1))
            });
            if let Err(e) = self.socket.socket().set_read_timeout(wait) {
                log!("cannot set the socket's read timeout: {}", describe(&e));
                break;
            }
            match self.socket.recv_from(&mut buf) {
                // An empty datagram after Ctrl-C is the shutdown's wake-up.
                Ok(_) if stop.requested() => break,
                Ok((n, peer)) => self.handle(&buf[..n], peer),
                // A timeout, or Ctrl-C arriving during the wait.
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                // Some systems report an earlier reply's "port unreachable"
                // here; it concerns a client that left, not this server.
                Err(e) => log!("receive failed: {}", describe(&e)),
            }
            let now = Instant::now();
            self.send_due(now);
            self.expire_heartbeats(now);
        }
        self.send_waiting_now();
    }

    /// When the loop must wake up even if nothing arrives.
    fn next_wakeup(&self) -> Option<Instant> {
        let reply_due = self.delayed.as_ref().and_then(DelayedReplies::next_due);
        let silence_ends = self.heartbeats.as_ref().and_then(Tracker::next_deadline);
        match (reply_due, silence_ends) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
