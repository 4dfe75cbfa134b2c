# The remote-command lesson's UDP steps (crates/rexec_udp/examples), sourced by
# scripts/demo.sh: `steps_rexec_udp` runs them before the hardened rexec_udp.

steps_rexec_udp() {
    heading "Remote commands over UDP, step by step (examples/rexec_udp_*)"

    step "rexec_udp_1: one command per datagram, one reply datagram, read with recvfrom(1024) (lesson 八)" \
         "300 numbers, 20 to a line (1200 bytes), stop at 256: the other 176 bytes are lost, and 'echo next' gets its own answer"
    start_step rexec_udp_1_server 0
    step_client 'seq -w 300 | xargs -n 20\necho next\n' rexec_udp_1_client "$PORT" \
        || fail "rexec_udp_1_client failed"
    expect_output "255 256"
    expect_output "命令的执行结果是  next"
    expect_no_output "257"

    step "rexec_udp_1: an output longer than a datagram (seq 1 20000, 108,894 bytes; at most 65,507 fit)" \
         "sendto() fails with EMSGSIZE: the lesson's server dies there, the step prints the error and goes on"
    echo "client| seq 1 20000   (one datagram from bash's /dev/udp; no reply will come)"
    printf 'seq 1 20000' >"/dev/udp/127.0.0.1/$PORT"
    await_server_output "Message too long"
    step_client 'echo still here\n' rexec_udp_1_client "$PORT" || fail "rexec_udp_1_client failed"
    expect_output "命令的执行结果是  still here"
    kill_step
}
