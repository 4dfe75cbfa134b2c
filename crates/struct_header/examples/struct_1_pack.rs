//! Step 1 of the fixed-length header lesson: struct.pack('i', n) (seed 000, §9.3.2; seed 003, §十一).
//!
//! The lesson's session at the Python prompt, for each number given (by
//! default the lesson's two, 12 and 1111111111111): struct.pack('i', n) is
//! always 4 bytes, struct.unpack('i', ...) gives the number back as a
//! tuple, and a number outside -2147483648..=2147483647 is refused with
//! struct.error, which ends the program (exit status 1) as it ends Python's.
//! No network: the 4 bytes are what a length prefix puts on the wire.
//!
//! ```text
//! cargo run -p struct_header --example struct_1_pack                 # 12 1111111111111
//! cargo run -p struct_header --example struct_1_pack -- -1 0 2147483647
//! ```
//!
//! Adds to the sticky-packet steps the start of the cure: a length in a
//! form of known length, 4 bytes whatever the number.

use std::env;
use std::io;
use std::process;

fn main() -> io::Result<()> {
    let mut numbers: Vec<i128> = env::args()
        .skip(1)
        .map(|arg| arg.parse())
        .collect::<Result<_, _>>()
        .map_err(|_| io::Error::other("usage: struct_1_pack [NUMBER]..."))?;
    if numbers.is_empty() {
        numbers = vec![12, 1111111111111]; // the lesson's two numbers
    }

    for number in numbers {
        // common::wire::encode_prefix packs a length (a usize: never
        // negative); the lesson packs any number, so the step does it by
        // hand: i32::try_from is 'i''s range check, a signed 32-bit int.
        let Ok(n) = i32::try_from(number) else {
            eprintln!(
                "struct.error: 'i' format requires {} <= number <= {}",
                i32::MIN,
                i32::MAX
            );
            process::exit(1); // an uncaught struct.error ends the Python program
        };
        // 'i' is native byte order: little-endian on every machine students
        // use, the order common::wire writes.
        let l = n.to_ne_bytes();
        let hex: Vec<String> = l.iter().map(|byte| format!("{byte:02x}")).collect();
        println!(
            "l = struct.pack('i', {n}) → b'{}'  {}",
            l.escape_ascii(),
            hex.join(" ")
        );
        println!("len(l) → {}", l.len());
        println!("struct.unpack('i', l) → ({},)", i32::from_ne_bytes(l));
    }
    Ok(())
}
