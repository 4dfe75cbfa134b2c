//! Step 2 of the sticky-packet lesson: one send, small recvs (seed 000, §9.2 情形二).
//!
//! Bind 127.0.0.1:8080 and listen, accept one client, call recv(1),
//! recv(5) and recv(1) and print what each returned: the client's one
//! send, `helloworldegon`, comes cut into b'h', b'ellow' and b'o'; the
//! other 7 bytes wait for a next recv. TCP keeps no message boundaries.
//!
//! ```text
//! terminal 1:  cargo run -p sticky_demo --example sticky_2_server      # [PORT]: 8080; 0 = any free port
//! terminal 2:  cargo run -p sticky_demo --example sticky_2_client
//! ```
//!
//! Adds to sticky_1_server smaller recvs: one message is cut into pieces,
//! though all its bytes are waiting (the same wait before the first recv).

use std::env;
use std::io::{self, Read};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

const SENT: usize = 14; // all the bytes the lesson's client sends

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8080), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: sticky_2_server [PORT]"))?;

    // socket(AF_INET, SOCK_STREAM), bind() and listen() in one call. std also
    // sets SO_REUSEADDR, and a backlog of 128: tcp_2_reuseaddr does both by hand.
    let tcp_server = TcpListener::bind(("127.0.0.1", port))?;
    println!("listening on {}", tcp_server.local_addr()?);

    let (mut conn, _addr) = tcp_server.accept()?; // blocks until a client connects
    wait_until_sent(&conn)?; // not in the lesson: without it, the result is timing luck

    let data1 = recv(&mut conn, 1)?;
    println!("第一次数据 b'{}'", data1.escape_ascii());

    let data2 = recv(&mut conn, 5)?;
    println!("第2次数据 b'{}'", data2.escape_ascii());

    let data3 = recv(&mut conn, 1)?;
    println!("第3次数据 b'{}'", data3.escape_ascii());
    Ok(()) // conn and tcp_server are closed as main returns
}

/// The lesson's result is timing luck: a recv that runs before all the
/// client's bytes have arrived returns only what is there (from three
/// sends, b'hello', then b'worldegon'). So wait first, at most 2 s, until
/// they all sit in the receive buffer; peek() looks without taking any.
fn wait_until_sent(conn: &TcpStream) -> io::Result<()> {
    println!("等待客户端的 {SENT} 个字节都到达接收缓冲区（peek，不取走）");
    let mut waiting = [0; SENT];
    let mut n = 0;
    for _ in 0..200 {
        n = conn.peek(&mut waiting)?; // blocks until the first byte, like recv
        if n == 0 || n == SENT {
            break; // 0: the client closed without sending anything
        }
        thread::sleep(Duration::from_millis(10));
    }
    println!("接收缓冲区里有 {n} 个字节");
    Ok(())
}

/// conn.recv(size): at most `size` bytes, whatever is waiting; b'' once the
/// client has closed.
fn recv(conn: &mut TcpStream, size: usize) -> io::Result<Vec<u8>> {
    let mut data = vec![0; size];
    let n = conn.read(&mut data)?;
    data.truncate(n);
    Ok(data)
}
