//! `pack`, `unpack` and `header`: what the lesson does at the Python
//! prompt (`struct.pack('i', 12)`, `struct.unpack`, the range error) and in
//! its sketch of a 1 TB transfer (the JSON header and its 4-byte length),
//! without a socket.

use common::show::{byte_count, python_bytes, spaced_hex, Table};
use common::trace::hex_dump;
use common::wire::encode_prefix;
use harness::cli::Failure;
use struct_header::{
    native_order, pack_native, pack_network, parse_bytes, parse_int, python_dict, python_json,
    unpack, FileHeader, PackError, INT_SIZE,
};

use crate::report::to_usize;

/// `struct.error: ...` as a usage error: the number was the user's.
fn struct_error(why: impl std::fmt::Display) -> Failure {
    Failure::usage(format!("struct.error: {why}"))
}

// ------------------------------------------------------ pack and unpack

/// `struct.pack('i', n)` beside `struct.pack('!i', n)`.
pub fn pack(text: &str) -> Result<(), Failure> {
    let n = parse_int(text).map_err(|e| match e {
        PackError::OutOfRange => {
            struct_error(format!("{e} ({} does not fit 4 signed bytes)", text.trim()))
        }
        PackError::NotAnInteger => struct_error(format!("{e} ({text:?})")),
    })?;
    let mut table = Table::new(&[]);
    for (call, bytes, order) in [
        (
            format!("struct.pack('i', {n})"),
            pack_native(n),
            format!("native order: {}, what the lessons send", native_order()),
        ),
        (
            format!("struct.pack('!i', {n})"),
            pack_network(n),
            "network order: big-endian".to_string(),
        ),
    ] {
        table.row([call, python_bytes(&bytes), spaced_hex(&bytes), order]);
    }
    print!("{}", table.render(""));
    println!("always {INT_SIZE} bytes, whatever the number: struct.calcsize('i') == {INT_SIZE}");
    Ok(())
}

/// `struct.unpack('i', b)` beside `struct.unpack('!i', b)`.
pub fn unpack_bytes(text: &str) -> Result<(), Failure> {
    let bytes = parse_bytes(text).map_err(Failure::usage)?;
    let (native, network) = unpack(&bytes).map_err(|e| {
        struct_error(format!(
            "{e} (got {}: {})",
            bytes.len(),
            python_bytes(&bytes)
        ))
    })?;
    let mut table = Table::new(&[]);
    table.row([
        "bytes".to_string(),
        python_bytes(&bytes),
        spaced_hex(&bytes),
    ]);
    table.row([
        "struct.unpack('i', bytes)".to_string(),
        format!("({native},)"),
        format!("native order: {}", native_order()),
    ]);
    table.row([
        "struct.unpack('!i', bytes)".to_string(),
        format!("({network},)"),
        "network order: big-endian".to_string(),
    ]);
    print!("{}", table.render(""));
    Ok(())
}

// ------------------------------------------------------------ the header

/// The lesson's header, built and shown as Python would send it.
pub fn header(header: &FileHeader) {
    let head_bytes = python_json(header);
    let head_len_bytes =
        encode_prefix(head_bytes.len()).expect("a header from the command line fits i32");
    println!("header = {}\n", python_dict(header));
    println!(
        "head_bytes = json.dumps(header).encode('utf-8')   {}",
        byte_count(head_bytes.len())
    );
    println!("  {}", String::from_utf8_lossy(&head_bytes));
    print!("{}", hex_dump(&head_bytes));
    println!(
        "head_len_bytes = struct.pack('i', {})   {}   {}\n",
        head_bytes.len(),
        python_bytes(&head_len_bytes),
        spaced_hex(&head_len_bytes)
    );
    println!("On the wire, in this order:");
    let mut wire = Table::new(&[]);
    wire.row([
        format!("[{}]", spaced_hex(&head_len_bytes)),
        format!("{INT_SIZE} bytes"),
        "recv(4), then struct.unpack('i', ...) says how long the header is".to_string(),
    ]);
    wire.row([
        "[{\"file_size\": ...}]".to_string(),
        byte_count(head_bytes.len()),
        "recv(that many), then json.loads: the header".to_string(),
    ]);
    wire.row([
        "[the file]".to_string(),
        byte_count(to_usize(header.file_size)),
        "recv until file_size bytes have come".to_string(),
    ]);
    print!("{}", wire.render("  "));

    let compact = serde_json::to_vec(header).expect("a header serializes");
    println!(
        "\n(common::write_json_header writes the same object without the spaces, {}: \
         either is valid JSON, and the prefix always says how many bytes to read.)\n",
        byte_count(compact.len())
    );
    match parse_int(&header.file_size.to_string()) {
        Err(e) => {
            println!(
                "Why a JSON header: struct.pack('i', {}) fails:",
                header.file_size
            );
            println!("  struct.error: {e}");
            println!(
                "so the size rides inside the JSON, and only the header's length, {}, \
                 is packed into 4 bytes.",
                head_bytes.len()
            );
        }
        Ok(_) => println!(
            "This file_size would fit 'i', but a file of 2 GiB or more would not \
             ({} at most); the JSON header has room for any size, and for the name and md5.",
            i32::MAX
        ),
    }
}
