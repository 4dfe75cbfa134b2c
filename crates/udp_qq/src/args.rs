//! The command line of `udp_qq`: a role (`server`, `client`) and its options.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use harness::cli::NetArgs;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "The UDP \"QQ chat\" lesson (模拟QQ聊天): the server shows each message as \
             [ip:port] message and sends back a reply typed by its operator; the client \
             chooses a contact and chats.",
    after_help = "Examples:\n  \
        udp_qq server                         # on 127.0.0.1:8081; type a reply to each message\n  \
        udp_qq client                         # contacts A, B, C, D, all at 127.0.0.1:8081\n  \
        udp_qq client --to B -m '你好'         # one message, print the reply, exit\n  \
        printf 'hi\\nbye\\n' | udp_qq server   # replies from a pipe, one line per message\n\n\
        --host, --port and --trace go before or after the role.\n"
)]
pub struct Cli {
    #[command(flatten)]
    pub net: NetArgs<8081>,

    #[command(subcommand)]
    pub role: Role,
}

#[derive(Debug, Subcommand)]
pub enum Role {
    /// Show each message and send back a reply typed here (a prompt on a
    /// terminal; from a pipe, one line per message).
    #[command(after_help = "Examples:\n  \
        udp_qq server                              # type each reply at the prompt\n  \
        printf 'hello\\n你好\\n' | udp_qq server    # the first two messages get these replies\n\n\
        Each reply goes to the client whose message it answers; an empty line\n\
        sends an empty datagram. When the replies run out (Ctrl-D, or the end\n\
        of the pipe) or on Ctrl-C, the server prints a summary and exits 0.\n")]
    Server,

    /// Choose a contact, send messages, print the replies (`quit` goes
    /// back to the contact choice; `quit` there, or Ctrl-D, ends).
    #[command(after_help = "Examples:\n  \
        udp_qq client                                  # choose A, type messages\n  \
        printf 'A\\nhello\\nquit\\nB\\n你好\\n' | udp_qq client  # from a pipe\n  \
        udp_qq client --to B --message 'hello'         # one message, one reply\n  \
        udp_qq client --contacts friends.json          # {\"A\": \"127.0.0.1:8081\", ...}\n\n\
        Exit codes: 0 done, 1 no reply to --message within --timeout, 2 usage\n\
        error (a bad contacts file, an unknown --to).\n")]
    Client(ClientArgs),
}

#[derive(Debug, clap::Args)]
pub struct ClientArgs {
    /// Read the contact table from FILE, a JSON object of names to
    /// addresses: {"A": "127.0.0.1:8081", "B": "192.168.1.5:8081"}.
    /// Without it: the lesson's A, B, C, D, all at --host:--port.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["host", "port"])]
    pub contacts: Option<PathBuf>,

    /// Talk to this contact first (with --message: the one to send it to;
    /// default: the first name).
    #[arg(long, value_name = "NAME")]
    pub to: Option<String>,

    /// Send this one message, print the reply and exit.
    #[arg(short, long, allow_hyphen_values = true)]
    pub message: Option<String>,

    /// Report a reply as missing after this many seconds.
    #[arg(long, default_value_t = 3, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}
