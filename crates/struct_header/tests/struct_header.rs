//! The real `struct_header` binary: pack/unpack against Python's own
//! `struct`, the lesson's header against `json.dumps`, one message over
//! loopback, both ends against the lesson's Python ends, and hostile
//! senders.

use std::net::SocketAddr;
use std::process::{Command, Output};
use std::time::Duration;

use testkit::{
    assert_contains_all, command, python_peer, stderr, stdout, tcp_connect, write_byte_by_byte,
    Server,
};

const BIN: &str = env!("CARGO_BIN_EXE_struct_header");
const WAIT: Duration = Duration::from_secs(20);
const RANGE_ERROR: &str =
    "error: struct.error: 'i' format requires -2147483648 <= number <= 2147483647";

fn run(args: &[&str]) -> Output {
    testkit::run(command(BIN, args), b"", WAIT)
}

/// `python3 scripts/peers/SCRIPT ARGS...`, from `[SCRIPT, ARGS...]`.
fn python(args: &[&str]) -> Command {
    let (script, rest) = args.split_first().expect("a script name");
    python_peer(script, rest)
}

fn python_output(args: &[&str]) -> String {
    testkit::run_ok(python(args), b"", WAIT)
}

// ------------------------------------------------------ pack and unpack

#[test]
fn pack_12_shows_the_lessons_bytes_beside_network_order() {
    let out = run(&["pack", "12"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_contains_all(
        &stdout(&out),
        &[
            r"struct.pack('i', 12)  b'\x0c\x00\x00\x00'  0c 00 00 00  native order: little-endian",
            r"struct.pack('!i', 12)  b'\x00\x00\x00\x0c'  00 00 00 0c  network order: big-endian",
            "struct.calcsize('i') == 4",
        ],
    );
}

#[test]
fn numbers_outside_i32_fail_with_the_lessons_error_and_exit_2() {
    for number in [
        "2147483648",
        "-2147483649",
        "99999999999999999999",
        "1111111111111",
    ] {
        let out = run(&["pack", number]);
        assert_eq!(out.status.code(), Some(2), "{number}");
        assert!(stdout(&out).is_empty(), "{number}: {}", stdout(&out));
        assert_contains_all(
            &stderr(&out),
            &[RANGE_ERROR, &format!("({number} does not fit")],
        );
    }
}

#[test]
fn text_that_is_not_an_integer_is_a_usage_error() {
    for text in ["abc", "1.5", "0x0c", "", "12abc"] {
        let out = run(&["pack", text]);
        assert_eq!(out.status.code(), Some(2), "{text:?}");
        assert_contains_all(
            &stderr(&out),
            &["error: struct.error: required argument is not an integer"],
        );
    }
}

#[test]
fn unpack_reads_hex_and_python_literals() {
    for spelling in [
        &["0c000000"][..],
        &["0c 00 00 00"],
        &["0c", "00", "00", "00"],
        &[r"\x0c\x00\x00\x00"],
        &[r"b'\x0c\x00\x00\x00'"],
    ] {
        let mut args = vec!["unpack"];
        args.extend_from_slice(spelling);
        let out = run(&args);
        assert!(out.status.success(), "{spelling:?}: {}", stderr(&out));
        assert_contains_all(
            &stdout(&out),
            &[
                r"bytes  b'\x0c\x00\x00\x00'  0c 00 00 00",
                "struct.unpack('i', bytes)  (12,)",
                "struct.unpack('!i', bytes)  (201326592,)",
            ],
        );
    }
}

#[test]
fn unpack_needs_exactly_4_bytes() {
    for (bytes, got) in [
        ("0c0000", r"(got 3: b'\x0c\x00\x00')"),
        ("0c00000000", "(got 5: "),
        (r"b'hello'", "(got 5: b'hello')"),
    ] {
        let out = run(&["unpack", bytes]);
        assert_eq!(out.status.code(), Some(2), "{bytes}");
        assert_contains_all(
            &stderr(&out),
            &[
                "error: struct.error: unpack requires a buffer of 4 bytes",
                got,
            ],
        );
    }
    for bad in ["0g000000", "c000000", r"\x0"] {
        let out = run(&["unpack", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    }
}

/// Values on both sides of every byte boundary and of the range.
const VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "12",
    "104",
    "255",
    "256",
    "-256",
    "65535",
    "65536",
    "16777216",
    "123456789",
    "-123456789",
    "2147483647",
    "-2147483648",
];

#[test]
fn pack_and_unpack_agree_with_pythons_struct_byte_for_byte() {
    let mut args = vec!["struct_pack.py", "pack"];
    args.extend_from_slice(VALUES);
    let answers = python_output(&args);
    assert_eq!(answers.lines().count(), VALUES.len(), "{answers}");
    for line in answers.lines() {
        // value, repr('i'), hex('i'), repr('!i'), hex('!i')
        let fields: Vec<&str> = line.split('\t').collect();
        let [value, native_repr, native_hex, network_repr, network_hex] = fields[..] else {
            panic!("unexpected line from Python: {line}");
        };
        let out = run(&["pack", value]);
        assert!(out.status.success(), "{value}: {}", stderr(&out));
        assert_contains_all(
            &stdout(&out),
            &[
                &format!("struct.pack('i', {value})  {native_repr}  {native_hex}"),
                &format!("struct.pack('!i', {value})  {network_repr}  {network_hex}"),
            ],
        );
        // And back: from Python's hex and from Python's repr.
        let unpacked = python_output(&["struct_pack.py", "unpack", &native_hex.replace(' ', "")]);
        let python_values: Vec<&str> = unpacked.trim().split('\t').collect();
        for spelling in [native_hex, native_repr] {
            let out = run(&["unpack", spelling]);
            assert!(out.status.success(), "{spelling}: {}", stderr(&out));
            assert_contains_all(
                &stdout(&out),
                &[
                    &format!("struct.unpack('i', bytes)  ({},)", python_values[1]),
                    &format!("struct.unpack('!i', bytes)  ({},)", python_values[2]),
                ],
            );
        }
        assert_eq!(python_values[1], value);
    }
}

#[test]
fn python_refuses_the_same_numbers() {
    // Python words the error for numbers beyond a C long differently
    // ("argument out of range"); struct_header gives the lesson's text for
    // every number outside i32. Both refuse all of them.
    let out_of_range = [
        "2147483648",
        "-2147483649",
        "1111111111111",
        "99999999999999999999",
    ];
    let mut args = vec!["struct_pack.py", "pack"];
    args.extend_from_slice(&out_of_range);
    let answers = python_output(&args);
    for (line, value) in answers.lines().zip(out_of_range) {
        assert!(line.starts_with(&format!("{value} error: ")), "{line}");
        assert_eq!(run(&["pack", value]).status.code(), Some(2));
    }
    assert_contains_all(
        &answers,
        &["2147483648 error: 'i' format requires -2147483648 <= number <= 2147483647"],
    );
}

// ------------------------------------------------------------ the header

#[test]
fn header_is_the_lessons_1_tb_header_byte_for_byte() {
    let out = run(&["header"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let python = python_output(&[
        "struct_pack.py",
        "header",
        "1073741824000",
        "/a/b/c/d/e/a.txt",
        "8f6fbf8347faa4924a76856701edb0f3",
    ]);
    let mut lines = python.lines();
    let json = lines.next().expect("json.dumps line");
    let (prefix_repr, prefix_hex) = lines
        .next()
        .and_then(|l| l.split_once('\t'))
        .expect("prefix line");
    assert_contains_all(
        &text,
        &[
            "header = {'file_size': 1073741824000, 'file_name': '/a/b/c/d/e/a.txt', \
             'md5': '8f6fbf8347faa4924a76856701edb0f3'}",
            &format!("  {json}\n"),
            "json.dumps(header).encode('utf-8')  104 bytes",
            &format!("head_len_bytes = struct.pack('i', 104)  {prefix_repr}  {prefix_hex}"),
            r"b'h\x00\x00\x00'",
            "Why a JSON header: struct.pack('i', 1073741824000) fails:",
            "struct.error: 'i' format requires -2147483648 <= number <= 2147483647",
            "only the header's length, 104, is packed into 4 bytes",
        ],
    );
}

#[test]
fn a_custom_header_matches_json_dumps_even_with_chinese_names() {
    let out = run(&[
        "header",
        "--file-size",
        "12",
        "--file-name",
        "笔记.txt",
        "--md5",
        "x",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let python = python_output(&["struct_pack.py", "header", "12", "笔记.txt", "x"]);
    let json = python.lines().next().expect("json.dumps line");
    assert_eq!(
        json,
        r#"{"file_size": 12, "file_name": "\u7b14\u8bb0.txt", "md5": "x"}"#
    );
    assert_contains_all(
        &stdout(&out),
        &[&format!("  {json}\n"), "This file_size would fit 'i'"],
    );
}

// ------------------------------------------------------------ the demo

#[test]
fn demo_sends_one_message_and_reads_it_back_whole() {
    let out = run(&["demo", "--trace"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_contains_all(
        &stdout(&out),
        &[
            r"send(struct.pack('i', 40))  b'(\x00\x00\x00'  4 bytes",
            r#"send(head_bytes)  b'{"file_size":33,"file_name":"hello.txt"}'  40 bytes"#,
            "sendall(file)  hello.txt  33 bytes",
            r"recv(4)  b'(\x00\x00\x00'  struct.unpack('i') → (40,): the header's length",
            "json.loads → file_size 33",
            r"recv(33)  b'hello from struct_header, \xe4\xbd\xa0\xe5\xa5\xbd\n'  33 bytes: as file_size said",
            "hello.txt arrived whole",
        ],
    );
    // The prefix, then the header, on the wire.
    assert_contains_all(
        &stderr(&out),
        &["  0000  28 00 00 00 7b 22 66 69  6c 65 5f 73 69 7a 65 22  |(...{\"file_size\"|"],
    );
}

// ------------------------------------------------- the two ends, apart

fn start_server(extra: &[&str]) -> Server {
    Server::start(testkit::server_command(BIN, &["server"], extra))
}

fn client(addr: SocketAddr, extra: &[&str]) -> Output {
    testkit::run(
        testkit::client_command(BIN, &["client"], addr, extra),
        b"",
        WAIT,
    )
}

/// 100 000 bytes of every value, so nothing is text.
fn binary_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("data.bin");
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&path, bytes).expect("write the test file");
    path
}

#[test]
fn client_sends_a_file_that_the_server_reads_whole() {
    let dir = testkit::temp_dir();
    let file = binary_file(dir.path());
    let server = start_server(&[]);
    let out = client(server.addr, &[file.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_contains_all(
        &stdout(&out),
        &[
            r#"b'{"file_size":100000,"file_name":"data.bin"}'"#,
            "sendall(file)  data.bin  100000 bytes",
        ],
    );
    let shown = server.finish_ok(WAIT);
    assert_contains_all(
        &shown,
        &[
            r"recv(100000)  b'\x00\x07\x0e\x15",
            "100000 bytes: as file_size said",
            "sent \"data.bin\": 100000 bytes, whole",
        ],
    );
}

#[test]
fn the_lessons_python_sender_is_read_whole() {
    let dir = testkit::temp_dir();
    let file = binary_file(dir.path());
    let server = start_server(&[]);
    let port = server.addr.port().to_string();
    let out = testkit::run(
        python(&[
            "struct_header_client.py",
            "--port",
            &port,
            file.to_str().expect("utf-8"),
        ]),
        b"",
        WAIT,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = server.finish_ok(WAIT);
    // json.dumps spaces, and the md5 field, are read like anything else.
    assert_contains_all(
        &shown,
        &[
            r#"b'{"file_size": 100000, "file_name": "data.bin", "md5": "#,
            "json.loads → file_size 100000",
            "sent \"data.bin\": 100000 bytes, whole",
        ],
    );
}

#[test]
fn our_client_is_read_whole_by_the_lessons_python_receiver() {
    let dir = testkit::temp_dir();
    let file = binary_file(dir.path());
    let expected_md5 = {
        let out = testkit::run(
            command(
                testkit::python3(),
                [
                    "-c",
                    "import hashlib,sys; print(hashlib.md5(open(sys.argv[1],'rb').read()).hexdigest())",
                    file.to_str().expect("utf-8"),
                ],
            ),
            b"",
            WAIT,
        );
        stdout(&out).trim().to_string()
    };
    let server = Server::start(python(&["struct_header_server.py", "--port", "0"]));
    let out = client(server.addr, &[file.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = server.finish_ok(WAIT);
    assert_contains_all(
        &shown,
        &[
            r#"header {"file_size": 100000, "file_name": "data.bin"}"#,
            &format!("data 100000 {expected_md5}"),
        ],
    );
}

#[test]
fn client_without_a_file_sends_the_greeting_and_a_missing_file_is_a_usage_error() {
    let server = start_server(&[]);
    let out = client(server.addr, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = server.finish_ok(WAIT);
    assert_contains_all(&shown, &["sent \"hello.txt\": 33 bytes, whole"]);

    let out = run(&["client", "--port", "1", "/no/such/file"]);
    assert_eq!(out.status.code(), Some(2));
    assert_contains_all(
        &stderr(&out),
        &["error: cannot open /no/such/file: no such file or directory"],
    );
}

#[test]
fn ctrl_c_stops_a_waiting_server_cleanly() {
    let log = start_server(&[]).stop(WAIT);
    assert_contains_all(&log, &["stopped before a client came"]);
}

// ------------------------------------------------- hostile senders

fn message(header: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = (header.len() as i32).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(body);
    bytes
}

#[test]
fn header_length_ff_ff_ff_ff_is_refused() {
    let served = start_server(&[]).finish_after_sending(b"\xff\xff\xff\xff{}", WAIT);
    assert!(!served.status.success());
    assert_contains_all(
        &stdout(&served),
        &[r"recv(4)  b'\xff\xff\xff\xff'  struct.unpack('i') → (-1,)"],
    );
    assert_contains_all(
        &stderr(&served),
        &["error: length prefix is negative (-1): not a valid frame"],
    );
}

#[test]
fn a_header_length_above_the_maximum_is_refused() {
    let served =
        start_server(&["--max-header", "64"]).finish_after_sending(b"\x41\x00\x00\x00", WAIT);
    assert!(!served.status.success());
    assert_contains_all(
        &stderr(&served),
        &["error: length prefix says 65 bytes, more than the maximum of 64"],
    );

    let served = start_server(&[]).finish_after_sending(b"\xff\xff\xff\x7f", WAIT);
    assert!(!served.status.success());
    assert_contains_all(
        &stdout(&served),
        &[r"recv(4)  b'\xff\xff\xff\x7f'  struct.unpack('i') → (2147483647,)"],
    );
    assert_contains_all(
        &stderr(&served),
        &["error: length prefix says 2147483647 bytes, more than the maximum of 65536"],
    );
}

#[test]
fn a_message_sent_one_byte_at_a_time_is_read_whole() {
    let bytes = message(r#"{"file_size": 5, "file_name": "a.txt"}"#, b"hello");
    let server = start_server(&[]);
    let mut stream = tcp_connect(server.addr, WAIT);
    write_byte_by_byte(&mut stream, &bytes, Duration::from_millis(5)).expect("one byte");
    drop(stream);
    let shown = server.finish_ok(WAIT);
    assert_contains_all(&shown, &["recv(5)  b'hello'  5 bytes: as file_size said"]);
}

#[test]
fn eof_in_the_middle_of_the_prefix_the_header_or_the_file_names_both_counts() {
    let whole = message(r#"{"file_size": 5, "file_name": "a.txt"}"#, b"hello");
    for (cut, expected) in [
        (2, "was expecting 4 bytes but only received 2 bytes"),
        (14, "was expecting 38 bytes but only received 10 bytes"),
        (
            whole.len() - 3,
            "was expecting 5 bytes but only received 2 bytes",
        ),
    ] {
        let served = start_server(&[]).finish_after_sending(&whole[..cut], WAIT);
        assert!(!served.status.success(), "cut at {cut}");
        assert_contains_all(
            &stderr(&served),
            &[&format!("error: {expected} before the socket closed")],
        );
    }
}

#[test]
fn headers_that_are_not_the_lessons_say_why() {
    for (header, expected) in [
        ("{not json", "error: bad JSON header: key must be a string"),
        (
            r#"{"file_name": "a.txt"}"#,
            "error: bad JSON header: missing field `file_size`",
        ),
        (
            r#"{"file_size": -5}"#,
            "error: bad JSON header: invalid value: integer `-5`",
        ),
        (
            r#""hello""#,
            r#"error: bad JSON header: invalid type: string "hello", expected struct FileHeader"#,
        ),
    ] {
        let served = start_server(&[]).finish_after_sending(&message(header, b""), WAIT);
        assert!(!served.status.success(), "{header}");
        assert_contains_all(&stderr(&served), &[expected]);
    }
}

#[test]
fn a_silent_client_times_out() {
    let server = start_server(&["--timeout", "1"]);
    let stream = tcp_connect(server.addr, WAIT);
    let served = server.finish(WAIT);
    drop(stream);
    assert!(!served.status.success());
    assert_contains_all(
        &stderr(&served),
        &["error: the client sent nothing for 1 s (--timeout)"],
    );
}

/// `struct_header demo | head -2`: once the reader has gone, the program
/// stops quietly with the status of a closed pipe (141), as `cat` would,
/// instead of panicking in `println!` (harness::cli::quiet_on_closed_pipe).
#[test]
fn a_closed_stdout_ends_the_program_quietly() {
    let out = testkit::run_with_closed_stdout(command(BIN, ["demo"]), WAIT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(141), "stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
}
