//! `scripts/tcp-states.sh` (docs/lessons/tcp_states.md): every state of
//! TCP's state diagram, held open by an nftables rule on two network
//! namespaces and seen in `ss -tano`, run the way a teacher runs it:
//!
//! * anywhere: `--help` (also through `scripts/netlab.sh --states`), and a
//!   usage error exits 2 before anything is made;
//! * not as root: the script refuses with exit 2 and says it needs root;
//! * as root: each of the eleven states is seen, with its `ss` line and its
//!   four-tuple, each held by the rule the page names (its counter shows the
//!   drops), in well under a minute; `--capture` shows the segments, among
//!   them the two FINs of the simultaneous close that cross on the wire;
//!   everything is torn down at the end and on Ctrl-C.
//!
//! On a machine where even root may not create namespaces the script exits
//! 3: outside CI such a run is reported, not failed; in CI it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use testkit::lab::{
    self, assert_ctrl_c_tears_down, assert_refused_without_namespaces, assert_torn_down, is_root,
    lab_script, succeeded, Lab,
};
use testkit::{command, stderr, stdout};

/// The longest a run may take: about 15 s here, and the point of the lesson
/// is that TIME-WAIT's 60 s is shown by its timer, not waited out.
const RUN_LIMIT: Duration = Duration::from_secs(55);

/// Longer, for a run that may first install tcpdump with apt-get.
const CAPTURE_LIMIT: Duration = Duration::from_secs(300);

/// Longest the teardown after Ctrl-C may take.
const TEARDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// Every state of the diagram, as `ss` names them.
const STATES: [&str; 11] = [
    "LISTEN",
    "SYN-SENT",
    "SYN-RECV",
    "ESTAB",
    "FIN-WAIT-1",
    "FIN-WAIT-2",
    "CLOSE-WAIT",
    "LAST-ACK",
    "TIME-WAIT",
    "CLOSING",
    "CLOSED",
];

// ----------------------------------------------------------------- helpers

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts")
}

/// `bash scripts/tcp-states.sh ARGS...`.
fn tcp_states(args: &[&str]) -> Command {
    lab_script(&scripts().join("tcp-states.sh"), args)
}

/// Runs the script with `args` as root, checks that it succeeded within
/// `limit` and returns what it printed. Without root it checks the "needs
/// root" answer instead, and where the machine cannot host the lab (outside
/// CI) it checks that report; either way it then returns `None`.
fn run_ok(args: &[&str], limit: Duration) -> Option<String> {
    let started = Instant::now();
    let out = Lab::start(tcp_states(args), TEARDOWN_TIMEOUT).finish(limit);
    let took = started.elapsed();
    let text = succeeded(&out, "tcp-states", "tcp-states.sh")?;
    assert!(took < limit, "took {took:?}:\n{text}");
    Some(text)
}

/// Asserts the refusal of a run without root: exit 2, why, nothing made.
fn assert_needs_root(out: &Output) {
    lab::assert_needs_root(out, "tcp-states", "tcp-states.sh");
}

/// The `ss` line of the socket LOCAL -> PEER after a `seen STATE on SIDE: `
/// (its fields State, Recv-Q, Send-Q, Local, Peer), or the failure showing
/// everything.
fn seen_line<'a>(text: &'a str, state: &str, side: &str, local: &str, peer: &str) -> &'a str {
    let prefix = format!("seen {state} on {side}: ");
    text.lines()
        .map(str::trim_start)
        .filter_map(|line| line.strip_prefix(prefix.as_str()))
        .find(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.len() >= 5 && fields[0] == state && (fields[3], fields[4]) == (local, peer)
        })
        .unwrap_or_else(|| panic!("no {prefix:?} line for {local} -> {peer} in:\n{text}"))
}

/// Asserts that the socket LOCAL -> PEER was seen in STATE on SIDE.
fn assert_seen(text: &str, state: &str, side: &str, local: &str, peer: &str) {
    seen_line(text, state, side, local, peer);
}

/// Asserts that a `meanwhile on SIDE: ` line shows LOCAL -> PEER in STATE.
fn assert_meanwhile(text: &str, side: &str, state: &str, local: &str, peer: &str) {
    let prefix = format!("meanwhile on {side}: ");
    let found = text
        .lines()
        .map(str::trim_start)
        .filter_map(|line| line.strip_prefix(prefix.as_str()))
        .any(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.len() >= 5 && fields[0] == state && (fields[3], fields[4]) == (local, peer)
        });
    assert!(
        found,
        "no {prefix:?}{state} line for {local} -> {peer} in:\n{text}"
    );
}

/// The number of packets the counter on the first line holding both
/// `side`'s "counted" and `rule` had counted.
fn counted(text: &str, side: &str, rule: &str) -> u64 {
    let prefix = format!("nftables on {side} counted: ");
    let line = text
        .lines()
        .map(str::trim_start)
        .filter_map(|line| line.strip_prefix(prefix.as_str()))
        .find(|line| line.contains(rule))
        .unwrap_or_else(|| panic!("no {prefix:?} line with {rule:?} in:\n{text}"));
    let after = line
        .split("counter packets ")
        .nth(1)
        .unwrap_or_else(|| panic!("no counter in {line:?}"));
    after
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no packet count in {line:?}"))
}

const A: &str = "10.200.0.1";
const B: &str = "10.200.0.2";

/// A's end and B's end of experiment N: A's port 700N, B's 400N.
fn ends(n: u16) -> (String, String) {
    (format!("{A}:{}", 7000 + n), format!("{B}:{}", 40000 + n))
}

// ------------------------------------------------------------- any user

#[test]
fn help_says_which_segment_holds_each_state() {
    let out = testkit::run(tcp_states(&["--help"]), b"", RUN_LIMIT);
    assert!(out.status.success(), "stderr:\n{}", stderr(&out));
    testkit::assert_contains_all(
        &stdout(&out),
        &[
            "every state of TCP's state diagram",
            "two network namespaces",
            "veth pair",
            "SYN-SENT     B drops the SYN-ACK",
            "SYN-RECV     A drops the handshake's last ACK",
            "FIN-WAIT-1   B drops the ACK of its FIN",
            "LAST-ACK     A drops the ACK of its FIN",
            "CLOSING      both close while their FINs are on the wire",
            "60 s on Linux",
            "--capture",
            "sudo scripts/tcp-states.sh",
            "Exit status:",
        ],
    );
}

#[test]
fn netlab_states_hands_over_to_this_script() {
    let mut cmd = command("bash", [scripts().join("netlab.sh")]);
    cmd.args(["--states", "--help"]);
    let out = testkit::run(cmd, b"", RUN_LIMIT);
    assert!(out.status.success(), "stderr:\n{}", stderr(&out));
    assert!(
        stdout(&out).contains("tcp-states: every state of TCP's state diagram"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn unknown_arguments_are_usage_errors_before_anything_is_made() {
    for args in [&["--frobnicate"][..], &["--capture", "now"], &["-x"]] {
        let out = testkit::run(tcp_states(args), b"", RUN_LIMIT);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: stderr:\n{err}");
        let wrong = args.last().expect("one argument at least");
        assert!(
            err.contains(&format!("tcp-states: unknown argument '{wrong}'")),
            "{args:?}: {err}"
        );
        assert!(err.contains("see scripts/tcp-states.sh --help"), "{err}");
        assert!(stdout(&out).is_empty(), "{args:?} made: {}", stdout(&out));
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
        cmd.arg(scripts().join("tcp-states.sh"));
        testkit::run(cmd, b"", RUN_LIMIT)
    } else {
        testkit::run(tcp_states(&[]), b"", RUN_LIMIT)
    };
    assert_needs_root(&out);
}

// ---------------------------------------------------------------- as root

#[test]
fn every_state_is_seen_held_by_its_rule_in_well_under_a_minute() {
    let Some(text) = run_ok(&[], RUN_LIMIT) else {
        return;
    };
    // LISTEN: half a four-tuple.
    assert_seen(&text, "LISTEN", "A", &format!("{A}:7001"), "0.0.0.0:*");

    // SYN-SENT: B dropped A's SYN-ACK (A's resent one, too).
    let (a, b) = ends(2);
    assert_seen(&text, "SYN-SENT", "B", &b, &a);
    assert!(
        counted(&text, "B", "tcp flags syn,ack / syn,ack") >= 1,
        "{text}"
    );

    // SYN-RECV: A dropped the last ACK; B, which sent it, is ESTAB.
    let (a, b) = ends(3);
    assert_seen(&text, "SYN-RECV", "A", &a, &b);
    assert_meanwhile(&text, "B", "ESTAB", &b, &a);
    assert!(counted(&text, "A", "tcp sport 40003") >= 1, "{text}");

    // ESTAB on both ends, and the accepted socket's own four-tuple.
    let (a, b) = ends(4);
    assert_seen(&text, "ESTAB", "B", &b, &a);
    assert_seen(&text, "ESTAB", "A", &a, &b);
    assert!(
        text.contains("A: accept() gave (10.200.0.1, 7004, 10.200.0.2, 40004)"),
        "{text}"
    );

    // FIN-WAIT-1: B dropped the ACK of its FIN, and resends the FIN.
    let (a, b) = ends(5);
    let line = seen_line(&text, "FIN-WAIT-1", "B", &b, &a);
    assert!(line.contains("timer:(on,"), "{line:?}");
    assert!(counted(&text, "B", "tcp sport 7005") >= 1, "{text}");

    // FIN-WAIT-2 and CLOSE-WAIT: no rule, A has not closed.
    let (a, b) = ends(6);
    assert_seen(&text, "FIN-WAIT-2", "B", &b, &a);
    assert_seen(&text, "CLOSE-WAIT", "A", &a, &b);

    // LAST-ACK: A dropped the ACK of its FIN; once the rule is gone, the
    // socket is too: CLOSED.
    let (a, b) = ends(7);
    assert_seen(&text, "LAST-ACK", "A", &a, &b);
    assert!(counted(&text, "A", "tcp sport 40007") >= 1, "{text}");
    assert!(
        text.contains(&format!(
            "seen CLOSED on A: no line for {a} -> {b} any more"
        )),
        "{text}"
    );

    // TIME-WAIT on the end that closed first, its 60 s timer counting down.
    let (a, b) = ends(8);
    let line = seen_line(&text, "TIME-WAIT", "B", &b, &a);
    assert!(
        line.ends_with("timer:(timewait,59sec,0)") || line.ends_with("timer:(timewait,58sec,0)"),
        "{line:?}"
    );
    assert!(text.contains("2 s later on B: TIME-WAIT"), "{text}");

    // CLOSING on both ends, held by the drop rules alone once the slow
    // queues are gone, then TIME-WAIT on both.
    let (a, b) = ends(9);
    assert_seen(&text, "CLOSING", "A", &a, &b);
    assert_seen(&text, "CLOSING", "B", &b, &a);
    let sides = [
        ("A", &a, &b, "tcp dport 7009 counter"),
        ("B", &b, &a, "tcp dport 40009 counter"),
    ];
    for (side, local, peer, drop_rule) in sides {
        assert_meanwhile(&text, side, "CLOSING", local, peer);
        assert_eq!(
            counted(&text, side, "limit rate 1/hour burst 1 packets"),
            1,
            "{side} took the other's first FIN, and only it:\n{text}"
        );
        assert!(counted(&text, side, drop_rule) >= 1, "{text}");
        assert_seen(&text, "TIME-WAIT", side, local, peer);
    }

    for state in STATES {
        assert!(
            text.lines()
                .any(|line| line.trim_start().starts_with(state) && line.contains(" seen on ")),
            "{state} missing from the summary:\n{text}"
        );
    }
    assert!(text.contains("11 of 11 states seen in "), "{text}");
    assert!(!text.contains("NOT SEEN"), "{text}");
    assert_torn_down(&text, "tcp-states", "tcpstates-");
}

#[test]
fn capture_shows_the_segments_and_the_crossing_fins() {
    let Some(text) = run_ok(&["--capture"], CAPTURE_LIMIT) else {
        return;
    };
    assert!(
        text.contains("tcpdump -i veth-b -n tcp on host B"),
        "{text}"
    );
    // The handshake of the ESTAB experiment, in order.
    let handshake: Vec<&str> = text
        .lines()
        .filter(|line| {
            line.contains("10.200.0.2.40004 > 10.200.0.1.7004")
                || line.contains("10.200.0.1.7004 > 10.200.0.2.40004")
        })
        .collect();
    assert_eq!(handshake.len(), 3, "{handshake:#?}");
    assert!(handshake[0].contains("Flags [S],"), "{handshake:#?}");
    assert!(handshake[1].contains("Flags [S.],"), "{handshake:#?}");
    assert!(handshake[2].contains("Flags [.], ack 1,"), "{handshake:#?}");
    // The simultaneous close: each host's first FIN acknowledges only the
    // handshake (ack 1), not the other's FIN: they crossed on the wire.
    for (from, to) in [
        ("10.200.0.1.7009", "10.200.0.2.40009"),
        ("10.200.0.2.40009", "10.200.0.1.7009"),
    ] {
        let first_fin = text
            .lines()
            .find(|line| line.contains(&format!("{from} > {to}: Flags [F.]")))
            .unwrap_or_else(|| panic!("no FIN from {from} in:\n{text}"));
        assert!(first_fin.contains("seq 1, ack 1,"), "{first_fin}");
    }
    assert!(text.contains("11 of 11 states seen in "), "{text}");
    assert_torn_down(&text, "tcp-states", "tcpstates-");
}

#[test]
fn ctrl_c_tears_everything_down() {
    let lab = Lab::start(tcp_states(&[]), TEARDOWN_TIMEOUT);
    if !is_root() {
        assert_needs_root(&lab.finish(RUN_LIMIT));
        return;
    }
    // Interrupt with connections held open on both hosts.
    assert_ctrl_c_tears_down(lab, "== FIN-WAIT-1", RUN_LIMIT, "tcp-states", "tcpstates-");
}

#[test]
fn where_namespaces_are_forbidden_it_says_what_failed() {
    if !is_root() {
        assert_needs_root(&Lab::start(tcp_states(&[]), TEARDOWN_TIMEOUT).finish(RUN_LIMIT));
        return;
    }
    assert_refused_without_namespaces(
        [scripts().join("tcp-states.sh")],
        RUN_LIMIT,
        "tcp-states",
        "tcpstates-",
    );
}
