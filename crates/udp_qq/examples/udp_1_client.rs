//! Step 1 of the UDP lesson: the first UDP client (seed 000, §四 基于UDP的套接字).
//!
//! No connect: loop, read a line at the `>>: ` prompt, send it in one
//! datagram to 127.0.0.1:8080, receive up to 1024 bytes, print them.
//! Even an empty line is sent. End of input (Ctrl-D) ends the client.
//!
//! ```text
//! terminal 1:  cargo run -p udp_qq --example udp_1_server
//! terminal 2:  cargo run -p udp_qq --example udp_1_client      # [PORT]: 8080
//! ```

use std::env;
use std::io::{self, BufRead, Write};
use std::net::UdpSocket;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8080), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: udp_1_client [PORT]"))?;

    // socket(AF_INET, SOCK_DGRAM) on a free port (Python's first sendto()
    // picks one too); no connect(): every sendto() names the server.
    let udp_client = UdpSocket::bind(("127.0.0.1", 0))?;
    let ip_port = ("127.0.0.1", port);

    let mut lines = io::stdin().lock().lines();
    loop {
        print!(">>: ");
        io::stdout().flush()?;
        let Some(line) = lines.next() else {
            return Ok(()); // end of input
        };
        let msg = line?.trim().to_string();
        // No `continue` on an empty msg, unlike tcp_1_client: sendto(b'') sends a
        // datagram of 0 bytes, a real one, and the server answers it (with b'').
        udp_client.send_to(msg.as_bytes(), ip_port)?;

        let mut data = [0; BUFFER_SIZE];
        let (n, _addr) = udp_client.recv_from(&mut data)?; // blocks until a datagram comes
        println!("b'{}'", data[..n].escape_ascii()); // print(data): bytes, as Python shows them
    }
}
