//! Step 1 of the file-transfer lesson: the upload client (seed 003, FTP例子: `MyClient`).
//!
//! Connect to 127.0.0.1:8089, then loop: read a command at the `>>: ` prompt,
//! skip it if it is empty; for `put FILE` send the 4-byte `struct.pack('i')`
//! length, the JSON header `{"cmd": "put", "file_name": ..., "file_size": N}`
//! and the N bytes of FILE, printing the running total, then
//! `upload successful`. It never reads a reply. End of input (Ctrl-D) ends it.
//!
//! ```text
//! terminal 1:  cargo run -p ftp --example ftp_1_server
//! terminal 2:  cargo run -p ftp --example ftp_1_client      # [PORT]: 8089; >>: put Cargo.toml
//! ```
//!
//! The header is spelled as the lesson's `json.dumps` spells it (for an
//! ASCII name), so these are the lesson's bytes on the wire.

use std::env;
use std::fs::File;
use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;
use std::path::Path;

use common::write_frame;

const BUFFER_SIZE: usize = 8192; // the most one read of the file takes, and one send

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8089), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: ftp_1_client [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM) and connect() in one call.
    let mut sock = TcpStream::connect(("127.0.0.1", port))?;

    println!("请输入命令以及要上传的文件的路径");
    let mut lines = io::stdin().lock().lines();
    loop {
        print!(">>: ");
        io::stdout().flush()?;
        let Some(line) = lines.next() else {
            return Ok(()); // end of input
        };
        let inp = line?;
        let inp_split: Vec<&str> = inp.split_whitespace().collect();
        match inp_split[..] {
            [] => continue,
            ["put", filename, ..] => put(&mut sock, filename)?,
            _ => continue, // hasattr(self, cmd): the lesson crashes on a bare `put` (args[1])
        }
    }
}

/// The lesson's `MyClient.put`: the header, then the file's bytes.
fn put(sock: &mut TcpStream, filename: &str) -> io::Result<()> {
    if !Path::new(filename).is_file() {
        println!("file:{filename} is not exists");
        return Ok(());
    }
    let mut f = File::open(filename)?;
    let filesize = f.metadata()?.len();
    let base_name = Path::new(filename).file_name().unwrap_or_default();
    let file_name = serde_json::to_string(&base_name.to_string_lossy())?;
    // json.dumps(head_dic): its keys in its order, with its spaces, the name "quoted".
    let head_json =
        format!("{{\"cmd\": \"put\", \"file_name\": {file_name}, \"file_size\": {filesize}}}");
    // struct.pack('i', len(head_json_bytes)), then the header: one write here
    write_frame(sock, head_json.as_bytes())?;

    let mut send_size = 0;
    let mut buf = [0; BUFFER_SIZE];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        sock.write_all(&buf[..n])?; // the lesson's send(i) may send only part of i
        send_size += n;
        println!("{send_size}");
    }
    println!("upload successful");
    Ok(())
}
