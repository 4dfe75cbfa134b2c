//! The server side of the lab's heartbeat exercise.
//!
//! A client sends `Heartbeat <seq> <unix time>` every interval and expects no
//! answer. The server keeps, for each client address, the last sequence
//! number and when it came, and so can tell:
//!
//! * which heartbeats were lost: a gap in the numbers (5 after 2: 3 and 4
//!   never came);
//! * which came twice or out of order;
//! * that a client is gone: nothing for `gone_after` intervals in a row
//!   (plus half an interval of slack for a heartbeat that is merely late).
//!
//! A silence is noticed while the server is blocked in `recv_from` because
//! the server never blocks longer than [`Tracker::next_deadline`]: it sets
//! that as the socket's read timeout, then calls [`Tracker::expire`].

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Most clients tracked at once; heartbeats from more are ignored, so a
/// flood of made-up sender addresses cannot grow the table without bound.
pub const MAX_CLIENTS: usize = 1024;

/// Heartbeats that never came: `first` to `last`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub first: u64,
    pub last: u64,
}

impl Gap {
    fn between(after: u64, before: u64) -> Option<Gap> {
        (before > after.saturating_add(1)).then(|| Gap {
            first: after + 1,
            last: before - 1,
        })
    }

    /// How many heartbeats the gap holds.
    pub fn len(&self) -> u64 {
        self.last - self.first + 1
    }

    /// A gap is never empty; this is here for clippy's `len` convention.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Display for Gap {
    /// `lost heartbeat 3` or `lost heartbeats 3-4`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "lost heartbeat {}", self.first)
        } else {
            write!(f, "lost heartbeats {}-{}", self.first, self.last)
        }
    }
}

/// What one heartbeat tells the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beat {
    /// The first heartbeat from this address (the numbering starts at 1, so
    /// a first heartbeat numbered 3 means 1 and 2 were lost).
    New { lost: Option<Gap> },
    /// The next heartbeat, perhaps after a gap.
    Next { lost: Option<Gap> },
    /// The same number as the last one.
    Duplicate,
    /// A number below the last one: it overtook, or was overtaken.
    OutOfOrder { last: u64 },
    /// [`MAX_CLIENTS`] are tracked already.
    Ignored,
}

/// A client declared gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gone {
    pub addr: SocketAddr,
    /// The last heartbeat that came.
    pub last_seq: u64,
    /// How long nothing came.
    pub silent_for: Duration,
    pub received: u64,
    /// Heartbeats missing from gaps between the ones received.
    pub lost: u64,
}

#[derive(Debug)]
struct Client {
    last_seq: u64,
    last_seen: Instant,
    received: u64,
    lost: u64,
}

/// Every client's heartbeats.
#[derive(Debug)]
pub struct Tracker {
    interval: Duration,
    gone_after: u32,
    clients: HashMap<SocketAddr, Client>,
}

impl Tracker {
    /// Clients send a heartbeat every `interval`; one is gone after
    /// `gone_after` missing ones.
    pub fn new(interval: Duration, gone_after: u32) -> Self {
        Tracker {
            interval,
            gone_after,
            clients: HashMap::new(),
        }
    }

    /// How long a client may stay silent before it is declared gone:
    /// `gone_after` intervals and half an interval of slack.
    pub fn silence_limit(&self) -> Duration {
        self.interval * self.gone_after + self.interval / 2
    }

    /// Records heartbeat `seq` from `addr`, received at `now`.
    pub fn beat(&mut self, addr: SocketAddr, seq: u64, now: Instant) -> Beat {
        let full = self.clients.len() >= MAX_CLIENTS;
        let Some(client) = self.clients.get_mut(&addr) else {
            if full {
                return Beat::Ignored;
            }
            let lost = Gap::between(0, seq);
            self.clients.insert(
                addr,
                Client {
                    last_seq: seq,
                    last_seen: now,
                    received: 1,
                    lost: lost.map_or(0, |gap| gap.len()),
                },
            );
            return Beat::New { lost };
        };
        client.last_seen = now;
        if seq == client.last_seq {
            return Beat::Duplicate;
        }
        if seq < client.last_seq {
            return Beat::OutOfOrder {
                last: client.last_seq,
            };
        }
        let lost = Gap::between(client.last_seq, seq);
        client.lost = client.lost.saturating_add(lost.map_or(0, |gap| gap.len()));
        client.received += 1;
        client.last_seq = seq;
        Beat::Next { lost }
    }

    /// Removes and returns the clients silent for longer than the limit.
    pub fn expire(&mut self, now: Instant) -> Vec<Gone> {
        let limit = self.silence_limit();
        let mut gone: Vec<Gone> = self
            .clients
            .iter()
            .filter(|(_, client)| now.saturating_duration_since(client.last_seen) >= limit)
            .map(|(&addr, client)| Gone {
                addr,
                last_seq: client.last_seq,
                silent_for: now.saturating_duration_since(client.last_seen),
                received: client.received,
                lost: client.lost,
            })
            .collect();
        for client in &gone {
            self.clients.remove(&client.addr);
        }
        gone.sort_by_key(|client| client.addr);
        gone
    }

    /// When the next client would be declared gone, if nothing comes from
    /// it: the longest the server may block in `recv_from`.
    pub fn next_deadline(&self) -> Option<Instant> {
        let limit = self.silence_limit();
        self.clients
            .values()
            .map(|client| client.last_seen + limit)
            .min()
    }

    /// How many clients are being tracked.
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// Whether no client is being tracked.
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    #[test]
    fn gaps_in_the_numbers_are_lost_heartbeats() {
        let start = Instant::now();
        let mut tracker = Tracker::new(100 * MS, 3);
        let a = addr(5000);
        assert_eq!(tracker.beat(a, 1, start), Beat::New { lost: None });
        assert_eq!(tracker.beat(a, 2, start), Beat::Next { lost: None });
        let lost = Some(Gap { first: 3, last: 4 });
        assert_eq!(tracker.beat(a, 5, start), Beat::Next { lost });
        assert_eq!(
            lost.map(|g| g.to_string()).as_deref(),
            Some("lost heartbeats 3-4")
        );
        let lost = Some(Gap { first: 6, last: 6 });
        assert_eq!(tracker.beat(a, 7, start), Beat::Next { lost });
        assert_eq!(
            lost.map(|g| g.to_string()).as_deref(),
            Some("lost heartbeat 6")
        );
    }

    #[test]
    fn a_first_heartbeat_above_one_means_the_first_ones_were_lost() {
        let mut tracker = Tracker::new(100 * MS, 3);
        assert_eq!(
            tracker.beat(addr(1), 3, Instant::now()),
            Beat::New {
                lost: Some(Gap { first: 1, last: 2 })
            }
        );
    }

    #[test]
    fn duplicates_and_stragglers_are_told_apart() {
        let now = Instant::now();
        let mut tracker = Tracker::new(100 * MS, 3);
        let a = addr(5000);
        tracker.beat(a, 4, now);
        assert_eq!(tracker.beat(a, 4, now), Beat::Duplicate);
        assert_eq!(tracker.beat(a, 2, now), Beat::OutOfOrder { last: 4 });
        assert_eq!(tracker.beat(a, 5, now), Beat::Next { lost: None });
    }

    #[test]
    fn a_client_is_gone_after_the_silence_limit_not_before() {
        let start = Instant::now();
        let mut tracker = Tracker::new(100 * MS, 3);
        assert_eq!(tracker.silence_limit(), 350 * MS);
        let a = addr(5000);
        let b = addr(6000);
        tracker.beat(a, 1, start);
        tracker.beat(a, 3, start + 200 * MS);
        tracker.beat(b, 1, start + 300 * MS);
        assert_eq!(tracker.next_deadline(), Some(start + 550 * MS));

        assert!(tracker.expire(start + 549 * MS).is_empty());
        let gone = tracker.expire(start + 550 * MS);
        assert_eq!(
            gone,
            [Gone {
                addr: a,
                last_seq: 3,
                silent_for: 350 * MS,
                received: 2,
                lost: 1
            }]
        );
        assert_eq!(tracker.len(), 1, "b is still there");
        assert_eq!(tracker.next_deadline(), Some(start + 650 * MS));
        assert_eq!(tracker.expire(start + 700 * MS).len(), 1);
        assert!(tracker.is_empty());
        assert_eq!(tracker.next_deadline(), None, "nothing to wait for");
    }

    #[test]
    fn a_gone_client_that_comes_back_is_new() {
        let start = Instant::now();
        let mut tracker = Tracker::new(100 * MS, 2);
        let a = addr(5000);
        tracker.beat(a, 1, start);
        assert_eq!(tracker.expire(start + MS * 1000).len(), 1);
        assert_eq!(
            tracker.beat(a, 12, start + MS * 1100),
            Beat::New {
                lost: Some(Gap { first: 1, last: 11 })
            }
        );
    }

    #[test]
    fn absurd_numbers_do_not_overflow() {
        let now = Instant::now();
        let mut tracker = Tracker::new(100 * MS, 3);
        let a = addr(1);
        tracker.beat(a, 1, now);
        let beat = tracker.beat(a, u64::MAX, now);
        assert_eq!(
            beat,
            Beat::Next {
                lost: Some(Gap {
                    first: 2,
                    last: u64::MAX - 1
                })
            }
        );
        assert_eq!(tracker.beat(a, u64::MAX, now), Beat::Duplicate);
        tracker.beat(addr(2), 0, now);
        assert_eq!(tracker.beat(addr(2), 1, now), Beat::Next { lost: None });
    }

    #[test]
    fn the_table_of_clients_is_bounded() {
        let now = Instant::now();
        let mut tracker = Tracker::new(100 * MS, 3);
        for port in 0..MAX_CLIENTS as u16 {
            assert!(matches!(tracker.beat(addr(port), 1, now), Beat::New { .. }));
        }
        assert_eq!(tracker.beat(addr(60000), 1, now), Beat::Ignored);
        assert!(matches!(tracker.beat(addr(0), 2, now), Beat::Next { .. }));
    }
}
