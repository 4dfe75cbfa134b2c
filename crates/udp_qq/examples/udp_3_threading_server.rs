//! Step 3 of the UDP lesson: a thread per datagram (seed 003, UDP的并发:
//! socketserver ThreadingUDPServer).
//!
//! Bind 127.0.0.1:8089, no listen, no connection loop (nothing to accept),
//! only the communication loop: receive up to 1024 bytes and the address they
//! came from, and hand them to a thread of their own (the lesson's
//! `MyUdpServer.handle`), which sends them back upper-cased to that address.
//! What it adds to udp_1_server: the loop is back in recvfrom() at once.
//!
//! ```text
//! terminal 1:  cargo run -p udp_qq --example udp_3_threading_server      # [PORT]: 8089; 0 = any free port
//! terminal 2:  cargo run -p udp_qq --example udp_1_client 8089
//! terminal 3:  cargo run -p udp_qq --example udp_1_client 8089      # at the same time: both are served
//! ```
//!
//! The lesson's handler answers every datagram with the same fixed (rude)
//! words whatever it received; this one answers as udp_1_server does, so the
//! clients of §四 work against it and the diff shows only the threads.

use std::env;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::thread;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8089), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: udp_3_threading_server [PORT]"))?;

    // socket(AF_INET, SOCK_DGRAM) and bind() in one call: no listen().
    let udp_server = Arc::new(UdpSocket::bind(("127.0.0.1", port))?);
    println!("listening on {}", udp_server.local_addr()?);

    let mut data = [0; BUFFER_SIZE];
    loop {
        // The communication loop: no accept(), each datagram comes with its sender;
        // no `if n == 0` as in tcp_1: b'' is an empty datagram, answered like any other.
        let (n, addr) = udp_server.recv_from(&mut data)?; // blocks until a datagram comes
        let request = (data[..n].to_vec(), Arc::clone(&udp_server));
        // ThreadingUDPServer: the request, self.request = (data, socket), gets a
        // thread of its own, and the loop is back in recvfrom() at once.
        if let Err(e) = thread::Builder::new().spawn(move || handle(request, addr)) {
            println!("{e}"); // no thread to be had: this datagram goes unanswered
        }
    }
}

/// The lesson's `MyUdpServer.handle`, on the datagram's own thread.
fn handle((mut data, udp_server): (Vec<u8>, Arc<UdpSocket>), client_address: SocketAddr) {
    println!("b'{}'", data.escape_ascii()); // print(self.request[0]): the datagram
    println!("{udp_server:?}"); // print(self.request[1]): the socket
    data.make_ascii_uppercase(); // data.upper(): ASCII letters only
    if let Err(e) = udp_server.send_to(&data, client_address) {
        println!("{e}"); // it costs only this datagram's answer
    }
}
