//! `http_ceiling` answers each request once, whole, however it arrives:
//! pipelined in one write, or one request split across two writes. And it
//! stops cleanly on SIGTERM, as `scripts/bench.sh` stops it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const CEILING: &str = env!("CARGO_BIN_EXE_http_ceiling");
const WAIT: Duration = Duration::from_secs(10);
const REQUEST: &[u8] = b"GET /1k.bin HTTP/1.1\r\nHost: x\r\n\r\n";

/// Starts the ceiling with a 100-byte body; its PID and its address.
fn start() -> (Child, SocketAddr) {
    let mut child = Command::new(CEILING)
        .args(["--port", "0", "--body-size", "100"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start http_ceiling");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read its first line");
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("no `listening on` line: {line:?}"))
        .parse()
        .expect("an address");
    (child, addr)
}

/// SIGTERM (to the child we started, by its PID); it must exit 0 in time.
fn stop(mut child: Child) {
    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status();
    assert!(killed.expect("run kill").success());
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("wait for it") {
            assert!(status.success(), "exited with {status:?} after SIGTERM");
            return;
        }
        thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("http_ceiling still running {WAIT:?} after SIGTERM");
}

/// Everything the server sends within `quiet` of silence after `expected`
/// bytes have come (so an extra response would be seen too).
fn read_all(stream: &mut TcpStream, expected: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0; 4096];
    let deadline = Instant::now() + WAIT;
    while got.len() < expected && Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => panic!("read after {} bytes: {e}", got.len()),
        }
    }
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    if let Ok(n @ 1..) = stream.read(&mut buf) {
        got.extend_from_slice(&buf[..n]);
    }
    got
}

fn response() -> Vec<u8> {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: application/octet-stream\r\n\r\n";
    let mut bytes = head.as_bytes().to_vec();
    bytes.extend_from_slice(&[b'x'; 100]);
    bytes
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    stream
}

#[test]
fn answers_two_pipelined_requests_with_two_whole_responses() {
    let (child, addr) = start();
    let mut stream = connect(addr);
    stream
        .write_all(&[REQUEST, REQUEST].concat())
        .expect("send");
    let one = response();
    let got = read_all(&mut stream, 2 * one.len());
    assert_eq!(got, [one.as_slice(), &one].concat());
    stop(child);
}

#[test]
fn answers_a_request_split_across_two_writes_once() {
    let (child, addr) = start();
    let mut stream = connect(addr);
    // Split inside the blank line, so neither half holds "\r\n\r\n".
    let (first, second) = REQUEST.split_at(REQUEST.len() - 2);
    stream.write_all(first).expect("send the first part");
    thread::sleep(Duration::from_millis(100));
    stream.write_all(second).expect("send the rest");
    let one = response();
    assert_eq!(read_all(&mut stream, one.len()), one);
    // The connection is kept alive: another request, another answer.
    stream.write_all(REQUEST).expect("send again");
    assert_eq!(read_all(&mut stream, one.len()), one);
    stop(child);
}
