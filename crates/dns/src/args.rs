//! The command line of `dns`: a role (`lookup`, `query`, `server`) and its
//! options.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use dns::message::RecordType;
use harness::cli::NetArgs;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "The DNS step of lesson 004 (域名解析): turn a host name into addresses with the \
             system resolver (lookup), ask a DNS server by hand over UDP and TCP (query), \
             or be a small authoritative server (server).",
    after_help = "Examples:\n  \
        dns lookup localhost                            # getaddrinfo, as socket.getaddrinfo\n  \
        dns server --zone zone.txt --port 5353          # serve a zone file on UDP and TCP\n  \
        dns query www.example.test --server 127.0.0.1:5353\n  \
        dns query example.test --type TXT --server 127.0.0.1:5353 --trace\n  \
        dns query example.com                           # the server of /etc/resolv.conf\n"
)]
pub struct Cli {
    #[command(subcommand)]
    pub role: Role,
}

#[derive(Debug, Subcommand)]
pub enum Role {
    /// Ask the system resolver (getaddrinfo, what Python's socket.getaddrinfo
    /// and a browser use): every address of NAME, in the order a client
    /// tries them.
    #[command(after_help = "Examples:\n  \
        dns lookup localhost\n  \
        dns lookup example.com\n\n\
        The system resolver reads /etc/hosts and asks the nameservers of\n\
        /etc/resolv.conf (as /etc/nsswitch.conf says). Exit codes: 0 resolved,\n\
        1 not resolved.\n")]
    Lookup {
        /// The host name (or an address, which resolves to itself).
        name: String,
    },

    /// Ask a DNS server one question, by hand: the lesson's
    /// dns.resolver.query(NAME, TYPE). Over UDP with a timeout and retries;
    /// a truncated answer (TC) is asked again over TCP.
    #[command(after_help = "Examples:\n  \
        dns query www.example.test --server 127.0.0.1:5353\n  \
        dns query example.test --type MX --server 127.0.0.1:5353\n  \
        dns query many.example.test --server 127.0.0.1:5353    # TC, then TCP\n  \
        dns query example.com --type AAAA --trace       # every byte, both ways\n\n\
        The answer is printed as dig prints it. Exit codes: 0 an answer came\n\
        (whatever its status: NXDOMAIN is an answer), 1 no answer, 2 usage error.\n")]
    Query(QueryArgs),

    /// Serve a zone file, authoritatively, on UDP and TCP on the same port.
    #[command(after_help = "Examples:\n  \
        dns server --zone zone.txt                # 127.0.0.1:5353, UDP and TCP\n  \
        dns server --zone zone.txt --port 0       # a free port\n\n\
        The zone file has one record a line, NAME TYPE VALUE; # starts a comment:\n  \
        www.example.test   A      192.0.2.10\n  \
        www.example.test.  AAAA   2001:db8::10\n  \
        web.example.test   CNAME  www.example.test\n  \
        example.test       MX     10 mail.example.test\n  \
        example.test       TXT    \"v=spf1 -all\" \"more text\"\n\n\
        A name under the zone's domain that the zone lacks is NXDOMAIN; a name\n\
        outside it is REFUSED. A UDP answer over 512 bytes is truncated (TC);\n\
        over TCP it is whole. Ctrl-C stops the server.\n",
        mut_arg("trace", |trace| trace.help(
            "Print every send and receive to stderr: direction, peer, byte count \
             and a hex + ASCII dump of every byte"
        )))]
    Server(ServerArgs),
}

#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// The name to ask about, e.g. www.example.test (a trailing dot is allowed).
    pub name: String,

    /// The record type: A, AAAA, CNAME, MX, TXT, NS (or TYPEnn).
    #[arg(long = "type", short = 't', value_name = "TYPE", default_value = "A", value_parser = parse_type)]
    pub rtype: RecordType,

    /// The server, ADDR:PORT or ADDR (port 53); default: the first
    /// nameserver of /etc/resolv.conf.
    #[arg(long, short = 's', value_name = "ADDR:PORT")]
    pub server: Option<String>,

    /// Seconds to wait for each answer.
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS",
          value_parser = parse_timeout)]
    pub timeout: f64,

    /// How many times to ask again over UDP when no answer comes.
    #[arg(long, default_value_t = 2, value_name = "N",
          value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,

    /// Ask over TCP from the start.
    #[arg(long)]
    pub tcp: bool,

    /// Print every send and receive to stderr: direction, peer, byte count
    /// and a hex + ASCII dump of every byte.
    #[arg(long)]
    pub trace: bool,
}

#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    #[command(flatten)]
    pub net: NetArgs<5353>,

    /// The zone file: one record a line, NAME TYPE VALUE.
    #[arg(long, value_name = "FILE")]
    pub zone: PathBuf,
}

fn parse_type(text: &str) -> Result<RecordType, String> {
    text.parse()
}

fn parse_timeout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.01..=60.0).contains(&s) => Ok(s),
        _ => Err(format!(
            "'{text}' is not a number of seconds from 0.01 to 60"
        )),
    }
}
