//! Writing a response head: the lab's
//! `'HTTP/1.1 200 OK\nConnection: close\nContent-Type: text/html\n...'`,
//! with CRLF line ends, a `Date`, a `Server`, and the length of the body
//! always said, so the client knows where the response ends and the
//! connection can carry the next one.
//!
//! The head is built in a buffer the connection keeps (no allocation per
//! response) and sent with the body in one `write` when the body is small.

/// The `Server` header.
pub const SERVER: &str = concat!("web_server/", env!("CARGO_PKG_VERSION"), " (sockets-rs)");

/// The statuses this server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    PartialContent,
    MovedPermanently,
    NotModified,
    BadRequest,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    RequestTimeout,
    PreconditionFailed,
    UriTooLong,
    RangeNotSatisfiable,
    HeadersTooLarge,
    InternalServerError,
    NotImplemented,
    ServiceUnavailable,
    VersionNotSupported,
}

impl Status {
    pub fn code(self) -> u16 {
        match self {
            Status::Ok => 200,
            Status::PartialContent => 206,
            Status::MovedPermanently => 301,
            Status::NotModified => 304,
            Status::BadRequest => 400,
            Status::Forbidden => 403,
            Status::NotFound => 404,
            Status::MethodNotAllowed => 405,
            Status::RequestTimeout => 408,
            Status::PreconditionFailed => 412,
            Status::UriTooLong => 414,
            Status::RangeNotSatisfiable => 416,
            Status::HeadersTooLarge => 431,
            Status::InternalServerError => 500,
            Status::NotImplemented => 501,
            Status::ServiceUnavailable => 503,
            Status::VersionNotSupported => 505,
        }
    }

    /// The reason phrase of RFC 9110 (RFC 6585 for 431).
    pub fn reason(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::PartialContent => "Partial Content",
            Status::MovedPermanently => "Moved Permanently",
            Status::NotModified => "Not Modified",
            Status::BadRequest => "Bad Request",
            Status::Forbidden => "Forbidden",
            Status::NotFound => "Not Found",
            Status::MethodNotAllowed => "Method Not Allowed",
            Status::RequestTimeout => "Request Timeout",
            Status::PreconditionFailed => "Precondition Failed",
            Status::UriTooLong => "URI Too Long",
            Status::RangeNotSatisfiable => "Range Not Satisfiable",
            Status::HeadersTooLarge => "Request Header Fields Too Large",
            Status::InternalServerError => "Internal Server Error",
            Status::NotImplemented => "Not Implemented",
            Status::ServiceUnavailable => "Service Unavailable",
            Status::VersionNotSupported => "HTTP Version Not Supported",
        }
    }
}

/// What the response says about the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persistence {
    /// HTTP/1.1's default: the connection stays open; nothing to say.
    KeepAlive,
    /// An HTTP/1.0 client that asked for keep-alive: `Connection: keep-alive`.
    KeepAliveHttp10,
    /// The server closes after this response: `Connection: close`.
    Close,
}

/// Starts a response head in `out` (which is cleared): the status line,
/// `Server` and `Date`.
/// (Byte by byte, not by `write!`: the formatting machinery was a sixth of
/// the instructions of a cached 1 KiB response.)
pub fn begin(out: &mut Vec<u8>, status: Status, date: &str) {
    out.clear();
    out.extend_from_slice(b"HTTP/1.1 ");
    push_number(out, u64::from(status.code()));
    out.push(b' ');
    out.extend_from_slice(status.reason().as_bytes());
    out.extend_from_slice(b"\r\nServer: ");
    out.extend_from_slice(SERVER.as_bytes());
    out.extend_from_slice(b"\r\nDate: ");
    out.extend_from_slice(date.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// One header line.
pub fn header(out: &mut Vec<u8>, name: &str, value: &str) {
    header_bytes(out, name, value.as_bytes());
}

/// One header line whose value is bytes (an entity tag, already ASCII).
pub fn header_bytes(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

/// One header line with a number for its value.
pub fn header_number(out: &mut Vec<u8>, name: &str, value: u64) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    push_number(out, value);
    out.extend_from_slice(b"\r\n");
}

/// `value` in decimal, as `write!` would put it.
fn push_number(out: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0u8; 20]; // u64::MAX has 20
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// The `Connection` header if one is needed, and the blank line.
pub fn end(out: &mut Vec<u8>, persistence: Persistence) {
    match persistence {
        Persistence::KeepAlive => {}
        Persistence::KeepAliveHttp10 => header(out, "Connection", "keep-alive"),
        Persistence::Close => header(out, "Connection", "close"),
    }
    out.extend_from_slice(b"\r\n");
}

/// The small HTML page sent with an error status.
pub fn error_page(status: Status, explanation: &str) -> String {
    let title = format!("{} {}", status.code(), status.reason());
    format!(
        "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n<p>{}</p>\n\
         <hr>\n<p>{SERVER}</p>\n</body>\n</html>\n",
        html_escape(explanation)
    )
}

/// The whole response for a client over `--max-connections`, sent by the
/// accept loop before it closes the connection.
pub fn busy_response(max_connections: usize) -> String {
    let body = error_page(
        Status::ServiceUnavailable,
        &format!(
            "The server already has {max_connections} connections open. Try again in a moment."
        ),
    );
    format!(
        "HTTP/1.1 503 Service Unavailable\r\nServer: {SERVER}\r\n\
         Content-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Retry-After: 1\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Escapes the five characters that mean something in HTML text and in a
/// quoted attribute.
pub fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_crlf_lines_and_a_blank_line() {
        let mut out = b"left over".to_vec();
        begin(&mut out, Status::NotFound, "Sun, 06 Nov 1994 08:49:37 GMT");
        header(&mut out, "Content-Type", "text/html");
        header_number(&mut out, "Content-Length", 24);
        end(&mut out, Persistence::Close);
        assert_eq!(
            String::from_utf8(out).expect("ASCII"),
            format!(
                "HTTP/1.1 404 Not Found\r\nServer: {SERVER}\r\n\
                 Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: text/html\r\n\
                 Content-Length: 24\r\nConnection: close\r\n\r\n"
            )
        );
    }

    #[test]
    fn numbers_are_written_as_write_would() {
        for value in [0, 7, 10, 1024, 102_400, 67_108_864, u64::MAX] {
            let mut out = Vec::new();
            header_number(&mut out, "Content-Length", value);
            assert_eq!(out, format!("Content-Length: {value}\r\n").into_bytes());
        }
        let mut out = Vec::new();
        begin(&mut out, Status::PartialContent, "D");
        assert!(out.starts_with(b"HTTP/1.1 206 Partial Content\r\n"));
    }

    #[test]
    fn the_busy_response_says_its_own_length() {
        let response = busy_response(7);
        let (head, body) = response.split_once("\r\n\r\n").expect("a head");
        assert!(head.starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
        assert!(head.contains(&format!("Content-Length: {}\r\n", body.len())));
        assert!(body.contains("already has 7 connections open"));
    }

    #[test]
    fn error_pages_escape_their_text() {
        let page = error_page(Status::BadRequest, "a <b> & c");
        assert!(page.contains("<title>400 Bad Request</title>"));
        assert!(page.contains("<p>a &lt;b&gt; &amp; c</p>"));
    }

    #[test]
    fn html_escape_covers_text_and_attributes() {
        assert_eq!(
            html_escape("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#x27;y&#x27;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(html_escape("你好"), "你好");
    }
}
