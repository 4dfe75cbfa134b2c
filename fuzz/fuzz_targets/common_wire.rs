//! `scripts/fuzz.sh common_wire SECONDS`: see `checks::common_wire`
//! (fuzz/src/lib.rs). Here, in addition, every allocation is counted while
//! the frames are read: a length prefix over the maximum must be an error,
//! never an allocation of the size it declares, so no single allocation
//! may be larger than the maximum the input reads with.
#![no_main]

#[path = "../src/largest_allocation.rs"]
mod largest_allocation;

/// Room for the checks' own small allocations (the 4-byte prefix, a
/// message) beside the frame itself.
const SLACK: usize = 256;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    largest_allocation::reset();
    checks::wire_frames(data);
    let largest = largest_allocation::largest();
    let max = checks::wire_max(data);
    assert!(
        largest <= max + SLACK,
        "an allocation of {largest} bytes while reading frames of at most {max}"
    );
    checks::wire_json_header(data);
});
