//! File transfer, both ends: the lesson's FTP-style upload (a 4-byte length,
//! a JSON header `{cmd, file_name, file_size}`, then the raw bytes) grown
//! into a small server and client a class can really share.
//!
//! The Python server is a `socketserver.ThreadingTCPServer` whose handler
//! reads `struct.unpack('i', recv(4))`, then the JSON header, then
//! `file_size` bytes into `server_dir/file_name`. `ftp server` does that
//! with a login and a home per user, a quota, `ls`/`cd`/`mkdir`, `get`,
//! md5 checked while the bytes stream, resume, and names that cannot
//! escape the home. The lesson's own client still works against it.
//!
//! Try it with two terminals:
//!
//! ```text
//! terminal 1:  cargo run -p ftp -- server --root /tmp/ftp_root
//! terminal 2:  cargo run -p ftp -- put Cargo.toml
//!              cargo run -p ftp -- ls
//!              cargo run -p ftp -- get Cargo.toml -o /tmp/copy.toml
//!              cargo run -p ftp -- client          (>>: put, get, ls, cd, ...)
//! ```

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use common::show::Table;
use ftp::accounts::{self, Users};
use ftp::client::{ClientError, Connection, GetReport, Options, PutReport};
use ftp::protocol::{EntryKind, Reply, DEFAULT_PORT};
use ftp::server::{Config, FtpServer};
use ftp::transfer::parse_size;
use harness::cli::{self, Failure, NetArgs};
use harness::input::{Line, LineInput};
use harness::log;
use harness::server::{self, Capacity};
use harness::stop::Stop;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Lesson: file transfer (FTP-style upload, 文件上传下载). A 4-byte length, a JSON \
             header {cmd, file_name, file_size, md5}, then the raw bytes; the server checks \
             size and md5 before the file gets its name.",
    after_help = "Examples (two terminals):\n  \
        ftp server --root /tmp/ftp_root             # anonymous, 127.0.0.1:8089\n  \
        ftp put notes.pdf                            # upload (resumes if interrupted)\n  \
        ftp ls\n  \
        ftp get notes.pdf -o copy.pdf                # download, md5 checked\n  \
        ftp client                                   # a shell: >>: put, get, ls, cd, ...\n\n  \
        ftp server add-user alice --users users.txt  # accounts (asks for a password)\n  \
        ftp server --users users.txt --quota 100M\n  \
        FTP_PASSWORD=... ftp put notes.pdf --user alice\n\n\
        This is a teaching protocol, not RFC 959 FTP: docs/protocols.md has its bytes.\n"
)]
struct Args {
    #[command(subcommand)]
    role: Role,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// The server: a thread per client, a home per user, uploads verified
    /// before they get their name.
    #[command(
        args_conflicts_with_subcommands = true,
        after_help = "Example:\n  \
            ftp server --root /tmp/ftp_root --max-clients 20\n\n\
            Then, in a second terminal: ftp put FILE\n"
    )]
    Server(ServerArgs),
    /// Upload FILE (resumed if an earlier upload of it was interrupted).
    #[command(after_help = "Example:\n  ftp put notes.pdf --as week1.pdf\n")]
    Put(PutArgs),
    /// Download NAME from the current directory on the server.
    #[command(after_help = "Example:\n  ftp get week1.pdf -o /tmp/notes.pdf\n")]
    Get(GetArgs),
    /// List a directory on the server.
    #[command(after_help = "Example:\n  ftp ls /\n")]
    Ls(LsArgs),
    /// An interactive shell: put, get, ls, cd, pwd, mkdir, help, quit.
    #[command(after_help = "Example:\n  \
        printf 'mkdir docs\\ncd docs\\nput notes.pdf\\nls\\n' | ftp client\n")]
    Client(ShellArgs),
}

#[derive(Debug, clap::Args)]
struct ServerArgs {
    #[command(subcommand)]
    action: Option<ServerAction>,

    #[command(flatten)]
    net: NetArgs<DEFAULT_PORT>,

    /// The directory served; created if missing. With --users each user
    /// gets ROOT/NAME; without, ROOT is one anonymous area.
    #[arg(long, default_value = "ftp_root", value_name = "DIR")]
    root: PathBuf,

    /// The accounts file (NAME:ARGON2-HASH lines, written by add-user).
    /// Without it anyone may connect, without a login.
    #[arg(long, value_name = "FILE")]
    users: Option<PathBuf>,

    /// Most bytes each home may hold (e.g. 500K, 100M, 2G), checked before
    /// an upload's first byte is written.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    quota: Option<u64>,

    /// Most clients served at once, each on its own thread.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    max_clients: u32,

    /// Close a connection that sends nothing (or reads nothing) for this
    /// many seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout: u64,

    /// How long a wrong password waits for its answer, in milliseconds; 3
    /// wrong ones close the connection. Lower it only for tests.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    login_delay_ms: u64,
}

#[derive(Debug, Subcommand)]
enum ServerAction {
    /// Add a user to the accounts file, or change their password. The
    /// password comes from FTP_PASSWORD, a prompt, or stdin's first line.
    #[command(after_help = "Example:\n  ftp server add-user alice --users users.txt\n")]
    AddUser {
        /// The user name (also the name of their home directory).
        name: String,
        /// The accounts file; created if missing.
        #[arg(long, default_value = "ftp_users", value_name = "FILE")]
        users: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
struct ClientArgs {
    #[command(flatten)]
    net: NetArgs<DEFAULT_PORT>,

    /// Log in as NAME; the password comes from FTP_PASSWORD or a prompt.
    #[arg(long, value_name = "NAME")]
    user: Option<String>,

    /// Give up on connecting, or on an answer the server owes, after this
    /// many seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,

    /// How long put waits for the server's `ready` and its confirmation
    /// before going on without (the lesson's server never sends either).
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    reply_wait: f64,
}

#[derive(Debug, clap::Args)]
struct PutArgs {
    /// The local file.
    file: PathBuf,
    /// The name on the server (default: FILE's own name).
    #[arg(long = "as", value_name = "NAME")]
    name: Option<String>,
    /// Replace a file of that name on the server.
    #[arg(long)]
    overwrite: bool,
    #[command(flatten)]
    client: ClientArgs,
}

#[derive(Debug, clap::Args)]
struct GetArgs {
    /// The file's name on the server.
    name: String,
    /// Where to write it (default: NAME in the current directory; a
    /// directory means NAME inside it).
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Replace a local file of that name.
    #[arg(long)]
    overwrite: bool,
    #[command(flatten)]
    client: ClientArgs,
}

#[derive(Debug, clap::Args)]
struct LsArgs {
    /// The directory (default: the top of your home).
    dir: Option<String>,
    #[command(flatten)]
    client: ClientArgs,
}

#[derive(Debug, clap::Args)]
struct ShellArgs {
    /// Let put and get replace existing files.
    #[arg(long)]
    overwrite: bool,
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> ExitCode {
    cli::quiet_on_closed_pipe();
    cli::exit_code(match Args::parse().role {
        Role::Server(args) => match args.action {
            Some(ServerAction::AddUser { name, users }) => add_user(&name, &users),
            None => serve(args),
        },
        Role::Put(args) => put(args),
        Role::Get(args) => get(args),
        Role::Ls(args) => ls(args),
        Role::Client(args) => shell(args),
    })
}

// ------------------------------------------------------------------ server

fn serve(args: ServerArgs) -> Result<(), Failure> {
    let root = prepare_root(&args.root)?;
    let users = match &args.users {
        Some(path) => Some(Users::load(path).map_err(Failure::usage)?),
        None => None,
    };
    // socket() + bind() + listen(), as ThreadingTCPServer((host, port), ...)
    let listener = args.net.bind_tcp()?;
    let shutdown = Stop::on_ctrl_c()?;
    shutdown.wake_on_trigger(&listener)?;
    cli::announce_listening(listener.local_addr()?);

    let who = match &users {
        Some(users) => format!("users {}", users.names().collect::<Vec<_>>().join(", ")),
        None => "anonymous (no --users)".to_string(),
    };
    let quota = args.quota.map_or("no quota".to_string(), |q| {
        format!("quota {} each", ftp::transfer::human_size(q))
    });
    log!("serving {} to {who}; {quota}", root.display());

    let config = Config {
        root,
        users,
        quota: args.quota,
        idle_timeout: Duration::from_secs(args.idle_timeout),
        login_delay: Duration::from_millis(args.login_delay_ms),
        trace: args.net.trace,
    };
    let ftp = Arc::new(FtpServer::new(config, shutdown.clone()));
    let mut limits = Capacity::max_clients(args.max_clients as usize);
    limits.busy_message = busy_reply(args.max_clients);
    // serve_forever(): a thread per client, at most --max-clients.
    let handler = Arc::clone(&ftp);
    let summary = server::serve(&listener, &shutdown, &limits, move |stream, peer| {
        handler.serve_client(&stream, peer);
    });
    log!("shutting down: {summary}; {}", ftp.stats);
    Ok(())
}

fn prepare_root(root: &Path) -> Result<PathBuf, Failure> {
    std::fs::create_dir_all(root)
        .and_then(|()| root.canonicalize())
        .map_err(|e| {
            Failure::runtime(format!(
                "cannot use {} as the root: {}",
                root.display(),
                cli::describe(&e)
            ))
        })
}

/// The refusal for a client over --max-clients, as a reply frame, so a
/// client of this protocol reads it like any other error.
fn busy_reply(max_clients: u32) -> Vec<u8> {
    let reply = Reply::error(format!(
        "server busy: {max_clients} clients already connected, try again later"
    ));
    let mut frame = Vec::new();
    common::wire::write_json_header(&mut frame, &reply)
        .expect("a small reply serializes into a Vec");
    frame
}

fn add_user(name: &str, users: &Path) -> Result<(), Failure> {
    accounts::validate_user(name).map_err(Failure::usage)?;
    let password = new_password(name)?;
    let new = accounts::add_user(users, name, &password).map_err(Failure::runtime)?;
    let what = if new {
        "added"
    } else {
        "changed the password of"
    };
    println!("{what} {name} in {}", users.display());
    Ok(())
}

/// A new password: FTP_PASSWORD, or typed twice on a terminal, or the
/// first line of a pipe.
fn new_password(name: &str) -> Result<String, Failure> {
    if let Ok(password) = std::env::var("FTP_PASSWORD") {
        return Ok(password);
    }
    if io::stdin().is_terminal() {
        let first = read_hidden(&format!("new password for {name}: "))?;
        let again = read_hidden("again: ")?;
        if first != again {
            return Err(Failure::usage("the two passwords differ"));
        }
        return Ok(first);
    }
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Reads a line from the terminal with its echo off.
fn read_hidden(prompt: &str) -> Result<String, Failure> {
    use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
    eprint!("{prompt}");
    let stdin = io::stdin();
    let saved = tcgetattr(&stdin).map_err(|e| Failure::runtime(format!("terminal: {e}")))?;
    let mut quiet = saved.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    let _ = tcsetattr(&stdin, SetArg::TCSANOW, &quiet);
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    let _ = tcsetattr(&stdin, SetArg::TCSANOW, &saved);
    eprintln!();
    read?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

// ------------------------------------------------------------------ client

/// `socket()` + `connect()`, then the login if `--user` was given.
fn connect(args: &ClientArgs) -> Result<Connection, Failure> {
    let password = match &args.user {
        Some(user) => Some(login_password(user)?),
        None => None,
    };
    if !(args.reply_wait.is_finite() && args.reply_wait > 0.0) {
        return Err(Failure::usage(
            "--reply-wait takes a positive number of seconds",
        ));
    }
    let timeout = Duration::from_secs(args.timeout);
    let stream = args.net.connect_tcp(timeout)?;
    let options = Options {
        timeout,
        reply_wait: Duration::from_secs_f64(args.reply_wait),
        trace: args.net.trace,
    };
    let mut conn = Connection::new(stream, options)?;
    if let (Some(user), Some(password)) = (&args.user, password) {
        conn.login(user, &password).map_err(failure)?;
    }
    Ok(conn)
}

fn login_password(user: &str) -> Result<String, Failure> {
    if let Ok(password) = std::env::var("FTP_PASSWORD") {
        return Ok(password);
    }
    if io::stdin().is_terminal() {
        return read_hidden(&format!("password for {user}: "));
    }
    Err(Failure::usage(
        "--user needs a password: set FTP_PASSWORD, or run on a terminal to be asked",
    ))
}

fn failure(e: ClientError) -> Failure {
    Failure::runtime(e.to_string())
}

fn put(args: PutArgs) -> Result<(), Failure> {
    let name = remote_name(&args.file, args.name.as_deref())?;
    let mut conn = connect(&args.client)?;
    let report = conn
        .put(&args.file, &name, args.overwrite)
        .map_err(failure)?;
    print_put(&report);
    conn.quit();
    Ok(())
}

/// The name a file is stored under: `--as`, or its own name, like the
/// lesson's `os.path.basename(filename)`.
fn remote_name(file: &Path, name: Option<&str>) -> Result<String, Failure> {
    if let Some(name) = name {
        return Ok(name.to_string());
    }
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Failure::usage(format!("{} names no file", file.display())))
}

fn print_put(report: &PutReport) {
    let resumed = if report.offset > 0 {
        format!(" (resumed at byte {})", report.offset)
    } else {
        String::new()
    };
    println!(
        "put {}: {}{resumed}, md5 {}",
        report.name, report.rate, report.md5
    );
    match &report.confirmation {
        Some(message) => println!("server: {message}"),
        None => eprintln!(
            "warning: the server sent no confirmation: all {} bytes were sent, but it did not \
             say it checked and stored them (the lesson's server never answers)",
            report.size
        ),
    }
}

fn get(args: GetArgs) -> Result<(), Failure> {
    let local = local_target(&args.name, args.output.as_deref());
    let mut conn = connect(&args.client)?;
    let report = conn
        .get(&args.name, &local, args.overwrite)
        .map_err(failure)?;
    print_get(&args.name, &report);
    conn.quit();
    Ok(())
}

/// `-o PATH`, `PATH/NAME` when PATH is a directory, or NAME here.
fn local_target(name: &str, output: Option<&Path>) -> PathBuf {
    match output {
        Some(dir) if dir.is_dir() => dir.join(name),
        Some(path) => path.to_path_buf(),
        None => PathBuf::from(name),
    }
}

fn print_get(name: &str, report: &GetReport) {
    let resumed = if report.offset > 0 {
        format!(" (resumed at byte {})", report.offset)
    } else {
        String::new()
    };
    println!(
        "get {name} -> {}: {}{resumed}, md5 {} verified",
        report.path.display(),
        report.rate,
        report.md5
    );
}

fn ls(args: LsArgs) -> Result<(), Failure> {
    let mut conn = connect(&args.client)?;
    let listing = conn.ls(args.dir.as_deref()).map_err(failure)?;
    print_listing(&listing.0, &listing.1);
    conn.quit();
    Ok(())
}

fn print_listing(dir: &str, entries: &[ftp::protocol::Entry]) {
    println!(
        "{dir} ({})",
        common::show::count(entries.len() as u64, "entry", "entries")
    );
    let mut table = Table::new(&[]);
    for entry in entries {
        let (kind, size, name) = match entry.kind {
            EntryKind::Dir => ("dir", "-".to_string(), format!("{}/", entry.name)),
            EntryKind::File => ("file", entry.size.to_string(), entry.name.clone()),
            EntryKind::Link => (
                "link",
                "-".to_string(),
                format!("{} (not followed)", entry.name),
            ),
            EntryKind::Partial => (
                "partial",
                entry.size.to_string(),
                format!("{} (unfinished upload: put it again to resume)", entry.name),
            ),
        };
        table.row([
            kind.to_string(),
            size,
            common::show::printable_text(name.as_bytes()),
        ]);
    }
    print!("{}", table.render("  "));
}

// ------------------------------------------------------------------- shell

const SHELL_HELP: &str = "commands:
  put FILE [NAME]   upload FILE (as NAME); an interrupted upload resumes
  get NAME [PATH]   download NAME (to PATH); an interrupted download resumes
  ls [DIR]          list a directory (default: the current one)
  cd DIR            change directory (/ is the top of your home)
  pwd               show the current directory
  mkdir DIR         create a directory
  help              this list
  quit              leave";

/// `ftp client`: the lesson client's `>>: ` loop, with every command.
fn shell(args: ShellArgs) -> Result<(), Failure> {
    let mut conn = connect(&args.client)?;
    let input = LineInput::stdin();
    if io::stdin().is_terminal() {
        println!("connected; `help` lists the commands");
    }
    while let Line::Text(line) = input.next(">>: ") {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some((&command, rest)) = words.split_first() else {
            continue;
        };
        let result = match (command, rest) {
            ("quit" | "exit", _) => break,
            ("help", _) => {
                println!("{SHELL_HELP}");
                Ok(())
            }
            ("put", [file, name @ ..]) if name.len() <= 1 => {
                let file = Path::new(file);
                remote_name(file, name.first().copied())
                    .map_err(|f| ClientError::Local(f.message))
                    .and_then(|name| conn.put(file, &name, args.overwrite))
                    .map(|report| print_put(&report))
            }
            ("get", [name, path @ ..]) if path.len() <= 1 => {
                let local = local_target(name, path.first().map(Path::new));
                conn.get(name, &local, args.overwrite)
                    .map(|report| print_get(name, &report))
            }
            ("ls", [] | [_]) => conn
                .ls(rest.first().copied())
                .map(|(dir, entries)| print_listing(&dir, &entries)),
            ("cd", [dir]) => conn.cd(dir).map(|cwd| println!("{cwd}")),
            ("pwd", []) => conn.pwd().map(|cwd| println!("{cwd}")),
            ("mkdir", [dir]) => conn.mkdir(dir).map(|message| println!("{message}")),
            ("put" | "get" | "ls" | "cd" | "pwd" | "mkdir", _) => Err(ClientError::Local(format!(
                "usage: see `help` ({command} got {} argument(s))",
                rest.len()
            ))),
            _ => Err(ClientError::Local(format!(
                "unknown command `{command}`; `help` lists them"
            ))),
        };
        if let Err(e) = result {
            if e.is_fatal() {
                return Err(failure(e));
            }
            eprintln!("error: {e}");
        }
        let _ = io::stdout().flush();
    }
    conn.quit();
    Ok(())
}
