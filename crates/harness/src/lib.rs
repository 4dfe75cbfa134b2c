//! The running harness of the lesson binaries: what a server facing real
//! users needs and the Python lessons leave out. None of it is on the wire
//! (that is `common`); each piece stands for a line or two of the lessons'
//! Python, with the failures those lines ignore handled:
//!
//! * [`cli`]: `--host`/`--port`/`--trace`; [`NetArgs::listen_tcp`](cli::NetArgs::listen_tcp)
//!   is `socket()` + `bind()` + `listen()` with Ctrl-C and the
//!   `listening on ADDR` line; [`main`] maps `run`'s result to an exit code
//!   and an `error:` line;
//! * [`server`]: [`connections`](server::connections), the connection loop
//!   `conn, addr = s.accept()` as an iterator, and [`serve`](server::serve),
//!   a thread per client (Python's `socketserver.ThreadingTCPServer`);
//! * [`udp`]: a server's `recvfrom()` until Ctrl-C, a client's wait for its
//!   peer's answer until a deadline;
//! * [`stop`]: Ctrl-C that can interrupt a blocking `accept` or `recv`;
//! * [`input`]: lines from a terminal (with a prompt) or a pipe (without),
//!   the lessons' `input()`;
//! * [`log`]: timestamped log lines;
//! * [`exec`]: running a shell command for a peer (the remote-command
//!   lessons' `subprocess.Popen`) with stdin from `/dev/null`, a timeout that
//!   kills the whole process group, and a cap on the output.

pub mod cli;
pub mod exec;
pub mod input;
pub mod log;
pub mod server;
pub mod stop;
pub mod udp;

pub use cli::main;
