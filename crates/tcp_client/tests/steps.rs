//! The TCP lesson's client steps (`examples/tcp_*_client`), each run against
//! the Python peer of the lesson's server.

use std::time::Duration;

use testkit::{python_peer, run_ok, step, Server};

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn tcp_1_client_talks_to_the_lessons_python_server() {
    let server = Server::start(python_peer("tcp_upper_server.py", &["--port", "0"]));
    let port = server.addr.port().to_string();
    let out = run_ok(
        step("tcp_client", "tcp_1_client", [&port]),
        "hello\n\n  你好 abc  \n".as_bytes(),
        WAIT,
    );
    // The empty line is skipped: a prompt, and nothing sent.
    assert_eq!(
        out,
        ">>: 客户端已经发送消息\n收到服务端发来的消息 HELLO\n\
         >>: >>: 客户端已经发送消息\n收到服务端发来的消息 你好 ABC\n>>: "
    );
}
