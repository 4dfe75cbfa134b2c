//! Moving file bytes: one chunk at a time, a digest updated as they pass.
//!
//! The lesson's server loops `recv(8000)` / `f.write()` until it has
//! `file_size` bytes; this does the same with a 1 MiB buffer
//! ([`CHUNK`](crate::protocol::CHUNK)) and feeds every chunk to the digest
//! on the way (md5, the lesson's, or BLAKE3, which this project's own ends
//! agree on: [`Digest`]), so a file is never held in memory and never read
//! a second time to be checked. Both ends use it: the sender hashes what it
//! reads from its file, the receiver what it reads from the socket.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::thread;

use md5::{Digest as _, Md5};
use nix::errno::Errno;
use nix::sys::sendfile::sendfile;

/// A digest the two ends can check a file with. md5 is the lesson's (its
/// header has an `md5` field) and the one every peer understands; BLAKE3 is
/// what this project's client and server agree on when both offer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Digest {
    Md5,
    Blake3,
}

impl Digest {
    /// Strongest first: the order a client offers them in, and the order a
    /// server picks by.
    pub const ALL: [Digest; 2] = [Digest::Blake3, Digest::Md5];

    /// The name on the wire: the value in `digests`/`digest`, and the key of
    /// the field that carries the hex (`{"md5": ...}`, `{"blake3": ...}`).
    pub fn name(self) -> &'static str {
        match self {
            Digest::Md5 => "md5",
            Digest::Blake3 => "blake3",
        }
    }

    /// The digest named `name`, if this program knows it.
    pub fn from_name(name: &str) -> Option<Digest> {
        Digest::ALL.into_iter().find(|d| d.name() == name)
    }

    /// How many hex digits its `hexdigest()` has.
    pub fn hex_len(self) -> usize {
        match self {
            Digest::Md5 => 32,
            Digest::Blake3 => 64,
        }
    }

    /// Whether `text` looks like this digest's hex.
    pub fn is_hex(self, text: &str) -> bool {
        text.len() == self.hex_len() && text.bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// The digests a program limited to `strongest` offers, strongest
    /// first: both, or md5 alone (`--digest md5`).
    pub fn offered_up_to(strongest: Digest) -> &'static [Digest] {
        match strongest {
            Digest::Blake3 => &Digest::ALL,
            Digest::Md5 => &[Digest::Md5],
        }
    }

    /// What a server limited to `strongest` picks from what a peer
    /// offered: the strongest both know; md5 when the peer offered nothing
    /// (the lesson's programs and older ones of this project).
    pub fn choose(offered: &[Digest], strongest: Digest) -> Digest {
        Digest::offered_up_to(strongest)
            .iter()
            .copied()
            .find(|d| offered.contains(d))
            .unwrap_or(Digest::Md5)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which md5 code this build hashes with: `md-5` with the `asm` feature
/// (the `md5-asm` crate) on x86 and x86_64, its portable Rust elsewhere
/// (crates/ftp/Cargo.toml picks it per target).
pub const MD5_IMPLEMENTATION: &str = if cfg!(any(target_arch = "x86", target_arch = "x86_64")) {
    "md-5 0.10 + asm (md5-asm)"
} else {
    "md-5 0.10, portable Rust"
};

/// A digest being computed, chunk after chunk.
#[derive(Debug, Clone)]
pub enum Hasher {
    Md5(Md5),
    Blake3(Box<blake3::Hasher>),
}

impl Hasher {
    pub fn new(digest: Digest) -> Hasher {
        match digest {
            Digest::Md5 => Hasher::Md5(Md5::new()),
            Digest::Blake3 => Hasher::Blake3(Box::new(blake3::Hasher::new())),
        }
    }

    pub fn digest(&self) -> Digest {
        match self {
            Hasher::Md5(_) => Digest::Md5,
            Hasher::Blake3(_) => Digest::Blake3,
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Md5(md5) => md5.update(bytes),
            Hasher::Blake3(blake3) => {
                blake3.update(bytes);
            }
        }
    }

    /// The digest as lower-case hex, as Python's `hexdigest()` writes it.
    pub fn hex(self) -> String {
        match self {
            Hasher::Md5(md5) => md5_hex(md5),
            Hasher::Blake3(blake3) => blake3.finalize().to_hex().to_string(),
        }
    }
}

/// Where a copy failed: the side it reads from, or the side it writes to.
#[derive(Debug)]
pub enum CopyError {
    /// Reading failed (the socket was reset or timed out, the file could
    /// not be read).
    Read(io::Error),
    /// Writing failed (the disk is full, the peer went away) after `read`
    /// bytes had been taken from the source.
    Write { error: io::Error, read: u64 },
    /// The source ended after `got` of the `expected` bytes.
    Short { expected: u64, got: u64 },
    /// `keep_going` said stop (a shutdown) after `got` bytes.
    Stopped { got: u64 },
}

impl fmt::Display for CopyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CopyError::Read(e) | CopyError::Write { error: e, .. } => {
                write!(f, "{}", harness::cli::describe(e))
            }
            CopyError::Short { expected, got } => write!(
                f,
                "the data ended after {got} of {expected} bytes (the other end stopped sending)"
            ),
            CopyError::Stopped { got } => write!(f, "stopped after {got} bytes"),
        }
    }
}

impl std::error::Error for CopyError {}

/// Copies exactly `len` bytes from `from` to `to`, updating `hasher` with
/// each chunk, through `buf`. After each chunk `keep_going(bytes so far)` is
/// asked whether to go on (a progress bar updates there; a shutdown says
/// no).
///
/// Each read takes what has arrived (up to the buffer), so the sender and
/// the receiver keep working side by side instead of waiting for whole
/// buffers.
pub fn copy_hashing(
    from: &mut impl Read,
    to: &mut impl Write,
    len: u64,
    hasher: &mut Hasher,
    buf: &mut [u8],
    mut keep_going: impl FnMut(u64) -> bool,
) -> Result<(), CopyError> {
    let mut done = 0;
    while done < len {
        let n = read_chunk(from, buf, len, done)?;
        hasher.update(&buf[..n]);
        done += n as u64;
        to.write_all(&buf[..n])
            .map_err(|error| CopyError::Write { error, read: done })?;
        if !keep_going(done) {
            return Err(CopyError::Stopped { got: done });
        }
    }
    Ok(())
}

/// How many received chunks may wait at each stage of [`receive_hashing`]
/// (for the hash, for the disk) while the next one is received.
const WAITING_CHUNKS: usize = 2;

/// The receiving end of a transfer: [`copy_hashing`] from the socket to the
/// file, as a pipeline of threads, each chunk handed on whole: this one
/// receives, a second writes, and the empty buffer comes back to be
/// received into again. Done one after the other, the receiver would wait
/// for the disk between chunks (writing into fresh pages of the page cache
/// can be as slow as hashing on this project's benchmark machine, a virtual
/// one: 300 MiB/s at times) while the sender, its socket buffer full,
/// waited for it; so the slowest stage sets the pace and the others hide
/// behind it.
///
/// md5 (about 1.8 s a GiB there, more than receiving and writing together)
/// gets a third thread between the two, so the receiving thread does not
/// wait for it either (`get --digest md5`, 6 rounds against hashing on the
/// receiving thread: 407 → 489 MiB/s, median). BLAKE3 (0.23 s a GiB, less
/// than receiving) is hashed on the receiving thread: a thread of its own
/// would sleep and be woken for every chunk, and a wake-up from the other
/// CPU costs there about as much as hashing the chunk (`put`, 6 rounds:
/// 1,104 → 760 MiB/s, median, with a thread of its own).
///
/// Same contract as [`copy_hashing`]: exactly `len` bytes, hashed in order,
/// `keep_going` after each chunk (with the bytes received); on a read error
/// or a stop, every chunk received before it is hashed and written first,
/// so a partial file holds exactly what was received (a resume counts on
/// that). `Write { read }` is what was taken from the socket, for the
/// caller to skip the rest of. Small transfers are copied in place.
pub fn receive_hashing<W: Write + Send>(
    from: &mut impl Read,
    to: &mut W,
    len: u64,
    hasher: &mut Hasher,
    buf: &mut [u8],
    mut keep_going: impl FnMut(u64) -> bool,
) -> Result<(), CopyError> {
    if len <= (WAITING_CHUNKS * buf.len()) as u64 {
        return copy_hashing(from, to, len, hasher, buf, keep_going);
    }
    let chunk_size = buf.len();
    thread::scope(|scope| {
        let (to_writer, to_write) = mpsc::sync_channel::<(Vec<u8>, usize)>(WAITING_CHUNKS);
        let (give_back, empty) = mpsc::channel::<Vec<u8>>();
        // Where a received chunk goes next, and the hasher if it is used here.
        let (next, mut hash_here) = if hasher.digest() == Digest::Md5 {
            let (to_hasher, to_hash) = mpsc::sync_channel::<(Vec<u8>, usize)>(WAITING_CHUNKS);
            scope.spawn(move || {
                for (chunk, n) in to_hash {
                    hasher.update(&chunk[..n]);
                    if to_writer.send((chunk, n)).is_err() {
                        return; // the writer failed: the receiver hears of it
                    }
                }
            });
            (to_hasher, None)
        } else {
            (to_writer, Some(hasher))
        };
        let writer = scope.spawn(move || {
            for (chunk, n) in to_write {
                to.write_all(&chunk[..n])?;
                let _ = give_back.send(chunk); // gone only when we return
            }
            Ok::<(), io::Error>(())
        });

        // At most one buffer more than may wait at the stages, so memory
        // stays a few chunks whatever `len`.
        let stages = if hash_here.is_some() { 1 } else { 2 };
        let most = stages * WAITING_CHUNKS + 1;
        let mut made = 0;
        let mut done = 0;
        let outcome = loop {
            if done == len {
                break Ok(());
            }
            // A buffer back from the writer, or a new one.
            let mut chunk = match empty.try_recv() {
                Ok(chunk) => chunk,
                Err(_) if made < most => {
                    made += 1;
                    vec![0; chunk_size]
                }
                Err(_) => match empty.recv() {
                    Ok(chunk) => chunk,
                    Err(_) => break Ok(()), // the writer failed: see below
                },
            };
            let n = match read_chunk(from, &mut chunk, len, done) {
                Ok(n) => n,
                Err(e) => break Err(e),
            };
            if let Some(hasher) = hash_here.as_deref_mut() {
                hasher.update(&chunk[..n]);
            }
            done += n as u64;
            if next.send((chunk, n)).is_err() {
                break Ok(()); // the writer failed: see below
            }
            if !keep_going(done) {
                break Err(CopyError::Stopped { got: done });
            }
        };
        drop(next);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writing thread panicked")));
        // The writer wrote every chunk it was given unless it failed, so
        // after a read error or a stop the file holds all `done` bytes.
        match written {
            Err(error) => Err(CopyError::Write { error, read: done }),
            Ok(()) => outcome,
        }
    })
}

/// Reads the next chunk of a `len`-byte transfer of which `done` bytes are
/// through: what has arrived, at most a buffer and never past `len`. An end
/// of stream before `len` is a short transfer.
fn read_chunk(
    from: &mut impl Read,
    buf: &mut [u8],
    len: u64,
    done: u64,
) -> Result<usize, CopyError> {
    let want = buf
        .len()
        .min(usize::try_from(len - done).unwrap_or(usize::MAX));
    loop {
        match from.read(&mut buf[..want]) {
            Ok(0) => {
                return Err(CopyError::Short {
                    expected: len,
                    got: done,
                })
            }
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        }
    }
}

/// Sends `len` bytes of `file`, from its current position, to `socket`,
/// updating `hasher` on the way: the same as [`copy_hashing`] from a file
/// to a socket, but each chunk, once read and hashed, leaves with
/// `sendfile(2)` straight from the kernel's page cache, which saves copying
/// it back out of the buffer. A file changed in the meantime sends other
/// bytes than were hashed, which the receiver's check then catches.
///
/// Without a hasher (the digest is already known) nothing is read at all:
/// each chunk goes from the page cache to the socket by `sendfile` alone.
pub fn send_hashing(
    file: &mut File,
    socket: &TcpStream,
    len: u64,
    mut hasher: Option<&mut Hasher>,
    buf: &mut [u8],
    mut keep_going: impl FnMut(u64) -> bool,
) -> Result<(), CopyError> {
    let mut position = file.stream_position().map_err(CopyError::Read)?;
    let mut done = 0;
    while done < len {
        let n = match hasher.as_deref_mut() {
            Some(hasher) => {
                let n = read_chunk(file, buf, len, done)?;
                hasher.update(&buf[..n]);
                n
            }
            None => buf
                .len()
                .min(usize::try_from(len - done).unwrap_or(usize::MAX)),
        };
        done += n as u64;
        let mut left = n;
        while left > 0 {
            let mut offset = i64::try_from(position)
                .map_err(|_| CopyError::Read(io::Error::other("file offset too large")))?;
            match sendfile(socket, &*file, Some(&mut offset), left) {
                Ok(0) => {
                    let error = io::Error::new(io::ErrorKind::UnexpectedEof, "the file shrank");
                    return Err(CopyError::Read(error));
                }
                Ok(sent) => {
                    left -= sent;
                    position += sent as u64;
                }
                Err(Errno::EINTR) => {}
                Err(e) => {
                    let error = io::Error::from(e);
                    return Err(CopyError::Write { error, read: done });
                }
            }
        }
        if !keep_going(done) {
            return Err(CopyError::Stopped { got: done });
        }
    }
    Ok(())
}

/// Reads and throws away exactly `len` bytes: what a server does with the
/// bytes of an upload it refused, so the next header is found.
pub fn discard(from: &mut impl Read, len: u64, buf: &mut [u8]) -> Result<(), CopyError> {
    let mut done = 0;
    while done < len {
        done += read_chunk(from, buf, len, done)? as u64;
    }
    Ok(())
}

/// Feeds the first `len` bytes of `file` to `hasher` and leaves the file
/// positioned at `len`: when a transfer resumes, the final digest must
/// still cover the bytes that came before.
pub fn hash_prefix(
    file: &mut File,
    len: u64,
    hasher: &mut Hasher,
    buf: &mut [u8],
) -> io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    match copy_hashing(file, &mut io::sink(), len, hasher, buf, |_| true) {
        Ok(()) => Ok(()),
        Err(CopyError::Read(e)) => Err(e),
        Err(e) => Err(io::Error::new(io::ErrorKind::UnexpectedEof, e.to_string())),
    }
}

/// The md5 as 32 lower-case hex digits, as `hashlib.md5().hexdigest()`.
pub fn md5_hex(md5: Md5) -> String {
    use std::fmt::Write as _;
    md5.finalize()
        .iter()
        .fold(String::with_capacity(32), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// A new md5 state.
pub fn new_md5() -> Md5 {
    Md5::new()
}

/// Parses a size as people write it: `500`, `64K`, `100M`, `2G`, `1T`
/// (powers of 1024; `KB`, `MiB` and lower case work too).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    let number: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a size: use a number with K, M, G or T (100M)"))?;
    let shift = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("`{unit}` is not a unit: use K, M, G or T")),
    };
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// `1023 bytes`, `1.5 KiB`, `100.0 MiB`: a size for people.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return common::show::count(bytes, "byte", "bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// Hands out at most 3 bytes per read, like a slow network.
    struct Trickle<R>(R);

    impl<R: Read> Read for Trickle<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let end = buf.len().min(3);
            self.0.read(&mut buf[..end])
        }
    }

    fn md5_of(bytes: &[u8]) -> String {
        let mut md5 = Md5::new();
        md5.update(bytes);
        md5_hex(md5)
    }

    fn new_md5() -> Hasher {
        Hasher::new(Digest::Md5)
    }

    #[test]
    fn blake3_hex_matches_the_known_digest() {
        // b3sum of an empty file, and of "hello\n".
        let hex = |bytes: &[u8]| {
            let mut hasher = Hasher::new(Digest::Blake3);
            hasher.update(bytes);
            hasher.hex()
        };
        assert_eq!(
            hex(b""),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
        assert_eq!(hex(b"hello\n").len(), 64);
        assert!(Digest::Blake3.is_hex(&hex(b"hello\n")));
        assert!(!Digest::Md5.is_hex(&hex(b"hello\n")));
    }

    #[test]
    fn the_server_picks_the_strongest_digest_both_offer_and_md5_otherwise() {
        use Digest::{Blake3, Md5};
        assert_eq!(Digest::choose(&[Blake3, Md5], Blake3), Blake3);
        assert_eq!(Digest::choose(&[Md5, Blake3], Blake3), Blake3);
        assert_eq!(Digest::choose(&[Md5], Blake3), Md5);
        assert_eq!(Digest::choose(&[], Blake3), Md5, "the lesson's peers");
        assert_eq!(Digest::choose(&[Blake3, Md5], Md5), Md5, "--digest md5");
        assert_eq!(Digest::choose(&[Blake3], Md5), Md5);
        assert_eq!(Digest::offered_up_to(Md5), [Md5]);
        assert_eq!(Digest::from_name("blake3"), Some(Blake3));
        assert_eq!(Digest::from_name("sha256"), None);
    }

    #[test]
    fn md5_hex_matches_the_known_digests() {
        assert_eq!(md5_of(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_of(b"hello\n"), "b1946ac92492d2347c6235b4d2611184");
    }

    #[test]
    fn copy_moves_exactly_len_bytes_and_hashes_them_on_the_way() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut source = Trickle(Cursor::new([data.as_slice(), b"NEXT HEADER"].concat()));
        let mut out = Vec::new();
        let mut md5 = new_md5();
        let mut seen = Vec::new();
        copy_hashing(&mut source, &mut out, 10_000, &mut md5, &mut [0; 64], |n| {
            seen.push(n);
            true
        })
        .expect("all there");
        assert_eq!(out, data);
        assert_eq!(md5.hex(), md5_of(&data));
        assert_eq!(seen.last(), Some(&10_000));
        let mut rest = String::new();
        source.read_to_string(&mut rest).expect("the rest");
        assert_eq!(rest, "NEXT HEADER", "not a byte past len was read");
    }

    #[test]
    fn a_short_source_is_an_error_naming_both_counts() {
        let err = copy_hashing(
            &mut Cursor::new(vec![1; 10]),
            &mut Vec::new(),
            25,
            &mut new_md5(),
            &mut [0; 8],
            |_| true,
        )
        .expect_err("10 of 25");
        assert!(
            matches!(
                err,
                CopyError::Short {
                    expected: 25,
                    got: 10
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "the data ended after 10 of 25 bytes (the other end stopped sending)"
        );
    }

    /// A disk that fills up after `room` bytes.
    struct FullDisk {
        room: usize,
    }

    impl Write for FullDisk {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::from_raw_os_error(libc::ENOSPC));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_full_disk_is_a_write_error_that_says_so_and_counts_what_was_read() {
        let err = copy_hashing(
            &mut Cursor::new(vec![1; 100]),
            &mut FullDisk { room: 25 },
            100,
            &mut new_md5(),
            &mut [0; 10],
            |_| true,
        )
        .expect_err("no room after 25 bytes");
        assert!(matches!(err, CopyError::Write { read: 30, .. }), "{err:?}");
        assert_eq!(err.to_string(), "no space left on device");
    }

    #[test]
    fn keep_going_can_stop_a_copy() {
        let err = copy_hashing(
            &mut Cursor::new(vec![1; 100]),
            &mut Vec::new(),
            100,
            &mut new_md5(),
            &mut [0; 10],
            |n| n < 30,
        )
        .expect_err("stopped");
        assert!(matches!(err, CopyError::Stopped { got: 30 }), "{err:?}");
    }

    fn digest_of(digest: Digest, bytes: &[u8]) -> String {
        let mut hasher = Hasher::new(digest);
        hasher.update(bytes);
        hasher.hex()
    }

    /// Whole chunks and odd ends, below and above the size where
    /// `receive_hashing` starts its threads (2 chunks of 64 bytes), with
    /// md5 (hashed on a thread of its own) and BLAKE3 (on the receiving one).
    #[test]
    fn receive_moves_exactly_len_bytes_in_order_and_hashes_them() {
        for digest in Digest::ALL {
            for len in [0, 1, 63, 64, 128, 129, 1000, 10_007] {
                let data: Vec<u8> = (0..len as u32).map(|i| (i % 251) as u8).collect();
                let mut source = Trickle(Cursor::new([data.as_slice(), b"NEXT HEADER"].concat()));
                let mut out = Vec::new();
                let mut hasher = Hasher::new(digest);
                let mut seen = Vec::new();
                receive_hashing(&mut source, &mut out, len, &mut hasher, &mut [0; 64], |n| {
                    seen.push(n);
                    true
                })
                .expect("all there");
                let case = format!("{digest}, len {len}");
                assert_eq!(out, data, "{case}");
                assert_eq!(hasher.hex(), digest_of(digest, &data), "{case}");
                assert!(seen.windows(2).all(|w| w[0] < w[1]), "{case}: {seen:?}");
                assert_eq!(seen.last().copied().unwrap_or(0), len, "{case}");
                let mut rest = String::new();
                source.read_to_string(&mut rest).expect("the rest");
                assert_eq!(rest, "NEXT HEADER", "{case}: read past len");
            }
        }
    }

    #[test]
    fn receive_writes_everything_it_got_before_it_reports_a_short_source() {
        for digest in Digest::ALL {
            let mut out = Vec::new();
            let mut hasher = Hasher::new(digest);
            let err = receive_hashing(
                &mut Cursor::new(vec![7; 95]),
                &mut out,
                100,
                &mut hasher,
                &mut [0; 10],
                |_| true,
            )
            .expect_err("5 bytes missing");
            assert!(
                matches!(
                    err,
                    CopyError::Short {
                        expected: 100,
                        got: 95
                    }
                ),
                "{digest}: {err:?}"
            );
            assert_eq!(
                out,
                vec![7; 95],
                "{digest}: the partial file holds all that came"
            );
            assert_eq!(
                hasher.hex(),
                digest_of(digest, &[7; 95]),
                "{digest}: all of it hashed"
            );
        }
    }

    #[test]
    fn receive_stopped_has_written_all_it_received() {
        let data: Vec<u8> = (0..100u8).collect();
        for digest in Digest::ALL {
            let mut out = Vec::new();
            let mut hasher = Hasher::new(digest);
            let err = receive_hashing(
                &mut Cursor::new(data.clone()),
                &mut out,
                100,
                &mut hasher,
                &mut [0; 10],
                |n| n < 40,
            )
            .expect_err("stopped");
            assert!(
                matches!(err, CopyError::Stopped { got: 40 }),
                "{digest}: {err:?}"
            );
            assert_eq!(out, data[..40], "{digest}: what was received, in order");
            assert_eq!(
                hasher.hex(),
                digest_of(digest, &data[..40]),
                "{digest}: and hashed"
            );
        }
    }

    #[test]
    fn receive_reports_a_full_disk_and_how_much_it_took_from_the_socket() {
        for digest in Digest::ALL {
            let mut source = Cursor::new(vec![1; 100]);
            let err = receive_hashing(
                &mut source,
                &mut FullDisk { room: 25 },
                100,
                &mut Hasher::new(digest),
                &mut [0; 10],
                |_| true,
            )
            .expect_err("no room after 25 bytes");
            let CopyError::Write { read, .. } = err else {
                panic!("{digest}: not a write error: {err:?}");
            };
            // The receiver may have taken a few chunks more than were
            // written; `read` must say exactly how many, for the caller to
            // skip the rest.
            assert_eq!(
                read,
                source.position(),
                "{digest}: bytes taken from the source"
            );
            assert!((30..=100).contains(&read), "{digest}: {read}");
            assert_eq!(err.to_string(), "no space left on device");
        }
    }

    #[test]
    fn send_hashing_sends_from_the_file_position_and_hashes_what_it_sends() {
        use std::net::TcpListener;
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(&data).expect("write");
        file.seek(SeekFrom::Start(1000)).expect("seek");
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let socket = TcpStream::connect(listener.local_addr().expect("bound")).expect("connect");
        let (mut peer, _) = listener.accept().expect("accept");
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            peer.read_to_end(&mut got).expect("read");
            got
        });
        let mut md5 = new_md5();
        send_hashing(
            &mut file,
            &socket,
            200_000,
            Some(&mut md5),
            &mut [0; 4096],
            |_| true,
        )
        .expect("sent");
        drop(socket);
        assert_eq!(reader.join().expect("reader"), &data[1000..201_000]);
        assert_eq!(md5.hex(), md5_of(&data[1000..201_000]));

        // Without a hasher: the same bytes, by sendfile alone.
        file.seek(SeekFrom::Start(1000)).expect("seek");
        let socket = TcpStream::connect(listener.local_addr().expect("bound")).expect("connect");
        let (mut peer, _) = listener.accept().expect("accept");
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            peer.read_to_end(&mut got).expect("read");
            got
        });
        send_hashing(&mut file, &socket, 200_000, None, &mut [0; 4096], |_| true).expect("sent");
        drop(socket);
        assert_eq!(reader.join().expect("reader"), &data[1000..201_000]);
        file.seek(SeekFrom::Start(201_000)).expect("seek");
        let err = send_hashing(
            &mut file,
            &TcpStream::connect(listener.local_addr().expect("bound")).expect("connect"),
            200_000,
            Some(&mut new_md5()),
            &mut [0; 4096],
            |_| true,
        )
        .expect_err("only 99,000 bytes left");
        assert!(
            matches!(
                err,
                CopyError::Short {
                    expected: 200_000,
                    got: 99_000
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn hash_prefix_covers_the_bytes_already_there() {
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(b"hello\nworld").expect("write");
        let mut md5 = new_md5();
        hash_prefix(&mut file, 6, &mut md5, &mut [0; 4]).expect("6 bytes there");
        assert_eq!(md5.hex(), md5_of(b"hello\n"));
        let mut rest = String::new();
        file.read_to_string(&mut rest).expect("rest");
        assert_eq!(rest, "world", "positioned right after the prefix");
        let err = hash_prefix(&mut file, 100, &mut new_md5(), &mut [0; 4]).expect_err("short");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("500"), Ok(500));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("100M"), Ok(100 << 20));
        assert_eq!(parse_size("2gib"), Ok(2 << 30));
        assert_eq!(parse_size("1T"), Ok(1 << 40));
        assert!(parse_size("-1M").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5X").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn sizes_show_in_binary_units() {
        assert_eq!(human_size(1), "1 byte");
        assert_eq!(human_size(1023), "1023 bytes");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(100 << 20), "100.0 MiB");
        assert_eq!(human_size(3 << 30), "3.0 GiB");
    }
}
