//! Step 4 of the remote-command lesson: a JSON header, output (seed 003, 自定制报头).
//!
//! Bind 127.0.0.1 and listen, then two loops: the connection loop
//! accepts one client after another, and the communication loop receives up
//! to 1024 bytes, runs them in sh, sends back the output. One client at a time: a
//! second client waits in the listen backlog until the first one leaves.
//!
//! ```text
//! terminal 1:  cargo run -p rexec_tcp --example rexec_4_json_server      # [PORT]: 8019; 0 = any free port
//! terminal 2:  cargo run -p rexec_tcp --example rexec_4_json_client
//! ```
//!
//! Adds to rexec_3_struct_server 003's header: the 4-byte length is that of a JSON
//! header, {"data_size": N}, the size of the output (stdout, then stderr) that follows.
//!
//! 127.0.0.1 only: this server runs any command it is sent, as you.
//! Port 8019 is the lesson's own (003 binds 192.168.1.1: a shell for its whole network).

use std::env;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};

use common::wire::encode_prefix;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8019), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: rexec_4_json_server [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM), bind() and listen() in one call. std also
    // sets SO_REUSEADDR, and a backlog of 128: tcp_2_reuseaddr does both by hand.
    let tcp_server = TcpListener::bind(("127.0.0.1", port))?;
    println!("listening on {}", tcp_server.local_addr()?);
    println!("start....");

    loop {
        // The connection loop.
        let (conn, addr) = tcp_server.accept()?; // blocks until a client connects
        println!("{conn:?}\n{addr}");
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
        println!("{}", String::from_utf8_lossy(&data[..n]));
        let cmd_res = run(&data[..n])?;
        let head_json = format!("{{\"data_size\": {}}}", cmd_res.len()); // json.dumps(), space and all
        conn.write_all(&encode_prefix(head_json.len())?)?; // the header's length, struct.pack('i')
        conn.write_all(head_json.as_bytes())?; // the header
        conn.write_all(&cmd_res)?; // then the output
    }
}

/// subprocess.Popen(cmd, shell=True, stdout=PIPE, stderr=PIPE): stdout, then stderr.
fn run(cmd: &[u8]) -> io::Result<Vec<u8>> {
    let res = Command::new("sh")
        .arg("-c")
        .arg(&*String::from_utf8_lossy(cmd))
        .stdin(Stdio::null()) // /dev/null: `cat` would otherwise wait on the server's terminal
        .output()?; // both pipes at once: reading one to its end first hangs once the other fills (64 KiB)
    Ok([res.stdout, res.stderr].concat()) // no 执行成功: an empty output is {"data_size": 0}
}
