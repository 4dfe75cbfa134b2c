//! `ftp client`: the lesson client's `>>: ` loop (`MyClient.run`), with
//! every command on one connection, `help` and `quit`.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use ftp::client::{ClientError, Connection};
use harness::cli::Failure;
use harness::input::LineInput;

use crate::args::ShellArgs;
use crate::commands::{
    connect, failure, local_target, print_get, print_listing, print_put, remote_name,
};

const SHELL_HELP: &str = "commands:
  put FILE [NAME] [--overwrite]
                    upload FILE (as NAME); an interrupted upload resumes
  get NAME [PATH] [--overwrite]
                    download NAME (to PATH); an interrupted download resumes
  ls [DIR]          list a directory (default: the current one)
  cd DIR            change directory (/ is the top of your home)
  pwd               show the current directory
  mkdir DIR         create a directory
  help              this list
  quit              leave
a name with spaces, or one that starts with -, goes in quotes ('-a b.txt')
or after --";

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
        let result = split_words(&line).and_then(|words| {
            let Some((command, rest)) = words.split_first() else {
                return Ok(Step::Next);
            };
            run_command(&mut conn, &command.text, rest, args.overwrite)
        });
        match result {
            Ok(Step::Quit) => break,
            Ok(Step::Next) => {}
            Err(e) if e.is_fatal() => return Err(failure(e)),
            Err(e) => eprintln!("error: {e}"),
        }
        let _ = io::stdout().flush();
    }
    conn.quit();
    Ok(())
}

/// What the loop does after a command.
enum Step {
    Next,
    Quit,
}

/// One command of the shell, its words already split.
fn run_command(
    conn: &mut Connection,
    command: &str,
    rest: &[Word],
    overwrite_all: bool,
) -> Result<Step, ClientError> {
    let takes_overwrite = matches!(command, "put" | "get");
    let (operands, overwrite) = operands(command, rest, takes_overwrite)?;
    let overwrite = overwrite_all || overwrite;
    match (command, operands.as_slice()) {
        ("quit" | "exit", _) => return Ok(Step::Quit),
        ("help", _) => println!("{SHELL_HELP}"),
        ("put", [file, name @ ..]) if name.len() <= 1 => {
            let file = Path::new(file);
            let name = remote_name(file, name.first().copied())
                .map_err(|f| ClientError::Local(f.message))?;
            print_put(&conn.put(file, &name, overwrite)?);
        }
        ("get", [name, path @ ..]) if path.len() <= 1 => {
            let local = local_target(name, path.first().map(Path::new));
            print_get(name, &conn.get(name, &local, overwrite)?);
        }
        ("ls", [] | [_]) => {
            let (dir, entries) = conn.ls(operands.first().copied())?;
            print_listing(&dir, &entries);
        }
        ("cd", [dir]) => println!("{}", conn.cd(dir)?),
        ("pwd", []) => println!("{}", conn.pwd()?),
        ("mkdir", [dir]) => println!("{}", conn.mkdir(dir)?),
        ("put" | "get" | "ls" | "cd" | "pwd" | "mkdir", _) => {
            return Err(ClientError::Local(format!(
                "usage: see `help` ({command} got {} argument(s))",
                operands.len()
            )))
        }
        _ => {
            return Err(ClientError::Local(format!(
                "unknown command `{command}`; `help` lists them"
            )))
        }
    }
    Ok(Step::Next)
}

/// A word of a shell line, and whether any of it was in quotes: a quoted
/// word is always a name, never an option.
#[derive(Debug, PartialEq)]
struct Word {
    text: String,
    quoted: bool,
}

/// The lesson's `inp.split()`, plus quotes: `'...'` or `"..."` keeps spaces
/// and a leading `-` inside one word, as a shell does (no escapes).
fn split_words(line: &str) -> Result<Vec<Word>, ClientError> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(words);
        }
        let mut word = Word {
            text: String::new(),
            quoted: false,
        };
        while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
            if c == '\'' || c == '"' {
                word.quoted = true;
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some(inside) => word.text.push(inside),
                        None => {
                            return Err(ClientError::Local(format!("a {c} that is not closed")))
                        }
                    }
                }
            } else {
                word.text.push(c);
            }
        }
        words.push(word);
    }
}

/// A command's names, and whether `--overwrite` was among its words (where
/// it `takes_overwrite`): `--` ends the options; any other unquoted word
/// starting with `-` is refused, so `put --overwrite a.txt` never stores a
/// file named `--overwrite`.
fn operands<'a>(
    command: &str,
    words: &'a [Word],
    takes_overwrite: bool,
) -> Result<(Vec<&'a str>, bool), ClientError> {
    let (mut names, mut overwrite, mut options_end) = (Vec::new(), false, false);
    for word in words {
        let text = word.text.as_str();
        if word.quoted || options_end || !text.starts_with('-') || text == "-" {
            names.push(text);
        } else if text == "--" {
            options_end = true;
        } else if text == "--overwrite" && takes_overwrite {
            overwrite = true;
        } else {
            let known = if takes_overwrite {
                "--overwrite"
            } else {
                "none"
            };
            return Err(ClientError::Local(format!(
                "{command}: unknown option `{text}` (options: {known}); a name that \
                 starts with - goes in quotes or after --"
            )));
        }
    }
    Ok((names, overwrite))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<(String, bool)> {
        split_words(line)
            .expect("a line that splits")
            .into_iter()
            .map(|w| (w.text, w.quoted))
            .collect()
    }

    #[test]
    fn words_split_on_spaces_and_keep_quoted_ones_whole() {
        let word = |t: &str, q: bool| (t.to_string(), q);
        assert_eq!(
            texts("  put  a.txt\tb "),
            [word("put", false), word("a.txt", false), word("b", false)]
        );
        assert_eq!(
            texts("put 'my notes.txt' \"-x\""),
            [
                word("put", false),
                word("my notes.txt", true),
                word("-x", true)
            ]
        );
        assert_eq!(
            texts("put a'b c'd ''"),
            [word("put", false), word("ab cd", true), word("", true)]
        );
        assert_eq!(texts(""), []);
        let open = split_words("put 'a.txt").expect_err("an open quote");
        assert!(
            open.to_string().contains("a ' that is not closed"),
            "{open}"
        );
    }

    #[test]
    fn overwrite_is_an_option_anywhere_and_other_dashes_are_refused() {
        let parse = |line: &str, takes: bool| {
            let words = split_words(line).expect("splits");
            operands("put", &words, takes)
                .map(|(names, o)| (names.into_iter().map(str::to_string).collect::<Vec<_>>(), o))
        };
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse("a.txt --overwrite", true).expect("ok"),
            (names(&["a.txt"]), true)
        );
        assert_eq!(
            parse("--overwrite a.txt b", true).expect("ok"),
            (names(&["a.txt", "b"]), true)
        );
        assert_eq!(
            parse("a.txt", true).expect("ok"),
            (names(&["a.txt"]), false)
        );
        assert_eq!(
            parse("-- --overwrite -x", true).expect("ok"),
            (names(&["--overwrite", "-x"]), false)
        );
        assert_eq!(
            parse("'-x' \"--overwrite\"", true).expect("ok"),
            (names(&["-x", "--overwrite"]), false)
        );
        assert_eq!(parse("-", true).expect("ok"), (names(&["-"]), false));
        for bad in ["-x a.txt", "a.txt --force", "--overwrite=yes a"] {
            let e = parse(bad, true).expect_err(bad).to_string();
            assert!(
                e.contains("unknown option") && e.contains("quotes or after --"),
                "{bad}: {e}"
            );
        }
        let e = parse("--overwrite", false)
            .expect_err("cd takes no option")
            .to_string();
        assert!(e.contains("options: none"), "{e}");
    }
}
