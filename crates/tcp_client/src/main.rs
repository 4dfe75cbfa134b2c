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

mod args;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use args::Args;
use clap::Parser;
use common::show::printable_text;
use common::trace::Traced;
use harness::cli::{self, Failure};
use harness::input::LineInput;

fn main() -> ExitCode {
    harness::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Failure> {
    let message = args.message.as_deref().map(str::trim);
    if message == Some("") {
        return Err(Failure::usage(
            "nothing to send: an empty message puts no bytes on the wire, so no reply would ever come",
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

    // while True: msg = input('>>: ').strip()
    for message in LineInput::stdin().until_quit(">>: ") {
        if message.is_empty() {
            continue; // send(b"") puts nothing on the wire: no reply would come
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
    Ok(())
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
        _ if cli::is_timeout(e) => Failure::runtime(format!(
            "no reply from the server within {} s",
            timeout.as_secs()
        )),
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => {
            Failure::runtime("the server closed the connection")
        }
        _ => Failure::runtime(format!("connection lost: {}", cli::describe(e))),
    }
}
