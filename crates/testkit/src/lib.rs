//! Test support for the lesson crates (a dev-dependency only).
//!
//! Integration tests start the real binaries the way a student does: a
//! server on `--port 0`, whose `listening on ADDR` line tells where it is; a
//! client fed lines on standard input. Every wait here is bounded, every
//! process is killed and reaped by its handle when the test drops it, and
//! nothing is ever signalled by name.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// How long a server may take to print its `listening on` line.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A command for `bin` with `args`, standard input closed unless the caller
/// says otherwise.
pub fn command<I, S>(bin: impl AsRef<Path>, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new(bin.as_ref());
    cmd.args(args).stdin(Stdio::null());
    cmd
}

/// Text collected from a child's stdout or stderr by a background thread.
#[derive(Debug, Clone, Default)]
pub struct Captured(Arc<Mutex<String>>);

impl Captured {
    /// Starts a thread that collects `stream` (and hands each line to
    /// `on_line`); the thread ends at end of stream.
    fn collect(
        stream: impl Read + Send + 'static,
        on_line: Option<Sender<String>>,
    ) -> (Self, JoinHandle<()>) {
        let captured = Captured::default();
        let sink = captured.clone();
        let reader = thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut line = Vec::new();
            while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                let text = String::from_utf8_lossy(&line).into_owned();
                if let Some(tx) = &on_line {
                    let _ = tx.send(text.clone());
                }
                sink.0
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push_str(&text);
                line.clear();
            }
        });
        (captured, reader)
    }

    /// Everything collected so far.
    pub fn text(&self) -> String {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits up to `timeout` for `needle` to appear; returns whether it did.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.text().contains(needle) {
                return true;
            }
            thread::sleep(Duration::from_millis(10));
        }
        self.text().contains(needle)
    }
}

/// A running server process, killed and reaped when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// The address from the server's `listening on ADDR` line.
    pub addr: SocketAddr,
    pub stdout: Captured,
    pub stderr: Captured,
}

impl Server {
    /// Starts `cmd` (stdout and stderr are captured) and waits for its
    /// `listening on ADDR` line. Panics, with what the process printed, if
    /// the line does not come within [`START_TIMEOUT`].
    pub fn start(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let (tx, lines) = mpsc::channel();
        let (stdout, _) =
            Captured::collect(child.stdout.take().expect("stdout is piped"), Some(tx));
        let (stderr, _) = Captured::collect(child.stderr.take().expect("stderr is piped"), None);
        let mut server = Server {
            child,
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
            stdout,
            stderr,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(addr) = line.trim().strip_prefix("listening on ") {
                        server.addr = addr
                            .parse()
                            .unwrap_or_else(|e| panic!("bad address in {line:?}: {e}"));
                        return server;
                    }
                }
                Err(_) => panic!(
                    "{cmd:?} printed no `listening on` line within {START_TIMEOUT:?}\n\
                     stdout:\n{}\nstderr:\n{}",
                    server.stdout.text(),
                    server.stderr.text()
                ),
            }
        }
    }

    /// The server's standard input, when the command asked for a pipe.
    pub fn stdin(&mut self) -> &mut ChildStdin {
        self.child
            .stdin
            .as_mut()
            .expect("start the command with stdin(Stdio::piped())")
    }

    /// Closes the server's standard input (end of the operator's input).
    pub fn close_stdin(&mut self) {
        drop(self.child.stdin.take());
    }

    /// Sends SIGINT, as Ctrl-C in the server's terminal would.
    pub fn interrupt(&self) {
        signal(&self.child, Signal::SIGINT);
    }

    /// Waits up to `timeout` for the server to exit; panics if it does not.
    pub fn wait(&mut self, timeout: Duration) -> ExitStatus {
        wait_bounded(&mut self.child, timeout)
            .unwrap_or_else(|| panic!("server still running after {timeout:?}"))
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal(child: &Child, sig: Signal) {
    let pid = i32::try_from(child.id()).expect("pids fit in i32");
    kill(Pid::from_raw(pid), sig).expect("signalling our own child");
}

/// Polls `child` until it exits or `timeout` passes.
fn wait_bounded(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `cmd` to completion with `input` on its standard input, killing it
/// (and failing the test) if it takes longer than `timeout`.
pub fn run(mut cmd: Command, input: &[u8], timeout: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let (stdout, stdout_reader) = Captured::collect(child.stdout.take().expect("piped"), None);
    let (stderr, stderr_reader) = Captured::collect(child.stderr.take().expect("piped"), None);
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // A client that exits early closes the pipe; that is its business.
    let _ = stdin.write_all(input);
    drop(stdin);
    let status = wait_bounded(&mut child, timeout);
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "{cmd:?} still running after {timeout:?}\nstdout:\n{}\nstderr:\n{}",
            stdout.text(),
            stderr.text()
        );
    };
    // The readers reach end of stream now that the process is gone.
    let _ = stdout_reader.join();
    let _ = stderr_reader.join();
    Output {
        status,
        stdout: stdout.text().into_bytes(),
        stderr: stderr.text().into_bytes(),
    }
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

/// A fresh temporary directory, removed when the handle is dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("creating a temporary directory")
}
