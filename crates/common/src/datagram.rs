//! Datagram sizes: what one `sendto` can carry, and a buffer that holds it.

/// The largest UDP payload over IPv4: 65,535 bytes of IP packet, less the
/// 20-byte IP header and the 8-byte UDP header. A longer `sendto` fails
/// (EMSGSIZE on Linux, the lessons' WinError 10040 on Windows).
pub const MAX_DATAGRAM: usize = 65_507;

/// A receive buffer that holds any datagram whole. The lessons'
/// `recvfrom(1024)` silently loses the tail of a longer one.
pub const RECV_BUFFER: usize = 65_536;

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;

    #[test]
    fn the_largest_datagram_goes_through_and_one_more_byte_does_not() {
        let receiver = UdpSocket::bind("127.0.0.1:0").expect("free port");
        let to = receiver.local_addr().expect("bound");
        let sender = UdpSocket::bind("127.0.0.1:0").expect("free port");
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
