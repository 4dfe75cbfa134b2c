//! The real `tcp_client` binary against the real `tcp_server`, the lesson's
//! Python server, and small misbehaving servers written here.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::thread;
use std::time::Duration;

use testkit::{fake_tcp_server, server_command, stderr, stdout, tcp_connect, Server};

const CLIENT: &str = env!("CARGO_BIN_EXE_tcp_client");
const WAIT: Duration = Duration::from_secs(20);

/// The real server's binary, built from this workspace.
fn tcp_server_bin() -> PathBuf {
    let bin = Path::new(CLIENT).with_file_name("tcp_server");
    assert!(
        bin.is_file(),
        "build the workspace first: {} is missing",
        bin.display()
    );
    bin
}

/// The real server.
fn tcp_server() -> Server {
    Server::start(server_command(tcp_server_bin(), &[], &["--verbose"]))
}

fn client(addr: SocketAddr, args: &[&str], input: &str) -> Output {
    testkit::run(
        testkit::client_command(CLIENT, &[], addr, args),
        input.as_bytes(),
        WAIT,
    )
}

#[test]
fn pipe_mode_prints_each_reply_skips_empty_lines_and_stops_at_quit() {
    let server = tcp_server();
    let out = client(
        server.addr,
        &[],
        "hello\n\n   \nsocket 你好\nquit\nnot sent\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "HELLO\nSOCKET 你好\n",
        "no prompts from a pipe"
    );
    server
        .stdout
        .assert_shows("disconnected after 2 message(s)", WAIT);
    assert!(!server.stdout.text().contains("not sent"));
}

#[test]
fn end_of_input_ends_the_client_like_quit() {
    let server = tcp_server();
    let out = client(server.addr, &[], "abc\n");
    assert!(out.status.success());
    assert_eq!(stdout(&out), "ABC\n");
}

#[test]
fn message_sends_one_and_prints_the_reply() {
    let server = tcp_server();
    let out = client(server.addr, &["--message", "one shot"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "ONE SHOT\n");
}

#[test]
fn an_empty_message_is_a_usage_error() {
    let out = client(
        "127.0.0.1:9".parse().expect("literal"),
        &["--message", "  "],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nothing to send"), "{}", stderr(&out));
}

#[test]
fn no_server_is_one_clear_line_and_exit_1() {
    let addr = testkit::closed_tcp_addr();
    let out = client(addr, &[], "hello\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("error: cannot connect to {addr}: connection refused; is the server running?\n")
    );
}

#[test]
fn a_server_that_closes_is_one_clear_line_and_exit_1() {
    let addr = fake_tcp_server(WAIT, |mut stream| {
        let _ = stream.read(&mut [0; 64]);
    }); // reads the message, closes without a reply
    let out = client(addr, &[], "hello\nworld\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "error: the server closed the connection\n");
}

#[test]
fn a_reply_split_across_segments_is_read_whole() {
    let addr = fake_tcp_server(WAIT, |mut stream| {
        let mut buf = [0; 64];
        let n = stream.read(&mut buf).expect("message");
        let upper = buf[..n].to_ascii_uppercase();
        testkit::write_byte_by_byte(&mut stream, &upper, Duration::from_millis(5))
            .expect("one byte");
    });
    let out = client(addr, &["--message", "in pieces"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "IN PIECES\n");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let addr = fake_tcp_server(WAIT, |mut stream| {
        let _ = stream.read(&mut [0; 64]);
        thread::sleep(Duration::from_secs(3)); // holds the connection open, silent
    });
    let out = client(addr, &["--timeout", "1"], "hello\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "error: no reply from the server within 1 s\n");
}

#[test]
fn a_full_server_refusal_is_shown() {
    let server = Server::start(server_command(
        tcp_server_bin(),
        &[],
        &["--max-clients", "1"],
    ));
    let mut holder = tcp_connect(server.addr, WAIT);
    holder.write_all(b"x").expect("send");
    holder.read_exact(&mut [0; 1]).expect("being served");
    let out = client(server.addr, &["--message", "hi"], "");
    assert_eq!(
        stdout(&out),
        "server busy: 1 clients already connected, try again later\n",
        "one line, its line break not escaped"
    );
}

#[test]
fn chat_mode_prints_the_reply_and_stops_on_q() {
    let addr = fake_tcp_server(WAIT, |mut stream| {
        let mut buf = [0; 64];
        let _ = stream.read(&mut buf).expect("first");
        stream.write_all(b"hi, how are you?").expect("reply");
        let _ = stream.read(&mut buf).expect("second");
        stream.write_all(b"q").expect("end");
    });
    let out = client(addr, &["--chat"], "hello\nfine\nnot sent\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "hi, how are you?\nq\n(the server ended the conversation)\n"
    );
}

#[test]
fn chat_mode_q_from_the_user_ends_the_conversation_without_waiting() {
    let (tx, received) = std::sync::mpsc::channel();
    let addr = fake_tcp_server(WAIT, move |mut stream| {
        let mut all = Vec::new();
        let _ = stream.read_to_end(&mut all); // until the client closes
        let _ = tx.send(all);
    });
    let out = client(addr, &["--chat"], "q\nnot sent\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let sent = received
        .recv_timeout(WAIT)
        .expect("the fake server saw the close");
    assert_eq!(sent, b"q");
}

#[test]
fn trace_dumps_both_directions_to_stderr() {
    let server = tcp_server();
    let out = client(server.addr, &["--trace"], "hello\n");
    assert!(out.status.success());
    assert_eq!(stdout(&out), "HELLO\n", "the dump stays off stdout");
    let trace = stderr(&out);
    assert!(
        trace.contains(&format!("send → {} 5 bytes", server.addr)),
        "{trace}"
    );
    assert!(
        trace.contains("68 65 6c 6c 6f") && trace.contains("|HELLO|"),
        "{trace}"
    );
}

#[test]
fn tcp_client_talks_to_the_lessons_python_server() {
    let server = Server::start(testkit::python_peer(
        "tcp_upper_server.py",
        &["--port", "0"],
    ));
    let out = client(server.addr, &[], "hello\nsocket 你好\nquit\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "HELLO\nSOCKET 你好\n");
}

#[test]
fn chat_mode_takes_upper_case_q_from_either_side() {
    // The lesson's client quits on `Q` too (msg.lower(), ret.lower()).
    let addr = fake_tcp_server(WAIT, |mut stream| {
        let mut buf = [0; 64];
        let _ = stream.read(&mut buf).expect("the message");
        stream.write_all(b"Q").expect("end");
    });
    let out = client(addr, &["--chat"], "hello\nnot sent\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Q\n(the server ended the conversation)\n");

    let (tx, received) = std::sync::mpsc::channel();
    let addr = fake_tcp_server(WAIT, move |mut stream| {
        let mut all = Vec::new();
        let _ = stream.read_to_end(&mut all); // until the client closes
        let _ = tx.send(all);
    });
    let out = client(addr, &["--chat"], "Q\nnot sent\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let sent = received
        .recv_timeout(WAIT)
        .expect("the fake server saw the close");
    assert_eq!(sent, b"q", "sent as the `q` the lesson's server ends on");
}
