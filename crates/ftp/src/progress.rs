//! Progress of a `put` or `get`: a bar on a terminal, one line from a pipe.
//!
//! On a terminal (stderr), `indicatif` draws bytes, percent, speed and time
//! left, redrawn a few times a second whatever the chunk size. When stderr
//! is not a terminal (a script, a test, `2>log`), nothing is drawn while the
//! bytes move; the caller prints one summary line at the end.

use std::io::{self, IsTerminal};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::transfer::human_size;

/// One transfer's progress.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    offset: u64,
}

impl Progress {
    /// Starts showing a transfer of `total` bytes of which `offset` are
    /// already there (a resumed transfer).
    pub fn start(label: &str, total: u64, offset: u64) -> Progress {
        let bar = io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg} [{wide_bar}] {bytes}/{total_bytes} {percent}% \
                     {binary_bytes_per_sec} ETA {eta}",
                )
                .expect("a valid progress template")
                .progress_chars("=> "),
            );
            bar.set_message(label.to_string());
            bar.set_position(offset);
            bar.reset_eta();
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            offset,
        }
    }

    /// `done` bytes of the whole file are there now.
    pub fn set(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    /// Removes the bar and says how long moving `done` bytes took.
    pub fn finish(&self, done: u64) -> Rate {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        Rate {
            bytes: done.saturating_sub(self.offset),
            elapsed: self.started.elapsed(),
        }
    }
}

/// How many bytes moved in how long.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub bytes: u64,
    pub elapsed: Duration,
}

impl std::fmt::Display for Rate {
    /// `10.0 MiB in 0.03 s (333.3 MiB/s)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seconds = self.elapsed.as_secs_f64().max(1e-6);
        let per_second = (self.bytes as f64 / seconds) as u64;
        write!(
            f,
            "{} in {seconds:.2} s ({}/s)",
            human_size(self.bytes),
            human_size(per_second)
        )
    }
}
