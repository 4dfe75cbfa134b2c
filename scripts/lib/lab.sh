# The pieces scripts/netlab.sh and scripts/tcp-states.sh share: messages,
# installing a missing command, stopping the processes a lab started,
# making its first network namespace, and the teardown of namespaces and
# folder. Sourced, not run; the script sets LAB_NAME (the prefix of its
# messages), SELF, APT_TIMEOUT, STOP_TIMEOUT, the array STARTED_PIDS, and
# for create_host_a and remove_lab NS_A, CREATED_NS and WORK.
# shellcheck shell=bash

# --------------------------------------------------------------- messages

bold() {
    if [[ -t 1 ]]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi
}

heading() { echo; bold "== $*"; }

note() { printf '   %s\n' "$@"; }

usage_error() {
    echo "$LAB_NAME: $1" >&2
    echo "$LAB_NAME: see $SELF --help" >&2
    exit 2
}

die() {
    echo "$LAB_NAME: $1" >&2
    exit "${2:-1}"
}

# Runs a setup command; on failure, names the step, the command and what it
# said, and stops.
must() {
    local what=$1 out
    shift
    if ! out=$("$@" 2>&1); then
        die "$what failed: \`$*\` said: ${out:-(nothing)}"
    fi
}

# ---------------------------------------------------------------- commands

# Makes sure COMMAND is there, installing Debian's PACKAGE when it is not;
# labs run side by side take turns at apt-get (one lock for all of them).
need_command() {
    local command=$1 package=$2 lock=/run/lock lock_fd out
    command -v "$command" >/dev/null 2>&1 && return
    command -v apt-get >/dev/null 2>&1 ||
        die "'$command' is missing, and there is no apt-get to install $package with: install $package and run again" 3
    [[ -d $lock ]] || lock=${TMPDIR:-/tmp}
    exec {lock_fd}>"$lock/netlab-apt.lock"
    flock -w "$APT_TIMEOUT" "$lock_fd" || die "waited ${APT_TIMEOUT}s for another lab's apt-get" 3
    if ! command -v "$command" >/dev/null 2>&1; then
        echo "$LAB_NAME: '$command' is missing; installing $package (apt-get)"
        out=$(timeout "$APT_TIMEOUT" apt-get -o DPkg::Lock::Timeout=120 update -qq 2>&1) ||
            die "apt-get update failed, so $package cannot be installed: $out" 3
        out=$(DEBIAN_FRONTEND=noninteractive timeout "$APT_TIMEOUT" \
            apt-get -o DPkg::Lock::Timeout=120 install -y -qq "$package" 2>&1) ||
            die "apt-get install $package failed: $out" 3
        command -v "$command" >/dev/null 2>&1 ||
            die "$package is installed but '$command' is still not on PATH" 3
    fi
    exec {lock_fd}>&-
}

# ---------------------------------------------------------------- processes

# A short sleep (0.1 s unless told) in the background, so that a trap
# (Ctrl-C) runs at once.
nap() {
    sleep "${1:-0.1}" &
    wait "$!"
}

# Waits up to SECONDS (whole) for PID to exit; returns 1 if it has not.
wait_exit() {
    local pid=$1 tenths=$(($2 * 10))
    while kill -0 "$pid" 2>/dev/null; do
        ((tenths-- > 0)) || return 1
        nap 0.1
    done
}

forget_pid() {
    local pid kept=()
    for pid in "${STARTED_PIDS[@]}"; do
        [[ $pid == "$1" ]] || kept+=("$pid")
    done
    STARTED_PIDS=("${kept[@]}")
}

# Stops one of our processes: SIGINT, then SIGTERM, then SIGKILL.
stop_pid() {
    local pid=$1
    kill -INT "$pid" 2>/dev/null
    if ! wait_exit "$pid" "$STOP_TIMEOUT"; then
        kill -TERM "$pid" 2>/dev/null
        wait_exit "$pid" 2 || kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    forget_pid "$pid"
}

# ---------------------------------------------------------------- the hosts

# Host A's namespace, or exit 3 saying why the machine cannot host a lab.
create_host_a() {
    local out
    if ! out=$(ip netns add "$NS_A" 2>&1); then
        cat >&2 <<EOF
$LAB_NAME: cannot create a network namespace here: \`ip netns add $NS_A\` said:
  ${out:-(nothing)}
The lab needs a kernel with network namespaces and the right to create them
(CAP_SYS_ADMIN and CAP_NET_ADMIN in the machine's own namespaces). A container
usually lacks them: run the lab on a VM or a real machine, or in a container
started with --privileged.
EOF
        exit 3
    fi
    CREATED_NS+=("$NS_A")
}

# Host B, and the link: a veth pair made with each end already in its
# namespace (so its names never meet another run's in the machine's own
# namespace), addressed ADDR_A/ADDR_B, with IPv6 off (its neighbour
# discovery would add packets to the counters and captures) and each host
# told the other's MAC address (no ARP, whose lost requests would hold the
# first packets back). Uses NS_B, IF_A, IF_B, MAC_A, MAC_B, ADDR_A, ADDR_B,
# PREFIX. The ends are left down.
join_hosts() {
    local ns
    must "creating host B" ip netns add "$NS_B"
    CREATED_NS+=("$NS_B")
    for ns in "$NS_A" "$NS_B"; do
        # shellcheck disable=SC2016 # $f is the inner shell's
        ip netns exec "$ns" sh -c 'for f in /proc/sys/net/ipv6/conf/all/disable_ipv6 /proc/sys/net/ipv6/conf/default/disable_ipv6; do [ -w "$f" ] && echo 1 >"$f"; done; true'
        must "bringing up loopback in $ns" ip -n "$ns" link set lo up
    done
    must "joining the hosts with a veth pair" \
        ip link add "$IF_A" netns "$NS_A" address "$MAC_A" type veth \
        peer name "$IF_B" netns "$NS_B" address "$MAC_B"
    must "addressing host A" ip -n "$NS_A" addr add "$ADDR_A/$PREFIX" dev "$IF_A"
    must "addressing host B" ip -n "$NS_B" addr add "$ADDR_B/$PREFIX" dev "$IF_B"
    must "telling A B's MAC address" \
        ip -n "$NS_A" neigh replace "$ADDR_B" lladdr "$MAC_B" dev "$IF_A" nud permanent
    must "telling B A's MAC address" \
        ip -n "$NS_B" neigh replace "$ADDR_A" lladdr "$MAC_A" dev "$IF_B" nud permanent
}

# -------------------------------------------------------------- teardown

# Deletes the namespaces the lab made (CREATED_NS) and its folder WORK, then
# says whether a namespace of this run (PREFIX-a, PREFIX-b) is left, or
# what went with them (GONE: "the veth pair, ...").
remove_lab() {
    local prefix=$1 gone=$2 ns left
    for ns in "${CREATED_NS[@]}"; do
        ip netns del "$ns" 2>/dev/null || echo "$LAB_NAME: could not delete namespace $ns" >&2
    done
    [[ -n $WORK ]] && rm -rf "$WORK"
    ((${#CREATED_NS[@]} > 0)) || return 0
    left=$(ip netns list 2>/dev/null | grep -E "^$prefix-[ab]( |$)")
    if [[ -n $left ]]; then
        echo "$LAB_NAME: namespaces still present: $left" >&2
    else
        echo "$LAB_NAME: torn down: namespaces ${CREATED_NS[*]} (and with them $gone), $WORK"
    fi
}

# The trap for Ctrl-C and SIGTERM: one line, then the EXIT trap tears down.
on_signal() {
    echo
    echo "$LAB_NAME: interrupted ($1); tearing down" >&2
    exit 130
}
