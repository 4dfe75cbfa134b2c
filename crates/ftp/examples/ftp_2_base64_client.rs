//! Step 2 of the file-transfer lesson: the file receiver (seed 002, 多线程服务器,
//! 客户端代码: port 5566).
//!
//! Connect to 127.0.0.1:5566 and receive until the server closes, then parse
//! the JSON text `{"filename": ..., "filedata": ...}`, base64-decode the data
//! and save it as DIR/filename (default DIR: the current directory; the
//! lesson writes to `/Users/Hao/`). It sends nothing.
//!
//! ```text
//! terminal 1:  cargo run -p ftp --example ftp_2_base64_server -- 5566 Cargo.toml
//! terminal 2:  cargo run -p ftp --example ftp_2_base64_client -- 5566 /tmp      # [PORT] [DIR]
//! ```
//!
//! Adds to ftp_1_client the receiving end of a whole file: no length, no
//! header, the close marks the end; a cut one is not valid JSON.

use std::env;
use std::fs;
use std::io::{self, Read};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::Value;

/// The whole answer is held in memory, as the lesson's `in_data` is: a
/// server that sends more than 64 MiB is refused, not given all the memory.
const MAX_IN_DATA: u64 = 64 << 20;

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(5566), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: ftp_2_base64_client [PORT] [DIR]"))?;
    let dir = PathBuf::from(env::args().nth(2).unwrap_or_else(|| ".".into()));

    // socket(AF_INET, SOCK_STREAM) and connect() in one call.
    let client = TcpStream::connect(("127.0.0.1", port))?;

    // recv(1024) until b'': the server's close is the end of the file.
    let mut in_data = Vec::new();
    client.take(MAX_IN_DATA + 1).read_to_end(&mut in_data)?;
    if in_data.len() as u64 > MAX_IN_DATA {
        return Err(io::Error::other("more than 64 MiB")); // the lesson's in_data grows without end
    }
    // json.loads(): a server that closed early sent half a text, refused here
    let my_dict: Value = serde_json::from_slice(&in_data)?;
    let filename = my_dict["filename"].as_str().unwrap_or_default();
    // '/Users/Hao/' + '../x' leaves the folder: keep the base name only
    let file_name = Path::new(filename)
        .file_name()
        .ok_or_else(|| bad("filename", filename))?;
    let filedata = my_dict["filedata"]
        .as_str()
        .ok_or_else(|| bad("filedata", "missing"))?;
    let filedata = STANDARD.decode(filedata).map_err(|e| bad("filedata", e))?; // b64decode()
    fs::write(dir.join(file_name), filedata)?;
    println!("图片已保存.");
    Ok(())
}

/// A field that cannot be used as it is.
fn bad(field: &str, value: impl std::fmt::Debug) -> io::Error {
    io::Error::other(format!("bad {field} in the JSON: {value:?}"))
}
