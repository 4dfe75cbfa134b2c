//! `scripts/fuzz.sh common_wire SECONDS`: see `checks::common_wire`
//! (fuzz/src/lib.rs). Here, in addition, every allocation is counted while
//! the frames are read: a length prefix over the maximum must be an error,
//! never an allocation of the size it declares, so no single allocation
//! may be larger than the maximum the input reads with.
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

/// Room for the checks' own small allocations (the 4-byte prefix, a
/// message) beside the frame itself.
const SLACK: usize = 256;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    LARGEST.store(0, Ordering::Relaxed);
    checks::wire_frames(data);
    let largest = LARGEST.load(Ordering::Relaxed);
    let max = checks::wire_max(data);
    assert!(
        largest <= max + SLACK,
        "an allocation of {largest} bytes while reading frames of at most {max}"
    );
    checks::wire_json_header(data);
});
