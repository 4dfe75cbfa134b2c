//! The TCP lesson's steps (`examples/tcp_*`), each run against the Python
//! peer of the lesson program it follows, and each showing its own point.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use testkit::{run, run_ok, stderr, step, tcp_connect, Server};

const WAIT: Duration = Duration::from_secs(10);

/// A step of this package as a server on a free port.
fn server(name: &str) -> Server {
    Server::start(step("tcp_server", name, ["0"]))
}

#[test]
fn tcp_1_server_answers_the_lessons_python_client() {
    let server = server("tcp_1_server");
    testkit::assert_python_tcp_client_is_answered(server.addr, WAIT);
    server
        .stdout
        .assert_shows("客户端发来的消息是 你好 abc", WAIT);
}

#[test]
fn tcp_1_server_serves_the_next_client_after_one_leaves() {
    // The lesson's server never checks for an empty recv(), so once its
    // client has gone it spins on b'' and never accepts the next one.
    let server = server("tcp_1_server");
    drop(tcp_connect(server.addr, WAIT));
    let mut next = tcp_connect(server.addr, WAIT);
    next.set_read_timeout(Some(WAIT)).expect("timeout");
    next.write_all(b"are you there").expect("send");
    let mut reply = [0; 13];
    next.read_exact(&mut reply).expect("the reply");
    assert_eq!(&reply, b"ARE YOU THERE");
}

// ---- tcp_2 – tcp_4: each answers the lesson's client and the tcp_1_client step

/// The lesson's Python client, then the `tcp_1_client` step, against the
/// step `name`; the server is left with no child process.
fn answers_the_python_client_and_tcp_1_client(name: &str) {
    let server = server(name);
    let port = server.addr.port().to_string();
    testkit::assert_python_tcp_client_is_answered(server.addr, WAIT);
    let out = run_ok(
        step("tcp_client", "tcp_1_client", [&port]),
        "socket\n\n".as_bytes(),
        WAIT,
    );
    assert_eq!(
        out,
        ">>: 客户端已经发送消息\n收到服务端发来的消息 SOCKET\n>>: >>: "
    );
    server
        .stdout
        .assert_shows("客户端发来的消息是 你好 abc", WAIT);
    server
        .stdout
        .assert_shows("客户端发来的消息是 socket", WAIT);
    await_no_children(listener_pid(server.addr.port()));
}

#[test]
fn tcp_2_reuseaddr_answers_the_lessons_python_client_and_tcp_1_client() {
    answers_the_python_client_and_tcp_1_client("tcp_2_reuseaddr");
}

#[test]
fn tcp_3_threading_server_answers_the_lessons_python_client_and_tcp_1_client() {
    answers_the_python_client_and_tcp_1_client("tcp_3_threading_server");
}

#[test]
fn tcp_4_forking_server_answers_the_lessons_python_client_and_tcp_1_client() {
    answers_the_python_client_and_tcp_1_client("tcp_4_forking_server");
}

// ---- tcp_2: SO_REUSEADDR and TIME_WAIT

/// Runs `tcp_2_reuseaddr 0 ARGS`, exchanges a message with it and kills it
/// while the connection is open: the kernel closes the server's end, which
/// so closes first (FIN-WAIT-2); then this client reads the end of the
/// stream and closes, and the server's end is left in TIME_WAIT. Returns
/// the port, once /proc/net/tcp shows that TIME_WAIT on it.
fn leave_time_wait_on_a_port(args: &[&str]) -> u16 {
    let server = Server::start(step(
        "tcp_server",
        "tcp_2_reuseaddr",
        ["0"].iter().chain(args),
    ));
    let port = server.addr.port();
    let mut client = tcp_connect(server.addr, WAIT);
    assert_eq!(ask(&mut client, "hello"), "HELLO");
    drop(server); // SIGKILL, reaped: its socket is closed by the kernel, FIN first
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).expect("the server's FIN");
    assert!(rest.is_empty(), "{rest:?}");
    drop(client); // our FIN: the server's end goes from FIN-WAIT-2 to TIME-WAIT
    let deadline = Instant::now() + WAIT;
    while tcp_sockets(port, None, TIME_WAIT).is_empty() {
        assert!(Instant::now() < deadline, "no TIME-WAIT on port {port}");
        thread::sleep(Duration::from_millis(10));
    }
    port
}

#[test]
fn tcp_2_reuseaddr_restarts_on_its_port_while_its_last_connection_is_in_time_wait() {
    let port = leave_time_wait_on_a_port(&[]).to_string();
    let server = Server::start(step("tcp_server", "tcp_2_reuseaddr", [&port]));
    assert_eq!(server.addr.port().to_string(), port);
    let mut client = tcp_connect(server.addr, WAIT);
    assert_eq!(ask(&mut client, "again"), "AGAIN");
}

#[test]
fn tcp_2_reuseaddr_with_no_reuse_cannot_restart_while_in_time_wait() {
    let port = leave_time_wait_on_a_port(&["--no-reuse"]).to_string();
    let out = run(
        step("tcp_server", "tcp_2_reuseaddr", [&port, "--no-reuse"]),
        b"",
        WAIT,
    );
    assert!(!out.status.success(), "bound the port: {out:?}");
    assert!(stderr(&out).contains("Address already in use"), "{out:?}");
    // Linux lets a bind() pass a TIME_WAIT only if both sockets had
    // SO_REUSEADDR: this one comes from a run without it.
    let out = run(step("tcp_server", "tcp_2_reuseaddr", [&port]), b"", WAIT);
    assert!(!out.status.success(), "bound the port: {out:?}");
    assert!(stderr(&out).contains("Address already in use"), "{out:?}");
}

// ---- tcp_3, tcp_4: many clients at once

/// Twenty clients connect to `server` while a first one stays connected
/// and idle; all twenty are answered (the last to connect first), then the
/// idle one is still answered. The server is left with no child process.
fn serves_twenty_clients_while_one_stays_idle(server: &Server) {
    let mut idle = tcp_connect(server.addr, WAIT);
    assert_eq!(ask(&mut idle, "first"), "FIRST"); // accepted; now it only waits
    let mut clients: Vec<TcpStream> = (0..20).map(|_| tcp_connect(server.addr, WAIT)).collect();
    for (i, client) in clients.iter_mut().enumerate().rev() {
        assert_eq!(
            ask(client, &format!("client {i} 你好")),
            format!("CLIENT {i} 你好")
        );
    }
    drop(clients);
    assert_eq!(ask(&mut idle, "still here"), "STILL HERE");
    drop(idle);
    await_no_children(listener_pid(server.addr.port()));
}

#[test]
fn tcp_3_threading_server_serves_twenty_clients_while_one_stays_idle() {
    serves_twenty_clients_while_one_stays_idle(&server("tcp_3_threading_server"));
}

#[test]
fn tcp_4_forking_server_serves_twenty_clients_while_one_stays_idle() {
    serves_twenty_clients_while_one_stays_idle(&server("tcp_4_forking_server"));
}

#[test]
fn tcp_4_forking_server_talks_to_each_client_from_a_child_process() {
    let server = server("tcp_4_forking_server");
    let server_pid = listener_pid(server.addr.port());
    let mut clients: Vec<TcpStream> = (0..3).map(|_| tcp_connect(server.addr, WAIT)).collect();
    let mut talkers = Vec::new();
    for (i, client) in clients.iter_mut().enumerate() {
        assert_eq!(ask(client, &format!("client {i}")), format!("CLIENT {i}"));
        // The server's end of this connection: held by one process only,
        // a child of the server (the server closed its copy).
        let port = client.local_addr().expect("bound").port();
        let inode = tcp_sockets(server.addr.port(), Some(port), ESTABLISHED);
        assert_eq!(
            inode.len(),
            1,
            "the server's end of the connection from :{port}"
        );
        let talker = sole_holder(inode[0]);
        assert_eq!(parent_pid(talker), Some(server_pid));
        talkers.push(talker);
    }
    talkers.sort_unstable();
    talkers.dedup();
    assert_eq!(talkers.len(), 3, "a process per client");
    let mut children = children_of(server_pid);
    children.sort_unstable();
    assert_eq!(
        children, talkers,
        "the server's children are its clients' processes"
    );
    drop(clients); // each child reads the end of its stream and exits; it is reaped
    await_no_children(server_pid);
}

// ---- what /proc says (Linux)

const ESTABLISHED: &str = "01";
const TIME_WAIT: &str = "06";
const LISTEN: &str = "0A";

/// The inodes of the loopback TCP sockets in `state` (the `st` column of
/// /proc/net/tcp) whose local port is `local`, and remote port `remote`
/// when given.
fn tcp_sockets(local: u16, remote: Option<u16>, state: &str) -> Vec<u64> {
    let table = fs::read_to_string("/proc/net/tcp").expect("reading /proc/net/tcp");
    let local = format!(":{local:04X}");
    let remote = remote.map(|port| format!(":{port:04X}"));
    let mut inodes = Vec::new();
    for line in table.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, here, there, st, _, _, _, _, _, inode, ..] = fields[..] else {
            continue;
        };
        if here.ends_with(&local)
            && remote
                .as_ref()
                .map_or(true, |remote| there.ends_with(remote))
            && st == state
        {
            inodes.push(inode.parse().expect("an inode number"));
        }
    }
    inodes
}

/// The processes that have the socket `inode` open.
fn pids_holding(inode: u64) -> Vec<u32> {
    let socket = format!("socket:[{inode}]");
    processes()
        .into_iter()
        .filter(|pid| {
            fs::read_dir(format!("/proc/{pid}/fd")).is_ok_and(|fds| {
                fds.flatten().any(|fd| {
                    fs::read_link(fd.path()).is_ok_and(|target| target.as_os_str() == &*socket)
                })
            })
        })
        .collect()
}

/// The one process that has the socket `inode` open, once only one has
/// (bounded wait: the server closes its copy just after the child starts).
fn sole_holder(inode: u64) -> u32 {
    let deadline = Instant::now() + WAIT;
    loop {
        let holders = pids_holding(inode);
        if let [pid] = holders[..] {
            return pid;
        }
        assert!(
            Instant::now() < deadline,
            "socket {inode} held by {holders:?}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

/// The process listening on loopback `port`.
fn listener_pid(port: u16) -> u32 {
    let inode = tcp_sockets(port, None, LISTEN);
    assert_eq!(inode.len(), 1, "one listener on port {port}");
    let pids = pids_holding(inode[0]);
    assert_eq!(
        pids.len(),
        1,
        "one process listening on port {port}: {pids:?}"
    );
    pids[0]
}

/// Every process now (a zombie too), by pid.
fn processes() -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .collect()
}

/// The parent of `pid`, from /proc/PID/stat: `pid (comm) state ppid ...`.
fn parent_pid(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.split_whitespace().nth(1)?.parse().ok()
}

/// The children of `pid`, exited but not yet reaped (zombies) too.
fn children_of(pid: u32) -> Vec<u32> {
    processes()
        .into_iter()
        .filter(|&child| parent_pid(child) == Some(pid))
        .collect()
}

/// Waits (bounded) until `pid` has no child process left, not even a zombie.
fn await_no_children(pid: u32) {
    let deadline = Instant::now() + WAIT;
    loop {
        let children = children_of(pid);
        if children.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "children of {pid} still there: {children:?}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

/// Sends `msg` and reads a reply of the same length.
fn ask(conn: &mut TcpStream, msg: &str) -> String {
    conn.write_all(msg.as_bytes()).expect("send");
    let mut reply = vec![0; msg.len()];
    conn.read_exact(&mut reply).expect("the reply");
    String::from_utf8(reply).expect("a UTF-8 reply")
}
