//! The other ceiling for `scripts/bench.sh ftp`: how fast one core hashes
//! md5 (the same `md-5` crate `ftp` uses), over a file already in memory,
//! in the same 1 MiB chunks.
//!
//! ```text
//! cargo run --release -p ftp --example md5_speed -- FILE
//! ```
//!
//! Prints `bytes=N seconds=S mib_per_s=R md5=HEX`.

use std::time::Instant;

use ftp::protocol::CHUNK;
use ftp::transfer::{md5_hex, new_md5};
use md5::Digest;

fn main() -> std::io::Result<()> {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: md5_speed FILE");
        std::process::exit(2);
    };
    let data = std::fs::read(path)?;
    let started = Instant::now();
    let mut md5 = new_md5();
    for chunk in data.chunks(CHUNK) {
        md5.update(chunk);
    }
    let hex = md5_hex(md5);
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "bytes={} seconds={seconds:.3} mib_per_s={:.0} md5={hex}",
        data.len(),
        data.len() as f64 / seconds / 1048576.0
    );
    Ok(())
}
