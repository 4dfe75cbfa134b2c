//! The server's make-believe network loss.
//!
//! On loopback nothing is ever lost, so the lab's server loses pings on
//! purpose: it counts the messages it receives (`num = num + 1`) and does
//! not answer when `num % 3 == 1`. The original Kurose–Ross lab drops at
//! random instead. [`Loss`] does both:
//!
//! * `--drop-every N`: message numbers ≡ 1 (mod N) are dropped: 1, N+1,
//!   2N+1, ... (N = 3 is the lesson's server);
//! * `--loss RATE`: each message is dropped with probability RATE, drawn from
//!   a generator seeded with `--seed`, so the same seed gives the same
//!   pattern again (with the same build).
//!
//! A message dropped by either rule is dropped.

use std::fmt;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Why a message was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// `num % n == 1`.
    Every { num: u64, n: u64 },
    /// The random draw of `--loss`.
    Random,
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Every { num, n } => write!(f, "{num} % {n} == 1"),
            Cause::Random => f.write_str("random loss"),
        }
    }
}

/// The loss simulation: numbers each message and decides its fate.
#[derive(Debug)]
pub struct Loss {
    rate: f64,
    drop_every: Option<u64>,
    seed: u64,
    rng: StdRng,
    received: u64,
}

impl Loss {
    /// Drops each message with probability `rate` (0 to 1), and every
    /// message numbered ≡ 1 (mod `drop_every`); `seed` fixes the random
    /// draws.
    pub fn new(rate: f64, drop_every: Option<u64>, seed: u64) -> Self {
        Loss {
            rate,
            drop_every,
            seed,
            rng: StdRng::seed_from_u64(seed),
            received: 0,
        }
    }

    /// No loss at all (the default).
    pub fn none() -> Self {
        Loss::new(0.0, None, 0)
    }

    /// Numbers the next message (1, 2, ...) and says whether to drop it.
    pub fn decide(&mut self) -> (u64, Option<Cause>) {
        self.received += 1;
        let num = self.received;
        // Draw for every message, dropped or not, so that the random
        // pattern depends on the seed alone.
        let unlucky = self.rate > 0.0 && self.rng.random::<f64>() < self.rate;
        let cause = match self.drop_every {
            Some(n) if num % n == 1 => Some(Cause::Every { num, n }),
            _ if unlucky => Some(Cause::Random),
            _ => None,
        };
        (num, cause)
    }

    /// How many messages have been numbered.
    pub fn received(&self) -> u64 {
        self.received
    }
}

impl fmt::Display for Loss {
    /// What the server says at start about the loss it simulates.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.drop_every, self.rate > 0.0) {
            (None, false) => f.write_str("no simulated loss"),
            (Some(n), false) => write!(f, "dropping message numbers with num % {n} == 1"),
            (every, true) => {
                if let Some(n) = every {
                    write!(f, "dropping message numbers with num % {n} == 1, and ")?;
                } else {
                    f.write_str("dropping ")?;
                }
                write!(
                    f,
                    "{}% of messages at random (--seed {} repeats this run)",
                    self.rate * 100.0,
                    self.seed
                )
            }
        }
    }
}

/// Parses `--loss RATE`: a probability from 0 to 1.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a probability (try 0.3 for 30%)"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!(
            "'{text}' is not a probability: it must be from 0 to 1"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dropped(loss: &mut Loss, messages: u64) -> Vec<u64> {
        (0..messages)
            .filter_map(|_| match loss.decide() {
                (num, Some(_)) => Some(num),
                (_, None) => None,
            })
            .collect()
    }

    #[test]
    fn drop_every_three_is_the_lessons_num_mod_3_eq_1() {
        let mut loss = Loss::new(0.0, Some(3), 0);
        assert_eq!(dropped(&mut loss, 10), [1, 4, 7, 10]);
        assert_eq!(loss.received(), 10);
        let mut loss = Loss::new(0.0, Some(3), 0);
        assert_eq!(loss.decide(), (1, Some(Cause::Every { num: 1, n: 3 })));
        assert_eq!(loss.decide(), (2, None));
        assert_eq!(Cause::Every { num: 4, n: 3 }.to_string(), "4 % 3 == 1");
    }

    #[test]
    fn no_loss_drops_nothing() {
        assert!(dropped(&mut Loss::none(), 1000).is_empty());
    }

    #[test]
    fn rate_one_drops_everything() {
        assert_eq!(dropped(&mut Loss::new(1.0, None, 5), 100).len(), 100);
    }

    #[test]
    fn the_same_seed_gives_the_same_pattern() {
        let first = dropped(&mut Loss::new(0.3, None, 7), 200);
        let again = dropped(&mut Loss::new(0.3, None, 7), 200);
        let other = dropped(&mut Loss::new(0.3, None, 8), 200);
        assert_eq!(first, again);
        assert_ne!(first, other);
    }

    #[test]
    fn the_rate_is_roughly_kept() {
        let lost = dropped(&mut Loss::new(0.3, None, 1), 10_000).len();
        assert!((2_700..3_300).contains(&lost), "{lost} of 10000");
    }

    #[test]
    fn both_rules_together_drop_the_union() {
        let random = dropped(&mut Loss::new(0.3, None, 7), 30);
        let both = dropped(&mut Loss::new(0.3, Some(3), 7), 30);
        let mut union: Vec<u64> = random.iter().copied().chain((1..=30).step_by(3)).collect();
        union.sort_unstable();
        union.dedup();
        assert_eq!(both, union);
    }

    #[test]
    fn the_start_line_says_what_is_simulated() {
        assert_eq!(Loss::none().to_string(), "no simulated loss");
        assert_eq!(
            Loss::new(0.0, Some(3), 0).to_string(),
            "dropping message numbers with num % 3 == 1"
        );
        assert_eq!(
            Loss::new(0.25, None, 42).to_string(),
            "dropping 25% of messages at random (--seed 42 repeats this run)"
        );
    }

    #[test]
    fn a_rate_is_a_probability() {
        assert_eq!(parse_rate("0.3"), Ok(0.3));
        assert_eq!(parse_rate("0"), Ok(0.0));
        assert_eq!(parse_rate("1"), Ok(1.0));
        for bad in ["-0.1", "1.5", "NaN", "30%", "", "inf"] {
            assert!(parse_rate(bad).is_err(), "{bad} accepted");
        }
    }
}
