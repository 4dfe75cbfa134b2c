//! The client's record of a ping session, and the statistics at its end.
//!
//! The lab's client takes whatever `recvfrom` returns next as the reply to
//! the ping it just sent. Over a real network that is wrong: the reply to
//! ping 3 may come after ping 3 timed out, while the client waits for ping 4,
//! and a reply may come twice. So every reply is matched by the sequence
//! number it carries:
//!
//! * to a ping still waited for: the reply, with its round-trip time;
//! * to a ping already given up: *late* — reported, but that ping stays lost;
//! * to a ping already answered: a *duplicate* (`DUP!`), counted apart;
//! * to no ping ever sent: *unknown*, ignored.
//!
//! The statistics are ping's: packets transmitted, received, loss %, and
//! `rtt min/avg/max/mdev`, where mdev = sqrt(E[x²] − E[x]²) over the
//! round-trip times of the replies that came in time.

use std::fmt;
use std::time::{Duration, Instant};

/// Where one ping stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    Answered,
    Lost,
    AnsweredLate,
}

#[derive(Debug)]
struct Packet {
    sent_at: Instant,
    state: State,
}

/// What a reply turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// The reply to a ping still waited for.
    OnTime { seq: u64, rtt: Duration },
    /// The reply to a ping that had already timed out.
    Late { seq: u64, rtt: Duration },
    /// A second (or later) reply to the same ping.
    Duplicate { seq: u64, rtt: Duration },
    /// A reply to a ping that was never sent.
    Unknown { seq: u64 },
}

/// Every ping sent, and what became of it. Sequence numbers start at 1, as
/// in the lab.
#[derive(Debug, Default)]
pub struct PingLog {
    packets: Vec<Packet>,
    rtts_ms: Vec<f64>,
    duplicates: u64,
}

impl PingLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a ping sent at `at`, and returns its sequence number.
    pub fn sent(&mut self, at: Instant) -> u64 {
        self.packets.push(Packet {
            sent_at: at,
            state: State::Waiting,
        });
        self.packets.len() as u64
    }

    /// Records a reply carrying `seq`, received at `at`.
    pub fn reply(&mut self, seq: u64, at: Instant) -> Reply {
        let Some(packet) = self.packet_mut(seq) else {
            return Reply::Unknown { seq };
        };
        let rtt = at.saturating_duration_since(packet.sent_at);
        match packet.state {
            State::Waiting => {
                packet.state = State::Answered;
                self.rtts_ms.push(rtt.as_secs_f64() * 1000.0);
                Reply::OnTime { seq, rtt }
            }
            State::Lost => {
                packet.state = State::AnsweredLate;
                Reply::Late { seq, rtt }
            }
            State::Answered | State::AnsweredLate => {
                self.duplicates += 1;
                Reply::Duplicate { seq, rtt }
            }
        }
    }

    /// Gives up on ping `seq` (its timeout passed, or the port was
    /// unreachable): it counts as lost, even if a reply comes later.
    pub fn lost(&mut self, seq: u64) {
        if let Some(packet) = self.packet_mut(seq) {
            if packet.state == State::Waiting {
                packet.state = State::Lost;
            }
        }
    }

    /// Whether ping `seq` got its reply in time.
    pub fn answered(&self, seq: u64) -> bool {
        self.packet(seq)
            .is_some_and(|packet| packet.state == State::Answered)
    }

    /// The statistics so far.
    pub fn statistics(&self) -> Statistics {
        let count = |state| self.packets.iter().filter(|p| p.state == state).count() as u64;
        Statistics {
            transmitted: self.packets.len() as u64,
            received: count(State::Answered),
            late: count(State::AnsweredLate),
            duplicates: self.duplicates,
            rtt: Rtt::of(&self.rtts_ms),
        }
    }

    fn packet(&self, seq: u64) -> Option<&Packet> {
        let index = usize::try_from(seq.checked_sub(1)?).ok()?;
        self.packets.get(index)
    }

    fn packet_mut(&mut self, seq: u64) -> Option<&mut Packet> {
        let index = usize::try_from(seq.checked_sub(1)?).ok()?;
        self.packets.get_mut(index)
    }
}

/// ping's closing lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Statistics {
    pub transmitted: u64,
    /// Replies that came within the timeout.
    pub received: u64,
    /// Replies that came after their ping timed out (those pings count as
    /// lost).
    pub late: u64,
    pub duplicates: u64,
    /// `None` when no reply came in time.
    pub rtt: Option<Rtt>,
}

impl Statistics {
    /// The share of pings that got no reply in time, in percent.
    pub fn loss_percent(&self) -> f64 {
        if self.transmitted == 0 {
            return 0.0;
        }
        (self.transmitted - self.received) as f64 * 100.0 / self.transmitted as f64
    }
}

impl fmt::Display for Statistics {
    /// `10 packets transmitted, 7 received, +1 late, +2 duplicates, 30% packet loss`
    /// and, if any reply came, `rtt min/avg/max/mdev = a/b/c/d ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} packets transmitted, {} received",
            self.transmitted, self.received
        )?;
        if self.late > 0 {
            write!(f, ", +{} late", self.late)?;
        }
        if self.duplicates > 0 {
            write!(f, ", +{} duplicates", self.duplicates)?;
        }
        write!(f, ", {}% packet loss", percent(self.loss_percent()))?;
        if let Some(rtt) = &self.rtt {
            write!(f, "\n{rtt}")?;
        }
        Ok(())
    }
}

/// A percentage with at most four decimals and no trailing zeros, as ping's
/// `%g` prints it: `0`, `30`, `33.3333`.
fn percent(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Round-trip times in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rtt {
    pub min: f64,
    pub avg: f64,
    pub max: f64,
    /// The standard deviation: sqrt(E[x²] − E[x]²).
    pub mdev: f64,
}

impl Rtt {
    /// The summary of `samples` (milliseconds); `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Rtt> {
        if samples.is_empty() {
            return None;
        }
        let n = samples.len() as f64;
        let mean = samples.iter().sum::<f64>() / n;
        let mean_of_squares = samples.iter().map(|x| x * x).sum::<f64>() / n;
        // Rounding can leave a hair below zero when all samples are equal.
        let variance = (mean_of_squares - mean * mean).max(0.0);
        Some(Rtt {
            min: samples.iter().copied().fold(f64::INFINITY, f64::min),
            avg: mean,
            max: samples.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            mdev: variance.sqrt(),
        })
    }
}

impl fmt::Display for Rtt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rtt min/avg/max/mdev = {:.3}/{:.3}/{:.3}/{:.3} ms",
            self.min, self.avg, self.max, self.mdev
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn rtt_arithmetic_for_a_known_pattern() {
        // mean 25; E[x²] = (100 + 400 + 900 + 1600) / 4 = 750;
        // mdev = sqrt(750 − 625) = sqrt(125) = 11.1803...
        let rtt = Rtt::of(&[10.0, 20.0, 30.0, 40.0]).expect("four samples");
        assert_eq!((rtt.min, rtt.avg, rtt.max), (10.0, 25.0, 40.0));
        assert!((rtt.mdev - 125f64.sqrt()).abs() < 1e-9, "{}", rtt.mdev);
        assert_eq!(
            rtt.to_string(),
            "rtt min/avg/max/mdev = 10.000/25.000/40.000/11.180 ms"
        );
    }

    #[test]
    fn equal_samples_have_no_deviation() {
        let rtt = Rtt::of(&[0.1, 0.1, 0.1]).expect("samples");
        assert_eq!(rtt.mdev, 0.0, "not NaN from a rounding below zero");
        assert_eq!(Rtt::of(&[]), None);
    }

    /// Six pings; 1, 2, 4, 6 answered after 10, 20, 30, 40 ms; 3 and 5 lost.
    fn known_session() -> PingLog {
        let start = Instant::now();
        let mut log = PingLog::new();
        let answers = [Some(10), Some(20), None, Some(30), None, Some(40)];
        for (i, answer) in answers.into_iter().enumerate() {
            let sent_at = start + 1000 * MS * i as u32;
            let seq = log.sent(sent_at);
            assert_eq!(seq, i as u64 + 1);
            match answer {
                Some(ms) => {
                    let reply = log.reply(seq, sent_at + ms * MS);
                    assert_eq!(reply, Reply::OnTime { seq, rtt: ms * MS });
                }
                None => log.lost(seq),
            }
        }
        log
    }

    #[test]
    fn statistics_of_a_known_pattern() {
        let stats = known_session().statistics();
        assert_eq!((stats.transmitted, stats.received), (6, 4));
        assert_eq!((stats.late, stats.duplicates), (0, 0));
        assert!((stats.loss_percent() - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(
            stats.to_string(),
            "6 packets transmitted, 4 received, 33.3333% packet loss\n\
             rtt min/avg/max/mdev = 10.000/25.000/40.000/11.180 ms"
        );
    }

    #[test]
    fn a_late_reply_is_reported_but_its_ping_stays_lost() {
        let mut log = known_session();
        let at = Instant::now() + 10_000 * MS;
        assert!(matches!(log.reply(3, at), Reply::Late { seq: 3, .. }));
        assert!(!log.answered(3));
        let stats = log.statistics();
        assert_eq!((stats.received, stats.late), (4, 1));
        assert_eq!(
            stats.to_string().lines().next(),
            Some("6 packets transmitted, 4 received, +1 late, 33.3333% packet loss")
        );
        assert_eq!(stats.rtt.map(|r| r.max), Some(40.0), "late RTTs not in");
    }

    #[test]
    fn a_second_reply_is_a_duplicate_counted_apart() {
        let mut log = known_session();
        let at = Instant::now() + 10_000 * MS;
        assert!(matches!(log.reply(2, at), Reply::Duplicate { seq: 2, .. }));
        assert!(matches!(log.reply(3, at), Reply::Late { seq: 3, .. }));
        assert!(matches!(log.reply(3, at), Reply::Duplicate { seq: 3, .. }));
        let stats = log.statistics();
        assert_eq!((stats.received, stats.late, stats.duplicates), (4, 1, 2));
        assert!(stats.to_string().starts_with(
            "6 packets transmitted, 4 received, +1 late, +2 duplicates, 33.3333% packet loss\n"
        ));
    }

    #[test]
    fn replies_to_pings_never_sent_are_unknown() {
        let mut log = known_session();
        let at = Instant::now();
        assert_eq!(log.reply(0, at), Reply::Unknown { seq: 0 });
        assert_eq!(log.reply(7, at), Reply::Unknown { seq: 7 });
        assert_eq!(log.reply(u64::MAX, at), Reply::Unknown { seq: u64::MAX });
        assert_eq!(log.statistics().duplicates, 0);
    }

    #[test]
    fn the_reply_to_an_earlier_ping_does_not_answer_the_current_one() {
        let start = Instant::now();
        let mut log = PingLog::new();
        let first = log.sent(start);
        log.lost(first);
        let second = log.sent(start + 1000 * MS);
        // The reply to the first arrives while the second is waited for.
        let reply = log.reply(first, start + 1100 * MS);
        assert_eq!(
            reply,
            Reply::Late {
                seq: 1,
                rtt: 1100 * MS
            }
        );
        assert!(!log.answered(second), "still waiting for the second");
        assert_eq!(
            log.reply(second, start + 1200 * MS),
            Reply::OnTime {
                seq: 2,
                rtt: 200 * MS
            }
        );
    }

    #[test]
    fn no_reply_at_all_means_no_rtt_line() {
        let mut log = PingLog::new();
        for _ in 0..3 {
            let seq = log.sent(Instant::now());
            log.lost(seq);
        }
        let stats = log.statistics();
        assert_eq!(stats.loss_percent(), 100.0);
        assert_eq!(
            stats.to_string(),
            "3 packets transmitted, 0 received, 100% packet loss"
        );
        assert_eq!(
            PingLog::new().statistics().to_string(),
            "0 packets transmitted, 0 received, 0% packet loss"
        );
    }
}
