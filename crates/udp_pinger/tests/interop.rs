//! Interoperability with the lab's Python programs, both ways: the lab's
//! ping client against `udp_pinger server`, and `udp_pinger client` against
//! the lab's server (upper-case, no reply when `num % 3 == 1`, quit at the
//! 8th message). The Python peers are in scripts/peers/.

use std::collections::BTreeSet;
use std::time::Duration;

use testkit::{command, Server};

const BIN: &str = env!("CARGO_BIN_EXE_udp_pinger");
const WAIT: Duration = Duration::from_secs(30);

#[test]
fn the_labs_python_client_against_udp_pinger_server() {
    let mut server = Server::start(command(BIN, ["server", "--port", "0", "--drop-every", "3"]));
    let port = server.addr.port().to_string();
    let script = testkit::peer_script("udp_pinger_client.py");
    let out = testkit::run(
        command(
            testkit::python3(),
            [script.as_os_str(), "--port".as_ref(), port.as_ref()],
        ),
        b"",
        WAIT,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 9, "the lab sends 9 pings: {text}");
    for (i, line) in lines.iter().enumerate() {
        let seq = i + 1;
        if seq % 3 == 1 {
            assert_eq!(*line, format!("Sequence {seq}: Request timed out."));
        } else {
            assert!(
                line.starts_with(&format!("Sequence {seq}: Reply from 127.0.0.1    RTT = ")),
                "{line}"
            );
            // The reply is the ping upper-cased.
            assert!(line.contains(&format!("    PING {seq} ")), "{line}");
        }
    }

    server.interrupt();
    assert!(server.wait(WAIT).success());
    let log = server.stdout.text();
    assert!(
        log.contains("shutting down: received 9, dropped 3, replied 6"),
        "{log}"
    );
}

#[test]
fn udp_pinger_client_against_the_labs_python_server() {
    let script = testkit::peer_script("udp_pinger_server.py");
    let mut server = Server::start(command(
        testkit::python3(),
        [script.as_os_str(), "--port".as_ref(), "0".as_ref()],
    ));
    let port = server.addr.port().to_string();
    // The lab's server quits at its 8th message without answering it; 8
    // pings keep the run free of "port unreachable" after it has gone.
    let out = testkit::run(
        command(
            BIN,
            [
                "client",
                "--port",
                &port,
                "--count",
                "8",
                "--interval",
                "0",
                "--timeout",
                "1",
            ],
        ),
        b"",
        WAIT,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");

    let timed_out: BTreeSet<u64> = text
        .lines()
        .filter_map(|line| line.strip_prefix("Request timed out for seq="))
        .map(|seq| seq.parse().expect("a number"))
        .collect();
    assert_eq!(timed_out, BTreeSet::from([1, 4, 7, 8]), "{text}");
    for seq in [2, 3, 5, 6] {
        assert!(
            text.contains(&format!("Reply from {}: seq={seq} time=", server.addr)),
            "{seq}: {text}"
        );
    }
    assert!(
        text.contains(
            "8 packets transmitted, 4 received, 50% packet loss\nrtt min/avg/max/mdev = "
        ),
        "{text}"
    );

    let status = server.wait(WAIT);
    assert!(status.success(), "the lab's server quits by itself");
    assert!(server.stdout.text().contains("stopped after 8 messages"));
}
