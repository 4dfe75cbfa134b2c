//! `struct_header demo`: one message over loopback, both ends in one
//! process. The client's side sends it and closes, then the server's side
//! reads it back, through the same `send_message` and `receive_message` as
//! `client` and `server`.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::Duration;

use common::trace::Traced;
use common::DEFAULT_MAX_HEADER;
use harness::cli::Failure;

use crate::report::{self, Received};
use crate::{greeting, receive_failure, receive_message, send_message, GREETING};

pub fn run(trace: bool) -> Result<(), Failure> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (server, client_addr) = listener.accept()?;
    let timeout = Duration::from_secs(10);
    server.set_read_timeout(Some(timeout))?;

    let mut conn = Traced::new(&client, server.local_addr()?, trace);
    let sent = send_message(&mut conn, &greeting(), &mut &GREETING[..])?;
    drop(client);
    report::sent(&sent);

    let mut got = Received::default();
    let mut conn = Traced::new(&server, client_addr, trace);
    let outcome = receive_message(&mut conn, DEFAULT_MAX_HEADER, &mut got);
    report::received(&got);
    let header = outcome.map_err(|e| receive_failure(e, timeout))?;
    println!(
        "\n{} arrived whole: header and file apart, however the bytes were split on the way.",
        header.file_name
    );
    Ok(())
}
