//! The other ceiling for `scripts/bench.sh ftp`: how fast one core hashes
//! md5 (the same `md-5` crate `ftp` uses, with its assembly where this
//! target has it), or BLAKE3, over a file already in memory, in the same
//! 1 MiB chunks.
//!
//! ```text
//! cargo run --release -p ftp --example md5_speed -- FILE [md5|blake3]
//! ```
//!
//! Prints `bytes=N seconds=S mib_per_s=R md5=HEX impl=...` (`blake3=HEX`
//! for BLAKE3).

use std::time::Instant;

use ftp::protocol::CHUNK;
use ftp::transfer::{Digest, Hasher, MD5_IMPLEMENTATION};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match args.as_slice() {
        [path] => Some((path, Digest::Md5)),
        [path, name] => Digest::from_name(name).map(|digest| (path, digest)),
        _ => None,
    };
    let Some((path, digest)) = parsed else {
        eprintln!("usage: md5_speed FILE [md5|blake3]");
        std::process::exit(2);
    };
    let data = std::fs::read(path)?;
    let started = Instant::now();
    let mut hasher = Hasher::new(digest);
    for chunk in data.chunks(CHUNK) {
        hasher.update(chunk);
    }
    let hex = hasher.hex();
    let seconds = started.elapsed().as_secs_f64();
    let implementation = match digest {
        Digest::Md5 => MD5_IMPLEMENTATION,
        Digest::Blake3 => "blake3 crate, one thread (SIMD picked at run time)",
    };
    println!(
        "bytes={} seconds={seconds:.3} mib_per_s={:.0} {digest}={hex} impl={implementation:?}",
        data.len(),
        data.len() as f64 / seconds / 1048576.0
    );
    Ok(())
}
