//! The sticky-packet lesson's steps (`examples/sticky_*`), each end run
//! against the Python peer of the lesson's other end
//! (`scripts/peers/sticky_server.py`, `sticky_client.py`) and against the
//! step of the other end, and each showing its own point: case 1's three
//! sends stuck into one recv on every run, case 2's one send cut into the
//! lesson's pieces.

use std::io::Write;
use std::thread;
use std::time::Duration;

use testkit::{python_peer, run, run_ok, stderr, step, tcp_connect, Server};

const WAIT: Duration = Duration::from_secs(20);
const PACKAGE: &str = "sticky_demo";

/// What a step server prints after its `listening on` line, for case 1 and 2.
const STUCK: &str = "等待客户端的 14 个字节都到达接收缓冲区（peek，不取走）\n\
                     接收缓冲区里有 14 个字节\n\
                     第一次数据 b'helloworldegon'\n\
                     第2次数据 b''\n\
                     第3次数据 b''\n";
const CUT: &str = "等待客户端的 14 个字节都到达接收缓冲区（peek，不取走）\n\
                   接收缓冲区里有 14 个字节\n\
                   第一次数据 b'h'\n\
                   第2次数据 b'ellow'\n\
                   第3次数据 b'o'\n";

/// A step of this package as a server on a free port.
fn server(name: &str) -> Server {
    Server::start(step(PACKAGE, name, ["0"]))
}

/// Everything a one-shot server printed after its `listening on` line.
fn after_listening(server: Server) -> String {
    let addr = server.addr;
    let out = server.finish_ok(WAIT);
    let rest = out.strip_prefix(&format!("listening on {addr}\n"));
    rest.unwrap_or_else(|| panic!("no listening line first: {out:?}"))
        .to_string()
}

/// The lesson's Python client of `case` against the step server `name`:
/// what the server printed.
fn python_client_against(name: &str, case: &str) -> String {
    let server = server(name);
    let port = server.addr.port().to_string();
    let args = ["--port", &port, "--case", case];
    run_ok(python_peer("sticky_client.py", &args), b"", WAIT);
    after_listening(server)
}

/// The step client `name` against the lesson's Python server of `case`:
/// what the Python server printed (one `repr` per recv, then what was left).
fn against_python_server(name: &str, case: &str) -> String {
    let python = Server::start(python_peer(
        "sticky_server.py",
        &["--port", "0", "--case", case],
    ));
    let port = python.addr.port().to_string();
    assert_eq!(run_ok(step(PACKAGE, name, [&port]), b"", WAIT), "");
    after_listening(python)
}

/// The step client `client` against the step server `server`.
fn pair(server_name: &str, client: &str) -> String {
    let server = server(server_name);
    let port = server.addr.port().to_string();
    assert_eq!(run_ok(step(PACKAGE, client, [&port]), b"", WAIT), "");
    after_listening(server)
}

// ---- sticky_1: three sends, one recv(1024)

#[test]
fn sticky_1_server_gets_the_lessons_python_client_stuck_together_every_run() {
    for run in 1..=5 {
        assert_eq!(
            python_client_against("sticky_1_server", "1"),
            STUCK,
            "run {run}"
        );
    }
}

#[test]
fn sticky_1_client_is_read_stuck_together_by_the_lessons_python_server() {
    let out = against_python_server("sticky_1_client", "1");
    assert_eq!(
        out,
        "recv(1024) b'helloworldegon'\nrecv(1024) b''\nrecv(1024) b''\nleft b''\n"
    );
}

#[test]
fn sticky_1_pair_sticks_every_run() {
    for run in 1..=5 {
        assert_eq!(
            pair("sticky_1_server", "sticky_1_client"),
            STUCK,
            "run {run}"
        );
    }
}

#[test]
fn sticky_1_server_waits_for_a_slow_sender_so_it_still_sticks() {
    // Without the server's wait, its first recv(1024) would get b'hello'
    // alone: the other two pieces come 200 ms apart, each in its own segment.
    let server = server("sticky_1_server");
    let mut client = tcp_connect(server.addr, WAIT);
    client.set_nodelay(true).expect("nodelay");
    for piece in ["hello", "world", "egon"] {
        client.write_all(piece.as_bytes()).expect("send");
        thread::sleep(Duration::from_millis(200));
    }
    drop(client);
    assert_eq!(after_listening(server), STUCK);
}

#[test]
fn sticky_1_server_stops_waiting_for_a_sender_that_sends_less() {
    let server = server("sticky_1_server");
    let mut client = tcp_connect(server.addr, WAIT);
    client.write_all(b"hello").expect("send");
    drop(client);
    assert_eq!(
        after_listening(server),
        "等待客户端的 14 个字节都到达接收缓冲区（peek，不取走）\n\
         接收缓冲区里有 5 个字节\n\
         第一次数据 b'hello'\n\
         第2次数据 b''\n\
         第3次数据 b''\n"
    );
}

// ---- sticky_2: one send, recv(1), recv(5), recv(1)

#[test]
fn sticky_2_server_cuts_the_lessons_python_clients_message_every_run() {
    for run in 1..=5 {
        assert_eq!(
            python_client_against("sticky_2_server", "2"),
            CUT,
            "run {run}"
        );
    }
}

#[test]
fn sticky_2_client_is_read_in_pieces_by_the_lessons_python_server() {
    let out = against_python_server("sticky_2_client", "2");
    assert_eq!(
        out,
        "recv(1) b'h'\nrecv(5) b'ellow'\nrecv(1) b'o'\nleft b'rldegon'\n"
    );
}

#[test]
fn sticky_2_pair_cuts_one_message_into_the_lessons_pieces() {
    assert_eq!(pair("sticky_2_server", "sticky_2_client"), CUT);
}

// ---- both

#[test]
fn every_step_says_its_usage_for_a_bad_port() {
    for name in [
        "sticky_1_server",
        "sticky_1_client",
        "sticky_2_server",
        "sticky_2_client",
    ] {
        let out = run(step(PACKAGE, name, ["no-port"]), b"", WAIT);
        assert!(!out.status.success(), "{name}: {out:?}");
        assert!(
            stderr(&out).contains(&format!("usage: {name} [PORT]")),
            "{name}: {out:?}"
        );
    }
}
