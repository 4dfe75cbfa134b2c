//! `udp_pinger server --delay-ms MS`: every reply sent that much late.
//!
//! The server does not sleep: a delayed reply waits in a queue, and the loop
//! in `wakeups.rs` sets the socket's read timeout to the moment the oldest
//! one is due, so other pings are still received (and logged) meanwhile.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use harness::log;

use crate::PingServer;

/// Most delayed replies waiting at once (`--delay-ms`); more are dropped.
const MAX_PENDING: usize = 1024;

/// The replies waiting for `--delay-ms` to pass.
#[derive(Debug)]
pub struct DelayedReplies {
    delay: Duration,
    /// Oldest first; one delay for all keeps them in due order.
    pending: VecDeque<Delayed>,
}

/// A reply waiting for its `--delay-ms` to pass.
#[derive(Debug)]
struct Delayed {
    due: Instant,
    peer: SocketAddr,
    reply: Vec<u8>,
}

impl DelayedReplies {
    /// The queue for `--delay-ms ms`; none for 0, when every reply goes at
    /// once.
    pub fn after_ms(ms: u64) -> Option<Self> {
        (ms > 0).then(|| DelayedReplies {
            delay: Duration::from_millis(ms),
            pending: VecDeque::new(),
        })
    }

    /// When the oldest waiting reply is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.pending.front().map(|delayed| delayed.due)
    }

    /// The oldest waiting reply, if it is due by `now`.
    fn pop_due(&mut self, now: Instant) -> Option<Delayed> {
        if self.next_due()? > now {
            return None;
        }
        self.pending.pop_front()
    }
}

impl PingServer {
    /// Queues `reply` to `peer`, datagram `#num` (`shown` in the log), to
    /// go `--delay-ms` from now; or drops it when the queue is full.
    pub(crate) fn reply_later(&mut self, reply: Vec<u8>, peer: SocketAddr, num: u64, shown: &str) {
        let Some(delayed) = &mut self.delayed else {
            return;
        };
        if delayed.pending.len() >= MAX_PENDING {
            self.summary.dropped += 1;
            log!("{peer} #{num} {shown}: dropped ({MAX_PENDING} delayed replies already waiting)");
            return;
        }
        log!(
            "{peer} #{num} {shown}: reply in {} ms",
            delayed.delay.as_millis()
        );
        delayed.pending.push_back(Delayed {
            due: Instant::now() + delayed.delay,
            peer,
            reply,
        });
    }

    /// Sends the delayed replies due by `now`.
    pub(crate) fn send_due(&mut self, now: Instant) {
        while let Some(due) = self.delayed.as_mut().and_then(|q| q.pop_due(now)) {
            self.reply(&due.reply, due.peer);
        }
    }

    /// At Ctrl-C: the replies still waiting are sent now rather than never.
    pub(crate) fn send_waiting_now(&mut self) {
        let Some(delayed) = &self.delayed else {
            return;
        };
        if !delayed.pending.is_empty() {
            log!(
                "delayed replies still waiting: {}; sending them now",
                delayed.pending.len()
            );
            self.send_due(Instant::now() + delayed.delay);
        }
    }
}
