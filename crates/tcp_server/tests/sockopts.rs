//! The `sockopts` example (the socket method table of seeds 001–003, run):
//! its option defaults checked against Python's `getsockopt` on fresh
//! sockets and against the kernel's own settings in /proc/sys, and each
//! method it demonstrates checked for the outcome it prints.

use std::fs;
use std::net::SocketAddr;
use std::time::Duration;

use testkit::{closed_tcp_addr, command, python3, run, run_ok, stderr, step};

const WAIT: Duration = Duration::from_secs(10);

/// The same table as the example's first part, from Python's getsockopt.
const PYTHON_OPTIONS: &str = r#"
import socket, struct
from socket import SOL_SOCKET, IPPROTO_IP, IPPROTO_TCP, IPPROTO_IPV6

def row(name, value):
    print(f"  {name:<17} {value}")

def options(s, tcp):
    t = s.getsockopt(SOL_SOCKET, socket.SO_TYPE)
    row("SO_TYPE", f"{t} ({socket.SocketKind(t).name})")
    d = s.getsockopt(SOL_SOCKET, socket.SO_DOMAIN)
    row("SO_DOMAIN", f"{d} ({socket.AddressFamily(d).name})")
    for name in ["SO_PROTOCOL", "SO_RCVBUF", "SO_SNDBUF", "SO_REUSEADDR",
                 "SO_REUSEPORT", "SO_KEEPALIVE", "SO_BROADCAST"]:
        row(name, s.getsockopt(SOL_SOCKET, getattr(socket, name)))
    on, secs = struct.unpack("ii", s.getsockopt(SOL_SOCKET, socket.SO_LINGER, 8))
    row("SO_LINGER", f"{secs} s" if on else "off")
    row("SO_ERROR", s.getsockopt(SOL_SOCKET, socket.SO_ERROR))
    row("IP_TTL", s.getsockopt(IPPROTO_IP, socket.IP_TTL))
    row("IP_TOS", s.getsockopt(IPPROTO_IP, socket.IP_TOS))
    if tcp:
        row("TCP_NODELAY", s.getsockopt(IPPROTO_TCP, socket.TCP_NODELAY))
        row("TCP_MAXSEG", s.getsockopt(IPPROTO_TCP, socket.TCP_MAXSEG))

for kind in [socket.SOCK_STREAM, socket.SOCK_DGRAM]:
    with socket.socket(socket.AF_INET, kind) as s:
        print(f"fresh socket(AF_INET, {kind.name}):")
        options(s, kind == socket.SOCK_STREAM)
with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
    print("fresh socket(AF_INET6, SOCK_STREAM):")
    row("IPV6_V6ONLY", s6.getsockopt(IPPROTO_IPV6, socket.IPV6_V6ONLY))
"#;

/// The example's whole output.
fn sockopts() -> String {
    run_ok(
        step("tcp_server", "sockopts", Vec::<&str>::new()),
        b"",
        WAIT,
    )
}

/// `python3 -c SCRIPT ARGS...`, its output.
fn python(script: &str, args: &[&str]) -> String {
    let mut cmd = command(python3(), ["-c", script]);
    cmd.args(args);
    run_ok(cmd, b"", WAIT)
}

/// The first part of the output: the option defaults.
fn options_part(out: &str) -> &str {
    let end = out
        .find("methods, on loopback:\n")
        .expect("the methods part");
    &out[..end]
}

/// The value of option `name` in the section whose heading starts with `section`.
fn option<'a>(out: &'a str, section: &str, name: &str) -> &'a str {
    let start = out
        .find(section)
        .unwrap_or_else(|| panic!("no {section}:\n{out}"));
    let rows = out[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "));
    rows.filter_map(|row| row.trim().split_once(' '))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .unwrap_or_else(|| panic!("no {name} under {section}:\n{out}"))
}

/// The rest of the first line of `out` that starts with `prefix` (after its indent).
fn after<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .map(str::trim_start)
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in:\n{out}"))
}

/// A number from /proc/sys: field `field` (0-based) of the file at `path`.
fn sysctl(path: &str, field: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let value = text.split_whitespace().nth(field);
    value
        .unwrap_or_else(|| panic!("{path}: {text:?}"))
        .to_string()
}

const TCP: &str = "fresh socket(AF_INET, SOCK_STREAM):";
const UDP: &str = "fresh socket(AF_INET, SOCK_DGRAM):";
const TCP6: &str = "fresh socket(AF_INET6, SOCK_STREAM):";

#[test]
fn sockopts_prints_the_defaults_pythons_getsockopt_reads_on_fresh_sockets() {
    let out = sockopts();
    let ours = options_part(&out);
    assert_eq!(
        ours,
        python(PYTHON_OPTIONS, &[]),
        "Rust (left) and Python (right)"
    );
    for (section, name, value) in [
        (TCP, "SO_TYPE", "1 (SOCK_STREAM)"),
        (UDP, "SO_TYPE", "2 (SOCK_DGRAM)"),
        (TCP, "SO_PROTOCOL", "6"),
        (UDP, "SO_PROTOCOL", "17"),
        (TCP, "TCP_NODELAY", "0"),
        (TCP, "SO_REUSEADDR", "0"),
        (UDP, "SO_REUSEADDR", "0"),
        (TCP, "SO_KEEPALIVE", "0"),
        (TCP, "SO_LINGER", "off"),
        (TCP, "SO_ERROR", "0"),
    ] {
        assert_eq!(option(ours, section, name), value, "{section} {name}");
    }
}

#[test]
fn sockopts_defaults_are_the_kernels_settings_in_proc_sys() {
    let out = sockopts();
    let ours = options_part(&out);
    for (section, name, path, field) in [
        (TCP, "SO_RCVBUF", "/proc/sys/net/ipv4/tcp_rmem", 1),
        (TCP, "SO_SNDBUF", "/proc/sys/net/ipv4/tcp_wmem", 1),
        (UDP, "SO_RCVBUF", "/proc/sys/net/core/rmem_default", 0),
        (UDP, "SO_SNDBUF", "/proc/sys/net/core/wmem_default", 0),
        (TCP, "IP_TTL", "/proc/sys/net/ipv4/ip_default_ttl", 0),
        (UDP, "IP_TTL", "/proc/sys/net/ipv4/ip_default_ttl", 0),
        (TCP6, "IPV6_V6ONLY", "/proc/sys/net/ipv6/bindv6only", 0),
    ] {
        assert_eq!(
            option(ours, section, name),
            sysctl(path, field),
            "{section} {name} vs {path}"
        );
    }
}

#[test]
fn sockopts_connect_ex_to_a_closed_port_is_econnrefused_as_a_value_as_in_python() {
    let out = sockopts();
    let refused = out
        .lines()
        .find(|line| line.contains("connect_ex(") && !line.ends_with(" = 0"))
        .unwrap_or_else(|| panic!("no refused connect_ex in:\n{out}"));
    assert!(refused.ends_with(" = 111 (ConnectionRefused)"), "{refused}");
    // Python's connect_ex on a port where nothing listens: the same number, returned.
    let closed = closed_tcp_addr().port().to_string();
    let script = "import socket, sys, errno\n\
                  e = socket.socket().connect_ex(('127.0.0.1', int(sys.argv[1])))\n\
                  print(e, errno.errorcode[e])";
    assert_eq!(python(script, &[&closed]), "111 ECONNREFUSED\n");
}

#[test]
fn sockopts_non_blocking_recv_with_nothing_to_read_is_would_block() {
    let out = sockopts();
    assert_eq!(
        after(&out, "setblocking(False); recv(1024) -> "),
        "WouldBlock (errno 11)"
    );
}

#[test]
fn sockopts_recv_with_a_timeout_gives_up_after_the_timeout() {
    let out = sockopts();
    assert_eq!(
        after(&out, "settimeout(0.2); "),
        "gettimeout() = 0.2; recv(1024) -> WouldBlock (errno 11), waited 0.2 s: true"
    );
}

#[test]
fn sockopts_makefile_readline_splits_one_send_into_its_lines() {
    let out = sockopts();
    let lines: Vec<&str> = out
        .lines()
        .filter_map(|line| {
            line.trim_start()
                .strip_prefix("makefile('rb').readline() -> ")
        })
        .collect();
    assert_eq!(lines, [r"b'first line\n'", r"b'second line\n'"]);
}

#[test]
fn sockopts_after_shut_wr_the_peer_reads_the_end_and_the_reply_still_comes() {
    let out = sockopts();
    let start = out
        .find("client send(b'hello') = 5; shutdown(SHUT_WR)")
        .expect("the half-close");
    let half_close: Vec<&str> = out[start..].lines().take(4).map(str::trim).collect();
    assert_eq!(
        half_close,
        [
            "client send(b'hello') = 5; shutdown(SHUT_WR)",
            "server recv(1024) -> b'hello'",
            "server recv(1024) -> b'' (the client's FIN)",
            "client recv(1024) after its SHUT_WR -> b'HELLO'",
        ]
    );
}

/// `getsockname() = A getpeername() = B` of the line for `end`.
fn ends(out: &str, end: &str) -> (SocketAddr, SocketAddr) {
    let rest = after(out, &format!("{end} getsockname() = "));
    let (name, peer) = rest.split_once(" getpeername() = ").expect("both names");
    (
        name.parse().expect("an address"),
        peer.parse().expect("an address"),
    )
}

#[test]
fn sockopts_four_tuple_is_the_same_from_both_ends_mirrored() {
    let out = sockopts();
    let (client_name, client_peer) = ends(&out, "client");
    let (server_name, server_peer) = ends(&out, "server");
    assert_eq!(client_name, server_peer, "{out}");
    assert_eq!(client_peer, server_name, "{out}");
    assert!(client_name.ip().is_loopback() && server_name.ip().is_loopback());
    assert_ne!(client_name.port(), server_name.port());
    // accept() returned the client's address; the client connected to the listener's.
    assert_eq!(after(&out, "accept() -> conn, "), client_name.to_string());
    assert!(
        out.contains(&format!("connect_ex({server_name}) = 0\n")),
        "{out}"
    );
    let fd: i32 = after(&out, "client fileno() = ").parse().expect("a number");
    assert!(
        fd > 2,
        "a socket's fd comes after stdin, stdout and stderr: {fd}"
    );
}

#[test]
fn sockopts_setsockopt_and_udp_sendto_recvfrom_do_what_they_say() {
    let out = sockopts();
    assert_eq!(
        after(
            &out,
            "setsockopt(TCP_NODELAY, 1); getsockopt(TCP_NODELAY) = "
        ),
        "1"
    );
    let udp = after(
        &out,
        "udp sendto(b'ping', itself); recvfrom(1024) -> (b'ping', ",
    );
    let from: SocketAddr = udp.trim_end_matches(')').parse().expect("the sender");
    assert!(from.ip().is_loopback(), "{udp}");
}

#[test]
fn sockopts_refuses_arguments_with_its_usage() {
    let out = run(step("tcp_server", "sockopts", ["8080"]), b"", WAIT);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("usage: sockopts (no arguments)"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}
