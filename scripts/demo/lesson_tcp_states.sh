# Lesson 004, every TCP state observed (scripts/tcp-states.sh,
# docs/lessons/tcp_states.md), sourced by scripts/demo.sh. It needs root
# (network namespaces, nftables, tc): as root `lesson_tcp_states` runs the
# script (with --capture under --trace); otherwise it shows the refusal and
# the command to run. Uses demo.sh's helpers: heading, step, fail,
# expect_output, $CLIENT_OUT, $TRACE.

steps_tcp_states() {
    heading "Lesson 004 · every TCP state, observed (scripts/tcp-states.sh)"
    echo "  Two network namespaces joined by a veth pair, one connection per state; an"
    echo "  nftables rule drops exactly the segment that would end the state, and"
    echo "  ss -tano shows the socket held in it, with its four-tuple and its timer."
}

lesson_tcp_states() {
    local status=0 args=()
    if ((EUID != 0)); then
        step "scripts/tcp-states.sh, not as root" \
             "it refuses, says why and how, exit code 2, and makes nothing"
        CLIENT_OUT=$(timeout 30 bash scripts/tcp-states.sh 2>&1) || status=$?
        printf '%s\n' "$CLIENT_OUT" | sed 's/^/  | /'
        [[ $status -eq 2 ]] || fail "expected exit code 2 without root, got $status"
        expect_output "tcp-states: needs root"
        echo "  (to see the states, run it as root: sudo scripts/tcp-states.sh)"
        return
    fi
    if [[ ${#TRACE[@]} -gt 0 ]]; then args=(--capture); fi
    step "scripts/tcp-states.sh${args[*]:+ ${args[*]}}: nine connections, one per state" \
         "each 'seen STATE on HOST:' line is what ss -tano showed; at the end, 11 of 11 states seen"
    CLIENT_OUT=$(timeout 120 bash scripts/tcp-states.sh "${args[@]}" 2>&1) || status=$?
    printf '%s\n' "$CLIENT_OUT" | sed 's/^/  | /'
    [[ $status -eq 0 ]] || fail "scripts/tcp-states.sh exited with $status"
    expect_output "seen SYN-SENT on B: SYN-SENT"
    expect_output "seen CLOSING on A: CLOSING"
    expect_output "seen CLOSING on B: CLOSING"
    expect_output "timer:(timewait,5"
    expect_output "11 of 11 states seen in"
    expect_output "tcp-states: torn down: namespaces"
}
