//! Step 2 of the DNS lesson: the lesson's `dns.resolver.query(domain, 'A')`
//! (seed 004, §DNS), by hand: a DNS query in one UDP datagram, one answer
//! back, the addresses printed as the lesson's loop prints `item.address`.
//!
//! The query is a 12-byte header (id, flags, four counts, big-endian) and
//! one question (the name as labels, `03 www 07 example 04 test 00`, then
//! type A = 1 and class IN = 1). The answer repeats the question, then
//! carries its records. Naive on purpose: one try, no timeout, names not
//! followed (`dns query` in src/ does all of that).
//!
//! ```text
//! terminal 1:  printf 'www.example.test A 192.0.2.10\n' > /tmp/zone.txt
//!              cargo run -p dns -- server --zone /tmp/zone.txt
//! terminal 2:  cargo run -p dns --example dns_2_query -- 5353 www.example.test   # [PORT] [NAME]
//! ```

use std::env;
use std::io;
use std::net::{Ipv4Addr, UdpSocket};

/// The question for `domain`'s A records, id 0x1234, recursion desired.
fn query(domain: &str) -> Vec<u8> {
    let mut msg = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in domain.trim_end_matches('.').split('.') {
        msg.push(label.len() as u8); // a label is at most 63 bytes
        msg.extend_from_slice(label.as_bytes());
    }
    msg.extend_from_slice(&[0, 0, 1, 0, 1]); // root, type A, class IN
    msg
}

/// The offset after the name at `pos`: labels up to a zero byte, or up to
/// a 2-byte compression pointer (not followed: only skipped).
fn skip_name(msg: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        let len = *msg.get(pos)?;
        match len {
            0 => return Some(pos + 1),
            0xc0.. => return Some(pos + 2),
            _ => pos += 1 + usize::from(len),
        }
    }
}

/// The A addresses of an answer; `None` if the bytes end too soon.
fn addresses(msg: &[u8]) -> Option<Vec<Ipv4Addr>> {
    let count = |at: usize| Some(u16::from_be_bytes([*msg.get(at)?, *msg.get(at + 1)?]));
    let answers = count(6)?;
    let mut pos = skip_name(msg, 12)? + 4; // the question, its type and class
    let mut found = Vec::new();
    for _ in 0..answers {
        pos = skip_name(msg, pos)?;
        let (rtype, len) = (count(pos)?, usize::from(count(pos + 8)?));
        let data = msg.get(pos + 10..pos + 10 + len)?;
        if let (1, Ok(octets)) = (rtype, <[u8; 4]>::try_from(data)) {
            found.push(Ipv4Addr::from(octets));
        }
        pos += 10 + len;
    }
    Some(found)
}

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(5353), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: dns_2_query [PORT] [NAME]"))?;
    let domain = env::args()
        .nth(2)
        .unwrap_or_else(|| "www.example.test".into());

    // socket(AF_INET, SOCK_DGRAM); sendto(query, (server, port))
    let udp = UdpSocket::bind(("127.0.0.1", 0))?;
    udp.send_to(&query(&domain), ("127.0.0.1", port))?;

    let mut answer = [0; 512]; // the most a UDP answer carries
    let (n, _server) = udp.recv_from(&mut answer)?;
    let answer = &answer[..n];
    if answer.get(2).is_some_and(|flags| flags & 0x02 != 0) {
        println!("truncated (TC): the whole answer needs TCP");
    }
    let found = addresses(answer).ok_or_else(|| io::Error::other("a cut answer"))?;
    for address in found {
        println!("{address}"); // for item in answer.items: print(item.address)
    }
    Ok(())
}
