//! The web-server lab, grown into a static file server.
//!
//! The lab's server is twenty lines: accept, `recv(1024)`, take the second
//! word of the request as a file name, send the file after a status line,
//! or `404 Not Found`. Each module here is one of the things a real server
//! adds to that, kept apart from the sockets so tests can call it directly:
//!
//! * [`request`]: reading a request head as it arrives, strictly and within
//!   limits (414, 431), into borrowed fields;
//! * [`target`]: from `/a%20b.html` to a path under the root, decoded once,
//!   with every way out (`..`, `%2e%2e`, `%2f`, `\`, NUL) refused;
//! * [`site`]: looking the path up without following a link out of the root
//!   or opening a FIFO or a device;
//! * [`response`], [`date`], [`mime`], [`range`], [`listing`]: what a
//!   response says: status, dates, type, byte ranges, directory pages;
//! * [`connection`]: one connection's keep-alive loop, its timeouts, the
//!   access log, `sendfile` for big bodies;
//! * [`client`]: the lab's optional HTTP client: URLs, and reading a response
//!   whose body ends by length, by chunks or by close;
//! * [`resources`]: the open-file limit, and peak memory for the summary.

pub mod cache;
pub mod client;
pub mod connection;
pub mod date;
pub mod event_loop;
pub mod listing;
pub mod mime;
pub mod range;
pub mod request;
pub mod resources;
pub mod response;
pub mod site;
pub mod target;
