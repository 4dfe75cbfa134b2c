//! Step 5 of the TCP lesson: the chat server (seed 001, the chat at the end).
//!
//! Bind 127.0.0.1:21567 and listen, then the two loops of tcp_1, but the
//! reply is no longer computed: the server's operator reads each message
//! and types the reply at the `>>>` prompt. The client speaks first, then
//! the two sides take turns. `q` ends the conversation (not the server): a
//! `q` from the client is not answered; a `q` typed here is sent first.
//! Either way this client is closed and the next one accepted.
//!
//! ```text
//! terminal 1:  cargo run -p tcp_server --example tcp_5_chat_server      # [PORT]: 21567; 0 = any free port
//! terminal 2:  cargo run -p tcp_client --example tcp_5_chat_client
//! ```
//!
//! Three bugs of the lesson's server, one line each below: the empty `recv`
//! of tcp_1, `ret == b'q'` that misses the `Q` its own client quits on, and
//! an empty reply, which sends nothing and leaves both sides waiting.

use std::env;
use std::io::{self, BufRead, Lines, Read, StdinLock, Write};
use std::net::{TcpListener, TcpStream};

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(21567), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: tcp_5_chat_server [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM), bind() and listen() in one call. std also
    // sets SO_REUSEADDR, and a backlog of 128: tcp_2_reuseaddr does both by hand.
    let tcp_server = TcpListener::bind(("127.0.0.1", port))?;
    println!("listening on {}", tcp_server.local_addr()?);

    let mut lines = io::stdin().lock().lines();
    loop {
        // The connection loop.
        let (conn, _addr) = tcp_server.accept()?; // blocks until a client connects
        match communicate(conn, &mut lines) {
            Ok(true) => {}
            Ok(false) => return Ok(()), // the operator's Ctrl-D: nobody is left to reply
            Err(e) => println!("{e}"),  // e.g. the client reset: it costs only its own connection
        }
    } // (tcpsersock.close(): the listener is closed when main returns)
}

/// The communication loop: print the client's message, send the operator's
/// reply, until either side says `q`. `conn` is closed when it goes out of
/// scope (`tcpclconn.close()`). Returns false when the operator has gone.
fn communicate(mut conn: TcpStream, lines: &mut Lines<StdinLock<'_>>) -> io::Result<bool> {
    let mut ret = [0; BUFFER_SIZE];
    loop {
        let n = conn.read(&mut ret)?;
        if n == 0 {
            return Ok(true); // the lesson's bug: without this, it asks for a reply to nobody
        }
        if ret[..n].eq_ignore_ascii_case(b"q") {
            return Ok(true); // the lesson's bug: ret == b'q' misses `Q`, which its client quits on
        }
        println!("{}", String::from_utf8_lossy(&ret[..n]));

        let msg = loop {
            print!(">>>");
            io::stdout().flush()?;
            let Some(line) = lines.next() else {
                return Ok(false); // end of input
            };
            let msg = line?;
            if !msg.is_empty() {
                break msg; // the lesson's bug: send(b'') sends nothing; both sides wait
            }
        };
        conn.write_all(msg.as_bytes())?;
        if msg.eq_ignore_ascii_case("q") {
            return Ok(true); // msg.lower() == b'q'
        }
    }
}
