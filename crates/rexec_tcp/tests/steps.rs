//! The remote-command lesson's TCP steps (`examples/rexec_*`), each pair run
//! against the Python peers of the lesson's programs in both directions
//! (`scripts/peers/rexec_lesson_server.py` and `rexec_lesson_client.py`),
//! and each showing its own point: the raw pair's sticky packet, the ready
//! handshake, the struct prefix's bytes, the JSON header carrying 200 kB whole.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::wire;
use testkit::{python_peer, run, run_ok, seq_output, step, tcp_connect, text, Server};

const WAIT: Duration = Duration::from_secs(20);
const PACKAGE: &str = "rexec_tcp";

/// A step of this package as a server on a free port.
fn server(name: &str) -> Server {
    Server::start(step(PACKAGE, name, ["0"]))
}

/// A client step talking to `addr`, fed `input`; what it printed.
fn client(name: &str, addr: SocketAddr, input: &str) -> String {
    let port = addr.port().to_string();
    run_ok(step(PACKAGE, name, [&port]), input.as_bytes(), WAIT)
}

/// The lesson's client of `protocol` (raw, ready, struct, json) at `addr`.
fn python_client(addr: SocketAddr, protocol: &str, input: &str) -> String {
    let port = addr.port().to_string();
    let args = ["--port", &port, "--protocol", protocol];
    run_ok(
        python_peer("rexec_lesson_client.py", &args),
        input.as_bytes(),
        WAIT,
    )
}

/// The lesson's server of `protocol` on a free port.
fn python_server(protocol: &str) -> Server {
    Server::start(python_peer(
        "rexec_lesson_server.py",
        &["--port", "0", "--protocol", protocol],
    ))
}

/// How the Python client ends each answer.
fn end(n: usize) -> String {
    format!("\n--- end of reply: {n} bytes ---\n")
}

/// What `cmd` prints here, on stdout and on stderr: what the server's shell
/// sends back.
fn sh(cmd: &str) -> (String, String) {
    let out = Command::new("sh")
        .args(["-c", cmd])
        .stdin(Stdio::null())
        .output()
        .expect("run sh");
    (text(&out.stdout), text(&out.stderr))
}

/// The answers a 000 client step printed, each after `命令的执行结果是  `
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

/// The answers the Python client printed, each before its end line.
fn python_answers(out: &str) -> Vec<String> {
    let mut answers = Vec::new();
    let mut rest = out;
    while let Some(at) = rest.find("\n--- end of reply: ") {
        answers.push(rest[..at].to_string());
        let line_end = rest[at + 1..].find('\n').expect("the end line ends") + at + 2;
        rest = &rest[line_end..];
    }
    assert!(rest.is_empty(), "{out}");
    answers
}

/// The sticky packet, as far as timing cannot change it: the first answer to
/// `seq 1 2000` (8,893 bytes) is one recv(1024), a cut start of it; the
/// answer to the next command is more of seq, starting where the first
/// stopped, and not that command's own output.
fn assert_sticky(answers: &[String]) {
    let seq = text(&seq_output(2000));
    let [first, second] = answers else {
        panic!("two answers: {answers:?}");
    };
    assert!(
        !first.is_empty() && first.len() <= 1024 && seq.starts_with(first.as_str()),
        "the first answer is one recv() of seq's start: {first:?}"
    );
    assert!(
        !second.is_empty() && second.len() <= 1024,
        "one recv(): {second:?}"
    );
    assert_eq!(
        second,
        &seq[first.len()..first.len() + second.len()],
        "the answer to `echo next` is the rest of seq"
    );
}

// ------------------------------------------------------------ rexec_1_raw

#[test]
fn rexec_1_raw_server_answers_the_lessons_python_client() {
    let server = server("rexec_1_raw_server");
    let out = python_client(
        server.addr,
        "raw",
        "echo hi\nls /no/such/dir\necho out; echo err >&2\ntrue\n",
    );
    let (_, ls_error) = sh("ls /no/such/dir");
    assert!(ls_error.contains("/no/such/dir"), "{ls_error}");
    // stderr if there is any, else stdout; 执行成功 for nothing at all.
    let want = [
        format!("hi\n{}", end(3)),
        format!("{ls_error}{}", end(ls_error.len())),
        format!("err\n{}", end(4)),
        format!("执行成功{}", end(12)),
    ];
    assert_eq!(out, want.concat());
    server
        .stdout
        .assert_shows("新的客户端链接 127.0.0.1:", WAIT);
    server
        .stdout
        .assert_shows("收到客户端的命令 ls /no/such/dir", WAIT);
}

#[test]
fn rexec_1_raw_client_reads_the_lessons_python_server() {
    let server = python_server("raw");
    let out = client(
        "rexec_1_raw_client",
        server.addr,
        "echo hi\n\necho out; echo err >&2\ntrue\nquit\necho not sent\n",
    );
    // The empty line is skipped (a prompt, nothing sent); quit ends.
    assert_eq!(
        out,
        ">>: 命令的执行结果是  hi\n\n>>: >>: 命令的执行结果是  err\n\n\
         >>: 命令的执行结果是  执行成功\n>>: "
    );
}

#[test]
fn rexec_1_raw_sticks_a_long_output_to_the_next_answer() {
    let input = "seq 1 2000\necho next\n";
    // Both steps.
    let server1 = server("rexec_1_raw_server");
    assert_sticky(&answers(&client("rexec_1_raw_client", server1.addr, input)));
    // The step server and the lesson's client.
    assert_sticky(&python_answers(&python_client(server1.addr, "raw", input)));
    // The lesson's server and the step client.
    let python = python_server("raw");
    assert_sticky(&answers(&client("rexec_1_raw_client", python.addr, input)));
}

#[test]
fn rexec_1_raw_server_runs_cat_with_stdin_at_dev_null() {
    // The server's own stdin is a pipe that stays open: a `cat` reading it
    // would never end, and neither would this test's client.
    let mut cmd = step(PACKAGE, "rexec_1_raw_server", ["0"]);
    cmd.stdin(Stdio::piped());
    let server = Server::start(cmd);
    let out = client("rexec_1_raw_client", server.addr, "cat\necho after\n");
    assert_eq!(answers(&out), ["执行成功", "after\n"]);
}

// ---------------------------------------------------------- rexec_2_ready

/// A long output, a short one, one with stderr, one with nothing.
const FOUR_COMMANDS: &str = "seq 1 2000\necho next\necho out; echo err >&2\ntrue\n";

#[test]
fn rexec_2_ready_server_answers_the_lessons_python_client() {
    let server = server("rexec_2_ready_server");
    let out = python_client(server.addr, "ready", FOUR_COMMANDS);
    let seq = text(&seq_output(2000));
    assert_eq!(
        python_answers(&out),
        [seq.as_str(), "next\n", "err\n", "执行成功"]
    );
}

#[test]
fn rexec_2_ready_client_reads_the_lessons_python_server() {
    let server = python_server("ready");
    let out = client("rexec_2_ready_client", server.addr, FOUR_COMMANDS);
    let seq = text(&seq_output(2000));
    assert_eq!(answers(&out), [seq.as_str(), "next\n", "err\n", "执行成功"]);
}

#[test]
fn rexec_2_ready_server_sends_the_length_alone_then_waits_for_ready() {
    let server = server("rexec_2_ready_server");
    let mut stream = tcp_connect(server.addr, WAIT);
    stream.write_all(b"echo hi").expect("send");
    let mut length = [0; 16];
    let n = stream.read(&mut length).expect("the length");
    assert_eq!(&length[..n], b"3", "the length in decimal, and nothing yet");
    stream.write_all(b"ready").expect("ready");
    let output = wire::recv_exact(&mut stream, 3).expect("the output");
    assert_eq!(output, b"hi\n");
}

// --------------------------------------------------------- rexec_3_struct

#[test]
fn rexec_3_struct_server_answers_the_lessons_python_client() {
    let server = server("rexec_3_struct_server");
    let out = python_client(server.addr, "struct", FOUR_COMMANDS);
    let seq = text(&seq_output(2000));
    assert_eq!(
        python_answers(&out),
        [seq.as_str(), "next\n", "err\n", "执行成功"]
    );
}

#[test]
fn rexec_3_struct_client_reads_the_lessons_python_server() {
    let server = python_server("struct");
    let out = client("rexec_3_struct_client", server.addr, FOUR_COMMANDS);
    let seq = text(&seq_output(2000));
    assert_eq!(answers(&out), [seq.as_str(), "next\n", "err\n", "执行成功"]);
}

#[test]
fn rexec_3_struct_server_puts_struct_pack_i_before_the_output() {
    let server = server("rexec_3_struct_server");
    let mut stream = tcp_connect(server.addr, WAIT);
    stream.write_all(b"echo out; echo err >&2").expect("send");
    let mut reply = [0; 8];
    stream.read_exact(&mut reply).expect("prefix and output");
    assert_eq!(&reply, b"\x04\x00\x00\x00err\n");
    stream.write_all(b"true").expect("send");
    let mut reply = [0; 4 + 12];
    stream.read_exact(&mut reply).expect("prefix and output");
    assert_eq!(&reply[..4], b"\x0c\x00\x00\x00");
    assert_eq!(text(&reply[4..]), "执行成功");
}

// ----------------------------------------------------------- rexec_4_json

/// `seq 1 36000`: 204,894 bytes, about 200 kB.
const LONG: &str = "seq 1 36000";

/// The answers a 003 client step printed, each after its `输入:` prompt
/// and before the newline `println!` adds.
fn json_answers(out: &str) -> Vec<String> {
    let mut parts = out.split("输入:");
    assert_eq!(parts.next(), Some(""), "{out}");
    let mut answers: Vec<String> = parts.map(str::to_string).collect();
    assert_eq!(answers.pop().as_deref(), Some(""), "a last prompt: {out}");
    answers
        .into_iter()
        .map(|answer| answer.strip_suffix('\n').expect("println").to_string())
        .collect()
}

#[test]
fn rexec_4_json_server_answers_the_lessons_python_client() {
    let server = server("rexec_4_json_server");
    let input = format!("{LONG}\necho out; echo err >&2\ntrue\n");
    let out = python_client(server.addr, "json", &input);
    let (long, _) = sh(LONG);
    assert_eq!(long.len(), 204_894);
    // stdout, then stderr; nothing at all for an empty output.
    let want = [
        format!(
            "--- header: {{\"data_size\": 204894}} ---\n{long}{}",
            end(204_894)
        ),
        format!("--- header: {{\"data_size\": 8}} ---\nout\nerr\n{}", end(8)),
        format!("--- header: {{\"data_size\": 0}} ---\n{}", end(0)),
    ];
    assert_eq!(out, want.concat());
    server.stdout.assert_shows("start....", WAIT);
    server
        .stdout
        .assert_shows("\necho out; echo err >&2\n", WAIT);
}

#[test]
fn rexec_4_json_client_reads_the_lessons_python_server() {
    let server = python_server("json");
    let input = format!("{LONG}\necho out; echo err >&2\ntrue\n");
    let out = client("rexec_4_json_client", server.addr, &input);
    let (long, _) = sh(LONG);
    assert_eq!(json_answers(&out), [long.as_str(), "out\nerr\n", ""]);
}

#[test]
fn rexec_4_json_returns_200_kb_whole_and_the_next_answer_in_step() {
    // The lesson's client reads under `if`, not `while`: one recv(1024) of
    // the 200 kB, and the rest in place of the next header. The step reads
    // it all.
    let server = server("rexec_4_json_server");
    let out = client(
        "rexec_4_json_client",
        server.addr,
        &format!("{LONG}\necho next\n"),
    );
    let (long, _) = sh(LONG);
    let got = json_answers(&out);
    assert_eq!(got.len(), 2, "{out}");
    assert!(got[0] == long, "200 kB, every byte in order");
    assert_eq!(got[1], "next\n");
}

#[test]
fn rexec_4_json_server_sends_the_same_bytes_as_the_lessons_server() {
    let mut replies = Vec::new();
    let step_server = server("rexec_4_json_server");
    let python = python_server("json");
    for addr in [step_server.addr, python.addr] {
        let mut stream = tcp_connect(addr, WAIT);
        stream.write_all(b"echo out; echo err >&2").expect("send");
        let header = wire::read_frame(&mut stream, 1024).expect("the header");
        let output = wire::recv_exact(&mut stream, 8).expect("the output");
        replies.push((text(&header), text(&output)));
    }
    // json.dumps puts a space after the colon.
    let want = (r#"{"data_size": 8}"#.to_string(), "out\nerr\n".to_string());
    assert_eq!(replies, [want.clone(), want]);
}

#[test]
fn the_framed_clients_refuse_a_length_above_16_mib() {
    let mut json = Vec::new();
    wire::write_frame(&mut json, br#"{"data_size": 16777217}"#).expect("to a Vec");
    for (name, reply, why) in [
        (
            "rexec_3_struct_client",
            (16u32 << 20 | 1).to_le_bytes().to_vec(),
            "length prefix says 16777217 bytes, more than the maximum of 16777216",
        ),
        (
            "rexec_4_json_client",
            json,
            "no data_size, or more than MAX_OUTPUT",
        ),
    ] {
        let addr = testkit::fake_tcp_server(WAIT, move |mut stream| {
            let mut command = [0; 1024];
            let _ = stream.read(&mut command);
            let _ = stream.write_all(&reply);
            let _ = stream.read(&mut command); // until the client leaves
        });
        let port = addr.port().to_string();
        let out = run(step(PACKAGE, name, [&port]), b"ls\n", WAIT);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(why), "{name}: {err}");
    }
}

#[test]
fn rexec_4_json_client_reads_the_hardened_servers_longer_header() {
    // `rexec_tcp server --protocol json` adds `exit_code` and `truncated`
    // to the header; a lesson client reads `data_size` and ignores the rest.
    let bin = env!("CARGO_BIN_EXE_rexec_tcp");
    let server = Server::start(testkit::server_command(
        bin,
        &["server"],
        &["--protocol", "json"],
    ));
    let out = client(
        "rexec_4_json_client",
        server.addr,
        &format!("{LONG}\necho next\n"),
    );
    let (long, _) = sh(LONG);
    assert_eq!(json_answers(&out), [long.as_str(), "next\n"]);
}
