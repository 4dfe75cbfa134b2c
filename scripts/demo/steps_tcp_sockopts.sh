# The socket method table of seeds 001–003, run (crates/tcp_server/examples/sockopts.rs),
# sourced by scripts/demo.sh: `steps_tcp_more` calls `steps_tcp_sockopts` at its end.

steps_tcp_sockopts() {
    step "sockopts: each option's default on a fresh TCP and UDP socket, then the methods that change a call" \
         "getsockopt's numbers; connect_ex returns 111 as a value; after SHUT_WR the peer reads b'' and the reply still comes"
    local out status=0 want
    out=$(timeout 30 "$EX/sockopts" 2>&1) || status=$?
    printf '%s\n' "$out" | sed 's/^/sockopts| /'
    [[ $status -eq 0 ]] || fail "sockopts exited with status $status"
    for want in "TCP_NODELAY       0" "SO_TYPE           2 (SOCK_DGRAM)" "= 111 (ConnectionRefused)" \
                "setblocking(False); recv(1024) -> WouldBlock (errno 11)" "waited 0.2 s: true" \
                "makefile('rb').readline() -> b'second line\n'" \
                "server recv(1024) -> b'' (the client's FIN)" \
                "client recv(1024) after its SHUT_WR -> b'HELLO'"; do
        grep -qF -- "$want" <<<"$out" || fail "expected sockopts to print '$want'"
    done
}
