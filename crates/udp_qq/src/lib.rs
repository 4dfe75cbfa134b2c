//! The QQ chat's pieces apart from the sockets: the contact table, and how a
//! message from the network is shown.
//!
//! The lesson's client keeps a dictionary `qq_name_dic` of names to
//! `(ip, port)`; here it is a [`Contacts`] table, the lesson's A, B, C, D by
//! default or a JSON file. Each message is shown as the lesson does,
//! `[ip:port] message` with the sender highlighted in colour (`\033[1;44m`),
//! but only where colour makes sense: on a terminal, unless `NO_COLOR` is
//! set.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, IsTerminal};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;

use common::show::printable_text;
use harness::cli::{self, Failure};
use harness::udp::prefer_ipv4;

/// The lesson's contact names, all at the server's address.
pub const LESSON_NAMES: [&str; 4] = ["A", "B", "C", "D"];

/// The word that leaves a conversation (and, at the contact prompt, the
/// program), so it cannot be a contact's name.
pub const QUIT: &str = "quit";

/// How a message is printed: the sender highlighted or plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    colour: bool,
}

impl Style {
    /// Colour when standard output is a terminal and `NO_COLOR` is not set.
    pub fn for_stdout() -> Self {
        Style {
            colour: wants_colour(io::stdout().is_terminal(), std::env::var_os("NO_COLOR")),
        }
    }

    pub fn plain() -> Self {
        Style { colour: false }
    }

    pub fn coloured() -> Self {
        Style { colour: true }
    }

    /// `[127.0.0.1:8081] message`: the lesson's line. The message is shown
    /// as text even when it is not UTF-8, with control characters escaped,
    /// so a peer cannot crash the program or take over the terminal.
    pub fn line(&self, from: SocketAddr, message: &[u8]) -> String {
        let text = if message.is_empty() {
            // Legal in UDP, and not a "close" as in TCP: one datagram of 0 bytes.
            "(an empty datagram)".to_string()
        } else {
            printable_text(message)
        };
        if self.colour {
            // \033[1;44m: bold on a blue background; \033[0m: back to normal.
            format!("\x1b[1;44m[{from}]\x1b[0m {text}")
        } else {
            format!("[{from}] {text}")
        }
    }
}

/// The colour rule of <https://no-color.org>: never when `NO_COLOR` is set to
/// anything but the empty string, and never into a file or a pipe.
pub fn wants_colour(stdout_is_terminal: bool, no_color: Option<OsString>) -> bool {
    stdout_is_terminal && no_color.map_or(true, |value| value.is_empty())
}

/// Who can be talked to: a name, and the address of that contact's server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contacts {
    table: BTreeMap<String, SocketAddr>,
}

impl Contacts {
    /// The lesson's table: A, B, C and D, all at `addr` (the server given by
    /// `--host`/`--port`, 127.0.0.1:8081 by default).
    pub fn lesson(addr: SocketAddr) -> Self {
        Contacts {
            table: LESSON_NAMES
                .iter()
                .map(|name| (name.to_string(), addr))
                .collect(),
        }
    }

    /// Reads a JSON object of names to `"host:port"` strings, such as
    /// `{"A": "127.0.0.1:8081", "B": "192.168.1.5:8081"}`. Every problem is
    /// a usage error that names the file.
    pub fn load(path: &Path) -> Result<Self, Failure> {
        let shown = path.display();
        let text = fs::read_to_string(path).map_err(|e| {
            Failure::usage(format!(
                "cannot read the contacts file {shown}: {}",
                cli::describe(&e)
            ))
        })?;
        Contacts::from_json(&text)
            .map_err(|problem| Failure::usage(format!("contacts file {shown}: {problem}")))
    }

    /// Parses the contacts file's text.
    pub fn from_json(text: &str) -> Result<Self, String> {
        const EXAMPLE: &str = r#"{"A": "127.0.0.1:8081", "B": "192.168.1.5:8081"}"#;
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        let serde_json::Value::Object(entries) = value else {
            return Err(format!(
                "expected a JSON object of names to addresses, such as {EXAMPLE}"
            ));
        };
        let mut table = BTreeMap::new();
        for (name, address) in entries {
            if name.is_empty() || name.trim() != name {
                return Err(format!(
                    "contact name {name:?} cannot be typed at the prompt \
                     (empty, or with spaces around it)"
                ));
            }
            if name == QUIT {
                return Err(format!(
                    "'{QUIT}' cannot be a contact name: it ends the conversation"
                ));
            }
            let serde_json::Value::String(address) = address else {
                return Err(format!(
                    "contact '{name}': the address must be a string such as \"127.0.0.1:8081\""
                ));
            };
            let addr = resolve(&address).map_err(|e| format!("contact '{name}': {e}"))?;
            table.insert(name, addr);
        }
        if table.is_empty() {
            return Err(format!("no contacts in it; write them as {EXAMPLE}"));
        }
        Ok(Contacts { table })
    }

    /// The address of the contact called `name`.
    pub fn get(&self, name: &str) -> Option<SocketAddr> {
        self.table.get(name).copied()
    }

    /// The first name, in name order: whom a one-shot `--message` goes to
    /// when `--to` does not say.
    pub fn first(&self) -> &str {
        self.table
            .keys()
            .next()
            .expect("a contact table is never empty")
    }

    /// The names, for a prompt or an error: `A, B, C, D`.
    pub fn names(&self) -> String {
        self.table
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `"host:port"` to one socket address: the first IPv4 one if the host has
/// any, as the lesson's AF_INET socket would use.
pub fn resolve(address: &str) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = address
        .to_socket_addrs()
        .map_err(|e| {
            format!(
                "'{address}' is not an address: {} (write HOST:PORT, e.g. 127.0.0.1:8081)",
                cli::describe(&e)
            )
        })?
        .collect();
    prefer_ipv4(&addrs).ok_or_else(|| format!("'{address}' has no address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().expect("a literal address")
    }

    #[test]
    fn a_message_line_is_the_lessons_with_colour_only_when_asked() {
        let from = addr("127.0.0.1:5555");
        assert_eq!(
            Style::plain().line(from, "你好".as_bytes()),
            "[127.0.0.1:5555] 你好"
        );
        assert_eq!(
            Style::coloured().line(from, b"hi"),
            "\x1b[1;44m[127.0.0.1:5555]\x1b[0m hi"
        );
        assert_eq!(
            Style::plain().line(from, b""),
            "[127.0.0.1:5555] (an empty datagram)"
        );
    }

    #[test]
    fn network_bytes_cannot_crash_or_drive_the_terminal() {
        let from = addr("127.0.0.1:5555");
        assert_eq!(
            Style::coloured().line(from, b"\xff\x1b[2Jx\n"),
            "\x1b[1;44m[127.0.0.1:5555]\x1b[0m \u{fffd}\\u{1b}[2Jx\\n"
        );
    }

    #[test]
    fn colour_follows_the_terminal_and_no_color() {
        assert!(wants_colour(true, None));
        assert!(!wants_colour(false, None));
        assert!(!wants_colour(true, Some("1".into())));
        assert!(
            wants_colour(true, Some("".into())),
            "an empty NO_COLOR does not count"
        );
    }

    #[test]
    fn the_lesson_table_is_a_to_d_at_the_server() {
        let contacts = Contacts::lesson(addr("127.0.0.1:8081"));
        assert_eq!(contacts.names(), "A, B, C, D");
        assert_eq!(contacts.first(), "A");
        assert_eq!(contacts.get("C"), Some(addr("127.0.0.1:8081")));
        assert_eq!(contacts.get("E"), None);
        assert_eq!(contacts.get("a"), None, "names are case-sensitive");
    }

    #[test]
    fn a_contacts_file_is_an_object_of_names_to_addresses() {
        let contacts = Contacts::from_json(
            r#"{"小明": "127.0.0.1:9000", "B": "192.168.1.5:8081", "C": "[::1]:8081"}"#,
        )
        .expect("a good table");
        assert_eq!(contacts.names(), "B, C, 小明");
        assert_eq!(contacts.get("小明"), Some(addr("127.0.0.1:9000")));
        assert_eq!(contacts.get("C"), Some(addr("[::1]:8081")));
        let localhost = Contacts::from_json(r#"{"L": "localhost:8081"}"#).expect("resolves");
        assert_eq!(
            localhost.get("L"),
            Some(addr("127.0.0.1:8081")),
            "IPv4 first"
        );
    }

    #[test]
    fn a_bad_contacts_file_says_what_is_wrong() {
        let problem = |json: &str| Contacts::from_json(json).expect_err("a bad table");
        assert!(problem("{").starts_with("not valid JSON: EOF while parsing"));
        assert!(problem(r#"["127.0.0.1:8081"]"#).starts_with("expected a JSON object"));
        assert!(problem("{}").starts_with("no contacts in it"));
        assert_eq!(
            problem(r#"{"A": 8081}"#),
            "contact 'A': the address must be a string such as \"127.0.0.1:8081\""
        );
        assert!(
            problem(r#"{"A": "127.0.0.1"}"#)
                .starts_with("contact 'A': '127.0.0.1' is not an address: invalid socket address"),
            "{}",
            problem(r#"{"A": "127.0.0.1"}"#)
        );
        assert!(
            problem(r#"{"A": "127.0.0.1:99999"}"#).starts_with("contact 'A': '127.0.0.1:99999'")
        );
        assert!(problem(r#"{"quit": "127.0.0.1:1"}"#).starts_with("'quit' cannot be"));
        assert!(problem(r#"{" A": "127.0.0.1:1"}"#).starts_with("contact name \" A\""));
    }
}
