//! The real `udp_qq` binary on `--port 0`: the server driven by raw UDP
//! sockets with its operator's replies piped in, the client against the
//! server and against sockets the test controls, and both against the
//! lesson's Python programs (`scripts/peers/udp_qq_*.py`).

use std::net::{SocketAddr, UdpSocket};
use std::process::{Output, Stdio};
use std::thread;
use std::time::Duration;

use testkit::{command, python_peer, stderr, stdout, udp_recv, Process, Server};

const BIN: &str = env!("CARGO_BIN_EXE_udp_qq");
const WAIT: Duration = Duration::from_secs(10);
/// The most one UDP datagram over IPv4 carries.
const MAX_DATAGRAM: usize = 65_507;

/// The server, its operator's replies to be typed at its stdin.
fn start_server() -> Server {
    let mut cmd = testkit::server_command(BIN, &["server"], &[]);
    cmd.stdin(Stdio::piped());
    Server::start(cmd)
}

/// A UDP socket the test controls: a client of the server, or a contact of
/// the client.
fn socket() -> UdpSocket {
    testkit::udp_socket(WAIT)
}

fn addr_of(socket: &UdpSocket) -> SocketAddr {
    socket.local_addr().expect("bound")
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

fn client(addr: SocketAddr, args: &[&str], input: &str) -> Output {
    testkit::run(
        testkit::client_command(BIN, &["client"], addr, args),
        input.as_bytes(),
        WAIT,
    )
}

fn run(args: &[&str]) -> Output {
    testkit::run(command(BIN, args), b"", WAIT)
}

// ------------------------------------------------------------ server

#[test]
fn the_server_shows_each_message_and_sends_the_operators_reply_back() {
    let mut server = start_server();
    let alice = socket();
    alice.send_to(b"hello", server.addr).expect("send");
    server
        .stdout
        .assert_shows(&format!("[{}] hello\n", addr_of(&alice)), WAIT);
    server.type_text("hi there\n");
    assert_eq!(udp_recv(&alice), (b"hi there".to_vec(), server.addr));
    let log = server.stop(WAIT);
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
    server.stdout.assert_shows("from x", WAIT);
    // y writes while the operator is still answering x.
    y.send_to(b"from y", server.addr).expect("send");
    server.type_text("for x\nfor y\n");
    assert_eq!(udp_recv(&x).0, b"for x");
    assert_eq!(udp_recv(&y).0, b"for y");
    // And the other way round.
    y.send_to(b"y again", server.addr).expect("send");
    server.stdout.assert_shows("y again", WAIT);
    x.send_to(b"x again", server.addr).expect("send");
    server.type_text("to y\nto x\n");
    assert_eq!(udp_recv(&y).0, b"to y");
    assert_eq!(udp_recv(&x).0, b"to x");
    let log = server.stop(WAIT);
    assert!(log.contains("4 messages received, 4 replies sent"), "{log}");
}

#[test]
fn chinese_round_trips_and_bad_bytes_are_shown_safely() {
    let mut server = start_server();
    let peer = socket();
    peer.send_to("你好，服务器".as_bytes(), server.addr)
        .expect("send");
    server.stdout.assert_shows("] 你好，服务器\n", WAIT);
    server.type_text("你好，客户端\n");
    assert_eq!(udp_recv(&peer).0, "你好，客户端".as_bytes());

    // Not UTF-8, and an escape sequence that would clear the screen.
    peer.send_to(b"\xff\xfe\x1b[2J\r", server.addr)
        .expect("send");
    server
        .stdout
        .assert_shows("] \u{fffd}\u{fffd}\\u{1b}[2J\\r\n", WAIT);
    server.type_text("ok\n");
    assert_eq!(udp_recv(&peer).0, b"ok");
}

#[test]
fn an_empty_and_a_maximum_size_datagram_are_messages_too() {
    let mut server = start_server();
    let peer = socket();
    peer.send_to(b"", server.addr).expect("send");
    server.stdout.assert_shows("] (an empty datagram)\n", WAIT);
    // An empty reply line is sent as an empty datagram.
    server.type_text("\n");
    assert_eq!(udp_recv(&peer).0, b"");

    let big: String = (0..MAX_DATAGRAM)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    peer.send_to(big.as_bytes(), server.addr).expect("send");
    server.stdout.assert_shows(&format!("] {big}\n"), WAIT);
    server.type_text("got it all\n");
    assert_eq!(udp_recv(&peer).0, b"got it all");

    peer.send_to(b"still there?", server.addr).expect("send");
    server.stdout.assert_shows("] still there?\n", WAIT);
    server.type_text("yes\n");
    assert_eq!(udp_recv(&peer).0, b"yes");
}

#[test]
fn the_server_stops_when_the_replies_run_out() {
    let mut server = start_server();
    let peer = socket();
    peer.send_to(b"anyone?", server.addr).expect("send");
    server.stdout.assert_shows("anyone?", WAIT);
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
    server.stdout.assert_shows("are you typing?", WAIT);
    let log = server.stop(WAIT);
    assert!(log.contains("1 message received, 0 replies sent"), "{log}");

    let idle = start_server();
    let log = idle.stop(WAIT);
    assert!(log.contains("0 messages received, 0 replies sent"), "{log}");
}

// ------------------------------------------------------------ client

#[test]
fn the_client_chats_with_the_lesson_contacts() {
    let mut server = start_server();
    server.type_text("reply one\n回复二\n");
    let out = client(
        server.addr,
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
    let log = server.stop(WAIT);
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
    testkit::fake_udp_server(WAIT, move |socket| {
        let mut got = Vec::new();
        for _ in 0..replies {
            let (message, from) = udp_recv(&socket);
            let mut answer = b"reply: ".to_vec();
            answer.extend_from_slice(&message);
            socket.send_to(&answer, from).expect("reply");
            got.push(message);
        }
        (socket, got)
    })
}

#[test]
fn unknown_contacts_and_empty_lines_are_refused_and_never_sent() {
    let (addr, contact) = contact(1);
    let out = client(addr, &[], "Z\n\nA\n\nhello\nquit\n");
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
    let out = client(addr, &["--to", "C", "--message", " 你好 "], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("[{addr}] reply: 你好\n"));
    let (_, got) = contact.join().expect("the contact");
    assert_eq!(got, ["你好".as_bytes().to_vec()]);

    let out = client(addr, &["--to", "E", "-m", "hi"], "");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: --to: no contact named 'E'; the contacts are A, B, C, D\n"
    );
    let out = client(addr, &["-m", "  "], "");
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
    let out = client(addr, &["-m", "hello?", "--timeout", "1"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("error: no reply from A ({addr}) within 1 s; is the udp_qq server running, and its operator replying?\n")
    );
    assert_eq!(udp_recv(&silent).0, b"hello?", "it was sent");
}

#[test]
fn a_datagram_from_someone_else_is_shown_and_the_wait_goes_on() {
    let intruder = socket();
    let intruder_addr = addr_of(&intruder);
    let (addr, responder) = testkit::fake_udp_server(WAIT, move |fake| {
        let (_, client) = udp_recv(&fake);
        intruder.send_to(b"psst", client).expect("send");
        fake.send_to(b"the reply", client).expect("send");
    });
    let out = client(addr, &["-m", "hi"], "");
    responder.join().expect("the fake server");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("[{intruder_addr}] psst\n[{addr}] the reply\n")
    );
}

/// Runs the client on a pseudo-terminal (Python's `pty.spawn`), as a
/// student's terminal would, and returns what it printed there.
fn client_on_a_terminal(addr: SocketAddr, no_color: Option<&str>) -> String {
    let port = addr.port().to_string();
    let pty_spawn = "import pty, sys; pty.spawn(sys.argv[1:])";
    let client = [BIN, "client", "--port", &port, "-m", "hi"];
    let mut cmd = command(testkit::python3(), ["-c", pty_spawn]);
    cmd.args(client);
    match no_color {
        Some(value) => cmd.env("NO_COLOR", value),
        None => cmd.env_remove("NO_COLOR"),
    };
    testkit::run_ok(cmd, b"", WAIT)
}

#[test]
fn the_sender_is_in_colour_on_a_terminal_unless_no_color() {
    let (addr, contact) = contact(3);
    let shown = client_on_a_terminal(addr, None);
    assert!(
        shown.contains(&format!("\x1b[1;44m[{addr}]\x1b[0m reply: hi")),
        "{shown:?}"
    );
    let shown = client_on_a_terminal(addr, Some("1"));
    assert!(shown.contains(&format!("[{addr}] reply: hi")), "{shown:?}");
    assert!(!shown.contains('\x1b'), "{shown:?}");
    let shown = client_on_a_terminal(addr, Some(""));
    assert!(
        shown.contains("\x1b[1;44m"),
        "an empty NO_COLOR is unset: {shown:?}"
    );
    contact.join().expect("the contact");
}

#[test]
fn a_missing_reply_is_reported_the_chat_goes_on_and_a_late_reply_is_shown() {
    let contact = socket();
    let addr = addr_of(&contact);
    // A client whose stdin the test types into line by line.
    let mut cmd = testkit::client_command(BIN, &["client"], addr, &["--timeout", "1"]);
    cmd.stdin(Stdio::piped());
    let mut client = Process::start(cmd);
    client.type_text("A\n");
    client.type_text("one\n");
    let (message, client_addr) = udp_recv(&contact);
    assert_eq!(message, b"one");
    client.stderr.assert_shows(
        &format!(
            "no reply from A ({addr}) within 1 s; a reply that comes later is shown \
             before your next message\n"
        ),
        WAIT,
    );
    // The reply to "one" comes late; then the chat goes on.
    contact.send_to(b"late one", client_addr).expect("send");
    client.type_text("two\n");
    assert_eq!(udp_recv(&contact).0, b"two");
    contact.send_to(b"reply two", client_addr).expect("send");
    client.stdout.assert_shows("reply two", WAIT);
    // Ctrl-D, and a clean exit.
    client.close_stdin();
    let out = client.finish_ok(WAIT);
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
    server.type_text("pong\n");
    let port = server.addr.port().to_string();
    let out = run(&["--port", &port, "client", "-m", "ping"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).ends_with("] pong\n"));

    for args in [
        &["--help"][..],
        &["server", "--help"],
        &["client", "--help"],
    ] {
        let out = run(args);
        assert!(out.status.success());
        let help = stdout(&out);
        assert!(
            help.contains("Examples:") && help.contains("--port"),
            "{help}"
        );
    }
    let out = run(&["--help"]);
    assert!(stdout(&out).contains("\"QQ chat\" lesson (模拟QQ聊天)"));
}

// ------------------------------------------------------------ interop

#[test]
fn the_lesson_client_talks_to_this_server() {
    let mut server = start_server();
    server.type_text("reply one\n回复二\n");
    let port = server.addr.port().to_string();
    let cmd = python_peer("udp_qq_client.py", &["--port", &port]);
    let out = testkit::run(cmd, "A\nhello\n\nquit\nB\n你好\n".as_bytes(), WAIT);
    assert!(out.status.success(), "{}", stderr(&out));
    let port = server.addr.port();
    assert_eq!(
        stdout(&out),
        format!(
            "来自[127.0.0.1:{port}]的一条消息:reply one\n来自[127.0.0.1:{port}]的一条消息:回复二\n"
        )
    );
    let log = server.stop(WAIT);
    assert!(
        log.contains("] hello\n") && log.contains("] 你好\n"),
        "{log}"
    );
}

#[test]
fn this_client_talks_to_the_lesson_server() {
    let mut cmd = python_peer("udp_qq_server.py", &["--port", "0"]);
    cmd.stdin(Stdio::piped());
    let mut server = Server::start(cmd);
    server.type_text("pong\n你好\n");
    let out = client(server.addr, &[], "A\nping\nquit\nD\n早上好\n");
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
    server
        .stdout
        .assert_shows("的一条消息:\x1b[1;44m早上好\x1b[0m", WAIT);
    assert!(server
        .stdout
        .text()
        .contains("的一条消息:\x1b[1;44mping\x1b[0m"));
}
