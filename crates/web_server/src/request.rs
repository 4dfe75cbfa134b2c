//! Reading a request head: the lab's `message.split()[1]`, made strict.
//!
//! The lab takes one `recv(1024)` for the whole request and the second word
//! of it for the file name. A real request can arrive in many pieces (or
//! several requests in one), can be a megabyte of garbage, or can never end.
//! So reading happens in two steps:
//!
//! 1. [`HeadScanner`] looks at the bytes as they arrive, finds the blank line
//!    that ends the head, and refuses a request line over
//!    [`MAX_REQUEST_LINE`] (414) or headers over [`MAX_HEADER_BYTES`] (431)
//!    as soon as they get that long, so the buffer never grows past
//!    [`MAX_HEAD`] whatever the client sends.
//! 2. [`parse`] reads the complete head into a [`Request`] whose fields
//!    borrow from the buffer (no copies), checking every byte against the
//!    grammar of RFC 9112: one space between the three parts of the request
//!    line, a token for the method and for each header name, no control
//!    characters in values, no line folding, no bare CR.
//!
//! Lines may end in CRLF or, as RFC 9112 §2.2 allows a server to accept, a
//! bare LF, so `printf 'GET / HTTP/1.0\n\n' | nc` works too.

use crate::response::Status;

/// The longest request line accepted (method, target and version, without
/// the line end); longer is `414 URI Too Long`.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;

/// The most header bytes accepted after the request line, line ends and the
/// final blank line included; more is `431 Request Header Fields Too Large`.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Empty lines tolerated before a request line (RFC 9112 §2.2 asks a server
/// to ignore at least one, left over after an earlier request's body).
const MAX_EMPTY_LINES: usize = 4;

/// The most bytes a request head can occupy: the scanner refuses a request
/// before its head gets longer than this.
pub const MAX_HEAD: usize = MAX_EMPTY_LINES * 2 + MAX_REQUEST_LINE + 2 + MAX_HEADER_BYTES;

/// Why a request is refused before it could be understood. Each is answered
/// with its status and the connection is closed: after a framing error the
/// server cannot tell where the next request would start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// 400: the bytes are not an HTTP/1.x request; the text says why.
    BadRequest(&'static str),
    /// 414: the request line is longer than [`MAX_REQUEST_LINE`].
    UriTooLong,
    /// 431: the headers are longer than [`MAX_HEADER_BYTES`].
    HeadersTooLarge,
    /// 505: an HTTP version other than 1.0 and 1.1.
    VersionNotSupported,
    /// 501: a request body in a transfer coding (chunked): this server reads
    /// no request bodies but those with a `Content-Length`.
    TransferEncoding,
}

impl Rejection {
    /// The status that answers this rejection.
    pub fn status(self) -> Status {
        match self {
            Rejection::BadRequest(_) => Status::BadRequest,
            Rejection::UriTooLong => Status::UriTooLong,
            Rejection::HeadersTooLarge => Status::HeadersTooLarge,
            Rejection::VersionNotSupported => Status::VersionNotSupported,
            Rejection::TransferEncoding => Status::NotImplemented,
        }
    }

    /// One sentence for the error page.
    pub fn explanation(self) -> &'static str {
        match self {
            Rejection::BadRequest(why) => why,
            Rejection::UriTooLong => "The request line is longer than 8 KiB.",
            Rejection::HeadersTooLarge => "The request headers are longer than 64 KiB in total.",
            Rejection::VersionNotSupported => "This server speaks HTTP/1.0 and HTTP/1.1 only.",
            Rejection::TransferEncoding => {
                "This server does not read request bodies sent with Transfer-Encoding."
            }
        }
    }
}

/// Where a complete head lies in the buffer: the request line starts at
/// `start` (after any empty lines), the blank line ends at `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadSpan {
    pub start: usize,
    pub end: usize,
}

/// Finds the end of a request head while its bytes arrive, each byte looked
/// at once however the head is cut into reads.
#[derive(Debug, Default)]
pub struct HeadScanner {
    /// Bytes of the buffer already looked at.
    scanned: usize,
    /// Where the line being read starts.
    line_start: usize,
    /// Empty lines skipped before the request line.
    empty_lines: usize,
    /// Where the request line starts, once a non-empty line has begun.
    request_start: usize,
    /// Where the header lines start, once the request line is complete.
    headers_start: Option<usize>,
}

impl HeadScanner {
    /// Scans `buf` (everything received for this request so far, the bytes
    /// of the last call included). `Ok(Some(span))` when the head is
    /// complete; `Ok(None)` when more bytes are needed.
    pub fn scan(&mut self, buf: &[u8]) -> Result<Option<HeadSpan>, Rejection> {
        while let Some(offset) = buf[self.scanned..].iter().position(|&b| b == b'\n') {
            let newline = self.scanned + offset;
            self.scanned = newline + 1;
            let line = strip_cr(&buf[self.line_start..newline]);
            match self.headers_start {
                None if line.is_empty() => {
                    self.empty_lines += 1;
                    if self.empty_lines > MAX_EMPTY_LINES {
                        return Err(Rejection::BadRequest(
                            "Too many empty lines before the request line.",
                        ));
                    }
                    self.request_start = newline + 1;
                }
                None => {
                    if line.len() > MAX_REQUEST_LINE {
                        return Err(Rejection::UriTooLong);
                    }
                    self.headers_start = Some(newline + 1);
                }
                Some(headers_start) => {
                    if newline + 1 - headers_start > MAX_HEADER_BYTES {
                        return Err(Rejection::HeadersTooLarge);
                    }
                    if line.is_empty() {
                        return Ok(Some(HeadSpan {
                            start: self.request_start,
                            end: newline + 1,
                        }));
                    }
                }
            }
            self.line_start = newline + 1;
        }
        self.scanned = buf.len();
        // The line still arriving: refuse it as soon as it is too long (a
        // '\r' waiting for its '\n' does not count).
        let pending = strip_cr(&buf[self.line_start..]).len();
        match self.headers_start {
            None if pending > MAX_REQUEST_LINE => Err(Rejection::UriTooLong),
            Some(start) if buf.len() - start > MAX_HEADER_BYTES => Err(Rejection::HeadersTooLarge),
            _ => Ok(None),
        }
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The request methods this server knows; every other token is `Other`
/// (answered `405 Method Not Allowed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    /// Which methods a resource (or, with `*`, the server) allows.
    Options,
    Other,
}

/// The `Allow` header's value: the methods of [`Method`] but `Other`.
pub const ALLOWED_METHODS: &str = "GET, HEAD, OPTIONS";

/// The HTTP versions this server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Http10,
    Http11,
}

/// A parsed request head. The slices borrow from the receive buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    /// The request line as received, for the access log.
    pub line: &'a [u8],
    pub method: Method,
    /// The request target, still percent-encoded (`/a%20b.html?x=1`).
    pub target: &'a [u8],
    pub version: Version,
    pub host: Option<&'a [u8]>,
    /// `Connection: close` was sent.
    pub close: bool,
    /// `Connection: keep-alive` was sent (how an HTTP/1.0 client asks to
    /// keep the connection).
    pub keep_alive: bool,
    pub if_modified_since: Option<&'a [u8]>,
    /// The first `If-None-Match` line; [`Request::lines_of`] gives every
    /// one (a list may be split over several lines, RFC 9110 §5.3).
    pub if_none_match: Option<&'a [u8]>,
    /// The first `If-Match` line; [`Request::lines_of`] gives every one.
    pub if_match: Option<&'a [u8]>,
    pub if_unmodified_since: Option<&'a [u8]>,
    pub range: Option<&'a [u8]>,
    pub if_range: Option<&'a [u8]>,
    /// The first `Accept-Encoding` line; [`Request::lines_of`] gives every
    /// one.
    pub accept_encoding: Option<&'a [u8]>,
    /// The body's `Content-Length` (0 without one). This server reads no
    /// request body: a request with one is answered and the connection
    /// closed, so the body is never taken for the next request.
    pub content_length: u64,
    /// The whole head, for the fields read more than once.
    head: &'a [u8],
}

impl<'a> Request<'a> {
    /// The value of every header line named `name` (lower case), in order:
    /// a list-valued field such as `If-None-Match` may come as several
    /// lines, which together are one comma-separated list (RFC 9110 §5.3).
    pub fn lines_of(&self, name: &'static [u8]) -> impl Iterator<Item = &'a [u8]> {
        self.head
            .split(|&b| b == b'\n')
            .map(strip_cr)
            .skip(1) // the request line
            .take_while(|line| !line.is_empty())
            .filter_map(|line| parse_header_line(line).ok())
            .filter(move |(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }

    /// Whether the client expects the connection to stay open after the
    /// response: by default in HTTP/1.1, on request in HTTP/1.0.
    pub fn wants_keep_alive(&self) -> bool {
        !self.close && (self.version == Version::Http11 || self.keep_alive)
    }
}

/// Parses a complete head, as found by [`HeadScanner`] (the request line,
/// the header lines and the blank line).
pub fn parse(head: &[u8]) -> Result<Request<'_>, Rejection> {
    let mut lines = head.split(|&b| b == b'\n').map(strip_cr);
    let line = lines.next().unwrap_or_default();
    let (method, target, version) = parse_request_line(line)?;
    let mut request = Request {
        line,
        method,
        target,
        version,
        host: None,
        close: false,
        keep_alive: false,
        if_modified_since: None,
        if_none_match: None,
        if_match: None,
        if_unmodified_since: None,
        range: None,
        if_range: None,
        accept_encoding: None,
        content_length: 0,
        head,
    };
    let mut content_length = None;
    let mut transfer_encoding = false;
    for line in lines {
        if line.is_empty() {
            break; // the blank line that ends the head
        }
        let (name, value) = parse_header_line(line)?;
        match Field::of(name) {
            Field::Host if request.host.is_some() => {
                return Err(Rejection::BadRequest("The request has two Host headers."));
            }
            Field::Host => request.host = Some(value),
            Field::Connection => {
                for option in value.split(|&b| b == b',').map(trim_ows) {
                    request.close |= option.eq_ignore_ascii_case(b"close");
                    request.keep_alive |= option.eq_ignore_ascii_case(b"keep-alive");
                }
            }
            Field::ContentLength => {
                let length = parse_decimal(value).ok_or(Rejection::BadRequest(
                    "The Content-Length header is not a number.",
                ))?;
                if content_length
                    .replace(length)
                    .is_some_and(|old| old != length)
                {
                    return Err(Rejection::BadRequest(
                        "The request has two different Content-Length headers.",
                    ));
                }
            }
            Field::TransferEncoding => transfer_encoding = true,
            Field::IfModifiedSince => {
                request.if_modified_since.get_or_insert(value);
            }
            Field::IfNoneMatch => {
                request.if_none_match.get_or_insert(value);
            }
            Field::IfMatch => {
                request.if_match.get_or_insert(value);
            }
            Field::IfUnmodifiedSince => {
                request.if_unmodified_since.get_or_insert(value);
            }
            Field::AcceptEncoding => {
                request.accept_encoding.get_or_insert(value);
            }
            Field::Range => {
                request.range.get_or_insert(value);
            }
            Field::IfRange => {
                request.if_range.get_or_insert(value);
            }
            Field::Other => {}
        }
    }
    if transfer_encoding {
        return Err(Rejection::TransferEncoding);
    }
    if version == Version::Http11 && request.host.is_none() {
        return Err(Rejection::BadRequest(
            "An HTTP/1.1 request must have a Host header.",
        ));
    }
    request.content_length = content_length.unwrap_or(0);
    Ok(request)
}

/// The header fields this server reads; names are case-insensitive.
enum Field {
    Host,
    Connection,
    ContentLength,
    TransferEncoding,
    IfModifiedSince,
    IfNoneMatch,
    IfMatch,
    IfUnmodifiedSince,
    Range,
    IfRange,
    AcceptEncoding,
    Other,
}

impl Field {
    fn of(name: &[u8]) -> Field {
        const FIELDS: [(&[u8], Field); 11] = [
            (b"host", Field::Host),
            (b"connection", Field::Connection),
            (b"content-length", Field::ContentLength),
            (b"transfer-encoding", Field::TransferEncoding),
            (b"if-modified-since", Field::IfModifiedSince),
            (b"range", Field::Range),
            (b"if-range", Field::IfRange),
            (b"if-none-match", Field::IfNoneMatch),
            (b"if-match", Field::IfMatch),
            (b"if-unmodified-since", Field::IfUnmodifiedSince),
            (b"accept-encoding", Field::AcceptEncoding),
        ];
        FIELDS
            .into_iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map_or(Field::Other, |(_, field)| field)
    }
}

/// `GET /index.html HTTP/1.1`: exactly three parts, one space apart.
fn parse_request_line(line: &[u8]) -> Result<(Method, &[u8], Version), Rejection> {
    let mut parts = line.splitn(3, |&b| b == b' ');
    let method = parts.next().unwrap_or_default();
    let (Some(target), Some(version)) = (parts.next(), parts.next()) else {
        return Err(Rejection::BadRequest(
            "The request line is not METHOD TARGET HTTP/VERSION.",
        ));
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return Err(Rejection::BadRequest("The method is not a token."));
    }
    if target.is_empty() || !target.iter().all(|&b| b.is_ascii_graphic()) {
        return Err(Rejection::BadRequest(
            "The request target is empty or has a character a URL cannot have.",
        ));
    }
    let version = match version {
        b"HTTP/1.1" => Version::Http11,
        b"HTTP/1.0" => Version::Http10,
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            return Err(Rejection::VersionNotSupported);
        }
        _ => {
            return Err(Rejection::BadRequest(
                "The request line does not end with HTTP/1.0 or HTTP/1.1.",
            ))
        }
    };
    let method = match method {
        b"GET" => Method::Get,
        b"HEAD" => Method::Head,
        b"OPTIONS" => Method::Options,
        _ => Method::Other,
    };
    Ok((method, target, version))
}

/// `Name: value`: a token, a colon right after it, then the value without
/// the whitespace around it.
fn parse_header_line(line: &[u8]) -> Result<(&[u8], &[u8]), Rejection> {
    if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
        return Err(Rejection::BadRequest(
            "A header line starts with whitespace (obsolete line folding).",
        ));
    }
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or(Rejection::BadRequest("A header line has no colon."))?;
    let (name, value) = (&line[..colon], trim_ows(&line[colon + 1..]));
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return Err(Rejection::BadRequest(
            "A header name is empty or not a token (no spaces before the colon).",
        ));
    }
    if !value
        .iter()
        .all(|&b| b == b'\t' || (b >= b' ' && b != 0x7f))
    {
        return Err(Rejection::BadRequest(
            "A header value has a control character.",
        ));
    }
    Ok((name, value))
}

/// RFC 9110 `tchar`: the characters of a method or a header name.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Removes optional whitespace (spaces and tabs) at both ends.
pub fn trim_ows(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// A non-negative decimal number that fits a u64; nothing else (no sign, no
/// spaces inside, no empty string).
pub fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scan_all(bytes: &[u8]) -> Result<Option<HeadSpan>, Rejection> {
        HeadScanner::default().scan(bytes)
    }

    #[test]
    fn a_head_is_found_whether_it_comes_whole_or_byte_by_byte() {
        let head = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next";
        let end = head.len() - b"GET /next".len();
        assert_eq!(scan_all(head), Ok(Some(HeadSpan { start: 0, end })));

        let mut scanner = HeadScanner::default();
        for n in 1..=head.len() {
            match scanner.scan(&head[..n]) {
                Ok(Some(span)) => {
                    assert_eq!((n, span.end), (end, end));
                    return;
                }
                Ok(None) => assert!(n < end),
                Err(e) => panic!("{e:?}"),
            }
        }
        panic!("the head was never complete");
    }

    #[test]
    fn bare_lf_line_ends_and_leading_empty_lines_are_accepted() {
        assert_eq!(
            scan_all(b"\r\n\nGET / HTTP/1.0\n\n"),
            Ok(Some(HeadSpan { start: 3, end: 19 }))
        );
        let request = parse(b"GET / HTTP/1.0\n\n").expect("valid");
        assert_eq!(request.target, b"/");
        assert_eq!(
            scan_all(b"\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.0\r\n\r\n"),
            Err(Rejection::BadRequest(
                "Too many empty lines before the request line."
            ))
        );
    }

    #[test]
    fn a_long_request_line_is_refused_before_its_end_arrives() {
        let mut line = b"GET /".to_vec();
        line.resize(MAX_REQUEST_LINE, b'a');
        assert_eq!(scan_all(&line), Ok(None), "8 KiB exactly is fine");
        line.push(b'\r');
        assert_eq!(scan_all(&line), Ok(None), "a CR may be waiting for its LF");
        line.pop();
        line.push(b'a');
        assert_eq!(scan_all(&line), Err(Rejection::UriTooLong));
        line.extend_from_slice(b" HTTP/1.1\r\n");
        assert_eq!(scan_all(&line), Err(Rejection::UriTooLong));
    }

    #[test]
    fn headers_over_64_kib_are_refused_as_they_arrive() {
        let mut head = b"GET / HTTP/1.1\r\n".to_vec();
        while head.len() < MAX_HEADER_BYTES + 100 {
            head.extend_from_slice(
                b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
            );
        }
        assert_eq!(scan_all(&head), Err(Rejection::HeadersTooLarge));
        assert_eq!(scan_all(&head[..MAX_HEADER_BYTES]), Ok(None));
    }

    #[test]
    fn a_full_request_is_parsed_into_borrowed_fields() {
        let head =
            b"GET /a%20b.html?x=1 HTTP/1.1\r\nHOST: example\r\nconnection: Keep-Alive, Close\r\n\
                     If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\nRange:  bytes=5-5 \r\n\
                     Content-Length: 0\r\nContent-Length: 0\r\n\r\n";
        let request = parse(head).expect("valid");
        assert_eq!(request.method, Method::Get);
        assert_eq!(request.target, b"/a%20b.html?x=1");
        assert_eq!(request.version, Version::Http11);
        assert_eq!(request.host, Some(&b"example"[..]));
        assert!(request.close && request.keep_alive);
        assert!(!request.wants_keep_alive());
        assert_eq!(
            request.if_modified_since,
            Some(&b"Sun, 06 Nov 1994 08:49:37 GMT"[..])
        );
        assert_eq!(request.range, Some(&b"bytes=5-5"[..]));
        assert_eq!(request.line, b"GET /a%20b.html?x=1 HTTP/1.1");
    }

    #[test]
    fn conditional_and_encoding_headers_are_read_and_options_is_a_method() {
        let head = b"OPTIONS * HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"a\", W/\"b\"\r\n\
                     if-none-match: \"second\"\r\nACCEPT-ENCODING: gzip, br;q=0.5\r\n\
                     If-Range: \"a\"\r\n\r\n";
        let request = parse(head).expect("valid");
        assert_eq!(request.method, Method::Options);
        assert_eq!(request.target, b"*");
        assert_eq!(request.if_none_match, Some(&b"\"a\", W/\"b\""[..]));
        assert_eq!(request.accept_encoding, Some(&b"gzip, br;q=0.5"[..]));
        assert_eq!(request.if_range, Some(&b"\"a\""[..]));
        let every: Vec<&[u8]> = request.lines_of(b"if-none-match").collect();
        assert_eq!(every, [&b"\"a\", W/\"b\""[..], &b"\"second\""[..]]);
        assert_eq!(request.lines_of(b"if-match").count(), 0);

        let head = b"GET / HTTP/1.1\r\nHost: x\r\nIf-Match: \"m\"\r\n\
                     If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n";
        let request = parse(head).expect("valid");
        assert_eq!(request.if_match, Some(&b"\"m\""[..]));
        assert_eq!(
            request.if_unmodified_since,
            Some(&b"Sun, 06 Nov 1994 08:49:37 GMT"[..])
        );
    }

    #[test]
    fn keep_alive_is_the_default_in_http_1_1_only() {
        let v11 = parse(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").expect("valid");
        assert!(v11.wants_keep_alive());
        let v10 = parse(b"GET / HTTP/1.0\r\n\r\n").expect("valid");
        assert!(!v10.wants_keep_alive());
        let v10_keep = parse(b"HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").expect("valid");
        assert!(v10_keep.wants_keep_alive());
        assert_eq!(v10_keep.method, Method::Head);
    }

    #[test]
    fn malformed_requests_are_refused_with_the_right_status() {
        let cases: &[(&[u8], Status)] = &[
            (b"GET /\r\n\r\n", Status::BadRequest),
            (b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", Status::BadRequest),
            (b"GET / HTTP/1.1 \r\nHost: x\r\n\r\n", Status::BadRequest),
            (b"GET / http/1.1\r\nHost: x\r\n\r\n", Status::BadRequest),
            (b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", Status::BadRequest),
            (b"GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n", Status::BadRequest),
            (b"\xff\xfe\xfd\r\n\r\n", Status::BadRequest),
            (
                b"GET / HTTP/2.0\r\nHost: x\r\n\r\n",
                Status::VersionNotSupported,
            ),
            (b"GET / HTTP/1.1\r\n\r\n", Status::BadRequest),
            (
                b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                Status::BadRequest,
            ),
            (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", Status::BadRequest),
            (
                b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
                Status::BadRequest,
            ),
            (
                b"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
                Status::BadRequest,
            ),
            (
                b"GET / HTTP/1.1\r\nHost: x\x00y\r\n\r\n",
                Status::BadRequest,
            ),
            (b"GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n", Status::BadRequest),
            (
                b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                Status::BadRequest,
            ),
            (
                b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                Status::BadRequest,
            ),
            (
                b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                Status::NotImplemented,
            ),
        ];
        for (head, status) in cases {
            let got = parse(head).map(|_| ()).map_err(Rejection::status);
            assert_eq!(got, Err(*status), "{}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn unknown_methods_parse_so_they_can_be_answered_405() {
        let request = parse(b"DELETE /x HTTP/1.1\r\nHost: x\r\n\r\n").expect("valid");
        assert_eq!(request.method, Method::Other);
        let lower = parse(b"get /x HTTP/1.1\r\nHost: x\r\n\r\n").expect("valid");
        assert_eq!(lower.method, Method::Other, "methods are case-sensitive");
    }

    #[test]
    fn decimal_numbers_are_strict() {
        assert_eq!(parse_decimal(b"0"), Some(0));
        assert_eq!(parse_decimal(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_decimal(b"18446744073709551616"), None);
        assert_eq!(parse_decimal(b""), None);
        assert_eq!(parse_decimal(b"+1"), None);
        assert_eq!(parse_decimal(b"1 2"), None);
    }

    proptest! {
        #[test]
        fn no_input_makes_the_scanner_or_the_parser_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..600),
            cut in 0usize..600,
        ) {
            let mut scanner = HeadScanner::default();
            let cut = cut.min(bytes.len());
            let first = scanner.scan(&bytes[..cut]);
            let result = match first {
                Ok(None) => scanner.scan(&bytes),
                other => other,
            };
            if let Ok(Some(span)) = result {
                prop_assert!(span.start <= span.end && span.end <= bytes.len());
                let _ = parse(&bytes[span.start..span.end]);
            }
            let _ = parse(&bytes);
        }

        #[test]
        fn a_head_cut_anywhere_scans_the_same(cut in 0usize..80) {
            let head = b"GET /x HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n";
            let mut scanner = HeadScanner::default();
            let cut = cut.min(head.len());
            let first = scanner.scan(&head[..cut]).expect("valid so far");
            let span = match first {
                Some(span) => span,
                None => scanner.scan(head).expect("valid").expect("complete"),
            };
            prop_assert_eq!(span, HeadSpan { start: 0, end: head.len() });
        }
    }
}
