//! The real `rexec_udp` binary, both ends, over loopback: one datagram per
//! command and per reply, the 65,507-byte limit, the short receive buffer,
//! odd datagrams, and the same safety limits as `rexec_tcp`.

use std::net::{SocketAddr, UdpSocket};
use std::process::Output;
use std::thread;
use std::time::Duration;

use testkit::{command, seq_output, text, udp_ask, Server};

const BIN: &str = env!("CARGO_BIN_EXE_rexec_udp");
const WAIT: Duration = Duration::from_secs(20);
const MAX_DATAGRAM: usize = 65_507;
const NO_OUTPUT: &[u8] = b"(command succeeded, no output)\n";

fn run(args: &[&str]) -> Output {
    testkit::run(command(BIN, args), b"", WAIT)
}

fn server(args: &[&str]) -> Server {
    Server::start(testkit::server_command(BIN, &["server"], args))
}

fn client(addr: SocketAddr, args: &[&str], input: &[u8]) -> Output {
    testkit::run(
        testkit::client_command(BIN, &["client"], addr, args),
        input,
        WAIT,
    )
}

/// A test's own UDP socket, on loopback.
fn socket() -> UdpSocket {
    testkit::udp_socket(WAIT)
}

#[test]
fn one_command_one_reply_datagram_stdout_then_stderr() {
    let server = server(&[]);
    let socket = socket();
    assert_eq!(
        udp_ask(&socket, server.addr, b"echo err >&2; echo out"),
        b"out\nerr\n"
    );
    assert_eq!(udp_ask(&socket, server.addr, b"true"), NO_OUTPUT);
}

#[test]
fn an_output_larger_than_a_datagram_is_cut_with_a_note() {
    let server = server(&[]);
    let whole = seq_output(100_000); // 588,895 bytes
    let reply = udp_ask(&socket(), server.addr, b"seq 1 100000");
    assert!(reply.len() <= MAX_DATAGRAM, "{}", reply.len());
    let reply_text = text(&reply);
    let (kept, note) = reply_text
        .rsplit_once("\n[reply cut to fit one UDP datagram of 65507 bytes: ")
        .expect("the note");
    let dropped: usize = note
        .strip_suffix(" bytes dropped]\n")
        .expect("the note's end")
        .parse()
        .expect("a count");
    assert_eq!(kept.as_bytes(), &whole[..kept.len()], "the start is kept");
    assert_eq!(kept.len() + dropped, whole.len(), "the rest is counted");
    server.stdout.assert_shows(
        &format!("reply cut to 65507 bytes: {dropped} bytes dropped"),
        WAIT,
    );
}

#[test]
fn the_lessons_1024_byte_buffer_loses_the_rest_and_the_client_says_so() {
    let server = server(&[]);
    let out = client(
        server.addr,
        &["--bufsize", "1024"],
        b"seq 1 400\necho next\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // 1024 bytes of seq's 1492; the rest is gone, not waiting for the next
    // recv as over TCP: `echo next` gets its own answer.
    let mut want = seq_output(400)[..1024].to_vec();
    want.extend_from_slice(b"next\n");
    assert_eq!(text(&out.stdout), text(&want));
    assert_eq!(
        text(&out.stderr),
        "warning: the reply filled the whole 1024-byte receive buffer, so it may have been \
         cut: UDP drops what does not fit, nothing is left for a next recv; --bufsize 65536 \
         holds any datagram\n"
    );
}

#[test]
fn the_default_buffer_holds_the_whole_reply() {
    let server = server(&[]);
    let out = client(server.addr, &["-c", "seq 1 400"], b"");
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), text(&seq_output(400)));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn the_server_survives_empty_huge_and_non_utf8_datagrams() {
    let server = server(&[]);
    let socket = socket();
    assert_eq!(
        udp_ask(&socket, server.addr, b""),
        b"(empty datagram: no command to run)\n"
    );

    let huge = vec![b'x'; MAX_DATAGRAM];
    let reply = udp_ask(&socket, server.addr, &huge);
    assert!(!reply.is_empty() && reply.len() <= MAX_DATAGRAM);
    assert!(
        server.stdout.wait_for("exit code 127", WAIT),
        "sh: not found"
    );

    assert_eq!(
        udp_ask(
            &socket,
            server.addr,
            b"printf '\\377\\376'; echo \xe4\xbd\xa0\xff"
        ),
        b"\xff\xfe\xe4\xbd\xa0\xff\n"
    );
    let reply = udp_ask(&socket, server.addr, b"echo a\0b");
    assert!(text(&reply).starts_with("(cannot run the command: nul byte"));
    assert_eq!(udp_ask(&socket, server.addr, b"echo alive"), b"alive\n");
}

#[test]
fn yes_and_sleep_are_capped_and_killed() {
    let server = server(&["--timeout", "1", "--max-output", "1000"]);
    let socket = socket();
    let reply = udp_ask(&socket, server.addr, b"yes");
    assert_eq!(&reply[..1000], b"y\n".repeat(500).as_slice());
    let notes = text(&reply[1000..]);
    assert!(notes.starts_with("[output cut at 1000 bytes: "), "{notes}");
    assert!(
        notes.ends_with("[command killed after 1 s: it ran longer than the server's timeout]\n"),
        "{notes}"
    );

    assert_eq!(
        text(&udp_ask(&socket, server.addr, b"sleep 100")),
        "[command killed after 1 s: it ran longer than the server's timeout]\n"
    );
}

#[test]
fn cat_and_a_background_grandchild_return_at_once() {
    // A generous --timeout: a reply held until then would carry the note.
    let server = server(&["--timeout", "60"]);
    let socket = socket();
    assert_eq!(udp_ask(&socket, server.addr, b"cat"), NO_OUTPUT);
    assert_eq!(
        udp_ask(&socket, server.addr, b"sh -c 'sleep 100 &'"),
        NO_OUTPUT
    );
    assert_eq!(
        udp_ask(&socket, server.addr, b"sleep 100 & echo hi"),
        b"hi\n"
    );
}

#[test]
fn commands_run_side_by_side_up_to_max_running() {
    let dir = testkit::temp_dir();
    let (started, flag) = (dir.path().join("started"), dir.path().join("flag"));
    let server = server(&["--max-running", "1", "--timeout", "15"]);
    let addr = server.addr;
    let waiter = format!(
        "touch '{}'; while [ ! -e '{}' ]; do sleep 0.05; done; echo released",
        started.display(),
        flag.display()
    );
    let first = thread::spawn(move || udp_ask(&socket(), addr, waiter.as_bytes()));
    let running = (0..400).any(|_| {
        thread::sleep(Duration::from_millis(50));
        started.exists()
    });
    assert!(running, "the first command started");
    assert_eq!(
        text(&udp_ask(&socket(), addr, b"echo second")),
        "(server busy: 1 command(s) already running; try again later)\n"
    );
    std::fs::write(&flag, b"").expect("release the first");
    assert_eq!(first.join().expect("first"), b"released\n");
    assert_eq!(
        udp_ask(&socket(), addr, b"echo free again"),
        b"free again\n"
    );
}

#[test]
fn it_listens_on_loopback_only_unless_allowed() {
    let out = run(&["server", "--host", "0.0.0.0", "--port", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: refusing to listen on 0.0.0.0"));
    assert!(out.stdout.is_empty());

    // Allowed: a warning, then the bind, which fails on a port taken on
    // 127.0.0.1, so nothing ever listens beyond loopback.
    let taken = UdpSocket::bind("127.0.0.1:0").expect("a free port");
    let port = taken.local_addr().expect("bound").port().to_string();
    let out = run(&[
        "server",
        "--host",
        "0.0.0.0",
        "--port",
        &port,
        "--allow-remote",
    ]);
    let err = text(&out.stderr);
    assert!(
        err.starts_with("warning: listening on 0.0.0.0 (every network interface) with --allow-remote: anyone who can connect can run commands as this user\n"),
        "{err}"
    );
    assert!(err.contains("address already in use"), "{err}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_client_gives_up_on_a_silent_server_and_names_a_missing_one() {
    let silent = socket();
    let addr = silent.local_addr().expect("bound");
    let out = client(addr, &["--timeout", "1", "-c", "ls"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "error: no reply from {addr} within 1 s (UDP cannot tell a lost datagram \
             from a missing server)\n"
        )
    );

    drop(silent); // now nothing is bound there: the kernel says so
    let out = client(addr, &["-c", "ls"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("port unreachable; is the server running?"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn ctrl_c_stops_the_server_with_a_summary() {
    let server = server(&[]);
    let out = client(
        server.addr,
        &[],
        b"echo one\n\necho two\nquit\necho three\n",
    );
    assert_eq!(text(&out.stdout), "one\ntwo\n");
    let log = server.stop(WAIT);
    assert!(
        log.contains("ran `echo one`: exit code 0, 4 bytes"),
        "{log}"
    );
    assert!(log.contains("shutting down: ran 2 command(s)"), "{log}");
}

#[test]
fn trace_shows_each_datagram() {
    let server = server(&[]);
    let out = client(server.addr, &["--trace", "-c", "echo hi"], b"");
    assert_eq!(text(&out.stdout), "hi\n");
    let trace = text(&out.stderr);
    assert!(
        trace.contains(" send → ") && trace.contains("7 bytes"),
        "{trace}"
    );
    assert!(
        trace.contains(" recv ← ") && trace.contains("|hi.|"),
        "{trace}"
    );
}

#[test]
fn a_reply_that_is_the_command_itself_names_another_lessons_server() {
    // time_server, also on 8080 by default, answers a strftime format
    // without a % with the format as it is: `ls` comes back as `ls`.
    let (addr, echo) = testkit::fake_udp_server(WAIT, |socket| {
        let (command, from) = testkit::udp_recv(&socket);
        socket.send_to(&command, from).expect("send back");
    });
    let out = client(addr, &["-c", "ls"], b"");
    echo.join().expect("the fake time server");
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "ls\n");
    assert_eq!(
        text(&out.stderr),
        format!(
            "warning: the reply is the command itself, not its output: is another lesson's \
             server on port {}? (time_server, for one, answers a format without % with the \
             format as it is)\n",
            addr.port()
        )
    );
}
