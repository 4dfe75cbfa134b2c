//! Timestamped log lines: `2026-11-21 10:00:00 127.0.0.1:43817 connected`.
//!
//! A server's log goes to stdout, one line per event, each line written
//! whole, so the lines of several connection threads never mix.

use std::fmt;
use std::io::{self, Write};

/// Writes one log line to stdout: local time, then the message.
///
/// Use it through [`log!`](crate::log!), which takes `format!` arguments.
pub fn line(message: fmt::Arguments<'_>) {
    let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S");
    let line = format!("{now} {message}\n");
    let _ = io::stdout().lock().write_all(line.as_bytes());
}

/// Logs one event: `common::log!("{peer} connected")`.
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {
        $crate::log::line(format_args!($($arg)*))
    };
}

/// Shows bytes from the network as text: UTF-8 where it is, `\u{fffd}` where
/// it is not, and control characters escaped so a peer cannot move the
/// cursor or clear the screen of whoever reads the log.
pub fn printable_text(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    for c in String::from_utf8_lossy(bytes).chars() {
        if c.is_control() {
            text.extend(c.escape_default());
        } else {
            text.push(c);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_keeps_chinese_and_escapes_controls() {
        assert_eq!(printable_text("你好 hello".as_bytes()), "你好 hello");
        assert_eq!(printable_text(b"a\x1b[2Jb\r\n"), "a\\u{1b}[2Jb\\r\\n");
        assert_eq!(printable_text(b"\xff\xfeok"), "\u{fffd}\u{fffd}ok");
    }
}
