//! The command line of `time_server`: a role (`server`, `client`) and its options.

use clap::{Parser, Subcommand, ValueEnum};
use harness::cli::NetArgs;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "The time-server lesson (时间服务器): a UDP server answers each strftime format \
             with its local time; --proto tcp is the daytime server that sends \
             str(datetime.now()) and closes.",
    after_help = "Examples:\n  \
        time_server server                        # UDP on 127.0.0.1:8080\n  \
        time_server client --format '%H:%M:%S'    # one question, one answer\n  \
        time_server client                        # one format per line; an empty line = %Y-%m-%d %X\n  \
        time_server server --proto tcp            # the TCP daytime server\n  \
        time_server client --proto tcp            # prints e.g. 2023-04-19 17:04:30.293444\n\n\
        --host, --port and --trace go before or after the role.\n"
)]
pub struct Cli {
    #[command(flatten)]
    pub net: NetArgs<8080>,

    #[command(subcommand)]
    pub role: Role,
}

#[derive(Debug, Subcommand)]
pub enum Role {
    /// Tell the time: over UDP, each datagram is a strftime format and gets
    /// the time in that format; over TCP, each connection gets the time.
    #[command(after_help = "Examples:\n  \
        time_server server                  # UDP on 127.0.0.1:8080, local time\n  \
        time_server server --utc --port 0   # UTC, on a free port\n  \
        time_server server --proto tcp      # send str(datetime.now()) and close\n\n\
        A bad format (%Q, a lone %, a reply too long for a datagram) is answered\n\
        with a datagram starting `error:`; the server keeps serving. Ctrl-C stops it.\n")]
    Server(ServerArgs),

    /// Ask a time server: once with --format, otherwise one format per line
    /// (a prompt on a terminal, line by line from a pipe; `quit` ends).
    #[command(after_help = "Examples:\n  \
        time_server client --format '%Y年%m月%d日 %X'\n  \
        printf '%%H:%%M\\n\\nquit\\n' | time_server client   # two answers\n  \
        time_server client --utc                  # the time in UTC, whatever the server's zone\n  \
        time_server client --proto tcp            # the daytime server\n\n\
        Exit codes: 0 answered, 1 no answer within --timeout (or an error reply to\n\
        --format), 2 usage error.\n")]
    Client(ClientArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    /// udp: answer strftime formats (the lesson's 时间服务器); tcp: send
    /// the time to each connection and close it (the daytime server).
    #[arg(long, value_enum, default_value_t = Proto::Udp)]
    pub proto: Proto,

    /// Tell the time in UTC rather than this machine's local time (over
    /// TCP the message then ends in +00:00, as Python's
    /// str(datetime.now(timezone.utc)) does).
    #[arg(long)]
    pub utc: bool,
}

#[derive(Debug, clap::Args)]
pub struct ClientArgs {
    /// udp: send a strftime format, read the answer; tcp: connect and read
    /// the time the server sends.
    #[arg(long, value_enum, default_value_t = Proto::Udp)]
    pub proto: Proto,

    /// Ask once with this strftime format, print the answer, exit ("" asks
    /// for the server's default, %Y-%m-%d %X). UDP only.
    #[arg(short, long, value_name = "FORMAT", allow_hyphen_values = true)]
    pub format: Option<String>,

    /// Show the time in UTC, whatever zone the server is in. Over UDP the
    /// client asks for the time with its offset ('%Y-%m-%d %H:%M:%S %z',
    /// which the lesson's server answers too) and applies your format
    /// itself; over TCP it converts the server's message, which must carry
    /// its offset (`time_server server --proto tcp --utc`).
    #[arg(long)]
    pub utc: bool,

    /// Give up on an answer after this many seconds.
    #[arg(long, default_value_t = 3, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Proto {
    Udp,
    Tcp,
}
