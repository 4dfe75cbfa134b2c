# The sticky-packet lesson's steps (crates/sticky_demo/examples), sourced by
# scripts/demo.sh: `steps_sticky_demo` runs them before the hardened sticky_demo.

steps_sticky_demo() {
    heading "粘包 · sticky packets, step by step (examples/sticky_*)"

    step "sticky_1: three quick sends (hello, world, egon), three recv(1024) (000 §9.2 情形一)" \
         "the server waits until all 14 bytes are buffered; its first recv gets b'helloworldegon', then b'' twice"
    start_step sticky_1_server 0
    step_client '' sticky_1_client "$PORT" || fail "sticky_1_client failed"
    wait_server || fail "sticky_1_server failed"
    grep -qF "第一次数据 b'helloworldegon'" "$SERVER_LOG" || fail "the three sends did not stick"
    grep -qF "第2次数据 b''" "$SERVER_LOG" || fail "the second recv was not b''"

    step "sticky_2: one send (helloworldegon), then recv(1), recv(5), recv(1) (000 §9.2 情形二)" \
         "all 14 bytes are there, and still the message comes cut: b'h', b'ellow', b'o'"
    start_step sticky_2_server 0
    step_client '' sticky_2_client "$PORT" || fail "sticky_2_client failed"
    wait_server || fail "sticky_2_server failed"
    grep -qF "第2次数据 b'ellow'" "$SERVER_LOG" || fail "the message was not cut as the lesson's"
    grep -qF "第3次数据 b'o'" "$SERVER_LOG" || fail "the third piece was not b'o'"
}
