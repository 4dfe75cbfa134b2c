//! The lab's optional exercise, an HTTP client over a raw TCP socket, as in
//! the lesson's `sock.send(b'GET / HTTP/1.1\r\nHost: ...\r\n\r\n')` and
//! `sock.recv(4096)`.
//!
//! One `recv(4096)` is not a response: a response is a status line, header
//! lines and a blank line, then a body whose end is told one of three ways
//! (RFC 9112 §6.3): a `Content-Length`, `Transfer-Encoding: chunked` (pieces
//! each preceded by its length in hex, ended by a piece of length 0), or,
//! with neither, the server closing the connection. A response to `HEAD`,
//! and a `204` or `304`, has no body whatever its headers say. This module
//! reads all of that, strictly and within limits, from any `BufRead`.

use std::fmt::{self, Write as _};
use std::io::{self, BufRead, Read, Write};

use crate::request::{parse_decimal, trim_ows};

/// The longest status or header line read, and the most header bytes in
/// all: a server cannot make the client buffer without end.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The longest chunk-size line (`1a2b;name=value`).
const MAX_CHUNK_LINE: usize = 4096;

/// Interim (1xx) responses skipped before the real one, at most.
const MAX_INTERIM: usize = 8;

/// Where to send a request: a full `http://` URL, or a path on the server
/// named by `--host`/`--port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// The host from the URL (IPv6 without its brackets); `None` for a path.
    pub host: Option<String>,
    /// The port from the URL, if it has one.
    pub port: Option<u16>,
    /// The request target: the path and query, encoded for a request line.
    pub target: String,
}

/// Reads `http://host[:port][/path]` or `/path`.
pub fn parse_url(text: &str) -> Result<Url, String> {
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Err(format!(
            "{text}: https needs TLS, which this lesson's raw socket does not speak; use http://"
        ));
    }
    if text.starts_with('/') {
        return Ok(Url {
            host: None,
            port: None,
            target: encode_target(text),
        });
    }
    if !lower.starts_with("http://") {
        return Err(format!(
            "{text}: not a URL this client reads; give http://HOST[:PORT]/PATH, \
             or a /PATH on --host and --port"
        ));
    }
    let rest = &text["http://".len()..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if authority.contains('@') {
        return Err(format!(
            "{text}: user names and passwords in URLs are not supported"
        ));
    }
    let (host, port) = split_host_port(authority).ok_or_else(|| {
        format!("{text}: '{authority}' is not HOST or HOST:PORT (a port is 1 to 65535)")
    })?;
    let target = if path.starts_with('/') {
        encode_target(path)
    } else {
        encode_target(&format!("/{path}"))
    };
    Ok(Url {
        host: Some(host),
        port,
        target,
    })
}

/// `example.com`, `example.com:8080`, `[::1]:8080`.
fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        // An IPv6 address needs its brackets: in `::1:80` the port is ambiguous.
        if port.is_some_and(|p| p.contains(':')) {
            return None;
        }
        (host, port)
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        None | Some("") => None,
        Some(digits) => Some(digits.parse::<u16>().ok().filter(|&p| p != 0)?),
    };
    Some((host.to_string(), port))
}

/// The path as a request target: the fragment dropped (it stays in the
/// browser), and every character a request line cannot carry (spaces,
/// non-ASCII, quotes...) percent-encoded. A `%` is kept: the path is taken
/// as already encoded where it is.
fn encode_target(path: &str) -> String {
    let path = path.split('#').next().unwrap_or_default();
    let mut target = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b) {
            target.push(char::from(b));
        } else {
            let _ = write!(target, "%{b:02X}");
        }
    }
    target
}

/// The value of the `Host` header for `host` and `port` (the port left out
/// when it is HTTP's 80).
pub fn host_header(host: &str, port: u16) -> String {
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    if port == 80 {
        host
    } else {
        format!("{host}:{port}")
    }
}

/// The request: one `GET` (or `HEAD`), then the connection is closed by the
/// server, which `Connection: close` asks for.
pub fn request(head: bool, target: &str, host: &str) -> String {
    let method = if head { "HEAD" } else { "GET" };
    format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: web_server-client/{}\r\n\
         Accept: */*\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Why a response could not be read.
#[derive(Debug)]
pub enum ClientError {
    /// Reading from the server failed (a reset, a timeout).
    Receive(io::Error),
    /// The bytes are not an HTTP/1.x response.
    Malformed(String),
    /// The server closed the connection before the response was complete.
    Closed(String),
    /// The body could not be written out (stdout closed, disk full).
    Output(io::Error),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Receive(e) if harness::cli::is_timeout(e) => {
                write!(f, "the server sent nothing more for the whole --timeout")
            }
            ClientError::Receive(e) => write!(f, "receiving: {}", harness::cli::describe(e)),
            ClientError::Malformed(what) => write!(f, "malformed response: {what}"),
            ClientError::Closed(what) => write!(f, "incomplete response: {what}"),
            ClientError::Output(e) => {
                write!(f, "cannot write the body: {}", harness::cli::describe(e))
            }
        }
    }
}

/// A response's status line and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    /// The status line as received (without its line end).
    pub status_line: Vec<u8>,
    pub status: u16,
    /// Each header as received: name and value (trimmed).
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// What the client tolerated but HTTP does not allow, to be shown.
    pub warnings: Vec<&'static str>,
}

impl ResponseHead {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v.as_slice())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v.as_slice())
    }

    /// A redirect's target: a 3xx status with a `Location`.
    pub fn redirect(&self) -> Option<&[u8]> {
        (300..400)
            .contains(&self.status)
            .then(|| self.header("location"))
            .flatten()
    }
}

/// How the body of a response ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body (a response to HEAD, 1xx, 204, 304).
    Empty,
    /// `Content-Length: n`.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Neither: the body ends when the server closes the connection.
    UntilClose,
}

/// Reads the response head, passing over interim (1xx) responses; `shown`
/// gets the status line and headers of every head read, each line escaped.
pub fn read_head(
    reader: &mut impl BufRead,
    shown: &mut String,
) -> Result<ResponseHead, ClientError> {
    for _ in 0..=MAX_INTERIM {
        let head = read_one_head(reader)?;
        shown.push_str(&show_head(&head));
        if !(100..200).contains(&head.status) {
            return Ok(head);
        }
    }
    Err(ClientError::Malformed(format!(
        "more than {MAX_INTERIM} interim (1xx) responses"
    )))
}

fn read_one_head(reader: &mut impl BufRead) -> Result<ResponseHead, ClientError> {
    let mut budget = Budget::new(MAX_HEAD_BYTES, "the head");
    let Some(first) = read_line(reader, &mut budget)? else {
        return Err(ClientError::Closed(
            "the server closed the connection without a response".to_string(),
        ));
    };
    let mut warnings = Vec::new();
    let status_line = trim_ows(&first);
    if status_line.len() != first.len() {
        // The lab's server sends ' HTTP/1.1 200 OK'.
        warnings.push("the status line has spaces around it, which HTTP does not allow");
    }
    let status = parse_status_line(status_line).ok_or_else(|| {
        ClientError::Malformed(format!(
            "the status line is \"{}\", not HTTP/1.x CODE REASON",
            common::show::printable_text(status_line)
        ))
    })?;
    let mut head = ResponseHead {
        status_line: status_line.to_vec(),
        status,
        headers: Vec::new(),
        warnings,
    };
    loop {
        let Some(line) = read_line(reader, &mut budget)? else {
            return Err(ClientError::Closed(format!(
                "the connection closed after \"{}\", before the blank line that ends the headers",
                common::show::printable_text(&head.status_line)
            )));
        };
        if line.is_empty() {
            return Ok(head);
        }
        let colon = line.iter().position(|&b| b == b':');
        let Some(colon) =
            colon.filter(|&c| c > 0 && !line[..c].iter().any(u8::is_ascii_whitespace))
        else {
            return Err(ClientError::Malformed(format!(
                "\"{}\" is not a header line (NAME: value)",
                common::show::printable_text(&line)
            )));
        };
        head.headers.push((
            line[..colon].to_vec(),
            trim_ows(&line[colon + 1..]).to_vec(),
        ));
    }
}

/// `HTTP/1.1 200 OK` → 200. The reason phrase may be empty.
fn parse_status_line(line: &[u8]) -> Option<u16> {
    let rest = line.strip_prefix(b"HTTP/1.")?;
    let [minor, b' ', d1, d2, d3, after @ ..] = rest else {
        return None;
    };
    if !minor.is_ascii_digit() || !(after.is_empty() || after[0] == b' ') {
        return None;
    }
    // The reason phrase: text, no control characters.
    if !after
        .iter()
        .all(|&b| b == b'\t' || (b >= b' ' && b != 0x7f))
    {
        return None;
    }
    let code = [d1, d2, d3].iter().try_fold(0u16, |n, &&d| {
        d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0'))
    })?;
    (100..=999).contains(&code).then_some(code)
}

/// What may still be read of one part of a response (its head, a chunk
/// size line), so that a server cannot make the client buffer without end.
struct Budget {
    left: usize,
    max: usize,
    what: &'static str,
}

impl Budget {
    fn new(max: usize, what: &'static str) -> Budget {
        Budget {
            left: max,
            max,
            what,
        }
    }
}

/// One line without its line end (CRLF, or a bare LF, which the lab's
/// server sends); `None` at the end of the stream before any byte.
fn read_line(
    reader: &mut impl BufRead,
    budget: &mut Budget,
) -> Result<Option<Vec<u8>>, ClientError> {
    let mut line = Vec::new();
    let n = Read::take(&mut *reader, budget.left as u64 + 1)
        .read_until(b'\n', &mut line)
        .map_err(ClientError::Receive)?;
    if n == 0 {
        return Ok(None);
    }
    if n > budget.left {
        return Err(ClientError::Malformed(format!(
            "{} is longer than {} bytes",
            budget.what, budget.max
        )));
    }
    if line.last() != Some(&b'\n') {
        return Err(ClientError::Closed(format!(
            "the connection closed in the middle of the line \"{}\"",
            common::show::printable_text(&line)
        )));
    }
    budget.left -= n;
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(line))
}

/// The status line and headers as they are shown, one per line, escaped.
fn show_head(head: &ResponseHead) -> String {
    let mut shown = common::show::printable_text(&head.status_line);
    shown.push('\n');
    for (name, value) in &head.headers {
        let _ = writeln!(
            shown,
            "{}: {}",
            common::show::printable_text(name),
            common::show::printable_text(value)
        );
    }
    shown
}

/// How the body of `head` ends (RFC 9112 §6.3), the request having been a
/// `HEAD` if `head_request`.
pub fn framing(head: &ResponseHead, head_request: bool) -> Result<Framing, ClientError> {
    if head_request || (100..200).contains(&head.status) || head.status == 204 || head.status == 304
    {
        return Ok(Framing::Empty);
    }
    if let Some(codings) = head.all("transfer-encoding").last() {
        let last = codings
            .rsplit(|&b| b == b',')
            .next()
            .map(trim_ows)
            .unwrap_or_default();
        return Ok(if last.eq_ignore_ascii_case(b"chunked") {
            Framing::Chunked
        } else {
            Framing::UntilClose
        });
    }
    let mut length = None;
    for value in head.all("content-length") {
        let n = parse_decimal(value).ok_or_else(|| {
            ClientError::Malformed(format!(
                "Content-Length \"{}\" is not a number",
                common::show::printable_text(value)
            ))
        })?;
        if length.replace(n).is_some_and(|old| old != n) {
            return Err(ClientError::Malformed(
                "two different Content-Length headers".to_string(),
            ));
        }
    }
    Ok(length.map_or(Framing::UntilClose, Framing::Length))
}

/// Copies the body to `out` as `framing` says; returns its length.
pub fn copy_body(
    reader: &mut impl BufRead,
    framing: Framing,
    out: &mut impl Write,
) -> Result<u64, ClientError> {
    match framing {
        Framing::Empty => Ok(0),
        Framing::UntilClose => pump(reader, None, out),
        Framing::Length(expected) => {
            let got = pump(reader, Some(expected), out)?;
            if got < expected {
                return Err(ClientError::Closed(format!(
                    "the connection closed after {got} of the {expected} bytes of the body \
                     (Content-Length)"
                )));
            }
            Ok(got)
        }
        Framing::Chunked => copy_chunked(reader, out),
    }
}

/// The body in chunks: `SIZE[;extension]` CRLF, SIZE bytes, CRLF, ...,
/// a last chunk of size 0, trailer lines, a blank line.
fn copy_chunked(reader: &mut impl BufRead, out: &mut impl Write) -> Result<u64, ClientError> {
    let mut total = 0u64;
    loop {
        let mut budget = Budget::new(MAX_CHUNK_LINE, "a chunk-size line");
        let Some(line) = read_line(reader, &mut budget)? else {
            return Err(ClientError::Closed(format!(
                "the connection closed after {total} bytes of a chunked body, before its last chunk"
            )));
        };
        let size_text = trim_ows(line.split(|&b| b == b';').next().unwrap_or_default());
        let size = parse_hex(size_text).ok_or_else(|| {
            ClientError::Malformed(format!(
                "\"{}\" is not a chunk size in hex",
                common::show::printable_text(&line)
            ))
        })?;
        if size == 0 {
            // Trailer fields (shown nowhere), up to the blank line.
            let mut budget = Budget::new(MAX_HEAD_BYTES, "the trailer");
            while let Some(trailer) = read_line(reader, &mut budget)? {
                if trailer.is_empty() {
                    return Ok(total);
                }
            }
            return Err(ClientError::Closed(
                "the connection closed in the trailer of a chunked body".to_string(),
            ));
        }
        let got = pump(reader, Some(size), out)?;
        total += got;
        if got < size {
            return Err(ClientError::Closed(format!(
                "the connection closed in the middle of a chunk, after {total} bytes of the body"
            )));
        }
        let mut budget = Budget::new(2, "the end of a chunk");
        match read_line(reader, &mut budget) {
            Ok(Some(end)) if end.is_empty() => {}
            _ => {
                return Err(ClientError::Malformed(
                    "a chunk is not followed by CRLF (its size was wrong)".to_string(),
                ))
            }
        }
    }
}

/// A chunk size: 1 to 16 hex digits.
fn parse_hex(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let text = std::str::from_utf8(digits).ok()?;
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(text, 16).ok()
}

/// Copies up to `limit` bytes (or to the end of the stream) from `reader`
/// to `out`, telling a failed read from a failed write.
fn pump(
    reader: &mut impl BufRead,
    limit: Option<u64>,
    out: &mut impl Write,
) -> Result<u64, ClientError> {
    let mut copied = 0u64;
    loop {
        let want = limit.map_or(usize::MAX, |l| {
            usize::try_from(l - copied).unwrap_or(usize::MAX)
        });
        if want == 0 {
            return Ok(copied);
        }
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ClientError::Receive(e)),
        };
        if available.is_empty() {
            return Ok(copied); // the end of the stream
        }
        let n = available.len().min(want);
        out.write_all(&available[..n])
            .map_err(ClientError::Output)?;
        reader.consume(n);
        copied += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        parse_url(text).expect(text)
    }

    #[test]
    fn urls_and_paths() {
        assert_eq!(
            url("http://127.0.0.1:6789/HelloWorld.html"),
            Url {
                host: Some("127.0.0.1".into()),
                port: Some(6789),
                target: "/HelloWorld.html".into()
            }
        );
        assert_eq!(url("HTTP://example.com").target, "/");
        assert_eq!(url("http://example.com?q=1").target, "/?q=1");
        assert_eq!(url("http://[::1]:8080/x").host.as_deref(), Some("::1"));
        assert_eq!(url("http://[::1]/x").port, None);
        assert_eq!(url("http://h:/x").port, None);
        assert_eq!(url("/a b/你.html#top").target, "/a%20b/%E4%BD%A0.html");
        assert_eq!(
            url("/a%20b").target,
            "/a%20b",
            "an encoded path stays as it is"
        );
        assert_eq!(url("/a\"<>").target, "/a%22%3C%3E");
    }

    #[test]
    fn urls_this_client_cannot_use() {
        for bad in [
            "https://example.com/",
            "ftp://example.com/",
            "example.com/x",
            "http://user:pw@example.com/",
            "http://:80/",
            "http://host:99999/",
            "http://host:0/",
            "http://[::1/",
            "http://::1:8080/",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_host_header_brackets_ipv6_and_omits_port_80() {
        assert_eq!(host_header("example.com", 80), "example.com");
        assert_eq!(host_header("127.0.0.1", 6789), "127.0.0.1:6789");
        assert_eq!(host_header("::1", 6789), "[::1]:6789");
    }

    fn head_of(bytes: &[u8]) -> Result<ResponseHead, ClientError> {
        read_head(&mut &bytes[..], &mut String::new())
    }

    fn body_of(bytes: &[u8], head_request: bool) -> Result<(ResponseHead, Vec<u8>), ClientError> {
        let mut reader = bytes;
        let head = read_head(&mut reader, &mut String::new())?;
        let mut body = Vec::new();
        copy_body(&mut reader, framing(&head, head_request)?, &mut body)?;
        Ok((head, body))
    }

    #[test]
    fn bodies_by_length_chunks_and_close() {
        let (head, body) = body_of(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA",
            false,
        )
        .expect("valid");
        assert_eq!((head.status, body.as_slice()), (200, &b"hello"[..]));

        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                        5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\n";
        assert_eq!(body_of(chunked, false).expect("valid").1, b"hello, world");

        let until_close = b"HTTP/1.0 200 OK\r\n\r\nall of it";
        assert_eq!(body_of(until_close, false).expect("valid").1, b"all of it");
    }

    #[test]
    fn no_body_for_head_204_304_whatever_the_headers_say() {
        let response = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
        assert_eq!(body_of(response, true).expect("valid").1, b"");
        let not_modified = b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n";
        assert_eq!(body_of(not_modified, false).expect("valid").1, b"");
    }

    #[test]
    fn interim_responses_are_passed_over() {
        let mut shown = String::new();
        let bytes = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
        let head = read_head(&mut &bytes[..], &mut shown).expect("valid");
        assert_eq!(head.status, 204);
        assert_eq!(shown, "HTTP/1.1 100 Continue\nHTTP/1.1 204 No Content\n");
    }

    #[test]
    fn the_labs_server_is_read_with_a_warning() {
        // What the lab's WebServer.py sends: a space first, bare LFs.
        let lab =
            b" HTTP/1.1 200 OK\nConnection: close\nContent-Type: text/html\nContent-Length: 25\n\n\
                    <head>Hello world!</head>";
        let (head, body) = body_of(lab, false).expect("readable");
        assert_eq!(head.status, 200);
        assert_eq!(body, b"<head>Hello world!</head>");
        assert_eq!(head.warnings.len(), 1);

        // Its 404: a status line and nothing else, not even a line end.
        let err = head_of(b" HTTP/1.1 404 not Found").expect_err("incomplete");
        assert_eq!(
            err.to_string(),
            "incomplete response: the connection closed in the middle of the line \" HTTP/1.1 404 not Found\""
        );
    }

    #[test]
    fn malformed_and_incomplete_responses_are_one_clear_line() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "incomplete response: the server closed the connection without a response"),
            (b"SSH-2.0-OpenSSH\r\n", "malformed response: the status line is \"SSH-2.0-OpenSSH\", not HTTP/1.x CODE REASON"),
            (b"HTTP/1.1 2000 OK\r\n\r\n", "malformed response: the status line is \"HTTP/1.1 2000 OK\", not HTTP/1.x CODE REASON"),
            (b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "malformed response: \"no colon\" is not a header line (NAME: value)"),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", "incomplete response: the connection closed after \"HTTP/1.1 200 OK\", before the blank line that ends the headers"),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", "incomplete response: the connection closed after 5 of the 10 bytes of the body (Content-Length)"),
            (b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", "malformed response: Content-Length \"x\" is not a number"),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed response: \"zz\" is not a chunk size in hex"),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", "malformed response: a chunk is not followed by CRLF (its size was wrong)"),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "incomplete response: the connection closed after 5 bytes of a chunked body, before its last chunk"),
            (b"HTTP/1.1 200 OK\x1b[2J\r\n\r\n", "malformed response: the status line is \"HTTP/1.1 200 OK\\u{1b}[2J\", not HTTP/1.x CODE REASON"),
        ];
        for (bytes, message) in cases {
            let err = body_of(bytes, false).expect_err(message);
            assert_eq!(err.to_string(), *message);
        }
    }

    #[test]
    fn an_endless_head_stops_at_the_limit() {
        let mut endless = b"HTTP/1.1 200 OK\r\n".to_vec();
        endless.extend(vec![b'x'; MAX_HEAD_BYTES + 10]);
        let err = head_of(&endless).expect_err("too long");
        assert_eq!(
            err.to_string(),
            format!("malformed response: the head is longer than {MAX_HEAD_BYTES} bytes")
        );
    }

    #[test]
    fn a_redirect_is_told_by_status_and_location() {
        let head =
            head_of(b"HTTP/1.1 301 Moved Permanently\r\nLocation: /docs/\r\n\r\n").expect("valid");
        assert_eq!(head.redirect(), Some(&b"/docs/"[..]));
        let ok = head_of(b"HTTP/1.1 200 OK\r\nLocation: /x\r\n\r\n").expect("valid");
        assert_eq!(ok.redirect(), None);
    }
}
