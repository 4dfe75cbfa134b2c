//! Step 3 of the web-server lab: an HTTP client over a plain TCP socket
//! (seed 004, Python网络编程: 客户端的代码最简形式).
//!
//! Connect to the URL's host and port, send a GET request written by hand
//! (the request line, `Host:` with the URL's host where the lesson's says
//! `127.0.0.0.1`, `Connection: close`, a blank line), read the answer and
//! print it as Python's `print(data)` shows bytes: `b'...'`, with `\n`, `\r`
//! and the leading space of the lab's status line in plain sight.
//!
//! ```text
//! terminal 1:  cargo run -p web_server --example web_1_lab_server      # in a directory with HelloWorld.html
//! terminal 2:  cargo run -p web_server --example web_3_client http://127.0.0.1:6789/HelloWorld.html
//!              cargo run -p web_server --example web_3_client http://127.0.0.1:6789/abc.html
//! ```
//!
//! Only `http://HOST[:PORT]/PATH` (port 80 when it is left out); anything
//! else is a usage error. The lesson's client takes one recv(4096) for the
//! whole answer: against the lab's server, which sends its page one byte per
//! send, that is the header and perhaps a few bytes. One line below reads
//! until the server closes, and one asks it to close (HTTP/1.1 keeps a
//! connection open).

use std::env;
use std::io::{self, Read, Write};
use std::net::TcpStream;

fn main() -> io::Result<()> {
    let usage = || io::Error::other("usage: web_3_client [http://HOST[:PORT]/PATH]");
    let url = env::args().nth(1);
    let url = url
        .as_deref()
        .unwrap_or("http://127.0.0.1:6789/HelloWorld.html");
    let (host, port, path) = parse_url(url).ok_or_else(usage)?;

    // socket(AF_INET, SOCK_STREAM) and connect() in one call.
    let mut sock = TcpStream::connect((host, port))?;
    // Connection: close, which the lesson's request lacks: an HTTP/1.1 server
    // would keep the connection open, and read_to_end() below wait for ever.
    let request = format!("GET {path} HTTP/1.1\r\nHost:{host}\r\nConnection: close\r\n\r\n");
    sock.write_all(request.as_bytes())?;

    let mut data = Vec::new();
    sock.read_to_end(&mut data)?; // the lesson's bug: one recv(4096) takes what has come so far
    println!("{}", python_repr(&data));
    Ok(()) // sock.close(): the socket is closed when it goes out of scope
}

/// `http://HOST[:PORT]/PATH` → (HOST, PORT, /PATH); `None` for anything else.
fn parse_url(url: &str) -> Option<(&str, u16, &str)> {
    let rest = url.strip_prefix("http://")?;
    let slash = rest.find('/')?;
    let (authority, path) = rest.split_at(slash);
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, port.parse().ok()?),
        None => (authority, 80),
    };
    let fits = !host.is_empty() && url.bytes().all(|b| b.is_ascii_graphic()); // no space, no CR LF
    fits.then_some((host, port, path))
}

/// What Python's `print(data)` shows for bytes: `b'...'` (or `b"..."` when
/// the bytes hold a `'` and no `"`), `\t \n \r \\` and the quote escaped,
/// other bytes outside ` `..`~` as `\xNN`.
fn python_repr(data: &[u8]) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut text = format!("b{}", quote as char);
    for &byte in data {
        match byte {
            b'\t' => text.push_str("\\t"),
            b'\n' => text.push_str("\\n"),
            b'\r' => text.push_str("\\r"),
            b'\\' => text.push_str("\\\\"),
            _ if byte == quote => text.push_str(&format!("\\{}", quote as char)),
            b' '..=b'~' => text.push(byte as char),
            _ => text.push_str(&format!("\\x{byte:02x}")),
        }
    }
    text.push(quote as char);
    text
}
