//! Step 2 of the sticky-packet lesson: one send, small recvs (seed 000, §9.2 情形二).
//!
//! Connect to 127.0.0.1:8080, send `helloworldegon` with one send, and
//! close. One message for the sender; for the server's recv(1), recv(5),
//! recv(1), three pieces: b'h', b'ellow', b'o'. Like the lesson's client
//! it prints nothing: the server shows what arrived.
//!
//! ```text
//! terminal 1:  cargo run -p sticky_demo --example sticky_2_server
//! terminal 2:  cargo run -p sticky_demo --example sticky_2_client      # [PORT]: 8080
//! ```
//!
//! Adds to sticky_1_client one send in place of three.

use std::env;
use std::io::{self, Write};
use std::net::TcpStream;

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8080), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: sticky_2_client [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM) and connect() in one call.
    let mut tcp_client = TcpStream::connect(("127.0.0.1", port))?;

    // One write, one send() call: one message, 14 bytes.
    tcp_client.write_all("helloworldegon".as_bytes())?;
    Ok(()) // tcp_client is closed as main returns: the server's recv gets b''
}
