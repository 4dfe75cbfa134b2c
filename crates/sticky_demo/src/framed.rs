//! `--mode framed`, the receiver: the lesson's fix (9.3), a 4-byte length
//! before each message, read back with `read_frame`.

use std::net::TcpStream;

use common::trace::Traced;
use common::wire::{read_frame, WireError};
use harness::cli::Failure;
use sticky_demo::SmallReads;

use crate::args::{Case, BUFFER_SIZE, CASE_2_SIZES};
use crate::record::Received;
use crate::{read_failure, Receiving};

/// A framed receiver stops after this many frames (the lesson sends three).
const MAX_FRAMES: usize = 16;

/// `read_frame` until the sender closes. In case 2 every `recv` under it
/// is as small as the lesson's (1, 5, 1, ...), and the message still
/// arrives whole.
pub fn receive(
    conn: Traced<&TcpStream>,
    case: Case,
    settings: Receiving,
    got: &mut Vec<Received>,
) -> Result<(), Failure> {
    let sizes = if case == Case::Two {
        CASE_2_SIZES
    } else {
        &[BUFFER_SIZE]
    };
    let mut reader = SmallReads::new(conn, sizes);
    for number in 1..=MAX_FRAMES {
        let reads_before = reader.taken().len();
        // length = struct.unpack('i', conn.recv(4))[0]; then that many bytes
        match read_frame(&mut reader, settings.max_frame) {
            Ok(message) => {
                let reads = reader.taken()[reads_before..].to_vec();
                got.push(Received::Frame { message, reads });
            }
            Err(WireError::Closed) => {
                got.push(Received::End);
                return Ok(());
            }
            Err(WireError::Io(e)) => return Err(read_failure(&e, settings.timeout)),
            Err(e) => return Err(Failure::runtime(format!("frame {number}: {e}"))),
        }
    }
    got.push(Received::FrameLimit(MAX_FRAMES));
    Ok(())
}
