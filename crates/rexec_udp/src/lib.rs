//! The datagram side of `rexec_udp`: one command per datagram, one reply
//! datagram, and what to do with an output that does not fit in one.
//!
//! ```text
//! client → server:  [ command bytes ]          one datagram, ≤ 65,507 bytes
//! server → client:  [ output + notes ]         one datagram, ≤ 65,507 bytes
//! ```
//!
//! UDP keeps message boundaries — no sticky packets — but a datagram has a
//! size limit, and a receive buffer shorter than the datagram loses the rest
//! of it for good.

/// The client's default `--bufsize`: a whole datagram always fits.
pub const DEFAULT_BUFSIZE: usize = common::datagram::RECV_BUFFER;

/// Cuts `reply` to fit one datagram of at most `max` bytes, ending it with a
/// note saying how many bytes were dropped. Returns the datagram and that
/// count (0 when it fitted as it was).
pub fn fit_datagram(mut reply: Vec<u8>, max: usize) -> (Vec<u8>, usize) {
    if reply.len() <= max {
        return (reply, 0);
    }
    // The note names the count it is part of; sizing it for the whole reply
    // (a count with at least as many digits) leaves room for the real one.
    let room = note(reply.len(), max).len();
    let keep = max.saturating_sub(room);
    let dropped = reply.len() - keep;
    reply.truncate(keep);
    reply.extend_from_slice(note(dropped, max).as_bytes());
    reply.truncate(max); // only when `max` is smaller than the note itself
    (reply, dropped)
}

fn note(dropped: usize, max: usize) -> String {
    format!("\n[reply cut to fit one UDP datagram of {max} bytes: {dropped} bytes dropped]\n")
}

/// What the client says when a reply filled its whole buffer.
pub fn buffer_full_warning(bufsize: usize) -> String {
    let hint = if bufsize < DEFAULT_BUFSIZE {
        format!("; --bufsize {DEFAULT_BUFSIZE} holds any datagram")
    } else {
        String::new()
    };
    format!(
        "warning: the reply filled the whole {bufsize}-byte receive buffer, so it may have \
         been cut: UDP drops what does not fit, nothing is left for a next recv{hint}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use common::datagram::MAX_DATAGRAM;

    #[test]
    fn a_reply_that_fits_is_left_alone() {
        let reply = vec![b'x'; MAX_DATAGRAM];
        assert_eq!(fit_datagram(reply.clone(), MAX_DATAGRAM), (reply, 0));
    }

    #[test]
    fn a_long_reply_is_cut_to_exactly_one_datagram_with_a_note() {
        let reply: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let (datagram, dropped) = fit_datagram(reply.clone(), MAX_DATAGRAM);
        assert!(datagram.len() <= MAX_DATAGRAM, "{}", datagram.len());
        let note = format!(
            "\n[reply cut to fit one UDP datagram of 65507 bytes: {dropped} bytes dropped]\n"
        );
        assert!(datagram.ends_with(note.as_bytes()));
        let kept = datagram.len() - note.len();
        assert_eq!(&datagram[..kept], &reply[..kept], "the start is kept");
        assert_eq!(kept + dropped, reply.len(), "every byte is kept or counted");
    }

    #[test]
    fn one_byte_over_is_cut_too() {
        let (datagram, dropped) = fit_datagram(vec![b'x'; MAX_DATAGRAM + 1], MAX_DATAGRAM);
        assert!(datagram.len() <= MAX_DATAGRAM);
        assert!(dropped > 0);
    }

    #[test]
    fn the_warning_suggests_a_bigger_buffer_only_when_there_is_one() {
        assert!(buffer_full_warning(1024).ends_with("; --bufsize 65536 holds any datagram"));
        assert!(!buffer_full_warning(65_536).contains("--bufsize"));
    }
}
