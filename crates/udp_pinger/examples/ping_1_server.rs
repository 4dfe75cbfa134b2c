//! Step 1 of the UDP pinger lab: the server (seed 002, §3.2 UDP Ping服务程序框架).
//!
//! Bind a datagram socket to 127.0.0.1:12000, then one loop: receive a
//! ping of up to 1024 bytes, upper-case it, count it, and send it back to
//! whoever sent it — except when the count `num % 3 == 1` (messages 1, 4,
//! 7: the lab's made-up loss, since loopback loses nothing). `num` counts
//! the datagrams received, whoever sent them, not the numbers in the pings.
//! At the 8th message (which gets no reply either) the server stops, as
//! the lab's does "to save resources". It prints nothing else, as the lab.
//!
//! ```text
//! terminal 1:  cargo run -p udp_pinger --example ping_1_server      # [PORT]: 12000; 0 = any free port
//! terminal 2:  cargo run -p udp_pinger --example ping_2_client
//! ```
//!
//! The lab imports `random` and never uses it: the loss is the same on
//! every run. The lab binds `''` (every address); this step, 127.0.0.1.

use std::env;
use std::io;
use std::net::UdpSocket;

const BUFFER_SIZE: usize = 1024; // the most one recvfrom() takes; the rest of a datagram is lost
const STOP_AFTER: u32 = 8; // the lab's counter: if num >= 8: break

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(12000), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: ping_1_server [PORT]"))?;

    // socket(AF_INET, SOCK_DGRAM) and bind(): no listen(), no accept().
    let server_socket = UdpSocket::bind(("127.0.0.1", port))?;
    println!("listening on {}", server_socket.local_addr()?);

    let mut num = 0;
    loop {
        let mut message = [0; BUFFER_SIZE];
        let (n, address) = server_socket.recv_from(&mut message)?; // 接收客户端消息
        message[..n].make_ascii_uppercase(); // message.upper(): ASCII letters only
        num += 1;
        if num >= STOP_AFTER {
            return Ok(()); // break: the server is gone, and so are the client's next pings
        }
        if num % 3 == 1 {
            continue; // pretend the network lost it: no reply
        }
        server_socket.send_to(&message[..n], address)?; // 将消息传回给客户端
    }
}
