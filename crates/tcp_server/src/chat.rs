//! `tcp_server --chat`: the course's chat server. One client at a time; it
//! prints each message and sends back a line its operator types (`q` ends
//! the conversation, and the server accepts the next client).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use common::show::printable_text;
use common::trace::Traced;
use harness::input::{Line, LineInput};
use harness::log;
use harness::server::{connections, Summary};
use harness::stop::Stop;

use crate::args::Settings;
use crate::{reason, BUFFER_SIZE};

/// The chat server: one client at a time, each reply typed by the operator.
pub fn serve(listener: &TcpListener, stop: &Stop, settings: &Settings) -> Summary {
    let operator = LineInput::stdin();
    stop.on_trigger(operator.interrupter());
    let mut summary = Summary::default();
    for (conn, peer) in connections(listener, stop) {
        summary.served += 1;
        log!("{peer} connected; type a reply to each message, q to end the conversation");
        match chat_with(&conn, peer, &operator, settings) {
            Ok(ChatEnd::ClientLeft) => log!("{peer} left the conversation"),
            Ok(ChatEnd::OperatorQuit) => log!("{peer} conversation ended by you"),
            Ok(ChatEnd::OperatorGone) => {
                log!("{peer} conversation ended (no more replies from the operator)");
                break;
            }
            Err(e) => log!("{peer} dropped: {}", reason(&e, settings)),
        }
    }
    summary
}

enum ChatEnd {
    ClientLeft,
    OperatorQuit,
    OperatorGone,
}

fn chat_with(
    stream: &TcpStream,
    peer: SocketAddr,
    operator: &LineInput,
    settings: &Settings,
) -> io::Result<ChatEnd> {
    stream.set_read_timeout(settings.idle_timeout)?;
    let mut conn = Traced::new(stream, peer, settings.trace);
    let mut buf = [0; BUFFER_SIZE];
    loop {
        let n = conn.read(&mut buf)?;
        let message = printable_text(&buf[..n]);
        if n == 0 || message.trim().eq_ignore_ascii_case("q") {
            return Ok(ChatEnd::ClientLeft);
        }
        println!("[{peer}] {message}");
        // An empty line is not sent: the client would read zero bytes as
        // "the server closed", so ask again.
        let reply = loop {
            match operator.next(">>: ") {
                Line::Text(reply) if reply.is_empty() => continue,
                Line::Text(reply) => break reply,
                Line::End | Line::Interrupted => {
                    let _ = conn.write_all(b"q");
                    return Ok(ChatEnd::OperatorGone);
                }
            }
        };
        conn.write_all(reply.as_bytes())?;
        if reply.eq_ignore_ascii_case("q") {
            return Ok(ChatEnd::OperatorQuit);
        }
    }
}
