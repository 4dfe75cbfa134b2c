//! The real `sticky_demo` binary: in one process, as two ends on
//! `--port 0`, against the lesson's Python ends, and against hostile
//! senders.

use std::net::SocketAddr;
use std::process::Output;
use std::time::Duration;

use testkit::{
    assert_contains_all, command, python_peer, stderr, stdout, tcp_connect, write_byte_by_byte,
    Server,
};

const BIN: &str = env!("CARGO_BIN_EXE_sticky_demo");
const WAIT: Duration = Duration::from_secs(20);

fn run(args: &[&str]) -> Output {
    testkit::run(command(BIN, args), b"", WAIT)
}

fn start_server(args: &[&str]) -> Server {
    Server::start(testkit::server_command(BIN, &["server"], args))
}

fn client(addr: SocketAddr, args: &[&str]) -> Output {
    testkit::run(
        testkit::client_command(BIN, &["client"], addr, args),
        b"",
        WAIT,
    )
}

// ------------------------------------------------------ in one process

/// Every row the lesson promises, in the order the demo prints them.
const ALL_CASES: &[&str] = &[
    "send(b'hello')  5 bytes  recv(1024) → b'helloworldegon'  14 bytes",
    "send(b'world')  5 bytes  recv(1024) → b''                0 bytes: the sender has closed",
    "recv(1) → b'h'                   1 byte",
    "recv(5) → b'ellow'               5 bytes",
    "recv(1) → b'o'                   1 byte",
    "still in the buffer: b'rldegon'  7 bytes, for the next recv",
    "write_frame(b'hello')  4 + 5 bytes  read_frame → b'hello'       5 bytes",
    "write_frame(b'world')  4 + 5 bytes  read_frame → b'world'       5 bytes",
    "write_frame(b'egon')   4 + 4 bytes  read_frame → b'egon'        4 bytes",
    "read_frame → b'helloworldegon'  14 bytes, from recvs of 1+3 bytes (length)",
    "sendto(b'hello')  5 bytes  recvfrom(1024) → b'hello'  5 bytes",
    "sendto(b'world')  5 bytes  recvfrom(1024) → b'world'  5 bytes",
    "sendto(b'egon')   4 bytes  recvfrom(1024) → b'egon'   4 bytes",
    "recvfrom(1) → b'h'             1 of a 14-byte datagram: 13 bytes lost",
    "recvfrom(5) → nothing waiting  the other 13 bytes went with the datagram",
];

#[test]
fn in_one_process_every_case_comes_out_the_same_every_run() {
    let first = run(&[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let text = stdout(&first);
    assert_contains_all(&text, ALL_CASES);
    assert_eq!(
        text.matches("  why: ").count(),
        6,
        "one why per exchange:\n{text}"
    );
    for _ in 0..4 {
        let again = run(&[]);
        assert!(again.status.success(), "{}", stderr(&again));
        assert_eq!(stdout(&again), text, "a run differed from the first");
    }
}

#[test]
fn case_and_mode_pick_one_exchange() {
    let out = run(&["--case", "2", "--mode", "udp"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.matches("\ncase ").count(), 1, "{text}");
    assert_contains_all(
        &text,
        &["case 2 (情形二): one send, small receives, over UDP datagrams"],
    );
    assert!(!text.contains("recv(1024)"), "{text}");

    let out = run(&["--case", "1"]);
    let text = stdout(&out);
    assert_eq!(
        text.matches("\ncase 1 ").count(),
        3,
        "raw, framed and udp:\n{text}"
    );
    assert!(!text.contains("case 2"), "{text}");
}

#[test]
fn trace_dumps_the_stuck_bytes_on_stderr() {
    let out = run(&["--case", "1", "--mode", "raw", "--trace"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let trace = stderr(&out);
    assert_contains_all(
        &trace,
        &[
            "send → ",
            " 5 bytes\n  0000  68 65 6c 6c 6f ",
            " recv ← ",
            " 14 bytes\n  0000  68 65 6c 6c 6f 77 6f 72  6c 64 65 67 6f 6e        |helloworldegon|",
        ],
    );
    assert!(
        !stdout(&out).contains("0000"),
        "the dump goes to stderr only"
    );
}

#[test]
fn help_names_the_lesson_and_shows_the_two_terminals() {
    let out = run(&["--help"]);
    assert!(out.status.success());
    assert_contains_all(
        &stdout(&out),
        &[
            "粘包",
            "sticky_demo server --case 1",
            "sticky_demo client --case 1",
        ],
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["server"][..],
        &["client", "--case", "3"],
        &["--case", "0"],
        &["--mode", "carrier-pigeon"],
        &["--case", "1", "server", "--case", "1"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

// ------------------------------------------------- the two ends, apart

#[test]
fn server_and_client_run_every_case_in_every_mode() {
    let expected: &[(&str, &str, &[&str], &[&str])] = &[
        (
            "raw",
            "1",
            &["send(b'hello')", "send(b'world')", "send(b'egon')"],
            &["recv(1024) → b'helloworldegon'  14 bytes"],
        ),
        (
            "raw",
            "2",
            &["send(b'helloworldegon')  14 bytes"],
            &[
                "recv(1) → b'h'",
                "recv(5) → b'ellow'",
                "recv(1) → b'o'",
                "still in the buffer: b'rldegon'  7 bytes",
            ],
        ),
        (
            "framed",
            "1",
            &["write_frame(b'hello')  4 + 5 bytes"],
            &[
                "read_frame → b'hello'",
                "read_frame → b'world'",
                "read_frame → b'egon'",
                "read_frame → end of stream",
            ],
        ),
        (
            "framed",
            "2",
            &["write_frame(b'helloworldegon')  4 + 14 bytes"],
            &["read_frame → b'helloworldegon'  14 bytes"],
        ),
        (
            "udp",
            "1",
            &["sendto(b'egon')   4 bytes"],
            &[
                "recvfrom(1024) → b'hello'",
                "recvfrom(1024) → b'world'",
                "recvfrom(1024) → b'egon'",
            ],
        ),
        (
            "udp",
            "2",
            &["sendto(b'helloworldegon')  14 bytes"],
            &[
                "recvfrom(1) → b'h'",
                "13 bytes lost",
                "recvfrom(5) → nothing waiting",
            ],
        ),
    ];
    for &(mode, case, sent, received) in expected {
        let server = start_server(&["--case", case, "--mode", mode]);
        assert!(server.addr.ip().is_loopback(), "{}", server.addr);
        let out = client(server.addr, &["--case", case, "--mode", mode]);
        assert!(out.status.success(), "{mode} {case}: {}", stderr(&out));
        assert_contains_all(&stdout(&out), sent);
        let shown = server.finish_ok(WAIT);
        assert_contains_all(&shown, received);
    }
}

#[test]
fn nodelay_client_still_sticks_on_the_receiving_side() {
    let server = start_server(&["--case", "1"]);
    let out = client(server.addr, &["--case", "1", "--nodelay"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = server.finish_ok(WAIT);
    assert_contains_all(&shown, &["recv(1024) → b'helloworldegon'  14 bytes"]);
}

#[test]
fn client_without_a_server_says_so_and_exits_1() {
    let port = testkit::closed_tcp_addr().port().to_string();
    let out = run(&["client", "--port", &port, "--case", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert_contains_all(
        &stderr(&out),
        &["connection refused; is the server running?"],
    );
}

#[test]
fn ctrl_c_stops_a_waiting_server_cleanly() {
    for mode in ["raw", "udp"] {
        let log = start_server(&["--case", "1", "--mode", mode]).stop(WAIT);
        if mode == "raw" {
            assert_contains_all(&log, &["stopped before a client came"]);
        } else {
            assert_contains_all(&log, &["(stopped by Ctrl-C)"]);
        }
    }
}

#[test]
fn a_silent_sender_times_out_with_a_clear_error() {
    let server = start_server(&["--case", "1", "--timeout", "1"]);
    let stream = tcp_connect(server.addr, WAIT);
    let served = server.finish(WAIT);
    drop(stream);
    assert!(!served.status.success());
    assert_contains_all(
        &stderr(&served),
        &["error: the sender sent nothing more for 1 s and did not close (--timeout)"],
    );
}

// ------------------------------------------- the lesson's Python ends

#[test]
fn python_lesson_client_sticks_against_our_server() {
    for (mode, case, rows) in [
        (
            "raw",
            "1",
            &["recv(1024) → b'helloworldegon'  14 bytes"][..],
        ),
        // Prefix and message in separate sends, as the lesson writes them.
        (
            "framed",
            "1",
            &[
                "read_frame → b'hello'",
                "read_frame → b'world'",
                "read_frame → b'egon'",
            ],
        ),
        ("udp", "2", &["recvfrom(1) → b'h'", "13 bytes lost"]),
    ] {
        let server = start_server(&["--case", case, "--mode", mode]);
        let port = server.addr.port().to_string();
        let peer = python_peer(
            "sticky_client.py",
            &["--port", &port, "--case", case, "--mode", mode],
        );
        let out = testkit::run(peer, b"", WAIT);
        assert!(out.status.success(), "{}", stderr(&out));
        let shown = server.finish_ok(WAIT);
        assert_contains_all(&shown, rows);
    }
}

#[test]
fn our_client_sticks_against_the_python_lesson_server() {
    for (mode, case, lines) in [
        (
            "raw",
            "1",
            &["recv(1024) b'helloworldegon'", "recv(1024) b''"][..],
        ),
        (
            "raw",
            "2",
            &[
                "recv(1) b'h'",
                "recv(5) b'ellow'",
                "recv(1) b'o'",
                "left b'rldegon'",
            ],
        ),
        ("framed", "2", &["frame b'helloworldegon'"]),
        (
            "framed",
            "1",
            &["frame b'hello'\nframe b'world'\nframe b'egon'\n"],
        ),
    ] {
        let server = Server::start(python_peer(
            "sticky_server.py",
            &["--port", "0", "--case", case, "--mode", mode],
        ));
        let out = client(server.addr, &["--case", case, "--mode", mode]);
        assert!(out.status.success(), "{}", stderr(&out));
        let shown = server.finish_ok(WAIT);
        assert_contains_all(&shown, lines);
    }
}

// ------------------------------------------------- hostile senders

fn framed_server(extra: &[&str]) -> Server {
    let mut args = vec!["--case", "1", "--mode", "framed"];
    args.extend_from_slice(extra);
    start_server(&args)
}

/// Sends `bytes` to a one-shot `server` and asserts that it fails, saying
/// each of `errors` on stderr; returns what it printed on stdout.
fn assert_refused(server: Server, bytes: &[u8], errors: &[&str]) -> String {
    let served = server.finish_after_sending(bytes, WAIT);
    assert!(!served.status.success());
    assert_contains_all(&stderr(&served), errors);
    stdout(&served)
}

#[test]
fn a_negative_length_prefix_is_refused() {
    assert_refused(
        framed_server(&[]),
        b"\xff\xff\xff\xffhello",
        &["error: frame 1: length prefix is negative (-1): not a valid frame"],
    );
}

#[test]
fn a_length_above_the_maximum_is_refused_before_reading_it() {
    assert_refused(
        framed_server(&["--max-frame", "16"]),
        b"\x11\x00\x00\x00",
        &["error: frame 1: length prefix says 17 bytes, more than the maximum of 16"],
    );

    // The largest i32, against the default maximum.
    assert_refused(
        framed_server(&[]),
        b"\xff\xff\xff\x7f",
        &["length prefix says 2147483647 bytes, more than the maximum of 65536"],
    );
}

#[test]
fn frames_before_a_bad_one_are_shown() {
    let shown = assert_refused(
        framed_server(&[]),
        b"\x05\x00\x00\x00hello\xff\xff\xff\xff",
        &["error: frame 2: length prefix is negative (-1)"],
    );
    assert_contains_all(&shown, &["read_frame → b'hello'  5 bytes"]);
}

#[test]
fn a_prefix_sent_one_byte_at_a_time_still_reads_whole() {
    let server = framed_server(&[]);
    // One byte, then a pause longer than the server's wait for the whole
    // exchange, so the server is inside read_frame with 1 of the prefix's
    // 4 bytes; then the rest, a byte per segment.
    let mut stream = tcp_connect(server.addr, WAIT);
    let frame = b"\x05\x00\x00\x00hello";
    write_byte_by_byte(&mut stream, &frame[..1], Duration::from_millis(2500)).expect("first byte");
    write_byte_by_byte(&mut stream, &frame[1..], Duration::from_millis(20)).expect("one byte");
    drop(stream);
    let shown = server.finish_ok(WAIT);
    assert_contains_all(
        &shown,
        &[
            "read_frame → b'hello'  5 bytes",
            "read_frame → end of stream",
        ],
    );
}

#[test]
fn eof_in_the_middle_of_a_frame_names_both_counts() {
    assert_refused(
        framed_server(&[]),
        b"\x0e\x00\x00\x00hel",
        &["error: frame 1: was expecting 14 bytes but only received 3 bytes before the socket closed"],
    );

    assert_refused(
        framed_server(&[]),
        b"\x0e\x00",
        &["error: frame 1: was expecting 4 bytes but only received 2 bytes before the socket closed"],
    );
}

#[test]
fn raw_bytes_that_are_not_text_are_shown_escaped() {
    let server = start_server(&["--case", "2"]);
    let served = server.finish_after_sending(b"\xff\x1b[2J\n\x00\xe4\xbd\xa0 tail", WAIT);
    assert!(served.status.success(), "{}", stderr(&served));
    let shown = stdout(&served);
    assert_contains_all(
        &shown,
        &[
            r"recv(1) → b'\xff'",
            r"recv(5) → b'\x1b[2J\n'",
            r"recv(1) → b'\x00'",
            r"still in the buffer: b'\xe4\xbd\xa0 tail'",
        ],
    );
    assert!(
        !shown.contains('\u{1b}'),
        "no raw escape reaches the terminal"
    );
}

#[test]
fn a_datagram_larger_than_the_buffer_loses_its_tail_and_the_server_goes_on() {
    let server = start_server(&["--case", "1", "--mode", "udp"]);
    let socket = testkit::udp_socket(WAIT);
    let huge = vec![b'x'; 65_507]; // the largest IPv4 UDP payload
    socket.send_to(&huge, server.addr).expect("huge datagram");
    socket.send_to(b"", server.addr).expect("empty datagram");
    socket
        .send_to(b"\xff\xfe", server.addr)
        .expect("non-UTF-8 datagram");
    let shown = server.finish_ok(WAIT);
    assert_contains_all(
        &shown,
        &[
            "1024 of a 65507-byte datagram: 64483 bytes lost",
            "recvfrom(1024) → b''",
            r"recvfrom(1024) → b'\xff\xfe'",
        ],
    );
}
