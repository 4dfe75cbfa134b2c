//! `scripts/fuzz.sh ftp_digest_store SECONDS`: see `checks::ftp_digest_store`
//! (fuzz/src/lib.rs). Here, in addition, every allocation is counted (as
//! common_wire's target does) while the store is read, written and read
//! again: the store's JSON declares no length the reader could allocate
//! from, so no single allocation may be out of proportion with the input
//! (its entries' table is a few times the bytes that name them; a store
//! that is read is at most 64 MiB, `MAX_STORE_BYTES`).
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, remembering the largest size asked of it.
struct Largest;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

/// How many bytes one byte of the store may cost in one allocation: an
/// entry of at least ~60 bytes of JSON takes a 128-byte slot of the
/// HashMap's table, which may be up to about 2.3 times as many slots as
/// entries just after it grows; a written copy's Vec up to twice its length.
const PER_BYTE: usize = 16;

/// Room for small fixed allocations (an error message, an empty table).
const SLACK: usize = 4096;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    LARGEST.store(0, Ordering::Relaxed);
    checks::ftp_digest_store(data);
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(
        largest <= PER_BYTE * data.len() + SLACK,
        "an allocation of {largest} bytes while reading a store of {} bytes",
        data.len()
    );
});
