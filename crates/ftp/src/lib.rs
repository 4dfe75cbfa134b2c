//! The file-transfer lesson (FTP 上传), grown into a tool a class can use.
//!
//! The lesson's client sends a 4-byte length, a JSON header
//! `{"cmd": "put", "file_name": ..., "file_size": ...}` and then the file's
//! raw bytes; its `socketserver.ThreadingTCPServer` reads the header and
//! then exactly `file_size` bytes into a file. This crate speaks that, and
//! adds what a shared server needs (docs/protocols.md has the bytes):
//!
//! * [`protocol`]: the requests and replies in the JSON headers;
//! * [`names`]: file names and paths from the network, checked;
//! * [`transfer`]: the streaming copy that hashes on the way (md5 or BLAKE3);
//! * [`digests`]: the digests the server remembers, per file version;
//! * [`accounts`]: the `--users` file and its salted password hashes;
//! * [`server`]: one session per client;
//! * [`client`]: the commands, over one connection;
//! * [`progress`]: the progress bar, or one summary line.

pub mod accounts;
pub mod client;
pub mod digests;
pub mod names;
pub mod progress;
pub mod protocol;
pub mod server;
pub mod transfer;
