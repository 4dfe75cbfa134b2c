//! The page for a directory without an `index.html`, like the one
//! `python3 -m http.server` shows: a link per entry, sorted by name.
//!
//! File names come from whoever can write in the served directory, so each
//! name is HTML-escaped where it is shown (a file called
//! `<img src=x onerror=alert(1)>` is shown as text, not run) and
//! percent-encoded where it is a link (a name with `#`, `?`, `:` or `"`
//! still links to itself).

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::response::html_escape;
use crate::target::percent_encode;

/// The most entries one listing shows, so a directory of a million files
/// cannot make the server build a page of a hundred megabytes.
pub const MAX_ENTRIES: usize = 10_000;

struct Entry {
    name: Vec<u8>,
    is_dir: bool,
    is_link: bool,
}

/// The HTML listing of `dir`, titled with the URL path `shown_path`.
pub fn render(dir: &Path, shown_path: &str) -> io::Result<String> {
    let mut entries = Vec::new();
    let mut more = false;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entries.len() == MAX_ENTRIES {
            more = true;
            break;
        }
        let kind = entry.file_type()?;
        // A link to a directory is listed as one, as http.server does.
        let is_dir = kind.is_dir() || (kind.is_symlink() && entry.path().is_dir());
        entries.push(Entry {
            name: entry.file_name().as_bytes().to_vec(),
            is_dir,
            is_link: kind.is_symlink(),
        });
    }
    entries.sort_by_cached_key(|e| String::from_utf8_lossy(&e.name).to_lowercase());

    let title = format!("Directory listing for {}", html_escape(shown_path));
    let mut page = format!(
        "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n<hr>\n<ul>\n"
    );
    for entry in &entries {
        let mut href = String::new();
        percent_encode(&entry.name, &mut href);
        let mut shown = html_escape(&String::from_utf8_lossy(&entry.name));
        if entry.is_dir {
            href.push('/');
            shown.push('/');
        }
        if entry.is_link {
            shown.push('@');
        }
        let _ = writeln!(page, "<li><a href=\"{href}\">{shown}</a></li>");
    }
    page.push_str("</ul>\n<hr>\n");
    if more {
        let _ = writeln!(
            page,
            "<p>Only the first {MAX_ENTRIES} entries are listed.</p>"
        );
    }
    page.push_str("</body>\n</html>\n");
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_sorted_escaped_and_encoded() {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("b.txt"), "").expect("write");
        fs::write(dir.path().join("A b&c.txt"), "").expect("write");
        fs::write(dir.path().join("<img src=x onerror=alert(1)>"), "").expect("write");
        fs::create_dir(dir.path().join("sub dir")).expect("mkdir");
        std::os::unix::fs::symlink("sub dir", dir.path().join("z-link")).expect("symlink");

        let page = render(dir.path(), "/files/<x>/").expect("listing");
        assert!(
            page.contains("<title>Directory listing for /files/&lt;x&gt;/</title>"),
            "{page}"
        );
        assert!(page.contains(
            "<li><a href=\"%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E\">\
             &lt;img src=x onerror=alert(1)&gt;</a></li>"
        ));
        assert!(!page.contains("<img"), "{page}");
        let order: Vec<_> = ["A%20b%26c.txt", "b.txt", "sub%20dir/", "z-link/"]
            .iter()
            .map(|href| page.find(&format!("href=\"{href}\"")).expect(href))
            .collect();
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "sorted by name: {page}"
        );
        assert!(page.contains(">A b&amp;c.txt</a>"));
        assert!(page.contains(">sub dir/</a>"));
        assert!(page.contains(">z-link/@</a>"));
    }
}
