//! The web-server lab's steps (`examples/web_*`), each run against the
//! Python peers of the lab's programs, and each showing its own point.

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use tempfile::TempDir;
use testkit::{
    fake_tcp_server, python3, python_peer, run, run_ok, stderr, step, tcp_connect, temp_dir, Server,
};

const WAIT: Duration = Duration::from_secs(10);

/// The lab's page, and the lab server's whole answer for it.
const HELLO: &str = "<head>Hello world!</head>\n";
const HELLO_REPLY: &str = " HTTP/1.1 200 OK\nConnection: close\nContent-Type: text/html\n\
                           Content-Length: 26\n\n<head>Hello world!</head>\n";
/// The lab's 404: a status line alone, with a space in front and no line end.
const NOT_FOUND: &str = " HTTP/1.1 404 not Found";
/// What `secret.txt`, beside the served directory, holds.
const SECRET: &str = "not for the web: 7f3a9c";

/// A temporary directory holding `www/HelloWorld.html` (the directory a
/// server is started in) and, beside `www`, `secret.txt`.
struct Site {
    dir: TempDir,
}

impl Site {
    fn new() -> Site {
        let dir = temp_dir();
        fs::create_dir(dir.path().join("www")).expect("mkdir www");
        fs::write(dir.path().join("www/HelloWorld.html"), HELLO).expect("write the page");
        fs::write(dir.path().join("secret.txt"), SECRET).expect("write the secret");
        Site { dir }
    }

    fn www(&self) -> PathBuf {
        self.dir.path().join("www")
    }

    /// The step `name` on a free port, in `www`.
    fn serve(&self, name: &str) -> Server {
        let mut cmd = step("web_server", name, ["0"]);
        cmd.current_dir(self.www());
        Server::start(cmd)
    }

    /// The lab's Python WebServer.py on a free port, serving `www`.
    fn serve_python(&self, more: &[&str]) -> Server {
        let root = self.www().display().to_string();
        let args = [&["--port", "0", "--root", &root][..], more].concat();
        Server::start(python_peer("web_lab_server.py", &args))
    }
}

/// Sends `request` in one write, and no more (a half-close: an empty
/// request is a connection closed unused), and returns all the server
/// sends until it closes.
fn fetch(addr: SocketAddr, request: &str) -> String {
    let mut conn = tcp_connect(addr, WAIT);
    conn.write_all(request.as_bytes())
        .expect("send the request");
    conn.shutdown(Shutdown::Write).expect("half-close");
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer)
        .expect("the answer, up to the close");
    String::from_utf8(answer).expect("a UTF-8 answer")
}

fn get(addr: SocketAddr, path: &str) -> String {
    fetch(addr, &format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"))
}

/// `web_urllib_client.py URL`: Python's own HTTP client, which takes the
/// lab's status line (its space in front too) and bare `\n` line ends.
fn urllib(addr: SocketAddr, path: &str) -> String {
    let url = format!("http://{addr}{path}");
    run_ok(python_peer("web_urllib_client.py", &[&url]), b"", WAIT)
}

// ---- web_1 and web_2: the lab's bytes, to the lab's clients

/// `name` answers every request with the bytes the lab's Python server sends.
fn answers_as_the_labs_python_server(name: &str, python: &[&str]) {
    let site = Site::new();
    let step = site.serve(name);
    let python = site.serve_python(python);
    assert_eq!(get(step.addr, "/HelloWorld.html"), HELLO_REPLY);
    assert_eq!(get(step.addr, "/abc.html"), NOT_FOUND);
    for request in [
        "GET /HelloWorld.html HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /HelloWorld.html\r\n\r\n",
        "GET /abc.html HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "POST /HelloWorld.html HTTP/1.0\r\n\r\nq=1",
    ] {
        assert_eq!(
            fetch(step.addr, request),
            fetch(python.addr, request),
            "{request:?}"
        );
    }
}

/// `name` is read by the lab's Python clients: urllib, and the notes'
/// raw-socket client (its one recv(4096) holds the 404, sent in one send).
fn answers_the_labs_python_clients(name: &str) {
    let site = Site::new();
    let server = site.serve(name);
    assert_eq!(
        urllib(server.addr, "/HelloWorld.html"),
        format!(
            "status 200\nConnection: close\nContent-Type: text/html\nContent-Length: 26\n\n{HELLO}"
        )
    );
    assert_eq!(urllib(server.addr, "/abc.html"), "status 404\n\n");
    let port = server.addr.port().to_string();
    let out = run_ok(
        python_peer(
            "web_lab_client.py",
            &["--port", &port, "--path", "/abc.html"],
        ),
        b"",
        WAIT,
    );
    assert_eq!(out, NOT_FOUND);
    server.stdout.assert_shows("开始WEB服务...", WAIT);
}

#[test]
fn web_1_lab_server_answers_the_same_bytes_as_the_labs_python_server() {
    answers_as_the_labs_python_server("web_1_lab_server", &[]);
}

#[test]
fn web_2_threaded_server_answers_the_same_bytes_as_the_labs_python_server() {
    answers_as_the_labs_python_server("web_2_threaded_server", &["--threaded"]);
}

#[test]
fn web_1_lab_server_is_read_by_the_labs_python_clients() {
    answers_the_labs_python_clients("web_1_lab_server");
}

#[test]
fn web_2_threaded_server_is_read_by_the_labs_python_clients() {
    answers_the_labs_python_clients("web_2_threaded_server");
}

// ---- web_1: the lab's holes, fixed

#[test]
fn web_1_lab_server_sends_any_file_byte_for_byte_with_its_length_in_bytes() {
    // The lab reads text: it would count this page's length in characters,
    // 8 short of its bytes (a browser cuts the page), turn its \r\n into \n
    // and fail on its last 128 bytes, which are no UTF-8.
    let site = Site::new();
    let mut page = "<p>你好,世界</p>\r\n".as_bytes().to_vec();
    page.extend(0..=255u8);
    fs::write(site.www().join("page.html"), &page).expect("write the page");
    let server = site.serve("web_1_lab_server");
    let mut conn = tcp_connect(server.addr, WAIT);
    conn.write_all(b"GET /page.html HTTP/1.1\r\n\r\n")
        .expect("send");
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).expect("the answer");
    let mut expected = format!(
        " HTTP/1.1 200 OK\nConnection: close\nContent-Type: text/html\nContent-Length: {}\n\n",
        page.len()
    )
    .into_bytes();
    expected.extend(&page);
    assert_eq!(answer, expected);
}

/// Targets that name `secret.txt` outside `www`, each as the lab's
/// `open(filename[1:])` would take it.
fn ways_out(site: &Site) -> Vec<String> {
    let secret = site.dir.path().join("secret.txt").display().to_string();
    vec![
        "/../secret.txt".into(),
        "/./../secret.txt".into(),
        "/../www/../secret.txt".into(),
        format!("/{secret}"),          // //tmp/.../secret.txt: an absolute path
        format!("x/../../..{secret}"), // filename[1:] drops the x: /../../../tmp/...
    ]
}

fn never_serves_a_file_outside_its_directory(name: &str) {
    let site = Site::new();
    // The lab's own server sends the secret: these targets do leave www.
    let python = site.serve_python(&[]);
    for target in ways_out(&site) {
        assert!(get(python.addr, &target).contains(SECRET), "{target}");
    }
    let server = site.serve(name);
    for target in ways_out(&site) {
        let answer = get(server.addr, &target);
        assert!(
            !answer.contains(SECRET),
            "{target} sent the secret: {answer:?}"
        );
        assert_eq!(answer, NOT_FOUND, "{target}");
    }
    assert_eq!(get(server.addr, "/HelloWorld.html"), HELLO_REPLY);
}

#[test]
fn web_1_lab_server_never_serves_a_file_outside_its_directory() {
    never_serves_a_file_outside_its_directory("web_1_lab_server");
}

#[test]
fn web_2_threaded_server_never_serves_a_file_outside_its_directory() {
    never_serves_a_file_outside_its_directory("web_2_threaded_server");
}

#[test]
fn web_1_lab_server_survives_an_empty_connection_and_a_one_word_request() {
    // The lab's message.split()[1] raises IndexError for both.
    let site = Site::new();
    let server = site.serve("web_1_lab_server");
    drop(tcp_connect(server.addr, WAIT)); // a browser's spare connection, closed unused
    assert_eq!(fetch(server.addr, ""), "");
    assert_eq!(fetch(server.addr, "GET\r\n\r\n"), "");
    assert_eq!(get(server.addr, "/HelloWorld.html"), HELLO_REPLY);
}

#[test]
fn web_1_lab_server_survives_a_client_that_hangs_up_in_the_middle_of_a_page() {
    let site = Site::new();
    fs::write(site.www().join("big.html"), vec![b'x'; 4 << 20]).expect("write a big page");
    let server = site.serve("web_1_lab_server");
    let mut conn = tcp_connect(server.addr, WAIT);
    conn.write_all(b"GET /big.html HTTP/1.1\r\n\r\n")
        .expect("send");
    let mut start = [0; 100];
    conn.read_exact(&mut start).expect("the page begins");
    drop(conn); // unread bytes: the kernel resets the connection
    server.stdout.assert_shows("(os error", WAIT); // a broken pipe or a reset, printed
    assert_eq!(get(server.addr, "/HelloWorld.html"), HELLO_REPLY);
}

// ---- web_1 serves one request at a time; web_2 a thread per request

/// Whether a request sent while another client holds its connection open
/// and silent is answered before that client leaves.
fn answered_while_a_client_holds_its_connection(server: &Server) -> bool {
    let idle = tcp_connect(server.addr, WAIT);
    // (connections are accepted in the order they came: `idle` first)
    let mut next = tcp_connect(server.addr, Duration::from_millis(500));
    next.write_all(b"GET /HelloWorld.html HTTP/1.1\r\n\r\n")
        .expect("send");
    let mut first = [0; 1];
    let answered = match next.read(&mut first) {
        Ok(n) => n == 1,
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => false,
        Err(e) => panic!("reading the answer: {e}"),
    };
    drop(idle); // an empty request: closed without an answer
    next.set_read_timeout(Some(WAIT)).expect("timeout");
    let mut rest = Vec::new();
    next.read_to_end(&mut rest).expect("the answer");
    let answer = [&first[..usize::from(answered)], &rest].concat();
    assert_eq!(String::from_utf8_lossy(&answer), HELLO_REPLY);
    answered
}

#[test]
fn web_1_lab_server_keeps_the_next_client_waiting_while_one_holds_its_connection() {
    let site = Site::new();
    let server = site.serve("web_1_lab_server");
    assert!(!answered_while_a_client_holds_its_connection(&server));
}

#[test]
fn web_2_threaded_server_answers_a_client_while_another_holds_its_connection() {
    let site = Site::new();
    let server = site.serve("web_2_threaded_server");
    assert!(answered_while_a_client_holds_its_connection(&server));
    // Many at once: ten silent connections, and ten others served meanwhile.
    let addr = server.addr;
    let mut idle: Vec<TcpStream> = (0..10).map(|_| tcp_connect(addr, WAIT)).collect();
    let pages: Vec<_> = (0..10)
        .map(|_| thread::spawn(move || get(addr, "/HelloWorld.html")))
        .collect();
    for page in pages {
        assert_eq!(page.join().expect("a client thread"), HELLO_REPLY);
    }
    for conn in &mut idle {
        conn.write_all(b"GET /abc.html HTTP/1.1\r\n\r\n")
            .expect("send");
        let mut answer = String::new();
        conn.read_to_string(&mut answer).expect("the answer");
        assert_eq!(answer, NOT_FOUND);
    }
}

// ---- web_3: the raw-socket client

/// `web_3_client URL`: what it printed (it must exit 0).
fn web_3(url: &str) -> String {
    run_ok(step("web_server", "web_3_client", [url]), b"", WAIT)
}

#[test]
fn web_3_client_reads_the_labs_python_server_page_and_404() {
    let site = Site::new();
    let server = site.serve_python(&[]);
    let base = format!("http://127.0.0.1:{}", server.addr.port());
    assert_eq!(
        web_3(&format!("{base}/HelloWorld.html")),
        "b' HTTP/1.1 200 OK\\nConnection: close\\nContent-Type: text/html\\nContent-Length: 26\\n\\n\
         <head>Hello world!</head>\\n'\n"
    );
    assert_eq!(
        web_3(&format!("{base}/abc.html")),
        "b' HTTP/1.1 404 not Found'\n"
    );
}

#[test]
fn web_3_client_reads_web_1_and_the_threaded_python_server_while_a_client_holds_it() {
    let site = Site::new();
    let expected = "b' HTTP/1.1 200 OK\\nConnection: close\\nContent-Type: text/html\\n\
                    Content-Length: 26\\n\\n<head>Hello world!</head>\\n'\n";
    let step_server = site.serve("web_1_lab_server");
    assert_eq!(
        web_3(&format!("http://{}/HelloWorld.html", step_server.addr)),
        expected
    );
    let threaded = site.serve_python(&["--threaded"]);
    let _idle = tcp_connect(threaded.addr, WAIT);
    assert_eq!(
        web_3(&format!(
            "http://localhost:{}/HelloWorld.html",
            threaded.addr.port()
        )),
        expected
    );
}

/// A one-connection server that reads a request head and answers `answer`,
/// then closes; the request comes back on the channel.
fn fake_server(answer: &'static [u8]) -> (SocketAddr, mpsc::Receiver<Vec<u8>>) {
    let (tx, rx) = mpsc::channel();
    let addr = fake_tcp_server(WAIT, move |mut conn| {
        let mut request = Vec::new();
        let mut byte = [0; 1];
        while !request.ends_with(b"\r\n\r\n") && conn.read(&mut byte).is_ok_and(|n| n == 1) {
            request.push(byte[0]);
        }
        // Two sends: the lesson's one recv(4096) could miss the second.
        let (first, second) = answer.split_at(answer.len() / 2);
        let _ = conn.write_all(first);
        thread::sleep(Duration::from_millis(50));
        let _ = conn.write_all(second);
        let _ = tx.send(request);
    });
    (addr, rx)
}

#[test]
fn web_3_client_sends_a_request_by_hand_and_prints_all_that_comes_back() {
    let (addr, request) = fake_server(b"hello word");
    let out = web_3(&format!("http://127.0.0.1:{}/a/b.html?q=1", addr.port()));
    assert_eq!(out, "b'hello word'\n"); // the lesson's own result, with its typo
    assert_eq!(
        request.recv_timeout(WAIT).expect("the request"),
        b"GET /a/b.html?q=1 HTTP/1.1\r\nHost:127.0.0.1\r\nConnection: close\r\n\r\n"
    );
}

#[test]
fn web_3_client_prints_bytes_as_pythons_print_does() {
    let answers: [&'static [u8]; 4] = [
        b"it's \"quoted\" \\ \t\r\n\x00\x7f\xff~",
        b"it's here",
        b"say \"hi\"",
        "你好 <b>".as_bytes(),
    ];
    for answer in answers {
        let (addr, _request) = fake_server(answer);
        let out = web_3(&format!("http://127.0.0.1:{}/", addr.port()));
        let mut print = Command::new(python3());
        print.args(["-c", "import sys; print(sys.stdin.buffer.read())"]);
        assert_eq!(out, run_ok(print, answer, WAIT), "{answer:?}");
    }
}

#[test]
fn web_3_client_refuses_what_is_not_an_http_url() {
    for url in [
        "https://127.0.0.1/",
        "ftp://127.0.0.1/x",
        "127.0.0.1:6789/HelloWorld.html",
        "http://127.0.0.1:6789",
        "http://:6789/",
        "http://127.0.0.1:99999/",
        "http://127.0.0.1:x/",
        "http://127.0.0.1/a b",
        "http://127.0.0.1/a\r\nX: y",
    ] {
        let out = run(step("web_server", "web_3_client", [url]), b"", WAIT);
        assert!(!out.status.success(), "{url:?}: {out:?}");
        assert!(
            stderr(&out).contains("usage: web_3_client"),
            "{url:?}: {out:?}"
        );
    }
}
