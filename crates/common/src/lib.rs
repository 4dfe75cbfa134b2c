//! What a lesson's wire protocol needs, and what a student should read.
//!
//! The Python lessons need a few helpers of their own: `recvall`, the
//! 4-byte `struct.pack('i', n)` length, a JSON header on top of it; and
//! this course adds a way to see the bytes. That is all this crate is:
//!
//! * [`wire`]: `recv_exact` (the lessons' `recvall`), the 4-byte length prefix
//!   of `struct.pack('i', n)`, and the JSON header built on it;
//! * [`datagram`]: how much one UDP datagram carries, and a buffer that
//!   holds one whole;
//! * [`trace`]: the `--trace` wire dump, for a stream and for a datagram socket;
//! * [`show`]: bytes as Python's `repr` shows them, text safe to print, hex,
//!   aligned tables.
//!
//! Running a server well (the command line, Ctrl-C, the connection loop,
//! logging, the thread per client, running a command for a peer) is not the
//! lesson: that is the `harness` crate.

pub mod datagram;
pub mod show;
pub mod trace;
pub mod wire;

pub use wire::{
    read_frame, read_json_header, recv_exact, write_frame, write_json_header, WireError,
    DEFAULT_MAX_HEADER,
};
