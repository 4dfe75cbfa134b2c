//! The client's one-shot commands, `ftp put FILE`, `ftp get NAME` and
//! `ftp ls`: the lesson's `MyClient` (connect, then `put`), each over one
//! connection, with the lines they print. The shell (`shell.rs`) runs the
//! same commands on one connection.

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::show::Table;
use ftp::client::{open_local, ClientError, Connection, GetReport, Options, PutReport};
use ftp::protocol::{Entry, EntryKind};
use harness::cli::Failure;

use crate::args::{ClientArgs, GetArgs, LsArgs, PutArgs};
use crate::passwords::login_password;

/// `socket()` + `connect()`, then the login if `--user` was given.
pub fn connect(args: &ClientArgs) -> Result<Connection, Failure> {
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
        digest: args.digest.into(),
        trace: args.net.trace,
    };
    let mut conn = Connection::new(stream, options)?;
    if let (Some(user), Some(password)) = (&args.user, password) {
        conn.login(user, &password).map_err(failure)?;
    }
    Ok(conn)
}

pub fn failure(e: ClientError) -> Failure {
    Failure::runtime(e.to_string())
}

pub fn put(args: PutArgs) -> Result<(), Failure> {
    let name = remote_name(&args.file, args.name.as_deref())?;
    // A file that is not there is this side's mistake: said before connecting.
    open_local(&args.file).map_err(failure)?;
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
pub fn remote_name(file: &Path, name: Option<&str>) -> Result<String, Failure> {
    if let Some(name) = name {
        return Ok(name.to_string());
    }
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Failure::usage(format!("{} names no file", file.display())))
}

pub fn print_put(report: &PutReport) {
    println!(
        "put {}: {}{}, {} {}",
        report.name,
        report.rate,
        resumed(report.offset),
        report.digest,
        report.hex
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

pub fn get(args: GetArgs) -> Result<(), Failure> {
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
pub fn local_target(name: &str, output: Option<&Path>) -> PathBuf {
    match output {
        Some(dir) if dir.is_dir() => dir.join(name),
        Some(path) => path.to_path_buf(),
        None => PathBuf::from(name),
    }
}

pub fn print_get(name: &str, report: &GetReport) {
    println!(
        "get {name} -> {}: {}{}, {} {} verified",
        report.path.display(),
        report.rate,
        resumed(report.offset),
        report.digest,
        report.hex
    );
}

/// ` (resumed at byte N)` after a transfer that went on from N, else nothing.
fn resumed(offset: u64) -> String {
    if offset > 0 {
        format!(" (resumed at byte {offset})")
    } else {
        String::new()
    }
}

pub fn ls(args: LsArgs) -> Result<(), Failure> {
    let mut conn = connect(&args.client)?;
    let listing = conn.ls(args.dir.as_deref()).map_err(failure)?;
    print_listing(&listing.0, &listing.1);
    conn.quit();
    Ok(())
}

pub fn print_listing(dir: &str, entries: &[Entry]) {
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
