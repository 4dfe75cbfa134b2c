//! `scripts/fuzz.sh ftp_digest_store SECONDS`: see `checks::ftp_digest_store`
//! (fuzz/src/lib.rs). Here, in addition, every allocation is counted (as
//! common_wire's target does) while the store is read, written and read
//! again: the store's JSON declares no length the reader could allocate
//! from, so no single allocation may be out of proportion with the input
//! (its entries' table is a few times the bytes that name them; a store
//! that is read is at most 64 MiB, `MAX_STORE_BYTES`).
#![no_main]

#[path = "../src/largest_allocation.rs"]
mod largest_allocation;

/// How many bytes one byte of the store may cost in one allocation: an
/// entry of at least ~60 bytes of JSON takes a 128-byte slot of the
/// HashMap's table, which may be up to about 2.3 times as many slots as
/// entries just after it grows; a written copy's Vec up to twice its length.
const PER_BYTE: usize = 16;

/// Room for small fixed allocations (an error message, an empty table).
const SLACK: usize = 4096;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    largest_allocation::reset();
    checks::ftp_digest_store(data);
    let largest = largest_allocation::largest();
    assert!(
        largest <= PER_BYTE * data.len() + SLACK,
        "an allocation of {largest} bytes while reading a store of {} bytes",
        data.len()
    );
});
