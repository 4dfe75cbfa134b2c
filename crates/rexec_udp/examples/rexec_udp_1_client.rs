//! Step 1 of remote commands over UDP: the client (seed 000, §八 基于udp实现远程命令).
//!
//! A datagram socket, then loop: read a command at the `>>: ` prompt,
//! skip it if it is empty, end at `quit`, send it to 127.0.0.1, receive one
//! datagram into 1024 bytes, print them. A longer reply is cut and its rest is
//! gone: no sticky packet (the next command gets its own answer), but data lost.
//! End of input (Ctrl-D) ends the client.
//!
//! ```text
//! terminal 1:  cargo run -p rexec_udp --example rexec_udp_1_server
//! terminal 2:  cargo run -p rexec_udp --example rexec_udp_1_client      # [PORT]: 8017
//!              >>: seq 1 400      (1024 of its 1492 bytes; the other 468 are lost)
//!              >>: echo hi        (hi)
//! ```

use std::env;
use std::io::{self, BufRead, Write};
use std::net::UdpSocket;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8017), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: rexec_udp_1_client [PORT]"))?;

    // socket(AF_INET, SOCK_DGRAM); bound to a free port here, not at the first sendto().
    let udp_client = UdpSocket::bind(("127.0.0.1", 0))?;

    let mut lines = io::stdin().lock().lines();
    loop {
        print!(">>: ");
        io::stdout().flush()?;
        let Some(line) = lines.next() else {
            return Ok(()); // end of input
        };
        let cmd = line?.trim().to_string();
        if cmd.is_empty() {
            continue; // as the lesson: an empty datagram would be sent, and run as a command
        }
        if cmd == "quit" {
            return Ok(());
        }
        udp_client.send_to(cmd.as_bytes(), ("127.0.0.1", port))?;

        let mut data = [0; BUFFER_SIZE]; // what does not fit is dropped (on Windows: WinError 10040)
        let (n, _addr) = udp_client.recv_from(&mut data)?;
        // The lesson decodes gbk, Windows' code page; commands on Linux print UTF-8.
        println!("命令的执行结果是  {}", String::from_utf8_lossy(&data[..n]));
    }
}
