//! The UDP lesson's steps (`examples/udp_*`), each run against the Python
//! peer of the lesson program it follows, and each showing its own point.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use testkit::{python_peer, run_ok, step, udp_ask, udp_recv, udp_socket, Server};

const WAIT: Duration = Duration::from_secs(10);

/// A step of this package as a server on a free port.
fn server(name: &str) -> Server {
    Server::start(step("udp_qq", name, ["0"]))
}

/// A step of this package as a server on a free port, its operator's
/// replies to be typed at its stdin.
fn server_with_operator(name: &str) -> Server {
    let mut cmd = step("udp_qq", name, ["0"]);
    cmd.stdin(Stdio::piped());
    Server::start(cmd)
}

/// What the lesson's client of §四 prints for `hello`, an empty line and
/// `你好 abc`: each answer as Python shows bytes.
const ECHO_ANSWERS: &str = "b'HELLO'\nb''\nb'\\xe4\\xbd\\xa0\\xe5\\xa5\\xbd ABC'\n";

/// What udp_1_client prints for the same three lines.
const UDP_1_CLIENT_OUTPUT: &str =
    ">>: b'HELLO'\n>>: b''\n>>: b'\\xe4\\xbd\\xa0\\xe5\\xa5\\xbd ABC'\n>>: ";

/// The lesson's client of §四, then the udp_1_client step, against the
/// upper-case server step `name`.
fn answers_the_python_client_and_udp_1_client(name: &str) {
    let server = server(name);
    let port = server.addr.port().to_string();
    let out = run_ok(
        python_peer("udp_echo_client.py", &["--port", &port]),
        "hello\n\n你好 abc\n".as_bytes(),
        WAIT,
    );
    assert_eq!(out, ECHO_ANSWERS);
    let out = run_ok(
        step("udp_qq", "udp_1_client", [&port]),
        "hello\n\n  你好 abc  \n".as_bytes(),
        WAIT,
    );
    assert_eq!(out, UDP_1_CLIENT_OUTPUT);
    server
        .stdout
        .assert_shows("b'\\xe4\\xbd\\xa0\\xe5\\xa5\\xbd abc'\n", WAIT);
    server.stdout.assert_shows("b''\n", WAIT);
}

// ---- udp_1: the upper-case echo over UDP

#[test]
fn udp_1_server_answers_the_lessons_python_client_and_udp_1_client() {
    answers_the_python_client_and_udp_1_client("udp_1_server");
}

#[test]
fn udp_1_server_answers_an_empty_datagram_with_an_empty_datagram() {
    // In TCP, reading 0 bytes means the peer has gone; in UDP it is a
    // message of its own, from an address, and it gets an answer.
    let server = server("udp_1_server");
    let client = udp_socket(WAIT);
    assert_eq!(udp_ask(&client, server.addr, b""), b"");
    assert_eq!(
        udp_ask(&client, server.addr, b"still there?"),
        b"STILL THERE?"
    );
}

#[test]
fn udp_1_client_talks_to_the_lessons_python_server_and_sends_the_empty_line() {
    let server = Server::start(python_peer("udp_echo_server.py", &["--port", "0"]));
    let port = server.addr.port().to_string();
    let out = run_ok(
        step("udp_qq", "udp_1_client", [&port]),
        "hello\n\n  你好 abc  \n".as_bytes(),
        WAIT,
    );
    assert_eq!(out, UDP_1_CLIENT_OUTPUT);
    // The empty line went out as a datagram of 0 bytes: the server saw b''.
    server.stdout.assert_shows(
        "b'hello'\nb''\nb'\\xe4\\xbd\\xa0\\xe5\\xa5\\xbd abc'\n",
        WAIT,
    );
}

// ---- udp_2: QQ chat

/// `来自[ip:port]的一条消息:` and the message in the lesson's colour.
fn coloured(from: SocketAddr, message: &str) -> String {
    format!(
        "来自[{}:{}]的一条消息:\x1b[1;44m{message}\x1b[0m",
        from.ip(),
        from.port()
    )
}

#[test]
fn udp_2_qq_server_answers_the_lessons_python_client_with_its_operators_replies() {
    let mut server = server_with_operator("udp_2_qq_server");
    server.type_text("reply one\n  回复二  \n");
    let port = server.addr.port().to_string();
    let out = run_ok(
        python_peer("udp_qq_client.py", &["--port", &port]),
        "A\nhello\n\nquit\nB\n你好\n".as_bytes(),
        WAIT,
    );
    // (udp_qq_client.py prints a reply without the lesson's colour.)
    let from = format!("来自[127.0.0.1:{port}]的一条消息:");
    assert_eq!(out, format!("{from}reply one\n{from}回复二\n"));
    // Each message in colour, then the operator's prompt (seen here once
    // the next line ends it).
    server
        .stdout
        .assert_shows("的一条消息:\x1b[1;44mhello\x1b[0m\n回复消息: 来自[", WAIT);
    server
        .stdout
        .assert_shows("的一条消息:\x1b[1;44m你好\x1b[0m\n", WAIT);
}

#[test]
fn udp_2_qq_server_shows_the_sender_and_replies_to_it() {
    let mut server = server_with_operator("udp_2_qq_server");
    let (first, second) = (udp_socket(WAIT), udp_socket(WAIT));
    first
        .send_to("我是第一个".as_bytes(), server.addr)
        .expect("send");
    let first_addr = first.local_addr().expect("bound");
    server
        .stdout
        .assert_shows(&coloured(first_addr, "我是第一个"), WAIT);
    second.send_to(b"second", server.addr).expect("send");
    server.type_text("to the first\nto the second\n");
    assert_eq!(udp_recv(&first), (b"to the first".to_vec(), server.addr));
    assert_eq!(udp_recv(&second), (b"to the second".to_vec(), server.addr));
    let second_addr = second.local_addr().expect("bound");
    server
        .stdout
        .assert_shows(&coloured(second_addr, "second"), WAIT);
}

#[test]
fn udp_2_qq_client_chooses_contacts_and_shows_the_lessons_python_server_in_colour() {
    let mut cmd = python_peer("udp_qq_server.py", &["--port", "0"]);
    cmd.stdin(Stdio::piped());
    let mut server = Server::start(cmd);
    server.type_text("pong\n你好\n");
    let port = server.addr.port().to_string();
    // A: ping, an empty line (skipped), quit; Z is no contact, so its
    // message is skipped; D: 早上好.
    let out = run_ok(
        step("udp_qq", "udp_2_qq_client", [&port]),
        "A\nping\n\nquit\nZ\nlost\nquit\nD\n早上好\n".as_bytes(),
        WAIT,
    );
    let (choose, type_) = ("请选择聊天对象: ", "请输入消息,回车发送: ");
    assert_eq!(
        out,
        format!(
            "{choose}{type_}{}\n{type_}{type_}\
             {choose}{type_}{type_}\
             {choose}{type_}{}\n{type_}",
            coloured(server.addr, "pong"),
            coloured(server.addr, "你好"),
        )
    );
    server
        .stdout
        .assert_shows("的一条消息:\x1b[1;44m早上好\x1b[0m", WAIT);
    let log = server.stdout.text();
    assert!(log.contains("\x1b[1;44mping\x1b[0m"), "{log}");
    assert!(!log.contains("lost"), "a message to Z was sent: {log}");
}

#[test]
fn udp_2_qq_client_and_server_chat() {
    let mut server = server_with_operator("udp_2_qq_server");
    server.type_text("你好，我是服务端\n");
    let port = server.addr.port().to_string();
    let out = run_ok(
        step("udp_qq", "udp_2_qq_client", [&port]),
        "C\n你好\n".as_bytes(),
        WAIT,
    );
    assert!(
        out.contains(&coloured(server.addr, "你好，我是服务端")),
        "{out}"
    );
    server
        .stdout
        .assert_shows("的一条消息:\x1b[1;44m你好\x1b[0m\n", WAIT);
}

// ---- udp_3: ThreadingUDPServer

#[test]
fn udp_3_threading_server_answers_the_lessons_python_client_and_udp_1_client() {
    answers_the_python_client_and_udp_1_client("udp_3_threading_server");
}

#[test]
fn udp_3_threading_server_shows_each_request_the_datagram_and_the_socket() {
    let server = server("udp_3_threading_server");
    let client = udp_socket(WAIT);
    assert_eq!(udp_ask(&client, server.addr, b"abc"), b"ABC");
    server.stdout.assert_shows("b'abc'\n", WAIT);
    server
        .stdout
        .assert_shows(&format!("UdpSocket {{ addr: {}", server.addr), WAIT);
}

#[test]
fn udp_1_client_talks_to_the_lessons_python_threading_server() {
    let server = Server::start(python_peer("udp_threading_server.py", &["--port", "0"]));
    let port = server.addr.port().to_string();
    let out = run_ok(
        step("udp_qq", "udp_1_client", [&port]),
        "hello\n\n  你好 abc  \n".as_bytes(),
        WAIT,
    );
    assert_eq!(out, UDP_1_CLIENT_OUTPUT);
    server.stdout.assert_shows("b''\n<socket.socket", WAIT);
}

/// A step started with its stdout a pipe the test reads only when it says
/// so; killed and reaped when dropped.
struct Stalled {
    child: Child,
    addr: SocketAddr,
    drain: mpsc::Sender<()>,
}

impl Stalled {
    /// Starts the step `name` and reads its `listening on` line, and no more.
    fn start(name: &str) -> Stalled {
        let mut cmd = step("udp_qq", name, ["0"]);
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the step");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let (first_line, line) = mpsc::channel();
        let (drain, start_draining) = mpsc::channel();
        thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_line(&mut text);
            let _ = first_line.send(text);
            if start_draining.recv().is_ok() {
                let _ = stdout.read_to_end(&mut Vec::new()); // until the step is killed
            }
        });
        let line = line.recv_timeout(WAIT).expect("a `listening on` line");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("not a `listening on` line: {line:?}"));
        Stalled { child, addr, drain }
    }

    /// How many threads the step has now.
    fn threads(&self) -> usize {
        fs::read_dir(format!("/proc/{}/task", self.child.id()))
            .map(|tasks| tasks.count())
            .unwrap_or(0)
    }
}

impl Drop for Stalled {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn udp_3_threading_server_handles_many_clients_at_once() {
    // 40 clients send a datagram each while nobody reads the server's
    // stdout: once the pipe is full (64 KiB; each datagram is printed in
    // about 4 KiB), a handler blocks in print(). A thread per datagram
    // means the server still takes every datagram, each blocked handler
    // a thread of its own; udp_1_server would sit in its one print().
    const CLIENTS: usize = 40;
    let server = Stalled::start("udp_3_threading_server");
    let clients: Vec<UdpSocket> = (0..CLIENTS).map(|_| udp_socket(WAIT)).collect();
    let datagram = |i: usize, tag: &str| {
        let mut bytes = format!("{tag} {i:02} ").into_bytes();
        bytes.resize(1024, 0xff); // printed as \xff: four bytes of output each
        bytes
    };
    for (i, client) in clients.iter().enumerate() {
        client
            .send_to(&datagram(i, "client"), server.addr)
            .expect("send");
    }
    let deadline = Instant::now() + WAIT;
    while server.threads() <= 10 {
        assert!(
            Instant::now() < deadline,
            "no ten handlers at once: {} thread(s)",
            server.threads()
        );
        thread::sleep(Duration::from_millis(10));
    }
    // Let the handlers print: every client gets its own answer.
    server.drain.send(()).expect("the reader is waiting");
    for (i, client) in clients.iter().enumerate() {
        assert_eq!(udp_recv(client), (datagram(i, "CLIENT"), server.addr));
    }
}
