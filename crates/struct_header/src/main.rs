//! The fixed-length header lesson: `struct.pack('i', n)` turns a number
//! into exactly 4 bytes, so a receiver can first `recv(4)`, learn how long
//! the message is, then read exactly that much — the cure for sticky
//! packets.
//!
//! The lesson packs `12` into `b'\x0c\x00\x00\x00'`, shows that a number
//! outside the signed 32-bit range fails (`struct.error: 'i' format requires
//! -2147483648 <= number <= 2147483647`), and so, for a 1 TB file, packs
//! not the size but the length of a JSON header that carries the size.
//! This binary does each of those steps:
//!
//! ```text
//! struct_header pack 12                 # b'\x0c\x00\x00\x00', and network order beside it
//! struct_header unpack 0c 00 00 00      # (12,)
//! struct_header header                  # the lesson's header for a 1 TB file
//! struct_header demo                    # one JSON-headed message over loopback
//! ```
//!
//! and runs the two ends of one message in two terminals:
//!
//! ```text
//! terminal 1:  cargo run -p struct_header -- server
//! terminal 2:  cargo run -p struct_header -- client
//! ```

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown as Direction, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use common::show::{byte_count, python_bytes, spaced_hex, Table};
use common::trace::{hex_dump, Traced};
use common::wire::{encode_prefix, read_prefix, recv_exact, write_json_header, WireError};
use common::DEFAULT_MAX_HEADER;
use harness::cli::{self, Failure, NetArgs};
use harness::log;
use harness::stop::Stop;
use struct_header::{
    native_order, pack_native, pack_network, parse_bytes, parse_int, python_dict, python_json,
    unpack, FileHeader, PackError, INT_SIZE,
};

/// The lesson's 1 TB file: `{'file_size': 1073741824000, ...}`.
const LESSON_FILE_SIZE: u64 = 1_073_741_824_000;
const LESSON_FILE_NAME: &str = "/a/b/c/d/e/a.txt";
const LESSON_MD5: &str = "8f6fbf8347faa4924a76856701edb0f3";

/// What `client` and `demo` send when not given a file.
const GREETING_NAME: &str = "hello.txt";
const GREETING: &[u8] = "hello from struct_header, 你好\n".as_bytes();

/// How many bytes of a file body the receiver shows.
const PREVIEW: usize = 48;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "The fixed-length header lesson: struct.pack('i', n) gives 4 bytes whatever n \
             is, so a receiver can read the length first, then exactly the message.",
    after_help = "Examples:\n  \
        struct_header pack 12                  # b'\\x0c\\x00\\x00\\x00' (little-endian) and network order\n  \
        struct_header pack 2147483648          # struct.error: 'i' format requires ... (exit 2)\n  \
        struct_header unpack 0c 00 00 00       # (12,)\n  \
        struct_header unpack 'b\"h\\x00\\x00\\x00\"'  # as Python prints it: (104,)\n  \
        struct_header header                   # the lesson's JSON header for a 1 TB file\n  \
        struct_header demo --trace             # one JSON-headed message over loopback\n\n\
        The two ends of one message, in two terminals:\n  \
        struct_header server                   # terminal 1: prints `listening on ADDR`\n  \
        struct_header client notes.txt         # terminal 2: sends the file with its header\n"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// struct.pack('i', N): the 4 bytes of N, beside network order ('!i').
    #[command(
        allow_negative_numbers = true,
        after_help = "Examples:\n  struct_header pack 12\n  struct_header pack -1\n"
    )]
    Pack {
        /// A decimal integer; it must fit 4 signed bytes.
        number: String,
    },
    /// struct.unpack('i', BYTES): 4 bytes back to a number.
    #[command(after_help = "Examples:\n  \
        struct_header unpack 0c000000\n  \
        struct_header unpack 0c 00 00 00\n  \
        struct_header unpack 'b\"\\x0c\\x00\\x00\\x00\"'\n")]
    Unpack {
        /// Exactly 4 bytes, as hex (0c000000, 0c 00 00 00) or as Python
        /// prints them (b'\x0c\x00\x00\x00', \x0c\x00\x00\x00; quote it
        /// for the shell).
        #[arg(required = true, num_args = 1.., value_name = "BYTES")]
        bytes: Vec<String>,
    },
    /// The lesson's JSON header for a 1 TB file: its bytes and its 4-byte
    /// prefix, and why the size itself is not packed with 'i'.
    Header {
        /// file_size in the header.
        #[arg(long, default_value_t = LESSON_FILE_SIZE)]
        file_size: u64,
        /// file_name in the header.
        #[arg(long, default_value = LESSON_FILE_NAME)]
        file_name: String,
        /// md5 in the header.
        #[arg(long, default_value = LESSON_MD5)]
        md5: String,
    },
    /// Sends one JSON-headed message over loopback and reads it back, with
    /// the framing of `common`.
    Demo {
        /// Print every send and receive to stderr (hex + ASCII).
        #[arg(long)]
        trace: bool,
    },
    /// Receives one JSON-headed message: recv(4), the header, the file.
    #[command(after_help = "Example:\n  \
        struct_header server                   # terminal 1: prints `listening on ADDR`\n  \
        struct_header client notes.txt         # terminal 2\n")]
    Server(ServerArgs),
    /// Sends one JSON-headed message: a file, or a short greeting.
    #[command(after_help = "Example:\n  \
        struct_header client notes.txt         # to `struct_header server` in another terminal\n")]
    Client(ClientArgs),
}

#[derive(Debug, clap::Args)]
struct ServerArgs {
    #[command(flatten)]
    net: NetArgs<8080>,

    /// Refuse a header longer than this.
    #[arg(long, default_value_t = DEFAULT_MAX_HEADER, value_name = "BYTES")]
    max_header: usize,

    /// Give up on a client that sends nothing for this many seconds.
    #[arg(long, default_value_t = 10, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
}

#[derive(Debug, clap::Args)]
struct ClientArgs {
    #[command(flatten)]
    net: NetArgs<8080>,

    /// The file to send (default: a short greeting as hello.txt).
    file: Option<PathBuf>,

    /// Give up on connecting after this many seconds.
    #[arg(long, default_value_t = 10, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
}

fn main() -> ExitCode {
    cli::quiet_on_closed_pipe();
    cli::exit_code(run(Args::parse()))
}

fn run(args: Args) -> Result<(), Failure> {
    match args.command {
        Command::Pack { number } => pack(&number),
        Command::Unpack { bytes } => unpack_bytes(&bytes.join(" ")),
        Command::Header {
            file_size,
            file_name,
            md5,
        } => {
            header(&FileHeader {
                file_size,
                file_name,
                md5: Some(md5),
            });
            Ok(())
        }
        Command::Demo { trace } => demo(trace),
        Command::Server(args) => serve(&args),
        Command::Client(args) => send(&args),
    }
}

/// `struct.error: ...` as a usage error: the number was the user's.
fn struct_error(why: impl std::fmt::Display) -> Failure {
    Failure::usage(format!("struct.error: {why}"))
}

// ------------------------------------------------------ pack and unpack

/// `struct.pack('i', n)` beside `struct.pack('!i', n)`.
fn pack(text: &str) -> Result<(), Failure> {
    let n = parse_int(text).map_err(|e| match e {
        PackError::OutOfRange => {
            struct_error(format!("{e} ({} does not fit 4 signed bytes)", text.trim()))
        }
        PackError::NotAnInteger => struct_error(format!("{e} ({text:?})")),
    })?;
    let mut table = Table::new(&[]);
    for (call, bytes, order) in [
        (
            format!("struct.pack('i', {n})"),
            pack_native(n),
            format!("native order: {}, what the lessons send", native_order()),
        ),
        (
            format!("struct.pack('!i', {n})"),
            pack_network(n),
            "network order: big-endian".to_string(),
        ),
    ] {
        table.row([call, python_bytes(&bytes), spaced_hex(&bytes), order]);
    }
    print!("{}", table.render(""));
    println!("always {INT_SIZE} bytes, whatever the number: struct.calcsize('i') == {INT_SIZE}");
    Ok(())
}

/// `struct.unpack('i', b)` beside `struct.unpack('!i', b)`.
fn unpack_bytes(text: &str) -> Result<(), Failure> {
    let bytes = parse_bytes(text).map_err(Failure::usage)?;
    let (native, network) = unpack(&bytes).map_err(|e| {
        struct_error(format!(
            "{e} (got {}: {})",
            bytes.len(),
            python_bytes(&bytes)
        ))
    })?;
    let mut table = Table::new(&[]);
    table.row([
        "bytes".to_string(),
        python_bytes(&bytes),
        spaced_hex(&bytes),
    ]);
    table.row([
        "struct.unpack('i', bytes)".to_string(),
        format!("({native},)"),
        format!("native order: {}", native_order()),
    ]);
    table.row([
        "struct.unpack('!i', bytes)".to_string(),
        format!("({network},)"),
        "network order: big-endian".to_string(),
    ]);
    print!("{}", table.render(""));
    Ok(())
}

// ------------------------------------------------------------ the header

/// The lesson's header, built and shown as Python would send it.
fn header(header: &FileHeader) {
    let head_bytes = python_json(header);
    let head_len_bytes =
        encode_prefix(head_bytes.len()).expect("a header from the command line fits i32");
    println!("header = {}\n", python_dict(header));
    println!(
        "head_bytes = json.dumps(header).encode('utf-8')   {}",
        byte_count(head_bytes.len())
    );
    println!("  {}", String::from_utf8_lossy(&head_bytes));
    print!("{}", hex_dump(&head_bytes));
    println!(
        "head_len_bytes = struct.pack('i', {})   {}   {}\n",
        head_bytes.len(),
        python_bytes(&head_len_bytes),
        spaced_hex(&head_len_bytes)
    );
    println!("On the wire, in this order:");
    let mut wire = Table::new(&[]);
    wire.row([
        format!("[{}]", spaced_hex(&head_len_bytes)),
        format!("{INT_SIZE} bytes"),
        "recv(4), then struct.unpack('i', ...) says how long the header is".to_string(),
    ]);
    wire.row([
        "[{\"file_size\": ...}]".to_string(),
        byte_count(head_bytes.len()),
        "recv(that many), then json.loads: the header".to_string(),
    ]);
    wire.row([
        "[the file]".to_string(),
        byte_count(usize::try_from(header.file_size).unwrap_or(usize::MAX)),
        "recv until file_size bytes have come".to_string(),
    ]);
    print!("{}", wire.render("  "));

    let compact = serde_json::to_vec(header).expect("a header serializes");
    println!(
        "\n(common::write_json_header writes the same object without the spaces, {}: \
         either is valid JSON, and the prefix always says how many bytes to read.)\n",
        byte_count(compact.len())
    );
    match parse_int(&header.file_size.to_string()) {
        Err(e) => {
            println!(
                "Why a JSON header: struct.pack('i', {}) fails:",
                header.file_size
            );
            println!("  struct.error: {e}");
            println!(
                "so the size rides inside the JSON, and only the header's length, {}, \
                 is packed into 4 bytes.",
                head_bytes.len()
            );
        }
        Ok(_) => println!(
            "This file_size would fit 'i', but a file of 2 GiB or more would not \
             ({} at most); the JSON header has room for any size, and for the name and md5.",
            i32::MAX
        ),
    }
}

// ---------------------------------------------------- one whole message

/// One line of a table: what was called, and what came of it.
type Step = [String; 3];

/// The lesson's sender: `struct.pack('i', len(head_bytes))`, the header,
/// then `sendall` of the file. Prefix and header go out in one write
/// (`write_json_header`), so Nagle never holds the header back.
fn send_message(
    conn: &mut impl Write,
    header: &FileHeader,
    body: &mut impl Read,
) -> Result<Vec<Step>, Failure> {
    let head_bytes = serde_json::to_vec(header).expect("a header serializes");
    let prefix = encode_prefix(head_bytes.len()).map_err(|e| Failure::runtime(e.to_string()))?;
    write_json_header(conn, header).map_err(|e| Failure::runtime(e.to_string()))?;
    let sent = io::copy(&mut body.take(header.file_size), conn)?;
    if sent < header.file_size {
        return Err(Failure::runtime(format!(
            "the file shrank while it was sent: {sent} of {} bytes",
            header.file_size
        )));
    }
    Ok(vec![
        [
            format!("send(struct.pack('i', {}))", head_bytes.len()),
            python_bytes(&prefix),
            byte_count(INT_SIZE),
        ],
        [
            "send(head_bytes)".to_string(),
            python_bytes(&head_bytes),
            byte_count(head_bytes.len()),
        ],
        [
            "sendall(file)".to_string(),
            header.file_name.clone(),
            byte_count(to_usize(sent)),
        ],
    ])
}

/// The lesson's receiver: `recv(4)` and unpack, `recv` the header and
/// `json.loads` it, then read exactly `file_size` bytes. Each step is added
/// to `steps` as it succeeds, so a bad message shows how far it got.
fn receive_message(
    conn: &mut impl Read,
    max_header: usize,
    steps: &mut Vec<Step>,
) -> Result<FileHeader, WireError> {
    let head_len = read_prefix(conn, max_header).inspect_err(|e| {
        // The four bytes that were read, rebuilt from the number they held.
        let bad = match e {
            WireError::NegativeLength(n) => Some(n.to_le_bytes()),
            WireError::TooLong { len, .. } => i32::try_from(*len).ok().map(i32::to_le_bytes),
            _ => None,
        };
        if let Some(bytes) = bad {
            let n = i32::from_le_bytes(bytes);
            steps.push([
                "recv(4)".into(),
                python_bytes(&bytes),
                format!("struct.unpack('i') → ({n},)"),
            ]);
        }
    })?;
    let prefix = encode_prefix(head_len).expect("a length read from 4 bytes fits them");
    steps.push([
        "recv(4)".into(),
        python_bytes(&prefix),
        format!("struct.unpack('i') → ({head_len},): the header's length"),
    ]);

    let head_bytes = recv_exact(conn, head_len)?;
    let header: FileHeader =
        serde_json::from_slice(&head_bytes).map_err(|e| WireError::BadHeader(e.to_string()))?;
    steps.push([
        format!("recv({head_len})"),
        python_bytes(&head_bytes),
        format!("json.loads → file_size {}", header.file_size),
    ]);

    let mut preview = Preview::default();
    let received = io::copy(&mut conn.take(header.file_size), &mut preview)?;
    if received < header.file_size {
        return Err(WireError::Truncated {
            expected: to_usize(header.file_size),
            received: to_usize(received),
        });
    }
    let mut shown = python_bytes(&preview.head);
    if received > preview.head.len() as u64 {
        shown.push_str(" ...");
    }
    steps.push([
        format!("recv({})", header.file_size),
        shown,
        format!("{}: as file_size said", byte_count(to_usize(received))),
    ]);
    Ok(header)
}

/// Keeps the first [`PREVIEW`] bytes written to it and drops the rest, so
/// a body of any size costs no memory.
#[derive(Debug, Default)]
struct Preview {
    head: Vec<u8>,
}

impl Write for Preview {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = PREVIEW - self.head.len();
        self.head.extend_from_slice(&buf[..buf.len().min(room)]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn print_steps(heading: &str, steps: &[Step]) {
    let mut table = Table::new(&[]);
    for s in steps {
        table.row(s.clone());
    }
    println!("{heading}");
    print!("{}", table.render("  "));
    let _ = io::stdout().flush();
}

/// A wire error while receiving, as the line the receiver ends with.
fn receive_failure(e: WireError, timeout: Duration) -> Failure {
    match e {
        WireError::Io(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Failure::runtime(format!(
                "the client sent nothing for {} s (--timeout)",
                timeout.as_secs()
            ))
        }
        WireError::Io(e) => Failure::runtime(cli::describe(&e)),
        other => Failure::runtime(other.to_string()),
    }
}

// ------------------------------------------------------------ the demo

/// One message over loopback: the client's side sends it and closes, then
/// the server's side reads it back.
fn demo(trace: bool) -> Result<(), Failure> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (server, client_addr) = listener.accept()?;
    let timeout = Duration::from_secs(10);
    server.set_read_timeout(Some(timeout))?;

    let header = FileHeader {
        file_size: GREETING.len() as u64,
        file_name: GREETING_NAME.into(),
        md5: None,
    };
    let mut conn = Traced::new(&client, server.local_addr()?, trace);
    let sent = send_message(&mut conn, &header, &mut &GREETING[..])?;
    drop(client);
    print_steps(
        "client: the 4-byte length, the JSON header, the file",
        &sent,
    );

    let mut steps = Vec::new();
    let mut conn = Traced::new(&server, client_addr, trace);
    let outcome = receive_message(&mut conn, DEFAULT_MAX_HEADER, &mut steps);
    print_steps(
        "server: recv(4), then the header, then exactly file_size bytes",
        &steps,
    );
    let got = outcome.map_err(|e| receive_failure(e, timeout))?;
    println!(
        "\n{} arrived whole: header and file apart, however the bytes were split on the way.",
        got.file_name
    );
    Ok(())
}

// ------------------------------------------------ the two ends, apart

/// `struct_header server`: receives one message, prints it, exits.
fn serve(args: &ServerArgs) -> Result<(), Failure> {
    let timeout = Duration::from_secs(args.timeout);
    // socket() + bind() + listen()
    let listener = args.net.bind_tcp()?;
    let shutdown = Stop::on_ctrl_c()?;
    shutdown.wake_on_trigger(&listener)?;
    cli::announce_listening(listener.local_addr()?);
    log!("waiting for one message: `struct_header client [FILE]`");
    let (stream, peer) = listener.accept()?;
    if shutdown.requested() {
        log!("stopped before a client came");
        return Ok(());
    }
    let _tracked = shutdown.track(&stream)?;
    log!("{peer} connected");
    stream.set_read_timeout(Some(timeout))?;
    let mut conn = Traced::new(&stream, peer, args.net.trace);
    let mut steps = Vec::new();
    let outcome = receive_message(&mut conn, args.max_header, &mut steps);
    print_steps(
        "server: recv(4), then the header, then exactly file_size bytes",
        &steps,
    );
    let header = outcome.map_err(|e| receive_failure(e, timeout))?;
    log!(
        "{peer} sent {:?}: {}, whole",
        header.file_name,
        byte_count(to_usize(header.file_size))
    );
    Ok(())
}

/// `struct_header client`: sends one file (or the greeting), then closes.
fn send(args: &ClientArgs) -> Result<(), Failure> {
    let (header, mut body): (FileHeader, Box<dyn Read>) = match &args.file {
        Some(path) => {
            let file = File::open(path).map_err(|e| {
                Failure::usage(format!(
                    "cannot open {}: {}",
                    path.display(),
                    cli::describe(&e)
                ))
            })?;
            let size = file.metadata()?.len();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let header = FileHeader {
                file_size: size,
                file_name: name,
                md5: None,
            };
            (header, Box::new(file))
        }
        None => {
            let header = FileHeader {
                file_size: GREETING.len() as u64,
                file_name: GREETING_NAME.into(),
                md5: None,
            };
            (header, Box::new(GREETING))
        }
    };
    // socket() + connect()
    let stream = args.net.connect_tcp(Duration::from_secs(args.timeout))?;
    let peer: SocketAddr = stream.peer_addr()?;
    let mut conn = Traced::new(&stream, peer, args.net.trace);
    let steps = send_message(&mut conn, &header, &mut body)?;
    // The end of the stream tells the server nothing more is coming; a
    // server that has already closed makes this fail, harmlessly.
    let _ = stream.shutdown(Direction::Write);
    print_steps(
        "client: the 4-byte length, the JSON header, the file",
        &steps,
    );
    Ok(())
}
