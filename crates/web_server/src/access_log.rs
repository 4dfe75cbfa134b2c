//! The access log: a line per request on stdout, as `python3 -m http.server`
//! writes one on stderr.

use std::io::{self, Write};
use std::net::SocketAddr;

use crate::respond::Outcome;

/// One access-log line, like `python3 -m http.server`'s:
/// `127.0.0.1 - - [21/Nov/2026 10:00:00] "GET / HTTP/1.1" 200 1024`.
/// The request line was escaped with `printable_text`: a client cannot put
/// a newline or a terminal escape sequence into the log. A response that
/// broke off (the client went away in the middle) has `-` for its status.
pub fn record(peer: SocketAddr, request_line: &str, outcome: Option<Outcome>) {
    let now = chrono::Local::now().format("%d/%b/%Y %H:%M:%S");
    let (status, size) = match outcome {
        Some(Outcome { status, body_bytes }) if body_bytes > 0 => {
            (status.code().to_string(), body_bytes.to_string())
        }
        Some(Outcome { status, .. }) => (status.code().to_string(), "-".to_string()),
        None => ("-".to_string(), "-".to_string()),
    };
    let line = format!(
        "{} - - [{now}] \"{}\" {status} {size}\n",
        peer.ip(),
        request_line.replace('"', "\\\"")
    );
    let _ = io::stdout().lock().write_all(line.as_bytes());
}
