//! The time-server lesson's steps (`examples/time_*`), each run against the
//! Python peer of the lesson program it follows, and each showing its own
//! point.

use std::fs;
use std::io::Read;
use std::net::{IpAddr, ToSocketAddrs};

use std::time::Duration;

use testkit::{python_peer, run_ok, step, tcp_connect, udp_ask, udp_socket, Server};

const WAIT: Duration = Duration::from_secs(10);

/// A step of this package as a server on a free port.
fn server(name: &str) -> Server {
    Server::start(step("time_server", name, ["0"]))
}

/// `text` with every digit made a `9`: the shape of a time, whatever the
/// time is.
fn shape(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect()
}

/// The shape of `%Y-%m-%d %X`, the empty datagram's default.
const DEFAULT_SHAPE: &str = "9999-99-99 99:99:99";

// ---- time_1: a strftime format per datagram

#[test]
fn time_1_udp_server_answers_the_lessons_python_client() {
    let server = server("time_1_udp_server");
    let port = server.addr.port().to_string();
    let out = run_ok(
        python_peer("time_client.py", &["--port", &port]),
        "%Y\n\n%H:%M\n%Y年%m月%d日\n".as_bytes(),
        WAIT,
    );
    let shown: Vec<String> = out.lines().map(shape).collect();
    assert_eq!(
        shown,
        [
            "ntp服务器的标准时间是 9999",
            &format!("ntp服务器的标准时间是 {DEFAULT_SHAPE}"),
            "ntp服务器的标准时间是 99:99",
            "ntp服务器的标准时间是 9999年99月99日",
        ],
        "{out}"
    );
    server.stdout.assert_shows("b''\n", WAIT);
    server.stdout.assert_shows(
        "b'%Y\\xe5\\xb9\\xb4%m\\xe6\\x9c\\x88%d\\xe6\\x97\\xa5'\n",
        WAIT,
    );
}

#[test]
fn time_1_udp_server_answers_an_empty_datagram_in_the_default_format() {
    let server = server("time_1_udp_server");
    let client = udp_socket(WAIT);
    let answer = String::from_utf8(udp_ask(&client, server.addr, b"")).expect("UTF-8");
    assert_eq!(shape(&answer), DEFAULT_SHAPE, "{answer:?}");
    chrono::NaiveDateTime::parse_from_str(&answer, "%Y-%m-%d %H:%M:%S")
        .unwrap_or_else(|e| panic!("{answer:?} is not a date and time: {e}"));
}

#[test]
fn time_1_udp_server_survives_formats_chrono_cannot_render() {
    // Python's strftime passes %Q through; chrono's to_string() would
    // panic on it. The step answers with an error and goes on serving.
    let server = server("time_1_udp_server");
    let client = udp_socket(WAIT);
    for bad in ["%Q", "%", "%Y %Q"] {
        let answer =
            String::from_utf8(udp_ask(&client, server.addr, bad.as_bytes())).expect("UTF-8");
        assert_eq!(
            answer,
            format!("error: chrono cannot render the format {bad:?}")
        );
    }
    let answer = String::from_utf8(udp_ask(&client, server.addr, b"%Y")).expect("UTF-8");
    assert_eq!(shape(&answer), "9999", "{answer:?}");
}

#[test]
fn time_1_udp_client_talks_to_the_lessons_python_server() {
    let server = Server::start(python_peer("time_server.py", &["--port", "0"]));
    let port = server.addr.port().to_string();
    let out = run_ok(
        step("time_server", "time_1_udp_client", [&port]),
        "%Y\n\n  %H:%M  \n".as_bytes(),
        WAIT,
    );
    assert_eq!(
        shape(&out),
        format!(
            ">>: ntp服务器的标准时间是 9999\n\
             >>: ntp服务器的标准时间是 {DEFAULT_SHAPE}\n\
             >>: ntp服务器的标准时间是 99:99\n>>: "
        ),
        "{out}"
    );
    // The empty line went out as a datagram of 0 bytes.
    server.stdout.assert_shows("received b'' from", WAIT);
}

// ---- time_2: the TCP time server of 002, bound to gethostname()

/// The machine's host name, as the steps read it, when it resolves to a
/// loopback address (the tests touch loopback only); `None` otherwise.
fn host_on_loopback() -> Option<String> {
    let host = fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let host = host.trim().to_string();
    let ips: Vec<IpAddr> = (host.as_str(), 0)
        .to_socket_addrs()
        .ok()?
        .map(|addr| addr.ip())
        .collect();
    if !ips.is_empty() && ips.iter().all(IpAddr::is_loopback) {
        return Some(host);
    }
    eprintln!("skipped: the host name {host:?} resolves to {ips:?}, not to loopback only");
    None
}

/// `str(datetime.now())`: `2026-12-03 10:15:00.123456`, or without the
/// fraction when the microseconds are 0.
fn assert_python_now(text: &str) {
    let shape = shape(text);
    assert!(
        shape == "9999-99-99 99:99:99.999999" || shape == DEFAULT_SHAPE,
        "not str(datetime.now()): {text:?}"
    );
}

#[test]
fn time_2_tcp_server_sends_the_time_and_closes() {
    if host_on_loopback().is_none() {
        return;
    }
    let server = server("time_2_tcp_server");
    server.stdout.assert_shows("服务器启动开始监听……\n", WAIT);
    let mut client = tcp_connect(server.addr, WAIT);
    let mut sent = String::new();
    client
        .read_to_string(&mut sent)
        .expect("the time, then the end of the stream");
    assert_python_now(&sent);
    let me = client.local_addr().expect("bound");
    server.stdout.assert_shows(
        &format!("('{}', {})连接到了服务器.\n", me.ip(), me.port()),
        WAIT,
    );
}

#[test]
fn time_2_tcp_server_answers_the_lessons_python_client() {
    let Some(host) = host_on_loopback() else {
        return;
    };
    let server = server("time_2_tcp_server");
    let port = server.addr.port().to_string();
    let out = run_ok(
        python_peer(
            "time_client.py",
            &["--proto", "tcp", "--host", &host, "--port", &port],
        ),
        b"",
        WAIT,
    );
    assert_python_now(out.strip_suffix('\n').unwrap_or(&out));
}

#[test]
fn time_2_tcp_client_talks_to_the_lessons_python_server() {
    let Some(host) = host_on_loopback() else {
        return;
    };
    let server = Server::start(python_peer(
        "time_server.py",
        &["--proto", "tcp", "--host", &host, "--port", "0"],
    ));
    let port = server.addr.port().to_string();
    let out = run_ok(step("time_server", "time_2_tcp_client", [&port]), b"", WAIT);
    assert_python_now(out.strip_suffix('\n').unwrap_or(&out));
    server.stdout.assert_shows("connected", WAIT);
}

#[test]
fn time_2_tcp_client_and_server_talk() {
    if host_on_loopback().is_none() {
        return;
    }
    let server = server("time_2_tcp_server");
    let port = server.addr.port().to_string();
    let out = run_ok(step("time_server", "time_2_tcp_client", [&port]), b"", WAIT);
    assert_python_now(out.strip_suffix('\n').unwrap_or(&out));
    server.stdout.assert_shows("连接到了服务器.", WAIT);
}
