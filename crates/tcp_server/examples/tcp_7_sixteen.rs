//! Step 7 of the TCP lesson: a message of known length, read whole (seed 004,
//! the `recvall` program, 唯一标识主动套接字的四元组).
//!
//! One program, two roles, as the lesson's argparse has them: the client
//! sends the 16 bytes `Hi there, server`, the server reads exactly 16 with
//! `recvall` (`common::recv_exact`), answers the 15 bytes `farewell,client`
//! and closes; the client reads exactly 15. Both print their socket's name
//! and the server its peer's: the four-tuple that names a connection.
//!
//! ```text
//! terminal 1:  cargo run -p tcp_server --example tcp_7_sixteen -- server 127.0.0.1      # [-p PORT]: 1060; 0 = any free port
//! terminal 2:  cargo run -p tcp_server --example tcp_7_sixteen -- client 127.0.0.1
//! ```
//!
//! What it adds: one `recv` may bring fewer bytes than were sent (a
//! stream has no messages), so `recvall` loops until it has them all, and
//! says how many came if the peer closes first. Two lesson bugs, one line
//! each below: `listening at` printed the method `sock.getsockname` (no
//! `()`), and one client that closes early killed the server with EOFError.

use std::env;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use common::recv_exact; // the lesson's recvall(sock, length)

fn main() -> io::Result<()> {
    let usage = || io::Error::other("usage: tcp_7_sixteen {server,client} HOST [-p PORT]");
    let args: Vec<String> = env::args().skip(1).collect();
    let (role, host, port) = match args.as_slice() {
        [role, host] => (role, host, Ok(1060)),
        [role, host, p, port] if p == "-p" => (role, host, port.parse()),
        _ => return Err(usage()),
    };
    let port: u16 = port.map_err(|_| usage())?;
    match role.as_str() {
        "server" => server(host, port),
        "client" => client(host, port),
        _ => Err(usage()),
    }
}

fn server(interface: &str, port: u16) -> io::Result<()> {
    // socket(), bind() and listen() in one call; on Unix std sets
    // SO_REUSEADDR itself, as the lesson does by hand. Backlog 128, not 1.
    let sock = TcpListener::bind((interface, port))?;
    println!("listening on {}", sock.local_addr()?); // the lesson's bug: getsockname without ()
    loop {
        println!("waiting to accept a new connection");
        let (sc, sockname) = sock.accept()?;
        println!("we have accepted a connection from {}", tuple(sockname));
        if let Err(e) = answer(sc) {
            println!("{e}"); // the lesson's bug: its EOFError ends the server, not just this client
        }
    }
}

/// One client: its sixteen octets in, the fifteen of the reply out.
fn answer(mut sc: TcpStream) -> io::Result<()> {
    println!("socket name {}", tuple(sc.local_addr()?));
    println!("socket peer {}", tuple(sc.peer_addr()?));
    let message = recv_exact(&mut sc, 16)?;
    println!("incoming sixteen-octet message: {}", repr(&message));
    sc.write_all(b"farewell,client")?;
    drop(sc); // sc.close()
    println!("reply sent, socket closed");
    Ok(())
}

fn client(host: &str, port: u16) -> io::Result<()> {
    let mut sock = TcpStream::connect((host, port))?;
    println!(
        "client has been assigned socket name {}",
        tuple(sock.local_addr()?)
    );
    sock.write_all(b"Hi there, server")?;
    let reply = recv_exact(&mut sock, 15)?;
    println!("The server said {}", repr(&reply));
    Ok(()) // sock.close() when it goes out of scope
}

/// An address as Python prints it: `('127.0.0.1', 1060)`.
fn tuple(addr: SocketAddr) -> String {
    format!("('{}', {})", addr.ip(), addr.port())
}

/// Bytes as Python's `repr()` shows them: `b'Hi there, server'`.
fn repr(bytes: &[u8]) -> String {
    format!("b'{}'", bytes.escape_ascii())
}
