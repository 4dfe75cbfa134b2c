//! `udp_pinger client`: the lab's `UDPPinger.py`, a ping loop over UDP.
//!
//! Each ping is `Ping <seq> <time>`; the wait for its reply ends at
//! `--timeout` ("Request timed out"), and every reply is matched by its
//! sequence number, so a late or duplicate reply is told apart from the
//! answer to the current ping. It ends with ping's statistics.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::datagram::RECV_BUFFER;
use common::trace::TracedUdp;
use harness::cli::{self, is_timeout, Failure};
use harness::stop::Stop;
use harness::udp;
use udp_pinger::stats::{PingLog, Reply};
use udp_pinger::{ping_message, reply_sequence, show_datagram, show_seconds, unix_time_now};

use crate::args::ClientArgs;

/// How long a client blocks in one `recv_from` at most, so Ctrl-C is
/// noticed quickly even while waiting for a reply.
const WAKE_SLICE: Duration = Duration::from_millis(100);

/// Sends the pings, reports each reply, and ends with the statistics.
pub fn run(args: &ClientArgs) -> Result<(), Failure> {
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
                    show_datagram(datagram)
                );
                continue;
            };
            // ANCHOR: reply (docs/lessons/udp_pinger.md shows this match, to ANCHOR_END)
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
                    show_datagram(datagram)
                ),
            }
            // ANCHOR_END: reply
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
