#!/usr/bin/env bash
# Builds the course (docs/) as an mdBook into target/book, or serves it:
#
#   scripts/book.sh                  build target/book (open target/book/index.html)
#   scripts/book.sh --serve          build and serve on http://127.0.0.1:3000, rebuilding on edits
#   scripts/book.sh --serve --port 4000
#   scripts/book.sh --strict         also fail on an mdBook warning or a broken link
#
# The book's order is docs/SUMMARY.md, its settings docs/book.toml; the pages
# stay where they are. mdBook comes from crates.io: when target/tools/bin/mdbook
# is missing (or another version) it runs
#   cargo install mdbook --locked --version MDBOOK_VERSION --root target/tools
# once (a few minutes of compiling), and reuses it after that.
#
# After a build it checks every relative link and image of the built pages
# (href= and src=) and prints each one whose file is not in the book as
# "book: broken link: PAGE -> TARGET" (mdBook 0.4 does not check links
# itself). mdBook's own warnings are printed as they come ("[WARN]"). Any
# error (cargo install, mdbook build, an "[ERROR]" line from mdBook) is a
# non-zero exit with the reason.
set -euo pipefail

MDBOOK_VERSION=0.4.52 # the last 0.4.x; builds with rust-version 1.77 and newer

usage() {
    sed -n '2,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" | sed "s/MDBOOK_VERSION/$MDBOOK_VERSION/"
}

serve=false
strict=false
port=3000
while (($# > 0)); do
    case $1 in
        -h | --help)
            usage
            exit 0
            ;;
        --serve) serve=true ;;
        --strict) strict=true ;;
        --port)
            (($# >= 2)) || {
                echo "book: --port needs a number (e.g. --port 3000)" >&2
                exit 2
            }
            port=$2
            shift
            ;;
        --port=*) port=${1#--port=} ;;
        *)
            echo "book: unknown argument '$1' (see scripts/book.sh --help)" >&2
            exit 2
            ;;
    esac
    shift
done
if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    echo "book: --port must be a number from 1 to 65535, not '$port'" >&2
    exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools=$root/target/tools
mdbook=$tools/bin/mdbook
book=$root/target/book

# shellcheck source-path=SCRIPTDIR source=lib/tools.sh
source "$root/scripts/lib/tools.sh"
TOOLS=$tools
install_tool book mdbook "$MDBOOK_VERSION" mdbook

if $serve; then
    echo "book: serving on http://127.0.0.1:$port (Ctrl-C stops it)" >&2
    exec "$mdbook" serve --hostname 127.0.0.1 --port "$port" "$root/docs"
fi

# Build, showing mdBook's output as it comes and keeping it to count warnings.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
"$mdbook" build "$root/docs" 2>&1 | tee "$log" >&2 || status=$?
((status == 0)) || {
    echo "book: mdbook build failed (exit $status, see above)" >&2
    exit 1
}
[[ -f $book/index.html ]] || {
    echo "book: mdbook build made no $book/index.html" >&2
    exit 1
}
warnings=$(grep -c '\[WARN\]' "$log" || true)
# mdBook reports some errors (an {{#include}} of a missing file) and goes on.
errors=$(grep -c '\[ERROR\]' "$log" || true)
((errors == 0)) || {
    echo "book: mdbook build reported $errors errors (the [ERROR] lines above)" >&2
    exit 1
}

# Every relative href= and src= of the built pages must name a file in the book.
broken=0
while IFS= read -r page; do
    dir=$(dirname "$page")
    while IFS= read -r target; do
        target=${target%%#*}
        target=${target%%\?*}
        [[ -n $target ]] || continue
        case $target in
            *://* | mailto:* | data:* | javascript:* | /*) continue ;;
        esac
        if [[ ! -e $dir/$target ]]; then
            echo "book: broken link: ${page#"$book"/} -> $target" >&2
            broken=$((broken + 1))
        fi
    done < <(grep -oE '(href|src)="[^"]*"' "$page" | sed -E 's/^(href|src)="//; s/"$//')
done < <(find "$book" -name '*.html' -type f | sort)

echo "book: built $book/index.html ($warnings mdBook warnings, $broken broken links)" >&2
if $strict && ((warnings + broken > 0)); then
    echo "book: --strict: failing on $warnings mdBook warnings and $broken broken links" >&2
    exit 1
fi
