//! The pages cannot point at what is not there: every relative link in
//! `README.md` and `docs/**/*.md` names a file that exists (and, with a
//! `#anchor` into a page, a heading that exists), and every repository path
//! a page cites (`crates/…`, `scripts/…`, `docs/…`) exists. A file moved
//! or a heading renamed without its pages fails here.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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
