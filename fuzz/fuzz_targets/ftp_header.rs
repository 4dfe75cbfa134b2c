//! `scripts/fuzz.sh ftp_header SECONDS`: see `checks::ftp_header` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::ftp_header(data));
