//! Remote commands over TCP, both ends: the lesson where the sticky packet
//! (粘包) first bites, and its three fixes.
//!
//! The Python server receives a command with `recv(1024)`, runs it with
//! `subprocess.Popen(cmd, shell=True, stdout=PIPE, stderr=PIPE)` and sends the
//! output back; the client sends a typed line and prints what one
//! `recv(1024)` brings. An output longer than 1024 bytes does not fit: its
//! tail arrives as the answer to the *next* command. The lesson then fixes it
//! three ways, and `--protocol` picks the step (the same on both ends):
//!
//! * `raw`: the broken original, kept on purpose to show the sticky packet;
//! * `ready`: the length in decimal, the client answers `ready`, the output;
//! * `struct`: `struct.pack('i', len)` (4 bytes, little-endian), the output;
//! * `json` (default): a 4-byte length, a JSON header
//!   `{"data_size": N, "exit_code": C, "truncated": bool}`, the output.
//!
//! Unlike the lesson, the server runs each command with stdin closed, in a
//! process group of its own that is killed after `--timeout`, keeps at most
//! `--max-output` bytes, and listens on loopback only unless told
//! `--allow-remote`: a remote-command server is a remote shell.
//!
//! Try it with two terminals:
//!
//! ```text
//! terminal 1:  cargo run -p rexec_tcp -- server --protocol raw
//! terminal 2:  cargo run -p rexec_tcp -- client --protocol raw
//!              >>: seq 1 400        (only the first 1024 bytes)
//!              >>: echo hi          (the rest of seq, not "hi")
//! ```

mod args;
mod client;

use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use args::{Args, Role, ServerArgs};
use clap::Parser;
use common::show::printable_text;
use common::trace::Traced;
use common::wire::WireError;
use harness::cli::{self, Failure};
use harness::exec::{self, CommandLimits};
use harness::log;
use harness::server::{self, Capacity};
use rexec_tcp::{send_reply, Protocol, Reply, ReplyError, MAX_COMMAND};

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
    // socket() + bind() + listen(); Ctrl-C ends the accept loop
    let (listener, stop) = args.net.listen_tcp()?;
    log!(
        "protocol {}; each command: --timeout {} s, --max-output {} bytes",
        args.protocol,
        args.safety.timeout,
        args.safety.max_output
    );
    let settings = Arc::new(Settings::of(&args));
    let capacity = Capacity::max_clients(args.max_clients as usize);
    let handler_settings = Arc::clone(&settings);
    // conn, addr = tcp_server.accept(), each client on a thread of its own
    let summary = server::serve(&listener, &stop, &capacity, move |conn, peer| {
        serve_client(&conn, peer, &handler_settings);
    });
    let commands = settings.commands.load(Ordering::Relaxed);
    log!("shutting down: {summary}, ran {commands} command(s)");
    Ok(())
}

/// One client, from connect to close.
fn serve_client(conn: &TcpStream, peer: SocketAddr, settings: &Settings) {
    log!("{peer} connected");
    match command_loop(conn, peer, settings) {
        Ok(n) => log!("{peer} disconnected after {n} command(s)"),
        Err(e) => log!("{peer} dropped: {}", server_reason(&e, settings)),
    }
}

/// The communication loop: receive a command, run it, send the reply.
fn command_loop(
    conn: &TcpStream,
    peer: SocketAddr,
    settings: &Settings,
) -> Result<u64, ReplyError> {
    conn.set_read_timeout(Some(settings.idle_timeout))?;
    conn.set_write_timeout(Some(settings.idle_timeout))?;
    let mut conn = Traced::new(conn, peer, settings.trace);
    let mut buf = [0; MAX_COMMAND];
    let mut commands = 0;
    loop {
        // cmd = conn.recv(1024): one read is one command, as in the lesson
        let n = conn.read(&mut buf)?;
        if n == 0 {
            return Ok(commands); // the client closed its side
        }
        let reply = run_command(&buf[..n], peer, &settings.limits);
        // conn.send(header); conn.send(cmd_res): the header as --protocol says
        send_reply(&mut conn, settings.protocol, &reply)?;
        commands += 1;
        settings.commands.fetch_add(1, Ordering::Relaxed);
    }
}

/// `subprocess.Popen(cmd, shell=True, ...)`, safely; logs what happened and
/// returns the reply.
fn run_command(command: &[u8], peer: SocketAddr, limits: &CommandLimits) -> Reply {
    let shown = printable_text(command.trim_ascii());
    match exec::run_shell(command, limits) {
        Ok(outcome) => {
            log!("{peer} ran `{shown}`: {}", outcome.summary());
            Reply {
                output: outcome.reply(),
                exit_code: Some(outcome.termination.exit_code()),
                truncated: outcome.truncated,
            }
        }
        Err(e) => {
            let why = cli::describe(&e);
            log!("{peer} could not run `{shown}`: {why}");
            Reply {
                output: format!("(cannot run the command: {why})\n").into_bytes(),
                exit_code: Some(126), // the shell's "cannot execute"
                truncated: false,
            }
        }
    }
}

/// What every connection needs to know.
#[derive(Debug)]
struct Settings {
    protocol: Protocol,
    limits: CommandLimits,
    idle_timeout: Duration,
    trace: bool,
    commands: AtomicU64,
}

impl Settings {
    fn of(args: &ServerArgs) -> Self {
        Settings {
            protocol: args.protocol,
            limits: args.safety.limits(),
            idle_timeout: Duration::from_secs(args.idle_timeout),
            trace: args.net.trace,
            commands: AtomicU64::new(0),
        }
    }
}

fn server_reason(e: &ReplyError, settings: &Settings) -> String {
    match e {
        ReplyError::Wire(WireError::Io(io)) if cli::is_timeout(io) => format!(
            "silent for {} s (--idle-timeout)",
            settings.idle_timeout.as_secs()
        ),
        ReplyError::Wire(WireError::Io(io)) => cli::describe(io),
        ReplyError::Wire(WireError::Closed) => "the client left in the middle of a reply".into(),
        other => other.to_string(),
    }
}
