#!/usr/bin/env bash
# Fuzzes one parser that reads the network (cargo fuzz, libFuzzer):
#
#   scripts/fuzz.sh --list             list the targets (fuzz/fuzz_targets/)
#   scripts/fuzz.sh TARGET SECONDS     run TARGET for SECONDS seconds
#
# The targets live in fuzz/, a Cargo package of its own outside the
# workspace (the root Cargo.toml excludes it), built with the nightly
# toolchain, which cargo fuzz needs for its sanitizer flags. cargo-fuzz comes
# from crates.io: when target/tools/bin/cargo-fuzz is missing (or another
# version) it runs
#   cargo install cargo-fuzz --locked --version CARGO_FUZZ_VERSION --root target/tools
# once (a few minutes of compiling), and reuses it after that.
#
# The run starts from the seeds in fuzz/corpus/TARGET and the saved crash
# inputs in fuzz/regressions/TARGET (both only read); the corpus it grows is
# kept in target/fuzz-corpus/TARGET, so a later run goes on from there. Its
# output goes to the terminal and to target/fuzz-logs/TARGET.log; the last
# line printed is libFuzzer's final count (runs, cov, ft, exec/s). A crash
# stops the run with a non-zero exit and leaves the input in
# fuzz/artifacts/TARGET/ (minimise it with `cargo +nightly fuzz tmin`, then
# save it in fuzz/regressions/TARGET/ with a unit test; docs/fuzzing.md).
set -euo pipefail

CARGO_FUZZ_VERSION=0.13.2

usage() {
    sed -n '2,22s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" | sed "s/CARGO_FUZZ_VERSION/$CARGO_FUZZ_VERSION/"
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz=$root/fuzz
tools=$root/target/tools
cargo_fuzz=$tools/bin/cargo-fuzz

targets() {
    find "$fuzz/fuzz_targets" -maxdepth 1 -name '*.rs' -printf '%f\n' | sed 's/\.rs$//' | sort
}

case ${1:-} in
    -h | --help)
        usage
        exit 0
        ;;
    --list)
        targets
        exit 0
        ;;
    "")
        echo "fuzz: which target, for how long? (scripts/fuzz.sh TARGET SECONDS; --list lists them)" >&2
        exit 2
        ;;
esac
(($# == 2)) || {
    echo "fuzz: expected TARGET SECONDS, got $# arguments (see scripts/fuzz.sh --help)" >&2
    exit 2
}
target=$1
seconds=$2
if ! targets | grep -qxF -- "$target"; then
    echo "fuzz: no target '$target'; the targets are: $(targets | tr '\n' ' ')" >&2
    exit 2
fi
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
    echo "fuzz: SECONDS must be a whole number of seconds, at least 1, not '$seconds'" >&2
    exit 2
fi

command -v cargo >/dev/null || {
    echo "fuzz: cargo is not on PATH" >&2
    exit 1
}
cargo +nightly --version >/dev/null 2>&1 || {
    echo "fuzz: the nightly toolchain is missing; cargo fuzz needs it (rustup toolchain install nightly)" >&2
    exit 1
}

# shellcheck source-path=SCRIPTDIR source=lib/tools.sh
source "$root/scripts/lib/tools.sh"
TOOLS=$tools
install_tool fuzz cargo-fuzz "$CARGO_FUZZ_VERSION" cargo-fuzz

corpus=$root/target/fuzz-corpus/$target
logs=$root/target/fuzz-logs
mkdir -p "$corpus" "$logs"
log=$logs/$target.log
# Read-only inputs after the first directory: libFuzzer adds new inputs to
# the first one only.
inputs=("$corpus")
for dir in "$fuzz/corpus/$target" "$fuzz/regressions/$target"; do
    [[ -d $dir ]] && inputs+=("$dir")
done

echo "fuzz: $target for $seconds s (log: ${log#"$root"/})" >&2
cd "$fuzz"
status=0
# libFuzzer tries inputs of up to 4 KiB unless told otherwise; the request
# head's limits (8 KiB request line, 64 KiB of headers) need longer ones.
max_len=4096
[[ $target == http_head ]] && max_len=140000
# cargo finds the `fuzz` subcommand as cargo-fuzz on PATH. No sanitizer:
# the code under test is safe Rust (a panic, an overflow or a failed
# assertion is the crash), and without ASan twice as many inputs are tried
# per second. -timeout: one input taking 10 s is a hang, reported as a crash.
PATH=$tools/bin:$PATH cargo +nightly fuzz run --sanitizer none --target-dir "$root/target/fuzz" \
    "$target" "${inputs[@]}" -- \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -print_final_stats=1 2>&1 |
    tee "$log" || status=$?
if ((status != 0)); then
    echo "fuzz: $target stopped with exit $status: a crash or a build error (see above; inputs in fuzz/artifacts/$target/)" >&2
    exit 1
fi
grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true
