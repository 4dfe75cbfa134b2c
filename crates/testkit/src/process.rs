//! Processes the tests start: a server that says where it listens, a client
//! left running in the background, a command run to completion. Each is
//! killed and reaped by its handle when dropped, never signalled by name.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::ops::{Deref, DerefMut};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::text::{stderr, stdout};

/// How long a server may take to print its `listening on` line.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);

/// How often the bounded waits here look again.
const POLL: Duration = Duration::from_millis(10);

/// Text collected from a child's stdout or stderr by a background thread.
#[derive(Debug, Clone, Default)]
pub struct Captured(Arc<Mutex<Collected>>);

#[derive(Debug, Default)]
struct Collected {
    text: String,
    /// The stream has reached its end: nothing more will come.
    ended: bool,
}

impl Captured {
    /// Starts a thread that collects `stream` (and hands each line to
    /// `on_line`) until the end of the stream.
    fn collect(stream: impl Read + Send + 'static, on_line: Option<Sender<String>>) -> Self {
        let captured = Captured::default();
        let sink = captured.clone();
        thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut line = Vec::new();
            while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                let text = String::from_utf8_lossy(&line).into_owned();
                if let Some(tx) = &on_line {
                    let _ = tx.send(text.clone());
                }
                sink.lock().text.push_str(&text);
                line.clear();
            }
            sink.lock().ended = true;
        });
        captured
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Collected> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Everything collected so far.
    pub fn text(&self) -> String {
        self.lock().text.clone()
    }

    /// Waits up to `timeout` for `needle` to appear; returns whether it did.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> bool {
        poll_until(Instant::now() + timeout, || self.text().contains(needle))
    }

    /// Waits up to `timeout` for `needle` to appear, and fails the test,
    /// showing everything collected, if it does not.
    pub fn assert_shows(&self, needle: &str, timeout: Duration) {
        assert!(
            self.wait_for(needle, timeout),
            "no {needle:?} within {timeout:?} in:\n{}",
            self.text()
        );
    }

    /// Waits until `deadline` for the end of the stream; a grandchild that
    /// still holds the pipe open only costs the wait, never a hang.
    fn wait_for_end(&self, deadline: Instant) {
        poll_until(deadline, || self.lock().ended);
    }
}

/// Polls `done` until it holds or `deadline` passes; returns whether it held.
fn poll_until(deadline: Instant, mut done: impl FnMut() -> bool) -> bool {
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(POLL);
    }
}

/// A running process, its stdout and stderr collected as they come. Killed
/// and reaped when dropped.
#[derive(Debug)]
pub struct Process {
    child: Child,
    /// The command line, to say which process a failure is about.
    command: String,
    pub stdout: Captured,
    pub stderr: Captured,
}

impl Process {
    /// Starts `cmd` with stdout and stderr captured. Its standard input is
    /// what `cmd` says ([`crate::command`] closes it; ask for
    /// `stdin(Stdio::piped())` to type into it with [`Process::type_text`]).
    pub fn start(cmd: Command) -> Process {
        Process::spawn(cmd, None)
    }

    /// Starts `cmd`, handing each line of its stdout to `on_line` too.
    fn spawn(cmd: Command, on_line: Option<Sender<String>>) -> Process {
        Process::spawn_with_stdout(cmd, Stdio::piped(), on_line)
    }

    /// Starts `cmd` with `stdout` as its standard output: collected (and
    /// handed to `on_line`) when it is a pipe to us, else nothing to collect.
    fn spawn_with_stdout(
        mut cmd: Command,
        stdout: Stdio,
        on_line: Option<Sender<String>>,
    ) -> Process {
        let mut child = cmd
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let stdout = match child.stdout.take() {
            Some(pipe) => Captured::collect(pipe, on_line),
            None => Captured::collect(io::empty(), on_line),
        };
        let stderr = Captured::collect(child.stderr.take().expect("stderr is piped"), None);
        Process {
            child,
            command: format!("{cmd:?}"),
            stdout,
            stderr,
        }
    }

    /// Writes `bytes` to the process's standard input.
    fn write_stdin(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.child
            .stdin
            .as_mut()
            .expect("start the command with stdin(Stdio::piped())")
            .write_all(bytes)
    }

    /// Types `text` at the process's standard input, as its operator would
    /// (end each line with `\n`).
    pub fn type_text(&mut self, text: &str) {
        if let Err(e) = self.write_stdin(text.as_bytes()) {
            panic!("{} does not read its input: {e}", self.command);
        }
    }

    /// Closes the process's standard input (Ctrl-D: the end of the input).
    pub fn close_stdin(&mut self) {
        drop(self.child.stdin.take());
    }

    /// Sends SIGINT, as Ctrl-C in the process's terminal would.
    pub fn interrupt(&self) {
        let pid = i32::try_from(self.child.id()).expect("pids fit in i32");
        kill(Pid::from_raw(pid), Signal::SIGINT).expect("signalling our own child");
    }

    /// Waits up to `timeout` for the process to exit, then up to `timeout`
    /// again for the end of its output, so that [`Captured::text`] has all
    /// of it. Fails the test, showing the output, if it does not exit.
    pub fn wait(&mut self, timeout: Duration) -> ExitStatus {
        let mut status = None;
        poll_until(Instant::now() + timeout, || {
            status = self.child.try_wait().ok().flatten();
            status.is_some()
        });
        let Some(status) = status else {
            panic!(
                "{} still running after {timeout:?}\nstdout:\n{}\nstderr:\n{}",
                self.command,
                self.stdout.text(),
                self.stderr.text()
            );
        };
        let deadline = Instant::now() + timeout;
        self.stdout.wait_for_end(deadline);
        self.stderr.wait_for_end(deadline);
        status
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `timeout` for the process to end by itself (a one-shot
    /// server, a client whose input has ended) and returns how it ended and
    /// all it printed, as [`crate::run`] does.
    pub fn finish(mut self, timeout: Duration) -> Output {
        let status = self.wait(timeout);
        Output {
            status,
            stdout: self.stdout.text().into_bytes(),
            stderr: self.stderr.text().into_bytes(),
        }
    }

    /// Waits up to `timeout` for the process to end by itself, asserts a
    /// clean exit (status 0, or the test fails showing its stderr), and
    /// returns everything it printed on stdout.
    pub fn finish_ok(self, timeout: Duration) -> String {
        let command = self.command.clone();
        let out = self.finish(timeout);
        assert!(
            out.status.success(),
            "{command} exited with {:?}; stderr:\n{}",
            out.status,
            stderr(&out)
        );
        stdout(&out)
    }

    /// Ctrl-C, then [`Process::finish_ok`]: a clean exit within `timeout`
    /// and everything the process printed on stdout.
    pub fn stop(self, timeout: Duration) -> String {
        self.interrupt();
        self.finish_ok(timeout)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running server: a [`Process`] that has said where it listens. Derefs
/// to its process for the output, Ctrl-C and the waits.
#[derive(Debug)]
pub struct Server {
    process: Process,
    /// The address from the server's `listening on ADDR` line.
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `cmd` (stdout and stderr are captured) and waits for its
    /// `listening on ADDR` line. Panics, with what the process printed, if
    /// the line does not come within [`START_TIMEOUT`].
    pub fn start(cmd: Command) -> Server {
        let (tx, lines) = mpsc::channel();
        let process = Process::spawn(cmd, Some(tx));
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = lines.recv_timeout(left) else {
                panic!(
                    "{} printed no `listening on` line within {START_TIMEOUT:?}\n\
                     stdout:\n{}\nstderr:\n{}",
                    process.command,
                    process.stdout.text(),
                    process.stderr.text()
                );
            };
            if let Some(addr) = line.trim().strip_prefix("listening on ") {
                let addr = addr
                    .parse()
                    .unwrap_or_else(|e| panic!("bad address in {line:?}: {e}"));
                return Server { process, addr };
            }
        }
    }

    /// [`Process::finish`]: a one-shot server's end and all it printed.
    pub fn finish(self, timeout: Duration) -> Output {
        self.process.finish(timeout)
    }

    /// [`Process::finish_ok`]: a one-shot server's clean end, and its log.
    pub fn finish_ok(self, timeout: Duration) -> String {
        self.process.finish_ok(timeout)
    }

    /// Connects, sends `bytes` in one write (Nagle off, so they leave at
    /// once) and closes, then [`Server::finish`]: what a one-shot server
    /// makes of a sender that says its piece and goes.
    pub fn finish_after_sending(self, bytes: &[u8], timeout: Duration) -> Output {
        let mut stream = TcpStream::connect(self.addr).expect("connect to the server");
        stream.set_nodelay(true).expect("nodelay");
        stream.write_all(bytes).expect("send");
        drop(stream);
        self.finish(timeout)
    }

    /// [`Process::stop`]: Ctrl-C, a clean exit, and the server's log.
    pub fn stop(self, timeout: Duration) -> String {
        self.process.stop(timeout)
    }
}

impl Deref for Server {
    type Target = Process;

    fn deref(&self) -> &Process {
        &self.process
    }
}

impl DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Process {
        &mut self.process
    }
}

/// Runs `cmd` to completion with `input` on its standard input, killing it
/// (and failing the test) if it takes longer than `timeout`.
pub fn run(cmd: Command, input: &[u8], timeout: Duration) -> Output {
    start_with_input(cmd, input).finish(timeout)
}

/// Runs `cmd` with its standard output a pipe that nobody reads any more,
/// as after `| head` has quit: every write to stdout fails with `EPIPE`,
/// whatever the timing. Returns its exit status and stderr (stdout is
/// empty), as [`run`] does.
pub fn run_with_closed_stdout(mut cmd: Command, timeout: Duration) -> Output {
    let (read_end, write_end) = nix::unistd::pipe().expect("a pipe");
    drop(read_end);
    cmd.stdin(Stdio::null());
    Process::spawn_with_stdout(cmd, Stdio::from(write_end), None).finish(timeout)
}

/// Runs `cmd` like [`run`], asserts that it exits 0 (showing its stderr if
/// not), and returns its stdout as text.
pub fn run_ok(cmd: Command, input: &[u8], timeout: Duration) -> String {
    start_with_input(cmd, input).finish_ok(timeout)
}

/// Starts `cmd` with `input`, then the end of input, on its standard input.
fn start_with_input(mut cmd: Command, input: &[u8]) -> Process {
    cmd.stdin(Stdio::piped());
    let mut process = Process::start(cmd);
    // A client that exits early closes the pipe; that is its business.
    let _ = process.write_stdin(input);
    process.close_stdin();
    process
}
