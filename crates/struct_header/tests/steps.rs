//! The fixed-length header lesson's steps (`examples/struct_*`), each held
//! to Python's own answers byte for byte (`scripts/peers/struct_pack.py`:
//! `struct.pack('i')`, `struct.unpack`, `json.dumps`), and the JSON header's
//! bytes read by the lesson's Python receiver and compared with what the
//! lesson's Python sender puts on the wire (`struct_header_server.py`,
//! `struct_header_client.py`).

use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use testkit::{python_peer, run, run_ok, stderr, stdout, step, tcp_connect, temp_dir, Server};

const WAIT: Duration = Duration::from_secs(20);
const PACKAGE: &str = "struct_header";
const RANGE_ERROR: &str = "struct.error: 'i' format requires -2147483648 <= number <= 2147483647";

/// The bytes of a line of spaced hex (`68 00 00 00`).
fn from_hex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|byte| u8::from_str_radix(byte, 16).expect("two hex digits"))
        .collect()
}

/// Spaced hex of `bytes`, as the steps and struct_pack.py print it.
fn hex(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    hex.join(" ")
}

// ---- struct_1_pack

/// For each number struct_1_pack prints `l = struct.pack('i', N) → REPR  HEX`,
/// `len(l) → 4` and `struct.unpack('i', l) → (N,)`: (N, repr, hex, unpacked).
fn packed_by_the_step(out: &str) -> Vec<(String, String, String, String)> {
    let lines: Vec<&str> = out.lines().collect();
    lines
        .chunks(3)
        .map(|three| {
            let [pack, len, unpack] = three else {
                panic!("not three lines: {three:?}")
            };
            let rest = pack.strip_prefix("l = struct.pack('i', ").expect(pack);
            let (number, rest) = rest.split_once(") → ").expect(pack);
            let (repr, hex) = rest.split_once("  ").expect(pack);
            assert_eq!(*len, "len(l) → 4");
            let unpacked = unpack
                .strip_prefix("struct.unpack('i', l) → (")
                .expect(unpack);
            let unpacked = unpacked.strip_suffix(",)").expect(unpack);
            (number.into(), repr.into(), hex.into(), unpacked.into())
        })
        .collect()
}

#[test]
fn struct_1_pack_agrees_with_pythons_struct_pack_and_unpack_byte_for_byte() {
    let numbers = [
        "-1",
        "0",
        "1",
        "12",
        "104",
        "255",
        "256",
        "65536",
        "-256",
        "2147483647",
        "-2147483648",
    ];
    let ours = packed_by_the_step(&run_ok(step(PACKAGE, "struct_1_pack", numbers), b"", WAIT));
    let python = run_ok(
        python_peer("struct_pack.py", &[&["pack"], &numbers[..]].concat()),
        b"",
        WAIT,
    );
    assert_eq!(ours.len(), numbers.len());
    for ((number, repr, hex, unpacked), line) in ours.iter().zip(python.lines()) {
        // Python: N, repr and hex of pack('i'), then those of pack('!i').
        let python: Vec<&str> = line.split('\t').collect();
        assert_eq!(number, python[0]);
        assert_eq!(repr, python[1], "{number}");
        assert_eq!(hex, python[2], "{number}");
        let back = run_ok(
            python_peer("struct_pack.py", &["unpack", &hex.replace(' ', "")]),
            b"",
            WAIT,
        );
        assert_eq!(back.split('\t').nth(1), Some(unpacked.as_str()), "{number}");
        assert_eq!(unpacked, number);
    }
}

#[test]
fn struct_1_pack_and_python_both_refuse_numbers_outside_i32() {
    for number in ["2147483648", "-2147483649", "1111111111111"] {
        let ours = run(
            step(PACKAGE, "struct_1_pack", ["7", number, "8"]),
            b"",
            WAIT,
        );
        let python = run(
            python_peer("struct_pack.py", &["strict", "7", number, "8"]),
            b"",
            WAIT,
        );
        for out in [&ours, &python] {
            assert_eq!(out.status.code(), Some(1), "{number}: {out:?}");
            assert_eq!(
                stderr(out).lines().last(),
                Some(RANGE_ERROR),
                "{number}: {out:?}"
            );
        }
        // Each stopped at the number, as an uncaught exception stops Python:
        // 7 was packed, 8 never was.
        assert!(stdout(&ours).starts_with("l = struct.pack('i', 7) → b'\\x07\\x00\\x00\\x00'"));
        assert!(!stdout(&ours).contains("8)"), "{ours:?}");
        assert_eq!(stdout(&python), "7\tb'\\x07\\x00\\x00\\x00'\t07 00 00 00\n");
    }
}

#[test]
fn struct_1_pack_with_no_numbers_is_the_lessons_session() {
    let out = run(step(PACKAGE, "struct_1_pack", [""; 0]), b"", WAIT);
    assert_eq!(
        stdout(&out),
        "l = struct.pack('i', 12) → b'\\x0c\\x00\\x00\\x00'  0c 00 00 00\n\
         len(l) → 4\n\
         struct.unpack('i', l) → (12,)\n"
    );
    assert_eq!(stderr(&out), format!("{RANGE_ERROR}\n"));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn struct_1_pack_says_its_usage_for_text_that_is_no_integer() {
    let out = run(step(PACKAGE, "struct_1_pack", ["12", "twelve"]), b"", WAIT);
    assert!(!out.status.success(), "{out:?}");
    assert!(
        stderr(&out).contains("usage: struct_1_pack [NUMBER]..."),
        "{out:?}"
    );
    assert_eq!(stdout(&out), "", "nothing packed before the usage error");
}

// ---- struct_2_json_header

/// What struct_2_json_header prints for `args`: the JSON text, the prefix's
/// repr, and the wire bytes of its hex dump (prefix and header).
fn header_by_the_step(args: &[&str]) -> (String, String, Vec<u8>, String) {
    let out = run_ok(step(PACKAGE, "struct_2_json_header", args), b"", WAIT);
    let json = out
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("head_bytes = "));
    let prefix = out
        .lines()
        .nth(2)
        .and_then(|l| l.strip_prefix("head_len_bytes = "));
    // The hex dump: the lines between 先发… and 然后发….
    let dump: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("先发"))
        .skip(1)
        .take_while(|l| !l.starts_with("然后发"))
        .collect();
    let (Some(json), Some(prefix)) = (json, prefix) else {
        panic!("no head_bytes or head_len_bytes line in {out:?}")
    };
    (
        json.into(),
        prefix.into(),
        from_hex(&dump.join(" ")),
        out.clone(),
    )
}

#[test]
fn struct_2_json_header_is_json_dumps_and_struct_pack_byte_for_byte() {
    let lesson = [
        "1073741824000",
        "/a/b/c/d/e/a.txt",
        "8f6fbf8347faa4924a76856701edb0f3",
    ];
    let cases: [&[&str]; 5] = [
        &[], // the lesson's header
        &lesson,
        &["11", "笔记.txt", "d41d8cd98f00b204e9800998ecf8427e"],
        &["0", "📒 \"quoted\" back\\slash\ttab\u{7f}\u{1}", ""],
        &["2147483648", "é", "x"],
    ];
    for args in cases {
        let (json, prefix, wire, _) = header_by_the_step(args);
        let python_args = if args.is_empty() { &lesson[..] } else { args };
        let python = run_ok(
            python_peer("struct_pack.py", &[&["header"], python_args].concat()),
            b"",
            WAIT,
        );
        let mut lines = python.lines();
        let python_json = lines.next().expect("json.dumps line");
        let (python_prefix, python_hex) = lines
            .next()
            .and_then(|l| l.split_once('\t'))
            .expect("prefix line");
        assert_eq!(json, python_json, "{args:?}");
        assert_eq!(prefix, python_prefix, "{args:?}");
        let python_wire = [from_hex(python_hex), python_json.as_bytes().to_vec()].concat();
        assert_eq!(hex(&wire), hex(&python_wire), "{args:?}");
    }
}

#[test]
fn struct_2_json_header_shows_why_the_size_rides_in_the_header() {
    let (json, prefix, _, out) = header_by_the_step(&[]);
    assert_eq!(
        json,
        r#"{"file_size": 1073741824000, "file_name": "/a/b/c/d/e/a.txt", "md5": "8f6fbf8347faa4924a76856701edb0f3"}"#
    );
    assert_eq!(prefix, r"b'h\x00\x00\x00'");
    let python = run_ok(
        python_peer("struct_pack.py", &["pack", "1073741824000"]),
        b"",
        WAIT,
    );
    assert_eq!(
        python,
        format!("1073741824000 error: {}\n", &RANGE_ERROR[14..])
    );
    assert!(
        out.contains(&format!("struct.pack('i', 1073741824000): {RANGE_ERROR}\n")),
        "{out}"
    );
    assert!(
        out.contains("然后发真实的数据 1073741824000 个字节\n"),
        "{out}"
    );
    assert!(
        out.ends_with("收到报头的长度 104, file_size 1073741824000\n"),
        "{out}"
    );
    // A size that fits 'i' needs no such explanation.
    let (_, _, _, small) = header_by_the_step(&["11"]);
    assert!(!small.contains("struct.error"), "{small}");
    assert!(
        small.ends_with("收到报头的长度 93, file_size 11\n"),
        "{small}"
    );
}

#[test]
fn the_lessons_python_receiver_reads_the_steps_header_and_the_file_after_it() {
    let data = b"some notes\n";
    let md5 = "3daf9071f85296467f9669febf63b349"; // md5sum of the data
    let (_, _, wire, _) = header_by_the_step(&["11", "notes.txt", md5]);
    let python = Server::start(python_peer("struct_header_server.py", &["--port", "0"]));
    let mut conn = tcp_connect(python.addr, WAIT);
    conn.write_all(&wire).expect("the step's prefix and header");
    conn.write_all(data).expect("the file");
    drop(conn);
    let out = python.finish_ok(WAIT);
    assert!(
        out.contains(&format!(
            "header {{\"file_size\": 11, \"file_name\": \"notes.txt\", \"md5\": \"{md5}\"}}\n\
             data 11 {md5}\n"
        )),
        "{out}"
    );
}

#[test]
fn the_lessons_python_sender_puts_the_steps_bytes_on_the_wire() {
    // struct_header_client.py sends struct.pack('i', len), json.dumps of
    // {file_size, file_name, md5}, then the file: its first bytes must be
    // the step's, for the same header.
    let dir = temp_dir();
    let file = dir.path().join("笔记.txt");
    fs::write(&file, "some notes\n").expect("write the file");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("bound").port().to_string();
    let file_arg = file.to_str().expect("a UTF-8 path");
    let sender = python_peer("struct_header_client.py", &["--port", &port, file_arg]);
    run_ok(sender, b"", WAIT);
    let (mut conn, _) = listener.accept().expect("the sender connected");
    conn.set_read_timeout(Some(WAIT)).expect("timeout");
    let mut sent = Vec::new();
    conn.read_to_end(&mut sent).expect("all the sender sent");

    let len = usize::try_from(i32::from_le_bytes([sent[0], sent[1], sent[2], sent[3]]))
        .expect("a length");
    let header: serde_json::Value = serde_json::from_slice(&sent[4..4 + len]).expect("JSON");
    let md5 = header["md5"].as_str().expect("an md5");
    let (_, _, wire, _) = header_by_the_step(&["11", "笔记.txt", md5]);
    assert_eq!(hex(&sent[..4 + len]), hex(&wire));
    assert_eq!(&sent[4 + len..], b"some notes\n");
}

#[test]
fn struct_2_json_header_says_its_usage_for_a_size_that_is_no_number() {
    let out = run(step(PACKAGE, "struct_2_json_header", ["-1"]), b"", WAIT);
    assert!(!out.status.success(), "{out:?}");
    assert!(
        stderr(&out).contains("usage: struct_2_json_header [SIZE [NAME [MD5]]]"),
        "{out:?}"
    );
}
