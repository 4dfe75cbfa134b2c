//! Reading what a process printed, and checking it.

use std::collections::BTreeSet;
use std::process::Output;

/// `bytes` as text, each invalid UTF-8 sequence shown as U+FFFD.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What a finished process printed on stdout, as [`text`].
pub fn stdout(out: &Output) -> String {
    text(&out.stdout)
}

/// What a finished process printed on stderr, as [`text`].
pub fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

/// Asserts that `text` contains each of `needles`, where any run of two or
/// more spaces (the padding of a table column) matches any other: a test
/// names the columns it expects, not how wide they are today.
pub fn assert_contains_all(text: &str, needles: &[&str]) {
    let squeezed = squeeze_padding(text);
    for needle in needles {
        assert!(
            squeezed.contains(&squeeze_padding(needle)),
            "missing {needle:?} in:\n{text}"
        );
    }
}

/// `text` with every run of two or more spaces made exactly two.
fn squeeze_padding(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut spaces = 0;
    for c in text.chars() {
        if c == ' ' {
            spaces += 1;
            continue;
        }
        out.push_str(match spaces {
            0 => "",
            1 => " ",
            _ => "  ",
        });
        spaces = 0;
        out.push(c);
    }
    out
}

/// The numbers that follow `prefix` on the lines of `text` that start with
/// it: `numbers_after(out, "Request timed out for seq=")` is the set of
/// pings that timed out. A line whose rest is not a number fails the test.
pub fn numbers_after(text: &str, prefix: &str) -> BTreeSet<u64> {
    text.lines()
        .filter_map(|line| line.strip_prefix(prefix))
        .map(|number| {
            number
                .parse()
                .unwrap_or_else(|e| panic!("{number:?} after {prefix:?}: {e}"))
        })
        .collect()
}

/// What `seq 1 LAST` prints: the numbers from 1 to `last`, one a line.
pub fn seq_output(last: u32) -> Vec<u8> {
    (1..=last)
        .map(|n| format!("{n}\n"))
        .collect::<String>()
        .into_bytes()
}
