#!/usr/bin/env bash
# Writes the diffs the pages show, from the files themselves:
#
#   scripts/step-diffs.sh            (re)write docs/diffs/A..B.diff for every diff a page cites
#   scripts/step-diffs.sh --check    change nothing; fail if any is stale, missing or extra,
#                                    or a page's count of changed lines is not the diff's
#
# A page cites a diff as `diff -u crates/A.rs crates/B.rs` (docs/lessons/*.md)
# or as a table row `A.rs` → `B.rs` (docs/teaching.md, paths under crates/).
# Each becomes docs/diffs/STEM_A..STEM_B.diff, made by
#   diff -u --label crates/A.rs --label crates/B.rs crates/A.rs crates/B.rs
# (labels instead of timestamps, so the file only changes when the code does),
# which the pages include with {{#include ../diffs/STEM_A..STEM_B.diff}}.
# Where the row's last cell is a number, it must be the diff's count of
# changed lines, removed and added: diff -u A B | tail -n +3 | grep -c '^[-+]'.
# Runs from any directory; needs only bash, diff and grep.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

check=false
case ${1:-} in
    "") ;;
    --check) check=true ;;
    -h | --help)
        sed -n '2,16s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *)
        echo "step-diffs: unknown argument '$1' (see scripts/step-diffs.sh --help)" >&2
        exit 2
        ;;
esac

pages=(docs/lessons/*.md docs/teaching.md)
problems=()

# Every cited pair, as lines "PAGE<TAB>A<TAB>B<TAB>COUNT" (COUNT empty when the
# citation is not a table row ending in a number).
cited() {
    local page line a b count
    for page in "${pages[@]}"; do
        while IFS= read -r line; do
            count=""
            if [[ $line =~ ^\|.*\|\ *([0-9]+)\ *\|\ *$ ]]; then
                count=${BASH_REMATCH[1]}
            fi
            if [[ $line =~ \`diff\ -u\ (crates/[^\ \`]+\.rs)\ (crates/[^\ \`]+\.rs)\` ]]; then
                a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]}
            elif [[ $line =~ ^\|\ \`([a-z0-9_]+/[^\`]+\.rs)\`\ →\ \`([a-z0-9_]+/[^\`]+\.rs)\`\ \| ]]; then
                a=crates/${BASH_REMATCH[1]} b=crates/${BASH_REMATCH[2]}
            else
                continue
            fi
            printf '%s\t%s\t%s\t%s\n' "$page" "$a" "$b" "$count"
        done <"$page"
    done
}

name_of() { # A B -> STEM_A..STEM_B.diff
    local a=${1##*/} b=${2##*/}
    echo "${a%.rs}..${b%.rs}.diff"
}

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

declare -A pair_of
while IFS=$'\t' read -r page a b count; do
    for file in "$a" "$b"; do
        [[ -f $file ]] || problems+=("$page cites $file, which does not exist")
    done
    [[ -f $a && -f $b ]] || continue
    name=$(name_of "$a" "$b")
    if [[ -n ${pair_of[$name]:-} && ${pair_of[$name]} != "$a $b" ]]; then
        problems+=("$name would be both ${pair_of[$name]} and $a $b")
        continue
    fi
    pair_of[$name]="$a $b"
    if [[ ! -f $out/$name ]]; then
        status=0
        diff -u --label "$a" --label "$b" "$a" "$b" >"$out/$name" || status=$?
        ((status <= 1)) || problems+=("diff -u $a $b failed (exit $status)")
    fi
    if [[ -n $count ]]; then
        changed=$(tail -n +3 "$out/$name" | grep -c '^[-+]' || true)
        ((changed == count)) ||
            problems+=("$page: diff -u $a $b changes $changed lines; the page says $count")
    fi
done < <(cited)

if $check; then
    for file in "$out"/*.diff; do
        name=${file##*/}
        if [[ ! -f docs/diffs/$name ]]; then
            problems+=("docs/diffs/$name is missing")
        elif ! cmp -s "$file" "docs/diffs/$name"; then
            problems+=("docs/diffs/$name is stale: ${pair_of[$name]} changed since it was made")
        fi
    done
    for file in docs/diffs/*.diff; do
        [[ -e $file ]] || continue
        [[ -f $out/${file##*/} ]] || problems+=("$file is cited by no page")
    done
else
    mkdir -p docs/diffs
    rm -f docs/diffs/*.diff
    cp "$out"/*.diff docs/diffs/
    echo "step-diffs: wrote ${#pair_of[@]} diffs to docs/diffs/" >&2
fi

if ((${#problems[@]} > 0)); then
    printf 'step-diffs: %s\n' "${problems[@]}" >&2
    $check && echo "step-diffs: run scripts/step-diffs.sh to write the diffs again" >&2
    exit 1
fi
