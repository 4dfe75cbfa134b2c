//! From a request target (`/docs/a%20b.html?x=1`) to a path under the root.
//!
//! The lab does `open(filename[1:])`: whatever the client wrote after the
//! first `/` is opened, relative to the server's directory. So
//! `GET /../../etc/passwd` reads a file outside it, and so do its encoded
//! forms (`/%2e%2e/`, `/..%2f..%2f`). Here the target is:
//!
//! 1. required to start with `/` ([`parse`]); the server also takes the
//!    absolute form `http://host/path` a proxy's client sends, which RFC 9112
//!    §3.2.2 says a server MUST accept ([`parse_request_target`]: the scheme
//!    must be `http` or `https`, the host must be there and is ignored, as
//!    this server has one site);
//! 2. cut at `?` (the query is kept only for a redirect);
//! 3. percent-decoded exactly once (`%252e` becomes the three characters
//!    `%2e`, a legal file name, never `.`), component by component, with the
//!    decoded `/` and `\` refused: an encoded separator is a way to smuggle a
//!    `..` past a check that looks at separators;
//! 4. checked component by component: empty and `.` components are dropped,
//!    `..`, NUL and `\` refuse the request (403) outright.
//!
//! What is left is a [`SitePath`]: plain names joined with `/`, which cannot
//! name anything above the root by themselves. (A symbolic link still can:
//! that check is the file system's, in [`crate::site`].)

use std::fmt::Write as _;

/// Why a target is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetError {
    /// 400: not a path this server can read (no leading `/`, a bad `%`).
    Malformed(&'static str),
    /// 403: a path that tries to leave the root or hides a separator.
    Forbidden(&'static str),
}

/// A decoded path relative to the root: names joined with `/`, none of them
/// empty, `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePath {
    relative: Vec<u8>,
    /// The target ended with `/` (a directory's URL should).
    pub trailing_slash: bool,
}

/// A parsed request target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target<'a> {
    pub path: SitePath,
    /// What followed `?`, still encoded.
    pub query: Option<&'a [u8]>,
}

impl SitePath {
    /// The root itself.
    pub fn root() -> SitePath {
        SitePath {
            relative: Vec::new(),
            trailing_slash: true,
        }
    }

    /// The names, from the root down.
    pub fn components(&self) -> impl Iterator<Item = &[u8]> {
        self.relative
            .split(|&b| b == b'/')
            .filter(|name| !name.is_empty())
    }

    /// The last name (the file's own name), or nothing for the root.
    pub fn file_name(&self) -> &[u8] {
        self.components().last().unwrap_or_default()
    }

    pub fn is_root(&self) -> bool {
        self.relative.is_empty()
    }

    /// Its length in bytes: the names and the `/`s between them.
    pub fn byte_len(&self) -> usize {
        self.relative.len()
    }

    /// This path with `extension` added to its last name: `a.css.br` for
    /// `a.css` (a precompressed sibling).
    pub fn with_extension(&self, extension: &[u8]) -> SitePath {
        let mut relative = Vec::with_capacity(self.relative.len() + extension.len());
        relative.extend_from_slice(&self.relative);
        relative.extend_from_slice(extension);
        SitePath {
            relative,
            trailing_slash: false,
        }
    }

    /// The path of `name` inside this one (`index.html` in a directory).
    pub fn child(&self, name: &[u8]) -> SitePath {
        let mut relative = self.relative.clone();
        if !relative.is_empty() {
            relative.push(b'/');
        }
        relative.extend_from_slice(name);
        SitePath {
            relative,
            trailing_slash: false,
        }
    }

    /// The path for people: `/docs/a b.html` (invalid UTF-8 shown as �).
    pub fn display(&self) -> String {
        let mut shown = String::from("/");
        shown.push_str(&String::from_utf8_lossy(&self.relative));
        if self.trailing_slash && !self.is_root() {
            shown.push('/');
        }
        shown
    }

    /// The URL of this path as a directory, `/docs/`, for the redirect of
    /// `/docs`. Built from the decoded names, re-encoded, so it always
    /// starts with exactly one `/`: a `Location` starting with `//` would
    /// send the browser to another host.
    pub fn directory_url(&self, query: Option<&[u8]>) -> String {
        let mut url = String::from("/");
        for name in self.components() {
            percent_encode(name, &mut url);
            url.push('/');
        }
        if let Some(query) = query {
            url.push('?');
            // The query was checked to be visible ASCII with the request line.
            url.push_str(&String::from_utf8_lossy(query));
        }
        url
    }
}

/// Parses a request target in origin form (`/path?query`) into a path
/// under the root and a query.
pub fn parse(target: &[u8]) -> Result<Target<'_>, TargetError> {
    let Some(rest) = target.strip_prefix(b"/") else {
        return Err(TargetError::Malformed(
            "The request target must be a path starting with /.",
        ));
    };
    parse_path(rest)
}

/// Parses the target of a request line: the origin form (`/path?query`), or
/// the absolute form (`http://host:port/path?query`, the scheme in any case),
/// whose scheme and host are checked and then dropped.
pub fn parse_request_target(target: &[u8]) -> Result<Target<'_>, TargetError> {
    if target.starts_with(b"/") {
        return parse(target);
    }
    let Some(colon) = target.iter().position(|&b| b == b':') else {
        return Err(TargetError::Malformed(
            "The request target must be a path starting with / or an http:// URL.",
        ));
    };
    let (scheme, rest) = (&target[..colon], &target[colon + 1..]);
    if !scheme.eq_ignore_ascii_case(b"http") && !scheme.eq_ignore_ascii_case(b"https") {
        return Err(TargetError::Malformed(
            "An absolute request target must be an http:// or https:// URL.",
        ));
    }
    let Some(rest) = rest.strip_prefix(b"//") else {
        return Err(TargetError::Malformed(
            "An absolute request target must have // and a host after its scheme.",
        ));
    };
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(end);
    // RFC 9110 §4.2.1: an http URI with an empty host MUST be rejected;
    // §4.2.4: a user name and password in it are treated as an error.
    if authority.is_empty() || authority.starts_with(b":") {
        return Err(TargetError::Malformed(
            "An absolute request target must name a host.",
        ));
    }
    if !authority
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:[]".contains(&b))
    {
        return Err(TargetError::Malformed(
            "The host of the request target has a character a host cannot have (or a user name).",
        ));
    }
    parse_path(rest.strip_prefix(b"/").unwrap_or(rest))
}

/// The path after the first `/`, with its query.
fn parse_path(rest: &[u8]) -> Result<Target<'_>, TargetError> {
    if rest.contains(&b'#') {
        return Err(TargetError::Malformed(
            "A request target cannot contain # (a fragment stays in the browser).",
        ));
    }
    let (path, query) = match rest.iter().position(|&b| b == b'?') {
        Some(q) => (&rest[..q], Some(&rest[q + 1..])),
        None => (rest, None),
    };
    let mut relative = Vec::with_capacity(path.len());
    for component in path.split(|&b| b == b'/') {
        let start = relative.len();
        if start > 0 {
            relative.push(b'/');
        }
        let name_start = relative.len();
        decode_component(component, &mut relative)?;
        match &relative[name_start..] {
            b"" | b"." => relative.truncate(start),
            b".." => {
                return Err(TargetError::Forbidden(
                    "A path cannot go up with .. (it would leave the served directory).",
                ))
            }
            _ => {}
        }
    }
    Ok(Target {
        path: SitePath {
            relative,
            trailing_slash: path.is_empty() || path.ends_with(b"/"),
        },
        query,
    })
}

/// Percent-decodes one path component onto `out`, once.
fn decode_component(component: &[u8], out: &mut Vec<u8>) -> Result<(), TargetError> {
    let mut bytes = component.iter();
    while let Some(&b) = bytes.next() {
        let decoded = if b == b'%' {
            let (Some(high), Some(low)) = (
                bytes.next().and_then(|&h| hex_value(h)),
                bytes.next().and_then(|&l| hex_value(l)),
            ) else {
                return Err(TargetError::Malformed(
                    "A % in the path is not followed by two hex digits.",
                ));
            };
            let decoded = (high << 4) | low;
            if decoded == b'/' || decoded == b'\\' {
                return Err(TargetError::Forbidden(
                    "A path cannot contain an encoded / or \\ (%2F, %5C).",
                ));
            }
            decoded
        } else {
            b
        };
        match decoded {
            0 => {
                return Err(TargetError::Forbidden(
                    "A path cannot contain a NUL byte (%00).",
                ))
            }
            b'\\' => {
                return Err(TargetError::Forbidden(
                    "A path cannot contain \\ (a separator on Windows).",
                ))
            }
            _ => out.push(decoded),
        }
    }
    Ok(())
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Appends `name` percent-encoded as one path segment: everything but
/// letters, digits and `-._~` becomes `%XX` (as Python's `urllib.parse.quote`
/// does), so the result is safe in a URL and in an HTML attribute alike.
pub fn percent_encode(name: &[u8], out: &mut String) {
    for &b in name {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn relative(target: &[u8]) -> Result<Vec<u8>, TargetError> {
        parse(target).map(|t| t.path.relative)
    }

    #[test]
    fn plain_paths_decode_once() {
        assert_eq!(
            relative(b"/HelloWorld.html"),
            Ok(b"HelloWorld.html".to_vec())
        );
        assert_eq!(relative(b"/a%20b/c%2Ed"), Ok(b"a b/c.d".to_vec()));
        assert_eq!(
            relative(b"/%E4%BD%A0%E5%A5%BD"),
            Ok("你好".as_bytes().to_vec())
        );
        // Decoded once: %252e%252e is the name "%2e%2e", not "..".
        assert_eq!(relative(b"/%252e%252e/x"), Ok(b"%2e%2e/x".to_vec()));
    }

    #[test]
    fn empty_and_dot_components_are_dropped() {
        assert_eq!(relative(b"/"), Ok(Vec::new()));
        assert_eq!(relative(b"//a//./b/"), Ok(b"a/b".to_vec()));
        assert_eq!(relative(b"/./%2e/a"), Ok(b"a".to_vec()));
    }

    #[test]
    fn every_way_up_or_sideways_is_forbidden() {
        for target in [
            &b"/.."[..],
            b"/../etc/passwd",
            b"/a/../../etc/passwd",
            b"/%2e%2e/etc/passwd",
            b"/%2E%2E/etc/passwd",
            b"/.%2e/etc/passwd",
            b"/..%2fetc%2fpasswd",
            b"/..%2Fetc",
            b"/a%5c..%5c..%5cetc",
            b"/..\\..\\etc\\passwd",
            b"/a%00.html",
            b"/%2f%2fetc/passwd",
        ] {
            assert!(
                matches!(parse(target), Err(TargetError::Forbidden(_))),
                "{} → {:?}",
                String::from_utf8_lossy(target),
                parse(target)
            );
        }
    }

    #[test]
    fn malformed_targets_are_bad_requests() {
        for target in [
            &b"HelloWorld.html"[..],
            b"http://example.com/",
            b"*",
            b"/a%",
            b"/a%4",
            b"/a%zz",
            b"/a#frag",
        ] {
            assert!(
                matches!(parse(target), Err(TargetError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(target)
            );
        }
    }

    #[test]
    fn the_query_is_kept_apart() {
        let target = parse(b"/docs?sort=name&x=%2e%2e").expect("valid");
        assert_eq!(target.path.relative, b"docs");
        assert!(!target.path.trailing_slash);
        assert_eq!(target.query, Some(&b"sort=name&x=%2e%2e"[..]));
    }

    #[test]
    fn a_directory_url_never_starts_with_two_slashes() {
        let target = parse(b"//evil.example/dir?q=1").expect("valid");
        let url = target.path.directory_url(target.query);
        assert_eq!(url, "/evil.example/dir/?q=1");
        let odd = parse(b"/a%20b/%3C%3E").expect("valid");
        assert_eq!(odd.path.directory_url(None), "/a%20b/%3C%3E/");
    }

    #[test]
    fn percent_encoding_leaves_only_safe_characters() {
        let mut out = String::new();
        percent_encode("<a href=\"x\">&'你 %".as_bytes(), &mut out);
        assert_eq!(out, "%3Ca%20href%3D%22x%22%3E%26%27%E4%BD%A0%20%25");
    }

    #[test]
    fn the_absolute_form_is_the_origin_form_after_its_host() {
        for (target, path, query) in [
            (
                &b"http://example.com/docs/a%20b.txt"[..],
                &b"docs/a b.txt"[..],
                None,
            ),
            (b"HTTP://Example.COM:8080/x?y=1", b"x", Some(&b"y=1"[..])),
            (b"https://[::1]:6789/", b"", None),
            (b"hTtPs://h", b"", None),
            (b"http://h?q", b"", Some(&b"q"[..])),
        ] {
            let parsed = parse_request_target(target).expect("valid");
            assert_eq!(
                (&parsed.path.relative[..], parsed.query),
                (path, query),
                "{}",
                String::from_utf8_lossy(target)
            );
        }
        assert_eq!(
            parse_request_target(b"/plain?q"),
            parse(b"/plain?q"),
            "the origin form is parse's"
        );
        assert!(
            parse_request_target(b"http://h/")
                .expect("valid")
                .path
                .trailing_slash
        );
    }

    #[test]
    fn an_absolute_form_is_checked_like_a_path_and_a_host() {
        for target in [
            &b"ftp://h/x"[..],
            b"file:///etc/passwd",
            b"http:/x",
            b"http:x",
            b"http://",
            b"http:///x",
            b"http://:80/x",
            b"http://user:pw@h/x",
            b"http://h\\x/",
            b"http://h/a#frag",
            b"http://h#frag",
            b"*",
            b"h/x",
            b"mailto:a@b",
        ] {
            assert!(
                matches!(parse_request_target(target), Err(TargetError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(target)
            );
        }
        for target in [
            &b"http://h/../etc/passwd"[..],
            b"http://h/%2e%2e/x",
            b"http://h/a%2fb",
        ] {
            assert!(
                matches!(parse_request_target(target), Err(TargetError::Forbidden(_))),
                "{}",
                String::from_utf8_lossy(target)
            );
        }
        // No way to name a second host through the path: it is a name here.
        let odd = parse_request_target(b"http://h//evil.example/x").expect("valid");
        assert_eq!(odd.path.directory_url(None), "/evil.example/x/");
    }

    #[test]
    fn a_sibling_name_adds_the_extension() {
        let target = parse(b"/docs/a.css").expect("valid");
        let sibling = target.path.with_extension(b".br");
        assert_eq!(sibling.relative, b"docs/a.css.br");
        assert_eq!(sibling.file_name(), b"a.css.br");
    }

    proptest! {
        #[test]
        fn a_parsed_path_never_names_anything_above_the_root(target in "/[a-z./%25]{0,40}") {
            if let Ok(parsed) = parse(target.as_bytes()) {
                for name in parsed.path.components() {
                    prop_assert!(name != b".." && name != b"." && !name.is_empty());
                    prop_assert!(!name.contains(&b'/') && !name.contains(&0));
                }
                prop_assert!(!parsed.path.directory_url(None).starts_with("//"));
            }
        }

        #[test]
        fn encoding_then_decoding_gives_the_name_back(
            name in proptest::collection::vec(1u8..=255, 1..30)
        ) {
            prop_assume!(!name.contains(&b'/') && !name.contains(&b'\\'));
            prop_assume!(name != b"." && name != b"..");
            let mut url = String::from("/");
            percent_encode(&name, &mut url);
            let parsed = parse(url.as_bytes()).expect("an encoded name is a valid target");
            prop_assert_eq!(parsed.path.relative, name);
        }
    }
}
