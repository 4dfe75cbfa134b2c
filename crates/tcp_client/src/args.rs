//! The command line of `tcp_client`.

use clap::Parser;
use harness::cli::NetArgs;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Lesson 1 (TCP), the client: sends each line to tcp_server and prints the \
             upper-cased reply. `quit` ends.",
    after_help = "Examples:\n  \
        tcp_client                              # interactive, prompt >>:\n  \
        printf 'hello\\nquit\\n' | tcp_client     # from a pipe: prints HELLO\n  \
        tcp_client --message 'hello'            # one message, print the reply, exit\n  \
        tcp_client --chat                       # talk to `tcp_server --chat`\n\n\
        Start the server first, in another terminal: tcp_server\n"
)]
pub struct Args {
    #[command(flatten)]
    pub net: NetArgs<8080>,

    /// Send this one message, print the reply and exit.
    #[arg(short, long)]
    pub message: Option<String>,

    /// Talk to `tcp_server --chat`: a reply is whatever one `recv` brings;
    /// `q`, from either side, ends the conversation.
    #[arg(long)]
    pub chat: bool,

    /// Give up on connecting, or on a reply, after this many seconds.
    #[arg(long, default_value_t = 10, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}
