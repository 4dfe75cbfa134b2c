//! `scripts/fuzz.sh http_absolute_target SECONDS`: see `checks::http_absolute_target` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::http_absolute_target(data));
