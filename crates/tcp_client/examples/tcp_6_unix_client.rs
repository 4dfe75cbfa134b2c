//! Step 6 of the TCP lesson: tcp_1_client over AF_UNIX (seed 000, §2.2 socket分类).
//!
//! Connect to a file path, then loop: read a line at the `>>: ` prompt,
//! skip it if it is empty, send it, receive up to 1024 bytes, print them.
//! End of input (Ctrl-D) ends the client.
//!
//! ```text
//! terminal 1:  cargo run -p tcp_server --example tcp_6_unix_server
//! terminal 2:  cargo run -p tcp_client --example tcp_6_unix_client      # [PATH]: /tmp/tcp_6_unix.sock
//! ```
//!
//! What changes is the family: AF_UNIX, 基于文件类型的套接字. The address is
//! the path of the socket file the server's bind() created: no file, or no
//! server behind it, and connect() fails (`No such file or directory`,
//! `Connection refused`).

use std::env;
use std::io::{self, BufRead, Read, Write};
use std::os::unix::net::UnixStream;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let path = env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/tcp_6_unix.sock".to_string());

    // socket(AF_UNIX, SOCK_STREAM) and connect() in one call.
    let mut tcp_client = UnixStream::connect(&path)?;

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
