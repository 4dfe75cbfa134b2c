//! Files served recently, kept open — and, when small, in memory — so that
//! the next request for the same file costs one `stat` instead of the
//! lookup's `lstat`, `open`, `fstat`, `pread` and `close`.
//!
//! The lab opens the file for every request, and so does
//! [`Site::lookup`](crate::site::Site::lookup): that is the safe, simple
//! way, and the cache changes nothing a client can see. The responder
//! ([`crate::respond`]) asks the cache first ([`FileCache::get`]), and only
//! when it has nothing goes to the site, then offers the cache what the site
//! opened ([`FileCache::offer`]). An entry is only used while the
//! file at that path is still *the same version of the same file* it was
//! when the full lookup vetted it: `stat` (which follows links) must give
//! the same device, inode, size, modification time and change time. So:
//!
//! * a file written, truncated, renamed over, `chmod`ed or `touch`ed changes
//!   one of those, and is looked up afresh (and reopened);
//! * a file deleted fails the `stat`: its entry is dropped (and with it the
//!   descriptor that kept it on disk);
//! * a name turned into a link to somewhere else names another inode: looked
//!   up afresh, through the symbolic-link check;
//! * the inode itself was vetted as a regular file inside the root, so
//!   serving it again, by whatever path reaches it, reveals nothing new.
//!
//! That `stat` is made once per file per round of the event loop, not once
//! per request: the worker reads every request of a round before it
//! answers any (`event_loop.rs`), and a check that began after a request
//! was read vouches for that request too, since a file changed before the
//! request was sent has changed by then. The cache keeps the order on a
//! [`Moment`] clock: each socket read is followed by a new moment
//! ([`FileCache::moment`]), each check preceded by one, and an entry last
//! checked at a later moment than a request was read at is served to it
//! without another `stat` (nginx's `open_file_cache_valid` instead trusts
//! a check for a number of seconds, 60 by default).
//!
//! A file changed twice within one tick of the file system's clock could
//! keep its times and size, so a file is only cached once its times are
//! [`SETTLED`] in the past (git calls the other ones "racily clean"):
//! a file just saved is served fresh from disk until then.
//!
//! The cache is bounded: at most [`MAX_ENTRIES`] files (and descriptors),
//! bodies of at most the size it is made with in memory (the responder's
//! [`SMALL_BODY`](crate::respond::SMALL_BODY), the bodies it sends with the
//! head in one write), so 256 × 16 KiB = 4 MiB at worst. When it is full it is emptied
//! and fills again with what is asked for next.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::{self, Metadata};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use crate::site::OpenFile;

/// The most files kept open at once.
pub const MAX_ENTRIES: usize = 256;

/// How long ago a file must have last changed to be cached.
pub const SETTLED: Duration = Duration::from_secs(2);

/// A place in the order of the server's socket reads and file checks:
/// what was read before one moment was read before every later one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment(u64);

/// Open files by the path they were found at.
#[derive(Debug)]
pub struct FileCache {
    /// Keyed by the path's bytes: the paths come from `Site::full_path`,
    /// made of plain names, so one file is never cached under two spellings
    /// (`a//b`, `a/./b`), and hashing the bytes once costs less than a
    /// `Path`'s hash, which walks it component by component.
    entries: RwLock<HashMap<OsString, Arc<Entry>>>,
    /// The largest body kept in memory.
    max_body: u64,
    /// Moves on once after every socket read and before every check, in
    /// the one order all workers see (the last [`Moment`] given out).
    clock: AtomicU64,
}

/// A cached file and the moment its last check began.
#[derive(Debug)]
struct Entry {
    file: Arc<OpenFile>,
    checked: AtomicU64,
}

/// The cache as one request sees it: the request was read before `read_at`.
#[derive(Debug, Clone, Copy)]
pub struct CacheView<'a> {
    cache: &'a FileCache,
    read_at: Moment,
}

impl CacheView<'_> {
    /// [`FileCache::get`] for this request.
    pub fn get(&self, path: &Path) -> Option<Arc<OpenFile>> {
        self.cache.get(path, self.read_at)
    }

    /// [`FileCache::offer`].
    pub fn offer(&self, path: PathBuf, open: Arc<OpenFile>) -> Arc<OpenFile> {
        self.cache.offer(path, open)
    }
}

impl FileCache {
    /// An empty cache that keeps in memory the bodies of files of at most
    /// `max_body` bytes.
    pub fn new(max_body: u64) -> FileCache {
        FileCache {
            entries: RwLock::default(),
            max_body,
            clock: AtomicU64::new(0),
        }
    }

    /// Moves the clock on: called just after a socket read, the moment it
    /// returns is later than that read.
    pub fn moment(&self) -> Moment {
        // SeqCst: one order of moments for every worker, each after
        // everything its thread did before it.
        Moment(self.clock.fetch_add(1, Ordering::SeqCst) + 1)
    }

    /// The cache for a request read before `read_at`.
    pub fn view(&self, read_at: Moment) -> CacheView<'_> {
        CacheView {
            cache: self,
            read_at,
        }
    }

    /// The cached file at `path`, if it is still the version cached, for a
    /// request read before `read_at`: checked with `stat` unless a check
    /// began after that; an entry that is not the same version is dropped.
    pub fn get(&self, path: &Path, read_at: Moment) -> Option<Arc<OpenFile>> {
        let entry = self
            .entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path.as_os_str())
            .cloned()?;
        if entry.checked.load(Ordering::Relaxed) > read_at.0 {
            return Some(Arc::clone(&entry.file)); // checked since the request came
        }
        let checking = self.moment();
        match fs::metadata(path) {
            Ok(now) if same_version(&now, &entry.file.metadata) => {
                entry.checked.fetch_max(checking.0, Ordering::Relaxed);
                Some(Arc::clone(&entry.file))
            }
            _ => {
                self.remove(path);
                None
            }
        }
    }

    /// Offers a file the full lookup just opened at `path`; returns what to
    /// serve: the same file, with its body read into memory if it is small
    /// and it was cached.
    pub fn offer(&self, path: PathBuf, open: Arc<OpenFile>) -> Arc<OpenFile> {
        if !settled(&open.metadata, SystemTime::now()) {
            return open;
        }
        match Arc::try_unwrap(open) {
            Ok(open) => self.insert(path, open),
            Err(shared) => shared, // someone else holds it already: leave it
        }
    }

    /// Caches `open` (found at `path`), emptying the cache first if it is
    /// full.
    fn insert(&self, path: PathBuf, open: OpenFile) -> Arc<OpenFile> {
        let open = Arc::new(with_small_body(open, self.max_body));
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        // Never checked yet: the next request checks it (the lookup that
        // found it is not a check of what is at `path` now).
        let entry = Entry {
            file: Arc::clone(&open),
            checked: AtomicU64::new(0),
        };
        entries.insert(path.into_os_string(), Arc::new(entry));
        open
    }

    fn remove(&self, path: &Path) {
        self.entries
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(path.as_os_str());
    }

    /// How many files are cached.
    pub fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The same inode, unchanged since `before` was taken.
fn same_version(now: &Metadata, before: &Metadata) -> bool {
    now.dev() == before.dev()
        && now.ino() == before.ino()
        && now.size() == before.size()
        && now.mtime() == before.mtime()
        && now.mtime_nsec() == before.mtime_nsec()
        && now.ctime() == before.ctime()
        && now.ctime_nsec() == before.ctime_nsec()
}

/// Both of the file's times are at least [`SETTLED`] before `now`.
fn settled(metadata: &Metadata, now: SystemTime) -> bool {
    let Ok(now) = now.duration_since(SystemTime::UNIX_EPOCH) else {
        return false;
    };
    let latest = metadata.mtime().max(metadata.ctime());
    u64::try_from(latest).is_ok_and(|latest| latest + SETTLED.as_secs() < now.as_secs())
}

/// `open` with its whole body in memory if it has at most `max_body` bytes
/// and reads back whole and unchanged; otherwise as it was (the body is then
/// sent from the file).
fn with_small_body(mut open: OpenFile, max_body: u64) -> OpenFile {
    let len = open.metadata.len();
    if len > max_body || open.body.is_some() {
        return open;
    }
    let mut body = vec![0; len as usize];
    let unchanged = open.file.read_exact_at(&mut body, 0).is_ok()
        && open
            .file
            .metadata()
            .is_ok_and(|after| same_version(&after, &open.metadata));
    if unchanged {
        open.body = Some(body.into_boxed_slice());
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::{File, FileTimes};
    use std::os::unix::fs::symlink;

    /// The responder's small body (16 KiB), which the server makes its
    /// cache with.
    const SMALL_BODY: u64 = 16 * 1024;

    /// Sets a file's modification time an hour back. (Its change time is
    /// now, so the file is not settled yet: the tests below pass `later`.)
    fn age(path: &Path) {
        let hour_ago = SystemTime::now() - Duration::from_secs(3600);
        File::options()
            .write(true)
            .open(path)
            .and_then(|f| f.set_times(FileTimes::new().set_modified(hour_ago)))
            .expect("set mtime");
    }

    fn open(path: &Path) -> OpenFile {
        let file = File::open(path).expect("open");
        let metadata = file.metadata().expect("fstat");
        OpenFile::new(file, metadata)
    }

    /// Caches `path` as `offer` does once a file has settled (the clock is
    /// moved, not the file).
    fn cache(cache: &FileCache, path: &Path) -> Arc<OpenFile> {
        let open = open(path);
        assert!(settled(
            &open.metadata,
            SystemTime::now() + SETTLED + Duration::from_secs(2)
        ));
        cache.insert(path.to_path_buf(), open)
    }

    #[test]
    fn a_file_just_changed_is_not_settled_an_old_one_is() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.txt");
        fs::write(&path, "x").expect("write");
        let metadata = fs::metadata(&path).expect("stat");
        assert!(!settled(&metadata, SystemTime::now()));
        assert!(settled(
            &metadata,
            SystemTime::now() + Duration::from_secs(5)
        ));
        // A file from the future (a wrong clock) is never settled.
        assert!(!settled(&metadata, SystemTime::UNIX_EPOCH));
    }

    #[test]
    fn offer_does_not_cache_a_file_just_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.txt");
        fs::write(&path, "fresh").expect("write");
        let files = FileCache::new(SMALL_BODY);
        let served = files.offer(path.clone(), Arc::new(open(&path)));
        assert!(served.body.is_none());
        assert!(files.is_empty());
        assert!(files.get(&path, files.moment()).is_none());
    }

    /// A cache holding `a.txt` ("hello", an hour old), in a temporary
    /// directory kept by the first value.
    fn cached_hello() -> (tempfile::TempDir, PathBuf, FileCache) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.txt");
        fs::write(&path, "hello").expect("write");
        age(&path);
        let files = FileCache::new(SMALL_BODY);
        cache(&files, &path);
        (dir, path, files)
    }

    #[test]
    fn an_unchanged_file_is_served_from_memory() {
        let (_dir, path, files) = cached_hello();
        let hit = files
            .get(&path, files.moment())
            .expect("still the same file");
        assert_eq!(hit.body.as_deref(), Some(&b"hello"[..]));
    }

    #[test]
    fn every_kind_of_change_drops_the_entry() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.txt");
        let outside = dir.path().join("other.txt");
        fs::write(&outside, "other").expect("write");
        let files = FileCache::new(SMALL_BODY);
        let changes: [(&str, &dyn Fn()); 5] = [
            ("rewritten, same size", &|| {
                fs::write(&path, "HELLO").expect("write")
            }),
            ("appended", &|| {
                fs::OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .and_then(|mut f| std::io::Write::write_all(&mut f, b"!"))
                    .expect("append")
            }),
            ("touched", &|| age(&path)),
            ("deleted", &|| fs::remove_file(&path).expect("rm")),
            ("replaced by a link", &|| {
                fs::remove_file(&path).expect("rm");
                symlink(&outside, &path).expect("symlink");
            }),
        ];
        for (what, change) in changes {
            let _ = fs::remove_file(&path);
            fs::write(&path, "hello").expect("write");
            age(&path);
            cache(&files, &path);
            assert!(files.get(&path, files.moment()).is_some(), "{what}: cached");
            change();
            assert!(
                files.get(&path, files.moment()).is_none(),
                "{what}: still served from the cache"
            );
            assert!(files.is_empty(), "{what}: entry kept");
        }
    }

    /// A check that began after a request was read vouches for it; a
    /// request read after the check is checked again.
    #[test]
    fn a_check_serves_the_requests_read_before_it_and_no_later_one() {
        let (_dir, path, files) = cached_hello();
        // Two requests read in one round, then answered.
        let first = files.moment();
        let second = files.moment();
        assert!(first < second);
        let hit = files.get(&path, first).expect("checked: unchanged");
        fs::write(&path, "HELLO").expect("rewrite after the check");
        // Read before the check began: what the check saw is what was
        // there when this request came, so it is served without a stat
        // (one would have seen the rewrite and dropped the entry).
        let same = files.get(&path, second).expect("vouched for by the check");
        assert!(Arc::ptr_eq(&hit, &same));
        assert_eq!(files.len(), 1);
        // Read after the check: checked again, and the rewrite is seen.
        let later = files.moment();
        assert!(files.get(&path, later).is_none(), "served the old version");
        assert!(files.is_empty());
    }

    /// Moments taken by two threads are all different: one order for
    /// every worker.
    #[test]
    fn the_clock_gives_every_moment_once() {
        let files = FileCache::new(SMALL_BODY);
        let mut sorted: Vec<Moment> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..2)
                .map(|_| scope.spawn(|| (0..10_000).map(|_| files.moment()).collect::<Vec<_>>()))
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().expect("moments taken"))
                .collect()
        });
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 20_000, "a moment given out twice");
        assert!(
            sorted[0] > Moment::default(),
            "a moment is later than no read at all"
        );
    }

    #[test]
    fn large_files_stay_on_disk_and_the_cache_is_bounded() {
        let dir = tempfile::tempdir().expect("temp dir");
        let big = dir.path().join("big.bin");
        fs::write(&big, vec![7; SMALL_BODY as usize + 1]).expect("write");
        let files = FileCache::new(SMALL_BODY);
        assert!(cache(&files, &big).body.is_none());
        let mut most = 0;
        for i in 0..MAX_ENTRIES + 10 {
            let path = dir.path().join(format!("f{i}"));
            fs::write(&path, "x").expect("write");
            assert_eq!(cache(&files, &path).body.as_deref(), Some(&b"x"[..]));
            most = most.max(files.len());
        }
        assert_eq!(most, MAX_ENTRIES);
        // The big file and 255 small ones filled it, the next one emptied
        // it, and it holds that one and the 10 after it.
        assert_eq!(files.len(), 11);
    }
}
