//! Real peers: `dns query` against dnsmasq, and dig and dnspython (the
//! lesson's own library) against `dns server`. They are installed by
//! scripts/dns-test-deps.sh when missing; a test fails, never skips,
//! when they cannot be.

mod support;

use std::net::SocketAddr;

use support::{need, query_command, start_server, wait_until_answering, zone_dir, BIN, WAIT};
use testkit::{command, run, run_ok, stderr, stdout, Process};

// ---------------------------------------------------------------- dnsmasq

/// dnsmasq on a loopback port, serving a hosts file and a few records of
/// its own, asking no upstream server; killed when dropped.
struct Dnsmasq {
    process: Process,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

fn start_dnsmasq() -> Dnsmasq {
    need(&["dnsmasq"]);
    let dir = testkit::temp_dir();
    let hosts = dir.path().join("hosts");
    std::fs::write(
        &hosts,
        "192.0.2.1 host1.lab.test\n2001:db8::1 host1.lab.test\n",
    )
    .expect("write the hosts file");
    let port = support::free_udp_port();
    let big: Vec<String> = ["x", "y", "z"].iter().map(|c| c.repeat(250)).collect();
    let cmd = command(
        "/usr/sbin/dnsmasq",
        [
            "--no-daemon".to_string(),
            "--conf-file=/dev/null".into(),
            format!("--port={port}"),
            "--listen-address=127.0.0.1".into(),
            "--bind-interfaces".into(),
            "--no-resolv".into(),
            "--no-hosts".into(),
            format!("--addn-hosts={}", hosts.display()),
            "--local=/lab.test/".into(), // lab.test is ours: NXDOMAIN, not REFUSED
            "--pid-file=".into(),
            "--user=root".into(),
            "--cname=www.lab.test,host1.lab.test".into(),
            "--mx-host=lab.test,mail.lab.test,10".into(),
            "--txt-record=lab.test,hello world".into(),
            format!("--txt-record=big.lab.test,{}", big.join(",")),
        ],
    );
    let mut process = Process::start(cmd);
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    wait_until_answering(addr, &mut process);
    Dnsmasq {
        process,
        addr,
        _dir: dir,
    }
}

fn ask_dnsmasq(dnsmasq: &Dnsmasq, name: &str, rtype: &str) -> String {
    run_ok(
        query_command(dnsmasq.addr, name, &["--type", rtype]),
        b"",
        WAIT,
    )
}

#[test]
fn dns_query_against_dnsmasq() {
    let dnsmasq = start_dnsmasq();
    let a = ask_dnsmasq(&dnsmasq, "host1.lab.test", "A");
    assert!(a.contains("status: NOERROR"), "{a}");
    assert!(a.contains("host1.lab.test.\t0\tIN\tA\t192.0.2.1\n"), "{a}");
    let aaaa = ask_dnsmasq(&dnsmasq, "HOST1.lab.test", "AAAA");
    assert!(aaaa.contains("\tIN\tAAAA\t2001:db8::1\n"), "{aaaa}");
    let cname = ask_dnsmasq(&dnsmasq, "www.lab.test", "A");
    assert!(
        cname.contains(
            "www.lab.test.\t0\tIN\tCNAME\thost1.lab.test.\nhost1.lab.test.\t0\tIN\tA\t192.0.2.1\n"
        ),
        "{cname}"
    );
    let mx = ask_dnsmasq(&dnsmasq, "lab.test", "MX");
    assert!(
        mx.contains("lab.test.\t0\tIN\tMX\t10 mail.lab.test.\n"),
        "{mx}"
    );
    let txt = ask_dnsmasq(&dnsmasq, "lab.test", "TXT");
    assert!(
        txt.contains("lab.test.\t0\tIN\tTXT\t\"hello world\"\n"),
        "{txt}"
    );
    let nx = ask_dnsmasq(&dnsmasq, "nope.lab.test", "A");
    assert!(nx.contains("status: NXDOMAIN"), "{nx}");
    let tcp = run_ok(
        query_command(dnsmasq.addr, "host1.lab.test", &["--tcp"]),
        b"",
        WAIT,
    );
    assert!(
        tcp.contains("\tA\t192.0.2.1\n") && tcp.contains("(TCP)"),
        "{tcp}"
    );
    drop(dnsmasq); // killed and reaped by its handle
}

#[test]
fn dns_query_falls_back_to_tcp_against_dnsmasq() {
    let dnsmasq = start_dnsmasq();
    let out = run(
        query_command(dnsmasq.addr, "big.lab.test", &["--type", "TXT"]),
        b"",
        WAIT,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(";; truncated: the answer"),
        "{}",
        stderr(&out)
    );
    let printed = stdout(&out);
    assert!(printed.contains(" (TCP), "), "{printed}");
    for c in ["x", "y", "z"] {
        assert!(
            printed.contains(&format!("\"{}\"", c.repeat(250))),
            "{printed}"
        );
    }
    assert!(
        dnsmasq.process.stderr.text().contains("read"),
        "dnsmasq read its hosts file"
    );
}

// -------------------------------------------------------------------- dig

fn dig(server: SocketAddr, args: &[&str]) -> String {
    need(&["dig"]);
    let mut cmd = command(
        "dig",
        [
            format!("@{}", server.ip()),
            "-p".into(),
            server.port().to_string(),
            "+norec".into(),
            "+time=5".into(),
            "+tries=2".into(),
        ],
    );
    cmd.args(args);
    run_ok(cmd, b"", WAIT)
}

#[test]
fn dig_against_dns_server() {
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);
    let a = dig(server.addr, &["www.example.test", "A"]);
    assert!(a.contains("status: NOERROR"), "{a}");
    assert!(
        a.contains(";; flags: qr aa; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0"),
        "{a}"
    );
    assert!(
        a.contains("www.example.test.\t300\tIN\tA\t192.0.2.10\n"),
        "{a}"
    );
    assert!(a.contains("(UDP)"), "{a}");
    let cname = dig(server.addr, &["web.example.test", "AAAA", "+tcp"]);
    assert!(
        cname.contains(
            "web.example.test.\t300\tIN\tCNAME\twww.example.test.\n\
             www.example.test.\t300\tIN\tAAAA\t2001:db8::10\n"
        ),
        "{cname}"
    );
    assert!(cname.contains("(TCP)"), "{cname}");
    let mx = dig(server.addr, &["example.test", "MX"]);
    assert!(
        mx.contains("example.test.\t\t300\tIN\tMX\t10 mail.example.test.\n"),
        "{mx}"
    );
    let txt = dig(server.addr, &["example.test", "TXT"]);
    assert!(
        txt.contains("IN\tTXT\t\"v=spf1 -all\" \"say \\\"hi\\\"\"\n"),
        "{txt}"
    );
    let nx = dig(server.addr, &["nope.example.test"]);
    assert!(nx.contains("status: NXDOMAIN"), "{nx}");
    let refused = dig(server.addr, &["example.com"]);
    assert!(refused.contains("status: REFUSED"), "{refused}");
    // dig sends an EDNS OPT record; this server does not speak EDNS, so
    // its answer carries none, which dig accepts.
    let log = server.stop(WAIT);
    assert!(
        log.contains("UDP www.example.test. A: NOERROR, 1 answer"),
        "{log}"
    );
    assert!(
        log.contains("TCP web.example.test. AAAA: NOERROR, 2 answers"),
        "{log}"
    );
}

#[test]
fn dig_falls_back_to_tcp_on_a_truncated_answer() {
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);
    let out = dig(server.addr, &["big.example.test", "TXT"]);
    assert!(out.contains(";; Truncated, retrying in TCP mode."), "{out}");
    assert!(
        out.contains("(TCP)") && out.contains("MSG SIZE  rcvd: 850"),
        "{out}"
    );
    assert!(out.contains(&support::big_txt()), "{out}");
    let log = server.stop(WAIT);
    assert!(
        log.contains("UDP big.example.test. TXT: NOERROR, 1 answer; "),
        "{log}"
    );
    assert!(log.contains("do not fit in 512: sent "), "{log}");
    assert!(
        log.contains("TCP big.example.test. TXT: NOERROR, 1 answer (850 bytes)"),
        "{log}"
    );
}

// -------------------------------------------------------------- dnspython

/// The lesson's code, pointed at our server: `dns.resolver.query(domain,
/// 'A')` and its loop over `A.response.answer`; then the TC fallback as
/// dnspython does it, and the error statuses.
const DNSPYTHON: &str = r#"
import sys, warnings
import dns.flags, dns.message, dns.query, dns.rcode, dns.resolver
warnings.simplefilter("ignore", DeprecationWarning)  # query() is resolve()'s old name
port = int(sys.argv[1])
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ["127.0.0.1"]
resolver.port = port
dns.resolver.default_resolver = resolver

A = dns.resolver.query("web.example.test", "A")
for answer in A.response.answer:
    for item in answer.items:
        print("item", item.to_text())

big = dns.resolver.resolve("big.example.test", "TXT")
print("resolver TXT strings", [len(s) for s in big[0].strings])

q = dns.message.make_query("big.example.test", "TXT")
udp = dns.query.udp(q, "127.0.0.1", port=port, timeout=5)
print("udp flags", dns.flags.to_text(udp.flags), "answers", len(udp.answer))
response, used_tcp = dns.query.udp_with_fallback(q, "127.0.0.1", port=port, timeout=5)
print("fallback used_tcp", used_tcp, "answers", len(response.answer))

for name in ["nope.example.test", "example.com"]:
    r = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=5)
    print(name, dns.rcode.to_text(r.rcode()), dns.flags.to_text(r.flags))
"#;

#[test]
fn dnspython_against_dns_server() {
    need(&["dnspython"]);
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);
    let port = server.addr.port().to_string();
    let out = run_ok(command("python3", ["-c", DNSPYTHON, &port]), b"", WAIT);
    assert_eq!(
        out,
        "item www.example.test.\n\
         item 192.0.2.10\n\
         resolver TXT strings [200, 200, 200, 200]\n\
         udp flags QR AA TC RD answers 0\n\
         fallback used_tcp True answers 1\n\
         nope.example.test NXDOMAIN QR AA RD\n\
         example.com REFUSED QR RD\n"
    );
}

/// The lesson's own loop, `print(item.address)` for every item of every
/// answer: it works for a name with addresses, and fails on the CNAME
/// record that comes first in the answer for an alias.
const LESSON: &str = r#"
import sys, warnings
import dns.resolver
warnings.simplefilter("ignore", DeprecationWarning)
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ["127.0.0.1"]
resolver.port = int(sys.argv[1])
dns.resolver.default_resolver = resolver

domain = sys.argv[2]
A = dns.resolver.query(domain, 'A')
for answer in A.response.answer:
    for item in answer.items:
        print(item.address)
"#;

#[test]
fn the_lessons_dnspython_loop_against_dns_server() {
    need(&["dnspython"]);
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);
    let port = server.addr.port().to_string();
    let lesson = |name: &str| run(command("python3", ["-c", LESSON, &port, name]), b"", WAIT);
    let www = lesson("www.example.test");
    assert!(www.status.success(), "{}", stderr(&www));
    assert_eq!(stdout(&www), "192.0.2.10\n");
    let alias = lesson("web.example.test");
    assert!(!alias.status.success());
    assert!(
        stderr(&alias).contains("AttributeError: 'CNAME' object has no attribute 'address'"),
        "{}",
        stderr(&alias)
    );
    let nx = lesson("nope.example.test");
    assert!(
        stderr(&nx).contains("dns.resolver.NXDOMAIN"),
        "{}",
        stderr(&nx)
    );
}

#[test]
fn lookup_agrees_with_pythons_getaddrinfo() {
    let out = run_ok(command(BIN, ["lookup", "localhost"]), b"", WAIT);
    let ours: Vec<String> = out
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("  "))
        .map(|l| l.split_whitespace().nth(1).expect("an address").to_string())
        .collect();
    let python = run_ok(
        command(
            "python3",
            [
                "-c",
                "import socket\n\
                 for *_, sa in socket.getaddrinfo('localhost', 0, type=socket.SOCK_STREAM): print(sa[0])",
            ],
        ),
        b"",
        WAIT,
    );
    let theirs: Vec<String> = python.lines().map(str::to_string).collect();
    assert_eq!(ours, theirs, "ours:\n{out}\npython:\n{python}");
}
