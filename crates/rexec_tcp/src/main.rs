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

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::{Parser, Subcommand};
use common::show::printable_text;
use common::trace::Traced;
use common::wire::{WireError, DEFAULT_MAX_HEADER};
use harness::cli::{self, Failure, NetArgs};
use harness::exec::{self, Outcome};
use harness::input::{Line, LineInput};
use harness::log;
use harness::server::{self, Capacity};
use harness::stop::Stop;
use rexec_tcp::{read_reply, send_reply, Protocol, Reply, ReplyError, MAX_COMMAND};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Lesson: remote commands over TCP (远程执行命令, 粘包). The server runs each command \
             a client sends and sends back its output (stdout, then stderr); --protocol picks \
             how the output is framed, one step of the lesson each.",
    after_help = "Examples (two terminals; use the same --protocol on both ends):\n  \
        rexec_tcp server                          # json protocol, 127.0.0.1:8080\n  \
        rexec_tcp client                          # prompt >>:, `quit` ends\n  \
        rexec_tcp client -c 'ls -l'               # one command, then exit\n  \
        printf 'pwd\\nid\\n' | rexec_tcp client    # from a pipe, no prompts\n\n  \
        rexec_tcp server --protocol raw           # the sticky packet, on purpose:\n  \
        printf 'seq 1 400\\necho hi\\n' | rexec_tcp client --protocol raw\n                                            \
        # 'echo hi' prints the tail of seq\n\n\
        A request is the command's bytes in one send, read by the server with one\n\
        recv(1024), as in the lesson: at most 1024 bytes per command.\n"
)]
struct Args {
    #[command(subcommand)]
    role: Role,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// Remote commands over TCP, the server: runs the commands clients send
    /// and sends back their output.
    #[command(after_help = "Example:\n  \
        rexec_tcp server --protocol struct --timeout 5\n\n\
        Then, in a second terminal: rexec_tcp client --protocol struct")]
    Server(ServerArgs),
    /// Remote commands over TCP, the client: sends commands (typed, piped,
    /// or one with -c) and prints their output.
    #[command(after_help = "Example:\n  \
        rexec_tcp client --protocol struct -c 'ls -l /'\n\n\
        Start the server first, in another terminal: rexec_tcp server --protocol struct")]
    Client(ClientArgs),
}

const PROTOCOL_HELP: &str = "How the output is framed; both ends must agree. raw is the \
    lesson's first version: the client reads one recv(1024), so an output longer than 1024 \
    bytes is cut and its rest arrives as the answer to the next command (the sticky packet, \
    粘包). ready, struct and json each tell the client the length first, so every answer \
    arrives whole.";

#[derive(Debug, clap::Args)]
struct ServerArgs {
    #[command(flatten)]
    net: NetArgs<8080>,

    #[arg(long, value_enum, default_value_t = Protocol::Json, long_help = PROTOCOL_HELP)]
    protocol: Protocol,

    #[command(flatten)]
    safety: exec::ExecArgs,

    /// Most clients served at once, each on its own thread.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    max_clients: u32,

    /// Close a connection that sends nothing (or reads nothing) for this
    /// many seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout: u64,
}

#[derive(Debug, clap::Args)]
struct ClientArgs {
    #[command(flatten)]
    net: NetArgs<8080>,

    #[arg(long, value_enum, default_value_t = Protocol::Json, long_help = PROTOCOL_HELP)]
    protocol: Protocol,

    /// Run this one command, print its output and exit.
    #[arg(short = 'c', long = "command", value_name = "CMD")]
    command: Option<String>,

    /// Give up on connecting, or on an answer, after this many seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,

    /// Refuse an answer announced as longer than this many bytes (checked
    /// before anything is allocated for it).
    #[arg(long, default_value_t = rexec_tcp::DEFAULT_MAX_REPLY, value_name = "BYTES",
          value_parser = RangedU64ValueParser::<usize>::new().range(0..=i32::MAX as u64))]
    max_reply: usize,
}

fn main() -> ExitCode {
    cli::quiet_on_closed_pipe();
    cli::exit_code(match Args::parse().role {
        Role::Server(args) => serve(args),
        Role::Client(args) => client(args),
    })
}

// ------------------------------------------------------------------ server

/// What every connection needs to know.
#[derive(Debug)]
struct Settings {
    protocol: Protocol,
    limits: exec::CommandLimits,
    idle_timeout: Duration,
    trace: bool,
    commands: AtomicU64,
}

fn serve(args: ServerArgs) -> Result<(), Failure> {
    args.net.refuse_remote_unless(args.safety.allow_remote)?;
    // socket() + bind() + listen()
    let listener = args.net.bind_tcp()?;
    let shutdown = Stop::on_ctrl_c()?;
    shutdown.wake_on_trigger(&listener)?;
    cli::announce_listening(listener.local_addr()?);

    let settings = Arc::new(Settings {
        protocol: args.protocol,
        limits: args.safety.limits(),
        idle_timeout: Duration::from_secs(args.idle_timeout),
        trace: args.net.trace,
        commands: AtomicU64::new(0),
    });
    log!(
        "protocol {}; each command: --timeout {} s, --max-output {} bytes",
        args.protocol,
        args.safety.timeout,
        args.safety.max_output
    );
    let limits = Capacity::max_clients(args.max_clients as usize);
    let handler_settings = Arc::clone(&settings);
    let summary = server::serve(&listener, &shutdown, &limits, move |stream, peer| {
        serve_client(&stream, peer, &handler_settings);
    });
    let commands = settings.commands.load(Ordering::Relaxed);
    log!("shutting down: {summary}, ran {commands} command(s)");
    Ok(())
}

/// One client, from connect to close.
fn serve_client(stream: &TcpStream, peer: SocketAddr, settings: &Settings) {
    log!("{peer} connected");
    match command_loop(stream, peer, settings) {
        Ok(n) => log!("{peer} disconnected after {n} command(s)"),
        Err(e) => log!("{peer} dropped: {}", server_reason(&e, settings)),
    }
}

/// The communication loop: `recv(1024)` a command, run it, send the reply.
fn command_loop(
    stream: &TcpStream,
    peer: SocketAddr,
    settings: &Settings,
) -> Result<u64, ReplyError> {
    stream.set_read_timeout(Some(settings.idle_timeout))?;
    stream.set_write_timeout(Some(settings.idle_timeout))?;
    let mut conn = Traced::new(stream, peer, settings.trace);
    let mut buf = [0; MAX_COMMAND];
    let mut commands = 0;
    loop {
        // One read is one command, as in the lesson.
        let n = conn.read(&mut buf)?;
        if n == 0 {
            return Ok(commands); // the client closed its side
        }
        let reply = run(&buf[..n], peer, settings);
        send_reply(&mut conn, settings.protocol, &reply)?;
        commands += 1;
        settings.commands.fetch_add(1, Ordering::Relaxed);
    }
}

/// `subprocess.Popen(cmd, shell=True, ...)`, safely; logs what happened.
fn run(command: &[u8], peer: SocketAddr, settings: &Settings) -> Reply {
    let shown = printable_text(command.trim_ascii());
    match exec::run_shell(command, &settings.limits) {
        Ok(outcome) => {
            log!("{peer} ran `{shown}`: {}", summarize(&outcome));
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

/// `exit code 0, 1234 bytes, cut (5 bytes dropped), killed after timeout`.
fn summarize(outcome: &Outcome) -> String {
    let mut text = format!("{}, {} bytes", outcome.termination, outcome.output.len());
    if outcome.truncated {
        text.push_str(&format!(", cut ({} bytes dropped)", outcome.dropped));
    }
    if outcome.timed_out {
        text.push_str(", killed after --timeout");
    }
    text
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

// ------------------------------------------------------------------ client

fn client(args: ClientArgs) -> Result<(), Failure> {
    if let Some(command) = &args.command {
        check_command(command.trim()).map_err(Failure::usage)?;
    }
    let timeout = Duration::from_secs(args.timeout);
    // socket() + connect()
    let stream = args.net.connect_tcp(timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut conn = Traced::new(&stream, stream.peer_addr()?, args.net.trace);

    if let Some(command) = &args.command {
        return exchange(&mut conn, command.trim(), &args);
    }
    let input = LineInput::stdin();
    loop {
        let command = match input.next(">>: ") {
            Line::Text(command) => command,
            Line::End | Line::Interrupted => return Ok(()),
        };
        if command.is_empty() {
            continue; // sending nothing would look like a close to the server
        }
        if command == "quit" {
            return Ok(());
        }
        if let Err(why) = check_command(&command) {
            eprintln!("error: {why}");
            continue;
        }
        exchange(&mut conn, &command, &args)?;
    }
}

/// A command the server can receive whole with its one `recv(1024)`.
fn check_command(command: &str) -> Result<(), String> {
    if command.is_empty() {
        return Err("nothing to run: the server would read an empty command as a close".into());
    }
    if command.len() > MAX_COMMAND {
        return Err(format!(
            "the command is {} bytes; the server reads a command with one recv({MAX_COMMAND}), \
             so at most {MAX_COMMAND} bytes",
            command.len()
        ));
    }
    Ok(())
}

/// Sends one command and prints its answer.
fn exchange(
    conn: &mut Traced<&TcpStream>,
    command: &str,
    args: &ClientArgs,
) -> Result<(), Failure> {
    // One send, as in the lesson.
    conn.write_all(command.as_bytes())
        .map_err(|e| client_failure(&ReplyError::from(e), args))?;
    let reply =
        read_reply(conn, args.protocol, args.max_reply).map_err(|e| client_failure(&e, args))?;
    print_reply(&reply)?;
    Ok(())
}

/// The output as it came (it need not be UTF-8), ending with a newline;
/// the exit code, when the protocol carries it and it is not 0, on stderr.
fn print_reply(reply: &Reply) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(&reply.output)?;
    if !reply.output.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if let Some(code) = reply.exit_code.filter(|&code| code != 0) {
        eprintln!("(exit code {code})");
    }
    Ok(())
}

/// The 4 bytes of a length prefix refused as too long, when they are
/// printable text (`ECHO` from an upper-case echo server, `hell` from a raw
/// reply): no protocol of this lesson sends that, but another program on the
/// port does. `None` for a length that came from a JSON header's data_size.
fn prefix_as_text(len: usize, max: usize, protocol: Protocol) -> Option<String> {
    let from_prefix = match protocol {
        Protocol::Struct => true,
        Protocol::Json => max == DEFAULT_MAX_HEADER,
        Protocol::Raw | Protocol::Ready => false,
    };
    let bytes = u32::try_from(len).ok()?.to_le_bytes();
    let text = bytes.iter().all(|&b| b == b' ' || b.is_ascii_graphic());
    (from_prefix && text).then(|| String::from_utf8_lossy(&bytes).into_owned())
}

fn client_failure(e: &ReplyError, args: &ClientArgs) -> Failure {
    let protocol = args.protocol;
    let message = match e {
        ReplyError::Wire(WireError::Io(io)) if cli::is_timeout(io) => {
            format!("no answer from the server within {} s", args.timeout)
        }
        ReplyError::Wire(WireError::Io(io)) => match io.kind() {
            io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => {
                "the server closed the connection".into()
            }
            _ => format!("connection lost: {}", cli::describe(io)),
        },
        ReplyError::Wire(WireError::Closed) => "the server closed the connection".into(),
        ReplyError::Wire(WireError::Truncated { .. }) => {
            format!("the server closed the connection in the middle of an answer: {e}")
        }
        ReplyError::Wire(WireError::TooLong { len, max }) => {
            let flag = if *max == args.max_reply {
                " (--max-reply)"
            } else {
                ""
            };
            let hint = match prefix_as_text(*len, *max, protocol) {
                Some(text) => format!(
                    "those 4 bytes are the text {text:?}, not a length: is another lesson's \
                     server on port {} (tcp_server, for one, answers with the command \
                     upper-cased)? Or is",
                    args.net.port
                ),
                None if *max == args.max_reply => "if that length looks wrong, is".into(),
                None => "is".into(),
            };
            format!("{e}{flag}; {hint} the server using --protocol {protocol} too?")
        }
        e if e.is_malformed() => {
            format!("{e}; is the server using --protocol {protocol} too?")
        }
        other => other.to_string(),
    };
    Failure::runtime(message)
}
