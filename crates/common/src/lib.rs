//! The pieces every lesson of sockets-rs shares.
//!
//! Each lesson binary is meant to read like the Python lesson it ports, so the
//! mechanics that several lessons repeat live here, once:
//!
//! * [`wire`]: `recv_exact` (the lessons' `recvall`), the 4-byte length prefix
//!   of `struct.pack('i', n)`, and the JSON header built on it;
//! * [`trace`]: the `--trace` wire dump, for a stream and for a datagram socket;
//! * [`cli`]: `--host`/`--port`/`--trace`, binding, the `listening on ADDR` line
//!   and the exit codes;
//! * [`input`]: lines from a terminal (with a prompt) or a pipe (without);
//! * [`log`]: timestamped log lines;
//! * [`show`]: bytes as Python's `repr` shows them, hex, aligned tables;
//! * [`udp`]: datagram sizes and a UDP client's socket;
//! * [`shutdown`]: Ctrl-C handling that can interrupt a blocking `accept`;
//! * [`server`]: a thread-per-client server, the Rust counterpart of
//!   Python's `socketserver.ThreadingTCPServer`;
//! * [`exec`]: running a shell command for a peer (the remote-command
//!   lessons) with stdin closed, a timeout that kills the whole process
//!   group, and a cap on the output.

pub mod cli;
pub mod exec;
pub mod input;
pub mod log;
pub mod server;
pub mod show;
pub mod shutdown;
pub mod trace;
pub mod udp;
pub mod wire;

pub use wire::{
    read_frame, read_json_header, recv_exact, write_frame, write_json_header, WireError,
    DEFAULT_MAX_HEADER,
};
