//! Where the system sends its DNS questions: the `nameserver` lines of
//! `/etc/resolv.conf` (man 5 resolv.conf). The system resolver tries them
//! in order; `dns query` asks the first, as `dig` does.

use std::net::{IpAddr, SocketAddr};

/// The system's resolver configuration.
pub const RESOLV_CONF: &str = "/etc/resolv.conf";

/// The DNS port.
pub const DNS_PORT: u16 = 53;

/// The first `nameserver ADDR` of a resolv.conf's text, on port 53. A
/// `%zone` after an IPv6 address is dropped (it names an interface);
/// comments start with `#` or `;`.
pub fn first_nameserver(text: &str) -> Option<SocketAddr> {
    text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        if words.next()? != "nameserver" {
            return None;
        }
        let addr = words.next()?;
        let addr = addr.split('%').next()?;
        let ip: IpAddr = addr.parse().ok()?;
        Some(SocketAddr::new(ip, DNS_PORT))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_nameserver_line_wins() {
        let text =
            "# generated\nsearch example.test\n; old\nnameserver 10.0.0.53\nnameserver 10.0.0.54\n";
        assert_eq!(
            first_nameserver(text),
            Some("10.0.0.53:53".parse().expect("addr"))
        );
        assert_eq!(
            first_nameserver("nameserver fe80::1%eth0\n"),
            Some("[fe80::1]:53".parse().expect("addr"))
        );
        assert_eq!(
            first_nameserver("nameserver nonsense\nnameserver ::1"),
            Some("[::1]:53".parse().expect("addr"))
        );
        assert_eq!(
            first_nameserver("#nameserver 1.1.1.1\noptions edns0\n"),
            None
        );
    }
}
