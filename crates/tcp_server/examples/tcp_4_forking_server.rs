//! Step 4 of the TCP lesson: a process per client (seed 000, §十 socketserver ForkingTCPServer).
//!
//! Bind 127.0.0.1:8080 and listen, then two loops: the connection loop
//! accepts one client after another, and the communication loop receives up
//! to 1024 bytes and sends them back upper-cased. Each client gets a process
//! of its own for its communication loop (the lesson's `MyServer.handle`):
//! this same program, started again with the client's socket as its stdin.
//!
//! ```text
//! terminal 1:  cargo run -p tcp_server --example tcp_4_forking_server      # [PORT]: 8080; 0 = any free port
//! terminal 2:  cargo run -p tcp_client --example tcp_1_client
//! terminal 3:  cargo run -p tcp_client --example tcp_1_client      # at the same time: both are served
//! terminal 4:  ps -o pid,ppid,args -C tcp_4_forking_server         # the server and a child per client
//! ```
//!
//! This is the inetd way, not the fork() of Python's ForkingTCPServer.
//! fork() copies the running server, its listening socket too (the child
//! must close it), and the copy carries on from the fork. Here the child is
//! this program started afresh (std: fork and exec, or posix_spawn) and gets
//! only its client, as fd 0, as inetd hands a connection to the server it
//! starts: std opens every socket close-on-exec, so the listener stays in
//! the parent. No unsafe code. Ctrl-C in the terminal ends the children too.

use std::env;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, OwnedFd};
use std::process::Command;
use std::thread;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes
const CHILD: &str = "--child"; // the argument that makes this program a client's process

fn main() -> io::Result<()> {
    if env::args().nth(1).as_deref() == Some(CHILD) {
        // A client's process, started below: its socket is our stdin, as inetd gives it.
        handle(TcpStream::from(io::stdin().as_fd().try_clone_to_owned()?));
        return Ok(());
    }
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8080), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: tcp_4_forking_server [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM), bind() and listen() in one call. std also
    // sets SO_REUSEADDR, and a backlog of 128: tcp_2_reuseaddr does both by hand.
    let tcp_server = TcpListener::bind(("127.0.0.1", port))?;
    println!("listening on {}", tcp_server.local_addr()?);
    let this_program = env::current_exe()?;

    loop {
        // The connection loop.
        println!("服务端开始运行了");
        let (conn, addr) = tcp_server.accept()?; // blocks until a client connects
        println!("双向链接是 {conn:?}");
        println!("客户端地址 {addr}");
        // ForkingTCPServer: a process per client, and back to accept() at once.
        let child = Command::new(&this_program)
            .arg(CHILD)
            .stdin(OwnedFd::from(conn)) // the client's socket is its stdin; our copy is closed
            .spawn();
        // A thread waits for it (waitpid), so that it does not linger as a zombie when it ends.
        let waiter = child.and_then(|mut child| thread::Builder::new().spawn(move || child.wait()));
        if let Err(e) = waiter {
            println!("{e}"); // e.g. no process to be had: this client is closed, the next one served
        }
    } // (the lesson's tcp_server.close() is never reached; the OS closes it on exit)
}

/// The lesson's `MyServer.handle`, in the client's own process.
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
