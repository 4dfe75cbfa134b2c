//! What the process may use and has used: open files and memory.

use nix::sys::resource::{getrlimit, setrlimit, Resource};

/// File descriptors the server needs besides its connections: the
/// listener, stdio, the shutdown waker, each worker's epoll and waker (64),
/// the files the cache keeps open, and the refused connections being sent
/// their 503.
const SPARE_FDS: u64 =
    64 + crate::cache::MAX_ENTRIES as u64 + crate::event_loop::MAX_REFUSING as u64;

/// Each connection holds up to two descriptors: its socket, and the file
/// whose body it is sending.
const FDS_PER_CONNECTION: u64 = 2;

/// Raises the soft limit on open files as far as `max_connections` needs
/// and the hard limit allows, and returns how many connections fit: a
/// server at 1024 connections must not fail `accept()` with "too many open
/// files" under a default `ulimit -n` of 1024.
pub fn allow_connections(max_connections: usize) -> usize {
    let wanted = max_connections as u64 * FDS_PER_CONNECTION + SPARE_FDS;
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return max_connections;
    };
    let mut limit = soft;
    if soft < wanted && setrlimit(Resource::RLIMIT_NOFILE, wanted.min(hard), hard).is_ok() {
        limit = wanted.min(hard);
    }
    let fit = limit.saturating_sub(SPARE_FDS) / FDS_PER_CONNECTION;
    usize::try_from(fit).map_or(max_connections, |fit| fit.clamp(1, max_connections))
}

/// The most memory the process has held at once (`VmHWM` in
/// `/proc/self/status`), in bytes; `None` where there is no `/proc`.
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_modest_limit_is_granted() {
        assert_eq!(allow_connections(16), 16);
    }

    #[test]
    fn peak_memory_is_read_on_linux() {
        let peak = peak_memory().expect("/proc/self/status on Linux");
        assert!(peak > 100 * 1024, "{peak}");
    }
}
