//! What the two ends of one message record as they send and receive it, and
//! the tables built from that record once they are done: each line says
//! which call of the lesson's Python it was and what it moved.
//!
//! ```text
//! client: the 4-byte length, the JSON header, the file
//!   send(struct.pack('i', 40))  b'(\x00\x00\x00'                             4 bytes
//!   send(head_bytes)            b'{"file_size":11,"file_name":"notes.txt"}'  40 bytes
//!   sendall(file)               notes.txt                                    11 bytes
//! ```

use std::io::{self, Write};

use common::show::{byte_count, python_bytes, python_bytes_cut, Table};
use common::wire::{encode_prefix, WireError};
use struct_header::{FileHeader, INT_SIZE};

/// How many bytes of a file body the receiver shows.
const PREVIEW: usize = 48;

/// What the sender put on the wire.
#[derive(Debug)]
pub struct Sent {
    /// `head_bytes`: the JSON header, after its 4-byte length.
    pub head_bytes: Vec<u8>,
    pub file_name: String,
    /// How many bytes of the file followed the header.
    pub file_bytes: u64,
}

/// What the receiver took off the wire, step by step: a step that failed
/// leaves its field empty, so a bad message shows how far it got.
#[derive(Debug, Default)]
pub struct Received {
    /// The 4 bytes of `recv(4)`, when their number was refused as a length.
    pub refused_prefix: Option<[u8; INT_SIZE]>,
    /// The number `struct.unpack('i', ...)` gave, accepted as a length.
    pub head_len: Option<usize>,
    /// `head_bytes` and what `json.loads` made of them.
    pub header: Option<(Vec<u8>, FileHeader)>,
    /// The file, all `file_size` bytes of it.
    pub file: Option<FileStart>,
}

impl Received {
    /// Keeps the 4 bytes of a prefix that `read_prefix` refused, rebuilt
    /// from the number they held.
    pub fn note_refused(&mut self, e: &WireError) {
        self.refused_prefix = match e {
            WireError::NegativeLength(n) => Some(n.to_le_bytes()),
            WireError::TooLong { len, .. } => i32::try_from(*len).ok().map(i32::to_le_bytes),
            _ => None,
        };
    }
}

/// Keeps the first bytes written to it, one more than [`PREVIEW`] to know
/// whether more came, and counts the rest, so a body of any size costs no
/// memory.
#[derive(Debug, Default)]
pub struct FileStart {
    first: Vec<u8>,
    len: u64,
}

impl Write for FileStart {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = PREVIEW + 1 - self.first.len();
        self.first.extend_from_slice(&buf[..buf.len().min(room)]);
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Prints the sender's table.
pub fn sent(sent: &Sent) {
    print_now(&sent_table(sent));
}

/// Prints the receiver's table, as far as the message got.
pub fn received(got: &Received) {
    print_now(&received_table(got));
}

/// The sender's table, with its heading.
pub fn sent_table(sent: &Sent) -> String {
    let head_len = sent.head_bytes.len();
    let prefix = encode_prefix(head_len).expect("a header that was sent fits its prefix");
    let mut table = Table::new(&[]);
    table.row([
        format!("send(struct.pack('i', {head_len}))"),
        python_bytes(&prefix),
        byte_count(INT_SIZE),
    ]);
    table.row([
        "send(head_bytes)".to_string(),
        python_bytes(&sent.head_bytes),
        byte_count(head_len),
    ]);
    table.row([
        "sendall(file)".to_string(),
        sent.file_name.clone(),
        byte_count(to_usize(sent.file_bytes)),
    ]);
    with_heading(
        "client: the 4-byte length, the JSON header, the file",
        &table,
    )
}

/// The receiver's table, with its heading.
pub fn received_table(got: &Received) -> String {
    let mut table = Table::new(&[]);
    if let Some(bytes) = got.refused_prefix {
        let n = i32::from_le_bytes(bytes);
        table.row([
            "recv(4)".into(),
            python_bytes(&bytes),
            format!("struct.unpack('i') → ({n},)"),
        ]);
    }
    if let Some(head_len) = got.head_len {
        let prefix = encode_prefix(head_len).expect("a length read from 4 bytes fits them");
        table.row([
            "recv(4)".into(),
            python_bytes(&prefix),
            format!("struct.unpack('i') → ({head_len},): the header's length"),
        ]);
    }
    if let Some((head_bytes, header)) = &got.header {
        table.row([
            format!("recv({})", head_bytes.len()),
            python_bytes(head_bytes),
            format!("json.loads → file_size {}", header.file_size),
        ]);
    }
    if let Some(file) = &got.file {
        table.row([
            format!("recv({})", file.len),
            python_bytes_cut(&file.first, PREVIEW),
            format!("{}: as file_size said", byte_count(to_usize(file.len))),
        ]);
    }
    with_heading(
        "server: recv(4), then the header, then exactly file_size bytes",
        &table,
    )
}

fn with_heading(heading: &str, table: &Table) -> String {
    format!("{heading}\n{}", table.render("  "))
}

/// Prints now, so the table comes before a server's `error:` line.
fn print_now(text: &str) {
    print!("{text}");
    let _ = io::stdout().flush();
}

/// A byte count from the wire as a `usize`, for [`byte_count`].
pub fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{greeting, receive_message, send_message, GREETING};

    /// The demo's message, sent into memory and read back by the lesson's
    /// two ends: the tables come from their record alone.
    #[test]
    fn a_whole_message_is_recorded_then_tabled() {
        let mut wire = Vec::new();
        let sent = send_message(&mut wire, &greeting(), &mut &GREETING[..]).expect("to memory");
        assert_eq!(wire.len(), 4 + 40 + 33);
        assert_eq!(
            sent_table(&sent),
            r#"client: the 4-byte length, the JSON header, the file
  send(struct.pack('i', 40))  b'(\x00\x00\x00'                             4 bytes
  send(head_bytes)            b'{"file_size":33,"file_name":"hello.txt"}'  40 bytes
  sendall(file)               hello.txt                                    33 bytes
"#
        );
        let mut got = Received::default();
        let header = receive_message(&mut &wire[..], 64, &mut got).expect("the whole message");
        assert_eq!(header, greeting());
        assert_eq!(
            received_table(&got),
            r#"server: recv(4), then the header, then exactly file_size bytes
  recv(4)   b'(\x00\x00\x00'                                         struct.unpack('i') → (40,): the header's length
  recv(40)  b'{"file_size":33,"file_name":"hello.txt"}'              json.loads → file_size 33
  recv(33)  b'hello from struct_header, \xe4\xbd\xa0\xe5\xa5\xbd\n'  33 bytes: as file_size said
"#
        );
    }

    #[test]
    fn a_bad_message_is_tabled_as_far_as_it_got() {
        let heading = "server: recv(4), then the header, then exactly file_size bytes\n";
        let mut got = Received::default();
        let refused = receive_message(&mut &b"\xff\xff\xff\xff{}"[..], 64, &mut got);
        assert!(
            matches!(refused, Err(WireError::NegativeLength(-1))),
            "{refused:?}"
        );
        assert_eq!(
            received_table(&got),
            format!("{heading}  recv(4)  b'\\xff\\xff\\xff\\xff'  struct.unpack('i') → (-1,)\n")
        );

        let mut got = Received::default();
        let cut = receive_message(&mut &b"&\x00\x00\x00{\"file_size\""[..], 64, &mut got);
        assert!(
            matches!(
                cut,
                Err(WireError::Truncated {
                    expected: 38,
                    received: 12
                })
            ),
            "{cut:?}"
        );
        assert_eq!(
            received_table(&got),
            format!(
                "{heading}  recv(4)  b'&\\x00\\x00\\x00'  struct.unpack('i') → (38,): the header's length\n"
            )
        );
    }
}
