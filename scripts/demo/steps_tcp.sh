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

    step "tcp_2_reuseaddr: the server is stopped while a client is connected, then restarted on its port" \
         "the server closed first, so its end waits in TIME-WAIT; with SO_REUSEADDR the restart binds"
    start_step tcp_2_reuseaddr 0
    steps_tcp_leave_time_wait
    start_step tcp_2_reuseaddr "$PORT"
    kill_step

    step "tcp_2_reuseaddr --no-reuse: the same, without SO_REUSEADDR (the lesson's server before its fix)" \
         "the restart fails: Address already in use, exit status 1"
    start_step tcp_2_reuseaddr 0 --no-reuse
    steps_tcp_leave_time_wait
    local out status=0
    out=$(timeout 10 "$EX/tcp_2_reuseaddr" "$PORT" --no-reuse 2>&1) || status=$?
    printf '%s\n' "$out" | sed 's/^/server| /'
    [[ $status -eq 1 ]] || fail "expected exit status 1, got $status"
    grep -qF "Address already in use" <<<"$out" || fail "expected 'Address already in use'"

    step "tcp_3_threading_server: a thread per client (ThreadingTCPServer)" \
         "a second client is answered while the first one is still connected, then the first again"
    start_step tcp_3_threading_server 0
    local first second
    steps_tcp_connect first "first"
    step_client 'second\n' tcp_1_client "$PORT" || fail "tcp_1_client failed"
    expect_output "收到服务端发来的消息 SECOND"
    steps_tcp_ask "$first" "again"
    exec {first}>&-
    kill_step

    step "tcp_4_forking_server: a process per client (ForkingTCPServer, started the inetd way)" \
         "ps: a child per connected client, its parent the server; none left once they leave"
    start_step tcp_4_forking_server 0
    steps_tcp_connect first "first"
    steps_tcp_connect second "second"
    show_server
    ps -o pid,ppid,args --ppid "$SERVER_PID" | sed 's/^/ps| /'
    [[ $(steps_tcp_children) -eq 2 ]] || fail "expected two child processes"
    echo "client| both clients close"
    exec {first}>&- {second}>&-
    for _ in $(seq 100); do
        [[ $(steps_tcp_children) -gt 0 ]] || break
        sleep 0.05
    done
    [[ $(steps_tcp_children) -eq 0 ]] || fail "child processes left behind"
    echo "ps| (no child process left: each exited when its client left, and was reaped)"
    kill_step

    declare -F steps_tcp_more >/dev/null && steps_tcp_more
    return 0
}

# steps_tcp_leave_time_wait: a client (this shell, /dev/tcp) sends a line to the
# step server on $PORT and stays connected; the server is stopped, so it closes
# first; the client reads the end of the stream and closes. The server's end of
# that connection is left in TIME-WAIT (60 s) on $PORT.
steps_tcp_leave_time_wait() {
    local conn reply
    exec {conn}<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'hello' >&"$conn"
    read -r -N 5 -t 5 -u "$conn" reply || fail "no reply"
    echo "client| sent hello, got $reply; the server is stopped now"
    kill_step
    cat <&"$conn" >/dev/null # the end of the stream: the server's FIN
    exec {conn}>&-
    if command -v ss >/dev/null; then
        sleep 0.1
        ss -tan | grep -F "127.0.0.1:$PORT " | sed 's/  */ /g; s/^/ss| /'
    fi
}

# steps_tcp_connect VAR MESSAGE: a client of the step server on $PORT (this
# shell, /dev/tcp) that sends MESSAGE, prints the reply and stays connected;
# its file descriptor is put in VAR.
steps_tcp_connect() {
    local -n fd=$1
    exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
    steps_tcp_ask "$fd" "$2"
    echo "client| (stays connected)"
}

# steps_tcp_ask FD MESSAGE: sends MESSAGE on FD, expects it back upper-cased.
steps_tcp_ask() {
    local reply
    printf '%s' "$2" >&"$1"
    read -r -N "${#2}" -t 5 -u "$1" reply || fail "no reply to '$2'"
    echo "client| sent $2, got $reply"
    [[ $reply == "${2^^}" ]] || fail "expected ${2^^}"
}

# steps_tcp_children: how many processes have the step server as their parent.
steps_tcp_children() {
    { ps -o pid= --ppid "$SERVER_PID" || true; } | wc -l
}
