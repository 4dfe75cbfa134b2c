//! The web benchmark's ceiling: the least an HTTP/1.1 keep-alive server can do.
//!
//! `scripts/bench.sh web` runs wrk against this beside `web_server` and nginx,
//! in the same run, so the figures say how close a real server comes to what
//! this machine can do at all. One thread per CPU, each with its own epoll
//! (mio) and its own `SO_REUSEPORT` listener on the same port; every request
//! — anything up to a blank line, `\r\n\r\n` — is answered with the same
//! prebuilt `200 OK` of `--body-size` bytes, pipelined requests one answer
//! each, all of a read's answers in one `writev` from the one buffer.
//!
//! It is not a web server and has nothing a real one needs, on purpose: no
//! file, no parsing past the blank line (a body would be taken for requests),
//! no Date, no log, no timeouts, no limits (a head over 8 KiB closes the
//! connection). SIGTERM or Ctrl-C exits it at once with status 0: it has no
//! state to lose. Try `cargo run --release -p bench --bin http_ceiling --
//! --port 0`, then `wrk http://ADDR/`.

use std::collections::HashMap;
use std::io::{self, IoSlice, Read, Write};
use std::net::{SocketAddr, TcpListener as StdListener, ToSocketAddrs};
use std::thread;

use clap::Parser;
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use socket2::{Domain, Socket, Type};

/// The web benchmark's ceiling: one epoll loop per CPU, one canned response.
#[derive(Debug, Parser)]
#[command(after_help = "Example: http_ceiling --port 0 --body-size 1024")]
struct Args {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to bind; 0 asks the OS for a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Bytes of body in every response.
    #[arg(long, default_value_t = 1024)]
    body_size: usize,
}

const LISTENER: Token = Token(0);
const BUF: usize = 8192;

struct Conn {
    stream: TcpStream,
    buf: Box<[u8; BUF]>,
    filled: usize,
    /// Bytes of responses owed and not yet written.
    owed: usize,
}

fn main() -> io::Result<()> {
    let args = Args::parse();
    let mut addr = (args.host.as_str(), args.port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::other("the host has no address"))?;
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\n\r\n",
        args.body_size
    )
    .into_bytes();
    response.resize(response.len() + args.body_size, b'x');
    let response: &'static [u8] = response.leak();
    let threads = thread::available_parallelism().map_or(2, |n| n.get());
    let mut listeners = Vec::new();
    for _ in 0..threads {
        let listener = listen(addr)?;
        addr = listener.local_addr()?; // port 0: the others share the first's port
        listeners.push(listener);
    }
    ctrlc::set_handler(|| std::process::exit(0)).map_err(io::Error::other)?;
    println!("listening on {addr}");
    io::stdout().flush()?;
    let workers: Vec<_> = listeners
        .into_iter()
        .map(|l| thread::spawn(move || serve(TcpListener::from_std(l), response)))
        .collect();
    for worker in workers {
        worker
            .join()
            .map_err(|_| io::Error::other("a worker panicked"))??;
    }
    Ok(())
}

fn listen(addr: SocketAddr) -> io::Result<StdListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(4096)?;
    Ok(socket.into())
}

fn serve(mut listener: TcpListener, response: &[u8]) -> io::Result<()> {
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut events = Events::with_capacity(256);
    let mut conns: HashMap<usize, Conn> = HashMap::new();
    let mut next = 1;
    loop {
        if let Err(e) = poll.poll(&mut events, None) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        for event in &events {
            let token = event.token().0;
            if token == LISTENER.0 {
                while let Ok((mut stream, _)) = listener.accept() {
                    let interest = Interest::READABLE | Interest::WRITABLE;
                    if stream.set_nodelay(true).is_ok()
                        && poll
                            .registry()
                            .register(&mut stream, Token(next), interest)
                            .is_ok()
                    {
                        let (buf, filled, owed) = (Box::new([0; BUF]), 0, 0);
                        conns.insert(
                            next,
                            Conn {
                                stream,
                                buf,
                                filled,
                                owed,
                            },
                        );
                        next += 1;
                    }
                }
            } else if let Some(conn) = conns.get_mut(&token) {
                // After a FIN, read to the end: a short read is no sign then.
                if advance(conn, response, !event.is_read_closed()).is_err() {
                    conns.remove(&token); // dropping it closes it
                }
            }
        }
    }
}

/// Writes what is owed, then reads and answers until the socket has nothing
/// more (`WouldBlock`, or if `short_read_drains` a read shorter than the room
/// it had: what comes next brings a new edge) or cannot take more answers.
fn advance(conn: &mut Conn, response: &[u8], short_read_drains: bool) -> io::Result<()> {
    let mut drained = false;
    loop {
        while conn.owed > 0 {
            let first = (conn.owed - 1) % response.len() + 1; // of the response in progress
            let whole = ((conn.owed - first) / response.len()).min(63);
            let mut slices = [IoSlice::new(response); 64];
            slices[0] = IoSlice::new(&response[response.len() - first..]);
            match conn.stream.write_vectored(&slices[..=whole]) {
                Ok(n) => conn.owed -= n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if drained {
            return Ok(());
        }
        let room = BUF - conn.filled;
        let n = match conn.stream.read(&mut conn.buf[conn.filled..]) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        drained = short_read_drains && n < room;
        // Count the heads that end in what came; a blank line may straddle reads.
        let (mut start, mut i) = (0, conn.filled.saturating_sub(3));
        conn.filled += n;
        while let Some(at) = conn.buf[i..conn.filled]
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
        {
            start = i + at + 4;
            i = start;
            conn.owed += response.len();
        }
        conn.buf.copy_within(start..conn.filled, 0);
        conn.filled -= start;
        if conn.filled == BUF {
            return Err(io::ErrorKind::InvalidData.into()); // a head over 8 KiB
        }
    }
}
