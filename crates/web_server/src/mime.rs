//! `Content-Type` by file extension, the way `python3 -m http.server` and
//! nginx's `mime.types` decide it: the browser needs it to know whether to
//! render a page, show an image or offer a download.

/// Sent for an extension not in the table: "some bytes", which a browser
/// downloads rather than guesses at.
pub const UNKNOWN: &str = "application/octet-stream";

/// Extension (lower case) → media type. Text types carry no charset, as
/// with http.server and nginx: the browser reads it from the page itself
/// (`<meta charset="utf-8">`), which a server cannot know better.
const TYPES: &[(&str, &str)] = &[
    ("html", "text/html"),
    ("htm", "text/html"),
    ("css", "text/css"),
    ("js", "text/javascript"),
    ("mjs", "text/javascript"),
    ("json", "application/json"),
    ("txt", "text/plain"),
    ("md", "text/markdown"),
    ("csv", "text/csv"),
    ("xml", "application/xml"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("svg", "image/svg+xml"),
    ("ico", "image/vnd.microsoft.icon"),
    ("webp", "image/webp"),
    ("avif", "image/avif"),
    ("bmp", "image/bmp"),
    ("pdf", "application/pdf"),
    ("wasm", "application/wasm"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("mp3", "audio/mpeg"),
    ("ogg", "audio/ogg"),
    ("wav", "audio/wav"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("ttf", "font/ttf"),
    ("otf", "font/otf"),
    ("zip", "application/zip"),
    ("gz", "application/gzip"),
    ("tar", "application/x-tar"),
];

/// The media type for a file name (the last path component, as bytes).
pub fn content_type(file_name: &[u8]) -> &'static str {
    let Some(dot) = file_name.iter().rposition(|&b| b == b'.') else {
        return UNKNOWN;
    };
    let extension = &file_name[dot + 1..];
    TYPES
        .iter()
        .find(|(known, _)| known.as_bytes().eq_ignore_ascii_case(extension))
        .map_or(UNKNOWN, |&(_, media_type)| media_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_follow_the_extension_in_any_case() {
        assert_eq!(content_type(b"HelloWorld.html"), "text/html");
        assert_eq!(content_type(b"PHOTO.JPG"), "image/jpeg");
        assert_eq!(content_type(b"app.min.js"), "text/javascript");
        assert_eq!(content_type(b"module.wasm"), "application/wasm");
        assert_eq!(content_type(b"favicon.ico"), "image/vnd.microsoft.icon");
        assert_eq!(content_type(b"movie.mp4"), "video/mp4");
    }

    #[test]
    fn anything_unknown_is_a_download() {
        assert_eq!(content_type(b"Makefile"), UNKNOWN);
        assert_eq!(content_type(b"archive.7z"), UNKNOWN);
        assert_eq!(content_type(b"trailing."), UNKNOWN);
        assert_eq!(content_type(b".html.exe"), UNKNOWN);
    }
}
