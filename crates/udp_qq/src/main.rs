//! The UDP "QQ chat" lesson (模拟QQ聊天): chat in datagrams.
//!
//! The server binds 127.0.0.1:8081 and loops: `recvfrom` a message, print it
//! as `[ip:port] message` with the sender in colour, read a reply from its
//! operator, `sendto` the reply to the address the message came from. There
//! is no `listen`, no `accept`, no connection: the address that `recvfrom`
//! returns is all the server knows of a client, and it is enough to answer
//! several clients, each with its own reply.
//!
//! The client has a contact table (the lesson's A, B, C, D, or a JSON file):
//! choose a contact, type messages, `quit` to choose another. A reply that
//! does not come within `--timeout` is reported; UDP never says whether a
//! datagram arrived.
//!
//! Try it with two terminals (three, for two clients):
//!
//! ```text
//! terminal 1:  cargo run -p udp_qq -- server     # type a reply to each message
//! terminal 2:  cargo run -p udp_qq -- client     # choose A, then type messages
//! ```

mod args;
mod client;

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use args::{Cli, Role};
use clap::Parser;
use common::datagram::{MAX_DATAGRAM, RECV_BUFFER};
use common::show::count;
use common::trace::TracedUdp;
use harness::cli::{self, Failure, NetArgs};
use harness::input::{Line, LineInput};
use harness::log;
use harness::udp::next_datagram;
use udp_qq::Style;

fn main() -> ExitCode {
    harness::main(|| run(Cli::parse()))
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.role {
        Role::Server => server(&cli.net),
        Role::Client(args) => client::client(&cli.net, &args),
    }
}

fn server(net: &NetArgs<8081>) -> Result<(), Failure> {
    // socket(AF_INET, SOCK_DGRAM) + bind(): no listen(), no accept()
    let (socket, stop) = net.listen_udp()?;
    // Ctrl-C must also end a wait for the operator's reply.
    let operator = LineInput::stdin();
    stop.on_trigger(operator.interrupter());
    let socket = TracedUdp::new(socket, net.trace);

    let style = Style::for_stdout();
    // Typed replies are on the screen already; piped ones are shown.
    let show_replies = !io::stdin().is_terminal();
    let mut buf = vec![0; RECV_BUFFER];
    let (mut received, mut replied) = (0u64, 0u64);
    // qq_msg, addr = recvfrom(...), until Ctrl-C
    while let Some((n, peer)) = next_datagram(&socket, &mut buf, &stop) {
        received += 1;
        println!("{}", style.line(peer, &buf[..n]));

        // back_msg = input('回复消息: ')
        let reply = match operator.next("reply>>: ") {
            Line::Text(reply) => reply,
            Line::End => {
                log!("no more replies (the operator's input ended); stopping");
                break;
            }
            Line::Interrupted => break,
        };
        if reply.len() > MAX_DATAGRAM {
            log!(
                "reply not sent: {} bytes do not fit in one datagram ({MAX_DATAGRAM} at most)",
                reply.len()
            );
            continue;
        }
        // sendto(back_msg, addr): back to whoever wrote this message
        match socket.send_to(reply.as_bytes(), peer) {
            Ok(_) => {
                replied += 1;
                if show_replies {
                    println!("  reply to [{peer}]: {reply}");
                }
            }
            Err(e) => log!("reply to {peer} not sent: {}", cli::describe(&e)),
        }
    }
    log!(
        "shutting down: {} received, {} sent",
        count(received, "message", "messages"),
        count(replied, "reply", "replies")
    );
    Ok(())
}
