//! Model 1, blocking I/O (阻塞IO模型): one client at a time, the first
//! lesson's server.
//!
//! ```text
//!   process                          kernel
//!   recv() ───── system call ─────▶  no data ready yet
//!     ┆                                 ┆   phase 1: wait for data
//!     ┆ blocked in recv()               ▼   (the process sleeps)
//!     ┆                              data ready: copy to user space
//!     ┆                                 ┆   phase 2: copy
//!   process the data ◀─ return n ──  copy complete
//! ```
//!
//! Both phases happen inside one call: `recv()` returns only when bytes
//! have been copied into our buffer (or the peer closed). `accept()` blocks
//! the same way, waiting for the next handshake. While this server talks to
//! one client, the next one is not refused: the kernel completes its
//! handshake and keeps it in the listen backlog (`ss -tln` shows it in the
//! LISTEN socket's Recv-Q), and its messages wait in its receive buffer,
//! until the first client leaves and `accept()` is called again.
//!
//! So a client that connects and sends nothing holds everyone else. The
//! only defence a blocking server has is a timeout on `recv()`
//! (`--idle-timeout`, 300 s by default): the silent client is dropped, and
//! the queue moves on.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use common::trace::Traced;
use harness::cli;
use harness::log;
use harness::server::{connections, Summary};
use harness::stop::Stop;

use crate::client::BUFFER_SIZE;
use crate::Settings;

/// The connection loop: accept a client, serve it until it leaves, then
/// accept the next.
pub fn serve(listener: &TcpListener, stop: &Stop, settings: &Settings) -> Summary {
    let mut summary = Summary::default();
    // accept() blocks until a handshake is queued (or Ctrl-C's wake-up
    // connection ends the loop); Ctrl-C also ends this client's reads.
    for (conn, peer) in connections(listener, stop) {
        summary.served += 1;
        serve_client(&conn, peer, settings);
    }
    summary
}

/// One client, from connect to close, with a log line at each end. The
/// `threads` model runs this very function, on a thread per client.
pub fn serve_client(stream: &TcpStream, peer: SocketAddr, settings: &Settings) {
    log!("{peer} connected");
    match upper_case_loop(stream, peer, settings) {
        Ok(messages) => log!("{peer} disconnected after {messages} message(s)"),
        Err(e) if cli::is_timeout(&e) => {
            log!("{peer} dropped: sent nothing for the --idle-timeout")
        }
        Err(e) => log!("{peer} dropped: {}", cli::describe(&e)),
    }
}

/// The communication loop: `recv(1024)` (blocks: both phases), then
/// `sendall(data.upper())` (blocks until the kernel has taken every byte).
fn upper_case_loop(stream: &TcpStream, peer: SocketAddr, settings: &Settings) -> io::Result<u64> {
    stream.set_read_timeout(settings.idle_timeout)?;
    stream.set_write_timeout(settings.idle_timeout)?;
    let mut conn = Traced::new(stream, peer, settings.trace);
    let mut buf = [0; BUFFER_SIZE];
    let mut messages = 0;
    loop {
        let n = conn.read(&mut buf)?;
        if n == 0 {
            return Ok(messages); // the client closed (or half-closed) its side
        }
        buf[..n].make_ascii_uppercase();
        conn.write_all(&buf[..n])?;
        messages += 1;
    }
}
