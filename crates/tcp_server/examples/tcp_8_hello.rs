//! Step 8 of the TCP lesson: the smallest server a browser can open (seed
//! 004, 服务器端的最简化代码).
//!
//! Bind 127.0.0.1:8000 and listen, then for each client: one recv(4096),
//! the request, printed as the lesson shows it (`b'GET / HTTP/1.1\r\n...'`),
//! then whatever it asked, the answer `hello word`, and close.
//!
//! ```text
//! terminal 1:  cargo run -p tcp_server --example tcp_8_hello      # [PORT]: 8000; 0 = any free port
//! terminal 2:  curl --http0.9 http://127.0.0.1:8000/
//! ```
//!
//! What it adds: the client need not be ours. A web client is a TCP client,
//! and its request is a few lines of bytes. The answer has no status line and
//! no headers, so it is an HTTP/0.9 response (the body is all that comes
//! before the close): `curl --http0.9` prints it, but curl without the flag,
//! Python's urllib and Chrome (on any port but 80) refuse it.

use std::env;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};

const BUFFER_SIZE: usize = 4096; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8000), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: tcp_8_hello [PORT]"))?;

    // socket(), bind() and listen() in one call; on Unix std sets
    // SO_REUSEADDR itself, as the lesson does by hand. Backlog 128, not 5.
    let sock = TcpListener::bind(("127.0.0.1", port))?;
    println!("listening on {}", sock.local_addr()?);

    loop {
        let (cli_sock, _cli_addr) = sock.accept()?;
        if let Err(e) = answer(cli_sock) {
            println!("{e}"); // e.g. the client reset: it costs only its own connection
        }
    }
}

/// One request, one answer. `cli_sock` is closed when it goes out of scope
/// (`cli_sock.close()`).
fn answer(mut cli_sock: TcpStream) -> io::Result<()> {
    let mut req = [0; BUFFER_SIZE];
    let n = cli_sock.read(&mut req)?;
    println!("b'{}'", req[..n].escape_ascii()); // Python's repr(req)
    cli_sock.write_all(b"hello word")?;
    Ok(())
}
