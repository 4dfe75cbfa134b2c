//! Step 2 of the remote-command lesson: length, `ready`, output (seed 000, §9.3.1 方法一).
//!
//! Bind 127.0.0.1 and listen, then two loops: the connection loop
//! accepts one client after another, and the communication loop receives up
//! to 1024 bytes, runs them in sh, sends back the output. One client at a time: a
//! second client waits in the listen backlog until the first one leaves.
//!
//! ```text
//! terminal 1:  cargo run -p rexec_tcp --example rexec_2_ready_server      # [PORT]: 8017; 0 = any free port
//! terminal 2:  cargo run -p rexec_tcp --example rexec_2_ready_client
//! ```
//!
//! Adds to rexec_1_raw_server the fix of 9.3.1: the output's length first, in
//! decimal, then the output only once the client has answered `ready`, so the
//! client knows how much to read. It costs a round trip per command.
//!
//! 127.0.0.1 only: this server runs any command it is sent, as you.
//! Port 8017 is 003's 模仿ssh one: 000's 8080 is tcp_server's too, whose echo would answer.

use std::env;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8017), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: rexec_2_ready_server [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM), bind() and listen() in one call. std also
    // sets SO_REUSEADDR, and a backlog of 128: tcp_2_reuseaddr does both by hand.
    let tcp_server = TcpListener::bind(("127.0.0.1", port))?;
    println!("listening on {}", tcp_server.local_addr()?);

    loop {
        // The connection loop.
        let (conn, addr) = tcp_server.accept()?; // blocks until a client connects
        println!("新的客户端链接 {addr}");
        if let Err(e) = communicate(conn) {
            println!("{e}"); // e.g. the client reset: it costs only its own connection
        }
    } // (the lesson's tcp_server.close() is never reached; the OS closes it on exit)
}

/// The communication loop: receive, run, send the output back, until the client
/// leaves. `conn` is closed when it goes out of scope (`conn.close()`).
fn communicate(mut conn: TcpStream) -> io::Result<()> {
    let mut data = [0; BUFFER_SIZE];
    loop {
        let n = conn.read(&mut data)?;
        if n == 0 {
            return Ok(()); // the client has gone (the lesson checks too: if not cmd:break)
        }
        println!("收到客户端的命令 {}", String::from_utf8_lossy(&data[..n]));
        let cmd_res = run(&data[..n])?;
        conn.write_all(cmd_res.len().to_string().as_bytes())?; // the length, in decimal
        let n = conn.read(&mut data)?; // recv(1024): the client's answer
        if &data[..n] == b"ready" {
            conn.write_all(&cmd_res)?; // then the output
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
