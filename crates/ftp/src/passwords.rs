//! Passwords, read so they are not seen: from FTP_PASSWORD, from a
//! terminal with its echo off, or from a pipe's first line; and
//! `ftp server add-user`, which stores one in the accounts file.

use std::io::{self, BufRead, IsTerminal};
use std::path::Path;

use ftp::accounts;
use harness::cli::Failure;

/// `ftp server add-user NAME`: a new user, or a new password for one.
pub fn add_user(name: &str, users: &Path) -> Result<(), Failure> {
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

/// The password for `--user`: FTP_PASSWORD, or typed on a terminal.
pub fn login_password(user: &str) -> Result<String, Failure> {
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
