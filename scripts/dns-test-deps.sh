#!/usr/bin/env bash
# Installs the real DNS peers the dns tests talk to, when they are missing:
#
#   dnsmasq   a small DNS server (Debian package dnsmasq-base), which the
#             tests run on a loopback port, serving a hosts file
#   dig       the DNS client every administrator uses (bind9-dnsutils)
#   dnspython the Python library of lesson 004's dns.resolver.query (pip)
#
#   scripts/dns-test-deps.sh                   all three
#   scripts/dns-test-deps.sh dig dnspython     any of: dnsmasq dig dnspython
#
# It does nothing when everything asked for is already there, so the tests
# can call it every time. dnsmasq and dig come from Debian's packages
# (`apt-get install -y`, as root or through `sudo -n`, waiting up to two
# minutes for another apt to release its lock); dnspython from PyPI, for the
# python3 on PATH (`python3 -m pip install dnspython`). Any failure is a
# non-zero exit with the reason: the tests fail loudly rather than skip.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

wanted=("$@")
((${#wanted[@]} > 0)) || wanted=(dnsmasq dig dnspython)

# dnsmasq is in /usr/sbin, which is not on a normal user's PATH.
present() {
    case $1 in
        dnspython) python3 -c 'import dns.message, dns.query, dns.resolver' >/dev/null 2>&1 ;;
        *) command -v "$1" >/dev/null 2>&1 || [[ -x /usr/sbin/$1 ]] ;;
    esac
}

packages=()
python_missing=false
for program in "${wanted[@]}"; do
    case $program in
        dnsmasq) present dnsmasq || packages+=(dnsmasq-base) ;;
        dig) present dig || packages+=(bind9-dnsutils) ;;
        dnspython) present dnspython || python_missing=true ;;
        *)
            echo "dns-test-deps: unknown program '$program' (known: dnsmasq dig dnspython)" >&2
            exit 2
            ;;
    esac
done

if ((${#packages[@]} > 0)); then
    apt_install dns-test-deps "${packages[@]}"
fi

if $python_missing; then
    if ! command -v python3 >/dev/null 2>&1; then
        echo "dns-test-deps: dnspython needs python3, which is not on PATH" \
            "(Debian: apt-get install python3 python3-pip)" >&2
        exit 1
    fi
    echo "dns-test-deps: installing dnspython for $(command -v python3) (pip) ..." >&2
    if ! python3 -m pip install -q dnspython >&2; then
        echo "dns-test-deps: python3 -m pip install dnspython failed (no pip, no network," \
            "or a system Python that refuses pip: PEP 668)" >&2
        exit 1
    fi
fi

for program in "${wanted[@]}"; do
    if ! present "$program"; then
        echo "dns-test-deps: $program is still missing after installing it" >&2
        exit 1
    fi
done
