//! Lines typed by a person, or piped in by a script.
//!
//! On a terminal each line is asked for with a prompt (`>>: `); from a pipe
//! the lines are read one by one with no prompt, so
//! `printf 'hello\nquit\n' | tcp_client` works.
//!
//! The reading happens on a thread of its own, so a server waiting for its
//! operator to type a reply can still be interrupted by Ctrl-C: see
//! [`LineInput::interrupter`].

use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

/// The line that ends a client's input loop ([`LineInput::until_quit`]).
pub const QUIT: &str = "quit";

/// What [`LineInput::next`] got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A line, with surrounding whitespace trimmed as the lessons' `strip()`.
    Text(String),
    /// Standard input is closed (Ctrl-D, or the end of a pipe).
    End,
    /// Someone called the [`LineInput::interrupter`] (Ctrl-C).
    Interrupted,
}

/// Reads standard input line by line, on request.
#[derive(Debug)]
pub struct LineInput {
    requests: Sender<&'static str>,
    lines: Receiver<Line>,
    interrupt: Sender<Line>,
}

impl LineInput {
    /// Starts the reader thread for standard input.
    pub fn stdin() -> Self {
        let (requests, asked) = mpsc::channel::<&'static str>();
        let (reply, lines) = mpsc::channel();
        let interrupt = reply.clone();
        let interactive = io::stdin().is_terminal();
        thread::Builder::new()
            .name("stdin".into())
            .spawn(move || {
                // One line per request, so a prompt appears only when a line
                // is actually wanted.
                for prompt in asked {
                    let line = read_line(prompt, interactive);
                    let ended = line == Line::End;
                    if reply.send(line).is_err() || ended {
                        break;
                    }
                }
            })
            .expect("spawning the stdin reader thread");
        LineInput {
            requests,
            lines,
            interrupt,
        }
    }

    /// Asks for the next line, showing `prompt` when standard input is a
    /// terminal, and waits for it (or for an interruption).
    pub fn next(&self, prompt: &'static str) -> Line {
        if self.requests.send(prompt).is_err() {
            return Line::End; // the reader has seen the end of input
        }
        self.lines.recv().unwrap_or(Line::End)
    }

    /// The lessons' input loop, `while True: msg = input('>>: ').strip()`,
    /// with its ways out: each line typed (or piped), until `quit`, Ctrl-D,
    /// the end of a pipe, or Ctrl-C. Empty lines are handed over too: a
    /// TCP client skips them (`send(b'')` sends nothing), a UDP client may
    /// send one (an empty datagram is a datagram).
    pub fn until_quit(&self, prompt: &'static str) -> impl Iterator<Item = String> + '_ {
        std::iter::from_fn(move || match self.next(prompt) {
            Line::Text(line) if line != QUIT => Some(line),
            _ => None,
        })
    }

    /// A function that makes a waiting [`next`](Self::next) return
    /// [`Line::Interrupted`]; give it to [`Stop::on_trigger`](crate::stop::Stop::on_trigger).
    pub fn interrupter(&self) -> impl Fn() + Send + Sync + 'static {
        let interrupt = self.interrupt.clone();
        move || {
            let _ = interrupt.send(Line::Interrupted);
        }
    }
}

fn read_line(prompt: &str, interactive: bool) -> Line {
    if interactive {
        let mut out = io::stdout().lock();
        let _ = out.write_all(prompt.as_bytes());
        let _ = out.flush();
    }
    // Bytes, not `read_line`: a line that is not UTF-8 is shown lossily
    // rather than ending the input.
    let mut line = Vec::new();
    match io::stdin().lock().read_until(b'\n', &mut line) {
        Ok(0) | Err(_) => Line::End,
        Ok(_) => Line::Text(String::from_utf8_lossy(&line).trim().to_string()),
    }
}
