# The time-server lesson's steps (crates/time_server/examples), sourced by
# scripts/demo.sh: `steps_time_server` runs them before the hardened time_server.

steps_time_server() {
    heading "Lesson 3 · the time server, step by step (examples/time_*)"

    step "time_1_udp_server: each datagram is a strftime format, the empty one means %Y-%m-%d %X" \
         "the lesson says 'ntp服务器', but this is one datagram of text each way, not NTP (binary, UDP 123); %Q is an error answer, and the %Y after it is still answered"
    start_step time_1_udp_server 0
    step_client '%Y-%m-%d\n\n%Q\n%Y\n' time_1_udp_client "$PORT" || fail "time_1_udp_client failed"
    grep -Eq 'ntp服务器的标准时间是 [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' <<<"$CLIENT_OUT" \
        || fail "no %Y-%m-%d %X answer to the empty line"
    expect_output 'ntp服务器的标准时间是 error: chrono cannot render the format "%Q"'
    grep -Eq 'ntp服务器的标准时间是 [0-9]{4}$' <<<"$CLIENT_OUT" || fail "no answer to %Y after %Q"
    kill_step

    local host
    host=$(cat /proc/sys/kernel/hostname)
    step "time_2_tcp_server: TCP, bound to the host name ($host, from gethostname()); the time, then close" \
         "time_2_tcp_client connects to the host name too and prints str(datetime.now())"
    if ! getent hosts "$host" >/dev/null; then
        echo "  (skipped: the host name $host does not resolve here, so the lesson's bind() fails too)"
        return 0
    fi
    start_step time_2_tcp_server 0
    step_client '' time_2_tcp_client "$PORT" || fail "time_2_tcp_client failed"
    grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?$' <<<"$CLIENT_OUT" \
        || fail "not str(datetime.now())"
    await_server_output "连接到了服务器."
    kill_step
}
