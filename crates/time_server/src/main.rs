//! The time server lesson: ask a server what time it is.
//!
//! Over UDP (the lesson's 时间服务器) the client sends a `strftime` format such
//! as `%Y-%m-%d` in one datagram; the server answers with its local time in
//! that format, in one datagram. An empty datagram asks for the default,
//! `%Y-%m-%d %X`. There is no connection: the server just answers whoever
//! wrote, to the address `recvfrom` gave it.
//!
//! Over TCP (the daytime server of the TCP lesson) the client sends nothing:
//! the server writes the time on each connection, as Python's
//! `str(datetime.now())` does (`2023-04-19 17:04:30.293444`), and closes it.
//!
//! Try it with two terminals:
//!
//! ```text
//! terminal 1:  cargo run -p time_server -- server
//! terminal 2:  cargo run -p time_server -- client            # type %H:%M, or nothing
//!              cargo run -p time_server -- client --format '%A %X'
//! ```

mod args;
mod client;

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use args::{Cli, Proto, Role};
use clap::Parser;
use common::datagram::RECV_BUFFER;
use common::show::{count, preview};
use common::trace::{Traced, TracedUdp};
use harness::cli::{self, Failure, NetArgs};
use harness::log;
use harness::server::connections;
use harness::udp::next_datagram;
use time_server::{Zone, DEFAULT_FORMAT};

/// How much of a request or an answer a log line shows.
const SHOWN: usize = 100;

fn main() -> ExitCode {
    harness::main(|| run(Cli::parse()))
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.role {
        Role::Server(args) => {
            let zone = Zone::utc_if(args.utc);
            match args.proto {
                Proto::Udp => udp_server(&cli.net, zone),
                Proto::Tcp => tcp_server(&cli.net, zone),
            }
        }
        Role::Client(args) => match args.proto {
            Proto::Udp => client::udp_client(&cli.net, &args),
            Proto::Tcp => client::tcp_client(&cli.net, &args),
        },
    }
}

// ------------------------------------------------------------ UDP server

/// The lesson's loop: `recvfrom`, `strftime`, `sendto` the answer back to
/// the address the datagram came from.
fn udp_server(net: &NetArgs<8080>, zone: Zone) -> Result<(), Failure> {
    // socket(AF_INET, SOCK_DGRAM) + bind(): no listen(), no accept()
    let (socket, stop) = net.listen_udp()?;
    let socket = TracedUdp::new(socket, net.trace);

    let mut buf = vec![0; RECV_BUFFER];
    let (mut answered, mut refused) = (0u64, 0u64);
    // data, addr = s.recvfrom(bufsize), until Ctrl-C
    while let Some((n, peer)) = next_datagram(&socket, &mut buf, &stop) {
        let request = &buf[..n];
        let reply = zone.answer(request).unwrap_or_else(|e| {
            refused += 1;
            format!("error: {e}")
        });
        log!(
            "{peer} asked {}: {}",
            describe_request(request),
            preview(reply.as_bytes(), SHOWN)
        );
        // s.sendto(time.strftime(fmt).encode('utf-8'), addr)
        match socket.send_to(reply.as_bytes(), peer) {
            Ok(_) => answered += 1,
            Err(e) => log!("{peer} answer not sent: {}", cli::describe(&e)),
        }
    }
    log!(
        "shutting down: answered {}, {refused} of them with an error",
        count(answered, "request", "requests")
    );
    Ok(())
}

/// A request as one short log phrase.
fn describe_request(request: &[u8]) -> String {
    if request.is_empty() {
        format!("with an empty datagram (the default, {DEFAULT_FORMAT})")
    } else {
        format!("for '{}'", preview(request, SHOWN))
    }
}

// ------------------------------------------------------------ TCP server

/// The daytime server: accept, write the time, close; one client after
/// another, since each is served in one write.
fn tcp_server(net: &NetArgs<8080>, zone: Zone) -> Result<(), Failure> {
    // socket(AF_INET, SOCK_STREAM) + bind() + listen()
    let (listener, stop) = net.listen_tcp()?;

    let mut served = 0u64;
    // client, addr = s.accept()
    for (conn, peer) in connections(&listener, &stop) {
        match send_time(&conn, peer, zone, net.trace) {
            Ok(()) => served += 1,
            Err(e) => log!("a client was not served: {}", cli::describe(&e)),
        }
    }
    log!(
        "shutting down: served {}",
        count(served, "client", "clients")
    );
    Ok(())
}

/// `client.send(str(datetime.now()).encode('utf-8'))`, then the caller's
/// drop of the stream is the lesson's `client.close()`.
fn send_time(stream: &TcpStream, peer: SocketAddr, zone: Zone, trace: bool) -> io::Result<()> {
    // A few dozen bytes always fit in the socket's send buffer; the timeout
    // only guards against the impossible.
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let now = zone.daytime();
    Traced::new(stream, peer, trace).write_all(now.as_bytes())?;
    log!("{peer} connected; sent {now}");
    Ok(())
}
