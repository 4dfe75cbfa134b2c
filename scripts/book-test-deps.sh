#!/usr/bin/env bash
# Installs what the book's browser test (crates/testkit/tests/book.rs) needs,
# from Debian's packages, when it is missing:
#
#   scripts/book-test-deps.sh     chromium, fontconfig (fc-match) and a CJK font
#
# chromium comes through scripts/web-test-deps.sh. The CJK font is
# fonts-noto-cjk: without one, the lessons' 中文小结 render as boxes. It does
# nothing when chromium is on PATH and `fc-match :lang=zh-cn` already names a
# Noto CJK family, so the test can call it every time. (fontconfig knows
# zh-cn, zh-tw, zh-hk, ... but no plain "zh": `fc-match :lang=zh` is the
# default font, DejaVu Sans, with or without a CJK font.) When something is
# missing it runs `apt-get update` and `apt-get install -y` (as root, or
# through `sudo -n`, see scripts/lib/apt.sh). Afterwards `fc-match
# :lang=zh-cn` must name a Noto CJK family (e.g. "Noto Sans CJK SC"). Any
# failure is a non-zero exit with the reason: the test fails loudly rather
# than skips.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source-path=SCRIPTDIR source=lib/apt.sh
source "$here/lib/apt.sh"

# The family fontconfig picks for (simplified) Chinese text, or nothing
# without fc-match.
zh_family() {
    command -v fc-match >/dev/null 2>&1 || return 0
    fc-match ':lang=zh-cn' family 2>/dev/null || true
}

has_cjk_font() {
    [[ $(zh_family) == *"Noto "*" CJK"* ]]
}

if ! command -v chromium >/dev/null 2>&1; then
    bash "$here/web-test-deps.sh" chromium
fi

missing=()
command -v fc-match >/dev/null 2>&1 || missing+=(fontconfig)
has_cjk_font || missing+=(fonts-noto-cjk)
((${#missing[@]} > 0)) || exit 0

apt_install book-test-deps "${missing[@]}"
if ! command -v fc-match >/dev/null 2>&1; then
    echo "book-test-deps: fc-match is still missing after apt-get install fontconfig" >&2
    exit 1
fi
# A font installed by a package is in fontconfig's cache after its trigger;
# refresh it anyway in case the trigger has not run.
has_cjk_font || fc-cache -f >/dev/null 2>&1 || true
if ! has_cjk_font; then
    echo "book-test-deps: after installing ${missing[*]}, fc-match :lang=zh-cn names" \
        "'$(zh_family)', not a Noto CJK family (e.g. \"Noto Sans CJK SC\")" >&2
    exit 1
fi
echo "book-test-deps: installed ${missing[*]}; fc-match :lang=zh-cn is $(zh_family)" >&2
