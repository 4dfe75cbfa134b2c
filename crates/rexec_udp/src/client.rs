//! `rexec_udp client`: for each command one `sendto`, and its answer in one
//! `recvfrom(bufsize)`: a datagram arrives whole or not at all, but what
//! does not fit the buffer is lost.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::Duration;

use common::datagram::MAX_DATAGRAM;
use common::trace::TracedUdp;
use harness::cli::{self, Failure};
use harness::input::LineInput;
use harness::udp;
use rexec_udp::buffer_full_warning;

use crate::args::ClientArgs;

pub fn client(args: ClientArgs) -> Result<(), Failure> {
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
    // while True: cmd = input('>>: ').strip()
    for command in LineInput::stdin().until_quit(">>: ") {
        if command.is_empty() {
            continue;
        }
        if let Err(why) = check_command(&command) {
            eprintln!("error: {why}");
            continue;
        }
        exchange(&socket, server, &command, &args)?;
    }
    Ok(())
}

/// Sends one command and prints its reply.
fn exchange(
    socket: &TracedUdp,
    server: SocketAddr,
    command: &str,
    args: &ClientArgs,
) -> Result<(), Failure> {
    // udp_client.sendto(cmd.encode('utf-8'), ip_port): one datagram
    socket
        .send_to(command.as_bytes(), server)
        .map_err(|e| Failure::runtime(format!("cannot send to {server}: {}", cli::describe(&e))))?;
    // cmd_res, addr = udp_client.recvfrom(bufsize): the rest of a longer reply is lost
    let mut buf = vec![0; args.bufsize];
    let n = match socket.recv_from(&mut buf) {
        Ok((n, _)) => n,
        Err(e) => return Err(no_reply(&e, server, args.timeout)),
    };
    print_reply(&buf[..n])?;
    if n == args.bufsize {
        eprintln!("{}", buffer_full_warning(args.bufsize));
    }
    if &buf[..n] == command.as_bytes() {
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

/// A command that fits in one datagram.
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

/// The reply as it came (it need not be UTF-8), ending with a newline.
fn print_reply(reply: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(reply)?;
    if !reply.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.flush()
}

fn no_reply(e: &io::Error, server: SocketAddr, timeout: u64) -> Failure {
    let message = if cli::is_timeout(e) {
        format!(
            "no reply from {server} within {timeout} s (UDP cannot tell a lost datagram \
             from a missing server)"
        )
    } else if e.kind() == io::ErrorKind::ConnectionRefused {
        format!("no server at {server}: port unreachable; is the server running?")
    } else {
        format!("receive failed: {}", cli::describe(e))
    };
    Failure::runtime(message)
}
