//! Precompressed files (nginx's `gzip_static`): `style.css.br` and
//! `style.css.gz` made beforehand beside `style.css` (`brotli -k`,
//! `gzip -k`), sent *for* `style.css` to a client whose `Accept-Encoding`
//! allows it, with `Content-Encoding: br` (or `gzip`). The server compresses
//! nothing itself: it picks a file.
//!
//! `Accept-Encoding` (RFC 9110 §12.5.3) is a list of codings, each with an
//! optional weight, `q=0` to `q=1`: `gzip, deflate, br` (all `q=1`),
//! `br;q=0.9, gzip;q=1`, `*;q=0.5` (any coding not named), `gzip;q=0` (never
//! gzip). Names are case-insensitive; `x-gzip` is `gzip`. Of the siblings a
//! file has, the one with the highest weight above 0 is sent; on a tie `br`
//! (smaller than gzip, as a rule). No header, or one that allows none of the
//! siblings, gets the file itself: a server may always send the identity.
//!
//! Whether a file has siblings is looked up (through the same
//! [`crate::site`] rules as every file: a link out of the root or a FIFO
//! does not count) at most once a second per open file, and the answer kept
//! in the file's [`SiblingCheck`], so the common request — a client that
//! sends no `Accept-Encoding`, a file without siblings — costs no system
//! call for this.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::request::trim_ows;

/// The content codings this server has precompressed files for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Br,
    Gzip,
}

impl Coding {
    /// In order of preference on a tie.
    pub const ALL: [Coding; 2] = [Coding::Br, Coding::Gzip];

    /// The `Content-Encoding` value.
    pub fn name(self) -> &'static str {
        match self {
            Coding::Br => "br",
            Coding::Gzip => "gzip",
        }
    }

    /// What the sibling's name adds to the file's: `.br`, `.gz`.
    pub fn extension(self) -> &'static [u8] {
        match self {
            Coding::Br => b".br",
            Coding::Gzip => b".gz",
        }
    }

    /// What the sibling's entity tag adds, so that it differs from the tag
    /// of the same file asked for by its own name.
    pub fn etag_suffix(self) -> &'static str {
        match self {
            Coding::Br => "-br",
            Coding::Gzip => "-gz",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Coding::Br => 1,
            Coding::Gzip => 2,
        }
    }
}

/// Which siblings a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Siblings(u8);

impl Siblings {
    pub const NONE: Siblings = Siblings(0);

    pub fn with(self, coding: Coding) -> Siblings {
        Siblings(self.0 | coding.bit())
    }

    pub fn has(self, coding: Coding) -> bool {
        self.0 & coding.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// How long a file's siblings, once looked up, are taken as known.
pub const SIBLINGS_VALID_SECONDS: i64 = 1;

/// A file's [`Siblings`] and the second they were looked up in, in one
/// atomic word so that threads sharing the file never see one without the
/// other. Zero: never looked up.
#[derive(Debug, Default)]
pub struct SiblingCheck(AtomicU64);

impl SiblingCheck {
    /// The siblings, if looked up less than [`SIBLINGS_VALID_SECONDS`]
    /// before `now` (seconds since 1970).
    pub fn get(&self, now: i64) -> Option<Siblings> {
        let word = self.0.load(Ordering::Relaxed);
        let checked = i64::try_from(word >> 8).ok()?;
        (word != 0 && (0..SIBLINGS_VALID_SECONDS).contains(&now.saturating_sub(checked)))
            .then_some(Siblings(word as u8))
    }

    /// Records `siblings` as looked up at `now`.
    pub fn set(&self, now: i64, siblings: Siblings) {
        if let Ok(now) = u64::try_from(now) {
            if now > 0 && now < 1 << 56 {
                self.0
                    .store(now << 8 | u64::from(siblings.0), Ordering::Relaxed);
            }
        }
    }
}

/// The coding to send, of the `available` siblings, for an
/// `Accept-Encoding` value; `None`: the file itself.
pub fn choose(accept_encoding: &[u8], available: Siblings) -> Option<Coding> {
    let mut best: Option<(Coding, u16)> = None;
    for coding in Coding::ALL {
        if !available.has(coding) {
            continue;
        }
        let weight = weight(accept_encoding, coding);
        if weight > 0 && best.map_or(true, |(_, w)| weight > w) {
            best = Some((coding, weight));
        }
    }
    best.map(|(coding, _)| coding)
}

/// The weight (0 to 1000) `accept_encoding` gives `coding`: its own entry's,
/// else `*`'s, else 0.
fn weight(accept_encoding: &[u8], coding: Coding) -> u16 {
    let mut star = None;
    for entry in accept_encoding.split(|&b| b == b',') {
        let mut parts = entry.split(|&b| b == b';');
        let name = trim_ows(parts.next().unwrap_or_default());
        let Some(q) = quality(parts) else {
            continue; // a weight this server cannot read: the entry is ignored
        };
        let named = name.eq_ignore_ascii_case(coding.name().as_bytes())
            || (coding == Coding::Gzip && name.eq_ignore_ascii_case(b"x-gzip"));
        if named {
            return q;
        }
        if name == b"*" {
            star.get_or_insert(q);
        }
    }
    star.unwrap_or(0)
}

/// The `q` among an entry's parameters, in thousandths; 1000 without one;
/// `None` when it is not a qvalue (`0`, `0.5`, `1.000`: at most three
/// decimals, at most 1).
fn quality<'a>(params: impl Iterator<Item = &'a [u8]>) -> Option<u16> {
    let mut q = 1000;
    for param in params {
        let param = trim_ows(param);
        let Some(value) = param
            .strip_prefix(b"q=")
            .or_else(|| param.strip_prefix(b"Q="))
        else {
            continue;
        };
        let (whole, fraction) = match value.iter().position(|&b| b == b'.') {
            Some(dot) => (&value[..dot], &value[dot + 1..]),
            None => (value, &b""[..]),
        };
        if fraction.len() > 3 || !fraction.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let thousandths = fraction
            .iter()
            .chain(b"000")
            .take(3)
            .fold(0u16, |n, &b| n * 10 + u16::from(b - b'0'));
        q = match whole {
            b"0" => thousandths,
            b"1" if thousandths == 0 => 1000,
            _ => return None,
        };
    }
    Some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: Siblings = Siblings(1 | 2);
    const GZ: Siblings = Siblings(2);
    const BR: Siblings = Siblings(1);

    #[test]
    fn br_is_preferred_when_both_are_allowed_equally() {
        assert_eq!(choose(b"gzip, deflate, br", BOTH), Some(Coding::Br));
        assert_eq!(choose(b"gzip, deflate, br", GZ), Some(Coding::Gzip));
        assert_eq!(choose(b"GZIP", BOTH), Some(Coding::Gzip));
        assert_eq!(choose(b"x-gzip", BOTH), Some(Coding::Gzip));
        assert_eq!(choose(b"br", GZ), None, "no br sibling, gzip not allowed");
    }

    #[test]
    fn weights_decide_and_zero_forbids() {
        assert_eq!(choose(b"br;q=0.5, gzip", BOTH), Some(Coding::Gzip));
        assert_eq!(choose(b"br;q=0.5, gzip;q=0.4", BOTH), Some(Coding::Br));
        assert_eq!(choose(b"br;q=0, gzip", BOTH), Some(Coding::Gzip));
        assert_eq!(choose(b"br;q=0.000, gzip;q=0", BOTH), None);
        assert_eq!(
            choose(b"br ; Q=0 , gzip ; q=0.001", BOTH),
            Some(Coding::Gzip)
        );
        assert_eq!(choose(b"gzip;q=1.000", GZ), Some(Coding::Gzip));
    }

    #[test]
    fn star_counts_for_the_codings_not_named() {
        assert_eq!(choose(b"*", BOTH), Some(Coding::Br));
        assert_eq!(choose(b"*;q=0", BOTH), None);
        assert_eq!(choose(b"br;q=0, *", BOTH), Some(Coding::Gzip));
        assert_eq!(choose(b"*;q=0.2, gzip;q=0.1", BOTH), Some(Coding::Br));
        assert_eq!(choose(b"identity", BOTH), None);
        assert_eq!(choose(b"", BOTH), None, "an empty list: identity only");
    }

    #[test]
    fn unreadable_weights_drop_their_entry() {
        for value in [
            &b"br;q=2"[..],
            b"br;q=1.5",
            b"br;q=0.1234",
            b"br;q=",
            b"br;q=.5",
            b"br;q=-0",
            b"br;q=x",
        ] {
            assert_eq!(
                choose(value, BR),
                None,
                "{}",
                String::from_utf8_lossy(value)
            );
        }
        assert_eq!(choose(b"br;q=abc, gzip", BOTH), Some(Coding::Gzip));
    }

    #[test]
    fn a_sibling_check_lasts_its_second() {
        let check = SiblingCheck::default();
        assert_eq!(check.get(1_000), None, "never looked up");
        check.set(1_000, GZ);
        assert_eq!(check.get(1_000), Some(GZ));
        assert_eq!(check.get(1_001), None, "a second later: look again");
        assert_eq!(check.get(999), None, "the clock went back");
        check.set(1_001, Siblings::NONE);
        assert_eq!(check.get(1_001), Some(Siblings::NONE));
        check.set(-5, BOTH);
        assert_eq!(check.get(-5), None, "a clock before 1970 is never trusted");
        assert_eq!(check.get(i64::MIN), None, "nor one at the end of time");
    }
}
