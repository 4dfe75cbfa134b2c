//! `web_server`'s command line: the roles `server` and `client`, and their
//! options.

use std::path::PathBuf;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use harness::cli::NetArgs;

/// Parses the command line (exiting on `--help` or a usage error) into the
/// role asked for.
pub fn parse() -> Role {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.role {
        Role::Client(mut args) => {
            let role = matches.subcommand_matches("client");
            args.address_given = role.is_some_and(|m| given(m, "host") || given(m, "port"));
            Role::Client(args)
        }
        server => server,
    }
}

/// Whether option `id` was typed on the command line (not a default).
fn given(matches: &ArgMatches, id: &str) -> bool {
    matches.value_source(id) == Some(ValueSource::CommandLine)
}

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
pub struct Cli {
    #[command(subcommand)]
    pub role: Role,
}

#[derive(Debug, Subcommand)]
pub enum Role {
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
pub struct ServerArgs {
    #[command(flatten)]
    pub net: NetArgs<6789>,

    /// The directory to serve; like `python3 -m http.server`, the current one by default.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,

    /// Most connections open at once; the next one gets `503 Service
    /// Unavailable` and is closed.
    #[arg(long, default_value_t = 1024, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections: u32,

    /// Close a connection that sends no request, or reads nothing of a
    /// response, for this long.
    #[arg(long, default_value = "15", value_name = "SECONDS", value_parser = parse_seconds)]
    pub idle_timeout: Duration,

    /// The most a request head may take from its first byte to its end;
    /// a client that trickles it in is cut off with 408.
    #[arg(long, default_value = "10", value_name = "SECONDS", value_parser = parse_seconds)]
    pub header_timeout: Duration,

    /// Requests served on one connection before the server closes it
    /// (nginx's keepalive_requests).
    #[arg(long, default_value_t = 1000, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_requests: u64,

    /// No access log (like nginx's `access_log off`, for benchmarks).
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct ClientArgs {
    #[command(flatten)]
    pub net: NetArgs<6789>,

    /// `http://HOST[:PORT]/PATH`, or a `/PATH` on the server at --host and --port.
    pub url: String,

    /// Send HEAD instead of GET: the status line and headers only.
    #[arg(long)]
    pub head: bool,

    /// Write the body to FILE (whole, or not at all) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Give up when the server sends nothing for this long.
    #[arg(long, default_value = "30", value_name = "SECONDS", value_parser = parse_seconds)]
    pub timeout: Duration,

    /// `--host` or `--port` was typed (not a default): then the URL must be
    /// a `/PATH`. Set by [`parse`].
    #[arg(skip)]
    pub address_given: bool,
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
