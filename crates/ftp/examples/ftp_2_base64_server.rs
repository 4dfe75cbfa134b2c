//! Step 2 of the file-transfer lesson: the threaded file sender (seed 002, 多线程
//! 服务器: `FileTransferHandler(Thread)`, port 5566).
//!
//! Read FILE (default: the lesson's `guido.jpg`) and base64-encode it once,
//! bind 127.0.0.1:5566 and listen; each client gets a thread, which sends it
//! one JSON text `{"filename": ..., "filedata": ...}` and closes. No length
//! goes first: the close is how the client knows it has everything.
//!
//! ```text
//! terminal 1:  cargo run -p ftp --example ftp_2_base64_server -- 5566 Cargo.toml   # [PORT] [FILE]
//! terminal 2:  cargo run -p ftp --example ftp_2_base64_client -- 5566 /tmp
//! ```
//!
//! Adds to ftp_1_server the other direction (the server sends) and base64:
//! JSON is text, so the file's bytes travel as 64 printable characters.

use std::env;
use std::fs;
use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::thread;

use base64::{engine::general_purpose::STANDARD, Engine};

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(5566), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: ftp_2_base64_server [PORT] [FILE]"))?;
    let file = env::args().nth(2).unwrap_or_else(|| "guido.jpg".into());

    // socket(AF_INET, SOCK_STREAM), bind() and listen() in one call.
    let tcp_server = TcpListener::bind(("127.0.0.1", port))?;
    println!("listening on {}", tcp_server.local_addr()?);
    println!("服务器启动开始监听...");
    // JSON cannot carry bytes: b64encode(f.read()), once, for every client.
    let data = STANDARD.encode(fs::read(&file)?);
    let filename = Path::new(&file).file_name().unwrap_or_default();
    let filename = serde_json::to_string(&filename.to_string_lossy())?;
    // json.dumps(my_dict): its two keys in its order, with its spaces, the name "quoted".
    let json_str = format!("{{\"filename\": {filename}, \"filedata\": \"{data}\"}}");
    let json_str = Arc::new(json_str); // one copy, shared by the threads

    loop {
        // The connection loop: while True: server.accept().
        let (conn, addr) = tcp_server.accept()?; // blocks until a client connects
        let json_str = Arc::clone(&json_str);
        // FileTransferHandler(client).start(): a thread per client, and back to accept() at once.
        if let Err(e) = thread::Builder::new().spawn(move || {
            if let Err(e) = handle(conn, &json_str) {
                println!("{addr}: {e}"); // it costs only this client's connection
            }
        }) {
            println!("{e}"); // no thread to be had: this client is closed, the next one served
        }
    }
}

/// The lesson's `FileTransferHandler.run`: the JSON text, then the close.
fn handle(mut conn: TcpStream, json_str: &str) -> io::Result<()> {
    conn.write_all(json_str.as_bytes()) // the lesson's send() may send only part of it
} // conn.close(): the end of the data, for the client
