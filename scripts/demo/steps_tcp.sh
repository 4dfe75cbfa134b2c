# The TCP lesson's steps (crates/tcp_server/examples, crates/tcp_client/examples),
# sourced by scripts/demo.sh: `steps_tcp` runs them before the hardened tcp_server.

steps_tcp() {
    heading "Lesson 1 · TCP, step by step (examples/tcp_*)"

    step "tcp_1_server: socket, bind, listen, then the connection loop and the communication loop" \
         "the server prints each connection and each message; the client's empty line sends nothing"
    start_step tcp_1_server 0
    step_client 'hello\n\nsocket 你好\n' tcp_1_client "$PORT" || fail "tcp_1_client failed"
    expect_output "收到服务端发来的消息 HELLO"
    expect_output "收到服务端发来的消息 SOCKET 你好"
    await_server_output "客户端发来的消息是 socket 你好"
    kill_step
}
