//! Precompressed siblings (nginx's `gzip_static`) on the real binary, with
//! raw requests: `X.br` / `X.gz` sent for `X` to a client that accepts
//! them, with `Content-Encoding`, the type of `X`, a tag of their own and
//! `Vary`; never for a range; never when the sibling is a link out of the
//! root or not a regular file.

mod support;

use std::fs;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use support::{brotli_stored, gzip_stored, request, Response, Site, SECRET};

const CSS: &[u8] = b"body { color: teal }\n";

/// The site, with `docs/style.css` (from [`Site::new`]) given both siblings.
fn site_with_siblings() -> (Site, Vec<u8>, Vec<u8>) {
    let site = Site::new();
    let (br, gz) = (brotli_stored(CSS), gzip_stored(CSS));
    site.file("docs/style.css.br", &br);
    site.file("docs/style.css.gz", &gz);
    (site, br, gz)
}

fn ask(addr: SocketAddr, method: &str, path: &str, headers: &str) -> Response {
    request(
        addr,
        format!("{method} {path} HTTP/1.1\r\nHost: t\r\n{headers}\r\n").as_bytes(),
    )
}

fn with_encoding(addr: SocketAddr, accept: &str) -> Response {
    ask(
        addr,
        "GET",
        "/docs/style.css",
        &format!("Accept-Encoding: {accept}\r\n"),
    )
}

#[test]
fn the_sibling_a_client_accepts_best_is_sent_with_its_encoding() {
    let (site, br, gz) = site_with_siblings();
    let server = site.serve(&[]);
    let plain = ask(server.addr, "GET", "/docs/style.css", "");
    assert_eq!(plain.body, CSS, "no Accept-Encoding: the file itself");
    assert!(plain.header("content-encoding").is_none());
    assert_eq!(plain.header("vary").as_deref(), Some("Accept-Encoding"));
    let plain_tag = plain.header("etag").expect("ETag");

    let mut tags = vec![plain_tag.clone()];
    for (accept, body, coding) in [
        ("gzip, deflate, br", &br, Some("br")),
        ("gzip", &gz, Some("gzip")),
        ("x-gzip", &gz, Some("gzip")),
        ("BR;q=0.5, gzip", &gz, Some("gzip")),
        ("br;q=0, gzip;q=0.1", &gz, Some("gzip")),
        ("br;q=0.5, gzip;q=0.5", &br, Some("br")),
        ("*", &br, Some("br")),
        ("br;q=0, *", &gz, Some("gzip")),
        ("*;q=0", &CSS.to_vec(), None),
        ("identity", &CSS.to_vec(), None),
        ("deflate, zstd", &CSS.to_vec(), None),
        ("br;q=0, gzip;q=0", &CSS.to_vec(), None),
        ("br;q=7", &CSS.to_vec(), None), // not a weight: ignored
        ("", &CSS.to_vec(), None),
    ] {
        let response = with_encoding(server.addr, accept);
        assert_eq!(response.status, 200, "{accept}");
        assert_eq!(&response.body, body, "{accept}");
        assert_eq!(
            response.header("content-encoding").as_deref(),
            coding,
            "{accept}"
        );
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("text/css"),
            "the type of the file, not of the .gz: {accept}"
        );
        assert_eq!(
            response.header("vary").as_deref(),
            Some("Accept-Encoding"),
            "{accept}"
        );
        tags.push(response.header("etag").expect("ETag"));
    }
    tags.sort();
    tags.dedup();
    assert_eq!(tags.len(), 3, "one tag per encoding: {tags:?}");

    // HEAD: the very headers of GET (but Date), no body.
    let get = with_encoding(server.addr, "br");
    let head = ask(
        server.addr,
        "HEAD",
        "/docs/style.css",
        "Accept-Encoding: br\r\n",
    );
    let without_date = |r: &Response| -> Vec<String> {
        r.head
            .lines()
            .filter(|l| !l.starts_with("Date:"))
            .map(String::from)
            .collect()
    };
    assert_eq!(without_date(&head), without_date(&get));
    assert_eq!(
        head.header("content-length"),
        Some(br.len().to_string()),
        "the length of the bytes GET sends"
    );
}

/// Two `Accept-Encoding` lines are one list (RFC 9110 §5.3): a coding on
/// the second line counts, and so does a `q=0` there.
#[test]
fn accept_encoding_over_two_lines_is_one_list() {
    let (site, br, gz) = site_with_siblings();
    let server = site.serve(&[]);
    for (lines, body, coding) in [
        (
            "Accept-Encoding: identity\r\nAccept-Encoding: br\r\n",
            &br,
            Some("br"),
        ),
        (
            "Accept-Encoding: gzip;q=0.5\r\nAccept-Encoding: br;q=0\r\n",
            &gz,
            Some("gzip"),
        ),
        (
            "Accept-Encoding: deflate\r\nAccept-Encoding: zstd\r\n",
            &CSS.to_vec(),
            None,
        ),
    ] {
        let response = ask(server.addr, "GET", "/docs/style.css", lines);
        assert_eq!(&response.body, body, "{lines:?}");
        assert_eq!(
            response.header("content-encoding").as_deref(),
            coding,
            "{lines:?}"
        );
    }
}

#[test]
fn a_sibling_is_asked_for_by_name_as_itself_and_a_directory_index_has_them_too() {
    let (site, _br, gz) = site_with_siblings();
    fs::create_dir(site.root.join("app")).expect("mkdir");
    site.file("app/index.html", b"<p>index</p>");
    site.file("app/index.html.gz", &gzip_stored(b"<p>index</p>"));
    let server = site.serve(&[]);

    let by_name = with_encoding_path(server.addr, "/docs/style.css.gz", "gzip");
    assert_eq!(by_name.body, gz);
    assert_eq!(
        by_name.header("content-type").as_deref(),
        Some("application/gzip")
    );
    assert!(by_name.header("content-encoding").is_none());
    assert!(
        by_name.header("vary").is_none(),
        "style.css.gz has no siblings"
    );

    let index = with_encoding_path(server.addr, "/app/", "gzip");
    assert_eq!(index.body, gzip_stored(b"<p>index</p>"));
    assert_eq!(index.header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(index.header("content-type").as_deref(), Some("text/html"));

    let lone = with_encoding_path(server.addr, "/HelloWorld.html", "gzip, br");
    assert_eq!(lone.text(), support::HELLO);
    assert!(
        lone.header("vary").is_none() && lone.header("content-encoding").is_none(),
        "a file without siblings could not have varied: {}",
        lone.head
    );
}

fn with_encoding_path(addr: SocketAddr, path: &str, accept: &str) -> Response {
    ask(addr, "GET", path, &format!("Accept-Encoding: {accept}\r\n"))
}

#[test]
fn a_range_is_always_of_the_file_itself_and_304_knows_the_encoding() {
    let (site, _br, _gz) = site_with_siblings();
    let server = site.serve(&[]);
    let plain_tag = ask(server.addr, "GET", "/docs/style.css", "")
        .header("etag")
        .expect("ETag");
    let part = ask(
        server.addr,
        "GET",
        "/docs/style.css",
        "Accept-Encoding: gzip, br\r\nRange: bytes=0-3\r\n",
    );
    assert_eq!((part.status, part.text().as_str()), (206, "body"));
    assert!(part.header("content-encoding").is_none());
    assert_eq!(
        part.header("content-range").as_deref(),
        Some(format!("bytes 0-3/{}", CSS.len()).as_str())
    );
    assert_eq!(part.header("vary").as_deref(), Some("Accept-Encoding"));
    assert_eq!(part.header("etag"), Some(plain_tag.clone()));
    let past_end = ask(
        server.addr,
        "GET",
        "/docs/style.css",
        "Accept-Encoding: gzip\r\nRange: bytes=900-\r\n",
    );
    assert_eq!(past_end.status, 416);
    assert_eq!(past_end.header("vary").as_deref(), Some("Accept-Encoding"));

    let gz_tag = with_encoding(server.addr, "gzip")
        .header("etag")
        .expect("ETag");
    let revalidate = |accept: &str, tag: &str| {
        ask(
            server.addr,
            "GET",
            "/docs/style.css",
            &format!("Accept-Encoding: {accept}\r\nIf-None-Match: {tag}\r\n"),
        )
    };
    let not_modified = revalidate("gzip", &gz_tag);
    assert_eq!(not_modified.status, 304);
    assert_eq!(not_modified.header("etag"), Some(gz_tag.clone()));
    assert_eq!(
        not_modified.header("vary").as_deref(),
        Some("Accept-Encoding")
    );
    // The gzip bytes' tag does not validate the br bytes, nor the file's.
    assert_eq!(revalidate("br", &gz_tag).status, 200);
    assert_eq!(revalidate("identity", &gz_tag).status, 200);
    assert_eq!(revalidate("identity", &plain_tag).status, 304);
}

#[test]
fn a_sibling_that_is_a_link_out_or_not_a_file_is_ignored() {
    let site = Site::new();
    let outside = site.dir.path().join("secret.txt");
    std::os::unix::fs::symlink(&outside, site.root.join("docs/style.css.gz")).expect("symlink");
    fs::create_dir(site.root.join("docs/style.css.br")).expect("mkdir");
    site.file("HelloWorld.html.gz", &gzip_stored(b"inside"));
    let made = std::process::Command::new("mkfifo")
        .arg(site.root.join("docs/notes.txt.gz"))
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    let server = site.serve(&[]);

    let css = with_encoding(server.addr, "gzip, br");
    assert_eq!(css.body, CSS);
    assert!(!css.text().contains(SECRET));
    assert!(css.header("content-encoding").is_none() && css.header("vary").is_none());
    let notes = with_encoding_path(server.addr, "/docs/notes.txt", "gzip");
    assert_eq!(notes.text(), "0123456789abcdefghijklmnopqrstuvwxyz");
    assert!(notes.header("vary").is_none(), "a FIFO is not a sibling");
    // A link that stays inside the root is a sibling like any file.
    std::os::unix::fs::symlink("../HelloWorld.html.gz", site.root.join("docs/notes.txt.br"))
        .expect("symlink");
    let linked = wait_for(
        || with_encoding_path(server.addr, "/docs/notes.txt", "br"),
        |r| r.header("content-encoding").as_deref() == Some("br"),
    );
    assert_eq!(linked.body, gzip_stored(b"inside"));
}

/// What the server remembers about siblings lasts a second: one added to a
/// cached file is sent within about that; one removed is not sent again.
#[test]
fn siblings_added_and_removed_are_noticed_for_a_cached_file() {
    let site = Site::new();
    // Older than web_server::cache::SETTLED (2 s), so that it is cached.
    std::thread::sleep(Duration::from_secs(3));
    let server = site.serve(&[]);
    for _ in 0..3 {
        let response = with_encoding(server.addr, "gzip");
        assert_eq!(response.body, CSS);
        assert!(response.header("vary").is_none());
    }
    let gz = gzip_stored(CSS);
    site.file("docs/style.css.gz", &gz);
    let compressed = wait_for(|| with_encoding(server.addr, "gzip"), |r| r.body == gz);
    assert_eq!(
        compressed.header("content-encoding").as_deref(),
        Some("gzip")
    );

    fs::remove_file(site.root.join("docs/style.css.gz")).expect("rm");
    let response = with_encoding(server.addr, "gzip");
    assert_eq!(response.body, CSS, "a sibling gone is never sent");
    assert!(response.header("content-encoding").is_none());
}

/// Asks again, every 100 ms for at most 5 s, until `done` holds.
fn wait_for(mut ask: impl FnMut() -> Response, done: impl Fn(&Response) -> bool) -> Response {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let response = ask();
        if done(&response) || Instant::now() > deadline {
            assert!(done(&response), "never: {}", response.head);
            return response;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
