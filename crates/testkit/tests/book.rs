//! The course builds as a book, and the book works in a real browser.
//!
//! `scripts/book.sh --strict` (which installs mdBook into `target/tools` the
//! first time, a few minutes of compiling) makes `target/book` once per test
//! binary, shared by the tests here: every page of `docs/SUMMARY.md` as an
//! HTML file, a search index that finds both 粘包 and "sticky", each
//! lesson's 中文小结 heading, the IO-models chart, and the README's links
//! (included into the introduction) leading to pages that exist.
//!
//! Then headless Chromium (installed with fontconfig and the Noto CJK fonts
//! by `scripts/book-test-deps.sh` when missing) opens the built pages from
//! `file://` URLs: the TCP lesson's DOM has its title, its 中文小结 heading
//! and the code of `crates/tcp_server/examples/tcp_1_server.rs` (included
//! into the page when the book is built); the IO-models lesson's chart is an
//! `<img>` that the browser loaded (its natural size is the SVG's); and the
//! characters of 中文小结, drawn in the heading's own font, are four
//! different glyphs, none of them the box a missing glyph is drawn as, each
//! drawn exactly as a Noto Sans CJK family draws it. Screenshots (the top of
//! the TCP lesson, its 中文小结, the chart) stay in `target/book-shots` for
//! a person to look at; each must be far more than a blank window's PNG.

use std::fmt::Write as _;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{killpg, Signal};
use nix::sys::wait::{waitid, Id, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

/// How long one Chromium run may take before it is killed.
const CHROMIUM_LIMIT: Duration = Duration::from_secs(60);

fn root() -> PathBuf {
    testkit::repo_root()
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What a command run by [`run_bounded`] did.
struct Ran {
    status: ExitStatus,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs `cmd` (standard input closed, standard output and error into files,
/// so that no pipe fills up) in a process group of its own. The group is
/// killed whole when the command outlives `limit` (an `Err` with what it had
/// printed), and once more when the command has exited, so that no helper
/// it left behind (Chromium's zygote, say) outlives the test.
fn run_bounded(mut cmd: Command, limit: Duration) -> Result<Ran, String> {
    let out = tempfile::NamedTempFile::new().expect("a temporary file");
    let err = tempfile::NamedTempFile::new().expect("a temporary file");
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out.reopen().expect("the stdout file"))
        .stderr(err.reopen().expect("the stderr file"))
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    let pgid = Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
    let kill_group = || match killpg(pgid, Signal::SIGKILL) {
        Ok(()) | Err(Errno::ESRCH) => {}
        Err(e) => panic!("cannot kill process group {pgid} of {what}: {e}"),
    };
    let started = Instant::now();
    // Waits for the command to exit without reaping it (WNOWAIT): while it
    // is a zombie, its pid (the group's id) cannot be given to another
    // process, so the group killed below is still only its own.
    loop {
        let exited = waitid(
            Id::Pid(pgid),
            WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT,
        );
        match exited {
            Ok(WaitStatus::StillAlive) => {}
            Ok(_) => break,
            Err(Errno::EINTR) => continue,
            Err(e) => {
                kill_group();
                let _ = child.wait();
                return Err(format!("cannot wait for {what}: {e}"));
            }
        }
        if started.elapsed() > limit {
            kill_group();
            let _ = child.wait();
            return Err(format!(
                "{what} took more than {limit:?}; killed (its process group). \
                 It printed:\n{}\n{}",
                read(out.path()),
                read(err.path())
            ));
        }
        thread::sleep(Duration::from_millis(50));
    }
    kill_group();
    let status = child
        .wait()
        .map_err(|e| format!("cannot reap {what}: {e}"))?;
    Ok(Ran {
        status,
        stdout: read(out.path()),
        stderr: read(err.path()),
        took: started.elapsed(),
    })
}

/// Runs `scripts/book.sh --strict` (any mdBook warning or broken link in the
/// built pages fails it), bounded by `limit`; returns what it printed
/// (stdout, then stderr, where mdBook's own output goes).
fn build_book(limit: Duration) -> Result<String, String> {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/book.sh"))
        .arg("--strict")
        .current_dir(root());
    let ran = run_bounded(cmd, limit)?;
    let printed = format!("{}{}", ran.stdout, ran.stderr);
    eprintln!("scripts/book.sh ({:.1?}):\n{printed}", ran.took);
    if ran.status.success() {
        Ok(printed)
    } else {
        Err(format!(
            "scripts/book.sh failed ({}):\n{printed}",
            ran.status
        ))
    }
}

/// Builds `target/book` the first time a test asks, and only then: the
/// tests here share one build instead of writing `target/book` at the same
/// time. Returns what `scripts/book.sh` printed; a failed build fails every
/// test that asks, each with the reason.
fn book() -> (&'static str, PathBuf) {
    static BUILT: OnceLock<Result<String, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        // With mdBook installed the build takes seconds; the first run compiles it.
        let installed = root().join("target/tools/bin/mdbook").exists();
        build_book(Duration::from_secs(if installed { 180 } else { 1800 }))
    });
    match built {
        Ok(printed) => (printed.as_str(), root().join("target/book")),
        Err(why) => panic!("the book did not build: {why}"),
    }
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
    let (printed, book) = book();

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

/// Runs `scripts/book-test-deps.sh` (chromium, fontconfig, fonts-noto-cjk,
/// installed when missing) and fails loudly, with its stderr, if it fails.
fn require_browser_and_fonts() {
    let script = root().join("scripts/book-test-deps.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(&script);
    // apt-get update and an install of chromium and the fonts: minutes at most.
    let ran = run_bounded(cmd, Duration::from_secs(900))
        .unwrap_or_else(|why| panic!("scripts/book-test-deps.sh: {why}"));
    assert!(
        ran.status.success(),
        "chromium and a CJK font are needed by this test and could not be installed: \
         {} failed ({}):\n{}",
        script.display(),
        ran.status,
        ran.stderr
    );
    eprintln!(
        "scripts/book-test-deps.sh ({:.1?}){}{}",
        ran.took,
        if ran.stderr.is_empty() { "" } else { ":\n" },
        ran.stderr
    );
}

/// `fc-match PATTERN family`: the family fontconfig picks for `pattern`.
fn fc_match_family(pattern: &str) -> String {
    let mut cmd = Command::new("fc-match");
    cmd.args([pattern, "family"]);
    let ran = run_bounded(cmd, Duration::from_secs(30))
        .unwrap_or_else(|why| panic!("fc-match {pattern}: {why}"));
    assert!(
        ran.status.success(),
        "fc-match {pattern} failed ({}): {}",
        ran.status,
        ran.stderr
    );
    ran.stdout.trim().to_owned()
}

fn is_noto_cjk(family: &str) -> bool {
    family.contains("Noto ") && family.contains(" CJK")
}

/// A headless Chromium run with `args` after the usual flags, bounded by
/// [`CHROMIUM_LIMIT`], in a profile of its own; returns its stdout.
fn chromium(args: &[String]) -> String {
    let profile = testkit::temp_dir();
    let mut cmd = Command::new("chromium");
    cmd.args(testkit::CHROMIUM_HEADLESS)
        .args(["--hide-scrollbars", "--window-size=1280,1000"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args);
    let ran = run_bounded(cmd, CHROMIUM_LIMIT).unwrap_or_else(|why| panic!("chromium: {why}"));
    eprintln!("chromium {args:?}: {:.1?}", ran.took);
    assert!(
        ran.status.success(),
        "chromium {args:?} failed ({}):\n{}",
        ran.status,
        ran.stderr
    );
    ran.stdout
}

/// `chromium --dump-dom URL`: the page as the browser built it, after its
/// scripts ran (mdBook's highlight.js puts each token of the code in a
/// `<span>`).
fn dump_dom(url: &str, extra: &[&str]) -> String {
    let mut args: Vec<String> = extra.iter().map(|&a| a.to_owned()).collect();
    args.extend(["--dump-dom".to_owned(), url.to_owned()]);
    let dom = chromium(&args);
    assert!(
        dom.contains("</html>"),
        "chromium dumped no page for {url}:\n{dom}"
    );
    dom
}

/// `chromium --screenshot=PNG URL`; returns the PNG's bytes, after checking
/// that it is a PNG of the window's size.
fn screenshot(url: &str, png: &Path) -> Vec<u8> {
    let _ = fs::remove_file(png);
    chromium(&[
        "--allow-file-access-from-files".to_owned(),
        "--virtual-time-budget=5000".to_owned(),
        format!("--screenshot={}", png.display()),
        url.to_owned(),
    ]);
    let bytes = fs::read(png).unwrap_or_else(|e| panic!("chromium made no {}: {e}", png.display()));
    assert!(
        bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{} is not a PNG",
        png.display()
    );
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    assert_eq!(
        (be(16), be(20)),
        (1280, 1000),
        "{} is not of the window's size",
        png.display()
    );
    bytes
}

/// A `file://` URL for `path` (absolute; its bytes outside the unreserved
/// set percent-encoded).
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for &b in path.to_str().expect("a UTF-8 path").as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(char::from(b));
        } else {
            write!(url, "%{b:02X}").expect("writing to a String");
        }
    }
    url
}

/// The text of an HTML fragment as Chromium serialized it: tags dropped,
/// the entities it writes (`&amp; &lt; &gt; &quot; &nbsp;`) decoded.
fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = rest[open..].split_once('>').map_or("", |(_, after)| after);
    }
    text.push_str(rest);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The inner HTML of each `<tag ...>...</tag>` of `html` (not nested).
fn elements<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        rest = &rest[at + open.len()..];
        if !rest.starts_with([' ', '>']) {
            continue; // <header> is not <h>, <codex> not <code>
        }
        let Some((_, inner)) = rest.split_once('>') else {
            break;
        };
        let Some(end) = inner.find(&close) else { break };
        found.push(&inner[..end]);
        rest = &inner[end + close.len()..];
    }
    found
}

/// A page that loads `lesson` (a `file://` URL of a built page) in an
/// iframe filling the window and, once everything has loaded, scrolls it to
/// the element `target` (JavaScript, `doc` the lesson's document), just
/// below mdBook's menu bar: Chromium's `--screenshot` of `PAGE#anchor`
/// itself is a blank window.
fn scrolled_to(lesson: &str, target: &str) -> String {
    format!(
        r#"<!doctype html><meta charset="utf-8"><title>screenshot</title>
<style>html, body {{ margin: 0; height: 100%; overflow: hidden }}
iframe {{ border: 0; display: block; width: 100%; height: 100% }}</style>
<iframe id="lesson" src="{lesson}"></iframe>
<script>
window.addEventListener('load', () => {{
  const doc = document.getElementById('lesson').contentDocument;
  const target = {target};
  target.scrollIntoView();
  doc.defaultView.scrollBy(0, -70);
}});
</script>
"#
    )
}

/// A page that loads the TCP lesson and the IO-models lesson in iframes and,
/// once everything has loaded, writes into its `<pre id="result">`, a line
/// each: `chart COMPLETE WIDTH HEIGHT` for each `<img>` of io_models.svg;
/// `heading TEXT` for the TCP lesson's 中文小结 heading; and `glyph C NAME=INK:HASH ...`
/// for each character of that heading and for U+E000 (a private-use
/// character no font here has, drawn as the missing-glyph box), drawn on a
/// canvas of the lesson's own document: `bold` in the heading's weight and
/// font family, `plain` in its family at weight 400, and `SC` ... `JP` at
/// weight 400 in each Noto Sans CJK family. INK is the count of dark pixels
/// of the 64x64 drawing, HASH a hash of all of them.
fn probe_page(tcp: &str, io_models: &str) -> String {
    format!(
        r#"<!doctype html><meta charset="utf-8"><title>probe</title>
<iframe id="tcp" src="{tcp}"></iframe>
<iframe id="io" src="{io_models}"></iframe>
<pre id="result">the probe did not run</pre>
<script>
window.addEventListener('load', () => {{
  const out = [];
  try {{
    const io = document.getElementById('io').contentDocument;
    for (const img of io.querySelectorAll('img')) {{
      if ((img.getAttribute('src') || '').endsWith('io_models.svg')) {{
        out.push(['chart', img.complete, img.naturalWidth, img.naturalHeight].join(' '));
      }}
    }}
    const doc = document.getElementById('tcp').contentDocument;
    const heading = doc.getElementById('中文小结');
    out.push('heading ' + heading.textContent.trim());
    const style = doc.defaultView.getComputedStyle(heading);
    const draw = (c, weight, family) => {{
      const canvas = doc.createElement('canvas');
      canvas.width = 64;
      canvas.height = 64;
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 64, 64);
      ctx.fillStyle = '#000';
      ctx.font = weight + ' 48px ' + family;
      ctx.fillText(c, 4, 52);
      const data = ctx.getImageData(0, 0, 64, 64).data;
      let ink = 0, hash = 0;
      for (let i = 0; i < data.length; i += 4) {{
        const dark = 255 - data[i];
        if (dark > 127) ink += 1;
        hash = (Math.imul(hash, 31) + dark) >>> 0;
      }}
      return ink + ':' + hash;
    }};
    for (const c of [...heading.textContent.trim(), '\uE000']) {{
      const line = ['glyph', c === '\uE000' ? 'tofu' : c,
        'bold=' + draw(c, style.fontWeight, style.fontFamily),
        'plain=' + draw(c, 400, style.fontFamily)];
      for (const v of ['SC', 'TC', 'HK', 'KR', 'JP']) {{
        line.push(v + '=' + draw(c, 400, '"Noto Sans CJK ' + v + '"'));
      }}
      out.push(line.join(' '));
    }}
  }} catch (e) {{
    out.push('error ' + e);
  }}
  document.getElementById('result').textContent = out.join('\n');
}});
</script>
"#
    )
}

/// One character's drawings from [`probe_page`]: (name, INK:HASH) pairs.
struct Glyph {
    name: String,
    drawn: Vec<(String, String)>,
}

impl Glyph {
    fn get(&self, name: &str) -> &str {
        self.drawn
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.as_str())
            .unwrap_or_else(|| panic!("glyph {}: no {name} drawing", self.name))
    }

    fn ink(&self, name: &str) -> u32 {
        let drawn = self.get(name);
        drawn
            .split(':')
            .next()
            .and_then(|ink| ink.parse().ok())
            .unwrap_or_else(|| panic!("glyph {}: {name}={drawn} is not INK:HASH", self.name))
    }
}

#[test]
fn the_pages_render_in_a_real_browser() {
    let (_, book) = book();
    let started = Instant::now();
    require_browser_and_fonts();

    // Without a CJK font Chromium draws 中文小结 as four boxes.
    let zh = fc_match_family(":lang=zh-cn");
    assert!(
        is_noto_cjk(&zh),
        "fc-match :lang=zh-cn names {zh:?}, not a Noto CJK family: \
         the Chinese text would be drawn in boxes"
    );
    let charset: Vec<String> = "中文小结"
        .chars()
        .map(|c| format!("{:x}", u32::from(c)))
        .collect();
    let pattern = format!(":charset={}", charset.join(" "));
    let covering = fc_match_family(&pattern);
    assert!(
        is_noto_cjk(&covering),
        "fc-match {pattern:?} (the font with the glyphs of 中文小结) names {covering:?}, \
         not a Noto CJK family"
    );
    eprintln!("fc-match :lang=zh-cn: {zh}; {pattern}: {covering}");

    let tcp_url = file_url(&book.join("lessons/tcp.html"));
    let io_url = file_url(&book.join("lessons/io_models.html"));

    // The TCP lesson: its title, its 中文小结, the code of its first step.
    let dom = dump_dom(&tcp_url, &[]);
    let titles: Vec<String> = elements(&dom, "h1").into_iter().map(html_text).collect();
    assert!(
        titles.iter().any(|t| t.contains("TCP server and client")),
        "lessons/tcp.html: no <h1> \"TCP server and client\" in the DOM; its <h1>s: {titles:?}"
    );
    let headings: Vec<String> = elements(&dom, "h2").into_iter().map(html_text).collect();
    assert!(
        headings.iter().any(|h| h.trim() == "中文小结") && dom.contains(r#"<h2 id="中文小结">"#),
        "lessons/tcp.html: no <h2 id=\"中文小结\"> in the DOM; its <h2>s: {headings:?}"
    );
    let step_path = root().join("crates/tcp_server/examples/tcp_1_server.rs");
    let step = read(&step_path);
    let distinctive: Vec<&str> = step
        .lines()
        .map(str::trim)
        .filter(|line| {
            [
                "TcpListener::bind",
                "accept()",
                "make_ascii_uppercase",
                "write_all",
            ]
            .iter()
            .any(|needle| line.contains(needle))
        })
        .collect();
    assert!(
        distinctive.len() >= 3,
        "{} has too few of the lines this test looks for: {distinctive:?}",
        step_path.display()
    );
    let blocks: Vec<String> = elements(&dom, "code").into_iter().map(html_text).collect();
    let missing: Vec<&&str> = distinctive
        .iter()
        .filter(|line| !blocks.iter().any(|block| block.contains(**line)))
        .collect();
    assert!(
        missing.is_empty(),
        "lessons/tcp.html: the code of {} is not in the DOM (is it included with \
         {{{{#include ../../crates/tcp_server/examples/tcp_1_server.rs}}}}?); no <code> has \
         these of its lines: {missing:#?}",
        step_path.display()
    );
    assert!(
        blocks.iter().any(|block| block.trim() == step.trim()),
        "lessons/tcp.html: no <code> block of the DOM is the whole of {}",
        step_path.display()
    );

    // The IO-models lesson shows its chart.
    let dom = dump_dom(&io_url, &[]);
    assert!(
        dom.contains(r#"src="../io_models.svg""#),
        "lessons/io_models.html: no <img src=\"../io_models.svg\"> in the DOM"
    );

    // In the browser: the chart loaded, and 中文小结 is drawn in a CJK font.
    let probe_dir = testkit::temp_dir();
    let probe = probe_dir.path().join("probe.html");
    fs::write(&probe, probe_page(&tcp_url, &io_url)).expect("write the probe page");
    let dom = dump_dom(
        &file_url(&probe),
        &[
            "--allow-file-access-from-files",
            "--virtual-time-budget=5000",
        ],
    );
    let result = dom
        .split_once(r#"<pre id="result">"#)
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(result, _)| html_text(result))
        .unwrap_or_else(|| panic!("the probe page has no result:\n{dom}"));
    eprintln!("the probe page:\n{result}");
    assert!(
        !result.contains("error "),
        "the probe page failed: {result}"
    );
    let charts: Vec<Vec<&str>> = result
        .lines()
        .filter_map(|line| line.strip_prefix("chart "))
        .map(|rest| rest.split(' ').collect())
        .collect();
    assert!(
        !charts.is_empty(),
        "the browser found no <img> of io_models.svg in lessons/io_models.html: {result}"
    );
    // The SVG's own size (its width= and height=): an image that did not
    // load is complete too, but 0 by 0.
    let svg = read(&book.join("io_models.svg"));
    let attr = |name: &str| {
        svg.split_once(&format!(" {name}=\""))
            .and_then(|(_, rest)| rest.split('"').next())
            .unwrap_or_else(|| panic!("io_models.svg has no {name}="))
            .to_owned()
    };
    for chart in &charts {
        assert_eq!(
            chart,
            &["true", attr("width").as_str(), attr("height").as_str()],
            "the chart of lessons/io_models.html did not load in the browser \
             (complete, naturalWidth, naturalHeight)"
        );
    }

    assert!(
        result.lines().any(|line| line == "heading 中文小结"),
        "the probe did not find the 中文小结 heading: {result}"
    );
    let glyphs: Vec<Glyph> = result
        .lines()
        .filter_map(|line| line.strip_prefix("glyph "))
        .map(|rest| {
            let mut words = rest.split(' ');
            let name = words.next().expect("a glyph's name").to_owned();
            let drawn = words
                .filter_map(|w| w.split_once('='))
                .map(|(n, d)| (n.to_owned(), d.to_owned()))
                .collect();
            Glyph { name, drawn }
        })
        .collect();
    let (tofu, chars): (Vec<Glyph>, Vec<Glyph>) =
        glyphs.into_iter().partition(|g| g.name == "tofu");
    let tofu = tofu
        .first()
        .unwrap_or_else(|| panic!("no missing-glyph drawing: {result}"));
    let names: String = chars.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        names, "中文小结",
        "the probe drew other characters: {result}"
    );
    for (i, glyph) in chars.iter().enumerate() {
        let name = &glyph.name;
        assert!(
            glyph.ink("bold") >= 100,
            "{name} in the heading's font leaves almost no ink: {result}"
        );
        assert_ne!(
            glyph.get("bold"),
            tofu.get("bold"),
            "{name} is drawn as the missing-glyph box in the heading's font: {result}"
        );
        for other in &chars[..i] {
            assert_ne!(
                glyph.get("bold"),
                other.get("bold"),
                "{name} and {} are drawn alike (boxes?) in the heading's font: {result}",
                other.name
            );
        }
        // At weight 400 (no synthetic bold) the heading's font family draws
        // it exactly as one of the Noto Sans CJK families does, and that
        // family has the glyph (it is not its box).
        let noto = ["SC", "TC", "HK", "KR", "JP"]
            .into_iter()
            .find(|v| glyph.get(v) == glyph.get("plain") && glyph.get(v) != tofu.get(v));
        assert!(
            noto.is_some(),
            "{name} in the heading's font family is not drawn as any Noto Sans CJK \
             family draws it: {result}"
        );
        eprintln!(
            "{name}: drawn as Noto Sans CJK {} draws it",
            noto.unwrap_or_default()
        );
    }

    // Screenshots, kept for a person to look at: the top of the TCP lesson,
    // its 中文小结, the IO-models chart. A blank window is a few kilobytes
    // of PNG; each of these pages is many times that.
    let shots = root().join("target/book-shots");
    fs::create_dir_all(&shots).expect("mkdir target/book-shots");
    let blank_page = probe_dir.path().join("blank.html");
    fs::write(&blank_page, "<!doctype html><title>blank</title>").expect("write a blank page");
    let blank = screenshot(&file_url(&blank_page), &probe_dir.path().join("blank.png")).len();
    let pages = [
        ("tcp.png", tcp_url.clone()),
        (
            "tcp-zh.png",
            file_url(&{
                let page = probe_dir.path().join("tcp-zh.html");
                fs::write(
                    &page,
                    scrolled_to(&tcp_url, "doc.getElementById('中文小结')"),
                )
                .expect("write a page");
                page
            }),
        ),
        (
            "io_models.png",
            file_url(&{
                let page = probe_dir.path().join("io_models.html");
                fs::write(
                    &page,
                    scrolled_to(&io_url, r#"doc.querySelector('img[src$="io_models.svg"]')"#),
                )
                .expect("write a page");
                page
            }),
        ),
    ];
    for (name, url) in &pages {
        let png = shots.join(name);
        let size = screenshot(url, &png).len();
        assert!(
            size >= 8 * blank,
            "{}: {size} bytes, hardly more than a blank window's {blank}: the page \
             did not render",
            png.display()
        );
        eprintln!(
            "screenshot: {} ({size} bytes; a blank window: {blank})",
            png.display()
        );
    }
    eprintln!("the browser part took {:.1?}", started.elapsed());
}
