//! Step 2 of the UDP lesson: the QQ chat client (seed 000, §五 模拟QQ聊天).
//!
//! No connect: a contact table maps the names A–D to addresses (all the
//! server's, 127.0.0.1:8081). Loop: choose a contact at `请选择聊天对象: `,
//! then send each line typed at `请输入消息,回车发送: ` to that contact in
//! one datagram, receive up to 1024 bytes and print them in colour; `quit`
//! goes back to choosing. End of input (Ctrl-D) ends the client.
//!
//! ```text
//! terminal 1:  cargo run -p udp_qq --example udp_2_qq_server
//! terminal 2:  cargo run -p udp_qq --example udp_2_qq_client      # [PORT]: 8081
//! ```
//!
//! What it adds to udp_1_client: the contact table, and the lesson's skips:
//! an empty line, or any message while the contact is not in the table, is
//! not sent (the prompt comes again).

use std::env;
use std::io::{self, BufRead, Write};
use std::net::{SocketAddr, UdpSocket};

const BUFFER_SIZE: usize = 1024; // the most one recv() takes

fn main() -> io::Result<()> {
    let port: u16 = env::args()
        .nth(1)
        .map_or(Ok(8081), |arg| arg.parse())
        .map_err(|_| io::Error::other("usage: udp_2_qq_client [PORT]"))?;

    // socket(AF_INET, SOCK_DGRAM) on a free port (Python's first sendto()
    // picks one too); no connect(): every sendto() names the contact.
    let udp_client = UdpSocket::bind(("127.0.0.1", 0))?;
    let server = SocketAddr::from(([127, 0, 0, 1], port));
    let qq_name_dic = [("A", server), ("B", server), ("C", server), ("D", server)];

    let mut lines = io::stdin().lock().lines();
    loop {
        print!("请选择聊天对象: ");
        io::stdout().flush()?;
        let Some(line) = lines.next() else {
            return Ok(()); // end of input
        };
        let qq_name = line?.trim().to_string();
        let contact = qq_name_dic.iter().find(|(name, _)| *name == qq_name);
        loop {
            print!("请输入消息,回车发送: ");
            io::stdout().flush()?;
            let Some(line) = lines.next() else {
                return Ok(()); // end of input
            };
            let msg = line?.trim().to_string();
            if msg == "quit" {
                break; // back to choosing a contact
            }
            let Some((_, ip_port)) = contact.filter(|_| !msg.is_empty()) else {
                continue; // as the lesson: an empty msg, or no such contact, is skipped
            };
            udp_client.send_to(msg.as_bytes(), ip_port)?;

            let mut data = [0; BUFFER_SIZE];
            let (n, addr) = udp_client.recv_from(&mut data)?; // blocks until a datagram comes
            let text = String::from_utf8_lossy(&data[..n]); // the lesson's decode() dies on bad UTF-8
            println!(
                "来自[{}:{}]的一条消息:\x1b[1;44m{text}\x1b[0m",
                addr.ip(),
                addr.port()
            );
        }
    }
}
