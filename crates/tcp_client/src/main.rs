//! Lesson 1, the client: send lines to the upper-case server, print replies.
//!
//! The Python lesson connects to 127.0.0.1:8080 and loops: read a line with
//! `input('>>: ')`, skip it if empty (the server cannot receive "nothing":
//! a `recv` that returns no bytes means the peer closed), `send` it, `recv`
//! the reply, print it. This binary does the same; `quit` ends.
//!
//! On a terminal it prompts with `>>: `; from a pipe it reads line by line
//! without prompts:
//!
//! ```text
//! printf 'hello\nquit\n' | tcp_client          # prints HELLO
//! tcp_client --message 'hello world'           # one message, one reply
//! ```

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use common::show::printable_text;
use common::trace::Traced;
use harness::cli::{self, Failure, NetArgs};
use harness::input::{Line, LineInput};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Lesson 1 (TCP), the client: sends each line to tcp_server and prints the \
             upper-cased reply. `quit` ends.",
    after_help = "Examples:\n  \
        tcp_client                              # interactive, prompt >>:\n  \
        printf 'hello\\nquit\\n' | tcp_client     # from a pipe: prints HELLO\n  \
        tcp_client --message 'hello'            # one message, print the reply, exit\n  \
        tcp_client --chat                       # talk to `tcp_server --chat`\n\n\
        Start the server first, in another terminal: tcp_server\n"
)]
struct Args {
    #[command(flatten)]
    net: NetArgs<8080>,

    /// Send this one message, print the reply and exit.
    #[arg(short, long)]
    message: Option<String>,

    /// Talk to `tcp_server --chat`: a reply is whatever one `recv` brings;
    /// `q`, from either side, ends the conversation.
    #[arg(long)]
    chat: bool,

    /// Give up on connecting, or on a reply, after this many seconds.
    #[arg(long, default_value_t = 10, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
}

fn main() -> ExitCode {
    cli::quiet_on_closed_pipe();
    cli::exit_code(run(Args::parse()))
}

fn run(args: Args) -> Result<(), Failure> {
    let message = args.message.as_deref().map(str::trim);
    if message == Some("") {
        return Err(Failure::usage(
            "nothing to send: the server would read an empty message as a close",
        ));
    }
    let timeout = Duration::from_secs(args.timeout);
    // socket() + connect()
    let stream = args.net.connect_tcp(timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    let mut conn = Traced::new(&stream, stream.peer_addr()?, args.net.trace);

    if let Some(message) = message {
        let reply = exchange(&mut conn, message, args.chat, timeout)?;
        print_reply(&reply);
        return Ok(());
    }

    let input = LineInput::stdin();
    loop {
        let message = match input.next(">>: ") {
            Line::Text(message) => message,
            Line::End | Line::Interrupted => return Ok(()),
        };
        if message.is_empty() {
            continue; // sending nothing would look like a close to the server
        }
        if message == "quit" {
            return Ok(());
        }
        if args.chat && message.eq_ignore_ascii_case("q") {
            // The chat's own goodbye (`Q` too, as the lesson's msg.lower()):
            // the server ends the conversation without a reply, so there is
            // nothing to wait for. It goes as `q`, the one the lesson's
            // server ends on (`ret == b'q'`).
            conn.write_all(b"q").map_err(|e| lost(&e, timeout))?;
            return Ok(());
        }
        let reply = exchange(&mut conn, &message, args.chat, timeout)?;
        print_reply(&reply);
        if args.chat && reply.trim_ascii().eq_ignore_ascii_case(b"q") {
            println!("(the server ended the conversation)");
            return Ok(());
        }
    }
}

/// Sends one message and reads its reply.
///
/// The upper-case server answers with exactly as many bytes as it received,
/// so the client reads until it has that many: one `recv` may bring only
/// part of a reply (TCP is a stream; see the sticky-packet lesson). A chat
/// partner's reply has no known length, so in chat mode one `recv` is the
/// reply, as in the lesson.
fn exchange(
    conn: &mut Traced<&TcpStream>,
    message: &str,
    chat: bool,
    timeout: Duration,
) -> Result<Vec<u8>, Failure> {
    conn.write_all(message.as_bytes())
        .map_err(|e| lost(&e, timeout))?;
    let expected = if chat { 1 } else { message.len() };
    let mut reply = Vec::with_capacity(expected);
    let mut buf = [0; 1024];
    while reply.len() < expected {
        let n = conn.read(&mut buf).map_err(|e| lost(&e, timeout))?;
        if n == 0 {
            if !reply.is_empty() {
                print_reply(&reply);
            }
            return Err(Failure::runtime("the server closed the connection"));
        }
        reply.extend_from_slice(&buf[..n]);
    }
    Ok(reply)
}

/// Prints a reply as one line: the line break a line-oriented server ends
/// it with (the refusal of a full server) is not shown as `\n`.
fn print_reply(reply: &[u8]) {
    let line = reply.strip_suffix(b"\n").unwrap_or(reply);
    println!(
        "{}",
        printable_text(line.strip_suffix(b"\r").unwrap_or(line))
    );
}

fn lost(e: &io::Error, timeout: Duration) -> Failure {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Failure::runtime(format!(
            "no reply from the server within {} s",
            timeout.as_secs()
        )),
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => {
            Failure::runtime("the server closed the connection")
        }
        _ => Failure::runtime(format!("connection lost: {}", cli::describe(e))),
    }
}
