//! `tcp_load` against `bare_echo` and against servers that get it wrong: the
//! load generator must count only correct replies and fail loudly otherwise.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use testkit::{command, run, Server};

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

#[test]
fn counts_every_round_trip_against_bare_echo() {
    let server = Server::start(command(BARE_ECHO, ["--port", "0"]));
    let out = tcp_load(&server.addr.to_string(), "4", "50");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("round_trips=200 seconds="), "{stdout}");
    assert!(stdout.contains(" rps="), "{stdout}");
}

#[test]
fn fails_when_the_replies_are_not_upper_cased() {
    // A plain echo server: right length, wrong bytes.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local address");
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut buf = [0; 1024];
                while let Ok(n @ 1..) = stream.read(&mut buf) {
                    if stream.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    let out = tcp_load(&addr.to_string(), "2", "5");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("10 replies were not the message upper-cased"),
        "{stderr}"
    );
}

#[test]
fn fails_when_the_server_hangs_up() {
    // Reads one message, then closes without a reply.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local address");
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.read(&mut [0; 1024]);
        }
    });
    let out = tcp_load(&addr.to_string(), "1", "5");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the server closed the connection"),
        "{stderr}"
    );
}

#[test]
fn fails_when_nothing_listens() {
    // A port that was free a moment ago: bound, then released.
    let addr = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address");
    let out = tcp_load(&addr.to_string(), "1", "1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot connect"), "{stderr}");
}
