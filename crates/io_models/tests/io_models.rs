//! Every model of the real `io_models` binary against the same battery,
//! over loopback: many concurrent clients, a byte at a time, half-close,
//! reset, a silent client, every byte value, a 1 MiB burst, the lesson's
//! Python client and the `tcp_1_client` step, then Ctrl-C. Then what only
//! one model has: select's FD_SETSIZE refusal, the non-blocking loop's
//! count, sigio's datagram protocol.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use socket2::SockRef;
use testkit::{
    assert_serves_one_client_at_a_time, round_trip, run_ok, step, tcp_connect, udp_ask, udp_socket,
    write_byte_by_byte, Server,
};

const BIN: &str = env!("CARGO_BIN_EXE_io_models");
const WAIT: Duration = Duration::from_secs(20);

fn start(model: &str, extra: &[&str]) -> Server {
    Server::start(testkit::server_command(BIN, &[model], extra))
}

fn connect(addr: SocketAddr) -> TcpStream {
    tcp_connect(addr, WAIT)
}

fn assert_still_serving(addr: SocketAddr, what: &str) {
    let mut client = connect(addr);
    assert_eq!(
        round_trip(&mut client, b"still there?"),
        b"STILL THERE?",
        "after {what}"
    );
}

/// The battery every TCP model passes.
fn battery(model: &str, extra: &[&str]) {
    let server = start(model, extra);
    let addr = server.addr;

    // A client that connects and sends nothing costs only itself. (For
    // `blocking` it holds everyone until --idle-timeout drops it: the model.)
    let silent = connect(addr);

    // 50 concurrent clients × 100 round trips, every message different.
    let clients: Vec<_> = (0..50)
        .map(|id| {
            thread::spawn(move || {
                let mut stream = connect(addr);
                for trip in 0..100 {
                    let message = format!("client {id} trip {trip} abcdefghijklmnopqrstuvwxyz");
                    let reply = round_trip(&mut stream, message.as_bytes());
                    assert_eq!(
                        reply,
                        message.to_uppercase().as_bytes(),
                        "client {id} trip {trip}"
                    );
                }
            })
        })
        .collect();
    for client in clients {
        client.join().expect("every client got every reply right");
    }

    // One byte per segment: each is answered as it comes.
    let mut slow = connect(addr);
    write_byte_by_byte(&mut slow, b"one byte at a time", Duration::from_millis(2))
        .expect("trickle");
    let mut reply = vec![0; 18];
    slow.read_exact(&mut reply).expect("all of it back");
    assert_eq!(reply, b"ONE BYTE AT A TIME");
    drop(slow);

    // Half-close: the reply still comes, then the server closes too.
    let mut half = connect(addr);
    half.write_all(b"half-closed").expect("send");
    half.shutdown(Shutdown::Write).expect("shutdown(SHUT_WR)");
    let mut all = Vec::new();
    half.read_to_end(&mut all).expect("the reply, then the end");
    assert_eq!(all, b"HALF-CLOSED");

    // A reset (SO_LINGER 0, then close) with a message in flight.
    let reset = connect(addr);
    (&reset).write_all(b"then a reset").expect("send");
    SockRef::from(&reset)
        .set_linger(Some(Duration::ZERO))
        .expect("linger 0");
    drop(reset);
    assert_still_serving(addr, "a reset");

    // Every byte value: only ASCII letters change; nothing panics.
    let mut binary = connect(addr);
    let bytes: Vec<u8> = (0..=255).collect();
    let mut expected = bytes.clone();
    expected.make_ascii_uppercase();
    assert_eq!(round_trip(&mut binary, &bytes), expected);

    // A 1 MiB burst, written while it is read back.
    let burst: Vec<u8> = (0..1 << 20).map(|i| b'a' + (i % 26) as u8).collect();
    let mut writer = connect(addr);
    let mut reader = writer.try_clone().expect("clone");
    let sending = {
        let burst = burst.clone();
        thread::spawn(move || writer.write_all(&burst).expect("send 1 MiB"))
    };
    let mut back = vec![0; burst.len()];
    reader.read_exact(&mut back).expect("1 MiB back");
    sending.join().expect("writer");
    assert!(
        back == burst.to_ascii_uppercase(),
        "the burst came back upper-cased"
    );
    drop(reader);

    // The lesson's Python client, and the tcp_1_client step.
    let port = addr.port().to_string();
    testkit::assert_python_tcp_client_is_answered(addr, WAIT);
    let out = run_ok(
        step("tcp_client", "tcp_1_client", [&port]),
        "socket\n".as_bytes(),
        WAIT,
    );
    assert!(out.contains("收到服务端发来的消息 SOCKET"), "{out}");

    drop(silent);
    let log = server.stop(WAIT);
    assert!(
        log.contains(&format!("shutting down ({model}): served ")),
        "{log}"
    );
}

macro_rules! battery_for_each_model {
    ($($name:ident: $model:literal $(, $arg:literal)*;)*) => {
        $(
            #[test]
            fn $name() {
                battery($model, &[$($arg),*]);
            }
        )*
    };
}

battery_for_each_model! {
    blocking_passes_the_battery: "blocking", "--idle-timeout", "1";
    threads_pass_the_battery: "threads";
    nonblocking_passes_the_battery: "nonblocking";
    select_passes_the_battery: "select";
    poll_passes_the_battery: "poll";
    epoll_passes_the_battery: "epoll";
    tokio_passes_the_battery: "tokio";
}

#[test]
fn uring_passes_the_battery() {
    if let Err(e) = io_uring::IoUring::new(2) {
        eprintln!("SKIPPED uring_passes_the_battery: this kernel refuses io_uring ({e})");
        return;
    }
    battery("uring", &[]);
}

#[test]
fn blocking_serves_one_client_at_a_time() {
    let server = start("blocking", &[]);
    assert_serves_one_client_at_a_time(server.addr, WAIT);
}

#[test]
fn select_refuses_a_client_past_fd_setsize_and_serves_the_others() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit");
    if hard < 2200 {
        eprintln!("SKIPPED: the open-file hard limit ({hard}) is too low for 1,040 connections");
        return;
    }
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).expect("raise our own limit");
    let server = start("select", &[]);
    let mut clients: Vec<TcpStream> = (0..1040).map(|_| connect(server.addr)).collect();
    let mut refusal = String::new();
    clients[1039]
        .read_to_string(&mut refusal)
        .expect("a line, then the end");
    assert_eq!(
        refusal,
        "server busy: select() watches descriptors below FD_SETSIZE (1024) only; try again later\n"
    );
    assert_eq!(round_trip(&mut clients[0], b"first"), b"FIRST");
    assert_eq!(
        round_trip(&mut clients[900], b"nine hundredth"),
        b"NINE HUNDREDTH"
    );
    drop(clients);
    let log = server.stop(WAIT);
    assert!(log.contains("is past FD_SETSIZE (1024)"), "{log}");
    assert!(!log.contains("refused 0 "), "{log}");
}

#[test]
fn nonblocking_counts_the_calls_that_found_nothing() {
    let server = start("nonblocking", &[]);
    server
        .stdout
        .assert_shows("calls returned EWOULDBLOCK in the last second", WAIT);
    assert_still_serving(server.addr, "a second of polling");
    let log = server.stop(WAIT);
    assert!(log.contains("calls returned EWOULDBLOCK"), "{log}");
}

#[test]
fn sigio_answers_each_datagram_upper_cased() {
    let server = start("sigio", &[]);
    let addr = server.addr;
    let socket = udp_socket(WAIT);
    assert_eq!(udp_ask(&socket, addr, b"hello"), b"HELLO");
    assert_eq!(
        udp_ask(&socket, addr, "你好 abc".as_bytes()),
        "你好 ABC".as_bytes()
    );
    assert_eq!(
        udp_ask(&socket, addr, b""),
        b"",
        "an empty datagram gets an empty one"
    );
    let bytes: Vec<u8> = (0..=255).collect();
    assert_eq!(udp_ask(&socket, addr, &bytes), bytes.to_ascii_uppercase());
    let biggest = vec![b'z'; 65_507];
    assert_eq!(udp_ask(&socket, addr, &biggest), vec![b'Z'; 65_507]);

    // Several senders at once: one SIGIO may stand for several datagrams.
    let senders: Vec<_> = (0..10)
        .map(|id| {
            thread::spawn(move || {
                let socket = udp_socket(WAIT);
                for n in 0..50 {
                    let message = format!("sender {id} datagram {n}");
                    assert_eq!(
                        udp_ask(&socket, addr, message.as_bytes()),
                        message.to_uppercase().as_bytes()
                    );
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().expect("every datagram answered");
    }
    let log = server.stop(WAIT);
    // 4 + 1 + 10 × 50 datagrams; Ctrl-C's wake-up datagram is not one of them.
    assert!(
        log.contains("shutting down (sigio): answered 505 datagram(s) after "),
        "{log}"
    );
}

#[test]
fn help_names_the_lesson_and_a_bad_model_is_a_usage_error() {
    let out = testkit::run(testkit::command(BIN, ["--help"]), b"", WAIT);
    let help = testkit::stdout(&out);
    assert!(help.contains("Lesson 004, the five I/O models"), "{help}");
    let out = testkit::run(testkit::command(BIN, ["kqueue"]), b"", WAIT);
    assert_eq!(out.status.code(), Some(2));
    assert!(testkit::stderr(&out).contains("invalid value 'kqueue'"));
}
