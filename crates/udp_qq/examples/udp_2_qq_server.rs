//! Step 2 of the UDP lesson: the QQ chat server (seed 000, §五 模拟QQ聊天).
//!
//! Bind 127.0.0.1:8081, no listen, no connection loop (nothing to accept),
//! only the communication loop: receive up to 1024 bytes and the address they
//! came from, show them in colour, and send back a reply that the server's
//! operator types at `回复消息: `. What it adds to udp_1_server: a person
//! answers, and the reply goes to whoever wrote, so several clients can chat.
//!
//! ```text
//! terminal 1:  cargo run -p udp_qq --example udp_2_qq_server      # [PORT]: 8081; 0 = any free port
//! terminal 2:  cargo run -p udp_qq --example udp_2_qq_client      # [PORT]: 8081
//! ```
//!
//! The lesson's page shows the colour as `33[1;44m`: its `\033` (ESC) lost
//! its backslash on the way to the web. Here it is `\x1b`, as in the lesson.

use std::env;
use std::io::{self, BufRead, Write};
use std::net::UdpSocket;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8081), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: udp_2_qq_server [PORT]"))?;

    // socket(AF_INET, SOCK_DGRAM) and bind() in one call: no listen().
    let udp_server = UdpSocket::bind(("127.0.0.1", port))?;
    println!("listening on {}", udp_server.local_addr()?);

    let mut lines = io::stdin().lock().lines();
    let mut data = [0; BUFFER_SIZE];
    loop {
        // The communication loop: no accept(), each datagram comes with its sender;
        // no `if n == 0` as in tcp_1: b'' is an empty datagram, answered like any other.
        let (n, addr) = udp_server.recv_from(&mut data)?; // blocks until a datagram comes
        let text = String::from_utf8_lossy(&data[..n]); // the lesson's decode() dies on bad UTF-8
        println!(
            "来自[{}:{}]的一条消息:\x1b[1;44m{text}\x1b[0m",
            addr.ip(),
            addr.port()
        );
        print!("回复消息: ");
        io::stdout().flush()?;
        let Some(line) = lines.next() else {
            return Ok(()); // end of input: no operator, no more replies
        };
        let back_msg = line?.trim().to_string();
        udp_server.send_to(back_msg.as_bytes(), addr)?;
    }
}
