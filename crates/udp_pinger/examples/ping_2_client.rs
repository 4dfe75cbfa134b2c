//! Step 2 of the UDP pinger lab: the client (seed 002, §3.3 客户端创建UDP套接字).
//!
//! A datagram socket with a 1 s timeout, then 9 pings: send `Ping <seq>
//! <time.time()>` to 127.0.0.1, wait for one datagram, and print its
//! round-trip time in seconds, or `Request timed out.` when none came
//! within the second. No connection: each ping is a `sendto` of its own.
//! Then the lab's optional exercise, as ping ends: how many were sent and
//! received, the loss rate, and the least, mean and greatest RTT.
//!
//! ```text
//! terminal 1:  cargo run -p udp_pinger --example ping_1_server
//! terminal 2:  cargo run -p udp_pinger --example ping_2_client      # [PORT]: 12000
//! ```
//!
//! Against the lab's server, pings 1, 4 and 7 are "lost", and the server
//! stops at the 8th, so 8 and 9 time out too: 5 timeouts, 5 seconds.

use std::env;
use std::io;
use std::net::UdpSocket;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const BUFFER_SIZE: usize = 1024; // the most one recvfrom() takes
const PINGS: u32 = 9; // for i in range(0, 9)

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(12000), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: ping_2_client [PORT]"))?;

    let server_name = "127.0.0.1"; // 服务器地址,本例中使用本机地址
                                   // socket(AF_INET, SOCK_DGRAM); bound to a free port here, not at the first sendto().
    let client_socket = UdpSocket::bind(("127.0.0.1", 0))?;
    client_socket.set_read_timeout(Some(Duration::from_secs(1)))?; // settimeout(1)

    let mut rtts = Vec::new(); // the exercise: each RTT, for the statistics
    for seq in 1..=PINGS {
        let send_time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(io::Error::other)?;
        let message = format!("Ping {seq} {:?}", send_time.as_secs_f64()); // %s of a float: its repr
        let sent_at = Instant::now(); // the RTT on the monotonic clock: time.time() can jump
        let mut modified_message = [0; BUFFER_SIZE];
        let reply = client_socket
            .send_to(message.as_bytes(), (server_name, port))
            .and_then(|_| client_socket.recv_from(&mut modified_message)); // try: sendto, recvfrom
        match reply {
            Ok(_) => {
                let rtt = sent_at.elapsed(); // 计算往返时间
                let secs = rtt.as_secs_f64();
                println!("Sequence {seq}: Reply from {server_name}    RTT = {secs:.3}s");
                rtts.push(rtt);
            }
            Err(_) => println!("Sequence {seq}: Request timed out."), // except Exception
        }
    }

    // The exercise: ping's statistics.
    let received = rtts.len() as u32;
    let loss = f64::from(PINGS - received) * 100.0 / f64::from(PINGS);
    println!("{PINGS} packets transmitted, {received} received, {loss:.1}% packet loss");
    if let (Some(min), Some(max)) = (rtts.iter().min(), rtts.iter().max()) {
        let avg = rtts.iter().sum::<Duration>() / received;
        let ms = |rtt: &Duration| rtt.as_secs_f64() * 1000.0;
        let (min, avg, max) = (ms(min), ms(&avg), ms(max));
        println!("rtt min/avg/max = {min:.3}/{avg:.3}/{max:.3} ms");
    }
    Ok(()) // clientSocket.close(): the socket is closed when it goes out of scope
}
