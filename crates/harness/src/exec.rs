//! Running a shell command for a peer, safely: the `subprocess.Popen(cmd,
//! shell=True, stdout=PIPE, stderr=PIPE)` of the remote-command lessons.
//!
//! The lesson's server reads one pipe to the end and then the other, waits
//! as long as the command likes and keeps everything it prints. Facing a
//! real client each of those is a way to hang or exhaust the server:
//!
//! * `cat` waits for input forever: here stdin is `/dev/null`, so it ends;
//! * a command that fills the stderr pipe while we read stdout blocks, and so
//!   do we: here both pipes are read at once, by a thread each;
//! * `yes` prints forever: at most `max_output` bytes are kept, the rest is
//!   read and dropped (so the command never blocks on a full pipe) and the
//!   result is marked `truncated`;
//! * `sleep 100` never ends: after `timeout` the command's whole process
//!   group is killed with SIGKILL, children included;
//! * `sleep 100 &` leaves a background grandchild holding our pipes open
//!   after the shell has exited, so "read until end of file" would wait for
//!   it: here the group is killed as soon as the shell exits, which closes
//!   the pipes, and reading stops.
//!
//! Each command runs in a process group of its own (`setpgid(0, 0)` in the
//! child), which is what lets one `killpg` reach every process it started —
//! and keeps a Ctrl-C typed at the server's terminal from reaching commands
//! that are still running.
//!
//! ```
//! use harness::exec::{run_shell, CommandLimits};
//! let outcome = run_shell(b"echo out; echo err >&2", &CommandLimits::default())?;
//! assert_eq!(outcome.output, b"out\nerr\n");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::ffi::OsStr;
use std::fmt;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

/// The remote-command servers' default `--timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The remote-command servers' default `--max-output` (16 MiB).
pub const DEFAULT_MAX_OUTPUT: usize = 16 * 1024 * 1024;

/// How long a shell killed with SIGKILL may take to be reaped before we
/// give up on it (it only takes longer when stuck in the kernel).
const KILL_GRACE: Duration = Duration::from_secs(5);

/// How long the pipes may stay open once the process group is dead. Only a
/// process that left the group (`setsid`) can hold them that long; we stop
/// waiting for it and keep what was read.
const READ_GRACE: Duration = Duration::from_secs(2);

/// How much one `read` from a pipe takes.
const CHUNK: usize = 64 * 1024;

/// The bounds of one command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandLimits {
    /// The whole process group is killed after this long.
    pub timeout: Duration,
    /// At most this many bytes of output (stdout and stderr together) are
    /// kept.
    pub max_output: usize,
}

/// The safety options of a server that runs commands for its peers,
/// flattened into `rexec_tcp server` and `rexec_udp server`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExecArgs {
    /// Allow a --host other than loopback. Anyone who can reach the server
    /// can then run any command as you.
    #[arg(long)]
    pub allow_remote: bool,

    /// Kill a command, with every process it started, after this many
    /// seconds.
    #[arg(long, default_value_t = DEFAULT_TIMEOUT.as_secs(), value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,

    /// Keep at most this many bytes of a command's output (stdout and stderr
    /// together); the rest is dropped and the reply says so.
    #[arg(long, default_value_t = DEFAULT_MAX_OUTPUT, value_name = "BYTES",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1 << 30))]
    pub max_output: usize,
}

impl ExecArgs {
    /// The limits each command runs under.
    pub fn limits(&self) -> CommandLimits {
        CommandLimits {
            timeout: Duration::from_secs(self.timeout),
            max_output: self.max_output,
        }
    }
}

impl Default for CommandLimits {
    fn default() -> Self {
        CommandLimits {
            timeout: DEFAULT_TIMEOUT,
            max_output: DEFAULT_MAX_OUTPUT,
        }
    }
}

/// How the shell ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Termination {
    /// It exited with this code.
    Exited(i32),
    /// A signal killed it (SIGKILL after a timeout, or one the command sent).
    Killed(i32),
}

impl Termination {
    fn from_status(status: ExitStatus) -> Self {
        match (status.code(), status.signal()) {
            (Some(code), _) => Termination::Exited(code),
            (None, Some(signal)) => Termination::Killed(signal),
            // wait() reports only exits and deaths by signal; a status that
            // is neither is not a success.
            (None, None) => Termination::Exited(-1),
        }
    }

    /// One number for both cases, as a shell's `$?`: the exit code, or 128
    /// plus the signal number.
    pub fn exit_code(self) -> i32 {
        match self {
            Termination::Exited(code) => code,
            Termination::Killed(signal) => 128 + signal,
        }
    }

    /// Did the command succeed (exit code 0)?
    pub fn success(self) -> bool {
        self == Termination::Exited(0)
    }
}

impl fmt::Display for Termination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Termination::Exited(code) => write!(f, "exit code {code}"),
            Termination::Killed(signal) => match Signal::try_from(signal) {
                Ok(name) => write!(f, "killed by {name}"),
                Err(_) => write!(f, "killed by signal {signal}"),
            },
        }
    }
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// How the shell ended.
    pub termination: Termination,
    /// Its stdout, then its stderr; at most `limits.max_output` bytes.
    pub output: Vec<u8>,
    /// Some output was dropped to stay within `limits.max_output`.
    pub truncated: bool,
    /// How many bytes were dropped.
    pub dropped: u64,
    /// The command ran past `limits.timeout` and its group was killed.
    pub timed_out: bool,
    /// The limits it ran under.
    pub limits: CommandLimits,
}

impl Outcome {
    /// The server's log line for it: `exit code 0, 1234 bytes, cut (5 bytes
    /// dropped), killed after --timeout`.
    pub fn summary(&self) -> String {
        let mut text = format!("{}, {} bytes", self.termination, self.output.len());
        if self.truncated {
            text.push_str(&format!(", cut ({} bytes dropped)", self.dropped));
        }
        if self.timed_out {
            text.push_str(", killed after --timeout");
        }
        text
    }

    /// The text a remote-command server sends back: the output, or a line
    /// saying there was none (so a client never waits for nothing), then a
    /// note for each limit that was hit.
    pub fn reply(&self) -> Vec<u8> {
        let mut reply = self.output.clone();
        if reply.is_empty() && !self.timed_out {
            let line = if self.termination.success() {
                "(command succeeded, no output)\n".to_string()
            } else {
                format!("(command failed with {}, no output)\n", self.termination)
            };
            reply.extend_from_slice(line.as_bytes());
        }
        let mut note = |text: String| {
            if !reply.is_empty() && !reply.ends_with(b"\n") {
                reply.push(b'\n');
            }
            reply.extend_from_slice(text.as_bytes());
        };
        if self.truncated {
            note(format!(
                "[output cut at {} bytes: {} more bytes dropped]\n",
                self.limits.max_output, self.dropped
            ));
        }
        if self.timed_out {
            note(format!(
                "[command killed after {}: it ran longer than the server's timeout]\n",
                seconds(self.limits.timeout)
            ));
        }
        reply
    }
}

/// A duration as `10 s` or `0.5 s`.
fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{secs:.0} s")
    } else {
        format!("{secs} s")
    }
}

/// Runs `command` with `sh -c`, within `limits`; see the module doc.
///
/// The command is bytes, as it came off the network: it need not be UTF-8.
/// An error means the shell could not be started (or, a command with a NUL
/// byte, could not even be passed to it); what the command itself does —
/// fail, print garbage, hang — is reported in the [`Outcome`].
pub fn run_shell(command: &[u8], limits: &CommandLimits) -> io::Result<Outcome> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(OsStr::from_bytes(command))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0) // its own group, led by the shell: pgid == pid
        .spawn()?;
    let group = Pid::from_raw(i32::try_from(child.id()).expect("pids fit in i32"));
    let stdout = Capture::start(child.stdout.take().expect("stdout is piped"), limits);
    let stderr = Capture::start(child.stderr.take().expect("stderr is piped"), limits);

    let (reaped, shell_done) = mpsc::channel();
    let waiter = thread::Builder::new()
        .name("exec wait".into())
        .spawn(move || {
            let _ = reaped.send(child.wait());
        });
    if let Err(e) = waiter {
        kill_group(group); // nobody would wait for it: do not leave it running
        return Err(e);
    }

    let (status, timed_out) = match shell_done.recv_timeout(limits.timeout) {
        Ok(status) => (status?, false),
        Err(_) => {
            kill_group(group);
            let status = shell_done
                .recv_timeout(KILL_GRACE)
                .map_err(|_| io::Error::other("the command did not die within 5 s of SIGKILL"))??;
            (status, true)
        }
    };
    // The shell is gone; whatever it left in the background (`sleep 100 &`)
    // would keep our pipes open. Killing the group closes them. Its pgid
    // stays reserved while any member lives, so this cannot hit a stranger.
    kill_group(group);

    let deadline = Instant::now() + READ_GRACE;
    let (out, out_dropped) = stdout.finish(deadline);
    let (mut err, err_dropped) = stderr.finish(deadline);

    // stdout first, then as much of stderr as still fits.
    let room = limits.max_output - out.len();
    let err_cut = err.len().saturating_sub(room);
    err.truncate(err.len() - err_cut);
    let dropped = out_dropped + err_dropped + err_cut as u64;
    let mut output = out;
    output.extend_from_slice(&err);
    Ok(Outcome {
        termination: Termination::from_status(status),
        output,
        truncated: dropped > 0,
        dropped,
        timed_out,
        limits: *limits,
    })
}

/// SIGKILL to every process of the group; an empty group is not an error.
fn kill_group(group: Pid) {
    let _ = killpg(group, Signal::SIGKILL);
}

/// What one pipe has given so far.
#[derive(Debug, Default)]
struct Captured {
    kept: Vec<u8>,
    dropped: u64,
    /// Set when we stop waiting: the reader thread then stops too.
    abandoned: bool,
}

/// One pipe, read to its end by a thread of its own.
struct Capture {
    captured: Arc<Mutex<Captured>>,
    done: Receiver<()>,
}

impl Capture {
    fn start(mut pipe: impl Read + Send + 'static, limits: &CommandLimits) -> Capture {
        let captured = Arc::new(Mutex::new(Captured::default()));
        let (finished, done) = mpsc::channel();
        let max = limits.max_output;
        let sink = Arc::clone(&captured);
        let spawned = thread::Builder::new()
            .name("exec pipe".into())
            .spawn(move || {
                let mut chunk = vec![0; CHUNK];
                loop {
                    let n = match pipe.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(_) => break,
                    };
                    let mut captured = lock(&sink);
                    if captured.abandoned {
                        break;
                    }
                    let keep = n.min(max - captured.kept.len());
                    captured.kept.extend_from_slice(&chunk[..keep]);
                    captured.dropped += (n - keep) as u64;
                }
                let _ = finished.send(());
            });
        if spawned.is_err() {
            // No thread, no reading: the command sees a closed pipe (EPIPE)
            // rather than blocking on a full one.
            lock(&captured).abandoned = true;
        }
        Capture { captured, done }
    }

    /// Waits for the end of the pipe until `deadline`, then takes what was
    /// read: the bytes kept and the count dropped.
    fn finish(self, deadline: Instant) -> (Vec<u8>, u64) {
        let left = deadline.saturating_duration_since(Instant::now());
        // Done, disconnected (no thread) or timed out: in every case we
        // take what there is.
        let _ = self.done.recv_timeout(left);
        let mut captured = lock(&self.captured);
        captured.abandoned = true;
        (std::mem::take(&mut captured.kept), captured.dropped)
    }
}

/// The captured bytes stay whole whatever a reader thread did, so a poisoned
/// lock carries no meaning here.
fn lock(mutex: &Mutex<Captured>) -> std::sync::MutexGuard<'_, Captured> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(timeout_ms: u64, max_output: usize) -> CommandLimits {
        CommandLimits {
            timeout: Duration::from_millis(timeout_ms),
            max_output,
        }
    }

    /// Generous limits: a test that hits them by accident fails loudly.
    fn roomy() -> CommandLimits {
        limits(60_000, 1 << 20)
    }

    fn run(command: &str, limits: &CommandLimits) -> Outcome {
        run_shell(command.as_bytes(), limits).expect("sh starts")
    }

    #[test]
    fn output_is_stdout_then_stderr() {
        let outcome = run(
            "echo err1 >&2; echo out1; echo err2 >&2; echo out2",
            &roomy(),
        );
        assert_eq!(outcome.output, b"out1\nout2\nerr1\nerr2\n");
        assert_eq!(outcome.termination, Termination::Exited(0));
        assert!(!outcome.truncated && !outcome.timed_out);
    }

    #[test]
    fn exit_codes_and_signals_are_reported() {
        let failed = run("exit 3", &roomy());
        assert_eq!(failed.termination, Termination::Exited(3));
        assert_eq!(failed.termination.to_string(), "exit code 3");

        let killed = run("kill -TERM $$", &roomy());
        assert_eq!(killed.termination, Termination::Killed(15));
        assert_eq!(killed.termination.exit_code(), 143);
        assert_eq!(killed.termination.to_string(), "killed by SIGTERM");
    }

    #[test]
    fn stdin_is_closed_so_cat_returns_at_once() {
        let outcome = run("cat; echo after cat", &roomy());
        assert_eq!(outcome.output, b"after cat\n");
        assert!(!outcome.timed_out);
    }

    #[test]
    fn a_command_filling_stderr_does_not_deadlock() {
        // 1 MB to stderr, far more than a pipe holds, before any stdout.
        let outcome = run(
            "head -c 1000000 /dev/zero >&2; echo done",
            &limits(60_000, 2 << 20),
        );
        assert_eq!(outcome.output.len(), 5 + 1_000_000);
        assert!(outcome.output.starts_with(b"done\n"));
        assert!(!outcome.timed_out);
    }

    #[test]
    fn output_is_capped_stdout_first_and_the_rest_counted() {
        let outcome = run(
            "head -c 600 /dev/zero | tr '\\0' o; head -c 600 /dev/zero | tr '\\0' e >&2",
            &limits(60_000, 1000),
        );
        assert_eq!(outcome.output.len(), 1000);
        assert_eq!(&outcome.output[..600], [b'o'; 600].as_slice());
        assert_eq!(&outcome.output[600..], [b'e'; 400].as_slice());
        assert!(outcome.truncated);
        assert_eq!(outcome.dropped, 200);
        assert_eq!(outcome.termination, Termination::Exited(0));
    }

    #[test]
    fn endless_output_is_capped_and_killed_at_the_timeout() {
        let outcome = run("yes", &limits(500, 1000));
        assert_eq!(outcome.output, b"y\n".repeat(500));
        assert!(outcome.truncated && outcome.dropped > 0);
        assert!(outcome.timed_out);
        assert_eq!(outcome.termination, Termination::Killed(9));
    }

    #[test]
    fn a_command_past_its_timeout_is_killed() {
        let outcome = run("echo started; sleep 100", &limits(500, 1000));
        assert!(outcome.timed_out);
        assert_eq!(outcome.termination, Termination::Killed(9));
        assert_eq!(
            outcome.output, b"started\n",
            "output before the kill is kept"
        );
        let reply = String::from_utf8(outcome.reply()).expect("ASCII");
        assert_eq!(
            reply,
            "started\n[command killed after 0.5 s: it ran longer than the server's timeout]\n"
        );
    }

    /// Whether process `pid` is gone (or a zombie waiting for init).
    fn dead(pid: i32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            // "pid (comm) STATE ...": the state follows the last ')'.
            Ok(stat) => stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        }
    }

    fn wait_until_dead(pid: i32) -> bool {
        (0..500).any(|_| {
            thread::sleep(Duration::from_millis(10));
            dead(pid)
        })
    }

    #[test]
    fn the_timeout_kills_the_whole_group_grandchildren_too() {
        // The shell waits on a child that has a background child of its own.
        let outcome = run(
            "sh -c 'sleep 100 & echo $!; wait'; wait",
            &limits(500, 1000),
        );
        assert!(outcome.timed_out);
        let text = String::from_utf8(outcome.output).expect("a pid");
        let grandchild: i32 = text.trim().parse().expect("the grandchild's pid");
        assert!(wait_until_dead(grandchild), "sleep {grandchild} survived");
    }

    #[test]
    fn a_background_grandchild_does_not_hold_the_reply() {
        // Without the group kill, the pipes stay open for 100 s.
        let outcome = run("sh -c 'sleep 100 &'", &roomy());
        assert!(!outcome.timed_out);
        assert_eq!(outcome.termination, Termination::Exited(0));
        assert_eq!(outcome.reply(), b"(command succeeded, no output)\n");

        let outcome = run("sleep 100 & echo $!", &roomy());
        assert!(!outcome.timed_out);
        let pid: i32 = String::from_utf8_lossy(&outcome.output)
            .trim()
            .parse()
            .expect("the background job's pid");
        assert!(wait_until_dead(pid), "the background sleep was killed");
    }

    #[test]
    fn background_output_before_the_shell_exits_is_kept() {
        let outcome = run("sleep 100 & echo hi", &roomy());
        assert_eq!(outcome.output, b"hi\n");
        assert!(!outcome.timed_out);
    }

    #[test]
    fn bytes_that_are_not_utf8_pass_through_both_ways() {
        let outcome =
            run_shell(b"printf '\\377\\376'; echo \xe4\xbd\xa0 \xff", &roomy()).expect("sh starts");
        assert_eq!(outcome.output, b"\xff\xfe\xe4\xbd\xa0 \xff\n");
    }

    #[test]
    fn a_nul_byte_cannot_be_passed_to_the_shell() {
        let err = run_shell(b"echo a\0b", &roomy()).expect_err("NUL in an argument");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn empty_output_is_replaced_by_a_line_saying_so() {
        assert_eq!(
            run("true", &roomy()).reply(),
            b"(command succeeded, no output)\n"
        );
        assert_eq!(
            run("exit 4", &roomy()).reply(),
            b"(command failed with exit code 4, no output)\n"
        );
    }

    #[test]
    fn the_reply_notes_a_cut_after_the_output() {
        let outcome = run("printf abcdef", &limits(60_000, 4));
        assert_eq!(
            outcome.reply(),
            b"abcd\n[output cut at 4 bytes: 2 more bytes dropped]\n"
        );
    }

    #[test]
    fn a_missing_command_reports_the_shells_message() {
        let outcome = run("no-such-command-here", &roomy());
        assert_eq!(outcome.termination, Termination::Exited(127));
        let text = String::from_utf8_lossy(&outcome.output);
        assert!(text.contains("no-such-command-here"), "{text}");
        assert!(text.contains("not found"), "{text}");
    }
}
