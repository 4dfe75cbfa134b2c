//! The sticky-packet lesson (粘包): TCP delivers a stream of bytes, not
//! messages.
//!
//! The Python lesson shows two cases. Case 1 (情形一): the client sends
//! `hello`, `world` and `egon` quickly, and the server's one `recv(1024)`
//! returns `b'helloworldegon'`. Case 2 (情形二): the client sends
//! `helloworldegon` once, and the server's `recv(1)`, `recv(5)`, `recv(1)`
//! return `b'h'`, `b'ellow'`, `b'o'`, leaving the rest in the buffer.
//!
//! In the lesson whether the sends stick depends on timing. Here every
//! receiver first waits until all the sender's bytes are in its receive
//! buffer (looking with `MSG_PEEK`, taking nothing), so the result is the
//! same every run. Each case then runs three ways: plain TCP as in the
//! lesson; TCP with the 4-byte length prefix of `common` (every message
//! arrives whole); and UDP (every datagram arrives whole, or loses its tail).
//!
//! Run everything in one process, or the two ends in two terminals:
//!
//! ```text
//! cargo run -p sticky_demo
//! terminal 1:  cargo run -p sticky_demo -- server --case 1
//! terminal 2:  cargo run -p sticky_demo -- client --case 1
//! ```

use std::io::{self, Read, Write};
use std::net::{
    Ipv4Addr, Ipv6Addr, Shutdown as Direction, SocketAddr, TcpListener, TcpStream, UdpSocket,
};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use common::datagram::RECV_BUFFER;
use common::show::{byte_count, python_bytes, python_bytes_cut, Table};
use common::trace::{Traced, TracedUdp};
use common::wire::{read_frame, write_frame, WireError, PREFIX_LEN};
use harness::cli::{self, Failure, NetArgs};
use harness::log;
use harness::stop::Stop;
use sticky_demo::{peek_now, wait_until_buffered, SmallReads};

/// The lesson's `buffer_size`: the most one `recv` takes.
const BUFFER_SIZE: usize = 1024;

/// The receive sizes of case 2: `recv(1)`, `recv(5)`, `recv(1)`.
const CASE_2_SIZES: &[usize] = &[1, 5, 1];

/// How many bytes of one received message a table row shows.
const SHOWN: usize = 64;

/// The largest frame a framed receiver accepts unless told otherwise.
const MAX_FRAME: usize = 64 * 1024;

/// A framed receiver stops after this many frames (the lesson sends three).
const MAX_FRAMES: usize = 16;

/// How long a receiver waits for all the sender's bytes to be in its
/// buffer before its first `recv`; it goes on with what is there after that.
const SETTLE: Duration = Duration::from_secs(2);

#[derive(Debug, Parser)]
#[command(
    version,
    about = "The sticky-packet lesson (粘包): three quick sends read by one recv(1024) \
             as b'helloworldegon' (case 1), one send read by recv(1), recv(5), recv(1) \
             (case 2); then the same with a 4-byte length prefix, and over UDP.",
    after_help = "Examples:\n  \
        sticky_demo                               # every case, in one process, over loopback\n  \
        sticky_demo --case 2 --mode udp           # one case, one way\n  \
        sticky_demo --trace                       # also dump every send and receive (stderr)\n\n\
        The two ends in two terminals, like the lesson:\n  \
        sticky_demo server --case 1               # terminal 1: prints `listening on ADDR`\n  \
        sticky_demo client --case 1               # terminal 2\n  \
        sticky_demo server --case 2 --mode framed # the fix: a 4-byte length before each message\n\n\
        Every receiver waits until all the sender's bytes are in its receive buffer\n\
        before its first recv, so the output is the same every run.\n",
    args_conflicts_with_subcommands = true
)]
struct Args {
    #[command(subcommand)]
    role: Option<Role>,

    /// Run only this case (default: both).
    #[arg(long, value_enum)]
    case: Option<Case>,

    /// Run only this way of sending (default: all three).
    #[arg(long, value_enum)]
    mode: Option<Mode>,

    /// Print every send and receive to stderr (hex + ASCII).
    #[arg(long)]
    trace: bool,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// The receiving end of one case, like the lesson's server: accepts one
    /// client (or waits for its datagrams), reads, prints what each recv got.
    #[command(after_help = "Example:\n  \
        sticky_demo server --case 1             # terminal 1: prints `listening on ADDR`\n  \
        sticky_demo client --case 1             # terminal 2: the server's recv(1024) gets all three\n")]
    Server(ServerArgs),
    /// The sending end of one case, like the lesson's client: connects,
    /// sends the case's messages, closes.
    #[command(after_help = "Example:\n  \
        sticky_demo client --case 2 --mode udp  # to `sticky_demo server --case 2 --mode udp`\n")]
    Client(ClientArgs),
}

#[derive(Debug, clap::Args)]
struct ServerArgs {
    #[command(flatten)]
    net: NetArgs<8080>,

    #[command(flatten)]
    exchange: Exchange,

    /// Refuse a frame longer than this (framed mode).
    #[arg(long, default_value_t = MAX_FRAME, value_name = "BYTES")]
    max_frame: usize,
}

#[derive(Debug, clap::Args)]
struct ClientArgs {
    #[command(flatten)]
    net: NetArgs<8080>,

    #[command(flatten)]
    exchange: Exchange,

    /// Switch off Nagle's algorithm (TCP_NODELAY): each send leaves at once
    /// in a segment of its own. The server still sees one stream.
    #[arg(long)]
    nodelay: bool,
}

/// Which exchange the two ends run; both must say the same.
#[derive(Debug, clap::Args)]
struct Exchange {
    /// Which case of the lesson.
    #[arg(long, value_enum)]
    case: Case,

    /// How the messages travel.
    #[arg(long, value_enum, default_value_t = Mode::Raw)]
    mode: Mode,

    /// Give up on connecting, or on bytes from the other end, after this
    /// many seconds.
    #[arg(long, default_value_t = 10, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Case {
    /// 情形一: `hello`, `world`, `egon` sent quickly, read with recv(1024).
    #[value(name = "1")]
    One,
    /// 情形二: `helloworldegon` sent once, read with recv(1), recv(5), recv(1).
    #[value(name = "2")]
    Two,
}

impl Case {
    /// What the sender sends, one element per `send`.
    fn messages(self) -> &'static [&'static [u8]] {
        match self {
            Case::One => &[b"hello", b"world", b"egon"],
            Case::Two => &[b"helloworldegon"],
        }
    }

    /// The size of each `recv` of the receiver.
    fn recv_sizes(self) -> &'static [usize] {
        match self {
            Case::One => &[BUFFER_SIZE; 3],
            Case::Two => CASE_2_SIZES,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// Plain TCP, as in the lesson: the messages stick together.
    Raw,
    /// TCP with a 4-byte length before each message (struct.pack('i', n)).
    Framed,
    /// UDP datagrams: boundaries kept, but a short buffer loses data.
    Udp,
}

impl Mode {
    /// How many bytes the sender of `case` puts on the wire in this mode.
    fn wire_len(self, case: Case) -> usize {
        let per_message = if self == Mode::Framed { PREFIX_LEN } else { 0 };
        case.messages().iter().map(|m| per_message + m.len()).sum()
    }
}

/// One line of a table: what was called, and what came of it.
type Step = [String; 2];

fn step(call: impl Into<String>, result: impl Into<String>) -> Step {
    [call.into(), result.into()]
}

fn title(mode: Mode, case: Case) -> String {
    let (number, what) = match case {
        Case::One => ("1 (情形一)", "three quick sends"),
        Case::Two => ("2 (情形二)", "one send, small receives"),
    };
    let how = match mode {
        Mode::Raw => "plain TCP, as in the lesson",
        Mode::Framed => "TCP with a 4-byte length prefix (the fix)",
        Mode::Udp => "UDP datagrams",
    };
    format!("case {number}: {what}, over {how}")
}

fn why(mode: Mode, case: Case) -> &'static str {
    match (mode, case) {
        (Mode::Raw, Case::One) => {
            "TCP is a byte stream: the three sends lay together in the receive buffer, \
             and one recv(1024) takes all that is there, up to 1024 bytes."
        }
        (Mode::Raw, Case::Two) => {
            "recv(n) takes at most n bytes of the stream and leaves the rest for the next \
             recv, so a message can be cut anywhere."
        }
        (Mode::Framed, Case::One) => {
            "each message goes out as its 4-byte length, then its bytes; read_frame reads \
             the length, then exactly that many bytes, so every message comes out whole."
        }
        (Mode::Framed, Case::Two) => {
            "read_frame keeps calling recv until it has the whole message, however few \
             bytes each recv returns (here the lesson's 1, 5, 1, ...)."
        }
        (Mode::Udp, Case::One) => {
            "UDP keeps message boundaries: each sendto is one datagram, and each \
             recvfrom returns exactly one."
        }
        (Mode::Udp, Case::Two) => {
            "a datagram is taken by one recvfrom: what does not fit its buffer is \
             thrown away, not kept for the next call."
        }
    }
}

fn main() -> ExitCode {
    cli::quiet_on_closed_pipe();
    cli::exit_code(run(Args::parse()))
}

fn run(args: Args) -> Result<(), Failure> {
    match args.role {
        None => in_one_process(args.case, args.mode, args.trace),
        Some(Role::Server(server)) => serve(&server),
        Some(Role::Client(client)) => send(&client),
    }
}

// ------------------------------------------------------------ the sender

/// The lesson's client over TCP: one `send` per message, or one frame per
/// message when `framed`.
fn send_tcp(conn: &mut impl Write, case: Case, framed: bool) -> Result<Vec<Step>, WireError> {
    let mut steps = Vec::new();
    for message in case.messages() {
        if framed {
            write_frame(conn, message)?;
            steps.push(step(
                format!("write_frame({})", python_bytes(message)),
                format!("{PREFIX_LEN} + {}", byte_count(message.len())),
            ));
        } else {
            conn.write_all(message)?;
            steps.push(step(
                format!("send({})", python_bytes(message)),
                byte_count(message.len()),
            ));
        }
    }
    Ok(steps)
}

/// The lesson's client over UDP: one `sendto` per message.
fn send_udp(socket: &TracedUdp, to: SocketAddr, case: Case) -> io::Result<Vec<Step>> {
    let mut steps = Vec::new();
    for message in case.messages() {
        socket.send_to(message, to)?;
        steps.push(step(
            format!("sendto({})", python_bytes(message)),
            byte_count(message.len()),
        ));
    }
    Ok(steps)
}

// ---------------------------------------------------------- the receiver

/// What every receiver needs to know.
#[derive(Debug, Clone, Copy)]
struct Receiving {
    trace: bool,
    timeout: Duration,
    max_frame: usize,
}

/// The lesson's server over TCP. First it waits until the sender's bytes
/// are all buffered (so the outcome does not depend on timing), then it
/// reads as the case says, adding a step per `recv`.
fn receive_tcp(
    stream: &TcpStream,
    peer: SocketAddr,
    mode: Mode,
    case: Case,
    settings: Receiving,
    steps: &mut Vec<Step>,
) -> Result<(), Failure> {
    let expected = mode.wire_len(case);
    let waiting = wait_until_buffered(stream, expected, SETTLE)?;
    if waiting < expected {
        steps.push(step(
            format!(
                "(after {} s, {waiting} of the {expected} bytes had arrived)",
                SETTLE.as_secs()
            ),
            "",
        ));
    }
    let conn = Traced::new(stream, peer, settings.trace);
    if mode == Mode::Framed {
        receive_frames(conn, case, settings, steps)
    } else {
        receive_raw(conn, case, settings, steps)
    }
}

/// Plain `recv`s of the case's sizes, then a look at what is left.
fn receive_raw(
    mut conn: Traced<&TcpStream>,
    case: Case,
    settings: Receiving,
    steps: &mut Vec<Step>,
) -> Result<(), Failure> {
    for &size in case.recv_sizes() {
        let mut buf = vec![0; size];
        let n = conn
            .read(&mut buf)
            .map_err(|e| read_failure(&e, settings.timeout))?;
        let note = if n == 0 {
            ": the sender has closed"
        } else {
            ""
        };
        steps.push(step(
            format!("recv({size}) → {}", python_bytes_cut(&buf[..n], SHOWN)),
            format!("{}{note}", byte_count(n)),
        ));
    }
    let left = peek_now(conn.get_ref(), BUFFER_SIZE)?;
    if !left.is_empty() {
        steps.push(step(
            format!("still in the buffer: {}", python_bytes_cut(&left, SHOWN)),
            format!("{}, for the next recv", byte_count(left.len())),
        ));
    }
    Ok(())
}

/// `read_frame` until the sender closes. In case 2 every `recv` under it
/// is as small as the lesson's (1, 5, 1, ...), and the message still
/// arrives whole.
fn receive_frames(
    conn: Traced<&TcpStream>,
    case: Case,
    settings: Receiving,
    steps: &mut Vec<Step>,
) -> Result<(), Failure> {
    let sizes = if case == Case::Two {
        CASE_2_SIZES
    } else {
        &[BUFFER_SIZE]
    };
    let mut reader = SmallReads::new(conn, sizes);
    for number in 1..=MAX_FRAMES {
        let reads_before = reader.taken().len();
        match read_frame(&mut reader, settings.max_frame) {
            Ok(message) => {
                let mut result = byte_count(message.len());
                if case == Case::Two {
                    let reads = &reader.taken()[reads_before..];
                    result += &format!(", from recvs of {}", pieces(reads));
                }
                steps.push(step(
                    format!("read_frame → {}", python_bytes_cut(&message, SHOWN)),
                    result,
                ));
            }
            Err(WireError::Closed) => {
                steps.push(step("read_frame → end of stream", "the sender has closed"));
                return Ok(());
            }
            Err(WireError::Io(e)) => return Err(read_failure(&e, settings.timeout)),
            Err(e) => return Err(Failure::runtime(format!("frame {number}: {e}"))),
        }
    }
    steps.push(step(format!("(stopped after {MAX_FRAMES} frames)"), ""));
    Ok(())
}

/// The lesson's server over UDP: one `recvfrom` of each of the case's
/// sizes. Each datagram's real size is learnt first with `MSG_PEEK`, so a
/// step can say how much a short buffer lost. The first datagram is
/// awaited as long as the socket's timeout says; the others for `timeout`.
fn receive_udp(
    socket: &TracedUdp,
    case: Case,
    timeout: Duration,
    shutdown: &Stop,
    steps: &mut Vec<Step>,
) -> Result<(), Failure> {
    let mut whole = vec![0; RECV_BUFFER]; // enough to learn any datagram's real size
    let sizes = case.recv_sizes();
    // Case 2 sends one datagram: the first recvfrom takes it, and the
    // others find nothing of it left.
    let datagrams = if case == Case::Two { 1 } else { sizes.len() };
    let mut lost = 0;
    for &size in &sizes[..datagrams] {
        // A signal interrupts a wait on a socket with a timeout (EINTR, even
        // with SA_RESTART): wait again, for the datagram or for the empty one
        // the shutdown sends.
        let peeked = loop {
            match socket.socket().peek_from(&mut whole) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let (full, _) = peeked.map_err(|e| wait_failure(&e, timeout))?;
        if shutdown.requested() {
            steps.push(step("(stopped by Ctrl-C)", ""));
            return Ok(());
        }
        let mut buf = vec![0; size];
        let (n, _) = socket.recv_from(&mut buf)?;
        socket.socket().set_read_timeout(Some(timeout))?;
        lost = full.saturating_sub(n);
        let result = if lost > 0 {
            format!("{n} of a {full}-byte datagram: {} lost", byte_count(lost))
        } else {
            byte_count(n)
        };
        steps.push(step(
            format!("recvfrom({size}) → {}", python_bytes_cut(&buf[..n], SHOWN)),
            result,
        ));
    }
    if let Some(&next) = sizes.get(datagrams) {
        socket.socket().set_nonblocking(true)?;
        let waiting = socket.socket().peek_from(&mut whole);
        socket.socket().set_nonblocking(false)?;
        steps.push(match waiting {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && lost > 0 => step(
                format!("recvfrom({next}) → nothing waiting"),
                format!("the other {} went with the datagram", byte_count(lost)),
            ),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => step(
                format!("recvfrom({next}) → nothing waiting"),
                "no other datagram was sent",
            ),
            Err(e) => return Err(e.into()),
            Ok((n, _)) => step(
                format!("recvfrom({next}) → the next datagram ({})", byte_count(n)),
                "a new message, not the rest of the first",
            ),
        });
    }
    Ok(())
}

/// The sizes of the `recv`s behind one frame, the prefix's apart:
/// `1+3 (length), then 1+5+1+5+1+1 (message)`.
fn pieces(reads: &[usize]) -> String {
    let mut total = 0;
    let split = reads
        .iter()
        .position(|&n| {
            total += n;
            total >= PREFIX_LEN
        })
        .map_or(reads.len(), |i| i + 1);
    let join = |part: &[usize]| {
        part.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("+")
    };
    format!(
        "{} bytes (length), then {} (message)",
        join(&reads[..split]),
        join(&reads[split..])
    )
}

fn read_failure(e: &io::Error, timeout: Duration) -> Failure {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Failure::runtime(format!(
            "the sender sent nothing more for {} s and did not close (--timeout)",
            timeout.as_secs()
        )),
        _ => Failure::runtime(cli::describe(e)),
    }
}

fn wait_failure(e: &io::Error, timeout: Duration) -> Failure {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Failure::runtime(format!(
            "no further datagram came within {} s (--timeout)",
            timeout.as_secs()
        )),
        _ => Failure::runtime(cli::describe(e)),
    }
}

// ------------------------------------------------------ printing results

/// Sender and receiver side by side, then the one line on why.
fn print_exchange(mode: Mode, case: Case, sent: &[Step], received: &[Step]) {
    let mut table = Table::new(&["sender", "", "receiver", ""]);
    for i in 0..sent.len().max(received.len()) {
        let mut row: Vec<String> = sent.get(i).cloned().unwrap_or_default().into();
        row.extend(received.get(i).cloned().unwrap_or_default());
        table.row(row);
    }
    println!("{}", title(mode, case));
    print!("{}", table.render("  "));
    println!("  why: {}\n", why(mode, case));
}

/// One side's steps, then the one line on why.
fn print_side(heading: &str, mode: Mode, case: Case, steps: &[Step]) {
    let mut table = Table::new(&[heading, ""]);
    for s in steps {
        table.row(s.clone());
    }
    println!("{}", title(mode, case));
    print!("{}", table.render("  "));
    println!("  why: {}", why(mode, case));
    let _ = io::stdout().flush();
}

// ------------------------------------------------- everything in-process

/// Every chosen case, each way, over loopback in this one process.
fn in_one_process(case: Option<Case>, mode: Option<Mode>, trace: bool) -> Result<(), Failure> {
    println!("sticky_demo: the sticky-packet lesson (粘包), over loopback in one process.");
    println!("Each receiver waits until every byte of its sender is in its receive buffer,");
    println!("then reads: what you see below is the same every run.\n");
    let settings = Receiving {
        trace,
        timeout: Duration::from_secs(10),
        max_frame: MAX_FRAME,
    };
    for m in [Mode::Raw, Mode::Framed, Mode::Udp] {
        for c in [Case::One, Case::Two] {
            if mode.is_some_and(|chosen| chosen != m) || case.is_some_and(|chosen| chosen != c) {
                continue;
            }
            if m == Mode::Udp {
                exchange_udp(c, settings)?;
            } else {
                exchange_tcp(m, c, settings)?;
            }
        }
    }
    Ok(())
}

/// One TCP exchange: the sender sends everything and closes; only then
/// does the receiver read.
fn exchange_tcp(mode: Mode, case: Case, settings: Receiving) -> Result<(), Failure> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let sender = TcpStream::connect(listener.local_addr()?)?;
    // Nagle's algorithm off: the sender does not merge the sends, so what
    // sticks them together is the receiving side alone.
    sender.set_nodelay(true)?;
    let (receiver, sender_addr) = listener.accept()?;
    receiver.set_read_timeout(Some(settings.timeout))?;

    let mut conn = Traced::new(&sender, receiver.local_addr()?, settings.trace);
    let sent = send_tcp(&mut conn, case, mode == Mode::Framed).map_err(io::Error::from)?;
    drop(sender);

    let mut received = Vec::new();
    let outcome = receive_tcp(&receiver, sender_addr, mode, case, settings, &mut received);
    print_exchange(mode, case, &sent, &received);
    outcome
}

/// One UDP exchange: the datagrams are sent, then received.
fn exchange_udp(case: Case, settings: Receiving) -> Result<(), Failure> {
    let receiver = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    receiver.set_read_timeout(Some(settings.timeout))?;
    let sender = TracedUdp::new(UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?, settings.trace);
    let sent = send_udp(&sender, receiver.local_addr()?, case)?;

    let mut received = Vec::new();
    let receiver = TracedUdp::new(receiver, settings.trace);
    let outcome = receive_udp(
        &receiver,
        case,
        settings.timeout,
        &Stop::new(),
        &mut received,
    );
    print_exchange(Mode::Udp, case, &sent, &received);
    outcome
}

// ------------------------------------------------ the two ends, apart

/// `sticky_demo server`: receives one exchange, prints it, exits.
fn serve(args: &ServerArgs) -> Result<(), Failure> {
    let Exchange {
        case,
        mode,
        timeout,
    } = args.exchange;
    let settings = Receiving {
        trace: args.net.trace,
        timeout: Duration::from_secs(timeout),
        max_frame: args.max_frame,
    };
    let shutdown = Stop::on_ctrl_c()?;
    let client = format!(
        "sticky_demo client --case {} --mode {}",
        arg_name(case),
        arg_name(mode)
    );

    if mode == Mode::Udp {
        // socket(AF_INET, SOCK_DGRAM) + bind()
        let socket = args.net.bind_udp()?;
        shutdown.wake_udp_on_trigger(&socket)?;
        socket.set_read_timeout(None)?;
        cli::announce_listening(socket.local_addr()?);
        log!("waiting for the datagrams of `{client}`");
        let socket = TracedUdp::new(socket, settings.trace);
        let mut steps = Vec::new();
        let outcome = receive_udp(&socket, case, settings.timeout, &shutdown, &mut steps);
        print_side("receiver", mode, case, &steps);
        return outcome;
    }

    // socket() + bind() + listen(), then one accept() as in the lesson
    let listener = args.net.bind_tcp()?;
    shutdown.wake_on_trigger(&listener)?;
    cli::announce_listening(listener.local_addr()?);
    log!("waiting for one client: `{client}`");
    let (stream, peer) = listener.accept()?;
    if shutdown.requested() {
        log!("stopped before a client came");
        return Ok(());
    }
    let _tracked = shutdown.track(&stream)?;
    log!("{peer} connected");
    stream.set_read_timeout(Some(settings.timeout))?;
    let mut steps = Vec::new();
    let outcome = receive_tcp(&stream, peer, mode, case, settings, &mut steps);
    print_side("receiver", mode, case, &steps);
    outcome
}

/// `sticky_demo client`: sends one exchange, prints it, closes.
fn send(args: &ClientArgs) -> Result<(), Failure> {
    let Exchange {
        case,
        mode,
        timeout,
    } = args.exchange;
    let steps = if mode == Mode::Udp {
        let to = args.net.addrs()?[0];
        let any: SocketAddr = match to {
            SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let socket = TracedUdp::new(UdpSocket::bind(any)?, args.net.trace);
        send_udp(&socket, to, case)?
    } else {
        // socket() + connect()
        let stream = args.net.connect_tcp(Duration::from_secs(timeout))?;
        stream.set_nodelay(args.nodelay)?;
        let mut conn = Traced::new(&stream, stream.peer_addr()?, args.net.trace);
        let steps = send_tcp(&mut conn, case, mode == Mode::Framed).map_err(io::Error::from)?;
        // Closing tells the server there is nothing more (its recv gets
        // b''). A server that has already gone (having read what it wanted)
        // makes this fail, and that is no failure of ours.
        let _ = stream.shutdown(Direction::Write);
        steps
    };
    print_side("sender", mode, case, &steps);
    Ok(())
}

/// The name a value has on the command line (`1`, `framed`).
fn arg_name(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .expect("every Case and Mode has a name")
        .get_name()
        .to_string()
}
