#!/usr/bin/env bash
# tcp-states: every state of TCP's state diagram, held open long enough to be
# seen with ss, on two hosts made for the purpose (docs/lessons/tcp_states.md).
#
#   sudo scripts/tcp-states.sh              each state: its ss line, its four-tuple
#   sudo scripts/tcp-states.sh --capture    also each connection's segments (tcpdump)
#   sudo scripts/netlab.sh --states         the same: netlab hands over to this script
#
# Host A (10.200.0.1, the servers) and host B (10.200.0.2, the clients) are
# two network namespaces joined by a veth pair, as in scripts/netlab.sh. Each
# state gets a connection of its own, B's port 400N to A's port 700N, driven
# by two small Python programs (one on each host) that listen, connect,
# accept and close when this script tells them to. A state that would last a
# fraction of a millisecond is held open by an nftables rule on the host the
# segment that ends it would arrive at, dropping exactly that segment:
#   SYN-SENT     B drops the SYN-ACK
#   SYN-RECV     A drops the handshake's last ACK
#   FIN-WAIT-1   B drops the ACK of its FIN
#   LAST-ACK     A drops the ACK of its FIN
#   CLOSING      both close while their FINs are on the wire (tc tbf holds
#                each FIN a second in a slow queue); each host takes the
#                other's first FIN and drops what follows: the ACK of its own
# ESTAB, FIN-WAIT-2 and CLOSE-WAIT need no rule: the programs hold them, by not
# closing yet. TIME-WAIT is held by the kernel, 60 s on Linux (what "2MSL"
# is here), shown by its timer, not waited out. LISTEN is the listening
# socket; CLOSED is no socket at all: the line that goes away.
#
# Options:
#   --capture    also run tcpdump on the link and show each connection's
#                segments (installs Debian's tcpdump when missing)
#   -h, --help   this text
#
# Needs root (namespaces, links, nftables and qdiscs are root's to make);
# installs iproute2, nftables and python3 from Debian's packages when missing.
# Everything it creates is torn down on exit and on Ctrl-C. A run takes about
# 15 s.
# Exit status: 0 every state seen, 1 a state not seen or a setup step failed,
# 2 usage error or not root, 3 this machine cannot host the lab (network
# namespaces not allowed, tools not installable), 130 interrupted.
set -uo pipefail
export LC_ALL=C

SELF="scripts/tcp-states.sh"
LAB_NAME=tcp-states
# shellcheck source-path=SCRIPTDIR source=lib/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/lab.sh"

CAPTURE=0

# The same addresses as scripts/netlab.sh: each pair of namespaces is a world
# of its own, so runs side by side cannot clash; only the names carry the PID.
NS_A="tcpstates-$$-a"
NS_B="tcpstates-$$-b"
IF_A=veth-a
IF_B=veth-b
ADDR_A=10.200.0.1
ADDR_B=10.200.0.2
PREFIX=30
MAC_A=02:00:0a:c8:00:01
MAC_B=02:00:0a:c8:00:02
declare -A NS=([A]="$NS_A" [B]="$NS_B")

# The CLOSING experiment's slow queue: 50 bytes a second and a bucket of 100
# bytes, so that once a 90-byte datagram has emptied the bucket a FIN (66
# bytes on the wire) waits about a second to leave.
SLOW_RATE=400bit
SLOW_BURST=100
SLOW_LIMIT=3000
FILLER_PAYLOAD=48   # + 8 UDP + 20 IP + 14 Ethernet = 90 bytes

# Every wait is bounded (seconds).
ANSWER_TIMEOUT=5    # a peer program answering a command
STATE_TIMEOUT=5     # a socket reaching the state it is driven to
RELEASE_TIMEOUT=20  # a held state ending once its rule is gone (retransmission backs off)
STOP_TIMEOUT=3      # a process exiting after SIGINT (then SIGTERM, SIGKILL)
APT_TIMEOUT=600     # each apt-get step

# The order of the page; each is seen once at least for the run to pass.
STATES=(LISTEN SYN-SENT SYN-RECV ESTAB FIN-WAIT-1 FIN-WAIT-2 CLOSE-WAIT LAST-ACK TIME-WAIT CLOSING CLOSED)

# ------------------------------------------------------------------- state

WORK=""
CREATED_NS=()
STARTED_PIDS=()
declare -A PEER_FD=() PEER_PID=()
declare -A SEEN_WHERE=() SEEN_TUPLE=()
TCPDUMP_PID=""
LINE=""

# --------------------------------------------------------------- messages

usage() {
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"
}

parse_args() {
    while (($# > 0)); do
        case $1 in
            -h | --help) usage; exit 0 ;;
            --capture) CAPTURE=1 ;;
            *) usage_error "unknown argument '$1'" ;;
        esac
        shift
    done
}

# ------------------------------------------------------------- preconditions

require_root() {
    ((EUID == 0)) && return
    cat >&2 <<EOF
tcp-states: needs root: it creates network namespaces, a veth pair between
them, nftables rules and a tc qdisc, and only root may change the kernel's
network configuration. Run it as root, e.g.: sudo $SELF
EOF
    exit 2
}

# ---------------------------------------------------------------- processes

# The program on each host: one command a line on its stdin, one answer a
# line ("ok ..." or "error ...") on its stdout. Its sockets are named, so
# that the script can say which to close.
write_peer_program() {
    cat >"$WORK/peer.py" <<'EOF'
import errno, select, socket, sys

socks = {}

def answer(text):
    print(text, flush=True)

def four_tuple(s):
    (lip, lport), (rip, rport) = s.getsockname(), s.getpeername()
    return f"({lip}, {lport}, {rip}, {rport})"

for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    cmd, args = words[0], words[1:]
    try:
        if cmd == "listen":                  # listen NAME ADDR PORT
            name, addr, port = args
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, int(port)))
            s.listen(8)
            socks[name] = s
            answer(f"ok listen {name} {addr}:{port}")
        elif cmd == "connect":               # connect NAME FROM_ADDR FROM_PORT TO_ADDR TO_PORT
            name, laddr, lport, raddr, rport = args
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((laddr, int(lport)))
            s.setblocking(False)             # returns at once: the SYN is on its way
            err = s.connect_ex((raddr, int(rport)))
            socks[name] = s
            answer(f"ok connect {name} connect_ex={errno.errorcode.get(err, err)}")
        elif cmd == "accept":                # accept NAME LISTENER SECONDS
            name, listener, seconds = args
            ready, _, _ = select.select([socks[listener]], [], [], float(seconds))
            if not ready:
                answer(f"error accept {name}: no connection completed within {seconds} s")
                continue
            conn, _ = socks[listener].accept()
            socks[name] = conn
            answer(f"ok accept {name} {four_tuple(conn)}")
        elif cmd == "pending":               # pending LISTENER SECONDS: anything to accept?
            listener, seconds = args
            ready, _, _ = select.select([socks[listener]], [], [], float(seconds))
            answer("ok pending " + ("a connection to accept" if ready else f"nothing to accept within {seconds} s"))
        elif cmd == "close":                 # close NAME
            socks.pop(args[0]).close()
            answer(f"ok close {args[0]}")
        elif cmd == "datagram":              # datagram ADDR PORT SIZE
            addr, port, size = args
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.sendto(b"x" * int(size), (addr, int(port)))
            u.close()
            answer(f"ok datagram {size} bytes to {addr}:{port}")
        else:
            answer(f"error unknown command {cmd}")
    except (OSError, KeyError, ValueError) as e:
        answer(f"error {cmd}: {e!r}")
EOF
}

# Starts the program on host SIDE (A or B), its commands through a FIFO.
start_peer() {
    local side=$1 fifo=$WORK/peer-$1.in log=$WORK/peer-$1.log fd
    must "making the FIFO for host $side" mkfifo "$fifo"
    : >"$log"
    ip netns exec "${NS[$side]}" "$PYTHON" -u "$WORK/peer.py" <"$fifo" >"$log" 2>&1 &
    PEER_PID[$side]=$!
    STARTED_PIDS+=("$!")
    exec {fd}>"$fifo"   # waits for the program to open its end
    PEER_FD[$side]=$fd
}

# Tells the program on host SIDE to do COMMAND and waits for its answer.
# Usage: ask SIDE COMMAND...   Sets ANSWER; stops the run on an error.
ask() {
    local side=$1 log=$WORK/peer-$1.log before tries=$((ANSWER_TIMEOUT * 50))
    shift
    before=$(wc -l <"$log")
    printf '%s\n' "$*" >&"${PEER_FD[$side]}"
    until (($(wc -l <"$log") > before)); do
        kill -0 "${PEER_PID[$side]}" 2>/dev/null ||
            die "the program on host $side exited: $(cat "$log")"
        ((tries-- > 0)) || die "the program on host $side did not answer '$*' within ${ANSWER_TIMEOUT}s"
        nap 0.02
    done
    ANSWER=$(sed -n "$((before + 1))p" "$log")
    [[ $ANSWER == ok* ]] || die "host $side: '$*' failed: $ANSWER"
}

# --------------------------------------------------------------- teardown

cleanup() {
    local side fd pid
    trap '' INT TERM
    for side in "${!PEER_FD[@]}"; do
        fd=${PEER_FD[$side]}
        exec {fd}>&- # the end of its input: the program exits
    done
    for pid in "${STARTED_PIDS[@]}"; do
        if [[ $pid == "$TCPDUMP_PID" ]]; then
            stop_pid "$pid"
        else
            wait_exit "$pid" 1 || stop_pid "$pid"
            wait "$pid" 2>/dev/null
        fi
    done
    remove_lab "tcpstates-$$" "the veth pair, the nftables rules, the qdiscs and every socket"
}

# ------------------------------------------------------------- the lab

build_lab() {
    local ns
    heading "Two hosts and a link"
    join_hosts
    must "bringing up $IF_A" ip -n "$NS_A" link set dev "$IF_A" up
    must "bringing up $IF_B" ip -n "$NS_B" link set dev "$IF_B" up
    for ns in "$NS_A" "$NS_B"; do
        # An empty input chain on each host: each experiment adds its rules
        # and flushes them when it is done.
        must "adding the nftables table in $ns" ip netns exec "$ns" nft -f - <<'EOF'
table inet tcp_states {
    chain input {
        type filter hook input priority filter; policy accept;
    }
}
EOF
    done
    printf '   %-30s%s\n' "host A (servers)" "host B (clients)" \
        "namespace $NS_A" "namespace $NS_B" \
        "$IF_A $ADDR_A/$PREFIX  <====>" "$IF_B $ADDR_B/$PREFIX   (a veth pair: a virtual cable)"
    note "on each host: nftables table inet tcp_states, chain input (empty until an experiment adds a rule)"
    note "each experiment: B's port 400N connects to A's port 700N; the four-tuple is (local IP, local port, remote IP, remote port)"
    write_peer_program
    start_peer A
    start_peer B
    note "on each host: python3 peer.py, which listens, connects, accepts and closes when told to"
    if ((CAPTURE)); then
        local log=$WORK/tcpdump.log tries=$((STATE_TIMEOUT * 50))
        ip netns exec "$NS_B" tcpdump -i "$IF_B" -n -l tcp >"$log" 2>&1 &
        TCPDUMP_PID=$!
        STARTED_PIDS+=("$!")
        until grep -q 'listening on' "$log"; do
            kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump exited: $(cat "$log")"
            ((tries-- > 0)) || die "tcpdump did not start within ${STATE_TIMEOUT}s"
            nap 0.02
        done
        note "tcpdump -i $IF_B -n tcp on host B: every segment on the link, dropped or not" \
            "(it sees a segment before nftables does)"
    fi
}

# ------------------------------------------------------------ observing

# The `ss -tano` line of the socket LOCAL -> PEER on host SIDE, or nothing.
ss_line() {
    ip netns exec "${NS[$1]}" ss -tanoH | awk -v l="$2" -v p="$3" '$4 == l && $5 == p { sub(/[[:space:]]+$/, ""); print; exit }'
}

# Waits up to SECONDS for the socket LOCAL -> PEER on host SIDE to be in
# STATE (CLOSED: to be gone). Usage: await SIDE STATE LOCAL PEER SECONDS.
# Sets LINE to its ss line; returns 1 if the state was not reached in time.
await() {
    local side=$1 state=$2 tries=$(($5 * 50))
    while :; do
        LINE=$(ss_line "$side" "$3" "$4")
        if [[ $state == CLOSED ]]; then
            [[ -z $LINE ]] && return 0
        elif [[ ${LINE%% *} == "$state" ]]; then
            return 0
        fi
        ((tries-- > 0)) || return 1
        nap 0.02
    done
}

# "(10.200.0.2, 40002, 10.200.0.1, 7002)" from "10.200.0.2:40002" "10.200.0.1:7002"
tuple() {
    echo "(${1%:*}, ${1##*:}, ${2%:*}, ${2##*:})"
}

# Records and shows that host SIDE's socket LOCAL -> PEER was seen in STATE
# (its line in LINE). Usage: seen SIDE STATE LOCAL PEER
seen() {
    local side=$1 state=$2
    [[ -n ${SEEN_WHERE[$state]:-} ]] || {
        SEEN_WHERE[$state]="seen on $side"
        SEEN_TUPLE[$state]=$(tuple "$3" "$4")
    }
    if [[ $state == CLOSED ]]; then
        note "seen $state on $side: no line for $3 -> $4 any more: the socket is gone"
    else
        note "seen $state on $side: $LINE"
    fi
    note "    four-tuple $(tuple "$3" "$4")"
}

# Drives the socket to STATE and shows it, or says it was not seen.
# Usage: expect SIDE STATE LOCAL PEER [SECONDS]
expect() {
    if await "$1" "$2" "$3" "$4" "${5:-$STATE_TIMEOUT}"; then
        seen "$1" "$2" "$3" "$4"
    else
        note "NOT SEEN: $2 on $1 for $3 -> $4 within ${5:-$STATE_TIMEOUT}s; its line: ${LINE:-(none)}"
    fi
}

# Shows host SIDE's socket LOCAL -> PEER as it is, for the other end of a
# connection whose state is not the experiment's.
also() {
    LINE=$(ss_line "$1" "$2" "$3")
    note "meanwhile on $1: ${LINE:-(no socket for $2 -> $3)}"
}

# Adds RULE (nft words) to host SIDE's input chain and shows it.
rule() {
    local side=$1
    shift
    must "adding an nftables rule on host $side" \
        ip netns exec "${NS[$side]}" nft add rule inet tcp_states input "$@"
    note "nftables on $side: $*"
}

# Shows each rule's counter on host SIDE: what it dropped so far.
counters() {
    ip netns exec "${NS[$1]}" nft list chain inet tcp_states input |
        sed -n "s/^[[:space:]]*\(.*counter packets .*\)/   nftables on $1 counted: \1/p"
}

# Waits up to STATE_TIMEOUT for host SIDE's last rule (a drop) to have
# dropped a segment.
await_drops() {
    local tries=$((STATE_TIMEOUT * 50)) dropped
    while :; do
        dropped=$(ip netns exec "${NS[$1]}" nft list chain inet tcp_states input |
            sed -n 's/.*counter packets \([0-9]*\) bytes [0-9]* drop$/\1/p' | tail -n 1)
        ((${dropped:-0} > 0)) && return 0
        ((tries-- > 0)) || return 1
        nap 0.02
    done
}

# Removes every rule on both hosts.
flush_rules() {
    local side
    for side in A B; do
        must "flushing the rules on host $side" \
            ip netns exec "${NS[$side]}" nft flush chain inet tcp_states input
    done
}

# The segments of the connection on A's PORT seen so far (--capture).
segments() {
    ((CAPTURE)) || return 0
    nap 0.1   # tcpdump writes each line as it sees it; let the last arrive
    note "segments on the link (tcpdump on $IF_B):"
    grep -E "\.$1[ :]" "$WORK/tcpdump.log" | sed 's/^/      /'
}

# A connection from B's port 400N to A's port 700N, established and
# accepted: sets A_END, B_END (ADDR:PORT) and PORT.
connection() {
    local n=$1
    PORT=$((7000 + n))
    A_END=$ADDR_A:$PORT
    B_END=$ADDR_B:$((40000 + n))
    ask A listen "l$n" "$ADDR_A" "$PORT"
    ask B connect "c$n" "$ADDR_B" $((40000 + n)) "$ADDR_A" "$PORT"
    note "B: connect() from $B_END to $A_END: ${ANSWER#"ok connect c$n "}"
}

accepted() {
    ask A accept "s$1" "l$1" "$STATE_TIMEOUT"
    note "A: accept() gave ${ANSWER#"ok accept s$1 "}"
}

# ---------------------------------------------------------- the states

state_listen() {
    heading "LISTEN: a socket waiting for SYNs (socket, bind, listen)"
    ask A listen l1 "$ADDR_A" 7001
    note "A: listen() on $ADDR_A:7001"
    expect A LISTEN "$ADDR_A:7001" "0.0.0.0:*"
    note "    a listening socket has no peer: any remote IP and port may send it a SYN"
}

state_syn_sent() {
    heading "SYN-SENT: B has sent its SYN and waits for the SYN-ACK, which B drops"
    rule B ip saddr "$ADDR_A" tcp sport 7002 tcp dport 40002 tcp flags syn,ack / syn,ack counter drop
    connection 2
    expect B SYN-SENT "$B_END" "$A_END"
    also A "$A_END" "$B_END"
    note "    (A got the SYN and answered; it waits for the last ACK, which never comes: B never saw the SYN-ACK)"
    nap 1.2 # long enough for one resend of the SYN, in the counter and the capture
    counters B
    segments "$PORT"
    ask B close c2
    flush_rules
}

state_syn_recv() {
    heading "SYN-RECV: A has answered the SYN with a SYN-ACK and waits for the last ACK, which A drops"
    rule A ip saddr "$ADDR_B" tcp sport 40003 tcp dport 7003 tcp flags == ack counter drop
    connection 3
    expect A SYN-RECV "$A_END" "$B_END"
    also B "$B_END" "$A_END"
    note "    (B got the SYN-ACK and sent the last ACK: for B the handshake is done)"
    ask A pending l3 0.5
    note "A: select() on the listening socket: ${ANSWER#ok pending }" \
        "    (the connection is in A's SYN queue, not yet in the accept queue: accept() would block)"
    counters A
    segments "$PORT"
    ask B close c3
    flush_rules
}

state_established() {
    heading "ESTAB: the three-way handshake done, on both ends"
    connection 4
    accepted 4
    expect B ESTAB "$B_END" "$A_END"
    expect A ESTAB "$A_END" "$B_END"
    segments "$PORT"
}

state_fin_wait_1() {
    heading "FIN-WAIT-1: B has closed and sent its FIN; the ACK of that FIN, B drops"
    connection 5
    accepted 5
    rule B ip saddr "$ADDR_A" tcp sport 7005 tcp dport 40005 tcp flags == ack counter drop
    ask B close c5
    note "B: close()"
    expect B FIN-WAIT-1 "$B_END" "$A_END"
    also A "$A_END" "$B_END"
    note "    (A got the FIN: CLOSE-WAIT; B resends its FIN on a timer, the 'on' in its line)"
    nap 0.5
    counters B
    segments "$PORT"
    flush_rules
}

state_fin_wait_2_close_wait() {
    heading "FIN-WAIT-2 and CLOSE-WAIT: B has closed, A has not (half-closed: no rule needed)"
    connection 6
    accepted 6
    ask B close c6
    note "B: close(); A does nothing"
    expect B FIN-WAIT-2 "$B_END" "$A_END"
    expect A CLOSE-WAIT "$A_END" "$B_END"
    note "    B's FIN is acknowledged; A's program has not closed yet, so A has sent no FIN." \
        "    B's socket is closed (no program holds it): it waits for A's FIN at most" \
        "    net.ipv4.tcp_fin_timeout = $(ip netns exec "$NS_B" cat /proc/sys/net/ipv4/tcp_fin_timeout) s (its timer), then goes away"
    segments "$PORT"
}

state_last_ack() {
    heading "LAST-ACK, then CLOSED: A closes last and waits for the ACK of its FIN, which A drops"
    connection 7
    accepted 7
    ask B close c7
    note "B: close()"
    await A CLOSE-WAIT "$A_END" "$B_END" "$STATE_TIMEOUT" || note "A did not reach CLOSE-WAIT: ${LINE:-(no socket)}"
    rule A ip saddr "$ADDR_B" tcp sport 40007 tcp dport 7007 tcp flags == ack counter drop
    ask A close s7
    note "A: close()"
    expect A LAST-ACK "$A_END" "$B_END"
    also B "$B_END" "$A_END"
    note "    (B got A's FIN and sent the ACK: B is in TIME-WAIT; A resends its FIN on a timer)"
    nap 0.5
    counters A
    flush_rules
    note "the rule removed: A's next FIN is answered, and A's socket is gone"
    expect A CLOSED "$A_END" "$B_END" "$RELEASE_TIMEOUT"
    segments "$PORT"
}

state_time_wait() {
    heading "TIME-WAIT: B closed first; after A's FIN it waits 60 s (no rule: the kernel holds it)"
    connection 8
    accepted 8
    ask B close c8
    await A CLOSE-WAIT "$A_END" "$B_END" "$STATE_TIMEOUT" || note "A did not reach CLOSE-WAIT: ${LINE:-(no socket)}"
    ask A close s8
    note "B: close(), then A: close()"
    expect B TIME-WAIT "$B_END" "$A_END"
    expect A CLOSED "$A_END" "$B_END"
    note "    (A, which closed last, needs no wait: LAST-ACK ended with B's ACK)"
    nap 2
    LINE=$(ss_line B "$B_END" "$A_END")
    note "2 s later on B: ${LINE:-(gone)}" \
        "    timer:(timewait,Ns,0) counts down from 60 s: Linux's TIME-WAIT is TCP_TIMEWAIT_LEN, 60 s," \
        "    fixed when the kernel is built (no sysctl changes it). RFC 793's 2MSL would be 4 minutes (MSL = 2 min)."
    segments "$PORT"
}

state_closing() {
    heading "CLOSING: both close at once; each gets the other's FIN before the ACK of its own, which each drops"
    connection 9
    accepted 9
    local dev side
    # Both FINs on the wire at the same time, as between hosts far apart:
    # a slow queue on each end of the link holds each FIN about a second.
    for side in A B; do
        [[ $side == A ]] && dev=$IF_A || dev=$IF_B
        must "adding the slow queue on $dev" \
            tc -n "${NS[$side]}" qdisc add dev "$dev" root tbf rate "$SLOW_RATE" burst "$SLOW_BURST" limit "$SLOW_LIMIT"
        rule "$side" udp dport 9 drop
    done
    note "tc on both ends: $(tc -n "$NS_A" qdisc show dev "$IF_A")"
    rule A ip saddr "$ADDR_B" tcp sport 40009 tcp dport 7009 tcp flags \& fin == fin limit rate 1/hour burst 1 packets counter accept
    rule A ip saddr "$ADDR_B" tcp sport 40009 tcp dport 7009 counter drop
    rule B ip saddr "$ADDR_A" tcp sport 7009 tcp dport 40009 tcp flags \& fin == fin limit rate 1/hour burst 1 packets counter accept
    rule B ip saddr "$ADDR_A" tcp sport 7009 tcp dport 40009 counter drop
    note "    the first rule lets the other's first FIN through (sent before it saw this host's FIN, it does not" \
        "    acknowledge it); the second drops what comes after: the ACK of this host's FIN, and the other's" \
        "    resent FINs, which carry that ACK too"
    # A datagram the size of the bucket empties it: what follows waits.
    ask A datagram "$ADDR_B" 9 "$FILLER_PAYLOAD"
    ask B datagram "$ADDR_A" 9 "$FILLER_PAYLOAD"
    ask A close s9
    ask B close c9
    note "A: close(), B: close(), a moment apart; their FINs wait in the slow queues"
    expect A FIN-WAIT-1 "$A_END" "$B_END"
    expect B FIN-WAIT-1 "$B_END" "$A_END"
    expect A CLOSING "$A_END" "$B_END"
    expect B CLOSING "$B_END" "$A_END"
    # Until now the slow queues also hold back each ACK; without them, what
    # holds both ends in CLOSING is the drop rules alone.
    for side in A B; do
        [[ $side == A ]] && dev=$IF_A || dev=$IF_B
        must "removing the slow queue on $dev" tc -n "${NS[$side]}" qdisc del dev "$dev" root
    done
    note "the slow queues removed: now only the drop rules hold the ACKs back"
    if await_drops A && await_drops B; then
        also A "$A_END" "$B_END"
        also B "$B_END" "$A_END"
    else
        note "the drop rules dropped nothing within ${STATE_TIMEOUT}s"
    fi
    counters A
    counters B
    flush_rules
    note "the rules removed: each host's next FIN brings the ACK the other waits for"
    expect A TIME-WAIT "$A_END" "$B_END" "$RELEASE_TIMEOUT"
    expect B TIME-WAIT "$B_END" "$A_END" "$RELEASE_TIMEOUT"
    note "    (a simultaneous close leaves both ends in TIME-WAIT)"
    segments "$PORT"
}

summary() {
    local state missing=0
    heading "Summary: the states seen"
    for state in "${STATES[@]}"; do
        if [[ -n ${SEEN_WHERE[$state]:-} ]]; then
            printf '   %-11s %s  %s\n' "$state" "${SEEN_WHERE[$state]}" "${SEEN_TUPLE[$state]}"
        else
            printf '   %-11s NOT SEEN\n' "$state"
            missing=$((missing + 1))
        fi
    done
    note "$((${#STATES[@]} - missing)) of ${#STATES[@]} states seen in $(awk -v a="$STARTED" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
    ((missing == 0))
}

# -------------------------------------------------------------------- main

main() {
    parse_args "$@"
    require_root
    trap cleanup EXIT
    trap 'on_signal SIGINT' INT
    trap 'on_signal SIGTERM' TERM
    need_command ip iproute2
    need_command ss iproute2
    need_command tc iproute2
    need_command python3 python3
    PYTHON=$(command -v python3)
    STARTED=$EPOCHREALTIME
    bold "tcp-states: every TCP state, held open by nftables and seen with ss -tano"
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcp-states-$$-XXXXXX")
    echo "tcp-states: work directory $WORK"
    create_host_a
    need_command nft nftables
    ((CAPTURE)) && need_command tcpdump tcpdump
    build_lab
    note "" "ss -tano columns: State Recv-Q Send-Q Local-Address:Port Peer-Address:Port timer:(kind,remaining,retries)"
    state_listen
    state_syn_sent
    state_syn_recv
    state_established
    state_fin_wait_1
    state_fin_wait_2_close_wait
    state_last_ack
    state_time_wait
    state_closing
    summary
    exit $?
}

main "$@"
