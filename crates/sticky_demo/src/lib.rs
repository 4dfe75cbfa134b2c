//! The pieces `sticky_demo` needs to show sticky packets the same way every
//! time, and to show them the way the Python lesson prints them.
//!
//! * [`python_bytes`]: bytes as Python's `repr` shows them (`b'hello'`,
//!   `b'\x0c\x00\x00\x00'`), so a student can match the lesson's output;
//! * [`Table`]: a small aligned table, for "sent" beside "received";
//! * [`wait_until_buffered`] and [`peek_now`]: look into a socket's receive
//!   buffer without taking anything, so a receiver can wait until every
//!   byte of the sender is there before its first `recv` — which is what
//!   makes the demo deterministic rather than a matter of timing;
//! * [`SmallReads`]: a reader whose every `recv` is as stingy as the
//!   lesson's case 2 (`recv(1)`, `recv(5)`, `recv(1)`, ...).
//!
//! `python_bytes` and `Table` are used by `struct_header` too.

use std::fmt::Write as _;
use std::io::{self, Read};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

/// Shows bytes exactly as Python's `repr(b)` does: `b'hello'`,
/// `b'\x0c\x00\x00\x00'`, `b"it's"`.
///
/// Printable ASCII stays as it is; `\t`, `\n`, `\r` and the backslash are
/// escaped; every other byte is `\xhh`. Like Python, it picks double quotes
/// when the bytes contain a single quote and no double quote.
pub fn python_bytes(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(bytes.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &b in bytes {
        match b {
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\\' => out.push_str("\\\\"),
            _ if b == quote => {
                out.push('\\');
                out.push(b as char);
            }
            b' '..=b'~' => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote as char);
    out
}

/// Like [`python_bytes`], but shows at most `max` bytes, then ` ...`, so
/// a large message from a peer stays one readable line.
pub fn python_bytes_cut(bytes: &[u8], max: usize) -> String {
    if bytes.len() <= max {
        python_bytes(bytes)
    } else {
        format!("{} ...", python_bytes(&bytes[..max]))
    }
}

/// `1 byte`, `14 bytes`.
pub fn byte_count(n: usize) -> String {
    if n == 1 {
        "1 byte".to_string()
    } else {
        format!("{n} bytes")
    }
}

/// Bytes as spaced hex, `0c 00 00 00`, the way `tcpdump -X` and the
/// `--trace` dump show them.
pub fn spaced_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A small table whose columns line up: a heading row, then data rows.
#[derive(Debug, Clone, Default)]
pub struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headings (an empty heading row is left out).
    pub fn new(headings: &[&str]) -> Self {
        let mut table = Table::default();
        if headings.iter().any(|h| !h.is_empty()) {
            table.row(headings.iter().copied());
        }
        table
    }

    /// Adds one row; a short row leaves its last columns empty.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// The table, each line starting with `indent`, columns two spaces
    /// apart, no trailing spaces.
    pub fn render(&self, indent: &str) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|row| row.get(c))
                    .map(|cell| cell.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for row in &self.rows {
            let mut line = String::from(indent);
            for (c, width) in widths.iter().enumerate() {
                let cell = row.get(c).map(String::as_str).unwrap_or("");
                line.push_str(cell);
                let pad = width - cell.chars().count();
                line.push_str(&" ".repeat(pad + 2));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// How often [`wait_until_buffered`] looks into the receive buffer.
const POLL_EVERY: Duration = Duration::from_millis(5);

/// Waits, at most `within`, until at least `want` bytes sit in `stream`'s
/// receive buffer, without taking any of them (`recv` with `MSG_PEEK`).
/// Returns how many bytes are there (fewer than `want` if time ran out or
/// the peer closed after sending less).
///
/// A receiver that calls this before its first `recv` sees the same thing
/// every run: all the sender's bytes, together, as the lesson describes.
pub fn wait_until_buffered(stream: &TcpStream, want: usize, within: Duration) -> io::Result<usize> {
    let polls = (within.as_millis() / POLL_EVERY.as_millis()).max(1);
    let mut buf = vec![0; want.max(1)];
    stream.set_nonblocking(true)?;
    let mut seen = 0;
    let mut outcome = Ok(());
    for _ in 0..polls {
        match stream.peek(&mut buf) {
            // Zero bytes: the peer closed and sent nothing more to wait for.
            Ok(0) => break,
            Ok(n) => {
                seen = n;
                if n >= want {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
        thread::sleep(POLL_EVERY);
    }
    stream.set_nonblocking(false)?;
    outcome.map(|()| seen)
}

/// The bytes waiting in `stream`'s receive buffer right now (at most
/// `max`), left there for the next `recv`; empty when there are none.
pub fn peek_now(stream: &TcpStream, max: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; max];
    stream.set_nonblocking(true)?;
    let peeked = stream.peek(&mut buf);
    stream.set_nonblocking(false)?;
    match peeked {
        Ok(n) => {
            buf.truncate(n);
            Ok(buf)
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// A reader that never hands out more than the next of `sizes` (cycling)
/// per `read`, like the lesson's `recv(1)`, `recv(5)`, `recv(1)`; it
/// records what each read returned.
#[derive(Debug)]
pub struct SmallReads<R> {
    inner: R,
    sizes: &'static [usize],
    next: usize,
    taken: Vec<usize>,
}

impl<R> SmallReads<R> {
    /// Wraps `inner`; `sizes` must not be empty or contain 0.
    pub fn new(inner: R, sizes: &'static [usize]) -> Self {
        assert!(
            !sizes.is_empty() && !sizes.contains(&0),
            "read sizes must be positive"
        );
        SmallReads {
            inner,
            sizes,
            next: 0,
            taken: Vec::new(),
        }
    }

    /// How many bytes each read returned, in order.
    pub fn taken(&self) -> &[usize] {
        &self.taken
    }
}

impl<R: Read> Read for SmallReads<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let cap = self.sizes[self.next % self.sizes.len()];
        self.next += 1;
        let end = buf.len().min(cap);
        let n = self.inner.read(&mut buf[..end])?;
        self.taken.push(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use std::net::TcpListener;

    #[test]
    fn python_bytes_matches_pythons_repr() {
        // Each right-hand side is what python3 prints for repr(left).
        assert_eq!(python_bytes(b"helloworldegon"), "b'helloworldegon'");
        assert_eq!(python_bytes(b""), "b''");
        assert_eq!(python_bytes(&12i32.to_le_bytes()), r"b'\x0c\x00\x00\x00'");
        assert_eq!(python_bytes(&104i32.to_le_bytes()), r"b'h\x00\x00\x00'");
        assert_eq!(python_bytes(&(-1i32).to_le_bytes()), r"b'\xff\xff\xff\xff'");
        assert_eq!(python_bytes(b"a\tb\nc\rd\\e"), r"b'a\tb\nc\rd\\e'");
        assert_eq!(python_bytes(b"it's"), r#"b"it's""#);
        assert_eq!(python_bytes(b"it's \"x\""), r#"b'it\'s "x"'"#);
        assert_eq!(python_bytes(b"\x7f\x1b"), r"b'\x7f\x1b'");
        assert_eq!(
            python_bytes("你".as_bytes()),
            r"b'\xe4\xbd\xa0'",
            "non-ASCII bytes are escaped, never decoded"
        );
    }

    #[test]
    fn long_bytes_are_cut_for_display() {
        assert_eq!(python_bytes_cut(b"hello", 5), "b'hello'");
        assert_eq!(python_bytes_cut(b"helloworld", 5), "b'hello' ...");
    }

    #[test]
    fn counts_and_hex() {
        assert_eq!(byte_count(1), "1 byte");
        assert_eq!(byte_count(0), "0 bytes");
        assert_eq!(byte_count(14), "14 bytes");
        assert_eq!(spaced_hex(&[0x0c, 0, 0, 0]), "0c 00 00 00");
        assert_eq!(spaced_hex(&[]), "");
    }

    #[test]
    fn table_columns_line_up() {
        let mut table = Table::new(&["sent", "", "received"]);
        table.row([
            "send(b'hello')",
            "5 bytes",
            "recv(1024) → b'helloworldegon'",
        ]);
        table.row(["send(b'egon')", "4 bytes"]);
        assert_eq!(
            table.render("  "),
            "  sent                     received\n\
             \x20 send(b'hello')  5 bytes  recv(1024) → b'helloworldegon'\n\
             \x20 send(b'egon')   4 bytes\n"
        );
    }

    #[test]
    fn small_reads_cycle_through_the_sizes() {
        let mut reader = SmallReads::new(Cursor::new(b"helloworldegon".to_vec()), &[1, 5, 1]);
        let mut got = Vec::new();
        let mut buf = [0; 1024];
        for _ in 0..3 {
            let n = reader.read(&mut buf).expect("cursor read");
            got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        assert_eq!(got, ["h", "ellow", "o"]);
        assert_eq!(reader.taken(), [1, 5, 1]);
    }

    #[test]
    fn waiting_sees_every_byte_of_three_sends_and_takes_none() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let mut sender =
            TcpStream::connect(listener.local_addr().expect("bound")).expect("connect");
        let (receiver, _) = listener.accept().expect("accept");
        for part in [&b"hello"[..], b"world", b"egon"] {
            sender.write_all(part).expect("send");
        }
        let waiting = wait_until_buffered(&receiver, 14, Duration::from_secs(10)).expect("peek");
        assert_eq!(waiting, 14);
        assert_eq!(
            peek_now(&receiver, 1024).expect("peek"),
            b"helloworldegon",
            "peeking took nothing"
        );
        let mut buf = [0; 1024];
        let n = (&receiver).read(&mut buf).expect("recv");
        assert_eq!(&buf[..n], b"helloworldegon");
        assert_eq!(peek_now(&receiver, 1024).expect("peek"), b"");
    }

    #[test]
    fn waiting_returns_early_when_the_peer_closed_with_nothing_sent() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let sender = TcpStream::connect(listener.local_addr().expect("bound")).expect("connect");
        let (receiver, _) = listener.accept().expect("accept");
        drop(sender);
        // Bounded: at most 10 s; returns as soon as the close is seen.
        let waiting = wait_until_buffered(&receiver, 14, Duration::from_secs(10)).expect("peek");
        assert_eq!(waiting, 0);
    }
}
