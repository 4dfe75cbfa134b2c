//! The wire side of `rexec_tcp`: how a command's output travels back to the
//! client in each of the lesson's four protocols, and how the client reads it.
//!
//! The request is the same in all four: the command's bytes in one `send`,
//! read by the server with one `recv(1024)`. The reply differs:
//!
//! ```text
//! raw:     [ output ]                                  client: one recv(1024)
//! ready:   [ "1234" ]  ← "ready" ←  [ output ]         lesson 9.3.1
//! struct:  [ len: i32 LE ][ output ]                   lesson 9.3.2
//! json:    [ hlen: i32 LE ][ {"data_size":N,...} ][ output ]   custom header
//! ```
//!
//! Every length the client reads from the wire — the decimal of `ready`, the
//! 4-byte prefix of `struct`, the header and its `data_size` of `json` — is
//! checked against a maximum before a byte is allocated for it.

use std::fmt;
use std::io::{self, Read, Write};

use common::wire::{self, WireError, DEFAULT_MAX_HEADER};
use serde::{Deserialize, Serialize};

/// The lesson's `buffer_size`: the server reads a command with one
/// `recv(1024)`, so a command is at most this long.
pub const MAX_COMMAND: usize = 1024;

/// What the raw client reads per command: one `recv(1024)`, like the lesson.
pub const RAW_RECV: usize = 1024;

/// The client's default `--max-reply` (64 MiB): well above the server's
/// default `--max-output` of 16 MiB plus its notes.
pub const DEFAULT_MAX_REPLY: usize = 64 * 1024 * 1024;

/// What the `ready` client answers once it knows the length.
pub const READY: &[u8] = b"ready";

/// The longest decimal length accepted: `u64::MAX` has 20 digits.
const MAX_DIGITS: usize = 20;

/// How the output of a command is sent back: one protocol per step of the
/// lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Protocol {
    /// The output alone (lesson 七); the client reads one recv(1024), so a
    /// long output spills into the next command's answer: the sticky packet.
    Raw,
    /// The length in decimal; the client answers `ready`; then the output
    /// (lesson 9.3.1).
    Ready,
    /// A 4-byte little-endian length, struct.pack('i', n), then the output
    /// (lesson 9.3.2).
    Struct,
    /// A 4-byte length, a JSON header {"data_size": N, "exit_code": C,
    /// "truncated": bool}, then the output (the custom-header lesson).
    Json,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Raw => "raw",
            Protocol::Ready => "ready",
            Protocol::Struct => "struct",
            Protocol::Json => "json",
        })
    }
}

/// The JSON header of the `json` protocol.
///
/// The lesson's server sends only `{"data_size": N}`; this server adds the
/// exit code and the truncation flag. A reader takes what is there: the two
/// additions are optional, and fields it does not know are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyHeader {
    /// How many output bytes follow the header.
    pub data_size: u64,
    /// The command's exit code (128 + N when killed by signal N).
    #[serde(default)]
    pub exit_code: Option<i32>,
    /// The server dropped part of the output (`--max-output`).
    #[serde(default)]
    pub truncated: bool,
}

/// One command's answer, as sent by the server or read by the client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    /// The output (for `raw`: whatever one `recv(1024)` brought).
    pub output: Vec<u8>,
    /// The exit code, when the protocol carries it (`json`).
    pub exit_code: Option<i32>,
    /// Whether the server cut the output, when the protocol says (`json`).
    pub truncated: bool,
}

/// What can go wrong with a reply, on either end.
#[derive(Debug)]
pub enum ReplyError {
    /// The socket failed, the peer closed, or a length or header was bad.
    Wire(WireError),
    /// `struct` and `json`: the 4-byte length prefix (of the output, or of
    /// the JSON header) says more than `max`. Told apart from a refused
    /// `data_size` or decimal length because these 4 bytes may be another
    /// program's text (`ECHO` from an upper-case echo server).
    PrefixTooLong { len: usize, max: usize },
    /// `ready`: what came where the decimal length belongs.
    BadLength(Vec<u8>),
    /// `ready`, server side: what the client answered instead of `ready`.
    NotReady(Vec<u8>),
}

impl ReplyError {
    /// True when the peer hung up between two replies.
    pub fn is_closed(&self) -> bool {
        matches!(self, ReplyError::Wire(WireError::Closed))
    }

    /// True when the reply makes no sense in this protocol — the usual
    /// cause is a server started with another `--protocol`.
    pub fn is_malformed(&self) -> bool {
        matches!(
            self,
            ReplyError::BadLength(_)
                | ReplyError::PrefixTooLong { .. }
                | ReplyError::Wire(
                    WireError::NegativeLength(_)
                        | WireError::TooLong { .. }
                        | WireError::BadHeader(_)
                )
        )
    }
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::Wire(e) => write!(f, "{e}"),
            ReplyError::PrefixTooLong { len, max } => {
                // The same words as any refused length.
                fmt::Display::fmt(
                    &WireError::TooLong {
                        len: *len,
                        max: *max,
                    },
                    f,
                )
            }
            ReplyError::BadLength(got) => write!(
                f,
                "expected the output length in decimal, got {:?}",
                shorten(got)
            ),
            ReplyError::NotReady(got) => {
                write!(f, "expected `ready`, got {:?}", shorten(got))
            }
        }
    }
}

impl std::error::Error for ReplyError {}

impl From<WireError> for ReplyError {
    fn from(e: WireError) -> Self {
        ReplyError::Wire(e)
    }
}

impl From<io::Error> for ReplyError {
    fn from(e: io::Error) -> Self {
        ReplyError::Wire(WireError::Io(e))
    }
}

/// An error reading a 4-byte length prefix, with a refused length marked
/// as the prefix's ([`ReplyError::PrefixTooLong`]).
fn prefix_error(e: WireError) -> ReplyError {
    match e {
        WireError::TooLong { len, max } => ReplyError::PrefixTooLong { len, max },
        other => ReplyError::Wire(other),
    }
}

/// Bytes from the network, shown in an error: printable, and not too long.
fn shorten(bytes: &[u8]) -> String {
    const SHOWN: usize = 40;
    let text = common::show::printable_text(&bytes[..bytes.len().min(SHOWN)]);
    if bytes.len() > SHOWN {
        format!("{text}... ({} bytes)", bytes.len())
    } else {
        text
    }
}

// ------------------------------------------------------------ server side

/// Sends one reply in `protocol`. For `ready` this is a small conversation:
/// the length, the client's `ready`, then the output.
///
/// Everything else goes out in one `write_all`, prefix and header included,
/// so Nagle's algorithm never holds the output back behind a small header.
pub fn send_reply<S: Read + Write>(
    conn: &mut S,
    protocol: Protocol,
    reply: &Reply,
) -> Result<(), ReplyError> {
    let output = &reply.output;
    match protocol {
        Protocol::Raw => conn.write_all(output)?,
        Protocol::Ready => {
            conn.write_all(output.len().to_string().as_bytes())?;
            // recv(1024), as the lesson reads the client's answer.
            let mut answer = [0; MAX_COMMAND];
            let n = conn.read(&mut answer)?;
            if n == 0 {
                return Err(WireError::Closed.into());
            }
            if answer[..n].trim_ascii() != READY {
                return Err(ReplyError::NotReady(answer[..n].to_vec()));
            }
            conn.write_all(output)?;
        }
        Protocol::Struct => {
            let mut frame = Vec::with_capacity(wire::PREFIX_LEN + output.len());
            wire::write_frame(&mut frame, output)?;
            conn.write_all(&frame)?;
        }
        Protocol::Json => {
            let header = ReplyHeader {
                data_size: output.len() as u64,
                exit_code: reply.exit_code,
                truncated: reply.truncated,
            };
            let mut message = Vec::with_capacity(128 + output.len());
            wire::write_json_header(&mut message, &header)?;
            message.extend_from_slice(output);
            conn.write_all(&message)?;
        }
    }
    Ok(())
}

// ------------------------------------------------------------ client side

/// Reads one reply in `protocol`, refusing any length above `max_reply`.
///
/// `raw` is one `recv(1024)`: part of the output, or the rest of an earlier
/// one. The others read exactly the announced length, however the bytes
/// were split on the way. For `ready` this writes `ready` to the server.
pub fn read_reply<S: Read + Write>(
    conn: &mut S,
    protocol: Protocol,
    max_reply: usize,
) -> Result<Reply, ReplyError> {
    match protocol {
        Protocol::Raw => {
            let mut buf = [0; RAW_RECV];
            let n = conn.read(&mut buf)?;
            if n == 0 {
                return Err(WireError::Closed.into());
            }
            Ok(Reply {
                output: buf[..n].to_vec(),
                ..Reply::default()
            })
        }
        Protocol::Ready => {
            // One recv, as the lesson: the server sends nothing more until
            // it hears `ready`, so the length arrives alone.
            let mut buf = [0; MAX_COMMAND];
            let n = conn.read(&mut buf)?;
            if n == 0 {
                return Err(WireError::Closed.into());
            }
            let len = parse_length(&buf[..n], max_reply)?;
            conn.write_all(READY)?;
            Ok(Reply {
                output: wire::recv_exact(conn, len)?,
                ..Reply::default()
            })
        }
        Protocol::Struct => Ok(Reply {
            output: wire::read_frame(conn, max_reply).map_err(prefix_error)?,
            ..Reply::default()
        }),
        Protocol::Json => {
            let header: ReplyHeader =
                wire::read_json_header(conn, DEFAULT_MAX_HEADER).map_err(prefix_error)?;
            let len = usize::try_from(header.data_size).unwrap_or(usize::MAX);
            if len > max_reply {
                return Err(WireError::TooLong {
                    len,
                    max: max_reply,
                }
                .into());
            }
            Ok(Reply {
                output: wire::recv_exact(conn, len)?,
                exit_code: header.exit_code,
                truncated: header.truncated,
            })
        }
    }
}

/// Parses the `ready` protocol's length: ASCII digits only, at most 20 of
/// them, and at most `max`.
pub fn parse_length(text: &[u8], max: usize) -> Result<usize, ReplyError> {
    let bad = || ReplyError::BadLength(text.to_vec());
    if text.is_empty() || text.len() > MAX_DIGITS || !text.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let digits = std::str::from_utf8(text).map_err(|_| bad())?;
    let len: u64 = digits.parse().map_err(|_| bad())?; // > u64::MAX
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if len > max {
        return Err(WireError::TooLong { len, max }.into());
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::io::Cursor;

    /// A connection whose incoming bytes are fixed in advance, in segments
    /// (one `read` never crosses from one to the next, as a peer that waits
    /// for an answer between two sends), recording what is written to it.
    struct Duplex {
        segments: VecDeque<Cursor<Vec<u8>>>,
        sent: Vec<u8>,
    }

    impl Duplex {
        fn new(incoming: &[u8]) -> Self {
            Self::segments(&[incoming])
        }

        fn segments(segments: &[&[u8]]) -> Self {
            Duplex {
                segments: segments.iter().map(|s| Cursor::new(s.to_vec())).collect(),
                sent: Vec::new(),
            }
        }
    }

    impl Read for Duplex {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            while let Some(segment) = self.segments.front_mut() {
                let n = segment.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                self.segments.pop_front();
            }
            Ok(0)
        }
    }

    impl Write for Duplex {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.sent.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn reply(output: &[u8]) -> Reply {
        Reply {
            output: output.to_vec(),
            exit_code: Some(0),
            truncated: false,
        }
    }

    fn sent(protocol: Protocol, client_says: &[u8], output: &[u8]) -> Vec<u8> {
        let mut conn = Duplex::new(client_says);
        send_reply(&mut conn, protocol, &reply(output)).expect("sent");
        conn.sent
    }

    #[test]
    fn each_protocol_puts_the_bytes_of_its_lesson_on_the_wire() {
        assert_eq!(sent(Protocol::Raw, b"", b"hi\n"), b"hi\n");
        assert_eq!(sent(Protocol::Ready, b"ready", b"hi\n"), b"3hi\n");
        assert_eq!(
            sent(Protocol::Struct, b"", b"hi\n"),
            b"\x03\x00\x00\x00hi\n"
        );
        let header = br#"{"data_size":3,"exit_code":0,"truncated":false}"#;
        let mut json = (header.len() as u32).to_le_bytes().to_vec();
        json.extend_from_slice(header);
        json.extend_from_slice(b"hi\n");
        assert_eq!(sent(Protocol::Json, b"", b"hi\n"), json);
    }

    #[test]
    fn each_protocol_reads_back_what_it_sent() {
        for protocol in [Protocol::Ready, Protocol::Struct, Protocol::Json] {
            let output = vec![0xffu8; 5000]; // longer than one recv, not UTF-8
            let wire_bytes = sent(protocol, b"ready", &output);
            let mut conn = if protocol == Protocol::Ready {
                // The server sends the length, then waits for `ready`.
                Duplex::segments(&[b"5000", &wire_bytes[4..]])
            } else {
                Duplex::new(&wire_bytes)
            };
            let got = read_reply(&mut conn, protocol, 10_000).expect("whole reply");
            assert_eq!(got.output, output, "{protocol}");
            let answered: &[u8] = if protocol == Protocol::Ready {
                READY
            } else {
                b""
            };
            assert_eq!(conn.sent, answered, "{protocol}");
        }
    }

    #[test]
    fn raw_reads_one_recv_and_leaves_the_rest_for_the_next_command() {
        let output: Vec<u8> = (0..1500u32).map(|i| (i % 251) as u8).collect();
        let mut conn = Duplex::new(&output);
        let first = read_reply(&mut conn, Protocol::Raw, 10_000).expect("a recv");
        assert_eq!(first.output, &output[..1024]);
        let second = read_reply(&mut conn, Protocol::Raw, 10_000).expect("the rest");
        assert_eq!(second.output, &output[1024..], "the sticky packet");
    }

    #[test]
    fn the_lessons_header_with_only_data_size_is_read() {
        let mut wire_bytes = Vec::new();
        wire::write_frame(&mut wire_bytes, br#"{"data_size": 2}"#).expect("to a Vec");
        wire_bytes.extend_from_slice(b"ok");
        let got = read_reply(&mut Duplex::new(&wire_bytes), Protocol::Json, 100).expect("read");
        assert_eq!(
            got,
            Reply {
                output: b"ok".to_vec(),
                exit_code: None,
                truncated: false
            }
        );
    }

    #[test]
    fn unknown_header_fields_are_ignored() {
        let mut wire_bytes = Vec::new();
        let header = br#"{"data_size":1,"exit_code":3,"truncated":true,"host":"x","v":[1]}"#;
        wire::write_frame(&mut wire_bytes, header).expect("to a Vec");
        wire_bytes.push(b'!');
        let got = read_reply(&mut Duplex::new(&wire_bytes), Protocol::Json, 100).expect("read");
        assert_eq!((got.exit_code, got.truncated), (Some(3), true));
    }

    #[test]
    fn a_prefix_of_ff_ff_ff_ff_is_refused_as_negative() {
        for protocol in [Protocol::Struct, Protocol::Json] {
            let mut conn = Duplex::new(b"\xff\xff\xff\xffrest");
            let err = read_reply(&mut conn, protocol, 100).expect_err("-1");
            assert!(err.is_malformed(), "{err:?}");
            assert_eq!(
                err.to_string(),
                "length prefix is negative (-1): not a valid frame"
            );
        }
    }

    #[test]
    fn lengths_above_the_maximum_are_refused_before_reading_on() {
        let err = read_reply(&mut Duplex::new(b"\x65\x00\x00\x00"), Protocol::Struct, 100)
            .expect_err("101 > 100");
        assert_eq!(
            err.to_string(),
            "length prefix says 101 bytes, more than the maximum of 100"
        );

        let mut json = Vec::new();
        wire::write_frame(&mut json, br#"{"data_size": 18446744073709551615}"#).expect("Vec");
        let err = read_reply(&mut Duplex::new(&json), Protocol::Json, 100).expect_err("huge");
        assert!(
            matches!(err, ReplyError::Wire(WireError::TooLong { max: 100, .. })),
            "{err:?}"
        );

        let mut conn = Duplex::new(b"101");
        let err = read_reply(&mut conn, Protocol::Ready, 100).expect_err("101 > 100");
        assert!(err.is_malformed(), "{err:?}");
        assert!(conn.sent.is_empty(), "no `ready` for a length we refuse");
    }

    #[test]
    fn a_json_header_that_is_not_one_is_a_clear_error() {
        let mut wire_bytes = Vec::new();
        wire::write_frame(&mut wire_bytes, b"total 8\ndrwxr-x").expect("Vec");
        let err = read_reply(&mut Duplex::new(&wire_bytes), Protocol::Json, 100).expect_err("text");
        assert!(err.is_malformed());
        assert!(err.to_string().starts_with("bad JSON header: "), "{err}");

        let mut negative = Vec::new();
        wire::write_frame(&mut negative, br#"{"data_size": -5}"#).expect("Vec");
        let err = read_reply(&mut Duplex::new(&negative), Protocol::Json, 100).expect_err("-5");
        assert!(
            err.to_string().contains("invalid value: integer `-5`"),
            "{err}"
        );
    }

    #[test]
    fn eof_in_the_middle_of_a_reply_names_both_counts() {
        let err = read_reply(
            &mut Duplex::new(b"\x0a\x00\x00\x00abc"),
            Protocol::Struct,
            100,
        )
        .expect_err("3 of 10");
        assert_eq!(
            err.to_string(),
            "was expecting 10 bytes but only received 3 bytes before the socket closed"
        );
        let err = read_reply(&mut Duplex::new(b"\x0a\x00"), Protocol::Struct, 100)
            .expect_err("half a prefix");
        assert!(!err.is_closed());

        let mut json = Vec::new();
        wire::write_frame(&mut json, br#"{"data_size": 10}"#).expect("Vec");
        json.extend_from_slice(b"abc");
        let err = read_reply(&mut Duplex::new(&json), Protocol::Json, 100).expect_err("3 of 10");
        assert!(matches!(
            err,
            ReplyError::Wire(WireError::Truncated {
                expected: 10,
                received: 3
            })
        ));

        let mut conn = Duplex::new(b"10");
        let err = read_reply(&mut conn, Protocol::Ready, 100).expect_err("nothing after ready");
        assert!(matches!(
            err,
            ReplyError::Wire(WireError::Truncated {
                expected: 10,
                received: 0
            })
        ));
    }

    #[test]
    fn a_clean_close_before_a_reply_is_closed_in_every_protocol() {
        for protocol in [
            Protocol::Raw,
            Protocol::Ready,
            Protocol::Struct,
            Protocol::Json,
        ] {
            let err = read_reply(&mut Duplex::new(b""), protocol, 100).expect_err("closed");
            assert!(err.is_closed(), "{protocol}: {err:?}");
        }
    }

    #[test]
    fn the_ready_length_is_digits_only() {
        assert_eq!(parse_length(b"0", 10).expect("zero"), 0);
        assert_eq!(parse_length(b"1234", 10_000).expect("digits"), 1234);
        for garbage in [
            &b""[..],
            b"12abc",
            b" 12",
            b"+12",
            b"-1",
            b"1e3",
            b"12\n",
            b"\xff\xfe",
            b"99999999999999999999",  // 20 digits, more than u64::MAX
            b"000000000000000000001", // 21 digits
        ] {
            let err = parse_length(garbage, usize::MAX).expect_err("not a length");
            assert!(
                matches!(err, ReplyError::BadLength(_)),
                "{garbage:?}: {err:?}"
            );
        }
        let err = parse_length(b"total 8", 100).expect_err("an `ls` output");
        assert_eq!(
            err.to_string(),
            "expected the output length in decimal, got \"total 8\""
        );
    }

    #[test]
    fn the_server_wants_ready_and_nothing_else() {
        let mut conn = Duplex::new(b"go on");
        let err = send_reply(&mut conn, Protocol::Ready, &reply(b"hi")).expect_err("not ready");
        assert_eq!(err.to_string(), "expected `ready`, got \"go on\"");
        assert_eq!(conn.sent, b"2", "the output is not sent");

        let mut conn = Duplex::new(b"");
        let err = send_reply(&mut conn, Protocol::Ready, &reply(b"hi")).expect_err("left");
        assert!(err.is_closed());

        // `nc` users type a newline after ready.
        assert_eq!(sent(Protocol::Ready, b"ready\n", b"hi"), b"2hi");
    }
}
