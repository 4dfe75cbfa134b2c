//! The course builds as a book: `scripts/book.sh` (which installs mdBook
//! into `target/tools` the first time, a few minutes of compiling) makes
//! `target/book`, with every page of `docs/SUMMARY.md` as an HTML file, a
//! search index that finds both 粘包 and "sticky", each lesson's 中文小结
//! heading, the IO-models chart, and the README's links (included into the
//! introduction) leading to pages that exist.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `scripts/book.sh --strict` (any mdBook warning or broken link in the
/// built pages fails it) in a process group of its own, killed whole when it
/// outlives `limit`; returns what it printed (stdout and stderr together).
fn build_book(limit: Duration) -> String {
    let log = tempfile::NamedTempFile::new().expect("a temporary file");
    let out = log.reopen().expect("the log file");
    let err = out.try_clone().expect("the log file, again");
    let mut child = Command::new("bash")
        .arg(root().join("scripts/book.sh"))
        .arg("--strict")
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .expect("start scripts/book.sh");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for scripts/book.sh") {
            break status;
        }
        if started.elapsed() > limit {
            let pgid = Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
            let _ = killpg(pgid, Signal::SIGKILL);
            let _ = child.wait();
            panic!(
                "scripts/book.sh took more than {limit:?}; killed. It printed:\n{}",
                read(log.path())
            );
        }
        thread::sleep(Duration::from_millis(100));
    };
    let printed = read(log.path());
    eprintln!("scripts/book.sh ({:.1?}):\n{printed}", started.elapsed());
    assert!(
        status.success(),
        "scripts/book.sh failed ({status}):\n{printed}"
    );
    printed
}

/// The pages `docs/SUMMARY.md` names, relative to `docs/`.
fn summary_pages() -> Vec<String> {
    let summary = read(&root().join("docs/SUMMARY.md"));
    let pages: Vec<String> = summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|target| target.ends_with(".md"))
        .map(str::to_owned)
        .collect();
    assert!(
        pages.len() >= 12,
        "SUMMARY.md names too few pages: {pages:?}"
    );
    pages
}

#[test]
fn the_course_builds_as_a_book() {
    // With mdBook installed the build takes seconds; the first run compiles it.
    let installed = root().join("target/tools/bin/mdbook").exists();
    let limit = Duration::from_secs(if installed { 180 } else { 1800 });
    let printed = build_book(limit);
    let book = root().join("target/book");

    assert!(
        book.join("index.html").is_file(),
        "no target/book/index.html"
    );

    let pages = summary_pages();
    for page in &pages {
        let html = book.join(page.replace(".md", ".html"));
        assert!(
            html.is_file(),
            "SUMMARY.md names {page}, but {} was not built",
            html.display()
        );
    }

    // The search index: searchindex.json, or searchindex.js (JSON in a script).
    let index = ["searchindex.json", "searchindex.js"]
        .iter()
        .map(|name| book.join(name))
        .find(|path| path.is_file())
        .expect("target/book/searchindex.json or searchindex.js");
    let index = read(&index);
    for word in ["粘包", "sticky"] {
        assert!(
            index.contains(word),
            "the search index does not contain {word:?}"
        );
    }

    // Every lesson page keeps its Chinese summary as a heading.
    let lessons: Vec<_> = pages
        .iter()
        .filter(|page| page.starts_with("lessons/"))
        .collect();
    assert!(!lessons.is_empty(), "SUMMARY.md names no lesson page");
    for page in lessons {
        let html = read(&book.join(page.replace(".md", ".html")));
        assert!(
            html.contains(
                r##"<h2 id="中文小结"><a class="header" href="#中文小结">中文小结</a></h2>"##
            ),
            "{page}: no 中文小结 heading in its HTML"
        );
    }

    // The IO-models chart is in the book, and its page shows it.
    assert!(
        book.join("io_models.svg").is_file(),
        "target/book/io_models.svg was not copied"
    );
    let io_models = read(&book.join("lessons/io_models.html"));
    assert!(
        io_models.contains(r#"src="../io_models.svg""#),
        "lessons/io_models.html does not show the chart"
    );

    // The README's links (docs/...) lead to pages from the introduction.
    assert!(
        !printed.contains("broken link: introduction.html")
            && !printed.contains("broken link: index.html"),
        "the introduction (the README) has broken links in the book:\n{printed}"
    );
}
