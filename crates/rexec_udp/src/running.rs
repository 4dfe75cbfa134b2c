//! The commands running now, each on a thread of its own: at most
//! `--max-running` of them, and a "server busy" reply to a datagram beyond
//! that. (A TCP server's thread per client is `harness::server::serve`; here
//! a thread is per command, since UDP has no clients, only datagrams.)

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use harness::log;

/// The command threads of a server, and what it has done with its datagrams.
#[derive(Debug)]
pub struct Running {
    max: usize,
    /// Commands running now. A command's place is free as soon as it has
    /// ended, before its reply leaves, so a client that has its reply can
    /// always run its next command.
    now: Arc<AtomicUsize>,
    threads: Vec<JoinHandle<()>>,
    summary: Summary,
}

/// What a server did, for its last log line.
#[derive(Debug, Default)]
pub struct Summary {
    commands: u64,
    busy: u64,
}

impl Running {
    pub fn new(max: usize) -> Self {
        Running {
            max,
            now: Arc::new(AtomicUsize::new(0)),
            threads: Vec::new(),
            summary: Summary::default(),
        }
    }

    /// Runs `command` on a thread of its own and hands what it returns to
    /// `reply`; or, when `max` commands are running already, hands `reply`
    /// the "server busy" text at once.
    pub fn start(
        &mut self,
        peer: SocketAddr,
        command: impl FnOnce() -> Vec<u8> + Send + 'static,
        reply: impl FnOnce(Vec<u8>) + Send + 'static,
    ) {
        self.threads.retain(|thread| !thread.is_finished());
        let now_running = self.now.load(Ordering::SeqCst);
        if now_running >= self.max {
            self.summary.busy += 1;
            log!("{peer} refused: {now_running} command(s) already running");
            let text = format!(
                "(server busy: {now_running} command(s) already running; try again later)\n"
            );
            reply(text.into_bytes());
            return;
        }
        self.summary.commands += 1;
        self.now.fetch_add(1, Ordering::SeqCst);
        let slot = Arc::clone(&self.now);
        let spawned = thread::Builder::new()
            .name(format!("command for {peer}"))
            .spawn(move || {
                let output = command();
                slot.fetch_sub(1, Ordering::SeqCst);
                reply(output);
            });
        match spawned {
            Ok(handle) => self.threads.push(handle),
            Err(e) => {
                self.now.fetch_sub(1, Ordering::SeqCst);
                log!("{peer} dropped: cannot start a thread: {e}");
            }
        }
    }

    /// Waits for every command still running, and its reply: each ends
    /// within its `--timeout`.
    pub fn wait(self) -> Summary {
        for thread in self.threads {
            let _ = thread.join();
        }
        self.summary
    }
}

impl fmt::Display for Summary {
    /// `ran 12 command(s), refused 3 (busy)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ran {} command(s)", self.commands)?;
        if self.busy > 0 {
            write!(f, ", refused {} (busy)", self.busy)?;
        }
        Ok(())
    }
}
