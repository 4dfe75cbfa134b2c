//! The command line of `sticky_demo`, and what its `--case` and `--mode`
//! mean: which messages are sent, which sizes are received, how they travel.

use clap::{Parser, Subcommand, ValueEnum};
use common::wire::PREFIX_LEN;
use harness::cli::NetArgs;

/// The lesson's `buffer_size`: the most one `recv` takes.
pub const BUFFER_SIZE: usize = 1024;

/// The receive sizes of case 2: `recv(1)`, `recv(5)`, `recv(1)`.
pub const CASE_2_SIZES: &[usize] = &[1, 5, 1];

/// The largest frame a framed receiver accepts unless told otherwise.
pub const MAX_FRAME: usize = 64 * 1024;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "The sticky-packet lesson (粘包): three quick sends read by one recv(1024) \
             as b'helloworldegon' (case 1), one send read by recv(1), recv(5), recv(1) \
             (case 2); then the same with a 4-byte length prefix, and over UDP.",
    after_help = "Examples:\n  \
        sticky_demo                               # every case, in one process, over loopback\n  \
        sticky_demo --case 2 --mode udp           # one case, one way\n  \
        sticky_demo --trace                       # also dump every send and receive (stderr)\n\n\
        The two ends in two terminals, like the lesson:\n  \
        sticky_demo server --case 1               # terminal 1: prints `listening on ADDR`\n  \
        sticky_demo client --case 1               # terminal 2\n  \
        sticky_demo server --case 2 --mode framed # the fix: a 4-byte length before each message\n\n\
        Every receiver waits until all the sender's bytes are in its receive buffer\n\
        before its first recv, so the output is the same every run.\n",
    args_conflicts_with_subcommands = true
)]
pub struct Args {
    #[command(subcommand)]
    pub role: Option<Role>,

    /// Run only this case (default: both).
    #[arg(long, value_enum)]
    pub case: Option<Case>,

    /// Run only this way of sending (default: all three).
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,

    /// Print every send and receive to stderr (hex + ASCII).
    #[arg(long)]
    pub trace: bool,
}

#[derive(Debug, Subcommand)]
pub enum Role {
    /// The receiving end of one case, like the lesson's server: accepts one
    /// client (or waits for its datagrams), reads, prints what each recv got.
    #[command(after_help = "Example:\n  \
        sticky_demo server --case 1             # terminal 1: prints `listening on ADDR`\n  \
        sticky_demo client --case 1             # terminal 2: the server's recv(1024) gets all three\n")]
    Server(ServerArgs),
    /// The sending end of one case, like the lesson's client: connects,
    /// sends the case's messages, closes.
    #[command(after_help = "Example:\n  \
        sticky_demo client --case 2 --mode udp  # to `sticky_demo server --case 2 --mode udp`\n")]
    Client(ClientArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    #[command(flatten)]
    pub net: NetArgs<8080>,

    #[command(flatten)]
    pub exchange: Exchange,

    /// Refuse a frame longer than this (framed mode).
    #[arg(long, default_value_t = MAX_FRAME, value_name = "BYTES")]
    pub max_frame: usize,
}

#[derive(Debug, clap::Args)]
pub struct ClientArgs {
    #[command(flatten)]
    pub net: NetArgs<8080>,

    #[command(flatten)]
    pub exchange: Exchange,

    /// Switch off Nagle's algorithm (TCP_NODELAY): each send leaves at once
    /// in a segment of its own. The server still sees one stream.
    #[arg(long)]
    pub nodelay: bool,
}

/// Which exchange the two ends run; both must say the same.
#[derive(Debug, clap::Args)]
pub struct Exchange {
    /// Which case of the lesson.
    #[arg(long, value_enum)]
    pub case: Case,

    /// How the messages travel.
    #[arg(long, value_enum, default_value_t = Mode::Raw)]
    pub mode: Mode,

    /// Give up on connecting, or on bytes from the other end, after this
    /// many seconds.
    #[arg(long, default_value_t = 10, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}

impl Exchange {
    /// The command that runs the other end of this exchange, for the
    /// server's `waiting for` line: `sticky_demo client --case 1 --mode raw`.
    pub fn client_command(&self) -> String {
        format!(
            "sticky_demo client --case {} --mode {}",
            arg_name(self.case),
            arg_name(self.mode)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Case {
    /// 情形一: `hello`, `world`, `egon` sent quickly, read with recv(1024).
    #[value(name = "1")]
    One,
    /// 情形二: `helloworldegon` sent once, read with recv(1), recv(5), recv(1).
    #[value(name = "2")]
    Two,
}

impl Case {
    /// What the sender sends, one element per `send`.
    pub fn messages(self) -> &'static [&'static [u8]] {
        match self {
            Case::One => &[b"hello", b"world", b"egon"],
            Case::Two => &[b"helloworldegon"],
        }
    }

    /// The size of each `recv` of the receiver.
    pub fn recv_sizes(self) -> &'static [usize] {
        match self {
            Case::One => &[BUFFER_SIZE; 3],
            Case::Two => CASE_2_SIZES,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Plain TCP, as in the lesson: the messages stick together.
    Raw,
    /// TCP with a 4-byte length before each message (struct.pack('i', n)).
    Framed,
    /// UDP datagrams: boundaries kept, but a short buffer loses data.
    Udp,
}

impl Mode {
    /// How many bytes the sender of `case` puts on the wire in this mode.
    pub fn wire_len(self, case: Case) -> usize {
        let per_message = if self == Mode::Framed { PREFIX_LEN } else { 0 };
        case.messages().iter().map(|m| per_message + m.len()).sum()
    }
}

/// The name a value has on the command line (`1`, `framed`).
fn arg_name(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .expect("every Case and Mode has a name")
        .get_name()
        .to_string()
}
