//! Step 1 of the remote-command lesson: the raw client (seed 000, §七 基于tcp实现远程命令).
//!
//! Connect to 127.0.0.1, then loop: read a command at the `>>: ` prompt,
//! skip it if it is empty, end at `quit`, send it, receive up to 1024 bytes,
//! print them. A longer output is cut, and its rest is what the next recv()
//! brings, whatever the next command was: the sticky packet (粘包).
//! End of input (Ctrl-D) ends the client.
//!
//! ```text
//! terminal 1:  cargo run -p rexec_tcp --example rexec_1_raw_server
//! terminal 2:  cargo run -p rexec_tcp --example rexec_1_raw_client      # [PORT]: 8017
//!              >>: seq 1 400      (1024 of its 1492 bytes)
//!              >>: echo hi        (the other 468, not "hi")
//! ```

use std::env;
use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8017), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: rexec_1_raw_client [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM) and connect() in one call.
    let mut tcp_client = TcpStream::connect(("127.0.0.1", port))?;

    let mut lines = io::stdin().lock().lines();
    loop {
        print!(">>: ");
        io::stdout().flush()?;
        let Some(line) = lines.next() else {
            return Ok(()); // end of input
        };
        let cmd = line?.trim().to_string();
        if cmd.is_empty() {
            continue; // send(b'') sends nothing, so recv() would wait for a reply for ever
        }
        if cmd == "quit" {
            return Ok(());
        }
        tcp_client.write_all(cmd.as_bytes())?;

        let mut data = [0; BUFFER_SIZE];
        let n = tcp_client.read(&mut data)?;
        if n == 0 {
            return Ok(()); // the server closed the connection; the lesson's client would print an empty result
        }
        // The lesson decodes gbk, Windows' code page; commands on Linux print UTF-8.
        println!("命令的执行结果是  {}", String::from_utf8_lossy(&data[..n]));
    }
}
