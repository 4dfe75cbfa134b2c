//! One DNS question and its answer, over UDP and over TCP.
//!
//! Over UDP a message is one datagram: `sendto` the query, `recvfrom` the
//! answer; nothing says it arrives, so the client waits `timeout` and asks
//! again, `tries` times in all. An answer is only the answer if it comes
//! from the server, carries the query's id and repeats its question:
//! anyone can send a datagram to the client's port.
//!
//! Over TCP the same message travels on a byte stream, which has no
//! message boundaries (粘包, the sticky-packet lesson): so each message is
//! preceded by its length in two bytes, big-endian (RFC 1035 §4.2.2), and
//! the reader reads exactly two bytes, then exactly that many.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::datagram::RECV_BUFFER;
use common::recv_exact;
use common::trace::{Traced, TracedUdp};
use harness::cli::{describe, is_timeout};
use harness::udp::recv_from_peer;

use crate::message::{Message, MAX_TCP_MESSAGE};

/// A message with its 2-byte length prefix, ready for one `write_all`.
pub fn tcp_frame(message: &[u8]) -> io::Result<Vec<u8>> {
    let len = u16::try_from(message.len()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "a message of {} bytes does not fit a 2-byte length (at most {MAX_TCP_MESSAGE})",
                message.len()
            ),
        )
    })?;
    let mut frame = Vec::with_capacity(2 + message.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(message);
    Ok(frame)
}

/// Reads one length-prefixed message: `None` when the peer closed before
/// a new message began (the end of the conversation); an error when it
/// closed in the middle of one, or announced an empty one.
pub fn read_tcp_message(reader: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut prefix = [0u8; 2];
    let got = reader.read(&mut prefix)?;
    if got == 0 {
        return Ok(None);
    }
    if got == 1 {
        // A stream may hand over the two bytes one at a time.
        let second = recv_exact(reader, 1).map_err(|_| {
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the peer closed after the first byte of a 2-byte length",
            )
        })?;
        prefix[1] = second[0];
    }
    let len = usize::from(u16::from_be_bytes(prefix));
    if len == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a length prefix of 0: no DNS message is empty",
        ));
    }
    match recv_exact(reader, len) {
        Ok(message) => Ok(Some(message)),
        Err(common::WireError::Io(e)) => Err(e),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the peer announced {len} bytes and closed before sending them all"),
        )),
    }
}

/// Whether `reply` answers `query`: a response, with its id and question.
pub fn answers(query: &Message, reply: &Message) -> Result<(), String> {
    if !reply.header.response {
        return Err("a query, not a response (QR is 0)".into());
    }
    if reply.header.id != query.header.id {
        return Err(format!(
            "id {}, not our {} (an old answer, or a spoof)",
            reply.header.id, query.header.id
        ));
    }
    if !reply.questions.is_empty() && reply.questions != query.questions {
        return Err("an answer to another question".into());
    }
    Ok(())
}

/// An answer, how big it was on the wire, and the number of the try that
/// got it.
#[derive(Debug)]
pub struct Answer {
    pub reply: Message,
    pub len: usize,
    pub tries: u32,
}

/// Asks `server` over UDP: `tries` times in all, waiting `timeout` after
/// each. `note` hears each retry and each datagram that is not the answer.
pub fn ask_udp(
    socket: &TracedUdp,
    server: SocketAddr,
    query: &Message,
    timeout: Duration,
    tries: u32,
    note: &mut dyn FnMut(String),
) -> Result<Answer, String> {
    let bytes = query.to_bytes().map_err(|e| e.to_string())?;
    // Any datagram whole, so an answer over 512 bytes is seen for what it is.
    let mut buf = vec![0; RECV_BUFFER];
    for attempt in 1..=tries {
        if attempt > 1 {
            note(format!(
                "no answer from {server} within {} s; asking again (try {attempt} of {tries})",
                timeout.as_secs_f64()
            ));
        }
        socket
            .send_to(&bytes, server)
            .map_err(|e| format!("cannot send to {server}: {}", describe(&e)))?;
        let deadline = Instant::now() + timeout;
        loop {
            let got = recv_from_peer(socket, server, &mut buf, deadline, |_, from| {
                note(format!("ignored a datagram from {from}: not the server"));
            })
            .map_err(|e| format!("receive failed: {}", describe(&e)))?;
            let Some(n) = got else { break };
            let checked = Message::parse(&buf[..n])
                .map_err(|e| format!("an unreadable datagram: {e}"))
                .and_then(|reply| answers(query, &reply).map(|()| reply));
            match checked {
                Ok(reply) => {
                    return Ok(Answer {
                        reply,
                        len: n,
                        tries: attempt,
                    })
                }
                Err(why) => note(format!("ignored {n} bytes from {server}: {why}")),
            }
        }
    }
    Err(format!(
        "no answer from {server} after {tries} tries of {} s each; is a DNS server there?",
        timeout.as_secs_f64()
    ))
}

/// Asks `server` over TCP: connect, send the query with its 2-byte
/// length, read the 2-byte length of the answer, then the answer.
pub fn ask_tcp(
    server: SocketAddr,
    query: &Message,
    timeout: Duration,
    trace: bool,
) -> Result<Answer, String> {
    let bytes = query.to_bytes().map_err(|e| e.to_string())?;
    let stream = TcpStream::connect_timeout(&server, timeout)
        .map_err(|e| format!("cannot connect to {server} over TCP: {}", describe(&e)))?;
    let lost = |e: io::Error| {
        if is_timeout(&e) {
            format!(
                "no answer from {server} over TCP within {} s",
                timeout.as_secs_f64()
            )
        } else {
            format!("TCP connection to {server}: {}", describe(&e))
        }
    };
    stream.set_read_timeout(Some(timeout)).map_err(lost)?;
    stream.set_write_timeout(Some(timeout)).map_err(lost)?;
    let mut stream = Traced::new(&stream, server, trace).whole();
    stream
        .write_all(&tcp_frame(&bytes).map_err(lost)?)
        .map_err(lost)?;
    let Some(message) = read_tcp_message(&mut stream).map_err(lost)? else {
        return Err(format!(
            "{server} closed the TCP connection without answering"
        ));
    };
    let reply = Message::parse(&message)
        .map_err(|e| format!("the answer from {server} is unreadable: {e}"))?;
    answers(query, &reply).map_err(|why| format!("the TCP answer from {server} is {why}"))?;
    Ok(Answer {
        reply,
        len: message.len(),
        tries: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_is_two_bytes_of_length_then_the_message() {
        assert_eq!(tcp_frame(b"abc").expect("short"), b"\x00\x03abc");
        assert!(tcp_frame(&[0; 65_536]).is_err());
        let mut two = io::Cursor::new(b"\x00\x03abc\x00\x01z".to_vec());
        assert_eq!(
            read_tcp_message(&mut two).expect("one"),
            Some(b"abc".to_vec())
        );
        assert_eq!(
            read_tcp_message(&mut two).expect("two"),
            Some(b"z".to_vec())
        );
        assert_eq!(read_tcp_message(&mut two).expect("end"), None);
    }

    #[test]
    fn a_cut_frame_is_an_error() {
        let err = |bytes: &[u8]| {
            read_tcp_message(&mut io::Cursor::new(bytes.to_vec()))
                .expect_err("cut")
                .to_string()
        };
        assert_eq!(
            err(b"\x00"),
            "the peer closed after the first byte of a 2-byte length"
        );
        assert_eq!(
            err(b"\x00\x00"),
            "a length prefix of 0: no DNS message is empty"
        );
        assert_eq!(
            err(b"\x00\x10abc"),
            "the peer announced 16 bytes and closed before sending them all"
        );
    }

    #[test]
    fn only_a_response_with_our_id_and_question_is_the_answer() {
        let query = Message::query(
            7,
            "a.test".parse().expect("name"),
            crate::message::RecordType::A,
        );
        let mut reply = Message::response_to(&query);
        assert_eq!(answers(&query, &reply), Ok(()));
        reply.header.id = 8;
        assert!(answers(&query, &reply)
            .expect_err("wrong id")
            .contains("spoof"));
        assert!(answers(&query, &query).is_err(), "a query is not an answer");
        let other = Message::query(
            7,
            "b.test".parse().expect("name"),
            crate::message::RecordType::A,
        );
        assert!(answers(&query, &Message::response_to(&other)).is_err());
    }
}
