//! The socket method table, run (seeds 001–003 「常用套接字对象内置方法」; UNP's `checkopts`).
//!
//! Part 1 prints the default of the common options on fresh sockets, each
//! as the number `s.getsockopt(level, name)` gives in Python. Part 2 runs
//! the methods of the table that change what a call does, on a loopback
//! connection of this program to itself: `connect_ex`, `setblocking(False)`,
//! `settimeout`, `makefile`, `shutdown(SHUT_WR)` and the four-tuple.
//!
//! Run: `cargo run -p tcp_server --example sockopts`. Buffer sizes come from
//! the kernel (`sysctl net.ipv4.tcp_rmem net.core.rmem_default`), ports from
//! the OS; everything else is the same on every Linux.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};

fn main() -> io::Result<()> {
    if std::env::args().len() > 1 {
        return Err(io::Error::other("usage: sockopts (no arguments)"));
    }
    // tcp = socket(AF_INET, SOCK_STREAM); udp = socket(AF_INET, SOCK_DGRAM)
    for ty in [Type::STREAM, Type::DGRAM] {
        let s = Socket::new(Domain::IPV4, ty, None)?;
        println!("fresh socket(AF_INET, {ty:?}):");
        print_options(&s, ty == Type::STREAM)?;
    }
    // socket(AF_INET6, SOCK_STREAM)
    let s6 = Socket::new(Domain::IPV6, Type::STREAM, None)?;
    println!("fresh socket(AF_INET6, SOCK_STREAM):");
    // s6.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY): 0 = a [::] bind takes IPv4 too
    row("IPV6_V6ONLY", s6.only_v6()? as u8);

    println!("methods, on loopback:");
    // port = a port where nothing listens (bound, then closed again)
    let closed = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    // err = s.connect_ex(('127.0.0.1', port)): an error number, not an exception
    let err = TcpStream::connect(closed).map_or_else(|e| e.raw_os_error().unwrap_or(-1), |_| 0);
    let kind = io::Error::from_raw_os_error(err).kind();
    println!("  connect_ex({closed}) = {err} ({kind:?})");
    // server.bind(('127.0.0.1', 0)); server.listen()
    let server = TcpListener::bind("127.0.0.1:0")?;
    // client.connect_ex(server.getsockname()) == 0
    let client = TcpStream::connect(server.local_addr()?)?;
    println!("  connect_ex({}) = 0", server.local_addr()?);
    // conn, addr = server.accept()
    let (conn, addr) = server.accept()?;
    println!("  accept() -> conn, {addr}");
    // client.getsockname(), client.getpeername(): the four-tuple from one end ...
    let (name, peer) = (client.local_addr()?, client.peer_addr()?);
    println!("  client getsockname() = {name} getpeername() = {peer}");
    // ... conn.getsockname(), conn.getpeername(): the same four, mirrored
    let (name, peer) = (conn.local_addr()?, conn.peer_addr()?);
    println!("  server getsockname() = {name} getpeername() = {peer}");
    // client.fileno()
    println!("  client fileno() = {}", client.as_raw_fd());
    // client.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1); client.getsockopt(IPPROTO_TCP, TCP_NODELAY)
    client.set_nodelay(true)?;
    let nodelay = client.nodelay()? as u8;
    println!("  setsockopt(TCP_NODELAY, 1); getsockopt(TCP_NODELAY) = {nodelay}");

    let mut buf = [0; 1024];
    // client.setblocking(False); client.recv(1024) raises BlockingIOError
    client.set_nonblocking(true)?;
    let e = (&client).read(&mut buf).expect_err("nothing was sent yet");
    println!("  setblocking(False); recv(1024) -> {}", failure(&e));
    // client.setblocking(True); client.settimeout(0.2); client.gettimeout()
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(Duration::from_millis(200)))?;
    let timeout = client.read_timeout()?.map_or(0.0, |t| t.as_secs_f64());
    // client.recv(1024) raises TimeoutError after 0.2 s (std on Unix: WouldBlock, EAGAIN)
    let started = Instant::now();
    let e = (&client).read(&mut buf).expect_err("nothing was sent yet");
    let waited = started.elapsed() >= Duration::from_millis(200);
    let e = failure(&e);
    println!(
        "  settimeout(0.2); gettimeout() = {timeout}; recv(1024) -> {e}, waited 0.2 s: {waited}"
    );
    // client.settimeout(None)
    client.set_read_timeout(None)?;

    // conn.sendall(b'first line\nsecond line\n'): one send, two lines
    (&conn).write_all(b"first line\nsecond line\n")?;
    // f = client.makefile('rb')
    let mut f = BufReader::new(&client);
    for _ in 0..2 {
        let mut line = Vec::new();
        // f.readline()
        f.read_until(b'\n', &mut line)?;
        println!("  makefile('rb').readline() -> {}", bytes(&line));
    }

    // sent = client.send(b'hello'): how many bytes the kernel took (sendall loops until all)
    let sent = (&client).write(b"hello")?;
    // client.shutdown(SHUT_WR): our FIN; the reading half stays open
    client.shutdown(Shutdown::Write)?;
    println!("  client send(b'hello') = {sent}; shutdown(SHUT_WR)");
    for _ in 0..2 {
        // conn.recv(1024): b'hello', then b'' (the end of the stream)
        let n = (&conn).read(&mut buf)?;
        let eof = if n == 0 { " (the client's FIN)" } else { "" };
        println!("  server recv(1024) -> {}{eof}", bytes(&buf[..n]));
    }
    // conn.sendall(b'HELLO'); conn.close()
    (&conn).write_all(b"HELLO")?;
    drop(conn);
    // client.recv(1024): the other direction still works
    let n = (&client).read(&mut buf)?;
    let reply = bytes(&buf[..n]);
    println!("  client recv(1024) after its SHUT_WR -> {reply}");

    // udp.sendto(b'ping', addr); udp.recvfrom(1024)
    let udp = UdpSocket::bind("127.0.0.1:0")?;
    udp.send_to(b"ping", udp.local_addr()?)?;
    let (n, from) = udp.recv_from(&mut buf)?;
    let data = bytes(&buf[..n]);
    println!("  udp sendto(b'ping', itself); recvfrom(1024) -> ({data}, {from})");
    Ok(())
}

/// The options of a fresh IPv4 socket, as `s.getsockopt(level, name)` gives them.
fn print_options(s: &Socket, tcp: bool) -> io::Result<()> {
    // s.getsockopt(SOL_SOCKET, SO_TYPE): 1 = SOCK_STREAM, 2 = SOCK_DGRAM (s.type)
    let ty = s.r#type()?;
    row("SO_TYPE", format!("{} ({ty:?})", i32::from(ty)));
    // s.getsockopt(SOL_SOCKET, SO_DOMAIN) (s.family)
    let domain = s.domain()?;
    row("SO_DOMAIN", format!("{} ({domain:?})", i32::from(domain)));
    // s.getsockopt(SOL_SOCKET, SO_PROTOCOL): the kernel's choice for proto=0 (s.proto says 0)
    let proto = s.protocol()?.map_or(0, i32::from);
    row("SO_PROTOCOL", proto);
    // s.getsockopt(SOL_SOCKET, SO_RCVBUF), SO_SNDBUF: bytes the kernel may hold
    row("SO_RCVBUF", s.recv_buffer_size()?);
    row("SO_SNDBUF", s.send_buffer_size()?);
    // s.getsockopt(SOL_SOCKET, SO_REUSEADDR), SO_REUSEPORT, SO_KEEPALIVE, SO_BROADCAST
    row("SO_REUSEADDR", s.reuse_address()? as u8);
    row("SO_REUSEPORT", s.reuse_port()? as u8);
    row("SO_KEEPALIVE", s.keepalive()? as u8);
    row("SO_BROADCAST", s.broadcast()? as u8);
    // struct.unpack('ii', s.getsockopt(SOL_SOCKET, SO_LINGER, 8)): off = close() returns at once
    let linger = s.linger()?.map(|t| format!("{} s", t.as_secs()));
    row("SO_LINGER", linger.as_deref().unwrap_or("off"));
    // s.getsockopt(SOL_SOCKET, SO_ERROR): 0, no pending error
    let error = s.take_error()?.and_then(|e| e.raw_os_error());
    row("SO_ERROR", error.unwrap_or(0));
    // s.getsockopt(IPPROTO_IP, IP_TTL), IP_TOS
    row("IP_TTL", s.ttl()?);
    row("IP_TOS", s.tos()?);
    // SO_RCVLOWAT, SO_SNDLOWAT: not in socket2 (only an unsafe libc::getsockopt reads them)
    if tcp {
        // s.getsockopt(IPPROTO_TCP, TCP_NODELAY): 0 = Nagle's algorithm is on
        row("TCP_NODELAY", s.nodelay()? as u8);
        // s.getsockopt(IPPROTO_TCP, TCP_MAXSEG): 536 before a connection has a route
        row("TCP_MAXSEG", s.mss()?);
    }
    Ok(())
}

fn row(name: &str, value: impl std::fmt::Display) {
    println!("  {name:<17} {value}");
}

/// What a failed call says: `WouldBlock (errno 11)`.
fn failure(e: &io::Error) -> String {
    format!("{:?} (errno {})", e.kind(), e.raw_os_error().unwrap_or(0))
}

/// Bytes as Python prints them: b'hello\n'.
fn bytes(data: &[u8]) -> String {
    format!("b'{}'", data.escape_ascii())
}
