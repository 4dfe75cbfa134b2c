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

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use common::datagram::RECV_BUFFER;
use common::show::printable_text;
use common::trace::TracedUdp;
use harness::cli::{self, Failure, NetArgs};
use harness::log;
use harness::stop::Stop;
use harness::udp;
use udp_pinger::heartbeat::{self, Beat, Tracker};
use udp_pinger::loss::{self, Loss};
use udp_pinger::stats::{PingLog, Reply};
use udp_pinger::{
    heartbeat_fields, heartbeat_message, parse_positive_seconds, parse_seconds, ping_message,
    reply_sequence, show_seconds, unix_time_now, Fields,
};

/// Most delayed replies waiting at once (`--delay-ms`); more are dropped.
const MAX_PENDING: usize = 1024;

/// How long a client blocks in one `recv_from` at most, so Ctrl-C is
/// noticed quickly even while waiting for a reply.
const WAKE_SLICE: Duration = Duration::from_millis(100);

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
struct Cli {
    #[command(subcommand)]
    role: Role,
}

#[derive(Debug, Subcommand)]
enum Role {
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
struct ServerArgs {
    #[command(flatten)]
    net: NetArgs<12000>,

    /// Drop each message with this probability, 0 to 1 (the lab's random
    /// loss); see --seed.
    #[arg(long, default_value_t = 0.0, value_name = "RATE", value_parser = loss::parse_rate)]
    loss: f64,

    /// Drop message numbers N+1, 2N+1, ... and the first: num % N == 1.
    /// The lesson's server is --drop-every 3.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(2..))]
    drop_every: Option<u64>,

    /// Seed for --loss, so a run can be repeated exactly (default: a random
    /// seed, printed at start).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    /// Send each reply this many milliseconds late (other pings are still
    /// received and answered meanwhile).
    #[arg(long, default_value_t = 0, value_name = "MS",
          value_parser = clap::value_parser!(u64).range(0..=60_000))]
    delay_ms: u64,

    /// Watch for heartbeats (`Heartbeat <seq> <time>`): report lost ones and
    /// clients gone silent. Other messages are still answered as pings.
    #[arg(long)]
    heartbeat: bool,

    /// The heartbeat interval clients use.
    #[arg(long, default_value = "1", value_name = "SECONDS",
          value_parser = parse_positive_seconds, allow_negative_numbers = true,
          requires = "heartbeat")]
    interval: Duration,

    /// Declare a client gone after this many heartbeats in a row are missing.
    #[arg(long, default_value_t = 3, value_name = "N", requires = "heartbeat",
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    gone_after: u32,
}

#[derive(Debug, clap::Args)]
struct ClientArgs {
    #[command(flatten)]
    net: NetArgs<12000>,

    /// How many pings to send; 0 sends until Ctrl-C.
    #[arg(short, long, default_value_t = 10)]
    count: u64,

    /// Seconds from one ping to the next (fractions allowed; 0: the next
    /// one as soon as the last is answered or timed out, as the lab does).
    #[arg(short, long, default_value = "1", value_name = "SECONDS", value_parser = parse_seconds, allow_negative_numbers = true)]
    interval: Duration,

    /// Seconds to wait for each reply (fractions allowed), the lab's
    /// `settimeout(1)`.
    #[arg(short = 'W', long, default_value = "1", value_name = "SECONDS",
          value_parser = parse_positive_seconds, allow_negative_numbers = true)]
    timeout: Duration,
}

#[derive(Debug, clap::Args)]
struct HeartbeatArgs {
    #[command(flatten)]
    net: NetArgs<12000>,

    /// How many heartbeats to send; 0 sends until Ctrl-C.
    #[arg(short, long, default_value_t = 0)]
    count: u64,

    /// Seconds between heartbeats (fractions allowed).
    #[arg(short, long, default_value = "1", value_name = "SECONDS",
          value_parser = parse_positive_seconds, allow_negative_numbers = true)]
    interval: Duration,
}

fn main() -> ExitCode {
    cli::quiet_on_closed_pipe();
    let result = match Cli::parse().role {
        Role::Server(args) => run_server(args),
        Role::Client(args) => run_client(args),
        Role::Heartbeat(args) => run_heartbeat(args),
    };
    cli::exit_code(result)
}

// ------------------------------------------------------------------ server

fn run_server(args: ServerArgs) -> Result<(), Failure> {
    // serverSocket = socket(AF_INET, SOCK_DGRAM); serverSocket.bind(('', 12000))
    let socket = args.net.bind_udp()?;
    let shutdown = Stop::on_ctrl_c()?;
    shutdown.wake_udp_on_trigger(&socket)?;
    cli::announce_listening(socket.local_addr()?);

    let seed = args.seed.unwrap_or_else(rand::random);
    let mut server = PingServer {
        socket: TracedUdp::new(socket, args.net.trace),
        loss: Loss::new(args.loss, args.drop_every, seed),
        delay: Duration::from_millis(args.delay_ms),
        pending: VecDeque::new(),
        heartbeats: args
            .heartbeat
            .then(|| Tracker::new(args.interval, args.gone_after)),
        summary: Summary {
            heartbeats: args.heartbeat.then_some(0),
            ..Summary::default()
        },
    };
    log!("{}", server.loss);
    if !server.delay.is_zero() {
        log!("every reply is sent {} ms late", args.delay_ms);
    }
    if let Some(tracker) = &server.heartbeats {
        log!(
            "watching heartbeats: one expected every {}; a client is gone after {} missing \
             (nothing for {})",
            show_seconds(args.interval),
            args.gone_after,
            show_seconds(tracker.silence_limit())
        );
    }
    server.serve(&shutdown);
    log!("shutting down: {}", server.summary);
    Ok(())
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

/// A reply waiting for its `--delay-ms` to pass.
#[derive(Debug)]
struct Delayed {
    due: Instant,
    peer: SocketAddr,
    reply: Vec<u8>,
}

#[derive(Debug)]
struct PingServer {
    socket: TracedUdp,
    loss: Loss,
    delay: Duration,
    /// Delayed replies, oldest first; one delay for all keeps them in due
    /// order.
    pending: VecDeque<Delayed>,
    heartbeats: Option<Tracker>,
    summary: Summary,
}

impl PingServer {
    /// The lab's `while True: recvfrom(...)`, which also wakes up when a
    /// delayed reply is due or a heartbeat client's silence runs out: the
    /// socket's read timeout is set to the next of those moments.
    fn serve(&mut self, shutdown: &Stop) {
        let mut buf = vec![0; RECV_BUFFER];
        while !shutdown.requested() {
            let wait = self.next_wakeup().map(|at| {
                at.saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1))
            });
            if let Err(e) = self.socket.socket().set_read_timeout(wait) {
                log!(
                    "cannot set the socket's read timeout: {}",
                    cli::describe(&e)
                );
                break;
            }
            match self.socket.recv_from(&mut buf) {
                // An empty datagram after Ctrl-C is the shutdown's wake-up.
                Ok(_) if shutdown.requested() => break,
                Ok((n, peer)) => self.handle(&buf[..n], peer),
                // A timeout, or Ctrl-C arriving during the wait.
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                // Some systems report an earlier reply's "port unreachable"
                // here; it concerns a client that left, not this server.
                Err(e) => log!("receive failed: {}", cli::describe(&e)),
            }
            let now = Instant::now();
            self.send_due(now);
            self.expire_heartbeats(now);
        }
        if !self.pending.is_empty() {
            log!(
                "delayed replies still waiting: {}; sending them now",
                self.pending.len()
            );
            self.send_due(Instant::now() + self.delay);
        }
    }

    /// One datagram: count it, maybe drop it, otherwise answer it
    /// upper-cased (or, with --heartbeat, record a heartbeat).
    fn handle(&mut self, datagram: &[u8], peer: SocketAddr) {
        self.summary.received += 1;
        // num = num + 1; if num % 3 == 1: continue
        let (num, dropped) = self.loss.decide();
        let shown = preview(datagram);
        if let Some(cause) = dropped {
            self.summary.dropped += 1;
            log!("{peer} #{num} {shown}: dropped ({cause})");
            return;
        }
        if self.heartbeats.is_some() {
            if let Some(beat) = heartbeat_fields(datagram) {
                self.heartbeat(peer, beat);
                return;
            }
        }
        // message = message.upper(): ASCII letters only, as Python's
        // bytes.upper(), so any bytes go back the same length.
        let reply = datagram.to_ascii_uppercase();
        if self.delay.is_zero() {
            log!("{peer} #{num} {shown}: replied");
            self.reply(&reply, peer);
        } else if self.pending.len() >= MAX_PENDING {
            self.summary.dropped += 1;
            log!("{peer} #{num} {shown}: dropped ({MAX_PENDING} delayed replies already waiting)");
        } else {
            log!(
                "{peer} #{num} {shown}: reply in {} ms",
                self.delay.as_millis()
            );
            self.pending.push_back(Delayed {
                due: Instant::now() + self.delay,
                peer,
                reply,
            });
        }
    }

    /// serverSocket.sendto(message, address)
    fn reply(&mut self, reply: &[u8], peer: SocketAddr) {
        match self.socket.send_to(reply, peer) {
            Ok(_) => self.summary.replied += 1,
            Err(e) => log!("{peer} reply failed: {}", cli::describe(&e)),
        }
    }

    /// Sends the delayed replies due by `now`.
    fn send_due(&mut self, now: Instant) {
        while let Some(delayed) = self.pending.pop_front() {
            if delayed.due > now {
                self.pending.push_front(delayed);
                break;
            }
            self.reply(&delayed.reply, delayed.peer);
        }
    }

    fn heartbeat(&mut self, peer: SocketAddr, beat: Fields<'_>) {
        let Some(tracker) = &mut self.heartbeats else {
            return;
        };
        if let Some(count) = &mut self.summary.heartbeats {
            *count += 1;
        }
        let seq = beat.seq;
        // The lab's "time difference": the clocks of two machines differ,
        // so across a network this is only as good as their agreement.
        let one_way = beat
            .unix_time
            .map(|sent| format!(", one-way {:.3} ms", (unix_time_now() - sent) * 1000.0))
            .unwrap_or_default();
        let lost = |gap: Option<heartbeat::Gap>| gap.map(|g| format!("; {g}")).unwrap_or_default();
        match tracker.beat(peer, seq, Instant::now()) {
            Beat::New { lost: gap } => {
                log!(
                    "{peer} heartbeat {seq} from a new client{one_way}{}",
                    lost(gap)
                );
            }
            Beat::Next { lost: gap } => log!("{peer} heartbeat {seq}{one_way}{}", lost(gap)),
            Beat::Duplicate => log!("{peer} heartbeat {seq}: duplicate"),
            Beat::OutOfOrder { last } => {
                log!("{peer} heartbeat {seq}: out of order (heartbeat {last} came before it)");
            }
            Beat::Ignored => log!(
                "{peer} heartbeat {seq}: ignored ({} clients watched already)",
                heartbeat::MAX_CLIENTS
            ),
        }
    }

    /// Declares the clients silent for too long gone.
    fn expire_heartbeats(&mut self, now: Instant) {
        let Some(tracker) = &mut self.heartbeats else {
            return;
        };
        for gone in tracker.expire(now) {
            log!(
                "{} gone: no heartbeat for {:.2} s after heartbeat {} ({} received, {} lost before it)",
                gone.addr,
                gone.silent_for.as_secs_f64(),
                gone.last_seq,
                gone.received,
                gone.lost
            );
        }
    }

    /// When the loop must wake up even if nothing arrives.
    fn next_wakeup(&self) -> Option<Instant> {
        let reply_due = self.pending.front().map(|delayed| delayed.due);
        let silence_ends = self.heartbeats.as_ref().and_then(Tracker::next_deadline);
        match (reply_due, silence_ends) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// A datagram as one short quoted piece of a log line.
fn preview(datagram: &[u8]) -> String {
    const SHOWN: usize = 60;
    if datagram.is_empty() {
        return "(empty datagram)".to_string();
    }
    if datagram.len() <= SHOWN {
        return format!("\"{}\"", printable_text(datagram));
    }
    format!(
        "\"{}...\" ({} bytes)",
        printable_text(&datagram[..SHOWN]),
        datagram.len()
    )
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

// ------------------------------------------------------------------ client

fn run_client(args: ClientArgs) -> Result<(), Failure> {
    let server = args.net.server_addr()?;
    // clientSocket = socket(AF_INET, SOCK_DGRAM)
    let socket = udp::client_socket_for(server)?;
    // connect() on UDP sends nothing: it makes the kernel keep only the
    // server's datagrams for this socket, and report "port unreachable"
    // when nothing listens there, instead of a silent timeout.
    socket.connect(server)?;
    let shutdown = Stop::on_ctrl_c()?;
    let mut pinger = Pinger {
        socket: TracedUdp::new(socket, args.net.trace),
        server,
        log: PingLog::new(),
        buf: vec![0; RECV_BUFFER],
    };

    let count = match args.count {
        0 => "pings until Ctrl-C".to_string(),
        1 => "1 ping".to_string(),
        n => format!("{n} pings"),
    };
    let pace = if args.interval.is_zero() {
        "back to back".to_string()
    } else {
        format!("one every {}", show_seconds(args.interval))
    };
    println!(
        "UDP ping {server}: {count}, {pace}, timeout {}",
        show_seconds(args.timeout)
    );
    let mut sent = 0;
    while args.count == 0 || sent < args.count {
        if shutdown.requested() {
            break;
        }
        let sent_at = Instant::now();
        let seq = pinger.log.sent(sent_at);
        sent += 1;
        pinger.send_ping(seq)?;
        match pinger.listen(sent_at + args.timeout, Some(seq), &shutdown)? {
            Waited::Answered | Waited::Deadline => {}
            Waited::Unreachable => {
                pinger.log.lost(seq);
                println!(
                    "Port unreachable for seq={seq}: nothing listens on {server} \
                     (is the server running?)"
                );
            }
            Waited::Interrupted => {
                pinger.log.lost(seq);
                break;
            }
        }
        if sent == args.count {
            break;
        }
        // Until the next ping is due, keep reporting what comes in: late
        // replies and duplicates.
        if pinger.listen(sent_at + args.interval, None, &shutdown)? == Waited::Interrupted {
            break;
        }
    }

    let stats = pinger.log.statistics();
    println!("\n--- {server} UDP ping statistics ---\n{stats}");
    if stats.received == 0 && stats.transmitted > 0 {
        return Err(Failure::runtime(format!(
            "no reply from {server} (100% packet loss)"
        )));
    }
    Ok(())
}

/// What ended a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waited {
    /// The reply to the ping waited for came.
    Answered,
    /// The time was up (and the ping waited for, if any, was reported as
    /// timed out).
    Deadline,
    /// The server's machine said nothing listens on the port.
    Unreachable,
    /// Ctrl-C.
    Interrupted,
}

#[derive(Debug)]
struct Pinger {
    socket: TracedUdp,
    server: SocketAddr,
    log: PingLog,
    buf: Vec<u8>,
}

impl Pinger {
    /// clientSocket.sendto(message, (serverName, serverPort))
    fn send_ping(&mut self, seq: u64) -> Result<(), Failure> {
        let message = ping_message(seq, unix_time_now());
        let mut result = self.socket.send_to(message.as_bytes(), self.server);
        // A "port unreachable" for an earlier ping that came after its
        // timeout is reported on the next send; this ping was not sent, so
        // try once more.
        if matches!(&result, Err(e) if e.kind() == io::ErrorKind::ConnectionRefused) {
            result = self.socket.send_to(message.as_bytes(), self.server);
        }
        match result {
            Ok(_) => Ok(()),
            // Still refused: the wait that follows reports it for this ping.
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => Ok(()),
            Err(e) => Err(Failure::runtime(format!(
                "cannot send to {}: {}",
                self.server,
                cli::describe(&e)
            ))),
        }
    }

    /// Receives and reports replies until `until`, or until the reply to
    /// `current` comes. Every reply is matched by its sequence number, so
    /// the reply to an earlier ping is never taken for the current one.
    fn listen(
        &mut self,
        until: Instant,
        current: Option<u64>,
        shutdown: &Stop,
    ) -> Result<Waited, Failure> {
        loop {
            if shutdown.requested() {
                return Ok(Waited::Interrupted);
            }
            let now = Instant::now();
            if now >= until {
                if let Some(seq) = current {
                    self.time_out(seq);
                }
                return Ok(Waited::Deadline);
            }
            let slice = (until - now).clamp(Duration::from_millis(1), WAKE_SLICE);
            self.socket.socket().set_read_timeout(Some(slice))?;
            // modifiedMessage, serverAddress = clientSocket.recvfrom(...)
            let (n, peer) = match self.socket.recv_from(&mut self.buf) {
                Ok(received) => received,
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    if current.is_some() {
                        return Ok(Waited::Unreachable);
                    }
                    continue; // about a ping already given up
                }
                Err(e) => {
                    return Err(Failure::runtime(format!(
                        "cannot receive from {}: {}",
                        self.server,
                        cli::describe(&e)
                    )))
                }
            };
            let received_at = Instant::now();
            // On a busy machine the wait can overrun its deadline before this
            // datagram is read: then the ping waited for timed out first,
            // and this reply, even to it, is late.
            let overran = received_at >= until;
            if let (true, Some(seq)) = (overran, current) {
                self.time_out(seq);
            }
            let datagram = &self.buf[..n];
            let Some(seq) = reply_sequence(datagram) else {
                println!(
                    "Ignored a datagram from {peer} that is no reply to a ping: {}",
                    preview(datagram)
                );
                continue;
            };
            match self.log.reply(seq, received_at) {
                Reply::OnTime { seq, rtt } => {
                    println!("Reply from {peer}: seq={seq} time={} ms", millis(rtt));
                    if Some(seq) == current {
                        return Ok(Waited::Answered);
                    }
                }
                Reply::Late { seq, rtt } => println!(
                    "Reply from {peer}: seq={seq} time={} ms (late: seq={seq} had timed out)",
                    millis(rtt)
                ),
                Reply::Duplicate { seq, rtt } => {
                    println!(
                        "Reply from {peer}: seq={seq} time={} ms (DUP!)",
                        millis(rtt)
                    );
                }
                Reply::Unknown { seq } => println!(
                    "Ignored a reply from {peer} for seq={seq}, which was never sent: {}",
                    preview(datagram)
                ),
            }
            if overran {
                return Ok(Waited::Deadline);
            }
        }
    }

    /// Gives up on ping `seq`: counted lost, and said so.
    fn time_out(&mut self, seq: u64) {
        self.log.lost(seq);
        println!("Request timed out for seq={seq}");
    }
}

fn millis(rtt: Duration) -> String {
    format!("{:.3}", rtt.as_secs_f64() * 1000.0)
}

// --------------------------------------------------------------- heartbeat

fn run_heartbeat(args: HeartbeatArgs) -> Result<(), Failure> {
    let server = args.net.server_addr()?;
    // One way only: the server answers no heartbeat, so nothing is read.
    let socket = TracedUdp::new(udp::client_socket_for(server)?, args.net.trace);
    let shutdown = Stop::on_ctrl_c()?;
    let (wake, woken) = mpsc::channel();
    shutdown.on_trigger(move || {
        let _ = wake.send(());
    });

    let count = match args.count {
        0 => "until Ctrl-C".to_string(),
        n => format!("{n} in all"),
    };
    println!(
        "Heartbeat to {server}: one every {}, {count}",
        show_seconds(args.interval)
    );
    let mut next = Instant::now();
    let mut sent = 0;
    for seq in 1.. {
        if shutdown.requested() {
            break;
        }
        let message = heartbeat_message(seq, unix_time_now());
        match socket.send_to(message.as_bytes(), server) {
            Ok(_) => {
                sent += 1;
                println!("Heartbeat {seq} sent");
            }
            Err(e) => println!("Heartbeat {seq} not sent: {}", cli::describe(&e)),
        }
        if seq == args.count {
            break;
        }
        // Beat on a fixed schedule, so a slow send does not shift the rest;
        // Ctrl-C ends the wait at once.
        next += args.interval;
        let wait = next.saturating_duration_since(Instant::now());
        if woken.recv_timeout(wait).is_ok() {
            break;
        }
    }
    println!("Sent {sent} heartbeats; a watching server will declare this client gone.");
    Ok(())
}
