//! `dns query`, `dns lookup` and `dns server`, each against the real
//! binary: the server on a free loopback port, the query its client, and
//! the test's own sockets for what a well-behaved client would not send.

mod support;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use dns::message::{Message, RData, Rcode, RecordType, MAX_UDP_MESSAGE};
use rand::{Rng, SeedableRng};
use support::{query_command, start_server, udp_query, zone_dir, BIN, WAIT};
use testkit::{command, run, run_ok, stderr, stdout};

#[test]
fn query_follows_a_cname_in_the_zone() {
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);
    let out = run_ok(
        query_command(server.addr, "web.example.test", &["--type", "AAAA"]),
        b"",
        WAIT,
    );
    assert!(
        out.contains(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: "),
        "{out}"
    );
    assert!(
        out.contains(";; flags: qr aa rd; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 0"),
        "{out}"
    );
    assert!(
        out.contains(
            ";; ANSWER SECTION:\n\
             web.example.test.\t300\tIN\tCNAME\twww.example.test.\n\
             www.example.test.\t300\tIN\tAAAA\t2001:db8::10\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            ";; SERVER: {} (UDP), 80 bytes, try 1 of 3",
            server.addr
        )),
        "{out}"
    );
    let log = server.stop(WAIT);
    assert!(
        log.contains("UDP web.example.test. AAAA: NOERROR, 2 answers"),
        "{log}"
    );
}

#[test]
fn every_type_of_the_zone_is_answered() {
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);
    let ask = |name: &str, rtype: &str| {
        run_ok(
            query_command(server.addr, name, &["--type", rtype]),
            b"",
            WAIT,
        )
    };
    assert!(ask("www.example.test", "A").contains("www.example.test.\t300\tIN\tA\t192.0.2.10\n"));
    assert!(
        ask("example.test", "MX").contains("example.test.\t300\tIN\tMX\t10 mail.example.test.\n")
    );
    assert!(ask("EXAMPLE.test.", "txt").contains("\tIN\tTXT\t\"v=spf1 -all\" \"say \\\"hi\\\"\"\n"));
    assert!(ask("web.example.test", "CNAME").contains("\tCNAME\twww.example.test.\n"));
}

#[test]
fn nxdomain_refused_and_no_data_are_answers() {
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);
    let status = |name: &str, rtype: &str| {
        let out = run_ok(
            query_command(server.addr, name, &["--type", rtype]),
            b"",
            WAIT,
        );
        let line = out.lines().next().expect("a header line").to_string();
        let flags = out.lines().nth(1).expect("a flags line").to_string();
        (line, flags)
    };
    let (nx, flags) = status("nope.example.test", "A");
    assert!(nx.contains("status: NXDOMAIN"), "{nx}");
    assert!(
        flags.contains("flags: qr aa rd; QUERY: 1, ANSWER: 0"),
        "{flags}"
    );
    let (refused, flags) = status("www.example.com", "A");
    assert!(refused.contains("status: REFUSED"), "{refused}");
    assert!(
        flags.starts_with(";; flags: qr rd;"),
        "not authoritative: {flags}"
    );
    let (nodata, flags) = status("www.example.test", "MX");
    assert!(nodata.contains("status: NOERROR"), "{nodata}");
    assert!(flags.contains("ANSWER: 0"), "{flags}");
}

#[test]
fn a_big_answer_is_truncated_over_udp_and_whole_over_tcp() {
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);

    // What the server sends over UDP: header and question, TC set.
    let (cut, len) = udp_query(server.addr, "big.example.test", RecordType::TXT);
    assert!(cut.header.truncated, "{cut:?}");
    assert!(
        cut.answers.is_empty() && len <= MAX_UDP_MESSAGE,
        "{len} bytes: {cut:?}"
    );
    assert_eq!(cut.questions.len(), 1);

    // dns query sees TC, says so, and asks again over TCP.
    let out = run(
        query_command(server.addr, "big.example.test", &["--type", "TXT"]),
        b"",
        WAIT,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (said, printed) = (stderr(&out), stdout(&out));
    assert!(
        said.contains(";; truncated: the answer (34 bytes) has TC set"),
        "{said}"
    );
    assert!(
        said.contains("asking again over TCP, where each message comes after its 2-byte length"),
        "{said}"
    );
    assert!(
        printed.contains(&format!(";; SERVER: {} (TCP), 850 bytes", server.addr)),
        "{printed}"
    );
    assert!(printed.contains(&support::big_txt()), "{printed}");
    assert!(
        printed.contains(";; flags: qr aa rd; QUERY: 1, ANSWER: 1"),
        "{printed}"
    );

    let log = server.stop(WAIT);
    assert!(
        log.contains("850 bytes do not fit in 512: sent 34 bytes with TC set"),
        "{log}"
    );
    assert!(
        log.contains("TCP big.example.test. TXT: NOERROR, 1 answer (850 bytes)"),
        "{log}"
    );
}

#[test]
fn query_over_tcp_from_the_start() {
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);
    let out = run_ok(
        query_command(server.addr, "www.example.test", &["--tcp"]),
        b"",
        WAIT,
    );
    assert!(
        out.contains(&format!(";; SERVER: {} (TCP), 50 bytes\n", server.addr)),
        "{out}"
    );
    assert!(out.contains("\tA\t192.0.2.10\n"), "{out}");
}

/// Two length-prefixed queries in one write, one connection: the
/// server must split them by their prefixes and answer each.
#[test]
fn tcp_carries_several_queries_on_one_connection() {
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);
    let mut stream = testkit::tcp_connect(server.addr, WAIT);
    let mut both = Vec::new();
    for (id, name) in [(1, "www.example.test"), (2, "mail.example.test")] {
        let query = Message::query(id, name.parse().expect("name"), RecordType::A);
        both.extend(dns::transport::tcp_frame(&query.to_bytes().expect("fits")).expect("short"));
    }
    stream.write_all(&both).expect("send both");
    for (id, addr) in [(1, [192, 0, 2, 10]), (2, [192, 0, 2, 25])] {
        let reply = dns::transport::read_tcp_message(&mut stream)
            .expect("an answer")
            .expect("not closed");
        let reply = Message::parse(&reply).expect("readable");
        assert_eq!(reply.header.id, id);
        assert_eq!(reply.answers[0].data, RData::A(addr.into()));
    }
    stream
        .shutdown(std::net::Shutdown::Write)
        .expect("half-close");
    assert_eq!(stream.read(&mut [0; 8]).expect("the server closes"), 0);
}

#[test]
fn bad_input_costs_nothing_and_the_server_keeps_answering() {
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);
    let socket = testkit::udp_socket(Duration::from_millis(300));
    let mut rng = rand::rngs::StdRng::seed_from_u64(15);
    let mut formerr = 0;
    for _ in 0..300 {
        let len = rng.random_range(0..600);
        let mut junk: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        if junk.len() > 2 {
            junk[2] &= 0x7f; // a query, not a response: it deserves an answer
        }
        socket.send_to(&junk, server.addr).expect("send");
        let mut buf = [0; 1024];
        if let Ok((n, _)) = socket.recv_from(&mut buf) {
            let reply = Message::parse(&buf[..n]).expect("the server's reply is readable");
            assert!(n <= MAX_UDP_MESSAGE);
            if reply.header.rcode() == Rcode::FORMERR {
                formerr += 1;
            }
        }
    }
    assert!(
        formerr > 200,
        "junk with a header is FORMERR: {formerr} of 300"
    );

    // A TCP frame that promises 100 bytes and brings 10; a zero length;
    // a frame of garbage (FORMERR, and the connection goes on).
    let mut cut = testkit::tcp_connect(server.addr, WAIT);
    cut.write_all(b"\x00\x640123456789").expect("send");
    drop(cut);
    let mut zero = testkit::tcp_connect(server.addr, WAIT);
    zero.write_all(b"\x00\x00").expect("send");
    assert_eq!(
        zero.read(&mut [0; 8]).expect("closed"),
        0,
        "a zero length ends the connection"
    );
    let mut garbage = testkit::tcp_connect(server.addr, WAIT);
    garbage
        .write_all(b"\x00\x0e\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\xff")
        .expect("send");
    let reply = dns::transport::read_tcp_message(&mut garbage)
        .expect("a reply")
        .expect("open");
    let reply = Message::parse(&reply).expect("readable");
    assert_eq!(
        (reply.header.id, reply.header.rcode()),
        (0xabcd, Rcode::FORMERR)
    );
    drop(garbage);

    let (answer, _) = udp_query(server.addr, "www.example.test", RecordType::A);
    assert_eq!(answer.answers[0].data, RData::A([192, 0, 2, 10].into()));
    let out = run_ok(
        query_command(server.addr, "www.example.test", &["--tcp"]),
        b"",
        WAIT,
    );
    assert!(out.contains("192.0.2.10"), "{out}");

    let log = server.stop(WAIT);
    assert!(
        log.contains("TCP closed: the peer announced 100 bytes and closed before sending them all"),
        "{log}"
    );
    assert!(
        log.contains("TCP closed: a length prefix of 0: no DNS message is empty"),
        "{log}"
    );
    assert!(log.contains("FORMERR: unreadable query: the compression pointer at byte 12 points to byte 255, past the end"), "{log}");
    assert!(log.contains("shutting down: answered"), "{log}");
}

#[test]
fn query_asks_again_then_gives_up() {
    // A "server" that reads every datagram and never answers.
    let (addr, silent) = testkit::fake_udp_server(Duration::from_secs(3), |socket| {
        let mut got = Vec::new();
        while let Ok((n, _)) = socket.recv_from(&mut [0; 512]) {
            got.push(n);
        }
        got
    });
    let out = run(
        query_command(
            addr,
            "www.example.test",
            &["--timeout", "0.3", "--retries", "2"],
        ),
        b"",
        WAIT,
    );
    assert_eq!(out.status.code(), Some(1));
    let said = stderr(&out);
    assert!(
        said.contains(&format!(
            ";; no answer from {addr} within 0.3 s; asking again (try 2 of 3)"
        )),
        "{said}"
    );
    assert!(said.contains("(try 3 of 3)"), "{said}");
    assert!(
        said.contains(&format!(
            "error: no answer from {addr} after 3 tries of 0.3 s each"
        )),
        "{said}"
    );
    assert_eq!(
        silent.join().expect("the fake server").len(),
        3,
        "three datagrams sent"
    );
}

#[test]
fn an_answer_with_the_wrong_id_is_not_the_answer() {
    let (addr, fake) = testkit::fake_udp_server(Duration::from_secs(10), |socket| {
        let (query, from) = testkit::udp_recv(&socket);
        let query = Message::parse(&query).expect("a query");
        let mut spoof = Message::response_to(&query);
        spoof.header.id = query.header.id.wrapping_add(1);
        spoof.answers.push(dns::message::Record::new(
            query.questions[0].name.clone(),
            1,
            RData::A([6, 6, 6, 6].into()),
        ));
        socket
            .send_to(&spoof.to_bytes().expect("fits"), from)
            .expect("send");
        socket.send_to(b"junk", from).expect("send");
        let mut real = Message::response_to(&query);
        real.answers.push(dns::message::Record::new(
            query.questions[0].name.clone(),
            60,
            RData::A([192, 0, 2, 99].into()),
        ));
        socket
            .send_to(&real.to_bytes().expect("fits"), from)
            .expect("send");
    });
    let out = run(query_command(addr, "x.test", &[]), b"", WAIT);
    fake.join().expect("the fake server");
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(said.contains("(an old answer, or a spoof)"), "{said}");
    assert!(said.contains("ignored 4 bytes from"), "{said}");
    let printed = stdout(&out);
    assert!(
        printed.contains("x.test.\t60\tIN\tA\t192.0.2.99\n") && !printed.contains("6.6.6.6"),
        "{printed}"
    );
}

#[test]
fn trace_shows_the_query_bytes() {
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);
    let out = run(
        query_command(server.addr, "www.example.test", &["--trace"]),
        b"",
        WAIT,
    );
    assert!(out.status.success());
    let said = stderr(&out);
    assert!(
        said.contains(&format!("send → {} 34 bytes", server.addr)),
        "{said}"
    );
    assert!(
        said.contains(&format!("recv ← {} 50 bytes", server.addr)),
        "{said}"
    );
    // The question's name: 03 www 07 example 04 test 00.
    // id (2 random bytes), flags 01 00 (RD), QDCOUNT 1, the other counts 0.
    assert!(
        said.contains(" 01 00 00 01 00 00  00 00 00 00 03 77 77 77  |"),
        "{said}"
    );
    assert!(
        said.contains(
            "  0010  07 65 78 61 6d 70 6c 65  04 74 65 73 74 00 00 01  |.example.test...|"
        ),
        "{said}"
    );
}

#[test]
fn trace_shows_every_byte_of_a_long_message() {
    let (_dir, zone) = zone_dir();
    let server = start_server(&zone);
    let out = run(
        query_command(
            server.addr,
            "big.example.test",
            &["--type", "TXT", "--tcp", "--trace"],
        ),
        b"",
        WAIT,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stderr(&out);
    // The 850-byte answer, after its 2-byte length: dumped to its last
    // line (offset 0x350), nothing left out as the other lessons' dumps do
    // after 256 bytes.
    assert!(
        said.contains(&format!("recv ← {} 850 bytes", server.addr)),
        "{said}"
    );
    assert!(said.contains("\n  0350  "), "{said}");
    assert!(!said.contains("not shown"), "{said}");
}

#[test]
fn bad_names_and_servers_are_usage_errors() {
    let too_long = "x".repeat(64) + ".test";
    let out = run(
        command(BIN, ["query", &too_long, "--server", "127.0.0.1:1"]),
        b"",
        WAIT,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("is not a DNS name: a label of 64 bytes: a label is at most 63 bytes"),
        "{}",
        stderr(&out)
    );
    let out = run(
        command(BIN, ["query", "a.test", "--type", "BOGUS"]),
        b"",
        WAIT,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown record type 'BOGUS'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bad_zone_line_stops_the_server_with_its_number() {
    let dir = testkit::temp_dir();
    let zone = dir.path().join("zone.txt");
    std::fs::write(&zone, "www.x.test A 192.0.2.1\nmail.x.test MX 10\n").expect("write");
    let out = run(
        command(
            BIN,
            [
                "server",
                "--port",
                "0",
                "--zone",
                zone.to_str().expect("utf-8"),
            ],
        ),
        b"",
        WAIT,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "zone.txt: line 2: MX takes a preference and a host: MX 10 mail.example.test"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_port_taken_on_tcp_is_a_clear_error_naming_both_sockets() {
    let (_dir, zone) = zone_dir();
    // The TCP side of the port is held; its UDP side is free.
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("a free TCP port");
    let addr = held.local_addr().expect("bound");
    let out = run(
        command(
            BIN,
            [
                "server",
                "--port",
                &addr.port().to_string(),
                "--zone",
                zone.to_str().expect("utf-8"),
            ],
        ),
        b"",
        WAIT,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim(),
        format!("error: cannot listen on TCP {addr} (UDP {addr} was free): address already in use"),
    );
    assert_eq!(stdout(&out), "", "nothing announced before both are bound");
}

#[test]
fn lookup_of_localhost_lists_its_addresses() {
    let out = run_ok(command(BIN, ["lookup", "localhost"]), b"", WAIT);
    assert!(
        out.starts_with("getaddrinfo(\"localhost\") returned "),
        "{out}"
    );
    assert!(
        out.contains("127.0.0.1") && out.contains("IPv4 (AF_INET)"),
        "{out}"
    );
    let first = out.lines().nth(1).expect("a first address");
    let first_ip = first.split_whitespace().nth(1).expect("an address");
    assert!(
        out.contains(&format!(
            "a client connecting to localhost tries {first_ip} first"
        )),
        "{out}"
    );
    let out = run(command(BIN, ["lookup", "nothing.invalid"]), b"", WAIT);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot resolve 'nothing.invalid'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_server_answers_on_ipv6_loopback_too() {
    let (_dir, zone) = zone_dir();
    let server = testkit::Server::start(testkit::server_command(
        BIN,
        &["server"],
        &["--host", "::1", "--zone", zone.to_str().expect("utf-8")],
    ));
    let addr: SocketAddr = server.addr;
    assert!(addr.is_ipv6());
    let out = run_ok(query_command(addr, "www.example.test", &[]), b"", WAIT);
    assert!(out.contains("192.0.2.10"), "{out}");
}
