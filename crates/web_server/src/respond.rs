//! Answering one request: the lab's `filename = message.split()[1]`,
//! `open(filename[1:])`, the header and the file, or `404 Not Found`, with
//! no socket in sight. [`Responder::respond`] takes a parsed request and
//! builds the response in a buffer: its head, and a small body with it; a
//! bigger body is left in the file, for the connection to send by
//! `sendfile` ([`FileBody`]).
//!
//! The path goes through the layers below in turn: [`crate::target`] turns
//! the request's target into a path under the root (or a 400 or a 403), the
//! [`FileCache`](crate::cache::FileCache) is asked for the file (as the
//! request sees it: [`CacheView`]), and only when it has none does
//! [`Site::lookup`] look for it, name by name; the file it opens is then
//! offered to the cache. What it finds becomes 200, 206, 304 or 416 for a
//! file, a 301 or a listing for a directory, 404, 403 or 500 for the rest.
//!
//! For a file, in this order:
//!
//! 1. which bytes represent it: the file, or a precompressed sibling the
//!    client accepts ([`crate::encoding`]); never a sibling for a `Range`,
//!    which always counts bytes of the file itself;
//! 2. the conditions of RFC 9110 §13.2.2, in its order: `If-Match`
//!    (strongly compared with the [`ETag`], or `*`) failing → 412, and
//!    only when it is absent `If-Unmodified-Since` later than the file →
//!    412; then `If-None-Match` (weakly compared, or `*`) → 304, and only
//!    when it is absent `If-Modified-Since` → 304. A list may be split over
//!    several lines of one field: every line counts;
//! 3. `Range` (GET only), unless an `If-Range` names another version: an
//!    entity tag that is not the file's by the strong comparison, or a date
//!    that is not exactly its `Last-Modified`.

use std::borrow::Cow;
use std::io;
use std::net::SocketAddr;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use crate::cache::CacheView;
use crate::date::{self, DateCache};
use crate::encoding::{self, Coding, Siblings};
use crate::etag::{self, ETag};
use crate::listing;
use crate::mime;
use crate::range::{self, RangeRequest};
use crate::request::{Method, Request, ALLOWED_METHODS};
use crate::response::{self, Persistence, Status};
use crate::site::{Found, OpenFile, Refusal, Site};
use crate::target::{self, SitePath, Target, TargetError};

/// Bodies up to this size are read into the buffer and sent with the head
/// in one write; bigger ones go by `sendfile`.
pub const SMALL_BODY: u64 = 16 * 1024;

/// What one response was, for the log.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub status: Status,
    /// The bytes of its body that are sent.
    pub body_bytes: u64,
}

/// A response made: its head (and a small body) in the responder's buffer
/// ([`Responder::bytes`]), and what is still to follow from a file.
#[derive(Debug)]
pub struct Response {
    pub outcome: Outcome,
    pub file: Option<FileBody>,
}

impl Response {
    /// A response without a body (304, HEAD).
    pub fn head_only(status: Status) -> Response {
        Response {
            outcome: Outcome {
                status,
                body_bytes: 0,
            },
            file: None,
        }
    }
}

/// The part of a file still to be sent after the head.
#[derive(Debug)]
pub struct FileBody {
    pub open: Arc<OpenFile>,
    /// The offset of the next byte to send.
    pub next: u64,
    /// The offset just past the last byte to send.
    pub end: u64,
}

/// What a connection answers with: the buffer a response is built in and
/// the two dates a response carries.
#[derive(Debug)]
pub struct Responder {
    out: Vec<u8>,
    now: DateCache,
    last_modified: DateCache,
    /// For the log line of a file-system error.
    peer: SocketAddr,
}

impl Responder {
    /// The responder of the connection from `peer`.
    pub fn new(peer: SocketAddr) -> Responder {
        Responder {
            out: Vec::new(),
            now: DateCache::default(),
            last_modified: DateCache::default(),
            peer,
        }
    }

    /// What the last response made is (or begins with): its head, and its
    /// body when small.
    pub fn bytes(&self) -> &[u8] {
        &self.out
    }

    /// A response made beforehand, whole (the 503 of a server full).
    pub fn canned(&mut self, bytes: &[u8], status: Status) -> Response {
        self.out.clear();
        self.out.extend_from_slice(bytes);
        Response::head_only(status)
    }

    /// The error page for a request that could not be understood; the
    /// connection closes after it.
    pub fn error(&mut self, status: Status, explanation: &str) -> Response {
        let page = response::error_page(status, explanation);
        self.page(false, status, &[], &page, Persistence::Close)
    }

    /// Answers one parsed request with a file of `site` (found in `cache`
    /// when it is there), a directory page or an error. Fails only when a
    /// file could not be read after it was opened.
    pub fn respond(
        &mut self,
        request: &Request<'_>,
        site: &Site,
        cache: &CacheView<'_>,
        persistence: Persistence,
    ) -> io::Result<Response> {
        let head_only = request.method == Method::Head;
        if request.method == Method::Other {
            let page = response::error_page(
                Status::MethodNotAllowed,
                "This server answers GET, HEAD and OPTIONS only.",
            );
            let allow = [("Allow", ALLOWED_METHODS)];
            return Ok(self.page(
                head_only,
                Status::MethodNotAllowed,
                &allow,
                &page,
                persistence,
            ));
        }
        if request.target == b"*" {
            // The asterisk form names the server, not a resource, and is for
            // OPTIONS only (RFC 9112 §3.2.4).
            if request.method == Method::Options {
                return Ok(self.options(persistence));
            }
            let page = response::error_page(
                Status::BadRequest,
                "The request target * is for OPTIONS only.",
            );
            return Ok(self.page(head_only, Status::BadRequest, &[], &page, persistence));
        }
        let target = match target::parse_request_target(request.target) {
            Ok(target) => target,
            Err(TargetError::Malformed(why)) => {
                let page = response::error_page(Status::BadRequest, why);
                return Ok(self.page(head_only, Status::BadRequest, &[], &page, persistence));
            }
            Err(TargetError::Forbidden(why)) => {
                let page = response::error_page(Status::Forbidden, why);
                return Ok(self.page(head_only, Status::Forbidden, &[], &page, persistence));
            }
        };
        let found = match find(site, cache, &target.path) {
            Ok(found) => found,
            Err(refusal) => return self.refusal(head_only, refusal, persistence),
        };
        if request.method == Method::Options {
            // Something is there (a file or a directory): the same methods.
            return Ok(self.options(persistence));
        }
        self.found(request, site, cache, &target, found, persistence)
    }

    /// The answer to OPTIONS: the methods, no body (RFC 9110 §9.3.7).
    fn options(&mut self, persistence: Persistence) -> Response {
        let out = &mut self.out;
        response::begin(out, Status::Ok, self.now.get(date::now_seconds()));
        response::header(out, "Allow", ALLOWED_METHODS);
        response::header_number(out, "Content-Length", 0);
        response::end(out, persistence);
        Response::head_only(Status::Ok)
    }

    /// GET or HEAD of what `target` names.
    fn found(
        &mut self,
        request: &Request<'_>,
        site: &Site,
        cache: &CacheView<'_>,
        target: &Target<'_>,
        found: Found,
        persistence: Persistence,
    ) -> io::Result<Response> {
        let head_only = request.method == Method::Head;
        match found {
            Found::File(file) => {
                let content_type = mime::content_type(target.path.file_name());
                let file = Representation::choose(request, site, cache, &target.path, file);
                self.file(request, file, content_type, persistence)
            }
            Found::Directory(_) if !target.path.trailing_slash && !target.path.is_root() => {
                // `/docs` → `/docs/`, so the links in its page resolve inside it.
                let url = target.path.directory_url(target.query);
                let page = response::error_page(
                    Status::MovedPermanently,
                    &format!("This directory's address ends with a slash: {url}"),
                );
                let location = [("Location", url.as_str())];
                Ok(self.page(
                    head_only,
                    Status::MovedPermanently,
                    &location,
                    &page,
                    persistence,
                ))
            }
            Found::Directory(dir) => {
                let index_path = target.path.child(b"index.html");
                match find(site, cache, &index_path) {
                    Ok(Found::File(index)) => {
                        let index =
                            Representation::choose(request, site, cache, &index_path, index);
                        self.file(request, index, "text/html", persistence)
                    }
                    Ok(Found::Directory(_)) | Err(Refusal::NotFound) => {
                        self.listing(head_only, &dir, &target.path.display(), persistence)
                    }
                    Err(refusal) => self.refusal(head_only, refusal, persistence),
                }
            }
        }
    }

    /// 200, 206, 304 or 416 for a regular file (or its precompressed
    /// sibling), with the conditions and range of the request.
    fn file(
        &mut self,
        request: &Request<'_>,
        file: Representation,
        content_type: &str,
        persistence: Persistence,
    ) -> io::Result<Response> {
        let Representation {
            open,
            coding,
            etag,
            vary,
            now,
        } = file;
        let len = open.metadata.len();
        let modified = open.metadata.modified().ok().map(date::unix_seconds);
        // RFC 9110 §13.2.2, steps 1 and 2: If-Match, or without it
        // If-Unmodified-Since (a value that is not a date is ignored).
        let precondition_holds = match request.if_match {
            Some(_) => request
                .lines_of(b"if-match")
                .any(|tags| etag::match_holds(tags, &etag)),
            None => !matches!(
                (modified, request.if_unmodified_since.and_then(date::parse)),
                (Some(modified), Some(since)) if modified > since
            ),
        };
        if !precondition_holds {
            let page = response::error_page(
                Status::PreconditionFailed,
                "The file is not the version the request's If-Match or \
                 If-Unmodified-Since names: it has changed since.",
            );
            let etag_header = ("ETag", etag.as_str());
            let vary_header = ("Vary", "Accept-Encoding");
            let headers = [etag_header, vary_header];
            let headers = if vary { &headers[..] } else { &headers[..1] };
            let head_only = request.method == Method::Head;
            return Ok(self.page(
                head_only,
                Status::PreconditionFailed,
                headers,
                &page,
                persistence,
            ));
        }
        // Steps 3 and 4: If-None-Match; If-Modified-Since only without it.
        let not_modified = match request.if_none_match {
            Some(_) => request
                .lines_of(b"if-none-match")
                .any(|tags| etag::none_match_fails(tags, &etag)),
            None => matches!(
                (modified, request.if_modified_since.and_then(date::parse)),
                (Some(modified), Some(since)) if modified <= since
            ),
        };
        if not_modified {
            let out = &mut self.out;
            response::begin(out, Status::NotModified, self.now.get(now));
            response::header_bytes(out, "ETag", etag.as_bytes());
            if let Some(modified) = modified {
                response::header(out, "Last-Modified", self.last_modified.get(modified));
            }
            if vary {
                response::header(out, "Vary", "Accept-Encoding");
            }
            response::end(out, persistence);
            return Ok(Response::head_only(Status::NotModified));
        }
        // Range applies to GET only (RFC 9110 §14.2); If-Range sends the
        // whole file unless it names this very version: its entity tag by
        // the strong comparison, or exactly its Last-Modified.
        let range = match request.range {
            Some(value)
                if request.method == Method::Get
                    && request
                        .if_range
                        .map_or(true, |v| if_range_holds(v, &etag, modified)) =>
            {
                range::parse(value, len)
            }
            _ => RangeRequest::Whole,
        };
        let (status, first, count) = match range {
            RangeRequest::Whole => (Status::Ok, 0, len),
            RangeRequest::Partial { first, last } => {
                (Status::PartialContent, first, last - first + 1)
            }
            RangeRequest::Unsatisfiable => {
                let page = response::error_page(
                    Status::RangeNotSatisfiable,
                    &format!("The file has {len} bytes; the range asked for is not among them."),
                );
                let content_range = format!("bytes */{len}");
                let vary_header = ("Vary", "Accept-Encoding");
                let headers = [("Content-Range", content_range.as_str()), vary_header];
                let headers = if vary { &headers[..] } else { &headers[..1] };
                let head_only = request.method == Method::Head;
                return Ok(self.page(
                    head_only,
                    Status::RangeNotSatisfiable,
                    headers,
                    &page,
                    persistence,
                ));
            }
        };

        let out = &mut self.out;
        response::begin(out, status, self.now.get(now));
        response::header(out, "Content-Type", content_type);
        response::header_number(out, "Content-Length", count);
        if let Some(modified) = modified {
            response::header(out, "Last-Modified", self.last_modified.get(modified));
        }
        response::header_bytes(out, "ETag", etag.as_bytes());
        if let Some(coding) = coding {
            response::header(out, "Content-Encoding", coding.name());
        }
        if vary {
            response::header(out, "Vary", "Accept-Encoding");
        }
        response::header(out, "Accept-Ranges", "bytes");
        if status == Status::PartialContent {
            let content_range = format!("bytes {first}-{}/{len}", first + count - 1);
            response::header(out, "Content-Range", &content_range);
        }
        response::end(out, persistence);

        if request.method == Method::Head {
            return Ok(Response::head_only(status));
        }
        if count <= SMALL_BODY {
            // One write for head and body: one system call, one segment.
            // A cached file's body is already in memory.
            let range = first as usize..(first + count) as usize;
            match open.body.as_deref().and_then(|body| body.get(range)) {
                Some(body) => out.extend_from_slice(body),
                None => {
                    let at = out.len();
                    out.resize(at + count as usize, 0);
                    open.file.read_exact_at(&mut out[at..], first)?;
                }
            }
            return Ok(Response {
                outcome: Outcome {
                    status,
                    body_bytes: count,
                },
                file: None,
            });
        }
        // A bigger body follows the head from the file, by sendfile.
        Ok(Response {
            outcome: Outcome {
                status,
                body_bytes: count,
            },
            file: Some(FileBody {
                open,
                next: first,
                end: first + count,
            }),
        })
    }

    /// The listing of a directory without an index.html.
    fn listing(
        &mut self,
        head_only: bool,
        dir: &Path,
        shown_path: &str,
        persistence: Persistence,
    ) -> io::Result<Response> {
        match listing::render(dir, shown_path) {
            Ok(page) => Ok(self.page(head_only, Status::Ok, &[], &page, persistence)),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => self.refusal(
                head_only,
                Refusal::Forbidden("The server may not read this directory (permission denied)."),
                persistence,
            ),
            Err(e) => self.refusal(head_only, Refusal::Failed(e), persistence),
        }
    }

    /// 404, 403 or 500 for a path that is not served.
    fn refusal(
        &mut self,
        head_only: bool,
        refusal: Refusal,
        persistence: Persistence,
    ) -> io::Result<Response> {
        let (status, explanation) = match refusal {
            Refusal::NotFound => (Status::NotFound, "There is no file at this address."),
            Refusal::Forbidden(why) => (Status::Forbidden, why),
            Refusal::Failed(e) => {
                harness::log!(
                    "{} file system error: {}",
                    self.peer,
                    harness::cli::describe(&e)
                );
                (
                    Status::InternalServerError,
                    "The server could not read this file; its log says why.",
                )
            }
        };
        let page = response::error_page(status, explanation);
        Ok(self.page(head_only, status, &[], &page, persistence))
    }

    /// A response whose body is a page made here (a listing, an error).
    fn page(
        &mut self,
        head_only: bool,
        status: Status,
        headers: &[(&str, &str)],
        page: &str,
        persistence: Persistence,
    ) -> Response {
        let out = &mut self.out;
        response::begin(out, status, self.now.get(date::now_seconds()));
        response::header(out, "Content-Type", "text/html; charset=utf-8");
        response::header_number(out, "Content-Length", page.len() as u64);
        for (name, value) in headers {
            response::header(out, name, value);
        }
        response::end(out, persistence);
        if !head_only {
            out.extend_from_slice(page.as_bytes());
        }
        Response {
            outcome: Outcome {
                status,
                body_bytes: if head_only { 0 } else { page.len() as u64 },
            },
            file: None,
        }
    }
}

/// The bytes chosen to represent a file: the file itself or a precompressed
/// sibling, its entity tag, and whether another client could have been sent
/// other bytes (`Vary: Accept-Encoding`).
struct Representation {
    open: Arc<OpenFile>,
    coding: Option<Coding>,
    etag: ETag,
    vary: bool,
    /// When it was chosen (seconds since 1970): the response's `Date`.
    now: i64,
}

impl Representation {
    /// `open` (found at `path`), or the sibling of it that `request`
    /// accepts best.
    fn choose(
        request: &Request<'_>,
        site: &Site,
        cache: &CacheView<'_>,
        path: &SitePath,
        open: Arc<OpenFile>,
    ) -> Representation {
        let now = date::now_seconds();
        let siblings = siblings(site, cache, path, &open, now);
        let ranged = request.method == Method::Get && request.range.is_some();
        let vary = !siblings.is_empty();
        if let (Some(first), false, true) = (request.accept_encoding, ranged, vary) {
            // Several Accept-Encoding lines are one list (RFC 9110 §5.3);
            // joined only in the rare request that sends more than one.
            let accept = match request.lines_of(b"accept-encoding").nth(1) {
                None => Cow::Borrowed(first),
                Some(_) => Cow::Owned(
                    request
                        .lines_of(b"accept-encoding")
                        .collect::<Vec<_>>()
                        .join(&b","[..]),
                ),
            };
            if let Some(coding) = encoding::choose(&accept, siblings) {
                // Gone since it was looked up: the file itself, then.
                if let Ok(Found::File(sibling)) =
                    find(site, cache, &path.with_extension(coding.extension()))
                {
                    return Representation {
                        etag: sibling.etag.with_suffix(coding.etag_suffix()),
                        open: sibling,
                        coding: Some(coding),
                        vary,
                        now,
                    };
                }
            }
        }
        Representation {
            etag: open.etag,
            open,
            coding: None,
            vary,
            now,
        }
    }
}

/// The precompressed siblings of `open` (found at `path`): those the file
/// remembers from less than a second before `now`, or else looked up now
/// (and remembered), each by the same rules as any file.
fn siblings(
    site: &Site,
    cache: &CacheView<'_>,
    path: &SitePath,
    open: &OpenFile,
    now: i64,
) -> Siblings {
    if let Some(known) = open.siblings.get(now) {
        return known;
    }
    let mut found = Siblings::NONE;
    for coding in Coding::ALL {
        let sibling = path.with_extension(coding.extension());
        if let Ok(Found::File(_)) = find(site, cache, &sibling) {
            found = found.with(coding);
        }
    }
    open.siblings.set(now, found);
    found
}

/// Whether an `If-Range` value names this version of the file.
fn if_range_holds(value: &[u8], etag: &ETag, modified: Option<i64>) -> bool {
    if etag::is_entity_tag(value) {
        etag::strong_match(value, etag)
    } else {
        modified.is_some() && date::parse(value) == modified
    }
}

/// What `path` names: the cache's file if it holds that file unchanged, or
/// else what the site finds, its file offered to the cache on the way.
fn find(site: &Site, cache: &CacheView<'_>, path: &SitePath) -> Result<Found, Refusal> {
    let full = site.full_path(path);
    if let Some(open) = cache.get(&full) {
        return Ok(Found::File(open));
    }
    match site.lookup(path)? {
        Found::File(open) => Ok(Found::File(cache.offer(full, open))),
        directory => Ok(directory),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request;
    use std::fs;

    /// Answers `head` (a whole request head) from a site serving `root`:
    /// the response and the bytes made for it, no socket involved.
    fn answer(root: &Path, head: &str) -> (Response, String) {
        let site = Site::new(root).expect("a directory");
        let cache = crate::cache::FileCache::new(SMALL_BODY);
        let mut responder = Responder::new(SocketAddr::from(([127, 0, 0, 1], 40000)));
        let request = request::parse(head.as_bytes()).expect("a valid request");
        let response = responder
            .respond(
                &request,
                &site,
                &cache.view(cache.moment()),
                Persistence::Close,
            )
            .expect("answered");
        let bytes = String::from_utf8(responder.bytes().to_vec()).expect("text");
        (response, bytes)
    }

    #[test]
    fn a_request_line_gets_the_file_or_the_404() {
        let dir = tempfile::tempdir().expect("temp dir");
        let page = "<head>Hello world!</head>\n";
        fs::write(dir.path().join("HelloWorld.html"), page).expect("write");

        let (found, bytes) = answer(dir.path(), "GET /HelloWorld.html HTTP/1.0\r\n\r\n");
        assert_eq!(found.outcome.status, Status::Ok);
        assert_eq!(found.outcome.body_bytes, page.len() as u64);
        assert!(found.file.is_none(), "a small body goes with the head");
        assert!(bytes.starts_with("HTTP/1.1 200 OK\r\n"), "{bytes}");
        assert!(bytes.contains("\r\nContent-Type: text/html\r\n"), "{bytes}");
        assert!(bytes.contains("\r\nContent-Length: 26\r\n"), "{bytes}");
        assert!(bytes.ends_with(&format!("\r\n\r\n{page}")), "{bytes}");

        let (missing, bytes) = answer(dir.path(), "GET /abc.html HTTP/1.0\r\n\r\n");
        assert_eq!(missing.outcome.status, Status::NotFound);
        assert!(bytes.starts_with("HTTP/1.1 404 Not Found\r\n"), "{bytes}");
        assert!(
            bytes.contains("There is no file at this address."),
            "{bytes}"
        );
    }

    #[test]
    fn a_big_file_is_left_for_sendfile_and_a_way_out_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let www = dir.path().join("www");
        fs::create_dir(&www).expect("mkdir");
        fs::write(www.join("big.bin"), vec![7; SMALL_BODY as usize + 1]).expect("write");
        fs::write(dir.path().join("secret.txt"), "SECRET").expect("write");

        let (big, bytes) = answer(&www, "GET /big.bin HTTP/1.0\r\n\r\n");
        assert_eq!(big.outcome.status, Status::Ok);
        let body = big.file.expect("the body stays in the file");
        assert_eq!((body.next, body.end), (0, SMALL_BODY + 1));
        assert!(
            bytes.ends_with("\r\n\r\n"),
            "only the head is in the buffer"
        );

        let (out, bytes) = answer(&www, "GET /../secret.txt HTTP/1.0\r\n\r\n");
        assert_eq!(out.outcome.status, Status::Forbidden);
        assert!(!bytes.contains("SECRET"), "{bytes}");
    }
}
