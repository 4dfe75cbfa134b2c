//! The lessons' steps: the short programs in `crates/<crate>/examples/`.
//!
//! `cargo test` builds every example of the packages it tests into
//! `target/<profile>/examples/` before it runs a single test, so a test finds
//! a step there, beside its own binary in `target/<profile>/deps/`. A run
//! that builds fewer targets (`cargo test --test steps`, or a step of another
//! package) gets the step built here, with the same cargo; so does a step
//! whose source is newer than its binary, which such a run would otherwise
//! test as it was before the edit.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// One build at a time from this test binary; cargo's own lock orders the rest.
static BUILDING: Mutex<()> = Mutex::new(());

/// The path of the step `name` of `package`, built if it is missing or
/// older than its source.
pub fn example(package: &str, name: &str) -> PathBuf {
    let path = profile_dir()
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let _one_at_a_time = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
    if !is_up_to_date(&path, package, name) {
        cargo_build(&["-p", package, "--example", name]);
    }
    assert!(path.is_file(), "no step {name} at {}", path.display());
    path
}

/// `target/<profile>`, where the running test binary's lesson binaries and
/// steps are: the test binary is `target/<profile>/deps/<test>`.
pub fn profile_dir() -> PathBuf {
    let test_exe = std::env::current_exe().expect("the test binary's path");
    test_exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("a test binary lives in target/<profile>/deps")
        .to_path_buf()
}

/// Whether the step's binary exists and is newer than its source file.
fn is_up_to_date(binary: &Path, package: &str, name: &str) -> bool {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(package)
        .join("examples")
        .join(format!("{name}.rs"));
    let modified = |path: &Path| fs::metadata(path).and_then(|m| m.modified()).ok();
    match (modified(binary), modified(&source)) {
        (Some(built), Some(written)) => built >= written,
        (built, _) => built.is_some(),
    }
}

/// `cargo build --quiet ARGS`, with the cargo running the tests and in
/// their profile (`--release` when they run in release), from the
/// workspace's root; fails the test if the build fails.
pub fn cargo_build(args: &[&str]) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--quiet"]).args(args);
    if profile_dir().file_name() == Some(OsStr::new("release")) {
        cmd.arg("--release");
    }
    let status = cmd
        .current_dir(crate::repo_root())
        .stdin(Stdio::null())
        .status()
        .expect("running cargo to build");
    assert!(status.success(), "cargo build {} failed", args.join(" "));
}

/// A command for the step `name` of `package` with positional `args`, as
/// a student types them after `cargo run -p PACKAGE --example NAME --`.
/// Standard input is closed unless the caller says otherwise.
pub fn step<I, S>(package: &str, name: &str, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    crate::command(example(package, name), args)
}
