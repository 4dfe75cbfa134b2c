//! Step 1 of the sticky-packet lesson: three sends, one recv (seed 000, §9.2 情形一).
//!
//! Connect to 127.0.0.1:8080, send `hello`, `world` and `egon` with three
//! quick sends, and close. Three messages for the sender; for the server's
//! one recv(1024), 14 bytes stuck together: b'helloworldegon'. Like the
//! lesson's client it prints nothing: the server shows what arrived.
//!
//! ```text
//! terminal 1:  cargo run -p sticky_demo --example sticky_1_server
//! terminal 2:  cargo run -p sticky_demo --example sticky_1_client      # [PORT]: 8080
//! ```
//!
//! Adds to tcp_1_client the lesson's sender: no input, three sends, the end.

use std::env;
use std::io::{self, Write};
use std::net::TcpStream;

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8080), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: sticky_1_client [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM) and connect() in one call.
    let mut tcp_client = TcpStream::connect(("127.0.0.1", port))?;

    // Three writes, three send() calls, with Nagle's algorithm on (the
    // default, as in Python): small quick sends may even leave in one
    // segment. Whether they do or not, the receiver sees one stream.
    tcp_client.write_all("hello".as_bytes())?;
    tcp_client.write_all("world".as_bytes())?;
    tcp_client.write_all("egon".as_bytes())?;
    Ok(()) // tcp_client is closed as main returns: the server's recv gets b''
}
