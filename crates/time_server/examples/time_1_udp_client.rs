//! Step 1 of the time-server lesson: the UDP time client (seed 000, §六 时间服务器).
//!
//! No connect: loop, read a strftime format at the `>>: ` prompt, send it in
//! one datagram to 127.0.0.1:8080, receive up to 1024 bytes, print them
//! after `ntp服务器的标准时间是`. Even an empty line is sent: the server then
//! answers in `%Y-%m-%d %X`. End of input (Ctrl-D) ends the client.
//!
//! ```text
//! terminal 1:  cargo run -p time_server --example time_1_udp_server
//! terminal 2:  cargo run -p time_server --example time_1_udp_client      # [PORT]: 8080
//! ```
//!
//! What it changes from udp_1_client: the answer is text, decoded and shown
//! after the lesson's words. (Not NTP, whatever the words say: see the server.)

use std::env;
use std::io::{self, BufRead, Write};
use std::net::UdpSocket;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8080), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: time_1_udp_client [PORT]"))?;

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
        // datagram of 0 bytes, a real one, and the server answers it (the default).
        udp_client.send_to(msg.as_bytes(), ip_port)?;

        let mut data = [0; BUFFER_SIZE];
        let (n, _addr) = udp_client.recv_from(&mut data)?; // blocks until a datagram comes
        let text = String::from_utf8_lossy(&data[..n]); // the lesson's decode() dies on bad UTF-8
        println!("ntp服务器的标准时间是 {text}"); // print('ntp服务器的标准时间是', data.decode())
    }
}
