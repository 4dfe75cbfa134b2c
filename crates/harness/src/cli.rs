//! The command-line pieces every binary shares: `--host`, `--port`,
//! `--trace`, binding and connecting with errors a student can act on, the
//! `listening on ADDR` line, and the exit codes.
//!
//! Exit codes (the README's convention): 0 success, 1 runtime failure, 2 usage error.
//! clap already exits with 2 on a bad command line; [`Failure::usage`] is for
//! the usage errors clap cannot see (a host that does not resolve, say).

use std::fmt;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::process::ExitCode;
use std::time::Duration;

use crate::stop::Stop;

/// `--host`, `--port` and `--trace`, flattened into each binary's arguments.
///
/// `PORT` is the lesson's own default port, so each binary keeps the port of
/// its Python original: `#[command(flatten)] net: NetArgs<8080>`. The
/// arguments are global: in a binary with roles (`udp_qq server`) they go
/// before or after the role, and each role's `--help` shows them.
#[derive(Debug, Clone, clap::Args)]
#[command(about = None, long_about = None)] // keep this doc out of --help
pub struct NetArgs<const PORT: u16> {
    /// Address to bind (server) or connect to (client). Binding anything but
    /// loopback, e.g. 0.0.0.0, makes the server reachable from other machines.
    #[arg(long, default_value = "127.0.0.1", global = true)]
    pub host: String,

    /// Port to use; 0 asks the OS for a free one (server).
    #[arg(long, default_value_t = PORT, global = true)]
    pub port: u16,

    /// Print every send and receive to stderr: direction, peer, byte count
    /// and a hex + ASCII dump of the first 256 bytes.
    #[arg(long, global = true)]
    pub trace: bool,
}

impl<const PORT: u16> NetArgs<PORT> {
    /// Resolves `--host` and `--port` to socket addresses.
    pub fn addrs(&self) -> Result<Vec<SocketAddr>, Failure> {
        let addrs: Vec<SocketAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| Failure::usage(format!("cannot resolve host '{}': {e}", self.host)))?
            .collect();
        if addrs.is_empty() {
            return Err(Failure::usage(format!(
                "host '{}' has no address",
                self.host
            )));
        }
        Ok(addrs)
    }

    /// The one address a client talks to: the first IPv4 address of
    /// `--host` if it has any (the lessons' sockets are `AF_INET`; `localhost`
    /// may resolve to `::1` first), else the first address.
    pub fn server_addr(&self) -> Result<SocketAddr, Failure> {
        let addrs = self.addrs()?;
        Ok(crate::udp::prefer_ipv4(&addrs).expect("addrs() returns at least one address"))
    }

    /// `socket()` + `bind()` + `listen()`: a TCP listener on `--host:--port`.
    ///
    /// Rust's `TcpListener::bind` sets `SO_REUSEADDR` on Unix before binding,
    /// so a restarted server does not trip over its old TIME_WAIT sockets.
    pub fn bind_tcp(&self) -> Result<TcpListener, Failure> {
        let addrs = self.addrs()?;
        TcpListener::bind(addrs.as_slice()).map_err(|e| bind_failure(&self.host, self.port, &e))
    }

    /// The server's opening, whole: `socket()` + `bind()` + `listen()`, a
    /// Ctrl-C that can wake the `accept()` it will block in, and the
    /// `listening on ADDR` line once the address is real. Hands back the
    /// listener and the [`Stop`] that Ctrl-C triggers.
    pub fn listen_tcp(&self) -> Result<(TcpListener, Stop), Failure> {
        opened(self.bind_tcp()?)
    }

    /// [`listen_tcp`](Self::listen_tcp) with a `listen(backlog)` of its
    /// own: std's `TcpListener::bind` always asks for 128 finished
    /// handshakes, which a client opening thousands of connections in a row
    /// overflows (the kernel caps `backlog` at `net.core.somaxconn`).
    /// `SO_REUSEADDR` is set as std sets it.
    pub fn listen_tcp_with_backlog(&self, backlog: i32) -> Result<(TcpListener, Stop), Failure> {
        opened(self.bind_tcp_with_backlog(backlog)?)
    }

    /// [`bind_tcp`](Self::bind_tcp), but `listen(backlog)`: the bind of
    /// [`listen_tcp_with_backlog`](Self::listen_tcp_with_backlog).
    pub fn bind_tcp_with_backlog(&self, backlog: i32) -> Result<TcpListener, Failure> {
        use socket2::{Domain, Socket, Type};
        let addr = self.server_addr()?;
        let listen = || -> io::Result<TcpListener> {
            let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
            socket.set_reuse_address(true)?;
            socket.bind(&addr.into())?;
            socket.listen(backlog)?;
            Ok(socket.into())
        };
        listen().map_err(|e| bind_failure(&self.host, self.port, &e))
    }

    /// The UDP server's opening: `socket(AF_INET, SOCK_DGRAM)` + `bind()`,
    /// a Ctrl-C that can wake the `recvfrom()` it will block in, and the
    /// `listening on ADDR` line.
    pub fn listen_udp(&self) -> Result<(UdpSocket, Stop), Failure> {
        let socket = self.bind_udp()?;
        let stop = Stop::on_ctrl_c()?;
        stop.wake_udp_on_trigger(&socket)?;
        announce_listening(socket.local_addr()?);
        Ok((socket, stop))
    }

    /// The opening of a server on UDP and TCP at one address and port, as a
    /// DNS server is: both sockets bound, a Ctrl-C that wakes whichever call
    /// each will block in, then one `listening on ADDR` line.
    ///
    /// With `--port 0` the OS picks the UDP port and the TCP listener must
    /// take the same number, which a TCP socket elsewhere may already hold
    /// (the two port spaces are separate); then both are let go and tried
    /// again, a bounded number of times.
    pub fn listen_udp_and_tcp(&self) -> Result<(UdpSocket, TcpListener, Stop), Failure> {
        const TRIES: usize = 32;
        let mut tries = 0;
        let (udp, tcp) = loop {
            let udp = self.bind_udp()?;
            let addr = udp.local_addr()?;
            match TcpListener::bind(addr) {
                Ok(tcp) => break (udp, tcp),
                Err(e) if self.port == 0 && e.kind() == io::ErrorKind::AddrInUse => {
                    tries += 1;
                    if tries == TRIES {
                        return Err(Failure::runtime(format!(
                            "cannot find a port free on both UDP and TCP after {TRIES} tries"
                        )));
                    }
                }
                Err(e) => {
                    return Err(Failure::runtime(format!(
                        "cannot listen on TCP {addr} (UDP {addr} was free): {}",
                        describe(&e)
                    )))
                }
            }
        };
        let stop = Stop::on_ctrl_c()?;
        stop.wake_udp_on_trigger(&udp)?;
        stop.wake_on_trigger(&tcp)?;
        announce_listening(udp.local_addr()?);
        Ok((udp, tcp, stop))
    }

    /// `socket(AF_INET, SOCK_DGRAM)` + `bind()` on `--host:--port`.
    pub fn bind_udp(&self) -> Result<UdpSocket, Failure> {
        let addrs = self.addrs()?;
        UdpSocket::bind(addrs.as_slice()).map_err(|e| bind_failure(&self.host, self.port, &e))
    }

    /// For a server that runs whatever its peers send (`rexec_*`): refuses a
    /// `--host` that is not loopback unless `allow_remote` (`--allow-remote`),
    /// and when it is allowed, warns on stderr that anyone who can connect can
    /// run commands.
    pub fn refuse_remote_unless(&self, allow_remote: bool) -> Result<(), Failure> {
        let remote = self
            .addrs()?
            .into_iter()
            .find(|addr| !addr.ip().is_loopback());
        let Some(remote) = remote else {
            return Ok(());
        };
        let what = if remote.ip().is_unspecified() {
            "every network interface"
        } else {
            "not loopback"
        };
        if !allow_remote {
            return Err(Failure::usage(format!(
                "refusing to listen on {} ({what}): this server runs any command it is \
                 sent, so anyone who can reach it could run commands as you; keep the \
                 default 127.0.0.1, or add --allow-remote if you really mean it",
                self.host
            )));
        }
        eprintln!(
            "warning: listening on {} ({what}) with --allow-remote: anyone who can \
             connect can run commands as this user",
            self.host
        );
        Ok(())
    }

    /// `connect()` to `--host:--port`, trying each resolved address in turn
    /// and giving up on each after `timeout`.
    pub fn connect_tcp(&self, timeout: Duration) -> Result<TcpStream, Failure> {
        let mut last_error = None;
        for addr in self.addrs()? {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(stream) => return Ok(stream),
                Err(e) => last_error = Some((addr, e)),
            }
        }
        let (addr, e) = last_error.expect("addrs() returns at least one address");
        let hint = match e.kind() {
            io::ErrorKind::ConnectionRefused => "; is the server running?",
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                "; no answer (a firewall, or a wrong address?)"
            }
            _ => "",
        };
        Err(Failure::runtime(format!(
            "cannot connect to {addr}: {}{hint}",
            describe(&e)
        )))
    }
}

/// A bound listener made a server's: a Ctrl-C that wakes its `accept()`,
/// and the `listening on ADDR` line.
fn opened(listener: TcpListener) -> Result<(TcpListener, Stop), Failure> {
    let stop = Stop::on_ctrl_c()?;
    stop.wake_on_trigger(&listener)?;
    announce_listening(listener.local_addr()?);
    Ok((listener, stop))
}

fn bind_failure(host: &str, port: u16, e: &io::Error) -> Failure {
    let hint = match e.kind() {
        io::ErrorKind::AddrInUse => "; is another server running? --port 0 picks a free port",
        io::ErrorKind::AddrNotAvailable => "; this machine has no such address",
        io::ErrorKind::PermissionDenied => "; ports below 1024 need root",
        _ => "",
    };
    Failure::runtime(format!(
        "cannot listen on {host}:{port}: {}{hint}",
        describe(e)
    ))
}

/// An `io::Error` as one short lower-case phrase: "connection refused"
/// rather than "Connection refused (os error 111)".
pub fn describe(e: &io::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" (os error") {
        Some(cut) => &text[..cut],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text.to_string(),
    }
}

/// Whether an I/O error is a socket timeout running out
/// (`set_read_timeout`/`set_write_timeout`): Linux reports it as
/// `WouldBlock` (EAGAIN), other systems as `TimedOut`.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Prints the one line that tells tests, scripts and students where the
/// server really is (`listening on 127.0.0.1:43817`), and flushes it.
pub fn announce_listening(addr: SocketAddr) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "listening on {addr}");
    let _ = out.flush();
}

/// Why a binary stops with a non-zero exit code.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    /// A failure at run time (peer closed, timeout, port taken): exit 1.
    pub fn runtime(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: 1,
        }
    }

    /// A command line that parses but cannot be used: exit 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: 2,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::runtime(describe(&e))
    }
}

/// Lets a closed standard output end the program quietly, as it ends `cat`
/// or `ls`: `struct_header demo | head -2` prints two lines and stops with
/// status 141 (128 + SIGPIPE, what a shell reports for a program killed by
/// a closed pipe). Rust programs ignore SIGPIPE, so writing to a pipe nobody
/// reads fails with `EPIPE` instead, and `println!` panics on that
/// ("failed printing to stdout: Broken pipe"): a crash the student did not
/// cause. Every lesson's `main` calls this first; any other panic is
/// reported as before.
pub fn quiet_on_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        let epipe = format!("(os error {})", nix::libc::EPIPE);
        if message.starts_with("failed printing to std") && message.contains(&epipe) {
            std::process::exit(128 + nix::libc::SIGPIPE);
        }
        report(info);
    }));
}

/// A lesson binary's `main`, whole: `fn main() -> ExitCode {
/// harness::main(|| run(Args::parse())) }`. A closed stdout ends the program
/// quietly ([`quiet_on_closed_pipe`]), and `run`'s result becomes the exit
/// code ([`exit_code`]).
pub fn main(run: impl FnOnce() -> Result<(), Failure>) -> ExitCode {
    quiet_on_closed_pipe();
    exit_code(run())
}

/// Turns the result of a binary's `run` into its exit code, printing the
/// failure as one `error: ...` line on stderr.
pub fn exit_code(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Demo {
        #[command(flatten)]
        net: NetArgs<8080>,
    }

    #[test]
    fn defaults_are_loopback_and_the_lesson_port() {
        let args = Demo::parse_from(["demo"]);
        assert_eq!(args.net.host, "127.0.0.1");
        assert_eq!(args.net.port, 8080);
        assert!(!args.net.trace);
    }

    #[test]
    fn port_zero_binds_a_free_port() {
        let args = Demo::parse_from(["demo", "--port", "0"]);
        let listener = args.net.bind_tcp().expect("a free loopback port");
        let addr = listener.local_addr().expect("bound");
        assert!(addr.ip().is_loopback());
        assert_ne!(addr.port(), 0);
    }

    #[test]
    fn a_taken_port_is_a_clear_runtime_failure() {
        let taken = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = taken.local_addr().expect("bound").port().to_string();
        let args = Demo::parse_from(["demo", "--port", &port]);
        let failure = args.net.bind_tcp().expect_err("port in use");
        assert_eq!(failure.code, 1);
        assert_eq!(
            failure.message,
            format!("cannot listen on 127.0.0.1:{port}: address already in use; is another server running? --port 0 picks a free port")
        );
    }

    #[test]
    fn the_backlog_is_how_many_handshakes_wait_for_accept() {
        // Nothing accepts: Linux queues backlog + 1 finished handshakes,
        // then drops the next SYN, so that connect does not complete.
        let args = Demo::parse_from(["demo", "--port", "0"]);
        let small = args.net.bind_tcp_with_backlog(1).expect("a free port");
        let addr = small.local_addr().expect("bound");
        let wait = std::time::Duration::from_millis(300);
        let queued: Vec<_> = (0..2)
            .map(|_| TcpStream::connect_timeout(&addr, wait).expect("queued"))
            .collect();
        let refused = TcpStream::connect_timeout(&addr, wait).expect_err("the queue is full");
        assert!(is_timeout(&refused), "{refused}");
        drop(queued);

        let large = args.net.bind_tcp_with_backlog(64).expect("a free port");
        let addr = large.local_addr().expect("bound");
        let queued: Vec<_> = (0..20)
            .map(|_| TcpStream::connect_timeout(&addr, wait).expect("queued"))
            .collect();
        assert_eq!(queued.len(), 20);
    }

    #[test]
    fn a_taken_port_is_the_same_failure_with_a_backlog() {
        let taken = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = taken.local_addr().expect("bound").port().to_string();
        let args = Demo::parse_from(["demo", "--port", &port]);
        let failure = args.net.bind_tcp_with_backlog(16).expect_err("port in use");
        assert_eq!(failure.code, 1);
        assert!(
            failure.message.starts_with(&format!(
                "cannot listen on 127.0.0.1:{port}: address already in use;"
            )),
            "{}",
            failure.message
        );
    }

    #[test]
    fn refused_connection_says_to_start_the_server() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").expect("a free port");
            l.local_addr().expect("bound").port().to_string()
        }; // dropped: nothing listens there now
        let args = Demo::parse_from(["demo", "--port", &port]);
        let failure = args
            .net
            .connect_tcp(Duration::from_secs(2))
            .expect_err("nothing listens");
        assert_eq!(
            failure.message,
            format!(
                "cannot connect to 127.0.0.1:{port}: connection refused; is the server running?"
            )
        );
    }

    #[test]
    fn a_command_server_refuses_a_remote_host_unless_allowed() {
        let loopback = Demo::parse_from(["demo", "--host", "127.0.0.2"]);
        assert!(loopback.net.refuse_remote_unless(false).is_ok());
        let localhost = Demo::parse_from(["demo", "--host", "localhost"]);
        assert!(localhost.net.refuse_remote_unless(false).is_ok());

        let any = Demo::parse_from(["demo", "--host", "0.0.0.0"]);
        let failure = any
            .net
            .refuse_remote_unless(false)
            .expect_err("0.0.0.0 reaches every network");
        assert_eq!(failure.code, 2);
        assert!(
            failure.message.starts_with(
                "refusing to listen on 0.0.0.0 (every network interface): this server runs \
                 any command it is sent"
            ),
            "{failure}"
        );
        assert!(failure.message.contains("--allow-remote"), "{failure}");
        assert!(any.net.refuse_remote_unless(true).is_ok());
    }

    #[test]
    fn unresolvable_host_is_a_usage_error() {
        let args = Demo::parse_from(["demo", "--host", "no such host"]);
        let failure = args.net.bind_tcp().expect_err("not a host name");
        assert_eq!(failure.code, 2);
        assert!(
            failure
                .message
                .starts_with("cannot resolve host 'no such host'"),
            "{failure}"
        );
    }
}
