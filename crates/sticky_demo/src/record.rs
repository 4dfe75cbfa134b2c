//! What an exchange did, call by call: the sending and receiving code only
//! records what each call sent or returned, and `report.rs` builds the
//! tables from the record afterwards.

use std::time::Duration;

/// Both ends of one exchange, run in one process.
#[derive(Debug, Default)]
pub struct Record {
    /// What the sender sent: one message per `send`, `write_frame` or
    /// `sendto`, in order.
    pub sent: Vec<&'static [u8]>,
    /// What the receiver's calls returned, in order.
    pub received: Vec<Received>,
}

/// What one call of the receiver returned, or found.
#[derive(Debug)]
pub enum Received {
    /// The wait before the first `recv` ran out after `waited`, with only
    /// `buffered` of the sender's `expected` bytes in the receive buffer.
    Partial {
        waited: Duration,
        buffered: usize,
        expected: usize,
    },
    /// `recv(size)` returned `bytes`; none: the sender had closed.
    Recv { size: usize, bytes: Vec<u8> },
    /// After the last `recv`: what was still in the receive buffer, left
    /// for the next one (taken with `MSG_PEEK`).
    Left(Vec<u8>),
    /// `read_frame` returned `message`, from `recv`s of `reads` bytes each.
    Frame { message: Vec<u8>, reads: Vec<usize> },
    /// `read_frame` found the end of the stream: the sender had closed.
    End,
    /// The receiver stopped after this many frames.
    FrameLimit(usize),
    /// `recvfrom(size)` returned `bytes`, of a datagram of `datagram` bytes.
    RecvFrom {
        size: usize,
        bytes: Vec<u8>,
        datagram: usize,
    },
    /// Ctrl-C ended the wait for a datagram.
    Stopped,
    /// A look, without waiting, for a datagram the next `recvfrom(size)`
    /// would take: `Some(n)`, one of `n` bytes; `None`, nothing waiting.
    Waiting {
        size: usize,
        datagram: Option<usize>,
    },
}
