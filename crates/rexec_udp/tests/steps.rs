//! The remote-command lesson's UDP steps (`examples/rexec_udp_*`), run
//! against the Python peers of the lesson's programs in both directions
//! (`scripts/peers/rexec_udp_lesson_server.py`, `rexec_udp_lesson_client.py`),
//! and showing their point: one datagram each way, no sticky packet, but a
//! receive buffer of 1024 bytes keeps only 1024 bytes of a longer reply.

use std::net::SocketAddr;
use std::time::Duration;

use testkit::{python_peer, run_ok, seq_output, step, text, udp_ask, udp_socket, Server};

const WAIT: Duration = Duration::from_secs(20);
const PACKAGE: &str = "rexec_udp";

/// A long output, a short one, one with stderr, one with nothing. `seq 1
/// 400` prints 1,492 bytes, more than the lesson's recvfrom(1024) takes.
const COMMANDS: &str = "seq 1 400\necho next\necho out; echo err >&2\ntrue\n";

fn server() -> Server {
    Server::start(step(PACKAGE, "rexec_udp_1_server", ["0"]))
}

fn python_server() -> Server {
    Server::start(python_peer("rexec_udp_lesson_server.py", &["--port", "0"]))
}

fn client(addr: SocketAddr, input: &str) -> String {
    let port = addr.port().to_string();
    run_ok(
        step(PACKAGE, "rexec_udp_1_client", [&port]),
        input.as_bytes(),
        WAIT,
    )
}

fn python_client(addr: SocketAddr, input: &str) -> String {
    let port = addr.port().to_string();
    run_ok(
        python_peer("rexec_udp_lesson_client.py", &["--port", &port]),
        input.as_bytes(),
        WAIT,
    )
}

/// The answers the step client printed, each after `命令的执行结果是  `
/// and before the newline `println!` adds and the next `>>: ` prompt.
fn answers(out: &str) -> Vec<String> {
    let mut parts = out.split("命令的执行结果是  ");
    assert_eq!(parts.next(), Some(">>: "), "{out}");
    parts
        .map(|part| {
            let answer = part.strip_suffix("\n>>: ").expect("a prompt follows");
            answer.to_string()
        })
        .collect()
}

/// What the four commands answer through a 1024-byte buffer: the first 1024
/// bytes of seq (the other 468 are lost, not left for `echo next`), then
/// each command's own answer; stderr if there is any, else stdout, and
/// 执行成功 for nothing at all.
fn want() -> Vec<String> {
    let seq = text(&seq_output(400));
    vec![
        seq[..1024].to_string(),
        "next\n".into(),
        "err\n".into(),
        "执行成功".into(),
    ]
}

#[test]
fn rexec_udp_1_server_answers_the_lessons_python_client() {
    let server = server();
    let out = python_client(server.addr, COMMANDS);
    let mut expected = String::new();
    for answer in want() {
        expected.push_str(&format!(
            "{answer}\n--- end of reply: {} bytes ---\n",
            answer.len()
        ));
    }
    assert_eq!(out, expected);
}

#[test]
fn rexec_udp_1_client_reads_the_lessons_python_server() {
    let server = python_server();
    let out = client(server.addr, &format!("{COMMANDS}\nquit\necho not sent\n"));
    // The empty line is a prompt and nothing sent; quit ends the client.
    let out = out.strip_suffix(">>: ").expect("the empty line's prompt");
    assert_eq!(answers(out), want());
}

#[test]
fn rexec_udp_1_pair_loses_the_rest_of_a_long_reply_and_stays_in_step() {
    let server = server();
    assert_eq!(answers(&client(server.addr, COMMANDS)), want());
}

#[test]
fn rexec_udp_1_server_sends_a_small_output_whole_in_one_datagram() {
    let server = server();
    let socket = udp_socket(WAIT);
    // A buffer that holds any datagram: the 1,492 bytes come whole.
    assert_eq!(udp_ask(&socket, server.addr, b"seq 1 400"), seq_output(400));
    assert_eq!(udp_ask(&socket, server.addr, b"echo hi"), b"hi\n");
}

#[test]
fn rexec_udp_1_server_survives_an_output_too_long_for_a_datagram() {
    // `seq 1 20000` prints 108,894 bytes; a datagram holds 65,507. The
    // lesson's server dies on the EMSGSIZE; the step says so and goes on.
    let server = server();
    let socket = udp_socket(WAIT);
    socket
        .send_to(b"seq 1 20000", server.addr)
        .expect("send the command");
    server
        .stdout
        .assert_shows("Message too long (os error 90)", WAIT);
    assert_eq!(udp_ask(&socket, server.addr, b"echo alive"), b"alive\n");
}
