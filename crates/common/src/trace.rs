//! The `--trace` wire dump: every send and receive, as it happens.
//!
//! A student who wants to see a length prefix or two messages stuck together
//! does not need tcpdump: wrap the socket in [`Traced`] (a stream) or
//! [`TracedUdp`] (a datagram socket) and each `send`/`recv` prints, to stderr,
//! the direction, the peer, the byte count and a `hexdump -C` style dump of
//! the first [`DUMP_LIMIT`] bytes (all of them after `.whole()`, for a
//! protocol whose messages are short enough to read whole, as DNS's are):
//!
//! ```text
//! 22:50:01.123 recv ← 127.0.0.1:43817 14 bytes
//!   0000  68 65 6c 6c 6f 77 6f 72  6c 64 65 67 6f 6e        |helloworldegon|
//! ```
//!
//! When tracing is off the wrappers cost one branch per call.

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, UdpSocket};

/// How many bytes of one send or receive are dumped; the rest are counted.
pub const DUMP_LIMIT: usize = 256;

/// Which way the bytes went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Send,
    Recv,
}

impl Direction {
    fn label(self) -> &'static str {
        match self {
            Direction::Send => "send →",
            Direction::Recv => "recv ←",
        }
    }
}

/// Formats one traced event: a heading line, then the hex + ASCII dump.
/// `peer_closed` marks the zero-byte read by which a stream reports that the
/// peer closed (an empty datagram is just an empty datagram).
pub fn format_event(
    direction: Direction,
    peer: SocketAddr,
    bytes: &[u8],
    peer_closed: bool,
) -> String {
    format_event_up_to(direction, peer, bytes, peer_closed, DUMP_LIMIT)
}

/// [`format_event`] with the dump cut at `limit` bytes instead of
/// [`DUMP_LIMIT`].
fn format_event_up_to(
    direction: Direction,
    peer: SocketAddr,
    bytes: &[u8],
    peer_closed: bool,
    limit: usize,
) -> String {
    let time = chrono::Local::now().format("%H:%M:%S%.3f");
    let note = if peer_closed {
        " (the peer closed its side)"
    } else {
        ""
    };
    let mut out = format!(
        "{time} {} {peer} {} bytes{note}\n",
        direction.label(),
        bytes.len()
    );
    out.push_str(&hex_dump_up_to(bytes, limit));
    out
}

/// A `hexdump -C` style dump of the first [`DUMP_LIMIT`] bytes, 16 a line,
/// with a count of what was left out.
pub fn hex_dump(bytes: &[u8]) -> String {
    hex_dump_up_to(bytes, DUMP_LIMIT)
}

/// [`hex_dump`] of the first `limit` bytes.
fn hex_dump_up_to(bytes: &[u8], limit: usize) -> String {
    let shown = &bytes[..bytes.len().min(limit)];
    let mut out = String::new();
    for (line, chunk) in shown.chunks(16).enumerate() {
        let _ = write!(out, "  {:04x}  ", line * 16);
        for i in 0..16 {
            match chunk.get(i) {
                Some(b) => {
                    let _ = write!(out, "{b:02x} ");
                }
                None => out.push_str("   "),
            }
            if i == 7 {
                out.push(' ');
            }
        }
        out.push_str(" |");
        out.extend(chunk.iter().map(|&b| printable(b)));
        out.push_str("|\n");
    }
    if bytes.len() > shown.len() {
        let _ = writeln!(
            out,
            "  ... {} more bytes not shown",
            bytes.len() - shown.len()
        );
    }
    out
}

fn printable(b: u8) -> char {
    if b.is_ascii_graphic() || b == b' ' {
        b as char
    } else {
        '.'
    }
}

/// Prints one event to stderr in a single write, so the dumps of several
/// connection threads never interleave line by line.
fn emit(direction: Direction, peer: SocketAddr, bytes: &[u8], peer_closed: bool, limit: usize) {
    let event = format_event_up_to(direction, peer, bytes, peer_closed, limit);
    let _ = io::stderr().lock().write_all(event.as_bytes());
}

/// A byte stream (a `TcpStream`, or `&TcpStream`) that dumps what crosses it
/// when tracing is on.
#[derive(Debug)]
pub struct Traced<S> {
    inner: S,
    peer: SocketAddr,
    enabled: bool,
    limit: usize,
}

impl<S> Traced<S> {
    /// Wraps `inner`, whose other end is `peer`; `enabled` is `--trace`.
    pub fn new(inner: S, peer: SocketAddr, enabled: bool) -> Self {
        Traced {
            inner,
            peer,
            enabled,
            limit: DUMP_LIMIT,
        }
    }

    /// Dumps every byte of each send and receive, not only the first
    /// [`DUMP_LIMIT`].
    pub fn whole(self) -> Self {
        Traced {
            limit: usize::MAX,
            ..self
        }
    }

    /// The wrapped stream, for socket options and `shutdown`.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The address of the other end.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Unwraps the stream.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Read> Read for Traced<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.enabled {
            emit(
                Direction::Recv,
                self.peer,
                &buf[..n],
                n == 0 && !buf.is_empty(),
                self.limit,
            );
        }
        Ok(n)
    }
}

impl<S: Write> Write for Traced<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if self.enabled {
            emit(Direction::Send, self.peer, &buf[..n], false, self.limit);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A UDP socket whose `send_to` and `recv_from` dump each datagram when
/// tracing is on.
#[derive(Debug)]
pub struct TracedUdp {
    socket: UdpSocket,
    enabled: bool,
    limit: usize,
}

impl TracedUdp {
    /// Wraps `socket`; `enabled` is `--trace`.
    pub fn new(socket: UdpSocket, enabled: bool) -> Self {
        TracedUdp {
            socket,
            enabled,
            limit: DUMP_LIMIT,
        }
    }

    /// Dumps every byte of each datagram, not only the first [`DUMP_LIMIT`].
    pub fn whole(self) -> Self {
        TracedUdp {
            limit: usize::MAX,
            ..self
        }
    }

    /// The wrapped socket, for options such as timeouts.
    pub fn socket(&self) -> &UdpSocket {
        &self.socket
    }

    /// `sendto`: one datagram to `peer`.
    pub fn send_to(&self, datagram: &[u8], peer: SocketAddr) -> io::Result<usize> {
        let n = self.socket.send_to(datagram, peer)?;
        if self.enabled {
            emit(Direction::Send, peer, &datagram[..n], false, self.limit);
        }
        Ok(n)
    }

    /// `recvfrom`: one datagram; bytes beyond `buf.len()` are lost, as in the
    /// lessons.
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let (n, peer) = self.socket.recv_from(buf)?;
        if self.enabled {
            emit(Direction::Recv, peer, &buf[..n], false, self.limit);
        }
        Ok((n, peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn dump_shows_hex_and_ascii_like_hexdump_c() {
        assert_eq!(
            hex_dump(b"helloworldegon"),
            "  0000  68 65 6c 6c 6f 77 6f 72  6c 64 65 67 6f 6e        |helloworldegon|\n"
        );
    }

    #[test]
    fn dump_shows_a_length_prefix_as_unprintable_dots() {
        assert_eq!(
            hex_dump(b"\x05\x00\x00\x00hello"),
            "  0000  05 00 00 00 68 65 6c 6c  6f                       |....hello|\n"
        );
    }

    #[test]
    fn whole_dumps_past_the_limit() {
        let bytes = [b'a'; DUMP_LIMIT + 100];
        let dump = hex_dump_up_to(
            &bytes,
            Traced::new((), "127.0.0.1:9".parse().expect("an address"), true)
                .whole()
                .limit,
        );
        assert_eq!(dump.lines().count(), (DUMP_LIMIT + 100).div_ceil(16));
        assert!(!dump.contains("not shown"), "{dump}");
        let socket = UdpSocket::bind("127.0.0.1:0").expect("a socket");
        assert_eq!(TracedUdp::new(socket, true).whole().limit, usize::MAX);
        assert_eq!(
            Traced::new((), "127.0.0.1:9".parse().expect("an address"), true).limit,
            DUMP_LIMIT
        );
    }

    #[test]
    fn dump_stops_at_the_limit_and_counts_the_rest() {
        let dump = hex_dump(&[b'a'; DUMP_LIMIT + 100]);
        assert_eq!(dump.lines().count(), DUMP_LIMIT / 16 + 1);
        assert!(dump.ends_with("  ... 100 more bytes not shown\n"), "{dump}");
        assert!(
            dump.contains("\n  00f0  "),
            "last full line is at offset 0xf0"
        );
    }

    #[test]
    fn event_heading_names_direction_peer_and_count() {
        let peer: SocketAddr = "127.0.0.1:8080".parse().expect("literal address");
        let event = format_event(Direction::Send, peer, b"hi", false);
        let heading = event.lines().next().expect("a heading line");
        assert!(
            heading.ends_with(" send → 127.0.0.1:8080 2 bytes"),
            "{heading}"
        );
        let closed = format_event(Direction::Recv, peer, b"", true);
        assert!(closed.ends_with("recv ← 127.0.0.1:8080 0 bytes (the peer closed its side)\n"));
        let empty_datagram = format_event(Direction::Recv, peer, b"", false);
        assert!(
            empty_datagram.ends_with("recv ← 127.0.0.1:8080 0 bytes\n"),
            "{empty_datagram}"
        );
    }

    #[test]
    fn traced_stream_passes_bytes_through_unchanged() {
        let peer: SocketAddr = "127.0.0.1:1".parse().expect("literal address");
        let mut traced = Traced::new(Cursor::new(b"abc".to_vec()), peer, true);
        let mut buf = [0; 8];
        assert_eq!(traced.read(&mut buf).expect("cursor read"), 3);
        assert_eq!(&buf[..3], b"abc");
        traced.write_all(b"xyz").expect("cursor write");
        assert_eq!(traced.into_inner().into_inner(), b"abcxyz");
    }
}
