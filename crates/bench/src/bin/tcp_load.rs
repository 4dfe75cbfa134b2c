//! Load generator for the TCP upper-case servers (`tcp_server`, the lesson's
//! Python `ThreadingTCPServer`, the benchmark's `bare_echo`).
//!
//! It connects `--clients` clients, releases them together, and has each do
//! `--round-trips` round trips: send `--size` bytes of lowercase ASCII, read
//! the same number of bytes back and check they are the message upper-cased.
//! The time runs from the release to the last client finishing. It prints one
//! machine-readable line to stdout, `round_trips=N seconds=S rps=R`, and a
//! human summary to stderr; any wrong reply or I/O error is a non-zero exit.
//! `scripts/bench.sh tcp` runs it; by hand:
//! `tcp_load --addr 127.0.0.1:PORT --clients 50 --round-trips 2000 --size 64`.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;

/// How long a connect, a read or a write may take before the run fails,
/// so a stuck server fails the benchmark instead of hanging it.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Load generator for the TCP upper-case servers: concurrent clients doing
/// checked round trips, timed together.
#[derive(Debug, Parser)]
#[command(
    after_help = "Example: tcp_load --addr 127.0.0.1:8080 --clients 50 --round-trips 2000 --size 64"
)]
struct Args {
    /// Server address.
    #[arg(long)]
    addr: SocketAddr,
    /// Clients connected at once, each on its own thread.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    clients: u32,
    /// Round trips per client.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..))]
    round_trips: u32,
    /// Bytes per message.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
    size: u32,
}

/// What one client saw.
#[derive(Debug)]
struct ClientResult {
    round_trips: u64,
    mismatches: u64,
    error: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();

    let mut streams = Vec::new();
    for client in 0..args.clients {
        match connect(args.addr) {
            Ok(stream) => streams.push(stream),
            Err(e) => {
                eprintln!(
                    "tcp_load: client {client}: cannot connect to {}: {e}",
                    args.addr
                );
                return ExitCode::FAILURE;
            }
        }
    }

    // Every client waits here, and so does the clock.
    let start_line = Arc::new(Barrier::new(streams.len() + 1));
    let clients: Vec<_> = streams
        .into_iter()
        .enumerate()
        .map(|(client, stream)| {
            let start_line = Arc::clone(&start_line);
            let (round_trips, size) = (args.round_trips, args.size as usize);
            thread::spawn(move || {
                start_line.wait();
                run_client(stream, client, round_trips, size)
            })
        })
        .collect();
    start_line.wait();
    let started = Instant::now();
    let results: Vec<ClientResult> = clients
        .into_iter()
        .map(|client| {
            client.join().unwrap_or_else(|_| ClientResult {
                round_trips: 0,
                mismatches: 0,
                error: Some("client thread panicked".to_string()),
            })
        })
        .collect();
    let seconds = started.elapsed().as_secs_f64();

    report(&args, &results, seconds)
}

fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    Ok(stream)
}

/// One client's round trips. The message changes every round trip, so a
/// reply can only be right if the server upper-cased this very message.
fn run_client(mut stream: TcpStream, client: usize, round_trips: u32, size: usize) -> ClientResult {
    let mut result = ClientResult {
        round_trips: 0,
        mismatches: 0,
        error: None,
    };
    let mut message = vec![0u8; size];
    let mut expected = vec![0u8; size];
    let mut reply = vec![0u8; size];
    for round_trip in 0..round_trips as usize {
        for (i, byte) in message.iter_mut().enumerate() {
            *byte = b'a' + ((client + round_trip + i) % 26) as u8;
        }
        expected.copy_from_slice(&message);
        expected.make_ascii_uppercase();

        if let Err(e) = stream.write_all(&message) {
            result.error = Some(format!(
                "client {client}: send {round_trip}: {}",
                describe(&e)
            ));
            break;
        }
        if let Err(e) = stream.read_exact(&mut reply) {
            result.error = Some(format!(
                "client {client}: reply {round_trip}: {}",
                describe(&e)
            ));
            break;
        }
        if reply != expected {
            result.mismatches += 1;
        }
        result.round_trips += 1;
    }
    result
}

/// Says what an I/O error means here; a timeout reads as one, not as
/// "Resource temporarily unavailable".
fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            format!("timed out after {} s", IO_TIMEOUT.as_secs())
        }
        io::ErrorKind::UnexpectedEof => "the server closed the connection".to_string(),
        _ => e.to_string(),
    }
}

/// Prints the figures; fails the run on any error or wrong reply.
fn report(args: &Args, results: &[ClientResult], seconds: f64) -> ExitCode {
    let round_trips: u64 = results.iter().map(|r| r.round_trips).sum();
    let mismatches: u64 = results.iter().map(|r| r.mismatches).sum();
    let errors: Vec<&str> = results.iter().filter_map(|r| r.error.as_deref()).collect();
    let rps = round_trips as f64 / seconds;

    println!("round_trips={round_trips} seconds={seconds:.3} rps={rps:.0}");
    eprintln!(
        "tcp_load: {} clients x {} round trips of {} bytes against {}: {round_trips} in {seconds:.3} s, {rps:.0} round trips/s",
        args.clients, args.round_trips, args.size, args.addr
    );

    let mut ok = true;
    if mismatches > 0 {
        eprintln!("tcp_load: FAILED: {mismatches} replies were not the message upper-cased");
        ok = false;
    }
    if !errors.is_empty() {
        eprintln!(
            "tcp_load: FAILED: {} clients stopped on an error:",
            errors.len()
        );
        for error in errors.iter().take(5) {
            eprintln!("  {error}");
        }
        if errors.len() > 5 {
            eprintln!("  ... and {} more", errors.len() - 5);
        }
        ok = false;
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
