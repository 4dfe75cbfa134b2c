//! `udp_qq client`: the lesson's client. Choose a contact (请选择聊天对象),
//! type messages (请输入消息,回车发送), `quit` to choose another; each
//! message is one `sendto`, and its reply is the next datagram from that
//! contact, within `--timeout`.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::datagram::{MAX_DATAGRAM, RECV_BUFFER};
use common::trace::TracedUdp;
use harness::cli::{self, Failure, NetArgs};
use harness::input::{Line, LineInput};
use harness::udp::{self, recv_from_peer};
use udp_qq::{Contacts, Style, QUIT};

use crate::args::ClientArgs;

/// The most late datagrams shown before a message is sent: enough for any
/// conversation, and a bound against a flood.
const MAX_LATE: usize = 100;

pub fn client(net: &NetArgs<8081>, args: &ClientArgs) -> Result<(), Failure> {
    let contacts = match &args.contacts {
        Some(path) => Contacts::load(path)?,
        None => Contacts::lesson(net.server_addr()?),
    };
    if let Some(name) = &args.to {
        if contacts.get(name).is_none() {
            return Err(Failure::usage(format!(
                "--to: no contact named '{name}'; the contacts are {}",
                contacts.names()
            )));
        }
    }
    let mut chat = Chat {
        socket: None,
        buf: vec![0; RECV_BUFFER],
        style: Style::for_stdout(),
        timeout: Duration::from_secs(args.timeout),
        trace: net.trace,
    };

    let Some(message) = &args.message else {
        return converse(&contacts, args.to.clone(), &mut chat);
    };
    let message = message.trim();
    if message.is_empty() {
        return Err(Failure::usage("--message: an empty message is not sent"));
    }
    check_size(message).map_err(Failure::usage)?;
    let name = args.to.as_deref().unwrap_or(contacts.first());
    let peer = contacts.get(name).expect("--to was checked above");
    if chat.send(peer, message)? {
        Ok(())
    } else {
        Err(Failure::runtime(format!(
            "{}; is the udp_qq server running, and its operator replying?",
            chat.no_reply(name, peer)
        )))
    }
}

/// The lesson's two loops: choose a contact (请选择聊天对象), then send
/// messages to it (请输入消息,回车发送) until `quit`.
fn converse(contacts: &Contacts, first: Option<String>, chat: &mut Chat) -> Result<(), Failure> {
    let input = LineInput::stdin();
    println!("contacts: {} ({QUIT} ends)", contacts.names());
    let mut chosen = first;
    loop {
        let name = match chosen.take() {
            Some(name) => name,
            None => match input.next("contact: ") {
                Line::Text(name) => name,
                Line::End | Line::Interrupted => return Ok(()),
            },
        };
        if name == QUIT {
            return Ok(());
        }
        let Some(peer) = contacts.get(&name) else {
            if name.is_empty() {
                eprintln!("choose a contact: {}", contacts.names());
            } else {
                eprintln!(
                    "no contact named '{name}'; choose one of: {}",
                    contacts.names()
                );
            }
            continue;
        };
        println!("talking to {name} at {peer}; {QUIT} to choose another contact");
        // msg = input('请输入消息,回车发送: ').strip(), until quit (or the
        // end of the input, which the contact question then sees too)
        for message in input.until_quit(">>: ") {
            if message.is_empty() {
                eprintln!("an empty message is not sent");
                continue;
            }
            if let Err(problem) = check_size(&message) {
                eprintln!("{problem}");
                continue;
            }
            if !chat.send(peer, &message)? {
                eprintln!(
                    "{}; a reply that comes later is shown before your next message",
                    chat.no_reply(&name, peer)
                );
            }
        }
    }
}

fn check_size(message: &str) -> Result<(), String> {
    if message.len() > MAX_DATAGRAM {
        return Err(format!(
            "message not sent: {} bytes do not fit in one datagram ({MAX_DATAGRAM} at most)",
            message.len()
        ));
    }
    Ok(())
}

/// The client's socket and what it needs to send a message and wait for
/// the reply.
struct Chat {
    /// Made on the first message, for the contact's address family.
    socket: Option<TracedUdp>,
    buf: Vec<u8>,
    style: Style,
    timeout: Duration,
    trace: bool,
}

impl Chat {
    /// `sendto(msg, qq_name_dic[qq_name])`, then `recvfrom` until the
    /// contact replies or the timeout passes. Returns whether it replied.
    fn send(&mut self, peer: SocketAddr, message: &str) -> Result<bool, Failure> {
        self.open_for(peer)?;
        let socket = self.socket.as_ref().expect("open_for made the socket");
        show_late_replies(socket, &mut self.buf, self.style);
        socket.send_to(message.as_bytes(), peer).map_err(|e| {
            Failure::runtime(format!("cannot send to {peer}: {}", cli::describe(&e)))
        })?;

        // back_msg, addr = recvfrom(...), until the contact replies
        let deadline = Instant::now() + self.timeout;
        let style = self.style;
        let reply = recv_from_peer(socket, peer, &mut self.buf, deadline, |other, from| {
            // Someone else wrote to us: shown, and the wait goes on.
            println!("{}", style.line(from, other));
        })
        .map_err(|e| Failure::runtime(format!("receive failed: {}", cli::describe(&e))))?;
        let Some(n) = reply else {
            return Ok(false); // the timeout, or "port unreachable": no reply
        };
        println!("{}", style.line(peer, &self.buf[..n]));
        Ok(true)
    }

    fn no_reply(&self, name: &str, peer: SocketAddr) -> String {
        format!(
            "no reply from {name} ({peer}) within {} s",
            self.timeout.as_secs()
        )
    }

    /// The lesson's `socket(AF_INET, SOCK_DGRAM)`, bound to port 0 as its
    /// first `sendto` does implicitly; remade when a contact needs another
    /// address family, or the other side of loopback.
    fn open_for(&mut self, peer: SocketAddr) -> io::Result<()> {
        let local = udp::client_side_for(peer);
        let fits = self
            .socket
            .as_ref()
            .and_then(|s| s.socket().local_addr().ok())
            .is_some_and(|bound| bound.ip() == local.ip());
        if !fits {
            self.socket = Some(TracedUdp::new(UdpSocket::bind(local)?, self.trace));
        }
        Ok(())
    }
}

/// Prints the datagrams that arrived since the last wait ended: replies
/// that came after their timeout. Without this, a late reply would be read
/// as the reply to the next message.
fn show_late_replies(socket: &TracedUdp, buf: &mut [u8], style: Style) {
    if socket.socket().set_nonblocking(true).is_err() {
        return;
    }
    for _ in 0..MAX_LATE {
        match socket.recv_from(buf) {
            Ok((n, from)) => println!("(late) {}", style.line(from, &buf[..n])),
            Err(_) => break, // WouldBlock: nothing more is waiting
        }
    }
    let _ = socket.socket().set_nonblocking(false);
}
