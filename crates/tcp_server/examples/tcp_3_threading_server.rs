//! Step 3 of the TCP lesson: a thread per client (seed 000, §十 socketserver ThreadingTCPServer).
//!
//! Bind 127.0.0.1:8080 and listen, then two loops: the connection loop
//! accepts one client after another, and the communication loop receives up
//! to 1024 bytes and sends them back upper-cased. Each client gets a thread
//! of its own for its communication loop (the lesson's `MyServer.handle`),
//! so the connection loop is back in accept() at once, for the next client.
//!
//! ```text
//! terminal 1:  cargo run -p tcp_server --example tcp_3_threading_server      # [PORT]: 8080; 0 = any free port
//! terminal 2:  cargo run -p tcp_client --example tcp_1_client
//! terminal 3:  cargo run -p tcp_client --example tcp_1_client      # at the same time: both are served
//! ```
//!
//! As in `ThreadingTCPServer`, nothing limits the threads: a flood of clients
//! is a flood of threads (the hardened `tcp_server` has `--max-clients`).

use std::env;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8080), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: tcp_3_threading_server [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM), bind() and listen() in one call. std also
    // sets SO_REUSEADDR, and a backlog of 128: tcp_2_reuseaddr does both by hand.
    let tcp_server = TcpListener::bind(("127.0.0.1", port))?;
    println!("listening on {}", tcp_server.local_addr()?);

    loop {
        // The connection loop.
        println!("服务端开始运行了");
        let (conn, addr) = tcp_server.accept()?; // blocks until a client connects
        println!("双向链接是 {conn:?}");
        println!("客户端地址 {addr}");
        // ThreadingTCPServer: a thread per client, and back to accept() at once.
        if let Err(e) = thread::Builder::new().spawn(move || handle(conn)) {
            println!("{e}"); // no thread to be had: this client is closed, the next one served
        }
    } // (the lesson's tcp_server.close() is never reached; the OS closes it on exit)
}

/// The lesson's `MyServer.handle`, on the client's own thread.
fn handle(conn: TcpStream) {
    if let Err(e) = communicate(conn) {
        println!("{e}"); // e.g. the client reset: it costs only its own connection
    }
}

/// The communication loop: receive, upper-case, send back, until the client
/// leaves. `conn` is closed when it goes out of scope (`conn.close()`).
fn communicate(mut conn: TcpStream) -> io::Result<()> {
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
