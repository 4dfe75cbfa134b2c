#!/usr/bin/env bash
# The project's benchmarks (DESIGN.md: speed is measured here, not in tests,
# and recorded in docs/BENCHMARKS.md).
#
#   scripts/bench.sh              run every section
#   scripts/bench.sh tcp          run one section
#   scripts/bench.sh --list       list the sections
#   scripts/bench.sh --check tcp  also exit 1 if a target is missed
#   scripts/bench.sh --runs 5 tcp more measured runs per server (default 3)
#
# Rules: every server of a section is measured in the same run, side by side,
# on loopback only; each figure is the median of 3 runs (--runs), the servers
# taking turns run by run so drift hits all of them alike, after one
# unmeasured warm-up run each; every server is started fresh on --port 0 and
# stopped by its own PID.
#
# A section is a function `section_NAME` plus its name in SECTIONS.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
RELEASE=$TARGET_DIR/release

SECTIONS=(tcp)
RUNS=3                  # measured runs per server (--runs); the figure is the median
STARTUP_TIMEOUT=10      # seconds a server may take to print `listening on`
STOP_TIMEOUT=10         # seconds a server may take to exit after SIGTERM

CHECK=0                 # --check: a missed target is a non-zero exit
MISSED=0                # targets missed so far

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
STARTED_PIDS=()
SERVER_STARTS=0

usage() {
    sed -n '2,17s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

# --- processes ---------------------------------------------------------------

# Stops one process we started: SIGTERM, then SIGKILL if it lingers.
# Sets STOP_STATUS to its exit status.
stop_pid() {
    local pid=$1 waited=0
    STOP_STATUS=0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((waited < STOP_TIMEOUT * 10)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "bench: PID $pid did not stop within ${STOP_TIMEOUT}s of SIGTERM; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || STOP_STATUS=$?
    forget_pid "$pid"
}

# Once reaped, a PID may be given to someone else's process: drop it, so the
# cleanup never signals a stranger.
forget_pid() {
    local pid kept=()
    for pid in "${STARTED_PIDS[@]}"; do
        [[ $pid == "$1" ]] || kept+=("$pid")
    done
    STARTED_PIDS=("${kept[@]}")
}

cleanup() {
    local pid
    trap - EXIT INT TERM
    for pid in "${STARTED_PIDS[@]}"; do
        stop_pid "$pid"
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'printf "\nbench: interrupted\n" >&2; exit 130' INT TERM

# Starts a server in the background, its stdout and stderr in $WORK/LABEL.N.log,
# and waits for its `listening on HOST:PORT` line.
# Usage: start_server LABEL COMMAND...
# Sets SERVER_PID, SERVER_ADDR and SERVER_LOG.
start_server() {
    local label=$1 log waited=0
    shift
    # A log of its own per start, created before the server opens it, so the
    # poll below cannot read the address of an earlier run.
    SERVER_STARTS=$((SERVER_STARTS + 1))
    log="$WORK/$label.$SERVER_STARTS.log"
    : >"$log"
    SERVER_LOG=$log
    "$@" >>"$log" 2>&1 &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
    SERVER_ADDR=
    while ((waited < STARTUP_TIMEOUT * 10)); do
        SERVER_ADDR=$(sed -n 's/^listening on \([^ ]*:[0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
        [[ -n $SERVER_ADDR ]] && return 0
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            fail_with_log "$label exited before it printed 'listening on'" "$log"
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    fail_with_log "$label did not print 'listening on' within ${STARTUP_TIMEOUT}s" "$log"
}

fail_with_log() {
    echo "bench: $1; the last lines of its output:" >&2
    tail -n 20 "$2" | sed 's/^/  | /' >&2
    exit 1
}

# --- figures -----------------------------------------------------------------

median() {
    printf '%s\n' "$@" | sort -n |
        awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); printf "%.0f\n", (v[m] + v[NR + 1 - m]) / 2 }'
}
minimum() { printf '%s\n' "$@" | sort -n | head -n 1; }
maximum() { printf '%s\n' "$@" | sort -n | tail -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# Prints PASS or FAIL for one target and counts a miss.
target() {
    local description=$1 measured=$2 wanted=$3
    if at_least "$measured" "$wanted"; then
        echo "PASS  $description: ${measured}x (target ≥ ${wanted}x)"
    else
        echo "FAIL  $description: ${measured}x (target ≥ ${wanted}x)"
        MISSED=$((MISSED + 1))
    fi
}

machine_info() {
    local cpu
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
    echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}"
    echo "kernel:  $(uname -sr)"
    echo "rustc:   $(rustc --version)"
    echo "python:  $(python3 --version 2>&1)"
    echo "commit:  $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
    echo "date:    $(date '+%Y-%m-%d %H:%M %Z')"
}

# Other work on the machine skews every figure; the record should show it.
# (Not the load average: it counts the benchmark's own hundred threads.)
cpu_busy_before() {
    local a b
    read -ra a < <(head -n 1 /proc/stat)
    sleep 1
    read -ra b < <(head -n 1 /proc/stat)
    # Fields after "cpu": user nice system idle iowait irq softirq steal.
    awk -v u="$((b[1] + b[2] + b[3] + b[6] + b[7] + b[8] - a[1] - a[2] - a[3] - a[6] - a[7] - a[8]))" \
        -v i="$((b[4] + b[5] - a[4] - a[5]))" \
        'BEGIN { printf "%.0f%%", 100 * u / (u + i) }'
}

# --- section: tcp ------------------------------------------------------------

TCP_CLIENTS=50
TCP_ROUND_TRIPS=2000
TCP_SIZE=64

# The servers, by label; tcp_server_command prints nothing, it sets TCP_CMD.
TCP_SERVERS=(tcp_server python bare_echo)
tcp_server_command() {
    case $1 in
        tcp_server) TCP_CMD=("$RELEASE/tcp_server" --port 0) ;;
        python) TCP_CMD=(python3 "$ROOT/scripts/peers/tcp_upper_server.py" --port 0) ;;
        bare_echo) TCP_CMD=("$RELEASE/bare_echo" --port 0) ;;
    esac
}

# One run against a fresh server; sets TCP_RPS to its round trips per second.
# (It runs in this shell, not in $(...), so the trap knows every PID.)
tcp_run() {
    local label=$1 out
    tcp_server_command "$label"
    start_server "$label" "${TCP_CMD[@]}"
    if ! out=$("$RELEASE/tcp_load" --addr "$SERVER_ADDR" --clients "$TCP_CLIENTS" \
        --round-trips "$TCP_ROUND_TRIPS" --size "$TCP_SIZE" 2>"$WORK/tcp_load.err"); then
        cat "$WORK/tcp_load.err" >&2
        fail_with_log "tcp_load failed against $label" "$SERVER_LOG"
    fi
    stop_pid "$SERVER_PID"
    # bare_echo has no signal handling: SIGTERM ends it with 143, as it should.
    if [[ $label != bare_echo && $STOP_STATUS -ne 0 ]]; then
        echo "bench: warning: $label exited with status $STOP_STATUS after SIGTERM" >&2
    fi
    TCP_RPS=$(sed -n 's/.*rps=\([0-9][0-9]*\).*/\1/p' <<<"$out")
}

section_tcp() {
    echo "== tcp: round trips per second =="
    echo "command: $INVOCATION"
    echo "workload: tcp_load --clients $TCP_CLIENTS --round-trips $TCP_ROUND_TRIPS --size $TCP_SIZE" \
        "(each round trip: send $TCP_SIZE lowercase bytes, read them back upper-cased, check)"
    (cd "$ROOT" && cargo build --release --quiet -p bench -p tcp_server)
    echo "busy:    $(cpu_busy_before) of the CPUs in the second before the runs (other work skews the figures)"

    local label round i
    declare -A runs=()
    echo -n "warm-up:"
    for label in "${TCP_SERVERS[@]}"; do
        tcp_run "$label"
        echo -n " $label"
    done
    echo
    # Round r starts with server r, so each server takes each place in turn.
    for ((round = 0; round < RUNS; round++)); do
        echo -n "run $((round + 1))/$RUNS:"
        for ((i = 0; i < ${#TCP_SERVERS[@]}; i++)); do
            label=${TCP_SERVERS[(round + i) % ${#TCP_SERVERS[@]}]}
            tcp_run "$label"
            runs[$label]+="$TCP_RPS "
            echo -n " $label=$TCP_RPS"
        done
        echo
    done

    declare -A med=()
    for label in "${TCP_SERVERS[@]}"; do
        # shellcheck disable=SC2086  # the runs are a space-separated list
        med[$label]=$(median ${runs[$label]})
    done
    echo
    echo "| server | round trips/s (median of $RUNS) | min–max | × Python | × bare |"
    echo "|---|---:|---:|---:|---:|"
    for label in "${TCP_SERVERS[@]}"; do
        # shellcheck disable=SC2086
        printf '| %s | %s | %s–%s | %s | %s |\n' "$label" "${med[$label]}" \
            "$(minimum ${runs[$label]})" "$(maximum ${runs[$label]})" \
            "$(ratio "${med[$label]}" "${med[python]}")" "$(ratio "${med[$label]}" "${med[bare_echo]}")"
    done
    echo
    target "tcp_server vs Python" "$(ratio "${med[tcp_server]}" "${med[python]}")" 3
    target "tcp_server vs bare_echo" "$(ratio "${med[tcp_server]}" "${med[bare_echo]}")" 0.90
}

# --- main --------------------------------------------------------------------

main() {
    local wanted=() name
    INVOCATION="scripts/bench.sh${*:+ $*}"
    while (($# > 0)); do
        case $1 in
            --list) printf '%s\n' "${SECTIONS[@]}"; exit 0 ;;
            --check) CHECK=1 ;;
            --runs)
                if [[ ${2:-} =~ ^[1-9][0-9]*$ ]]; then
                    RUNS=$2
                    shift
                else
                    echo "bench: --runs takes a positive number" >&2
                    exit 2
                fi
                ;;
            -h | --help) usage; exit 0 ;;
            -*) echo "bench: unknown option $1" >&2; usage >&2; exit 2 ;;
            *)
                if ! declare -F "section_$1" >/dev/null; then
                    echo "bench: no section '$1' (sections: ${SECTIONS[*]})" >&2
                    exit 2
                fi
                wanted+=("$1")
                ;;
        esac
        shift
    done
    ((${#wanted[@]} > 0)) || wanted=("${SECTIONS[@]}")

    machine_info
    for name in "${wanted[@]}"; do
        echo
        "section_$name"
    done

    if ((MISSED > 0)); then
        echo
        echo "$MISSED target(s) missed."
        ((CHECK == 0)) || exit 1
    fi
}

main "$@"
