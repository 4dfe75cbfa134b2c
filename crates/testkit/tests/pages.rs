//! The pages cannot point at what is not there: every relative link in
//! `README.md` and `docs/**/*.md` names a file that exists (and, with a
//! `#anchor` into a page, a heading that exists), and every repository path
//! a page cites (`crates/…`, `scripts/…`, `docs/…`) exists. A file moved
//! or a heading renamed without its pages fails here.
//!
//! And the code on the pages comes from the files: every step
//! (`crates/*/examples/*.rs`, and the io_models model files) is
//! `{{#include}}`d whole by a lesson page, every diff a page cites is
//! included from `docs/diffs/`, which `scripts/step-diffs.sh --check`
//! finds made from today's files (with the pages' counts of changed lines
//! right), every include names a file and anchor that exist, and no code
//! block on a page is code pasted from the repository.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    testkit::repo_root()
}

/// README.md and every page under docs/.
fn pages() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                found.push(path);
            }
        }
    }
    let mut found = vec![root().join("README.md")];
    walk(&root().join("docs"), &mut found);
    found
}

/// The text outside fenced code blocks (where `](` is code, not a link).
fn prose(text: &str) -> String {
    let mut fenced = false;
    let mut kept = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

/// GitHub's anchor for a heading: lower case; letters, digits, `-` and `_`
/// kept; a space becomes `-`; everything else dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(page: &Path) -> BTreeSet<String> {
    let text = fs::read_to_string(page).expect("readable page");
    prose(&text)
        .lines()
        .filter(|line| line.starts_with('#'))
        .map(|line| slug(line.trim_start_matches('#')))
        .collect()
}

/// The targets of the page's `[text](target)` links.
fn links(text: &str) -> Vec<String> {
    let prose = prose(text);
    let mut found = Vec::new();
    let mut rest = prose.as_str();
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        let end = rest.find([')', ' ', '\n']).unwrap_or(rest.len());
        found.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    found
}

/// The repository paths a page cites: `crates/…`, `scripts/…`, `docs/…`,
/// leaving out patterns (`scripts/peers/ftp_*.py`) and placeholders
/// (`crates/CRATE/examples`, `crates/<lesson>/`).
fn cited_paths(text: &str) -> Vec<String> {
    let is_path_char = |c: char| c.is_ascii_alphanumeric() || "_./-".contains(c);
    let mut found = Vec::new();
    for start in ["crates/", "scripts/", "docs/"] {
        for (at, _) in text.match_indices(start) {
            if text[..at].chars().next_back().is_some_and(is_path_char) {
                continue; // part of a longer path (../docs/, target/…)
            }
            let tail = &text[at..];
            let end = tail.find(|c: char| !is_path_char(c)).unwrap_or(tail.len());
            let path = tail[..end].trim_end_matches(['.', '-']);
            let next = tail[end..].chars().next();
            let placeholder = path
                .split('/')
                .any(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_uppercase()));
            if matches!(next, Some('*' | '<' | '{'))
                || placeholder
                || path.ends_with('/') && path.len() == start.len()
            {
                continue;
            }
            found.push(path.to_string());
        }
    }
    found
}

#[test]
fn every_relative_link_reaches_a_file_and_its_heading() {
    let mut broken = Vec::new();
    for page in pages() {
        let text = fs::read_to_string(&page).expect("readable page");
        for target in links(&text) {
            if target.contains(':') {
                continue; // https:, mailto:
            }
            let (path, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let file = if path.is_empty() {
                page.clone()
            } else {
                page.parent().expect("a page's folder").join(path)
            };
            if !file.exists() {
                broken.push(format!("{}: {target}: no such file", page.display()));
            } else if !anchor.is_empty()
                && file.extension().is_some_and(|ext| ext == "md")
                && !anchors(&file).contains(anchor)
            {
                broken.push(format!("{}: {target}: no such heading", page.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_path_a_page_cites_exists() {
    let mut missing = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = fs::read_to_string(&page).expect("readable page");
        for path in cited_paths(&text) {
            checked += 1;
            if !root().join(&path).exists() {
                missing.push(format!("{}: {path}", page.display()));
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} paths found: is the scan broken?"
    );
    assert!(
        missing.is_empty(),
        "cited but missing:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_check() {
    // The scanners on a made-up page: a link, an anchor, a cited path, and
    // what must be left out.
    let page = "See [tcp](lessons/tcp.md#the-idea) and `crates/common/src/wire.rs`.\n\
                ```\nnot a [link](code.md)\n```\n\
                Patterns: `scripts/peers/ftp_*.py`, `crates/CRATE/examples/`.\n";
    assert_eq!(links(page), ["lessons/tcp.md#the-idea"]);
    assert_eq!(cited_paths(page), ["crates/common/src/wire.rs"]);
    assert_eq!(
        slug("The Python lesson beside the Rust"),
        "the-python-lesson-beside-the-rust"
    );
    assert_eq!(slug("`--trace`: what it shows"), "--trace-what-it-shows");
    assert_eq!(slug("中文小结"), "中文小结");
}

/// Files under `crates/*/examples/` that are tools, not steps of a lesson:
/// the pages run them (ftp, BENCHMARKS) but show no code of theirs.
const NOT_STEPS: [&str; 2] = [
    "crates/ftp/examples/md5_speed.rs", // md5's speed here, for the benchmark
    "crates/ftp/examples/raw_copy.rs",  // the loopback ceiling, for the benchmark
];

/// Every `{{#include PATH}}` or `{{#include PATH:ANCHOR}}` of a page, as
/// (PATH relative to the page, ANCHOR or "").
fn includes(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("{{#include ") {
        let rest = &text[at + "{{#include ".len()..];
        let Some(end) = rest.find("}}") else { continue };
        let target = rest[..end].trim();
        let (path, anchor) = target.split_once(':').unwrap_or((target, ""));
        found.push((path.to_string(), anchor.to_string()));
    }
    found
}

/// The files under `dir` (recursively) whose name ends with `ext`.
fn files_under(dir: &Path, ext: &str, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            if !path.ends_with("target") {
                files_under(&path, ext, found);
            }
        } else if path.to_string_lossy().ends_with(ext) {
            found.push(path);
        }
    }
}

/// A line as the paste check compares it: trimmed; for a diff, without its
/// `+`, `-` or ` ` column.
fn code_line(line: &str, diff: bool) -> &str {
    let line = if diff && !line.starts_with("@@") {
        line.get(1..).unwrap_or("")
    } else {
        line
    };
    line.trim()
}

/// Each run of three lines, joined, that is long enough to be code of the
/// repository's own rather than a common `}` or `Ok(())`.
fn triples<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    let kept: Vec<&str> = lines.filter(|line| line.len() >= 12).collect();
    kept.windows(3).map(|three| three.join("\n")).collect()
}

/// Every fenced block of a page: (its info string, its lines).
fn code_blocks(text: &str) -> Vec<(String, Vec<&str>)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, Vec<&str>)> = None;
    for line in text.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(info)) => open = Some((info.trim().to_string(), Vec::new())),
            (Some(_), Some(_)) => blocks.push(open.take().expect("an open block")),
            (Some((_, lines)), None) => lines.push(line),
            (None, None) => {}
        }
    }
    blocks
}

#[test]
fn the_diffs_on_the_pages_are_made_from_the_files() {
    let out = Command::new("bash")
        .arg(root().join("scripts/step-diffs.sh"))
        .arg("--check")
        .output()
        .expect("run scripts/step-diffs.sh --check");
    assert!(
        out.status.success(),
        "scripts/step-diffs.sh --check failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made = fs::read_dir(root().join("docs/diffs"))
        .expect("docs/diffs")
        .count();
    assert!(made >= 30, "only {made} diffs in docs/diffs");
}

#[test]
fn every_step_and_every_cited_diff_is_included_from_its_file() {
    let mut included = HashSet::new();
    let mut problems = Vec::new();
    for page in testkit::lesson_pages() {
        let text = fs::read_to_string(&page).expect("readable page");
        let dir = page.parent().expect("a page's folder");
        for (path, anchor) in includes(&text) {
            let file = dir.join(&path);
            let Ok(code) = fs::read_to_string(&file) else {
                problems.push(format!("{}: includes {path}: no such file", page.display()));
                continue;
            };
            let has = |mark: &str| code.contains(&format!("{mark}: {anchor}"));
            let anchored = anchor.is_empty() || has("ANCHOR") && has("ANCHOR_END");
            if !anchored {
                problems.push(format!(
                    "{}: includes {path}:{anchor}: no such anchor",
                    page.display()
                ));
            }
            included.insert(file.canonicalize().expect("an existing file"));
        }
        // Every `diff -u A B` of the page is shown, from docs/diffs/.
        for (at, _) in text.match_indices("`diff -u crates/") {
            let cited = &text[at + 1..];
            let cited = &cited[..cited.find('`').expect("a closing backtick")];
            let mut words = cited.split(' ').skip(2);
            let (Some(a), Some(b)) = (words.next(), words.next()) else {
                continue;
            };
            let stem = |p: &str| {
                Path::new(p)
                    .file_stem()
                    .expect("a file")
                    .to_string_lossy()
                    .into_owned()
            };
            let name = format!("{}..{}.diff", stem(a), stem(b));
            if !text.contains(&format!("{{{{#include ../diffs/{name}}}}}")) {
                problems.push(format!(
                    "{}: cites `{cited}` but does not include ../diffs/{name}",
                    page.display()
                ));
            }
        }
    }
    let mut steps = Vec::new();
    for entry in fs::read_dir(root().join("crates")).expect("crates/") {
        let examples = entry.expect("an entry").path().join("examples");
        if examples.is_dir() {
            files_under(&examples, ".rs", &mut steps);
        }
    }
    files_under(
        &root().join("crates/io_models/src/models"),
        ".rs",
        &mut steps,
    );
    assert!(steps.len() > 40, "only {} steps found", steps.len());
    for step in steps {
        let relative = step
            .strip_prefix(root())
            .expect("under the root")
            .to_string_lossy()
            .into_owned();
        let relative = relative.trim_start_matches("./").to_string();
        if NOT_STEPS.contains(&relative.as_str()) || relative.ends_with("models/mod.rs") {
            continue;
        }
        if !included.contains(&step.canonicalize().expect("an existing file")) {
            problems.push(format!("{relative} is on no lesson page: {{{{#include ../../{relative}}}}} it where its table names it"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_page_shows_code_pasted_from_the_repository() {
    // Every run of three code lines in the repository's Rust files and diffs.
    let mut sources = Vec::new();
    files_under(&root().join("crates"), ".rs", &mut sources);
    files_under(&root().join("docs/diffs"), ".diff", &mut sources);
    let mut known = HashSet::new();
    for source in &sources {
        let code = fs::read_to_string(source).expect("readable source");
        let diff = source.extension().is_some_and(|ext| ext == "diff");
        known.extend(triples(code.lines().map(|line| code_line(line, diff))));
    }
    assert!(
        known.len() > 10_000,
        "only {} runs of lines: is the scan broken?",
        known.len()
    );
    let mut pasted = Vec::new();
    for page in pages() {
        let text = fs::read_to_string(&page).expect("readable page");
        for (info, lines) in code_blocks(&text) {
            let diff = info.starts_with("diff");
            if !(info.starts_with("rust") || diff) || lines.iter().any(|l| l.contains("{{#include"))
            {
                continue;
            }
            if let Some(run) = triples(lines.iter().map(|line| code_line(line, diff)))
                .into_iter()
                .find(|run| known.contains(run))
            {
                pasted.push(format!(
                    "{}: a ```{info} block pastes\n{run}",
                    page.display()
                ));
            }
        }
    }
    assert!(
        pasted.is_empty(),
        "code pasted onto a page (include it: {{{{#include PATH}}}}, or PATH:ANCHOR):\n{}",
        pasted.join("\n\n")
    );
}

#[test]
fn the_include_checks_see_what_they_check() {
    let page = "```rust\n{{#include ../../crates/a/examples/x.rs}}\n```\n\
                text {{#include ../../crates/a/src/y.rs:reply}}\n\
                ```diff\n-        let a = 1234567890;\n+        let b = 1234567890;\n```\n";
    assert_eq!(
        includes(page),
        [
            ("../../crates/a/examples/x.rs".to_string(), String::new()),
            ("../../crates/a/src/y.rs".to_string(), "reply".to_string())
        ]
    );
    let blocks = code_blocks(page);
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[1].0, "diff");
    assert_eq!(
        blocks[1]
            .1
            .iter()
            .map(|l| code_line(l, true))
            .collect::<Vec<_>>(),
        ["let a = 1234567890;", "let b = 1234567890;"]
    );
    let lines = [
        "fn main() {",
        "let long_enough = 1;",
        "x",
        "let also_long = 2;",
        "let third_long = 3;",
    ];
    assert_eq!(
        triples(lines.into_iter()),
        ["let long_enough = 1;\nlet also_long = 2;\nlet third_long = 3;"]
    );
}
