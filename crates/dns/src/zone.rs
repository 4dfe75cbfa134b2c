//! The zone of `dns server`: the records it is authoritative for, read
//! from a file of one record a line, and the answer it gives to a query.
//!
//! ```text
//! # NAME             TYPE   VALUE
//! www.example.test   A      192.0.2.10
//! www.example.test.  AAAA   2001:db8::10       # a trailing dot is allowed
//! web.example.test   CNAME  www.example.test
//! example.test       MX     10 mail.example.test
//! example.test       TXT    "v=spf1 -all" "a second string"
//! ```
//!
//! The zone's domain (its apex) is the longest name every record's name
//! ends in: `example.test` above. A name under it that the zone does not
//! hold is NXDOMAIN; a name outside it is REFUSED (this server is nobody's
//! resolver); a name the zone holds, asked for a type it has not, is
//! NOERROR with no answer.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::message::{Message, Name, ParseError, Question, RData, Rcode, Record, RecordType};

/// The TTL of every record served: how long a resolver may cache it.
pub const TTL: u32 = 300;

/// How many CNAMEs an answer follows within the zone.
const MAX_CNAME_CHAIN: usize = 8;

/// A line of the zone file that cannot be a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    /// 1-based; 0 for the file as a whole.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for ZoneError {}

/// The records of one domain.
#[derive(Debug, Clone)]
pub struct Zone {
    apex: Name,
    records: Vec<Record>,
}

/// A word of a zone line: bare, or a double-quoted string (escapes
/// `\"` and `\\` undone).
#[derive(Debug, PartialEq, Eq)]
struct Word {
    text: Vec<u8>,
    quoted: bool,
}

/// Splits a line into words; `#` outside quotes starts a comment.
fn words(line: &str) -> Result<Vec<Word>, String> {
    let mut words = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(_, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '#' {
            break;
        } else if c == '"' {
            chars.next();
            let mut text = String::new();
            loop {
                match chars.next() {
                    Some((_, '"')) => break,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, c)) => text.push(c),
                        None => return Err("a backslash ends the line".into()),
                    },
                    Some((_, c)) => text.push(c),
                    None => return Err("a quoted string has no closing \"".into()),
                }
            }
            words.push(Word {
                text: text.into_bytes(),
                quoted: true,
            });
        } else {
            let mut text = String::new();
            while let Some(&(_, c)) = chars.peek() {
                if c.is_whitespace() || c == '#' || c == '"' {
                    break;
                }
                text.push(c);
                chars.next();
            }
            words.push(Word {
                text: text.into_bytes(),
                quoted: false,
            });
        }
    }
    Ok(words)
}

fn bare(word: &Word, what: &str) -> Result<String, String> {
    if word.quoted {
        return Err(format!("{what} is not a quoted string"));
    }
    Ok(String::from_utf8_lossy(&word.text).into_owned())
}

fn parse_name(text: &str) -> Result<Name, String> {
    let name: Name = text.parse().map_err(|e| format!("'{text}': {e}"))?;
    if name.labels().is_empty() {
        return Err("the root '.' cannot have records here".into());
    }
    Ok(name)
}

/// One record from the words after NAME and TYPE.
fn record_data(rtype: &str, value: &[Word]) -> Result<RData, String> {
    let one = |what: &str| -> Result<String, String> {
        match value {
            [word] => bare(word, what),
            [] => Err(format!("{rtype} needs {what}")),
            _ => Err(format!("{rtype} takes one value, {what}")),
        }
    };
    match rtype.to_ascii_uppercase().as_str() {
        "A" => {
            let text = one("an IPv4 address")?;
            let addr: Ipv4Addr = text
                .parse()
                .map_err(|_| format!("'{text}' is not an IPv4 address"))?;
            Ok(RData::A(addr))
        }
        "AAAA" => {
            let text = one("an IPv6 address")?;
            let addr: Ipv6Addr = text
                .parse()
                .map_err(|_| format!("'{text}' is not an IPv6 address"))?;
            Ok(RData::Aaaa(addr))
        }
        "CNAME" => Ok(RData::Cname(parse_name(&one("a name")?)?)),
        "NS" => Ok(RData::Ns(parse_name(&one("a name")?)?)),
        "MX" => {
            let [pref, host] = value else {
                return Err("MX takes a preference and a host: MX 10 mail.example.test".into());
            };
            let pref = bare(pref, "the preference")?;
            let preference = pref
                .parse()
                .map_err(|_| format!("MX preference '{pref}' is not a number 0-65535"))?;
            let exchange = parse_name(&bare(host, "the host")?)?;
            Ok(RData::Mx {
                preference,
                exchange,
            })
        }
        "TXT" => {
            if value.is_empty() {
                return Err("TXT needs one or more double-quoted strings".into());
            }
            let mut strings = Vec::new();
            for word in value {
                if !word.quoted {
                    return Err(format!(
                        "TXT values are double-quoted strings: \"{}\"",
                        String::from_utf8_lossy(&word.text)
                    ));
                }
                if word.text.len() > 255 {
                    return Err(format!(
                        "a TXT string of {} bytes: each string is at most 255 bytes \
                         (write several strings)",
                        word.text.len()
                    ));
                }
                strings.push(word.text.clone());
            }
            Ok(RData::Txt(strings))
        }
        other => Err(format!(
            "unknown type '{other}' (this server knows A, AAAA, CNAME, MX, NS, TXT)"
        )),
    }
}

impl Zone {
    /// The zone in `text`, one record a line: `NAME TYPE VALUE`.
    pub fn parse(text: &str) -> Result<Zone, ZoneError> {
        let mut records: Vec<Record> = Vec::new();
        let mut lines_of: Vec<usize> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let at = |message: String| ZoneError {
                line: i + 1,
                message,
            };
            let words = words(line).map_err(at)?;
            let Some((name, rest)) = words.split_first() else {
                continue; // blank, or a comment
            };
            let Some((rtype, value)) = rest.split_first() else {
                return Err(at(
                    "a record is NAME TYPE VALUE, e.g. www.example.test A 192.0.2.10".into(),
                ));
            };
            let name = parse_name(&bare(name, "NAME").map_err(at)?).map_err(at)?;
            let rtype = bare(rtype, "TYPE").map_err(at)?;
            let data = record_data(&rtype, value).map_err(at)?;
            let clash = records.iter().zip(&lines_of).find(|(r, _)| {
                r.name == name
                    && (r.data.rtype() == RecordType::CNAME || data.rtype() == RecordType::CNAME)
            });
            if let Some((_, line)) = clash {
                return Err(at(format!(
                    "{name} already has a record on line {line}, and a name with a CNAME \
                     can have no other record (RFC 1034 §3.6.2)"
                )));
            }
            records.push(Record::new(name, TTL, data));
            lines_of.push(i + 1);
        }
        let Some(first) = records.first() else {
            return Err(ZoneError {
                line: 0,
                message: "the zone has no records".into(),
            });
        };
        let apex = records
            .iter()
            .fold(first.name.clone(), |apex, r| apex.common_suffix(&r.name));
        if apex.labels().is_empty() {
            let other = records
                .iter()
                .find(|r| r.name.common_suffix(&first.name).labels().is_empty())
                .map_or_else(String::new, |r| r.name.to_string());
            return Err(ZoneError {
                line: 0,
                message: format!(
                    "the names have no domain in common ({} and {other}): a zone is one domain",
                    first.name
                ),
            });
        }
        Ok(Zone { apex, records })
    }

    /// The domain every name of the zone ends in.
    pub fn apex(&self) -> &Name {
        &self.apex
    }

    /// Every record, in file order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Whether `name` exists in the zone: a name with records, or one with
    /// names under it (`example.test` when only `www.example.test` has
    /// records).
    fn exists(&self, name: &Name) -> bool {
        self.records.iter().any(|r| r.name.is_under(name))
    }

    /// The answer to one question: its response code and answer records
    /// (CNAMEs followed within the zone). Outside the zone: REFUSED.
    pub fn answer(&self, question: &Question) -> (Rcode, Vec<Record>) {
        if !question.name.is_under(&self.apex) {
            return (Rcode::REFUSED, Vec::new());
        }
        let mut answers = Vec::new();
        let mut name = question.name.clone();
        for _ in 0..MAX_CNAME_CHAIN {
            if !name.is_under(&self.apex) {
                return (Rcode::NOERROR, answers); // a CNAME out of the zone
            }
            if !self.exists(&name) {
                return (Rcode::NXDOMAIN, answers);
            }
            let here: Vec<&Record> = self.records.iter().filter(|r| r.name == name).collect();
            let wanted: Vec<Record> = here
                .iter()
                .filter(|r| r.data.rtype() == question.qtype)
                .map(|r| (*r).clone())
                .collect();
            if !wanted.is_empty() {
                answers.extend(wanted);
                return (Rcode::NOERROR, answers);
            }
            let cname = here.iter().find_map(|r| match &r.data {
                RData::Cname(target) => Some((r, target)),
                _ => None,
            });
            let Some((record, target)) = cname else {
                return (Rcode::NOERROR, answers); // the name, without that type
            };
            answers.push((*record).clone());
            name = target.clone();
        }
        (Rcode::SERVFAIL, answers) // a CNAME chain too long, or a loop
    }

    /// What the server sends back for one request, and a phrase for its
    /// log; `None` when nothing should be sent (too short to carry an id,
    /// or itself a response: answering those lets two servers bounce
    /// messages between them for ever).
    pub fn respond(&self, request: &[u8]) -> Option<(Message, String)> {
        let (header, _) = Message::parse_header(request).ok()?;
        if header.response {
            return None;
        }
        let mut reply = Message::response_to(&Message {
            header,
            ..Message::default()
        });
        let query = match Message::parse(request) {
            Ok(query) => query,
            Err(e) => return Some(refuse(reply, Rcode::FORMERR, e)),
        };
        reply.questions = query.questions.clone();
        if header.opcode != 0 {
            let why = format!("opcode {} is not a standard query", header.opcode);
            return Some(with_rcode(reply, Rcode::NOTIMP, why));
        }
        let [question] = query.questions.as_slice() else {
            let why = format!("{} questions, not one", query.questions.len());
            return Some(with_rcode(reply, Rcode::FORMERR, why));
        };
        let asked = format!("{} {}", question.name, question.qtype);
        if question.class != crate::message::CLASS_IN {
            let why = format!("{asked} in class {}, not IN", question.class);
            return Some(with_rcode(reply, Rcode::REFUSED, why));
        }
        let (rcode, answers) = self.answer(question);
        reply.header.rcode = rcode.0;
        reply.header.authoritative = rcode != Rcode::REFUSED;
        let shown = common::show::count(answers.len() as u64, "answer", "answers");
        let note = format!("{asked}: {rcode}, {shown}");
        reply.answers = answers;
        Some((reply, note))
    }
}

fn refuse(reply: Message, rcode: Rcode, e: ParseError) -> (Message, String) {
    with_rcode(reply, rcode, format!("unreadable query: {e}"))
}

fn with_rcode(mut reply: Message, rcode: Rcode, why: String) -> (Message, String) {
    reply.header.rcode = rcode.0;
    (reply, format!("{rcode}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONE: &str = "\
# the lesson's zone
www.example.test    A      192.0.2.10
www.example.test.   AAAA   2001:db8::10   # trailing dot
web.example.test    CNAME  www.example.test
alias.example.test  CNAME  web.example.test
out.example.test    CNAME  www.elsewhere.test
example.test        MX     10 mail.example.test
example.test        TXT    \"v=spf1 -all\" \"say \\\"hi\\\"\"
mail.example.test   A      192.0.2.25
a.b.example.test    A      192.0.2.30
";

    fn zone() -> Zone {
        Zone::parse(ZONE).expect("a valid zone")
    }

    fn ask(name: &str, qtype: RecordType) -> (Rcode, Vec<String>) {
        let question = Question::new(name.parse().expect("a name"), qtype);
        let (rcode, answers) = zone().answer(&question);
        (rcode, answers.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn the_zone_file_is_read() {
        let zone = zone();
        assert_eq!(zone.apex().to_string(), "example.test.");
        assert_eq!(zone.records().len(), 9);
        assert_eq!(
            zone.records()[6].data,
            RData::Txt(vec![b"v=spf1 -all".to_vec(), b"say \"hi\"".to_vec()])
        );
    }

    #[test]
    fn a_name_and_type_in_the_zone_is_answered() {
        assert_eq!(
            ask("WWW.example.test", RecordType::A),
            (
                Rcode::NOERROR,
                vec!["www.example.test.\t300\tIN\tA\t192.0.2.10".into()]
            )
        );
        assert_eq!(
            ask("example.test", RecordType::MX).1,
            ["example.test.\t300\tIN\tMX\t10 mail.example.test."]
        );
    }

    #[test]
    fn cnames_are_followed_within_the_zone() {
        assert_eq!(
            ask("alias.example.test", RecordType::AAAA),
            (
                Rcode::NOERROR,
                vec![
                    "alias.example.test.\t300\tIN\tCNAME\tweb.example.test.".into(),
                    "web.example.test.\t300\tIN\tCNAME\twww.example.test.".into(),
                    "www.example.test.\t300\tIN\tAAAA\t2001:db8::10".into(),
                ]
            )
        );
        // Asked for the CNAME itself: just it.
        assert_eq!(ask("web.example.test", RecordType::CNAME).1.len(), 1);
        // Out of the zone: the CNAME, and the asker goes on from there.
        assert_eq!(
            ask("out.example.test", RecordType::A),
            (
                Rcode::NOERROR,
                vec!["out.example.test.\t300\tIN\tCNAME\twww.elsewhere.test.".into()]
            )
        );
    }

    #[test]
    fn nxdomain_nodata_and_refused() {
        assert_eq!(
            ask("nope.example.test", RecordType::A),
            (Rcode::NXDOMAIN, vec![])
        );
        assert_eq!(
            ask("www.example.test", RecordType::MX),
            (Rcode::NOERROR, vec![])
        );
        // b.example.test holds no record but has a name under it.
        assert_eq!(
            ask("b.example.test", RecordType::A),
            (Rcode::NOERROR, vec![])
        );
        assert_eq!(
            ask("www.example.com", RecordType::A),
            (Rcode::REFUSED, vec![])
        );
        assert_eq!(ask("test", RecordType::A), (Rcode::REFUSED, vec![]));
    }

    #[test]
    fn a_cname_loop_ends() {
        let zone = Zone::parse("a.loop.test CNAME b.loop.test\nb.loop.test CNAME a.loop.test\n")
            .expect("valid lines");
        let question = Question::new("a.loop.test".parse().expect("name"), RecordType::A);
        let (rcode, answers) = zone.answer(&question);
        assert_eq!((rcode, answers.len()), (Rcode::SERVFAIL, MAX_CNAME_CHAIN));
    }

    fn error(text: &str) -> String {
        Zone::parse(text).expect_err("a bad zone").to_string()
    }

    #[test]
    fn bad_lines_are_errors_with_their_number() {
        assert_eq!(
            error("www.x.test A 192.0.2.1\nwww.x.test A 300.1.1.1\n"),
            "line 2: '300.1.1.1' is not an IPv4 address"
        );
        assert_eq!(
            error("# header\n\nwww.x.test\n"),
            "line 3: a record is NAME TYPE VALUE, e.g. www.example.test A 192.0.2.10"
        );
        assert_eq!(
            error("x.test TXT hello"),
            "line 1: TXT values are double-quoted strings: \"hello\""
        );
        assert_eq!(
            error("x.test TXT \"open"),
            "line 1: a quoted string has no closing \""
        );
        assert_eq!(
            error("x.test MX mail.x.test"),
            "line 1: MX takes a preference and a host: MX 10 mail.example.test"
        );
        assert_eq!(
            error("x.test MX ten mail.x.test"),
            "line 1: MX preference 'ten' is not a number 0-65535"
        );
        assert_eq!(
            error("x.test SRV 1 2 3 x"),
            "line 1: unknown type 'SRV' (this server knows A, AAAA, CNAME, MX, NS, TXT)"
        );
        assert_eq!(
            error("x..test A 192.0.2.1"),
            "line 1: 'x..test': a name has an empty label (two dots in a row?)"
        );
        assert_eq!(
            error("x.test AAAA 192.0.2.1"),
            "line 1: '192.0.2.1' is not an IPv6 address"
        );
        assert_eq!(
            error("x.test A 192.0.2.1 192.0.2.2"),
            "line 1: A takes one value, an IPv4 address"
        );
        let long = format!("x.test TXT \"{}\"", "a".repeat(256));
        assert!(error(&long).contains("at most 255 bytes"));
        assert_eq!(
            error("w.x.test A 192.0.2.1\nw.x.test CNAME x.test\n"),
            "line 2: w.x.test. already has a record on line 1, and a name with a CNAME can \
             have no other record (RFC 1034 §3.6.2)"
        );
        assert_eq!(error("# nothing\n"), "the zone has no records");
        assert_eq!(
            error("a.one A 192.0.2.1\nb.two A 192.0.2.2\n"),
            "the names have no domain in common (a.one. and b.two.): a zone is one domain"
        );
    }

    #[test]
    fn a_hash_inside_quotes_is_text() {
        let zone = Zone::parse("x.test TXT \"a # b\" # comment").expect("valid");
        assert_eq!(zone.records()[0].data, RData::Txt(vec![b"a # b".to_vec()]));
    }

    fn respond(request: &Message) -> (Message, String) {
        zone()
            .respond(&request.to_bytes().expect("fits"))
            .expect("an answer")
    }

    #[test]
    fn respond_sets_aa_and_copies_id_and_question() {
        let query = Message::query(
            0xbeef,
            "www.example.test".parse().expect("name"),
            RecordType::A,
        );
        let (reply, note) = respond(&query);
        assert_eq!(reply.header.id, 0xbeef);
        assert!(reply.header.response && reply.header.authoritative);
        assert!(reply.header.recursion_desired && !reply.header.recursion_available);
        assert_eq!(reply.questions, query.questions);
        assert_eq!(reply.answers.len(), 1);
        assert_eq!(note, "www.example.test. A: NOERROR, 1 answer");
        let outside = Message::query(1, "example.com".parse().expect("name"), RecordType::A);
        let (reply, _) = respond(&outside);
        assert_eq!(reply.header.rcode(), Rcode::REFUSED);
        assert!(!reply.header.authoritative);
    }

    #[test]
    fn respond_to_bad_requests() {
        let zone = zone();
        assert!(zone.respond(b"short").is_none());
        let mut response = Message::query(1, Name::root(), RecordType::A);
        response.header.response = true;
        assert!(zone.respond(&response.to_bytes().expect("fits")).is_none());
        // A header, then garbage: FORMERR with the asker's id.
        let (reply, note) = zone
            .respond(b"\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\xff")
            .expect("an answer");
        assert_eq!(
            (reply.header.id, reply.header.rcode()),
            (0xabcd, Rcode::FORMERR)
        );
        assert!(
            note.starts_with("FORMERR: unreadable query: the compression pointer"),
            "{note}"
        );
        let mut two = Message::query(2, "www.example.test".parse().expect("name"), RecordType::A);
        two.questions.push(two.questions[0].clone());
        assert_eq!(respond(&two).0.header.rcode(), Rcode::FORMERR);
        let mut notify = Message::query(3, "example.test".parse().expect("name"), RecordType::A);
        notify.header.opcode = 4;
        assert_eq!(respond(&notify).0.header.rcode(), Rcode::NOTIMP);
        let mut chaos = Message::query(4, "example.test".parse().expect("name"), RecordType::TXT);
        chaos.questions[0].class = 3;
        assert_eq!(respond(&chaos).0.header.rcode(), Rcode::REFUSED);
    }
}
