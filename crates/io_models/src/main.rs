//! Lesson 004, the five I/O models (五种IO模型), as servers you can run.
//!
//! The lesson names five ways a process can wait for a datagram and get it
//! copied out of the kernel: blocking, non-blocking, multiplexing
//! (select/poll/epoll), signal-driven and asynchronous. Each is a file in
//! `src/models/`, serving the same protocol as `tcp_server` (every message
//! answered upper-cased), so `tcp_client` and the lesson's Python client
//! work against any of them. `threads` and `tokio` are there to compare.
//!
//! ```text
//! terminal 1:  cargo run -p io_models -- epoll
//! terminal 2:  cargo run -p tcp_client
//! ```

mod args;
mod client;
mod models;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use harness::cli::Failure;
use harness::log;
use nix::sys::resource::{getrlimit, setrlimit, Resource};

use args::{Args, Model};
use models::{blocking, epoll, nonblocking, poll, select, sigio, threads, tokio, uring};

/// What every model needs from the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    pub trace: bool,
    pub idle_timeout: Option<Duration>,
    pub max_clients: usize,
}

fn main() -> ExitCode {
    harness::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Failure> {
    raise_open_file_limit();
    if args.model == Model::Sigio {
        // Before any thread exists (Ctrl-C's handler starts one), so that
        // every thread inherits the blocked SIGIO and none dies of it.
        sigio::block_sigio()?;
    }
    if args.model == Model::Uring {
        uring::check_available()?;
    }
    let settings = Settings {
        trace: args.net.trace,
        idle_timeout: (args.idle_timeout > 0).then(|| Duration::from_secs(args.idle_timeout)),
        max_clients: args.max_clients as usize,
    };

    if args.model == Model::Sigio {
        // socket(AF_INET, SOCK_DGRAM) + bind(); Ctrl-C sends a wake-up datagram
        let (socket, stop) = args.net.listen_udp()?;
        let summary = sigio::serve(socket, &stop, &settings)?;
        log!("shutting down (sigio): {summary}");
        return Ok(());
    }

    // socket() + bind() + listen(): the same for every TCP model.
    let (listener, stop) = args.net.listen_tcp_with_backlog(BACKLOG)?;
    let summary = match args.model {
        Model::Blocking => blocking::serve(&listener, &stop, &settings).to_string(),
        Model::Threads => threads::serve(&listener, &stop, &settings).to_string(),
        Model::Nonblocking => nonblocking::serve(&listener, &stop, &settings)?,
        Model::Select => select::serve(&listener, &stop, &settings)?,
        Model::Poll => poll::serve(&listener, &stop, &settings)?,
        Model::Epoll => epoll::serve(&listener, &stop, &settings)?,
        Model::Uring => uring::serve(&listener, &stop, &settings)?,
        Model::Tokio => tokio::serve(listener, &stop)?,
        Model::Sigio => unreachable!("sigio is served above"),
    };
    log!(
        "shutting down ({}): {summary}",
        format!("{:?}", args.model).to_lowercase()
    );
    Ok(())
}

/// How many finished handshakes the kernel queues for `accept()`. std's
/// `TcpListener::bind` asks for 128; a client opening thousands of
/// connections in a row overflows that whenever the server is a moment
/// late, and each dropped handshake costs the client a 1 s SYN retry. The
/// kernel caps it at `net.core.somaxconn` (4096 by default).
const BACKLOG: i32 = 4096;

/// Raises this process's open-file soft limit to the hard limit, as nginx
/// does (`worker_rlimit_nofile`): a server holding 10,000 connections needs
/// 10,000 descriptors, and the usual soft limit is 1,024. A failure only
/// leaves the limit where it was.
fn raise_open_file_limit() {
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        if soft < hard {
            if let Err(e) = setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
                eprintln!("warning: cannot raise the open-file limit from {soft} to {hard}: {e}");
            }
        }
    }
}
