//! `scripts/fuzz.sh http_head SECONDS`: see `checks::http_head` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::http_head(data));
