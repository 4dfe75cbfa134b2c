//! Step 2 of the remote-command lesson: length, `ready`, output (seed 000, §9.3.1 方法一).
//!
//! Connect to 127.0.0.1, then loop: read a command at the `>>: ` prompt,
//! skip it if it is empty, end at `quit`, send it, receive the output's length
//! in decimal, answer `ready`, then receive exactly that many bytes and print
//! them: a long output arrives whole, and the next command gets its own answer.
//! End of input (Ctrl-D) ends the client.
//!
//! ```text
//! terminal 1:  cargo run -p rexec_tcp --example rexec_2_ready_server
//! terminal 2:  cargo run -p rexec_tcp --example rexec_2_ready_client      # [PORT]: 8017
//! ```
//!
//! Adds to rexec_1_raw_client the length, the `ready` and the lesson's
//! `while recv_size < length` loop, here `common::recv_exact` (recvall).

use std::env;
use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;

use common::recv_exact;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes
/// 16 MiB: the output is held whole in memory, and a length that is not one
/// (another lesson's server on this port?) fails at once instead of waiting.
const MAX_OUTPUT: usize = 16 << 20;

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8017), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: rexec_2_ready_client [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM) and connect() in one call.
    let mut tcp_client = TcpStream::connect(("127.0.0.1", port))?;

    let mut lines = io::stdin().lock().lines();
    loop {
        print!(">>: ");
        io::stdout().flush()?;
        let Some(line) = lines.next() else {
            return Ok(()); // end of input
        };
        let cmd = line?.trim().to_string();
        if cmd.is_empty() {
            continue; // send(b'') sends nothing, so recv() would wait for a reply for ever
        }
        if cmd == "quit" {
            return Ok(());
        }
        tcp_client.write_all(cmd.as_bytes())?;

        let mut data = [0; BUFFER_SIZE];
        let n = tcp_client.read(&mut data)?; // the length, alone: the server waits for our ready
        if n == 0 {
            return Ok(()); // the server closed the connection; the lesson's client would print an empty result
        }
        tcp_client.write_all(b"ready")?;
        let length: usize = String::from_utf8_lossy(&data[..n])
            .parse()
            .map_err(|e| io::Error::other(format!("not a length: {e}")))?; // int()
        if length > MAX_OUTPUT {
            return Err(io::Error::other("the length is more than MAX_OUTPUT"));
        }
        // recvall(), the lesson's `while recv_size < length` loop:
        let cmd_res = recv_exact(&mut tcp_client, length)?;
        // The lesson decodes gbk, Windows' code page; commands on Linux print UTF-8.
        println!("命令的执行结果是  {}", String::from_utf8_lossy(&cmd_res));
    }
}
