# apt_install TOOL PACKAGE...: installs Debian's PACKAGEs for a test-deps
# script named TOOL (the prefix of its messages), as root or through
# `sudo -n`, waiting up to two minutes for another apt to release its lock.
# Any failure exits non-zero with the reason. Sourced, not run.
# shellcheck shell=bash

apt_install() {
    local tool=$1 as_root apt
    shift
    if [[ $(id -u) -eq 0 ]]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        as_root=(sudo -n)
    else
        echo "$tool: $* missing, and installing needs root:" >&2
        echo "  sudo apt-get install -y $*" >&2
        exit 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "$tool: $* missing and this is not a Debian-like system" \
            "(no apt-get); install them with your package manager" >&2
        exit 1
    fi
    echo "$tool: installing $* (apt-get) ..." >&2
    apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 -q)
    if ! "${as_root[@]}" "${apt[@]}" update >&2; then
        echo "$tool: apt-get update failed (no network, or a broken source?)" >&2
        exit 1
    fi
    if ! "${as_root[@]}" "${apt[@]}" install -y --no-install-recommends "$@" >&2; then
        echo "$tool: apt-get install $* failed" >&2
        exit 1
    fi
}
