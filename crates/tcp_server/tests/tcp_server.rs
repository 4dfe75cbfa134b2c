//! The real `tcp_server` binary on `--port 0`, driven over loopback.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Output, Stdio};
use std::thread;
use std::time::Duration;

use testkit::{
    assert_serves_one_client_at_a_time, command, python_peer, round_trip, stderr, stdout,
    tcp_connect, Server,
};

const BIN: &str = env!("CARGO_BIN_EXE_tcp_server");
const WAIT: Duration = Duration::from_secs(10);

fn start(extra: &[&str]) -> Server {
    Server::start(testkit::server_command(BIN, &[], extra))
}

fn connect(addr: SocketAddr) -> TcpStream {
    tcp_connect(addr, WAIT)
}

fn run(args: &[&str]) -> Output {
    testkit::run(command(BIN, args), b"", WAIT)
}

/// A fresh client that must be served normally: the proof that whatever
/// came before cost only its own connection.
fn assert_still_serving(server: &Server) {
    let mut client = connect(server.addr);
    assert_eq!(round_trip(&mut client, b"still there?"), b"STILL THERE?");
}

#[test]
fn replies_upper_cased_like_data_upper() {
    let server = start(&[]);
    let mut client = connect(server.addr);
    assert_eq!(round_trip(&mut client, b"hello"), b"HELLO");
    // bytes.upper() touches ASCII letters only: UTF-8 goes back as it came.
    assert_eq!(
        round_trip(&mut client, "你好 abc".as_bytes()),
        "你好 ABC".as_bytes()
    );
    assert_eq!(round_trip(&mut client, b"MiXeD 123!"), b"MIXED 123!");
}

#[test]
fn hundred_concurrent_clients_each_hundred_round_trips() {
    let server = start(&[]);
    let addr = server.addr;
    let clients: Vec<_> = (0..100)
        .map(|id| {
            thread::spawn(move || {
                let mut stream = connect(addr);
                for trip in 0..100 {
                    let message = format!("client {id} trip {trip} abcdefghijklmnop");
                    let reply = round_trip(&mut stream, message.as_bytes());
                    assert_eq!(reply, message.to_uppercase().as_bytes(), "client {id}");
                }
            })
        })
        .collect();
    for client in clients {
        client.join().expect("every client got every reply right");
    }
    let log = server.stop(WAIT);
    assert!(log.contains("shutting down: served 100 clients"), "{log}");
}

#[test]
fn iterative_mode_serves_the_second_client_only_after_the_first_leaves() {
    let server = start(&["--mode", "iterative"]);
    assert_serves_one_client_at_a_time(server.addr, WAIT);
}

#[test]
fn a_client_over_max_clients_gets_one_line_and_is_closed() {
    let server = start(&["--max-clients", "2"]);
    let mut a = connect(server.addr);
    let mut b = connect(server.addr);
    assert_eq!(round_trip(&mut a, b"a"), b"A");
    assert_eq!(round_trip(&mut b, b"b"), b"B");

    let mut c = connect(server.addr);
    let mut refusal = String::new();
    c.read_to_string(&mut refusal)
        .expect("a line, then the end");
    assert_eq!(
        refusal,
        "server busy: 2 clients already connected, try again later\n"
    );

    // When one leaves, its place is free again (once the server has seen
    // the close: retry a bounded number of times).
    drop(a);
    let served = (0..100).any(|_| {
        let mut d = connect(server.addr);
        let _ = d.write_all(b"d");
        let mut reply = [0; 1];
        match d.read(&mut reply) {
            Ok(1) if &reply == b"D" => true,
            _ => {
                thread::sleep(Duration::from_millis(50));
                false
            }
        }
    });
    assert!(served, "a freed place is given to a new client");
    let log = server.stop(WAIT);
    assert!(log.contains("refused"), "{log}");
}

#[test]
fn closing_at_once_costs_only_that_connection() {
    let server = start(&[]);
    drop(connect(server.addr));
    assert_still_serving(&server);
}

#[test]
fn half_close_ends_the_conversation_after_the_last_reply() {
    let server = start(&[]);
    let mut client = connect(server.addr);
    client.write_all(b"bye").expect("send");
    client.shutdown(Shutdown::Write).expect("half-close");
    let mut rest = Vec::new();
    client
        .read_to_end(&mut rest)
        .expect("reply, then the server closes too");
    assert_eq!(rest, b"BYE");
    assert_still_serving(&server);
}

#[test]
fn a_reset_costs_only_that_connection() {
    let server = start(&[]);
    let client = connect(server.addr);
    (&client).write_all(b"reset me").expect("send");
    // Wait until the reply is in our receive buffer, then close without
    // reading it: the kernel answers unread data with a RST, not a FIN.
    client.peek(&mut [0; 1]).expect("reply arrived");
    drop(client);
    assert_still_serving(&server);
}

#[test]
fn a_silent_client_is_cut_off_after_the_idle_timeout() {
    let server = start(&["--idle-timeout", "1"]);
    let mut silent = connect(server.addr);
    assert_still_serving(&server);
    assert_eq!(silent.read(&mut [0; 8]).expect("the server closes it"), 0);
    server.stdout.assert_shows("silent for 1 s", WAIT);
}

#[test]
fn iterative_mode_recovers_from_a_silent_client_too() {
    let server = start(&["--mode", "iterative", "--idle-timeout", "1"]);
    let _silent = connect(server.addr);
    assert_still_serving(&server); // served once the silent one is cut off
}

#[test]
fn invalid_utf8_is_echoed_byte_for_byte() {
    let server = start(&["--verbose"]);
    let mut client = connect(server.addr);
    assert_eq!(
        round_trip(&mut client, b"\xff\xfeabc\x00"),
        b"\xff\xfeABC\x00"
    );
    server
        .stdout
        .assert_shows("\u{fffd}\u{fffd}abc\\u{0}", WAIT);
    assert_still_serving(&server);
}

#[test]
fn a_one_mebibyte_burst_comes_back_whole() {
    let server = start(&[]);
    let client = connect(server.addr);
    let burst: Vec<u8> = (0..1 << 20).map(|i| b"abcdefghij"[i % 10]).collect();
    let writer = {
        let mut client = client.try_clone().expect("clone");
        let burst = burst.clone();
        thread::spawn(move || client.write_all(&burst).expect("send the burst"))
    };
    let mut reply = vec![0; burst.len()];
    (&client)
        .read_exact(&mut reply)
        .expect("the whole burst back");
    writer.join().expect("writer");
    assert!(reply
        .iter()
        .zip(&burst)
        .all(|(r, b)| *r == b.to_ascii_uppercase()));
}

#[test]
fn a_burst_from_a_client_that_never_reads_costs_only_that_connection() {
    let server = start(&["--idle-timeout", "2"]);
    let mut client = connect(server.addr);
    client
        .set_write_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    // The client sends without reading; both buffers fill and its write
    // stalls. Whatever the client gets through, the server gives up on it.
    let _ = client.write_all(&vec![b'x'; 1 << 20]);
    assert_still_serving(&server);
    drop(client);
    assert_still_serving(&server);
}

#[test]
fn ctrl_c_stops_accepting_prints_the_summary_and_exits_0() {
    let server = start(&[]);
    let mut a = connect(server.addr);
    assert_eq!(round_trip(&mut a, b"a"), b"A");
    drop(a);
    let mut b = connect(server.addr);
    assert_eq!(round_trip(&mut b, b"b"), b"B");
    // b is still connected: Ctrl-C ends its conversation rather than
    // waiting for it forever.
    let log = server.stop(WAIT);
    assert!(log.contains("shutting down: served 2 clients"), "{log}");
    assert_eq!(b.read(&mut [0; 4]).expect("closed by the shutdown"), 0);
}

#[test]
fn ctrl_c_in_iterative_mode_with_a_client_connected() {
    let server = start(&["--mode", "iterative"]);
    let mut client = connect(server.addr);
    assert_eq!(round_trip(&mut client, b"hi"), b"HI");
    let log = server.stop(WAIT);
    assert!(log.contains("shutting down: served 1 client\n"), "{log}");
}

#[test]
fn chat_mode_sends_the_operators_lines() {
    let mut cmd = testkit::server_command(BIN, &[], &["--chat"]);
    cmd.stdin(Stdio::piped());
    let mut server = Server::start(cmd);
    let mut client = connect(server.addr);

    client.write_all(b"hi, server").expect("send");
    server.stdout.assert_shows("] hi, server", WAIT);
    // Empty lines are not sent (the client would take zero bytes as a close).
    server.type_text("\nhello, client\n");
    let mut reply = [0; 13];
    client.read_exact(&mut reply).expect("the operator's line");
    assert_eq!(&reply, b"hello, client");

    client.write_all(b"bye").expect("send");
    server.type_text("q\n");
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).expect("q, then the end");
    assert_eq!(rest, b"q");
    server
        .stdout
        .assert_shows("conversation ended by you", WAIT);

    // The next client is served, and the end of the operator's input ends it.
    let mut next = connect(server.addr);
    next.write_all(b"anyone?").expect("send");
    server.stdout.assert_shows("] anyone?", WAIT);
    server.close_stdin();
    let mut rest = Vec::new();
    next.read_to_end(&mut rest).expect("q, then the end");
    assert_eq!(rest, b"q");
    let served = server.finish(WAIT);
    assert!(served.status.success());
    assert!(stdout(&served).contains("shutting down: served 2 clients"));
}

#[test]
fn ctrl_c_in_chat_mode_while_the_operator_is_typing() {
    let mut cmd = testkit::server_command(BIN, &[], &["--chat"]);
    cmd.stdin(Stdio::piped());
    let server = Server::start(cmd);
    let mut client = connect(server.addr);
    client.write_all(b"hello?").expect("send");
    server.stdout.assert_shows("] hello?", WAIT);
    let log = server.stop(WAIT);
    assert!(log.contains("shutting down: served 1 client"), "{log}");
}

#[test]
fn help_names_the_lesson_and_shows_examples() {
    let out = run(&["--help"]);
    let help = stdout(&out);
    assert!(out.status.success());
    assert!(help.contains("Lesson 1 (TCP)"), "{help}");
    assert!(help.contains("tcp_server --mode iterative"), "{help}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--mode", "forking"][..],
        &["--max-clients", "0"],
        &["--chat", "--mode", "threaded"],
        &["--host", "not a host name"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn a_taken_port_is_one_clear_line_and_exit_1() {
    let server = start(&[]);
    let port = server.addr.port().to_string();
    let out = run(&["--port", &port]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("address already in use"), "{err}");
}

#[test]
fn the_lessons_python_client_talks_to_tcp_server() {
    let server = start(&[]);
    let port = server.addr.port().to_string();
    let cmd = python_peer("tcp_client.py", &["--port", &port]);
    let out = testkit::run(cmd, "hello\n\nsocket 你好\nquit\n".as_bytes(), WAIT);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert_eq!(text, "reply: HELLO\nreply: SOCKET 你好\n");
}

#[test]
fn chat_mode_takes_upper_case_q_from_either_side() {
    // The lesson's client quits on `Q` too (msg.lower() == b'q').
    let mut cmd = testkit::server_command(BIN, &[], &["--chat"]);
    cmd.stdin(Stdio::piped());
    let mut server = Server::start(cmd);

    let mut client = connect(server.addr);
    client.write_all(b" Q ").expect("send");
    let mut rest = Vec::new();
    client
        .read_to_end(&mut rest)
        .expect("the end, without a reply");
    assert_eq!(rest, b"");
    server.stdout.assert_shows("left the conversation", WAIT);

    let mut next = connect(server.addr);
    next.write_all(b"hi").expect("send");
    server.stdout.assert_shows("] hi", WAIT);
    server.type_text("Q\n");
    let mut rest = Vec::new();
    next.read_to_end(&mut rest).expect("Q, then the end");
    assert_eq!(rest, b"Q");
    server
        .stdout
        .assert_shows("conversation ended by you", WAIT);
}
