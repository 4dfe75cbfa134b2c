# Lesson 004, DNS (crates/dns), sourced by scripts/demo.sh: `steps_dns` runs
# the steps (examples/dns_*), `lesson_dns` the hardened dns binary. Uses
# demo.sh's helpers: heading, step, start_server, step_client, run_client,
# expect_output, await_server_output, show_server, stop_server, fail, $BIN,
# $EX, $PORT, $WORK, $TRACE.

# The lesson's zone, in $WORK/zone.txt: one record a line, NAME TYPE VALUE,
# and 40 addresses for one name (675 bytes: more than UDP's 512).
dns_zone() {
    cat >"$WORK/zone.txt" <<'ZONE'
# the lesson's zone: NAME TYPE VALUE
www.example.test    A      192.0.2.10
www.example.test.   AAAA   2001:db8::10
web.example.test    CNAME  www.example.test
example.test        MX     10 mail.example.test
mail.example.test   A      192.0.2.25
example.test        TXT    "v=spf1 -all" "hello from the zone file"
ZONE
    local i
    for i in $(seq 1 40); do echo "many.example.test A 192.0.2.$i"; done >>"$WORK/zone.txt"
}

# dns_query ARGS...: `dns query ARGS... --server 127.0.0.1:$PORT`; dns query
# has no --port, it names its server.
dns_query() {
    run_client '' "$BIN/dns" query "$@" --server "127.0.0.1:$PORT" "${TRACE[@]}"
}

steps_dns() {
    heading "Lesson 004 · DNS, step by step (examples/dns_*)"
    dns_zone

    step "dns_1_getaddrinfo localhost: the system resolver (getaddrinfo), as a browser asks it" \
         "every address of localhost, from /etc/hosts, in the order a client tries them"
    step_client '' dns_1_getaddrinfo localhost || fail "dns_1_getaddrinfo failed"
    expect_output "127.0.0.1"

    step "dns_2_query: the lesson's dns.resolver.query(domain, 'A') by hand, over UDP, against dns server" \
         "a 12-byte header and one question out; the A records' addresses back (the CNAME record is skipped)"
    start_server dns server --zone "$WORK/zone.txt"
    step_client '' dns_2_query "$PORT" web.example.test || fail "dns_2_query failed"
    expect_output "192.0.2.10"

    step "dns_2_query many.example.test: 40 addresses do not fit in 512 bytes" \
         "the server sends the question back with TC set and no records"
    step_client '' dns_2_query "$PORT" many.example.test || fail "dns_2_query failed"
    expect_output "truncated (TC): the whole answer needs TCP"

    step "dns_3_tcp many.example.test: the same question over TCP, its 2-byte length first" \
         "all 40 addresses: the length prefix says where the answer ends (the sticky-packet lesson)"
    step_client '' dns_3_tcp "$PORT" many.example.test || fail "dns_3_tcp failed"
    expect_output "192.0.2.40"
    stop_server
}

lesson_dns() {
    heading "Lesson 004 · DNS: the name becomes an address before the TCP connection"
    echo "  dns lookup asks the system resolver (getaddrinfo); dns query writes the"
    echo "  lesson's dns.resolver.query by hand (UDP, TCP when truncated); dns server"
    echo "  answers from a zone file, on UDP and TCP on one port."
    dns_zone

    step "dns lookup localhost" \
         "getaddrinfo's addresses, IPv4 and IPv6, and the one a client tries first"
    run_client '' "$BIN/dns" lookup localhost || fail "dns lookup failed"
    expect_output "a client connecting to localhost tries "

    step "Start dns server --zone zone.txt on a free port" \
         "one 'listening on' line: a UDP socket and a TCP listener on the same port"
    start_server dns server --zone "$WORK/zone.txt"

    step "dns query www.example.test --trace" \
         "the query: 12 bytes of header, 03 www 07 example 04 test 00, type and class; the answer's record starts c0 0c (a pointer to byte 12)"
    run_client '' "$BIN/dns" query www.example.test --server "127.0.0.1:$PORT" --trace \
        || fail "dns query failed"
    expect_output "send → 127.0.0.1:$PORT 34 bytes"
    expect_output "00 01 c0 0c 00 01 00 01"
    expect_output $'www.example.test.\t300\tIN\tA\t192.0.2.10'

    step "dns query web.example.test --type AAAA" \
         "the CNAME, followed within the zone, then the address (the lesson's print(item.address) dies on the CNAME)"
    dns_query web.example.test --type AAAA || fail "dns query failed"
    expect_output $'web.example.test.\t300\tIN\tCNAME\twww.example.test.'
    expect_output $'www.example.test.\t300\tIN\tAAAA\t2001:db8::10'

    step "dns query nope.example.test, then www.example.com" \
         "NXDOMAIN: under the zone, no such name; REFUSED: outside the zone (this server is nobody's resolver)"
    dns_query nope.example.test || fail "dns query failed"
    expect_output "status: NXDOMAIN"
    dns_query www.example.com || fail "dns query failed"
    expect_output "status: REFUSED"

    step "dns query many.example.test: 675 bytes of answer" \
         "over UDP the server cuts it (TC); dns query says so and asks again over TCP, each message after its 2-byte length"
    dns_query many.example.test || fail "dns query failed"
    expect_output ";; truncated: the answer (35 bytes) has TC set"
    expect_output "(TCP), 675 bytes"

    if command -v dig >/dev/null 2>&1; then
        step "dig @127.0.0.1 -p PORT many.example.test" "dig falls back to TCP too"
        run_client '' dig @127.0.0.1 -p "$PORT" +norec many.example.test || fail "dig failed"
        expect_output ";; Truncated, retrying in TCP mode."
    else
        echo "  (dig is not installed: scripts/dns-test-deps.sh dig installs it)"
    fi

    step "Junk to the server: 5 bytes, then text that is not a DNS message" \
         "the first is ignored, the second answered FORMERR; the next query is answered as before"
    printf 'hello' >"/dev/udp/127.0.0.1/$PORT"
    printf 'this is not a DNS message' >"/dev/udp/127.0.0.1/$PORT"
    await_server_output "FORMERR: unreadable query"
    dns_query www.example.test || fail "dns query failed"
    expect_output "192.0.2.10"

    step "Ctrl-C the server" "a one-line summary, exit 0"
    stop_server
    grep -q "shutting down: answered .* over UDP (.* truncated), .* over TCP" "$SERVER_LOG" \
        || fail "no summary line"

    step "Ask a server that is not there (--timeout 0.3 --retries 1)" \
         "no answer: asked again once, then one line and exit 1"
    local status=0
    dns_query www.example.test --timeout 0.3 --retries 1 || status=$?
    [[ $status -eq 1 ]] || fail "expected exit code 1, got $status"
    expect_output "asking again (try 2 of 2)"
    expect_output "after 2 tries of 0.3 s each"
}
