//! Step 2 of the time-server lesson: the TCP time client (seed 002, §2.8 示例分析).
//!
//! Connect to the machine's host name (`gethostname()`), port 9999, receive
//! up to 1024 bytes, print them, close. Nothing is sent: the server speaks
//! first, and its close ends the message.
//!
//! ```text
//! terminal 1:  cargo run -p time_server --example time_2_tcp_server
//! terminal 2:  cargo run -p time_server --example time_2_tcp_client      # [PORT]: 9999
//! ```
//!
//! It connects where the host name resolves, as the server binds there (see
//! time_2_tcp_server): a server bound to 127.0.0.1 is not reached through a
//! name that resolves to 127.0.1.1 or to the LAN address.

use std::env;
use std::fs;
use std::io::{self, Read};
use std::net::TcpStream;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(9999), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: time_2_tcp_client [PORT]"))?;

    // gethostname(): the kernel's host name, which Python gets from uname();
    // /etc/hostname is only what it was set to at boot.
    let host = fs::read_to_string("/proc/sys/kernel/hostname")?;
    // socket(AF_INET, SOCK_STREAM) and connect() in one call.
    let mut client = TcpStream::connect((host.trim(), port))?;

    let mut data = [0; BUFFER_SIZE];
    let n = client.read(&mut data)?; // one recv(1024), as the lesson: the time fits
    println!("{}", String::from_utf8_lossy(&data[..n])); // decode('utf-8')
    Ok(()) // client.close(): the socket is closed when `client` goes out of scope
}
