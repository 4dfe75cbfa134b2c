//! `rexec_tcp client`: connect, then for each command one `send`, and its
//! answer read as `--protocol` frames it: the length first (decimal, the
//! 4-byte prefix, or a JSON header), then exactly that many bytes.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::trace::Traced;
use common::wire::WireError;
use harness::cli::{self, Failure};
use harness::input::LineInput;
use rexec_tcp::{read_reply, Reply, ReplyError, MAX_COMMAND};

use crate::args::ClientArgs;

pub fn client(args: ClientArgs) -> Result<(), Failure> {
    if let Some(command) = &args.command {
        check_command(command.trim()).map_err(Failure::usage)?;
    }
    let timeout = Duration::from_secs(args.timeout);
    // socket() + connect()
    let stream = args.net.connect_tcp(timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut conn = Traced::new(&stream, stream.peer_addr()?, args.net.trace);

    if let Some(command) = &args.command {
        return exchange(&mut conn, command.trim(), &args);
    }
    // while True: cmd = input('>>: ').strip()
    for command in LineInput::stdin().until_quit(">>: ") {
        if command.is_empty() {
            continue; // sending nothing would look like a close to the server
        }
        if let Err(why) = check_command(&command) {
            eprintln!("error: {why}");
            continue;
        }
        exchange(&mut conn, &command, &args)?;
    }
    Ok(())
}

/// Sends one command and prints its answer.
fn exchange(
    conn: &mut Traced<&TcpStream>,
    command: &str,
    args: &ClientArgs,
) -> Result<(), Failure> {
    // tcp_client.send(cmd.encode('utf-8')): one send, as in the lesson
    conn.write_all(command.as_bytes())
        .map_err(|e| client_failure(&ReplyError::from(e), args))?;
    // the header, then the output: recv until it has that many bytes
    let mut answer = Answer::new(conn, Duration::from_secs(args.timeout));
    let read = read_reply(&mut answer, args.protocol, args.max_reply);
    let received = answer.finish()?;
    let reply = read.map_err(|e| match &e {
        // Part of a frame, then silence: a server that does not frame.
        ReplyError::Wire(WireError::Io(io)) if cli::is_timeout(io) && !received.is_empty() => {
            Failure::runtime(format!(
                "the server sent {} ({}) and then nothing for {} s: not a whole {} answer; \
                 is the server using --protocol {} too?",
                common::show::count(received.len() as u64, "byte", "bytes"),
                common::show::preview(&received, 32),
                REST_WAIT.as_secs(),
                args.protocol,
                args.protocol
            ))
        }
        _ => client_failure(&e, args),
    })?;
    print_reply(&reply)?;
    Ok(())
}

/// How long the rest of an answer may take once its first bytes are in:
/// a server sends a header and its output together, so a pause this long
/// mid-answer is a server that is not framing the way the client reads.
const REST_WAIT: Duration = Duration::from_secs(3);

/// How many of an answer's first bytes are kept for an error message.
const FIRST_KEPT: usize = 64;

/// The connection while one answer is read: the first bytes may take the
/// whole `--timeout` (the command is running), the rest only
/// [`REST_WAIT`]. Keeps the first bytes it saw, for the error message.
struct Answer<'a, 'c> {
    conn: &'a mut Traced<&'c TcpStream>,
    timeout: Duration,
    first: Vec<u8>,
}

impl<'a, 'c> Answer<'a, 'c> {
    fn new(conn: &'a mut Traced<&'c TcpStream>, timeout: Duration) -> Self {
        Answer {
            conn,
            timeout,
            first: Vec::new(),
        }
    }

    /// The whole `--timeout` again, for the next command; the first bytes
    /// of this answer.
    fn finish(self) -> io::Result<Vec<u8>> {
        self.conn.get_ref().set_read_timeout(Some(self.timeout))?;
        Ok(self.first)
    }
}

impl Read for Answer<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.conn.read(buf)?;
        if self.first.is_empty() && n > 0 {
            self.conn.get_ref().set_read_timeout(Some(REST_WAIT))?;
        }
        let room = FIRST_KEPT.saturating_sub(self.first.len());
        self.first.extend_from_slice(&buf[..n.min(room)]);
        Ok(n)
    }
}

impl Write for Answer<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.conn.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.conn.flush()
    }
}

/// A command the server can receive whole with its one `recv(1024)`.
fn check_command(command: &str) -> Result<(), String> {
    if command.is_empty() {
        return Err("nothing to run: the server would read an empty command as a close".into());
    }
    if command.len() > MAX_COMMAND {
        return Err(format!(
            "the command is {} bytes; the server reads a command with one recv({MAX_COMMAND}), \
             so at most {MAX_COMMAND} bytes",
            command.len()
        ));
    }
    Ok(())
}

/// The output as it came (it need not be UTF-8), ending with a newline;
/// the exit code, when the protocol carries it and it is not 0, on stderr.
fn print_reply(reply: &Reply) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(&reply.output)?;
    if !reply.output.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if let Some(code) = reply.exit_code.filter(|&code| code != 0) {
        eprintln!("(exit code {code})");
    }
    Ok(())
}

fn client_failure(e: &ReplyError, args: &ClientArgs) -> Failure {
    let protocol = args.protocol;
    let message = match e {
        ReplyError::Wire(WireError::Io(io)) if cli::is_timeout(io) => {
            format!("no answer from the server within {} s", args.timeout)
        }
        ReplyError::Wire(WireError::Io(io)) => match io.kind() {
            io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => {
                "the server closed the connection".into()
            }
            _ => format!("connection lost: {}", cli::describe(io)),
        },
        ReplyError::Wire(WireError::Closed) => "the server closed the connection".into(),
        ReplyError::Wire(WireError::Truncated { .. }) => {
            format!("the server closed the connection in the middle of an answer: {e}")
        }
        ReplyError::Wire(WireError::TooLong { max, .. }) => {
            // A data_size, or ready's decimal: a length the server meant.
            too_long(e, *max, None, args)
        }
        ReplyError::PrefixTooLong { len, max } => too_long(e, *max, prefix_as_text(*len), args),
        e if e.is_malformed() => {
            format!("{e}; is the server using --protocol {protocol} too?")
        }
        other => other.to_string(),
    };
    Failure::runtime(message)
}

/// A refused length, with the likeliest cause: a server in another protocol,
/// or, when the 4 bytes of the prefix read as `text`, another program.
fn too_long(e: &ReplyError, max: usize, text: Option<String>, args: &ClientArgs) -> String {
    let flag = if max == args.max_reply {
        " (--max-reply)"
    } else {
        ""
    };
    let hint = match text {
        Some(text) => format!(
            "those 4 bytes are the text {text:?}, not a length: is another lesson's \
             server on port {} (tcp_server, for one, answers with the command \
             upper-cased)? Or is",
            args.net.port
        ),
        None if max == args.max_reply => "if that length looks wrong, is".into(),
        None => "is".into(),
    };
    format!(
        "{e}{flag}; {hint} the server using --protocol {} too?",
        args.protocol
    )
}

/// The 4 bytes of a length prefix refused as too long, when they are
/// printable text (`ECHO` from an upper-case echo server, `hell` from a raw
/// reply): no protocol of this lesson sends that, but another program on the
/// port does.
fn prefix_as_text(len: usize) -> Option<String> {
    let bytes = u32::try_from(len).ok()?.to_le_bytes();
    let text = bytes.iter().all(|&b| b == b' ' || b.is_ascii_graphic());
    text.then(|| String::from_utf8_lossy(&bytes).into_owned())
}
