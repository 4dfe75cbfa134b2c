//! The real `time_server` binary on `--port 0`: its UDP and TCP servers
//! driven by raw sockets, its client against them, and both against the
//! lesson's Python programs (`scripts/peers/time_*.py`).

use std::io::Read;
use std::net::SocketAddr;
use std::process::{Command, Output};
use std::time::Duration;

use chrono::{Local, NaiveDateTime, Timelike, Utc};
use testkit::{command, python_peer, stderr, stdout, tcp_connect, udp_recv, udp_socket, Server};

const BIN: &str = env!("CARGO_BIN_EXE_time_server");
const WAIT: Duration = Duration::from_secs(10);
/// The most one UDP datagram over IPv4 carries.
const MAX_DATAGRAM: usize = 65_507;
/// A zone eight hours east of UTC, as a POSIX TZ string (no tz database
/// needed), so "local" and "UTC" differ whatever zone the test machine is in.
const EAST_8: &str = "CST-8";

fn server(args: &[&str]) -> Command {
    testkit::server_command(BIN, &["server"], args)
}

fn start(args: &[&str]) -> Server {
    Server::start(server(args))
}

fn start_in_zone(args: &[&str], tz: &str) -> Server {
    let mut cmd = server(args);
    cmd.env("TZ", tz);
    Server::start(cmd)
}

/// Sends one datagram from a fresh socket and returns the answer.
fn ask(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    testkit::udp_ask(&udp_socket(WAIT), addr, request)
}

fn ask_text(addr: SocketAddr, request: &str) -> String {
    String::from_utf8(ask(addr, request.as_bytes())).expect("a UTF-8 answer")
}

/// The time now, in the process's local zone.
fn local_now() -> NaiveDateTime {
    Local::now().naive_local()
}

fn utc_now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// How far apart two processes' readings of the clock are allowed to be.
/// The server's reading comes after the test's `before`, but it can come
/// out a hair earlier (the two CPUs' clocks need not agree to the
/// nanosecond), and across a second's boundary that is a whole second in
/// the answer: CI once saw 22:56:06 after a `before` of 22:56:07.
fn clock_skew() -> chrono::Duration {
    chrono::Duration::milliseconds(50)
}

/// `text`, read with `format`, is a time between `before` and `after`
/// (whole seconds, give or take [`clock_skew`]): the answer is the
/// clock's, not just the right shape.
fn assert_time_between(text: &str, format: &str, before: NaiveDateTime, after: NaiveDateTime) {
    let at = NaiveDateTime::parse_from_str(text.trim(), format)
        .unwrap_or_else(|e| panic!("{text:?} is not {format}: {e}"));
    let second = |t: NaiveDateTime| t.with_nanosecond(0).expect("valid");
    let (at, low, high) = (
        second(at),
        second(before - clock_skew()),
        second(after + clock_skew()),
    );
    assert!(
        low <= at && at <= high,
        "{at} is not between {low} and {high}"
    );
}

/// Python's str(datetime): microseconds, six digits, only when non-zero.
fn assert_python_str(text: &str) {
    let (_, fraction) = text.split_once('.').unwrap_or((text, "123456"));
    assert!(
        fraction.len() == 6 && fraction.bytes().all(|b| b.is_ascii_digit()),
        "{text:?} does not end in six digits of microseconds"
    );
}

fn client(addr: SocketAddr, args: &[&str], input: &str) -> Output {
    testkit::run(
        testkit::client_command(BIN, &["client"], addr, args),
        input.as_bytes(),
        WAIT,
    )
}

fn run(args: &[&str]) -> Output {
    testkit::run(command(BIN, args), b"", WAIT)
}

// ------------------------------------------------------------ UDP server

#[test]
fn an_empty_datagram_gets_the_default_format() {
    let server = start(&[]);
    let before = local_now();
    let answer = ask_text(server.addr, "");
    assert_time_between(&answer, "%Y-%m-%d %H:%M:%S", before, local_now());
    assert_eq!(answer.len(), "2023-04-19 17:04:30".len(), "{answer:?}");
    // and it keeps serving
    assert!(ask_text(server.addr, "%Y").parse::<i32>().is_ok());
}

#[test]
fn percent_x_is_hours_minutes_seconds() {
    let server = start(&[]);
    let before = local_now();
    let answer = ask_text(server.addr, "%X");
    assert_eq!(answer.len(), 8, "{answer:?}");
    let date = before.format("%Y-%m-%d ").to_string();
    assert_time_between(&(date + &answer), "%Y-%m-%d %H:%M:%S", before, local_now());
}

#[test]
fn a_chinese_format_round_trips() {
    let server = start(&[]);
    let before = local_now();
    let answer = ask_text(server.addr, "%Y年%m月%d日 %H时%M分%S秒");
    assert_time_between(&answer, "%Y年%m月%d日 %H时%M分%S秒", before, local_now());
}

#[test]
fn bad_formats_get_error_answers_and_the_server_keeps_serving() {
    let server = start(&[]);
    let cases: [(&[u8], &str); 4] = [
        (b"%Q", "error: '%Q' (at byte 0) is not a strftime directive"),
        (b"%Y-%m-%", "error: a lone '%' ends the format"),
        (
            b"%#z",
            "error: '%#' (at byte 0) is not a strftime directive",
        ),
        (b"\xff\xfe%Y", "error: the format is not UTF-8 text"),
    ];
    for (request, expected) in cases {
        let answer = String::from_utf8(ask(server.addr, request)).expect("UTF-8");
        assert!(answer.starts_with(expected), "{request:?} → {answer:?}");
        assert!(
            ask_text(server.addr, "%Y").parse::<i32>().is_ok(),
            "still serving"
        );
    }
    // Control characters are plain text to strftime: they come back as sent.
    assert_eq!(ask(server.addr, b"\0\x1b[2J"), b"\0\x1b[2J");
    let log = server.stop(WAIT);
    assert!(
        log.contains("answered 9 requests, 4 of them with an error"),
        "{log}"
    );
    assert!(
        log.contains("asked for '\\u{0}\\u{1b}[2J'"),
        "escaped in the log: {log}"
    );
}

#[test]
fn ten_kb_of_percent_y_fits_in_a_datagram_sixty_kb_does_not() {
    let server = start(&[]);
    let year_before = Local::now().format("%Y").to_string();
    let answer = ask_text(server.addr, &"%Y".repeat(5 * 1024));
    let year_after = Local::now().format("%Y").to_string();
    assert_eq!(answer.len(), 20 * 1024);
    assert!(
        answer == year_before.repeat(5 * 1024) || answer == year_after.repeat(5 * 1024),
        "every %Y became the year"
    );

    let answer = ask_text(server.addr, &"%Y".repeat(30 * 1024));
    assert!(answer.len() <= MAX_DATAGRAM);
    assert_eq!(
        answer,
        "error: the time in this format would be longer than one datagram can carry \
         (65507 bytes); use a shorter format"
    );
    assert!(
        ask_text(server.addr, "%Y").parse::<i32>().is_ok(),
        "still serving"
    );
}

#[test]
fn a_maximum_size_datagram_is_read_whole() {
    let server = start(&[]);
    // Plain text renders as itself: the answer is the request, all of it.
    let request: Vec<u8> = (0..MAX_DATAGRAM).map(|i| b'a' + (i % 26) as u8).collect();
    let answer = ask(server.addr, &request);
    assert_eq!(answer.len(), MAX_DATAGRAM);
    assert!(answer == request, "the 65,507-byte answer differs");
    assert!(
        ask_text(server.addr, "%Y").parse::<i32>().is_ok(),
        "still serving"
    );
}

#[test]
fn the_server_tells_local_time_or_utc_with_utc() {
    let local = start_in_zone(&[], EAST_8);
    assert_eq!(ask_text(local.addr, "%z"), "+0800");
    let utc = start_in_zone(&["--utc"], EAST_8);
    assert_eq!(ask_text(utc.addr, "%z %Z"), "+0000 UTC");
    let before = utc_now();
    let answer = ask_text(utc.addr, "");
    assert_time_between(&answer, "%Y-%m-%d %H:%M:%S", before, utc_now());
}

#[test]
fn ctrl_c_stops_the_udp_server_with_a_summary() {
    let server = start(&[]);
    ask(server.addr, b"%Y");
    ask(server.addr, b"%Q");
    ask(server.addr, b"");
    let log = server.stop(WAIT);
    assert!(log.contains("asked for '%Y': "), "{log}");
    assert!(
        log.contains("asked with an empty datagram (the default, %Y-%m-%d %X)"),
        "{log}"
    );
    assert!(
        log.contains("shutting down: answered 3 requests, 1 of them with an error"),
        "{log}"
    );
}

// ------------------------------------------------------------ TCP server

fn read_daytime(addr: SocketAddr) -> String {
    let mut stream = tcp_connect(addr, WAIT);
    let mut text = String::new();
    stream
        .read_to_string(&mut text)
        .expect("the time, then the close");
    text
}

#[test]
fn the_tcp_server_sends_str_datetime_now_and_closes() {
    let server = start(&["--proto", "tcp"]);
    for _ in 0..2 {
        let before = local_now();
        let text = read_daytime(server.addr);
        assert_python_str(&text);
        assert_time_between(&text, "%Y-%m-%d %H:%M:%S%.f", before, local_now());
    }
    let log = server.stop(WAIT);
    assert!(log.contains("connected; sent "), "{log}");
    assert!(log.contains("shutting down: served 2 clients"), "{log}");
}

#[test]
fn the_tcp_server_with_utc_says_plus_zero() {
    let server = start_in_zone(&["--proto", "tcp", "--utc"], EAST_8);
    let before = utc_now();
    let text = read_daytime(server.addr);
    let naive = text.strip_suffix("+00:00").expect("an aware UTC time");
    assert_python_str(naive);
    assert_time_between(naive, "%Y-%m-%d %H:%M:%S%.f", before, utc_now());
}

// ------------------------------------------------------------ client

#[test]
fn the_client_asks_once_with_format() {
    let server = start(&[]);
    let before = local_now();
    let out = client(server.addr, &["--format", "%Y-%m-%d %H:%M:%S"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_time_between(&stdout(&out), "%Y-%m-%d %H:%M:%S", before, local_now());
}

#[test]
fn the_client_loop_sends_each_line_even_an_empty_one_until_quit() {
    let server = start(&[]);
    let before = local_now();
    let out = client(server.addr, &[], "%Y\n\n%Q\nquit\n%m\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].parse::<i32>().is_ok(), "{text}");
    assert_time_between(lines[1], "%Y-%m-%d %H:%M:%S", before, local_now());
    assert!(lines[2].starts_with("error: '%Q'"), "{text}");
    let log = server.stop(WAIT);
    assert!(
        log.contains("answered 3 requests"),
        "nothing after quit: {log}"
    );
}

#[test]
fn a_one_shot_error_answer_exits_1() {
    let server = start(&[]);
    let out = client(server.addr, &["-f", "%Q"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: the server could not use the format: '%Q' (at byte 0) is not a strftime \
         directive (write %% for a percent sign)\n"
    );
}

#[test]
fn no_answer_is_one_line_and_exit_1() {
    let silent = udp_socket(WAIT);
    let addr = silent.local_addr().expect("bound");
    let out = client(addr, &["--format", "%Y", "--timeout", "1"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("error: no answer from {addr} within 1 s; is the time server running?\n")
    );
    assert!(stdout(&out).is_empty());
    // The loop gives up the same way.
    let out = client(addr, &["--timeout", "1"], "%Y\n%m\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no answer from"), "{}", stderr(&out));
}

#[test]
fn a_datagram_from_someone_else_is_not_the_answer() {
    let intruder = udp_socket(WAIT);
    let intruder_addr = intruder.local_addr().expect("bound");
    let (addr, responder) = testkit::fake_udp_server(WAIT, move |fake| {
        let (question, client) = udp_recv(&fake);
        assert_eq!(question, b"%Y");
        intruder.send_to(b"1999", client).expect("send");
        fake.send_to(b"2024", client).expect("send");
    });
    let out = client(addr, &["--format", "%Y"], "");
    responder.join().expect("the fake server answered");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "2024\n");
    assert_eq!(
        stderr(&out),
        format!("ignored 4 bytes from {intruder_addr}: not the server\n")
    );
}

#[test]
fn the_client_with_utc_shows_utc_whatever_the_servers_zone() {
    let server = start_in_zone(&[], EAST_8);
    let before = utc_now();
    let out = client(server.addr, &["--utc", "--format", ""], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_time_between(&stdout(&out), "%Y-%m-%d %H:%M:%S", before, utc_now());
    let out = client(server.addr, &["--utc", "--format", "%Z"], "");
    assert_eq!(stdout(&out), "UTC\n");
    // The client applies the format, so a bad one is a usage error.
    let out = client(server.addr, &["--utc", "--format", "%Q"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: '%Q'"), "{}", stderr(&out));
    let log = server.stop(WAIT);
    assert!(log.contains("asked for '%Y-%m-%d %H:%M:%S %z'"), "{log}");
    assert!(log.contains("answered 2 requests"), "{log}");
}

#[test]
fn the_tcp_client_prints_the_daytime() {
    let server = start(&["--proto", "tcp"]);
    let before = local_now();
    let out = client(server.addr, &["--proto", "tcp"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_python_str(text.trim_end());
    assert_time_between(&text, "%Y-%m-%d %H:%M:%S%.f", before, local_now());

    let out = client(server.addr, &["--proto", "tcp", "--utc"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot be shown in UTC; start the server with --utc"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_tcp_client_with_utc_converts_an_aware_time() {
    let server = start_in_zone(&["--proto", "tcp", "--utc"], EAST_8);
    let before = utc_now();
    let mut cmd =
        testkit::client_command(BIN, &["client"], server.addr, &["--proto", "tcp", "--utc"]);
    cmd.env("TZ", EAST_8);
    let out = testkit::run(cmd, b"", WAIT);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let naive = text.trim_end().strip_suffix("+00:00").expect("UTC");
    assert_time_between(naive, "%Y-%m-%d %H:%M:%S%.f", before, utc_now());
}

#[test]
fn client_usage_errors_exit_2() {
    let out = run(&["client", "--proto", "tcp", "--format", "%Y"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: --format needs --proto udp"),
        "{}",
        stderr(&out)
    );
    let out = run(&["client", "--timeout", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_tcp_client_without_a_server_exits_1() {
    let port = testkit::closed_tcp_addr().port().to_string();
    let out = run(&["client", "--proto", "tcp", "--port", &port]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).ends_with("connection refused; is the server running?\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn net_arguments_go_before_or_after_the_role() {
    let server = Server::start(command(BIN, ["--port", "0", "server"]));
    let port = server.addr.port().to_string();
    let out = run(&["--port", &port, "client", "-f", "%Y"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).trim().parse::<i32>().is_ok());
}

#[test]
fn help_names_the_lesson_with_examples() {
    for args in [
        &["--help"][..],
        &["server", "--help"],
        &["client", "--help"],
    ] {
        let out = run(args);
        assert!(out.status.success());
        let help = stdout(&out);
        assert!(help.contains("Examples:"), "{help}");
        assert!(help.contains("--port"), "{help}");
    }
    let out = run(&["--help"]);
    assert!(stdout(&out).contains("time-server lesson (时间服务器)"));
}

// ------------------------------------------------------------ interop

fn python_server(proto: &str) -> Server {
    let mut cmd = python_peer("time_server.py", &["--port", "0", "--proto", proto]);
    cmd.env("TZ", EAST_8);
    Server::start(cmd)
}

fn python_client(addr: SocketAddr, proto: &str, input: &str) -> String {
    let port = addr.port().to_string();
    let cmd = python_peer("time_client.py", &["--port", &port, "--proto", proto]);
    testkit::run_ok(cmd, input.as_bytes(), WAIT)
}

#[test]
fn the_lesson_udp_client_talks_to_this_server() {
    let server = start(&[]);
    let before = local_now();
    let text = python_client(server.addr, "udp", "%Y-%m-%d\n\n%Q\n");
    let answers: Vec<&str> = text
        .lines()
        .map(|l| {
            l.strip_prefix("ntp服务器的标准时间是 ")
                .expect("the lesson's words")
        })
        .collect();
    assert_eq!(answers.len(), 3, "{text}");
    assert_eq!(answers[0], before.format("%Y-%m-%d").to_string());
    assert_time_between(answers[1], "%Y-%m-%d %H:%M:%S", before, local_now());
    assert!(answers[2].starts_with("error: '%Q'"), "{text}");
}

#[test]
fn the_lesson_tcp_client_talks_to_this_server() {
    let server = start(&["--proto", "tcp"]);
    let before = local_now();
    let text = python_client(server.addr, "tcp", "");
    assert_python_str(text.trim_end());
    assert_time_between(&text, "%Y-%m-%d %H:%M:%S%.f", before, local_now());
}

#[test]
fn this_client_talks_to_the_lesson_udp_server() {
    let server = python_server("udp");
    // The Python server runs eight hours east of UTC.
    let before = utc_now() + chrono::Duration::hours(8);
    let out = client(server.addr, &["--format", "%Y-%m-%d %H:%M:%S"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let after = utc_now() + chrono::Duration::hours(8);
    assert_time_between(&stdout(&out), "%Y-%m-%d %H:%M:%S", before, after);

    let out = client(server.addr, &[], "\n%z\n");
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_time_between(
        lines[0],
        "%Y-%m-%d %H:%M:%S",
        before,
        utc_now() + chrono::Duration::hours(8),
    );
    assert_eq!(lines[1], "+0800", "{text}");

    // --utc asks the lesson's server for %z and converts.
    let before = utc_now();
    let out = client(server.addr, &["--utc", "-f", ""], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_time_between(&stdout(&out), "%Y-%m-%d %H:%M:%S", before, utc_now());
}

#[test]
fn this_client_talks_to_the_lesson_tcp_server() {
    let server = python_server("tcp");
    let before = utc_now() + chrono::Duration::hours(8);
    let out = client(server.addr, &["--proto", "tcp"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_python_str(text.trim_end());
    let after = utc_now() + chrono::Duration::hours(8);
    assert_time_between(&text, "%Y-%m-%d %H:%M:%S%.f", before, after);
}
