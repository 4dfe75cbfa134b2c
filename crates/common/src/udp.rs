//! Datagram sizes, and the client's end of a UDP conversation.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

/// The largest UDP payload over IPv4: 65,535 bytes of IP packet, less the
/// 20-byte IP header and the 8-byte UDP header. A longer `sendto` fails
/// (EMSGSIZE on Linux, the lessons' WinError 10040 on Windows).
pub const MAX_DATAGRAM: usize = 65_507;

/// A receive buffer that holds any datagram whole. The lessons'
/// `recvfrom(1024)` silently loses the tail of a longer one.
pub const RECV_BUFFER: usize = 65_536;

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
    fn a_client_of_a_loopback_server_binds_loopback() {
        let server: SocketAddr = "127.0.0.1:9".parse().expect("literal");
        let socket = client_socket_for(server).expect("a free port");
        let local = socket.local_addr().expect("bound");
        assert!(local.ip().is_loopback() && local.port() != 0, "{local}");
    }

    #[test]
    fn the_largest_datagram_goes_through_and_one_more_byte_does_not() {
        let receiver = UdpSocket::bind("127.0.0.1:0").expect("free port");
        let to = receiver.local_addr().expect("bound");
        let sender = client_socket_for(to).expect("free port");
        assert_eq!(
            sender.send_to(&[7; MAX_DATAGRAM], to).expect("fits"),
            MAX_DATAGRAM
        );
        let mut buf = vec![0; RECV_BUFFER];
        assert_eq!(receiver.recv_from(&mut buf).expect("whole").0, MAX_DATAGRAM);
        assert!(
            sender.send_to(&[7; MAX_DATAGRAM + 1], to).is_err(),
            "EMSGSIZE"
        );
    }
}
