//! The command line of `rexec_udp`: a role (`server`, `client`) and its
//! options.

use clap::builder::RangedU64ValueParser;
use clap::{Parser, Subcommand};
use harness::cli::NetArgs;
use harness::exec::ExecArgs;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Lesson: remote commands over UDP (基于udp实现远程命令). One command per datagram, \
             one reply datagram: no sticky packets, but a datagram holds at most 65,507 bytes \
             and a short receive buffer loses the rest.",
    after_help = "Examples (two terminals):\n  \
        rexec_udp server                         # on 127.0.0.1:8080\n  \
        rexec_udp client                         # prompt >>:, `quit` ends\n  \
        rexec_udp client -c 'ls -l'              # one command, then exit\n  \
        rexec_udp client --bufsize 1024 -c 'seq 1 400'\n                                           \
        # the lesson's buffer: the reply is cut, with a warning\n  \
        rexec_udp client -c 'seq 1 100000'       # more than a datagram: cut by the server\n"
)]
pub struct Args {
    #[command(subcommand)]
    pub role: Role,
}

#[derive(Debug, Subcommand)]
pub enum Role {
    /// Remote commands over UDP, the server: runs each datagram as a
    /// command and answers with one datagram.
    #[command(after_help = "Example:\n  \
        rexec_udp server --timeout 5\n\n\
        Then, in a second terminal: rexec_udp client")]
    Server(ServerArgs),
    /// Remote commands over UDP, the client: sends commands (typed, piped,
    /// or one with -c) and prints each reply.
    #[command(after_help = "Example:\n  \
        rexec_udp client --bufsize 1024 -c 'seq 1 400'   # the lesson's buffer loses data\n\n\
        Start the server first, in another terminal: rexec_udp server")]
    Client(ClientArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    #[command(flatten)]
    pub net: NetArgs<8080>,

    #[command(flatten)]
    pub safety: ExecArgs,

    /// Most commands running at once; a datagram beyond that gets a "busy"
    /// reply.
    #[arg(long, default_value_t = 16,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub max_running: usize,
}

#[derive(Debug, clap::Args)]
pub struct ClientArgs {
    #[command(flatten)]
    pub net: NetArgs<8080>,

    /// Run this one command, print its output and exit.
    #[arg(short = 'c', long = "command", value_name = "CMD")]
    pub command: Option<String>,

    /// The receive buffer: recvfrom(BUFSIZE). The lesson's 1024 loses the
    /// end of any longer reply; 65536 holds any datagram.
    #[arg(long, default_value_t = rexec_udp::DEFAULT_BUFSIZE, value_name = "BYTES",
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=65_536))]
    pub bufsize: usize,

    /// Give up waiting for a reply after this many seconds, and exit: UDP
    /// never says whether a datagram was lost, and a reply arriving later
    /// would be taken for the answer to the next command.
    #[arg(long, default_value_t = 15, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}
