//! Step 2 of the TCP lesson: restart at once (seed 000, §三 方法一 SO_REUSEADDR).
//!
//! The server of tcp_1, its socket built by hand (socket2) so that each call
//! of the lesson is a line of its own: socket(), the lesson's fix, bind(),
//! and listen() with the lesson's backlog of 5. The fix is SO_REUSEADDR, set
//! before bind(): without it, a server restarted while a connection of its
//! last run is still in TIME_WAIT cannot bind its port.
//!
//! ```text
//! terminal 1:  cargo run -p tcp_server --example tcp_2_reuseaddr      # [PORT] [--no-reuse]: 8080; 0 = any free port
//! terminal 2:  cargo run -p tcp_client --example tcp_1_client
//! ```
//!
//! Send a line, stop the server with Ctrl-C (it closes first, so its end
//! waits in TIME_WAIT for 60 s: `ss -tan | grep :8080`), end the client with
//! Ctrl-D, and restart the server: it binds. With `--no-reuse` the restart
//! fails with "Address already in use", as the lesson's server does; on
//! Linux so does a restart with the option after a run without it (both
//! sockets must have it). std's TcpListener::bind sets SO_REUSEADDR itself
//! on Unix: that is why tcp_1_server never fails.

use std::env;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use socket2::{Domain, Socket, Type};

const BUFFER_SIZE: usize = 1024; // the most one recv() takes
const BACK_LOG: i32 = 5; // the listen backlog (连接池): connections the kernel queues for accept()

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8080), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: tcp_2_reuseaddr [PORT] [--no-reuse]"))?;
    let reuse = match env::args().nth(2).as_deref() {
        None => Ok(true),
        Some("--no-reuse") => Ok(false), // SO_REUSEADDR off: the lesson's server before its fix
        Some(_) => Err(io::Error::other(
            "usage: tcp_2_reuseaddr [PORT] [--no-reuse]",
        )),
    }?;

    // socket(AF_INET, SOCK_STREAM), then bind() and listen(), one call each.
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.set_reuse_address(reuse)?; // setsockopt(SOL_SOCKET, SO_REUSEADDR, 1): before bind()
    socket.bind(&SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    socket.listen(BACK_LOG)?;
    let tcp_server = TcpListener::from(socket);
    println!("listening on {}", tcp_server.local_addr()?);

    loop {
        // The connection loop.
        println!("服务端开始运行了");
        let (conn, addr) = tcp_server.accept()?; // blocks until a client connects
        println!("双向链接是 {conn:?}");
        println!("客户端地址 {addr}");
        if let Err(e) = communicate(conn) {
            println!("{e}"); // e.g. the client reset: it costs only its own connection
        }
    } // (the lesson's tcp_server.close() is never reached; the OS closes it on exit)
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
