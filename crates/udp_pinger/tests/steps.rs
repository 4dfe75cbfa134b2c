//! The UDP pinger lab's steps (`examples/ping_*`), each run against the
//! Python peers of the lab's programs, and each showing its own point.

use std::collections::BTreeSet;
use std::net::UdpSocket;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use testkit::{
    fake_udp_server, python_peer, run, run_ok, stderr, step, udp_recv, udp_socket, Process, Server,
};

const WAIT: Duration = Duration::from_secs(30);

fn set(numbers: &[u64]) -> BTreeSet<u64> {
    numbers.iter().copied().collect()
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs_f64()
}

// ---- ping_1: the lab's server

#[test]
fn ping_1_server_answers_4_of_6_pings_of_the_labs_python_client() {
    let server = Server::start(step("udp_pinger", "ping_1_server", ["0"]));
    let port = server.addr.port().to_string();
    let out = run_ok(
        python_peer("udp_pinger_client.py", &["--port", &port, "--count", "6"]),
        b"",
        WAIT,
    );
    // num % 3 == 1: messages 1 and 4 get no reply.
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6, "{out}");
    let mut answered = BTreeSet::new();
    for (seq, line) in (1..).zip(&lines) {
        if *line == format!("Sequence {seq}: Request timed out.") {
            continue;
        }
        let reply = format!("Sequence {seq}: Reply from 127.0.0.1    RTT = ");
        assert!(line.starts_with(&reply), "{line}");
        assert!(
            line.contains(&format!("s    PING {seq} ")),
            "upper-cased: {line}"
        );
        answered.insert(seq);
    }
    assert_eq!(answered, set(&[2, 3, 5, 6]), "{out}");
}

#[test]
fn ping_1_server_upper_cases_cuts_at_1024_bytes_and_stops_at_its_8th_message() {
    let server = Server::start(step("udp_pinger", "ping_1_server", ["0"]));
    let socket = udp_socket(Duration::from_secs(10));
    let long = format!("ping 5 {}", "x".repeat(2000));
    let messages: Vec<String> = (1..=8)
        .map(|i| match i {
            3 => "ping 3 héllo".to_string(),
            5 => long.clone(),
            _ => format!("ping {i}"),
        })
        .collect();
    for message in &messages {
        socket
            .send_to(message.as_bytes(), server.addr)
            .expect("send");
    }
    let expected = [
        "PING 2".to_string(),
        "PING 3 HéLLO".to_string(), // bytes.upper(): ASCII letters only
        long[..1024].to_ascii_uppercase(), // recvfrom(1024): the rest is gone
        "PING 6".to_string(),
    ];
    for want in expected {
        let (reply, from) = udp_recv(&socket);
        assert_eq!(from, server.addr);
        assert_eq!(String::from_utf8_lossy(&reply), want);
    }
    // The 8th message: no reply, and the server is gone (exit 0), having
    // printed nothing but where it listened.
    let log = server.finish_ok(WAIT);
    assert_eq!(log.lines().count(), 1, "{log}");
    socket
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    let mut buf = [0; 64];
    assert!(socket.recv_from(&mut buf).is_err(), "a reply to 7 or 8");
}

// ---- ping_2: the lab's client, and the exercise's statistics

/// Checks ping_2's output: a reply for each of `answered` (of 9), a timeout
/// for each other, then the statistics.
fn assert_pings(out: &str, answered: &[u64]) {
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        9 + 1 + usize::from(!answered.is_empty()),
        "{out}"
    );
    for (seq, line) in (1..=9).zip(&lines) {
        if answered.contains(&seq) {
            let rtt = line
                .strip_prefix(&format!("Sequence {seq}: Reply from 127.0.0.1    RTT = "))
                .and_then(|rest| rest.strip_suffix('s'))
                .unwrap_or_else(|| panic!("{line}"));
            assert!(rtt.parse::<f64>().is_ok_and(|rtt| rtt < 1.0), "{line}");
        } else {
            assert_eq!(*line, format!("Sequence {seq}: Request timed out."));
        }
    }
    let received = answered.len();
    let loss = (9 - received) as f64 * 100.0 / 9.0;
    assert_eq!(
        lines[9],
        format!("9 packets transmitted, {received} received, {loss:.1}% packet loss")
    );
    if let Some(rtt) = lines.get(10) {
        let ms = rtt
            .strip_prefix("rtt min/avg/max = ")
            .and_then(|rest| rest.strip_suffix(" ms"))
            .unwrap_or_else(|| panic!("{rtt}"));
        let ms: Vec<f64> = ms.split('/').map(|x| x.parse().expect(x)).collect();
        assert!(ms.len() == 3 && ms[0] <= ms[1] && ms[1] <= ms[2], "{rtt}");
    }
}

#[test]
fn ping_2_client_times_out_where_the_labs_python_server_drops_and_stops() {
    // Dropped: 1, 4, 7; the server quits at the 8th, so 8 and 9 time out too.
    let server = Server::start(python_peer("udp_pinger_server.py", &["--port", "0"]));
    let port = server.addr.port().to_string();
    let out = run_ok(step("udp_pinger", "ping_2_client", [&port]), b"", WAIT);
    assert_pings(&out, &[2, 3, 5, 6]);
    assert!(out.contains("9 packets transmitted, 4 received, 55.6% packet loss"));
    server.stdout.assert_shows("stopped after 8 messages", WAIT);
}

#[test]
fn ping_2_client_against_ping_1_server() {
    let server = Server::start(step("udp_pinger", "ping_1_server", ["0"]));
    let port = server.addr.port().to_string();
    let out = run_ok(step("udp_pinger", "ping_2_client", [&port]), b"", WAIT);
    assert_pings(&out, &[2, 3, 5, 6]);
    server.finish_ok(WAIT);
}

#[test]
fn ping_2_client_sends_the_labs_pings_and_counts_every_reply() {
    let (addr, pings) = fake_udp_server(Duration::from_secs(10), |socket: UdpSocket| {
        let mut pings = Vec::new();
        for _ in 0..9 {
            let (ping, from) = udp_recv(&socket);
            socket
                .send_to(&ping.to_ascii_uppercase(), from)
                .expect("reply");
            pings.push((String::from_utf8(ping).expect("UTF-8"), unix_now()));
        }
        pings
    });
    let port = addr.port().to_string();
    let out = run_ok(step("udp_pinger", "ping_2_client", [&port]), b"", WAIT);
    assert_pings(&out, &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (seq, (ping, received_at)) in (1..).zip(pings.join().expect("the fake server")) {
        let time = ping
            .strip_prefix(&format!("Ping {seq} "))
            .unwrap_or_else(|| panic!("{ping}"));
        // time.time() as %s shows it: a float with its fraction.
        let time: f64 = time.parse().unwrap_or_else(|e| panic!("{ping}: {e}"));
        assert!(
            ping.contains('.') && (received_at - time).abs() < 5.0,
            "{ping}"
        );
    }
}

// ---- ping_3: the heartbeat

/// The heartbeat server's lines, the one-way figure cut out (it varies).
fn heartbeat_lines(log: &str) -> Vec<String> {
    log.lines()
        .skip(1) // listening on ...
        .map(|line| {
            let (_addr, rest) = line.split_once(' ').unwrap_or(("", line));
            match rest.split_once(", one-way ") {
                Some((beat, after)) => {
                    let lost = after.split_once(" ms").map_or("", |(_, lost)| lost);
                    format!("{beat}{lost}")
                }
                None => rest.to_string(),
            }
        })
        .collect()
}

#[test]
fn ping_3_server_reports_the_beats_lost_and_the_clients_departure() {
    let server = Server::start(step("udp_pinger", "ping_3_heartbeat", ["server", "0"]));
    let port = server.addr.port().to_string();
    // Seven beats 0.1 s apart, 5 never sent; the server drops messages 1
    // and 4 (beats 1 and 4), as the lab's num % 3 == 1.
    let args = [
        "--port",
        &port,
        "--count",
        "7",
        "--interval",
        "0.1",
        "--skip",
        "5",
    ];
    run_ok(python_peer("ping_heartbeat_client.py", &args), b"", WAIT);
    server.stdout.assert_shows(" gone: ", WAIT);
    let log = server.stdout.text();
    assert_eq!(
        heartbeat_lines(&log),
        [
            "heartbeat 2; lost heartbeat 1",
            "heartbeat 3",
            "heartbeat 6; lost heartbeats 4-5",
            "heartbeat 7",
            "gone: silent for 1.5 s after heartbeat 7",
        ],
        "{log}"
    );
    // The one-way delay: from this machine's clock to itself, well under a second.
    let one_way = log
        .split(", one-way ")
        .skip(1)
        .map(|rest| rest.split(' ').next().and_then(|ms| ms.parse::<f64>().ok()));
    assert!(one_way.clone().count() == 4, "{log}");
    assert!(one_way
        .into_iter()
        .all(|ms| ms.is_some_and(|ms| (0.0..1000.0).contains(&ms))));
}

#[test]
fn ping_3_server_takes_late_beats_and_garbage_in_its_stride() {
    let server = Server::start(step("udp_pinger", "ping_3_heartbeat", ["server", "0"]));
    let socket = udp_socket(Duration::from_secs(10));
    let now = unix_now();
    for message in [
        "dropped: message 1".to_string(),
        format!("Heartbeat 3 {now}"),
        format!("Heartbeat 2 {now}"),
        "dropped: message 4".to_string(),
        "hello \u{ff}".to_string(),
        "Heartbeat 18446744073709551615 nan".to_string(),
        "dropped: message 7".to_string(),
        "Heartbeat 0 0".to_string(),
    ] {
        socket
            .send_to(message.as_bytes(), server.addr)
            .expect("send");
    }
    server.stdout.assert_shows(" gone: ", WAIT);
    let log = server.stdout.text();
    assert_eq!(
        heartbeat_lines(&log),
        [
            "heartbeat 3; lost heartbeats 1-2",
            "heartbeat 2: late or twice (heartbeat 3 came before it)",
            "not a heartbeat: \"hello \u{ff}\"",
            "heartbeat 18446744073709551615; lost heartbeats 4-18446744073709551614",
            "heartbeat 0: late or twice (heartbeat 18446744073709551615 came before it)",
            "gone: silent for 1.5 s after heartbeat 18446744073709551615",
        ],
        "{log}"
    );
}

#[test]
fn ping_3_client_beats_to_the_python_heartbeat_server_until_it_stops() {
    let server = Server::start(python_peer("ping_heartbeat_server.py", &["--port", "0"]));
    let port = server.addr.port().to_string();
    let client = Process::start(step("udp_pinger", "ping_3_heartbeat", ["client", &port]));
    server.stdout.assert_shows(" heartbeat 3, one-way ", WAIT);
    drop(client); // killed: the application has stopped
    server.stdout.assert_shows(" gone: silent for ", WAIT);
    let log = server.stdout.text();
    // Each datagram as Python prints it: b'Heartbeat <seq> <time.time()>'.
    let beats: Vec<&str> = log.lines().filter(|l| l.starts_with("b'")).collect();
    assert!(beats.len() >= 3, "{log}");
    for (seq, beat) in (1..).zip(&beats) {
        let time = beat
            .strip_prefix(&format!("b'Heartbeat {seq} "))
            .and_then(|rest| rest.strip_suffix('\''))
            .unwrap_or_else(|| panic!("{beat}"));
        let time: f64 = time.parse().unwrap_or_else(|e| panic!("{beat}: {e}"));
        assert!((unix_now() - time).abs() < 30.0, "{beat}");
    }
    assert!(!log.contains("lost"), "{log}");
    let last = beats.len();
    assert!(log.contains(&format!(" after heartbeat {last}\n")), "{log}");
}

#[test]
fn ping_3_heartbeat_says_how_to_call_it() {
    for args in [&[][..], &["both"], &["server", "x"], &["client", "70000"]] {
        let out = run(step("udp_pinger", "ping_3_heartbeat", args), b"", WAIT);
        assert!(!out.status.success(), "{args:?}: {out:?}");
        assert!(
            stderr(&out).contains("usage: ping_3_heartbeat {server,client} [PORT]"),
            "{args:?}: {out:?}"
        );
    }
}
