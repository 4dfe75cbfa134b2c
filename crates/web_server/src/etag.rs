//! Entity tags (RFC 9110 §8.8.3): `ETag`, `If-None-Match`, `If-Range`.
//!
//! `Last-Modified` counts whole seconds, so a file saved twice in one second
//! keeps it. An entity tag can say more: this server's is made from what
//! identifies one version of one file — inode, size and modification time in
//! nanoseconds, each in hex: `"6b3a1f-1a-18a3c5e2b9d4f2c0"`. It is strong (no
//! `W/`): two responses with the same tag have the same bytes. It comes from
//! the `fstat` the lookup already made, once per opened file, so a cached file
//! costs nothing more per request. A precompressed sibling served for a file
//! (`X.br` for `X`, see [`crate::encoding`]) has its own inode, and its tag a
//! `-br` or `-gz` on top, so each encoding has a tag of its own.
//!
//! Two comparisons (RFC 9110 §8.8.3.2): *weak*, for `If-None-Match`, ignores
//! a `W/` on the client's tag; *strong*, for `If-Range`, never matches a weak
//! tag. A list this server cannot read matches nothing (the client then gets
//! the whole file, which is always correct).

use std::fs::Metadata;
use std::io::Write as _;
use std::os::unix::fs::MetadataExt;

use crate::request::trim_ows;

/// Quotes, three hex numbers (16, 16 and 32 digits at most), two dashes and
/// an encoding's `-br`.
const MAX_LEN: usize = 2 + 16 + 16 + 32 + 2 + 3;

/// One strong entity tag, quotes included, kept inline (no allocation).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ETag {
    bytes: [u8; MAX_LEN],
    len: u8,
}

impl ETag {
    /// The tag of the file version `metadata` describes.
    pub fn of(metadata: &Metadata) -> ETag {
        let nanoseconds =
            i128::from(metadata.mtime()) * 1_000_000_000 + i128::from(metadata.mtime_nsec());
        let mut tag = ETag {
            bytes: [0; MAX_LEN],
            len: 0,
        };
        let mut out = &mut tag.bytes[..];
        // Fits: the widest of the three numbers is MAX_LEN's count.
        let _ = write!(
            out,
            "\"{:x}-{:x}-{:x}\"",
            metadata.ino(),
            metadata.size(),
            nanoseconds as u128
        );
        let left = out.len();
        tag.len = (MAX_LEN - left) as u8;
        tag
    }

    /// This tag with `-suffix` before its closing quote: the tag of the same
    /// bytes sent in a content coding.
    pub fn with_suffix(&self, suffix: &str) -> ETag {
        let mut tag = *self;
        let end = usize::from(tag.len) - 1; // the closing quote
        let room = MAX_LEN - 1 - end;
        let suffix = &suffix.as_bytes()[..suffix.len().min(room)];
        tag.bytes[end..end + suffix.len()].copy_from_slice(suffix);
        tag.bytes[end + suffix.len()] = b'"';
        tag.len = (end + suffix.len() + 1) as u8;
        tag
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    pub fn as_str(&self) -> &str {
        // Written above from ASCII only.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

impl std::fmt::Debug for ETag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether an `If-None-Match` value names `etag` by the weak comparison,
/// or is `*` (any version: the file exists). `true` means `304`.
pub fn none_match_fails(field: &[u8], etag: &ETag) -> bool {
    names(field, etag, Comparison::Weak)
}

/// Whether an `If-Match` value holds for `etag`: `*` (the file exists), or
/// a list naming it by the strong comparison (a weak tag never matches,
/// RFC 9110 §13.1.1). `false` means `412`.
pub fn match_holds(field: &[u8], etag: &ETag) -> bool {
    names(field, etag, Comparison::Strong)
}

/// How two entity tags are compared (RFC 9110 §8.8.3.2): both compare the
/// quoted tags byte for byte; the weak comparison ignores `W/`, the strong
/// one needs both tags strong (this server's always are).
#[derive(Clone, Copy, PartialEq)]
enum Comparison {
    Weak,
    Strong,
}

/// Whether `field`, `*` or a list of entity tags, names `etag` by
/// `comparison`. A value that is not a list of entity tags names nothing.
fn names(field: &[u8], etag: &ETag, comparison: Comparison) -> bool {
    let field = trim_ows(field);
    if field == b"*" {
        return true;
    }
    let mut rest = field;
    loop {
        while let [b' ' | b'\t' | b',', tail @ ..] = rest {
            rest = tail;
        }
        if rest.is_empty() {
            return false;
        }
        let Some((weak, tag, tail)) = entity_tag(rest) else {
            return false; // not a list of entity tags: nothing matches
        };
        let comparable = !weak || comparison == Comparison::Weak;
        if comparable && tag == etag.as_bytes() {
            return true;
        }
        rest = tail;
    }
}

/// Whether an `If-Range` value is an entity tag (else it is a date).
pub fn is_entity_tag(value: &[u8]) -> bool {
    let value = trim_ows(value);
    value.starts_with(b"\"") || value.starts_with(b"W/\"")
}

/// The strong comparison of an `If-Range` entity tag with `etag`: equal,
/// and neither weak.
pub fn strong_match(value: &[u8], etag: &ETag) -> bool {
    matches!(entity_tag(trim_ows(value)), Some((false, tag, b"")) if tag == etag.as_bytes())
}

/// `W/"..."` or `"..."` at the start of `bytes`: whether it is weak, the
/// quoted tag (quotes included), and what follows it.
fn entity_tag(bytes: &[u8]) -> Option<(bool, &[u8], &[u8])> {
    let (weak, quoted) = match bytes.strip_prefix(b"W/") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let inner = quoted.strip_prefix(b"\"")?;
    let close = inner.iter().position(|&b| b == b'"')?;
    let tag = &quoted[..close + 2];
    // etagc: visible ASCII but `"`, and obs-text.
    if !tag[1..tag.len() - 1]
        .iter()
        .all(|&b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80)
    {
        return None;
    }
    Some((weak, tag, &quoted[close + 2..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn tag_of_a_file() -> (tempfile::TempDir, ETag, Metadata) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.txt");
        fs::write(&path, "hello").expect("write");
        let metadata = fs::metadata(&path).expect("stat");
        (dir, ETag::of(&metadata), metadata)
    }

    #[test]
    fn the_tag_is_inode_size_and_nanoseconds_in_hex() {
        let (_dir, tag, metadata) = tag_of_a_file();
        let ns = i128::from(metadata.mtime()) * 1_000_000_000 + i128::from(metadata.mtime_nsec());
        assert_eq!(
            tag.as_str(),
            format!("\"{:x}-5-{:x}\"", metadata.ino(), ns as u128)
        );
        let br = tag.with_suffix("-br");
        assert_eq!(
            br.as_str(),
            format!("\"{:x}-5-{:x}-br\"", metadata.ino(), ns as u128)
        );
        assert_ne!(br, tag);
    }

    #[test]
    fn a_change_within_the_same_second_changes_the_tag() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.txt");
        fs::write(&path, "hello").expect("write");
        let file = fs::File::options().write(true).open(&path).expect("open");
        let at = |ns| std::time::UNIX_EPOCH + std::time::Duration::new(1_700_000_000, ns);
        file.set_modified(at(1)).expect("set mtime");
        let first = ETag::of(&fs::metadata(&path).expect("stat"));
        file.set_modified(at(2)).expect("set mtime");
        let second = ETag::of(&fs::metadata(&path).expect("stat"));
        assert_ne!(first, second, "same second, another nanosecond");
    }

    #[test]
    fn if_match_compares_strongly_in_a_list_or_is_star() {
        let (_dir, tag, _) = tag_of_a_file();
        let t = tag.as_str();
        for field in [
            t.to_string(),
            format!("\"other\", {t}"),
            format!(" W/\"a\" ,, \"b\",{t} "),
            "*".to_string(),
        ] {
            assert!(match_holds(field.as_bytes(), &tag), "{field}");
        }
        for field in [
            format!("W/{t}"), // a weak tag never matches strongly
            "\"other\"".to_string(),
            String::new(),
            t[1..t.len() - 1].to_string(), // unquoted
            "\"unterminated".to_string(),
            "**".to_string(),
        ] {
            assert!(!match_holds(field.as_bytes(), &tag), "{field}");
        }
    }

    #[test]
    fn if_none_match_compares_weakly_in_a_list_or_is_star() {
        let (_dir, tag, _) = tag_of_a_file();
        let t = tag.as_str();
        for field in [
            t.to_string(),
            format!("W/{t}"),
            format!("\"other\", {t}"),
            format!(" \"a\" ,, W/\"b\",{t} "),
            "*".to_string(),
        ] {
            assert!(none_match_fails(field.as_bytes(), &tag), "{field}");
        }
        for field in [
            "\"other\"",
            "",
            "W/\"other\", \"x\"",
            &t[1..t.len() - 1], // unquoted
            "\"unterminated",
            "**",
        ] {
            assert!(!none_match_fails(field.as_bytes(), &tag), "{field}");
        }
        // A quoted comma is part of a tag, not a separator.
        assert!(!none_match_fails(
            format!("\"a,{}", &t[1..]).as_bytes(),
            &tag
        ));
    }

    #[test]
    fn if_range_compares_strongly() {
        let (_dir, tag, _) = tag_of_a_file();
        let t = tag.as_str();
        assert!(is_entity_tag(t.as_bytes()) && strong_match(t.as_bytes(), &tag));
        assert!(is_entity_tag(format!("W/{t}").as_bytes()));
        assert!(!strong_match(format!("W/{t}").as_bytes(), &tag), "weak");
        assert!(
            !strong_match(format!("{t}, {t}").as_bytes(), &tag),
            "a list"
        );
        assert!(!strong_match(b"\"other\"", &tag));
        assert!(!is_entity_tag(b"Sun, 06 Nov 1994 08:49:37 GMT"));
    }
}
