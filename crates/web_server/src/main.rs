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
//!   server closes.
//!
//! Try it with two terminals (and a browser):
//!
//! ```text
//! terminal 1:  echo '<head>Hello world!</head>' > HelloWorld.html
//!              cargo run -p web_server -- server
//! terminal 2:  cargo run -p web_server -- client http://127.0.0.1:6789/HelloWorld.html
//! browser:     http://127.0.0.1:6789/HelloWorld.html, then /abc.html for the 404
//! ```

use std::fs::{self, File};
use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use common::show::count;
use common::show::printable_text;
use common::trace::Traced;
use harness::cli::{self, Failure, NetArgs};
use harness::log;
use harness::stop::Stop;
use web_server::client::{self, ClientError};
use web_server::connection::{Config, Shared};
use web_server::event_loop;
use web_server::{resources, response, site::Site};

/// How long the client waits for the connection to be accepted.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Parser)]
#[command(
    version,
    about = "The web-server lab: a static file server (the lab's request line → file → \
             404 Not Found, grown up) and the lab's HTTP client over a raw TCP socket.",
    after_help = "Examples (two terminals):\n  \
        web_server server                                  # serve this directory on 127.0.0.1:6789\n  \
        web_server client http://127.0.0.1:6789/HelloWorld.html\n\n\
        Or open http://127.0.0.1:6789/ in a browser. `web_server ROLE --help` describes each role.\n"
)]
struct Cli {
    #[command(subcommand)]
    role: Role,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// Serve the files of a directory over HTTP/1.0 and HTTP/1.1.
    #[command(
        long_about = "The web-server lab, the server: answers GET and HEAD for the files under \
                      --root (200, or the lab's 404 Not Found), with a directory page like \
                      `python3 -m http.server`, keep-alive, If-Modified-Since (304), byte ranges \
                      (206/416) and an access log. Paths that would leave the root are refused \
                      (403); so are FIFOs and devices.",
        after_help = "Examples:\n  \
        web_server server                              # this directory, on 127.0.0.1:6789\n  \
        web_server server --root site --port 8000      # like python3 -m http.server -d site 8000\n  \
        web_server server --port 0 --trace             # any free port; dump every send and receive\n  \
        web_server server --host 0.0.0.0               # reachable from other machines too\n\n\
        Then: web_server client http://127.0.0.1:6789/HelloWorld.html, curl, or a browser.\n\
        Ctrl-C lets the requests in flight finish, prints a summary and exits 0.\n"
    )]
    Server(ServerArgs),

    /// Fetch one URL over a raw TCP socket and show the response.
    #[command(
        long_about = "The web-server lab's optional exercise, the client: connects with a plain \
                      TCP socket, sends `GET PATH HTTP/1.1` with a Host header, prints the status \
                      line and headers on stderr and the body on stdout (or -o FILE). The body \
                      is read by Content-Length, by chunks, or until the server closes; a \
                      redirect is shown, not followed.",
        after_help = "Examples:\n  \
        web_server client http://127.0.0.1:6789/HelloWorld.html\n  \
        web_server client /HelloWorld.html --port 6789     # a path on --host and --port\n  \
        web_server client http://127.0.0.1:6789/ --head    # the headers only\n  \
        web_server client http://127.0.0.1:6789/big.bin -o big.bin\n\n\
        Exit status: 0 when a whole response came back, whatever its status (as curl);\n\
        1 when the server cannot be reached or the response is malformed or cut short;\n\
        2 for a usage error.\n"
    )]
    Client(ClientArgs),
}

#[derive(Debug, clap::Args)]
struct ServerArgs {
    #[command(flatten)]
    net: NetArgs<6789>,

    /// The directory to serve; like `python3 -m http.server`, the current one by default.
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,

    /// Most connections open at once; the next one gets `503 Service
    /// Unavailable` and is closed.
    #[arg(long, default_value_t = 1024, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    max_connections: u32,

    /// Close a connection that sends no request, or reads nothing of a
    /// response, for this long.
    #[arg(long, default_value = "15", value_name = "SECONDS", value_parser = parse_seconds)]
    idle_timeout: Duration,

    /// The most a request head may take from its first byte to its end;
    /// a client that trickles it in is cut off with 408.
    #[arg(long, default_value = "10", value_name = "SECONDS", value_parser = parse_seconds)]
    header_timeout: Duration,

    /// Requests served on one connection before the server closes it
    /// (nginx's keepalive_requests).
    #[arg(long, default_value_t = 1000, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    max_requests: u64,

    /// No access log (like nginx's `access_log off`, for benchmarks).
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, clap::Args)]
struct ClientArgs {
    #[command(flatten)]
    net: NetArgs<6789>,

    /// `http://HOST[:PORT]/PATH`, or a `/PATH` on the server at --host and --port.
    url: String,

    /// Send HEAD instead of GET: the status line and headers only.
    #[arg(long)]
    head: bool,

    /// Write the body to FILE (whole, or not at all) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Give up when the server sends nothing for this long.
    #[arg(long, default_value = "30", value_name = "SECONDS", value_parser = parse_seconds)]
    timeout: Duration,
}

fn main() -> ExitCode {
    cli::quiet_on_closed_pipe();
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli::exit_code(match cli.role {
        Role::Server(args) => run_server(args),
        Role::Client(args) => {
            let role = matches.subcommand_matches("client");
            let address_given = role.is_some_and(|m| given(m, "host") || given(m, "port"));
            run_client(args, address_given)
        }
    })
}

/// Whether option `id` was typed on the command line (not a default).
fn given(matches: &ArgMatches, id: &str) -> bool {
    matches.value_source(id) == Some(ValueSource::CommandLine)
}

fn run_server(args: ServerArgs) -> Result<(), Failure> {
    let mut site = Site::new(&args.root).map_err(|e| {
        Failure::usage(format!(
            "cannot serve --root {}: {}",
            args.root.display(),
            cli::describe(&e)
        ))
    })?;
    let max_connections = resources::allow_connections(args.max_connections as usize);

    // The lab's serverSocket.bind(('127.0.0.1', 6789)) and listen().
    let listener = args.net.bind_tcp()?;
    let shutdown = Stop::on_ctrl_c()?;
    shutdown.wake_on_trigger(&listener)?;
    let addr = listener.local_addr()?;
    site.enter().map_err(|e| {
        Failure::runtime(format!(
            "cannot enter --root {}: {}",
            site.root().display(),
            cli::describe(&e)
        ))
    })?;
    cli::announce_listening(addr);
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

    let shared = Arc::new(Shared {
        site,
        config: Config {
            idle_timeout: args.idle_timeout,
            header_timeout: args.header_timeout,
            max_requests: args.max_requests,
            access_log: !args.quiet,
            trace: args.net.trace,
        },
        shutdown: shutdown.clone(),
        responses: AtomicU64::new(0),
    });
    // The lab's `while True: accept()`, with the connections shared out
    // among a few worker threads, at most max_connections at once.
    let busy = response::busy_response(max_connections).into_bytes();
    let summary = event_loop::serve(&listener, &shared, max_connections, &busy)?;
    let responses = shared.responses.load(Ordering::Relaxed);
    let peak = resources::peak_memory()
        .map(|bytes| format!("; peak memory {} MiB", bytes / (1024 * 1024)))
        .unwrap_or_default();
    log!("shutting down: {summary}, {responses} response(s){peak}");
    Ok(())
}

fn run_client(args: ClientArgs, address_given: bool) -> Result<(), Failure> {
    let url = client::parse_url(&args.url).map_err(Failure::usage)?;
    if url.host.is_some() && address_given {
        return Err(Failure::usage(format!(
            "{} already names the server; drop --host/--port, or give a /PATH instead",
            args.url
        )));
    }
    let (host, port) = match url.host {
        Some(host) => (host, url.port.unwrap_or(80)),
        None => (args.net.host.clone(), args.net.port),
    };
    let server = NetArgs::<80> {
        host,
        port,
        trace: args.net.trace,
    };

    // The lesson's socket() + connect((host, port)).
    let stream = server.connect_tcp(CONNECT_TIMEOUT)?;
    stream.set_read_timeout(Some(args.timeout))?;
    stream.set_write_timeout(Some(args.timeout))?;
    let peer = stream.peer_addr()?;
    let mut conn = Traced::new(&stream, peer, args.net.trace);

    // sock.send(b'GET / HTTP/1.1\r\nHost: ...\r\n\r\n')
    let request = client::request(
        args.head,
        &url.target,
        &client::host_header(&server.host, port),
    );
    conn.write_all(request.as_bytes())
        .map_err(|e| Failure::runtime(format!("cannot send the request: {}", cli::describe(&e))))?;

    // Not one recv(4096): the head, then the body by its framing.
    let mut reader = BufReader::with_capacity(64 * 1024, conn);
    let mut shown = String::new();
    let head = client::read_head(&mut reader, &mut shown);
    eprint!("{shown}");
    let head = head.map_err(failure)?;
    eprintln!(); // the blank line that ends the head, as on the wire
    for warning in &head.warnings {
        eprintln!("note: {warning}");
    }
    if let Some(location) = head.redirect() {
        eprintln!("redirect to {} (not followed)", printable_text(location));
    }
    let framing = client::framing(&head, args.head).map_err(failure)?;
    match &args.output {
        None => {
            let mut out = io::stdout().lock();
            client::copy_body(&mut reader, framing, &mut out).map_err(failure)?;
            out.flush().map_err(|e| failure(ClientError::Output(e)))?;
        }
        Some(path) => {
            let size = save_body(path, |file| client::copy_body(&mut reader, framing, file))?;
            eprintln!(
                "saved {} to {}",
                count(size, "byte", "bytes"),
                path.display()
            );
        }
    }
    Ok(())
}

fn failure(e: ClientError) -> Failure {
    Failure::runtime(e.to_string())
}

/// Writes the body into a temporary file beside `path` and renames it to
/// `path` only when the body is complete: an interrupted download never
/// leaves a file that looks whole.
fn save_body(
    path: &Path,
    copy: impl FnOnce(&mut File) -> Result<u64, ClientError>,
) -> Result<u64, Failure> {
    let name = path
        .file_name()
        .ok_or_else(|| Failure::usage(format!("-o {}: not a file name", path.display())))?;
    let mut partial_name = std::ffi::OsString::from(".");
    partial_name.push(name);
    partial_name.push(".part");
    let partial = path.with_file_name(partial_name);
    let mut file = File::create(&partial).map_err(|e| {
        Failure::runtime(format!(
            "cannot create {}: {}",
            partial.display(),
            cli::describe(&e)
        ))
    })?;
    let copied = copy(&mut file).and_then(|n| {
        file.sync_all().map_err(ClientError::Output)?;
        Ok(n)
    });
    let size = match copied {
        Ok(size) => size,
        Err(e) => {
            let _ = fs::remove_file(&partial);
            return Err(failure(e));
        }
    };
    fs::rename(&partial, path).map_err(|e| {
        let _ = fs::remove_file(&partial);
        Failure::runtime(format!(
            "cannot rename to {}: {}",
            path.display(),
            cli::describe(&e)
        ))
    })?;
    Ok(size)
}

/// `--idle-timeout 2.5`: positive seconds, as a decimal number.
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        return Err(format!(
            "'{text}': give more than 0 and at most 86400 seconds"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}
