//! Step 6 of the TCP lesson: tcp_1_server over AF_UNIX (seed 000, §2.2 socket分类).
//!
//! Bind a file path and listen, then two loops: the connection loop
//! accepts one client after another, and the communication loop receives up
//! to 1024 bytes and sends them back upper-cased. One client at a time: a
//! second client waits in the listen backlog until the first one leaves.
//!
//! ```text
//! terminal 1:  cargo run -p tcp_server --example tcp_6_unix_server      # [PATH]: /tmp/tcp_6_unix.sock
//! terminal 2:  cargo run -p tcp_client --example tcp_6_unix_client
//! ```
//!
//! The lesson's server spins when a client leaves: `recv` then returns `b''`
//! at once, for ever, and the server never looks. One line below fixes it.
//!
//! What changes is the family: AF_UNIX, 基于文件类型的套接字 (seed 001 lists
//! it too). The address is a path, not (ip, port): bind() creates a socket
//! file there, and only processes on this machine can connect to it. The
//! default is absolute, so both terminals name the same file from any
//! directory, and in /tmp, so a leftover file does not litter the checkout
//! (on a shared machine, give your own path). The file outlives the process
//! and bind() fails while it exists. This server has no normal end: Ctrl-C
//! kills it before any cleanup could run, so the file stays. Instead, the
//! next run removes it before bind(): only a socket that nobody answers on,
//! never a live server's, nor a file that is not a socket.

use std::env;
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixListener, UnixStream};

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let path = env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/tcp_6_unix.sock".to_string());

    // A killed run leaves its socket file behind, and bind() would fail on it.
    let is_socket = fs::metadata(&path).is_ok_and(|m| m.file_type().is_socket());
    if is_socket && UnixStream::connect(&path).is_err() {
        fs::remove_file(&path)?; // stale: no server answers on it
    }
    // socket(AF_UNIX, SOCK_STREAM), bind() and listen() in one call. std's
    // backlog here is listen(fd, -1), the system's most, not the lesson's 5.
    let tcp_server = UnixListener::bind(&path)?; // creates the file
    println!("listening on {path}");

    loop {
        // The connection loop.
        println!("服务端开始运行了");
        let (conn, addr) = tcp_server.accept()?; // blocks until a client connects
        println!("双向链接是 {conn:?}");
        println!("客户端地址 {addr:?}"); // (unnamed): a client binds no path
        if let Err(e) = communicate(conn) {
            println!("{e}"); // e.g. the client reset: it costs only its own connection
        }
    } // (the lesson's tcp_server.close() is never reached; the OS closes it on exit)
}

/// The communication loop: receive, upper-case, send back, until the client
/// leaves. `conn` is closed when it goes out of scope (`conn.close()`).
fn communicate(mut conn: UnixStream) -> io::Result<()> {
    let mut data = [0; BUFFER_SIZE];
    loop {
        let n = conn.read(&mut data)?;
        if n == 0 {
            return Ok(()); // the lesson's bug: without this, recv() returns b'' for ever
        }
        println!("客户端发来的消息是 {}", String::from_utf8_lossy(&data[..n]));
        data[..n].make_ascii_uppercase(); // data.upper(): ASCII letters only
        conn.write_all(&data[..n])?;
    }
}
