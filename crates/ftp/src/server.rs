//! The server side: one [`Session`] per client, on a thread of its own
//! (`harness::server::serve`, the `ThreadingTCPServer` of the lesson).
//!
//! A session reads a JSON header ([`Session::next_request`]), acts on its
//! `cmd` ([`Session::put`], [`Session::get`], [`Session::command`]), answers
//! with a JSON header, and loops, like the lesson's `handle()`; that loop is
//! `session` in `main.rs`. What it adds is what a shared server needs: a
//! login and a home per user, names and paths checked before they touch the
//! disk, uploads received under a hidden name and renamed only once their
//! size and digest are right, a quota checked before the first byte is
//! written, the digest of every file remembered ([`DigestStore`]) so a
//! download need not hash, and errors that cost only the connection that
//! caused them.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use common::show::printable_text;
use common::trace::Traced;
use common::wire::{self, WireError, DEFAULT_MAX_HEADER};
use harness::cli::{self, describe};
use harness::log;
use harness::stop::Stop;
use serde_json::Value;

use crate::accounts::Users;
use crate::digests::{self, DigestStore, FileKey};
use crate::names::{confine, partial_name, resolve, validate_name, VirtualPath};
use crate::protocol::{
    Entry, EntryKind, GetRequest, PutRequest, Reply, Request, Trailer, CHUNK, MAX_LS_ENTRIES,
};
use crate::transfer::{
    self, copy_hashing, discard, hash_prefix, receive_hashing, send_hashing, CopyError, Digest,
    Hasher,
};

/// Wrong passwords allowed on one connection before it is closed.
pub const MAX_LOGIN_ATTEMPTS: u32 = 3;

/// The name logged for clients of a server without `--users`.
pub const ANONYMOUS: &str = "anonymous";

/// The answer to a command sent before the login a server with accounts needs.
const LOG_IN_FIRST: &str = "log in first: this server has accounts (ftp --user NAME)";

/// How a server was started.
#[derive(Debug)]
pub struct Config {
    /// The served root, canonical. Each user's home is `root/NAME`; without
    /// users, the root is the one anonymous home.
    pub root: PathBuf,
    pub users: Option<Users>,
    /// Most bytes a home may hold.
    pub quota: Option<u64>,
    /// A silent client is dropped after this long.
    pub idle_timeout: Duration,
    /// How long a wrong password waits for its answer.
    pub login_delay: Duration,
    /// The strongest digest accepted: BLAKE3 with a client that offers it,
    /// or md5 with everyone (`--digest md5`).
    pub digest: Digest,
    pub trace: bool,
}

/// What the server did, for the summary line at shutdown.
#[derive(Debug, Default)]
pub struct Stats {
    stored: AtomicU64,
    sent: AtomicU64,
    kept: AtomicU64,
    refused: AtomicU64,
}

impl Stats {
    fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        write!(
            f,
            "stored {}, sent {}, {} kept for resume, {} refused or failed",
            common::show::count(load(&self.stored), "file", "files"),
            load(&self.sent),
            common::show::count(load(&self.kept), "partial upload", "partial uploads"),
            load(&self.refused)
        )
    }
}

/// The state all sessions share.
#[derive(Debug)]
pub struct FtpServer {
    pub config: Config,
    pub stats: Stats,
    shutdown: Stop,
    /// Uploads in progress: their temporary file, and the bytes each has
    /// reserved against its home's quota.
    uploads: Mutex<HashMap<PathBuf, Upload>>,
    /// The digests of the files stored or sent, kept across restarts.
    pub digests: DigestStore,
}

#[derive(Debug)]
struct Upload {
    home: PathBuf,
    reserved: u64,
}

impl FtpServer {
    pub fn new(config: Config, shutdown: Stop) -> FtpServer {
        FtpServer {
            digests: DigestStore::open(&config.root),
            config,
            stats: Stats::default(),
            shutdown,
            uploads: Mutex::new(HashMap::new()),
        }
    }

    /// Starts one client's conversation on `stream`: its timeouts set,
    /// and logged in as `anonymous` unless the server has accounts.
    pub fn session<'a>(
        &'a self,
        stream: &'a TcpStream,
        peer: SocketAddr,
    ) -> Result<Session<'a>, Fatal> {
        Session::new(self, stream, peer).map_err(|e| describe(&e))
    }

    fn uploads(&self) -> MutexGuard<'_, HashMap<PathBuf, Upload>> {
        // Every change to the map is a single insert or remove.
        self.uploads.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Takes an upload out of the in-progress map when it ends, however.
struct Reservation<'a> {
    server: &'a FtpServer,
    temp: PathBuf,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.server.uploads().remove(&self.temp);
    }
}

/// What ends a session early; the text goes to the log.
pub type Fatal = String;

/// One client's conversation.
#[derive(Debug)]
pub struct Session<'a> {
    server: &'a FtpServer,
    peer: SocketAddr,
    conn: Traced<&'a TcpStream>,
    /// Who is logged in (`anonymous` without `--users`), and their home.
    user: Option<(String, PathBuf)>,
    cwd: VirtualPath,
    failed_logins: u32,
    /// Set by `quit`: the next request is the end.
    quit: bool,
    buf: Vec<u8>,
}

impl<'a> Session<'a> {
    fn new(server: &'a FtpServer, stream: &'a TcpStream, peer: SocketAddr) -> io::Result<Self> {
        let config = &server.config;
        stream.set_read_timeout(Some(config.idle_timeout))?;
        stream.set_write_timeout(Some(config.idle_timeout))?;
        // Every reply is one write; don't let Nagle hold one back.
        stream.set_nodelay(true)?;
        let user = match config.users {
            None => Some((ANONYMOUS.to_string(), config.root.clone())),
            Some(_) => None,
        };
        Ok(Session {
            server,
            peer,
            conn: Traced::new(stream, peer, config.trace),
            user,
            cwd: VirtualPath::root(),
            failed_logins: 0,
            quit: false,
            buf: vec![0; CHUNK],
        })
    }

    /// The lesson's `recv(4)`, `struct.unpack('i', ...)`, `recv(head_size)`
    /// and `json.loads`: the next request, or `None` once the client has
    /// closed (or said `quit`). A bad length or bad JSON is answered and
    /// ends the connection: what follows cannot be trusted to be a header.
    pub fn next_request(&mut self) -> Result<Option<Request>, Fatal> {
        if self.quit {
            return Ok(None);
        }
        let header: Value = match wire::read_json_header(&mut self.conn, DEFAULT_MAX_HEADER) {
            Ok(header) => header,
            Err(WireError::Closed) => return Ok(None),
            Err(e @ (WireError::Io(_) | WireError::Truncated { .. })) => {
                return Err(self.connection_lost(&e))
            }
            Err(e) => return Err(self.bad_request(&e)),
        };
        match Request::from_json(&header) {
            Ok(request) => Ok(Some(request)),
            Err(e) => Err(self.bad_request(&e)),
        }
    }

    fn bad_request(&mut self, e: &dyn std::fmt::Display) -> Fatal {
        let why = format!("bad request: {e}");
        match self.reply(&Reply::error(format!("{why}; closing the connection"))) {
            Ok(()) => why,
            Err(lost) => lost,
        }
    }

    /// Refuses a request that needs a login on a server with accounts,
    /// before anyone has logged in. Returns whether it refused.
    fn refused_before_login(&mut self) -> Result<bool, Fatal> {
        if self.user.is_some() {
            return Ok(false);
        }
        self.reply(&Reply::error(LOG_IN_FIRST))?;
        Ok(true)
    }

    /// Any request: `login`, `ls`, `cd`, `pwd`, `mkdir`, `quit` (after
    /// which [`next_request`](Self::next_request) is the end), an unknown
    /// `cmd`, answered with an error where the lesson skipped it, and a put
    /// or a get, handed to [`put`](Self::put) or [`get`](Self::get).
    pub fn command(&mut self, request: Request) -> Result<(), Fatal> {
        // A put and a get check the login themselves.
        let needs_login = matches!(
            request,
            Request::Ls { .. } | Request::Cd { .. } | Request::Pwd | Request::Mkdir { .. }
        );
        if needs_login && self.refused_before_login()? {
            return Ok(());
        }
        match request {
            Request::Login { user, password } => self.login(&user, &password),
            Request::Put(put) => self.put(&put),
            Request::Get(get) => self.get(&get),
            Request::Ls { path } => self.answer(|s| s.ls(path.as_deref())),
            Request::Cd { path } => self.answer(|s| s.cd(&path)),
            Request::Pwd => {
                let cwd = self.cwd.to_string();
                self.answer(|_| {
                    Ok(Reply {
                        cwd: Some(cwd.clone()),
                        ..Reply::ok(cwd)
                    })
                })
            }
            Request::Mkdir { path } => self.answer(|s| s.mkdir(&path)),
            Request::Quit => {
                self.reply(&Reply::ok("bye"))?;
                self.quit = true;
                Ok(())
            }
            Request::Unknown(cmd) => {
                let shown = printable_text(cmd.as_bytes());
                log!("{} unknown command `{shown}`", self.peer);
                self.reply(&Reply::error(format!(
                    "unknown command `{shown}` (this server knows login, put, get, ls, cd, \
                     pwd, mkdir, quit)"
                )))?;
                Ok(())
            }
        }
    }

    /// Runs a command that answers with one reply, an error becoming an
    /// error reply.
    fn answer(
        &mut self,
        command: impl FnOnce(&mut Self) -> Result<Reply, String>,
    ) -> Result<(), Fatal> {
        let reply = command(self).unwrap_or_else(Reply::error);
        self.reply(&reply)?;
        Ok(())
    }

    fn reply(&mut self, reply: &Reply) -> Result<(), Fatal> {
        wire::write_json_header(&mut self.conn, reply).map_err(|e| self.connection_lost(&e))
    }

    fn connection_lost(&self, e: &WireError) -> String {
        match e {
            WireError::Io(io) if cli::is_timeout(io) => format!(
                "silent for {} s (--idle-timeout)",
                self.server.config.idle_timeout.as_secs()
            ),
            WireError::Io(io) => describe(io),
            WireError::Truncated { .. } => {
                format!("the client left in the middle of a header: {e}")
            }
            other => other.to_string(),
        }
    }

    fn who(&self) -> &str {
        self.user.as_ref().map_or("-", |(name, _)| name.as_str())
    }

    fn home(&self) -> Result<&Path, String> {
        self.user
            .as_ref()
            .map(|(_, home)| home.as_path())
            .ok_or_else(|| "log in first".to_string())
    }

    /// The current directory on disk, checked again each time: it may have
    /// been removed, or replaced by a link, since the `cd`.
    fn cwd_on_disk(&self) -> Result<PathBuf, String> {
        let home = self.home()?;
        confine(home, &self.cwd.on_disk(home)).map_err(|e| {
            format!(
                "the current directory {} is gone: {}",
                self.cwd,
                describe(&e)
            )
        })
    }

    // ------------------------------------------------------------ login

    fn login(&mut self, user: &str, password: &str) -> Result<(), Fatal> {
        let config = &self.server.config;
        let Some(users) = &config.users else {
            self.reply(&Reply {
                cwd: Some("/".into()),
                ..Reply::ok("this server is anonymous: no login needed")
            })?;
            return Ok(());
        };
        let shown = printable_text(user.as_bytes());
        if users.check(user, password) {
            let home = config.root.join(user);
            let home = fs::create_dir_all(&home)
                .and_then(|()| confine(&config.root, &home))
                .map_err(|e| format!("cannot open the home of {shown}: {}", describe(&e)));
            let home = match home {
                Ok(home) => home,
                Err(why) => {
                    log!("{} {why}", self.peer);
                    self.reply(&Reply::error(why))?;
                    return Ok(());
                }
            };
            self.user = Some((user.to_string(), home));
            self.cwd = VirtualPath::root();
            log!("{} logged in as {shown}", self.peer);
            self.reply(&Reply {
                cwd: Some("/".into()),
                ..Reply::ok(format!("logged in as {shown}"))
            })?;
            return Ok(());
        }
        // A wrong guess waits before it is told, and only a few are allowed
        // per connection: guessing becomes slow whatever the client does.
        self.failed_logins += 1;
        log!(
            "{} login failed for {shown} (attempt {} of {MAX_LOGIN_ATTEMPTS})",
            self.peer,
            self.failed_logins
        );
        thread::sleep(config.login_delay);
        if self.failed_logins >= MAX_LOGIN_ATTEMPTS {
            self.reply(&Reply::error(format!(
                "login failed: wrong user or password; {MAX_LOGIN_ATTEMPTS} failed attempts, \
                 closing the connection"
            )))?;
            return Err("too many failed logins".into());
        }
        self.reply(&Reply::error("login failed: wrong user or password"))?;
        Ok(())
    }

    // -------------------------------------------------------------- put

    /// The lesson's `put()`: receive exactly `file_size` bytes into a file.
    pub fn put(&mut self, put: &PutRequest) -> Result<(), Fatal> {
        if self.user.is_none() {
            return self.refuse_put(put, LOG_IN_FIRST.to_string());
        }
        let plan = match self.plan_put(put) {
            Ok(plan) => plan,
            Err(why) => return self.refuse_put(put, why),
        };
        let PutPlan {
            temp,
            target,
            mut file,
            offset,
            _reservation,
        } = plan;
        let name = printable_text(put.file_name.as_bytes());
        // The digest is agreed in `ready`, so only with `wait`; an md5 in
        // the header (the form) must be checked as md5.
        let digest = if put.wait && put.md5.is_none() {
            Digest::choose(&put.digests, self.server.config.digest)
        } else {
            Digest::Md5
        };
        if put.wait {
            self.reply(&Reply {
                offset: Some(offset),
                // Named only to a client that offered a choice: the others
                // get the bytes of the reply they always got.
                digest: (!put.digests.is_empty()).then(|| digest.name().to_string()),
                ..Reply::ok(format!(
                    "ready: send {} bytes from offset {offset}",
                    put.file_size - offset
                ))
            })?;
        }
        log!(
            "{} {} put {name}: receiving {} bytes{}",
            self.peer,
            self.who(),
            put.file_size - offset,
            if offset > 0 {
                format!(" (resuming at byte {offset})")
            } else {
                String::new()
            }
        );

        let mut hasher = Hasher::new(digest);
        let mut buf = std::mem::take(&mut self.buf);
        let received = hash_prefix(&mut file, offset, &mut hasher, &mut buf)
            .map_err(|e| CopyError::Write { error: e, read: 0 })
            .and_then(|()| {
                receive_hashing(
                    &mut self.conn,
                    &mut file,
                    put.file_size - offset,
                    &mut hasher,
                    &mut buf,
                    |_| true,
                )
            });
        self.buf = buf;
        drop(file);

        match received {
            Ok(()) => {}
            Err(CopyError::Write { error, read }) => {
                // The disk is full, or the file could not be written: the
                // client is still sending, so read the rest of its bytes
                // away, then say what happened.
                remove(&temp);
                let why = format!("cannot store {name}: {}", describe(&error));
                let rest = put.file_size - offset - read;
                discard(&mut self.conn, rest, &mut self.buf).map_err(|e| e.to_string())?;
                return self.put_failed(put, why);
            }
            Err(e) => {
                // The client went away (or the server is shutting down):
                // keep what arrived under the hidden name, for a resume.
                Stats::add(&self.server.stats.kept);
                let kept = fs::metadata(&temp).map(|m| m.len()).unwrap_or(0);
                let when = if self.server.shutdown.requested() {
                    "stopped by the server's shutdown"
                } else {
                    "interrupted"
                };
                return Err(format!(
                    "put {name} {when}: {e}; kept {kept} bytes as {} for a resume",
                    partial_name(&name)
                ));
            }
        }

        let mut expected = put.md5.clone();
        if put.trailer {
            let trailer: Trailer = wire::read_json_header(&mut self.conn, DEFAULT_MAX_HEADER)
                .map_err(|e| {
                    format!(
                        "no {digest} trailer after the bytes of {name}: {}",
                        self.connection_lost(&e)
                    )
                })?;
            let Some(sent) = trailer.get(digest).filter(|hex| digest.is_hex(hex)) else {
                remove(&temp);
                let why = format!(
                    "the {digest} trailer is not {} hex digits",
                    digest.hex_len()
                );
                return self.put_failed(put, why);
            };
            if let Some(header_md5) = &expected {
                if !header_md5.eq_ignore_ascii_case(sent) {
                    remove(&temp);
                    return self
                        .put_failed(put, "the md5 in the header and the trailer differ".into());
                }
            }
            expected = Some(sent.to_ascii_lowercase());
        }
        let hex = hasher.hex();
        if let Some(expected) = &expected {
            if *expected != hex {
                remove(&temp);
                return self.put_failed(
                    put,
                    format!(
                        "{digest} mismatch for {name}: received bytes hash to {hex}, the client \
                         said {expected}; the upload was discarded"
                    ),
                );
            }
        }
        if let Err(why) = commit(&temp, &target, put.overwrite) {
            remove(&temp);
            return self.put_failed(put, format!("cannot store {name}: {why}"));
        }
        // What was stored is what was hashed: remembered for the gets to
        // come, keyed by the file as it is now, after the rename.
        match fs::symlink_metadata(&target) {
            Ok(meta) => {
                let key = FileKey::of(&meta);
                self.server.digests.remember(&target, key, digest, &hex);
            }
            Err(_) => self.server.digests.forget(&target),
        }

        Stats::add(&self.server.stats.stored);
        let checked = if expected.is_some() {
            format!("{digest} checked")
        } else {
            "no md5 given: size checked only".to_string()
        };
        log!(
            "{} {} stored {name} ({} bytes, {digest} {hex}, {checked})",
            self.peer,
            self.who(),
            put.file_size
        );
        if put.wants_replies() {
            let message = format!("stored {name} ({} bytes, {digest} {hex})", put.file_size);
            self.reply(
                &Reply {
                    file_size: Some(put.file_size),
                    ..Reply::ok(message)
                }
                .with_digest(digest, Some(hex)),
            )?;
        }
        Ok(())
    }

    /// Checks a put and prepares for it, before a byte is written: the
    /// name, the directory, an existing file, another upload of the same
    /// name, the quota. Opens the temporary file.
    fn plan_put(&self, put: &PutRequest) -> Result<PutPlan<'a>, String> {
        let name = printable_text(put.file_name.as_bytes());
        validate_name(&put.file_name).map_err(|e| format!("bad file name `{name}`: {e}"))?;
        let home = self.home()?.to_path_buf();
        let dir = self.cwd_on_disk()?;
        let target = dir.join(&put.file_name);
        let mut replaced = 0;
        match fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!(
                    "{name} is a symbolic link; links are never followed"
                ))
            }
            Ok(meta) if meta.is_dir() => return Err(format!("{name} is a directory")),
            Ok(_) if !put.overwrite => {
                return Err(format!(
                    "{name} already exists; put --overwrite replaces it"
                ))
            }
            Ok(meta) => replaced = meta.len(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot check {name}: {}", describe(&e))),
        }

        let temp = dir.join(partial_name(&put.file_name));
        let mut uploads = self.server.uploads();
        if uploads.contains_key(&temp) {
            return Err(format!("another upload of {name} is in progress"));
        }
        let partial = match fs::symlink_metadata(&temp) {
            Ok(meta) if meta.is_file() => meta.len(),
            Ok(_) => {
                // Not ours (a link or a directory): never write through it.
                return Err(format!(
                    "{} is in the way and is not a partial upload",
                    partial_name(&name)
                ));
            }
            Err(_) => 0,
        };
        let offset = if put.wait && put.resume && partial <= put.file_size {
            partial
        } else {
            0
        };
        if let Some(quota) = self.server.config.quota {
            let in_progress: u64 = uploads
                .values()
                .filter(|u| u.home == home)
                .map(|u| u.reserved)
                .sum();
            let skip: HashSet<&PathBuf> = uploads.keys().collect();
            let used = disk_usage(&home, &skip) + in_progress;
            // This upload's partial file and the file it replaces are
            // counted in `used` and make way for the new file.
            let after = (used + put.file_size).saturating_sub(partial + replaced);
            if after > quota {
                return Err(format!(
                    "quota exceeded: {name} needs {}, and {} of your {} are in use",
                    transfer::human_size(put.file_size),
                    transfer::human_size(used),
                    transfer::human_size(quota)
                ));
            }
        }
        let file = open_partial(&temp, offset)
            .map_err(|e| format!("cannot create {}: {}", partial_name(&name), describe(&e)))?;
        uploads.insert(
            temp.clone(),
            Upload {
                home,
                reserved: put.file_size.saturating_sub(replaced),
            },
        );
        drop(uploads);
        Ok(PutPlan {
            temp: temp.clone(),
            target,
            file,
            offset,
            _reservation: Reservation {
                server: self.server,
                temp,
            },
        })
    }

    /// Refuses a put before any byte was written. A client that does not
    /// wait for `ready` is already sending: its bytes are read and thrown
    /// away, so the next header is found where it should be.
    fn refuse_put(&mut self, put: &PutRequest, why: String) -> Result<(), Fatal> {
        if !put.wait {
            discard(&mut self.conn, put.file_size, &mut self.buf)
                .map_err(|e| format!("while skipping a refused upload: {e}"))?;
        }
        self.put_failed(put, why)
    }

    fn put_failed(&mut self, put: &PutRequest, why: String) -> Result<(), Fatal> {
        Stats::add(&self.server.stats.refused);
        log!("{} {} put refused: {why}", self.peer, self.who());
        if put.wants_replies() {
            self.reply(&Reply::error(why))?;
        }
        Ok(())
    }

    // -------------------------------------------------------------- get

    /// A download: a reply with the file's size (and its digest, when the
    /// server remembers it), the bytes from the offset asked for, then the
    /// digest trailer.
    pub fn get(&mut self, get: &GetRequest) -> Result<(), Fatal> {
        if self.refused_before_login()? {
            return Ok(());
        }
        let name = printable_text(get.file_name.as_bytes());
        let (mut file, path, key) = match self.open_for_get(get) {
            Ok(opened) => opened,
            Err(why) => {
                Stats::add(&self.server.stats.refused);
                log!("{} {} get refused: {why}", self.peer, self.who());
                self.reply(&Reply::error(why))?;
                return Ok(());
            }
        };
        let size = key.size;
        let offset = if get.offset <= size { get.offset } else { 0 };
        let digest = Digest::choose(&get.digests, self.server.config.digest);
        let known = self.server.digests.lookup(&path, &key, digest);
        self.reply(
            &Reply {
                file_size: Some(size),
                offset: Some(offset),
                digest: (!get.digests.is_empty()).then(|| digest.name().to_string()),
                ..Reply::ok(format!(
                    "sending {name}: {} bytes from offset {offset}",
                    size - offset
                ))
            }
            .with_digest(digest, known.clone()),
        )?;
        log!(
            "{} {} get {name}: sending {} bytes from offset {offset} ({digest} {})",
            self.peer,
            self.who(),
            size - offset,
            if known.is_some() {
                "remembered: not hashed here"
            } else {
                "hashed while sending"
            }
        );

        // A digest already known is not computed again: the bytes go by
        // sendfile without being read; else they are hashed on the way.
        let mut check = match known {
            Some(hex) => Check::Known(hex),
            None => Check::Hash(Hasher::new(digest)),
        };
        let mut buf = std::mem::take(&mut self.buf);
        let shutdown = &self.server.shutdown;
        let go_on = |_| !shutdown.requested();
        let len = size - offset;
        let sent = match &mut check {
            Check::Hash(hasher) => hash_prefix(&mut file, offset, hasher, &mut buf),
            Check::Known(_) => file.seek(SeekFrom::Start(offset)).map(|_| ()),
        }
        .map_err(CopyError::Read)
        .and_then(|()| {
            let hasher = match &mut check {
                Check::Hash(hasher) => Some(hasher),
                Check::Known(_) => None,
            };
            if self.server.config.trace {
                // Through the buffer, so --trace dumps what is sent.
                let mut thrown_away = Hasher::new(digest);
                let hasher = hasher.unwrap_or(&mut thrown_away);
                copy_hashing(&mut file, &mut self.conn, len, hasher, &mut buf, go_on)
            } else {
                let socket = self.conn.get_ref();
                send_hashing(&mut file, socket, len, hasher, &mut buf, go_on)
            }
        });
        self.buf = buf;
        match sent {
            Ok(()) => {}
            Err(CopyError::Write { error, .. }) => {
                return Err(format!("get {name} interrupted: {}", describe(&error)))
            }
            Err(CopyError::Stopped { got }) => {
                return Err(format!(
                    "get {name} stopped by the server's shutdown after {got} bytes"
                ))
            }
            Err(e) => return Err(format!("get {name}: the file changed while sending: {e}")),
        }
        let hex = match check {
            Check::Known(hex) => hex,
            Check::Hash(hasher) => {
                let hex = hasher.hex();
                // Remembered only if the file is still the one hashed.
                if file.metadata().is_ok_and(|meta| FileKey::of(&meta) == key) {
                    self.server.digests.remember(&path, key, digest, &hex);
                }
                hex
            }
        };
        wire::write_json_header(&mut self.conn, &Trailer::new(digest, hex.clone()))
            .map_err(|e| self.connection_lost(&e))?;
        Stats::add(&self.server.stats.sent);
        log!(
            "{} {} sent {name} ({size} bytes, {digest} {hex})",
            self.peer,
            self.who()
        );
        Ok(())
    }

    /// The file a get names, opened, with its path on disk and its
    /// identity (size, times, inode) from the open file.
    fn open_for_get(&self, get: &GetRequest) -> Result<(File, PathBuf, FileKey), String> {
        let name = printable_text(get.file_name.as_bytes());
        validate_name(&get.file_name).map_err(|e| format!("bad file name `{name}`: {e}"))?;
        let path = self.cwd_on_disk()?.join(&get.file_name);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!(
                    "{name} is a symbolic link; links are never followed"
                ))
            }
            Ok(meta) if meta.is_dir() => return Err(format!("{name} is a directory")),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(format!("no such file: {name} (in {})", self.cwd))
            }
            Err(e) => return Err(format!("cannot open {name}: {}", describe(&e))),
        }
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .map_err(|e| format!("cannot open {name}: {}", describe(&e)))?;
        let meta = file
            .metadata()
            .map_err(|e| format!("cannot open {name}: {}", describe(&e)))?;
        if !meta.is_file() {
            return Err(format!("{name} is not a regular file"));
        }
        Ok((file, path, FileKey::of(&meta)))
    }

    // ------------------------------------------------- ls, cd, mkdir

    fn ls(&self, path: Option<&str>) -> Result<Reply, String> {
        let target = resolve(&self.cwd, path.unwrap_or("")).map_err(|e| e.to_string())?;
        let home = self.home()?;
        let dir = confine(home, &target.on_disk(home))
            .map_err(|e| format!("cannot list {target}: {}", describe(&e)))?;
        let mut entries = Vec::new();
        let listing =
            fs::read_dir(&dir).map_err(|e| format!("cannot list {target}: {}", describe(&e)))?;
        for item in listing.flatten() {
            let name = item.file_name().to_string_lossy().into_owned();
            let Ok(meta) = fs::symlink_metadata(item.path()) else {
                continue;
            };
            let kind = if meta.file_type().is_symlink() {
                EntryKind::Link
            } else if meta.is_dir() {
                EntryKind::Dir
            } else {
                EntryKind::File
            };
            let entry = match (name.strip_prefix('.'), kind) {
                (None, _) => Entry {
                    name,
                    kind,
                    size: meta.len(),
                },
                (Some(hidden), EntryKind::File) => match hidden.strip_suffix(".part") {
                    Some(original) => Entry {
                        name: original.to_string(),
                        kind: EntryKind::Partial,
                        size: meta.len(),
                    },
                    None => continue,
                },
                (Some(_), _) => continue,
            };
            entries.push(entry);
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        let total = entries.len();
        entries.truncate(MAX_LS_ENTRIES);
        let message = if total > MAX_LS_ENTRIES {
            format!("{target}: {total} entries, the first {MAX_LS_ENTRIES} shown")
        } else {
            format!(
                "{target}: {}",
                common::show::count(total as u64, "entry", "entries")
            )
        };
        Ok(Reply {
            cwd: Some(target.to_string()),
            entries: Some(entries),
            ..Reply::ok(message)
        })
    }

    fn cd(&mut self, path: &str) -> Result<Reply, String> {
        let target = resolve(&self.cwd, path).map_err(|e| e.to_string())?;
        let home = self.home()?;
        let dir = confine(home, &target.on_disk(home))
            .map_err(|e| format!("cannot cd to {target}: {}", describe(&e)))?;
        if !dir.is_dir() {
            return Err(format!("cannot cd to {target}: not a directory"));
        }
        self.cwd = target;
        let cwd = self.cwd.to_string();
        Ok(Reply {
            cwd: Some(cwd.clone()),
            ..Reply::ok(cwd)
        })
    }

    fn mkdir(&self, path: &str) -> Result<Reply, String> {
        let target = resolve(&self.cwd, path).map_err(|e| e.to_string())?;
        let Some((last, parent)) = target.components().split_last() else {
            return Err("/ already exists".into());
        };
        let home = self.home()?;
        let mut parent_path = VirtualPath::root();
        for component in parent {
            parent_path = parent_path.join(component);
        }
        let parent_dir = confine(home, &parent_path.on_disk(home))
            .map_err(|e| format!("cannot create {target}: {}", describe(&e)))?;
        // mkdir never follows a link: an existing link is "already exists".
        fs::create_dir(parent_dir.join(last))
            .map_err(|e| format!("cannot create {target}: {}", describe(&e)))?;
        log!("{} {} mkdir {target}", self.peer, self.who());
        Ok(Reply::ok(format!("created {target}")))
    }
}

/// How a get checks what it sends: with the digest the server remembers,
/// or by hashing the bytes on their way out.
enum Check {
    Known(String),
    Hash(Hasher),
}

/// A put that passed its checks.
struct PutPlan<'a> {
    temp: PathBuf,
    target: PathBuf,
    file: File,
    offset: u64,
    _reservation: Reservation<'a>,
}

/// Opens the hidden file an upload is received into: to continue it at
/// `offset`, or new. Never follows a link (`O_NOFOLLOW`), and a new one is
/// created with `O_EXCL` after any stale one is removed.
fn open_partial(temp: &Path, offset: u64) -> io::Result<File> {
    if offset > 0 {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(temp)?;
        file.set_len(offset)?;
        file.seek(SeekFrom::Start(offset))?;
        return Ok(file);
    }
    match fs::remove_file(temp) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW)
        .open(temp)
}

/// Gives a verified upload its name. Without `overwrite` the name must
/// still be free: a hard link fails if anything (even a link) took it
/// meanwhile, where a rename would silently replace it.
fn commit(temp: &Path, target: &Path, overwrite: bool) -> Result<(), String> {
    if overwrite {
        return fs::rename(temp, target).map_err(|e| describe(&e));
    }
    match fs::hard_link(temp, target) {
        Ok(()) => {
            remove(temp);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            Err("another client stored a file of that name meanwhile".into())
        }
        Err(e) => Err(describe(&e)),
    }
}

fn remove(path: &Path) {
    let _ = fs::remove_file(path);
}

/// The bytes of the regular files under `home`, links not followed,
/// leaving out the files in `skip` (uploads in progress, counted by what
/// they reserved instead).
fn disk_usage(home: &Path, skip: &HashSet<&PathBuf>) -> u64 {
    let mut total = 0;
    let mut dirs = vec![home.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(listing) = fs::read_dir(&dir) else {
            continue;
        };
        for item in listing.flatten() {
            let path = item.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                dirs.push(path);
            } else if meta.is_file() && !skip.contains(&path) && !digests::is_store(&path) {
                total += meta.len();
            }
        }
    }
    total
}
