#!/usr/bin/env bash
# Installs the programs the web_server tests and benchmark talk to, from
# Debian's packages, when they are missing:
#
#   scripts/web-test-deps.sh              curl and chromium (the tests)
#   scripts/web-test-deps.sh wrk nginx    any of: curl chromium wrk nginx
#
# It does nothing when every program asked for is already there, so the
# tests can call it every time. When something is missing it runs
# `apt-get update` and `apt-get install -y` (as root, or through `sudo -n`),
# waiting up to two minutes for another apt to release its lock. Any
# failure is a non-zero exit with the reason: the tests fail loudly rather
# than skip.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

wanted=("$@")
((${#wanted[@]} > 0)) || wanted=(curl chromium)

# A program is there if it is on PATH or in sbin (nginx is in /usr/sbin,
# which is not on a normal user's PATH).
present() {
    command -v "$1" >/dev/null 2>&1 || [[ -x /usr/sbin/$1 ]]
}

missing=()
for program in "${wanted[@]}"; do
    case $program in
        curl | chromium | wrk | nginx) ;;
        *)
            echo "web-test-deps: unknown program '$program' (known: curl chromium wrk nginx)" >&2
            exit 2
            ;;
    esac
    present "$program" || missing+=("$program") # each program's package has its name
done
((${#missing[@]} > 0)) || exit 0

apt_install web-test-deps "${missing[@]}"
for program in "${missing[@]}"; do
    if ! present "$program"; then
        echo "web-test-deps: $program is still missing after apt-get install" >&2
        exit 1
    fi
done
echo "web-test-deps: installed ${missing[*]}" >&2
