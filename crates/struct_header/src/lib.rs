//! What `struct_header` computes, apart from the sockets: Python's
//! `struct.pack('i', n)` and `struct.unpack('i', b)` with their errors, the
//! bytes a student may type for `unpack`, and `json.dumps` spelled the way
//! Python spells it.

use std::fmt;
use std::io;

use serde::{Deserialize, Serialize};

/// `struct.calcsize('i')`.
pub const INT_SIZE: usize = 4;

/// Why a number cannot be packed with `'i'`: Python's `struct.error` texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackError {
    /// Not an integer at all (`struct.pack('i', 'abc')`).
    NotAnInteger,
    /// An integer outside the 4-byte signed range.
    OutOfRange,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackError::NotAnInteger => f.write_str("required argument is not an integer"),
            PackError::OutOfRange => write!(
                f,
                "'i' format requires {} <= number <= {}",
                i32::MIN,
                i32::MAX
            ),
        }
    }
}

/// Reads a decimal integer of any length (`12`, `-1`, `+7`,
/// `99999999999999999999`) and checks that it fits `'i'`.
///
/// Any run of digits is an integer, however long, so a number too big for
/// every Rust type is still [`PackError::OutOfRange`], as in Python.
pub fn parse_int(text: &str) -> Result<i32, PackError> {
    let text = text.trim();
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PackError::NotAnInteger);
    }
    text.parse().map_err(|_| PackError::OutOfRange)
}

/// `struct.pack('i', n)`: native byte order, which is little-endian on
/// every machine students use, and what the lessons put on the wire.
pub fn pack_native(n: i32) -> [u8; INT_SIZE] {
    n.to_ne_bytes()
}

/// `struct.pack('!i', n)`: network byte order, big-endian.
pub fn pack_network(n: i32) -> [u8; INT_SIZE] {
    n.to_be_bytes()
}

/// The name of this machine's byte order, for the `'i'` rows.
pub fn native_order() -> &'static str {
    if cfg!(target_endian = "little") {
        "little-endian"
    } else {
        "big-endian"
    }
}

/// `struct.unpack('i', b)` and `struct.unpack('!i', b)`: exactly 4 bytes,
/// else Python's error.
pub fn unpack(bytes: &[u8]) -> Result<(i32, i32), String> {
    let four: [u8; INT_SIZE] = bytes
        .try_into()
        .map_err(|_| format!("unpack requires a buffer of {INT_SIZE} bytes"))?;
    Ok((i32::from_ne_bytes(four), i32::from_be_bytes(four)))
}

/// Reads the bytes a student types for `unpack`, in one of two spellings:
///
/// * hex, two digits a byte, spaces allowed between bytes:
///   `0c000000`, `0c 00 00 00`, `0C 00 00 00`;
/// * a Python bytes literal, as Python prints it, with or without the
///   `b'...'` around it: `b'\x0c\x00\x00\x00'`, `\x0c\x00\x00\x00`,
///   `b'h\x00\x00\x00'`. Inside it a printable ASCII character stands for
///   itself, and `\xhh`, `\\`, `\'`, `\"`, `\t`, `\n`, `\r` are escapes.
///
/// Text with a backslash, or wrapped in `b'...'`, is a literal; anything
/// else is hex.
pub fn parse_bytes(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    let wrapped = ["'", "\""].iter().find_map(|quote| {
        text.strip_prefix('b')?
            .strip_prefix(quote)?
            .strip_suffix(quote)
    });
    match wrapped {
        Some(inner) => parse_literal(inner),
        None if text.contains('\\') => parse_literal(text),
        None => parse_hex(text),
    }
}

fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() {
        return Err("no bytes given".into());
    }
    if let Some(bad) = digits.iter().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!(
            "'{bad}' is not a hex digit; write the bytes as hex (0c 00 00 00) \
             or as Python prints them (b'\\x0c\\x00\\x00\\x00')"
        ));
    }
    if digits.len() % 2 != 0 {
        return Err(format!(
            "{} hex digits: each byte needs two (0c, not c)",
            digits.len()
        ));
    }
    Ok(digits
        .chunks(2)
        .map(|pair| {
            let hex: String = pair.iter().collect();
            u8::from_str_radix(&hex, 16).expect("two checked hex digits make a byte")
        })
        .collect())
}

fn parse_literal(text: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            if !(' '..='~').contains(&c) {
                return Err(format!(
                    "{c:?} cannot be in a bytes literal: write it as \\x escapes"
                ));
            }
            bytes.push(c as u8);
            continue;
        }
        let escaped = chars
            .next()
            .ok_or("the literal ends with a lone backslash")?;
        bytes.push(match escaped {
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                if hex.len() != 2 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(format!("\\x{hex} is not \\x and two hex digits"));
                }
                u8::from_str_radix(&hex, 16).expect("two checked hex digits make a byte")
            }
            '\\' => b'\\',
            '\'' => b'\'',
            '"' => b'"',
            't' => b'\t',
            'n' => b'\n',
            'r' => b'\r',
            other => return Err(format!("\\{other} is not an escape this tool knows")),
        });
    }
    Ok(bytes)
}

/// The lesson's file header: `{'file_size': ..., 'file_name': ..., 'md5': ...}`.
///
/// Only `file_size` is needed to read the message; the others are what a
/// file transfer sends along. Unknown fields are ignored, so a peer may add
/// its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHeader {
    pub file_size: u64,
    #[serde(default)]
    pub file_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
}

/// The header as Python prints the dict: `{'file_size': 1073741824000,
/// 'file_name': '/a/b/c/d/e/a.txt', 'md5': '...'}`.
pub fn python_dict(header: &FileHeader) -> String {
    let mut out = format!(
        "{{'file_size': {}, 'file_name': {}",
        header.file_size,
        python_str(&header.file_name)
    );
    if let Some(md5) = &header.md5 {
        out.push_str(&format!(", 'md5': {}", python_str(md5)));
    }
    out.push('}');
    out
}

/// A string as Python's `repr` shows it: `'a.txt'`, `"it's"`, `'你好\n'`.
pub fn python_str(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if c == quote => {
                out.push('\\');
                out.push(c);
            }
            _ if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            _ => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `json.dumps(value).encode('utf-8')`, byte for byte: `", "` and `": "`
/// between items, and every character outside printable ASCII written as
/// a `\uXXXX` escape (Python's default `ensure_ascii=True`).
pub fn python_json(value: &impl Serialize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, PythonStyle);
    value
        .serialize(&mut serializer)
        .expect("a header of strings and numbers serializes into a Vec");
    out
}

/// serde_json's compact output, spaced and escaped as Python's `json.dumps`.
struct PythonStyle;

impl serde_json::ser::Formatter for PythonStyle {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        item_separator(writer, first)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        item_separator(writer, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for c in fragment.chars() {
            if (' '..='~').contains(&c) {
                writer.write_all(&[c as u8])?;
            } else {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

/// `json.dumps`' item separator, `", "`, before every item but the first.
fn item_separator<W: ?Sized + io::Write>(writer: &mut W, first: bool) -> io::Result<()> {
    if first {
        Ok(())
    } else {
        writer.write_all(b", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_of_any_length_are_checked_against_the_range() {
        assert_eq!(parse_int("12"), Ok(12));
        assert_eq!(parse_int("-1"), Ok(-1));
        assert_eq!(parse_int("+7"), Ok(7));
        assert_eq!(parse_int(" 007 "), Ok(7));
        assert_eq!(parse_int("2147483647"), Ok(i32::MAX));
        assert_eq!(parse_int("-2147483648"), Ok(i32::MIN));
        for big in [
            "2147483648",
            "-2147483649",
            "1111111111111",
            "99999999999999999999",
            "-340282366920938463463374607431768211457",
        ] {
            assert_eq!(parse_int(big), Err(PackError::OutOfRange), "{big}");
        }
        for junk in ["", "-", "abc", "12abc", "1.5", "0x0c", "1_000", "- 1"] {
            assert_eq!(parse_int(junk), Err(PackError::NotAnInteger), "{junk:?}");
        }
    }

    #[test]
    fn errors_read_as_pythons_struct_error() {
        assert_eq!(
            PackError::OutOfRange.to_string(),
            "'i' format requires -2147483648 <= number <= 2147483647"
        );
        assert_eq!(
            PackError::NotAnInteger.to_string(),
            "required argument is not an integer"
        );
        assert_eq!(
            unpack(b"abc").expect_err("3 bytes"),
            "unpack requires a buffer of 4 bytes"
        );
    }

    #[test]
    fn pack_and_unpack_are_inverse() {
        assert_eq!(
            pack_native(12),
            [0x0c, 0, 0, 0],
            "students' machines are little-endian"
        );
        assert_eq!(pack_network(12), [0, 0, 0, 0x0c]);
        assert_eq!(unpack(&[0x0c, 0, 0, 0]), Ok((12, 201_326_592)));
        assert_eq!(unpack(&[0xff; 4]), Ok((-1, -1)));
        for n in [0, 1, -1, 12, 104, i32::MAX, i32::MIN] {
            assert_eq!(unpack(&pack_native(n)).map(|(native, _)| native), Ok(n));
            assert_eq!(unpack(&pack_network(n)).map(|(_, network)| network), Ok(n));
        }
    }

    #[test]
    fn bytes_are_read_as_hex_or_as_a_python_literal() {
        let twelve = vec![0x0c, 0, 0, 0];
        for spelling in [
            "0c000000",
            "0c 00 00 00",
            "0C 00 00 00",
            "  0c00 0000 ",
            r"\x0c\x00\x00\x00",
            r"b'\x0c\x00\x00\x00'",
            r#"b"\x0c\x00\x00\x00""#,
            r"\x0C\x00\x00\x00",
        ] {
            assert_eq!(parse_bytes(spelling), Ok(twelve.clone()), "{spelling}");
        }
        assert_eq!(parse_bytes(r"b'h\x00\x00\x00'"), Ok(vec![b'h', 0, 0, 0]));
        assert_eq!(parse_bytes(r"b'\\\'\t\n'"), Ok(b"\\'\t\n".to_vec()));
        assert_eq!(parse_bytes(r#"b'"'"#), Ok(b"\"".to_vec()));
    }

    #[test]
    fn bad_bytes_say_what_is_wrong() {
        let err = |text| parse_bytes(text).expect_err(text);
        assert!(
            err("0c 0g").starts_with("'g' is not a hex digit"),
            "{}",
            err("0c 0g")
        );
        assert_eq!(err("0c0"), "3 hex digits: each byte needs two (0c, not c)");
        assert_eq!(err(""), "no bytes given");
        assert_eq!(err(r"\x0"), r"\x0 is not \x and two hex digits");
        assert_eq!(err(r"\q"), r"\q is not an escape this tool knows");
        assert_eq!(err(r"abc\"), "the literal ends with a lone backslash");
        assert!(err(r"b'你\x00'").contains("cannot be in a bytes literal"));
    }

    #[test]
    fn python_json_matches_json_dumps() {
        // What python3 prints for json.dumps(header) with the lesson's header.
        let header = FileHeader {
            file_size: 1_073_741_824_000,
            file_name: "/a/b/c/d/e/a.txt".into(),
            md5: Some("8f6fbf8347faa4924a76856701edb0f3".into()),
        };
        assert_eq!(
            String::from_utf8(python_json(&header)).expect("ASCII"),
            r#"{"file_size": 1073741824000, "file_name": "/a/b/c/d/e/a.txt", "md5": "8f6fbf8347faa4924a76856701edb0f3"}"#
        );
        // json.dumps({'a': '你好\x7f\x01😀', 'b': [1, 2]})
        let value = serde_json::json!({"a": "你好\u{7f}\u{1}😀", "b": [1, 2]});
        assert_eq!(
            String::from_utf8(python_json(&value)).expect("ASCII"),
            r#"{"a": "\u4f60\u597d\u007f\u0001\ud83d\ude00", "b": [1, 2]}"#
        );
    }

    #[test]
    fn the_header_prints_as_pythons_dict() {
        let header = FileHeader {
            file_size: 1_073_741_824_000,
            file_name: "/a/b/c/d/e/a.txt".into(),
            md5: Some("8f6fbf8347faa4924a76856701edb0f3".into()),
        };
        assert_eq!(
            python_dict(&header),
            "{'file_size': 1073741824000, 'file_name': '/a/b/c/d/e/a.txt', \
             'md5': '8f6fbf8347faa4924a76856701edb0f3'}"
        );
        // repr() of each left-hand string in python3.
        assert_eq!(python_str("你好.txt"), "'你好.txt'");
        assert_eq!(python_str("it's"), "\"it's\"");
        assert_eq!(python_str("a'\"b"), "'a\\'\"b'");
        assert_eq!(python_str("x\ty\n\\\u{1}"), "'x\\ty\\n\\\\\\x01'");
    }

    #[test]
    fn a_header_needs_only_its_file_size() {
        let header: FileHeader =
            serde_json::from_str(r#"{"file_size": 3, "extra": true}"#).expect("valid");
        assert_eq!(header.file_size, 3);
        assert_eq!(header.file_name, "");
        let err = serde_json::from_str::<FileHeader>(r#"{"file_name": "a"}"#).expect_err("no size");
        assert!(
            err.to_string().contains("missing field `file_size`"),
            "{err}"
        );
    }
}
