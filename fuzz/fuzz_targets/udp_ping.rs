//! `scripts/fuzz.sh udp_ping SECONDS`: see `checks::udp_ping` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::udp_ping(data));
