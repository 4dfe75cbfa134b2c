//! The client side: one connection, and the commands sent over it.
//!
//! Each command is a JSON header and, for `put` and `get`, the file bytes
//! and a digest trailer (md5, or BLAKE3 when the server agrees to it). The
//! lesson's client sends its header and its bytes and never reads an
//! answer; this one reads every answer, but never waits forever for one: a
//! server that sends none (the lesson's) is noticed after `reply_wait`,
//! and the upload still goes through.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom};
use std::net::TcpStream;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::trace::Traced;
use common::wire::{self, WireError};
use harness::cli::{self, describe};
use serde_json::{json, Value};

use crate::names::partial_name;
use crate::progress::{Progress, Rate};
use crate::protocol::{Entry, Reply, Trailer, CHUNK, MAX_REPLY_HEADER};
use crate::transfer::{
    copy_hashing, hash_prefix, receive_hashing, send_hashing, CopyError, Digest, Hasher,
};

/// What went wrong with a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// The server answered `"status": "error"`; the connection is fine.
    Refused(String),
    /// Something on this side (a missing local file); the connection is
    /// fine.
    Local(String),
    /// The connection is lost or out of step; nothing more can be sent.
    Connection(String),
}

impl ClientError {
    /// Whether the connection can still be used.
    pub fn is_fatal(&self) -> bool {
        matches!(self, ClientError::Connection(_))
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Refused(why) => write!(f, "the server refused: {why}"),
            ClientError::Local(why) | ClientError::Connection(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for ClientError {}

/// How a client behaves.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The longest wait for an answer the server owes.
    pub timeout: Duration,
    /// How long `put` waits for a `ready` or a confirmation that a server
    /// of the lesson's kind never sends.
    pub reply_wait: Duration,
    /// The strongest digest to offer: BLAKE3 (and md5, for servers that
    /// know only md5), or md5 alone (`--digest md5`), which sends the
    /// headers of before the offer existed.
    pub digest: Digest,
    pub trace: bool,
}

/// An upload that went through.
#[derive(Debug, Clone)]
pub struct PutReport {
    pub name: String,
    pub size: u64,
    /// Bytes the server already had (a resumed upload).
    pub offset: u64,
    /// The digest the file was checked with, and its hex.
    pub digest: Digest,
    pub hex: String,
    pub rate: Rate,
    /// The server's confirmation, or `None` when it sent none.
    pub confirmation: Option<String>,
}

/// A download that went through.
#[derive(Debug, Clone)]
pub struct GetReport {
    pub path: PathBuf,
    pub size: u64,
    /// Bytes that were already here (a resumed download).
    pub offset: u64,
    /// The digest the file was checked with, and its hex.
    pub digest: Digest,
    pub hex: String,
    pub rate: Rate,
}

/// A connection to an `ftp` server.
#[derive(Debug)]
pub struct Connection {
    conn: Traced<TcpStream>,
    options: Options,
    buf: Vec<u8>,
    /// The server let a `put` go unanswered: it is of the lesson's kind,
    /// and will not answer `quit` either.
    silent: bool,
}

impl Connection {
    /// Wraps a connected stream.
    pub fn new(stream: TcpStream, options: Options) -> io::Result<Connection> {
        let peer = stream.peer_addr()?;
        stream.set_read_timeout(Some(options.timeout))?;
        stream.set_write_timeout(Some(options.timeout))?;
        // Each header goes out in one write; without this, Nagle's
        // algorithm holds the md5 trailer back until the last data segment
        // is acknowledged (a delayed ACK: about 40 ms per upload).
        stream.set_nodelay(true)?;
        Ok(Connection {
            conn: Traced::new(stream, peer, options.trace),
            options,
            buf: vec![0; CHUNK],
            silent: false,
        })
    }

    /// Sends one request header.
    fn send(&mut self, request: &Value) -> Result<(), ClientError> {
        wire::write_json_header(&mut self.conn, request).map_err(|e| lost(&e))
    }

    /// Reads one reply; an `error` status is [`ClientError::Refused`].
    fn read_reply(&mut self) -> Result<Reply, ClientError> {
        let reply: Reply =
            wire::read_json_header(&mut self.conn, MAX_REPLY_HEADER).map_err(|e| self.lost(&e))?;
        if reply.is_ok() {
            Ok(reply)
        } else {
            Err(ClientError::Refused(reply.message))
        }
    }

    /// Reads a reply if one comes within `wait`; `None` if none does.
    fn reply_within(&mut self, wait: Duration) -> Result<Option<Reply>, ClientError> {
        let stream = self.conn.get_ref();
        let _ = stream.set_read_timeout(Some(wait));
        let reply = wire::read_json_header::<Reply>(&mut self.conn, MAX_REPLY_HEADER);
        let _ = self
            .conn
            .get_ref()
            .set_read_timeout(Some(self.options.timeout));
        match reply {
            Ok(reply) if reply.is_ok() => Ok(Some(reply)),
            Ok(reply) => Err(ClientError::Refused(reply.message)),
            Err(WireError::Io(e)) if cli::is_timeout(&e) => Ok(None),
            Err(e) => Err(self.lost(&e)),
        }
    }

    /// Sends a request and reads its reply.
    pub fn request(&mut self, request: &Value) -> Result<Reply, ClientError> {
        self.send(request)?;
        self.read_reply()
    }

    fn lost(&self, e: &WireError) -> ClientError {
        match e {
            WireError::Io(io) if cli::is_timeout(io) => ClientError::Connection(format!(
                "no answer from the server within {} s",
                self.options.timeout.as_secs()
            )),
            other => lost(other),
        }
    }

    pub fn login(&mut self, user: &str, password: &str) -> Result<Reply, ClientError> {
        self.request(&json!({"cmd": "login", "user": user, "password": password}))
    }

    pub fn ls(&mut self, path: Option<&str>) -> Result<(String, Vec<Entry>), ClientError> {
        let reply = self.request(&json!({"cmd": "ls", "path": path}))?;
        Ok((
            reply.cwd.unwrap_or_default(),
            reply.entries.unwrap_or_default(),
        ))
    }

    pub fn cd(&mut self, path: &str) -> Result<String, ClientError> {
        let reply = self.request(&json!({"cmd": "cd", "path": path}))?;
        Ok(reply.cwd.unwrap_or(reply.message))
    }

    pub fn pwd(&mut self) -> Result<String, ClientError> {
        let reply = self.request(&json!({"cmd": "pwd"}))?;
        Ok(reply.cwd.unwrap_or(reply.message))
    }

    pub fn mkdir(&mut self, path: &str) -> Result<String, ClientError> {
        Ok(self
            .request(&json!({"cmd": "mkdir", "path": path}))?
            .message)
    }

    /// Says goodbye; the answer does not matter, and a server that never
    /// answers is not waited for.
    pub fn quit(&mut self) {
        if self.silent {
            return;
        }
        if self.send(&json!({"cmd": "quit"})).is_ok() {
            let _ = self.reply_within(self.options.reply_wait);
        }
    }

    /// The `digests` field of a put or a get: what this client can check a
    /// file with, strongest first; none with `--digest md5`, so that the
    /// request is byte for byte what it was before the field existed.
    fn offer(&self) -> Option<Vec<&'static str>> {
        let offered = Digest::offered_up_to(self.options.digest);
        (offered.len() > 1).then(|| offered.iter().map(|d| d.name()).collect())
    }

    /// The digest a server's answer chose: the one it names, if this client
    /// offered it; md5 when it names none (a server that knows only md5).
    fn chosen(&self, reply: &Reply) -> Result<Digest, ClientError> {
        let Some(name) = &reply.digest else {
            return Ok(Digest::Md5);
        };
        Digest::from_name(name)
            .filter(|d| Digest::offered_up_to(self.options.digest).contains(d))
            .ok_or_else(|| {
                ClientError::Connection(format!(
                    "the server chose the digest `{}`, which this client did not offer",
                    common::show::printable_text(name.as_bytes())
                ))
            })
    }

    /// Uploads `local` as `name`: the header, a `ready` (with the offset to
    /// resume from and the digest agreed on), the bytes hashed as they are
    /// read, the digest trailer, the server's verdict.
    pub fn put(
        &mut self,
        local: &Path,
        name: &str,
        overwrite: bool,
    ) -> Result<PutReport, ClientError> {
        let (mut file, size) = open_local(local)?;
        let mut header = json!({
            "cmd": "put",
            "file_name": name,
            "file_size": size,
            "overwrite": overwrite,
            "resume": true,
            "wait": true,
            "trailer": true,
        });
        if let Some(offer) = self.offer() {
            header["digests"] = json!(offer);
        }
        self.send(&header)?;
        // A server of this protocol answers `ready` at once; the lesson's
        // never answers at all, so after a short wait the bytes go anyway.
        let ready = self.reply_within(self.options.reply_wait)?;
        let offset = match &ready {
            Some(reply) => reply.offset.unwrap_or(0),
            None => 0,
        };
        if offset > size {
            return Err(ClientError::Connection(format!(
                "the server asked to resume at byte {offset} of a {size}-byte file"
            )));
        }
        // No `ready` at all (the lesson's server): md5, the lesson's.
        let digest = match &ready {
            Some(reply) => self.chosen(reply)?,
            None => Digest::Md5,
        };

        let mut hasher = Hasher::new(digest);
        let progress = Progress::start(&format!("put {name}"), size, offset);
        let show = |done| {
            progress.set(offset + done);
            true
        };
        let sent = hash_prefix(&mut file, offset, &mut hasher, &mut self.buf)
            .map_err(CopyError::Read)
            .and_then(|()| {
                let len = size - offset;
                if self.options.trace {
                    // Through the buffer, so --trace dumps what is sent.
                    copy_hashing(
                        &mut file,
                        &mut self.conn,
                        len,
                        &mut hasher,
                        &mut self.buf,
                        show,
                    )
                } else {
                    let socket = self.conn.get_ref();
                    let hasher = Some(&mut hasher);
                    send_hashing(&mut file, socket, len, hasher, &mut self.buf, show)
                }
            });
        let rate = progress.finish(size);
        match sent {
            Ok(()) => {}
            Err(CopyError::Write { error, .. }) => {
                // The server may have said why before it closed.
                let why = match self.reply_within(self.options.reply_wait) {
                    Err(ClientError::Refused(why)) => why,
                    _ => describe(&error),
                };
                return Err(ClientError::Connection(format!(
                    "the upload of {name} stopped: {why}"
                )));
            }
            Err(e) => {
                return Err(ClientError::Connection(format!(
                    "cannot read {}: {e}; the connection is closed (run put again to resume)",
                    local.display()
                )))
            }
        }
        let mut report = PutReport {
            name: name.to_string(),
            size,
            offset,
            digest,
            hex: hasher.hex(),
            rate,
            confirmation: None,
        };

        let mut confirmed = ready.is_some();
        if !confirmed {
            // A late `ready` (a busy server of this protocol) or nothing.
            match self.reply_within(self.options.reply_wait)? {
                Some(reply) if reply.offset.is_some() => {
                    confirmed = true;
                    // The bytes went out hashed with md5; a server that
                    // chose another digest gets it from a second read.
                    let chosen = self.chosen(&reply)?;
                    if chosen != digest {
                        let mut again = Hasher::new(chosen);
                        hash_prefix(&mut file, size, &mut again, &mut self.buf).map_err(|e| {
                            ClientError::Connection(format!(
                                "cannot read {}: {}",
                                local.display(),
                                describe(&e)
                            ))
                        })?;
                        (report.digest, report.hex) = (chosen, again.hex());
                    }
                }
                Some(reply) => {
                    report.confirmation = Some(reply.message);
                    return Ok(report);
                }
                None => {
                    self.silent = true;
                    return Ok(report);
                }
            }
        }
        if confirmed {
            let trailer = Trailer::new(report.digest, report.hex.clone());
            wire::write_json_header(&mut self.conn, &trailer).map_err(|e| lost(&e))?;
        }
        let reply = self.read_reply()?;
        let digest = report.digest;
        if let Some(stored) = reply.digest_hex(digest) {
            if *stored != report.hex {
                return Err(ClientError::Refused(format!(
                    "the server stored {digest} {stored}, but {} has {digest} {}",
                    local.display(),
                    report.hex
                )));
            }
        }
        report.confirmation = Some(reply.message);
        Ok(report)
    }

    /// Downloads `name` to `local`, through the hidden `.NAME.part` beside
    /// it (resumed if it is there), checked against the digest (in the
    /// server's answer when it remembers it, and in the trailer) before it
    /// gets its name.
    pub fn get(
        &mut self,
        name: &str,
        local: &Path,
        overwrite: bool,
    ) -> Result<GetReport, ClientError> {
        if !overwrite && fs::symlink_metadata(local).is_ok() {
            return Err(ClientError::Local(format!(
                "{} already exists; get --overwrite replaces it",
                local.display()
            )));
        }
        let partial = partial_path(local)?;
        let have = match fs::symlink_metadata(&partial) {
            Ok(meta) if meta.is_file() => meta.len(),
            _ => 0,
        };
        let mut request = json!({"cmd": "get", "file_name": name, "offset": have});
        if let Some(offer) = self.offer() {
            request["digests"] = json!(offer);
        }
        let reply = self.request(&request)?;
        let Some(size) = reply.file_size else {
            return Err(ClientError::Connection(
                "the server's answer to get has no file_size".into(),
            ));
        };
        let offset = reply.offset.unwrap_or(0);
        let digest = self.chosen(&reply)?;
        let announced = reply.digest_hex(digest).map(str::to_ascii_lowercase);
        if offset > size || offset > have {
            return Err(ClientError::Connection(format!(
                "the server would send from byte {offset}, but there are {have} bytes here and \
                 {size} in the file"
            )));
        }

        let mut file = open_partial(&partial, offset).map_err(|e| {
            ClientError::Connection(format!(
                "cannot write {}: {}",
                partial.display(),
                describe(&e)
            ))
        })?;
        let mut hasher = Hasher::new(digest);
        let progress = Progress::start(&format!("get {name}"), size, offset);
        let received = hash_prefix(&mut file, offset, &mut hasher, &mut self.buf)
            .map_err(|error| CopyError::Write { error, read: 0 })
            .and_then(|()| {
                receive_hashing(
                    &mut self.conn,
                    &mut file,
                    size - offset,
                    &mut hasher,
                    &mut self.buf,
                    |done| {
                        progress.set(offset + done);
                        true
                    },
                )
            });
        let rate = progress.finish(size);
        drop(file);
        if let Err(e) = received {
            let kept = fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
            return Err(ClientError::Connection(format!(
                "the download of {name} stopped: {e}; {kept} of {size} bytes kept in {} \
                 (run the same get again to resume)",
                partial.display()
            )));
        }

        let trailer: Trailer =
            wire::read_json_header(&mut self.conn, MAX_REPLY_HEADER).map_err(|e| self.lost(&e))?;
        let hex = hasher.hex();
        // Both what the server announced up front and its trailer must be
        // the digest of what arrived.
        let said = announced
            .into_iter()
            .chain(trailer.get(digest).map(str::to_ascii_lowercase))
            .collect::<Vec<_>>();
        if said.is_empty() || said.iter().any(|said| *said != hex) {
            let _ = fs::remove_file(&partial);
            let said = match said.as_slice() {
                [] => "nothing".to_string(),
                said => said.join(" then "),
            };
            return Err(ClientError::Local(format!(
                "{digest} mismatch: the server says {said}, the bytes received hash to {hex}; \
                 the download was discarded"
            )));
        }
        commit(&partial, local, overwrite).map_err(|why| {
            ClientError::Local(format!("cannot store {}: {why}", local.display()))
        })?;
        Ok(GetReport {
            path: local.to_path_buf(),
            size,
            offset,
            digest,
            hex,
            rate,
        })
    }
}

fn lost(e: &WireError) -> ClientError {
    let why = match e {
        WireError::Io(io) => match io.kind() {
            io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => {
                "the server closed the connection".to_string()
            }
            _ => format!("connection lost: {}", describe(io)),
        },
        WireError::Closed => "the server closed the connection".to_string(),
        WireError::Truncated { .. } => {
            format!("the server closed the connection in the middle of an answer: {e}")
        }
        other => format!("the server's answer makes no sense ({other}); is it an ftp server?"),
    };
    ClientError::Connection(why)
}

/// Opens a local file to upload: a regular file, and its size.
pub fn open_local(path: &Path) -> Result<(File, u64), ClientError> {
    let local = |e: io::Error| {
        ClientError::Local(format!("cannot read {}: {}", path.display(), describe(&e)))
    };
    let file = File::open(path).map_err(local)?;
    let meta = file.metadata().map_err(local)?;
    if !meta.is_file() {
        return Err(ClientError::Local(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    Ok((file, meta.len()))
}

/// `.NAME.part` beside `local`.
fn partial_path(local: &Path) -> Result<PathBuf, ClientError> {
    let name = local
        .file_name()
        .ok_or_else(|| ClientError::Local(format!("{} is not a file name", local.display())))?;
    Ok(local.with_file_name(partial_name(&name.to_string_lossy())))
}

/// Opens the partial download: kept up to `offset`, or new.
fn open_partial(path: &Path, offset: u64) -> io::Result<File> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(offset == 0)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    // From 0, `truncate` has emptied it (a new file is not truncated at
    // all). A second cut to 0 bytes is not free: ext4 treats a file cut
    // to 0 and written again as one being replaced, and writes all of it
    // out to the disk when it is closed (`auto_da_alloc`), which held the
    // end of a 512 MiB download up by about 0.3 s.
    if offset > 0 {
        file.set_len(offset)?;
        file.seek(SeekFrom::Start(offset))?;
    }
    Ok(file)
}

/// Gives a verified download its name (see the server's `commit`).
fn commit(temp: &Path, target: &Path, overwrite: bool) -> Result<(), String> {
    if overwrite {
        return fs::rename(temp, target).map_err(|e| describe(&e));
    }
    match fs::hard_link(temp, target) {
        Ok(()) => {
            let _ = fs::remove_file(temp);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            Err("it appeared while downloading; get --overwrite replaces it".into())
        }
        Err(e) => Err(describe(&e)),
    }
}
