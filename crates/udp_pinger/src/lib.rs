//! The logic of the UDP pinger lab, kept apart from the sockets so that tests
//! can call it directly:
//!
//! * the messages on the wire: `Ping <seq> <unix time>` and
//!   `Heartbeat <seq> <unix time>` ([`ping_message`], [`reply_sequence`]);
//! * [`loss`]: which datagrams the server pretends the network lost (the
//!   lab's `num % 3 == 1`, or a seeded random rate);
//! * [`stats`]: the client's record of each ping, matching replies by
//!   sequence number (late replies, duplicates) and the statistics at the end
//!   (loss %, rtt min/avg/max/mdev);
//! * [`heartbeat`]: the server side of the heartbeat exercise: gaps in the
//!   sequence numbers, and a client declared gone after a silence;
//! * [`parse_seconds`]: `--interval 0.2`, `--timeout 1.5`; [`show_datagram`]:
//!   a datagram in a log line.

pub mod heartbeat;
pub mod loss;
pub mod stats;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::show::printable_text;

/// The lab's ping: `Ping <seq> <unix time>`, as the Python client's
/// `'Ping %d %s' % (i + 1, time.time())`.
pub fn ping_message(seq: u64, unix_time: f64) -> String {
    format!("Ping {seq} {unix_time:.6}")
}

/// The heartbeat exercise's message: `Heartbeat <seq> <unix time>`.
pub fn heartbeat_message(seq: u64, unix_time: f64) -> String {
    format!("Heartbeat {seq} {unix_time:.6}")
}

/// Seconds since 1970 by the wall clock, the time a ping carries. (RTTs are
/// measured on the monotonic clock instead: the wall clock can jump.)
pub fn unix_time_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}

/// A message split into its three fields: a word, a sequence number and the
/// sender's unix time (when there is a valid one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fields<'a> {
    pub word: &'a str,
    pub seq: u64,
    pub unix_time: Option<f64>,
}

/// Reads `WORD <seq> [<unix time>]` from a datagram; `None` for anything
/// else (not UTF-8, no number, a negative or enormous number).
pub fn parse_fields(datagram: &[u8]) -> Option<Fields<'_>> {
    let text = std::str::from_utf8(datagram).ok()?;
    let mut words = text.split_ascii_whitespace();
    let word = words.next()?;
    let seq = words.next()?.parse().ok()?;
    let unix_time = words
        .next()
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|t| t.is_finite());
    Some(Fields {
        word,
        seq,
        unix_time,
    })
}

/// The sequence number a reply answers: the server sends the ping back
/// upper-cased (`PING 3 1700000000.123456`), so the word is matched without
/// regard to case. `None` when the datagram is not a ping or its reply.
pub fn reply_sequence(datagram: &[u8]) -> Option<u64> {
    parse_fields(datagram)
        .filter(|f| f.word.eq_ignore_ascii_case("ping"))
        .map(|f| f.seq)
}

/// The heartbeat a datagram carries, if it is one (`Heartbeat <seq> ...`,
/// any case).
pub fn heartbeat_fields(datagram: &[u8]) -> Option<Fields<'_>> {
    parse_fields(datagram).filter(|f| f.word.eq_ignore_ascii_case("heartbeat"))
}

/// Parses a number of seconds such as `1`, `0.2` or `1.5` (clap's value
/// parser for `--interval` and `--timeout`): negative, NaN, infinite and
/// absurdly large values are refused with a message.
pub fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds (try 1 or 0.2)"))?;
    if seconds.is_nan() || seconds < 0.0 {
        return Err(format!(
            "'{text}' is not a number of seconds: it must be 0 or more"
        ));
    }
    // A day is far beyond any use here and keeps every sum of instants safe.
    if seconds > 86_400.0 {
        return Err(format!("'{text}' seconds is too long: at most 86400"));
    }
    if seconds == 0.0 {
        return Ok(Duration::ZERO); // also -0, which from_secs_f64 would refuse
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Like [`parse_seconds`], but zero is refused too: a timeout of 0 would
/// never wait, and heartbeats 0 s apart would flood the server.
pub fn parse_positive_seconds(text: &str) -> Result<Duration, String> {
    let duration = parse_seconds(text)?;
    if duration < Duration::from_millis(1) {
        return Err(format!("'{text}' seconds is too short: at least 0.001"));
    }
    Ok(duration)
}

/// A duration in seconds as a person writes it: `1 s`, `0.2 s`.
pub fn show_seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

/// A datagram as one short quoted piece of a log line: `"Ping 1 ..."`, its
/// first 60 bytes and the count (`"PPPP..." (65507 bytes)`) when it is
/// longer, `(empty datagram)` when there is nothing to quote.
pub fn show_datagram(datagram: &[u8]) -> String {
    const SHOWN: usize = 60;
    if datagram.is_empty() {
        return "(empty datagram)".to_string();
    }
    if datagram.len() <= SHOWN {
        return format!("\"{}\"", printable_text(datagram));
    }
    format!(
        "\"{}...\" ({} bytes)",
        printable_text(&datagram[..SHOWN]),
        datagram.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ping_carries_its_sequence_number_and_the_time() {
        assert_eq!(ping_message(3, 1700000000.5), "Ping 3 1700000000.500000");
        assert_eq!(
            heartbeat_message(7, 1700000000.25),
            "Heartbeat 7 1700000000.250000"
        );
    }

    #[test]
    fn a_reply_is_matched_by_its_number_in_any_case() {
        assert_eq!(reply_sequence(b"PING 3 1700000000.500000"), Some(3));
        assert_eq!(reply_sequence(b"Ping 12 1.0"), Some(12));
        assert_eq!(reply_sequence(b"ping 4"), Some(4), "the time is optional");
    }

    #[test]
    fn anything_else_answers_no_ping() {
        for junk in [
            &b""[..],
            b"hello",
            b"PING",
            b"PING x 1.0",
            b"PING -1 1.0",
            b"PING 99999999999999999999999 1.0",
            b"PONG 1 1.0",
            b"\xff\xfe PING 1",
            b"HEARTBEAT 1 1.0",
        ] {
            assert_eq!(reply_sequence(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn a_heartbeat_time_that_is_not_a_finite_number_is_ignored() {
        let beat = heartbeat_fields(b"Heartbeat 2 NaN").expect("a heartbeat");
        assert_eq!((beat.seq, beat.unix_time), (2, None));
        let beat = heartbeat_fields(b"HEARTBEAT 5 1e999").expect("a heartbeat");
        assert_eq!(beat.unix_time, None, "infinity is no time");
        let beat = heartbeat_fields(b"heartbeat 6 12.5").expect("a heartbeat");
        assert_eq!(beat.unix_time, Some(12.5));
        assert!(heartbeat_fields(b"Ping 1 2.0").is_none());
    }

    #[test]
    fn seconds_may_have_fractions() {
        assert_eq!(parse_seconds("1"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_seconds("0.1"), Ok(Duration::from_millis(100)));
        assert_eq!(parse_seconds("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_seconds("0"), Ok(Duration::ZERO));
        assert_eq!(parse_seconds("-0"), Ok(Duration::ZERO));
    }

    #[test]
    fn negative_nan_infinite_and_words_are_refused() {
        for bad in ["-1", "-0.5", "NaN", "nan", "inf", "1e30", "one", ""] {
            assert!(parse_seconds(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(
            parse_seconds("-1"),
            Err("'-1' is not a number of seconds: it must be 0 or more".into())
        );
    }

    #[test]
    fn a_timeout_must_be_more_than_nothing() {
        assert_eq!(
            parse_positive_seconds("0.5"),
            Ok(Duration::from_millis(500))
        );
        assert!(parse_positive_seconds("0").is_err());
        assert!(parse_positive_seconds("0.0000001").is_err());
        assert!(parse_positive_seconds("-3").is_err());
    }

    #[test]
    fn durations_are_shown_as_people_write_them() {
        assert_eq!(show_seconds(Duration::from_secs(1)), "1 s");
        assert_eq!(show_seconds(Duration::from_millis(200)), "0.2 s");
        assert_eq!(show_seconds(Duration::from_millis(1500)), "1.5 s");
    }

    #[test]
    fn a_datagram_is_quoted_cut_at_60_bytes_or_said_empty() {
        assert_eq!(show_datagram(b"Ping 1 2.5"), "\"Ping 1 2.5\"");
        assert_eq!(show_datagram(b""), "(empty datagram)");
        assert_eq!(show_datagram(b"a\nb"), "\"a\\nb\"");
        let long = [b'P'; 61];
        assert_eq!(
            show_datagram(&long),
            format!("\"{}...\" (61 bytes)", "P".repeat(60))
        );
    }
}
