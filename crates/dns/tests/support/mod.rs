//! What the dns tests share: the zone they serve, starting `dns server`,
//! the real peers (installed by scripts/dns-test-deps.sh when missing).

#![allow(dead_code)] // each test file uses its own part

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;
use std::time::{Duration, Instant};

use dns::message::{Message, RecordType};
use testkit::{command, server_command, Process, Server};

pub const BIN: &str = env!("CARGO_BIN_EXE_dns");
pub const WAIT: Duration = Duration::from_secs(20);

/// A TXT string of 200 bytes; four of them make an answer of 850 bytes,
/// more than the 512 a UDP answer may carry.
pub fn big_txt() -> String {
    (0..4u8)
        .map(|i| format!("\"{}\"", char::from(b'a' + i).to_string().repeat(200)))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn zone_text() -> String {
    format!(
        "# the test zone\n\
         www.example.test    A      192.0.2.10\n\
         www.example.test.   AAAA   2001:db8::10\n\
         web.example.test    CNAME  www.example.test\n\
         example.test        MX     10 mail.example.test\n\
         mail.example.test   A      192.0.2.25\n\
         example.test        TXT    \"v=spf1 -all\" \"say \\\"hi\\\"\"\n\
         big.example.test    TXT    {}\n",
        big_txt()
    )
}

/// A temporary directory holding `zone.txt`; removed when dropped.
pub fn zone_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = testkit::temp_dir();
    let path = dir.path().join("zone.txt");
    std::fs::write(&path, zone_text()).expect("write the zone");
    (dir, path)
}

/// `dns server --zone ZONE --port 0`, started; keep the directory alive.
pub fn start_server(zone: &Path) -> Server {
    Server::start(server_command(
        BIN,
        &["server"],
        &["--zone", zone.to_str().expect("a UTF-8 path")],
    ))
}

/// `dns query NAME --server ADDR ARGS...`.
pub fn query_command(server: SocketAddr, name: &str, args: &[&str]) -> Command {
    let mut cmd = command(BIN, ["query", name, "--server", &server.to_string()]);
    cmd.args(args);
    cmd
}

/// Runs scripts/dns-test-deps.sh for `programs` once per test binary
/// and fails the test, with the script's reason, if it cannot install them.
pub fn need(programs: &[&str]) {
    static DEPS: Once = Once::new();
    DEPS.call_once(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/dns-test-deps.sh");
        let out = Command::new(&script)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "{} failed: the real DNS peers are missing and could not be installed:\n{}",
            script.display(),
            testkit::stderr(&out)
        );
    });
    let _ = programs; // the script installs them all, once
}

/// A loopback UDP port that was free a moment ago.
pub fn free_udp_port() -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a free port");
    socket.local_addr().expect("bound").port()
}

/// Sends one query over UDP from a socket of the test's own and returns
/// the parsed reply and its size.
pub fn udp_query(server: SocketAddr, name: &str, rtype: RecordType) -> (Message, usize) {
    let socket = testkit::udp_socket(Duration::from_secs(5));
    let query = Message::query(0x4242, name.parse().expect("a name"), rtype);
    let reply = testkit::udp_ask(&socket, server, &query.to_bytes().expect("fits"));
    (
        Message::parse(&reply).expect("a readable reply"),
        reply.len(),
    )
}

/// Asks `server` over UDP until it answers, for up to `WAIT`: for a peer
/// (dnsmasq) that says nothing when it is ready.
pub fn wait_until_answering(server: SocketAddr, process: &mut Process) {
    let socket = testkit::udp_socket(Duration::from_millis(200));
    let query = Message::query(1, "ready.test".parse().expect("a name"), RecordType::A)
        .to_bytes()
        .expect("fits");
    let deadline = Instant::now() + WAIT;
    let mut buf = [0; 512];
    while Instant::now() < deadline {
        assert!(
            process.is_running(),
            "the DNS peer exited:\n{}",
            process.stderr.text()
        );
        let _ = socket.send_to(&query, server);
        if socket.recv_from(&mut buf).is_ok() {
            return;
        }
    }
    panic!(
        "{server} did not answer within {WAIT:?}:\n{}",
        process.stderr.text()
    );
}
