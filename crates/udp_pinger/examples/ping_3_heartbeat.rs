//! Step 3 of the UDP pinger lab: the heartbeat (seed 002, §3; the lab's optional exercise).
//!
//! The client sends `Heartbeat <seq> <time.time()>` every 0.5 s, expecting
//! no answer; the server prints each beat's one-way delay (right only if both
//! clocks agree, as on one machine) and the beats lost before it, and after
//! 1.5 s of silence says the client is gone: its recvfrom() times out then.
//! It drops `num % 3 == 1`, as ping_1_server, so there is a loss to report.
//!
//! ```text
//! terminal 1:  cargo run -p udp_pinger --example ping_3_heartbeat -- server      # [PORT]: 12000; 0 = any free port
//! terminal 2:  cargo run -p udp_pinger --example ping_3_heartbeat -- client      # Ctrl-C stops it
//! ```

use std::env;
use std::io::{self, ErrorKind};
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant, UNIX_EPOCH};

const BUFFER_SIZE: usize = 1024; // the most one recvfrom() takes
const INTERVAL: Duration = Duration::from_millis(500); // a heartbeat every half second
const GONE_AFTER: Duration = Duration::from_millis(1500); // three missing: the client has stopped

type Client = (SocketAddr, u64, Instant); // its address, highest seq, when its last beat came

fn main() -> io::Result<()> {
    let usage = || io::Error::other("usage: ping_3_heartbeat {server,client} [PORT]");
    let mut args = env::args().skip(1);
    let role = args.next().ok_or_else(usage)?;
    let port: u16 = args
        .next()
        .map_or(Ok(12000), |arg| arg.parse())
        .map_err(|_| usage())?;
    match role.as_str() {
        "server" => server(port),
        "client" => client(port),
        _ => Err(usage()),
    }
}

fn client(port: u16) -> io::Result<()> {
    let client_socket = UdpSocket::bind(("127.0.0.1", 0))?;
    for seq in 1u64.. {
        let time_now = UNIX_EPOCH.elapsed().unwrap_or_default().as_secs_f64(); // time.time()
        let message = format!("Heartbeat {seq} {time_now:?}"); // as ping_2_client's Ping
        client_socket.send_to(message.as_bytes(), ("127.0.0.1", port))?;
        println!("Heartbeat {seq} sent");
        std::thread::sleep(INTERVAL);
    }
    Ok(())
}

fn server(port: u16) -> io::Result<()> {
    let server_socket = UdpSocket::bind(("127.0.0.1", port))?;
    println!("listening on {}", server_socket.local_addr()?);
    let (mut num, mut client) = (0, None::<Client>); // one client at a time, as in the exercise
    loop {
        // Wait until the client's silence runs out at the latest (no client: for ever).
        let wait = client.map(|c| (c.2 + GONE_AFTER).saturating_duration_since(Instant::now()));
        server_socket.set_read_timeout(wait.map(|wait| wait.max(Duration::from_millis(1))))?;
        let mut message = [0; BUFFER_SIZE];
        match server_socket.recv_from(&mut message) {
            Ok((n, address)) => {
                num += 1;
                if num % 3 != 1 {
                    client = beat(client, address, &message[..n]); // else: pretend the network lost it
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if let Some((address, seq, at)) = client.take() {
                    let silent = at.elapsed().as_secs_f64();
                    println!("{address} gone: silent for {silent:.1} s after heartbeat {seq}");
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// A beat from `address` (another one starts a new client): its one-way delay, the beats lost.
fn beat(client: Option<Client>, address: SocketAddr, message: &[u8]) -> Option<Client> {
    let text = String::from_utf8_lossy(message);
    let parsed = match text.split_whitespace().collect::<Vec<_>>()[..] {
        ["Heartbeat", seq, sent] => seq.parse::<u64>().ok().zip(sent.parse::<f64>().ok()),
        _ => None,
    };
    let Some((seq, sent)) = parsed else {
        println!("{address} not a heartbeat: {text:?}");
        return client;
    };
    let one_way = (UNIX_EPOCH.elapsed().unwrap_or_default().as_secs_f64() - sent) * 1000.0;
    let last = client.filter(|c| c.0 == address).map_or(0, |c| c.1);
    let lost = match seq.saturating_sub(last) {
        0 => format!(": late or twice (heartbeat {last} came before it)"),
        1 => String::new(),
        2 => format!("; lost heartbeat {}", last + 1),
        _ => format!("; lost heartbeats {}-{}", last + 1, seq - 1),
    };
    println!("{address} heartbeat {seq}, one-way {one_way:.3} ms{lost}");
    Some((address, seq.max(last), Instant::now()))
}
