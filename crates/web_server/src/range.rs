//! `Range: bytes=...` for one range (RFC 9110 §14): how a video player
//! seeks and how a download resumes.
//!
//! Three forms: `bytes=5-9` (bytes 5 to 9), `bytes=10-` (from 10 to the end),
//! `bytes=-25` (the last 25). A range that runs past the end is cut at the
//! end. A range that starts past the end, a suffix of zero, any range of an
//! empty file, and a reversed range (`9-5`) cannot be satisfied: `416` with
//! `Content-Range: bytes */LENGTH`. A header this server does not handle —
//! another unit, several ranges, bad syntax — is ignored, as RFC 9110
//! allows: the client gets the whole file with `200`.

use crate::request::trim_ows;

/// What to do with a request's `Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeRequest {
    /// Send the whole file (no `Range`, or one this server ignores).
    Whole,
    /// Send bytes `first..=last` with `206 Partial Content`.
    Partial { first: u64, last: u64 },
    /// `416 Range Not Satisfiable`.
    Unsatisfiable,
}

/// Decides what a `Range` header value asks of a file of `len` bytes.
pub fn parse(value: &[u8], len: u64) -> RangeRequest {
    let value = trim_ows(value);
    let Some((unit, spec)) = value.split_first_chunk::<6>() else {
        return RangeRequest::Whole;
    };
    if !unit.eq_ignore_ascii_case(b"bytes=") || spec.contains(&b',') {
        return RangeRequest::Whole; // another unit, or several ranges
    }
    let spec = trim_ows(spec);
    let Some(dash) = spec.iter().position(|&b| b == b'-') else {
        return RangeRequest::Whole;
    };
    let (first, last) = (&spec[..dash], &spec[dash + 1..]);
    match (number(first), number(last)) {
        // bytes=-25: the last 25 bytes (all of them if there are fewer).
        (None, Some(suffix)) if first.is_empty() => {
            if suffix == 0 || len == 0 {
                RangeRequest::Unsatisfiable
            } else {
                RangeRequest::Partial {
                    first: len.saturating_sub(suffix),
                    last: len - 1,
                }
            }
        }
        // bytes=10- : from 10 to the end.
        (Some(first), None) if last.is_empty() => within(first, u64::MAX, len),
        // bytes=5-9
        (Some(first), Some(last)) => within(first, last, len),
        _ => RangeRequest::Whole,
    }
}

/// `first..=last` cut to a file of `len` bytes.
fn within(first: u64, last: u64, len: u64) -> RangeRequest {
    if first > last || first >= len {
        RangeRequest::Unsatisfiable
    } else {
        RangeRequest::Partial {
            first,
            last: last.min(len - 1),
        }
    }
}

/// Digits as a number; a number too big for a u64 is as good as u64::MAX
/// (past the end of any file).
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0u64, |n, &b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use RangeRequest::{Partial, Unsatisfiable, Whole};

    #[test]
    fn the_three_forms() {
        assert_eq!(parse(b"bytes=5-5", 100), Partial { first: 5, last: 5 });
        assert_eq!(
            parse(b"bytes=10-", 100),
            Partial {
                first: 10,
                last: 99
            }
        );
        assert_eq!(
            parse(b"bytes=-25", 100),
            Partial {
                first: 75,
                last: 99
            }
        );
    }

    #[test]
    fn ranges_past_the_end_are_cut_at_the_end() {
        assert_eq!(
            parse(b"bytes=90-200", 100),
            Partial {
                first: 90,
                last: 99
            }
        );
        assert_eq!(parse(b"bytes=-500", 100), Partial { first: 0, last: 99 });
        assert_eq!(
            parse(b"bytes=0-99999999999999999999999", 100),
            Partial { first: 0, last: 99 }
        );
    }

    #[test]
    fn unsatisfiable_ranges() {
        assert_eq!(parse(b"bytes=100-", 100), Unsatisfiable);
        assert_eq!(parse(b"bytes=100-200", 100), Unsatisfiable);
        assert_eq!(parse(b"bytes=9-5", 100), Unsatisfiable, "reversed");
        assert_eq!(parse(b"bytes=-0", 100), Unsatisfiable);
        assert_eq!(parse(b"bytes=0-0", 0), Unsatisfiable, "an empty file");
        assert_eq!(parse(b"bytes=-5", 0), Unsatisfiable, "an empty file");
        assert_eq!(parse(b"bytes=99999999999999999999999-", 100), Unsatisfiable);
    }

    #[test]
    fn unit_names_are_case_insensitive_and_spaces_are_optional() {
        assert_eq!(parse(b" BYTES=5-6 ", 100), Partial { first: 5, last: 6 });
        assert_eq!(parse(b"Bytes= 5-6", 100), Partial { first: 5, last: 6 });
    }

    #[test]
    fn what_this_server_does_not_handle_is_ignored() {
        for value in [
            &b"items=0-5"[..],
            b"bytes=0-1,5-6",
            b"bytes=",
            b"bytes=-",
            b"bytes=abc",
            b"bytes=1-x",
            b"bytes=+1-2",
            b"bytes",
            b"",
        ] {
            assert_eq!(
                parse(value, 100),
                Whole,
                "{}",
                String::from_utf8_lossy(value)
            );
        }
    }
}
