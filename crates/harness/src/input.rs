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
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Set once [`Line::End`] has been handed out: the reader thread is
    /// gone, and a request sent before it noticed would wait forever (the
    /// interrupter keeps the reply channel open).
    ended: AtomicBool,
}

impl LineInput {
    /// Starts the reader thread for standard input.
    pub fn stdin() -> Self {
        Self::reading(io::stdin().is_terminal(), |line| {
            io::stdin().lock().read_until(b'\n', line)
        })
    }

    /// Starts the reader thread; `read_until_newline` appends one line
    /// (with its `\n`) and returns how many bytes it read, 0 at the end.
    fn reading(
        interactive: bool,
        mut read_until_newline: impl FnMut(&mut Vec<u8>) -> io::Result<usize> + Send + 'static,
    ) -> Self {
        let (requests, asked) = mpsc::channel::<&'static str>();
        let (reply, lines) = mpsc::channel();
        let interrupt = reply.clone();
        thread::Builder::new()
            .name("stdin".into())
            .spawn(move || {
                // One line per request, so a prompt appears only when a line
                // is actually wanted.
                for prompt in asked {
                    let line = read_line(prompt, interactive, &mut read_until_newline);
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
            ended: AtomicBool::new(false),
        }
    }

    /// Asks for the next line, showing `prompt` when standard input is a
    /// terminal, and waits for it (or for an interruption).
    pub fn next(&self, prompt: &'static str) -> Line {
        if self.ended.load(Ordering::Relaxed) || self.requests.send(prompt).is_err() {
            return Line::End; // the reader has seen the end of input
        }
        let line = self.lines.recv().unwrap_or(Line::End);
        if line == Line::End {
            self.ended.store(true, Ordering::Relaxed);
        }
        line
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

fn read_line(
    prompt: &str,
    interactive: bool,
    read_until_newline: &mut impl FnMut(&mut Vec<u8>) -> io::Result<usize>,
) -> Line {
    if interactive {
        let mut out = io::stdout().lock();
        let _ = out.write_all(prompt.as_bytes());
        let _ = out.flush();
    }
    // Bytes, not `read_line`: a line that is not UTF-8 is shown lossily
    // rather than ending the input.
    let mut line = Vec::new();
    match read_until_newline(&mut line) {
        Ok(0) | Err(_) => Line::End,
        Ok(_) => Line::Text(String::from_utf8_lossy(&line).trim().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piped(text: &'static str) -> LineInput {
        let mut source = io::Cursor::new(text.as_bytes());
        LineInput::reading(false, move |line| source.read_until(b'\n', line))
    }

    #[test]
    fn lines_are_trimmed_and_quit_ends_the_loop() {
        let input = piped(" hello \n\nquit\nafter\n");
        let got: Vec<String> = input.until_quit(">>: ").collect();
        assert_eq!(got, ["hello", ""]);
        assert_eq!(input.next(">>: "), Line::Text("after".into()));
        assert_eq!(input.next(">>: "), Line::End);
    }

    #[test]
    fn every_request_after_the_end_is_the_end_and_none_waits() {
        // The reader thread exits after handing out the end; a request sent
        // before it has gone used to wait forever (the udp_qq client hung
        // at "contact: " once its piped input ran out).
        for _ in 0..200 {
            let input = piped("a\n");
            assert_eq!(input.next(""), Line::Text("a".into()));
            for _ in 0..3 {
                assert_eq!(input.next(""), Line::End);
            }
            assert_eq!(input.until_quit("").count(), 0);
        }
    }

    #[test]
    fn an_interruption_ends_a_wait_for_a_line() {
        let (_keep, never) = mpsc::channel::<()>();
        let input = LineInput::reading(false, move |_line| {
            let _ = never.recv(); // a person who never types
            Ok(0)
        });
        input.interrupter()();
        assert_eq!(input.next(""), Line::Interrupted);
    }
}
