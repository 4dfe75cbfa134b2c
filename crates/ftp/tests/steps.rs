//! The file-transfer lesson's steps (`examples/ftp_*`), each run against the
//! Python peer of the lesson program it follows, in both directions, and
//! each showing its own point: files arrive md5 for md5, names from the
//! network stay inside the folder, a cut transfer leaves no whole-looking file.

use std::fs;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use md5::{Digest, Md5};
use serde_json::json;
use testkit::{fake_tcp_server, python_peer, run, run_ok, stderr, step, tcp_connect, Server};

const WAIT: Duration = Duration::from_secs(20);

/// Bytes that look random (an LCG), the same for the same seed.
fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 56) as u8
        })
        .collect()
}

fn md5_hex(bytes: &[u8]) -> String {
    format!("{:x}", Md5::digest(bytes))
}

/// The files every transfer test sends: a binary file of a few MiB, an
/// empty file and a line of text, written into `dir`. Their paths.
fn sample_files(dir: &Path) -> Vec<PathBuf> {
    let files = [
        ("photo.bin", random_bytes(3 << 20, 7)),
        ("empty.txt", Vec::new()),
        ("hello.txt", b"hello\n".to_vec()),
    ];
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            fs::write(&path, bytes).expect("a sample file");
            path
        })
        .collect()
}

/// Waits (bounded) for `path` to appear: the lesson's protocol has no reply,
/// so the sender is done before the receiver is.
fn await_file(path: &Path) {
    let deadline = Instant::now() + WAIT;
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "no {} within {WAIT:?}",
            path.display()
        );
        thread::sleep(Duration::from_millis(10));
    }
}

/// Asserts that `dir/NAME` has the md5 of `source`, for each source file.
fn assert_arrived_intact(sources: &[PathBuf], dir: &Path) {
    for source in sources {
        let arrived = dir.join(source.file_name().expect("a file name"));
        await_file(&arrived);
        assert_eq!(
            md5_hex(&fs::read(&arrived).expect("the arrived file")),
            md5_hex(&fs::read(source).expect("the source file")),
            "{}",
            arrived.display()
        );
    }
}

/// The names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("reading a directory")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

// ---- ftp_1: the upload (MyClient / MyFtp)

/// `ftp_1_server 0 DIR`.
fn ftp_1_server(dir: &Path) -> Server {
    Server::start(step("ftp", "ftp_1_server", ["0".as_ref(), dir.as_os_str()]))
}

/// The 4-byte length and the JSON header `header`, then `data`, in one write.
fn put_bytes(header: &serde_json::Value, data: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    common::write_json_header(&mut bytes, header).expect("to a Vec");
    bytes.extend_from_slice(data);
    bytes
}

fn put_header(file_name: &str, file_size: u64) -> serde_json::Value {
    json!({"cmd": "put", "file_name": file_name, "file_size": file_size})
}

#[test]
fn ftp_1_server_stores_what_the_lessons_python_client_puts_md5_for_md5() {
    let dir = testkit::temp_dir();
    let sources = sample_files(dir.path());
    let root = dir.path().join("root"); // not there yet: the step makes it
    let server = ftp_1_server(&root);
    let script: String = sources
        .iter()
        .map(|path| format!("put {}\n", path.display()))
        .collect();
    let port = server.addr.port().to_string();
    let out = run_ok(
        python_peer("ftp_lesson_client.py", &["--port", &port]),
        script.as_bytes(),
        WAIT,
    );
    assert_eq!(out.matches("upload successful").count(), 3, "{out}");
    assert_arrived_intact(&sources, &root);
    server
        .stdout
        .assert_shows(&format!("\n{}\n", 3 << 20), WAIT);
    assert_eq!(names_in(&root), ["empty.txt", "hello.txt", "photo.bin"]);
}

#[test]
fn ftp_1_client_puts_into_the_lessons_python_server_md5_for_md5() {
    let dir = testkit::temp_dir();
    let sources = sample_files(dir.path());
    let root = dir.path().join("py_root"); // not there yet: the peer makes it
    let root_arg = root.to_string_lossy();
    let server = Server::start(python_peer(
        "ftp_lesson_server.py",
        &["--port", "0", "--root", &root_arg],
    ));
    let mut script: String = sources
        .iter()
        .map(|path| format!("put {}\n", path.display()))
        .collect();
    script.push_str("put no-such-file\n\nput\n");
    let out = run_ok(
        step("ftp", "ftp_1_client", [server.addr.port().to_string()]),
        script.as_bytes(),
        WAIT,
    );
    assert!(
        out.starts_with("请输入命令以及要上传的文件的路径\n>>: "),
        "{out}"
    );
    assert_eq!(out.matches("upload successful").count(), 3, "{out}");
    assert!(out.contains(&format!("\n{}\n", 3 << 20)), "{out}");
    assert!(out.contains("file:no-such-file is not exists"), "{out}");
    for (name, size) in [("photo.bin", 3 << 20), ("empty.txt", 0), ("hello.txt", 6)] {
        server
            .stdout
            .assert_shows(&format!("stored {name} {size} bytes"), WAIT);
    }
    assert_arrived_intact(&sources, &root);
}

/// Everything the client `start(PORT)` sends, given `input`, to a server
/// that only listens, until the client closes.
fn bytes_sent_by(start: impl FnOnce(&str) -> Command, input: &str) -> Vec<u8> {
    let (tx, rx) = mpsc::channel();
    let addr = fake_tcp_server(WAIT, move |mut conn| {
        let mut bytes = Vec::new();
        let _ = conn.read_to_end(&mut bytes);
        let _ = tx.send(bytes);
    });
    run_ok(start(&addr.port().to_string()), input.as_bytes(), WAIT);
    rx.recv_timeout(WAIT).expect("the client's bytes")
}

#[test]
fn ftp_1_client_sends_the_same_bytes_as_the_lessons_python_client() {
    let dir = testkit::temp_dir();
    let sources = sample_files(dir.path());
    let script: String = sources
        .iter()
        .map(|path| format!("put {}\n", path.display()))
        .collect();
    let ours = bytes_sent_by(|port| step("ftp", "ftp_1_client", [port]), &script);
    let python = bytes_sent_by(
        |port| python_peer("ftp_lesson_client.py", &["--port", port]),
        &script,
    );
    let header = br#"{"cmd": "put", "file_name": "photo.bin", "file_size": 3145728}"#;
    assert_eq!(ours[..4], [header.len() as u8, 0, 0, 0]);
    assert_eq!(&ours[4..4 + header.len()], header);
    assert_eq!(ours.len(), python.len());
    assert!(ours == python, "the bytes differ");
}

#[test]
fn ftp_1_server_reads_two_puts_sent_in_one_write_apart() {
    // The lesson's recv(8000) would take the second header with the first
    // file's 3 bytes, and store it inside the first file.
    let dir = testkit::temp_dir();
    let server = ftp_1_server(dir.path());
    let mut bytes = put_bytes(&put_header("one.txt", 3), b"abc");
    bytes.extend(put_bytes(&put_header("two.txt", 4), b"defg"));
    let mut conn = tcp_connect(server.addr, WAIT);
    conn.write_all(&bytes).expect("send");
    await_file(&dir.path().join("two.txt"));
    assert_eq!(fs::read(dir.path().join("one.txt")).expect("one"), b"abc");
    assert_eq!(fs::read(dir.path().join("two.txt")).expect("two"), b"defg");
}

#[test]
fn ftp_1_server_keeps_names_from_the_network_inside_its_dir() {
    let dir = testkit::temp_dir();
    let root = dir.path().join("root");
    let server = ftp_1_server(&root);
    // An absolute path outside DIR (inside the test's folder, so that a
    // broken guard writes nowhere else).
    let absolute = dir.path().join("absolute.txt");
    let mut bytes = put_bytes(&put_header("../dotdot.txt", 3), b"abc");
    bytes.extend(put_bytes(
        &put_header(&absolute.to_string_lossy(), 3),
        b"def",
    ));
    let mut conn = tcp_connect(server.addr, WAIT);
    conn.write_all(&bytes).expect("send");
    await_file(&root.join("absolute.txt"));
    assert_eq!(
        fs::read(root.join("dotdot.txt")).expect("kept inside"),
        b"abc"
    );
    assert_eq!(
        fs::read(root.join("absolute.txt")).expect("kept inside"),
        b"def"
    );
    // A name that is no file name at all: refused, that connection closed.
    for name in ["..", "", "/"] {
        let mut conn = tcp_connect(server.addr, WAIT);
        conn.write_all(&put_bytes(&put_header(name, 3), b"ghi"))
            .expect("send");
        let _ = conn.read_to_end(&mut Vec::new()); // closed, with a reset for the unread bytes
        server
            .stdout
            .assert_shows(&format!("\"file_name\":\"{name}\""), WAIT);
    }
    assert_eq!(names_in(dir.path()), ["root"], "a file outside DIR");
    assert_eq!(names_in(&root), ["absolute.txt", "dotdot.txt"]);
}

#[test]
fn ftp_1_server_refuses_a_negative_or_absurd_size_and_serves_the_next_client() {
    let dir = testkit::temp_dir();
    let server = ftp_1_server(dir.path());
    for size in [json!(-1), json!("abc"), json!(1u64 << 50), json!(2.5)] {
        let header = json!({"cmd": "put", "file_name": "x.bin", "file_size": size});
        let mut conn = tcp_connect(server.addr, WAIT);
        conn.write_all(&put_bytes(&header, b"abc")).expect("send");
        let _ = conn.read_to_end(&mut Vec::new()); // closed, with a reset for the unread bytes
        server
            .stdout
            .assert_shows(&format!("bad header {header}"), WAIT);
    }
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
    let mut conn = tcp_connect(server.addr, WAIT);
    conn.write_all(&put_bytes(&put_header("ok.txt", 2), b"ok"))
        .expect("send");
    await_file(&dir.path().join("ok.txt"));
}

#[test]
fn ftp_1_server_leaves_no_whole_looking_file_when_the_client_closes_early() {
    let dir = testkit::temp_dir();
    let server = ftp_1_server(dir.path());
    let mut conn = tcp_connect(server.addr, WAIT);
    let half = random_bytes(50_000, 3);
    conn.write_all(&put_bytes(&put_header("cut.bin", 100_000), &half))
        .expect("send");
    drop(conn);
    server
        .stdout
        .assert_shows("the client closed after 50000 of 100000 bytes", WAIT);
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
}

// ---- ftp_2: the threaded file sender, JSON + base64

fn ftp_2_base64_server(file: &Path) -> Server {
    Server::start(step(
        "ftp",
        "ftp_2_base64_server",
        ["0".as_ref(), file.as_os_str()],
    ))
}

/// `ftp_2_base64_client PORT DIR`, run to its end.
fn ftp_2_base64_client(addr: SocketAddr, dir: &Path) -> std::process::Output {
    let port = addr.port().to_string();
    run(
        step(
            "ftp",
            "ftp_2_base64_client",
            [port.as_ref(), dir.as_os_str()],
        ),
        b"",
        WAIT,
    )
}

/// Everything a server sends to one client before it closes.
fn read_all_from(addr: SocketAddr) -> Vec<u8> {
    let mut bytes = Vec::new();
    tcp_connect(addr, WAIT)
        .read_to_end(&mut bytes)
        .expect("read until the server closes");
    bytes
}

#[test]
fn ftp_2_base64_server_sends_each_python_client_the_file_md5_for_md5() {
    let dir = testkit::temp_dir();
    for source in sample_files(dir.path()) {
        let server = ftp_2_base64_server(&source);
        server.stdout.assert_shows("服务器启动开始监听...", WAIT);
        let port = server.addr.port().to_string();
        for client in ["a", "b"] {
            let into = dir.path().join(client);
            fs::create_dir_all(&into).expect("a folder");
            let into_arg = into.to_string_lossy();
            let out = run_ok(
                python_peer(
                    "ftp_base64_client.py",
                    &["--port", &port, "--dir", &into_arg],
                ),
                b"",
                WAIT,
            );
            assert_eq!(out, "图片已保存.\n");
            assert_arrived_intact(std::slice::from_ref(&source), &into);
        }
    }
}

#[test]
fn ftp_2_base64_server_sends_the_same_bytes_as_the_lessons_python_server() {
    let dir = testkit::temp_dir();
    let source = dir.path().join("guido.jpg");
    fs::write(&source, random_bytes(1000, 5)).expect("a sample file");
    let ours = ftp_2_base64_server(&source);
    let source_arg = source.to_string_lossy();
    let python = Server::start(python_peer(
        "ftp_base64_server.py",
        &["--port", "0", "--file", &source_arg],
    ));
    let bytes = read_all_from(ours.addr);
    assert!(bytes.starts_with(br#"{"filename": "guido.jpg", "filedata": ""#));
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        String::from_utf8_lossy(&read_all_from(python.addr))
    );
}

#[test]
fn ftp_2_base64_client_saves_what_the_lessons_python_server_sends_md5_for_md5() {
    let dir = testkit::temp_dir();
    let into = dir.path().join("into");
    fs::create_dir(&into).expect("a folder");
    let sources = sample_files(dir.path());
    for source in &sources {
        let source_arg = source.to_string_lossy();
        let server = Server::start(python_peer(
            "ftp_base64_server.py",
            &["--port", "0", "--file", &source_arg],
        ));
        let out = ftp_2_base64_client(server.addr, &into);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "图片已保存.\n");
    }
    assert_arrived_intact(&sources, &into);
}

/// A server that sends `bytes` to its one client and closes.
fn sends_and_closes(bytes: Vec<u8>) -> SocketAddr {
    fake_tcp_server(WAIT, move |mut conn| {
        let _ = conn.write_all(&bytes); // a client that stops reading is its business
    })
}

#[test]
fn ftp_2_base64_client_keeps_a_filename_from_the_network_inside_its_dir() {
    let dir = testkit::temp_dir();
    let into = dir.path().join("into");
    fs::create_dir(&into).expect("a folder");
    let absolute = dir.path().join("absolute.txt");
    for (name, kept_as) in [
        ("../dotdot.txt", "dotdot.txt"),
        (&*absolute.to_string_lossy(), "absolute.txt"),
    ] {
        let text = json!({"filename": name, "filedata": "aGkK"}).to_string();
        let out = ftp_2_base64_client(sends_and_closes(text.into_bytes()), &into);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(fs::read(into.join(kept_as)).expect("kept inside"), b"hi\n");
    }
    let text = json!({"filename": "..", "filedata": "aGkK"}).to_string();
    let out = ftp_2_base64_client(sends_and_closes(text.into_bytes()), &into);
    assert!(!out.status.success(), "saved a file named ..");
    assert!(stderr(&out).contains("bad filename"), "{}", stderr(&out));
    assert_eq!(names_in(dir.path()), ["into"], "a file outside DIR");
    assert_eq!(names_in(&into), ["absolute.txt", "dotdot.txt"]);
}

#[test]
fn ftp_2_base64_client_saves_nothing_when_the_server_closes_early() {
    let dir = testkit::temp_dir();
    let text = json!({"filename": "cut.bin", "filedata": "aGVsbG8gd29ybGQK"}).to_string();
    let half = text.as_bytes()[..text.len() / 2].to_vec();
    let out = ftp_2_base64_client(sends_and_closes(half), dir.path());
    assert!(!out.status.success(), "accepted half a JSON text");
    assert!(
        stderr(&out).contains("EOF while parsing"),
        "{}",
        stderr(&out)
    );
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
}

#[test]
fn ftp_2_base64_client_stops_reading_at_64_mib() {
    let dir = testkit::temp_dir();
    let out = ftp_2_base64_client(sends_and_closes(vec![b'A'; (64 << 20) + 1]), dir.path());
    assert!(!out.status.success(), "read more than 64 MiB");
    assert!(
        stderr(&out).contains("more than 64 MiB"),
        "{}",
        stderr(&out)
    );
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
}
