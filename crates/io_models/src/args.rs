//! The command line of `io_models`: which model, and the shared options.

use clap::{Parser, ValueEnum};
use harness::cli::NetArgs;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Lesson 004, the five I/O models: the same upper-case echo server (tcp_server's \
             protocol) written nine ways, one file per model, to run, trace and measure.",
    after_help = "Examples:\n  \
        io_models epoll                  # epoll(7), level-triggered, on 127.0.0.1:8080\n  \
        io_models blocking --port 0      # one client at a time; any free port\n  \
        io_models nonblocking            # prints each second how many calls found no data\n  \
        io_models sigio                  # UDP: each datagram answered upper-cased\n\n\
        Then, in a second terminal: tcp_client --port PORT\n\
        (for sigio: udp_qq client, or python3 -c '...sendto...')\n"
)]
pub struct Args {
    /// The I/O model that serves the clients.
    #[arg(value_enum)]
    pub model: Model,

    #[command(flatten)]
    pub net: NetArgs<8080>,

    /// blocking and threads: close a connection that sends nothing for this
    /// many seconds (0: wait forever). In blocking, a silent client holds
    /// every other client for this long.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub idle_timeout: u64,

    /// threads: most clients at once; one more gets a one-line refusal.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_clients: u32,
}

/// The models, in the lesson's order (tokio last, for comparison).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Model {
    /// 阻塞IO: one client at a time; the next waits in the listen backlog.
    Blocking,
    /// Blocking calls, a thread per client (the answer before multiplexing).
    Threads,
    /// 非阻塞IO: every socket O_NONBLOCK, one loop polling them all, never sleeping.
    Nonblocking,
    /// IO复用: select(2) over fd sets; descriptors from FD_SETSIZE (1024) on are refused.
    Select,
    /// IO复用: poll(2) over a growing pollfd list.
    Poll,
    /// IO复用: epoll(7), level-triggered.
    Epoll,
    /// 信号驱动IO: O_ASYNC + F_SETOWN on a UDP socket; SIGIO read from a signalfd.
    Sigio,
    /// 异步IO: io_uring; the kernel copies and reports completion.
    Uring,
    /// What you would write in practice: tokio, a task per client.
    Tokio,
}
