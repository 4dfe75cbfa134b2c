//! The command line of `ftp`: a role (`server`, `put`, `get`, `ls`,
//! `client`) and its options, as the design card's `ftp server`,
//! `ftp put FILE`, `ftp get NAME`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use ftp::protocol::DEFAULT_PORT;
use ftp::transfer::{parse_size, Digest};
use harness::cli::NetArgs;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Lesson: file transfer (FTP-style upload, 文件上传下载). A 4-byte length, a JSON \
             header {cmd, file_name, file_size, md5}, then the raw bytes; the server checks \
             size and digest before the file gets its name (BLAKE3 between two ftp ends, \
             the lesson's md5 with everyone else, or always with --digest md5).",
    after_help = "Examples (two terminals):\n  \
        ftp server --root /tmp/ftp_root             # anonymous, 127.0.0.1:8089\n  \
        ftp put notes.pdf                            # upload (resumes if interrupted)\n  \
        ftp ls\n  \
        ftp get notes.pdf -o copy.pdf                # download, digest checked\n  \
        ftp put notes.pdf --digest md5               # the lesson's md5, not BLAKE3\n  \
        ftp client                                   # a shell: >>: put, get, ls, cd, ...\n\n  \
        ftp server add-user alice --users users.txt  # accounts (asks for a password)\n  \
        ftp server --users users.txt --quota 100M\n  \
        FTP_PASSWORD=... ftp put notes.pdf --user alice\n\n\
        This is a teaching protocol, not RFC 959 FTP: docs/protocols.md has its bytes.\n"
)]
pub struct Args {
    #[command(subcommand)]
    pub role: Role,
}

#[derive(Debug, Subcommand)]
pub enum Role {
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
pub struct ServerArgs {
    #[command(subcommand)]
    pub action: Option<ServerAction>,

    #[command(flatten)]
    pub net: NetArgs<DEFAULT_PORT>,

    /// The directory served; created if missing. With --users each user
    /// gets ROOT/NAME; without, ROOT is one anonymous area.
    #[arg(long, default_value = "ftp_root", value_name = "DIR")]
    pub root: PathBuf,

    /// The accounts file (NAME:ARGON2-HASH lines, written by add-user).
    /// Without it anyone may connect, without a login.
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,

    /// Most bytes each home may hold (e.g. 500K, 100M, 2G), checked before
    /// an upload's first byte is written.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub quota: Option<u64>,

    /// Most clients served at once, each on its own thread.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_clients: u32,

    /// Close a connection that sends nothing (or reads nothing) for this
    /// many seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,

    /// How long a wrong password waits for its answer, in milliseconds; 3
    /// wrong ones close the connection. Lower it only for tests.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub login_delay_ms: u64,

    /// The digest that checks transfers: blake3 with clients that offer it
    /// (this project's do), md5 with the others (the lesson's programs);
    /// md5 uses the lesson's md5 with every client.
    #[arg(long, value_enum, default_value_t = DigestArg::Blake3)]
    pub digest: DigestArg,
}

/// `--digest`: the strongest digest this end offers or accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DigestArg {
    Blake3,
    Md5,
}

impl From<DigestArg> for Digest {
    fn from(arg: DigestArg) -> Digest {
        match arg {
            DigestArg::Blake3 => Digest::Blake3,
            DigestArg::Md5 => Digest::Md5,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ServerAction {
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
pub struct ClientArgs {
    #[command(flatten)]
    pub net: NetArgs<DEFAULT_PORT>,

    /// Log in as NAME; the password comes from FTP_PASSWORD or a prompt.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,

    /// Give up on connecting, or on an answer the server owes, after this
    /// many seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,

    /// How long put waits for the server's `ready` and its confirmation
    /// before going on without (the lesson's server never sends either).
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    pub reply_wait: f64,

    /// The digest that checks put and get: blake3 when the server agrees
    /// (this project's does; one that does not gets md5); md5 sends the
    /// lesson's md5 and the headers of before blake3 was offered.
    #[arg(long, value_enum, default_value_t = DigestArg::Blake3)]
    pub digest: DigestArg,
}

#[derive(Debug, clap::Args)]
pub struct PutArgs {
    /// The local file.
    pub file: PathBuf,
    /// The name on the server (default: FILE's own name).
    #[arg(long = "as", value_name = "NAME")]
    pub name: Option<String>,
    /// Replace a file of that name on the server.
    #[arg(long)]
    pub overwrite: bool,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Debug, clap::Args)]
pub struct GetArgs {
    /// The file's name on the server.
    pub name: String,
    /// Where to write it (default: NAME in the current directory; a
    /// directory means NAME inside it).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Replace a local file of that name.
    #[arg(long)]
    pub overwrite: bool,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Debug, clap::Args)]
pub struct LsArgs {
    /// The directory (default: the top of your home).
    pub dir: Option<String>,
    #[command(flatten)]
    pub client: ClientArgs,
}

#[derive(Debug, clap::Args)]
pub struct ShellArgs {
    /// Let put and get replace existing files.
    #[arg(long)]
    pub overwrite: bool,
    #[command(flatten)]
    pub client: ClientArgs,
}
