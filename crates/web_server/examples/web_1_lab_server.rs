//! Step 1 of the web-server lab: WebServer.py (seed 002, §2.1–2.7 创建TCP套接字 … 发送响应消息).
//!
//! Bind 127.0.0.1:6789 and listen, then one loop: accept a browser, take one
//! recv of up to 1024 bytes for its whole request, open the second word of
//! it without its first character (`/HelloWorld.html` → `HelloWorld.html`,
//! in the current directory), send the lab's header, then the file one byte
//! per send; a file that cannot be opened gets the lab's ` HTTP/1.1 404 not
//! Found` and nothing more. One request at a time: while one browser is
//! served, or holds its connection and sends nothing, the next one waits.
//!
//! ```text
//! terminal 1:  printf '<head>Hello world!</head>\n' > HelloWorld.html
//!              cargo run -p web_server --example web_1_lab_server      # [PORT]: 6789; 0 = any free port
//! terminal 2:  cargo run -p web_server --example web_3_client http://127.0.0.1:6789/HelloWorld.html
//!              curl --http0.9 http://127.0.0.1:6789/HelloWorld.html    # the status line starts with a space
//! ```
//!
//! The lab's bytes, as it sends them: a space before `HTTP/1.1`, bare `\n`
//! line ends, no headers after the 404. It reads the file as text (`\r\n`
//! becomes `\n`, an image does not decode); this step sends the file's bytes
//! as they are. The lab's holes, one line each below: a request with no
//! second word, `..` or `/` leaving the directory, a length in characters, a
//! browser that hangs up, and a listening socket closed inside the loop.

use std::env;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;

const BUFFER_SIZE: usize = 1024; // the most one recv() takes: the lab's whole request

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(6789), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: web_1_lab_server [PORT]"))?;

    // socket(), bind() and listen() in one call; std also sets SO_REUSEADDR, backlog 128 (lab: 1).
    let server_socket = TcpListener::bind(("127.0.0.1", port))?;
    println!("listening on {}", server_socket.local_addr()?);

    loop {
        println!("开始WEB服务...");
        let (connection_socket, _addr) = server_socket.accept()?; // blocks until a browser connects
        if let Err(e) = serve(connection_socket) {
            println!("{e}"); // the lab's bug: a browser that hangs up mid-page kills it (BrokenPipeError)
        }
    } // the lab's bug: its serverSocket.close() is inside this loop, so its second accept() fails
}

/// One request: read it, send the file or the 404. `connection_socket` is
/// closed when it goes out of scope (`connectionSocket.close()`).
fn serve(mut connection_socket: TcpStream) -> io::Result<()> {
    let mut message = [0; BUFFER_SIZE];
    let n = connection_socket.read(&mut message)?; // 获取客户发送的报文
    let message = String::from_utf8_lossy(&message[..n]);
    // message.split()[1]: "/HelloWorld.html" in "GET /HelloWorld.html HTTP/1.1".
    let Some(filename) = message.split_ascii_whitespace().nth(1) else {
        return Ok(()); // the lab's bug: an empty request (a browser's spare connection) raises IndexError
    };
    let name = Path::new(filename.get(1..).unwrap_or_default()); // filename[1:]: HelloWorld.html
    if name.is_absolute() || name.iter().any(|part| part == "..") {
        return not_found(connection_socket); // the lab's hole: open('../x') and open('/etc/x') leave the directory
    }
    match fs::read(name) {
        Ok(outputdata) => {
            // 向套接字发送头部信息. The length in bytes: the lab's len() of the text it read
            // counts characters, and a browser cuts a page in Chinese short.
            let header = format!(
                " HTTP/1.1 200 OK\nConnection: close\nContent-Type: text/html\nContent-Length: {}\n\n",
                outputdata.len()
            );
            connection_socket.write_all(header.as_bytes())?;
            // 发送请求文件的内容: one send() per byte, as the lab sends one per character.
            for byte in &outputdata {
                connection_socket.write_all(&[*byte])?;
            }
            Ok(())
        }
        Err(_) => not_found(connection_socket), // except IOError: no such file, or not readable
    }
}

/// 发送文件未找到的消息: the lab's status line alone, not even a line end.
fn not_found(mut connection_socket: TcpStream) -> io::Result<()> {
    connection_socket.write_all(b" HTTP/1.1 404 not Found")
}
