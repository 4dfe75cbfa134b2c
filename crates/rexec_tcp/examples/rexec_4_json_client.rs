//! Step 4 of the remote-command lesson: a JSON header, output (seed 003, 自定制报头).
//!
//! Connect to 127.0.0.1, then loop: read a command at the `输入:` prompt,
//! skip it if it is empty, end at `quit`, send it, receive the output's length
//! in a JSON header, then receive exactly that many bytes and print
//! them: a long output arrives whole, and the next command gets its own answer.
//! End of input (Ctrl-D) ends the client.
//!
//! ```text
//! terminal 1:  cargo run -p rexec_tcp --example rexec_4_json_server
//! terminal 2:  cargo run -p rexec_tcp --example rexec_4_json_client      # [PORT]: 8019
//! ```
//!
//! Adds to rexec_3_struct_client the JSON header, read by `common::read_json_header`.

use std::env;
use std::io::{self, BufRead, Write};
use std::net::TcpStream;

use common::{read_json_header, recv_exact, DEFAULT_MAX_HEADER};
use serde_json::Value;

/// 16 MiB: the output is held whole in memory, and a length that is not one
/// (another lesson's server on this port?) fails at once instead of waiting.
const MAX_OUTPUT: usize = 16 << 20;

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8019), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: rexec_4_json_client [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM) and connect() in one call.
    let mut tcp_client = TcpStream::connect(("127.0.0.1", port))?;

    let mut lines = io::stdin().lock().lines();
    loop {
        print!("输入:");
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

        // recv(4) and struct.unpack('i'), recv(baotou_len) and json.loads():
        let head: Value = read_json_header(&mut tcp_client, DEFAULT_MAX_HEADER)?;
        // head['data_size']: any other field (the hardened server adds two) is ignored
        let length = head["data_size"]
            .as_u64()
            .map_or(usize::MAX, |n| n as usize);
        if length > MAX_OUTPUT {
            return Err(io::Error::other("no data_size, or more than MAX_OUTPUT"));
        }
        // recvall(): the lesson's `if real_size < data_size` reads once; `while` was meant
        let cmd_res = recv_exact(&mut tcp_client, length)?;
        // The lesson decodes gbk, Windows' code page; commands on Linux print UTF-8.
        println!("{}", String::from_utf8_lossy(&cmd_res));
    }
}
