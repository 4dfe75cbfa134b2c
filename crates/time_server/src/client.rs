//! `time_server client`: ask a time server. Over UDP, `sendto` a strftime
//! format and wait for the answer; over TCP, connect and read the time the
//! server sends until it closes.

use std::io::Read;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::datagram::{MAX_DATAGRAM, RECV_BUFFER};
use common::show::printable_text;
use common::trace::{Traced, TracedUdp};
use harness::cli::{self, Failure, NetArgs};
use harness::input::LineInput;
use harness::udp::{self, recv_from_peer};
use time_server::{daytime_to_utc, render, zoned_to_utc, DEFAULT_FORMAT, ZONED_FORMAT};

use crate::args::ClientArgs;

/// The most a TCP client reads: a time is a few dozen bytes.
const MAX_TCP_MESSAGE: u64 = 64 * 1024;

pub fn udp_client(net: &NetArgs<8080>, args: &ClientArgs) -> Result<(), Failure> {
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

    // while True: msg = input('>>: ').strip()
    for format in LineInput::stdin().until_quit(">>: ") {
        // An empty line is sent as it is: an empty datagram is a real
        // message in UDP (in TCP, receiving nothing means "closed").
        match ask(&socket, server, &format, args.utc, timeout) {
            Ok(answer) => println!("{answer}"),
            Err(failure) if failure.code == 2 => println!("error: {failure}"),
            Err(failure) => return Err(failure),
        }
    }
    Ok(())
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

/// `recvfrom` until the server's datagram comes; datagrams from anyone
/// else are not the answer: they are reported and the wait goes on, up to
/// `timeout` in all.
fn receive_from(
    socket: &TracedUdp,
    server: SocketAddr,
    timeout: Duration,
) -> Result<Vec<u8>, Failure> {
    let mut buf = vec![0; RECV_BUFFER];
    let deadline = Instant::now() + timeout;
    let answer = recv_from_peer(socket, server, &mut buf, deadline, |other, from| {
        eprintln!("ignored {} bytes from {from}: not the server", other.len());
    })
    .map_err(|e| Failure::runtime(format!("receive failed: {}", cli::describe(&e))))?;
    match answer {
        Some(n) => Ok(buf[..n].to_vec()),
        None => Err(no_answer(server, timeout)),
    }
}

fn no_answer(server: SocketAddr, timeout: Duration) -> Failure {
    Failure::runtime(format!(
        "no answer from {server} within {} s; is the time server running?",
        timeout.as_secs()
    ))
}

/// The daytime client: connect, read until the server closes, print.
pub fn tcp_client(net: &NetArgs<8080>, args: &ClientArgs) -> Result<(), Failure> {
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
            if cli::is_timeout(&e) {
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
