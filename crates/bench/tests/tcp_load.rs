//! `tcp_load` against `bare_echo` and against servers that get it wrong: the
//! load generator must count only correct replies and fail loudly otherwise.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use testkit::{command, run, stderr, stdout, Server};

const LOAD: &str = env!("CARGO_BIN_EXE_tcp_load");
const BARE_ECHO: &str = env!("CARGO_BIN_EXE_bare_echo");
const WAIT: Duration = Duration::from_secs(30);

fn tcp_load(addr: &str, clients: &str, round_trips: &str) -> std::process::Output {
    let args = [
        "--addr",
        addr,
        "--clients",
        clients,
        "--round-trips",
        round_trips,
        "--size",
        "100",
    ];
    run(command(LOAD, args), b"", WAIT)
}

/// A server on a free loopback port that hands each connection to `serve`,
/// on a thread of its own.
fn fake_server(serve: fn(TcpStream)) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local address");
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || serve(stream));
        }
    });
    addr
}

#[test]
fn counts_every_round_trip_against_bare_echo() {
    let server = Server::start(testkit::server_command(BARE_ECHO, &[], &[]));
    let out = tcp_load(&server.addr.to_string(), "4", "50");
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.starts_with("round_trips=200 seconds="), "{text}");
    assert!(text.contains(" rps="), "{text}");
}

#[test]
fn fails_when_the_replies_are_not_upper_cased() {
    // A plain echo server: right length, wrong bytes.
    let addr = fake_server(|mut stream| {
        let mut buf = [0; 1024];
        while let Ok(n @ 1..) = stream.read(&mut buf) {
            if stream.write_all(&buf[..n]).is_err() {
                break;
            }
        }
    });
    let out = tcp_load(&addr.to_string(), "2", "5");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("10 replies were not the message upper-cased"),
        "{err}"
    );
}

#[test]
fn fails_when_the_server_hangs_up() {
    // Reads one message, then closes without a reply.
    let addr = fake_server(|mut stream| {
        let _ = stream.read(&mut [0; 1024]);
    });
    let out = tcp_load(&addr.to_string(), "1", "5");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the server closed the connection"), "{err}");
}

#[test]
fn fails_when_nothing_listens() {
    // A port that was free a moment ago: bound, then released.
    let addr = testkit::closed_tcp_addr();
    let out = tcp_load(&addr.to_string(), "1", "1");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot connect"), "{err}");
}

#[test]
fn holds_idle_connections_and_reports_the_servers_cost() {
    let server = Server::start(testkit::server_command(BARE_ECHO, &[], &[]));
    // Any live process shows the /proc fields are read: this test's own.
    let pid = std::process::id().to_string();
    let args = [
        "--addr",
        &server.addr.to_string(),
        "--clients",
        "2",
        "--round-trips",
        "20",
        "--idle",
        "30",
        "--server-pid",
        &pid,
    ];
    let out = run(command(LOAD, args), b"", WAIT);
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.starts_with("round_trips=40 "), "{text}");
    assert!(text.contains(" idle=30 server_cpu_seconds="), "{text}");
    assert!(text.contains(" server_peak_rss_kib="), "{text}");
    assert!(!text.contains("server_peak_rss_kib=0\n"), "{text}");

    // --clients 0: only the idle connections, held for --hold seconds.
    let args = [
        "--addr",
        &server.addr.to_string(),
        "--clients",
        "0",
        "--idle",
        "5",
        "--hold",
        "0.2",
    ];
    let out = run(command(LOAD, args), b"", WAIT);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("round_trips=0 "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn fails_when_the_server_drops_an_idle_connection() {
    // Closes every connection at once, as select does past FD_SETSIZE.
    let addr = fake_server(drop);
    let out = run(
        command(
            LOAD,
            [
                "--addr",
                &addr.to_string(),
                "--clients",
                "0",
                "--idle",
                "3",
                "--hold",
                "0.2",
            ],
        ),
        b"",
        WAIT,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("closed or refused 3 of the 3 idle connections"),
        "{err}"
    );
}
