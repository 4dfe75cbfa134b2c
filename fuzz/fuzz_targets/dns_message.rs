//! `scripts/fuzz.sh dns_message SECONDS`: see `checks::dns_message` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::dns_message(data));
