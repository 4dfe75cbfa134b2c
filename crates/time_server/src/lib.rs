//! The time server's logic, apart from the sockets: what to answer to a
//! datagram, and how to write the time the way Python's `str(datetime.now())`
//! does.
//!
//! The lesson's server calls `time.strftime(fmt)` on whatever a client
//! sends. Here the format goes to `chrono`, which knows most of the same
//! directives (`%Y %m %d %H %M %S %X %a %b ...`). A format is text from the
//! network, so everything that can go wrong with it is an answer, never a
//! crash: an unknown directive, a lone `%`, bytes that are not UTF-8, or a
//! reply too long for one datagram.

use std::fmt::{self, Write as _};

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Timelike, Utc};
use common::datagram::MAX_DATAGRAM;

/// What an empty datagram asks for, as in the lesson: `2023-04-19 17:04:30`.
pub const DEFAULT_FORMAT: &str = "%Y-%m-%d %X";

/// The format `time_server client --utc` asks for over UDP: a time with its
/// zone offset (`2023-04-19 17:04:30 +0800`), which the client can turn into
/// UTC itself. The lesson's Python server understands it too (`%z`).
pub const ZONED_FORMAT: &str = "%Y-%m-%d %H:%M:%S %z";

/// Which clock the server reads: its local time (the lesson) or UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Local,
    Utc,
}

impl Zone {
    /// `--utc` or not.
    pub fn utc_if(utc: bool) -> Self {
        if utc {
            Zone::Utc
        } else {
            Zone::Local
        }
    }

    /// The UDP server's answer to one datagram: the current time in the
    /// format the datagram holds, or why it cannot be given.
    pub fn answer(self, datagram: &[u8]) -> Result<String, FormatError> {
        let format = if datagram.is_empty() {
            DEFAULT_FORMAT
        } else {
            std::str::from_utf8(datagram).map_err(|_| FormatError::NotUtf8)?
        };
        match self {
            Zone::Local => render(format, &Local::now(), MAX_DATAGRAM),
            Zone::Utc => render(format, &Utc::now(), MAX_DATAGRAM),
        }
    }

    /// The TCP server's message: the current time as Python's
    /// `str(datetime.now())` writes it, or `str(datetime.now(timezone.utc))`
    /// with `--utc`.
    pub fn daytime(self) -> String {
        match self {
            Zone::Local => python_str(&Local::now().naive_local(), None),
            Zone::Utc => python_str(&Utc::now().naive_utc(), Some("+00:00")),
        }
    }
}

/// Why a format got an `error:` reply instead of a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The datagram is not UTF-8 text.
    NotUtf8,
    /// A `%` at the very end, with nothing after it.
    LonePercent,
    /// A directive chrono cannot render, e.g. `%Q`, at this byte offset.
    BadDirective { directive: String, at: usize },
    /// chrono refused the format and the culprit could not be pinned down.
    Unrenderable,
    /// The time in this format would not fit in one datagram.
    TooLong { limit: usize },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::NotUtf8 => f.write_str("the format is not UTF-8 text"),
            FormatError::LonePercent => {
                f.write_str("a lone '%' ends the format (write %% for a percent sign)")
            }
            FormatError::BadDirective { directive, at } => write!(
                f,
                "'{directive}' (at byte {at}) is not a strftime directive \
                 (write %% for a percent sign)"
            ),
            FormatError::Unrenderable => f.write_str("this format cannot be rendered"),
            FormatError::TooLong { limit } => write!(
                f,
                "the time in this format would be longer than one datagram can carry \
                 ({limit} bytes); use a shorter format"
            ),
        }
    }
}

impl std::error::Error for FormatError {}

/// A `fmt::Write` that refuses to grow past `limit` bytes, so rendering a
/// huge format stops as soon as the answer is known to be too long.
struct Capped {
    text: String,
    limit: usize,
    overflowed: bool,
}

impl fmt::Write for Capped {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.text.len() + s.len() > self.limit {
            self.overflowed = true;
            return Err(fmt::Error);
        }
        self.text.push_str(s);
        Ok(())
    }
}

/// `time.strftime(format)` for the time `at`, at most `limit` bytes long.
///
/// chrono's `at.format(f).to_string()` panics on a format it cannot render
/// (its `Display` returns `fmt::Error`, which `to_string` does not expect);
/// writing it out with `write_to` turns that into an `Err` instead.
pub fn render<Tz: TimeZone>(
    format: &str,
    at: &DateTime<Tz>,
    limit: usize,
) -> Result<String, FormatError>
where
    Tz::Offset: fmt::Display,
{
    let mut out = Capped {
        text: String::new(),
        limit,
        overflowed: false,
    };
    match at.format(format).write_to(&mut out) {
        Ok(()) => Ok(out.text),
        Err(_) if out.overflowed => Err(FormatError::TooLong { limit }),
        Err(_) => Err(bad_directive(format, at)),
    }
}

/// Finds which directive of a format chrono refused, for the error reply.
///
/// A directive is a `%` and at most four more characters (`%:::z` is the
/// longest), and what follows it up to the next `%` is plain text. So each
/// `%` is tried with the text after it, up to the next `%` and at most five
/// characters: if that renders, the directive is good and the scan moves on.
fn bad_directive<Tz: TimeZone>(format: &str, at: &DateTime<Tz>) -> FormatError
where
    Tz::Offset: fmt::Display,
{
    let renders = |piece: &str| at.format(piece).write_to(&mut String::new()).is_ok();
    let mut offset = 0;
    while let Some(found) = format[offset..].find('%') {
        let start = offset + found;
        let spec = &format[start..];
        if spec.starts_with("%%") {
            offset = start + 2;
            continue;
        }
        let end = spec
            .char_indices()
            .skip(1)
            .take(4)
            .take_while(|&(_, c)| c != '%')
            .last()
            .map_or(1, |(i, c)| i + c.len_utf8());
        if end == 1 {
            return FormatError::LonePercent; // nothing after it ("%%" was skipped)
        }
        if !renders(&spec[..end]) {
            let second = spec[1..].chars().next().map_or(1, |c| 1 + c.len_utf8());
            return FormatError::BadDirective {
                directive: spec[..second].to_string(),
                at: start,
            };
        }
        offset = start + end;
    }
    FormatError::Unrenderable
}

/// A time as Python's `str()` writes a `datetime`: `2023-04-19 17:04:30.293444`,
/// without the fraction when the microseconds are zero
/// (`2023-04-19 17:04:30`), then the offset of an aware datetime, if any.
pub fn python_str(at: &NaiveDateTime, offset: Option<&str>) -> String {
    let mut text = at.format("%Y-%m-%d %H:%M:%S").to_string();
    // Python has no leap seconds: chrono counts one as nanoseconds past 1e9.
    let micros = at.nanosecond() % 1_000_000_000 / 1_000;
    if micros != 0 {
        let _ = write!(text, ".{micros:06}");
    }
    text.push_str(offset.unwrap_or(""));
    text
}

/// For `time_server client --proto tcp --utc`: the server's message as UTC,
/// in the same `str(datetime)` shape. Only a message that carries its offset
/// (`... +08:00`, as `time_server server --proto tcp --utc` sends) can be
/// converted; a naive local time says nothing about its zone.
pub fn daytime_to_utc(message: &str) -> Result<String, String> {
    let message = message.trim();
    if let Ok(at) = DateTime::parse_from_str(message, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Ok(python_str(&at.naive_utc(), Some("+00:00")));
    }
    if NaiveDateTime::parse_from_str(message, "%Y-%m-%d %H:%M:%S%.f").is_ok() {
        return Err(format!(
            "the server sent its local time without a zone offset ({message}), so it \
             cannot be shown in UTC; start the server with --utc"
        ));
    }
    Err(format!("the server's message is not a time: {message}"))
}

/// For `time_server client --utc` over UDP: the server answered
/// [`ZONED_FORMAT`]; show that moment in UTC in the format the user wanted.
pub fn zoned_to_utc(reply: &str, format: &str) -> Result<String, String> {
    let at = DateTime::parse_from_str(reply.trim(), ZONED_FORMAT).map_err(|_| {
        format!("the server's reply is not a time with a zone offset (asked for '{ZONED_FORMAT}'): {reply}")
    })?;
    render(format, &at.with_timezone(&Utc), MAX_DATAGRAM).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, NaiveDate};

    /// 2023-04-19 17:04:30.293444 at UTC+8, the lesson's example time.
    fn lesson_time() -> DateTime<FixedOffset> {
        let naive = NaiveDate::from_ymd_opt(2023, 4, 19)
            .and_then(|d| d.and_hms_micro_opt(17, 4, 30, 293_444))
            .expect("a valid date");
        FixedOffset::east_opt(8 * 3600)
            .expect("a valid offset")
            .from_local_datetime(&naive)
            .single()
            .expect("a fixed offset has one local time")
    }

    fn render_lesson(format: &str) -> Result<String, FormatError> {
        render(format, &lesson_time(), MAX_DATAGRAM)
    }

    #[test]
    fn the_default_format_is_date_and_hh_mm_ss() {
        assert_eq!(
            render_lesson(DEFAULT_FORMAT),
            Ok("2023-04-19 17:04:30".into())
        );
        assert_eq!(render_lesson("%X"), Ok("17:04:30".into()));
    }

    #[test]
    fn common_directives_render_like_strftime() {
        assert_eq!(
            render_lesson("%a %b %d %H:%M:%S %Y"),
            Ok("Wed Apr 19 17:04:30 2023".into())
        );
        assert_eq!(render_lesson("%z"), Ok("+0800".into()));
        assert_eq!(render_lesson("100%%"), Ok("100%".into()));
        assert_eq!(render_lesson("%Y年%m月%d日"), Ok("2023年04月19日".into()));
    }

    #[test]
    fn unknown_directives_are_named_with_their_place() {
        assert_eq!(
            render_lesson("%Q"),
            Err(FormatError::BadDirective {
                directive: "%Q".into(),
                at: 0
            })
        );
        assert_eq!(
            render_lesson("%Y-%m %é"),
            Err(FormatError::BadDirective {
                directive: "%é".into(),
                at: 6
            })
        );
        // `%#z` is a parse-only directive: chrono accepts it in a format but
        // cannot write it.
        assert_eq!(
            render_lesson("%%%#z"),
            Err(FormatError::BadDirective {
                directive: "%#".into(),
                at: 2
            })
        );
        assert_eq!(
            render_lesson("%Y%%Q %.3f %:::z %-d %Q"),
            Err(FormatError::BadDirective {
                directive: "%Q".into(),
                at: 21
            })
        );
    }

    #[test]
    fn a_lone_percent_is_its_own_error() {
        assert_eq!(render_lesson("%"), Err(FormatError::LonePercent));
        assert_eq!(render_lesson("%Y %"), Err(FormatError::LonePercent));
        assert_eq!(
            render_lesson("%%%"),
            Err(FormatError::LonePercent),
            "%% is a percent sign, the third % is alone"
        );
        assert_eq!(render_lesson("%%Y"), Ok("%Y".into()), "%% then a plain Y");
    }

    #[test]
    fn a_reply_never_exceeds_the_limit() {
        let ten_kb = "%Y".repeat(5 * 1024);
        assert_eq!(render_lesson(&ten_kb), Ok("2023".repeat(5 * 1024)));
        let sixty_kb = "%Y".repeat(30 * 1024);
        assert_eq!(
            render_lesson(&sixty_kb),
            Err(FormatError::TooLong {
                limit: MAX_DATAGRAM
            })
        );
        let exactly = "a".repeat(MAX_DATAGRAM);
        assert_eq!(render_lesson(&exactly).map(|r| r.len()), Ok(MAX_DATAGRAM));
        assert_eq!(
            render_lesson(&"a".repeat(MAX_DATAGRAM + 1)),
            Err(FormatError::TooLong {
                limit: MAX_DATAGRAM
            })
        );
    }

    #[test]
    fn error_texts_say_what_to_do() {
        assert_eq!(
            FormatError::BadDirective {
                directive: "%Q".into(),
                at: 3
            }
            .to_string(),
            "'%Q' (at byte 3) is not a strftime directive (write %% for a percent sign)"
        );
        assert!(FormatError::TooLong { limit: 65_507 }
            .to_string()
            .contains("(65507 bytes)"));
    }

    #[test]
    fn an_empty_or_non_utf8_datagram() {
        let empty = Zone::Utc.answer(b"").expect("the default format");
        assert_eq!(empty.len(), "2023-04-19 17:04:30".len(), "{empty}");
        assert_eq!(Zone::Local.answer(b"\xff%Y"), Err(FormatError::NotUtf8));
        assert_eq!(Zone::Utc.answer(b"%Z"), Ok("UTC".into()));
    }

    #[test]
    fn python_str_drops_zero_microseconds() {
        let at = lesson_time().naive_local();
        assert_eq!(python_str(&at, None), "2023-04-19 17:04:30.293444");
        let whole = at.with_nanosecond(0).expect("valid");
        assert_eq!(python_str(&whole, None), "2023-04-19 17:04:30");
        let tiny = at.with_nanosecond(5_000).expect("valid");
        assert_eq!(python_str(&tiny, None), "2023-04-19 17:04:30.000005");
        let sub_micro = at.with_nanosecond(999).expect("valid");
        assert_eq!(
            python_str(&sub_micro, None),
            "2023-04-19 17:04:30",
            "Python keeps microseconds only"
        );
        assert_eq!(
            python_str(&at, Some("+00:00")),
            "2023-04-19 17:04:30.293444+00:00"
        );
    }

    #[test]
    fn daytime_converts_only_a_time_with_an_offset() {
        assert_eq!(
            daytime_to_utc("2023-04-19 17:04:30.293444+08:00\n"),
            Ok("2023-04-19 09:04:30.293444+00:00".into())
        );
        assert_eq!(
            daytime_to_utc("2023-04-19 00:30:00-01:00"),
            Ok("2023-04-19 01:30:00+00:00".into())
        );
        let naive = daytime_to_utc("2023-04-19 17:04:30.293444").expect_err("no zone");
        assert!(naive.contains("start the server with --utc"), "{naive}");
        let junk = daytime_to_utc("hello").expect_err("not a time");
        assert!(junk.ends_with("not a time: hello"), "{junk}");
    }

    #[test]
    fn a_zoned_reply_is_shown_in_utc() {
        assert_eq!(
            zoned_to_utc("2023-04-19 17:04:30 +0800", DEFAULT_FORMAT),
            Ok("2023-04-19 09:04:30".into())
        );
        assert_eq!(
            zoned_to_utc("2023-04-19 17:04:30 +0800", "%H %Z"),
            Ok("09 UTC".into())
        );
        assert!(zoned_to_utc("error: nope", "%Y").is_err());
        assert!(zoned_to_utc("2023-04-19 17:04:30 +0800", "%Q").is_err());
    }
}
