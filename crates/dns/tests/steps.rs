//! The DNS lesson's steps (`examples/dns_*`), each against the real
//! `dns server` (or the system resolver), each showing its own point.

mod support;

use std::time::Duration;

use testkit::{run, run_ok, stderr, step, Server};

const WAIT: Duration = Duration::from_secs(20);

/// A zone with one name of 40 A records: 40 * 16 bytes of answer, more
/// than one UDP answer may carry.
fn zone_with_many() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, path) = support::zone_dir();
    let mut text = support::zone_text();
    for i in 1..=40 {
        text.push_str(&format!("many.example.test A 192.0.2.{i}\n"));
    }
    std::fs::write(&path, text).expect("write the zone");
    (dir, path)
}

fn server() -> (tempfile::TempDir, Server) {
    let (dir, zone) = zone_with_many();
    (dir, support::start_server(&zone))
}

#[test]
fn dns_1_getaddrinfo_resolves_localhost() {
    let out = run_ok(step("dns", "dns_1_getaddrinfo", ["localhost"]), b"", WAIT);
    assert!(out.lines().any(|l| l == "127.0.0.1"), "{out}");
    let out = run(
        step("dns", "dns_1_getaddrinfo", ["nothing.invalid"]),
        b"",
        WAIT,
    );
    assert!(!out.status.success(), "an unknown name is an error");
}

#[test]
fn dns_2_query_prints_the_addresses_and_skips_the_cname() {
    let (_dir, server) = server();
    let port = server.addr.port().to_string();
    let out = run_ok(
        step("dns", "dns_2_query", [&port, "web.example.test"]),
        b"",
        WAIT,
    );
    assert_eq!(out, "192.0.2.10\n", "the CNAME record is not an address");
    let out = run_ok(step("dns", "dns_2_query", [port.as_str()]), b"", WAIT);
    assert_eq!(out, "192.0.2.10\n", "the default name is www.example.test");
    let log = server.stop(WAIT);
    assert!(
        log.contains("UDP web.example.test. A: NOERROR, 2 answers"),
        "{log}"
    );
}

#[test]
fn dns_2_query_sees_tc_and_dns_3_tcp_gets_the_whole_answer() {
    let (_dir, server) = server();
    let port = server.addr.port().to_string();
    let out = run_ok(
        step("dns", "dns_2_query", [&port, "many.example.test"]),
        b"",
        WAIT,
    );
    assert_eq!(out, "truncated (TC): the whole answer needs TCP\n");
    let out = run_ok(
        step("dns", "dns_3_tcp", [&port, "many.example.test"]),
        b"",
        WAIT,
    );
    let expected: String = (1..=40).map(|i| format!("192.0.2.{i}\n")).collect();
    assert_eq!(out, expected);
    let log = server.stop(WAIT);
    assert!(
        log.contains("UDP many.example.test. A: NOERROR, 40 answers; 675 bytes do not fit in 512"),
        "{log}"
    );
    assert!(
        log.contains("TCP many.example.test. A: NOERROR, 40 answers (675 bytes)"),
        "{log}"
    );
}

#[test]
fn a_step_with_no_server_fails_with_an_error() {
    let port = testkit::closed_tcp_addr().port().to_string();
    let out = run(step("dns", "dns_3_tcp", [&port]), b"", WAIT);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("Connection refused"),
        "{}",
        stderr(&out)
    );
}
