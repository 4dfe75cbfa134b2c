//! The TCP lesson's client steps 5 and 6 (`examples/tcp_5_chat_client`,
//! `examples/tcp_6_unix_client`), each run against the Python peer of the
//! lesson's server.

use std::process::Stdio;
use std::time::Duration;

use testkit::{python_peer, run, run_ok, stderr, step, temp_dir, Process, Server};

const WAIT: Duration = Duration::from_secs(10);

/// The lesson's chat server (the Python peer), its operator's replies
/// `replies`, typed before any message arrives.
fn python_chat_server(replies: &str) -> Server {
    let mut cmd = python_peer("tcp_chat_server.py", &["--port", "0"]);
    cmd.stdin(Stdio::piped());
    let mut server = Server::start(cmd);
    server.type_text(replies);
    server
}

/// The chat client step against `server`, with `input` as its lines.
fn chat_client(server: &Server, input: &str) -> String {
    let port = server.addr.port().to_string();
    run_ok(
        step("tcp_client", "tcp_5_chat_client", [&port]),
        input.as_bytes(),
        WAIT,
    )
}

#[test]
fn tcp_5_chat_client_talks_to_the_lessons_python_server() {
    let server = python_chat_server("hi there\n很好\n");
    let out = chat_client(&server, "hello\n今天好吗？\nq\n");
    assert_eq!(out, ">>>hi there\n>>>很好\n>>>");
    // The server printed both messages, and not the `q`, which ended the chat.
    server.stdout.assert_shows(">>>今天好吗？\n", WAIT);
    assert_eq!(
        server.stdout.text(),
        format!("listening on {}\nhello\n>>>今天好吗？\n", server.addr)
    );
}

#[test]
fn tcp_5_chat_client_stops_on_its_own_q_in_either_case() {
    // The lesson's server ends on exactly b'q' and answers anything else,
    // `Q` too: the client then stops on its own `Q` without printing the
    // answer (msg.lower() == b'q'), as the lesson's client does.
    let server = python_chat_server("one\ntwo\nan answer to Q\nthree\n");
    assert_eq!(chat_client(&server, "first\nq\nnot sent\n"), ">>>one\n>>>");
    assert_eq!(chat_client(&server, "second\nQ\nnot sent\n"), ">>>two\n>>>");
    server.stdout.assert_shows(">>>Q\n", WAIT);
    // And the server, its last conversation over, talks to the next client.
    assert_eq!(chat_client(&server, "third\nq\n"), ">>>three\n>>>");
    assert!(!server.stdout.text().contains("not sent"));
}

#[test]
fn tcp_5_chat_client_stops_on_the_operators_q_in_either_case() {
    let server = python_chat_server("Q\nq\n");
    assert_eq!(chat_client(&server, "hello\nnot sent\n"), ">>>");
    assert_eq!(chat_client(&server, "again\nnot sent\n"), ">>>");
    assert!(!server.stdout.text().contains("not sent"));
}

#[test]
fn tcp_5_chat_client_sends_no_empty_line() {
    // The lesson's client would send b'' (nothing) and wait for ever.
    let server = python_chat_server("hi\n");
    assert_eq!(chat_client(&server, "\nhello\nq\n"), ">>>>>>hi\n>>>");
}

#[test]
fn tcp_5_chat_client_ends_when_the_server_closes() {
    // The operator's input ends: the lesson's server stops and closes.
    let mut server = python_chat_server("");
    server.close_stdin();
    assert_eq!(chat_client(&server, "hello\nnot sent\n"), ">>>");
}

#[test]
fn tcp_6_unix_client_talks_to_the_lessons_python_server_over_a_socket_file() {
    let dir = temp_dir();
    let path = dir.path().join("upper.sock");
    let path_arg = path.to_str().expect("a UTF-8 temp path");
    let server = Process::start(python_peer("tcp_unix_server.py", &["--path", path_arg]));
    server
        .stdout
        .assert_shows(&format!("listening on {path_arg}\n"), WAIT);
    let out = run_ok(
        step("tcp_client", "tcp_6_unix_client", [&path]),
        "hello\n\n  你好 abc  \n".as_bytes(),
        WAIT,
    );
    assert_eq!(
        out,
        ">>: 客户端已经发送消息\n收到服务端发来的消息 HELLO\n\
         >>: >>: 客户端已经发送消息\n收到服务端发来的消息 你好 ABC\n>>: "
    );
    server
        .stdout
        .assert_shows("客户端发来的消息是 你好 abc", WAIT);
}

#[test]
fn tcp_6_unix_client_names_a_missing_socket_file() {
    let dir = temp_dir();
    let out = run(
        step(
            "tcp_client",
            "tcp_6_unix_client",
            [dir.path().join("none.sock")],
        ),
        b"hello\n",
        WAIT,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("No such file or directory"),
        "{}",
        stderr(&out)
    );
}
