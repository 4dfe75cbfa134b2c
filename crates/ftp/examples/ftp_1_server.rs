//! Step 1 of the file-transfer lesson: the upload server (seed 003, FTP例子 and
//! 十二 socketserver实现并发: `MyFtp` as a `socketserver.BaseRequestHandler`).
//!
//! Bind 127.0.0.1:8089 and listen; each client gets a thread (the lesson's
//! `ThreadingTCPServer`), which loops: the 4-byte `struct.pack('i')` length
//! and the JSON header `{"cmd": "put", "file_name": ..., "file_size": N}`,
//! then exactly N raw bytes into DIR (default: the current directory),
//! printing the running total after each recv. It never replies.
//!
//! ```text
//! terminal 1:  cargo run -p ftp --example ftp_1_server      # [PORT] [DIR]: 8089 .; 0 = any port
//! terminal 2:  cargo run -p ftp --example ftp_1_client      # >>: put Cargo.toml
//! ```
//!
//! The lesson trusts the header: each of its holes is closed by one commented line.

use std::env;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;

use common::read_json_header;
use serde_json::Value;

const MAX_PACKET_SIZE: usize = 8000; // the most one recv() takes
const MAX_HEADER: usize = 8192; // three short fields: a longer length is refused, unread
const MAX_FILE_SIZE: u64 = 1 << 40; // 1 TiB, as the hardened `ftp server`: a bigger size is absurd

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8089), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: ftp_1_server [PORT] [DIR]"))?;
    let server_dir = PathBuf::from(env::args().nth(2).unwrap_or_else(|| ".".into()));
    fs::create_dir_all(&server_dir)?; // the lesson's server_dir must exist, or each put fails

    // socket(AF_INET, SOCK_STREAM), bind() and listen() in one call.
    let tcp_server = TcpListener::bind(("127.0.0.1", port))?;
    println!("listening on {}", tcp_server.local_addr()?);

    loop {
        // The connection loop: serve_forever().
        let (conn, addr) = tcp_server.accept()?; // blocks until a client connects
        let server_dir = server_dir.clone();
        // ThreadingTCPServer: a thread per client, and back to accept() at once.
        if let Err(e) = thread::Builder::new().spawn(move || {
            if let Err(e) = handle(conn, &server_dir) {
                println!("{addr}: {e}"); // it costs only this client's connection
            }
        }) {
            println!("{e}"); // no thread to be had: this client is closed, the next one served
        }
    }
}

/// The lesson's `MyFtp.handle`: header after header; an error ends it (`except: break`).
fn handle(mut conn: TcpStream, server_dir: &Path) -> io::Result<()> {
    loop {
        // recv(4), struct.unpack('i'), recv(head_size), json.loads(), each read whole
        let head_content: Value = match read_json_header(&mut conn, MAX_HEADER) {
            Err(e) if e.is_closed() => return Ok(()), // `if not head_struct: break`
            other => other?,
        };
        if head_content["cmd"] == "put" {
            put(&mut conn, &head_content, server_dir)?; // hasattr(self, cmd): put is all it has
        }
    }
}

/// The lesson's `MyFtp.put`: exactly `file_size` bytes into `server_dir`.
fn put(conn: &mut TcpStream, head_content: &Value, server_dir: &Path) -> io::Result<()> {
    let bad_header = || io::Error::other(format!("bad header {head_content}"));
    let name = Path::new(head_content["file_name"].as_str().unwrap_or_default());
    // os.path.join(server_dir, '../x' or '/etc/x') leaves server_dir: keep the base name only
    let file_name = name.file_name().ok_or_else(bad_header)?;
    let size = &head_content["file_size"]; // trusted by the lesson: -1, "abc", 10**30
    let file_size = size.as_u64().filter(|&n| n <= MAX_FILE_SIZE);
    let file_size = file_size.ok_or_else(bad_header)?;
    let part_path = server_dir.join(format!(".{}.part", file_name.to_string_lossy()));
    let mut f = File::create(&part_path)?; // not under its name until it is complete

    let mut recv_size = 0;
    let mut file_content = [0; MAX_PACKET_SIZE];
    while recv_size < file_size {
        // At most what the file still owes: the lesson's recv(8000) can swallow the next header.
        let n = conn.take(file_size - recv_size).read(&mut file_content)?;
        if n == 0 {
            fs::remove_file(&part_path)?; // the lesson's loop spins on b'' here, its file cut short
            let short = format!("the client closed after {recv_size} of {file_size} bytes");
            return Err(io::Error::other(short));
        }
        f.write_all(&file_content[..n])?;
        recv_size += n as u64;
        println!("{recv_size}");
    }
    fs::rename(&part_path, server_dir.join(file_name)) // complete: now it gets its name
}
