//! `web_server server` on `--port 0`, driven with raw requests over
//! loopback: what each status means on the wire, keep-alive, the log, and
//! Ctrl-C.

mod support;

use std::fs;
use std::io::{BufRead, Read};
use std::time::Duration;

use support::{
    assert_still_serving, closed_by_server, connect, get, read_response, request, send, Site, BIN,
    HELLO, WAIT,
};
use testkit::{command, stderr, stdout};

#[test]
fn the_labs_page_comes_with_type_length_dates_and_server() {
    let site = Site::new();
    let server = site.serve(&[]);
    let response = get(server.addr, "/HelloWorld.html");
    assert_eq!(response.status, 200, "{}", response.head);
    assert!(
        response.head.starts_with("HTTP/1.1 200 OK\n"),
        "{}",
        response.head
    );
    assert_eq!(response.text(), HELLO);
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("text/html")
    );
    assert_eq!(
        response.header("content-length"),
        Some(HELLO.len().to_string())
    );
    assert_eq!(response.header("accept-ranges").as_deref(), Some("bytes"));
    assert!(response
        .header("server")
        .is_some_and(|s| s.starts_with("web_server/")));

    // Both dates are IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    let modified = fs::metadata(site.root.join("HelloWorld.html"))
        .and_then(|m| m.modified())
        .expect("mtime");
    let expected = chrono::DateTime::<chrono::Utc>::from(modified)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    assert_eq!(response.header("last-modified"), Some(expected));
    let date = response.header("date").expect("a Date header");
    assert!(
        chrono::NaiveDateTime::parse_from_str(&date, "%a, %d %b %Y %H:%M:%S GMT").is_ok(),
        "{date}"
    );
}

#[test]
fn a_missing_file_is_the_labs_404_as_a_page() {
    let site = Site::new();
    let server = site.serve(&[]);
    let response = get(server.addr, "/abc.html");
    assert_eq!(response.status, 404);
    assert!(response.head.starts_with("HTTP/1.1 404 Not Found\n"));
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(
        response.text().contains("<h1>404 Not Found</h1>"),
        "{}",
        response.text()
    );
}

#[test]
fn content_types_follow_the_extension() {
    let site = Site::new();
    site.file("data.json", b"{}");
    site.file("blob", b"\x00\x01");
    let server = site.serve(&[]);
    for (path, media_type) in [
        ("/docs/style.css", "text/css"),
        ("/docs/notes.txt", "text/plain"),
        ("/data.json", "application/json"),
        ("/blob", "application/octet-stream"),
    ] {
        let response = get(server.addr, path);
        assert_eq!(
            response.header("content-type").as_deref(),
            Some(media_type),
            "{path}"
        );
    }
}

#[test]
fn head_has_the_headers_of_get_and_no_body() {
    let site = Site::new();
    let server = site.serve(&[]);
    let mut conn = connect(server.addr);
    send(
        &mut conn,
        b"HEAD /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    let head = read_response(&mut conn, true);
    // Had a body followed, this second response would start with it.
    send(
        &mut conn,
        b"GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    let full = read_response(&mut conn, false);
    assert_eq!((head.status, full.status), (200, 200));
    for name in ["content-type", "content-length", "last-modified"] {
        assert_eq!(head.header(name), full.header(name), "{name}");
    }
    assert_eq!(full.text(), HELLO);
}

#[test]
fn other_methods_get_405_with_allow() {
    let site = Site::new();
    let server = site.serve(&[]);
    let mut conn = connect(server.addr);
    send(
        &mut conn,
        b"DELETE /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    let response = read_response(&mut conn, false);
    assert_eq!(response.status, 405);
    assert_eq!(
        response.header("allow").as_deref(),
        Some("GET, HEAD, OPTIONS")
    );
    assert!(
        response.header("connection").is_none(),
        "a bodiless request keeps the connection"
    );
    // A body is never read: the connection closes after the answer, so the
    // body cannot be taken for a request.
    send(
        &mut conn,
        b"POST /HelloWorld.html HTTP/1.1\r\nHost: t\r\nContent-Length: 33\r\n\r\n\
          GET /secret HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    let response = read_response(&mut conn, false);
    assert_eq!(response.status, 405);
    assert_eq!(response.header("connection").as_deref(), Some("close"));
    assert!(closed_by_server(&mut conn));
    let log = server.stop(WAIT);
    assert!(!log.contains("GET /secret"), "{log}");
}

#[test]
fn malformed_requests_get_400_and_the_connection_is_closed() {
    let site = Site::new();
    let server = site.serve(&[]);
    for bad in [
        &b"GET /HelloWorld.html\r\n\r\n"[..],
        b"GET  /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET /HelloWorld.html HTTP/1.1\r\n\r\n",
        b"GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n",
        b"GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n",
        b"GET /Hello World.html HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\nContent-Length: 1, 2\r\n\r\n",
    ] {
        let mut conn = connect(server.addr);
        send(&mut conn, bad);
        let response = read_response(&mut conn, false);
        let shown = String::from_utf8_lossy(bad);
        assert_eq!(response.status, 400, "{shown}");
        assert_eq!(
            response.header("connection").as_deref(),
            Some("close"),
            "{shown}"
        );
        assert!(closed_by_server(&mut conn), "{shown}");
    }
    assert_still_serving(server.addr);
}

#[test]
fn targets_that_are_not_paths_get_400() {
    let site = Site::new();
    let server = site.serve(&[]);
    for target in [
        "HelloWorld.html",
        "ftp://test/HelloWorld.html",
        "http:///HelloWorld.html",
        "http://user@test/HelloWorld.html",
        "*",
        "/a%zz",
        "/a%4",
    ] {
        let response = get(server.addr, target);
        assert_eq!(response.status, 400, "{target}");
    }
}

/// RFC 9112 §3.2.2: a server MUST accept the absolute form a client sends
/// to a proxy. The host in it is ignored (one site); the path is the path.
#[test]
fn absolute_form_targets_are_served_like_their_paths() {
    let site = Site::new();
    let server = site.serve(&[]);
    let page = get(server.addr, "http://elsewhere.example/HelloWorld.html");
    assert_eq!((page.status, page.text()), (200, HELLO.to_string()));
    let page = get(server.addr, "HTTPS://Test:6789/docs/notes.txt?x=1");
    assert_eq!(page.text(), "0123456789abcdefghijklmnopqrstuvwxyz");
    let dir = get(server.addr, "http://test/docs?sort=name");
    assert_eq!(dir.status, 301);
    assert_eq!(
        dir.header("location").as_deref(),
        Some("/docs/?sort=name"),
        "the redirect is to the path: this server has no other host"
    );
    let listing = get(server.addr, "http://test");
    assert!(listing.text().contains("docs/"), "{}", listing.text());
    let up = get(server.addr, "http://test/../secret.txt");
    assert_eq!(up.status, 403);
    assert!(!up.text().contains(support::SECRET));
}

/// `OPTIONS *` asks the server what it supports; `OPTIONS /path` what a
/// resource does. Both get `Allow` and an empty body, keep-alive kept.
#[test]
fn options_says_which_methods_are_allowed() {
    let site = Site::new();
    let server = site.serve(&[]);
    let mut conn = connect(server.addr);
    for target in ["*", "/HelloWorld.html", "/docs/", "http://test/docs"] {
        send(
            &mut conn,
            format!("OPTIONS {target} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes(),
        );
        let response = read_response(&mut conn, false);
        assert_eq!(response.status, 200, "{target}: {}", response.head);
        assert_eq!(
            response.header("allow").as_deref(),
            Some("GET, HEAD, OPTIONS"),
            "{target}"
        );
        assert_eq!(response.header("content-length").as_deref(), Some("0"));
        assert!(response.body.is_empty());
    }
    // The connection is still good for a GET after them.
    send(
        &mut conn,
        b"GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    assert_eq!(read_response(&mut conn, false).text(), HELLO);

    let missing = request(server.addr, b"OPTIONS /nope HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(missing.status, 404);
    let up = request(
        server.addr,
        b"OPTIONS /../secret.txt HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    assert_eq!(up.status, 403);
    for method in ["GET", "HEAD"] {
        let star = request(
            server.addr,
            format!("{method} * HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes(),
        );
        assert_eq!(star.status, 400, "{method} *");
    }
    let lower = request(server.addr, b"options * HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(lower.status, 405, "methods are case-sensitive");
}

#[test]
fn other_http_versions_get_505() {
    let site = Site::new();
    let server = site.serve(&[]);
    let response = request(server.addr, b"GET / HTTP/2.0\r\nHost: t\r\n\r\n");
    assert_eq!(response.status, 505);
    assert!(response
        .head
        .starts_with("HTTP/1.1 505 HTTP Version Not Supported\n"));
}

#[test]
fn a_request_line_over_8_kib_gets_414_and_headers_over_64_kib_get_431() {
    let site = Site::new();
    let server = site.serve(&[]);
    let long_path = format!("/{}", "a".repeat(8 * 1024));
    let response = request(
        server.addr,
        format!("GET {long_path} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes(),
    );
    assert_eq!(response.status, 414);

    let mut headers = String::from("GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\n");
    for i in 0..1100 {
        headers.push_str(&format!("X-Filler-{i}: {}\r\n", "x".repeat(50)));
    }
    headers.push_str("\r\n");
    let response = request(server.addr, headers.as_bytes());
    assert_eq!(response.status, 431);
    assert!(response
        .head
        .starts_with("HTTP/1.1 431 Request Header Fields Too Large\n"));

    // Just under both limits is a normal request.
    let path = format!("/{}", "b".repeat(8 * 1024 - 20));
    let response = get(server.addr, &path);
    assert_eq!(response.status, 404);
    assert_still_serving(server.addr);
}

#[test]
fn if_modified_since_gets_304_for_an_unchanged_file() {
    let site = Site::new();
    let server = site.serve(&[]);
    let first = get(server.addr, "/HelloWorld.html");
    let last_modified = first.header("last-modified").expect("Last-Modified");
    let ask = |since: &str| {
        request(
            server.addr,
            format!(
                "GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: {since}\r\n\r\n"
            )
            .as_bytes(),
        )
    };
    let unchanged = ask(&last_modified);
    assert_eq!(unchanged.status, 304, "{}", unchanged.head);
    assert!(unchanged.header("content-length").is_none());
    assert_eq!(unchanged.header("last-modified"), Some(last_modified));
    assert_eq!(
        ask("Thu, 01 Jan 1970 00:00:00 GMT").status,
        200,
        "changed since 1970"
    );
    assert_eq!(ask("not a date").status, 200, "an invalid date is ignored");
}

#[test]
fn single_byte_ranges_get_206_and_impossible_ones_416() {
    let site = Site::new();
    let server = site.serve(&[]);
    let notes = "0123456789abcdefghijklmnopqrstuvwxyz"; // 36 bytes
    let ranged = |range_header: &str| {
        request(
            server.addr,
            format!("GET /docs/notes.txt HTTP/1.1\r\nHost: t\r\n{range_header}\r\n\r\n").as_bytes(),
        )
    };
    for (header, body, content_range) in [
        ("Range: bytes=5-5", "5", "bytes 5-5/36"),
        ("Range: bytes=10-", &notes[10..], "bytes 10-35/36"),
        ("Range: bytes=-25", &notes[11..], "bytes 11-35/36"),
        ("Range: bytes=30-99", &notes[30..], "bytes 30-35/36"),
        ("range: BYTES=0-3", "0123", "bytes 0-3/36"),
    ] {
        let response = ranged(header);
        assert_eq!(response.status, 206, "{header}");
        assert_eq!(response.text(), body, "{header}");
        assert_eq!(
            response.header("content-range").as_deref(),
            Some(content_range),
            "{header}"
        );
    }
    for header in ["Range: bytes=9-5", "Range: bytes=36-", "Range: bytes=-0"] {
        let response = ranged(header);
        assert_eq!(response.status, 416, "{header}");
        assert_eq!(
            response.header("content-range").as_deref(),
            Some("bytes */36"),
            "{header}"
        );
    }
    for header in [
        "Range: bytes=0-1,5-6",
        "Range: lines=1-2",
        "Range: bytes=x-y",
    ] {
        let response = ranged(header);
        assert_eq!(
            (response.status, response.text()),
            (200, notes.to_string()),
            "{header}"
        );
    }
    // If-Range with another date: the file may have changed, send it whole.
    let response = ranged("Range: bytes=0-3\r\nIf-Range: Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(response.status, 200);
}

#[test]
fn a_big_ranged_body_comes_from_the_right_offset() {
    let site = Site::new();
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    site.file("big.bin", &data);
    let server = site.serve(&[]);
    let response = request(
        server.addr,
        b"GET /big.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=1000-250999\r\n\r\n",
    );
    assert_eq!(response.status, 206);
    assert_eq!(response.body, &data[1000..251_000]);
    let whole = get(server.addr, "/big.bin");
    assert_eq!(whole.body, data);
}

#[test]
fn a_directory_serves_its_index_or_a_listing_and_needs_its_slash() {
    let site = Site::new();
    fs::create_dir(site.root.join("blog")).expect("mkdir");
    site.file("blog/index.html", b"<h1>blog</h1>");
    let server = site.serve(&[]);

    let redirect = get(server.addr, "/docs?sort=name");
    assert_eq!(redirect.status, 301);
    assert_eq!(
        redirect.header("location").as_deref(),
        Some("/docs/?sort=name")
    );
    // A Location starting with // would send the browser to another host.
    let sneaky = get(server.addr, "//docs");
    assert_eq!(sneaky.header("location").as_deref(), Some("/docs/"));

    let listing = get(server.addr, "/docs/");
    assert_eq!(listing.status, 200);
    let page = listing.text();
    assert!(
        page.contains("<title>Directory listing for /docs/</title>"),
        "{page}"
    );
    for link in [
        "<a href=\"empty/\">empty/</a>",
        "<a href=\"notes.txt\">notes.txt</a>",
        "<a href=\"style.css\">style.css</a>",
    ] {
        assert!(page.contains(link), "{link} in {page}");
    }
    let index = get(server.addr, "/blog/");
    assert_eq!(
        (index.status, index.text()),
        (200, "<h1>blog</h1>".to_string())
    );
    assert_eq!(index.header("content-type").as_deref(), Some("text/html"));
}

#[test]
fn keep_alive_serves_pipelined_requests_in_order_until_connection_close() {
    let site = Site::new();
    let server = site.serve(&[]);
    let mut conn = connect(server.addr);
    // Three requests in one write: each response must come whole, in order.
    send(
        &mut conn,
        b"GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\n\
          GET /docs/notes.txt HTTP/1.1\r\nHost: t\r\n\r\n\
          GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    let first = read_response(&mut conn, false);
    let second = read_response(&mut conn, false);
    let third = read_response(&mut conn, false);
    assert_eq!((first.status, first.text()), (200, HELLO.to_string()));
    assert_eq!(second.text(), "0123456789abcdefghijklmnopqrstuvwxyz");
    assert!(
        first.header("connection").is_none(),
        "HTTP/1.1 keeps the connection"
    );
    assert_eq!(third.status, 404);
    assert_eq!(third.header("connection").as_deref(), Some("close"));
    assert!(closed_by_server(&mut conn));
}

#[test]
fn http_1_0_closes_unless_it_asks_for_keep_alive() {
    let site = Site::new();
    let server = site.serve(&[]);
    let mut conn = connect(server.addr);
    send(&mut conn, b"GET /HelloWorld.html HTTP/1.0\r\n\r\n");
    let response = read_response(&mut conn, false);
    assert_eq!(response.header("connection").as_deref(), Some("close"));
    assert!(closed_by_server(&mut conn));

    let mut conn = connect(server.addr);
    send(
        &mut conn,
        b"GET /HelloWorld.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    );
    let response = read_response(&mut conn, false);
    assert_eq!(response.header("connection").as_deref(), Some("keep-alive"));
    send(&mut conn, b"GET /HelloWorld.html HTTP/1.0\r\n\r\n");
    assert_eq!(read_response(&mut conn, false).text(), HELLO);
}

#[test]
fn max_requests_closes_a_connection_after_that_many() {
    let site = Site::new();
    let server = site.serve(&["--max-requests", "2"]);
    let mut conn = connect(server.addr);
    send(
        &mut conn,
        b"GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    assert!(read_response(&mut conn, false)
        .header("connection")
        .is_none());
    send(
        &mut conn,
        b"GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    let second = read_response(&mut conn, false);
    assert_eq!(second.header("connection").as_deref(), Some("close"));
    assert!(closed_by_server(&mut conn));
}

#[test]
fn the_access_log_is_like_http_servers_with_control_characters_escaped() {
    let site = Site::new();
    let server = site.serve(&[]);
    get(server.addr, "/HelloWorld.html");
    request(server.addr, b"GET /\x1b[2J\x07 HTTP/1.1\r\nHost: t\r\n\r\n");
    let log = server.stop(WAIT);
    let line = log
        .lines()
        .find(|line| line.contains("\"GET /HelloWorld.html HTTP/1.1\""))
        .unwrap_or_else(|| panic!("no access line in:\n{log}"));
    // 127.0.0.1 - - [21/Nov/2026 10:00:00] "GET /HelloWorld.html HTTP/1.1" 200 26
    let (client, rest) = line.split_once(" - - [").expect("http.server's layout");
    assert_eq!(client, "127.0.0.1");
    let (date, request) = rest.split_once("] ").expect("a date in brackets");
    assert!(
        chrono::NaiveDateTime::parse_from_str(date, "%d/%b/%Y %H:%M:%S").is_ok(),
        "{date}"
    );
    assert_eq!(
        request,
        format!("\"GET /HelloWorld.html HTTP/1.1\" 200 {}", HELLO.len())
    );

    assert!(
        log.contains("\"GET /\\u{1b}[2J\\u{7} HTTP/1.1\" 400 "),
        "{log}"
    );
    assert!(!log.contains('\x1b'), "a raw escape reached the log");
    assert!(
        log.contains("shutting down: served 2 clients, 2 response(s); peak memory "),
        "{log}"
    );
}

#[test]
fn quiet_leaves_the_access_log_out() {
    let site = Site::new();
    let server = site.serve(&["--quiet"]);
    assert_still_serving(server.addr);
    let log = server.stop(WAIT);
    assert!(!log.contains("\"GET "), "{log}");
    assert!(
        log.contains("shutting down: served 1 client, 1 response(s)"),
        "{log}"
    );
}

#[test]
fn ctrl_c_lets_a_big_download_finish_streamed_from_disk_and_exits_0() {
    let site = Site::new();
    let size = 64 * 1024 * 1024;
    let data: Vec<u8> = (0..size as u32).map(|i| (i % 253) as u8).collect();
    site.file("big.bin", &data);
    let mut server = site.serve(&[]);

    // An idle keep-alive connection must not hold up the exit.
    let mut idle = connect(server.addr);
    send(
        &mut idle,
        b"GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    assert_eq!(read_response(&mut idle, false).status, 200);

    let mut download = connect(server.addr);
    send(&mut download, b"GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n");
    let mut head = String::new();
    while !head.ends_with("\r\n\r\n") {
        assert!(download.read_line(&mut head).expect("head") > 0, "{head}");
    }
    let mut first = vec![0; 1024 * 1024];
    download.read_exact(&mut first).expect("the first MiB");

    server.interrupt(); // Ctrl-C in the middle of the download
    let mut rest = Vec::new();
    download
        .read_to_end(&mut rest)
        .expect("the rest of the file, then the close");
    first.extend_from_slice(&rest);
    assert_eq!(first.len(), size, "the whole file arrived");
    assert!(first == data, "byte for byte");
    assert!(
        closed_by_server(&mut idle),
        "the idle connection was closed"
    );

    let status = server.wait(WAIT);
    assert!(status.success(), "exit {status:?}");
    let log = server.stdout.text();
    assert!(
        log.contains("shutting down: served 2 clients, 2 response(s); peak memory "),
        "{log}"
    );
    // 64 MiB went out through sendfile; the server never held it.
    let peak: u64 = log
        .split("peak memory ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|mib| mib.parse().ok())
        .expect("peak memory N MiB");
    assert!(
        peak < 32,
        "peak memory {peak} MiB while sending a 64 MiB file"
    );
}

#[test]
fn a_root_that_is_not_a_directory_is_a_usage_error() {
    let out = testkit::run(
        command(BIN, ["server", "--root", "/no/such/dir"]),
        b"",
        WAIT,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: cannot serve --root /no/such/dir: no such file or directory\n"
    );
    let out = testkit::run(command(BIN, ["server", "--idle-timeout", "0"]), b"", WAIT);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn help_names_the_lab_and_shows_examples() {
    let out = testkit::run(command(BIN, ["server", "--help"]), b"", WAIT);
    let help = stdout(&out);
    assert!(help.contains("The web-server lab, the server"), "{help}");
    assert!(
        help.contains("web_server server --root site --port 8000"),
        "{help}"
    );
    assert!(help.contains("--max-connections"), "{help}");
    let out = testkit::run(command(BIN, ["--help"]), b"", WAIT);
    assert!(stdout(&out).contains("web_server client http://127.0.0.1:6789/HelloWorld.html"));
}

#[test]
fn a_request_is_answered_even_when_it_arrives_a_byte_at_a_time() {
    let site = Site::new();
    let server = site.serve(&[]);
    let mut conn = connect(server.addr);
    conn.get_ref().set_nodelay(true).expect("nodelay");
    for byte in b"GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\n" {
        send(&mut conn, &[*byte]);
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(read_response(&mut conn, false).text(), HELLO);
}

/// The server keeps files it served open (small ones in memory) once they
/// have not changed for a while (`web_server::cache`). Whatever happens to
/// such a file afterwards, the next request sees the file as it is now.
#[test]
fn a_cached_file_that_changes_is_served_as_it_is_now() {
    let site = Site::new();
    let small = site.file("small.txt", b"first version");
    let big = site.file("big.bin", &vec![b'a'; 100 * 1024]);
    let outside = site.dir.path().join("secret.txt");
    // Older than web_server::cache::SETTLED (2 s), so that they are cached.
    std::thread::sleep(Duration::from_secs(3));
    let server = site.serve(&[]);
    for _ in 0..3 {
        assert_eq!(get(server.addr, "/small.txt").text(), "first version");
        assert_eq!(get(server.addr, "/big.bin").body.len(), 100 * 1024);
    }

    fs::write(&small, b"other version").expect("rewrite, same size");
    fs::write(&big, vec![b'b'; 100 * 1024]).expect("rewrite, same size");
    assert_eq!(get(server.addr, "/small.txt").text(), "other version");
    assert_eq!(get(server.addr, "/big.bin").body, vec![b'b'; 100 * 1024]);

    fs::remove_file(&small).expect("rm");
    assert_eq!(get(server.addr, "/small.txt").status, 404);

    fs::remove_file(&big).expect("rm");
    std::os::unix::fs::symlink(&outside, &big).expect("symlink");
    let response = get(server.addr, "/big.bin");
    assert_eq!(response.status, 403, "{}", response.head);
    assert!(!response.text().contains(support::SECRET));
}
