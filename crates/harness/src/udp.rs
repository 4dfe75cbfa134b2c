//! The two waits of a UDP program: a server's `recvfrom()` until Ctrl-C,
//! and a client's wait for its peer's answer until a deadline; and the
//! client's socket.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::thread;
use std::time::Instant;

use common::trace::TracedUdp;

use crate::cli::{describe, is_timeout};
use crate::server::ERROR_PAUSE;
use crate::stop::Stop;

/// A server's `data, addr = s.recvfrom(bufsize)`, until Ctrl-C: the next
/// datagram, as `(n, addr)` with its bytes in `buf[..n]`, or `None` once
/// `stop` is triggered (its wake-up datagram ends the wait). A failed
/// receive is logged and retried after [`ERROR_PAUSE`], so a persistent
/// error does not spin a core.
pub fn next_datagram(
    socket: &TracedUdp,
    buf: &mut [u8],
    stop: &Stop,
) -> Option<(usize, SocketAddr)> {
    loop {
        let received = socket.recv_from(buf);
        if stop.requested() {
            return None;
        }
        match received {
            Ok(datagram) => return Some(datagram),
            Err(e) => {
                crate::log!("receive failed: {}", describe(&e));
                thread::sleep(ERROR_PAUSE);
            }
        }
    }
}

/// A client's wait for its answer: the next datagram from `peer`, as its
/// length `Some(n)` (bytes in `buf[..n]`), or `None` when `deadline` passes
/// first, or when the system reports `peer`'s port unreachable (an ICMP
/// error: nobody is there). A datagram from anyone else is no answer: it is
/// handed to `other`, and the wait goes on.
pub fn recv_from_peer(
    socket: &TracedUdp,
    peer: SocketAddr,
    buf: &mut [u8],
    deadline: Instant,
    mut other: impl FnMut(&[u8], SocketAddr),
) -> io::Result<Option<usize>> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        socket.socket().set_read_timeout(Some(left))?;
        match socket.recv_from(buf) {
            Ok((n, from)) if from == peer => return Ok(Some(n)),
            Ok((n, from)) => other(&buf[..n], from),
            Err(e) if is_timeout(&e) || is_unreachable(&e) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}

/// An ICMP "port unreachable" for an earlier datagram, reported by a later
/// `recv`: Linux says ECONNREFUSED, some systems ECONNRESET.
pub fn is_unreachable(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset
    )
}

/// The first IPv4 address of `addrs`, else the first address: `localhost`
/// resolves to `::1` and `127.0.0.1`, and the lessons' servers bind IPv4.
pub fn prefer_ipv4(addrs: &[SocketAddr]) -> Option<SocketAddr> {
    addrs
        .iter()
        .find(|addr| addr.is_ipv4())
        .or(addrs.first())
        .copied()
}

/// A client socket for talking to `server`: the lessons' `socket(AF_INET,
/// SOCK_DGRAM)`, bound to a free port as their first `sendto` does.
pub fn client_socket_for(server: SocketAddr) -> io::Result<UdpSocket> {
    UdpSocket::bind(client_side_for(server))
}

/// Where a client of `server` binds: a free port, of the server's address
/// family; on loopback for a server on this machine, so no other machine
/// can write to the client.
pub fn client_side_for(server: SocketAddr) -> SocketAddr {
    let loopback = server.ip().is_loopback();
    match server {
        SocketAddr::V4(_) if loopback => (Ipv4Addr::LOCALHOST, 0).into(),
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) if loopback => (Ipv6Addr::LOCALHOST, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_is_preferred_when_there_is_one() {
        let v6: SocketAddr = "[::1]:80".parse().expect("literal");
        let v4: SocketAddr = "127.0.0.1:80".parse().expect("literal");
        assert_eq!(prefer_ipv4(&[v6, v4]), Some(v4));
        assert_eq!(prefer_ipv4(&[v6]), Some(v6));
        assert_eq!(prefer_ipv4(&[]), None);
    }

    #[test]
    fn the_wait_for_a_peer_skips_others_and_ends_at_the_deadline() {
        let me = TracedUdp::new(UdpSocket::bind("127.0.0.1:0").expect("port"), false);
        let peer = UdpSocket::bind("127.0.0.1:0").expect("port");
        let stranger = UdpSocket::bind("127.0.0.1:0").expect("port");
        let to = me.socket().local_addr().expect("bound");
        stranger.send_to(b"not you", to).expect("send");
        peer.send_to(b"answer", to).expect("send");
        let mut buf = [0; 64];
        let mut others = Vec::new();
        let deadline = Instant::now() + std::time::Duration::from_secs(5);
        let peer_addr = peer.local_addr().expect("bound");
        let n = recv_from_peer(&me, peer_addr, &mut buf, deadline, |bytes, from| {
            others.push((bytes.to_vec(), from));
        })
        .expect("no error");
        assert_eq!(n.map(|n| &buf[..n]), Some(&b"answer"[..]));
        let stranger_addr = stranger.local_addr().expect("bound");
        assert_eq!(others, vec![(b"not you".to_vec(), stranger_addr)]);
        let soon = Instant::now() + std::time::Duration::from_millis(50);
        let none = recv_from_peer(&me, peer_addr, &mut buf, soon, |_, _| {}).expect("no error");
        assert_eq!(none, None, "nothing more came");
    }

    #[test]
    fn next_datagram_ends_on_stop() {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("port");
        let stop = Stop::new();
        stop.wake_udp_on_trigger(&socket).expect("local addr");
        let to = socket.local_addr().expect("bound");
        let socket = TracedUdp::new(socket, false);
        let client = UdpSocket::bind("127.0.0.1:0").expect("port");
        client.send_to(b"hi", to).expect("send");
        let mut buf = [0; 64];
        let (n, from) = next_datagram(&socket, &mut buf, &stop).expect("a datagram");
        assert_eq!(
            (&buf[..n], from),
            (&b"hi"[..], client.local_addr().expect("bound"))
        );
        stop.trigger();
        assert_eq!(next_datagram(&socket, &mut buf, &stop), None);
    }

    #[test]
    fn a_client_of_a_loopback_server_binds_loopback() {
        let server: SocketAddr = "127.0.0.1:9".parse().expect("literal");
        let socket = client_socket_for(server).expect("a free port");
        let local = socket.local_addr().expect("bound");
        assert!(local.ip().is_loopback() && local.port() != 0, "{local}");
    }
}
