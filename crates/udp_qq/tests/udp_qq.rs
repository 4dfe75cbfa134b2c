//! The real `udp_qq` binary on `--port 0`: the server driven by raw UDP
//! sockets with its operator's replies piped in, the client against the
//! server and against sockets the test controls, and both against the
//! lesson's Python programs (`scripts/peers/udp_qq_*.py`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use testkit::{command, Server};

const BIN: &str = env!("CARGO_BIN_EXE_udp_qq");
const WAIT: Duration = Duration::from_secs(10);
/// The most one UDP datagram over IPv4 carries.
const MAX_DATAGRAM: usize = 65_507;

/// The server, its operator's replies to be written to its stdin.
fn start_server() -> Server {
    let mut cmd = command(BIN, ["server", "--port", "0"]);
    cmd.stdin(Stdio::piped());
    Server::start(cmd)
}

/// Types the operator's replies, one line each.
fn reply(server: &mut Server, lines: &str) {
    server
        .stdin()
        .write_all(lines.as_bytes())
        .expect("the server reads its replies");
}

/// A UDP socket the test controls: a client of the server, or a contact of
/// the client.
fn socket() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a free port");
    socket.set_read_timeout(Some(WAIT)).expect("timeout");
    socket
}

fn addr_of(socket: &UdpSocket) -> SocketAddr {
    socket.local_addr().expect("bound")
}

fn recv(socket: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = vec![0; 65_536];
    let (n, from) = socket.recv_from(&mut buf).expect("a datagram");
    buf.truncate(n);
    (buf, from)
}

/// Nothing more has arrived (for checks made after the sender has exited,
/// so anything it sent over loopback is already here).
fn assert_nothing_more(socket: &UdpSocket) {
    socket.set_nonblocking(true).expect("nonblocking");
    let mut buf = [0; 64];
    if let Ok((n, from)) = socket.recv_from(&mut buf) {
        panic!("unexpected datagram from {from}: {:?}", &buf[..n]);
    }
}

fn wait_for(server: &Server, text: &str) {
    assert!(
        server.stdout.wait_for(text, WAIT),
        "no {text:?} in the server's output:\n{}",
        server.stdout.text()
    );
}

fn stop(mut server: Server) -> String {
    server.interrupt();
    let status = server.wait(WAIT);
    assert!(
        status.success(),
        "exit status {status:?}; stderr:\n{}",
        server.stderr.text()
    );
    server.stdout.text()
}

fn client(port: u16, args: &[&str], input: &str) -> Output {
    let port = port.to_string();
    let mut all = vec!["client", "--port", &port];
    all.extend_from_slice(args);
    testkit::run(command(BIN, all), input.as_bytes(), WAIT)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// ------------------------------------------------------------ server

#[test]
fn the_server_shows_each_message_and_sends_the_operators_reply_back() {
    let mut server = start_server();
    let alice = socket();
    alice.send_to(b"hello", server.addr).expect("send");
    wait_for(&server, &format!("[{}] hello\n", addr_of(&alice)));
    reply(&mut server, "hi there\n");
    assert_eq!(recv(&alice), (b"hi there".to_vec(), server.addr));
    let log = stop(server);
    assert!(
        log.contains(&format!("  reply to [{}]: hi there\n", addr_of(&alice))),
        "{log}"
    );
    assert!(!log.contains('\x1b'), "no colour into a pipe: {log:?}");
    assert!(
        log.contains("shutting down: 1 message received, 1 reply sent"),
        "{log}"
    );
}

#[test]
fn each_reply_goes_to_the_client_that_wrote() {
    let mut server = start_server();
    let (x, y) = (socket(), socket());
    x.send_to(b"from x", server.addr).expect("send");
    wait_for(&server, "from x");
    // y writes while the operator is still answering x.
    y.send_to(b"from y", server.addr).expect("send");
    reply(&mut server, "for x\nfor y\n");
    assert_eq!(recv(&x).0, b"for x");
    assert_eq!(recv(&y).0, b"for y");
    // And the other way round.
    y.send_to(b"y again", server.addr).expect("send");
    wait_for(&server, "y again");
    x.send_to(b"x again", server.addr).expect("send");
    reply(&mut server, "to y\nto x\n");
    assert_eq!(recv(&y).0, b"to y");
    assert_eq!(recv(&x).0, b"to x");
    let log = stop(server);
    assert!(log.contains("4 messages received, 4 replies sent"), "{log}");
}

#[test]
fn chinese_round_trips_and_bad_bytes_are_shown_safely() {
    let mut server = start_server();
    let peer = socket();
    peer.send_to("你好，服务器".as_bytes(), server.addr)
        .expect("send");
    wait_for(&server, "] 你好，服务器\n");
    reply(&mut server, "你好，客户端\n");
    assert_eq!(recv(&peer).0, "你好，客户端".as_bytes());

    // Not UTF-8, and an escape sequence that would clear the screen.
    peer.send_to(b"\xff\xfe\x1b[2J\r", server.addr)
        .expect("send");
    wait_for(&server, "] \u{fffd}\u{fffd}\\u{1b}[2J\\r\n");
    reply(&mut server, "ok\n");
    assert_eq!(recv(&peer).0, b"ok");
}

#[test]
fn an_empty_and_a_maximum_size_datagram_are_messages_too() {
    let mut server = start_server();
    let peer = socket();
    peer.send_to(b"", server.addr).expect("send");
    wait_for(&server, "] (an empty datagram)\n");
    // An empty reply line is sent as an empty datagram.
    reply(&mut server, "\n");
    assert_eq!(recv(&peer).0, b"");

    let big: String = (0..MAX_DATAGRAM)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    peer.send_to(big.as_bytes(), server.addr).expect("send");
    wait_for(&server, &format!("] {big}\n"));
    reply(&mut server, "got it all\n");
    assert_eq!(recv(&peer).0, b"got it all");

    peer.send_to(b"still there?", server.addr).expect("send");
    wait_for(&server, "] still there?\n");
    reply(&mut server, "yes\n");
    assert_eq!(recv(&peer).0, b"yes");
}

#[test]
fn the_server_stops_when_the_replies_run_out() {
    let mut server = start_server();
    let peer = socket();
    peer.send_to(b"anyone?", server.addr).expect("send");
    wait_for(&server, "anyone?");
    server.close_stdin();
    let status = server.wait(WAIT);
    assert!(status.success(), "{status:?}");
    let log = server.stdout.text();
    assert!(
        log.contains("no more replies (the operator's input ended); stopping"),
        "{log}"
    );
    assert!(log.contains("1 message received, 0 replies sent"), "{log}");
}

#[test]
fn ctrl_c_stops_the_server_even_while_it_waits_for_a_reply() {
    let server = start_server();
    let peer = socket();
    peer.send_to(b"are you typing?", server.addr).expect("send");
    wait_for(&server, "are you typing?");
    let log = stop(server);
    assert!(log.contains("1 message received, 0 replies sent"), "{log}");

    let idle = start_server();
    let log = stop(idle);
    assert!(log.contains("0 messages received, 0 replies sent"), "{log}");
}

// ------------------------------------------------------------ client

#[test]
fn the_client_chats_with_the_lesson_contacts() {
    let mut server = start_server();
    reply(&mut server, "reply one\n回复二\n");
    let out = client(
        server.addr.port(),
        &[],
        "A\nhello\nquit\nB\n你好\nquit\nquit\nnot read\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("contacts: A, B, C, D (quit ends)\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("talking to A at {}", server.addr)),
        "{text}"
    );
    assert!(
        text.contains(&format!("[{}] reply one\n", server.addr)),
        "{text}"
    );
    assert!(
        text.contains(&format!("[{}] 回复二\n", server.addr)),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "no colour into a pipe");
    let log = stop(server);
    assert!(
        log.contains("] hello\n") && log.contains("] 你好\n"),
        "{log}"
    );
    assert!(log.contains("2 messages received"), "{log}");
}

/// A contact played by the test, when it has answered: its socket and the
/// messages it received.
type Answered = thread::JoinHandle<(UdpSocket, Vec<Vec<u8>>)>;

/// A contact played by the test: answers each message with `reply: ` and
/// the message, and hands back what it received.
fn contact(replies: usize) -> (SocketAddr, Answered) {
    let socket = socket();
    let addr = addr_of(&socket);
    let handle = thread::spawn(move || {
        let mut got = Vec::new();
        for _ in 0..replies {
            let (message, from) = recv(&socket);
            let mut answer = b"reply: ".to_vec();
            answer.extend_from_slice(&message);
            socket.send_to(&answer, from).expect("reply");
            got.push(message);
        }
        (socket, got)
    });
    (addr, handle)
}

#[test]
fn unknown_contacts_and_empty_lines_are_refused_and_never_sent() {
    let (addr, contact) = contact(1);
    let out = client(addr.port(), &[], "Z\n\nA\n\nhello\nquit\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let (socket, got) = contact.join().expect("the contact");
    assert_eq!(got, [b"hello".to_vec()]);
    assert_nothing_more(&socket);
    assert_eq!(
        stderr(&out),
        "no contact named 'Z'; choose one of: A, B, C, D\n\
         choose a contact: A, B, C, D\n\
         an empty message is not sent\n"
    );
    assert!(stdout(&out).contains(&format!("[{addr}] reply: hello\n")));
}

#[test]
fn one_message_with_to_and_message() {
    let (addr, contact) = contact(1);
    let out = client(addr.port(), &["--to", "C", "--message", " 你好 "], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("[{addr}] reply: 你好\n"));
    let (_, got) = contact.join().expect("the contact");
    assert_eq!(got, ["你好".as_bytes().to_vec()]);

    let out = client(addr.port(), &["--to", "E", "-m", "hi"], "");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: --to: no contact named 'E'; the contacts are A, B, C, D\n"
    );
    let out = client(addr.port(), &["-m", "  "], "");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: --message: an empty message is not sent\n"
    );
}

#[test]
fn no_reply_to_one_message_is_one_line_and_exit_1() {
    let silent = socket();
    let addr = addr_of(&silent);
    let out = client(addr.port(), &["-m", "hello?", "--timeout", "1"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("error: no reply from A ({addr}) within 1 s; is the udp_qq server running, and its operator replying?\n")
    );
    assert_eq!(recv(&silent).0, b"hello?", "it was sent");
}

#[test]
fn a_datagram_from_someone_else_is_shown_and_the_wait_goes_on() {
    let fake = socket();
    let addr = addr_of(&fake);
    let intruder = socket();
    let intruder_addr = addr_of(&intruder);
    let responder = thread::spawn(move || {
        let (_, client) = recv(&fake);
        intruder.send_to(b"psst", client).expect("send");
        fake.send_to(b"the reply", client).expect("send");
    });
    let out = client(addr.port(), &["-m", "hi"], "");
    responder.join().expect("the fake server");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("[{intruder_addr}] psst\n[{addr}] the reply\n")
    );
}

/// Runs the client on a pseudo-terminal (Python's `pty.spawn`), as a
/// student's terminal would, and returns what it printed there.
fn client_on_a_terminal(port: u16, no_color: Option<&str>) -> String {
    let mut cmd = Command::new(testkit::python3());
    cmd.args(["-c", "import pty, sys; pty.spawn(sys.argv[1:])", BIN])
        .args(["client", "--port", &port.to_string(), "-m", "hi"]);
    match no_color {
        Some(value) => cmd.env("NO_COLOR", value),
        None => cmd.env_remove("NO_COLOR"),
    };
    let out = testkit::run(cmd, b"", WAIT);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn the_sender_is_in_colour_on_a_terminal_unless_no_color() {
    let (addr, contact) = contact(3);
    let shown = client_on_a_terminal(addr.port(), None);
    assert!(
        shown.contains(&format!("\x1b[1;44m[{addr}]\x1b[0m reply: hi")),
        "{shown:?}"
    );
    let shown = client_on_a_terminal(addr.port(), Some("1"));
    assert!(shown.contains(&format!("[{addr}] reply: hi")), "{shown:?}");
    assert!(!shown.contains('\x1b'), "{shown:?}");
    let shown = client_on_a_terminal(addr.port(), Some(""));
    assert!(
        shown.contains("\x1b[1;44m"),
        "an empty NO_COLOR is unset: {shown:?}"
    );
    contact.join().expect("the contact");
}

/// A client whose stdin the test writes line by line, watching its output.
struct LiveClient {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<thread::JoinHandle<()>>,
}

impl LiveClient {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the client");
        let stdin = child.stdin.take();
        let (stdout, out_reader) = collect(child.stdout.take().expect("piped"));
        let (stderr, err_reader) = collect(child.stderr.take().expect("piped"));
        LiveClient {
            child,
            stdin,
            stdout,
            stderr,
            readers: vec![out_reader, err_reader],
        }
    }

    fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        writeln!(stdin, "{line}").expect("the client reads stdin");
    }

    fn wait_for(&self, which: &Arc<Mutex<String>>, needle: &str) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if text(which).contains(needle) {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "no {needle:?}; stdout:\n{}\nstderr:\n{}",
            text(&self.stdout),
            text(&self.stderr)
        );
    }

    /// Closes stdin (Ctrl-D) and waits for a clean exit.
    fn finish(mut self) -> String {
        drop(self.stdin.take());
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "{status:?}: {}", text(&self.stderr));
                break;
            }
            assert!(Instant::now() < deadline, "the client did not exit");
            thread::sleep(Duration::from_millis(10));
        }
        // The process is gone, so the readers reach the end of its output.
        for reader in self.readers.drain(..) {
            reader.join().expect("a reader thread");
        }
        text(&self.stdout)
    }
}

impl Drop for LiveClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Collects a child's output on a thread of its own.
fn collect(stream: impl Read + Send + 'static) -> (Arc<Mutex<String>>, thread::JoinHandle<()>) {
    let sink = Arc::new(Mutex::new(String::new()));
    let writer = Arc::clone(&sink);
    let reader = thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
            writer
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push_str(&line);
            line.clear();
        }
    });
    (sink, reader)
}

fn text(which: &Arc<Mutex<String>>) -> String {
    which.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

#[test]
fn a_missing_reply_is_reported_the_chat_goes_on_and_a_late_reply_is_shown() {
    let contact = socket();
    let addr = addr_of(&contact);
    let port = addr.port().to_string();
    let mut client = LiveClient::start(&["client", "--port", &port, "--timeout", "1"]);
    client.type_line("A");
    client.type_line("one");
    let (message, client_addr) = recv(&contact);
    assert_eq!(message, b"one");
    client.wait_for(
        &client.stderr,
        &format!(
            "no reply from A ({addr}) within 1 s; a reply that comes later is shown \
             before your next message\n"
        ),
    );
    // The reply to "one" comes late; then the chat goes on.
    contact.send_to(b"late one", client_addr).expect("send");
    client.type_line("two");
    assert_eq!(recv(&contact).0, b"two");
    contact.send_to(b"reply two", client_addr).expect("send");
    client.wait_for(&client.stdout, "reply two");
    let out = client.finish();
    let late = out
        .find(&format!("(late) [{addr}] late one\n"))
        .expect("the late reply is shown as late");
    let current = out
        .find(&format!("\n[{addr}] reply two\n"))
        .expect("the reply to two is shown as the reply");
    assert!(late < current, "{out}");
}

#[test]
fn a_contacts_file_names_other_servers() {
    let dir = testkit::temp_dir();
    let (first, first_contact) = contact(1);
    let (second, second_contact) = contact(1);
    let path = dir.path().join("friends.json");
    std::fs::write(&path, format!(r#"{{"小明": "{first}", "B": "{second}"}}"#))
        .expect("write the contacts");
    let path = path.to_str().expect("a UTF-8 temp path");
    let out = testkit::run(
        command(BIN, ["client", "--contacts", path]),
        "小明\nhello 1\nquit\nB\nhello 2\n".as_bytes(),
        WAIT,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        first_contact.join().expect("first").1,
        [b"hello 1".to_vec()]
    );
    assert_eq!(
        second_contact.join().expect("second").1,
        [b"hello 2".to_vec()]
    );
    let text = stdout(&out);
    assert!(
        text.starts_with("contacts: B, 小明 (quit ends)\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("[{first}] reply: hello 1\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("[{second}] reply: hello 2\n")),
        "{text}"
    );
}

#[test]
fn a_bad_contacts_file_is_a_usage_error() {
    let dir = testkit::temp_dir();
    let file = |name: &str, body: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, body).expect("write");
        path.to_str().expect("UTF-8").to_string()
    };
    let missing = dir.path().join("missing.json");
    let missing = missing.to_str().expect("UTF-8").to_string();
    let cases = [
        (
            missing.clone(),
            format!("error: cannot read the contacts file {missing}: no such file or directory\n"),
        ),
        (
            file("bad.json", "{\"A\": "),
            "not valid JSON: EOF while parsing a value at line 1 column 6\n".to_string(),
        ),
        (
            file("addr.json", r#"{"A": "127.0.0.1"}"#),
            ": contact 'A': '127.0.0.1' is not an address: invalid socket address \
             (write HOST:PORT, e.g. 127.0.0.1:8081)\n"
                .to_string(),
        ),
        (
            file("list.json", r#"["127.0.0.1:8081"]"#),
            ": expected a JSON object of names to addresses".to_string(),
        ),
    ];
    for (path, expected) in cases {
        let out = testkit::run(
            command(BIN, ["client", "--contacts", &path]),
            b"A\nhello\n",
            WAIT,
        );
        assert_eq!(out.status.code(), Some(2), "{path}");
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains(&expected), "{path}: {err}");
        assert!(stdout(&out).is_empty());
    }
    // --contacts replaces --host/--port: both together is a mistake.
    let out = testkit::run(
        command(BIN, ["client", "--contacts", &missing, "--port", "9"]),
        b"",
        WAIT,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn net_arguments_go_before_or_after_the_role_and_help_shows_examples() {
    let mut server = {
        let mut cmd = command(BIN, ["--port", "0", "server"]);
        cmd.stdin(Stdio::piped());
        Server::start(cmd)
    };
    reply(&mut server, "pong\n");
    let port = server.addr.port().to_string();
    let out = testkit::run(
        command(BIN, ["--port", &port, "client", "-m", "ping"]),
        b"",
        WAIT,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).ends_with("] pong\n"));

    for args in [
        &["--help"][..],
        &["server", "--help"],
        &["client", "--help"],
    ] {
        let out = testkit::run(command(BIN, args), b"", WAIT);
        assert!(out.status.success());
        let help = stdout(&out);
        assert!(
            help.contains("Examples:") && help.contains("--port"),
            "{help}"
        );
    }
    let out = testkit::run(command(BIN, ["--help"]), b"", WAIT);
    assert!(stdout(&out).contains("\"QQ chat\" lesson (模拟QQ聊天)"));
}

// ------------------------------------------------------------ interop

#[test]
fn the_lesson_client_talks_to_this_server() {
    let mut server = start_server();
    reply(&mut server, "reply one\n回复二\n");
    let mut cmd = Command::new(testkit::python3());
    cmd.arg(testkit::peer_script("udp_qq_client.py"))
        .args(["--port", &server.addr.port().to_string()]);
    let out = testkit::run(cmd, "A\nhello\n\nquit\nB\n你好\n".as_bytes(), WAIT);
    assert!(out.status.success(), "{}", stderr(&out));
    let port = server.addr.port();
    assert_eq!(
        stdout(&out),
        format!(
            "来自[127.0.0.1:{port}]的一条消息:reply one\n来自[127.0.0.1:{port}]的一条消息:回复二\n"
        )
    );
    let log = stop(server);
    assert!(
        log.contains("] hello\n") && log.contains("] 你好\n"),
        "{log}"
    );
}

#[test]
fn this_client_talks_to_the_lesson_server() {
    let mut cmd = Command::new(testkit::python3());
    cmd.arg(testkit::peer_script("udp_qq_server.py"))
        .args(["--port", "0"])
        .stdin(Stdio::piped());
    let mut server = Server::start(cmd);
    reply(&mut server, "pong\n你好\n");
    let out = client(server.addr.port(), &[], "A\nping\nquit\nD\n早上好\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "contacts: A, B, C, D (quit ends)\n\
             talking to A at {0}; quit to choose another contact\n\
             [{0}] pong\n\
             talking to D at {0}; quit to choose another contact\n\
             [{0}] 你好\n",
            server.addr
        )
    );
    wait_for(&server, "的一条消息:\x1b[1;44m早上好\x1b[0m");
    assert!(server
        .stdout
        .text()
        .contains("的一条消息:\x1b[1;44mping\x1b[0m"));
}
