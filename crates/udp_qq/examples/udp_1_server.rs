//! Step 1 of the UDP lesson: the first UDP server (seed 000, §四 基于UDP的套接字).
//!
//! Bind 127.0.0.1:8080, no listen, no connection loop (nothing to accept),
//! only the communication loop: receive up to 1024 bytes and the address they
//! came from, send them back upper-cased to that address. Any number of
//! clients: each datagram is answered as it comes.
//!
//! ```text
//! terminal 1:  cargo run -p udp_qq --example udp_1_server      # [PORT]: 8080; 0 = any free port
//! terminal 2:  cargo run -p udp_qq --example udp_1_client
//! ```

use std::env;
use std::io;
use std::net::UdpSocket;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8080), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: udp_1_server [PORT]"))?;

    // socket(AF_INET, SOCK_DGRAM) and bind() in one call: no listen().
    let udp_server = UdpSocket::bind(("127.0.0.1", port))?;
    println!("listening on {}", udp_server.local_addr()?);

    let mut data = [0; BUFFER_SIZE];
    loop {
        // The communication loop: no accept(), each datagram comes with its sender;
        // no `if n == 0` as in tcp_1: b'' is an empty datagram, answered like any other.
        let (n, addr) = udp_server.recv_from(&mut data)?; // blocks until a datagram comes
        println!("b'{}'", data[..n].escape_ascii()); // print(data): bytes, as Python shows them
        data[..n].make_ascii_uppercase(); // data.upper(): ASCII letters only
        udp_server.send_to(&data[..n], addr)?;
    }
}
