//! The sticky-packet lesson (粘包): TCP delivers a stream of bytes, not
//! messages.
//!
//! The Python lesson shows two cases. Case 1 (情形一): the client sends
//! `hello`, `world` and `egon` quickly, and the server's one `recv(1024)`
//! returns `b'helloworldegon'`. Case 2 (情形二): the client sends
//! `helloworldegon` once, and the server's `recv(1)`, `recv(5)`, `recv(1)`
//! return `b'h'`, `b'ellow'`, `b'o'`, leaving the rest in the buffer.
//!
//! In the lesson whether the sends stick depends on timing. Here every
//! receiver first waits until all the sender's bytes are in its receive
//! buffer (looking with `MSG_PEEK`, taking nothing), so the result is the
//! same every run. Each case then runs three ways: plain TCP as in the
//! lesson; TCP with the 4-byte length prefix of `common` (every message
//! arrives whole); and UDP (every datagram arrives whole, or loses its tail).
//!
//! Run everything in one process, or the two ends in two terminals:
//!
//! ```text
//! cargo run -p sticky_demo
//! terminal 1:  cargo run -p sticky_demo -- server --case 1
//! terminal 2:  cargo run -p sticky_demo -- client --case 1
//! ```

mod args; // the command line; what --case and --mode send and receive
mod framed; // --mode framed: the fix, read_frame through the lesson's small recvs
mod in_one_process; // no role: every case, both ends, in one process
mod record; // what each call sent or returned
mod report; // the tables, built from the record afterwards
mod udp; // --mode udp: sendto, recvfrom

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use args::{Args, Case, ClientArgs, Mode, Role, ServerArgs, BUFFER_SIZE};
use clap::Parser;
use common::trace::Traced;
use common::wire::{write_frame, WireError};
use harness::cli::{self, Failure};
use harness::log;
use harness::server::connections;
use record::Received;
use sticky_demo::{peek_now, wait_until_buffered};

fn main() -> ExitCode {
    harness::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Failure> {
    match args.role {
        None => in_one_process::run(args.case, args.mode, args.trace),
        Some(Role::Server(server)) if server.exchange.mode == Mode::Udp => udp::serve(&server),
        Some(Role::Server(server)) => serve(&server),
        Some(Role::Client(client)) if client.exchange.mode == Mode::Udp => udp::send(&client),
        Some(Role::Client(client)) => send(&client),
    }
}

/// `sticky_demo server`: the lesson's server, over TCP. One client, its
/// exchange received and printed, then exit.
fn serve(args: &ServerArgs) -> Result<(), Failure> {
    let settings = Receiving::of(args);
    let (case, mode) = (args.exchange.case, args.exchange.mode);
    // tcp_server = socket(AF_INET, SOCK_STREAM); .bind(ip_port); .listen(back_log)
    let (listener, stop) = args.net.listen_tcp()?;
    log!(
        "waiting for one client: `{}`",
        args.exchange.client_command()
    );
    // conn, addr = tcp_server.accept()
    let Some((conn, addr)) = connections(&listener, &stop).next() else {
        log!("stopped before a client came");
        return Ok(());
    };
    log!("{addr} connected");
    conn.set_read_timeout(Some(settings.timeout))?;
    let mut got = Vec::new();
    let outcome = receive_tcp(&conn, addr, mode, case, settings, &mut got);
    report::print_receiver(mode, case, &got);
    outcome
}

/// The lesson's server, once its client's bytes are in: a `recv` of each
/// of the case's sizes (1024 three times; 1, 5, 1), then a look at what
/// they left in the buffer. Each result goes into `got`, for the table.
fn receive_raw(
    mut conn: Traced<&TcpStream>,
    case: Case,
    settings: Receiving,
    got: &mut Vec<Received>,
) -> Result<(), Failure> {
    for &size in case.recv_sizes() {
        let mut buf = vec![0; size];
        // data1 = conn.recv(buffer_size); print('第一次数据', data1)
        let n = conn
            .read(&mut buf)
            .map_err(|e| read_failure(&e, settings.timeout))?;
        got.push(Received::Recv {
            size,
            bytes: buf[..n].to_vec(),
        });
    }
    // Not in the lesson: what is still in the buffer, for the next recv.
    got.push(Received::Left(peek_now(conn.get_ref(), BUFFER_SIZE)?));
    Ok(())
}

/// `sticky_demo client`: the lesson's client, over TCP: connect, send the
/// case's messages, close.
fn send(args: &ClientArgs) -> Result<(), Failure> {
    let (case, mode) = (args.exchange.case, args.exchange.mode);
    // tcp_client = socket(AF_INET, SOCK_STREAM); tcp_client.connect(ip_port)
    let stream = args
        .net
        .connect_tcp(Duration::from_secs(args.exchange.timeout))?;
    stream.set_nodelay(args.nodelay)?;
    let mut conn = Traced::new(&stream, stream.peer_addr()?, args.net.trace);
    let sent = send_tcp(&mut conn, case, mode == Mode::Framed).map_err(io::Error::from)?;
    // Closing tells the server there is nothing more (its recv gets b'').
    // A server that has already gone (having read what it wanted) makes
    // this fail, and that is no failure of ours.
    let _ = stream.shutdown(Shutdown::Write);
    report::print_sender(mode, case, &sent);
    Ok(())
}

/// The lesson's client, once connected: one `send` per message (or, the
/// fix, one frame per message). Returns what it sent, for the table.
fn send_tcp(
    conn: &mut impl Write,
    case: Case,
    framed: bool,
) -> Result<Vec<&'static [u8]>, WireError> {
    let mut sent = Vec::new();
    for &message in case.messages() {
        if framed {
            // conn.send(struct.pack('i', len(message))); conn.send(message)
            write_frame(conn, message)?;
        } else {
            // tcp_client.send('hello'.encode('utf-8'))
            conn.write_all(message)?;
        }
        sent.push(message);
    }
    Ok(sent)
}

/// What every receiver needs to know.
#[derive(Debug, Clone, Copy)]
struct Receiving {
    trace: bool,
    timeout: Duration,
    max_frame: usize,
}

impl Receiving {
    fn of(args: &ServerArgs) -> Self {
        Receiving {
            trace: args.net.trace,
            timeout: Duration::from_secs(args.exchange.timeout),
            max_frame: args.max_frame,
        }
    }
}

/// How long a receiver waits for all the sender's bytes to be in its
/// buffer before its first `recv`; it goes on with what is there after that.
const SETTLE: Duration = Duration::from_secs(2);

/// The lesson's server over TCP, after `accept`. First it waits until the
/// sender's bytes are all buffered (so the outcome does not depend on
/// timing), then it reads as the case and the mode say.
fn receive_tcp(
    stream: &TcpStream,
    peer: SocketAddr,
    mode: Mode,
    case: Case,
    settings: Receiving,
    got: &mut Vec<Received>,
) -> Result<(), Failure> {
    let expected = mode.wire_len(case);
    let buffered = wait_until_buffered(stream, expected, SETTLE)?;
    if buffered < expected {
        got.push(Received::Partial {
            waited: SETTLE,
            buffered,
            expected,
        });
    }
    let conn = Traced::new(stream, peer, settings.trace);
    if mode == Mode::Framed {
        framed::receive(conn, case, settings, got)
    } else {
        receive_raw(conn, case, settings, got)
    }
}

fn read_failure(e: &io::Error, timeout: Duration) -> Failure {
    let secs = timeout.as_secs();
    receive_failure(
        e,
        format!("the sender sent nothing more for {secs} s and did not close (--timeout)"),
    )
}

/// A receive that failed, as the user reads it: `on_timeout` when the
/// socket's `--timeout` ran out, the error itself otherwise.
fn receive_failure(e: &io::Error, on_timeout: String) -> Failure {
    if cli::is_timeout(e) {
        Failure::runtime(on_timeout)
    } else {
        Failure::runtime(cli::describe(e))
    }
}
