//! `scripts/fuzz.sh http_accept_encoding SECONDS`: see `checks::http_accept_encoding` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::http_accept_encoding(data));
