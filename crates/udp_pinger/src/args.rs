//! The command line of `udp_pinger`: one role per subcommand, as the lab has
//! one program per role (`UDPPingerServer.py`, `UDPPinger.py`).

use std::time::Duration;

use clap::{Parser, Subcommand};
use harness::cli::NetArgs;
use udp_pinger::loss;
use udp_pinger::{parse_positive_seconds, parse_seconds};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "The UDP pinger lab: a server that answers pings upper-cased and loses some \
             on purpose, a ping client with ping's statistics, and the heartbeat exercise.",
    after_help = "Examples (two terminals):\n  \
        udp_pinger server --drop-every 3        # the lab's server: no reply when num % 3 == 1\n  \
        udp_pinger client --count 9             # the lab's client: 9 pings, 1 s timeout\n\n  \
        udp_pinger server --heartbeat --gone-after 3\n  \
        udp_pinger heartbeat --count 5\n\n\
        `udp_pinger ROLE --help` describes each role.\n"
)]
pub struct Cli {
    #[command(subcommand)]
    pub role: Role,
}

#[derive(Debug, Subcommand)]
pub enum Role {
    /// Answer every ping upper-cased, losing some on purpose.
    #[command(
        long_about = "The UDP pinger lab, the server: answers every ping upper-cased (the \
                      lab's `message = message.upper()`), and loses some on \
                      purpose (the lab's `if num % 3 == 1: continue` is --drop-every 3).",
        after_help = "Examples:\n  \
        udp_pinger server                          # answer everything, on 127.0.0.1:12000\n  \
        udp_pinger server --drop-every 3           # the lab: no reply when num % 3 == 1\n  \
        udp_pinger server --loss 0.3 --seed 9      # lose 30% at random, the same pings each run\n  \
        udp_pinger server --delay-ms 1500          # every reply 1.5 s late\n  \
        udp_pinger server --heartbeat --interval 1 --gone-after 3\n\n\
        Then, in a second terminal: udp_pinger client --port PORT\n\
        Ctrl-C stops the server with a one-line summary.\n"
    )]
    Server(ServerArgs),

    /// Send pings and print each round-trip time, then ping's statistics.
    #[command(
        long_about = "The UDP pinger lab, the client: sends `Ping <seq> <time>` datagrams, \
                      prints each reply's round-trip time or `Request timed out`, and ends with \
                      ping's statistics. Replies are matched by sequence number, so a late or \
                      duplicate reply is never taken for another ping's.",
        after_help = "Examples:\n  \
        udp_pinger client                          # 10 pings, 1 s apart, 1 s timeout\n  \
        udp_pinger client --count 9 --interval 0   # the lab: the next ping as soon as one is done\n  \
        udp_pinger client --count 0                # until Ctrl-C, then the statistics\n  \
        udp_pinger client --timeout 0.2 --trace    # short timeout; dump every datagram\n\n\
        Exit status: 0 when at least one reply came back within --timeout, 1 when\n\
        none did (100% packet loss, as ping) or the network failed, 2 for a usage error.\n\n\
        Start the server first, in another terminal: udp_pinger server\n"
    )]
    Client(ClientArgs),

    /// Send a numbered heartbeat every interval (the lab's optional exercise).
    #[command(
        long_about = "The UDP pinger lab's heartbeat exercise, the client: sends \
                      `Heartbeat <seq> <time>` every interval and expects no answer; \
                      `udp_pinger server --heartbeat` reports the lost ones and, once they \
                      stop, that this client is gone.",
        after_help = "Examples:\n  \
        udp_pinger heartbeat                       # one a second until Ctrl-C\n  \
        udp_pinger heartbeat --count 5 --interval 0.5\n\n\
        Start the server first, in another terminal:\n  \
        udp_pinger server --heartbeat --interval 0.5 --gone-after 3\n"
    )]
    Heartbeat(HeartbeatArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    #[command(flatten)]
    pub net: NetArgs<12000>,

    /// Drop each message with this probability, 0 to 1 (the lab's random
    /// loss); see --seed.
    #[arg(long, default_value_t = 0.0, value_name = "RATE", value_parser = loss::parse_rate)]
    pub loss: f64,

    /// Drop message numbers N+1, 2N+1, ... and the first: num % N == 1.
    /// The lesson's server is --drop-every 3.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(2..))]
    pub drop_every: Option<u64>,

    /// Seed for --loss, so a run can be repeated exactly (default: a random
    /// seed, printed at start).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Send each reply this many milliseconds late (other pings are still
    /// received and answered meanwhile).
    #[arg(long, default_value_t = 0, value_name = "MS",
          value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub delay_ms: u64,

    /// Watch for heartbeats (`Heartbeat <seq> <time>`): report lost ones and
    /// clients gone silent. Other messages are still answered as pings.
    #[arg(long)]
    pub heartbeat: bool,

    /// The heartbeat interval clients use.
    #[arg(long, default_value = "1", value_name = "SECONDS",
          value_parser = parse_positive_seconds, allow_negative_numbers = true,
          requires = "heartbeat")]
    pub interval: Duration,

    /// Declare a client gone after this many heartbeats in a row are missing.
    #[arg(long, default_value_t = 3, value_name = "N", requires = "heartbeat",
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub gone_after: u32,
}

#[derive(Debug, clap::Args)]
pub struct ClientArgs {
    #[command(flatten)]
    pub net: NetArgs<12000>,

    /// How many pings to send; 0 sends until Ctrl-C.
    #[arg(short, long, default_value_t = 10)]
    pub count: u64,

    /// Seconds from one ping to the next (fractions allowed; 0: the next
    /// one as soon as the last is answered or timed out, as the lab does).
    #[arg(short, long, default_value = "1", value_name = "SECONDS", value_parser = parse_seconds, allow_negative_numbers = true)]
    pub interval: Duration,

    /// Seconds to wait for each reply (fractions allowed), the lab's
    /// `settimeout(1)`.
    #[arg(short = 'W', long, default_value = "1", value_name = "SECONDS",
          value_parser = parse_positive_seconds, allow_negative_numbers = true)]
    pub timeout: Duration,
}

#[derive(Debug, clap::Args)]
pub struct HeartbeatArgs {
    #[command(flatten)]
    pub net: NetArgs<12000>,

    /// How many heartbeats to send; 0 sends until Ctrl-C.
    #[arg(short, long, default_value_t = 0)]
    pub count: u64,

    /// Seconds between heartbeats (fractions allowed).
    #[arg(short, long, default_value = "1", value_name = "SECONDS",
          value_parser = parse_positive_seconds, allow_negative_numbers = true)]
    pub interval: Duration,
}
