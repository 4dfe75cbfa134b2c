//! The command line of `tcp_server`.

use std::time::Duration;

use clap::{Parser, ValueEnum};
use harness::cli::NetArgs;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Lesson 1 (TCP), the server: answers every message upper-cased, like the \
             Python lesson's `conn.send(data.upper())`.",
    after_help = "Examples:\n  \
        tcp_server                      # threaded, on 127.0.0.1:8080\n  \
        tcp_server --mode iterative     # one client at a time, the others wait\n  \
        tcp_server --chat               # you type each reply; q ends the conversation\n  \
        tcp_server --port 0 --trace     # any free port; dump every send and receive\n\n\
        Then, in a second terminal: tcp_client --port PORT\n"
)]
pub struct Args {
    #[command(flatten)]
    pub net: NetArgs<8080>,

    /// How clients are served.
    #[arg(long, value_enum, default_value_t = Mode::Threaded)]
    pub mode: Mode,

    /// Most clients served at once in threaded mode; one more is refused
    /// with a one-line message.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_clients: u32,

    /// Chat: print each message and send back a line typed here (one
    /// client at a time; `q` ends the conversation).
    #[arg(long, conflicts_with = "mode")]
    pub chat: bool,

    /// Close a connection that sends nothing for this many seconds
    /// (0: wait forever, as the lesson does).
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub idle_timeout: u64,

    /// Log every message received, not only connections.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// A thread per client (socketserver.ThreadingTCPServer).
    Threaded,
    /// One client at a time; the next waits in the backlog.
    Iterative,
}

/// What every connection needs to know.
#[derive(Debug, Clone)]
pub struct Settings {
    pub idle_timeout: Option<Duration>,
    pub trace: bool,
    pub verbose: bool,
}

impl Settings {
    pub fn of(args: &Args) -> Self {
        Settings {
            idle_timeout: (args.idle_timeout > 0).then(|| Duration::from_secs(args.idle_timeout)),
            trace: args.net.trace,
            verbose: args.verbose,
        }
    }
}
