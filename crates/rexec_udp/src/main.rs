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

use std::io::{self, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::{Parser, Subcommand};
use common::datagram::{MAX_DATAGRAM, RECV_BUFFER};
use common::show::printable_text;
use common::trace::TracedUdp;
use harness::cli::{self, Failure, NetArgs};
use harness::exec;
use harness::input::{Line, LineInput};
use harness::log;
use harness::stop::Stop;
use harness::udp;
use rexec_udp::{buffer_full_warning, fit_datagram};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Lesson: remote commands over UDP (基于udp实现远程命令). One command per datagram, \
             one reply datagram: no sticky packets, but a datagram holds at most 65,507 bytes \
             and a short receive buffer loses the rest.",
    after_help = "Examples (two terminals):\n  \
        rexec_udp server                         # on 127.0.0.1:8080\n  \
        rexec_udp client                         # prompt >>:, `quit` ends\n  \
        rexec_udp client -c 'ls -l'              # one command, then exit\n  \
        rexec_udp client --bufsize 1024 -c 'seq 1 400'\n                                           \
        # the lesson's buffer: the reply is cut, with a warning\n  \
        rexec_udp client -c 'seq 1 100000'       # more than a datagram: cut by the server\n"
)]
struct Args {
    #[command(subcommand)]
    role: Role,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// Remote commands over UDP, the server: runs each datagram as a
    /// command and answers with one datagram.
    #[command(after_help = "Example:\n  \
        rexec_udp server --timeout 5\n\n\
        Then, in a second terminal: rexec_udp client")]
    Server(ServerArgs),
    /// Remote commands over UDP, the client: sends commands (typed, piped,
    /// or one with -c) and prints each reply.
    #[command(after_help = "Example:\n  \
        rexec_udp client --bufsize 1024 -c 'seq 1 400'   # the lesson's buffer loses data\n\n\
        Start the server first, in another terminal: rexec_udp server")]
    Client(ClientArgs),
}

#[derive(Debug, clap::Args)]
struct ServerArgs {
    #[command(flatten)]
    net: NetArgs<8080>,

    #[command(flatten)]
    safety: exec::ExecArgs,

    /// Most commands running at once; a datagram beyond that gets a "busy"
    /// reply.
    #[arg(long, default_value_t = 16,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=1024))]
    max_running: usize,
}

#[derive(Debug, clap::Args)]
struct ClientArgs {
    #[command(flatten)]
    net: NetArgs<8080>,

    /// Run this one command, print its output and exit.
    #[arg(short = 'c', long = "command", value_name = "CMD")]
    command: Option<String>,

    /// The receive buffer: recvfrom(BUFSIZE). The lesson's 1024 loses the
    /// end of any longer reply; 65536 holds any datagram.
    #[arg(long, default_value_t = rexec_udp::DEFAULT_BUFSIZE, value_name = "BYTES",
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=65_536))]
    bufsize: usize,

    /// Give up waiting for a reply after this many seconds, and exit: UDP
    /// never says whether a datagram was lost, and a reply arriving later
    /// would be taken for the answer to the next command.
    #[arg(long, default_value_t = 15, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
}

fn main() -> ExitCode {
    cli::quiet_on_closed_pipe();
    cli::exit_code(match Args::parse().role {
        Role::Server(args) => serve(args),
        Role::Client(args) => client(args),
    })
}

// ------------------------------------------------------------------ server

/// How long a failing `recv_from` pauses the loop, so a persistent error
/// does not spin a core.
const RECV_ERROR_PAUSE: Duration = Duration::from_millis(100);

fn serve(args: ServerArgs) -> Result<(), Failure> {
    args.net.refuse_remote_unless(args.safety.allow_remote)?;
    // socket(AF_INET, SOCK_DGRAM) + bind()
    let socket = args.net.bind_udp()?;
    let shutdown = Stop::on_ctrl_c()?;
    shutdown.wake_udp_on_trigger(&socket)?;
    cli::announce_listening(socket.local_addr()?);
    log!(
        "each command: --timeout {} s, --max-output {} bytes; replies of at most {MAX_DATAGRAM} bytes",
        args.safety.timeout,
        args.safety.max_output
    );

    let socket = Arc::new(TracedUdp::new(socket, args.net.trace));
    let limits = args.safety.limits();
    // Commands running now. A command's place is free as soon as it has
    // ended, before its reply leaves, so a client that has its reply can
    // always run its next command.
    let running = Arc::new(AtomicUsize::new(0));
    let mut threads: Vec<JoinHandle<()>> = Vec::new();
    let (mut commands, mut busy) = (0u64, 0u64);
    let mut buf = vec![0; RECV_BUFFER];
    loop {
        // recvfrom(): one datagram is one command.
        let received = socket.recv_from(&mut buf);
        if shutdown.requested() {
            break;
        }
        let (n, peer) = match received {
            Ok(received) => received,
            Err(e) => {
                log!("receive failed: {}", cli::describe(&e));
                thread::sleep(RECV_ERROR_PAUSE);
                continue;
            }
        };
        threads.retain(|thread| !thread.is_finished());
        let now_running = running.load(Ordering::SeqCst);
        let command = buf[..n].to_vec();
        if command.is_empty() {
            log!("{peer} sent an empty datagram");
            answer(
                &socket,
                peer,
                b"(empty datagram: no command to run)\n".to_vec(),
            );
        } else if now_running >= args.max_running {
            busy += 1;
            log!("{peer} refused: {now_running} command(s) already running");
            let text = format!(
                "(server busy: {now_running} command(s) already running; try again later)\n"
            );
            answer(&socket, peer, text.into_bytes());
        } else {
            commands += 1;
            running.fetch_add(1, Ordering::SeqCst);
            let socket = Arc::clone(&socket);
            let slot = Arc::clone(&running);
            let spawned = thread::Builder::new()
                .name(format!("command for {peer}"))
                .spawn(move || {
                    let reply = run(&command, peer, &limits);
                    slot.fetch_sub(1, Ordering::SeqCst);
                    answer(&socket, peer, reply);
                });
            match spawned {
                Ok(handle) => threads.push(handle),
                Err(e) => {
                    running.fetch_sub(1, Ordering::SeqCst);
                    log!("{peer} dropped: cannot start a thread: {e}");
                }
            }
        }
    }
    // Each command ends within its --timeout: wait for their replies.
    for thread in threads {
        let _ = thread.join();
    }
    let refused = if busy > 0 {
        format!(", refused {busy} (busy)")
    } else {
        String::new()
    };
    log!("shutting down: ran {commands} command(s){refused}");
    Ok(())
}

/// `subprocess.Popen(cmd, shell=True, ...)`, safely; logs what happened and
/// returns the reply text.
fn run(command: &[u8], peer: SocketAddr, limits: &exec::CommandLimits) -> Vec<u8> {
    let shown = printable_text(command.trim_ascii());
    let shown = match shown.char_indices().nth(80) {
        Some((cut, _)) => format!("{}... ({} bytes)", &shown[..cut], command.len()),
        None => shown,
    };
    match exec::run_shell(command, limits) {
        Ok(outcome) => {
            let mut summary = format!("{}, {} bytes", outcome.termination, outcome.output.len());
            if outcome.truncated {
                summary.push_str(&format!(", cut ({} bytes dropped)", outcome.dropped));
            }
            if outcome.timed_out {
                summary.push_str(", killed after --timeout");
            }
            log!("{peer} ran `{shown}`: {summary}");
            outcome.reply()
        }
        Err(e) => {
            let why = cli::describe(&e);
            log!("{peer} could not run `{shown}`: {why}");
            format!("(cannot run the command: {why})\n").into_bytes()
        }
    }
}

/// sendto(): the reply, cut to one datagram if it must be.
fn answer(socket: &TracedUdp, peer: SocketAddr, reply: Vec<u8>) {
    let (datagram, dropped) = fit_datagram(reply, MAX_DATAGRAM);
    if dropped > 0 {
        log!("{peer} reply cut to {MAX_DATAGRAM} bytes: {dropped} bytes dropped");
    }
    if let Err(e) = socket.send_to(&datagram, peer) {
        log!("{peer} reply lost: {}", cli::describe(&e));
    }
}

// ------------------------------------------------------------------ client

fn client(args: ClientArgs) -> Result<(), Failure> {
    if let Some(command) = &args.command {
        check_command(command.trim()).map_err(Failure::usage)?;
    }
    let server = args.net.server_addr()?;
    let socket = udp::client_socket_for(server)?;
    // connect() on a UDP socket sends nothing: it fixes the peer, so the
    // kernel drops datagrams from anyone else and reports "port unreachable"
    // as a refused connection instead of a silent timeout.
    socket.connect(server)?;
    socket.set_read_timeout(Some(Duration::from_secs(args.timeout)))?;
    let socket = TracedUdp::new(socket, args.net.trace);

    if let Some(command) = &args.command {
        return exchange(&socket, server, command.trim(), &args);
    }
    let input = LineInput::stdin();
    loop {
        let command = match input.next(">>: ") {
            Line::Text(command) => command,
            Line::End | Line::Interrupted => return Ok(()),
        };
        if command.is_empty() {
            continue;
        }
        if command == "quit" {
            return Ok(());
        }
        if let Err(why) = check_command(&command) {
            eprintln!("error: {why}");
            continue;
        }
        exchange(&socket, server, &command, &args)?;
    }
}

fn check_command(command: &str) -> Result<(), String> {
    if command.is_empty() {
        return Err("nothing to run".into());
    }
    if command.len() > MAX_DATAGRAM {
        return Err(format!(
            "the command is {} bytes; one UDP datagram carries at most {MAX_DATAGRAM}",
            command.len()
        ));
    }
    Ok(())
}

/// sendto() one command, recvfrom(bufsize) its reply, print it.
fn exchange(
    socket: &TracedUdp,
    server: SocketAddr,
    command: &str,
    args: &ClientArgs,
) -> Result<(), Failure> {
    socket
        .send_to(command.as_bytes(), server)
        .map_err(|e| Failure::runtime(format!("cannot send to {server}: {}", cli::describe(&e))))?;
    let mut buf = vec![0; args.bufsize];
    let n = match socket.recv_from(&mut buf) {
        Ok((n, _)) => n,
        Err(e) => return Err(no_reply(&e, server, args.timeout)),
    };
    let reply = &buf[..n];
    let mut out = io::stdout().lock();
    out.write_all(reply)?;
    if !reply.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if n == args.bufsize {
        eprintln!("{}", buffer_full_warning(args.bufsize));
    }
    if reply == command.as_bytes() {
        // No command of this server prints itself back without a newline.
        eprintln!(
            "warning: the reply is the command itself, not its output: is another lesson's \
             server on port {}? (time_server, for one, answers a format without % with \
             the format as it is)",
            server.port()
        );
    }
    Ok(())
}

fn no_reply(e: &io::Error, server: SocketAddr, timeout: u64) -> Failure {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Failure::runtime(format!(
            "no reply from {server} within {timeout} s (UDP cannot tell a lost datagram \
             from a missing server)"
        )),
        io::ErrorKind::ConnectionRefused => Failure::runtime(format!(
            "no server at {server}: port unreachable; is the server running?"
        )),
        _ => Failure::runtime(format!("receive failed: {}", cli::describe(e))),
    }
}
