//! Lesson 1, the server: a TCP server that answers every message upper-cased.
//!
//! The Python lesson creates a socket, binds it to 127.0.0.1:8080, listens,
//! and then runs two loops: a *connection loop* that accepts one client
//! after another, and inside it a *communication loop* that receives up to
//! 1024 bytes and sends them back with `data.upper()`. This binary does the
//! same, in three modes:
//!
//! * `--mode threaded` (default): a thread per client, as the lesson's
//!   `socketserver.ThreadingTCPServer` does, at most `--max-clients` at once;
//! * `--mode iterative`: one client at a time, as in the first version of the
//!   lesson: the next client waits in the listen backlog;
//! * `--chat`: the reply is a line typed by the server's operator, the chat
//!   server of the course (`q` ends the conversation).
//!
//! Try it with two terminals:
//!
//! ```text
//! terminal 1:  cargo run -p tcp_server
//! terminal 2:  cargo run -p tcp_client
//! ```

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use common::show::printable_text;
use common::trace::Traced;
use harness::cli::{self, Failure, NetArgs};
use harness::input::{Line, LineInput};
use harness::log;
use harness::server::{self, Capacity, Summary};
use harness::stop::Stop;

/// The lesson's `buffer_size`: the most one `recv` takes.
const BUFFER_SIZE: usize = 1024;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Lesson 1 (TCP), the server: answers every message upper-cased, like the \
             Python lesson's `conn.send(data.upper())`.",
    after_help = "Examples:\n  \
        tcp_server                      # threaded, on 127.0.0.1:8080\n  \
        tcp_server --mode iterative     # one client at a time, the others wait\n  \
        tcp_server --chat               # you type each reply; q ends the conversation\n  \
        tcp_server --port 0 --trace     # any free port; dump every send and receive\n\n\
        Then, in a second terminal: tcp_client --port PORT\n"
)]
struct Args {
    #[command(flatten)]
    net: NetArgs<8080>,

    /// How clients are served.
    #[arg(long, value_enum, default_value_t = Mode::Threaded)]
    mode: Mode,

    /// Most clients served at once in threaded mode; one more is refused
    /// with a one-line message.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    max_clients: u32,

    /// Chat: print each message and send back a line typed here (one
    /// client at a time; `q` ends the conversation).
    #[arg(long, conflicts_with = "mode")]
    chat: bool,

    /// Close a connection that sends nothing for this many seconds
    /// (0: wait forever, as the lesson does).
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    idle_timeout: u64,

    /// Log every message received, not only connections.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// A thread per client (socketserver.ThreadingTCPServer).
    Threaded,
    /// One client at a time; the next waits in the backlog.
    Iterative,
}

/// What every connection needs to know.
#[derive(Debug, Clone)]
struct Settings {
    idle_timeout: Option<Duration>,
    trace: bool,
    verbose: bool,
}

fn main() -> ExitCode {
    cli::quiet_on_closed_pipe();
    cli::exit_code(run(Args::parse()))
}

fn run(args: Args) -> Result<(), Failure> {
    // socket() + bind() + listen()
    let listener = args.net.bind_tcp()?;
    let shutdown = Stop::on_ctrl_c()?;
    shutdown.wake_on_trigger(&listener)?;
    cli::announce_listening(listener.local_addr()?);

    let settings = Settings {
        idle_timeout: (args.idle_timeout > 0).then(|| Duration::from_secs(args.idle_timeout)),
        trace: args.net.trace,
        verbose: args.verbose,
    };
    let summary = if args.chat {
        chat(&listener, &shutdown, &settings)
    } else if args.mode == Mode::Iterative {
        iterative(&listener, &shutdown, &settings)
    } else {
        let limits = Capacity::max_clients(args.max_clients as usize);
        let settings = Arc::new(settings);
        server::serve(&listener, &shutdown, &limits, move |stream, peer| {
            serve_client(&stream, peer, &settings);
        })
    };
    log!("shutting down: {summary}");
    Ok(())
}

/// The connection loop of the first lesson: accept a client, talk to it until
/// it leaves, then accept the next.
fn iterative(listener: &TcpListener, shutdown: &Stop, settings: &Settings) -> Summary {
    let mut summary = Summary::default();
    for incoming in listener.incoming() {
        if shutdown.requested() {
            break;
        }
        match incoming {
            Ok(stream) => {
                let Ok(peer) = stream.peer_addr() else {
                    continue;
                };
                let Ok(_tracked) = shutdown.track(&stream) else {
                    continue;
                };
                summary.served += 1;
                serve_client(&stream, peer, settings);
            }
            Err(e) => {
                log!("accept failed: {}", cli::describe(&e));
                thread::sleep(server::ERROR_PAUSE);
            }
        }
    }
    summary
}

/// One client, from connect to close, with a log line at each end.
fn serve_client(stream: &TcpStream, peer: SocketAddr, settings: &Settings) {
    log!("{peer} connected");
    match upper_case_loop(stream, peer, settings) {
        Ok(messages) => log!("{peer} disconnected after {messages} message(s)"),
        Err(e) => log!("{peer} dropped: {}", reason(&e, settings)),
    }
}

/// The communication loop: `recv(1024)`, `sendall(data.upper())`, until the
/// client closes its side. Returns how many messages it answered.
fn upper_case_loop(stream: &TcpStream, peer: SocketAddr, settings: &Settings) -> io::Result<u64> {
    stream.set_read_timeout(settings.idle_timeout)?;
    stream.set_write_timeout(settings.idle_timeout)?;
    let mut conn = Traced::new(stream, peer, settings.trace);
    let mut buf = [0; BUFFER_SIZE];
    let mut messages = 0;
    loop {
        let n = conn.read(&mut buf)?;
        if n == 0 {
            return Ok(messages); // the client closed (or half-closed) its side
        }
        let data = &mut buf[..n];
        if settings.verbose {
            log!("{peer} sent {n} bytes: {}", printable_text(data));
        }
        // Python's bytes.upper() changes ASCII letters only, so any bytes
        // (UTF-8 or not) go back the same length.
        data.make_ascii_uppercase();
        conn.write_all(data)?;
        messages += 1;
    }
}

/// Why a connection ended badly, in words.
fn reason(e: &io::Error, settings: &Settings) -> String {
    match (e.kind(), settings.idle_timeout) {
        (io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut, Some(idle)) => {
            format!("silent for {} s (--idle-timeout)", idle.as_secs())
        }
        _ => cli::describe(e),
    }
}

/// The chat server: one client at a time, each reply typed by the operator.
fn chat(listener: &TcpListener, shutdown: &Stop, settings: &Settings) -> Summary {
    let operator = LineInput::stdin();
    shutdown.on_trigger(operator.interrupter());
    let mut summary = Summary::default();
    for incoming in listener.incoming() {
        if shutdown.requested() {
            break;
        }
        let Ok(stream) = incoming else { continue };
        let Ok(peer) = stream.peer_addr() else {
            continue;
        };
        let Ok(_tracked) = shutdown.track(&stream) else {
            continue;
        };
        summary.served += 1;
        log!("{peer} connected; type a reply to each message, q to end the conversation");
        match chat_with(&stream, peer, &operator, settings) {
            Ok(ChatEnd::ClientLeft) => log!("{peer} left the conversation"),
            Ok(ChatEnd::OperatorQuit) => log!("{peer} conversation ended by you"),
            Ok(ChatEnd::OperatorGone) => {
                log!("{peer} conversation ended (no more replies from the operator)");
                break;
            }
            Err(e) => log!("{peer} dropped: {}", reason(&e, settings)),
        }
    }
    summary
}

enum ChatEnd {
    ClientLeft,
    OperatorQuit,
    OperatorGone,
}

fn chat_with(
    stream: &TcpStream,
    peer: SocketAddr,
    operator: &LineInput,
    settings: &Settings,
) -> io::Result<ChatEnd> {
    stream.set_read_timeout(settings.idle_timeout)?;
    let mut conn = Traced::new(stream, peer, settings.trace);
    let mut buf = [0; BUFFER_SIZE];
    loop {
        let n = conn.read(&mut buf)?;
        let message = printable_text(&buf[..n]);
        if n == 0 || message.trim().eq_ignore_ascii_case("q") {
            return Ok(ChatEnd::ClientLeft);
        }
        println!("[{peer}] {message}");
        // An empty line is not sent: the client would read zero bytes as
        // "the server closed", so ask again.
        let reply = loop {
            match operator.next(">>: ") {
                Line::Text(reply) if reply.is_empty() => continue,
                Line::Text(reply) => break reply,
                Line::End | Line::Interrupted => {
                    let _ = conn.write_all(b"q");
                    return Ok(ChatEnd::OperatorGone);
                }
            }
        };
        conn.write_all(reply.as_bytes())?;
        if reply.eq_ignore_ascii_case("q") {
            return Ok(ChatEnd::OperatorQuit);
        }
    }
}
