//! The fixed-length header lesson (固定长度报头), the cure for sticky
//! packets: the sender sends `struct.pack('i', len(head_bytes))` — 4 bytes,
//! whatever the number — then a JSON header that carries the file's size,
//! then the file; the receiver reads exactly 4 bytes, the header they count
//! and `file_size` bytes. (The size rides in the JSON because the lesson's
//! 1 TB does not fit `'i'`.) Try it with two terminals:
//!
//! ```text
//! terminal 1:  cargo run -p struct_header -- server
//! terminal 2:  cargo run -p struct_header -- client notes.txt
//! ```
//!
//! One terminal: `pack 12`, `unpack 0c 00 00 00` and `header`, the lesson at
//! the Python prompt (`session.rs`); `demo`, one message over loopback.

mod args; // the command line
mod demo; // struct_header demo: one message, both ends in one process
mod report; // what was sent and received, and the tables built from it
mod session; // pack, unpack, header: the lesson at the Python prompt

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use args::{Args, ClientArgs, Command, ServerArgs};
use clap::Parser;
use common::show::byte_count;
use common::trace::Traced;
use common::wire::{read_prefix, recv_exact, write_frame, WireError};
use harness::cli::{self, Failure};
use harness::log;
use harness::server::connections;
use report::{to_usize, FileStart, Received, Sent};
use struct_header::FileHeader;

fn main() -> ExitCode {
    harness::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Failure> {
    match args.command {
        Command::Pack { number } => session::pack(&number),
        Command::Unpack { bytes } => session::unpack_bytes(&bytes.join(" ")),
        Command::Header(header) => {
            session::header(&header.file_header());
            Ok(())
        }
        Command::Demo { trace } => demo::run(trace),
        Command::Server(args) => server(&args),
        Command::Client(args) => client(&args),
    }
}

/// `struct_header server`: receives one message, prints it, exits.
fn server(args: &ServerArgs) -> Result<(), Failure> {
    let timeout = Duration::from_secs(args.timeout);
    // socket() + bind() + listen()
    let (listener, stop) = args.net.listen_tcp()?;
    log!("waiting for one message: `struct_header client [FILE]`");
    // conn, addr = s.accept(), once
    let Some((conn, peer)) = connections(&listener, &stop).next() else {
        log!("stopped before a client came");
        return Ok(());
    };
    log!("{peer} connected");
    conn.set_read_timeout(Some(timeout))?;
    let mut got = Received::default();
    let mut traced = Traced::new(&conn, peer, args.net.trace);
    let outcome = receive_message(&mut traced, args.max_header, &mut got);
    report::received(&got);
    let header = outcome.map_err(|e| receive_failure(e, timeout))?;
    log!(
        "{peer} sent {:?}: {}, whole",
        header.file_name,
        byte_count(to_usize(header.file_size))
    );
    Ok(())
}

/// The lesson's receiver; each step is noted in `got` as it succeeds, so
/// a bad message shows how far it got.
fn receive_message(
    conn: &mut impl Read,
    max_header: usize,
    got: &mut Received,
) -> Result<FileHeader, WireError> {
    // head_len_bytes = s.recv(4); x = struct.unpack('i', head_len_bytes)[0]
    let head_len = read_prefix(conn, max_header).inspect_err(|e| got.note_refused(e))?;
    got.head_len = Some(head_len);
    // head_bytes = s.recv(x), all x of them (recvall); header = json.loads(head_bytes)
    let head_bytes = recv_exact(conn, head_len)?;
    let header: FileHeader =
        serde_json::from_slice(&head_bytes).map_err(|e| WireError::BadHeader(e.to_string()))?;
    got.header = Some((head_bytes, header.clone()));
    // s.recv(header['file_size']), until all file_size bytes have come
    let mut file = FileStart::default();
    let received = io::copy(&mut conn.take(header.file_size), &mut file)?;
    if received < header.file_size {
        return Err(WireError::Truncated {
            expected: to_usize(header.file_size),
            received: to_usize(received),
        });
    }
    got.file = Some(file);
    Ok(header)
}

/// `struct_header client`: sends one file (or the greeting), then closes.
fn client(args: &ClientArgs) -> Result<(), Failure> {
    let (header, mut file) = what_to_send(args.file.as_deref())?;
    // socket() + connect()
    let stream = args.net.connect_tcp(Duration::from_secs(args.timeout))?;
    let mut conn = Traced::new(&stream, stream.peer_addr()?, args.net.trace);
    let sent = send_message(&mut conn, &header, &mut file)?;
    // The end of the stream tells the server nothing more is coming; a
    // server that has already closed makes this fail, harmlessly.
    let _ = stream.shutdown(Shutdown::Write);
    report::sent(&sent);
    Ok(())
}

/// The lesson's sender. Length and header go out in one write, so Nagle
/// never holds the header back behind the 4 bytes.
fn send_message(
    conn: &mut impl Write,
    header: &FileHeader,
    file: &mut impl Read,
) -> Result<Sent, Failure> {
    // head_bytes = bytes(json.dumps(header), encoding='utf-8')
    let head_bytes = serde_json::to_vec(header).expect("a number and strings serialize");
    // conn.send(struct.pack('i', len(head_bytes))); conn.send(head_bytes)
    write_frame(conn, &head_bytes).map_err(|e| Failure::runtime(e.to_string()))?;
    // conn.sendall(文件内容)
    let file_bytes = io::copy(&mut file.take(header.file_size), conn)?;
    if file_bytes < header.file_size {
        return Err(Failure::runtime(format!(
            "the file shrank while it was sent: {file_bytes} of {} bytes",
            header.file_size
        )));
    }
    let file_name = header.file_name.clone();
    Ok(Sent {
        head_bytes,
        file_name,
        file_bytes,
    })
}

// ------------------------------------------- what the client sends; errors

/// What `client` and `demo` send when not given a file.
const GREETING: &[u8] = "hello from struct_header, 你好\n".as_bytes();

/// The greeting's header: `hello.txt`, 33 bytes.
fn greeting() -> FileHeader {
    FileHeader {
        file_size: GREETING.len() as u64,
        file_name: "hello.txt".into(),
        md5: None,
    }
}

/// The file at `path` and its header, or the greeting.
fn what_to_send(path: Option<&Path>) -> Result<(FileHeader, Box<dyn Read>), Failure> {
    let Some(path) = path else {
        return Ok((greeting(), Box::new(GREETING)));
    };
    let file = File::open(path).map_err(|e| {
        Failure::usage(format!(
            "cannot open {}: {}",
            path.display(),
            cli::describe(&e)
        ))
    })?;
    let header = FileHeader {
        file_size: file.metadata()?.len(),
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        md5: None,
    };
    Ok((header, Box::new(file)))
}

/// A wire error while receiving, as the line the receiver ends with.
fn receive_failure(e: WireError, timeout: Duration) -> Failure {
    match e {
        WireError::Io(e) if cli::is_timeout(&e) => Failure::runtime(format!(
            "the client sent nothing for {} s (--timeout)",
            timeout.as_secs()
        )),
        WireError::Io(e) => Failure::runtime(cli::describe(&e)),
        other => Failure::runtime(other.to_string()),
    }
}
