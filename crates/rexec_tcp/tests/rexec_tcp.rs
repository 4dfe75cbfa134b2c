//! The real `rexec_tcp` binary, both ends, over loopback: each protocol on
//! the wire, the safety limits of the server, hostile servers for the
//! client, and the lesson's Python programs in both directions.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Output;
use std::thread;
use std::time::Duration;

use common::wire;
use serde_json::Value;
use testkit::{command, python_peer, seq_output, tcp_connect, text, Server};

const BIN: &str = env!("CARGO_BIN_EXE_rexec_tcp");
const WAIT: Duration = Duration::from_secs(20);
const NO_OUTPUT: &[u8] = b"(command succeeded, no output)\n";

// ------------------------------------------------------------------ helpers

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

fn connect(addr: SocketAddr) -> TcpStream {
    tcp_connect(addr, WAIT)
}

/// One command in one send, then a `struct` reply: the 4-byte prefix and
/// exactly that many bytes.
fn run_struct(stream: &mut TcpStream, command: &[u8]) -> Vec<u8> {
    stream.write_all(command).expect("send the command");
    wire::read_frame(stream, 1 << 26).expect("a whole struct reply")
}

/// One command, then a `json` reply: the header as JSON, and the output.
fn run_json(stream: &mut TcpStream, command: &[u8]) -> (Value, Vec<u8>) {
    stream.write_all(command).expect("send the command");
    let header = wire::read_frame(stream, 1 << 16).expect("a header frame");
    let header: Value = serde_json::from_slice(&header).expect("the header is JSON");
    let size = header["data_size"].as_u64().expect("data_size is a number");
    let output = wire::recv_exact(stream, size as usize).expect("data_size bytes");
    (header, output)
}

/// `seq 1 400`: 1492 bytes, longer than one recv(1024).
fn seq_400() -> Vec<u8> {
    seq_output(400)
}

// ------------------------------------------------------- the four protocols

#[test]
fn each_framed_protocol_puts_its_lesson_bytes_on_the_wire() {
    let command = b"echo hello; echo oops >&2";

    let json = server(&[]);
    let mut stream = connect(json.addr);
    stream.write_all(command).expect("send");
    let mut len = [0; 4];
    stream.read_exact(&mut len).expect("the header length");
    let header_len = i32::from_le_bytes(len) as usize;
    let header = wire::recv_exact(&mut stream, header_len).expect("the header");
    assert_eq!(
        text(&header),
        r#"{"data_size":11,"exit_code":0,"truncated":false}"#
    );
    assert_eq!(
        wire::recv_exact(&mut stream, 11).expect("output"),
        b"hello\noops\n"
    );

    let structured = server(&["--protocol", "struct"]);
    let mut stream = connect(structured.addr);
    stream.write_all(command).expect("send");
    let mut reply = [0; 4 + 11];
    stream.read_exact(&mut reply).expect("prefix and output");
    assert_eq!(&reply, b"\x0b\x00\x00\x00hello\noops\n");

    let ready = server(&["--protocol", "ready"]);
    let mut stream = connect(ready.addr);
    stream.write_all(command).expect("send");
    let mut length = [0; 16];
    let n = stream.read(&mut length).expect("the length");
    assert_eq!(&length[..n], b"11", "the length in decimal, alone");
    stream.write_all(b"ready").expect("answer ready");
    assert_eq!(
        wire::recv_exact(&mut stream, 11).expect("output"),
        b"hello\noops\n"
    );
}

#[test]
fn raw_protocol_spills_a_long_output_into_the_next_answer() {
    let server = server(&["--protocol", "raw"]);
    let out = client(
        server.addr,
        &["--protocol", "raw"],
        b"seq 1 400\necho next\necho third\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let seq = seq_400();
    // First answer: one recv(1024) of seq's 1492 bytes (and a newline the
    // client adds when a recv ends mid-line).
    let (first, rest) = out.stdout.split_at(1024);
    assert_eq!(first, &seq[..1024]);
    // Second answer, to `echo next`: what was left of seq.
    let rest = rest.strip_prefix(b"\n").unwrap_or(rest);
    assert!(
        rest.starts_with(&seq[1024..]),
        "the answer to `echo next` is the tail of seq:\n{}",
        text(rest)
    );
    // `next` comes one answer late, after the whole of seq; whether
    // `third` squeezes into the last recv as well depends on timing (and the
    // two requests may even stick together into `echo nextecho third`), so
    // only the order is certain.
    let all = text(&out.stdout);
    let next = all
        .find("next")
        .expect("the answer to `echo next` comes, late");
    assert!(next > all.find("400\n").expect("the end of seq"), "{all}");
    if let Some(third) = all.find("third") {
        assert!(third > next, "{all}");
    }
}

#[test]
fn framed_protocols_answer_every_command_whole() {
    for protocol in ["ready", "struct", "json"] {
        let server = server(&["--protocol", protocol]);
        let out = client(
            server.addr,
            &["--protocol", protocol],
            b"seq 1 400\necho next\nquit\necho not sent\n",
        );
        assert!(out.status.success(), "{protocol}: {}", text(&out.stderr));
        let mut want = seq_400();
        want.extend_from_slice(b"next\n");
        assert_eq!(text(&out.stdout), text(&want), "{protocol}");
        assert!(
            server
                .stdout
                .wait_for("disconnected after 2 command(s)", WAIT),
            "{protocol}: {}",
            server.stdout.text()
        );
    }
}

#[test]
fn a_long_output_arrives_whole_in_json() {
    let server = server(&[]);
    let mut stream = connect(server.addr);
    let (header, output) = run_json(&mut stream, b"seq 1 200000");
    let want: String = (1..=200_000).map(|n| format!("{n}\n")).collect();
    assert_eq!(header["data_size"], want.len());
    assert!(output == want.as_bytes(), "1.3 MB, every byte in order");
}

#[test]
fn the_json_client_shows_a_failing_exit_code() {
    let server = server(&[]);
    let out = client(server.addr, &["-c", "echo partial; exit 3"], b"");
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "partial\n");
    assert_eq!(text(&out.stderr), "(exit code 3)\n");
}

#[test]
fn an_empty_output_is_replaced_by_a_line() {
    let server = server(&["--protocol", "struct"]);
    let mut stream = connect(server.addr);
    assert_eq!(run_struct(&mut stream, b"true"), NO_OUTPUT);
    assert_eq!(
        run_struct(&mut stream, b"exit 5"),
        b"(command failed with exit code 5, no output)\n"
    );
}

#[test]
fn output_is_stdout_then_stderr_and_bytes_need_not_be_utf8() {
    let server = server(&["--protocol", "struct"]);
    let mut stream = connect(server.addr);
    assert_eq!(
        run_struct(&mut stream, b"echo err >&2; printf '\\377\\376\\n'"),
        b"\xff\xfe\nerr\n"
    );
    // The command itself need not be UTF-8 either.
    assert_eq!(
        run_struct(&mut stream, b"echo \xe4\xbd\xa0 \xff"),
        b"\xe4\xbd\xa0 \xff\n"
    );
}

// ----------------------------------------------------------- safety limits

#[test]
fn cat_returns_at_once_because_stdin_is_closed() {
    // A generous --timeout: if cat waited for input, the reply would say it
    // was killed.
    let server = server(&["--protocol", "struct", "--timeout", "60"]);
    let mut stream = connect(server.addr);
    assert_eq!(run_struct(&mut stream, b"cat"), NO_OUTPUT);
}

#[test]
fn sleep_100_is_killed_at_the_timeout_with_its_group() {
    let server = server(&["--timeout", "1"]);
    let mut stream = connect(server.addr);
    let (header, output) = run_json(&mut stream, b"echo started; sleep 100 & sleep 100");
    assert_eq!(
        text(&output),
        "started\n[command killed after 1 s: it ran longer than the server's timeout]\n"
    );
    assert_eq!(header["exit_code"], 137, "128 + SIGKILL");
    server
        .stdout
        .assert_shows("killed by SIGKILL, 8 bytes, killed after --timeout", WAIT);
    // The connection goes on.
    assert_eq!(run_json(&mut stream, b"echo alive").1, b"alive\n");
}

#[test]
fn yes_is_capped_and_marked_truncated() {
    let server = server(&["--timeout", "1", "--max-output", "100000"]);
    let mut stream = connect(server.addr);
    let (header, output) = run_json(&mut stream, b"yes");
    assert_eq!(header["truncated"], true);
    assert_eq!(header["exit_code"], 137);
    assert_eq!(&output[..100_000], b"y\n".repeat(50_000).as_slice());
    let notes = text(&output[100_000..]);
    assert!(
        notes.starts_with("[output cut at 100000 bytes: "),
        "{notes}"
    );
    assert!(notes.contains("[command killed after 1 s"), "{notes}");
}

#[test]
fn a_background_grandchild_does_not_hang_the_reply() {
    // --timeout 60: a reply held until the timeout would carry the note.
    let server = server(&["--protocol", "struct", "--timeout", "60"]);
    let mut stream = connect(server.addr);
    assert_eq!(run_struct(&mut stream, b"sh -c 'sleep 100 &'"), NO_OUTPUT);
    assert_eq!(run_struct(&mut stream, b"sleep 100 & echo hi"), b"hi\n");
}

#[test]
fn a_command_the_shell_cannot_take_gets_an_error_reply() {
    let server = server(&["--protocol", "struct"]);
    let mut stream = connect(server.addr);
    let reply = run_struct(&mut stream, b"echo a\0b");
    assert!(
        text(&reply).starts_with("(cannot run the command: nul byte found"),
        "{}",
        text(&reply)
    );
    assert_eq!(run_struct(&mut stream, b"echo still here"), b"still here\n");
}

#[test]
fn several_clients_are_served_at_once() {
    let dir = testkit::temp_dir();
    let flag = dir.path().join("flag");
    let server = server(&["--protocol", "struct", "--timeout", "15"]);
    // The first command waits for a file the second one creates: served one
    // at a time, the first would be killed at the timeout instead.
    let waiter = format!(
        "while [ ! -e '{}' ]; do sleep 0.05; done; echo first done",
        flag.display()
    );
    let addr = server.addr;
    let first = thread::spawn(move || run_struct(&mut connect(addr), waiter.as_bytes()));
    server.stdout.assert_shows("connected", WAIT);
    let creator = format!("touch '{}'; echo second done", flag.display());
    assert_eq!(
        run_struct(&mut connect(addr), creator.as_bytes()),
        b"second done\n"
    );
    assert_eq!(first.join().expect("first client"), b"first done\n");
    let log = server.stop(WAIT);
    assert!(
        log.contains("shutting down: served 2 clients, ran 2 command(s)"),
        "{log}"
    );
}

#[test]
fn the_ready_server_sends_nothing_until_it_hears_ready() {
    let server = server(&["--protocol", "ready"]);
    let mut stream = connect(server.addr);
    stream.write_all(b"echo hi").expect("send");
    let mut length = [0; 16];
    let n = stream.read(&mut length).expect("the length");
    assert_eq!(&length[..n], b"3");
    stream.write_all(b"go").expect("not ready");
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).expect("closed");
    assert!(rest.is_empty(), "no output without `ready`");
    server
        .stdout
        .assert_shows("dropped: expected `ready`, got \"go\"", WAIT);
}

#[test]
fn it_listens_on_loopback_only_unless_allowed() {
    let out = run(&["server", "--host", "0.0.0.0", "--port", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("error: refusing to listen on 0.0.0.0 (every network interface): this server runs any command it is sent"),
        "{err}"
    );
    assert!(err.contains("--allow-remote"), "{err}");
    assert!(out.stdout.is_empty(), "nothing was bound");

    // Allowed, it warns, then binds. The port is taken on 127.0.0.1, so the
    // bind to 0.0.0.0 fails and nothing ever listens beyond loopback.
    let taken = TcpListener::bind("127.0.0.1:0").expect("a free port");
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
    assert!(
        err.contains(&format!("error: cannot listen on 0.0.0.0:{port}")),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn ctrl_c_stops_the_server_with_a_summary() {
    let server = server(&[]);
    let out = client(server.addr, &[], b"echo one\necho two\n");
    assert_eq!(text(&out.stdout), "one\ntwo\n");
    server
        .stdout
        .assert_shows("disconnected after 2 command(s)", WAIT);
    let log = server.stop(WAIT);
    assert!(
        log.contains("ran `echo one`: exit code 0, 4 bytes"),
        "{log}"
    );
    assert!(
        log.contains("shutting down: served 1 client, ran 2 command(s)"),
        "{log}"
    );
}

#[test]
fn trace_shows_the_length_prefix_on_the_wire() {
    let server = server(&["--protocol", "struct"]);
    let out = client(
        server.addr,
        &["--protocol", "struct", "--trace", "-c", "echo hi"],
        b"",
    );
    assert_eq!(text(&out.stdout), "hi\n");
    let trace = text(&out.stderr);
    assert!(trace.contains(" send → "), "{trace}");
    assert!(trace.contains("|echo hi|"), "{trace}");
    assert!(
        trace.contains("03 00 00 00"),
        "the prefix struct.pack('i', 3): {trace}"
    );
}

// ------------------------------------------------- hostile and odd servers

/// A one-connection server: reads the command, then does `answer`.
fn fake_server(answer: impl FnOnce(&mut TcpStream) + Send + 'static) -> SocketAddr {
    testkit::fake_tcp_server(WAIT, |mut stream| {
        let mut command = [0; 1024];
        let _ = stream.read(&mut command);
        answer(&mut stream);
    })
}

fn failing_client(addr: SocketAddr, protocol: &str, extra: &[&str]) -> String {
    let mut args = vec!["--protocol", protocol, "-c", "ls"];
    args.extend_from_slice(extra);
    let out = client(addr, &args, b"");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn a_length_of_ff_ff_ff_ff_is_a_clear_error() {
    for protocol in ["struct", "json"] {
        let addr = fake_server(|s| {
            let _ = s.write_all(b"\xff\xff\xff\xff and more");
        });
        let err = failing_client(addr, protocol, &[]);
        assert_eq!(
            err,
            format!(
                "error: length prefix is negative (-1): not a valid frame; \
                 is the server using --protocol {protocol} too?\n"
            )
        );
    }
}

#[test]
fn a_length_above_the_maximum_is_refused() {
    let addr = fake_server(|s| {
        let _ = s.write_all(&1_000_000i32.to_le_bytes());
    });
    let err = failing_client(addr, "struct", &["--max-reply", "1000"]);
    assert!(
        err.starts_with(
            "error: length prefix says 1000000 bytes, more than the maximum of 1000 (--max-reply)"
        ),
        "{err}"
    );

    let addr = fake_server(|s| {
        let _ = wire::write_frame(s, br#"{"data_size": 5000000000}"#);
    });
    let err = failing_client(addr, "json", &[]);
    assert!(
        err.starts_with(
            "error: length prefix says 5000000000 bytes, more than the maximum of 67108864"
        ),
        "{err}"
    );

    let addr = fake_server(|s| {
        let _ = s.write_all(b"99999999999");
    });
    let err = failing_client(addr, "ready", &[]);
    assert!(
        err.contains("more than the maximum of 67108864 (--max-reply)"),
        "{err}"
    );
}

#[test]
fn a_prefix_sent_one_byte_at_a_time_still_reads_whole() {
    for protocol in ["struct", "json"] {
        let addr = fake_server(move |s| {
            let mut reply = Vec::new();
            if protocol == "json" {
                wire::write_json_header(&mut reply, &serde_json::json!({"data_size": 6}))
                    .expect("to a Vec");
            } else {
                reply.extend_from_slice(&6i32.to_le_bytes());
            }
            reply.extend_from_slice(b"whole\n");
            testkit::write_byte_by_byte(s, &reply, Duration::from_millis(5))
                .expect("one byte per segment");
        });
        let out = client(addr, &["--protocol", protocol, "-c", "ls"], b"");
        assert!(out.status.success(), "{protocol}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "whole\n", "{protocol}");
    }
}

#[test]
fn eof_in_the_middle_of_a_frame_is_a_clear_error() {
    let addr = fake_server(|s| {
        let _ = s.write_all(b"\x0a\x00\x00\x00abc");
    });
    let err = failing_client(addr, "struct", &[]);
    assert_eq!(
        err,
        "error: the server closed the connection in the middle of an answer: \
         was expecting 10 bytes but only received 3 bytes before the socket closed\n"
    );

    let addr = fake_server(|s| {
        let _ = s.write_all(b"\x0a\x00");
    });
    let err = failing_client(addr, "json", &[]);
    assert!(
        err.contains("was expecting 4 bytes but only received 2"),
        "{err}"
    );

    let addr = fake_server(|_| {});
    let err = failing_client(addr, "struct", &[]);
    assert_eq!(err, "error: the server closed the connection\n");
}

#[test]
fn a_garbage_ready_length_is_a_clear_error() {
    let addr = fake_server(|s| {
        let _ = s.write_all(b"12abc");
    });
    let err = failing_client(addr, "ready", &[]);
    assert_eq!(
        err,
        "error: expected the output length in decimal, got \"12abc\"; \
         is the server using --protocol ready too?\n"
    );
}

#[test]
fn a_server_in_another_protocol_is_named_as_the_likely_cause() {
    let server = server(&["--protocol", "raw"]);
    let out = client(server.addr, &["-c", "echo hello-world"], b"");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    // "hell" read as a little-endian length.
    assert!(
        err.starts_with(
            "error: length prefix says 1819043176 bytes, more than the maximum of 65536"
        ),
        "{err}"
    );
    assert!(
        err.ends_with("is the server using --protocol json too?\n"),
        "{err}"
    );
}

#[test]
fn bad_commands_are_refused_before_sending() {
    let server = server(&[]);
    let long = "x".repeat(1025);
    let out = client(server.addr, &["-c", &long], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("at most 1024 bytes"));
    let out = client(server.addr, &["-c", "  "], b"");
    assert_eq!(out.status.code(), Some(2));

    // From a pipe, a command too long is skipped with an error; the rest run.
    let input = format!("{long}\necho after\n");
    let out = client(server.addr, &[], input.as_bytes());
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "after\n");
    assert!(text(&out.stderr).contains("the command is 1025 bytes"));
}

#[test]
fn no_server_is_a_clear_error() {
    let out = client(testkit::closed_tcp_addr(), &["-c", "ls"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("is the server running?"));
}

// ------------------------------------------------ the lesson's own programs

fn python_client(addr: SocketAddr, protocol: &str, input: &[u8]) -> Output {
    let port = addr.port().to_string();
    let args = ["--port", &port, "--protocol", protocol];
    testkit::run(python_peer("rexec_lesson_client.py", &args), input, WAIT)
}

fn python_server(protocol: &str) -> Server {
    Server::start(python_peer(
        "rexec_lesson_server.py",
        &["--port", "0", "--protocol", protocol],
    ))
}

fn end(n: usize) -> String {
    format!("\n--- end of reply: {n} bytes ---\n")
}

#[test]
fn the_lessons_struct_client_reads_this_server() {
    let server = server(&["--protocol", "struct"]);
    let out = python_client(server.addr, "struct", b"echo hi\nseq 1 400\ntrue\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let seq = text(&seq_400());
    let want = format!(
        "hi\n{}{seq}{}{}{}",
        end(3),
        end(1492),
        text(NO_OUTPUT),
        end(NO_OUTPUT.len())
    );
    assert_eq!(text(&out.stdout), want);
}

#[test]
fn the_lessons_custom_header_client_reads_this_server() {
    let server = server(&[]);
    let out = python_client(server.addr, "json", b"seq 1 400\nls /no/such/dir\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let seq = text(&seq_400());
    let first = format!(
        "--- header: {{\"data_size\": 1492, \"exit_code\": 0, \"truncated\": false}} ---\n{seq}{}",
        end(1492)
    );
    assert!(stdout.starts_with(&first), "{stdout}");
    let second = &stdout[first.len()..];
    assert!(second.contains("\"exit_code\": 2"), "{second}");
    assert!(second.contains("/no/such/dir"), "{second}");
}

#[test]
fn the_lessons_ready_and_raw_clients_read_this_server() {
    let ready = server(&["--protocol", "ready"]);
    let out = python_client(ready.addr, "ready", b"seq 1 400\necho next\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let seq = text(&seq_400());
    assert_eq!(
        text(&out.stdout),
        format!("{seq}{}next\n{}", end(1492), end(5))
    );

    // The lesson's raw client shows the same sticky packet as ours.
    let raw = server(&["--protocol", "raw"]);
    let out = python_client(raw.addr, "raw", b"seq 1 400\necho next\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("{}{}{}{}", &seq[..1024], end(1024), &seq[1024..], end(468))
    );
}

#[test]
fn this_client_reads_the_lessons_struct_server() {
    let server = python_server("struct");
    let out = client(
        server.addr,
        &["--protocol", "struct"],
        b"echo hi\nls /no/such/dir\ntrue\nseq 1 400\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("hi\nls: "), "{stdout}");
    assert!(stdout.contains("/no/such/dir"), "{stdout}");
    // The lesson's server says 执行成功 ("ran fine") for an empty output.
    let rest = stdout
        .split_once("执行成功\n")
        .expect("the lesson's line")
        .1;
    assert_eq!(rest, text(&seq_400()));
}

#[test]
fn this_client_reads_the_lessons_custom_header_server() {
    let server = python_server("json");
    let out = client(server.addr, &[], b"echo out; echo err >&2\nseq 1 400\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut want = b"out\nerr\n".to_vec();
    want.extend_from_slice(&seq_400());
    assert_eq!(text(&out.stdout), text(&want));
    assert!(
        out.stderr.is_empty(),
        "a header with only data_size: no exit code to show"
    );
}

#[test]
fn a_raw_answer_shorter_than_a_header_is_named_at_once_not_after_the_timeout() {
    // A raw server sends `hi\n` and waits for the next command: 3 bytes of
    // a 4-byte prefix, then silence. The client says so after a short wait
    // for the rest, not after --timeout (60 s here, past the test's WAIT).
    for protocol in ["json", "struct"] {
        let addr = testkit::fake_tcp_server(WAIT, |mut stream| {
            let mut command = [0; 1024];
            let _ = stream.read(&mut command);
            let _ = stream.write_all(b"hi\n");
            let _ = stream.read(&mut command); // until the client leaves
        });
        let out = client(
            addr,
            &["--protocol", protocol, "--timeout", "60", "-c", "echo hi"],
            b"",
        );
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            text(&out.stderr),
            format!(
                "error: the server sent 3 bytes (hi\\n) and then nothing for 3 s: not a whole \
                 {protocol} answer; is the server using --protocol {protocol} too?\n"
            )
        );
    }
}

#[test]
fn another_lessons_echo_server_on_the_port_is_named_as_the_likelier_cause() {
    // tcp_server, which also defaults to port 8080, sends `ECHO HI` back:
    // its first 4 bytes read as a length are 1330135877.
    for (protocol, max) in [("json", "65536"), ("struct", "67108864 (--max-reply)")] {
        let addr = testkit::fake_tcp_server(WAIT, |mut stream| {
            let mut command = [0; 1024];
            let n = stream.read(&mut command).unwrap_or(0);
            let _ = stream.write_all(&command[..n].to_ascii_uppercase());
        });
        let out = client(addr, &["--protocol", protocol, "-c", "echo hi"], b"");
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            text(&out.stderr),
            format!(
                "error: length prefix says 1330135877 bytes, more than the maximum of {max}; \
                 those 4 bytes are the text \"ECHO\", not a length: is another lesson's server \
                 on port {} (tcp_server, for one, answers with the command upper-cased)? \
                 Or is the server using --protocol {protocol} too?\n",
                addr.port()
            )
        );
    }
}
