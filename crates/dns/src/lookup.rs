//! `dns lookup NAME`: what a browser really calls. Python's
//! `socket.getaddrinfo(name, port)` and Rust's `ToSocketAddrs` both call
//! the C library's `getaddrinfo`, the system resolver: it reads
//! `/etc/hosts`, asks the nameservers of `/etc/resolv.conf` (in the order
//! `/etc/nsswitch.conf` says), and sorts the addresses in the order a
//! client should try them (RFC 6724: usually IPv6 first when the machine
//! has IPv6). A client tries the first, and the next if that fails.

use std::net::{SocketAddr, ToSocketAddrs};

use harness::cli::Failure;

pub fn lookup(name: &str) -> Result<(), Failure> {
    // socket.getaddrinfo(name, 0): port 0, since only the addresses matter.
    let addrs: Vec<SocketAddr> = (name, 0)
        .to_socket_addrs()
        .map_err(|e| Failure::runtime(format!("cannot resolve '{name}': {e}")))?
        .collect();
    let Some(first) = addrs.first() else {
        return Err(Failure::runtime(format!("'{name}' has no address")));
    };
    let plural = if addrs.len() == 1 { "" } else { "es" };
    println!(
        "getaddrinfo(\"{name}\") returned {} address{plural}:",
        addrs.len()
    );
    for (i, addr) in addrs.iter().enumerate() {
        let family = if addr.is_ipv4() {
            "IPv4 (AF_INET)"
        } else {
            "IPv6 (AF_INET6)"
        };
        println!("  {}. {:<40} {family}", i + 1, addr.ip());
    }
    println!(
        "a client connecting to {name} tries {} first, then the next one if that fails",
        first.ip()
    );
    Ok(())
}
