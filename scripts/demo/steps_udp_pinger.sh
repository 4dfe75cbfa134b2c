# The UDP pinger lab's steps (crates/udp_pinger/examples), sourced by
# scripts/demo.sh: `steps_udp_pinger` runs them before the hardened udp_pinger.

steps_udp_pinger() {
    heading "UDP pinger lab, step by step (examples/ping_*)"

    step "ping_1_server and ping_2_client: the lab's 9 pings with a 1 s timeout (about 5 s)" \
         "num % 3 == 1 gets no reply (1, 4, 7); the server stops at its 8th message, so 8 and 9 time out too"
    start_step ping_1_server 0
    step_client "" ping_2_client "$PORT" || fail "ping_2_client failed"
    expect_output "Sequence 1: Request timed out."
    expect_output "Sequence 2: Reply from 127.0.0.1    RTT = "
    expect_output "Sequence 9: Request timed out."
    expect_output "9 packets transmitted, 4 received, 55.6% packet loss"
    expect_output "rtt min/avg/max = "
    wait_server || fail "ping_1_server did not stop cleanly at its 8th message"
    echo "server| (exited by itself after its 8th message, as the lab's server does)"

    step "ping_3_heartbeat: a client beats every 0.5 s for 2.7 s, then stops" \
         "the server names the beats lost (1 and 4: its num % 3 == 1), then, after 1.5 s of silence, says the client is gone"
    start_step ping_3_heartbeat server 0
    run_client "" timeout 2.7 "$EX/ping_3_heartbeat" client "$PORT" || true
    await_server_output " gone: silent for "
    show_server
    grep -q "heartbeat 2, one-way .* ms; lost heartbeat 1$" "$SERVER_LOG" || fail "beat 1 not reported lost"
    grep -q "heartbeat 5, one-way .* ms; lost heartbeat 4$" "$SERVER_LOG" || fail "beat 4 not reported lost"
    kill_step
}
