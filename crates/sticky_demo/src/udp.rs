//! `--mode udp`: the same messages as datagrams (9.1, point 4). Each
//! `sendto` is one datagram and each `recvfrom` takes exactly one, so
//! nothing sticks; but a datagram larger than the buffer loses its tail.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use common::datagram::RECV_BUFFER;
use common::trace::TracedUdp;
use harness::cli::Failure;
use harness::log;
use harness::stop::Stop;
use harness::udp::client_socket_for;

use crate::args::{Case, ClientArgs, Mode, ServerArgs};
use crate::record::Received;
use crate::{receive_failure, report};

/// `sticky_demo server --mode udp`: receives one exchange, prints it, exits.
pub fn serve(args: &ServerArgs) -> Result<(), Failure> {
    let case = args.exchange.case;
    // udp_server = socket(AF_INET, SOCK_DGRAM); udp_server.bind(ip_port)
    let (socket, stop) = args.net.listen_udp()?;
    log!(
        "waiting for the datagrams of `{}`",
        args.exchange.client_command()
    );
    let socket = TracedUdp::new(socket, args.net.trace);
    let timeout = Duration::from_secs(args.exchange.timeout);
    let mut got = Vec::new();
    let outcome = receive(&socket, case, timeout, &stop, &mut got);
    report::print_receiver(Mode::Udp, case, &got);
    outcome
}

/// `sticky_demo client --mode udp`: sends one exchange, prints it.
pub fn send(args: &ClientArgs) -> Result<(), Failure> {
    let case = args.exchange.case;
    let to = args.net.addrs()?[0];
    // udp_client = socket(AF_INET, SOCK_DGRAM)
    let socket = TracedUdp::new(client_socket_for(to)?, args.net.trace);
    let sent = send_to(&socket, to, case)?;
    report::print_sender(Mode::Udp, case, &sent);
    Ok(())
}

/// The lesson's client over UDP: one `sendto` per message.
pub fn send_to(socket: &TracedUdp, to: SocketAddr, case: Case) -> io::Result<Vec<&'static [u8]>> {
    let mut sent = Vec::new();
    for &message in case.messages() {
        socket.send_to(message, to)?; // udp_client.sendto(msg, ip_port)
        sent.push(message);
    }
    Ok(sent)
}

/// The lesson's server over UDP: one `recvfrom` of each of the case's
/// sizes. Each datagram's real size is learnt first with `MSG_PEEK`, so the
/// table can say how much a short buffer lost. The first datagram is
/// awaited as long as the socket's timeout says; the others for `timeout`.
pub fn receive(
    socket: &TracedUdp,
    case: Case,
    timeout: Duration,
    stop: &Stop,
    got: &mut Vec<Received>,
) -> Result<(), Failure> {
    let mut whole = vec![0; RECV_BUFFER]; // enough to learn any datagram's real size
    let sizes = case.recv_sizes();
    // Case 2 sends one datagram: the first recvfrom takes it, and the
    // others find nothing of it left.
    let datagrams = if case == Case::Two { 1 } else { sizes.len() };
    for &size in &sizes[..datagrams] {
        // A signal interrupts a wait on a socket with a timeout (EINTR, even
        // with SA_RESTART): wait again, for the datagram or for the empty one
        // the stop sends.
        let peeked = loop {
            match socket.socket().peek_from(&mut whole) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let (datagram, _) = peeked.map_err(|e| wait_failure(&e, timeout))?;
        if stop.requested() {
            got.push(Received::Stopped);
            return Ok(());
        }
        let mut buf = vec![0; size];
        // data, addr = udp_server.recvfrom(buffer_size)
        let (n, _) = socket.recv_from(&mut buf)?;
        socket.socket().set_read_timeout(Some(timeout))?;
        got.push(Received::RecvFrom {
            size,
            bytes: buf[..n].to_vec(),
            datagram,
        });
    }
    if let Some(&size) = sizes.get(datagrams) {
        socket.socket().set_nonblocking(true)?;
        let waiting = socket.socket().peek_from(&mut whole);
        socket.socket().set_nonblocking(false)?;
        let datagram = match waiting {
            Ok((n, _)) => Some(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => None,
            Err(e) => return Err(e.into()),
        };
        got.push(Received::Waiting { size, datagram });
    }
    Ok(())
}

fn wait_failure(e: &io::Error, timeout: Duration) -> Failure {
    let secs = timeout.as_secs();
    receive_failure(
        e,
        format!("no further datagram came within {secs} s (--timeout)"),
    )
}
