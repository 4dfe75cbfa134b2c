# install_tool NAME CRATE VERSION BIN: makes sure target/tools/bin/BIN is
# CRATE at VERSION (its `--version` line ends with VERSION), installing
# it from crates.io with `cargo install --locked` when it is not: once, one
# install at a time (two test runs, or a run and a person), in cargo's own
# temporary build directory. NAME prefixes the messages. Any failure exits
# non-zero with the reason. Sourced, not run; needs TOOLS (target/tools).
# shellcheck shell=bash

install_tool() {
    local name=$1 crate=$2 version=$3 bin=$TOOLS/bin/$4
    _tool_is_there() { [[ -x $bin ]] && [[ $("$bin" --version 2>/dev/null) == *"$version" ]]; }
    _tool_is_there && return 0
    command -v cargo >/dev/null || {
        echo "$name: cargo is not on PATH; it is needed once to install $crate $version" >&2
        exit 1
    }
    mkdir -p "$TOOLS"
    exec 9>"$TOOLS/.install.lock"
    command -v flock >/dev/null && flock 9
    if ! _tool_is_there; then
        echo "$name: installing $crate $version into target/tools (once; compiling takes a few minutes)" >&2
        # A CARGO_TARGET_DIR from outside (the workspace's, locked by a
        # running `cargo test`) must not be used for the install.
        env -u CARGO_TARGET_DIR -u CARGO_BUILD_TARGET_DIR \
            cargo install "$crate" --locked --version "$version" --root "$TOOLS" || {
            echo "$name: cargo install $crate $version failed (see above)" >&2
            exit 1
        }
        _tool_is_there || {
            echo "$name: $bin is not $crate $version after installing it" >&2
            exit 1
        }
    fi
    exec 9>&-
}
