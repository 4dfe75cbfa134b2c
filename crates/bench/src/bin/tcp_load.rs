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
//!
//! For the I/O models (`scripts/bench.sh io_models`) it can also hold
//! `--idle N` connections that never send, opened before the active ones
//! and checked at the end to be still open (a server that dropped or
//! refused one fails the run); and, given `--server-pid`, it reads the
//! server's CPU time (`/proc/PID/stat`) just before the release and just
//! after the last client, and its peak RSS (`VmHWM`), and adds them to the
//! line. `--clients 0 --idle 50 --hold 5` measures what a server burns
//! holding 50 idle connections for 5 s.

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
    /// Clients connected at once, each on its own thread (0: only --idle).
    #[arg(long, default_value_t = 50)]
    clients: u32,
    /// Round trips per client.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..))]
    round_trips: u32,
    /// Bytes per message.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
    size: u32,
    /// Connections opened first and held, silent, through the run.
    #[arg(long, default_value_t = 0)]
    idle: u32,
    /// With --clients 0: how long to hold the idle connections, in seconds.
    #[arg(long, default_value_t = 5.0)]
    hold: f64,
    /// The server's PID: report its CPU seconds during the run and its peak RSS.
    #[arg(long)]
    server_pid: Option<u32>,
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

    let mut idle = Vec::new();
    for n in 0..args.idle {
        match connect(args.addr) {
            Ok(stream) => idle.push(stream),
            Err(e) => {
                eprintln!(
                    "tcp_load: idle connection {n}: cannot connect to {}: {e}",
                    args.addr
                );
                return ExitCode::FAILURE;
            }
        }
    }

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
    let cpu_before = args.server_pid.map(server_cpu_seconds);
    let started = Instant::now();
    if args.clients == 0 {
        thread::sleep(Duration::from_secs_f64(args.hold.max(0.0)));
    }
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
    let server = args.server_pid.map(|pid| ServerCost {
        cpu_seconds: server_cpu_seconds(pid) - cpu_before.unwrap_or(0.0),
        peak_rss_kib: server_peak_rss_kib(pid),
    });
    let idle_lost = idle.iter().filter(|stream| !still_open(stream)).count();

    report(&args, &results, seconds, server, idle_lost)
}

/// What the server spent during the run.
#[derive(Debug)]
struct ServerCost {
    cpu_seconds: f64,
    peak_rss_kib: u64,
}

/// User + system CPU time of every thread of `pid`, from fields 14 and 15
/// of `/proc/PID/stat`, in clock ticks of USER_HZ (100 per second on every
/// Linux). 0 if it cannot be read.
fn server_cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // The command name (field 2) may hold spaces: count from its ')'.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// The server's peak resident set (`VmHWM` in `/proc/PID/status`), KiB.
fn server_peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// An idle connection the server still holds: nothing to read (not the
/// end of the stream, not a refusal line), and no error.
fn still_open(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let mut byte = [0u8; 1];
    matches!((&*stream).read(&mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
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
fn report(
    args: &Args,
    results: &[ClientResult],
    seconds: f64,
    server: Option<ServerCost>,
    idle_lost: usize,
) -> ExitCode {
    let round_trips: u64 = results.iter().map(|r| r.round_trips).sum();
    let mismatches: u64 = results.iter().map(|r| r.mismatches).sum();
    let errors: Vec<&str> = results.iter().filter_map(|r| r.error.as_deref()).collect();
    let rps = round_trips as f64 / seconds;

    let mut line = format!("round_trips={round_trips} seconds={seconds:.3} rps={rps:.0}");
    if args.idle > 0 {
        line.push_str(&format!(" idle={}", args.idle));
    }
    if let Some(server) = &server {
        line.push_str(&format!(
            " server_cpu_seconds={:.2} server_peak_rss_kib={}",
            server.cpu_seconds, server.peak_rss_kib
        ));
    }
    println!("{line}");
    eprintln!(
        "tcp_load: {} clients x {} round trips of {} bytes (+{} idle) against {}: {round_trips} in {seconds:.3} s, {rps:.0} round trips/s",
        args.clients, args.round_trips, args.size, args.idle, args.addr
    );

    let mut ok = true;
    if idle_lost > 0 {
        eprintln!(
            "tcp_load: FAILED: the server closed or refused {idle_lost} of the {} idle connections",
            args.idle
        );
        ok = false;
    }
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
