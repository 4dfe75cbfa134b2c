//! `scripts/fuzz.sh ftp_names SECONDS`: see `checks::ftp_names` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::ftp_names(data));
