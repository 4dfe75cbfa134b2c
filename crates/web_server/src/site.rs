//! The served directory, and looking a [`SitePath`] up in it without ever
//! leaving it.
//!
//! [`crate::target`] already made sure the path has no `..`; what can still
//! lead outside is a symbolic link. And what can still hang the server is a
//! name that is not a file at all: opening a FIFO for reading blocks until
//! someone opens it for writing, and reading `/dev/zero` never ends. So the
//! lookup walks the path one name at a time with `lstat` (which looks at a
//! link itself, not where it points):
//!
//! * a directory on the way: go on;
//! * a symbolic link anywhere: resolve the whole path (`canonicalize`) and
//!   refuse it (403) unless the result is still under the canonical root;
//! * the last name: a directory, or a regular file, which is opened with
//!   `O_NOFOLLOW | O_NONBLOCK` (no link can have been swapped in, and even a
//!   FIFO swapped in could not block the open) and checked again with
//!   `fstat`; anything else (FIFO, socket, device) is refused (403) without
//!   being opened.
//!
//! What is left is a race with someone who can write inside the root and
//! swaps a directory for a link between the checks and the open; Linux's
//! `openat2(RESOLVE_BENEATH)` would close it (an exercise of the lesson).
//!
//! That is all this module does: a path in, a file, a directory or a
//! refusal out. Keeping files open between requests is
//! [`crate::cache`]'s, a layer in front of this one that the responder
//! ([`crate::respond`]) asks first.

use std::ffi::OsStr;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use nix::libc;

use crate::encoding::SiblingCheck;
use crate::etag::ETag;
use crate::target::SitePath;

/// The served directory.
#[derive(Debug, Clone)]
pub struct Site {
    /// Canonical: absolute, no symbolic links, no `..`.
    root: PathBuf,
    /// What a path is looked up under: the root, or nothing (a relative
    /// path) once [`Site::enter`] has made the root the working directory.
    base: PathBuf,
}

/// What a path names.
#[derive(Debug)]
pub enum Found {
    /// A regular file, already open (shared: the cache may hold it too).
    File(Arc<OpenFile>),
    /// A directory, by its real path.
    Directory(PathBuf),
}

/// An open regular file and what `fstat` said about it.
#[derive(Debug)]
pub struct OpenFile {
    pub file: File,
    pub metadata: Metadata,
    /// The whole file, for a small file in the cache (none when found here).
    pub body: Option<Box<[u8]>>,
    /// Its entity tag, made once from `metadata`.
    pub etag: ETag,
    /// Its precompressed siblings, once looked up (by the responder).
    pub siblings: SiblingCheck,
}

impl OpenFile {
    /// `file`, as `fstat` described it.
    pub fn new(file: File, metadata: Metadata) -> OpenFile {
        OpenFile {
            etag: ETag::of(&metadata),
            file,
            metadata,
            body: None,
            siblings: SiblingCheck::default(),
        }
    }
}

/// Why a path is not served.
#[derive(Debug)]
pub enum Refusal {
    /// 404: nothing by that name.
    NotFound,
    /// 403: something there, but not to be served; the text says why.
    Forbidden(&'static str),
    /// 500: the file system failed in a way a client cannot cause.
    Failed(io::Error),
}

impl Site {
    /// Serves `root`, which must be a directory.
    pub fn new(root: &Path) -> io::Result<Site> {
        let root = fs::canonicalize(root)?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a directory",
            ));
        }
        Ok(Site {
            base: root.clone(),
            root,
        })
    }

    /// Makes the root the process's working directory, as the lab's server
    /// runs in the directory it serves (`open(filename[1:])` is relative):
    /// each lookup then walks only the names under the root, not the root's
    /// own path again, which saves the kernel work on every request.
    pub fn enter(&mut self) -> io::Result<()> {
        std::env::set_current_dir(&self.root)?;
        self.base = PathBuf::new();
        Ok(())
    }

    /// The canonical root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where `path` is looked up: the name the cache keeps its file by.
    pub fn full_path(&self, path: &SitePath) -> PathBuf {
        // Sized once (the base, a `/`, the names and their `/`s): this runs
        // on every request, to find the file in the cache.
        let length = self.base.as_os_str().len() + 1 + path.byte_len();
        let mut full = PathBuf::with_capacity(length);
        full.push(&self.base);
        full.extend(path.components().map(OsStr::from_bytes));
        full
    }

    /// Looks `path` up under the root, name by name, as described in the
    /// module comment.
    pub fn lookup(&self, path: &SitePath) -> Result<Found, Refusal> {
        let mut full = self.base.clone();
        let mut names = path.components().peekable();
        while let Some(name) = names.next() {
            full.push(OsStr::from_bytes(name));
            let metadata = fs::symlink_metadata(&full).map_err(refusal)?;
            if metadata.file_type().is_symlink() {
                full.extend(names.map(OsStr::from_bytes));
                return self.through_link(&full);
            }
            if names.peek().is_some() && !metadata.is_dir() {
                return Err(Refusal::NotFound); // a file used as a directory
            }
            if names.peek().is_none() {
                return open(full, &metadata);
            }
        }
        Ok(Found::Directory(self.root.clone())) // the root itself
    }

    /// A path with a symbolic link in it: served only if where it really
    /// leads is under the root.
    fn through_link(&self, full: &Path) -> Result<Found, Refusal> {
        let real = fs::canonicalize(full).map_err(refusal)?;
        if !real.starts_with(&self.root) {
            return Err(Refusal::Forbidden(
                "A symbolic link here leads outside the served directory.",
            ));
        }
        let metadata = fs::metadata(&real).map_err(refusal)?;
        open(real, &metadata)
    }
}

/// Opens what `metadata` (from `lstat` or `stat`) says is at `path`, if it
/// is a directory or a regular file.
fn open(path: PathBuf, metadata: &Metadata) -> Result<Found, Refusal> {
    if metadata.is_dir() {
        return Ok(Found::Directory(path));
    }
    if !metadata.is_file() {
        return Err(Refusal::Forbidden(
            "This is not a regular file (a FIFO, a socket or a device) and is not served.",
        ));
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(&path)
        .map_err(refusal)?;
    let opened = file.metadata().map_err(Refusal::Failed)?;
    if !opened.is_file() || opened.ino() != metadata.ino() || opened.dev() != metadata.dev() {
        return Err(Refusal::Forbidden(
            "The file was replaced while it was being opened.",
        ));
    }
    Ok(Found::File(Arc::new(OpenFile::new(file, opened))))
}

/// What a failed `lstat`, `canonicalize` or `open` means for the client.
fn refusal(e: io::Error) -> Refusal {
    match (e.kind(), e.raw_os_error()) {
        (io::ErrorKind::NotFound, _) => Refusal::NotFound,
        (_, Some(libc::ENOTDIR | libc::ENAMETOOLONG)) => Refusal::NotFound,
        (io::ErrorKind::PermissionDenied, _) => {
            Refusal::Forbidden("The server may not read this (permission denied).")
        }
        (_, Some(libc::ELOOP)) => Refusal::Forbidden(
            "A symbolic link here loops, or the file turned into a link while it was opened.",
        ),
        _ => Refusal::Failed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target;
    use std::os::unix::fs::symlink;

    struct Tree {
        _dir: tempfile::TempDir,
        site: Site,
        outside: PathBuf,
    }

    /// base/www (the root) and base/secret.txt beside it.
    fn tree() -> Tree {
        let dir = tempfile::tempdir().expect("temp dir");
        let www = dir.path().join("www");
        fs::create_dir_all(www.join("sub")).expect("mkdir");
        fs::write(www.join("index.html"), "<p>home</p>").expect("write");
        fs::write(www.join("sub/page.txt"), "inside").expect("write");
        let outside = dir.path().join("secret.txt");
        fs::write(&outside, "SECRET").expect("write");
        Tree {
            site: Site::new(&www).expect("www is a directory"),
            _dir: dir,
            outside,
        }
    }

    fn lookup(site: &Site, target: &str) -> Result<Found, Refusal> {
        site.lookup(&target::parse(target.as_bytes()).expect("valid target").path)
    }

    #[test]
    fn files_and_directories_are_found() {
        let t = tree();
        assert!(
            matches!(lookup(&t.site, "/sub/page.txt"), Ok(Found::File(f)) if f.metadata.len() == 6)
        );
        assert!(matches!(lookup(&t.site, "/sub/"), Ok(Found::Directory(_))));
        assert!(matches!(lookup(&t.site, "/"), Ok(Found::Directory(p)) if p == t.site.root()));
        assert!(matches!(lookup(&t.site, "/nope"), Err(Refusal::NotFound)));
        assert!(matches!(
            lookup(&t.site, "/index.html/x"),
            Err(Refusal::NotFound)
        ));
    }

    #[test]
    fn links_inside_the_root_are_followed_links_out_are_refused() {
        let t = tree();
        let root = t.site.root().to_path_buf();
        symlink("sub/page.txt", root.join("inner-link")).expect("symlink");
        symlink(&t.outside, root.join("secret-link")).expect("symlink");
        symlink(t.outside.parent().expect("base"), root.join("up")).expect("symlink");
        symlink("loop", root.join("loop")).expect("symlink");

        assert!(matches!(lookup(&t.site, "/inner-link"), Ok(Found::File(_))));
        assert!(matches!(
            lookup(&t.site, "/secret-link"),
            Err(Refusal::Forbidden(_))
        ));
        assert!(matches!(
            lookup(&t.site, "/up/secret.txt"),
            Err(Refusal::Forbidden(_))
        ));
        assert!(matches!(
            lookup(&t.site, "/up/www/index.html"),
            Ok(Found::File(_))
        ));
        assert!(matches!(
            lookup(&t.site, "/loop"),
            Err(Refusal::Forbidden(_))
        ));
    }

    #[test]
    fn special_files_are_refused_without_being_opened() {
        let dev = Site::new(Path::new("/dev")).expect("/dev exists");
        for name in ["/null", "/zero"] {
            assert!(
                matches!(lookup(&dev, name), Err(Refusal::Forbidden(_))),
                "{name}"
            );
        }
    }

    #[test]
    fn the_root_must_be_a_directory() {
        let t = tree();
        assert!(Site::new(&t.outside).is_err());
        assert!(Site::new(Path::new("/no/such/dir")).is_err());
    }
}
