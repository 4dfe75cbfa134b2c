//! Scripts that build network namespaces as root (`scripts/netlab.sh`,
//! `scripts/tcp-states.sh`), run the way a student runs them: a [`Lab`] is
//! interrupted, not killed, when a failed assertion drops it, so it tears
//! its namespaces down; without root a script must refuse, and where the
//! machine cannot host namespaces it must say so (a failure in CI).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread;
use std::time::{Duration, Instant};

use crate::{command, stderr, stdout, Process};

/// A lab script's exit status when the machine cannot host it.
pub const CANNOT_HOST: i32 = 3;

/// `bash SCRIPT ARGS...`, with SIGINT reset to its default first: a test
/// run started in the background of a shell would otherwise pass on
/// "ignore SIGINT", which a shell cannot trap.
pub fn lab_script(script: &Path, args: &[&str]) -> Command {
    let mut cmd = command("env", ["--default-signal=INT", "bash"]);
    cmd.arg(script).args(args);
    cmd
}

/// The effective user id, from `/proc/self/status` (`Uid: real effective ...`).
pub fn effective_uid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let uids = status.lines().find_map(|line| line.strip_prefix("Uid:"))?;
    uids.split_whitespace().nth(1)?.parse().ok()
}

pub fn is_root() -> bool {
    effective_uid() == Some(0)
}

/// A running lab. Dropped while still running (a failed assertion), it is
/// interrupted and given up to `teardown` to tear down, rather than killed
/// with its namespaces still up.
#[derive(Debug)]
pub struct Lab {
    process: Process,
    teardown: Duration,
}

impl Lab {
    pub fn start(cmd: Command, teardown: Duration) -> Lab {
        Lab {
            process: Process::start(cmd),
            teardown,
        }
    }

    /// The running script, to read its output or interrupt it.
    pub fn process(&mut self) -> &mut Process {
        &mut self.process
    }

    /// Waits for the end and returns everything the script printed.
    pub fn finish(mut self, timeout: Duration) -> Output {
        let status = self.process.wait(timeout);
        Output {
            status,
            stdout: self.process.stdout.text().into_bytes(),
            stderr: self.process.stderr.text().into_bytes(),
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if !self.process.is_running() {
            return;
        }
        self.process.interrupt();
        let deadline = Instant::now() + self.teardown;
        while self.process.is_running() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Whether the machine could not host the lab (exit [`CANNOT_HOST`]). The
/// script, whose messages start with `name: `, must say why; and in CI,
/// which runs as root and must host the lab, it is a failure.
pub fn cannot_host(out: &Output, name: &str) -> bool {
    if out.status.code() != Some(CANNOT_HOST) {
        return false;
    }
    let err = stderr(out);
    let says_why = err.contains("cannot") || err.contains("missing");
    assert!(
        err.contains(&format!("{name}: ")) && says_why,
        "exit 3 without saying why:\n{err}"
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "CI runs as root and must be able to host the lab, but:\n{err}"
    );
    eprintln!("{name} cannot run on this machine; not tested here:\n{err}");
    true
}

/// Asserts a lab's refusal to run without root: exit 2, saying why
/// (`NAME: needs root`, network namespaces) and how (`sudo scripts/SCRIPT`),
/// nothing made before the check.
pub fn assert_needs_root(out: &Output, name: &str, script: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    assert!(err.contains(&format!("{name}: needs root")), "{err}");
    assert!(err.contains("network namespaces"), "it says why: {err}");
    assert!(
        err.contains(&format!("sudo scripts/{script}")),
        "it says how: {err}"
    );
    assert!(
        !stdout(out).contains("work directory"),
        "nothing is made before the root check:\n{}",
        stdout(out)
    );
}

/// What a finished lab run printed, once it is known to have succeeded.
/// Without root the run must have been the refusal of
/// [`assert_needs_root`], and where the machine cannot host the lab (outside
/// CI) the report of [`cannot_host`]; either way there is nothing to check
/// and this returns `None`.
pub fn succeeded(out: &Output, name: &str, script: &str) -> Option<String> {
    if !is_root() {
        assert_needs_root(out, name, script);
        return None;
    }
    if cannot_host(out, name) {
        return None;
    }
    let text = stdout(out);
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{text}\nstderr:\n{}",
        out.status,
        stderr(out)
    );
    Some(text)
}

/// The namespaces a run made: the words of its output that start with
/// `ns_prefix` (`netlab-`, `tcpstates-`) and end in `-a` or `-b`.
pub fn namespaces(out: &str, ns_prefix: &str) -> Vec<String> {
    out.split_whitespace()
        .filter(|word| {
            word.starts_with(ns_prefix) && (word.ends_with("-a") || word.ends_with("-b"))
        })
        .map(str::to_string)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The work directory from the script's `name: work directory DIR` line.
pub fn work_dir(out: &str, name: &str) -> PathBuf {
    let prefix = format!("{name}: work directory ");
    let dir = out
        .lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no work directory line in:\n{out}"));
    PathBuf::from(dir.trim())
}

/// Asserts that a run of the script `name` left nothing behind: its two
/// namespaces (with them the veth pair, the nftables tables, the qdiscs
/// and every socket) and its work directory.
pub fn assert_torn_down(out: &str, name: &str, ns_prefix: &str) {
    let made = namespaces(out, ns_prefix);
    assert_eq!(made.len(), 2, "expected two namespaces named in:\n{out}");
    for ns in &made {
        let path = Path::new("/run/netns").join(ns);
        assert!(!path.exists(), "namespace {ns} left behind:\n{out}");
    }
    let dir = work_dir(out, name);
    assert!(!dir.exists(), "{} left behind:\n{out}", dir.display());
    assert!(
        out.contains(&format!("{name}: torn down: namespaces")),
        "{out}"
    );
}

/// Interrupts `lab` once `marker` is in its output (the namespaces up,
/// processes running in them) and asserts what Ctrl-C must do: exit 130,
/// say so, and leave nothing behind. Returns early where the machine
/// cannot host the lab (outside CI).
pub fn assert_ctrl_c_tears_down(
    mut lab: Lab,
    marker: &str,
    wait: Duration,
    name: &str,
    ns_prefix: &str,
) {
    if !lab.process().stdout.wait_for(marker, wait) {
        let out = lab.finish(wait);
        if cannot_host(&out, name) {
            return;
        }
        panic!(
            "the run never got to {marker:?}:\n{}\n{}",
            crate::stdout(&out),
            stderr(&out)
        );
    }
    let made = namespaces(&lab.process().stdout.text(), ns_prefix);
    assert!(
        made.iter()
            .all(|ns| Path::new("/run/netns").join(ns).exists()),
        "{made:?} should be up during the run"
    );
    lab.process().interrupt();
    let teardown = lab.teardown;
    let out = lab.finish(teardown);
    let text = crate::stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(130),
        "stdout:\n{text}\nstderr:\n{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains(&format!("{name}: interrupted (SIGINT); tearing down")));
    assert_torn_down(&text, name, ns_prefix);
}

/// Runs `bash SCRIPT_AND_ARGS...` as root of a user namespace, which is
/// root without power over the machine's own namespaces (what a locked-down
/// container gives), and asserts the script's refusal: exit [`CANNOT_HOST`],
/// quoting what failed and saying what to do, with no work directory left.
/// Returns early where user namespaces are not available either.
pub fn assert_refused_without_namespaces<S: AsRef<std::ffi::OsStr>>(
    script_and_args: impl IntoIterator<Item = S>,
    limit: Duration,
    name: &str,
    ns_prefix: &str,
) {
    let probe = crate::run(
        command("unshare", ["--user", "--map-root-user", "true"]),
        b"",
        limit,
    );
    if !probe.status.success() {
        eprintln!(
            "no user namespaces here to play a locked-down sandbox: {}",
            stderr(&probe)
        );
        return;
    }
    let mut cmd = command("unshare", ["--user", "--map-root-user", "bash"]);
    cmd.args(script_and_args);
    let out = Lab::start(cmd, limit).finish(limit);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(CANNOT_HOST), "stderr:\n{err}");
    assert!(
        err.contains(&format!(
            "{name}: cannot create a network namespace here: `ip netns add {ns_prefix}"
        )),
        "{err}"
    );
    assert!(err.contains("said:"), "it quotes what failed: {err}");
    assert!(err.contains("--privileged"), "it says what to do: {err}");
    assert!(
        !work_dir(&crate::stdout(&out), name).exists(),
        "work directory left behind"
    );
}
