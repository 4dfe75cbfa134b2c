//! The TCP lesson's steps (`examples/tcp_*`), each run against the Python
//! peer of the lesson program it follows, and each showing its own point.

use std::io::{Read, Write};
use std::time::Duration;

use testkit::{python_peer, run_ok, step, tcp_connect, Server};

const WAIT: Duration = Duration::from_secs(10);

/// A step of this package as a server on a free port.
fn server(name: &str) -> Server {
    Server::start(step("tcp_server", name, ["0"]))
}

#[test]
fn tcp_1_server_answers_the_lessons_python_client() {
    let server = server("tcp_1_server");
    let port = server.addr.port().to_string();
    let out = run_ok(
        python_peer("tcp_client.py", &["--port", &port]),
        "hello\n\n你好 abc\nquit\n".as_bytes(),
        WAIT,
    );
    assert_eq!(out, "reply: HELLO\nreply: 你好 ABC\n");
    server.stdout.assert_shows("客户端发来的消息是 你好 abc", WAIT);
}

#[test]
fn tcp_1_server_serves_the_next_client_after_one_leaves() {
    // The lesson's server never checks for an empty recv(), so once its
    // client has gone it spins on b'' and never accepts the next one.
    let server = server("tcp_1_server");
    drop(tcp_connect(server.addr, WAIT));
    let mut next = tcp_connect(server.addr, WAIT);
    next.set_read_timeout(Some(WAIT)).expect("timeout");
    next.write_all(b"are you there").expect("send");
    let mut reply = [0; 13];
    next.read_exact(&mut reply).expect("the reply");
    assert_eq!(&reply, b"ARE YOU THERE");
}
