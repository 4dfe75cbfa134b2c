//! The benchmark's ceiling: the plainest thread-per-client upper-case loop.
//!
//! `scripts/bench.sh tcp` runs `tcp_load` against this beside `tcp_server`
//! and the Python server, so the figures say how close a real server comes
//! to what this machine can do at all. It has nothing a real server needs on
//! purpose — no checks, no logging, no limits, no timeouts, no shutdown — and
//! is not for anything but benchmarks. Try it with
//! `cargo run --release -p bench --bin bare_echo -- --port 0`, then point
//! `tcp_load --addr` at the address it prints.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::thread;

use clap::Parser;
use socket2::{Domain, Socket, Type};

/// The benchmark's ceiling: a bare thread-per-client upper-case echo loop.
#[derive(Debug, Parser)]
#[command(after_help = "Example: bare_echo --port 0")]
struct Args {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to bind; 0 asks the OS for a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// listen() backlog: 128 is what std's TcpListener asks for;
    /// `bench.sh io_models` asks for 4096, as io_models does, so that
    /// thousands of connections in a row do not overflow it.
    #[arg(long, default_value_t = 128)]
    backlog: i32,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let addr = (args.host.as_str(), args.port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other("the host has no address"))?;
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(args.backlog)?;
    let listener: TcpListener = socket.into();
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;
    for stream in listener.incoming().flatten() {
        thread::spawn(move || echo_upper(stream));
    }
    Ok(())
}

fn echo_upper(mut stream: TcpStream) {
    let mut buf = [0u8; 1024];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        buf[..n].make_ascii_uppercase();
        if stream.write_all(&buf[..n]).is_err() {
            break;
        }
    }
}
