//! `web_server client URL`, the lab's optional exercise: the notes'
//! raw-socket client (`socket()`, `connect()`, `send(b'GET / HTTP/1.1...')`,
//! `recv(4096)`), reading the whole response by its framing instead of one
//! `recv`. The reading itself is `web_server::client`.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, BufReader, Write};
use std::path::Path;
use std::time::Duration;

use common::show::{count, printable_text};
use common::trace::Traced;
use harness::cli::{self, Failure, NetArgs};
use web_server::client::{self, ClientError};

use crate::args::ClientArgs;

/// How long the client waits for the connection to be accepted.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// `web_server client URL`: one request, the response shown.
pub fn run(args: ClientArgs) -> Result<(), Failure> {
    let url = client::parse_url(&args.url).map_err(Failure::usage)?;
    if url.host.is_some() && args.address_given {
        return Err(Failure::usage(format!(
            "{} already names the server; drop --host/--port, or give a /PATH instead",
            args.url
        )));
    }
    let (host, port) = match url.host {
        Some(host) => (host, url.port.unwrap_or(80)),
        None => (args.net.host.clone(), args.net.port),
    };
    let server = NetArgs::<80> {
        host,
        port,
        trace: args.net.trace,
    };

    // The lesson's socket() + connect((host, port)).
    let stream = server.connect_tcp(CONNECT_TIMEOUT)?;
    stream.set_read_timeout(Some(args.timeout))?;
    stream.set_write_timeout(Some(args.timeout))?;
    let peer = stream.peer_addr()?;
    let mut conn = Traced::new(&stream, peer, args.net.trace);

    // sock.send(b'GET / HTTP/1.1\r\nHost: ...\r\n\r\n')
    let request = client::request(
        args.head,
        &url.target,
        &client::host_header(&server.host, port),
    );
    conn.write_all(request.as_bytes())
        .map_err(|e| Failure::runtime(format!("cannot send the request: {}", cli::describe(&e))))?;

    // Not one recv(4096): the head, then the body by its framing.
    let mut reader = BufReader::with_capacity(64 * 1024, conn);
    let mut shown = String::new();
    let head = client::read_head(&mut reader, &mut shown);
    eprint!("{shown}");
    let head = head.map_err(failure)?;
    eprintln!(); // the blank line that ends the head, as on the wire
    for warning in &head.warnings {
        eprintln!("note: {warning}");
    }
    if let Some(location) = head.redirect() {
        eprintln!("redirect to {} (not followed)", printable_text(location));
    }
    let framing = client::framing(&head, args.head).map_err(failure)?;
    match &args.output {
        None => {
            let mut out = io::stdout().lock();
            client::copy_body(&mut reader, framing, &mut out).map_err(failure)?;
            out.flush().map_err(|e| failure(ClientError::Output(e)))?;
        }
        Some(path) => {
            let size = save_body(path, |file| client::copy_body(&mut reader, framing, file))?;
            eprintln!(
                "saved {} to {}",
                count(size, "byte", "bytes"),
                path.display()
            );
        }
    }
    Ok(())
}

fn failure(e: ClientError) -> Failure {
    Failure::runtime(e.to_string())
}

/// Writes the body into a temporary file beside `path` and renames it to
/// `path` only when the body is complete: an interrupted download never
/// leaves a file that looks whole.
fn save_body(
    path: &Path,
    copy: impl FnOnce(&mut File) -> Result<u64, ClientError>,
) -> Result<u64, Failure> {
    let name = path
        .file_name()
        .ok_or_else(|| Failure::usage(format!("-o {}: not a file name", path.display())))?;
    let mut partial_name = OsString::from(".");
    partial_name.push(name);
    partial_name.push(".part");
    let partial = path.with_file_name(partial_name);
    let mut file = File::create(&partial).map_err(|e| {
        Failure::runtime(format!(
            "cannot create {}: {}",
            partial.display(),
            cli::describe(&e)
        ))
    })?;
    let copied = copy(&mut file).and_then(|n| {
        file.sync_all().map_err(ClientError::Output)?;
        Ok(n)
    });
    let size = match copied {
        Ok(size) => size,
        Err(e) => {
            let _ = fs::remove_file(&partial);
            return Err(failure(e));
        }
    };
    fs::rename(&partial, path).map_err(|e| {
        let _ = fs::remove_file(&partial);
        Failure::runtime(format!(
            "cannot rename to {}: {}",
            path.display(),
            cli::describe(&e)
        ))
    })?;
    Ok(size)
}
