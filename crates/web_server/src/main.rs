//! The web-server lab: a web server that reads the request line, sends the
//! file asked for after a status line, or `404 Not Found`; and the lab's
//! optional exercise, an HTTP client over a raw TCP socket.
//!
//! The lab's `WebServer.py` binds port 6789, accepts one connection, takes
//! one `recv(1024)` as the request, opens `message.split()[1][1:]`, sends
//! `HTTP/1.1 200 OK` with the file, and closes. This binary does the same
//! job the way a server facing real clients must:
//!
//! * `web_server server [--root DIR]`: GET and HEAD over HTTP/1.0 and 1.1,
//!   keep-alive, `Content-Type`, dates, `304`, byte ranges, directory pages
//!   like `python3 -m http.server`, an access log; paths that would leave
//!   the root are refused; slow, silent, huge or garbled requests cost only
//!   their own connection; Ctrl-C lets the requests in flight finish;
//! * `web_server client URL`: sends a GET (or `--head`) with a `Host`, shows
//!   the status line and headers on stderr and writes the body to stdout or
//!   `-o FILE`, reading it by `Content-Length`, by chunks or until the
//!   server closes (`fetch.rs`).
//!
//! Try it with two terminals (and a browser):
//!
//! ```text
//! terminal 1:  echo '<head>Hello world!</head>' > HelloWorld.html
//!              cargo run -p web_server -- server
//! terminal 2:  cargo run -p web_server -- client http://127.0.0.1:6789/HelloWorld.html
//! browser:     http://127.0.0.1:6789/HelloWorld.html, then /abc.html for the 404
//! ```

mod args;
mod fetch;

use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use args::{Role, ServerArgs};
use harness::cli::{self, Failure};
use harness::log;
use web_server::connection::{Config, Shared};
use web_server::site::Site;
use web_server::{event_loop, resources, response};

fn main() -> ExitCode {
    harness::main(|| run(args::parse()))
}

fn run(role: Role) -> Result<(), Failure> {
    match role {
        Role::Server(args) => serve(args),
        Role::Client(args) => fetch::run(args),
    }
}

/// `web_server server`: the lab's `WebServer.py`, serving `--root`.
fn serve(args: ServerArgs) -> Result<(), Failure> {
    let site = enter_root(&args)?;
    let max_connections = resources::allow_connections(args.max_connections as usize);

    // serverSocket = socket(AF_INET, SOCK_STREAM)
    // serverSocket.bind(("127.0.0.1", 6789)); serverSocket.listen(1)
    let (listener, stop) = args.net.listen_tcp()?;
    let addr = listener.local_addr()?;
    log!(
        "serving {} at http://{addr}/ (Ctrl-C stops)",
        site.root().display()
    );
    if max_connections < args.max_connections as usize {
        log!(
            "the open-file limit (ulimit -n) allows only {max_connections} connections; \
             --max-connections lowered to that"
        );
    }
    let shared = Arc::new(Shared::new(site, config(&args), stop));

    // while True: connectionSocket, addr = serverSocket.accept()
    //     (event_loop::serve: each connection handed to one of a few worker
    //     threads, at most max_connections at once; the rest get `busy`)
    // message = connectionSocket.recv(1024)
    //     (Input::read_head in input.rs: until the blank line ends the head)
    // filename = message.split()[1]; f = open(filename[1:])
    //     (request::parse, then Responder::respond in respond.rs: the file,
    //     or the lab's `except IOError:` 404)
    // connectionSocket.send(header.encode()); send(outputdata[i]) ...
    //     (Outgoing::push in output.rs: head and small body in one write,
    //     a big body by sendfile; then the next request, or the close)
    let busy = response::busy_response(max_connections).into_bytes();
    let summary = event_loop::serve(&listener, &shared, max_connections, &busy)?;

    let responses = shared.responses.load(Ordering::Relaxed);
    let peak = resources::peak_memory()
        .map(|bytes| format!("; peak memory {} MiB", bytes / (1024 * 1024)))
        .unwrap_or_default();
    log!("shutting down: {summary}, {responses} response(s){peak}");
    Ok(())
}

/// The served directory, made the working directory as the lab's server
/// runs in the directory it serves (`open(filename[1:])` is relative).
fn enter_root(args: &ServerArgs) -> Result<Site, Failure> {
    let mut site = Site::new(&args.root).map_err(|e| {
        Failure::usage(format!(
            "cannot serve --root {}: {}",
            args.root.display(),
            cli::describe(&e)
        ))
    })?;
    site.enter().map_err(|e| {
        Failure::runtime(format!(
            "cannot enter --root {}: {}",
            site.root().display(),
            cli::describe(&e)
        ))
    })?;
    Ok(site)
}

/// What every connection is told by the command line.
fn config(args: &ServerArgs) -> Config {
    Config {
        idle_timeout: args.idle_timeout,
        header_timeout: args.header_timeout,
        max_requests: args.max_requests,
        access_log: !args.quiet,
        trace: args.net.trace,
    }
}
