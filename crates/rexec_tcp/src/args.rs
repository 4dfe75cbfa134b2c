//! The command line of `rexec_tcp`: a role (`server`, `client`) and its
//! options; `--protocol` picks the step of the lesson, the same on both ends.

use clap::builder::RangedU64ValueParser;
use clap::{Parser, Subcommand};
use harness::cli::NetArgs;
use harness::exec::ExecArgs;
use rexec_tcp::Protocol;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Lesson: remote commands over TCP (远程执行命令, 粘包). The server runs each command \
             a client sends and sends back its output (stdout, then stderr); --protocol picks \
             how the output is framed, one step of the lesson each.",
    after_help = "Examples (two terminals; use the same --protocol on both ends):\n  \
        rexec_tcp server                          # json protocol, 127.0.0.1:8080\n  \
        rexec_tcp client                          # prompt >>:, `quit` ends\n  \
        rexec_tcp client -c 'ls -l'               # one command, then exit\n  \
        printf 'pwd\\nid\\n' | rexec_tcp client    # from a pipe, no prompts\n\n  \
        rexec_tcp server --protocol raw           # the sticky packet, on purpose:\n  \
        printf 'seq 1 400\\necho hi\\n' | rexec_tcp client --protocol raw\n                                            \
        # 'echo hi' prints the tail of seq\n\n\
        A request is the command's bytes in one send, read by the server with one\n\
        recv(1024), as in the lesson: at most 1024 bytes per command.\n"
)]
pub struct Args {
    #[command(subcommand)]
    pub role: Role,
}

#[derive(Debug, Subcommand)]
pub enum Role {
    /// Remote commands over TCP, the server: runs the commands clients send
    /// and sends back their output.
    #[command(after_help = "Example:\n  \
        rexec_tcp server --protocol struct --timeout 5\n\n\
        Then, in a second terminal: rexec_tcp client --protocol struct")]
    Server(ServerArgs),
    /// Remote commands over TCP, the client: sends commands (typed, piped,
    /// or one with -c) and prints their output.
    #[command(after_help = "Example:\n  \
        rexec_tcp client --protocol struct -c 'ls -l /'\n\n\
        Start the server first, in another terminal: rexec_tcp server --protocol struct")]
    Client(ClientArgs),
}

const PROTOCOL_HELP: &str = "How the output is framed; both ends must agree. raw is the \
    lesson's first version: the client reads one recv(1024), so an output longer than 1024 \
    bytes is cut and its rest arrives as the answer to the next command (the sticky packet, \
    粘包). ready, struct and json each tell the client the length first, so every answer \
    arrives whole.";

#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    #[command(flatten)]
    pub net: NetArgs<8080>,

    #[arg(long, value_enum, default_value_t = Protocol::Json, long_help = PROTOCOL_HELP)]
    pub protocol: Protocol,

    #[command(flatten)]
    pub safety: ExecArgs,

    /// Most clients served at once, each on its own thread.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_clients: u32,

    /// Close a connection that sends nothing (or reads nothing) for this
    /// many seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,
}

#[derive(Debug, clap::Args)]
pub struct ClientArgs {
    #[command(flatten)]
    pub net: NetArgs<8080>,

    #[arg(long, value_enum, default_value_t = Protocol::Json, long_help = PROTOCOL_HELP)]
    pub protocol: Protocol,

    /// Run this one command, print its output and exit.
    #[arg(short = 'c', long = "command", value_name = "CMD")]
    pub command: Option<String>,

    /// Give up on connecting, or on an answer, after this many seconds
    /// (once an answer has begun, its rest may take 3 s).
    #[arg(long, default_value_t = 30, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,

    /// Refuse an answer announced as longer than this many bytes (checked
    /// before anything is allocated for it).
    #[arg(long, default_value_t = rexec_tcp::DEFAULT_MAX_REPLY, value_name = "BYTES",
          value_parser = RangedU64ValueParser::<usize>::new().range(0..=i32::MAX as u64))]
    pub max_reply: usize,
}
