//! Step 5 of the TCP lesson: the chat client (seed 001, the chat at the end).
//!
//! Connect to 127.0.0.1:21567, then loop: read a line at the `>>>` prompt,
//! send it, receive up to 1024 bytes (the reply the server's operator
//! typed), print them. `q` (or `Q`), typed here or received, ends the chat;
//! a `q` typed here is still sent, and the server closes without a reply.
//! End of input (Ctrl-D) ends the client.
//!
//! ```text
//! terminal 1:  cargo run -p tcp_server --example tcp_5_chat_server
//! terminal 2:  cargo run -p tcp_client --example tcp_5_chat_client      # [PORT]: 21567
//! ```
//!
//! Two bugs of the lesson's client, one line each below: an empty line sends
//! nothing and leaves both sides waiting, and once the server has closed it
//! prints an empty reply and sends again.

use std::env;
use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(21567), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: tcp_5_chat_client [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM) and connect() in one call.
    let mut tcp_client = TcpStream::connect(("127.0.0.1", port))?;

    let mut lines = io::stdin().lock().lines();
    loop {
        print!(">>>");
        io::stdout().flush()?;
        let Some(line) = lines.next() else {
            return Ok(()); // end of input
        };
        let msg = line?; // not stripped: the lesson sends the line as typed
        if msg.is_empty() {
            continue; // the lesson's bug: send(b'') sends nothing, so recv() would wait for ever
        }
        tcp_client.write_all(msg.as_bytes())?;

        let mut ret = [0; BUFFER_SIZE];
        let n = tcp_client.read(&mut ret)?;
        if msg.eq_ignore_ascii_case("q") || ret[..n].eq_ignore_ascii_case(b"q") {
            return Ok(()); // msg.lower() == b'q' or ret.lower() == b'q'
        }
        if n == 0 {
            return Ok(()); // the server closed; the lesson's client would print '' and send again
        }
        println!("{}", String::from_utf8_lossy(&ret[..n]));
    }
}
