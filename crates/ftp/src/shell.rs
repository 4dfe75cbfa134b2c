//! `ftp client`: the lesson client's `>>: ` loop (`MyClient.run`), with
//! every command on one connection, `help` and `quit`.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use ftp::client::ClientError;
use harness::cli::Failure;
use harness::input::LineInput;

use crate::args::ShellArgs;
use crate::commands::{
    connect, failure, local_target, print_get, print_listing, print_put, remote_name,
};

const SHELL_HELP: &str = "commands:
  put FILE [NAME]   upload FILE (as NAME); an interrupted upload resumes
  get NAME [PATH]   download NAME (to PATH); an interrupted download resumes
  ls [DIR]          list a directory (default: the current one)
  cd DIR            change directory (/ is the top of your home)
  pwd               show the current directory
  mkdir DIR         create a directory
  help              this list
  quit              leave";

/// `inp = input('>>: ').strip()`, `cmd = inp.split()[0]`, then the command,
/// until `quit` (or `exit`), the end of input or Ctrl-C. An error in a
/// command is printed and the loop goes on, unless the connection is lost.
pub fn shell(args: ShellArgs) -> Result<(), Failure> {
    let mut conn = connect(&args.client)?;
    let input = LineInput::stdin();
    if io::stdin().is_terminal() {
        println!("connected; `help` lists the commands");
    }
    for line in input.until_quit(">>: ") {
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
