//! The TCP lesson's steps 5–8 (`examples/tcp_5_*` … `tcp_8_*`), each run
//! against the Python peer of the lesson program it follows, and each
//! showing its own point.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use testkit::{
    fake_tcp_server, python_peer, run, run_ok, stderr, stdout, step, tcp_connect, temp_dir,
    write_byte_by_byte, Process, Server,
};

const WAIT: Duration = Duration::from_secs(10);

/// The chat server on a free port, its operator's replies typed by the test.
fn chat_server() -> Server {
    let mut cmd = step("tcp_server", "tcp_5_chat_server", ["0"]);
    cmd.stdin(Stdio::piped());
    Server::start(cmd)
}

/// The lesson's chat client (the Python peer) with `input` as its lines.
fn python_chat_client(server: &Server, input: &str) -> String {
    let port = server.addr.port().to_string();
    run_ok(
        python_peer("tcp_chat_client.py", &["--port", &port]),
        input.as_bytes(),
        WAIT,
    )
}

#[test]
fn tcp_5_chat_server_talks_to_the_lessons_python_client() {
    let mut server = chat_server();
    server.type_text("hi there\n很好\n");
    let out = python_chat_client(&server, "hello\n今天好吗？\nq\n");
    assert_eq!(out, ">>>hi there\n>>>很好\n>>>");
    // (The prompt after the last message ends no line yet, so it is not
    // collected.)
    server.stdout.assert_shows(">>>今天好吗？\n", WAIT);
    assert_eq!(
        server.stdout.text(),
        format!("listening on {}\nhello\n>>>今天好吗？\n", server.addr)
    );
}

#[test]
fn tcp_5_chat_server_ends_on_the_clients_q_or_upper_case_q_and_serves_the_next() {
    // The lesson's server ends only on exactly b'q'; its client also quits
    // on `Q` and then waits for a reply that the operator is asked for.
    let mut server = chat_server();
    server.type_text("one\ntwo\n");
    assert_eq!(python_chat_client(&server, "first\nq\n"), ">>>one\n>>>");
    assert_eq!(python_chat_client(&server, "second\nQ\n"), ">>>two\n>>>");
    server.stdout.assert_shows(">>>second\n", WAIT);
    let log = server.stdout.text();
    assert!(!log.contains('q') && !log.contains('Q'), "{log}");
    assert!(server.is_running());
}

#[test]
fn tcp_5_chat_server_sends_its_operators_q_and_the_client_stops() {
    let mut server = chat_server();
    server.type_text("Q\nfor the next one\n");
    // The lesson's client stops on a reply of `Q` (ret.lower()) and prints nothing.
    assert_eq!(python_chat_client(&server, "hello\nnot sent\n"), ">>>");
    assert_eq!(
        python_chat_client(&server, "again\nq\n"),
        ">>>for the next one\n>>>"
    );
}

#[test]
fn tcp_5_chat_server_closes_after_sending_its_operators_q_in_either_case() {
    let mut server = chat_server();
    server.type_text("Q\nq\n");
    for expected in [b"Q", b"q"] {
        let mut client = tcp_connect(server.addr, WAIT);
        client.write_all(b"hello").expect("send");
        let mut answer = Vec::new();
        client
            .read_to_end(&mut answer)
            .expect("the reply, then the close (not a wait for the next message)");
        assert_eq!(answer, expected);
    }
}

#[test]
fn tcp_5_chat_server_asks_again_after_an_empty_reply() {
    // The lesson's server would send b'', which is nothing: both sides wait.
    let mut server = chat_server();
    server.type_text("\nhi\nok\n");
    assert_eq!(
        python_chat_client(&server, "hello\nagain\nq\n"),
        ">>>hi\n>>>ok\n>>>"
    );
    server.stdout.assert_shows("hello\n>>>>>>again\n", WAIT);
}

#[test]
fn tcp_5_chat_server_stops_when_its_operators_input_ends() {
    let mut server = chat_server();
    server.close_stdin();
    let mut client = tcp_connect(server.addr, WAIT);
    client.write_all(b"anyone?").expect("send");
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).expect("the server closes");
    assert_eq!(rest, b"", "no reply without an operator");
    let out = server.finish(WAIT);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).ends_with("anyone?\n>>>"), "{}", stdout(&out));
}

/// The AF_UNIX server on `path`, once it has said it listens there.
fn unix_server(path: &Path) -> Process {
    let server = Process::start(step("tcp_server", "tcp_6_unix_server", [path]));
    server
        .stdout
        .assert_shows(&format!("listening on {}\n", path.display()), WAIT);
    server
}

fn is_socket(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

/// One message over the socket file at `path`, and its reply.
fn ask_unix(path: &Path, message: &[u8]) -> Vec<u8> {
    let mut stream = UnixStream::connect(path).expect("connect to the socket file");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    stream.write_all(message).expect("send");
    let mut reply = vec![0; message.len()];
    stream.read_exact(&mut reply).expect("the reply");
    reply
}

#[test]
fn tcp_6_unix_server_answers_the_lessons_python_client_over_a_socket_file() {
    let dir = temp_dir();
    let path = dir.path().join("upper.sock");
    let server = unix_server(&path);
    assert!(is_socket(&path), "bind() made the socket file");
    let path_arg = path.to_str().expect("a UTF-8 temp path");
    let out = run_ok(
        python_peer("tcp_unix_client.py", &["--path", path_arg]),
        "hello\n\n你好 abc\nquit\n".as_bytes(),
        WAIT,
    );
    assert_eq!(out, "reply: HELLO\nreply: 你好 ABC\n");
    server
        .stdout
        .assert_shows("客户端发来的消息是 你好 abc", WAIT);
    server.stdout.assert_shows("客户端地址 (unnamed)", WAIT);
}

#[test]
fn tcp_6_unix_server_leaves_its_file_when_killed_and_the_next_run_removes_it() {
    let dir = temp_dir();
    let path = dir.path().join("stale.sock");
    drop(unix_server(&path)); // killed, as Ctrl-C would: no cleanup runs
    assert!(is_socket(&path), "the killed server's file is still there");
    let _next = unix_server(&path);
    assert_eq!(ask_unix(&path, b"still here?"), b"STILL HERE?");
}

#[test]
fn tcp_6_unix_server_removes_neither_a_live_servers_socket_nor_a_plain_file() {
    let dir = temp_dir();
    let path = dir.path().join("live.sock");
    let _first = unix_server(&path);
    let second = run(step("tcp_server", "tcp_6_unix_server", [&path]), b"", WAIT);
    assert!(!second.status.success());
    assert!(
        stderr(&second).contains("Address already in use"),
        "{}",
        stderr(&second)
    );
    assert_eq!(
        ask_unix(&path, b"first?"),
        b"FIRST?",
        "the first still serves"
    );

    let plain = dir.path().join("notes.txt");
    fs::write(&plain, "keep me").expect("a plain file");
    let out = run(step("tcp_server", "tcp_6_unix_server", [&plain]), b"", WAIT);
    assert!(!out.status.success());
    assert_eq!(fs::read_to_string(&plain).expect("still there"), "keep me");
}

/// `tcp_7_sixteen server 127.0.0.1 -p 0`.
fn sixteen_server() -> Server {
    Server::start(step(
        "tcp_server",
        "tcp_7_sixteen",
        ["server", "127.0.0.1", "-p", "0"],
    ))
}

/// The port in a line `... ('127.0.0.1', PORT)` that starts with `prefix`.
fn tuple_port(text: &str, prefix: &str) -> u16 {
    let line = text
        .lines()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in:\n{text}"));
    let port = line
        .strip_prefix("('127.0.0.1', ")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not a Python address tuple: {line:?}"));
    port.parse().expect("a port number")
}

#[test]
fn tcp_7_sixteen_server_answers_the_lessons_python_client_and_both_name_the_four_tuple() {
    let server = sixteen_server();
    let port = server.addr.port().to_string();
    let out = run_ok(
        python_peer("tcp_sixteen.py", &["client", "--port", &port]),
        b"",
        WAIT,
    );
    assert!(
        out.ends_with("The server said b'farewell,client'\n"),
        "{out}"
    );
    server
        .stdout
        .assert_shows("reply sent, socket closed", WAIT);
    let log = server.stdout.text();
    let client_port = tuple_port(&out, "client has been assigned socket name ");
    assert_eq!(tuple_port(&log, "socket peer "), client_port);
    assert_eq!(tuple_port(&log, "socket name "), server.addr.port());
    assert_eq!(
        tuple_port(&log, "we have accepted a connection from "),
        client_port
    );
    assert!(
        log.contains("incoming sixteen-octet message: b'Hi there, server'\n"),
        "{log}"
    );
}

#[test]
fn tcp_7_sixteen_client_talks_to_the_lessons_python_server() {
    let server = Server::start(python_peer("tcp_sixteen.py", &["server", "--port", "0"]));
    let port = server.addr.port().to_string();
    let out = run_ok(
        step(
            "tcp_server",
            "tcp_7_sixteen",
            ["client", "127.0.0.1", "-p", &port],
        ),
        b"",
        WAIT,
    );
    let client_port = tuple_port(&out, "client has been assigned socket name ");
    assert_eq!(
        out,
        format!(
            "client has been assigned socket name ('127.0.0.1', {client_port})\n\
             The server said b'farewell,client'\n"
        )
    );
    server
        .stdout
        .assert_shows("reply sent, socket closed", WAIT);
    let log = server.stdout.text();
    assert_eq!(tuple_port(&log, "socket peer "), client_port);
    assert!(log.contains("b'Hi there, server'"), "{log}");
}

#[test]
fn tcp_7_sixteen_server_gathers_sixteen_bytes_sent_one_at_a_time() {
    let server = sixteen_server();
    let mut client = tcp_connect(server.addr, WAIT);
    write_byte_by_byte(&mut client, b"Hi there, server", Duration::from_millis(5))
        .expect("send byte by byte");
    let mut reply = Vec::new();
    client
        .read_to_end(&mut reply)
        .expect("the reply, then the close");
    assert_eq!(reply, b"farewell,client");
    server.stdout.assert_shows(
        "incoming sixteen-octet message: b'Hi there, server'\n",
        WAIT,
    );
}

#[test]
fn tcp_7_sixteen_server_reports_a_short_message_and_serves_the_next_client() {
    // The lesson's server dies of recvall's EOFError; the step only ends
    // that connection.
    let server = sixteen_server();
    let mut short = tcp_connect(server.addr, WAIT);
    short.write_all(b"Hi th").expect("five bytes");
    drop(short);
    server.stdout.assert_shows(
        "was expecting 16 bytes but only received 5 bytes before the socket closed\n\
         waiting to accept a new connection\n",
        WAIT,
    );
    let port = server.addr.port().to_string();
    let out = run_ok(
        python_peer("tcp_sixteen.py", &["client", "--port", &port]),
        b"",
        WAIT,
    );
    assert!(out.contains("The server said b'farewell,client'"), "{out}");
}

#[test]
fn tcp_7_sixteen_client_reports_a_short_reply() {
    let addr = fake_tcp_server(WAIT, |mut stream| {
        let mut message = [0; 16];
        stream.read_exact(&mut message).expect("the sixteen octets");
        stream.write_all(b"fare").expect("a short reply");
    });
    let port = addr.port().to_string();
    let out = run(
        step(
            "tcp_server",
            "tcp_7_sixteen",
            ["client", "127.0.0.1", "-p", &port],
        ),
        b"",
        WAIT,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains("was expecting 15 bytes but only received 4 bytes before the socket closed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn tcp_7_sixteen_refuses_a_bad_command_line() {
    for args in [
        &["server"][..],
        &["peer", "127.0.0.1"],
        &["client", "h", "-p", "x"],
    ] {
        let out = run(step("tcp_server", "tcp_7_sixteen", args), b"", WAIT);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).contains("usage: tcp_7_sixteen {server,client} HOST [-p PORT]"),
            "{}",
            stderr(&out)
        );
    }
}

/// Sends `request` to the hello server and reads all it answers, to the close.
fn ask_hello(server: &Server, request: &[u8]) -> Vec<u8> {
    let mut stream = tcp_connect(server.addr, WAIT);
    stream.write_all(request).expect("send the request");
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .expect("the answer, then the close");
    answer
}

#[test]
fn tcp_8_hello_answers_the_lessons_request_with_hello_word_and_prints_it() {
    let server = Server::start(step("tcp_server", "tcp_8_hello", ["0"]));
    let request = b"GET / HTTP/1.1\r\nHost:127.0.0.0.1\r\n\r\n"; // the lesson's client sends this
    assert_eq!(ask_hello(&server, request), b"hello word");
    server.stdout.assert_shows(
        "b'GET / HTTP/1.1\\r\\nHost:127.0.0.0.1\\r\\n\\r\\n'\n",
        WAIT,
    );
    assert_eq!(ask_hello(&server, b"anything at all"), b"hello word");
}

#[test]
fn tcp_8_hello_gives_a_browsers_request_no_status_line() {
    let server = Server::start(step("tcp_server", "tcp_8_hello", ["0"]));
    let browser = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n\
         Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\nConnection: keep-alive\r\n\r\n",
        server.addr
    );
    // No `HTTP/1.1 200 OK`, no headers: the whole answer is the body, and
    // the close ends it (HTTP/0.9).
    assert_eq!(ask_hello(&server, browser.as_bytes()), b"hello word");

    // Python's HTTP client reads `hello word` as the status line and gives up.
    let url = format!("http://{}/", server.addr);
    let out = run(python_peer("web_urllib_client.py", &[&url]), b"", WAIT);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("http.client.BadStatusLine: hello word"),
        "{}",
        stderr(&out)
    );
    server
        .stdout
        .assert_shows("User-Agent: Python-urllib/", WAIT);
}
