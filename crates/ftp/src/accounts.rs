//! Accounts: the `--users` file and its password hashes.
//!
//! One line per user, `NAME:HASH`, where HASH is an Argon2id hash in the
//! PHC string format (`$argon2id$v=19$m=7168,t=5,p=1$SALT$HASH`): salted
//! with 16 random bytes, and slow on purpose, so a stolen file does not
//! give the passwords away and each guess costs real work. Lines starting
//! with `#` and blank lines are skipped. `ftp server add-user NAME` writes
//! the file; it never holds a password in plain text, nor a bare md5 of one.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

/// Argon2id with 7 MiB of memory and 5 passes: one of OWASP's recommended
/// settings, chosen over the 19 MiB one so that a login does not lift the
/// server's memory much.
const MEMORY_KIB: u32 = 7 * 1024;
const PASSES: u32 = 5;

/// The longest user name (it is also a directory name).
pub const MAX_USER: usize = 32;

/// The accounts a server knows.
#[derive(Clone)]
pub struct Users {
    entries: Vec<(String, String)>,
    /// Checked against when the name is unknown, so an unknown name takes
    /// as long to refuse as a wrong password.
    decoy: String,
}

impl fmt::Debug for Users {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.entries.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Users").field("names", &names).finish()
    }
}

impl Users {
    /// Reads a users file; every line must be `NAME:HASH`.
    pub fn load(path: &Path) -> Result<Users, String> {
        let text = fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read {}: {}",
                path.display(),
                harness::cli::describe(&e)
            )
        })?;
        let entries = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if entries.is_empty() {
            return Err(format!(
                "{} has no users; add one with `ftp server add-user NAME --users {}`",
                path.display(),
                path.display()
            ));
        }
        Ok(Users {
            entries,
            decoy: hash_password(&random_password()),
        })
    }

    /// The user names, in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(name, _)| name.as_str())
    }

    /// Is `password` right for `user`? Takes the same work whether or not
    /// the user exists.
    pub fn check(&self, user: &str, password: &str) -> bool {
        match self.entries.iter().find(|(name, _)| name == user) {
            Some((_, hash)) => verify_password(hash, password),
            None => {
                let _ = verify_password(&self.decoy, password);
                false
            }
        }
    }
}

fn parse(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut entries: Vec<(String, String)> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, hash) = line
            .split_once(':')
            .ok_or_else(|| format!("line {}: expected NAME:HASH", number + 1))?;
        validate_user(name).map_err(|e| format!("line {}: {e}", number + 1))?;
        PasswordHash::new(hash)
            .map_err(|e| format!("line {}: not a password hash ({e})", number + 1))?;
        if entries.iter().any(|(known, _)| known == name) {
            return Err(format!("line {}: user {name} appears twice", number + 1));
        }
        entries.push((name.to_string(), hash.to_string()));
    }
    Ok(entries)
}

/// A user name is also the name of the user's home directory: 1 to 32
/// letters, digits, `_`, `-` or `.`, not starting with `.` or `-`.
pub fn validate_user(name: &str) -> Result<(), String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if name.is_empty()
        || name.len() > MAX_USER
        || !ok_chars
        || name.starts_with(['.', '-'])
        || name.contains("..")
    {
        return Err(format!(
            "`{}` is not a user name: use 1 to {MAX_USER} letters, digits, _, - or ., \
             not starting with . or -",
            common::show::printable_text(name.as_bytes())
        ));
    }
    Ok(())
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, 1, None)
        .expect("7 MiB, 5 passes, 1 lane are valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A new salted hash of `password`, as a PHC string.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing with valid parameters and salt cannot fail")
        .to_string()
}

/// Checks `password` against a PHC hash string (its own parameters and
/// salt are used).
pub fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

fn random_password() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Adds `name` to the users file at `path` (creating it), or replaces the
/// password of an existing user. The file is rewritten whole under a
/// temporary name and renamed, readable by its owner only. Returns whether
/// the user was new.
pub fn add_user(path: &Path, name: &str, password: &str) -> Result<bool, String> {
    validate_user(name)?;
    if password.is_empty() {
        return Err("the password is empty".into());
    }
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(format!(
                "cannot read {}: {}",
                path.display(),
                harness::cli::describe(&e)
            ))
        }
    };
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let line = format!("{name}:{}", hash_password(password));
    let mut new = true;
    let mut lines: Vec<String> = text
        .lines()
        .map(|existing| match existing.trim().split_once(':') {
            Some((user, _)) if user == name && !existing.trim().starts_with('#') => {
                new = false;
                line.clone()
            }
            _ => existing.to_string(),
        })
        .collect();
    if new {
        lines.push(line);
    }
    write_private(path, &(lines.join("\n") + "\n")).map_err(|e| {
        format!(
            "cannot write {}: {}",
            path.display(),
            harness::cli::describe(&e)
        )
    })?;
    Ok(new)
}

/// Writes `text` to `path` through a temporary file in the same directory
/// (mode 0600) and a rename, so a reader never sees half a file.
fn write_private(path: &Path, text: &str) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let temp = path.with_file_name(format!(".{}.tmp", name.to_string_lossy()));
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&temp)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    fs::rename(&temp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_salted_slow_and_checks_only_its_password() {
        let first = hash_password("secret");
        let second = hash_password("secret");
        assert!(
            first.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"),
            "{first}"
        );
        assert_ne!(first, second, "a fresh salt each time");
        assert!(!first.contains("secret"));
        assert!(verify_password(&first, "secret"));
        assert!(verify_password(&second, "secret"));
        assert!(!verify_password(&first, "Secret"));
        assert!(!verify_password("not a hash", "secret"));
    }

    #[test]
    fn add_user_writes_a_private_file_and_replaces_a_password() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("users");
        assert_eq!(add_user(&path, "alice", "pw-1"), Ok(true));
        assert_eq!(add_user(&path, "bob", "pw-2"), Ok(true));
        assert_eq!(add_user(&path, "alice", "pw-3"), Ok(false));
        let text = fs::read_to_string(&path).expect("written");
        assert_eq!(text.lines().count(), 2);
        // '-' is outside the hash's base64 alphabet, so a random salt or
        // digest can never spell "pw-" by chance (a bare "pw" did, once).
        assert!(!text.contains("pw-"), "no plain text password:\n{text}");
        let mode = fs::metadata(&path).expect("exists").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        let users = Users::load(&path).expect("a valid file");
        assert_eq!(users.names().collect::<Vec<_>>(), ["alice", "bob"]);
        assert!(users.check("alice", "pw-3"));
        assert!(!users.check("alice", "pw-1"), "the old password is gone");
        assert!(users.check("bob", "pw-2"));
        assert!(!users.check("carol", "pw-2"), "unknown users never pass");
    }

    #[test]
    fn user_names_are_safe_directory_names() {
        for good in ["alice", "bob_2", "a.b", "x-y", "A"] {
            assert_eq!(validate_user(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            ".hidden",
            "-x",
            "a/b",
            "..",
            "a..b",
            "名字",
            "a b",
            &"n".repeat(33),
        ] {
            assert!(validate_user(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_broken_users_file_is_reported_with_its_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("users");
        fs::write(&path, "# comment\n\nalice\n").expect("write");
        let err = Users::load(&path).expect_err("no colon");
        assert!(err.ends_with("line 3: expected NAME:HASH"), "{err}");
        fs::write(&path, "alice:5f4dcc3b5aa765d61d8327deb882cf99\n").expect("write");
        let err = Users::load(&path).expect_err("a bare md5 is not accepted");
        assert!(err.contains("line 1: not a password hash"), "{err}");
        fs::write(&path, "# nobody\n").expect("write");
        let err = Users::load(&path).expect_err("empty");
        assert!(err.contains("has no users"), "{err}");
    }
}
