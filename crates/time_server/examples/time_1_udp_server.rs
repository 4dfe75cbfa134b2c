//! Step 1 of the time-server lesson: the UDP time server (seed 000, §六 时间服务器).
//!
//! Bind 127.0.0.1:8080, no listen, no connection loop (nothing to accept),
//! only the communication loop: receive up to 1024 bytes, a strftime format,
//! and the address they came from, and send back the local time in that
//! format to that address; an empty datagram means `%Y-%m-%d %X`. What it
//! adds to udp_1_server: the answer is made from the question.
//!
//! ```text
//! terminal 1:  cargo run -p time_server --example time_1_udp_server      # [PORT]: 8080; 0 = any free port
//! terminal 2:  cargo run -p time_server --example time_1_udp_client
//! ```
//!
//! The lesson's client calls this an "ntp服务器"; it is not NTP, which is a
//! binary protocol (48-byte packets of timestamps) on UDP port 123. Python's
//! `time.strftime` is the lesson's own tool; std has no calendar or time
//! zones, so this step uses chrono (already this crate's dependency). A
//! format chrono cannot render (`%Q`) makes its `format(..).to_string()`
//! panic; written with `write!`, it is an error, and the client is told.

use std::env;
use std::fmt::Write as _;
use std::io;
use std::net::UdpSocket;

use chrono::Local;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8080), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: time_1_udp_server [PORT]"))?;

    // socket(AF_INET, SOCK_DGRAM) and bind() in one call: no listen().
    let udp_server = UdpSocket::bind(("127.0.0.1", port))?;
    println!("listening on {}", udp_server.local_addr()?);

    let mut data = [0; BUFFER_SIZE];
    loop {
        // The communication loop: no accept(), each datagram comes with its sender;
        // no `if n == 0` as in tcp_1: b'' is an empty datagram, a question too.
        let (n, addr) = udp_server.recv_from(&mut data)?; // blocks until a datagram comes
        println!("b'{}'", data[..n].escape_ascii()); // print(data): bytes, as Python shows them
        let fmt = match n {
            0 => "%Y-%m-%d %X".into(), // `if not data`: the default format
            _ => String::from_utf8_lossy(&data[..n]), // the lesson's decode() dies on bad UTF-8
        };
        let back_time = strftime(&fmt);
        udp_server.send_to(back_time.as_bytes(), addr)?;
    }
}

/// `time.strftime(fmt)`: the local time in `fmt`, or what is wrong with `fmt`.
fn strftime(fmt: &str) -> String {
    let mut back_time = String::new();
    // Not Local::now().format(fmt).to_string(): that panics on a bad format.
    match write!(back_time, "{}", Local::now().format(fmt)) {
        Ok(()) => back_time,
        Err(_) => format!("error: chrono cannot render the format {fmt:?}"),
    }
}
