//! File transfer, both ends: the lesson's FTP-style upload (a 4-byte length,
//! a JSON header `{cmd, file_name, file_size}`, then the raw bytes) grown
//! into a small server and client a class can really share.
//!
//! The Python server is a `socketserver.ThreadingTCPServer` whose handler
//! reads `struct.unpack('i', recv(4))`, then the JSON header, then
//! `file_size` bytes into `server_dir/file_name`: `serve` and `session`
//! below, with the details in `server.rs`. `ftp server` adds a login and a
//! home per user, a quota, `ls`/`cd`/`mkdir`, `get`, a digest checked
//! while the bytes stream (md5, or BLAKE3 when both ends offer it) and
//! remembered per file, resume, and names that cannot escape the home. The
//! client's commands are in `commands.rs`, its `>>: ` shell in `shell.rs`.
//!
//! ```text
//! terminal 1:  cargo run -p ftp -- server --root /tmp/ftp_root
//! terminal 2:  cargo run -p ftp -- put Cargo.toml
//!              cargo run -p ftp -- get Cargo.toml -o /tmp/copy.toml
//!              cargo run -p ftp -- client          (>>: put, get, ls, cd, ...)
//! ```

mod args;
mod commands;
mod passwords;
mod setup;
mod shell;

use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;

use args::{Args, Role, ServerAction, ServerArgs};
use clap::Parser;
use ftp::protocol::Request;
use ftp::server::{Fatal, FtpServer};
use harness::cli::Failure;
use harness::log;
use harness::server;

fn main() -> ExitCode {
    harness::main(|| run(Args::parse()))
}

fn run(args: Args) -> Result<(), Failure> {
    match args.role {
        Role::Server(args) => match args.action {
            Some(ServerAction::AddUser { name, users }) => passwords::add_user(&name, &users),
            None => serve(args),
        },
        Role::Put(args) => commands::put(args),
        Role::Get(args) => commands::get(args),
        Role::Ls(args) => commands::ls(args),
        Role::Client(args) => shell::shell(args),
    }
}

/// `ThreadingTCPServer((host, port), MyFtp).serve_forever()`.
fn serve(args: ServerArgs) -> Result<(), Failure> {
    // server_dir (--root) made if missing, the --users file read
    let config = setup::config(&args)?;
    // socket() + bind() + listen(); Ctrl-C ends serve_forever()
    let (listener, stop) = args.net.listen_tcp()?;
    setup::announce(&config);
    let ftp = Arc::new(FtpServer::new(config, stop.clone()));
    let (handler, capacity) = (Arc::clone(&ftp), setup::capacity(&args));
    // conn, addr = accept(), and MyFtp.handle() on a thread of its own
    let summary = server::serve(&listener, &stop, &capacity, move |conn, addr| {
        log!("{addr} connected");
        match session(&handler, &conn, addr) {
            Ok(()) => log!("{addr} disconnected"),
            Err(why) => log!("{addr} dropped: {why}"),
        }
    });
    log!("shutting down: {summary}; {}", ftp.stats);
    Ok(())
}

/// `MyFtp.handle()`: header after header, each one command.
fn session(ftp: &FtpServer, conn: &TcpStream, addr: SocketAddr) -> Result<(), Fatal> {
    let mut session = ftp.session(conn, addr)?;
    // head_size = struct.unpack('i', conn.recv(4))[0]
    // head_content = json.loads(conn.recv(head_size)); until recv(4) is b''
    while let Some(request) = session.next_request()? {
        // getattr(self, head_content['cmd'])(head_content)
        match request {
            // put(): recv() until file_size bytes are in server_dir/file_name
            Request::Put(put) => session.put(&put)?,
            // get: a reply with the file's size, then the file's bytes
            Request::Get(get) => session.get(&get)?,
            // login, ls, cd, pwd, mkdir, quit
            other => session.command(other)?,
        }
    }
    Ok(())
}
