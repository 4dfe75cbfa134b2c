//! The tables `sticky_demo` prints, built from a [`Record`] once the
//! exchange is over: one row per call (`send(b'hello')  5 bytes`,
//! `recv(1024) → b'helloworldegon'  14 bytes`), a title naming the case
//! and the mode, and one line on why it came out so.

use std::io::{self, Write};

use common::show::{byte_count, python_bytes, python_bytes_cut, Table};
use common::wire::PREFIX_LEN;

use crate::args::{Case, Mode};
use crate::record::{Received, Record};

/// How many bytes of one received message a table row shows.
const SHOWN: usize = 64;

/// One line of a table: what was called, and what came of it.
type Step = [String; 2];

fn step(call: impl Into<String>, result: impl Into<String>) -> Step {
    [call.into(), result.into()]
}

/// Sender and receiver side by side, then the one line on why.
pub fn print_exchange(mode: Mode, case: Case, record: &Record) {
    let sent = sent_steps(mode, &record.sent);
    let received = received_steps(case, &record.received);
    let mut table = Table::new(&["sender", "", "receiver", ""]);
    for i in 0..sent.len().max(received.len()) {
        let mut row: Vec<String> = sent.get(i).cloned().unwrap_or_default().into();
        row.extend(received.get(i).cloned().unwrap_or_default());
        table.row(row);
    }
    println!("{}", title(mode, case));
    print!("{}", table.render("  "));
    println!("  why: {}\n", why(mode, case));
}

/// `sticky_demo client`'s table: the sender's side alone.
pub fn print_sender(mode: Mode, case: Case, sent: &[&[u8]]) {
    print_side("sender", mode, case, &sent_steps(mode, sent));
}

/// `sticky_demo server`'s table: the receiver's side alone.
pub fn print_receiver(mode: Mode, case: Case, received: &[Received]) {
    print_side("receiver", mode, case, &received_steps(case, received));
}

/// One side's steps, then the one line on why.
fn print_side(heading: &str, mode: Mode, case: Case, steps: &[Step]) {
    let mut table = Table::new(&[heading, ""]);
    for s in steps {
        table.row(s.clone());
    }
    println!("{}", title(mode, case));
    print!("{}", table.render("  "));
    println!("  why: {}", why(mode, case));
    let _ = io::stdout().flush();
}

/// A row per message sent, named as the call that sent it in `mode`.
fn sent_steps(mode: Mode, sent: &[&[u8]]) -> Vec<Step> {
    sent.iter()
        .map(|message| match mode {
            Mode::Raw => step(
                format!("send({})", python_bytes(message)),
                byte_count(message.len()),
            ),
            Mode::Framed => step(
                format!("write_frame({})", python_bytes(message)),
                format!("{PREFIX_LEN} + {}", byte_count(message.len())),
            ),
            Mode::Udp => step(
                format!("sendto({})", python_bytes(message)),
                byte_count(message.len()),
            ),
        })
        .collect()
}

/// A row per call of the receiver. A look for a further datagram says
/// what became of the bytes the datagram before it lost.
fn received_steps(case: Case, received: &[Received]) -> Vec<Step> {
    let mut lost = 0;
    let mut steps = Vec::new();
    for call in received {
        steps.push(match call {
            Received::Partial {
                waited,
                buffered,
                expected,
            } => step(
                format!(
                    "(after {} s, {buffered} of the {expected} bytes had arrived)",
                    waited.as_secs()
                ),
                "",
            ),
            Received::Recv { size, bytes } => {
                let note = if bytes.is_empty() {
                    ": the sender has closed"
                } else {
                    ""
                };
                step(
                    format!("recv({size}) → {}", python_bytes_cut(bytes, SHOWN)),
                    format!("{}{note}", byte_count(bytes.len())),
                )
            }
            Received::Left(left) if left.is_empty() => continue,
            Received::Left(left) => step(
                format!("still in the buffer: {}", python_bytes_cut(left, SHOWN)),
                format!("{}, for the next recv", byte_count(left.len())),
            ),
            Received::Frame { message, reads } => {
                let mut result = byte_count(message.len());
                if case == Case::Two {
                    result += &format!(", from recvs of {}", pieces(reads));
                }
                step(
                    format!("read_frame → {}", python_bytes_cut(message, SHOWN)),
                    result,
                )
            }
            Received::End => step("read_frame → end of stream", "the sender has closed"),
            Received::FrameLimit(frames) => step(format!("(stopped after {frames} frames)"), ""),
            Received::RecvFrom {
                size,
                bytes,
                datagram,
            } => {
                let n = bytes.len();
                lost = datagram.saturating_sub(n);
                let result = if lost > 0 {
                    format!(
                        "{n} of a {datagram}-byte datagram: {} lost",
                        byte_count(lost)
                    )
                } else {
                    byte_count(n)
                };
                step(
                    format!("recvfrom({size}) → {}", python_bytes_cut(bytes, SHOWN)),
                    result,
                )
            }
            Received::Stopped => step("(stopped by Ctrl-C)", ""),
            Received::Waiting {
                size,
                datagram: None,
            } if lost > 0 => step(
                format!("recvfrom({size}) → nothing waiting"),
                format!("the other {} went with the datagram", byte_count(lost)),
            ),
            Received::Waiting {
                size,
                datagram: None,
            } => step(
                format!("recvfrom({size}) → nothing waiting"),
                "no other datagram was sent",
            ),
            Received::Waiting {
                size,
                datagram: Some(n),
            } => step(
                format!("recvfrom({size}) → the next datagram ({})", byte_count(*n)),
                "a new message, not the rest of the first",
            ),
        });
    }
    steps
}

/// The sizes of the `recv`s behind one frame, the prefix's apart:
/// `1+3 (length), then 1+5+1+5+1+1 (message)`.
fn pieces(reads: &[usize]) -> String {
    let mut total = 0;
    let split = reads
        .iter()
        .position(|&n| {
            total += n;
            total >= PREFIX_LEN
        })
        .map_or(reads.len(), |i| i + 1);
    let join = |part: &[usize]| {
        part.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("+")
    };
    format!(
        "{} bytes (length), then {} (message)",
        join(&reads[..split]),
        join(&reads[split..])
    )
}

fn title(mode: Mode, case: Case) -> String {
    let (number, what) = match case {
        Case::One => ("1 (情形一)", "three quick sends"),
        Case::Two => ("2 (情形二)", "one send, small receives"),
    };
    let how = match mode {
        Mode::Raw => "plain TCP, as in the lesson",
        Mode::Framed => "TCP with a 4-byte length prefix (the fix)",
        Mode::Udp => "UDP datagrams",
    };
    format!("case {number}: {what}, over {how}")
}

fn why(mode: Mode, case: Case) -> &'static str {
    match (mode, case) {
        (Mode::Raw, Case::One) => {
            "TCP is a byte stream: the three sends lay together in the receive buffer, \
             and one recv(1024) takes all that is there, up to 1024 bytes."
        }
        (Mode::Raw, Case::Two) => {
            "recv(n) takes at most n bytes of the stream and leaves the rest for the next \
             recv, so a message can be cut anywhere."
        }
        (Mode::Framed, Case::One) => {
            "each message goes out as its 4-byte length, then its bytes; read_frame reads \
             the length, then exactly that many bytes, so every message comes out whole."
        }
        (Mode::Framed, Case::Two) => {
            "read_frame keeps calling recv until it has the whole message, however few \
             bytes each recv returns (here the lesson's 1, 5, 1, ...)."
        }
        (Mode::Udp, Case::One) => {
            "UDP keeps message boundaries: each sendto is one datagram, and each \
             recvfrom returns exactly one."
        }
        (Mode::Udp, Case::Two) => {
            "a datagram is taken by one recvfrom: what does not fit its buffer is \
             thrown away, not kept for the next call."
        }
    }
}
