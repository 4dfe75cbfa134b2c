#!/usr/bin/env bash
# The project's benchmarks (speed is measured here, never asserted in tests,
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

SECTIONS=(tcp ftp web io_models)
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
# The middle run as it was measured (decimals kept; the lower middle of an
# even count), for CPU seconds and percentages.
middle() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
minimum() { printf '%s\n' "$@" | sort -n | head -n 1; }
maximum() { printf '%s\n' "$@" | sort -n | tail -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# The ratio a target is judged by: three decimals, so that 0.895 is not
# rounded up to a pass of 0.90.
target_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
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
# take_turns RUN RESULT LABEL...: the measuring loop of the tcp and ftp
# sections. One unmeasured warm-up run of each label, then $RUNS rounds in
# which the labels take turns (round r starts with label r, so each takes
# each place, and drift on the machine hits all alike); `RUN LABEL` runs one
# in this shell and leaves its figure in the variable named RESULT. Fills
# RESULTS[label] (the figures, space-separated) and MEDIAN[label].
declare -A RESULTS=() MEDIAN=()
take_turns() {
    local run=$1 result=$2 label round i
    shift 2
    local labels=("$@")
    RESULTS=()
    MEDIAN=()
    echo -n "warm-up:"
    for label in "${labels[@]}"; do
        "$run" "$label"
        echo -n " $label"
    done
    echo
    for ((round = 0; round < RUNS; round++)); do
        echo -n "run $((round + 1))/$RUNS:"
        for ((i = 0; i < ${#labels[@]}; i++)); do
            label=${labels[(round + i) % ${#labels[@]}]}
            "$run" "$label"
            RESULTS[$label]+="${!result} "
            echo -n " $label=${!result}"
        done
        echo
    done
    for label in "${labels[@]}"; do
        # shellcheck disable=SC2086  # the runs are a space-separated list
        MEDIAN[$label]=$(median ${RESULTS[$label]})
    done
}

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

    local label
    take_turns tcp_run TCP_RPS "${TCP_SERVERS[@]}"
    echo
    echo "| server | round trips/s (median of $RUNS) | min–max | × Python | × bare |"
    echo "|---|---:|---:|---:|---:|"
    for label in "${TCP_SERVERS[@]}"; do
        # shellcheck disable=SC2086
        printf '| %s | %s | %s–%s | %s | %s |\n' "$label" "${MEDIAN[$label]}" \
            "$(minimum ${RESULTS[$label]})" "$(maximum ${RESULTS[$label]})" \
            "$(ratio "${MEDIAN[$label]}" "${MEDIAN[python]}")" "$(ratio "${MEDIAN[$label]}" "${MEDIAN[bare_echo]}")"
    done
    echo
    target "tcp_server vs Python" "$(target_ratio "${MEDIAN[tcp_server]}" "${MEDIAN[python]}")" 3
    target "tcp_server vs bare_echo" "$(target_ratio "${MEDIAN[tcp_server]}" "${MEDIAN[bare_echo]}")" 0.90
}

# --- section: ftp ------------------------------------------------------------

FTP_MIB=1024            # the file moved by every throughput run
FTP_RSS_MIB=2048        # the file moved once to measure peak memory
FTP_RSS_LIMIT_KIB=$((32 * 1024))

# What is measured, by label (each run sets FTP_RATE, MiB/s):
#   loopback  the file over a plain loopback socket into /dev/null (examples/raw_copy.rs)
#   raw     the ceiling: the same copy, but written to a file on the served root's disk
#   md5     the other ceiling: md5 of the file in memory, one core (examples/md5_speed.rs)
#   blake3  BLAKE3 of the file in memory, one core (examples/md5_speed.rs FILE blake3)
#   put     ftp put into a fresh ftp server: BLAKE3 agreed, on both ends; trailer, rename
#   get     ftp get from a fresh ftp server: BLAKE3 agreed; the server remembers the
#           file's digest from the warm-up on, so only the client hashes
#   put_md5, get_md5  the same with --digest md5 (what the lesson's programs get)
#   rsync_put, rsync_get  what a user would pick instead: rsync --whole-file to and
#           from an rsync daemon on loopback (xxh128 checksums)
#   python  the lesson's pair: its upload client (a send per line of the file) into
#           its ThreadingTCPServer (recv(8000), print per chunk); no md5 anywhere
FTP_KINDS=(loopback raw md5 blake3 put get put_md5 get_md5 rsync_put rsync_get python)

# An rsync daemon serving $WORK/ftp/rsroot as the module "root" on a free
# loopback port, as this user; sets RSYNC_URL and RSYNC_PID.
rsync_daemon() {
    local dir=$WORK/ftp port waited=0
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    printf '%s\n' "use chroot = no" "uid = $(id -u)" "gid = $(id -g)" "[root]" \
        "    path = $dir/rsroot" "    read only = no" >"$WORK/rsyncd.conf"
    rsync --daemon --no-detach --address 127.0.0.1 --port "$port" --config "$WORK/rsyncd.conf" \
        --log-file "$WORK/rsyncd.log" &
    RSYNC_PID=$!
    STARTED_PIDS+=("$RSYNC_PID")
    RSYNC_URL=rsync://127.0.0.1:$port/root
    until rsync "$RSYNC_URL/" >/dev/null 2>&1; do
        ((waited < 100)) || fail_with_log "the rsync daemon did not answer within 10 s" "$WORK/rsyncd.log"
        sleep 0.1
        waited=$((waited + 1))
    done
}

# Seconds since the epoch, with nanoseconds, and MiB/s for FTP_MIB over a span.
now() { date +%s.%N; }
mib_per_s() { awk -v mib="$FTP_MIB" -v a="$1" -v b="$2" 'BEGIN { printf "%.0f\n", mib / (b - a) }'; }

# Waits (at most 60 s) for TEXT in a log file.
await_log() {
    local text=$1 log=$2 waited=0
    while ! grep -qF -- "$text" "$log"; do
        ((waited < 600)) || fail_with_log "no '$text' within 60 s" "$log"
        sleep 0.1
        waited=$((waited + 1))
    done
}

# CPU seconds of one ftp transfer, by label, one entry a measured run:
# the client's (user + system, from time -f) and the server's (from
# /proc/PID/stat just before it is stopped), and the run's wall time.
declare -A CLIENT_CPU=() SERVER_CPU=() WALL=()
TICKS_PER_S=$(getconf CLK_TCK)

# The server's user + system CPU so far, in seconds.
server_cpu() { awk -v hz="$TICKS_PER_S" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# Runs an ftp client under time -f, noting its CPU seconds in FTP_CLIENT_CPU.
timed_client() {
    /usr/bin/time -f '%U %S' -o "$WORK/client.cpu" "$@" >"$WORK/ftp_client.log" 2>&1 || return 1
    FTP_CLIENT_CPU=$(awk '{ printf "%.2f", $1 + $2 }' "$WORK/client.cpu")
}

# Keeps one transfer's CPU and wall time; only the measured runs (inside
# take_turns' rounds, whose counter `round` bash lets this function see), not
# the warm-up.
note_cpu() {
    local label=$1 server=$2 start=$3 end=$4
    [[ -n ${round:-} ]] || return 0
    CLIENT_CPU[$label]+="$FTP_CLIENT_CPU "
    SERVER_CPU[$label]+="$server "
    WALL[$label]+="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') "
}

ftp_run() {
    local label=$1 dir=$WORK/ftp start end out port digest cpu
    case $label in
        loopback)
            out=$("$RELEASE/examples/raw_copy" "$dir/src.bin" /dev/null)
            FTP_RATE=$(sed -n 's/.*mib_per_s=\([0-9][0-9]*\).*/\1/p' <<<"$out")
            ;;
        raw)
            out=$("$RELEASE/examples/raw_copy" "$dir/src.bin" "$dir/raw.bin")
            rm -f "$dir/raw.bin"
            FTP_RATE=$(sed -n 's/.*mib_per_s=\([0-9][0-9]*\).*/\1/p' <<<"$out")
            ;;
        md5 | blake3)
            out=$("$RELEASE/examples/md5_speed" "$dir/src.bin" "$label")
            FTP_RATE=$(sed -n 's/.*mib_per_s=\([0-9][0-9]*\).*/\1/p' <<<"$out")
            ;;
        put | put_md5)
            digest=blake3
            [[ $label == put_md5 ]] && digest=md5
            start_server ftp "$RELEASE/ftp" server --root "$dir/root" --port 0
            port=${SERVER_ADDR##*:}
            start=$(now)
            timed_client "$RELEASE/ftp" put "$dir/src.bin" --as put.bin --digest "$digest" --port "$port" ||
                fail_with_log "ftp put failed" "$WORK/ftp_client.log"
            end=$(now)
            cpu=$(server_cpu "$SERVER_PID")
            stop_pid "$SERVER_PID"
            note_cpu "$label" "$cpu" "$start" "$end"
            grep -q "server: stored put.bin (.*$digest" "$WORK/ftp_client.log" ||
                fail_with_log "the server did not confirm the put with $digest" "$WORK/ftp_client.log"
            rm -f "$dir/root/put.bin"
            FTP_RATE=$(mib_per_s "$start" "$end")
            ;;
        get | get_md5)
            digest=blake3
            [[ $label == get_md5 ]] && digest=md5
            start_server ftp "$RELEASE/ftp" server --root "$dir/root" --port 0
            port=${SERVER_ADDR##*:}
            start=$(now)
            timed_client "$RELEASE/ftp" get get.bin -o "$dir/got.bin" --digest "$digest" --port "$port" ||
                fail_with_log "ftp get failed" "$WORK/ftp_client.log"
            end=$(now)
            cpu=$(server_cpu "$SERVER_PID")
            stop_pid "$SERVER_PID"
            note_cpu "$label" "$cpu" "$start" "$end"
            grep -q "$digest [0-9a-f]* verified" "$WORK/ftp_client.log" ||
                fail_with_log "the get was not verified with $digest" "$WORK/ftp_client.log"
            rm -f "$dir/got.bin"
            FTP_RATE=$(mib_per_s "$start" "$end")
            ;;
        rsync_put)
            start=$(now)
            rsync --whole-file "$dir/src.bin" "$RSYNC_URL/put.bin" ||
                fail_with_log "rsync put failed" "$WORK/rsyncd.log"
            end=$(now)
            cmp -s "$dir/src.bin" "$dir/rsroot/put.bin" || fail_with_log "rsync put differs" "$WORK/rsyncd.log"
            rm -f "$dir/rsroot/put.bin"
            FTP_RATE=$(mib_per_s "$start" "$end")
            ;;
        rsync_get)
            start=$(now)
            rsync --whole-file "$RSYNC_URL/get.bin" "$dir/rsgot.bin" ||
                fail_with_log "rsync get failed" "$WORK/rsyncd.log"
            end=$(now)
            rm -f "$dir/rsgot.bin"
            FTP_RATE=$(mib_per_s "$start" "$end")
            ;;
        python)
            start_server python python3 "$ROOT/scripts/peers/ftp_lesson_server.py" --port 0 --root "$dir/pyroot"
            port=${SERVER_ADDR##*:}
            start=$(now)
            printf 'put %s\n' "$dir/src.bin" |
                python3 "$ROOT/scripts/peers/ftp_lesson_client.py" --port "$port" >/dev/null
            await_log "stored src.bin" "$SERVER_LOG"
            end=$(now)
            stop_pid "$SERVER_PID"
            rm -f "$dir/pyroot/src.bin"
            FTP_RATE=$(mib_per_s "$start" "$end")
            ;;
    esac
    # Each run starts with no dirty pages left by the one before: the kernel
    # writing those back would slow whichever run came next.
    sync
}

# Peak RSS (KiB) from the `Maximum resident set size` line of time -v.
max_rss() { sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$1" | tail -n 1; }

# Prints PASS or FAIL for an upper bound and counts a miss.
at_most() {
    local description=$1 measured=$2 limit=$3 unit=$4
    if ((measured <= limit)); then
        echo "PASS  $description: $measured $unit (target ≤ $limit $unit)"
    else
        echo "FAIL  $description: $measured $unit (target ≤ $limit $unit)"
        MISSED=$((MISSED + 1))
    fi
}

# One put and one get of a FTP_RSS_MIB file, server and clients under
# /usr/bin/time -v; sets RSS_SERVER, RSS_PUT, RSS_GET (KiB).
ftp_memory() {
    local dir=$WORK/ftp timed child port
    head -c "${FTP_RSS_MIB}M" /dev/urandom >"$dir/rss.bin"
    sync
    start_server ftp_rss /usr/bin/time -v "$RELEASE/ftp" server --root "$dir/rssroot" --port 0
    timed=$SERVER_PID
    child=$(awk '{ print $1 }' "/proc/$timed/task/$timed/children" 2>/dev/null)
    [[ -n $child ]] || fail_with_log "cannot find the server under time -v" "$SERVER_LOG"
    port=${SERVER_ADDR##*:}
    /usr/bin/time -v -o "$WORK/put.time" "$RELEASE/ftp" put "$dir/rss.bin" --port "$port" \
        >"$WORK/ftp_client.log" 2>&1 || fail_with_log "the big put failed" "$WORK/ftp_client.log"
    /usr/bin/time -v -o "$WORK/get.time" "$RELEASE/ftp" get rss.bin -o "$dir/rss.got" --port "$port" \
        >"$WORK/ftp_client.log" 2>&1 || fail_with_log "the big get failed" "$WORK/ftp_client.log"
    # SIGTERM to the server itself: time -v then reports and exits.
    kill -TERM "$child"
    wait "$timed" 2>/dev/null || true
    forget_pid "$timed"
    RSS_SERVER=$(max_rss "$SERVER_LOG")
    RSS_PUT=$(max_rss "$WORK/put.time")
    RSS_GET=$(max_rss "$WORK/get.time")
    rm -rf "$dir/rss.bin" "$dir/rss.got" "$dir/rssroot"
}

section_ftp() {
    echo "== ftp: file transfer, MiB/s and peak memory =="
    echo "command: $INVOCATION"
    echo "workload: one ${FTP_MIB} MiB file of random bytes, on the same disk as the served root"
    [[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time is missing (Debian: apt-get install time)" >&2; exit 1; }
    (cd "$ROOT" && cargo build --release --quiet -p ftp --bin ftp --examples)
    if ! command -v rsync >/dev/null 2>&1; then
        # shellcheck source-path=SCRIPTDIR source=lib/apt.sh
        source "$ROOT/scripts/lib/apt.sh"
        apt_install bench rsync
    fi
    echo "rsync:   $(rsync --version | head -n 1)"
    local dir=$WORK/ftp label
    mkdir -p "$dir/root" "$dir/pyroot" "$dir/rsroot"
    head -c "${FTP_MIB}M" /dev/urandom >"$dir/src.bin"
    ln "$dir/src.bin" "$dir/root/get.bin"
    ln "$dir/src.bin" "$dir/rsroot/get.bin"
    sync
    rsync_daemon
    echo "busy:    $(cpu_busy_before) of the CPUs in the second before the runs (other work skews the figures)"

    take_turns ftp_run FTP_RATE "${FTP_KINDS[@]}"
    local ceiling=${MEDIAN[raw]}
    ((MEDIAN[md5] < ceiling)) && ceiling=${MEDIAN[md5]}
    echo
    echo "| what | MiB/s (median of $RUNS) | min–max | × Python | × min(raw, md5) |"
    echo "|---|---:|---:|---:|---:|"
    for label in "${FTP_KINDS[@]}"; do
        # shellcheck disable=SC2086
        printf '| %s | %s | %s–%s | %s | %s |\n' "$label" "${MEDIAN[$label]}" \
            "$(minimum ${RESULTS[$label]})" "$(maximum ${RESULTS[$label]})" \
            "$(ratio "${MEDIAN[$label]}" "${MEDIAN[python]}")" "$(ratio "${MEDIAN[$label]}" "$ceiling")"
    done
    echo
    target "ftp put (BLAKE3) vs raw" "$(target_ratio "${MEDIAN[put]}" "${MEDIAN[raw]}")" 0.80
    target "ftp get (BLAKE3) vs raw" "$(target_ratio "${MEDIAN[get]}" "${MEDIAN[raw]}")" 0.80
    target "ftp put (BLAKE3) vs rsync" "$(target_ratio "${MEDIAN[put]}" "${MEDIAN[rsync_put]}")" 1.0
    target "ftp get (BLAKE3) vs rsync" "$(target_ratio "${MEDIAN[get]}" "${MEDIAN[rsync_get]}")" 1.0
    target "ftp put --digest md5 vs md5" "$(target_ratio "${MEDIAN[put_md5]}" "${MEDIAN[md5]}")" 0.70
    target "ftp get --digest md5 vs md5" "$(target_ratio "${MEDIAN[get_md5]}" "${MEDIAN[md5]}")" 0.85
    target "ftp put vs the lesson's Python pair" "$(target_ratio "${MEDIAN[put]}" "${MEDIAN[python]}")" 10
    target "ftp get vs the lesson's Python pair" "$(target_ratio "${MEDIAN[get]}" "${MEDIAN[python]}")" 10

    echo
    echo "CPU of each transfer (middle runs): what the two ends spent, against the wall time. On"
    echo "two CPUs a transfer takes at least half of the two ends' CPU together, and at least one"
    echo "pass of its digest over the file on one CPU (each end hashes in order): the floor is"
    echo "the larger. 'wall ÷ floor' near 1.00 means the transfer ran as fast as this machine can."
    echo "| what | wall s | client CPU s | server CPU s | one digest pass s | floor on 2 CPUs s | wall ÷ floor |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    local wall client server floor pass
    for label in put get put_md5 get_md5; do
        case $label in
            *_md5) pass=$(awk -v r="${MEDIAN[md5]}" -v mib="$FTP_MIB" 'BEGIN { printf "%.2f", mib / r }') ;;
            *) pass=$(awk -v r="${MEDIAN[blake3]}" -v mib="$FTP_MIB" 'BEGIN { printf "%.2f", mib / r }') ;;
        esac
        # shellcheck disable=SC2086
        wall=$(middle ${WALL[$label]})
        # shellcheck disable=SC2086
        client=$(middle ${CLIENT_CPU[$label]})
        # shellcheck disable=SC2086
        server=$(middle ${SERVER_CPU[$label]})
        floor=$(awk -v c="$client" -v s="$server" -v p="$pass" \
            'BEGIN { f = (c + s) / 2; if (p > f) f = p; printf "%.2f", f }')
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$wall" "$client" "$server" "$pass" \
            "$floor" "$(ratio "$wall" "$floor")"
    done

    echo
    echo "memory: one put and one get of a ${FTP_RSS_MIB} MiB file, each process under /usr/bin/time -v"
    ftp_memory
    echo "| process | peak RSS (KiB) |"
    echo "|---|---:|"
    echo "| ftp server (both transfers) | $RSS_SERVER |"
    echo "| ftp put | $RSS_PUT |"
    echo "| ftp get | $RSS_GET |"
    echo
    at_most "ftp server peak RSS" "$RSS_SERVER" "$FTP_RSS_LIMIT_KIB" KiB
    at_most "ftp put peak RSS" "$RSS_PUT" "$FTP_RSS_LIMIT_KIB" KiB
    at_most "ftp get peak RSS" "$RSS_GET" "$FTP_RSS_LIMIT_KIB" KiB
    stop_pid "$RSYNC_PID"
    rm -rf "$dir"
}

# --- section: web ------------------------------------------------------------

# The issue's load: wrk -t2 -c64 -d10s, keep-alive (wrk's default), 2 client
# threads and 64 connections. A 64 MiB response can take longer than wrk's
# default 2 s timeout when 64 of them share the link, hence --timeout.
WEB_LOAD=(-t2 -c64 -d10s --timeout 30s)
WEB_WARMUP=(-t2 -c64 -d2s --timeout 30s)
WEB_FILES=(1k.bin 100k.bin 64m.bin)
# Compared by download throughput (MiB/s), as the issue names it; the other
# files by requests per second. (wrk prints a 64 MiB file's requests per
# second as a whole number, about 25: too coarse to compare.)
WEB_BY_THROUGHPUT=(64m.bin)
WEB_SERVERS=(web_server nginx python)
# The ceiling (crates/bench/src/bin/http_ceiling.rs): one epoll loop per CPU
# answering every request with the same bytes from memory, no file, no
# parsing past the blank line, no log. Run on the small files only, where
# the cost per request is what is measured, with a body of the file's size.
WEB_CEILING_FILES=(1k.bin 100k.bin)

# The servers measured on FILE, in the order they take turns.
web_servers_for() {
    if [[ " ${WEB_CEILING_FILES[*]} " == *" $1 "* ]]; then
        echo "${WEB_SERVERS[*]} ceiling"
    else
        echo "${WEB_SERVERS[*]}"
    fi
}

# The served directory: the same three files for every server, readable by
# nginx's workers (which drop root for `nobody`).
web_site() {
    local www=$WORK/www
    mkdir -p "$www"
    head -c 1024 /dev/urandom >"$www/1k.bin"
    head -c 102400 /dev/urandom >"$www/100k.bin"
    head -c 64M /dev/urandom >"$www/64m.bin"
    chmod 755 "$WORK" "$www"
    chmod 644 "$www"/*
}

# A free loopback port, for nginx, which cannot listen on port 0 and tell.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts a server that does not print `listening on` and waits (at most
# STARTUP_TIMEOUT) until `sed -n SCRIPT` finds its port in its log, or until
# PORT accepts connections when the port is known beforehand.
# Usage: web_start_other LABEL PORT|'' SED_SCRIPT COMMAND...
# Sets SERVER_PID, SERVER_ADDR and SERVER_LOG, as start_server does.
web_start_other() {
    local label=$1 port=$2 script=$3 log waited=0
    shift 3
    SERVER_STARTS=$((SERVER_STARTS + 1))
    log="$WORK/$label.$SERVER_STARTS.log"
    : >"$log"
    SERVER_LOG=$log
    "$@" >>"$log" 2>&1 &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
    while ((waited < STARTUP_TIMEOUT * 10)); do
        [[ -n $port ]] || port=$(sed -n "$script" "$log" | head -n 1)
        if [[ -n $port ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            SERVER_ADDR=127.0.0.1:$port
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || fail_with_log "$label exited before it served" "$log"
        sleep 0.1
        waited=$((waited + 1))
    done
    fail_with_log "$label did not start within ${STARTUP_TIMEOUT}s" "$log"
}

# Usage: web_start LABEL FILE (the ceiling answers with FILE's size of body)
web_start() {
    local port dir=$WORK/nginx
    case $1 in
        ceiling)
            start_server ceiling "$RELEASE/http_ceiling" --port 0 \
                --body-size "$(stat -c %s "$WORK/www/$2")"
            ;;
        web_server)
            start_server web_server "$RELEASE/web_server" server --root "$WORK/www" --port 0 --quiet
            ;;
        python)
            # Exactly `python3 -m http.server`; -u so its first line is not buffered.
            web_start_other python '' 's/^Serving HTTP on .* port \([0-9][0-9]*\) .*/\1/p' \
                python3 -u -m http.server --bind 127.0.0.1 --directory "$WORK/www" 0
            ;;
        nginx)
            port=$(free_port)
            mkdir -p "$dir/tmp"
            cat >"$dir/nginx.conf" <<CONF
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    default_type application/octet-stream;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $WORK/www;
    }
}
CONF
            web_start_other nginx "$port" '' "$NGINX" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
            ;;
    esac
}

# The web_server's own peak memory, from the summary it prints at exit.
web_peak_mib() {
    sed -n 's/.*; peak memory \([0-9][0-9]*\) MiB$/\1/p' "$SERVER_LOG" | tail -n 1
}

# One wrk run against a fresh server; sets WEB_RPS (requests/s), WEB_MIBS
# (MiB/s read) and, for web_server, WEB_PEAK (MiB).
web_run() {
    local label=$1 file=$2 out mib unit
    shift 2
    web_start "$label" "$file"
    if ! out=$(wrk "$@" "http://$SERVER_ADDR/$file" 2>&1); then
        echo "$out" >&2
        fail_with_log "wrk failed against $label" "$SERVER_LOG"
    fi
    stop_pid "$SERVER_PID"
    if [[ $label == web_server && $STOP_STATUS -ne 0 ]]; then
        echo "bench: warning: web_server exited with status $STOP_STATUS after SIGTERM" >&2
    fi
    # Errors are shown, not hidden: a figure made of failures is no figure.
    if grep -Eq 'Socket errors|Non-2xx' <<<"$out"; then
        echo >&2
        grep -E 'Socket errors|Non-2xx' <<<"$out" | sed "s/^ */bench: $label $file: /" >&2
    fi
    WEB_RPS=$(sed -n 's/^Requests\/sec: *\([0-9][0-9]*\).*/\1/p' <<<"$out")
    read -r mib unit < <(sed -n 's/^Transfer\/sec: *\([0-9.]*\)\([KMG]B\).*/\1 \2/p' <<<"$out")
    WEB_MIBS=$(awk -v v="$mib" -v u="$unit" \
        'BEGIN { f = (u == "GB") ? 1024 : (u == "KB") ? 1 / 1024 : 1; printf "%.0f\n", v * f }')
    WEB_PEAK=
    [[ $label != web_server ]] || WEB_PEAK=$(web_peak_mib)
}

section_web() {
    echo "== web: static files over HTTP/1.1 keep-alive (wrk) =="
    echo "command: $INVOCATION"
    echo "workload: wrk ${WEB_LOAD[*]} http://ADDR/FILE for FILE in ${WEB_FILES[*]} (random bytes);" \
        "warm-up wrk ${WEB_WARMUP[*]}"
    bash "$ROOT/scripts/web-test-deps.sh" wrk nginx
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
    echo "servers: web_server --quiet (no access log); $("$NGINX" -v 2>&1) (sendfile on," \
        "access_log off, worker_processes auto); python3 -m http.server;" \
        "ceiling: http_ceiling --body-size SIZE on ${WEB_CEILING_FILES[*]}"
    (cd "$ROOT" && cargo build --release --quiet -p web_server -p bench)
    web_site
    echo "busy:    $(cpu_busy_before) of the CPUs in the second before the runs (other work skews the figures)"

    local file label round i servers
    declare -A rps=() mibs=() med=() med_mib=() peak=()
    for file in "${WEB_FILES[@]}"; do
        read -ra servers <<<"$(web_servers_for "$file")"
        echo
        echo "-- $file --"
        echo -n "warm-up:"
        for label in "${servers[@]}"; do
            web_run "$label" "$file" "${WEB_WARMUP[@]}"
            echo -n " $label"
        done
        echo
        for ((round = 0; round < RUNS; round++)); do
            echo -n "run $((round + 1))/$RUNS:"
            for ((i = 0; i < ${#servers[@]}; i++)); do
                label=${servers[(round + i) % ${#servers[@]}]}
                web_run "$label" "$file" "${WEB_LOAD[@]}"
                rps[$label.$file]+="$WEB_RPS "
                mibs[$label.$file]+="$WEB_MIBS "
                [[ -z $WEB_PEAK ]] || peak[$file]+="$WEB_PEAK "
                echo -n " $label=${WEB_RPS}req/s,${WEB_MIBS}MiB/s"
            done
            echo
        done
        for label in "${servers[@]}"; do
            # shellcheck disable=SC2086  # the runs are a space-separated list
            med[$label.$file]=$(median ${rps[$label.$file]})
            # shellcheck disable=SC2086
            med_mib[$label.$file]=$(median ${mibs[$label.$file]})
        done
    done

    # What each server is compared by: requests/s, or MiB/s for a download.
    declare -A cmp=()
    for file in "${WEB_FILES[@]}"; do
        read -ra servers <<<"$(web_servers_for "$file")"
        for label in "${servers[@]}"; do
            if [[ " ${WEB_BY_THROUGHPUT[*]} " == *" $file "* ]]; then
                cmp[$label.$file]=${med_mib[$label.$file]}
            else
                cmp[$label.$file]=${med[$label.$file]}
            fi
        done
    done

    echo
    echo "(× nginx and × python compare requests/s, except for ${WEB_BY_THROUGHPUT[*]}: MiB/s)"
    echo "| file | server | requests/s (median of $RUNS) | min–max | MiB/s | × nginx | × python | × ceiling |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    local of_ceiling
    for file in "${WEB_FILES[@]}"; do
        read -ra servers <<<"$(web_servers_for "$file")"
        for label in "${servers[@]}"; do
            of_ceiling=–
            [[ -z ${cmp[ceiling.$file]:-} ]] || of_ceiling=$(ratio "${cmp[$label.$file]}" "${cmp[ceiling.$file]}")
            # shellcheck disable=SC2086
            printf '| %s | %s | %s | %s–%s | %s | %s | %s | %s |\n' "$file" "$label" \
                "${med[$label.$file]}" "$(minimum ${rps[$label.$file]})" "$(maximum ${rps[$label.$file]})" \
                "${med_mib[$label.$file]}" \
                "$(ratio "${cmp[$label.$file]}" "${cmp[nginx.$file]}")" \
                "$(ratio "${cmp[$label.$file]}" "${cmp[python.$file]}")" "$of_ceiling"
        done
    done
    echo
    echo "web_server peak memory per run (MiB, from its exit summary):"
    for file in "${WEB_FILES[@]}"; do
        echo "  $file: ${peak[$file]}"
    done
    echo
    for file in "${WEB_FILES[@]}"; do
        target "web_server vs nginx, $file" "$(target_ratio "${cmp[web_server.$file]}" "${cmp[nginx.$file]}")" 1.0
    done
    # The 20x is for requests per second. A 64 MiB download is bounded by
    # the copy into wrk on the same two cores, which Python reaches too.
    for file in 1k.bin 100k.bin; do
        target "web_server vs python3 -m http.server, $file" \
            "$(target_ratio "${med[web_server.$file]}" "${med[python.$file]}")" 20
    done
    # How close to the limit, measured in the same run (requests/s).
    target "web_server vs ceiling at 1 KiB" "$(target_ratio "${med[web_server.1k.bin]}" "${med[ceiling.1k.bin]}")" 0.9
    echo "      nginx vs ceiling at 1 KiB: $(ratio "${med[nginx.1k.bin]}" "${med[ceiling.1k.bin]}")x"
    for file in "${WEB_CEILING_FILES[@]}"; do
        [[ $file != 1k.bin ]] || continue
        echo "      web_server vs ceiling, $file: $(ratio "${med[web_server.$file]}" "${med[ceiling.$file]}")x;" \
            "nginx vs ceiling, $file: $(ratio "${med[nginx.$file]}" "${med[ceiling.$file]}")x"
    done
}

# --- section: io_models --------------------------------------------------------

# The five I/O models of lesson 004 (crates/io_models), side by side with
# tcp_load: at each connection count, min(count, 50) clients do round trips
# and the rest are held idle (opened first, checked still open at the end).
# select stops below its FD_SETSIZE limit; blocking serves one client at a
# time and sigio is UDP, so neither is in this TCP table.
IO_MODELS=(threads nonblocking select poll epoll uring tokio bare_echo)
IO_CONNECTIONS=(1 10 50 100 1000 10000)
IO_ACTIVE=50
IO_ROUND_TRIPS=50000    # per run, shared among the active clients
IO_SIZE=64
IO_IDLE_HOLD=3          # seconds the idle-only run holds its 50 connections
IO_SELECT_MAX=1000      # the largest count select is run at (FD_SETSIZE 1024)
IO_CHART=docs/io_models.svg
# The runs the targets compare, again with the server and tcp_load both on
# one CPU (taskset -c 1). On this virtual machine a thread woken from
# another CPU that was idle waits for the hypervisor to wake that CPU:
# measured below, one client's round trips with bare_echo on the same CPU
# and across the two. A one-thread server (epoll, uring) sleeps in its wait
# between batches, so nearly every round trip pays that wake; a thread per
# client keeps both CPUs busy and pays it less. On one CPU no wake crosses
# CPUs, and what is left is each model's own cost.
IO_PINNED_MODELS=(epoll uring threads bare_echo)
IO_PINNED_CONNECTIONS=(50 10000)
IO_PIN_SERVER=()        # (taskset -c N) for the pinned runs
IO_PIN_LOAD=()

io_start() {
    case $1 in
        bare_echo) start_server bare_echo "${IO_PIN_SERVER[@]}" "$RELEASE/bare_echo" --port 0 --backlog 4096 ;;
        *) start_server "$1" "${IO_PIN_SERVER[@]}" "$RELEASE/io_models" "$1" --port 0 ;;
    esac
}

# One run: a fresh server, tcp_load with CONNECTIONS; sets IO_RPS, IO_CPU
# (server CPU seconds per 100,000 round trips) and IO_RSS (peak KiB).
io_run() {
    local label=$1 conns=$2 active idle out
    active=$((conns < IO_ACTIVE ? conns : IO_ACTIVE))
    idle=$((conns - active))
    io_start "$label"
    if ! out=$("${IO_PIN_LOAD[@]}" "$RELEASE/tcp_load" --addr "$SERVER_ADDR" --clients "$active" \
        --round-trips "$((IO_ROUND_TRIPS / active))" --size "$IO_SIZE" --idle "$idle" \
        --server-pid "$SERVER_PID" 2>"$WORK/tcp_load.err"); then
        cat "$WORK/tcp_load.err" >&2
        fail_with_log "tcp_load failed against $label at $conns connections" "$SERVER_LOG"
    fi
    stop_pid "$SERVER_PID"
    if [[ $label != bare_echo && $STOP_STATUS -ne 0 ]]; then
        echo "bench: warning: $label exited with status $STOP_STATUS after SIGTERM" >&2
    fi
    IO_RPS=$(sed -n 's/.*rps=\([0-9][0-9]*\).*/\1/p' <<<"$out")
    IO_CPU=$(awk -v line="$out" 'BEGIN {
        n = split(line, f, " "); for (i = 1; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
        printf "%.2f\n", v["server_cpu_seconds"] * 100000 / v["round_trips"] }')
    IO_RSS=$(sed -n 's/.*server_peak_rss_kib=\([0-9][0-9]*\).*/\1/p' <<<"$out")
}

# 50 idle connections, no active one, for IO_IDLE_HOLD seconds; sets
# IO_IDLE_CPU to the server's CPU use in percent of one core.
io_idle_run() {
    local label=$1 out
    io_start "$label"
    out=$("$RELEASE/tcp_load" --addr "$SERVER_ADDR" --clients 0 --idle 50 --hold "$IO_IDLE_HOLD" \
        --server-pid "$SERVER_PID" 2>"$WORK/tcp_load.err") ||
        fail_with_log "tcp_load (idle) failed against $label" "$SERVER_LOG"
    stop_pid "$SERVER_PID"
    IO_IDLE_CPU=$(awk -v line="$out" -v hold="$IO_IDLE_HOLD" 'BEGIN {
        match(line, /server_cpu_seconds=[0-9.]+/); split(substr(line, RSTART, RLENGTH), kv, "=")
        printf "%.1f\n", 100 * kv[2] / hold }')
}

io_skipped() { [[ $1 == select ]] && (($2 > IO_SELECT_MAX)); }

section_io_models() {
    echo "== io_models: the five I/O models, active and idle connections =="
    echo "command: $INVOCATION"
    echo "workload: at each count C of ${IO_CONNECTIONS[*]}: min(C, $IO_ACTIVE) clients share" \
        "$IO_ROUND_TRIPS round trips of $IO_SIZE bytes (tcp_load, checked), the other C - $IO_ACTIVE" \
        "connections opened first and held idle; server CPU from /proc/PID/stat over the timed part," \
        "peak RSS from VmHWM; select stops at $IO_SELECT_MAX (FD_SETSIZE 1024)"
    (cd "$ROOT" && cargo build --release --quiet -p bench -p io_models)
    ulimit -n "$(ulimit -Hn)"
    echo "limits:  open files $(ulimit -n) (tcp_load and the servers; io_models raises its own soft limit)"
    echo "busy:    $(cpu_busy_before) of the CPUs in the second before the runs (other work skews the figures)"

    local label conns round i n=${#IO_MODELS[@]}
    declare -A rps=() cpu=() rss=() idle=()
    echo -n "warm-up (50 connections):"
    for label in "${IO_MODELS[@]}"; do
        io_run "$label" 50
        echo -n " $label"
    done
    echo
    for conns in "${IO_CONNECTIONS[@]}"; do
        for ((round = 0; round < RUNS; round++)); do
            echo -n "$conns connections, run $((round + 1))/$RUNS:"
            for ((i = 0; i < n; i++)); do
                label=${IO_MODELS[(round + i) % n]}
                io_skipped "$label" "$conns" && continue
                io_run "$label" "$conns"
                rps[$label.$conns]+="$IO_RPS "
                cpu[$label.$conns]+="$IO_CPU "
                rss[$label.$conns]+="$IO_RSS "
                echo -n " $label=$IO_RPS"
            done
            echo
        done
    done
    echo -n "idle (50 connections, 0 active, ${IO_IDLE_HOLD} s), CPU % of a core:"
    for ((round = 0; round < RUNS; round++)); do
        for ((i = 0; i < n; i++)); do
            label=${IO_MODELS[(round + i) % n]}
            io_idle_run "$label"
            idle[$label]+="$IO_IDLE_CPU "
        done
    done
    echo

    # The pinned runs: server and tcp_load on CPU 1; then the wake cost.
    declare -A prps=() pcpu=() wake=()
    local pinned=false np=${#IO_PINNED_MODELS[@]} where
    if (($(nproc) >= 2)) && command -v taskset >/dev/null 2>&1; then
        pinned=true
        IO_PIN_SERVER=(taskset -c 1)
        IO_PIN_LOAD=(taskset -c 1)
        for conns in "${IO_PINNED_CONNECTIONS[@]}"; do
            for ((round = 0; round < RUNS; round++)); do
                echo -n "one CPU, $conns connections, run $((round + 1))/$RUNS:"
                for ((i = 0; i < np; i++)); do
                    label=${IO_PINNED_MODELS[(round + i) % np]}
                    io_run "$label" "$conns"
                    prps[$label.$conns]+="$IO_RPS "
                    pcpu[$label.$conns]+="$IO_CPU "
                    echo -n " $label=$IO_RPS"
                done
                echo
            done
        done
        echo -n "wake cost, bare_echo, 1 client:"
        for ((round = 0; round < RUNS; round++)); do
            for where in same across; do
                IO_PIN_SERVER=(taskset -c 1)
                if [[ $where == same ]]; then IO_PIN_LOAD=(taskset -c 1); else IO_PIN_LOAD=(taskset -c 0); fi
                IO_ROUND_TRIPS=5000 io_run bare_echo 1 # a few seconds even at a wake per trip
                wake[$where]+="$IO_RPS "
                echo -n " $where=$IO_RPS"
            done
        done
        echo
        IO_PIN_SERVER=()
        IO_PIN_LOAD=()
    else
        echo "pinned runs skipped: they need 2 CPUs and taskset"
    fi

    declare -A med=()
    local figures=$WORK/io_figures.txt
    : >"$figures"
    echo
    echo "| connections (active + idle) | model | round trips/s (median of $RUNS) | min–max | server CPU s per 100k round trips (median) | peak RSS KiB (median) |"
    echo "|---|---|---:|---:|---:|---:|"
    for conns in "${IO_CONNECTIONS[@]}"; do
        for label in "${IO_MODELS[@]}"; do
            if io_skipped "$label" "$conns"; then
                printf '| %s | %s | — (past FD_SETSIZE) | | | |\n' "$conns" "$label"
                continue
            fi
            # shellcheck disable=SC2086  # the runs are space-separated lists
            med[$label.$conns]=$(median ${rps[$label.$conns]})
            # shellcheck disable=SC2086
            printf '| %s | %s | %s | %s–%s | %s | %s |\n' \
                "$((conns < IO_ACTIVE ? conns : IO_ACTIVE)) + $((conns > IO_ACTIVE ? conns - IO_ACTIVE : 0))" \
                "$label" "${med[$label.$conns]}" "$(minimum ${rps[$label.$conns]})" "$(maximum ${rps[$label.$conns]})" \
                "$(middle ${cpu[$label.$conns]})" \
                "$(median ${rss[$label.$conns]})"
            echo "$label $conns ${med[$label.$conns]}" >>"$figures"
        done
    done
    echo
    echo "| model | CPU % of a core, 50 idle connections, 0 active (median of $RUNS; runs) |"
    echo "|---|---:|"
    for label in "${IO_MODELS[@]}"; do
        # shellcheck disable=SC2086
        printf '| %s | %s (%s) |\n' "$label" \
            "$(middle ${idle[$label]})" \
            "$(echo ${idle[$label]})"
    done
    echo
    "$RELEASE/plot_io_models" --input "$figures" --output "$ROOT/$IO_CHART"
    echo "chart: $IO_CHART (round trips/s against connections, log scales)"
    echo
    target "epoll at 10000 connections vs epoll at 100" "$(target_ratio "${med[epoll.10000]}" "${med[epoll.100]}")" 0.80
    target "epoll vs threads at 10000 connections" "$(target_ratio "${med[epoll.10000]}" "${med[threads.10000]}")" 2
    target "epoll vs bare_echo at 50 connections" "$(target_ratio "${med[epoll.50]}" "${med[bare_echo.50]}")" 0.90
    target "uring vs bare_echo at 50 connections" "$(target_ratio "${med[uring.50]}" "${med[bare_echo.50]}")" 0.90
    $pinned || return 0

    declare -A pmed=()
    echo
    # shellcheck disable=SC2086  # the runs are space-separated lists
    echo "The cost of a wake across CPUs: one client (tcp_load, 1 connection) and bare_echo," \
        "both on CPU 1: $(median ${wake[same]}) round trips/s; tcp_load on CPU 0, bare_echo on CPU 1:" \
        "$(median ${wake[across]}) round trips/s (medians of $RUNS; runs: ${wake[same]}/ ${wake[across]})"
    echo
    echo "One CPU: each server and tcp_load both on CPU 1 (taskset), medians of $RUNS:"
    echo
    echo "| connections (active + idle) | model | round trips/s (median of $RUNS) | min–max | server CPU s per 100k round trips (median) |"
    echo "|---|---|---:|---:|---:|"
    for conns in "${IO_PINNED_CONNECTIONS[@]}"; do
        for label in "${IO_PINNED_MODELS[@]}"; do
            # shellcheck disable=SC2086
            pmed[$label.$conns]=$(median ${prps[$label.$conns]})
            # shellcheck disable=SC2086
            printf '| %s | %s | %s | %s–%s | %s |\n' \
                "$((conns < IO_ACTIVE ? conns : IO_ACTIVE)) + $((conns > IO_ACTIVE ? conns - IO_ACTIVE : 0))" \
                "$label" "${pmed[$label.$conns]}" "$(minimum ${prps[$label.$conns]})" "$(maximum ${prps[$label.$conns]})" \
                "$(middle ${pcpu[$label.$conns]})"
        done
    done
    echo
    target "one CPU: epoll vs threads at 10000 connections" "$(target_ratio "${pmed[epoll.10000]}" "${pmed[threads.10000]}")" 2
    target "one CPU: epoll vs bare_echo at 50 connections" "$(target_ratio "${pmed[epoll.50]}" "${pmed[bare_echo.50]}")" 0.90
    target "one CPU: uring vs bare_echo at 50 connections" "$(target_ratio "${pmed[uring.50]}" "${pmed[bare_echo.50]}")" 0.90
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
