# The TCP lesson's steps 5–8 (crates/tcp_server/examples/tcp_5_* … tcp_8_*,
# crates/tcp_client/examples/tcp_5_*, tcp_6_*), sourced by scripts/demo.sh:
# `steps_tcp` calls `steps_tcp_more` at its end.

steps_tcp_more() {
    step "tcp_5_chat_server / tcp_5_chat_client: the chat of seed 001; the server's operator types each reply" \
         "the client speaks first, then they take turns; q (or Q) from either side ends the conversation, not the server"
    # The operator is this script: its replies go into a FIFO that the
    # server reads as its standard input (see lesson_udp_qq in demo.sh).
    local fifo="$WORK/chat-replies" replies
    mkfifo "$fifo"
    exec {replies}<>"$fifo" # read-write: opening does not wait for the server
    SERVER_STDIN="$fifo" start_step tcp_5_chat_server 0
    printf 'hi there\n很好，你呢？\nQ\n' >&"$replies"
    step_client 'hello\n今天好吗？\nq\n' tcp_5_chat_client "$PORT" || fail "tcp_5_chat_client failed"
    expect_output ">>>hi there"
    expect_output ">>>很好，你呢？"
    await_server_output ">>>今天好吗？"
    echo "  (the client's q was sent and not answered; the server now waits for the next client)"
    step_client 'still there?\nnot sent\n' tcp_5_chat_client "$PORT" || fail "tcp_5_chat_client failed"
    expect_no_output "Q"
    echo "  (the operator's Q was sent and ended that conversation: the client stopped without printing it)"
    kill_step
    exec {replies}>&-

    step "tcp_6_unix_server / tcp_6_unix_client: tcp_1 over AF_UNIX, the address a file path" \
         "bind() makes a socket file (type s); a killed server leaves it, and the next run removes it"
    local sock="$WORK/tcp_6.sock"
    start_step tcp_6_unix_server "$sock"
    step_client 'hello\nsocket 你好\n' tcp_6_unix_client "$sock" || fail "tcp_6_unix_client failed"
    expect_output "收到服务端发来的消息 SOCKET 你好"
    [[ -S $sock ]] || fail "no socket file at $sock"
    echo "  $(ls -l "$sock" | cut -c1-10) ${sock##*/}"
    kill_step
    [[ -S $sock ]] || fail "the killed server's socket file is gone"
    echo "  (killed: the file is still there, and nobody answers on it)"
    start_step tcp_6_unix_server "$sock"
    step_client 'again\n' tcp_6_unix_client "$sock" || fail "tcp_6_unix_client failed after a restart"
    expect_output "收到服务端发来的消息 AGAIN"
    kill_step

    step "tcp_7_sixteen server / client: seed 004's recvall and its fixed 16-byte message" \
         "each side names its end of the connection: the client's socket name is the server's socket peer"
    start_step tcp_7_sixteen server 127.0.0.1 -p 0
    step_client '' tcp_7_sixteen client 127.0.0.1 -p "$PORT" || fail "tcp_7_sixteen client failed"
    expect_output "The server said b'farewell,client'"
    await_server_output "reply sent, socket closed"
    local client_name
    client_name=$(sed -n 's/^client has been assigned socket name //p' <<<"$CLIENT_OUT")
    grep -qF "socket peer $client_name" "$SERVER_LOG" || fail "the server's peer is not the client's name"
    kill_step

    step "tcp_8_hello: seed 004's smallest server; one recv(4096), then 'hello word' and close" \
         "the request as the server printed it; the answer has no status line (HTTP/0.9)"
    start_step tcp_8_hello 0
    if command -v curl >/dev/null; then
        run_client '' curl -sS --http0.9 "http://127.0.0.1:$PORT/" || fail "curl got no answer"
    else
        run_client '' python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
print(s.recv(4096).decode())' "$PORT" || fail "no answer"
    fi
    expect_output "hello word"
    await_server_output "b'GET / HTTP/1.1\\r\\n"
    kill_step
    declare -F steps_tcp_sockopts >/dev/null && steps_tcp_sockopts
}
