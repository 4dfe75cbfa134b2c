//! HTTP dates (`Date`, `Last-Modified`, `If-Modified-Since`), through chrono.
//!
//! A server sends one format, IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`,
//! always in GMT, always 29 characters. A recipient must also accept the two
//! obsolete formats (RFC 9110 §5.6.7): RFC 850 (`Sunday, 06-Nov-94 08:49:37
//! GMT`) and C's asctime (`Sun Nov  6 08:49:37 1994`). HTTP dates count whole
//! seconds, so a file's modification time is compared in whole seconds too.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDateTime};

/// The format of every date this server sends.
pub const IMF_FIXDATE: &str = "%a, %d %b %Y %H:%M:%S GMT";

/// The obsolete formats a recipient must still read.
const RFC_850: &str = "%A, %d-%b-%y %H:%M:%S GMT";
const ASCTIME: &str = "%a %b %e %H:%M:%S %Y";

/// `Sun, 06 Nov 1994 08:49:37 GMT` for a time in whole seconds since 1970.
pub fn format(unix_seconds: i64) -> String {
    DateTime::from_timestamp(unix_seconds, 0)
        .unwrap_or_default()
        .format(IMF_FIXDATE)
        .to_string()
}

/// Reads an HTTP date in any of its three formats; `None` for anything else
/// (and a client's invalid date is then ignored, as RFC 9110 says).
pub fn parse(value: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(value).ok()?;
    let parsed = if text.len() == 29 {
        NaiveDateTime::parse_from_str(text, IMF_FIXDATE)
    } else if text.contains('-') {
        NaiveDateTime::parse_from_str(text, RFC_850)
    } else {
        NaiveDateTime::parse_from_str(text, ASCTIME)
    };
    parsed.ok().map(|time| time.and_utc().timestamp())
}

/// A file time (`metadata.modified()`) in whole seconds since 1970.
pub fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Seconds since 1970, now, by the wall clock.
pub fn now_seconds() -> i64 {
    unix_seconds(SystemTime::now())
}

/// An HTTP date formatted once and reused while the second it names is the
/// same: each connection keeps one for `Date` and one for `Last-Modified`,
/// so a busy connection formats a date about once a second, not once a
/// request.
#[derive(Debug, Default)]
pub struct DateCache {
    seconds: Option<i64>,
    text: String,
}

impl DateCache {
    /// The date for `unix_seconds`, formatted if it differs from the last.
    pub fn get(&mut self, unix_seconds: i64) -> &str {
        if self.seconds != Some(unix_seconds) {
            self.text = format(unix_seconds);
            self.seconds = Some(unix_seconds);
        }
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9110's example instant, Sun, 06 Nov 1994 08:49:37 GMT.
    const EXAMPLE: i64 = 784_111_777;

    #[test]
    fn dates_are_sent_as_imf_fixdate() {
        assert_eq!(format(EXAMPLE), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(format(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn all_three_formats_are_read() {
        assert_eq!(parse(b"Sun, 06 Nov 1994 08:49:37 GMT"), Some(EXAMPLE));
        assert_eq!(parse(b"Sunday, 06-Nov-94 08:49:37 GMT"), Some(EXAMPLE));
        assert_eq!(parse(b"Sun Nov  6 08:49:37 1994"), Some(EXAMPLE));
    }

    #[test]
    fn anything_else_is_not_a_date() {
        for bad in [
            &b""[..],
            b"yesterday",
            b"Sun, 06 Nov 1994 08:49:37 UTC",
            b"Sun, 32 Nov 1994 08:49:37 GMT",
            b"Sun, 06 Nov 1994 25:49:37 GMT",
            b"\xff\xfe",
            b"1994-11-06T08:49:37Z",
        ] {
            assert_eq!(parse(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn a_date_round_trips() {
        let now = now_seconds();
        assert_eq!(parse(format(now).as_bytes()), Some(now));
    }

    #[test]
    fn the_cache_reformats_only_for_a_new_second() {
        let mut cache = DateCache::default();
        assert_eq!(cache.get(EXAMPLE), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(cache.get(EXAMPLE + 1), "Sun, 06 Nov 1994 08:49:38 GMT");
    }

    #[test]
    fn file_times_before_1970_are_negative() {
        let before = UNIX_EPOCH - std::time::Duration::from_secs(5);
        assert_eq!(unix_seconds(before), -5);
    }
}
