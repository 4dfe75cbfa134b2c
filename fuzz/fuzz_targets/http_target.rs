//! `scripts/fuzz.sh http_target SECONDS`: see `checks::http_target` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::http_target(data));
