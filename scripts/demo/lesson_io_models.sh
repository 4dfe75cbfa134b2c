# Lesson 004, the five I/O models (crates/io_models), sourced by scripts/demo.sh:
# `steps_io_models` says where each model is, `lesson_io_models` runs them.
# Uses demo.sh's helpers: heading, step, start_server, client, expect_output,
# await_server_output, show_server, stop_server, fail, $BIN, $PORT, $WORK.

steps_io_models() {
    heading "Lesson 004 · the five I/O models: one file per model (crates/io_models/src/models/)"
    echo "  blocking.rs threads.rs nonblocking.rs select.rs poll.rs epoll.rs sigio.rs uring.rs tokio.rs"
    echo "  each opens with the model's two phases drawn: waiting for data, copying it to the process"
}

lesson_io_models() {
    heading "Lesson 004 · the five I/O models, serving tcp_server's upper-case protocol"
    echo "  The same protocol nine ways; tcp_client cannot tell them apart."

    local model
    for model in blocking threads nonblocking select poll epoll uring tokio; do
        step "io_models $model serves one tcp_client" \
             "the same reply whatever the model: only where the server waits changes"
        start_server io_models "$model"
        client 'hello\nI/O models 你好\nquit\n' tcp_client || fail "tcp_client failed against $model"
        expect_output "HELLO"
        expect_output "I/O MODELS 你好"
        stop_server
        grep -q "shutting down ($model): served 1 client" "$SERVER_LOG" || fail "no summary line from $model"
    done

    step "The non-blocking loop, with nobody connected, for a second" \
         "it never sleeps: its count of calls that returned EWOULDBLOCK (the lesson's 轮询, burning CPU)"
    start_server io_models nonblocking
    await_server_output "calls returned EWOULDBLOCK in the last second"
    show_server
    stop_server

    step "select past FD_SETSIZE: 1,040 connections at once" \
         "the clients past descriptor 1023 get one line and are closed; the first is still served"
    start_server io_models select
    local out
    out=$(python3 - "$PORT" <<'PY'
import resource, socket, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
clients = [socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) for _ in range(1040)]
print("last client read:", clients[-1].recv(200).decode().strip())
clients[0].sendall(b"first")
print("first client read:", clients[0].recv(100).decode())
PY
) || fail "the select clients failed"
    printf '%s\n' "$out" | sed 's/^/client| /'
    grep -qF "last client read: server busy: select() watches descriptors below FD_SETSIZE (1024) only" <<<"$out" \
        || fail "no refusal past FD_SETSIZE"
    grep -qF "first client read: FIRST" <<<"$out" || fail "the first client was not served"
    stop_server
    grep -q "shutting down (select): served .* refused [1-9]" "$SERVER_LOG" || fail "no refusal in the summary"

    step "io_models sigio: signal-driven I/O over UDP, one datagram" \
         "SIGIO says a datagram is waiting; recvfrom copies it; the reply is upper-cased"
    start_server io_models sigio
    out=$(python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.sendto(b"signal-driven", ("127.0.0.1", int(sys.argv[1]))); print(s.recvfrom(1024)[0].decode())' "$PORT") \
        || fail "no reply from sigio"
    printf 'client| %s\n' "$out"
    [[ $out == SIGNAL-DRIVEN ]] || fail "expected SIGNAL-DRIVEN, got $out"
    stop_server
}
