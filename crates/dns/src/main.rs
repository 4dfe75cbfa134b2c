//! The DNS step of lesson 004: before a browser can open a TCP connection
//! to `www.example.test`, it needs the name's address. The lesson does it
//! with dnspython:
//!
//! ```text
//! A = dns.resolver.query(domain, 'A')
//! for answer in A.response.answer:
//!     for item in answer.items:
//!         print(item.address)
//! ```
//!
//! `dns query` is that call written by hand: build a DNS message (the
//! lesson of this crate, in `src/message.rs`), send it in one UDP datagram
//! to port 53 of a nameserver, wait for the answer (and ask again if none
//! comes), and if the answer says it was truncated (TC), ask again over
//! TCP, where each message carries a 2-byte length: the sticky-packet
//! lesson again, in a real protocol. `dns lookup` is what the browser
//! really calls, the system resolver (`getaddrinfo`); `dns server` is the
//! other end, a small authoritative server.
//!
//! Try it with two terminals:
//!
//! ```text
//! terminal 1:  printf 'www.example.test A 192.0.2.10\n' > /tmp/zone.txt
//!              cargo run -p dns -- server --zone /tmp/zone.txt
//! terminal 2:  cargo run -p dns -- query www.example.test --server 127.0.0.1:5353
//!              dig @127.0.0.1 -p 5353 www.example.test
//! ```

mod args;
mod lookup;
mod server;

use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use args::{Cli, QueryArgs, Role};
use clap::Parser;
use common::trace::TracedUdp;
use dns::message::{Message, Name, Record, MAX_UDP_MESSAGE};
use dns::resolv::{first_nameserver, DNS_PORT, RESOLV_CONF};
use dns::transport::{ask_tcp, ask_udp, Answer};
use harness::cli::Failure;

fn main() -> ExitCode {
    harness::main(|| run(Cli::parse()))
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.role {
        Role::Query(args) => query(&args),
        Role::Lookup { name } => lookup::lookup(&name),
        Role::Server(args) => server::server(&args),
    }
}

/// `dns.resolver.query(name, type)`, by hand.
fn query(args: &QueryArgs) -> Result<(), Failure> {
    let name: Name = args
        .name
        .parse()
        .map_err(|e| Failure::usage(format!("'{}' is not a DNS name: {e}", args.name)))?;
    let server = server_addr(args.server.as_deref())?;
    let timeout = Duration::from_secs_f64(args.timeout);

    // The question: a header with a random id, and one question.
    let query = Message::query(rand::random(), name, args.rtype);

    let answer = if args.tcp {
        ask_tcp(server, &query, timeout, args.trace).map(|a| (a, "TCP"))
    } else {
        // socket(AF_INET, SOCK_DGRAM); sendto(query, (server, 53)); recvfrom()
        let socket = harness::udp::client_socket_for(server)?;
        let socket = TracedUdp::new(socket, args.trace).whole();
        let tries = args.retries + 1;
        let answer = ask_udp(&socket, server, &query, timeout, tries, &mut |note| {
            eprintln!(";; {note}");
        })
        .map_err(Failure::runtime)?;
        if answer.reply.header.truncated {
            // The whole answer did not fit in one datagram: the same
            // question over TCP, each message after its 2-byte length.
            eprintln!(
                ";; truncated: the answer ({} bytes) has TC set, so the whole answer is \
                 longer than the {MAX_UDP_MESSAGE} bytes UDP may carry; asking again over \
                 TCP, where each message comes after its 2-byte length",
                answer.len
            );
            ask_tcp(server, &query, timeout, args.trace).map(|a| (a, "TCP"))
        } else {
            Ok((answer, "UDP"))
        }
    }
    .map_err(Failure::runtime)?;
    let (answer, proto) = answer;
    print!("{}", show_answer(&answer, server, proto, args.retries + 1));
    Ok(())
}

/// `--server ADDR:PORT`, `--server ADDR` (port 53), or the first
/// nameserver of /etc/resolv.conf.
fn server_addr(server: Option<&str>) -> Result<SocketAddr, Failure> {
    let Some(text) = server else {
        let conf = std::fs::read_to_string(RESOLV_CONF).unwrap_or_default();
        return first_nameserver(&conf).ok_or_else(|| {
            Failure::usage(format!(
                "no nameserver line in {RESOLV_CONF}; say which server: --server ADDR:PORT"
            ))
        });
    };
    if let Ok(ip) = text.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
        return Ok(SocketAddr::new(ip, DNS_PORT));
    }
    let addrs: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|e| Failure::usage(format!("--server {text}: {e} (write ADDR:PORT)")))?
        .collect();
    harness::udp::prefer_ipv4(&addrs)
        .ok_or_else(|| Failure::usage(format!("--server {text} has no address")))
}

/// The answer as dig prints it: the header, then each section that has
/// records, then where it came from.
fn show_answer(answer: &Answer, server: SocketAddr, proto: &str, tries: u32) -> String {
    let reply = &answer.reply;
    let h = &reply.header;
    let opcode = match h.opcode {
        0 => "QUERY".to_string(),
        n => format!("OPCODE{n}"),
    };
    let mut out = format!(
        ";; ->>HEADER<<- opcode: {opcode}, status: {}, id: {}\n\
         ;; flags: {}; QUERY: {}, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}\n",
        h.rcode(),
        h.id,
        h.flag_names(),
        reply.questions.len(),
        reply.answers.len(),
        reply.authorities.len(),
        reply.additionals.len()
    );
    if !reply.questions.is_empty() {
        out.push_str("\n;; QUESTION SECTION:\n");
        for q in &reply.questions {
            out.push_str(&format!(";{}\t\tIN\t{}\n", q.name, q.qtype));
        }
    }
    let sections: [(&str, &[Record]); 3] = [
        ("ANSWER", &reply.answers),
        ("AUTHORITY", &reply.authorities),
        ("ADDITIONAL", &reply.additionals),
    ];
    for (title, records) in sections {
        if !records.is_empty() {
            out.push_str(&format!("\n;; {title} SECTION:\n"));
            for record in records {
                out.push_str(&format!("{record}\n"));
            }
        }
    }
    let try_note = if proto == "UDP" {
        format!(", try {} of {tries}", answer.tries)
    } else {
        String::new()
    };
    out.push_str(&format!(
        "\n;; SERVER: {server} ({proto}), {} bytes{try_note}\n",
        answer.len
    ));
    out
}
