//! `scripts/fuzz.sh http_conditional SECONDS`: see `checks::http_conditional` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::http_conditional(data));
