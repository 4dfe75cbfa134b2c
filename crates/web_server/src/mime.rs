//! `Content-Type` by file extension, the way `python3 -m http.server` and
//! nginx's `mime.types` decide it: the browser needs it to know whether to
//! render a page, show an image or offer a download.

/// Sent for an extension not in the table: "some bytes", which a browser
/// downloads rather than guesses at.
pub const UNKNOWN: &str = "application/octet-stream";

/// The media type for a file name (the last path component, as bytes).
pub fn content_type(file_name: &[u8]) -> &'static str {
    let Some(dot) = file_name.iter().rposition(|&b| b == b'.') else {
        return UNKNOWN;
    };
    // The extension in lower case, copied into a buffer as long as the
    // longest known one (a longer extension is not in the table), then one
    // `match`: this runs on every request, and comparing the extension with
    // every row, ignoring case, cost more than parsing the request line.
    let extension = &file_name[dot + 1..];
    let mut buffer = [0u8; LONGEST];
    let Some(lower) = buffer.get_mut(..extension.len()) else {
        return UNKNOWN;
    };
    lower.copy_from_slice(extension);
    lower.make_ascii_lowercase();
    media_type(lower)
}

/// The longest extension [`media_type`] knows (`woff2`); an arm added
/// below that is longer must raise it, or it is never reached. (A table
/// searched row by row would need no such constant, and costs 6x the
/// `match`: 895 instructions a request against 140, by callgrind.)
const LONGEST: usize = 5;

/// Extension (lower case) → media type. Text types carry no charset, as
/// with http.server and nginx: the browser reads it from the page itself
/// (`<meta charset="utf-8">`), which a server cannot know better.
fn media_type(extension: &[u8]) -> &'static str {
    match extension {
        b"html" | b"htm" => "text/html",
        b"css" => "text/css",
        b"js" | b"mjs" => "text/javascript",
        b"json" => "application/json",
        b"txt" => "text/plain",
        b"md" => "text/markdown",
        b"csv" => "text/csv",
        b"xml" => "application/xml",
        b"png" => "image/png",
        b"jpg" | b"jpeg" => "image/jpeg",
        b"gif" => "image/gif",
        b"svg" => "image/svg+xml",
        b"ico" => "image/vnd.microsoft.icon",
        b"webp" => "image/webp",
        b"avif" => "image/avif",
        b"bmp" => "image/bmp",
        b"pdf" => "application/pdf",
        b"wasm" => "application/wasm",
        b"mp4" => "video/mp4",
        b"webm" => "video/webm",
        b"mp3" => "audio/mpeg",
        b"ogg" => "audio/ogg",
        b"wav" => "audio/wav",
        b"woff" => "font/woff",
        b"woff2" => "font/woff2",
        b"ttf" => "font/ttf",
        b"otf" => "font/otf",
        b"zip" => "application/zip",
        b"gz" => "application/gzip",
        b"tar" => "application/x-tar",
        _ => UNKNOWN,
    }
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
        assert_eq!(content_type(b"font.WOFF2"), "font/woff2", "the longest");
        assert_eq!(content_type(b"archive.tar.Gz"), "application/gzip");
    }

    #[test]
    fn anything_unknown_is_a_download() {
        assert_eq!(content_type(b"Makefile"), UNKNOWN);
        assert_eq!(content_type(b"archive.7z"), UNKNOWN);
        assert_eq!(content_type(b"trailing."), UNKNOWN);
        assert_eq!(content_type(b".html.exe"), UNKNOWN);
        assert_eq!(content_type(b"page.htmlx"), UNKNOWN, "longer than any");
        assert_eq!(content_type(b"page.xhtml"), UNKNOWN, "ends like one");
    }
}
