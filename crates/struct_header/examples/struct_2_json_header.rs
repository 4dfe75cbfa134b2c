//! Step 2 of the fixed-length header lesson: the JSON header (seed 003, §十一 自定制报头).
//!
//! The lesson's 1 TB file (1073741824000 bytes) in a header {file_size,
//! file_name, md5}: json.dumps makes it head_bytes, struct.pack('i',
//! len(head_bytes)) the 4 bytes in front. Prints what a sender sends, why
//! the size itself does not fit 'i', and what a receiver reads back. No
//! network: the lesson's program sketches both ends (ftp sends real files).
//!
//! ```text
//! cargo run -p struct_header --example struct_2_json_header      # [FILE_SIZE [FILE_NAME [MD5]]]
//! ```
//!
//! Adds to struct_1_pack the header: a size too big for 'i' travels inside
//! the JSON, and only the header's length is packed.

use std::env;
use std::io::{self, Cursor, Write};

use common::wire::{encode_prefix, read_prefix, recv_exact, DEFAULT_MAX_HEADER};
use serde::{Deserialize, Serialize};
use serde_json::ser::{Formatter, Serializer};

const FILE_NAME: &str = "/a/b/c/d/e/a.txt"; // the lesson's path and md5
const MD5: &str = "8f6fbf8347faa4924a76856701edb0f3";

/// The lesson's header. json.dumps keeps the dict's order; serde, the fields'.
#[derive(Serialize, Deserialize)]
struct Header {
    file_size: u64,
    file_name: String,
    md5: String,
}

fn main() -> io::Result<()> {
    let mut args = env::args().skip(1);
    let file_size: u64 = args
        .next()
        .map_or(Ok(1073741824000), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: struct_2_json_header [SIZE [NAME [MD5]]]"))?;
    let header = Header {
        file_size,
        file_name: args.next().unwrap_or_else(|| FILE_NAME.into()),
        md5: args.next().unwrap_or_else(|| MD5.into()),
    };

    // The header as bytes, spelt as Python's json.dumps spells it.
    let mut head_bytes = Vec::new();
    header.serialize(&mut Serializer::with_formatter(&mut head_bytes, PythonJson))?;
    let head_len_bytes = encode_prefix(head_bytes.len())?; // struct.pack('i', len(head_bytes))
    println!("head_bytes = {}", String::from_utf8_lossy(&head_bytes));
    println!("len(head_bytes) = {}", head_bytes.len());
    println!("head_len_bytes = b'{}'", head_len_bytes.escape_ascii());

    // The sender: the 4 bytes, the header, then the file's bytes.
    let wire = [&head_len_bytes[..], &head_bytes].concat();
    println!("先发报头的长度, 再发报头: {} 个字节", wire.len());
    for line in wire.chunks(16) {
        let hex: Vec<String> = line.iter().map(|byte| format!("{byte:02x}")).collect();
        println!("  {}", hex.join(" "));
    }
    println!("然后发真实的数据 {file_size} 个字节");
    if i32::try_from(file_size).is_err() {
        println!("struct.pack('i', {file_size}): struct.error: 'i' format requires -2147483648 <= number <= 2147483647");
        println!("  so the size travels inside the header; 'i' packs only the header's length");
    }

    // The receiver, reading the same bytes back: recv(4), struct.unpack('i'),
    // recv(x), json.loads. The lesson's bug: it json.loads(json.dumps(header)),
    // the sender's dict; a receiver has only the bytes it received.
    let mut conn = Cursor::new(wire);
    let x = read_prefix(&mut conn, DEFAULT_MAX_HEADER)?;
    let received: Header = serde_json::from_slice(&recv_exact(&mut conn, x)?)?;
    println!("收到报头的长度 {x}, file_size {}", received.file_size);
    Ok(())
}

/// json.dumps' spelling: ", " between items, ": " after a key, and ensure_ascii:
/// all but printable ASCII as \uXXXX of UTF-16 (beyond U+FFFF, a surrogate pair).
struct PythonJson;

impl Formatter for PythonJson {
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"" } else { b", " })
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        for c in s.chars() {
            if matches!(c, ' '..='~') {
                write!(w, "{c}")?;
            } else {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    write!(w, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}
