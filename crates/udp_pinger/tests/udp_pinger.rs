//! The real `udp_pinger` binary on `--port 0`: the server driven by test-side
//! UDP sockets, the client against the real server and against fake servers
//! written here (late, duplicate and stray replies), and the heartbeat
//! exercise.

use std::collections::BTreeSet;
use std::net::{SocketAddr, UdpSocket};
use std::process::{Command, Output};
use std::time::Duration;

use testkit::{command, stderr, stdout, udp_ask, udp_recv, udp_socket, Process, Server};
use udp_pinger::heartbeat::Gap;
use udp_pinger::loss::Loss;

const BIN: &str = env!("CARGO_BIN_EXE_udp_pinger");
const WAIT: Duration = Duration::from_secs(20);

// ----------------------------------------------------------------- helpers

fn server(extra: &[&str]) -> Server {
    Server::start(testkit::server_command(BIN, &["server"], extra))
}

/// `udp_pinger ROLE --port PORT ARGS...`: a client or heartbeat sender of
/// the server at `addr`.
fn pinger(role: &str, addr: SocketAddr, args: &[&str]) -> Command {
    testkit::client_command(BIN, &[role], addr, args)
}

/// Runs `udp_pinger ROLE --port PORT ARGS...` to completion.
fn run(role: &str, addr: SocketAddr, args: &[&str]) -> Output {
    testkit::run(pinger(role, addr, args), b"", WAIT)
}

/// The sequence numbers of the client's `Request timed out` lines.
fn timed_out(output: &str) -> BTreeSet<u64> {
    testkit::numbers_after(output, "Request timed out for seq=")
}

/// The sequence numbers of the client's on-time `Reply from` lines.
fn replied(output: &str) -> BTreeSet<u64> {
    output
        .lines()
        .filter(|line| line.starts_with("Reply from ") && line.ends_with(" ms"))
        .map(|line| {
            let seq = line.split("seq=").nth(1).expect("seq=N");
            seq.split(' ').next().expect("N").parse().expect("a number")
        })
        .collect()
}

/// The message numbers `Loss` drops among the first `messages`.
fn dropped_by(mut loss: Loss, messages: u64) -> BTreeSet<u64> {
    (0..messages)
        .filter_map(|_| match loss.decide() {
            (num, Some(_)) => Some(num),
            (_, None) => None,
        })
        .collect()
}

/// Receives one ping; returns it upper-cased (the reply) and its sender.
fn next_ping(socket: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let (ping, peer) = udp_recv(socket);
    (ping.to_ascii_uppercase(), peer)
}

/// The one line of `log` that contains `needle`.
fn line_with<'a>(log: &'a str, needle: &str) -> &'a str {
    let found: Vec<&str> = log.lines().filter(|line| line.contains(needle)).collect();
    assert_eq!(found.len(), 1, "{needle:?} in:\n{log}");
    found[0]
}

// ------------------------------------------------------------------ server

#[test]
fn server_replies_upper_cased_like_message_upper() {
    let server = server(&[]);
    let socket = udp_socket(WAIT);
    assert_eq!(
        udp_ask(&socket, server.addr, b"Ping 1 1700000000.5"),
        b"PING 1 1700000000.5"
    );
    // bytes.upper() changes ASCII letters only: UTF-8 and other bytes go
    // back as they came.
    assert_eq!(
        udp_ask(&socket, server.addr, "你好 abc \u{ff}".as_bytes()),
        "你好 ABC \u{ff}".as_bytes()
    );
    assert_eq!(udp_ask(&socket, server.addr, b"\xff\xfeok"), b"\xff\xfeOK");
    let log = server.stop(WAIT);
    assert!(
        log.contains("shutting down: received 3, dropped 0, replied 3"),
        "{log}"
    );
}

#[test]
fn a_64_kib_datagram_and_an_empty_one_are_answered_and_the_server_keeps_serving() {
    let server = server(&[]);
    let socket = udp_socket(WAIT);
    // 65,507 bytes: the largest UDP payload over IPv4 (64 KiB less the
    // headers); the server's 65,536-byte buffer takes it whole.
    let big = vec![b'x'; 65_507];
    let reply = udp_ask(&socket, server.addr, &big);
    assert_eq!(reply.len(), big.len(), "not cut short");
    assert!(reply.iter().all(|&b| b == b'X'));

    assert_eq!(
        udp_ask(&socket, server.addr, b""),
        b"",
        "empty in, empty out"
    );
    assert_eq!(
        udp_ask(&socket, server.addr, b"still there?"),
        b"STILL THERE?"
    );
    let log = server.stop(WAIT);
    assert!(log.contains("(65507 bytes): replied"), "{log}");
    assert!(log.contains("#2 (empty datagram): replied"), "{log}");
    assert!(
        log.contains("shutting down: received 3, dropped 0, replied 3"),
        "{log}"
    );
}

#[test]
fn drop_every_3_drops_message_numbers_1_4_7_like_the_lab() {
    let server = server(&["--drop-every", "3"]);
    let socket = udp_socket(WAIT);
    for n in 1..=9 {
        socket
            .send_to(format!("message {n}").as_bytes(), server.addr)
            .expect("send");
    }
    let mut answered = BTreeSet::new();
    while answered.len() < 6 {
        let (reply, _) = udp_recv(&socket);
        answered.insert(testkit::text(&reply));
    }
    let expected: BTreeSet<String> = [2, 3, 5, 6, 8, 9]
        .iter()
        .map(|n| format!("MESSAGE {n}"))
        .collect();
    assert_eq!(answered, expected);
    let log = server.stop(WAIT);
    assert!(
        log.contains("dropping message numbers with num % 3 == 1"),
        "{log}"
    );
    assert!(
        log.contains("#4 \"message 4\": dropped (4 % 3 == 1)"),
        "{log}"
    );
    assert!(
        log.contains("shutting down: received 9, dropped 3, replied 6"),
        "{log}"
    );
}

#[test]
fn bad_server_options_are_usage_errors() {
    for args in [
        &["server", "--loss", "1.5"][..],
        &["server", "--loss", "NaN"],
        &["server", "--drop-every", "1"],
        &["server", "--delay-ms", "-5"],
        &["server", "--gone-after", "3"],
        &["server", "--heartbeat", "--interval", "0"],
    ] {
        let out = testkit::run(command(BIN, args), b"", WAIT);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    let out = testkit::run(command(BIN, ["server", "--loss", "2"]), b"", WAIT);
    assert!(
        stderr(&out).contains("'2' is not a probability: it must be from 0 to 1"),
        "{}",
        stderr(&out)
    );
}

// ------------------------------------------------------------------ client

#[test]
fn client_against_drop_every_3_times_out_exactly_on_1_4_7() {
    let server = server(&["--drop-every", "3"]);
    let out = run(
        "client",
        server.addr,
        &["--count", "9", "--interval", "0", "--timeout", "1"],
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert_eq!(timed_out(&text), BTreeSet::from([1, 4, 7]), "{text}");
    assert_eq!(replied(&text), BTreeSet::from([2, 3, 5, 6, 8, 9]), "{text}");
    assert!(
        text.contains(&format!("Reply from {}: seq=2 time=", server.addr)),
        "{text}"
    );
    assert!(
        text.contains(
            "\n9 packets transmitted, 6 received, 33.3333% packet loss\nrtt min/avg/max/mdev = "
        ),
        "{text}"
    );
}

#[test]
fn seeded_loss_gives_the_same_timeouts_as_the_loss_model() {
    let expected = dropped_by(Loss::new(0.3, None, 9), 10);
    assert!(
        !expected.is_empty() && expected.len() < 10,
        "seed 9 should lose some but not all: {expected:?}"
    );
    let server = server(&["--loss", "0.3", "--seed", "9"]);
    let out = run(
        "client",
        server.addr,
        &["--count", "10", "--interval", "0", "--timeout", "1"],
    );
    let text = stdout(&out);
    assert_eq!(timed_out(&text), expected, "{text}");
    let received = 10 - expected.len();
    assert!(
        text.contains(&format!("10 packets transmitted, {received} received, ")),
        "{text}"
    );
    let log = server.stop(WAIT);
    assert!(log.contains("(--seed 9 repeats this run)"), "{log}");
    for num in &expected {
        assert!(
            log.contains(&format!("#{num} \"Ping {num} ")),
            "{num} not logged: {log}"
        );
    }
}

#[test]
fn a_late_reply_for_an_earlier_ping_is_not_taken_for_the_current_one() {
    // The fake server answers nothing until ping 2 comes, then answers
    // ping 1 (late) before ping 2: the lab's client would print ping 1's
    // reply as the reply to ping 2.
    let (addr, fake) = testkit::fake_udp_server(WAIT, |socket| {
        let (first, _) = next_ping(&socket);
        let (second, client) = next_ping(&socket);
        socket.send_to(&first, client).expect("late reply");
        socket.send_to(&second, client).expect("reply");
    });
    let out = run(
        "client",
        addr,
        &["--count", "2", "--interval", "0", "--timeout", "0.5"],
    );
    fake.join().expect("fake server");
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    let lines: Vec<&str> = text.lines().skip(1).take(3).collect();
    assert_eq!(lines[0], "Request timed out for seq=1", "{text}");
    assert!(
        lines[1].starts_with(&format!("Reply from {addr}: seq=1 time="))
            && lines[1].ends_with(" ms (late: seq=1 had timed out)"),
        "{text}"
    );
    assert!(
        lines[2].starts_with(&format!("Reply from {addr}: seq=2 time="))
            && lines[2].ends_with(" ms"),
        "{text}"
    );
    assert!(
        text.contains("2 packets transmitted, 1 received, +1 late, 50% packet loss"),
        "{text}"
    );
}

#[test]
fn a_duplicate_reply_is_reported_dup_and_counted_apart() {
    let (addr, fake) = testkit::fake_udp_server(WAIT, |socket| {
        let (first, client) = next_ping(&socket);
        socket.send_to(&first, client).expect("reply");
        socket
            .send_to(&first, client)
            .expect("the same reply again");
        for _ in 0..2 {
            let (reply, client) = next_ping(&socket);
            socket.send_to(&reply, client).expect("reply");
        }
    });
    let out = run("client", addr, &["--count", "3", "--interval", "0"]);
    fake.join().expect("fake server");
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    let dups: Vec<&str> = text.lines().filter(|l| l.ends_with("(DUP!)")).collect();
    assert_eq!(dups.len(), 1, "{text}");
    assert!(dups[0].starts_with(&format!("Reply from {addr}: seq=1 time=")));
    assert_eq!(replied(&text), BTreeSet::from([1, 2, 3]), "{text}");
    assert!(
        text.contains("3 packets transmitted, 3 received, +1 duplicates, 0% packet loss"),
        "{text}"
    );
}

#[test]
fn stray_datagrams_and_replies_to_unsent_pings_are_ignored() {
    let (addr, fake) = testkit::fake_udp_server(WAIT, |socket| {
        let (reply, client) = next_ping(&socket);
        for junk in [&b"hello"[..], b"PING 99 1.0", b"\xff\xfe", b""] {
            socket.send_to(junk, client).expect("junk");
        }
        socket.send_to(&reply, client).expect("the real reply");
    });
    let out = run("client", addr, &["--count", "1"]);
    fake.join().expect("fake server");
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "Ignored a datagram from {addr} that is no reply to a ping: \"hello\""
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Ignored a reply from {addr} for seq=99, which was never sent"
        )),
        "{text}"
    );
    assert!(text.contains("(empty datagram)"), "{text}");
    assert!(
        text.contains("1 packets transmitted, 1 received, 0% packet loss"),
        "{text}"
    );
}

#[test]
fn delayed_replies_arrive_late_and_none_counts_for_a_later_ping() {
    // Every reply comes 500 ms after its ping, after the 400 ms timeout:
    // each is late, and none may be taken for the ping waited for then.
    let server = server(&["--delay-ms", "500"]);
    let out = run(
        "client",
        server.addr,
        &["--count", "3", "--interval", "0", "--timeout", "0.4"],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(timed_out(&text), BTreeSet::from([1, 2, 3]), "{text}");
    assert!(replied(&text).is_empty(), "{text}");
    assert!(
        text.contains("seq=1 time=") && text.contains("(late: seq=1 had timed out)"),
        "{text}"
    );
    assert!(
        text.contains("3 packets transmitted, 0 received, +"),
        "{text}"
    );
    assert!(!text.contains("rtt min/avg/max/mdev"), "{text}");
    let log = server.stop(WAIT);
    assert!(log.contains("#3 \"Ping 3 "), "{log}");
    assert!(log.contains("reply in 500 ms"), "{log}");
}

#[test]
fn no_server_means_port_unreachable_no_rtt_line_and_exit_1() {
    let port = {
        let socket = udp_socket(WAIT);
        socket.local_addr().expect("bound")
    }; // closed: nothing listens there now
    let out = run("client", port, &["--count", "2", "--interval", "0"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "Port unreachable for seq=1: nothing listens on {port} (is the server running?)"
        )),
        "{text}"
    );
    assert!(
        text.ends_with("2 packets transmitted, 0 received, 100% packet loss\n"),
        "no rtt line: {text}"
    );
    assert_eq!(
        stderr(&out),
        format!("error: no reply from {port} (100% packet loss)\n")
    );
}

#[test]
fn bad_client_options_are_usage_errors() {
    for (args, message) in [
        (&["--timeout", "-1"][..], "it must be 0 or more"),
        (&["--timeout", "0"], "too short"),
        (&["--interval", "NaN"], "it must be 0 or more"),
        (&["--interval", "soon"], "is not a number of seconds"),
        (&["--count", "-3"], "unexpected argument '-3'"),
    ] {
        let mut cmd = command(BIN, ["client"]);
        cmd.args(args);
        let out = testkit::run(cmd, b"", WAIT);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn ctrl_c_stops_the_client_with_the_statistics() {
    let server = server(&[]);
    let client = Process::start(pinger(
        "client",
        server.addr,
        &["--count", "0", "--interval", "0.05"],
    ));
    client.stdout.assert_shows("seq=3 ", WAIT);
    let text = client.stop(WAIT);
    assert!(text.contains("UDP ping statistics ---\n"), "{text}");
    assert!(text.contains("rtt min/avg/max/mdev = "), "{text}");
}

#[test]
fn help_names_the_lab_and_shows_examples() {
    let out = testkit::run(command(BIN, ["--help"]), b"", WAIT);
    assert!(out.status.success());
    let help = stdout(&out);
    assert!(help.contains("The UDP pinger lab"), "{help}");
    assert!(help.contains("udp_pinger server --drop-every 3"), "{help}");
    let out = testkit::run(command(BIN, ["client", "--help"]), b"", WAIT);
    let help = stdout(&out);
    assert!(
        help.contains("Exit status: 0 when at least one reply"),
        "{help}"
    );
    assert!(help.contains("--port <PORT>") && help.contains("[default: 12000]"));
}

// --------------------------------------------------------------- heartbeat

#[test]
fn the_server_reports_heartbeats_lost_to_seeded_loss_and_the_client_gone() {
    let dropped = dropped_by(Loss::new(0.4, None, 3), 8);
    let received: Vec<u64> = (1..=8).filter(|n| !dropped.contains(n)).collect();
    let last = *received.last().expect("some beats come through");
    assert!(
        dropped.iter().any(|&n| n < last) && received.len() >= 2,
        "seed 3 should lose some beats in the middle: {dropped:?}"
    );
    let server = server(&[
        "--heartbeat",
        "--interval",
        "0.2",
        "--gone-after",
        "5",
        "--loss",
        "0.4",
        "--seed",
        "3",
    ]);
    let out = run(
        "heartbeat",
        server.addr,
        &["--count", "8", "--interval", "0.2"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Heartbeat 8 sent"));

    // The client has stopped: its silence is noticed while the server waits
    // in recv_from.
    let gone = format!(
        " s after heartbeat {last} ({} received, {} lost before it)",
        received.len(),
        dropped.iter().filter(|&&n| n < last).count()
    );
    server.stdout.assert_shows(&gone, WAIT);
    let log = server.stop(WAIT);
    assert!(
        line_with(&log, &gone).contains(" gone: no heartbeat for "),
        "{log}"
    );

    for num in &dropped {
        let line = line_with(&log, &format!(" #{num} \"Heartbeat {num} "));
        assert!(line.ends_with(": dropped (random loss)"), "{line}");
    }
    // Each beat that came reports the gap before it, if any.
    let mut previous = 0;
    for &seq in &received {
        let new = if previous == 0 {
            " from a new client"
        } else {
            ""
        };
        let line = line_with(&log, &format!(" heartbeat {seq}{new}, one-way "));
        let gap = Gap {
            first: previous + 1,
            last: seq - 1,
        };
        if seq > previous + 1 {
            assert!(line.ends_with(&format!("; {gap}")), "{line}");
        } else {
            assert!(!line.contains("lost"), "{line}");
        }
        previous = seq;
    }
    assert!(
        log.contains(&format!(
            "shutting down: received 8, dropped {}, replied 0, heartbeats {}",
            dropped.len(),
            received.len()
        )),
        "{log}"
    );
}

#[test]
fn the_server_tells_gaps_duplicates_and_stragglers_apart() {
    let server = server(&["--heartbeat", "--interval", "0.5", "--gone-after", "2"]);
    let sender = udp_socket(WAIT);
    for seq in [1, 2, 5, 5, 3] {
        sender
            .send_to(
                format!("Heartbeat {seq} 1700000000.0").as_bytes(),
                server.addr,
            )
            .expect("send");
    }
    let me = sender.local_addr().expect("bound");
    let gone = format!("{me} gone: no heartbeat for ");
    server.stdout.assert_shows(&gone, WAIT);
    // In heartbeat mode, anything else is still answered as a ping.
    assert_eq!(udp_ask(&sender, server.addr, b"Ping 1 x"), b"PING 1 X");
    let log = server.stop(WAIT);
    for expected in [
        format!("{me} heartbeat 1 from a new client, one-way "),
        format!("{me} heartbeat 2, one-way "),
        "; lost heartbeats 3-4".to_string(),
        format!("{me} heartbeat 5: duplicate"),
        format!("{me} heartbeat 3: out of order (heartbeat 5 came before it)"),
        "after heartbeat 5 (3 received, 2 lost before it)".to_string(),
        "shutting down: received 6, dropped 0, replied 1, heartbeats 5".to_string(),
    ] {
        assert!(log.contains(&expected), "missing {expected:?} in:\n{log}");
    }
}

#[test]
fn ctrl_c_stops_the_heartbeat_sender() {
    let server = server(&["--heartbeat"]);
    let sender = Process::start(pinger("heartbeat", server.addr, &["--interval", "0.05"]));
    sender.stdout.assert_shows("Heartbeat 3 sent", WAIT);
    let text = sender.stop(WAIT);
    assert!(text.contains("heartbeats; a watching server"), "{text}");
    server.stdout.assert_shows(" heartbeat 3, one-way ", WAIT);
}
