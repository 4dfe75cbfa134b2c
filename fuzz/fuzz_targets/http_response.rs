//! `scripts/fuzz.sh http_response SECONDS`: see `checks::http_response` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::http_response(data));
