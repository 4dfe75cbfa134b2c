//! Remote commands over UDP, both ends: no sticky packets, but limits.
//!
//! The Python server waits with `recvfrom(1024)`, runs each datagram as a
//! shell command and answers with one `sendto` of the output; the client
//! sends a typed line and prints what one `recvfrom(1024)` brings. Every
//! datagram arrives whole or not at all, so answers never run together as
//! they do over TCP. Instead:
//!
//! * a datagram carries at most 65,507 bytes (IPv4), so a longer output
//!   cannot be sent at all (the lesson's `WinError 10040` on Windows,
//!   EMSGSIZE on Linux): this server cuts it to fit and says how many bytes
//!   it dropped;
//! * a receive buffer shorter than the datagram loses the rest of it: run the
//!   client with `--bufsize 1024`, the lesson's size, to see it; the client
//!   warns when a reply filled its buffer.
//!
//! The server runs commands with the same safety as `rexec_tcp`: stdin
//! closed, a process group killed after `--timeout`, output capped by
//! `--max-output`, loopback unless `--allow-remote`.
//!
//! Try it with two terminals:
//!
//! ```text
//! terminal 1:  cargo run -p rexec_udp -- server
//! terminal 2:  cargo run -p rexec_udp -- client --bufsize 1024
//!              >>: seq 1 400        (1024 bytes, and a warning: the rest is lost)
//! ```

mod args;
mod client;
mod running;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use args::{Args, Role, ServerArgs};
use clap::Parser;
use common::datagram::{MAX_DATAGRAM, RECV_BUFFER};
use common::show::preview;
use common::trace::TracedUdp;
use harness::cli::{self, Failure};
use harness::exec::{self, CommandLimits};
use harness::log;
use harness::udp::next_datagram;
use rexec_udp::fit_datagram;
use running::Running;

/// How much of a command a log line shows.
const SHOWN: usize = 80;

fn main() -> ExitCode {
    harness::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Failure> {
    match args.role {
        Role::Server(args) => server(args),
        Role::Client(args) => client::client(args),
    }
}

fn server(args: ServerArgs) -> Result<(), Failure> {
    args.net.refuse_remote_unless(args.safety.allow_remote)?;
    // socket(AF_INET, SOCK_DGRAM) + bind(): no listen(), no accept()
    let (socket, stop) = args.net.listen_udp()?;
    log!(
        "each command: --timeout {} s, --max-output {} bytes; replies of at most {MAX_DATAGRAM} bytes",
        args.safety.timeout,
        args.safety.max_output
    );
    let socket = Arc::new(TracedUdp::new(socket, args.net.trace));
    let limits = args.safety.limits();
    let mut running = Running::new(args.max_running);
    let mut buf = vec![0; RECV_BUFFER];
    // cmd, addr = udp_server.recvfrom(1024): one datagram is one command
    while let Some((n, peer)) = next_datagram(&socket, &mut buf, &stop) {
        let command = buf[..n].to_vec();
        if command.is_empty() {
            log!("{peer} sent an empty datagram");
            answer(
                &socket,
                peer,
                b"(empty datagram: no command to run)\n".to_vec(),
            );
            continue;
        }
        let replies = Arc::clone(&socket);
        // each command on a thread of its own, at most --max-running
        running.start(
            peer,
            move || run_command(&command, peer, &limits),
            move |reply| answer(&replies, peer, reply),
        );
    }
    // Each command ends within its --timeout: wait for their replies.
    let summary = running.wait();
    log!("shutting down: {summary}");
    Ok(())
}

/// `subprocess.Popen(cmd, shell=True, ...)`, safely; logs what happened and
/// returns the reply.
fn run_command(command: &[u8], peer: SocketAddr, limits: &CommandLimits) -> Vec<u8> {
    let shown = preview(command.trim_ascii(), SHOWN);
    match exec::run_shell(command, limits) {
        Ok(outcome) => {
            log!("{peer} ran `{shown}`: {}", outcome.summary());
            outcome.reply()
        }
        Err(e) => {
            let why = cli::describe(&e);
            log!("{peer} could not run `{shown}`: {why}");
            format!("(cannot run the command: {why})\n").into_bytes()
        }
    }
}

/// `udp_server.sendto(cmd_res, addr)`: the reply, cut to one datagram if it
/// must be.
fn answer(socket: &TracedUdp, peer: SocketAddr, reply: Vec<u8>) {
    let (datagram, dropped) = fit_datagram(reply, MAX_DATAGRAM);
    if dropped > 0 {
        log!("{peer} reply cut to {MAX_DATAGRAM} bytes: {dropped} bytes dropped");
    }
    if let Err(e) = socket.send_to(&datagram, peer) {
        log!("{peer} reply lost: {}", cli::describe(&e));
    }
}
