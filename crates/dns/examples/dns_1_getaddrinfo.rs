//! Step 1 of the DNS lesson: the browser's step 2, 「浏览器把主机名转换为IP地址」
//! (seed 004, §DNS), as the browser really does it: it asks the system
//! resolver, `getaddrinfo`, the call behind Python's `socket.getaddrinfo`.
//!
//! The system resolver reads /etc/hosts, then asks the nameservers of
//! /etc/resolv.conf; it returns every address, in the order a client should
//! try them.
//!
//! ```text
//! cargo run -p dns --example dns_1_getaddrinfo              # [NAME]: localhost
//! cargo run -p dns --example dns_1_getaddrinfo -- example.com
//! ```

use std::env;
use std::io;
use std::net::ToSocketAddrs;

fn main() -> io::Result<()> {
    let domain = env::args().nth(1).unwrap_or_else(|| "localhost".into());

    // socket.getaddrinfo(domain, 0): port 0, only the addresses matter.
    for addr in (domain.as_str(), 0).to_socket_addrs()? {
        println!("{}", addr.ip()); // print(item.address)
    }
    Ok(())
}
