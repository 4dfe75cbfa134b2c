//! The fuzz targets' inputs, replayed by `cargo test`: every crash a
//! target found, minimised and saved in `fuzz/regressions/TARGET/`, and
//! every seed of `fuzz/corpus/TARGET/`, goes through the same checks the
//! target runs (`fuzz/src/lib.rs`, compiled here as a module), so a fixed
//! crash that comes back fails here, without the nightly toolchain.
//! docs/fuzzing.md says how the targets run.

#[path = "../../../fuzz/src/lib.rs"]
mod checks;

use std::fs;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `fuzz/KIND/TARGET/` (none if it does not exist), sorted.
fn saved(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

fn check(name: &str) -> checks::Check {
    checks::TARGETS
        .iter()
        .find(|(target, _)| *target == name)
        .map(|&(_, check)| check)
        .unwrap_or_else(|| panic!("no target {name} in fuzz/src/lib.rs"))
}

/// Runs `target`'s checks on each saved input; returns how many seeds it
/// has. A failing input is named before its panic.
fn replay(target: &str) -> usize {
    let check = check(target);
    for path in saved("regressions", target)
        .into_iter()
        .chain(saved("corpus", target))
    {
        let input = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        eprintln!("{target}: {}", path.display());
        check(&input);
    }
    saved("corpus", target).len()
}

macro_rules! replayed {
    ($($target:ident),* $(,)?) => {
        $(
            #[test]
            fn $target() {
                let seeds = replay(stringify!($target));
                assert!(seeds > 0, "fuzz/corpus/{} has no seed", stringify!($target));
            }
        )*
    };
}

replayed!(
    http_head,
    http_range,
    http_target,
    http_absolute_target,
    http_response,
    http_conditional,
    http_accept_encoding,
    common_wire,
    ftp_header,
    ftp_names,
    udp_ping,
    time_format,
    dns_message,
    ftp_digest_store,
);

#[test]
fn every_target_has_a_fuzz_target_file_and_a_bin() {
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    let mut files: Vec<String> = fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .expect("fuzz/fuzz_targets/")
        .map(|entry| entry.expect("a directory entry").path())
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_string()))
        .collect();
    files.sort();
    let mut names: Vec<String> = checks::TARGETS
        .iter()
        .map(|(name, _)| name.to_string())
        .collect();
    names.sort();
    assert_eq!(
        files, names,
        "fuzz/fuzz_targets/*.rs against checks::TARGETS"
    );
    for name in &names {
        assert!(
            manifest.contains(&format!(
                "name = \"{name}\"\npath = \"fuzz_targets/{name}.rs\""
            )),
            "fuzz/Cargo.toml has no [[bin]] for {name}"
        );
    }
}
