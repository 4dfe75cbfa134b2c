//! Lesson 1, the server: a TCP server that answers every message upper-cased.
//!
//! The Python lesson creates a socket, binds it to 127.0.0.1:8080, listens,
//! and then runs two loops: a *connection loop* that accepts one client
//! after another, and inside it a *communication loop* that receives up to
//! 1024 bytes and sends them back with `data.upper()`. This binary does the
//! same, in three modes: `--mode threaded` (default), a thread per client as
//! the lesson's `socketserver.ThreadingTCPServer`, at most `--max-clients`;
//! `--mode iterative`, one client at a time as in the first version of the
//! lesson (the next waits in the listen backlog); `--chat`, the course's chat
//! server, each reply typed by the operator (`chat.rs`).
//!
//! ```text
//! terminal 1:  cargo run -p tcp_server
//! terminal 2:  cargo run -p tcp_client
//! ```

mod args;
mod chat;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;

use args::{Args, Mode, Settings};
use clap::Parser;
use common::show::printable_text;
use common::trace::Traced;
use harness::cli::{self, Failure};
use harness::log;
use harness::server::{self, connections, Capacity, Summary};
use harness::stop::Stop;

/// The lesson's `buffer_size`: the most one `recv` takes.
const BUFFER_SIZE: usize = 1024;

fn main() -> ExitCode {
    harness::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Failure> {
    // socket() + bind() + listen(); Ctrl-C ends the accept loop
    let (listener, stop) = args.net.listen_tcp()?;
    let settings = Settings::of(&args);
    let summary = if args.chat {
        chat::serve(&listener, &stop, &settings)
    } else if args.mode == Mode::Iterative {
        iterative(&listener, &stop, &settings)
    } else {
        let capacity = Capacity::max_clients(args.max_clients as usize);
        let settings = Arc::new(settings);
        server::serve(&listener, &stop, &capacity, move |conn, addr| {
            serve_client(&conn, addr, &settings);
        })
    };
    log!("shutting down: {summary}");
    Ok(())
}

/// The connection loop of the first lesson: accept a client, talk to it until
/// it leaves, then accept the next.
fn iterative(listener: &TcpListener, stop: &Stop, settings: &Settings) -> Summary {
    let mut summary = Summary::default();
    // while True: conn, addr = s.accept()
    for (conn, addr) in connections(listener, stop) {
        summary.served += 1;
        serve_client(&conn, addr, settings);
    }
    summary
}

/// One client, from connect to close, with a log line at each end.
fn serve_client(conn: &TcpStream, addr: SocketAddr, settings: &Settings) {
    log!("{addr} connected");
    match upper_case_loop(conn, addr, settings) {
        Ok(messages) => log!("{addr} disconnected after {messages} message(s)"),
        Err(e) => log!("{addr} dropped: {}", reason(&e, settings)),
    }
}

/// The communication loop: `recv(1024)`, `sendall(data.upper())`, until the
/// client closes its side. Returns how many messages it answered.
fn upper_case_loop(stream: &TcpStream, addr: SocketAddr, settings: &Settings) -> io::Result<u64> {
    stream.set_read_timeout(settings.idle_timeout)?;
    stream.set_write_timeout(settings.idle_timeout)?;
    let mut conn = Traced::new(stream, addr, settings.trace);
    let mut buf = [0; BUFFER_SIZE];
    let mut messages = 0;
    loop {
        // data = conn.recv(buffer_size)
        let n = conn.read(&mut buf)?;
        if n == 0 {
            return Ok(messages); // the client closed (or half-closed) its side
        }
        let data = &mut buf[..n];
        if settings.verbose {
            log!("{addr} sent {n} bytes: {}", printable_text(data));
        }
        // conn.send(data.upper()): Python's bytes.upper() changes ASCII
        // letters only, so any bytes (UTF-8 or not) go back the same length.
        data.make_ascii_uppercase();
        conn.write_all(data)?;
        messages += 1;
    }
}

/// Why a connection ended badly, in words.
fn reason(e: &io::Error, settings: &Settings) -> String {
    match (cli::is_timeout(e), settings.idle_timeout) {
        (true, Some(idle)) => format!("silent for {} s (--idle-timeout)", idle.as_secs()),
        _ => cli::describe(e),
    }
}
