//! The commands on the pages do what the pages say. Every code block of a
//! lesson page with `$ COMMAND` lines is run here, command by command in
//! one shell, and what each prints (stdout and stderr, as a terminal shows
//! them) must be the lines the page shows under it, through snapbox, with
//! only ports, times and the temporary directory made alike on both sides.
//! A line `...` on a page stands for lines left out, as snapbox reads it.
//!
//! A block that cannot run alone (it needs a server in another terminal,
//! root, or shows this machine's own state) says so on the line before it:
//! `<!-- not checked: WHY -->`; the two-terminal flows are run by
//! `scripts/demo.sh`, and each lesson page names its demo section. Nothing
//! else is skipped: a new block is checked unless it says why not.
//!
//! As a student types them: `cargo run -q -p PKG [--example NAME] -- ARGS`
//! runs the binary cargo built (`target/debug/PKG`, `…/examples/NAME`), a
//! lesson's binary by its name is the one in `target/debug`, and `/tmp/` is
//! a temporary directory of the test's own. The shell starts in another
//! (with `scripts/` and `crates/` linked in), so a page's `> hi.txt` lands
//! there.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{LazyLock, Once};
use std::time::{Duration, Instant};

use regex::Regex;

/// Every lesson binary and step, built once (nothing to do after
/// `cargo test --workspace`, which has built them all).
fn build_everything() {
    static BUILT: Once = Once::new();
    BUILT.call_once(|| testkit::cargo_build(&["--workspace", "--bins", "--examples"]));
}

/// One block of a page that has `$ ` lines.
#[derive(Debug)]
struct Block {
    page: PathBuf,
    line: usize,
    /// `Some(why)` when the line before the block says `<!-- not checked: WHY -->`.
    not_checked: Option<String>,
    /// Each command and the lines the page shows under it.
    commands: Vec<(String, Vec<String>)>,
}

fn blocks(page: &Path) -> Vec<Block> {
    let text = fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        if !lines[at].trim_start().starts_with("```") {
            at += 1;
            continue;
        }
        let start = at;
        let end = (start + 1..lines.len())
            .find(|&i| lines[i].trim_start().starts_with("```"))
            .unwrap_or_else(|| {
                panic!(
                    "{}:{}: a code block that never ends",
                    page.display(),
                    start + 1
                )
            });
        at = end + 1;
        let body = &lines[start + 1..end];
        if !body.iter().any(|line| line.starts_with("$ ")) {
            continue;
        }
        let before = lines[..start]
            .iter()
            .rev()
            .find(|line| !line.trim().is_empty());
        let not_checked = before.and_then(|line| {
            let why = line
                .trim()
                .strip_prefix("<!-- not checked:")?
                .strip_suffix("-->")?;
            Some(why.trim().to_string())
        });
        let mut commands: Vec<(String, Vec<String>)> = Vec::new();
        for line in body {
            if let Some(command) = line.strip_prefix("$ ") {
                commands.push((command.to_string(), Vec::new()));
            } else if let Some((_, shown)) = commands.last_mut() {
                shown.push(line.to_string());
            } else {
                panic!(
                    "{}:{}: output before the first `$ ` line",
                    page.display(),
                    start + 2
                );
            }
        }
        for (_, shown) in &mut commands {
            while shown.last().is_some_and(|line| line.trim().is_empty()) {
                shown.pop(); // the blank line that separates it from the next command
            }
        }
        found.push(Block {
            page: page.to_path_buf(),
            line: start + 1,
            not_checked,
            commands,
        });
    }
    found
}

/// The command as the test runs it: `cargo run` replaced by what it runs,
/// `/tmp/` by the test's own directory.
fn as_run(command: &str) -> String {
    static EXAMPLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"cargo run (?:-q )?-p [a-z_]+ --example ([a-z0-9_]+)(?: --)?").expect("a regex")
    });
    static BINARY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"cargo run (?:-q )?-p ([a-z_]+)(?: --)?").expect("a regex"));
    let command = EXAMPLE.replace_all(command, "$1");
    let command = BINARY.replace_all(&command, "$1");
    command.replace("/tmp/", "\"$T\"/")
}

/// Ports, times and the temporary directory, the same on both sides.
fn alike(text: &str, tmp: &Path) -> String {
    static PORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"((?:\d{1,3}\.){3}\d{1,3}|\[[0-9a-f:]+\]|localhost):\d{1,5}\b")
            .expect("a regex")
    });
    static STAMP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?").expect("a regex")
    });
    static CLOCK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d\d:\d\d:\d\d\b").expect("a regex"));
    static MILLIS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d+(?:\.\d+)? ms\b").expect("a regex"));
    let text = text.replace(&tmp.display().to_string(), "/tmp");
    let text = PORT.replace_all(&text, "$1:[PORT]");
    let text = STAMP.replace_all(&text, "[TIME]");
    let text = CLOCK.replace_all(&text, "[TIME]");
    MILLIS.replace_all(&text, "[MS] ms").into_owned()
}

/// Runs a block's commands in one bash, each `{ COMMAND\n} 2>&1`, with a
/// separator printed after each (and `$?` kept for the next command);
/// returns what each printed.
fn run_block(block: &Block, tmp: &Path, cwd: &Path) -> Vec<String> {
    const LIMIT: Duration = Duration::from_secs(30);
    let mut script = String::from("set +e\n");
    for (command, _) in &block.commands {
        script.push_str(&format!(
            // on a line of its own: a page's `# comment` ends there
            "{{\n{}\n}} 2>&1 </dev/null; __s=$?; printf '\\036\\n'; (exit $__s)\n",
            as_run(command)
        ));
    }
    let path = format!(
        "{}:{}:{}",
        testkit::profile_dir().join("examples").display(),
        testkit::profile_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(cwd)
        .env("PATH", path)
        .env("T", tmp)
        .env("LANG", "C.UTF-8")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bash");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait for bash").is_some() {
            break;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{}:{}: the block ran for more than {LIMIT:?}; killed",
                block.page.display(),
                block.line
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("bash's output");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut each: Vec<String> = printed.split("\u{1e}\n").map(str::to_string).collect();
    each.pop(); // after the last separator
    assert_eq!(
        each.len(),
        block.commands.len(),
        "{}:{}: bash did not run every command; it printed:\n{printed}\n{}",
        block.page.display(),
        block.line,
        String::from_utf8_lossy(&out.stderr)
    );
    each
}

#[test]
fn every_command_a_page_shows_prints_what_the_page_shows() {
    build_everything();
    let mut failures = Vec::new();
    let mut checked = 0;
    for page in testkit::lesson_pages() {
        for block in blocks(&page) {
            if block.not_checked.is_some() {
                continue;
            }
            let tmp = tempfile::tempdir().expect("a temporary directory");
            let cwd = tempfile::tempdir().expect("a temporary directory");
            for linked in ["scripts", "crates"] {
                std::os::unix::fs::symlink(
                    testkit::repo_root().join(linked),
                    cwd.path().join(linked),
                )
                .expect("link into the shell's directory");
            }
            let printed = run_block(&block, tmp.path(), cwd.path());
            for ((command, shown), actual) in block.commands.iter().zip(printed) {
                checked += 1;
                let expected = alike(&shown.join("\n"), tmp.path());
                let actual = alike(actual.trim_end(), tmp.path());
                if let Err(e) = snapbox::Assert::new().normalize_paths(false).try_eq(
                    Some(&"what it printed"),
                    actual.into(),
                    expected.into(),
                ) {
                    failures.push(format!(
                        "{}:{}: $ {command}\n{e}",
                        block.page.display(),
                        block.line
                    ));
                }
            }
        }
    }
    assert!(
        checked >= 15,
        "only {checked} commands checked: is the scan broken?"
    );
    eprintln!("{checked} commands of the pages checked");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_block_left_unchecked_says_why_and_each_page_names_its_demo() {
    let demo = Command::new("bash")
        .arg(testkit::repo_root().join("scripts/demo.sh"))
        .arg("--list")
        .output()
        .expect("run scripts/demo.sh --list");
    assert!(demo.status.success(), "scripts/demo.sh --list failed");
    let lessons: Vec<String> = String::from_utf8_lossy(&demo.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(lessons.len() >= 10, "demo.sh --list gave {lessons:?}");
    let mut problems = Vec::new();
    let (mut run, mut skipped) = (0, 0);
    for page in testkit::lesson_pages() {
        for block in blocks(&page) {
            match &block.not_checked {
                Some(why) if why.len() < 10 => problems.push(format!(
                    "{}:{}: `not checked` needs a reason",
                    page.display(),
                    block.line
                )),
                Some(why) => {
                    skipped += 1;
                    // A demo section a reason names must be one demo.sh has.
                    let named = why.split("scripts/demo.sh ").skip(1).map(|rest| {
                        rest.split_whitespace()
                            .find(|word| !word.starts_with("--"))
                            .unwrap_or("")
                            .to_string()
                    });
                    for lesson in named {
                        if !lessons.contains(&lesson) {
                            problems.push(format!(
                                "{}:{}: names scripts/demo.sh {lesson}, which demo.sh does not have",
                                page.display(),
                                block.line
                            ));
                        }
                    }
                }
                None => run += 1,
            }
        }
        let text = fs::read_to_string(&page).expect("a readable page");
        let named = lessons
            .iter()
            .any(|lesson| text.contains(&format!("scripts/demo.sh {lesson}`")));
        if !named {
            problems.push(format!(
                "{} names no demo section (`scripts/demo.sh LESSON`, one of {lessons:?})",
                page.display()
            ));
        }
    }
    eprintln!("{run} blocks run, {skipped} not checked (each saying why)");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_runner_reads_and_rewrites_as_it_says() {
    assert_eq!(
        as_run("cargo run -q -p struct_header --example struct_1_pack -- -1 0"),
        "struct_1_pack -1 0"
    );
    assert_eq!(
        as_run("cargo run -p struct_header -- pack 12"),
        "struct_header pack 12"
    );
    assert_eq!(
        as_run("printf 'a' > /tmp/z.txt"),
        "printf 'a' > \"$T\"/z.txt"
    );
    let tmp = Path::new("/var/tmp/abc");
    assert_eq!(
        alike(
            "cannot connect to 127.0.0.1:45123 at 2026-12-04 01:02:03, /var/tmp/abc/x 0.250 ms",
            tmp
        ),
        "cannot connect to 127.0.0.1:[PORT] at [TIME], /tmp/x [MS] ms"
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let page = dir.path().join("page.md");
    fs::write(
        &page,
        "<!-- not checked: needs a server -->\n```text\n$ a\nx\n```\n\n```console\n$ b\n\n$ c\ny\nz\n```\n",
    )
    .expect("write");
    let found = blocks(&page);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].not_checked.as_deref(), Some("needs a server"));
    assert_eq!(found[1].not_checked, None);
    assert_eq!(
        found[1].commands,
        [
            ("b".to_string(), vec![]),
            ("c".to_string(), vec!["y".to_string(), "z".to_string()])
        ]
    );
}
