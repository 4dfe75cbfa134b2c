#!/usr/bin/env bash
# The course walkthrough: runs each lesson unattended, both ends, and says
# what to watch for. Server lines are prefixed `server|`, client lines
# `client|`; each lesson ends with a one-line verdict.
#
#   scripts/demo.sh            every lesson, in course order
#   scripts/demo.sh tcp        one lesson
#   scripts/demo.sh --steps tcp  only the lesson's steps (examples/), not the tool
#   scripts/demo.sh --list     the lessons
#   scripts/demo.sh --trace    also dump every send and receive (hex + ASCII)
#   scripts/demo.sh --pause    wait for Enter between steps (for a classroom)
#
# Every server runs on a free port (--port 0) and is stopped by its own PID;
# the temporary directory and every process are cleaned up on exit and on
# Ctrl-C. Exits non-zero naming the lesson that failed.
set -Eeuo pipefail
# A command that fails where no check expected it still names the lesson.
trap 'echo "✘ ${CURRENT:-demo}: a command failed unexpectedly (demo.sh line $LINENO)" >&2' ERR

cd "$(dirname "$0")/.."

# Course order. Each lesson is a function `lesson_<name>` below, with a
# one-line description in DESCRIPTIONS.
LESSONS=(tcp udp_qq time_server rexec_tcp rexec_udp sticky_demo struct_header ftp web_server io_models udp_pinger dns tcp_states)
declare -A DESCRIPTIONS=(
    [tcp]="TCP upper-case server and client (tcp_server, tcp_client)"
    [udp_qq]="UDP \"QQ chat\": replies typed by the server operator, a contact table (udp_qq)"
    [time_server]="time server: strftime over UDP, the daytime over TCP (time_server)"
    [rexec_tcp]="remote commands over TCP: the sticky packet, then ready, struct and the JSON header (rexec_tcp)"
    [rexec_udp]="remote commands over UDP: one datagram each way, its size limit, a short buffer (rexec_udp)"
    [sticky_demo]="sticky packets (粘包): TCP sticks, frames and UDP keep boundaries (sticky_demo)"
    [struct_header]="the fixed-length header: struct.pack('i'), the JSON header (struct_header)"
    [ftp]="file transfer: put/get with md5, resume, a refused ../ name, logins and quota (ftp)"
    [web_server]="web server lab: a file or 404, a refused ../, the raw-socket client (web_server)"
    [io_models]="the five I/O models: one echo server, nine ways (io_models)"
    [udp_pinger]="UDP pinger lab: loss, RTT statistics, late replies, heartbeats (udp_pinger)"
    [dns]="DNS: getaddrinfo, a query written by hand (UDP, TCP on truncation), an authoritative server (dns)"
    [tcp_states]="every TCP state, observed: nftables holds each one, ss shows it (scripts/tcp-states.sh; needs root)"
)

TRACE=()
PAUSE=false
STEPS_ONLY=false
SELECTED=()

usage() {
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
}

for arg in "$@"; do
    case "$arg" in
        --list)
            for name in "${LESSONS[@]}"; do printf '%-14s %s\n' "$name" "${DESCRIPTIONS[$name]}"; done
            exit 0 ;;
        --trace) TRACE=(--trace) ;;
        --pause) PAUSE=true ;;
        --steps) STEPS_ONLY=true ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "demo.sh: unknown option $arg" >&2; usage >&2; exit 2 ;;
        *)
            if [[ -z "${DESCRIPTIONS[$arg]+x}" ]]; then
                echo "demo.sh: no lesson named '$arg' (see --list)" >&2
                exit 2
            fi
            SELECTED+=("$arg") ;;
    esac
done
[[ ${#SELECTED[@]} -gt 0 ]] || SELECTED=("${LESSONS[@]}")

# ---------------------------------------------------------------- plumbing

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sockets-rs-demo.XXXXXX")
SERVER_PID=""
SERVER_LOG=""
SERVER_SHOWN=0
PORT=""

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo; echo "demo.sh: interrupted" >&2; exit 130' INT TERM

bold() { if [[ -t 1 ]]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }

heading() {
    echo
    bold "━━━ $1 ━━━"
}

# step "what happens" "what to watch for"
step() {
    if $PAUSE; then
        read -r -p "(Enter for the next step) " _ </dev/tty || true
    fi
    echo
    bold "▶ $1"
    [[ -z "${2:-}" ]] || echo "  watch: $2"
}

fail() {
    echo "✘ $CURRENT: $*" >&2
    exit 1
}

# start_server BIN [SUBCOMMAND] ARGS...: runs a lesson server on a free port in the
# background and waits (at most 10 s) for its `listening on ADDR` line.
start_server() {
    local bin=$1
    shift
    # The options go last, so they follow a subcommand (`udp_pinger server`).
    launch_server "$bin" "$BIN/$bin" "$@" --port 0 "${TRACE[@]}"
}

# start_step NAME ARGS...: the same for a step (examples/NAME), whose
# arguments are positional as the lesson's sys.argv: `start_step tcp_1_server 0`.
start_step() {
    local name=$1
    shift
    launch_server "$name" "$EX/$name" "$@"
}

# launch_server NAME COMMAND...: runs COMMAND in the background, waits for its
# `listening on ADDR` line and sets PORT from it.
launch_server() {
    local name=$1
    shift
    SERVER_LOG="$WORK/server-$RANDOM.log"
    SERVER_SHOWN=0
    : >"$SERVER_LOG"
    # A background job gets no standard input from bash; a server whose
    # operator types replies reads them from $SERVER_STDIN (a FIFO) instead.
    "$@" <"${SERVER_STDIN:-/dev/null}" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    local line=""
    for _ in $(seq 200); do
        line=$(grep -m1 '^listening on ' "$SERVER_LOG" || true)
        [[ -z "$line" ]] || break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    show_server
    [[ -n "$line" ]] || fail "$name did not start"
    PORT=${line##*:}
}

# show_server: prints the server's lines that have not been shown yet.
show_server() {
    local total
    total=$(wc -l <"$SERVER_LOG")
    if ((total > SERVER_SHOWN)); then
        tail -n +"$((SERVER_SHOWN + 1))" "$SERVER_LOG" | head -n "$((total - SERVER_SHOWN))" | sed 's/^/server| /'
        SERVER_SHOWN=$total
    fi
}

# wait_server: waits (at most 10 s) for the server to exit by itself,
# shows its last lines and returns its exit status. A server that does not
# exit is killed and fails the lesson.
wait_server() {
    for _ in $(seq 200); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
        show_server
        fail "the server did not exit"
    fi
    local status=0
    wait "$SERVER_PID" || status=$?
    SERVER_PID=""
    show_server
    return $status
}

# stop_server: Ctrl-C (SIGINT), then a clean exit 0 within 10 s.
stop_server() {
    kill -INT "$SERVER_PID"
    local status=0
    wait_server || status=$?
    [[ $status -eq 0 ]] || fail "the server exited with status $status after Ctrl-C"
}

# kill_step: stops a step's server. A step has no Ctrl-C handling of its
# own (the lesson's programs have none), so SIGTERM ends it and its exit
# status says only that.
kill_step() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    show_server
}

# await_server_output TEXT: waits (at most 10 s) for TEXT in the server's
# output.
await_server_output() {
    for _ in $(seq 200); do
        grep -qF -- "$1" "$SERVER_LOG" && return 0
        sleep 0.05
    done
    show_server
    fail "the server never showed '$1'"
}

# client INPUT BIN ARGS...: runs a client with INPUT on stdin; its output
# (stdout and stderr) is shown prefixed and kept in $CLIENT_OUT.
CLIENT_OUT=""
client() {
    local input=$1 bin=$2
    shift 2
    run_client "$input" "$BIN/$bin" "$@" --port "$PORT" "${TRACE[@]}"
}

# step_client INPUT NAME ARGS...: the same for a step, with its positional
# arguments as given: `step_client 'hello\n' tcp_1_client "$PORT"`.
step_client() {
    local input=$1 name=$2
    shift 2
    run_client "$input" "$EX/$name" "$@"
}

run_client() {
    local input=$1
    shift
    local status=0
    CLIENT_OUT=$(printf '%b' "$input" | timeout 30 "$@" 2>&1) || status=$?
    [[ -z "$CLIENT_OUT" ]] || printf '%s\n' "$CLIENT_OUT" | sed 's/^/client| /'
    sleep 0.1 # let the server log the exchange before it is shown
    show_server
    return $status
}

expect_output() {
    local want=$1
    grep -qF -- "$want" <<<"$CLIENT_OUT" || fail "expected the client to print '$want'"
}

expect_no_output() {
    ! grep -qF -- "$1" <<<"$CLIENT_OUT" || fail "the client should not have printed '$1'"
}

# ---------------------------------------------------------------- lessons

# Each lesson's steps (examples/) come first, from scripts/demo/steps_<lesson>.sh,
# each defining `steps_<lesson>`; then the hardened binary, `lesson_<lesson>` below
# (or, for a lesson with a file of its own, in scripts/demo/lesson_<lesson>.sh).
for steps_file in scripts/demo/steps_*.sh scripts/demo/lesson_*.sh; do
    # shellcheck source=/dev/null
    source "$steps_file"
done

lesson_tcp() {
    heading "Lesson 1 · TCP: an upper-case server and its client"
    echo "  The server binds, listens and accepts; each client sends lines and the"
    echo "  server answers every message upper-cased (Python: conn.send(data.upper()))."

    step "Start tcp_server on a free port (threaded: a thread per client)" \
         "the one 'listening on ADDR' line: clients need that address"
    start_server tcp_server --verbose

    step "Send three lines from a pipe; the empty line is skipped, 'quit' ends" \
         "an empty message is never sent: the server would read zero bytes as a close"
    client 'hello\n\nsocket 你好\nquit\n' tcp_client || fail "the client failed"
    expect_output "HELLO"
    expect_output "SOCKET 你好"

    step "Two clients at once, each with one --message" \
         "both are connected at the same time; each gets its own reply"
    local out_a="$WORK/a.out" out_b="$WORK/b.out"
    "$BIN/tcp_client" --port "$PORT" --message "first client" >"$out_a" 2>&1 &
    local pid_a=$!
    "$BIN/tcp_client" --port "$PORT" --message "second client" >"$out_b" 2>&1 || fail "second client failed"
    wait "$pid_a" || fail "first client failed"
    sed 's/^/client| /' "$out_a" "$out_b"
    sleep 0.1
    show_server
    grep -qx "FIRST CLIENT" "$out_a" && grep -qx "SECOND CLIENT" "$out_b" || fail "wrong replies"

    step "Ctrl-C the server" \
         "it stops accepting, ends the conversations in flight, prints a summary, exits 0"
    stop_server
    grep -q "shutting down: served 3 clients" "$SERVER_LOG" || fail "no summary line"

    step "A client with no server to talk to" \
         "one clear line, exit code 1"
    local status=0
    client 'hello\n' tcp_client || status=$?
    [[ $status -eq 1 ]] || fail "expected exit code 1, got $status"
    expect_output "is the server running?"
}

lesson_udp_qq() {
    heading "UDP chat · the \"QQ\" server and its clients"
    echo "  The server prints each datagram as [ip:port] message and sends back a reply"
    echo "  typed by its operator, to the address recvfrom() gave it: that address is"
    echo "  all the server knows of a client, and it is enough to answer several."
    echo "  Here the operator is this script: it writes each reply into a pipe."

    # The operator's replies go into a FIFO that the server reads as its
    # standard input; the demo holds it open and writes a line per reply.
    local fifo="$WORK/qq-replies" replies
    mkfifo "$fifo"
    exec {replies}<>"$fifo" # read-write: opening does not wait for the server

    step "Start udp_qq server on a free port" \
         "'listening on ADDR'; it waits in recvfrom(): no listen(), no accept()"
    SERVER_STDIN="$fifo" start_server udp_qq server

    step "A client chooses contact A, sends two messages, 'quit', then chooses B" \
         "each message is shown by the server as [ip:port] message; each reply comes back"
    printf '你好！\nfine, and you?\nbye, B\n' >&"$replies"
    client 'A\nhello, 你好\nhow are you?\nquit\nB\nsee you\n' udp_qq client \
        || fail "the client failed"
    expect_output "] 你好！"
    expect_output "] fine, and you?"
    expect_output "] bye, B"

    step "Refusals, as in the lesson: a contact not in the table, an empty line" \
         "a one-line message each; nothing is sent"
    client 'Z\n\nA\n\nquit\nquit\n' udp_qq client || fail "the client failed"
    expect_output "no contact named 'Z'; choose one of: A, B, C, D"
    expect_output "an empty message is not sent"

    step "Two clients at once: the second writes while the operator still answers the first" \
         "the replies go to the right ports: each client gets the reply to its own message"
    local first="$WORK/qq-first.out" second="$WORK/qq-second.out"
    "$BIN/udp_qq" client --port "$PORT" --timeout 10 -m "I am the first" >"$first" 2>&1 &
    local pid_first=$!
    await_server_output "I am the first"
    "$BIN/udp_qq" client --port "$PORT" --timeout 10 -m "I am the second" >"$second" 2>&1 &
    local pid_second=$!
    sleep 0.2 # the second message now waits in the server's socket
    printf 'hello, first\nhello, second\n' >&"$replies"
    wait "$pid_first" || fail "the first client failed"
    wait "$pid_second" || fail "the second client failed"
    sed 's/^/client 1| /' "$first"
    sed 's/^/client 2| /' "$second"
    show_server
    grep -q "] hello, first$" "$first" && grep -q "] hello, second$" "$second" \
        || fail "a reply went to the wrong client"

    step "A message the operator does not answer in time (client --timeout 1)" \
         "the client reports the missing reply in one line and exits 1; UDP itself never tells"
    local status=0
    client '' udp_qq client --timeout 1 -m "anyone there?" || status=$?
    [[ $status -eq 1 ]] || fail "expected exit code 1, got $status"
    expect_output "no reply from A"
    printf 'sorry, I was away\n' >&"$replies"
    await_server_output "sorry, I was away"
    show_server
    echo "  (the late reply went to a port nobody listens on any more; UDP did not notice)"

    step "Ctrl-C the server" "a one-line summary, exit 0"
    stop_server
    exec {replies}>&-
    grep -q "shutting down: 6 messages received, 6 replies sent" "$SERVER_LOG" \
        || fail "no summary line"
}

lesson_time_server() {
    heading "Time server · a strftime format over UDP, the daytime over TCP"
    echo "  The client sends a strftime format in one datagram; the server answers"
    echo "  with its time in that format (Python: time.strftime(fmt)) to the address"
    echo "  recvfrom() gave it. No connection, no listen(), no accept()."

    step "Start time_server server (UDP) on a free port" \
         "'listening on ADDR': a UDP server only binds"
    start_server time_server server

    step "Ask once: client --format '%Y-%m-%d %H:%M:%S'" \
         "one datagram out (the format), one back (the time); the server logs both"
    client '' time_server client --format '%Y-%m-%d %H:%M:%S' || fail "the client failed"
    grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' <<<"$CLIENT_OUT" \
        || fail "the answer is not a date and time"

    step "One format per line from a pipe; the empty line is sent too" \
         "an empty datagram is a real message in UDP: the server answers it with %Y-%m-%d %X"
    client '%H:%M:%S\n\n%Y年%m月%d日\nquit\n' time_server client || fail "the client failed"
    expect_output "年"
    grep -q "asked with an empty datagram (the default, %Y-%m-%d %X)" "$SERVER_LOG" \
        || fail "the server did not answer the empty datagram with the default format"

    step "Formats chrono cannot render: %Q, then a lone %" \
         "each gets an answer starting 'error:' and the server keeps serving (the %Y after them)"
    client '%Q\n%\n%Y\n' time_server client || fail "the client failed"
    expect_output "error: '%Q' (at byte 0) is not a strftime directive"
    expect_output "error: a lone '%' ends the format"
    grep -Eq '^[0-9]{4}$' <<<"$CLIENT_OUT" || fail "no answer to %Y after the bad formats"

    step "client --utc: the client asks for the time with its offset (%z) and shows it in UTC" \
         "the server is asked for '%Y-%m-%d %H:%M:%S %z'; the client prints the UTC time"
    client '' time_server client --utc --format '%H:%M UTC (%Z)' || fail "the client failed"
    expect_output "UTC (UTC)"

    step "Ctrl-C the server" "a one-line summary, exit 0"
    stop_server
    grep -q "shutting down: answered 8 requests, 2 of them with an error" "$SERVER_LOG" \
        || fail "no summary line"

    step "Ask a server that is not there (--timeout 1)" \
         "UDP sends into the void without complaint; only the timeout tells: one line, exit 1"
    local status=0
    client '' time_server client --format '%Y' --timeout 1 || status=$?
    [[ $status -eq 1 ]] || fail "expected exit code 1, got $status"
    expect_output "no answer from"

    step "The TCP variant: time_server server --proto tcp" \
         "the daytime server of the TCP lesson: it sends str(datetime.now()) on connect and closes"
    start_server time_server server --proto tcp
    client '' time_server client --proto tcp || fail "the TCP client failed"
    grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?$' <<<"$CLIENT_OUT" \
        || fail "not Python's str(datetime.now()) format"

    step "Ctrl-C the TCP server" "served 1 client, exit 0"
    stop_server
    grep -q "shutting down: served 1 client$" "$SERVER_LOG" || fail "no summary line"
}

lesson_sticky_demo() {
    heading "粘包 · sticky packets: TCP is a byte stream, UDP keeps its datagrams"
    echo "  Case 1 (情形一): three quick sends come out of one recv(1024) stuck together."
    echo "  Case 2 (情形二): one send read by small recvs is cut, the rest waits in the buffer."
    echo "  Each receiver waits until all the sender's bytes are buffered, so it is the same every run."

    step "Every case in one process: plain TCP, then the 4-byte length prefix, then UDP" \
         "plain TCP: b'helloworldegon' from one recv; framed: every message whole; UDP: a short buffer loses 13 bytes"
    local first="$WORK/sticky-1.out" second="$WORK/sticky-2.out"
    "$BIN/sticky_demo" "${TRACE[@]}" >"$first" || fail "sticky_demo failed"
    sed 's/^/  /' "$first"
    grep -qF "recv(1024) → b'helloworldegon'" "$first" || fail "case 1 did not stick"
    grep -qF "still in the buffer: b'rldegon'" "$first" || fail "case 2 left no rest in the buffer"
    grep -qF "read_frame → b'helloworldegon'" "$first" || fail "the framed message was not whole"
    grep -qF "13 bytes lost" "$first" || fail "the short UDP buffer lost nothing"

    step "The same again" \
         "not one character differs: the result does not depend on timing"
    "$BIN/sticky_demo" >"$second" 2>/dev/null || fail "sticky_demo failed the second time"
    "$BIN/sticky_demo" >"$first" 2>/dev/null || fail "sticky_demo failed the third time"
    diff "$first" "$second" >/dev/null || fail "two runs printed different results"
    echo "  identical output, run after run"


    step "The two ends in two terminals, like the lesson: server --case 1, client --case 1" \
         "the client sends hello, world, egon; the server's first recv(1024) gets all 14 bytes"
    start_server sticky_demo server --case 1
    client '' sticky_demo client --case 1 || fail "the client failed"
    wait_server || fail "the server failed"
    grep -qF "recv(1024) → b'helloworldegon'" "$SERVER_LOG" || fail "the server's recv did not get all three"

    step "Case 2 with the fix: every message framed by a 4-byte length (--mode framed)" \
         "however small each recv, read_frame returns the whole b'helloworldegon'"
    start_server sticky_demo server --case 2 --mode framed
    client '' sticky_demo client --case 2 --mode framed || fail "the client failed"
    wait_server || fail "the server failed"
    grep -qF "read_frame → b'helloworldegon'" "$SERVER_LOG" || fail "the framed message was not whole"

    step "Case 2 over UDP: one 14-byte datagram, read with recvfrom(1)" \
         "UDP never sticks, but the 13 bytes that did not fit are gone, not waiting"
    start_server sticky_demo server --case 2 --mode udp
    client '' sticky_demo client --case 2 --mode udp || fail "the client failed"
    wait_server || fail "the server failed"
    grep -qF "13 bytes lost" "$SERVER_LOG" || fail "the server did not report the lost bytes"

    step "A hostile sender: a frame whose length is ff ff ff ff (-1)" \
         "one clear error line and exit code 1, not a crash or a 4 GiB buffer"
    start_server sticky_demo server --case 1 --mode framed
    printf '\xff\xff\xff\xffhello' >"/dev/tcp/127.0.0.1/$PORT" || fail "could not connect"
    local status=0
    wait_server || status=$?
    [[ $status -eq 1 ]] || fail "expected exit code 1, got $status"
    grep -qF "length prefix is negative (-1)" "$SERVER_LOG" || fail "no clear error for the bad length"
}

lesson_struct_header() {
    heading "struct · a fixed-length header: 4 bytes that say how long the message is"
    echo "  struct.pack('i', n) always gives 4 bytes, so a receiver can recv(4), learn the"
    echo "  length, then read exactly that much. A size too big for 'i' rides in a JSON header."

    local out status
    step "struct_header pack 12: the lesson's struct.pack('i', 12)" \
         "b'\\x0c\\x00\\x00\\x00', little-endian, beside network order 00 00 00 0c"
    out=$("$BIN/struct_header" pack 12) || fail "pack 12 failed"
    sed 's/^/  /' <<<"$out"
    grep -qF "b'\\x0c\\x00\\x00\\x00'" <<<"$out" || fail "wrong bytes for 12"

    step "struct_header pack 2147483648: one more than 'i' can hold" \
         "the lesson's struct.error, and exit code 2"
    status=0
    out=$("$BIN/struct_header" pack 2147483648 2>&1) || status=$?
    sed 's/^/  /' <<<"$out"
    [[ $status -eq 2 ]] || fail "expected exit code 2, got $status"
    grep -qF "'i' format requires -2147483648 <= number <= 2147483647" <<<"$out" || fail "not the lesson's error"

    step "struct_header unpack 'b\"h\\x00\\x00\\x00\"': the 4 bytes back to a number, pasted as Python prints them" \
         "(104,): the length of the lesson's JSON header"
    out=$("$BIN/struct_header" unpack 'b"h\x00\x00\x00"') || fail "unpack failed"
    sed 's/^/  /' <<<"$out"
    grep -qF "(104,)" <<<"$out" || fail "wrong number"

    step "struct_header header: the lesson's header for a 1 TB file" \
         "104 bytes of JSON behind the prefix b'h\\x00\\x00\\x00'; the size 1073741824000 itself would not fit 'i'"
    out=$("$BIN/struct_header" header) || fail "header failed"
    sed 's/^/  /' <<<"$out"
    grep -qF "head_len_bytes = struct.pack('i', 104)" <<<"$out" || fail "wrong header length"
    grep -qF "struct.error: 'i' format requires" <<<"$out" || fail "no explanation of why the header exists"

    step "struct_header demo: one JSON-headed message over loopback" \
         "recv(4) gives the header's length, the header gives file_size, and the file arrives whole"
    out=$("$BIN/struct_header" demo "${TRACE[@]}" 2>&1) || fail "demo failed"
    sed 's/^/  /' <<<"$out"
    grep -qF "hello.txt arrived whole" <<<"$out" || fail "the message did not arrive whole"

    local file="$WORK/notes.txt"
    seq 1 2000 >"$file"

    step "The two ends apart: struct_header server, then struct_header client notes.txt" \
         "the server reads 4 bytes, then the header, then exactly file_size bytes"
    start_server struct_header server
    client '' struct_header client "$file" || fail "the client failed"
    wait_server || fail "the server failed"
    grep -qF "sent \"notes.txt\": $(wc -c <"$file") bytes, whole" "$SERVER_LOG" || fail "the file did not arrive whole"

    step "A hostile sender: a header length of ff ff ff ff" \
         "one clear error line and exit code 1, not a crash"
    start_server struct_header server
    printf '\xff\xff\xff\xff{}' >"/dev/tcp/127.0.0.1/$PORT" || fail "could not connect"
    status=0
    wait_server || status=$?
    [[ $status -eq 1 ]] || fail "expected exit code 1, got $status"
    grep -qF "length prefix is negative (-1)" "$SERVER_LOG" || fail "no clear error for the bad length"
}

lesson_rexec_tcp() {
    heading "Remote commands over TCP (rexec_tcp): the sticky packet, then three fixes"
    echo "  The server runs each command a client sends (sh -c) and sends back stdout"
    echo "  then stderr. How the client knows where one answer ends is the lesson:"
    echo "  raw (it does not), ready, struct and json (it is told the length first)."
    # 300 numbers, 20 to a line: 1200 bytes, more than one recv(1024).
    local numbers="seq -w 300 | xargs -n 20"
    local seq3="$numbers\necho next\necho third\n"

    step "raw: start the lesson's first server, which sends the output alone" \
         "the server listens on loopback only: it runs any command it is sent"
    start_server rexec_tcp server --protocol raw

    step "raw: '$numbers' (300 numbers, 1200 bytes), then 'echo next', then 'echo third'" \
         "the client reads one recv(1024): the numbers stop at 256, the rest (257..300) is the answer to 'echo next', and 'next' comes one answer late: the sticky packet (粘包)"
    client "$seq3" rexec_tcp client --protocol raw || fail "the raw client failed"
    expect_output "256"
    expect_output "next"
    # Where 'next' (and 'third') land depends on timing; that they come
    # after the whole of the numbers, one answer late, does not.
    # Sometimes even the two requests stick together on their way to the
    # server, which then runs `echo nextecho third`: the same lesson, in the
    # other direction.
    local last_number next_line
    last_number=$(grep -n '300$' <<<"$CLIENT_OUT" | head -1 | cut -d: -f1 || true)
    next_line=$(grep -n 'next' <<<"$CLIENT_OUT" | head -1 | cut -d: -f1 || true)
    [[ -n "$last_number" && -n "$next_line" && $next_line -gt $last_number ]] \
        || fail "expected 'next' after the last number"
    stop_server

    step "ready (lesson 9.3.1): the length in decimal, the client answers 'ready', then the output" \
         "the same three commands, each answer whole: 001..300, next, third"
    start_server rexec_tcp server --protocol ready
    client "$seq3" rexec_tcp client --protocol ready || fail "the ready client failed"
    expect_output "300"
    expect_output "third"
    stop_server

    step "struct (lesson 9.3.2): a 4-byte little-endian length, struct.pack('i', n), then the output" \
         "with --trace: the client receives 03 00 00 00 (the length of 'hi\\n', 3) and then the 3 bytes; no extra round trip"
    start_server rexec_tcp server --protocol struct
    local trace=(--trace)
    [[ ${#TRACE[@]} -eq 0 ]] || trace=()
    client "" rexec_tcp client --protocol struct "${trace[@]}" -c "echo hi" \
        || fail "the struct client failed"
    expect_output "03 00 00 00"
    client "$seq3" rexec_tcp client --protocol struct || fail "the struct client failed"
    expect_output "third"
    stop_server

    step "json (the custom header, the default): a 4-byte length, {\"data_size\": N, \"exit_code\": C, \"truncated\": b}, the output" \
         "the header carries more than the size: a failing command's exit code is shown"
    start_server rexec_tcp server
    client "$seq3" rexec_tcp client || fail "the json client failed"
    expect_output "third"
    client "" rexec_tcp client -c "ls /no/such/dir" || fail "the json client failed"
    expect_output "(exit code 2)"

    step "Ctrl-C the server" "a summary of clients and commands, exit 0"
    stop_server
    grep -q "shutting down: served 2 clients, ran 4 command(s)" "$SERVER_LOG" || fail "no summary line"

    step "Safety: a server with --timeout 1 --max-output 120, and commands that would hang the lesson's server" \
         "yes is cut at 120 bytes and killed after 1 s; so is sleep 100; cat (stdin closed) and a background job answer at once"
    start_server rexec_tcp server --timeout 1 --max-output 120
    client "yes 'yes prints this forever'\nsleep 100\ncat\nsh -c 'sleep 100 &'\n" rexec_tcp client \
        || fail "the json client failed"
    expect_output "[output cut at 120 bytes:"
    expect_output "[command killed after 1 s: it ran longer than the server's timeout]"
    [[ "$(grep -c '^(command succeeded, no output)$' <<<"$CLIENT_OUT")" -eq 2 ]] \
        || fail "cat and the background job should each answer at once"
    stop_server

    step "Listening beyond loopback is refused without --allow-remote" \
         "exit code 2 and the reason: anyone who could connect could run commands"
    local status=0
    CLIENT_OUT=$("$BIN/rexec_tcp" server --host 0.0.0.0 --port 0 2>&1) || status=$?
    printf '%s\n' "$CLIENT_OUT" | sed 's/^/server| /'
    [[ $status -eq 2 ]] || fail "expected exit code 2, got $status"
    expect_output "refusing to listen on 0.0.0.0"
}

lesson_rexec_udp() {
    heading "Remote commands over UDP (rexec_udp): no sticky packets, but limits"
    echo "  One command per datagram, one reply datagram. Datagrams keep their"
    echo "  boundaries, but one holds at most 65,507 bytes, and a receive buffer"
    echo "  shorter than the datagram loses the rest for good."

    step "Start rexec_udp server (each command: --timeout 2)" \
         "UDP has no connections: the server just waits for datagrams"
    start_server rexec_udp server --timeout 2

    step "A command and its reply" "stdout, then stderr, in one datagram"
    client "" rexec_udp client -c "echo out; echo err >&2" || fail "the client failed"
    expect_output "err"

    local numbers="seq -w 300 | xargs -n 20"
    step "The lesson's recvfrom(1024): '$numbers' (1200 bytes), then 'echo next'" \
         "the numbers stop at 256, with a warning; the rest is lost, not stuck to the next answer as over TCP: 'next' arrives whole"
    client "$numbers\necho next\n" rexec_udp client --bufsize 1024 \
        || fail "the client failed"
    expect_output "256"
    expect_output "filled the whole 1024-byte receive buffer"
    expect_no_output "257"
    expect_output "next"

    step "An output bigger than a datagram: 'seq 1 100000' (588,895 bytes; last lines shown)" \
         "the server cuts it to 65,507 bytes and says how many it dropped (EMSGSIZE otherwise; WinError 10040 on Windows)"
    CLIENT_OUT=$(timeout 30 "$BIN/rexec_udp" client --port "$PORT" -c "seq 1 100000" 2>&1 | tail -n 3) \
        || fail "the client failed"
    printf '%s\n' "$CLIENT_OUT" | sed 's/^/client| /'
    sleep 0.1
    show_server
    expect_output "[reply cut to fit one UDP datagram of 65507 bytes: "

    step "A command past the server's --timeout" "killed after 2 s, and the reply says so"
    client "" rexec_udp client -c "sleep 100" || fail "the client failed"
    expect_output "[command killed after 2 s"

    step "Ctrl-C the server" "a summary line, exit 0"
    stop_server
    grep -q "shutting down: ran 5 command(s)" "$SERVER_LOG" || fail "no summary line"

    step "A client with no server" "the kernel's 'port unreachable' becomes a clear error, exit code 1"
    local status=0
    client "" rexec_udp client --timeout 2 -c "ls" || status=$?
    [[ $status -eq 1 ]] || fail "expected exit code 1, got $status"
    expect_output "is the server running?"
}

lesson_ftp() {
    heading "ftp · file transfer: a JSON header {cmd, file_name, file_size}, then the bytes"
    echo "  The lesson's client sends a 4-byte length, a JSON header and the file's raw bytes;"
    echo "  the server reads exactly file_size bytes. ftp adds md5 checked while the bytes"
    echo "  stream, a hidden .NAME.part until the file is verified, resume, logins and quota."

    local root="$WORK/ftp_root" here="$WORK/ftp_local" status
    mkdir -p "$here"
    seq 1 20000 >"$here/notes.txt"
    head -c 3000000 /dev/urandom >"$here/photo.bin"

    step "Start ftp server --root $root (no --users: one anonymous area)" \
         "one listening line, then what it serves"
    start_server ftp server --root "$root"

    step "ftp put notes.txt: the client offers BLAKE3 in its header, the server agrees in its ready" \
         "blake3 computed as the bytes go, then a blake3 trailer: the client's digest and the server's 'stored ... blake3' are the same"
    client "" ftp put "$here/notes.txt" || fail "put failed"
    local blake3
    blake3=$(sed -n 's/.*, blake3 \([0-9a-f]\{64\}\)$/\1/p' <<<"$CLIENT_OUT" | head -n 1)
    [[ -n $blake3 ]] || fail "the client printed no blake3 digest"
    expect_output "server: stored notes.txt (108894 bytes, blake3 $blake3)"
    cmp -s "$here/notes.txt" "$root/notes.txt" || fail "the stored file differs"

    step "The same file with --digest md5: what the lesson's programs send and expect" \
         "no offer in the header, so the lesson's md5: the same digest as md5sum's"
    client "" ftp put "$here/notes.txt" --as notes-md5.txt --digest md5 || fail "put --digest md5 failed"
    local md5
    md5=$(md5sum "$here/notes.txt" | cut -d' ' -f1)
    expect_output "md5 $md5"
    expect_output "server: stored notes-md5.txt (108894 bytes, md5 $md5)"

    step "A put with --trace: the first bytes on the wire" \
         "86 00 00 00: the header's length (134, little-endian), then {\"cmd\":\"put\",\"digests\":[\"blake3\",\"md5\"],...}, the ready reply naming blake3, the 3 bytes, the blake3 trailer"
    local trace=(--trace)
    [[ ${#TRACE[@]} -eq 0 ]] || trace=()
    printf 'hi\n' >"$here/hi.txt"
    client "" ftp put "$here/hi.txt" "${trace[@]}" || fail "put hi.txt failed"
    expect_output '86 00 00 00 7b 22 63 6d  64 22 3a 22 70 75 74 22  |....{"cmd":"put"|'
    expect_output ':"blake3"}|' # the end of the ready reply: "digest":"blake3"

    step "ftp ls, then ftp get notes.txt -o copy.txt" \
         "the listing with sizes; the server remembers the digest it checked on the put, sends it up front and the file by sendfile unread; the client checks it"
    client "" ftp ls || fail "ls failed"
    expect_output "file  108894  notes.txt"
    client "" ftp get notes.txt -o "$here/copy.txt" || fail "get failed"
    expect_output "blake3 $blake3 verified"
    cmp -s "$here/notes.txt" "$here/copy.txt" || fail "the download differs"

    step "ftp put notes.txt --as ../escape.txt: a name that climbs out of the root" \
         "refused by the server (the lesson's os.path.join would have written it); nothing created"
    status=0
    client "" ftp put "$here/notes.txt" --as ../escape.txt || status=$?
    [[ $status -eq 1 ]] || fail "expected exit code 1, got $status"
    expect_output "bad file name \`../escape.txt\`: a file name may not contain \`/\`"
    [[ ! -e "$WORK/escape.txt" ]] || fail "a file was written outside the root"

    step "A client dies half way through an upload of photo.bin (3,000,000 bytes)" \
         "the server keeps what arrived as .photo.bin.part; nothing appears under photo.bin; ls shows it unfinished"
    python3 - "$PORT" "$here/photo.bin" <<'PY' || fail "the dying client failed"
import json, socket, struct, sys
port, path = int(sys.argv[1]), sys.argv[2]
data = open(path, 'rb').read()
header = json.dumps({'cmd': 'put', 'file_name': 'photo.bin', 'file_size': len(data),
                     'wait': True, 'resume': True, 'trailer': True}).encode()
sock = socket.create_connection(('127.0.0.1', port))
sock.sendall(struct.pack('i', len(header)) + header)
length = struct.unpack('i', sock.recv(4))[0]
sock.recv(length)                      # the server's "ready"
sock.sendall(data[:len(data) // 2])    # half the file ...
sock.close()                           # ... and the client is gone
PY
    await_server_output "put photo.bin interrupted"
    show_server
    [[ ! -e "$root/photo.bin" ]] || fail "photo.bin exists though it never finished"
    [[ -s "$root/.photo.bin.part" ]] || fail "no partial file kept"
    client "" ftp ls || fail "ls failed"
    expect_output "(unfinished upload: put it again to resume)"

    step "ftp put photo.bin --digest md5 again" \
         "it resumes at the byte the server has; the md5 still covers the whole file (md5sum's digest)"
    client "" ftp put "$here/photo.bin" --digest md5 || fail "the resumed put failed"
    expect_output "(resumed at byte"
    expect_output "md5 $(md5sum "$here/photo.bin" | cut -d' ' -f1)"
    cmp -s "$here/photo.bin" "$root/photo.bin" || fail "the resumed file differs"
    [[ ! -e "$root/.photo.bin.part" ]] || fail "the partial file is still there"

    step "The lesson's own Python client (no md5, never reads a reply) puts a file" \
         "it prints its running totals and 'upload successful'; the server stores it, size checked only"
    seq 1 500 >"$here/lesson.txt"
    local lesson_out
    lesson_out=$(printf 'put %s\n' "$here/lesson.txt" |
        timeout 30 python3 scripts/peers/ftp_lesson_client.py --port "$PORT" 2>&1) ||
        fail "the lesson's client failed"
    printf '%s\n' "$lesson_out" | tail -n 2 | sed 's/^/client| /'
    await_server_output "stored lesson.txt"
    show_server
    cmp -s "$here/lesson.txt" "$root/lesson.txt" || fail "the lesson client's file differs"

    step "Ctrl-C the server" "a summary of what it stored, sent and kept; exit 0"
    stop_server
    grep -q "shutting down: served .* stored 5 files, sent 1," "$SERVER_LOG" || fail "no summary line"

    step "Accounts: ftp server add-user alice (the password from FTP_PASSWORD here)" \
         "the users file holds an Argon2id hash, never the password"
    FTP_PASSWORD=wonderland "$BIN/ftp" server add-user alice --users "$WORK/ftp_users" | sed 's/^/  /'
    sed 's/^/  /' "$WORK/ftp_users"
    ! grep -q wonderland "$WORK/ftp_users" || fail "the password is in the file"

    step "Start the server with --users and --quota 1M; alice logs in and puts notes.txt" \
         "it lands in root/alice, her home; a wrong password waits a second and is refused"
    start_server ftp server --root "$WORK/ftp_homes" --users "$WORK/ftp_users" --quota 1M
    FTP_PASSWORD=wonderland client "" ftp put "$here/notes.txt" --user alice || fail "alice's put failed"
    [[ -f "$WORK/ftp_homes/alice/notes.txt" ]] || fail "not in alice's home"
    status=0
    FTP_PASSWORD=guess client "" ftp ls --user alice || status=$?
    [[ $status -eq 1 ]] || fail "a wrong password got in"
    expect_output "login failed: wrong user or password"

    step "alice puts photo.bin (2.9 MiB) into her 1 MiB quota" \
         "refused before a byte is written: no partial file appears"
    status=0
    FTP_PASSWORD=wonderland client "" ftp put "$here/photo.bin" --user alice || status=$?
    [[ $status -eq 1 ]] || fail "the quota did not stop the upload"
    expect_output "quota exceeded"
    [[ ! -e "$WORK/ftp_homes/alice/.photo.bin.part" ]] || fail "a partial file was written"
    stop_server
}

lesson_web_server() {
    heading "Web server lab: the request line names a file; it comes back, or 404 Not Found"
    echo "  The lab's server reads the request, takes its second word as a file name,"
    echo "  and sends 'HTTP/1.1 200 OK', headers, a blank line and the file; or 404."
    echo "  The lab's optional client speaks HTTP over a plain TCP socket."

    local www="$WORK/www"
    mkdir -p "$www/docs"
    printf '<head>Hello world!</head>\n' >"$www/HelloWorld.html"
    printf 'notes\n' >"$www/docs/notes.txt"
    printf 'not for the web\n' >"$WORK/secret.txt"

    step "Start web_server server --root www (www holds the lab's HelloWorld.html)" \
         "'listening on ADDR'; the lab's port is 6789, here a free one"
    start_server web_server server --root "$www"

    step "Fetch /HelloWorld.html with the lab's client: web_server client /HelloWorld.html" \
         "the status line and headers (on stderr), then the page (on stdout); the server logs one line, as http.server does"
    client "" web_server client /HelloWorld.html || fail "the client failed"
    expect_output "HTTP/1.1 200 OK"
    expect_output "Content-Length: 26"
    expect_output "<head>Hello world!</head>"
    grep -qF '"GET /HelloWorld.html HTTP/1.1" 200 26' "$SERVER_LOG" || fail "no access-log line"

    step "A file that is not there: /abc.html" \
         "the lab's 404 Not Found, now with a small page and its length, so the connection could carry on"
    client "" web_server client /abc.html || fail "the client failed"
    expect_output "HTTP/1.1 404 Not Found"
    expect_output "<h1>404 Not Found</h1>"

    step "A directory without its slash, headers only: web_server client /docs --head" \
         "301 to /docs/, shown and not followed by the client"
    client "" web_server client /docs --head || fail "the client failed"
    expect_output "HTTP/1.1 301 Moved Permanently"
    expect_output "redirect to /docs/ (not followed)"

    step "A way out of the root, sent raw as the lab's open(filename[1:]) would take it: GET /../secret.txt" \
         "403 Forbidden; the file beside the root never leaves the machine (a browser or curl would even remove the .. first)"
    local reply
    exec 3<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'GET /../secret.txt HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n' >&3
    reply=$(cat <&3)
    exec 3<&-
    printf '%s\n' "$reply" | tr -d '\r' | sed 's/^/raw| /'
    sleep 0.1
    show_server
    grep -q "^HTTP/1.1 403 Forbidden" <<<"$reply" || fail "the traversal was not refused"
    ! grep -q "not for the web" <<<"$reply" || fail "the secret leaked"

    step "Ctrl-C the server" "it lets requests in flight finish, prints a summary, exits 0"
    stop_server
    grep -q "shutting down: served 4 clients, 4 response(s)" "$SERVER_LOG" || fail "no summary line"

    step "The client with no server to talk to" "one clear line, exit code 1"
    local status=0
    client "" web_server client /HelloWorld.html || status=$?
    [[ $status -eq 1 ]] || fail "expected exit code 1, got $status"
    expect_output "is the server running?"
}

lesson_udp_pinger() {
    heading "UDP pinger lab: ping over UDP, with loss made on purpose"
    echo "  The server answers each ping upper-cased, but like the lab's server it stays"
    echo "  silent when num % 3 == 1. The client sends 'Ping <seq> <time>', waits 1 s for"
    echo "  each reply, prints the round-trip time or 'Request timed out', and ends with"
    echo "  ping's statistics."

    step "Start the lab's server: udp_pinger server --drop-every 3" \
         "'listening on ADDR', then the rule it drops by"
    start_server udp_pinger server --drop-every 3

    step "Nine pings back to back with a 1 s timeout, as the lab's client sends them" \
         "seq 1, 4 and 7 time out; the others show an RTT in ms; 33.3333% packet loss"
    client "" udp_pinger client --count 9 --interval 0 --timeout 1 || fail "the client failed"
    expect_output "Request timed out for seq=1"
    expect_output "Request timed out for seq=4"
    expect_output "Request timed out for seq=7"
    expect_output "seq=9 time="
    expect_output "9 packets transmitted, 6 received, 33.3333% packet loss"
    expect_output "rtt min/avg/max/mdev = "

    step "Ctrl-C the server" \
         "one summary line: received 9, dropped 3, replied 6; exit status 0"
    stop_server
    grep -q "shutting down: received 9, dropped 3, replied 6" "$SERVER_LOG" || fail "no summary line"

    step "A slow server (--delay-ms 700) and a client that waits 0.5 s" \
         "every ping times out, then its reply comes late: reported as late, never taken for the next ping"
    start_server udp_pinger server --delay-ms 700
    local status=0
    client "" udp_pinger client --count 3 --interval 0 --timeout 0.5 || status=$?
    [[ $status -eq 1 ]] || fail "expected exit code 1 (no reply in time), got $status"
    expect_output "(late: seq=1 had timed out)"
    expect_output "3 packets transmitted, 0 received, +"
    grep -q "rtt min" <<<"$CLIENT_OUT" && fail "an rtt line although no reply came in time"
    stop_server

    step "Random loss with a seed, twice: --loss 0.3 --seed 9" \
         "the same pings time out in both runs: a seed makes the loss repeatable"
    local first second
    start_server udp_pinger server --loss 0.3 --seed 9
    client "" udp_pinger client --count 10 --interval 0 --timeout 0.5 || true
    first=$(grep 'timed out' <<<"$CLIENT_OUT" || true)
    stop_server
    start_server udp_pinger server --loss 0.3 --seed 9
    client "" udp_pinger client --count 10 --interval 0 --timeout 0.5 || true
    second=$(grep 'timed out' <<<"$CLIENT_OUT" || true)
    stop_server
    [[ -n "$first" ]] || fail "seed 9 lost nothing"
    [[ "$first" == "$second" ]] || fail "the same seed lost different pings"

    step "The heartbeat exercise: seven beats 0.2 s apart; the server drops num % 3 == 1" \
         "the server names the lost beats (1, 4), then, once the beats stop, says the client is gone"
    start_server udp_pinger server --heartbeat --interval 0.2 --gone-after 3 --drop-every 3
    client "" udp_pinger heartbeat --count 7 --interval 0.2 || fail "the heartbeat sender failed"
    await_server_output ' gone: '
    show_server
    grep -q "from a new client, one-way .*; lost heartbeat 1$" "$SERVER_LOG" || fail "heartbeat 1 not reported lost"
    grep -q "heartbeat 5, one-way .*; lost heartbeat 4$" "$SERVER_LOG" || fail "heartbeat 4 not reported lost"
    grep -q "gone: no heartbeat for .* after heartbeat 6 (4 received, 2 lost before it)" "$SERVER_LOG" \
        || fail "the client was not declared gone"
    stop_server

    step "Ping with no server to answer" \
         "the kernel says 'port unreachable' at once; 100% packet loss, exit code 1"
    status=0
    client "" udp_pinger client --count 2 --interval 0 || status=$?
    [[ $status -eq 1 ]] || fail "expected exit code 1, got $status"
    expect_output "is the server running?"
    expect_output "2 packets transmitted, 0 received, 100% packet loss"
}

# ---------------------------------------------------------------- main

echo "Building the lesson binaries and their steps (cargo build --bins --examples) ..."
cargo build --quiet --workspace --bins --examples
BIN="${CARGO_TARGET_DIR:-target}/debug"
EX="$BIN/examples"

for CURRENT in "${SELECTED[@]}"; do
    declare -F "steps_$CURRENT" >/dev/null || fail "no steps_$CURRENT in scripts/demo/"
    "steps_$CURRENT"
    $STEPS_ONLY || "lesson_$CURRENT"
    echo
    bold "✔ $CURRENT: every step behaved as the lesson says"
done
echo
echo "demo finished: ${#SELECTED[@]} lesson(s) passed"
