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

use std::io::{self, IsTerminal};
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use common::datagram::{MAX_DATAGRAM, RECV_BUFFER};
use common::show::count;
use common::trace::TracedUdp;
use harness::cli::{self, Failure, NetArgs};
use harness::input::{Line, LineInput};
use harness::log;
use harness::stop::Stop;
use harness::udp;
use udp_qq::{Contacts, Style, QUIT};

/// How long a `recv_from()` error pauses the server, so a persistent error
/// does not spin a core.
const ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The most late datagrams shown before a message is sent: enough for any
/// conversation, and a bound against a flood.
const MAX_LATE: usize = 100;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "The UDP \"QQ chat\" lesson (模拟QQ聊天): the server shows each message as \
             [ip:port] message and sends back a reply typed by its operator; the client \
             chooses a contact and chats.",
    after_help = "Examples:\n  \
        udp_qq server                         # on 127.0.0.1:8081; type a reply to each message\n  \
        udp_qq client                         # contacts A, B, C, D, all at 127.0.0.1:8081\n  \
        udp_qq client --to B -m '你好'         # one message, print the reply, exit\n  \
        printf 'hi\\nbye\\n' | udp_qq server   # replies from a pipe, one line per message\n\n\
        --host, --port and --trace go before or after the role.\n"
)]
struct Cli {
    #[command(flatten)]
    net: NetArgs<8081>,

    #[command(subcommand)]
    role: Role,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// Show each message and send back a reply typed here (a prompt on a
    /// terminal; from a pipe, one line per message).
    #[command(after_help = "Examples:\n  \
        udp_qq server                              # type each reply at the prompt\n  \
        printf 'hello\\n你好\\n' | udp_qq server    # the first two messages get these replies\n\n\
        Each reply goes to the client whose message it answers; an empty line\n\
        sends an empty datagram. When the replies run out (Ctrl-D, or the end\n\
        of the pipe) or on Ctrl-C, the server prints a summary and exits 0.\n")]
    Server,

    /// Choose a contact, send messages, print the replies (`quit` goes
    /// back to the contact choice; `quit` there, or Ctrl-D, ends).
    #[command(after_help = "Examples:\n  \
        udp_qq client                                  # choose A, type messages\n  \
        printf 'A\\nhello\\nquit\\nB\\n你好\\n' | udp_qq client  # from a pipe\n  \
        udp_qq client --to B --message 'hello'         # one message, one reply\n  \
        udp_qq client --contacts friends.json          # {\"A\": \"127.0.0.1:8081\", ...}\n\n\
        Exit codes: 0 done, 1 no reply to --message within --timeout, 2 usage\n\
        error (a bad contacts file, an unknown --to).\n")]
    Client(ClientArgs),
}

#[derive(Debug, clap::Args)]
struct ClientArgs {
    /// Read the contact table from FILE, a JSON object of names to
    /// addresses: {"A": "127.0.0.1:8081", "B": "192.168.1.5:8081"}.
    /// Without it: the lesson's A, B, C, D, all at --host:--port.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["host", "port"])]
    contacts: Option<PathBuf>,

    /// Talk to this contact first (with --message: the one to send it to;
    /// default: the first name).
    #[arg(long, value_name = "NAME")]
    to: Option<String>,

    /// Send this one message, print the reply and exit.
    #[arg(short, long, allow_hyphen_values = true)]
    message: Option<String>,

    /// Report a reply as missing after this many seconds.
    #[arg(long, default_value_t = 3, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
}

fn main() -> ExitCode {
    cli::quiet_on_closed_pipe();
    cli::exit_code(run(Cli::parse()))
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.role {
        Role::Server => server(&cli.net),
        Role::Client(args) => client(&cli.net, &args),
    }
}

// ------------------------------------------------------------ server

fn server(net: &NetArgs<8081>) -> Result<(), Failure> {
    // socket(AF_INET, SOCK_DGRAM) + bind(): no listen(), no accept()
    let socket = net.bind_udp()?;
    let shutdown = Stop::on_ctrl_c()?;
    shutdown.wake_udp_on_trigger(&socket)?;
    // Ctrl-C must also end a wait for the operator's reply.
    let operator = LineInput::stdin();
    shutdown.on_trigger(operator.interrupter());
    cli::announce_listening(socket.local_addr()?);
    let socket = TracedUdp::new(socket, net.trace);

    let style = Style::for_stdout();
    // Typed replies are on the screen already; piped ones are shown.
    let show_replies = !io::stdin().is_terminal();
    let mut buf = vec![0; RECV_BUFFER];
    let (mut received, mut replied) = (0u64, 0u64);
    loop {
        // qq_msg, addr = recvfrom(...)
        let datagram = socket.recv_from(&mut buf);
        if shutdown.requested() {
            break; // woken by Ctrl-C's empty datagram
        }
        let (n, peer) = match datagram {
            Ok(datagram) => datagram,
            Err(e) => {
                log!("receive failed: {}", cli::describe(&e));
                thread::sleep(ERROR_PAUSE);
                continue;
            }
        };
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

// ------------------------------------------------------------ client

fn client(net: &NetArgs<8081>, args: &ClientArgs) -> Result<(), Failure> {
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
        loop {
            let message = match input.next(">>: ") {
                Line::Text(message) => message,
                Line::End | Line::Interrupted => return Ok(()),
            };
            if message == QUIT {
                break;
            }
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

        let deadline = Instant::now() + self.timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            socket.socket().set_read_timeout(Some(left))?;
            match socket.recv_from(&mut self.buf) {
                Ok((n, from)) => {
                    println!("{}", self.style.line(from, &self.buf[..n]));
                    if from == peer {
                        return Ok(true);
                    }
                    // Someone else wrote to us: shown, and the wait goes on.
                }
                Err(e) if is_no_reply(&e) => return Ok(false),
                Err(e) => {
                    return Err(Failure::runtime(format!(
                        "receive failed: {}",
                        cli::describe(&e)
                    )))
                }
            }
        }
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

/// A timeout, or a "port unreachable" that some systems report on the next
/// receive: either way, no reply.
fn is_no_reply(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock
            | io::ErrorKind::TimedOut
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionReset
    )
}
