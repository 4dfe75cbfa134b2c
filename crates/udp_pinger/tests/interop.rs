//! Interoperability with the lab's Python programs, both ways: the lab's
//! ping client against `udp_pinger server`, and `udp_pinger client` against
//! the lab's server (upper-case, no reply when `num % 3 == 1`, quit at the
//! 8th message). The Python peers are in scripts/peers/.

use std::collections::BTreeSet;
use std::time::Duration;

use testkit::{python_peer, stdout, Server};

const BIN: &str = env!("CARGO_BIN_EXE_udp_pinger");
const WAIT: Duration = Duration::from_secs(30);

#[test]
fn the_labs_python_client_against_udp_pinger_server() {
    let server = Server::start(testkit::server_command(
        BIN,
        &["server"],
        &["--drop-every", "3"],
    ));
    let port = server.addr.port().to_string();
    let out = testkit::run(
        python_peer("udp_pinger_client.py", &["--port", &port]),
        b"",
        WAIT,
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", testkit::stderr(&out));

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

    let log = server.stop(WAIT);
    assert!(
        log.contains("shutting down: received 9, dropped 3, replied 6"),
        "{log}"
    );
}

#[test]
fn udp_pinger_client_against_the_labs_python_server() {
    let server = Server::start(python_peer("udp_pinger_server.py", &["--port", "0"]));
    // The lab's server quits at its 8th message without answering it; 8
    // pings keep the run free of "port unreachable" after it has gone.
    let client = testkit::client_command(
        BIN,
        &["client"],
        server.addr,
        &["--count", "8", "--interval", "0", "--timeout", "1"],
    );
    let out = testkit::run(client, b"", WAIT);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");

    let timed_out = testkit::numbers_after(&text, "Request timed out for seq=");
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

    let served = server.finish(WAIT);
    assert!(served.status.success(), "the lab's server quits by itself");
    assert!(stdout(&served).contains("stopped after 8 messages"));
}
