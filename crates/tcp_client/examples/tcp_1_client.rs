//! Step 1 of the TCP lesson: the first client (seed 000, §三 基于TCP的套接字).
//!
//! Connect to 127.0.0.1:8080, then loop: read a line at the `>>: ` prompt,
//! skip it if it is empty, send it, receive up to 1024 bytes, print them.
//! End of input (Ctrl-D) ends the client.
//!
//! ```text
//! terminal 1:  cargo run -p tcp_server --example tcp_1_server
//! terminal 2:  cargo run -p tcp_client --example tcp_1_client      # [PORT]: 8080
//! ```

use std::env;
use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8080), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: tcp_1_client [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM) and connect() in one call.
    let mut tcp_client = TcpStream::connect(("127.0.0.1", port))?;

    let mut lines = io::stdin().lock().lines();
    loop {
        print!(">>: ");
        io::stdout().flush()?;
        let Some(line) = lines.next() else {
            return Ok(()); // end of input
        };
        let msg = line?.trim().to_string();
        if msg.is_empty() {
            continue; // send(b'') sends nothing, so recv() would wait for a reply for ever
        }
        tcp_client.write_all(msg.as_bytes())?;
        println!("客户端已经发送消息");

        let mut data = [0; BUFFER_SIZE];
        let n = tcp_client.read(&mut data)?;
        if n == 0 {
            return Ok(()); // the server closed the connection; the lesson's client would print b''
        }
        println!(
            "收到服务端发来的消息 {}",
            String::from_utf8_lossy(&data[..n])
        );
    }
}
