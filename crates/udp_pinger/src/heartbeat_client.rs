//! `udp_pinger heartbeat`: the client of the lab's heartbeat exercise. It
//! sends `Heartbeat <seq> <time>` on a fixed schedule and reads nothing:
//! the server answers no heartbeat, and notices the missing ones itself
//! (`udp_pinger server --heartbeat`).

use std::sync::mpsc;
use std::time::Instant;

use common::trace::TracedUdp;
use harness::cli::{self, Failure};
use harness::stop::Stop;
use harness::udp;
use udp_pinger::{heartbeat_message, show_seconds, unix_time_now};

use crate::args::HeartbeatArgs;

/// Sends `--count` heartbeats (0: until Ctrl-C), one every `--interval`.
pub fn run(args: &HeartbeatArgs) -> Result<(), Failure> {
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
