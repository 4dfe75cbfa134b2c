# The UDP lesson's steps (crates/udp_qq/examples), sourced by scripts/demo.sh:
# `steps_udp_qq` runs them before the hardened udp_qq.

steps_udp_qq() {
    heading "Lesson 2 · UDP, step by step (examples/udp_*)"

    step "udp_1_server: socket and bind, no listen, no accept; recvfrom() gives each datagram and its sender" \
         "the client sends its empty line too: a datagram of 0 bytes, answered with b''"
    start_step udp_1_server 0
    step_client 'hello\n\n你好 abc\n' udp_1_client "$PORT" || fail "udp_1_client failed"
    expect_output ">>: b'HELLO'"
    expect_output ">>: b''"
    await_server_output "b''"
    kill_step

    step "udp_2_qq_server and udp_2_qq_client: QQ chat, each reply typed by the server's operator" \
         "the message in colour with its sender; Z is not in the contact table, so 'lost' is never sent"
    local fifo="$WORK/steps-qq-replies" replies
    mkfifo "$fifo"
    exec {replies}<>"$fifo" # the operator's replies: the server reads them as its stdin
    SERVER_STDIN="$fifo" start_step udp_2_qq_server 0
    printf '你好！\nsee you\n' >&"$replies"
    step_client 'A\nhello, 你好\nquit\nZ\nlost\nquit\nB\nbye\n' udp_2_qq_client "$PORT" \
        || fail "udp_2_qq_client failed"
    expect_output "的一条消息:"$'\e'"[1;44m你好！"$'\e'"[0m"
    expect_output "的一条消息:"$'\e'"[1;44msee you"$'\e'"[0m"
    await_server_output "的一条消息:"$'\e'"[1;44mbye"$'\e'"[0m"
    grep -qF lost "$SERVER_LOG" && fail "a message to Z was sent"
    kill_step
    exec {replies}>&-

    step "udp_3_threading_server: a thread per datagram (socketserver.ThreadingUDPServer)" \
         "ten udp_1_clients at once, each answered at its own port; each handler prints the datagram and the socket"
    start_step udp_3_threading_server 0
    local i pids=()
    for i in $(seq 10); do
        printf 'client %s\n' "$i" | timeout 10 "$EX/udp_1_client" "$PORT" >"$WORK/udp3-$i.out" 2>&1 &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do wait "${pids[$i]}" || fail "client $((i + 1)) failed"; done
    for i in $(seq 10); do
        grep -qF "b'CLIENT $i'" "$WORK/udp3-$i.out" || fail "client $i got no answer of its own"
    done
    sed 's/^/client 3| /' "$WORK/udp3-3.out"; echo
    echo "client| (all ten clients got their own answer)"
    await_server_output "UdpSocket { addr: 127.0.0.1:$PORT"
    kill_step
}
