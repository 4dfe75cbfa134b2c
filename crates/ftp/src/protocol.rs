//! The `ftp` protocol: what travels in each JSON header.
//!
//! Every request is one JSON header frame (`common::wire`: a 4-byte
//! little-endian length, then a UTF-8 JSON object) with a `cmd`; every reply
//! is one JSON header frame with `status` (`"ok"` or `"error"`) and a
//! `message`. File bytes travel raw, right after the header that announces
//! their size, and an md5 trailer frame may follow them. docs/protocols.md
//! draws every exchange byte by byte.
//!
//! Requests are read as a `serde_json::Value` first and then field by field,
//! so a bad field gets an error that names it (`file_size must be a whole
//! number of bytes, got -5`), and an unknown `cmd` is told apart from a
//! header that is not JSON at all.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::transfer::Digest;

/// The lesson's port.
pub const DEFAULT_PORT: u16 = 8089;

/// How many bytes one read or write of file data moves (1 MiB): large
/// enough that system calls cost little, small enough that memory stays
/// flat whatever the file size.
pub const CHUNK: usize = 1 << 20;

/// The largest `file_size` accepted (1 TiB); anything larger is taken as
/// a mistake or an attack, not a file.
pub const MAX_FILE_SIZE: u64 = 1 << 40;

/// The largest reply header a client accepts (1 MiB: an `ls` of a big
/// directory is the longest reply).
pub const MAX_REPLY_HEADER: usize = 1 << 20;

/// The most entries one `ls` reply lists.
pub const MAX_LS_ENTRIES: usize = 1000;

/// One request, as the server understood it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Login {
        user: String,
        password: String,
    },
    Put(PutRequest),
    Get(GetRequest),
    Ls {
        path: Option<String>,
    },
    Cd {
        path: String,
    },
    Pwd,
    Mkdir {
        path: String,
    },
    Quit,
    /// A well-formed header whose `cmd` this server does not know.
    Unknown(String),
}

/// `{"cmd": "put", "file_name": ..., "file_size": ..., ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PutRequest {
    pub file_name: String,
    pub file_size: u64,
    /// The md5 of the whole file, when the client knew it before sending.
    pub md5: Option<String>,
    /// Replace an existing file of that name.
    pub overwrite: bool,
    /// Continue a partial upload of this name, if there is one.
    pub resume: bool,
    /// The client waits for a `ready` reply before sending the bytes, and
    /// reads every reply. Without it (the lesson's client) the bytes come
    /// at once, and the server sends no reply at all unless `md5` is given.
    pub wait: bool,
    /// A trailer frame with the digest (`{"md5": ...}`) follows the bytes.
    pub trailer: bool,
    /// The digests this client can check a file with (`digests`), strongest
    /// first; empty for the lesson's client and for `--digest md5`, which
    /// then means md5, as before the field existed.
    pub digests: Vec<Digest>,
}

impl PutRequest {
    /// Does the client read replies to this put? The lesson's client
    /// (`{cmd, file_name, file_size}` and nothing else) never does.
    pub fn wants_replies(&self) -> bool {
        self.wait || self.md5.is_some() || self.trailer
    }
}

/// `{"cmd": "get", "file_name": ..., "offset": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetRequest {
    pub file_name: String,
    /// Send from this byte on: the client already has the bytes before it.
    pub offset: u64,
    /// The digests this client can check a file with, as in a put.
    pub digests: Vec<Digest>,
}

/// A header that is JSON but not a request this protocol can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRequest(pub String);

impl fmt::Display for BadRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadRequest {}

impl Request {
    /// Reads a request out of a parsed header.
    pub fn from_json(header: &Value) -> Result<Request, BadRequest> {
        let Value::Object(fields) = header else {
            return Err(BadRequest(format!(
                "the header must be a JSON object, got {}",
                kind(header)
            )));
        };
        let cmd = match fields.get("cmd") {
            Some(Value::String(cmd)) => cmd.as_str(),
            Some(other) => {
                return Err(BadRequest(format!(
                    "cmd must be a string, got {}",
                    kind(other)
                )))
            }
            None => return Err(BadRequest("the header has no `cmd`".into())),
        };
        let f = Fields(fields);
        Ok(match cmd {
            "login" => Request::Login {
                user: f.string("user")?,
                password: f.string("password")?,
            },
            "put" => Request::Put(PutRequest {
                file_name: f.string("file_name")?,
                file_size: f.size("file_size")?,
                md5: f.md5("md5")?,
                overwrite: f.flag("overwrite")?,
                resume: f.flag("resume")?,
                wait: f.flag("wait")?,
                trailer: f.flag("trailer")?,
                digests: f.digests("digests")?,
            }),
            "get" => Request::Get(GetRequest {
                file_name: f.string("file_name")?,
                offset: f.optional_size("offset")?.unwrap_or(0),
                digests: f.digests("digests")?,
            }),
            "ls" => Request::Ls {
                path: f.optional_string("path")?,
            },
            "cd" => Request::Cd {
                path: f.string("path")?,
            },
            "pwd" => Request::Pwd,
            "mkdir" => Request::Mkdir {
                path: f.string("path")?,
            },
            "quit" => Request::Quit,
            other => Request::Unknown(other.to_string()),
        })
    }
}

/// The fields of a request, read one by one with errors that name them.
struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    fn optional_string(&self, name: &str) -> Result<Option<String>, BadRequest> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(BadRequest(format!(
                "{name} must be a string, got {}",
                kind(other)
            ))),
        }
    }

    fn string(&self, name: &str) -> Result<String, BadRequest> {
        self.optional_string(name)?
            .ok_or_else(|| BadRequest(format!("the header has no `{name}`")))
    }

    fn flag(&self, name: &str) -> Result<bool, BadRequest> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(BadRequest(format!(
                "{name} must be true or false, got {}",
                kind(other)
            ))),
        }
    }

    fn optional_size(&self, name: &str) -> Result<Option<u64>, BadRequest> {
        let value = match self.0.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(value) => value,
        };
        let size = value.as_u64().ok_or_else(|| {
            BadRequest(format!(
                "{name} must be a whole number of bytes, got {}",
                shown(value)
            ))
        })?;
        if size > MAX_FILE_SIZE {
            return Err(BadRequest(format!(
                "{name} {size} is absurd: this server takes files of at most {MAX_FILE_SIZE} \
                 bytes (1 TiB)"
            )));
        }
        Ok(Some(size))
    }

    fn size(&self, name: &str) -> Result<u64, BadRequest> {
        self.optional_size(name)?
            .ok_or_else(|| BadRequest(format!("the header has no `{name}`")))
    }

    /// A list of digest names. Names this server does not know are left
    /// out, so a newer client may offer more than it knows of.
    fn digests(&self, name: &str) -> Result<Vec<Digest>, BadRequest> {
        let items = match self.0.get(name) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(BadRequest(format!(
                    "{name} must be a list of digest names, got {}",
                    kind(other)
                )))
            }
        };
        let mut digests = Vec::new();
        for item in items {
            let Value::String(text) = item else {
                return Err(BadRequest(format!(
                    "{name} must be a list of digest names, got {}",
                    shown(item)
                )));
            };
            if let Some(digest) = Digest::from_name(text) {
                if !digests.contains(&digest) {
                    digests.push(digest);
                }
            }
        }
        Ok(digests)
    }

    fn md5(&self, name: &str) -> Result<Option<String>, BadRequest> {
        let Some(md5) = self.optional_string(name)? else {
            return Ok(None);
        };
        if !is_md5_hex(&md5) {
            return Err(BadRequest(format!(
                "{name} must be 32 hexadecimal digits, got {}",
                shown(&Value::String(md5))
            )));
        }
        Ok(Some(md5.to_ascii_lowercase()))
    }
}

/// 32 hexadecimal digits, as `hashlib.md5().hexdigest()` writes them.
pub fn is_md5_hex(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value from the network in an error message: as JSON, cut short.
fn shown(value: &Value) -> String {
    const MAX: usize = 40;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        return text;
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}...")
}

/// `"ok"` or `"error"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Ok,
    Error,
}

/// Every reply: `status` and `message`, plus what the command returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Reply {
    pub status: Status,
    pub message: String,
    /// `put`'s `ready` and `get`'s answer: where the bytes start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// `get`: the whole file's size; `put`: the size stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    /// `put`'s `ready` and `get`'s answer to a client that sent `digests`:
    /// the one chosen, which the trailer then carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// `put`: the md5 of what was stored; `get`: the file's md5 up front,
    /// when the server remembers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// The same for BLAKE3, when that is the digest chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blake3: Option<String>,
    /// `cd`, `pwd`, `login`, `ls`: the directory, `/` being the home.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// `ls`: what is in the directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<Entry>>,
}

impl Reply {
    pub fn ok(message: impl Into<String>) -> Reply {
        Reply {
            message: message.into(),
            ..Reply::default()
        }
    }

    pub fn error(message: impl Into<String>) -> Reply {
        Reply {
            status: Status::Error,
            message: message.into(),
            ..Reply::default()
        }
    }

    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }
}

/// One line of `ls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub kind: EntryKind,
    /// Bytes (for a partial upload: the bytes received so far).
    pub size: u64,
}

/// What an `ls` entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    File,
    Dir,
    /// A symbolic link (shown, never followed).
    Link,
    /// An upload that has not finished: `.NAME.part`, listed as NAME.
    Partial,
}

/// The frame that follows the bytes of a `put` with `trailer`, and of every
/// `get`: the digest of the whole file, under its own name (`{"md5": ...}`,
/// the lesson's, or `{"blake3": ...}` once both ends chose it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Trailer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blake3: Option<String>,
}

impl Trailer {
    /// The trailer that carries `hex` as `digest`.
    pub fn new(digest: Digest, hex: String) -> Trailer {
        match digest {
            Digest::Md5 => Trailer {
                md5: Some(hex),
                ..Trailer::default()
            },
            Digest::Blake3 => Trailer {
                blake3: Some(hex),
                ..Trailer::default()
            },
        }
    }

    /// The hex it carries for `digest`, if any.
    pub fn get(&self, digest: Digest) -> Option<&str> {
        match digest {
            Digest::Md5 => self.md5.as_deref(),
            Digest::Blake3 => self.blake3.as_deref(),
        }
    }
}

impl Reply {
    /// The hex this reply carries for `digest` (`md5` or `blake3`).
    pub fn digest_hex(&self, digest: Digest) -> Option<&str> {
        match digest {
            Digest::Md5 => self.md5.as_deref(),
            Digest::Blake3 => self.blake3.as_deref(),
        }
    }

    /// This reply with `hex` in the field named after `digest`.
    pub fn with_digest(mut self, digest: Digest, hex: Option<String>) -> Reply {
        match digest {
            Digest::Md5 => self.md5 = hex,
            Digest::Blake3 => self.blake3 = hex,
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<Request, String> {
        Request::from_json(&value).map_err(|e| e.0)
    }

    #[test]
    fn the_lessons_put_header_reads_as_a_put_without_replies() {
        let request = parse(json!({"cmd": "put", "file_name": "a.txt", "file_size": 12}));
        let Ok(Request::Put(put)) = request else {
            panic!("{request:?}");
        };
        assert_eq!(put.file_name, "a.txt");
        assert_eq!(put.file_size, 12);
        assert!(!put.wants_replies(), "the lesson's client never reads one");
    }

    #[test]
    fn a_put_with_md5_or_wait_gets_replies() {
        let md5 = "d41d8cd98f00b204e9800998ecf8427e";
        let Ok(Request::Put(put)) =
            parse(json!({"cmd": "put", "file_name": "a", "file_size": 0, "md5": md5}))
        else {
            panic!("a valid put");
        };
        assert_eq!(put.md5.as_deref(), Some(md5));
        assert!(put.wants_replies());
        let Ok(Request::Put(put)) =
            parse(json!({"cmd": "put", "file_name": "a", "file_size": 0, "wait": true}))
        else {
            panic!("a valid put");
        };
        assert!(put.wants_replies());
    }

    #[test]
    fn bad_file_sizes_are_named() {
        let bad = |size: Value| {
            parse(json!({"cmd": "put", "file_name": "a", "file_size": size}))
                .expect_err("a bad size")
        };
        assert_eq!(
            bad(json!(-5)),
            "file_size must be a whole number of bytes, got -5"
        );
        assert_eq!(
            bad(json!("12")),
            "file_size must be a whole number of bytes, got \"12\""
        );
        assert_eq!(
            bad(json!(1.5)),
            "file_size must be a whole number of bytes, got 1.5"
        );
        assert!(bad(json!(u64::MAX)).starts_with("file_size 18446744073709551615 is absurd"));
        assert_eq!(
            parse(json!({"cmd": "put", "file_name": "a"})).expect_err("no size"),
            "the header has no `file_size`"
        );
    }

    #[test]
    fn malformed_headers_say_what_is_wrong() {
        assert_eq!(
            parse(json!([1, 2])).expect_err("not an object"),
            "the header must be a JSON object, got an array"
        );
        assert_eq!(
            parse(json!({"file_name": "a"})).expect_err("no cmd"),
            "the header has no `cmd`"
        );
        assert_eq!(
            parse(json!({"cmd": 7})).expect_err("cmd a number"),
            "cmd must be a string, got a number"
        );
        assert_eq!(
            parse(json!({"cmd": "put", "file_name": "a", "file_size": 1, "md5": "xyz"}))
                .expect_err("bad md5"),
            "md5 must be 32 hexadecimal digits, got \"xyz\""
        );
        assert_eq!(
            parse(json!({"cmd": "put", "file_name": "a", "file_size": 1, "wait": "yes"}))
                .expect_err("bad flag"),
            "wait must be true or false, got a string"
        );
    }

    #[test]
    fn digests_offered_are_read_unknown_ones_left_out() {
        let Ok(Request::Put(put)) = parse(json!({"cmd": "put", "file_name": "a", "file_size": 0,
            "digests": ["sha3", "blake3", "md5", "blake3"]}))
        else {
            panic!("a valid put");
        };
        assert_eq!(put.digests, [Digest::Blake3, Digest::Md5]);
        let Ok(Request::Get(get)) = parse(json!({"cmd": "get", "file_name": "a"})) else {
            panic!("a valid get");
        };
        assert!(get.digests.is_empty(), "none offered: md5, the lesson's");
        assert_eq!(
            parse(json!({"cmd": "get", "file_name": "a", "digests": "blake3"}))
                .expect_err("not a list"),
            "digests must be a list of digest names, got a string"
        );
        assert_eq!(
            parse(json!({"cmd": "get", "file_name": "a", "digests": [5]})).expect_err("not names"),
            "digests must be a list of digest names, got 5"
        );
    }

    #[test]
    fn the_md5_trailer_keeps_the_lessons_bytes() {
        let md5 = Trailer::new(Digest::Md5, "764efa883dda1e11db47671c4a3bbd9e".into());
        assert_eq!(
            serde_json::to_string(&md5).expect("serializable"),
            r#"{"md5":"764efa883dda1e11db47671c4a3bbd9e"}"#
        );
        let blake3 = Trailer::new(Digest::Blake3, "ab".repeat(32));
        let json = serde_json::to_string(&blake3).expect("serializable");
        assert_eq!(json, format!(r#"{{"blake3":"{}"}}"#, "ab".repeat(32)));
        let back: Trailer = serde_json::from_str(&json).expect("parses");
        assert_eq!(back.get(Digest::Blake3), Some("ab".repeat(32).as_str()));
        assert_eq!(back.get(Digest::Md5), None);
    }

    #[test]
    fn an_unknown_cmd_is_not_a_malformed_header() {
        assert_eq!(
            parse(json!({"cmd": "delete", "file_name": "a"})),
            Ok(Request::Unknown("delete".into()))
        );
    }

    #[test]
    fn replies_leave_out_what_they_do_not_carry() {
        let json = serde_json::to_string(&Reply::error("no such file")).expect("serializable");
        assert_eq!(json, r#"{"status":"error","message":"no such file"}"#);
        let ready = Reply {
            offset: Some(0),
            ..Reply::ok("ready")
        };
        assert_eq!(
            serde_json::to_string(&ready).expect("serializable"),
            r#"{"status":"ok","message":"ready","offset":0}"#
        );
    }
}
