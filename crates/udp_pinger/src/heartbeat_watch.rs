//! `udp_pinger server --heartbeat`: the server side of the lab's heartbeat
//! exercise. A heartbeat (`Heartbeat <seq> <time>`) is recorded, not
//! answered: gaps in the numbers are lost heartbeats, and a client silent
//! for `--gone-after` intervals is declared gone. The table itself is
//! `udp_pinger::heartbeat::Tracker`; noticing a heartbeat that does *not*
//! come is the loop's job in `wakeups.rs`.

use std::net::SocketAddr;
use std::time::Instant;

use harness::log;
use udp_pinger::heartbeat::{self, Beat, Tracker};
use udp_pinger::{show_seconds, unix_time_now, Fields};

use crate::args::ServerArgs;
use crate::PingServer;

/// The line that says what the server watches for.
pub fn log_watching(tracker: &Tracker, args: &ServerArgs) {
    log!(
        "watching heartbeats: one expected every {}; a client is gone after {} missing \
         (nothing for {})",
        show_seconds(args.interval),
        args.gone_after,
        show_seconds(tracker.silence_limit())
    );
}

impl PingServer {
    /// Records heartbeat `beat` from `peer`, and logs what it tells.
    pub(crate) fn heartbeat(&mut self, peer: SocketAddr, beat: Fields<'_>) {
        let Some(tracker) = &mut self.heartbeats else {
            return;
        };
        if let Some(count) = &mut self.summary.heartbeats {
            *count += 1;
        }
        let seq = beat.seq;
        // The lab's "time difference": the clocks of two machines differ,
        // so across a network this is only as good as their agreement.
        let one_way = beat
            .unix_time
            .map(|sent| format!(", one-way {:.3} ms", (unix_time_now() - sent) * 1000.0))
            .unwrap_or_default();
        let lost = |gap: Option<heartbeat::Gap>| gap.map(|g| format!("; {g}")).unwrap_or_default();
        match tracker.beat(peer, seq, Instant::now()) {
            Beat::New { lost: gap } => {
                log!(
                    "{peer} heartbeat {seq} from a new client{one_way}{}",
                    lost(gap)
                );
            }
            Beat::Next { lost: gap } => log!("{peer} heartbeat {seq}{one_way}{}", lost(gap)),
            Beat::Duplicate => log!("{peer} heartbeat {seq}: duplicate"),
            Beat::OutOfOrder { last } => {
                log!("{peer} heartbeat {seq}: out of order (heartbeat {last} came before it)");
            }
            Beat::Ignored => log!(
                "{peer} heartbeat {seq}: ignored ({} clients watched already)",
                heartbeat::MAX_CLIENTS
            ),
        }
    }

    /// Declares the clients silent for too long gone.
    pub(crate) fn expire_heartbeats(&mut self, now: Instant) {
        let Some(tracker) = &mut self.heartbeats else {
            return;
        };
        for gone in tracker.expire(now) {
            log!(
                "{} gone: no heartbeat for {:.2} s after heartbeat {} ({} received, {} lost before it)",
                gone.addr,
                gone.silent_for.as_secs_f64(),
                gone.last_seq,
                gone.received,
                gone.lost
            );
        }
    }
}
