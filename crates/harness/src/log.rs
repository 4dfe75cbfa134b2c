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

/// Logs one event: `harness::log!("{peer} connected")`.
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {
        $crate::log::line(format_args!($($arg)*))
    };
}
