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

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use common::datagram::{MAX_DATAGRAM, RECV_BUFFER};
use common::show::count;
use common::show::printable_text;
use common::trace::{Traced, TracedUdp};
use harness::cli::{self, Failure, NetArgs};
use harness::input::{Line, LineInput};
use harness::log;
use harness::stop::Stop;
use harness::udp;
use time_server::{daytime_to_utc, render, zoned_to_utc, Zone, DEFAULT_FORMAT, ZONED_FORMAT};

/// How long an `accept()` or `recv_from()` error pauses the server, so a
/// persistent error does not spin a core.
const ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The most a TCP client reads: a time is a few dozen bytes.
const MAX_TCP_MESSAGE: u64 = 64 * 1024;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "The time-server lesson (时间服务器): a UDP server answers each strftime format \
             with its local time; --proto tcp is the daytime server that sends \
             str(datetime.now()) and closes.",
    after_help = "Examples:\n  \
        time_server server                        # UDP on 127.0.0.1:8080\n  \
        time_server client --format '%H:%M:%S'    # one question, one answer\n  \
        time_server client                        # one format per line; an empty line = %Y-%m-%d %X\n  \
        time_server server --proto tcp            # the TCP daytime server\n  \
        time_server client --proto tcp            # prints e.g. 2023-04-19 17:04:30.293444\n\n\
        --host, --port and --trace go before or after the role.\n"
)]
struct Cli {
    #[command(flatten)]
    net: NetArgs<8080>,

    #[command(subcommand)]
    role: Role,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// Tell the time: over UDP, each datagram is a strftime format and gets
    /// the time in that format; over TCP, each connection gets the time.
    #[command(after_help = "Examples:\n  \
        time_server server                  # UDP on 127.0.0.1:8080, local time\n  \
        time_server server --utc --port 0   # UTC, on a free port\n  \
        time_server server --proto tcp      # send str(datetime.now()) and close\n\n\
        A bad format (%Q, a lone %, a reply too long for a datagram) is answered\n\
        with a datagram starting `error:`; the server keeps serving. Ctrl-C stops it.\n")]
    Server(ServerArgs),

    /// Ask a time server: once with --format, otherwise one format per line
    /// (a prompt on a terminal, line by line from a pipe; `quit` ends).
    #[command(after_help = "Examples:\n  \
        time_server client --format '%Y年%m月%d日 %X'\n  \
        printf '%%H:%%M\\n\\nquit\\n' | time_server client   # two answers\n  \
        time_server client --utc                  # the time in UTC, whatever the server's zone\n  \
        time_server client --proto tcp            # the daytime server\n\n\
        Exit codes: 0 answered, 1 no answer within --timeout (or an error reply to\n\
        --format), 2 usage error.\n")]
    Client(ClientArgs),
}

#[derive(Debug, clap::Args)]
struct ServerArgs {
    /// udp: answer strftime formats (the lesson's 时间服务器); tcp: send
    /// the time to each connection and close it (the daytime server).
    #[arg(long, value_enum, default_value_t = Proto::Udp)]
    proto: Proto,

    /// Tell the time in UTC rather than this machine's local time (over
    /// TCP the message then ends in +00:00, as Python's
    /// str(datetime.now(timezone.utc)) does).
    #[arg(long)]
    utc: bool,
}

#[derive(Debug, clap::Args)]
struct ClientArgs {
    /// udp: send a strftime format, read the answer; tcp: connect and read
    /// the time the server sends.
    #[arg(long, value_enum, default_value_t = Proto::Udp)]
    proto: Proto,

    /// Ask once with this strftime format, print the answer, exit ("" asks
    /// for the server's default, %Y-%m-%d %X). UDP only.
    #[arg(short, long, value_name = "FORMAT", allow_hyphen_values = true)]
    format: Option<String>,

    /// Show the time in UTC, whatever zone the server is in. Over UDP the
    /// client asks for the time with its offset ('%Y-%m-%d %H:%M:%S %z',
    /// which the lesson's server answers too) and applies your format
    /// itself; over TCP it converts the server's message, which must carry
    /// its offset (`time_server server --proto tcp --utc`).
    #[arg(long)]
    utc: bool,

    /// Give up on an answer after this many seconds.
    #[arg(long, default_value_t = 3, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Proto {
    Udp,
    Tcp,
}

fn main() -> ExitCode {
    cli::quiet_on_closed_pipe();
    cli::exit_code(run(Cli::parse()))
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
            Proto::Udp => udp_client(&cli.net, &args),
            Proto::Tcp => tcp_client(&cli.net, &args),
        },
    }
}

// ------------------------------------------------------------ UDP server

/// The lesson's loop: `recvfrom`, `strftime`, `sendto` the answer back to
/// the address the datagram came from.
fn udp_server(net: &NetArgs<8080>, zone: Zone) -> Result<(), Failure> {
    // socket(AF_INET, SOCK_DGRAM) + bind(): no listen(), no accept()
    let socket = net.bind_udp()?;
    let shutdown = Stop::on_ctrl_c()?;
    shutdown.wake_udp_on_trigger(&socket)?;
    cli::announce_listening(socket.local_addr()?);
    let socket = TracedUdp::new(socket, net.trace);

    let mut buf = vec![0; RECV_BUFFER];
    let (mut answered, mut refused) = (0u64, 0u64);
    loop {
        let received = socket.recv_from(&mut buf);
        if shutdown.requested() {
            break; // woken by Ctrl-C's empty datagram
        }
        let (n, peer) = match received {
            Ok(received) => received,
            Err(e) => {
                log!("receive failed: {}", cli::describe(&e));
                thread::sleep(ERROR_PAUSE);
                continue;
            }
        };
        let request = &buf[..n];
        let reply = zone.answer(request).unwrap_or_else(|e| {
            refused += 1;
            format!("error: {e}")
        });
        log!(
            "{peer} asked {}: {}",
            describe_request(request),
            preview(reply.as_bytes())
        );
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
        format!("for '{}'", preview(request))
    }
}

/// Network bytes for a log line: printable, and cut short when long.
fn preview(bytes: &[u8]) -> String {
    const SHOWN: usize = 100;
    let text = printable_text(bytes);
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}... ({} bytes)", &text[..cut], bytes.len()),
        None => text,
    }
}

// ------------------------------------------------------------ TCP server

/// The daytime server: accept, write the time, close; one client after
/// another, since each is served in one write.
fn tcp_server(net: &NetArgs<8080>, zone: Zone) -> Result<(), Failure> {
    let listener = net.bind_tcp()?;
    let shutdown = Stop::on_ctrl_c()?;
    shutdown.wake_on_trigger(&listener)?;
    cli::announce_listening(listener.local_addr()?);

    let mut served = 0u64;
    for incoming in listener.incoming() {
        if shutdown.requested() {
            break;
        }
        match incoming {
            Ok(stream) => match send_time(&stream, zone, net.trace) {
                Ok(()) => served += 1,
                Err(e) => log!("a client was not served: {}", cli::describe(&e)),
            },
            Err(e) => {
                log!("accept failed: {}", cli::describe(&e));
                thread::sleep(ERROR_PAUSE);
            }
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
fn send_time(stream: &TcpStream, zone: Zone, trace: bool) -> io::Result<()> {
    let peer = stream.peer_addr()?;
    // A few dozen bytes always fit in the socket's send buffer; the timeout
    // only guards against the impossible.
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let now = zone.daytime();
    Traced::new(stream, peer, trace).write_all(now.as_bytes())?;
    log!("{peer} connected; sent {now}");
    Ok(())
}

// ------------------------------------------------------------ UDP client

fn udp_client(net: &NetArgs<8080>, args: &ClientArgs) -> Result<(), Failure> {
    let server = net.server_addr()?;
    let timeout = Duration::from_secs(args.timeout);
    // The lesson's socket(AF_INET, SOCK_DGRAM); binding port 0 is what its
    // first sendto() does implicitly.
    let socket = udp::client_socket_for(server)?;
    let socket = TracedUdp::new(socket, net.trace);

    if let Some(format) = &args.format {
        let answer = ask(&socket, server, format, args.utc, timeout)?;
        if answer.starts_with("error:") && !format.starts_with("error:") {
            let reason = answer.trim_start_matches("error:").trim();
            return Err(Failure::runtime(format!(
                "the server could not use the format: {reason}"
            )));
        }
        println!("{answer}");
        return Ok(());
    }

    let input = LineInput::stdin();
    loop {
        let format = match input.next(">>: ") {
            Line::Text(format) => format,
            Line::End | Line::Interrupted => return Ok(()),
        };
        if format == "quit" {
            return Ok(());
        }
        // An empty line is sent as it is: an empty datagram is a real
        // message in UDP (in TCP, receiving nothing means "closed").
        match ask(&socket, server, &format, args.utc, timeout) {
            Ok(answer) => println!("{answer}"),
            Err(failure) if failure.code == 2 => println!("error: {failure}"),
            Err(failure) => return Err(failure),
        }
    }
}

/// One question and its answer: `sendto(format)`, then `recvfrom` until the
/// server's datagram comes or `timeout` passes.
fn ask(
    socket: &TracedUdp,
    server: SocketAddr,
    format: &str,
    utc: bool,
    timeout: Duration,
) -> Result<String, Failure> {
    if utc {
        // The format is ours to apply: check it before bothering the server.
        render(format_or_default(format), &chrono::Utc::now(), MAX_DATAGRAM)
            .map_err(|e| Failure::usage(e.to_string()))?;
    }
    let request = if utc { ZONED_FORMAT } else { format };
    if request.len() > MAX_DATAGRAM {
        return Err(Failure::usage(format!(
            "a format of {} bytes does not fit in one datagram ({MAX_DATAGRAM} bytes at most)",
            request.len()
        )));
    }
    socket
        .send_to(request.as_bytes(), server)
        .map_err(|e| Failure::runtime(format!("cannot send to {server}: {}", cli::describe(&e))))?;
    let reply = receive_from(socket, server, timeout)?;
    let reply = printable_text(&reply);
    if utc {
        zoned_to_utc(&reply, format_or_default(format)).map_err(Failure::runtime)
    } else {
        Ok(reply)
    }
}

fn format_or_default(format: &str) -> &str {
    if format.is_empty() {
        DEFAULT_FORMAT
    } else {
        format
    }
}

/// Waits for a datagram from `server`. Datagrams from anyone else are not
/// the answer: they are reported and the wait goes on, up to `timeout` in
/// all.
fn receive_from(
    socket: &TracedUdp,
    server: SocketAddr,
    timeout: Duration,
) -> Result<Vec<u8>, Failure> {
    let deadline = Instant::now() + timeout;
    let mut buf = vec![0; RECV_BUFFER];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(no_answer(server, timeout));
        }
        socket.socket().set_read_timeout(Some(left))?;
        match socket.recv_from(&mut buf) {
            Ok((n, from)) if from == server => return Ok(buf[..n].to_vec()),
            Ok((n, from)) => eprintln!("ignored {n} bytes from {from}: not the server"),
            Err(e) if is_timeout(&e) => return Err(no_answer(server, timeout)),
            // Some systems report an earlier "port unreachable" here.
            Err(e)
                if e.kind() == io::ErrorKind::ConnectionRefused
                    || e.kind() == io::ErrorKind::ConnectionReset =>
            {
                return Err(no_answer(server, timeout))
            }
            Err(e) => {
                return Err(Failure::runtime(format!(
                    "receive failed: {}",
                    cli::describe(&e)
                )))
            }
        }
    }
}

fn no_answer(server: SocketAddr, timeout: Duration) -> Failure {
    Failure::runtime(format!(
        "no answer from {server} within {} s; is the time server running?",
        timeout.as_secs()
    ))
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

// ------------------------------------------------------------ TCP client

/// The daytime client: connect, read until the server closes, print.
fn tcp_client(net: &NetArgs<8080>, args: &ClientArgs) -> Result<(), Failure> {
    if args.format.is_some() {
        return Err(Failure::usage(
            "--format needs --proto udp: the TCP time server reads nothing, it sends \
             its time as soon as you connect",
        ));
    }
    let timeout = Duration::from_secs(args.timeout);
    let stream = net.connect_tcp(timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    let peer = stream.peer_addr()?;

    // The lesson reads one recv(1024); a stream may deliver the time in
    // pieces, so read until the server closes, which is its "done".
    let mut message = Vec::new();
    Traced::new(&stream, peer, net.trace)
        .take(MAX_TCP_MESSAGE + 1)
        .read_to_end(&mut message)
        .map_err(|e| {
            if is_timeout(&e) {
                Failure::runtime(format!(
                    "the server at {peer} sent no complete time within {} s",
                    timeout.as_secs()
                ))
            } else {
                Failure::runtime(format!("connection lost: {}", cli::describe(&e)))
            }
        })?;
    if message.is_empty() {
        return Err(Failure::runtime(format!(
            "{peer} closed without sending a time"
        )));
    }
    if message.len() as u64 > MAX_TCP_MESSAGE {
        return Err(Failure::runtime(format!(
            "{peer} sent more than {MAX_TCP_MESSAGE} bytes: not a time server?"
        )));
    }
    let message = printable_text(&message);
    if args.utc {
        println!("{}", daytime_to_utc(&message).map_err(Failure::runtime)?);
    } else {
        println!("{message}");
    }
    Ok(())
}
