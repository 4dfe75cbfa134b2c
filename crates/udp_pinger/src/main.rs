//! The UDP pinger lab: ping over UDP instead of ICMP.
//!
//! The lab's server binds a UDP socket to port 12000 and loops: `recvfrom`,
//! upper-case the message, count it, and — to make loopback look like a
//! lossy network — do not answer when `num % 3 == 1`. The lab's client sends
//! nine `Ping <seq> <time>` datagrams with a 1 s socket timeout and prints
//! each round-trip time, or "Request timed out". The optional exercises add
//! ping's statistics and a heartbeat. This binary plays every role:
//!
//! * `udp_pinger server`: the upper-casing server, with `--drop-every 3` (the
//!   lab's rule), `--loss RATE --seed N` (random loss, repeatable),
//!   `--delay-ms` (slow replies), and `--heartbeat` for the exercise;
//! * `udp_pinger client`: sends the pings, matches each reply by its sequence
//!   number (late and duplicate replies are told apart), ends with ping's
//!   statistics;
//! * `udp_pinger heartbeat`: sends `Heartbeat <seq> <time>` every interval,
//!   which `udp_pinger server --heartbeat` watches for gaps and silence.
//!
//! Try it with two terminals:
//!
//! ```text
//! terminal 1:  cargo run -p udp_pinger -- server --drop-every 3
//! terminal 2:  cargo run -p udp_pinger -- client --count 9
//! ```

mod args; // the command line
mod client; // udp_pinger client: the lab's pings, ping's statistics
mod delayed; // server --delay-ms: replies sent late
mod heartbeat_client; // udp_pinger heartbeat
mod heartbeat_watch; // server --heartbeat: lost heartbeats, clients gone
mod wakeups; // the server's loop when it also wakes up with nothing received

use std::fmt;
use std::net::SocketAddr;
use std::process::ExitCode;

use args::{Cli, Role, ServerArgs};
use clap::Parser;
use common::datagram::RECV_BUFFER;
use common::trace::TracedUdp;
use delayed::DelayedReplies;
use harness::cli::{self, Failure};
use harness::log;
use harness::udp::next_datagram;
use udp_pinger::heartbeat::Tracker;
use udp_pinger::loss::Loss;
use udp_pinger::{heartbeat_fields, show_datagram};

fn main() -> ExitCode {
    harness::main(|| run(Cli::parse()))
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.role {
        Role::Server(args) => serve(&args),
        Role::Client(args) => client::run(&args),
        Role::Heartbeat(args) => heartbeat_client::run(&args),
    }
}

/// `udp_pinger server`: the lab's `UDPPingerServer.py`, until Ctrl-C.
fn serve(args: &ServerArgs) -> Result<(), Failure> {
    // serverSocket = socket(AF_INET, SOCK_DGRAM); serverSocket.bind(('', 12000))
    let (socket, stop) = args.net.listen_udp()?;
    let mut server = PingServer::new(TracedUdp::new(socket, args.net.trace), args);
    if server.has_deadlines() {
        server.serve_with_wakeups(&stop); // --delay-ms, --heartbeat: wakeups.rs
    } else {
        let mut buf = vec![0; RECV_BUFFER];
        // while True: message, address = serverSocket.recvfrom(1024)
        while let Some((n, peer)) = next_datagram(&server.socket, &mut buf, &stop) {
            server.handle(&buf[..n], peer);
        }
    }
    log!("shutting down: {}", server.summary);
    Ok(())
}

impl PingServer {
    /// One datagram: count it, maybe drop it, otherwise answer it
    /// upper-cased (or, with --heartbeat, record a heartbeat).
    fn handle(&mut self, datagram: &[u8], peer: SocketAddr) {
        self.summary.received += 1;
        // num = num + 1; if num % 3 == 1: continue
        let (num, dropped) = self.loss.decide();
        let shown = show_datagram(datagram);
        if let Some(cause) = dropped {
            self.summary.dropped += 1;
            log!("{peer} #{num} {shown}: dropped ({cause})");
            return;
        }
        if self.heartbeats.is_some() {
            if let Some(beat) = heartbeat_fields(datagram) {
                self.heartbeat(peer, beat); // heartbeat_watch.rs
                return;
            }
        }
        // message = message.upper(): ASCII letters only, as Python's
        // bytes.upper(), so any bytes go back the same length.
        let reply = datagram.to_ascii_uppercase();
        if self.delayed.is_some() {
            self.reply_later(reply, peer, num, &shown); // delayed.rs
            return;
        }
        log!("{peer} #{num} {shown}: replied");
        // serverSocket.sendto(message, address)
        self.reply(&reply, peer);
    }

    /// Sends `reply` to `peer`, and counts it.
    fn reply(&mut self, reply: &[u8], peer: SocketAddr) {
        match self.socket.send_to(reply, peer) {
            Ok(_) => self.summary.replied += 1,
            Err(e) => log!("{peer} reply failed: {}", cli::describe(&e)),
        }
    }
}

#[derive(Debug)]
struct PingServer {
    socket: TracedUdp,
    loss: Loss,
    /// `--delay-ms`: the replies waiting to be sent.
    delayed: Option<DelayedReplies>,
    /// `--heartbeat`: who sends heartbeats, and when each is due.
    heartbeats: Option<Tracker>,
    summary: Summary,
}

impl PingServer {
    /// The server `args` ask for, once the lines saying how it will lose
    /// and delay datagrams and watch heartbeats are logged.
    fn new(socket: TracedUdp, args: &ServerArgs) -> Self {
        let seed = args.seed.unwrap_or_else(rand::random);
        let server = PingServer {
            socket,
            loss: Loss::new(args.loss, args.drop_every, seed),
            delayed: DelayedReplies::after_ms(args.delay_ms),
            heartbeats: args
                .heartbeat
                .then(|| Tracker::new(args.interval, args.gone_after)),
            summary: Summary {
                heartbeats: args.heartbeat.then_some(0),
                ..Summary::default()
            },
        };
        log!("{}", server.loss);
        if server.delayed.is_some() {
            log!("every reply is sent {} ms late", args.delay_ms);
        }
        if let Some(tracker) = &server.heartbeats {
            heartbeat_watch::log_watching(tracker, args);
        }
        server
    }

    /// Whether the server has something to do when nothing arrives: a
    /// delayed reply to send, a silent heartbeat client to declare gone.
    fn has_deadlines(&self) -> bool {
        self.delayed.is_some() || self.heartbeats.is_some()
    }
}

/// What the server did, for the line it prints when it stops.
#[derive(Debug, Default)]
struct Summary {
    received: u64,
    dropped: u64,
    replied: u64,
    heartbeats: Option<u64>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "received {}, dropped {}, replied {}",
            self.received, self.dropped, self.replied
        )?;
        if let Some(heartbeats) = self.heartbeats {
            write!(f, ", heartbeats {heartbeats}")?;
        }
        Ok(())
    }
}
