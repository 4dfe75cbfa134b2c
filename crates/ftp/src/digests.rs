//! What the server remembers: the digest of every file it stored or sent,
//! so a `get` of a file it knows announces the digest in its answer (the
//! lesson's header field, `md5`) and sends the bytes by `sendfile` without
//! reading them: only the receiving client hashes.
//!
//! A digest is remembered with the file's identity as `stat` shows it —
//! size, mtime and ctime to the nanosecond, inode and device — and is used
//! only while all of them still match: a file written, replaced, renamed
//! over or touched behind the server's back (a `touch -d` puts the mtime
//! back, but not the ctime, which no call can set) is hashed again, never
//! served with a digest of other bytes.
//!
//! The memory is one small JSON file at the top of the served root,
//! [`STORE_NAME`]: a name starting with `.`, which no client can name
//! (`names::validate_name`) and `ls` never lists. It is written whole, to a
//! temporary name and renamed, so a crash leaves the old one or the new
//! one; one that cannot be read or parsed is ignored with one log line,
//! and the next change writes a good one.

use std::collections::HashMap;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use harness::cli::describe;
use harness::log;
use serde::{Deserialize, Serialize};

use crate::transfer::Digest;

/// The store, at the top of the served root.
pub const STORE_NAME: &str = ".ftp-digests";

/// Where a new store is written before it is renamed over the old one.
/// (Not ending in `.part`: `ls` would show that as an unfinished upload.)
const TEMP_NAME: &str = ".ftp-digests.tmp";

/// A store larger than this is not read (one entry is about 250 bytes).
const MAX_STORE_BYTES: u64 = 64 << 20;

/// Whether `path` is the store or its temporary file (which the quota does
/// not count: they are the server's, not the user's).
pub fn is_store(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name == STORE_NAME || name == TEMP_NAME)
}

/// A file's identity, as `stat(2)` shows it: when any of it changes, the
/// file may hold other bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileKey {
    pub size: u64,
    /// Seconds and nanoseconds.
    pub mtime: (i64, i64),
    pub ctime: (i64, i64),
    pub ino: u64,
    pub dev: u64,
}

impl FileKey {
    pub fn of(meta: &Metadata) -> FileKey {
        FileKey {
            size: meta.len(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino(),
            dev: meta.dev(),
        }
    }
}

/// The digests known for one version of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Known {
    key: FileKey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    md5: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    blake3: Option<String>,
}

impl Known {
    fn slot(&mut self, digest: Digest) -> &mut Option<String> {
        match digest {
            Digest::Md5 => &mut self.md5,
            Digest::Blake3 => &mut self.blake3,
        }
    }
}

/// The file on disk. (Public, with its fields private, only as what
/// [`parse_store`] returns.)
#[doc(hidden)]
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct StoreFile {
    version: u32,
    /// By path below the served root (`alice/notes.pdf`).
    files: HashMap<String, Known>,
}

/// The digests the server remembers, shared by all sessions.
#[derive(Debug)]
pub struct DigestStore {
    root: PathBuf,
    files: Mutex<HashMap<String, Known>>,
    /// A failed save is logged once, not once per upload.
    save_failed: AtomicBool,
}

impl DigestStore {
    /// Reads the store of `root` (canonical), leaving out entries whose
    /// file is gone or changed. A missing store is an empty one; an
    /// unreadable or corrupt one is logged and ignored.
    pub fn open(root: &Path) -> DigestStore {
        let path = root.join(STORE_NAME);
        let files = match read_store(&path) {
            Ok(Some(store)) => store
                .files
                .into_iter()
                .filter(|(name, known)| {
                    relative(name).is_some()
                        && fs::symlink_metadata(root.join(name))
                            .is_ok_and(|meta| meta.is_file() && FileKey::of(&meta) == known.key)
                })
                .collect(),
            Ok(None) => HashMap::new(),
            Err(why) => {
                log!(
                    "ignoring the digest store {}: {why}; every file will be hashed again",
                    path.display()
                );
                HashMap::new()
            }
        };
        DigestStore {
            root: root.to_path_buf(),
            files: Mutex::new(files),
            save_failed: AtomicBool::new(false),
        }
    }

    /// How many files it remembers.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `digest` of `path` (below the root), if it was remembered for
    /// exactly this `key`.
    pub fn lookup(&self, path: &Path, key: &FileKey, digest: Digest) -> Option<String> {
        let name = self.name(path)?;
        let mut files = self.lock();
        let known = files.get_mut(&name)?;
        if known.key != *key {
            return None;
        }
        known.slot(digest).clone()
    }

    /// Remembers that `path`, as `key` shows it, has `digest` `hex`, and
    /// saves the store. Other digests remembered for the same `key` are
    /// kept; those of an older version of the file are forgotten.
    pub fn remember(&self, path: &Path, key: FileKey, digest: Digest, hex: &str) {
        let Some(name) = self.name(path) else {
            return;
        };
        let mut files = self.lock();
        let known = files.entry(name).or_insert_with(|| Known {
            key,
            md5: None,
            blake3: None,
        });
        if known.key != key {
            *known = Known {
                key,
                md5: None,
                blake3: None,
            };
        }
        if known.slot(digest).as_deref() == Some(hex) {
            return;
        }
        *known.slot(digest) = Some(hex.to_string());
        self.save(&files);
    }

    /// Forgets `path`: it was replaced by something not verified.
    pub fn forget(&self, path: &Path) {
        let Some(name) = self.name(path) else {
            return;
        };
        let mut files = self.lock();
        if files.remove(&name).is_some() {
            self.save(&files);
        }
    }

    fn name(&self, path: &Path) -> Option<String> {
        let below = path.strip_prefix(&self.root).ok()?;
        let name = below.to_str()?;
        relative(name).map(|_| name.to_string())
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Known>> {
        // Each change is made whole before the lock is let go.
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the store whole, under the lock (so two saves never cross),
    /// to a temporary name, then renames it over the old one.
    fn save(&self, files: &HashMap<String, Known>) {
        let store = StoreFile {
            version: 1,
            files: files.clone(),
        };
        let result = serde_json::to_vec(&store)
            .map_err(io::Error::other)
            .and_then(|json| write_atomically(&self.root, &json));
        match result {
            Ok(()) => self.save_failed.store(false, Ordering::Relaxed),
            Err(e) => {
                if !self.save_failed.swap(true, Ordering::Relaxed) {
                    log!(
                        "cannot save the digest store {}: {}; digests are remembered until \
                         the server stops",
                        self.root.join(STORE_NAME).display(),
                        describe(&e)
                    );
                }
            }
        }
    }
}

/// `Some` for a plain relative path (`a/b.txt`): nothing that climbs or
/// starts at `/`, even in a store someone edited.
fn relative(name: &str) -> Option<&Path> {
    let path = Path::new(name);
    let plain = !name.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    plain.then_some(path)
}

/// The store at `path`: `None` if there is none.
fn read_store(path: &Path) -> Result<Option<StoreFile>, String> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path);
    let file = match file {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(describe(&e)),
    };
    let meta = file.metadata().map_err(|e| describe(&e))?;
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    if meta.len() > MAX_STORE_BYTES {
        return Err(format!("it is {} bytes, more than any store", meta.len()));
    }
    let mut text = Vec::new();
    file.take(MAX_STORE_BYTES)
        .read_to_end(&mut text)
        .map_err(|e| describe(&e))?;
    parse_store(&text).map(Some)
}

/// The store's bytes, as [`read_store`] read them from the file: the store,
/// or why it is not one. (Public only for the fuzz target `ftp_digest_store`.)
#[doc(hidden)]
pub fn parse_store(text: &[u8]) -> Result<StoreFile, String> {
    let store: StoreFile =
        serde_json::from_slice(text).map_err(|e| format!("it is not a digest store ({e})"))?;
    if store.version != 1 {
        return Err(format!(
            "version {} is not one this server knows",
            store.version
        ));
    }
    Ok(store)
}

/// `root/.ftp-digests.tmp`, written, then renamed to `root/.ftp-digests`.
/// Not synced to the disk first: that would cost every upload a flush, and
/// a store lost or cut short by a power failure is only ignored and
/// written again (its entries are checked against the files anyway).
fn write_atomically(root: &Path, json: &[u8]) -> io::Result<()> {
    let temp = root.join(TEMP_NAME);
    match fs::remove_file(&temp) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut file: File = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&temp)?;
    file.write_all(json)?;
    drop(file);
    fs::rename(&temp, root.join(STORE_NAME))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("canonical");
        (dir, root)
    }

    fn key_of(path: &Path) -> FileKey {
        FileKey::of(&fs::symlink_metadata(path).expect("stat"))
    }

    #[test]
    fn a_digest_is_remembered_across_a_restart_for_the_same_file_only() {
        let (_dir, root) = root();
        let file = root.join("a.txt");
        fs::write(&file, b"hello\n").expect("write");
        let key = key_of(&file);
        let store = DigestStore::open(&root);
        assert!(store.is_empty());
        store.remember(&file, key, Digest::Md5, "b1946ac92492d2347c6235b4d2611184");
        assert_eq!(
            store.lookup(&file, &key, Digest::Md5).as_deref(),
            Some("b1946ac92492d2347c6235b4d2611184")
        );
        assert_eq!(store.lookup(&file, &key, Digest::Blake3), None);

        let again = DigestStore::open(&root);
        assert_eq!(again.len(), 1, "read back from {STORE_NAME}");
        assert!(again.lookup(&file, &key, Digest::Md5).is_some());
        again.remember(&file, key, Digest::Blake3, &"0".repeat(64));
        assert!(
            again.lookup(&file, &key, Digest::Md5).is_some(),
            "both kept"
        );

        let changed = FileKey {
            mtime: (key.mtime.0, key.mtime.1 + 1),
            ..key
        };
        assert_eq!(again.lookup(&file, &changed, Digest::Md5), None);
        assert!(!root.join(TEMP_NAME).exists(), "the temporary name is gone");
    }

    #[test]
    fn entries_of_files_changed_or_gone_meanwhile_are_dropped_on_open() {
        let (_dir, root) = root();
        let (kept, changed, gone) = (root.join("k"), root.join("c"), root.join("g"));
        for path in [&kept, &changed, &gone] {
            fs::write(path, b"one").expect("write");
        }
        let store = DigestStore::open(&root);
        for path in [&kept, &changed, &gone] {
            store.remember(path, key_of(path), Digest::Md5, &"1".repeat(32));
        }
        fs::write(&changed, b"two").expect("rewrite");
        fs::remove_file(&gone).expect("remove");
        let again = DigestStore::open(&root);
        assert_eq!(again.len(), 1);
        assert!(again.lookup(&kept, &key_of(&kept), Digest::Md5).is_some());
    }

    #[test]
    fn a_corrupt_or_strange_store_is_ignored_and_replaced() {
        let (_dir, root) = root();
        let file = root.join("a");
        fs::write(&file, b"x").expect("write");
        for junk in [
            &b"{not json"[..],
            b"[]",
            b"{\"version\":7,\"files\":{}}",
            b"\xff\xfe",
        ] {
            fs::write(root.join(STORE_NAME), junk).expect("junk");
            let store = DigestStore::open(&root);
            assert!(store.is_empty(), "{junk:?}");
            store.remember(&file, key_of(&file), Digest::Md5, &"2".repeat(32));
            assert_eq!(DigestStore::open(&root).len(), 1, "a good one written");
        }
        // A store edited to point outside the root is not followed.
        let evil = r#"{"version":1,"files":{"../x":{"key":{"size":1,"mtime":[0,0],
            "ctime":[0,0],"ino":1,"dev":1},"md5":"00000000000000000000000000000000"}}}"#;
        fs::write(root.join(STORE_NAME), evil).expect("evil");
        assert!(DigestStore::open(&root).is_empty());
        // A directory in its place: ignored, and saving fails without a crash.
        fs::remove_file(root.join(STORE_NAME)).expect("remove");
        fs::create_dir(root.join(STORE_NAME)).expect("a directory");
        let store = DigestStore::open(&root);
        store.remember(&file, key_of(&file), Digest::Md5, &"3".repeat(32));
        assert!(store.lookup(&file, &key_of(&file), Digest::Md5).is_some());
    }
}
