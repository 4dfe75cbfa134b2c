//! The DNS message (RFC 1035 §4), built and parsed by hand: the lesson of
//! this crate, as the request line is the lesson of `web_server`.
//!
//! One message serves for the question and for the answer:
//!
//! ```text
//! +---------------------+
//! | header              | 12 bytes: id, flags, four counts (big-endian u16s)
//! +---------------------+
//! | question            | NAME TYPE CLASS: what is asked
//! +---------------------+
//! | answer              | resource records: NAME TYPE CLASS TTL RDLENGTH RDATA
//! | authority           | resource records (who is authoritative)
//! | additional          | resource records (helpful extras)
//! +---------------------+
//! ```
//!
//! A name is written as labels, each a length byte then that many bytes,
//! ending in a zero byte: `www.example.test` is
//! `03 www 07 example 04 test 00`. A name already written in the message
//! can be replaced by a two-byte pointer to it (`c0 0c` = "the name at byte
//! 12"): that is name compression, and [`Message::to_bytes`] does it.
//!
//! Every message read from the network is hostile until parsed:
//! [`Message::parse`] follows pointers only backwards (so no loop can
//! form), checks each label, each name's length, each count and each
//! record's length against the bytes that are really there, and returns a
//! [`ParseError`] saying what is wrong and where. It never panics and never
//! loops: every step moves forward through the bytes or strictly backwards
//! through a pointer.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// The fixed header's length.
pub const HEADER_LEN: usize = 12;

/// The longest label: its length byte has six bits (the top two mark a
/// pointer).
pub const MAX_LABEL: usize = 63;

/// The longest name, in bytes on the wire (length bytes and the final zero
/// included).
pub const MAX_NAME: usize = 255;

/// What one UDP message may carry without EDNS (RFC 1035 §4.2.1); a longer
/// answer is truncated and the TC bit set.
pub const MAX_UDP_MESSAGE: usize = 512;

/// The longest message over TCP: its 2-byte length prefix says at most this.
pub const MAX_TCP_MESSAGE: usize = 65_535;

/// The class of every record here: IN, the Internet.
pub const CLASS_IN: u16 = 1;

// ------------------------------------------------------------------ names

/// A domain name: its labels, without the root's empty label. Labels are
/// bytes (DNS does not say they are text); comparison ignores ASCII case,
/// as DNS does.
#[derive(Debug, Clone, Default, Eq)]
pub struct Name {
    labels: Vec<Vec<u8>>,
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.labels.len() == other.labels.len()
            && self
                .labels
                .iter()
                .zip(&other.labels)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    }
}

impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for label in &self.labels {
            label.to_ascii_lowercase().hash(state);
        }
    }
}

/// Why a name cannot be a DNS name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// `a..b` or a leading dot: a label may not be empty.
    EmptyLabel,
    /// A label over [`MAX_LABEL`] bytes.
    LabelTooLong { len: usize },
    /// The whole name over [`MAX_NAME`] bytes on the wire.
    NameTooLong { len: usize },
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::EmptyLabel => f.write_str("a name has an empty label (two dots in a row?)"),
            NameError::LabelTooLong { len } => write!(
                f,
                "a label of {len} bytes: a label is at most {MAX_LABEL} bytes"
            ),
            NameError::NameTooLong { len } => write!(
                f,
                "a name of {len} bytes on the wire: a name is at most {MAX_NAME} bytes"
            ),
        }
    }
}

impl std::error::Error for NameError {}

impl Name {
    /// The root, `.`.
    pub fn root() -> Name {
        Name::default()
    }

    /// A name from its labels, checked.
    pub fn from_labels(labels: Vec<Vec<u8>>) -> Result<Name, NameError> {
        for label in &labels {
            if label.is_empty() {
                return Err(NameError::EmptyLabel);
            }
            if label.len() > MAX_LABEL {
                return Err(NameError::LabelTooLong { len: label.len() });
            }
        }
        let name = Name { labels };
        let len = name.wire_len();
        if len > MAX_NAME {
            return Err(NameError::NameTooLong { len });
        }
        Ok(name)
    }

    /// The labels, most specific first (`www`, `example`, `test`).
    pub fn labels(&self) -> &[Vec<u8>] {
        &self.labels
    }

    /// The bytes this name takes uncompressed: a length byte per label, the
    /// label, the final zero.
    pub fn wire_len(&self) -> usize {
        self.labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1
    }

    /// Whether this name is `other` or under it (`www.example.test` is
    /// under `example.test`; every name is under the root).
    pub fn is_under(&self, other: &Name) -> bool {
        self.labels.len() >= other.labels.len()
            && self.labels[self.labels.len() - other.labels.len()..]
                .iter()
                .zip(&other.labels)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    }

    /// The name one label up (`example.test` for `www.example.test`); the
    /// root's parent is `None`.
    pub fn parent(&self) -> Option<Name> {
        (!self.labels.is_empty()).then(|| Name {
            labels: self.labels[1..].to_vec(),
        })
    }

    /// The longest name both are under (`example.test` for
    /// `www.example.test` and `mail.example.test`).
    pub fn common_suffix(&self, other: &Name) -> Name {
        let common = self
            .labels
            .iter()
            .rev()
            .zip(other.labels.iter().rev())
            .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
            .count();
        Name {
            labels: self.labels[self.labels.len() - common..].to_vec(),
        }
    }
}

impl FromStr for Name {
    type Err = NameError;

    /// `www.example.test` or `www.example.test.` (the trailing dot is the
    /// root, which every name ends in); `.` is the root itself.
    fn from_str(text: &str) -> Result<Name, NameError> {
        let text = text.strip_suffix('.').unwrap_or(text);
        if text.is_empty() {
            return Ok(Name::root());
        }
        Name::from_labels(text.split('.').map(|l| l.as_bytes().to_vec()).collect())
    }
}

impl fmt::Display for Name {
    /// As dig writes it: labels joined by dots, a final dot for the root;
    /// a dot, a backslash or a byte that is not printable inside a label
    /// is escaped (`\.`, `\\`, `\DDD`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.labels.is_empty() {
            return f.write_str(".");
        }
        for label in &self.labels {
            for &b in label {
                match b {
                    b'.' | b'\\' => write!(f, "\\{}", b as char)?,
                    0x21..=0x7e => f.write_char(b as char)?,
                    _ => write!(f, "\\{b:03}")?,
                }
            }
            f.write_char('.')?;
        }
        Ok(())
    }
}

// --------------------------------------------------------- types and codes

/// A record type (the TYPE and QTYPE fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordType(pub u16);

impl RecordType {
    pub const A: RecordType = RecordType(1);
    pub const NS: RecordType = RecordType(2);
    pub const CNAME: RecordType = RecordType(5);
    pub const SOA: RecordType = RecordType(6);
    pub const MX: RecordType = RecordType(15);
    pub const TXT: RecordType = RecordType(16);
    pub const AAAA: RecordType = RecordType(28);
    pub const OPT: RecordType = RecordType(41);

    const NAMES: [(RecordType, &'static str); 8] = [
        (RecordType::A, "A"),
        (RecordType::NS, "NS"),
        (RecordType::CNAME, "CNAME"),
        (RecordType::SOA, "SOA"),
        (RecordType::MX, "MX"),
        (RecordType::TXT, "TXT"),
        (RecordType::AAAA, "AAAA"),
        (RecordType::OPT, "OPT"),
    ];
}

impl fmt::Display for RecordType {
    /// `A`, `AAAA`, ...; a type without a name here as `TYPE65` (RFC 3597).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match RecordType::NAMES.iter().find(|(t, _)| t == self) {
            Some((_, name)) => f.write_str(name),
            None => write!(f, "TYPE{}", self.0),
        }
    }
}

impl FromStr for RecordType {
    type Err = String;

    fn from_str(text: &str) -> Result<RecordType, String> {
        let upper = text.to_ascii_uppercase();
        if let Some((t, _)) = RecordType::NAMES.iter().find(|(_, n)| *n == upper) {
            return Ok(*t);
        }
        upper
            .strip_prefix("TYPE")
            .and_then(|n| n.parse().ok())
            .map(RecordType)
            .ok_or_else(|| format!("unknown record type '{text}'"))
    }
}

/// The response code, the header's last four bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rcode(pub u8);

impl Rcode {
    pub const NOERROR: Rcode = Rcode(0);
    /// The server could not parse the question.
    pub const FORMERR: Rcode = Rcode(1);
    pub const SERVFAIL: Rcode = Rcode(2);
    /// The name does not exist.
    pub const NXDOMAIN: Rcode = Rcode(3);
    pub const NOTIMP: Rcode = Rcode(4);
    /// The server will not answer (here: a name outside its zone).
    pub const REFUSED: Rcode = Rcode(5);
}

impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
        ];
        match names.get(usize::from(self.0)) {
            Some(name) => f.write_str(name),
            None => write!(f, "RCODE{}", self.0),
        }
    }
}

// ----------------------------------------------------------------- header

/// The 12-byte header, less the counts (they are the lengths of the
/// message's sections).
///
/// ```text
///   id (16 bits)
///   QR(1) OPCODE(4) AA(1) TC(1) RD(1) | RA(1) Z(3) RCODE(4)
///   QDCOUNT  ANCOUNT  NSCOUNT  ARCOUNT (16 bits each)
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Header {
    /// Chosen by the asker, copied into the answer: how a client matches
    /// an answer to its question.
    pub id: u16,
    /// QR: this is a response (1) or a query (0).
    pub response: bool,
    /// OPCODE: 0 is a standard query.
    pub opcode: u8,
    /// AA: the answer comes from a server authoritative for the name.
    pub authoritative: bool,
    /// TC: the message was cut to fit (UDP, 512 bytes); ask again over TCP.
    pub truncated: bool,
    /// RD: the asker wants the server to chase the name for it.
    pub recursion_desired: bool,
    /// RA: the server does that chase.
    pub recursion_available: bool,
    /// RCODE: NOERROR, NXDOMAIN, ...
    pub rcode: u8,
}

impl Header {
    /// The flags as the 16 bits after the id.
    pub fn flags(&self) -> u16 {
        u16::from(self.response) << 15
            | u16::from(self.opcode & 0x0f) << 11
            | u16::from(self.authoritative) << 10
            | u16::from(self.truncated) << 9
            | u16::from(self.recursion_desired) << 8
            | u16::from(self.recursion_available) << 7
            | u16::from(self.rcode & 0x0f)
    }

    /// The header from its id and 16 flag bits (the Z bits are ignored).
    pub fn from_flags(id: u16, flags: u16) -> Header {
        Header {
            id,
            response: flags & 0x8000 != 0,
            opcode: ((flags >> 11) & 0x0f) as u8,
            authoritative: flags & 0x0400 != 0,
            truncated: flags & 0x0200 != 0,
            recursion_desired: flags & 0x0100 != 0,
            recursion_available: flags & 0x0080 != 0,
            rcode: (flags & 0x000f) as u8,
        }
    }

    /// The response code.
    pub fn rcode(&self) -> Rcode {
        Rcode(self.rcode)
    }

    /// The flags that are set, as dig lists them: `qr aa rd`.
    pub fn flag_names(&self) -> String {
        let flags = [
            (self.response, "qr"),
            (self.authoritative, "aa"),
            (self.truncated, "tc"),
            (self.recursion_desired, "rd"),
            (self.recursion_available, "ra"),
        ];
        let set: Vec<&str> = flags.iter().filter(|f| f.0).map(|f| f.1).collect();
        set.join(" ")
    }
}

// ---------------------------------------------------- questions, records

/// What is asked: a name and a type (the class is always IN here, but is
/// kept as read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub name: Name,
    pub qtype: RecordType,
    pub class: u16,
}

impl Question {
    /// `name`, `qtype`, class IN.
    pub fn new(name: Name, qtype: RecordType) -> Question {
        Question {
            name,
            qtype,
            class: CLASS_IN,
        }
    }
}

/// A record's data, by type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RData {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Cname(Name),
    Ns(Name),
    Mx {
        preference: u16,
        exchange: Name,
    },
    /// One or more strings of at most 255 bytes each.
    Txt(Vec<Vec<u8>>),
    /// Any other type, its bytes as they came.
    Other {
        rtype: RecordType,
        data: Vec<u8>,
    },
}

impl RData {
    /// The type this data is.
    pub fn rtype(&self) -> RecordType {
        match self {
            RData::A(_) => RecordType::A,
            RData::Aaaa(_) => RecordType::AAAA,
            RData::Cname(_) => RecordType::CNAME,
            RData::Ns(_) => RecordType::NS,
            RData::Mx { .. } => RecordType::MX,
            RData::Txt(_) => RecordType::TXT,
            RData::Other { rtype, .. } => *rtype,
        }
    }
}

impl fmt::Display for RData {
    /// The value column of dig's answer section.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RData::A(addr) => write!(f, "{addr}"),
            RData::Aaaa(addr) => write!(f, "{addr}"),
            RData::Cname(name) | RData::Ns(name) => write!(f, "{name}"),
            RData::Mx {
                preference,
                exchange,
            } => write!(f, "{preference} {exchange}"),
            RData::Txt(strings) => {
                for (i, s) in strings.iter().enumerate() {
                    if i > 0 {
                        f.write_char(' ')?;
                    }
                    f.write_str(&quote_txt(s))?;
                }
                Ok(())
            }
            // RFC 3597's form for data of an unknown type.
            RData::Other { data, .. } => {
                write!(f, "\\# {}", data.len())?;
                if !data.is_empty() {
                    f.write_char(' ')?;
                    for b in data {
                        write!(f, "{b:02x}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// A TXT string as dig shows it: in double quotes, `"` and `\` escaped,
/// bytes that are not printable ASCII as `\DDD`.
pub fn quote_txt(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in s {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.push('"');
    out
}

/// A resource record: NAME TYPE CLASS TTL RDLENGTH RDATA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub name: Name,
    pub class: u16,
    /// How many seconds the answer may be cached.
    pub ttl: u32,
    pub data: RData,
}

impl Record {
    /// A record of class IN.
    pub fn new(name: Name, ttl: u32, data: RData) -> Record {
        Record {
            name,
            class: CLASS_IN,
            ttl,
            data,
        }
    }
}

impl fmt::Display for Record {
    /// One line of dig's answer section: `www.example.test. 300 IN A 192.0.2.10`,
    /// tab-separated.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = if self.class == CLASS_IN {
            "IN".to_string()
        } else {
            format!("CLASS{}", self.class)
        };
        write!(
            f,
            "{}\t{}\t{class}\t{}\t{}",
            self.name,
            self.ttl,
            self.data.rtype(),
            self.data
        )
    }
}

/// A whole message: header and the four sections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    pub header: Header,
    pub questions: Vec<Question>,
    pub answers: Vec<Record>,
    pub authorities: Vec<Record>,
    pub additionals: Vec<Record>,
}

impl Message {
    /// A standard query for `name`'s records of `qtype`, with id `id`,
    /// asking for recursion (RD), as dig and dnspython do by default.
    pub fn query(id: u16, name: Name, qtype: RecordType) -> Message {
        Message {
            header: Header {
                id,
                recursion_desired: true,
                ..Header::default()
            },
            questions: vec![Question::new(name, qtype)],
            ..Message::default()
        }
    }

    /// The start of an answer to `query`: same id, opcode, RD and
    /// question, QR set.
    pub fn response_to(query: &Message) -> Message {
        Message {
            header: Header {
                id: query.header.id,
                response: true,
                opcode: query.header.opcode,
                recursion_desired: query.header.recursion_desired,
                ..Header::default()
            },
            questions: query.questions.clone(),
            ..Message::default()
        }
    }

    /// This answer cut to what UDP may carry: TC set, every record
    /// dropped, the question kept (RFC 1035 §4.2.1; what BIND and dnsmasq
    /// do), so the asker knows to ask again over TCP.
    pub fn truncated(&self) -> Message {
        Message {
            header: Header {
                truncated: true,
                ..self.header
            },
            questions: self.questions.clone(),
            ..Message::default()
        }
    }
}

// ------------------------------------------------------------------ write

/// Why a message cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// More than 65,535 entries in one section.
    TooManyEntries { section: &'static str },
    /// A TXT string over 255 bytes (its length is one byte).
    TxtStringTooLong { len: usize },
    /// A record's data over 65,535 bytes.
    RDataTooLong { len: usize },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::TooManyEntries { section } => {
                write!(f, "more than 65535 entries in the {section} section")
            }
            BuildError::TxtStringTooLong { len } => write!(
                f,
                "a TXT string of {len} bytes: each string is at most 255 (split it)"
            ),
            BuildError::RDataTooLong { len } => {
                write!(f, "record data of {len} bytes: at most 65535")
            }
        }
    }
}

impl std::error::Error for BuildError {}

/// The bytes being written, and where each name written so far starts,
/// for compression.
struct Writer {
    out: Vec<u8>,
    /// Each suffix of each name written (lower-cased labels) → its offset.
    names: HashMap<Vec<Vec<u8>>, u16>,
}

impl Writer {
    fn u16(&mut self, n: u16) {
        self.out.extend_from_slice(&n.to_be_bytes());
    }

    /// A name, compressed: the longest suffix already in the message
    /// becomes a pointer (`c0 0c`), the labels before it are written out,
    /// and each suffix written here is remembered for later names.
    fn name(&mut self, name: &Name) {
        let labels: Vec<Vec<u8>> = name.labels.iter().map(|l| l.to_ascii_lowercase()).collect();
        for i in 0..labels.len() {
            let suffix = &labels[i..];
            if let Some(&offset) = self.names.get(suffix) {
                self.u16(0xc000 | offset);
                return;
            }
            // A pointer has 14 bits: names past 16 KiB cannot be pointed at.
            if let Ok(offset) = u16::try_from(self.out.len()) {
                if offset < 0x4000 {
                    self.names.insert(suffix.to_vec(), offset);
                }
            }
            let label = &name.labels[i];
            // At most 63: a Name is checked when it is made.
            self.out.push(label.len() as u8);
            self.out.extend_from_slice(label);
        }
        self.out.push(0);
    }

    fn record(&mut self, record: &Record) -> Result<(), BuildError> {
        self.name(&record.name);
        self.u16(record.data.rtype().0);
        self.u16(record.class);
        self.out.extend_from_slice(&record.ttl.to_be_bytes());
        let length_at = self.out.len();
        self.u16(0); // RDLENGTH, filled in below
        match &record.data {
            RData::A(addr) => self.out.extend_from_slice(&addr.octets()),
            RData::Aaaa(addr) => self.out.extend_from_slice(&addr.octets()),
            RData::Cname(name) | RData::Ns(name) => self.name(name),
            RData::Mx {
                preference,
                exchange,
            } => {
                self.u16(*preference);
                self.name(exchange);
            }
            RData::Txt(strings) => {
                for s in strings {
                    let len = u8::try_from(s.len())
                        .map_err(|_| BuildError::TxtStringTooLong { len: s.len() })?;
                    self.out.push(len);
                    self.out.extend_from_slice(s);
                }
            }
            RData::Other { data, .. } => self.out.extend_from_slice(data),
        }
        let len = self.out.len() - length_at - 2;
        let len16 = u16::try_from(len).map_err(|_| BuildError::RDataTooLong { len })?;
        self.out[length_at..length_at + 2].copy_from_slice(&len16.to_be_bytes());
        Ok(())
    }
}

fn count(n: usize, section: &'static str) -> Result<u16, BuildError> {
    u16::try_from(n).map_err(|_| BuildError::TooManyEntries { section })
}

impl Message {
    /// The message as bytes, names compressed.
    pub fn to_bytes(&self) -> Result<Vec<u8>, BuildError> {
        let mut w = Writer {
            out: Vec::with_capacity(MAX_UDP_MESSAGE),
            names: HashMap::new(),
        };
        w.u16(self.header.id);
        w.u16(self.header.flags());
        w.u16(count(self.questions.len(), "question")?);
        w.u16(count(self.answers.len(), "answer")?);
        w.u16(count(self.authorities.len(), "authority")?);
        w.u16(count(self.additionals.len(), "additional")?);
        for q in &self.questions {
            w.name(&q.name);
            w.u16(q.qtype.0);
            w.u16(q.class);
        }
        for record in self
            .answers
            .iter()
            .chain(&self.authorities)
            .chain(&self.additionals)
        {
            w.record(record)?;
        }
        Ok(w.out)
    }
}

// ------------------------------------------------------------------- read

/// What is wrong with a message, and at which byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The bytes end in the middle of something.
    Truncated { what: String, at: usize },
    /// A compression pointer to a byte past the end of the message.
    PointerPastEnd { at: usize, target: usize },
    /// A compression pointer to the labels it continues or later: a loop.
    PointerLoop { at: usize, target: usize },
    /// A length byte with the top bits 01 or 10 (reserved label types; a
    /// label of 64 bytes or more cannot be written).
    BadLabel { at: usize, byte: u8 },
    /// A name over 255 bytes once its pointers are followed.
    NameTooLong { at: usize },
    /// The record's data does not have the length its type needs.
    BadRData {
        rtype: RecordType,
        at: usize,
        why: String,
    },
    /// Bytes left over after every section the counts announce.
    TrailingBytes { at: usize, left: usize },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Truncated { what, at } => {
                write!(f, "the message ends at byte {at}, in the middle of {what}")
            }
            ParseError::PointerPastEnd { at, target } => write!(
                f,
                "the compression pointer at byte {at} points to byte {target}, past the end"
            ),
            ParseError::PointerLoop { at, target } => write!(
                f,
                "the compression pointer at byte {at} points to byte {target}, which is not \
                 before the name it continues (a pointer loop)"
            ),
            ParseError::BadLabel { at, byte } => write!(
                f,
                "the label length byte {byte:#04x} at byte {at} is not a length of 0-63 \
                 nor a pointer"
            ),
            ParseError::NameTooLong { at } => {
                write!(f, "the name at byte {at} is longer than {MAX_NAME} bytes")
            }
            ParseError::BadRData { rtype, at, why } => {
                write!(f, "the {rtype} record data at byte {at} {why}")
            }
            ParseError::TrailingBytes { at, left } => write!(
                f,
                "{left} bytes left over at byte {at}, after every record the header counts"
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// A cursor over the whole message (pointers point into all of it).
struct Reader<'a> {
    msg: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ParseError> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.msg.len());
        let Some(end) = end else {
            return Err(ParseError::Truncated {
                what: what.to_string(),
                at: self.msg.len(),
            });
        };
        let bytes = &self.msg[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn u16(&mut self, what: &str) -> Result<u16, ParseError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str) -> Result<u32, ParseError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A name at the cursor, pointers followed; the cursor ends after the
    /// name's bytes here (after the first pointer, if any).
    ///
    /// Each pointer must point before the start of the run of labels it
    /// ends: so every jump goes strictly backwards, and the walk ends.
    fn name(&mut self) -> Result<Name, ParseError> {
        let start = self.pos;
        let mut labels = Vec::new();
        let mut wire_len = 1; // the final zero
        let mut pos = self.pos;
        let mut run_start = pos; // where the labels being read began
        let mut resume = None; // where the cursor goes after the first pointer
        loop {
            let Some(&len) = self.msg.get(pos) else {
                return Err(ParseError::Truncated {
                    what: "a name".into(),
                    at: self.msg.len(),
                });
            };
            match len & 0xc0 {
                0x00 if len == 0 => {
                    self.pos = resume.unwrap_or(pos + 1);
                    return Ok(Name { labels });
                }
                0x00 => {
                    let len = usize::from(len);
                    wire_len += len + 1;
                    if wire_len > MAX_NAME {
                        return Err(ParseError::NameTooLong { at: start });
                    }
                    let Some(label) = self.msg.get(pos + 1..pos + 1 + len) else {
                        return Err(ParseError::Truncated {
                            what: "a label".into(),
                            at: self.msg.len(),
                        });
                    };
                    labels.push(label.to_vec());
                    pos += 1 + len;
                }
                0xc0 => {
                    let Some(&low) = self.msg.get(pos + 1) else {
                        return Err(ParseError::Truncated {
                            what: "a compression pointer".into(),
                            at: self.msg.len(),
                        });
                    };
                    let target = usize::from(u16::from_be_bytes([len & 0x3f, low]));
                    if target >= self.msg.len() {
                        return Err(ParseError::PointerPastEnd { at: pos, target });
                    }
                    if target >= run_start {
                        return Err(ParseError::PointerLoop { at: pos, target });
                    }
                    resume.get_or_insert(pos + 2);
                    pos = target;
                    run_start = target;
                }
                _ => return Err(ParseError::BadLabel { at: pos, byte: len }),
            }
        }
    }

    fn question(&mut self) -> Result<Question, ParseError> {
        let name = self.name()?;
        let qtype = RecordType(self.u16("a question's type")?);
        let class = self.u16("a question's class")?;
        Ok(Question { name, qtype, class })
    }

    fn record(&mut self, section: &str) -> Result<Record, ParseError> {
        let name = self.name()?;
        let what = format!("an {section} record");
        let rtype = RecordType(self.u16(&what)?);
        let class = self.u16(&what)?;
        let ttl = self.u32(&what)?;
        let len = usize::from(self.u16(&what)?);
        let at = self.pos;
        let rdata = self.take(len, &format!("the data of an {section} record"))?;
        let end = self.pos;
        let bad = |why: String| ParseError::BadRData { rtype, at, why };
        let data = match rtype {
            RecordType::A => RData::A(Ipv4Addr::from(
                <[u8; 4]>::try_from(rdata).map_err(|_| bad(format!("is {len} bytes, not 4")))?,
            )),
            RecordType::AAAA => RData::Aaaa(Ipv6Addr::from(
                <[u8; 16]>::try_from(rdata).map_err(|_| bad(format!("is {len} bytes, not 16")))?,
            )),
            RecordType::CNAME | RecordType::NS | RecordType::MX => {
                // Names in the data may point anywhere before them, so they
                // are read from the whole message, then must end with it.
                let mut inner = Reader {
                    msg: self.msg,
                    pos: at,
                };
                let preference = if rtype == RecordType::MX {
                    Some(inner.u16("an MX preference")?)
                } else {
                    None
                };
                let name = inner.name()?;
                if inner.pos != end {
                    return Err(bad(format!(
                        "is {len} bytes, but its name ends at byte {}",
                        inner.pos
                    )));
                }
                match (rtype, preference) {
                    (RecordType::CNAME, _) => RData::Cname(name),
                    (RecordType::NS, _) => RData::Ns(name),
                    (_, preference) => RData::Mx {
                        preference: preference.unwrap_or(0),
                        exchange: name,
                    },
                }
            }
            RecordType::TXT => RData::Txt(txt_strings(rdata).map_err(bad)?),
            _ => RData::Other {
                rtype,
                data: rdata.to_vec(),
            },
        };
        Ok(Record {
            name,
            class,
            ttl,
            data,
        })
    }
}

/// A TXT record's data: length-prefixed strings filling it exactly.
fn txt_strings(mut data: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if data.is_empty() {
        return Err("is empty: a TXT record holds at least one string".into());
    }
    let mut strings = Vec::new();
    while let Some((&len, rest)) = data.split_first() {
        let len = usize::from(len);
        if rest.len() < len {
            return Err(format!(
                "has a string of {len} bytes but only {} bytes left",
                rest.len()
            ));
        }
        strings.push(rest[..len].to_vec());
        data = &rest[len..];
    }
    Ok(strings)
}

impl Message {
    /// Only the header and the counts: enough to answer FORMERR to a
    /// message whose body cannot be parsed, with the asker's id.
    pub fn parse_header(bytes: &[u8]) -> Result<(Header, [u16; 4]), ParseError> {
        let mut r = Reader { msg: bytes, pos: 0 };
        let id = r.u16("the header")?;
        let flags = r.u16("the header")?;
        let mut counts = [0; 4];
        for c in &mut counts {
            *c = r.u16("the header")?;
        }
        Ok((Header::from_flags(id, flags), counts))
    }

    /// A whole message, checked. Counts that promise more than the bytes
    /// hold are an error (never an allocation of their size: each entry is
    /// read before it is stored).
    pub fn parse(bytes: &[u8]) -> Result<Message, ParseError> {
        let (header, [qd, an, ns, ar]) = Message::parse_header(bytes)?;
        let mut r = Reader {
            msg: bytes,
            pos: HEADER_LEN,
        };
        let mut msg = Message {
            header,
            ..Message::default()
        };
        for _ in 0..qd {
            msg.questions.push(r.question()?);
        }
        for _ in 0..an {
            msg.answers.push(r.record("answer")?);
        }
        for _ in 0..ns {
            msg.authorities.push(r.record("authority")?);
        }
        for _ in 0..ar {
            msg.additionals.push(r.record("additional")?);
        }
        if r.pos != bytes.len() {
            return Err(ParseError::TrailingBytes {
                at: r.pos,
                left: bytes.len() - r.pos,
            });
        }
        Ok(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Name {
        text.parse().expect("a valid name")
    }

    /// A query for `www.example.test A`, id 0x1234, RD set: the bytes dig
    /// sends without EDNS (`dig +noedns`).
    const QUERY: &[u8] = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\
        \x03www\x07example\x04test\x00\x00\x01\x00\x01";

    #[test]
    fn a_query_is_written_byte_for_byte() {
        let query = Message::query(0x1234, name("www.example.test"), RecordType::A);
        assert_eq!(query.to_bytes().expect("fits"), QUERY);
        assert_eq!(Message::parse(QUERY), Ok(query));
    }

    #[test]
    // Grouped as the fields are: QR, OPCODE, AA, TC, RD, RA, Z, RCODE.
    #[allow(clippy::unusual_byte_groupings)]
    fn flags_go_to_their_bits() {
        let header = Header {
            id: 7,
            response: true,
            opcode: 2,
            authoritative: true,
            truncated: true,
            recursion_desired: true,
            recursion_available: true,
            rcode: 3,
        };
        assert_eq!(header.flags(), 0b1_0010_1_1_1_1_000_0011);
        assert_eq!(Header::from_flags(7, header.flags()), header);
        assert_eq!(header.flag_names(), "qr aa tc rd ra");
        assert_eq!(header.rcode().to_string(), "NXDOMAIN");
        assert_eq!(Rcode(5).to_string(), "REFUSED");
        assert_eq!(Rcode(11).to_string(), "RCODE11");
    }

    #[test]
    fn names_parse_and_print_like_dig() {
        assert_eq!(name("www.Example.test.").to_string(), "www.Example.test.");
        assert_eq!(name("www.example.test"), name("WWW.EXAMPLE.TEST."));
        assert_eq!(name(".").to_string(), ".");
        assert_eq!(name("").labels().len(), 0);
        assert_eq!("a..b".parse::<Name>(), Err(NameError::EmptyLabel));
        let long = "x".repeat(64);
        assert_eq!(
            long.parse::<Name>(),
            Err(NameError::LabelTooLong { len: 64 })
        );
        // 4 labels of 63 bytes: 4 * 64 + 1 = 257 bytes on the wire.
        let huge = vec!["y".repeat(63); 4].join(".");
        assert_eq!(
            huge.parse::<Name>(),
            Err(NameError::NameTooLong { len: 257 })
        );
        let odd = Name::from_labels(vec![b"a.b\\c\x07".to_vec()]).expect("valid");
        assert_eq!(odd.to_string(), "a\\.b\\\\c\\007.");
    }

    #[test]
    fn is_under_and_common_suffix() {
        assert!(name("www.example.test").is_under(&name("EXAMPLE.test")));
        assert!(name("example.test").is_under(&name("example.test")));
        assert!(!name("example.test").is_under(&name("www.example.test")));
        assert!(!name("badexample.test").is_under(&name("example.test")));
        assert_eq!(
            name("www.example.test").common_suffix(&name("mail.example.test")),
            name("example.test")
        );
        assert_eq!(name("a.one").common_suffix(&name("b.two")), Name::root());
        assert_eq!(
            name("www.example.test").parent(),
            Some(name("example.test"))
        );
        assert_eq!(Name::root().parent(), None);
    }

    #[test]
    fn types_by_name_and_number() {
        assert_eq!("aaaa".parse(), Ok(RecordType::AAAA));
        assert_eq!("TYPE65".parse(), Ok(RecordType(65)));
        assert_eq!(RecordType(65).to_string(), "TYPE65");
        assert!("BOGUS".parse::<RecordType>().is_err());
    }

    fn answer() -> Message {
        let query = Message::query(1, name("www.example.test"), RecordType::A);
        let mut answer = Message::response_to(&query);
        answer.header.authoritative = true;
        let www = name("www.example.test");
        answer.answers = vec![
            Record::new(www.clone(), 300, RData::Cname(name("web.example.test"))),
            Record::new(
                name("web.example.test"),
                300,
                RData::A([192, 0, 2, 10].into()),
            ),
        ];
        answer.authorities = vec![Record::new(
            name("example.test"),
            300,
            RData::Ns(name("ns.example.test")),
        )];
        answer.additionals = vec![
            Record::new(
                name("ns.example.test"),
                300,
                RData::Aaaa("2001:db8::1".parse().expect("v6")),
            ),
            Record::new(
                name("example.test"),
                60,
                RData::Mx {
                    preference: 10,
                    exchange: name("mail.example.test"),
                },
            ),
            Record::new(
                name("example.test"),
                60,
                RData::Txt(vec![b"v=spf1 -all".to_vec(), b"say \"hi\"".to_vec()]),
            ),
            Record::new(
                name("example.test"),
                60,
                RData::Other {
                    rtype: RecordType(99),
                    data: vec![1, 2, 3],
                },
            ),
        ];
        answer
    }

    #[test]
    fn every_record_type_round_trips() {
        let answer = answer();
        let bytes = answer.to_bytes().expect("fits");
        assert_eq!(Message::parse(&bytes), Ok(answer));
    }

    #[test]
    fn names_are_compressed_on_write() {
        let bytes = answer().to_bytes().expect("fits");
        // The answer's owner name is the question's: a pointer to byte 12.
        let question_end = HEADER_LEN + name("www.example.test").wire_len() + 4;
        assert_eq!(&bytes[question_end..question_end + 2], b"\xc0\x0c");
        // "example.test" is written once, in the question.
        let count = bytes.windows(8).filter(|w| w == b"\x07example").count();
        assert_eq!(count, 1);
        // The CNAME's data is "web" and a pointer to example.test (byte 16).
        let cname = question_end + 2 + 10;
        assert_eq!(&bytes[cname..cname + 6], b"\x03web\xc0\x10");
    }

    #[test]
    fn records_print_like_digs_answer_section() {
        let lines: Vec<String> = answer()
            .answers
            .iter()
            .chain(&answer().additionals)
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "www.example.test.\t300\tIN\tCNAME\tweb.example.test.",
                "web.example.test.\t300\tIN\tA\t192.0.2.10",
                "ns.example.test.\t300\tIN\tAAAA\t2001:db8::1",
                "example.test.\t60\tIN\tMX\t10 mail.example.test.",
                "example.test.\t60\tIN\tTXT\t\"v=spf1 -all\" \"say \\\"hi\\\"\"",
                "example.test.\t60\tIN\tTYPE99\t\\# 3 010203",
            ]
        );
    }

    #[test]
    fn truncating_keeps_the_question_and_sets_tc() {
        let cut = answer().truncated();
        assert!(cut.header.truncated && cut.header.response);
        assert_eq!(cut.questions, answer().questions);
        assert!(cut.answers.is_empty() && cut.additionals.is_empty());
    }

    #[test]
    fn too_long_txt_strings_are_refused_on_write() {
        let mut msg = Message::default();
        msg.answers.push(Record::new(
            Name::root(),
            0,
            RData::Txt(vec![vec![b'a'; 256]]),
        ));
        assert_eq!(
            msg.to_bytes(),
            Err(BuildError::TxtStringTooLong { len: 256 })
        );
    }

    /// The header of a message with one question and `an` answers, then `body`.
    fn with_header(qd: u16, an: u16, body: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0, 1, 0x81, 0x80];
        for c in [qd, an, 0, 0] {
            bytes.extend_from_slice(&c.to_be_bytes());
        }
        bytes.extend_from_slice(body);
        bytes
    }

    #[test]
    fn a_pointer_loop_is_an_error() {
        // At byte 12: a pointer to itself.
        let to_itself = with_header(1, 0, b"\xc0\x0c\x00\x01\x00\x01");
        assert_eq!(
            Message::parse(&to_itself),
            Err(ParseError::PointerLoop { at: 12, target: 12 })
        );
        // At 12: label "a", then at 14 a pointer back to 12: backwards,
        // but into the name it continues, so it would loop for ever.
        let back_into_itself = with_header(1, 0, b"\x01a\xc0\x0c\x00\x01\x00\x01");
        assert_eq!(
            Message::parse(&back_into_itself),
            Err(ParseError::PointerLoop { at: 14, target: 12 })
        );
        // Two names pointing at each other.
        let mutual = with_header(2, 0, b"\xc0\x12\x00\x01\x00\x01\xc0\x0c\x00\x01\x00\x01");
        assert!(
            matches!(
                Message::parse(&mutual),
                Err(ParseError::PointerLoop { at: 12, .. })
            ),
            "{:?}",
            Message::parse(&mutual)
        );
    }

    #[test]
    fn a_pointer_past_the_end_is_an_error() {
        let past = with_header(1, 0, b"\xc0\xff\x00\x01\x00\x01");
        assert_eq!(
            Message::parse(&past),
            Err(ParseError::PointerPastEnd {
                at: 12,
                target: 255
            })
        );
        let half_pointer = with_header(1, 0, b"\xc0");
        assert!(matches!(
            Message::parse(&half_pointer),
            Err(ParseError::Truncated { .. })
        ));
    }

    #[test]
    fn a_label_over_63_is_an_error() {
        // 0x40 is 64 = 0b01_000000: the reserved "extended label" type.
        let mut body = vec![0x40];
        body.extend_from_slice(&[b'a'; 64]);
        body.extend_from_slice(b"\x00\x00\x01\x00\x01");
        assert_eq!(
            Message::parse(&with_header(1, 0, &body)),
            Err(ParseError::BadLabel { at: 12, byte: 0x40 })
        );
        assert_eq!(
            Message::parse(&with_header(1, 0, b"\x80")),
            Err(ParseError::BadLabel { at: 12, byte: 0x80 })
        );
    }

    #[test]
    fn a_name_over_255_is_an_error() {
        // Five labels of 63 bytes, written out.
        let mut body = Vec::new();
        for _ in 0..5 {
            body.push(63);
            body.extend_from_slice(&[b'x'; 63]);
        }
        body.extend_from_slice(b"\x00\x00\x01\x00\x01");
        assert_eq!(
            Message::parse(&with_header(1, 0, &body)),
            Err(ParseError::NameTooLong { at: 12 })
        );
        // Short names that point back at each other's labels, each adding
        // 63 bytes: the name only becomes too long through its pointers.
        let mut body = Vec::new();
        let mut previous: Option<u16> = None;
        for _ in 0..4 {
            let here = HEADER_LEN + body.len();
            body.push(63);
            body.extend_from_slice(&[b'y'; 63]);
            match previous {
                Some(at) => body.extend_from_slice(&(0xc000u16 | at).to_be_bytes()),
                None => body.push(0),
            }
            body.extend_from_slice(b"\x00\x01\x00\x01");
            previous = Some(u16::try_from(here).expect("small"));
        }
        assert_eq!(
            Message::parse(&with_header(4, 0, &body)),
            Err(ParseError::NameTooLong {
                at: HEADER_LEN + 69 + 70 + 70
            }),
            "the fourth name reaches 4 * 64 + 1 = 257 bytes"
        );
    }

    #[test]
    fn counts_that_lie_are_an_error() {
        let mut lying = QUERY.to_vec();
        lying[7] = 3; // ANCOUNT 3, no answers follow
        assert_eq!(
            Message::parse(&lying),
            Err(ParseError::Truncated {
                what: "a name".into(),
                at: QUERY.len()
            })
        );
        let mut many = QUERY.to_vec();
        many[4] = 0xff; // QDCOUNT 65281
        many[5] = 0x01;
        assert!(Message::parse(&many).is_err());
        let mut short = QUERY.to_vec();
        short[5] = 0; // QDCOUNT 0: the question's bytes are left over
        assert_eq!(
            Message::parse(&short),
            Err(ParseError::TrailingBytes { at: 12, left: 22 })
        );
        assert_eq!(
            Message::parse(&QUERY[..11]),
            Err(ParseError::Truncated {
                what: "the header".into(),
                at: 11
            })
        );
    }

    #[test]
    fn record_data_must_fit_its_type() {
        let mut bytes = answer().to_bytes().expect("fits");
        let question_end = HEADER_LEN + name("www.example.test").wire_len() + 4;
        // The CNAME's RDLENGTH, made 1 byte longer than its name.
        let rdlength = question_end + 2 + 8;
        bytes[rdlength + 1] += 1;
        assert!(matches!(
            Message::parse(&bytes),
            Err(ParseError::BadRData {
                rtype: RecordType::CNAME,
                ..
            })
        ));
        let a_of_5 = with_header(
            0,
            1,
            b"\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00\x05\x01\x02\x03\x04\x05",
        );
        assert_eq!(
            Message::parse(&a_of_5).map_err(|e| e.to_string()),
            Err("the A record data at byte 23 is 5 bytes, not 4".into())
        );
        let bad_txt = with_header(0, 1, b"\x00\x00\x10\x00\x01\x00\x00\x00\x00\x00\x02\x05a");
        assert_eq!(
            Message::parse(&bad_txt).map_err(|e| e.to_string()),
            Err(
                "the TXT record data at byte 23 has a string of 5 bytes but only 1 bytes left"
                    .into()
            )
        );
        let rdata_past_end = with_header(0, 1, b"\x00\x00\x01\x00\x01\x00\x00\x00\x00\xff\xff\x01");
        assert!(matches!(
            Message::parse(&rdata_past_end),
            Err(ParseError::Truncated { .. })
        ));
    }

    #[test]
    fn error_texts_say_where() {
        assert_eq!(
            ParseError::PointerLoop { at: 14, target: 12 }.to_string(),
            "the compression pointer at byte 14 points to byte 12, which is not before \
             the name it continues (a pointer loop)"
        );
        assert_eq!(
            ParseError::BadLabel { at: 12, byte: 0x40 }.to_string(),
            "the label length byte 0x40 at byte 12 is not a length of 0-63 nor a pointer"
        );
    }
}
