//! Message boundaries on a byte stream.
//!
//! TCP delivers a stream of bytes, not messages (the 粘包 lesson), so the
//! lessons put a 4-byte length in front of every message with
//! `struct.pack('i', n)`: a signed 32-bit integer, little-endian on every
//! machine students use. This module writes and reads exactly that:
//!
//! ```text
//! frame:        [ len: i32 little-endian ][ len bytes ]
//! JSON header:  a frame whose bytes are one UTF-8 JSON object
//! ```
//!
//! Every length read from the wire is checked before it is used, so a peer
//! can never make us allocate more than the caller's maximum.

use std::fmt;
use std::io::{self, Read, Write};

use byteorder::{ByteOrder, LittleEndian};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The largest JSON header a reader accepts unless told otherwise (64 KiB).
pub const DEFAULT_MAX_HEADER: usize = 64 * 1024;

/// Size of the length prefix: `struct.calcsize('i')`.
pub const PREFIX_LEN: usize = 4;

/// What can go wrong while reading or writing a message.
#[derive(Debug)]
pub enum WireError {
    /// The socket itself failed (reset, timeout, ...).
    Io(io::Error),
    /// The peer closed the connection cleanly before the first byte of a
    /// message: the normal end of a conversation.
    Closed,
    /// The peer closed the connection in the middle of a message.
    Truncated { expected: usize, received: usize },
    /// The prefix, read as the lessons' signed `'i'`, is negative.
    NegativeLength(i32),
    /// The prefix is larger than the reader allows.
    TooLong { len: usize, max: usize },
    /// A message too long for a 4-byte signed prefix (more than 2 GiB - 1).
    TooLongToSend { len: usize },
    /// The header bytes are not the JSON object the reader expected; the
    /// text is serde_json's, which names the problem ("missing field `cmd`").
    BadHeader(String),
}

impl WireError {
    /// True when the peer simply hung up between messages.
    pub fn is_closed(&self) -> bool {
        matches!(self, WireError::Closed)
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Io(e) => write!(f, "{e}"),
            WireError::Closed => write!(f, "the peer closed the connection"),
            WireError::Truncated { expected, received } => write!(
                f,
                "was expecting {expected} bytes but only received {received} bytes \
                 before the socket closed"
            ),
            WireError::NegativeLength(n) => {
                write!(f, "length prefix is negative ({n}): not a valid frame")
            }
            WireError::TooLong { len, max } => {
                write!(
                    f,
                    "length prefix says {len} bytes, more than the maximum of {max}"
                )
            }
            WireError::TooLongToSend { len } => write!(
                f,
                "{len} bytes do not fit a 4-byte signed length prefix (at most {})",
                i32::MAX
            ),
            WireError::BadHeader(why) => write!(f, "bad JSON header: {why}"),
        }
    }
}

impl std::error::Error for WireError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WireError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for WireError {
    fn from(e: io::Error) -> Self {
        WireError::Io(e)
    }
}

impl From<WireError> for io::Error {
    fn from(e: WireError) -> Self {
        match e {
            WireError::Io(e) => e,
            WireError::Closed | WireError::Truncated { .. } => {
                io::Error::new(io::ErrorKind::UnexpectedEof, e.to_string())
            }
            other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
        }
    }
}

/// Reads exactly `n` bytes: the lessons' `recvall(sock, n)`.
///
/// A single `recv(n)` may return fewer bytes than asked for; this keeps
/// reading until it has all `n`. If the peer closes first, the error names
/// both counts. The buffer grows as bytes arrive, so a large `n` announced by
/// a peer that then sends nothing costs no memory.
pub fn recv_exact(reader: &mut impl Read, n: usize) -> Result<Vec<u8>, WireError> {
    // Room for a header-sized message up front, so it is read in one
    // `recv`; a larger one grows as it arrives.
    let mut data = Vec::with_capacity(n.min(DEFAULT_MAX_HEADER));
    reader.take(n as u64).read_to_end(&mut data)?;
    if data.len() < n {
        return Err(WireError::Truncated {
            expected: n,
            received: data.len(),
        });
    }
    Ok(data)
}

/// Encodes a length as the lessons' `struct.pack('i', len)`.
pub fn encode_prefix(len: usize) -> Result<[u8; PREFIX_LEN], WireError> {
    let len = i32::try_from(len).map_err(|_| WireError::TooLongToSend { len })?;
    let mut prefix = [0; PREFIX_LEN];
    LittleEndian::write_i32(&mut prefix, len);
    Ok(prefix)
}

/// Writes one frame: the 4-byte little-endian length, then the payload.
///
/// Prefix and payload go out in a single `write_all`, so Nagle's algorithm
/// never holds the payload back waiting for the 4-byte prefix to be acked.
pub fn write_frame(writer: &mut impl Write, payload: &[u8]) -> Result<(), WireError> {
    let mut frame = Vec::with_capacity(PREFIX_LEN + payload.len());
    frame.extend_from_slice(&encode_prefix(payload.len())?);
    frame.extend_from_slice(payload);
    writer.write_all(&frame)?;
    Ok(())
}

/// Reads a 4-byte length prefix and checks it against `max`.
///
/// A clean close before the first byte is [`WireError::Closed`]; a close
/// inside the prefix is [`WireError::Truncated`].
pub fn read_prefix(reader: &mut impl Read, max: usize) -> Result<usize, WireError> {
    let prefix = match recv_exact(reader, PREFIX_LEN) {
        Err(WireError::Truncated { received: 0, .. }) => return Err(WireError::Closed),
        other => other?,
    };
    let len = LittleEndian::read_i32(&prefix);
    let len = usize::try_from(len).map_err(|_| WireError::NegativeLength(len))?;
    if len > max {
        return Err(WireError::TooLong { len, max });
    }
    Ok(len)
}

/// Reads one frame of at most `max` payload bytes.
pub fn read_frame(reader: &mut impl Read, max: usize) -> Result<Vec<u8>, WireError> {
    let len = read_prefix(reader, max)?;
    recv_exact(reader, len)
}

/// Writes `header` as a JSON object inside one frame.
pub fn write_json_header<T: Serialize>(
    writer: &mut impl Write,
    header: &T,
) -> Result<(), WireError> {
    let json = serde_json::to_vec(header).map_err(|e| WireError::BadHeader(e.to_string()))?;
    write_frame(writer, &json)
}

/// Reads one frame of at most `max` bytes and parses it as a `T`.
///
/// Malformed JSON, a missing field or a field of the wrong type is a
/// [`WireError::BadHeader`] whose text says which.
pub fn read_json_header<T: DeserializeOwned>(
    reader: &mut impl Read,
    max: usize,
) -> Result<T, WireError> {
    let json = read_frame(reader, max)?;
    serde_json::from_slice(&json).map_err(|e| WireError::BadHeader(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;
    use std::io::Cursor;

    /// A reader that hands out one byte per `read`, like a peer that sends
    /// its message one byte per segment.
    struct OneByteAtATime<R>(R);

    impl<R: Read> Read for OneByteAtATime<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let end = buf.len().min(1);
            self.0.read(&mut buf[..end])
        }
    }

    fn framed(payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_frame(&mut out, payload).expect("writing to a Vec cannot fail");
        out
    }

    #[test]
    fn prefix_is_struct_pack_i_little_endian() {
        // struct.pack('i', 12) == b'\x0c\x00\x00\x00'
        assert_eq!(encode_prefix(12).expect("12 fits"), [0x0c, 0, 0, 0]);
        assert_eq!(framed(b"hi"), b"\x02\x00\x00\x00hi");
    }

    #[test]
    fn recv_exact_names_both_counts_on_early_close() {
        let err = recv_exact(&mut Cursor::new(b"hello"), 16).expect_err("only 5 of 16 bytes");
        assert_eq!(
            err.to_string(),
            "was expecting 16 bytes but only received 5 bytes before the socket closed"
        );
    }

    #[test]
    fn recv_exact_leaves_the_rest_in_the_stream() {
        let mut stream = Cursor::new(b"helloworld");
        assert_eq!(recv_exact(&mut stream, 5).expect("5 bytes there"), b"hello");
        assert_eq!(recv_exact(&mut stream, 5).expect("5 more there"), b"world");
    }

    #[test]
    fn clean_close_between_frames_is_closed_not_truncated() {
        let err = read_frame(&mut Cursor::new(Vec::new()), 10).expect_err("empty stream");
        assert!(err.is_closed(), "{err:?}");
        let err = read_frame(&mut Cursor::new(vec![1, 0]), 10).expect_err("half a prefix");
        assert!(
            matches!(
                err,
                WireError::Truncated {
                    expected: 4,
                    received: 2
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn negative_length_is_refused_before_reading_on() {
        let mut stream = Cursor::new(vec![0xff, 0xff, 0xff, 0xff, b'x']);
        let err = read_frame(&mut stream, DEFAULT_MAX_HEADER).expect_err("-1 is no length");
        assert!(matches!(err, WireError::NegativeLength(-1)), "{err:?}");
        assert_eq!(stream.position(), 4, "nothing past the prefix was read");
    }

    #[test]
    fn exactly_maximum_passes_and_one_more_fails() {
        let max = 1000;
        let at_max = vec![7u8; max];
        let got = read_frame(&mut Cursor::new(framed(&at_max)), max).expect("max is allowed");
        assert_eq!(got, at_max);

        let over = vec![7u8; max + 1];
        let err = read_frame(&mut Cursor::new(framed(&over)), max).expect_err("max + 1 is not");
        assert!(
            matches!(
                err,
                WireError::TooLong {
                    len: 1001,
                    max: 1000
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn huge_announced_length_allocates_nothing_up_front() {
        // i32::MAX announced, 3 bytes delivered: an error, not a 2 GiB buffer.
        let mut stream = Cursor::new(vec![0xff, 0xff, 0xff, 0x7f, 1, 2, 3]);
        let err = read_frame(&mut stream, usize::MAX).expect_err("truncated");
        assert!(
            matches!(
                err,
                WireError::Truncated {
                    expected: 2147483647,
                    received: 3
                }
            ),
            "{err:?}"
        );
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct FileHeader {
        cmd: String,
        file_name: String,
        file_size: u64,
    }

    #[test]
    fn json_header_round_trips_and_sizes_beyond_i32_fit() {
        let header = FileHeader {
            cmd: "put".into(),
            file_name: "a.txt".into(),
            file_size: 1_073_741_824_000,
        };
        let mut out = Vec::new();
        write_json_header(&mut out, &header).expect("to a Vec");
        let back: FileHeader = read_json_header(&mut Cursor::new(out), DEFAULT_MAX_HEADER)
            .expect("well-formed header");
        assert_eq!(back, header);
    }

    #[test]
    fn json_header_errors_name_what_was_wrong() {
        let missing = framed(br#"{"cmd":"put","file_name":"a"}"#);
        let err = read_json_header::<FileHeader>(&mut Cursor::new(missing), 1024)
            .expect_err("no file_size");
        assert!(
            err.to_string().contains("missing field `file_size`"),
            "{err}"
        );

        let malformed = framed(b"{not json");
        let err = read_json_header::<FileHeader>(&mut Cursor::new(malformed), 1024)
            .expect_err("not JSON");
        assert!(
            err.to_string()
                .starts_with("bad JSON header: key must be a string"),
            "{err}"
        );
    }

    #[test]
    fn frames_follow_each_other_without_sticking() {
        let mut stream = framed(b"hello");
        stream.extend(framed(b"world"));
        stream.extend(framed(b""));
        let mut stream = Cursor::new(stream);
        assert_eq!(read_frame(&mut stream, 64).expect("first"), b"hello");
        assert_eq!(read_frame(&mut stream, 64).expect("second"), b"world");
        assert_eq!(read_frame(&mut stream, 64).expect("empty third"), b"");
        assert!(read_frame(&mut stream, 64).expect_err("end").is_closed());
    }

    #[test]
    fn frames_written_one_byte_per_segment_over_tcp_read_whole() {
        use std::net::{TcpListener, TcpStream};
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let addr = listener.local_addr().expect("bound");
        let writer = std::thread::spawn(move || {
            let mut stream = TcpStream::connect(addr).expect("connect");
            stream
                .set_nodelay(true)
                .expect("no Nagle: one byte per segment");
            let mut bytes = framed(b"hello");
            bytes.extend(framed("你好, world".as_bytes()));
            for byte in bytes {
                stream.write_all(&[byte]).expect("one byte");
            }
        });
        let (mut conn, _) = listener.accept().expect("accept");
        conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        assert_eq!(read_frame(&mut conn, 64).expect("first"), b"hello");
        assert_eq!(
            read_frame(&mut conn, 64).expect("second"),
            "你好, world".as_bytes()
        );
        writer.join().expect("writer");
        assert!(read_frame(&mut conn, 64).expect_err("closed").is_closed());
    }

    proptest! {
        #[test]
        fn any_payload_round_trips(payload in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let got = read_frame(&mut Cursor::new(framed(&payload)), 4096);
            prop_assert_eq!(got.expect("valid frame"), payload);
        }

        #[test]
        fn any_truncation_is_an_error(
            payload in proptest::collection::vec(any::<u8>(), 0..512),
            cut in any::<prop::sample::Index>(),
        ) {
            let whole = framed(&payload);
            let cut = cut.index(whole.len()); // 0 ..= len - 1: always short
            let err = read_frame(&mut Cursor::new(&whole[..cut]), 512)
                .expect_err("a truncated frame never reads as whole");
            if cut == 0 {
                prop_assert!(err.is_closed());
            } else {
                let truncated = matches!(err, WireError::Truncated { .. });
                prop_assert!(truncated, "{:?}", err);
            }
        }

        #[test]
        fn one_byte_per_read_still_reads_whole_frames(
            messages in proptest::collection::vec(
                proptest::collection::vec(any::<u8>(), 0..64), 1..8),
        ) {
            let mut stream = Vec::new();
            for m in &messages {
                write_frame(&mut stream, m).expect("to a Vec");
            }
            let mut reader = OneByteAtATime(Cursor::new(stream));
            for m in &messages {
                prop_assert_eq!(&read_frame(&mut reader, 64).expect("whole frame"), m);
            }
            prop_assert!(read_frame(&mut reader, 64).expect_err("end").is_closed());
        }

        #[test]
        fn any_prefix_is_accepted_exactly_when_in_range(len in any::<i32>(), max in 0usize..1 << 20) {
            let mut reader = Cursor::new(len.to_le_bytes());
            match read_prefix(&mut reader, max) {
                Ok(n) => prop_assert!(len >= 0 && n == len as usize && n <= max),
                Err(WireError::NegativeLength(n)) => prop_assert!(n < 0 && n == len),
                Err(WireError::TooLong { len: n, .. }) => prop_assert!(n > max),
                Err(other) => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
