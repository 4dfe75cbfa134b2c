//! Entity tags and the conditional requests of RFC 9110 §13 on the real
//! binary, with raw requests: `ETag` on 200 and 206, `If-None-Match` (a
//! list, `*`, the weak comparison) and its precedence over
//! `If-Modified-Since`, `If-Match` and `If-Unmodified-Since` (412, ahead of
//! the others), lists split over several lines, `If-Range` by entity tag
//! (the strong comparison) or by date.

mod support;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, UNIX_EPOCH};

use support::{connect, get, read_response, request, send, Site, HELLO};

const NOTES: &str = "0123456789abcdefghijklmnopqrstuvwxyz";

/// `GET /docs/notes.txt` with `headers` (each line CRLF-terminated).
fn notes_with(addr: std::net::SocketAddr, method: &str, headers: &str) -> support::Response {
    request(
        addr,
        format!("{method} /docs/notes.txt HTTP/1.1\r\nHost: t\r\n{headers}\r\n").as_bytes(),
    )
}

#[test]
fn every_200_and_206_has_a_strong_etag_made_of_inode_size_and_mtime() {
    let site = Site::new();
    let path = site.root.join("docs/notes.txt");
    let server = site.serve(&[]);
    let meta = fs::metadata(&path).expect("stat");
    let nanos = i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
    let expected = format!("\"{:x}-{:x}-{:x}\"", meta.ino(), meta.size(), nanos);

    let whole = get(server.addr, "/docs/notes.txt");
    assert_eq!(whole.header("etag").as_deref(), Some(expected.as_str()));
    let part = notes_with(server.addr, "GET", "Range: bytes=0-3\r\n");
    assert_eq!(part.status, 206);
    assert_eq!(part.header("etag").as_deref(), Some(expected.as_str()));
    let head = notes_with(server.addr, "HEAD", "");
    assert_eq!(head.header("etag").as_deref(), Some(expected.as_str()));
    let other = get(server.addr, "/HelloWorld.html");
    assert_ne!(other.header("etag"), whole.header("etag"));

    // The same bytes, the same second, another nanosecond: another tag
    // (Last-Modified alone could not tell).
    let file = fs::File::options().write(true).open(&path).expect("open");
    let at = |ns| UNIX_EPOCH + Duration::new(1_700_000_000, ns);
    file.set_modified(at(1)).expect("set mtime");
    let first = get(server.addr, "/docs/notes.txt");
    file.set_modified(at(2)).expect("set mtime");
    let second = get(server.addr, "/docs/notes.txt");
    assert_eq!(
        first.header("last-modified"),
        second.header("last-modified")
    );
    assert_ne!(first.header("etag"), second.header("etag"));
}

#[test]
fn if_none_match_gets_304_with_the_etag_and_no_body() {
    let site = Site::new();
    let server = site.serve(&[]);
    let etag = get(server.addr, "/docs/notes.txt")
        .header("etag")
        .expect("an ETag");
    let weak = format!("W/{etag}");
    let in_a_list = format!("\"x\", W/\"y\",{etag}");
    let mut conn = connect(server.addr);
    for (method, field) in [
        ("GET", etag.as_str()),
        ("GET", weak.as_str()),
        ("GET", in_a_list.as_str()),
        ("GET", "*"),
        ("HEAD", etag.as_str()),
    ] {
        send(
            &mut conn,
            format!(
                "{method} /docs/notes.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: {field}\r\n\r\n"
            )
            .as_bytes(),
        );
        let response = read_response(&mut conn, method == "HEAD");
        assert_eq!(response.status, 304, "{method} {field}: {}", response.head);
        assert_eq!(response.header("etag").as_deref(), Some(etag.as_str()));
        assert!(response.header("content-length").is_none(), "{field}");
    }
    // No body came after the 304s: the next response on the connection is
    // read from its very first byte.
    send(
        &mut conn,
        b"GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    assert_eq!(read_response(&mut conn, false).text(), HELLO);

    for field in [
        "\"other\"",
        "W/\"other\", \"x\"",
        "not-a-tag",
        "\"unclosed",
        "",
    ] {
        let response = notes_with(server.addr, "GET", &format!("If-None-Match: {field}\r\n"));
        assert_eq!(
            (response.status, response.text()),
            (200, NOTES.to_string()),
            "{field}"
        );
    }
    let star_missing = request(
        server.addr,
        b"GET /nope HTTP/1.1\r\nHost: t\r\nIf-None-Match: *\r\n\r\n",
    );
    assert_eq!(star_missing.status, 404, "* matches only what exists");
}

/// RFC 9110 §13.2.2: If-Modified-Since is evaluated only when
/// If-None-Match is absent.
#[test]
fn if_none_match_takes_precedence_over_if_modified_since() {
    let site = Site::new();
    let server = site.serve(&[]);
    let first = get(server.addr, "/docs/notes.txt");
    let etag = first.header("etag").expect("ETag");
    let last_modified = first.header("last-modified").expect("Last-Modified");
    let epoch = "Thu, 01 Jan 1970 00:00:00 GMT";
    for (none_match, since, status) in [
        ("\"other\"", last_modified.as_str(), 200), // IMS alone would be 304
        (etag.as_str(), epoch, 304),                // IMS alone would be 200
        (etag.as_str(), last_modified.as_str(), 304),
        ("\"other\"", epoch, 200),
    ] {
        let response = notes_with(
            server.addr,
            "GET",
            &format!("If-Modified-Since: {since}\r\nIf-None-Match: {none_match}\r\n"),
        );
        assert_eq!(response.status, status, "{none_match} / {since}");
    }
    let since_only = notes_with(
        server.addr,
        "GET",
        &format!("If-Modified-Since: {last_modified}\r\n"),
    );
    assert_eq!(since_only.status, 304);
    assert_eq!(since_only.header("etag"), Some(etag));
}

#[test]
fn if_range_sends_the_part_only_for_this_very_version() {
    let site = Site::new();
    let server = site.serve(&[]);
    let first = get(server.addr, "/docs/notes.txt");
    let etag = first.header("etag").expect("ETag");
    let last_modified = first.header("last-modified").expect("Last-Modified");
    for (if_range, status, body) in [
        (etag.clone(), 206, "0123"),
        (last_modified.clone(), 206, "0123"),
        (format!("W/{etag}"), 200, NOTES), // weak never matches strongly
        ("\"other\"".to_string(), 200, NOTES),
        (format!("{etag}, {etag}"), 200, NOTES), // one tag, not a list
        ("Thu, 01 Jan 1970 00:00:00 GMT".to_string(), 200, NOTES),
        ("garbage".to_string(), 200, NOTES),
    ] {
        let response = notes_with(
            server.addr,
            "GET",
            &format!("Range: bytes=0-3\r\nIf-Range: {if_range}\r\n"),
        );
        assert_eq!(
            (response.status, response.text().as_str()),
            (status, body),
            "If-Range: {if_range}"
        );
        assert_eq!(response.header("etag").as_deref(), Some(etag.as_str()));
    }
    // If-Range without Range is ignored; and with If-None-Match matching,
    // the 304 comes first.
    let alone = notes_with(server.addr, "GET", &format!("If-Range: {etag}\r\n"));
    assert_eq!((alone.status, alone.text()), (200, NOTES.to_string()));
    let both = notes_with(
        server.addr,
        "GET",
        &format!("Range: bytes=0-3\r\nIf-Range: {etag}\r\nIf-None-Match: {etag}\r\n"),
    );
    assert_eq!(both.status, 304);
}

/// RFC 9110 §13.1.1 and §13.1.4: `If-Match` holds for `*` or the file's
/// entity tag by the strong comparison (never a weak one);
/// `If-Unmodified-Since` holds unless the file changed after the date, and
/// is ignored with `If-Match` or when it is not a date. A failing one is
/// 412, ahead of `If-None-Match` and `Range` (§13.2.2).
#[test]
fn if_match_and_if_unmodified_since_get_412_when_the_file_is_another_version() {
    let site = Site::new();
    let server = site.serve(&[]);
    let first = get(server.addr, "/docs/notes.txt");
    let etag = first.header("etag").expect("ETag");
    let last_modified = first.header("last-modified").expect("Last-Modified");
    let epoch = "Thu, 01 Jan 1970 00:00:00 GMT";
    let weak = format!("W/{etag}");
    let in_a_list = format!("\"x\", {etag}");
    for (headers, status) in [
        (format!("If-Match: {etag}\r\n"), 200),
        ("If-Match: *\r\n".to_string(), 200),
        (format!("If-Match: {in_a_list}\r\n"), 200),
        (format!("If-Match: {weak}\r\n"), 412),
        ("If-Match: \"other\"\r\n".to_string(), 412),
        ("If-Match: not-a-tag\r\n".to_string(), 412),
        (format!("If-Unmodified-Since: {last_modified}\r\n"), 200),
        (format!("If-Unmodified-Since: {epoch}\r\n"), 412),
        ("If-Unmodified-Since: yesterday\r\n".to_string(), 200),
        // With If-Match, If-Unmodified-Since is not evaluated.
        (
            format!("If-Match: {etag}\r\nIf-Unmodified-Since: {epoch}\r\n"),
            200,
        ),
        // If-Match before If-None-Match, and before Range.
        (
            format!("If-Match: \"other\"\r\nIf-None-Match: {etag}\r\n"),
            412,
        ),
        (
            format!("If-Match: {etag}\r\nIf-None-Match: {etag}\r\n"),
            304,
        ),
        (
            "If-Match: \"other\"\r\nRange: bytes=0-3\r\n".to_string(),
            412,
        ),
        (format!("If-Match: {etag}\r\nRange: bytes=0-3\r\n"), 206),
    ] {
        let response = notes_with(server.addr, "GET", &headers);
        assert_eq!(response.status, status, "{headers:?}: {}", response.head);
        if status == 412 {
            assert_eq!(response.header("etag").as_deref(), Some(etag.as_str()));
            assert!(
                response.text().contains("412 Precondition Failed"),
                "{headers:?}"
            );
        }
    }
    // HEAD: the same status, no body, and the connection goes on.
    let mut conn = connect(server.addr);
    send(
        &mut conn,
        b"HEAD /docs/notes.txt HTTP/1.1\r\nHost: t\r\nIf-Match: \"other\"\r\n\r\n",
    );
    assert_eq!(read_response(&mut conn, true).status, 412);
    send(
        &mut conn,
        b"GET /HelloWorld.html HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    assert_eq!(read_response(&mut conn, false).text(), HELLO);
    // A file that is not there is a 404 whatever the preconditions say
    // (§13.2.1: they count only where the answer would be 2xx).
    let missing = request(
        server.addr,
        b"GET /nope HTTP/1.1\r\nHost: t\r\nIf-Match: *\r\n\r\n",
    );
    assert_eq!(missing.status, 404);
}

/// A list-valued field may come as several lines that together are one
/// list (RFC 9110 §5.3): a tag on the second line counts.
#[test]
fn a_conditional_list_split_over_two_lines_is_read_whole() {
    let site = Site::new();
    let server = site.serve(&[]);
    let etag = get(server.addr, "/docs/notes.txt")
        .header("etag")
        .expect("ETag");
    for (headers, status) in [
        (
            format!("If-None-Match: \"x\"\r\nIf-None-Match: {etag}\r\n"),
            304,
        ),
        (
            "If-None-Match: \"x\"\r\nIf-None-Match: \"y\"\r\n".to_string(),
            200,
        ),
        (format!("If-Match: \"x\"\r\nIf-Match: {etag}\r\n"), 200),
        ("If-Match: \"x\"\r\nIf-Match: \"y\"\r\n".to_string(), 412),
    ] {
        let response = notes_with(server.addr, "GET", &headers);
        assert_eq!(response.status, status, "{headers:?}: {}", response.head);
    }
}
