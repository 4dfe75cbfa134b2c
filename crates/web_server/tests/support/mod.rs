//! What the web_server test files share: a served directory, the server on
//! `--port 0`, a plain HTTP/1.1 reader of the test's own (independent of the
//! crate's client), and the external programs the tests talk to.
#![allow(dead_code)] // each test file uses its own part of this

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use testkit::Server;

pub const BIN: &str = env!("CARGO_BIN_EXE_web_server");
pub const WAIT: Duration = Duration::from_secs(20);

/// The lab's page.
pub const HELLO: &str = "<head>Hello world!</head>\n";

/// A directory beside the served root, with a secret in it that no request
/// may ever read, and a root with the lab's page, a subdirectory, and
/// files of several sizes.
pub struct Site {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
}

pub const SECRET: &str = "TOP-SECRET-outside-the-root";

impl Site {
    pub fn new() -> Site {
        let dir = testkit::temp_dir();
        let root = dir.path().join("www");
        fs::create_dir_all(root.join("docs/empty")).expect("mkdir");
        fs::write(root.join("HelloWorld.html"), HELLO).expect("write");
        fs::write(
            root.join("docs/notes.txt"),
            "0123456789abcdefghijklmnopqrstuvwxyz",
        )
        .expect("write");
        fs::write(root.join("docs/style.css"), "body { color: teal }\n").expect("write");
        fs::write(dir.path().join("secret.txt"), SECRET).expect("write");
        Site { dir, root }
    }

    /// Writes `bytes` to `name` under the root.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.root.join(name);
        fs::write(&path, bytes).expect("write");
        path
    }

    /// `web_server server --root ROOT --port 0 EXTRA...`.
    pub fn serve(&self, extra: &[&str]) -> Server {
        serve_dir(&self.root, extra)
    }
}

/// `web_server server --root DIR --port 0 EXTRA...`.
pub fn serve_dir(root: &Path, extra: &[&str]) -> Server {
    let root = root.to_str().expect("UTF-8 temp path");
    let mut args = vec!["--root", root];
    args.extend_from_slice(extra);
    Server::start(testkit::server_command(BIN, &["server"], &args))
}

/// A response as read by the tests' own reader.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// The status line and headers, as text.
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A connection to `addr` whose reads and writes give up after [`WAIT`].
pub fn stream(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect to the server");
    stream.set_read_timeout(Some(WAIT)).expect("read timeout");
    stream.set_write_timeout(Some(WAIT)).expect("write timeout");
    stream
}

/// [`stream`], buffered for reading responses.
pub fn connect(addr: SocketAddr) -> BufReader<TcpStream> {
    BufReader::new(stream(addr))
}

/// Connects, sends `bytes` in one write and closes: a client that says its
/// piece and goes without reading.
pub fn send_and_close(addr: SocketAddr, bytes: &[u8]) {
    let mut stream = stream(addr);
    let _ = stream.write_all(bytes); // the server may already have closed
}

/// Sends `request` on `conn` (as is: the tests write raw requests).
pub fn send(conn: &mut BufReader<TcpStream>, request: &[u8]) {
    conn.get_mut().write_all(request).expect("send the request");
}

/// Reads one response: the head up to the blank line, then a body of
/// `Content-Length` bytes (none for a response to HEAD, or a 304).
pub fn read_response(conn: &mut BufReader<TcpStream>, head_request: bool) -> Response {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        let n = conn.read_line(&mut line).expect("a response line");
        assert!(
            n > 0,
            "the server closed the connection in the head: {head:?}"
        );
        if line == "\r\n" {
            break;
        }
        assert!(
            line.ends_with("\r\n"),
            "a header line without CRLF: {line:?}"
        );
        head.push_str(line.trim_end_matches("\r\n"));
        head.push('\n');
    }
    let status: u16 = head
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP/1.1 status line: {head:?}"));
    let mut response = Response {
        status,
        head,
        body: Vec::new(),
    };
    if !head_request && status != 304 {
        let length: usize = response
            .header("content-length")
            .expect("every response says its length")
            .parse()
            .expect("a number");
        response.body = vec![0; length];
        conn.read_exact(&mut response.body).expect("the whole body");
    }
    response
}

/// One request on a fresh connection; returns the response.
pub fn request(addr: SocketAddr, request_bytes: &[u8]) -> Response {
    let mut conn = connect(addr);
    send(&mut conn, request_bytes);
    read_response(&mut conn, request_bytes.starts_with(b"HEAD "))
}

/// `GET PATH HTTP/1.1` with a Host, on a fresh connection.
pub fn get(addr: SocketAddr, path: &str) -> Response {
    request(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").as_bytes(),
    )
}

/// The proof that whatever came before cost only its own connection: a new
/// client gets the lab's page.
pub fn assert_still_serving(addr: SocketAddr) {
    let response = get(addr, "/HelloWorld.html");
    assert_eq!(response.status, 200, "{}", response.head);
    assert_eq!(response.text(), HELLO);
}

/// Reads until the server closes; `true` if it did within [`WAIT`] (a reset
/// counts as closed).
pub fn closed_by_server(conn: &mut BufReader<TcpStream>) -> bool {
    let mut rest = Vec::new();
    match conn.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

/// curl and chromium, installed by scripts/web-test-deps.sh when missing,
/// once per test binary. A failed install fails the test loudly: these
/// tests are the proof that real clients work, and are never skipped.
pub fn require_programs() {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    let result = INSTALLED.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/web-test-deps.sh");
        let out = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} failed ({}):\n{}",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    });
    if let Err(why) = result {
        panic!("curl and chromium are needed by these tests and could not be installed: {why}");
    }
}

/// `data` as a gzip file (RFC 1952) holding one stored (uncompressed)
/// deflate block: what `gzip` makes, without the compression, so that a
/// test needs no compressor and curl can still decode it.
pub fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).expect("one stored block holds at most 64 KiB");
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.push(1); // BFINAL, stored
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// `data` as a brotli stream (RFC 7932) of one uncompressed meta-block:
/// a 16-bit window, the meta-block's length, the bytes, an empty last block.
pub fn brotli_stored(data: &[u8]) -> Vec<u8> {
    assert!(!data.is_empty() && data.len() <= 1 << 16);
    // WBITS=16 (bit 0), ISLAST=0, MNIBBLES=4, MLEN-1 (16 bits), ISUNCOMPRESSED.
    let header = ((data.len() as u32 - 1) << 4) | 1 << 20;
    let mut out = header.to_le_bytes()[..3].to_vec();
    out.extend_from_slice(data);
    out.push(0b11); // ISLAST, ISLASTEMPTY
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
