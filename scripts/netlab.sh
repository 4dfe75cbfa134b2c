#!/usr/bin/env bash
# netlab: two hosts on one machine joined by a lossy, rate-limited link, and
# the course's lessons run across it (docs/netlab.md).
#
#   sudo scripts/netlab.sh                      everything: 10% loss, 20mbit
#   sudo scripts/netlab.sh --loss 1 --rate 50mbit
#   sudo scripts/netlab.sh --only udp_pinger --pings 100
#   sudo scripts/netlab.sh --keep               leave the two hosts up to explore
#   sudo scripts/netlab.sh --clean              remove labs left behind
#   sudo scripts/netlab.sh --states             every TCP state, observed (scripts/tcp-states.sh)
#
# Host A and host B are two network namespaces joined by a veth pair
# (A 10.200.0.1/30, B 10.200.0.2/30: addresses that exist only inside them;
# nothing is routed anywhere else). nftables drops --loss % of the packets
# arriving at each end, so both directions lose; tc tbf limits what leaves
# each end to --rate. Then, servers on A and clients on B:
#   1. udp_pinger: --pings pings; the measured loss beside the expected one
#   2. ftp:        put and get of a --file-mib MiB file, md5 checked, throughput
#   3. web_server: a page, a 404 and a file fetched by the lesson's client
# (ftp and web_server run once their lessons have landed, else: skipped.)
#
# Options:
#   --loss PCT        % of packets lost, at each end (whole number 0-100; default 10)
#   --rate RATE       rate limit each way, N followed by bit, kbit, mbit or gbit
#                     (default 20mbit)
#   --rto-min MS      TCP's shortest retransmission timeout on the link, in
#                     ms (default 10; Linux's own is 200, meant for the
#                     Internet's round trips, not a link's 0.1 ms)
#   --pings N         pings in experiment 1 (default 500)
#   --file-mib N      size of the ftp file in MiB (default 50; web_server gets
#                     at most 5)
#   --only LIST       run only these experiments: udp_pinger,ftp,web_server
#   --bin-dir DIR     use the lesson binaries in DIR, build nothing
#   --release         build and use release binaries (default: debug builds,
#                     as scripts/demo.sh and cargo test use)
#   --keep            leave the hosts, the link and the files in place at the
#                     end and print how to use them; --clean removes them
#   --clean           remove the namespaces and files of labs whose script is
#                     no longer running (after --keep, or a kill -9)
#   -h, --help        this text
#
# Needs root (namespaces, links, nftables and qdiscs are root's to make);
# installs iproute2 and nftables from Debian's packages when missing.
# Everything it creates is torn down on exit and on Ctrl-C, --keep aside.
# Exit status: 0 every experiment run passed, 1 one failed or a setup step
# failed, 2 usage error or not root, 3 this machine cannot host the lab
# (network namespaces not allowed, tools not installable), 130 interrupted.
set -uo pipefail
export LC_ALL=C     # '.' as the decimal point in $EPOCHREALTIME and awk

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF="scripts/netlab.sh"
LAB_NAME=netlab
# shellcheck source-path=SCRIPTDIR source=lib/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/lab.sh"

# ---------------------------------------------------------------- settings

LOSS=10
RATE=20mbit
RTO_MIN_MS=10
PINGS=500
FILE_MIB=50
ONLY=(udp_pinger ftp web_server)
BIN_DIR=""
PROFILE=debug
KEEP=0
CLEAN=0

EXPERIMENTS=(udp_pinger ftp web_server)

# Every host of every run has the same addresses: each pair of namespaces is
# a world of its own, so parallel runs cannot clash. Only the namespace names
# carry this run's PID.
NS_A="netlab-$$-a"
NS_B="netlab-$$-b"
IF_A=veth-a
IF_B=veth-b
ADDR_A=10.200.0.1
ADDR_B=10.200.0.2
PREFIX=30
MAC_A=02:00:0a:c8:00:01     # locally administered, after the addresses
MAC_B=02:00:0a:c8:00:02

# The lessons' own ports: each namespace has its own port space.
PING_PORT=12000
FTP_PORT=8089
WEB_PORT=6789

PING_INTERVAL=0.01      # seconds between pings
PING_TIMEOUT=0.1        # seconds to wait for each reply (a later one still counts as arrived)
WEB_MAX_MIB=5           # the web_server download is at most this big
TBF_LATENCY=50ms        # how long a packet may queue behind the rate limit

# Every wait is bounded (seconds).
START_TIMEOUT=15        # a server printing `listening on`
STOP_TIMEOUT=5          # a process exiting after Ctrl-C (then SIGTERM, SIGKILL)
BUILD_TIMEOUT=1800      # cargo build
APT_TIMEOUT=600         # each apt-get step

# ------------------------------------------------------------------- state

WORK=""
CREATED_NS=()
STARTED_PIDS=()
RESULTS=()              # "experiment|verdict" lines for the summary
BUILT=()                # lessons whose binary is ready
BUILD_FAILED=()         # lessons in the workspace that did not build
FAILED=0
LAB_UP=0

# --------------------------------------------------------------- messages

usage() {
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"
}

# Shows a log file, each line prefixed (`A server|`, `B client|`).
show_log() {
    local prefix=$1 file=$2
    sed "s/^/   $prefix| /" "$file"
}

# Shows a log from line FROM on (default 1), each line prefixed; of a long
# one, only the first HEAD and last TAIL lines, and the count of the rest.
# Usage: show_log_ends PREFIX FILE HEAD TAIL [FROM]
show_log_ends() {
    awk -v prefix="$1" -v file="$2" -v head="$3" -v tail="$4" -v from="${5:-1}" '
        NR >= from { line[++n] = $0 }
        END {
            for (i = 1; i <= n; i++) {
                if (n <= head + tail + 1 || i <= head || i > n - tail)
                    printf "   %s| %s\n", prefix, line[i]
                else if (i == head + 1)
                    printf "   %s| ... (%d more lines in %s)\n", prefix, n - head - tail, file
            }
        }' "$2"
}

# --------------------------------------------------------------- arguments

parse_args() {
    local arg value
    while (($# > 0)); do
        arg=$1
        value=""
        case $arg in
            --*=*)
                value=${arg#*=}
                arg=${arg%%=*}
                ;;
            --loss | --rate | --rto-min | --pings | --file-mib | --only | --bin-dir)
                (($# >= 2)) || usage_error "$arg needs a value"
                value=$2
                shift
                ;;
        esac
        case $arg in
            -h | --help) usage; exit 0 ;;
            --loss)
                [[ $value =~ ^[0-9]+$ ]] && ((10#$value <= 100)) ||
                    usage_error "--loss takes a whole percentage from 0 to 100, not '$value'"
                LOSS=$((10#$value))
                ;;
            --rate)
                value=${value,,}
                [[ $value =~ ^[1-9][0-9]*(bit|kbit|mbit|gbit)$ ]] ||
                    usage_error "--rate takes a number and bit, kbit, mbit or gbit (e.g. 20mbit), not '$value'"
                RATE=$value
                (($(rate_bits_per_second) >= 64000 && $(rate_bits_per_second) <= 10000000000)) ||
                    usage_error "--rate must be between 64kbit and 10gbit, not '$value'"
                ;;
            --rto-min)
                [[ $value =~ ^[1-9][0-9]*$ ]] && ((value <= 1000)) ||
                    usage_error "--rto-min takes a number of milliseconds from 1 to 1000, not '$value'"
                RTO_MIN_MS=$value
                ;;
            --pings)
                [[ $value =~ ^[1-9][0-9]*$ ]] && ((value <= 100000)) ||
                    usage_error "--pings takes a number from 1 to 100000, not '$value'"
                PINGS=$value
                ;;
            --file-mib)
                [[ $value =~ ^[1-9][0-9]*$ ]] && ((value <= 10240)) ||
                    usage_error "--file-mib takes a number of MiB from 1 to 10240, not '$value'"
                FILE_MIB=$value
                ;;
            --only)
                local name
                ONLY=()
                IFS=, read -r -a ONLY <<<"$value"
                ((${#ONLY[@]} > 0)) || usage_error "--only needs one or more of: ${EXPERIMENTS[*]}"
                for name in "${ONLY[@]}"; do
                    [[ " ${EXPERIMENTS[*]} " == *" $name "* ]] ||
                        usage_error "--only: no experiment named '$name' (there are: ${EXPERIMENTS[*]})"
                done
                ;;
            --bin-dir)
                [[ -d $value ]] || usage_error "--bin-dir: no directory '$value'"
                BIN_DIR=$(cd "$value" && pwd)
                ;;
            --release) PROFILE=release ;;
            --keep) KEEP=1 ;;
            --clean) CLEAN=1 ;;
            *) usage_error "unknown argument '$arg'" ;;
        esac
        shift
    done
}

# --rate in bits per second (tc's units: kbit = 1000 bit).
rate_bits_per_second() {
    local number=${RATE%%[a-z]*} unit=${RATE##*[0-9]}
    case $unit in
        bit) echo "$number" ;;
        kbit) echo $((number * 1000)) ;;
        mbit) echo $((number * 1000000)) ;;
        gbit) echo $((number * 1000000000)) ;;
    esac
}

wanted() { [[ " ${ONLY[*]} " == *" $1 "* ]]; }

# ------------------------------------------------------------- preconditions

require_root() {
    ((EUID == 0)) && return
    cat >&2 <<EOF
netlab: needs root: it creates network namespaces, a veth pair between them,
nftables rules and a tc qdisc, and only root may change the kernel's network
configuration. Run it as root, e.g.: sudo $SELF
(sudo may drop cargo from PATH: sudo env "PATH=\$PATH" $SELF, or build first
and pass --bin-dir target/debug)
EOF
    exit 2
}

# The lesson binaries: built here (debug by default), or from --bin-dir.
# Sets BIN, and BUILT to the lessons whose binary is ready.
build_binaries() {
    local crate
    BUILT=()
    if [[ -n $BIN_DIR ]]; then
        BIN=$BIN_DIR
        [[ -x $BIN/udp_pinger ]] || usage_error "--bin-dir: no udp_pinger binary in $BIN"
        echo "netlab: using the binaries in $BIN"
        for crate in "${EXPERIMENTS[@]}"; do
            [[ -x $BIN/$crate ]] && BUILT+=("$crate")
        done
        return
    fi
    command -v cargo >/dev/null 2>&1 ||
        die "cargo is not on PATH (sudo may have reset PATH: sudo env \"PATH=\$PATH\" $SELF), or build first and pass --bin-dir target/debug"
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE
    cargo_build udp_pinger || die "cargo build of udp_pinger failed"
    BUILT+=(udp_pinger)
    # A lesson not in the workspace yet is skipped; one that fails to build
    # is a failure of its experiment.
    for crate in ftp web_server; do
        wanted "$crate" && [[ -f $ROOT/crates/$crate/Cargo.toml ]] || continue
        if cargo_build "$crate"; then
            BUILT+=("$crate")
        else
            BUILD_FAILED+=("$crate")
        fi
    done
}

cargo_build() {
    local flags=(-p "$1")
    [[ $PROFILE == release ]] && flags=(--release "${flags[@]}")
    echo "netlab: cargo build ${flags[*]}"
    # In the foreground, so that Ctrl-C reaches cargo; bounded all the same.
    (cd "$ROOT" && timeout --foreground "$BUILD_TIMEOUT" cargo build "${flags[@]}")
}

# Whether a lesson's experiment can run: its binary is ready. Otherwise says
# why it is skipped or failed.
ready() {
    local crate=$1
    [[ " ${BUILT[*]} " == *" $crate "* ]] && return 0
    if [[ " ${BUILD_FAILED[*]} " == *" $crate "* ]]; then
        verdict "$crate" "FAIL: the $crate crate did not build (cargo build -p $crate)"
    elif [[ -n $BIN_DIR ]]; then
        note "skipped: the $crate lesson has not landed yet (no $BIN/$crate)"
        RESULTS+=("$crate|skipped: the $crate lesson has not landed yet")
    else
        note "skipped: the $crate lesson has not landed yet (no crates/$crate)"
        RESULTS+=("$crate|skipped: the $crate lesson has not landed yet")
    fi
    return 1
}

# ---------------------------------------------------------------- processes

# Starts COMMAND inside namespace NS in the background, its output in LOG.
# Sets STARTED_PID.
start_in() {
    local ns=$1 log=$2
    shift 2
    : >"$log"
    ip netns exec "$ns" "$@" >"$log" 2>&1 </dev/null &
    STARTED_PID=$!
    STARTED_PIDS+=("$STARTED_PID")
}

# Starts a server on host A and waits for its `listening on ADDR` line.
# Usage: start_server LABEL LOG COMMAND...   Sets SERVER_PID.
start_server() {
    local label=$1 log=$2 tenths=$((START_TIMEOUT * 10))
    shift 2
    start_in "$NS_A" "$log" "$@"
    SERVER_PID=$STARTED_PID
    until grep -q '^listening on ' "$log"; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            show_log "A $label" "$log" >&2
            die "$label on host A exited before it printed 'listening on'"
        fi
        if ((tenths-- <= 0)); then
            show_log "A $label" "$log" >&2
            die "$label on host A printed no 'listening on' within ${START_TIMEOUT}s"
        fi
        nap
    done
    show_log "A $label" "$log"
    SERVER_SHOWN=$(wc -l <"$log")
}

# Shows what the server logged since start_server showed its first lines.
show_server_rest() {
    show_log_ends "A $1" "$2" "$3" "$4" $((SERVER_SHOWN + 1))
}

# Runs a client on host B to its end, at most SECONDS.
# Usage: run_client SECONDS LOG COMMAND...
# Sets CLIENT_STATUS (124 when it ran out of time) and CLIENT_SECONDS.
run_client() {
    local seconds=$1 log=$2 pid started
    shift 2
    started=$EPOCHREALTIME
    start_in "$NS_B" "$log" "$@"
    pid=$STARTED_PID
    if wait_exit "$pid" "$seconds"; then
        CLIENT_STATUS=0
        wait "$pid" 2>/dev/null || CLIENT_STATUS=$?
        forget_pid "$pid"
    else
        echo "   netlab: still running after ${seconds}s; stopping it" >&2
        stop_pid "$pid"
        CLIENT_STATUS=124
    fi
    CLIENT_SECONDS=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
}

# --------------------------------------------------------------- teardown

cleanup() {
    local pid
    trap '' INT TERM    # a second Ctrl-C must not cut the teardown short
    for pid in "${STARTED_PIDS[@]}"; do
        stop_pid "$pid"
    done
    if ((KEEP && LAB_UP)); then
        print_keep_help
        return
    fi
    remove_lab "netlab-$$" "the veth pair, the nftables tables and the qdiscs"
}

print_keep_help() {
    cat <<EOF

netlab: the lab is still up (--keep). Its files are in $WORK.
  ip netns exec $NS_A bash            # a shell on host A ($ADDR_A)
  ip netns exec $NS_B bash            # a shell on host B ($ADDR_B)
  ip netns exec $NS_A $BIN/udp_pinger server --host $ADDR_A
  ip netns exec $NS_B $BIN/udp_pinger client --host $ADDR_A --count 20
  ip netns exec $NS_A nft list table netdev netlab   # the loss rule and its counters
  ip netns exec $NS_A tc -s qdisc show dev $IF_A    # the rate limit and its drops
  ip netns exec $NS_B ss -tunp                       # B's sockets
Change the loss on the way to A, e.g. to 30% (the rules are in $WORK):
  ip netns exec $NS_A nft delete table netdev netlab
  sed 's/mod 100 < [0-9]*/mod 100 < 30/' $WORK/nftables-$NS_A.conf | ip netns exec $NS_A nft -f -
Remove it all: $SELF --clean   (or: ip netns del $NS_A; ip netns del $NS_B; rm -rf $WORK)
EOF
}

# Removes the namespaces (and the processes in them) and the work
# directories of labs whose script is no longer running.
clean_stale() {
    local ns pid found=0 dir victim
    for ns in $(ip netns list | awk '{ print $1 }' | grep -E '^netlab-[0-9]+-[ab]$'); do
        pid=${ns#netlab-}
        pid=${pid%-*}
        if kill -0 "$pid" 2>/dev/null && grep -qa netlab "/proc/$pid/cmdline" 2>/dev/null; then
            echo "netlab: $ns belongs to a lab still running (PID $pid); left alone"
            continue
        fi
        found=1
        for victim in $(ip netns pids "$ns" 2>/dev/null); do
            echo "netlab: stopping PID $victim ($(tr '\0' ' ' <"/proc/$victim/cmdline" 2>/dev/null)) in $ns"
            kill -TERM "$victim" 2>/dev/null
            wait_exit "$victim" 2 || kill -KILL "$victim" 2>/dev/null
        done
        if ip netns del "$ns"; then echo "netlab: removed namespace $ns"; fi
    done
    for dir in "${TMPDIR:-/tmp}"/netlab-[0-9]*-??????; do
        [[ -d $dir ]] || continue
        pid=${dir##*/netlab-}
        pid=${pid%%-*}
        kill -0 "$pid" 2>/dev/null && continue
        found=1
        rm -rf "$dir" && echo "netlab: removed $dir"
    done
    ((found)) || echo "netlab: nothing left behind by earlier labs"
}

# ------------------------------------------------------------- the lab

# The nftables table of one end: count what arrives, drop LOSS % of it.
loss_rules() {
    local device=$1
    cat <<EOF
table netdev netlab {
    counter seen { }
    counter dropped { }
    chain link_loss {
        type filter hook ingress device "$device" priority filter; policy accept;
        counter name "seen"
        numgen random mod 100 < $LOSS counter name "dropped" drop
    }
}
EOF
}

# Burst of the token bucket: 4 ms at the rate, at least 16 KiB (more than a
# full-sized packet, which tbf would otherwise never let through).
tbf_burst() {
    local bytes=$(($(rate_bits_per_second) / 8 / 250))
    ((bytes < 16384)) && bytes=16384
    echo "$bytes"
}

build_lab() {
    local ns dev ns_dev rules
    heading "Two hosts and a link"
    join_hosts
    for ns_dev in "$NS_A:$IF_A" "$NS_B:$IF_B"; do
        ns=${ns_dev%%:*}
        dev=${ns_dev#*:}
        # One wire-sized packet per buffer (no 64 KiB GSO bundles), so a
        # drop loses one packet, as on a real wire.
        must "limiting $dev to wire-sized packets" ip -n "$ns" link set dev "$dev" gso_max_segs 1
        must "bringing up $dev" ip -n "$ns" link set dev "$dev" up
        must "limiting the rate of $dev to $RATE" \
            tc -n "$ns" qdisc add dev "$dev" root tbf rate "$RATE" burst "$(tbf_burst)" latency "$TBF_LATENCY"
        rules=$WORK/nftables-$ns.conf
        loss_rules "$dev" >"$rules"
        must "adding the loss rule on $dev" ip netns exec "$ns" nft -f "$rules"
    done
    # TCP waits at least rto_min (200 ms by default) before it resends a
    # packet whose loss nothing else revealed, such as a lost resend: fine
    # for the Internet's round trips, but on this link a round trip takes
    # 0.1 ms, and at 10% loss those 200 ms pauses halve the throughput
    # (docs/netlab.md). Each host's route to the other gets --rto-min.
    local route
    for ns_dev in "$NS_A:$IF_A" "$NS_B:$IF_B"; do
        ns=${ns_dev%%:*}
        dev=${ns_dev#*:}
        route=$(ip -n "$ns" route show dev "$dev" | head -n 1)
        [[ -n $route ]] || die "no route on $dev in $ns"
        # shellcheck disable=SC2086 # the route's words, one argument each
        must "setting rto_min ${RTO_MIN_MS}ms on $dev" \
            ip -n "$ns" route change $route dev "$dev" rto_min "${RTO_MIN_MS}ms"
    done
    LAB_UP=1

    printf '   %-30s%s\n' "host A (servers)" "host B (clients)" \
        "namespace $NS_A" "namespace $NS_B" \
        "$IF_A $ADDR_A/$PREFIX  <====>" "$IF_B $ADDR_B/$PREFIX   (a veth pair: a virtual cable)"
    echo "   loss: nftables drops $LOSS% of the packets arriving at each end (so each direction loses $LOSS%):"
    sed -n 's/^ *\(numgen.*\)/           \1/p' "$WORK/nftables-$NS_A.conf"
    echo "   rate: tc tbf on what leaves each end:"
    tc -n "$NS_A" qdisc show dev "$IF_A" | sed 's/^/           /'
    echo "   retransmission: TCP resends after at least ${RTO_MIN_MS} ms (route option rto_min):"
    ip -n "$NS_A" route show dev "$IF_A" | sed 's/^/           /'
    echo "   servers run on A, clients on B; ip netns exec NAME COMMAND runs a command on a host"
}

# What nftables counted at one end: packets seen, packets dropped.
nft_counter() {
    ip netns exec "$1" nft list counter netdev netlab "$2" |
        sed -n 's/.*packets \([0-9]*\) bytes.*/\1/p'
}

# What the loss rules dropped at each end since the counters were reset.
link_losses() {
    echo "A dropped $(share "$(nft_counter "$NS_A" dropped)" "$(nft_counter "$NS_A" seen)"), B dropped $(share "$(nft_counter "$NS_B" dropped)" "$(nft_counter "$NS_B" seen)")"
}

reset_counters() {
    local ns
    for ns in "$NS_A" "$NS_B"; do
        ip netns exec "$ns" nft reset counters table netdev netlab >/dev/null
    done
}

# "N of M (P%)"
share() {
    awk -v n="$1" -v m="$2" 'BEGIN { if (m > 0) printf "%d of %d (%.1f%%)", n, m, 100 * n / m; else printf "%d of 0", n }'
}

# Mbit/s for BYTES in SECONDS, and its share of the configured rate.
throughput() {
    awk -v b="$1" -v s="$2" -v r="$(rate_bits_per_second)" -v name="$RATE" \
        'BEGIN { if (s <= 0) s = 0.001; m = b * 8 / s; printf "%.1f Mbit/s, %.0f%% of the configured %s", m / 1e6, 100 * m / r, name }'
}

# Seconds to allow a transfer of BYTES: ten times its time at the full rate
# (loss slows TCP down a lot), plus a minute.
transfer_timeout() {
    awk -v b="$1" -v r="$(rate_bits_per_second)" 'BEGIN { printf "%d", 10 * b * 8 / r + 60 }'
}

# Waits up to SECONDS for a file NAME of BYTES bytes somewhere under DIR.
wait_stored() {
    local dir=$1 name=$2 bytes=$3 tenths=$(($4 * 10))
    until [[ -n $(find "$dir" -type f -name "$name" -size "${bytes}c" 2>/dev/null | head -n 1) ]]; do
        ((tenths-- > 0)) || return 1
        nap
    done
}

verdict() {
    local experiment=$1 outcome=$2
    RESULTS+=("$experiment|$outcome")
    case $outcome in
        FAIL*) FAILED=1 ;;
    esac
    note "verdict: $outcome"
}

# ------------------------------------------------------ 1. udp_pinger

experiment_udp_pinger() {
    heading "1. udp_pinger: $PINGS pings from B to A, $LOSS% loss on each direction of the link"
    note "The server on A loses nothing on purpose (no --loss, no --drop-every): every ping" \
        "lost here was lost on the link. A ping is lost if the ping or its reply is dropped," \
        "so with p = $LOSS% each way the expected round-trip loss is 1 - (1 - p)^2."
    local log_server=$WORK/udp_pinger-server.log log_client=$WORK/udp_pinger-client.log
    start_server "server" "$log_server" "$BIN/udp_pinger" server --host "$ADDR_A" --port "$PING_PORT"
    reset_counters
    local limit
    limit=$(awk -v n="$PINGS" -v t="$PING_TIMEOUT" -v i="$PING_INTERVAL" 'BEGIN { printf "%d", n * (t + i) + 30 }')
    note "B: udp_pinger client --host $ADDR_A --count $PINGS --interval $PING_INTERVAL --timeout $PING_TIMEOUT" \
        "   (about $(awk -v n="$PINGS" -v l="$LOSS" -v t="$PING_TIMEOUT" -v i="$PING_INTERVAL" \
            'BEGIN { q = 1 - (1 - l / 100) ^ 2; printf "%d", n * (i + q * t) + 1 }') s)"
    run_client "$limit" "$log_client" "$BIN/udp_pinger" client --host "$ADDR_A" --port "$PING_PORT" \
        --count "$PINGS" --interval "$PING_INTERVAL" --timeout "$PING_TIMEOUT"
    show_log_ends "B client" "$log_client" 4 3
    stop_pid "$SERVER_PID"
    show_server_rest server "$log_server" 2 2

    local seen_a dropped_a seen_b dropped_b
    seen_a=$(nft_counter "$NS_A" seen)
    dropped_a=$(nft_counter "$NS_A" dropped)
    seen_b=$(nft_counter "$NS_B" seen)
    dropped_b=$(nft_counter "$NS_B" dropped)

    if ((CLIENT_STATUS == 124)); then
        verdict udp_pinger "FAIL: the client did not finish within ${limit}s"
        return
    fi
    local stats sent received late arrived replied
    stats=$(grep -E '^[0-9]+ packets transmitted' "$log_client")
    sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$stats")
    received=$(sed -n 's/^[0-9]* packets transmitted, \([0-9]*\) received.*/\1/p' <<<"$stats")
    late=$(sed -n 's/.*, +\([0-9]*\) late.*/\1/p' <<<"$stats")
    arrived=$(sed -n 's/.*shutting down: received \([0-9]*\),.*/\1/p' "$log_server")
    replied=$(sed -n 's/.*shutting down: .* replied \([0-9]*\).*/\1/p' "$log_server")
    if [[ -z $sent || -z $received || -z $arrived || -z $replied ]] || ((sent == 0)); then
        verdict udp_pinger "FAIL: no statistics from the client (exit $CLIENT_STATUS) or no summary from the server"
        return
    fi
    late=${late:-0}
    local back=$((received + late))     # replies that crossed the link, late or not
    note "" "configured: $LOSS% of the packets arriving at each end are dropped"
    note "pings lost on the way to A:   $(share $((sent - arrived)) "$sent")     expected $LOSS%"
    note "replies lost on the way to B: $(share $((replied - back)) "$replied")     expected $LOSS%"
    ((late > 0)) && note "(late replies, after the ${PING_TIMEOUT}s timeout, count as arrived: $late)"
    # The number lost is a binomial count: unless something is wrong, the
    # measured loss is within 4.5 standard deviations (and one ping) of the
    # expected one.
    local measured expected low high ok
    read -r measured expected low high ok < <(awk -v n="$sent" -v lost="$((sent - back))" -v p="$LOSS" 'BEGIN {
        q = 1 - (1 - p / 100) ^ 2
        m = lost / n
        band = 4.5 * sqrt(q * (1 - q) / n) + 1 / n
        low = q - band < 0 ? 0 : q - band
        high = q + band > 1 ? 1 : q + band
        printf "%.1f %.1f %.1f %.1f %d\n", 100 * m, 100 * q, 100 * low, 100 * high, (m >= low && m <= high)
    }')
    note "round trip: $(share $((sent - back)) "$sent") pings lost     expected $expected% = 1 - (1 - $(awk -v p="$LOSS" 'BEGIN { printf "%.2f", p / 100 }'))^2"
    note "nftables counted: at A $(share "$dropped_a" "$seen_a") dropped, at B $(share "$dropped_b" "$seen_b") dropped" \
        "(every packet arriving at the end)"
    if ((ok)); then
        verdict udp_pinger "OK: $measured% of round trips lost, $expected% expected (anything from $low% to $high% is chance)"
    else
        verdict udp_pinger "FAIL: $measured% of round trips lost, but $expected% expected (chance allows $low% to $high%): is the loss rule in place?"
    fi
}

# ------------------------------------------------------------- 2. ftp

experiment_ftp() {
    heading "2. ftp: put and get a $FILE_MIB MiB file through the link ($LOSS% loss, $RATE)"
    ready ftp || return
    local root=$WORK/a/ftp_root dir=$WORK/b name="netlab-${FILE_MIB}MiB.bin"
    local file copy bytes original
    mkdir -p "$root" "$dir"
    file=$dir/$name
    copy=$dir/$name.copy
    bytes=$((FILE_MIB * 1048576))
    head -c "$bytes" /dev/urandom >"$file"
    original=$(md5sum <"$file" | cut -d' ' -f1)
    note "B has $name: $FILE_MIB MiB of random bytes, md5 $original"
    start_server "ftp" "$WORK/ftp-server.log" "$BIN/ftp" server --host "$ADDR_A" --port "$FTP_PORT" --root "$root"

    local limit
    limit=$(transfer_timeout "$bytes")
    note "B: ftp put $file --digest md5 --host $ADDR_A --port $FTP_PORT" \
        "   (at most ${limit}s; $(awk -v b="$bytes" -v r="$(rate_bits_per_second)" 'BEGIN { printf "%.0f", b * 8 / r }') s at the full rate)"
    reset_counters
    run_client "$limit" "$WORK/ftp-put.log" "$BIN/ftp" put "$file" --digest md5 --host "$ADDR_A" --port "$FTP_PORT"
    show_log_ends "B ftp put" "$WORK/ftp-put.log" 2 3
    local put_status=$CLIENT_STATUS put_seconds=$CLIENT_SECONDS
    local put_lost
    put_lost=$(link_losses)
    if ((put_status != 0)); then
        show_server_rest ftp "$WORK/ftp-server.log" 10 10
        verdict ftp "FAIL: ftp put exited with status $put_status$( ((put_status == 124)) && echo " (out of time)")"
        stop_pid "$SERVER_PID"
        return
    fi
    note "put: $FILE_MIB MiB in ${put_seconds}s = $(throughput "$bytes" "$put_seconds")" \
        "     packets lost: $put_lost"

    # (--digest md5: the lesson's digest, so the one ftp prints is md5sum's.)
    # A put that gave up waiting for the server's confirmation may end before
    # the server has the last bytes: get only once A has the whole file.
    if ! wait_stored "$root" "$name" "$bytes" "$limit"; then
        stop_pid "$SERVER_PID"
        show_server_rest ftp "$WORK/ftp-server.log" 10 10
        verdict ftp "FAIL: ftp put ended, but A never had all $bytes bytes of $name under $root"
        return
    fi

    note "B: ftp get $name -o $copy --digest md5 --host $ADDR_A --port $FTP_PORT"
    reset_counters
    run_client "$limit" "$WORK/ftp-get.log" "$BIN/ftp" get "$name" -o "$copy" --digest md5 --host "$ADDR_A" --port "$FTP_PORT"
    show_log_ends "B ftp get" "$WORK/ftp-get.log" 2 3
    local get_status=$CLIENT_STATUS get_seconds=$CLIENT_SECONDS
    local get_lost
    get_lost=$(link_losses)
    stop_pid "$SERVER_PID"
    show_server_rest ftp "$WORK/ftp-server.log" 3 3
    if ((get_status != 0)); then
        verdict ftp "FAIL: ftp get exited with status $get_status$( ((get_status == 124)) && echo " (out of time)")"
        return
    fi
    note "get: $FILE_MIB MiB in ${get_seconds}s = $(throughput "$bytes" "$get_seconds")" \
        "     packets lost: $get_lost"

    local stored on_a="" fetched
    stored=$(find "$root" -type f -name "$name" | head -n 1)
    [[ -n $stored ]] && on_a=$(md5sum <"$stored" | cut -d' ' -f1)
    fetched=$(md5sum <"$copy" 2>/dev/null | cut -d' ' -f1)
    note "md5: on B before $original; on A after put ${on_a:-(not found under $root)}; on B after get ${fetched:-(no file)}"
    if [[ $fetched != "$original" ]] || [[ -n $on_a && $on_a != "$original" ]]; then
        verdict ftp "FAIL: the file changed on the way (md5 differs)"
        return
    fi
    verdict ftp "OK: md5 identical after put and get; put $(throughput "$bytes" "$put_seconds" | cut -d, -f1), get $(throughput "$bytes" "$get_seconds" | cut -d, -f1)"
}

# ------------------------------------------------------ 3. web_server

experiment_web_server() {
    heading "3. web_server: B fetches from A's web server through the link"
    ready web_server || return
    local www=$WORK/a/www dir=$WORK/b/web mib bytes name original url
    mib=$((FILE_MIB < WEB_MAX_MIB ? FILE_MIB : WEB_MAX_MIB))
    bytes=$((mib * 1048576))
    name="netlab-${mib}MiB.bin"
    mkdir -p "$www" "$dir"
    cat >"$www/HelloWorld.html" <<EOF
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>netlab</title></head>
<body><h1>Hello from host A ($ADDR_A)</h1><p>Fetched by host B across a link with $LOSS% loss and a $RATE limit.</p></body></html>
EOF
    head -c "$bytes" /dev/urandom >"$www/$name"
    original=$(md5sum <"$www/$name" | cut -d' ' -f1)
    start_server "web_server" "$WORK/web-server.log" "$BIN/web_server" server --host "$ADDR_A" --port "$WEB_PORT" --root "$www"
    url="http://$ADDR_A:$WEB_PORT"

    local problems=()
    note "B: web_server client $url/HelloWorld.html -o $dir/HelloWorld.html"
    run_client 60 "$WORK/web-page.log" "$BIN/web_server" client "$url/HelloWorld.html" -o "$dir/HelloWorld.html"
    show_log_ends "B web_server" "$WORK/web-page.log" 1 1
    if ((CLIENT_STATUS != 0)); then
        problems+=("the page: exit status $CLIENT_STATUS")
    elif ! cmp -s "$www/HelloWorld.html" "$dir/HelloWorld.html"; then
        problems+=("the page arrived different")
    else
        note "the page arrived intact ($(wc -c <"$dir/HelloWorld.html") bytes)"
    fi

    note "B: web_server client $url/no-such-page.html"
    run_client 60 "$WORK/web-404.log" "$BIN/web_server" client "$url/no-such-page.html" -o "$dir/404.html"
    show_log_ends "B web_server" "$WORK/web-404.log" 1 1
    grep -q ' 404 ' "$WORK/web-404.log" || problems+=("no 404 for a missing page")

    local limit
    limit=$(transfer_timeout "$bytes")
    note "B: web_server client $url/$name -o $dir/$name   (at most ${limit}s)"
    reset_counters
    run_client "$limit" "$WORK/web-file.log" "$BIN/web_server" client "$url/$name" -o "$dir/$name"
    show_log_ends "B web_server" "$WORK/web-file.log" 1 1
    local fetched
    fetched=$(md5sum <"$dir/$name" 2>/dev/null | cut -d' ' -f1)
    if ((CLIENT_STATUS != 0)); then
        problems+=("the $mib MiB file: exit status $CLIENT_STATUS")
    elif [[ $fetched != "$original" ]]; then
        problems+=("the $mib MiB file arrived different (md5 $fetched, not $original)")
    else
        note "$mib MiB in ${CLIENT_SECONDS}s = $(throughput "$bytes" "$CLIENT_SECONDS"); md5 identical" \
            "packets lost: $(link_losses)"
    fi
    stop_pid "$SERVER_PID"
    show_server_rest web_server "$WORK/web-server.log" 4 2
    if ((${#problems[@]} > 0)); then
        local IFS=';'
        verdict web_server "FAIL: ${problems[*]}"
    else
        verdict web_server "OK: page intact, 404 for a missing page, $mib MiB with md5 identical at $(throughput "$bytes" "$CLIENT_SECONDS" | cut -d, -f1)"
    fi
}

# -------------------------------------------------------------------- main

main() {
    if [[ ${1:-} == --states ]]; then # every TCP state, observed: scripts/tcp-states.sh
        shift; exec bash "$ROOT/scripts/tcp-states.sh" "$@"
    fi
    parse_args "$@"
    require_root
    trap cleanup EXIT
    trap 'on_signal SIGINT' INT
    trap 'on_signal SIGTERM' TERM

    need_command ip iproute2
    if ((CLEAN)); then
        clean_stale
        trap - EXIT
        exit 0
    fi
    need_command tc iproute2

    local started=$EPOCHREALTIME experiment
    bold "netlab: two hosts, a link with $LOSS% loss each way and a $RATE limit; experiments: ${ONLY[*]}"
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/netlab-$$-XXXXXX")
    echo "netlab: work directory $WORK"
    create_host_a
    need_command nft nftables
    build_binaries
    build_lab

    for experiment in "${EXPERIMENTS[@]}"; do
        wanted "$experiment" && "experiment_$experiment"
    done

    heading "Summary"
    local line
    for line in "${RESULTS[@]}"; do
        printf '   %-11s %s\n' "${line%%|*}" "${line#*|}"
    done
    note "in $(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
    exit "$FAILED"
}

main "$@"
