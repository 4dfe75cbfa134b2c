//! Step 2 of the time-server lesson: the TCP time server (seed 002, §2.8 示例分析).
//!
//! Bind the machine's host name (`gethostname()`), port 9999, and listen,
//! then one loop: the connection loop accepts one client after another,
//! sends it the time as `str(datetime.now())` writes it, and closes. No
//! communication loop: the client says nothing, the close ends the message.
//!
//! ```text
//! terminal 1:  cargo run -p time_server --example time_2_tcp_server      # [PORT]: 9999; 0 = any free port
//! terminal 2:  cargo run -p time_server --example time_2_tcp_client
//! ```
//!
//! The host name resolves through /etc/hosts, usually to a loopback address
//! (127.0.0.1; 127.0.1.1 on Debian and Ubuntu); where it names the LAN
//! address, the server is open to the network, as the lesson's was; where it
//! does not resolve, bind() fails and the step exits. chrono gives the time.

use std::env;
use std::fs;
use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};

use chrono::Local;

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(9999), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: time_2_tcp_server [PORT]"))?;

    // gethostname(): the kernel's host name, which Python gets from uname();
    // /etc/hostname is only what it was set to at boot.
    let host = fs::read_to_string("/proc/sys/kernel/hostname")?;
    // socket(AF_INET, SOCK_STREAM), bind() and listen() in one call. std also
    // sets SO_REUSEADDR, and a backlog of 128, not the lesson's 512.
    let server = TcpListener::bind((host.trim(), port))?;
    println!("listening on {}", server.local_addr()?);
    println!("服务器启动开始监听……");

    loop {
        // The connection loop.
        let (client, addr) = server.accept()?; // blocks until a client connects
        println!("('{}', {})连接到了服务器.", addr.ip(), addr.port()); // str(addr) + "..."
        if let Err(e) = send_time(client) {
            println!("{e}"); // e.g. the client reset: it costs only its own connection
        }
    }
}

/// `client.send(str(datetime.now()).encode('utf-8'))`, then `client.close()`:
/// `client` is closed when it goes out of scope.
fn send_time(mut client: TcpStream) -> io::Result<()> {
    let now = Local::now();
    let format = match now.timestamp_subsec_micros() {
        0 => "%Y-%m-%d %H:%M:%S", // str() leaves out .ffffff when it is 0
        _ => "%Y-%m-%d %H:%M:%S%.6f",
    };
    client.write_all(now.format(format).to_string().as_bytes())
}
