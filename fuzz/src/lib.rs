//! What each fuzz target checks, one function per target: the bytes go
//! where the network's bytes go, and the function panics when a property
//! fails (libFuzzer reports a panic as a crash).
//!
//! The fuzz targets (`fuzz/fuzz_targets/`) call these functions, and so
//! does `cargo test` (`crates/testkit/tests/fuzz_regressions.rs` compiles
//! this file as a module), which replays the saved inputs of
//! `fuzz/regressions/TARGET/` and the seeds of `fuzz/corpus/TARGET/`. So this
//! file builds on stable and under the workspace's lints too.

use std::io::{self, BufReader, Cursor, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use common::wire::{self, WireError, PREFIX_LEN};
use serde_json::Value;

/// A target's checks: they panic when the input breaks a property.
pub type Check = fn(&[u8]);

/// Every target by name, as `scripts/fuzz.sh --list` and the regression
/// test know them.
pub const TARGETS: [(&str, Check); 14] = [
    ("http_head", http_head),
    ("http_range", http_range),
    ("http_target", http_target),
    ("http_absolute_target", http_absolute_target),
    ("http_response", http_response),
    ("http_conditional", http_conditional),
    ("http_accept_encoding", http_accept_encoding),
    ("common_wire", common_wire),
    ("ftp_header", ftp_header),
    ("ftp_names", ftp_names),
    ("udp_ping", udp_ping),
    ("time_format", time_format),
    ("dns_message", dns_message),
    ("ftp_digest_store", ftp_digest_store),
];

// ------------------------------------------------------------ web_server

/// The server's request head: the first byte is the size of the pieces the
/// rest arrives in, the rest is what the client sends. The scanner gives
/// the same answer however the bytes are cut; a head it finds is parsed, its
/// target resolved and its `Range` read, as the server does.
pub fn http_head(data: &[u8]) {
    use web_server::request::{self, HeadScanner, MAX_HEAD};

    let Some((&piece, bytes)) = data.split_first() else {
        return;
    };
    let whole = HeadScanner::default().scan(bytes);
    let step = usize::from(piece).max(1);
    let mut scanner = HeadScanner::default();
    let mut in_pieces = Ok(None);
    let mut filled = 0;
    while filled < bytes.len() {
        filled = (filled + step).min(bytes.len());
        in_pieces = scanner.scan(&bytes[..filled]);
        if !matches!(in_pieces, Ok(None)) {
            break;
        }
    }
    assert_eq!(in_pieces, whole, "the scanner's answer depends on the cuts");

    // Whatever the bytes, parsing them never panics.
    let _ = request::parse(bytes);

    let Ok(Some(span)) = whole else {
        return;
    };
    assert!(span.start < span.end && span.end <= bytes.len(), "{span:?}");
    assert!(span.end <= MAX_HEAD, "a head of {} bytes", span.end);
    assert_eq!(
        bytes[span.end - 1],
        b'\n',
        "a head ends with its blank line"
    );
    let Ok(request) = request::parse(&bytes[span.start..span.end]) else {
        return;
    };
    assert!(!request.target.is_empty());
    assert!(request.target.iter().all(u8::is_ascii_graphic));
    http_target(request.target);
    if let Some(range) = request.range {
        for len in [0, 1, 10, 1000, u64::MAX] {
            check_range(range, len);
        }
    }
}

/// A `Range` header against a file length: the first 8 bytes are the
/// length (little-endian), the rest the header's value.
pub fn http_range(data: &[u8]) {
    let Some((len, value)) = data.split_first_chunk::<8>() else {
        return;
    };
    check_range(value, u64::from_le_bytes(*len));
}

fn check_range(value: &[u8], len: u64) {
    use web_server::range::{self, RangeRequest};

    match range::parse(value, len) {
        RangeRequest::Partial { first, last } => {
            assert!(first <= last && last < len, "{first}-{last} of {len}");
        }
        RangeRequest::Unsatisfiable | RangeRequest::Whole => {}
    }
}

/// The served directory for [`http_target`]: the system's temporary
/// directory, canonical (any directory would do: nothing is opened).
fn site() -> &'static web_server::site::Site {
    static SITE: OnceLock<web_server::site::Site> = OnceLock::new();
    SITE.get_or_init(|| {
        web_server::site::Site::new(&std::env::temp_dir()).expect("the temporary directory")
    })
}

/// A request target, percent-decoded and resolved: the path on disk is
/// always inside the root, each component a plain name, and the
/// directory URL made from it is one `/` path that parses back to it.
pub fn http_target(data: &[u8]) {
    if let Ok(parsed) = web_server::target::parse(data) {
        check_target(&parsed);
    }
}

/// What [`http_target`] checks of a target that parsed (in origin form or
/// absolute form): plain names, inside the root, a directory URL that
/// parses back to the same names.
fn check_target(parsed: &web_server::target::Target<'_>) {
    use web_server::target;

    let names: Vec<&[u8]> = parsed.path.components().collect();
    for name in &names {
        assert!(
            !name.is_empty() && *name != b"." && *name != b"..",
            "{name:?}"
        );
        assert!(
            !name.iter().any(|b| matches!(b, b'/' | b'\\' | 0)),
            "{name:?}"
        );
    }
    let full = site().full_path(&parsed.path);
    check_inside(site().root(), &full, names.len());
    let _ = parsed.path.display();

    let url = parsed.path.directory_url(parsed.query);
    assert!(url.starts_with('/') && !url.starts_with("//"), "{url}");
    let again = target::parse(url.as_bytes()).expect("a directory URL parses");
    assert_eq!(again.path.components().collect::<Vec<_>>(), names, "{url}");
}

/// An absolute-form request target (`GET http://host/path HTTP/1.1`, RFC
/// 9112 §3.2.2), as the responder reads it (`target::parse_request_target`):
///
/// * for any bytes X, `http://h/` + X (and the same with other spellings of
///   the scheme and host: `HTTP://Example.COM:8080/`, `https://[::1]:6789/`)
///   is exactly what the origin form `/` + X is: the same path and query, or
///   the same refusal (the host is checked, then ignored: one site);
/// * so is `http://h` + X when X starts with `?` or `#` (no path: the
///   root's, RFC 9110 §4.2.3 "/" for an empty path);
/// * the origin form given to `parse_request_target` is `parse`'s;
/// * whatever the bytes, a target `parse_request_target` accepts passes
///   [`http_target`]'s checks: plain names, inside the root;
/// * a request line with either form parses alike, to the same target.
pub fn http_absolute_target(data: &[u8]) {
    use web_server::target::{parse, parse_request_target};

    if let Ok(parsed) = parse_request_target(data) {
        check_target(&parsed);
    }
    let origin = concat(&[b"/", data]);
    let expected = parse(&origin);
    assert_eq!(parse_request_target(&origin), expected, "origin form");
    for prefix in [
        &b"http://h/"[..],
        b"HTTP://Example.COM:8080/",
        b"https://[::1]:6789/",
        b"hTtP://a.b-c_d~1%20!$&'()*+,;=/",
    ] {
        let absolute = concat(&[prefix, data]);
        let got = parse_request_target(&absolute);
        assert_eq!(got, expected, "{}", String::from_utf8_lossy(&absolute));
        if let Ok(parsed) = &got {
            check_target(parsed);
        }
    }
    if matches!(data.first(), Some(b'?' | b'#')) {
        let absolute = concat(&[b"http://h", data]);
        assert_eq!(parse_request_target(&absolute), expected, "no path");
    }
    http_absolute_request_line(&origin, &concat(&[b"http://h/", data]));
}

/// `GET /X HTTP/1.1` and `GET http://h/X HTTP/1.1` (with a `Host`) parse
/// alike, and their targets resolve alike ([`http_absolute_target`]).
fn http_absolute_request_line(origin: &[u8], absolute: &[u8]) {
    use web_server::request;
    use web_server::target::parse_request_target;

    let head = |target: &[u8]| concat(&[b"GET ", target, b" HTTP/1.1\r\nHost: h\r\n\r\n"]);
    let (origin_head, absolute_head) = (head(origin), head(absolute));
    let by_origin = request::parse(&origin_head);
    let by_absolute = request::parse(&absolute_head);
    match (by_origin, by_absolute) {
        (Ok(o), Ok(a)) => assert_eq!(
            parse_request_target(o.target),
            parse_request_target(a.target)
        ),
        (Err(o), Err(a)) => assert_eq!(o, a),
        (o, a) => panic!("origin form {o:?}, absolute form {a:?}"),
    }
}

/// `path` lies inside `root`: below it by `depth` plain names, no `..`.
fn check_inside(root: &Path, path: &Path, depth: usize) {
    let relative = path
        .strip_prefix(root)
        .unwrap_or_else(|_| panic!("{} is outside {}", path.display(), root.display()));
    let components: Vec<Component<'_>> = relative.components().collect();
    assert!(
        components.iter().all(|c| matches!(c, Component::Normal(_))),
        "{}",
        path.display()
    );
    assert_eq!(components.len(), depth, "{}", path.display());
}

/// A response to `web_server client`: the first byte is its read buffer's
/// size, the rest what the server sends. The head is read, the body
/// framed and copied; never more body than was sent, exactly a
/// Content-Length when it succeeds.
pub fn http_response(data: &[u8]) {
    use web_server::client::{self, Framing};

    let Some((&capacity, stream)) = data.split_first() else {
        return;
    };
    let mut reader = BufReader::with_capacity(usize::from(capacity).max(1), Cursor::new(stream));
    let mut shown = String::new();
    let Ok(head) = client::read_head(&mut reader, &mut shown) else {
        return;
    };
    assert!((200..=999).contains(&head.status), "{}", head.status);
    let _ = head.redirect();
    for head_request in [true, false] {
        let Ok(framing) = client::framing(&head, head_request) else {
            continue;
        };
        if head_request {
            assert_eq!(framing, Framing::Empty);
            continue;
        }
        let mut body = Counter(0);
        if let Ok(copied) = client::copy_body(&mut reader, framing, &mut body) {
            assert_eq!(copied, body.0);
            assert!(
                copied <= stream.len() as u64,
                "{copied} bytes out of nothing"
            );
            if let Framing::Length(n) = framing {
                assert_eq!(copied, n);
            }
        }
    }
}

/// The two fixed entity tags [`http_conditional`] compares with: the tag of
/// `/` (any file would do; its tag does not change while the target runs),
/// and that tag with `-br`, a precompressed sibling's.
fn etags() -> &'static [web_server::etag::ETag; 2] {
    use web_server::etag::ETag;

    static TAGS: OnceLock<[ETag; 2]> = OnceLock::new();
    TAGS.get_or_init(|| {
        let tag = ETag::of(&std::fs::metadata("/").expect("the metadata of /"));
        [tag, tag.with_suffix("-br")]
    })
}

/// SP and HTAB around a field value (OWS, RFC 9110 §5.6.3), which a field
/// value does not include (§5.5).
fn trim_ows(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// The parts one after another (`[a, b].concat()`, with each part taken
/// as a slice whatever its literal's length).
fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// The conditional requests: the input is an `If-None-Match` or `If-Range`
/// field value, compared with two fixed strong tags (`etag::none_match_fails`,
/// `is_entity_tag`, `strong_match`, as `respond` calls them). Properties, from
/// RFC 9110 §8.8.3 (entity tags, weak and strong comparison) and §13.1.2
/// (If-None-Match) / §13.1.5 (If-Range):
///
/// 1. `*` (with any OWS around it) always fails If-None-Match: "the
///    condition is false if the origin server has a current representation".
/// 2. The strong tag itself, `"…"`, fails If-None-Match and strong-matches;
///    it is an entity tag (not a date) for If-Range.
/// 3. Its weak form `W/"…"` fails If-None-Match (the weak comparison
///    ignores `W/`) but never strong-matches (the strong comparison needs
///    both tags strong); it is still an entity tag for If-Range.
/// 4. A value that strong-matches is an entity tag for If-Range (else the
///    server would take it for a date), and fails If-None-Match too: two tags
///    that match strongly match weakly, and one entity-tag is a list of one.
/// 5. A value strong-matches exactly when, without OWS, it is the tag itself:
///    If-Range takes one entity-tag, and the server's tag is strong.
/// 6. A value starting with `W/` never strong-matches.
/// 7. If-None-Match fails only for `*` or a value that holds the tag's bytes
///    (its opaque-tag compared character by character, §8.8.3.2).
/// 8. The weak comparison ignores the weak indicator: putting `W/` before a
///    value that starts with a tag (`"`) does not change If-None-Match.
/// 9. OWS around the value changes none of the three answers (§5.5).
/// 10. The tag anywhere in a list of tags, `"a", W/"b", "…"`, fails
///     If-None-Match (§13.1.2: "if the field value is a list of entity tags,
///     the condition is false if one of the listed tags matches").
pub fn http_conditional(data: &[u8]) {
    use web_server::etag::{is_entity_tag, none_match_fails, strong_match};

    for etag in etags() {
        let tag = etag.as_bytes();
        // Whatever the bytes: answers, never a panic.
        let fails = none_match_fails(data, etag);
        let entity = is_entity_tag(data);
        let strong = strong_match(data, etag);
        let value = trim_ows(data);

        // 1.
        assert!(none_match_fails(b"*", etag));
        assert!(none_match_fails(b" \t* ", etag));
        if value == b"*" {
            assert!(fails, "* must fail If-None-Match");
        }
        // 2.
        assert!(none_match_fails(tag, etag) && strong_match(tag, etag) && is_entity_tag(tag));
        // 3.
        let weak = concat(&[b"W/", tag]);
        assert!(
            none_match_fails(&weak, etag),
            "W/ is ignored by If-None-Match"
        );
        assert!(
            !strong_match(&weak, etag),
            "a weak tag never strong-matches"
        );
        assert!(is_entity_tag(&weak));
        // 4.
        if strong {
            assert!(entity, "a value that strong-matches is an entity tag");
            assert!(fails, "a strong match is a weak match");
        }
        // 5.
        assert_eq!(strong, value == tag, "strong match of {value:?}");
        // 6.
        if value.starts_with(b"W/") {
            assert!(!strong, "a weak tag strong-matched");
        }
        // 7.
        if fails && value != b"*" {
            assert!(
                value.windows(tag.len()).any(|w| w == tag),
                "If-None-Match failed for {value:?}, which does not hold the tag"
            );
        }
        // 8.
        if value.starts_with(b"\"") {
            let weakened = concat(&[b"W/", value]);
            assert_eq!(
                none_match_fails(&weakened, etag),
                fails,
                "W/ changed {value:?}"
            );
        }
        // 9.
        let padded = concat(&[b" \t ", data, b"\t "]);
        assert_eq!(none_match_fails(&padded, etag), fails);
        assert_eq!(is_entity_tag(&padded), entity);
        assert_eq!(strong_match(&padded, etag), strong);
        // 10.
        let list = concat(&[b"\"a\", W/\"b\",", tag, b" , \"c\""]);
        assert!(none_match_fails(&list, etag));
        let list = concat(&[b"\"a\",W/", tag]);
        assert!(none_match_fails(&list, etag));
    }
}

/// The coding [`http_accept_encoding`] reads from an entry's name: `br`,
/// `gzip` (or `x-gzip`), `*`, or another (`None`).
fn accept_name(name: &[u8]) -> Option<Option<web_server::encoding::Coding>> {
    use web_server::encoding::Coding;

    if name.eq_ignore_ascii_case(b"br") {
        Some(Some(Coding::Br))
    } else if name.eq_ignore_ascii_case(b"gzip") || name.eq_ignore_ascii_case(b"x-gzip") {
        Some(Some(Coding::Gzip))
    } else if name == b"*" {
        Some(None)
    } else {
        None
    }
}

/// `q=0`, `Q=0.`, `q=0.000`: a weight of zero, as RFC 9110 §12.4.2 writes
/// one (`"0" [ "." 0*3("0") ]`, "q" case-insensitive).
fn is_zero_weight(param: &[u8]) -> bool {
    let param = trim_ows(param);
    let Some(value) = param
        .strip_prefix(b"q=")
        .or_else(|| param.strip_prefix(b"Q="))
    else {
        return false;
    };
    match value {
        b"0" => true,
        [b'0', b'.', zeros @ ..] => zeros.len() <= 3 && zeros.iter().all(|&b| b == b'0'),
        _ => false,
    }
}

/// `Accept-Encoding` (RFC 9110 §12.5.3) through `encoding::choose`, the
/// responder's choice of a precompressed sibling: the first byte's low two
/// bits are the siblings the file has (`br`, `gzip`), the rest the value.
/// Properties:
///
/// 1. The choice is one of the siblings the file has, or none (the file
///    itself); a file without siblings is always sent as itself.
/// 2. An encoding given an explicit `q=0` ("not acceptable", §12.4.2) and
///    named by no other entry is never chosen; nor, with `*;q=0` and not
///    named at all, is any; nor is one whose `q=0` entry comes first.
/// 3. A value naming only `identity` (or nothing) chooses none.
/// 4. Codings and the `q` parameter are case-insensitive (§8.4.1, §12.4.2):
///    the value in upper or lower case chooses the same.
/// 5. Consistency between files: what is chosen among both siblings is
///    chosen when it is the only one; if a single sibling would be chosen
///    alone, something is chosen among both.
pub fn http_accept_encoding(data: &[u8]) {
    use web_server::encoding::{choose, Coding, Siblings};

    let Some((&which, value)) = data.split_first() else {
        return;
    };
    let only = |coding: Coding| Siblings::NONE.with(coding);
    let both = only(Coding::Br).with(Coding::Gzip);
    let mut available = Siblings::NONE;
    for (bit, coding) in [(1, Coding::Br), (2, Coding::Gzip)] {
        if which & bit != 0 {
            available = available.with(coding);
        }
    }
    // 1.
    let chosen = choose(value, available);
    if let Some(coding) = chosen {
        assert!(available.has(coding), "{coding:?} is not a sibling");
    }
    assert_eq!(choose(value, Siblings::NONE), None, "no sibling to choose");

    // 2. and 3., with the entries as this check reads them: split at `,`,
    // the name before the first `;`, without OWS.
    let entries: Vec<(&[u8], Vec<&[u8]>)> = value
        .split(|&b| b == b',')
        .map(|entry| {
            let mut parts = entry.split(|&b| b == b';');
            let name = trim_ows(parts.next().unwrap_or_default());
            (name, parts.collect())
        })
        .collect();
    let zero = |params: &[&[u8]]| params.len() == 1 && is_zero_weight(params[0]);
    for coding in Coding::ALL {
        let naming: Vec<&Vec<&[u8]>> = entries
            .iter()
            .filter(|(name, _)| accept_name(name) == Some(Some(coding)))
            .map(|(_, params)| params)
            .collect();
        let forbidden = if naming.is_empty() {
            // Not named: `*`'s weight, when every `*` says q=0.
            let stars: Vec<_> = entries.iter().filter(|(name, _)| *name == b"*").collect();
            !stars.is_empty() && stars.iter().all(|(_, params)| zero(params))
        } else {
            naming.iter().all(|params| zero(params))
        };
        if forbidden {
            assert_ne!(chosen, Some(coding), "{coding:?} has q=0");
        }
        for q0 in [&b"q=0"[..], b"Q=0.000", b" q=0."] {
            let first = concat(&[coding.name().as_bytes(), b";", q0, b", ", value]);
            assert_ne!(choose(&first, both), Some(coding), "q=0 came first");
        }
    }
    if entries
        .iter()
        .all(|(name, _)| name.is_empty() || name.eq_ignore_ascii_case(b"identity"))
    {
        assert_eq!(chosen, None, "only identity is acceptable");
    }
    assert_eq!(choose(b"identity", both), None);
    assert_eq!(choose(b" IDENTITY ; q=1 , identity;q=0.5", both), None);

    // 4.
    assert_eq!(choose(&value.to_ascii_lowercase(), available), chosen);
    assert_eq!(choose(&value.to_ascii_uppercase(), available), chosen);

    // 5.
    let among_both = choose(value, both);
    if let Some(coding) = among_both {
        assert_eq!(choose(value, only(coding)), Some(coding));
    }
    if Coding::ALL
        .into_iter()
        .any(|coding| choose(value, only(coding)).is_some())
    {
        assert!(
            among_both.is_some(),
            "a sibling acceptable alone, none among both"
        );
    }
}

/// A writer that counts what it is given.
#[derive(Debug)]
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

// --------------------------------------------------------------- common

/// The maximum a [`common_wire`] input reads frames with: its first two
/// bytes, little-endian (0 to 65535).
pub fn wire_max(data: &[u8]) -> usize {
    data.first_chunk::<2>()
        .map_or(0, |max| usize::from(u16::from_le_bytes(*max)))
}

/// The frames, then the JSON header, of one input ([`wire_frames`], then
/// [`wire_json_header`]).
pub fn common_wire(data: &[u8]) {
    wire_frames(data);
    wire_json_header(data);
}

/// Frames read one after the other from a stream (after the two bytes of
/// [`wire_max`]): each is exactly the bytes its prefix announces, and a
/// prefix that is negative, over the maximum or cut short is the error
/// that says so. (That no allocation is larger than the maximum is checked
/// by the fuzz target, which counts allocations.)
pub fn wire_frames(data: &[u8]) {
    let max = wire_max(data);
    let stream = data.get(2..).unwrap_or_default();
    let mut reader = Cursor::new(stream);
    loop {
        let at = reader.position() as usize;
        let rest = &stream[at..];
        let declared = rest
            .first_chunk::<PREFIX_LEN>()
            .map(|prefix| i32::from_le_bytes(*prefix));
        match wire::read_frame(&mut reader, max) {
            Ok(frame) => {
                let len = usize::try_from(declared.expect("a frame has a prefix"))
                    .expect("a frame's length is not negative");
                assert!(len <= max, "a frame of {len} bytes, over {max}");
                assert_eq!(frame, rest[PREFIX_LEN..PREFIX_LEN + len]);
            }
            Err(WireError::Closed) => {
                assert!(rest.is_empty());
                return;
            }
            Err(WireError::NegativeLength(n)) => {
                assert_eq!(declared, Some(n));
                assert!(n < 0);
                return;
            }
            Err(WireError::TooLong { len, max: said }) => {
                assert_eq!(said, max);
                assert!(len > max);
                assert_eq!(declared.map(i64::from), Some(len as i64));
                return;
            }
            Err(WireError::Truncated { expected, received }) => {
                assert!(received < expected);
                if rest.len() < PREFIX_LEN {
                    assert_eq!((expected, received), (PREFIX_LEN, rest.len()));
                } else {
                    assert_eq!(received, rest.len() - PREFIX_LEN);
                }
                return;
            }
            Err(other) => panic!("a frame from memory failed with {other:?}"),
        }
    }
}

/// One JSON header (after the two bytes of [`wire_max`]): a header read is
/// JSON that writes back to a frame that reads back the same. (The same up
/// to floating-point numbers: serde_json, without its `float_roundtrip`
/// feature, may read a float as the neighbouring f64. The protocols' sizes
/// and offsets are integers, which read back exactly.)
pub fn wire_json_header(data: &[u8]) {
    let max = wire_max(data);
    let stream = data.get(2..).unwrap_or_default();
    let Ok(header) = wire::read_json_header::<Value>(&mut Cursor::new(stream), max) else {
        return;
    };
    let mut framed = Vec::new();
    wire::write_json_header(&mut framed, &header).expect("a Value writes");
    let again: Value = wire::read_json_header(&mut Cursor::new(&framed), usize::MAX)
        .expect("a written header reads back");
    if !has_float(&header) {
        assert_eq!(again, header);
    }
}

fn has_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(has_float),
        Value::Object(fields) => fields.values().any(has_float),
        Value::Null | Value::Bool(_) | Value::String(_) => false,
    }
}

// ------------------------------------------------------------------ ftp

/// The server's request header: the input is the header's JSON (framed
/// here as a client frames it). A request read from it carries only valid
/// names, sizes and md5s, and every path it names resolves inside the home.
/// The client's replies are read from the same bytes.
pub fn ftp_header(data: &[u8]) {
    use ftp::protocol::{Entry, Reply, Request, Trailer, MAX_FILE_SIZE};

    let mut framed = Vec::new();
    if wire::write_frame(&mut framed, data).is_err() {
        return;
    }
    let _ = serde_json::from_slice::<Reply>(data);
    let _ = serde_json::from_slice::<Vec<Entry>>(data);
    let _ = serde_json::from_slice::<Trailer>(data);
    let Ok(header) = wire::read_json_header::<Value>(
        &mut Cursor::new(&framed),
        common::wire::DEFAULT_MAX_HEADER,
    ) else {
        return;
    };
    let Ok(request) = Request::from_json(&header) else {
        return;
    };
    match request {
        Request::Put(put) => {
            assert!(put.file_size <= MAX_FILE_SIZE);
            if let Some(md5) = &put.md5 {
                assert!(ftp::protocol::is_md5_hex(md5));
                assert_eq!(*md5, md5.to_ascii_lowercase());
            }
            ftp_name(&put.file_name);
        }
        Request::Get(get) => {
            assert!(get.offset <= MAX_FILE_SIZE);
            ftp_name(&get.file_name);
        }
        Request::Ls { path: Some(path) } | Request::Cd { path } | Request::Mkdir { path } => {
            ftp_path(&path)
        }
        _ => {}
    }
}

/// A file name or a path as text (what a JSON string holds).
pub fn ftp_names(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    ftp_name(text);
    ftp_path(text);
}

/// The home [`ftp_name`] and [`ftp_path`] place names in (nothing is
/// opened).
fn ftp_home() -> PathBuf {
    PathBuf::from("/srv/ftp/home/user")
}

/// A name that passes `validate_name` is one plain name on disk: in the
/// directory it is used in, and so is its partial upload.
fn ftp_name(name: &str) {
    use ftp::names::{partial_name, validate_name, MAX_NAME};

    if validate_name(name).is_err() {
        return;
    }
    assert!(name.len() <= MAX_NAME);
    assert!(!name.starts_with('.'), "{name:?}");
    assert!(!name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\'));
    let home = ftp_home();
    check_inside(&home, &home.join(name), 1);
    check_inside(&home, &home.join(partial_name(name)), 1);
}

/// A path for `cd`, `ls` or `mkdir`, resolved from the top of the home and
/// from two levels below it: always inside the home, each step a name
/// that passes `validate_name`.
fn ftp_path(path: &str) {
    use ftp::names::{resolve, validate_name, VirtualPath};

    let home = ftp_home();
    for cwd in [VirtualPath::root(), VirtualPath::root().join("a").join("b")] {
        let Ok(resolved) = resolve(&cwd, path) else {
            continue;
        };
        for name in resolved.components() {
            assert_eq!(validate_name(name), Ok(()), "{name:?}");
        }
        check_inside(&home, &resolved.on_disk(&home), resolved.components().len());
    }
}

// ----------------------------------------------------------- udp_pinger

/// A datagram the pinger's client or server receives: parsed or refused,
/// never a panic; a ping the client writes reads back to its number.
pub fn udp_ping(data: &[u8]) {
    use udp_pinger::{
        heartbeat_fields, parse_fields, parse_seconds, ping_message, reply_sequence, show_datagram,
    };

    if let Some(fields) = parse_fields(data) {
        assert!(!fields.word.is_empty());
        assert!(!fields.word.bytes().any(|b| b.is_ascii_whitespace()));
        if let Some(time) = fields.unix_time {
            assert!(time.is_finite(), "{time}");
        }
    }
    let _ = (reply_sequence(data), heartbeat_fields(data));
    let shown = show_datagram(data);
    assert!(!shown.is_empty());
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(seconds) = parse_seconds(text) {
            assert!(seconds.as_secs_f64() <= 86_400.0);
        }
    }
    if let Some((seq, time)) = data.split_first_chunk::<8>() {
        let seq = u64::from_le_bytes(*seq);
        let time = time
            .first_chunk::<8>()
            .map_or(0.0, |t| f64::from_le_bytes(*t));
        let reply = ping_message(seq, time).to_ascii_uppercase();
        assert_eq!(reply_sequence(reply.as_bytes()), Some(seq), "{reply}");
        let fields = parse_fields(reply.as_bytes()).expect("a ping parses");
        assert_eq!(fields.unix_time.is_some(), time.is_finite(), "{reply}");
    }
}

// ---------------------------------------------------------- time_server

/// A format datagram: the first byte is a length limit (times 256), the
/// rest the format. The answer fits the limit, or the error names what is
/// wrong where it is; the server's own answer fits one datagram. The
/// client's readers of a reply take the same text.
pub fn time_format(data: &[u8]) {
    use chrono::{TimeZone, Utc};
    use common::datagram::MAX_DATAGRAM;
    use time_server::{daytime_to_utc, render, zoned_to_utc, FormatError, Zone};

    let Some((&limit, format)) = data.split_first() else {
        return;
    };
    match Zone::Utc.answer(format) {
        Ok(answer) => assert!(answer.len() <= MAX_DATAGRAM),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    let Ok(text) = std::str::from_utf8(format) else {
        return;
    };
    let limit = usize::from(limit) * 256;
    let at = Utc
        .with_ymd_and_hms(2023, 4, 19, 9, 4, 30)
        .single()
        .expect("a valid time");
    match render(text, &at, limit) {
        Ok(answer) => assert!(answer.len() <= limit, "{} > {limit}", answer.len()),
        Err(FormatError::BadDirective { directive, at }) => {
            assert!(directive.starts_with('%'), "{directive:?}");
            assert!(text[at..].starts_with(&directive), "{directive:?} at {at}");
        }
        Err(FormatError::TooLong { limit: said }) => assert_eq!(said, limit),
        Err(_) => {}
    }
    let _ = daytime_to_utc(text);
    let _ = zoned_to_utc(text, time_server::DEFAULT_FORMAT);
}

// ------------------------------------------------------------------ dns

/// The zone [`dns_message`] answers from.
fn zone() -> &'static dns::zone::Zone {
    static ZONE: OnceLock<dns::zone::Zone> = OnceLock::new();
    ZONE.get_or_init(|| {
        dns::zone::Zone::parse(
            "www.example.test A 192.0.2.10\n\
             www.example.test AAAA 2001:db8::10\n\
             web.example.test CNAME www.example.test\n\
             example.test MX 10 mail.example.test\n\
             example.test TXT \"v=spf1 -all\"\n\
             mail.example.test A 192.0.2.25\n",
        )
        .expect("a valid zone")
    })
}

/// A DNS message from the network: a message parsed from it writes back to
/// bytes that parse to the same message; the server's answer to it writes,
/// and its truncated form fits a UDP datagram.
pub fn dns_message(data: &[u8]) {
    use dns::message::{Message, MAX_UDP_MESSAGE};

    if let Ok(message) = Message::parse(data) {
        let bytes = message.to_bytes().expect("a parsed message writes");
        assert_eq!(Message::parse(&bytes), Ok(message));
    }
    if let Some((reply, note)) = zone().respond(data) {
        assert!(!note.is_empty());
        let bytes = reply.to_bytes().expect("a reply writes");
        if bytes.len() > MAX_UDP_MESSAGE {
            let cut = reply
                .truncated()
                .to_bytes()
                .expect("a truncated reply writes");
            assert!(cut.len() <= MAX_UDP_MESSAGE, "{} bytes", cut.len());
        }
    }
}

/// The server's digest store, `.ftp-digests`, as `digests::parse_store`
/// reads its bytes (what `DigestStore::open` reads from the file): refused
/// or read, never a panic; a store it accepts is version 1, and written back
/// as the server writes it (`serde_json::to_vec` of the store, as
/// `DigestStore::save` does) it reads back to the same store, which writes
/// the same again. (That no allocation is out of proportion with the input
/// is checked by the fuzz target, which counts allocations.)
pub fn ftp_digest_store(data: &[u8]) {
    use ftp::digests::parse_store;

    let Ok(store) = parse_store(data) else {
        return;
    };
    let written = serde_json::to_vec(&store).expect("a store writes");
    let again = parse_store(&written).expect("a written store reads back");
    let rewritten = serde_json::to_vec(&again).expect("a store writes");
    // Compared as JSON values: the entries are a HashMap, written in an
    // order of its own each time.
    let as_value = |bytes: &[u8]| -> Value { serde_json::from_slice(bytes).expect("JSON") };
    let (first, second) = (as_value(&written), as_value(&rewritten));
    assert_eq!(first, second, "a store read back is not the same");
    assert_eq!(first["version"], 1, "an accepted store of another version");
}
