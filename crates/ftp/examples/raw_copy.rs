//! The ceiling for `scripts/bench.sh ftp`: a file copied over a loopback
//! TCP connection with nothing else done to it — no header, no md5, no
//! checks — through the same 1 MiB buffers `ftp` uses.
//!
//! ```text
//! cargo run --release -p ftp --example raw_copy -- FILE OUT
//! ```
//!
//! Prints `bytes=N seconds=S mib_per_s=R`.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Instant;

use ftp::protocol::CHUNK;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [from, to] = args.as_slice() else {
        eprintln!("usage: raw_copy FILE OUT");
        std::process::exit(2);
    };
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let started = Instant::now();
    let mut source = File::open(from)?;
    let sender = std::thread::spawn(move || -> std::io::Result<()> {
        let mut stream = TcpStream::connect(addr)?;
        let mut buf = vec![0; CHUNK];
        loop {
            let n = source.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            stream.write_all(&buf[..n])?;
        }
    });
    let (mut stream, _) = listener.accept()?;
    let mut out = File::create(to)?;
    let mut buf = vec![0; CHUNK];
    let mut total = 0u64;
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n])?;
        total += n as u64;
    }
    sender.join().expect("the sender thread does not panic")?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "bytes={total} seconds={seconds:.3} mib_per_s={:.0}",
        total as f64 / seconds / 1048576.0
    );
    Ok(())
}
