//! `scripts/fuzz.sh http_range SECONDS`: see `checks::http_range` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::http_range(data));
