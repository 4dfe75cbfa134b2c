//! The global allocator of the fuzz targets that check what a parser
//! allocates (`common_wire`, `ftp_digest_store`): the system allocator,
//! remembering the largest size asked of it since the last [`reset`]. Each
//! such target includes this file as a module of its own
//! (`#[path = "../src/largest_allocation.rs"] mod largest_allocation;`); it
//! is not part of `checks`, which the regression test compiles into the
//! workspace, where unsafe code is denied.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Largest;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on unchanged to the system allocator, which
// upholds GlobalAlloc's contract; the only addition is an atomic maximum.
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

/// Forgets the allocations made so far.
pub fn reset() {
    LARGEST.store(0, Ordering::Relaxed);
}

/// The largest allocation (or reallocation) asked for since [`reset`].
pub fn largest() -> usize {
    LARGEST.load(Ordering::Relaxed)
}
