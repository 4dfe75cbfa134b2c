//! How bytes and counts are shown to a student.
//!
//! * [`python_bytes`]: bytes as Python's `repr` shows them (`b'hello'`,
//!   `b'\x0c\x00\x00\x00'`), so the output matches the lesson's;
//! * [`spaced_hex`]: `0c 00 00 00`, as `tcpdump -X` and `--trace` show bytes;
//! * [`Table`]: a small aligned table, for "sent" beside "received";
//! * [`count`] and [`byte_count`]: `1 byte`, `14 bytes`.

use std::fmt::Write as _;

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
    count(n as u64, "byte", "bytes")
}

/// A count and its noun: `count(1, "reply", "replies")` is `1 reply`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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

/// A peer's bytes as [`printable_text`], cut after `shown` characters:
/// `GET / HTTP/1.1... (517 bytes)`, so one log line stays one line.
pub fn preview(bytes: &[u8], shown: usize) -> String {
    let text = printable_text(bytes);
    match text.char_indices().nth(shown) {
        Some((cut, _)) => format!("{}... ({} bytes)", &text[..cut], bytes.len()),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_cuts_long_input_at_a_character() {
        assert_eq!(preview(b"short", 10), "short");
        assert_eq!(preview("你好世界".as_bytes(), 2), "你好... (12 bytes)");
    }

    #[test]
    fn printable_text_keeps_chinese_and_escapes_controls() {
        assert_eq!(printable_text("你好 hello".as_bytes()), "你好 hello");
        assert_eq!(printable_text(b"a\x1b[2Jb\r\n"), "a\\u{1b}[2Jb\\r\\n");
        assert_eq!(printable_text(b"\xff\xfeok"), "\u{fffd}\u{fffd}ok");
    }

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
        assert_eq!(count(1, "reply", "replies"), "1 reply");
        assert_eq!(count(2, "reply", "replies"), "2 replies");
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
}
