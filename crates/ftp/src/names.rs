//! Names and paths from the network, checked before they touch the disk.
//!
//! The lesson's server does `os.path.normpath(os.path.join(server_dir,
//! file_name))` with whatever name the client sent, so `../../etc/passwd`,
//! `/etc/passwd` or `C:\Windows\x` write wherever they point. Here:
//!
//! * a **file name** (`put`, `get`) is one name, checked by
//!   [`validate_name`]: no separators, no `..`, no control characters;
//! * a **path** (`cd`, `ls`, `mkdir`) is resolved one component at a time
//!   inside the user's home ([`resolve`]), each component a valid name; `/`
//!   is the top of the home, and `..` never climbs above it;
//! * on disk, [`confine`] refuses a symbolic link anywhere on the way and
//!   checks the canonical result still lies inside the home.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The longest name most file systems accept (`NAME_MAX`), in bytes.
pub const MAX_NAME: usize = 255;

/// Why a name is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    Empty,
    Dot,
    DotDot,
    ContainsDotDot,
    Absolute,
    DriveLetter,
    Slash,
    Backslash,
    Nul,
    Control(char),
    Hidden,
    TooLong(usize),
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => write!(f, "the name is empty"),
            NameError::Dot => write!(f, "`.` is the current directory, not a file name"),
            NameError::DotDot => write!(f, "`..` would leave the directory"),
            NameError::ContainsDotDot => write!(f, "a name may not contain `..`"),
            NameError::Absolute => write!(f, "an absolute path is not a file name"),
            NameError::DriveLetter => write!(f, "a drive letter (`C:`) is not a file name"),
            NameError::Slash => write!(f, "a file name may not contain `/`"),
            NameError::Backslash => write!(f, "a file name may not contain `\\`"),
            NameError::Nul => write!(f, "a file name may not contain a NUL byte"),
            NameError::Control(c) => write!(
                f,
                "a file name may not contain control characters (found {})",
                c.escape_default()
            ),
            NameError::Hidden => write!(
                f,
                "names starting with `.` are reserved for partial uploads (.NAME.part)"
            ),
            NameError::TooLong(n) => {
                write!(f, "the name is {n} bytes long, more than {MAX_NAME}")
            }
        }
    }
}

impl std::error::Error for NameError {}

/// Checks one file name from the network: a single, visible, printable
/// name that cannot point anywhere but the directory it is used in.
pub fn validate_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.starts_with('/') {
        return Err(NameError::Absolute);
    }
    let mut chars = name.chars();
    if let (Some(letter), Some(':')) = (chars.next(), chars.next()) {
        if letter.is_ascii_alphabetic() {
            return Err(NameError::DriveLetter);
        }
    }
    if name.contains('\0') {
        return Err(NameError::Nul);
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(NameError::Control(c));
    }
    if name.contains('/') {
        return Err(NameError::Slash);
    }
    if name.contains('\\') {
        return Err(NameError::Backslash);
    }
    match name {
        "." => return Err(NameError::Dot),
        ".." => return Err(NameError::DotDot),
        _ => {}
    }
    if name.contains("..") {
        return Err(NameError::ContainsDotDot);
    }
    if name.starts_with('.') {
        return Err(NameError::Hidden);
    }
    if name.len() > MAX_NAME {
        return Err(NameError::TooLong(name.len()));
    }
    Ok(())
}

/// The hidden name a file is received under until it is complete and
/// verified: `.NAME.part`, in the same directory (so the final rename never
/// crosses file systems). [`validate_name`] refuses every name that starts
/// with `.`, so no client can name a partial file directly.
pub fn partial_name(name: &str) -> String {
    format!(".{name}.part")
}

/// A user's position inside their home: the components below it. The
/// home itself is `[]`, shown as `/`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VirtualPath(Vec<String>);

impl VirtualPath {
    /// The top of the home.
    pub fn root() -> Self {
        VirtualPath::default()
    }

    /// The components, top first.
    pub fn components(&self) -> &[String] {
        &self.0
    }

    /// This path with one more name below it.
    pub fn join(&self, name: &str) -> VirtualPath {
        let mut components = self.0.clone();
        components.push(name.to_string());
        VirtualPath(components)
    }

    /// The directory on disk under `home`.
    pub fn on_disk(&self, home: &Path) -> PathBuf {
        let mut path = home.to_path_buf();
        path.extend(&self.0);
        path
    }
}

impl fmt::Display for VirtualPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("/");
        }
        for component in &self.0 {
            write!(f, "/{component}")?;
        }
        Ok(())
    }
}

/// Why a path is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// A component is not a valid name.
    BadComponent(String, NameError),
    /// `..` at the top of the home.
    AboveHome,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::BadComponent(component, why) => {
                let shown = common::show::printable_text(component.as_bytes());
                write!(f, "`{shown}`: {why}")
            }
            PathError::AboveHome => write!(f, "`..` would leave your home directory"),
        }
    }
}

impl std::error::Error for PathError {}

/// Resolves `path` (from `cd`, `ls`, `mkdir`) against `cwd`, one component
/// at a time, without touching the disk: `/` starts at the top of the home,
/// `.` and empty components are skipped, `..` goes up but never above the
/// home, and every other component must pass [`validate_name`].
pub fn resolve(cwd: &VirtualPath, path: &str) -> Result<VirtualPath, PathError> {
    let mut components = if path.starts_with('/') {
        Vec::new()
    } else {
        cwd.0.clone()
    };
    for component in path.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                if components.pop().is_none() {
                    return Err(PathError::AboveHome);
                }
            }
            name => {
                validate_name(name)
                    .map_err(|why| PathError::BadComponent(name.to_string(), why))?;
                components.push(name.to_string());
            }
        }
    }
    Ok(VirtualPath(components))
}

/// Checks that `path`, a directory or file below `home` (both as this
/// server built them), really is inside `home` on disk: no component below
/// the home may be a symbolic link, and the canonical path must start with
/// the canonical home. Returns the canonical path. `home` is canonical.
///
/// A missing component is an `io::ErrorKind::NotFound` error.
pub fn confine(home: &Path, path: &Path) -> io::Result<PathBuf> {
    let relative = path
        .strip_prefix(home)
        .map_err(|_| outside(path))?
        .to_path_buf();
    let mut walked = home.to_path_buf();
    for component in relative.components() {
        walked.push(component);
        let meta = fs::symlink_metadata(&walked)?;
        if meta.file_type().is_symlink() {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "{} is a symbolic link; links are never followed",
                    walked.strip_prefix(home).unwrap_or(&walked).display()
                ),
            ));
        }
    }
    let canonical = walked.canonicalize()?;
    if !canonical.starts_with(home) {
        return Err(outside(path));
    }
    Ok(canonical)
}

fn outside(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("{} is outside the home directory", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_pass() {
        for name in [
            "a.txt",
            "report 2024.pdf",
            "数据.csv",
            "x",
            "a.b.c",
            "-dash",
            "ab:c",
        ] {
            assert_eq!(validate_name(name), Ok(()), "{name}");
        }
        assert_eq!(validate_name(&"n".repeat(MAX_NAME)), Ok(()));
    }

    #[test]
    fn empty_dot_and_dotdot_are_refused() {
        assert_eq!(validate_name(""), Err(NameError::Empty));
        assert_eq!(validate_name("."), Err(NameError::Dot));
        assert_eq!(validate_name(".."), Err(NameError::DotDot));
    }

    #[test]
    fn names_containing_dotdot_are_refused() {
        assert_eq!(validate_name("a..b"), Err(NameError::ContainsDotDot));
        assert_eq!(validate_name("x.."), Err(NameError::ContainsDotDot));
        assert_eq!(validate_name("../etc"), Err(NameError::Slash));
        assert_eq!(validate_name("..\\x"), Err(NameError::Backslash));
    }

    #[test]
    fn separators_are_refused() {
        assert_eq!(validate_name("a/b"), Err(NameError::Slash));
        assert_eq!(validate_name("dir/"), Err(NameError::Slash));
        assert_eq!(validate_name("a\\b"), Err(NameError::Backslash));
    }

    #[test]
    fn absolute_paths_are_refused() {
        assert_eq!(validate_name("/etc/passwd"), Err(NameError::Absolute));
        assert_eq!(validate_name("/"), Err(NameError::Absolute));
        assert_eq!(
            validate_name("\\\\server\\share"),
            Err(NameError::Backslash)
        );
    }

    #[test]
    fn drive_letters_are_refused() {
        assert_eq!(validate_name("C:"), Err(NameError::DriveLetter));
        assert_eq!(validate_name("c:evil.txt"), Err(NameError::DriveLetter));
        assert_eq!(validate_name("D:\\x"), Err(NameError::DriveLetter));
        assert_eq!(validate_name("1:x"), Ok(()), "not a letter");
    }

    #[test]
    fn nul_and_control_characters_are_refused() {
        assert_eq!(validate_name("a\0b"), Err(NameError::Nul));
        assert_eq!(validate_name("a\nb"), Err(NameError::Control('\n')));
        assert_eq!(validate_name("a\rb"), Err(NameError::Control('\r')));
        assert_eq!(validate_name("\x1b[2J"), Err(NameError::Control('\x1b')));
        assert_eq!(validate_name("tab\there"), Err(NameError::Control('\t')));
        assert_eq!(validate_name("del\x7f"), Err(NameError::Control('\x7f')));
        assert_eq!(validate_name("c1\u{85}"), Err(NameError::Control('\u{85}')));
    }

    #[test]
    fn hidden_names_are_reserved() {
        assert_eq!(validate_name(".bashrc"), Err(NameError::Hidden));
        assert_eq!(validate_name(".a.txt.part"), Err(NameError::Hidden));
    }

    #[test]
    fn overlong_names_are_refused() {
        let long = "n".repeat(MAX_NAME + 1);
        assert_eq!(validate_name(&long), Err(NameError::TooLong(256)));
    }

    #[test]
    fn every_refusal_explains_itself() {
        let text = validate_name("a/b").expect_err("slash").to_string();
        assert_eq!(text, "a file name may not contain `/`");
        let text = validate_name("\x1b").expect_err("escape").to_string();
        assert_eq!(
            text,
            "a file name may not contain control characters (found \\u{1b})"
        );
    }

    fn path(components: &[&str]) -> VirtualPath {
        VirtualPath(components.iter().map(|c| c.to_string()).collect())
    }

    #[test]
    fn paths_resolve_component_by_component() {
        let cwd = path(&["docs"]);
        assert_eq!(resolve(&cwd, "a/b"), Ok(path(&["docs", "a", "b"])));
        assert_eq!(resolve(&cwd, "./a//b/"), Ok(path(&["docs", "a", "b"])));
        assert_eq!(resolve(&cwd, ".."), Ok(path(&[])));
        assert_eq!(resolve(&cwd, "a/../b"), Ok(path(&["docs", "b"])));
        assert_eq!(resolve(&cwd, "/x"), Ok(path(&["x"])));
        assert_eq!(resolve(&cwd, "/"), Ok(path(&[])));
        assert_eq!(resolve(&cwd, ""), Ok(cwd.clone()));
    }

    #[test]
    fn paths_never_climb_above_the_home() {
        assert_eq!(resolve(&path(&[]), ".."), Err(PathError::AboveHome));
        assert_eq!(resolve(&path(&["a"]), "../.."), Err(PathError::AboveHome));
        assert_eq!(resolve(&path(&["a"]), "/../etc"), Err(PathError::AboveHome));
    }

    #[test]
    fn path_components_are_checked_as_names() {
        assert_eq!(
            resolve(&path(&[]), "a/C:/b"),
            Err(PathError::BadComponent("C:".into(), NameError::DriveLetter))
        );
        assert_eq!(
            resolve(&path(&[]), "a\\..\\b"),
            Err(PathError::BadComponent(
                "a\\..\\b".into(),
                NameError::Backslash
            ))
        );
    }

    #[test]
    fn virtual_paths_show_from_the_top_of_the_home() {
        assert_eq!(path(&[]).to_string(), "/");
        assert_eq!(path(&["a", "b"]).to_string(), "/a/b");
    }

    #[test]
    fn confine_refuses_symlinks_and_accepts_real_directories() {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = dir.path().join("home");
        fs::create_dir_all(home.join("sub")).expect("mkdir");
        let home = home.canonicalize().expect("canonical");
        std::os::unix::fs::symlink(dir.path(), home.join("escape")).expect("symlink");

        let inside = confine(&home, &home.join("sub")).expect("a real directory");
        assert_eq!(inside, home.join("sub"));
        let err = confine(&home, &home.join("escape")).expect_err("a link out");
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        assert!(
            err.to_string().contains("escape is a symbolic link"),
            "{err}"
        );
        let err = confine(&home, &home.join("missing")).expect_err("missing");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
