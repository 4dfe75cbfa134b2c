//! The web-server lab, grown into a static file server.
//!
//! The lab's server is twenty lines: accept, `recv(1024)`, take the second
//! word of the request as a file name, send the file after a status line,
//! or `404 Not Found`. Each module here is one of the things a real server
//! adds to that. They are listed from the bottom up: each one uses only
//! modules above it in this list, never one below.
//!
//! What a request and a response are made of, with no socket and no file:
//!
//! * [`date`], [`mime`]: HTTP dates, and the type of a file by its name;
//! * [`response`]: statuses, the lines of a response head, error pages;
//! * [`request`]: reading a request head as it arrives, strictly and within
//!   limits (414, 431), into borrowed fields;
//! * [`target`]: from `/a%20b.html` to a path under the root, decoded once,
//!   with every way out (`..`, `%2e%2e`, `%2f`, `\`, NUL) refused;
//! * [`listing`], [`range`]: the page of a directory; the `Range` header
//!   (206, 416);
//! * [`etag`], [`encoding`]: entity tags and the conditions that compare
//!   them (304, `If-Range`); `Accept-Encoding` and precompressed siblings.
//!
//! From a path to a file, then to a response (the lab's `open`, still with
//! no socket):
//!
//! * [`site`]: looking the path up without following a link out of the root
//!   or opening a FIFO or a device: a file, a directory or a refusal;
//! * [`cache`]: files served recently, kept open, asked before the site;
//! * [`respond`]: from a parsed request to the response: the file, a
//!   directory page, a redirect or the error (the lab's 404 among them).
//!
//! The sockets:
//!
//! * `access_log`, `input`, `output` (private): the log line of a
//!   response, reading a request head off the socket, sending a response
//!   (`sendfile` for big bodies);
//! * [`connection`]: one connection's phases: its keep-alive loop, its
//!   timeouts, its lingering close;
//! * [`event_loop`]: the accept loop, and the worker threads that carry many
//!   connections each.
//!
//! Beside the server:
//!
//! * [`client`]: the lab's optional HTTP client: URLs, and reading a response
//!   whose body ends by length, by chunks or by close;
//! * [`resources`]: the open-file limit, and peak memory for the summary.

// The words: leaves, and the modules that use only them.
pub mod date;
pub mod mime;
pub mod response;

pub mod request;
pub mod target;

pub mod listing;
pub mod range;

pub mod encoding;
pub mod etag;

// A path to a file, a request to a response.
pub mod site;

pub mod cache;

pub mod respond;

// The sockets.
mod access_log;
mod input;
mod output;

pub mod connection;

pub mod event_loop;

// Beside the server.
pub mod client;
pub mod resources;
