//! Test support for the lesson crates (a dev-dependency only).
//!
//! Integration tests start the real binaries the way a student does: a
//! server on `--port 0`, whose `listening on ADDR` line tells where it is; a
//! client fed lines on standard input. Every wait here is bounded, every
//! process is killed and reaped by its handle when the test drops it, and
//! nothing is ever signalled by name. The test's own sockets are on
//! loopback only.

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod example;
pub mod lab;
mod net;
mod process;
mod text;

pub use example::{cargo_build, example, profile_dir, step};

pub use net::{
    assert_serves_one_client_at_a_time, closed_tcp_addr, fake_tcp_server, fake_udp_server,
    round_trip, tcp_connect, udp_ask, udp_recv, udp_socket, write_byte_by_byte,
};
pub use process::{run, run_ok, run_with_closed_stdout, Captured, Process, Server, START_TIMEOUT};
pub use text::{assert_contains_all, numbers_after, seq_output, stderr, stdout, text};

/// The workspace's root folder, where `crates/`, `docs/` and `scripts/` are.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

/// The lesson pages, `docs/lessons/*.md`, in name order.
pub fn lesson_pages() -> Vec<PathBuf> {
    let dir = repo_root().join("docs/lessons");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    pages.sort();
    pages
}

/// The flags every headless Chromium of the tests runs with (then a
/// `--user-data-dir` of the test's own): no sandbox (the tests may run as
/// root), no GPU, and nothing that reaches past loopback on its own
/// (QUIC, background updates, sync).
pub const CHROMIUM_HEADLESS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// A command for `bin` with `args`, standard input closed unless the caller
/// says otherwise.
pub fn command<I, S>(bin: impl AsRef<Path>, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(bin.as_ref());
    cmd.args(args).stdin(Stdio::null());
    cmd
}

/// `bin ROLE... --port 0 ARGS...`: a server on a port the OS picks, which
/// its `listening on` line names ([`Server::start`] reads it). `role` is
/// empty for a binary that is only a server.
pub fn server_command(bin: impl AsRef<Path>, role: &[&str], args: &[&str]) -> Command {
    let mut cmd = command(bin, role);
    cmd.args(["--port", "0"]).args(args);
    cmd
}

/// `bin ROLE... --port PORT ARGS...`: a client of the server at `addr`. Only
/// the port is passed: the host stays the lessons' default, 127.0.0.1.
/// `role` is empty for a binary that is only a client.
pub fn client_command(
    bin: impl AsRef<Path>,
    role: &[&str],
    addr: SocketAddr,
    args: &[&str],
) -> Command {
    let mut cmd = command(bin, role);
    cmd.args(["--port", &addr.port().to_string()]).args(args);
    cmd
}

/// The python3 interpreter. The interop tests need it and say so loudly
/// rather than skipping: `.ci/run` installs it when it is missing.
pub fn python3() -> PathBuf {
    let found = Command::new("python3")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map(|out| out.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "python3 is required by the interop tests and was not found on PATH; \
         install it (Debian: apt-get install python3) or run .ci/run, which does"
    );
    PathBuf::from("python3")
}

/// A Python peer from `scripts/peers/`: the lesson programs, rewritten for
/// the tests with a port argument and a `listening on` line.
pub fn peer_script(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/peers")
        .join(name);
    assert!(path.is_file(), "missing Python peer {}", path.display());
    path
}

/// `python3 scripts/peers/SCRIPT ARGS...`, standard input closed unless the
/// caller says otherwise.
pub fn python_peer(script: &str, args: &[&str]) -> Command {
    let mut cmd = command(python3(), [peer_script(script)]);
    cmd.args(args);
    cmd
}

/// The lesson's TCP client (`tcp_client.py`) against the upper-case echo
/// server at `addr`, within `timeout`: `hello`, an empty line (which it
/// skips) and `你好 abc`, each answered upper-cased, then `quit`.
pub fn assert_python_tcp_client_is_answered(addr: SocketAddr, timeout: Duration) {
    let port = addr.port().to_string();
    let out = run_ok(
        python_peer("tcp_client.py", &["--port", &port]),
        "hello\n\n你好 abc\nquit\n".as_bytes(),
        timeout,
    );
    assert_eq!(out, "reply: HELLO\nreply: 你好 ABC\n");
}

/// A fresh temporary directory, removed when the handle is dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("creating a temporary directory")
}
