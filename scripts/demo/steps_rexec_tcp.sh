# The remote-command lesson's TCP steps (crates/rexec_tcp/examples), sourced by
# scripts/demo.sh: `steps_rexec_tcp` runs them before the hardened rexec_tcp.

steps_rexec_tcp() {
    heading "Remote commands over TCP, step by step (examples/rexec_*)"
    # 300 numbers, 20 to a line: 1200 bytes, more than one recv(1024).
    local two='seq -w 300 | xargs -n 20\necho next\n'

    step "rexec_1_raw: the output alone, read with one recv(1024) (lesson 七)" \
         "the first answer stops at 256 (1024 bytes); the answer to 'echo next' is the rest of the numbers, 257..300: the sticky packet (粘包)"
    start_step rexec_1_raw_server 0
    step_client "$two" rexec_1_raw_client "$PORT" || fail "rexec_1_raw_client failed"
    expect_output "命令的执行结果是  001 002"
    expect_output "命令的执行结果是  257"
    await_server_output "收到客户端的命令 echo next"
    kill_step

    step "rexec_2_ready: the length in decimal, the client answers ready, then the output (9.3.1)" \
         "the same two commands, each answer whole: 001..300, then next"
    start_step rexec_2_ready_server 0
    step_client "$two" rexec_2_ready_client "$PORT" || fail "rexec_2_ready_client failed"
    expect_output "命令的执行结果是  next"
    expect_no_output "命令的执行结果是  257"
    kill_step

    step "rexec_3_struct: struct.pack('i', length), 4 bytes, then the output (9.3.2)" \
         "no ready round trip; the answer is stderr if there is any, else stdout, and 执行成功 for no output"
    start_step rexec_3_struct_server 0
    step_client 'echo out; echo err >&2\ntrue\n' rexec_3_struct_client "$PORT" \
        || fail "rexec_3_struct_client failed"
    expect_output "命令的执行结果是  err"
    expect_output "命令的执行结果是  执行成功"
    kill_step

    step "rexec_4_json: a 4-byte length, the header {\"data_size\": N}, then stdout and stderr (003, 自定制报头)" \
         "the 003 client's prompt 输入:; stdout, then stderr; 200 kB (seq 1 36000, 204894 bytes) arrives whole"
    start_step rexec_4_json_server 0
    step_client 'echo out; echo err >&2\nseq 1 36000 | tail -1\n' rexec_4_json_client "$PORT" \
        || fail "rexec_4_json_client failed"
    expect_output "输入:out"
    expect_output "err"
    local long
    long=$(printf 'seq 1 36000\n' | timeout 30 "$EX/rexec_4_json_client" "$PORT" | wc -c) \
        || fail "rexec_4_json_client failed"
    echo "client| (seq 1 36000: $long bytes printed, prompts and the final newline included)"
    [[ $long -eq $((204894 + 7 + 1 + 7)) ]] || fail "expected the 204894 bytes of seq 1 36000 whole"
    kill_step
}
