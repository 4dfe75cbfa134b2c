//! `scripts/fuzz.sh time_format SECONDS`: see `checks::time_format` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::time_format(data));
