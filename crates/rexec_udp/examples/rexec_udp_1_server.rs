//! Step 1 of remote commands over UDP: the server (seed 000, §八 基于udp实现远程命令).
//!
//! Bind a datagram socket to 127.0.0.1, then one loop: receive a datagram of
//! up to 1024 bytes, run it in sh, send the output back to its sender in one
//! datagram. No connection, no accept: any client may ask at any time.
//!
//! ```text
//! terminal 1:  cargo run -p rexec_udp --example rexec_udp_1_server      # [PORT]: 8017; 0 = any free port
//! terminal 2:  cargo run -p rexec_udp --example rexec_udp_1_client
//! ```
//!
//! 127.0.0.1 only: this server runs any command it is sent, as you (000 binds 10.0.0.12).
//! Port 8017/udp, as rexec_1_raw_server's /tcp: 000's 8080 is time_server's too, which would answer.
//!
//! The lesson's server dies when an output does not fit in one datagram
//! (65,507 bytes): sendto() fails with EMSGSIZE. One line below fixes it.

use std::env;
use std::io;
use std::net::UdpSocket;
use std::process::{Command, Stdio};

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8017), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: rexec_udp_1_server [PORT]"))?;

    // socket(AF_INET, SOCK_DGRAM) and bind() in one call; no listen().
    let udp_server = UdpSocket::bind(("127.0.0.1", port))?;
    println!("listening on {}", udp_server.local_addr()?);

    let mut data = [0; BUFFER_SIZE];
    loop {
        let (n, addr) = udp_server.recv_from(&mut data)?; // one datagram: one command
        let cmd_res = run(&data[..n])?;
        if let Err(e) = udp_server.send_to(&cmd_res, addr) {
            println!("{e}"); // the lesson's bug: a reply over 65,507 bytes ends its server here
        }
    }
}

/// subprocess.Popen(cmd, shell=True, stdout=PIPE, stderr=PIPE): stderr if any, else stdout.
fn run(cmd: &[u8]) -> io::Result<Vec<u8>> {
    let res = Command::new("sh")
        .arg("-c")
        .arg(&*String::from_utf8_lossy(cmd))
        .stdin(Stdio::null()) // /dev/null: `cat` would otherwise wait on the server's terminal
        .output()?; // both pipes at once: reading one to its end first hangs once the other fills (64 KiB)
    let cmd_res = [res.stderr, res.stdout].into_iter().find(|o| !o.is_empty());
    Ok(cmd_res.unwrap_or_else(|| "执行成功".into())) // the lesson: gbk, Windows' code page; UTF-8 here
}
