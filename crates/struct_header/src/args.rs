//! The command line of `struct_header`: one subcommand per step of the
//! lesson (`pack`, `unpack`, `header`, `demo`) and the two ends of one
//! message (`server`, `client`).

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use common::DEFAULT_MAX_HEADER;
use harness::cli::NetArgs;
use struct_header::FileHeader;

/// The lesson's 1 TB file: `{'file_size': 1073741824000, ...}`.
const LESSON_FILE_SIZE: u64 = 1_073_741_824_000;
const LESSON_FILE_NAME: &str = "/a/b/c/d/e/a.txt";
const LESSON_MD5: &str = "8f6fbf8347faa4924a76856701edb0f3";

#[derive(Debug, Parser)]
#[command(
    version,
    about = "The fixed-length header lesson: struct.pack('i', n) gives 4 bytes whatever n \
             is, so a receiver can read the length first, then exactly the message.",
    after_help = "Examples:\n  \
        struct_header pack 12                  # b'\\x0c\\x00\\x00\\x00' (little-endian) and network order\n  \
        struct_header pack 2147483648          # struct.error: 'i' format requires ... (exit 2)\n  \
        struct_header unpack 0c 00 00 00       # (12,)\n  \
        struct_header unpack 'b\"h\\x00\\x00\\x00\"'  # as Python prints it: (104,)\n  \
        struct_header header                   # the lesson's JSON header for a 1 TB file\n  \
        struct_header demo --trace             # one JSON-headed message over loopback\n\n\
        The two ends of one message, in two terminals:\n  \
        struct_header server                   # terminal 1: prints `listening on ADDR`\n  \
        struct_header client notes.txt         # terminal 2: sends the file with its header\n"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// struct.pack('i', N): the 4 bytes of N, beside network order ('!i').
    #[command(
        allow_negative_numbers = true,
        after_help = "Examples:\n  struct_header pack 12\n  struct_header pack -1\n"
    )]
    Pack {
        /// A decimal integer; it must fit 4 signed bytes.
        number: String,
    },
    /// struct.unpack('i', BYTES): 4 bytes back to a number.
    #[command(after_help = "Examples:\n  \
        struct_header unpack 0c000000\n  \
        struct_header unpack 0c 00 00 00\n  \
        struct_header unpack 'b\"\\x0c\\x00\\x00\\x00\"'\n")]
    Unpack {
        /// Exactly 4 bytes, as hex (0c000000, 0c 00 00 00) or as Python
        /// prints them (b'\x0c\x00\x00\x00', \x0c\x00\x00\x00; quote it
        /// for the shell).
        #[arg(required = true, num_args = 1.., value_name = "BYTES")]
        bytes: Vec<String>,
    },
    /// The lesson's JSON header for a 1 TB file: its bytes and its 4-byte
    /// prefix, and why the size itself is not packed with 'i'.
    Header(HeaderArgs),
    /// Sends one JSON-headed message over loopback and reads it back, with
    /// the framing of `common`.
    Demo {
        /// Print every send and receive to stderr (hex + ASCII).
        #[arg(long)]
        trace: bool,
    },
    /// Receives one JSON-headed message: recv(4), the header, the file.
    #[command(after_help = "Example:\n  \
        struct_header server                   # terminal 1: prints `listening on ADDR`\n  \
        struct_header client notes.txt         # terminal 2\n")]
    Server(ServerArgs),
    /// Sends one JSON-headed message: a file, or a short greeting.
    #[command(after_help = "Example:\n  \
        struct_header client notes.txt         # to `struct_header server` in another terminal\n")]
    Client(ClientArgs),
}

// The header `struct_header header` shows (no doc comment: the variant's
// is its help).
#[derive(Debug, clap::Args)]
pub struct HeaderArgs {
    /// file_size in the header.
    #[arg(long, default_value_t = LESSON_FILE_SIZE)]
    file_size: u64,
    /// file_name in the header.
    #[arg(long, default_value = LESSON_FILE_NAME)]
    file_name: String,
    /// md5 in the header.
    #[arg(long, default_value = LESSON_MD5)]
    md5: String,
}

impl HeaderArgs {
    /// `{'file_size': ..., 'file_name': ..., 'md5': ...}`.
    pub fn file_header(self) -> FileHeader {
        FileHeader {
            file_size: self.file_size,
            file_name: self.file_name,
            md5: Some(self.md5),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    #[command(flatten)]
    pub net: NetArgs<8080>,

    /// Refuse a header longer than this.
    #[arg(long, default_value_t = DEFAULT_MAX_HEADER, value_name = "BYTES")]
    pub max_header: usize,

    /// Give up on a client that sends nothing for this many seconds.
    #[arg(long, default_value_t = 10, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}

#[derive(Debug, clap::Args)]
pub struct ClientArgs {
    #[command(flatten)]
    pub net: NetArgs<8080>,

    /// The file to send (default: a short greeting as hello.txt).
    pub file: Option<PathBuf>,

    /// Give up on connecting after this many seconds.
    #[arg(long, default_value_t = 10, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}
