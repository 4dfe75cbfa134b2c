//! `web_server client`: against the real server, and against small fake
//! servers on a thread that send exactly the bytes a case needs (chunks, a
//! body ended by the close, garbage, a body cut short, silence).

mod support;

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::{Command, Output};
use std::thread::{self, JoinHandle};

use support::{Site, BIN, HELLO, WAIT};
use testkit::{stderr, stdout};

fn client(args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("client").args(args);
    testkit::run(cmd, b"", WAIT)
}

/// A one-connection server: reads the request head, sends `reply`, closes.
/// Joining it gives the request it received.
fn fake_server(reply: &'static [u8]) -> (SocketAddr, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = listener.local_addr().expect("bound");
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("the client connects");
        stream.set_read_timeout(Some(WAIT)).expect("timeout");
        let mut request = Vec::new();
        let mut byte = [0; 1];
        while !request.ends_with(b"\r\n\r\n") && request.len() < 8192 {
            if stream.read(&mut byte).expect("the request") == 0 {
                break;
            }
            request.push(byte[0]);
        }
        let _ = stream.write_all(reply);
        String::from_utf8_lossy(&request).into_owned()
    });
    (addr, handle)
}

#[test]
fn a_page_goes_to_stdout_and_its_head_to_stderr() {
    let site = Site::new();
    let server = site.serve(&[]);
    let out = client(&[&format!("http://{}/HelloWorld.html", server.addr)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), HELLO);
    let head = stderr(&out);
    assert!(
        head.starts_with("HTTP/1.1 200 OK\nServer: web_server/"),
        "{head}"
    );
    assert!(
        head.contains(&format!("Content-Length: {}\n", HELLO.len())),
        "{head}"
    );
    assert!(
        head.contains("Connection: close\n"),
        "the client asked to close: {head}"
    );
}

#[test]
fn a_path_is_fetched_from_host_and_port_and_a_url_must_not_repeat_them() {
    let site = Site::new();
    let server = site.serve(&[]);
    let port = server.addr.port().to_string();
    let out = client(&["/docs/notes.txt", "--port", &port]);
    assert_eq!(stdout(&out), "0123456789abcdefghijklmnopqrstuvwxyz");

    let out = client(&[&format!("http://{}/", server.addr), "--port", &port]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("already names the server; drop --host/--port"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_request_has_a_host_and_asks_to_close() {
    let (addr, request) = fake_server(b"HTTP/1.1 204 No Content\r\n\r\n");
    let out = client(&[&format!("http://{addr}/a b/你好.html?x=1#top")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let request = request.join().expect("fake server");
    assert!(
        request.starts_with(&format!(
            "GET /a%20b/%E4%BD%A0%E5%A5%BD.html?x=1 HTTP/1.1\r\nHost: {addr}\r\n"
        )),
        "{request}"
    );
    assert!(request.contains("\r\nConnection: close\r\n"), "{request}");
}

#[test]
fn head_shows_the_headers_only() {
    let site = Site::new();
    let server = site.serve(&[]);
    let out = client(&["--head", &format!("http://{}/HelloWorld.html", server.addr)]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains(&format!("Content-Length: {}\n", HELLO.len())));
}

#[test]
fn output_file_is_written_whole_and_renamed_at_the_end() {
    let site = Site::new();
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    site.file("data.bin", &data);
    let server = site.serve(&[]);
    let dest = site.dir.path().join("copy.bin");
    let out = client(&[
        &format!("http://{}/data.bin", server.addr),
        "-o",
        dest.to_str().expect("UTF-8 path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(fs::read(&dest).expect("the file") == data, "byte for byte");
    assert!(stderr(&out).ends_with(&format!("saved 300000 bytes to {}\n", dest.display())));
    assert!(!site.dir.path().join(".copy.bin.part").exists());
}

#[test]
fn a_download_cut_short_fails_and_leaves_no_file() {
    let (addr, _server) = fake_server(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly ten b");
    let dir = testkit::temp_dir();
    let dest = dir.path().join("out.bin");
    let out = client(&[
        &format!("http://{addr}/x"),
        "-o",
        dest.to_str().expect("UTF-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).ends_with(
        "error: incomplete response: the connection closed after 10 of the 1000 bytes of the body \
         (Content-Length)\n"
    ), "{}", stderr(&out));
    assert_eq!(
        fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "no file, no .part"
    );
}

#[test]
fn a_redirect_is_shown_and_not_followed() {
    let site = Site::new();
    let server = site.serve(&[]);
    let out = client(&[&format!("http://{}/docs", server.addr)]);
    assert!(out.status.success());
    let head = stderr(&out);
    assert!(
        head.starts_with("HTTP/1.1 301 Moved Permanently\n"),
        "{head}"
    );
    assert!(
        head.ends_with("redirect to /docs/ (not followed)\n"),
        "{head}"
    );
}

#[test]
fn chunked_bodies_are_put_back_together() {
    let (addr, _server) = fake_server(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
          6\r\nHello \r\n1a;note=x\r\nworld, in three chunks... \r\n4\r\ndone\r\n0\r\n\r\n",
    );
    let out = client(&[&format!("http://{addr}/")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Hello world, in three chunks... done");
}

#[test]
fn a_body_without_length_ends_when_the_server_closes() {
    let (addr, _server) =
        fake_server(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the close");
    let out = client(&[&format!("http://{addr}/")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "until the close");
}

#[test]
fn a_dead_server_is_one_line_and_exit_1() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("bound").port()
    }; // nothing listens there now
    let out = client(&["/", "--port", &port.to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("error: cannot connect to 127.0.0.1:{port}: connection refused; is the server running?\n")
    );
}

#[test]
fn a_malformed_response_is_one_line_and_exit_1() {
    let (addr, _server) = fake_server(b"SSH-2.0-OpenSSH_9.2\r\n");
    let out = client(&[&format!("http://{addr}/")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: malformed response: the status line is \"SSH-2.0-OpenSSH_9.2\", not HTTP/1.x CODE REASON\n"
    );
}

#[test]
fn a_silent_server_is_given_up_after_the_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = listener.local_addr().expect("bound");
    // The kernel accepts the connection; nobody ever answers.
    let out = client(&[&format!("http://{addr}/"), "--timeout", "0.5"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: the server sent nothing more for the whole --timeout\n"
    );
    drop(listener);
}

#[test]
fn urls_this_client_cannot_use_are_usage_errors() {
    for url in [
        "https://example.com/",
        "example.com/",
        "http://user@host/",
        "http://host:99999/",
    ] {
        let out = client(&[url]);
        assert_eq!(out.status.code(), Some(2), "{url}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with(&format!("error: {url}: ")),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn trace_shows_the_request_on_the_wire() {
    let site = Site::new();
    let server = site.serve(&[]);
    let out = client(&[
        "--trace",
        &format!("http://{}/HelloWorld.html", server.addr),
    ]);
    let trace = stderr(&out);
    assert!(
        trace.contains(&format!("send → {}", server.addr)),
        "{trace}"
    );
    assert!(trace.contains("|GET /HelloWorld.|"), "{trace}");
    assert!(
        trace.contains(&format!("recv ← {}", server.addr)),
        "{trace}"
    );
    assert_eq!(stdout(&out), HELLO);
}

#[test]
fn help_names_the_lab_and_says_what_the_exit_status_means() {
    let out = client(&["--help"]);
    let help = stdout(&out);
    assert!(
        help.contains("The web-server lab's optional exercise, the client"),
        "{help}"
    );
    assert!(
        help.contains("web_server client http://127.0.0.1:6789/HelloWorld.html"),
        "{help}"
    );
    assert!(
        help.contains("Exit status: 0 when a whole response came back"),
        "{help}"
    );
}
