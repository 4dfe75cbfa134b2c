//! The real `ftp` binary, both ends, over loopback: uploads and downloads
//! checked byte for byte, names and links that must not escape, quota,
//! accounts, resume, bad headers, 20 clients at once, Ctrl-C in the middle
//! of a transfer, the digest both ends agree on (BLAKE3 between ours, md5
//! with everyone else), the digests the server remembers, and the lesson's
//! Python programs in both directions.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};
use testkit::{command, Server};

const BIN: &str = env!("CARGO_BIN_EXE_ftp");
const WAIT: Duration = Duration::from_secs(30);

// ------------------------------------------------------------------ helpers

/// A served root in a temporary directory, and the server on it.
struct Site {
    dir: tempfile::TempDir,
    server: Server,
}

impl Site {
    fn start(args: &[&str]) -> Site {
        let dir = testkit::temp_dir();
        fs::create_dir(dir.path().join("local")).expect("local dir");
        let root = dir.path().join("root");
        let mut cmd = command(BIN, ["server", "--port", "0", "--root"]);
        cmd.arg(&root).args(args);
        let server = Server::start(cmd);
        Site { dir, server }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// Ctrl-C, then a new server on the same root; the old one's log.
    fn restart(&mut self, args: &[&str]) -> String {
        let log = self.stop();
        let mut cmd = command(BIN, ["server", "--port", "0", "--root"]);
        cmd.arg(self.root()).args(args);
        self.server = Server::start(cmd);
        log
    }

    /// Where the client side keeps its files.
    fn local(&self, name: &str) -> PathBuf {
        self.dir.path().join("local").join(name)
    }

    /// A local file of `len` bytes that look random.
    fn make(&self, name: &str, len: usize, seed: u64) -> (PathBuf, Vec<u8>) {
        let bytes = content(len, seed);
        let path = self.local(name);
        fs::write(&path, &bytes).expect("write a local file");
        (path, bytes)
    }

    /// An `ftp` client command aimed at this server.
    fn client(&self, args: &[&str]) -> Command {
        let mut cmd = command(BIN, args);
        cmd.args(["--port", &self.server.addr.port().to_string()])
            .args(["--reply-wait", "1"])
            .current_dir(self.dir.path().join("local"))
            .env_remove("FTP_PASSWORD");
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        testkit::run(self.client(args), b"", WAIT)
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.server.addr).expect("connect");
        stream.set_read_timeout(Some(WAIT)).expect("timeout");
        stream
    }

    /// Ctrl-C, a clean exit, and the log.
    fn stop(&mut self) -> String {
        self.server.interrupt();
        let status = self.server.wait(WAIT);
        assert!(
            status.success(),
            "exit {status:?}: {}",
            self.server.stderr.text()
        );
        self.server.stdout.text()
    }

    fn log_shows(&self, needle: &str) {
        assert!(
            self.server.stdout.wait_for(needle, WAIT),
            "the server never logged {needle:?}:\n{}",
            self.server.stdout.text()
        );
    }
}

/// Bytes that look random (xorshift), the same for the same seed.
fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn md5_hex(bytes: &[u8]) -> String {
    let mut md5 = ftp::transfer::new_md5();
    md5::Digest::update(&mut md5, bytes);
    ftp::transfer::md5_hex(md5)
}

fn blake3_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn assert_fails(out: &Output, needle: &str) {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains(needle),
        "stderr does not say {needle:?}:\n{}",
        text(&out.stderr)
    );
}

/// Every file under `dir`, relative, sorted; the server's digest store
/// at the top is left out (its own tests look at it).
fn tree(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in fs::read_dir(&d).expect("read_dir").flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(dir)
                .expect("inside")
                .display()
                .to_string();
            if entry.file_type().expect("type").is_dir() {
                dirs.push(path);
                found.push(format!("{rel}/"));
            } else {
                found.push(rel);
            }
        }
    }
    found.retain(|name| name != ftp::digests::STORE_NAME);
    found.sort();
    found
}

/// One request frame, as `common::wire` writes it.
fn send(stream: &mut TcpStream, header: &Value) {
    common::wire::write_json_header(stream, header).expect("send a header");
}

fn reply(stream: &mut TcpStream) -> Value {
    common::wire::read_json_header(stream, 1 << 20).expect("a reply frame")
}

fn put_header(name: &str, size: usize) -> Value {
    json!({"cmd": "put", "file_name": name, "file_size": size,
           "wait": true, "resume": true, "trailer": true})
}

// ------------------------------------------------------------- put and get

#[test]
fn put_ls_get_round_trip_checks_the_digest_both_ways() {
    let mut site = Site::start(&[]);
    let (path, bytes) = site.make("data.bin", 300_000, 1);
    let out = site.run(&["put", path.to_str().expect("utf-8")]);
    let stdout = assert_ok(&out);
    // Our client and our server agree on BLAKE3.
    let b3 = blake3_hex(&bytes);
    assert!(stdout.contains(&format!("blake3 {b3}")), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "server: stored data.bin (300000 bytes, blake3 {b3})"
        )),
        "{stdout}"
    );
    assert_eq!(
        fs::read(site.root().join("data.bin")).expect("stored"),
        bytes
    );
    assert_eq!(tree(&site.root()), ["data.bin"], "no partial file left");

    // From a pipe: no progress bar, one summary line and the server's word.
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(
        !text(&out.stderr).contains('\r'),
        "no bar redraws on a pipe"
    );

    let listing = assert_ok(&site.run(&["ls"]));
    assert!(listing.contains("/ (1 entry)"), "{listing}");
    assert!(listing.contains("file  300000  data.bin"), "{listing}");

    let stdout = assert_ok(&site.run(&["get", "data.bin", "-o", "copy.bin"]));
    assert!(
        stdout.contains(&format!("blake3 {b3} verified")),
        "{stdout}"
    );
    assert_eq!(fs::read(site.local("copy.bin")).expect("downloaded"), bytes);
    assert!(!site.local(".copy.bin.part").exists());

    let log = site.stop();
    assert!(log.contains("stored data.bin (300000 bytes"), "{log}");
    assert!(
        log.contains("shutting down: served 3 clients; stored 1 file, sent 1"),
        "{log}"
    );
}

#[test]
fn an_empty_file_and_a_name_with_spaces_and_chinese_travel_too() {
    let site = Site::start(&[]);
    let (path, _) = site.make("empty", 0, 0);
    assert_ok(&site.run(&["put", path.to_str().expect("utf-8"), "--as", "空 文件.txt"]));
    assert_eq!(
        fs::read(site.root().join("空 文件.txt")).expect("stored"),
        b""
    );
    assert_ok(&site.run(&["get", "空 文件.txt"]));
    assert_eq!(
        fs::read(site.local("空 文件.txt")).expect("downloaded"),
        b""
    );
}

#[test]
fn an_existing_name_is_refused_unless_overwrite() {
    let site = Site::start(&[]);
    let (first, first_bytes) = site.make("a.txt", 1000, 2);
    assert_ok(&site.run(&["put", first.to_str().expect("utf-8")]));
    let (second, second_bytes) = site.make("b.txt", 2000, 3);
    let out = site.run(&["put", second.to_str().expect("utf-8"), "--as", "a.txt"]);
    assert_fails(&out, "a.txt already exists; put --overwrite replaces it");
    assert_eq!(
        fs::read(site.root().join("a.txt")).expect("kept"),
        first_bytes
    );

    let out = site.run(&[
        "put",
        second.to_str().expect("utf-8"),
        "--as",
        "a.txt",
        "--overwrite",
    ]);
    assert_ok(&out);
    assert_eq!(
        fs::read(site.root().join("a.txt")).expect("replaced"),
        second_bytes
    );
    assert_eq!(tree(&site.root()), ["a.txt"]);

    // The same rule on the client's side for get.
    let out = site.run(&["get", "a.txt", "-o", "a.txt"]);
    assert_fails(&out, "already exists; get --overwrite replaces it");
    assert_eq!(fs::read(site.local("a.txt")).expect("kept"), first_bytes);
    assert_ok(&site.run(&["get", "a.txt", "-o", "a.txt", "--overwrite"]));
    assert_eq!(
        fs::read(site.local("a.txt")).expect("replaced"),
        second_bytes
    );
}

// ------------------------------------------------------------ safety

#[test]
fn bad_names_are_refused_and_nothing_is_created() {
    let site = Site::start(&[]);
    let mut stream = site.connect();
    let bad = [
        ("../escape.txt", "may not contain `/`"),
        ("/etc/passwd", "an absolute path"),
        ("sub\\x", "may not contain `\\`"),
        ("C:evil", "drive letter"),
        ("nul\0byte", "NUL byte"),
        ("new\nline", "control characters"),
        ("", "the name is empty"),
        (".", "`.` is the current directory"),
        ("..", "`..` would leave the directory"),
        ("a..b", "may not contain `..`"),
        (".x.part", "reserved for partial uploads"),
    ];
    for (name, why) in bad {
        send(&mut stream, &put_header(name, 5));
        let answer = reply(&mut stream);
        assert_eq!(answer["status"], "error", "{name:?}: {answer}");
        let message = answer["message"].as_str().expect("a message");
        assert!(message.contains(why), "{name:?}: {message}");
        send(&mut stream, &json!({"cmd": "get", "file_name": name}));
        assert_eq!(reply(&mut stream)["status"], "error", "get {name:?}");
    }
    // The connection survived every refusal.
    send(&mut stream, &json!({"cmd": "pwd"}));
    assert_eq!(reply(&mut stream)["cwd"], "/");
    // The client passes a bad --as name on; the server refuses it.
    let (path, _) = site.make("f", 10, 4);
    let out = site.run(&["put", path.to_str().expect("utf-8"), "--as", "../../f"]);
    assert_fails(&out, "bad file name `../../f`");

    assert!(tree(&site.root()).is_empty(), "{:?}", tree(&site.root()));
    let outside = tree(site.dir.path());
    assert_eq!(
        outside,
        ["local/", "local/f", "root/"],
        "nothing beside the root"
    );
}

#[test]
fn paths_stay_inside_the_home_and_links_are_never_followed() {
    let site = Site::start(&[]);
    let secret_dir = site.dir.path().join("secret");
    fs::create_dir(&secret_dir).expect("mkdir");
    fs::write(secret_dir.join("key"), b"top secret").expect("write");
    std::os::unix::fs::symlink(&secret_dir, site.root().join("out")).expect("dir link");
    std::os::unix::fs::symlink(secret_dir.join("key"), site.root().join("key")).expect("file link");

    let mut stream = site.connect();
    for (request, why) in [
        (json!({"cmd": "cd", "path": ".."}), "would leave your home"),
        (
            json!({"cmd": "cd", "path": "/../.."}),
            "would leave your home",
        ),
        (
            json!({"cmd": "cd", "path": "out"}),
            "out is a symbolic link",
        ),
        (
            json!({"cmd": "ls", "path": "out"}),
            "out is a symbolic link",
        ),
        (
            json!({"cmd": "mkdir", "path": "out/x"}),
            "out is a symbolic link",
        ),
        (
            json!({"cmd": "mkdir", "path": "a/b"}),
            "no such file or directory",
        ),
        (json!({"cmd": "cd", "path": "C:/x"}), "drive letter"),
        (
            json!({"cmd": "get", "file_name": "key"}),
            "key is a symbolic link",
        ),
    ] {
        send(&mut stream, &request);
        let answer = reply(&mut stream);
        assert_eq!(answer["status"], "error", "{request}: {answer}");
        let message = answer["message"].as_str().expect("a message");
        assert!(message.contains(why), "{request}: {message}");
    }
    send(&mut stream, &put_header("key", 3));
    let answer = reply(&mut stream);
    assert!(answer["message"]
        .as_str()
        .expect("a message")
        .contains("key is a symbolic link"));

    // Real directories work: mkdir, cd (relative and absolute), ls.
    for (request, cwd) in [
        (json!({"cmd": "mkdir", "path": "docs"}), None),
        (json!({"cmd": "mkdir", "path": "/docs/week1"}), None),
        (
            json!({"cmd": "cd", "path": "docs/week1"}),
            Some("/docs/week1"),
        ),
        (json!({"cmd": "cd", "path": "../.."}), Some("/")),
        (json!({"cmd": "cd", "path": "/docs"}), Some("/docs")),
        (json!({"cmd": "pwd"}), Some("/docs")),
    ] {
        send(&mut stream, &request);
        let answer = reply(&mut stream);
        assert_eq!(answer["status"], "ok", "{request}: {answer}");
        if let Some(cwd) = cwd {
            assert_eq!(answer["cwd"], cwd, "{request}");
        }
    }
    send(&mut stream, &json!({"cmd": "ls", "path": "/"}));
    let listing = reply(&mut stream);
    assert_eq!(
        listing["entries"],
        json!([
            {"name": "docs", "kind": "dir", "size": listing["entries"][0]["size"]},
            {"name": "key", "kind": "link", "size": listing["entries"][1]["size"]},
            {"name": "out", "kind": "link", "size": listing["entries"][2]["size"]},
        ])
    );
    assert_eq!(
        fs::read(secret_dir.join("key")).expect("untouched"),
        b"top secret"
    );
    assert_eq!(tree(&secret_dir), ["key"]);
}

#[test]
fn a_wrong_md5_discards_the_upload_with_an_error() {
    let site = Site::start(&[]);
    let bytes = content(5000, 5);
    let mut stream = site.connect();

    // Our client's way: ready, bytes, md5 trailer.
    send(&mut stream, &put_header("t.bin", bytes.len()));
    assert_eq!(reply(&mut stream)["offset"], 0);
    stream.write_all(&bytes).expect("bytes");
    send(
        &mut stream,
        &json!({"md5": "0123456789abcdef0123456789abcdef"}),
    );
    let answer = reply(&mut stream);
    assert_eq!(answer["status"], "error");
    assert!(answer["message"]
        .as_str()
        .expect("a message")
        .starts_with("md5 mismatch for t.bin"));

    // The issue's way: md5 in the header, the bytes at once, one reply.
    send(
        &mut stream,
        &json!({"cmd": "put", "file_name": "h.bin", "file_size": bytes.len(),
                "md5": "ffffffffffffffffffffffffffffffff"}),
    );
    stream.write_all(&bytes).expect("bytes");
    let answer = reply(&mut stream);
    assert_eq!(answer["status"], "error", "{answer}");
    assert!(tree(&site.root()).is_empty(), "{:?}", tree(&site.root()));

    // And with the right md5 in the header, it is stored.
    send(
        &mut stream,
        &json!({"cmd": "put", "file_name": "h.bin", "file_size": bytes.len(),
                "md5": md5_hex(&bytes).to_uppercase()}),
    );
    stream.write_all(&bytes).expect("bytes");
    let answer = reply(&mut stream);
    assert_eq!(answer["status"], "ok", "{answer}");
    assert_eq!(answer["md5"], md5_hex(&bytes));
    assert_eq!(fs::read(site.root().join("h.bin")).expect("stored"), bytes);
}

#[test]
fn bad_headers_cost_only_their_own_connection() {
    let site = Site::start(&[]);
    let refused = |raw: &[u8], why: &str| {
        let mut stream = site.connect();
        stream.write_all(raw).expect("send");
        let answer = reply(&mut stream);
        assert_eq!(answer["status"], "error", "{answer}");
        let message = answer["message"].as_str().expect("a message");
        assert!(message.contains(why), "{message}");
        assert!(message.ends_with("closing the connection"), "{message}");
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
        assert!(rest.is_empty(), "then the server closes");
    };
    refused(&(-5i32).to_le_bytes(), "length prefix is negative (-5)");
    refused(
        &(1i32 << 20).to_le_bytes(),
        "more than the maximum of 65536",
    );
    refused(b"\x09\x00\x00\x00{not json", "bad JSON header");
    let frame = |value: Value| {
        let mut out = Vec::new();
        common::wire::write_json_header(&mut out, &value).expect("to a Vec");
        out
    };
    refused(
        &frame(json!({"cmd": "put", "file_name": "a", "file_size": -1})),
        "file_size must be a whole number of bytes, got -1",
    );
    refused(
        &frame(json!({"cmd": "put", "file_name": "a", "file_size": "ten"})),
        "got \"ten\"",
    );
    refused(
        &frame(json!({"cmd": "put", "file_name": "a", "file_size": 1u64 << 50})),
        "is absurd",
    );
    refused(&frame(json!({"file_name": "a"})), "the header has no `cmd`");

    // An unknown command is answered, and the connection goes on.
    let mut stream = site.connect();
    send(&mut stream, &json!({"cmd": "delete", "file_name": "a"}));
    let answer = reply(&mut stream);
    assert!(answer["message"]
        .as_str()
        .expect("a message")
        .starts_with("unknown command `delete`"));
    send(&mut stream, &json!({"cmd": "pwd"}));
    assert_eq!(reply(&mut stream)["status"], "ok");

    // Meanwhile the server serves everyone else.
    let (path, bytes) = site.make("ok.bin", 1234, 6);
    assert_ok(&site.run(&["put", path.to_str().expect("utf-8")]));
    assert_eq!(fs::read(site.root().join("ok.bin")).expect("stored"), bytes);
    assert!(tree(&site.root()) == ["ok.bin"], "{:?}", tree(&site.root()));
}

#[test]
fn the_quota_is_checked_before_any_byte_is_written() {
    let site = Site::start(&["--quota", "100K"]);
    let (a, _) = site.make("a.bin", 60 * 1024, 7);
    assert_ok(&site.run(&["put", a.to_str().expect("utf-8")]));
    let (b, _) = site.make("b.bin", 60 * 1024, 8);
    let out = site.run(&["put", b.to_str().expect("utf-8")]);
    assert_fails(
        &out,
        "quota exceeded: b.bin needs 60.0 KiB, and 60.0 KiB of your 100.0 KiB are in use",
    );
    assert_eq!(tree(&site.root()), ["a.bin"], "not even a partial file");

    // Replacing a file counts only the difference.
    let (c, c_bytes) = site.make("c.bin", 90 * 1024, 9);
    let out = site.run(&[
        "put",
        c.to_str().expect("utf-8"),
        "--as",
        "a.bin",
        "--overwrite",
    ]);
    assert_ok(&out);
    assert_eq!(
        fs::read(site.root().join("a.bin")).expect("replaced"),
        c_bytes
    );
}

#[test]
fn a_local_file_that_is_not_there_is_said_before_connecting() {
    // Nothing listens on the port: the error must still be about the file.
    let closed = testkit::closed_tcp_addr();
    let dir = testkit::temp_dir();
    for (file, why) in [
        (dir.path().join("missing.bin"), "no such file or directory"),
        (dir.path().to_path_buf(), "is not a regular file"),
    ] {
        let mut cmd = command(BIN, ["put"]);
        cmd.arg(&file).args(["--port", &closed.port().to_string()]);
        let out = testkit::run(cmd, b"", WAIT);
        assert_eq!(out.status.code(), Some(1));
        let err = testkit::stderr(&out);
        assert!(
            err.contains(&file.display().to_string()) && err.contains(why),
            "{err}"
        );
        assert!(!err.contains("connect"), "it connected first: {err}");
    }
}

// ------------------------------------------------------------ accounts

#[test]
fn accounts_have_hashed_passwords_homes_and_slow_failures() {
    let dir = testkit::temp_dir();
    let users = dir.path().join("users.txt");
    for (name, password) in [("alice", "wonderland"), ("bob", "builder")] {
        let mut cmd = command(BIN, ["server", "add-user", name, "--users"]);
        cmd.arg(&users).env("FTP_PASSWORD", password);
        let out = testkit::run(cmd, b"", WAIT);
        assert!(assert_ok(&out).starts_with(&format!("added {name} in ")));
    }
    let file = fs::read_to_string(&users).expect("written");
    assert!(
        !file.contains("wonderland") && !file.contains("builder"),
        "{file}"
    );
    assert!(file.starts_with("alice:$argon2id$"), "{file}");

    let site = Site::start(&[
        "--users",
        users.to_str().expect("utf-8"),
        "--login-delay-ms",
        "20",
    ]);
    let (path, bytes) = site.make("mine.txt", 777, 10);
    let as_user = |user: &str, password: &str, args: &[&str]| {
        let mut cmd = site.client(args);
        cmd.args(["--user", user]).env("FTP_PASSWORD", password);
        testkit::run(cmd, b"", WAIT)
    };
    assert_ok(&as_user(
        "alice",
        "wonderland",
        &["put", path.to_str().expect("utf-8")],
    ));
    assert_eq!(
        fs::read(site.root().join("alice/mine.txt")).expect("in alice's home"),
        bytes
    );
    let bobs = assert_ok(&as_user("bob", "builder", &["ls"]));
    assert!(
        bobs.contains("/ (0 entries)"),
        "bob sees only his home: {bobs}"
    );
    let out = as_user("bob", "builder", &["get", "mine.txt", "-o", "bobs.txt"]);
    assert_fails(&out, "no such file: mine.txt");

    let out = as_user("alice", "wrong", &["ls"]);
    assert_fails(&out, "login failed: wrong user or password");
    let out = as_user("mallory", "wonderland", &["ls"]);
    assert_fails(&out, "login failed: wrong user or password");
    let out = site.run(&["ls"]);
    assert_fails(&out, "log in first");
    let out = site.run(&["ls", "--user", "alice"]);
    assert_eq!(out.status.code(), Some(2), "no password from a pipe");
    assert!(text(&out.stderr).contains("set FTP_PASSWORD"));

    // Three wrong guesses close the connection.
    let mut stream = site.connect();
    for attempt in 1..=3 {
        send(
            &mut stream,
            &json!({"cmd": "login", "user": "alice", "password": "guess"}),
        );
        let answer = reply(&mut stream);
        assert_eq!(answer["status"], "error");
        if attempt == 3 {
            assert!(answer["message"]
                .as_str()
                .expect("a message")
                .ends_with("3 failed attempts, closing the connection"));
        }
    }
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    assert!(rest.is_empty());
    site.log_shows("login failed for alice (attempt 3 of 3)");
    site.log_shows("dropped: too many failed logins");
}

// ------------------------------------------------------------- resume

#[test]
fn a_killed_upload_leaves_nothing_under_its_name_and_resumes() {
    let site = Site::start(&[]);
    let (path, bytes) = site.make("big.bin", 2 << 20, 11);
    let half = bytes.len() / 2;
    {
        let mut stream = site.connect();
        send(&mut stream, &put_header("big.bin", bytes.len()));
        assert_eq!(reply(&mut stream)["offset"], 0);
        stream.write_all(&bytes[..half]).expect("half the bytes");
    } // the client dies here
    site.log_shows("put big.bin interrupted");
    site.log_shows("for a resume");
    assert!(
        !site.root().join("big.bin").exists(),
        "nothing under the final name"
    );
    let kept = fs::read(site.root().join(".big.bin.part")).expect("the partial file");
    assert!(
        !kept.is_empty() && kept.len() <= half,
        "{} bytes kept",
        kept.len()
    );
    assert_eq!(kept, bytes[..kept.len()]);
    let listing = assert_ok(&site.run(&["ls"]));
    assert!(listing.contains(&format!(
        "partial  {}  big.bin (unfinished upload",
        kept.len()
    )));

    let stdout = assert_ok(&site.run(&["put", path.to_str().expect("utf-8")]));
    assert!(
        stdout.contains(&format!("(resumed at byte {})", kept.len())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("blake3 {}", blake3_hex(&bytes))),
        "the digest covers the whole file: {stdout}"
    );
    assert_eq!(
        fs::read(site.root().join("big.bin")).expect("stored"),
        bytes
    );
    assert_eq!(tree(&site.root()), ["big.bin"]);
}

#[test]
fn a_resumed_upload_of_different_bytes_fails_its_md5_and_starts_clean() {
    let site = Site::start(&[]);
    fs::write(site.root().join(".f.bin.part"), content(1000, 99)).expect("a stale partial");
    let (path, bytes) = site.make("f.bin", 3000, 12);
    let out = site.run(&["put", path.to_str().expect("utf-8")]);
    assert_fails(&out, "blake3 mismatch for f.bin");
    assert!(tree(&site.root()).is_empty(), "the bad partial is gone");
    assert_ok(&site.run(&["put", path.to_str().expect("utf-8")]));
    assert_eq!(fs::read(site.root().join("f.bin")).expect("stored"), bytes);
}

#[test]
fn an_interrupted_download_resumes_and_a_wrong_prefix_is_caught() {
    let site = Site::start(&[]);
    let bytes = content(1 << 20, 13);
    fs::write(site.root().join("d.bin"), &bytes).expect("a file to serve");

    fs::write(site.local(".d.bin.part"), &bytes[..300_000]).expect("partial");
    let stdout = assert_ok(&site.run(&["get", "d.bin"]));
    assert!(stdout.contains("(resumed at byte 300000)"), "{stdout}");
    assert_eq!(fs::read(site.local("d.bin")).expect("complete"), bytes);
    assert!(!site.local(".d.bin.part").exists());

    fs::write(site.local(".e.bin.part"), b"not the right start").expect("partial");
    fs::write(site.root().join("e.bin"), &bytes).expect("a file to serve");
    let out = site.run(&["get", "e.bin"]);
    assert_fails(&out, "blake3 mismatch");
    assert!(!site.local("e.bin").exists() && !site.local(".e.bin.part").exists());
    assert_ok(&site.run(&["get", "e.bin"]));
    assert_eq!(fs::read(site.local("e.bin")).expect("complete"), bytes);
}

#[test]
fn a_partial_download_longer_than_the_file_is_started_again_from_scratch() {
    let site = Site::start(&[]);
    let bytes = content(1000, 17);
    fs::write(site.root().join("s.bin"), &bytes).expect("a file to serve");
    fs::write(site.local(".s.bin.part"), content(5000, 18)).expect("a stale partial");
    let stdout = assert_ok(&site.run(&["get", "s.bin"]));
    assert!(!stdout.contains("resumed"), "{stdout}");
    assert_eq!(fs::read(site.local("s.bin")).expect("complete"), bytes);
    assert!(!site.local(".s.bin.part").exists());

    fs::write(site.root().join("empty.bin"), b"").expect("an empty file to serve");
    fs::write(site.local(".empty.bin.part"), b"stale").expect("a stale partial");
    assert_ok(&site.run(&["get", "empty.bin"]));
    assert_eq!(fs::read(site.local("empty.bin")).expect("complete"), b"");
}

// ------------------------------------------------- concurrency, shutdown

#[test]
fn twenty_clients_put_and_get_at_once_and_all_verify() {
    let mut site = Site::start(&["--max-clients", "40"]);
    let files: Vec<(PathBuf, Vec<u8>)> = (0..20)
        .map(|i| site.make(&format!("f{i}.bin"), 50_000 + i * 7919, 100 + i as u64))
        .collect();
    thread::scope(|scope| {
        for (i, (path, bytes)) in files.iter().enumerate() {
            let site = &site;
            scope.spawn(move || {
                assert_ok(&site.run(&["put", path.to_str().expect("utf-8")]));
                let back = format!("back{i}.bin");
                assert_ok(&site.run(&["get", &format!("f{i}.bin"), "-o", &back]));
                assert_eq!(&fs::read(site.local(&back)).expect("downloaded"), bytes);
            });
        }
    });
    for (i, (_, bytes)) in files.iter().enumerate() {
        assert_eq!(
            &fs::read(site.root().join(format!("f{i}.bin"))).expect("stored"),
            bytes
        );
    }
    assert_eq!(tree(&site.root()).len(), 20, "no partial files");
    let log = site.stop();
    assert!(
        log.contains("served 40 clients; stored 20 files, sent 20"),
        "{log}"
    );
}

#[test]
fn ctrl_c_mid_upload_rolls_it_back_and_exits_0() {
    let mut site = Site::start(&[]);
    let bytes = content(1 << 20, 14);
    let mut stream = site.connect();
    send(&mut stream, &put_header("mid.bin", bytes.len()));
    assert_eq!(reply(&mut stream)["offset"], 0);
    stream.write_all(&bytes[..1000]).expect("the first bytes");
    site.log_shows("put mid.bin: receiving");
    let root = site.root();
    let log = site.stop();
    assert!(
        log.contains("put mid.bin stopped by the server's shutdown"),
        "{log}"
    );
    assert!(log.contains("1 partial upload kept for resume"), "{log}");
    assert!(
        !root.join("mid.bin").exists(),
        "nothing under the final name"
    );
    assert!(root.join(".mid.bin.part").exists(), "kept for a resume");
    drop(stream);
}

#[test]
fn a_full_server_says_so_in_a_reply() {
    let site = Site::start(&["--max-clients", "1"]);
    let _first = site.connect();
    site.log_shows("connected");
    let out = site.run(&["ls"]);
    assert_fails(
        &out,
        "server busy: 1 clients already connected, try again later",
    );
}

// ------------------------------------------------------------ the shell

#[test]
fn the_shell_runs_every_command_from_a_pipe() {
    let site = Site::start(&[]);
    let (_, bytes) = site.make("notes.txt", 4000, 15);
    let script = "help\nmkdir docs\ncd docs\nput notes.txt\nput notes.txt\nls\npwd\n\
                  cd ..\nget docs/notes.txt\ncd docs\nget notes.txt copy.txt\nbogus\nquit\n";
    let out = testkit::run(site.client(&["client"]), script.as_bytes(), WAIT);
    let stdout = assert_ok(&out);
    for expected in [
        "get NAME [PATH]",
        "created /docs",
        "/docs",
        "server: stored notes.txt (4000 bytes",
        "/docs (1 entry)",
        "file  4000  notes.txt",
        "get notes.txt -> copy.txt",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    let stderr = text(&out.stderr);
    assert!(stderr.contains("notes.txt already exists"), "{stderr}");
    assert!(
        stderr.contains("bad file name `docs/notes.txt`"),
        "{stderr}"
    );
    assert!(stderr.contains("unknown command `bogus`"), "{stderr}");
    assert_eq!(fs::read(site.local("copy.txt")).expect("downloaded"), bytes);
    assert_eq!(
        fs::read(site.root().join("docs/notes.txt")).expect("stored"),
        bytes
    );
}

#[test]
fn on_a_terminal_put_and_get_draw_a_progress_bar() {
    // `script` (util-linux) runs the client on a pseudo-terminal and
    // records what it drew.
    let site = Site::start(&[]);
    let (path, _) = site.make("big.bin", 16 << 20, 20);
    for (args, label) in [
        (format!("put {}", path.display()), "put big.bin"),
        ("get big.bin -o copy.bin".to_string(), "get big.bin"),
    ] {
        let line = format!(
            "{BIN} {args} --port {} --reply-wait 1",
            site.server.addr.port()
        );
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &line, "/dev/null"])
            .current_dir(site.dir.path().join("local"));
        let out = testkit::run(cmd, b"", WAIT);
        let screen = assert_ok(&out);
        for piece in [label, "16.00 MiB", "%", "MiB/s", "ETA"] {
            assert!(screen.contains(piece), "no {piece:?} in the bar:\n{screen}");
        }
    }
    assert_eq!(
        fs::read(site.local("copy.bin")).expect("downloaded"),
        fs::read(&path).expect("original")
    );
}

#[test]
fn help_names_the_lesson_and_shows_examples() {
    let out = testkit::run(command(BIN, ["--help"]), b"", WAIT);
    let help = assert_ok(&out);
    assert!(help.contains("Lesson: file transfer"), "{help}");
    assert!(help.contains("ftp server --root /tmp/ftp_root"), "{help}");
    assert!(help.contains("not RFC 959 FTP"), "{help}");
    let out = testkit::run(command(BIN, ["server", "--help"]), b"", WAIT);
    let help = assert_ok(&out);
    assert!(help.contains("--login-delay-ms"), "{help}");
    assert!(help.contains("--quota"), "{help}");
    for role in ["server", "put", "get", "client"] {
        let out = testkit::run(command(BIN, [role, "--help"]), b"", WAIT);
        let help = assert_ok(&out);
        assert!(help.contains("--digest <DIGEST>"), "{role}: {help}");
        assert!(
            help.contains("[possible values: blake3, md5]"),
            "{role}: {help}"
        );
    }
}

// ------------------------------------------------------------- digests

/// A put over a raw socket that offers `digests`: the `ready`, then the
/// bytes and a trailer carrying `trailer`; returns `ready` and the verdict.
fn raw_put(stream: &mut TcpStream, name: &str, bytes: &[u8], trailer: &Value) -> (Value, Value) {
    let mut header = put_header(name, bytes.len());
    header["digests"] = json!(["blake3", "md5"]);
    send(stream, &header);
    let ready = reply(stream);
    stream.write_all(bytes).expect("the bytes");
    send(stream, trailer);
    (ready, reply(stream))
}

/// A get over a raw socket: the answer, the bytes, the trailer.
fn raw_get(stream: &mut TcpStream, request: &Value) -> (Value, Vec<u8>, Value) {
    send(stream, request);
    let answer = reply(stream);
    assert_eq!(answer["status"], "ok", "{answer}");
    let size = answer["file_size"].as_u64().expect("a size");
    let offset = answer["offset"].as_u64().expect("an offset");
    let mut bytes = vec![0; (size - offset) as usize];
    stream.read_exact(&mut bytes).expect("the bytes");
    (answer, bytes, reply(stream))
}

/// A get that offers both digests, as our client's.
fn get_offering(name: &str) -> Value {
    json!({"cmd": "get", "file_name": name, "offset": 0, "digests": ["blake3", "md5"]})
}

/// One reply frame, as the exact text of its JSON.
fn reply_text(stream: &mut TcpStream) -> String {
    let frame = common::wire::read_frame(stream, 1 << 20).expect("a reply frame");
    String::from_utf8(frame).expect("UTF-8")
}

#[test]
fn blake3_is_agreed_in_ready_and_a_put_without_an_offer_gets_the_old_bytes() {
    let site = Site::start(&[]);
    let bytes = content(5000, 30);
    let mut stream = site.connect();
    let b3 = blake3_hex(&bytes);
    let (ready, answer) = raw_put(&mut stream, "n.bin", &bytes, &json!({"blake3": b3}));
    assert_eq!(ready["digest"], "blake3", "the choice, in ready: {ready}");
    assert_eq!(answer["status"], "ok", "{answer}");
    assert_eq!(answer["blake3"], b3);
    assert!(answer.get("md5").is_none(), "{answer}");
    assert!(answer["message"]
        .as_str()
        .expect("a message")
        .ends_with(&format!("(5000 bytes, blake3 {b3})")));

    // A blake3 trailer that lies is a mismatch; an md5 one is refused.
    let (_, answer) = raw_put(
        &mut stream,
        "x.bin",
        &bytes,
        &json!({"blake3": "0".repeat(64)}),
    );
    assert!(answer["message"]
        .as_str()
        .expect("a message")
        .starts_with("blake3 mismatch for x.bin"));
    let (_, answer) = raw_put(
        &mut stream,
        "x.bin",
        &bytes,
        &json!({"md5": md5_hex(&bytes)}),
    );
    assert_eq!(
        answer["message"], "the blake3 trailer is not 64 hex digits",
        "{answer}"
    );

    // No offer (every peer before the offer, `--digest md5`): the ready
    // of before, byte for byte, and an md5 trailer.
    send(&mut stream, &put_header("m.bin", bytes.len()));
    assert_eq!(
        reply_text(&mut stream),
        r#"{"status":"ok","message":"ready: send 5000 bytes from offset 0","offset":0}"#
    );
    stream.write_all(&bytes).expect("the bytes");
    send(&mut stream, &json!({"md5": md5_hex(&bytes)}));
    let md5 = md5_hex(&bytes);
    assert_eq!(
        reply_text(&mut stream),
        format!(
            r#"{{"status":"ok","message":"stored m.bin (5000 bytes, md5 {md5})","file_size":5000,"md5":"{md5}"}}"#
        )
    );
    assert_eq!(tree(&site.root()), ["m.bin", "n.bin"]);
}

#[test]
fn a_get_announces_a_remembered_digest_up_front_and_computes_the_other_once() {
    let mut site = Site::start(&[]);
    let (path, bytes) = site.make("r.bin", 200_000, 31);
    assert_ok(&site.run(&["put", path.to_str().expect("utf-8")]));
    let (b3, md5) = (blake3_hex(&bytes), md5_hex(&bytes));

    let mut stream = site.connect();
    let (answer, got, trailer) = raw_get(&mut stream, &get_offering("r.bin"));
    assert_eq!(answer["digest"], "blake3");
    assert_eq!(answer["blake3"], b3, "remembered from the put: {answer}");
    assert_eq!(got, bytes);
    assert_eq!(trailer, json!({"blake3": b3}));
    site.log_shows(
        "get r.bin: sending 200000 bytes from offset 0 (blake3 remembered: not hashed here)",
    );

    // A client that offers nothing (an older one, --digest md5): md5,
    // which the put did not compute: hashed while sending, once ...
    let request = json!({"cmd": "get", "file_name": "r.bin", "offset": 0});
    send(&mut stream, &request);
    assert_eq!(
        reply_text(&mut stream),
        r#"{"status":"ok","message":"sending r.bin: 200000 bytes from offset 0","offset":0,"file_size":200000}"#
    );
    let mut got = vec![0; bytes.len()];
    stream.read_exact(&mut got).expect("the bytes");
    assert_eq!(reply(&mut stream), json!({"md5": md5}));
    site.log_shows("(md5 hashed while sending)");
    // ... then remembered beside the blake3, in the lesson's header field.
    let (answer, _, trailer) = raw_get(&mut stream, &request);
    assert_eq!(answer["md5"], md5, "{answer}");
    assert!(answer.get("digest").is_none(), "no offer, no choice named");
    assert_eq!(trailer, json!({"md5": md5}));

    // From the middle: the digest still covers the whole file.
    let mut from_middle = get_offering("r.bin");
    from_middle["offset"] = json!(150_000);
    let (answer, got, trailer) = raw_get(&mut stream, &from_middle);
    assert_eq!(answer["blake3"], b3);
    assert_eq!(got, bytes[150_000..]);
    assert_eq!(trailer["blake3"], b3);
    drop(stream);

    // Both survive a restart.
    site.restart(&[]);
    let mut stream = site.connect();
    let (answer, got, _) = raw_get(&mut stream, &get_offering("r.bin"));
    assert_eq!(answer["blake3"], b3, "after a restart: {answer}");
    assert_eq!(got, bytes);
    let request = json!({"cmd": "get", "file_name": "r.bin"});
    assert_eq!(raw_get(&mut stream, &request).0["md5"], md5);
    drop(stream);
    let stdout = assert_ok(&site.run(&["get", "r.bin", "-o", "copy.bin"]));
    assert!(
        stdout.contains(&format!("blake3 {b3} verified")),
        "{stdout}"
    );
    assert_eq!(fs::read(site.local("copy.bin")).expect("downloaded"), bytes);
    let log = site.stop();
    assert_eq!(
        log.matches("remembered: not hashed here").count(),
        3,
        "{log}"
    );
}

/// How a test changes a served file behind the server's back, and a name
/// for it.
type Change<'a> = (&'a str, &'a dyn Fn(&[u8]));

#[test]
fn a_file_changed_behind_the_servers_back_is_hashed_again_never_served_stale() {
    let site = Site::start(&[]);
    let (path, bytes) = site.make("c.bin", 100_000, 32);
    assert_ok(&site.run(&["put", path.to_str().expect("utf-8")]));
    let served = site.root().join("c.bin");
    let mtime = fs::metadata(&served)
        .expect("stat")
        .modified()
        .expect("mtime");
    let mut stream = site.connect();
    assert_eq!(
        raw_get(&mut stream, &get_offering("c.bin")).0["blake3"],
        blake3_hex(&bytes)
    );

    // Each change keeps the size; the second and third put the mtime back
    // (as `touch -d` would): the ctime, or the inode, still tells.
    let restore_mtime = |file: &fs::File| {
        file.set_times(fs::FileTimes::new().set_modified(mtime))
            .expect("set the mtime back");
    };
    let changes: [Change<'_>; 3] = [
        ("rewritten: new mtime", &|new| {
            fs::write(&served, new).expect("rewrite")
        }),
        ("rewritten in place, mtime put back: new ctime", &|new| {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .open(&served)
                .expect("open");
            file.write_all(new).expect("rewrite");
            restore_mtime(&file);
        }),
        ("replaced by rename, mtime put back: new inode", &|new| {
            let other = site.dir.path().join("other.bin");
            fs::write(&other, new).expect("write");
            restore_mtime(&fs::File::open(&other).expect("open"));
            fs::rename(&other, &served).expect("rename over");
        }),
    ];
    for (seed, (what, change)) in (40..).zip(changes) {
        let new = content(bytes.len(), seed);
        change(&new);
        let (answer, got, trailer) = raw_get(&mut stream, &get_offering("c.bin"));
        assert!(
            answer.get("blake3").is_none(),
            "{what}: stale digest up front: {answer}"
        );
        assert_eq!(got, new, "{what}");
        assert_eq!(trailer["blake3"], blake3_hex(&new), "{what}: hashed again");
        // The client's own check passes: what it was told is right.
        let copy = format!("copy{seed}.bin");
        let stdout = assert_ok(&site.run(&["get", "c.bin", "-o", &copy]));
        assert!(stdout.contains(&blake3_hex(&new)), "{what}: {stdout}");
        assert_eq!(fs::read(site.local(&copy)).expect("downloaded"), new);
        // And once hashed again, it is remembered again.
        let (answer, ..) = raw_get(&mut stream, &get_offering("c.bin"));
        assert_eq!(answer["blake3"], blake3_hex(&new), "{what}");
    }
}

#[test]
fn the_digest_store_is_never_listed_served_replaced_or_entered() {
    let site = Site::start(&[]);
    let (path, _) = site.make("v.bin", 1000, 33);
    assert_ok(&site.run(&["put", path.to_str().expect("utf-8")]));
    let store = site.root().join(ftp::digests::STORE_NAME);
    let saved = fs::read(&store).expect("the store is on disk");
    assert!(text(&saved).contains("v.bin"), "{}", text(&saved));

    let listing = assert_ok(&site.run(&["ls"]));
    assert!(listing.contains("/ (1 entry)"), "{listing}");
    assert!(!listing.contains("ftp-digests"), "{listing}");

    let mut stream = site.connect();
    let name = ftp::digests::STORE_NAME;
    for request in [
        put_header(name, 5),
        json!({"cmd": "get", "file_name": name}),
        json!({"cmd": "cd", "path": name}),
        json!({"cmd": "ls", "path": name}),
        json!({"cmd": "mkdir", "path": name}),
        json!({"cmd": "mkdir", "path": format!("{name}.tmp")}),
        json!({"cmd": "get", "file_name": format!("{name}.tmp")}),
    ] {
        send(&mut stream, &request);
        let answer = reply(&mut stream);
        assert_eq!(answer["status"], "error", "{request}: {answer}");
        assert!(
            answer["message"]
                .as_str()
                .expect("a message")
                .contains("names starting with `.` are reserved"),
            "{request}: {answer}"
        );
    }
    let out = site.run(&["get", name]);
    assert_fails(&out, "bad file name `.ftp-digests`");
    assert_eq!(fs::read(&store).expect("untouched"), saved);
    assert_eq!(tree(&site.root()), ["v.bin"]);
}

#[test]
fn the_quota_does_not_count_the_digest_store() {
    let site = Site::start(&["--quota", "2000"]);
    let (one, _) = site.make("one.bin", 1000, 37);
    let (two, _) = site.make("two.bin", 1000, 38);
    assert_ok(&site.run(&["put", one.to_str().expect("utf-8")]));
    let store = site.root().join(ftp::digests::STORE_NAME);
    assert!(fs::metadata(&store).expect("the store").len() > 0);
    // 1000 + 1000 bytes fill the quota exactly: the store is not the user's.
    assert_ok(&site.run(&["put", two.to_str().expect("utf-8")]));
    let out = site.run(&["put", one.to_str().expect("utf-8"), "--as", "three.bin"]);
    assert_fails(&out, "quota exceeded");
}

#[test]
fn a_corrupt_or_unwritable_store_costs_one_log_line_and_no_crash() {
    let mut site = Site::start(&[]);
    let store = site.root().join(ftp::digests::STORE_NAME);
    let (path, bytes) = site.make("s.bin", 3000, 34);
    for junk in [
        &b"{\"version\":1,\"files\":{\"s.bin\":"[..],
        b"\x00\xff garbage",
    ] {
        fs::write(&store, junk).expect("a corrupt store");
        site.restart(&[]);
        site.log_shows("ignoring the digest store");
        let out = site.run(&["put", path.to_str().expect("utf-8"), "--overwrite"]);
        assert_ok(&out);
        assert_eq!(fs::read(site.root().join("s.bin")).expect("stored"), bytes);
        let saved: Value = serde_json::from_slice(&fs::read(&store).expect("rewritten"))
            .expect("a good store again");
        assert_eq!(saved["files"]["s.bin"]["blake3"], blake3_hex(&bytes));
    }
    // A directory where the store should be: read and write both fail.
    fs::remove_file(&store).expect("remove");
    fs::create_dir(&store).expect("a directory in the way");
    let log = site.restart(&[]);
    assert_eq!(log.matches("ignoring the digest store").count(), 1, "{log}");
    for _ in 0..2 {
        let out = site.run(&["put", path.to_str().expect("utf-8"), "--overwrite"]);
        assert_ok(&out);
    }
    let stdout = assert_ok(&site.run(&["get", "s.bin", "-o", "copy.bin"]));
    assert!(stdout.contains(&blake3_hex(&bytes)), "{stdout}");
    let log = site.stop();
    assert_eq!(log.matches("ignoring the digest store").count(), 1, "{log}");
    assert_eq!(
        log.matches("cannot save the digest store").count(),
        1,
        "{log}"
    );
    assert!(store.is_dir(), "left as it was");
}

#[test]
fn digest_md5_on_either_side_means_md5() {
    let site = Site::start(&[]);
    let (path, bytes) = site.make("d.bin", 50_000, 35);
    let md5 = md5_hex(&bytes);
    let file = path.to_str().expect("utf-8");
    let stdout = assert_ok(&site.run(&["put", file, "--digest", "md5"]));
    assert!(
        stdout.contains(&format!("server: stored d.bin (50000 bytes, md5 {md5})")),
        "{stdout}"
    );
    let stdout = assert_ok(&site.run(&["get", "d.bin", "-o", "a.bin", "--digest", "md5"]));
    assert!(stdout.contains(&format!("md5 {md5} verified")), "{stdout}");
    // The md5 got the put; the default client gets blake3, hashed once.
    let stdout = assert_ok(&site.run(&["get", "d.bin", "-o", "b.bin"]));
    assert!(stdout.contains(&format!("blake3 {} verified", blake3_hex(&bytes))));
    site.log_shows("(md5 remembered: not hashed here)");
    site.log_shows("(blake3 hashed while sending)");

    let md5_server = Site::start(&["--digest", "md5"]);
    let (path, bytes) = md5_server.make("e.bin", 50_000, 36);
    let md5 = md5_hex(&bytes);
    let stdout = assert_ok(&md5_server.run(&["put", path.to_str().expect("utf-8")]));
    assert!(stdout.contains(&format!("md5 {md5}")), "{stdout}");
    let stdout = assert_ok(&md5_server.run(&["get", "e.bin", "-o", "c.bin"]));
    assert!(stdout.contains(&format!("md5 {md5} verified")), "{stdout}");
    md5_server.log_shows("(md5 remembered: not hashed here)");
    let mut stream = md5_server.connect();
    let (answer, ..) = raw_get(&mut stream, &get_offering("e.bin"));
    assert_eq!(
        answer["digest"], "md5",
        "named, since it was offered a choice"
    );
    assert_eq!(answer["md5"], md5);
    assert_eq!(
        fs::read(md5_server.local("c.bin")).expect("downloaded"),
        bytes
    );
}

// ------------------------------------------------ the lesson's programs

#[test]
fn the_lessons_client_puts_files_into_ftp_server_intact() {
    let mut site = Site::start(&[]);
    let (one, one_bytes) = site.make("one.bin", 200_000, 16);
    let (two, two_bytes) = site.make("two.txt", 6, 17);
    let (three, _) = site.make("three.txt", 10, 18);
    fs::write(site.root().join("three.txt"), b"already here").expect("a file in the way");
    let mut cmd = Command::new(testkit::python3());
    cmd.arg(testkit::peer_script("ftp_lesson_client.py"))
        .args(["--port", &site.server.addr.port().to_string()]);
    let script = format!(
        "put {}\nput {}\nput {}\nput {}\n",
        one.display(),
        three.display(),
        two.display(),
        one.display()
    );
    let stdout = assert_ok(&testkit::run(cmd, script.as_bytes(), WAIT));
    assert_eq!(stdout.matches("upload successful").count(), 4, "{stdout}");
    site.log_shows("stored two.txt (6 bytes");
    site.log_shows("put refused: one.bin already exists");
    site.log_shows("disconnected");
    assert_eq!(
        fs::read(site.root().join("one.bin")).expect("stored"),
        one_bytes
    );
    assert_eq!(
        fs::read(site.root().join("two.txt")).expect("stored"),
        two_bytes
    );
    assert_eq!(
        fs::read(site.root().join("three.txt")).expect("kept"),
        b"already here"
    );
    let log = site.stop();
    assert!(log.contains("no md5 given: size checked only"), "{log}");
}

#[test]
fn ftp_put_into_the_lessons_server_delivers_and_says_nothing_confirmed() {
    let dir = testkit::temp_dir();
    let mut cmd = Command::new(testkit::python3());
    cmd.arg(testkit::peer_script("ftp_lesson_server.py"))
        .args(["--port", "0", "--root"])
        .arg(dir.path());
    let server = Server::start(cmd);
    let bytes = content(500_000, 19);
    let local = tempfile::NamedTempFile::new().expect("temp file");
    fs::write(local.path(), &bytes).expect("write");
    let mut cmd = command(BIN, ["put", "--as", "up.bin", "--reply-wait", "0.3"]);
    cmd.arg(local.path())
        .args(["--port", &server.addr.port().to_string()]);
    // testkit::run fails the test if the client hangs.
    let out = testkit::run(cmd, b"", WAIT);
    let stdout = assert_ok(&out);
    assert!(
        stdout.contains(&format!("md5 {}", md5_hex(&bytes))),
        "{stdout}"
    );
    assert!(
        text(&out.stderr).contains("warning: the server sent no confirmation"),
        "{}",
        text(&out.stderr)
    );
    assert!(server.stdout.wait_for("stored up.bin 500000 bytes", WAIT));
    assert_eq!(
        fs::read(dir.path().join("up.bin")).expect("delivered"),
        bytes
    );
}
