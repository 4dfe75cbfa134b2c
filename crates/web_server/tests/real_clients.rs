//! Real clients against `web_server server`: curl (with `--path-as-is`,
//! which sends `..` as typed), Python's urllib, a headless Chromium that
//! renders a page and a listing, and the lesson's own Python programs in
//! both directions. curl and chromium are installed by
//! scripts/web-test-deps.sh when missing.

mod support;

use std::fs;
use std::process::{Command, Output};

use support::{require_programs, Site, HELLO, SECRET, WAIT};
use testkit::{command, python_peer, stderr, stdout, Server};

fn curl(args: &[&str]) -> Output {
    require_programs();
    let mut cmd = command("curl", ["--silent", "--show-error", "--max-time", "20"]);
    cmd.args(args);
    testkit::run(cmd, b"", WAIT)
}

#[test]
fn curl_gets_pages_ranges_and_304s_over_one_kept_alive_connection() {
    let site = Site::new();
    let server = site.serve(&[]);
    let base = format!("http://{}", server.addr);

    let out = curl(&[&format!("{base}/HelloWorld.html")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), HELLO);

    // Two URLs on one command line: curl keeps the connection for the second.
    let out = curl(&[
        "--verbose",
        &format!("{base}/HelloWorld.html"),
        &format!("{base}/docs/notes.txt"),
    ]);
    assert_eq!(
        stdout(&out),
        format!("{HELLO}0123456789abcdefghijklmnopqrstuvwxyz")
    );
    let trace = stderr(&out);
    assert!(trace.contains("Re-using existing connection"), "{trace}");

    let out = curl(&["--range", "5-9", &format!("{base}/docs/notes.txt")]);
    assert_eq!(stdout(&out), "56789");

    let code = |args: &[&str]| {
        let mut all = vec!["--output", "/dev/null", "--write-out", "%{http_code}"];
        all.extend_from_slice(args);
        stdout(&curl(&all))
    };
    let file = site.root.join("HelloWorld.html");
    let file = file.to_str().expect("UTF-8 path");
    // -z FILE: If-Modified-Since the file's own time.
    assert_eq!(
        code(&["-z", file, &format!("{base}/HelloWorld.html")]),
        "304"
    );
    assert_eq!(code(&["--head", &format!("{base}/HelloWorld.html")]), "200");
    assert_eq!(
        code(&["--http1.0", &format!("{base}/HelloWorld.html")]),
        "200"
    );
    assert_eq!(
        code(&["--request", "PUT", &format!("{base}/HelloWorld.html")]),
        "405"
    );
    assert_eq!(code(&[&format!("{base}/docs")]), "301");
    assert_eq!(code(&[&format!("{base}/abc.html")]), "404");
}

/// curl's own ETag cache (`--etag-save`, `--etag-compare`), `--compressed`
/// decoding a precompressed sibling of each kind, and the request targets a
/// proxy client (`--request-target`) and `OPTIONS *` send.
#[test]
fn curl_revalidates_by_etag_decodes_siblings_and_sends_other_targets() {
    let site = Site::new();
    let css = b"body { color: teal }\n";
    site.file("docs/style.css.br", &support::brotli_stored(css));
    site.file("docs/style.css.gz", &support::gzip_stored(css));
    let server = site.serve(&[]);
    let base = format!("http://{}", server.addr);
    let etags = site.dir.path().join("etags.txt");
    let etags = etags.to_str().expect("UTF-8 path");
    let url = format!("{base}/docs/notes.txt");
    let code = |args: &[&str]| {
        let mut all = vec!["--output", "/dev/null", "--write-out", "%{http_code}"];
        all.extend_from_slice(args);
        stdout(&curl(&all))
    };

    assert_eq!(code(&["--etag-save", etags, &url]), "200");
    let saved = fs::read_to_string(etags).expect("curl saved the ETag");
    assert!(saved.starts_with('"'), "{saved}");
    assert_eq!(code(&["--etag-compare", etags, &url]), "304");
    fs::write(site.root.join("docs/notes.txt"), "changed").expect("write");
    assert_eq!(code(&["--etag-compare", etags, &url]), "200");

    let css_url = format!("{base}/docs/style.css");
    for (accept, coding) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let out = curl(&[
            "--compressed",
            "--header",
            &format!("Accept-Encoding: {accept}"),
            "--write-out",
            "%header{content-encoding} %header{vary}",
            &css_url,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert_eq!(
            text,
            format!("body {{ color: teal }}\n{coding} Accept-Encoding"),
            "{accept}"
        );
    }
    let plain = curl(&[&css_url]);
    assert_eq!(
        stdout(&plain),
        "body { color: teal }\n",
        "curl without --compressed"
    );

    let absolute = curl(&[
        "--request-target",
        "http://example.com/HelloWorld.html",
        &format!("{base}/"),
    ]);
    assert_eq!(stdout(&absolute), HELLO);
    let options = curl(&[
        "--request",
        "OPTIONS",
        "--request-target",
        "*",
        "--include",
        &format!("{base}/"),
    ]);
    let text = stdout(&options);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.contains("\r\nAllow: GET, HEAD, OPTIONS\r\n"), "{text}");
}

#[test]
fn curl_path_as_is_traversals_are_refused() {
    let site = Site::new();
    let server = site.serve(&[]);
    let base = format!("http://{}", server.addr);
    for path in [
        "/../secret.txt",
        "/docs/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/docs/%2e%2e/%2e%2e/secret.txt",
    ] {
        let out = curl(&[
            "--path-as-is",
            "--write-out",
            "\n%{http_code}",
            &format!("{base}{path}"),
        ]);
        let text = stdout(&out);
        assert!(text.ends_with("\n403"), "{path}: {text}");
        assert!(!text.contains(SECRET), "{path} leaked the secret");
    }
    // Without --path-as-is curl removes the dots itself, as a browser does.
    let out = curl(&[
        "--write-out",
        "\n%{http_code}",
        &format!("{base}/docs/../HelloWorld.html"),
    ]);
    assert_eq!(stdout(&out), format!("{HELLO}\n200"));
}

#[test]
fn pythons_urllib_reads_pages_errors_and_ranges() {
    let site = Site::new();
    let server = site.serve(&[]);
    let base = format!("http://{}", server.addr);
    let urllib = |args: &[&str]| {
        let out = testkit::run(python_peer("web_urllib_client.py", args), b"", WAIT);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let page = urllib(&[&format!("{base}/HelloWorld.html")]);
    assert!(page.starts_with("status 200\n"), "{page}");
    assert!(page.contains("Content-Type: text/html\n"), "{page}");
    assert!(page.ends_with(&format!("\n\n{HELLO}")), "{page}");

    let missing = urllib(&[&format!("{base}/abc.html")]);
    assert!(missing.starts_with("status 404\n"), "{missing}");

    let range = urllib(&[
        "--header",
        "Range: bytes=-6",
        &format!("{base}/docs/notes.txt"),
    ]);
    assert!(range.starts_with("status 206\n"), "{range}");
    assert!(range.contains("Content-Range: bytes 30-35/36\n"), "{range}");
    assert!(range.ends_with("\n\nuvwxyz"), "{range}");

    let redirect = urllib(&[&format!("{base}/docs")]);
    assert!(redirect.starts_with("status 301\n"), "{redirect}");
    assert!(redirect.contains("Location: /docs/\n"), "{redirect}");

    let head = urllib(&["--head", &format!("{base}/HelloWorld.html")]);
    assert!(
        head.contains(&format!("Content-Length: {}\n", HELLO.len())),
        "{head}"
    );
    assert!(head.ends_with("\n\n"), "no body after HEAD: {head}");
}

/// `chromium --headless --dump-dom URL`: the page as the browser built it.
fn chromium_dom(url: &str) -> String {
    require_programs();
    let profile = testkit::temp_dir();
    let mut cmd = command("chromium", testkit::CHROMIUM_HEADLESS);
    cmd.arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", url]);
    let out = testkit::run(cmd, b"", std::time::Duration::from_secs(60));
    assert!(out.status.success(), "chromium failed: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn headless_chromium_renders_the_page_and_the_listing() {
    let site = Site::new();
    let files = site.root.join("files");
    fs::create_dir(&files).expect("mkdir");
    fs::write(files.join("<b>bold</b>?.txt".replace('/', "_")), "x").expect("write");
    fs::write(files.join("你好 world.txt"), "x").expect("write");
    let server = site.serve(&[]);

    let page = chromium_dom(&format!("http://{}/HelloWorld.html", server.addr));
    // The lab's <head>Hello world!</head> ends up as the body's text.
    assert!(page.contains("Hello world!"), "{page}");

    let listing = chromium_dom(&format!("http://{}/files/", server.addr));
    assert!(
        listing.contains("<title>Directory listing for /files/</title>"),
        "{listing}"
    );
    // The file name is text in the DOM (escaped again by the dump), not a tag.
    assert!(
        listing.contains("&lt;b&gt;bold&lt;_b&gt;?.txt</a>"),
        "{listing}"
    );
    assert!(!listing.contains("<b>"), "{listing}");
    assert!(
        listing.contains("href=\"%E4%BD%A0%E5%A5%BD%20world.txt\">你好 world.txt</a>"),
        "{listing}"
    );

    let log = server.stop(WAIT);
    assert!(
        log.contains("\"GET /HelloWorld.html HTTP/1.1\" 200 "),
        "{log}"
    );
    assert!(log.contains("\"GET /files/ HTTP/1.1\" 200 "), "{log}");
}

#[test]
fn the_lessons_raw_socket_client_reads_this_server() {
    let site = Site::new();
    let server = site.serve(&[]);
    let port = server.addr.port().to_string();
    let out = testkit::run(
        python_peer(
            "web_lab_client.py",
            &["--port", &port, "--path", "/HelloWorld.html"],
        ),
        b"",
        WAIT,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let reply = stdout(&out);
    // One recv(4096) gets it all: head and small body leave in one write.
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
    assert!(reply.ends_with(&format!("\r\n\r\n{HELLO}")), "{reply}");
}

#[test]
fn this_client_reads_the_labs_python_server_and_explains_its_404() {
    let site = Site::new();
    let root = site.root.to_str().expect("UTF-8 path");
    let lab = Server::start(python_peer(
        "web_lab_server.py",
        &["--port", "0", "--root", root],
    ));
    let port = lab.addr.port().to_string();

    let mut fetch = Command::new(support::BIN);
    fetch.args(["client", "/HelloWorld.html", "--port", &port]);
    let out = testkit::run(fetch, b"", WAIT);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), HELLO);
    let shown = stderr(&out);
    assert!(
        shown.starts_with("HTTP/1.1 200 OK\nConnection: close\n"),
        "{shown}"
    );
    assert!(
        shown.contains("note: the status line has spaces around it"),
        "{shown}"
    );

    let mut missing = Command::new(support::BIN);
    missing.args(["client", "/abc.html", "--port", &port]);
    let out = testkit::run(missing, b"", WAIT);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: incomplete response: the connection closed in the middle of the line \
         \" HTTP/1.1 404 not Found\"\n"
    );
}
