//! `scripts/netlab.sh`, the two-host lab (docs/netlab.md), run the way a
//! teacher runs it, with short configurations and only the `udp_pinger`
//! experiment (the binary this crate builds):
//!
//! * anywhere: `--help`, and usage errors exit 2 before anything is made;
//! * not as root: the script refuses with exit 2 and says it needs root;
//! * as root: the real lab — two namespaces, a veth pair, nftables loss and
//!   a tbf rate limit; the measured loss is the configured one; everything
//!   is torn down at the end and on Ctrl-C; where namespaces are forbidden
//!   (a user namespace stands in for such a sandbox) it says what failed.
//!
//! On a machine where even root may not create namespaces the script exits
//! 3: outside CI such a run is reported, not failed; in CI it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use testkit::lab::{
    self, assert_ctrl_c_tears_down, assert_refused_without_namespaces, assert_torn_down, is_root,
    lab_script, succeeded, Lab,
};
use testkit::{command, stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_udp_pinger");

/// Longest a short lab run may take (building the link takes a second, 200
/// pings with 19% loss about five).
const LAB_TIMEOUT: Duration = Duration::from_secs(180);

/// Longest the teardown after Ctrl-C may take.
const TEARDOWN_TIMEOUT: Duration = Duration::from_secs(60);

// ----------------------------------------------------------------- helpers

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/netlab.sh")
}

/// The directory of the `udp_pinger` binary under test, for `--bin-dir`.
fn bin_dir() -> &'static Path {
    Path::new(BIN)
        .parent()
        .expect("a binary's path has a directory")
}

/// `bash scripts/netlab.sh ARGS... --bin-dir DIR`: nothing to build, the
/// binary is the one cargo built for this test.
fn netlab(args: &[&str]) -> Command {
    let mut cmd = lab_script(&script(), args);
    cmd.arg("--bin-dir").arg(bin_dir());
    cmd
}

/// Runs the lab with `args` (split at spaces) to its end.
fn run_lab(args: &str) -> Output {
    let args: Vec<&str> = args.split_whitespace().collect();
    Lab::start(netlab(&args), TEARDOWN_TIMEOUT).finish(LAB_TIMEOUT)
}

/// Runs the lab with `args` as root and returns what it printed, having
/// checked that it succeeded. Without root it checks the "needs root"
/// answer instead, and where the machine cannot host the lab (outside CI)
/// it checks that report; either way it then returns `None`.
fn run_lab_ok(args: &str) -> Option<String> {
    succeeded(&run_lab(args), "netlab", "netlab.sh")
}

/// The number before `suffix` on the line that starts with `prefix`:
/// `number_between(out, "verdict: OK: ", "% of round trips lost")`.
fn number_between(text: &str, prefix: &str, suffix: &str) -> f64 {
    let line = text
        .lines()
        .map(str::trim_start)
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{text}"));
    let number = line
        .split(suffix)
        .next()
        .unwrap_or_else(|| panic!("no {suffix:?} in {line:?}"));
    number
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{number:?} in {line:?} is not a number: {e}"))
}

/// Asserts the refusal of a run without root: exit 2, why, nothing made.
fn assert_needs_root(out: &Output) {
    lab::assert_needs_root(out, "netlab", "netlab.sh");
}

// ------------------------------------------------------------- any user

#[test]
fn help_describes_the_lab_and_its_options() {
    let out = testkit::run(netlab(&["--help"]), b"", LAB_TIMEOUT);
    assert!(out.status.success(), "stderr:\n{}", stderr(&out));
    testkit::assert_contains_all(
        &stdout(&out),
        &[
            "two hosts on one machine",
            "veth pair",
            "nftables",
            "tc tbf",
            "--loss PCT",
            "--rate RATE",
            "--pings N",
            "--file-mib N",
            "--rto-min MS",
            "--only LIST",
            "--keep",
            "--clean",
            "sudo scripts/netlab.sh",
            "Exit status:",
        ],
    );
}

#[test]
fn bad_options_are_usage_errors_before_anything_is_made() {
    let cases: [(&[&str], &str); 9] = [
        (
            &["--loss", "101"],
            "--loss takes a whole percentage from 0 to 100",
        ),
        (&["--loss", "ten"], "--loss takes a whole percentage"),
        (
            &["--rate", "20mbps"],
            "--rate takes a number and bit, kbit, mbit or gbit",
        ),
        (
            &["--rate", "1kbit"],
            "--rate must be between 64kbit and 10gbit",
        ),
        (&["--pings", "0"], "--pings takes a number from 1 to 100000"),
        (
            &["--rto-min", "0"],
            "--rto-min takes a number of milliseconds from 1 to 1000",
        ),
        (
            &["--rto-min", "10ms"],
            "--rto-min takes a number of milliseconds",
        ),
        (
            &["--only", "udp_pinger,gopher"],
            "no experiment named 'gopher'",
        ),
        (&["--frobnicate"], "unknown argument '--frobnicate'"),
    ];
    for (args, message) in cases {
        let out = testkit::run(netlab(args), b"", LAB_TIMEOUT);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: stderr:\n{err}");
        assert!(err.contains(message), "{args:?}: no {message:?} in:\n{err}");
        assert!(err.contains("see scripts/netlab.sh --help"), "{err}");
        assert!(
            stdout(&out).is_empty(),
            "{args:?} made something:\n{}",
            stdout(&out)
        );
    }
}

#[test]
fn without_root_it_says_it_needs_root_and_exits_2() {
    let out = if is_root() {
        // Root plays a user with no privileges at all: nobody.
        let mut cmd = command(
            "setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", "bash"],
        );
        cmd.arg(script()).args(["--only", "udp_pinger"]);
        testkit::run(cmd, b"", LAB_TIMEOUT)
    } else {
        testkit::run(netlab(&["--only", "udp_pinger"]), b"", LAB_TIMEOUT)
    };
    assert_needs_root(&out);
}

// ---------------------------------------------------------------- as root

#[test]
fn the_lab_measures_the_loss_of_a_real_lossy_link() {
    let Some(text) = run_lab_ok("--only udp_pinger --pings 200 --loss 10") else {
        return;
    };
    testkit::assert_contains_all(
        &text,
        &[
            "veth-a 10.200.0.1/30  <====>  veth-b 10.200.0.2/30",
            "numgen random mod 100 < 10 counter name \"dropped\" drop",
            "qdisc tbf",
            "rate 20Mbit",
            "A server| listening on 10.200.0.1:12000",
            "B client| 200 packets transmitted",
            "pings lost on the way to A:",
            "replies lost on the way to B:",
            "expected 19.0% = 1 - (1 - 0.10)^2",
            "nftables counted: at A ",
            "verdict: OK: ",
        ],
    );
    // The script judges the figure itself; this checks that judgement from
    // outside: 10% each way loses 19% of round trips, and 200 pings put
    // 5% and 40% more than five standard deviations away.
    let lost = number_between(&text, "verdict: OK: ", "% of round trips lost");
    assert!((5.0..=40.0).contains(&lost), "{lost}% lost:\n{text}");
    let dropped_at_a = number_between(&text, "nftables counted: at A ", " of ");
    assert!(dropped_at_a > 0.0, "nftables dropped nothing at A:\n{text}");
    assert_torn_down(&text, "netlab", "netlab-");
}

#[test]
fn without_loss_every_ping_comes_back_and_nothing_is_dropped() {
    let Some(text) = run_lab_ok("--only udp_pinger --pings 50 --loss 0 --rate 1mbit") else {
        return;
    };
    testkit::assert_contains_all(
        &text,
        &[
            "numgen random mod 100 < 0 counter",
            "rate 1Mbit",
            "nftables counted: at A 0 of 50 (0.0%) dropped, at B 0 of 50 (0.0%) dropped",
            "pings lost on the way to A:   0 of 50 (0.0%)",
            "verdict: OK: ",
        ],
    );
    assert_torn_down(&text, "netlab", "netlab-");
}

#[test]
fn ctrl_c_tears_everything_down() {
    let lab = Lab::start(
        netlab(&["--only", "udp_pinger", "--pings", "100000"]),
        TEARDOWN_TIMEOUT,
    );
    if !is_root() {
        assert_needs_root(&lab.finish(LAB_TIMEOUT));
        return;
    }
    // Interrupt in the middle of the pings: the servers, the client, the
    // namespaces and the work directory are all up.
    assert_ctrl_c_tears_down(
        lab,
        "B: udp_pinger client",
        LAB_TIMEOUT,
        "netlab",
        "netlab-",
    );
}

#[test]
fn where_namespaces_are_forbidden_it_says_what_failed() {
    if !is_root() {
        let out = run_lab("--only udp_pinger");
        assert_needs_root(&out);
        return;
    }
    let script = script();
    let mut args = vec![script.as_os_str()];
    args.extend(["--only", "udp_pinger", "--pings", "5", "--bin-dir"].map(std::ffi::OsStr::new));
    args.push(bin_dir().as_os_str());
    assert_refused_without_namespaces(args, LAB_TIMEOUT, "netlab", "netlab-");
}
